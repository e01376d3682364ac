/* test_web.c: black-box tests of quill-blog's web pages (contract section 7) for what the
 * conformance suites (specs/web) cannot see from one run of one server: the session machinery
 * costs nothing on the API and the overhead routes (no cookie read, written or varied on), the
 * home page without a cookie stays one query, a sign-in survives a restart with the same
 * SECRET_KEY and not with another one, a cookie replayed after logout is signed out, and one
 * changed without the key is no session. */
#include <criterion/criterion.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define READY_TIMEOUT_MS 10000
#define STOP_TIMEOUT_MS  5000
#define BODY_MAX         (256 * 1024)
#define COOKIE_MAX       4096

static pid_t pid;
static int port;
static char db[128];

struct reply {
    long status;
    int queries;                 /* X-Query-Count, -1 when absent */
    char set_cookie[COOKIE_MAX]; /* the session's Set-Cookie value (NAME=...; attrs), "" if none */
    bool vary_cookie;
    char location[512];
    char body[BODY_MAX];
    size_t len;
};

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

static size_t on_body(char *p, size_t sz, size_t n, void *ud) {
    struct reply *r = ud;
    size_t len = sz * n, room = BODY_MAX - 1 - r->len;
    if (len > room) len = room;
    memcpy(r->body + r->len, p, len);
    r->len += len;
    r->body[r->len] = '\0';
    return sz * n;
}

/* Copies a header's value (without CRLF) into out. */
static void header_value(const char *p, size_t n, size_t skip, char *out, size_t cap) {
    size_t v = skip;
    while (v < n && p[v] == ' ') v++;
    size_t e = n;
    while (e > v && (p[e - 1] == '\r' || p[e - 1] == '\n')) e--;
    snprintf(out, cap, "%.*s", (int)(e - v), p + v);
}

static size_t on_header(char *p, size_t sz, size_t n, void *ud) {
    struct reply *r = ud;
    size_t len = sz * n;
    if (len > 14 && strncasecmp(p, "X-Query-Count:", 14) == 0)
        r->queries = (int)strtol(p + 14, NULL, 10);
    if (len > 11 && strncasecmp(p, "Set-Cookie:", 11) == 0)
        header_value(p, len, 11, r->set_cookie, sizeof r->set_cookie);
    if (len > 9 && strncasecmp(p, "Location:", 9) == 0)
        header_value(p, len, 9, r->location, sizeof r->location);
    if (len > 5 && strncasecmp(p, "Vary:", 5) == 0 && strstr(p, "Cookie")) r->vary_cookie = true;
    return len;
}

/* One request with `cookie` ("quill_session=..." or NULL) and a form or JSON body. */
static long http(struct reply *r, const char *method, const char *path, const char *cookie,
                 const char *form, const char *json) {
    memset(r, 0, offsetof(struct reply, body));
    r->queries = -1;
    r->len = 0;
    r->body[0] = '\0';
    char url[512];
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", port, path);
    CURL *c = curl_easy_init();
    struct curl_slist *h = NULL;
    if (form) h = curl_slist_append(h, "Content-Type: application/x-www-form-urlencoded");
    if (json) h = curl_slist_append(h, "Content-Type: application/json");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (h) curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    if (cookie) curl_easy_setopt(c, CURLOPT_COOKIE, cookie);
    if (form || json) curl_easy_setopt(c, CURLOPT_POSTFIELDS, form ? form : json);
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

static struct reply *reply(void) {
    struct reply *r = malloc(sizeof *r);
    cr_assert_not_null(r);
    return r;
}

static void start(const char *secret) {
    pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0) {
        char p[16];
        snprintf(p, sizeof p, "%d", port);
        setenv("HOST", "127.0.0.1", 1);
        setenv("PORT", p, 1);
        setenv("WORKERS", "2", 1);
        setenv("DATABASE_PATH", db, 1);
        setenv("BLOG_QUERY_COUNT", "1", 1);
        setenv("SECRET_KEY", secret, 1);
        execl(QUILL_BLOG_BIN, QUILL_BLOG_BIN, (char *)NULL);
        _exit(127);
    }
    struct reply *r = reply();
    for (int waited = 0; waited < READY_TIMEOUT_MS; waited += 50) {
        if (http(r, "GET", "/plaintext", NULL, NULL, NULL) == 200) {
            free(r);
            return;
        }
        sleep_ms(50);
    }
    cr_assert_fail("quill-blog did not answer /plaintext within %d ms", READY_TIMEOUT_MS);
}

static void stop(void) {
    if (pid <= 0) return;
    kill(pid, SIGTERM);
    int st;
    for (int waited = 0; waited < STOP_TIMEOUT_MS; waited += 20) {
        if (waitpid(pid, &st, WNOHANG) == pid) {
            pid = 0;
            return;
        }
        sleep_ms(20);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &st, 0);
    pid = 0;
}

static void setup(void) {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    port = free_port();
    snprintf(db, sizeof db, "/tmp/quill-blog-web-%d.db", (int)getpid());
    unlink(db);
    start("web-test-secret");
}

static void teardown(void) {
    stop();
    const char *sfx[] = {"", "-wal", "-shm"};
    char p[160];
    for (int i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s%s", db, sfx[i]);
        unlink(p);
    }
    curl_global_cleanup();
}

TestSuite(web, .init = setup, .fini = teardown, .timeout = 120);

/* "quill_session=VALUE" from a Set-Cookie value, into out. */
static void cookie_of(const struct reply *r, char *out, size_t cap) {
    cr_assert(strncmp(r->set_cookie, "quill_session=", 14) == 0, "Set-Cookie: %s", r->set_cookie);
    size_t n = strcspn(r->set_cookie, ";");
    cr_assert_lt(n, cap);
    snprintf(out, cap, "%.*s", (int)n, r->set_cookie);
}

/* The value of the first csrf_token input of a page, into out. */
static void csrf_of(const struct reply *r, char *out, size_t cap) {
    const char *p = strstr(r->body, "name=\"csrf_token\" value=\"");
    cr_assert_not_null(p, "no CSRF input in %s", r->body);
    p += 25;
    size_t n = strcspn(p, "\"");
    cr_assert_lt(n, cap);
    snprintf(out, cap, "%.*s", (int)n, p);
}

/* Registers `name` through the form; leaves its session cookie in `cookie`. */
static void register_web(const char *name, char *cookie, size_t cap) {
    struct reply *r = reply();
    char csrf[128], form[512];
    cr_assert_eq(http(r, "GET", "/register", NULL, NULL, NULL), 200);
    cookie_of(r, cookie, cap);
    csrf_of(r, csrf, sizeof csrf);
    snprintf(form, sizeof form, "csrf_token=%s&username=%s&email=%s%%40x.io&password=pw", csrf,
             name, name);
    cr_assert_eq(http(r, "POST", "/register", cookie, form, NULL), 303, "%s", r->body);
    cr_assert_str_eq(r->location, "/");
    cookie_of(r, cookie, cap);
    free(r);
}

static bool signed_in_as(const char *cookie, const char *name) {
    struct reply *r = reply();
    cr_assert_eq(http(r, "GET", "/", cookie, NULL, NULL), 200);
    char span[256];
    snprintf(span, sizeof span, "<span class=\"user\">%s</span>", name);
    bool in = strstr(r->body, span) != NULL;
    free(r);
    return in;
}

Test(web, the_api_and_overhead_routes_never_touch_the_session) {
    char cookie[COOKIE_MAX];
    register_web("wendy", cookie, sizeof cookie);
    struct reply *r = reply();
    const char *gets[] = {"/plaintext", "/json", "/api/tags", "/api/articles", "/api/nope"};
    for (size_t i = 0; i < sizeof gets / sizeof *gets; i++) {
        http(r, "GET", gets[i], cookie, NULL, NULL);
        cr_expect_str_empty(r->set_cookie, "%s wrote a cookie", gets[i]);
        cr_expect_not(r->vary_cookie, "%s read the session", gets[i]);
    }
    /* The API ignores the session: a signed-in cookie is no token. */
    cr_expect_eq(http(r, "GET", "/api/user", cookie, NULL, NULL), 401);
    cr_expect_str_empty(r->set_cookie);
    /* And a JSON POST needs no CSRF value (the API is not the pages' blueprint). */
    cr_expect_eq(http(r, "POST", "/api/users", cookie, NULL,
                      "{\"user\":{\"username\":\"api\",\"email\":\"api@x\",\"password\":\"pw\"}}"),
                 201, "%s", r->body);
    cr_expect_str_empty(r->set_cookie);
    free(r);
}

Test(web, home_without_a_cookie_is_one_query_and_sets_nothing) {
    struct reply *r = reply();
    cr_assert_eq(http(r, "GET", "/", NULL, NULL, NULL), 200);
    cr_expect_eq(r->queries, 1, "X-Query-Count %d", r->queries);
    cr_expect_str_empty(r->set_cookie);
    cr_expect_not_null(strstr(r->body, "<a href=\"/login\">"));
    /* An anonymous reader's article page needs no CSRF token either: no cookie. */
    char cookie[COOKIE_MAX];
    register_web("pat", cookie, sizeof cookie);
    cr_assert_eq(http(r, "GET", "/editor", cookie, NULL, NULL), 200);
    char csrf[128], form[512];
    csrf_of(r, csrf, sizeof csrf);
    snprintf(form, sizeof form, "csrf_token=%s&title=T&description=d&body=b&tags=", csrf);
    cr_assert_eq(http(r, "POST", "/editor", cookie, form, NULL), 303);
    char loc[512];
    snprintf(loc, sizeof loc, "%s", r->location);
    cr_assert_eq(http(r, "GET", loc, NULL, NULL, NULL), 200);
    cr_expect_str_empty(r->set_cookie, "anonymous article page wrote %s", r->set_cookie);
    free(r);
}

Test(web, logout_revokes_a_replayed_cookie) {
    char cookie[COOKIE_MAX], before[COOKIE_MAX], csrf[128], form[256];
    register_web("rita", cookie, sizeof cookie);
    cr_assert(signed_in_as(cookie, "rita"));
    snprintf(before, sizeof before, "%s", cookie);
    struct reply *r = reply();
    cr_assert_eq(http(r, "GET", "/", cookie, NULL, NULL), 200);
    if (r->set_cookie[0]) cookie_of(r, cookie, sizeof cookie); /* the flash was shown */
    csrf_of(r, csrf, sizeof csrf);
    snprintf(form, sizeof form, "csrf_token=%s", csrf);
    cr_assert_eq(http(r, "POST", "/logout", cookie, form, NULL), 303);
    cr_expect_not(signed_in_as(before, "rita"), "the cookie held before logout signs nobody in");
    cr_assert_eq(http(r, "GET", "/editor", before, NULL, NULL), 303);
    cr_expect_str_eq(r->location, "/login?next=/editor");
    cr_expect_not_null(strstr(r->set_cookie, "Max-Age=0"), "the revoked cookie is deleted: %s",
                       r->set_cookie);
    free(r);
}

Test(web, sign_ins_survive_a_restart_with_the_same_secret_only) {
    char cookie[COOKIE_MAX];
    register_web("sam", cookie, sizeof cookie);
    stop();
    start("web-test-secret");
    cr_expect(signed_in_as(cookie, "sam"), "same SECRET_KEY: still signed in");
    stop();
    start("another-secret");
    cr_expect_not(signed_in_as(cookie, "sam"), "another SECRET_KEY: the cookie does not verify");
}

Test(web, a_cookie_changed_without_the_key_is_no_session) {
    char cookie[COOKIE_MAX];
    register_web("fred", cookie, sizeof cookie);
    cr_assert(signed_in_as(cookie, "fred"));
    /* fred's own payload and signature with the issue time moved by one second: the MAC no
     * longer matches, so the (otherwise valid) session id inside is never looked at. */
    char forged[COOKIE_MAX];
    snprintf(forged, sizeof forged, "%s", cookie);
    char *mac = strrchr(forged, '.');
    cr_assert_not_null(mac);
    char *digit = mac - 1;
    *digit = *digit == '9' ? '8' : (char)(*digit + 1);
    cr_expect_not(signed_in_as(forged, "fred"));
}
