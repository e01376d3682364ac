/* web pages: the editor, the article page, comments (contract section 7).
 *
 * Same data layer as the API: article_store_create / article_store_update (bp_articles.c) and
 * the statements of db.c, so an article published here is the API's article, tags and
 * timestamps included. Checks in the contract's order: CSRF (the blueprint's hook), signed in
 * (303 to /login), 404, 403 (not the author), validation (422, the form re-rendered). */
#include <string.h>

#include "clock.h"
#include "web.h"

static const char *const editor_fields[] = {"title", "description", "body", "tags", NULL};

/* The article id and author of the path's <slug>: 0, or -1 after answering 404 / 500. */
static int article_meta(quill_req *req, quill_res *res, int64_t *id, int64_t *author) {
    quill_str slug = quill_req_param(req, "slug");
    quill_stmt *st = db_stmt(ST_ARTICLE_META);
    if (st == NULL) {
        quill_abort(req, res, 500);
        return -1;
    }
    quill_stmt_bind_text(st, 1, slug.ptr, slug.len);
    int rc = quill_stmt_step(st);
    if (rc == QUILL_DB_ROW) {
        *id = quill_stmt_int64(st, 0);
        *author = quill_stmt_int64(st, 1);
    }
    quill_stmt_reset(st);
    if (rc == QUILL_DB_ROW) return 0;
    quill_abort(req, res, rc == QUILL_DB_DONE ? 404 : 500);
    return -1;
}

/* The article of the route's <slug> when `me` wrote it: 0 with its id, else -1 after a 404 (no
 * such article) or a 403 (someone else's), as every author-only page answers. */
static int own_article(quill_req *req, quill_res *res, const struct web_user *me, int64_t *id) {
    int64_t author;
    if (article_meta(req, res, id, &author) != 0) return -1;
    if (author == me->id) return 0;
    quill_abort(req, res, 403);
    return -1;
}

/* Splits the editor's space-separated tags (ASCII whitespace) into arena strings. The store
 * de-duplicates them and the tags' index keeps them sorted, as for the API's tagList. */
static const char **split_tags(quill_req *req, quill_str s, int *n) {
    *n = 0;
    const char **tags = quill_arena_calloc(quill_req_arena(req), s.len / 2 + 1, sizeof *tags);
    if (tags == NULL) return NULL;
    for (size_t i = 0; i < s.len;) {
        while (i < s.len && strchr(" \t\n\v\f\r", s.ptr[i]) && s.ptr[i]) i++;
        size_t start = i;
        while (i < s.len && !(strchr(" \t\n\v\f\r", s.ptr[i]) && s.ptr[i])) i++;
        if (i > start)
            tags[(*n)++] = quill_arena_strndup(quill_req_arena(req), s.ptr + start, i - start);
        if (*n && tags[*n - 1] == NULL) return NULL;
    }
    return tags;
}

/* Renders the editor for `slug` (NULL: a new article) with `form` and `errors` (may be NULL). */
static void render_editor(quill_req *req, quill_res *res, int status, const char *slug, cJSON *form,
                          cJSON *errors) {
    cJSON *ctx = web_context(req);
    const char *action =
        slug ? quill_arena_printf(quill_req_arena(req), "/editor/%s", slug) : "/editor";
    if (ctx == NULL || form == NULL || action == NULL ||
        !cJSON_AddStringToObject(ctx, "action", action) ||
        (slug && !cJSON_AddStringToObject(ctx, "slug", slug))) {
        quill_abort(req, res, 500);
        return;
    }
    cJSON_AddItemReferenceToObject(ctx, "form", form);
    if (errors) cJSON_AddItemReferenceToObject(ctx, "errors", errors);
    web_render(req, res, status, WEB_TPL_EDITOR, ctx);
}

/* GET /editor */
static void editor_new(quill_req *req, quill_res *res) {
    if (web_login_required(req, res) == NULL) return;
    render_editor(req, res, 200, NULL, quill_form_values(req, editor_fields), NULL);
}

/* Reads the editor's fields; NULL errors list when valid. */
static cJSON *editor_errors(quill_req *req, quill_str *title, quill_str *description,
                            quill_str *body) {
    quill_form_errors e = {0};
    *title = quill_form_required(req, &e, "title");
    *description = quill_form_required(req, &e, "description");
    *body = quill_form_required(req, &e, "body");
    return e.n ? quill_form_errors_json(req, &e) : NULL;
}

/* POST /editor */
static void editor_create(quill_req *req, quill_res *res) {
    const struct web_user *me = web_login_required(req, res);
    if (me == NULL) return;
    quill_str title, description, body;
    cJSON *errors = editor_errors(req, &title, &description, &body);
    if (errors) {
        render_editor(req, res, 422, NULL, quill_form_values(req, editor_fields), errors);
        return;
    }
    int ntags;
    const char **tags = split_tags(req, quill_form_get(req, "tags"), &ntags);
    int64_t id;
    const char *slug;
    if (tags == NULL || article_store_create(req, me->id, title.ptr, description.ptr, body.ptr,
                                             tags, ntags, &id, &slug) != 0) {
        quill_abort(req, res, 500);
        return;
    }
    quill_flash(req, "Article published.");
    quill_redirect(res, 303, quill_arena_printf(quill_req_arena(req), "/article/%s", slug));
}

/* GET /editor/<slug>: the form pre-filled, tags space-separated in their stored (sorted) order. */
static void editor_edit(quill_req *req, quill_res *res) {
    const struct web_user *me = web_login_required(req, res);
    int64_t id;
    if (me == NULL || own_article(req, res, me, &id) != 0) return;
    quill_stmt *st = db_stmt(ST_ARTICLE_BY_ID);
    cJSON *form = web_context(req);
    if (st == NULL || form == NULL) {
        quill_abort(req, res, 500);
        return;
    }
    db_bind_int(st, 1, me->id);
    db_bind_int(st, 2, id);
    if (quill_stmt_step(st) != QUILL_DB_ROW) {
        quill_stmt_reset(st);
        quill_abort(req, res, 404);
        return;
    }
    cJSON_AddStringToObject(form, "title", quill_stmt_text(st, AC_TITLE).ptr);
    cJSON_AddStringToObject(form, "description", quill_stmt_text(st, AC_DESCRIPTION).ptr);
    cJSON_AddStringToObject(form, "body", quill_stmt_text(st, AC_BODY).ptr);
    cJSON *tags = cJSON_Parse(quill_stmt_text(st, AC_TAGS).ptr);
    quill_stmt_reset(st);
    quill_buf joined;
    quill_buf_init(&joined, quill_req_arena(req));
    quill_buf_puts(&joined, "");
    const cJSON *t;
    cJSON_ArrayForEach(t, tags) {
        if (joined.len) quill_buf_putc(&joined, ' ');
        if (cJSON_IsString(t)) quill_buf_puts(&joined, t->valuestring);
    }
    cJSON_Delete(tags);
    if (joined.failed || !cJSON_AddStringToObject(form, "tags", joined.ptr)) {
        quill_abort(req, res, 500);
        return;
    }
    render_editor(req, res, 200, quill_req_param(req, "slug").ptr, form, NULL);
}

/* POST /editor/<slug> */
static void editor_update(quill_req *req, quill_res *res) {
    const struct web_user *me = web_login_required(req, res);
    int64_t id;
    if (me == NULL || own_article(req, res, me, &id) != 0) return;
    const char *slug = quill_req_param(req, "slug").ptr;
    quill_str title, description, body;
    cJSON *errors = editor_errors(req, &title, &description, &body);
    if (errors) {
        render_editor(req, res, 422, slug, quill_form_values(req, editor_fields), errors);
        return;
    }
    int ntags;
    const char **tags = split_tags(req, quill_form_get(req, "tags"), &ntags);
    if (tags == NULL ||
        article_store_update(id, title.ptr, description.ptr, body.ptr, true, tags, ntags) != 0) {
        quill_abort(req, res, 500);
        return;
    }
    quill_flash(req, "Article updated.");
    quill_redirect(res, 303, quill_arena_printf(quill_req_arena(req), "/article/%s", slug));
}

/* POST /article/<slug>/delete */
static void article_delete(quill_req *req, quill_res *res) {
    const struct web_user *me = web_login_required(req, res);
    int64_t id;
    if (me == NULL || own_article(req, res, me, &id) != 0) return;
    if (db_delete_by_id(ST_ARTICLE_DELETE, id) != 0) {
        quill_abort(req, res, 500);
        return;
    }
    quill_flash(req, "Article deleted.");
    quill_redirect(res, 303, "/");
}

static char *iso(quill_req *req, int64_t ms) {
    char *out = quill_arena_alloc(quill_req_arena(req), CLOCK_ISO_LEN + 1);
    if (out) clock_format_iso(ms, out, CLOCK_ISO_LEN + 1);
    return out;
}

static const char *col_text(quill_stmt *st, int col) {
    const char *s = quill_stmt_text(st, col).ptr;
    return s ? s : "";
}

/* The article page: the article, its comments newest first, and for a signed-in user the comment
 * form (with `errors` and the submitted body after a failed comment). */
static void render_article(quill_req *req, quill_res *res, int status, cJSON *errors) {
    const struct web_user *me = web_user(req);
    quill_str slug = quill_req_param(req, "slug");
    cJSON *ctx = web_context(req);
    quill_stmt *st = ctx ? db_stmt(ST_ARTICLE_BY_SLUG) : NULL;
    if (st == NULL) {
        quill_abort(req, res, 500);
        return;
    }
    if (me) db_bind_int(st, 1, me->id);
    quill_stmt_bind_text(st, 2, slug.ptr, slug.len);
    int rc = quill_stmt_step(st);
    if (rc != QUILL_DB_ROW) {
        quill_stmt_reset(st);
        quill_abort(req, res, rc == QUILL_DB_DONE ? 404 : 500);
        return;
    }
    int64_t article_id = quill_stmt_int64(st, AC_ID);
    cJSON *a = cJSON_AddObjectToObject(ctx, "article");
    const char *author = col_text(st, AC_USERNAME);
    bool mine = me && strcmp(author, me->username) == 0;
    if (a) {
        cJSON_AddStringToObject(a, "slug", col_text(st, AC_SLUG));
        cJSON_AddStringToObject(a, "title", col_text(st, AC_TITLE));
        cJSON_AddStringToObject(a, "body", col_text(st, AC_BODY));
        cJSON_AddStringToObject(a, "author", author);
        const char *created = iso(req, quill_stmt_int64(st, AC_CREATED));
        cJSON_AddStringToObject(a, "createdAt", created ? created : "");
        cJSON *tags = cJSON_Parse(col_text(st, AC_TAGS));
        if (cJSON_IsArray(tags))
            cJSON_AddItemToObject(a, "tags", tags);
        else
            cJSON_Delete(tags);
    }
    quill_stmt_reset(st);
    cJSON_AddBoolToObject(ctx, "mine", mine);
    cJSON *list = cJSON_AddArrayToObject(ctx, "comments");
    st = list ? db_stmt(ST_COMMENTS_OF_DESC) : NULL;
    if (a == NULL || st == NULL) {
        quill_abort(req, res, 500);
        return;
    }
    if (me) db_bind_int(st, 1, me->id);
    db_bind_int(st, 2, article_id);
    while ((rc = quill_stmt_step(st)) == QUILL_DB_ROW) {
        cJSON *c = cJSON_CreateObject();
        if (c == NULL) break;
        cJSON_AddItemToArray(list, c);
        const char *who = col_text(st, CC_USERNAME);
        const char *created = iso(req, quill_stmt_int64(st, CC_CREATED));
        cJSON_AddNumberToObject(c, "id", (double)quill_stmt_int64(st, CC_ID));
        cJSON_AddStringToObject(c, "body", col_text(st, CC_BODY));
        cJSON_AddStringToObject(c, "author", who);
        cJSON_AddStringToObject(c, "createdAt", created ? created : "");
        cJSON_AddBoolToObject(c, "mine", me && strcmp(who, me->username) == 0);
    }
    quill_stmt_reset(st);
    if (rc != QUILL_DB_DONE) {
        quill_abort(req, res, 500);
        return;
    }
    if (errors) {
        static const char *const comment_fields[] = {"body", NULL};
        cJSON *form = quill_form_values(req, comment_fields);
        if (form) cJSON_AddItemReferenceToObject(ctx, "form", form);
        cJSON_AddItemReferenceToObject(ctx, "errors", errors);
    }
    web_render(req, res, status, WEB_TPL_ARTICLE, ctx);
}

/* GET /article/<slug> */
static void article_page(quill_req *req, quill_res *res) {
    render_article(req, res, 200, NULL);
}

/* POST /article/<slug>/comments */
static void comment_create(quill_req *req, quill_res *res) {
    const struct web_user *me = web_login_required(req, res);
    int64_t id, author;
    if (me == NULL || article_meta(req, res, &id, &author) != 0) return;
    quill_form_errors e = {0};
    quill_str body = quill_form_required(req, &e, "body");
    if (e.n) {
        render_article(req, res, 422, quill_form_errors_json(req, &e));
        return;
    }
    quill_stmt *st = db_stmt(ST_COMMENT_INSERT);
    if (st == NULL) {
        quill_abort(req, res, 500);
        return;
    }
    db_bind_int(st, 1, id);
    db_bind_int(st, 2, me->id);
    db_bind_text(st, 3, body.ptr);
    db_bind_int(st, 4, clock_now_ms());
    int64_t rc = db_insert(st);
    if (rc < 0) { /* a foreign-key failure: the article was deleted meanwhile */
        quill_abort(req, res, rc == QUILL_DB_CONSTRAINT ? 404 : 500);
        return;
    }
    long long cid = (long long)rc;
    quill_redirect(res, 303,
                   quill_arena_printf(quill_req_arena(req), "/article/%s#comment-%lld",
                                      quill_req_param(req, "slug").ptr, cid));
}

/* POST /article/<slug>/comments/<id>/delete */
static void comment_delete(quill_req *req, quill_res *res) {
    const struct web_user *me = web_login_required(req, res);
    int64_t article, author, cid;
    if (me == NULL || article_meta(req, res, &article, &author) != 0) return;
    quill_str s = quill_req_param(req, "id");
    if (param_parse_range(s.ptr, s.len, 0, INT64_MAX, &cid) != 0) {
        quill_abort(req, res, 404);
        return;
    }
    quill_stmt *st = db_stmt(ST_COMMENT_META);
    if (st == NULL) {
        quill_abort(req, res, 500);
        return;
    }
    db_bind_int(st, 1, cid);
    int rc = quill_stmt_step(st);
    int64_t of_article = rc == QUILL_DB_ROW ? quill_stmt_int64(st, 0) : 0;
    int64_t by = rc == QUILL_DB_ROW ? quill_stmt_int64(st, 1) : 0;
    quill_stmt_reset(st);
    if (rc != QUILL_DB_ROW && rc != QUILL_DB_DONE) {
        quill_abort(req, res, 500);
        return;
    }
    if (rc == QUILL_DB_DONE || of_article != article) {
        quill_abort(req, res, 404);
        return;
    }
    if (by != me->id) {
        quill_abort(req, res, 403);
        return;
    }
    if (db_delete_by_id(ST_COMMENT_DELETE, cid) != 0) {
        quill_abort(req, res, 500);
        return;
    }
    quill_redirect(
        res, 303,
        quill_arena_printf(quill_req_arena(req), "/article/%s", quill_req_param(req, "slug").ptr));
}

void web_articles_blueprint(quill_blueprint *bp) {
    quill_bp_route(bp, "GET", "/editor", editor_new);
    quill_bp_route(bp, "POST", "/editor", editor_create);
    quill_bp_route(bp, "GET", "/editor/<slug>", editor_edit);
    quill_bp_route(bp, "POST", "/editor/<slug>", editor_update);
    quill_bp_route(bp, "GET", "/article/<slug>", article_page);
    quill_bp_route(bp, "POST", "/article/<slug>/delete", article_delete);
    quill_bp_route(bp, "POST", "/article/<slug>/comments", comment_create);
    quill_bp_route(bp, "POST", "/article/<slug>/comments/<id>/delete", comment_delete);
}
