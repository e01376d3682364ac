/* report_md: summary.md, compact GitHub-flavoured Markdown for CI job summaries and pull-request
 * comments: conformance per target, throughput and p99 per scenario, the baseline verdicts. */
#include "report.h"
#include "report_tradeoffs.h"
#include "report_db.h"
#include "report_wire.h"
#include "openloop_section.h"
#include "report_diff.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Table cells must not break the table: '|' and newlines are escaped or flattened. */
static void md_cell(FILE *f, const char *s) {
    for (; s && *s; s++) {
        if (*s == '|')
            fputs("\\|", f);
        else if (*s == '\n' || *s == '\r')
            fputc(' ', f);
        else
            fputc(*s, f);
    }
}

static void conformance(FILE *f, const model_t *m) {
    if (!m->conf_doc) return;
    fputs("### Conformance\n\n| target | suites | steps passed | failed | skipped | verdict "
          "|\n|---|---:|---:|---:|---:|---|\n",
          f);
    for (size_t t = 0; t < m->nt; t++) {
        const model_target_t *rt = &m->targets[t];
        if (!rt->conf) continue;
        const cJSON *st = cJSON_GetObjectItemCaseSensitive(rt->conf, "status");
        bool error = cJSON_IsString(st) && !strcmp(st->valuestring, "error");
        fprintf(f, "| %s | %d/%d | %d | %d | %d | %s |\n", rt->name, rt->suites_pass,
                rt->suites_total, rt->steps_pass, rt->steps_fail + rt->steps_error, rt->steps_skip,
                rt->conformant && rt->steps_skip ? "⚠️ conformant with skips"
                : rt->conformant                 ? "✅ conformant"
                : error                          ? "❌ error"
                                                 : "❌ not conformant");
    }
    bool header = false;
    for (size_t t = 0; t < m->nt; t++) {
        const cJSON *err = cJSON_GetObjectItemCaseSensitive(m->targets[t].conf, "error");
        if (cJSON_IsString(err)) {
            if (!header) fputs("\nFailing suites (first failing step):\n\n", f);
            header = true;
            fprintf(f, "- **%s** did not run: ", m->targets[t].name);
            char first[300]; /* the first line: start errors carry 20 log lines */
            snprintf(first, sizeof first, "%.*s", (int)strcspn(err->valuestring, "\n"),
                     err->valuestring);
            md_cell(f, first);
            fputc('\n', f);
        }
    }
    for (size_t t = 0; t < m->nt; t++) {
        const cJSON *s;
        cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(m->targets[t].conf, "suites")) {
            const cJSON *st = cJSON_GetObjectItemCaseSensitive(s, "status");
            if (!cJSON_IsString(st) || !strcmp(st->valuestring, "pass")) continue;
            if (!header) {
                fputs("\nFailing suites (first failing step):\n\n", f);
                header = true;
            }
            const cJSON *step, *first = NULL;
            cJSON_ArrayForEach(step, cJSON_GetObjectItemCaseSensitive(s, "steps")) {
                const cJSON *ss = cJSON_GetObjectItemCaseSensitive(step, "status");
                if (cJSON_IsString(ss) &&
                    (!strcmp(ss->valuestring, "fail") || !strcmp(ss->valuestring, "error"))) {
                    first = step;
                    break;
                }
            }
            const cJSON *name = cJSON_GetObjectItemCaseSensitive(first, "name");
            const cJSON *sname = cJSON_GetObjectItemCaseSensitive(s, "name");
            const cJSON *file = cJSON_GetObjectItemCaseSensitive(first, "file");
            const cJSON *line = cJSON_GetObjectItemCaseSensitive(first, "line");
            const cJSON *fl =
                cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(first, "failures"), 0);
            const cJSON *msg = cJSON_GetObjectItemCaseSensitive(fl, "message");
            if (!cJSON_IsString(msg)) msg = cJSON_GetObjectItemCaseSensitive(first, "reason");
            if (!cJSON_IsString(msg)) msg = cJSON_GetObjectItemCaseSensitive(s, "error");
            fprintf(f, "- **%s** `%s`: ", m->targets[t].name,
                    cJSON_IsString(sname) ? sname->valuestring : "?");
            md_cell(f, cJSON_IsString(name) ? name->valuestring : "?");
            if (cJSON_IsString(file))
                fprintf(f, " (`%s:%d`)", file->valuestring,
                        cJSON_IsNumber(line) ? (int)line->valuedouble : 0);
            fputs(" — ", f);
            md_cell(f, cJSON_IsString(msg) ? msg->valuestring : "failed");
            fputc('\n', f);
        }
    }
    fputc('\n', f);
}

static void figures(FILE *f, const model_t *m, const char *title, bool latency) {
    fprintf(f, "### %s at %d connections\n\n| scenario |", title, m->ref_level);
    for (size_t t = 0; t < m->nt; t++) fprintf(f, " %s |", m->targets[t].label);
    fputs("\n|---|", f);
    for (size_t t = 0; t < m->nt; t++) fputs("---:|", f);
    fputc('\n', f);
    for (size_t s = 0; s < m->ns; s++) {
        fprintf(f, "| %s |", m->scenarios[s]);
        for (size_t t = 0; t < m->nt; t++) {
            const model_cell_t *c = &m->cells[t][s];
            char a[32], b[32], d[32];
            const char *bs = m->targets[t].bench_status;
            if (!c->present && bs && strcmp(bs, "ok"))
                fprintf(f, " ❌ %s |", bs);
            else if (!c->present)
                fputs(" – |", f);
            else if (!c->level)
                fprintf(f, " ❌ %s |", c->status);
            else if (latency) {
                report_fmt_us(a, sizeof a, c->p99);
                fprintf(f, " %s", a);
                if (c->runs > 1) {
                    report_fmt_us(b, sizeof b, c->p99_min);
                    report_fmt_us(d, sizeof d, c->p99_max);
                    if (c->p99_cv >= 0)
                        fprintf(f, " (%s–%s, CV %.1f%%)", b, d, c->p99_cv);
                    else
                        fprintf(f, " (%s–%s)", b, d);
                }
                if (c->runs > 1 && c->p99_cv > m->cv_threshold) fputs(" ⚠️ unstable", f);
                if (c->read_p99_lo >= 0) {
                    report_fmt_us(b, sizeof b, c->read_p99_lo);
                    report_fmt_us(d, sizeof d, c->read_p99_hi);
                    fprintf(f, " · reads: %s–%s", b, d);
                }
                fputs(" |", f);
            } else {
                report_fmt_rps(a, sizeof a, c->rps);
                report_fmt_rps(b, sizeof b, c->rps_min);
                report_fmt_rps(d, sizeof d, c->rps_max);
                fprintf(f, " %s", a);
                if (c->runs > 1 && c->rps_cv >= 0)
                    fprintf(f, " (%s–%s, CV %.1f%%)", b, d, c->rps_cv);
                else if (c->runs > 1)
                    fprintf(f, " (%s–%s)", b, d);
                else
                    fputs(" (1 run)", f);
                if (c->cpu_us >= 0) fprintf(f, " · %.0f µs CPU/req", c->cpu_us);
                if (c->unstable) fputs(" ⚠️ unstable", f);
                if (c->host_slow)
                    fprintf(f, " ⚠️ host slow in %d of %d runs", c->host_slow, c->runs);
                if (c->host_makeups)
                    fprintf(f, " · %d of %d runs made up", c->host_makeups, c->runs);
                if (c->errors > 0)
                    fprintf(f, " ⚠️ %.0f err (%.0f unexpected answers)", c->errors,
                            c->unexpected);
                if (c->client_bound) {
                    report_fmt_rps(b, sizeof b, c->ceiling);
                    if (c->ceiling > 0)
                        fprintf(f, " ⚠️ client-bound (ceiling %s)", b);
                    else
                        fputs(" ⚠️ client-bound", f);
                }
                if (strcmp(c->status, "ok")) fprintf(f, " ❌ %s", c->status);
                if (c->connections != m->ref_level) fprintf(f, " (at %d conn)", c->connections);
                if (c->integrity_checked && !c->integrity_pass) fputs(" ❌ integrity", f);
                fputs(" |", f);
            }
        }
        fputc('\n', f);
    }
    fputc('\n', f);
}

static void md_p(char *out, size_t n, double p, int na, int nb) {
    if (isnan(p))
        snprintf(out, n, "no test (n=%d/%d)", na, nb);
    else
        snprintf(out, n, "p=%.3f", p);
}

static void baseline(FILE *f, const baseline_t *b) {
    fprintf(f,
            "### Against the baseline (gate: req/s down > %.1f%% or p99 up > %.1f%%, and "
            "significant: one-sided Mann–Whitney p ≤ %.2f over the repetitions)\n\n",
            b->max_regression_pct, b->max_p99_regression_pct, REPORT_ALPHA);
    fprintf(f, "%s **%d regression(s)**, **%d target(s) lost conformance**.\n\n",
            b->regressions || b->lost_conformance ? "❌" : "✅", b->regressions, b->lost_conformance);
    for (size_t i = 0; i < b->nconf; i++)
        if (b->conf[i].lost)
            fprintf(f, "- %s lost conformance: %s\n", b->conf[i].target, b->conf[i].suites);
    if (b->nrows) {
        fputs("\n| target | scenario | req/s before | now | change | test | p99 before | now | "
              "change | test | verdict |\n|---|---|---:|---:|---:|---|---:|---:|---:|---|---|\n",
              f);
        for (size_t i = 0; i < b->nrows; i++) {
            const baseline_row_t *r = &b->rows[i];
            char a[32], c[32], p1[32], p2[32], t1[40], t2[40];
            report_fmt_rps(a, sizeof a, r->old_rps);
            report_fmt_rps(c, sizeof c, r->new_rps);
            report_fmt_us(p1, sizeof p1, r->old_p99);
            report_fmt_us(p2, sizeof p2, r->new_p99);
            if (!isfinite(r->delta_pct) || r->old_rps < 0 || r->new_rps < 0) {
                fprintf(f, "| %s | %s | %s | %s | – | – | – | – | – | – | %s |\n", r->target,
                        r->scenario, r->old_rps < 0 ? "–" : a, r->new_rps < 0 ? "–" : c,
                        baseline_verdict_name(r->verdict));
                continue;
            }
            md_p(t1, sizeof t1, r->rps_p, r->n_old, r->n_new);
            md_p(t2, sizeof t2, r->p99_p, r->n_old, r->n_new);
            fprintf(f, "| %s | %s | %s | %s | %+.1f%% | %s | %s | %s | %+.1f%% | %s | %s |\n",
                    r->target, r->scenario, a, c, r->delta_pct, t1, p1, p2, r->p99_delta_pct, t2,
                    baseline_verdict_name(r->verdict));
        }
    }
    fputc('\n', f);
}

int report_markdown(const model_t *m, const baseline_t *b, FILE *f) {
    const char *run = NULL;
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(m->bench_doc ? m->bench_doc : m->conf_doc,
                                                       m->bench_doc ? "run_id" : "run");
    if (cJSON_IsString(id)) run = id->valuestring;
    fprintf(f, "## parity report %s\n\n", run ? run : "");
    if (b) baseline(f, b);
    conformance(f, m);
    report_diff_md(f, m); /* parity diff: diff.json */
    report_wire_md(f, m); /* issue 19: apart from the conformance verdict */
    if (m->bench_doc && m->ns) {
        figures(f, m, "Throughput (successful requests/s, median over repetitions)", false);
        figures(f, m, "Latency p99 (median over repetitions)", true);
        fprintf(
            f,
            "<sub>Successful answers only (each scenario declares its success statuses); "
            "every figure is the median of the repetitions, each in a freshly started "
            "target, with min–max and the coefficient of variation; ⚠️ unstable: CV above "
            "%.0f%%; host slow: the host probe (a memory workload on the target's CPU) ran over "
            "1.35 times its best before or after the run, i.e. other guests slowed the "
            "machine; made up: a run found slow at the end was measured again in a fresh process, "
            "the slow one kept in bench.json (host_superseded); client-bound: within 10%% of what "
            "wrk reaches against a trivial "
            "responder (the ceiling) or wrk's CPU over 90%%; µs CPU/req: the target's CPU "
            "time per successful request; reads: bounds of the read requests' p99 in a "
            "mix, from the full histogram.</sub>\n\n",
            m->cv_threshold);
        report_db_md(f, m); /* issue 24: SQLite vs PostgreSQL (run --db both) */
        report_openloop_md(f, m);
        report_tradeoffs_md(f, m);
        const cJSON *env = cJSON_GetObjectItemCaseSensitive(m->bench_doc, "environment");
        const cJSON *cpu = cJSON_GetObjectItemCaseSensitive(env, "cpu_model");
        const cJSON *prof = cJSON_GetObjectItemCaseSensitive(m->bench_doc, "profile");
        fprintf(f, "<sub>profile %s · %s · full results in report.html and bench.json</sub>\n",
                cJSON_IsString(prof) ? prof->valuestring : "?",
                cJSON_IsString(cpu) ? cpu->valuestring : "?");
    }
    return ferror(f) ? -1 : 0;
}
