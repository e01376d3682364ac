/* clock: the harness's clocks and sleeping. Durations and deadlines use the monotonic clock (never
 * the wall clock, which can jump). */
#ifndef PARITY_CORE_CLOCK_H
#define PARITY_CORE_CLOCK_H

/* Milliseconds on the monotonic clock (CLOCK_MONOTONIC). */
long long clock_mono_ms(void);
/* Sleeps ms milliseconds, resuming after signals. */
void clock_sleep_ms(long ms);

#endif
