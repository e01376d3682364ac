/* Shared by tests/harness/test_report_*.c: the fixture run directories of
 * tests/harness/data/report/ (made by make_fixtures.py there; what each holds is in its header),
 * a report generated from one into a fresh temp dir, and small text helpers. */
#ifndef PARITY_TEST_REPORT_FIXTURE_H
#define PARITY_TEST_REPORT_FIXTURE_H

#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "report/report.h"
#include "core/util.h"

#define RF_DATA      TESTS_DIR "/harness/data/report"
#define RF_RUN       RF_DATA "/run"
#define RF_TEMPLATES PARITY_SOURCE_DIR "/reports/templates"
#define RF_PARITY    PARITY_BUILD_DIR "/harness/parity"

/* report_generate(run_dir, baseline, pct) into a new temp dir (rf_dir); returns its exit code. */
static char rf_dir[256];
__attribute__((unused)) static int rf_generate(const char *run_dir, const char *baseline,
                                               double pct, bool png) {
    snprintf(rf_dir, sizeof rf_dir, "/tmp/parity-report-test-XXXXXX");
    cr_assert_not_null(mkdtemp(rf_dir));
    report_opts_t o = {.out_dir = rf_dir,
                       .templates = RF_TEMPLATES,
                       .png = png,
                       .command = "parity run --profile full --target quill"};
    return report_generate(run_dir, baseline, pct, &o);
}

__attribute__((unused)) static void rf_cleanup(void) {
    if (!rf_dir[0]) return;
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", rf_dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", rf_dir);
    rf_dir[0] = '\0';
}

/* The content of rf_dir/name (caller frees). */
__attribute__((unused)) static char *rf_read(const char *name) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s", rf_dir, name);
    buf_t b;
    buf_init(&b, 64u << 20);
    err_t err;
    cr_assert_eq(buf_read_file(&b, path, &err), 0, "%s", err.msg);
    buf_addc(&b, '\0');
    return buf_detach(&b);
}

__attribute__((unused)) static int rf_count(const char *hay, const char *needle) {
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle)) n++;
    return n;
}

/* A copy of the part of s from the first `from` (searched after `after`, if given) up to the next
 * `to` (included); NULL when absent. Used to look at one table row or one section. */
__attribute__((unused)) static char *rf_between(const char *s, const char *after, const char *from,
                                                const char *to) {
    if (after && !(s = strstr(s, after))) return NULL;
    const char *a = strstr(s, from);
    if (!a) return NULL;
    const char *b = strstr(a + strlen(from), to);
    if (!b) return NULL;
    return str_ndup(a, (size_t)(b - a) + strlen(to));
}

/* Runs a shell command; its exit status (or -1). */
__attribute__((unused)) static int rf_sh(const char *fmt, const char *a, const char *b,
                                         const char *c) {
    char cmd[2048];
    snprintf(cmd, sizeof cmd, fmt, a, b, c);
    int st = system(cmd);
    return st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

#endif
