/* inspect_run and `parity inspect` against fixture targets (tests/fixtures/inspect/targets):
 *   - start-up timing: "slowstart" sleeps 400 ms in a shell before it execs the fixture server,
 *     so no sample can be below 400 ms (the bound is exact by construction, not a timing guess);
 *     the upper bound is the manifest's ready timeout, which target_start enforces;
 *   - the connection probe: "quick" (one thread per connection, keep-alive) keeps every probe
 *     connection open, and each live connection holds a thread whose stack pages are resident,
 *     so the memory per connection is above zero;
 *   - the CLI: --static --json on the fixture root, and its usage errors (exit 2);
 *   - "programs": a target started by a script no package owns counts the packages of the
 *     programs its manifest names (dash, which owns /usr/bin/dash); a program not installed is an
 *     error naming the manifest and the program. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "inspect/inspect.h"

#define FX         TESTS_DIR "/fixtures/inspect"
#define PARITY     PARITY_BUILD_DIR "/harness/parity"
#define DELAY_MS   400   /* slowstart's sleep */
#define TIMEOUT_MS 10000 /* slowstart's ready.timeout */

static void load(const char *name, target_manifest_t *m) {
    char path[512];
    err_t err;
    snprintf(path, sizeof path, "%s/targets/%s/target.json", FX, name);
    cr_assert_eq(target_manifest_load(path, m, &err), 0, "%s", err.msg);
}

static double num(const cJSON *o, const char *k) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    cr_assert(cJSON_IsNumber(v), "no number %s", k);
    return v->valuedouble;
}

Test(inspect_run, startup_includes_the_known_delay, .timeout = 120) {
    target_manifest_t m;
    load("slowstart", &m);
    char log[] = "/tmp/parity-inspect-test-XXXXXX";
    int fd = mkstemp(log);
    cr_assert_geq(fd, 0);
    close(fd);
    inspect_opts_t o = {
        .starts = INSPECT_STARTS_DEFAULT, .connections = 0, .log_path = log, .quiet = true};
    cJSON *conns = NULL, *st = inspect_runtime(&m, &o, &conns);
    cr_assert(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(st, "error")));
    cr_assert_eq(num(st, "starts"), INSPECT_STARTS_DEFAULT);
    const cJSON *s, *samples = cJSON_GetObjectItemCaseSensitive(st, "samples_ms");
    cr_assert_eq(cJSON_GetArraySize(samples), INSPECT_STARTS_DEFAULT);
    cJSON_ArrayForEach(s, samples) {
        cr_assert_geq(s->valuedouble, DELAY_MS, "a start of %.1f ms is below the fixture's sleep",
                      s->valuedouble);
        cr_assert_lt(s->valuedouble, DELAY_MS + TIMEOUT_MS);
    }
    double med = num(st, "median_ms");
    cr_assert(med >= num(st, "min_ms") && med <= num(st, "max_ms"));
    cr_assert_gt(num(st, "idle_rss_kib"), 0);
    cr_assert_not_null(cJSON_GetObjectItemCaseSensitive(conns, "skipped"));
    cJSON_Delete(st);
    cJSON_Delete(conns);
    target_manifest_free(&m);
    unlink(log);
}

Test(inspect_run, idle_connections_cost_memory, .timeout = 120) {
    target_manifest_t m;
    load("quick", &m);
    char log[] = "/tmp/parity-inspect-test-XXXXXX";
    int fd = mkstemp(log);
    cr_assert_geq(fd, 0);
    close(fd);
    inspect_opts_t o = {.starts = 1, .connections = 50, .log_path = log, .quiet = true};
    cJSON *conns = NULL, *st = inspect_runtime(&m, &o, &conns);
    cr_assert_eq(num(st, "starts"), 1);
    cr_assert_eq(num(conns, "requested"), 50);
    cr_assert_eq(num(conns, "answered"), 50);
    cr_assert_eq(num(conns, "open"), 50);
    cr_assert_gt(num(conns, "rss_kib"), num(conns, "idle_rss_kib"));
    cr_assert_gt(num(conns, "per_connection_bytes"), 0);
    cJSON_Delete(st);
    cJSON_Delete(conns);
    target_manifest_free(&m);
    unlink(log);
}

/* Runs parity with PARITY_ROOT=FX; exit status, stdout into out. */
static int run(const char *args, char *out, size_t outlen) {
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "PARITY_ROOT='%s' '%s' inspect %s 2>/dev/null", FX, PARITY, args);
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p);
    size_t n = fread(out, 1, outlen - 1, p);
    out[n] = '\0';
    int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

Test(inspect_run, cli_static_json_and_usage_errors, .timeout = 120) {
    static char out[1 << 20];
    cr_assert_eq(run("--static --json", out, sizeof out), 0);
    cJSON *b = cJSON_Parse(out);
    cr_assert_not_null(b, "not JSON: %.300s", out);
    const cJSON *ts = cJSON_GetObjectItemCaseSensitive(b, "targets");
    cr_assert_eq(cJSON_GetArraySize(ts), 2);
    const cJSON *t = cJSON_GetArrayItem(ts, 0);
    cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(t, "name")->valuestring, "quick");
    cr_assert(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(t, "startup"))); /* --static */
    const cJSON *code = cJSON_GetObjectItemCaseSensitive(t, "code");
    cr_assert_eq(num(code, "files"), 1); /* target.json */
    cr_assert_gt(num(cJSON_GetObjectItemCaseSensitive(t, "dependencies"), "packages"), 0);
    cJSON_Delete(b);
    cr_assert_eq(run("--starts 0", out, sizeof out), 2);
    cr_assert_eq(run("--target nope --static", out, sizeof out), 2);
    cr_assert_eq(run("--pin sometimes", out, sizeof out), 2);
    cr_assert_eq(run("--static --from /nonexistent-run-dir", out, sizeof out), 2);
}

/* Writes dir/target.json with the given "programs" array text; the start command is a script of
 * the test's own (no package owns it). */
static void manifest_with_programs(const char *dir, const char *programs, target_manifest_t *m) {
    char path[512];
    snprintf(path, sizeof path, "%s/run", dir);
    FILE *f = fopen(path, "w");
    fputs("#!/bin/sh\nexec dash -c true\n", f);
    fclose(f);
    chmod(path, 0755);
    snprintf(path, sizeof path, "%s/target.json", dir);
    f = fopen(path, "w");
    fprintf(f, "{\"name\": \"launcher\", \"start\": [\"{dir}/run\"]%s%s}",
            programs ? ", \"programs\": " : "", programs ? programs : "");
    fclose(f);
    err_t err;
    cr_assert_eq(target_manifest_load(path, m, &err), 0, "%s", err.msg);
}

static bool lists(const cJSON *arr, const char *name) {
    const cJSON *e;
    cJSON_ArrayForEach(e, arr) if (cJSON_IsString(e) && !strcmp(e->valuestring, name)) return true;
    return false;
}

Test(inspect_run, programs_count_their_packages, .timeout = 120) {
    char top[] = "/tmp/parity-test-programs-XXXXXX", dir[64];
    cr_assert(mkdtemp(top));
    snprintf(dir, sizeof dir, "%s/launcher", top); /* a manifest's name is its directory's */
    cr_assert_eq(mkdir(dir, 0755), 0);
    target_manifest_t m;
    err_t err;
    manifest_with_programs(dir, NULL, &m);
    cJSON *d = inspect_deps(&m, NULL, &err);
    cr_assert_not_null(d, "%s", err.msg);
    cr_assert(!lists(cJSON_GetObjectItemCaseSensitive(d, "direct"), "dash"),
              "without programs, nothing names dash");
    cJSON_Delete(d);
    target_manifest_free(&m);

    manifest_with_programs(dir, "[\"dash\"]", &m);
    d = inspect_deps(&m, NULL, &err);
    cr_assert_not_null(d, "%s", err.msg);
    cr_assert(lists(cJSON_GetObjectItemCaseSensitive(d, "direct"), "dash"), "dash not counted");
    cr_assert_geq(num(d, "packages"), 1);
    cJSON_Delete(d);
    target_manifest_free(&m);

    manifest_with_programs(dir, "[\"parity-no-such-program\"]", &m);
    d = inspect_deps(&m, NULL, &err);
    cr_assert_not_null(d);
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(d, "error");
    cr_assert(cJSON_IsString(e) &&
                  strstr(e->valuestring, "target.json: programs: "
                                         "parity-no-such-program is not installed"),
              "%s", cJSON_IsString(e) ? e->valuestring : "no error");
    cJSON_Delete(d);
    target_manifest_free(&m);
    char path[600];
    snprintf(path, sizeof path, "rm -rf '%s'", top);
    cr_assert_eq(system(path), 0);
}
