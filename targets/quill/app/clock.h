/* clock: the blog's timestamps.
 *
 * Timestamps are stored as INTEGER milliseconds since the Unix epoch (UTC) so that SQLite orders
 * and compares them as numbers, and are formatted only on output, as ISO 8601 with milliseconds
 * and 'Z' ("2026-11-23T18:32:05.123Z"), the contract's one format. */
#ifndef BLOG_CLOCK_H
#define BLOG_CLOCK_H

#include <stddef.h>
#include <stdint.h>

/* Length of a formatted timestamp, without the terminating NUL. */
#define CLOCK_ISO_LEN 24

/* Milliseconds since the epoch, from CLOCK_REALTIME. */
int64_t clock_now_ms(void);

/* A timestamp strictly later than `previous_ms` and not earlier than now: updatedAt after a PUT
 * must move forward even when the clock has not advanced a millisecond (ruling 7). */
int64_t clock_after_ms(int64_t previous_ms);

/* Writes the ISO form of `ms` and a NUL into `out` (at least CLOCK_ISO_LEN + 1 bytes).
 * Returns 0, or -1 when `ms` is outside years 0000..9999 (out then holds ""). */
int clock_format_iso(int64_t ms, char *out, size_t cap);

#endif
