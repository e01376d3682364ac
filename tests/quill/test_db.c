/* test_db.c: targets/quill/src/db.c and db_pg.c — the one interface of quill_db.h on both
 * backends: the statement cache (same statement back, reset, bindings cleared; a reused buffer
 * with other SQL gets its own statement), ?N translated for PostgreSQL (dense $k, unused indexes
 * ignored), bind / step / column getters, RETURNING id, unique and foreign-key violations as
 * their own codes, transactions, errors.
 *
 * The PostgreSQL suite starts a private cluster once for the whole run (initdb into a temporary
 * directory, a Unix socket only, as the `postgres` user when run as root) and removes it at the
 * end. No skip: if the cluster cannot start, every PostgreSQL test fails saying why. Each test
 * works on TEMPORARY tables of its own connection, so tests running in parallel never meet. */
#include "db_internal.h"
#include "quill.h"
#include "quill_db.h"

#include <criterion/criterion.h>
#include <criterion/hooks.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PG_BIN "/usr/lib/postgresql/15/bin"

static char pg_dir[64];
static char pg_error[256];

static int sh(const char *cmd) {
    int rc = system(cmd);
    return rc == 0 ? 0 : -1;
}

ReportHook(PRE_ALL)(struct criterion_test_set *set) {
    (void)set;
    snprintf(pg_dir, sizeof pg_dir, "/tmp/quill-test-pg-%d", (int)getpid());
    int port = 5400 + (int)(getpid() % 500);
    const char *as = geteuid() == 0 ? "runuser -u postgres -- " : "";
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "rm -rf %s && mkdir -p %s && %s %s && %s" PG_BIN "/initdb -D %s/data -E UTF8"
             " --locale=C --auth=trust -U parity >%s/initdb.log 2>&1 && %s" PG_BIN
             "/pg_ctl -D %s/data -o \"-c listen_addresses='' -p %d -k %s -c fsync=off\""
             " -l %s/log -w start >/dev/null 2>&1",
             pg_dir, pg_dir, geteuid() == 0 ? "chown postgres" : "true", pg_dir, as, pg_dir, pg_dir,
             as, pg_dir, port, pg_dir, pg_dir);
    if (sh(cmd) != 0) {
        snprintf(pg_error, sizeof pg_error,
                 "cannot start a PostgreSQL 15 cluster in %s (see its initdb.log / log)", pg_dir);
        setenv("QUILL_TEST_PG_ERROR", pg_error, 1);
        return;
    }
    char url[256];
    snprintf(url, sizeof url, "postgresql://parity@/postgres?host=%s&port=%d", pg_dir, port);
    setenv("QUILL_TEST_PG_URL", url, 1);
}

ReportHook(POST_ALL)(struct criterion_global_stats *stats) {
    (void)stats;
    if (!pg_dir[0]) return;
    const char *as = geteuid() == 0 ? "runuser -u postgres -- " : "";
    char cmd[512];
    snprintf(cmd, sizeof cmd, "%s" PG_BIN "/pg_ctl -D %s/data -m immediate stop >/dev/null 2>&1",
             as, pg_dir);
    sh(cmd);
    snprintf(cmd, sizeof cmd, "rm -rf %s", pg_dir);
    sh(cmd);
}

static char path[64];
static quill_db *db;

static void setup_sqlite(void) {
    snprintf(path, sizeof(path), "/tmp/quill-test-%d.db", (int)getpid());
    unlink(path);
    db = quill_db_open(path, 1000);
    cr_assert_not_null(db);
    cr_assert_eq(quill_db_dialect(db), QUILL_DB_SQLITE);
}
static void teardown_sqlite(void) {
    quill_db_close(db);
    char p[80];
    unlink(path);
    snprintf(p, sizeof(p), "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof(p), "%s-shm", path);
    unlink(p);
}
static void setup_pg(void) {
    const char *url = getenv("QUILL_TEST_PG_URL");
    if (!url)
        cr_assert_fail("%s", getenv("QUILL_TEST_PG_ERROR") ? getenv("QUILL_TEST_PG_ERROR")
                                                           : "no PostgreSQL cluster");
    db = quill_db_open(url, 1000);
    cr_assert_not_null(db, "cannot connect to the test cluster at %s", url);
    cr_assert_eq(quill_db_dialect(db), QUILL_DB_POSTGRES);
}
static void teardown_pg(void) {
    quill_db_close(db);
}
TestSuite(sqlite, .init = setup_sqlite, .fini = teardown_sqlite);
TestSuite(pg, .init = setup_pg, .fini = teardown_pg);

static const char *ident_type(void) {
    return quill_db_dialect(db) == QUILL_DB_SQLITE ? "INTEGER PRIMARY KEY"
                                                   : "BIGSERIAL PRIMARY KEY";
}

static void make_tables(void) {
    char sql[512];
    snprintf(sql, sizeof sql,
             "CREATE TEMPORARY TABLE p(id %s, name TEXT UNIQUE);"
             "CREATE TEMPORARY TABLE c(p_id BIGINT NOT NULL REFERENCES p(id), v TEXT)",
             ident_type());
    cr_assert_eq(quill_db_exec(db, sql), QUILL_DB_DONE);
}

static void check_cache_and_getters(void) {
    make_tables();
    quill_stmt *ins = quill_db_prepare(db, "INSERT INTO p(name) VALUES (?) RETURNING id");
    cr_assert_not_null(ins);
    cr_assert_eq(quill_stmt_bind_text(ins, 1, "abc", 1), 0, "a slice: only \"a\"");
    cr_assert_eq(quill_stmt_step(ins), QUILL_DB_ROW);
    int64_t first = quill_stmt_int64(ins, 0);
    cr_assert_gt(first, 0);
    quill_stmt *again = quill_db_prepare(db, "INSERT INTO p(name) VALUES (?) RETURNING id");
    cr_assert_eq(ins, again, "cached by text");
    cr_assert_eq(quill_stmt_step(again), QUILL_DB_ROW, "reset and bindings cleared: NULL name");
    cr_assert_gt(quill_stmt_int64(again, 0), first);
    quill_stmt_reset(again);

    char sql[64];
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM p");
    quill_stmt *c1 = quill_db_prepare(db, sql);
    cr_assert_eq(quill_stmt_step(c1), QUILL_DB_ROW);
    cr_assert_eq(quill_stmt_int64(c1, 0), 2);
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM p WHERE name IS NULL");
    quill_stmt *c2 = quill_db_prepare(db, sql); /* same buffer, other SQL */
    cr_assert_neq(c1, c2);
    cr_assert_eq(quill_stmt_step(c2), QUILL_DB_ROW);
    cr_assert_eq(quill_stmt_int64(c2, 0), 1);

    quill_stmt *sel = quill_db_prepare(db, "SELECT name, id = ?2, ?1 FROM p ORDER BY id");
    quill_stmt_bind_int64(sel, 2, first);
    quill_stmt_bind_text(sel, 1, "x", 1);
    cr_assert_eq(quill_stmt_step(sel), QUILL_DB_ROW);
    quill_str s = quill_stmt_text(sel, 0);
    cr_assert_eq(s.len, 1);
    cr_assert_eq(s.ptr[0], 'a');
    cr_assert_eq(quill_stmt_int64(sel, 1), 1, "a boolean reads as 1");
    cr_assert(!quill_stmt_is_null(sel, 0));
    cr_assert_eq(quill_stmt_step(sel), QUILL_DB_ROW);
    cr_assert_null(quill_stmt_text(sel, 0).ptr, "SQL NULL");
    cr_assert(quill_stmt_is_null(sel, 0));
    cr_assert_eq(quill_stmt_int64(sel, 1), 0, "false reads as 0");
    cr_assert_eq(quill_stmt_step(sel), QUILL_DB_DONE);
    cr_assert(quill_stmt_busy(sel));
    quill_stmt_reset(sel);
    cr_assert(!quill_stmt_busy(sel));
}
Test(sqlite, cache_and_getters) {
    check_cache_and_getters();
}
Test(pg, cache_and_getters) {
    check_cache_and_getters();
}

/* A statement that skips ?1 and ?2: binding them is accepted and ignored (PostgreSQL sees $1). */
static void check_unused_params(void) {
    make_tables();
    cr_assert_eq(quill_db_exec(db, "INSERT INTO p(name) VALUES ('a'), ('b'), ('c')"), 0);
    quill_stmt *st = quill_db_prepare(db, "SELECT name FROM p ORDER BY name LIMIT ?3");
    cr_assert_eq(quill_stmt_bind_int64(st, 1, 7), 0);
    cr_assert_eq(quill_stmt_bind_text(st, 2, "zz", 2), 0);
    cr_assert_eq(quill_stmt_bind_int64(st, 3, 2), 0);
    cr_assert_eq(quill_stmt_bind_int64(st, QUILL_DB_MAX_PARAMS + 1, 2), -1, "beyond the limit");
    int rows = 0;
    while (quill_stmt_step(st) == QUILL_DB_ROW) rows++;
    cr_assert_eq(rows, 2);
}
Test(sqlite, unused_params) {
    check_unused_params();
}
Test(pg, unused_params) {
    check_unused_params();
}

/* Bytes that are not UTF-8 match nothing, on both backends (PostgreSQL never sees them). */
static void check_not_utf8(void) {
    make_tables();
    cr_assert_eq(quill_db_exec(db, "INSERT INTO p(name) VALUES ('a')"), 0);
    quill_stmt *st = quill_db_prepare(db, "SELECT id FROM p WHERE name = ?");
    quill_stmt_bind_text(st, 1, "a\xff", 2);
    cr_assert_eq(quill_stmt_step(st), QUILL_DB_DONE);
    quill_stmt_reset(st);
    quill_stmt_bind_text(st, 1, "a", 1);
    cr_assert_eq(quill_stmt_step(st), QUILL_DB_ROW, "the flag is cleared by the reset");
}
Test(sqlite, not_utf8) {
    check_not_utf8();
}
Test(pg, not_utf8) {
    check_not_utf8();
    quill_stmt *ins = quill_db_prepare(db, "INSERT INTO p(name) VALUES (?)");
    quill_stmt_bind_text(ins, 1, "\xfe", 1);
    cr_assert_eq(quill_stmt_step(ins), QUILL_DB_ERROR, "cannot be stored");
}

static void check_violations(void) {
    make_tables();
    quill_stmt *ins = quill_db_prepare(db, "INSERT INTO p(name) VALUES (?1) RETURNING id");
    quill_stmt_bind_text(ins, 1, "dup", 3);
    cr_assert_eq(quill_stmt_step(ins), QUILL_DB_ROW);
    quill_stmt_reset(ins);
    quill_stmt_bind_text(ins, 1, "dup", 3);
    cr_assert_eq(quill_stmt_step(ins), QUILL_DB_UNIQUE);
    quill_stmt_reset(ins);
    quill_stmt *child = quill_db_prepare(db, "INSERT INTO c(p_id, v) VALUES (?, ?)");
    quill_stmt_bind_int64(child, 1, 999999);
    cr_assert_eq(quill_stmt_step(child), QUILL_DB_CONSTRAINT, "foreign key");
    cr_assert_neq(quill_db_errmsg(db)[0], '\0');
}
Test(sqlite, violations) {
    check_violations();
}
Test(pg, violations) {
    check_violations();
}

static void check_transactions(void) {
    make_tables();
    cr_assert_eq(quill_db_begin(db, true), 0);
    cr_assert(quill_db_in_transaction(db));
    cr_assert_eq(quill_db_exec(db, "INSERT INTO p(name) VALUES ('one')"), 0);
    cr_assert_eq(quill_db_rollback(db), 0);
    cr_assert(!quill_db_in_transaction(db));
    cr_assert_eq(quill_db_begin(db, false), 0);
    cr_assert_eq(quill_db_exec(db, "INSERT INTO p(name) VALUES ('two')"), 0);
    cr_assert_eq(quill_db_commit(db), 0);
    quill_stmt *st = quill_db_prepare(db, "SELECT name FROM p");
    cr_assert_eq(quill_stmt_step(st), QUILL_DB_ROW);
    cr_assert_str_eq(quill_stmt_text(st, 0).ptr, "two");
    cr_assert_eq(quill_stmt_step(st), QUILL_DB_DONE);
    quill_stmt_reset(st);
    cr_assert_eq(quill_db_rollback(db), 0, "nothing open: a no-op");
}
Test(sqlite, transactions) {
    check_transactions();
}
Test(pg, transactions) {
    check_transactions();
}

/* On PostgreSQL an error aborts the transaction: COMMIT must report it, not claim success. */
Test(pg, commit_after_error_fails) {
    make_tables();
    cr_assert_eq(quill_db_begin(db, true), 0);
    cr_assert_eq(quill_db_exec(db, "INSERT INTO p(name) VALUES ('x')"), 0);
    cr_assert_eq(quill_db_exec(db, "INSERT INTO p(name) VALUES ('x')"), QUILL_DB_UNIQUE);
    cr_assert_lt(quill_db_commit(db), 0);
    cr_assert(!quill_db_in_transaction(db));
    quill_stmt *st = quill_db_prepare(db, "SELECT count(*) FROM p");
    cr_assert_eq(quill_stmt_step(st), QUILL_DB_ROW);
    cr_assert_eq(quill_stmt_int64(st, 0), 0);
}

Test(pg, translate) {
    char out[256];
    unsigned char map[QUILL_DB_MAX_PARAMS + 1];
    int n = 0;
    cr_assert_eq(quill__pg_translate("SELECT '?', \"a?\", ?5 -- ?9\n + ?2 + ?5 + ?", out,
                                     sizeof out, map, &n),
                 0);
    cr_assert_str_eq(out, "SELECT '?', \"a?\", $1 \n + $2 + $1 + $3");
    cr_assert_eq(n, 3);
    cr_assert_eq(map[5], 1);
    cr_assert_eq(map[2], 2);
    cr_assert_eq(map[6], 3, "a bare ? is one past the largest");
    cr_assert_eq(map[1], 0);
    cr_assert_eq(quill__pg_translate("SELECT ?99", out, sizeof out, map, &n), -1);
    cr_assert_eq(quill__pg_translate("SELECT ?1", out, 5, map, &n), -1, "no room");
}

static void check_errors(void) {
    cr_assert_null(quill_db_prepare(db, "SELEC nonsense"));
    cr_assert_lt(quill_db_exec(db, "CREATE TABLE"), 0);
}
Test(sqlite, errors) {
    check_errors();
    cr_assert_null(quill_db_open("/nonexistent-dir/x.db", 100));
    cr_assert_null(quill_db_open("", 100));
}
Test(pg, errors) {
    check_errors();
    cr_assert_null(quill_db_open("postgresql://parity@/postgres?host=/nonexistent&port=1", 100));
    cr_assert(quill_db_is_postgres("postgres://u@h/db"));
    cr_assert(quill_db_is_postgres("host=/tmp dbname=x"));
    cr_assert(!quill_db_is_postgres("/tmp/blog.db"));
}
