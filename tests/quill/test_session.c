/* test_session.c: targets/quill/src/session.c — signed cookie sessions (round trip, tampering,
 * another key, expiry, malformed cookies, revocation hook, Set-Cookie only on change and its
 * attributes), CSRF tokens and the protect hook, flash messages. No server: requests are built
 * from parsed heads, responses read back with quill_res_get_header. */
#include "internal.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#define SECRET "test-secret-key-0123456789"

static quill_arena *a;
static quill_app *app;
static qp_header hdrs[32];
static qp_request p;
static quill_req req;
static quill_res res;
static char raw[8192];
static int checks;      /* calls of the revocation hook */
static bool revoke_all; /* what it answers */

static bool check(quill_req *r) {
    checks++;
    quill_str sid = quill_session_get(r, "sid");
    return !(revoke_all && sid.ptr);
}

/* A new request on `app` carrying `cookie` (NULL: none) and a form `body` (NULL: GET). */
static void load_on(quill_app *on, const char *cookie, const char *body) {
    int n = snprintf(raw, sizeof raw, "%s / HTTP/1.1\r\nHost: h\r\n%s%s%s%s\r\n",
                     body ? "POST" : "GET", cookie ? "Cookie: other=1; quill_session=" : "",
                     cookie ? cookie : "", cookie ? "\r\n" : "",
                     body ? "Content-Type: application/x-www-form-urlencoded\r\n" : "");
    cr_assert_lt((size_t)n, sizeof raw);
    memset(&p, 0, sizeof(p));
    p.headers = hdrs;
    p.num_headers_cap = 32;
    qp_limits lim = {8192, 32768, 32};
    int st;
    cr_assert_gt(quill__parse_request(raw, (size_t)n, 0, &lim, &p, &st), 0);
    quill_arena_reset(a);
    quill__req_init(&req, on, NULL, a, &p);
    quill__res_init(&res, a);
    if (body) {
        req.body = body;
        req.body_len = strlen(body);
    }
}

static void load(const char *cookie, const char *body) {
    load_on(app, cookie, body);
}

/* Ends the request as the dispatcher does; returns the cookie value written (a static copy), ""
 * for a deletion, or NULL when no Set-Cookie was sent. */
static char *finish(void) {
    static char value[QUILL_SESSION_MAX_COOKIE + 1];
    if (req.session) quill__session_save(&req, &res);
    quill_str sc = quill_res_get_header(&res, "Set-Cookie");
    if (!sc.ptr) return NULL;
    cr_assert(strncmp(sc.ptr, "quill_session=", 14) == 0, "%s", sc.ptr);
    const char *v = sc.ptr + 14, *semi = strchr(v, ';');
    cr_assert_not_null(semi);
    snprintf(value, sizeof value, "%.*s", (int)(semi - v), v);
    return value;
}

static void setup(void) {
    a = quill_arena_new(4096);
    app = quill_app_new();
    quill_session_config c = quill_session_config_default();
    c.secret = SECRET;
    c.check = check;
    quill_session_init(app, &c);
    checks = 0;
    revoke_all = false;
}
static void teardown(void) {
    quill_app_free(app);
    quill_arena_free(a);
}
TestSuite(session, .init = setup, .fini = teardown);

Test(session, round_trip_and_attributes) {
    load(NULL, NULL);
    cr_assert_null(quill_session_get(&req, "user").ptr);
    cr_assert_not(quill_session_present(&req));
    cr_assert_eq(quill_session_set(&req, "user", "alice <&>"), 0);
    quill__session_save(&req, &res);
    quill_str sc = quill_res_get_header(&res, "Set-Cookie");
    cr_assert_not_null(sc.ptr);
    cr_assert(strstr(sc.ptr, "; Path=/") && strstr(sc.ptr, "; HttpOnly") &&
                  strstr(sc.ptr, "; SameSite=Lax"),
              "%s", sc.ptr);
    cr_assert_null(strstr(sc.ptr, "Secure"));
    cr_assert_null(strstr(sc.ptr, "Max-Age"), "a browser-session cookie, as Flask's default");
    cr_assert_str_eq(quill_res_get_header(&res, "Vary").ptr, "Cookie");
    char cookie[QUILL_SESSION_MAX_COOKIE + 1];
    const char *v = sc.ptr + 14;
    snprintf(cookie, sizeof cookie, "%.*s", (int)(strchr(v, ';') - v), v);

    load(cookie, NULL);
    cr_assert_str_eq(quill_session_get(&req, "user").ptr, "alice <&>");
    cr_assert(quill_session_present(&req));
    cr_assert_null(finish(), "unchanged: no Set-Cookie");
    cr_assert_eq(checks, 1, "the revocation hook ran once");
}

Test(session, untouched_request_costs_nothing) {
    load("garbage", NULL);
    cr_assert_null(req.session, "nothing loaded before use");
    cr_assert_null(finish());
    cr_assert_null(quill_res_get_header(&res, "Vary").ptr);
    cr_assert_eq(checks, 0);
}

Test(session, tampering_and_foreign_keys_are_ignored) {
    load(NULL, NULL);
    quill_session_set(&req, "user", "alice");
    char good[QUILL_SESSION_MAX_COOKIE + 1];
    snprintf(good, sizeof good, "%s", finish());

    /* Each byte of the payload and of the MAC flipped in turn. */
    size_t n = strlen(good);
    for (size_t i = 0; i < n; i += 3) {
        char bad[sizeof good];
        memcpy(bad, good, n + 1);
        bad[i] = bad[i] == 'A' ? 'B' : 'A';
        if (strcmp(bad, good) == 0) continue;
        load(bad, NULL);
        cr_assert_null(quill_session_get(&req, "user").ptr, "byte %zu changed: %s", i, bad);
        cr_assert_not(quill_session_present(&req));
    }
    /* A session forged with the client's own payload and no key. */
    char forged[sizeof good];
    memcpy(forged, good, n + 1);
    char *dot = strchr(forged, '.');
    memcpy(forged, "eyJ1c2VyIjoiYm9iIn0", 19); /* {"user":"bob"} */
    memmove(forged + 19, dot, strlen(dot) + 1);
    load(forged, NULL);
    cr_assert_null(quill_session_get(&req, "user").ptr);

    const char *malformed[] = {"", ".", "..", "a.b.c", "a..", "..c", "x.1.", good + 1, NULL};
    for (size_t i = 0; malformed[i]; i++) {
        load(malformed[i], NULL);
        cr_assert_null(quill_session_get(&req, "user").ptr, "%s", malformed[i]);
    }

    /* Signed under another secret. */
    quill_app *other = quill_app_new();
    quill_session_config c = quill_session_config_default();
    c.secret = "another-secret-of-some-length";
    quill_session_init(other, &c);
    load_on(other, NULL, NULL);
    quill_session_set(&req, "user", "mallory");
    char theirs[QUILL_SESSION_MAX_COOKIE + 1];
    snprintf(theirs, sizeof theirs, "%s", finish());
    load(theirs, NULL);
    cr_assert_null(quill_session_get(&req, "user").ptr, "another key's cookie is no session");
    quill_app_free(other);
}

/* A cookie with a chosen issued-at time, signed like session.c does. */
static void cookie_at(long long ts, char *out, size_t cap) {
    quill_buf b;
    quill_buf_init(&b, a);
    quill__b64url_encode(&b, (const unsigned char *)"{\"user\":\"old\"}", 14);
    quill_buf_printf(&b, ".%lld", ts);
    size_t len = b.len;
    char *data = quill_arena_strndup(a, b.ptr, len);
    quill_buf_putc(&b, '.');
    cr_assert_eq(quill__session_sign(app->session, data, len, &b), 0);
    snprintf(out, cap, "%s", b.ptr);
}

Test(session, expiry) {
    long long now = quill_now_ms() / 1000;
    char c[512];
    cookie_at(now - 31LL * 24 * 3600 + 30, c, sizeof c);
    load(c, NULL);
    cr_assert_str_eq(quill_session_get(&req, "user").ptr, "old", "just under max_age");
    cookie_at(now - 31LL * 24 * 3600 - 30, c, sizeof c);
    load(c, NULL);
    cr_assert_null(quill_session_get(&req, "user").ptr, "over max_age");
    cookie_at(now + 3600, c, sizeof c);
    load(c, NULL);
    cr_assert_null(quill_session_get(&req, "user").ptr, "issued in the future");
}

Test(session, revocation_hook_signs_out) {
    load(NULL, NULL);
    quill_session_set(&req, "sid", "s1");
    quill_session_set(&req, "user", "alice");
    char c[QUILL_SESSION_MAX_COOKIE + 1];
    snprintf(c, sizeof c, "%s", finish());
    revoke_all = true;
    load(c, NULL);
    cr_assert_null(quill_session_get(&req, "user").ptr, "revoked: signed out");
    cr_assert_not(quill_session_present(&req));
    cr_assert_str_eq(finish(), "", "the revoked cookie is deleted");
    cr_assert(strstr(quill_res_get_header(&res, "Set-Cookie").ptr, "Max-Age=0"));
}

Test(session, clear_deletes_the_cookie_only_if_sent) {
    load(NULL, NULL);
    quill_session_set(&req, "user", "alice");
    quill_session_clear(&req);
    cr_assert_null(finish(), "nothing to delete");
    load(NULL, NULL);
    quill_session_set(&req, "user", "alice");
    char c[QUILL_SESSION_MAX_COOKIE + 1];
    snprintf(c, sizeof c, "%s", finish());
    load(c, NULL);
    quill_session_remove(&req, "user");
    cr_assert_str_eq(finish(), "");
}

Test(session, oversized_session_is_500) {
    load(NULL, NULL);
    char big[QUILL_SESSION_MAX_COOKIE];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    quill_session_set(&req, "big", big);
    quill__session_save(&req, &res);
    cr_assert_eq(quill_res_get_status(&res), 500);
    cr_assert_null(quill_res_get_header(&res, "Set-Cookie").ptr);
}

Test(session, csrf_token_bound_to_the_session) {
    load(NULL, NULL);
    const char *t = quill_csrf_token(&req);
    cr_assert_not_null(t);
    cr_assert_eq(strlen(t), QUILL_CSRF_LEN);
    cr_assert_str_eq(quill_csrf_token(&req), t, "stable within the session");
    char tok[64], c[QUILL_SESSION_MAX_COOKIE + 1];
    snprintf(tok, sizeof tok, "%s", t);
    snprintf(c, sizeof c, "%s", finish());

    char body[256];
    snprintf(body, sizeof body, "title=x&csrf_token=%s", tok);
    load(c, body);
    cr_assert(quill_csrf_valid(&req));
    cr_assert_str_eq(quill_csrf_token(&req), tok);
    cr_assert_null(finish(), "reading the token changes nothing");

    load(c, "title=x");
    cr_assert_not(quill_csrf_valid(&req), "missing");
    load(c, "csrf_token=");
    cr_assert_not(quill_csrf_valid(&req), "empty");
    tok[5] = tok[5] == 'a' ? 'b' : 'a';
    snprintf(body, sizeof body, "csrf_token=%s", tok);
    load(c, body);
    cr_assert_not(quill_csrf_valid(&req), "one character off");
    load(NULL, "csrf_token=");
    cr_assert_not(quill_csrf_valid(&req), "no session, empty value");

    /* Another session's token does not pass in this one. */
    load(NULL, NULL);
    snprintf(body, sizeof body, "csrf_token=%s", quill_csrf_token(&req));
    load(c, body);
    cr_assert_not(quill_csrf_valid(&req));
}

static void handler(quill_req *r, quill_res *s) {
    quill_str t = quill_form_get(r, "title");
    quill_res_text(s, 200, t.ptr ? t.ptr : "(none)");
}

static void on_403(quill_req *r, quill_res *s, int status) {
    (void)r;
    quill_res_html(s, status, "<h1>Forbidden</h1>", 18);
}

Test(session, csrf_protect_hook) {
    quill_blueprint *bp = quill_blueprint_new(app, "");
    quill_csrf_protect(bp);
    quill_bp_route(bp, "POST", "/", handler);
    quill_bp_route(bp, "GET", "/", handler);
    quill_errorhandler(app, 403, on_403);

    load(NULL, NULL);
    char tok[64], c[QUILL_SESSION_MAX_COOKIE + 1], body[256];
    snprintf(tok, sizeof tok, "%s", quill_csrf_token(&req));
    snprintf(c, sizeof c, "%s", finish());

    load(c, "title=no-token");
    cr_assert_eq(quill__app_dispatch(app, &req, &res, 0), 0);
    cr_assert_eq(quill_res_get_status(&res), 403);
    cr_assert_str_eq(res.content_type, QUILL_CT_HTML, "through the app's 403 handler");

    snprintf(body, sizeof body, "title=ok&csrf_token=%s", tok);
    load(c, body);
    quill__app_dispatch(app, &req, &res, 0);
    cr_assert_eq(quill_res_get_status(&res), 200);

    load(c, "title=%zz");
    quill__app_dispatch(app, &req, &res, 0);
    cr_assert_eq(quill_res_get_status(&res), 400, "a malformed form is 400, not 403");

    load(c, NULL); /* GET is not checked */
    quill__app_dispatch(app, &req, &res, 0);
    cr_assert_eq(quill_res_get_status(&res), 200);
}

Test(session, flash_shown_once) {
    load(NULL, NULL);
    cJSON *none = quill_flashes(&req);
    cr_assert_eq(cJSON_GetArraySize(none), 0);
    cr_assert_null(finish(), "no flashes, no cookie");

    load(NULL, NULL);
    quill_flash(&req, "Article published.");
    quill_flash(&req, "Second <b>");
    char c[QUILL_SESSION_MAX_COOKIE + 1];
    snprintf(c, sizeof c, "%s", finish());

    load(c, NULL);
    cJSON *f = quill_flashes(&req);
    cr_assert_eq(cJSON_GetArraySize(f), 2);
    cr_assert_str_eq(cJSON_GetArrayItem(f, 0)->valuestring, "Article published.");
    cr_assert_str_eq(cJSON_GetArrayItem(f, 1)->valuestring, "Second <b>");
    char *after = finish();
    cr_assert_not_null(after, "popping changes the session");
    snprintf(c, sizeof c, "%s", after);

    load(c, NULL);
    cr_assert_eq(cJSON_GetArraySize(quill_flashes(&req)), 0, "shown once");

    load(NULL, NULL);
    for (int i = 0; i < QUILL_FLASH_MAX + 3; i++) quill_flash(&req, "m");
    cr_assert_eq(cJSON_GetArraySize(quill_flashes(&req)), QUILL_FLASH_MAX, "capped");
    char longmsg[QUILL_FLASH_MAX_LEN + 10];
    memset(longmsg, 'a', sizeof longmsg - 1);
    longmsg[sizeof longmsg - 1] = '\0';
    longmsg[QUILL_FLASH_MAX_LEN - 1] = '\xc3'; /* é split by the cut */
    longmsg[QUILL_FLASH_MAX_LEN] = '\xa9';
    quill_flash(&req, longmsg);
    const char *got = cJSON_GetArrayItem(quill_flashes(&req), 0)->valuestring;
    cr_assert_eq(strlen(got), QUILL_FLASH_MAX_LEN - 1, "cut before the split character");
}

Test(session, without_sessions) {
    quill_app *bare = quill_app_new();
    load_on(bare, NULL, NULL);
    cr_assert_null(quill_session_get(&req, "x").ptr);
    cr_assert_eq(quill_session_set(&req, "x", "y"), -1);
    cr_assert_null(quill_csrf_token(&req));
    cr_assert_eq(quill_flash(&req, "x"), -1);
    quill_app_free(bare);
}
