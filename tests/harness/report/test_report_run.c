/* `parity run` end to end on quill (built by the same CMake run), kept short: profile smoke,
 * two scenarios. One run directory must hold the check's and the bench's results under one run
 * id, the report (HTML with the charts, summary.md) and print report.html's path last on stdout;
 * a self-comparison passes the baseline gate. The full smoke run of every target is in
 * scripts/test. */
#include "report_fixture.h"

#include <cjson/cJSON.h>

static void teardown(void) {
    rf_cleanup();
}

TestSuite(report_run, .fini = teardown);

static cJSON *read_json(const char *name) {
    char *text = rf_read(name);
    cJSON *j = cJSON_Parse(text);
    free(text);
    cr_assert_not_null(j, "%s is not JSON", name);
    return j;
}

Test(report_run, smoke_run_of_quill, .timeout = 240) {
    snprintf(rf_dir, sizeof rf_dir, "/tmp/parity-report-test-XXXXXX");
    cr_assert_not_null(mkdtemp(rf_dir));
    int rc = rf_sh("'" RF_PARITY
                   "' run --profile smoke --target quill --scenario plaintext --scenario json "
                   "--out '%s/run' >'%s/stdout' 2>'%s/stderr'",
                   rf_dir, rf_dir, rf_dir);
    char *err = rf_read("stderr");
    cr_assert_eq(rc, 0, "parity run exited %d:\n%s", rc, err);
    free(err);
    char *out = rf_read("stdout"), want[512];
    snprintf(want, sizeof want, "%s/run/report.html\n", rf_dir);
    cr_assert_str_eq(out, want, "the path of report.html is printed on stdout");
    free(out);

    cJSON *conf = read_json("run/conformance.json"), *bench = read_json("run/bench.json");
    cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(conf, "run")->valuestring,
                     cJSON_GetObjectItemCaseSensitive(bench, "run_id")->valuestring, "one run id");
    cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(bench, "profile")->valuestring, "smoke");
    const cJSON *t = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(conf, "targets"), 0);
    cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(t, "status")->valuestring, "pass");
    cJSON_Delete(conf);
    cJSON_Delete(bench);

    char *html = rf_read("run/report.html");
    cr_assert_not_null(strstr(html, "conformant: "));
    cr_assert_not_null(strstr(html, "<h3>plaintext</h3>"));
    cr_assert_not_null(strstr(html, "<h3>json</h3>"));
    /* throughput, efficiency, cpu, memory, two latency spectra, the trade-offs chart */
    cr_assert_eq(rf_count(html, "<svg"), 7, "%d charts", rf_count(html, "<svg"));
    cr_assert_not_null(strstr(html, "<pre>parity run --profile smoke --target quill"));
    free(html);
    char *md = rf_read("run/summary.md");
    cr_assert_not_null(strstr(md, "| quill | "), "%s", md);
    cr_assert_not_null(strstr(md, "| plaintext | "), "%s", md);
    free(md);
    for (const char *const *f = (const char *const[]){"junit.xml", "results.tap", "logs/quill.log",
                                                      "charts/throughput.svg", NULL};
         *f; f++) {
        char path[512];
        snprintf(path, sizeof path, "%s/run/%s", rf_dir, *f);
        cr_assert_eq(access(path, R_OK), 0, "%s missing", *f);
    }
    /* the run against itself: nothing regressed */
    cr_assert_eq(rf_sh("'" RF_PARITY
                       "' report '%s/run' --baseline '%s/run' --out '%s/self' >/dev/null 2>&1",
                       rf_dir, rf_dir, rf_dir),
                 0);
}

Test(report_run, usage_errors_exit_2) {
    cr_assert_eq(rf_sh("'" RF_PARITY "' run --profile nope >/dev/null 2>&1%s%s%s", "", "", ""), 2);
    cr_assert_eq(rf_sh("'" RF_PARITY "' run --max-regression x >/dev/null 2>&1%s%s%s", "", "", ""),
                 2);
    cr_assert_eq(rf_sh("'" RF_PARITY "' run extra >/dev/null 2>&1%s%s%s", "", "", ""), 2);
    cr_assert_eq(rf_sh("'" RF_PARITY "' report >/dev/null 2>&1%s%s%s", "", "", ""), 2);
}
