/* responder: see responder.h. */
#include "responder.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define RESPONDER_EVENTS 256
#define RESPONDER_READ   16384

static const char ANSWER[] =
    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\n" RESPONDER_BODY;

/* How far each connection is into "\r\n\r\n" (0..3), across reads. */
static unsigned char resp_state[RESPONDER_MAX_FDS];

/* Counts the request ends in p[0..n) for connection state *st. */
static int resp_count_ends(unsigned char *st, const char *p, ssize_t n) {
    static const char END[] = "\r\n\r\n";
    int ends = 0;
    for (ssize_t i = 0; i < n; i++) {
        if (p[i] == END[*st])
            (*st)++;
        else
            *st = p[i] == '\r' ? 1 : 0;
        if (*st == 4) {
            ends++;
            *st = 0;
        }
    }
    return ends;
}

/* Writes the whole answer (a blocking retry on EAGAIN: answers are tiny). -1 on a dead peer. */
static int resp_answer(int fd) {
    size_t off = 0, len = sizeof ANSWER - 1;
    while (off < len) {
        ssize_t w = write(fd, ANSWER + off, len - off);
        if (w > 0)
            off += (size_t)w;
        else if (w < 0 && errno != EAGAIN && errno != EINTR)
            return -1;
    }
    return 0;
}

static void resp_serve(int lfd) {
    int ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = lfd}, evs[RESPONDER_EVENTS];
    if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev) < 0) _exit(3);
    static char buf[RESPONDER_READ];
    for (;;) {
        int n = epoll_wait(ep, evs, RESPONDER_EVENTS, -1);
        for (int i = 0; i < n; i++) {
            int fd = evs[i].data.fd;
            if (fd == lfd) {
                int c;
                while ((c = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
                    struct epoll_event ce = {.events = EPOLLIN, .data.fd = c};
                    if (c >= RESPONDER_MAX_FDS || epoll_ctl(ep, EPOLL_CTL_ADD, c, &ce) < 0)
                        close(c);
                    else
                        resp_state[c] = 0;
                }
                continue;
            }
            ssize_t r = read(fd, buf, sizeof buf);
            if (r < 0 && (errno == EAGAIN || errno == EINTR)) continue;
            int ends = r > 0 ? resp_count_ends(&resp_state[fd], buf, r) : -1;
            for (int k = 0; k < ends; k++)
                if (resp_answer(fd) < 0) ends = -1;
            if (ends < 0) close(fd); /* EOF, error: epoll forgets a closed fd */
        }
    }
}

int responder_start(responder_t *r, const cpu_set_t *cpus, err_t *err) {
    memset(r, 0, sizeof *r);
    int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (lfd < 0) return err_set(err, "responder: socket: %s", strerror(errno));
    int one = 1;
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t alen = sizeof a;
    if (bind(lfd, (struct sockaddr *)&a, sizeof a) < 0 || listen(lfd, 4096) < 0 ||
        getsockname(lfd, (struct sockaddr *)&a, &alen) < 0) {
        close(lfd);
        return err_set(err, "responder: bind/listen on 127.0.0.1: %s", strerror(errno));
    }
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        close(lfd);
        return err_set(err, "responder: fork: %s", strerror(errno));
    }
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) _exit(0);
        if (cpus) sched_setaffinity(0, sizeof *cpus, cpus);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        resp_serve(lfd);
        _exit(0);
    }
    close(lfd);
    r->pid = pid;
    r->port = ntohs(a.sin_port);
    snprintf(r->url, sizeof r->url, "http://127.0.0.1:%d", r->port);
    return 0;
}

void responder_stop(responder_t *r) {
    if (r->pid <= 0) return;
    kill(r->pid, SIGKILL);
    while (waitpid(r->pid, NULL, 0) < 0 && errno == EINTR) {
    }
    r->pid = 0;
}
