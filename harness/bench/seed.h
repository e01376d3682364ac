/* seed: creating the benchmark data through a target's own API, from a spec-format suite
 * (specs/bench/seed.json), fast.
 *
 * Seeding through the API (not by writing SQLite files) keeps every target honest: the data is
 * exactly what its own code stores. Registration is bcrypt-bound (about 70 ms a user at cost 10
 * in Python), so the top-level `repeat` steps that the plan lists by index variable in its
 * `parallel` variable (e.g. `"parallel": ["a", "r"]`) are SHARDED over `parallel` connections:
 * iteration i runs on worker i % parallel, its children in order on that worker's keep-alive
 * connection, with its own copy of the variables (so per-iteration captures such as a token do
 * not leak between iterations). List captures (`"tokens[]"`) made by an iteration are merged
 * back in iteration order after the phase, so pools have the same order whatever the timing.
 * Only phases whose effects do not depend on order belong in `parallel` (registering users,
 * follows, favorites); the others (articles, comments: their order shows in every list) run one
 * request after the other, so the plan creates identical data on every target.
 *
 * Ownership: the caller owns vars (seed_run adds the suite's variables and the captures to it)
 * and frees the pools with seed_pools_free. */
#ifndef PARITY_SEED_H
#define PARITY_SEED_H

#include <stddef.h>

#include "scenario.h"
#include "spec/spec.h"
#include "spec/tmpl.h"
#include "core/util.h"

#define SEED_MAX_PARALLEL 64
#define SEED_PARALLEL_VAR "parallel" /* list of index variables of the phases to shard */
/* {"POOL": "JAR", ...}: after every iteration of a sharded phase, the cookies jar JAR holds become
 * one element of list POOL, as a Cookie header value ("a=1; b=2"): a session seeded through a
 * web app's forms (login sets its cookies) for the load generator to send. Every iteration
 * starts with empty jars (its own browser), so one user's cookies never reach another's. */
#define SEED_COOKIE_POOLS_VAR  "cookie_pools"
#define SEED_MAX_COOKIE_HEADER 8192 /* bytes of one jar's Cookie header */

typedef struct seed_stats {
    long steps; /* requests sent */
    double duration_s;
} seed_stats_t;

/* Runs suite (setup, steps; teardown is not run: the data is meant to stay) against base_url.
 * vars must hold the built-ins (uid, target, run). -1 with err naming the step, its spec
 * file:line:col and the failure when a step fails. */
int seed_run(const suite_t *suite, const char *base_url, int parallel, vars_t *vars,
             seed_stats_t *stats, err_t *err);

/* A scenario's own plan (its "seed" key, a file in specs/bench/) run after seed.json on the same
 * process: loaded from path, run on a copy of *vars that replaces *vars only when every step
 * passed (a failed plan leaves no half of its captures behind); stats add up. -1 with err naming
 * the file (load) or the step (run). */
int seed_run_file(const char *path, const char *base_url, int parallel, vars_t **vars,
                  seed_stats_t *stats, err_t *err);

/* The Cookie header value ("name=value; name2=value2") of a jar dumped as Netscape cookie-file
 * lines (http_jar_dump): "#HttpOnly_" lines are cookies, other "#" lines comments. */
int seed_cookie_header(const char *netscape, buf_t *out);

/* Every list variable of vars becomes a pool of strings (numbers printed as JSON). */
int seed_pools(const vars_t *vars, scn_pool_t **pools, size_t *n);
void seed_pools_free(scn_pool_t *pools, size_t n);

/* Sets the suite's `variables` into vars, each rendered against what is already there. */
int seed_set_suite_vars(const suite_t *suite, vars_t *vars, err_t *err);

#endif
