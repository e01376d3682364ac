/* cli: subcommand dispatch. See cli.h. */
#include "cli.h"

#include <stdio.h>
#include <string.h>

#include "bench/bench.h"
#include "check/check.h"
#include "diff/diff.h"
#include "core/cli_common.h"
#include "inspect/inspect.h"
#include "report/report.h"
#include "db/db.h"
#include "target/target.h"

#ifndef PARITY_VERSION
#define PARITY_VERSION "0.0.0"
#endif

/* The command table: one line per subcommand (bench, report and run register here too). */
static const cli_command_t cli_commands[] = {
    {"check", "run the conformance suites against targets", check_main},
    {"diff", "send the same requests to every target and report where their answers differ",
     diff_main},
    {"targets", "list targets with their versions and whether their dependencies are installed",
     targets_main},
    {"bench", "load-test targets with wrk: throughput, latency, CPU and memory (bench.json)",
     bench_main},
    {"inspect", "what targets cost besides speed: code, dependencies, start-up, memory (no load)",
     inspect_main},
    {"report", "write report.html, summary.md and charts from a run directory; gate on a baseline",
     report_main},
    {"serve", "start one target on a loopback port and keep it up (a browser, curl, a test)",
     serve_main},
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
    /* The commands that start targets take --db/--db-url (cli_db.c). */
    static const char *const with_db[] = {"check", "bench", "run", "serve"};
    for (size_t i = 0; i < CLI_NCOMMANDS; i++) {
        if (strcmp(cli_commands[i].name, cmd) != 0) continue;
        int sub_argc = argc - 1, rc;
        db_t *db = NULL;
        for (size_t k = 0; k < sizeof with_db / sizeof *with_db; k++)
            if (strcmp(cmd, with_db[k]) == 0 && (rc = cli_db_take(cmd, &sub_argc, argv + 1, &db)))
                return rc;
        rc = cli_commands[i].run(sub_argc, argv + 1);
        db_close(db); /* every target has stopped and dropped its database */
        return rc;
    }
    fprintf(stderr, "parity: unknown command '%s'\n\n", cmd);
    cli_help(stderr);
    return CLI_EXIT_USAGE;
}
