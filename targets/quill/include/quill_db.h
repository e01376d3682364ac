/*
 * quill_db.h: one small database interface, two backends (SQLite and PostgreSQL through libpq).
 * Optional part of quill: include it beside quill.h when the application uses a database.
 *
 * What it owns: a quill_db is ONE connection, used by ONE thread (open it in a worker start hook,
 * close it in the stop hook). It owns every statement prepared on it; quill_db_close() frees them
 * all, so callers never free a quill_stmt. A statement is prepared once per connection and reused
 * (SQLite: sqlite3_prepare_v3 PERSISTENT; PostgreSQL: PQprepare under a generated name).
 *
 * SQL is written once, in SQLite's parameter style: `?` (numbered in order) or `?N`. The
 * PostgreSQL backend translates the text once at prepare time to `$1..$k`, numbering the
 * parameters the statement actually uses densely (PostgreSQL cannot infer the type of a `$n` the
 * text never mentions); binding an index the statement does not use is ignored on both backends,
 * so one binding routine serves statements that leave some filters out. What is not portable
 * (functions, INSERT OR IGNORE, json_each) the application writes per dialect: ask
 * quill_db_dialect(). New rows: write `INSERT ... RETURNING id` (SQLite 3.35+ and PostgreSQL)
 * and read the id as the row.
 *
 *     static int on_start(quill_worker *w, void *data) {
 *         quill_db *db = quill_db_open(getenv("DATABASE_URL"), 5000);  // or a file path
 *         if (!db) return -1;
 *         quill_worker_set_data(w, db);
 *         return 0;
 *     }
 *     ... in a handler:
 *     quill_stmt *st = quill_db_prepare(db, "SELECT name FROM users WHERE id = ?");
 *     quill_stmt_bind_int64(st, 1, id);
 *     if (quill_stmt_step(st) == QUILL_DB_ROW) name = quill_stmt_text(st, 0);
 *     quill_stmt_reset(st);   // ends the result; the next prepare of the same SQL resets too
 *
 * Text that is not valid UTF-8 equals nothing stored: SQLite compares the bytes and finds no
 * match; PostgreSQL cannot even receive it, so there a SELECT bound with such a text returns no
 * rows (DONE at the first step, also for an aggregate) and any other statement fails.
 *
 * Lifetimes: bound text is NOT copied by SQLite (it must stay valid until the statement is reset:
 * request memory is fine) and is copied by PostgreSQL; column values are valid until the next
 * step or reset of their statement.
 */
#ifndef QUILL_DB_H
#define QUILL_DB_H

#include "quill.h"

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct quill_db quill_db;
typedef struct quill_stmt quill_stmt;

/* Results of quill_stmt_step() (and of exec / begin / commit, which never yield ROW). Errors are
 * negative: one code per thing a caller reacts to differently; the message is on stderr. */
#define QUILL_DB_DONE  0  /* the statement ran to completion */
#define QUILL_DB_ROW   1  /* a row is ready for the column getters */
#define QUILL_DB_ERROR -1 /* anything else (logged) */
#define QUILL_DB_UNIQUE                                                                            \
    -2                         /* unique / primary key violation (SQLite CONSTRAINT_UNIQUE,        \
                                * PostgreSQL SQLSTATE 23505): usually a 409 or a 422 */
#define QUILL_DB_CONSTRAINT -3 /* another integrity violation (foreign key, not null, check) */
#define QUILL_DB_BUSY       -4 /* lock timeout, deadlock or serialization failure: retryable */

/* Hard limits. */
#define QUILL_DB_MAX_PARAMS 32   /* highest parameter index of a statement */
#define QUILL_DB_MAX_SQL    8192 /* longest statement text */

typedef enum { QUILL_DB_SQLITE, QUILL_DB_POSTGRES } quill_db_dialect_t;

/* True when `target` names a PostgreSQL server (a libpq URI: postgresql:// or postgres://, or a
 * key=value connection string); anything else is an SQLite file path. */
bool quill_db_is_postgres(const char *target);
/* libpq's version (PQlibVersion, e.g. 150018), or 0 when libpq cannot be loaded: libpq is not
 * linked but loaded when PostgreSQL is first opened, so that a process on SQLite maps none of
 * libpq's dependencies (src/db_pqlib.h). */
int quill_db_libpq_version(void);

/* Opens a connection: an SQLite file (created; WAL, synchronous=NORMAL, foreign_keys=ON, the busy
 * timeout) or a PostgreSQL server (client encoding UTF8; busy_timeout_ms is not used: PostgreSQL
 * waits for row locks and its deadlock detector ends a cycle, QUILL_DB_BUSY). NULL on failure,
 * the reason on stderr naming the file or the server (never the password). */
quill_db *quill_db_open(const char *target, int busy_timeout_ms);
void quill_db_close(quill_db *db); /* frees every statement prepared on it */
quill_db_dialect_t quill_db_dialect(const quill_db *db);
/* The backend's own handle (sqlite3 * or PGconn *), for what the interface does not cover. */
void *quill_db_handle(quill_db *db);
/* The last error message of the connection ("" if none). Valid until the next call on db. */
const char *quill_db_errmsg(quill_db *db);

/* Runs a script of statements without parameters or results (schema). QUILL_DB_DONE or < 0. */
int quill_db_exec(quill_db *db, const char *sql);

/* The statement for `sql`, prepared on first use (cached by text), reset with its bindings
 * cleared. NULL when it does not compile (the error and the SQL on stderr). */
quill_stmt *quill_db_prepare(quill_db *db, const char *sql);
/* The same without the cache lookup: the caller keeps the pointer (e.g. in an array by id) and
 * calls quill_stmt_reset() before each use. Still owned and freed by db. */
quill_stmt *quill_db_prepare_new(quill_db *db, const char *sql);

/* Binds parameter `idx` (1-based, the N of ?N). 0, or -1 when idx is beyond QUILL_DB_MAX_PARAMS
 * or memory runs out; an index the statement does not use is accepted and ignored. */
int quill_stmt_bind_int64(quill_stmt *st, int idx, int64_t v);
int quill_stmt_bind_text(quill_stmt *st, int idx, const char *s, size_t len);
int quill_stmt_bind_null(quill_stmt *st, int idx);

/* Runs the statement / fetches the next row: QUILL_DB_ROW, QUILL_DB_DONE or an error code. */
int quill_stmt_step(quill_stmt *st);
/* Column getters for the current row (0-based). Booleans read as int64 0 / 1 on both backends;
 * SQL NULL reads as 0 and as {NULL, 0}. */
int64_t quill_stmt_int64(quill_stmt *st, int col);
quill_str quill_stmt_text(quill_stmt *st, int col);
bool quill_stmt_is_null(quill_stmt *st, int col);
/* Ends the result (releases SQLite read locks, frees the PostgreSQL result) and clears the
 * bindings. Safe on a statement never stepped and on NULL. */
void quill_stmt_reset(quill_stmt *st);
/* True between the first step and the reset (a result is open). */
bool quill_stmt_busy(const quill_stmt *st);

/* Transactions. begin(write=true) takes the write lock at once on SQLite (BEGIN IMMEDIATE, so the
 * transaction never fails on a lock upgrade); PostgreSQL has row locks and begins plainly. */
int quill_db_begin(quill_db *db, bool write);
int quill_db_commit(quill_db *db);   /* on failure the transaction is rolled back */
int quill_db_rollback(quill_db *db); /* no-op when none is open */
bool quill_db_in_transaction(quill_db *db);

#ifdef __cplusplus
}
#endif
#endif /* QUILL_DB_H */
