/* pages blueprint: the overhead endpoints /plaintext and /json (TechEmpower semantics) and the
 * server-rendered page / (the fortunes analogue and the web app's home page), rendered by quill's
 * template engine from templates/index.html inside the web layout (web.c), which the build
 * compiles into the binary (templates.c). */
#include "clock.h"
#include "web.h"

/* GET /plaintext */
static void page_plaintext(quill_req *req, quill_res *res) {
    (void)req;
    static const char hello[] = "Hello, World!";
    quill_res_body_ref(res, 200, QUILL_CT_TEXT, hello, sizeof hello - 1);
}

/* GET /json: a fresh object serialized per request, as the benchmark's rules require. */
static void page_json(quill_req *req, quill_res *res) {
    quill_jw w;
    quill_jw_init(&w, quill_req_arena(req));
    quill_jw_obj(&w);
    quill_jw_key(&w, "message");
    quill_jw_str(&w, "Hello, World!");
    quill_jw_end(&w);
    quill_jw_respond(&w, res, 200);
}

static void json_free(void *p) {
    cJSON_Delete(p);
}

/* GET /: the 20 newest articles (title, author, createdAt, a link to each), escaped by the
 * template engine, with the web app's nav and flash messages. */
static void page_index(quill_req *req, quill_res *res) {
    cJSON *ctx = cJSON_CreateObject();
    cJSON *list = ctx ? cJSON_AddArrayToObject(ctx, "articles") : NULL;
    if (list == NULL || quill_arena_defer(quill_req_arena(req), json_free, ctx) != 0) {
        cJSON_Delete(ctx);
        render_error(res, 500, "server", "out of memory");
        return;
    }
    quill_stmt *st = db_stmt(ST_PAGE_ARTICLES);
    if (st == NULL) {
        render_db_error(res);
        return;
    }
    int rc;
    while ((rc = quill_stmt_step(st)) == QUILL_DB_ROW) {
        char iso[CLOCK_ISO_LEN + 1];
        clock_format_iso(quill_stmt_int64(st, 2), iso, sizeof iso);
        cJSON *row = cJSON_CreateObject();
        if (row == NULL) break;
        cJSON_AddItemToArray(list, row);
        cJSON_AddStringToObject(row, "title", quill_stmt_text(st, 0).ptr);
        cJSON_AddStringToObject(row, "username", quill_stmt_text(st, 1).ptr);
        cJSON_AddStringToObject(row, "createdAt", iso);
        cJSON_AddStringToObject(row, "slug", quill_stmt_text(st, 3).ptr);
    }
    quill_stmt_reset(st);
    if (rc != QUILL_DB_DONE) {
        render_db_error(res);
        return;
    }
    web_home(req, res, ctx);
}

void pages_blueprint(quill_app *app) {
    quill_blueprint *bp = quill_blueprint_new(app, "");
    quill_bp_route(bp, "GET", "/plaintext", page_plaintext);
    quill_bp_route(bp, "GET", "/json", page_json);
    quill_bp_route(bp, "GET", "/", page_index);
}
