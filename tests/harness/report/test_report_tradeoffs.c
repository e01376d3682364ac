/* The trade-offs section of report.html and summary.md, and its chart, from
 * tests/fixtures/inspect/run (made by make_run.py there: three targets with known figures; express
 * lacks the json scenario, so the common set is {plaintext}; flask has no correctness in the
 * block, so the report falls back to conformance.json; express has no open connection and no
 * wire totals: n/a; django did not start and has no figures, which leaves the common set
 * alone). A run without a tradeoffs block gets no section. */
#include "report_fixture.h"

#define TR_RUN TESTS_DIR "/fixtures/inspect/run"

static char *section(const char *html) {
    char *s = rf_between(html, NULL, "<h2 id=\"tradeoffs\">", "</figure>");
    cr_assert_not_null(s, "no trade-offs section");
    return s;
}

/* The row of target in the section's table. */
static char *row(const char *sec, const char *target) {
    char name[128];
    snprintf(name, sizeof name, "</span>%s</td>", target);
    char *r = rf_between(sec, name, "<td", "</tr>");
    cr_assert_not_null(r, "no row for %s", target);
    return r;
}

Test(report_tradeoffs, html_table_chart_and_reading_guide) {
    cr_assert_eq(rf_generate(TR_RUN, NULL, 5, false), 0);
    char *html = rf_read("report.html");
    char *sec = section(html);
    cr_assert_not_null(strstr(html, "<a href=\"#tradeoffs\">trade-offs</a>"));
    cr_assert_not_null(strstr(sec, "How to read this"));
    cr_assert_not_null(strstr(sec, "(1 scenario(s) in the common set.)"));
    char *q = row(sec, "quill");
    cr_assert_not_null(strstr(q, ">2100 in 20 files<"), "%s", q);
    cr_assert_not_null(strstr(q, ">40 / 0<"));
    cr_assert_not_null(strstr(q, ">21 (1.0%)<"));
    cr_assert_not_null(strstr(q, ">12 (20.0 MiB)<"));
    cr_assert_not_null(strstr(q, ">14.0 KiB (1000/1000 open)<"));
    cr_assert_not_null(strstr(q, ">100.0k<"), "the common set is plaintext only: %s", q);
    cr_assert_not_null(strstr(q, ">11.5 MiB<"));
    cr_assert_not_null(strstr(q, ">pass (864/864 steps)<"));
    cr_assert_not_null(strstr(q, ">40/42<"));
    char *f = row(sec, "flask");
    cr_assert_not_null(strstr(f, ">2000 ms (1900–2400)<"), "%s", f);
    cr_assert_not_null(strstr(f, ">fail (4/5 steps)<"), "conformance.json fallback: %s", f);
    cr_assert_not_null(strstr(f, ">n/a</td></tr>"), "no wire totals: %s", f);
    char *e = row(sec, "express");
    cr_assert_not_null(strstr(e, "<td class=\"num\">n/a</td><td class=\"num\">8000<"), "%s", e);
    char *d = row(sec, "django"); /* did not start: n/a, and no say in the common set */
    cr_assert_not_null(strstr(d, ">1400 in 39 files<"), "%s", d);
    cr_assert_not_null(strstr(d, "<td class=\"num\">n/a</td><td class=\"num\">n/a</td><td "
                                 "class=\"num\">n/a</td><td class=\"num\">n/a</td>"),
                       "%s", d);
    free(d);
    /* the chart: inline in the section (ids prefixed), not repeated in the chart gallery */
    cr_assert_not_null(strstr(sec, "id=\"tradeoffs-gnuplot_canvas\""));
    cr_assert_eq(rf_count(html, "figcaption>charts/tradeoffs.svg"), 1);
    char *dat = rf_read("charts/tradeoffs.dat");
    cr_assert_not_null(strstr(dat, "2100 100000 \"quill\""), "%s", dat);
    cr_assert_not_null(strstr(dat, "1200 4000 \"flask\""));
    cr_assert_not_null(strstr(dat, "1100 8000 \"express\""));
    char *gp = rf_read("charts/tradeoffs.svg.gp");
    cr_assert_not_null(strstr(gp, "set logscale xy 10"));
    free(gp);
    free(dat);
    free(q);
    free(f);
    free(e);
    free(sec);
    free(html);
    rf_cleanup();
}

Test(report_tradeoffs, markdown_table) {
    cr_assert_eq(rf_generate(TR_RUN, NULL, 5, false), 0);
    char *md = rf_read("summary.md");
    cr_assert_not_null(strstr(md, "### Trade-offs\n\n| target | code (lines) |"));
    cr_assert_not_null(
        strstr(md, "| quill | 2100 in 20 files | 40 / 0 | 21 (1.0%) | 12 (20.0 MiB) | 12 ms "
                   "(10–20) | 5.0 MiB | 14.0 KiB (1000/1000 open) | 100.0k | 11.5 MiB | pass "
                   "(864/864 steps) | 40/42 |\n"),
        "%s", md);
    cr_assert_not_null(strstr(md, "| express | 1100 in 25 files |"));
    cr_assert_not_null(strstr(md, "not a ranking"));
    free(md);
    rf_cleanup();
}

Test(report_tradeoffs, absent_without_a_block) {
    cr_assert_eq(rf_generate(RF_RUN, NULL, 5, false), 0);
    char *html = rf_read("report.html");
    char *md = rf_read("summary.md");
    cr_assert_null(strstr(html, "id=\"tradeoffs\""));
    cr_assert_null(strstr(html, "#tradeoffs"));
    cr_assert_null(strstr(md, "Trade-offs"));
    char path[512];
    snprintf(path, sizeof path, "%s/charts/tradeoffs.svg", rf_dir);
    cr_assert_neq(access(path, F_OK), 0);
    free(html);
    free(md);
    rf_cleanup();
}
