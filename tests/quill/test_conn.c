/* test_conn.c: targets/quill/src/conn.c, black-box over raw sockets — keep-alive, pipelining in
 * order, HEAD, bodies (Content-Length, chunked, 100-continue), the limits (413/414/431) with the
 * app's error handler, 400-and-close on smuggling vectors, and the slowloris and idle timeouts. */
#include "server_harness.h"

static char buf[1 << 21];

static int count(const char *hay, const char *needle) {
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle)) n++;
    return n;
}

Test(conn, pipelined_requests_answered_in_order) {
    server s = server_start(NULL);
    int fd = tcp_connect(s.port);
    char req[4096];
    size_t o = 0;
    for (int i = 1; i <= 20; i++)
        o += (size_t)snprintf(req + o, sizeof(req) - o,
                              "GET /users/%d HTTP/1.1\r\nHost: t\r\n%s\r\n", i,
                              i == 20 ? "Connection: close\r\n" : "");
    send_all(fd, req, o); /* one write: 20 requests */
    bool closed;
    read_resp(fd, buf, sizeof(buf), 3000, NULL, 0, &closed);
    cr_assert(closed, "Connection: close on the last one closes");
    cr_assert_eq(count(buf, "HTTP/1.1 200 OK"), 20);
    const char *p = buf;
    for (int i = 1; i <= 20; i++) {
        char want[32];
        snprintf(want, sizeof(want), "{\"id\":%d}", i);
        const char *at = strstr(p, want);
        cr_assert(at, "response %d missing or out of order", i);
        p = at + strlen(want);
    }
    close(fd);
    server_stop(&s);
}

Test(conn, pipelined_byte_by_byte) {
    server s = server_start(NULL);
    int fd = tcp_connect(s.port);
    const char *req = "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc"
                      "GET /users/9 HTTP/1.1\r\nHost: t\r\n\r\n";
    for (const char *c = req; *c; c++) send_all(fd, c, 1);
    read_resp(fd, buf, sizeof(buf), 3000, "\r\n\r\n", 2, NULL);
    read_resp(fd, buf + strlen(buf), sizeof(buf) - strlen(buf), 300, NULL, 0, NULL);
    cr_assert(strstr(buf, "\r\n\r\nabc"), "%s", buf);
    cr_assert(strstr(buf, "{\"id\":9}"), "%s", buf);
    close(fd);
    server_stop(&s);
}

Test(conn, head_has_no_body) {
    server s = server_start(NULL);
    int fd = tcp_connect(s.port);
    send_str(fd,
             "HEAD /plaintext HTTP/1.1\r\nHost: t\r\n\r\nGET /users/1 HTTP/1.1\r\nHost: t\r\n\r\n");
    read_resp(fd, buf, sizeof(buf), 2000, "{\"id\":1}", 1, NULL);
    cr_assert(strstr(buf, "Content-Length: 13\r\n"), "HEAD keeps the GET's length: %s", buf);
    cr_assert_null(strstr(buf, "Hello"), "no body on HEAD: %s", buf);
    cr_assert_eq(count(buf, "HTTP/1.1 200 OK"), 2, "the next response follows directly");
    close(fd);
    server_stop(&s);
}

Test(conn, http10_closes_unless_keep_alive) {
    server s = server_start(NULL);
    int fd = tcp_connect(s.port);
    send_str(fd, "GET /plaintext HTTP/1.0\r\n\r\n");
    bool closed;
    read_resp(fd, buf, sizeof(buf), 2000, NULL, 0, &closed);
    cr_assert(closed);
    cr_assert(strstr(buf, "Hello, World!"));
    close(fd);
    server_stop(&s);
}

Test(conn, http10_keep_alive_is_announced) {
    server s = server_start(NULL);
    int fd = tcp_connect(s.port);
    for (int i = 0; i < 2; i++) {
        send_str(fd, "GET /plaintext HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
        bool closed;
        read_resp(fd, buf, sizeof(buf), 2000, "Hello, World!", 1, &closed);
        cr_assert(strstr(buf, "\r\nConnection: keep-alive\r\n"), "round %d: %s", i, buf);
        cr_assert_not(closed);
    }
    close(fd);
    server_stop(&s);
}

Test(conn, thousands_of_pipelined_requests_in_one_write) {
    server s = server_start(NULL);
    int fd = tcp_connect(s.port);
    const char *one = "GET /plaintext HTTP/1.1\r\nHost: t\r\n\r\n";
    size_t n1 = strlen(one), total = 3000;
    char *all = malloc(n1 * total);
    for (size_t i = 0; i < total; i++) memcpy(all + i * n1, one, n1);
    send_all(fd, all, n1 * total);
    size_t len = read_resp(fd, buf, sizeof(buf), 10000, "Hello, World!", (int)total, NULL);
    cr_assert_gt(len, 0);
    cr_assert_eq(count(buf, "Hello, World!"), (int)total, "every request answered, none stalled");
    free(all);
    close(fd);
    server_stop(&s);
}

Test(conn, chunked_body_decoded) {
    server s = server_start(NULL);
    int fd = tcp_connect(s.port);
    send_str(fd, "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                 "5\r\nhello\r\n1;x=y\r\n \r\n5\r\nworld\r\n0\r\nTrailer: 1\r\n\r\n"
                 "GET /users/5 HTTP/1.1\r\nHost: t\r\n\r\n");
    read_resp(fd, buf, sizeof(buf), 2000, "{\"id\":5}", 1, NULL);
    cr_assert(strstr(buf, "Content-Length: 11\r\n"), "%s", buf);
    cr_assert(strstr(buf, "\r\n\r\nhello world"), "%s", buf);
    close(fd);
    server_stop(&s);
}

Test(conn, expect_100_continue) {
    server s = server_start(NULL);
    int fd = tcp_connect(s.port);
    send_str(fd,
             "PUT /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n");
    read_resp(fd, buf, sizeof(buf), 2000, "\r\n\r\n", 1, NULL);
    cr_assert_str_eq(buf, "HTTP/1.1 100 Continue\r\n\r\n");
    send_str(fd, "data");
    read_resp(fd, buf, sizeof(buf), 2000, "data", 1, NULL);
    cr_assert(strncmp(buf, "HTTP/1.1 200 OK", 15) == 0, "%s", buf);
    close(fd);
    server_stop(&s);
}

Test(conn, body_limit_413_without_reading_the_body) {
    server s = server_start(NULL); /* default: 1 MiB */
    int fd = tcp_connect(s.port);
    send_str(fd, "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 1048577\r\n\r\n");
    bool closed;
    read_resp(fd, buf, sizeof(buf), 2000, NULL, 0, &closed);
    cr_assert(strncmp(buf, "HTTP/1.1 413 Content Too Large\r\n", 32) == 0, "%s", buf);
    cr_assert(strstr(buf, "{\"errors\":{\"body\":[\"is too large\"]}}"), "the app's handler: %s",
              buf);
    cr_assert(strstr(buf, "Access-Control-Allow-Origin: *"), "after hooks too: %s", buf);
    cr_assert(strstr(buf, "Connection: close\r\n"));
    cr_assert(closed);
    close(fd);
    server_stop(&s);
}

/* A client that writes its whole (too large) body before reading must get every byte through
 * and then read the 413: the server answers early, half-closes and drains (lingering close)
 * instead of closing with unread input, which would reset the connection (EPIPE / ECONNRESET).
 * 3 MiB is well over the socket buffers, so a close after the first few reads is caught. */
Test(conn, lingering_close_lets_a_client_send_its_whole_body_then_read_the_413) {
    server s = server_start(NULL); /* default: 1 MiB */
    int fd = tcp_connect(s.port);
    size_t body_len = 3u << 20;
    char *req = malloc(body_len + 128);
    cr_assert(req);
    size_t n = (size_t)snprintf(
        req, 128, "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: %zu\r\n\r\n", body_len);
    memset(req + n, 'x', body_len);
    n += body_len;
    /* Head and body in one stream, as a client writing everything first does. A pause after the
     * first 200 KiB lets the server answer and find a receive buffer fuller than its per-wake-up
     * read budget, the case an eager close mishandled. */
    size_t sent = 0;
    bool paused = false;
    while (sent < n) {
        if (!paused && sent >= (200u << 10)) {
            paused = true;
            struct timespec ts = {0, 200 * 1000000L};
            nanosleep(&ts, NULL);
        }
        size_t chunk = paused ? n - sent : (200u << 10) - sent;
        ssize_t w = send(fd, req + sent, chunk, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR) continue;
        cr_assert_gt(w, 0, "send after %zu of %zu bytes: %s (the server did not linger)", sent, n,
                     strerror(errno));
        sent += (size_t)w;
    }
    shutdown(fd, SHUT_WR);
    bool closed;
    read_resp(fd, buf, sizeof(buf), 3000, NULL, 0, &closed);
    cr_assert(strncmp(buf, "HTTP/1.1 413 Content Too Large\r\n", 32) == 0, "%.200s", buf);
    cr_assert(closed);
    free(req);
    close(fd);
    server_stop(&s);
}

Test(conn, body_of_exactly_the_limit_is_accepted) {
    server s = server_start(NULL);
    int fd = tcp_connect(s.port);
    size_t n = 1048576;
    char *body = malloc(n);
    memset(body, 'x', n);
    send_str(
        fd,
        "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 1048576\r\nConnection: close\r\n\r\n");
    send_all(fd, body, n);
    size_t got = read_resp(fd, buf, sizeof(buf), 5000, NULL, 0, NULL);
    cr_assert(strncmp(buf, "HTTP/1.1 200 OK", 15) == 0, "%.200s", buf);
    cr_assert(strstr(buf, "Content-Length: 1048576\r\n"));
    cr_assert_gt(got, n);
    free(body);
    close(fd);
    server_stop(&s);
}

Test(conn, chunked_over_the_limit_is_413) {
    const char *env[] = {"QUILL_MAX_BODY=100", NULL};
    server s = server_start(env);
    int fd = tcp_connect(s.port);
    send_str(fd, "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n");
    char chunk[64];
    for (int i = 0; i < 3; i++) {
        snprintf(chunk, sizeof(chunk), "28\r\n%040d\r\n", i); /* 40 bytes each */
        send_str(fd, chunk);
    }
    bool closed;
    read_resp(fd, buf, sizeof(buf), 2000, NULL, 0, &closed);
    cr_assert(strncmp(buf, "HTTP/1.1 413", 12) == 0, "%s", buf);
    cr_assert(closed);
    close(fd);
    server_stop(&s);
}

static void expect_status_and_close(int port, const char *req, const char *status) {
    int fd = tcp_connect(port);
    send_all(fd, req, strlen(req));
    bool closed;
    read_resp(fd, buf, sizeof(buf), 2000, NULL, 0, &closed);
    cr_assert(strncmp(buf, status, strlen(status)) == 0, "want %s, got %.100s for %.60s", status,
              buf, req);
    cr_assert(closed, "connection left open after %s", status);
    cr_assert(strstr(buf, "Server: quill") && strstr(buf, "Date: "));
    close(fd);
}

Test(conn, limits_414_431) {
    server s = server_start(NULL);
    static char req[60000];
    int n = snprintf(req, sizeof(req), "GET /%09000d HTTP/1.1\r\nHost: t\r\n\r\n", 0);
    cr_assert_gt(n, 9000);
    expect_status_and_close(s.port, req, "HTTP/1.1 414 URI Too Long");
    size_t o = (size_t)snprintf(req, sizeof(req), "GET / HTTP/1.1\r\nHost: t\r\nX: ");
    memset(req + o, 'a', 33000);
    o += 33000;
    snprintf(req + o, sizeof(req) - o, "\r\n\r\n");
    expect_status_and_close(s.port, req, "HTTP/1.1 431");
    o = (size_t)snprintf(req, sizeof(req), "GET / HTTP/1.1\r\nHost: t\r\n");
    for (int i = 0; i < 101; i++) o += (size_t)snprintf(req + o, sizeof(req) - o, "X%d: 1\r\n", i);
    snprintf(req + o, sizeof(req) - o, "\r\n");
    expect_status_and_close(s.port, req, "HTTP/1.1 431");
    server_stop(&s);
}

Test(conn, smuggling_and_garbage_are_400_and_close) {
    server s = server_start(NULL);
    const char *bad[] = {
        ("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nTransfer-Encoding: "
         "chunked\r\n\r\n0\r\n\r\n"),
        "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
        "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: identity\r\n\r\n",
        "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 1e3\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: t\r\nX: a\r\n b\r\n\r\n",
        "GET / HTTP/1.1\r\n\r\n",
        "GET /\x01 HTTP/1.1\r\nHost: t\r\n\r\n",
        "GET / HTTP/3.0\r\nHost: t\r\n\r\n",
        "\x16\x03\x01\x02\x01\x01\x01\x01\xfc\x03\x03 TLS hello",
        "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        expect_status_and_close(s.port, bad[i], "HTTP/1.1 400 Bad Request");
    /* and the server still serves */
    expect_status_and_close(s.port, "GET /plaintext HTTP/1.0\r\n\r\n", "HTTP/1.1 200 OK");
    cr_assert_eq(server_stop(&s), 0);
}

Test(conn, slowloris_cut_off_at_header_timeout) {
    const char *env[] = {"QUILL_HEADER_TIMEOUT_MS=1000", NULL};
    server s = server_start(env);
    int fd = tcp_connect(s.port);
    long long t0 = now_ms();
    send_str(fd, "GET /plaintext HTTP/1.1\r\nHost: t\r\n");
    bool cut = false;
    for (int i = 0; i < 30 && !cut; i++) { /* one header line every 100 ms, never finishing */
        usleep(100 * 1000);
        if (send(fd, "X-A: b\r\n", 8, MSG_NOSIGNAL) < 0) cut = true;
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, 0) > 0) {
            char tmp[64];
            if (recv(fd, tmp, sizeof(tmp), 0) <= 0) cut = true;
        }
    }
    long long took = now_ms() - t0;
    cr_assert(cut, "a slow client was not cut off");
    cr_assert(took >= 900 && took < 2000, "cut after %lld ms, want ~1000", took);
    close(fd);
    server_stop(&s);
}

Test(conn, idle_keep_alive_closed_at_idle_timeout) {
    const char *env[] = {"QUILL_IDLE_TIMEOUT_MS=800", NULL};
    server s = server_start(env);
    int fd = tcp_connect(s.port);
    send_str(fd, "GET /plaintext HTTP/1.1\r\nHost: t\r\n\r\n");
    read_resp(fd, buf, sizeof(buf), 2000, "Hello, World!", 1, NULL);
    long long waited = wait_closed(fd, 3000);
    cr_assert(waited >= 700 && waited < 1800, "closed after %lld ms, want ~800", waited);
    close(fd);
    /* a connection that stays busy is not closed */
    fd = tcp_connect(s.port);
    for (int i = 0; i < 4; i++) {
        send_str(fd, "GET /plaintext HTTP/1.1\r\nHost: t\r\n\r\n");
        size_t n = read_resp(fd, buf, sizeof(buf), 2000, "Hello, World!", 1, NULL);
        cr_assert_gt(n, 0, "closed while in use (round %d)", i);
        usleep(400 * 1000);
    }
    close(fd);
    server_stop(&s);
}

Test(conn, stalled_body_closed_at_body_timeout) {
    const char *env[] = {"QUILL_BODY_TIMEOUT_MS=800", NULL};
    server s = server_start(env);
    int fd = tcp_connect(s.port);
    send_str(fd, "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc");
    long long waited = wait_closed(fd, 3000);
    cr_assert(waited >= 700 && waited < 1800, "closed after %lld ms, want ~800", waited);
    close(fd);
    server_stop(&s);
}

Test(conn, peer_closing_mid_body_frees_the_connection) {
    server s = server_start(NULL);
    for (int i = 0; i < 20; i++) {
        int fd = tcp_connect(s.port);
        send_str(fd, i % 2 ? "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc"
                           : "GET /plaintext HTTP/1.1\r\nHost: t\r\nX-Partial: yes");
        close(fd);
    }
    usleep(300 * 1000);
    /* the server must not spin on the closed sockets (EOF stays readable) nor keep them */
    char path[64], line[256];
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)s.pid);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f);
    cr_assert_not_null(fgets(line, sizeof(line), f));
    fclose(f);
    unsigned long ut0 = 0, st0 = 0;
    const char *p = strrchr(line, ')');
    cr_assert(sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut0, &st0) ==
              2);
    usleep(1000 * 1000);
    f = fopen(path, "r");
    cr_assert_not_null(fgets(line, sizeof(line), f));
    fclose(f);
    unsigned long ut1 = 0, st1 = 0;
    p = strrchr(line, ')');
    cr_assert(sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut1, &st1) ==
              2);
    cr_assert_lt((ut1 + st1) - (ut0 + st0), 20, "the idle server burnt %lu ticks in 1 s",
                 (ut1 + st1) - (ut0 + st0));
    long long t0 = now_ms();
    cr_assert_eq(server_stop(&s), 0);
    cr_assert_lt(now_ms() - t0, 1500, "no connection left to hold the shutdown");
}

Test(conn, many_connections_keep_working) {
    server s = server_start(NULL);
    int fds[200];
    for (int i = 0; i < 200; i++) fds[i] = tcp_connect(s.port);
    for (int i = 0; i < 200; i++) send_str(fds[i], "GET /json HTTP/1.1\r\nHost: t\r\n\r\n");
    for (int i = 0; i < 200; i++) {
        read_resp(fds[i], buf, sizeof(buf), 3000, "}", 1, NULL);
        cr_assert(strstr(buf, "{\"message\":\"Hello, World!\"}"), "connection %d: %s", i, buf);
        close(fds[i]);
    }
    cr_assert_eq(server_stop(&s), 0);
}
