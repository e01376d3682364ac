/* hdr: the log-linear histogram's error bound, layout, percentiles and merging. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>

#include "core/hdr.h"

/* xorshift64*: reproducible "random" data without libc's rand state */
static uint64_t rnd(uint64_t *s) {
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545F4914F6CDD1Dull;
}

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

Test(hdr, bucket_ranges_tile_the_value_line) {
    uint64_t prev_hi = 0;
    for (size_t i = 0; i < HDR_BUCKETS; i++) {
        uint64_t lo, hi;
        hdr_bucket_range(i, &lo, &hi);
        if (i)
            cr_assert_eq(lo, prev_hi + 1, "bucket %zu starts at %llu", i, (unsigned long long)lo);
        cr_assert_geq(hi, lo);
        /* every bucket narrower than 1/HDR_SUB of its values */
        cr_assert_leq((double)(hi - lo), (double)lo / HDR_SUB + 0.5, "bucket %zu too wide", i);
        cr_assert_eq(hdr_index(lo), i);
        cr_assert_eq(hdr_index(hi), i);
        prev_hi = hi;
    }
    cr_assert_eq(prev_hi, HDR_MAX_NS);
}

/* The promise: every percentile within 1% of the exact one, from 1 µs to 60 s. */
Test(hdr, percentiles_within_one_percent_on_random_data) {
    enum { N = 200000 };
    uint64_t *v = malloc(N * sizeof *v), seed = 0x9E3779B97F4A7C15ull;
    hdr_t *h = hdr_new();
    cr_assert(v && h);
    for (int trial = 0; trial < 3; trial++) {
        hdr_init(h);
        for (int i = 0; i < N; i++) {
            double u = (double)(rnd(&seed) >> 11) / 9007199254740992.0;
            /* log-uniform over [1 µs, 60 s] for trial 0; a tight cluster and a heavy tail next */
            double ns = trial == 0   ? 1e3 * pow(6e7, u)
                        : trial == 1 ? 2e6 + 1e4 * u
                                     : 1e5 / (1e-6 + (1 - u) * (1 - u));
            if (ns > 6e10) ns = 6e10;
            v[i] = (uint64_t)ns;
            hdr_record(h, v[i]);
        }
        qsort(v, N, sizeof *v, cmp_u64);
        static const double P[] = {0, 1, 10, 25, 50, 75, 90, 99, 99.9, 99.99, 99.999, 100};
        for (size_t k = 0; k < sizeof P / sizeof *P; k++) {
            size_t rank = (size_t)ceil(P[k] / 100 * N);
            if (rank == 0) rank = 1;
            double exact = (double)v[rank - 1], got = hdr_percentile(h, P[k]);
            cr_assert_leq(fabs(got - exact), 0.01 * exact, "trial %d p%g: %g vs exact %g", trial,
                          P[k], got, exact);
        }
        cr_assert_eq(h->total, N);
        cr_assert_eq(h->min, v[0]);
        cr_assert_eq(h->max, v[N - 1]);
    }
    hdr_free(h);
    free(v);
}

Test(hdr, small_values_are_exact) {
    hdr_t *h = hdr_new();
    for (uint64_t x = 1; x <= 100; x++) hdr_record(h, x);
    cr_assert_eq(hdr_percentile(h, 50), 50);
    cr_assert_eq(hdr_percentile(h, 100), 100);
    cr_assert_eq(hdr_percentile(h, 0), 1);
    cr_assert_float_eq(hdr_mean(h), 50.5, 1e-9);
    hdr_free(h);
}

Test(hdr, merge_equals_recording_into_one) {
    hdr_t *a = hdr_new(), *b = hdr_new(), *all = hdr_new();
    uint64_t seed = 42;
    for (int i = 0; i < 50000; i++) {
        uint64_t x = rnd(&seed) % 5000000000ull;
        hdr_record(i % 3 ? a : b, x);
        hdr_record(all, x);
    }
    hdr_merge(a, b);
    cr_assert_eq(a->total, all->total);
    cr_assert_eq(a->min, all->min);
    cr_assert_eq(a->max, all->max);
    for (size_t i = 0; i < HDR_BUCKETS; i++) cr_assert_eq(a->counts[i], all->counts[i]);
    cr_assert_eq(hdr_percentile(a, 99.9), hdr_percentile(all, 99.9));
    hdr_free(a);
    hdr_free(b);
    hdr_free(all);
}

Test(hdr, values_beyond_the_range_are_clamped_and_counted) {
    hdr_t *h = hdr_new();
    hdr_record(h, UINT64_MAX);
    hdr_record_n(h, 1000, 3);
    cr_assert_eq(h->clamped, 1);
    cr_assert_eq(h->total, 4);
    cr_assert_eq(h->max, HDR_MAX_NS);
    cr_assert_eq(hdr_count_at_or_above(h, 1000), 4);
    cr_assert_eq(hdr_count_at_or_above(h, 1001), 1);
    hdr_free(h);
}

Test(hdr, empty_and_iteration) {
    hdr_t *h = hdr_new();
    cr_assert_eq(hdr_percentile(h, 99), 0);
    size_t i = 0;
    double mid;
    uint64_t n;
    cr_assert_not(hdr_next(h, &i, &mid, &n));
    hdr_record_n(h, 5, 2);
    hdr_record(h, 1000000);
    i = 0;
    cr_assert(hdr_next(h, &i, &mid, &n));
    cr_assert_eq(mid, 5);
    cr_assert_eq(n, 2);
    cr_assert(hdr_next(h, &i, &mid, &n));
    cr_assert_eq(mid, 1000000); /* clamped to the exact max */
    cr_assert_not(hdr_next(h, &i, &mid, &n));
    hdr_free(h);
}
