/* `parity bench --open` end to end against quill (built by the same CMake run): fixed rates skip
 * the closed-loop levels, bench.json gets a consistent "open" object, and the report shows it.
 * Nothing here depends on how fast the machine is: every check is an identity between figures
 * (the verdict of each rate follows from its own numbers), never a speed threshold. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "core/util.h"

#define PARITY PARITY_BUILD_DIR "/harness/parity"

static char dir[64];

static int run(const char *args, buf_t *err_out) {
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' %s 2> '%s/stderr.txt' > /dev/null",
             PARITY_SOURCE_DIR, PARITY, args, dir);
    int st = system(cmd);
    char path[128];
    snprintf(path, sizeof path, "%s/stderr.txt", dir);
    err_t e;
    if (err_out) buf_read_file(err_out, path, &e);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void setup(void) {
    snprintf(dir, sizeof dir, "/tmp/parity-open-e2e-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void) {
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
}

TestSuite(bench_open_e2e, .init = setup, .fini = teardown, .timeout = 240);

static const cJSON *get(const cJSON *o, const char *k) {
    return cJSON_GetObjectItemCaseSensitive(o, k);
}

static double num(const cJSON *o, const char *k) {
    const cJSON *v = get(o, k);
    cr_assert(cJSON_IsNumber(v), "no number \"%s\"", k);
    return v->valuedouble;
}

Test(bench_open_e2e, fixed_rates_on_quill) {
    char args[512];
    snprintf(args, sizeof args,
             "bench --target quill --scenario article-read --profile smoke --duration 1 "
             "--rates 200,400 --slo 100 --out '%s'",
             dir);
    buf_t err;
    buf_init(&err, 1u << 20);
    int rc = run(args, &err);
    cr_assert_eq(rc, 0, "exit %d: %s", rc, buf_cstr(&err));
    cr_assert(strstr(buf_cstr(&err), "open loop 200 req/s (1/2)"), "%s", buf_cstr(&err));
    buf_free(&err);

    char path[128];
    snprintf(path, sizeof path, "%s/bench.json", dir);
    buf_t text;
    buf_init(&text, 64u << 20);
    err_t e;
    cr_assert_eq(buf_read_file(&text, path, &e), 0, "%s", e.msg);
    cJSON *doc = cJSON_Parse(buf_cstr(&text));
    buf_free(&text);
    cr_assert_not_null(doc);
    const cJSON *scn =
        cJSON_GetArrayItem(get(cJSON_GetArrayItem(get(doc, "targets"), 0), "scenarios"), 0);
    cr_assert_eq(cJSON_GetArraySize(get(scn, "levels")), 0, "--rates skips the closed-loop levels");
    const cJSON *open = get(scn, "open");
    cr_assert(cJSON_IsObject(open));
    cr_assert_str_eq(get(open, "rates_from")->valuestring, "--rates");
    cr_assert_str_eq(get(open, "arrivals")->valuestring, "uniform");
    cr_assert_eq(num(open, "slo_ms"), 100);
    cr_assert_eq(cJSON_GetArraySize(get(open, "rates")), 2);
    double best = -1;
    const cJSON *r;
    cJSON_ArrayForEach(r, get(open, "rates")) {
        double rate = num(r, "target_rps");
        /* uniform arrivals over 1 s: exactly rate requests, every one accounted for */
        cr_assert_eq(num(r, "scheduled"), rate);
        cr_assert_eq(num(r, "completed") + num(r, "timeouts") + num(r, "dropped") +
                         num(get(r, "errors"), "read") + num(get(r, "errors"), "write"),
                     rate);
        cr_assert_eq(num(get(r, "errors"), "status"), 0, "article-read answers 200");
        /* the verdict follows from the run's own figures */
        bool sustained = num(r, "achieved_rps") >= 0.95 * rate;
        cr_assert_eq(cJSON_IsTrue(get(r, "sustained")), sustained);
        double p99 = num(get(r, "corrected_us"), "p99");
        double failures = num(r, "timeouts") + num(get(r, "errors"), "read") +
                          num(get(r, "errors"), "write") + num(get(r, "errors"), "connect");
        bool ok = sustained && p99 <= 100000 && failures <= 0.01 * rate;
        cr_assert_eq(cJSON_IsTrue(get(r, "ok")), ok, "rate %g", rate);
        if (ok && rate > best) best = rate;
        /* corrected latency includes the service time: never below the uncorrected */
        cr_assert_geq(num(get(r, "corrected_us"), "p50") * 1.01,
                      num(get(r, "uncorrected_us"), "p50"));
        cr_assert_gt(cJSON_GetArraySize(get(r, "histogram_corrected")), 0);
    }
    const cJSON *m = get(open, "max_sustained_rps");
    if (best > 0)
        cr_assert_eq(m->valuedouble, best);
    else
        cr_assert(cJSON_IsNull(m));
    cJSON_Delete(doc);

    /* the report has the section and both charts */
    snprintf(args, sizeof args, "report '%s'", dir);
    cr_assert_eq(run(args, NULL), 0);
    snprintf(path, sizeof path, "%s/report.html", dir);
    buf_t html;
    buf_init(&html, 64u << 20);
    cr_assert_eq(buf_read_file(&html, path, &e), 0, "%s", e.msg);
    cr_assert(strstr(buf_cstr(&html), "<h2 id=\"openloop\">"));
    cr_assert(strstr(buf_cstr(&html), "charts/openloop-article-read.svg"));
    cr_assert(strstr(buf_cstr(&html), "charts/openloop-spectrum-article-read.svg"));
    buf_free(&html);
}

Test(bench_open_e2e, usage_errors_exit_2) {
    static const char *const bad[][2] = {
        {"bench --rates 100 --sweep auto", "--sweep takes auto (not with --rates)"},
        {"bench --open --slo 0", "--slo takes milliseconds"},
        {"bench --open --arrivals burst", "--arrivals takes uniform or poisson"},
        {"bench --open --policy later", "--policy takes queue or drop"},
        {"run --open --rates 0", "--rates takes requests/s"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char args[256];
        snprintf(args, sizeof args, "%s --out '%s'", bad[i][0], dir);
        buf_t err;
        buf_init(&err, 1u << 16);
        cr_assert_eq(run(args, &err), 2, "%s", bad[i][0]);
        cr_assert(strstr(buf_cstr(&err), bad[i][1]), "%s: %s", bad[i][0], buf_cstr(&err));
        buf_free(&err);
    }
}
