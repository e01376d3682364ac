/* bench_json: see bench_json.h. */
#include "bench_json.h"

#include "core/clock.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#define BJ_MAX_RUNS BENCH_MAX_REPEAT

cJSON *bj_now_iso(void) {
    char s[CLOCK_ISO8601_LEN];
    clock_iso8601_now(s, sizeof s);
    return cJSON_CreateString(s);
}

static cJSON *cpu_list(const cpu_set_t *set) {
    cJSON *a = cJSON_CreateArray();
    for (int i = 0; set && i < CPU_SETSIZE; i++)
        if (CPU_ISSET(i, set)) cJSON_AddItemToArray(a, cJSON_CreateNumber(i));
    return a;
}

static cJSON *int_list(const int *v, size_t n) {
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; i < n; i++) cJSON_AddItemToArray(a, cJSON_CreateNumber(v[i]));
    return a;
}

cJSON *bj_doc_new(const bench_opts_t *o, cJSON *env, bool pinned, const cpu_set_t *wrk_cpus,
                  const cpu_set_t *target_cpus, int workers) {
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "kind", "parity-bench");
    cJSON_AddNumberToObject(d, "format", BJ_FORMAT);
    cJSON_AddStringToObject(d, "parity_version", PARITY_VERSION);
    cJSON_AddStringToObject(d, "run_id", o->run_id);
    cJSON_AddItemToObject(d, "started", bj_now_iso());
    cJSON_AddItemToObject(d, "finished", bj_now_iso());
    cJSON_AddStringToObject(d, "profile", o->profile.name);
    cJSON *s = cJSON_AddObjectToObject(d, "settings");
    cJSON_AddItemToObject(s, "connections", int_list(o->profile.levels, o->profile.nlevels));
    cJSON_AddNumberToObject(s, "duration_s", o->profile.duration_s);
    cJSON_AddNumberToObject(s, "repeat", o->profile.repeat);
    cJSON_AddNumberToObject(s, "primer_s", o->profile.primer_s);
    cJSON_AddNumberToObject(s, "primer_connections", 8);
    cJSON_AddNumberToObject(s, "warmup_s", o->profile.warmup_s);
    cJSON_AddNumberToObject(s, "pause_ms", o->profile.pause_ms);
    cJSON_AddNumberToObject(s, "wrk_timeout_s", WRK_TIMEOUT_S);
    cJSON_AddNumberToObject(s, "sample_hz", PROC_SAMPLE_HZ);
    cJSON *pin = cJSON_CreateObject();
    cJSON_AddStringToObject(pin, "mode", pinned ? "auto" : "none");
    cJSON_AddItemToObject(pin, "wrk_cpus", cpu_list(pinned ? wrk_cpus : NULL));
    cJSON_AddItemToObject(pin, "target_cpus", cpu_list(pinned ? target_cpus : NULL));
    cJSON_AddNumberToObject(pin, "workers", workers);
    cJSON_AddItemToObject(env, "pinning", pin);
    cJSON_AddItemToObject(d, "environment", env);
    cJSON_AddArrayToObject(d, "targets");
    return d;
}

void bj_set_status(cJSON *obj, const char *status, const char *error) {
    cJSON_DeleteItemFromObjectCaseSensitive(obj, "status");
    cJSON_DeleteItemFromObjectCaseSensitive(obj, "error");
    cJSON_AddStringToObject(obj, "status", status);
    if (error) cJSON_AddStringToObject(obj, "error", error);
    else cJSON_AddNullToObject(obj, "error");
}

const char *bj_status(const cJSON *obj) {
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(obj, "status");
    return cJSON_IsString(s) ? s->valuestring : "";
}

cJSON *bj_target_new(cJSON *arr, const char *name) {
    cJSON *t = cJSON_CreateObject();
    cJSON_AddStringToObject(t, "name", name);
    bj_set_status(t, "pending", NULL);
    cJSON_AddItemToArray(arr, t);
    return t;
}

void bj_set_seed(cJSON *tobj, double duration_s, long steps, const scn_pool_t *pools, size_t n) {
    cJSON *s = cJSON_AddObjectToObject(tobj, "seed");
    cJSON_AddNumberToObject(s, "duration_s", round(duration_s * 1000) / 1000);
    cJSON_AddNumberToObject(s, "steps", (double)steps);
    cJSON *p = cJSON_AddObjectToObject(s, "pools");
    for (size_t i = 0; i < n; i++) cJSON_AddNumberToObject(p, pools[i].name, (double)pools[i].n);
}

cJSON *bj_scenario_new(cJSON *arr, const scn_t *s) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", s->name);
    cJSON_AddStringToObject(o, "description", s->description);
    bj_set_status(o, "pending", NULL);
    cJSON_AddObjectToObject(o, "commands");
    cJSON_AddItemToArray(arr, o);
    return o;
}

void bj_set_check(cJSON *sobj, bool pass, const char *msg) {
    cJSON *c = cJSON_AddObjectToObject(sobj, "check");
    cJSON_AddBoolToObject(c, "pass", pass);
    if (msg) cJSON_AddStringToObject(c, "message", msg);
    else cJSON_AddNullToObject(c, "message");
}

void bj_add_command(cJSON *sobj, const char *label, const char *cmd) {
    cJSON *c = cJSON_GetObjectItemCaseSensitive(sobj, "commands");
    if (c) cJSON_AddStringToObject(c, label, cmd);
}

cJSON *bj_level_new(cJSON *levels, int connections) {
    cJSON *l = cJSON_CreateObject();
    cJSON_AddNumberToObject(l, "connections", connections);
    cJSON_AddArrayToObject(l, "runs");
    cJSON_AddItemToArray(levels, l);
    return l;
}

static double r3(double v) {
    return round(v * 1000) / 1000;
}

void bj_add_run(cJSON *level, int rep, const char *cmd, const wrk_result_t *r,
                const proc_sampler_t *smp, double wrk_util) {
    cJSON *run = cJSON_CreateObject();
    cJSON_AddNumberToObject(run, "repeat", rep);
    cJSON_AddStringToObject(run, "command", cmd);
    cJSON_AddNumberToObject(run, "duration_s", r3(r->duration_s));
    cJSON_AddNumberToObject(run, "requests", (double)r->requests);
    double rps = r->duration_s > 0 ? (double)r->requests / r->duration_s : 0;
    cJSON_AddNumberToObject(run, "rps", r3(rps));
    cJSON_AddNumberToObject(run, "bytes", (double)r->bytes);
    cJSON *e = cJSON_AddObjectToObject(run, "errors");
    cJSON_AddNumberToObject(e, "connect", (double)r->err_connect);
    cJSON_AddNumberToObject(e, "read", (double)r->err_read);
    cJSON_AddNumberToObject(e, "write", (double)r->err_write);
    cJSON_AddNumberToObject(e, "timeout", (double)r->err_timeout);
    cJSON_AddNumberToObject(e, "status", (double)r->err_status);
    cJSON_AddNumberToObject(e, "total", (double)(wrk_socket_errors(r) + r->err_status));
    cJSON *l = cJSON_AddObjectToObject(run, "latency_us");
    cJSON_AddNumberToObject(l, "min", r->lat_min_us);
    cJSON_AddNumberToObject(l, "mean", r3(r->lat_mean_us));
    cJSON_AddNumberToObject(l, "stdev", r3(r->lat_stdev_us));
    cJSON_AddNumberToObject(l, "max", r->lat_max_us);
    cJSON_AddNumberToObject(l, "p50", r->p50_us);
    cJSON_AddNumberToObject(l, "p75", r->p75_us);
    cJSON_AddNumberToObject(l, "p90", r->p90_us);
    cJSON_AddNumberToObject(l, "p99", r->p99_us);
    cJSON_AddNumberToObject(l, "p99_9", r->p99_9_us);
    cJSON_AddNumberToObject(l, "p99_99", r->p99_99_us);
    cJSON *h = cJSON_AddArrayToObject(run, "histogram");
    for (size_t i = 0; i < r->nhist; i++) {
        cJSON *pair = cJSON_CreateArray();
        cJSON_AddItemToArray(pair, cJSON_CreateNumber((double)r->hist[i][0]));
        cJSON_AddItemToArray(pair, cJSON_CreateNumber((double)r->hist[i][1]));
        cJSON_AddItemToArray(h, pair);
    }
    if (r->counted_created) cJSON_AddNumberToObject(run, "created", (double)r->created);
    if (smp) {
        double cpu = proc_sampler_cpu_s(smp);
        cJSON_AddNumberToObject(run, "cpu_s", r3(cpu));
        cJSON_AddNumberToObject(run, "rps_per_cpu_s", cpu > 0 ? r3((double)r->requests / cpu) : 0);
        cJSON_AddNumberToObject(run, "rss_peak_kb", (double)smp->rss_peak_kb);
        cJSON_AddNumberToObject(run, "rss_mean_kb", round(proc_sampler_rss_mean_kb(smp)));
        cJSON_AddNumberToObject(run, "pss_peak_kb", (double)smp->pss_peak_kb);
        cJSON_AddNumberToObject(run, "pss_mean_kb", round(proc_sampler_pss_mean_kb(smp)));
        cJSON_AddNumberToObject(run, "processes", smp->last.nproc);
    } else {
        cJSON_AddNullToObject(run, "cpu_s");
        cJSON_AddNullToObject(run, "rps_per_cpu_s");
        cJSON_AddNullToObject(run, "rss_peak_kb");
        cJSON_AddNullToObject(run, "rss_mean_kb");
        cJSON_AddNullToObject(run, "pss_peak_kb");
        cJSON_AddNullToObject(run, "pss_mean_kb");
    }
    cJSON_AddNumberToObject(run, "wrk_cpu_util", r3(wrk_util));
    cJSON_AddBoolToObject(run, "client_bound", wrk_util >= WRK_CLIENT_BOUND_UTIL);
    cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(level, "runs"), run);
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

bench_spread_t bench_spread(const double *v, size_t n) {
    bench_spread_t s = {0, 0, 0};
    if (n == 0) return s;
    double tmp[BJ_MAX_RUNS];
    if (n > BJ_MAX_RUNS) n = BJ_MAX_RUNS;
    memcpy(tmp, v, n * sizeof *v);
    qsort(tmp, n, sizeof *tmp, cmp_double);
    s.min = tmp[0];
    s.max = tmp[n - 1];
    s.median = n % 2 ? tmp[n / 2] : (tmp[n / 2 - 1] + tmp[n / 2]) / 2;
    return s;
}

/* Adds name: {median, min, max} over field (path "a" or "a.b") of every run; skipped when a run
 * lacks the number (e.g. cpu_s of an external target). */
static void spread_of(cJSON *summary, const cJSON *runs, const char *name, const char *field,
                      const char *sub) {
    double v[BJ_MAX_RUNS];
    size_t n = 0;
    for (const cJSON *r = runs->child; r && n < BJ_MAX_RUNS; r = r->next) {
        const cJSON *x = cJSON_GetObjectItemCaseSensitive(r, field);
        if (sub) x = cJSON_GetObjectItemCaseSensitive(x, sub);
        if (!cJSON_IsNumber(x)) return;
        v[n++] = x->valuedouble;
    }
    bench_spread_t s = bench_spread(v, n);
    cJSON *o = cJSON_AddObjectToObject(summary, name);
    cJSON_AddNumberToObject(o, "median", r3(s.median));
    cJSON_AddNumberToObject(o, "min", r3(s.min));
    cJSON_AddNumberToObject(o, "max", r3(s.max));
}

void bj_level_summarise(cJSON *level) {
    const cJSON *runs = cJSON_GetObjectItemCaseSensitive(level, "runs");
    cJSON *s = cJSON_AddObjectToObject(level, "summary");
    cJSON_AddNumberToObject(s, "runs", cJSON_GetArraySize(runs));
    spread_of(s, runs, "rps", "rps", NULL);
    spread_of(s, runs, "p50_us", "latency_us", "p50");
    spread_of(s, runs, "p90_us", "latency_us", "p90");
    spread_of(s, runs, "p99_us", "latency_us", "p99");
    spread_of(s, runs, "p99_9_us", "latency_us", "p99_9");
    spread_of(s, runs, "cpu_s", "cpu_s", NULL);
    spread_of(s, runs, "rps_per_cpu_s", "rps_per_cpu_s", NULL);
    spread_of(s, runs, "rss_peak_kb", "rss_peak_kb", NULL);
    spread_of(s, runs, "pss_peak_kb", "pss_peak_kb", NULL);
    double errors = 0;
    bool client_bound = false;
    for (const cJSON *r = runs->child; r; r = r->next) {
        const cJSON *e = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(r, "errors"), "total");
        if (cJSON_IsNumber(e)) errors += e->valuedouble;
        client_bound |= cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "client_bound"));
    }
    cJSON_AddNumberToObject(s, "errors", errors);
    cJSON_AddBoolToObject(s, "client_bound", client_bound);
}

static double summary_median(const cJSON *level, const char *name) {
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(level, "summary");
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(s, name), "median");
    return cJSON_IsNumber(m) ? m->valuedouble : 0;
}

const char *bj_level_headline(const cJSON *levels) {
    static _Thread_local char line[512];
    size_t used = 0;
    line[0] = '\0';
    for (const cJSON *l = levels ? levels->child : NULL; l && used < sizeof line - 1; l = l->next) {
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(l, "connections");
        const cJSON *s = cJSON_GetObjectItemCaseSensitive(l, "summary");
        const cJSON *e = cJSON_GetObjectItemCaseSensitive(s, "errors");
        int w = snprintf(line + used, sizeof line - used, "%s%d conn: %.0f req/s, p99 %.2f ms, %.0f errors%s",
                         used ? "; " : "", cJSON_IsNumber(c) ? (int)c->valuedouble : 0,
                         summary_median(l, "rps"), summary_median(l, "p99_us") / 1000.0,
                         cJSON_IsNumber(e) ? e->valuedouble : 0,
                         cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(s, "client_bound")) ? " (client-bound)" : "");
        if (w < 0) break;
        used += (size_t)w;
    }
    return line;
}

void bj_set_integrity(cJSON *sobj, bool pass, long long acked, long long found, long long inflight,
                      const char *msg) {
    cJSON *i = cJSON_AddObjectToObject(sobj, "integrity");
    cJSON_AddBoolToObject(i, "checked", true);
    cJSON_AddBoolToObject(i, "pass", pass);
    cJSON_AddNumberToObject(i, "acknowledged", (double)acked);
    cJSON_AddNumberToObject(i, "found", (double)found);
    cJSON_AddNumberToObject(i, "in_flight_max", (double)inflight);
    if (msg) cJSON_AddStringToObject(i, "message", msg);
    else cJSON_AddNullToObject(i, "message");
}
