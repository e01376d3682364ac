/* openloop: parity's open-loop load engine: requests go out at a fixed arrival rate whatever the
 * server does, and latency is measured from when each request was due.
 *
 * Why: a closed-loop generator (wrk) sends the next request on a connection only when the
 * previous answer came back, so when the server stalls it simply stops sending: the requests
 * users would have sent during the stall are never made and never measured (coordinated
 * omission). Here the schedule is fixed in advance: request i is due at T0 + i/R (uniform) or
 * after exponential gaps of mean 1/R (poisson, a seeded generator so a run can be repeated),
 * on CLOCK_MONOTONIC in nanoseconds, computed from i (no accumulated rounding). Due requests
 * wait in a FIFO and go out on the first idle keep-alive connection (idle connections are taken
 * in turn, the one idle longest first). Each response is recorded
 * twice: from the due time (corrected: what a user sees, queueing included) and from the actual
 * send (uncorrected: the service time, what a closed-loop tool reports).
 *
 * One thread, epoll, non-blocking sockets, level-triggered; no thread per connection. The
 * connections are opened before T0, OL_STAGGER_NS apart (no SYN burst), and the schedule starts
 * when every one is connected. Late requests are never compressed into a burst beyond what is
 * due: a request leaves when it is due and a connection is idle, not earlier; the schedule does
 * not shift to "catch up".
 *
 * When every connection is busy: policy queue (default) keeps due requests in the FIFO (capped
 * at OL_MAX_BACKLOG, overflow counted as dropped); policy drop discards a request that finds no
 * idle connection at its due time and counts it. The largest backlog is reported.
 *
 * The end: the schedule covers [T0, T0 + duration); nothing new is due after it. For up to
 * drain_s more, requests still queued go out and those in flight finish (their latencies are
 * real and recorded); what is still queued or in flight then counts as a timeout and is recorded
 * in the corrected histogram with the time it had waited so far (a lower bound), so losing
 * requests can never make the percentiles look better. A request in flight longer than
 * timeout_s is a timeout too (its connection is closed and reopened).
 *
 * achieved_rps = responses received within the window / duration (answers that come in during
 * the drain do not count: a server at 70% of the rate would otherwise catch up on its backlog
 * there and look sustained); a run below OL_SUSTAINED_SHARE of the target rate is not
 * sustained.
 *
 * Ownership: ol_result_t owns its histograms (ol_result_free). The request callback fills a
 * buffer the engine owns. */
#ifndef PARITY_OPENLOOP_H
#define PARITY_OPENLOOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/hdr.h"
#include "core/util.h"

#define OL_MAX_CONNECTIONS   4096
#define OL_MAX_RATE          10000000.0 /* requests/s */
#define OL_MAX_DURATION_S    3600.0
#define OL_MAX_BACKLOG       (1u << 20)  /* due requests waiting for a connection */
#define OL_MAX_REQUEST       (4u << 20)  /* bytes of one rendered request */
#define OL_STAGGER_NS        500000ull   /* between two connection openings */
#define OL_CONNECT_TIMEOUT_S 10.0        /* connections opened before T0; at least one */
#define OL_RECONNECT_NS      10000000ull /* wait before reopening after a failed connect */
#define OL_SUSTAINED_SHARE   0.95        /* achieved / target below this: not sustained */
#define OL_DEFAULT_TIMEOUT_S 8.0         /* as wrk's --timeout in parity */
#define OL_DEFAULT_DRAIN_S   2.0
#define OL_READ_CHUNK        (64u << 10)

typedef enum ol_arrivals { OL_UNIFORM, OL_POISSON } ol_arrivals_t;
typedef enum ol_policy { OL_QUEUE, OL_DROP } ol_policy_t;

/* Renders request number index (0-based) as raw HTTP/1.1 bytes into out (reset by the engine);
 * *head is set when it is a HEAD request. 0, or -1 with err set (the run stops). */
typedef int (*ol_request_fn)(void *ctx, uint64_t index, buf_t *out, bool *head, err_t *err);

typedef struct ol_opts {
    const char *host; /* numeric IPv4, e.g. "127.0.0.1" */
    int port;
    int connections;
    double rate;       /* requests/s */
    double duration_s; /* the schedule's length */
    ol_arrivals_t arrivals;
    ol_policy_t policy;
    uint64_t seed;            /* poisson gaps */
    double timeout_s;         /* 0: OL_DEFAULT_TIMEOUT_S */
    double drain_s;           /* < 0: OL_DEFAULT_DRAIN_S; 0: none */
    double connect_timeout_s; /* 0: OL_CONNECT_TIMEOUT_S */
    ol_request_fn request;
    void *request_ctx;
} ol_opts_t;

typedef struct ol_result {
    hdr_t *corrected;   /* from the due time (ns) */
    hdr_t *uncorrected; /* from the actual send (ns) */
    hdr_t *lag;         /* send time - due time of requests that found an idle connection: the
                           engine's own scheduling error */
    double duration_s;  /* the window */
    uint64_t scheduled; /* due within the window */
    uint64_t sent, completed, completed_in_window;
    uint64_t status_2xx, status_3xx, status_4xx, status_5xx, created; /* created: 201 */
    uint64_t err_connect, err_read, err_write;
    uint64_t timeouts;        /* timed out in flight + in flight at the end + never sent */
    uint64_t inflight_at_end; /* part of timeouts */
    uint64_t unsent_at_end;   /* part of timeouts: due, queued, never sent */
    uint64_t dropped;         /* policy drop, or the backlog cap */
    uint64_t max_backlog;
    uint64_t reconnects;
    double achieved_rps, send_rps;
    bool sustained;
    double cpu_s; /* the engine thread's CPU time over the run */
} ol_result_t;

int ol_result_init(ol_result_t *r); /* -1 when out of memory */
void ol_result_free(ol_result_t *r);
/* Adds b's counts and histograms into a (repetitions of one rate), then recomputes the rates
 * over the summed duration. */
void ol_result_merge(ol_result_t *a, const ol_result_t *b);
/* Recomputes achieved_rps, send_rps and sustained for target rate (after merges). */
void ol_result_finish(ol_result_t *r, double rate);

/* Checks o (connections, rate, duration, host); -1 with a message naming the option. */
int ol_opts_check(const ol_opts_t *o, err_t *err);

/* Due time of request i relative to T0 (ns) for the uniform schedule. */
uint64_t ol_uniform_due(uint64_t i, double rate);

/* Runs one open-loop measurement. r must be ol_result_init'ed. -1 (err) when the run could not
 * happen: a bad option, no connection could be opened, the request callback failed, epoll
 * failed. Server misbehaviour is counted, not an error. */
int ol_run(const ol_opts_t *o, ol_result_t *r, err_t *err);

#endif
