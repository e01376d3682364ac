/* render: the contract's JSON objects, written with quill's streaming JSON writer straight from
 * SQLite rows (no intermediate structs, no cJSON trees on the hot paths). */
#include <stdint.h>
#include <stdio.h>

#include "blog.h"
#include "clock.h"

void render_errors(quill_res *res, int status, const struct errors *e) {
    /* Static keys and messages, none needing escapes: a fixed-size buffer is enough. */
    char out[1024];
    size_t n = (size_t)snprintf(out, sizeof out, "{\"errors\":{");
    for (int i = 0; i < e->n && n < sizeof out; i++)
        n += (size_t)snprintf(out + n, sizeof out - n, "%s\"%s\":[\"%s\"]", i ? "," : "", e->key[i],
                              e->msg[i]);
    if (n < sizeof out) n += (size_t)snprintf(out + n, sizeof out - n, "}}");
    if (n >= sizeof out) {
        quill_res_json(res, 500, "{\"errors\":{\"server\":[\"error too long\"]}}", 40);
        return;
    }
    quill_res_json(res, status, out, n);
}

void render_error(quill_res *res, int status, const char *key, const char *msg) {
    struct errors e = {0};
    errors_add(&e, key, msg);
    render_errors(res, status, &e);
}

void render_db_error(quill_res *res) {
    quill_db *db = db_conn();
    fprintf(stderr, "quill-blog: database error: %s\n", db ? quill_db_errmsg(db) : "no connection");
    render_error(res, 500, "server", "database error");
}

static void jw_col_text(quill_jw *w, quill_stmt *st, int col) {
    quill_str s = quill_stmt_text(st, col);
    if (s.ptr == NULL)
        quill_jw_null(w);
    else
        quill_jw_strn(w, s.ptr, s.len);
}

void render_time(quill_jw *w, int64_t ms) {
    /* The last value formatted by this thread: an article's updatedAt is usually its createdAt,
     * and a comment's always is (the calendar arithmetic was 3% of a list's instructions). */
    static _Thread_local int64_t last_ms = INT64_MIN;
    static _Thread_local char iso[CLOCK_ISO_LEN + 1];
    if (ms != last_ms) {
        if (clock_format_iso(ms, iso, sizeof iso) != 0) {
            quill_jw_null(w);
            return;
        }
        last_ms = ms;
    }
    quill_jw_strn(w, iso, CLOCK_ISO_LEN);
}

void render_user(quill_res *res, quill_req *req, int status, const struct blog_user *u,
                 const char *token) {
    quill_jw w;
    quill_jw_init(&w, quill_req_arena(req));
    quill_jw_obj(&w);
    quill_jw_key(&w, "user");
    quill_jw_obj(&w);
    quill_jw_key(&w, "email");
    quill_jw_str(&w, u->email);
    quill_jw_key(&w, "token");
    quill_jw_str(&w, token);
    quill_jw_key(&w, "username");
    quill_jw_str(&w, u->username);
    quill_jw_key(&w, "bio");
    quill_jw_str(&w, u->bio);
    quill_jw_key(&w, "image");
    quill_jw_str(&w, u->image);
    quill_jw_end(&w);
    quill_jw_end(&w);
    quill_jw_respond(&w, res, status);
}

void render_profile_cols(quill_jw *w, quill_stmt *st, int col) {
    quill_jw_obj(w);
    quill_jw_key(w, "username");
    jw_col_text(w, st, col);
    quill_jw_key(w, "bio");
    jw_col_text(w, st, col + 1);
    quill_jw_key(w, "image");
    jw_col_text(w, st, col + 2);
    quill_jw_key(w, "following");
    quill_jw_bool(w, (int)quill_stmt_int64(st, col + 3) != 0);
    quill_jw_end(w);
}

static void jw_slice(quill_jw *w, quill_str s) {
    if (s.ptr == NULL)
        quill_jw_null(w);
    else
        quill_jw_strn(w, s.ptr, s.len);
}

void render_article_view(quill_jw *w, const struct article_view *v, bool with_body) {
    quill_jw_obj(w);
    quill_jw_key(w, "slug");
    jw_slice(w, v->slug);
    quill_jw_key(w, "title");
    jw_slice(w, v->title);
    quill_jw_key(w, "description");
    jw_slice(w, v->description);
    if (with_body) {
        quill_jw_key(w, "body");
        jw_slice(w, v->body);
    }
    quill_jw_key(w, "tagList");
    if (v->tags_json.ptr)
        quill_jw_raw(w, v->tags_json.ptr, v->tags_json.len);
    else
        quill_jw_raw(w, "[]", 2);
    quill_jw_key(w, "createdAt");
    render_time(w, v->created);
    quill_jw_key(w, "updatedAt");
    render_time(w, v->updated);
    quill_jw_key(w, "favorited");
    quill_jw_bool(w, v->favorited);
    quill_jw_key(w, "favoritesCount");
    quill_jw_int(w, v->favorites);
    quill_jw_key(w, "author");
    quill_jw_obj(w);
    quill_jw_key(w, "username");
    jw_slice(w, v->username);
    quill_jw_key(w, "bio");
    jw_slice(w, v->bio);
    quill_jw_key(w, "image");
    jw_slice(w, v->image);
    quill_jw_key(w, "following");
    quill_jw_bool(w, v->following);
    quill_jw_end(w);
    quill_jw_end(w);
}

/* A column as a slice (valid until the statement steps or resets). */
static quill_str col_slice(quill_stmt *st, int col) {
    return quill_stmt_text(st, col); /* one call: ptr and length of the same conversion */
}

void render_article_obj(quill_jw *w, quill_stmt *st, bool with_body) {
    struct article_view v = {
        .slug = col_slice(st, AC_SLUG),
        .title = col_slice(st, AC_TITLE),
        .description = col_slice(st, AC_DESCRIPTION),
        .body = col_slice(st, AC_BODY),
        .username = col_slice(st, AC_USERNAME),
        .bio = col_slice(st, AC_BIO),
        .image = col_slice(st, AC_IMAGE),
        .tags_json = col_slice(st, AC_TAGS), /* json_group_array() of the sorted tags */
        .created = quill_stmt_int64(st, AC_CREATED),
        .updated = quill_stmt_int64(st, AC_UPDATED),
        .favorites = quill_stmt_int64(st, AC_FAVORITES_COUNT),
        .favorited = (int)quill_stmt_int64(st, AC_FAVORITED) != 0,
        .following = (int)quill_stmt_int64(st, AC_FOLLOWING) != 0,
    };
    render_article_view(w, &v, with_body);
}

void render_comment_obj(quill_jw *w, quill_stmt *st) {
    int64_t created = quill_stmt_int64(st, CC_CREATED);
    quill_jw_obj(w);
    quill_jw_key(w, "id");
    quill_jw_int(w, quill_stmt_int64(st, CC_ID));
    quill_jw_key(w, "createdAt");
    render_time(w, created);
    quill_jw_key(w, "updatedAt");
    render_time(w, created); /* comments are never edited: updatedAt == createdAt (ruling 11) */
    quill_jw_key(w, "body");
    jw_col_text(w, st, CC_BODY);
    quill_jw_key(w, "author");
    render_profile_cols(w, st, CC_USERNAME);
    quill_jw_end(w);
}

void render_article_by_id(quill_req *req, quill_res *res, int64_t id, int64_t viewer, int status) {
    quill_stmt *st = db_stmt(ST_ARTICLE_BY_ID);
    if (st == NULL) {
        render_db_error(res);
        return;
    }
    if (viewer) db_bind_int(st, 1, viewer);
    db_bind_int(st, 2, id);
    int rc = quill_stmt_step(st);
    if (rc == QUILL_DB_ROW) {
        quill_jw w;
        quill_jw_init(&w, quill_req_arena(req));
        quill_jw_obj(&w);
        quill_jw_key(&w, "article");
        render_article_obj(&w, st, true);
        quill_jw_end(&w);
        quill_jw_respond(&w, res, status);
    } else if (rc == QUILL_DB_DONE) {
        render_error(res, 404, "article", "not found");
    } else {
        render_db_error(res);
    }
    quill_stmt_reset(st);
}

static void json_free(void *p) {
    cJSON_Delete(p);
}

cJSON *request_wrapper(quill_req *req, quill_res *res, const char *wrapper) {
    quill_str body = quill_req_body(req);
    cJSON *root, *obj;
    if (body_parse(body.ptr, body.len, wrapper, &root, &obj) != 0) {
        render_error(res, 422, "body", MSG_INVALID);
        return NULL;
    }
    if (quill_arena_defer(quill_req_arena(req), json_free, root) != 0) {
        cJSON_Delete(root);
        render_error(res, 500, "server", "out of memory");
        return NULL;
    }
    return obj;
}
