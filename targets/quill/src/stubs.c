/* stubs.c: placeholders for the first commit (API only); replaced module by module. */
#include "internal.h"

quill_config quill_config_default(void) {
    
    quill_config c = {0}; return c;
}

int quill_config_from_env(quill_config *cfg) {
    (void)cfg;
    return -1;
}

quill_app *quill_app_new(void) {
    
    return NULL;
}

void quill_app_free(quill_app *app) {
    (void)app;
    
}

void quill_app_set_data(quill_app *app, void *data) {
    (void)app; (void)data;
    
}

void *quill_app_data(const quill_app *app) {
    (void)app;
    return NULL;
}

void quill_on_worker_start(quill_app *app, quill_worker_start_hook fn) {
    (void)app; (void)fn;
    
}

void quill_on_worker_stop(quill_app *app, quill_worker_stop_hook fn) {
    (void)app; (void)fn;
    
}

int quill_run(quill_app *app, const quill_config *cfg) {
    (void)app; (void)cfg;
    return -1;
}

void quill_stop(quill_app *app) {
    (void)app;
    
}

int quill_app_port(const quill_app *app) {
    (void)app;
    return -1;
}

int quill_worker_id(const quill_worker *w) {
    (void)w;
    return -1;
}

void quill_worker_set_data(quill_worker *w, void *data) {
    (void)w; (void)data;
    
}

void *quill_worker_data(const quill_worker *w) {
    (void)w;
    return NULL;
}

void quill_route(quill_app *app, const char *method, const char *pattern, quill_handler handler) {
    (void)app; (void)method; (void)pattern; (void)handler;
    
}

void quill_before_request(quill_app *app, quill_before_hook fn) {
    (void)app; (void)fn;
    
}

void quill_after_request(quill_app *app, quill_after_hook fn) {
    (void)app; (void)fn;
    
}

void quill_errorhandler(quill_app *app, int status, quill_error_handler fn) {
    (void)app; (void)status; (void)fn;
    
}

quill_blueprint *quill_blueprint_new(quill_app *app, const char *prefix) {
    (void)app; (void)prefix;
    return NULL;
}

void quill_bp_route(quill_blueprint *bp, const char *method, const char *pattern, quill_handler handler) {
    (void)bp; (void)method; (void)pattern; (void)handler;
    
}

void quill_bp_before_request(quill_blueprint *bp, quill_before_hook fn) {
    (void)bp; (void)fn;
    
}

void quill_bp_after_request(quill_blueprint *bp, quill_after_hook fn) {
    (void)bp; (void)fn;
    
}

quill_app *quill_req_app(const quill_req *req) {
    (void)req;
    return NULL;
}

quill_worker *quill_req_worker(const quill_req *req) {
    (void)req;
    return NULL;
}

quill_arena *quill_req_arena(const quill_req *req) {
    (void)req;
    return NULL;
}

quill_str quill_method(const quill_req *req) {
    (void)req;
    quill_str s = {0}; return s;
}

quill_str quill_path(const quill_req *req) {
    (void)req;
    quill_str s = {0}; return s;
}

quill_str quill_query(const quill_req *req) {
    (void)req;
    quill_str s = {0}; return s;
}

quill_str quill_target(const quill_req *req) {
    (void)req;
    quill_str s = {0}; return s;
}

int quill_http_minor(const quill_req *req) {
    (void)req;
    return -1;
}

bool quill_is_head(const quill_req *req) {
    (void)req;
    return false;
}

quill_str quill_param(const quill_req *req, const char *name) {
    (void)req; (void)name;
    quill_str s = {0}; return s;
}

int quill_param_int(const quill_req *req, const char *name, int64_t *out) {
    (void)req; (void)name; (void)out;
    return -1;
}

quill_str quill_arg(const quill_req *req, const char *name) {
    (void)req; (void)name;
    quill_str s = {0}; return s;
}

quill_str quill_header(const quill_req *req, const char *name) {
    (void)req; (void)name;
    quill_str s = {0}; return s;
}

size_t quill_header_count(const quill_req *req) {
    (void)req;
    return 0;
}

int quill_header_at(const quill_req *req, size_t i, quill_str *name, quill_str *value) {
    (void)req; (void)i; (void)name; (void)value;
    return -1;
}

quill_str quill_cookie(const quill_req *req, const char *name) {
    (void)req; (void)name;
    quill_str s = {0}; return s;
}

quill_str quill_body(const quill_req *req) {
    (void)req;
    quill_str s = {0}; return s;
}

cJSON *quill_json_body(quill_req *req) {
    (void)req;
    return NULL;
}

int quill_g_set(quill_req *req, const char *key, void *value) {
    (void)req; (void)key; (void)value;
    return -1;
}

void *quill_g_get(const quill_req *req, const char *key) {
    (void)req; (void)key;
    return NULL;
}

void quill_status(quill_res *res, int status) {
    (void)res; (void)status;
    
}

int quill_res_status(const quill_res *res) {
    (void)res;
    return -1;
}

int quill_add_header(quill_res *res, const char *name, const char *value) {
    (void)res; (void)name; (void)value;
    return -1;
}

int quill_set_header(quill_res *res, const char *name, const char *value) {
    (void)res; (void)name; (void)value;
    return -1;
}

quill_str quill_res_header(const quill_res *res, const char *name) {
    (void)res; (void)name;
    quill_str s = {0}; return s;
}

int quill_body_set(quill_res *res, int status, const char *content_type, const void *body, size_t len) {
    (void)res; (void)status; (void)content_type; (void)body; (void)len;
    return -1;
}

int quill_body_ref(quill_res *res, int status, const char *content_type, const void *body, size_t len) {
    (void)res; (void)status; (void)content_type; (void)body; (void)len;
    return -1;
}

int quill_text(quill_res *res, int status, const char *text) {
    (void)res; (void)status; (void)text;
    return -1;
}

int quill_textn(quill_res *res, int status, const char *text, size_t len) {
    (void)res; (void)status; (void)text; (void)len;
    return -1;
}

int quill_html(quill_res *res, int status, const char *html, size_t len) {
    (void)res; (void)status; (void)html; (void)len;
    return -1;
}

int quill_json_raw(quill_res *res, int status, const char *json, size_t len) {
    (void)res; (void)status; (void)json; (void)len;
    return -1;
}

int quill_json_cjson(quill_res *res, int status, const cJSON *item) {
    (void)res; (void)status; (void)item;
    return -1;
}

int quill_empty(quill_res *res, int status) {
    (void)res; (void)status;
    return -1;
}

void quill_abort(quill_req *req, quill_res *res, int status) {
    (void)req; (void)res; (void)status;
    
}

const char *quill_reason(int status) {
    (void)status;
    return NULL;
}

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

quill_str quill_url_decode(quill_arena *a, const char *src, size_t len, bool plus_as_space) {
    (void)a; (void)src; (void)len; (void)plus_as_space;
    quill_str s = {0}; return s;
}

quill_str quill_http_date(void) {
    
    quill_str s = {0}; return s;
}

int64_t quill_now_ms(void) {
    
    return -1;
}

bool quill_str_eq(quill_str s, const char *lit) {
    (void)s; (void)lit;
    return false;
}

bool quill_str_ieq(quill_str s, const char *lit) {
    (void)s; (void)lit;
    return false;
}
