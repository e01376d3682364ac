/*
 * session.c: signed cookie sessions, CSRF tokens and flash messages (quill_web.h).
 *
 * The cookie is Flask's design (itsdangerous' URLSafeTimedSerializer) in quill's terms:
 *
 *     base64url(JSON of the session) "." issued-at (decimal seconds) "." base64url(HMAC-SHA256)
 *
 * the MAC covering everything before the last '.', under the app's secret. The client can read
 * its session but not change it; verification compares the MAC with CRYPTO_memcmp (constant
 * time), then checks the age, then parses the JSON (so unauthenticated bytes never reach cJSON).
 * Anything wrong means "no session": a fresh empty one, never an error page.
 *
 * Lazy by design: a request that never calls quill_session_* / quill_csrf_* / quill_flash* never
 * reads the cookie (req->session stays NULL and the dispatcher's save is one NULL check), so JSON
 * routes and /plaintext cost what they did before sessions existed.
 *
 * Revocation: a signed cookie is valid until it expires, logout or not. The application's `check`
 * hook (quill_session_config) runs once per request after the signature verified, with the
 * session already readable through quill_session_get; returning false empties the session and
 * the response replaces the cookie. The blog keeps a session id in the session and a row per
 * live session in SQLite, deleted at logout.
 */
#include "internal.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SESSION_TS_DIGITS    12         /* issued-at, seconds: 12 digits last until year 33658 */
#define SESSION_CLOCK_SKEW_S 60         /* a cookie "issued" this far in the future is still fine */
#define SESSION_KEY_CSRF     "_csrf"    /* the CSRF token inside the session */
#define SESSION_KEY_FLASHES  "_flashes" /* waiting flash messages (an array of strings) */

typedef struct quill__session {
    cJSON *data;     /* the dict (an object), owned by the request arena */
    bool modified;   /* write the cookie back */
    bool had_cookie; /* the request sent a cookie of this name (to delete it when emptied) */
    bool valid;      /* it verified and the app's check accepted it */
} quill__session;

quill_session_config quill_session_config_default(void) {
    return (quill_session_config){
        .secret = NULL,
        .salt = "quill.session",
        .cookie_name = "quill_session",
        .max_age_s = 31LL * 24 * 3600,
        .secure = false,
        .check = NULL,
    };
}

void quill_session_init(quill_app *app, const quill_session_config *cfg) {
    if (!cfg->secret || !cfg->secret[0] || !cfg->cookie_name || !cfg->cookie_name[0] ||
        cfg->max_age_s <= 0) {
        fprintf(stderr, "quill: quill_session_init: a secret, a cookie name and a positive "
                        "max_age_s are required\n");
        abort();
    }
    quill__session_cfg *c = calloc(1, sizeof(*c));
    if (!c) abort();
    /* Key separation, as itsdangerous' derive_key: the cookie is signed with
     * HMAC-SHA256(secret, salt), never with SECRET_KEY itself, so a MAC made for one purpose
     * (a JWT signed with the same SECRET_KEY) can never pass for a session and back. */
    const char *salt = cfg->salt ? cfg->salt : "quill.session";
    c->secret = malloc(32);
    c->secret_len = 32;
    c->cookie_name = strdup(cfg->cookie_name);
    if (!c->secret || !c->cookie_name ||
        quill__hmac256(cfg->secret, strlen(cfg->secret), salt, strlen(salt),
                       (unsigned char *)c->secret) != 0)
        abort();
    c->max_age_s = cfg->max_age_s;
    c->secure = cfg->secure;
    c->check = cfg->check;
    quill__session_cfg_free(app->session);
    app->session = c;
}

void quill__session_cfg_free(quill__session_cfg *cfg) {
    if (!cfg) return;
    OPENSSL_cleanse(cfg->secret, cfg->secret_len);
    free(cfg->secret);
    free(cfg->cookie_name);
    free(cfg);
}

int quill__session_sign(const quill__session_cfg *cfg, const char *data, size_t n, quill_buf *b) {
    unsigned char mac[32];
    if (quill__hmac256(cfg->secret, cfg->secret_len, data, n, mac) != 0) return -1;
    return quill__b64url_encode(b, mac, sizeof(mac));
}

/* The session object of a cookie value, or NULL when it does not verify. */
static cJSON *verify(quill_req *req, const quill__session_cfg *cfg, quill_str c) {
    if (c.len > QUILL_SESSION_MAX_COOKIE) return NULL;
    const char *mac_dot = memrchr(c.ptr, '.', c.len);
    if (!mac_dot || mac_dot == c.ptr) return NULL;
    const char *ts_dot = memrchr(c.ptr, '.', (size_t)(mac_dot - c.ptr));
    if (!ts_dot) return NULL;
    size_t signed_len = (size_t)(mac_dot - c.ptr);
    size_t mac_len = c.len - signed_len - 1;
    unsigned char mac[32], got[48];
    if (mac_len != 43 || quill__b64url_decode(mac_dot + 1, mac_len, got) != 32) return NULL;
    if (quill__hmac256(cfg->secret, cfg->secret_len, c.ptr, signed_len, mac) != 0 ||
        CRYPTO_memcmp(mac, got, 32) != 0)
        return NULL;
    /* Authentic from here on: the bytes are ours, but still checked as if they were not. */
    size_t ts_len = (size_t)(mac_dot - ts_dot - 1);
    if (ts_len == 0 || ts_len > SESSION_TS_DIGITS) return NULL;
    long long ts = 0;
    for (size_t i = 0; i < ts_len; i++) {
        char d = ts_dot[1 + i];
        if (d < '0' || d > '9') return NULL;
        ts = ts * 10 + (d - '0');
    }
    long long now = (long long)(quill_now_ms() / 1000);
    if (ts > now + SESSION_CLOCK_SKEW_S || now - ts > cfg->max_age_s) return NULL;
    size_t plen = (size_t)(ts_dot - c.ptr);
    unsigned char *json = quill_arena_alloc(req->arena, plen * 3 / 4 + 2);
    long jlen = json ? quill__b64url_decode(c.ptr, plen, json) : -1;
    if (jlen <= 0) return NULL;
    cJSON *obj = quill__req_own_json(req, cJSON_ParseWithLength((const char *)json, (size_t)jlen));
    return cJSON_IsObject(obj) ? obj : NULL;
}

/* The request's session, loaded (and checked) on first use; NULL without sessions or memory. */
static quill__session *load(quill_req *req) {
    if (req->session) return req->session;
    const quill__session_cfg *cfg = req->app->session;
    if (!cfg) return NULL;
    quill__session *s = quill_arena_calloc(req->arena, 1, sizeof(*s));
    if (!s) return NULL;
    quill_str c = quill_req_cookie(req, cfg->cookie_name);
    s->had_cookie = c.ptr != NULL;
    if (c.ptr) s->data = verify(req, cfg, c);
    req->session = s; /* before the check: it reads the session through quill_session_get */
    if (s->data) {
        s->valid = true;
        if (cfg->check && !cfg->check(req)) {
            s->valid = false;
            s->data = NULL;
            s->modified = true; /* replace the revoked cookie */
        }
    }
    if (!s->data && !(s->data = quill__req_own_json(req, cJSON_CreateObject()))) {
        req->session = NULL;
        return NULL;
    }
    return s;
}

void quill__session_save(quill_req *req, quill_res *res) {
    quill__session *s = req->session;
    const quill__session_cfg *cfg = req->app->session;
    /* The response depends on the cookie: shared caches must not serve it to someone else. */
    quill_res_add_header(res, "Vary", "Cookie");
    if (!s->modified) return;
    const char *attrs = cfg->secure ? "; Path=/; HttpOnly; SameSite=Lax; Secure"
                                    : "; Path=/; HttpOnly; SameSite=Lax";
    quill_buf b;
    quill_buf_init(&b, req->arena);
    quill_buf_puts(&b, cfg->cookie_name);
    quill_buf_putc(&b, '=');
    if (!s->data->child) {
        if (!s->had_cookie) return; /* empty and nothing to delete */
        quill_buf_printf(&b, "; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0%s", attrs);
        if (!b.failed) quill_res_add_header(res, "Set-Cookie", b.ptr);
        return;
    }
    size_t start = b.len;
    char *json = cJSON_PrintUnformatted(s->data);
    if (!json) {
        quill_abort(req, res, 500);
        return;
    }
    quill__b64url_encode(&b, (const unsigned char *)json, strlen(json));
    free(json);
    quill_buf_printf(&b, ".%lld", (long long)(quill_now_ms() / 1000));
    size_t signed_len = b.len - start;
    char *signed_part =
        b.failed ? NULL : quill_arena_strndup(req->arena, b.ptr + start, signed_len);
    quill_buf_putc(&b, '.');
    if (!signed_part || quill__session_sign(cfg, signed_part, signed_len, &b) != 0 || b.failed ||
        b.len - start > QUILL_SESSION_MAX_COOKIE) {
        fprintf(stderr, "quill: session cookie not written (over %d bytes or out of memory)\n",
                QUILL_SESSION_MAX_COOKIE);
        quill_abort(req, res, 500);
        return;
    }
    quill_buf_puts(&b, attrs);
    if (b.failed || quill_res_add_header(res, "Set-Cookie", b.ptr) != 0) quill_abort(req, res, 500);
}

quill_str quill_session_get(quill_req *req, const char *key) {
    quill__session *s = load(req);
    const cJSON *v = s ? cJSON_GetObjectItemCaseSensitive(s->data, key) : NULL;
    if (!cJSON_IsString(v)) return (quill_str){NULL, 0};
    return (quill_str){v->valuestring, strlen(v->valuestring)};
}

int quill_session_set(quill_req *req, const char *key, const char *value) {
    quill__session *s = load(req);
    cJSON *v = s ? cJSON_CreateString(value) : NULL;
    if (!v) return -1;
    cJSON_DeleteItemFromObjectCaseSensitive(s->data, key);
    if (!cJSON_AddItemToObject(s->data, key, v)) {
        cJSON_Delete(v);
        return -1;
    }
    s->modified = true;
    return 0;
}

int quill_session_remove(quill_req *req, const char *key) {
    quill__session *s = load(req);
    if (!s) return -1;
    cJSON *old = cJSON_DetachItemFromObjectCaseSensitive(s->data, key);
    if (old) {
        cJSON_Delete(old);
        s->modified = true;
    }
    return 0;
}

int quill_session_clear(quill_req *req) {
    quill__session *s = load(req);
    cJSON *empty = s ? quill__req_own_json(req, cJSON_CreateObject()) : NULL;
    if (!empty) return -1;
    s->data = empty;
    s->modified = true;
    return 0;
}

bool quill_session_present(quill_req *req) {
    quill__session *s = load(req);
    return s && s->valid;
}

/* ---- CSRF ---- */

const char *quill_csrf_token(quill_req *req) {
    quill_str t = quill_session_get(req, SESSION_KEY_CSRF);
    if (t.ptr && t.len == QUILL_CSRF_LEN) return t.ptr;
    unsigned char raw[32];
    quill_buf b;
    quill_buf_init(&b, req->arena);
    if (quill_random_bytes(raw, sizeof(raw)) != 0 || quill__b64url_encode(&b, raw, 32) != 0 ||
        b.failed || quill_session_set(req, SESSION_KEY_CSRF, b.ptr) != 0)
        return NULL;
    return quill_session_get(req, SESSION_KEY_CSRF).ptr;
}

bool quill_csrf_valid(quill_req *req) {
    quill_str sent = quill_form_get(req, QUILL_CSRF_FIELD);
    quill_str want = quill_session_get(req, SESSION_KEY_CSRF);
    return sent.ptr && want.ptr && want.len == QUILL_CSRF_LEN && sent.len == want.len &&
           CRYPTO_memcmp(sent.ptr, want.ptr, want.len) == 0;
}

static int csrf_hook(quill_req *req, quill_res *res) {
    quill_str m = quill_req_method(req);
    if (!quill_str_eq(m, "POST") && !quill_str_eq(m, "PUT") && !quill_str_eq(m, "PATCH") &&
        !quill_str_eq(m, "DELETE"))
        return 0;
    int status = 0;
    if (quill_form_parse(req, &status) != 0) {
        quill_abort(req, res, status);
        return 1;
    }
    if (quill_csrf_valid(req)) return 0;
    quill_abort(req, res, 403);
    return 1;
}

void quill_csrf_protect(quill_blueprint *bp) {
    if (!bp->app->session) {
        fprintf(stderr, "quill: quill_csrf_protect needs quill_session_init first\n");
        abort();
    }
    quill_bp_before_request(bp, csrf_hook);
}

/* ---- flash messages ---- */

int quill_flash(quill_req *req, const char *message) {
    quill__session *s = load(req);
    if (!s) return -1;
    cJSON *list = cJSON_GetObjectItemCaseSensitive(s->data, SESSION_KEY_FLASHES);
    if (!cJSON_IsArray(list)) {
        cJSON_DeleteItemFromObjectCaseSensitive(s->data, SESSION_KEY_FLASHES);
        list = cJSON_AddArrayToObject(s->data, SESSION_KEY_FLASHES);
        if (!list) return -1;
    }
    if (cJSON_GetArraySize(list) >= QUILL_FLASH_MAX) return -1;
    size_t len = strlen(message);
    if (len > QUILL_FLASH_MAX_LEN) { /* cut on a character boundary */
        len = QUILL_FLASH_MAX_LEN;
        while (len && ((unsigned char)message[len] & 0xC0) == 0x80) len--;
    }
    char *copy = quill_arena_strndup(req->arena, message, len);
    cJSON *item = copy ? cJSON_CreateString(copy) : NULL;
    if (!item || !cJSON_AddItemToArray(list, item)) {
        cJSON_Delete(item);
        return -1;
    }
    s->modified = true;
    return 0;
}

cJSON *quill_flashes(quill_req *req) {
    quill__session *s = load(req);
    cJSON *list = s ? cJSON_GetObjectItemCaseSensitive(s->data, SESSION_KEY_FLASHES) : NULL;
    if (!list) return quill__req_own_json(req, cJSON_CreateArray());
    cJSON_DetachItemViaPointer(s->data, list);
    s->modified = true;
    if (!cJSON_IsArray(list)) {
        cJSON_Delete(list);
        return quill__req_own_json(req, cJSON_CreateArray());
    }
    return quill__req_own_json(req, list);
}
