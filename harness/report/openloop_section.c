/* openloop_section: open-loop charts and tables of the report (see openloop_section.h). */
#include "openloop_section.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"

#define OLS_PATH_MAX 4400
#define OLS_MIN_XMAX 1e4 /* spectra reach 99.99% at least */

/* The "open" object of target t, scenario s, or NULL. */
static const cJSON *open_of(const model_t *m, size_t t, size_t s) {
    const model_cell_t *c = &m->cells[t][s];
    const cJSON *o = c->present ? json_get(c->scenario, "open") : NULL;
    return cJSON_IsObject(o) ? o : NULL;
}

static bool scenario_has_open(const model_t *m, size_t s) {
    for (size_t t = 0; t < m->nt; t++)
        if (cJSON_GetArraySize(json_get(open_of(m, t, s), "rates")) > 0) return true;
    return false;
}

static double slo_of(const model_t *m, size_t s) {
    for (size_t t = 0; t < m->nt; t++)
        if (open_of(m, t, s)) return json_num(open_of(m, t, s), "slo_ms", 100);
    return 100;
}

/* The rate whose spectra are charted: the highest sustained one, else the first. */
static const cJSON *spectrum_rate(const cJSON *open) {
    const cJSON *r, *pick = cJSON_GetArrayItem(json_get(open, "rates"), 0);
    double best = -1;
    cJSON_ArrayForEach(r, json_get(open, "rates")) {
        double v = json_num(r, "target_rps", -1);
        if (cJSON_IsTrue(json_get(r, "sustained")) && v > best) {
            best = v;
            pick = r;
        }
    }
    return pick;
}

static int write_dat(const char *path, const buf_t *b, err_t *err) {
    FILE *f = fopen(path, "w");
    if (!f) return err_set(err, "%s: %s", path, strerror(errno));
    fwrite(b->ptr ? b->ptr : "", 1, b->len, f);
    if (fclose(f) != 0) return err_set(err, "%s: %s", path, strerror(errno));
    return 0;
}

/* p50 and p99 against the offered rate, one colour per target, the SLO line. */
static int load_chart(const model_t *m, const report_opts_t *o, size_t s, char names[][128],
                      size_t max, size_t *n, err_t *err) {
    char base[160], dat[OLS_PATH_MAX], title[256], scale[160];
    snprintf(base, sizeof base, "openloop-%s", m->scenarios[s]);
    snprintf(dat, sizeof dat, "%s/charts/%s.dat", o->out_dir, base);
    buf_t d, plot;
    buf_init(&d, 0);
    buf_init(&plot, 0);
    int block = 0;
    double xmin = 0, xmax = 0, slo = slo_of(m, s);
    for (size_t t = 0; t < m->nt; t++) {
        const cJSON *r, *rates = json_get(open_of(m, t, s), "rates");
        if (cJSON_GetArraySize(rates) == 0) continue;
        if (block) buf_adds(&d, "\n\n");
        cJSON_ArrayForEach(r, rates) {
            double x = json_num(r, "target_rps", 0);
            const cJSON *c = json_get(r, "corrected_us");
            if (x <= 0) continue;
            if (xmin == 0 || x < xmin) xmin = x;
            if (x > xmax) xmax = x;
            buf_printf(&d, "%.6g %.6g %.6g %d\n", x, json_num(c, "p50", 0) / 1000.0,
                       json_num(c, "p99", 0) / 1000.0, cJSON_IsTrue(json_get(r, "ok")) ? 1 : 0);
        }
        const char *col = m->targets[t].color, *name = m->targets[t].name;
        char label[160];
        buf_adds(&plot, block ? ", \\\n     " : "");
        report_gp_quote(&plot, dat);
        snprintf(label, sizeof label, "%s p99", name);
        buf_printf(&plot, " index %d using 1:3 with linespoints lw 2 pt 7 lc rgb '%s' title ",
                   block, col);
        report_gp_quote(&plot, label);
        snprintf(label, sizeof label, "%s p50", name);
        buf_printf(&plot,
                   ", \\\n     '' index %d using 1:2 with linespoints lw 1 dt 2 pt 7 ps 0.5 "
                   "lc rgb '%s' title ",
                   block, col);
        report_gp_quote(&plot, label);
        buf_printf(&plot,
                   ", \\\n     '' index %d using 1:($4 > 0 ? 1/0 : $3) with points pt 6 "
                   "ps 2 lc rgb '%s' notitle",
                   block, col);
        block++;
    }
    int rc = 0;
    if (block) {
        buf_printf(&plot, ", \\\n     %.6g with lines dt 3 lw 1 lc rgb '#888888' title 'SLO %g ms'",
                   slo, slo);
        snprintf(title, sizeof title,
                 "%s: latency against offered load (open loop, from the due time; ring: not ok)",
                 m->scenarios[s]);
        snprintf(scale, sizeof scale, "set xrange [%.6g:%.6g]", xmin * 0.8, xmax * 1.25);
        rc = write_dat(dat, &d, err);
        if (rc == 0)
            rc = report_chart_draw(o, "openloop.gp", base, title, "latency (ms)", scale,
                                   buf_cstr(&plot), names, max, n, err);
    }
    buf_free(&d);
    buf_free(&plot);
    return rc;
}

/* One spectrum block (x = 1/(1-p), y = ms) from a [[us, count]...] histogram; its largest x. */
static double spectrum_block(buf_t *d, const cJSON *h, double *ylo, double *yhi) {
    double total = 0, cum = 0, xmax = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, h) {
        const cJSON *cnt = cJSON_GetArrayItem(e, 1);
        if (cJSON_IsNumber(cnt)) total += cnt->valuedouble;
    }
    cJSON_ArrayForEach(e, h) {
        const cJSON *us = cJSON_GetArrayItem(e, 0), *cnt = cJSON_GetArrayItem(e, 1);
        if (!cJSON_IsNumber(us) || !cJSON_IsNumber(cnt) || total <= 0) continue;
        cum += cnt->valuedouble;
        double p = cum / total, x = p < 1 ? 1.0 / (1.0 - p) : total;
        double y = us->valuedouble / 1000.0;
        if (x > xmax) xmax = x;
        if (y > 0 && (*ylo == 0 || y < *ylo)) *ylo = y;
        if (y > *yhi) *yhi = y;
        buf_printf(d, "%.6g %.6g\n", x, y);
    }
    return xmax;
}

static int spectrum_chart(const model_t *m, const report_opts_t *o, size_t s, char names[][128],
                          size_t max, size_t *n, err_t *err) {
    char base[160], dat[OLS_PATH_MAX], title[256], scale[200];
    snprintf(base, sizeof base, "openloop-spectrum-%s", m->scenarios[s]);
    snprintf(dat, sizeof dat, "%s/charts/%s.dat", o->out_dir, base);
    buf_t d, left, right;
    buf_init(&d, 0);
    buf_init(&left, 0);
    buf_init(&right, 0);
    int block = 0;
    double xmax = OLS_MIN_XMAX, ylo = 0, yhi = 0;
    for (size_t t = 0; t < m->nt; t++) {
        const cJSON *r = spectrum_rate(open_of(m, t, s));
        const cJSON *hc = json_get(r, "histogram_corrected"),
                    *hu = json_get(r, "histogram_uncorrected");
        if (cJSON_GetArraySize(hc) == 0 || cJSON_GetArraySize(hu) == 0) continue;
        char label[160], rps[32];
        report_fmt_rps(rps, sizeof rps, json_num(r, "target_rps", 0));
        snprintf(label, sizeof label, "%s at %s/s", m->targets[t].name, rps);
        for (int side = 0; side < 2; side++) {
            buf_t *p = side ? &right : &left;
            if (block) buf_adds(&d, "\n\n");
            double x = spectrum_block(&d, side ? hu : hc, &ylo, &yhi);
            if (x > xmax) xmax = x;
            buf_adds(p, p->len ? ", \\\n     " : "");
            report_gp_quote(p, dat);
            buf_printf(p, " index %d using 1:2 with lines lw 2 lc rgb '%s' title ", block,
                       m->targets[t].color);
            report_gp_quote(p, label);
            block++;
        }
    }
    int rc = 0;
    if (block) {
        /* the second panel follows the first through the {{plot}} placeholder */
        buf_adds(&left,
                 "\nset title 'uncorrected: from the actual send (what wrk reports)'\nplot ");
        buf_adds(&left, buf_cstr(&right));
        snprintf(title, sizeof title, "%s: the same runs, latency by percentile", m->scenarios[s]);
        /* one y range for both panels, so that the gap between them reads at a glance */
        snprintf(scale, sizeof scale, "set xrange [1:%.6g]\nset yrange [%.6g:%.6g]", xmax,
                 ylo > 0 ? ylo * 0.8 : 0.001, yhi > 0 ? yhi * 1.25 : 1);
        rc = write_dat(dat, &d, err);
        if (rc == 0)
            rc = report_chart_draw(o, "openloop_spectrum.gp", base, title, "latency (ms)", scale,
                                   buf_cstr(&left), names, max, n, err);
    }
    buf_free(&d);
    buf_free(&left);
    buf_free(&right);
    return rc;
}

int report_openloop_charts(const model_t *m, const report_opts_t *o, char names[][128], size_t max,
                           size_t *n, err_t *err) {
    int rc = 0;
    err_t e;
    for (size_t s = 0; s < m->ns; s++) {
        if (!scenario_has_open(m, s)) continue;
        if (load_chart(m, o, s, names, max, n, &e) < 0 && rc == 0) {
            *err = e;
            rc = -1;
        }
        if (spectrum_chart(m, o, s, names, max, n, &e) < 0 && rc == 0) {
            *err = e;
            rc = -1;
        }
    }
    return rc;
}

/* ---- tables ------------------------------------------------------------------------------ */

bool report_openloop_present(const model_t *m) {
    for (size_t s = 0; s < m->ns; s++)
        if (scenario_has_open(m, s)) return true;
    return false;
}

/* The cell text of the sustained table: "6.1k" or "none" (below the lowest rate swept). */
static void sustained_cell(const cJSON *open, char *out, size_t n) {
    const cJSON *best = json_get(open, "max_sustained_rps");
    if (cJSON_IsNumber(best)) {
        report_fmt_rps(out, n, best->valuedouble);
        return;
    }
    char lo[32];
    double low = 0;
    const cJSON *r;
    cJSON_ArrayForEach(r, json_get(open, "rates")) {
        double v = json_num(r, "target_rps", 0);
        if (low == 0 || v < low) low = v;
    }
    report_fmt_rps(lo, sizeof lo, low);
    snprintf(out, n, "< %s", lo);
}

/* corrected p99 of the rate equal to max_sustained_rps, in µs, or -1. */
static double p99_at_best(const cJSON *open) {
    const cJSON *best = json_get(open, "max_sustained_rps"), *r;
    if (!cJSON_IsNumber(best)) return -1;
    cJSON_ArrayForEach(r, json_get(open, "rates")) {
        if (fabs(json_num(r, "target_rps", -1) - best->valuedouble) < 1e-6)
            return json_num(json_get(r, "corrected_us"), "p99", -1);
    }
    return -1;
}

static void html_details(FILE *f, const model_t *m, size_t s) {
    fputs("<details><summary>", f);
    report_html_escape(f, m->scenarios[s]);
    fputs(": every rate</summary>\n<table>\n<tr><th>target</th><th>offered</th>"
          "<th>achieved</th><th>p50</th><th>p99</th><th>p99.9</th><th>p99 uncorrected</th>"
          "<th>timeouts</th><th>dropped</th><th>max backlog</th><th>verdict</th></tr>\n",
          f);
    for (size_t t = 0; t < m->nt; t++) {
        const cJSON *r;
        cJSON_ArrayForEach(r, json_get(open_of(m, t, s), "rates")) {
            char off[32], ach[32], p50[32], p99[32], p999[32], u99[32];
            const cJSON *c = json_get(r, "corrected_us"), *u = json_get(r, "uncorrected_us");
            report_fmt_rps(off, sizeof off, json_num(r, "target_rps", 0));
            report_fmt_rps(ach, sizeof ach, json_num(r, "achieved_rps", 0));
            report_fmt_us(p50, sizeof p50, json_num(c, "p50", 0));
            report_fmt_us(p99, sizeof p99, json_num(c, "p99", 0));
            report_fmt_us(p999, sizeof p999, json_num(c, "p99_9", 0));
            report_fmt_us(u99, sizeof u99, json_num(u, "p99", 0));
            const char *verdict = cJSON_IsTrue(json_get(r, "ok"))           ? "ok"
                                  : !cJSON_IsTrue(json_get(r, "sustained")) ? "not sustained"
                                                                            : "over SLO or errors";
            fputs("<tr><td>", f);
            report_html_escape(f, m->targets[t].name);
            fprintf(f,
                    "</td><td class=\"num\">%s</td><td class=\"num\">%s</td><td class=\"num\">%s"
                    "</td><td class=\"num\">%s</td><td class=\"num\">%s</td><td class=\"num\">%s"
                    "</td><td class=\"num\">%.0f</td><td class=\"num\">%.0f</td>"
                    "<td class=\"num\">%.0f</td><td>%s</td></tr>\n",
                    off, ach, p50, p99, p999, u99, json_num(r, "timeouts", 0),
                    json_num(r, "dropped", 0), json_num(r, "max_backlog", 0), verdict);
        }
    }
    fputs("</table></details>\n", f);
}

void report_openloop_html(FILE *f, const model_t *m) {
    if (!report_openloop_present(m)) return;
    const cJSON *any = NULL;
    for (size_t s = 0; s < m->ns && !any; s++)
        for (size_t t = 0; t < m->nt && !any; t++) any = open_of(m, t, s);
    const char *arr =
        cJSON_IsString(json_get(any, "arrivals")) ? json_get(any, "arrivals")->valuestring : "?";
    const char *pol =
        cJSON_IsString(json_get(any, "policy")) ? json_get(any, "policy")->valuestring : "?";
    fprintf(f,
            "<h2 id=\"openloop\">Open loop: the rate each target sustains</h2>\n"
            "<p class=\"lead\">Requests at a fixed arrival rate (%s arrivals, %.0f connections, "
            "policy %s when all are busy), whatever the target does; latency from when each "
            "request was due, so queueing counts (corrected). A rate is ok when at least 95%% of "
            "it was achieved, p99 is at most the SLO (%g ms) and at most 1%% of the requests "
            "failed. The table gives the highest ok rate: what a user can plan with. Closed-loop "
            "throughput above is the capacity; this is the load the target carries within the "
            "latency objective.</p>\n<table>\n<tr><th>scenario</th>",
            arr, json_num(any, "connections", 0), pol, json_num(any, "slo_ms", 100));
    for (size_t t = 0; t < m->nt; t++) {
        fputs("<th>", f);
        report_html_escape(f, m->targets[t].name);
        fputs("</th>", f);
    }
    fputs("</tr>\n", f);
    for (size_t s = 0; s < m->ns; s++) {
        if (!scenario_has_open(m, s)) continue;
        fputs("<tr><td>", f);
        report_html_escape(f, m->scenarios[s]);
        fputs("</td>", f);
        for (size_t t = 0; t < m->nt; t++) {
            const cJSON *o = open_of(m, t, s);
            if (!o || cJSON_GetArraySize(json_get(o, "rates")) == 0) {
                fputs("<td class=\"num muted\">–</td>", f);
                continue;
            }
            char cell[48], p99[32], cl[32];
            sustained_cell(o, cell, sizeof cell);
            report_fmt_us(p99, sizeof p99, p99_at_best(o));
            report_fmt_rps(cl, sizeof cl, json_num(o, "closed_loop_max_rps", 0));
            fputs("<td class=\"num\"><b>", f);
            report_html_escape(f, cell); /* "< 100" */
            fputs("</b> req/s<div class=\"muted\">", f);
            if (p99_at_best(o) >= 0) fprintf(f, "p99 %s", p99);
            if (json_num(o, "closed_loop_max_rps", 0) > 0) fprintf(f, " · closed-loop max %s", cl);
            fputs("</div></td>", f);
        }
        fputs("</tr>\n", f);
    }
    fputs("</table>\n", f);
    for (size_t s = 0; s < m->ns; s++)
        if (scenario_has_open(m, s)) html_details(f, m, s);
}

void report_openloop_md(FILE *f, const model_t *m) {
    if (!report_openloop_present(m)) return;
    double slo = 100;
    for (size_t s = 0; s < m->ns; s++)
        if (scenario_has_open(m, s)) slo = slo_of(m, s);
    fprintf(f,
            "### Open loop: highest rate sustained with p99 ≤ %g ms (requests/s)\n\n| scenario |",
            slo);
    for (size_t t = 0; t < m->nt; t++) fprintf(f, " %s |", m->targets[t].name);
    fputs("\n|---|", f);
    for (size_t t = 0; t < m->nt; t++) fputs("---:|", f);
    fputc('\n', f);
    for (size_t s = 0; s < m->ns; s++) {
        if (!scenario_has_open(m, s)) continue;
        fprintf(f, "| %s |", m->scenarios[s]);
        for (size_t t = 0; t < m->nt; t++) {
            const cJSON *o = open_of(m, t, s);
            char cell[48], p99[32];
            if (!o || cJSON_GetArraySize(json_get(o, "rates")) == 0) {
                fputs(" – |", f);
                continue;
            }
            sustained_cell(o, cell, sizeof cell);
            if (p99_at_best(o) >= 0) {
                report_fmt_us(p99, sizeof p99, p99_at_best(o));
                fprintf(f, " %s (p99 %s) |", cell, p99);
            } else {
                fprintf(f, " %s |", cell);
            }
        }
        fputc('\n', f);
    }
    fputs("\n<sub>open loop: latency from when each request was due; ok = ≥ 95% of the rate "
          "achieved, p99 within the SLO, ≤ 1% failures</sub>\n\n",
          f);
}
