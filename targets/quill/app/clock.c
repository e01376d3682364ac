/* clock: millisecond UTC timestamps (see clock.h). */
#include "clock.h"

#include <time.h>

int64_t clock_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t clock_after_ms(int64_t previous_ms) {
    int64_t now = clock_now_ms();
    return now > previous_ms ? now : previous_ms + 1; // parity-ruling: 7
}

/* Why not gmtime_r + snprintf: glibc's gmtime_r takes a process-wide lock (tz conversion) and
 * snprintf parses its format every time; an article list formats two timestamps per article on
 * every worker. This is the days-to-civil algorithm of Howard Hinnant's date library (proleptic
 * Gregorian calendar, exact for every int64 day count used here), with the digits written
 * directly. */
static void put_digits(char *out, int64_t v, int n) {
    for (int i = n - 1; i >= 0; i--) {
        out[i] = (char)('0' + v % 10);
        v /= 10;
    }
}

int clock_format_iso(int64_t ms, char *out, size_t cap) {
    if (cap == 0) return -1;
    out[0] = '\0';
    if (cap < CLOCK_ISO_LEN + 1) return -1;
    /* Floor division so that times before 1970 keep a positive time of day. */
    int64_t days = ms / 86400000, rem = ms % 86400000;
    if (rem < 0) {
        rem += 86400000;
        days -= 1;
    }
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;                                      /* [0, 146096] */
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               /* [0, 365] */
    int64_t mp = (5 * doy + 2) / 153;                                    /* [0, 11] */
    int64_t day = doy - (153 * mp + 2) / 5 + 1;
    int64_t month = mp < 10 ? mp + 3 : mp - 9;
    int64_t year = yoe + era * 400 + (month <= 2);
    if (year < 0 || year > 9999) return -1;
    /* "YYYY-MM-DDTHH:MM:SS.mmmZ" */
    put_digits(out, year, 4);
    out[4] = '-';
    put_digits(out + 5, month, 2);
    out[7] = '-';
    put_digits(out + 8, day, 2);
    out[10] = 'T';
    put_digits(out + 11, rem / 3600000, 2);
    out[13] = ':';
    put_digits(out + 14, rem / 60000 % 60, 2);
    out[16] = ':';
    put_digits(out + 17, rem / 1000 % 60, 2);
    out[19] = '.';
    put_digits(out + 20, rem % 1000, 3);
    out[23] = 'Z';
    out[24] = '\0';
    return 0;
}
