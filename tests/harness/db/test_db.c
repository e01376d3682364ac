/* harness/db against a real server: a private cluster, then --db-url pointed at it (one initdb
 * for the whole file). A target started while the URL database is active gets a database that
 * exists while it runs (the probe connects to DATABASE_URL at start-up, so a wrong URL fails the
 * start) and is gone after target_stop. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db/db.h"
#include "target/target.h"

#define PROBE TESTS_DIR "/harness/db/root/targets/pg-probe/target.json"

Test(db, url_database_lives_exactly_as_long_as_the_target, .timeout = 180) {
    err_t err;
    db_t *cluster = NULL, *url = NULL;
    cr_assert_eq(db_open_cluster(&cluster, &err), 0, "%s", err.msg);
    const db_settings_t *cs = db_settings(cluster);
    cr_assert_str_eq(cs->mode, "private");
    cr_assert_str_eq(cs->max_connections, "200");
    cr_assert_str_eq(cs->fsync, "on");
    struct stat st;
    cr_assert_eq(stat(cs->host, &st), 0, "the socket directory %s exists", cs->host);

    /* --db-url: the same server through a URL (keyword-free URI, Unix socket). */
    long port = 0;
    cr_assert_eq(str_to_long(cs->port, 1, 65535, &port), 0);
    char u[DB_URL_MAX];
    cr_assert_eq(db_url_socket(DB_USER, "postgres", cs->host, (int)port, u, sizeof u, &err), 0);
    cr_assert_eq(db_open_url(u, &url, &err), 0, "%s", err.msg);
    cr_assert_str_eq(db_settings(url)->mode, "url");
    cr_assert_str_eq(db_settings(url)->version, cs->version);
    db_set_active(url);

    target_manifest_t m;
    cr_assert_eq(target_manifest_load(PROBE, &m, &err), 0, "%s", err.msg);
    cr_assert(m.databases & (1u << DB_POSTGRES));
    char log[] = "/tmp/parity-test-db-XXXXXX";
    int fd = mkstemp(log);
    cr_assert(fd >= 0);
    close(fd);
    target_opts_t o = {.workers = 1, .log_path = log};
    target_proc_t p;
    cr_assert_eq(target_start(&m, &o, &p, &err), 0, "%s", err.msg);
    char name[DB_NAME_MAX];
    snprintf(name, sizeof name, "%s", p.db_name);
    cr_assert(strncmp(name, "parity_", 7) == 0, "%s", name);
    cr_assert(strstr(p.db_url, name) && strncmp(p.db_url, "postgresql://parity@/", 21) == 0, "%s",
              p.db_url);
    cr_assert_eq(db_exists(url, name, &err), 1, "exists while the target runs");
    cr_assert_eq(target_stop(&p, &err), 0, "%s", err.msg);
    cr_assert_eq(db_exists(url, name, &err), 0, "dropped after target_stop");

    /* A second start gets another, empty database. */
    cr_assert_eq(target_start(&m, &o, &p, &err), 0, "%s", err.msg);
    cr_assert(strcmp(p.db_name, name) != 0);
    cr_assert_eq(target_stop(&p, &err), 0, "%s", err.msg);

    db_set_active(NULL);
    target_manifest_free(&m);
    unlink(log);
    db_close(url);
    char dir[DB_PATH_MAX];
    snprintf(dir, sizeof dir, "%s", cs->host);
    db_close(cluster);
    cr_assert_neq(stat(dir, &st), 0, "the cluster directory is removed");
}
