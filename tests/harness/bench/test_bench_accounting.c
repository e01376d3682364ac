/* End-to-end tests of the bench's honest accounting, against the fixture server (never a speed
 * threshold): a target answering 500 to every tenth request fails `parity bench` (exit 1) and
 * its 500s never count as throughput, with wrk's own counter and with --count-statuses alike;
 * every request kind of a scenario is checked before the load (a wrong second kind stops the
 * scenario, named in the message); a declared tolerated rate lets the same run pass. */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cjson/cJSON.h>

static char root[64];

static void put(const char *rel, const char *text) {
    char path[256];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f, "%s", path);
    fputs(text, f);
    fclose(f);
}

/* A root with the fixture target, a one-step seed and three scenarios. */
static void make_root(void) {
    snprintf(root, sizeof root, "/tmp/parity-test-acct-XXXXXX");
    cr_assert_not_null(mkdtemp(root));
    char d[128];
    const char *dirs[] = {"specs",   "specs/bench",     "specs/bench/scenarios",
                          "targets", "targets/fixture", "targets/narrow"};
    for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++) {
        snprintf(d, sizeof d, "%s/%s", root, dirs[i]);
        cr_assert_eq(mkdir(d, 0755), 0);
    }
    put("targets/fixture/target.json",
        "{\"name\": \"fixture\", \"description\": \"fixture\", \"language\": \"c\",\n"
        " \"start\": [\"" FIXTURES_BIN_DIR "/parity_fixture_server\", \"--mode\", \"ready\"],\n"
        " \"ready\": {\"path\": \"/plaintext\", \"timeout\": 10},\n"
        " \"version\": [\"/bin/echo\", \"fixture\"], \"requires\": [\"/bin/true\"]}\n");
    /* the same server, declaring the one scenario worth measuring on it */
    put("targets/narrow/target.json", "{\"name\": \"narrow\", \"start\": [\"" FIXTURES_BIN_DIR
                                      "/parity_fixture_server\", \"--mode\", \"ready\"],\n"
                                      " \"ready\": {\"path\": \"/plaintext\", \"timeout\": 10}, "
                                      "\"scenarios\": [\"tolerant\"]}\n");
    put("specs/bench/seed.json",
        "{\"suite\": \"seed\", \"steps\": [{\"name\": \"ping\", \"request\": {\"method\": \"GET\", "
        "\"path\": \"/plaintext\"}, \"expect\": {\"status\": 200}}]}\n");
    put("specs/bench/scenarios/tenth.json", "{\"scenario\": \"tenth\", \"requests\": [{\"method\": "
                                            "\"GET\", \"path\": \"/every-tenth-500\"}],\n"
                                            " \"expect\": {\"status\": 200}}\n");
    put("specs/bench/scenarios/tolerant.json",
        "{\"scenario\": \"tolerant\", \"tolerated_error_rate\": 0.2,\n"
        " \"requests\": [{\"method\": \"GET\", \"path\": \"/every-tenth-500\"}],\n"
        " \"expect\": {\"status\": 200}}\n");
    put("specs/bench/scenarios/kinds.json",
        "{\"scenario\": \"kinds\", \"requests\": [\n"
        "  {\"method\": \"GET\", \"path\": \"/plaintext\", \"weight\": 3},\n"
        "  {\"name\": \"json kind\", \"method\": \"GET\", \"path\": \"/json\",\n"
        "   \"expect\": {\"status\": 200, \"asserts\": [[\"jsonpath\", \"$.message\", \"==\", "
        "\"nope\"]]}}],\n"
        " \"expect\": {\"status\": 200}}\n");
    /* a scenario with its own seed plan, which fails on this target (no 201 here): only by name */
    put("specs/bench/broken-plan.json",
        "{\"suite\": \"broken-plan\", \"steps\": [{\"name\": \"sign in\", \"request\": "
        "{\"method\": \"GET\", \"path\": \"/plaintext\"}, \"expect\": {\"status\": 201}}]}\n");
    put("specs/bench/scenarios/needs-plan.json",
        "{\"scenario\": \"needs-plan\", \"default\": false, \"seed\": \"broken-plan.json\",\n"
        " \"requests\": [{\"method\": \"GET\", \"path\": \"/plaintext\"}]}\n");
}

static int run_bench_args(const char *out, const char *args) {
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "PARITY_ROOT='%s' '" PARITY_BUILD_DIR "/harness/parity' bench "
             "--profile smoke --duration 1 --out '%s' %s >'%s.log' 2>&1",
             root, out, args, out);
    int st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int run_bench(const char *out, const char *extra) {
    char args[512];
    snprintf(args, sizeof args, "--target fixture %s", extra);
    return run_bench_args(out, args);
}

static cJSON *load(const char *out) {
    char path[256];
    snprintf(path, sizeof path, "%s/bench.json", out);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "%s", path);
    static char text[1 << 22];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    cJSON *j = cJSON_Parse(text);
    cr_assert_not_null(j);
    return j;
}

static const cJSON *scenario(const cJSON *doc, const char *name) {
    const cJSON *t = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(doc, "targets"), 0), *s;
    cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(t, "scenarios")) {
        if (!strcmp(cJSON_GetObjectItemCaseSensitive(s, "name")->valuestring, name)) return s;
    }
    cr_assert_fail("no scenario %s", name);
    return NULL;
}

static double n(const cJSON *o, const char *a, const char *b) {
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, a);
    if (b) x = cJSON_GetObjectItemCaseSensitive(x, b);
    cr_assert(cJSON_IsNumber(x), "%s.%s", a, b ? b : "");
    return x->valuedouble;
}

/* The one measured run of a scenario: 500s counted apart, never as successes. */
static void check_tenth(const cJSON *doc, const char *name, const char *counting, bool accepted) {
    const cJSON *s = scenario(doc, name);
    const cJSON *lv = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(s, "levels"), 0);
    const cJSON *run = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(lv, "runs"), 0);
    cr_assert_not_null(run, "%s: no measured run", name);
    double answers = n(run, "answers", NULL), ok = n(run, "successes", NULL);
    double unexpected = n(run, "errors", "unexpected");
    cr_assert_gt(answers, 100);
    cr_assert_eq(ok + unexpected, answers);
    /* one answer in ten is a 500 (give or take the first and last of each connection) */
    cr_assert(unexpected >= answers / 10 - 20 && unexpected <= answers / 10 + 20,
              "%s: %.0f unexpected of %.0f", name, unexpected, answers);
    cr_assert_leq(n(run, "rps", NULL), n(run, "answers_rps", NULL) * 0.91,
                  "the 500s do not raise req/s");
    cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(run, "counting")->valuestring, counting);
    cr_assert_eq(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(run, "accepted")), accepted, "%s",
                 name);
    if (!strcmp(counting, "lua")) {
        const cJSON *st = cJSON_GetObjectItemCaseSensitive(run, "statuses");
        cr_assert_eq(n(st, "500", NULL), unexpected);
        cr_assert_eq(n(st, "200", NULL), ok);
    }
}

Test(bench_accounting, every_tenth_500_fails_and_kinds_are_checked, .timeout = 180) {
    make_root();
    char out[128];
    snprintf(out, sizeof out, "%s/out", root);
    cr_assert_eq(run_bench(out, ""), 1, "see %s.log", out);
    cJSON *doc = load(out);
    const cJSON *tenth = scenario(doc, "tenth");
    cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(tenth, "status")->valuestring, "errors");
    cr_assert_not_null(strstr(cJSON_GetObjectItemCaseSensitive(tenth, "error")->valuestring,
                              "unexpected answer(s)"));
    check_tenth(doc, "tenth", "wrk", false);
    check_tenth(doc, "tolerant", "wrk", true);
    /* "default": false keeps a scenario out of the default set */
    const cJSON *t0 = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(doc, "targets"), 0), *sc;
    cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(t0, "scenarios")), 3);
    cJSON_ArrayForEach(sc, cJSON_GetObjectItemCaseSensitive(t0, "scenarios"))
        cr_assert_str_neq(cJSON_GetObjectItemCaseSensitive(sc, "name")->valuestring, "needs-plan");
    const cJSON *tol = scenario(doc, "tolerant");
    const char *tst = cJSON_GetObjectItemCaseSensitive(tol, "status")->valuestring;
    /* the check after the load may meet a 500 too: that is the only other outcome allowed */
    cr_assert(!strcmp(tst, "ok") || !strcmp(tst, "check-failed"), "%s", tst);
    /* the second kind answers differently from its expectation: not measured, named */
    const cJSON *kinds = scenario(doc, "kinds");
    cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(kinds, "status")->valuestring,
                     "check-failed");
    const char *msg = cJSON_GetObjectItemCaseSensitive(
                          cJSON_GetObjectItemCaseSensitive(kinds, "check"), "message")
                          ->valuestring;
    cr_assert_not_null(strstr(msg, "json kind"), "%s", msg);
    cr_assert_null(cJSON_GetObjectItemCaseSensitive(kinds, "levels"),
                   "a wrong kind is not measured");
    /* the client ceiling was measured for the scenarios */
    const cJSON *ceil = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(doc, "ceiling"), "scenarios");
    cr_assert_geq(cJSON_GetArraySize(ceil), 2);
    cJSON_Delete(doc);

    /* the same with every status counted in Lua */
    snprintf(out, sizeof out, "%s/out-lua", root);
    cr_assert_eq(run_bench(out, "--count-statuses --scenario tenth"), 1, "see %s.log", out);
    doc = load(out);
    check_tenth(doc, "tenth", "lua", false);
    cJSON_Delete(doc);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    cr_assert_eq(system(cmd), 0);
}

/* A scenario whose own seed plan fails (a target without the web app, say) is not measured and
 * fails the run (exit 1), named with the plan's failing step; the target's other scenarios are
 * measured as usual. */
Test(bench_accounting, a_failed_scenario_plan_fails_only_its_scenarios, .timeout = 180) {
    make_root();
    char out[128];
    snprintf(out, sizeof out, "%s/out-plan", root);
    cr_assert_eq(run_bench(out, "--scenario needs-plan,tolerant"), 1, "see %s.log", out);
    cJSON *doc = load(out);
    const cJSON *t = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(doc, "targets"), 0);
    cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(t, "status")->valuestring, "ok");
    const cJSON *np = scenario(doc, "needs-plan");
    cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(np, "status")->valuestring, "check-failed");
    const char *msg =
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(np, "check"), "message")
            ->valuestring;
    cr_assert_not_null(strstr(msg, "its seed plan broken-plan.json failed"), "%s", msg);
    cr_assert_not_null(strstr(msg, "sign in"), "the failing step is named: %s", msg);
    cr_assert_null(cJSON_GetObjectItemCaseSensitive(np, "levels"), "not measured");
    const cJSON *tol = scenario(doc, "tolerant");
    cr_assert_not_null(cJSON_GetObjectItemCaseSensitive(tol, "levels"),
                       "the other scenario is measured");
    cJSON_Delete(doc);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    cr_assert_eq(system(cmd), 0);
}

/* target.json "scenarios" narrows the default set: the others are listed as not measured (and
 * cost no time); naming a scenario and the target on the command line measures it anyway. */
Test(bench_accounting, a_target_measures_the_scenarios_it_lists, .timeout = 180) {
    make_root();
    char out[128];
    snprintf(out, sizeof out, "%s/out-narrow", root);
    cr_assert_eq(run_bench_args(out, "--target narrow"), 0, "see %s.log", out);
    cJSON *doc = load(out);
    const cJSON *t = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(doc, "targets"), 0), *x;
    const cJSON *scns = cJSON_GetObjectItemCaseSensitive(t, "scenarios");
    cr_assert_eq(cJSON_GetArraySize(scns), 1);
    cr_assert_not_null(cJSON_GetObjectItemCaseSensitive(scenario(doc, "tolerant"), "levels"));
    const cJSON *left = cJSON_GetObjectItemCaseSensitive(t, "not_measured");
    cr_assert_eq(cJSON_GetArraySize(left), 2, "tenth and kinds listed as not measured");
    bool tenth = false, kinds = false;
    cJSON_ArrayForEach(x, left) {
        tenth |= !strcmp(x->valuestring, "tenth");
        kinds |= !strcmp(x->valuestring, "kinds");
    }
    cr_assert(tenth && kinds);
    cJSON_Delete(doc);
    snprintf(out, sizeof out, "%s/out-named", root);
    cr_assert_eq(run_bench_args(out, "--target narrow --scenario tenth"), 1, "see %s.log", out);
    doc = load(out);
    check_tenth(doc, "tenth", "wrk", false);
    t = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(doc, "targets"), 0);
    cr_assert_null(cJSON_GetObjectItemCaseSensitive(t, "not_measured"));
    cJSON_Delete(doc);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    cr_assert_eq(system(cmd), 0);
}
