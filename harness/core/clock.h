/* clock: the harness's clocks, sleeping and run ids.
 *
 * Durations and deadlines use the monotonic clock (never the wall clock, which can jump); the
 * wall clock only names things: ISO-8601 timestamps in result files and run ids. */
#ifndef PARITY_CORE_CLOCK_H
#define PARITY_CORE_CLOCK_H

#include <stddef.h>

#define CLOCK_ISO8601_LEN 25 /* "2026-11-23T19:11:12.345Z" and its NUL */
#define CLOCK_RUN_ID_LEN  21 /* "20261123-191112-29v0" and its NUL */

/* Milliseconds on the monotonic clock (CLOCK_MONOTONIC). */
long long clock_mono_ms(void);
/* Seconds on the monotonic clock, nanosecond resolution. */
double clock_mono_s(void);
/* Sleeps ms milliseconds (nothing for ms <= 0), resuming after signals. */
void clock_sleep_ms(long ms);

/* The current UTC time as "YYYY-MM-DDTHH:MM:SS.mmmZ" (outlen >= CLOCK_ISO8601_LEN). */
void clock_iso8601_now(char *out, size_t outlen);
/* A new run id, "YYYYMMDD-HHMMSS-xxxx": the UTC time and 4 random lower-case alphanumerics, so
 * two runs started in the same second differ (outlen >= CLOCK_RUN_ID_LEN). */
void clock_run_id(char *out, size_t outlen);

#endif
