/* summary.md from the fixture run: the conformance table, the failing suite's first failing step,
 * throughput (median, min-max, warnings) and p99 tables, exact lines. */
#include "report_fixture.h"

static char *md;

static void setup(void) {
    cr_assert_eq(rf_generate(RF_RUN, NULL, 5, false), 0);
    md = rf_read("summary.md");
}

static void teardown(void) {
    free(md);
    rf_cleanup();
}

TestSuite(report_md, .init = setup, .fini = teardown);

#define HAS(line) cr_assert_not_null(strstr(md, line), "missing: %s\n--- summary.md:\n%s", line, md)

Test(report_md, conformance) {
    HAS("## parity report 20261123T190501Z\n");
    HAS("| target | suites | steps passed | failed | skipped | verdict "
        "|\n|---|---:|---:|---:|---:|---|\n");
    HAS("| django | 0/0 | 0 | 0 | 0 | ❌ error |\n");
    HAS("| express | 2/2 | 6 | 0 | 0 | ✅ conformant |\n");
    HAS("| flask | 1/2 | 4 | 1 | 1 | ❌ not conformant |\n");
    HAS("| quill | 2/2 | 5 | 0 | 1 | ⚠️ conformant with skips |\n");
    HAS("- **flask** `articles`: update article: title changes slug "
        "(`specs/blog/articles.json:88`) — "
        "expected == \"new-title\", got \"old-title\"\n");
    HAS("- **django** did not run: target django did not start: exited with status 1\n");
    cr_assert_eq(rf_count(md, "- **"), 2, "one failing suite, one target that did not run");
}

Test(report_md, throughput_and_latency_tables) {
    HAS("### Throughput (successful requests/s, median over repetitions) at 64 connections\n\n| "
        "scenario | django | express | "
        "flask | quill |\n|---|---:|---:|---:|---:|\n");
    HAS("| plaintext | ❌ error | 15.5k (15.0k–16.0k) | 3400 (3300–3500) ⚠️ client-bound "
        "| "
        "60.0k "
        "(58.0k–62.0k) |\n");
    HAS("| article-read | ❌ error | 9500 (9000–10.0k) | ❌ check-failed | 21.0k (16.0k–23.0k) "
        "⚠️ "
        "host slow in 1 of 3 runs · 1 of 3 runs made up |\n");
    HAS("| comment-create | ❌ error | ❌ crashed | 820 (800–840) ⚠️ 12 err (0 unexpected "
        "answers) "
        "❌ integrity | 5100 "
        "(5000–5200) |\n");
    HAS("### Latency p99 (median over repetitions) at 64 connections\n");
    /* p99 = 4 x p50 of the median run: quill 0.9 ms x 1.05, flask 9 ms x 1.05 */
    HAS("| plaintext | ❌ error | 8.40 ms (8.00 ms–8.80 ms) | 37.8 ms (36.0 ms–39.6 ms) | 3.78 ms "
        "(3.60 ms–3.96 ms) |\n");
    HAS("<sub>profile full · Fixture CPU 3000 · full results in report.html and "
        "bench.json</sub>\n");
    cr_assert_null(strstr(md, "Against the baseline"), "no baseline section without --baseline");
}

Test(report_md, tables_are_well_formed) {
    cr_assert_eq(rf_count(md, "\n\n\n"), 0);
    const char *p = md;
    int rows = 0;
    while ((p = strstr(p, "\n| "))) {
        p++;
        const char *e = strchr(p, '\n');
        cr_assert_not_null(e);
        cr_assert_eq(e[-1], '|', "a table row ends with |: %.*s", (int)(e - p), p);
        rows++;
    }
    cr_assert_eq(rows, 5 + 4 + 4,
                 "header + a row per target (conformance), per scenario (2 tables): %d", rows);
}

Test(report_md, messages_cannot_break_the_markdown) {
    /* the same run, with a '|' and a newline in the failure message */
    char run[300];
    snprintf(run, sizeof run, "%s/run", rf_dir);
    cr_assert_eq(rf_sh("mkdir '%s' && cp " RF_RUN
                       "/bench.json '%s/' && /usr/bin/python3 -c \"import json,sys; "
                       "d=json.load(open(sys.argv[1])); "
                       "d['targets'][2]['suites'][1]['steps'][1]['failures'][0]['message']='got "
                       "a|b\\nsecond line'; "
                       "json.dump(d,open(sys.argv[2],'w'))\" " RF_RUN
                       "/conformance.json '%s/conformance.json'",
                       run, run, run),
                 0);
    char dir[256];
    snprintf(dir, sizeof dir, "%s", rf_dir);
    cr_assert_eq(rf_generate(run, NULL, 5, false), 0);
    char *md2 = rf_read("summary.md");
    cr_assert_not_null(strstr(md2, "— got a\\|b second line\n"), "%s", md2);
    free(md2);
    rf_cleanup();
    snprintf(rf_dir, sizeof rf_dir, "%s", dir); /* the first report's dir, for teardown */
}
