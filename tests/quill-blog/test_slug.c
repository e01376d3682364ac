/* Slugs (ruling 8): lower-case, runs of non-[a-z0-9] bytes to one '-', trimmed, random suffix. */
#include <criterion/criterion.h>
#include <string.h>

#include "slug.h"

static const char sfx[SLUG_SUFFIX_LEN] = {'0', '1', '2', '3', 'a', 'b', 'c', 'd'};

static void expect_slug(const char *title, const char *want) {
    char out[SLUG_CAP(256)];
    size_t n = slug_build(title, strlen(title), sfx, out);
    cr_expect_str_eq(out, want, "title \"%s\"", title);
    cr_expect_eq(n, strlen(want), "length for \"%s\"", title);
}

Test(slug, lower_cases_and_joins_words) {
    expect_slug("How to train your dragon", "how-to-train-your-dragon-0123abcd");
    expect_slug("ABC xyz 123", "abc-xyz-123-0123abcd");
}

Test(slug, collapses_runs_and_trims) {
    expect_slug("  --Hello,   World!!  ", "hello-world-0123abcd");
    expect_slug("a__b", "a-b-0123abcd");
    expect_slug("<script>alert(\"x\")</script>", "script-alert-x-script-0123abcd");
}

Test(slug, non_ascii_bytes_are_separators) {
    expect_slug("caf\xc3\xa9 au lait", "caf-au-lait-0123abcd");
    expect_slug("\xc3\x89t\xc3\xa9", "t-0123abcd");
}

Test(slug, title_without_alphanumerics_is_only_the_suffix) {
    expect_slug("!!!", "0123abcd");
    expect_slug("\xe3\x83\x95\xe3\x83\xac\xe3\x83\xbc\xe3\x83\xa0", "0123abcd");
    expect_slug("", "0123abcd");
}

Test(slug, random_suffix_is_lower_hex_and_varies) {
    char a[SLUG_SUFFIX_LEN], b[SLUG_SUFFIX_LEN];
    cr_assert_eq(slug_random_suffix(a), 0);
    cr_assert_eq(slug_random_suffix(b), 0);
    for (int i = 0; i < SLUG_SUFFIX_LEN; i++)
        cr_expect((a[i] >= '0' && a[i] <= '9') || (a[i] >= 'a' && a[i] <= 'f'), "char %c", a[i]);
    /* Two draws of 32 random bits collide with probability 2^-32. */
    cr_expect(memcmp(a, b, SLUG_SUFFIX_LEN) != 0);
}
