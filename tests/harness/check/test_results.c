/* results: the model's bookkeeping and conformance.json, read back with cJSON. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cjson/cJSON.h>

#include "check/results.h"
#include "sample_run.h"

static const cJSON *get(const cJSON *o, const char *k) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    cr_assert_not_null(v, "missing key \"%s\"", k);
    return v;
}
static const char *gs(const cJSON *o, const char *k) {
    const cJSON *v = get(o, k);
    cr_assert(cJSON_IsString(v), "\"%s\" is not a string", k);
    return v->valuestring;
}
static double gn(const cJSON *o, const char *k) {
    const cJSON *v = get(o, k);
    cr_assert(cJSON_IsNumber(v), "\"%s\" is not a number", k);
    return v->valuedouble;
}

Test(results, counts_and_statuses) {
    result_run_t r;
    sample_run(&r);
    const result_suite_t *u = &r.targets[0].suites[0];
    cr_assert_eq(u->npass, 2);
    cr_assert_eq(u->nfail, 1);
    cr_assert_eq(u->nskip, 1);
    cr_assert_eq(u->nerror, 1);
    cr_assert_eq(u->status, RESULT_ERROR, "an error step makes the suite an error");
    cr_assert_eq(r.targets[0].suites[1].status, RESULT_PASS);
    result_totals_t t;
    result_totals(&r, &t);
    cr_assert_eq(t.pass, 4);
    cr_assert_eq(t.fail, 1);
    cr_assert_eq(t.skip, 1);
    cr_assert_eq(t.error, 1);
    cr_assert_eq(t.suites_pass, 1);
    cr_assert_eq(t.suites_error, 1);
    char label[128];
    result_step_label(&u->steps[0], label, sizeof label);
    cr_assert_str_eq(label, "setup: register");
    result_step_label(&u->steps[4], label, sizeof label);
    cr_assert_str_eq(label, "teardown: cleanup #2");
    results_free(&r);
}

Test(results, suite_status_rules) {
    result_suite_t su = {0};
    result_step_t *s = result_step_add(&su);
    s->status = RESULT_SKIP;
    result_suite_finish(&su);
    cr_assert_eq(su.status, RESULT_SKIP, "only skips: skip");
    s = result_step_add(&su);
    s->status = RESULT_PASS;
    result_suite_finish(&su);
    cr_assert_eq(su.status, RESULT_PASS, "a pass and a skip: pass");
    s = result_step_add(&su);
    s->status = RESULT_FAIL;
    result_suite_finish(&su);
    cr_assert_eq(su.status, RESULT_FAIL);
    free(su.steps);
    result_target_t t = {0};
    result_suite_t ss[2] = {{.status = RESULT_PASS}, {.status = RESULT_FAIL}};
    t.suites = ss;
    t.n = 2;
    result_target_finish(&t);
    cr_assert_eq(t.status, RESULT_FAIL);
    ss[1].status = RESULT_PASS;
    result_target_finish(&t);
    cr_assert_eq(t.status, RESULT_PASS);
}

Test(results, json_round_trip) {
    result_run_t r;
    sample_run(&r);
    char path[] = "/tmp/parity-results-XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    close(fd);
    err_t err;
    cr_assert_eq(results_write_json(&r, path, &err), 0, "%s", err.msg);
    buf_t b;
    buf_init(&b, 1 << 22);
    cr_assert_eq(buf_read_file(&b, path, &err), 0);
    unlink(path);
    cJSON *j = cJSON_Parse(buf_cstr(&b));
    buf_free(&b);
    cr_assert_not_null(j, "not JSON");
    cr_assert_str_eq(gs(j, "kind"), "parity-conformance");
    cr_assert_eq(gn(j, "schema"), RESULTS_SCHEMA);
    cr_assert_str_eq(gs(j, "run"), "20260101-000000-abcd");
    cr_assert_str_eq(gs(j, "parity_version"), "0.1.0");
    cr_assert_str_eq(gs(j, "started"), "2026-01-01T00:00:00.000Z");
    cr_assert_eq(gn(j, "duration_ms"), 1500);
    const cJSON *tot = get(get(j, "totals"), "steps");
    cr_assert_eq(gn(tot, "pass"), 4);
    cr_assert_eq(gn(tot, "fail"), 1);
    cr_assert_eq(gn(tot, "skip"), 1);
    cr_assert_eq(gn(tot, "error"), 1);
    const cJSON *ts = get(j, "targets");
    cr_assert_eq(cJSON_GetArraySize(ts), 2);
    const cJSON *a = cJSON_GetArrayItem(ts, 0), *b2 = cJSON_GetArrayItem(ts, 1);
    cr_assert_str_eq(gs(a, "name"), "alpha");
    cr_assert_str_eq(gs(a, "version"), "Alpha 1.0 <beta> & \"q\"");
    cr_assert_str_eq(gs(a, "status"), "error");
    cr_assert(strstr(gs(a, "error"), "during step \"crash\""));
    cr_assert(cJSON_IsFalse(get(a, "external")));
    cr_assert_eq(gn(a, "start_ms"), 120.5);
    cr_assert_eq(gn(get(a, "counts"), "pass"), 4);
    cr_assert_str_eq(gs(b2, "status"), "error");
    cr_assert_eq(cJSON_GetArraySize(get(b2, "suites")), 0,
                 "a target that did not start has no suites");
    cr_assert(cJSON_IsNull(get(b2, "url")));
    const cJSON *u = cJSON_GetArrayItem(get(a, "suites"), 0);
    cr_assert_str_eq(gs(u, "name"), "users");
    cr_assert_str_eq(gs(u, "file"), "specs/blog/users.json");
    cr_assert_str_eq(gs(u, "status"), "error");
    cr_assert_eq(gn(u, "duration_ms"), 42.25);
    const cJSON *steps = get(u, "steps");
    cr_assert_eq(cJSON_GetArraySize(steps), 5);
    const cJSON *s0 = cJSON_GetArrayItem(steps, 0);
    cr_assert_str_eq(gs(s0, "phase"), "setup");
    cr_assert_str_eq(gs(s0, "status"), "pass");
    cr_assert(cJSON_IsNull(get(s0, "reason")));
    cr_assert(cJSON_IsNull(get(s0, "iteration")));
    cr_assert_eq(gn(s0, "http_status"), 201);
    cr_assert_eq(gn(get(s0, "timings"), "ttfb_ms"), 1.5);
    cr_assert_eq(gn(get(s0, "timings"), "total_ms"), 1.75);
    cr_assert_str_eq(gs(get(s0, "request"), "method"), "POST");
    cr_assert_eq(cJSON_GetArraySize(get(s0, "failures")), 0);
    cr_assert_null(cJSON_GetObjectItemCaseSensitive(s0, "curl"), "details only for failures");
    const cJSON *s1 = cJSON_GetArrayItem(steps, 1);
    cr_assert_str_eq(gs(s1, "name"), UTF8_NAME);
    cr_assert_str_eq(gs(s1, "status"), "fail");
    cr_assert_eq(gn(s1, "line"), 20);
    cr_assert_eq(gn(s1, "attempts"), 2);
    const cJSON *f = get(s1, "failures");
    cr_assert_eq(cJSON_GetArraySize(f), 2);
    cr_assert_str_eq(gs(cJSON_GetArrayItem(f, 0), "check"), "status");
    cr_assert_eq(gn(cJSON_GetArrayItem(f, 0), "col"), 19);
    /* Invalid UTF-8 becomes U+FFFD: conformance.json is always valid JSON text. */
    cr_assert_str_eq(gs(cJSON_GetArrayItem(f, 1), "message"),
                     "expected == \"<a & b>\", got 'x'\nline2 \x01 \xef\xbf\xbd end");
    cr_assert(strstr(gs(s1, "response"), "<html>&amp;</html>"));
    cr_assert(str_starts_with(gs(s1, "curl"), "curl -i "));
    const cJSON *s2 = cJSON_GetArrayItem(steps, 2);
    cr_assert_str_eq(gs(s2, "status"), "skip");
    cr_assert(cJSON_IsNull(get(s2, "request")));
    cr_assert(cJSON_IsNull(get(s2, "timings")));
    cr_assert(cJSON_IsNull(get(s2, "http_status")));
    cr_assert_str_eq(gs(cJSON_GetArrayItem(steps, 3), "status"), "error");
    const cJSON *s4 = cJSON_GetArrayItem(steps, 4);
    cr_assert_str_eq(gs(s4, "phase"), "teardown");
    cr_assert_eq(gn(s4, "iteration"), 2);
    cJSON_Delete(j);
    results_free(&r);
}

Test(results, write_errors) {
    result_run_t r;
    sample_run(&r);
    err_t err;
    cr_assert_eq(results_write_json(&r, "/nonexistent-dir/x.json", &err), -1);
    cr_assert(strstr(err.msg, "/nonexistent-dir/x.json"), "%s", err.msg);
    results_free(&r);
}
