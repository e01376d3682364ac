/* Tests of harness/bench/bench_stats.c: the accounting of successes and unexpected answers, the
 * tolerated rate, spread and CV, the unstable and client-bound rules, and the read-only p99
 * bounds of a mix. Recorded numbers in, figures out: no load, no timing. */
#include <criterion/criterion.h>

#include <string.h>

#include "bench/bench.h"

static scn_t kinds(int s0, int s1) {
    scn_t s;
    memset(&s, 0, sizeof s);
    s.nreqs = 2;
    s.reqs[0].method = "GET";
    s.reqs[0].weight = 9;
    s.reqs[0].success[0] = s0;
    s.reqs[0].nsuccess = 1;
    s.reqs[1].method = "POST";
    s.reqs[1].weight = 1;
    s.reqs[1].success[0] = s1;
    s.reqs[1].nsuccess = 1;
    return s;
}

/* A fixture that answers 500 to every tenth request: 1000 answers in 1 s, 100 of them 500s. */
static wrk_result_t every_tenth_500(void) {
    wrk_result_t r;
    memset(&r, 0, sizeof r);
    r.duration_s = 1;
    r.requests = 1000;
    r.err_status = 100;
    return r;
}

Test(bench_stats, error_answers_never_count_as_throughput) {
    scn_t s = kinds(200, 200);
    wrk_result_t r = every_tenth_500();
    bench_tally_t t;
    bench_tally(&s, &r, &t);
    cr_assert_eq(t.answers, 1000);
    cr_assert_eq(t.successes, 900, "the 500s are not successes");
    cr_assert_eq(t.unexpected, 100);
    cr_assert_float_eq(t.error_rate, 0.1, 1e-12);
    char why[256];
    cr_assert_not(bench_tally_ok(&t, 0, why, sizeof why));
    cr_assert(strstr(why, "100 unexpected answer(s)") && strstr(why, "10.000%"), "%s", why);
    cr_assert_not(bench_tally_ok(&t, 0.05, why, sizeof why), "5% tolerated is not enough");
    cr_assert(bench_tally_ok(&t, 0.1, why, sizeof why), "a declared 10% is");
}

Test(bench_stats, exact_counting_by_status) {
    /* response() counted: 180 x 200, 18 x 201, 2 x 409; the kinds succeed with 200 and 201 */
    scn_t s = kinds(200, 201);
    wrk_result_t r;
    memset(&r, 0, sizeof r);
    r.duration_s = 1;
    r.requests = 200;
    r.err_status = 2;
    r.counted_created = true;
    r.status_code[0] = 200, r.status_count[0] = 180;
    r.status_code[1] = 201, r.status_count[1] = 18;
    r.status_code[2] = 409, r.status_count[2] = 2;
    r.nstatuses = 3;
    bench_tally_t t;
    bench_tally(&s, &r, &t);
    cr_assert(t.exact);
    cr_assert_eq(t.successes, 198);
    cr_assert_eq(t.unexpected, 2);
    /* a 302 where every kind expects 200: wrk's own counter would miss it, Lua does not */
    scn_t s2 = kinds(200, 200);
    r.status_code[1] = 302;
    bench_tally(&s2, &r, &t);
    cr_assert_eq(t.successes, 180);
    cr_assert_eq(t.unexpected, 20);
}

Test(bench_stats, timeouts_and_socket_errors) {
    scn_t s = kinds(200, 200);
    wrk_result_t r;
    memset(&r, 0, sizeof r);
    r.duration_s = 1;
    r.requests = 100;
    r.err_timeout = 3; /* answered, but after wrk's timeout */
    r.err_read = 2;    /* reset: never answered */
    r.err_connect = 1;
    bench_tally_t t;
    bench_tally(&s, &r, &t);
    cr_assert_eq(t.successes, 97);
    cr_assert_eq(t.unexpected, 3);
    cr_assert_eq(t.socket_errors, 3);
    cr_assert_float_eq(t.error_rate, 6.0 / 103.0, 1e-12);
    char why[256];
    cr_assert_not(bench_tally_ok(&t, 0, why, sizeof why));
    cr_assert(strstr(why, "3 socket error(s)"), "%s", why);
    memset(&r, 0, sizeof r);
    r.requests = 50;
    bench_tally(&s, &r, &t);
    cr_assert(bench_tally_ok(&t, 0, why, sizeof why), "a clean run passes");
    cr_assert_str_eq(why, "");
}

Test(bench_stats, wrk_counter_suffices_only_for_2xx_3xx_successes) {
    scn_t s = kinds(200, 201);
    cr_assert(scn_wrk_counts_enough(&s));
    s.reqs[1].success[0] = 404;
    cr_assert_not(scn_wrk_counts_enough(&s), "a scenario that expects 404 needs exact counting");
    cr_assert(scn_is_success(&s.reqs[1], 404));
    cr_assert_not(scn_is_success(&s.reqs[1], 200));
}

Test(bench_stats, spread_cv_and_unstable) {
    double same[] = {100, 100, 100};
    bench_spread_t sp = bench_spread(same, 3);
    cr_assert_float_eq(sp.cv_pct, 0, 1e-12);
    cr_assert_not(bench_unstable(&sp, 5));
    double v[] = {90, 100, 110}; /* sd 10, mean 100 */
    sp = bench_spread(v, 3);
    cr_assert_float_eq(sp.cv_pct, 10, 1e-9);
    cr_assert_eq(sp.n, 3);
    cr_assert(bench_unstable(&sp, 5));
    cr_assert_not(bench_unstable(&sp, 10), "at the threshold: not above it");
    double one[] = {1234};
    sp = bench_spread(one, 1);
    cr_assert_float_eq(sp.cv_pct, 0, 1e-12);
    cr_assert_not(bench_unstable(&sp, 0.001), "one run has no measured spread");
}

Test(bench_stats, client_bound_against_the_ceiling) {
    cr_assert(bench_client_bound(9000, 10000, 0.5), "exactly 90%% of the ceiling");
    cr_assert_not(bench_client_bound(8999, 10000, 0.5));
    cr_assert(bench_client_bound(12000, 10000, 0.5), "above the ceiling (noise): still bound");
    cr_assert_not(bench_client_bound(12000, -1, 0.5), "no ceiling measured");
    cr_assert(bench_client_bound(100, -1, 0.95), "wrk's CPU saturated");
}

Test(bench_stats, read_p99_bounds_of_a_mix) {
    /* 100 answers: 98 reads (1..98 ms), 2 logins at 500 ms: the reads' own p99 is 98 ms (the
     * 97th of 98 is 97 ms: ceil(0.99 * 98) = 98th value) */
    long long h[99][2];
    for (int i = 0; i < 98; i++) h[i][0] = (i + 1) * 1000, h[i][1] = 1;
    h[98][0] = 500000, h[98][1] = 2;
    double lo, hi;
    cr_assert_eq(bench_read_p99_bounds((const long long(*)[2])h, 99, 0.98, &lo, &hi), 0);
    cr_assert_float_eq(lo, 98000, 1e-9, "logins slowest: the bound is exact");
    cr_assert_float_eq(hi, 500000, 1e-9);
    cr_assert(lo <= 98000 && 98000 <= hi);
    cr_assert_eq(bench_read_p99_bounds((const long long(*)[2])h, 0, 0.98, &lo, &hi), -1);
}
