/* report_model: conformance.json + bench.json -> a target x scenario grid (see report.h). */
#include "report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/json.h"

#define REF_LEVEL_PREFERRED 64 /* the TechEmpower-like middle level, when measured */

/* Paul Tol's "bright" scheme: seven colours told apart with every common colour-vision
 * deficiency and readable on a light and on a dark page (mid luminance). Okabe-Ito was tried
 * first; its two blues side by side (flask, express) were too close in the bar charts. */
static const struct {
    const char *name, *color;
} KNOWN[] = {
    {"quill", "#EE6677"},   {"flask", "#4477AA"},   {"django", "#228833"},
    {"fastapi", "#AA3377"}, {"express", "#66CCEE"},
};
static const char *const PALETTE[] = {"#CCBB44", "#BBBBBB", "#E69F00",
                                      "#009E73", "#0072B2", "#D55E00"};

const char *model_orm_label(const char *orm) {
    if (!orm) return NULL;
    if (!strcmp(orm, "full")) return "full ORM";
    if (!strcmp(orm, "micro")) return "micro-ORM";
    if (!strcmp(orm, "raw")) return "raw SQL";
    return NULL;
}

const char *model_color(const char *name, size_t index) {
    for (size_t i = 0; i < sizeof KNOWN / sizeof *KNOWN; i++)
        if (strcmp(KNOWN[i].name, name) == 0) return KNOWN[i].color;
    return PALETTE[index % (sizeof PALETTE / sizeof *PALETTE)];
}

static cJSON *load_json(const char *dir, const char *file, bool *exists, err_t *err) {
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    *exists = access(path, F_OK) == 0;
    if (!*exists) return NULL;
    buf_t b;
    buf_init(&b, REPORT_MAX_FILE);
    if (buf_read_file(&b, path, err) < 0) {
        buf_free(&b);
        return NULL;
    }
    cJSON *j = cJSON_ParseWithLength(b.ptr ? b.ptr : "", b.len);
    buf_free(&b);
    if (!j || !cJSON_IsObject(j)) {
        cJSON_Delete(j);
        err_set(err, "%s: not a JSON object", path);
        return NULL;
    }
    return j;
}

static int add_target(model_t *m, const char *name) {
    int i = model_target_index(m, name);
    if (i >= 0) return i;
    if (m->nt >= REPORT_MAX_TARGETS) return -1;
    /* keep targets sorted by name: the same order in every table and chart */
    size_t pos = m->nt;
    while (pos > 0 && strcmp(m->targets[pos - 1].name, name) > 0) pos--;
    memmove(&m->targets[pos + 1], &m->targets[pos], (m->nt - pos) * sizeof *m->targets);
    memset(&m->targets[pos], 0, sizeof *m->targets);
    m->targets[pos].name = name;
    m->nt++;
    return (int)pos;
}

int model_target_index(const model_t *m, const char *name) {
    for (size_t i = 0; i < m->nt; i++)
        if (strcmp(m->targets[i].name, name) == 0) return (int)i;
    return -1;
}

int model_scenario_index(const model_t *m, const char *name) {
    for (size_t i = 0; i < m->ns; i++)
        if (strcmp(m->scenarios[i], name) == 0) return (int)i;
    return -1;
}

const cJSON *model_suite(const model_target_t *t, const char *suite) {
    const cJSON *s;
    cJSON_ArrayForEach(s, json_get(t->conf, "suites")) {
        const char *n = json_str(s, "name");
        if (n && strcmp(n, suite) == 0) return s;
    }
    return NULL;
}

static void load_conformance(model_t *m) {
    const cJSON *t;
    cJSON_ArrayForEach(t, json_get(m->conf_doc, "targets")) {
        const char *name = json_str(t, "name");
        if (!name) continue;
        int i = add_target(m, name);
        if (i < 0) continue;
        model_target_t *rt = &m->targets[i];
        rt->conf = t;
        if (!rt->version) rt->version = json_str(t, "version");
        if (!rt->orm) rt->orm = json_str(t, "orm");
        const cJSON *c = json_get(t, "counts");
        rt->steps_pass = (int)json_num(c, "pass", 0);
        rt->steps_fail = (int)json_num(c, "fail", 0);
        rt->steps_skip = (int)json_num(c, "skip", 0);
        rt->steps_error = (int)json_num(c, "error", 0);
        const cJSON *s;
        int total = 0, pass = 0;
        cJSON_ArrayForEach(s, json_get(t, "suites")) {
            total++;
            const char *st = json_str(s, "status");
            if (st && strcmp(st, "pass") == 0) pass++;
            const char *sn = json_str(s, "name");
            bool known = false;
            for (size_t k = 0; sn && k < m->nsuites; k++) known |= strcmp(m->suites[k], sn) == 0;
            if (sn && !known && m->nsuites < REPORT_MAX_SUITES) m->suites[m->nsuites++] = sn;
        }
        rt->suites_pass = pass;
        rt->suites_total = total;
        const char *status = json_str(t, "status");
        rt->conformant = total > 0 && pass == total && status && strcmp(status, "pass") == 0;
    }
}

static const cJSON *pick_level(const cJSON *scn, int want) {
    const cJSON *l, *best = NULL;
    cJSON_ArrayForEach(l, json_get(scn, "levels")) {
        if (!cJSON_IsObject(json_get(l, "summary"))) continue; /* never finished: no figures */
        int c = (int)json_num(l, "connections", 0);
        if (c == want) return l;
        if (!best || c > json_num(best, "connections", 0)) best = l;
    }
    return best;
}

static void spread(const cJSON *summary, const char *k, double *med, double *mn, double *mx) {
    const cJSON *o = json_get(summary, k);
    *med = json_num(o, "median", -1);
    if (mn) *mn = json_num(o, "min", -1);
    if (mx) *mx = json_num(o, "max", -1);
}

static void fill_cell(model_cell_t *c, const cJSON *scn, int ref) {
    memset(c, 0, sizeof *c);
    c->present = true;
    c->scenario = scn;
    c->status = json_str(scn, "status") ? json_str(scn, "status") : "pending";
    c->error = json_str(scn, "error");
    c->cpu_s = c->eff = c->rss_kb = c->cpu_us = c->ceiling = -1;
    c->rps_cv = c->p99_cv = c->read_p99_lo = c->read_p99_hi = c->answers_rps = -1;
    const cJSON *integ = json_get(scn, "integrity");
    c->integrity_checked = cJSON_IsTrue(json_get(integ, "checked"));
    c->integrity_pass = cJSON_IsTrue(json_get(integ, "pass"));
    /* A level without a summary never finished (the target crashed or wrk failed mid-level):
     * its partial runs are in bench.json, but there are no figures to show or compare. */
    const cJSON *lv = pick_level(scn, ref);
    if (!lv) return;
    c->level = lv;
    c->connections = (int)json_num(lv, "connections", 0);
    const cJSON *s = json_get(lv, "summary");
    c->runs = (int)json_num(s, "runs", 0);
    spread(s, "rps", &c->rps, &c->rps_min, &c->rps_max);
    spread(s, "p50_us", &c->p50, NULL, NULL);
    spread(s, "p90_us", &c->p90, NULL, NULL);
    spread(s, "p99_us", &c->p99, &c->p99_min, &c->p99_max);
    spread(s, "p99_9_us", &c->p999, NULL, NULL);
    spread(s, "cpu_s", &c->cpu_s, NULL, NULL);
    spread(s, "rps_per_cpu_s", &c->eff, NULL, NULL);
    spread(s, "rss_peak_kb", &c->rss_kb, NULL, NULL);
    spread(s, "cpu_us_per_req", &c->cpu_us, NULL, NULL);
    spread(s, "answers_rps", &c->answers_rps, NULL, NULL);
    spread(s, "read_p99_low_us", &c->read_p99_lo, NULL, NULL);
    spread(s, "read_p99_high_us", &c->read_p99_hi, NULL, NULL);
    c->rps_cv = json_num(json_get(s, "rps"), "cv_pct", -1);
    c->p99_cv = json_num(json_get(s, "p99_us"), "cv_pct", -1);
    c->unstable = cJSON_IsTrue(json_get(s, "unstable"));
    c->ceiling = json_num(s, "ceiling_rps", -1);
    c->unexpected = json_num(s, "unexpected", 0);
    c->errors = json_num(s, "errors", 0);
    c->client_bound = cJSON_IsTrue(json_get(s, "client_bound"));
    /* the run closest to the median throughput: its histogram is the one charted */
    const cJSON *r;
    double best = INFINITY;
    cJSON_ArrayForEach(r, json_get(lv, "runs")) {
        c->host_slow += cJSON_IsTrue(json_get(json_get(r, "host"), "slow"));
        c->host_makeups += cJSON_IsTrue(json_get(r, "makeup"));
        double d = fabs(json_num(r, "rps", 0) - c->rps);
        if (d < best) {
            best = d;
            c->median_run = r;
        }
    }
}

static void load_bench(model_t *m) {
    /* reference level: 64 if any scenario measured it, else the highest level seen */
    int highest = 0;
    bool has_pref = false;
    const cJSON *t, *s, *l;
    cJSON_ArrayForEach(t, json_get(m->bench_doc, "targets"))
        cJSON_ArrayForEach(s, json_get(t, "scenarios"))
            cJSON_ArrayForEach(l, json_get(s, "levels")) {
        int c = (int)json_num(l, "connections", 0);
        has_pref |= c == REF_LEVEL_PREFERRED;
        if (c > highest) highest = c;
    }
    m->ref_level = has_pref ? REF_LEVEL_PREFERRED : highest;
    m->cv_threshold = json_num(json_get(m->bench_doc, "settings"), "cv_threshold_pct", 5.0);
    cJSON_ArrayForEach(t, json_get(m->bench_doc, "targets")) {
        const char *name = json_str(t, "name");
        if (!name) continue;
        int i = add_target(m, name);
        if (i < 0) continue;
        m->targets[i].bench = t;
        m->targets[i].bench_status = json_str(t, "status");
        if (json_str(t, "orm")) m->targets[i].orm = json_str(t, "orm");
        if (json_str(t, "version")) m->targets[i].version = json_str(t, "version");
        cJSON_ArrayForEach(s, json_get(t, "scenarios")) {
            const char *sn = json_str(s, "name");
            if (!sn) continue;
            int k = model_scenario_index(m, sn);
            if (k < 0 && m->ns < REPORT_MAX_SCENARIOS) {
                k = (int)m->ns++;
                m->scenarios[k] = sn;
                m->scenario_desc[k] = json_str(s, "description") ? json_str(s, "description") : "";
            }
        }
    }
    /* cells after every target is placed (add_target shifts indexes) */
    for (size_t ti = 0; ti < m->nt; ti++) {
        cJSON_ArrayForEach(s, json_get(m->targets[ti].bench, "scenarios")) {
            int k = json_str(s, "name") ? model_scenario_index(m, json_str(s, "name")) : -1;
            if (k >= 0) fill_cell(&m->cells[ti][k], s, m->ref_level);
        }
    }
}

int model_load(model_t *m, const char *dir, err_t *err) {
    memset(m, 0, sizeof *m);
    snprintf(m->dir, sizeof m->dir, "%s", dir);
    bool has_conf, has_bench;
    err->msg[0] = '\0';
    m->conf_doc = load_json(dir, "conformance.json", &has_conf, err);
    if (has_conf && !m->conf_doc) return -1;
    m->bench_doc = load_json(dir, "bench.json", &has_bench, err);
    if (has_bench && !m->bench_doc) {
        model_free(m);
        return -1;
    }
    if (!has_conf && !has_bench)
        return err_set(err,
                       "%s: no conformance.json nor bench.json (run parity check --out DIR or "
                       "parity bench --out DIR first)",
                       dir);
    if (m->conf_doc) load_conformance(m);
    if (m->bench_doc) load_bench(m);
    for (size_t i = 0; i < m->nt; i++) {
        model_target_t *rt = &m->targets[i];
        rt->color = model_color(rt->name, i);
        const char *ol = model_orm_label(rt->orm);
        if (ol)
            snprintf(rt->label, sizeof rt->label, "%s (%s)", rt->name, ol);
        else
            snprintf(rt->label, sizeof rt->label, "%s", rt->name);
    }
    return 0;
}

void model_free(model_t *m) {
    cJSON_Delete(m->conf_doc);
    cJSON_Delete(m->bench_doc);
    m->conf_doc = m->bench_doc = NULL;
}
