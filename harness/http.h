/* http: the libcurl transport of `parity check`.
 *
 * One http_client_t per worker thread wraps one curl easy handle: its connection cache gives
 * keep-alive reuse across the steps of a suite (and the suites a worker runs). http_send() sends
 * one rendered request (req_t, step.h) to base_url and captures the response into a resp_t
 * (assert.h): status, every header of the final response in order, the body (capped at
 * HTTP_MAX_BODY) and the timings. A transport failure (refused, reset, timeout, oversize body) is
 * -1 with curl's own error text in err and the kind in out->error, so the step fails with a message
 * like "connection reset: Recv failure: Connection reset by peer".
 *
 * Ownership: the client owns its handle (http_client_free). The caller owns req and resp. */
#ifndef PARITY_HTTP_H
#define PARITY_HTTP_H

#include <stdbool.h>

#include "assert.h"
#include "step.h"
#include "util.h"

#define HTTP_MAX_BODY           (8u << 20) /* response body bytes kept; more fails the exchange */
#define HTTP_CONNECT_TIMEOUT_MS 5000 /* TCP connect (bounded even when a step allows longer) */

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

/* Sends req to base_url ("http://127.0.0.1:PORT", no trailing slash) + req->target. resp is reset
 * first. 0 when a response arrived (any status), -1 with err set on a transport failure. */
int http_send(http_client_t *c, const char *base_url, const req_t *req, resp_t *resp,
              http_outcome_t *out, err_t *err);
/* Name of an error kind for reports: "ok", "connect", "timeout", "reset", "too-big", "other". */
const char *http_error_name(http_error_t e);

#endif
