/* Tests for harness/util.c: capped buffers, arena, checked integer parsing, string helpers. */
#include <criterion/criterion.h>
#include <string.h>

#include "core/util.h"

Test(buf, appends_and_stays_nul_terminated) {
    buf_t b;
    buf_init(&b, 100);
    cr_assert_str_eq(buf_cstr(&b), "");
    cr_assert_eq(buf_adds(&b, "abc"), 0);
    cr_assert_eq(buf_addc(&b, 'd'), 0);
    cr_assert_eq(buf_printf(&b, "-%d-", 42), 0);
    cr_assert_eq(buf_addfill(&b, 'x', 3), 0);
    cr_assert_str_eq(buf_cstr(&b), "abcd-42-xxx");
    cr_assert_eq(b.len, 11);
    buf_truncate(&b, 2);
    cr_assert_str_eq(b.ptr, "ab");
    buf_free(&b);
}

Test(buf, hard_cap_rejects_and_leaves_buffer_unchanged) {
    buf_t b;
    buf_init(&b, 8);
    cr_assert_eq(buf_adds(&b, "12345678"), 0); /* exactly the cap */
    cr_assert_eq(buf_addc(&b, '9'), -1);
    cr_assert_eq(buf_printf(&b, "%s", "z"), -1);
    cr_assert_eq(buf_addfill(&b, 'x', 1), -1);
    cr_assert_str_eq(buf_cstr(&b), "12345678");
    cr_assert_eq(b.len, 8);
    cr_assert_leq(b.cap, 9); /* never allocates past max + NUL */
    buf_reset(&b);
    cr_assert_eq(buf_adds(&b, "123456789"), -1);
    cr_assert_eq(b.len, 0);
    buf_free(&b);
}

Test(buf, long_printf_grows_exactly) {
    buf_t b;
    buf_init(&b, 0);
    char big[1000];
    memset(big, 'q', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    cr_assert_eq(buf_printf(&b, "<%s>", big), 0);
    cr_assert_eq(b.len, 1001);
    cr_assert_eq(b.ptr[0], '<');
    cr_assert_eq(b.ptr[1000], '>');
    char *p = buf_detach(&b);
    cr_assert_eq(strlen(p), 1001);
    cr_assert_null(b.ptr);
    free(p);
}

Test(buf, read_file_respects_cap) {
    buf_t b;
    buf_init(&b, 10);
    err_t e;
    cr_assert_eq(buf_read_file(&b, TESTS_DIR "/harness/data/valid/minimal.json", &e), -1);
    cr_assert(strstr(e.msg, "larger than 10 bytes"), "%s", e.msg);
    buf_free(&b);
    buf_init(&b, 0);
    cr_assert_eq(buf_read_file(&b, "/nonexistent/x.json", &e), -1);
    cr_assert(strstr(e.msg, "/nonexistent/x.json: cannot open"), "%s", e.msg);
    buf_free(&b);
}

static int destroyed;
static void destroy(void *p) {
    destroyed += *(int *)p;
}

Test(arena, allocations_zeroed_aligned_and_deferred_run) {
    arena_t a;
    arena_init(&a);
    destroyed = 0;
    for (int i = 0; i < 1000; i++) {
        char *p = arena_alloc(&a, (size_t)(i % 37) + 1);
        cr_assert_not_null(p);
        cr_assert_eq((uintptr_t)p % _Alignof(max_align_t), 0);
        cr_assert_eq(p[0], 0);
        memset(p, 0xff, (size_t)(i % 37) + 1);
    }
    char *big = arena_alloc(&a, 100000); /* bigger than a chunk */
    cr_assert_not_null(big);
    memset(big, 1, 100000);
    int *v = arena_alloc(&a, sizeof(int));
    *v = 5;
    cr_assert_eq(arena_defer(&a, destroy, v), 0);
    cr_assert_str_eq(arena_strndup(&a, "hello world", 5), "hello");
    arena_free(&a);
    cr_assert_eq(destroyed, 5);
}

Test(str, to_ll_checks_everything) {
    long long v;
    cr_assert_eq(str_to_ll("42", 0, 100, &v), 0);
    cr_assert_eq(v, 42);
    cr_assert_eq(str_to_ll("-7", -10, 10, &v), 0);
    cr_assert_eq(v, -7);
    cr_assert_eq(str_to_ll("9223372036854775807", 0, INT64_MAX, &v), 0);
    cr_assert_eq(v, INT64_MAX);
    cr_assert_eq(str_to_ll("9223372036854775808", 0, INT64_MAX, &v), -1); /* overflow */
    cr_assert_eq(str_to_ll("101", 0, 100, &v), -1);                       /* range */
    cr_assert_eq(str_to_ll("", 0, 100, &v), -1);
    cr_assert_eq(str_to_ll("-", 0, 100, &v), -1);
    cr_assert_eq(str_to_ll(" 1", 0, 100, &v), -1);
    cr_assert_eq(str_to_ll("1 ", 0, 100, &v), -1);
    cr_assert_eq(str_to_ll("1e3", 0, 10000, &v), -1);
    cr_assert_eq(str_to_ll("0x10", 0, 100, &v), -1);
    long l;
    cr_assert_eq(str_to_long("+15", 0, 100, &l), 0);
    cr_assert_eq(l, 15);
    cr_assert_eq(str_to_ll_n("12abc", 2, 0, 100, &v), 0);
    cr_assert_eq(v, 12);
}

Test(str, percent_encode_and_shell_quote) {
    buf_t b;
    buf_init(&b, 0);
    const char *s = "a b&c=d/é~_.-";
    cr_assert_eq(str_percent_encode(&b, s, strlen(s)), 0);
    cr_assert_str_eq(buf_cstr(&b), "a%20b%26c%3Dd%2F%C3%A9~_.-");
    buf_reset(&b);
    cr_assert_eq(str_shell_quote(&b, "it's $HOME", 10), 0);
    cr_assert_str_eq(buf_cstr(&b), "'it'\\''s $HOME'");
    buf_free(&b);
}

Test(str, escape_trunc_cuts_and_escapes) {
    buf_t b;
    buf_init(&b, 0);
    cr_assert_eq(str_escape_trunc(&b, "a\nb\x01", 4, 100), 0);
    cr_assert_str_eq(buf_cstr(&b), "a\\nb\\x01");
    buf_reset(&b);
    cr_assert_eq(str_escape_trunc(&b, "abcdef", 6, 3), 0);
    cr_assert_str_eq(buf_cstr(&b), "abc...");
    buf_reset(&b);
    /* "é" is 2 bytes: a cut in its middle backs off to before it */
    cr_assert_eq(str_escape_trunc(&b, "aé", 3, 2), 0);
    cr_assert_str_eq(buf_cstr(&b), "a...");
    buf_free(&b);
}

Test(str, utf8) {
    cr_assert_eq(str_utf8_len("héllo€😀", strlen("héllo€😀")), 7);
    cr_assert(str_utf8_valid("héllo€😀", strlen("héllo€😀")));
    cr_assert_not(str_utf8_valid("\xC0\xAF", 2));         /* overlong */
    cr_assert_not(str_utf8_valid("\xED\xA0\x80", 3));     /* surrogate */
    cr_assert_not(str_utf8_valid("\xF4\x90\x80\x80", 4)); /* > U+10FFFF */
    cr_assert_not(str_utf8_valid("\xE2\x82", 2));         /* truncated */
    cr_assert(str_starts_with("abc", "ab"));
    cr_assert_not(str_ends_with("abc", "abcd"));
    cr_assert(str_eq_nocase("Content-Type", "content-TYPE"));
}

Test(err, set_and_prefix) {
    err_t e;
    cr_assert_eq(err_set(&e, "bad %d", 1), -1);
    cr_assert_eq(err_prefix(&e, "f.json:%d:%d: ", 2, 3), -1);
    cr_assert_str_eq(e.msg, "f.json:2:3: bad 1");
    char big[2000];
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    err_set(&e, "%s", big);
    cr_assert_eq(strlen(e.msg), ERR_MSG_MAX - 1);
    cr_assert(str_ends_with(e.msg, "..."));
}

Test(util, utf8_encoding_and_hex4) {
    buf_t b;
    buf_init(&b, 64);
    cr_assert_eq(buf_add_utf8(&b, 0x41), 0);
    cr_assert_eq(buf_add_utf8(&b, 0xE9), 0);
    cr_assert_eq(buf_add_utf8(&b, 0x30D5), 0);
    cr_assert_eq(buf_add_utf8(&b, 0x1F600), 0);
    cr_assert_str_eq(buf_cstr(&b), "A\xC3\xA9\xE3\x83\x95\xF0\x9F\x98\x80");
    buf_free(&b);
    unsigned v;
    cr_assert_eq(str_hex4("00e9", &v), 0);
    cr_assert_eq(v, 0xE9);
    cr_assert_eq(str_hex4("D83D", &v), 0);
    cr_assert_eq(v, 0xD83D);
    cr_assert_eq(str_hex4("12g4", &v), -1);
}
