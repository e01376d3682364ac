/* http: the request and response types (req_t, resp_t) and the libcurl transport that sends one
 * and fills the other.
 *
 * A req_t is a rendered request (step_build_request, step.h fills it from a spec step); a resp_t
 * is what came back (status, headers in order, the body parsed as JSON on demand). One
 * http_client_t per worker thread wraps one curl easy handle: its connection cache gives
 * keep-alive reuse across the steps of a suite (and the suites a worker runs). http_send() sends
 * one rendered request to base_url and captures the response into a resp_t: status, every header of
 * the final response in order, the body (capped at HTTP_MAX_BODY) and the timings. A transport
 * failure (refused, reset, timeout, oversize body) is -1 with curl's own error text in err and the
 * kind in out->error, so the step fails with a message like "connection reset: Recv failure:
 * Connection reset by peer".
 *
 * Ownership: the client owns its handle (http_client_free). The caller owns req and resp (req_free,
 * resp_free); a resp_t owns its headers, body and parsed JSON. */
#ifndef PARITY_HTTP_H
#define PARITY_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>

#include "core/util.h"

#define REQ_MAX_HEADERS 128          /* headers of one request */
#define REQ_MAX_TARGET  (64u << 10)  /* bytes of path + query */
#define REQ_MAX_BODY    (128u << 20) /* bytes of a rendered body */

#define RESP_MAX_HEADERS      256         /* headers kept per response; more fail resp_add_header */
#define RESP_MAX_HEADER_BYTES 65536       /* bytes of one header line */
#define RESP_MAX_BODY         (64u << 20) /* body bytes kept (the body buf_t's cap) */

#define HTTP_MAX_BODY           (8u << 20) /* response body bytes kept; more fails the exchange */
#define HTTP_CONNECT_TIMEOUT_MS 5000 /* TCP connect (bounded even when a step allows longer) */
#define HTTP_MAX_JARS           32   /* named cookie jars of one client (one suite run) */
#define HTTP_JAR_NAME_MAX       64   /* bytes of a jar name */
#define HTTP_JAR_DEFAULT        "main"

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
    bool follow;        /* the step follows redirects (step.c does; http_send sends one) */
    long max_redirects; /* with follow: the hops allowed */
    const char *jar;    /* the client's cookie jar this exchange uses (its cookies are sent, the
                           response's Set-Cookie stored), borrowed; NULL: no cookies at all */
} req_t;

void req_init(req_t *r);
/* Clears target, body, headers and flags for the next rendering (keeps allocations). */
void req_reset(req_t *r);
void req_free(req_t *r);
/* Adds a header (name copied; value malloc'ed, taken over, freed on failure). -1 past
 * REQ_MAX_HEADERS or out of memory; value NULL is -1 (a failed str_dup). */
int req_add_header(req_t *r, const char *name, char *value, err_t *err);

/* ---- response ------------------------------------------------------------------------------- */

typedef struct resp_header {
    char *name;  /* as received */
    char *value; /* leading/trailing whitespace trimmed */
} resp_header_t;

typedef struct resp {
    long status;            /* e.g. 200; 0 when no response */
    resp_header_t *headers; /* in order received */
    size_t nheaders;
    size_t cap_headers;
    buf_t body;         /* raw bytes, capped at RESP_MAX_BODY; NUL-terminated */
    double duration_ms; /* whole exchange */
    char *url;          /* the absolute URL of this response's request (after redirects: the
                           last one); NULL when nothing was sent */
    int redirects;      /* redirects followed to reach it (step.c) */
    char *cookie_sent;  /* the Cookie header value the jar sent with the request, or NULL */
    /* Parsed lazily and once by resp_json(): */
    cJSON *json;
    int json_state; /* 0 not tried, 1 parsed, -1 failed (json_err) */
    err_t json_err;
} resp_t;

void resp_init(resp_t *r);
/* Clears everything for the next exchange (keeps allocations where it can). */
void resp_reset(resp_t *r);
void resp_free(resp_t *r);
/* Adds a header (copies; value trimmed). */
int resp_add_header(resp_t *r, const char *name, size_t nlen, const char *value, size_t vlen);
/* Feeds one raw header line as libcurl's CURLOPT_HEADERFUNCTION gives it: "Name: value\r\n" is
 * added; a status line ("HTTP/1.1 200 OK") sets status and DROPS headers collected so far (so
 * only the final response of 100-continue / redirects remains); the blank line is ignored. */
int resp_header_line(resp_t *r, const char *line, size_t len);
/* Appends body bytes (for CURLOPT_WRITEFUNCTION); -1 past RESP_MAX_BODY. */
int resp_body_append(resp_t *r, const void *p, size_t n);
/* First header value named name (ASCII case-insensitive); NULL if absent. */
const char *resp_header(const resp_t *r, const char *name);
/* Number of headers named name. */
size_t resp_header_count(const resp_t *r, const char *name);
/* The body parsed as JSON (once; cached). NULL with the parse error in err. Borrowed. */
const cJSON *resp_json(resp_t *r, err_t *err);

/* ---- transport ------------------------------------------------------------------------------ */

/* Cookie jars. A client holds up to HTTP_MAX_JARS named jars, each a libcurl share of cookie data
 * (CURLSH with CURL_LOCK_DATA_COOKIE): libcurl's own cookie engine stores Set-Cookie answers and
 * sends the matching cookies back (RFC 6265: domain and path matching, Expires and Max-Age,
 * Max-Age=0 deleting), so parity writes no cookie logic of its own. A jar is created empty the
 * first time a request names it. The runner empties them all between suites
 * (http_client_reset_jars) so that no cookie crosses from one suite run to the next; a client is
 * used by one thread for one target, so none crosses targets either. An explicit Cookie header of
 * the request is merged into the one Cookie header libcurl sends (CURLOPT_COOKIE), after the
 * jar's cookies, as Hurl does with its [Cookies]; it is not stored in the jar. */

typedef enum http_error {
    HTTP_OK = 0,
    HTTP_ERR_CONNECT, /* refused, unreachable */
    HTTP_ERR_TIMEOUT, /* the step's timeout expired */
    HTTP_ERR_RESET,   /* the peer reset or closed the connection mid-exchange */
    HTTP_ERR_TOO_BIG, /* body over HTTP_MAX_BODY */
    HTTP_ERR_OTHER,
} http_error_t;

typedef struct http_outcome {
    http_error_t error;
    int curl_code;
    bool reused;       /* the exchange reused a kept-alive connection */
    double dns_ms;     /* from the start of the exchange: name resolution done */
    double connect_ms; /* TCP connected (0 when reused) */
    double ttfb_ms;    /* first response byte */
    double total_ms;   /* whole exchange */
} http_outcome_t;

typedef struct http_client http_client_t;

/* curl_global_init, once (thread-safe). Called by http_client_new too. */
void http_global_init(void);
http_client_t *http_client_new(void);
void http_client_free(http_client_t *c);

/* Frees every jar (the next request that names one starts it empty). */
void http_client_reset_jars(http_client_t *c);
/* Replaces jar `to` with a copy of the cookies jar `from` holds now (an unknown `from` is an empty
 * jar). -1 with err set past HTTP_MAX_JARS or out of memory. */
int http_jar_copy(http_client_t *c, const char *from, const char *to, err_t *err);
/* Appends the cookies of jar `name` as Netscape cookie-file lines (tests, messages). */
int http_jar_dump(http_client_t *c, const char *name, buf_t *out);

/* Sends req to base_url ("http://127.0.0.1:PORT", no trailing slash) + req->target. resp is reset
 * first. 0 when a response arrived (any status), -1 with err set on a transport failure. */
int http_send(http_client_t *c, const char *base_url, const req_t *req, resp_t *resp,
              http_outcome_t *out, err_t *err);
/* Name of an error kind for reports: "ok", "connect", "timeout", "reset", "too-big", "other". */
const char *http_error_name(http_error_t e);

#endif
