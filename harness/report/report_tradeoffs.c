/* report_tradeoffs: the trade-offs section and its chart (see report_tradeoffs.h). */
#include "report_tradeoffs.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/json.h"

#define TR_MAX_COMMON 64 /* scenarios in the common set */

typedef struct tr_row {
    const char *name, *color;
    double app, files, config, tests, ruling, share;
    double deps, deps_kib;
    double start, start_min, start_max, idle_kib;
    double conn_bytes, conn_open, conn_req;
    double speed, peak_kib;
    const char *verdict;
    double steps_pass, steps_total, wire_pass, wire_total; /* < 0: n/a */
} tr_row_t;

static double num(const cJSON *o, const char *k) {
    return json_num(o, k, -1);
}

static const cJSON *block_targets(const model_t *m) {
    return json_get(json_get(m->bench_doc, "tradeoffs"), "targets");
}

bool report_tradeoffs_present(const model_t *m) {
    return cJSON_GetArraySize(block_targets(m)) > 0;
}

/* Scenarios with a positive efficiency in every target that has efficiency figures. */
static size_t common_scenarios(const model_t *m, const char **out) {
    size_t n = 0;
    const cJSON *t, *s;
    bool first = true;
    cJSON_ArrayForEach(t, block_targets(m)) {
        const cJSON *sc = json_get(json_get(t, "efficiency"), "scenarios");
        if (!cJSON_IsObject(sc) || !sc->child) continue; /* no figures: no say in the set */
        if (first) {
            cJSON_ArrayForEach(s, sc) if (n < TR_MAX_COMMON && num(s, "ok_per_cpu_s") > 0)
                out[n++] = s->string;
            first = false;
            continue;
        }
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
            if (num(json_get(sc, out[i]), "ok_per_cpu_s") > 0) out[k++] = out[i];
        n = k;
    }
    return n;
}

static double geomean(const cJSON *eff, const char **names, size_t n) {
    if (n == 0) return -1;
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        double v = num(json_get(json_get(eff, "scenarios"), names[i]), "ok_per_cpu_s");
        if (v <= 0) return -1;
        sum += log(v);
    }
    return exp(sum / (double)n);
}

static void correctness(const model_t *m, const cJSON *t, tr_row_t *r) {
    const cJSON *c = json_get(t, "correctness");
    int i = model_target_index(m, r->name);
    const model_target_t *rt = i >= 0 ? &m->targets[i] : NULL;
    r->steps_pass = r->steps_total = r->wire_pass = r->wire_total = -1;
    r->verdict = NULL;
    if (cJSON_IsObject(c)) {
        r->verdict = cJSON_GetStringValue(json_get(c, "verdict"));
        const cJSON *st = json_get(c, "steps");
        r->steps_pass = num(st, "pass");
        r->steps_total = num(st, "pass") + num(st, "fail") + num(st, "error");
    } else if (rt && rt->conf) { /* bench alone wrote no correctness: the report's own */
        r->verdict = cJSON_GetStringValue(json_get(rt->conf, "status"));
        r->steps_pass = rt->steps_pass;
        r->steps_total = rt->steps_pass + rt->steps_fail + rt->steps_error;
    }
    const cJSON *w = json_get(c, "wire");
    if (cJSON_IsObject(w)) {
        r->wire_pass = num(w, "pass");
        r->wire_total = num(w, "pass") + num(w, "fail");
    }
}

static size_t rows(const model_t *m, tr_row_t *out, size_t max, size_t *ncommon) {
    const char *common[TR_MAX_COMMON];
    size_t nc = common_scenarios(m, common), n = 0;
    if (ncommon) *ncommon = nc;
    const cJSON *t;
    cJSON_ArrayForEach(t, block_targets(m)) {
        if (n >= max) break;
        tr_row_t *r = &out[n];
        memset(r, 0, sizeof *r);
        r->name = cJSON_GetStringValue(json_get(t, "name"));
        if (!r->name) continue;
        int i = model_target_index(m, r->name);
        r->color = i >= 0 ? m->targets[i].color : model_color(r->name, n);
        const cJSON *code = json_get(t, "code"), *kinds = json_get(code, "by_kind");
        r->app = num(code, "app_code");
        r->files = num(code, "files");
        r->config = num(json_get(kinds, "config"), "code");
        r->tests = num(json_get(kinds, "tests"), "code");
        r->ruling = num(json_get(code, "ruling"), "lines");
        r->share = num(json_get(code, "ruling"), "share");
        r->deps = num(json_get(t, "dependencies"), "packages");
        r->deps_kib = num(json_get(t, "dependencies"), "size_kib");
        const cJSON *st = json_get(t, "startup"), *cn = json_get(t, "connections");
        r->start = num(st, "median_ms");
        r->start_min = num(st, "min_ms");
        r->start_max = num(st, "max_ms");
        r->idle_kib = num(st, "idle_rss_kib");
        r->conn_bytes = cJSON_IsNumber(json_get(cn, "per_connection_bytes"))
                            ? num(cn, "per_connection_bytes")
                            : NAN;
        r->conn_open = num(cn, "open");
        r->conn_req = num(cn, "requested");
        r->speed = geomean(json_get(t, "efficiency"), common, nc);
        r->peak_kib = num(json_get(t, "efficiency"), "peak_rss_kib");
        correctness(m, t, r);
        n++;
    }
    return n;
}

/* ---- formatting (shared by HTML and Markdown) --------------------------------------------------
 */

static const char *NA = "n/a";

static void fmt_mib(char *o, size_t n, double kib) {
    if (kib < 0)
        snprintf(o, n, "%s", NA);
    else
        snprintf(o, n, kib >= 100 * 1024 ? "%.0f MiB" : "%.1f MiB", kib / 1024);
}

static void fmt_cells(const tr_row_t *r, char c[][96]) {
    if (r->app >= 0)
        snprintf(c[0], 96, "%.0f in %.0f files", r->app, r->files);
    else
        snprintf(c[0], 96, "%s", NA);
    snprintf(c[1], 96, "%.0f / %.0f", r->config > 0 ? r->config : 0, r->tests > 0 ? r->tests : 0);
    if (r->ruling >= 0)
        snprintf(c[2], 96, "%.0f (%.1f%%)", r->ruling, r->share * 100);
    else
        snprintf(c[2], 96, "%s", NA);
    char size[32];
    fmt_mib(size, sizeof size, r->deps_kib);
    if (r->deps >= 0)
        snprintf(c[3], 96, "%.0f (%s)", r->deps, size);
    else
        snprintf(c[3], 96, "%s", NA);
    if (r->start >= 0)
        snprintf(c[4], 96, "%.0f ms (%.0f–%.0f)", r->start, r->start_min, r->start_max);
    else
        snprintf(c[4], 96, "%s", NA);
    fmt_mib(c[5], 96, r->idle_kib);
    if (!isnan(r->conn_bytes))
        snprintf(c[6], 96, "%.1f KiB (%.0f/%.0f open)", r->conn_bytes / 1024, r->conn_open,
                 r->conn_req);
    else
        snprintf(c[6], 96, "%s", NA);
    if (r->speed > 0)
        report_fmt_rps(c[7], 96, r->speed);
    else
        snprintf(c[7], 96, "%s", NA);
    fmt_mib(c[8], 96, r->peak_kib);
    if (r->verdict && r->steps_total >= 0)
        snprintf(c[9], 96, "%s (%.0f/%.0f steps)", r->verdict, r->steps_pass, r->steps_total);
    else
        snprintf(c[9], 96, "%s", r->verdict ? r->verdict : NA);
    if (r->wire_total >= 0)
        snprintf(c[10], 96, "%.0f/%.0f", r->wire_pass, r->wire_total);
    else
        snprintf(c[10], 96, "%s", NA);
}

#define TR_NCOLS 11
static const char *const HEADS[TR_NCOLS] = {
    "code (lines)", "config / tests", "ruling-marked",       "dependencies",
    "start-up",     "idle RSS",       "per idle connection", "req per CPU-s",
    "peak RSS",     "conformance",    "wire probes"};

static const char READ_HTML[] =
    "How to read this: every figure was measured in this run, on the machine described under "
    "Environment. <b>Code</b> is lines of application code (logic and templates; cloc, without "
    "comments, blanks, the framework or its dependencies); configuration and tests are shown "
    "apart. <b>Ruling-marked</b> lines carry a <code>parity-ruling:</code> comment: they count "
    "only what the authors marked, so 0 means unmarked, not absent. <b>Dependencies</b> are the "
    "Debian package closure of what the target runs (its interpreter or linked libraries "
    "included) plus npm packages, with their installed size. <b>Start-up</b> is exec to the "
    "first 200 on the ready path, median (min–max) of fresh starts; <b>idle RSS</b> is read "
    "just after; <b>per idle connection</b> is the RSS with many idle keep-alive connections "
    "open, minus idle RSS, divided by the connections still open. <b>Req per CPU-s</b> is the "
    "geometric mean, over the scenarios every measured target here ran, of successful requests per "
    "CPU-second of the target's processes; <b>peak RSS</b> is the highest of any load run. The "
    "chart places each target by code size against that efficiency, both on log scales. These "
    "are costs to weigh, not a ranking: which one matters depends on what is being built.";

void report_tradeoffs_html(FILE *f, const model_t *m, const report_opts_t *o) {
    tr_row_t r[REPORT_MAX_TARGETS];
    size_t nc, n = rows(m, r, REPORT_MAX_TARGETS, &nc);
    if (n == 0) return;
    fputs("<h2 id=\"tradeoffs\">Trade-offs: what each target costs</h2>\n<p class=\"lead\">", f);
    fputs(READ_HTML, f);
    fprintf(f, " (%zu scenario(s) in the common set.)</p>\n<table><tr><th>target</th>", nc);
    for (size_t i = 0; i < TR_NCOLS; i++) fprintf(f, "<th class=\"num\">%s</th>", HEADS[i]);
    fputs("</tr>\n", f);
    for (size_t t = 0; t < n; t++) {
        char c[TR_NCOLS][96];
        fmt_cells(&r[t], c);
        fprintf(f, "<tr><td><span class=\"swatch\" style=\"background:%s\"></span>", r[t].color);
        report_html_escape(f, r[t].name);
        fputs("</td>", f);
        for (size_t i = 0; i < TR_NCOLS; i++) {
            fputs("<td class=\"num\">", f);
            report_html_escape(f, c[i]);
            fputs("</td>", f);
        }
        fputs("</tr>\n", f);
    }
    fputs("</table>\n", f);
    char path[4400];
    snprintf(path, sizeof path, "%s/charts/" TRADEOFFS_CHART ".svg", o->out_dir);
    if (access(path, R_OK) == 0) {
        fputs("<figure>", f);
        report_html_inline_svg(f, path, "tradeoffs");
        fputs("<figcaption>charts/" TRADEOFFS_CHART ".svg: lines of application code against "
              "successful requests per CPU-second (geometric mean over the common scenarios), "
              "log-log</figcaption></figure>\n",
              f);
    }
}

void report_tradeoffs_md(FILE *f, const model_t *m) {
    tr_row_t r[REPORT_MAX_TARGETS];
    size_t nc, n = rows(m, r, REPORT_MAX_TARGETS, &nc);
    if (n == 0) return;
    fputs("\n### Trade-offs\n\n| target |", f);
    for (size_t i = 0; i < TR_NCOLS; i++) fprintf(f, " %s |", HEADS[i]);
    fputs("\n|---|", f);
    for (size_t i = 0; i < TR_NCOLS; i++) fputs("---:|", f);
    fputc('\n', f);
    for (size_t t = 0; t < n; t++) {
        char c[TR_NCOLS][96];
        fmt_cells(&r[t], c);
        fprintf(f, "| %s |", r[t].name);
        for (size_t i = 0; i < TR_NCOLS; i++) fprintf(f, " %s |", c[i]);
        fputc('\n', f);
    }
    fprintf(f,
            "\nCode: application lines (logic + templates, cloc); ruling-marked: lines with a "
            "`parity-ruling:` comment (a lower bound); dependencies: Debian closure + npm, "
            "installed size; start-up: median (min–max) of cold starts; req per CPU-s: "
            "geometric mean over the %zu scenario(s) every measured target ran. Chart: "
            "`charts/" TRADEOFFS_CHART ".svg` (code against req per CPU-s, log-log). Costs "
            "to weigh, not a ranking.\n",
            nc);
}

/* ---- the chart ----------------------------------------------------------------------------------
 */

int report_tradeoffs_chart(const model_t *m, const report_opts_t *o, err_t *err) {
    tr_row_t r[REPORT_MAX_TARGETS];
    size_t nc, n = rows(m, r, REPORT_MAX_TARGETS, &nc);
    char dat[4400];
    snprintf(dat, sizeof dat, "%s/charts/" TRADEOFFS_CHART ".dat", o->out_dir);
    buf_t d, plot;
    buf_init(&d, 1u << 20);
    buf_init(&plot, 1u << 20);
    int block = 0;
    for (size_t t = 0; t < n; t++) {
        if (r[t].app <= 0 || r[t].speed <= 0) continue;
        buf_printf(&d, "%s%.0f %.6g \"%s\"\n", block ? "\n\n" : "", r[t].app, r[t].speed,
                   r[t].name);
        for (int k = 0; k < 2; k++) {
            if (block || k) buf_adds(&plot, ", \\\n     ");
            report_gp_quote(&plot, dat);
            if (k == 0)
                buf_printf(&plot, " index %d using 1:2 with points pt 7 ps 1.6 lc rgb '%s' notitle",
                           block, r[t].color);
            else
                buf_printf(&plot,
                           " index %d using 1:2:3 with labels offset char 1.2,0.9 left "
                           "tc rgb '%s' notitle",
                           block, r[t].color);
        }
        block++;
    }
    int rc = 0;
    if (block > 0) {
        FILE *f = fopen(dat, "w");
        if (!f || fwrite(d.ptr, 1, d.len, f) != d.len) rc = err_set(err, "%s: cannot write", dat);
        if (f && fclose(f) != 0 && rc == 0) rc = err_set(err, "%s: cannot write", dat);
        char title[256], names[1][128];
        snprintf(title, sizeof title,
                 "Effort against speed: lines of application code vs successful requests per "
                 "CPU-second (geometric mean over %zu scenario(s); log-log)",
                 nc);
        size_t drawn = 0;
        if (rc == 0)
            rc = report_chart_draw(o, "tradeoffs.gp", TRADEOFFS_CHART, title,
                                   "successful requests per CPU-second", "set logscale xy 10",
                                   buf_cstr(&plot), names, 1, &drawn, err);
    }
    buf_free(&d);
    buf_free(&plot);
    return rc;
}
