/* web pages: register, login, logout (contract section 7).
 *
 * Order of every POST: CSRF (the blueprint's hook, before anything else), then the form's
 * required fields (422, the form re-rendered without the password), then the database checks;
 * bcrypt runs on quill's pool (quill_defer) as in the API. Success signs in (a web_sessions row
 * named by the session), flashes "Signed in." and answers 303. */
#include <string.h>

#include "web.h"

/* The form values kept when re-rendering (never the password). */
static const char *const register_fields[] = {"username", "email", NULL};
static const char *const login_fields[] = {"email", NULL};

/* The `next` of a login: the form's, else the query's; "" when absent. */
static const char *login_next(quill_req *req) {
    quill_str n = quill_form_get(req, "next");
    if (n.ptr == NULL) n = quill_req_arg(req, "next");
    return n.ptr ? n.ptr : "";
}

static void render_register(quill_req *req, quill_res *res, int status, cJSON *errors) {
    cJSON *ctx = web_context(req);
    cJSON *form = quill_form_values(req, register_fields);
    if (ctx == NULL || form == NULL) {
        quill_abort(req, res, 500);
        return;
    }
    cJSON_AddItemReferenceToObject(ctx, "form", form);
    if (errors) cJSON_AddItemReferenceToObject(ctx, "errors", errors);
    web_render(req, res, status, WEB_TPL_REGISTER, ctx);
}

static void render_login(quill_req *req, quill_res *res, int status, cJSON *errors) {
    cJSON *ctx = web_context(req);
    cJSON *form = quill_form_values(req, login_fields);
    if (ctx == NULL || form == NULL || !cJSON_AddStringToObject(ctx, "next", login_next(req))) {
        quill_abort(req, res, 500);
        return;
    }
    cJSON_AddItemReferenceToObject(ctx, "form", form);
    if (errors) cJSON_AddItemReferenceToObject(ctx, "errors", errors);
    web_render(req, res, status, WEB_TPL_LOGIN, ctx);
}

static void one_error(quill_req *req, quill_res *res, const char *line,
                      void (*render)(quill_req *, quill_res *, int, cJSON *)) {
    cJSON *errors = web_context(req); /* any freed-with-the-request object */
    cJSON *list = errors ? cJSON_AddArrayToObject(errors, "e") : NULL;
    if (list == NULL || !cJSON_AddItemToArray(list, cJSON_CreateString(line))) {
        quill_abort(req, res, 500);
        return;
    }
    render(req, res, 422, list);
}

/* Signs `id` in and answers 303 to `to`. */
static void signed_in(quill_req *req, quill_res *res, int64_t id, const char *to) {
    if (web_sign_in(req, id) != 0 || quill_flash(req, "Signed in.") != 0) {
        quill_abort(req, res, 500);
        return;
    }
    quill_redirect(res, 303, to);
}

/* GET /register */
static void register_form(quill_req *req, quill_res *res) {
    render_register(req, res, 200, NULL);
}

struct password_job {
    const char *key, *username, *email;
    char hash[QUILL_BCRYPT_HASH_LEN];
    int64_t id;
    bool ok;
};

static void hash_work(void *arg) {
    struct password_job *j = arg;
    j->ok = quill_bcrypt_hash(j->key, BLOG_BCRYPT_COST, j->hash) == 0;
}

static void check_work(void *arg) {
    struct password_job *j = arg;
    j->ok = quill_bcrypt_check(j->key, j->hash);
}

/* POST /register, after hashing. */
static void register_done(quill_req *req, quill_res *res, void *arg) {
    struct password_job *j = arg;
    quill_stmt *st = j->ok ? db_stmt(ST_USER_INSERT) : NULL;
    if (st == NULL) {
        quill_abort(req, res, 500);
        return;
    }
    db_bind_text(st, 1, j->username);
    db_bind_text(st, 2, j->email);
    db_bind_text(st, 3, j->hash);
    int64_t id = db_insert(st);
    if (id == QUILL_DB_UNIQUE) { /* taken since the check: the same 422 */
        struct errors e = {0};
        quill_form_errors fe = {0};
        if (users_taken(j->username, j->email, 0, &e) != 0) {
            quill_abort(req, res, 500);
            return;
        }
        for (int i = 0; i < e.n; i++) quill_form_error(&fe, e.key[i], e.msg[i]);
        if (fe.n == 0) quill_form_error(&fe, "username", MSG_TAKEN);
        render_register(req, res, 422, quill_form_errors_json(req, &fe));
        return;
    }
    if (id < 0) {
        quill_abort(req, res, 500);
        return;
    }
    signed_in(req, res, id, "/");
}

/* POST /register */
static void register_submit(quill_req *req, quill_res *res) {
    quill_form_errors e = {0};
    quill_str username = quill_form_required(req, &e, "username");
    quill_str email = quill_form_required(req, &e, "email");
    quill_str password = quill_form_required(req, &e, "password");
    if (e.n == 0) {
        struct errors taken = {0};
        if (users_taken(username.ptr, email.ptr, 0, &taken) != 0) {
            quill_abort(req, res, 500);
            return;
        }
        for (int i = 0; i < taken.n; i++) quill_form_error(&e, taken.key[i], taken.msg[i]);
    }
    if (e.n) {
        render_register(req, res, 422, quill_form_errors_json(req, &e));
        return;
    }
    struct password_job *j = quill_arena_calloc(quill_req_arena(req), 1, sizeof *j);
    if (j == NULL || (j->key = users_bcrypt_key(req, password.ptr)) == NULL) {
        quill_abort(req, res, 500);
        return;
    }
    j->username = username.ptr;
    j->email = email.ptr;
    quill_defer(req, res, hash_work, register_done, j); /* a full pool answers 503 itself */
}

/* GET /login */
static void login_form(quill_req *req, quill_res *res) {
    render_login(req, res, 200, NULL);
}

/* POST /login, after checking the password. */
static void login_done(quill_req *req, quill_res *res, void *arg) {
    struct password_job *j = arg;
    if (j->id == 0 || !j->ok) {
        one_error(req, res, "email or password is invalid", render_login);
        return;
    }
    const char *next = login_next(req);
    signed_in(req, res, j->id, quill_is_local_path(next) ? next : "/");
}

/* POST /login */
static void login_submit(quill_req *req, quill_res *res) {
    quill_form_errors e = {0};
    quill_str email = quill_form_required(req, &e, "email");
    quill_str password = quill_form_required(req, &e, "password");
    if (e.n) {
        render_login(req, res, 422, quill_form_errors_json(req, &e));
        return;
    }
    struct password_job *j = quill_arena_calloc(quill_req_arena(req), 1, sizeof *j);
    quill_stmt *st = j ? db_stmt(ST_USER_BY_EMAIL) : NULL;
    if (st == NULL || (j->key = users_bcrypt_key(req, password.ptr)) == NULL) {
        quill_abort(req, res, 500);
        return;
    }
    db_bind_text(st, 1, email.ptr);
    int rc = quill_stmt_step(st);
    const char *hash = rc == QUILL_DB_ROW ? quill_stmt_text(st, 5).ptr : NULL;
    /* An unknown e-mail is checked against a real hash: as slow as a wrong password. */
    size_t n = strlen(hash ? hash : users_dummy_hash());
    if (n >= sizeof j->hash) n = sizeof j->hash - 1;
    memcpy(j->hash, hash ? hash : users_dummy_hash(), n);
    j->id = hash ? quill_stmt_int64(st, 0) : 0;
    quill_stmt_reset(st);
    if (rc != QUILL_DB_ROW && rc != QUILL_DB_DONE) {
        quill_abort(req, res, 500);
        return;
    }
    quill_defer(req, res, check_work, login_done, j);
}

/* POST /logout */
static void logout_submit(quill_req *req, quill_res *res) {
    if (web_login_required(req, res) == NULL) return;
    if (web_sign_out(req) != 0 || quill_flash(req, "Signed out.") != 0) {
        quill_abort(req, res, 500);
        return;
    }
    quill_redirect(res, 303, "/");
}

void web_auth_blueprint(quill_blueprint *bp) {
    quill_bp_route(bp, "GET", "/register", register_form);
    quill_bp_route(bp, "POST", "/register", register_submit);
    quill_bp_route(bp, "GET", "/login", login_form);
    quill_bp_route(bp, "POST", "/login", login_submit);
    quill_bp_route(bp, "POST", "/logout", logout_submit);
}
