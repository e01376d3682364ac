/* bench_validate: every request kind of a scenario checked on real answers, before the load
 * (pool values at index 0) and again after it (index 1: other values, a target that degraded
 * under load is caught), with the conformance engine's own expectations.
 *
 * No second request loop: the kinds become the steps of an in-memory spec suite (one step per
 * kind, its own `expect` or the scenario's) that the step engine runs through seed_run(), so
 * status lists, asserts and `{{pool}}` references in expectations mean exactly what they mean in
 * specs/blog. A fast wrong answer is not a result: a kind that fails is reported with its name
 * and why, and the scenario is not measured (before) or fails (after).
 *
 * Ownership: nothing outlives a call. */
#ifndef PARITY_BENCH_VALIDATE_H
#define PARITY_BENCH_VALIDATE_H

#include <stddef.h>

#include "core/util.h"
#include "scenario.h"

#define BENCH_VALIDATE_BEFORE 0 /* pool index of the check before the load */
#define BENCH_VALIDATE_AFTER  1 /* and after it */

/* The suite (JSON text, malloc'ed) checking every kind of s with pools at index; NULL (err) when
 * a template cannot be rendered. */
char *bench_validate_suite(const scn_t *s, const scn_pool_t *pools, size_t npools, size_t index,
                           err_t *err);

/* Runs that suite against url. 0 when every kind answered as expected; -1 with msg naming the
 * kind (step) and the failure. */
int bench_validate(const scn_t *s, const char *url, const scn_pool_t *pools, size_t npools,
                   size_t index, buf_t *msg);

#endif
