/*
 * app.c: the application object, configuration, route/hook/error-handler registration, blueprints
 * and the dispatch of one request through hooks, router, handler and error handlers.
 */
#include "internal.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_ALLOW 256 /* bytes of an Allow header value */

static int cpus_available(void) {
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof(set), &set) == 0) {
        int n = CPU_COUNT(&set);
        if (n > 0) return n;
    }
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

quill_config quill_config_default(void) {
    quill_config c = {
        .host = "127.0.0.1",
        .port = 8080,
        .workers = cpus_available(),
        .backlog = 1024,
        .max_request_line = QP_DEFAULT_MAX_REQUEST_LINE,
        .max_header_bytes = QP_DEFAULT_MAX_HEADER_BYTES,
        .max_headers = QP_DEFAULT_MAX_HEADERS,
        .max_body = 1024 * 1024,
        .header_timeout_ms = 10000,
        .idle_timeout_ms = 60000,
        .body_timeout_ms = 60000,
        .shutdown_timeout_ms = 4000,
        .handle_signals = true,
        .server_header = "quill",
        .pool_threads = 2,
        .pool_queue = 64,
    };
    return c;
}

static int env_int(const char *name, long min, long max, int *out) {
    const char *v = getenv(name);
    if (!v || !*v) return 0;
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (errno || *end || n < min || n > max) {
        fprintf(stderr, "quill: environment variable %s=\"%s\" is not an integer in %ld..%ld\n",
                name, v, min, max);
        return -1;
    }
    *out = (int)n;
    return 0;
}

int quill_config_from_env(quill_config *cfg) {
    const char *host = getenv("HOST");
    if (host && *host) cfg->host = host;
    if (env_int("PORT", 0, 65535, &cfg->port) < 0) return -1;
    if (env_int("WORKERS", 1, 256, &cfg->workers) < 0) return -1;
    if (env_int("POOL_THREADS", 1, QUILL_POOL_MAX, &cfg->pool_threads) < 0) return -1;
    if (env_int("POOL_QUEUE", 1, QUILL_POOL_QUEUE_MAX, &cfg->pool_queue) < 0) return -1;
    return 0;
}

quill_app *quill_app_new(void) {
    quill_app *app = calloc(1, sizeof(*app));
    if (!app) abort();
    app->cfg = quill_config_default();
    return app;
}

void quill_app_free(quill_app *app) {
    if (!app) return;
    quill__router_free(&app->router);
    quill_blueprint *bp = app->bps;
    while (bp) {
        quill_blueprint *next = bp->next;
        free(bp->prefix);
        free(bp);
        bp = next;
    }
    free(app->workers);
    quill__session_cfg_free(app->session);
    free(app);
}

void quill_app_set_data(quill_app *app, void *data) {
    app->data = data;
}
void *quill_app_data(const quill_app *app) {
    return app->data;
}
void quill_on_worker_start(quill_app *app, quill_worker_start_hook fn) {
    app->on_start = fn;
}
void quill_on_worker_stop(quill_app *app, quill_worker_stop_hook fn) {
    app->on_stop = fn;
}
int quill_worker_id(const quill_worker *w) {
    return w->id;
}
void quill_worker_set_data(quill_worker *w, void *data) {
    w->data = data;
}
void *quill_worker_data(const quill_worker *w) {
    return w ? w->data : NULL;
}

static void add_before(hook_list *h, quill_before_hook fn) {
    if (!fn || h->nbefore == QUILL_MAX_HOOKS) {
        fprintf(stderr, "quill: too many before-request hooks (max %d) or NULL hook\n",
                QUILL_MAX_HOOKS);
        abort();
    }
    h->before[h->nbefore++] = fn;
}

static void add_after(hook_list *h, quill_after_hook fn) {
    if (!fn || h->nafter == QUILL_MAX_HOOKS) {
        fprintf(stderr, "quill: too many after-request hooks (max %d) or NULL hook\n",
                QUILL_MAX_HOOKS);
        abort();
    }
    h->after[h->nafter++] = fn;
}

void quill_route(quill_app *app, const char *method, const char *pattern, quill_handler handler) {
    quill__router_add(&app->router, NULL, method, "", pattern, handler);
}
void quill_before_request(quill_app *app, quill_before_hook fn) {
    add_before(&app->hooks, fn);
}
void quill_after_request(quill_app *app, quill_after_hook fn) {
    add_after(&app->hooks, fn);
}

void quill_errorhandler(quill_app *app, int status, quill_error_handler fn) {
    if (status != 0 && (status < 100 || status > 599)) {
        fprintf(stderr, "quill: quill_errorhandler: status %d is not 0 or 100..599\n", status);
        abort();
    }
    app->errors[status] = fn;
}

quill_blueprint *quill_blueprint_new(quill_app *app, const char *prefix) {
    quill_blueprint *bp = calloc(1, sizeof(*bp));
    if (!bp) abort();
    bp->app = app;
    bp->prefix = strdup(prefix ? prefix : "");
    if (!bp->prefix) abort();
    bp->next = app->bps;
    app->bps = bp;
    return bp;
}

void quill_bp_route(quill_blueprint *bp, const char *method, const char *pattern,
                    quill_handler handler) {
    quill__router_add(&bp->app->router, bp, method, bp->prefix, pattern, handler);
}
void quill_bp_before_request(quill_blueprint *bp, quill_before_hook fn) {
    add_before(&bp->hooks, fn);
}
void quill_bp_after_request(quill_blueprint *bp, quill_after_hook fn) {
    add_after(&bp->hooks, fn);
}

static void default_error(quill_res *res, int status) {
    const char *reason = quill_reason(status);
    quill_res_body_ref(res, status, QUILL_CT_TEXT, reason, strlen(reason));
}

void quill_abort(quill_req *req, quill_res *res, int status) {
    if (status < 100 || status > 599) status = 500;
    quill__res_init(res, req->arena);
    quill_res_set_status(res, status);
    quill_error_handler fn =
        req->app->errors[status] ? req->app->errors[status] : req->app->errors[0];
    if (fn && req->error_depth == 0) {
        req->error_depth++;
        fn(req, res, status);
        req->error_depth--;
        if (!res->failed) return;
        quill__res_init(res, req->arena);
        status = 500;
    }
    default_error(res, status);
}

static void run_after(const hook_list *h, quill_req *req, quill_res *res) {
    for (size_t i = 0; i < h->nafter; i++) h->after[i](req, res);
}

/* The end of every request: blueprint after-hooks (for a matched route), app after-hooks, and a
 * failed response (out of memory, too many headers) replaced by a plain 500. The session cookie
 * is written first, so that after-hooks see the final headers. */
static void finish(quill_app *app, quill_req *req, quill_res *res, const quill_blueprint *bp) {
    if (req->session) quill__session_save(req, res); /* only requests that touched it */
    if (bp) run_after(&bp->hooks, req, res);
    run_after(&app->hooks, req, res);
    if (res->failed) {
        quill__res_init(res, req->arena);
        default_error(res, 500);
    }
}

/* Runs a handler or a done function with quill_defer allowed; 1 when it deferred. */
static int run_handler(quill_req *req, quill_res *res, quill_handler h, quill__job *job) {
    req->may_defer = true;
    if (job)
        job->done(req, res, job->arg);
    else
        h(req, res);
    req->may_defer = false;
    return req->job != NULL;
}

int quill__app_dispatch(quill_app *app, quill_req *req, quill_res *res, int parse_error) {
    if (parse_error) {
        quill_abort(req, res, parse_error);
        finish(app, req, res, NULL);
        return 0;
    }
    for (size_t i = 0; i < app->hooks.nbefore; i++) {
        if (app->hooks.before[i](req, res)) {
            finish(app, req, res, NULL);
            return 0;
        }
    }
    char allow[MAX_ALLOW];
    switch (quill__router_match(&app->router, req, allow, sizeof(allow))) {
    case MATCH_NOT_FOUND:
        quill_abort(req, res, 404);
        finish(app, req, res, NULL);
        return 0;
    case MATCH_BAD_METHOD:
        quill_abort(req, res, 405);
        if (!quill_res_get_header(res, "Allow").ptr) quill_res_add_header(res, "Allow", allow);
        finish(app, req, res, NULL);
        return 0;
    case MATCH_FOUND: break;
    }
    const quill_blueprint *bp = req->matched->bp;
    bool answered = false;
    if (bp) {
        for (size_t i = 0; i < bp->hooks.nbefore && !answered; i++)
            answered = bp->hooks.before[i](req, res) != 0;
    }
    if (!answered && run_handler(req, res, req->matched->handler, NULL)) return 1;
    finish(app, req, res, bp);
    return 0;
}

int quill__app_resume(quill_app *app, quill_req *req, quill_res *res) {
    quill__job *job = req->job;
    req->job = NULL;
    if (run_handler(req, res, NULL, job)) return 1;
    finish(app, req, res, req->matched ? req->matched->bp : NULL);
    return 0;
}

int quill_defer(quill_req *req, quill_res *res, quill_work_fn work, quill_done_fn done, void *arg) {
    if (!req->may_defer || req->job || !work || !done) {
        fprintf(stderr, "quill: quill_defer outside a handler, twice, or without functions\n");
        quill_abort(req, res, 500);
        return -1;
    }
    quill__job *job = quill_arena_calloc(req->arena, 1, sizeof(*job));
    if (!job) {
        quill_abort(req, res, 500);
        return -1;
    }
    *job = (quill__job){.work = work, .done = done, .arg = arg, .worker = req->worker};
    if (quill__pool_submit(req->app->pool, job) != 0) {
        quill_abort(req, res, 503);
        quill_res_set_header(res, "Retry-After", "1");
        return -1;
    }
    req->job = job;
    return 0;
}
