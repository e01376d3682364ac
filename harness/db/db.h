/* db: the database a run's targets use, below target/ (issue 24).
 *
 * SQLite needs nothing from parity beyond a path (target/ makes it). PostgreSQL needs a server and
 * one fresh database per target start; this layer owns both:
 *
 *   db_open_cluster()  a PRIVATE PostgreSQL 15 cluster for this parity process: initdb
 *                      (-E UTF8 --locale=C --auth=trust -U parity) into
 * $TMPDIR/parity.pg-<pid>-XXXXXX (as the `postgres` system user when parity runs as root), then
 * `postgres` started directly as a child in its own session, listening only on a Unix socket in
 * that directory (listen_addresses='', -k DIR) on a free port number, max_connections
 * DB_MAX_CONNECTIONS, fsync and synchronous_commit at their defaults. PR_SET_PDEATHSIG(SIGQUIT) is
 * set in the child after the setuid (a credential change clears it), so the cluster dies with
 * parity even on SIGKILL; the directory of a dead parity is removed by the next db_open_cluster
 * (db_sweep_stale). db_open_url()      an existing server: the URL names the maintenance database
 * parity connects to for CREATE/DROP DATABASE (it is never used by a target). db_create() CREATE
 * DATABASE "parity_<pid>_<n>_<target>" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE
 * 'C', and its libpq URI (the target's DATABASE_URL):
 * postgresql://parity@/NAME?host=SOCKDIR&port=PORT for the cluster, the --db-url with its path
 * replaced by /NAME otherwise. db_drop()          DROP DATABASE IF EXISTS ... WITH (FORCE).
 *   db_close()         drops nothing (targets drop their own); stops the cluster (SIGINT = fast
 *                      shutdown, DB_STOP_GRACE_MS, then SIGQUIT, then SIGKILL to its group) and
 *                      removes its directory. Idempotent on NULL.
 *
 * The ACTIVE database (db_set_active) is what target_start() uses: one per parity process, set by
 * the CLI (check, bench, run) before any target starts and cleared before db_close. The signal
 * thread of target/ calls db_emergency_stop() on Ctrl-C, which stops the active cluster and
 * removes its directory without libpq.
 *
 * Every libpq connection is made per call (CREATE/DROP are rare), so the functions are
 * thread-safe once the db_t is open. Errors name the step (initdb, start, connect, CREATE ...).
 *
 * Ownership: db_t is allocated by db_open_* and freed by db_close. Strings returned through
 * caller buffers; db_settings() points into the db_t. */
#ifndef PARITY_DB_H
#define PARITY_DB_H

#include <stdbool.h>
#include <stddef.h>

#include "core/util.h"

#define DB_MAX_CONNECTIONS   200 /* every target's pools x workers must fit (check runs them all) */
#define DB_NAME_MAX          64  /* PostgreSQL identifiers: 63 bytes */
#define DB_URL_MAX           4096 /* bytes of a URL */
#define DB_PATH_MAX          4096
#define DB_INITDB_TIMEOUT_MS 120000
#define DB_READY_TIMEOUT_MS  60000    /* postgres accepting connections after start */
#define DB_STOP_GRACE_MS     10000    /* SIGINT (fast shutdown) to SIGQUIT */
#define DB_LOG_TAIL          15       /* log lines quoted in an error */
#define DB_USER              "parity" /* the cluster's bootstrap superuser (trust auth) */

typedef enum db_kind { DB_SQLITE = 0, DB_POSTGRES = 1 } db_kind_t;

/* What the server says about itself, recorded in bench.json and conformance.json. */
typedef struct db_settings {
    char kind[16];    /* "postgres" */
    char mode[16];    /* "private" (our cluster) | "url" (--db-url) */
    char version[64]; /* server_version */
    char fsync[16];
    char synchronous_commit[16];
    char shared_buffers[32];
    char max_connections[16];
    char host[DB_PATH_MAX]; /* socket directory or host name */
    char port[16];
    char user[64];    /* the role parity connects as */
    char os_user[64]; /* the system user running the private cluster; "" for url */
} db_settings_t;

typedef struct db db_t;

/* "sqlite" | "postgres" -> kind; -1 otherwise. */
int db_kind_parse(const char *s, db_kind_t *out);
const char *db_kind_name(db_kind_t k);

int db_open_cluster(db_t **out, err_t *err);
int db_open_url(const char *url, db_t **out, err_t *err);
void db_close(db_t *db);
const db_settings_t *db_settings(const db_t *db);

/* A fresh database for target `target`: its name (name, DB_NAME_MAX) and URL (url, urllen). */
int db_create(db_t *db, const char *target, char *name, size_t namelen, char *url, size_t urllen,
              err_t *err);
int db_drop(db_t *db, const char *name, err_t *err);
/* 1 if database `name` exists, 0 if not, -1 on error (tests). */
int db_exists(db_t *db, const char *name, err_t *err);

/* What --db KIND / --db-url URL ask (either may be NULL): nothing for SQLite (*out NULL), a private
 * cluster for "postgres", the server of URL for --db-url (KIND must then be NULL or "postgres").
 * The opened database is made active and one line on stderr says what runs where. -1 with err
 * (a usage error when the options conflict: *usage set). */
int db_open_opt(const char *kind, const char *url, db_t **out, bool *usage, err_t *err);
/* {"kind": "sqlite"} or {"kind": "postgres", "mode", "version", "fsync", "synchronous_commit",
 * "shared_buffers", "max_connections", "host", "port", "user", "os_user"}; NULL settings mean
 * SQLite. Returns a cJSON object (void * keeps cJSON out of this header); the caller owns it. */
void *db_settings_json(const db_settings_t *s);

void db_set_active(db_t *db);
db_t *db_active(void);
/* Signal thread only. db_emergency_begin first (from then on the main thread leaves the cluster to
 * it: db_close and a failed start wait for the process to _exit), then, once the targets are
 * down, db_emergency_stop: SIGINT to the cluster being made or running, SIGQUIT after 3 s, then
 * SIGKILL; its directory removed. */
void db_emergency_begin(void);
void db_emergency_stop(void);
/* Removes $TMPDIR/parity.pg-<pid>-* directories whose parity is gone (after a SIGKILL), killing a
 * postmaster still running in one. Returns how many it removed. */
int db_sweep_stale(const char *tmpdir);

/* ---- URLs (db_url.c, pure) ------------------------------------------------------------------ */

/* The parts of postgresql://[USER[:PW]@][HOST][:PORT][/DBNAME][?QUERY], each still
 * percent-encoded as written; offsets into the caller's string. */
typedef struct db_url {
    size_t auth_end; /* end of scheme://authority (the path or query starts here) */
    size_t path;     /* start of "/DBNAME" or == auth_end when absent */
    size_t path_end; /* end of the path (the '?' or the end) */
} db_url_t;

/* Accepts postgresql:// and postgres:// URIs; -1 with err on anything else. */
int db_url_parse(const char *url, db_url_t *u, err_t *err);
/* The same URL with its database replaced by dbname (query kept). */
int db_url_with_dbname(const char *url, const char *dbname, char *out, size_t outlen, err_t *err);
/* postgresql://USER@/DBNAME?host=SOCKDIR&port=PORT, SOCKDIR percent-encoded. */
int db_url_socket(const char *user, const char *dbname, const char *sockdir, int port, char *out,
                  size_t outlen, err_t *err);
/* parity_<pid>_<seq>_<target> with [^a-z0-9_] -> '_', truncated to 63 bytes. */
void db_name_for(const char *target, long pid, unsigned seq, char *out, size_t outlen);

#endif
