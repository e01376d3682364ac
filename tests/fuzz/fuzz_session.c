/*
 * fuzz_session.c: libFuzzer target for quill's session cookie reader (targets/quill/src/session.c).
 *
 * Each input is used twice: as a cookie value as sent (almost always refused at the MAC, which must
 * never crash whatever the shape: dots, lengths, base64), and as a session payload signed with the
 * app's key, so that the code behind the MAC (base64url decoding, the issued-at check, cJSON, the
 * session accessors, flashes, CSRF and writing the cookie back) sees arbitrary authentic bytes.
 * Contract checked: a cookie that verifies gives an object session; reading, changing and saving it
 * never fails except for size (500) and writes a cookie that verifies again with the same content.
 */
#include "internal.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(c)                                                                                   \
    do {                                                                                           \
        if (!(c)) abort();                                                                         \
    } while (0)

static quill_app *app;
static qp_header hdrs[8];
static char raw[3 * QUILL_SESSION_MAX_COOKIE];

/* Runs one request carrying `cookie`; returns the Set-Cookie value written (arena) or NULL. */
static const char *one(quill_arena *a, const char *cookie, size_t len, bool touch) {
    int n =
        snprintf(raw, sizeof raw, "GET / HTTP/1.1\r\nHost: h\r\nCookie: quill_session=%.*s\r\n\r\n",
                 (int)len, cookie);
    if (n < 0 || (size_t)n >= sizeof raw) return NULL;
    qp_request p;
    memset(&p, 0, sizeof p);
    p.headers = hdrs;
    p.num_headers_cap = 8;
    qp_limits lim = {sizeof raw, sizeof raw, 8};
    int st;
    if (quill__parse_request(raw, (size_t)n, 0, &lim, &p, &st) <= 0) return NULL; /* not a header */
    quill_req req;
    quill_res res;
    quill__req_init(&req, app, NULL, a, &p);
    quill__res_init(&res, a);
    quill_str v = quill_session_get(&req, "k");
    (void)v;
    cJSON *f = quill_flashes(&req);
    CHECK(f && cJSON_IsArray(f));
    if (touch) {
        CHECK(quill_csrf_token(&req) != NULL);
        CHECK(quill_session_set(&req, "k", "v") == 0);
    }
    quill__session_save(&req, &res);
    quill_str sc = quill_res_get_header(&res, "Set-Cookie");
    if (!sc.ptr) return NULL;
    return sc.ptr;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!app) {
        app = quill_app_new();
        quill_session_config c = quill_session_config_default();
        c.secret = "fuzz-secret";
        quill_session_init(app, &c);
    }
    if (size > QUILL_SESSION_MAX_COOKIE) return 0;
    quill_arena *a = quill_arena_new(4096);
    CHECK(a);
    /* 1. As sent. */
    one(a, (const char *)data, size, false);
    /* 2. As an authentic payload: base64url(data) "." now "." MAC. */
    quill_buf b;
    quill_buf_init(&b, a);
    CHECK(quill__b64url_encode(&b, data, size) == 0);
    quill_buf_printf(&b, ".%lld", (long long)(quill_now_ms() / 1000));
    size_t signed_len = b.len;
    char *signed_part = quill_arena_strndup(a, b.ptr, signed_len);
    quill_buf_putc(&b, '.');
    CHECK(signed_part && quill__session_sign(app->session, signed_part, signed_len, &b) == 0);
    if (b.len <= QUILL_SESSION_MAX_COOKIE) {
        const char *sc = one(a, b.ptr, b.len, true);
        if (sc) { /* written back: it must verify and hold what was set */
            size_t vlen = strcspn(sc + 14, ";");
            char *again = quill_arena_strndup(a, sc + 14, vlen);
            CHECK(again);
            if (vlen > 0 && vlen <= QUILL_SESSION_MAX_COOKIE) {
                int n = snprintf(raw, sizeof raw,
                                 "GET / HTTP/1.1\r\nHost: h\r\nCookie: quill_session=%s\r\n\r\n",
                                 again);
                qp_request p;
                memset(&p, 0, sizeof p);
                p.headers = hdrs;
                p.num_headers_cap = 8;
                qp_limits lim = {sizeof raw, sizeof raw, 8};
                int st;
                CHECK(n > 0 && quill__parse_request(raw, (size_t)n, 0, &lim, &p, &st) > 0);
                quill_req req;
                quill__req_init(&req, app, NULL, a, &p);
                CHECK(quill_session_present(&req));
                CHECK(quill_str_eq(quill_session_get(&req, "k"), "v"));
            }
        }
    }
    quill_arena_free(a);
    return 0;
}
