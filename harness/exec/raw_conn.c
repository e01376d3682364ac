/* raw_conn: TCP connection, bounded writes and reads for raw steps (see raw_conn.h). */
#include "raw_conn.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/clock.h"

int raw_url_host_port(const char *url, char *host, size_t hostlen, char *port, size_t portlen,
                      err_t *err) {
    const char *s = str_starts_with(url, "http://") ? url + 7 : NULL;
    if (!s) return err_set(err, "raw steps need an http:// URL, got \"%.200s\"", url);
    const char *h = s, *he;
    if (*s == '[') { /* [::1]:port */
        h = s + 1;
        he = strchr(h, ']');
        if (!he || he[1] != ':') return err_set(err, "bad URL \"%.200s\"", url);
        s = he + 2;
    } else {
        he = strchr(s, ':');
        if (!he) return err_set(err, "the URL \"%.200s\" has no port", url);
        s = he + 1;
    }
    size_t hl = (size_t)(he - h), pl = strcspn(s, "/");
    if (!hl || hl >= hostlen || !pl || pl >= portlen)
        return err_set(err, "bad host or port in \"%.200s\"", url);
    memcpy(host, h, hl);
    host[hl] = '\0';
    memcpy(port, s, pl);
    port[pl] = '\0';
    return 0;
}

static long left_ms(long long deadline) {
    long long l = deadline - clock_mono_ms();
    return l < 0 ? 0 : (long)l;
}

int raw_conn_open(raw_conn_t *c, const char *base_url, unsigned long long head, err_t *err) {
    char host[256], port[16];
    memset(c, 0, sizeof *c);
    c->fd = -1;
    raw_parser_init(&c->parser, head);
    if (raw_url_host_port(base_url, host, sizeof host, port, sizeof port, err) == -1) return -1;
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *ai = NULL;
    int g = getaddrinfo(host, port, &hints, &ai);
    if (g != 0) return err_set(err, "cannot resolve %s: %s", host, gai_strerror(g));
    int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        freeaddrinfo(ai);
        return err_set(err, "socket: %s", strerror(errno));
    }
    int rc = connect(fd, ai->ai_addr, ai->ai_addrlen);
    freeaddrinfo(ai);
    if (rc < 0 && errno == EINPROGRESS) {
        struct pollfd pf = {.fd = fd, .events = POLLOUT};
        int soerr = 0;
        socklen_t sl = sizeof soerr;
        if (poll(&pf, 1, RAW_CONNECT_TIMEOUT_MS) != 1) {
            errno = ETIMEDOUT;
        } else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == 0 && soerr == 0) {
            rc = 0;
        } else {
            errno = soerr ? soerr : EIO;
        }
    }
    if (rc < 0) {
        int e = errno;
        close(fd);
        return err_set(err, "connect to %s:%s: %s", host, port, strerror(e));
    }
    int one = 1; /* pieces go out as written: no coalescing of a paced send */
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    c->fd = fd;
    return 0;
}

void raw_conn_reuse(raw_conn_t *c, unsigned long long head) {
    raw_parser_free(&c->parser);
    raw_parser_init(&c->parser, head);
    c->eof = c->reset = c->write_failed = false;
    c->sent = 0;
    c->eof_ms = c->first_byte_ms = 0;
}

void raw_conn_close(raw_conn_t *c) {
    if (c->fd >= 0) close(c->fd);
    c->fd = -1;
}

void raw_conn_free(raw_conn_t *c) {
    raw_conn_close(c);
    raw_parser_free(&c->parser);
}

bool raw_conn_dead(raw_conn_t *c) {
    if (c->fd < 0) return true;
    char b;
    ssize_t r = recv(c->fd, &b, 1, MSG_PEEK | MSG_DONTWAIT);
    return r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

/* Reads what is there now (non-blocking); 0, or -1 once the connection ended. */
static int read_some(raw_conn_t *c) {
    char b[RAW_READ_CHUNK];
    for (int i = 0; i < 64; i++) {
        ssize_t r = read(c->fd, b, sizeof b);
        long long now = clock_mono_ms();
        if (r > 0) {
            if (!c->first_byte_ms) c->first_byte_ms = now;
            raw_parser_feed(&c->parser, b, (size_t)r, now);
            continue;
        }
        if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return 0;
        if (r < 0 && errno == EINTR) continue;
        c->reset = r < 0;
        c->eof = true;
        c->eof_ms = now;
        raw_parser_eof(&c->parser, now);
        return -1;
    }
    return 0;
}

int raw_conn_write(raw_conn_t *c, const char *p, size_t n, long long deadline) {
    size_t off = 0;
    while (off < n) {
        if (c->eof) break;
        struct pollfd pf = {.fd = c->fd, .events = POLLIN | POLLOUT};
        int k = poll(&pf, 1, (int)left_ms(deadline));
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) return -1; /* deadline */
        if (pf.revents & (POLLIN | POLLHUP | POLLERR)) read_some(c);
        if (!(pf.revents & POLLOUT) || c->eof) continue;
        ssize_t w = send(c->fd, p + off, n - off, MSG_NOSIGNAL);
        if (w > 0) {
            off += (size_t)w;
            c->sent += (size_t)w;
        } else if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
            c->reset = c->reset || errno == ECONNRESET || errno == EPIPE;
            break;
        }
    }
    if (off == n) return 0;
    c->write_failed = true;
    return -1;
}

void raw_conn_pump(raw_conn_t *c, long long deadline, raw_done_fn done, void *ctx) {
    while (!c->eof && c->fd >= 0 && !(done && done(ctx, c)) && c->parser.state != RP_ERROR) {
        long ms = left_ms(deadline);
        if (ms <= 0) break;
        struct pollfd pf = {.fd = c->fd, .events = POLLIN};
        int k = poll(&pf, 1, (int)ms);
        if (k < 0 && errno == EINTR) continue;
        if (k < 0) break;
        if (k == 1) read_some(c);
    }
}

void raw_conn_shutdown(raw_conn_t *c) {
    if (c->fd >= 0) shutdown(c->fd, SHUT_WR);
}

static bool one_final(void *ctx, const raw_conn_t *c) {
    (void)ctx;
    return c->parser.nfinal >= 1;
}

int raw_probe_get(const char *base_url, const char *path, long ms, long *status, err_t *err) {
    char host[256], port[16];
    if (raw_url_host_port(base_url, host, sizeof host, port, sizeof port, err) == -1) return -1;
    raw_conn_t c;
    if (raw_conn_open(&c, base_url, 0, err) == -1) {
        raw_conn_free(&c);
        return -1;
    }
    char req[512];
    int n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: %s:%s\r\nConnection: close\r\n\r\n",
                     path, host, port);
    long long deadline = clock_mono_ms() + ms;
    int rc = -1;
    if (n < 0 || (size_t)n >= sizeof req) {
        err_set(err, "path too long");
    } else if (raw_conn_write(&c, req, (size_t)n, deadline) == -1) {
        err_set(err, "could not send GET %s (%s)", path,
                c.reset ? "connection reset"
                : c.eof ? "connection closed"
                        : "timed out");
    } else {
        raw_conn_pump(&c, deadline, one_final, NULL);
        raw_answer_t *a = raw_parser_first_final(&c.parser);
        if (a && a->complete) {
            *status = a->resp.status;
            rc = 0;
        } else if (c.parser.state == RP_ERROR) {
            err_set(err, "GET %s: malformed answer: %s", path, c.parser.error);
        } else if (c.eof && !c.parser.received) {
            err_set(err, "GET %s: the connection was %s without an answer", path,
                    c.reset ? "reset" : "closed");
        } else {
            err_set(err, "GET %s: no complete answer within %ld ms (%s)", path, ms,
                    c.reset ? "connection reset"
                    : c.eof ? "connection closed"
                            : "still open");
        }
    }
    raw_conn_free(&c);
    return rc;
}

int raw_printf_quote(buf_t *out, const char *p, size_t n) {
    int rc = buf_addc(out, '\'');
    for (size_t i = 0; i < n && rc == 0; i++) {
        unsigned char ch = (unsigned char)p[i];
        switch (ch) {
        case '\r': rc = buf_adds(out, "\\r"); break;
        case '\n': rc = buf_adds(out, "\\n"); break;
        case '\t': rc = buf_adds(out, "\\t"); break;
        case '\\': rc = buf_adds(out, "\\\\"); break;
        case '%': rc = buf_adds(out, "%%"); break;
        case '\'': rc = buf_adds(out, "'\\''"); break;
        default:
            rc = ch < 0x20 || ch >= 0x7f ? buf_printf(out, "\\%03o", ch) : buf_addc(out, (char)ch);
        }
    }
    return rc | buf_addc(out, '\'');
}
