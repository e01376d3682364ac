/*
 * db_pqlib.h: libpq, loaded (dlopen) when the first PostgreSQL database is opened, not linked.
 *
 * Why: linked, libpq brings its whole dependency tree into every quill process: 17 more shared
 * libraries (GnuTLS, Kerberos, LDAP, SASL, ...) whose relocated data and touched pages made the
 * blog's idle RSS 11.5 MB on SQLite, where it was 5.5 MB before PostgreSQL support (issue 16 asks
 * for under 10 MB). Loaded on demand, a process that uses SQLite maps none of them; one that
 * opens PostgreSQL pays the same as if linked, once.
 *
 * After this header, the PQxxx calls of db.c and db_pg.c go through the table (the macros at the
 * end), so that they read as the libpq code they are; the types and constants are libpq-fe.h's.
 * The table is filled once (pthread_once) and never unloaded. Internal to quill (quill__).
 */
#ifndef QUILL_DB_PQLIB_H
#define QUILL_DB_PQLIB_H

#include <stddef.h>

#include <libpq-fe.h>

#define QUILL__PQ_SONAME "libpq.so.5"

typedef struct quill__pq_api {
    PGconn *(*connectdb)(const char *);
    void (*finish)(PGconn *);
    void (*reset)(PGconn *);
    ConnStatusType (*status)(const PGconn *);
    PGTransactionStatusType (*transaction_status)(const PGconn *);
    char *(*error_message)(const PGconn *);
    PQnoticeProcessor (*set_notice_processor)(PGconn *, PQnoticeProcessor, void *);
    int (*set_client_encoding)(PGconn *, const char *);
    PGresult *(*exec)(PGconn *, const char *);
    PGresult *(*prepare)(PGconn *, const char *, const char *, int, const Oid *);
    PGresult *(*exec_prepared)(PGconn *, const char *, int, const char *const *, const int *,
                               const int *, int);
    PGresult *(*make_empty_result)(PGconn *, ExecStatusType);
    ExecStatusType (*result_status)(const PGresult *);
    char *(*result_error_message)(const PGresult *);
    char *(*result_error_field)(const PGresult *, int);
    char *(*cmd_status)(PGresult *);
    int (*ntuples)(const PGresult *);
    int (*nfields)(const PGresult *);
    char *(*getvalue)(const PGresult *, int, int);
    int (*getlength)(const PGresult *, int, int);
    int (*getisnull)(const PGresult *, int, int);
    void (*clear)(PGresult *);
    int (*lib_version)(void);
} quill__pq_api;

extern quill__pq_api quill__pq;

/* Loads QUILL__PQ_SONAME and resolves the table, once per process. 0, or -1 with the reason
 * (dlerror's) in err. */
int quill__pq_load(char *err, size_t cap);

#define PQconnectdb          (quill__pq.connectdb)
#define PQfinish             (quill__pq.finish)
#define PQreset              (quill__pq.reset)
#define PQstatus             (quill__pq.status)
#define PQtransactionStatus  (quill__pq.transaction_status)
#define PQerrorMessage       (quill__pq.error_message)
#define PQsetNoticeProcessor (quill__pq.set_notice_processor)
#define PQsetClientEncoding  (quill__pq.set_client_encoding)
#define PQexec               (quill__pq.exec)
#define PQprepare            (quill__pq.prepare)
#define PQexecPrepared       (quill__pq.exec_prepared)
#define PQmakeEmptyPGresult  (quill__pq.make_empty_result)
#define PQresultStatus       (quill__pq.result_status)
#define PQresultErrorMessage (quill__pq.result_error_message)
#define PQresultErrorField   (quill__pq.result_error_field)
#define PQcmdStatus          (quill__pq.cmd_status)
#define PQntuples            (quill__pq.ntuples)
#define PQnfields            (quill__pq.nfields)
#define PQgetvalue           (quill__pq.getvalue)
#define PQgetlength          (quill__pq.getlength)
#define PQgetisnull          (quill__pq.getisnull)
#define PQclear              (quill__pq.clear)
#define PQlibVersion         (quill__pq.lib_version)

#endif
