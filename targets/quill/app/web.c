/* web: what the web pages share (contract section 7): sessions and their revocation, the signed-in
 * user, the layout, HTML error pages, and the sign-in / access rules.
 *
 * Sessions are quill's signed cookies (quill_web.h), keyed from SECRET_KEY. A signed cookie
 * cannot be revoked by itself, so a sign-in is also a row of `web_sessions` (a random id kept in
 * the session as "sid"): quill calls web_session_check() once per request that reads the session,
 * which loads the row and its user in one statement; a missing row (logout) signs the cookie out.
 * That is the remedy Flask's community gives for client-side sessions (a server-side session id or
 * a per-user "generation" checked by the user loader).
 *
 * Pages are three renders into one buffer: layout_head (document head, nav, flashes), the page,
 * layout_foot. quill's engine has no {% extends %}; this keeps one layout without copying the
 * page into a context string. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "web.h"

extern const char blog_tpl_layout_head[], blog_tpl_layout_foot[], blog_tpl_index[],
    blog_tpl_login[], blog_tpl_register[], blog_tpl_editor[], blog_tpl_article[], blog_tpl_error[];

static quill_tpl *tpls[WEB_TPL_COUNT];
static quill_tpl *layout_head, *layout_foot;

#define SID_HEX 32 /* session ids: 128 random bits */

static quill_tpl *compile(const char *name, const char *src) {
    char err[256] = "";
    quill_tpl *t = quill_tpl_compile(src, err, sizeof err);
    if (t == NULL) { /* the templates are part of the binary: a syntax error is a build defect */
        fprintf(stderr, "quill-blog: templates/%s.html: %s\n", name, err);
        abort();
    }
    return t;
}

/* The revocation check quill runs once per request that reads the session (see above). */
static bool web_session_check(quill_req *req) {
    quill_str sid = quill_session_get(req, "sid");
    if (sid.ptr == NULL) return true; /* signed out: nothing to revoke (CSRF token, flashes) */
    quill_stmt *st = db_stmt(ST_WEB_SESSION_USER);
    if (st == NULL) return false;
    quill_stmt_bind_text(st, 1, sid.ptr, sid.len);
    bool live = quill_stmt_step(st) == QUILL_DB_ROW;
    if (live) {
        struct web_user *u = quill_arena_calloc(quill_req_arena(req), 1, sizeof *u);
        const char *name = quill_stmt_text(st, 1).ptr;
        if (u) {
            u->id = quill_stmt_int64(st, 0);
            u->username = quill_arena_strdup(quill_req_arena(req), name ? name : "");
            quill_req_g_set(req, "web_user", u);
        }
    }
    quill_stmt_reset(st);
    return live;
}

/* Marks the request as a web page's, so that the app's error handlers answer HTML. Installed
 * before quill_csrf_protect's hook, so that a CSRF failure is an HTML 403 too (and before the
 * session's revocation check queries the database). */
static int web_mark(quill_req *req, quill_res *res) {
    (void)res;
    static int marker;
    quill_req_g_set(req, "web", &marker);
    db_release(); /* safety net, as the API's auth hook: nothing from a previous request open */
    return 0;
}

void web_blueprints(quill_app *app, const char *secret) {
    quill_session_config sc = quill_session_config_default();
    sc.secret = secret;
    sc.cookie_name = WEB_SESSION_COOKIE;
    sc.salt = "quill-blog.web-session";
    sc.check = web_session_check;
    quill_session_init(app, &sc);
    layout_head = compile("layout_head", blog_tpl_layout_head);
    layout_foot = compile("layout_foot", blog_tpl_layout_foot);
    tpls[WEB_TPL_INDEX] = compile("index", blog_tpl_index);
    tpls[WEB_TPL_LOGIN] = compile("login", blog_tpl_login);
    tpls[WEB_TPL_REGISTER] = compile("register", blog_tpl_register);
    tpls[WEB_TPL_EDITOR] = compile("editor", blog_tpl_editor);
    tpls[WEB_TPL_ARTICLE] = compile("article", blog_tpl_article);
    tpls[WEB_TPL_ERROR] = compile("error", blog_tpl_error);
    quill_blueprint *bp = quill_blueprint_new(app, "");
    quill_bp_before_request(bp, web_mark);
    quill_csrf_protect(bp);
    web_auth_blueprint(bp);
    web_articles_blueprint(bp);
}

void web_shutdown(void) {
    quill_tpl_free(layout_head);
    quill_tpl_free(layout_foot);
    layout_head = layout_foot = NULL;
    for (int i = 0; i < WEB_TPL_COUNT; i++) {
        quill_tpl_free(tpls[i]);
        tpls[i] = NULL;
    }
}

const struct web_user *web_user(quill_req *req) {
    if (!quill_session_present(req)) return NULL;
    return quill_req_g_get(req, "web_user");
}

static void json_free(void *p) {
    cJSON_Delete(p);
}

cJSON *web_context(quill_req *req) {
    cJSON *ctx = cJSON_CreateObject();
    if (ctx == NULL || quill_arena_defer(quill_req_arena(req), json_free, ctx) != 0) {
        cJSON_Delete(ctx);
        return NULL;
    }
    return ctx;
}

void web_render(quill_req *req, quill_res *res, int status, enum web_tpl page, cJSON *ctx) {
    if (ctx == NULL) {
        quill_abort(req, res, 500);
        return;
    }
    const struct web_user *me = web_user(req);
    /* A token only for pages with a form (signed in: the nav's logout form), so that an anonymous
     * reader's pages set no cookie. */
    bool forms = me || page == WEB_TPL_LOGIN || page == WEB_TPL_REGISTER || page == WEB_TPL_EDITOR;
    const char *csrf = forms ? quill_csrf_token(req) : "";
    cJSON *flashes = quill_flashes(req);
    if (csrf == NULL || flashes == NULL ||
        (me && !cJSON_AddStringToObject(ctx, "user", me->username)) ||
        !cJSON_AddStringToObject(ctx, "csrf_field", QUILL_CSRF_FIELD) ||
        !cJSON_AddStringToObject(ctx, "csrf", csrf)) {
        quill_abort(req, res, 500);
        return;
    }
    cJSON_AddItemReferenceToObject(ctx, "flashes", flashes);
    quill_buf out;
    quill_buf_init(&out, quill_req_arena(req));
    if (quill_tpl_render(layout_head, ctx, &out) != 0 ||
        quill_tpl_render(tpls[page], ctx, &out) != 0 ||
        quill_tpl_render(layout_foot, ctx, &out) != 0 || out.failed) {
        quill_abort(req, res, 500);
        return;
    }
    quill_res_body_ref(res, status, QUILL_CT_HTML, out.ptr, out.len);
}

void web_home(quill_req *req, quill_res *res, cJSON *ctx) {
    /* Without a cookie there is no session, user or flash to show: the overhead benchmark's page
     * renders without touching the session machinery at all. */
    if (quill_req_header(req, "Cookie").ptr) {
        web_render(req, res, 200, WEB_TPL_INDEX, ctx);
        return;
    }
    if (!cJSON_AddStringToObject(ctx, "csrf_field", QUILL_CSRF_FIELD)) {
        quill_abort(req, res, 500);
        return;
    }
    quill_buf out;
    quill_buf_init(&out, quill_req_arena(req));
    if (quill_tpl_render(layout_head, ctx, &out) != 0 ||
        quill_tpl_render(tpls[WEB_TPL_INDEX], ctx, &out) != 0 ||
        quill_tpl_render(layout_foot, ctx, &out) != 0 || out.failed) {
        quill_abort(req, res, 500);
        return;
    }
    quill_res_body_ref(res, 200, QUILL_CT_HTML, out.ptr, out.len);
}

bool web_is_page(const quill_req *req) {
    return quill_req_g_get(req, "web") != NULL;
}

void web_error_page(quill_req *req, quill_res *res, int status) {
    cJSON *ctx = web_context(req);
    const char *heading = quill_reason(status);
    const char *message = status == 403   ? "You are not allowed to do that."
                          : status == 404 ? "There is nothing here."
                                          : "The request could not be handled.";
    if (ctx == NULL || !cJSON_AddStringToObject(ctx, "heading", heading) ||
        !cJSON_AddStringToObject(ctx, "message", message)) {
        quill_res_text(res, status, heading);
        return;
    }
    web_render(req, res, status, WEB_TPL_ERROR, ctx);
    if (quill_res_get_status(res) != status) quill_res_text(res, status, heading);
}

int web_sign_in(quill_req *req, int64_t user_id) {
    quill_str old = quill_session_get(req, "sid");
    if (old.ptr) { /* a new sign-in replaces the previous one (no session fixation) */
        quill_stmt *del = db_stmt(ST_WEB_SESSION_DELETE);
        if (del == NULL) return -1;
        quill_stmt_bind_text(del, 1, old.ptr, old.len);
        db_exec(del);
    }
    char sid[SID_HEX + 1];
    quill_stmt *st = db_stmt(ST_WEB_SESSION_INSERT);
    if (st == NULL || quill_random_hex(sid, SID_HEX) != 0) return -1;
    db_bind_text(st, 1, sid);
    db_bind_int(st, 2, user_id);
    db_bind_int(st, 3, clock_now_ms());
    if (db_exec(st) != QUILL_DB_DONE) return -1;
    return quill_session_set(req, "sid", sid);
}

int web_sign_out(quill_req *req) {
    quill_str sid = quill_session_get(req, "sid");
    if (sid.ptr) {
        quill_stmt *st = db_stmt(ST_WEB_SESSION_DELETE);
        if (st == NULL) return -1;
        quill_stmt_bind_text(st, 1, sid.ptr, sid.len);
        if (db_exec(st) != QUILL_DB_DONE) return -1;
    }
    return quill_session_clear(req);
}

const struct web_user *web_login_required(quill_req *req, quill_res *res) {
    const struct web_user *me = web_user(req);
    if (me) return me;
    if (quill_str_eq(quill_req_method(req), "GET") || quill_req_is_head(req)) {
        quill_str raw = quill_req_path(req); /* percent-encoded: decoded, then quoted once */
        quill_str path = quill_url_decode(quill_req_arena(req), raw.ptr, raw.len, false);
        char *next = path.ptr ? quill_url_quote(quill_req_arena(req), path.ptr, path.len) : NULL;
        char *loc = next ? quill_arena_printf(quill_req_arena(req), "/login?next=%s", next) : NULL;
        quill_redirect(res, 303, loc ? loc : "/login");
    } else {
        quill_redirect(res, 303, "/login");
    }
    return NULL;
}
