/* target: manifests (validation with file:line:col) and the lifecycle against the fixture server:
 * ready, never ready (timeout with log lines), crash at start and at run time, SIGTERM then
 * SIGKILL, no orphans (a grandchild in the group), Ctrl-C of parity itself, commands with a
 * timeout. */
#include <criterion/criterion.h>
#include <curl/curl.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/proc.h"
#include "target/target.h"

#define FX_TARGETS TESTS_DIR "/fixtures/targets"
#define BUILD_DIR  FIXTURES_BIN_DIR "/../.."

static char tmp[256];

static void setup(void) {
    snprintf(tmp, sizeof tmp, "/tmp/parity-tt-XXXXXX");
    cr_assert_not_null(mkdtemp(tmp));
}

static void teardown(void) {
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    if (system(cmd) != 0) fprintf(stderr, "cannot remove %s\n", tmp);
}

static void load(const char *name, target_manifest_t *m) {
    char path[512];
    err_t err;
    snprintf(path, sizeof path, "%s/%s/target.json", FX_TARGETS, name);
    cr_assert_eq(target_manifest_load(path, m, &err), 0, "%s", err.msg);
}

/* Writes DIR/NAME/target.json with text and loads it; returns the rc, err filled. */
static int load_text(const char *name, const char *text, target_manifest_t *m, err_t *err) {
    char dir[512], path[600];
    snprintf(dir, sizeof dir, "%s/%s", tmp, name);
    mkdir(dir, 0755);
    snprintf(path, sizeof path, "%s/target.json", dir);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
    return target_manifest_load(path, m, err);
}

static target_opts_t opts(const char *log) {
    return (target_opts_t){.workers = 1, .log_path = log, .build_dir = BUILD_DIR};
}

static long http_get(const char *url) {
    CURL *h = curl_easy_init();
    FILE *null = fopen("/dev/null", "w");
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 2000L);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, null);
    long st = 0;
    if (curl_easy_perform(h) == CURLE_OK) curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &st);
    curl_easy_cleanup(h);
    fclose(null);
    return st;
}

static char *slurp(const char *path) {
    buf_t b;
    buf_init(&b, 1 << 20);
    err_t err;
    cr_assert_eq(buf_read_file(&b, path, &err), 0, "%s", err.msg);
    char *s = buf_detach(&b);
    return s ? s : strdup("");
}

/* ---- manifests ------------------------------------------------------------------------------- */

Test(manifest, loads_with_defaults, .init = setup, .fini = teardown) {
    target_manifest_t m;
    err_t err;
    int rc =
        load_text("mini", "{\"name\": \"mini\", \"start\": [\"/bin/true\", \"{port}\"]}", &m, &err);
    cr_assert_eq(rc, 0, "%s", err.msg);
    cr_assert_str_eq(m.name, "mini");
    cr_assert_str_eq(m.ready_path, "/plaintext");
    cr_assert_eq(m.ready_timeout_s, TARGET_READY_TIMEOUT_S);
    cr_assert_str_eq(m.start[1], "{port}");
    cr_assert_null(m.start[2]);
    cr_assert_null(m.version);
    cr_assert_str_eq(m.description, "");
    cr_assert_str_eq(m.orm, "");
    cr_assert_not_null(m.env);
    cr_assert_null(m.env[0]);
    cr_assert(str_ends_with(m.dir, "/mini"));
    target_manifest_free(&m);
}

Test(manifest, fixture_manifest) {
    target_manifest_t m;
    load("fixture", &m);
    cr_assert_str_eq(m.name, "fixture");
    cr_assert_str_eq(m.start[0], "{build}/tests/fixtures/parity_fixture_server");
    cr_assert_str_eq(m.env[0], "FIXTURE_DB={db}");
    cr_assert_eq(m.ready_timeout_s, 10);
    cr_assert_str_eq(m.requires[0], "/bin/true");
    target_manifest_free(&m);
}

static void expect_error(const char *name, const char *text, const char *want) {
    target_manifest_t m;
    err_t err;
    cr_assert_eq(load_text(name, text, &m, &err), -1, "accepted: %s", text);
    cr_assert(strstr(err.msg, want), "wanted \"%s\" in \"%s\"", want, err.msg);
    cr_assert(strstr(err.msg, "target.json:"), "names the file: %s", err.msg);
}

Test(manifest, errors_have_file_line_col, .init = setup, .fini = teardown) {
    expect_error("a", "{\"name\": \"a\",\n \"start\": [\"x\"],\n \"strat\": 1}",
                 "target.json:3:2: unknown key strat");
    expect_error("b", "{\"name\": \"b\"}", "missing required key \"start\"");
    expect_error("c", "{\"name\": \"c\", \"start\": []}",
                 "target.json:1:24: must be a non-empty list of strings");
    expect_error("d", "{\"name\": \"d\", \"start\": [\"x\", 2]}",
                 "target.json:1:30: must be a string");
    expect_error("e", "{\"name\": \"other\", \"start\": [\"x\"]}", "must equal the directory name");
    expect_error("f", "{\"name\": \"f\", \"start\": [\"x\"], \"ready\": {\"timeout\": 1.5}}",
                 "ready.timeout must be an integer");
    expect_error("g", "{\"name\": \"g\", \"start\": [\"x\"], \"ready\": {\"path\": \"plaintext\"}}",
                 "must start with '/'");
    expect_error("h", "{\"name\": \"h\", \"start\": [\"x\"], \"env\": {\"A\": 1}}",
                 "env values must be strings");
    expect_error("i", "{\"name\": \"i\", \"start\": [\"x\"], \"ready\": {\"pth\": \"/\"}}",
                 "unknown key in ready: pth");
    expect_error("j", "{\"name\": \"j\", \"start\": [\"x\"],}", "target.json:1:");
    expect_error("k", "{\"name\": \"k\", \"name\": \"k\", \"start\": [\"x\"]}", "target.json:1:");
    expect_error("Bad", "{\"name\": \"Bad\", \"start\": [\"x\"]}", "name must match");
    expect_error("l", "{\"name\": \"l\", \"start\": [\"x\"],\n \"orm\": \"active-record\"}",
                 "target.json:2:9: orm must be \"full\", \"micro\" or \"raw\": active-record");
    expect_error("m", "{\"name\": \"m\", \"start\": [\"x\"], \"orm\": true}", "must be a string");
}

/* "vars": string variables the suites see; names checked, built-ins refused, positions kept. */
Test(manifest, vars, .init = setup, .fini = teardown) {
    target_manifest_t m;
    err_t err;
    int rc = load_text("v",
                       "{\"name\": \"v\", \"start\": [\"x\"],\n \"vars\": {\"session_cookie\": "
                       "\"sessionid\",\n  \"a.b-c_1\": \"\"}}",
                       &m, &err);
    cr_assert_eq(rc, 0, "%s", err.msg);
    cr_assert_eq(m.nvars, 2);
    cr_assert_str_eq(m.vars[0].name, "session_cookie");
    cr_assert_str_eq(m.vars[0].value, "sessionid");
    cr_assert_eq(m.vars[0].line, 2);
    cr_assert_eq(m.vars[0].col, 11);
    cr_assert_str_eq(m.vars[1].name, "a.b-c_1");
    cr_assert_str_eq(m.vars[1].value, "");
    cr_assert_eq(m.vars[1].line, 3);
    target_manifest_free(&m);
    expect_error("w", "{\"name\": \"w\", \"start\": [\"x\"],\n \"vars\": {\"n\": 1}}",
                 "target.json:2:16: vars values must be strings: n");
    expect_error("x", "{\"name\": \"x\", \"start\": [\"x\"],\n \"vars\": {\"1a\": \"v\"}}",
                 "target.json:2:11: a var name is [A-Za-z_][A-Za-z0-9_.-]*");
    expect_error("y", "{\"name\": \"y\", \"start\": [\"x\"],\n \"vars\": {\"url\": \"v\"}}",
                 "target.json:2:11: is a built-in variable of every suite, not a var: url");
    expect_error("z", "{\"name\": \"z\", \"start\": [\"x\"], \"vars\": [\"a\"]}",
                 "vars must be an object of strings");
}

/* The data-access label of every real target is declared and valid: a report must never show a
 * framework's figure without saying whether it went through an ORM. */
Test(manifest, orm_label_kept_and_every_real_target_declares_one, .init = setup, .fini = teardown) {
    target_manifest_t m;
    err_t err;
    cr_assert_eq(
        load_text("o", "{\"name\": \"o\", \"start\": [\"x\"], \"orm\": \"micro\"}", &m, &err), 0,
        "%s", err.msg);
    cr_assert_str_eq(m.orm, "micro");
    target_manifest_free(&m);
    target_manifest_t *ms;
    size_t n;
    cr_assert_eq(target_manifest_scan(TESTS_DIR "/../targets", &ms, &n, &err), 0, "%s", err.msg);
    cr_assert_geq(n, 5);
    for (size_t i = 0; i < n; i++)
        cr_assert(*ms[i].orm, "targets/%s/target.json declares no \"orm\"", ms[i].name);
    target_manifest_free_all(ms, n);
}

/* "scenarios" narrows what parity bench measures on a target; every name a real target lists is
 * a scenario of specs/bench/scenarios (a typo would silently measure nothing). */
Test(manifest, scenarios_list_checked_and_real_names_exist, .init = setup, .fini = teardown) {
    target_manifest_t m;
    err_t err;
    cr_assert_eq(load_text("s",
                           "{\"name\": \"s\", \"start\": [\"x\"], \"scenarios\": [\"json\", "
                           "\"feed\"]}",
                           &m, &err),
                 0, "%s", err.msg);
    cr_assert(target_manifest_benches(&m, "feed"));
    cr_assert_not(target_manifest_benches(&m, "plaintext"));
    target_manifest_free(&m);
    cr_assert_eq(load_text("a", "{\"name\": \"a\", \"start\": [\"x\"]}", &m, &err), 0);
    cr_assert(target_manifest_benches(&m, "plaintext"), "no list: every scenario");
    target_manifest_free(&m);
    expect_error(
        "d", "{\"name\": \"d\", \"start\": [\"x\"],\n \"scenarios\": [\"json\", \"json\"]}",
        "target.json:2:24: scenarios entries are distinct names matching [a-z0-9_-]+: json");
    expect_error("e", "{\"name\": \"e\", \"start\": [\"x\"], \"scenarios\": [\"Feed!\"]}",
                 "scenarios entries are distinct names");
    expect_error("f", "{\"name\": \"f\", \"start\": [\"x\"], \"scenarios\": []}",
                 "must be a non-empty list of strings: scenarios");
    target_manifest_t *ms;
    size_t n;
    cr_assert_eq(target_manifest_scan(TESTS_DIR "/../targets", &ms, &n, &err), 0, "%s", err.msg);
    for (size_t i = 0; i < n; i++)
        for (char **v = ms[i].scenarios; v && *v; v++) {
            char path[512];
            snprintf(path, sizeof path, "%s/../specs/bench/scenarios/%s.json", TESTS_DIR, *v);
            cr_assert_eq(
                access(path, R_OK), 0,
                "targets/%s/target.json lists scenario %s: no specs/bench/scenarios/%s.json",
                ms[i].name, *v, *v);
        }
    target_manifest_free_all(ms, n);
}

Test(manifest, scan_sorted_and_strict, .init = setup, .fini = teardown) {
    target_manifest_t *ms;
    size_t n;
    err_t err;
    cr_assert_eq(target_manifest_scan(FX_TARGETS, &ms, &n, &err), 0, "%s", err.msg);
    cr_assert_geq(n, 6);
    for (size_t i = 1; i < n; i++) cr_assert_lt(strcmp(ms[i - 1].name, ms[i].name), 0);
    target_manifest_free_all(ms, n);
    target_manifest_t m;
    load_text("zz", "{\"name\": \"zz\", \"start\": 3}", &m, &err);
    cr_assert_eq(target_manifest_scan(tmp, &ms, &n, &err), -1);
    cr_assert(strstr(err.msg, "zz/target.json:1:"), "%s", err.msg);
}

Test(manifest, substitute) {
    target_subst_t s = {.host = "127.0.0.1",
                        .dir = "/d",
                        .db = "/t/blog.db",
                        .secret = "abc",
                        .build = "/b",
                        .port = 4242,
                        .workers = 3};
    char out[256];
    err_t err;
    cr_assert_eq(
        target_substitute("{host}:{port} w={workers} {db} {secret} {dir} {build} {other} {", &s,
                          out, sizeof out, &err),
        0);
    cr_assert_str_eq(out, "127.0.0.1:4242 w=3 /t/blog.db abc /d /b {other} {");
    char small[6];
    cr_assert_eq(target_substitute("{build}{build}{build}", &s, small, sizeof small, &err), -1);
}

/* ---- lifecycle --------------------------------------------------------------------------------
 */

Test(lifecycle, ready_env_group_log_stop, .init = setup, .fini = teardown, .timeout = 30) {
    target_manifest_t m;
    load("fixture", &m);
    char log[512];
    snprintf(log, sizeof log, "%s/fixture.log", tmp);
    target_opts_t o = opts(log);
    target_proc_t p;
    err_t err;
    cr_assert_eq(target_start(&m, &o, &p, &err), 0, "%s", err.msg);
    cr_assert_gt(p.port, 0);
    char url[128];
    snprintf(url, sizeof url, "%s/plaintext", p.url);
    cr_assert_eq(http_get(url), 200);
    /* Its own session and process group. */
    cr_assert_eq(getpgid(p.pid), p.pid);
    cr_assert_eq(getsid(p.pid), p.pid);
    cr_assert_eq(p.pgid, p.pid);
    /* The contract environment reached the process. */
    char envpath[64];
    snprintf(envpath, sizeof envpath, "/proc/%d/environ", (int)p.pid);
    FILE *f = fopen(envpath, "r");
    cr_assert_not_null(f);
    char env[65536];
    size_t n = fread(env, 1, sizeof env - 1, f);
    fclose(f);
    for (size_t i = 0; i < n; i++)
        if (!env[i]) env[i] = '\n';
    env[n] = '\0';
    char want[TARGET_PATH_MAX + 64];
    snprintf(want, sizeof want, "\nPORT=%d\n", p.port);
    cr_assert(strstr(env, want), "PORT");
    cr_assert(strstr(env, "\nHOST=127.0.0.1\n"));
    cr_assert(strstr(env, "\nWORKERS=1\n"));
    snprintf(want, sizeof want, "\nDATABASE_PATH=%s\n", p.db_path);
    cr_assert(strstr(env, want), "DATABASE_PATH");
    snprintf(want, sizeof want, "\nFIXTURE_DB=%s\n", p.db_path);
    cr_assert(strstr(env, want), "manifest env with placeholders");
    snprintf(want, sizeof want, "\nSECRET_KEY=%s\n", p.secret);
    cr_assert(strstr(env, want), "SECRET_KEY");
    cr_assert_eq(strlen(p.secret), 32);
    /* A fresh temp dir for the database. */
    struct stat sb;
    cr_assert_eq(stat(p.tmpdir, &sb), 0);
    cr_assert(str_starts_with(p.db_path, p.tmpdir));
    cr_assert_eq(target_poll(&p, NULL), 0);
    cr_assert_eq(target_stop(&p, &err), 0, "clean stop on SIGTERM");
    cr_assert(!target_group_alive(p.pgid));
    cr_assert_neq(stat(p.tmpdir, &sb), 0, "temp dir removed");
    char *l = slurp(log);
    cr_assert(strstr(l, "fixture: listening on 127.0.0.1:"), "stdout goes to the log: %s", l);
    free(l);
    cr_assert_eq(target_stop(&p, &err), 0, "idempotent");
    target_manifest_free(&m);
}

Test(lifecycle, never_ready_times_out_with_log_lines, .init = setup, .fini = teardown,
     .timeout = 30) {
    target_manifest_t m;
    load("fixture-never-ready", &m);
    char log[512];
    snprintf(log, sizeof log, "%s/nr.log", tmp);
    target_opts_t o = opts(log);
    o.ready_timeout_ms = 600;
    target_proc_t p;
    err_t err;
    long long t0 = clock_mono_ms();
    cr_assert_eq(target_start(&m, &o, &p, &err), -1);
    long long took = clock_mono_ms() - t0;
    cr_assert_geq(took, 600);
    cr_assert_lt(took, 8000, "bounded: %lld ms", took);
    cr_assert(strstr(err.msg, "target fixture-never-ready: GET /plaintext did not answer 200 "
                              "within 600 ms (last attempt: status 503)"),
              "%s", err.msg);
    cr_assert(strstr(err.msg, "| fixture: listening on 127.0.0.1:"), "%s", err.msg);
    cr_assert(!target_group_alive(p.pgid), "stopped after the timeout");
    target_manifest_free(&m);
}

Test(lifecycle, crash_at_start_quotes_the_last_lines, .init = setup, .fini = teardown,
     .timeout = 30) {
    target_manifest_t m;
    load("fixture-crash", &m);
    char log[512];
    snprintf(log, sizeof log, "%s/c.log", tmp);
    target_opts_t o = opts(log);
    target_proc_t p;
    err_t err;
    cr_assert_eq(target_start(&m, &o, &p, &err), -1);
    cr_assert(strstr(err.msg, "exited during start-up (exited with status 3)"), "%s", err.msg);
    cr_assert(strstr(err.msg, "| fatal") ||
                  strstr(err.msg, "fixture: fatal: cannot open the database"),
              "%s", err.msg);
    /* The last TARGET_LOG_TAIL (20) lines: start-up lines 6..25 and the fatal line; not line 5. */
    cr_assert(strstr(err.msg, "| fixture: start-up line 25\n"), "%s", err.msg);
    cr_assert(strstr(err.msg, "| fixture: start-up line 7\n"), "%s", err.msg);
    cr_assert(!strstr(err.msg, "| fixture: start-up line 5\n"), "%s", err.msg);
    target_manifest_free(&m);
}

Test(lifecycle, missing_binary, .init = setup, .fini = teardown) {
    target_manifest_t m;
    err_t err;
    cr_assert_eq(
        load_text("nobin", "{\"name\": \"nobin\", \"start\": [\"/nonexistent/server\"]}", &m, &err),
        0);
    char log[512];
    snprintf(log, sizeof log, "%s/nobin.log", tmp);
    target_opts_t o = opts(log);
    target_proc_t p;
    cr_assert_eq(target_start(&m, &o, &p, &err), -1);
    cr_assert(strstr(err.msg, "target nobin: cannot execute /nonexistent/server"), "%s", err.msg);
    target_manifest_free(&m);
}

Test(lifecycle, crash_at_run_time_is_detected, .init = setup, .fini = teardown, .timeout = 30) {
    target_manifest_t m;
    load("fixture", &m);
    char log[512], url[128];
    snprintf(log, sizeof log, "%s/f.log", tmp);
    target_opts_t o = opts(log);
    target_proc_t p;
    err_t err;
    cr_assert_eq(target_start(&m, &o, &p, &err), 0, "%s", err.msg);
    snprintf(url, sizeof url, "%s/dev/crash", p.url);
    cr_assert_eq(http_get(url), 0, "no response from a crashing server");
    cr_assert_eq(target_wait_exit(&p, 3000), 1);
    int ws;
    cr_assert_eq(target_poll(&p, &ws), 1);
    char how[128];
    target_describe_exit(ws, how, sizeof how);
    cr_assert_str_eq(how, "killed by signal 6 (Aborted)");
    cr_assert_eq(target_stop(&p, &err), 0);
    target_manifest_free(&m);
}

Test(lifecycle, sigterm_ignored_then_sigkill, .init = setup, .fini = teardown, .timeout = 30) {
    target_manifest_t m;
    load("fixture-ignore-term", &m);
    char log[512];
    snprintf(log, sizeof log, "%s/it.log", tmp);
    target_opts_t o = opts(log);
    o.stop_grace_ms = 400;
    target_proc_t p;
    err_t err;
    cr_assert_eq(target_start(&m, &o, &p, &err), 0, "%s", err.msg);
    long long t0 = clock_mono_ms();
    cr_assert_eq(target_stop(&p, &err), -1);
    long long took = clock_mono_ms() - t0;
    cr_assert(strstr(err.msg, "did not stop within 400 ms of SIGTERM; killed with SIGKILL"), "%s",
              err.msg);
    cr_assert_geq(took, 400, "waited for the grace period");
    cr_assert(!target_group_alive(p.pgid));
    int ws;
    cr_assert_eq(target_poll(&p, &ws), 1);
    cr_assert(WIFSIGNALED(ws) && WTERMSIG(ws) == SIGKILL);
    target_manifest_free(&m);
}

static bool pid_gone(pid_t pid) {
    if (kill(pid, 0) != 0) return errno == ESRCH;
    /* A zombie waiting for init is dead too. */
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

Test(lifecycle, no_orphans_grandchild_in_group, .init = setup, .fini = teardown, .timeout = 30) {
    target_manifest_t m;
    load("fixture-grandchild", &m);
    char log[512], pidfile[512], envv[600];
    snprintf(log, sizeof log, "%s/g.log", tmp);
    snprintf(pidfile, sizeof pidfile, "%s/grandchild.pid", tmp);
    snprintf(envv, sizeof envv, "FIXTURE_PIDFILE=%s", pidfile);
    const char *env[] = {envv, NULL};
    target_opts_t o = opts(log);
    o.env = env;
    o.stop_grace_ms = 400;
    target_proc_t p;
    err_t err;
    cr_assert_eq(target_start(&m, &o, &p, &err), 0, "%s", err.msg);
    int gpid = 0;
    FILE *f = fopen(pidfile, "r");
    cr_assert_not_null(f, "the grandchild wrote its pid before the server was ready");
    cr_assert_eq(fscanf(f, "%d", &gpid), 1);
    fclose(f);
    cr_assert_eq(kill(gpid, 0), 0, "grandchild alive");
    cr_assert_eq(getpgid(gpid), p.pgid, "the grandchild is in the target's group");
    /* The leader exits on SIGTERM, the grandchild ignores it: SIGKILL to the group after grace. */
    cr_assert_eq(target_stop(&p, &err), -1);
    cr_assert(strstr(err.msg, "killed with SIGKILL"), "%s", err.msg);
    for (int i = 0; i < 100 && !pid_gone(gpid); i++) usleep(10000);
    cr_assert(pid_gone(gpid), "grandchild %d survived", gpid);
    cr_assert(!target_group_alive(p.pgid));
    target_manifest_free(&m);
}

/* parity gets SIGTERM while a target runs: the signal thread stops every started group. */
Test(lifecycle, signal_thread_stops_targets, .init = setup, .fini = teardown, .timeout = 30) {
    int pp[2];
    cr_assert_eq(pipe(pp), 0);
    pid_t child = fork();
    cr_assert_geq(child, 0);
    if (child == 0) {
        close(pp[0]);
        target_signals_install();
        target_manifest_t m;
        err_t err;
        if (target_manifest_load(FX_TARGETS "/fixture/target.json", &m, &err) < 0) _exit(10);
        char log[512];
        snprintf(log, sizeof log, "%s/s.log", tmp);
        target_opts_t o = opts(log);
        target_proc_t p;
        if (target_start(&m, &o, &p, &err) < 0) _exit(11);
        int pg = (int)p.pgid;
        if (write(pp[1], &pg, sizeof pg) != sizeof pg) _exit(12);
        for (int i = 0; i < 3000; i++) usleep(10000); /* killed long before */
        _exit(13);
    }
    close(pp[1]);
    int pg = 0;
    cr_assert_eq(read(pp[0], &pg, sizeof pg), (ssize_t)sizeof pg);
    cr_assert(target_group_alive(pg));
    kill(child, SIGTERM);
    int st;
    cr_assert_eq(waitpid(child, &st, 0), child);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 128 + SIGTERM, "status 0x%x", st);
    for (int i = 0; i < 100 && target_group_alive(pg); i++) usleep(10000);
    cr_assert(!target_group_alive(pg), "the target's group survived parity's SIGTERM");
}

/* ---- commands -------------------------------------------------------------------------------- */

Test(commands, output_status_and_timeout, .timeout = 30) {
    buf_t b;
    buf_init(&b, 1024);
    int st;
    err_t err;
    char *const a1[] = {"/bin/sh", "-c", "echo hi; echo err >&2; exit 3", NULL};
    cr_assert_eq(proc_run(a1, NULL, 5000, &b, &st, &err), 0, "%s", err.msg);
    cr_assert_eq(st, 3);
    cr_assert_str_eq(buf_cstr(&b), "hi\nerr\n");
    buf_reset(&b);
    char *const a2[] = {"sleep", "5", NULL}; /* found through PATH */
    long long t0 = clock_mono_ms();
    cr_assert_eq(proc_run(a2, NULL, 200, &b, &st, &err), -1);
    cr_assert_lt(clock_mono_ms() - t0, 2000);
    cr_assert(strstr(err.msg, "no exit within 200 ms"), "%s", err.msg);
    char *const a3[] = {"no-such-command-xyz", NULL};
    cr_assert_eq(proc_run(a3, NULL, 200, &b, &st, &err), -1);
    cr_assert(strstr(err.msg, "command not found"), "%s", err.msg);
    buf_free(&b);
}

Test(commands, version_and_requires) {
    target_manifest_t m;
    load("fixture", &m);
    char v[256], why[256];
    target_version(&m, v, sizeof v);
    cr_assert_str_eq(v, "fixture-server 1.0 (ready)");
    cr_assert_eq(target_requires_ok(&m, why, sizeof why), 1);
    target_manifest_free(&m);
    load("fixture-missing-deps", &m);
    cr_assert_eq(target_requires_ok(&m, why, sizeof why), 0);
    cr_assert_str_eq(why, "requires exited 1 (no output)");
    target_manifest_free(&m);
}

Test(commands, log_tail, .init = setup, .fini = teardown) {
    char path[512];
    snprintf(path, sizeof path, "%s/t.log", tmp);
    FILE *f = fopen(path, "w");
    for (int i = 1; i <= 30; i++) fprintf(f, "line %d\n", i);
    fclose(f);
    buf_t b;
    buf_init(&b, 1 << 16);
    cr_assert_eq(target_log_tail(path, 3, &b), 0);
    cr_assert_str_eq(buf_cstr(&b), "    | line 28\n    | line 29\n    | line 30\n");
    buf_free(&b);
}
