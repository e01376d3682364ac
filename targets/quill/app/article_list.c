/* article_list: one page of articles (GET /api/articles, GET /api/articles/feed).
 *
 * Why this shape (measured, README.md "Where the time went"): the page statement returns the
 * article rows only, sorted and cut by LIMIT/OFFSET; then ONE statement each fetches the tags, the
 * favorite counts and flags, and the following flags of the whole page, driven by json_each() over
 * the page's ids (a primary-key range per article). The earlier shape computed those as
 * correlated subqueries in the page statement, which SQLite evaluates for every candidate row
 * BEFORE the ORDER BY sort and LIMIT (40 rows for a 20-row page of a tag, 4 lookups each).
 *
 * Memory: the rows' strings are copied into the request arena (the page statement is reset before
 * the next statement runs); the tags of the page are one JSON text in an arena buffer, each row
 * pointing at its slice. Everything is freed with the request. */
#include <string.h>

#include "blog.h"

/* "[" + 100 ids of at most 20 digits with commas + "]" + NUL. */
#define IDS_JSON_MAX (LIST_PAGE_MAX * 21 + 3)

struct page {
    struct article_view *v; /* `limit` entries, zeroed */
    int64_t id[LIST_PAGE_MAX], author[LIST_PAGE_MAX];
    int n;
    char ids[IDS_JSON_MAX], authors[IDS_JSON_MAX]; /* JSON arrays for json_each() */
};

static int col_copy(quill_arena *a, quill_stmt *st, int col, quill_str *out) {
    quill_str s = quill_stmt_text(st, col);
    if (s.ptr == NULL) {
        *out = (quill_str){NULL, 0};
        return 0;
    }
    out->ptr = quill_arena_strndup(a, s.ptr, s.len);
    out->len = s.len;
    return out->ptr ? 0 : -1;
}

/* Steps the page statement into p (at most `limit` rows). QUILL_DB_DONE, or the failing code. */
static int read_rows(quill_arena *a, quill_stmt *st, int64_t limit, struct page *p) {
    size_t ni = 0, na = 0;
    p->ids[ni++] = '[';
    p->authors[na++] = '[';
    int rc;
    while ((rc = quill_stmt_step(st)) == QUILL_DB_ROW && p->n < limit) {
        struct article_view *v = &p->v[p->n];
        int64_t id = quill_stmt_int64(st, PC_ID), author = quill_stmt_int64(st, PC_AUTHOR);
        if (col_copy(a, st, PC_SLUG, &v->slug) || col_copy(a, st, PC_TITLE, &v->title) ||
            col_copy(a, st, PC_DESCRIPTION, &v->description) ||
            col_copy(a, st, PC_USERNAME, &v->username) || col_copy(a, st, PC_BIO, &v->bio) ||
            col_copy(a, st, PC_IMAGE, &v->image))
            return QUILL_DB_ERROR;
        v->created = quill_stmt_int64(st, PC_CREATED);
        v->updated = quill_stmt_int64(st, PC_UPDATED);
        p->id[p->n] = id;
        p->author[p->n] = author;
        /* Fits: IDS_JSON_MAX holds LIST_PAGE_MAX ids of 20 characters and their commas. */
        if (p->n) {
            p->ids[ni++] = ',';
            p->authors[na++] = ',';
        }
        ni += quill_fmt_i64(p->ids + ni, id);
        na += quill_fmt_i64(p->authors + na, author);
        p->n++;
    }
    quill_stmt_reset(st);
    p->ids[ni++] = ']';
    p->ids[ni] = '\0';
    p->authors[na++] = ']';
    p->authors[na] = '\0';
    return rc == QUILL_DB_ROW ? QUILL_DB_DONE : rc; /* ROW: the statement had more than `limit` */
}

/* Each row's tagList: rows come by page index, then tag, so each article's tags are contiguous:
 * one JSON text for the page, each row a slice of it (taken once the buffer stopped moving). */
static int read_tags(quill_arena *a, struct page *p) {
    quill_stmt *st = db_stmt(ST_PAGE_TAGS);
    if (st == NULL) return -1;
    quill_stmt_bind_text(st, 1, p->ids, strlen(p->ids));
    quill_buf b;
    quill_buf_init(&b, a);
    size_t off[LIST_PAGE_MAX] = {0}, len[LIST_PAGE_MAX] = {0};
    int cur = -1, rc;
    while ((rc = quill_stmt_step(st)) == QUILL_DB_ROW) {
        int64_t k = quill_stmt_int64(st, 0);
        if (k < 0 || k >= p->n) continue; /* cannot happen: keys index the ids we bound */
        if (k != cur) {
            if (cur >= 0 && quill_buf_putc(&b, ']') == 0) len[cur] = b.len - off[cur];
            cur = (int)k;
            off[cur] = b.len;
            quill_buf_putc(&b, '[');
        } else {
            quill_buf_putc(&b, ',');
        }
        quill_str tag = quill_stmt_text(st, 1);
        quill_json_escape(&b, tag.ptr, tag.len);
    }
    quill_stmt_reset(st);
    if (cur >= 0 && quill_buf_putc(&b, ']') == 0) len[cur] = b.len - off[cur];
    if (rc != QUILL_DB_DONE || b.failed) return -1;
    for (int i = 0; i < p->n; i++)
        p->v[i].tags_json = len[i] ? (quill_str){b.ptr + off[i], len[i]} : (quill_str){NULL, 0};
    return 0;
}

/* favoritesCount and favorited of every row (rows without favorites have no result row). */
static int read_favorites(struct page *p, int64_t viewer) {
    quill_stmt *st = db_stmt(ST_PAGE_FAVORITES);
    if (st == NULL) return -1;
    quill_stmt_bind_text(st, 1, p->ids, strlen(p->ids));
    if (viewer) db_bind_int(st, 2, viewer); /* NULL: max(user_id = NULL) is NULL, not favorited */
    int rc;
    while ((rc = quill_stmt_step(st)) == QUILL_DB_ROW) {
        int64_t k = quill_stmt_int64(st, 0);
        if (k < 0 || k >= p->n) continue;
        p->v[k].favorites = quill_stmt_int64(st, 1);
        p->v[k].favorited = (int)quill_stmt_int64(st, 2) != 0;
    }
    quill_stmt_reset(st);
    return rc == QUILL_DB_DONE ? 0 : -1;
}

/* following of every row: the page's authors the viewer follows (none when anonymous). */
static int read_following(struct page *p, int64_t viewer) {
    if (viewer == 0) return 0;
    quill_stmt *st = db_stmt(ST_PAGE_FOLLOWING);
    if (st == NULL) return -1;
    quill_stmt_bind_text(st, 1, p->authors, strlen(p->authors));
    db_bind_int(st, 2, viewer);
    int rc;
    while ((rc = quill_stmt_step(st)) ==
           QUILL_DB_ROW) { /* the page rows whose author is followed */
        int64_t k = quill_stmt_int64(st, 0);
        if (k >= 0 && k < p->n) p->v[k].following = true;
    }
    quill_stmt_reset(st);
    return rc == QUILL_DB_DONE ? 0 : -1;
}

/* Runs the statements of a page inside the caller's read transaction. 0 or -1. */
static int read_page(quill_arena *a, quill_stmt *page, quill_stmt *count, int64_t viewer,
                     int64_t limit, struct page *p, int64_t *total) {
    int rc = quill_stmt_step(count);
    *total = rc == QUILL_DB_ROW ? quill_stmt_int64(count, 0) : 0;
    quill_stmt_reset(count);
    if (rc != QUILL_DB_ROW || read_rows(a, page, limit, p) != QUILL_DB_DONE) return -1;
    /* Always run (an empty page too): a list costs the same statements whatever it holds. */
    if (read_tags(a, p) != 0 || read_favorites(p, viewer) != 0 || read_following(p, viewer) != 0)
        return -1;
    return 0;
}

void list_respond(quill_req *req, quill_res *res, quill_stmt *page, quill_stmt *count,
                  int64_t viewer, int64_t limit) {
    quill_arena *a = quill_req_arena(req);
    /* Not zeroed as a whole (profiled: a memset of the full-size page was 5% of a list). */
    struct page *p = quill_arena_alloc(a, sizeof *p);
    if (p) {
        p->n = 0;
        p->v = limit >= 1 && limit <= LIST_PAGE_MAX
                   ? quill_arena_calloc(a, (size_t)limit, sizeof *p->v)
                   : NULL;
    }
    if (p == NULL || p->v == NULL) {
        render_error(res, 500, "server", "out of memory");
        return;
    }
    if (db_begin_read() != 0) {
        render_db_error(res);
        return;
    }
    int64_t total = 0;
    int rc = read_page(a, page, count, viewer, limit, p, &total);
    /* COMMIT of a read transaction only ends the snapshot (db_commit rolls back if it fails). */
    if (db_commit() != 0 || rc != 0) {
        render_db_error(res);
        return;
    }
    quill_jw w;
    quill_jw_init(&w, a);
    quill_jw_obj(&w);
    quill_jw_key(&w, "articles");
    quill_jw_arr(&w);
    for (int i = 0; i < p->n; i++) render_article_view(&w, &p->v[i], false);
    quill_jw_end(&w);
    quill_jw_key(&w, "articlesCount");
    quill_jw_int(&w, total);
    quill_jw_end(&w);
    quill_jw_respond(&w, res, 200);
}
