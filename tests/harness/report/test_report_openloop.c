/* The open-loop section of a report, from tests/harness/data/report/openloop (make.py there):
 * the sustained-rate table in report.html and summary.md, every rate's details, and both charts
 * with the expected series (well-formed SVG, checked with python3's XML parser). */
#include "report_fixture.h"

#define RF_OPEN RF_DATA "/openloop"

static void teardown(void) {
    rf_cleanup();
}

TestSuite(report_openloop, .fini = teardown);

Test(report_openloop, html_table_and_details) {
    cr_assert_eq(rf_generate(RF_OPEN, NULL, 5, false), 0);
    char *html = rf_read("report.html");
    cr_assert(strstr(html, "<h2 id=\"openloop\">"), "no open-loop section");
    cr_assert(strstr(html, "<a href=\"#openloop\">open loop</a>"), "no navigation link");
    /* quill: ok up to 2000/s with p99 40 ms; flask: no rate ok, below the lowest swept (100) */
    cr_assert(strstr(html, "<b>2000</b> req/s<div class=\"muted\">p99 40.0 ms"), "quill cell");
    cr_assert(strstr(html, "<b>&lt; 100</b> req/s"), "flask cell");
    cr_assert_eq(rf_count(html, "<details><summary>article-read: every rate"), 1);
    /* 4 quill rates + 3 flask rates in the details */
    cr_assert_eq(rf_count(html, "</td><td>ok</td></tr>") + rf_count(html, "not sustained</td>") +
                     rf_count(html, "over SLO or errors</td>"),
                 7);
    cr_assert_eq(rf_count(html, "over SLO or errors</td>"), 1, "flask at 100/s: sustained, slow");
    free(html);
}

Test(report_openloop, markdown_table) {
    cr_assert_eq(rf_generate(RF_OPEN, NULL, 5, false), 0);
    char *md = rf_read("summary.md");
    cr_assert(strstr(md, "### Open loop: highest rate sustained with p99 ≤ 100 ms"), "%s", md);
    cr_assert(strstr(md, "| scenario | flask | quill |"), "%s", md);
    cr_assert(strstr(md, "| article-read | < 100 | 2000 (p99 40.0 ms) |"), "%s", md);
    free(md);
}

Test(report_openloop, charts) {
    cr_assert_eq(rf_generate(RF_OPEN, NULL, 5, false), 0);
    static const char *const files[] = {"openloop-article-read.svg",
                                        "openloop-spectrum-article-read.svg"};
    for (size_t i = 0; i < 2; i++) {
        char cmd[1024];
        snprintf(cmd, sizeof cmd,
                 "/usr/bin/python3 -c 'import sys, xml.dom.minidom as m; "
                 "m.parse(sys.argv[1])' %s/charts/%s",
                 rf_dir, files[i]);
        cr_assert_eq(system(cmd), 0, "%s is not well-formed", files[i]);
    }
    char *load = rf_read("charts/openloop-article-read.svg");
    static const char *const series[] = {"quill p99", "quill p50", "flask p99", "flask p50",
                                         "SLO 100 ms"};
    for (size_t i = 0; i < sizeof series / sizeof *series; i++)
        cr_assert(strstr(load, series[i]), "no series '%s'", series[i]);
    free(load);
    char *spec = rf_read("charts/openloop-spectrum-article-read.svg");
    /* each target at its highest sustained rate, in both panels */
    cr_assert_eq(rf_count(spec, "<text>quill at 2000/s</text>"), 2);
    cr_assert_eq(rf_count(spec, "<text>flask at 100/s</text>"), 2);
    cr_assert(strstr(spec, "corrected: from the due time"));
    cr_assert(strstr(spec, "uncorrected: from the actual send"));
    free(spec);
    char *html = rf_read("report.html");
    cr_assert(strstr(html, "charts/openloop-article-read.svg"), "chart not in the report");
    free(html);
}

/* A run without --open has no open-loop section, link, table or chart. */
Test(report_openloop, absent_without_open_results) {
    cr_assert_eq(rf_generate(RF_RUN, NULL, 5, false), 0);
    char *html = rf_read("report.html");
    cr_assert_null(strstr(html, "id=\"openloop\""));
    cr_assert_null(strstr(html, "#openloop"));
    cr_assert_null(strstr(html, "openloop-"));
    free(html);
    char *md = rf_read("summary.md");
    cr_assert_null(strstr(md, "Open loop"));
    free(md);
}
