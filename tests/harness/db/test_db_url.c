/* db_url: DATABASE_URL building and --db-url parsing (harness/db/db_url.c). */
#include <criterion/criterion.h>
#include <string.h>

#include "db/db.h"

static void with_db(const char *url, const char *name, const char *want) {
    char out[DB_URL_MAX];
    err_t err;
    cr_assert_eq(db_url_with_dbname(url, name, out, sizeof out, &err), 0, "%s: %s", url, err.msg);
    cr_assert_str_eq(out, want, "%s", url);
}

Test(db_url, replaces_the_database_and_keeps_the_rest) {
    with_db("postgresql://u:p%40ss@db.example:5433/postgres", "x",
            "postgresql://u:p%40ss@db.example:5433/x");
    with_db("postgresql://u@db.example/postgres?sslmode=require&connect_timeout=5", "x",
            "postgresql://u@db.example/x?sslmode=require&connect_timeout=5");
    with_db("postgres://h", "x", "postgres://h/x"); /* no path */
    with_db("postgresql://h?sslmode=disable", "x", "postgresql://h/x?sslmode=disable");
    with_db("postgresql:///postgres?host=/run/postgresql", "x", /* socket, empty host */
            "postgresql:///x?host=/run/postgresql");
    with_db("postgresql://[::1]:5432/postgres", "x", "postgresql://[::1]:5432/x");
}

Test(db_url, parse_offsets) {
    db_url_t u;
    err_t err;
    const char *s = "postgresql://u@h:1/db?a=b";
    cr_assert_eq(db_url_parse(s, &u, &err), 0);
    cr_assert_eq(u.auth_end, strlen("postgresql://u@h:1"));
    cr_assert_eq(u.path_end, strlen("postgresql://u@h:1/db"));
}

Test(db_url, rejects_what_is_not_a_postgres_uri) {
    db_url_t u;
    err_t err;
    cr_assert_eq(db_url_parse("mysql://h/db", &u, &err), -1);
    cr_assert(strstr(err.msg, "postgresql://"), "%s", err.msg);
    cr_assert_eq(db_url_parse("host=/tmp dbname=x", &u, &err), -1); /* a keyword conninfo */
    cr_assert_eq(db_url_parse("postgresql://h/db x", &u, &err), -1);
    cr_assert_eq(db_url_parse("postgresql://h/db#frag", &u, &err), -1);
}

Test(db_url, socket_url_percent_encodes_the_directory) {
    char out[DB_URL_MAX];
    err_t err;
    cr_assert_eq(db_url_socket("parity", "parity_1_1_flask", "/tmp/parity.pg-42-aB", 5432, out,
                               sizeof out, &err),
                 0);
    cr_assert_str_eq(out,
                     "postgresql://parity@/parity_1_1_flask?host=/tmp/parity.pg-42-aB&port=5432");
    cr_assert_eq(db_url_socket("parity", "d", "/tmp/a b&c=%", 1, out, sizeof out, &err), 0);
    cr_assert_str_eq(out, "postgresql://parity@/d?host=/tmp/a%20b%26c%3D%25&port=1");
    cr_assert_eq(db_url_socket("parity", "d", "relative", 1, out, sizeof out, &err), -1);
}

Test(db_url, database_names_are_safe_identifiers) {
    char name[DB_NAME_MAX];
    db_name_for("flask-raw", 123, 7, name, sizeof name);
    cr_assert_str_eq(name, "parity_123_7_flask_raw");
    db_name_for("Quill.X", 1, 1, name, sizeof name);
    cr_assert_str_eq(name, "parity_1_1_quill_x");
    db_name_for("a-very-long-target-name-that-goes-on-and-on-and-on-beyond-63", 4194304, 99, name,
                sizeof name);
    cr_assert_eq(strlen(name), 63); /* PostgreSQL's NAMEDATALEN - 1 */
    cr_assert(strncmp(name, "parity_4194304_99_a_very", 24) == 0, "%s", name);
}

Test(db_kind, parse) {
    db_kind_t k;
    cr_assert_eq(db_kind_parse("postgres", &k), 0);
    cr_assert_eq(k, DB_POSTGRES);
    cr_assert_eq(db_kind_parse("sqlite", &k), 0);
    cr_assert_eq(k, DB_SQLITE);
    cr_assert_eq(db_kind_parse("postgresql", &k), -1);
    cr_assert_str_eq(db_kind_name(DB_POSTGRES), "postgres");
}
