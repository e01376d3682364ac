/* bench_open: option parsing, the closed-loop anchor of --sweep auto and the verdict of a rate. */
#include <criterion/criterion.h>
#include <string.h>

#include "bench/bench_open.h"

Test(bench_open, rates_lists) {
    bench_open_opts_t o;
    memset(&o, 0, sizeof o);
    cr_assert_eq(bench_open_parse_rates("500,1000,2.5k", &o), 0);
    cr_assert_eq(o.nrates, 3);
    cr_assert_float_eq(o.rates[2], 2500, 1e-9);
    static const char *const bad[] = {"",   ",",       "1,",
                                      "0",  "-5",      "abc",
                                      "1x", "2000000", "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        cr_assert_eq(bench_open_parse_rates(bad[i], &o), -1, "accepted '%s'", bad[i]);
}

Test(bench_open, options) {
    bench_open_opts_t o;
    memset(&o, 0, sizeof o);
    cr_assert_eq(bench_open_option(&o, BENCH_OPEN_OPT_OPEN, NULL), 0);
    cr_assert(o.enabled);
    cr_assert_not(bench_open_only(&o), "--open alone sweeps from the closed-loop maximum");
    cr_assert_eq(bench_open_option(&o, BENCH_OPEN_OPT_ARRIVALS, "poisson"), 0);
    cr_assert_eq(o.arrivals, OL_POISSON);
    cr_assert_eq(bench_open_option(&o, BENCH_OPEN_OPT_POLICY, "drop"), 0);
    cr_assert_eq(o.policy, OL_DROP);
    cr_assert_eq(bench_open_option(&o, BENCH_OPEN_OPT_SLO, "250"), 0);
    cr_assert_float_eq(o.slo_ms, 250, 1e-9);
    cr_assert_eq(bench_open_option(&o, BENCH_OPEN_OPT_SLO, "0"), -1);
    cr_assert_eq(bench_open_option(&o, BENCH_OPEN_OPT_ARRIVALS, "burst"), -1);
    cr_assert_eq(bench_open_option(&o, BENCH_OPEN_OPT_POLICY, "retry"), -1);
    cr_assert_eq(bench_open_option(&o, BENCH_OPEN_OPT_SWEEP, "half"), -1);
    cr_assert_eq(bench_open_option(&o, BENCH_OPEN_OPT_RATES, "100,200"), 0);
    cr_assert(bench_open_only(&o), "explicit rates skip the closed-loop levels");
    cr_assert_eq(bench_open_option(&o, BENCH_OPEN_OPT_SWEEP, "auto"), -1, "not with --rates");
    memset(&o, 0, sizeof o);
    cr_assert_eq(bench_open_option(&o, BENCH_OPEN_OPT_SWEEP, "auto"), 0);
    cr_assert_eq(bench_open_option(&o, BENCH_OPEN_OPT_RATES, "100"), -1, "not with --sweep");
    cr_assert(bench_open_wants(&o, "json"));
    o.scenario = "article-read";
    cr_assert_not(bench_open_wants(&o, "json"));
    cr_assert(bench_open_wants(&o, "article-read"));
    cr_assert_gt(bench_open_seconds(&o, 5, 1), 7 * 5);
}

Test(bench_open, closed_loop_max_is_the_best_level_median) {
    cJSON *s = cJSON_Parse("{\"levels\": ["
                           "{\"summary\": {\"rps\": {\"median\": 900, \"max\": 5000}}},"
                           "{\"summary\": {\"rps\": {\"median\": 1200}}},"
                           "{\"connections\": 256}]}");
    cr_assert_float_eq(bench_open_closed_max(s), 1200, 1e-9);
    cJSON_Delete(s);
    /* not summarised yet: the median of the runs (1500, not the 9000 outlier) */
    s = cJSON_Parse("{\"levels\": [{\"runs\": [{\"rps\": 1000}, {\"rps\": 9000}, "
                    "{\"rps\": 1500}]}, {\"summary\": {\"rps\": {\"median\": 1200}}}]}");
    cr_assert_float_eq(bench_open_closed_max(s), 1500, 1e-9);
    cJSON_Delete(s);
    s = cJSON_Parse("{\"levels\": []}");
    cr_assert_eq(bench_open_closed_max(s), 0);
    cJSON_Delete(s);
}

Test(bench_open, a_rate_is_ok_when_sustained_under_the_slo_with_few_failures) {
    ol_result_t r;
    cr_assert_eq(ol_result_init(&r), 0);
    r.duration_s = 10;
    r.scheduled = 10000;
    r.completed_in_window = 9990;
    for (int i = 0; i < 1000; i++) hdr_record(r.corrected, 50000000); /* 50 ms */
    ol_result_finish(&r, 1000);
    cr_assert(r.sustained);
    cr_assert(bench_open_rate_ok(&r, 100));
    cr_assert_not(bench_open_rate_ok(&r, 40), "p99 50 ms is over a 40 ms SLO");
    r.timeouts = 101; /* over 1% of 10000 */
    cr_assert_not(bench_open_rate_ok(&r, 100));
    r.timeouts = 0;
    r.completed_in_window = 9400; /* 94%: not sustained */
    ol_result_finish(&r, 1000);
    cr_assert_not(r.sustained);
    cr_assert_not(bench_open_rate_ok(&r, 100));
    ol_result_free(&r);
}
