/* quill-blog: the blog contract on quill.
 *
 *   HOST=127.0.0.1 PORT=8080 WORKERS=2 DATABASE_PATH=/tmp/blog.db SECRET_KEY=... quill-blog
 *   DATABASE_URL=postgresql://USER@/DB?host=/socket/dir SECRET_KEY=... quill-blog
 *
 * DATABASE_URL, when set and not empty, selects PostgreSQL (a libpq URI, passed to libpq as is);
 * otherwise DATABASE_PATH names the SQLite file.
 *   quill-blog --version
 *
 * BLOG_QUERY_COUNT=1 adds an X-Query-Count header (statements run) to every response.
 *
 * Exit codes: 0 stopped cleanly (SIGTERM/SIGINT), 1 the server failed (bind, database),
 * 2 bad configuration (a missing or invalid environment variable, unknown argument). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "blog.h"
#include "web.h"

static void usage(FILE *out) {
    fprintf(out, "usage: quill-blog [--version]\n"
                 "environment: HOST, PORT, WORKERS, DATABASE_URL (PostgreSQL) or DATABASE_PATH "
                 "(SQLite; one of them required), SECRET_KEY (required)\n");
}

/* CORS preflight for every path, matched or not (an app-level hook runs before routing). */
static int cors_preflight(quill_req *req, quill_res *res) {
    if (!quill_str_eq(quill_req_method(req), "OPTIONS")) return 0;
    quill_res_set_header(res, "Access-Control-Allow-Methods", "GET, POST, PUT, DELETE, OPTIONS");
    quill_res_set_header(res, "Access-Control-Allow-Headers", "Content-Type, Authorization");
    quill_res_empty(res, 204);
    return 1;
}

/* Every response, errors included, allows every origin. */
static void cors_origin(quill_req *req, quill_res *res) {
    (void)req;
    quill_res_set_header(res, "Access-Control-Allow-Origin", "*");
}

/* Errors are JSON (contract section 1), except on the web pages (section 7), which the web
 * blueprint's hook marks: there they are HTML pages. */
static void error_not_found(quill_req *req, quill_res *res, int status) {
    if (web_is_page(req)) {
        web_error_page(req, res, status);
        return;
    }
    render_error(res, status, "route", "not found");
}

static void error_method(quill_req *req, quill_res *res, int status) {
    if (web_is_page(req)) {
        web_error_page(req, res, status);
        return;
    }
    render_error(res, status, "method", "not allowed");
}

static void error_too_large(quill_req *req, quill_res *res, int status) {
    if (web_is_page(req)) {
        web_error_page(req, res, status);
        return;
    }
    render_error(res, status, "body", "is too large");
}

/* The pool that runs bcrypt (quill_defer) has a full queue: the client may retry (quill adds
 * Retry-After). */
static void error_busy(quill_req *req, quill_res *res, int status) {
    if (web_is_page(req)) {
        web_error_page(req, res, status);
        return;
    }
    render_error(res, status, "server", "is busy, retry later");
}

/* Requests the parser refused (specs Ruling 12): a malformed request is 400, a request line or
 * header section over quill's limits 414 / 431, all with the same body as the other targets. */
static void error_other(quill_req *req, quill_res *res, int status) {
    if (web_is_page(req)) { /* 403 / 404 of the web pages (CSRF, not the author...) */
        web_error_page(req, res, status);
        return;
    }
    // parity-ruling: begin 12 the parser's refusals as the contract's JSON
    if (status == 400 || status == 414 || status == 431) {
        render_error(res, status, "request", "is invalid");
        return;
    }
    // parity-ruling: end
    /* Anything else quill answers itself (500...): the reason phrase, lower-cased. */
    char msg[64];
    const char *reason = quill_reason(status);
    size_t i = 0;
    for (; reason[i] && i < sizeof msg - 1; i++)
        msg[i] = (reason[i] >= 'A' && reason[i] <= 'Z') ? (char)(reason[i] + 32) : reason[i];
    msg[i] = '\0';
    render_error(res, status, "request", msg);
}

/* BLOG_QUERY_COUNT=1: every response says how many statements it ran (X-Query-Count), so that
 * "a list costs the same number of queries whatever its size" can be checked from outside. */
static int query_count_reset(quill_req *req, quill_res *res) {
    (void)req;
    (void)res;
    db_query_count(true);
    return 0;
}

static void query_count_header(quill_req *req, quill_res *res) {
    (void)req;
    char n[16];
    snprintf(n, sizeof n, "%u", db_query_count(false));
    quill_res_set_header(res, "X-Query-Count", n);
}

static int worker_start(quill_worker *w, void *data) {
    (void)w;
    (void)data;
    return db_thread_open();
}

static void worker_stop(quill_worker *w, void *data) {
    (void)w;
    (void)data;
    db_thread_close();
}

static const char *required_env(const char *name) {
    const char *v = getenv(name);
    if (v == NULL || v[0] == '\0') {
        fprintf(stderr, "quill-blog: environment variable %s is required\n", name);
        usage(stderr);
        return NULL;
    }
    return v;
}

int main(int argc, char **argv) {
    if (argc == 2 && strcmp(argv[1], "--version") == 0) {
        printf("quill %s / SQLite %s / libpq %d\n", QUILL_VERSION, sqlite3_libversion(),
               quill_db_libpq_version());
        return 0;
    }
    if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        usage(stdout);
        return 0;
    }
    if (argc > 1) {
        fprintf(stderr, "quill-blog: unknown argument '%s'\n", argv[1]);
        usage(stderr);
        return 2;
    }
    const char *db_url = getenv("DATABASE_URL");
    bool pg = db_url && *db_url;
    const char *db_path = pg ? db_url : required_env("DATABASE_PATH");
    const char *secret = required_env("SECRET_KEY");
    if (db_path == NULL || secret == NULL) return 2;
    quill_config cfg = quill_config_default();
    if (quill_config_from_env(&cfg) != 0) return 2;
    if (db_init(db_path) != 0 || db_checkpointer_start() != 0) return 1;
    auth_set_secret(secret);

    quill_app *app = quill_app_new();
    if (app == NULL) {
        fprintf(stderr, "quill-blog: out of memory\n");
        return 1;
    }
    const char *qc = getenv("BLOG_QUERY_COUNT");
    bool count_queries = qc && strcmp(qc, "1") == 0;
    if (count_queries) quill_before_request(app, query_count_reset);
    quill_before_request(app, cors_preflight);
    quill_after_request(app, cors_origin);
    if (count_queries) quill_after_request(app, query_count_header);
    quill_errorhandler(app, 404, error_not_found);
    quill_errorhandler(app, 405, error_method);
    quill_errorhandler(app, 413, error_too_large);
    quill_errorhandler(app, 503, error_busy);
    quill_errorhandler(app, 0, error_other);
    quill_on_worker_start(app, worker_start);
    quill_on_worker_stop(app, worker_stop);
    users_blueprint(app);
    profiles_blueprint(app);
    articles_blueprint(app);
    comments_blueprint(app);
    tags_blueprint(app);
    pages_blueprint(app);
    web_blueprints(app, secret);

    fprintf(stderr, "quill-blog: starting on %s:%d with %d workers, database %s\n", cfg.host,
            cfg.port, cfg.workers, pg ? "PostgreSQL (DATABASE_URL)" : db_path);
    int rc = quill_run(app, &cfg);
    quill_app_free(app);
    web_shutdown();
    db_shutdown();
    fprintf(stderr, "quill-blog: stopped\n");
    return rc == 0 ? 0 : 1;
}
