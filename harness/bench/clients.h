/* clients: one wrk run spread over several load machines (`parity bench --client`), and the
 * exact merge of their results.
 *
 * Why: one load generator saturates before a fast target does (quill keeps wrk's core busy on
 * this machine), and a target on its own host must be loaded from outside. Rather than a
 * home-made agent, every client is reached with OpenSSH (`ssh -o BatchMode=yes HOST sh -c ...`;
 * "local" runs the same shell text under /bin/sh) and runs the stock wrk on the SAME generated
 * script. The script travels on the session's stdin; each client answers "ready" once it holds
 * the script, and only when every client is ready does parity send one "go" line to all of them:
 * a start barrier that needs no synchronised clocks. Each client then prints the JSON that the
 * script's done() wrote, and a last line with the CPU time its shell's children used (from
 * /proc/$$/stat after wrk was reaped) and its CPU count, so that a client-bound client is flagged
 * per client, remote or local.
 *
 * The level's connections are split over the clients (a level means the same total concurrency
 * whatever the number of clients); each client gets the client index in PARITY_CLIENT, which the
 * script appends to its nonce, so that generated values (titles, bodies) stay unique across
 * clients.
 *
 * Merging is exact: wrk's done() histogram holds the exact latency of every answer in
 * microseconds ([us, count] pairs; each client's is parsed with its own connection count, which
 * undoes wrk's correction, see wrk_hist.c), so the merged histogram is the bucket-wise sum, and
 * every percentile is recomputed from it with wrk's own rule (never averaged). Counts add; the
 * merged duration is the longest client's (the common window, the clients having started together).
 *
 * Ownership: clients_run fills an array of wrk_result_t that the caller frees one by one. */
#ifndef PARITY_CLIENTS_H
#define PARITY_CLIENTS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/util.h"
#include "wrk.h"

#define CLIENTS_MAX      16           /* --client occurrences */
#define CLIENTS_SPEC_MAX 256          /* bytes of one ssh://[USER@]HOST[:PORT] */
#define CLIENTS_READY_S  30           /* seconds for every client to hold the script */
#define CLIENTS_SSH_ENV  "PARITY_SSH" /* another ssh binary (tests); default "ssh" */

typedef struct client_spec {
    char spec[CLIENTS_SPEC_MAX]; /* as given: "local" or "ssh://..." */
    bool local;
    char dest[CLIENTS_SPEC_MAX]; /* ssh destination: USER@HOST or HOST */
    int port;                    /* 0: ssh's default */
} client_spec_t;

/* Parses "local" or "ssh://[USER@]HOST[:PORT]" (HOST may be [v6]). -1 with a message. */
int client_parse(const char *s, client_spec_t *c, err_t *err);

/* Checks that every ssh client answers and has wrk (`ssh HOST command -v wrk`), so that a
 * missing ssh binary or an unreachable host is reported before any target starts. */
int clients_preflight(const client_spec_t *c, size_t n, err_t *err);

typedef struct client_out {
    wrk_result_t r;
    double cpu_s; /* CPU seconds of the client's wrk */
    int ncpus;    /* CPUs it could use */
    double util;  /* cpu_s / duration / ncpus */
    int connections;
} client_out_t;

/* Runs wrk with script (the generated Lua) on every client at once against o->url; o's
 * connections are split over the clients, o->cpus (local clients only) pins them. Each client's
 * raw output is kept in raw_prefix.clientN.json. out[] gets n results (freed by the caller with
 * wrk_result_free on success). */
int clients_run(const client_spec_t *c, size_t n, const wrk_opts_t *o, const char *script,
                size_t script_len, const char *raw_prefix, client_out_t *out, err_t *err);

/* The exact merge: counts add, histograms add bucket by bucket, percentiles, mean and stdev are
 * recomputed from the merged histogram; duration is the longest. Statuses add by code. */
int wrk_merge(const wrk_result_t *in, size_t n, wrk_result_t *out, err_t *err);

/* For bench.c: runs the generated script (held in script) on every client, merges into r,
 * *util the busiest client's CPU share, cmd gets the command and the clients. out[] keeps the
 * per-client results until clients_json_last or the next call. */
struct cJSON;
struct prom_sampler;
int clients_wrk(const client_spec_t *c, size_t n, const wrk_opts_t *o, const buf_t *script,
                const char *base, client_out_t *out, wrk_result_t *r, double *util, buf_t *cmd,
                err_t *err);
/* Adds "clients" (per-client figures) and "target_metrics" (the exporter's figures) to the last
 * run of runs; either may be absent (n == 0, prom NULL). */
void clients_json_last(struct cJSON *runs, const client_spec_t *c, size_t n,
                       const client_out_t *out, const struct prom_sampler *prom);
/* settings.clients (["local"] by default) and settings.target_metrics ({url, group} or null). */
void clients_settings_json(struct cJSON *settings, const client_spec_t *c, size_t n,
                           const char *metrics_url, const char *metrics_group);

#endif
