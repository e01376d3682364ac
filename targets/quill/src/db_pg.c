/*
 * db_pg.c: quill_db.h's PostgreSQL backend, on libpq.
 *
 * One PGconn per quill_db, used by one thread (libpq connections are not shared), so a worker's
 * BEGIN..COMMIT is simply its connection's transaction. Every statement is prepared once per
 * connection with PQprepare under a generated name (q1, q2...) and run with PQexecPrepared:
 * parse and plan once, then one round trip per execution. Parameters travel as text with their
 * types left to the server to infer from the statement (an integer is its decimal digits, a
 * boolean test accepts 0 / 1), results as text (the getters parse integers and read booleans'
 * t / f). The whole result is fetched at the first step; later steps walk its rows.
 *
 * Parameter translation (once, at prepare): SQLite's `?N` / `?` become `$k`, numbered densely in
 * order of first use, and map[N] remembers k (0: unused). PostgreSQL must infer a type for every
 * `$n` up to the highest, so a statement that skips ?2 must not say $3. Quoted strings,
 * identifiers and comments are copied unchanged.
 *
 * Text that is not valid UTF-8 cannot be sent (the server refuses it, SQLSTATE 22021) and cannot
 * equal any stored text (every stored text is valid UTF-8). SQLite compares bytes and simply
 * finds no match; to answer the same, a SELECT bound with such a text returns no rows without a
 * round trip. Any other statement fails with QUILL_DB_ERROR (SQLite would store the bytes).
 *
 * Errors carry an SQLSTATE: 23505 is QUILL_DB_UNIQUE, other 23xxx QUILL_DB_CONSTRAINT, 40001
 * (serialization), 40P01 (deadlock) and 55P03 (lock timeout) QUILL_DB_BUSY. A connection that
 * dropped is reset once at the next step (its statements are prepared again on the new session).
 */
#include "db_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void keep_err(quill_db *d, const char *msg) {
    snprintf(d->err, sizeof d->err, "%s", msg && *msg ? msg : "error");
    size_t n = strlen(d->err); /* libpq ends its messages with a newline */
    while (n && (d->err[n - 1] == '\n' || d->err[n - 1] == ' ')) d->err[--n] = '\0';
}

static void quiet_notice(void *arg, const char *msg) {
    (void)arg; /* "relation already exists, skipping" and friends: not errors */
    (void)msg;
}

/* The server part of the target for messages: after '@' of a URI (never the password). */
static char *label_of(const char *url) {
    const char *at = strrchr(url, '@');
    return strdup(at ? at + 1 : url);
}

int quill_db_libpq_version(void) {
    return quill__pq_load(NULL, 0) == 0 ? PQlibVersion() : 0;
}

quill_db *quill__pg_open(const char *url) {
    char why[256];
    if (quill__pq_load(why, sizeof why) < 0) {
        fprintf(stderr, "quill_db_open: PostgreSQL: %s\n", why);
        return NULL;
    }
    quill_db *d = calloc(1, sizeof(*d));
    if (!d) return NULL;
    d->dialect = QUILL_DB_POSTGRES;
    d->label = label_of(url);
    d->pg = PQconnectdb(url);
    if (!d->label || !d->pg || PQstatus(d->pg) != CONNECTION_OK) {
        fprintf(stderr, "quill_db_open: PostgreSQL %s: %s\n", d->label ? d->label : "?",
                d->pg ? PQerrorMessage(d->pg) : "out of memory\n");
        quill_db_close(d);
        return NULL;
    }
    PQsetNoticeProcessor(d->pg, quiet_notice, NULL);
    if (PQsetClientEncoding(d->pg, "UTF8") != 0) {
        fprintf(stderr, "quill_db_open: PostgreSQL %s: cannot use UTF8\n", d->label);
        quill_db_close(d);
        return NULL;
    }
    return d;
}

void quill__pg_close(quill_db *d) {
    PQfinish(d->pg);
    d->pg = NULL;
}

/* The interface's code for a failed result, with the message kept and logged. */
static int fail_code(quill_db *d, PGresult *res, const char *sql) {
    keep_err(d, res ? PQresultErrorMessage(res) : PQerrorMessage(d->pg));
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    if (state && strcmp(state, "23505") == 0) return QUILL_DB_UNIQUE;
    if (state && strncmp(state, "23", 2) == 0) return QUILL_DB_CONSTRAINT;
    fprintf(stderr, "quill_db: PostgreSQL %s: %s (SQLSTATE %s)\n  in: %.200s\n", d->label, d->err,
            state ? state : "none", sql);
    if (state &&
        (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 || strcmp(state, "55P03") == 0))
        return QUILL_DB_BUSY;
    return QUILL_DB_ERROR;
}

/* A dropped connection is reset once; the caller retries what failed. 0 if it is usable. */
static int revive(quill_db *d) {
    if (PQstatus(d->pg) == CONNECTION_OK) return -1; /* the failure was not the connection */
    PQreset(d->pg);
    if (PQstatus(d->pg) != CONNECTION_OK) return -1;
    for (quill_stmt *st = d->all; st; st = st->next_all) st->prepared = false;
    return 0;
}

int quill__pg_exec(quill_db *d, const char *sql) {
    PGresult *res = PQexec(d->pg, sql);
    ExecStatusType s = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    int rc = QUILL_DB_DONE;
    if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) rc = fail_code(d, res, sql);
    PQclear(res);
    return rc;
}

int quill__pg_translate(const char *sql, char *out, size_t cap, unsigned char *map, int *nparams) {
    size_t o = 0;
    int k = 0, last = 0;
    memset(map, 0, QUILL_DB_MAX_PARAMS + 1);
    for (const char *p = sql; *p;) {
        char c = *p;
        if (c == '\'' || c == '"') { /* a literal or identifier, '' / "" escapes included */
            const char *e = p + 1;
            while (*e && *e != c) e++;
            size_t n = (size_t)(e - p) + (*e ? 1 : 0);
            if (o + n >= cap) return -1;
            memcpy(out + o, p, n);
            o += n;
            p += n;
            continue;
        }
        if (c == '-' && p[1] == '-') { /* a comment, to the end of the line */
            while (*p && *p != '\n') p++;
            continue;
        }
        if (c != '?') {
            if (o + 1 >= cap) return -1;
            out[o++] = c;
            p++;
            continue;
        }
        p++;
        int n = 0;
        if (*p >= '0' && *p <= '9') {
            while (*p >= '0' && *p <= '9' && n <= QUILL_DB_MAX_PARAMS) n = n * 10 + (*p++ - '0');
        } else {
            n = last + 1; /* a bare ? is one more than the largest so far, as in SQLite */
        }
        if (n < 1 || n > QUILL_DB_MAX_PARAMS) return -1;
        if (n > last) last = n;
        if (!map[n]) map[n] = (unsigned char)++k;
        int w = snprintf(out + o, cap - o, "$%d", map[n]);
        if (w < 0 || (size_t)w >= cap - o) return -1;
        o += (size_t)w;
    }
    out[o] = '\0';
    *nparams = k;
    return 0;
}

int quill__pg_prepare(quill_stmt *st) {
    quill_db *d = st->db;
    char text[QUILL_DB_MAX_SQL + 256];
    if (quill__pg_translate(st->sql, text, sizeof text, st->map, &st->nparams) != 0) {
        fprintf(stderr,
                "quill_db_prepare: cannot translate parameters (at most %d)\n  in: %.200s\n",
                QUILL_DB_MAX_PARAMS, st->sql);
        return -1;
    }
    st->readonly = strncmp(text, "SELECT", 6) == 0;
    if (!st->name[0]) snprintf(st->name, sizeof st->name, "q%u", ++d->next_name);
    PGresult *res = PQprepare(d->pg, st->name, text, 0, NULL);
    int rc = res && PQresultStatus(res) == PGRES_COMMAND_OK ? 0 : -1;
    if (rc != 0) {
        keep_err(d, res ? PQresultErrorMessage(res) : PQerrorMessage(d->pg));
        fprintf(stderr, "quill_db_prepare: PostgreSQL %s: %s\n  in: %.200s\n", d->label, d->err,
                text);
    }
    PQclear(res);
    st->prepared = rc == 0;
    return rc;
}

int quill__pg_bind(quill_stmt *st, int idx, const char *s, size_t len) {
    int k = st->map[idx];
    if (k == 0) return 0; /* not used by this statement */
    k--;
    st->bad_text &= ~(1u << k);
    if (s == NULL) {
        st->val[k] = NULL;
        return 0;
    }
    if (!quill_utf8_valid(s, len)) st->bad_text |= 1u << k;
    if (len + 1 > st->cap[k]) {
        size_t cap = len + 1 < 64 ? 64 : len + 1;
        char *b = realloc(st->buf[k], cap);
        if (!b) return -1;
        st->buf[k] = b;
        st->cap[k] = cap;
    }
    memcpy(st->buf[k], s, len);
    st->buf[k][len] = '\0';
    st->val[k] = st->buf[k];
    return 0;
}

int quill__pg_step(quill_stmt *st) {
    quill_db *d = st->db;
    if (st->res) { /* walking the rows of the result fetched at the first step */
        return ++st->row < st->nrows ? QUILL_DB_ROW : QUILL_DB_DONE;
    }
    if (st->bad_text) { /* see the top of the file */
        if (st->readonly) {
            st->res = PQmakeEmptyPGresult(d->pg, PGRES_TUPLES_OK);
            st->nrows = 0;
            return st->res ? QUILL_DB_DONE : QUILL_DB_ERROR;
        }
        keep_err(d, "a text parameter is not valid UTF-8");
        fprintf(stderr, "quill_db: PostgreSQL %s: %s\n  in: %.200s\n", d->label, d->err, st->sql);
        return QUILL_DB_ERROR;
    }
    for (int attempt = 0; attempt < 2; attempt++) {
        if (!st->prepared && quill__pg_prepare(st) != 0) {
            if (revive(d) == 0) continue;
            return QUILL_DB_ERROR;
        }
        PGresult *res = PQexecPrepared(d->pg, st->name, st->nparams, st->val, NULL, NULL, 0);
        ExecStatusType s = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
        if (s == PGRES_TUPLES_OK || s == PGRES_COMMAND_OK) {
            st->res = res;
            st->nrows = s == PGRES_TUPLES_OK ? PQntuples(res) : 0;
            st->row = 0;
            return st->nrows > 0 ? QUILL_DB_ROW : QUILL_DB_DONE;
        }
        /* Retry only outside a transaction: inside one, the failure aborted it. */
        if (!quill__pg_in_transaction(d) && PQstatus(d->pg) != CONNECTION_OK && revive(d) == 0) {
            PQclear(res);
            continue;
        }
        int rc = fail_code(d, res, st->sql);
        PQclear(res);
        return rc;
    }
    return QUILL_DB_ERROR;
}

void quill__pg_reset(quill_stmt *st) {
    PQclear(st->res);
    st->res = NULL;
    st->row = st->nrows = 0;
    st->bad_text = 0;
    for (int k = 0; k < st->nparams; k++) st->val[k] = NULL;
}

void quill__pg_free(quill_stmt *st) {
    if (st->res) PQclear(st->res); /* on SQLite libpq is not even loaded */
    st->res = NULL;
    for (int k = 0; k < QUILL_DB_MAX_PARAMS; k++) free(st->buf[k]);
}

bool quill__pg_in_transaction(quill_db *d) {
    return PQtransactionStatus(d->pg) != PQTRANS_IDLE;
}

/* COMMIT of a transaction an error aborted "succeeds" with the tag ROLLBACK: a failure here. */
int quill__pg_commit(quill_db *d) {
    PGresult *res = PQexec(d->pg, "COMMIT");
    ExecStatusType s = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    int rc = QUILL_DB_DONE;
    if (s != PGRES_COMMAND_OK)
        rc = fail_code(d, res, "COMMIT");
    else if (strcmp(PQcmdStatus(res), "ROLLBACK") == 0) {
        keep_err(d, "the transaction was aborted by an earlier error; rolled back");
        rc = QUILL_DB_ERROR;
    }
    PQclear(res);
    if (quill__pg_in_transaction(d)) quill__pg_exec(d, "ROLLBACK");
    return rc;
}
