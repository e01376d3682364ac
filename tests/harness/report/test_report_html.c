/* report.html from the fixture run (tests/harness/data/report/run): the conformance matrix, the
 * failing step with its message and file:line, skip reasons, benchmark figures and badges, the
 * inlined charts, and that the page is self-contained. */
#include "report_fixture.h"

static char *html;

static void setup(void) {
    cr_assert_eq(rf_generate(RF_RUN, NULL, 5, false), 0);
    html = rf_read("report.html");
}

static void teardown(void) {
    free(html);
    rf_cleanup();
}

TestSuite(report_html, .init = setup, .fini = teardown);

/* The row of target in the benchmark table of scenario. */
static char *bench_row(const char *scenario, const char *target) {
    char h3[128], name[128];
    snprintf(h3, sizeof h3, "<h3>%s</h3>", scenario);
    snprintf(name, sizeof name, "</span>%s</td>", target);
    char *table = rf_between(html, h3, "<table class=\"bench\">", "</table>");
    cr_assert_not_null(table, "no table for %s", scenario);
    const char *at = strstr(table, name);
    cr_assert_not_null(at, "no row for %s in %s", target, scenario);
    char *row = rf_between(at, NULL, "</td>", "</tr>");
    free(table);
    cr_assert_not_null(row);
    return row;
}

Test(report_html, conformance_matrix_cells) {
    char *matrix = rf_between(html, "<h2 id=\"conformance\">", "<table>", "</table>");
    cr_assert_not_null(matrix);
    /* columns in name order: django (did not start), express, flask, quill */
    cr_assert_not_null(
        strstr(matrix,
               "<tr><td>users</td><td class=\"skip\">–</td><td class=\"pass\">pass 3/3</td><td "
               "class=\"pass\">pass 3/3</td>"
               "<td class=\"pass\">pass 2/2 <span class=\"skip\">· 1 skipped</span></td></tr>"),
        "%s", matrix);
    cr_assert_not_null(
        strstr(matrix,
               "<tr><td>articles</td><td class=\"skip\">–</td><td class=\"pass\">pass 3/3</td><td "
               "class=\"fail\">FAIL 1/2 "
               "<span class=\"skip\">· 1 skipped</span></td><td class=\"pass\">pass 3/3</td></tr>"),
        "%s", matrix);
    free(matrix);
    cr_assert_not_null(
        strstr(html, "4 targets, 2 suites: 15 steps passed, 1 failed, 2 skipped, 0 errors."));
    cr_assert_not_null(
        strstr(html, "<span class=\"badge fail\">conformance: did not run</span></div><div><span "
                     "class=\"badge fail\">benchmark error</span>"));
    /* cards: verdict per target */
    cr_assert_not_null(strstr(html, "NOT conformant: 1/2 suites, 1 failing steps"));
    /* express conformant; quill conformant with its one skip shown */
    cr_assert_eq(rf_count(html, "conformant: 2/2 suites"), 1);
    cr_assert_eq(rf_count(html, "conformant with 1 skip: 2/2 suites"), 1);
}

Test(report_html, failing_step_with_message_and_location) {
    char *fail = rf_between(html, "<h3>Failing steps</h3>", "<div class=\"failure\">", "</div>\n");
    cr_assert_not_null(fail);
    cr_assert_not_null(strstr(fail, "<b>flask · articles</b>"), "%s", fail);
    cr_assert_not_null(strstr(fail, "step “update article: title changes slug”"));
    cr_assert_not_null(strstr(fail, "<div class=\"where\">specs/blog/articles.json:88:5</div>"));
    cr_assert_not_null(
        strstr(fail, "expected == &quot;new-title&quot;, got &quot;old-title&quot;"));
    cr_assert_not_null(strstr(fail, "(specs/blog/articles.json:97:11)"),
                       "the assert's own location");
    cr_assert_not_null(
        strstr(fail, "curl -i -X PUT &#39;http://127.0.0.1:40001/api/articles/old-title&#39;"));
    free(fail);
    /* flask's step, and django that ran nothing: in the conformance and the benchmark section */
    cr_assert_eq(rf_count(html, "<div class=\"failure\">"), 3);
}

Test(report_html, target_that_did_not_start) {
    cr_assert_not_null(
        strstr(html, "<div class=\"failure\"><b>django</b> did not run the suites <span "
                     "class=\"badge fail\">error</span>"
                     "<pre>target django did not start: exited with status 1\nlast log lines:\n"
                     "ModuleNotFoundError: No module named &#39;blog&#39;</pre></div>"));
    char *bench = rf_between(html, "<h2 id=\"benchmarks\">", "<div class=\"failure\">", "</div>");
    cr_assert_not_null(bench);
    cr_assert_not_null(
        strstr(bench,
               "<b>django</b> <span class=\"badge fail\">error</span><pre>django did not start"),
        "%s", bench);
    free(bench);
}

Test(report_html, skip_reasons_listed) {
    char *skips = rf_between(html, "<h3>Skipped steps</h3>", "<table>", "</table>");
    cr_assert_not_null(skips);
    cr_assert_not_null(
        strstr(
            skips,
            "<tr><td>quill</td><td>users</td><td>login with an unknown field</td>"
            "<td>quill rejects unknown JSON fields on purpose (targets/quill/README.md)</td></tr>"),
        "%s", skips);
    cr_assert_not_null(strstr(skips, "<td>flask</td><td>articles</td><td>delete article</td>"));
    free(skips);
}

Test(report_html, benchmark_figures) {
    char *r = bench_row("plaintext", "quill");
    /* median 60.0k of 58k/60k/62k; p50 0.9 ms x 1.05 (second run); p99 4 x; 3 reps of 15 s */
    cr_assert_not_null(
        strstr(r, "<td class=\"num\"><b>60.0k</b></td><td class=\"num\">58.0k–62.0k</td>"
                  "<td class=\"num\">0.94 ms</td>"),
        "%s", r);
    cr_assert_not_null(strstr(r, "<td class=\"num\">3.78 ms</td>"), "p99: %s", r);
    cr_assert_not_null(strstr(r, "<td class=\"num\">0</td>"), "no errors: %s", r);
    cr_assert_null(strstr(r, "client-bound"));
    free(r);
    r = bench_row("article-read", "quill");
    cr_assert_not_null(strstr(r, "<b>21.0k</b></td><td class=\"num\">16.0k–23.0k</td>"), "%s", r);
    cr_assert_not_null(strstr(r, "around 1 of 3 runs: other guests were slowing the "
                                 "machine\">host slow</span>"),
                       "%s", r);
    cr_assert_not_null(strstr(r, "1 of 3 runs found slow at the end were measured again in a "
                                 "fresh process"),
                       "a make-up is said: %s", r);
    free(r);
    r = bench_row("plaintext", "flask");
    cr_assert_not_null(strstr(r, "<b>3400</b></td><td class=\"num\">3300–3500</td>"), "%s", r);
    cr_assert_not_null(strstr(r, "<span class=\"badge warn\""), "%s", r);
    cr_assert_not_null(strstr(r, ">client-bound</span>"), "%s", r);
    free(r);
    r = bench_row("comment-create", "flask");
    cr_assert_not_null(strstr(r, "<td class=\"num fail\">12</td>"), "status errors: %s", r);
    cr_assert_not_null(strstr(r, ">integrity FAILED</span>"), "%s", r);
    cr_assert_not_null(strstr(r, "10 acknowledged comments are missing"), "%s", r);
    free(r);
    r = bench_row("comment-create", "quill");
    cr_assert_not_null(strstr(r, "<span class=\"badge pass\" title=\"1000 writes acknowledged, "
                                 "1000 found afterwards\">integrity ok</span>"),
                       "%s", r);
    free(r);
    r = bench_row("comment-create", "express");
    cr_assert_not_null(
        strstr(r,
               "<span class=\"badge fail\">crashed</span> the target exited during this scenario"),
        "%s", r);
    free(r);
    r = bench_row("article-read", "flask");
    cr_assert_not_null(strstr(r, "<span class=\"badge fail\">check-failed</span>"), "%s", r);
    cr_assert_not_null(strstr(r, "status: expected 200, got 500"), "the sample check's message: %s",
                       r);
    free(r);
    cr_assert_not_null(strstr(html, "Profile <b>full</b>: 15 s per measured run, 3 repetition(s)"));
}

Test(report_html, overview_table) {
    char *o = rf_between(html, "<h2 id=\"benchmarks\">", "<table class=\"overview\">", "</table>");
    cr_assert_not_null(o);
    /* best throughput in bold; failed cells show their status */
    cr_assert_not_null(
        strstr(
            o,
            "<tr><td>plaintext</td><td class=\"num\"><span class=\"badge "
            "fail\">error</span></td><td class=\"num\">15.5k req/s<div class=\"muted\">p99 8.40 "
            "ms</div></td>"
            "<td class=\"num\">3400 req/s <span class=\"badge warn\">client-bound</span><div "
            "class=\"muted\">p99 37.8 ms</div></td>"
            "<td class=\"num\"><b>60.0k</b> req/s<div class=\"muted\">p99 3.78 ms</div></td></tr>"),
        "%s", o);
    cr_assert_not_null(
        strstr(o, "<td class=\"num\"><span class=\"badge fail\">check-failed</span></td>"));
    cr_assert_not_null(
        strstr(o, "<td class=\"num\"><span class=\"badge fail\">crashed</span></td>"));
    free(o);
}

Test(report_html, charts_inlined_with_unique_ids) {
    /* one inline <svg> per chart file written, the XML prolog dropped */
    DIR *d = opendir(rf_dir);
    cr_assert_not_null(d);
    closedir(d);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "ls %s/charts/*.svg | wc -l", rf_dir);
    FILE *p = popen(cmd, "r");
    int files = 0;
    cr_assert_eq(fscanf(p, "%d", &files), 1);
    pclose(p);
    cr_assert_eq(files, 8);
    cr_assert_eq(rf_count(html, "<svg"), files);
    cr_assert_eq(rf_count(html, "<?xml"), 0);
    cr_assert_eq(rf_count(html, "<figcaption>charts/"), files);
    /* every id once in the page (gnuplot gives each SVG the same ids) */
    const char *s = html;
    int ids = 0;
    while ((s = strstr(s, " id="))) {
        s += 4;
        char q = *s++;
        const char *e = strchr(s, q);
        cr_assert_not_null(e);
        char id[160], probe[200];
        snprintf(id, sizeof id, "%.*s", (int)(e - s), s);
        snprintf(probe, sizeof probe, " id=%c%s%c", q, id, q);
        cr_assert_eq(rf_count(html, probe), 1, "id %s is not unique", id);
        ids++;
    }
    cr_assert_gt(ids, 8 * 10);
    cr_assert_eq(rf_count(html, "href='#gp"), 0, "references follow the renamed ids");
    /* the charts' neutral grey follows the page's text colour */
    cr_assert_eq(rf_count(html, "rgb(136,136,136)"), 0);
    cr_assert_eq(rf_count(html, " color=\"black\""), 0,
                 "gnuplot's color=black would make that currentColor black");
}

Test(report_html, self_contained) {
    cr_assert_eq(rf_count(html, "<link"), 0);
    cr_assert_eq(rf_count(html, "<script"), 0);
    cr_assert_eq(rf_count(html, "src="), 0);
    cr_assert_eq(rf_count(html, "@import"), 0);
    cr_assert_eq(rf_count(html, "https://"), 0);
    cr_assert_eq(rf_count(html, "url(http"), 0);
    /* http:// only in SVG namespaces and the loopback URLs of the reproduce commands */
    int http = rf_count(html, "http://"), ns = rf_count(html, "\"http://www.w3.org/"),
        local = rf_count(html, "http://127.0.0.1:");
    cr_assert_eq(http, ns + local, "%d http:// references, %d namespaces, %d loopback", http, ns,
                 local);
    cr_assert_not_null(strstr(html, "<style>\n/* parity report"), "the CSS is inline");
    cr_assert_not_null(strstr(html, "@media (prefers-color-scheme: dark)"));
    cr_assert(str_ends_with(html, "</html>\n"));
}

Test(report_html, environment_and_reproduction) {
    char *env = rf_between(html, "<h2 id=\"environment\">", "<table>", "</details>");
    cr_assert_not_null(env);
    cr_assert_not_null(strstr(env, "<tr><th>cpu_model</th><td>Fixture CPU 3000</td></tr>"), "%s",
                       env);
    cr_assert_not_null(strstr(env, "<tr><th>quill</th><td>quill 0.1.0, SQLite 3.40.1</td></tr>"));
    cr_assert_not_null(
        strstr(env, "<tr><th>django</th><td>Django 3.2.19 / gunicorn 20.1.0</td></tr>"),
        "the version from conformance.json");
    cr_assert_not_null(strstr(env, "<pre>parity run --profile full --target quill</pre>"));
    /* every measured run's wrk command line: 3 reps x (2 levels x 3 targets for plaintext,
     * 2 for article-read, 2 for comment-create) + the crashed level's one run */
    cr_assert_eq(rf_count(env, ".lua&#39;"), 3 * (6 + 2 + 2) + 1);
    cr_assert_eq(rf_count(env, "#   warmup\n"), 9, "the warmup command of every scenario");
    free(env);
}

Test(report_html, html_escaping) {
    FILE *f = fmemopen(NULL, 256, "w+");
    report_html_escape(f, "<a href=\"x\">'&'</a>");
    fflush(f);
    char out[256] = {0};
    rewind(f);
    cr_assert_not_null(fgets(out, sizeof out, f));
    fclose(f);
    cr_assert_str_eq(out, "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
}

Test(report_html, number_formats) {
    char b[32];
    report_fmt_rps(b, sizeof b, 1234567);
    cr_assert_str_eq(b, "1.23M");
    report_fmt_rps(b, sizeof b, 15500);
    cr_assert_str_eq(b, "15.5k");
    report_fmt_rps(b, sizeof b, 9500);
    cr_assert_str_eq(b, "9500");
    report_fmt_rps(b, sizeof b, 2.04);
    cr_assert_str_eq(b, "2.0");
    report_fmt_us(b, sizeof b, 812);
    cr_assert_str_eq(b, "0.81 ms");
    report_fmt_us(b, sizeof b, 37800);
    cr_assert_str_eq(b, "37.8 ms");
    report_fmt_us(b, sizeof b, 1640000);
    cr_assert_str_eq(b, "1.64 s");
}
