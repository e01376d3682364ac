/* Tests of harness/bench_json.c and the profiles: medians and spreads over repetitions, the
 * level summary (successes, errors, CV and the unstable flag, the client ceiling), the
 * integrity record, and the shape of a run entry. */
#include <criterion/criterion.h>

#include <stdio.h>
#include <string.h>

#include "bench/bench.h"
#include "bench/bench_json.h"
#include "bench/seed.h"

Test(bench, spread_median_min_max) {
    double odd[] = {30, 10, 20};
    bench_spread_t s = bench_spread(odd, 3);
    cr_assert_float_eq(s.median, 20, 1e-9);
    cr_assert_float_eq(s.min, 10, 1e-9);
    cr_assert_float_eq(s.max, 30, 1e-9);
    double even[] = {4, 1, 3, 2};
    s = bench_spread(even, 4);
    cr_assert_float_eq(s.median, 2.5, 1e-9);
    s = bench_spread(even, 0);
    cr_assert_float_eq(s.median, 0, 1e-9);
}

Test(bench, profiles) {
    const bench_profile_t *p = bench_profile_find("smoke");
    cr_assert(p && p->nlevels == 1 && p->duration_s == 2 && p->repeat == 1 && p->ceiling_s > 0);
    p = bench_profile_find("quick");
    cr_assert(p && p->nlevels == 1 && p->levels[0] == 64 && p->repeat >= 3 && p->ceiling_s > 0);
    /* quick must still fit the time one 5 s repetition with a 5 s primer and 3 s warmup took
     * (14 s per scenario) + 50%: three repetitions plus the ceiling round */
    double per = p->repeat * (p->primer_s + p->warmup_s + p->duration_s + p->pause_ms / 1000.0) +
                 p->repeat * (p->ceiling_s + p->pause_ms / 1000.0) / 5.0;
    cr_assert(per <= 14 * 1.5, "quick takes %.1f s per scenario and target", per);
    p = bench_profile_find("full");
    cr_assert(p && p->nlevels == 3 && p->levels[2] == 256 && p->duration_s == 15 && p->repeat >= 3);
    cr_assert_null(bench_profile_find("fast"));
}

static scn_t one_kind(void) {
    scn_t s;
    memset(&s, 0, sizeof s);
    s.nreqs = 1;
    s.reqs[0].method = "GET";
    s.reqs[0].weight = 1;
    s.reqs[0].success[0] = 200;
    s.reqs[0].nsuccess = 1;
    return s;
}

static bool add(cJSON *lv, int rep, double rps_requests, double p99, bool client_bound,
                long long status_errors) {
    wrk_result_t r;
    memset(&r, 0, sizeof r);
    r.duration_s = 1;
    r.requests = (long long)rps_requests;
    r.p99_us = p99;
    r.p50_us = p99 / 2;
    r.err_status = status_errors;
    r.err_read = 1;
    long long hist[1][2] = {{100, 5}};
    r.hist = hist;
    r.nhist = 1;
    scn_t s = one_kind();
    char why[256];
    return bj_add_run(lv, rep, "wrk ...", &r, NULL, client_bound ? 0.95 : 0.5, &s, why, sizeof why);
}

Test(bench, level_summary_over_repetitions) {
    cJSON *levels = cJSON_CreateArray();
    cJSON *lv = bj_level_new(levels, 64);
    cr_assert_not(add(lv, 1, 1000, 900, false, 0), "a read error is not tolerated by default");
    cr_assert_not(add(lv, 2, 3002, 700, true, 2));
    add(lv, 3, 2000, 800, false, 0);
    bj_level_summarise(lv, 5.0, -1);
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(lv, "summary");
    const cJSON *rps = cJSON_GetObjectItemCaseSensitive(s, "rps");
    cr_assert_float_eq(cJSON_GetObjectItemCaseSensitive(rps, "median")->valuedouble, 2000, 1e-9);
    cr_assert_float_eq(cJSON_GetObjectItemCaseSensitive(rps, "min")->valuedouble, 1000, 1e-9);
    cr_assert_float_eq(cJSON_GetObjectItemCaseSensitive(rps, "max")->valuedouble, 3000, 1e-9,
                       "req/s counts successes: 3002 answers, 2 of them >= 400");
    cr_assert_gt(cJSON_GetObjectItemCaseSensitive(rps, "cv_pct")->valuedouble, 40);
    cr_assert(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(rps, "unstable")));
    cr_assert(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(s, "unstable")));
    cr_assert(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(s, "accepted")));
    cr_assert_float_eq(cJSON_GetObjectItemCaseSensitive(s, "unexpected")->valuedouble, 2, 1e-9);
    const cJSON *p99 = cJSON_GetObjectItemCaseSensitive(s, "p99_us");
    cr_assert_float_eq(cJSON_GetObjectItemCaseSensitive(p99, "median")->valuedouble, 800, 1e-9);
    /* errors: 3 runs x 1 read error + 2 status errors */
    cr_assert_float_eq(cJSON_GetObjectItemCaseSensitive(s, "errors")->valuedouble, 5, 1e-9);
    cr_assert(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(s, "client_bound")));
    /* no CPU figures without a sampled process: no cpu_s summary, null in the runs */
    cr_assert_null(cJSON_GetObjectItemCaseSensitive(s, "cpu_s"));
    const cJSON *run = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(lv, "runs"), 0);
    cr_assert(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(run, "cpu_s")));
    cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(run, "histogram")), 1);
    const char *h = bj_level_headline(levels);
    cr_assert(strstr(h, "64 conn: 2000 ok req/s (CV ") && strstr(h, "UNSTABLE") &&
                  strstr(h, "p99 0.80 ms, 5 errors (client-bound"),
              "%s", h);
    cJSON_Delete(levels);
}

Test(bench, status_and_integrity_records) {
    cJSON *o = cJSON_CreateObject();
    bj_set_status(o, "pending", NULL);
    bj_set_status(o, "crashed", "killed by signal 9");
    cr_assert_str_eq(bj_status(o), "crashed");
    cr_assert_eq(cJSON_GetArraySize(o), 2, "status and error replaced, not duplicated");
    bj_set_integrity(o, false, 10, 7, 64, "lost");
    const cJSON *i = cJSON_GetObjectItemCaseSensitive(o, "integrity");
    cr_assert(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(i, "pass")));
    cr_assert_float_eq(cJSON_GetObjectItemCaseSensitive(i, "found")->valuedouble, 7, 1e-9);
    cJSON_Delete(o);
}

Test(bench, integrity_verdict) {
    char why[256];
    cr_assert(bench_integrity_verdict(100, 100, 64, why, sizeof why));
    cr_assert(bench_integrity_verdict(100, 164, 64, why, sizeof why), "in-flight writes may land");
    cr_assert_not(bench_integrity_verdict(100, 99, 64, why, sizeof why));
    cr_assert(strstr(why, "lost") != NULL, "%s", why);
    cr_assert_not(bench_integrity_verdict(100, 165, 64, why, sizeof why));
    cr_assert(strstr(why, "did not acknowledge") != NULL, "%s", why);
    cr_assert(bench_integrity_verdict(0, 0, 0, why, sizeof why));
}

/* web-comment: the 303s of the primer (8 connections), the warmup and the measured run (16 each)
 * add up; so do the requests that may have been in flight when each wrk stopped. */
Test(bench, integrity_of_form_posts_over_primer_warmup_and_run) {
    long long acked = 10 + 20 + 100, inflight = 8 + 16 + 16;
    char why[256];
    cr_assert(bench_integrity_verdict(acked, 130, inflight, why, sizeof why));
    cr_assert(bench_integrity_verdict(acked, 170, inflight, why, sizeof why));
    cr_assert_not(bench_integrity_verdict(acked, 129, inflight, why, sizeof why));
    cr_assert(
        strstr(why,
               "130 writes acknowledged (201 from the API, 303 from a form) but only 129 found") !=
            NULL,
        "%s", why);
    cr_assert_not(bench_integrity_verdict(acked, 171, inflight, why, sizeof why));
    cr_assert(strstr(why, "171 writes found but only 130 acknowledged (+40 in flight at most)") !=
                  NULL,
              "%s", why);
}

/* The Cookie header of a seeded session from a jar's Netscape dump (curl's format: HttpOnly
 * cookies behind "#HttpOnly_", comments, CRLF tolerated). */
Test(bench, seed_cookie_header_from_a_jar_dump) {
    const char *dump = "# Netscape HTTP Cookie File\n"
                       "# https://curl.se/docs/http-cookies.html\n"
                       "\n"
                       "#HttpOnly_127.0.0.1\tFALSE\t/\tFALSE\t0\tsessionid\tabc123\n"
                       "127.0.0.1\tFALSE\t/\tFALSE\t1900000000\tcsrftoken\tK=k+1\r\n"
                       "127.0.0.1\tFALSE\t/\tFALSE\t0\tempty\t\n"
                       "malformed line without tabs\n";
    buf_t b;
    buf_init(&b, 0);
    cr_assert_eq(seed_cookie_header(dump, &b), 0);
    cr_assert_str_eq(buf_cstr(&b), "sessionid=abc123; csrftoken=K=k+1; empty=");
    buf_reset(&b);
    cr_assert_eq(seed_cookie_header("# only comments\n", &b), 0);
    cr_assert_eq(b.len, 0);
    buf_free(&b);
}

Test(bench, summary_of_one_run_is_not_unstable_and_ceiling_flags_client_bound) {
    cJSON *levels = cJSON_CreateArray();
    cJSON *lv = bj_level_new(levels, 16);
    add(lv, 1, 9500, 800, false, 0); /* one read error: not accepted, still summarised */
    bj_level_summarise(lv, 5.0, 10000);
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(lv, "summary");
    const cJSON *rps = cJSON_GetObjectItemCaseSensitive(s, "rps");
    cr_assert(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(rps, "cv_pct")), "one run has no CV");
    cr_assert(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(s, "unstable")));
    cr_assert_float_eq(cJSON_GetObjectItemCaseSensitive(s, "ceiling_rps")->valuedouble, 10000,
                       1e-9);
    cr_assert(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(s, "client_bound")),
              "9500 is within 10%% of 10000");
    bj_level_summarise(lv, 5.0, 20000);
    s = cJSON_GetObjectItemCaseSensitive(lv, "summary");
    cr_assert(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(s, "client_bound")),
              "summary replaced: far below 20000");
    cJSON_Delete(levels);
}

Test(bench, ceiling_entries) {
    bench_opts_t o;
    memset(&o, 0, sizeof o);
    o.profile = *bench_profile_find("smoke");
    o.run_id = "t";
    cJSON *doc = bj_doc_new(&o, cJSON_CreateObject(), false, NULL, NULL, 1);
    cr_assert_float_eq(bj_ceiling_rps(doc, "plaintext", 16), -1, 1e-9, "not measured yet");
    wrk_result_t r;
    memset(&r, 0, sizeof r);
    r.duration_s = 2;
    double v[] = {20000, 24000, 22000};
    for (int i = 0; i < 3; i++) {
        r.requests = (long long)(v[i] * 2);
        bj_add_ceiling_run(bj_ceiling_level(doc, "plaintext", 16), i + 1, "wrk", &r, 0.99);
    }
    cr_assert_float_eq(bj_ceiling_rps(doc, "plaintext", 16), 22000, 1e-9, "the median");
    cr_assert_float_eq(bj_ceiling_rps(doc, "plaintext", 64), -1, 1e-9);
    cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(
                     cJSON_GetObjectItemCaseSensitive(doc, "ceiling"), "scenarios")),
                 1);
    cJSON_Delete(doc);
}

static cJSON *run_of(int rep) {
    cJSON *r = cJSON_CreateObject();
    cJSON_AddNumberToObject(r, "repeat", rep);
    return r;
}

static void expect_repeats(const cJSON *runs, const char *want) {
    char got[64] = "";
    const cJSON *r;
    cJSON_ArrayForEach(r, runs) {
        size_t n = strlen(got);
        snprintf(got + n, sizeof got - n, "%s%d", n ? "," : "",
                 (int)cJSON_GetObjectItemCaseSensitive(r, "repeat")->valuedouble);
    }
    cr_assert_str_eq(got, want);
}

/* A make-up goes where the run it replaces was: first, in the middle (which cJSON 1.7.15's
 * cJSON_InsertItemInArray cannot do), last, and into an empty level. */
Test(bench, runs_put_in_order_of_repetition) {
    cJSON *runs = cJSON_CreateArray();
    bj_runs_put_in_order(runs, run_of(2));
    expect_repeats(runs, "2");
    cJSON_AddItemToArray(runs, run_of(4));
    cJSON_AddItemToArray(runs, run_of(5));
    bj_runs_put_in_order(runs, run_of(3));
    expect_repeats(runs, "2,3,4,5");
    bj_runs_put_in_order(runs, run_of(1));
    expect_repeats(runs, "1,2,3,4,5");
    bj_runs_put_in_order(runs, run_of(6));
    expect_repeats(runs, "1,2,3,4,5,6");
    cr_assert_eq(cJSON_GetArraySize(runs), 6);
    cJSON_Delete(runs);
}
