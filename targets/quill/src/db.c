/*
 * db.c: quill_db.h's interface, the statement cache, and the SQLite backend (db_pg.c is the
 * PostgreSQL one).
 *
 * Why one interface with a branch per call rather than a table of function pointers: there are
 * two backends, the branch is predicted perfectly (a process runs one backend), and SQLite's hot
 * path (bind, step, column) stays one direct call away from the library, as before the interface
 * existed. Why cache statements by text: preparing costs more than running a simple statement;
 * caching keeps call sites readable (the SQL stays where it is used) and pays the compile once per
 * connection. Ownership: see db_internal.h.
 */
#include "db_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t hash_sql(const char *s) {
    uint32_t h = 2166136261u; /* FNV-1a */
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static void set_err(quill_db *d, const char *msg) {
    snprintf(d->err, sizeof d->err, "%s", msg ? msg : "error");
}

bool quill_db_is_postgres(const char *t) {
    if (t == NULL) return false;
    return strncmp(t, "postgresql://", 13) == 0 || strncmp(t, "postgres://", 11) == 0 ||
           strchr(t, '=') != NULL;
}

static int lite_exec(quill_db *d, const char *sql) {
    char *err = NULL;
    if (sqlite3_exec(d->lite, sql, NULL, NULL, &err) != SQLITE_OK) {
        set_err(d, err ? err : sqlite3_errmsg(d->lite));
        fprintf(stderr, "quill_db_exec: %s: %s\n  in: %.200s\n", d->label, d->err, sql);
        sqlite3_free(err);
        return QUILL_DB_ERROR;
    }
    return QUILL_DB_DONE;
}

static quill_db *lite_open(const char *path, int busy_timeout_ms) {
    quill_db *d = calloc(1, sizeof(*d));
    if (!d) return NULL;
    d->dialect = QUILL_DB_SQLITE;
    d->label = strdup(path);
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    if (!d->label || sqlite3_open_v2(path, &d->lite, flags, NULL) != SQLITE_OK) {
        fprintf(stderr, "quill_db_open: %s: %s\n", path,
                d->lite ? sqlite3_errmsg(d->lite) : "out of memory");
        quill_db_close(d);
        return NULL;
    }
    sqlite3_busy_timeout(d->lite, busy_timeout_ms);
    /* synchronous=NORMAL is durable against crashes of the app in WAL mode; only a power loss can
     * lose the last commits. foreign_keys drives ON DELETE CASCADE. */
    if (lite_exec(d, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                     " PRAGMA foreign_keys=ON;") < 0) {
        quill_db_close(d);
        return NULL;
    }
    return d;
}

quill_db *quill_db_open(const char *target, int busy_timeout_ms) {
    if (!target || !*target) {
        fprintf(stderr, "quill_db_open: empty database path or URL\n");
        return NULL;
    }
    if (quill_db_is_postgres(target)) return quill__pg_open(target);
    return lite_open(target, busy_timeout_ms);
}

void quill_db_close(quill_db *d) {
    if (!d) return;
    quill_stmt *st = d->all;
    while (st) {
        quill_stmt *next = st->next_all;
        if (st->lite) sqlite3_finalize(st->lite);
        quill__pg_free(st);
        free(st->sql);
        free(st);
        st = next;
    }
    if (d->lite) sqlite3_close(d->lite);
    if (d->pg) quill__pg_close(d);
    free(d->label);
    free(d);
}

quill_db_dialect_t quill_db_dialect(const quill_db *d) {
    return d->dialect;
}

void *quill_db_handle(quill_db *d) {
    return d->dialect == QUILL_DB_SQLITE ? (void *)d->lite : (void *)d->pg;
}

const char *quill_db_errmsg(quill_db *d) {
    return d->err;
}

int quill_db_exec(quill_db *d, const char *sql) {
    return d->dialect == QUILL_DB_SQLITE ? lite_exec(d, sql) : quill__pg_exec(d, sql);
}

quill_stmt *quill_db_prepare_new(quill_db *d, const char *sql) {
    if (strlen(sql) >= QUILL_DB_MAX_SQL) {
        fprintf(stderr, "quill_db_prepare: statement longer than %d bytes\n", QUILL_DB_MAX_SQL);
        return NULL;
    }
    quill_stmt *st = calloc(1, sizeof(*st));
    if (!st || !(st->sql = strdup(sql))) {
        free(st);
        return NULL;
    }
    st->db = d;
    st->hash = hash_sql(sql);
    int rc;
    if (d->dialect == QUILL_DB_SQLITE) {
        rc = sqlite3_prepare_v3(d->lite, sql, -1, SQLITE_PREPARE_PERSISTENT, &st->lite, NULL);
        if (rc != SQLITE_OK) {
            set_err(d, sqlite3_errmsg(d->lite));
            fprintf(stderr, "quill_db_prepare: %s: %s\n  in: %.200s\n", d->label, d->err, sql);
        }
        rc = rc == SQLITE_OK ? 0 : -1;
    } else {
        rc = quill__pg_prepare(st);
    }
    if (rc != 0) {
        sqlite3_finalize(st->lite);
        quill__pg_free(st);
        free(st->sql);
        free(st);
        return NULL;
    }
    st->next_all = d->all;
    d->all = st;
    return st;
}

quill_stmt *quill_db_prepare(quill_db *d, const char *sql) {
    uint32_t full = hash_sql(sql), h = full % QUILL__DB_BUCKETS;
    for (quill_stmt *e = d->buckets[h]; e; e = e->next_in_bucket) {
        if (e->hash == full && strcmp(e->sql, sql) == 0) {
            quill_stmt_reset(e);
            return e;
        }
    }
    quill_stmt *st = quill_db_prepare_new(d, sql);
    if (st == NULL) return NULL;
    st->next_in_bucket = d->buckets[h];
    d->buckets[h] = st;
    return st;
}

int quill_stmt_bind_int64(quill_stmt *st, int idx, int64_t v) {
    if (idx < 1 || idx > QUILL_DB_MAX_PARAMS) return -1;
    st->bound = true;
    if (st->lite) {
        sqlite3_bind_int64(st->lite, idx, v); /* SQLITE_RANGE (unused index) is ignored */
        return 0;
    }
    char num[24];
    int n = snprintf(num, sizeof num, "%lld", (long long)v);
    return quill__pg_bind(st, idx, num, (size_t)n);
}

int quill_stmt_bind_text(quill_stmt *st, int idx, const char *s, size_t len) {
    if (idx < 1 || idx > QUILL_DB_MAX_PARAMS || len > QUILL__DB_MAX_TEXT) return -1;
    if (s == NULL) return quill_stmt_bind_null(st, idx);
    st->bound = true;
    if (st->lite) {
        sqlite3_bind_text(st->lite, idx, s, (int)len, SQLITE_STATIC);
        return 0;
    }
    return quill__pg_bind(st, idx, s, len);
}

int quill_stmt_bind_null(quill_stmt *st, int idx) {
    if (idx < 1 || idx > QUILL_DB_MAX_PARAMS) return -1;
    st->bound = true;
    if (st->lite) {
        sqlite3_bind_null(st->lite, idx);
        return 0;
    }
    return quill__pg_bind(st, idx, NULL, 0);
}

/* Maps an SQLite result code to the interface's, logging what the caller cannot act on. */
static int lite_code(quill_stmt *st, int rc) {
    quill_db *d = st->db;
    if (rc == SQLITE_ROW) return QUILL_DB_ROW;
    if (rc == SQLITE_DONE) return QUILL_DB_DONE;
    set_err(d, sqlite3_errmsg(d->lite));
    int ext = sqlite3_extended_errcode(d->lite);
    if (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY)
        return QUILL_DB_UNIQUE;
    if ((rc & 0xff) == SQLITE_CONSTRAINT) return QUILL_DB_CONSTRAINT;
    fprintf(stderr, "quill_db: %s: %s\n  in: %.200s\n", d->label, d->err, st->sql);
    if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED) return QUILL_DB_BUSY;
    return QUILL_DB_ERROR;
}

int quill_stmt_step(quill_stmt *st) {
    st->busy = true;
    if (st->lite) return lite_code(st, sqlite3_step(st->lite));
    return quill__pg_step(st);
}

int64_t quill_stmt_int64(quill_stmt *st, int col) {
    if (st->lite) return sqlite3_column_int64(st->lite, col);
    if (!st->res || st->row < 0 || st->row >= st->nrows || col >= PQnfields(st->res)) return 0;
    const char *v = PQgetvalue(st->res, st->row, col);
    if (v[0] == 't') return 1;   /* booleans come as t / f in text results */
    return strtoll(v, NULL, 10); /* an integer column: the server formatted it */
}

quill_str quill_stmt_text(quill_stmt *st, int col) {
    if (st->lite) {
        const unsigned char *t = sqlite3_column_text(st->lite, col);
        if (!t) return (quill_str){NULL, 0};
        return (quill_str){(const char *)t, (size_t)sqlite3_column_bytes(st->lite, col)};
    }
    if (!st->res || st->row < 0 || st->row >= st->nrows || col >= PQnfields(st->res) ||
        PQgetisnull(st->res, st->row, col))
        return (quill_str){NULL, 0};
    return (quill_str){PQgetvalue(st->res, st->row, col),
                       (size_t)PQgetlength(st->res, st->row, col)};
}

bool quill_stmt_is_null(quill_stmt *st, int col) {
    if (st->lite) return sqlite3_column_type(st->lite, col) == SQLITE_NULL;
    return quill_stmt_text(st, col).ptr == NULL;
}

void quill_stmt_reset(quill_stmt *st) {
    if (!st) return;
    if (st->lite) {
        if (st->busy) sqlite3_reset(st->lite);
        if (st->bound) sqlite3_clear_bindings(st->lite);
    } else {
        quill__pg_reset(st);
    }
    st->busy = st->bound = false;
}

bool quill_stmt_busy(const quill_stmt *st) {
    return st->busy;
}

/* Transaction control through cached statements (SQLite) or the simple protocol (PostgreSQL). */
static int run_simple(quill_db *d, const char *sql) {
    quill_stmt *st = quill_db_prepare(d, sql);
    if (!st) return QUILL_DB_ERROR;
    int rc = quill_stmt_step(st);
    quill_stmt_reset(st);
    return rc == QUILL_DB_ROW ? QUILL_DB_DONE : rc;
}

int quill_db_begin(quill_db *d, bool write) {
    if (d->dialect == QUILL_DB_SQLITE) return run_simple(d, write ? "BEGIN IMMEDIATE" : "BEGIN");
    return quill__pg_exec(d, "BEGIN");
}

int quill_db_commit(quill_db *d) {
    if (d->dialect == QUILL_DB_POSTGRES) return quill__pg_commit(d);
    int rc = run_simple(d, "COMMIT");
    if (rc != QUILL_DB_DONE) quill_db_rollback(d);
    return rc;
}

int quill_db_rollback(quill_db *d) {
    if (!quill_db_in_transaction(d)) return QUILL_DB_DONE;
    if (d->dialect == QUILL_DB_SQLITE) return run_simple(d, "ROLLBACK");
    return quill__pg_exec(d, "ROLLBACK");
}

bool quill_db_in_transaction(quill_db *d) {
    if (d->dialect == QUILL_DB_SQLITE) return !sqlite3_get_autocommit(d->lite);
    return quill__pg_in_transaction(d);
}
