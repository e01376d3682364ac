/* Black-box tests of the quill-blog executable: what the conformance suites cannot see.
 * - list endpoints run a constant number of SQL statements whatever the page size (X-Query-Count,
 *   enabled by BLOG_QUERY_COUNT=1): no query per article, per tag, per favorite or per author;
 * - SIGTERM stops the server cleanly (exit 0) well within the harness's 5 s;
 * - a restart on the same database file keeps the data (schema creation is idempotent);
 * - configuration errors exit 2 with a message naming the variable;
 * - requests the parser refuses (400 / 414 / 431) answer Ruling 12's JSON with the usual headers,
 *   and absolute-form targets (RFC 9112 3.2.2) are routed by their path. */
#include <criterion/criterion.h>
#include <curl/curl.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Bounds of every wait in these tests. */
#define READY_TIMEOUT_MS 10000
#define STOP_TIMEOUT_MS  5000
#define BODY_MAX         (1 << 20)

struct server {
    pid_t pid;
    int port;
    char db[128];
};

static struct server srv;
static const char *srv_workers = "2"; /* WORKERS of the next start */

static int free_port(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    cr_assert(fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
              getsockname(fd, (struct sockaddr *)&a, &len) == 0);
    close(fd);
    return ntohs(a.sin_port);
}

static void sleep_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

struct reply {
    long status;
    int queries; /* X-Query-Count, -1 when absent */
    char body[BODY_MAX];
    size_t len;
};

static size_t on_body(char *p, size_t sz, size_t n, void *ud) {
    struct reply *r = ud;
    size_t len = sz * n, room = BODY_MAX - 1 - r->len;
    if (len > room) len = room;
    memcpy(r->body + r->len, p, len);
    r->len += len;
    r->body[r->len] = '\0';
    return sz * n;
}

static size_t on_header(char *p, size_t sz, size_t n, void *ud) {
    struct reply *r = ud;
    if (sz * n > 15 && strncasecmp(p, "X-Query-Count:", 14) == 0)
        r->queries = (int)strtol(p + 14, NULL, 10);
    return sz * n;
}

/* One request; returns the status (0 when the server did not answer). */
static long http(struct reply *r, const char *method, const char *path, const char *token,
                 const char *json) {
    static struct reply scratch;
    if (r == NULL) r = &scratch;
    r->status = 0;
    r->queries = -1;
    r->len = 0;
    r->body[0] = '\0';
    char url[512], auth[1024];
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", srv.port, path);
    CURL *c = curl_easy_init();
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    if (token) {
        snprintf(auth, sizeof auth, "Authorization: Token %s", token);
        h = curl_slist_append(h, auth);
    }
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    if (json) curl_easy_setopt(c, CURLOPT_POSTFIELDS, json);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 10000L);
    if (curl_easy_perform(c) == CURLE_OK) curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    return r->status;
}

static pid_t spawn(const char *secret) {
    pid_t pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0) {
        char port[16];
        snprintf(port, sizeof port, "%d", srv.port);
        setenv("HOST", "127.0.0.1", 1);
        setenv("PORT", port, 1);
        setenv("WORKERS", srv_workers, 1);
        setenv("DATABASE_PATH", srv.db, 1);
        setenv("BLOG_QUERY_COUNT", "1", 1);
        if (secret)
            setenv("SECRET_KEY", secret, 1);
        else
            unsetenv("SECRET_KEY");
        execl(QUILL_BLOG_BIN, QUILL_BLOG_BIN, (char *)NULL);
        _exit(127);
    }
    return pid;
}

static void start(void) {
    srv.pid = spawn("test-secret");
    for (int waited = 0; waited < READY_TIMEOUT_MS; waited += 50) {
        if (http(NULL, "GET", "/plaintext", NULL, NULL) == 200) return;
        sleep_ms(50);
    }
    cr_assert_fail("quill-blog did not answer /plaintext within %d ms", READY_TIMEOUT_MS);
}

/* SIGTERM and wait (bounded); returns the wait status, or -1 after killing a hung server. */
static int stop(void) {
    if (srv.pid <= 0) return -1;
    kill(srv.pid, SIGTERM);
    int st = -1;
    for (int waited = 0; waited < STOP_TIMEOUT_MS; waited += 20) {
        if (waitpid(srv.pid, &st, WNOHANG) == srv.pid) {
            srv.pid = 0;
            return st;
        }
        sleep_ms(20);
    }
    kill(srv.pid, SIGKILL);
    waitpid(srv.pid, &st, 0);
    srv.pid = 0;
    return -1;
}

static void setup(void) {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    srv.port = free_port();
    snprintf(srv.db, sizeof srv.db, "/tmp/quill-blog-server-%d.db", (int)getpid());
    unlink(srv.db);
    start();
}

static void teardown(void) {
    stop();
    const char *sfx[] = {"", "-wal", "-shm"};
    char p[160];
    for (int i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s%s", srv.db, sfx[i]);
        unlink(p);
    }
    curl_global_cleanup();
}

/* Registers `name` (password "pw") and copies its token into `token`. */
static void register_user(const char *name, char *token, size_t cap) {
    char body[256];
    struct reply *r = malloc(sizeof *r);
    snprintf(body, sizeof body,
             "{\"user\":{\"username\":\"%s\",\"email\":\"%s@x\",\"password\":\"pw\"}}", name, name);
    cr_assert_eq(http(r, "POST", "/api/users", NULL, body), 201, "%s", r->body);
    const char *t = strstr(r->body, "\"token\":\"");
    cr_assert_not_null(t);
    t += 9;
    size_t n = strcspn(t, "\"");
    cr_assert_lt(n, cap);
    memcpy(token, t, n);
    token[n] = '\0';
    free(r);
}

static void create_articles(const char *token, int n, const char *prefix) {
    char body[256];
    for (int i = 0; i < n; i++) {
        snprintf(body, sizeof body,
                 "{\"article\":{\"title\":\"%s %d\",\"description\":\"d\",\"body\":\"b\","
                 "\"tagList\":[\"common\",\"t%d\",\"u%d\"]}}",
                 prefix, i, i, i % 3);
        cr_assert_eq(http(NULL, "POST", "/api/articles", token, body), 201);
    }
}

/* The statements a GET ran, checking that it succeeded. */
static int queries(const char *path, const char *token) {
    struct reply *r = malloc(sizeof *r);
    cr_assert_eq(http(r, "GET", path, token, NULL), 200, "%s: %s", path, r->body);
    int q = r->queries;
    free(r);
    cr_assert_gt(q, 0, "%s: no X-Query-Count", path);
    return q;
}

TestSuite(server, .init = setup, .fini = teardown, .timeout = 120);

Test(server, list_endpoints_run_a_constant_number_of_queries) {
    char ann[512], bob[512];
    register_user("ann", ann, sizeof ann);
    register_user("bob", bob, sizeof bob);
    cr_assert_eq(http(NULL, "POST", "/api/profiles/ann/follow", bob, NULL), 200);
    create_articles(ann, 1, "first");
    const char *paths[] = {"/api/articles?limit=100",
                           "/api/articles?tag=common&limit=100",
                           "/api/articles?author=ann&limit=100",
                           "/api/articles?favorited=bob",
                           "/api/articles/feed?limit=100",
                           "/api/tags",
                           "/"};
    enum { NPATHS = sizeof paths / sizeof *paths };
    int small[NPATHS][2];
    for (int i = 0; i < NPATHS; i++) {
        small[i][0] = queries(paths[i], bob);
        small[i][1] = strstr(paths[i], "feed") ? 0 : queries(paths[i], NULL);
    }
    /* 30 more articles, each with 3 tags, favorited by bob, with comments. */
    create_articles(ann, 30, "more");
    struct reply *r = malloc(sizeof *r);
    cr_assert_eq(http(r, "GET", "/api/articles?limit=100", NULL, NULL), 200);
    for (const char *s = r->body; (s = strstr(s, "\"slug\":\"")) != NULL;) {
        s += 8;
        char path[256];
        int n = (int)strcspn(s, "\"");
        snprintf(path, sizeof path, "/api/articles/%.*s/favorite", n, s);
        cr_assert_eq(http(NULL, "POST", path, bob, NULL), 200);
    }
    free(r);
    for (int i = 0; i < NPATHS; i++) {
        cr_expect_eq(queries(paths[i], bob), small[i][0], "%s with a token", paths[i]);
        if (small[i][1]) /* the feed needs a token */
            cr_expect_eq(queries(paths[i], NULL), small[i][1], "%s anonymously", paths[i]);
    }
    /* A page: the count, the rows, the page's tags, its favorites; with a token also the page's
     * following flags and the viewer's own row (article_list.c). */
    cr_expect_eq(small[0][0], 6);
    cr_expect_eq(small[0][1], 4);
}

Test(server, comment_list_runs_a_constant_number_of_queries) {
    char ann[512];
    register_user("ann", ann, sizeof ann);
    create_articles(ann, 1, "post");
    struct reply *r = malloc(sizeof *r);
    cr_assert_eq(http(r, "GET", "/api/articles?limit=1", NULL, NULL), 200);
    const char *s = strstr(r->body, "\"slug\":\"");
    cr_assert_not_null(s);
    char path[256];
    snprintf(path, sizeof path, "/api/articles/%.*s/comments", (int)strcspn(s + 8, "\""), s + 8);
    free(r);
    int before = queries(path, ann);
    for (int i = 0; i < 20; i++)
        cr_assert_eq(http(NULL, "POST", path, ann, "{\"comment\":{\"body\":\"c\"}}"), 201);
    cr_expect_eq(queries(path, ann), before);
}

Test(server, sigterm_stops_cleanly_and_a_restart_keeps_the_data) {
    char ann[512];
    register_user("ann", ann, sizeof ann);
    create_articles(ann, 3, "kept");
    int st = stop();
    cr_assert(st != -1, "no exit within %d ms of SIGTERM", STOP_TIMEOUT_MS);
    cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 0, "wait status %d", st);
    start(); /* the same database file */
    struct reply *r = malloc(sizeof *r);
    cr_assert_eq(http(r, "GET", "/api/articles?author=ann", NULL, NULL), 200);
    cr_expect_not_null(strstr(r->body, "\"articlesCount\":3"), "%s", r->body);
    free(r);
    cr_expect_eq(http(NULL, "GET", "/api/user", ann, NULL), 200, "the old token still works");
}

Test(server, a_missing_secret_key_exits_2) {
    stop();
    pid_t pid = spawn(NULL);
    int st = 0;
    for (int waited = 0; waited < STOP_TIMEOUT_MS; waited += 20) {
        if (waitpid(pid, &st, WNOHANG) == pid) break;
        sleep_ms(20);
    }
    cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 2, "wait status %d", st);
}

Test(server, passwords_longer_than_bcrypt_takes_work) {
    /* bcrypt reads 72 bytes; libcrypt refuses more than 512: a 600-byte password must still
     * register (201, not 500) and log in, and a different one must not. */
    char pw[601], body[1024];
    memset(pw, 'p', 600);
    pw[600] = '\0';
    snprintf(body, sizeof body,
             "{\"user\":{\"username\":\"long\",\"email\":\"long@x\",\"password\":\"%s\"}}", pw);
    cr_assert_eq(http(NULL, "POST", "/api/users", NULL, body), 201);
    snprintf(body, sizeof body, "{\"user\":{\"email\":\"long@x\",\"password\":\"%s\"}}", pw);
    cr_expect_eq(http(NULL, "POST", "/api/users/login", NULL, body), 200);
    cr_expect_eq(http(NULL, "POST", "/api/users/login", NULL,
                      "{\"user\":{\"email\":\"long@x\",\"password\":\"pppp\"}}"),
                 401);
}

/* ---- raw HTTP: what libcurl will not send ------------------------------------------------ */

#define RAW_MAX        (64 * 1024)
#define RAW_TIMEOUT_MS 5000

/* Sends `req` (len bytes) on a fresh connection and reads until the server closes (bounded).
 * Returns the bytes read into out (NUL-terminated). */
static size_t raw(const char *req, size_t len, char *out, size_t cap) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    cr_assert(fd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)srv.port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    cr_assert_eq(connect(fd, (struct sockaddr *)&a, sizeof a), 0, "connect: %s", strerror(errno));
    for (size_t off = 0; off < len;) {
        ssize_t w = send(fd, req + off, len - off, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) break; /* the server may answer and close before reading everything */
        off += (size_t)w;
    }
    size_t n = 0;
    for (int waited = 0; n < cap - 1 && waited < RAW_TIMEOUT_MS;) {
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, 100) <= 0) {
            waited += 100;
            continue;
        }
        ssize_t r = read(fd, out + n, cap - 1 - n);
        if (r <= 0) break;
        n += (size_t)r;
    }
    out[n] = '\0';
    close(fd);
    return n;
}

static const char INVALID_BODY[] = "{\"errors\":{\"request\":[\"is invalid\"]}}";

/* Asserts the whole answer to a refused request: status line, Ruling 12's body, the headers. */
static void expect_refused(const char *req, size_t len, const char *status_line) {
    static char out[RAW_MAX];
    raw(req, len, out, sizeof out);
    cr_assert(strncmp(out, status_line, strlen(status_line)) == 0, "want %s for %.60s, got %.300s",
              status_line, req, out);
    char *body = strstr(out, "\r\n\r\n");
    cr_assert(body, "no end of head: %.300s", out);
    *body = '\0';
    body += 4;
    cr_expect_str_eq(body, INVALID_BODY, "body of %s", status_line);
    char cl[64];
    snprintf(cl, sizeof cl, "\r\nContent-Length: %zu\r\n", strlen(INVALID_BODY));
    cr_expect(strstr(out, cl), "%s", out);
    cr_expect(strstr(out, "\r\nServer: quill\r\n"), "%s", out);
    cr_expect(strstr(out, "\r\nDate: "), "%s", out);
    cr_expect(strstr(out, "\r\nContent-Type: application/json; charset=utf-8\r\n"), "%s", out);
    cr_expect(strstr(out, "\r\nAccess-Control-Allow-Origin: *\r\n"), "%s", out);
}

#define REFUSED(req, status) expect_refused(req, sizeof(req) - 1, status)

Test(server, malformed_requests_are_400_request_is_invalid) {
    REFUSED("GET /api/tags HTTP/1.1\r\nHost: x\r\nBad header\r\n\r\n", "HTTP/1.1 400 ");
    REFUSED("GET /api/tags HTTP/1.1\r\n\r\n", "HTTP/1.1 400 "); /* no Host */
    REFUSED("GET /api/tags HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n", "HTTP/1.1 400 ");
    REFUSED("GET /api/t\x01gs HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP/1.1 400 ");
    REFUSED("POST /api/users HTTP/1.1\r\nHost: x\r\nContent-Length: +5\r\n\r\nhello",
            "HTTP/1.1 400 ");
    REFUSED("POST /api/users HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n",
            "HTTP/1.1 400 ");
    REFUSED("POST /api/users HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
            "HTTP/1.1 400 "); /* broken chunk framing, found after the head */
    /* HTTP/1.2..1.9 are served as 1.1 since f12e78b (RFC 9110 6.2); 2.0 is not HTTP/1.x. */
    REFUSED("GET /api/tags HTTP/2.0\r\nHost: x\r\n\r\n", "HTTP/1.1 400 ");
}

Test(server, oversized_line_and_headers_are_414_and_431_request_is_invalid) {
    static char req[48 * 1024];
    int n = snprintf(req, sizeof req, "GET /api/%09000d HTTP/1.1\r\nHost: x\r\n\r\n", 0);
    expect_refused(req, (size_t)n, "HTTP/1.1 414 ");
    size_t o = (size_t)snprintf(req, sizeof req, "GET /api/tags HTTP/1.1\r\nHost: x\r\nX-A: ");
    memset(req + o, 'a', 40000);
    o += 40000;
    o += (size_t)snprintf(req + o, sizeof req - o, "\r\n\r\n");
    expect_refused(req, o, "HTTP/1.1 431 ");
}

/* RFC 9112 3.2.2: absolute-form must be accepted; the path and query come from the URI. */
Test(server, absolute_form_targets_are_routed_by_their_path) {
    static char out[RAW_MAX];
    char req[512];
    int n = snprintf(req, sizeof req,
                     "GET http://127.0.0.1:%d/api/tags HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
                     "Connection: close\r\n\r\n",
                     srv.port, srv.port);
    raw(req, (size_t)n, out, sizeof out);
    cr_assert(strncmp(out, "HTTP/1.1 200 ", 13) == 0, "%.300s", out);
    cr_expect(strstr(out, "\r\n\r\n{\"tags\":["), "%s", out);
    /* the query is the URI's: an invalid limit is 422 keyed by limit */
    n = snprintf(req, sizeof req,
                 "GET http://127.0.0.1:%d/api/articles?limit=x HTTP/1.1\r\nHost: a\r\n"
                 "Connection: close\r\n\r\n",
                 srv.port);
    raw(req, (size_t)n, out, sizeof out);
    cr_assert(strncmp(out, "HTTP/1.1 422 ", 13) == 0, "%.300s", out);
    cr_expect(strstr(out, "{\"errors\":{\"limit\":[\"is invalid\"]}}"), "%s", out);
    /* control characters are still refused */
    n = snprintf(req, sizeof req, "GET http://127.0.0.1:%d/api/t\x7fgs HTTP/1.1\r\nHost: a\r\n\r\n",
                 srv.port);
    expect_refused(req, (size_t)n, "HTTP/1.1 400 ");
}

/* ---- blocking work off the event loop (quill_defer) ---- */

static int connect_local(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)srv.port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    cr_assert(fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof a) == 0);
    return fd;
}

static void send_text(int fd, const char *s) {
    size_t n = strlen(s);
    cr_assert_eq(send(fd, s, n, MSG_NOSIGNAL), (ssize_t)n);
}

/* Reads one whole response (head and Content-Length body) into buf within `ms`; its length. */
static size_t read_reply(int fd, char *buf, size_t cap, int ms) {
    size_t len = 0;
    for (int waited = 0; waited < ms && len < cap - 1;) {
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, 10) <= 0) {
            waited += 10;
            continue;
        }
        ssize_t n = recv(fd, buf + len, cap - 1 - len, 0);
        if (n <= 0) break;
        len += (size_t)n;
        buf[len] = '\0';
        const char *end = strstr(buf, "\r\n\r\n"), *cl = strcasestr(buf, "Content-Length: ");
        if (end && cl && (size_t)(end + 4 - buf) + strtoul(cl + 16, NULL, 10) <= len) break;
    }
    return len;
}

/* While logins run (bcrypt at cost 10, on quill's pool), GET /api/tags on the same and only
 * worker is answered before any of them: the loop is not blocked. Six logins over the pool's two
 * threads take three bcrypt rounds; the tags answer needs none. Under the earlier design (bcrypt
 * on the loop) the tags request waited behind every login sent before it. */
Test(server, tags_answer_while_logins_run_on_the_same_worker) {
    stop();
    srv_workers = "1"; /* every connection on the same event loop */
    start();
    char token[512];
    register_user("lin", token, sizeof token);
    enum { LOGINS = 6 };
    static const char body[] = "{\"user\":{\"email\":\"lin@x\",\"password\":\"pw\"}}";
    char login[256];
    snprintf(login, sizeof login,
             "POST /api/users/login HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
             "Content-Length: %zu\r\n\r\n%s",
             sizeof body - 1, body);
    int fd[LOGINS];
    for (int i = 0; i < LOGINS; i++) {
        fd[i] = connect_local();
        send_text(fd[i], login);
    }
    int tags = connect_local();
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    send_text(tags, "GET /api/tags HTTP/1.1\r\nHost: t\r\n\r\n");
    char *buf = malloc(BODY_MAX);
    read_reply(tags, buf, BODY_MAX, 10000);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    cr_assert(strstr(buf, "HTTP/1.1 200 OK") && strstr(buf, "{\"tags\":"), "%s", buf);
    int pending = 0;
    for (int i = 0; i < LOGINS; i++) {
        struct pollfd p = {fd[i], POLLIN, 0};
        if (poll(&p, 1, 0) == 0) pending++;
    }
    cr_log_info("tags answered in %.2f ms with %d of %d logins still running",
                (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6,
                pending, LOGINS);
    cr_assert_gt(pending, 0, "every login answered before the tags: the loop was blocked");
    for (int i = 0; i < LOGINS; i++) {
        read_reply(fd[i], buf, BODY_MAX, 10000);
        cr_assert(strstr(buf, "HTTP/1.1 200 OK") && strstr(buf, "\"token\":"), "login %d: %s", i,
                  buf);
        close(fd[i]);
    }
    close(tags);
    free(buf);
}

/* The page statements (article_list.c) put each row's tags, favorites and following flag on the
 * right article: a page mixing a followed and an unfollowed author, favorited and not, with tags
 * sent out of order. */
Test(server, list_rows_carry_their_own_tags_favorites_and_following) {
    char ann[512], bob[512], cat[512], zed[512];
    register_user("zed", zed, sizeof zed); /* user ids must not equal page positions */
    register_user("ann", ann, sizeof ann);
    register_user("bob", bob, sizeof bob);
    register_user("cat", cat, sizeof cat);
    struct reply *r = malloc(sizeof *r);
    cr_assert_eq(http(r, "POST", "/api/articles", ann,
                      "{\"article\":{\"title\":\"A1\",\"description\":\"d\",\"body\":\"b\","
                      "\"tagList\":[\"zeta\",\"alpha\",\"mid\"]}}"),
                 201, "%s", r->body);
    const char *s = strstr(r->body, "\"slug\":\"");
    cr_assert_not_null(s);
    char fav[256];
    snprintf(fav, sizeof fav, "/api/articles/%.*s/favorite", (int)strcspn(s + 8, "\""), s + 8);
    cr_assert_eq(http(NULL, "POST", "/api/articles", cat,
                      "{\"article\":{\"title\":\"C1\",\"description\":\"d\",\"body\":\"b\"}}"),
                 201);
    cr_assert_eq(http(NULL, "POST", "/api/profiles/ann/follow", bob, NULL), 200);
    cr_assert_eq(http(NULL, "POST", fav, bob, NULL), 200);
    cr_assert_eq(http(r, "GET", "/api/articles", bob, NULL), 200);
    /* Newest first: C1, then A1. */
    const char *c1 = strstr(r->body, "\"title\":\"C1\""), *a1 = strstr(r->body, "\"title\":\"A1\"");
    cr_assert(c1 && a1 && c1 < a1, "%s", r->body);
    cr_assert(strstr(c1, "\"tagList\":[]") < a1, "C1 has no tags: %s", r->body);
    cr_assert(strstr(c1, "\"favorited\":false,\"favoritesCount\":0") < a1, "%s", r->body);
    cr_assert(strstr(c1, "\"username\":\"cat\",\"bio\":null,\"image\":null,\"following\":false") <
                  a1,
              "%s", r->body);
    cr_assert(strstr(a1, "\"tagList\":[\"alpha\",\"mid\",\"zeta\"]"), "%s", r->body);
    cr_assert(strstr(a1, "\"favorited\":true,\"favoritesCount\":1"), "%s", r->body);
    cr_assert(strstr(a1, "\"username\":\"ann\",\"bio\":null,\"image\":null,\"following\":true"),
              "%s", r->body);
    /* Anonymous: the same page, no viewer flags. */
    cr_assert_eq(http(r, "GET", "/api/articles", NULL, NULL), 200);
    cr_assert_null(strstr(r->body, "\"following\":true"), "%s", r->body);
    cr_assert_null(strstr(r->body, "\"favorited\":true"), "%s", r->body);
    cr_assert(strstr(r->body, "\"favoritesCount\":1"), "%s", r->body);
    free(r);
}

/* A blog on SQLite maps no libpq: libpq is loaded when PostgreSQL is first opened
 * (targets/quill/src/db_pqlib.h). Linked, its dependency tree (GnuTLS, Kerberos, LDAP, ...) made
 * the idle RSS 11.5 MB where the issue asks for under 10. */
Test(server, sqlite_blog_does_not_load_libpq) {
    char path[64], line[512];
    snprintf(path, sizeof path, "/proc/%d/maps", (int)srv.pid);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "%s", path);
    int libs = 0, pq = 0;
    while (fgets(line, sizeof line, f)) {
        libs += strstr(line, ".so") != NULL;
        pq += strstr(line, "libpq.so") != NULL || strstr(line, "libgnutls") != NULL;
    }
    fclose(f);
    cr_assert_gt(libs, 0, "the maps were read");
    cr_assert_eq(pq, 0, "libpq or its dependencies mapped by a blog on SQLite");
}
