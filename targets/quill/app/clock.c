/* clock: millisecond UTC timestamps (see clock.h). */
#include "clock.h"

#include <stdio.h>
#include <time.h>

int64_t clock_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t clock_after_ms(int64_t previous_ms) {
    int64_t now = clock_now_ms();
    return now > previous_ms ? now : previous_ms + 1;
}

int clock_format_iso(int64_t ms, char *out, size_t cap) {
    if (cap == 0) return -1;
    out[0] = '\0';
    if (cap < CLOCK_ISO_LEN + 1) return -1;
    /* Floor division so that times before 1970 keep a positive millisecond part. */
    int64_t secs = ms / 1000, milli = ms % 1000;
    if (milli < 0) {
        milli += 1000;
        secs -= 1;
    }
    time_t t = (time_t)secs;
    struct tm tm;
    if (gmtime_r(&t, &tm) == NULL || tm.tm_year < -1900 || tm.tm_year > 9999 - 1900) return -1;
    int n = snprintf(out, cap, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)milli);
    if (n != CLOCK_ISO_LEN) {
        out[0] = '\0';
        return -1;
    }
    return 0;
}
