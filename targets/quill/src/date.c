/*
 * date.c: the cached RFC 1123 Date header value and clocks.
 * Formatting a date costs a gmtime_r and a strftime; at 100k responses a second that matters, so
 * each thread keeps the last formatted second and reformats only when the second changes (the
 * coarse clock is a vDSO read, no system call).
 */
#include "internal.h"

#include <stdio.h>
#include <time.h>

static _Thread_local char date_buf[40];
static _Thread_local time_t date_sec = -1;
static _Thread_local size_t date_len;

quill_str quill_http_date(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME_COARSE, &ts);
    if (ts.tv_sec != date_sec) {
        struct tm tm;
        gmtime_r(&ts.tv_sec, &tm);
        /* Not strftime: %a and %b follow the locale, and HTTP dates are always English. */
        static const char days[] = "SunMonTueWedThuFriSat";
        static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
        int n = snprintf(date_buf, sizeof(date_buf), "%.3s, %02d %.3s %04d %02d:%02d:%02d GMT",
                         days + 3 * tm.tm_wday, tm.tm_mday, months + 3 * tm.tm_mon,
                         tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
        date_len = n > 0 && (size_t)n < sizeof(date_buf) ? (size_t)n : 0;
        date_sec = ts.tv_sec;
    }
    return (quill_str){date_buf, date_len};
}

int64_t quill_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
