/*
 * example.c: a small quill app that shows the API and that the black-box tests drive
 * (tests/quill/test_server.c). Routes:
 *   GET  /plaintext, /json             TechEmpower-style overhead endpoints (the speed figures)
 *   GET  /users/<int:id>               typed parameter       GET /users/me   literal wins
 *   GET  /hello/<name>                 decoded string param  GET /files/<path:rest>
 *   GET  /args?q=..                    decoded query arg     GET /headers  echoes X-Test, cookie
 *   POST /echo                         the body back (text)  POST /json   the JSON body back
 *   GET  /page                         a template with auto-escaping and a loop
 *   GET  /slow?ms=N                    sleeps (graceful-shutdown test)
 *   /api blueprint: GET /api/private   401 without "Authorization: Token letmein"
 * Every response gets `Access-Control-Allow-Origin: *` (an after-hook); OPTIONS on any path is
 * 204 (a before-hook); 404, 405 and 413 answer JSON (error handlers).
 * Environment: HOST, PORT, WORKERS, and for tests QUILL_HEADER_TIMEOUT_MS, QUILL_IDLE_TIMEOUT_MS,
 * QUILL_MAX_BODY.
 */
#include "quill.h"
#include "quill_crypto.h"
#include "quill_json.h"
#include "quill_jwt.h"
#include "quill_db.h"
#include "quill_template.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static quill_tpl *page_tpl;

static void plaintext(quill_req *req, quill_res *res) {
    (void)req;
    static const char hello[] = "Hello, World!";
    quill_res_body_ref(res, 200, QUILL_CT_TEXT, hello, sizeof(hello) - 1);
}

static void json(quill_req *req, quill_res *res) {
    quill_jw w;
    quill_jw_init(&w, quill_req_arena(req));
    quill_jw_obj(&w);
    quill_jw_key(&w, "message");
    quill_jw_str(&w, "Hello, World!");
    quill_jw_end(&w);
    quill_jw_respond(&w, res, 200);
}

static void user_by_id(quill_req *req, quill_res *res) {
    int64_t id;
    if (quill_req_param_int(req, "id", &id) < 0) {
        quill_abort(req, res, 404);
        return;
    }
    quill_jw w;
    quill_jw_init(&w, quill_req_arena(req));
    quill_jw_obj(&w);
    quill_jw_key(&w, "id");
    quill_jw_int(&w, id);
    quill_jw_end(&w);
    quill_jw_respond(&w, res, 200);
}

static void user_me(quill_req *req, quill_res *res) {
    (void)req;
    quill_res_text(res, 200, "me");
}

static void hello_name(quill_req *req, quill_res *res) {
    quill_str name = quill_req_param(req, "name");
    char *s = quill_arena_printf(quill_req_arena(req), "Hello, %s!", name.ptr);
    quill_res_text(res, 200, s);
}

static void files(quill_req *req, quill_res *res) {
    quill_str rest = quill_req_param(req, "rest");
    quill_res_textn(res, 200, rest.ptr, rest.len);
}

static void args(quill_req *req, quill_res *res) {
    quill_str q = quill_req_arg(req, "q");
    if (!q.ptr) {
        quill_res_text(res, 200, "(absent)");
        return;
    }
    quill_res_textn(res, 200, q.ptr, q.len);
}

static void headers(quill_req *req, quill_res *res) {
    quill_str x = quill_req_header(req, "x-test"), c = quill_req_cookie(req, "session");
    char *s = quill_arena_printf(quill_req_arena(req), "x-test=%s session=%s", x.ptr ? x.ptr : "",
                                 c.ptr ? c.ptr : "");
    quill_res_text(res, 200, s);
}

static void echo(quill_req *req, quill_res *res) {
    quill_str b = quill_req_body(req);
    quill_res_textn(res, 200, b.ptr, b.len);
}

static void json_echo(quill_req *req, quill_res *res) {
    cJSON *j = quill_req_json(req);
    if (!j) {
        quill_res_json(res, 422, "{\"errors\":{\"body\":[\"is invalid\"]}}", 35);
        return;
    }
    quill_res_cjson(res, 200, j);
}

static void page(quill_req *req, quill_res *res) {
    cJSON *ctx = cJSON_Parse("{\"title\":\"Fortunes & <friends>\",\"items\":["
                             "{\"id\":1,\"text\":\"<script>alert(\\\"x\\\")</script>\"},"
                             "{\"id\":2,\"text\":\"フレームワークのベンチマーク\"},"
                             "{\"id\":3,\"text\":\"it's\"}]}");
    quill_tpl_respond(page_tpl, ctx, req, res, 200);
    cJSON_Delete(ctx);
}

static void slow(quill_req *req, quill_res *res) {
    quill_str ms = quill_req_arg(req, "ms");
    long n = ms.ptr ? strtol(ms.ptr, NULL, 10) : 100;
    if (n < 0 || n > 10000) n = 100;
    struct timespec ts = {n / 1000, (n % 1000) * 1000000L};
    nanosleep(&ts, NULL);
    quill_res_text(res, 200, "done");
}

/* GET /deferred?ms=N: sleeps N ms on quill's pool (quill_defer), the loop stays free meanwhile. */
struct nap {
    long ms;
};

static void nap_work(void *arg) {
    const struct nap *n = arg;
    struct timespec ts = {n->ms / 1000, (n->ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void nap_done(quill_req *req, quill_res *res, void *arg) {
    const struct nap *n = arg;
    quill_res_text(res, 200, quill_arena_printf(quill_req_arena(req), "slept %ld", n->ms));
}

static void deferred(quill_req *req, quill_res *res) {
    quill_str ms = quill_req_arg(req, "ms");
    struct nap *n = quill_arena_alloc(quill_req_arena(req), sizeof(*n));
    if (!n) {
        quill_abort(req, res, 500);
        return;
    }
    n->ms = ms.ptr ? strtol(ms.ptr, NULL, 10) : 100;
    if (n->ms < 0 || n->ms > 10000) n->ms = 100;
    quill_defer(req, res, nap_work, nap_done, n);
}

/* A before-request hook may not defer: quill answers 500 (GET /defer-in-hook). */
static int defer_in_hook(quill_req *req, quill_res *res) {
    if (!quill_str_eq(quill_req_path(req), "/defer-in-hook")) return 0;
    struct nap *n = quill_arena_calloc(quill_req_arena(req), 1, sizeof(*n));
    if (n) quill_defer(req, res, nap_work, nap_done, n);
    return 1;
}

static void private_area(quill_req *req, quill_res *res) {
    const char *user = quill_req_g_get(req, "user");
    quill_res_text(res, 200, user ? user : "?");
}

/* Blueprint hook: authentication that answers early. */
static int require_token(quill_req *req, quill_res *res) {
    quill_str auth = quill_req_header(req, "Authorization");
    if (!quill_str_eq(auth, "Token letmein")) {
        quill_res_json(res, 401, "{\"errors\":{\"token\":[\"is missing\"]}}", 35);
        return 1;
    }
    quill_req_g_set(req, "user", "alice");
    return 0;
}

static int options_any(quill_req *req, quill_res *res) {
    if (!quill_str_eq(quill_req_method(req), "OPTIONS")) return 0;
    quill_res_empty(res, 204);
    quill_res_add_header(res, "Access-Control-Allow-Methods", "GET, POST, PUT, DELETE, OPTIONS");
    quill_res_add_header(res, "Access-Control-Allow-Headers", "Content-Type, Authorization");
    return 1;
}

static void cors(quill_req *req, quill_res *res) {
    (void)req;
    quill_res_set_header(res, "Access-Control-Allow-Origin", "*");
}

static void json_error(quill_req *req, quill_res *res, int status) {
    (void)req;
    const char *body = status == 404   ? "{\"errors\":{\"route\":[\"not found\"]}}"
                       : status == 405 ? "{\"errors\":{\"method\":[\"not allowed\"]}}"
                       : status == 413 ? "{\"errors\":{\"body\":[\"is too large\"]}}"
                                       : "{\"errors\":{\"request\":[\"is invalid\"]}}";
    quill_res_body_ref(res, status, QUILL_CT_JSON, body, strlen(body));
}

static int env_ms(const char *name, int def) {
    const char *v = getenv(name);
    if (!v || !*v) return def;
    char *end;
    long n = strtol(v, &end, 10);
    return (*end || n <= 0 || n > 86400000) ? def : (int)n;
}

int main(void) {
    char err[256];
    page_tpl = quill_tpl_compile("<!DOCTYPE html><html><head><title>{{ title }}</title></head>"
                                 "<body><table>{% for f in items %}<tr><td>{{ f.id }}</td>"
                                 "<td>{{ f.text }}</td></tr>{% endfor %}</table></body></html>",
                                 err, sizeof(err));
    if (!page_tpl) {
        fprintf(stderr, "example: template: %s\n", err);
        return 2;
    }
    quill_app *app = quill_app_new();
    quill_before_request(app, options_any);
    quill_after_request(app, cors);
    quill_errorhandler(app, 0, json_error);
    quill_route(app, "GET", "/plaintext", plaintext);
    quill_route(app, "GET", "/json", json);
    quill_route(app, "GET", "/users/<int:id>", user_by_id);
    quill_route(app, "GET", "/users/me", user_me);
    quill_route(app, "GET", "/hello/<name>", hello_name);
    quill_route(app, "GET", "/files/<path:rest>", files);
    quill_route(app, "GET", "/args", args);
    quill_route(app, "GET", "/headers", headers);
    quill_route(app, "POST", "/echo", echo);
    quill_route(app, "PUT", "/echo", echo);
    quill_route(app, "POST", "/json", json_echo);
    quill_route(app, "GET", "/page", page);
    quill_route(app, "GET", "/slow", slow);
    quill_route(app, "GET", "/deferred", deferred);
    quill_before_request(app, defer_in_hook);
    quill_blueprint *api = quill_blueprint_new(app, "/api");
    quill_bp_before_request(api, require_token);
    quill_bp_route(api, "GET", "/private", private_area);

    quill_config cfg = quill_config_default();
    if (quill_config_from_env(&cfg) < 0) {
        quill_app_free(app);
        quill_tpl_free(page_tpl);
        return 2;
    }
    cfg.header_timeout_ms = env_ms("QUILL_HEADER_TIMEOUT_MS", cfg.header_timeout_ms);
    cfg.idle_timeout_ms = env_ms("QUILL_IDLE_TIMEOUT_MS", cfg.idle_timeout_ms);
    cfg.body_timeout_ms = env_ms("QUILL_BODY_TIMEOUT_MS", cfg.body_timeout_ms);
    cfg.max_body = (size_t)env_ms("QUILL_MAX_BODY", (int)cfg.max_body);
    int rc = quill_run(app, &cfg);
    quill_app_free(app);
    quill_tpl_free(page_tpl);
    return rc == 0 ? 0 : 1;
}
