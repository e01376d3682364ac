/* wrk_hist: the latency histogram of one wrk run: wrk's correction undone, figures recomputed.
 *
 * Why undo anything: before the script's done() sees it, wrk 4 "corrects" its latency histogram
 * for coordinated omission (stats_correct, called from main with expected = duration_us /
 * (requests / connections), integer arithmetic): every recorded latency v >= 2 * expected adds
 * one synthetic sample at each of v - expected, v - 2 * expected, ... down to just above
 * expected. The assumption behind it is that every connection should have sent a request every
 * `expected` microseconds; that holds for one uniform request and fails for a mix. In mixed-login
 * a 2 s login (the bcrypt queue) adds ~50 synthetic samples between 40 ms and 2 s, which the
 * histogram cannot tell from the reads: the run's 15,350 answers became 28,359 samples and the
 * reads' p99 read 2 s while each read took under 10 ms (targets/quill/README.md). A closed-loop
 * figure must count what was measured; the honest account of queueing is the open-loop mode
 * (bench_open.c, latency from each request's due time).
 *
 * The correction is invertible. With e = expected, for every m > e:
 *     after[m] = before[m] + sum_{k >= 1} before[m + k e]     (m + k e >= 2e: always corrected)
 * and after[m + e] is that same sum, so before[m] = after[m] - after[m + e]; at or below e
 * nothing was added. A negative difference, or a recorded count outside what the request and
 * timeout counters allow, means the histogram did not come from that correction (another wrk):
 * an error, never a silent figure. */
#include "wrk.h"

#include <math.h>

#include <cjson/cJSON.h>

double wrk_hist_percentile(const long long (*hist)[2], size_t n, double p) {
    long long total = 0;
    for (size_t i = 0; i < n; i++) total += hist[i][1];
    if (total <= 0) return 0;
    /* wrk 4.1's stats_percentile: rank = round(p / 100 * count + 0.5), the first value whose
     * cumulative count reaches it. Same arithmetic (long double, then round) so that a
     * histogram gives the figure wrk itself would have printed for it. */
    long double x = ((long double)p / 100.0L) * (long double)total + 0.5L;
    long long rank = (long long)round((double)x);
    long long cum = 0;
    for (size_t i = 0; i < n; i++) {
        cum += hist[i][1];
        if (cum >= rank) return (double)hist[i][0];
    }
    return (double)hist[n - 1][0];
}

void wrk_result_restat(wrk_result_t *r) {
    const long long(*h)[2] = (const long long(*)[2])r->hist;
    long double sum = 0, total = 0, sq = 0;
    for (size_t i = 0; i < r->nhist; i++) {
        sum += (long double)h[i][0] * (long double)h[i][1];
        total += (long double)h[i][1];
    }
    r->lat_min_us = r->lat_max_us = r->lat_mean_us = r->lat_stdev_us = 0;
    if (r->nhist && total > 0) {
        r->lat_min_us = (double)h[0][0];
        r->lat_max_us = (double)h[r->nhist - 1][0];
        long double mean = sum / total;
        r->lat_mean_us = (double)mean;
        for (size_t i = 0; i < r->nhist; i++) {
            long double d = (long double)h[i][0] - mean;
            sq += d * d * (long double)h[i][1];
        }
        r->lat_stdev_us = total > 1 ? (double)sqrtl(sq / (total - 1)) : 0;
    }
    r->p50_us = wrk_hist_percentile(h, r->nhist, 50);
    r->p75_us = wrk_hist_percentile(h, r->nhist, 75);
    r->p90_us = wrk_hist_percentile(h, r->nhist, 90);
    r->p99_us = wrk_hist_percentile(h, r->nhist, 99);
    r->p99_9_us = wrk_hist_percentile(h, r->nhist, 99.9);
    r->p99_99_us = wrk_hist_percentile(h, r->nhist, 99.99);
}

int wrk_uncorrect(long long (*hist)[2], size_t *nhist, long long expected, long long *added,
                  err_t *err) {
    *added = 0;
    if (expected <= 0) return 0; /* fewer answers than connections: wrk corrected nothing */
    size_t n = *nhist, j = 0, k = 0;
    /* In place, ascending m: j finds m + e further on in the same list (it only moves forward),
     * an entry not yet rewritten, and the recorded counts are written back at k <= i, behind
     * every entry still to be read. Buckets of synthetic samples only are dropped. */
    for (size_t i = 0; i < n; i++) {
        long long m = hist[i][0], c = hist[i][1];
        if (m > expected) {
            while (j < n && hist[j][0] < m + expected) j++;
            if (j < n && hist[j][0] == m + expected) c -= hist[j][1];
        }
        if (c < 0)
            return err_set(err,
                           "wrk output: the latency histogram is not wrk 4's corrected histogram "
                           "(expected interval %lld us; %lld samples at %lld us, %lld at %lld us): "
                           "a different wrk? (`wrk -v`)",
                           expected, hist[i][1], m, hist[i][1] - c, m + expected);
        *added += hist[i][1] - c;
        if (c == 0) continue;
        hist[k][0] = m;
        hist[k++][1] = c;
    }
    *nhist = k;
    return 0;
}

void wrk_reported_json(cJSON *parent, const wrk_result_t *r) {
    cJSON *w = cJSON_AddObjectToObject(parent, "wrk_reported");
    if (r->wrk_p99_us >= 0) { /* a merge of several clients has none */
        cJSON_AddNumberToObject(w, "p50_us", r->wrk_p50_us);
        cJSON_AddNumberToObject(w, "p99_us", r->wrk_p99_us);
    }
    cJSON_AddNumberToObject(w, "synthetic_samples", (double)r->wrk_added);
}
