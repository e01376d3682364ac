/* cli_db: --db sqlite|postgres and --db-url URL for every subcommand that starts targets (check,
 * bench, run, serve), read here once instead of in each command's own option parser.
 *
 * `parity run --db both` is left to run_main (a SQLite pass, then a PostgreSQL one).
 *
 * cli_db_take() removes the two options from argv (both forms: `--db X` and `--db=X`), opens what
 * they ask (db_open_opt: a private cluster, or the --db-url server) and makes it active, so that
 * every target_start of the command gets a fresh database and DATABASE_URL (target/target.h).
 * The signal thread is installed first: a Ctrl-C during initdb or the server's start-up stops
 * the half-made cluster too (db_emergency_stop). The caller db_closes after the command returns,
 * when every target has stopped and dropped its database. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "core/cli_common.h"
#include "db/db.h"
#include "target/target.h"

/* The value of option `name` at argv[*i] (`--name V` or `--name=V`), advancing *i past it; NULL
 * when argv[*i] is not that option. *missing when the value is absent. */
static const char *cli_db_opt(int argc, char **argv, int *i, const char *name, bool *missing) {
    size_t n = strlen(name);
    if (strncmp(argv[*i], name, n) != 0) return NULL;
    if (argv[*i][n] == '=') return argv[*i] + n + 1;
    if (argv[*i][n] != '\0') return NULL;
    if (*i + 1 >= argc) {
        *missing = true;
        return NULL;
    }
    return argv[++*i];
}

int cli_db_take(const char *cmd, int *argc, char **argv, db_t **db) {
    const char *kind = NULL, *url = NULL;
    bool both = false;
    int w = 0;
    *db = NULL;
    for (int i = 0; i < *argc; i++) {
        bool missing = false;
        const char *v;
        int start = i;
        if (strcmp(argv[i], "--") == 0) { /* the rest is not ours */
            while (i < *argc) argv[w++] = argv[i++];
            break;
        }
        if ((v = cli_db_opt(*argc, argv, &i, "--db-url", &missing)))
            url = v;
        else if (!missing && (v = cli_db_opt(*argc, argv, &i, "--db", &missing))) {
            if (strcmp(cmd, "run") == 0 && strcmp(v, "both") == 0) { /* run_main's own */
                while (start <= i) argv[w++] = argv[start++];
                both = true;
                continue;
            }
            kind = v;
        } else if (missing)
            return cli_usage_error(cmd, "option '%s' needs a value", argv[i]);
        else
            argv[w++] = argv[i];
    }
    argv[w] = NULL;
    *argc = w;
    if (both && (kind || url)) /* its second pass makes its own private cluster */
        return cli_usage_error(cmd, "--db both goes alone (no other --db, no --db-url)");
    if (!kind && !url) return 0;
    if (target_signals_install() < 0)
        fprintf(stderr, "parity %s: warning: cannot install signal handling\n", cmd);
    err_t err;
    bool usage = false;
    if (db_open_opt(kind, url, db, &usage, &err) < 0)
        return usage ? cli_usage_error(cmd, "%s", err.msg)
                     : (fprintf(stderr, "parity %s: %s\n", cmd, err.msg), CLI_EXIT_ENV);
    return 0;
}
