/* cli_common: what every subcommand shares: exit codes, the repository root and build directory,
 * colour, mkdir -p, the usage-error message. The dispatcher itself is cli/cli.h.
 *
 * Nothing here allocates what the caller must free. */
#ifndef PARITY_CORE_CLI_COMMON_H
#define PARITY_CORE_CLI_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "util.h"

/* Exit codes of every subcommand (harness/README.md, "Exit codes"). */
enum {
    CLI_EXIT_OK = 0,    /* success */
    CLI_EXIT_FAIL = 1,  /* conformance failures or a regression */
    CLI_EXIT_USAGE = 2, /* usage or spec-file errors */
    CLI_EXIT_ENV =
        3, /* environment errors: a target did not start or crashed, a dependency is missing */
};

#define CLI_PATH_MAX 4096

/* The repository root: $PARITY_ROOT, else the cwd if it has specs/ and targets/, else the
 * compiled-in PARITY_SOURCE_DIR. Absolute, no trailing slash. */
int cli_root(char *out, size_t outlen, err_t *err);
/* The build directory for {build}: $PARITY_BUILD_DIR, else the compiled-in one. */
const char *cli_build_dir(void);

/* True when f is a terminal and NO_COLOR is unset (https://no-color.org). */
bool cli_color(FILE *f);

/* Prints "parity SUBCOMMAND: message\nTry 'parity SUBCOMMAND --help'." and returns CLI_EXIT_USAGE.
 */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Splits s (modified in place: commas become NULs) into list[*n..], skipping empty names, so that
 * an option is repeatable and takes comma lists ("--scenario a,b"). -1 when more than max. */
int cli_split_names(char *s, const char **list, size_t *n, size_t max);

#endif
