/* auth: JWT authentication as a before-request hook; the current user lives in `g`.
 *
 * The hook only classifies the request (no token / valid token with its user / invalid token) and
 * stores that in per-request storage; the endpoints decide what it means (required, optional or
 * no auth), because the contract answers differently: a missing token is fine on optional
 * endpoints, an invalid one is 401 on required and optional endpoints alike and ignored on the
 * others (login, register, tags). Order of checks stays: routing (404/405) first, since blueprint
 * hooks run only for matched routes, then 401 in the handler before anything else. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blog.h"

/* Longest Authorization header value considered: a token is ~200 bytes; anything far longer is
 * not one of ours and is rejected without being parsed. */
#define AUTH_HEADER_MAX 4096

#define G_AUTH "auth"

enum auth_state { AUTH_NONE, AUTH_VALID, AUTH_INVALID };

struct auth {
    enum auth_state state;
    struct blog_user user;
};

static const char *secret_key;
static size_t secret_len;

void auth_set_secret(const char *secret) {
    secret_key = secret;
    secret_len = strlen(secret);
}

static const char *col_dup(quill_arena *a, quill_stmt *st, int col) {
    quill_str s = quill_stmt_text(st, col);
    if (s.ptr == NULL) return NULL;
    return quill_arena_strndup(a, s.ptr, s.len);
}

int auth_load_user(quill_req *req, int64_t id, struct blog_user *out) {
    quill_stmt *st = db_stmt(ST_USER_BY_ID);
    if (st == NULL) return -1;
    db_bind_int(st, 1, id);
    int rc = -1;
    if (quill_stmt_step(st) == QUILL_DB_ROW) {
        quill_arena *a = quill_req_arena(req);
        out->id = quill_stmt_int64(st, 0);
        out->username = col_dup(a, st, 1);
        out->email = col_dup(a, st, 2);
        out->bio = col_dup(a, st, 3);
        out->image = col_dup(a, st, 4);
        rc = out->username && out->email ? 0 : -1;
    }
    quill_stmt_reset(st);
    return rc;
}

/* What quill_jwt_verify leaves to the app (ruling 6; the other targets' PyJWT and jsonwebtoken
 * check the same): `exp` is required (our tokens always carry it); `nbf` and `iat`, when present,
 * are numbers not in the future; an `aud` claim names an audience this server does not identify
 * with (RFC 7519 4.1.3). */
static bool claims_acceptable(const cJSON *claims) {
    /* The clock that stamps iat (time() may lag it by a coarse tick at a second boundary). */
    // parity-ruling: begin 6 exp required, no aud, nbf/iat numbers not in the future
    double now = (double)(quill_now_ms() / 1000);
    if (!cJSON_IsNumber(json_member(claims, "exp"))) return false;
    if (json_member(claims, "aud") != NULL) return false;
    static const char *const not_future[] = {"nbf", "iat"};
    for (size_t i = 0; i < sizeof not_future / sizeof *not_future; i++) {
        const cJSON *c = json_member(claims, not_future[i]);
        if (c != NULL && (!cJSON_IsNumber(c) || c->valuedouble > now)) return false;
    }
    return true;
    // parity-ruling: end
}

/* The user id in a verified token's claims: `sub` as a decimal string (ruling 6). */
static int claims_user_id(const cJSON *claims, int64_t *id) {
    const cJSON *sub = json_member(claims, "sub");
    if (!cJSON_IsString(sub)) return -1;
    const char *s = sub->valuestring;
    size_t len = strlen(s);
    if (len == 0 || len > 18) return -1; /* 18 digits always fit int64 */
    int64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        v = v * 10 + (s[i] - '0');
    }
    *id = v;
    return 0;
}

/* The token of "Token <jwt>" or "Bearer <jwt>", or an empty slice. */
static quill_str bearer(quill_str h) {
    quill_str none = {NULL, 0};
    size_t skip;
    if (h.len > 6 && memcmp(h.ptr, "Token ", 6) == 0)
        skip = 6;
    else if (h.len > 7 && memcmp(h.ptr, "Bearer ", 7) == 0)
        skip = 7;
    else
        return none;
    quill_str t = {h.ptr + skip, h.len - skip};
    if (memchr(t.ptr, ' ', t.len)) return none;
    return t;
}

int auth_before_request(quill_req *req, quill_res *res) {
    (void)res;
    db_release(); /* safety net: nothing from a previous request stays open */
    quill_str h = quill_req_header(req, "Authorization");
    if (h.ptr == NULL) return 0; /* no entry in g: anonymous */
    quill_arena *a = quill_req_arena(req);
    struct auth *auth = quill_arena_calloc(a, 1, sizeof *auth);
    if (auth == NULL) return 0;
    auth->state = AUTH_INVALID;
    quill_req_g_set(req, G_AUTH, auth);
    quill_str tok = bearer(h);
    if (tok.ptr == NULL || tok.len > AUTH_HEADER_MAX) return 0;
    cJSON *claims = NULL;
    if (quill_jwt_verify(a, tok.ptr, tok.len, secret_key, secret_len, 0, &claims, NULL) != 0)
        return 0;
    if (!claims_acceptable(claims)) return 0;
    int64_t id;
    if (claims_user_id(claims, &id) != 0 || auth_load_user(req, id, &auth->user) != 0) return 0;
    auth->user.token = quill_arena_strndup(a, tok.ptr, tok.len);
    auth->state = AUTH_VALID;
    return 0;
}

const struct blog_user *auth_required(quill_req *req, quill_res *res) {
    const struct auth *auth = quill_req_g_get(req, G_AUTH);
    if (auth == NULL) {
        render_error(res, 401, "token", "is missing");
        return NULL;
    }
    if (auth->state != AUTH_VALID) {
        render_error(res, 401, "token", "is invalid");
        return NULL;
    }
    return &auth->user;
}

int auth_optional(quill_req *req, quill_res *res, const struct blog_user **user) {
    const struct auth *auth = quill_req_g_get(req, G_AUTH);
    *user = NULL;
    if (auth == NULL) return 0;
    if (auth->state != AUTH_VALID) {
        render_error(res, 401, "token", "is invalid");
        return -1;
    }
    *user = &auth->user;
    return 0;
}

const char *auth_issue_token(quill_req *req, int64_t id) {
    cJSON *claims = cJSON_CreateObject();
    if (claims == NULL) return NULL;
    char sub[24];
    snprintf(sub, sizeof sub, "%lld", (long long)id);
    int64_t now = quill_now_ms() / 1000;
    const char *tok = NULL;
    if (cJSON_AddStringToObject(claims, "sub", sub) &&
        cJSON_AddNumberToObject(claims, "iat", (double)now) &&
        cJSON_AddNumberToObject(claims, "exp", (double)(now + BLOG_TOKEN_TTL_S)))
        tok = quill_jwt_sign(quill_req_arena(req), claims, secret_key, secret_len);
    cJSON_Delete(claims);
    return tok;
}
