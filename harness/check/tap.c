/* tap: TAP version 13 of a conformance run (one test point per step, a YAML diagnostic block
 * under every failure, `# SKIP reason` for skips). A target that did not start is one failing
 * point "TARGET start". Test point descriptions are "TARGET SUITE: STEP" with '#' written "\#"
 * (a bare '#' starts a directive in TAP) and newlines as spaces. */
#include <stdio.h>
#include <string.h>

#include "results.h"

#include "core/file.h"

/* A YAML double-quoted scalar. */
static void tap_yq(FILE *f, const char *s) {
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p == '\n')
            fputs("\\n", f);
        else if (*p == '\t')
            fputs("\\t", f);
        else if (*p < 0x20 || *p == 0x7f)
            fprintf(f, "\\x%02X", *p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

/* A description: no newline, '#' escaped. */
static void tap_desc(FILE *f, const char *s) {
    for (const char *p = s ? s : ""; *p; p++) {
        if (*p == '#' || *p == '\\') fputc('\\', f);
        fputc(*p == '\n' || *p == '\r' ? ' ' : *p, f);
    }
}

int tap_write(const result_run_t *r, const char *path, err_t *err) {
    file_atomic_t rf;
    if (file_atomic_open(&rf, path, err) < 0) return -1;
    FILE *f = rf.fp;
    size_t total = 0;
    for (size_t i = 0; i < r->n; i++) {
        if (r->targets[i].error && r->targets[i].n == 0) total++;
        for (size_t j = 0; j < r->targets[i].n; j++) total += r->targets[i].suites[j].n;
    }
    fprintf(f, "TAP version 13\n1..%zu\n", total);
    size_t num = 0;
    for (size_t i = 0; i < r->n; i++) {
        const result_target_t *t = &r->targets[i];
        if (t->error && t->n == 0) {
            fprintf(f, "not ok %zu - ", ++num);
            tap_desc(f, t->name);
            fputs(" start\n  ---\n  message: ", f);
            tap_yq(f, t->error);
            fputs("\n  severity: error\n  ...\n", f);
            continue;
        }
        for (size_t j = 0; j < t->n; j++) {
            const result_suite_t *su = &t->suites[j];
            for (size_t k = 0; k < su->n; k++) {
                const result_step_t *st = &su->steps[k];
                char label[1024];
                result_step_label(st, label, sizeof label);
                fprintf(f, "%s %zu - ",
                        st->status == RESULT_PASS || st->status == RESULT_SKIP ? "ok" : "not ok",
                        ++num);
                tap_desc(f, t->name);
                fputc(' ', f);
                tap_desc(f, su->name);
                fputs(": ", f);
                tap_desc(f, label);
                if (st->status == RESULT_SKIP) {
                    fputs(" # SKIP ", f);
                    tap_desc(f, st->reason ? st->reason : "skipped");
                }
                fputc('\n', f);
                if (st->status != RESULT_FAIL && st->status != RESULT_ERROR) continue;
                fputs("  ---\n  message: ", f);
                tap_yq(f, st->nchecks ? st->checks[0].message : st->reason ? st->reason : "failed");
                fprintf(f,
                        "\n  severity: %s\n  file: ", st->status == RESULT_FAIL ? "fail" : "error");
                tap_yq(f, st->file);
                fprintf(f, "\n  line: %u\n", st->line);
                if (st->reason) {
                    fputs("  reason: ", f);
                    tap_yq(f, st->reason);
                    fputc('\n', f);
                }
                if (st->nchecks) {
                    fputs("  failures:\n", f);
                    for (size_t c = 0; c < st->nchecks; c++) {
                        fputs("    - check: ", f);
                        tap_yq(f, st->checks[c].text);
                        fprintf(f, "\n      line: %u\n      message: ", st->checks[c].line);
                        tap_yq(f, st->checks[c].message);
                        fputc('\n', f);
                    }
                }
                if (st->method) {
                    fputs("  request: ", f);
                    char req[4096];
                    snprintf(req, sizeof req, "%s %s", st->method, st->url ? st->url : "");
                    tap_yq(f, req);
                    fputc('\n', f);
                }
                if (st->http_status) fprintf(f, "  status: %ld\n", st->http_status);
                if (st->curl) {
                    fputs("  reproduce: ", f);
                    tap_yq(f, st->curl);
                    fputc('\n', f);
                }
                fputs("  ...\n", f);
            }
        }
    }
    return file_atomic_commit(&rf, err);
}
