/* spec_raw: the model of a raw step (specs/README.md, "Raw steps"): exact bytes sent over a TCP
 * connection, with pacing, and what the server must do on the wire.
 *
 * A raw step is a request step (STEP_REQUEST) whose `raw` member is set instead of `req`: it has a
 * name, `skip` and `delay` like any step, `expect.status` (optional here) and `expect.asserts`
 * evaluated over the FIRST final response, plus the wire expectations below. A wire probe also
 * carries `probe`: the RFC section it checks and the requirement level, which the report's wire
 * matrix grades (MUST / contract not met: fail; SHOULD / MAY not met: warn).
 *
 * `send` is a list of pieces run in order: bytes (a template string, `{"hex": ...}`,
 * `{"base64": ...}`, `{"fill": "a", "size": N}`), `{"delay": ms}`, `{"shutdown": true}`
 * (half-close: no more bytes from the client) and `{"await": N}` (wait until N final responses have
 * arrived, e.g. a second request on a kept-alive connection only after the first answer).
 *
 * Ownership: everything lives in the spec set's arena. */
#ifndef PARITY_SPEC_RAW_H
#define PARITY_SPEC_RAW_H

#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>

#include "query.h"

#define RAW_MAX_PIECES         256        /* pieces of one `send` */
#define RAW_MAX_SEND           (8u << 20) /* bytes sent by one raw step, all pieces */
#define RAW_DEFAULT_TIMEOUT_MS 1000       /* raw.timeout: waiting for answers */
#define RAW_MAX_TIMEOUT_MS     60000
#define RAW_MAX_WAIT_MS        30000 /* closed / open / silent / others */
#define RAW_MAX_RESPONSES      64    /* expect.responses */

typedef enum raw_piece_kind {
    RAW_PIECE_TEXT,     /* s: a template string (JSON escapes give the bytes: write \r\n) */
    RAW_PIECE_BYTES,    /* s, len: decoded hex or base64 (not templated) */
    RAW_PIECE_FILL,     /* size copies of fill */
    RAW_PIECE_DELAY,    /* ms */
    RAW_PIECE_SHUTDOWN, /* shutdown(SHUT_WR) */
    RAW_PIECE_AWAIT,    /* wait for n final responses (bounded by the timeout) */
} raw_piece_kind_t;

typedef struct raw_piece {
    raw_piece_kind_t kind;
    const char *s;
    size_t len;
    char fill;
    size_t size;
    long ms;
    long n;
} raw_piece_t;

typedef enum raw_level {
    RAW_LEVEL_NONE, /* not a graded probe */
    RAW_LEVEL_MUST,
    RAW_LEVEL_SHOULD,
    RAW_LEVEL_MAY,
    RAW_LEVEL_CONTRACT, /* the blog contract is stricter than the RFC */
} raw_level_t;

/* "MUST" "SHOULD" "MAY" "contract" ("" for none); and back (-1 when unknown). */
const char *raw_level_name(raw_level_t l);
int raw_level_parse(const char *s, raw_level_t *out);

/* A wire expectation with where it was written (for failure messages). -1: not given. */
typedef struct raw_wait {
    long ms;
    spec_loc_t loc;
} raw_wait_t;

typedef struct raw_spec {
    raw_piece_t *pieces;
    size_t npieces;
    bool suite_conn; /* "connection": "suite": reuse this suite's raw connection (else fresh) */
    long timeout_ms; /* waiting for the expected answers */
    int head;        /* 1: every response answers HEAD (no body); 0: none; -1 auto (send
                        starts with "HEAD ") */
    bool has_status; /* expect.status given (else any answer, or none, is fine) */
    raw_wait_t responses; /* .ms holds the exact number of final responses */
    raw_wait_t interim;   /* .ms holds the number of 1xx responses */
    raw_wait_t closed;    /* the server closes within ms after its last answer */
    raw_wait_t open;      /* the connection is still open ms after the last answer */
    raw_wait_t silent;    /* not one byte arrives within ms after the last piece */
    raw_wait_t others;    /* while this connection is held, another is served within ms */
    bool alive;           /* after the step, GET /plaintext on a fresh connection is answered */
    raw_level_t level;
    const char *ref; /* "RFC 9112 5.2" */
} raw_spec_t;

#endif
