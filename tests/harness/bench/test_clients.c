/* Unit tests of the multi-client merge (bench/wrk_merge.c), the --client parser
 * (bench/clients.c) and the Prometheus text parser (bench/prom.c): histograms add bucket by
 * bucket, percentiles come from the merged buckets exactly as from the concatenated samples
 * (never averaged: a skewed pair proves the difference), counts and statuses add. */
#include <criterion/criterion.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench/clients.h"
#include "bench/prom.h"

/* A wrk result holding the samples (microseconds) as wrk's done() would report them. */
static wrk_result_t from_samples(const long long *v, size_t n, double dur_s) {
    wrk_result_t r;
    memset(&r, 0, sizeof r);
    long long *s = malloc(n * sizeof *s);
    memcpy(s, v, n * sizeof *s);
    for (size_t i = 1; i < n; i++) /* insertion sort: small inputs */
        for (size_t j = i; j > 0 && s[j - 1] > s[j]; j--) {
            long long t = s[j];
            s[j] = s[j - 1];
            s[j - 1] = t;
        }
    r.hist = calloc(n + 1, sizeof *r.hist);
    for (size_t i = 0; i < n; i++) {
        if (r.nhist && r.hist[r.nhist - 1][0] == s[i])
            r.hist[r.nhist - 1][1]++;
        else {
            r.hist[r.nhist][0] = s[i];
            r.hist[r.nhist++][1] = 1;
        }
    }
    free(s);
    r.requests = (long long)n;
    r.duration_s = dur_s;
    r.p50_us = wrk_hist_percentile((const long long(*)[2])r.hist, r.nhist, 50);
    r.p99_us = wrk_hist_percentile((const long long(*)[2])r.hist, r.nhist, 99);
    return r;
}

static int cmp_ll(const void *a, const void *b) {
    long long x = *(const long long *)a, y = *(const long long *)b;
    return x < y ? -1 : x > y;
}

/* The reference: wrk's rank rule applied to the sorted concatenation of every sample. */
static double ref_percentile(long long *all, size_t n, double p) {
    qsort(all, n, sizeof *all, cmp_ll);
    long long rank = (long long)round((double)((long double)p / 100.0L * (long double)n + 0.5L));
    if (rank < 1) rank = 1;
    if ((size_t)rank > n) rank = (long long)n;
    return (double)all[rank - 1];
}

Test(merge, buckets_add) {
    long long a[] = {10, 20, 20, 30}, b[] = {20, 25, 30, 30, 40};
    wrk_result_t in[2] = {from_samples(a, 4, 1.0), from_samples(b, 5, 1.2)};
    in[0].bytes = 100;
    in[1].bytes = 50;
    in[0].err_timeout = 1;
    in[1].err_connect = 2;
    wrk_result_t m;
    err_t err;
    cr_assert_eq(wrk_merge(in, 2, &m, &err), 0, "%s", err.msg);
    long long want[][2] = {{10, 1}, {20, 3}, {25, 1}, {30, 3}, {40, 1}};
    cr_assert_eq(m.nhist, 5);
    for (size_t i = 0; i < 5; i++) {
        cr_assert_eq(m.hist[i][0], want[i][0]);
        cr_assert_eq(m.hist[i][1], want[i][1], "bucket %lld", want[i][0]);
    }
    cr_assert_eq(m.requests, 9);
    cr_assert_eq(m.bytes, 150);
    cr_assert_eq(m.err_timeout, 1);
    cr_assert_eq(m.err_connect, 2);
    cr_assert_float_eq(m.duration_s, 1.2, 1e-9); /* the common window: the longest client */
    cr_assert_eq(m.lat_min_us, 10);
    cr_assert_eq(m.lat_max_us, 40);
    cr_assert_float_eq(m.lat_mean_us, (10 + 20 + 20 + 30 + 20 + 25 + 30 + 30 + 40) / 9.0, 1e-9);
    wrk_result_free(&in[0]);
    wrk_result_free(&in[1]);
    wrk_result_free(&m);
}

/* One client with 990 fast answers, one with 10 slow ones: the averaged p50 (5050 us) would be
 * wrong; the merged p50 is the fast value, as in the concatenated samples. */
Test(merge, skewed_pair_never_averaged) {
    long long *fast = malloc(990 * sizeof *fast), slow[10], all[1000];
    for (int i = 0; i < 990; i++) fast[i] = all[i] = 100;
    for (int i = 0; i < 10; i++) slow[i] = all[990 + i] = 10000;
    wrk_result_t in[2] = {from_samples(fast, 990, 2), from_samples(slow, 10, 2)};
    double averaged = (in[0].p50_us + in[1].p50_us) / 2;
    wrk_result_t m;
    err_t err;
    cr_assert_eq(wrk_merge(in, 2, &m, &err), 0, "%s", err.msg);
    cr_assert_float_eq(averaged, 5050, 1e-9);
    cr_assert_eq(m.p50_us, 100);
    cr_assert_neq(m.p50_us, averaged);
    cr_assert_eq(m.p99_us, ref_percentile(all, 1000, 99));
    cr_assert_eq(m.p99_9_us, 10000);
    free(fast);
    wrk_result_free(&in[0]);
    wrk_result_free(&in[1]);
    wrk_result_free(&m);
}

/* Random clients: every percentile of the merge equals the reference on the concatenation, the
 * mean and the sample standard deviation too. */
Test(merge, equals_concatenated_samples) {
    srand(24);
    for (int round_ = 0; round_ < 20; round_++) {
        size_t nc = 1 + (size_t)(rand() % 4), total = 0;
        wrk_result_t in[4];
        long long *all = malloc(4 * 3000 * sizeof *all);
        for (size_t c = 0; c < nc; c++) {
            size_t n = 1 + (size_t)(rand() % 3000);
            long long *v = malloc(n * sizeof *v);
            long long scale = 1 + rand() % 5000; /* clients of very different speeds */
            for (size_t i = 0; i < n; i++) v[i] = all[total++] = 20 + (rand() % 1000) * scale / 100;
            in[c] = from_samples(v, n, 1.0 + c);
            free(v);
        }
        wrk_result_t m;
        err_t err;
        cr_assert_eq(wrk_merge(in, nc, &m, &err), 0, "%s", err.msg);
        long long count = 0;
        double sum = 0;
        for (size_t i = 0; i < m.nhist; i++) count += m.hist[i][1];
        cr_assert_eq((size_t)count, total);
        for (size_t i = 0; i < total; i++) sum += (double)all[i];
        double mean = sum / (double)total, sq = 0;
        for (size_t i = 0; i < total; i++) sq += ((double)all[i] - mean) * ((double)all[i] - mean);
        cr_assert_float_eq(m.lat_mean_us, mean, 1e-6 * mean);
        if (total > 1)
            cr_assert_float_eq(m.lat_stdev_us, sqrt(sq / (double)(total - 1)), 1e-6 * (1 + mean));
        const double ps[] = {50, 75, 90, 99, 99.9, 99.99};
        const double got[] = {m.p50_us, m.p75_us, m.p90_us, m.p99_us, m.p99_9_us, m.p99_99_us};
        for (size_t k = 0; k < 6; k++)
            cr_assert_eq(got[k], ref_percentile(all, total, ps[k]), "round %d p%g", round_, ps[k]);
        for (size_t c = 0; c < nc; c++) wrk_result_free(&in[c]);
        wrk_result_free(&m);
        free(all);
    }
}

Test(merge, statuses_and_created_add) {
    wrk_result_t in[2];
    memset(in, 0, sizeof in);
    in[0].counted_created = in[1].counted_created = true;
    in[0].created = 3;
    in[1].created = 4;
    in[0].status_code[0] = 201, in[0].status_count[0] = 3, in[0].nstatuses = 1;
    in[1].status_code[0] = 500, in[1].status_count[0] = 1;
    in[1].status_code[1] = 201, in[1].status_count[1] = 4, in[1].nstatuses = 2;
    in[0].duration_s = in[1].duration_s = 1;
    wrk_result_t m;
    err_t err;
    cr_assert_eq(wrk_merge(in, 2, &m, &err), 0, "%s", err.msg);
    cr_assert(m.counted_created);
    cr_assert_eq(m.created, 7);
    cr_assert_eq(m.nstatuses, 2);
    for (size_t i = 0; i < 2; i++) cr_assert_eq(m.status_count[i], m.status_code[i] == 201 ? 7 : 1);
    wrk_result_free(&m);
}

Test(clients, parse) {
    client_spec_t c;
    err_t err;
    cr_assert_eq(client_parse("local", &c, &err), 0);
    cr_assert(c.local);
    cr_assert_eq(client_parse("ssh://load1", &c, &err), 0, "%s", err.msg);
    cr_assert(!c.local);
    cr_assert_str_eq(c.dest, "load1");
    cr_assert_eq(c.port, 0);
    cr_assert_eq(client_parse("ssh://bench@10.0.0.7:2222", &c, &err), 0, "%s", err.msg);
    cr_assert_str_eq(c.dest, "bench@10.0.0.7");
    cr_assert_eq(c.port, 2222);
    cr_assert_eq(client_parse("ssh://u@[fe80::1]:22", &c, &err), 0, "%s", err.msg);
    cr_assert_str_eq(c.dest, "u@fe80::1");
    cr_assert_eq(c.port, 22);
    cr_assert_eq(client_parse("ssh://[::1]:2200", &c, &err), 0, "%s", err.msg);
    cr_assert_str_eq(c.dest, "::1");
    cr_assert_eq(c.port, 2200);
    const char *bad[] = {"ssh://",     "remote",     "http://h",    "ssh://-oProxyCommand=x",
                         "ssh://h:0",  "ssh://h:x",  "ssh://@h",    "ssh://h;rm",
                         "ssh://h p",  "ssh://[::1", "ssh://h:1:2", "ssh://u@-h",
                         "ssh://a@b@c"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        cr_assert_eq(client_parse(bad[i], &c, &err), -1, "%s accepted", bad[i]);
}

static const char *const METRICS =
    "# HELP namedprocess_namegroup_cpu_seconds_total Cpu user usage in seconds\n"
    "# TYPE namedprocess_namegroup_cpu_seconds_total counter\n"
    "namedprocess_namegroup_cpu_seconds_total{groupname=\"quill\",mode=\"system\"} 1.25\n"
    "namedprocess_namegroup_cpu_seconds_total{groupname=\"quill\",mode=\"user\"} 2.5\n"
    "namedprocess_namegroup_cpu_seconds_total{groupname=\"other\",mode=\"user\"} 99\n"
    "namedprocess_namegroup_memory_bytes{groupname=\"quill\",memtype=\"proportionalResident\"} "
    "1.5e+06\n"
    "namedprocess_namegroup_memory_bytes{groupname=\"quill\",memtype=\"resident\"} 1.675264e+06\n"
    "namedprocess_namegroup_memory_bytes{groupname=\"quill\",memtype=\"virtual\"} 9e+09\n"
    "namedprocess_namegroup_num_procs{groupname=\"quill\"} 3\n"
    "namedprocess_namegroup_num_procs{groupname=\"we\\\"ird\\\\\"} 7\n"
    "process_cpu_seconds_total 0.03\n"
    "go_info{version=\"go1.19\"} 1\n";

Test(prom, parse_group) {
    prom_group_t g;
    err_t err;
    cr_assert_eq(prom_parse(METRICS, strlen(METRICS), "quill", &g, &err), 0, "%s", err.msg);
    cr_assert(g.found);
    cr_assert_float_eq(g.cpu_s, 3.75, 1e-9);
    cr_assert_float_eq(g.rss_bytes, 1675264, 1e-6);
    cr_assert_float_eq(g.pss_bytes, 1500000, 1e-6);
    cr_assert_eq(g.nprocs, 3);
    cr_assert_eq(prom_parse(METRICS, strlen(METRICS), "we\"ird\\", &g, &err), 0, "%s", err.msg);
    cr_assert(g.found);
    cr_assert_eq(g.nprocs, 7);
    cr_assert_eq(prom_parse(METRICS, strlen(METRICS), "absent", &g, &err), 0);
    cr_assert(!g.found);
}

Test(prom, malformed_line) {
    const char *bad[] = {"namedprocess_namegroup_num_procs{groupname=\"q} 3\n",
                         "namedprocess_namegroup_num_procs{groupname=q} 3\n",
                         "namedprocess_namegroup_num_procs{groupname=\"q\"}\n",
                         "namedprocess_namegroup_num_procs{groupname=\"q\"} three\n"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        prom_group_t g;
        err_t err;
        cr_assert_eq(prom_parse(bad[i], strlen(bad[i]), "q", &g, &err), -1, "%s", bad[i]);
    }
}

/* The exporter's figures become a proc_sampler_t, so bench.json reports them like /proc's. */
Test(prom, as_proc) {
    prom_sampler_t s;
    memset(&s, 0, sizeof s);
    s.first.cpu_s = 1.0;
    s.last.cpu_s = 3.5;
    s.last.nprocs = 4;
    s.rss_peak = 8 * 1024 * 1024;
    s.samples = 3;
    s.t_first_ms = 1000;
    s.t_last_ms = 6000;
    proc_sampler_t p;
    prom_sampler_as_proc(&s, &p);
    cr_assert_float_eq(proc_sampler_cpu_s(&p), 2.5, 1e-9);
    cr_assert_float_eq(proc_sampler_util(&p), 0.5, 1e-9);
    cr_assert_eq(p.rss_peak_kb, 8192);
    cr_assert_eq(p.last.nproc, 4);
}
