/* server_harness.h: starts targets/quill/examples/example.c on an ephemeral port for the
 * black-box tests, and raw-socket helpers. Header-only: included by test_server.c and
 * test_conn.c. */
#ifndef QUILL_SERVER_HARNESS_H
#define QUILL_SERVER_HARNESS_H

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

typedef struct server {
    pid_t pid;
    int port;
    int err_fd;
} server;

static long long now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Starts the example with extra "NAME=value" settings (NULL-terminated); the pseudo-setting
 * "RLIMIT_NOFILE=N" sets the server's file descriptor limit instead. */
static server server_start(const char *const *env) {
    int pfd[2];
    cr_assert_eq(pipe(pfd), 0);
    pid_t pid = fork();
    cr_assert_neq(pid, -1);
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL); /* a failed test never leaves a server behind */
        dup2(pfd[1], 2);
        close(pfd[0]);
        close(pfd[1]);
        setenv("HOST", "127.0.0.1", 1);
        setenv("PORT", "0", 1);
        setenv("WORKERS", "2", 1);
        for (; env && *env; env++) {
            if (strncmp(*env, "RLIMIT_NOFILE=", 14) == 0) { /* not a variable: a limit */
                rlim_t n = (rlim_t)strtol(*env + 14, NULL, 10);
                struct rlimit rl = {n, n};
                setrlimit(RLIMIT_NOFILE, &rl);
                continue;
            }
            putenv((char *)*env);
        }
        execl(QUILL_EXAMPLE_BIN, QUILL_EXAMPLE_BIN, (char *)NULL);
        _exit(127);
    }
    close(pfd[1]);
    server s = {pid, 0, pfd[0]};
    char buf[512];
    size_t len = 0;
    long long deadline = now_ms() + 5000;
    while (now_ms() < deadline && len < sizeof(buf) - 1) {
        struct pollfd p = {pfd[0], POLLIN, 0};
        if (poll(&p, 1, 100) <= 0) continue;
        ssize_t n = read(pfd[0], buf + len, sizeof(buf) - 1 - len);
        if (n <= 0) break;
        len += (size_t)n;
        buf[len] = '\0';
        const char *at = strstr(buf, "listening on 127.0.0.1:");
        if (at && strchr(at, '\n')) {
            s.port = (int)strtol(at + strlen("listening on 127.0.0.1:"), NULL, 10);
            break;
        }
    }
    cr_assert_gt(s.port, 0, "the example did not start: %s", buf);
    return s;
}

/* SIGTERM and wait; returns the exit status (-1 if it had to be killed after 6 s). */
static int server_stop(server *s) {
    if (s->pid <= 0) return -1;
    kill(s->pid, SIGTERM);
    long long deadline = now_ms() + 6000;
    int status = 0;
    while (now_ms() < deadline) {
        pid_t r = waitpid(s->pid, &status, WNOHANG);
        if (r == s->pid) {
            s->pid = 0;
            close(s->err_fd);
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        }
        usleep(20000);
    }
    kill(s->pid, SIGKILL);
    waitpid(s->pid, &status, 0);
    s->pid = 0;
    return -1;
}

static int tcp_connect(int port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    cr_assert_geq(fd, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    cr_assert_eq(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0, "connect: %s", strerror(errno));
    return fd;
}

static void send_all(int fd, const char *p, size_t n) {
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR) continue;
        cr_assert_gt(w, 0, "send: %s", strerror(errno));
        p += w;
        n -= (size_t)w;
    }
}

static void send_str(int fd, const char *s) {
    send_all(fd, s, strlen(s));
}

/* Reads until EOF, `timeout_ms` passes, or `until` (if not NULL) appears `count` times.
 * Returns the bytes read; *closed tells whether the peer closed. */
static size_t read_resp(int fd, char *buf, size_t cap, int timeout_ms, const char *until, int count,
                        bool *closed) {
    size_t len = 0;
    bool eof = false;
    long long deadline = now_ms() + timeout_ms;
    buf[0] = '\0';
    while (len < cap - 1) {
        if (until) {
            int seen = 0;
            for (const char *p = buf; (p = strstr(p, until)); p += strlen(until)) seen++;
            if (seen >= count) break;
        }
        long long left = deadline - now_ms();
        if (left <= 0) break;
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, (int)left) <= 0) continue;
        ssize_t n = read(fd, buf + len, cap - 1 - len);
        if (n <= 0) {
            eof = true;
            break;
        }
        len += (size_t)n;
        buf[len] = '\0';
    }
    if (closed) *closed = eof;
    return len;
}

/* Waits until the peer closes (recv returns 0 or an error); returns the ms it took, or -1. */
__attribute__((unused)) static long long wait_closed(int fd, int timeout_ms) {
    long long start = now_ms(), deadline = start + timeout_ms;
    char tmp[4096];
    while (now_ms() < deadline) {
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, 50) <= 0) continue;
        ssize_t n = recv(fd, tmp, sizeof(tmp), 0);
        if (n <= 0) return now_ms() - start;
    }
    return -1;
}

#endif
