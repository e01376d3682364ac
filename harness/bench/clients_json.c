/* clients_json: the --client and --target-metrics glue of bench.c, and what they add to a run
 * of bench.json (see clients.h, prom.h). */
#include "clients.h"

#include <math.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "prom.h"

static double r3(double v) {
    return round(v * 1000) / 1000;
}

int clients_wrk(const client_spec_t *c, size_t n, const wrk_opts_t *o, const buf_t *script,
                const char *base, client_out_t *out, wrk_result_t *r, double *util, buf_t *cmd,
                err_t *err) {
    for (size_t i = 0; i < n; i++) wrk_result_free(&out[i].r);
    if (cmd) {
        int rc = buf_printf(cmd, " (connections split over %zu client%s:", n, n > 1 ? "s" : "");
        for (size_t i = 0; i < n; i++) rc |= buf_printf(cmd, " %s", c[i].spec);
        if (rc | buf_addc(cmd, ')')) return err_set(err, "command line too long");
    }
    if (clients_run(c, n, o, script->ptr ? script->ptr : "", script->len, base, out, err) < 0)
        return -1;
    wrk_result_t in[CLIENTS_MAX];
    *util = 0;
    for (size_t i = 0; i < n; i++) {
        in[i] = out[i].r;
        if (out[i].util > *util) *util = out[i].util;
    }
    return wrk_merge(in, n, r, err);
}

static void add_client(cJSON *arr, const client_spec_t *c, const client_out_t *o) {
    const wrk_result_t *r = &o->r;
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "client", c->spec);
    cJSON_AddNumberToObject(j, "connections", o->connections);
    cJSON_AddNumberToObject(j, "duration_s", r3(r->duration_s));
    cJSON_AddNumberToObject(j, "requests", (double)r->requests);
    cJSON_AddNumberToObject(j, "bytes", (double)r->bytes);
    cJSON_AddNumberToObject(j, "rps",
                            r->duration_s > 0 ? r3((double)r->requests / r->duration_s) : 0);
    cJSON *e = cJSON_AddObjectToObject(j, "errors");
    cJSON_AddNumberToObject(e, "connect", (double)r->err_connect);
    cJSON_AddNumberToObject(e, "read", (double)r->err_read);
    cJSON_AddNumberToObject(e, "write", (double)r->err_write);
    cJSON_AddNumberToObject(e, "status", (double)r->err_status);
    cJSON_AddNumberToObject(e, "timeout", (double)r->err_timeout);
    if (r->counted_created) cJSON_AddNumberToObject(j, "created", (double)r->created);
    long long hist_total = 0;
    for (size_t i = 0; i < r->nhist; i++) hist_total += r->hist[i][1];
    cJSON *l = cJSON_AddObjectToObject(j, "latency_us");
    cJSON_AddNumberToObject(l, "count", (double)hist_total);
    cJSON_AddNumberToObject(l, "p50", r->p50_us);
    cJSON_AddNumberToObject(l, "p90", r->p90_us);
    cJSON_AddNumberToObject(l, "p99", r->p99_us);
    cJSON_AddNumberToObject(l, "p99_9", r->p99_9_us);
    wrk_reported_json(j, r);
    cJSON_AddNumberToObject(j, "wrk_cpu_s", r3(o->cpu_s));
    cJSON_AddNumberToObject(j, "cpus", o->ncpus);
    cJSON_AddNumberToObject(j, "wrk_cpu_util", r3(o->util));
    cJSON_AddBoolToObject(j, "client_bound", o->util >= WRK_CLIENT_BOUND_UTIL);
    cJSON_AddItemToArray(arr, j);
}

void clients_json_last(cJSON *runs, const client_spec_t *c, size_t n, const client_out_t *out,
                       const prom_sampler_t *prom) {
    int k = cJSON_GetArraySize(runs);
    cJSON *run = k > 0 ? cJSON_GetArrayItem(runs, k - 1) : NULL;
    if (!run) return;
    if (n) {
        cJSON *arr = cJSON_AddArrayToObject(run, "clients");
        for (size_t i = 0; i < n; i++) add_client(arr, &c[i], &out[i]);
        /* The merged histogram's count, for a reader checking the merge: the sum of the
         * clients' counts, every percentile above recomputed from the merged buckets. */
        long long total = 0;
        for (size_t i = 0; i < n; i++)
            for (size_t b = 0; b < out[i].r.nhist; b++) total += out[i].r.hist[b][1];
        cJSON_AddNumberToObject(run, "latency_count", (double)total);
    }
    if (prom) {
        cJSON *m = cJSON_AddObjectToObject(run, "target_metrics");
        cJSON_AddStringToObject(m, "source", prom->url);
        cJSON_AddStringToObject(m, "group", prom->group);
        cJSON_AddNumberToObject(m, "scrapes", (double)prom->samples);
        cJSON_AddNumberToObject(m, "failed_scrapes", (double)prom->failures);
        double wall = (double)(prom->t_last_ms - prom->t_first_ms) / 1000.0;
        double cpu = prom->last.cpu_s - prom->first.cpu_s;
        cJSON_AddNumberToObject(m, "cpu_s", r3(cpu));
        cJSON_AddNumberToObject(m, "cpu_util", wall > 0 ? r3(cpu / wall) : 0);
        cJSON_AddNumberToObject(m, "rss_peak_kb", round(prom->rss_peak / 1024));
        cJSON_AddNumberToObject(m, "rss_last_kb", round(prom->last.rss_bytes / 1024));
        cJSON_AddNumberToObject(m, "pss_peak_kb", round(prom->pss_peak / 1024));
        cJSON_AddNumberToObject(m, "processes", prom->last.nprocs);
        if (prom->failures) cJSON_AddStringToObject(m, "last_error", prom->last_error);
    }
}

void clients_settings_json(cJSON *settings, const client_spec_t *c, size_t n,
                           const char *metrics_url, const char *metrics_group) {
    cJSON *arr = cJSON_AddArrayToObject(settings, "clients");
    if (n == 0) cJSON_AddItemToArray(arr, cJSON_CreateString("local"));
    for (size_t i = 0; i < n; i++) cJSON_AddItemToArray(arr, cJSON_CreateString(c[i].spec));
    cJSON_AddStringToObject(settings, "clients_mode",
                            n == 0 ? "one wrk on this machine"
                                   : "the same script on every client over OpenSSH, started "
                                     "together; connections split; histograms merged exactly");
    if (metrics_url) {
        cJSON *m = cJSON_AddObjectToObject(settings, "target_metrics");
        cJSON_AddStringToObject(m, "url", metrics_url);
        cJSON_AddStringToObject(m, "group", metrics_group ? metrics_group : "");
        cJSON_AddNumberToObject(m, "sample_hz", PROM_SAMPLE_HZ);
    } else {
        cJSON_AddNullToObject(settings, "target_metrics");
    }
}
