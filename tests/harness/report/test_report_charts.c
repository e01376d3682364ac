/* The charts of a report from the fixture run: which files are written, each one well-formed
 * XML (python3's stdlib parser), each carrying exactly the expected targets as legend titles in
 * their fixed colours, the latency axis' percentile ticks; PNGs on request. */
#include "report_fixture.h"

static void teardown(void) {
    rf_cleanup();
}

TestSuite(report_charts, .fini = teardown);

static const struct {
    const char *file;
    const char *targets[4]; /* the series, NULL-ended */
} CHARTS[] = {
    {"throughput.svg", {"express", "flask", "quill", NULL}},
    {"efficiency.svg", {"express", "flask", "quill", NULL}},
    {"cpu.svg", {"express", "flask", "quill", NULL}},
    {"memory.svg", {"express", "flask", "quill", NULL}},
    /* flask failed article-read's sample check: not measured, no line */
    {"latency-article-read.svg", {"express", "quill", NULL}},
    /* express crashed in comment-create: its unfinished level has no figures */
    {"latency-comment-create.svg", {"flask", "quill", NULL}},
    {"latency-plaintext.svg", {"express", "flask", "quill", NULL}},
    /* plaintext is the only scenario measured at 16 and 64 connections */
    {"connections-plaintext.svg", {"express", "flask", "quill", NULL}},
};
#define NCHARTS (sizeof CHARTS / sizeof *CHARTS)

/* gnuplot's SVG colour of a "#RRGGBB" */
static void svg_rgb(const char *hex, char *out, size_t n) {
    unsigned r, g, b;
    cr_assert_eq(sscanf(hex, "#%02x%02x%02x", &r, &g, &b), 3);
    snprintf(out, n, "rgb(%3u, %3u, %3u)", r, g, b);
}

Test(report_charts, expected_files_valid_svg_and_series) {
    cr_assert_eq(rf_generate(RF_RUN, NULL, 5, false), 0);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "ls %s/charts/ | grep -c '\\.svg$'", rf_dir);
    FILE *p = popen(cmd, "r");
    int n = 0;
    cr_assert_eq(fscanf(p, "%d", &n), 1);
    pclose(p);
    cr_assert_eq((size_t)n, NCHARTS,
                 "no other chart (e.g. connections-article-read, one level only)");
    const char *all[] = {"express", "flask", "quill"};
    for (size_t i = 0; i < NCHARTS; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/charts/%s", rf_dir, CHARTS[i].file);
        cr_assert_eq(rf_sh("/usr/bin/python3 -c 'import sys,xml.dom.minidom; "
                           "xml.dom.minidom.parse(sys.argv[1])' %s%s%s",
                           path, "", ""),
                     0, "%s is not well-formed XML", CHARTS[i].file);
        char rel[160];
        snprintf(rel, sizeof rel, "charts/%s", CHARTS[i].file);
        char *svg = rf_read(rel);
        cr_assert_not_null(strstr(svg, "<svg"));
        for (size_t t = 0; t < 3; t++) {
            char title[64], rgb[32];
            snprintf(title, sizeof title, "<title>%s</title>", all[t]);
            bool want = false;
            for (size_t k = 0; CHARTS[i].targets[k]; k++)
                want |= !strcmp(CHARTS[i].targets[k], all[t]);
            cr_assert_eq(rf_count(svg, title), want ? 1 : 0, "%s: series %s %s", CHARTS[i].file,
                         all[t], want ? "missing" : "unexpected");
            /* the same colour for a target in every chart */
            svg_rgb(model_color(all[t], 0), rgb, sizeof rgb);
            if (want)
                cr_assert_not_null(strstr(svg, rgb), "%s: %s not in %s", CHARTS[i].file, all[t],
                                   rgb);
        }
        if (!strncmp(CHARTS[i].file, "latency-", 8)) {
            for (size_t k = 0; k < 5; k++) {
                static const char *const TICKS[] = {">50%<", ">90%<", ">99%<", ">99.9%<",
                                                    ">99.99%<"};
                cr_assert_not_null(strstr(svg, TICKS[k]), "%s: tick %s", CHARTS[i].file, TICKS[k]);
            }
            cr_assert_not_null(strstr(svg, "latency (ms)"));
        }
        if (!strcmp(CHARTS[i].file, "throughput.svg")) {
            cr_assert_not_null(strstr(svg, "requests/s"), "y axis label with unit");
            cr_assert_not_null(strstr(svg, "Throughput at 64 connections"));
        }
        if (!strcmp(CHARTS[i].file, "memory.svg"))
            cr_assert_not_null(strstr(svg, "peak RSS (MiB)"));
        free(svg);
    }
}

Test(report_charts, known_targets_keep_distinct_colours) {
    const char *names[] = {"quill", "flask", "django", "fastapi", "express"};
    for (size_t i = 0; i < 5; i++) {
        cr_assert_str_eq(model_color(names[i], i), model_color(names[i], 4 - i),
                         "fixed whatever the position");
        for (size_t k = 0; k < i; k++)
            cr_assert_str_neq(model_color(names[i], 0), model_color(names[k], 0));
    }
    cr_assert_str_neq(model_color("mine", 0), model_color("yours", 1));
}

Test(report_charts, png_on_request) {
    cr_assert_eq(rf_generate(RF_RUN, NULL, 5, true), 0);
    for (size_t i = 0; i < NCHARTS; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/charts/%.*s.png", rf_dir, (int)(strlen(CHARTS[i].file) - 4),
                 CHARTS[i].file);
        FILE *f = fopen(path, "rb");
        cr_assert_not_null(f, "%s missing", path);
        unsigned char magic[8] = {0};
        cr_assert_eq(fread(magic, 1, 8, f), 8u);
        fclose(f);
        cr_assert_eq(memcmp(magic, "\x89PNG\r\n\x1a\n", 8), 0, "%s is not a PNG", path);
    }
}

Test(report_charts, missing_template_is_an_environment_error) {
    snprintf(rf_dir, sizeof rf_dir, "/tmp/parity-report-test-XXXXXX");
    cr_assert_not_null(mkdtemp(rf_dir));
    report_opts_t o = {.out_dir = rf_dir, .templates = "/nonexistent/templates"};
    cr_assert_eq(report_generate(RF_RUN, NULL, 5, &o), 3);
    /* the documents are still written, without charts */
    char *html = rf_read("report.html");
    cr_assert_eq(rf_count(html, "<svg"), 0);
    cr_assert_not_null(strstr(html, "flask · articles"));
    free(html);
}
