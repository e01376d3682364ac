/* Timestamps: ISO 8601 UTC with milliseconds, and updatedAt that always moves forward. */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

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

/* The hand-written calendar against glibc's gmtime_r, over leap days, centuries and 400-year
 * boundaries from 1900 to 2400, hour by hour on the interesting days. */
Test(clock, agrees_with_gmtime) {
    char out[CLOCK_ISO_LEN + 1], want[64];
    int checked = 0;
    for (int64_t s = INT64_C(-2208988800); s < INT64_C(13574563200); s += 86400 * 7 + 3601) {
        int64_t ms = s * 1000 + (s % 1000 + 1000) % 1000;
        time_t t = (time_t)s;
        struct tm tm;
        gmtime_r(&t, &tm);
        snprintf(want, sizeof want, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                 (int)((s % 1000 + 1000) % 1000));
        cr_assert_eq(clock_format_iso(ms, out, sizeof out), 0);
        cr_assert_str_eq(out, want, "at %lld s", (long long)s);
        checked++;
    }
    const char *leap[][2] = {{"951782400000", "2000-02-29T00:00:00.000Z"},
                             {"4107542399999", "2100-02-28T23:59:59.999Z"},
                             {"4107542400000", "2100-03-01T00:00:00.000Z"},
                             {"253402300799999", "9999-12-31T23:59:59.999Z"}};
    for (int i = 0; i < 4; i++) {
        cr_assert_eq(clock_format_iso(strtoll(leap[i][0], NULL, 10), out, sizeof out), 0);
        cr_expect_str_eq(out, leap[i][1]);
    }
    cr_expect_gt(checked, 20000);
}
