/* report_model: conformance.json + bench.json -> a target x scenario grid (see report.h). */
#include "report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define REF_LEVEL_PREFERRED 64 /* the TechEmpower-like middle level, when measured */

static const cJSON *get(const cJSON *o, const char *k) {
    return cJSON_GetObjectItemCaseSensitive(o, k);
}

static double num(const cJSON *o, const char *k, double dflt) {
    const cJSON *v = get(o, k);
    return cJSON_IsNumber(v) ? v->valuedouble : dflt;
}

static const char *str(const cJSON *o, const char *k) {
    const cJSON *v = get(o, k);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

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

const char *rm_color(const char *name, size_t index) {
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

static int add_target(rm_t *m, const char *name) {
    int i = rm_target_index(m, name);
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

int rm_target_index(const rm_t *m, const char *name) {
    for (size_t i = 0; i < m->nt; i++)
        if (strcmp(m->targets[i].name, name) == 0) return (int)i;
    return -1;
}

int rm_scenario_index(const rm_t *m, const char *name) {
    for (size_t i = 0; i < m->ns; i++)
        if (strcmp(m->scenarios[i], name) == 0) return (int)i;
    return -1;
}

const cJSON *rm_suite(const rm_target_t *t, const char *suite) {
    const cJSON *s;
    cJSON_ArrayForEach(s, get(t->conf, "suites")) {
        const char *n = str(s, "name");
        if (n && strcmp(n, suite) == 0) return s;
    }
    return NULL;
}

static void load_conformance(rm_t *m) {
    const cJSON *t;
    cJSON_ArrayForEach(t, get(m->conf_doc, "targets")) {
        const char *name = str(t, "name");
        if (!name) continue;
        int i = add_target(m, name);
        if (i < 0) continue;
        rm_target_t *rt = &m->targets[i];
        rt->conf = t;
        if (!rt->version) rt->version = str(t, "version");
        const cJSON *c = get(t, "counts");
        rt->steps_pass = (int)num(c, "pass", 0);
        rt->steps_fail = (int)num(c, "fail", 0);
        rt->steps_skip = (int)num(c, "skip", 0);
        rt->steps_error = (int)num(c, "error", 0);
        const cJSON *s;
        int total = 0, pass = 0;
        cJSON_ArrayForEach(s, get(t, "suites")) {
            total++;
            const char *st = str(s, "status");
            if (st && strcmp(st, "pass") == 0) pass++;
            const char *sn = str(s, "name");
            bool known = false;
            for (size_t k = 0; sn && k < m->nsuites; k++) known |= strcmp(m->suites[k], sn) == 0;
            if (sn && !known && m->nsuites < REPORT_MAX_SUITES) m->suites[m->nsuites++] = sn;
        }
        rt->suites_pass = pass;
        rt->suites_total = total;
        const char *status = str(t, "status");
        rt->conformant = total > 0 && pass == total && status && strcmp(status, "pass") == 0;
    }
}

static const cJSON *pick_level(const cJSON *scn, int want) {
    const cJSON *l, *best = NULL;
    cJSON_ArrayForEach(l, get(scn, "levels")) {
        if (!cJSON_IsObject(get(l, "summary"))) continue; /* never finished: no figures */
        int c = (int)num(l, "connections", 0);
        if (c == want) return l;
        if (!best || c > num(best, "connections", 0)) best = l;
    }
    return best;
}

static void spread(const cJSON *summary, const char *k, double *med, double *mn, double *mx) {
    const cJSON *o = get(summary, k);
    *med = num(o, "median", -1);
    if (mn) *mn = num(o, "min", -1);
    if (mx) *mx = num(o, "max", -1);
}

static void fill_cell(rm_cell_t *c, const cJSON *scn, int ref) {
    memset(c, 0, sizeof *c);
    c->present = true;
    c->scenario = scn;
    c->status = str(scn, "status") ? str(scn, "status") : "pending";
    c->error = str(scn, "error");
    c->cpu_s = c->eff = c->rss_kb = -1;
    const cJSON *integ = get(scn, "integrity");
    c->integrity_checked = cJSON_IsTrue(get(integ, "checked"));
    c->integrity_pass = cJSON_IsTrue(get(integ, "pass"));
    /* A level without a summary never finished (the target crashed or wrk failed mid-level):
     * its partial runs are in bench.json, but there are no figures to show or compare. */
    const cJSON *lv = pick_level(scn, ref);
    if (!lv) return;
    c->level = lv;
    c->connections = (int)num(lv, "connections", 0);
    const cJSON *s = get(lv, "summary");
    c->runs = (int)num(s, "runs", 0);
    spread(s, "rps", &c->rps, &c->rps_min, &c->rps_max);
    spread(s, "p50_us", &c->p50, NULL, NULL);
    spread(s, "p90_us", &c->p90, NULL, NULL);
    spread(s, "p99_us", &c->p99, &c->p99_min, &c->p99_max);
    spread(s, "p99_9_us", &c->p999, NULL, NULL);
    spread(s, "cpu_s", &c->cpu_s, NULL, NULL);
    spread(s, "rps_per_cpu_s", &c->eff, NULL, NULL);
    spread(s, "rss_peak_kb", &c->rss_kb, NULL, NULL);
    c->errors = num(s, "errors", 0);
    c->client_bound = cJSON_IsTrue(get(s, "client_bound"));
    /* the run closest to the median throughput: its histogram is the one charted */
    const cJSON *r;
    double best = INFINITY;
    cJSON_ArrayForEach(r, get(lv, "runs")) {
        double d = fabs(num(r, "rps", 0) - c->rps);
        if (d < best) {
            best = d;
            c->median_run = r;
        }
    }
}

static void load_bench(rm_t *m) {
    /* reference level: 64 if any scenario measured it, else the highest level seen */
    int highest = 0;
    bool has_pref = false;
    const cJSON *t, *s, *l;
    cJSON_ArrayForEach(t, get(m->bench_doc, "targets")) cJSON_ArrayForEach(s, get(t, "scenarios"))
        cJSON_ArrayForEach(l, get(s, "levels")) {
        int c = (int)num(l, "connections", 0);
        has_pref |= c == REF_LEVEL_PREFERRED;
        if (c > highest) highest = c;
    }
    m->ref_level = has_pref ? REF_LEVEL_PREFERRED : highest;
    cJSON_ArrayForEach(t, get(m->bench_doc, "targets")) {
        const char *name = str(t, "name");
        if (!name) continue;
        int i = add_target(m, name);
        if (i < 0) continue;
        m->targets[i].bench = t;
        m->targets[i].bench_status = str(t, "status");
        if (str(t, "version")) m->targets[i].version = str(t, "version");
        cJSON_ArrayForEach(s, get(t, "scenarios")) {
            const char *sn = str(s, "name");
            if (!sn) continue;
            int k = rm_scenario_index(m, sn);
            if (k < 0 && m->ns < REPORT_MAX_SCENARIOS) {
                k = (int)m->ns++;
                m->scenarios[k] = sn;
                m->scenario_desc[k] = str(s, "description") ? str(s, "description") : "";
            }
        }
    }
    /* cells after every target is placed (add_target shifts indexes) */
    for (size_t ti = 0; ti < m->nt; ti++) {
        cJSON_ArrayForEach(s, get(m->targets[ti].bench, "scenarios")) {
            int k = str(s, "name") ? rm_scenario_index(m, str(s, "name")) : -1;
            if (k >= 0) fill_cell(&m->cells[ti][k], s, m->ref_level);
        }
    }
}

int rm_load(rm_t *m, const char *dir, err_t *err) {
    memset(m, 0, sizeof *m);
    snprintf(m->dir, sizeof m->dir, "%s", dir);
    bool has_conf, has_bench;
    err->msg[0] = '\0';
    m->conf_doc = load_json(dir, "conformance.json", &has_conf, err);
    if (has_conf && !m->conf_doc) return -1;
    m->bench_doc = load_json(dir, "bench.json", &has_bench, err);
    if (has_bench && !m->bench_doc) {
        rm_free(m);
        return -1;
    }
    if (!has_conf && !has_bench)
        return err_set(err,
                       "%s: no conformance.json nor bench.json (run parity check --out DIR or "
                       "parity bench --out DIR first)",
                       dir);
    if (m->conf_doc) load_conformance(m);
    if (m->bench_doc) load_bench(m);
    for (size_t i = 0; i < m->nt; i++) m->targets[i].color = rm_color(m->targets[i].name, i);
    return 0;
}

void rm_free(rm_t *m) {
    cJSON_Delete(m->conf_doc);
    cJSON_Delete(m->bench_doc);
    m->conf_doc = m->bench_doc = NULL;
}
