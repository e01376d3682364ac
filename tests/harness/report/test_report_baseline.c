/* Baseline gating against the fixture baselines (tests/harness/data/report/base-*): verdict per
 * target x scenario, regression and lost-conformance counts, and the exit codes of
 * `parity report --baseline` (0 improvement and noise, 1 regression, crash, lost conformance;
 * the threshold moves the gate; 2 for bad input). */
#include "report_fixture.h"

#include <math.h>

static model_t cur, old;
static baseline_t bl;

static void compare(const char *base, double pct) {
    err_t err;
    cr_assert_eq(model_load(&cur, RF_RUN, &err), 0, "%s", err.msg);
    cr_assert_eq(model_load(&old, base, &err), 0, "%s", err.msg);
    baseline_compare(&bl, &old, &cur, pct);
}

static void teardown(void) {
    model_free(&cur);
    model_free(&old);
    rf_cleanup();
}

TestSuite(report_baseline, .fini = teardown);

static const baseline_row_t *row(const char *target, const char *scenario) {
    for (size_t i = 0; i < bl.nrows; i++)
        if (!strcmp(bl.rows[i].target, target) && !strcmp(bl.rows[i].scenario, scenario))
            return &bl.rows[i];
    return NULL;
}

#define VERDICT(t, s, v)                                                                           \
    do {                                                                                           \
        const baseline_row_t *r_ = row(t, s);                                                      \
        cr_assert_not_null(r_, "no row %s/%s", t, s);                                              \
        cr_assert_eq(r_->verdict, v, "%s/%s: %s (%+.1f%%), expected %s", t, s,                     \
                     baseline_verdict_name(r_->verdict), r_->delta_pct, baseline_verdict_name(v)); \
    } while (0)

/* exit code of the parity binary on RUN_DIR with this baseline and extra options */
static int parity_exit(const char *base, const char *extra) {
    snprintf(rf_dir, sizeof rf_dir, "/tmp/parity-report-test-XXXXXX");
    cr_assert_not_null(mkdtemp(rf_dir));
    return rf_sh("'" RF_PARITY "' report '" RF_RUN
                 "' --baseline '%s' --out '%s' %s >/dev/null 2>&1",
                 base, rf_dir, extra);
}

Test(report_baseline, improvement) {
    compare(RF_DATA "/base-improve", 5);
    VERDICT("quill", "plaintext", BASELINE_BETTER);
    VERDICT("express", "article-read", BASELINE_BETTER);
    VERDICT("flask", "comment-create", BASELINE_BETTER);
    cr_assert_float_eq(row("quill", "plaintext")->delta_pct, (60000.0 / 42000.0 - 1) * 100, 0.01);
    cr_assert_null(row("flask", "article-read"), "not measured in either run: no row");
    cr_assert_null(row("express", "comment-create"), "crashed in both runs: no row");
    cr_assert_eq(bl.regressions, 0);
    cr_assert_eq(bl.lost_conformance, 0);
    cr_assert_eq(parity_exit(RF_DATA "/base-improve", ""), 0);
}

Test(report_baseline, noise_inside_the_spread) {
    compare(RF_DATA "/base-noise", 5);
    /* 22.5k -> 21.0k is -6.7%, beyond the 5% minimum effect, but the runs overlap
     * (16k, 21k, 23k against 22k, 22.5k, 23k): Mann-Whitney p = 0.2, not significant, so the
     * change is "unclear" and not gated */
    const baseline_row_t *r = row("quill", "article-read");
    cr_assert_lt(r->delta_pct, -5.0);
    VERDICT("quill", "article-read", BASELINE_WORSE);
    cr_assert_float_eq(r->rps_p, 0.2, 1e-9);
    VERDICT("quill", "plaintext", BASELINE_NOISE);
    cr_assert_eq(bl.regressions, 0);
    cr_assert_eq(parity_exit(RF_DATA "/base-noise", ""), 0);
}

Test(report_baseline, regression_beyond_threshold) {
    compare(RF_DATA "/base-regress", 5);
    VERDICT("quill", "plaintext", BASELINE_REGRESSION);
    cr_assert_float_eq(row("quill", "plaintext")->delta_pct, -100.0 / 3, 0.01);
    /* -4.9%: significant (every new run below every old one, p = 0.05) but smaller than the
     * 5% minimum effect: noise */
    VERDICT("express", "plaintext", BASELINE_NOISE);
    cr_assert_float_eq(row("express", "plaintext")->rps_p, 0.05, 1e-9);
    cr_assert_float_eq(row("quill", "plaintext")->rps_p, 0.05, 1e-9);
    VERDICT("quill", "article-read", BASELINE_NOISE);
    cr_assert_eq(bl.regressions, 1);
    cr_assert_eq(parity_exit(RF_DATA "/base-regress", ""), 1);
    rf_cleanup();
    /* the summary says which */
    cr_assert_eq(rf_generate(RF_RUN, RF_DATA "/base-regress", 5, false), 1);
    char *md = rf_read("summary.md");
    cr_assert_not_null(strstr(md, "❌ **1 regression(s)**, **0 target(s) lost conformance**."), "%s",
                       md);
    cr_assert_not_null(strstr(md, "| quill | plaintext | 90.0k | 60.0k | -33.3% | p=0.050 |"), "%s",
                       md);
    cr_assert_not_null(strstr(md, "| REGRESSION |\n"), "%s", md);
    cr_assert_not_null(strstr(md, "| express | plaintext | 16.3k | 15.5k | -4.9% | p=0.050 |"),
                       "%s", md);
    free(md);
    char *html = rf_read("report.html");
    cr_assert_not_null(strstr(html, "<h2 id=\"baseline\">"));
    cr_assert_not_null(strstr(html, "<span class=\"badge fail\">REGRESSION</span>"));
    cr_assert_not_null(strstr(html, "<tr><td>baseline</td><td>full</td><td>Fixture CPU 3000 (2 "
                                    "CPUs)</td><td><code>b9e4eba12345</code></td></tr>"));
    free(html);
}

Test(report_baseline, threshold_moves_the_gate) {
    compare(RF_DATA "/base-regress", 50);
    VERDICT("quill", "plaintext", BASELINE_NOISE);
    cr_assert_eq(bl.regressions, 0);
    cr_assert_eq(parity_exit(RF_DATA "/base-regress", "--max-regression 50"), 0);
    rf_cleanup();
    cr_assert_eq(parity_exit(RF_DATA "/base-regress", "--max-regression 33"), 1);
}

Test(report_baseline, crashed_scenario_is_a_regression) {
    compare(RF_DATA "/base-crash", 5);
    VERDICT("express", "comment-create", BASELINE_REGRESSION);
    cr_assert_eq(bl.regressions, 1);
    cr_assert_eq(parity_exit(RF_DATA "/base-crash", ""), 1);
}

Test(report_baseline, lost_conformance) {
    compare(RF_DATA "/base-lost", 5);
    cr_assert_eq(bl.regressions, 0, "the benchmark is identical");
    cr_assert_eq(bl.lost_conformance, 1);
    cr_assert_eq(bl.nconf, 4);
    for (size_t i = 0; i < bl.nconf; i++) {
        const baseline_conf_row_t *c = &bl.conf[i];
        bool flask = !strcmp(c->target, "flask");
        cr_assert_eq(c->lost, flask, "%s", c->target);
        if (flask) {
            cr_assert_str_eq(c->suites, "articles");
            cr_assert_eq(c->old_pass, 6);
            cr_assert_eq(c->new_pass, 4);
            cr_assert_eq(c->new_fail, 1);
        }
    }
    cr_assert_eq(parity_exit(RF_DATA "/base-lost", ""), 1);
    rf_cleanup();
    cr_assert_eq(rf_generate(RF_RUN, RF_DATA "/base-lost", 5, false), 1);
    char *md = rf_read("summary.md");
    cr_assert_not_null(strstr(md, "- flask lost conformance: articles\n"), "%s", md);
    free(md);
}

Test(report_baseline, run_without_conformance_is_not_judged_on_it) {
    /* a bench-only run against a full baseline: conformance not checked, not lost */
    snprintf(rf_dir, sizeof rf_dir, "/tmp/parity-report-test-XXXXXX");
    cr_assert_not_null(mkdtemp(rf_dir));
    cr_assert_eq(rf_sh("cp '%s/bench.json' '%s/'%s", RF_RUN, rf_dir, ""), 0);
    err_t err;
    cr_assert_eq(model_load(&cur, rf_dir, &err), 0, "%s", err.msg);
    cr_assert_eq(model_load(&old, RF_DATA "/base-lost", &err), 0, "%s", err.msg);
    baseline_compare(&bl, &old, &cur, 5);
    cr_assert_eq(bl.lost_conformance, 0);
    for (size_t i = 0; i < bl.nconf; i++) cr_assert(bl.conf[i].unchecked);
}

Test(report_baseline, bad_input_exits_2) {
    cr_assert_eq(parity_exit("/nonexistent/run", ""), 2);
    rf_cleanup();
    cr_assert_eq(parity_exit(RF_DATA "/base-noise", "--max-regression lots"), 2);
    rf_cleanup();
    cr_assert_eq(parity_exit(RF_DATA "/base-noise", "--max-regression -1"), 2);
    rf_cleanup();
    /* a malformed bench.json names the file */
    snprintf(rf_dir, sizeof rf_dir, "/tmp/parity-report-test-XXXXXX");
    cr_assert_not_null(mkdtemp(rf_dir));
    cr_assert_eq(rf_sh("printf '{\"kind\": ' > '%s/bench.json'%s%s", rf_dir, "", ""), 0);
    cr_assert_eq(rf_sh("'" RF_PARITY "' report '%s' 2>'%s/err' >/dev/null%s", rf_dir, rf_dir, ""),
                 2);
    char *e = rf_read("err");
    cr_assert_not_null(strstr(e, "/bench.json: not a JSON object"), "%s", e);
    free(e);
}

Test(report_baseline, target_that_no_longer_starts) {
    /* django was measured and conformant in the baseline; now it did not start */
    compare(RF_DATA "/base-django", 5);
    VERDICT("django", "plaintext", BASELINE_REGRESSION);
    VERDICT("django", "article-read", BASELINE_REGRESSION);
    VERDICT("django", "comment-create", BASELINE_REGRESSION);
    cr_assert_eq(bl.regressions, 3);
    cr_assert_eq(bl.lost_conformance, 1);
    for (size_t i = 0; i < bl.nconf; i++)
        if (!strcmp(bl.conf[i].target, "django"))
            cr_assert_str_eq(bl.conf[i].suites, "users, articles");
    cr_assert_eq(parity_exit(RF_DATA "/base-django", ""), 1);
}

/* The gate on recorded runs (tests/harness/data/report/aa, made by make_aa.py from two real
 * quick runs of quill on this machine): an A/A pair passes, a 10% throughput drop and a doubled
 * p99 fail where the repetitions are steady enough to tell, and are "unclear" (not gated) where
 * they are not. */
#define AA RF_DATA "/aa"

static void compare_dirs(const char *old_dir, const char *new_dir, double pct) {
    err_t err;
    model_free(&cur);
    model_free(&old);
    cr_assert_eq(model_load(&cur, new_dir, &err), 0, "%s", err.msg);
    cr_assert_eq(model_load(&old, old_dir, &err), 0, "%s", err.msg);
    baseline_compare(&bl, &old, &cur, pct);
}

Test(report_baseline, recorded_a_a_passes) {
    /* odd against even repetitions of one interleaved run of 6 */
    compare_dirs(AA "/split-a", AA "/split-b", 5);
    cr_assert_eq(bl.regressions, 0);
    for (size_t i = 0; i < bl.nrows; i++) {
        cr_assert_eq(bl.rows[i].n_old, 3);
        cr_assert_eq(bl.rows[i].n_new, 3);
        cr_assert(!isnan(bl.rows[i].rps_p), "3 against 3: a test, not a guess");
        cr_assert_neq(bl.rows[i].verdict, BASELINE_REGRESSION);
    }
    cr_assert_eq(parity_exit(AA "/split-a", ""), 0);
    rf_cleanup();
    /* the same pair judged against itself: no change at all */
    compare_dirs(AA "/recorded-3", AA "/recorded-3", 5);
    cr_assert_eq(bl.regressions, 0);
    VERDICT("quill", "article-read", BASELINE_NOISE);
}

Test(report_baseline, recorded_ten_percent_drop_fails) {
    compare_dirs(AA "/recorded-3", AA "/drop10", 5);
    const baseline_row_t *r = row("quill", "article-read");
    cr_assert_float_eq(r->delta_pct, -10, 0.01);
    cr_assert_float_eq(r->rps_p, 0.05, 1e-9, "every new repetition below every old one");
    cr_assert_eq(r->rps_verdict, BASELINE_REGRESSION);
    cr_assert_eq(r->p99_verdict, BASELINE_NOISE);
    VERDICT("quill", "article-read", BASELINE_REGRESSION);
    /* json's repetitions spread by 30% (CV): a 10% move is within twice that, not gated */
    cr_assert_gt(row("quill", "json")->rps_min_effect, 10);
    cr_assert_neq(row("quill", "json")->verdict, BASELINE_REGRESSION);
    cr_assert_eq(bl.regressions, 1);
    snprintf(rf_dir, sizeof rf_dir, "/tmp/parity-report-test-XXXXXX");
    cr_assert_not_null(mkdtemp(rf_dir));
    cr_assert_eq(rf_sh("'" RF_PARITY "' report '" AA "/drop10' --baseline '" AA
                       "/recorded-3' --out '%s' >'%s/gate.log' 2>&1",
                       rf_dir, rf_dir, NULL),
                 1);
    char *log = rf_read("gate.log");
    cr_assert_not_null(strstr(log, "-10.0% p=0.050"), "%s", log);
    cr_assert_not_null(strstr(log, "REGRESSION (req/s REGRESSION, p99 noise)"), "%s", log);
    free(log);
}

Test(report_baseline, recorded_doubled_p99_fails) {
    compare_dirs(AA "/recorded-3", AA "/p99x2", 5);
    const baseline_row_t *r = row("quill", "article-read");
    cr_assert_float_eq(r->p99_delta_pct, 100, 0.01);
    cr_assert_eq(r->rps_verdict, BASELINE_NOISE);
    cr_assert_eq(r->p99_verdict, BASELINE_REGRESSION);
    cr_assert_float_eq(r->p99_p, 0.05, 1e-9);
    VERDICT("quill", "article-read", BASELINE_REGRESSION);
    cr_assert_eq(bl.regressions, 1, "json's p99 repetitions overlap when doubled: unclear");
    VERDICT("quill", "json", BASELINE_WORSE);
}

Test(report_baseline, one_repetition_has_no_test) {
    compare_dirs(AA "/single", AA "/single-40", 5);
    const baseline_row_t *r = row("quill", "article-read");
    cr_assert(isnan(r->rps_p));
    cr_assert_eq(r->n_old, 1);
    cr_assert_eq(r->n_new, 1);
    VERDICT("quill", "article-read", BASELINE_REGRESSION);
    /* the smoke gate (--max-regression 50) lets a 40% move of one repetition pass */
    compare_dirs(AA "/single", AA "/single-40", 50);
    VERDICT("quill", "article-read", BASELINE_NOISE);
    compare_dirs(AA "/single", AA "/single", 5);
    VERDICT("quill", "json", BASELINE_NOISE);
    /* one run's p99 is not gated: doubled, it is "unclear" at most */
    compare_dirs(AA "/single", AA "/single-p99x2", 5);
    const baseline_row_t *q = row("quill", "article-read");
    cr_assert_float_eq(q->p99_delta_pct, 100, 0.01);
    cr_assert_neq(q->p99_verdict, BASELINE_REGRESSION);
    cr_assert_eq(bl.regressions, 0);
}
