/* comments blueprint: add, list, delete (endpoints 14-16). */
#include "blog.h"
#include "clock.h"

/* The id of the article `slug`, and its author: 0, or -1 after answering 404 / 500. */
static int article_of(quill_req *req, quill_res *res, int64_t *id) {
    quill_str slug = quill_req_param(req, "slug");
    quill_stmt *st = db_stmt(ST_ARTICLE_META);
    if (st == NULL) {
        render_db_error(res);
        return -1;
    }
    quill_stmt_bind_text(st, 1, slug.ptr, slug.len);
    int rc = quill_stmt_step(st);
    if (rc == QUILL_DB_ROW) *id = quill_stmt_int64(st, 0);
    quill_stmt_reset(st);
    if (rc == QUILL_DB_ROW) return 0;
    if (rc == QUILL_DB_DONE)
        render_error(res, 404, "article", "not found");
    else
        render_db_error(res);
    return -1;
}

/* The comment's insert and its answer, inside the caller's statement group. 0, or -1 after
 * answering (404 / 422 / 500); on 0, w holds the answer. */
static int comment_insert(quill_req *req, quill_res *res, const struct blog_user *me, quill_jw *w) {
    int64_t article;
    if (article_of(req, res, &article) != 0) return -1;
    cJSON *in = request_wrapper(req, res, "comment");
    if (in == NULL) return -1;
    struct errors e = {0};
    const char *body = field_required(in, "body", &e);
    if (e.n) {
        render_errors(res, 422, &e);
        return -1;
    }
    quill_stmt *st = db_stmt(ST_COMMENT_INSERT);
    if (st == NULL) {
        render_db_error(res);
        return -1;
    }
    db_bind_int(st, 1, article);
    db_bind_int(st, 2, me->id);
    db_bind_text(st, 3, body);
    db_bind_int(st, 4, clock_now_ms());
    int64_t id = db_insert(st);
    if (id == QUILL_DB_CONSTRAINT) { /* the article was deleted meanwhile (foreign key) */
        render_error(res, 404, "article", "not found");
        return -1;
    }
    if (id < 0 || (st = db_stmt(ST_COMMENT_BY_ID)) == NULL) {
        render_db_error(res);
        return -1;
    }
    db_bind_int(st, 1, me->id);
    db_bind_int(st, 2, id);
    int rc = quill_stmt_step(st);
    if (rc == QUILL_DB_ROW) {
        quill_jw_init(w, quill_req_arena(req));
        quill_jw_obj(w);
        quill_jw_key(w, "comment");
        render_comment_obj(w, st); /* copies the row into the arena */
        quill_jw_end(w);
    }
    quill_stmt_reset(st);
    if (rc == QUILL_DB_ROW) return 0;
    render_db_error(res);
    return -1;
}

/* POST /api/articles/<slug>/comments */
static void comment_add(quill_req *req, quill_res *res) {
    const struct blog_user *me = auth_required(req, res);
    if (me == NULL) return;
    if (db_group_begin() != 0) {
        render_db_error(res);
        return;
    }
    quill_jw w;
    int rc = comment_insert(req, res, me, &w);
    /* Answered only once committed: an acknowledged comment is a durable one. */
    if (db_group_end(rc == 0) != 0) {
        render_db_error(res);
        return;
    }
    if (rc == 0) quill_jw_respond(&w, res, 201);
}

/* GET /api/articles/<slug>/comments */
static void comment_list(quill_req *req, quill_res *res) {
    const struct blog_user *me;
    int64_t article;
    if (auth_optional(req, res, &me) != 0 || article_of(req, res, &article) != 0) return;
    quill_stmt *st = db_stmt(ST_COMMENTS_OF);
    if (st == NULL) {
        render_db_error(res);
        return;
    }
    if (me) db_bind_int(st, 1, me->id);
    db_bind_int(st, 2, article);
    quill_jw w;
    quill_jw_init(&w, quill_req_arena(req));
    quill_jw_obj(&w);
    quill_jw_key(&w, "comments");
    quill_jw_arr(&w);
    int rc;
    while ((rc = quill_stmt_step(st)) == QUILL_DB_ROW) render_comment_obj(&w, st);
    quill_stmt_reset(st);
    if (rc != QUILL_DB_DONE) {
        render_db_error(res);
        return;
    }
    quill_jw_end(&w);
    quill_jw_end(&w);
    quill_jw_respond(&w, res, 200);
}

/* The comment id of the path: `^[0-9]+$` within int64 (ruling 11). 0 or -1. */
static int comment_id(quill_req *req, int64_t *id) {
    quill_str s = quill_req_param(req, "id");
    // parity-ruling: 11 ^[0-9]+$ within int64: longer is no id
    if (s.ptr == NULL || s.len == 0 || s.len > 18) return -1; /* 18 digits always fit */
    int64_t v = 0;
    for (size_t i = 0; i < s.len; i++) {
        if (s.ptr[i] < '0' || s.ptr[i] > '9') return -1;
        v = v * 10 + (s.ptr[i] - '0');
    }
    *id = v;
    return 0;
}

/* DELETE /api/articles/<slug>/comments/<id> */
static void comment_delete(quill_req *req, quill_res *res) {
    const struct blog_user *me = auth_required(req, res);
    int64_t article, id;
    if (me == NULL || article_of(req, res, &article) != 0) return;
    if (comment_id(req, &id) != 0) {
        render_error(res, 404, "comment", "not found");
        return;
    }
    quill_stmt *st = db_stmt(ST_COMMENT_META);
    if (st == NULL) {
        render_db_error(res);
        return;
    }
    db_bind_int(st, 1, id);
    int rc = quill_stmt_step(st);
    int64_t of_article = rc == QUILL_DB_ROW ? quill_stmt_int64(st, 0) : 0;
    int64_t author = rc == QUILL_DB_ROW ? quill_stmt_int64(st, 1) : 0;
    quill_stmt_reset(st);
    if (rc != QUILL_DB_ROW && rc != QUILL_DB_DONE) {
        render_db_error(res);
        return;
    }
    if (rc == QUILL_DB_DONE || of_article != article) {
        render_error(res, 404, "comment", "not found");
        return;
    }
    if (author != me->id) {
        render_error(res, 403, "comment", "forbidden");
        return;
    }
    if (db_delete_by_id(ST_COMMENT_DELETE, id) != 0) {
        render_db_error(res);
        return;
    }
    quill_res_empty(res, 204);
}

void comments_blueprint(quill_app *app) {
    quill_blueprint *bp = quill_blueprint_new(app, "/api");
    quill_bp_before_request(bp, auth_before_request);
    quill_bp_route(bp, "POST", "/articles/<slug>/comments", comment_add);
    quill_bp_route(bp, "GET", "/articles/<slug>/comments", comment_list);
    quill_bp_route(bp, "DELETE", "/articles/<slug>/comments/<id>", comment_delete);
}
