/*
 * db_internal.h: the structures behind quill_db.h, shared by db.c (the interface, the statement
 * cache, SQLite) and db_pg.c (PostgreSQL). Not part of the public API.
 * Ownership: a quill_db owns its connection and every quill_stmt prepared on it (the `all` list);
 * a PostgreSQL statement owns its parameter buffers and its current PGresult.
 */
#ifndef QUILL_DB_INTERNAL_H
#define QUILL_DB_INTERNAL_H

#include "quill_db.h"

#include <sqlite3.h>

#include "db_pqlib.h" /* libpq-fe.h, and libpq loaded on demand */

#define QUILL__DB_BUCKETS  256       /* statement cache buckets (chained) */
#define QUILL__DB_MAX_TEXT (1 << 24) /* longest text parameter copied for PostgreSQL */
#define QUILL__DB_ERR_MAX  512       /* kept error message */

struct quill_stmt {
    quill_db *db;
    char *sql;     /* the text as given (the cache key) */
    uint32_t hash; /* full hash, compared before the text */
    quill_stmt *next_in_bucket, *next_all;
    bool busy;  /* stepped since the last reset */
    bool bound; /* something bound since the last reset */
    sqlite3_stmt *lite;
    /* PostgreSQL: the server-side name, ?N -> $k map, values as text (NULL: SQL NULL). */
    char name[24];
    int nparams; /* k: parameters the statement uses */
    unsigned char map[QUILL_DB_MAX_PARAMS + 1];
    char *buf[QUILL_DB_MAX_PARAMS]; /* owned buffers, grown as needed */
    size_t cap[QUILL_DB_MAX_PARAMS];
    const char *val[QUILL_DB_MAX_PARAMS]; /* what PQexecPrepared sends */
    PGresult *res;
    int row, nrows;
    bool prepared;     /* on the current server session */
    bool readonly;     /* a SELECT */
    unsigned bad_text; /* bit k: parameter $k+1 holds text that is not valid UTF-8 */
};

struct quill_db {
    quill_db_dialect_t dialect;
    sqlite3 *lite;
    PGconn *pg;
    char *label; /* file path, or the server without password, for messages */
    unsigned next_name;
    quill_stmt *buckets[QUILL__DB_BUCKETS];
    quill_stmt *all;
    char err[QUILL__DB_ERR_MAX];
};

/* db_pg.c */
quill_db *quill__pg_open(const char *url);
void quill__pg_close(quill_db *db);
int quill__pg_exec(quill_db *db, const char *sql);
int quill__pg_prepare(quill_stmt *st);
int quill__pg_translate(const char *sql, char *out, size_t cap, unsigned char *map, int *nparams);
int quill__pg_bind(quill_stmt *st, int idx, const char *s, size_t len); /* s NULL: SQL NULL */
int quill__pg_step(quill_stmt *st);
void quill__pg_reset(quill_stmt *st);
void quill__pg_free(quill_stmt *st);
bool quill__pg_in_transaction(quill_db *db);
int quill__pg_commit(quill_db *db);

#endif
