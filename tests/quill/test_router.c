/* test_router.c: targets/quill/src/router.c and app.c — typed parameters, precedence, 404/405
 * with Allow, HEAD on GET routes, blueprints and their hooks, app hooks, error handlers. Requests
 * go through the real parser and dispatcher, in process (no sockets). */
#include "internal.h"

#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

static quill_arena *arena;
static qp_header hdrs[100];
static char raw[4096];
static quill_res res;
static quill_req req;
static char log_buf[512];

static void logf_(const char *s) {
    size_t n = strlen(log_buf);
    snprintf(log_buf + n, sizeof(log_buf) - n, "%s;", s);
}

/* Sends "METHOD target" through parse + dispatch; returns the status. */
static int run(quill_app *app, const char *method, const char *target, const char *extra) {
    quill_arena_reset(arena);
    log_buf[0] = '\0';
    int n = snprintf(raw, sizeof(raw), "%s %s HTTP/1.1\r\nHost: t\r\n%s\r\n", method, target,
                     extra ? extra : "");
    static qp_request p;
    memset(&p, 0, sizeof(p));
    p.headers = hdrs;
    p.num_headers_cap = 100;
    qp_limits lim = {8192, 32768, 100};
    int st;
    int r = quill__parse_request(raw, (size_t)n, 0, &lim, &p, &st);
    cr_assert_gt(r, 0, "test request did not parse: %s", raw);
    quill__req_init(&req, app, NULL, arena, &p);
    quill__res_init(&res, arena);
    quill__app_dispatch(app, &req, &res, 0);
    return res.status;
}

static const char *body(void) {
    static char b[1024];
    snprintf(b, sizeof(b), "%.*s", (int)res.body_len, res.body ? res.body : "");
    return b;
}

static void h_text(quill_req *q, quill_res *s) {
    /* answers "<pattern>|param=value,..." */
    char out[512];
    size_t o = (size_t)snprintf(out, sizeof(out), "%s|", q->matched->pattern);
    for (size_t i = 0; i < q->nparams; i++)
        o += (size_t)snprintf(out + o, sizeof(out) - o, "%s=%s%s", q->params[i].name,
                              q->params[i].value.ptr, q->params[i].is_int ? "(int)" : "");
    quill_res_textn(s, 200, out, o);
}

static quill_app *app;

static void setup(void) {
    arena = quill_arena_new(4096);
    app = quill_app_new();
}
static void teardown(void) {
    quill_app_free(app);
    quill_arena_free(arena);
}

TestSuite(router, .init = setup, .fini = teardown);

Test(router, typed_parameters) {
    quill_route(app, "GET", "/users/<int:id>", h_text);
    quill_route(app, "GET", "/tags/<tag>", h_text);
    quill_route(app, "GET", "/s/<string:name>/x", h_text);
    quill_route(app, "GET", "/files/<path:rest>", h_text);
    cr_assert_eq(run(app, "GET", "/users/42", NULL), 200);
    cr_assert_str_eq(body(), "/users/<int:id>|id=42(int)");
    int64_t id = 0;
    cr_assert_eq(quill_req_param_int(&req, "id", &id), 0);
    cr_assert_eq(id, 42);
    cr_assert_eq(run(app, "GET", "/users/4x", NULL), 404, "int rejects non-digits");
    cr_assert_eq(run(app, "GET", "/users/-1", NULL), 404);
    cr_assert_eq(run(app, "GET", "/users/1234567890123456789", NULL), 404, "19 digits overflow");
    cr_assert_eq(run(app, "GET", "/tags/caf%C3%A9%20au%2Flait", NULL), 200);
    cr_assert_str_eq(body(), "/tags/<tag>|tag=café au/lait",
                     "percent-decoded, %%2F stays in the value");
    cr_assert_str_eq(quill_req_param_raw(&req, "tag").ptr, "caf%C3%A9%20au%2Flait");
    cr_assert_eq(run(app, "GET", "/tags/", NULL), 404, "a string param is not empty");
    cr_assert_eq(run(app, "GET", "/tags/a/b", NULL), 404, "a string param has no '/'");
    cr_assert_eq(run(app, "GET", "/s/bob/x", NULL), 200);
    cr_assert_str_eq(body(), "/s/<string:name>/x|name=bob");
    cr_assert_eq(run(app, "GET", "/files/a/b/c.txt", NULL), 200);
    cr_assert_str_eq(body(), "/files/<path:rest>|rest=a/b/c.txt");
    cr_assert_eq(run(app, "GET", "/files/", NULL), 404);
    cr_assert_eq(run(app, "GET", "/tags/x?y=1", NULL), 200, "the query is not part of the path");
}

Test(router, precedence_literal_int_string_path) {
    quill_route(app, "GET", "/a/<path:p>", h_text);
    quill_route(app, "GET", "/a/<s>", h_text);
    quill_route(app, "GET", "/a/<int:i>", h_text);
    quill_route(app, "GET", "/a/new", h_text);
    run(app, "GET", "/a/new", NULL);
    cr_assert_str_eq(body(), "/a/new|");
    run(app, "GET", "/a/7", NULL);
    cr_assert_str_eq(body(), "/a/<int:i>|i=7(int)");
    run(app, "GET", "/a/x", NULL);
    cr_assert_str_eq(body(), "/a/<s>|s=x");
    run(app, "GET", "/a/x/y", NULL);
    cr_assert_str_eq(body(), "/a/<path:p>|p=x/y");
}

Test(router, first_registered_wins_among_equals) {
    quill_route(app, "GET", "/x/<a>", h_text);
    quill_route(app, "GET", "/x/<b>", h_text);
    run(app, "GET", "/x/1", NULL);
    cr_assert_str_eq(body(), "/x/<a>|a=1");
}

Test(router, trailing_slash_and_root) {
    quill_route(app, "GET", "/", h_text);
    quill_route(app, "GET", "/api/tags", h_text);
    cr_assert_eq(run(app, "GET", "/", NULL), 200);
    cr_assert_eq(run(app, "GET", "/api/tags", NULL), 200);
    cr_assert_eq(run(app, "GET", "/api/tags/", NULL), 404);
    cr_assert_eq(run(app, "GET", "/api", NULL), 404);
    cr_assert_eq(run(app, "GET", "//api/tags", NULL), 404);
}

Test(router, not_found_and_method_not_allowed) {
    quill_route(app, "GET", "/items/<int:id>", h_text);
    quill_route(app, "PUT", "/items/<int:id>", h_text);
    quill_route(app, "DELETE", "/items/<id>", h_text);
    cr_assert_eq(run(app, "GET", "/nope", NULL), 404);
    cr_assert_str_eq(body(), "Not Found");
    cr_assert_eq(run(app, "POST", "/items/3", NULL), 405);
    quill_str allow = quill_res_get_header(&res, "Allow");
    cr_assert_str_eq(allow.ptr, "GET, PUT, DELETE, HEAD");
    cr_assert_eq(run(app, "POST", "/items/x", NULL), 405);
    cr_assert_str_eq(quill_res_get_header(&res, "Allow").ptr, "DELETE");
}

Test(router, head_uses_get_route) {
    quill_route(app, "GET", "/page", h_text);
    cr_assert_eq(run(app, "HEAD", "/page", NULL), 200);
    cr_assert(req.head);
    cr_assert_str_eq(body(), "/page|", "the body is computed (its length is sent), dropped later");
}

static void err_json(quill_req *q, quill_res *s, int status) {
    (void)q;
    char b[64];
    int n = snprintf(b, sizeof(b), "{\"status\":%d}", status);
    quill_res_json(s, status, b, (size_t)n);
}

static void h_abort(quill_req *q, quill_res *s) {
    quill_res_add_header(s, "X-Lost", "1"); /* abort starts a fresh response */
    quill_abort(q, s, 409);
}

Test(router, error_handlers_per_status_and_fallback) {
    quill_route(app, "GET", "/conflict", h_abort);
    quill_route(app, "POST", "/only-post", h_text);
    quill_errorhandler(app, 404, err_json);
    cr_assert_eq(run(app, "GET", "/missing", NULL), 404);
    cr_assert_str_eq(body(), "{\"status\":404}");
    cr_assert_str_eq(res.content_type, QUILL_CT_JSON);
    cr_assert_eq(run(app, "GET", "/conflict", NULL), 409);
    cr_assert_str_eq(body(), "Conflict", "no handler for 409: default text");
    cr_assert_null(quill_res_get_header(&res, "X-Lost").ptr);
    quill_errorhandler(app, 0, err_json);
    cr_assert_eq(run(app, "GET", "/conflict", NULL), 409);
    cr_assert_str_eq(body(), "{\"status\":409}");
    cr_assert_eq(run(app, "GET", "/only-post", NULL), 405);
    cr_assert_str_eq(body(), "{\"status\":405}");
    cr_assert_str_eq(quill_res_get_header(&res, "Allow").ptr, "POST",
                     "Allow added after the handler");
}

Test(router, parser_errors_go_through_error_handlers_and_after_hooks) {
    quill_errorhandler(app, 413, err_json);
    quill_arena_reset(arena);
    quill__req_init(&req, app, NULL, arena, NULL);
    quill__res_init(&res, arena);
    quill__app_dispatch(app, &req, &res, 413);
    cr_assert_eq(res.status, 413);
    cr_assert_str_eq(body(), "{\"status\":413}");
    cr_assert_null(quill_req_method(&req).ptr, "no method known for a parser error");
}

/* ---- hooks and blueprints ---------------------------------------------------------------- */

static int before_app(quill_req *q, quill_res *s) {
    logf_("before_app");
    if (quill_str_eq(quill_req_method(q), "OPTIONS")) {
        quill_res_empty(s, 204);
        return 1;
    }
    return 0;
}
static void after_app(quill_req *q, quill_res *s) {
    (void)q;
    logf_("after_app");
    quill_res_set_header(s, "Access-Control-Allow-Origin", "*");
}
static int before_bp(quill_req *q, quill_res *s) {
    logf_("before_bp");
    if (!quill_req_header(q, "Authorization").ptr) {
        quill_res_text(s, 401, "no token");
        return 1;
    }
    quill_req_g_set(q, "user", "alice");
    return 0;
}
static void after_bp(quill_req *q, quill_res *s) {
    (void)q;
    logf_("after_bp");
    quill_res_add_header(s, "X-Bp", "1");
}
static void h_user(quill_req *q, quill_res *s) {
    logf_("handler");
    quill_res_text(s, 200, quill_req_g_get(q, "user"));
}

Test(router, hooks_order_blueprints_and_early_answers) {
    quill_before_request(app, before_app);
    quill_after_request(app, after_app);
    quill_blueprint *bp = quill_blueprint_new(app, "/api");
    quill_bp_before_request(bp, before_bp);
    quill_bp_after_request(bp, after_bp);
    quill_bp_route(bp, "GET", "/user", h_user);
    quill_bp_route(bp, "GET", "/", h_text);
    quill_route(app, "GET", "/open", h_text);

    cr_assert_eq(run(app, "GET", "/api/user", "Authorization: Token x\r\n"), 200);
    cr_assert_str_eq(body(), "alice");
    cr_assert_str_eq(log_buf, "before_app;before_bp;handler;after_bp;after_app;");
    cr_assert_str_eq(quill_res_get_header(&res, "X-Bp").ptr, "1");
    cr_assert_str_eq(quill_res_get_header(&res, "Access-Control-Allow-Origin").ptr, "*");

    cr_assert_eq(run(app, "GET", "/api/user", NULL), 401, "blueprint hook answers early");
    cr_assert_str_eq(log_buf, "before_app;before_bp;after_bp;after_app;");

    cr_assert_eq(run(app, "GET", "/open", NULL), 200);
    cr_assert_str_eq(log_buf, "before_app;after_app;", "blueprint hooks only for its routes");
    cr_assert_null(quill_res_get_header(&res, "X-Bp").ptr);

    cr_assert_eq(run(app, "OPTIONS", "/whatever/path", NULL), 204, "app hook runs before routing");
    cr_assert_str_eq(quill_res_get_header(&res, "Access-Control-Allow-Origin").ptr, "*");

    cr_assert_eq(run(app, "GET", "/nope", NULL), 404);
    cr_assert_str_eq(quill_res_get_header(&res, "Access-Control-Allow-Origin").ptr, "*",
                     "after hooks run on errors too");
    cr_assert_eq(run(app, "GET", "/api", "Authorization: x\r\n"), 200,
                 "prefix + \"/\" is the prefix");
}

static void h_nothing(quill_req *q, quill_res *s) {
    (void)q;
    (void)s;
}

Test(router, handler_that_sets_nothing_is_204) {
    quill_route(app, "DELETE", "/x", h_nothing);
    cr_assert_eq(run(app, "DELETE", "/x", NULL), 204);
}

Test(router, bad_patterns_abort, .signal = SIGABRT) {
    quill_route(app, "GET", "/a/<path:p>/b", h_text);
}

Test(router, unknown_type_aborts, .signal = SIGABRT) {
    quill_route(app, "GET", "/a/<float:x>", h_text);
}

/* Runs of routes sharing a literal first segment are skipped at once on a mismatch; the skip must
 * never change which route answers: same first segment in separate runs, parameters first,
 * percent-encoded first segments, and the 405 Allow list across runs. */
Test(router, runs_of_a_first_segment_skip_without_changing_matches) {
    quill_route(app, "GET", "/a/x", h_text);
    quill_route(app, "GET", "/a/y", h_text);
    quill_route(app, "GET", "/b/z", h_text);
    quill_route(app, "POST", "/a/x", h_text);
    quill_route(app, "GET", "/<p>/z", h_text);
    quill_route(app, "GET", "/a/<id>", h_text);
    quill_route(app, "GET", "/c", h_text);
    quill_blueprint *bp = quill_blueprint_new(app, "/api");
    quill_bp_route(bp, "GET", "/t", h_text);
    quill_bp_route(bp, "PUT", "/t", h_text);
    quill_route(app, "GET", "/api/t/<int:n>", h_text);
    cr_assert_eq(run(app, "GET", "/a/y", NULL), 200);
    cr_assert_str_eq(body(), "/a/y|");
    cr_assert_eq(run(app, "GET", "/a/q", NULL), 200, "second run of 'a'");
    cr_assert_str_eq(body(), "/a/<id>|id=q");
    cr_assert_eq(run(app, "GET", "/b/z", NULL), 200);
    cr_assert_str_eq(body(), "/b/z|", "literal beats the parameter route");
    cr_assert_eq(run(app, "GET", "/q/z", NULL), 200);
    cr_assert_str_eq(body(), "/<p>/z|p=q");
    cr_assert_eq(run(app, "GET", "/%61/y", NULL), 200, "encoded first segment: no skipping");
    cr_assert_str_eq(body(), "/a/y|");
    cr_assert_eq(run(app, "GET", "/c", NULL), 200);
    cr_assert_eq(run(app, "GET", "/api/t/7", NULL), 200);
    cr_assert_str_eq(body(), "/api/t/<int:n>|n=7(int)");
    cr_assert_eq(run(app, "DELETE", "/a/x", NULL), 405);
    cr_assert_str_eq(quill_res_get_header(&res, "Allow").ptr, "GET, POST, HEAD");
    cr_assert_eq(run(app, "GET", "/d/z", NULL), 200);
    cr_assert_str_eq(body(), "/<p>/z|p=d");
    cr_assert_eq(run(app, "GET", "/d/y", NULL), 404);
}
