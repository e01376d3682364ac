/*
 * quill_sqlite.h: a per-worker SQLite connection with a statement cache.
 * Optional part of quill: include it beside quill.h when the application uses it.
 */
#ifndef QUILL_SQLITE_H
#define QUILL_SQLITE_H

#include "quill.h"

#include <sqlite3.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------------------------
 * SQLite helper: one connection per worker (open it in a worker start hook), WAL, busy timeout,
 * prepared statements cached by SQL text. A quill_db must only be used by the thread that opened
 * it.
 *
 *     static int on_start(quill_worker *w, void *data) {
 *         quill_db *db = quill_db_open(getenv("DATABASE_PATH"), 5000);
 *         if (!db) return -1;
 *         quill_worker_set_data(w, db);
 *         return 0;
 *     }
 *     ... in a handler:
 *     quill_db *db = quill_worker_data(quill_req_worker(req));
 *     sqlite3_stmt *st = quill_db_prepare(db, "SELECT name FROM users WHERE id = ?");
 *     sqlite3_bind_int64(st, 1, id);
 *     if (sqlite3_step(st) == SQLITE_ROW) ...
 *     quill_db_done(st);    // or let the next quill_db_prepare of the same SQL reset it
 * ------------------------------------------------------------------------------------------- */

typedef struct quill_db quill_db;

/* Opens (creating) `path` with journal_mode=WAL, synchronous=NORMAL, foreign_keys=ON and the
 * busy timeout. NULL on failure, with the reason on stderr (naming the path). */
quill_db *quill_db_open(const char *path, int busy_timeout_ms);
void quill_db_close(quill_db *db); /* finalizes every cached statement */
sqlite3 *quill_db_handle(quill_db *db);
/* Executes one or more statements without results (schema); -1 with the error on stderr. */
int quill_db_exec(quill_db *db, const char *sql);
/* The cached statement for `sql`, reset and with bindings cleared; prepared on first use.
 * NULL (error on stderr, with the SQL) when it does not compile. */
sqlite3_stmt *quill_db_prepare(quill_db *db, const char *sql);
/* Resets a statement obtained from quill_db_prepare (releases read locks early). */
void quill_db_done(sqlite3_stmt *st);
/* BEGIN IMMEDIATE / COMMIT / ROLLBACK through cached statements. */
int quill_db_begin(quill_db *db);
int quill_db_commit(quill_db *db);
int quill_db_rollback(quill_db *db);
/* Column text as a slice (NULL ptr for SQL NULL); valid until the next step/reset. */
quill_str quill_db_text(sqlite3_stmt *st, int col);

#ifdef __cplusplus
}
#endif
#endif /* QUILL_SQLITE_H */
