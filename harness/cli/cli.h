/* cli: subcommand dispatch (`parity CMD ...`); what every subcommand shares (exit codes, root
 * discovery, colour) is core/cli_common.h.
 *
 * Each subcommand is `int NAME_main(int argc, char **argv)` (argv[0] is the subcommand name, so
 * getopt_long works as usual) declared in its module's header, and registered with ONE line in
 * cli.c's command table. A subcommand prints its own --help and returns one of the CLI_EXIT_*. */
#ifndef PARITY_CLI_H
#define PARITY_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "core/cli_common.h"

typedef int (*cli_main_fn)(int argc, char **argv);

typedef struct cli_command {
    const char *name;
    const char *summary; /* one line for `parity --help` */
    cli_main_fn run;
} cli_command_t;

/* `parity serve TARGET` (serve.c). */
int serve_main(int argc, char **argv);

/* --db/--db-url of check, bench, run and serve (cli_db.c): removes them from argv, opens and
 * activates the database they ask (*db NULL for SQLite; db_close it after the command). 0 or a
 * CLI_EXIT_* code (message printed). */
typedef struct db db_t;
int cli_db_take(const char *cmd, int *argc, char **argv, db_t **db);

/* Dispatches argv[1] (or handles --help/--version). Returns the exit code. */
int cli_main(int argc, char **argv);

#endif
