/*
 * server.h: internals shared by server.c (threads, listeners, signals, the event loop) and conn.c
 * (one connection's state machine: read, parse, dispatch, write, timeouts).
 */
#ifndef QUILL_SERVER_H
#define QUILL_SERVER_H

#include "internal.h"

#include <sys/uio.h>

/* Timeout classes; a connection is on exactly one list, each FIFO by deadline. */
enum { LIST_HEADER, LIST_BODY, LIST_IDLE, LIST_WRITE, LIST_LINGER, LIST_COUNT, LIST_NONE = -1 };

#define CONN_OUT_SEGS     64            /* queued output pieces before a flush is forced */
#define CONN_OUT_HIGH     (256u * 1024) /* queued output bytes that pause pipelined processing */
#define CONN_BATCH        64            /* requests handled per batch before flushing */
#define CONN_INLINE_BODY  2048          /* bodies up to this size are copied next to the head */
#define CONN_READ_MIN     16384         /* first read buffer size */
#define CONN_SHRINK_ABOVE (256u * 1024) /* buffers larger than this shrink back once empty */
#define LINGER_MS         2000          /* drain time after a final response before closing */
#define LINGER_MAX_BYTES  (4u << 20)    /* bytes drained while lingering */

typedef struct out_seg {
    const char *ref; /* NULL: bytes of obuf at off */
    size_t off, len;
} out_seg;

typedef struct conn {
    int fd;
    quill_worker *w;
    /* read side: data is rbuf[rstart..rend), rcap + 1 bytes allocated (a spare for a NUL) */
    char *rbuf;
    size_t rstart, rend, rcap;
    size_t parse_last;
    int state; /* CONN_HEAD, CONN_BODY_LENGTH, CONN_BODY_CHUNKED, CONN_LINGER */
    size_t head_len;
    uint64_t content_length;
    qp_chunked chunked;
    size_t body_decoded;
    bool continue_sent, closing, peer_closed, want_out;
    size_t lingered;
    uint64_t served; /* requests answered: a new one restarts the timers */
    /* write side */
    char *obuf;
    size_t olen, ocap;
    out_seg segs[CONN_OUT_SEGS];
    size_t nsegs, seg_done, seg_off; /* flushed segments, bytes flushed of the current one */
    size_t out_pending;
    quill_arena *arena;
    /* a deferred request (quill_defer): its request and response, kept in the arena; the body's
     * terminating byte to restore once answered. The fd is out of epoll meanwhile. */
    quill_req *dreq; /* &dreq_s while deferred, else NULL */
    quill_req dreq_s;
    quill_res dres_s;
    qp_request dp_s;
    char *dbody;
    size_t dbody_len;
    char dsaved;
    /* timeout list */
    struct conn *prev, *next;
    int list;
    int64_t deadline;
} conn;

enum { CONN_HEAD, CONN_BODY_LENGTH, CONN_BODY_CHUNKED, CONN_LINGER };

typedef struct conn_list {
    conn *head, *tail;
} conn_list;

/* Per-worker loop state (server.c owns it; conn.c reads the limits). */
struct worker_loop {
    conn_list lists[LIST_COUNT];
    int timeouts[LIST_COUNT];
    qp_limits limits;
    qp_header *headers; /* one header array per worker: requests are handled one at a time */
    size_t max_headers;
    int64_t now; /* monotonic ms, refreshed per loop iteration */
    bool stopping;
    bool accept_paused; /* out of file descriptors: the listener waits for a connection to close */
    size_t nconns;
    size_t ndeferred; /* connections waiting for a pool job (not on any timeout list) */
};
typedef struct worker_loop worker_loop;

worker_loop *quill__worker_loop_of(quill_worker *w);
int64_t quill__mono_ms(void);

/* server.c: re-arms a listener paused by EMFILE (called when a connection closes) */
void quill__worker_resume_accept(quill_worker *w);

/* conn.c */
conn *quill__conn_new(quill_worker *w, int fd);
void quill__conn_close(conn *c);
void quill__conn_on_event(conn *c, uint32_t events);
void quill__conn_expire(conn *c);        /* its deadline passed */
bool quill__conn_is_idle(const conn *c); /* nothing in flight: may be closed at shutdown */
void quill__conn_list_remove(worker_loop *l, conn *c);
/* The pool job the connection waited for has run: answer (or wait again) and go on. */
void quill__conn_resume(conn *c);

#endif
