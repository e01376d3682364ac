/*
 * json_writer.c: a streaming JSON writer into an arena buffer.
 * Why not cJSON for output: building a cJSON tree costs one malloc per node and a second pass to
 * print; the writer appends directly, escaping in runs (only '"', '\\' and bytes < 0x20 need work;
 * UTF-8 is passed through, as RFC 8259 allows).
 */
#include "internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const char HEX[] = "0123456789abcdef";

/* Bytes that need an escape: '"', '\\' and the C0 controls. */
static const unsigned char NEEDS_ESC[256] = {
    [0] = 1,  [1] = 1,  [2] = 1,  [3] = 1,  [4] = 1,  [5] = 1,   [6] = 1,    [7] = 1,  [8] = 1,
    [9] = 1,  [10] = 1, [11] = 1, [12] = 1, [13] = 1, [14] = 1,  [15] = 1,   [16] = 1, [17] = 1,
    [18] = 1, [19] = 1, [20] = 1, [21] = 1, [22] = 1, [23] = 1,  [24] = 1,   [25] = 1, [26] = 1,
    [27] = 1, [28] = 1, [29] = 1, [30] = 1, [31] = 1, ['"'] = 1, ['\\'] = 1,
};

/* Appends n bytes: the common case (room left) inline, growth through quill_buf_append. Callers
 * that write several pieces reserve once with room() and then use put() (profiled: per-call
 * overhead of the buffer was a fifth of a 20-article list's user-space instructions). */
static inline bool room(quill_buf *b, size_t n) {
    if (!b->failed && b->ptr && b->cap - b->len > n) return true; /* > : keep room for a NUL */
    return quill__buf_reserve(b, n) == 0;
}

static inline void put(quill_buf *b, const char *s, size_t n) {
    memcpy(b->ptr + b->len, s, n);
    b->len += n;
}

static inline int append(quill_buf *b, const char *s, size_t n) {
    if (!room(b, n)) return -1;
    put(b, s, n);
    b->ptr[b->len] = '\0';
    return 0;
}

/* Word-at-a-time test for a byte that needs an escape (< 0x20, '"' or '\\') among 8: the usual
 * "has a zero byte" / "has a byte less than n" bit tricks (exact for n <= 128). */
#define JW_ONES  0x0101010101010101ULL
#define JW_HIGHS 0x8080808080808080ULL
static inline uint64_t has_less(uint64_t v, uint64_t n) {
    return (v - JW_ONES * n) & ~v & JW_HIGHS;
}
static inline uint64_t has_byte(uint64_t v, uint64_t c) {
    uint64_t x = v ^ (JW_ONES * c);
    return (x - JW_ONES) & ~x & JW_HIGHS;
}

/* Length of the prefix of s that needs no escape. */
static size_t plain_prefix(const char *s, size_t len) {
    size_t k = 0;
    for (; k + 8 <= len; k += 8) {
        uint64_t v;
        memcpy(&v, s + k, 8);
        if (has_less(v, 0x20) | has_byte(v, '"') | has_byte(v, '\\')) break;
    }
    while (k < len && !NEEDS_ESC[(unsigned char)s[k]]) k++;
    return k;
}

int quill_json_escape(quill_buf *b, const char *s, size_t len) {
    /* Fast path (profiled): most strings need no escape; scan 8 bytes at a time, one copy. */
    size_t k = plain_prefix(s, len);
    if (k == len) {
        if (!room(b, len + 2)) return -1;
        b->ptr[b->len++] = '"';
        put(b, s, len);
        b->ptr[b->len++] = '"';
        b->ptr[b->len] = '\0';
        return 0;
    }
    if (quill_buf_putc(b, '"') < 0) return -1;
    size_t start = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        if (quill_buf_append(b, s + start, i - start) < 0) return -1;
        char esc[6] = {'\\', 0, 0, 0, 0, 0};
        size_t n = 2;
        switch (c) {
        case '"': esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        case '\b': esc[1] = 'b'; break;
        case '\f': esc[1] = 'f'; break;
        default:
            esc[1] = 'u';
            esc[2] = '0';
            esc[3] = '0';
            esc[4] = HEX[c >> 4];
            esc[5] = HEX[c & 15];
            n = 6;
        }
        if (quill_buf_append(b, esc, n) < 0) return -1;
        start = i + 1;
    }
    if (quill_buf_append(b, s + start, len - start) < 0) return -1;
    return quill_buf_putc(b, '"');
}

void quill_jw_init(quill_jw *w, quill_arena *a) {
    memset(w, 0, sizeof(*w));
    quill_buf_init(&w->buf, a);
    w->first[0] = 1;
}

/* Before a value: a comma if needed; in an object a value must follow a key. */
static bool before_value(quill_jw *w) {
    if (w->failed) return false;
    if (w->depth > 0 && w->is_obj[w->depth]) {
        if (!w->after_key) {
            w->failed = true;
            return false;
        }
        w->after_key = false;
        return true;
    }
    if (w->depth == 0 && !w->first[0]) { /* one top-level value only */
        w->failed = true;
        return false;
    }
    if (!w->first[w->depth] && append(&w->buf, ",", 1) < 0) w->failed = true;
    w->first[w->depth] = 0;
    return !w->failed;
}

static void check(quill_jw *w, int rc) {
    if (rc < 0 || w->buf.failed) w->failed = true;
}

static void open_container(quill_jw *w, char c, bool obj) {
    if (!before_value(w)) return;
    if (w->depth + 1 >= QUILL_JW_MAX_DEPTH) {
        w->failed = true;
        return;
    }
    w->depth++;
    w->first[w->depth] = 1;
    w->is_obj[w->depth] = obj;
    check(w, append(&w->buf, &c, 1));
}

void quill_jw_obj(quill_jw *w) {
    open_container(w, '{', true);
}
void quill_jw_arr(quill_jw *w) {
    open_container(w, '[', false);
}

void quill_jw_end(quill_jw *w) {
    if (w->failed) return;
    if (w->depth == 0 || w->after_key) {
        w->failed = true;
        return;
    }
    char c = w->is_obj[w->depth] ? '}' : ']';
    w->depth--;
    check(w, append(&w->buf, &c, 1));
}

void quill_jw_keyn(quill_jw *w, const char *key, size_t len) {
    if (w->failed) return;
    if (w->depth == 0 || !w->is_obj[w->depth] || w->after_key) {
        w->failed = true;
        return;
    }
    if (!w->first[w->depth]) check(w, append(&w->buf, ",", 1));
    w->first[w->depth] = 0;
    check(w, quill_json_escape(&w->buf, key, len));
    check(w, append(&w->buf, ":", 1));
    w->after_key = true;
}

void quill_jw_key(quill_jw *w, const char *key) {
    quill_jw_keyn(w, key, strlen(key));
}

void quill_jw_strn(quill_jw *w, const char *s, size_t len) {
    if (!s) {
        quill_jw_null(w);
        return;
    }
    if (!before_value(w)) return;
    check(w, quill_json_escape(&w->buf, s, len));
}

void quill_jw_str(quill_jw *w, const char *s) {
    quill_jw_strn(w, s, s ? strlen(s) : 0);
}

void quill_jw_int(quill_jw *w, int64_t v) {
    if (!before_value(w)) return;
    char tmp[24];
    size_t n = quill_fmt_i64(tmp, v);
    check(w, append(&w->buf, tmp, n));
}

void quill_jw_double(quill_jw *w, double v) {
    if (!isfinite(v)) {
        quill_jw_null(w);
        return;
    }
    if (!before_value(w)) return;
    char tmp[32];
    int n = snprintf(tmp, sizeof(tmp), "%.17g", v);
    check(w, quill_buf_append(&w->buf, tmp, (size_t)n));
}

void quill_jw_bool(quill_jw *w, bool v) {
    if (!before_value(w)) return;
    check(w, v ? append(&w->buf, "true", 4) : append(&w->buf, "false", 5));
}

void quill_jw_null(quill_jw *w) {
    if (!before_value(w)) return;
    check(w, append(&w->buf, "null", 4));
}

void quill_jw_raw(quill_jw *w, const char *json, size_t len) {
    if (!before_value(w)) return;
    check(w, append(&w->buf, json, len));
}

void quill_jw_cjson(quill_jw *w, const cJSON *item) {
    char *s = item ? cJSON_PrintUnformatted(item) : NULL;
    if (!s) {
        w->failed = true;
        return;
    }
    quill_jw_raw(w, s, strlen(s));
    cJSON_free(s);
}

const char *quill_jw_finish(quill_jw *w, size_t *len) {
    if (w->failed || w->depth != 0 || w->first[0] || !w->buf.ptr) {
        if (len) *len = 0;
        return NULL;
    }
    if (len) *len = w->buf.len;
    return w->buf.ptr;
}

int quill_jw_respond(quill_jw *w, quill_res *res, int status) {
    size_t len;
    const char *out = quill_jw_finish(w, &len);
    if (!out) {
        res->failed = true; /* answered 500 by the dispatcher */
        return -1;
    }
    return quill_res_body_ref(res, status, QUILL_CT_JSON, out, len);
}
