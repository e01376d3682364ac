/* profiles blueprint: get, follow, unfollow (endpoints 5-7). */
#include "blog.h"

/* Answers {"profile":...} for `username` as seen by `viewer` (0: anonymous), or 404. */
static void respond_profile(quill_req *req, quill_res *res, quill_str username, int64_t viewer) {
    quill_stmt *st = db_stmt(ST_PROFILE);
    if (st == NULL) {
        render_db_error(res);
        return;
    }
    quill_stmt_bind_text(st, 1, username.ptr, username.len);
    if (viewer) db_bind_int(st, 2, viewer);
    int rc = quill_stmt_step(st);
    if (rc == QUILL_DB_ROW) {
        quill_jw w;
        quill_jw_init(&w, quill_req_arena(req));
        quill_jw_obj(&w);
        quill_jw_key(&w, "profile");
        render_profile_cols(&w, st, 1);
        quill_jw_end(&w);
        quill_jw_respond(&w, res, 200);
    } else if (rc == QUILL_DB_DONE) {
        render_error(res, 404, "profile", "not found");
    } else {
        render_db_error(res);
    }
    quill_stmt_reset(st);
}

/* The id of `username`: >0, 0 after answering 404, -1 after answering 500. */
static int64_t profile_id(quill_res *res, quill_str username) {
    quill_stmt *st = db_stmt(ST_PROFILE);
    if (st == NULL) {
        render_db_error(res);
        return -1;
    }
    quill_stmt_bind_text(st, 1, username.ptr, username.len);
    int rc = quill_stmt_step(st);
    int64_t id = rc == QUILL_DB_ROW ? quill_stmt_int64(st, 0) : 0;
    quill_stmt_reset(st);
    if (rc == QUILL_DB_DONE) render_error(res, 404, "profile", "not found");
    if (rc != QUILL_DB_ROW && rc != QUILL_DB_DONE) {
        render_db_error(res);
        return -1;
    }
    return id;
}

/* GET /api/profiles/<username> */
static void profile_get(quill_req *req, quill_res *res) {
    const struct blog_user *me;
    if (auth_optional(req, res, &me) != 0) return;
    respond_profile(req, res, quill_req_param(req, "username"), me ? me->id : 0);
}

static void follow_change(quill_req *req, quill_res *res, enum stmt_id op) {
    const struct blog_user *me = auth_required(req, res);
    if (me == NULL) return;
    quill_str username = quill_req_param(req, "username");
    int64_t id = profile_id(res, username);
    if (id <= 0) return;
    quill_stmt *st = db_stmt(op);
    if (st == NULL) {
        render_db_error(res);
        return;
    }
    db_bind_int(st, 1, me->id);
    db_bind_int(st, 2, id);
    if (db_exec(st) != QUILL_DB_DONE) {
        render_db_error(res);
        return;
    }
    respond_profile(req, res, username, me->id);
}

/* POST /api/profiles/<username>/follow (the body is ignored) */
static void profile_follow(quill_req *req, quill_res *res) {
    follow_change(req, res, ST_FOLLOW);
}

/* DELETE /api/profiles/<username>/follow */
static void profile_unfollow(quill_req *req, quill_res *res) {
    follow_change(req, res, ST_UNFOLLOW);
}

void profiles_blueprint(quill_app *app) {
    quill_blueprint *bp = quill_blueprint_new(app, "/api");
    quill_bp_before_request(bp, auth_before_request);
    quill_bp_route(bp, "GET", "/profiles/<username>", profile_get);
    quill_bp_route(bp, "POST", "/profiles/<username>/follow", profile_follow);
    quill_bp_route(bp, "DELETE", "/profiles/<username>/follow", profile_unfollow);
}
