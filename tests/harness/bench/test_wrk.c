/* Tests of harness/bench/wrk.c and wrk_hist.c: parsing the JSON written by the generated done(),
 * undoing wrk's latency correction (against a faithful copy of wrk 4.1's stats_correct), and the
 * command line. The same with a real wrk: tests/harness/bench/test_wrk_e2e.c. */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/wrk.h"

static const char *GOOD =
    "{\"duration_us\":2000000,\"requests\":16,\"bytes\":150000,"
    "\"errors\":{\"connect\":1,\"read\":2,\"write\":0,\"status\":7,\"timeout\":3},"
    "\"created\":0,\"counted_created\":false,"
    "\"latency_us\":{\"min\":40,\"max\":9000,\"mean\":310.5,\"stdev\":80.25,\"p50\":300,\"p75\":"
    "350,"
    "\"p90\":420,\"p99\":800,\"p99_9\":2000,\"p99_99\":5000},"
    "\"histogram\":[[40,3],[41,10],[9000,1]]}";

Test(wrk, parses_done_output) {
    wrk_result_t r;
    err_t err;
    cr_assert_eq(wrk_result_parse(GOOD, strlen(GOOD), 2, &r, &err), 0, "%s", err.msg);
    cr_assert_float_eq(r.duration_s, 2.0, 1e-9);
    cr_assert_eq(r.requests, 16);
    cr_assert_eq(r.err_status, 7);
    cr_assert_eq(wrk_socket_errors(&r), 6);
    cr_assert_eq(r.nhist, 3);
    cr_assert_eq(r.hist[2][0], 9000);
    cr_assert_eq(r.hist[1][1], 10);
    /* figures from the 14 samples (nothing to undo: every value is under the interval), wrk's
     * own kept beside them */
    cr_assert_float_eq(r.p50_us, 41, 1e-9);
    cr_assert_float_eq(r.p99_9_us, 9000, 1e-9);
    cr_assert_float_eq(r.lat_mean_us, (3 * 40 + 10 * 41 + 9000) / 14.0, 1e-9);
    cr_assert_float_eq(r.wrk_p99_us, 800, 1e-9);
    cr_assert_eq(r.wrk_added, 0);
    cr_assert(!r.counted_created);
    wrk_result_free(&r);
}

/* wrk 4.1's stats_correct, as in its stats.c, on a dense array indexed by microseconds. */
static void wrk_stats_correct(unsigned long long *data, long long max, long long expected) {
    for (long long n = expected * 2; n <= max; n++) {
        unsigned long long count = data[n];
        long long m = n - expected;
        while (count && m > expected) {
            data[m] += count;
            m -= expected;
        }
    }
}

/* Random recorded samples, corrected as wrk does: undoing gives back exactly the samples, and
 * the percentiles are those of the samples, not of wrk's histogram. */
Test(wrk, undoes_the_correction_exactly) {
    enum { MAXV = 20000 };
    static unsigned long long rec[MAXV + 1], cor[MAXV + 1];
    srand(16);
    for (int round_ = 0; round_ < 50; round_++) {
        memset(rec, 0, sizeof rec);
        long long expected = 50 + rand() % 2000, total = 0, max = 0;
        int n = 1 + rand() % 4000;
        for (int i = 0; i < n; i++) {
            /* mostly fast, a few slow: the mix wrk's correction misreads */
            long long v = rand() % 10 ? 20 + rand() % 300 : 1 + rand() % MAXV;
            rec[v]++;
            total++;
            if (v > max) max = v;
        }
        memcpy(cor, rec, sizeof cor);
        wrk_stats_correct(cor, max, expected);
        long long(*h)[2] = calloc(MAXV + 1, sizeof *h);
        size_t nh = 0;
        long long cor_total = 0;
        for (long long v = 0; v <= MAXV; v++)
            if (cor[v]) {
                h[nh][0] = v;
                h[nh++][1] = (long long)cor[v];
                cor_total += (long long)cor[v];
            }
        long long added = -1;
        err_t err;
        cr_assert_eq(wrk_uncorrect(h, &nh, expected, &added, &err), 0, "%s", err.msg);
        cr_assert_eq(added, cor_total - total, "round %d", round_);
        size_t k = 0;
        for (long long v = 0; v <= MAXV; v++)
            if (rec[v]) {
                cr_assert_lt(k, nh);
                cr_assert_eq(h[k][0], v, "round %d", round_);
                cr_assert_eq(h[k][1], (long long)rec[v], "round %d at %lld us", round_, v);
                k++;
            }
        cr_assert_eq(k, nh, "round %d: buckets left that were never recorded", round_);
        free(h);
    }
}

/* The whole parse: a mix of 97 fast answers and 3 slow ones on 4 connections, as wrk writes it
 * after its correction (the interval from the counters, as wrk computes it). */
Test(wrk, parse_reports_the_recorded_samples) {
    static unsigned long long cor[3000001];
    memset(cor, 0, sizeof cor);
    cor[100] = 97;
    cor[3000000] = 3;
    long long duration = 2000000, requests = 100, conns = 4;
    long long expected = duration / (requests / conns); /* 80000 us */
    wrk_stats_correct(cor, 3000000, expected);
    buf_t j;
    buf_init(&j, 0);
    buf_printf(&j,
               "{\"duration_us\":%lld,\"requests\":%lld,\"bytes\":1,\"errors\":{\"connect\":0,"
               "\"read\":0,\"write\":0,\"status\":0,\"timeout\":0},\"created\":0,"
               "\"counted_created\":false,\"latency_us\":{\"min\":100,\"max\":3000000,"
               "\"mean\":1,\"stdev\":1,\"p50\":1,\"p75\":1,\"p90\":1,\"p99\":2920000,"
               "\"p99_9\":1,\"p99_99\":1},\"histogram\":[",
               duration, requests);
    long long synthetic = 0;
    bool first = true;
    for (long long v = 0; v <= 3000000; v++)
        if (cor[v]) {
            buf_printf(&j, "%s[%lld,%llu]", first ? "" : ",", v, cor[v]);
            first = false;
            synthetic += (long long)cor[v];
        }
    buf_adds(&j, "]}");
    synthetic -= requests;
    cr_assert_gt(synthetic, 100, "the fixture must hold more synthetic samples than answers");
    wrk_result_t r;
    err_t err;
    cr_assert_eq(wrk_result_parse(j.ptr, j.len, (int)conns, &r, &err), 0, "%s", err.msg);
    cr_assert_eq(r.wrk_added, synthetic);
    cr_assert_eq(r.nhist, 2);
    cr_assert_float_eq(r.p90_us, 100, 1e-9, "p90 is a fast answer, not a synthetic sample");
    cr_assert_float_eq(r.p99_us, 3000000, 1e-9);
    cr_assert_float_eq(r.lat_mean_us, (97 * 100 + 3 * 3000000) / 100.0, 1e-6);
    cr_assert_float_eq(r.wrk_p99_us, 2920000, 1e-9);
    wrk_result_free(&r);
    /* Parsed with the wrong connection count, the same text is not a correction of 100 samples:
     * refused, not reported. */
    cr_assert_eq(wrk_result_parse(j.ptr, j.len, 1, &r, &err), -1);
    cr_assert(strstr(err.msg, "wrk") != NULL, "%s", err.msg);
    buf_free(&j);
}

/* Histograms no wrk correction can produce are refused with the values at fault. */
Test(wrk, refuses_what_wrk_could_not_have_written) {
    /* interval 50 us (6 answers on 1 connection in 300 us): 100 us has fewer samples than 150
     * us, which would have added one to it per sample */
    const char *neg = "{\"duration_us\":300,\"requests\":6,\"bytes\":1,\"errors\":{\"connect\":0,"
                      "\"read\":0,\"write\":0,\"status\":0,\"timeout\":0},\"created\":0,"
                      "\"counted_created\":false,\"latency_us\":{\"min\":1,\"max\":1,\"mean\":1,"
                      "\"stdev\":1,\"p50\":1,\"p75\":1,\"p90\":1,\"p99\":1,\"p99_9\":1,"
                      "\"p99_99\":1},\"histogram\":[[100,1],[150,5]]}";
    wrk_result_t r;
    err_t err;
    cr_assert_eq(wrk_result_parse(neg, strlen(neg), 1, &r, &err), -1);
    cr_assert(strstr(err.msg, "150 us") != NULL, "%s", err.msg);
    /* 14 samples for 1000 answers and no timeout: the histogram is not this run's */
    char many[1024];
    snprintf(many, sizeof many, "%s", GOOD);
    char *p = strstr(many, "\"requests\":16");
    memcpy(p, "\"requests\":99", 13);
    cr_assert_eq(wrk_result_parse(many, strlen(many), 2, &r, &err), -1);
    cr_assert(strstr(err.msg, "14 recorded latencies for 99 answers") != NULL, "%s", err.msg);
    cr_assert_eq(wrk_result_parse(GOOD, strlen(GOOD), 0, &r, &err), -1);
}

Test(wrk, rejects_broken_output) {
    wrk_result_t r;
    err_t err;
    cr_assert_eq(wrk_result_parse("", 0, 1, &r, &err), -1);
    const char *nolat = "{\"duration_us\":1,\"requests\":1,\"bytes\":1,\"errors\":{},\"created\":0,"
                        "\"counted_created\":false,\"histogram\":[]}";
    cr_assert_eq(wrk_result_parse(nolat, strlen(nolat), 1, &r, &err), -1);
    char unsorted[1024];
    snprintf(unsorted, sizeof unsorted, "%.*s[[41,1],[40,3]]}", (int)(strstr(GOOD, "[[40") - GOOD),
             GOOD);
    cr_assert_eq(wrk_result_parse(unsorted, strlen(unsorted), 1, &r, &err), -1);
    cr_assert(strstr(err.msg, "ascending") != NULL, "%s", err.msg);
    char missing[1024];
    snprintf(missing, sizeof missing, "%s", GOOD);
    char *p = strstr(missing, "\"p99_99\":5000");
    memcpy(p, "\"p99_98\"", 8);
    cr_assert_eq(wrk_result_parse(missing, strlen(missing), 1, &r, &err), -1);
    cr_assert(strstr(err.msg, "p99_99") != NULL, "%s", err.msg);
}

Test(wrk, command_line_is_quoted_and_pinned) {
    cpu_set_t cpus;
    CPU_ZERO(&cpus);
    CPU_SET(0, &cpus);
    wrk_opts_t o = {.url = "http://127.0.0.1:8080/",
                    .script = "/tmp/a b.lua",
                    .json_out = "/tmp/x.json",
                    .threads = 1,
                    .connections = 64,
                    .duration_s = 5,
                    .cpus = &cpus};
    buf_t b;
    buf_init(&b, 0);
    cr_assert_eq(wrk_command_line(&o, &b), 0);
    cr_assert_str_eq(buf_cstr(&b),
                     "taskset -c 0 'wrk' '-t' '1' '-c' '64' '-d' '5s' '--timeout' '8s' '-s' "
                     "'/tmp/a b.lua' 'http://127.0.0.1:8080/'");
    buf_free(&b);
}
