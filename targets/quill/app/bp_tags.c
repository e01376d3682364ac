/* tags blueprint: GET /api/tags (endpoint 19; no authentication). */
#include "blog.h"

/* GET /api/tags: SQLite builds the sorted JSON array of distinct tags in one query. */
static void tags_list(quill_req *req, quill_res *res) {
    sqlite3_stmt *st = db_stmt(ST_TAGS_ALL);
    if (st == NULL || sqlite3_step(st) != SQLITE_ROW) {
        if (st) sqlite3_reset(st);
        render_db_error(res);
        return;
    }
    quill_jw w;
    quill_jw_init(&w, quill_req_arena(req));
    quill_jw_obj(&w);
    quill_jw_key(&w, "tags");
    const unsigned char *tags = sqlite3_column_text(st, 0);
    if (tags)
        quill_jw_raw(&w, (const char *)tags, (size_t)sqlite3_column_bytes(st, 0));
    else
        quill_jw_raw(&w, "[]", 2);
    quill_jw_end(&w);
    sqlite3_reset(st);
    quill_jw_respond(&w, res, 200);
}

void tags_blueprint(quill_app *app) {
    quill_blueprint *bp = quill_blueprint_new(app, "/api");
    quill_bp_route(bp, "GET", "/tags", tags_list);
}
