/* test_arena.c: targets/quill/src/arena.c — alignment, growth across blocks, big allocations,
 * the hard cap, reset (and its cleanups), printf, and the capped buffer with HTML escaping. */
#include "quill.h"

#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

Test(arena, aligned_and_distinct) {
    quill_arena *a = quill_arena_new(1024);
    char *prev = NULL;
    for (int i = 1; i < 200; i++) {
        char *p = quill_arena_alloc(a, (size_t)i);
        cr_assert_not_null(p);
        cr_assert_eq((uintptr_t)p % 16, 0);
        memset(p, 0xab, (size_t)i); /* ASan catches overlaps/overflows */
        cr_assert_neq(p, prev);
        prev = p;
    }
    quill_arena_free(a);
}

Test(arena, big_allocations_and_reset) {
    quill_arena *a = quill_arena_new(1024);
    char *big = quill_arena_alloc(a, 3 << 20);
    cr_assert_not_null(big);
    memset(big, 1, 3 << 20);
    cr_assert_geq(quill_arena_used(a), (size_t)3 << 20);
    quill_arena_reset(a);
    cr_assert_eq(quill_arena_used(a), 0);
    char *p = quill_arena_alloc(a, 100);
    cr_assert_not_null(p);
    quill_arena_free(a);
}

Test(arena, hard_cap) {
    quill_arena *a = quill_arena_new(1024);
    cr_assert_null(quill_arena_alloc(a, QUILL_ARENA_MAX + 1));
    cr_assert_null(quill_arena_calloc(a, SIZE_MAX / 2, 4), "overflowing n*size");
    size_t got = 0;
    while (quill_arena_alloc(a, 8u << 20)) got += 8u << 20;
    cr_assert_leq(got, QUILL_ARENA_MAX);
    cr_assert_geq(got, QUILL_ARENA_MAX - (16u << 20));
    quill_arena_free(a);
}

static int cleaned;
static void cleanup(void *p) {
    cleaned += *(int *)p;
}

Test(arena, deferred_cleanups_run_at_reset_in_reverse) {
    quill_arena *a = quill_arena_new(1024);
    static int one = 1, ten = 10;
    cleaned = 0;
    quill_arena_defer(a, cleanup, &one);
    quill_arena_defer(a, cleanup, &ten);
    quill_arena_reset(a);
    cr_assert_eq(cleaned, 11);
    quill_arena_reset(a);
    cr_assert_eq(cleaned, 11, "cleanups run once");
    quill_arena_defer(a, cleanup, &one);
    quill_arena_free(a);
    cr_assert_eq(cleaned, 12, "and on free");
}

Test(arena, strings) {
    quill_arena *a = quill_arena_new(1024);
    cr_assert_str_eq(quill_arena_strndup(a, "hello world", 5), "hello");
    cr_assert_str_eq(quill_arena_printf(a, "%d-%s", 42, "x"), "42-x");
    char long_s[1000];
    memset(long_s, 'z', sizeof(long_s) - 1);
    long_s[999] = '\0';
    char *p = quill_arena_printf(a, "[%s]", long_s);
    cr_assert_eq(strlen(p), 1001, "longer than the stack buffer");
    quill_arena_free(a);
}

Test(buf, grows_and_escapes) {
    quill_arena *a = quill_arena_new(1024);
    quill_buf b;
    quill_buf_init(&b, a);
    for (int i = 0; i < 1000; i++) quill_buf_printf(&b, "%d,", i);
    cr_assert_eq(strncmp(b.ptr, "0,1,2,", 6), 0);
    cr_assert_eq(b.ptr[b.len], '\0');
    quill_buf_init(&b, a);
    quill_buf_html_escape(&b, "a&b<c>d\"e'f", 11);
    cr_assert_str_eq(b.ptr, "a&amp;b&lt;c&gt;d&quot;e&#39;f");
    quill_arena_free(a);
}

Test(buf, cap_is_enforced) {
    quill_arena *a = quill_arena_new(1024);
    quill_buf b;
    quill_buf_init(&b, a);
    b.max = 10;
    cr_assert_eq(quill_buf_puts(&b, "0123456789"), 0);
    cr_assert_eq(quill_buf_putc(&b, 'x'), -1);
    cr_assert(b.failed);
    cr_assert_eq(quill_buf_puts(&b, ""), -1, "a failed buffer stays failed");
    quill_arena_free(a);
}
