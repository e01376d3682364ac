/* cli: subcommand dispatch, root discovery, shared CLI helpers. See cli.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench.h"
#include "check.h"
#include "report.h"
#include "cli.h"
#include "target.h"

#ifndef PARITY_VERSION
#define PARITY_VERSION "0.0.0"
#endif
#ifndef PARITY_SOURCE_DIR
#define PARITY_SOURCE_DIR "."
#endif
#ifndef PARITY_BUILD_DIR
#define PARITY_BUILD_DIR "."
#endif

/* The command table: one line per subcommand (bench, report and run register here too). */
static const cli_command_t cli_commands[] = {
    {"check", "run the conformance suites against targets", check_main},
    {"targets", "list targets with their versions and whether their dependencies are installed",
     targets_main},
    {"bench", "load-test targets with wrk: throughput, latency, CPU and memory (bench.json)",
     bench_main},
    {"report", "write report.html, summary.md and charts from a run directory; gate on a baseline",
     report_main},
    {"run", "the main job: check + bench (quick) + report into reports/runs/<id>/", run_main},
};
#define CLI_NCOMMANDS (sizeof cli_commands / sizeof *cli_commands)

static void cli_help(FILE *f) {
    fprintf(f, "usage: parity [--version] [--help] COMMAND [ARGS]\n\n"
               "parity checks that web framework implementations of one blog contract behave "
               "identically,\n"
               "then benchmarks them.\n\ncommands:\n");
    for (size_t i = 0; i < CLI_NCOMMANDS; i++)
        fprintf(f, "  %-10s %s\n", cli_commands[i].name, cli_commands[i].summary);
    fprintf(f, "\n'parity COMMAND --help' describes a command.\n\n"
               "exit codes: 0 success, 1 conformance failures or a regression, 2 usage or "
               "spec-file errors,\n"
               "            3 environment errors (a target did not start or crashed, a dependency "
               "is missing)\n"
               "environment: PARITY_ROOT (repository root: specs/, targets/), PARITY_BUILD_DIR, "
               "NO_COLOR\n");
}

int cli_main(int argc, char **argv) {
    if (argc < 2) {
        cli_help(stderr);
        return CLI_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        if (strcmp(cmd, "help") == 0 && argc > 2) {
            char *sub[] = {argv[2], "--help", NULL};
            for (size_t i = 0; i < CLI_NCOMMANDS; i++)
                if (strcmp(cli_commands[i].name, argv[2]) == 0) return cli_commands[i].run(2, sub);
            return cli_usage_error("help", "unknown command '%s'", argv[2]);
        }
        cli_help(stdout);
        return CLI_EXIT_OK;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0) {
        printf("parity %s\n", PARITY_VERSION);
        return CLI_EXIT_OK;
    }
    for (size_t i = 0; i < CLI_NCOMMANDS; i++)
        if (strcmp(cli_commands[i].name, cmd) == 0) return cli_commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "parity: unknown command '%s'\n\n", cmd);
    cli_help(stderr);
    return CLI_EXIT_USAGE;
}

int cli_usage_error(const char *cmd, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "parity %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\nTry 'parity %s --help'.\n", cmd);
    va_end(ap);
    return CLI_EXIT_USAGE;
}

static bool cli_is_dir(const char *p) {
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

int cli_root(char *out, size_t outlen, err_t *err) {
    const char *env = getenv("PARITY_ROOT");
    char cand[CLI_PATH_MAX];
    if (env && *env) {
        if (!cli_is_dir(env)) return err_set(err, "PARITY_ROOT=%s: not a directory", env);
        snprintf(cand, sizeof cand, "%s", env);
    } else {
        char cwd[CLI_PATH_MAX], a[CLI_PATH_MAX + 16], b[CLI_PATH_MAX + 16];
        if (getcwd(cwd, sizeof cwd) && (snprintf(a, sizeof a, "%s/specs", cwd), cli_is_dir(a)) &&
            (snprintf(b, sizeof b, "%s/targets", cwd), cli_is_dir(b)))
            snprintf(cand, sizeof cand, "%s", cwd);
        else
            snprintf(cand, sizeof cand, "%s", PARITY_SOURCE_DIR);
    }
    char *abs = realpath(cand, NULL);
    if (!abs) return err_set(err, "%s: %s", cand, strerror(errno));
    size_t n = strlen(abs);
    if (n >= outlen) {
        free(abs);
        return err_set(err, "root path too long");
    }
    memcpy(out, abs, n + 1);
    free(abs);
    return 0;
}

const char *cli_build_dir(void) {
    const char *env = getenv("PARITY_BUILD_DIR");
    return env && *env ? env : PARITY_BUILD_DIR;
}

bool cli_color(FILE *f) {
    const char *nc = getenv("NO_COLOR");
    if (nc && *nc) return false;
    return isatty(fileno(f)) == 1;
}

int cli_mkdirs(const char *path, err_t *err) {
    char p[CLI_PATH_MAX];
    if ((size_t)snprintf(p, sizeof p, "%s", path) >= sizeof p)
        return err_set(err, "%s: path too long", path);
    for (char *s = p + 1; *s; s++) {
        if (*s != '/') continue;
        *s = '\0';
        if (mkdir(p, 0755) != 0 && errno != EEXIST)
            return err_set(err, "cannot create %s: %s", p, strerror(errno));
        *s = '/';
    }
    if (mkdir(p, 0755) != 0 && errno != EEXIST)
        return err_set(err, "cannot create %s: %s", p, strerror(errno));
    if (!cli_is_dir(p)) return err_set(err, "%s: not a directory", p);
    return 0;
}
