/*
 * arena.c: the per-request bump allocator and the capped growable buffer built on it.
 *
 * Why: a request allocates many small things (decoded params, header copies, the JSON output);
 * freeing them one by one is slow and leak-prone. The arena hands out 16-byte aligned chunks from
 * blocks and frees everything at reset (h2o's mem pool model). The first block is kept across
 * resets, so a keep-alive connection serving small responses never calls malloc after warm-up.
 * Ownership: the arena owns its blocks; quill_arena_defer registers extra cleanups (cJSON trees).
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct arena_block {
    struct arena_block *next;
    size_t size, used;
    _Alignas(16) unsigned char data[];
} arena_block;

typedef struct arena_cleanup {
    struct arena_cleanup *next;
    void (*fn)(void *);
    void *ptr;
} arena_cleanup;

struct quill_arena {
    arena_block *head;  /* current block (most recent) */
    arena_block *first; /* kept across resets */
    arena_cleanup *cleanups;
    size_t total;  /* bytes of all blocks */
    size_t handed; /* bytes handed out since reset */
};

#define ARENA_ALIGN 16

static arena_block *block_new(size_t size) {
    arena_block *b = malloc(sizeof(*b) + size);
    if (!b) return NULL;
    b->next = NULL;
    b->size = size;
    b->used = 0;
    return b;
}

quill_arena *quill_arena_new(size_t first_block) {
    if (first_block < 1024) first_block = 1024;
    quill_arena *a = calloc(1, sizeof(*a));
    if (!a) return NULL;
    a->first = a->head = block_new(first_block);
    if (!a->first) {
        free(a);
        return NULL;
    }
    a->total = first_block;
    return a;
}

static void run_cleanups(quill_arena *a) {
    arena_cleanup *c = a->cleanups;
    a->cleanups = NULL; /* cleanups live in the arena: read next before the memory is reused */
    while (c) {
        arena_cleanup *next = c->next;
        c->fn(c->ptr);
        c = next;
    }
}

void quill_arena_reset(quill_arena *a) {
    if (!a) return;
    run_cleanups(a);
    arena_block *b = a->head;
    while (b && b != a->first) {
        arena_block *next = b->next;
        free(b);
        b = next;
    }
    a->head = a->first;
    a->first->used = 0;
    a->total = a->first->size;
    a->handed = 0;
}

void quill_arena_free(quill_arena *a) {
    if (!a) return;
    quill_arena_reset(a);
    free(a->first);
    free(a);
}

void *quill_arena_alloc(quill_arena *a, size_t size) {
    if (size == 0) size = 1;
    if (size > QUILL_ARENA_MAX) return NULL;
    size_t need = (size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    arena_block *b = a->head;
    if (b->size - b->used < need) {
        if (a->total + need > QUILL_ARENA_MAX) return NULL;
        /* Grow geometrically, but a big allocation gets a block of its own size. */
        size_t bs = a->head->size * 2;
        if (bs < need) bs = need;
        if (bs > 1024 * 1024 && need <= 1024 * 1024) bs = 1024 * 1024;
        if (a->total + bs > QUILL_ARENA_MAX) bs = need;
        b = block_new(bs);
        if (!b) return NULL;
        b->next = a->head;
        a->head = b;
        a->total += bs;
    }
    void *p = b->data + b->used;
    b->used += need;
    a->handed += need;
    return p;
}

void *quill_arena_calloc(quill_arena *a, size_t n, size_t size) {
    if (size && n > QUILL_ARENA_MAX / size) return NULL;
    void *p = quill_arena_alloc(a, n * size);
    if (p) memset(p, 0, n * size);
    return p;
}

char *quill_arena_strndup(quill_arena *a, const char *s, size_t n) {
    char *p = quill_arena_alloc(a, n + 1);
    if (!p) return NULL;
    if (n) memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *quill_arena_strdup(quill_arena *a, const char *s) {
    return quill_arena_strndup(a, s, strlen(s));
}

char *quill_arena_vprintf(quill_arena *a, const char *fmt, va_list ap) {
    va_list ap2;
    va_copy(ap2, ap);
    char small[256];
    int n = vsnprintf(small, sizeof(small), fmt, ap);
    if (n < 0) {
        va_end(ap2);
        return NULL;
    }
    char *p = quill_arena_alloc(a, (size_t)n + 1);
    if (p) {
        if ((size_t)n < sizeof(small))
            memcpy(p, small, (size_t)n + 1);
        else
            vsnprintf(p, (size_t)n + 1, fmt, ap2);
    }
    va_end(ap2);
    return p;
}

char *quill_arena_printf(quill_arena *a, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *p = quill_arena_vprintf(a, fmt, ap);
    va_end(ap);
    return p;
}

int quill_arena_defer(quill_arena *a, void (*fn)(void *), void *ptr) {
    arena_cleanup *c = quill_arena_alloc(a, sizeof(*c));
    if (!c) return -1;
    c->fn = fn;
    c->ptr = ptr;
    c->next = a->cleanups;
    a->cleanups = c;
    return 0;
}

size_t quill_arena_used(const quill_arena *a) {
    return a->handed;
}

/* ---- quill_buf ---------------------------------------------------------------------------- */

void quill_buf_init(quill_buf *b, quill_arena *a) {
    b->arena = a;
    b->ptr = NULL;
    b->len = b->cap = 0;
    b->max = QUILL_ARENA_MAX;
    b->failed = false;
}

int quill__buf_reserve(quill_buf *b, size_t extra) {
    if (b->failed) return -1;
    if (extra > b->max || b->len > b->max - extra) {
        b->failed = true;
        return -1;
    }
    size_t need = b->len + extra + 1; /* keep room for a NUL */
    if (need <= b->cap) return 0;
    size_t cap = b->cap ? b->cap * 2 : 256;
    while (cap < need) cap *= 2;
    /* Growth in an arena leaves the old copy behind until reset: geometric growth keeps the
     * waste under the final size. */
    char *p = quill_arena_alloc(b->arena, cap);
    if (!p) {
        b->failed = true;
        return -1;
    }
    if (b->len) memcpy(p, b->ptr, b->len);
    b->ptr = p;
    b->cap = cap;
    return 0;
}

int quill_buf_append(quill_buf *b, const void *data, size_t len) {
    if (quill__buf_reserve(b, len) < 0) return -1;
    if (len) memcpy(b->ptr + b->len, data, len);
    b->len += len;
    b->ptr[b->len] = '\0';
    return 0;
}

int quill_buf_puts(quill_buf *b, const char *s) {
    return quill_buf_append(b, s, strlen(s));
}

int quill_buf_putc(quill_buf *b, char c) {
    if (quill__buf_reserve(b, 1) < 0) return -1;
    b->ptr[b->len++] = c;
    b->ptr[b->len] = '\0';
    return 0;
}

int quill_buf_printf(quill_buf *b, const char *fmt, ...) {
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < 0) return -1;
    if ((size_t)n < sizeof(small)) return quill_buf_append(b, small, (size_t)n);
    if (quill__buf_reserve(b, (size_t)n) < 0) return -1;
    va_start(ap, fmt);
    vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return 0;
}

/* The five characters quill_buf_html_escape replaces: one table load per byte instead of a
 * chain of comparisons (escaping was an eighth of the home page's instructions). */
static const unsigned char html_special[256] = {
    ['&'] = 1, ['<'] = 1, ['>'] = 1, ['"'] = 1, ['\''] = 1,
};

int quill_buf_html_escape(quill_buf *b, const char *s, size_t len) {
    size_t start = 0;
    for (size_t i = 0; i < len; i++) {
        if (!html_special[(unsigned char)s[i]]) continue;
        const char *rep;
        switch (s[i]) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&#39;"; break;
        default: continue;
        }
        if (quill_buf_append(b, s + start, i - start) < 0) return -1;
        if (quill_buf_puts(b, rep) < 0) return -1;
        start = i + 1;
    }
    return quill_buf_append(b, s + start, len - start);
}

size_t quill_fmt_i64(char out[QUILL_I64_LEN], int64_t v) {
    /* Digits from the right into a scratch buffer, then copied: no division by a variable. */
    char tmp[QUILL_I64_LEN];
    size_t i = sizeof(tmp);
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {
        tmp[--i] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0) tmp[--i] = '-';
    size_t n = sizeof(tmp) - i;
    memcpy(out, tmp + i, n);
    out[n] = '\0';
    return n;
}
