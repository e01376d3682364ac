/* mutant_proxy: an HTTP/1.1 reverse proxy that forwards to a conformant target and breaks its
 * answers in exactly one way, so that tests/specs/mutants.sh can prove that specs/blog notices.
 *
 * Why: a conformance suite that passes on five targets proves nothing about its strictness. Each
 * mutation below is one plausible bug of a real implementation (a `""` bio, a `body` key in list
 * items, a stale Date, a 201 sent as 200, oldest-first lists, unescaped HTML...). Behind this proxy
 * a conformant target becomes a target with that bug; the suite that owns the rule must fail.
 * `none` forwards unchanged: the same suites must then pass (the proxy itself is transparent).
 *
 * Deliberately simple: one thread per client connection (keep-alive), one upstream connection per
 * request sent with `Connection: close` and read to the end, request bodies by Content-Length
 * or chunked (forwarded with their framing), responses re-framed with Content-Length. Named caps
 * on every buffer.
 *
 * usage: mutant_proxy --listen PORT --upstream PORT --mutation NAME   (127.0.0.1 only)
 *        mutant_proxy --list   prints the mutations, one per line */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#define MP_HEAD_MAX    (64 * 1024)       /* request or response head */
#define MP_BODY_MAX    (8 * 1024 * 1024) /* request or response body */
#define MP_MAX_HEADERS 100
#define MP_LIFETIME_S  3600 /* the proxy never outlives a test run by more than this */

typedef struct buf {
    char *p;
    size_t len, cap;
} buf_t;

static int buf_add(buf_t *b, const void *p, size_t n) {
    if (b->len + n + 1 > MP_BODY_MAX + MP_HEAD_MAX) return -1;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n + 1) cap *= 2;
        char *q = realloc(b->p, cap);
        if (!q) return -1;
        b->p = q;
        b->cap = cap;
    }
    memcpy(b->p + b->len, p, n);
    b->len += n;
    b->p[b->len] = '\0';
    return 0;
}

static int buf_adds(buf_t *b, const char *s) {
    return buf_add(b, s, strlen(s));
}

typedef struct header {
    char name[128];
    char value[4096];
} header_t;

/* A response as the mutations see it. */
typedef struct resp {
    int status;
    char reason[64];
    header_t h[MP_MAX_HEADERS];
    size_t nh;
    buf_t body;
} resp_t;

typedef struct req {
    char method[16];
    char path[8192];
    bool has_auth;
} req_t;

static const char *mutation = "none";
static int upstream_port;

/* ---- headers ----------------------------------------------------------------------------------
 */

static header_t *hget(resp_t *r, const char *name) {
    for (size_t i = 0; i < r->nh; i++)
        if (strcasecmp(r->h[i].name, name) == 0) return &r->h[i];
    return NULL;
}

static void hdel(resp_t *r, const char *name) {
    size_t o = 0;
    for (size_t i = 0; i < r->nh; i++)
        if (strcasecmp(r->h[i].name, name) != 0) r->h[o++] = r->h[i];
    r->nh = o;
}

static void hset(resp_t *r, const char *name, const char *value) {
    header_t *h = hget(r, name);
    if (!h && r->nh < MP_MAX_HEADERS) h = &r->h[r->nh++];
    if (!h) return;
    snprintf(h->name, sizeof h->name, "%s", name);
    snprintf(h->value, sizeof h->value, "%s", value);
}

static bool content_type_is(resp_t *r, const char *prefix) {
    header_t *h = hget(r, "Content-Type");
    return h && strncasecmp(h->value, prefix, strlen(prefix)) == 0;
}

/* ---- body edits -------------------------------------------------------------------------------
 */

/* Replaces every occurrence of from with to in the body. */
static void body_replace(resp_t *r, const char *from, const char *to) {
    if (!r->body.p) return;
    buf_t out = {0};
    size_t fl = strlen(from);
    const char *p = r->body.p, *end = r->body.p + r->body.len;
    while (p < end) {
        const char *m = memmem(p, (size_t)(end - p), from, fl);
        if (!m) {
            buf_add(&out, p, (size_t)(end - p));
            break;
        }
        buf_add(&out, p, (size_t)(m - p));
        buf_adds(&out, to);
        p = m + fl;
    }
    free(r->body.p);
    r->body = out;
}

/* Runs fn over the JSON body (if it is JSON) and re-serializes it when fn returns true. */
static void body_json(resp_t *r, bool (*fn)(cJSON *root)) {
    if (!r->body.p || !content_type_is(r, "application/json")) return;
    cJSON *root = cJSON_ParseWithLength(r->body.p, r->body.len);
    if (!root) return;
    if (fn(root)) {
        char *s = cJSON_PrintUnformatted(root);
        if (s) {
            r->body.len = 0;
            buf_adds(&r->body, s);
            free(s);
        }
    }
    cJSON_Delete(root);
}

/* Replaces item (a member of parent) by repl, keeping its key: cJSON_ReplaceItemViaPointer alone
 * would leave the new member nameless. */
static void replace_item(cJSON *parent, cJSON *item, cJSON *repl) {
    if (item->string) {
        repl->string = strdup(item->string);
        repl->type &= ~cJSON_StringIsConst;
    }
    cJSON_ReplaceItemViaPointer(parent, item, repl);
}

/* Calls fn on every object member named key, anywhere in the tree. fn may replace (free) the item,
 * so the next sibling is taken first and a matched item is not descended into. */
static bool each_key(cJSON *node, const char *key, bool (*fn)(cJSON *parent, cJSON *item)) {
    bool changed = false;
    for (cJSON *c = node->child, *next; c; c = next) {
        next = c->next;
        if (c->string && strcmp(c->string, key) == 0) {
            changed |= fn(node, c);
            continue;
        }
        if (cJSON_IsObject(c) || cJSON_IsArray(c)) changed |= each_key(c, key, fn);
    }
    return changed;
}

static bool reverse_array(cJSON *parent, cJSON *item) {
    (void)parent;
    int n = cJSON_GetArraySize(item);
    if (!cJSON_IsArray(item) || n < 2) return false;
    for (int i = 0; i < n - 1; i++)
        cJSON_AddItemToArray(item, cJSON_DetachItemFromArray(item, n - 2 - i));
    return true;
}

static bool null_to_empty(cJSON *parent, cJSON *item) {
    if (!cJSON_IsNull(item)) return false;
    replace_item(parent, item, cJSON_CreateString(""));
    return true;
}

static bool true_to_false(cJSON *parent, cJSON *item) {
    if (!cJSON_IsTrue(item)) return false;
    replace_item(parent, item, cJSON_CreateFalse());
    return true;
}

static bool number_to_string(cJSON *parent, cJSON *item) {
    if (!cJSON_IsNumber(item)) return false;
    char s[32];
    snprintf(s, sizeof s, "%.0f", item->valuedouble);
    replace_item(parent, item, cJSON_CreateString(s));
    return true;
}

static bool strip_millis(cJSON *parent, cJSON *item) {
    (void)parent;
    char *dot = cJSON_IsString(item) ? strchr(item->valuestring, '.') : NULL;
    if (!dot || strlen(dot) != 5) return false;
    dot[0] = 'Z';
    dot[1] = '\0';
    return true;
}

static bool duplicate_entries(cJSON *parent, cJSON *item) {
    if (!cJSON_IsArray(item) || cJSON_GetArraySize(item) == 0) return false;
    cJSON *twice = cJSON_CreateArray(), *e;
    cJSON_ArrayForEach(e, item) {
        cJSON_AddItemToArray(twice, cJSON_Duplicate(e, 1));
        cJSON_AddItemToArray(twice, cJSON_Duplicate(e, 1));
    }
    replace_item(parent, item, twice);
    return true;
}

static bool false_to_true(cJSON *parent, cJSON *item) {
    if (!cJSON_IsFalse(item)) return false;
    replace_item(parent, item, cJSON_CreateTrue());
    return true;
}

static bool far_future(cJSON *parent, cJSON *item) {
    if (!cJSON_IsString(item)) return false;
    replace_item(parent, item, cJSON_CreateString("2099-01-01T00:00:00.000Z"));
    return true;
}

static bool truncate_to_10(cJSON *parent, cJSON *item) {
    (void)parent;
    if (!cJSON_IsArray(item) || cJSON_GetArraySize(item) <= 10) return false;
    while (cJSON_GetArraySize(item) > 10) cJSON_DeleteItemFromArray(item, 10);
    return true;
}

static bool rev_articles(cJSON *root) {
    return each_key(root, "articles", reverse_array);
}
static bool rev_comments(cJSON *root) {
    return each_key(root, "comments", reverse_array);
}
static bool rev_tags(cJSON *root) {
    return each_key(root, "tags", reverse_array);
}
static bool rev_taglist(cJSON *root) {
    return each_key(root, "tagList", reverse_array);
}
static bool bio_empty(cJSON *root) {
    return each_key(root, "bio", null_to_empty);
}
static bool never_following(cJSON *root) {
    return each_key(root, "following", true_to_false);
}
static bool string_ids(cJSON *root) {
    return each_key(root, "id", number_to_string);
}
static bool no_millis(cJSON *root) {
    return each_key(root, "createdAt", strip_millis);
}
static bool dup_tags(cJSON *root) {
    return each_key(root, "tags", duplicate_entries);
}
static bool always_favorited(cJSON *root) {
    return each_key(root, "favorited", false_to_true);
}
static bool short_lists(cJSON *root) {
    return each_key(root, "articles", truncate_to_10);
}

static bool comment_updated_later(cJSON *root) {
    cJSON *c = cJSON_GetObjectItemCaseSensitive(root, "comment");
    return cJSON_IsObject(c) && each_key(c, "updatedAt", far_future);
}

static bool article_updated_later(cJSON *root) {
    cJSON *a = cJSON_GetObjectItemCaseSensitive(root, "article");
    return cJSON_IsObject(a) && each_key(a, "updatedAt", far_future);
}

static bool slug_changed(cJSON *root) {
    cJSON *a = cJSON_GetObjectItemCaseSensitive(root, "article");
    cJSON *s = cJSON_GetObjectItemCaseSensitive(a, "slug");
    if (!cJSON_IsString(s)) return false;
    char buf[1024];
    snprintf(buf, sizeof buf, "%s-2", s->valuestring);
    replace_item(a, s, cJSON_CreateString(buf));
    return true;
}

static bool list_body(cJSON *root) {
    cJSON *a = cJSON_GetObjectItemCaseSensitive(root, "articles"), *it;
    if (!cJSON_IsArray(a) || cJSON_GetArraySize(a) == 0) return false;
    cJSON_ArrayForEach(it, a) cJSON_AddStringToObject(it, "body", "");
    return true;
}

static bool count_page(cJSON *root) {
    cJSON *a = cJSON_GetObjectItemCaseSensitive(root, "articles");
    cJSON *n = cJSON_GetObjectItemCaseSensitive(root, "articlesCount");
    if (!cJSON_IsArray(a) || !cJSON_IsNumber(n) || n->valuedouble == cJSON_GetArraySize(a))
        return false;
    cJSON_SetNumberValue(n, cJSON_GetArraySize(a));
    return true;
}

static bool updated_is_created(cJSON *root) {
    cJSON *a = cJSON_GetObjectItemCaseSensitive(root, "article");
    cJSON *c = cJSON_GetObjectItemCaseSensitive(a, "createdAt");
    cJSON *u = cJSON_GetObjectItemCaseSensitive(a, "updatedAt");
    if (!cJSON_IsString(c) || !cJSON_IsString(u) || strcmp(c->valuestring, u->valuestring) == 0)
        return false;
    replace_item(a, u, cJSON_CreateString(c->valuestring));
    return true;
}

static bool user_extra_key(cJSON *root) {
    cJSON *u = cJSON_GetObjectItemCaseSensitive(root, "user");
    if (!cJSON_IsObject(u)) return false;
    cJSON_AddNumberToObject(u, "id", 1);
    return true;
}

/* ---- the mutations ----------------------------------------------------------------------------
 */

typedef struct mutant {
    const char *name;
    const char *what;
} mutant_t;

static const mutant_t MUTANTS[] = {
    {"none", "forward unchanged"},
    {"bio-empty-string", "bio null sent as \"\""},
    {"user-extra-key", "an extra \"id\" key in User objects"},
    {"created-as-200", "201 answered as 200"},
    {"blank-message", "\"can't be blank\" worded \"is required\""},
    {"no-charset", "Content-Type application/json without charset"},
    {"list-item-body", "list items carry a body key"},
    {"reverse-articles", "article lists oldest first"},
    {"count-page-only", "articlesCount counts the page, not the matches"},
    {"float-favorites-count", "favoritesCount written as 0.0"},
    {"taglist-unsorted", "tagList in reverse order"},
    {"updated-at-frozen", "updatedAt never changes (equals createdAt)"},
    {"string-comment-ids", "comment ids as strings"},
    {"reverse-comments", "comments newest first"},
    {"tags-unsorted", "/api/tags in reverse order"},
    {"never-following", "following always false"},
    {"order-404-before-401", "anonymous DELETE answers 404 instead of 401"},
    {"no-date", "no Date header"},
    {"frozen-date", "a Date that never changes"},
    {"no-server", "no Server header"},
    {"json-newline", "/json body with a trailing newline"},
    {"no-allow", "405 without Allow"},
    {"too-large-as-400", "413 answered as 400"},
    {"no-cors-origin", "no Access-Control-Allow-Origin"},
    {"options-200", "OPTIONS answered 200 instead of 204"},
    {"html-unescaped", "the HTML page does not escape < and >"},
    {"html-header-row", "the HTML table starts with a header row"},
    {"slug-changes-on-update", "PUT answers a different slug"},
    {"no-millis", "createdAt without milliseconds"},
    {"tags-duplicated", "/api/tags lists every tag twice"},
    {"anonymous-favorited", "favorited true for anonymous readers"},
    {"allow-no-space", "Allow written GET,PUT"},
    {"comment-updated-at", "a new comment's updatedAt differs from createdAt"},
    {"article-updated-at", "a new article's updatedAt differs from createdAt"},
    {"conflict-as-422", "409 answered as 422"},
    {"html-no-doctype", "the HTML page without <!DOCTYPE html>"},
    {"no-cors-methods", "OPTIONS without Access-Control-Allow-Methods"},
    {"lists-of-10", "lists hold at most 10 articles"},
    {"bad-token-as-403", "a rejected token answered 403 instead of 401"},
    {"invalid-body-as-400", "a body that is not valid UTF-8 JSON answered 400 instead of 422"},
    {"update-conflict-as-422", "PUT /api/user taking another user's email or name: 422, not 409"},
    {"feed-anonymous-empty", "the feed without a token: 200 and an empty page, not 401"},
};
#define NMUTANTS (sizeof MUTANTS / sizeof MUTANTS[0])

static bool is(const char *name) {
    return strcmp(mutation, name) == 0;
}

static void mutate(const req_t *rq, resp_t *r) {
    if (is("bio-empty-string"))
        body_json(r, bio_empty);
    else if (is("user-extra-key"))
        body_json(r, user_extra_key);
    else if (is("created-as-200") && r->status == 201)
        r->status = 200;
    else if (is("blank-message"))
        body_replace(r, "can't be blank", "is required");
    else if (is("no-charset") && content_type_is(r, "application/json"))
        hset(r, "Content-Type", "application/json");
    else if (is("list-item-body"))
        body_json(r, list_body);
    else if (is("reverse-articles"))
        body_json(r, rev_articles);
    else if (is("count-page-only"))
        body_json(r, count_page);
    else if (is("float-favorites-count")) {
        for (int d = 0; d <= 9; d++) {
            char from[40], to[40];
            snprintf(from, sizeof from, "\"favoritesCount\":%d", d);
            snprintf(to, sizeof to, "\"favoritesCount\":%d.0", d);
            body_replace(r, from, to);
        }
    } else if (is("taglist-unsorted"))
        body_json(r, rev_taglist);
    else if (is("updated-at-frozen"))
        body_json(r, updated_is_created);
    else if (is("string-comment-ids"))
        body_json(r, string_ids);
    else if (is("reverse-comments"))
        body_json(r, rev_comments);
    else if (is("tags-unsorted"))
        body_json(r, rev_tags);
    else if (is("never-following"))
        body_json(r, never_following);
    else if (is("order-404-before-401") && r->status == 401 && !rq->has_auth &&
             strcmp(rq->method, "DELETE") == 0) {
        r->status = 404;
        r->body.len = 0;
        buf_adds(&r->body, "{\"errors\":{\"article\":[\"not found\"]}}");
    } else if (is("no-date"))
        hdel(r, "Date");
    else if (is("frozen-date"))
        hset(r, "Date", "Mon, 01 Jan 2024 00:00:00 GMT");
    else if (is("no-server"))
        hdel(r, "Server");
    else if (is("json-newline") && strcmp(rq->path, "/json") == 0 && r->body.p)
        buf_adds(&r->body, "\n");
    else if (is("no-allow") && r->status == 405)
        hdel(r, "Allow");
    else if (is("too-large-as-400") && r->status == 413)
        r->status = 400;
    else if (is("no-cors-origin"))
        hdel(r, "Access-Control-Allow-Origin");
    else if (is("options-200") && strcmp(rq->method, "OPTIONS") == 0)
        r->status = 200;
    else if (is("html-unescaped") && content_type_is(r, "text/html")) {
        body_replace(r, "&lt;", "<");
        body_replace(r, "&gt;", ">");
    } else if (is("html-header-row") && content_type_is(r, "text/html"))
        body_replace(r, "<table>", "<table><tr><th>title</th><th>author</th><th>date</th></tr>");
    else if (is("slug-changes-on-update") && strcmp(rq->method, "PUT") == 0)
        body_json(r, slug_changed);
    else if (is("no-millis"))
        body_json(r, no_millis);
    else if (is("tags-duplicated") && strcmp(rq->path, "/api/tags") == 0)
        body_json(r, dup_tags);
    else if (is("anonymous-favorited") && !rq->has_auth)
        body_json(r, always_favorited);
    else if (is("allow-no-space") && hget(r, "Allow")) {
        char v[4096], *o = v;
        for (const char *p = hget(r, "Allow")->value; *p && o < v + sizeof v - 1; p++)
            if (*p != ' ') *o++ = *p;
        *o = '\0';
        hset(r, "Allow", v);
    } else if (is("comment-updated-at") && r->status == 201)
        body_json(r, comment_updated_later);
    else if (is("article-updated-at") && r->status == 201)
        body_json(r, article_updated_later);
    else if (is("conflict-as-422") && r->status == 409)
        r->status = 422;
    else if (is("html-no-doctype") && content_type_is(r, "text/html"))
        body_replace(r, "<!DOCTYPE html>", "");
    else if (is("no-cors-methods"))
        hdel(r, "Access-Control-Allow-Methods");
    else if (is("lists-of-10"))
        body_json(r, short_lists);
    else if (is("bad-token-as-403") && r->status == 401 && rq->has_auth)
        r->status = 403;
    else if (is("invalid-body-as-400") && r->status == 422 && r->body.p &&
             strstr(r->body.p, "\"body\":[\"is invalid\"]"))
        r->status = 400;
    else if (is("update-conflict-as-422") && r->status == 409 && strcmp(rq->method, "PUT") == 0)
        r->status = 422;
    else if (is("feed-anonymous-empty") && r->status == 401 && !rq->has_auth &&
             strcmp(rq->path, "/api/articles/feed") == 0) {
        r->status = 200;
        r->body.len = 0;
        buf_adds(&r->body, "{\"articles\":[],\"articlesCount\":0}");
    }
}

/* ---- I/O --------------------------------------------------------------------------------------
 */

static int write_all(int fd, const char *p, size_t n) {
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Reads until the head is complete into in (which may already hold bytes). Returns the head length
 * (including the blank line) or -1. */
static long read_head(int fd, buf_t *in) {
    for (;;) {
        char *e = in->p ? strstr(in->p, "\r\n\r\n") : NULL;
        if (e) return (long)(e - in->p) + 4;
        if (in->len > MP_HEAD_MAX) return -1;
        char tmp[16384];
        ssize_t n = recv(fd, tmp, sizeof tmp, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0 || buf_add(in, tmp, (size_t)n) == -1) return -1;
    }
}

/* Makes in hold at least want bytes. */
static int read_until(int fd, buf_t *in, size_t want) {
    while (in->len < want) {
        char tmp[65536];
        ssize_t n = recv(fd, tmp, sizeof tmp, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0 || buf_add(in, tmp, (size_t)n) == -1) return -1;
    }
    return 0;
}

/* The value of header name in a raw head, copied into out; false if absent. */
static bool head_value(const char *head, size_t len, const char *name, char *out, size_t cap) {
    size_t nl = strlen(name);
    const char *p = strstr(head, "\r\n"), *end = head + len;
    while (p && p + 2 < end) {
        p += 2;
        const char *eol = strstr(p, "\r\n");
        if (!eol || eol == p) break;
        if ((size_t)(eol - p) > nl && strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
            const char *v = p + nl + 1;
            while (v < eol && (*v == ' ' || *v == '\t')) v++;
            size_t vl = (size_t)(eol - v);
            if (vl >= cap) vl = cap - 1;
            memcpy(out, v, vl);
            out[vl] = '\0';
            return true;
        }
        p = eol;
    }
    return false;
}

/* A chunked request body (the bodies suite sends some): reads it whole into in, framing kept (it is
 * forwarded as is), and returns its length after the head at hl, or -1. No trailers expected. */
static long read_chunked(int fd, buf_t *in, size_t hl) {
    size_t pos = hl;
    for (int chunks = 0; chunks < 1000000; chunks++) {
        size_t eol = pos;
        for (;;) { /* the chunk-size line */
            while (eol + 1 < in->len && !(in->p[eol] == '\r' && in->p[eol + 1] == '\n')) eol++;
            if (eol + 1 < in->len) break;
            if (eol - pos > 64 || read_until(fd, in, in->len + 1) == -1) return -1;
        }
        char *e;
        long size = strtol(in->p + pos, &e, 16);
        if (e == in->p + pos || size < 0 || size > MP_BODY_MAX) return -1;
        pos = eol + 2 + (size_t)size + 2;
        if (read_until(fd, in, pos) == -1) return -1;
        if (size == 0) return (long)(pos - hl);
    }
    return -1;
}

static long parse_length(const char *s) {
    char *e;
    errno = 0;
    long v = strtol(s, &e, 10);
    if (errno || e == s || *e || v < 0 || v > MP_BODY_MAX) return -1;
    return v;
}

static int connect_upstream(void) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET,
                             .sin_port = htons((unsigned short)upstream_port)};
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
        if (fd >= 0) close(fd);
        return -1;
    }
    return fd;
}

/* Parses the upstream's whole answer (read to EOF) into r. */
static int parse_response(const req_t *rq, buf_t *raw, resp_t *r) {
    long hl = (long)(strstr(raw->p, "\r\n\r\n") - raw->p) + 4;
    if (sscanf(raw->p, "HTTP/1.%*d %d %63[^\r]", &r->status, r->reason) < 1) return -1;
    const char *p = strstr(raw->p, "\r\n") + 2, *end = raw->p + hl - 2;
    while (p < end && r->nh < MP_MAX_HEADERS) {
        const char *eol = strstr(p, "\r\n"), *colon = memchr(p, ':', (size_t)(eol - p));
        if (colon) {
            header_t *h = &r->h[r->nh++];
            snprintf(h->name, sizeof h->name, "%.*s", (int)(colon - p), p);
            const char *v = colon + 1;
            while (v < eol && *v == ' ') v++;
            snprintf(h->value, sizeof h->value, "%.*s", (int)(eol - v), v);
        }
        p = eol + 2;
    }
    bool no_body = strcmp(rq->method, "HEAD") == 0 || r->status == 204 || r->status == 304;
    if (!no_body) buf_add(&r->body, raw->p + hl, raw->len - (size_t)hl);
    hdel(r, "Connection");
    header_t *te = hget(r, "Transfer-Encoding");
    if (te && !no_body) {
        /* Decode chunked: the rest of the answer is chunks up to EOF. */
        buf_t out = {0};
        const char *q = r->body.p ? r->body.p : "", *qe = q + r->body.len;
        while (q < qe) {
            char *e;
            long n = strtol(q, &e, 16);
            const char *d = strstr(e, "\r\n");
            if (n <= 0 || !d || d + 2 + n > qe) break;
            buf_add(&out, d + 2, (size_t)n);
            q = d + 2 + n + 2;
        }
        free(r->body.p);
        r->body = out;
        hdel(r, "Transfer-Encoding");
    }
    return 0;
}

static void *serve(void *arg) {
    int cfd = (int)(long)arg;
    buf_t in = {0};
    for (;;) {
        long hl = read_head(cfd, &in);
        if (hl < 0) break;
        req_t rq = {0};
        if (sscanf(in.p, "%15s %8191s", rq.method, rq.path) != 2) break;
        char v[64];
        long blen = 0;
        if (head_value(in.p, (size_t)hl, "Content-Length", v, sizeof v) &&
            (blen = parse_length(v)) < 0)
            break;
        rq.has_auth = head_value(in.p, (size_t)hl, "Authorization", v, sizeof v);
        if (head_value(in.p, (size_t)hl, "Transfer-Encoding", v, sizeof v) &&
            strcasecmp(v, "chunked") == 0 && (blen = read_chunked(cfd, &in, (size_t)hl)) < 0)
            break;
        if (read_until(cfd, &in, (size_t)hl + (size_t)blen) == -1) break;
        char *q = strchr(rq.path, '?');
        req_t match = rq;
        if (q) match.path[q - rq.path] = '\0';

        /* Forward: the head without Connection, plus Connection: close. */
        buf_t up = {0};
        const char *line = in.p, *hend = in.p + hl - 2;
        while (line < hend) {
            const char *eol = strstr(line, "\r\n");
            if (strncasecmp(line, "Connection:", 11) != 0)
                buf_add(&up, line, (size_t)(eol - line) + 2);
            line = eol + 2;
        }
        buf_adds(&up, "Connection: close\r\n\r\n");
        buf_add(&up, in.p + hl, (size_t)blen);
        int ufd = connect_upstream();
        buf_t raw = {0};
        /* A write error is not the end: an upstream may answer early (413 on an oversized body)
         * and close before reading it all; that answer is still read and relayed. */
        int ok = ufd >= 0;
        if (ok && write_all(ufd, up.p, up.len) == -1) shutdown(ufd, SHUT_WR);
        while (ok) {
            char tmp[65536];
            ssize_t n = recv(ufd, tmp, sizeof tmp, 0);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0 && raw.len > 0) break; /* reset after an early answer: keep what came */
            if (n < 0 || buf_add(&raw, tmp, (size_t)n) == -1) ok = 0;
            if (n <= 0) break;
        }
        if (ufd >= 0) close(ufd);
        free(up.p);
        resp_t *r = calloc(1, sizeof *r);
        if (!r || !ok || !raw.p || !strstr(raw.p, "\r\n\r\n") ||
            parse_response(&match, &raw, r) == -1) {
            free(raw.p);
            free(r);
            break;
        }
        free(raw.p);
        mutate(&match, r);
        bool is_head = strcmp(rq.method, "HEAD") == 0;
        if (!is_head && r->status != 204 && r->status != 304) {
            char cl[32];
            snprintf(cl, sizeof cl, "%zu", r->body.len);
            hset(r, "Content-Length", cl);
        }
        buf_t out = {0};
        char status[128];
        snprintf(status, sizeof status, "HTTP/1.1 %d %s\r\n", r->status, r->reason);
        buf_adds(&out, status);
        for (size_t i = 0; i < r->nh; i++) {
            buf_adds(&out, r->h[i].name);
            buf_adds(&out, ": ");
            buf_adds(&out, r->h[i].value);
            buf_adds(&out, "\r\n");
        }
        buf_adds(&out, "\r\n");
        if (!is_head && r->body.len) buf_add(&out, r->body.p, r->body.len);
        int wr = write_all(cfd, out.p, out.len);
        free(out.p);
        free(r->body.p);
        free(r);
        if (wr == -1) break;
        /* Keep what follows this request (pipelining) for the next round. */
        size_t used = (size_t)hl + (size_t)blen;
        memmove(in.p, in.p + used, in.len - used);
        in.len -= used;
        in.p[in.len] = '\0';
    }
    free(in.p);
    close(cfd);
    return NULL;
}

static long port_arg(const char *s) {
    char *e;
    long v = strtol(s, &e, 10);
    return (*e || e == s || v < 0 || v > 65535) ? -1 : v;
}

int main(int argc, char **argv) {
    long listen_port = -1, up = -1;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--list") == 0) {
            for (size_t k = 0; k < NMUTANTS; k++)
                printf("%s\t%s\n", MUTANTS[k].name, MUTANTS[k].what);
            return 0;
        }
        if (i + 1 >= argc) break;
        if (strcmp(argv[i], "--listen") == 0)
            listen_port = port_arg(argv[++i]);
        else if (strcmp(argv[i], "--upstream") == 0)
            up = port_arg(argv[++i]);
        else if (strcmp(argv[i], "--mutation") == 0)
            mutation = argv[++i];
    }
    bool known = false;
    for (size_t k = 0; k < NMUTANTS; k++) known |= strcmp(MUTANTS[k].name, mutation) == 0;
    if (listen_port < 0 || up <= 0 || !known) {
        fprintf(stderr,
                "usage: mutant_proxy --listen PORT --upstream PORT --mutation NAME | --list\n");
        return 2;
    }
    upstream_port = (int)up;
    signal(SIGPIPE, SIG_IGN);
    int ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((unsigned short)listen_port)};
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    if (bind(ls, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(ls, 128) < 0) {
        fprintf(stderr, "mutant_proxy: cannot listen on 127.0.0.1:%ld: %s\n", listen_port,
                strerror(errno));
        return 1;
    }
    socklen_t sl = sizeof sa;
    getsockname(ls, (struct sockaddr *)&sa, &sl);
    printf("mutant_proxy: %s on 127.0.0.1:%d -> %d\n", mutation, ntohs(sa.sin_port), upstream_port);
    fflush(stdout);
    time_t deadline = time(NULL) + MP_LIFETIME_S;
    while (time(NULL) < deadline) {
        int fd = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0) continue;
        pthread_t t;
        pthread_attr_t at;
        pthread_attr_init(&at);
        pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
        if (pthread_create(&t, &at, serve, (void *)(long)fd) != 0) close(fd);
        pthread_attr_destroy(&at);
    }
    return 0;
}
