/* tags blueprint: GET /api/tags (endpoint 19; no authentication). */
#include "blog.h"

/* GET /api/tags: SQLite builds the sorted JSON array of distinct tags in one query. */
static void tags_list(quill_req *req, quill_res *res) {
    quill_stmt *st = db_stmt(ST_TAGS_ALL);
    if (st == NULL || quill_stmt_step(st) != QUILL_DB_ROW) {
        if (st) quill_stmt_reset(st);
        render_db_error(res);
        return;
    }
    quill_jw w;
    quill_jw_init(&w, quill_req_arena(req));
    quill_jw_obj(&w);
    quill_jw_key(&w, "tags");
    quill_str tags = quill_stmt_text(st, 0);
    if (tags.ptr)
        quill_jw_raw(&w, tags.ptr, tags.len);
    else
        quill_jw_raw(&w, "[]", 2);
    quill_jw_end(&w);
    quill_stmt_reset(st);
    quill_jw_respond(&w, res, 200);
}

void tags_blueprint(quill_app *app) {
    quill_blueprint *bp = quill_blueprint_new(app, "/api");
    quill_bp_route(bp, "GET", "/tags", tags_list);
}
