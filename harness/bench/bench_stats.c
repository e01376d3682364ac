/* bench_stats: the arithmetic of honest figures (see bench.h): spread and CV over repetitions,
 * the unstable and client-bound rules, the accounting of successes, and the read-only p99
 * bounds of a mix. Pure functions: the tests drive them with recorded numbers. */
#include "bench.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int bs_cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

bench_spread_t bench_spread(const double *v, size_t n) {
    bench_spread_t s = {0, 0, 0, 0, 0};
    if (n == 0) return s;
    double tmp[BENCH_MAX_REPEAT];
    if (n > BENCH_MAX_REPEAT) n = BENCH_MAX_REPEAT;
    memcpy(tmp, v, n * sizeof *v);
    qsort(tmp, n, sizeof *tmp, bs_cmp_double);
    s.n = n;
    s.min = tmp[0];
    s.max = tmp[n - 1];
    s.median = n % 2 ? tmp[n / 2] : (tmp[n / 2 - 1] + tmp[n / 2]) / 2;
    if (n >= 2) {
        double mean = 0, ss = 0;
        for (size_t i = 0; i < n; i++) mean += tmp[i];
        mean /= (double)n;
        for (size_t i = 0; i < n; i++) ss += (tmp[i] - mean) * (tmp[i] - mean);
        s.cv_pct = mean != 0 ? 100.0 * sqrt(ss / (double)(n - 1)) / fabs(mean) : 0;
    }
    return s;
}

bool bench_unstable(const bench_spread_t *s, double threshold_pct) {
    return s->n >= 2 && s->cv_pct > threshold_pct;
}

bool bench_client_bound(double rps, double ceiling_rps, double wrk_util) {
    if (wrk_util >= WRK_CLIENT_BOUND_UTIL) return true;
    return ceiling_rps > 0 && rps >= BENCH_CEILING_SHARE * ceiling_rps;
}

void bench_tally(const scn_t *s, const wrk_result_t *r, bench_tally_t *t) {
    memset(t, 0, sizeof *t);
    t->answers = r->requests;
    t->socket_errors = r->err_connect + r->err_read + r->err_write;
    t->exact = r->counted_created;
    long long ok;
    if (t->exact) {
        ok = 0;
        for (size_t i = 0; i < r->nstatuses; i++) {
            bool success = false;
            for (size_t k = 0; k < s->nreqs && !success; k++)
                success = scn_is_success(&s->reqs[k], r->status_code[i]);
            if (success) ok += r->status_count[i];
        }
    } else {
        ok = r->requests - r->err_status;
    }
    /* answers slower than wrk's timeout are not successes, whatever their status */
    ok -= r->err_timeout;
    if (ok < 0) ok = 0;
    if (ok > r->requests) ok = r->requests;
    t->successes = ok;
    t->unexpected = r->requests - ok;
    long long denom = r->requests + t->socket_errors;
    t->error_rate = denom > 0 ? (double)(t->unexpected + t->socket_errors) / (double)denom : 0;
}

bool bench_tally_ok(const bench_tally_t *t, double tolerated_rate, char *why, size_t whylen) {
    if (t->unexpected + t->socket_errors == 0 || t->error_rate <= tolerated_rate) {
        if (whylen) why[0] = '\0';
        return true;
    }
    snprintf(why, whylen,
             "%lld unexpected answer(s) and %lld socket error(s) in %lld answers (%.3f%%; the "
             "scenario tolerates %.3f%%)",
             t->unexpected, t->socket_errors, t->answers, 100.0 * t->error_rate,
             100.0 * tolerated_rate);
    return false;
}

/* The smallest value whose cumulative count reaches q of the total. */
static double bs_quantile(const long long (*hist)[2], size_t nhist, long long total, double q) {
    double want = ceil(q * (double)total);
    if (want < 1) want = 1;
    long long seen = 0;
    for (size_t i = 0; i < nhist; i++) {
        seen += hist[i][1];
        if ((double)seen >= want) return (double)hist[i][0];
    }
    return (double)hist[nhist - 1][0];
}

int bench_read_p99_bounds(const long long (*hist)[2], size_t nhist, double read_share, double *lo,
                          double *hi) {
    long long total = 0;
    for (size_t i = 0; i < nhist; i++) total += hist[i][1];
    if (total <= 0 || read_share <= 0 || read_share > 1) return -1;
    *lo = bs_quantile(hist, nhist, total, 0.99 * read_share);
    *hi = bs_quantile(hist, nhist, total, 1.0 - 0.01 * read_share);
    return 0;
}
