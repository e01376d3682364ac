/* target: target manifests (targets/<name>/target.json) and the process lifecycle of a target.
 *
 * Manifests: target_manifest_load() parses and validates one target.json (unknown keys and wrong
 * types are errors with file:line:col); target_manifest_scan() loads every targets/<name>/ in a
 * directory, sorted by name.
 *
 * Lifecycle (used by `parity check` and `parity bench`):
 *   target_start()  picks a free loopback port, makes a fresh temp dir with a SQLite path, spawns
 *                   the start argv in its own session/process group (setsid) with stdout+stderr
 *                   appended to the log file, the contract environment (HOST PORT WORKERS
 *                   DATABASE_PATH SECRET_KEY + manifest env + extra env), optional CPU affinity,
 *                   PR_SET_PDEATHSIG as a backstop; then polls GET <ready.path> until 200.
 *                   A timeout or an early exit fails with the last TARGET_LOG_TAIL lines of the
 * log. target_poll()   non-blocking: has the target exited? (reaps it once, thread-safe)
 *   target_stop()   SIGTERM to the whole group, waits up to stop_grace_ms for every member to
 *                   leave, then SIGKILL to the group; removes the temp dir. Idempotent.
 * Every started group is registered in a global table so that target_signals_install() can stop
 * them all when parity gets SIGINT/SIGTERM/SIGHUP (a dedicated sigwait thread).
 *
 * Database (issue 24): while a PostgreSQL database is active (db/db.h, db_set_active, set by the
 * CLI from --db/--db-url), target_start also creates a fresh database for the start (db_create,
 * before the spawn) and passes its URL as DATABASE_URL (DATABASE_PATH is still set); target_stop
 * drops it after the group is gone, and so does the signal thread, which also stops the active
 * cluster (db_emergency_stop).
 *
 * Note for callers: PR_SET_PDEATHSIG fires when the THREAD that called target_start() exits, not
 * the process; start and stop a target from the same long-lived thread.
 *
 * Ownership: target_manifest_t owns all its strings (target_manifest_free). target_proc_t is
 * caller-allocated, filled by target_start, and released by target_stop. */
#ifndef PARITY_TARGET_H
#define PARITY_TARGET_H

#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "core/util.h"
#include "db/db.h"

#define TARGET_NAME_MAX        64         /* bytes in a target name ([a-z0-9_-]+) */
#define TARGET_ARGV_MAX        128        /* elements in start/version/requires argv */
#define TARGET_ENV_MAX         64         /* manifest env entries */
#define TARGET_STR_MAX         4096       /* bytes in any manifest string after substitution */
#define TARGET_MANIFEST_MAX    (1u << 20) /* bytes in a target.json */
#define TARGET_SCAN_MAX        256        /* targets in a directory */
#define TARGET_LOG_TAIL        20         /* log lines quoted in a start error */
#define TARGET_STOP_GRACE_MS   5000       /* SIGTERM to SIGKILL */
#define TARGET_READY_TIMEOUT_S 30         /* default ready.timeout */
/* version / requires commands: parity check runs every target's at once, and seven Python imports
 * on a loaded 2-core machine took over 10 s */
#define TARGET_CMD_TIMEOUT_MS 30000
#define TARGET_PATH_MAX       4096
#define TARGET_LOG_LINE_MAX   4096 /* bytes of a log line scanned for sanitizer reports */
#define TARGET_SCRATCH_MAX    8    /* scratch dirs registered at once (target_scratch_add) */
#define TARGET_VARS_MAX       64   /* "vars" entries */
#define TARGET_VAR_NAME_MAX   128  /* bytes of a var name (a template variable name) */

/* A string variable the target declares for the suites ("vars": {"session_cookie": "sessionid"}),
 * with the position of its key for messages. */
typedef struct target_var {
    char *name, *value;
    unsigned line, col;
} target_var_t;

typedef struct target_manifest {
    char *name;
    char *description; /* "" when absent */
    char *language;    /* "" when absent */
    char *orm;         /* data-access style: "full" | "micro" | "raw"; "" when absent */
    char *dir;         /* absolute directory of the manifest ({dir}) */
    char *file;        /* path of target.json as given */
    char **start;      /* NULL-terminated argv, placeholders not yet substituted */
    char **env;        /* NULL-terminated "KEY=VALUE" (placeholders not yet substituted) */
    char *ready_path;  /* default "/plaintext" */
    int ready_timeout_s;
    char **version;     /* NULL-terminated argv or NULL */
    char **requires;    /* NULL-terminated argv or NULL */
    target_var_t *vars; /* "vars", in file order; visible to every suite as {{name}} */
    size_t nvars;
    unsigned databases; /* "databases": bit 1 << DB_SQLITE, 1 << DB_POSTGRES; default sqlite */
    char **scenarios;   /* "scenarios": what parity bench measures on it by default; NULL: all */
    char **programs;    /* "programs": other executables its start command runs (a launcher's
                           server, e.g. nginx), for parity inspect's packages; NULL: none */
} target_manifest_t;

/* True when m's "scenarios" lists name, or when it has no list. */
bool target_manifest_benches(const target_manifest_t *m, const char *name);

int target_manifest_load(const char *path, target_manifest_t *m, err_t *err);
void target_manifest_free(target_manifest_t *m);
/* Loads dir/<name>/target.json for every subdirectory that has one, sorted by name. On error
 * (any manifest invalid) nothing is returned and err names the file. */
int target_manifest_scan(const char *dir, target_manifest_t **out, size_t *n, err_t *err);
void target_manifest_free_all(target_manifest_t *ms, size_t n);
/* target_manifest_scan of ROOT/targets (cli_root), the directory into dir; an error is printed
 * ("parity CMD: ..." or the manifest's file:line:col) and -1 returned (a usage error). */
int target_manifest_scan_root(const char *cmd, char *dir, size_t dirlen, target_manifest_t **out,
                              size_t *n);

typedef struct target_opts {
    int workers;            /* WORKERS and {workers}; <= 0: the CPUs available to parity */
    const cpu_set_t *cpus;  /* affinity set in the child before exec; NULL: inherit */
    const char *log_path;   /* stdout+stderr, truncated first; required */
    const char *const *env; /* extra "KEY=VALUE" (NULL-terminated), applied last; may be NULL */
    const char *build_dir;  /* {build}; NULL: PARITY_BUILD_DIR */
    int ready_timeout_ms;   /* <= 0: the manifest's ready.timeout */
    int stop_grace_ms;      /* <= 0: TARGET_STOP_GRACE_MS */
    int ready_poll_ms;      /* > 0: poll readiness every ms (start-up timing, inspect/); else
                               20 ms doubling up to 200 */
} target_opts_t;

typedef struct target_proc {
    pid_t pid;  /* the started process */
    pid_t pgid; /* its process group (== pid) */
    int port;
    char url[64]; /* http://127.0.0.1:PORT */
    char tmpdir[TARGET_PATH_MAX];
    char db_path[TARGET_PATH_MAX];
    char log_path[TARGET_PATH_MAX];
    char secret[65];
    char db_name[64];             /* the PostgreSQL database of this start; "" with SQLite */
    char db_url[TARGET_PATH_MAX]; /* its DATABASE_URL */
    int stop_grace_ms;
    /* Exit state, guarded by mu: several runner threads poll the same target. */
    pthread_mutex_t mu;
    bool exited;
    int wstatus;
    bool stopped; /* target_stop ran (an exit after that is not a crash) */
} target_proc_t;

/* Placeholder substitution for one string ({host} {port} {workers} {db} {secret} {dir} {build}). */
typedef struct target_subst {
    const char *host, *dir, *db, *secret, *build;
    int port, workers;
} target_subst_t;
int target_substitute(const char *in, const target_subst_t *s, char *out, size_t outlen,
                      err_t *err);

int target_start(const target_manifest_t *m, const target_opts_t *o, target_proc_t *p, err_t *err);
/* 1 if the target has exited (fills *wstatus if not NULL), 0 if it is running. */
int target_poll(target_proc_t *p, int *wstatus);
/* Waits up to ms for the target to exit; 1 if it did. */
int target_wait_exit(target_proc_t *p, int ms);
/* "exited with status 3" / "killed by signal 6 (Aborted)". */
void target_describe_exit(int wstatus, char *out, size_t outlen);
/* Stops the group (SIGTERM, grace, SIGKILL), reaps, removes the temp dir. 0, or -1 when the group
 * needed SIGKILL (err says so; the processes are gone either way). */
int target_stop(target_proc_t *p, err_t *err);
/* After target_stop: -1 when the target did not end cleanly (an exit status other than 0, a signal
 * other than the SIGTERM/SIGKILL of the stop) or its log holds a sanitizer report (ASan, LSan,
 * UBSan, TSan), with err naming the status or the log file:line. Callers report it as an error
 * of the run (exit 3): a crash at shutdown is still a crash. */
int target_stop_check(target_proc_t *p, err_t *err);
/* True while some process of group pgid still exists. */
bool target_group_alive(pid_t pgid);

/* The last `lines` lines of a log file, appended to out. */
int target_log_tail(const char *path, int lines, buf_t *out);

/* First line of the version command's output, or "unknown (reason)". */
void target_version(const target_manifest_t *m, char *out, size_t outlen);
/* 1 if `requires` exits 0 (or there is none), 0 otherwise (reason in why). */
int target_requires_ok(const target_manifest_t *m, char *why, size_t whylen);

/* A tool's scratch directory (it exists) that the signal thread removes if parity is stopped
 * while the tool runs; target_scratch_remove unregisters and removes it. -1 when
 * TARGET_SCRATCH_MAX are registered already. */
int target_scratch_add(const char *dir);
void target_scratch_remove(const char *dir);
/* Blocks SIGINT/SIGTERM/SIGHUP in the calling thread (call it in main before creating threads)
 * and starts a thread that, on one of them, stops every started target and exits 128+signo.
 * Children that you fork yourself inherit the blocked mask: unblock it in the child before exec
 * (target_start and proc_run, core/proc.h, do). Calling it again does nothing; call it from the
 * main thread only. */
int target_signals_install(void);
/* `parity targets` (target_cmd.c). */
int targets_main(int argc, char **argv);

#endif
