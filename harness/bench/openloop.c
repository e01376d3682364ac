/* openloop: the open-loop engine (see openloop.h for what it measures and why). */
#include "openloop.h"

#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "hresp.h"

#define OL_EVENTS  256
#define OL_SCAN_NS 10000000ull /* timeouts and reconnects are checked this often */
#define NS         1000000000ull

typedef enum cstate { C_CLOSED, C_CONNECTING, C_IDLE, C_BUSY } cstate_t;

typedef struct conn {
    int fd;
    cstate_t st;
    uint32_t gen;  /* bumped on every (re)open: stale epoll events are ignored */
    bool in_idle;  /* listed in the idle stack (possibly stale: checked when popped) */
    bool want_out; /* EPOLLOUT registered */
    uint64_t due, sent, retry_at;
    size_t woff;
    buf_t out;
    hresp_t resp;
} conn_t;

typedef struct eng {
    const ol_opts_t *o;
    ol_result_t *r;
    err_t *err;
    int ep;
    conn_t *conns;
    int n;
    int *idle, ihead, nidle; /* ring of idle connections, longest idle first */
    uint64_t *fifo;
    size_t fhead, fcount;
    uint64_t t0, end, dur_ns, timeout_ns;
    uint64_t next_i, next_due;
    bool sched_done, sending; /* sending: false once the window is over */
    double poff;              /* poisson: offset of next_due from T0 (ns) */
    uint64_t rng;
    struct sockaddr_in addr;
    char *rbuf;
    int failed; /* the request callback failed */
} eng_t;

static uint64_t mono_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * NS + (uint64_t)ts.tv_nsec;
}

static double thread_cpu_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* splitmix64: a small, seedable generator (the poisson gaps only need independence). */
static uint64_t rng_next(uint64_t *s) {
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

uint64_t ol_uniform_due(uint64_t i, double rate) {
    return (uint64_t)((double)i * (1e9 / rate));
}

int ol_result_init(ol_result_t *r) {
    memset(r, 0, sizeof *r);
    r->corrected = hdr_new();
    r->uncorrected = hdr_new();
    r->lag = hdr_new();
    if (r->corrected && r->uncorrected && r->lag) return 0;
    ol_result_free(r);
    return -1;
}

void ol_result_free(ol_result_t *r) {
    hdr_free(r->corrected);
    hdr_free(r->uncorrected);
    hdr_free(r->lag);
    memset(r, 0, sizeof *r);
}

void ol_result_merge(ol_result_t *a, const ol_result_t *b) {
    hdr_merge(a->corrected, b->corrected);
    hdr_merge(a->uncorrected, b->uncorrected);
    hdr_merge(a->lag, b->lag);
    a->duration_s += b->duration_s;
    uint64_t *dst[] = {&a->scheduled,     &a->sent,
                       &a->completed,     &a->completed_in_window,
                       &a->status_2xx,    &a->status_3xx,
                       &a->status_4xx,    &a->status_5xx,
                       &a->created,       &a->err_connect,
                       &a->err_read,      &a->err_write,
                       &a->timeouts,      &a->inflight_at_end,
                       &a->unsent_at_end, &a->dropped,
                       &a->reconnects};
    const uint64_t *src[] = {&b->scheduled,     &b->sent,
                             &b->completed,     &b->completed_in_window,
                             &b->status_2xx,    &b->status_3xx,
                             &b->status_4xx,    &b->status_5xx,
                             &b->created,       &b->err_connect,
                             &b->err_read,      &b->err_write,
                             &b->timeouts,      &b->inflight_at_end,
                             &b->unsent_at_end, &b->dropped,
                             &b->reconnects};
    for (size_t i = 0; i < sizeof dst / sizeof *dst; i++) *dst[i] += *src[i];
    if (b->max_backlog > a->max_backlog) a->max_backlog = b->max_backlog;
    a->cpu_s += b->cpu_s;
}

void ol_result_finish(ol_result_t *r, double rate) {
    if (r->duration_s <= 0) return;
    r->achieved_rps = (double)r->completed_in_window / r->duration_s;
    r->send_rps = (double)r->sent / r->duration_s;
    r->sustained = r->achieved_rps >= OL_SUSTAINED_SHARE * rate;
}

int ol_opts_check(const ol_opts_t *o, err_t *err) {
    struct in_addr a;
    if (!o->host || inet_pton(AF_INET, o->host, &a) != 1)
        return err_set(err, "open-loop: host must be a numeric IPv4 address");
    if (o->port < 1 || o->port > 65535) return err_set(err, "open-loop: port must be 1..65535");
    if (o->connections < 1 || o->connections > OL_MAX_CONNECTIONS)
        return err_set(err, "open-loop: connections must be 1..%d", OL_MAX_CONNECTIONS);
    if (!(o->rate > 0) || o->rate > OL_MAX_RATE)
        return err_set(err, "open-loop: rate must be above 0 and at most %.0f requests/s",
                       OL_MAX_RATE);
    if (!(o->duration_s > 0) || o->duration_s > OL_MAX_DURATION_S)
        return err_set(err, "open-loop: duration must be above 0 and at most %.0f s",
                       OL_MAX_DURATION_S);
    if (o->timeout_s < 0 || o->timeout_s > OL_MAX_DURATION_S || o->drain_s > OL_MAX_DURATION_S ||
        o->connect_timeout_s < 0 || o->connect_timeout_s > OL_MAX_DURATION_S)
        return err_set(err, "open-loop: timeouts and drain must be at most %.0f s",
                       OL_MAX_DURATION_S);
    if (!o->request) return err_set(err, "open-loop: no request source");
    return 0;
}

/* ---- connections ------------------------------------------------------------------------- */

static int ep_set(eng_t *e, conn_t *c, bool out, int op) {
    struct epoll_event ev = {.events = EPOLLIN | (out ? EPOLLOUT : 0)};
    ev.data.u64 = ((uint64_t)c->gen << 32) | (uint64_t)(c - e->conns);
    c->want_out = out;
    return epoll_ctl(e->ep, op, c->fd, &ev);
}

/* Idle connections are used in turn (the one idle longest first), not the most recent one
 * again: every connection carries requests, as under a closed-loop tool, and a server that
 * accepts connections one at a time (a sync worker) never waits on one we leave unused. Each
 * connection is in the ring at most once (in_idle), so it never holds more than n. */
static void push_idle(eng_t *e, conn_t *c) {
    c->st = C_IDLE;
    if (!c->in_idle) {
        c->in_idle = true;
        e->idle[(e->ihead + e->nidle) % e->n] = (int)(c - e->conns);
        e->nidle++;
    }
}

static conn_t *pop_idle(eng_t *e) {
    while (e->nidle > 0) {
        conn_t *c = &e->conns[e->idle[e->ihead]];
        e->ihead = (e->ihead + 1) % e->n;
        e->nidle--;
        c->in_idle = false;
        if (c->st == C_IDLE) return c;
    }
    return NULL;
}

static void conn_open(eng_t *e, conn_t *c, uint64_t now) {
    c->gen++;
    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c->fd < 0) goto fail;
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(c->fd, (struct sockaddr *)&e->addr, sizeof e->addr) < 0 && errno != EINPROGRESS)
        goto fail;
    if (ep_set(e, c, true, EPOLL_CTL_ADD) < 0) goto fail;
    c->st = C_CONNECTING;
    return;
fail:
    if (c->fd >= 0) close(c->fd);
    c->fd = -1;
    c->st = C_CLOSED;
    c->retry_at = now + OL_RECONNECT_NS;
    e->r->err_connect++;
}

/* Closes c; reopens at once (reopen) or leaves it for the reconnect scan. */
static void conn_close(eng_t *e, conn_t *c, uint64_t now, bool reopen) {
    if (c->fd >= 0) close(c->fd);
    c->fd = -1;
    c->st = C_CLOSED;
    c->retry_at = now;
    if (reopen && (e->sending || e->fcount > 0)) {
        e->r->reconnects++;
        conn_open(e, c, now);
    }
}

/* ---- requests ---------------------------------------------------------------------------- */

/* now may be a little older than a send made in the same loop turn: never below zero. */
static void record(eng_t *e, conn_t *c, uint64_t now) {
    hdr_record(e->r->corrected, now > c->due ? now - c->due : 0);
    hdr_record(e->r->uncorrected, now > c->sent ? now - c->sent : 0);
}

static void complete(eng_t *e, conn_t *c, uint64_t now) {
    ol_result_t *r = e->r;
    r->completed++;
    if (now <= e->end) r->completed_in_window++;
    int st = c->resp.status;
    if (st / 100 == 2)
        r->status_2xx++;
    else if (st / 100 == 3)
        r->status_3xx++;
    else if (st / 100 == 4)
        r->status_4xx++;
    else
        r->status_5xx++;
    if (st == 201) r->created++;
    record(e, c, now);
    if (c->resp.close)
        conn_close(e, c, now, true);
    else
        push_idle(e, c);
}

static int flush_out(eng_t *e, conn_t *c, uint64_t now) {
    while (c->woff < c->out.len) {
        ssize_t w = send(c->fd, c->out.ptr + c->woff, c->out.len - c->woff, MSG_NOSIGNAL);
        if (w > 0) {
            c->woff += (size_t)w;
            continue;
        }
        if (w < 0 && errno == EINTR) continue;
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if (!c->want_out) ep_set(e, c, true, EPOLL_CTL_MOD);
            return 0;
        }
        e->r->err_write++;
        conn_close(e, c, now, true);
        return -1;
    }
    if (c->want_out) ep_set(e, c, false, EPOLL_CTL_MOD);
    return 0;
}

static void send_one(eng_t *e, conn_t *c, uint64_t due, uint64_t now) {
    bool head = false;
    buf_reset(&c->out);
    if (e->o->request(e->o->request_ctx, e->r->sent, &c->out, &head, e->err) < 0) {
        e->failed = 1;
        push_idle(e, c);
        return;
    }
    hresp_reset(&c->resp, head);
    c->due = due;
    c->sent = now;
    c->woff = 0;
    c->st = C_BUSY;
    e->r->sent++;
    hdr_record(e->r->lag, now - due);
    flush_out(e, c, now);
}

/* Due requests go out, oldest first, on idle connections. */
static void dispatch(eng_t *e) {
    while (e->fcount > 0 && !e->failed) {
        conn_t *c = pop_idle(e);
        if (!c) break;
        uint64_t due = e->fifo[e->fhead];
        e->fhead = (e->fhead + 1) % OL_MAX_BACKLOG;
        e->fcount--;
        send_one(e, c, due, mono_ns());
    }
}

static void advance_schedule(eng_t *e) {
    e->next_i++;
    uint64_t off;
    if (e->o->arrivals == OL_POISSON) {
        /* u in (0, 1]: -ln(u) is an exponential gap of mean 1 */
        double u = ((double)(rng_next(&e->rng) >> 11) + 1.0) / 9007199254740992.0;
        e->poff += -log(u) * (1e9 / e->o->rate);
        off = (uint64_t)e->poff;
    } else {
        off = ol_uniform_due(e->next_i, e->o->rate);
    }
    if (off >= e->dur_ns) e->sched_done = true;
    e->next_due = e->t0 + off;
}

static void arrivals(eng_t *e, uint64_t now) {
    while (!e->sched_done && e->next_due <= now) {
        e->r->scheduled++;
        if (e->fcount >= OL_MAX_BACKLOG) {
            e->r->dropped++;
        } else {
            e->fifo[(e->fhead + e->fcount) % OL_MAX_BACKLOG] = e->next_due;
            e->fcount++;
        }
        advance_schedule(e);
        dispatch(e); /* each arrival is offered an idle connection at once */
    }
    if (e->fcount > e->r->max_backlog) e->r->max_backlog = e->fcount;
    if (e->o->policy == OL_DROP) { /* what found no idle connection is discarded */
        e->r->dropped += e->fcount;
        e->fcount = 0;
    }
}

/* ---- events ------------------------------------------------------------------------------ */

static void on_readable(eng_t *e, conn_t *c) {
    for (;;) {
        ssize_t n = recv(c->fd, e->rbuf, OL_READ_CHUNK, 0);
        uint64_t now = mono_ns();
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
        if (n <= 0) {
            if (c->st == C_BUSY) {
                if (n == 0 && hresp_eof(&c->resp) == 1) {
                    complete(e, c, now); /* closes: resp.close is set for bodies ended by EOF */
                    return;
                }
                e->r->err_read++;
            }
            conn_close(e, c, now, true); /* an idle keep-alive connection the server closed */
            return;
        }
        if (c->st != C_BUSY) { /* bytes nobody asked for */
            e->r->err_read++;
            conn_close(e, c, now, true);
            return;
        }
        size_t used;
        int rc = hresp_feed(&c->resp, e->rbuf, (size_t)n, &used);
        if (rc < 0 || (rc == 1 && used < (size_t)n)) { /* malformed, or more than one answer */
            e->r->err_read++;
            conn_close(e, c, now, true);
            return;
        }
        if (rc == 1) {
            complete(e, c, now);
            return;
        }
    }
}

static void on_connected(eng_t *e, conn_t *c, uint64_t now) {
    int soerr = 0;
    socklen_t len = sizeof soerr;
    if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0 || soerr != 0) {
        e->r->err_connect++;
        conn_close(e, c, now, false);
        c->retry_at = now + OL_RECONNECT_NS;
        return;
    }
    ep_set(e, c, false, EPOLL_CTL_MOD);
    push_idle(e, c);
}

static void handle(eng_t *e, const struct epoll_event *ev) {
    uint32_t idx = (uint32_t)ev->data.u64, gen = (uint32_t)(ev->data.u64 >> 32);
    if (idx >= (uint32_t)e->n) return;
    conn_t *c = &e->conns[idx];
    if (c->gen != gen || c->fd < 0) return; /* for a socket closed earlier in this batch */
    uint64_t now = mono_ns();
    if (c->st == C_CONNECTING) {
        if (ev->events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) on_connected(e, c, now);
        return;
    }
    if ((ev->events & EPOLLOUT) && c->st == C_BUSY && flush_out(e, c, now) < 0) return;
    if (ev->events & (EPOLLIN | EPOLLERR | EPOLLHUP)) on_readable(e, c);
}

/* Timeouts of requests in flight, and reconnects after failed connects. */
static void scan(eng_t *e, uint64_t now) {
    for (int i = 0; i < e->n; i++) {
        conn_t *c = &e->conns[i];
        if (c->st == C_BUSY && now > c->sent && now - c->sent > e->timeout_ns) {
            e->r->timeouts++;
            record(e, c, now);
            conn_close(e, c, now, true);
        } else if (c->st == C_CLOSED && (e->sending || e->fcount > 0) && now >= c->retry_at) {
            e->r->reconnects++;
            conn_open(e, c, now);
        }
    }
}

static int wait_events(eng_t *e, uint64_t now, uint64_t until) {
    struct epoll_event evs[OL_EVENTS];
    uint64_t d = until > now ? until - now : 0;
    struct timespec ts = {(time_t)(d / NS), (long)(d % NS)};
    int k = epoll_pwait2(e->ep, evs, OL_EVENTS, &ts, NULL);
    if (k < 0 && errno != EINTR) return err_set(e->err, "open-loop: epoll: %s", strerror(errno));
    for (int i = 0; i < k; i++) handle(e, &evs[i]);
    return 0;
}

/* Opens every connection, OL_STAGGER_NS apart, and waits until all are connected (those that
 * fail are retried) or OL_CONNECT_TIMEOUT_S passes; at least one must connect. */
static int connect_all(eng_t *e) {
    double limit = e->o->connect_timeout_s > 0 ? e->o->connect_timeout_s : OL_CONNECT_TIMEOUT_S;
    uint64_t start = mono_ns(), deadline = start + (uint64_t)(limit * 1e9);
    int opened = 0;
    for (;;) {
        uint64_t now = mono_ns();
        while (opened < e->n && now >= start + (uint64_t)opened * OL_STAGGER_NS)
            conn_open(e, &e->conns[opened++], now);
        int up = 0;
        for (int i = 0; i < opened; i++) {
            conn_t *c = &e->conns[i];
            up += c->st == C_IDLE;
            if (c->st == C_CLOSED && now >= c->retry_at) conn_open(e, c, now);
        }
        if (opened == e->n && up == e->n) return 0;
        if (now >= deadline) {
            if (up > 0) return 0;
            return err_set(e->err, "open-loop: could not connect to %s:%d within %g s", e->o->host,
                           e->o->port, limit);
        }
        uint64_t next = opened < e->n ? start + (uint64_t)opened * OL_STAGGER_NS : now + OL_SCAN_NS;
        if (wait_events(e, now, next < deadline ? next : deadline) < 0) return -1;
    }
}

/* The schedule, then the drain; the loop sleeps until the next due time, an event, the next
 * scan or the end, whichever comes first. */
static int run_loop(eng_t *e, uint64_t drain_ns) {
    uint64_t last_scan = e->t0, stop = e->end + drain_ns;
    for (;;) {
        uint64_t now = mono_ns();
        if (e->sending) {
            arrivals(e, now); /* only requests due before the end are ever enqueued */
            if (now >= e->end) e->sending = false;
        }
        if (e->failed) return -1;
        if (now - last_scan >= OL_SCAN_NS) {
            scan(e, now);
            last_scan = now;
        }
        if (!e->sending) dispatch(e); /* the drain: what was due still goes out, oldest first */
        bool busy = false;
        for (int i = 0; i < e->n && !busy; i++) busy = e->conns[i].st == C_BUSY;
        if (!e->sending && ((!busy && e->fcount == 0) || now >= stop)) return 0;
        uint64_t until = last_scan + OL_SCAN_NS;
        if (e->sending && !e->sched_done && e->next_due < until) until = e->next_due;
        if (e->sending && e->end < until) until = e->end;
        if (!e->sending && stop < until) until = stop;
        if (wait_events(e, now, until) < 0) return -1;
    }
}

/* What is left at the end: in flight and never sent count as timeouts, recorded with the time
 * they had waited (a lower bound). */
static void finish(eng_t *e) {
    uint64_t now = mono_ns();
    ol_result_t *r = e->r;
    for (int i = 0; i < e->n; i++) {
        conn_t *c = &e->conns[i];
        if (c->st == C_BUSY) {
            r->inflight_at_end++;
            r->timeouts++;
            record(e, c, now);
        }
    }
    while (e->fcount > 0) {
        hdr_record(r->corrected, now - e->fifo[e->fhead]);
        e->fhead = (e->fhead + 1) % OL_MAX_BACKLOG;
        e->fcount--;
        r->unsent_at_end++;
        r->timeouts++;
    }
    /* requests due in the window that the loop never reached (it stopped first) */
    while (!e->sched_done) {
        r->scheduled++;
        r->unsent_at_end++;
        r->timeouts++;
        hdr_record(r->corrected, now > e->next_due ? now - e->next_due : 0);
        advance_schedule(e);
    }
}

int ol_run(const ol_opts_t *o, ol_result_t *r, err_t *err) {
    if (ol_opts_check(o, err) < 0) return -1;
    eng_t e;
    memset(&e, 0, sizeof e);
    e.o = o;
    e.r = r;
    e.err = err;
    e.n = o->connections;
    e.dur_ns = (uint64_t)(o->duration_s * 1e9);
    e.timeout_ns = (uint64_t)((o->timeout_s > 0 ? o->timeout_s : OL_DEFAULT_TIMEOUT_S) * 1e9);
    uint64_t drain_ns = (uint64_t)((o->drain_s < 0 ? OL_DEFAULT_DRAIN_S : o->drain_s) * 1e9);
    e.rng = o->seed ? o->seed : 1;
    e.addr.sin_family = AF_INET;
    e.addr.sin_port = htons((uint16_t)o->port);
    inet_pton(AF_INET, o->host, &e.addr.sin_addr);
    e.ep = epoll_create1(EPOLL_CLOEXEC);
    e.conns = calloc((size_t)e.n, sizeof *e.conns);
    e.idle = calloc((size_t)e.n, sizeof *e.idle);
    e.fifo = malloc(OL_MAX_BACKLOG * sizeof *e.fifo);
    e.rbuf = malloc(OL_READ_CHUNK);
    int rc = -1, slack = -1;
    if (e.ep < 0 || !e.conns || !e.idle || !e.fifo || !e.rbuf) {
        err_set(err, "open-loop: out of memory or file descriptors");
        goto out;
    }
    for (int i = 0; i < e.n; i++) {
        e.conns[i].fd = -1;
        buf_init(&e.conns[i].out, OL_MAX_REQUEST);
    }
    e.sending = true;
    /* the default 50 µs timer slack would delay every wake-up; restored below */
    slack = prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0);
    prctl(PR_SET_TIMERSLACK, 1, 0, 0, 0);
    if (connect_all(&e) < 0) goto out;
    double cpu0 = thread_cpu_s();
    e.t0 = mono_ns() + 1000000; /* 1 ms: the first request is not due mid-setup */
    e.end = e.t0 + e.dur_ns;
    e.next_due = e.t0;
    rc = run_loop(&e, drain_ns);
    if (rc == 0) {
        finish(&e);
        r->duration_s = o->duration_s;
        r->cpu_s = thread_cpu_s() - cpu0;
        ol_result_finish(r, o->rate);
    }
out:
    if (slack > 0) prctl(PR_SET_TIMERSLACK, (unsigned long)slack, 0, 0, 0);
    for (int i = 0; e.conns && i < e.n; i++) {
        if (e.conns[i].fd >= 0) close(e.conns[i].fd);
        buf_free(&e.conns[i].out);
    }
    if (e.ep >= 0) close(e.ep);
    free(e.conns);
    free(e.idle);
    free(e.fifo);
    free(e.rbuf);
    return rc;
}
