/*
 * sqlite.c: a SQLite connection per worker with prepared statements cached by SQL text.
 * Why: preparing a statement costs more than running a simple one; caching by text keeps call
 * sites readable (the SQL stays where it is used) and pays the compile once per worker.
 * Ownership: quill_db owns the connection and every cached statement (finalized on close).
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DB_BUCKETS 256 /* statement cache buckets (chained) */

typedef struct stmt_entry {
    char *sql;
    uint32_t hash; /* full hash, compared before the text (never the caller's pointer: a reused
                    * buffer may hold different SQL at the same address) */
    sqlite3_stmt *st;
    struct stmt_entry *next;
} stmt_entry;

struct quill_db {
    sqlite3 *db;
    char *path;
    stmt_entry *buckets[DB_BUCKETS];
};

static uint32_t hash_sql(const char *s) {
    uint32_t h = 2166136261u; /* FNV-1a */
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

quill_db *quill_db_open(const char *path, int busy_timeout_ms) {
    if (!path || !*path) {
        fprintf(stderr, "quill_db_open: empty database path\n");
        return NULL;
    }
    quill_db *d = calloc(1, sizeof(*d));
    if (!d) return NULL;
    d->path = strdup(path);
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    if (!d->path || sqlite3_open_v2(path, &d->db, flags, NULL) != SQLITE_OK) {
        fprintf(stderr, "quill_db_open: %s: %s\n", path,
                d->db ? sqlite3_errmsg(d->db) : "out of memory");
        sqlite3_close(d->db);
        free(d->path);
        free(d);
        return NULL;
    }
    sqlite3_busy_timeout(d->db, busy_timeout_ms);
    if (quill_db_exec(d, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                         " PRAGMA foreign_keys=ON;") < 0) {
        quill_db_close(d);
        return NULL;
    }
    return d;
}

void quill_db_close(quill_db *d) {
    if (!d) return;
    for (int i = 0; i < DB_BUCKETS; i++) {
        stmt_entry *e = d->buckets[i];
        while (e) {
            stmt_entry *next = e->next;
            sqlite3_finalize(e->st);
            free(e->sql);
            free(e);
            e = next;
        }
    }
    sqlite3_close(d->db);
    free(d->path);
    free(d);
}

sqlite3 *quill_db_handle(quill_db *d) {
    return d->db;
}

int quill_db_exec(quill_db *d, const char *sql) {
    char *err = NULL;
    if (sqlite3_exec(d->db, sql, NULL, NULL, &err) != SQLITE_OK) {
        fprintf(stderr, "quill_db_exec: %s: %s\n  in: %.200s\n", d->path, err ? err : "error", sql);
        sqlite3_free(err);
        return -1;
    }
    return 0;
}

sqlite3_stmt *quill_db_prepare(quill_db *d, const char *sql) {
    uint32_t full = hash_sql(sql), h = full % DB_BUCKETS;
    for (stmt_entry *e = d->buckets[h]; e; e = e->next) {
        if (e->hash == full && strcmp(e->sql, sql) == 0) {
            sqlite3_reset(e->st);
            sqlite3_clear_bindings(e->st);
            return e->st;
        }
    }
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v3(d->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "quill_db_prepare: %s: %s\n  in: %.200s\n", d->path, sqlite3_errmsg(d->db),
                sql);
        sqlite3_finalize(st);
        return NULL;
    }
    stmt_entry *e = calloc(1, sizeof(*e));
    if (!e || !(e->sql = strdup(sql))) {
        free(e);
        sqlite3_finalize(st);
        return NULL;
    }
    e->hash = full;
    e->st = st;
    e->next = d->buckets[h];
    d->buckets[h] = e;
    return st;
}

void quill_db_done(sqlite3_stmt *st) {
    if (st) sqlite3_reset(st);
}

static int run_simple(quill_db *d, const char *sql) {
    sqlite3_stmt *st = quill_db_prepare(d, sql);
    if (!st) return -1;
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        fprintf(stderr, "quill_db: %s: %s: %s\n", d->path, sql, sqlite3_errmsg(d->db));
        return -1;
    }
    return 0;
}

int quill_db_begin(quill_db *d) {
    return run_simple(d, "BEGIN IMMEDIATE");
}
int quill_db_commit(quill_db *d) {
    return run_simple(d, "COMMIT");
}
int quill_db_rollback(quill_db *d) {
    return run_simple(d, "ROLLBACK");
}

quill_str quill_db_text(sqlite3_stmt *st, int col) {
    const unsigned char *t = sqlite3_column_text(st, col);
    if (!t) return (quill_str){NULL, 0};
    return (quill_str){(const char *)t, (size_t)sqlite3_column_bytes(st, col)};
}
