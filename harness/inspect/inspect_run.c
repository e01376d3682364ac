/* inspect_run: start-up time, idle memory and memory per open connection (see inspect.h).
 *
 * Start-up is timed around target_start() with readiness polled every INSPECT_POLL_MS (not the
 * lifecycle's 20-200 ms back-off), so a figure is exec-to-first-200 plus at most one polling
 * interval and the set-up before exec (a temp dir, the environment: well under a millisecond).
 * "Cold" means a fresh process and a fresh database; the page cache is warm (dropping it needs
 * root and would time the disk, not the framework).
 *
 * The connection probe opens n loopback connections, sends one keep-alive `GET ready.path` on
 * each and waits for the answers, so that each connection has been accepted and served and sits
 * idle as a browser's would; then it reads the group's RSS. A server that closes connections
 * after answering (or never accepts them) shows it in "open": the per-connection figure divides by
 * the connections still open. Every wait is bounded by timeout_ms; the probe needs n + a few file
 * descriptors, and raises its soft RLIMIT_NOFILE to the hard limit (the target inherits it). */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "inspect.h"

#include "core/clock.h"

#define RUN_STAT_MAX   4096 /* bytes of one /proc/<pid>/stat */
#define RUN_FD_RESERVE 64   /* descriptors kept for everything else */
#define RUN_REQ_MAX    1024 /* bytes of the probe request */
#define RUN_READ_CHUNK 4096

/* ---- RSS of a process group (the same /proc reading as bench/procstat.c, which a layer below
 * bench cannot use) ---------------------------------------------------------------------------- */

long long inspect_rss_kib(pid_t pgid) {
    DIR *d = opendir("/proc");
    if (!d) return -1;
    long page_kb = sysconf(_SC_PAGESIZE) / 1024;
    long long kib = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        long long pid;
        if (str_to_ll(e->d_name, 1, 1LL << 31, &pid) < 0) continue;
        char path[64], line[RUN_STAT_MAX];
        snprintf(path, sizeof path, "/proc/%lld/stat", pid);
        FILE *f = fopen(path, "r");
        if (!f) continue;
        size_t n = fread(line, 1, sizeof line - 1, f);
        fclose(f);
        line[n] = '\0';
        /* fields after "(comm)": state ppid pgrp ... rss is field 24 (the 22nd after comm) */
        char *p = strrchr(line, ')');
        if (!p) continue;
        long long v[22] = {0};
        int k = 0;
        for (char *tok = strtok(p + 2, " "); tok && k < 22; tok = strtok(NULL, " ")) {
            if (k == 0) { /* state letter */
                k++;
                continue;
            }
            v[k++] = strtoll(tok, NULL, 10);
        }
        if (k == 22 && v[2] == pgid) kib += v[21] * page_kb;
    }
    closedir(d);
    return kib;
}

/* ---- the connection probe ---------------------------------------------------------------------
 */

typedef struct conn {
    int fd;
    size_t sent;
    bool connected, answered, closed;
} conn_t;

static int raise_nofile(int want) {
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) < 0) return 0;
    if (rl.rlim_cur < rl.rlim_max && rl.rlim_cur < (rlim_t)want) {
        rl.rlim_cur = rl.rlim_max < (rlim_t)want ? rl.rlim_max : (rlim_t)want;
        setrlimit(RLIMIT_NOFILE, &rl);
        getrlimit(RLIMIT_NOFILE, &rl);
    }
    return rl.rlim_cur > RUN_FD_RESERVE ? (int)(rl.rlim_cur - RUN_FD_RESERVE) : 0;
}

/* One poll round over every pending connection: finish connects, send, read answers. */
static int probe_round(conn_t *c, struct pollfd *pf, int n, const char *req, size_t reqlen,
                       int wait_ms) {
    int np = 0, idx[INSPECT_CONNS_MAX];
    for (int i = 0; i < n; i++) {
        if (c[i].fd < 0 || c[i].answered || c[i].closed) continue;
        pf[np].fd = c[i].fd;
        pf[np].events = c[i].sent < reqlen ? POLLOUT : POLLIN;
        pf[np].revents = 0;
        idx[np++] = i;
    }
    if (np == 0) return 0;
    if (poll(pf, (nfds_t)np, wait_ms) < 0 && errno != EINTR) return -1;
    char buf[RUN_READ_CHUNK];
    for (int k = 0; k < np; k++) {
        conn_t *x = &c[idx[k]];
        short ev = pf[k].revents;
        if (!ev) continue;
        if (x->sent < reqlen) {
            int soerr = 0;
            socklen_t sl = sizeof soerr;
            getsockopt(x->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl);
            if (soerr || (ev & (POLLERR | POLLHUP))) {
                x->closed = true;
                continue;
            }
            x->connected = true;
            ssize_t w = send(x->fd, req + x->sent, reqlen - x->sent, MSG_NOSIGNAL);
            if (w > 0)
                x->sent += (size_t)w;
            else if (w < 0 && errno != EAGAIN)
                x->closed = true;
            continue;
        }
        ssize_t r = recv(x->fd, buf, sizeof buf, 0);
        if (r > 0)
            x->answered = true; /* the answer's first bytes: served, now idle */
        else if (r == 0 || errno != EAGAIN)
            x->closed = true;
    }
    return np;
}

/* Connections the server closed since they were answered (a read sees EOF or an error). */
static int count_open(conn_t *c, int n) {
    int open = 0;
    char buf[RUN_READ_CHUNK];
    for (int i = 0; i < n; i++) {
        if (c[i].fd < 0 || c[i].closed || !c[i].answered) continue;
        ssize_t r;
        while ((r = recv(c[i].fd, buf, sizeof buf, MSG_DONTWAIT)) > 0) {
        }
        if (r == 0 || (r < 0 && errno != EAGAIN))
            c[i].closed = true;
        else
            open++;
    }
    return open;
}

int inspect_conn_probe(pid_t pgid, int port, const char *path, int n, int timeout_ms,
                       long long idle_rss_kib, cJSON *out) {
    int limit = raise_nofile(n + RUN_FD_RESERVE);
    if (n > limit) n = limit;
    if (n > INSPECT_CONNS_MAX) n = INSPECT_CONNS_MAX;
    conn_t *c = calloc((size_t)(n > 0 ? n : 1), sizeof *c);
    struct pollfd *pf = calloc((size_t)(n > 0 ? n : 1), sizeof *pf);
    if (!c || !pf) {
        free(c);
        free(pf);
        cJSON_AddStringToObject(out, "error", "out of memory");
        return -1;
    }
    char req[RUN_REQ_MAX];
    int reqlen = snprintf(req, sizeof req,
                          "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nConnection: keep-alive\r\n\r\n",
                          path, port);
    struct sockaddr_in sa = {.sin_family = AF_INET,
                             .sin_port = htons((uint16_t)port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    int opened = 0;
    for (int i = 0; i < n; i++) {
        c[i].fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (c[i].fd < 0) break;
        if (connect(c[i].fd, (struct sockaddr *)&sa, sizeof sa) < 0 && errno != EINPROGRESS)
            c[i].closed = true;
        opened++;
    }
    long long deadline = clock_mono_ms() + (timeout_ms > 0 ? timeout_ms : INSPECT_CONN_TIMEOUT_MS);
    while (clock_mono_ms() < deadline && probe_round(c, pf, opened, req, (size_t)reqlen, 50) > 0) {
    }
    clock_sleep_ms(INSPECT_SETTLE_MS);
    int answered = 0, connected = 0;
    for (int i = 0; i < opened; i++) {
        answered += c[i].answered;
        connected += c[i].connected;
    }
    int open = count_open(c, opened);
    long long rss = inspect_rss_kib(pgid);
    int open_after = count_open(c, opened); /* still open when RSS was read */
    if (open_after < open) open = open_after;
    for (int i = 0; i < opened; i++)
        if (c[i].fd >= 0) close(c[i].fd);
    free(c);
    free(pf);
    cJSON_AddNumberToObject(out, "requested", n);
    cJSON_AddNumberToObject(out, "connected", connected);
    cJSON_AddNumberToObject(out, "answered", answered);
    cJSON_AddNumberToObject(out, "open", open);
    cJSON_AddNumberToObject(out, "idle_rss_kib", (double)idle_rss_kib);
    cJSON_AddNumberToObject(out, "rss_kib", (double)rss);
    if (open > 0 && rss >= 0 && idle_rss_kib >= 0)
        cJSON_AddNumberToObject(out, "per_connection_bytes",
                                (double)((rss - idle_rss_kib) * 1024 / open));
    else
        cJSON_AddNullToObject(out, "per_connection_bytes");
    return 0;
}

/* ---- cold starts ------------------------------------------------------------------------------
 */

static int cmp_dbl(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n) {
    qsort(v, (size_t)n, sizeof *v, cmp_dbl);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static double round3(double v) {
    return round(v * 1000) / 1000;
}

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

cJSON *inspect_runtime(const target_manifest_t *m, const inspect_opts_t *o, cJSON **conns) {
    cJSON *st = cJSON_CreateObject(), *samples = cJSON_AddArrayToObject(st, "samples_ms");
    cJSON *rss_samples = cJSON_AddArrayToObject(st, "idle_rss_samples_kib");
    *conns = cJSON_CreateObject();
    int starts = o->starts < 1                    ? 1
                 : o->starts > INSPECT_STARTS_MAX ? INSPECT_STARTS_MAX
                                                  : o->starts;
    double ms[INSPECT_STARTS_MAX], rss[INSPECT_STARTS_MAX];
    int got = 0;
    err_t err = {{0}};
    target_opts_t to = {.workers = o->workers,
                        .cpus = o->cpus,
                        .log_path = o->log_path,
                        .build_dir = o->build_dir,
                        .ready_poll_ms = INSPECT_POLL_MS,
                        .stop_grace_ms = INSPECT_STOP_GRACE_MS};
    if (o->connections > 0) raise_nofile(o->connections + RUN_FD_RESERVE); /* before the spawn */
    for (int i = 0; i < starts; i++) {
        if (!o->quiet) fprintf(stderr, "inspect: %s: cold start %d/%d\n", m->name, i + 1, starts);
        target_proc_t p;
        double t0 = now_ms();
        if (target_start(m, &to, &p, &err) < 0) break;
        ms[got] = now_ms() - t0;
        clock_sleep_ms(INSPECT_SETTLE_MS);
        rss[got] = (double)inspect_rss_kib(p.pgid);
        cJSON_AddItemToArray(samples, cJSON_CreateNumber(round3(ms[got])));
        cJSON_AddItemToArray(rss_samples, cJSON_CreateNumber(rss[got]));
        got++;
        if (i == starts - 1 && o->connections > 0) {
            if (!o->quiet)
                fprintf(stderr, "inspect: %s: %d idle keep-alive connections\n", m->name,
                        o->connections);
            inspect_conn_probe(p.pgid, p.port, m->ready_path, o->connections, o->conn_timeout_ms,
                               (long long)rss[got - 1], *conns);
        }
        err_t serr;
        target_stop(&p, &serr);
    }
    double sorted[INSPECT_STARTS_MAX];
    memcpy(sorted, ms, sizeof(double) * (size_t)got);
    cJSON_AddNumberToObject(st, "starts", got);
    if (got > 0) {
        cJSON_AddNumberToObject(st, "median_ms", round3(median(sorted, got)));
        cJSON_AddNumberToObject(st, "min_ms", round3(sorted[0]));
        cJSON_AddNumberToObject(st, "max_ms", round3(sorted[got - 1]));
        cJSON_AddNumberToObject(st, "idle_rss_kib", median(rss, got));
    } else {
        cJSON_AddNullToObject(st, "median_ms");
        cJSON_AddNullToObject(st, "idle_rss_kib");
    }
    if (got < starts)
        cJSON_AddStringToObject(st, "error", err.msg);
    else
        cJSON_AddNullToObject(st, "error");
    if (o->connections <= 0)
        cJSON_AddStringToObject(*conns, "skipped", "no connection probe (--connections 0)");
    else if (got < starts && !cJSON_GetObjectItemCaseSensitive(*conns, "error"))
        cJSON_AddStringToObject(*conns, "error", "not measured: the target did not start");
    return st;
}
