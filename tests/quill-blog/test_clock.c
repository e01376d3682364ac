/* Timestamps: ISO 8601 UTC with milliseconds, and updatedAt that always moves forward. */
#include <criterion/criterion.h>

#include "clock.h"

Test(clock, formats_milliseconds_utc) {
    char out[CLOCK_ISO_LEN + 1];
    cr_assert_eq(clock_format_iso(0, out, sizeof out), 0);
    cr_expect_str_eq(out, "1970-01-01T00:00:00.000Z");
    /* 2026-11-23T18:32:05.123Z */
    cr_assert_eq(clock_format_iso(1795458725123LL, out, sizeof out), 0);
    cr_expect_str_eq(out, "2026-11-23T18:32:05.123Z");
    cr_assert_eq(clock_format_iso(-1, out, sizeof out), 0);
    cr_expect_str_eq(out, "1969-12-31T23:59:59.999Z");
}

Test(clock, rejects_small_buffers_and_huge_years) {
    char out[CLOCK_ISO_LEN + 1];
    cr_expect_eq(clock_format_iso(0, out, CLOCK_ISO_LEN), -1);
    cr_expect_eq(clock_format_iso(INT64_C(253402300800000), out, sizeof out), -1); /* year 10000 */
    cr_expect_str_eq(out, "");
}

Test(clock, after_is_strictly_later) {
    int64_t now = clock_now_ms();
    cr_expect_gt(clock_after_ms(now + 5000), now + 5000);
    cr_expect_eq(clock_after_ms(now + 5000), now + 5001);
    cr_expect_geq(clock_after_ms(0), now);
}
