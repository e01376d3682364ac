/*
 * internal.h: structures shared by quill's modules (not part of the public API).
 * Ownership: the app owns routes, hooks and blueprints (freed by quill_app_free); a connection owns
 * its read buffer, output queue and arena; a quill_req/quill_res pair lives inside its connection
 * and points into the read buffer and the arena.
 */
#ifndef QUILL_INTERNAL_H
#define QUILL_INTERNAL_H

#include "quill.h"
#include "quill_crypto.h"
#include "quill_json.h"
#include "quill_jwt.h"
#include "quill_db.h"
#include "quill_template.h"
#include "quill_web.h"
#include "parser.h"

#include <pthread.h>
#include <stdatomic.h>

#define QUILL_MAX_PARAMS      16
#define QUILL_MAX_G           16
#define QUILL_MAX_HOOKS       16
#define QUILL_MAX_RES_HEADERS 32

typedef enum seg_kind { SEG_LITERAL = 0, SEG_INT = 1, SEG_STRING = 2, SEG_PATH = 3 } seg_kind;

typedef struct route_seg {
    seg_kind kind;
    char *text; /* literal text, or the parameter's name */
    size_t len;
} route_seg;

typedef struct route {
    char method[16];
    char *pattern; /* full pattern with the blueprint prefix */
    route_seg *segs;
    size_t nsegs;
    quill_handler handler;
    quill_blueprint *bp; /* NULL for app routes */
    size_t order;
    /* One past the last route of the run of consecutive routes whose first segment is this
     * route's literal (0 when it is a parameter): a path whose first segment differs skips the
     * whole run at once (router.c). */
    size_t run_end;
} route;

typedef struct hook_list {
    quill_before_hook before[QUILL_MAX_HOOKS];
    quill_after_hook after[QUILL_MAX_HOOKS];
    size_t nbefore, nafter;
} hook_list;

struct quill_blueprint {
    quill_app *app;
    char *prefix;
    hook_list hooks;
    quill_blueprint *next;
};

typedef struct router {
    route *routes;
    size_t nroutes, cap;
} router;

/* A deferred piece of work (quill_defer), allocated in the request's arena. The pool runs
 * work(arg) on one of its threads, then hands the job back to its worker (quill__worker_done),
 * whose loop runs done() for the connection `conn`. */
typedef struct quill__job {
    quill_work_fn work;
    quill_done_fn done;
    void *arg;
    quill_worker *worker;
    void *conn; /* the connection waiting for it (conn.c) */
    struct quill__job *next;
    atomic_bool cancelled; /* the client went away before work started: work is skipped */
} quill__job;

/* pool.c: a fixed set of threads and a bounded FIFO of jobs. */
typedef struct quill__pool quill__pool;
/* NULL (message on stderr) when the threads cannot start. */
quill__pool *quill__pool_new(int threads, int queue_cap);
/* Queues a job; -1 when queue_cap jobs already wait. Thread-safe. */
int quill__pool_submit(quill__pool *p, quill__job *job);
/* Runs what is queued, stops and joins the threads, frees the pool. */
void quill__pool_free(quill__pool *p);

struct quill_worker {
    quill_app *app;
    int id;
    void *data;
    pthread_t thread;
    int epfd, listen_fd, wake_fd;
    int start_status;         /* 0 ok, -1 the start hook failed */
    struct worker_loop *loop; /* event-loop state (server.c) */
    size_t nconns;
    /* Jobs the pool finished, handed back to this worker's loop (woken through done_fd). */
    pthread_mutex_t done_mu;
    quill__job *done_head, *done_tail;
    int done_fd;
};

/* Called by a pool thread when job->work has run: queues the job for its worker's loop. */
void quill__worker_done(quill__job *job);

struct quill_app {
    router router;
    hook_list hooks;
    quill_error_handler errors[600]; /* index 0: fallback */
    quill_blueprint *bps;
    void *data;
    quill_worker_start_hook on_start;
    quill_worker_stop_hook on_stop;
    quill_config cfg;
    atomic_int port;
    atomic_int stopping;
    quill_worker *workers;
    int nworkers;
    quill__pool *pool;                  /* while quill_run runs */
    struct quill__session_cfg *session; /* quill_session_init, else NULL */
};

typedef struct res_header {
    const char *name, *value;
    size_t name_len, value_len;
} res_header;

struct quill_res {
    int status;
    const char *content_type;
    const char *body;
    size_t body_len;
    res_header headers[QUILL_MAX_RES_HEADERS];
    size_t nheaders;
    bool set;    /* something was set by a handler */
    bool failed; /* out of memory or too many headers: answered 500 */
    quill_arena *arena;
};

typedef struct req_param {
    const char *name;
    quill_str value;
    quill_str raw; /* slice of the path, not NUL-terminated */
    int64_t ival;
    bool is_int;
} req_param;

typedef struct req_g {
    const char *key;
    void *value;
} req_g;

struct quill_req {
    quill_app *app;
    quill_worker *worker;
    quill_arena *arena;
    qp_request *p; /* parsed head; method/target NULL for parser errors before the request line */
    quill_str method, path, query, target;
    const char *body;
    size_t body_len;
    req_param params[QUILL_MAX_PARAMS];
    size_t nparams;
    req_g g[QUILL_MAX_G];
    size_t ng;
    cJSON *json;
    bool json_parsed;
    bool head;
    const route *matched;
    int error_depth;          /* quill_abort inside an error handler falls back to the default */
    bool may_defer;           /* inside a route handler or a done function */
    quill__job *job;          /* set by quill_defer: the request waits for it */
    struct quill__form *form; /* quill_form_*: parsed once, NULL before */
    int form_status;          /* 0, or the 400/413 the form parse failed with */
    struct quill__session *session; /* loaded on first use (session.c), NULL before */
};

/* router.c */
typedef enum match_result { MATCH_FOUND, MATCH_NOT_FOUND, MATCH_BAD_METHOD } match_result;
void quill__router_add(router *r, quill_blueprint *bp, const char *method, const char *prefix,
                       const char *pattern, quill_handler handler);
/* Matches req->method/path; on MATCH_FOUND sets req->matched and params; on MATCH_BAD_METHOD
 * writes the Allow value ("GET, POST") into allow (capped). */
match_result quill__router_match(const router *r, quill_req *req, char *allow, size_t allow_len);
void quill__router_free(router *r);

/* app.c: runs hooks, routing, handler and error handlers for one parsed request (or a parser
 * error, status != 0), leaving the final response in res and returning 0; or returns 1 when the
 * handler deferred (req->job): quill__app_resume, once the job has run, runs its done function
 * and the after-request hooks (0), or returns 1 again if done deferred again. */
int quill__app_dispatch(quill_app *app, quill_req *req, quill_res *res, int parse_error);
int quill__app_resume(quill_app *app, quill_req *req, quill_res *res);

/* response.c */
void quill__res_init(quill_res *res, quill_arena *a);
/* Serializes the status line and headers into out (quill's Date, Server, Content-Length,
 * Connection: close when !keep_alive, Connection: keep-alive for a kept HTTP/1.0 client).
 * Returns the length or -1 when it does not fit in cap (quill__res_head_size + strlen(server)). */
size_t quill__res_head_size(const quill_res *res);
int quill__res_serialize_head(const quill_res *res, const char *server, bool keep_alive,
                              bool http10, char *out, size_t cap);

/* arena.c: makes room for `extra` more bytes (and a NUL); 0, or -1 and b->failed. */
int quill__buf_reserve(quill_buf *b, size_t extra);

/* form.c: the pairs of an application/x-www-form-urlencoded body. */
typedef struct quill__form {
    size_t n;
    quill_str *names, *values; /* decoded, NUL-terminated, in the arena */
} quill__form;
/* Parses s[0..len) into out (arena). Returns 0, or the status to answer: 400 malformed (bad
 * escape, invalid UTF-8, a NUL byte), 413 over a QUILL_FORM_MAX_* limit, 500 out of memory. */
int quill__form_parse(quill_arena *a, const char *s, size_t len, quill__form *out);

/* session.c */
typedef struct quill__session_cfg {
    char *secret;
    size_t secret_len;
    char *cookie_name;
    long long max_age_s;
    bool secure;
    quill_session_check_fn check;
} quill__session_cfg;
/* Called by the dispatcher at the end of every request that touched the session: writes the
 * cookie when the session changed (a failure answers 500). */
void quill__session_save(quill_req *req, quill_res *res);
void quill__session_cfg_free(quill__session_cfg *cfg);
/* The signature over `data`: base64url(HMAC-SHA256(secret, data)) appended to b. 0 or -1. */
int quill__session_sign(const quill__session_cfg *cfg, const char *data, size_t n, quill_buf *b);

/* jwt.c: unpadded base64url (RFC 4648 section 5) and HMAC-SHA256, shared with session.c. */
int quill__b64url_encode(quill_buf *b, const unsigned char *in, size_t n);
/* Decodes into out (capacity n*3/4+1); returns the length or -1. */
long quill__b64url_decode(const char *in, size_t n, unsigned char *out);
int quill__hmac256(const char *secret, size_t slen, const char *data, size_t n,
                   unsigned char mac[32]);

/* request.c */
void quill__req_init(quill_req *req, quill_app *app, quill_worker *w, quill_arena *a,
                     qp_request *p);
/* Hands a cJSON tree to the request's arena (deleted with it); NULL, deleting it, when j is NULL
 * or the arena cannot take it. */
cJSON *quill__req_own_json(quill_req *req, cJSON *j);

#endif
