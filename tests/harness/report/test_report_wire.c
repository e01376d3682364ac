/* Tests for harness/report/report_wire.c: the wire matrix read from RUN_DIR/wire/conformance.json
 * (or a conformance.json whose steps carry "probe"): grades (a failing SHOULD/MAY probe is warn,
 * a failing MUST/contract probe is FAIL), totals by level, the failing list, and nothing at all
 * when the run has no probes. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report/report_wire.h"

#define STEP(name, status, level, msg)                                                             \
    "{\"name\": \"" name "\", \"status\": \"" status "\", \"probe\": {\"level\": \"" level         \
    "\", \"ref\": \"RFC 9112 5.2\"}, \"failures\": [{\"check\": \"status\", \"message\": \"" msg   \
    "\"}], \"curl\": \"{ printf 'x'; } | nc 127.0.0.1 1\"}"

static const char *const DOC =
    "{\"kind\": \"parity-conformance\", \"targets\": ["
    "{\"name\": \"alpha\", \"suites\": [{\"name\": \"wire-headers\", "
    "\"description\": \"Header syntax\", \"steps\": [" STEP("obs-fold is 400", "pass", "MUST", "") ", " STEP(
        "LF-only", "fail", "MAY",
        "no answer") ", " STEP("bare CR", "fail", "contract",
                               "expected status == 400, got 200") "]}]},"
                                                                  "{\"name\": \"beta\", "
                                                                  "\"suites\": [{\"name\": "
                                                                  "\"wire-headers\", "
                                                                  "\"description\": \"Header "
                                                                  "syntax\", \"steps\": [" STEP(
                                                                      "obs-fold is 400", "fail",
                                                                      "MUST",
                                                                      "expected status == 400, got "
                                                                      "200") ", " STEP("LF-only",
                                                                                       "pass",
                                                                                       "MAY",
                                                                                       "") ","
                                                                                           " " STEP(
                                                                                               "bar"
                                                                                               "e "
                                                                                               "CR",
                                                                                               "pas"
                                                                                               "s",
                                                                                               "con"
                                                                                               "tra"
                                                                                               "ct",
                                                                                               "") "]}]}]}";

static char dir[128];

static void write_run(const char *sub, const char *text) {
    snprintf(dir, sizeof dir, "/tmp/parity-wire-report-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, sub);
    if (strchr(sub, '/')) {
        char d[512];
        snprintf(d, sizeof d, "%s/wire", dir);
        cr_assert_eq(mkdir(d, 0755), 0);
    }
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
}

static char *render(bool html, const model_t *m) {
    char *out = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&out, &n);
    if (html)
        report_wire_html(f, m);
    else
        report_wire_md(f, m);
    fclose(f);
    return out;
}

static void cleanup(void) {
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

Test(report_wire, grades_and_totals) {
    write_run("wire/conformance.json", DOC);
    static model_t m;
    memset(&m, 0, sizeof m);
    snprintf(m.dir, sizeof m.dir, "%s", dir);
    cr_assert(report_wire_present(&m));
    char *md = render(false, &m);
    cr_assert_not_null(strstr(md, "### Wire behaviour (3 HTTP/1.1 probes"), "%s", md);
    /* alpha: MUST 1/1, SHOULD 0/0, MAY 0/1 (a warn), contract 0/1 (a fail) */
    cr_assert_not_null(strstr(md, "| alpha | 1/1 | 0/0 | 0/1 | 0/1 | 1 | ❌ 1 |"), "%s", md);
    cr_assert_not_null(strstr(md, "| beta | 0/1 | 0/0 | 1/1 | 1/1 | 0 | ❌ 1 |"), "%s", md);
    cr_assert_not_null(strstr(md, "| headers | 1 pass, 1 warn, **1 fail** | 2 pass, **1 fail** |"),
                       "%s", md);
    cr_assert_not_null(strstr(md, "- alpha: [contract, RFC 9112 5.2] bare CR — expected status == "
                                  "400, got 200"),
                       "%s", md);
    cr_assert_null(strstr(md, "- alpha: [MAY"), "a MAY failure is a warn, not listed: %s", md);
    free(md);
    char *html = render(true, &m);
    cr_assert_not_null(strstr(html, "<h2 id=\"wire\">"));
    cr_assert_not_null(strstr(html, "<td class=\"warn\" title=\"no answer&#10;"), "%s", html);
    cr_assert_not_null(strstr(html, "<td class=\"fail\" title=\"expected status == 400, got "
                                    "200&#10;{ printf &#39;x&#39;; } | nc 127.0.0.1 1\">FAIL</td>"),
                       "%s", html);
    free(html);
    cleanup();
}

Test(report_wire, probes_in_the_main_conformance_json) {
    write_run("conformance.json", DOC);
    static model_t m;
    memset(&m, 0, sizeof m);
    snprintf(m.dir, sizeof m.dir, "%s", dir);
    cr_assert(report_wire_present(&m), "a `parity check --spec specs/wire` run directory");
    cleanup();
}

Test(report_wire, nothing_without_probes) {
    write_run("conformance.json", "{\"targets\": [{\"name\": \"a\", \"suites\": [{\"name\": "
                                  "\"users\", \"steps\": [{\"name\": \"x\", \"status\": "
                                  "\"fail\"}]}]}]}");
    static model_t m;
    memset(&m, 0, sizeof m);
    snprintf(m.dir, sizeof m.dir, "%s", dir);
    cr_assert_not(report_wire_present(&m));
    char *md = render(false, &m), *html = render(true, &m);
    cr_assert_str_eq(md, "");
    cr_assert_str_eq(html, "");
    free(md);
    free(html);
    cleanup();
}
