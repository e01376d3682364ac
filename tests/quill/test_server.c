/* test_server.c: targets/quill/src/server.c, black-box — start-up on an ephemeral port, the
 * headers every response carries, SO_REUSEPORT workers, graceful shutdown (idle and in flight). */
#include "server_harness.h"

#include <curl/curl.h>

static size_t sink(char *p, size_t s, size_t n, void *ud) {
    char *buf = ud;
    size_t have = strlen(buf), add = s * n;
    if (have + add < 65536) {
        memcpy(buf + have, p, add);
        buf[have + add] = '\0';
    }
    return s * n;
}

static size_t hsink(char *p, size_t s, size_t n, void *ud) {
    return sink(p, s, n, ud);
}

Test(server, every_response_has_date_server_length) {
    server s = server_start(NULL);
    CURL *c = curl_easy_init();
    static char body[65536], head[65536];
    char url[128];
    const char *paths[] = {"/plaintext", "/json", "/nope", "/users/abc"};
    for (size_t i = 0; i < 4; i++) {
        body[0] = head[0] = '\0';
        snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", s.port, paths[i]);
        curl_easy_setopt(c, CURLOPT_URL, url);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, body);
        curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, hsink);
        curl_easy_setopt(c, CURLOPT_HEADERDATA, head);
        cr_assert_eq(curl_easy_perform(c), CURLE_OK);
        cr_assert(strstr(head, "\r\nServer: quill\r\n"), "%s: %s", paths[i], head);
        cr_assert(strstr(head, "\r\nDate: "), "%s", head);
        cr_assert(strstr(head, " GMT\r\n"), "%s", head);
        cr_assert(strstr(head, "\r\nContent-Length: "), "%s", head);
    }
    body[0] = head[0] = '\0';
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/plaintext", s.port);
    curl_easy_setopt(c, CURLOPT_URL, url);
    cr_assert_eq(curl_easy_perform(c), CURLE_OK);
    cr_assert_str_eq(body, "Hello, World!");
    cr_assert(strstr(head, "Content-Type: text/plain; charset=utf-8\r\n"));
    cr_assert(strstr(head, "Content-Length: 13\r\n"));
    long connects = -1;
    curl_easy_getinfo(c, CURLINFO_NUM_CONNECTS, &connects);
    cr_assert_eq(connects, 0, "the last request reused the keep-alive connection");
    curl_easy_cleanup(c);
    cr_assert_eq(server_stop(&s), 0);
}

Test(server, date_changes_every_second) {
    server s = server_start(NULL);
    int fd = tcp_connect(s.port);
    char a[4096], b[4096];
    send_str(fd, "GET /plaintext HTTP/1.1\r\nHost: t\r\n\r\n");
    read_resp(fd, a, sizeof(a), 2000, "Hello, World!", 1, NULL);
    usleep(1100 * 1000);
    send_str(fd, "GET /plaintext HTTP/1.1\r\nHost: t\r\n\r\n");
    read_resp(fd, b, sizeof(b), 2000, "Hello, World!", 1, NULL);
    char *da = strstr(a, "Date: "), *db = strstr(b, "Date: ");
    cr_assert(da && db);
    cr_assert_neq(strncmp(da, db, 35), 0, "Date did not change: %.35s", da);
    close(fd);
    cr_assert_eq(server_stop(&s), 0);
}

Test(server, sigterm_when_idle_exits_zero_quickly) {
    server s = server_start(NULL);
    int fd = tcp_connect(s.port); /* an idle keep-alive connection must not hold the shutdown */
    send_str(fd, "GET /plaintext HTTP/1.1\r\nHost: t\r\n\r\n");
    char buf[2048];
    read_resp(fd, buf, sizeof(buf), 2000, "Hello, World!", 1, NULL);
    long long t0 = now_ms();
    cr_assert_eq(server_stop(&s), 0);
    cr_assert_lt(now_ms() - t0, 1500, "took %lld ms", now_ms() - t0);
    cr_assert_geq(wait_closed(fd, 1000), 0, "the idle connection was closed");
    close(fd);
}

Test(server, sigterm_finishes_the_request_in_flight) {
    server s = server_start(NULL);
    int fd = tcp_connect(s.port);
    send_str(fd, "GET /slow?ms=1500 HTTP/1.1\r\nHost: t\r\n\r\n");
    usleep(300 * 1000);
    long long t0 = now_ms();
    kill(s.pid, SIGTERM);
    char buf[4096];
    bool closed = false;
    read_resp(fd, buf, sizeof(buf), 5000, NULL, 0, &closed);
    cr_assert(strncmp(buf, "HTTP/1.1 200 OK\r\n", 17) == 0, "got: %s", buf);
    cr_assert(strstr(buf, "\r\n\r\ndone"), "got: %s", buf);
    cr_assert(strstr(buf, "Connection: close\r\n"), "the last response announces the close");
    cr_assert(closed);
    int status = 0;
    long long deadline = t0 + 5000;
    pid_t r = 0;
    while (now_ms() < deadline && (r = waitpid(s.pid, &status, WNOHANG)) == 0) usleep(20000);
    cr_assert_eq(r, s.pid, "still running 5 s after SIGTERM");
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    s.pid = 0;
    close(fd);
}

Test(server, sigterm_lets_a_half_sent_body_finish) {
    server s = server_start(NULL);
    int fd = tcp_connect(s.port);
    send_str(fd, "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nhello");
    usleep(200 * 1000);
    kill(s.pid, SIGTERM);
    usleep(300 * 1000);
    send_str(fd, "world");
    char buf[4096];
    read_resp(fd, buf, sizeof(buf), 4000, NULL, 0, NULL);
    cr_assert(strstr(buf, "\r\n\r\nhelloworld"), "got: %s", buf);
    int st = server_stop(&s);
    cr_assert_eq(st, 0);
    close(fd);
}

static unsigned long cpu_ticks(pid_t pid) {
    char path[64], line[512];
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f);
    cr_assert_not_null(fgets(line, sizeof(line), f));
    fclose(f);
    unsigned long ut = 0, st = 0;
    const char *p = strrchr(line, ')');
    cr_assert(sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) == 2);
    return ut + st;
}

Test(server, out_of_file_descriptors_pauses_accept_without_spinning) {
    const char *env[] = {"RLIMIT_NOFILE=24", "WORKERS=1", NULL};
    server s = server_start(env);
    int fds[30];
    for (int i = 0; i < 30; i++) fds[i] = tcp_connect(s.port); /* the backlog takes the excess */
    usleep(200 * 1000);
    unsigned long t0 = cpu_ticks(s.pid);
    usleep(800 * 1000);
    cr_assert_lt(cpu_ticks(s.pid) - t0, 10, "the server spins on a listener it cannot accept from");
    for (int i = 0; i < 30; i++) close(fds[i]);
    int fd = tcp_connect(s.port);
    char buf[2048];
    send_str(fd, "GET /plaintext HTTP/1.1\r\nHost: t\r\n\r\n");
    read_resp(fd, buf, sizeof(buf), 3000, "Hello, World!", 1, NULL);
    cr_assert(strstr(buf, "Hello, World!"), "serves again once descriptors are free: %s", buf);
    close(fd);
    cr_assert_eq(server_stop(&s), 0);
}

Test(server, bad_port_is_reported) {
    const char *env[] = {"PORT=99999", NULL};
    int pfd[2];
    cr_assert_eq(pipe(pfd), 0);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(pfd[1], 2);
        for (const char *const *e = env; *e; e++) putenv((char *)*e);
        execl(QUILL_EXAMPLE_BIN, QUILL_EXAMPLE_BIN, (char *)NULL);
        _exit(127);
    }
    close(pfd[1]);
    char buf[512] = "";
    read_resp(pfd[0], buf, sizeof(buf), 3000, NULL, 0, NULL);
    int status;
    waitpid(pid, &status, 0);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 2, "exit %d", WEXITSTATUS(status));
    cr_assert(strstr(buf, "PORT"), "message names the variable: %s", buf);
    close(pfd[0]);
}
