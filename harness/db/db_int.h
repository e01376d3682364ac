/* db internals shared by db.c and db_cluster.c. */
#ifndef PARITY_DB_INT_H
#define PARITY_DB_INT_H

#include <sys/types.h>

#include "core/file.h"
#include "db.h"

struct db {
    db_settings_t settings;
    char url[DB_URL_MAX]; /* --db-url: the maintenance database's URL; "" for private */
    /* private cluster */
    char dir[DB_PATH_MAX];  /* $TMPDIR/parity.pg-<pid>-XXXXXX: sockets, logs, data/ */
    char data[DB_PATH_MAX]; /* dir/data */
    char bindir[DB_PATH_MAX];
    int port;
    volatile pid_t pid; /* initdb, then the postmaster (own session: pgid == pid);
                           read by the signal thread */
    bool private_cluster;
};

/* db_cluster.c: initdb + postgres for d (d->dir made by the caller); -1 with err. */
int db_cluster_start(db_t *d, err_t *err);
/* Stops the postmaster (SIGINT, grace, SIGQUIT, SIGKILL to the group) and waits for it. */
void db_cluster_stop(db_t *d, int grace_ms);
/* Fills d->settings from the server (one connection with conninfo). */
int db_read_settings(db_t *d, err_t *err);

#endif
