/* web: what the web pages (contract section 7) share; see web.c. */
#ifndef BLOG_WEB_H
#define BLOG_WEB_H

#include "blog.h"

/* The session cookie's name (target.json declares it to the suites as vars.session_cookie). */
#define WEB_SESSION_COOKIE "quill_session"

enum web_tpl {
    WEB_TPL_INDEX,
    WEB_TPL_LOGIN,
    WEB_TPL_REGISTER,
    WEB_TPL_EDITOR,
    WEB_TPL_ARTICLE,
    WEB_TPL_ERROR,
    WEB_TPL_COUNT
};

/* The signed-in user of a page (arena). */
struct web_user {
    int64_t id;
    const char *username;
};

/* web_blueprints (blog.h): enables sessions (keyed from `secret`, revocation through
 * web_sessions), compiles the templates (aborts on a template error: a build defect) and
 * registers the pages. web_shutdown frees the templates. */

/* Whether the request was routed to a page (its errors are HTML). */
bool web_is_page(const quill_req *req);
/* Answers `status` with the HTML error page (the app's error handlers call it for pages). */
void web_error_page(quill_req *req, quill_res *res, int status);

/* The signed-in user, or NULL (no session, or a revoked one). */
const struct web_user *web_user(quill_req *req);
/* The user, or NULL after answering 303 to /login (?next=PATH for a GET). */
const struct web_user *web_login_required(quill_req *req, quill_res *res);
/* Records a new sign-in of `user_id` (a web_sessions row named by the session). 0 or -1. */
int web_sign_in(quill_req *req, int64_t user_id);
/* Deletes the sign-in (a replayed cookie is then signed out) and empties the session. 0 or -1. */
int web_sign_out(quill_req *req);

/* A template context freed with the request (NULL when out of memory). */
cJSON *web_context(quill_req *req);
/* Renders layout + `page` with `ctx` (the user, CSRF token and flashes added) as `status`. */
void web_render(quill_req *req, quill_res *res, int status, enum web_tpl page, cJSON *ctx);
/* The home page: like web_render, without loading a session when the request has no cookie. */
void web_home(quill_req *req, quill_res *res, cJSON *ctx);

/* The routes of the pages (bp_web_auth.c, bp_web_articles.c) on the pages' blueprint, whose
 * hooks mark requests as pages (HTML errors) and check CSRF on every POST. */
void web_auth_blueprint(quill_blueprint *bp);
void web_articles_blueprint(quill_blueprint *bp);

#endif
