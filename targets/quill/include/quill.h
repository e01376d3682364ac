/*
 * quill: a small Flask-shaped HTTP/1.1 framework in C.
 *
 *     #include "quill.h"
 *     static void hello(quill_req *req, quill_res *res) {
 *         (void)req;
 *         quill_res_text(res, 200, "Hello, World!");
 *     }
 *     int main(void) {
 *         quill_app *app = quill_app_new();
 *         quill_route(app, "GET", "/hello", hello);
 *         quill_config cfg = quill_config_default();
 *         quill_config_from_env(&cfg);          // HOST, PORT, WORKERS
 *         return quill_run(app, &cfg) == 0 ? 0 : 1;
 *     }
 *
 * Model
 * - One epoll event loop per worker thread, each with its own SO_REUSEPORT listener. A handler runs
 *   to completion on its worker's loop: never block for long inside a handler.
 * - Everything allocated for a request (accessor results, response headers and body, the JSON
 *   writer's output, the parsed JSON body) lives in the request's arena and is freed in one go when
 *   the response has been sent. Never keep a pointer obtained from a request after the handler.
 * - Strings handed out by accessors are `quill_str` {ptr,len} slices. Unless stated otherwise, ptr
 *   is NUL-terminated (ptr[len] == '\0') so it can be passed to C string functions, but may contain
 *   embedded NULs after percent-decoding; use len. An absent value has ptr == NULL, len == 0.
 * - Names: quill_req_* read the request (never change it), quill_res_* write the response
 *   (quill_res_get_* read back what was set), quill_arena_* allocate in an arena, quill_buf_* grow
 *   a buffer. The optional parts have their own headers: quill_json.h (JSON writer, JSON bodies),
 *   quill_template.h, quill_jwt.h, quill_crypto.h (bcrypt, random ids), quill_db.h.
 * - One error convention everywhere: a function returning int returns 0 on success and -1 on
 *   failure (a reason, when there is more than one, goes to an optional out-parameter); a
 *   function returning a pointer returns NULL on failure; `bool` functions are predicates
 *   (quill_str_eq, quill_bcrypt_check...). Registration functions abort() on misuse (below).
 * - Internal symbols of libquill.a are prefixed quill__ (two underscores): an application may use
 *   any other name.
 * - Configuration (routes, hooks, handlers, blueprints) happens before quill_run() and is read-only
 *   afterwards; the registration functions are not thread-safe and abort() on misuse (a bad route
 *   pattern is a programming error, reported on stderr with the pattern).
 */
#ifndef QUILL_H
#define QUILL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define QUILL_VERSION "0.1.0"

/* ---------------------------------------------------------------------------------------------
 * Core types
 * ------------------------------------------------------------------------------------------- */

typedef struct quill_app quill_app;             /* the application: routes, hooks, config */
typedef struct quill_blueprint quill_blueprint; /* a group of routes under a prefix, own hooks */
typedef struct quill_req quill_req;             /* one request being handled (read-only) */
typedef struct quill_res quill_res;             /* the response being built for it */
typedef struct quill_arena quill_arena;         /* per-request bump allocator */
typedef struct quill_worker quill_worker;       /* one worker thread (its loop, its data) */

/* A non-owning slice. See "Model" above for the NUL-termination promise of accessors. */
typedef struct quill_str {
    const char *ptr;
    size_t len;
} quill_str;

/* A route handler: read `req`, fill `res`. A handler that sets nothing answers 204. */
typedef void (*quill_handler)(quill_req *req, quill_res *res);

/* A before-request hook. Return 0 to continue, or fill `res` and return 1 to answer early
 * (the route handler is then skipped; after-request hooks still run). */
typedef int (*quill_before_hook)(quill_req *req, quill_res *res);

/* An after-request hook: may change `res` (status, headers, body). Runs on every response,
 * including errors (404, 405, 413, a before-hook's early answer...). */
typedef void (*quill_after_hook)(quill_req *req, quill_res *res);

/* An error handler for one status (or every status, see quill_errorhandler). `res` comes in
 * reset with its status set to `status`; the handler fills the body (and may change the status). */
typedef void (*quill_error_handler)(quill_req *req, quill_res *res, int status);

/* Per-worker start/stop hooks, run on the worker thread before it serves / after it stopped.
 * A start hook returning -1 stops the server (quill_run returns -1). Use them to open per-worker
 * resources such as a database connection (see quill_db.h) and store them with
 * quill_worker_set_data. */
typedef int (*quill_worker_start_hook)(quill_worker *w, void *app_data);
typedef void (*quill_worker_stop_hook)(quill_worker *w, void *app_data);

/* ---------------------------------------------------------------------------------------------
 * Configuration and running
 * ------------------------------------------------------------------------------------------- */

/* Named limits and timeouts. Defaults in brackets. */
typedef struct quill_config {
    const char *host;          /* ["127.0.0.1"] address to bind */
    int port;                  /* [8080] TCP port; 0 = an ephemeral port (see quill_app_port) */
    int workers;               /* [CPUs available] worker threads, one loop + listener each */
    int backlog;               /* [1024] listen(2) backlog */
    size_t max_request_line;   /* [8 KiB] longer request line: 414 */
    size_t max_header_bytes;   /* [32 KiB] longer header block: 431 */
    size_t max_headers;        /* [100] more header fields: 431 (at most QUILL_MAX_HEADERS_CAP) */
    size_t max_body;           /* [1 MiB] larger body (Content-Length or decoded chunked): 413 */
    int header_timeout_ms;     /* [10000] headers not complete in time (slowloris): closed */
    int idle_timeout_ms;       /* [60000] idle keep-alive connection: closed */
    int body_timeout_ms;       /* [60000] body not complete in time: closed */
    int shutdown_timeout_ms;   /* [4000] grace for in-flight requests after SIGTERM/SIGINT */
    bool handle_signals;       /* [true] SIGTERM/SIGINT stop the server gracefully */
    const char *server_header; /* ["quill"] value of the Server header */
    int pool_threads;          /* [2] threads running quill_defer() work (1..QUILL_POOL_MAX) */
    int pool_queue;            /* [64] deferred jobs waiting for a thread; one more: 503 */
} quill_config;

#define QUILL_POOL_MAX       64   /* most pool threads */
#define QUILL_POOL_QUEUE_MAX 4096 /* longest pool queue */

#define QUILL_MAX_HEADERS_CAP 256

quill_config quill_config_default(void);

/* Overrides host, port, workers, pool_threads and pool_queue from the HOST, PORT, WORKERS,
 * POOL_THREADS and POOL_QUEUE environment variables. Returns -1 (with a message on stderr naming
 * the variable) when one is set but invalid. */
int quill_config_from_env(quill_config *cfg);

quill_app *quill_app_new(void);
void quill_app_free(quill_app *app); /* after quill_run returned */

/* Opaque pointer for the application, given to worker hooks and readable from any request. */
void quill_app_set_data(quill_app *app, void *data);
void *quill_app_data(const quill_app *app);

void quill_on_worker_start(quill_app *app, quill_worker_start_hook fn);
void quill_on_worker_stop(quill_app *app, quill_worker_stop_hook fn);

/* Binds every worker's listener, starts the workers and serves until quill_stop() or, with
 * handle_signals, SIGTERM/SIGINT; then stops accepting, lets in-flight requests finish (at most
 * shutdown_timeout_ms) and returns 0. Returns -1 when binding or a worker start hook fails.
 * With handle_signals, SIGTERM and SIGINT are blocked in the calling thread (and so in the
 * workers) for the duration and taken with sigtimedwait; the mask is restored on return. SIGPIPE
 * is ignored process-wide. Logs one line to stderr when listening ("quill: N workers listening on
 * HOST:PORT") and one when stopped. */
int quill_run(quill_app *app, const quill_config *cfg);

/* Asks a running server to stop gracefully (async-signal-safe, callable from any thread). */
void quill_stop(quill_app *app);

/* The bound port once listening (useful with port 0), or 0 when not yet listening. */
int quill_app_port(const quill_app *app);

/* Worker-local data. */
int quill_worker_id(const quill_worker *w); /* 0 .. workers-1 */
void quill_worker_set_data(quill_worker *w, void *data);
void *quill_worker_data(const quill_worker *w);

/* ---------------------------------------------------------------------------------------------
 * Routes, blueprints, hooks, error handlers
 * ------------------------------------------------------------------------------------------- */

/* Registers `handler` for `method` ("GET", "POST", ... exact, upper-case) on `pattern`.
 * Pattern segments: literal text, or `<name>` / `<string:name>` (one path segment, not empty, no
 * '/'), `<int:name>` (decimal digits, fits int64), `<path:name>` (the rest, '/' included; last).
 * Parameters are percent-decoded. Literal routes win over parameter routes at the same segment,
 * `int` over `string`, `string` over `path`; among equals, the first registered wins.
 * A GET route also answers HEAD (no body), unless a HEAD route is registered for the path.
 * No route for the path: 404. Path known but not for this method: 405 with `Allow` listing the
 * path's methods in registration order, separated by ", ". Both go through quill_errorhandler. */
void quill_route(quill_app *app, const char *method, const char *pattern, quill_handler handler);

/* App-level hooks run for every request, matched or not, in registration order: before-hooks
 * first (before the route lookup, so they can answer OPTIONS for any path), after-hooks last. */
void quill_before_request(quill_app *app, quill_before_hook fn);
void quill_after_request(quill_app *app, quill_after_hook fn);

/* Sets the error handler for `status` (100..599), or the fallback for every status with 0.
 * Applies to quill_abort(), 404/405 from routing and the parser's errors (400, 413, 414, 431):
 * for these the request has only what could be parsed (possibly no method or path). */
void quill_errorhandler(quill_app *app, int status, quill_error_handler fn);

/* A blueprint: routes under `prefix` ("/api", no trailing '/'; "" for none) with their own hooks,
 * which run only for requests matched to one of its routes: app before-hooks, blueprint
 * before-hooks, handler, blueprint after-hooks, app after-hooks. */
quill_blueprint *quill_blueprint_new(quill_app *app, const char *prefix);
void quill_bp_route(quill_blueprint *bp, const char *method, const char *pattern,
                    quill_handler handler);
void quill_bp_before_request(quill_blueprint *bp, quill_before_hook fn);
void quill_bp_after_request(quill_blueprint *bp, quill_after_hook fn);

/* ---------------------------------------------------------------------------------------------
 * Request accessors (valid during the request only)
 * ------------------------------------------------------------------------------------------- */

quill_app *quill_req_app(const quill_req *req);
quill_worker *quill_req_worker(const quill_req *req);
quill_arena *quill_req_arena(const quill_req *req);

quill_str quill_req_method(const quill_req *req); /* "GET", ...; NUL-terminated */
quill_str quill_req_path(const quill_req *req);   /* raw path, still percent-encoded, no query */
quill_str quill_req_query(const quill_req *req); /* raw query string after '?' (ptr NULL if none) */
quill_str quill_req_target(const quill_req *req); /* raw target as sent, NOT NUL-terminated */
int quill_req_http_minor(const quill_req *req);   /* 0 for HTTP/1.0, 1 for HTTP/1.1 */
bool quill_req_is_head(const quill_req *req);     /* a HEAD request (served by its GET route) */

/* A route parameter by name, percent-decoded. For `<int:...>` use quill_req_param_int. */
quill_str quill_req_param(const quill_req *req, const char *name);
/* The `<int:name>` parameter (or a decimal string parameter); 0 on success, -1 if absent or not
 * an integer that fits int64. */
int quill_req_param_int(const quill_req *req, const char *name, int64_t *out);

/* The parameter as it appeared in the path, still percent-encoded (an arena copy), e.g. to apply
 * quill_url_decode_strict when malformed escapes must not name anything. */
quill_str quill_req_param_raw(const quill_req *req, const char *name);

/* The first query argument `name` (matched after decoding), decoded (`+` is a space, `%XX`).
 * Present but empty ("?tag=" or "?tag") gives ptr != NULL, len 0. */
quill_str quill_req_arg(const quill_req *req, const char *name);

/* The first header named `name` (case-insensitive), value without surrounding whitespace. */
quill_str quill_req_header(const quill_req *req, const char *name);
/* Header fields by index, 0 .. quill_req_header_count()-1, in order received (name and value). */
size_t quill_req_header_count(const quill_req *req);
int quill_req_header_at(const quill_req *req, size_t i, quill_str *name, quill_str *value);

/* The value of cookie `name` from the Cookie header(s), without quotes. */
quill_str quill_req_cookie(const quill_req *req, const char *name);

/* The request body (chunked bodies decoded), NUL-terminated. Empty body: ptr "" len 0. */
quill_str quill_req_body(const quill_req *req);

/* Per-request storage, like Flask's `g`: set/get pointers by key (string compare). Values are not
 * freed by quill; allocate them in the request arena. Setting an existing key replaces it. */
int quill_req_g_set(quill_req *req, const char *key, void *value);
void *quill_req_g_get(const quill_req *req, const char *key);

/* ---------------------------------------------------------------------------------------------
 * Responses
 * ------------------------------------------------------------------------------------------- */

/* Every response gets Date, Server and Content-Length (204/304 and 1xx: no Content-Length) from
 * quill; do not set them yourself. Connection handling (keep-alive, close) is quill's too. */

void quill_res_set_status(quill_res *res, int status);
int quill_res_get_status(const quill_res *res);

/* Adds a header (name and value are copied into the arena). Several with the same name are all
 * sent (Set-Cookie). quill_res_set_header replaces any previous one of that name
 * (case-insensitive). */
int quill_res_add_header(quill_res *res, const char *name, const char *value);
int quill_res_set_header(quill_res *res, const char *name, const char *value);
quill_str quill_res_get_header(const quill_res *res, const char *name);

/* Sets status, Content-Type and body (copied into the arena unless stated). */
int quill_res_body(quill_res *res, int status, const char *content_type, const void *body,
                   size_t len);
/* Like quill_res_body, but the body is NOT copied: it must outlive the response (static data or
 * arena memory). */
int quill_res_body_ref(quill_res *res, int status, const char *content_type, const void *body,
                       size_t len);
int quill_res_text(quill_res *res, int status, const char *text); /* text/plain; charset=utf-8 */
int quill_res_textn(quill_res *res, int status, const char *text, size_t len);
int quill_res_html(quill_res *res, int status, const char *html, size_t len);
int quill_res_json(quill_res *res, int status, const char *json, size_t len);
/* An empty response (e.g. 204): no body, no Content-Type. */
int quill_res_empty(quill_res *res, int status);

/* ---------------------------------------------------------------------------------------------
 * Blocking work off the event loop
 *
 * A handler runs on its worker's event loop: while it blocks, every other connection of that
 * worker waits. Work that blocks (bcrypt at cost 10 is ~50-100 ms, a slow system call) goes to
 * quill's bounded thread pool, and the request resumes on its loop when the work is done: the
 * shape of Flask code handing work to a thread and of FastAPI's `run_in_threadpool`.
 *
 *     struct check { const char *password, *hash; bool ok; };    // in the request arena
 *     static void check_work(void *arg) {                        // on a pool thread
 *         struct check *c = arg;
 *         c->ok = quill_bcrypt_check(c->password, c->hash);
 *     }
 *     static void check_done(quill_req *req, quill_res *res, void *arg) {   // back on the loop
 *         struct check *c = arg;
 *         quill_res_text(res, c->ok ? 200 : 401, c->ok ? "welcome" : "no");
 *     }
 *     static void login(quill_req *req, quill_res *res) {
 *         struct check *c = quill_arena_calloc(quill_req_arena(req), 1, sizeof *c);
 *         ...
 *         quill_defer(req, res, check_work, check_done, c);      // and return
 *     }
 *
 * Rules. `work` runs on a pool thread: it must not touch req, res or anything of the worker
 * (the worker's database connection included); give it what it needs in `arg` (arena memory stays
 * valid until the response is sent). `done` runs on the request's worker thread, like a handler:
 * it fills res (or defers again). The request's after-request hooks run after `done`. While a
 * request is deferred its connection reads nothing more (pipelined requests wait, answered in
 * order); the worker serves its other connections. At shutdown, deferred work is finished and
 * answered with Connection: close.
 * ------------------------------------------------------------------------------------------- */

typedef void (*quill_work_fn)(void *arg);
typedef void (*quill_done_fn)(quill_req *req, quill_res *res, void *arg);

/* Queues `work(arg)` on the pool; once it has run, `done(req, res, arg)` runs on the loop. Call
 * it from a route handler or a `done` function, then return without touching res. Returns 0 when
 * queued; -1 when the queue is full (pool_queue jobs already wait): the request was answered 503
 * through the error handlers (quill_abort) with `Retry-After: 1`, never stalling the loop; also
 * -1 (answered 500) when called elsewhere (a hook) or twice in one handler. */
int quill_defer(quill_req *req, quill_res *res, quill_work_fn work, quill_done_fn done, void *arg);

/* Runs the error handler for `status` (or the default: a text/plain reason phrase) on `res`.
 * Call it from a handler or hook and return. */
void quill_abort(quill_req *req, quill_res *res, int status);

/* Content types used by the helpers above. */
#define QUILL_CT_TEXT "text/plain; charset=utf-8"
#define QUILL_CT_HTML "text/html; charset=utf-8"
#define QUILL_CT_JSON "application/json; charset=utf-8"

/* The standard reason phrase for a status ("Not Found"), "Unknown" otherwise. */
const char *quill_reason(int status);

/* ---------------------------------------------------------------------------------------------
 * Arena: per-request bump allocator. Memory is 16-byte aligned and freed all at once.
 * ------------------------------------------------------------------------------------------- */

#define QUILL_ARENA_MAX (64u * 1024u * 1024u) /* hard cap per arena: allocations beyond fail */

quill_arena *quill_arena_new(size_t first_block);
void quill_arena_free(quill_arena *a);
void quill_arena_reset(quill_arena *a); /* frees all but the first block, runs cleanups */
void *quill_arena_alloc(quill_arena *a, size_t size); /* NULL when over QUILL_ARENA_MAX */
void *quill_arena_calloc(quill_arena *a, size_t n, size_t size);
char *quill_arena_strndup(quill_arena *a, const char *s, size_t n); /* NUL-terminated copy */
char *quill_arena_strdup(quill_arena *a, const char *s);
char *quill_arena_printf(quill_arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
char *quill_arena_vprintf(quill_arena *a, const char *fmt, va_list ap);
/* Runs fn(ptr) at reset/free, last registered first (e.g. cJSON_Delete). */
int quill_arena_defer(quill_arena *a, void (*fn)(void *), void *ptr);
size_t quill_arena_used(const quill_arena *a); /* bytes handed out since the last reset */

/* ---------------------------------------------------------------------------------------------
 * Growable byte buffer in an arena, with a hard cap
 * ------------------------------------------------------------------------------------------- */

typedef struct quill_buf {
    quill_arena *arena;
    char *ptr;
    size_t len, cap;
    size_t max; /* hard cap (QUILL_ARENA_MAX by default); appends past it fail and set `failed` */
    bool failed;
} quill_buf;

void quill_buf_init(quill_buf *b, quill_arena *a);
int quill_buf_append(quill_buf *b, const void *data, size_t len);
int quill_buf_puts(quill_buf *b, const char *s);
int quill_buf_putc(quill_buf *b, char c);
int quill_buf_printf(quill_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Escapes & < > " ' as HTML entities (&amp; &lt; &gt; &quot; &#39;). */
int quill_buf_html_escape(quill_buf *b, const char *s, size_t len);

/* ---------------------------------------------------------------------------------------------
 * Small utilities
 * ------------------------------------------------------------------------------------------- */

/* Percent-decodes src into the arena (with plus_as_space, '+' becomes ' '); invalid escapes are
 * kept literally. NUL-terminated result. */
quill_str quill_url_decode(quill_arena *a, const char *src, size_t len, bool plus_as_space);
/* Strict variant: -1 (and *out = {NULL, 0}) when an escape is malformed ("%zz", a lone "%") or
 * the decoded bytes are not valid UTF-8 (overlong forms, surrogates and > U+10FFFF included). */
int quill_url_decode_strict(quill_arena *a, const char *src, size_t len, bool plus_as_space,
                            quill_str *out);
/* Whether s[0..len) is valid UTF-8. */
bool quill_utf8_valid(const char *s, size_t len);
/* The current time as RFC 1123 ("Mon, 23 Nov 2026 18:32:05 GMT"), cached per second. */
quill_str quill_http_date(void);
/* Writes `v` in decimal and a NUL to out; returns the number of characters (without the NUL).
 * Faster than snprintf("%lld") on hot paths (JSON numbers, ids). */
#define QUILL_I64_LEN 21 /* "-9223372036854775808" + NUL */
size_t quill_fmt_i64(char out[QUILL_I64_LEN], int64_t v);
/* Milliseconds since the epoch (CLOCK_REALTIME). */
int64_t quill_now_ms(void);

/* Whether the slice equals the C string: byte for byte (quill_str_eq) or ignoring ASCII case
 * (quill_str_ieq). A NULL slice equals nothing. */
bool quill_str_eq(quill_str s, const char *lit);
bool quill_str_ieq(quill_str s, const char *lit);

#ifdef __cplusplus
}
#endif
#endif /* QUILL_H */
