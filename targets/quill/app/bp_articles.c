/* articles blueprint: list, feed, create, get, update, delete, favorite (endpoints 8-13, 17-18).
 *
 * A list page costs the same statements whatever its size (article_list.c): the count, the page,
 * and one statement each for the page's tags, favorites and following flags. */
#include <string.h>

#include "blog.h"
#include "clock.h"
#include "slug.h"

/* Attempts at a fresh random slug suffix before giving up (a collision has p = n / 2^32). */
#define SLUG_ATTEMPTS 8
/* Longest tag list one body can hold: `""` and a comma per tag within the 1 MiB body cap. The
 * other targets have no limit of their own, so neither may this one (a 40000-tag list is valid). */
#define TAGS_MAX (1048576 / 3)

/* The id and author of the article `slug`: 0 and the ids, or -1 after answering 404 / 500. */
static int article_meta(quill_req *req, quill_res *res, int64_t *id, int64_t *author) {
    quill_str slug = quill_req_param(req, "slug");
    quill_stmt *st = db_stmt(ST_ARTICLE_META);
    if (st == NULL) {
        render_db_error(res);
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
    if (rc == QUILL_DB_DONE)
        render_error(res, 404, "article", "not found");
    else
        render_db_error(res);
    return -1;
}

/* Reads `limit` and `offset` (ruling 9). 0, or -1 after answering 422. */
static int page_params(quill_req *req, quill_res *res, int64_t *limit, int64_t *offset) {
    struct errors e = {0};
    quill_str l = quill_req_arg(req, "limit"), o = quill_req_arg(req, "offset");
    *limit = 20;
    *offset = 0;
    if (l.ptr && param_parse_range(l.ptr, l.len, 1, 100, limit) != 0)
        errors_add(&e, "limit", MSG_INVALID);
    if (o.ptr && param_parse_range(o.ptr, o.len, 0, INT64_MAX, offset) != 0)
        errors_add(&e, "offset", MSG_INVALID);
    if (e.n == 0) return 0;
    render_errors(res, 422, &e);
    return -1;
}

static void bind_slice(quill_stmt *st, int idx, quill_str s) {
    if (s.ptr) quill_stmt_bind_text(st, idx, s.ptr, s.len);
}

/* GET /api/articles?tag=&author=&favorited=&limit=&offset= */
static void article_list(quill_req *req, quill_res *res) {
    const struct blog_user *me;
    int64_t limit, offset;
    if (auth_optional(req, res, &me) != 0 || page_params(req, res, &limit, &offset) != 0) return;
    quill_str tag = quill_req_arg(req, "tag"), author = quill_req_arg(req, "author"),
              fav = quill_req_arg(req, "favorited");
    int mask =
        (tag.ptr ? LIST_TAG : 0) | (author.ptr ? LIST_AUTHOR : 0) | (fav.ptr ? LIST_FAVORITED : 0);
    quill_stmt *list = db_stmt((enum stmt_id)(ST_LIST + mask));
    quill_stmt *count = db_stmt((enum stmt_id)(ST_COUNT + mask));
    if (list == NULL || count == NULL) {
        render_db_error(res);
        return;
    }
    quill_stmt *both[2] = {list, count};
    for (int i = 0; i < 2; i++) {
        /* The count statement has no ?1/?5/?6; binding absent parameters is a no-op error. */
        bind_slice(both[i], 2, tag);
        bind_slice(both[i], 3, author);
        bind_slice(both[i], 4, fav);
    }
    db_bind_int(list, 5, limit);
    db_bind_int(list, 6, offset);
    list_respond(req, res, list, count, me ? me->id : 0, limit);
}

/* GET /api/articles/feed */
static void article_feed(quill_req *req, quill_res *res) {
    const struct blog_user *me = auth_required(req, res);
    int64_t limit, offset;
    if (me == NULL || page_params(req, res, &limit, &offset) != 0) return;
    quill_stmt *list = db_stmt(ST_FEED_LIST);
    quill_stmt *count = db_stmt(ST_FEED_COUNT);
    if (list == NULL || count == NULL) {
        render_db_error(res);
        return;
    }
    db_bind_int(list, 1, me->id);
    db_bind_int(count, 1, me->id);
    db_bind_int(list, 5, limit);
    db_bind_int(list, 6, offset);
    list_respond(req, res, list, count, me->id, limit);
}

/* GET /api/articles/<slug> */
static void article_get(quill_req *req, quill_res *res) {
    const struct blog_user *me;
    if (auth_optional(req, res, &me) != 0) return;
    quill_str slug = quill_req_param(req, "slug");
    quill_stmt *st = db_stmt(ST_ARTICLE_BY_SLUG);
    if (st == NULL) {
        render_db_error(res);
        return;
    }
    if (me) db_bind_int(st, 1, me->id);
    quill_stmt_bind_text(st, 2, slug.ptr, slug.len);
    int rc = quill_stmt_step(st);
    if (rc == QUILL_DB_ROW) {
        quill_jw w;
        quill_jw_init(&w, quill_req_arena(req));
        quill_jw_obj(&w);
        quill_jw_key(&w, "article");
        render_article_obj(&w, st, true);
        quill_jw_end(&w);
        quill_jw_respond(&w, res, 200);
    } else if (rc == QUILL_DB_DONE) {
        render_error(res, 404, "article", "not found");
    } else {
        render_db_error(res);
    }
    quill_stmt_reset(st);
}

/* A validated tagList: `n` strings (duplicates are dropped by the tags' primary key; the order
 * comes from the index). `set` is false when the key was absent. */
struct tag_list {
    bool set;
    int n;
    const char **tags;
};

/* Reads tagList (ruling 7): absent keeps, a list of strings replaces, anything else is invalid. */
static void read_tags(quill_req *req, const cJSON *in, struct tag_list *t, struct errors *e) {
    const cJSON *list = json_member(in, "tagList");
    if (list == NULL) return;
    int n = cJSON_IsArray(list) ? cJSON_GetArraySize(list) : -1;
    if (n < 0 || n > TAGS_MAX) {
        errors_add(e, "tagList", MSG_INVALID);
        return;
    }
    t->tags = quill_arena_calloc(quill_req_arena(req), (size_t)n + 1, sizeof *t->tags);
    if (t->tags == NULL) {
        errors_add(e, "tagList", MSG_INVALID);
        return;
    }
    const cJSON *item;
    cJSON_ArrayForEach(item, list) {
        if (!cJSON_IsString(item)) {
            errors_add(e, "tagList", MSG_INVALID);
            return;
        }
        t->tags[t->n++] = item->valuestring;
    }
    t->set = true;
}

/* Inserts the tags of article `id` (inside the caller's transaction). 0 or -1. */
static int insert_tags(int64_t id, const char *const *tags, int n) {
    for (int i = 0; i < n; i++) {
        quill_stmt *st = db_stmt(ST_TAG_INSERT);
        if (st == NULL) return -1;
        db_bind_int(st, 1, id);
        db_bind_text(st, 2, tags[i]);
        if (db_exec(st) != QUILL_DB_DONE) return -1;
    }
    return 0;
}

/* Inserts the article with a fresh slug; retries on the (unlikely) slug collision. Returns the
 * new id (and its slug in *slug_out, arena), or -1. Runs inside the caller's transaction. */
static int64_t insert_article(quill_req *req, int64_t author, const char *title,
                              const char *description, const char *body, const char **slug_out) {
    size_t tlen = strlen(title);
    char *slug = quill_arena_alloc(quill_req_arena(req), SLUG_CAP(tlen));
    if (slug == NULL) return -1;
    int64_t now = clock_now_ms();
    for (int attempt = 0; attempt < SLUG_ATTEMPTS; attempt++) {
        char suffix[SLUG_SUFFIX_LEN];
        if (slug_random_suffix(suffix) != 0) return -1;
        slug_build(title, tlen, suffix, slug);
        quill_stmt *st = db_stmt(ST_ARTICLE_INSERT);
        if (st == NULL) return -1;
        db_bind_text(st, 1, slug);
        db_bind_text(st, 2, title);
        db_bind_text(st, 3, description);
        db_bind_text(st, 4, body);
        db_bind_int(st, 5, author);
        db_bind_int(st, 6, now);
        int64_t id = db_insert(st);
        if (id > 0) {
            *slug_out = slug;
            return id;
        }
        if (id != QUILL_DB_UNIQUE) return -1; /* PostgreSQL: ON CONFLICT (slug), no row */
    }
    return -1;
}

int article_store_create(quill_req *req, int64_t author, const char *title, const char *description,
                         const char *body, const char *const *tags, int ntags, int64_t *id,
                         const char **slug) {
    if (db_begin() != 0) return -1;
    *id = insert_article(req, author, title, description, body, slug);
    if (*id < 0 || insert_tags(*id, tags, ntags) != 0 || db_commit() != 0) {
        db_rollback();
        return -1;
    }
    return 0;
}

int article_store_update(int64_t id, const char *title, const char *description, const char *body,
                         bool replace_tags, const char *const *tags, int ntags) {
    if (db_begin() != 0) return -1;
    quill_stmt *st = db_stmt(ST_ARTICLE_UPDATE);
    int ok = st != NULL;
    if (ok) {
        db_bind_int(st, 1, id);
        db_bind_int(st, 2, clock_now_ms());
        db_bind_int(st, 3, title != NULL);
        db_bind_text(st, 4, title);
        db_bind_int(st, 5, description != NULL);
        db_bind_text(st, 6, description);
        db_bind_int(st, 7, body != NULL);
        db_bind_text(st, 8, body);
        ok = db_exec(st) == QUILL_DB_DONE;
    }
    if (ok && replace_tags) {
        quill_stmt *clear = db_stmt(ST_TAGS_CLEAR);
        ok = clear != NULL;
        if (ok) {
            db_bind_int(clear, 1, id);
            ok = db_exec(clear) == QUILL_DB_DONE && insert_tags(id, tags, ntags) == 0;
        }
    }
    if (!ok || db_commit() != 0) {
        db_rollback();
        return -1;
    }
    return 0;
}

/* POST /api/articles */
static void article_create(quill_req *req, quill_res *res) {
    const struct blog_user *me = auth_required(req, res);
    if (me == NULL) return;
    cJSON *in = request_wrapper(req, res, "article");
    if (in == NULL) return;
    struct errors e = {0};
    const char *title = field_required(in, "title", &e);
    const char *description = field_required(in, "description", &e);
    const char *body = field_required(in, "body", &e);
    struct tag_list tags = {0};
    read_tags(req, in, &tags, &e);
    if (e.n) {
        render_errors(res, 422, &e);
        return;
    }
    int64_t id;
    const char *slug;
    if (article_store_create(req, me->id, title, description, body, tags.tags, tags.n, &id,
                             &slug) != 0) {
        render_db_error(res);
        return;
    }
    render_article_by_id(req, res, id, me->id, 201);
}

/* One optional text field of PUT /api/articles/<slug>: absent keeps, a non-blank string sets,
 * null or blank is "can't be blank", another type "is invalid". */
static void read_text(const cJSON *in, const char *key, int *set, const char **val,
                      struct errors *e) {
    const char *v;
    switch (field_get(in, key, &v)) {
    case FIELD_ABSENT: return;
    case FIELD_STRING:
        if (!text_is_blank(v, strlen(v))) {
            *set = 1;
            *val = v;
            return;
        }
        errors_add(e, key, MSG_BLANK);
        return;
    case FIELD_NULL: errors_add(e, key, MSG_BLANK); return;
    case FIELD_OTHER: errors_add(e, key, MSG_INVALID); return;
    }
}

/* PUT /api/articles/<slug> */
static void article_update(quill_req *req, quill_res *res) {
    const struct blog_user *me = auth_required(req, res);
    int64_t id, author;
    if (me == NULL || article_meta(req, res, &id, &author) != 0) return;
    if (author != me->id) {
        render_error(res, 403, "article", "forbidden");
        return;
    }
    cJSON *in = request_wrapper(req, res, "article");
    if (in == NULL) return;
    struct errors e = {0};
    int set_title = 0, set_desc = 0, set_body = 0;
    const char *title = NULL, *description = NULL, *body = NULL;
    read_text(in, "title", &set_title, &title, &e);
    read_text(in, "description", &set_desc, &description, &e);
    read_text(in, "body", &set_body, &body, &e);
    struct tag_list tags = {0};
    read_tags(req, in, &tags, &e);
    if (e.n) {
        render_errors(res, 422, &e);
        return;
    }
    if (article_store_update(id, set_title ? title : NULL, set_desc ? description : NULL,
                             set_body ? body : NULL, tags.set, tags.tags, tags.n) != 0) {
        render_db_error(res);
        return;
    }
    render_article_by_id(req, res, id, me->id, 200);
}

/* DELETE /api/articles/<slug> */
static void article_delete(quill_req *req, quill_res *res) {
    const struct blog_user *me = auth_required(req, res);
    int64_t id, author;
    if (me == NULL || article_meta(req, res, &id, &author) != 0) return;
    if (author != me->id) {
        render_error(res, 403, "article", "forbidden");
        return;
    }
    if (db_delete_by_id(ST_ARTICLE_DELETE, id) != 0) {
        render_db_error(res);
        return;
    }
    quill_res_empty(res, 204);
}

static void favorite_change(quill_req *req, quill_res *res, enum stmt_id op) {
    const struct blog_user *me = auth_required(req, res);
    int64_t id, author;
    if (me == NULL || article_meta(req, res, &id, &author) != 0) return;
    quill_stmt *st = db_stmt(op);
    if (st == NULL) {
        render_db_error(res);
        return;
    }
    db_bind_int(st, 1, me->id);
    db_bind_int(st, 2, id);
    int rc = db_exec(st);
    if (rc == QUILL_DB_CONSTRAINT) { /* the article was deleted meanwhile (foreign key) */
        render_error(res, 404, "article", "not found");
        return;
    }
    if (rc != QUILL_DB_DONE) {
        render_db_error(res);
        return;
    }
    render_article_by_id(req, res, id, me->id, 200);
}

/* POST /api/articles/<slug>/favorite */
static void article_favorite(quill_req *req, quill_res *res) {
    favorite_change(req, res, ST_FAVORITE);
}

/* DELETE /api/articles/<slug>/favorite */
static void article_unfavorite(quill_req *req, quill_res *res) {
    favorite_change(req, res, ST_UNFAVORITE);
}

void articles_blueprint(quill_app *app) {
    quill_blueprint *bp = quill_blueprint_new(app, "/api");
    quill_bp_before_request(bp, auth_before_request);
    quill_bp_route(bp, "GET", "/articles", article_list);
    quill_bp_route(bp, "POST", "/articles", article_create);
    quill_bp_route(bp, "GET", "/articles/feed", article_feed);
    quill_bp_route(bp, "GET", "/articles/<slug>", article_get);
    quill_bp_route(bp, "PUT", "/articles/<slug>", article_update);
    quill_bp_route(bp, "DELETE", "/articles/<slug>", article_delete);
    quill_bp_route(bp, "POST", "/articles/<slug>/favorite", article_favorite);
    quill_bp_route(bp, "DELETE", "/articles/<slug>/favorite", article_unfavorite);
}
