/* util: shared plumbing for every harness module.
 *
 * - err_t: one fixed-size error message, filled with err_set(); functions that can fail take an
 *   `err_t *` and return 0 / -1. Messages that point into a spec file are `file:line:col: message`.
 * - buf_t: a growable byte buffer with a hard cap (curl's dynbuf): every buffer says how big it may
 *   grow, so no input can make the harness allocate without bound. Always NUL-terminated.
 * - arena_t: a pool allocator freed in one go (h2o's mem pool), with deferred destructors so that
 *   objects owned by a library (cJSON trees, regex_t) die with the arena.
 * - slice_t: a non-owning {ptr, len} view.
 * - str_*: checked integer parsing (strtol family, whole string), small string helpers.
 *
 * Ownership: buf_t owns its storage (buf_free); arena_t owns everything allocated from it and runs
 * its deferred destructors in reverse order in arena_free. */
#ifndef PARITY_UTIL_H
#define PARITY_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- errors ------------------------------------------------------------------------------- */

#define ERR_MSG_MAX 1024 /* a message longer than this is truncated (with "...") */

typedef struct err {
    char msg[ERR_MSG_MAX];
} err_t;

/* Formats the message into e (if e is not NULL). Always returns -1 so that callers can write
 * `return err_set(err, "...")`. */
int err_set(err_t *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prepends "prefix" to the current message (e.g. a step name); returns -1. */
int err_prefix(err_t *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- capped buffer -------------------------------------------------------------------------- */

#define BUF_MAX_DEFAULT (64u * 1024 * 1024) /* cap used when buf_init is given 0 */

typedef struct buf {
    char *ptr;  /* NULL until the first append; always NUL-terminated after one */
    size_t len; /* bytes used, excluding the NUL */
    size_t cap; /* bytes allocated */
    size_t max; /* hard cap on len; appends beyond it fail and leave the buffer unchanged */
} buf_t;

void buf_init(buf_t *b, size_t max);
void buf_free(buf_t *b);
void buf_reset(buf_t *b); /* len = 0, keeps the storage */
/* Appends; -1 when the result would exceed b->max or memory runs out (buffer unchanged). */
int buf_add(buf_t *b, const void *p, size_t n);
int buf_adds(buf_t *b, const char *s);
int buf_addc(buf_t *b, char c);
int buf_addfill(buf_t *b, char c, size_t n); /* n copies of c */
int buf_printf(buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_vprintf(buf_t *b, const char *fmt, va_list ap);
/* Shrinks len to n (n <= len). */
void buf_truncate(buf_t *b, size_t n);
/* Never NULL: "" for an empty buffer. Valid until the next append. */
const char *buf_cstr(const buf_t *b);
/* Hands the storage to the caller (free() it; never NULL on success) and resets b. */
char *buf_detach(buf_t *b);

/* Appends code point cp (<= 0x10FFFF) encoded as UTF-8. */
int buf_add_utf8(buf_t *b, unsigned cp);

/* Reads a whole file into b (appending), failing with "path: message" past b->max. */
int buf_read_file(buf_t *b, const char *path, err_t *err);

/* ---- arena ------------------------------------------------------------------------------------
 */

#define ARENA_CHUNK_SIZE 16384 /* bytes per chunk; bigger requests get a chunk of their own */

typedef struct arena_chunk arena_chunk_t;
typedef struct arena_defer arena_defer_t;

typedef struct arena {
    arena_chunk_t *chunks;
    arena_defer_t *defers;
} arena_t;

void arena_init(arena_t *a);
/* Runs deferred destructors (last registered first), then frees every chunk. */
void arena_free(arena_t *a);
/* Zeroed memory aligned for any type; NULL when out of memory. */
void *arena_alloc(arena_t *a, size_t n);
char *arena_strdup(arena_t *a, const char *s);
char *arena_strndup(arena_t *a, const char *s, size_t n);
/* Calls fn(ptr) in arena_free. -1 (and fn is called at once) when out of memory. */
int arena_defer(arena_t *a, void (*fn)(void *), void *ptr);

/* ---- slices and strings ------------------------------------------------------------------------
 */

typedef struct slice {
    const char *ptr;
    size_t len;
} slice_t;

#define SLICE_LIT(s) ((slice_t){(s), sizeof(s) - 1})

bool slice_eq(slice_t a, slice_t b);
bool slice_eq_nocase(slice_t a, slice_t b); /* ASCII case-insensitive */

/* Parses the WHOLE string s (optional leading '-' or '+', decimal digits only, no spaces) into
 * *out if min <= value <= max. -1 on empty input, trailing garbage, overflow or range. */
int str_to_ll(const char *s, long long min, long long max, long long *out);
int str_to_long(const char *s, long min, long max, long *out);
/* Same over a non-terminated slice. */
int str_to_ll_n(const char *s, size_t n, long long min, long long max, long long *out);

bool str_starts_with(const char *s, const char *prefix);
bool str_ends_with(const char *s, const char *suffix);
bool str_eq_nocase(const char *a, const char *b);
/* malloc'ed copies; NULL when out of memory (or s is NULL). */
char *str_dup(const char *s);
char *str_ndup(const char *s, size_t n);

/* Appends s to out quoted for a POSIX shell ('...' with ' written as '\''). */
int str_shell_quote(buf_t *out, const char *s, size_t n);
/* Appends s percent-encoded: every byte except ALPHA DIGIT - . _ ~ becomes %XX (RFC 3986). */
int str_percent_encode(buf_t *out, const char *s, size_t n);
/* Appends s with control characters and non-ASCII bytes escaped (\n, \xHH), cut after max bytes
 * with "..." appended: for printing untrusted values in messages. */
int str_escape_trunc(buf_t *out, const char *s, size_t n, size_t max);

/* Writes n random lower-case alphanumerics and a NUL to out (n <= 32; getrandom, else rand()). */
void str_random_alnum(char *out, size_t n);

/* Parses exactly 4 hex digits at s (as in JSON's \uXXXX) into *out; -1 on a non-hex digit. */
int str_hex4(const char *s, unsigned *out);

/* Number of UTF-8 characters (code points; invalid bytes count one each) in s[0..n). */
size_t str_utf8_len(const char *s, size_t n);
/* True if s[0..n) is valid UTF-8 (no overlongs, no surrogates, <= U+10FFFF). */
bool str_utf8_valid(const char *s, size_t n);

#endif
