/* check: the runner in-process (check_run) against the fixture: built-in variables ({{uid}} unique
 * per run, target and suite), --filter, --fail-fast, --jobs, a template error reported as the
 * step's error, a manifest target and an external one side by side. */
#include <criterion/criterion.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check/check.h"
#include "core/cli_common.h"
#include "core/file.h"

#define FX_ROOT TESTS_DIR "/fixtures"

static char tmp[256];

static void setup(void) {
    snprintf(tmp, sizeof tmp, "/tmp/parity-check-XXXXXX");
    cr_assert_not_null(mkdtemp(tmp));
    setenv("PARITY_BUILD_DIR", FIXTURES_BIN_DIR "/../..", 1);
    setenv("NO_COLOR", "1", 1);
}

static void teardown(void) {
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    if (system(cmd) != 0) fprintf(stderr, "cannot remove %s\n", tmp);
}

static void write_spec(const char *name, const char *text) {
    char path[400];
    snprintf(path, sizeof path, "%s/specs/%s", tmp, name);
    char dir[400];
    snprintf(dir, sizeof dir, "%s/specs", tmp);
    file_mkdirs(dir, NULL);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
}

static check_opts_t base_opts(char *out, size_t n) {
    snprintf(out, n, "%s/out", tmp);
    check_opts_t o = {.root = FX_ROOT, .jobs = 2, .out = out, .quiet = true};
    return o;
}

static const result_suite_t *suite(const result_target_t *t, const char *name) {
    for (size_t i = 0; i < t->n; i++)
        if (strcmp(t->suites[i].name, name) == 0) return &t->suites[i];
    cr_assert_fail("no suite %s", name);
    return NULL;
}

#define UID_SPEC(n)                                                                                \
    "{\"suite\": \"uid" n                                                                          \
    "\", \"steps\": [{\"name\": \"echo\", \"request\": {\"method\": \"POST\", "                    \
    "\"path\": \"/echo\", \"query\": {\"uid\": \"{{uid}}\", \"t\": \"{{target}}\", \"run\": "      \
    "\"{{run}}\"}, "                                                                               \
    "\"json\": {\"uid\": \"{{uid}}\"}}, \"expect\": {\"status\": 201, \"asserts\": ["              \
    "[\"jsonpath\", \"$.echo.uid\", \"matches\", \"^[a-z0-9]+$\"], [\"jsonpath\", \"$.query\", "   \
    "\"contains\", "                                                                               \
    "\"t={{target}}\"]]}}]}"

/* The uid from a step URL ".../echo?uid=UID&t=..." */
static void uid_of(const result_suite_t *su, char *out, size_t n) {
    const char *u = strstr(su->steps[0].url, "uid=");
    cr_assert_not_null(u, "%s", su->steps[0].url);
    u += 4;
    size_t len = strcspn(u, "&");
    snprintf(out, n, "%.*s", (int)len, u);
}

Test(check, builtins_unique_per_target_and_suite, .init = setup, .fini = teardown, .timeout = 60) {
    write_spec("uid1.json", UID_SPEC("1"));
    write_spec("uid2.json", UID_SPEC("2"));
    /* An external copy of the fixture next to the one parity starts. */
    target_manifest_t m;
    err_t err;
    cr_assert_eq(target_manifest_load(FX_ROOT "/targets/fixture/target.json", &m, &err), 0, "%s",
                 err.msg);
    char log[300];
    snprintf(log, sizeof log, "%s/ext.log", tmp);
    target_opts_t to = {.workers = 1, .log_path = log, .build_dir = FIXTURES_BIN_DIR "/../.."};
    target_proc_t p;
    cr_assert_eq(target_start(&m, &to, &p, &err), 0, "%s", err.msg);

    char out[300], specs[300];
    check_opts_t o = base_opts(out, sizeof out);
    snprintf(specs, sizeof specs, "%s/specs", tmp);
    o.specs[o.nspecs++] = specs;
    o.targets[o.ntargets++] = "fixture";
    o.targets[o.ntargets++] = "ext";
    o.urls[o.nurls++] = (check_url_t){"ext", p.url};
    o.run_id = "test-run-1";
    result_run_t run;
    int rc = check_run(&o, &run);
    cr_assert_eq(rc, 0);
    cr_assert_eq(run.n, 2);
    cr_assert_str_eq(run.id, "test-run-1");
    cr_assert_str_eq(run.targets[0].name, "fixture");
    cr_assert(!run.targets[0].external);
    cr_assert(run.targets[1].external);
    cr_assert_str_eq(run.targets[1].url, p.url);
    char uids[4][64];
    uid_of(suite(&run.targets[0], "uid1"), uids[0], 64);
    uid_of(suite(&run.targets[0], "uid2"), uids[1], 64);
    uid_of(suite(&run.targets[1], "uid1"), uids[2], 64);
    uid_of(suite(&run.targets[1], "uid2"), uids[3], 64);
    regex_t re;
    regcomp(&re, "^[a-z0-9]+$", REG_EXTENDED | REG_NOSUB);
    for (int i = 0; i < 4; i++) {
        cr_assert_eq(regexec(&re, uids[i], 0, NULL, 0), 0, "uid \"%s\" is lower-case alphanumeric",
                     uids[i]);
        for (int k = 0; k < i; k++)
            cr_assert_str_neq(uids[i], uids[k], "uids are unique per target and suite");
    }
    regfree(&re);
    cr_assert(strstr(suite(&run.targets[1], "uid1")->steps[0].url, "t=ext&run=test-run-1"),
              "{{target}} and {{run}}: %s", suite(&run.targets[1], "uid1")->steps[0].url);
    results_free(&run);
    /* A second run gets other uids: unique per run too. */
    o.run_id = NULL;
    cr_assert_eq(check_run(&o, &run), 0);
    char again[64];
    uid_of(suite(&run.targets[0], "uid1"), again, sizeof again);
    cr_assert_str_neq(again, uids[0]);
    results_free(&run);
    target_stop(&p, NULL);
    target_manifest_free(&m);
}

Test(check, filter_selects_suites, .init = setup, .fini = teardown, .timeout = 60) {
    char out[300];
    check_opts_t o = base_opts(out, sizeof out);
    o.specs[o.nspecs++] = FX_ROOT "/specs/deviations";
    o.targets[o.ntargets++] = "fixture";
    o.filter = "dev-s*";
    result_run_t run;
    cr_assert_eq(check_run(&o, &run), 1);
    cr_assert_eq(run.targets[0].n, 2);
    cr_assert_str_eq(run.targets[0].suites[0].name, "dev-slow");
    cr_assert_str_eq(run.targets[0].suites[1].name, "dev-status");
    results_free(&run);
}

Test(check, fail_fast_skips_the_rest, .init = setup, .fini = teardown, .timeout = 60) {
    char out[300];
    check_opts_t o = base_opts(out, sizeof out);
    o.specs[o.nspecs++] = FX_ROOT "/specs/deviations";
    o.targets[o.ntargets++] = "fixture";
    o.jobs = 1;
    o.fail_fast = true;
    result_run_t run;
    cr_assert_eq(check_run(&o, &run), 1);
    const result_target_t *t = &run.targets[0];
    cr_assert_eq(t->n, 9);
    cr_assert_eq(t->suites[0].status, RESULT_FAIL, "the first suite ran and failed");
    for (size_t i = 1; i < t->n; i++) {
        cr_assert_eq(t->suites[i].status, RESULT_SKIP, "%s", t->suites[i].name);
        cr_assert(strstr(t->suites[i].steps[0].reason, "--fail-fast"), "%s",
                  t->suites[i].steps[0].reason);
        cr_assert_eq(t->suites[i].n, 4, "every step listed as skipped");
    }
    results_free(&run);
}

Test(check, template_error_is_a_step_error, .init = setup, .fini = teardown, .timeout = 60) {
    write_spec("tmpl.json", "{\"suite\": \"tmpl\", \"steps\": ["
                            "{\"name\": \"unknown variable\", \"request\": {\"method\": \"GET\", "
                            "\"path\": \"/items/{{nope}}\"}, "
                            "\"expect\": {\"status\": 200}},"
                            "{\"name\": \"never sent\", \"request\": {\"method\": \"GET\", "
                            "\"path\": \"/json\"}, \"expect\": {\"status\": 200}}],"
                            "\"teardown\": [{\"name\": \"td\", \"request\": {\"method\": \"GET\", "
                            "\"path\": \"/json\"}, \"expect\": {\"status\": 200}}]}");
    char out[300], specs[300];
    check_opts_t o = base_opts(out, sizeof out);
    snprintf(specs, sizeof specs, "%s/specs/tmpl.json", tmp);
    o.specs[o.nspecs++] = specs;
    o.targets[o.ntargets++] = "fixture";
    result_run_t run;
    cr_assert_eq(check_run(&o, &run), 1,
                 "a spec's runtime error is a failure, not an environment error");
    const result_suite_t *su = &run.targets[0].suites[0];
    cr_assert_eq(su->n, 3);
    cr_assert_eq(su->steps[0].status, RESULT_ERROR);
    cr_assert(strstr(su->steps[0].reason, "unknown variable \"nope\""), "%s", su->steps[0].reason);
    cr_assert_eq(su->steps[1].status, RESULT_SKIP);
    cr_assert_eq(su->steps[2].status, RESULT_PASS, "teardown runs");
    cr_assert_eq(su->steps[2].phase, RESULT_TEARDOWN);
    results_free(&run);
}

Test(check, parallel_suites_give_the_same_results, .init = setup, .fini = teardown, .timeout = 60) {
    /* Nine suites on nine workers at once (each its own connection): the results must be exactly
     * those of the serial run: one failure per suite, the right step, nothing lost or mixed. */
    char out[300];
    check_opts_t o = base_opts(out, sizeof out);
    o.specs[o.nspecs++] = FX_ROOT "/specs/deviations";
    o.targets[o.ntargets++] = "fixture";
    o.jobs = 9;
    result_run_t run;
    cr_assert_eq(check_run(&o, &run), 1);
    for (size_t i = 0; i < run.targets[0].n; i++) {
        const result_suite_t *su = &run.targets[0].suites[i];
        cr_assert_eq(su->n, 4);
        cr_assert_eq(su->steps[1].status, RESULT_FAIL, "%s", su->name);
        cr_assert(strstr(su->steps[1].name, su->name + 4), "%s: %s", su->name, su->steps[1].name);
    }
    result_totals_t tt;
    result_totals(&run, &tt);
    cr_assert_eq(tt.fail, 9);
    cr_assert_eq(tt.pass, 18);
    cr_assert_eq(tt.skip, 9);
    results_free(&run);
}
