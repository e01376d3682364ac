/* report_charts: the gnuplot charts of a report. For each chart: a data file and a script made
 * from a template of reports/templates/ (placeholders {{...}}), then `gnuplot script`. Charts:
 *   throughput.svg      requests/s per scenario (grouped bars, error bars min-max, log scale)
 *   efficiency.svg      requests per CPU-second of the target (grouped bars, log scale)
 *   cpu.svg, memory.svg CPU seconds and peak RSS of the target per measured run
 *   latency-<s>.svg     latency percentile spectrum of each scenario (one line per target)
 *   connections-<s>.svg throughput against connections, for scenarios measured at several levels
 * gnuplot is driven with files, not pipes, so that a failing chart can be rerun by hand. */
#include "report.h"
#include "report_tradeoffs.h"
#include "openloop_section.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/proc.h"

#define CHART_W           960
#define CHART_H           420
#define TEMPLATE_MAX      (64u << 10)
#define SPECTRUM_MIN_XMAX 1e4 /* 1/(1-p) of 99.99% */

typedef struct chart_ctx {
    const model_t *m;
    const report_opts_t *o;
    char dir[4200];
    char (*names)[128];
    size_t max, n;
    err_t *err;
} chart_ctx_t;

void report_gp_quote(buf_t *b, const char *s) {
    buf_addc(b, '\'');
    for (; *s; s++) {
        if (*s == '\'') buf_addc(b, '\'');
        buf_addc(b, *s);
    }
    buf_addc(b, '\'');
}

/* Fills {{key}} placeholders of the template file with vals (key, value pairs, NULL-ended). */
static int render_template(const char *tpl_path, const char *const *kv, buf_t *out, err_t *err) {
    buf_t tpl;
    buf_init(&tpl, TEMPLATE_MAX);
    if (buf_read_file(&tpl, tpl_path, err) < 0) {
        buf_free(&tpl);
        return -1;
    }
    const char *p = buf_cstr(&tpl);
    while (*p) {
        const char *open = strstr(p, "{{");
        if (!open) {
            buf_adds(out, p);
            break;
        }
        buf_add(out, p, (size_t)(open - p));
        const char *close = strstr(open, "}}");
        if (!close) {
            buf_free(&tpl);
            return err_set(err, "%s: unterminated placeholder", tpl_path);
        }
        bool found = false;
        for (const char *const *k = kv; *k; k += 2)
            if (strlen(*k) == (size_t)(close - open - 2) &&
                !strncmp(open + 2, *k, (size_t)(close - open - 2))) {
                buf_adds(out, k[1]);
                found = true;
            }
        if (!found) {
            buf_free(&tpl);
            return err_set(err, "%s: unknown placeholder %.*s", tpl_path, (int)(close - open + 2),
                           open);
        }
        p = close + 2;
    }
    buf_free(&tpl);
    return 0;
}

static int write_file(const char *path, const buf_t *b, err_t *err) {
    FILE *f = fopen(path, "w");
    if (!f) return err_set(err, "%s: %s", path, strerror(errno));
    fwrite(b->ptr ? b->ptr : "", 1, b->len, f);
    if (fclose(f) != 0) return err_set(err, "%s: %s", path, strerror(errno));
    return 0;
}

/* Renders template tpl into <dir>/<base>.gp and runs gnuplot for svg (and png). */
static int draw(chart_ctx_t *c, const char *tpl, const char *base, const char *title,
                const char *ylabel, const char *scale, const char *plot) {
    const char *formats[2] = {"svg", "png"};
    for (int f = 0; f < (c->o->png ? 2 : 1); f++) {
        char out[4400], script[4400], tplpath[4400], terminal[256];
        snprintf(out, sizeof out, "%s/%s.%s", c->dir, base, formats[f]);
        snprintf(script, sizeof script, "%s/%s.%s.gp", c->dir, base, formats[f]);
        snprintf(tplpath, sizeof tplpath, "%s/%s", c->o->templates, tpl);
        if (f == 0)
            snprintf(terminal, sizeof terminal,
                     "set terminal svg size %d,%d font 'Helvetica,12' background rgb 'white'",
                     CHART_W, CHART_H);
        else
            snprintf(terminal, sizeof terminal,
                     "set terminal pngcairo size %d,%d font 'Helvetica,10' background rgb 'white'",
                     CHART_W, CHART_H);
        /* SVGs get a transparent canvas (see style.gp); PNGs are opaque white. */
        if (f == 0) {
            char *bg = strstr(terminal, " background");
            if (bg) *bg = '\0';
        }
        buf_t body, q_out, q_style, q_title, q_ylabel;
        buf_init(&body, 0);
        buf_init(&q_out, 0);
        buf_init(&q_style, 0);
        buf_init(&q_title, 0);
        buf_init(&q_ylabel, 0);
        char style[4400];
        snprintf(style, sizeof style, "%s/style.gp", c->o->templates);
        report_gp_quote(&q_out, out);
        report_gp_quote(&q_style, style);
        report_gp_quote(&q_title, title);
        report_gp_quote(&q_ylabel, ylabel);
        const char *kv[] = {"terminal", terminal,
                            "output",   buf_cstr(&q_out),
                            "style",    buf_cstr(&q_style),
                            "title",    buf_cstr(&q_title),
                            "ylabel",   buf_cstr(&q_ylabel),
                            "scale",    scale,
                            "plot",     plot,
                            NULL};
        int rc = render_template(tplpath, kv, &body, c->err);
        if (rc == 0) rc = write_file(script, &body, c->err);
        if (rc == 0) {
            char *argv[] = {"gnuplot", script, NULL};
            buf_t log;
            buf_init(&log, 1u << 16);
            int status = -1;
            rc = proc_run(argv, NULL, REPORT_GNUPLOT_TIMEOUT_MS, &log, &status, c->err);
            if (rc == 0 && status != 0)
                rc = err_set(c->err, "gnuplot %s exited %d: %s", script, status, buf_cstr(&log));
            buf_free(&log);
        }
        buf_free(&body);
        buf_free(&q_out);
        buf_free(&q_style);
        buf_free(&q_title);
        buf_free(&q_ylabel);
        if (rc < 0) return -1;
    }
    if (c->n < c->max) snprintf(c->names[c->n++], 128, "%s.svg", base);
    return 0;
}

/* One [microseconds, count] entry of a bench.json histogram; false when malformed. */
static bool hist_entry(const cJSON *e, double *us, double *count) {
    const cJSON *a = cJSON_GetArrayItem(e, 0), *b = cJSON_GetArrayItem(e, 1);
    if (!cJSON_IsNumber(a) || !cJSON_IsNumber(b) || b->valuedouble < 0) return false;
    *us = a->valuedouble;
    *count = b->valuedouble;
    return true;
}

/* A series' legend title: the target's name, plus the level when it is not the chart's. */
static void series_title(buf_t *plot, const model_t *m, size_t t, const model_cell_t *cell) {
    char title[160];
    if (cell && cell->level && cell->connections != m->ref_level)
        snprintf(title, sizeof title, "%s (%d connections)", m->targets[t].label,
                 cell->connections);
    else
        snprintf(title, sizeof title, "%s", m->targets[t].label);
    report_gp_quote(plot, title);
}

typedef double (*cell_value_fn)(const model_cell_t *cell, double *lo, double *hi);

static double v_rps(const model_cell_t *c, double *lo, double *hi) {
    *lo = c->rps_min;
    *hi = c->rps_max;
    return c->rps;
}
static double v_eff(const model_cell_t *c, double *lo, double *hi) {
    *lo = *hi = c->eff;
    return c->eff;
}
static double v_cpu(const model_cell_t *c, double *lo, double *hi) {
    *lo = *hi = c->cpu_s;
    return c->cpu_s;
}
static double v_mem(const model_cell_t *c, double *lo, double *hi) {
    *lo = *hi = c->rss_kb / 1024.0;
    return c->rss_kb < 0 ? -1 : c->rss_kb / 1024.0;
}

/* Grouped bars of one figure per target x scenario. Skipped (0) when no cell has the figure. */
static int bars(chart_ctx_t *c, const char *base, const char *title, const char *ylabel, bool logy,
                cell_value_fn fn) {
    const model_t *m = c->m;
    /* only targets with at least one figure get a series: a target that did not start would
     * otherwise sit in the legend with no bar */
    size_t shown[REPORT_MAX_TARGETS], nshown = 0;
    for (size_t t = 0; t < m->nt; t++) {
        bool has = false;
        for (size_t s = 0; s < m->ns && !has; s++) {
            double lo, hi;
            has =
                m->cells[t][s].present && m->cells[t][s].level && fn(&m->cells[t][s], &lo, &hi) > 0;
        }
        if (has) shown[nshown++] = t;
    }
    if (nshown == 0) return 0;
    buf_t dat;
    buf_init(&dat, 0);
    for (size_t s = 0; s < m->ns; s++) {
        buf_printf(&dat, "\"%s\"", m->scenarios[s]); /* quoted: one column even with a space */
        for (size_t i = 0; i < nshown; i++) {
            const model_cell_t *cell = &m->cells[shown[i]][s];
            double lo = 0, hi = 0, v = cell->present && cell->level ? fn(cell, &lo, &hi) : -1;
            if (v > 0)
                buf_printf(&dat, " %.6g %.6g %.6g", v, lo > 0 ? lo : v, hi > 0 ? hi : v);
            else
                buf_adds(&dat, " NaN NaN NaN");
        }
        buf_addc(&dat, '\n');
    }
    char datpath[4400];
    snprintf(datpath, sizeof datpath, "%s/%s.dat", c->dir, base);
    int rc = write_file(datpath, &dat, c->err);
    if (rc == 0) {
        buf_t plot;
        buf_init(&plot, 0);
        for (size_t i = 0; i < nshown; i++) {
            if (i) buf_adds(&plot, ", \\\n     ");
            if (i == 0)
                report_gp_quote(&plot, datpath);
            else
                buf_adds(&plot, "''");
            buf_printf(&plot, " using %zu:%zu:%zu%s title ", 2 + 3 * i, 3 + 3 * i, 4 + 3 * i,
                       i == 0 ? ":xtic(1)" : "");
            series_title(&plot, m, shown[i], NULL);
            buf_printf(&plot, " lc rgb '%s'", m->targets[shown[i]].color);
        }
        rc = draw(c, "bars.gp", base, title, ylabel,
                  logy ? "set logscale y\nset yrange [1:*]\nset format y '%.0s%c'"
                       : "set yrange [0:*]",
                  buf_cstr(&plot));
        buf_free(&plot);
    }
    buf_free(&dat);
    return rc;
}

/* Percentile spectrum of one scenario from each target's median run histogram. */
static int spectrum(chart_ctx_t *c, size_t s) {
    const model_t *m = c->m;
    buf_t dat, plot;
    buf_init(&dat, 0);
    buf_init(&plot, 0);
    char base[128], datpath[4400], title[256];
    snprintf(base, sizeof base, "latency-%s", m->scenarios[s]);
    snprintf(datpath, sizeof datpath, "%s/%s.dat", c->dir, base);
    int block = 0;
    /* at least up to 99.99% (x = 10^4), so every tick is shown even for short runs */
    double xmax = SPECTRUM_MIN_XMAX;
    for (size_t t = 0; t < m->nt; t++) {
        const model_cell_t *cell = &m->cells[t][s];
        const cJSON *h = cell->median_run
                             ? cJSON_GetObjectItemCaseSensitive(cell->median_run, "histogram")
                             : NULL;
        double total = 0, us, count;
        const cJSON *e;
        cJSON_ArrayForEach(e, h) if (hist_entry(e, &us, &count)) total += count;
        if (total <= 0) continue;
        if (block) buf_adds(&dat, "\n\n");
        double cum = 0;
        cJSON_ArrayForEach(e, h) {
            if (!hist_entry(e, &us, &count)) continue;
            cum += count;
            double p = cum / total;
            double x = p < 1 ? 1.0 / (1.0 - p) : total; /* the maximum sits at 1/(1/total) */
            if (x > xmax) xmax = x;
            buf_printf(&dat, "%.6g %.6g\n", x, us / 1000.0);
        }
        if (block) buf_adds(&plot, ", \\\n     ");
        report_gp_quote(&plot, datpath);
        buf_printf(&plot, " index %d using 1:2 title ", block);
        series_title(&plot, m, t, cell);
        buf_printf(&plot, " with lines lw 2 lc rgb '%s'", m->targets[t].color);
        block++;
    }
    int rc = 0;
    if (block) {
        snprintf(title, sizeof title, "%s: latency by percentile at %d connections",
                 m->scenarios[s], m->ref_level);
        rc = write_file(datpath, &dat, c->err);
        char scale[64];
        snprintf(scale, sizeof scale, "set xrange [1:%.6g]", xmax);
        if (rc == 0)
            rc = draw(c, "spectrum.gp", base, title, "latency (ms)", scale, buf_cstr(&plot));
    }
    buf_free(&dat);
    buf_free(&plot);
    return rc;
}

/* Throughput against connections for one scenario, when some target ran several levels. */
static int connections(chart_ctx_t *c, size_t s) {
    const model_t *m = c->m;
    buf_t dat, plot;
    buf_init(&dat, 0);
    buf_init(&plot, 0);
    char base[128], datpath[4400], title[256];
    snprintf(base, sizeof base, "connections-%s", m->scenarios[s]);
    snprintf(datpath, sizeof datpath, "%s/%s.dat", c->dir, base);
    int block = 0, most = 0;
    for (size_t t = 0; t < m->nt; t++) {
        const model_cell_t *cell = &m->cells[t][s];
        const cJSON *levels =
            cell->scenario ? cJSON_GetObjectItemCaseSensitive(cell->scenario, "levels") : NULL;
        /* the finished (summarised) levels only; a target with none gets no line */
        int n = 0;
        const cJSON *l;
        cJSON_ArrayForEach(l, levels) {
            const cJSON *rps = cJSON_GetObjectItemCaseSensitive(
                cJSON_GetObjectItemCaseSensitive(l, "summary"), "rps");
            const cJSON *med = cJSON_GetObjectItemCaseSensitive(rps, "median");
            const cJSON *conns = cJSON_GetObjectItemCaseSensitive(l, "connections");
            if (!cJSON_IsNumber(med) || !cJSON_IsNumber(conns) || conns->valuedouble <= 0 ||
                med->valuedouble <= 0)
                continue;
            if (n == 0 && block) buf_adds(&dat, "\n\n");
            buf_printf(&dat, "%.0f %.6g\n", conns->valuedouble, med->valuedouble);
            n++;
        }
        if (n == 0) continue;
        if (n > most) most = n;
        if (block) buf_adds(&plot, ", \\\n     ");
        report_gp_quote(&plot, datpath);
        buf_printf(&plot, " index %d using 1:2 title ", block);
        series_title(&plot, m, t, NULL);
        buf_printf(&plot, " with linespoints lw 2 pt 7 lc rgb '%s'", m->targets[t].color);
        block++;
    }
    int rc = 0;
    if (block && most > 1) {
        snprintf(title, sizeof title, "%s: throughput against connections", m->scenarios[s]);
        rc = write_file(datpath, &dat, c->err);
        if (rc == 0)
            rc = draw(c, "lines.gp", base, title, "requests/s", "set logscale y", buf_cstr(&plot));
    }
    buf_free(&dat);
    buf_free(&plot);
    return rc;
}

int report_chart_draw(const report_opts_t *o, const char *tpl, const char *base, const char *title,
                      const char *ylabel, const char *scale, const char *plot, char names[][128],
                      size_t max, size_t *n, err_t *err) {
    chart_ctx_t c = {.o = o, .names = names, .max = max, .n = *n, .err = err};
    snprintf(c.dir, sizeof c.dir, "%s/charts", o->out_dir);
    int rc = draw(&c, tpl, base, title, ylabel, scale, plot);
    *n = c.n;
    return rc;
}

/* Every chart is attempted; a failing one is reported (the first error in err) and skipped, so
 * one bad series does not take the others down. */
int report_charts(const model_t *m, const report_opts_t *o, char names[][128], size_t max,
                  err_t *err) {
    chart_ctx_t c = {.m = m, .o = o, .names = names, .max = max, .err = err};
    err->msg[0] = '\0';
    snprintf(c.dir, sizeof c.dir, "%s/charts", o->out_dir);
    if (mkdir(c.dir, 0755) < 0 && errno != EEXIST)
        return err_set(err, "%s: %s", c.dir, strerror(errno));
    if (!m->bench_doc || m->ns == 0 || m->nt == 0) return 0;
    err_t first = {{0}};
    char title[256];
#define TRY(call)                                                                                  \
    do {                                                                                           \
        if ((call) < 0 && !first.msg[0]) first = *err;                                             \
    } while (0)
    snprintf(title, sizeof title,
             "Throughput at %d connections (median, min-max over repetitions; log scale)",
             m->ref_level);
    TRY(bars(&c, "throughput", title, "requests/s", true, v_rps));
    snprintf(title, sizeof title,
             "Efficiency at %d connections: requests per CPU-second of the target (log scale)",
             m->ref_level);
    TRY(bars(&c, "efficiency", title, "requests per CPU-second", true, v_eff));
    snprintf(title, sizeof title,
             "CPU time of the target's processes per measured run (%d connections)", m->ref_level);
    TRY(bars(&c, "cpu", title, "CPU seconds", false, v_cpu));
    snprintf(title, sizeof title, "Peak resident memory of the target's processes (%d connections)",
             m->ref_level);
    TRY(bars(&c, "memory", title, "peak RSS (MiB)", false, v_mem));
    for (size_t s = 0; s < m->ns; s++) {
        TRY(spectrum(&c, s));
        TRY(connections(&c, s));
    }
    TRY(report_tradeoffs_chart(m, o, err));
    TRY(report_openloop_charts(m, o, names, max, &c.n, err));
#undef TRY
    *err = first;
    return first.msg[0] ? -1 - (int)c.n : (int)c.n;
}
