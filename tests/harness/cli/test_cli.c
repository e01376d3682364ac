/* cli: dispatch, --help/--version of every command, usage errors (exit 2), root discovery,
 * mkdir -p, and `parity targets` on the fixture manifests (exit 3 when a dependency is missing). */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "target/target.h"

static int run(int argc, char **argv) {
    return cli_main(argc, argv);
}

static void redirect(void) {
    cr_redirect_stdout();
    cr_redirect_stderr();
}

Test(cli, version, .init = redirect) {
    char *a[] = {"parity", "--version", NULL};
    cr_assert_eq(run(2, a), CLI_EXIT_OK);
    fflush(stdout);
    cr_assert_stdout_eq_str("parity " PARITY_VERSION "\n");
}

Test(cli, help_lists_commands, .init = redirect) {
    char *a[] = {"parity", "--help", NULL};
    cr_assert_eq(run(2, a), CLI_EXIT_OK);
    fflush(stdout);
    FILE *f = cr_get_redirected_stdout();
    char buf[8192];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    cr_assert(strstr(buf, "  check "), "%s", buf);
    cr_assert(strstr(buf, "  targets "), "%s", buf);
    cr_assert(strstr(buf, "exit codes: 0 success"), "%s", buf);
}

Test(cli, every_command_has_help, .init = redirect) {
    const char *cmds[] = {"check", "targets"};
    for (size_t i = 0; i < 2; i++) {
        char *a[] = {"parity", (char *)cmds[i], "--help", NULL};
        cr_assert_eq(run(3, a), CLI_EXIT_OK, "%s --help", cmds[i]);
        char *h[] = {"parity", "help", (char *)cmds[i], NULL};
        cr_assert_eq(run(3, h), CLI_EXIT_OK, "help %s", cmds[i]);
    }
    fflush(stdout);
    FILE *f = cr_get_redirected_stdout();
    static char buf[65536];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    cr_assert(strstr(buf, "usage: parity check [OPTIONS]"));
    cr_assert(strstr(buf, "usage: parity targets"));
    cr_assert(strstr(buf, "--url NAME=URL"));
}

Test(cli, usage_errors_exit_2, .init = redirect) {
    char *a1[] = {"parity", NULL};
    cr_assert_eq(run(1, a1), CLI_EXIT_USAGE);
    char *a2[] = {"parity", "nonsense", NULL};
    cr_assert_eq(run(2, a2), CLI_EXIT_USAGE);
    char *a3[] = {"parity", "check", "--jobs", "x", NULL};
    cr_assert_eq(run(4, a3), CLI_EXIT_USAGE);
    char *a4[] = {"parity", "check", "--bogus", NULL};
    cr_assert_eq(run(3, a4), CLI_EXIT_USAGE);
    char *a5[] = {"parity", "check", "--url", "x=ftp://h", NULL};
    cr_assert_eq(run(4, a5), CLI_EXIT_USAGE);
    char *a6[] = {"parity", "check", "--target", NULL};
    cr_assert_eq(run(3, a6), CLI_EXIT_USAGE);
    char *a7[] = {"parity", "check", "stray", NULL};
    cr_assert_eq(run(3, a7), CLI_EXIT_USAGE);
    char *a8[] = {"parity", "help", "nonsense", NULL};
    cr_assert_eq(run(3, a8), CLI_EXIT_USAGE);
    char *a9[] = {"parity", "check", "--secret", "nokey", NULL};
    cr_assert_eq(run(4, a9), CLI_EXIT_USAGE);
    fflush(stderr);
    FILE *f = cr_get_redirected_stderr();
    static char buf[65536];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    cr_assert(strstr(buf, "parity check: --jobs wants an integer in 1..64, got 'x'"), "%s", buf);
    cr_assert(strstr(buf, "parity check: unknown option '--bogus'"), "%s", buf);
    cr_assert(strstr(buf, "--url wants NAME=http://HOST:PORT"), "%s", buf);
    cr_assert(strstr(buf, "option '--target' needs a value"), "%s", buf);
    cr_assert(strstr(buf, "unexpected argument 'stray'"), "%s", buf);
    cr_assert(strstr(buf, "parity: unknown command 'nonsense'"), "%s", buf);
    cr_assert(strstr(buf, "--secret wants NAME=KEY"), "%s", buf);
}

Test(cli, root_discovery) {
    char root[CLI_PATH_MAX];
    err_t err;
    setenv("PARITY_ROOT", TESTS_DIR "/fixtures", 1);
    cr_assert_eq(cli_root(root, sizeof root, &err), 0, "%s", err.msg);
    cr_assert(str_ends_with(root, "/tests/fixtures"), "%s", root);
    setenv("PARITY_ROOT", "/nonexistent-parity-root", 1);
    cr_assert_eq(cli_root(root, sizeof root, &err), -1);
    cr_assert(strstr(err.msg, "PARITY_ROOT=/nonexistent-parity-root: not a directory"), "%s",
              err.msg);
    unsetenv("PARITY_ROOT");
    /* The cwd when it has specs/ and targets/. */
    cr_assert_eq(chdir(TESTS_DIR "/fixtures"), 0);
    cr_assert_eq(cli_root(root, sizeof root, &err), 0);
    cr_assert(str_ends_with(root, "/tests/fixtures"), "%s", root);
    /* Else the compiled-in source dir. */
    cr_assert_eq(chdir("/"), 0);
    cr_assert_eq(cli_root(root, sizeof root, &err), 0);
    char *src = realpath(PARITY_SOURCE_DIR, NULL);
    cr_assert_str_eq(root, src);
    free(src);
}

Test(cli, color_honours_no_color) {
    setenv("NO_COLOR", "1", 1);
    cr_assert(!cli_color(stderr));
}

Test(cli, targets_lists_and_exits_3_on_missing_deps, .init = redirect, .timeout = 60) {
    setenv("PARITY_ROOT", TESTS_DIR "/fixtures", 1);
    char *a1[] = {"targets", "fixture", "fixture-crash", NULL};
    cr_assert_eq(targets_main(3, a1), CLI_EXIT_OK);
    char *a2[] = {"targets", NULL};
    cr_assert_eq(targets_main(1, a2), CLI_EXIT_ENV, "fixture-missing-deps fails its requires");
    char *a3[] = {"targets", "nope", NULL};
    cr_assert_eq(targets_main(2, a3), CLI_EXIT_USAGE);
    char *a4[] = {"targets", "--json", "fixture", NULL};
    cr_assert_eq(targets_main(3, a4), CLI_EXIT_OK);
    fflush(stdout);
    fflush(stderr);
    FILE *f = cr_get_redirected_stdout();
    static char out[65536];
    size_t n = fread(out, 1, sizeof out - 1, f);
    out[n] = '\0';
    cr_assert(strstr(out, "NAME         DEPS     ORM    VERSION"), "%s", out);
    cr_assert(strstr(out, "fixture      ok       -      fixture-server 1.0 (ready)"), "%s", out);
    cr_assert(strstr(out, "fixture-missing-deps MISSING"), "%s", out);
    cr_assert(strstr(out, "\"requires_ok\":\ttrue"), "%s", out);
    FILE *e = cr_get_redirected_stderr();
    n = fread(out, 1, sizeof out - 1, e);
    out[n] = '\0';
    cr_assert(strstr(out, "fixture-missing-deps: dependencies missing: requires exited 1"), "%s",
              out);
    cr_assert(strstr(out, "unknown target 'nope'"), "%s", out);
}
