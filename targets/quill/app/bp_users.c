/* users blueprint: register, login, current user, update (endpoints 1-4). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blog.h"

/* A bcrypt hash (same cost as real ones) that login checks against when the e-mail is unknown, so
 * that a wrong e-mail takes as long as a wrong password and answers cannot enumerate accounts. */
static char dummy_hash[QUILL_BCRYPT_HASH_LEN];

/* bcrypt uses at most the first 72 bytes of a password; libcrypt refuses passphrases longer than
 * 512 bytes instead of ignoring the rest. Cutting at 72 gives the same hash as any bcrypt (the
 * Python and JavaScript targets' libraries included) and accepts passwords of any length. */
#define BCRYPT_KEY_MAX 72

static const char *bcrypt_key(quill_req *req, const char *password) {
    size_t len = strlen(password);
    if (len <= BCRYPT_KEY_MAX) return password;
    return quill_arena_strndup(quill_req_arena(req), password, BCRYPT_KEY_MAX);
}

/* Adds 409 errors for the username and email already used by another user than `self` (0 for
 * none). Returns 0 (e may have grown) or -1 on a database error. */
static int check_taken(const char *username, const char *email, int64_t self, struct errors *e) {
    sqlite3_stmt *st = db_stmt(ST_USER_TAKEN);
    if (st == NULL) return -1;
    db_bind_text(st, 1, username);
    db_bind_text(st, 2, email);
    db_bind_int(st, 3, self);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_reset(st);
        return -1;
    }
    if (username && sqlite3_column_int(st, 0)) errors_add(e, "username", MSG_TAKEN);
    if (email && sqlite3_column_int(st, 1)) errors_add(e, "email", MSG_TAKEN);
    sqlite3_reset(st);
    return 0;
}

/* Answers 409 with the taken fields when there are any. 1 answered, 0 none taken, -1 error. */
static int answer_taken(quill_res *res, const char *username, const char *email, int64_t self) {
    struct errors e = {0};
    if (check_taken(username, email, self, &e) != 0) {
        render_db_error(res);
        return -1;
    }
    if (e.n == 0) return 0;
    render_errors(res, 409, &e);
    return 1;
}

static void respond_user(quill_req *req, quill_res *res, int64_t id, int status) {
    struct blog_user u;
    const char *token = auth_issue_token(req, id);
    if (auth_load_user(req, id, &u) != 0 || token == NULL) {
        render_db_error(res);
        return;
    }
    render_user(res, req, status, &u, token);
}

/* POST /api/users */
static void user_register(quill_req *req, quill_res *res) {
    cJSON *in = request_wrapper(req, res, "user");
    if (in == NULL) return;
    struct errors e = {0};
    const char *username = field_required(in, "username", &e);
    const char *email = field_required(in, "email", &e);
    const char *password = field_required(in, "password", &e);
    if (e.n) {
        render_errors(res, 422, &e);
        return;
    }
    if (answer_taken(res, username, email, 0) != 0) return;
    char hash[QUILL_BCRYPT_HASH_LEN];
    if (quill_bcrypt_hash(bcrypt_key(req, password), BLOG_BCRYPT_COST, hash) != 0) {
        render_error(res, 500, "server", "password hashing failed");
        return;
    }
    sqlite3_stmt *st = db_stmt(ST_USER_INSERT);
    if (st == NULL) {
        render_db_error(res);
        return;
    }
    db_bind_text(st, 1, username);
    db_bind_text(st, 2, email);
    db_bind_text(st, 3, hash);
    int rc = db_exec(st);
    if (rc == SQLITE_CONSTRAINT) {
        /* Another request took the name or e-mail since the check: the same 409. */
        if (answer_taken(res, username, email, 0) == 0)
            render_error(res, 409, "username", MSG_TAKEN);
        return;
    }
    if (rc != SQLITE_DONE) {
        render_db_error(res);
        return;
    }
    respond_user(req, res, sqlite3_last_insert_rowid(db_conn()), 201);
}

/* POST /api/users/login */
static void user_login(quill_req *req, quill_res *res) {
    cJSON *in = request_wrapper(req, res, "user");
    if (in == NULL) return;
    struct errors e = {0};
    const char *email = field_required(in, "email", &e);
    const char *password = field_required(in, "password", &e);
    if (e.n) {
        render_errors(res, 422, &e);
        return;
    }
    sqlite3_stmt *st = db_stmt(ST_USER_BY_EMAIL);
    if (st == NULL) {
        render_db_error(res);
        return;
    }
    db_bind_text(st, 1, email);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        if (rc == SQLITE_DONE) {
            quill_bcrypt_check(bcrypt_key(req, password),
                               dummy_hash); /* equal time; the result is irrelevant */
            render_error(res, 401, "credentials", "invalid");
        } else {
            render_db_error(res);
        }
        return;
    }
    int64_t id = sqlite3_column_int64(st, 0);
    const unsigned char *hash = sqlite3_column_text(st, 5);
    bool ok = hash && quill_bcrypt_check(bcrypt_key(req, password), (const char *)hash);
    sqlite3_reset(st);
    if (!ok) {
        render_error(res, 401, "credentials", "invalid");
        return;
    }
    respond_user(req, res, id, 200);
}

/* GET /api/user */
static void user_current(quill_req *req, quill_res *res) {
    const struct blog_user *me = auth_required(req, res);
    if (me == NULL) return;
    render_user(res, req, 200, me, me->token);
}

/* One optional field of PUT /api/user: whether it was sent and the value to store. */
struct update {
    bool set;
    const char *value; /* NULL stores NULL (bio, image) */
};

/* email / username: a non-blank string (ruling 5). */
static void read_identity(const cJSON *in, const char *key, struct update *u, struct errors *e) {
    const char *v;
    switch (field_get(in, key, &v)) {
    case FIELD_ABSENT: return;
    case FIELD_STRING:
        if (!text_is_blank(v, strlen(v))) {
            u->set = true;
            u->value = v;
            return;
        }
        errors_add(e, key, MSG_BLANK);
        return;
    case FIELD_NULL: errors_add(e, key, MSG_BLANK); return;
    case FIELD_OTHER: errors_add(e, key, MSG_INVALID); return;
    }
}

/* bio / image: a string or null; "" and null store null. */
static void read_optional(const cJSON *in, const char *key, struct update *u, struct errors *e) {
    const char *v;
    switch (field_get(in, key, &v)) {
    case FIELD_ABSENT: return;
    case FIELD_STRING:
        u->set = true;
        u->value = v[0] ? v : NULL;
        return;
    case FIELD_NULL: u->set = true; return;
    case FIELD_OTHER: errors_add(e, key, MSG_INVALID); return;
    }
}

/* password: a string of at least 8 code points. */
static void read_password(const cJSON *in, struct update *u, struct errors *e) {
    const char *v;
    switch (field_get(in, "password", &v)) {
    case FIELD_ABSENT: return;
    case FIELD_STRING:
        if (utf8_codepoints(v, strlen(v)) >= 8) {
            u->set = true;
            u->value = v;
            return;
        }
        errors_add(e, "password", MSG_TOO_SHORT);
        return;
    case FIELD_NULL: errors_add(e, "password", MSG_TOO_SHORT); return;
    case FIELD_OTHER: errors_add(e, "password", MSG_INVALID); return;
    }
}

static void bind_update(sqlite3_stmt *st, int idx, const struct update *u) {
    db_bind_int(st, idx, u->set);
    db_bind_text(st, idx + 1, u->value);
}

/* PUT /api/user */
static void user_update(quill_req *req, quill_res *res) {
    const struct blog_user *me = auth_required(req, res);
    if (me == NULL) return;
    cJSON *in = request_wrapper(req, res, "user");
    if (in == NULL) return;
    struct errors e = {0};
    struct update email = {0}, username = {0}, password = {0}, bio = {0}, image = {0};
    read_identity(in, "email", &email, &e);
    read_identity(in, "username", &username, &e);
    read_password(in, &password, &e);
    read_optional(in, "bio", &bio, &e);
    read_optional(in, "image", &image, &e);
    if (e.n) {
        render_errors(res, 422, &e);
        return;
    }
    if ((email.set || username.set) && answer_taken(res, username.value, email.value, me->id) != 0)
        return;
    char hash[QUILL_BCRYPT_HASH_LEN];
    if (password.set) {
        if (quill_bcrypt_hash(bcrypt_key(req, password.value), BLOG_BCRYPT_COST, hash) != 0) {
            render_error(res, 500, "server", "password hashing failed");
            return;
        }
        password.value = hash;
    }
    sqlite3_stmt *st = db_stmt(ST_USER_UPDATE);
    if (st == NULL) {
        render_db_error(res);
        return;
    }
    db_bind_int(st, 1, me->id);
    bind_update(st, 2, &email);
    bind_update(st, 4, &username);
    bind_update(st, 6, &password);
    bind_update(st, 8, &bio);
    bind_update(st, 10, &image);
    int rc = db_exec(st);
    if (rc == SQLITE_CONSTRAINT) {
        if (answer_taken(res, username.value, email.value, me->id) == 0)
            render_error(res, 409, username.set ? "username" : "email", MSG_TAKEN);
        return;
    }
    if (rc != SQLITE_DONE) {
        render_db_error(res);
        return;
    }
    respond_user(req, res, me->id, 200);
}

void users_blueprint(quill_app *app) {
    char secret[33];
    if (quill_random_hex(secret, 32) != 0 ||
        quill_bcrypt_hash(secret, BLOG_BCRYPT_COST, dummy_hash) != 0) {
        fprintf(stderr, "quill-blog: cannot initialise bcrypt (libcrypt)\n");
        exit(1);
    }
    quill_blueprint *bp = quill_blueprint_new(app, "/api");
    quill_bp_before_request(bp, auth_before_request);
    quill_bp_route(bp, "POST", "/users/login", user_login);
    quill_bp_route(bp, "POST", "/users", user_register);
    quill_bp_route(bp, "GET", "/user", user_current);
    quill_bp_route(bp, "PUT", "/user", user_update);
}
