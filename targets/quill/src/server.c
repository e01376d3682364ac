/*
 * server.c: quill_run: listeners (one SO_REUSEPORT socket per worker, so the kernel spreads
 * connections without a shared accept lock), worker threads each running one epoll loop, timeout
 * lists, and graceful shutdown on SIGTERM/SIGINT or quill_stop():
 * stop accepting, close idle connections, let in-flight requests finish (with Connection: close),
 * and give up after shutdown_timeout_ms.
 */
#include "server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_EVENTS     256
#define ACCEPT_BATCH   64   /* connections accepted per wake-up, so one loop cannot starve */
#define TICK_MAX_MS    1000 /* longest epoll_wait: timeouts are checked at least this often */
#define SIGNAL_POLL_MS 50   /* how often the main thread checks quill_stop() */

int64_t quill__mono_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

worker_loop *quill__worker_loop_of(quill_worker *w) {
    return w->loop;
}

/* Sentinels stored in epoll_event.data.ptr for the listener, the wake-up eventfd and the
 * eventfd of finished pool jobs. */
static char LISTEN_TAG, WAKE_TAG, DONE_TAG;

void quill__worker_done(quill__job *job) {
    quill_worker *w = job->worker;
    pthread_mutex_lock(&w->done_mu);
    if (w->done_tail)
        w->done_tail->next = job;
    else
        w->done_head = job;
    w->done_tail = job;
    pthread_mutex_unlock(&w->done_mu);
    uint64_t one = 1;
    if (write(w->done_fd, &one, sizeof(one)) < 0) { /* the eventfd cannot fill: never fails */
    }
}

/* Resumes the requests whose deferred work has finished (on the worker's thread). */
static void take_done(quill_worker *w) {
    uint64_t v;
    if (read(w->done_fd, &v, sizeof(v)) < 0) { /* EAGAIN: already taken */
    }
    pthread_mutex_lock(&w->done_mu);
    quill__job *job = w->done_head;
    w->done_head = w->done_tail = NULL;
    pthread_mutex_unlock(&w->done_mu);
    while (job) {
        quill__job *next = job->next; /* the job's arena may be reset by the resume */
        quill__conn_resume(job->conn);
        job = next;
    }
}

static int open_listener(const quill_config *cfg, int port, char *err, size_t errlen) {
    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
    struct addrinfo *res = NULL;
    char portstr[16];
    snprintf(portstr, sizeof(portstr), "%d", port);
    int rc = getaddrinfo(cfg->host, portstr, &hints, &res);
    if (rc != 0) {
        snprintf(err, errlen, "cannot resolve host \"%s\": %s", cfg->host, gai_strerror(rc));
        return -1;
    }
    int fd = -1;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0) continue;
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, cfg->backlog) == 0) break;
        snprintf(err, errlen, "cannot listen on %s:%d: %s", cfg->host, port, strerror(errno));
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    return fd;
}

static int bound_port(int fd) {
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0) return 0;
    if (ss.ss_family == AF_INET) return ntohs(((struct sockaddr_in *)&ss)->sin_port);
    if (ss.ss_family == AF_INET6) return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
    return 0;
}

static void accept_some(quill_worker *w) {
    for (int i = 0; i < ACCEPT_BATCH; i++) {
        int fd = accept4(w->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED) continue;
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
                /* The pending connection stays in the backlog and the level-triggered listener
                 * would wake us in a loop: stop watching it until a connection closes. */
                epoll_ctl(w->epfd, EPOLL_CTL_DEL, w->listen_fd, NULL);
                w->loop->accept_paused = true;
            }
            return;
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        if (!quill__conn_new(w, fd)) close(fd);
    }
}

void quill__worker_resume_accept(quill_worker *w) {
    worker_loop *l = w->loop;
    if (!l->accept_paused || w->listen_fd < 0) return;
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &LISTEN_TAG};
    if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->listen_fd, &ev) == 0) l->accept_paused = false;
}

static void close_listener(quill_worker *w) {
    if (w->listen_fd < 0) return;
    accept_some(w); /* connections already in the accept queue get served, not reset */
    if (!w->loop->accept_paused) epoll_ctl(w->epfd, EPOLL_CTL_DEL, w->listen_fd, NULL);
    close(w->listen_fd);
    w->listen_fd = -1;
}

static void begin_shutdown(quill_worker *w) {
    worker_loop *l = w->loop;
    if (l->stopping) return;
    l->stopping = true;
    close_listener(w);
    /* Idle connections go now; the others finish what they are doing (their responses say
     * Connection: close) or are cut at the shutdown deadline. */
    for (int k = 0; k < LIST_COUNT; k++) {
        conn *c = l->lists[k].head;
        while (c) {
            conn *next = c->next;
            if (quill__conn_is_idle(c)) quill__conn_close(c);
            c = next;
        }
    }
}

static void expire(worker_loop *l) {
    for (int k = 0; k < LIST_COUNT; k++) {
        conn *c;
        while ((c = l->lists[k].head) && c->deadline <= l->now) quill__conn_expire(c);
    }
}

static int next_timeout(const worker_loop *l, int64_t shutdown_deadline) {
    int64_t t = l->now + TICK_MAX_MS;
    for (int k = 0; k < LIST_COUNT; k++)
        if (l->lists[k].head && l->lists[k].head->deadline < t) t = l->lists[k].head->deadline;
    if (l->stopping && shutdown_deadline < t) t = shutdown_deadline;
    int64_t d = t - l->now;
    /* Past the shutdown deadline with deferred work still running: poll, do not spin. */
    if (l->stopping && l->now >= shutdown_deadline) return SIGNAL_POLL_MS;
    return d < 0 ? 0 : (int)d;
}

static void worker_loop_run(quill_worker *w) {
    worker_loop *l = w->loop;
    struct epoll_event events[MAX_EVENTS];
    int64_t shutdown_deadline = 0;
    l->now = quill__mono_ms();
    for (;;) {
        int n = epoll_wait(w->epfd, events, MAX_EVENTS, next_timeout(l, shutdown_deadline));
        l->now = quill__mono_ms();
        if (n < 0 && errno != EINTR) break;
        for (int i = 0; i < n; i++) {
            void *tag = events[i].data.ptr;
            if (tag == &LISTEN_TAG) {
                accept_some(w);
            } else if (tag == &WAKE_TAG) {
                uint64_t v;
                if (read(w->wake_fd, &v, sizeof(v)) < 0) { /* nothing: it is only a wake-up */
                }
                begin_shutdown(w);
                shutdown_deadline = l->now + w->app->cfg.shutdown_timeout_ms;
            } else if (tag == &DONE_TAG) {
                take_done(w);
            } else {
                quill__conn_on_event(tag, events[i].events);
            }
        }
        expire(l);
        if (l->stopping) {
            if (l->nconns == 0) break;
            if (l->now >= shutdown_deadline) {
                for (int k = 0; k < LIST_COUNT; k++)
                    while (l->lists[k].head) quill__conn_close(l->lists[k].head);
                /* A pool thread still holds deferred jobs of this worker's connections: wait for
                 * them (they answer with Connection: close) before the worker goes away. */
                if (l->ndeferred == 0) break;
            }
        }
    }
}

typedef struct worker_start {
    quill_worker *w;
    pthread_mutex_t *mu;
    pthread_cond_t *cv;
    int *started;
} worker_start;

static void *worker_main(void *arg) {
    worker_start *ws = arg;
    quill_worker *w = ws->w;
    quill_app *app = w->app;
    int status = 0;
    if (app->on_start && app->on_start(w, app->data) < 0) status = -1;
    pthread_mutex_lock(ws->mu);
    w->start_status = status;
    (*ws->started)++;
    pthread_cond_broadcast(ws->cv);
    pthread_mutex_unlock(ws->mu);
    if (status == 0) worker_loop_run(w);
    if (app->on_stop && status == 0) app->on_stop(w, app->data);
    return NULL;
}

static int worker_setup(quill_app *app, quill_worker *w, int id, int fd) {
    w->app = app;
    w->id = id;
    w->listen_fd = fd;
    w->epfd = epoll_create1(EPOLL_CLOEXEC);
    w->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    w->done_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    pthread_mutex_init(&w->done_mu, NULL);
    worker_loop *l = calloc(1, sizeof(*l));
    if (w->epfd < 0 || w->wake_fd < 0 || w->done_fd < 0 || !l) {
        free(l);
        return -1;
    }
    const quill_config *cfg = &app->cfg;
    l->limits = (qp_limits){cfg->max_request_line, cfg->max_header_bytes, cfg->max_headers};
    l->max_headers = cfg->max_headers;
    l->headers = calloc(l->max_headers, sizeof(qp_header));
    l->timeouts[LIST_HEADER] = cfg->header_timeout_ms;
    l->timeouts[LIST_BODY] = cfg->body_timeout_ms;
    l->timeouts[LIST_IDLE] = cfg->idle_timeout_ms;
    l->timeouts[LIST_WRITE] = cfg->idle_timeout_ms;
    l->timeouts[LIST_LINGER] = LINGER_MS;
    w->loop = l;
    if (!l->headers) return -1;
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &LISTEN_TAG};
    if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) return -1;
    ev.data.ptr = &WAKE_TAG;
    if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->wake_fd, &ev) < 0) return -1;
    ev.data.ptr = &DONE_TAG;
    if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->done_fd, &ev) < 0) return -1;
    return 0;
}

static void worker_cleanup(quill_worker *w) {
    if (w->listen_fd >= 0) close(w->listen_fd);
    if (w->epfd >= 0) close(w->epfd);
    if (w->wake_fd >= 0) close(w->wake_fd);
    if (w->done_fd >= 0) {
        close(w->done_fd);
        pthread_mutex_destroy(&w->done_mu);
    }
    if (w->loop) free(w->loop->headers);
    free(w->loop);
    w->loop = NULL;
    w->listen_fd = w->epfd = w->wake_fd = w->done_fd = -1;
}

static int check_config(const quill_config *c) {
    const char *bad = NULL;
    if (!c->host || !*c->host)
        bad = "host is empty";
    else if (c->port < 0 || c->port > 65535)
        bad = "port is not in 0..65535";
    else if (c->workers < 1 || c->workers > 256)
        bad = "workers is not in 1..256";
    else if (c->max_headers < 1 || c->max_headers > QUILL_MAX_HEADERS_CAP)
        bad = "max_headers is not in 1..QUILL_MAX_HEADERS_CAP";
    else if (c->max_request_line < 16 || c->max_header_bytes < 16)
        bad = "head limits too small";
    else if (c->max_body > QUILL_ARENA_MAX)
        bad = "max_body is over QUILL_ARENA_MAX";
    else if (c->header_timeout_ms < 1 || c->idle_timeout_ms < 1 || c->body_timeout_ms < 1)
        bad = "timeouts must be positive";
    else if (!c->server_header || !*c->server_header)
        bad = "server_header is empty";
    else if (c->pool_threads < 1 || c->pool_threads > QUILL_POOL_MAX)
        bad = "pool_threads is not in 1..QUILL_POOL_MAX";
    else if (c->pool_queue < 1 || c->pool_queue > QUILL_POOL_QUEUE_MAX)
        bad = "pool_queue is not in 1..QUILL_POOL_QUEUE_MAX";
    if (bad) {
        fprintf(stderr, "quill: invalid configuration: %s\n", bad);
        return -1;
    }
    return 0;
}

int quill_run(quill_app *app, const quill_config *cfg) {
    if (check_config(cfg) < 0) return -1;
    app->cfg = *cfg;
    atomic_store(&app->stopping, 0);
    atomic_store(&app->port, 0);
    int nw = cfg->workers;
    app->workers = calloc((size_t)nw, sizeof(quill_worker));
    if (!app->workers) return -1;
    app->nworkers = nw;
    for (int i = 0; i < nw; i++)
        app->workers[i].listen_fd = app->workers[i].epfd = app->workers[i].wake_fd =
            app->workers[i].done_fd = -1;

    /* Bind every listener first so an error is reported before any thread starts. With port 0
     * the first bind picks the port and the others share it. */
    char err[256] = "";
    int port = cfg->port, rc = -1;
    for (int i = 0; i < nw; i++) {
        int fd = open_listener(cfg, port, err, sizeof(err));
        if (fd < 0) {
            fprintf(stderr, "quill: %s\n", err);
            goto out;
        }
        if (port == 0) port = bound_port(fd);
        if (worker_setup(app, &app->workers[i], i, fd) < 0) {
            fprintf(stderr, "quill: cannot set up worker %d: %s\n", i, strerror(errno));
            goto out;
        }
    }

    signal(SIGPIPE, SIG_IGN);
    sigset_t set, old;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    if (cfg->handle_signals) pthread_sigmask(SIG_BLOCK, &set, &old); /* workers inherit it */

    pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
    pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
    int started = 0, spawned = 0;
    /* The pool threads start here, after the mask: SIGTERM/SIGINT stay with sigtimedwait. */
    app->pool = quill__pool_new(cfg->pool_threads, cfg->pool_queue);
    worker_start *ws = app->pool ? calloc((size_t)nw, sizeof(worker_start)) : NULL;
    if (!ws) goto out_signals;
    for (int i = 0; i < nw; i++) {
        ws[i] = (worker_start){&app->workers[i], &mu, &cv, &started};
        if (pthread_create(&app->workers[i].thread, NULL, worker_main, &ws[i]) != 0) break;
        spawned++;
    }
    pthread_mutex_lock(&mu);
    while (started < spawned) pthread_cond_wait(&cv, &mu);
    pthread_mutex_unlock(&mu);
    bool ok = spawned == nw;
    for (int i = 0; i < spawned; i++)
        if (app->workers[i].start_status < 0) ok = false;
    if (ok) {
        atomic_store(&app->port, port);
        fprintf(stderr, "quill: %d worker%s listening on %s:%d\n", nw, nw == 1 ? "" : "s",
                cfg->host, port);
        while (!atomic_load(&app->stopping)) {
            if (cfg->handle_signals) {
                struct timespec ts = {0, SIGNAL_POLL_MS * 1000000L};
                if (sigtimedwait(&set, NULL, &ts) > 0) break;
            } else {
                struct timespec ts = {0, SIGNAL_POLL_MS * 1000000L};
                nanosleep(&ts, NULL);
            }
        }
    } else {
        fprintf(stderr, "quill: a worker failed to start; stopping\n");
    }
    atomic_store(&app->stopping, 1);
    for (int i = 0; i < spawned; i++) {
        uint64_t one = 1;
        if (write(app->workers[i].wake_fd, &one, sizeof(one)) < 0) { /* the eventfd cannot fill */
        }
    }
    for (int i = 0; i < spawned; i++) pthread_join(app->workers[i].thread, NULL);
    free(ws);
    quill__pool_free(app->pool); /* every worker waited for its own jobs: the queue is empty */
    app->pool = NULL;
    if (ok) fprintf(stderr, "quill: stopped\n");
    rc = ok ? 0 : -1;
out_signals:
    quill__pool_free(app->pool); /* set only when the workers could not be spawned */
    app->pool = NULL;
    if (cfg->handle_signals) {
        /* A second SIGTERM during the shutdown is pending now: consume it, or unblocking it
         * would kill the process with the default action instead of returning 0. */
        struct timespec zero = {0, 0};
        while (sigtimedwait(&set, NULL, &zero) > 0) {
        }
        pthread_sigmask(SIG_SETMASK, &old, NULL);
    }
out:
    for (int i = 0; i < nw; i++) worker_cleanup(&app->workers[i]);
    free(app->workers);
    app->workers = NULL;
    app->nworkers = 0;
    atomic_store(&app->port, 0);
    return rc;
}

void quill_stop(quill_app *app) {
    atomic_store(&app->stopping, 1);
}

int quill_app_port(const quill_app *app) {
    return atomic_load(&((quill_app *)app)->port);
}
