/* step: the transport-agnostic step engine. The runner (check.c) drives it:
 *
 *     step_iter_t it; step_iter_init(&it, &suite->steps);
 *     const step_t *st;
 *     while (step_iter_next(&it, vars, &st, &err) == 0 && st) {
 *         if (step_skip_reason(st, target)) { report skip; continue; }
 *         req_t req; req_init(&req);
 *         if (step_build_request(st, vars, &req, &err) == -1) -> step error (e.g. unknown var)
 *         ... sleep st->delay_ms, send with libcurl into a resp_t, retry per st->retry_* ...
 *         step_result_t res; step_result_init(&res);
 *         step_check(st, &resp, vars, &res);   res.pass, res.items[i] for the failure block
 *         step_result_free(&res); req_free(&req);
 *     }
 *
 * Nothing here touches the network or re-parses spec files: regexes and JSONPaths were compiled
 * at load, the response body is parsed once (resp_json), so a step costs microseconds.
 *
 * Ownership: req_t, step_result_t are the caller's (req_free, step_result_free). */
#ifndef PARITY_STEP_H
#define PARITY_STEP_H

#include <stdbool.h>
#include <stddef.h>

#include "assert.h"
#include "spec.h"
#include "tmpl.h"
#include "util.h"

#define REQ_MAX_HEADERS    128          /* headers of one request */
#define REQ_MAX_TARGET     (64u << 10)  /* bytes of path + query */
#define REQ_MAX_BODY       (128u << 20) /* bytes of a rendered body */
#define STEP_CURL_MAX_BODY 8192         /* body bytes written inline in a curl command line */

/* ---- iteration --------------------------------------------------------------------------------
 */

typedef struct step_frame {
    const step_list_t *list;
    size_t pos;          /* next item of list */
    const step_t *owner; /* the repeat/include whose children these are; NULL at the top */
    long iter, count;    /* repeat: current iteration and total */
} step_frame_t;

typedef struct step_iter {
    step_frame_t frames[SPEC_MAX_NESTING + 1];
    int depth; /* frames in use; 0 = finished */
} step_iter_t;

void step_iter_init(step_iter_t *it, const step_list_t *list);
/* Next request step in run order, or *out = NULL at the end. Entering an include renders its
 * `with` into vars; each repeat iteration sets its index variable; a repeat count template is
 * rendered when the repeat starts. -1 (err names the step's file:line:col) when that fails. */
int step_iter_next(step_iter_t *it, vars_t *vars, const step_t **out, err_t *err);

/* The step's name with its {{...}} rendered (e.g. "register {{as}}" in an include file), appended
 * to out; a reference that cannot be rendered is left as written. */
int step_name(const step_t *st, const vars_t *vars, buf_t *out);

/* ---- request -------------------------------------------------------------------------------- */

typedef struct req_header {
    char *name;
    char *value;
} req_header_t;

typedef struct req {
    const char *method;    /* borrowed from the spec */
    buf_t target;          /* path + "?" + query, e.g. "/api/articles?tag=a%20b&limit=20" */
    req_header_t *headers; /* user headers in spec order, then a default Content-Type unless
                              the user gave one; names as written */
    size_t nheaders;
    bool has_body;
    buf_t body;
    const char *content_type; /* the effective Content-Type (points into headers) or NULL: for a
                                 raw body without one the runner must suppress libcurl's default
                                 by sending "Content-Type:" */
    bool chunked; /* a "Transfer-Encoding: chunked" header is among headers: libcurl then sends
                     the body chunked, without Content-Length */
    long timeout_ms;
} req_t;

void req_init(req_t *r);
void req_free(req_t *r);
/* Renders st (a STEP_REQUEST) with vars into r (reset first). -1, err set, on a template error or
 * a cap exceeded. */
int step_build_request(const step_t *st, const vars_t *vars, req_t *r, err_t *err);

/* Appends a shell command reproducing r: curl -i -X METHOD 'BASE/TARGET' -H '...' --data-raw
 * '...' (bodies over STEP_CURL_MAX_BODY: a fill body is regenerated with head/tr, others cut
 * with a note). base_url e.g. "http://127.0.0.1:40123". */
int step_curl_command(const req_t *r, const char *base_url, buf_t *out);

/* ---- checking -------------------------------------------------------------------------------- */

typedef struct check_item {
    bool pass;
    const char *text; /* "status" or the assert as written */
    spec_loc_t loc;   /* of expect.status or the assert */
    char *msg;        /* failure message (malloc'ed) or NULL when pass */
} check_item_t;

typedef struct step_result {
    bool pass;           /* status and every assert passed (and captures succeeded) */
    check_item_t *items; /* [0] = status, then one per assert, in spec order */
    size_t n;
    char *capture_error; /* a capture that failed (nothing matched, bad variable): message */
} step_result_t;

void step_result_init(step_result_t *res);
void step_result_free(step_result_t *res);
/* Checks r against st: status, then every assert (all evaluated). If everything passed, runs the
 * captures into vars (a capture matching nothing fails the step). Returns 0 (see res->pass); -1
 * only when out of memory. */
int step_check(const step_t *st, resp_t *r, vars_t *vars, step_result_t *res);

#endif
