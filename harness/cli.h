/* cli: subcommand dispatch and what every subcommand shares (exit codes, root discovery, colour).
 *
 * Each subcommand is `int NAME_main(int argc, char **argv)` (argv[0] is the subcommand name, so
 * getopt_long works as usual) declared in its module's header, and registered with ONE line in
 * cli.c's command table. A subcommand prints its own --help and returns one of the CLI_EXIT_*. */
#ifndef PARITY_CLI_H
#define PARITY_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "util.h"

/* Exit codes of every subcommand (architecture notes). */
enum {
    CLI_EXIT_OK = 0,    /* success */
    CLI_EXIT_FAIL = 1,  /* conformance failures or a regression */
    CLI_EXIT_USAGE = 2, /* usage or spec-file errors */
    CLI_EXIT_ENV =
        3, /* environment errors: a target did not start or crashed, a dependency is missing */
};

#define CLI_PATH_MAX 4096

typedef int (*cli_main_fn)(int argc, char **argv);

typedef struct cli_command {
    const char *name;
    const char *summary; /* one line for `parity --help` */
    cli_main_fn run;
} cli_command_t;

/* Dispatches argv[1] (or handles --help/--version). Returns the exit code. */
int cli_main(int argc, char **argv);

/* The repository root: $PARITY_ROOT, else the cwd if it has specs/ and targets/, else the
 * compiled-in PARITY_SOURCE_DIR. Absolute, no trailing slash. */
int cli_root(char *out, size_t outlen, err_t *err);
/* The build directory for {build}: $PARITY_BUILD_DIR, else the compiled-in one. */
const char *cli_build_dir(void);

/* True when f is a terminal and NO_COLOR is unset (https://no-color.org). */
bool cli_color(FILE *f);
/* mkdir -p. */
int cli_mkdirs(const char *path, err_t *err);

/* Prints "parity SUBCOMMAND: message\nTry 'parity SUBCOMMAND --help'." and returns CLI_EXIT_USAGE.
 */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
