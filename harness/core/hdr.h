/* hdr: a log-linear latency histogram with bounded relative error (the HdrHistogram idea, our
 * own code), recorded in nanoseconds.
 *
 * Why: a latency distribution spans six orders of magnitude (a 20 µs answer and an 8 s timeout
 * in one run), and the tail is what matters. Fixed-width buckets either lose the tail or cost
 * gigabytes; a log-linear layout keeps the relative error constant: every power of two
 * [2^k, 2^(k+1)) is cut into HDR_SUB linear sub-buckets of width 2^k / HDR_SUB, so a value's
 * bucket is never wider than 1/HDR_SUB of the value. Values below 2 * HDR_SUB ns are exact.
 * Percentiles report the bucket's midpoint, so the reported value is within 1/(2 * HDR_SUB) =
 * 0.39% of every value that fell into that bucket: the <= 1% bound holds from 1 ns to
 * HDR_MAX_NS (73 minutes; values above are clamped into the last bucket and counted).
 *
 * Index of v >= 2 * HDR_SUB with k = floor(log2 v):
 *   2 * HDR_SUB + (k - HDR_SUB_BITS - 1) * HDR_SUB + ((v >> (k - HDR_SUB_BITS)) - HDR_SUB)
 * Two histograms merge by adding counts (repetitions of one rate are merged this way).
 *
 * Ownership: hdr_t is a plain value (about 37 KiB of counters, so callers usually malloc it via
 * hdr_new / hdr_free); nothing inside points elsewhere. */
#ifndef PARITY_HDR_H
#define PARITY_HDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HDR_SUB_BITS 7 /* 128 sub-buckets per power of two */
#define HDR_SUB      (1u << HDR_SUB_BITS)
#define HDR_TOP_BIT  42 /* highest power of two tracked: 2^42 ns */
#define HDR_MAX_NS   ((UINT64_C(1) << (HDR_TOP_BIT + 1)) - 1)
#define HDR_BUCKETS  (2 * HDR_SUB + (HDR_TOP_BIT - HDR_SUB_BITS) * HDR_SUB)

typedef struct hdr {
    uint64_t counts[HDR_BUCKETS];
    uint64_t total;    /* values recorded */
    uint64_t min, max; /* exact extremes (ns); min is UINT64_MAX when empty */
    uint64_t clamped;  /* values above HDR_MAX_NS, recorded as HDR_MAX_NS */
    double sum;        /* for the mean */
} hdr_t;

void hdr_init(hdr_t *h);
hdr_t *hdr_new(void); /* malloc + hdr_init; NULL when out of memory */
void hdr_free(hdr_t *h);

/* Records value v (nanoseconds) n times. */
void hdr_record_n(hdr_t *h, uint64_t v, uint64_t n);
static inline void hdr_record(hdr_t *h, uint64_t v) {
    hdr_record_n(h, v, 1);
}
/* Adds every count of src to dst. */
void hdr_merge(hdr_t *dst, const hdr_t *src);

/* Bucket index of v, and the value range [lo, hi] of bucket i. */
size_t hdr_index(uint64_t v);
void hdr_bucket_range(size_t i, uint64_t *lo, uint64_t *hi);

/* The value at percentile p (0..100): the midpoint of the bucket holding the value of rank
 * ceil(p/100 * total) (at least 1), clamped to [min, max]. 0 when empty. */
double hdr_percentile(const hdr_t *h, double p);
double hdr_mean(const hdr_t *h);
/* Values recorded at or above v (bucket resolution: counts whole buckets whose lower bound is
 * >= v, plus none of the bucket holding v unless v is its lower bound). */
uint64_t hdr_count_at_or_above(const hdr_t *h, uint64_t v);

/* Walks the non-empty buckets in ascending order: *i starts at 0; returns false at the end.
 * mid gets the bucket's midpoint (clamped to [min, max]), count its count. */
bool hdr_next(const hdr_t *h, size_t *i, double *mid, uint64_t *count);

#endif
