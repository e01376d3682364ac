/* inspect_results: the tradeoffs block, and its figures taken from a run's results (see
 * inspect.h): efficiency from bench.json, correctness from conformance.json.
 *
 * Efficiency is successful requests (wrk's requests minus its socket errors and non-2xx/3xx
 * answers) per CPU-second of the target's process group, per scenario, at the level the report's
 * tables use (64 connections when measured, else the highest), the median over repetitions; the
 * geometric mean over scenarios is there for one-number views (the report recomputes it over the
 * scenarios every charted target measured). Peak RSS is the highest of any measured run. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "inspect.h"

#include "core/json.h"

#define RESULTS_REF_LEVEL 64           /* as report_model.c */
#define RESULTS_FILE_MAX  (256u << 20) /* bytes of a conformance.json */
#define RESULTS_MAX_RUNS  64

static int cmp_dbl(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static const cJSON *ref_level(const cJSON *scn) {
    const cJSON *l, *best = NULL;
    cJSON_ArrayForEach(l, json_get(scn, "levels")) {
        if (!cJSON_IsObject(json_get(l, "summary"))) continue;
        int c = (int)json_num(l, "connections", 0);
        if (c == RESULTS_REF_LEVEL) return l;
        if (!best || c > json_num(best, "connections", 0)) best = l;
    }
    return best;
}

/* Median of successful requests per CPU-second over the runs of one level; -1 when unknown. */
static double ok_per_cpu(const cJSON *level, double *rps) {
    double v[RESULTS_MAX_RUNS], r[RESULTS_MAX_RUNS];
    size_t n = 0;
    const cJSON *run;
    cJSON_ArrayForEach(run, json_get(level, "runs")) {
        double cpu = json_num(run, "cpu_s", -1), req = json_num(run, "requests", -1);
        double errs = json_num(json_get(run, "errors"), "total", 0),
               dur = json_num(run, "duration_s", 0);
        if (cpu <= 0 || req < 0 || n >= RESULTS_MAX_RUNS) continue;
        double ok = req - errs > 0 ? req - errs : 0;
        v[n] = ok / cpu;
        r[n++] = dur > 0 ? ok / dur : 0;
    }
    if (n == 0) return -1;
    qsort(v, n, sizeof *v, cmp_dbl);
    qsort(r, n, sizeof *r, cmp_dbl);
    *rps = n % 2 ? r[n / 2] : (r[n / 2 - 1] + r[n / 2]) / 2;
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

cJSON *inspect_efficiency(const cJSON *bt) {
    if (!bt) return cJSON_CreateNull();
    cJSON *o = cJSON_CreateObject(), *per = cJSON_AddObjectToObject(o, "scenarios");
    double logsum = 0, peak = -1;
    int n = 0;
    const cJSON *s;
    cJSON_ArrayForEach(s, json_get(bt, "scenarios")) {
        const char *name = json_str(s, "name");
        const cJSON *lv = ref_level(s), *lvl, *run;
        cJSON_ArrayForEach(lvl, json_get(s, "levels"))
            cJSON_ArrayForEach(run, json_get(lvl, "runs")) {
            double r = json_num(run, "rss_peak_kb", -1);
            if (r > peak) peak = r;
        }
        double rps = 0, eff = lv ? ok_per_cpu(lv, &rps) : -1;
        if (!name || eff < 0) continue;
        cJSON *e = cJSON_AddObjectToObject(per, name);
        cJSON_AddNumberToObject(e, "connections", json_num(lv, "connections", 0));
        cJSON_AddNumberToObject(e, "ok_per_cpu_s", round(eff * 10) / 10);
        cJSON_AddNumberToObject(e, "ok_rps", round(rps * 10) / 10);
        if (eff > 0) {
            logsum += log(eff);
            n++;
        }
    }
    if (n > 0)
        cJSON_AddNumberToObject(o, "geomean_ok_per_cpu_s", round(exp(logsum / n) * 10) / 10);
    else
        cJSON_AddNullToObject(o, "geomean_ok_per_cpu_s");
    if (peak >= 0)
        cJSON_AddNumberToObject(o, "peak_rss_kib", peak);
    else
        cJSON_AddNullToObject(o, "peak_rss_kib");
    return o;
}

/* Wire-probe totals of one target object of a conformance document: its steps that carry a
 * "probe" (what specs/wire steps record, see report/report_wire.h), else a "wire" object on the
 * target ({pass, fail} or {counts|totals: {...}}), else the suites that come from specs/wire/.
 * Skipped probes count in neither. NULL when there are none. */
static cJSON *wire_totals(const cJSON *ct) {
    double pass = 0, fail = 0;
    int probes = 0, suites = 0;
    const cJSON *s, *st;
    cJSON_ArrayForEach(s, json_get(ct, "suites")) cJSON_ArrayForEach(st, json_get(s, "steps")) {
        if (!json_get(st, "probe")) continue;
        const char *v = json_str(st, "status");
        probes++;
        if (v && !strcmp(v, "pass"))
            pass++;
        else if (v && (!strcmp(v, "fail") || !strcmp(v, "error")))
            fail++;
    }
    const cJSON *w = json_get(ct, "wire");
    if (!probes && cJSON_IsObject(w)) {
        const cJSON *c = cJSON_IsObject(json_get(w, "counts"))   ? json_get(w, "counts")
                         : cJSON_IsObject(json_get(w, "totals")) ? json_get(w, "totals")
                                                                 : w;
        if (cJSON_IsNumber(json_get(c, "pass")) || cJSON_IsNumber(json_get(c, "fail"))) {
            probes = 1;
            pass = json_num(c, "pass", 0);
            fail = json_num(c, "fail", 0) + json_num(c, "error", 0);
        }
    }
    if (!probes) cJSON_ArrayForEach(s, json_get(ct, "suites")) {
            const char *file = json_str(s, "file"), *name = json_str(s, "name");
            if (!(file && strstr(file, "specs/wire/")) && !(name && str_starts_with(name, "wire")))
                continue;
            suites++;
            pass += json_num(json_get(s, "counts"), "pass", 0);
            fail += json_num(json_get(s, "counts"), "fail", 0) +
                    json_num(json_get(s, "counts"), "error", 0);
        }
    if (!probes && !suites) return NULL;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "pass", pass);
    cJSON_AddNumberToObject(o, "fail", fail);
    return o;
}

cJSON *inspect_correctness(const cJSON *ct) {
    if (!ct) return cJSON_CreateNull();
    cJSON *o = cJSON_CreateObject();
    const char *st = json_str(ct, "status");
    cJSON_AddStringToObject(o, "verdict", st ? st : "unknown");
    const cJSON *c = json_get(ct, "counts");
    cJSON *steps = cJSON_AddObjectToObject(o, "steps");
    static const char *const K[] = {"pass", "fail", "skip", "error"};
    for (size_t i = 0; i < 4; i++) cJSON_AddNumberToObject(steps, K[i], json_num(c, K[i], 0));
    cJSON *w = wire_totals(ct);
    if (w)
        cJSON_AddItemToObject(o, "wire", w);
    else
        cJSON_AddNullToObject(o, "wire");
    return o;
}

cJSON *inspect_block_new(const inspect_opts_t *o) {
    cJSON *b = cJSON_CreateObject(), *m = cJSON_CreateObject();
    cJSON_AddNumberToObject(b, "schema", INSPECT_SCHEMA);
    cJSON_AddStringToObject(m, "code",
                            "cloc --by-file over the target's directory or its " INSPECT_LIST_FILE
                            "; kinds by path; markers " INSPECT_RULING_MARK);
    cJSON_AddStringToObject(
        m, "dependencies",
        "Debian Depends/Pre-Depends closure of the packages owning the runtime, "
        "linked libraries or imported modules; npm ls --all --omit=dev");
    if (o) {
        cJSON_AddNumberToObject(m, "starts", o->starts);
        cJSON_AddNumberToObject(m, "poll_ms", INSPECT_POLL_MS);
        cJSON_AddNumberToObject(m, "settle_ms", INSPECT_SETTLE_MS);
        cJSON_AddNumberToObject(m, "connections", o->connections);
        cJSON_AddNumberToObject(m, "workers", o->workers);
    }
    cJSON_AddNumberToObject(m, "efficiency_level", RESULTS_REF_LEVEL);
    cJSON_AddItemToObject(b, "method", m);
    cJSON_AddArrayToObject(b, "targets");
    return b;
}

cJSON *inspect_target(cJSON *block, const target_manifest_t *m, const inspect_opts_t *o) {
    cJSON *t = cJSON_CreateObject();
    cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(block, "targets"), t);
    cJSON_AddStringToObject(t, "name", m->name);
    cJSON_AddStringToObject(t, "language", m->language);
    cJSON_AddStringToObject(t, "orm", m->orm ? m->orm : "");
    err_t err = {{0}};
    cJSON_AddItemToObject(t, "code", inspect_code(m->dir, &err));
    cJSON_AddItemToObject(t, "dependencies", inspect_deps(m, o ? o->build_dir : NULL, &err));
    if (o) {
        cJSON *conns = NULL, *st = inspect_runtime(m, o, &conns);
        cJSON_AddItemToObject(t, "startup", st);
        cJSON_AddItemToObject(t, "connections", conns);
    } else {
        cJSON_AddNullToObject(t, "startup");
        cJSON_AddNullToObject(t, "connections");
    }
    cJSON_AddNullToObject(t, "efficiency");
    cJSON_AddNullToObject(t, "correctness");
    return t;
}

static const cJSON *by_name(const cJSON *doc, const char *name) {
    const cJSON *t;
    cJSON_ArrayForEach(t, json_get(doc, "targets")) {
        const char *n = json_str(t, "name");
        if (n && !strcmp(n, name)) return t;
    }
    return NULL;
}

void inspect_fill_results(cJSON *block, const cJSON *bench_doc, const cJSON *conf_doc,
                          const cJSON *wire_doc) {
    cJSON *t;
    cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(block, "targets")) {
        const char *name = json_str(t, "name");
        if (!name) continue;
        if (bench_doc)
            cJSON_ReplaceItemInObjectCaseSensitive(t, "efficiency",
                                                   inspect_efficiency(by_name(bench_doc, name)));
        if (conf_doc)
            cJSON_ReplaceItemInObjectCaseSensitive(t, "correctness",
                                                   inspect_correctness(by_name(conf_doc, name)));
        cJSON *w = wire_doc ? wire_totals(by_name(wire_doc, name)) : NULL;
        if (!w) continue;
        cJSON *c = cJSON_GetObjectItemCaseSensitive(t, "correctness");
        if (!cJSON_IsObject(c)) { /* wire probes ran, the blog suites did not */
            c = cJSON_CreateObject();
            cJSON_AddNullToObject(c, "verdict");
            cJSON_AddNullToObject(c, "steps");
            cJSON_AddNullToObject(c, "wire");
            cJSON_ReplaceItemInObjectCaseSensitive(t, "correctness", c);
        }
        cJSON_ReplaceItemInObjectCaseSensitive(c, "wire", w);
    }
}

cJSON *inspect_load_json(const char *path) {
    if (access(path, F_OK) != 0) return NULL;
    buf_t b;
    buf_init(&b, RESULTS_FILE_MAX);
    err_t err;
    cJSON *j = buf_read_file(&b, path, &err) == 0 ? cJSON_ParseWithLength(b.ptr ? b.ptr : "", b.len)
                                                  : NULL;
    buf_free(&b);
    if (j && !cJSON_IsObject(j)) {
        cJSON_Delete(j);
        j = NULL;
    }
    return j;
}

void inspect_fill_from_dir(cJSON *block, const cJSON *bench_doc, const char *dir) {
    char path[4200];
    snprintf(path, sizeof path, "%s/conformance.json", dir);
    cJSON *conf = inspect_load_json(path);
    snprintf(path, sizeof path, "%s/wire/conformance.json", dir);
    cJSON *wire = inspect_load_json(path);
    inspect_fill_results(block, bench_doc, conf, wire);
    cJSON_Delete(conf);
    cJSON_Delete(wire);
}
