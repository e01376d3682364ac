/* db_pqlib: see db_pqlib.h. */
#include "db_pqlib.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

quill__pq_api quill__pq;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static char load_err[256]; /* empty: loaded */

/* Each symbol by its libpq name into its slot: a missing one fails the load (a libpq older than
 * the headers we were built with). */
#define RESOLVE(slot, name)                                                                        \
    do {                                                                                           \
        *(void **)(&quill__pq.slot) = dlsym(h, name);                                              \
        if (!quill__pq.slot) {                                                                     \
            snprintf(load_err, sizeof load_err, "%s: no symbol %s", QUILL__PQ_SONAME, name);       \
            return;                                                                                \
        }                                                                                          \
    } while (0)

static void load(void) {
    void *h = dlopen(QUILL__PQ_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char *why = dlerror();
        snprintf(load_err, sizeof load_err, "cannot load %s (Debian package libpq5): %s",
                 QUILL__PQ_SONAME, why ? why : "?");
        return;
    }
    RESOLVE(connectdb, "PQconnectdb");
    RESOLVE(finish, "PQfinish");
    RESOLVE(reset, "PQreset");
    RESOLVE(status, "PQstatus");
    RESOLVE(transaction_status, "PQtransactionStatus");
    RESOLVE(error_message, "PQerrorMessage");
    RESOLVE(set_notice_processor, "PQsetNoticeProcessor");
    RESOLVE(set_client_encoding, "PQsetClientEncoding");
    RESOLVE(exec, "PQexec");
    RESOLVE(prepare, "PQprepare");
    RESOLVE(exec_prepared, "PQexecPrepared");
    RESOLVE(make_empty_result, "PQmakeEmptyPGresult");
    RESOLVE(result_status, "PQresultStatus");
    RESOLVE(result_error_message, "PQresultErrorMessage");
    RESOLVE(result_error_field, "PQresultErrorField");
    RESOLVE(cmd_status, "PQcmdStatus");
    RESOLVE(ntuples, "PQntuples");
    RESOLVE(nfields, "PQnfields");
    RESOLVE(getvalue, "PQgetvalue");
    RESOLVE(getlength, "PQgetlength");
    RESOLVE(getisnull, "PQgetisnull");
    RESOLVE(clear, "PQclear");
    RESOLVE(lib_version, "PQlibVersion");
}

int quill__pq_load(char *err, size_t cap) {
    pthread_once(&once, load);
    if (!load_err[0]) return 0;
    if (err && cap) snprintf(err, cap, "%s", load_err);
    return -1;
}
