/*
 * conn.c: one client connection: read, parse (pipelined requests in order), read bodies
 * (Content-Length or chunked, with the body cap), dispatch to the app, queue responses and write
 * them with one writev per batch, keep-alive, timeouts and a lingering close after final answers.
 *
 * Memory: the connection owns rbuf (capped by the limits), obuf (capped by CONN_OUT_HIGH plus one
 * batch) and its arena; the arena is reset when every queued response has been written, which
 * frees everything the handlers of that batch allocated in one go.
 */
#include "server.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define HEAD_SLACK 1024 /* read-buffer room beyond the head limits */

static const char CONTINUE_100[] = "HTTP/1.1 100 Continue\r\n\r\n";

/* ---- timeout lists ------------------------------------------------------------------------- */

void quill__conn_list_remove(worker_loop *l, conn *c) {
    if (c->list == LIST_NONE) return;
    conn_list *L = &l->lists[c->list];
    if (c->prev)
        c->prev->next = c->next;
    else
        L->head = c->next;
    if (c->next)
        c->next->prev = c->prev;
    else
        L->tail = c->prev;
    c->prev = c->next = NULL;
    c->list = LIST_NONE;
}

static void list_push(worker_loop *l, conn *c, int list) {
    quill__conn_list_remove(l, c);
    conn_list *L = &l->lists[list];
    c->list = list;
    c->deadline = l->now + l->timeouts[list];
    c->prev = L->tail;
    c->next = NULL;
    if (L->tail)
        L->tail->next = c;
    else
        L->head = c;
    L->tail = c;
}

/* Puts the connection on the list matching what it waits for. The header deadline is not moved
 * by more bytes of the same head (that is what defeats slowloris); `progress` (a request served,
 * bytes written) restarts the deadline of whatever comes next. */
static void update_timer(conn *c, bool progress) {
    worker_loop *l = c->w->loop;
    int want;
    if (c->state == CONN_LINGER)
        want = LIST_LINGER;
    else if (c->out_pending)
        want = LIST_WRITE;
    else if (c->state != CONN_HEAD)
        want = LIST_BODY;
    else if (c->rend > c->rstart)
        want = LIST_HEADER;
    else
        want = LIST_IDLE;
    if (want != c->list || progress) list_push(l, c, want);
}

/* ---- life cycle ---------------------------------------------------------------------------- */

conn *quill__conn_new(quill_worker *w, int fd) {
    conn *c = calloc(1, sizeof(*c));
    if (!c) return NULL;
    c->fd = fd;
    c->w = w;
    c->list = LIST_NONE;
    c->rcap = CONN_READ_MIN;
    c->rbuf = malloc(c->rcap + 1);
    c->ocap = 4096;
    c->obuf = malloc(c->ocap);
    c->arena = quill_arena_new(8192);
    if (!c->rbuf || !c->obuf || !c->arena) {
        free(c->rbuf);
        free(c->obuf);
        quill_arena_free(c->arena);
        free(c);
        return NULL;
    }
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
    if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
        free(c->rbuf);
        free(c->obuf);
        quill_arena_free(c->arena);
        free(c);
        return NULL;
    }
    worker_loop *l = w->loop;
    l->nconns++;
    list_push(l, c, LIST_HEADER); /* a new connection must send its head in time */
    return c;
}

void quill__conn_close(conn *c) {
    quill_worker *w = c->w;
    worker_loop *l = w->loop;
    quill__conn_list_remove(l, c);
    epoll_ctl(c->w->epfd, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    quill_arena_free(c->arena);
    free(c->rbuf);
    free(c->obuf);
    free(c);
    l->nconns--;
    if (l->accept_paused) quill__worker_resume_accept(w);
}

bool quill__conn_is_idle(const conn *c) {
    return c->state == CONN_HEAD && c->rend == c->rstart && c->out_pending == 0 && !c->dreq;
}

/* ---- output queue -------------------------------------------------------------------------- */

static int obuf_reserve(conn *c, size_t n) {
    if (c->olen + n <= c->ocap) return 0;
    size_t cap = c->ocap * 2;
    while (cap < c->olen + n) cap *= 2;
    if (cap > CONN_OUT_HIGH * 4 + QUILL_ARENA_MAX) return -1;
    char *p = realloc(c->obuf, cap);
    if (!p) return -1;
    c->obuf = p;
    c->ocap = cap;
    return 0;
}

static void seg_add(conn *c, const char *ref, size_t off, size_t len) {
    if (len == 0) return;
    c->out_pending += len;
    if (!ref && c->nsegs && !c->segs[c->nsegs - 1].ref &&
        c->segs[c->nsegs - 1].off + c->segs[c->nsegs - 1].len == off) {
        c->segs[c->nsegs - 1].len += len; /* contiguous obuf bytes: one piece */
        return;
    }
    c->segs[c->nsegs++] = (out_seg){ref, off, len};
}

static int queue_bytes(conn *c, const char *p, size_t n) {
    if (c->nsegs == CONN_OUT_SEGS || obuf_reserve(c, n) < 0) return -1;
    memcpy(c->obuf + c->olen, p, n);
    seg_add(c, NULL, c->olen, n);
    c->olen += n;
    return 0;
}

/* Room for one more response: two segments. */
static bool queue_full(const conn *c) {
    return c->nsegs + 2 > CONN_OUT_SEGS || c->out_pending >= CONN_OUT_HIGH;
}

static int queue_response(conn *c, const quill_req *req, quill_res *res, bool keep_alive) {
    const char *server = c->w->app->cfg.server_header;
    size_t need = quill__res_head_size(res) + strlen(server);
    if (c->nsegs + 2 > CONN_OUT_SEGS || obuf_reserve(c, need + CONN_INLINE_BODY) < 0) return -1;
    bool http10 = req->p && req->p->minor_version == 0;
    int n = quill__res_serialize_head(res, server, keep_alive, http10, c->obuf + c->olen, need);
    if (n < 0) return -1;
    size_t off = c->olen;
    c->olen += (size_t)n;
    seg_add(c, NULL, off, (size_t)n);
    bool body = !req->head && res->body_len &&
                !(res->status < 200 || res->status == 204 || res->status == 304);
    if (body) {
        if (res->body_len <= CONN_INLINE_BODY) {
            memcpy(c->obuf + c->olen, res->body, res->body_len);
            seg_add(c, NULL, c->olen, res->body_len);
            c->olen += res->body_len;
        } else {
            seg_add(c, res->body, 0, res->body_len); /* arena or static memory: no copy */
        }
    }
    if (!keep_alive) c->closing = true;
    return 0;
}

/* Writes what is queued with as few writev calls as possible. 1: all written, 0: would block,
 * -1: the peer is gone. */
static int flush(conn *c) {
    while (c->seg_done < c->nsegs) {
        struct iovec iov[CONN_OUT_SEGS];
        int n = 0;
        for (size_t i = c->seg_done; i < c->nsegs; i++, n++) {
            const out_seg *s = &c->segs[i];
            const char *base = s->ref ? s->ref : c->obuf + s->off;
            size_t skip = i == c->seg_done ? c->seg_off : 0;
            iov[n].iov_base = (void *)(base + skip);
            iov[n].iov_len = s->len - skip;
        }
        ssize_t w = n == 1 ? write(c->fd, iov[0].iov_base, iov[0].iov_len) : writev(c->fd, iov, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
            return -1;
        }
        size_t left = (size_t)w;
        c->out_pending -= left;
        while (left && c->seg_done < c->nsegs) {
            size_t rem = c->segs[c->seg_done].len - c->seg_off;
            if (left >= rem) {
                left -= rem;
                c->seg_done++;
                c->seg_off = 0;
            } else {
                c->seg_off += left;
                left = 0;
            }
        }
    }
    /* Everything was sent: the batch's requests are over, free their memory in one go (unless
     * a deferred request still lives in the arena). */
    c->nsegs = c->seg_done = c->seg_off = 0;
    c->olen = 0;
    c->out_pending = 0;
    if (!c->dreq) quill_arena_reset(c->arena);
    if (c->ocap > CONN_SHRINK_ABOVE) { /* a burst does not pin memory for the connection's life */
        char *p = realloc(c->obuf, 4096);
        if (p) {
            c->obuf = p;
            c->ocap = 4096;
        }
    }
    return 1;
}

static void set_want_out(conn *c, bool on) {
    if (c->want_out == on) return;
    c->want_out = on;
    /* Level-triggered: while output is blocked, stop watching input (backpressure, no spin). */
    struct epoll_event ev = {.events = on ? EPOLLOUT : EPOLLIN, .data.ptr = c};
    epoll_ctl(c->w->epfd, EPOLL_CTL_MOD, c->fd, &ev);
}

/* ---- requests ------------------------------------------------------------------------------ */

static int parse_head(conn *c, qp_request *p, size_t last, int *status) {
    worker_loop *l = c->w->loop;
    memset(p, 0, sizeof(*p));
    p->headers = l->headers;
    p->num_headers_cap = l->max_headers;
    return quill__parse_request(c->rbuf + c->rstart, c->rend - c->rstart, last, &l->limits, p,
                                status);
}

/* A deferred request outlives this stack frame: its request, response and parsed head move into
 * the connection, the header array into the arena (the worker's array is shared by every
 * request). The read buffer stays where it is: nothing is read until the request is answered.
 * Cannot fail: the job is already queued and will come back; under memory exhaustion the done
 * function sees no request headers. */
static void park(conn *c, const quill_req *req, const quill_res *res, const qp_request *p,
                 char *body, size_t body_len, char saved) {
    c->dreq_s = *req;
    c->dres_s = *res;
    c->dp_s = *p;
    qp_header *h = quill_arena_alloc(c->arena, (p->num_headers + 1) * sizeof(*h));
    if (h)
        memcpy(h, p->headers, p->num_headers * sizeof(*h));
    else
        c->dp_s.num_headers = 0;
    c->dp_s.headers = h;
    c->dreq_s.p = &c->dp_s;
    c->dreq_s.job->conn = c;
    c->dreq = &c->dreq_s;
    c->dbody = body;
    c->dbody_len = body_len;
    c->dsaved = saved;
}

/* Queues the response of a request that is over. */
static void answer(conn *c, quill_req *req, quill_res *res, bool error) {
    quill_app *app = c->w->app;
    /* app->stopping is read directly (not only the loop's flag): a handler that was running
     * when SIGTERM came must already answer "Connection: close". */
    bool keep = !error && req->p->keep_alive && !c->w->loop->stopping &&
                !atomic_load_explicit(&app->stopping, memory_order_relaxed) && !c->closing;
    if (queue_response(c, req, res, keep) < 0) c->closing = true; /* cannot answer: drop */
    c->served++;
}

/* Runs the app on a complete request (or a parser error) and queues its response, or parks the
 * request when its handler deferred work (quill_defer). */
static void dispatch(conn *c, qp_request *p, char *body, size_t body_len, int error) {
    quill_app *app = c->w->app;
    quill_req req;
    quill_res res;
    quill__req_init(&req, app, c->w, c->arena, error ? NULL : p);
    char saved = 0;
    if (body) {
        /* NUL-terminate the body in place (rbuf has a spare byte), restored afterwards: the
         * byte may belong to the next pipelined request. */
        saved = body[body_len];
        body[body_len] = '\0';
        req.body = body;
        req.body_len = body_len;
    }
    quill__res_init(&res, c->arena);
    if (quill__app_dispatch(app, &req, &res, error)) {
        park(c, &req, &res, p, body, body_len, saved);
        return;
    }
    if (body) body[body_len] = saved;
    answer(c, &req, &res, error != 0);
}

static void run(conn *c);

void quill__conn_resume(conn *c) {
    worker_loop *l = c->w->loop;
    l->ndeferred--;
    quill_req *req = c->dreq;
    if (atomic_load(&req->job->cancelled)) { /* the client is gone: nobody to answer */
        c->dreq = NULL;
        quill__conn_close(c);
        return;
    }
    if (quill__app_resume(c->w->app, req, &c->dres_s)) { /* deferred again */
        req->job->conn = c;
        l->ndeferred++;
        return;
    }
    if (c->dbody) c->dbody[c->dbody_len] = c->dsaved;
    c->dreq = NULL; /* before answer(): the arena may be reset once this answer is written */
    c->dbody = NULL;
    answer(c, req, &c->dres_s, false);
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
    epoll_ctl(c->w->epfd, EPOLL_CTL_MOD, c->fd, &ev);
    c->want_out = false;
    run(c); /* write the answer, then go on with pipelined requests */
}

static void consume(conn *c, size_t n) {
    c->rstart += n;
    c->parse_last = 0;
    c->state = CONN_HEAD;
    c->head_len = 0;
    c->body_decoded = 0;
    c->continue_sent = false;
    memset(&c->chunked, 0, sizeof(c->chunked));
    if (c->rstart == c->rend) {
        c->rstart = c->rend = 0;
        /* After a large body, back to the small buffer (not under a deferred request: its
         * head and body still live in this buffer). */
        if (c->rcap > CONN_SHRINK_ABOVE && !c->dreq) {
            char *p = realloc(c->rbuf, CONN_READ_MIN + 1);
            if (p) {
                c->rbuf = p;
                c->rcap = CONN_READ_MIN;
            }
        }
    }
}

/* Makes room for `need` bytes of data from rstart (compacting first). */
static int rbuf_reserve(conn *c, size_t need) {
    if (c->rstart > 0) {
        memmove(c->rbuf, c->rbuf + c->rstart, c->rend - c->rstart);
        c->rend -= c->rstart;
        c->rstart = 0;
    }
    if (need <= c->rcap) return 0;
    size_t cap = c->rcap;
    while (cap < need) cap *= 2;
    char *p = realloc(c->rbuf, cap + 1);
    if (!p) return -1;
    c->rbuf = p;
    c->rcap = cap;
    return 0;
}

static void send_continue(conn *c, const qp_request *p) {
    if (p->expect_continue && !c->continue_sent && p->minor_version == 1) {
        c->continue_sent = true;
        queue_bytes(c, CONTINUE_100, sizeof(CONTINUE_100) - 1);
    }
}

/* Handles the complete requests in the buffer, in order. Returns when more bytes are needed, the
 * output queue is full, or the connection is closing. */
static void process(conn *c) {
    size_t max_body = c->w->app->cfg.max_body;
    qp_request p;
    int status;
    for (int batch = 0; batch < CONN_BATCH && !c->closing && !c->dreq && !queue_full(c); batch++) {
        if (c->state == CONN_HEAD) {
            if (c->rend == c->rstart) return;
            int n = parse_head(c, &p, c->parse_last, &status);
            if (n == QP_INCOMPLETE) {
                c->parse_last = c->rend - c->rstart;
                return;
            }
            if (n < 0) {
                dispatch(c, NULL, NULL, 0, status);
                c->closing = true;
                return;
            }
            c->head_len = (size_t)n;
            c->parse_last = 0;
            if (p.body == QP_BODY_NONE) {
                dispatch(c, &p, NULL, 0, 0);
                consume(c, c->head_len);
                continue;
            }
            if (p.body == QP_BODY_LENGTH) {
                if (p.content_length > max_body) {
                    dispatch(c, NULL, NULL, 0, 413); /* answered before the body is read */
                    c->closing = true;
                    return;
                }
                c->content_length = p.content_length;
                c->state = CONN_BODY_LENGTH;
            } else {
                c->state = CONN_BODY_CHUNKED;
            }
            if (c->rend - c->rstart <
                c->head_len +
                    (c->state == CONN_BODY_LENGTH ? c->content_length : 5 /* "0\r\n\r\n" */))
                send_continue(c, &p);
        }
        if (c->state == CONN_BODY_LENGTH) {
            size_t total = c->head_len + c->content_length;
            if (c->rend - c->rstart < total) return;
            int n = parse_head(c, &p, 0, &status); /* fresh pointers: rbuf may have moved */
            if (n != (int)c->head_len) {
                c->closing = true;
                return;
            }
            dispatch(c, &p, c->rbuf + c->rstart + c->head_len, c->content_length, 0);
            consume(c, total);
            continue;
        }
        if (c->state == CONN_BODY_CHUNKED) {
            size_t start = c->rstart + c->head_len + c->body_decoded;
            size_t len = c->rend - start;
            ssize_t left = quill__decode_chunked(&c->chunked, c->rbuf + start, &len);
            c->body_decoded += len;
            if (left == QP_ERROR) {
                dispatch(c, NULL, NULL, 0, 400);
                c->closing = true;
                return;
            }
            if (c->body_decoded > max_body) {
                dispatch(c, NULL, NULL, 0, 413);
                c->closing = true;
                return;
            }
            if (left == QP_INCOMPLETE) {
                c->rend = c->rstart + c->head_len + c->body_decoded;
                return;
            }
            c->rend = c->rstart + c->head_len + c->body_decoded + (size_t)left;
            int n = parse_head(c, &p, 0, &status);
            if (n != (int)c->head_len) {
                c->closing = true;
                return;
            }
            dispatch(c, &p, c->rbuf + c->rstart + c->head_len, c->body_decoded, 0);
            consume(c, c->head_len + c->body_decoded);
            continue;
        }
    }
}

/* How much buffer the current state may need in total, from rstart. */
static size_t read_limit(const conn *c) {
    const quill_config *cfg = &c->w->app->cfg;
    size_t head = cfg->max_request_line + cfg->max_header_bytes + HEAD_SLACK;
    if (c->state == CONN_BODY_LENGTH) return c->head_len + c->content_length;
    if (c->state == CONN_BODY_CHUNKED) return c->head_len + cfg->max_body + HEAD_SLACK * 8;
    return head;
}

/* Reads once. 1: got bytes, 0: would block, -1: EOF or error. */
static int read_some(conn *c) {
    size_t data = c->rend - c->rstart;
    size_t limit = read_limit(c);
    if (c->rend == c->rcap) {
        size_t want = data * 2 < limit ? data * 2 : limit;
        if (want <= data) want = data + 1; /* buffered pipelined requests beyond the limit */
        if (want < CONN_READ_MIN) want = CONN_READ_MIN;
        if (rbuf_reserve(c, want) < 0) return -1;
    }
    if (c->state == CONN_BODY_LENGTH && c->rcap - c->rstart < limit && rbuf_reserve(c, limit) < 0)
        return -1;
    ssize_t n = read(c->fd, c->rbuf + c->rend, c->rcap - c->rend);
    if (n > 0) {
        c->rend += (size_t)n;
        return 1;
    }
    if (n == 0) return -1;
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return 0;
    return -1;
}

static void start_linger(conn *c) {
    shutdown(c->fd, SHUT_WR);
    c->state = CONN_LINGER;
    c->lingered = 0;
    set_want_out(c, false);
    update_timer(c, false);
}

/* Drains input after a final response so the peer gets it instead of a reset: closing a socket
 * with unread input sends RST, and a client still writing its (rejected) body would see EPIPE or
 * ECONNRESET and may lose the answer. Reads a few times per wake-up (level-triggered: the loop
 * calls back while bytes remain), so one lingering peer cannot starve the others; closes at EOF,
 * on an error, after LINGER_MAX_BYTES, or when the LIST_LINGER timer (LINGER_MS) expires. */
#define LINGER_READS 4
static void linger_read(conn *c) {
    char tmp[16384];
    for (int i = 0; i < LINGER_READS; i++) {
        ssize_t n = read(c->fd, tmp, sizeof(tmp));
        if (n > 0) {
            c->lingered += (size_t)n;
            if (c->lingered > LINGER_MAX_BYTES) break;
            if (i == LINGER_READS - 1) return; /* budget spent, bytes may remain: called again */
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
        break; /* EOF or a real error */
    }
    quill__conn_close(c);
}

/* Processes, writes, and decides what the connection waits for next. */
#define RUN_ROUNDS 16 /* batches per wake-up before yielding to the other connections */

static void run(conn *c) {
    uint64_t served = c->served;
    int rounds;
    for (rounds = 0; rounds < RUN_ROUNDS; rounds++) {
        size_t before = c->rend - c->rstart;
        process(c);
        if (c->dreq) {
            /* Waiting for a pool job: out of epoll and off the timeout lists until it is back
             * (quill__conn_resume). What earlier requests queued is written now if it can be,
             * else after the resume. */
            if (c->nsegs > c->seg_done) flush(c);
            /* Only the peer's close is watched meanwhile (it cancels the job, see below). */
            struct epoll_event ev = {.events = EPOLLRDHUP, .data.ptr = c};
            epoll_ctl(c->w->epfd, EPOLL_CTL_MOD, c->fd, &ev);
            c->want_out = false;
            quill__conn_list_remove(c->w->loop, c);
            c->w->loop->ndeferred++;
            return;
        }
        if (c->nsegs > c->seg_done) {
            int f = flush(c);
            if (f < 0) {
                quill__conn_close(c);
                return;
            }
            if (f == 0) {
                set_want_out(c, true);
                update_timer(c, true);
                return;
            }
        }
        set_want_out(c, false);
        if (c->closing) {
            if (c->peer_closed)
                quill__conn_close(c);
            else
                start_linger(c);
            return;
        }
        bool done = c->rend - c->rstart == before || c->rend == c->rstart;
        if (c->peer_closed && done) {
            /* Everything answered that could be: what is left (a partial head or body) can
             * never complete, and a closed peer keeps the socket readable (no spinning). */
            quill__conn_close(c);
            return;
        }
        if (done) break; /* no complete request left: wait for more bytes */
    }
    if (c->w->loop->stopping && quill__conn_is_idle(c)) {
        quill__conn_close(c);
        return;
    }
    /* Yielded with complete requests still buffered: no EPOLLIN will come for them, so ask for
     * EPOLLOUT (immediately ready) to be called back after the other connections. */
    if (rounds == RUN_ROUNDS && c->rend > c->rstart) set_want_out(c, true);
    update_timer(c, c->served != served);
}

void quill__conn_on_event(conn *c, uint32_t events) {
    if (c->dreq) {
        /* The client closed while its request waits for the pool (as nginx, a closed reading
         * side means the client is gone): the job is cancelled if it has not started, and the
         * connection closes when the job comes back. Out of epoll so the event does not repeat. */
        atomic_store(&c->dreq->job->cancelled, true);
        epoll_ctl(c->w->epfd, EPOLL_CTL_DEL, c->fd, NULL);
        return;
    }
    if (c->state == CONN_LINGER) {
        linger_read(c);
        return;
    }
    if (events & EPOLLOUT) {
        int f = flush(c);
        if (f < 0) {
            quill__conn_close(c);
            return;
        }
        if (f == 0) {
            update_timer(c, true);
            return;
        }
        set_want_out(c, false);
        if (c->closing) {
            start_linger(c);
            return;
        }
        run(c);
        return;
    }
    if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
        int r = read_some(c);
        if (r < 0) {
            if (events & EPOLLERR) {
                quill__conn_close(c);
                return;
            }
            c->peer_closed = true;
        }
        if (r == 0 && !(events & (EPOLLHUP | EPOLLERR))) return;
        run(c);
    }
}

void quill__conn_expire(conn *c) {
    /* Header, body or idle time exceeded, a stalled writer, or the end of lingering: close. */
    quill__conn_close(c);
}
