/* raw_conn: the socket side of raw steps: one TCP connection to a target, bytes written exactly
 * as given (while the answers are read, so a server that answers early never deadlocks a large
 * send), reads pumped into a raw_parser_t until a condition or a deadline, the peer's close and
 * reset told apart, and a shell command that reproduces the bytes with printf and nc.
 *
 * Every wait is bounded by a deadline on the monotonic clock (core/clock.h). Writes use
 * MSG_NOSIGNAL: a peer that closed gives EPIPE, not SIGPIPE.
 *
 * Ownership: raw_conn_t owns its descriptor (raw_conn_close) and parser (raw_conn_free). */
#ifndef PARITY_RAW_CONN_H
#define PARITY_RAW_CONN_H

#include <stdbool.h>
#include <stddef.h>

#include "raw_parse.h"
#include "core/util.h"

#define RAW_CONNECT_TIMEOUT_MS 3000
#define RAW_READ_CHUNK         16384       /* bytes per read() */
#define RAW_REPRO_MAX          (64u << 10) /* bytes of a reproduce command */

typedef struct raw_conn {
    int fd;                  /* -1 when closed */
    raw_parser_t parser;     /* the answers read so far */
    bool eof;                /* the peer closed (read 0) */
    bool reset;              /* ECONNRESET / EPIPE */
    bool write_failed;       /* a write did not go through (the peer closed or reset first) */
    size_t sent;             /* bytes written */
    long long eof_ms;        /* when eof or reset was seen */
    long long first_byte_ms; /* when the first answer byte arrived (0: none yet) */
} raw_conn_t;

/* Parses "http://HOST:PORT[/...]" (HOST an IPv4/IPv6 literal or a name). -1 with err set. */
int raw_url_host_port(const char *base_url, char *host, size_t hostlen, char *port, size_t portlen,
                      err_t *err);

/* Connects (bounded by RAW_CONNECT_TIMEOUT_MS). head: bit i set when final answer i answers a
 * HEAD request (raw_parse.h). */
int raw_conn_open(raw_conn_t *c, const char *base_url, unsigned long long head, err_t *err);
/* Resets the parser and flags for a new exchange on the same connection. */
void raw_conn_reuse(raw_conn_t *c, unsigned long long head);
void raw_conn_close(raw_conn_t *c);
void raw_conn_free(raw_conn_t *c); /* closes and frees the parser */
/* True when the peer has closed an idle kept connection (a non-blocking peek sees EOF/reset). */
bool raw_conn_dead(raw_conn_t *c);

/* Writes all n bytes, reading answers meanwhile, until deadline. -1 when the write could not
 * finish (the peer closed or reset: c->write_failed) or the deadline passed. */
int raw_conn_write(raw_conn_t *c, const char *p, size_t n, long long deadline);
/* Reads until done(ctx, c) is true, the peer closes, the parser fails or deadline passes. */
typedef bool (*raw_done_fn)(void *ctx, const raw_conn_t *c);
void raw_conn_pump(raw_conn_t *c, long long deadline, raw_done_fn done, void *ctx);
/* shutdown(SHUT_WR): the client will send nothing more. */
void raw_conn_shutdown(raw_conn_t *c);

/* One small exchange on a fresh connection: sends "GET path HTTP/1.1" with Host and
 * Connection: close, waits up to ms for a complete answer. 0 with *status set, or -1 with err
 * saying what happened (refused, no answer within ms, closed). */
int raw_probe_get(const char *base_url, const char *path, long ms, long *status, err_t *err);

/* Appends bytes as a printf(1) format in single quotes: \r \n \t, \\, %%, \NNN for other
 * control and non-ASCII bytes, '\'' for a quote. */
int raw_printf_quote(buf_t *out, const char *p, size_t n);

#endif
