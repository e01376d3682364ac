/* hdr: log-linear histogram (see hdr.h for the layout and its error bound). */
#include "hdr.h"

#include <stdlib.h>
#include <string.h>

void hdr_init(hdr_t *h) {
    memset(h, 0, sizeof *h);
    h->min = UINT64_MAX;
}

hdr_t *hdr_new(void) {
    hdr_t *h = malloc(sizeof *h);
    if (h) hdr_init(h);
    return h;
}

void hdr_free(hdr_t *h) {
    free(h);
}

size_t hdr_index(uint64_t v) {
    if (v > HDR_MAX_NS) v = HDR_MAX_NS;
    if (v < 2 * HDR_SUB) return (size_t)v;
    unsigned k = 63u - (unsigned)__builtin_clzll(v); /* k >= HDR_SUB_BITS + 1 */
    uint64_t sub = (v >> (k - HDR_SUB_BITS)) - HDR_SUB;
    return 2 * HDR_SUB + (size_t)(k - HDR_SUB_BITS - 1) * HDR_SUB + (size_t)sub;
}

void hdr_bucket_range(size_t i, uint64_t *lo, uint64_t *hi) {
    if (i < 2 * HDR_SUB) {
        *lo = *hi = i;
        return;
    }
    size_t j = i - 2 * HDR_SUB;
    unsigned k = (unsigned)(j / HDR_SUB) + HDR_SUB_BITS + 1;
    uint64_t sub = j % HDR_SUB + HDR_SUB, width = UINT64_C(1) << (k - HDR_SUB_BITS);
    *lo = sub * width;
    *hi = *lo + width - 1;
}

void hdr_record_n(hdr_t *h, uint64_t v, uint64_t n) {
    if (n == 0) return;
    if (v > HDR_MAX_NS) {
        h->clamped += n;
        v = HDR_MAX_NS;
    }
    h->counts[hdr_index(v)] += n;
    h->total += n;
    h->sum += (double)v * (double)n;
    if (v < h->min) h->min = v;
    if (v > h->max) h->max = v;
}

void hdr_merge(hdr_t *dst, const hdr_t *src) {
    for (size_t i = 0; i < HDR_BUCKETS; i++) dst->counts[i] += src->counts[i];
    dst->total += src->total;
    dst->clamped += src->clamped;
    dst->sum += src->sum;
    if (src->min < dst->min) dst->min = src->min;
    if (src->max > dst->max) dst->max = src->max;
}

static double midpoint(const hdr_t *h, size_t i) {
    uint64_t lo, hi;
    hdr_bucket_range(i, &lo, &hi);
    double mid = ((double)lo + (double)hi) / 2.0;
    if (mid < (double)h->min) mid = (double)h->min;
    if (mid > (double)h->max) mid = (double)h->max;
    return mid;
}

double hdr_percentile(const hdr_t *h, double p) {
    if (h->total == 0) return 0;
    if (p < 0) p = 0;
    if (p > 100) p = 100;
    double r = p / 100.0 * (double)h->total;
    uint64_t rank = (uint64_t)r;
    if ((double)rank < r) rank++;
    if (rank == 0) rank = 1;
    uint64_t cum = 0;
    for (size_t i = 0; i < HDR_BUCKETS; i++) {
        cum += h->counts[i];
        if (cum >= rank) return midpoint(h, i);
    }
    return (double)h->max;
}

double hdr_mean(const hdr_t *h) {
    return h->total ? h->sum / (double)h->total : 0;
}

uint64_t hdr_count_at_or_above(const hdr_t *h, uint64_t v) {
    uint64_t n = 0;
    for (size_t i = hdr_index(v); i < HDR_BUCKETS; i++) {
        uint64_t lo, hi;
        hdr_bucket_range(i, &lo, &hi);
        if (lo >= v) n += h->counts[i];
    }
    return n;
}

bool hdr_next(const hdr_t *h, size_t *i, double *mid, uint64_t *count) {
    while (*i < HDR_BUCKETS && h->counts[*i] == 0) (*i)++;
    if (*i >= HDR_BUCKETS) return false;
    *mid = midpoint(h, *i);
    *count = h->counts[*i];
    (*i)++;
    return true;
}
