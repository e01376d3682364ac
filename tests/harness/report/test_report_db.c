/* report_db: `parity run --db both` puts RUN_DIR (SQLite) and RUN_DIR/postgres side by side. The
 * fixture: base-django as the SQLite side, base-improve (every figure -30%) as PostgreSQL. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report.h"
#include "report/report_db.h"

static char dir[] = "/tmp/parity-test-report-db-XXXXXX";

static char *render(bool html) {
    static model_t m;
    err_t err;
    cr_assert_eq(model_load(&m, dir, &err), 0, "%s", err.msg);
    char *out = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&out, &n);
    if (html)
        report_db_html(f, &m);
    else
        report_db_md(f, &m);
    fclose(f);
    model_free(&m);
    return out;
}

static void setup(void) {
    cr_assert(mkdtemp(dir));
    char cmd[512];
    snprintf(cmd, sizeof cmd,
             "mkdir -p %s/postgres && cp %s/harness/data/report/base-django/*.json %s/ && "
             "cp %s/harness/data/report/base-improve/*.json %s/postgres/",
             dir, TESTS_DIR, dir, TESTS_DIR, dir);
    cr_assert_eq(system(cmd), 0);
}

static void teardown(void) {
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
}

Test(report_db, side_by_side_rows, .init = setup, .fini = teardown) {
    char *md = render(false);
    cr_assert(strstr(md, "### SQLite vs PostgreSQL"), "%s", md);
    /* both sides, the change, the integrity of each */
    cr_assert(strstr(md, "| flask | comment-create | 820 | 574 | -30% |"), "%s", md);
    cr_assert(strstr(md, "| FAILED / FAILED |"), "%s", md);
    /* measured on SQLite only: dashes on the PostgreSQL side */
    cr_assert(strstr(md, "| django | plaintext | 2100 | – | – |"), "%s", md);
    free(md);
    char *html = render(true);
    cr_assert(strstr(html, "<h2 id=\"database\">Database</h2>"), "%s", html);
    cr_assert(strstr(html, "PostgreSQL side"), "%s", html);
    free(html);
}

Test(report_db, nothing_without_a_postgres_side) {
    /* base-django alone: old runs have no database record and no postgres/ directory */
    static model_t m;
    err_t err;
    cr_assert_eq(model_load(&m, TESTS_DIR "/harness/data/report/base-django", &err), 0, "%s",
                 err.msg);
    cr_assert_not(report_db_present(&m));
    model_free(&m);
}

/* Figures with repetitions carry their spread (the README quotes this table). */
Test(report_db, spread_beside_each_median, .init = setup, .fini = teardown) {
    static model_t m;
    err_t err;
    cr_assert_eq(model_load(&m, dir, &err), 0, "%s", err.msg);
    int t = model_target_index(&m, "flask"), s = model_scenario_index(&m, "comment-create");
    cr_assert(t >= 0 && s >= 0);
    m.cells[t][s].rps_cv = 3.4;
    int d = model_target_index(&m, "django");
    cr_assert(d >= 0);
    m.cells[d][s].rps_cv = 12.6;
    m.cells[d][s].unstable = true;
    char *out = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&out, &n);
    report_db_md(f, &m);
    fclose(f);
    model_free(&m);
    cr_assert(strstr(out, "| flask | comment-create | 820 (CV 3%) | 574 | -30% |"), "%s", out);
    cr_assert(strstr(out, "(CV 13%, unstable)"), "%s", out);
    free(out);
}
