/* bench_open: open-loop sweeps (see bench_open.h). */
#include "bench_open.h"

#include <errno.h>
#include <stdarg.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "scenario_stream.h"

#include "core/json.h"

#define BENCH_OPEN_MAX_RATE 1000000.0 /* requests/s a --rates value may ask for */
#define BENCH_OPEN_MAX_RUNS 64        /* runs of one level read for its median */

static const double FRACTIONS[] = BENCH_OPEN_AUTO_FRACTIONS;
#define NFRACTIONS (sizeof FRACTIONS / sizeof *FRACTIONS)

int bench_open_parse_rates(const char *s, bench_open_opts_t *o) {
    o->nrates = 0;
    const char *p = s;
    while (*p) {
        char *end;
        errno = 0;
        double v = strtod(p, &end);
        if (errno || end == p) return -1;
        if (*end == 'k' || *end == 'K') {
            v *= 1000;
            end++;
        }
        if (!(v > 0) || v > BENCH_OPEN_MAX_RATE || o->nrates >= BENCH_OPEN_MAX_RATES) return -1;
        if (*end && *end != ',') return -1;
        o->rates[o->nrates++] = v;
        p = *end ? end + 1 : end;
        if (*end == ',' && !*p) return -1;
    }
    return o->nrates ? 0 : -1;
}

int bench_open_option(bench_open_opts_t *o, int ch, const char *arg) {
    char *end;
    switch (ch) {
    case BENCH_OPEN_OPT_OPEN: o->enabled = true; return 0;
    case BENCH_OPEN_OPT_RATES:
        if (o->auto_sweep || bench_open_parse_rates(arg, o) < 0) break;
        o->enabled = true;
        return 0;
    case BENCH_OPEN_OPT_SWEEP:
        if (strcmp(arg, "auto") || o->nrates) break;
        o->enabled = o->auto_sweep = true;
        return 0;
    case BENCH_OPEN_OPT_ARRIVALS:
        if (strcmp(arg, "uniform") && strcmp(arg, "poisson")) break;
        o->arrivals = strcmp(arg, "poisson") ? OL_UNIFORM : OL_POISSON;
        return 0;
    case BENCH_OPEN_OPT_SLO:
        errno = 0;
        o->slo_ms = strtod(arg, &end);
        if (errno || end == arg || *end || !(o->slo_ms > 0) || o->slo_ms > BENCH_OPEN_MAX_SLO_MS)
            break;
        return 0;
    case BENCH_OPEN_OPT_POLICY:
        if (strcmp(arg, "queue") && strcmp(arg, "drop")) break;
        o->policy = strcmp(arg, "drop") ? OL_QUEUE : OL_DROP;
        return 0;
    default: return -1;
    }
    static const char *const what[] = {
        "",
        "--rates takes requests/s, e.g. 500,1000,2.5k (at most 16, each above 0 and at most "
        "1000000; not with --sweep)",
        "--sweep takes auto (not with --rates)",
        "--arrivals takes uniform or poisson",
        "--slo takes milliseconds above 0 (at most 600000)",
        "--policy takes queue or drop"};
    fprintf(stderr, "parity: %s, not '%s'\n", what[ch - BENCH_OPEN_OPT_OPEN], arg ? arg : "");
    return -1;
}

bool bench_open_only(const bench_open_opts_t *o) {
    return o->enabled && o->nrates > 0;
}

bool bench_open_wants(const bench_open_opts_t *o, const char *scenario) {
    return o->enabled && (!o->scenario || strcmp(o->scenario, scenario) == 0);
}

double bench_open_seconds(const bench_open_opts_t *o, int duration_s, int repeat) {
    if (!o->enabled) return 0;
    size_t n = o->nrates ? o->nrates : NFRACTIONS;
    return (double)n * repeat * (duration_s + 1.0 + BENCH_OPEN_PAUSE_MS / 1000.0);
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* A level's median requests/s: its summary's when summarised, else the median of its runs. */
static double level_median(const cJSON *l) {
    const cJSON *m = json_get(json_get(json_get(l, "summary"), "rps"), "median"), *r;
    if (cJSON_IsNumber(m)) return m->valuedouble;
    double v[BENCH_OPEN_MAX_RUNS];
    size_t n = 0;
    cJSON_ArrayForEach(r, json_get(l, "runs")) {
        const cJSON *rps = json_get(r, "rps");
        if (cJSON_IsNumber(rps) && n < BENCH_OPEN_MAX_RUNS) v[n++] = rps->valuedouble;
    }
    if (n == 0) return 0;
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double bench_open_closed_max(const cJSON *sobj) {
    double best = 0;
    const cJSON *l;
    cJSON_ArrayForEach(l, json_get(sobj, "levels")) {
        double m = level_median(l);
        if (m > best) best = m;
    }
    return best;
}

static double slo(const bench_open_opts_t *o) {
    return o->slo_ms > 0 ? o->slo_ms : BENCH_OPEN_DEFAULT_SLO_MS;
}

static uint64_t failures(const ol_result_t *r) {
    return r->err_connect + r->err_read + r->err_write + r->timeouts + r->status_4xx +
           r->status_5xx;
}

bool bench_open_rate_ok(const ol_result_t *r, double slo_ms) {
    if (!r->sustained || r->scheduled == 0) return false;
    if (hdr_percentile(r->corrected, 99) > slo_ms * 1e6) return false;
    return (double)failures(r) <= BENCH_OPEN_MAX_ERROR_SHARE * (double)r->scheduled;
}

/* ---- JSON -------------------------------------------------------------------------------- */

static double r3(double v) {
    return round(v * 1000) / 1000;
}

static cJSON *percentiles(cJSON *parent, const char *name, const hdr_t *h) {
    static const struct {
        const char *key;
        double p;
    } P[] = {{"p50", 50}, {"p75", 75},     {"p90", 90},
             {"p99", 99}, {"p99_9", 99.9}, {"p99_99", 99.99}};
    cJSON *o = cJSON_AddObjectToObject(parent, name);
    for (size_t i = 0; i < sizeof P / sizeof *P; i++)
        cJSON_AddNumberToObject(o, P[i].key, r3(hdr_percentile(h, P[i].p) / 1e3));
    cJSON_AddNumberToObject(o, "max", r3(h->total ? (double)h->max / 1e3 : 0));
    cJSON_AddNumberToObject(o, "mean", r3(hdr_mean(h) / 1e3));
    cJSON_AddNumberToObject(o, "count", (double)h->total);
    return o;
}

/* [[microseconds, count], ...] ascending, bucket midpoints (within 0.4% of every value). */
static void histogram(cJSON *parent, const char *name, const hdr_t *h) {
    cJSON *a = cJSON_AddArrayToObject(parent, name);
    size_t i = 0;
    double mid;
    uint64_t n;
    while (hdr_next(h, &i, &mid, &n)) {
        cJSON *e = cJSON_CreateArray();
        cJSON_AddItemToArray(e, cJSON_CreateNumber(r3(mid / 1e3)));
        cJSON_AddItemToArray(e, cJSON_CreateNumber((double)n));
        cJSON_AddItemToArray(a, e);
    }
}

static void add_rate(cJSON *arr, double rate, double fraction, int runs, const ol_result_t *r,
                     double slo_ms) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddItemToArray(arr, o);
    cJSON_AddNumberToObject(o, "target_rps", r3(rate));
    if (fraction > 0)
        cJSON_AddNumberToObject(o, "fraction", fraction);
    else
        cJSON_AddNullToObject(o, "fraction");
    cJSON_AddNumberToObject(o, "runs", runs);
    cJSON_AddNumberToObject(o, "duration_s", r->duration_s);
    cJSON_AddNumberToObject(o, "achieved_rps", r3(r->achieved_rps));
    cJSON_AddNumberToObject(o, "send_rps", r3(r->send_rps));
    cJSON_AddBoolToObject(o, "sustained", r->sustained);
    cJSON_AddBoolToObject(o, "ok", bench_open_rate_ok(r, slo_ms));
    const struct {
        const char *k;
        uint64_t v;
    } C[] = {{"scheduled", r->scheduled},
             {"sent", r->sent},
             {"completed", r->completed},
             {"timeouts", r->timeouts},
             {"inflight_at_end", r->inflight_at_end},
             {"unsent_at_end", r->unsent_at_end},
             {"dropped", r->dropped},
             {"max_backlog", r->max_backlog},
             {"reconnects", r->reconnects},
             {"created", r->created}};
    for (size_t i = 0; i < sizeof C / sizeof *C; i++)
        cJSON_AddNumberToObject(o, C[i].k, (double)C[i].v);
    cJSON *e = cJSON_AddObjectToObject(o, "errors");
    cJSON_AddNumberToObject(e, "connect", (double)r->err_connect);
    cJSON_AddNumberToObject(e, "read", (double)r->err_read);
    cJSON_AddNumberToObject(e, "write", (double)r->err_write);
    cJSON_AddNumberToObject(e, "status", (double)(r->status_4xx + r->status_5xx));
    cJSON_AddNumberToObject(o, "engine_cpu_s", r3(r->cpu_s));
    percentiles(o, "corrected_us", r->corrected);
    percentiles(o, "uncorrected_us", r->uncorrected);
    percentiles(o, "send_lag_us", r->lag);
    histogram(o, "histogram_corrected", r->corrected);
    histogram(o, "histogram_uncorrected", r->uncorrected);
}

/* ---- running ----------------------------------------------------------------------------- */

static int stream_request(void *ctx, uint64_t index, buf_t *out, bool *head, err_t *err) {
    (void)index;
    return scn_stream_next(ctx, out, head, err);
}

/* "http://127.0.0.1:PORT" (a trailing slash allowed; localhost means 127.0.0.1). */
static int split_url(const char *url, char *host, size_t hostlen, int *port, err_t *err) {
    const char *p = str_starts_with(url, "http://") ? url + 7 : NULL;
    const char *colon = p ? strrchr(p, ':') : NULL;
    long v;
    char num[16];
    if (colon) {
        size_t n = strcspn(colon + 1, "/");
        snprintf(num, sizeof num, "%.*s", (int)(n < 15 ? n : 15), colon + 1);
    }
    if (!colon || str_to_long(num, 1, 65535, &v) < 0)
        return err_set(err, "open-loop needs a URL http://IPV4:PORT, not %s", url);
    snprintf(host, hostlen, "%.*s", (int)(colon - p), p);
    if (strcmp(host, "localhost") == 0) snprintf(host, hostlen, "127.0.0.1");
    *port = (int)v;
    return 0;
}

static void say(const bench_open_ctx_t *x, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void say(const bench_open_ctx_t *x, const char *fmt, ...) {
    if (!x->progress) return;
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    x->progress(x->progress_arg, line);
}

/* Before a rate, one request alone, until it is answered (at most BENCH_OPEN_SETTLE_S): a rate
 * must not start behind what the previous run left queued in the target (wrk abandons its
 * in-flight requests when a run ends; a slow server still works through them, and an overloaded
 * rate leaves its own). Returns the milliseconds it took. */
static double settle(const bench_open_ctx_t *x, const scn_t *s, const char *host, int port,
                     size_t ri, long long *acked, long long *inflight) {
    char nonce[48], hostport[64];
    snprintf(nonce, sizeof nonce, "o%zu-settle", ri + 1);
    snprintf(hostport, sizeof hostport, "%s:%d", host, port);
    scn_stream_t st;
    err_t err;
    if (scn_stream_init(&st, s, x->pools, x->npools, hostport, nonce, &err) < 0) return -1;
    /* one request due at T0 (the next would be due after the 0.5 ms window) */
    ol_opts_t oo = {.host = host,
                    .port = port,
                    .connections = 1,
                    .rate = 1000,
                    .duration_s = 0.0005,
                    .timeout_s = BENCH_OPEN_SETTLE_S,
                    .drain_s = BENCH_OPEN_SETTLE_S,
                    .request = stream_request,
                    .request_ctx = &st};
    ol_result_t r;
    double ms = -1;
    if (ol_result_init(&r) == 0) {
        if (ol_run(&oo, &r, &err) == 0) {
            ms = r.corrected->total ? (double)r.corrected->max / 1e6 : -1;
            *acked += (long long)r.created;
            *inflight += (long long)(r.timeouts - r.unsent_at_end + r.err_read + r.err_write);
        }
        ol_result_free(&r);
    }
    scn_stream_free(&st);
    return ms;
}

/* One rate, repeat times, merged into *m. */
static int run_rate(const bench_open_opts_t *o, const bench_open_ctx_t *x, const scn_t *s,
                    const char *host, int port, size_t ri, double rate, ol_result_t *m,
                    err_t *err) {
    for (int rep = 1; rep <= x->repeat; rep++) {
        char nonce[48];
        snprintf(nonce, sizeof nonce, "o%zu-r%d", ri + 1, rep);
        char hostport[64];
        snprintf(hostport, sizeof hostport, "%s:%d", host, port);
        scn_stream_t st;
        if (scn_stream_init(&st, s, x->pools, x->npools, hostport, nonce, err) < 0) return -1;
        ol_opts_t oo = {.host = host,
                        .port = port,
                        .connections = x->connections,
                        .rate = rate,
                        .duration_s = x->duration_s,
                        .arrivals = o->arrivals,
                        .policy = o->policy,
                        .seed = (uint64_t)(ri * 1000 + (size_t)rep),
                        .timeout_s = OL_DEFAULT_TIMEOUT_S,
                        .drain_s = -1,
                        .request = stream_request,
                        .request_ctx = &st};
        ol_result_t r;
        int rc = ol_result_init(&r) < 0 ? err_set(err, "out of memory") : ol_run(&oo, &r, err);
        scn_stream_free(&st);
        if (rc == 0) ol_result_merge(m, &r);
        ol_result_free(&r);
        if (rc < 0) return -1;
        struct timespec ts = {0, BENCH_OPEN_PAUSE_MS * 1000000L};
        while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
        }
    }
    ol_result_finish(m, rate);
    return 0;
}

int bench_open_scenario(const bench_open_opts_t *o, const bench_open_ctx_t *x, const scn_t *s,
                        cJSON *sobj, long long *acked, long long *inflight, err_t *err) {
    char host[64];
    int port = 0;
    if (split_url(x->url, host, sizeof host, &port, err) < 0) return -1;
    double rates[BENCH_OPEN_MAX_RATES], fr[BENCH_OPEN_MAX_RATES];
    size_t n = 0;
    double anchor = o->nrates ? 0 : bench_open_closed_max(sobj);
    cJSON *open = cJSON_AddObjectToObject(sobj, "open");
    cJSON_AddStringToObject(open, "arrivals", o->arrivals == OL_POISSON ? "poisson" : "uniform");
    cJSON_AddStringToObject(open, "policy", o->policy == OL_DROP ? "drop" : "queue");
    cJSON_AddNumberToObject(open, "slo_ms", slo(o));
    cJSON_AddNumberToObject(open, "connections", x->connections);
    cJSON_AddNumberToObject(open, "duration_s", x->duration_s);
    cJSON_AddNumberToObject(open, "repeat", x->repeat);
    cJSON_AddStringToObject(open, "rates_from", o->nrates ? "--rates" : "closed-loop max");
    if (o->nrates)
        cJSON_AddNullToObject(open, "closed_loop_max_rps");
    else
        cJSON_AddNumberToObject(open, "closed_loop_max_rps", r3(anchor));
    for (size_t i = 0; i < (o->nrates ? o->nrates : NFRACTIONS); i++) {
        rates[n] = o->nrates ? o->rates[i] : FRACTIONS[i] * anchor;
        fr[n] = o->nrates ? 0 : FRACTIONS[i];
        if (rates[n] > 0) n++;
    }
    cJSON *arr = cJSON_AddArrayToObject(open, "rates");
    if (n == 0) {
        cJSON_AddNullToObject(open, "max_sustained_rps");
        cJSON_AddStringToObject(open, "error", "no closed-loop maximum to sweep from");
        return 0;
    }
    cpu_set_t saved;
    bool pinned = x->cpus && sched_getaffinity(0, sizeof saved, &saved) == 0 &&
                  sched_setaffinity(0, sizeof *x->cpus, x->cpus) == 0;
    double best = -1;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        say(x, "open loop %.0f req/s (%zu/%zu), %d connections", rates[i], i + 1, n,
            x->connections);
        ol_result_t m;
        if (ol_result_init(&m) < 0) {
            rc = err_set(err, "out of memory");
            break;
        }
        double settle_ms = settle(x, s, host, port, i, acked, inflight);
        rc = run_rate(o, x, s, host, port, i, rates[i], &m, err);
        if (rc == 0) {
            add_rate(arr, rates[i], fr[i], x->repeat, &m, slo(o));
            cJSON_AddNumberToObject(cJSON_GetArrayItem(arr, cJSON_GetArraySize(arr) - 1),
                                    "settle_ms", r3(settle_ms));
            if (bench_open_rate_ok(&m, slo(o)) && rates[i] > best) best = rates[i];
            *acked += (long long)m.created;
            *inflight += (long long)(m.timeouts - m.unsent_at_end + m.err_read + m.err_write);
        }
        ol_result_free(&m);
    }
    if (pinned) sched_setaffinity(0, sizeof saved, &saved);
    if (best > 0)
        cJSON_AddNumberToObject(open, "max_sustained_rps", r3(best));
    else
        cJSON_AddNullToObject(open, "max_sustained_rps");
    return rc;
}
