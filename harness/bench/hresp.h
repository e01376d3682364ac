/* hresp: a minimal, incremental HTTP/1.1 response parser for the open-loop engine.
 *
 * The engine reads whatever the socket has and feeds it here; the parser says how many bytes it
 * used and whether a whole response has been seen. It keeps the status and the framing facts
 * (Content-Length, chunked, Connection: close) and discards bodies as they stream past: the
 * engine measures time, not content (a scenario's sample request is checked for correctness
 * with the spec engine before any load, see bench.c).
 *
 * Framing follows RFC 9112 section 6.3: no body for HEAD, 1xx, 204 and 304; chunked wins over
 * Content-Length; Content-Length must be one decimal number (repeats must agree); otherwise the
 * body runs until the connection closes (hresp_eof() completes it). 1xx interim responses are
 * skipped. Every line and the whole head are bounded (HRESP_MAX_LINE, HRESP_MAX_HEAD); any
 * violation is an error, and the engine closes the connection and counts a read error.
 *
 * Ownership: hresp_t is a plain value with no pointers; hresp_reset() before each response. */
#ifndef PARITY_HRESP_H
#define PARITY_HRESP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HRESP_MAX_LINE 8192        /* bytes of the status line, one header or one chunk-size line */
#define HRESP_MAX_HEAD (64u << 10) /* bytes of the status line and headers together */
#define HRESP_MAX_BODY                                                                             \
    (UINT64_C(1) << 40) /* a Content-Length or chunk size beyond this is refused */

typedef enum hresp_state {
    HRESP_STATUS,
    HRESP_HEADER,
    HRESP_BODY_LENGTH,
    HRESP_CHUNK_SIZE,
    HRESP_CHUNK_DATA,
    HRESP_CHUNK_END,
    HRESP_TRAILER,
    HRESP_BODY_EOF,
    HRESP_DONE,
    HRESP_ERROR
} hresp_state_t;

typedef struct hresp {
    hresp_state_t state;
    bool head_request; /* the request was HEAD: no body whatever the headers say */
    int status;
    bool chunked, close, has_length;
    uint64_t length, remaining;
    size_t head_bytes;
    char line[HRESP_MAX_LINE];
    size_t linelen;
    const char *error; /* static text when state == HRESP_ERROR */
} hresp_t;

void hresp_reset(hresp_t *p, bool head_request);
/* Consumes bytes of data. Returns 1 when a whole response ended (*used bytes were consumed; the
 * rest belong to whatever follows), 0 when it needs more (all consumed), -1 on a protocol error
 * (p->error says which). */
int hresp_feed(hresp_t *p, const char *data, size_t len, size_t *used);
/* The peer closed the connection: 1 when that ends the response (a body delimited by the close),
 * -1 otherwise (a truncated response). */
int hresp_eof(hresp_t *p);

#endif
