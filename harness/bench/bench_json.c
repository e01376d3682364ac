/* bench_json: see bench_json.h. */
#include "bench_json.h"

#include "core/clock.h"
#include "db/db.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#define BJ_MAX_RUNS BENCH_MAX_REPEAT
#define BJ_TEXT_MAX 512

cJSON *bj_now_iso(void) {
    char s[CLOCK_ISO8601_LEN];
    clock_iso8601_now(s, sizeof s);
    return cJSON_CreateString(s);
}

static double r3(double v) {
    return round(v * 1000) / 1000;
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
    cJSON_AddNumberToObject(s, "ceiling_s", o->profile.ceiling_s);
    cJSON_AddNumberToObject(s, "cv_threshold_pct",
                            o->cv_threshold_pct > 0 ? o->cv_threshold_pct : BENCH_DEFAULT_CV_PCT);
    cJSON_AddNumberToObject(s, "client_bound_share", BENCH_CEILING_SHARE);
    clients_settings_json(s, o->clients, o->nclients, o->target_metrics, o->target_group);
    cJSON_AddStringToObject(s, "order",
                            "interleaved: each repetition starts every target afresh, "
                            "targets in turn (ABAB), the client ceiling first");
    cJSON *pin = cJSON_CreateObject();
    cJSON_AddStringToObject(pin, "mode", pinned ? "auto" : "none");
    cJSON_AddItemToObject(pin, "wrk_cpus", cpu_list(pinned ? wrk_cpus : NULL));
    cJSON_AddItemToObject(pin, "target_cpus", cpu_list(pinned ? target_cpus : NULL));
    cJSON_AddNumberToObject(pin, "workers", workers);
    cJSON_AddItemToObject(env, "pinning", pin);
    /* issue 24: the targets' database server and its settings ({"kind": "sqlite"} by default) */
    cJSON_AddItemToObject(env, "database",
                          db_settings_json(db_active() ? db_settings(db_active()) : NULL));
    cJSON_AddItemToObject(d, "environment", env);
    cJSON *ceil = cJSON_AddObjectToObject(d, "ceiling");
    cJSON_AddStringToObject(ceil, "responder",
                            "built-in: one fixed 13-byte 200 answer per request, "
                            "epoll, on the targets' CPUs");
    cJSON_AddArrayToObject(ceil, "scenarios");
    cJSON_AddArrayToObject(d, "targets");
    return d;
}

void bj_set_status(cJSON *obj, const char *status, const char *error) {
    cJSON_DeleteItemFromObjectCaseSensitive(obj, "status");
    cJSON_DeleteItemFromObjectCaseSensitive(obj, "error");
    cJSON_AddStringToObject(obj, "status", status);
    if (error)
        cJSON_AddStringToObject(obj, "error", error);
    else
        cJSON_AddNullToObject(obj, "error");
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
    cJSON_AddNumberToObject(o, "tolerated_error_rate", s->tolerated_error_rate);
    cJSON_AddStringToObject(o, "counting",
                            scn_wrk_counts_enough(s) && !s->integrity ? "wrk" : "lua");
    int total = 0;
    for (size_t k = 0; k < s->nreqs; k++) total += s->reqs[k].weight;
    cJSON *kinds = cJSON_AddArrayToObject(o, "kinds");
    for (size_t k = 0; k < s->nreqs; k++) {
        cJSON *kd = cJSON_CreateObject();
        cJSON_AddStringToObject(kd, "name", s->reqs[k].name);
        cJSON_AddStringToObject(kd, "method", s->reqs[k].method);
        cJSON_AddNumberToObject(kd, "share", r3((double)s->reqs[k].weight / total));
        cJSON_AddItemToObject(kd, "success", int_list(s->reqs[k].success, s->reqs[k].nsuccess));
        cJSON_AddItemToArray(kinds, kd);
    }
    cJSON_AddObjectToObject(o, "commands");
    cJSON_AddItemToArray(arr, o);
    return o;
}

void bj_set_check(cJSON *sobj, bool pass, const char *msg) {
    cJSON *c = cJSON_AddObjectToObject(sobj, "check");
    cJSON_AddBoolToObject(c, "pass", pass);
    if (msg)
        cJSON_AddStringToObject(c, "message", msg);
    else
        cJSON_AddNullToObject(c, "message");
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

/* The share of reads (GET/HEAD) of a mix that also writes; 0 when it does not mix. */
static double read_share(const scn_t *s) {
    int reads = 0, total = 0;
    for (size_t k = 0; k < s->nreqs; k++) {
        total += s->reqs[k].weight;
        if (!strcmp(s->reqs[k].method, "GET") || !strcmp(s->reqs[k].method, "HEAD"))
            reads += s->reqs[k].weight;
    }
    return reads > 0 && reads < total ? (double)reads / total : 0;
}

static void add_latency(cJSON *run, const wrk_result_t *r) {
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
    /* What wrk itself printed (its histogram corrected for coordinated omission, wrk_hist.c):
     * for a reader comparing with wrk's output; every figure above is from recorded samples. */
    wrk_reported_json(run, r);
    cJSON *h = cJSON_AddArrayToObject(run, "histogram");
    for (size_t i = 0; i < r->nhist; i++) {
        cJSON *pair = cJSON_CreateArray();
        cJSON_AddItemToArray(pair, cJSON_CreateNumber((double)r->hist[i][0]));
        cJSON_AddItemToArray(pair, cJSON_CreateNumber((double)r->hist[i][1]));
        cJSON_AddItemToArray(h, pair);
    }
}

static void add_accounting(cJSON *run, const wrk_result_t *r, const bench_tally_t *t) {
    cJSON_AddNumberToObject(run, "answers", (double)t->answers);
    cJSON_AddNumberToObject(run, "successes", (double)t->successes);
    cJSON_AddNumberToObject(run, "rps",
                            r->duration_s > 0 ? r3((double)t->successes / r->duration_s) : 0);
    cJSON_AddNumberToObject(run, "answers_rps",
                            r->duration_s > 0 ? r3((double)t->answers / r->duration_s) : 0);
    cJSON_AddNumberToObject(run, "bytes", (double)r->bytes);
    cJSON *e = cJSON_AddObjectToObject(run, "errors");
    cJSON_AddNumberToObject(e, "unexpected", (double)t->unexpected);
    cJSON_AddNumberToObject(e, "connect", (double)r->err_connect);
    cJSON_AddNumberToObject(e, "read", (double)r->err_read);
    cJSON_AddNumberToObject(e, "write", (double)r->err_write);
    cJSON_AddNumberToObject(e, "timeout", (double)r->err_timeout);
    cJSON_AddNumberToObject(e, "status", (double)r->err_status);
    cJSON_AddNumberToObject(e, "total", (double)(t->unexpected + t->socket_errors));
    cJSON_AddNumberToObject(e, "rate", t->error_rate);
    cJSON_AddStringToObject(run, "counting", t->exact ? "lua" : "wrk");
    if (t->exact) {
        cJSON *st = cJSON_AddObjectToObject(run, "statuses");
        for (size_t i = 0; i < r->nstatuses; i++) {
            char code[16];
            snprintf(code, sizeof code, "%d", r->status_code[i]);
            cJSON_AddNumberToObject(st, code, (double)r->status_count[i]);
        }
    }
}

bool bj_add_run(cJSON *level, int rep, const char *cmd, const wrk_result_t *r,
                const proc_sampler_t *smp, double wrk_util, const scn_t *s, char *why,
                size_t whylen) {
    bench_tally_t t;
    bench_tally(s, r, &t);
    bool ok = bench_tally_ok(&t, s->tolerated_error_rate, why, whylen);
    cJSON *run = cJSON_CreateObject();
    cJSON_AddNumberToObject(run, "repeat", rep);
    cJSON_AddStringToObject(run, "command", cmd);
    cJSON_AddNumberToObject(run, "duration_s", r3(r->duration_s));
    cJSON_AddNumberToObject(run, "requests", (double)r->requests);
    add_accounting(run, r, &t);
    cJSON_AddBoolToObject(run, "accepted", ok);
    add_latency(run, r);
    double rs = read_share(s), lo, hi;
    if (rs > 0 &&
        bench_read_p99_bounds((const long long(*)[2])r->hist, r->nhist, rs, &lo, &hi) == 0) {
        cJSON *b = cJSON_AddObjectToObject(run, "read_p99_us");
        cJSON_AddNumberToObject(b, "low", lo);
        cJSON_AddNumberToObject(b, "high", hi);
        cJSON_AddNumberToObject(b, "read_share", r3(rs));
    }
    if (r->counted_created) cJSON_AddNumberToObject(run, "created", (double)r->created);
    if (smp) {
        double cpu = proc_sampler_cpu_s(smp);
        cJSON_AddNumberToObject(run, "cpu_s", r3(cpu));
        cJSON_AddNumberToObject(run, "rps_per_cpu_s", cpu > 0 ? r3((double)t.successes / cpu) : 0);
        if (t.successes > 0)
            cJSON_AddNumberToObject(run, "cpu_us_per_req", r3(cpu * 1e6 / (double)t.successes));
        else
            cJSON_AddNullToObject(run, "cpu_us_per_req");
        cJSON_AddNumberToObject(run, "rss_peak_kb", (double)smp->rss_peak_kb);
        cJSON_AddNumberToObject(run, "rss_mean_kb", round(proc_sampler_rss_mean_kb(smp)));
        cJSON_AddNumberToObject(run, "pss_peak_kb", (double)smp->pss_peak_kb);
        cJSON_AddNumberToObject(run, "pss_mean_kb", round(proc_sampler_pss_mean_kb(smp)));
        cJSON_AddNumberToObject(run, "processes", smp->last.nproc);
    } else {
        static const char *const none[] = {
            "cpu_s",       "rps_per_cpu_s", "cpu_us_per_req", "rss_peak_kb",
            "rss_mean_kb", "pss_peak_kb",   "pss_mean_kb",    NULL};
        for (const char *const *k = none; *k; k++) cJSON_AddNullToObject(run, *k);
    }
    cJSON_AddNumberToObject(run, "wrk_cpu_util", r3(wrk_util));
    cJSON_AddBoolToObject(run, "client_bound", wrk_util >= WRK_CLIENT_BOUND_UTIL);
    cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(level, "runs"), run);
    return ok;
}

/* Why by hand: cJSON 1.7.15 (Debian 12) cannot insert into the middle of an array
 * (cJSON_InsertItemInArray returns false and leaves the item out, fixed in 1.7.16); appending
 * works, so the runs from the insertion point on are moved out and appended back. */
void bj_runs_put_in_order(cJSON *runs, cJSON *run) {
    double rep = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(run, "repeat"));
    int at = 0;
    const cJSON *r;
    cJSON_ArrayForEach(r, runs) {
        if (cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(r, "repeat")) > rep) break;
        at++;
    }
    cJSON *tail = cJSON_CreateArray();
    while (tail && cJSON_GetArraySize(runs) > at)
        cJSON_AddItemToArray(tail, cJSON_DetachItemFromArray(runs, at));
    cJSON_AddItemToArray(runs, run);
    while (tail && cJSON_GetArraySize(tail) > 0)
        cJSON_AddItemToArray(runs, cJSON_DetachItemFromArray(tail, 0));
    cJSON_Delete(tail);
}

/* Adds name: {median, min, max, cv_pct, unstable} over field (path "a" or "a.b") of every run;
 * skipped when a run lacks the number (e.g. cpu_s of an external target). Returns the spread
 * (n = 0 when skipped). */
static bench_spread_t spread_of(cJSON *summary, const cJSON *runs, const char *name,
                                const char *field, const char *sub, double cv_thr) {
    double v[BJ_MAX_RUNS];
    size_t n = 0;
    bench_spread_t none = {0, 0, 0, 0, 0};
    for (const cJSON *r = runs->child; r && n < BJ_MAX_RUNS; r = r->next) {
        const cJSON *x = cJSON_GetObjectItemCaseSensitive(r, field);
        if (sub) x = cJSON_GetObjectItemCaseSensitive(x, sub);
        if (!cJSON_IsNumber(x)) return none;
        v[n++] = x->valuedouble;
    }
    bench_spread_t s = bench_spread(v, n);
    cJSON *o = cJSON_AddObjectToObject(summary, name);
    cJSON_AddNumberToObject(o, "median", r3(s.median));
    cJSON_AddNumberToObject(o, "min", r3(s.min));
    cJSON_AddNumberToObject(o, "max", r3(s.max));
    cJSON_AddNumberToObject(o, "n", (double)s.n);
    if (s.n >= 2)
        cJSON_AddNumberToObject(o, "cv_pct", r3(s.cv_pct));
    else
        cJSON_AddNullToObject(o, "cv_pct");
    cJSON_AddBoolToObject(o, "unstable", bench_unstable(&s, cv_thr));
    return s;
}

void bj_level_summarise(cJSON *level, double cv_thr, double ceiling_rps) {
    const cJSON *runs = cJSON_GetObjectItemCaseSensitive(level, "runs");
    cJSON_DeleteItemFromObjectCaseSensitive(level, "summary");
    cJSON *s = cJSON_AddObjectToObject(level, "summary");
    cJSON_AddNumberToObject(s, "runs", cJSON_GetArraySize(runs));
    bench_spread_t rps = spread_of(s, runs, "rps", "rps", NULL, cv_thr);
    spread_of(s, runs, "answers_rps", "answers_rps", NULL, cv_thr);
    spread_of(s, runs, "p50_us", "latency_us", "p50", cv_thr);
    spread_of(s, runs, "p90_us", "latency_us", "p90", cv_thr);
    bench_spread_t p99 = spread_of(s, runs, "p99_us", "latency_us", "p99", cv_thr);
    spread_of(s, runs, "p99_9_us", "latency_us", "p99_9", cv_thr);
    spread_of(s, runs, "read_p99_low_us", "read_p99_us", "low", cv_thr);
    spread_of(s, runs, "read_p99_high_us", "read_p99_us", "high", cv_thr);
    spread_of(s, runs, "cpu_s", "cpu_s", NULL, cv_thr);
    spread_of(s, runs, "rps_per_cpu_s", "rps_per_cpu_s", NULL, cv_thr);
    spread_of(s, runs, "cpu_us_per_req", "cpu_us_per_req", NULL, cv_thr);
    spread_of(s, runs, "rss_peak_kb", "rss_peak_kb", NULL, cv_thr);
    spread_of(s, runs, "pss_peak_kb", "pss_peak_kb", NULL, cv_thr);
    double errors = 0, unexpected = 0, max_rate = 0, max_util = 0;
    bool accepted = true;
    for (const cJSON *r = runs->child; r; r = r->next) {
        const cJSON *e = cJSON_GetObjectItemCaseSensitive(r, "errors");
        const cJSON *tot = cJSON_GetObjectItemCaseSensitive(e, "total");
        const cJSON *un = cJSON_GetObjectItemCaseSensitive(e, "unexpected");
        const cJSON *rate = cJSON_GetObjectItemCaseSensitive(e, "rate");
        const cJSON *u = cJSON_GetObjectItemCaseSensitive(r, "wrk_cpu_util");
        if (cJSON_IsNumber(tot)) errors += tot->valuedouble;
        if (cJSON_IsNumber(un)) unexpected += un->valuedouble;
        if (cJSON_IsNumber(rate) && rate->valuedouble > max_rate) max_rate = rate->valuedouble;
        if (cJSON_IsNumber(u) && u->valuedouble > max_util) max_util = u->valuedouble;
        accepted &= !cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(r, "accepted"));
    }
    cJSON_AddNumberToObject(s, "errors", errors);
    cJSON_AddNumberToObject(s, "unexpected", unexpected);
    cJSON_AddNumberToObject(s, "error_rate_max", max_rate);
    cJSON_AddBoolToObject(s, "accepted", accepted);
    cJSON_AddBoolToObject(s, "unstable",
                          bench_unstable(&rps, cv_thr) || bench_unstable(&p99, cv_thr));
    if (ceiling_rps > 0)
        cJSON_AddNumberToObject(s, "ceiling_rps", r3(ceiling_rps));
    else
        cJSON_AddNullToObject(s, "ceiling_rps");
    cJSON_AddNumberToObject(s, "wrk_cpu_util_max", r3(max_util));
    cJSON_AddBoolToObject(s, "client_bound",
                          rps.n > 0 && bench_client_bound(rps.median, ceiling_rps, max_util));
}

/* The ceiling entry of (scenario, connections), created when absent. */
cJSON *bj_ceiling_level(cJSON *doc, const char *scenario, int connections) {
    cJSON *arr = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(doc, "ceiling"),
                                                  "scenarios");
    cJSON *e;
    cJSON_ArrayForEach(e, arr) {
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(e, "scenario");
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(e, "connections");
        if (cJSON_IsString(n) && !strcmp(n->valuestring, scenario) && cJSON_IsNumber(c) &&
            (int)c->valuedouble == connections)
            return e;
    }
    e = cJSON_CreateObject();
    cJSON_AddStringToObject(e, "scenario", scenario);
    cJSON_AddNumberToObject(e, "connections", connections);
    cJSON_AddArrayToObject(e, "runs");
    cJSON_AddItemToArray(arr, e);
    return e;
}

void bj_add_ceiling_run(cJSON *entry, int rep, const char *cmd, const wrk_result_t *r,
                        double util) {
    cJSON *run = cJSON_CreateObject();
    cJSON_AddNumberToObject(run, "repeat", rep);
    cJSON_AddStringToObject(run, "command", cmd);
    cJSON_AddNumberToObject(run, "duration_s", r3(r->duration_s));
    cJSON_AddNumberToObject(run, "rps",
                            r->duration_s > 0 ? r3((double)r->requests / r->duration_s) : 0);
    cJSON_AddNumberToObject(run, "wrk_cpu_util", r3(util));
    cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(entry, "runs"), run);
    cJSON_DeleteItemFromObjectCaseSensitive(entry, "summary");
    cJSON *s = cJSON_AddObjectToObject(entry, "summary");
    spread_of(s, cJSON_GetObjectItemCaseSensitive(entry, "runs"), "rps", "rps", NULL, 1e9);
}

double bj_ceiling_rps(const cJSON *doc, const char *scenario, int connections) {
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(doc, "ceiling"), "scenarios");
    const cJSON *e;
    cJSON_ArrayForEach(e, arr) {
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(e, "scenario");
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(e, "connections");
        if (!cJSON_IsString(n) || strcmp(n->valuestring, scenario) || !cJSON_IsNumber(c) ||
            (int)c->valuedouble != connections)
            continue;
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(e, "summary"), "rps"),
            "median");
        return cJSON_IsNumber(m) ? m->valuedouble : -1;
    }
    return -1;
}

static double summary_median(const cJSON *level, const char *name) {
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(level, "summary");
    const cJSON *m =
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(s, name), "median");
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
        const cJSON *cv =
            cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(s, "rps"), "cv_pct");
        const cJSON *pcv = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(s, "p99_us"), "cv_pct");
        const cJSON *ceil = cJSON_GetObjectItemCaseSensitive(s, "ceiling_rps");
        char spread[96] = "", bound[96] = "";
        if (cJSON_IsNumber(cv))
            snprintf(spread, sizeof spread, " (CV %.1f%%, p99 CV %.1f%%%s)", cv->valuedouble,
                     cJSON_IsNumber(pcv) ? pcv->valuedouble : 0,
                     cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(s, "unstable")) ? ", UNSTABLE"
                                                                                   : "");
        if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(s, "client_bound")))
            snprintf(bound, sizeof bound, " (client-bound: ceiling %.0f req/s)",
                     cJSON_IsNumber(ceil) ? ceil->valuedouble : 0);
        int w = snprintf(line + used, sizeof line - used,
                         "%s%d conn: %.0f ok req/s%s, %.1f CPU us/req, p99 %.2f ms, %.0f errors%s",
                         used ? "; " : "", cJSON_IsNumber(c) ? (int)c->valuedouble : 0,
                         summary_median(l, "rps"), spread, summary_median(l, "cpu_us_per_req"),
                         summary_median(l, "p99_us") / 1000.0,
                         cJSON_IsNumber(e) ? e->valuedouble : 0, bound);
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
    if (msg)
        cJSON_AddStringToObject(i, "message", msg);
    else
        cJSON_AddNullToObject(i, "message");
}
