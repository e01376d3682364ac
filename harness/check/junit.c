/* junit: JUnit XML of a conformance run, the format CI systems (Jenkins, GitLab, GitHub actions)
 * display. One <testsuite> per (target, suite), one <testcase classname="target.suite"> per step;
 * <failure> for a failed step, <error> for a step that could not run (crash, template error),
 * <skipped message="reason"/> for skips. A target that did not start is one testsuite
 * "target.start" with an <error>. Written by hand (a handful of elements; no XML library needed):
 * every text is escaped for XML 1.0, control characters and invalid UTF-8 as \xHH. */
#include <stdio.h>
#include <string.h>

#include "results.h"

#include "core/file.h"

static void ju_esc(FILE *f, const char *s) {
    if (!s) return;
    bool utf8 = str_utf8_valid(s, strlen(s));
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&apos;", f); break;
        default:
            if ((*p < 0x20 && *p != '\n' && *p != '\t' && *p != '\r') || *p == 0x7f ||
                (*p >= 0x80 && !utf8))
                fprintf(f, "\\x%02X", *p);
            else
                fputc(*p, f);
        }
    }
}

/* The failure text of a step: every failing check, the response and the curl command. */
static void ju_detail(FILE *f, const result_step_t *st) {
    if (st->reason) {
        ju_esc(f, st->reason);
        fputc('\n', f);
    }
    for (size_t i = 0; i < st->nchecks; i++) {
        fprintf(f, "%s:%u:%u: ", st->checks[i].file ? st->checks[i].file : "", st->checks[i].line,
                st->checks[i].col);
        ju_esc(f, st->checks[i].text);
        fputs(": ", f);
        ju_esc(f, st->checks[i].message);
        fputc('\n', f);
    }
    if (st->method) {
        fputs("request: ", f);
        ju_esc(f, st->method);
        fputc(' ', f);
        ju_esc(f, st->url);
        fputc('\n', f);
    }
    if (st->response) {
        fputs("response:\n", f);
        ju_esc(f, st->response);
        fputc('\n', f);
    }
    if (st->curl) {
        fputs("reproduce: ", f);
        ju_esc(f, st->curl);
        fputc('\n', f);
    }
}

/* One-line failure message: the reason or the first failing check. */
static const char *ju_message(const result_step_t *st) {
    if (st->nchecks) return st->checks[0].message;
    return st->reason ? st->reason : "failed";
}

int junit_write(const result_run_t *r, const char *path, err_t *err) {
    file_atomic_t rf;
    if (file_atomic_open(&rf, path, err) < 0) return -1;
    FILE *f = rf.fp;
    result_totals_t tt;
    result_totals(r, &tt);
    size_t start_errors = 0;
    for (size_t i = 0; i < r->n; i++)
        if (r->targets[i].error && r->targets[i].n == 0) start_errors++;
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", f);
    fprintf(f, "<testsuites name=\"parity check ");
    ju_esc(f, r->id);
    fprintf(f, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\" time=\"%.3f\">\n",
            tt.pass + tt.fail + tt.skip + tt.error + start_errors, tt.fail, tt.error + start_errors,
            tt.skip, r->duration_ms / 1000.0);
    for (size_t i = 0; i < r->n; i++) {
        const result_target_t *t = &r->targets[i];
        if (t->error && t->n == 0) {
            fputs("  <testsuite name=\"", f);
            ju_esc(f, t->name);
            fputs(".start\" tests=\"1\" failures=\"0\" errors=\"1\" skipped=\"0\" time=\"0\">\n",
                  f);
            fputs("    <testcase classname=\"", f);
            ju_esc(f, t->name);
            fputs(".start\" name=\"start\" time=\"0\">\n      <error message=\"", f);
            ju_esc(f, t->error);
            fputs("\" type=\"environment\">", f);
            ju_esc(f, t->error);
            fputs("</error>\n    </testcase>\n  </testsuite>\n", f);
            continue;
        }
        for (size_t j = 0; j < t->n; j++) {
            const result_suite_t *su = &t->suites[j];
            fputs("  <testsuite name=\"", f);
            ju_esc(f, t->name);
            fputc('.', f);
            ju_esc(f, su->name);
            fprintf(f,
                    "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\" "
                    "time=\"%.3f\" file=\"",
                    su->n, su->nfail, su->nerror, su->nskip, su->duration_ms / 1000.0);
            ju_esc(f, su->file);
            fputs("\">\n    <properties>\n      <property name=\"target\" value=\"", f);
            ju_esc(f, t->name);
            fputs("\"/>\n      <property name=\"version\" value=\"", f);
            ju_esc(f, t->version);
            fputs("\"/>\n      <property name=\"url\" value=\"", f);
            ju_esc(f, t->url);
            fputs("\"/>\n    </properties>\n", f);
            for (size_t k = 0; k < su->n; k++) {
                const result_step_t *st = &su->steps[k];
                char label[1024];
                result_step_label(st, label, sizeof label);
                fputs("    <testcase classname=\"", f);
                ju_esc(f, t->name);
                fputc('.', f);
                ju_esc(f, su->name);
                fputs("\" name=\"", f);
                ju_esc(f, label);
                fputs("\" file=\"", f);
                ju_esc(f, st->file);
                fprintf(f, "\" line=\"%u\" time=\"%.3f\"", st->line, st->duration_ms / 1000.0);
                if (st->status == RESULT_PASS) {
                    fputs("/>\n", f);
                    continue;
                }
                fputs(">\n", f);
                if (st->status == RESULT_SKIP) {
                    fputs("      <skipped message=\"", f);
                    ju_esc(f, st->reason ? st->reason : "skipped");
                    fputs("\"/>\n", f);
                } else {
                    const char *el = st->status == RESULT_FAIL ? "failure" : "error";
                    fprintf(f, "      <%s message=\"", el);
                    ju_esc(f, ju_message(st));
                    fprintf(f, "\" type=\"%s\">",
                            st->status == RESULT_FAIL ? "assertion" : "error");
                    ju_detail(f, st);
                    fprintf(f, "</%s>\n", el);
                }
                fputs("    </testcase>\n", f);
            }
            fputs("  </testsuite>\n", f);
        }
    }
    fputs("</testsuites>\n", f);
    return file_atomic_commit(&rf, err);
}
