/* stubs.c: placeholders for functions not implemented yet (removed module by module). */
#include "internal.h"

void quill_jw_init(quill_jw *w, quill_arena *a) {
    (void)w; (void)a;
    
}

void quill_jw_obj(quill_jw *w) {
    (void)w;
    
}

void quill_jw_arr(quill_jw *w) {
    (void)w;
    
}

void quill_jw_end(quill_jw *w) {
    (void)w;
    
}

void quill_jw_key(quill_jw *w, const char *key) {
    (void)w; (void)key;
    
}

void quill_jw_keyn(quill_jw *w, const char *key, size_t len) {
    (void)w; (void)key; (void)len;
    
}

void quill_jw_str(quill_jw *w, const char *s) {
    (void)w; (void)s;
    
}

void quill_jw_strn(quill_jw *w, const char *s, size_t len) {
    (void)w; (void)s; (void)len;
    
}

void quill_jw_int(quill_jw *w, int64_t v) {
    (void)w; (void)v;
    
}

void quill_jw_double(quill_jw *w, double v) {
    (void)w; (void)v;
    
}

void quill_jw_bool(quill_jw *w, bool v) {
    (void)w; (void)v;
    
}

void quill_jw_null(quill_jw *w) {
    (void)w;
    
}

void quill_jw_raw(quill_jw *w, const char *json, size_t len) {
    (void)w; (void)json; (void)len;
    
}

void quill_jw_cjson(quill_jw *w, const cJSON *item) {
    (void)w; (void)item;
    
}

const char *quill_jw_finish(quill_jw *w, size_t *len) {
    (void)w; (void)len;
    return NULL;
}

int quill_jw_respond(quill_jw *w, quill_res *res, int status) {
    (void)w; (void)res; (void)status;
    return -1;
}

int quill_json_escape(quill_buf *b, const char *s, size_t len) {
    (void)b; (void)s; (void)len;
    return -1;
}

quill_tpl *quill_tpl_compile(const char *src, char *err, size_t errlen) {
    (void)src; (void)err; (void)errlen;
    return NULL;
}

quill_tpl *quill_tpl_load(const char *path, char *err, size_t errlen) {
    (void)path; (void)err; (void)errlen;
    return NULL;
}

void quill_tpl_free(quill_tpl *t) {
    (void)t;
    
}

int quill_tpl_render(const quill_tpl *t, const cJSON *ctx, quill_buf *out) {
    (void)t; (void)ctx; (void)out;
    return -1;
}

int quill_tpl_respond(const quill_tpl *t, const cJSON *ctx, quill_req *req, quill_res *res, int status) {
    (void)t; (void)ctx; (void)req; (void)res; (void)status;
    return -1;
}

char *quill_jwt_sign(quill_arena *a, const cJSON *claims, const char *secret, size_t secret_len) {
    (void)a; (void)claims; (void)secret; (void)secret_len;
    return NULL;
}

quill_jwt_err quill_jwt_verify(quill_arena *a, const char *token, size_t token_len, const char *secret, size_t secret_len, int64_t now, cJSON **claims) {
    (void)a; (void)token; (void)token_len; (void)secret; (void)secret_len; (void)now; (void)claims;
    return QUILL_JWT_ERROR;
}

const char *quill_jwt_strerror(quill_jwt_err e) {
    (void)e;
    return NULL;
}

int quill_bcrypt_hash(const char *password, int cost, char out[QUILL_BCRYPT_HASH_LEN]) {
    (void)password; (void)cost; (void)out;
    return -1;
}

bool quill_bcrypt_check(const char *password, const char *hash) {
    (void)password; (void)hash;
    return false;
}

int quill_random_bytes(void *out, size_t n) {
    (void)out; (void)n;
    return -1;
}

int quill_random_hex(char *out, size_t nhex) {
    (void)out; (void)nhex;
    return -1;
}

quill_db *quill_db_open(const char *path, int busy_timeout_ms) {
    (void)path; (void)busy_timeout_ms;
    return NULL;
}

void quill_db_close(quill_db *db) {
    (void)db;
    
}

sqlite3 *quill_db_handle(quill_db *db) {
    (void)db;
    return NULL;
}

int quill_db_exec(quill_db *db, const char *sql) {
    (void)db; (void)sql;
    return -1;
}

sqlite3_stmt *quill_db_prepare(quill_db *db, const char *sql) {
    (void)db; (void)sql;
    return NULL;
}

void quill_db_done(sqlite3_stmt *st) {
    (void)st;
    
}

int quill_db_begin(quill_db *db) {
    (void)db;
    return -1;
}

int quill_db_commit(quill_db *db) {
    (void)db;
    return -1;
}

int quill_db_rollback(quill_db *db) {
    (void)db;
    return -1;
}

quill_str quill_db_text(sqlite3_stmt *st, int col) {
    (void)st; (void)col;
    quill_str s = {0}; return s;
}
