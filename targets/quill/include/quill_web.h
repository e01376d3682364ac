/*
 * quill_web.h: what server-rendered pages with forms need, the Flask way: form bodies
 * (request.form), signed cookie sessions (Flask's `session`, itsdangerous-signed), CSRF tokens
 * (Flask-WTF's CSRFProtect), flash messages (flash / get_flashed_messages), form validation
 * (WTForms' DataRequired) and redirects (redirect(url, 303), a local-path check for `next`).
 * Optional part of quill: include it beside quill.h when the application uses it.
 *
 * Cost: nothing is parsed, verified or written unless the request touches it. A route that never
 * calls these functions (a JSON API, /plaintext) pays one NULL check per request.
 *
 *     quill_session_config sc = quill_session_config_default();
 *     sc.secret = getenv("SECRET_KEY");
 *     sc.check = session_alive;            // revocation: false signs the cookie out
 *     quill_session_init(app, &sc);
 *     quill_blueprint *web = quill_blueprint_new(app, "");
 *     quill_csrf_protect(web);             // POSTs of this blueprint need csrf_token
 *     ...
 *     static void editor_post(quill_req *req, quill_res *res) {
 *         quill_form_errors e = {0};
 *         quill_str title = quill_form_required(req, &e, "title");
 *         if (e.n) { ... re-render with quill_form_errors_json / quill_form_values, 422 ... }
 *         quill_flash(req, "Article published.");
 *         quill_redirect(res, 303, "/article/...");
 *     }
 */
#ifndef QUILL_WEB_H
#define QUILL_WEB_H

#include "quill.h"

#include <cjson/cJSON.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------------------------
 * Form bodies: application/x-www-form-urlencoded into a request-scoped multi-dict.
 *
 * Parsed once, on first use, from the body into the request arena: `name=value` pairs split on
 * '&', `+` is a space, %XX escapes decoded; names and values must be valid UTF-8 after decoding.
 * Empty pairs ("a=1&&b=2") are skipped; a pair without '=' is a name with an empty value. A body
 * of another Content-Type is an empty form (as Flask's request.form), not an error.
 * ------------------------------------------------------------------------------------------- */

#define QUILL_FORM_MAX_FIELDS 64              /* more pairs: 413 */
#define QUILL_FORM_MAX_NAME   128             /* longer name (decoded bytes): 413 */
#define QUILL_FORM_MAX_VALUE  (1024u * 1024u) /* longer value (decoded bytes): 413 */

/* Parses the body (once). 0, or -1 with the status to answer in *status (optional): 400 for a
 * malformed escape ("%zz", a lone "%") or invalid UTF-8, 413 over a limit above. */
int quill_form_parse(quill_req *req, int *status);
/* The first value of field `name` (NUL-terminated, arena); ptr NULL when absent or the body is
 * not a valid form. Present but empty: ptr "" len 0. */
quill_str quill_form_get(quill_req *req, const char *name);
/* Every value of `name` in order, at most `max` written to out; returns how many there are. */
size_t quill_form_getlist(quill_req *req, const char *name, quill_str *out, size_t max);
/* Pairs by index, 0 .. quill_form_size()-1, in the order sent. */
size_t quill_form_size(quill_req *req);
int quill_form_at(quill_req *req, size_t i, quill_str *name, quill_str *value);

/* ---------------------------------------------------------------------------------------------
 * Form validation (WTForms-like): errors kept in the order of the checks, rendered as
 * "FIELD MESSAGE" lines; the submitted values re-rendered.
 * ------------------------------------------------------------------------------------------- */

#define QUILL_FORM_ERRORS_MAX 16 /* further errors are dropped */
#define QUILL_MSG_BLANK       "can't be blank"

typedef struct quill_form_errors {
    size_t n;
    const char *field[QUILL_FORM_ERRORS_MAX]; /* not copied: static strings or arena memory */
    const char *msg[QUILL_FORM_ERRORS_MAX];
} quill_form_errors;

/* Whether s is empty or only whitespace (the set Python's str.strip() removes: ASCII \t..\r and
 * space, U+00A0, U+1680, U+2000..U+200A, U+2028, U+2029, U+202F, U+205F, U+3000). */
bool quill_str_blank(quill_str s);
/* Adds one error. */
void quill_form_error(quill_form_errors *e, const char *field, const char *msg);
/* The value of `field`, or {NULL, 0} after adding "FIELD can't be blank" (absent or blank). */
quill_str quill_form_required(quill_req *req, quill_form_errors *e, const char *field);
/* ["FIELD MESSAGE", ...] (a cJSON array freed with the request), NULL when out of memory. */
cJSON *quill_form_errors_json(quill_req *req, const quill_form_errors *e);
/* {name: submitted value or ""} for the NULL-terminated `names` (freed with the request), to
 * re-render a form: leave passwords out. NULL when out of memory. */
cJSON *quill_form_values(quill_req *req, const char *const names[]);

/* ---------------------------------------------------------------------------------------------
 * Signed cookie sessions.
 *
 * The session is a dict of string keys (values: strings, or what flash messages store) kept in a
 * cookie, signed with HMAC-SHA256 under the app's secret: base64url(JSON) "." issued-at "."
 * base64url(MAC). A cookie whose MAC does not match (checked in constant time), that is malformed,
 * older than max_age_s or longer than QUILL_SESSION_MAX_COOKIE is ignored: the request starts a
 * new, empty session. A signed cookie cannot be revoked by itself (a copy taken before logout
 * stays valid), so the application may install `check`, called once per request after the
 * signature verified: returning false empties the session (signed out), the usual remedy being
 * a session id in the session checked against the application's database.
 *
 * The cookie is written (Set-Cookie: NAME=...; Path=/; HttpOnly; SameSite=Lax) only when the
 * session changed during the request; an emptied session deletes it (Max-Age=0).
 * ------------------------------------------------------------------------------------------- */

#define QUILL_SESSION_MAX_COOKIE 4000 /* bytes of the cookie value; a bigger session: 500 */

typedef bool (*quill_session_check_fn)(quill_req *req);

typedef struct quill_session_config {
    const char *secret;           /* required: SECRET_KEY (not kept: the key is derived) */
    const char *salt;             /* ["quill.session"] signing key = HMAC-SHA256(secret, salt) */
    const char *cookie_name;      /* ["quill_session"] */
    long long max_age_s;          /* [31 days] cookies issued longer ago are ignored */
    bool secure;                  /* [false] add the Secure attribute (HTTPS deployments) */
    quill_session_check_fn check; /* [NULL] revocation check (see above) */
} quill_session_config;

quill_session_config quill_session_config_default(void);
/* Enables sessions on the app (before quill_run). Aborts when the secret is missing or empty (a
 * configuration error, as every registration misuse). Use a long random SECRET_KEY: the same in
 * every worker and across restarts, or every session is signed out. */
void quill_session_init(quill_app *app, const quill_session_config *cfg);

/* The string value of `key` ({NULL, 0} when absent or not a string). Loads the session. */
quill_str quill_session_get(quill_req *req, const char *key);
/* Sets / removes `key` (the session is then written back). 0 or -1 (no sessions, memory). */
int quill_session_set(quill_req *req, const char *key, const char *value);
int quill_session_remove(quill_req *req, const char *key);
/* Empties the session (logout): CSRF token and flashes go too. 0 or -1. */
int quill_session_clear(quill_req *req);
/* Whether the request carried a valid session cookie that `check` accepted. */
bool quill_session_present(quill_req *req);

/* ---------------------------------------------------------------------------------------------
 * CSRF (Flask-WTF's CSRFProtect): one random token per session, sent back by every form in the
 * hidden field QUILL_CSRF_FIELD and compared in constant time.
 * ------------------------------------------------------------------------------------------- */

#define QUILL_CSRF_FIELD "csrf_token"
#define QUILL_CSRF_LEN   43 /* base64url of 32 random bytes */

/* The session's token (created and stored on first use), NULL on failure. For templates. */
const char *quill_csrf_token(quill_req *req);
/* Whether the form's QUILL_CSRF_FIELD equals the session's token (false when either is absent). */
bool quill_csrf_valid(quill_req *req);
/* Installs a before-request hook on `bp`: every POST, PUT, PATCH and DELETE of its routes must
 * carry a valid token, else the request is answered through the app's error handler for 403
 * (400 / 413 when the form itself is malformed / too large) and the handler never runs. Routes of
 * other blueprints (a JSON API authenticated by headers) are not affected. */
void quill_csrf_protect(quill_blueprint *bp);

/* ---------------------------------------------------------------------------------------------
 * Flash messages: stored in the session, shown once by the next page that asks for them.
 * ------------------------------------------------------------------------------------------- */

#define QUILL_FLASH_MAX     8    /* messages waiting at once; more are dropped */
#define QUILL_FLASH_MAX_LEN 1024 /* bytes of one message; longer ones are cut (UTF-8 safe) */

int quill_flash(quill_req *req, const char *message);
/* Pops the waiting messages: a cJSON array of strings freed with the request (empty when none;
 * NULL when out of memory). Cheap when there is no session cookie. */
cJSON *quill_flashes(quill_req *req);

/* ---------------------------------------------------------------------------------------------
 * Redirects and URLs
 * ------------------------------------------------------------------------------------------- */

/* Answers `status` (301, 302, 303, 307 or 308; else 302) with Location and an empty body. The
 * location is made a URI: non-ASCII bytes, controls, space and " < > \ ^ ` { | } are
 * percent-encoded ("/article/é" -> "/article/%C3%A9"); existing escapes are kept. */
int quill_redirect(quill_res *res, int status, const char *location);
/* Whether s is a local path to redirect to: starts with exactly one '/', then no '\\', no
 * control character and no second leading '/' ("//evil.example" is another host). */
bool quill_is_local_path(const char *s);
/* Percent-encodes s for a query value (everything but A-Z a-z 0-9 - . _ ~ /), in the arena. */
char *quill_url_quote(quill_arena *a, const char *s, size_t len);

#ifdef __cplusplus
}
#endif
#endif /* QUILL_WEB_H */
