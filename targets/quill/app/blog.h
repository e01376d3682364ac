/* blog: what the blueprints of the quill blog app share.
 *
 * Layout (one job per file):
 *   main.c         environment, app set-up (hooks, error handlers, blueprints), run, shutdown
 *   auth.c         the authentication before-request hook, tokens, the current user in `g`
 *   render.c       JSON of users, profiles, articles, comments, errors (quill's JSON writer)
 *   article_list.c one page of articles (lists, feed) in a constant number of statements
 *   db.c           schema, per-worker SQLite connection, every prepared statement
 *   fields.c       the contract's input rules (bodies, blank, types, list parameters)
 *   slug.c clock.c slugs and millisecond timestamps
 *   bp_users.c bp_profiles.c bp_articles.c bp_comments.c bp_tags.c bp_pages.c   the blueprints
 *   web.c bp_web_auth.c bp_web_articles.c   the web pages (sessions, CSRF, forms, templates)
 *
 * Memory: everything a handler builds lives in the request's arena (quill frees it after the
 * response); strings read from SQLite are copied into the arena before the statement is reset. */
#ifndef BLOG_H
#define BLOG_H

#include <stdbool.h>
#include <stdint.h>

#include "quill.h"
#include "quill_crypto.h"
#include "quill_json.h"
#include "quill_jwt.h"
#include "quill_template.h"
#include "quill_web.h"

#include "db.h"
#include "fields.h"

/* Token lifetime (contract: 60 days). */
#define BLOG_TOKEN_TTL_S (60LL * 24 * 60 * 60)
/* bcrypt cost every target uses. */
#define BLOG_BCRYPT_COST 10

/* ---- blueprints: each registers its routes on the app ---- */
void users_blueprint(quill_app *app);
void profiles_blueprint(quill_app *app);
void articles_blueprint(quill_app *app);
void comments_blueprint(quill_app *app);
void tags_blueprint(quill_app *app);
void pages_blueprint(quill_app *app); /* /plaintext, /json, / (its template: web.c) */

/* The web pages (web.c, bp_web_*.c): sessions keyed from `secret`, templates compiled. */
void web_blueprints(quill_app *app, const char *secret);
void web_shutdown(void); /* frees the compiled templates */

/* ---- data operations shared by the API and the web pages ---- */

/* bp_articles.c. Creates an article with its tags in one transaction; *id and *slug (arena).
 * 0 or -1 (database error, rolled back). */
int article_store_create(quill_req *req, int64_t author, const char *title, const char *description,
                         const char *body, const char *const *tags, int ntags, int64_t *id,
                         const char **slug);
/* Updates article `id` in one transaction: NULL title/description/body keep the value; with
 * replace_tags the tags become `tags`. 0 or -1 (rolled back). */
int article_store_update(int64_t id, const char *title, const char *description, const char *body,
                         bool replace_tags, const char *const *tags, int ntags);

/* bp_users.c. Adds "has already been taken" for the username / email another user than `self`
 * (0: none) has. 0, or -1 on a database error. */
int users_taken(const char *username, const char *email, int64_t self, struct errors *e);
/* The bcrypt key of a password (cut to bcrypt's 72 bytes, in the arena when cut). */
const char *users_bcrypt_key(quill_req *req, const char *password);
/* A real bcrypt hash of a random secret: what a login with an unknown e-mail is checked against,
 * so that it takes as long as a wrong password. */
const char *users_dummy_hash(void);

/* ---- auth.c ---- */

/* The authenticated user of a request, copied into the request arena. */
struct blog_user {
    int64_t id;
    const char *username, *email, *bio, *image; /* bio, image: NULL when unset */
    const char *token;                          /* the token the request carried */
};

/* The key (SECRET_KEY) tokens are signed with; set once by main before the server starts. */
void auth_set_secret(const char *secret);

/* The before-request hook every API blueprint installs: reads the Authorization header, verifies
 * the token and loads its user into `g`. It never answers itself: whether a missing or invalid
 * token is an error depends on the endpoint (see auth_required / auth_optional). */
int auth_before_request(quill_req *req, quill_res *res);

/* For endpoints with required auth: the user, or NULL after answering 401 ("token": "is missing"
 * or "is invalid"). */
const struct blog_user *auth_required(quill_req *req, quill_res *res);

/* For endpoints with optional auth: *user is the user or NULL (anonymous). Returns -1 after
 * answering 401 when a token was sent but is invalid, else 0. */
int auth_optional(quill_req *req, quill_res *res, const struct blog_user **user);

/* A new token for user `id` (in the request arena), or NULL. */
const char *auth_issue_token(quill_req *req, int64_t id);

/* Loads user `id` from the database into the arena. 0 found, -1 not found or error. */
int auth_load_user(quill_req *req, int64_t id, struct blog_user *out);

/* ---- render.c ---- */

/* {"errors":{key:[msg],...}} with `status`. */
void render_errors(quill_res *res, int status, const struct errors *e);
void render_error(quill_res *res, int status, const char *key, const char *msg);
/* 500 {"errors":{"server":["database error"]}}, logged with the SQLite message. */
void render_db_error(quill_res *res);

/* {"user":{...}} with `status`. */
void render_user(quill_res *res, quill_req *req, int status, const struct blog_user *u,
                 const char *token);

/* Writes the profile object {username, bio, image, following} from columns of `st` starting at
 * `col` (username, bio, image, following in that order). */
void render_profile_cols(quill_jw *w, quill_stmt *st, int col);

/* An article as the contract shows it, from any source (an article row, a page row and the page's
 * tags/favorites/following). Slices: ptr NULL is JSON null. tags_json is a JSON array's text. */
struct article_view {
    quill_str slug, title, description, body, username, bio, image, tags_json;
    int64_t created, updated, favorites;
    bool favorited, following;
};

/* Writes one article object; the body only when `with_body` (lists have none). */
void render_article_view(quill_jw *w, const struct article_view *v, bool with_body);

/* Writes one article object from a row of an article statement (enum article_col). */
void render_article_obj(quill_jw *w, quill_stmt *st, bool with_body);

/* ---- article_list.c ---- */

/* Answers a page of articles: {"articles":[...],"articlesCount":n}. `page` (enum page_col) and
 * `count` are bound by the caller (limit <= LIST_PAGE_MAX); `viewer` is the user id or 0. Runs,
 * in one read transaction, the count, the page and one statement each for the tags, the
 * favorites and (with a viewer) the following flags of the whole page. */
#define LIST_PAGE_MAX 100
void list_respond(quill_req *req, quill_res *res, quill_stmt *page, quill_stmt *count,
                  int64_t viewer, int64_t limit);

/* Writes one comment object from a row of a comment statement (enum comment_col). */
void render_comment_obj(quill_jw *w, quill_stmt *st);

/* Writes a millisecond timestamp as an ISO 8601 string. */
void render_time(quill_jw *w, int64_t ms);

/* Runs ST_ARTICLE_BY_ID for `id` as seen by `viewer` (0: anonymous) and answers
 * {"article":{...}} with `status`; 404 if it vanished meanwhile, 500 on database errors. */
void render_article_by_id(quill_req *req, quill_res *res, int64_t id, int64_t viewer, int status);

/* The parsed body of a JSON endpoint (ruling 2), freed with the request: NULL after answering
 * 422 {"errors":{"body":["is invalid"]}}. */
cJSON *request_wrapper(quill_req *req, quill_res *res, const char *wrapper);

#endif
