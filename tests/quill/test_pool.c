/* test_pool.c: targets/quill/src/pool.c and quill_defer, black-box against examples/example.c:
 * GET /deferred?ms=N sleeps N ms on the pool. The assertions are about order (which answer comes
 * first), never about durations: the sleeps are long margins, not measurements. */
#include "server_harness.h"

static char buf[1 << 16];

static int count(const char *hay, const char *needle) {
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle)) n++;
    return n;
}

/* Whether fd has bytes to read right now. */
static bool readable(int fd) {
    struct pollfd p = {fd, POLLIN, 0};
    return poll(&p, 1, 0) > 0;
}

Test(pool, deferred_work_answers_after_it_ran) {
    server s = server_start(NULL);
    int fd = tcp_connect(s.port);
    send_str(fd, "GET /deferred?ms=20 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
    bool closed;
    read_resp(fd, buf, sizeof(buf), 5000, NULL, 0, &closed);
    cr_assert(closed);
    cr_assert(strstr(buf, "HTTP/1.1 200 OK\r\n"), "%s", buf);
    cr_assert(strstr(buf, "slept 20"), "%s", buf);
    cr_assert(strstr(buf, "Access-Control-Allow-Origin: *"), "after-request hooks ran: %s", buf);
    close(fd);
    cr_assert_eq(server_stop(&s), 0);
}

Test(pool, the_loop_serves_other_connections_meanwhile) {
    const char *env[] = {"WORKERS=1", NULL}; /* one loop: both connections are on it */
    server s = server_start(env);
    int slow = tcp_connect(s.port), fast = tcp_connect(s.port);
    send_str(slow, "GET /deferred?ms=1500 HTTP/1.1\r\nHost: t\r\n\r\n");
    read_resp(slow, buf, sizeof(buf), 100, NULL, 0, NULL); /* the request reaches the server */
    send_str(fast, "GET /plaintext HTTP/1.1\r\nHost: t\r\n\r\n");
    read_resp(fast, buf, sizeof(buf), 5000, "Hello, World!", 1, NULL);
    cr_assert(strstr(buf, "Hello, World!"), "the other connection was not served: %s", buf);
    cr_assert_not(readable(slow), "the deferred request answered before the fast one");
    read_resp(slow, buf, sizeof(buf), 5000, "slept 1500", 1, NULL);
    cr_assert(strstr(buf, "slept 1500"), "%s", buf);
    close(slow);
    close(fast);
    cr_assert_eq(server_stop(&s), 0);
}

Test(pool, pipelined_requests_after_a_deferred_one_keep_their_order) {
    server s = server_start(NULL);
    int fd = tcp_connect(s.port);
    send_str(fd, "GET /deferred?ms=200 HTTP/1.1\r\nHost: t\r\n\r\n"
                 "GET /users/7 HTTP/1.1\r\nHost: t\r\n\r\n"
                 "GET /deferred?ms=1 HTTP/1.1\r\nHost: t\r\n\r\n"
                 "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nConnection: close\r\n\r\n"
                 "hello");
    bool closed;
    read_resp(fd, buf, sizeof(buf), 5000, NULL, 0, &closed);
    cr_assert(closed);
    cr_assert_eq(count(buf, "HTTP/1.1 200 OK"), 4, "%s", buf);
    const char *a = strstr(buf, "slept 200"), *b = strstr(buf, "{\"id\":7}"),
               *c = strstr(buf, "slept 1"), *d = strstr(buf, "hello");
    cr_assert(a && b && c && d, "%s", buf);
    cr_assert(a < b && b < c && c < d, "answers out of order: %s", buf);
    close(fd);
    cr_assert_eq(server_stop(&s), 0);
}

/* One pool thread, a queue of one: of three jobs sent at once at most two are accepted (one
 * running, one waiting); the others are answered 503 at once, before any accepted one ends. */
Test(pool, a_full_queue_answers_503_without_waiting) {
    const char *env[] = {"WORKERS=1", "POOL_THREADS=1", "POOL_QUEUE=1", NULL};
    server s = server_start(env);
    enum { N = 3 };
    int fd[N];
    for (int i = 0; i < N; i++) {
        fd[i] = tcp_connect(s.port);
        send_str(fd[i], "GET /deferred?ms=1500 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
    }
    int busy = 0, ok = 0;
    bool answered[N] = {false};
    /* The 503s come first: a job of 1.5 s cannot have finished when they are read. */
    for (int i = 0; i < N; i++) {
        read_resp(fd[i], buf, sizeof(buf), 500, "\r\n\r\n", 1, NULL);
        if (strstr(buf, "HTTP/1.1 503 ")) {
            busy++;
            answered[i] = true;
            cr_assert(strstr(buf, "Retry-After: 1\r\n"), "%s", buf);
        }
    }
    cr_assert_geq(busy, 1, "three jobs for one thread and a queue of one: none refused");
    for (int i = 0; i < N; i++) {
        if (answered[i]) continue;
        bool closed;
        read_resp(fd[i], buf, sizeof(buf), 8000, NULL, 0, &closed);
        cr_assert(strstr(buf, "slept 1500"), "accepted job %d: %s", i, buf);
        ok++;
    }
    cr_assert_eq(busy + ok, N);
    cr_assert_geq(ok, 1);
    for (int i = 0; i < N; i++) close(fd[i]);
    cr_assert_eq(server_stop(&s), 0);
}

Test(pool, sigterm_lets_deferred_work_finish) {
    server s = server_start(NULL);
    int fd = tcp_connect(s.port);
    send_str(fd, "GET /deferred?ms=800 HTTP/1.1\r\nHost: t\r\n\r\n");
    read_resp(fd, buf, sizeof(buf), 100, NULL, 0, NULL);
    kill(s.pid, SIGTERM);
    bool closed;
    read_resp(fd, buf, sizeof(buf), 5000, NULL, 0, &closed);
    cr_assert(strstr(buf, "slept 800"), "%s", buf);
    cr_assert(strstr(buf, "Connection: close\r\n"), "%s", buf);
    cr_assert(closed);
    close(fd);
    cr_assert_eq(server_stop(&s), 0);
}

Test(pool, defer_from_a_hook_is_refused_with_500) {
    server s = server_start(NULL);
    int fd = tcp_connect(s.port);
    send_str(fd, "GET /defer-in-hook HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
    bool closed;
    read_resp(fd, buf, sizeof(buf), 5000, NULL, 0, &closed);
    cr_assert(strstr(buf, "HTTP/1.1 500 "), "%s", buf);
    close(fd);
    cr_assert_eq(server_stop(&s), 0);
}

/* A client that leaves while its job waits in the queue cancels it: one pool thread, A runs 1 s,
 * B (5 s) is queued and its client closes, C (1 ms) is answered once A is done, without waiting
 * for B's 5 s (the margin, 4 s, is generous: this checks that B's work was skipped). */
Test(pool, a_client_that_leaves_cancels_its_queued_job) {
    const char *env[] = {"WORKERS=1", "POOL_THREADS=1", NULL};
    server s = server_start(env);
    int a = tcp_connect(s.port), b = tcp_connect(s.port), c = tcp_connect(s.port);
    send_str(a, "GET /deferred?ms=1000 HTTP/1.1\r\nHost: t\r\n\r\n");
    read_resp(a, buf, sizeof(buf), 100, NULL, 0, NULL);
    send_str(b, "GET /deferred?ms=5000 HTTP/1.1\r\nHost: t\r\n\r\n");
    read_resp(b, buf, sizeof(buf), 100, NULL, 0, NULL);
    close(b);
    long long t0 = now_ms();
    send_str(c, "GET /deferred?ms=1 HTTP/1.1\r\nHost: t\r\n\r\n");
    read_resp(c, buf, sizeof(buf), 8000, "slept 1", 1, NULL);
    long long took = now_ms() - t0;
    cr_assert(strstr(buf, "slept 1"), "%s", buf);
    cr_assert_lt(took, 4000, "C waited %lld ms: the abandoned job ran", took);
    read_resp(a, buf, sizeof(buf), 5000, "slept 1000", 1, NULL);
    cr_assert(strstr(buf, "slept 1000"), "%s", buf);
    close(a);
    close(c);
    cr_assert_eq(server_stop(&s), 0);
}
