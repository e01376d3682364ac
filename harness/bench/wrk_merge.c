/* wrk_merge: the exact merge of several wrk results (see clients.h for why it is exact). */
#include "clients.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

double wrk_hist_percentile(const long long (*hist)[2], size_t n, double p) {
    long long total = 0;
    for (size_t i = 0; i < n; i++) total += hist[i][1];
    if (total <= 0) return 0;
    /* wrk 4.1's stats_percentile: rank = round(p / 100 * count + 0.5), the first value whose
     * cumulative count reaches it. Same arithmetic (long double, then round) so that one
     * client's merge reproduces wrk's own figures to the microsecond. */
    long double x = ((long double)p / 100.0L) * (long double)total + 0.5L;
    long long rank = (long long)round((double)x);
    long long cum = 0;
    for (size_t i = 0; i < n; i++) {
        cum += hist[i][1];
        if (cum >= rank) return (double)hist[i][0];
    }
    return (double)hist[n - 1][0];
}

/* Merges two ascending [us, count] lists into out (which holds na + nb entries). */
static size_t merge_two(const long long (*a)[2], size_t na, const long long (*b)[2], size_t nb,
                        long long (*out)[2]) {
    size_t i = 0, j = 0, k = 0;
    while (i < na || j < nb) {
        if (j >= nb || (i < na && a[i][0] < b[j][0])) {
            out[k][0] = a[i][0];
            out[k++][1] = a[i++][1];
        } else if (i >= na || b[j][0] < a[i][0]) {
            out[k][0] = b[j][0];
            out[k++][1] = b[j++][1];
        } else {
            out[k][0] = a[i][0];
            out[k++][1] = a[i++][1] + b[j++][1];
        }
    }
    return k;
}

static int add_status(wrk_result_t *o, int code, long long count, err_t *err) {
    for (size_t i = 0; i < o->nstatuses; i++)
        if (o->status_code[i] == code) {
            o->status_count[i] += count;
            return 0;
        }
    if (o->nstatuses >= WRK_MAX_STATUSES)
        return err_set(err, "merge: more than %d distinct statuses", WRK_MAX_STATUSES);
    o->status_code[o->nstatuses] = code;
    o->status_count[o->nstatuses++] = count;
    return 0;
}

int wrk_merge(const wrk_result_t *in, size_t n, wrk_result_t *out, err_t *err) {
    memset(out, 0, sizeof *out);
    if (n == 0) return err_set(err, "merge: no client result");
    out->counted_created = true;
    for (size_t c = 0; c < n; c++) {
        const wrk_result_t *r = &in[c];
        if (r->duration_s > out->duration_s) out->duration_s = r->duration_s;
        out->requests += r->requests;
        out->bytes += r->bytes;
        out->err_connect += r->err_connect;
        out->err_read += r->err_read;
        out->err_write += r->err_write;
        out->err_status += r->err_status;
        out->err_timeout += r->err_timeout;
        out->created += r->created;
        out->counted_created &= r->counted_created;
        for (size_t i = 0; i < r->nstatuses; i++)
            if (add_status(out, r->status_code[i], r->status_count[i], err) < 0) goto fail;
        long long(*h)[2] = calloc(out->nhist + r->nhist + 1, sizeof *h);
        if (!h) {
            err_set(err, "out of memory");
            goto fail;
        }
        size_t nh = merge_two((const long long(*)[2])out->hist, out->nhist,
                              (const long long(*)[2])r->hist, r->nhist, h);
        free(out->hist);
        out->hist = h;
        out->nhist = nh;
    }
    /* Everything below comes from the merged histogram, as wrk computes it from its own. */
    const long long(*h)[2] = (const long long(*)[2])out->hist;
    long double sum = 0, total = 0, sq = 0;
    for (size_t i = 0; i < out->nhist; i++) {
        sum += (long double)h[i][0] * (long double)h[i][1];
        total += (long double)h[i][1];
    }
    if (out->nhist) {
        out->lat_min_us = (double)h[0][0];
        out->lat_max_us = (double)h[out->nhist - 1][0];
        long double mean = sum / total;
        out->lat_mean_us = (double)mean;
        for (size_t i = 0; i < out->nhist; i++) {
            long double d = (long double)h[i][0] - mean;
            sq += d * d * (long double)h[i][1];
        }
        out->lat_stdev_us = total > 1 ? (double)sqrtl(sq / (total - 1)) : 0;
    }
    out->p50_us = wrk_hist_percentile(h, out->nhist, 50);
    out->p75_us = wrk_hist_percentile(h, out->nhist, 75);
    out->p90_us = wrk_hist_percentile(h, out->nhist, 90);
    out->p99_us = wrk_hist_percentile(h, out->nhist, 99);
    out->p99_9_us = wrk_hist_percentile(h, out->nhist, 99.9);
    out->p99_99_us = wrk_hist_percentile(h, out->nhist, 99.99);
    return 0;
fail:
    wrk_result_free(out);
    return -1;
}
