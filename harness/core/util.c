/* util: errors, capped buffers, arena, checked string helpers. See util.h. */
#include "util.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>

/* ---- errors ------------------------------------------------------------------------------- */

static void err_vset(err_t *e, const char *fmt, va_list ap) {
    int n = vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
    if (n >= (int)sizeof(e->msg)) memcpy(e->msg + sizeof(e->msg) - 4, "...", 4);
}

int err_set(err_t *e, const char *fmt, ...) {
    if (!e) return -1;
    va_list ap;
    va_start(ap, fmt);
    err_vset(e, fmt, ap);
    va_end(ap);
    return -1;
}

int err_prefix(err_t *e, const char *fmt, ...) {
    if (!e) return -1;
    char old[ERR_MSG_MAX];
    memcpy(old, e->msg, sizeof(old));
    va_list ap;
    va_start(ap, fmt);
    err_vset(e, fmt, ap);
    va_end(ap);
    size_t used = strlen(e->msg);
    int n = snprintf(e->msg + used, sizeof(e->msg) - used, "%s", old);
    if (n >= (int)(sizeof(e->msg) - used)) memcpy(e->msg + sizeof(e->msg) - 4, "...", 4);
    return -1;
}

/* ---- capped buffer -------------------------------------------------------------------------- */

void buf_init(buf_t *b, size_t max) {
    b->ptr = NULL;
    b->len = b->cap = 0;
    b->max = max ? max : BUF_MAX_DEFAULT;
}

void buf_free(buf_t *b) {
    free(b->ptr);
    b->ptr = NULL;
    b->len = b->cap = 0;
}

void buf_reset(buf_t *b) {
    b->len = 0;
    if (b->ptr) b->ptr[0] = '\0';
}

/* Makes room for n more bytes plus the NUL; doubles (bounded by max + 1) to stay amortised O(1). */
static int buf_reserve(buf_t *b, size_t n) {
    if (n > b->max - b->len) return -1;
    size_t need = b->len + n + 1;
    if (need <= b->cap) return 0;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need) cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    if (cap > b->max + 1) cap = b->max + 1;
    char *p = realloc(b->ptr, cap);
    if (!p) return -1;
    b->ptr = p;
    b->cap = cap;
    return 0;
}

int buf_add(buf_t *b, const void *p, size_t n) {
    if (buf_reserve(b, n) == -1) return -1;
    if (n) memcpy(b->ptr + b->len, p, n);
    b->len += n;
    b->ptr[b->len] = '\0';
    return 0;
}

int buf_adds(buf_t *b, const char *s) {
    return buf_add(b, s, strlen(s));
}

int buf_addc(buf_t *b, char c) {
    return buf_add(b, &c, 1);
}

int buf_addfill(buf_t *b, char c, size_t n) {
    if (buf_reserve(b, n) == -1) return -1;
    memset(b->ptr + b->len, c, n);
    b->len += n;
    b->ptr[b->len] = '\0';
    return 0;
}

int buf_vprintf(buf_t *b, const char *fmt, va_list ap) {
    va_list cp;
    va_copy(cp, ap);
    char small[256];
    int n = vsnprintf(small, sizeof(small), fmt, cp);
    va_end(cp);
    if (n < 0) return -1;
    if ((size_t)n < sizeof(small)) return buf_add(b, small, (size_t)n);
    if (buf_reserve(b, (size_t)n) == -1) return -1;
    vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return 0;
}

int buf_printf(buf_t *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int rc = buf_vprintf(b, fmt, ap);
    va_end(ap);
    return rc;
}

void buf_truncate(buf_t *b, size_t n) {
    if (n >= b->len) return;
    b->len = n;
    b->ptr[n] = '\0';
}

const char *buf_cstr(const buf_t *b) {
    return b->ptr ? b->ptr : "";
}

char *buf_detach(buf_t *b) {
    char *p = b->ptr;
    if (!p) p = calloc(1, 1);
    b->ptr = NULL;
    b->len = b->cap = 0;
    return p;
}

int buf_read_file(buf_t *b, const char *path, err_t *err) {
    FILE *f = fopen(path, "rb");
    if (!f) return err_set(err, "%s: cannot open: %s", path, strerror(errno));
    char chunk[16384];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        if (buf_add(b, chunk, n) == -1) {
            fclose(f);
            return err_set(err, "%s: file larger than %zu bytes", path, b->max);
        }
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) return err_set(err, "%s: read error", path);
    if (!b->ptr && buf_add(b, "", 0) == -1) return err_set(err, "%s: out of memory", path);
    return 0;
}

/* ---- arena ------------------------------------------------------------------------------------
 */

struct arena_chunk {
    arena_chunk_t *next;
    size_t used, size;
    max_align_t data[]; /* aligned storage */
};

/* Defer nodes are malloc'ed apart from the chunks and freed as they run. */
struct arena_defer {
    arena_defer_t *next;
    void (*fn)(void *);
    void *ptr;
};

void arena_init(arena_t *a) {
    a->chunks = NULL;
    a->defers = NULL;
}

void arena_free(arena_t *a) {
    /* Destructors first: they may look at arena memory. */
    arena_defer_t *d = a->defers;
    a->defers = NULL;
    while (d) {
        arena_defer_t *next = d->next;
        d->fn(d->ptr);
        free(d);
        d = next;
    }
    arena_chunk_t *c = a->chunks;
    while (c) {
        arena_chunk_t *next = c->next;
        free(c);
        c = next;
    }
    a->chunks = NULL;
}

void *arena_alloc(arena_t *a, size_t n) {
    const size_t align = _Alignof(max_align_t);
    if (n > SIZE_MAX / 2) return NULL;
    n = (n + align - 1) / align * align;
    if (n == 0) n = align;
    arena_chunk_t *c = a->chunks;
    if (!c || c->size - c->used < n) {
        size_t size = n > ARENA_CHUNK_SIZE ? n : ARENA_CHUNK_SIZE;
        arena_chunk_t *nc = malloc(sizeof(*nc) + size);
        if (!nc) return NULL;
        nc->used = 0;
        nc->size = size;
        /* A dedicated big chunk goes behind the current one so the current keeps serving. */
        if (c && size == n && c->size - c->used >= align) {
            nc->next = c->next;
            c->next = nc;
        } else {
            nc->next = c;
            a->chunks = nc;
        }
        c = nc;
    }
    void *p = (char *)c->data + c->used;
    c->used += n;
    memset(p, 0, n);
    return p;
}

char *arena_strndup(arena_t *a, const char *s, size_t n) {
    char *p = arena_alloc(a, n + 1);
    if (!p) return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *arena_strdup(arena_t *a, const char *s) {
    return arena_strndup(a, s, strlen(s));
}

int arena_defer(arena_t *a, void (*fn)(void *), void *ptr) {
    arena_defer_t *d = malloc(sizeof(*d));
    if (!d) {
        fn(ptr);
        return -1;
    }
    d->fn = fn;
    d->ptr = ptr;
    d->next = a->defers;
    a->defers = d;
    return 0;
}

/* ---- slices and strings ------------------------------------------------------------------------
 */

bool slice_eq(slice_t a, slice_t b) {
    return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

bool slice_eq_nocase(slice_t a, slice_t b) {
    return a.len == b.len && (a.len == 0 || strncasecmp(a.ptr, b.ptr, a.len) == 0);
}

#define STR_INT_MAX_DIGITS 40 /* longer inputs cannot be a long long anyway */

int str_to_ll_n(const char *s, size_t n, long long min, long long max, long long *out) {
    char tmp[STR_INT_MAX_DIGITS + 2];
    if (!s || n == 0 || n > STR_INT_MAX_DIGITS) return -1;
    size_t i = (s[0] == '-' || s[0] == '+') ? 1 : 0;
    if (i == n) return -1;
    for (size_t j = i; j < n; j++)
        if (s[j] < '0' || s[j] > '9') return -1;
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    errno = 0;
    char *end;
    long long v = strtoll(tmp, &end, 10);
    if (errno == ERANGE || *end != '\0' || v < min || v > max) return -1;
    *out = v;
    return 0;
}

int str_to_ll(const char *s, long long min, long long max, long long *out) {
    if (!s) return -1;
    return str_to_ll_n(s, strlen(s), min, max, out);
}

int str_to_long(const char *s, long min, long max, long *out) {
    long long v;
    if (str_to_ll(s, min, max, &v) == -1) return -1;
    *out = (long)v;
    return 0;
}

bool str_starts_with(const char *s, const char *prefix) {
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool str_ends_with(const char *s, const char *suffix) {
    size_t n = strlen(s), m = strlen(suffix);
    return m <= n && memcmp(s + n - m, suffix, m) == 0;
}

bool str_eq_nocase(const char *a, const char *b) {
    return strcasecmp(a, b) == 0;
}

char *str_ndup(const char *s, size_t n) {
    if (!s) return NULL;
    char *p = malloc(n + 1);
    if (!p) return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *str_dup(const char *s) {
    return s ? str_ndup(s, strlen(s)) : NULL;
}

int str_shell_quote(buf_t *out, const char *s, size_t n) {
    if (buf_addc(out, '\'') == -1) return -1;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\'') {
            if (buf_add(out, "'\\''", 4) == -1) return -1;
        } else if (buf_addc(out, s[i]) == -1) {
            return -1;
        }
    }
    return buf_addc(out, '\'');
}

int str_percent_encode(buf_t *out, const char *s, size_t n) {
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        bool keep = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '.' || c == '_' || c == '~';
        if (keep) {
            if (buf_addc(out, (char)c) == -1) return -1;
        } else {
            char e[3] = {'%', hex[c >> 4], hex[c & 15]};
            if (buf_add(out, e, 3) == -1) return -1;
        }
    }
    return 0;
}

int str_escape_trunc(buf_t *out, const char *s, size_t n, size_t max) {
    bool cut = n > max;
    if (cut) {
        n = max;
        /* Do not split a UTF-8 sequence. */
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80) n--;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        int rc;
        if (c == '\n')
            rc = buf_add(out, "\\n", 2);
        else if (c == '\r')
            rc = buf_add(out, "\\r", 2);
        else if (c == '\t')
            rc = buf_add(out, "\\t", 2);
        else if (c < 0x20 || c == 0x7f)
            rc = buf_printf(out, "\\x%02x", c);
        else
            rc = buf_addc(out, (char)c); /* UTF-8 passes through: terminals show it */
        if (rc == -1) return -1;
    }
    return cut ? buf_adds(out, "...") : 0;
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n) {
    unsigned char c = s[0];
    if (c < 0x80) return 1;
    size_t len;
    unsigned cp;
    if (c >= 0xC2 && c <= 0xDF)
        len = 2, cp = c & 0x1F;
    else if (c >= 0xE0 && c <= 0xEF)
        len = 3, cp = c & 0x0F;
    else if (c >= 0xF0 && c <= 0xF4)
        len = 4, cp = c & 0x07;
    else
        return 0;
    if (n < len) return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF))) return 0;
    if (cp >= 0xD800 && cp <= 0xDFFF) return 0;
    return len;
}

size_t str_utf8_len(const char *s, size_t n) {
    size_t count = 0;
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < n; count++) {
        size_t l = utf8_seq(p + i, n - i);
        i += l ? l : 1;
    }
    return count;
}

bool str_utf8_valid(const char *s, size_t n) {
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        size_t l = utf8_seq(p + i, n - i);
        if (!l) return false;
        i += l;
    }
    return true;
}

int buf_add_utf8(buf_t *b, unsigned cp) {
    char u[4];
    size_t n;
    if (cp < 0x80) {
        u[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xC0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        u[0] = (char)(0xF0 | (cp >> 18));
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    return buf_add(b, u, n);
}

int str_hex4(const char *s, unsigned *out) {
    unsigned v = 0;
    for (int k = 0; k < 4; k++) {
        char c = s[k];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (unsigned)(c - 'A' + 10);
        else
            return -1;
    }
    *out = v;
    return 0;
}

void str_random_alnum(char *out, size_t n) {
    static const char alpha[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    unsigned char r[32];
    if (n > sizeof r) n = sizeof r;
    if (getrandom(r, n, 0) != (ssize_t)n)
        for (size_t i = 0; i < n; i++) r[i] = (unsigned char)(rand() ^ (int)time(NULL));
    for (size_t i = 0; i < n; i++) out[i] = alpha[r[i] % 36];
    out[n] = '\0';
}
