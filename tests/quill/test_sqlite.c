/* test_sqlite.c: targets/quill/src/sqlite.c — WAL and pragmas on open, the statement cache
 * (same statement back, reset, bindings cleared; a reused buffer with other SQL gets its own
 * statement), transactions, errors that name the SQL. */
#include "quill.h"
#include "quill_sqlite.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char path[64];
static quill_db *db;

static void setup(void) {
    snprintf(path, sizeof(path), "/tmp/quill-test-%d.db", (int)getpid());
    unlink(path);
    db = quill_db_open(path, 1000);
    cr_assert_not_null(db);
}
static void teardown(void) {
    quill_db_close(db);
    char p[80];
    unlink(path);
    snprintf(p, sizeof(p), "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof(p), "%s-shm", path);
    unlink(p);
}
TestSuite(db, .init = setup, .fini = teardown);

Test(db, wal_and_foreign_keys) {
    sqlite3_stmt *st = quill_db_prepare(db, "PRAGMA journal_mode");
    cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
    cr_assert_str_eq((const char *)sqlite3_column_text(st, 0), "wal");
    st = quill_db_prepare(db, "PRAGMA foreign_keys");
    cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
    cr_assert_eq(sqlite3_column_int(st, 0), 1);
}

Test(db, statement_cache) {
    cr_assert_eq(quill_db_exec(db, "CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT)"), 0);
    sqlite3_stmt *ins = quill_db_prepare(db, "INSERT INTO t(name) VALUES (?)");
    sqlite3_bind_text(ins, 1, "a", -1, SQLITE_STATIC);
    cr_assert_eq(sqlite3_step(ins), SQLITE_DONE);
    sqlite3_stmt *again = quill_db_prepare(db, "INSERT INTO t(name) VALUES (?)");
    cr_assert_eq(ins, again, "cached by text");
    cr_assert_eq(sqlite3_step(again), SQLITE_DONE, "reset and bindings cleared: NULL name");

    char sql[64];
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM t");
    sqlite3_stmt *c1 = quill_db_prepare(db, sql);
    cr_assert_eq(sqlite3_step(c1), SQLITE_ROW);
    cr_assert_eq(sqlite3_column_int(c1, 0), 2);
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM t WHERE name IS NULL");
    sqlite3_stmt *c2 = quill_db_prepare(db, sql); /* same buffer, other SQL */
    cr_assert_neq(c1, c2);
    cr_assert_eq(sqlite3_step(c2), SQLITE_ROW);
    cr_assert_eq(sqlite3_column_int(c2, 0), 1);

    sqlite3_stmt *sel = quill_db_prepare(db, "SELECT name FROM t ORDER BY id");
    cr_assert_eq(sqlite3_step(sel), SQLITE_ROW);
    quill_str s = quill_db_text(sel, 0);
    cr_assert_eq(s.len, 1);
    cr_assert_eq(s.ptr[0], 'a');
    cr_assert_eq(sqlite3_step(sel), SQLITE_ROW);
    cr_assert_null(quill_db_text(sel, 0).ptr, "SQL NULL");
    quill_db_done(sel);
}

Test(db, transactions) {
    quill_db_exec(db, "CREATE TABLE t(x)");
    cr_assert_eq(quill_db_begin(db), 0);
    quill_db_exec(db, "INSERT INTO t VALUES (1)");
    cr_assert_eq(quill_db_rollback(db), 0);
    cr_assert_eq(quill_db_begin(db), 0);
    quill_db_exec(db, "INSERT INTO t VALUES (2)");
    cr_assert_eq(quill_db_commit(db), 0);
    sqlite3_stmt *st = quill_db_prepare(db, "SELECT group_concat(x) FROM t");
    cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
    cr_assert_str_eq((const char *)sqlite3_column_text(st, 0), "2");
}

Test(db, errors) {
    cr_assert_null(quill_db_prepare(db, "SELEC nonsense"));
    cr_assert_eq(quill_db_exec(db, "CREATE TABLE"), -1);
    cr_assert_null(quill_db_open("/nonexistent-dir/x.db", 100));
    cr_assert_null(quill_db_open("", 100));
}
