/* clock: monotonic time, sleeping, timestamps and run ids. See clock.h. */
#include "clock.h"

#include <errno.h>
#include <stdio.h>
#include <time.h>

#include "util.h"

long long clock_mono_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

double clock_mono_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void clock_sleep_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (ms > 0 && nanosleep(&ts, &ts) == -1 && errno == EINTR) {
    }
}

void clock_iso8601_now(char *out, size_t outlen) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    /* gmtime fields are small; the casts keep the compiler's truncation analysis honest. */
    snprintf(out, outlen, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", (tm.tm_year + 1900) % 10000,
             (tm.tm_mon + 1) % 100, tm.tm_mday % 100, tm.tm_hour % 100, tm.tm_min % 100,
             tm.tm_sec % 100, (int)(ts.tv_nsec / 1000000) % 1000);
}

void clock_run_id(char *out, size_t outlen) {
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    char rnd[5];
    str_random_alnum(rnd, 4);
    snprintf(out, outlen, "%04d%02d%02d-%02d%02d%02d-%s", (tm.tm_year + 1900) % 10000,
             (tm.tm_mon + 1) % 100, tm.tm_mday % 100, tm.tm_hour % 100, tm.tm_min % 100,
             tm.tm_sec % 100, rnd);
}
