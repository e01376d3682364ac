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

const char *users_bcrypt_key(quill_req *req, const char *password) {
    size_t len = strlen(password);
    if (len <= BCRYPT_KEY_MAX) return password;
    return quill_arena_strndup(quill_req_arena(req), password, BCRYPT_KEY_MAX);
}

/* Adds 409 errors for the username and email already used by another user than `self` (0 for
 * none). Returns 0 (e may have grown) or -1 on a database error. */
int users_taken(const char *username, const char *email, int64_t self, struct errors *e) {
    quill_stmt *st = db_stmt(ST_USER_TAKEN);
    if (st == NULL) return -1;
    db_bind_text(st, 1, username);
    db_bind_text(st, 2, email);
    db_bind_int(st, 3, self);
    if (quill_stmt_step(st) != QUILL_DB_ROW) {
        quill_stmt_reset(st);
        return -1;
    }
    if (username && (int)quill_stmt_int64(st, 0)) errors_add(e, "username", MSG_TAKEN);
    if (email && (int)quill_stmt_int64(st, 1)) errors_add(e, "email", MSG_TAKEN);
    quill_stmt_reset(st);
    return 0;
}

const char *users_dummy_hash(void) {
    return dummy_hash;
}

/* Answers 409 with the taken fields when there are any. 1 answered, 0 none taken, -1 error. */
static int answer_taken(quill_res *res, const char *username, const char *email, int64_t self) {
    struct errors e = {0};
    if (users_taken(username, email, self, &e) != 0) {
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

/* Password hashing and checking run on quill's pool (quill_defer): bcrypt at cost 10 takes
 * ~50-100 ms, which on the event loop would stall every other connection of the worker. What
 * the pool thread needs is in the job (arena memory, alive until the response is sent); the
 * database is only touched back on the worker, in the done functions. */
struct password_job {
    const char *key;                  /* the password, cut to BCRYPT_KEY_MAX */
    char hash[QUILL_BCRYPT_HASH_LEN]; /* in: the stored hash (check); out: the new hash */
    bool ok;                          /* check: it matches; hash: hashing worked */
    /* what the done function needs */
    const char *username, *email;
    int64_t id;
    struct update *fields; /* PUT /api/user */
};

static void hash_work(void *arg) {
    struct password_job *j = arg;
    j->ok = quill_bcrypt_hash(j->key, BLOG_BCRYPT_COST, j->hash) == 0;
}

static void check_work(void *arg) {
    struct password_job *j = arg;
    j->ok = quill_bcrypt_check(j->key, j->hash);
}

static struct password_job *password_job(quill_req *req, quill_res *res, const char *password) {
    struct password_job *j = quill_arena_calloc(quill_req_arena(req), 1, sizeof *j);
    if (j) j->key = users_bcrypt_key(req, password);
    if (j == NULL || j->key == NULL) {
        render_error(res, 500, "server", "out of memory");
        return NULL;
    }
    return j;
}

/* POST /api/users, after hashing. */
static void register_done(quill_req *req, quill_res *res, void *arg) {
    struct password_job *j = arg;
    if (!j->ok) {
        render_error(res, 500, "server", "password hashing failed");
        return;
    }
    quill_stmt *st = db_stmt(ST_USER_INSERT);
    if (st == NULL) {
        render_db_error(res);
        return;
    }
    db_bind_text(st, 1, j->username);
    db_bind_text(st, 2, j->email);
    db_bind_text(st, 3, j->hash);
    int64_t id = db_insert(st);
    if (id == QUILL_DB_UNIQUE) {
        /* Another request took the name or e-mail since the check: the same 409. */
        if (answer_taken(res, j->username, j->email, 0) == 0)
            render_error(res, 409, "username", MSG_TAKEN);
        return;
    }
    if (id < 0) {
        render_db_error(res);
        return;
    }
    respond_user(req, res, id, 201);
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
    struct password_job *j = password_job(req, res, password);
    if (j == NULL) return;
    j->username = username;
    j->email = email;
    quill_defer(req, res, hash_work, register_done, j); /* a full pool answers 503 itself */
}

/* POST /api/users/login, after checking the password. */
static void login_done(quill_req *req, quill_res *res, void *arg) {
    struct password_job *j = arg;
    if (j->id == 0 || !j->ok) {
        render_error(res, 401, "credentials", "invalid");
        return;
    }
    respond_user(req, res, j->id, 200);
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
    struct password_job *j = password_job(req, res, password);
    quill_stmt *st = j ? db_stmt(ST_USER_BY_EMAIL) : NULL;
    if (st == NULL) {
        if (j) render_db_error(res);
        return;
    }
    db_bind_text(st, 1, email);
    int rc = quill_stmt_step(st);
    const unsigned char *hash =
        rc == QUILL_DB_ROW ? (const unsigned char *)quill_stmt_text(st, 5).ptr : NULL;
    /* An unknown e-mail is checked against the dummy hash: the same time as a wrong password. */
    snprintf(j->hash, sizeof j->hash, "%s", hash ? (const char *)hash : dummy_hash);
    j->id = hash ? quill_stmt_int64(st, 0) : 0;
    quill_stmt_reset(st);
    if (rc != QUILL_DB_ROW && rc != QUILL_DB_DONE) {
        render_db_error(res);
        return;
    }
    quill_defer(req, res, check_work, login_done, j);
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

static void bind_update(quill_stmt *st, int idx, const struct update *u) {
    db_bind_int(st, idx, u->set);
    db_bind_text(st, idx + 1, u->value);
}

enum { UPD_EMAIL, UPD_USERNAME, UPD_PASSWORD, UPD_BIO, UPD_IMAGE };

/* Stores the fields of PUT /api/user (the password already hashed) and answers the user. */
static void apply_update(quill_req *req, quill_res *res, int64_t id, const struct update *f) {
    quill_stmt *st = db_stmt(ST_USER_UPDATE);
    if (st == NULL) {
        render_db_error(res);
        return;
    }
    db_bind_int(st, 1, id);
    bind_update(st, 2, &f[UPD_EMAIL]);
    bind_update(st, 4, &f[UPD_USERNAME]);
    bind_update(st, 6, &f[UPD_PASSWORD]);
    bind_update(st, 8, &f[UPD_BIO]);
    bind_update(st, 10, &f[UPD_IMAGE]);
    int rc = db_exec(st);
    if (rc == QUILL_DB_UNIQUE) {
        if (answer_taken(res, f[UPD_USERNAME].value, f[UPD_EMAIL].value, id) == 0)
            render_error(res, 409, f[UPD_USERNAME].set ? "username" : "email", MSG_TAKEN);
        return;
    }
    if (rc != QUILL_DB_DONE) {
        render_db_error(res);
        return;
    }
    respond_user(req, res, id, 200);
}

/* PUT /api/user, after hashing the new password. */
static void update_done(quill_req *req, quill_res *res, void *arg) {
    struct password_job *j = arg;
    if (!j->ok) {
        render_error(res, 500, "server", "password hashing failed");
        return;
    }
    j->fields[UPD_PASSWORD].value = j->hash;
    apply_update(req, res, j->id, j->fields);
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
    struct update *fields = quill_arena_calloc(quill_req_arena(req), 5, sizeof *fields);
    if (fields == NULL) {
        render_error(res, 500, "server", "out of memory");
        return;
    }
    fields[UPD_EMAIL] = email;
    fields[UPD_USERNAME] = username;
    fields[UPD_PASSWORD] = password;
    fields[UPD_BIO] = bio;
    fields[UPD_IMAGE] = image;
    if (!password.set) {
        apply_update(req, res, me->id, fields);
        return;
    }
    struct password_job *j = password_job(req, res, password.value);
    if (j == NULL) return;
    j->id = me->id;
    j->fields = fields;
    quill_defer(req, res, hash_work, update_done, j);
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
