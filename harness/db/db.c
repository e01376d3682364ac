/* db: open/close, per-target databases, settings, the active database, stale clusters.
 * See db.h; the cluster's processes are in db_cluster.c, URLs in db_url.c. */
#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/clock.h"
#include "db_int.h"

#define DB_CONNECT_TIMEOUT_S "10"
/* "." is not in target names (their dirs are parity-NAME-*) */
#define DB_STALE_PREFIX "parity.pg-"

static db_t *db_the_active;
static db_t *volatile db_live; /* the private cluster, from its mkdtemp to db_close (Ctrl-C) */
static pthread_mutex_t db_live_mu = PTHREAD_MUTEX_INITIALIZER; /* db_close vs the signal thread */
static atomic_uint db_seq;
static atomic_bool db_stopping; /* the signal thread is stopping the cluster, then _exit()s */

/* Called by the main thread where it would touch the cluster: once the signal thread has taken
 * over (Ctrl-C), the process is about to _exit(128+signo); waiting for that keeps the exit code
 * the signal's, and the db_t alive while the signal thread uses it. */
static void db_yield_to_signal_thread(void) {
    while (atomic_load(&db_stopping)) clock_sleep_ms(1000);
}

int db_kind_parse(const char *s, db_kind_t *out) {
    if (strcmp(s, "sqlite") == 0)
        *out = DB_SQLITE;
    else if (strcmp(s, "postgres") == 0)
        *out = DB_POSTGRES;
    else
        return -1;
    return 0;
}

const char *db_kind_name(db_kind_t k) {
    return k == DB_POSTGRES ? "postgres" : "sqlite";
}

const db_settings_t *db_settings(const db_t *db) {
    return &db->settings;
}

void db_set_active(db_t *db) {
    db_the_active = db;
}

db_t *db_active(void) {
    return db_the_active;
}

/* A connection to the maintenance database; NULL with err naming the server. */
static PGconn *db_connect(const db_t *d, err_t *err) {
    PGconn *c;
    if (d->private_cluster) {
        char port[16];
        snprintf(port, sizeof port, "%d", d->port);
        const char *k[] = {"host", "port", "dbname", "user", "connect_timeout", NULL};
        const char *v[] = {d->dir, port, "postgres", DB_USER, DB_CONNECT_TIMEOUT_S, NULL};
        c = PQconnectdbParams(k, v, 0);
    } else {
        const char *k[] = {"dbname", "connect_timeout", NULL};
        const char *v[] = {d->url, DB_CONNECT_TIMEOUT_S, NULL};
        c = PQconnectdbParams(k, v, 1); /* expand_dbname: the URL's own keys */
    }
    if (c && PQstatus(c) == CONNECTION_OK) return c;
    const char *why = c ? PQerrorMessage(c) : "out of memory";
    if (d->private_cluster)
        err_set(err, "cannot connect to the cluster (socket %s, port %d, user %s): %.*s", d->dir,
                d->port, DB_USER, (int)strcspn(why, "\n"), why);
    else
        err_set(err, "cannot connect to --db-url: %.*s", (int)strcspn(why, "\n"), why);
    PQfinish(c);
    return NULL;
}

/* Runs one command; -1 with err quoting the server. */
static int db_exec(PGconn *c, const char *sql, const char *step, err_t *err) {
    PGresult *r = PQexec(c, sql);
    ExecStatusType st = PQresultStatus(r);
    int rc = 0;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        const char *m = PQresultErrorMessage(r);
        rc = err_set(err, "%s: %.*s", step, (int)strcspn(m, "\n"), m);
    }
    PQclear(r);
    return rc;
}

int db_read_settings(db_t *d, err_t *err) {
    PGconn *c = db_connect(d, err);
    if (!c) return -1;
    PGresult *r = PQexec(c, "SELECT current_setting('server_version'), current_setting('fsync'),"
                            " current_setting('synchronous_commit'),"
                            " current_setting('shared_buffers'),"
                            " current_setting('max_connections'), current_user");
    int rc = 0;
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
        const char *m = PQresultErrorMessage(r);
        rc = err_set(err, "reading the server's settings: %.*s", (int)strcspn(m, "\n"), m);
    } else {
        db_settings_t *s = &d->settings;
        snprintf(s->version, sizeof s->version, "%s", PQgetvalue(r, 0, 0));
        snprintf(s->fsync, sizeof s->fsync, "%s", PQgetvalue(r, 0, 1));
        snprintf(s->synchronous_commit, sizeof s->synchronous_commit, "%s", PQgetvalue(r, 0, 2));
        snprintf(s->shared_buffers, sizeof s->shared_buffers, "%s", PQgetvalue(r, 0, 3));
        snprintf(s->max_connections, sizeof s->max_connections, "%s", PQgetvalue(r, 0, 4));
        snprintf(s->user, sizeof s->user, "%s", PQgetvalue(r, 0, 5));
        snprintf(s->host, sizeof s->host, "%s", PQhost(c) ? PQhost(c) : "");
        snprintf(s->port, sizeof s->port, "%s", PQport(c) ? PQport(c) : "");
    }
    PQclear(r);
    PQfinish(c);
    return rc;
}

/* ---- open / close --------------------------------------------------------------------------- */

int db_open_cluster(db_t **out, err_t *err) {
    *out = NULL;
    const char *tmp = getenv("TMPDIR");
    if (!tmp || !*tmp) tmp = "/tmp";
    db_sweep_stale(tmp);
    db_t *d = calloc(1, sizeof *d);
    if (!d) return err_set(err, "out of memory");
    d->private_cluster = true;
    snprintf(d->settings.kind, sizeof d->settings.kind, "postgres");
    snprintf(d->settings.mode, sizeof d->settings.mode, "private");
    snprintf(d->dir, sizeof d->dir, "%s/" DB_STALE_PREFIX "%ld-XXXXXX", tmp, (long)getpid());
    if (!mkdtemp(d->dir)) {
        err_set(err, "cannot create the cluster directory in %s: %s", tmp, strerror(errno));
        free(d);
        return -1;
    }
    pthread_mutex_lock(&db_live_mu);
    db_live = d;
    pthread_mutex_unlock(&db_live_mu);
    if (db_cluster_start(d, err) < 0) {
        db_yield_to_signal_thread(); /* initdb or postgres failed because we stopped it */
        err_prefix(err, "PostgreSQL cluster in %s: ", d->dir);
        db_close(d);
        return -1;
    }
    *out = d;
    return 0;
}

int db_open_url(const char *url, db_t **out, err_t *err) {
    *out = NULL;
    db_url_t u;
    if (db_url_parse(url, &u, err) < 0) return -1;
    db_t *d = calloc(1, sizeof *d);
    if (!d) return err_set(err, "out of memory");
    snprintf(d->settings.kind, sizeof d->settings.kind, "postgres");
    snprintf(d->settings.mode, sizeof d->settings.mode, "url");
    snprintf(d->url, sizeof d->url, "%s", url);
    if (db_read_settings(d, err) < 0) {
        free(d);
        return -1;
    }
    *out = d;
    return 0;
}

void db_close(db_t *d) {
    if (!d) return;
    db_yield_to_signal_thread();
    if (db_the_active == d) db_the_active = NULL;
    pthread_mutex_lock(&db_live_mu);
    if (db_live == d) db_live = NULL;
    if (d->private_cluster) {
        db_cluster_stop(d, DB_STOP_GRACE_MS);
        file_rmtree(d->dir);
    }
    pthread_mutex_unlock(&db_live_mu);
    free(d);
}

void db_emergency_begin(void) {
    atomic_store(&db_stopping, true);
}

void db_emergency_stop(void) {
    atomic_store(&db_stopping, true);
    pthread_mutex_lock(&db_live_mu); /* a db_close under way finishes first */
    db_t *d = db_live;
    if (d) {
        db_cluster_stop(d, 3000); /* SIGINT, then SIGQUIT after 3 s: Ctrl-C must be quick */
        file_rmtree(d->dir);
    }
    pthread_mutex_unlock(&db_live_mu);
}

int db_open_opt(const char *kind, const char *url, db_t **out, bool *usage, err_t *err) {
    *out = NULL;
    *usage = false;
    db_kind_t k = DB_SQLITE;
    if (kind && db_kind_parse(kind, &k) < 0) {
        *usage = true;
        return err_set(err, "--db wants sqlite or postgres, got '%s'", kind);
    }
    if (url && kind && k != DB_POSTGRES) {
        *usage = true;
        return err_set(err, "--db-url is a PostgreSQL server: it goes with --db postgres or alone");
    }
    if (!url && k == DB_SQLITE) return 0;
    if (url ? db_open_url(url, out, err) : db_open_cluster(out, err)) return -1;
    const db_settings_t *s = &(*out)->settings;
    fprintf(stderr,
            "parity: PostgreSQL %s (%s, socket/host %s, port %s, %s max_connections, "
            "fsync %s, synchronous_commit %s): a fresh database per target start\n",
            s->version, url ? "--db-url" : "private cluster", s->host, s->port, s->max_connections,
            s->fsync, s->synchronous_commit);
    db_set_active(*out);
    return 0;
}

void *db_settings_json(const db_settings_t *s) {
    cJSON *o = cJSON_CreateObject();
    if (!o) return NULL;
    if (!s) {
        cJSON_AddStringToObject(o, "kind", "sqlite");
        return o;
    }
    const char *kv[][2] = {{"kind", s->kind},
                           {"mode", s->mode},
                           {"version", s->version},
                           {"fsync", s->fsync},
                           {"synchronous_commit", s->synchronous_commit},
                           {"shared_buffers", s->shared_buffers},
                           {"max_connections", s->max_connections},
                           {"host", s->host},
                           {"port", s->port},
                           {"user", s->user},
                           {"os_user", s->os_user}};
    for (size_t i = 0; i < sizeof kv / sizeof *kv; i++)
        cJSON_AddStringToObject(o, kv[i][0], kv[i][1]);
    return o;
}

/* ---- per-target databases ------------------------------------------------------------------- */

int db_create(db_t *d, const char *target, char *name, size_t namelen, char *url, size_t urllen,
              err_t *err) {
    db_name_for(target, (long)getpid(), atomic_fetch_add(&db_seq, 1) + 1, name, namelen);
    int rc = d->private_cluster ? db_url_socket(DB_USER, name, d->dir, d->port, url, urllen, err)
                                : db_url_with_dbname(d->url, name, url, urllen, err);
    if (rc < 0) return -1;
    PGconn *c = db_connect(d, err);
    if (!c) return -1;
    char sql[256];
    /* name is [a-z0-9_] (db_name_for): safe to quote as is. template0 because a collation other
     * than the template's needs it; C = bytewise ordering, the same as SQLite's. */
    snprintf(sql, sizeof sql,
             "CREATE DATABASE \"%s\" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' "
             "LC_CTYPE 'C'",
             name);
    char step[128];
    snprintf(step, sizeof step, "CREATE DATABASE %s (user %s)", name, d->settings.user);
    rc = db_exec(c, sql, step, err);
    PQfinish(c);
    return rc;
}

int db_drop(db_t *d, const char *name, err_t *err) {
    if (!d || !name[0]) return 0;
    PGconn *c = db_connect(d, err);
    if (!c) return -1;
    char sql[160], step[128];
    /* WITH (FORCE): a target killed mid-transaction may leave a backend behind for a moment. */
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS \"%s\" WITH (FORCE)", name);
    snprintf(step, sizeof step, "DROP DATABASE %s", name);
    int rc = db_exec(c, sql, step, err);
    PQfinish(c);
    return rc;
}

int db_exists(db_t *d, const char *name, err_t *err) {
    PGconn *c = db_connect(d, err);
    if (!c) return -1;
    const char *pv[1] = {name};
    PGresult *r =
        PQexecParams(c, "SELECT 1 FROM pg_database WHERE datname = $1", 1, NULL, pv, NULL, NULL, 0);
    int rc = PQresultStatus(r) == PGRES_TUPLES_OK ? PQntuples(r) > 0
                                                  : err_set(err, "%s", PQresultErrorMessage(r));
    PQclear(r);
    PQfinish(c);
    return rc;
}

/* ---- leftovers of a parity killed with SIGKILL ---------------------------------------------- */

/* A postmaster still running in data dir `data` (postmaster.pid's first line, and the process's
 * cwd is that directory: a reused pid is left alone) gets SIGKILL. */
static void db_kill_leftover(const char *data) {
    char path[DB_PATH_MAX + 32], line[32], proc[64], cwd[DB_PATH_MAX];
    snprintf(path, sizeof path, "%s/postmaster.pid", data);
    FILE *f = fopen(path, "re");
    if (!f) return;
    long pid = 0;
    if (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        if (str_to_long(line, 1, 1L << 30, &pid) < 0) pid = 0;
    }
    fclose(f);
    if (pid <= 0) return;
    snprintf(proc, sizeof proc, "/proc/%ld/cwd", pid);
    ssize_t n = readlink(proc, cwd, sizeof cwd - 1);
    if (n <= 0) return;
    cwd[n] = '\0';
    if (strcmp(cwd, data) == 0) kill((pid_t)pid, SIGKILL);
}

int db_sweep_stale(const char *tmpdir) {
    DIR *dir = opendir(tmpdir);
    if (!dir) return 0;
    int removed = 0;
    struct dirent *e;
    while ((e = readdir(dir))) {
        if (strncmp(e->d_name, DB_STALE_PREFIX, strlen(DB_STALE_PREFIX)) != 0) continue;
        const char *p = e->d_name + strlen(DB_STALE_PREFIX);
        char num[24];
        size_t nl = strspn(p, "0123456789");
        if (nl == 0 || nl >= sizeof num || p[nl] != '-') continue;
        memcpy(num, p, nl);
        num[nl] = '\0';
        long owner;
        if (str_to_long(num, 1, 1L << 30, &owner) < 0) continue;
        if (owner == (long)getpid() || kill((pid_t)owner, 0) == 0 || errno != ESRCH) continue;
        char path[DB_PATH_MAX], data[DB_PATH_MAX + 8];
        if (snprintf(path, sizeof path, "%s/%s", tmpdir, e->d_name) >= (int)sizeof path) continue;
        snprintf(data, sizeof data, "%s/data", path);
        db_kill_leftover(data);
        file_rmtree(path);
        removed++;
    }
    closedir(dir);
    return removed;
}
