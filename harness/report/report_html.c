/* report_html: report.html, one self-contained file (inline CSS and SVG, no network). */
#include "report.h"
#include "report_tradeoffs.h"
#include "openloop_section.h"
#include "report_diff.h"
#include "report_db.h"
#include "report_wire.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/json.h"

#define HTML_MAX_SVG      (8u << 20) /* bytes of one chart inlined */
#define HTML_MAX_RESPONSE 2048       /* bytes of a failing response shown */
#define HTML_MAX_FAILURES 200        /* failing steps listed in full */

void report_html_escape(FILE *f, const char *s) {
    for (; s && *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&#39;", f); break;
        default: fputc(*s, f);
        }
    }
}
#define E(s) report_html_escape(f, (s))

void report_fmt_rps(char *out, size_t n, double v) {
    if (v < 0)
        snprintf(out, n, "–");
    else if (v >= 1e6)
        snprintf(out, n, "%.2fM", v / 1e6);
    else if (v >= 1e4)
        snprintf(out, n, "%.1fk", v / 1e3);
    else if (v >= 100)
        snprintf(out, n, "%.0f", v);
    else
        snprintf(out, n, "%.1f", v);
}

void report_fmt_us(char *out, size_t n, double us) {
    if (us < 0)
        snprintf(out, n, "–");
    else if (us >= 1e6)
        snprintf(out, n, "%.2f s", us / 1e6);
    else if (us >= 1e4)
        snprintf(out, n, "%.1f ms", us / 1e3);
    else
        snprintf(out, n, "%.2f ms", us / 1e3);
}

static void inline_css(FILE *f, const report_opts_t *o) {
    char path[4200];
    snprintf(path, sizeof path, "%s/report.css", o->templates);
    buf_t css;
    buf_init(&css, 1u << 20);
    err_t err;
    if (buf_read_file(&css, path, &err) == 0) fputs(buf_cstr(&css), f);
    buf_free(&css);
}

static void swatch(FILE *f, const model_target_t *t) {
    fprintf(f, "<span class=\"swatch\" style=\"background:%s\"></span>", t->color);
}

static void cards(FILE *f, const model_t *m) {
    fputs("<div class=\"cards\">\n", f);
    for (size_t t = 0; t < m->nt; t++) {
        const model_target_t *rt = &m->targets[t];
        fputs("<div class=\"card\"><div class=\"name\">", f);
        swatch(f, rt);
        E(rt->label);
        fputs("</div><div class=\"muted\">", f);
        E(rt->version ? rt->version : "");
        fputs("</div><div>", f);
        const char *cst = json_str(rt->conf, "status");
        if (!rt->conf)
            fputs("<span class=\"badge skip\">conformance not checked</span>", f);
        else if (cst && !strcmp(cst, "error"))
            fputs("<span class=\"badge fail\">conformance: did not run</span>", f);
        else if (rt->conformant && rt->steps_skip)
            fprintf(f, "<span class=\"badge warn\">conformant with %d skip%s: %d/%d suites</span>",
                    rt->steps_skip, rt->steps_skip == 1 ? "" : "s", rt->suites_pass,
                    rt->suites_total);
        else if (rt->conformant)
            fprintf(f, "<span class=\"badge pass\">conformant: %d/%d suites</span>",
                    rt->suites_pass, rt->suites_total);
        else
            fprintf(
                f,
                "<span class=\"badge fail\">NOT conformant: %d/%d suites, %d failing steps</span>",
                rt->suites_pass, rt->suites_total, rt->steps_fail + rt->steps_error);
        fputs("</div>", f);
        const char *bstat = rt->bench ? json_str(rt->bench, "status") : NULL;
        if (bstat && strcmp(bstat, "ok") != 0) {
            fputs("<div><span class=\"badge fail\">benchmark ", f);
            E(bstat);
            fputs("</span></div>", f);
        }
        for (size_t s = 0; s < m->ns && s < 3; s++) {
            const model_cell_t *c = &m->cells[t][s];
            if (!c->present || !c->level) continue;
            char rps[32];
            report_fmt_rps(rps, sizeof rps, c->rps);
            fprintf(f, "<div class=\"muted\">%s: <b>%s</b> req/s</div>", m->scenarios[s], rps);
        }
        fputs("</div>\n", f);
    }
    fputs("</div>\n", f);
}

/* One failing (or error) step: where, each failed check, the reason, the response, a curl line. */
static void failing_step(FILE *f, const char *label, const cJSON *su, const cJSON *st) {
    fputs("<div class=\"failure\"><b>", f);
    E(label);
    fputs(" · ", f);
    E(json_str(su, "name"));
    fputs("</b> — step “", f);
    E(json_str(st, "name"));
    fprintf(f, "” <span class=\"badge fail\">%s</span><div class=\"where\">",
            json_str(st, "status"));
    E(json_str(st, "file"));
    fprintf(f, ":%d:%d</div><ul>", (int)json_num(st, "line", 0), (int)json_num(st, "col", 0));
    const cJSON *fl;
    cJSON_ArrayForEach(fl, json_get(st, "failures")) {
        fputs("<li><code>", f);
        E(json_str(fl, "check"));
        fputs("</code>: ", f);
        E(json_str(fl, "message"));
        if (json_str(fl, "file")) {
            fputs(" <span class=\"muted\">(", f);
            E(json_str(fl, "file"));
            fprintf(f, ":%d:%d)</span>", (int)json_num(fl, "line", 0), (int)json_num(fl, "col", 0));
        }
        fputs("</li>", f);
    }
    /* transport errors, crashes and template errors have no failures, only a reason */
    if (json_str(st, "reason")) {
        fputs("<li>", f);
        E(json_str(st, "reason"));
        fputs("</li>", f);
    }
    fputs("</ul>", f);
    const char *resp = json_str(st, "response");
    if (resp) {
        fputs("<details><summary>response</summary><pre>", f);
        char cut[HTML_MAX_RESPONSE + 1];
        snprintf(cut, sizeof cut, "%s", resp);
        E(cut);
        fputs(strlen(resp) > HTML_MAX_RESPONSE ? "\n…(truncated)" : "", f);
        fputs("</pre></details>", f);
    }
    if (json_str(st, "curl")) {
        fputs("<details><summary>reproduce</summary><pre>", f);
        E(json_str(st, "curl"));
        fputs("</pre></details>", f);
    }
    fputs("</div>\n", f);
}

/* Suites x targets: pass/FAIL with counts. */
static void conformance_table(FILE *f, const model_t *m) {
    fputs("<table><tr><th>suite</th>", f);
    for (size_t t = 0; t < m->nt; t++) {
        fputs("<th>", f);
        swatch(f, &m->targets[t]);
        E(m->targets[t].label);
        fputs("</th>", f);
    }
    fputs("</tr>\n", f);
    for (size_t s = 0; s < m->nsuites; s++) {
        fputs("<tr><td>", f);
        E(m->suites[s]);
        fputs("</td>", f);
        for (size_t t = 0; t < m->nt; t++) {
            const cJSON *su = m->targets[t].conf ? model_suite(&m->targets[t], m->suites[s]) : NULL;
            if (!su) {
                fputs("<td class=\"skip\">–</td>", f);
                continue;
            }
            const cJSON *c = json_get(su, "counts");
            int pass = (int)json_num(c, "pass", 0),
                fail = (int)json_num(c, "fail", 0) + (int)json_num(c, "error", 0),
                skip = (int)json_num(c, "skip", 0);
            const char *st = json_str(su, "status");
            bool ok = st && !strcmp(st, "pass");
            fprintf(f, "<td class=\"%s\">%s %d/%d", ok ? "pass" : "fail", ok ? "pass" : "FAIL",
                    pass, pass + fail);
            if (skip) fprintf(f, " <span class=\"skip\">· %d skipped</span>", skip);
            fputs("</td>", f);
        }
        fputs("</tr>\n", f);
    }
    fputs("</table>\n", f);
}

/* Targets that did not run, then the failing steps (at most HTML_MAX_FAILURES). */
static void conformance_failures(FILE *f, const model_t *m) {
    for (size_t t = 0; t < m->nt; t++) {
        const char *err = json_str(m->targets[t].conf, "error");
        if (!err) continue;
        fputs("<div class=\"failure\"><b>", f);
        E(m->targets[t].label);
        fputs("</b> did not run the suites <span class=\"badge fail\">error</span><pre>", f);
        E(err);
        fputs("</pre></div>\n", f);
    }
    int shown = 0;
    bool header = false;
    for (size_t t = 0; t < m->nt; t++) {
        const cJSON *su;
        cJSON_ArrayForEach(su, json_get(m->targets[t].conf, "suites")) {
            const cJSON *st;
            cJSON_ArrayForEach(st, json_get(su, "steps")) {
                const char *status = json_str(st, "status");
                if (!status || (strcmp(status, "fail") && strcmp(status, "error"))) continue;
                if (!header) {
                    fputs("<h3>Failing steps</h3>\n", f);
                    header = true;
                }
                if (++shown > HTML_MAX_FAILURES) continue;
                failing_step(f, m->targets[t].label, su, st);
            }
        }
    }
    if (shown > HTML_MAX_FAILURES)
        fprintf(f, "<p class=\"muted\">… and %d more (see conformance.json).</p>\n",
                shown - HTML_MAX_FAILURES);
}

/* Skipped steps with their written reasons. */
static void conformance_skips(FILE *f, const model_t *m) {
    bool header = false;
    for (size_t t = 0; t < m->nt; t++) {
        const cJSON *su;
        cJSON_ArrayForEach(su, json_get(m->targets[t].conf, "suites")) {
            const cJSON *st;
            cJSON_ArrayForEach(st, json_get(su, "steps")) {
                const char *status = json_str(st, "status"), *reason = json_str(st, "reason");
                if (!status || strcmp(status, "skip") || !reason) continue;
                if (!header) {
                    fputs("<h3>Skipped "
                          "steps</h3>\n<table><tr><th>target</th><th>suite</th><th>step</"
                          "th><th>reason</th></tr>\n",
                          f);
                    header = true;
                }
                fputs("<tr><td>", f);
                E(m->targets[t].label);
                fputs("</td><td>", f);
                E(json_str(su, "name"));
                fputs("</td><td>", f);
                E(json_str(st, "name"));
                fputs("</td><td>", f);
                E(reason);
                fputs("</td></tr>\n", f);
            }
        }
    }
    if (header) fputs("</table>\n", f);
}

static void conformance(FILE *f, const model_t *m) {
    fputs("<h2 id=\"conformance\">Conformance</h2>\n", f);
    if (!m->conf_doc) {
        fputs("<p class=\"muted\">No conformance results in this run (conformance.json is "
              "absent).</p>\n",
              f);
        return;
    }
    const cJSON *tot = json_get(json_get(m->conf_doc, "totals"), "steps");
    fprintf(f,
            "<p class=\"lead\">%d targets, %zu suites: %.0f steps passed, %.0f failed, %.0f "
            "skipped, %.0f errors.</p>\n",
            (int)m->nt, m->nsuites, json_num(tot, "pass", 0), json_num(tot, "fail", 0),
            json_num(tot, "skip", 0), json_num(tot, "error", 0));
    conformance_table(f, m);
    conformance_failures(f, m);
    conformance_skips(f, m);
}

/* Scenarios x targets at a glance: median throughput and p99, the best throughput in bold. */
static void overview(FILE *f, const model_t *m) {
    fputs("<table class=\"overview\"><tr><th>scenario</th>", f);
    for (size_t t = 0; t < m->nt; t++) {
        fputs("<th class=\"num\">", f);
        swatch(f, &m->targets[t]);
        E(m->targets[t].label);
        fputs("</th>", f);
    }
    fputs("</tr>\n", f);
    for (size_t s = 0; s < m->ns; s++) {
        double best = -1;
        for (size_t t = 0; t < m->nt; t++)
            if (m->cells[t][s].level && m->cells[t][s].rps > best) best = m->cells[t][s].rps;
        fputs("<tr><td>", f);
        E(m->scenarios[s]);
        fputs("</td>", f);
        for (size_t t = 0; t < m->nt; t++) {
            const model_cell_t *c = &m->cells[t][s];
            const char *bs = m->targets[t].bench_status;
            if (!c->present && !(bs && strcmp(bs, "ok"))) {
                fputs("<td class=\"num muted\">–</td>", f);
                continue;
            }
            if (!c->level) {
                fputs("<td class=\"num\"><span class=\"badge fail\">", f);
                E(c->present ? c->status : bs);
                fputs("</span></td>", f);
                continue;
            }
            char rps[32], p99[32];
            report_fmt_rps(rps, sizeof rps, c->rps);
            report_fmt_us(p99, sizeof p99, c->p99);
            fprintf(f, "<td class=\"num\">%s%s%s req/s", c->rps == best ? "<b>" : "", rps,
                    c->rps == best ? "</b>" : "");
            if (c->unstable)
                fputs(
                    " <span class=\"badge warn\" title=\"CV above the threshold\">unstable</span>",
                    f);
            if (c->host_slow)
                fprintf(f,
                        " <span class=\"badge warn\" title=\"the host probe found other guests "
                        "slowing the machine in %d of %d runs\">host slow</span>",
                        c->host_slow, c->runs);
            if (c->host_makeups)
                fprintf(f,
                        " <span class=\"badge\" title=\"%d of %d runs found slow at the end "
                        "were measured again in a fresh process\">made up</span>",
                        c->host_makeups, c->runs);
            if (c->client_bound) fputs(" <span class=\"badge warn\">client-bound</span>", f);
            fprintf(f, "<div class=\"muted\">p99 %s", p99);
            if (c->cpu_us >= 0) fprintf(f, " · %.0f µs CPU/req", c->cpu_us);
            fputs("</div></td>", f);
        }
        fputs("</tr>\n", f);
    }
    fputs("</table>\n", f);
}

/* The notes cell of a benchmark row: status, level, stability, client bound, integrity. */
static void bench_notes(FILE *f, const model_t *m, const model_cell_t *c) {
    char b[32], d[32];
    if (strcmp(c->status, "ok")) {
        fputs("<span class=\"badge fail\">", f);
        E(c->status);
        fputs("</span> ", f);
        E(c->error);
        fputc(' ', f);
    }
    if (c->connections != m->ref_level)
        fprintf(f,
                "<span class=\"badge skip\" title=\"not measured at %d connections\">at %d "
                "connections</span> ",
                m->ref_level, c->connections);
    if (c->unstable)
        fprintf(f,
                "<span class=\"badge warn\" title=\"req/s CV %.1f%%, p99 CV %.1f%% over "
                "%d repetitions\">unstable</span> ",
                c->rps_cv, c->p99_cv, c->runs);
    if (c->host_slow)
        fprintf(f,
                "<span class=\"badge warn\" title=\"the host probe (a memory workload on the "
                "target's CPU) ran over 1.35 times its best around %d of %d runs: other guests "
                "were slowing the machine\">host slow</span> ",
                c->host_slow, c->runs);
    if (c->host_makeups)
        fprintf(f,
                "<span class=\"badge\" title=\"%d of %d runs found slow at the end were "
                "measured again in a fresh process (the slow ones in bench.json's "
                "host_superseded)\">made up</span> ",
                c->host_makeups, c->runs);
    if (c->client_bound) {
        report_fmt_rps(b, sizeof b, c->ceiling);
        fprintf(f,
                "<span class=\"badge warn\" title=\"within 10%% of the client's ceiling, "
                "or wrk's CPU over 90%%: the figure is a lower "
                "bound\">client-bound%s%s%s</span> ",
                c->ceiling > 0 ? " (ceiling " : "", c->ceiling > 0 ? b : "",
                c->ceiling > 0 ? " req/s)" : "");
    } else if (c->ceiling > 0) {
        report_fmt_rps(b, sizeof b, c->ceiling);
        fprintf(f, "<span class=\"muted\">client ceiling %s</span> ", b);
    }
    if (c->read_p99_lo >= 0) {
        report_fmt_us(b, sizeof b, c->read_p99_lo);
        report_fmt_us(d, sizeof d, c->read_p99_hi);
        fprintf(f,
                "<span class=\"muted\" title=\"bounds of the read requests' p99, from "
                "the full histogram of the mix\">read p99 %s–%s</span> ",
                b, d);
    }
    if (c->unexpected > 0)
        fprintf(f, "<span class=\"badge fail\">%.0f unexpected answers</span> ", c->unexpected);
    if (c->integrity_checked) {
        const cJSON *in = json_get(c->scenario, "integrity");
        fprintf(f,
                "<span class=\"badge %s\" title=\"%.0f writes acknowledged, %.0f found "
                "afterwards\">integrity %s</span>",
                c->integrity_pass ? "pass" : "fail", json_num(in, "acknowledged", 0),
                json_num(in, "found", 0), c->integrity_pass ? "ok" : "FAILED");
        if (!c->integrity_pass && json_str(in, "message")) {
            fputs(" ", f);
            E(json_str(in, "message"));
        }
    }
}

/* One target's row of a scenario table. */
static void bench_row(FILE *f, const model_t *m, const model_target_t *tg, const model_cell_t *c) {
    fputs("<tr><td>", f);
    swatch(f, tg);
    E(tg->label);
    fputs("</td>", f);
    if (!c->level) {
        fputs("<td colspan=\"11\"><span class=\"badge fail\">", f);
        E(c->status);
        fputs("</span> ", f);
        E(c->error ? c->error : "no figures");
        const char *check = json_str(json_get(c->scenario, "check"), "message");
        if (check) {
            fputs("<div class=\"muted\">sample request: <code>", f);
            E(check);
            fputs("</code></div>", f);
        }
        fputs("</td></tr>\n", f);
        return;
    }
    char a[32], b[32], d[32], p50[32], p90[32], p99[32], p999[32];
    report_fmt_rps(a, sizeof a, c->rps);
    report_fmt_rps(b, sizeof b, c->rps_min);
    report_fmt_rps(d, sizeof d, c->rps_max);
    report_fmt_us(p50, sizeof p50, c->p50);
    report_fmt_us(p90, sizeof p90, c->p90);
    report_fmt_us(p99, sizeof p99, c->p99);
    report_fmt_us(p999, sizeof p999, c->p999);
    char range[160];
    if (c->runs > 1 && c->rps_cv >= 0)
        snprintf(range, sizeof range, "%s–%s<div class=\"muted\">CV %.1f%%</div>", b, d, c->rps_cv);
    else if (c->runs > 1)
        snprintf(range, sizeof range, "%s–%s", b, d);
    else
        snprintf(range, sizeof range, "<span class=\"muted\" title=\"one repetition\">–</span>");
    fprintf(f,
            "<td class=\"num\"><b>%s</b></td><td class=\"num\">%s</td><td "
            "class=\"num\">%s</td><td class=\"num\">%s</td>"
            "<td class=\"num\">%s</td><td class=\"num\">%s</td><td class=\"num%s\">%.0f</td>",
            a, range, p50, p90, p99, p999, c->errors > 0 ? " fail" : "", c->errors);
    if (c->cpu_us >= 0)
        fprintf(f, "<td class=\"num\">%.1f</td>", c->cpu_us);
    else
        fputs("<td class=\"num\">–</td>", f);
    report_fmt_rps(a, sizeof a, c->eff);
    fprintf(f, "<td class=\"num\">%s</td>", a);
    if (c->rss_kb >= 0)
        fprintf(f, "<td class=\"num\">%.1f MiB</td>", c->rss_kb / 1024.0);
    else
        fputs("<td class=\"num\">–</td>", f);
    fputs("<td>", f);
    bench_notes(f, m, c);
    fputs("</td></tr>\n", f);
}

static void bench_tables(FILE *f, const model_t *m) {
    fputs("<h2 id=\"benchmarks\">Benchmarks</h2>\n", f);
    if (!m->bench_doc) {
        fputs("<p class=\"muted\">No benchmark results in this run (bench.json is absent).</p>\n",
              f);
        return;
    }
    const cJSON *set = json_get(m->bench_doc, "settings");
    fprintf(f,
            "<p class=\"lead\">Profile <b>%s</b>: %d s per measured run, %d repetition(s), primer "
            "%d s at 8 connections, warmup %d s. "
            "Tables show the level of %d connections (or the highest measured): median over "
            "repetitions (each in a freshly started target, targets interleaved), with min–max "
            "and the coefficient of variation; <span class=\"badge warn\">unstable</span>: CV "
            "above %.0f%%. req/s counts successful answers only (each scenario declares its "
            "success statuses); errors are every other answer plus socket errors, and any beyond "
            "the scenario's tolerated rate fails the run. "
            "<span class=\"badge warn\">client-bound</span>: within 10%% of the client's "
            "ceiling (wrk with the same script against a trivial responder on the target's "
            "CPUs) or wrk's CPU over 90%%: the figure is a lower bound. CPU µs/req is the "
            "target's CPU time per successful request (meaningful even when client-bound). CPU "
            "and memory are the target's whole process tree.</p>\n",
            json_str(m->bench_doc, "profile") ? json_str(m->bench_doc, "profile") : "?",
            (int)json_num(set, "duration_s", 0), (int)json_num(set, "repeat", 0),
            (int)json_num(set, "primer_s", 0), (int)json_num(set, "warmup_s", 0), m->ref_level,
            m->cv_threshold);
    for (size_t t = 0; t < m->nt; t++) {
        const char *st = json_str(m->targets[t].bench, "status");
        if (!st || !strcmp(st, "ok")) continue;
        fputs("<div class=\"failure\"><b>", f);
        E(m->targets[t].label);
        fputs("</b> <span class=\"badge fail\">", f);
        E(st);
        fputs("</span><pre>", f);
        E(json_str(m->targets[t].bench, "error"));
        fputs("</pre></div>\n", f);
    }
    overview(f, m);
    for (size_t s = 0; s < m->ns; s++) {
        fputs("<h3>", f);
        E(m->scenarios[s]);
        fputs("</h3><p class=\"muted\">", f);
        E(m->scenario_desc[s]);
        fputs("</p>\n<table class=\"bench\"><tr><th>target</th><th class=\"num\">req/s</th><th "
              "class=\"num\">min–max</th>"
              "<th class=\"num\">p50</th><th class=\"num\">p90</th><th class=\"num\">p99</th><th "
              "class=\"num\">p99.9</th>"
              "<th class=\"num\">errors</th><th class=\"num\">CPU µs/req</th><th "
              "class=\"num\">req/CPU-s</th>"
              "<th class=\"num\">peak RSS</th><th>notes</th></tr>\n",
              f);
        for (size_t t = 0; t < m->nt; t++) {
            const model_cell_t *c = &m->cells[t][s];
            if (!c->present) continue;
            bench_row(f, m, &m->targets[t], c);
        }
        fputs("</table>\n", f);
    }
}

/* Inlines one gnuplot SVG: drops the XML prolog and lets the page's text colour replace the
 * charts' neutral grey, so the chart follows light and dark mode. */
void report_html_inline_svg(FILE *f, const char *path, const char *prefix) {
    buf_t b;
    buf_init(&b, HTML_MAX_SVG);
    err_t err;
    if (buf_read_file(&b, path, &err) < 0) {
        fputs("<p class=\"muted\">chart missing: ", f);
        E(err.msg);
        fputs("</p>", f);
        buf_free(&b);
        return;
    }
    const char *p = strstr(buf_cstr(&b), "<svg");
    if (!p) p = buf_cstr(&b);
    /* Every gnuplot SVG defines the same ids (gnuplot_canvas, gpPt0, textbox, ...): inlined
     * side by side they would clash, so each chart's ids and references get a prefix. */
    static const struct {
        const char *from, *to;
    } SUBST[] = {
        /* text in the neutral grey takes the page's colour; gnuplot's groups pin color="black",
         * which would turn that currentColor black on a dark page, so they lose it */
        {"rgb(136,136,136)", "currentColor"},
        {" color=\"black\"", ""},
        {"id='", "id='%s-"},
        {"id=\"", "id=\"%s-"},
        {"href='#", "href='#%s-"},
        {"href=\"#", "href=\"#%s-"},
        {"url(#", "url(#%s-"},
    };
    while (*p) {
        const char *hit = NULL;
        size_t which = 0;
        for (size_t i = 0; i < sizeof SUBST / sizeof *SUBST; i++) {
            const char *q = strstr(p, SUBST[i].from);
            if (q && (!hit || q < hit)) hit = q, which = i;
        }
        if (!hit) {
            fputs(p, f);
            break;
        }
        fwrite(p, 1, (size_t)(hit - p), f);
        fprintf(f, SUBST[which].to, prefix);
        p = hit + strlen(SUBST[which].from);
    }
    buf_free(&b);
}

static void charts(FILE *f, const model_t *m, const report_opts_t *o, char names[][128], size_t n) {
    if (n == 0) return;
    fputs("<h2 id=\"charts\">Charts</h2>\n", f);
    for (size_t i = 0; i < n; i++) {
        char path[4400];
        snprintf(path, sizeof path, "%s/charts/%s", o->out_dir, names[i]);
        char prefix[32];
        snprintf(prefix, sizeof prefix, "chart%zu", i + 1);
        fputs("<figure>", f);
        report_html_inline_svg(f, path, prefix);
        fputs("<figcaption>charts/", f);
        E(names[i]);
        fputs("</figcaption></figure>\n", f);
    }
    (void)m;
}

/* Conformance before and after, per target. */
static void baseline_conformance(FILE *f, const baseline_t *b) {
    if (!b->nconf) return;
    fputs("<table><tr><th>target</th><th class=\"num\">steps passed (before → now)</th><th "
          "class=\"num\">failed</th><th>verdict</th></tr>\n",
          f);
    for (size_t i = 0; i < b->nconf; i++) {
        const baseline_conf_row_t *r = &b->conf[i];
        fputs("<tr><td>", f);
        E(r->target);
        if (r->unchecked) {
            fprintf(f,
                    "</td><td class=\"num\">%d → –</td><td class=\"num\">%d → –</td><td><span "
                    "class=\"badge skip\">not checked in this run</span></td></tr>\n",
                    r->old_pass, r->old_fail);
            continue;
        }
        fprintf(f, "</td><td class=\"num\">%d → %d</td><td class=\"num\">%d → %d</td><td>%s",
                r->old_pass, r->new_pass, r->old_fail, r->new_fail,
                r->lost ? "<span class=\"badge fail\">lost conformance</span> "
                        : "<span class=\"badge pass\">ok</span>");
        E(r->suites);
        fputs("</td></tr>\n", f);
    }
    fputs("</table>\n", f);
}

/* Throughput and p99 before and after, with their tests and the verdict. */
static void baseline_bench(FILE *f, const baseline_t *b) {
    if (!b->nrows) return;
    fputs("<table><tr><th>target</th><th>scenario</th><th class=\"num\">req/s before</th><th "
          "class=\"num\">now</th>"
          "<th class=\"num\">change</th><th>test</th><th class=\"num\">p99 before</th><th "
          "class=\"num\">now</th><th "
          "class=\"num\">change</th><th>test</th><th>verdict</th></tr>\n",
          f);
    for (size_t i = 0; i < b->nrows; i++) {
        const baseline_row_t *r = &b->rows[i];
        char a[32], c[32], p1[32], p2[32];
        report_fmt_rps(a, sizeof a, r->old_rps);
        report_fmt_rps(c, sizeof c, r->new_rps);
        report_fmt_us(p1, sizeof p1, r->old_p99);
        report_fmt_us(p2, sizeof p2, r->new_p99);
        const char *cls = r->verdict == BASELINE_REGRESSION ? "fail"
                          : r->verdict == BASELINE_BETTER   ? "pass"
                          : r->verdict == BASELINE_WORSE    ? "warn"
                                                            : "skip";
        fputs("<tr><td>", f);
        E(r->target);
        fputs("</td><td>", f);
        E(r->scenario);
        char t1[40], t2[40];
        if (isnan(r->rps_p))
            snprintf(t1, sizeof t1, "no test (n=%d/%d)", r->n_old, r->n_new);
        else
            snprintf(t1, sizeof t1, "p=%.3f", r->rps_p);
        if (isnan(r->p99_p))
            snprintf(t2, sizeof t2, "no test (n=%d/%d)", r->n_old, r->n_new);
        else
            snprintf(t2, sizeof t2, "p=%.3f", r->p99_p);
        fprintf(f,
                "</td><td class=\"num\">%s</td><td class=\"num\">%s</td><td "
                "class=\"num\">%+.1f%%</td><td>%s</td>"
                "<td class=\"num\">%s</td><td class=\"num\">%s</td><td "
                "class=\"num\">%+.1f%%</td><td>%s</td><td><span class=\"badge "
                "%s\">%s</span></td></tr>\n",
                a, c, isfinite(r->delta_pct) ? r->delta_pct : 0.0, t1, p1, p2,
                isfinite(r->p99_delta_pct) ? r->p99_delta_pct : 0.0, t2, cls,
                baseline_verdict_name(r->verdict));
    }
    fputs("</table>\n", f);
}

static void baseline(FILE *f, const baseline_t *b) {
    if (!b) return;
    fputs("<h2 id=\"baseline\">Against the baseline</h2>\n", f);
    fputs("<p class=\"lead\">Baseline run <code>", f);
    E(json_str(b->old->bench_doc ? b->old->bench_doc : b->old->conf_doc,
               b->old->bench_doc ? "run_id" : "run"));
    fprintf(f,
            "</code>. A change inside the repetitions' spread or within %.1f%% is noise; a "
            "throughput drop beyond both is a regression. "
            "<b>%d regression(s), %d target(s) lost conformance.</b></p>\n",
            b->max_regression_pct, b->regressions, b->lost_conformance);
    /* numbers from different machines or profiles are not comparable: show both */
    const model_t *runs[2] = {b->old, b->cur};
    fputs("<table><tr><th></th><th>profile</th><th>CPU</th><th>git commit</th></tr>\n", f);
    for (int i = 0; i < 2; i++) {
        const cJSON *env = json_get(runs[i]->bench_doc, "environment");
        fprintf(f, "<tr><td>%s</td><td>", i ? "this run" : "baseline");
        E(json_str(runs[i]->bench_doc, "profile") ? json_str(runs[i]->bench_doc, "profile") : "–");
        fputs("</td><td>", f);
        E(json_str(env, "cpu_model") ? json_str(env, "cpu_model") : "–");
        fprintf(f, " (%d CPUs)</td><td><code>", (int)json_num(env, "cpus_online", 0));
        E(json_str(env, "git_commit") ? json_str(env, "git_commit") : "–");
        fprintf(f, "</code>%s</td></tr>\n",
                cJSON_IsTrue(json_get(env, "git_dirty")) ? " (modified tree)" : "");
    }
    fputs("</table>\n", f);
    baseline_conformance(f, b);
    baseline_bench(f, b);
}

static void environment(FILE *f, const model_t *m, const report_opts_t *o) {
    fputs("<h2 id=\"environment\">Environment and reproduction</h2>\n<table>\n", f);
    const cJSON *env = json_get(m->bench_doc, "environment"), *e;
    cJSON_ArrayForEach(e, env) {
        fputs("<tr><th>", f);
        E(e->string);
        fputs("</th><td>", f);
        if (cJSON_IsString(e))
            E(e->valuestring);
        else {
            char *s = cJSON_PrintUnformatted(e);
            E(s);
            cJSON_free(s);
        }
        fputs("</td></tr>\n", f);
    }
    for (size_t t = 0; t < m->nt; t++) {
        fputs("<tr><th>", f);
        E(m->targets[t].label);
        fputs("</th><td>", f);
        E(m->targets[t].version ? m->targets[t].version : "");
        fputs("</td></tr>\n", f);
    }
    fputs("</table>\n", f);
    if (o->command) {
        fputs("<p>This run:</p><pre>", f);
        E(o->command);
        fputs("</pre>\n", f);
    }
    if (!m->bench_doc) return;
    fputs("<details><summary>every wrk command line of this run</summary><pre>", f);
    const cJSON *t, *s, *l, *r, *c;
    cJSON_ArrayForEach(t, json_get(m->bench_doc, "targets"))
        cJSON_ArrayForEach(s, json_get(t, "scenarios")) {
        fprintf(f, "# %s / %s\n", json_str(t, "name") ? json_str(t, "name") : "?",
                json_str(s, "name") ? json_str(s, "name") : "?");
        cJSON_ArrayForEach(c, json_get(s, "commands")) {
            fprintf(f, "#   %s\n", c->string);
            E(c->valuestring);
            fputc('\n', f);
        }
        cJSON_ArrayForEach(l, json_get(s, "levels")) cJSON_ArrayForEach(r, json_get(l, "runs")) {
            E(json_str(r, "command"));
            fputc('\n', f);
        }
    }
    fputs("</pre></details>\n", f);
}

int report_html(const model_t *m, const baseline_t *b, const report_opts_t *o, char names[][128],
                size_t n, FILE *f) {
    const char *run =
        m->bench_doc ? json_str(m->bench_doc, "run_id") : json_str(m->conf_doc, "run");
    const char *started =
        m->bench_doc ? json_str(m->bench_doc, "started") : json_str(m->conf_doc, "started");
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
          "<meta name=\"color-scheme\" content=\"light dark\"><title>parity report ",
          f);
    E(run ? run : "");
    fputs("</title>\n<style>\n", f);
    inline_css(f, o);
    fputs("</style></head>\n<body><main>\n<h1>parity report</h1>\n<p class=\"lead\">Run <code>", f);
    E(run ? run : "?");
    fputs("</code>, started ", f);
    E(started ? started : "?");
    fprintf(f, ". %zu target(s), %zu suite(s), %zu scenario(s).</p>\n", m->nt, m->nsuites, m->ns);
    fputs("<nav>", f);
    if (b) fputs("<a href=\"#baseline\">baseline</a>", f);
    fputs("<a href=\"#conformance\">conformance</a><a href=\"#benchmarks\">benchmarks</a>", f);
    if (report_openloop_present(m)) fputs("<a href=\"#openloop\">open loop</a>", f);
    if (report_tradeoffs_present(m)) fputs("<a href=\"#tradeoffs\">trade-offs</a>", f);
    if (n) fputs("<a href=\"#charts\">charts</a>", f);
    if (report_wire_present(m)) fputs("<a href=\"#wire\">wire</a>", f);
    if (report_db_present(m)) fputs("<a href=\"#database\">database</a>", f);
    if (report_diff_present(m)) fputs("<a href=\"#differences\">differences</a>", f);
    fputs("<a href=\"#environment\">environment</a></nav>\n", f);
    cards(f, m);
    baseline(f, b);
    conformance(f, m);
    report_wire_html(f, m); /* issue 19: apart from the conformance verdict */
    bench_tables(f, m);
    report_db_html(f, m); /* issue 24: the backend, SQLite vs PostgreSQL */
    report_tradeoffs_html(f, m, o);
    report_openloop_html(f, m);
    report_diff_html(f, m); /* parity diff: diff.json */
    charts(f, m, o, names, n);
    environment(f, m, o);
    fputs("<p class=\"muted\">Generated by parity " PARITY_VERSION ".</p>\n</main></body></html>\n",
          f);
    return ferror(f) ? -1 : 0;
}
