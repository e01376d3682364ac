/* End-to-end: the `parity` binary against the fixture server (tests/fixtures), results read back
 * from conformance.json. Every deviation of the fixture must be a failure of the RIGHT step with
 * the right message; every correct answer a pass; exit codes 0, 1, 2 and 3 are each exercised;
 * Ctrl-C leaves no process behind. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cjson/cJSON.h>

#include "target/target.h"
#include "core/util.h"

#define PARITY_BIN FIXTURES_BIN_DIR "/../../harness/parity"

/* Under -DPARITY_SANITIZE, Criterion's runner (libcriterion.so, not our code) leaks 96 bytes when
 * these long tests overlap with --jobs 2; LeakSanitizer reads this hook from the executable. */
__attribute__((used)) const char *__lsan_default_suppressions(void);
__attribute__((used)) const char *__lsan_default_suppressions(void) {
    return "leak:libcriterion.so\n";
}
#define FX_ROOT TESTS_DIR "/fixtures"

static char out_dir[256];

static void setup(void) {
    snprintf(out_dir, sizeof out_dir, "/tmp/parity-e2e-XXXXXX");
    cr_assert_not_null(mkdtemp(out_dir));
    setenv("PARITY_ROOT", FX_ROOT, 1);
    setenv("NO_COLOR", "1", 1);
    /* {build} must point at this build tree whatever environment the tests run in. */
    setenv("PARITY_BUILD_DIR", FIXTURES_BIN_DIR "/../..", 1);
}

static void teardown(void) {
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", out_dir);
    if (system(cmd) != 0) fprintf(stderr, "cannot remove %s\n", out_dir);
}

/* Starts parity with args (NULL-terminated, without argv[0]); stderr goes to OUT/stderr.txt. */
static pid_t spawn_parity(const char *const *args) {
    char *argv[64];
    int n = 0;
    argv[n++] = (char *)PARITY_BIN;
    for (; *args && n < 63; args++) argv[n++] = (char *)*args;
    argv[n] = NULL;
    char errpath[512];
    snprintf(errpath, sizeof errpath, "%s/stderr.txt", out_dir);
    pid_t pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0) {
        int fd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd >= 0) {
            dup2(fd, 2);
            dup2(fd, 1);
        }
        execv(PARITY_BIN, argv);
        _exit(126);
    }
    return pid;
}

static int run_parity(const char *const *args) {
    pid_t pid = spawn_parity(args);
    int st;
    cr_assert_eq(waitpid(pid, &st, 0), pid);
    cr_assert(WIFEXITED(st), "parity did not exit normally (status 0x%x)", st);
    return WEXITSTATUS(st);
}

static char *read_text(const char *name) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s", out_dir, name);
    buf_t b;
    buf_init(&b, 64u << 20);
    err_t err;
    cr_assert_eq(buf_read_file(&b, path, &err), 0, "%s", err.msg);
    char *s = buf_detach(&b);
    return s ? s : strdup("");
}

static cJSON *read_results(void) {
    char *s = read_text("conformance.json");
    cJSON *j = cJSON_Parse(s);
    cr_assert_not_null(j, "conformance.json is not JSON");
    free(s);
    cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(j, "kind")->valuestring,
                     "parity-conformance");
    return j;
}

static const cJSON *find_named(const cJSON *arr, const char *name) {
    const cJSON *it;
    cJSON_ArrayForEach(it, arr) {
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(it, "name");
        if (cJSON_IsString(n) && strcmp(n->valuestring, name) == 0) return it;
    }
    cr_assert_fail("no element named \"%s\"", name);
    return NULL;
}

static const cJSON *get(const cJSON *o, const char *k) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    cr_assert_not_null(v, "missing key %s", k);
    return v;
}

static const char *gets_(const cJSON *o, const char *k) {
    const cJSON *v = get(o, k);
    return cJSON_IsString(v) ? v->valuestring : "";
}

static const cJSON *suite_of(const cJSON *root, const char *target, const char *suite) {
    const cJSON *t = find_named(get(root, "targets"), target);
    return find_named(get(t, "suites"), suite);
}

/* All failure messages of a step joined, for substring checks. */
static void step_messages(const cJSON *step, char *out, size_t n) {
    size_t o = 0;
    out[0] = '\0';
    const cJSON *reason = get(step, "reason");
    if (cJSON_IsString(reason)) o += (size_t)snprintf(out + o, n - o, "%s\n", reason->valuestring);
    const cJSON *f;
    cJSON_ArrayForEach(f, get(step, "failures")) {
        if (o < n)
            o += (size_t)snprintf(out + o, n - o, "%s: %s\n", gets_(f, "check"),
                                  gets_(f, "message"));
    }
}

Test(e2e, correct_answers_pass_exit_0, .init = setup, .fini = teardown, .timeout = 60) {
    const char *args[] = {"check", "--target", "fixture", "--out", out_dir, NULL};
    cr_assert_eq(run_parity(args), 0);
    cJSON *r = read_results();
    const cJSON *su = suite_of(r, "fixture", "basics");
    cr_assert_str_eq(gets_(su, "status"), "pass");
    int pass = 0, skip = 0;
    const cJSON *st;
    cJSON_ArrayForEach(st, get(su, "steps")) {
        const char *s = gets_(st, "status");
        if (strcmp(s, "pass") == 0)
            pass++;
        else if (strcmp(s, "skip") == 0) {
            skip++;
            cr_assert_str_eq(gets_(st, "name"), "skipped on the fixture");
            cr_assert(strstr(gets_(st, "reason"), "would crash the server"), "skip reason: %s",
                      gets_(st, "reason"));
        } else {
            cr_assert_fail("step %s: %s", gets_(st, "name"), s);
        }
    }
    /* setup 1 + 2 + 3 repeats + 5 + teardown 1 */
    cr_assert_eq(pass, 12);
    cr_assert_eq(skip, 1);
    const cJSON *flaky = find_named(get(su, "steps"), "retry until the flaky route answers");
    cr_assert_eq(get(flaky, "attempts")->valueint, 3, "the fixture fails twice before answering");
    const cJSON *t = find_named(get(r, "targets"), "fixture");
    cr_assert_str_eq(gets_(t, "version"), "fixture-server 1.0 (ready)");
    cr_assert_eq(get(t, "workers")->valueint, 2, "the default WORKERS");
    cr_assert_str_eq(gets_(su, "description"),
                     "correct answers: every query and predicate kind passes on the fixture");
    cr_assert_str_eq(gets_(su, "file"), "specs/blog/basics.json", "relative to the root");
    cr_assert_eq(strncmp(gets_(t, "url"), "http://127.0.0.1:", 17), 0);
    cJSON_Delete(r);
}

/* Each deviation suite: "correct before" passes, "deviation X" fails with the expected message,
 * "after the deviation" is skipped, teardown "cleanup" passes. */
static const struct {
    const char *key, *want1, *want2;
} deviations[] = {
    {"status", "expected status == 200, got 201", NULL},
    {"missing-key", "[\"jsonpath\", \"$.user.name\", \"isString\"]: expected isString, got nothing",
     NULL},
    {"wrong-type", "expected isString, got list [\"alice\"]", NULL},
    {"float-int",
     "[\"jsonpath\", \"$.user.id\", \"isInteger\"]: expected isInteger, got number 1.0",
     "expected == 1, got 1.0"},
    {"missing-header",
     "[\"header\", \"X-Fixture\", \"==\", \"yes\"]: expected == \"yes\", got nothing", NULL},
    {"wrong-header", "expected == \"yes\", got \"no\"", NULL},
    {"content-type",
     "expected == \"application/json; charset=utf-8\", got \"text/html; charset=utf-8\"", NULL},
    {"slow", "timeout: Operation timed out after", NULL},
    {"reset", "connection reset or closed", NULL},
};

Test(e2e, every_deviation_fails_the_right_step_exit_1, .init = setup, .fini = teardown,
     .timeout = 90) {
    char junit[300], tap[300];
    snprintf(junit, sizeof junit, "%s/junit.xml", out_dir);
    snprintf(tap, sizeof tap, "%s/check.tap", out_dir);
    const char *args[] = {"check", "--target", "fixture", "--spec", FX_ROOT "/specs/deviations",
                          "--out", out_dir,    "--junit", junit,    "--tap",
                          tap,     NULL};
    cr_assert_eq(run_parity(args), 1);
    cJSON *r = read_results();
    for (size_t i = 0; i < sizeof deviations / sizeof *deviations; i++) {
        char name[64], dev[64], msgs[8192];
        snprintf(name, sizeof name, "dev-%s", deviations[i].key);
        snprintf(dev, sizeof dev, "deviation %s", deviations[i].key);
        const cJSON *su = suite_of(r, "fixture", name);
        cr_assert_str_eq(gets_(su, "status"), "fail", "%s", name);
        const cJSON *steps = get(su, "steps");
        cr_assert_eq(cJSON_GetArraySize(steps), 4, "%s", name);
        const cJSON *s0 = cJSON_GetArrayItem(steps, 0), *s1 = cJSON_GetArrayItem(steps, 1);
        const cJSON *s2 = cJSON_GetArrayItem(steps, 2), *s3 = cJSON_GetArrayItem(steps, 3);
        cr_assert_str_eq(gets_(s0, "name"), "correct before");
        cr_assert_str_eq(gets_(s0, "status"), "pass", "%s: the correct answer before must pass",
                         name);
        cr_assert_str_eq(gets_(s1, "name"), dev);
        cr_assert_str_eq(gets_(s1, "status"), "fail", "%s", name);
        step_messages(s1, msgs, sizeof msgs);
        cr_assert(strstr(msgs, deviations[i].want1), "%s: wanted \"%s\" in:\n%s", name,
                  deviations[i].want1, msgs);
        if (deviations[i].want2)
            cr_assert(strstr(msgs, deviations[i].want2), "%s: wanted \"%s\" in:\n%s", name,
                      deviations[i].want2, msgs);
        cr_assert(strstr(gets_(s1, "curl"), "curl "), "%s: a curl command to reproduce", name);
        cr_assert_str_eq(gets_(get(s1, "request"), "method"), "GET");
        cr_assert_str_eq(gets_(s2, "name"), "after the deviation");
        cr_assert_str_eq(gets_(s2, "status"), "skip", "%s", name);
        cr_assert(strstr(gets_(s2, "reason"), dev), "%s: the skip names the failed step", name);
        cr_assert_str_eq(gets_(s3, "name"), "cleanup");
        cr_assert_str_eq(gets_(s3, "phase"), "teardown");
        cr_assert_str_eq(gets_(s3, "status"), "pass", "%s: teardown always runs", name);
        /* A content deviation fails only the asserts that see it. */
        if (strcmp(deviations[i].key, "wrong-header") == 0 ||
            strcmp(deviations[i].key, "missing-header") == 0 ||
            strcmp(deviations[i].key, "content-type") == 0 ||
            strcmp(deviations[i].key, "status") == 0)
            cr_assert_eq(cJSON_GetArraySize(get(s1, "failures")), 1, "%s:\n%s", name, msgs);
    }
    cJSON_Delete(r);
    /* The same failures in the JUnit and TAP files. */
    char *x = read_text("junit.xml");
    cr_assert(
        strstr(x, "<testcase classname=\"fixture.dev-float-int\" name=\"deviation float-int\""));
    cr_assert(strstr(x, "failures=\"9\""), "9 failures in the JUnit totals");
    free(x);
    char *t = read_text("check.tap");
    cr_assert(strstr(t, "TAP version 13\n1..36\n"));
    cr_assert(strstr(t, "not ok "), "failures are not ok");
    cr_assert(strstr(t, "fixture dev-reset: deviation reset\n  ---\n"));
    free(t);
    char *e = read_text("stderr.txt");
    cr_assert(strstr(e, "FAIL fixture dev-status"), "a failure block on stderr");
    cr_assert(strstr(e, "reproduce: curl"), "a curl command on stderr");
    free(e);
}

Test(e2e, crash_mid_suite_names_the_step_exit_3, .init = setup, .fini = teardown, .timeout = 60) {
    const char *args[] = {"check", "--target", "fixture", "--spec", FX_ROOT "/specs/crash",
                          "--out", out_dir,    NULL};
    cr_assert_eq(run_parity(args), 3);
    cJSON *r = read_results();
    const cJSON *t = find_named(get(r, "targets"), "fixture");
    cr_assert_str_eq(gets_(t, "status"), "error");
    cr_assert(strstr(gets_(t, "error"), "crashed (killed by signal 6"), "%s", gets_(t, "error"));
    cr_assert(strstr(gets_(t, "error"), "during step \"crash the server\" of suite crash"), "%s",
              gets_(t, "error"));
    const cJSON *steps = get(find_named(get(t, "suites"), "crash"), "steps");
    cr_assert_str_eq(gets_(cJSON_GetArrayItem(steps, 0), "status"), "pass");
    const cJSON *c = cJSON_GetArrayItem(steps, 1);
    cr_assert_str_eq(gets_(c, "name"), "crash the server");
    cr_assert_str_eq(gets_(c, "status"), "error");
    cr_assert(strstr(gets_(c, "reason"), "crashed during this step"), "%s", gets_(c, "reason"));
    cr_assert_str_eq(gets_(cJSON_GetArrayItem(steps, 2), "status"), "skip");
    /* The teardown cannot be sent to a dead target: reported as skipped, with the crash. */
    const cJSON *td = cJSON_GetArrayItem(steps, 3);
    cr_assert_str_eq(gets_(td, "phase"), "teardown");
    cr_assert_str_eq(gets_(td, "status"), "skip");
    cr_assert(strstr(gets_(td, "reason"), "crashed"));
    cJSON_Delete(r);
    char *log = read_text("logs/fixture.log");
    cr_assert(strstr(log, "crashing on purpose"), "the target's output is in logs/fixture.log");
    free(log);
}

Test(e2e, death_between_steps_is_found_before_the_next, .init = setup, .fini = teardown,
     .timeout = 60) {
    const char *args[] = {"check", "--target", "fixture", "--spec", FX_ROOT "/specs/dies-later",
                          "--out", out_dir,    NULL};
    cr_assert_eq(run_parity(args), 3);
    cJSON *r = read_results();
    const cJSON *t = find_named(get(r, "targets"), "fixture");
    cr_assert(
        strstr(gets_(t, "error"), "crashed (exited with status 7) before step \"found dead\""),
        "%s", gets_(t, "error"));
    const cJSON *steps = get(find_named(get(t, "suites"), "dies-later"), "steps");
    cr_assert_str_eq(gets_(cJSON_GetArrayItem(steps, 0), "status"), "pass");
    const cJSON *s1 = cJSON_GetArrayItem(steps, 1);
    cr_assert_str_eq(gets_(s1, "status"), "error");
    cr_assert(strstr(gets_(s1, "reason"), "not sent: the target had exited (exited with status 7)"),
              "%s", gets_(s1, "reason"));
    cr_assert_str_eq(gets_(cJSON_GetArrayItem(steps, 2), "status"), "skip");
    cJSON_Delete(r);
}

/* A target that ignores SIGTERM passes its steps, but the forced stop is on record. */
Test(e2e, unclean_stop_is_recorded, .init = setup, .fini = teardown, .timeout = 60) {
    const char *args[] = {"check",   "--target", "fixture-ignore-term",  "--target",
                          "fixture", "--spec",   FX_ROOT "/specs/bench", "--out",
                          out_dir,   NULL};
    cr_assert_eq(run_parity(args), 0);
    cJSON *r = read_results();
    const cJSON *bad = find_named(get(r, "targets"), "fixture-ignore-term");
    cr_assert(strstr(gets_(bad, "stop_error"),
                     "did not stop within 5000 ms of SIGTERM; killed with SIGKILL"),
              "%s", gets_(bad, "stop_error"));
    cr_assert_geq(get(bad, "stop_ms")->valuedouble, 5000);
    const cJSON *good = find_named(get(r, "targets"), "fixture");
    cr_assert(cJSON_IsNull(get(good, "stop_error")));
    cr_assert_lt(get(good, "stop_ms")->valuedouble, 5000);
    cJSON_Delete(r);
    char *e = read_text("stderr.txt");
    cr_assert(strstr(e, "warning: target fixture-ignore-term did not stop"), "%s", e);
    free(e);
}

Test(e2e, invalid_spec_is_exit_2_with_file_line_col, .init = setup, .fini = teardown,
     .timeout = 30) {
    const char *args[] = {"check", "--spec", FX_ROOT "/specs/invalid", "--out", out_dir, NULL};
    cr_assert_eq(run_parity(args), 2);
    char *e = read_text("stderr.txt");
    cr_assert(strstr(e, "specs/invalid/bad.json:5:34: unknown key \"assert\""), "%s", e);
    cr_assert(strstr(e, "nothing was run"));
    free(e);
    char path[300];
    struct stat sb;
    snprintf(path, sizeof path, "%s/conformance.json", out_dir);
    cr_assert_neq(stat(path, &sb), 0, "nothing runs on a spec error");
}

Test(e2e, usage_errors_are_exit_2, .init = setup, .fini = teardown, .timeout = 30) {
    const char *a1[] = {"check", "--jobs", "0", NULL};
    cr_assert_eq(run_parity(a1), 2);
    const char *a2[] = {"check", "--target", "no-such-target", "--out", out_dir, NULL};
    cr_assert_eq(run_parity(a2), 2);
    char *e = read_text("stderr.txt");
    cr_assert(strstr(e, "unknown target 'no-such-target'"), "%s", e);
    free(e);
    const char *a3[] = {"frobnicate", NULL};
    cr_assert_eq(run_parity(a3), 2);
    const char *a4[] = {"check", "--url", "nourl", NULL};
    cr_assert_eq(run_parity(a4), 2);
    const char *a5[] = {"check", "--filter", "zzz*", "--target", "fixture", "--out", out_dir, NULL};
    cr_assert_eq(run_parity(a5), 2);
}

Test(e2e, start_failures_are_exit_3_with_log_lines, .init = setup, .fini = teardown,
     .timeout = 60) {
    const char *args[] = {"check",
                          "--target",
                          "fixture-never-ready",
                          "--target",
                          "fixture-crash",
                          "--target",
                          "fixture-missing-deps",
                          "--target",
                          "fixture",
                          "--out",
                          out_dir,
                          NULL};
    cr_assert_eq(run_parity(args), 3);
    cJSON *r = read_results();
    const cJSON *ts = get(r, "targets");
    const cJSON *nr = find_named(ts, "fixture-never-ready");
    cr_assert_str_eq(gets_(nr, "status"), "error");
    cr_assert(strstr(gets_(nr, "error"),
                     "GET /plaintext did not answer 200 within 2000 ms (last attempt: status 503)"),
              "%s", gets_(nr, "error"));
    cr_assert(strstr(gets_(nr, "error"), "| fixture: listening on 127.0.0.1:"), "log lines: %s",
              gets_(nr, "error"));
    const cJSON *cr = find_named(ts, "fixture-crash");
    cr_assert(strstr(gets_(cr, "error"), "exited during start-up (exited with status 3)"), "%s",
              gets_(cr, "error"));
    cr_assert(strstr(gets_(cr, "error"), "fatal: cannot open the database"), "%s",
              gets_(cr, "error"));
    cr_assert(!strstr(gets_(cr, "error"), "start-up line 5\n"), "only the last lines: %s",
              gets_(cr, "error"));
    const cJSON *md = find_named(ts, "fixture-missing-deps");
    cr_assert(strstr(gets_(md, "error"), "dependencies missing"), "%s", gets_(md, "error"));
    /* The target that works still ran and passed: the files cover what ran. */
    const cJSON *ok = find_named(ts, "fixture");
    cr_assert_str_eq(gets_(ok, "status"), "pass");
    cJSON_Delete(r);
}

/* A fixture server started by the test, outside parity: --url runs against it, no lifecycle. */
Test(e2e, external_url, .init = setup, .fini = teardown, .timeout = 60) {
    target_manifest_t m;
    err_t err;
    cr_assert_eq(target_manifest_load(FX_ROOT "/targets/fixture/target.json", &m, &err), 0, "%s",
                 err.msg);
    char log[300];
    snprintf(log, sizeof log, "%s/external.log", out_dir);
    target_opts_t o = {.workers = 1, .log_path = log, .build_dir = FIXTURES_BIN_DIR "/../.."};
    target_proc_t p;
    cr_assert_eq(target_start(&m, &o, &p, &err), 0, "%s", err.msg);
    char url[128], out2[300];
    snprintf(url, sizeof url, "ext=%s", p.url);
    snprintf(out2, sizeof out2, "%s/o", out_dir);
    const char *args[] = {"check", "--url", url, "--out", out2, "--json", "-", NULL};
    int rc = run_parity(args);
    char *o2 = read_text("o/conformance.json");
    cJSON *r = cJSON_Parse(o2);
    free(o2);
    cr_assert_eq(rc, 1,
                 "the skip for \"fixture\" does not apply to \"ext\", whose /dev/crash step fails");
    const cJSON *t = find_named(get(r, "targets"), "ext");
    cr_assert(cJSON_IsTrue(get(t, "external")));
    cr_assert_str_eq(gets_(t, "url"), p.url);
    /* The fixture crashed on /dev/crash: parity does not own it, so it is a step failure. */
    cr_assert_eq(target_poll(&p, NULL), 1);
    cJSON_Delete(r);
    char *so = read_text("stderr.txt");
    cr_assert(strstr(so, "\"kind\":") && strstr(so, "\"parity-conformance\""),
              "--json - prints the results on stdout");
    free(so);
    target_stop(&p, NULL);
    target_manifest_free(&m);
    /* Nothing listens any more: exit 3, not reachable. */
    const char *args2[] = {"check", "--url", url, "--out", out2, NULL};
    cr_assert_eq(run_parity(args2), 3);
}

static bool pid_gone(pid_t pid) {
    if (kill(pid, 0) != 0) return errno == ESRCH;
    char path[64], st[512];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f) return true;
    size_t n = fread(st, 1, sizeof st - 1, f);
    fclose(f);
    st[n] = '\0';
    const char *rp = strrchr(st, ')');
    return rp && rp[2] == 'Z';
}

/* Ctrl-C (SIGINT) while a target runs: parity stops it and leaves no process behind. */
Test(e2e, sigint_leaves_no_process, .init = setup, .fini = teardown, .timeout = 60) {
    const char *args[] = {"check", "--target", "fixture", "--spec", FX_ROOT "/specs/long",
                          "--out", out_dir,    NULL};
    pid_t pid = spawn_parity(args);
    /* Wait for the fixture to log its pid. */
    char path[300];
    snprintf(path, sizeof path, "%s/logs/fixture.log", out_dir);
    int fpid = 0;
    for (int i = 0; i < 500 && !fpid; i++) {
        FILE *f = fopen(path, "r");
        if (f) {
            if (fscanf(f, "fixture: mode ready, pid %d", &fpid) != 1) fpid = 0;
            fclose(f);
        }
        if (!fpid) usleep(10000);
    }
    cr_assert_gt(fpid, 0, "the fixture started");
    cr_assert_eq(kill(fpid, 0), 0);
    kill(pid, SIGINT);
    int st;
    cr_assert_eq(waitpid(pid, &st, 0), pid);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 128 + SIGINT, "status 0x%x", st);
    /* Gone, or a zombie waiting for its new parent to reap it (a dead process). */
    bool gone = false;
    for (int i = 0; i < 200 && !(gone = pid_gone(fpid)); i++) usleep(5000);
    cr_assert(gone, "the fixture (pid %d) survived parity's SIGINT", fpid);
}
