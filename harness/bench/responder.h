/* responder: the trivial HTTP server the client's ceiling is measured against.
 *
 * Why: a figure near what wrk itself can push on this machine says more about wrk than about
 * the target. Each bench run measures that ceiling: wrk, with the same generated script
 * (pools, mix, response() hook), the same connections and CPU pinning, against this responder
 * on the target's CPUs. It answers every request with one fixed 13-byte 200 response and does
 * nothing else, so its cost per answer is near the kernel's; what wrk reaches against it is the
 * most wrk can measure on this machine for that scenario (larger answers cost wrk more: a figure
 * below the ceiling may still be limited by the client, which the wrk CPU flag catches).
 *
 * It runs in a forked child (no exec): one epoll loop, non-blocking sockets, static per-fd
 * state, only system calls after fork (parity has other threads). A request ends at the blank
 * line after its headers; a body without CR LF CR LF (every scenario's JSON) is skipped.
 *
 * Ownership: resp_server_t is the caller's; responder_stop() kills and reaps the child. */
#ifndef PARITY_RESPONDER_H
#define PARITY_RESPONDER_H

#include <sched.h>
#include <sys/types.h>

#include "core/util.h"

#define RESPONDER_MAX_FDS 8192 /* connections it tracks (fd numbers below this) */
#define RESPONDER_BODY    "Hello, World!"

typedef struct responder {
    pid_t pid;
    int port;
    char url[64]; /* "http://127.0.0.1:PORT" */
} responder_t;

/* Starts the responder on a free loopback port, pinned to cpus (NULL: not pinned). */
int responder_start(responder_t *r, const cpu_set_t *cpus, err_t *err);
/* SIGKILL and reap. Idempotent. */
void responder_stop(responder_t *r);

#endif
