/* raw_parse: an incremental parser of HTTP/1.x responses as they come off a raw socket.
 *
 * Bytes are fed as they arrive (any split: one byte at a time works the same as one read), so a
 * connection's answers are found however the server wrote them: several pipelined responses in
 * one read, a response cut over many reads, 1xx interim responses before the final one, bodies
 * framed by Content-Length, by chunked transfer coding (with trailers) or by the close. When the
 * peer closes (raw_parser_eof), a close-delimited body ends there and any other response in
 * progress is recorded as incomplete. Bytes that are not a response ("garbage", an HTTP/0.9 answer)
 * stop the parser with a message (raw_parser_t.error); what was parsed before stays.
 *
 * Each answer is a resp_t (http.h) so that the step engine's expectations (status, headers, JSON
 * body: exec/expect.h) run on it unchanged.
 *
 * Limits: a response head is at most RAW_MAX_HEAD bytes, a body RAW_MAX_BODY, answers
 * RAW_MAX_ANSWERS; past them the parser stops with an error.
 *
 * Ownership: the parser owns its answers (raw_parser_free). */
#ifndef PARITY_RAW_PARSE_H
#define PARITY_RAW_PARSE_H

#include <stdbool.h>
#include <stddef.h>

#include "http.h"
#include "core/util.h"

#define RAW_MAX_HEAD    (64u << 10) /* bytes of one response's status line and headers */
#define RAW_MAX_BODY    (4u << 20)  /* bytes of one response body */
#define RAW_MAX_ANSWERS 128         /* responses (interim included) kept per connection */
#define RAW_MAX_ERROR   256         /* bytes of the parse error message */

typedef struct raw_answer {
    resp_t resp;       /* status, headers in order, body (de-chunked) */
    bool complete;     /* fully framed; false: the connection ended inside it */
    bool interim;      /* a 1xx response */
    bool chunked;      /* its body came chunked */
    bool eof_body;     /* its body was delimited by the close */
    long long done_ms; /* when it completed (the caller's clock; set by raw_parser_feed's now) */
} raw_answer_t;

typedef enum raw_pstate {
    RP_HEAD,
    RP_BODY_LEN,
    RP_CHUNK_SIZE,
    RP_CHUNK_DATA,
    RP_CHUNK_END, /* the CRLF after a chunk's data */
    RP_TRAILERS,
    RP_BODY_EOF,
    RP_ERROR,
} raw_pstate_t;

typedef struct raw_parser {
    buf_t in; /* received bytes not consumed yet */
    raw_answer_t *ans;
    size_t n, cap;
    size_t nfinal, ninterim; /* complete final / interim answers */
    raw_pstate_t state;
    unsigned long long left;   /* body or chunk bytes still to come */
    unsigned long long head;   /* bit i: final answer i responds to HEAD (no body); bit 63 covers
                                  answers 63 and later */
    bool eof;                  /* the peer closed (raw_parser_eof) */
    size_t received;           /* bytes fed in all */
    char error[RAW_MAX_ERROR]; /* "" unless state == RP_ERROR */
} raw_parser_t;

void raw_parser_init(raw_parser_t *p, unsigned long long head);
void raw_parser_free(raw_parser_t *p);
/* Feeds n received bytes (now: the caller's clock, recorded on each answer completed). 0, or -1
 * when the bytes are not a valid response stream (p->error says why; later feeds are ignored). */
int raw_parser_feed(raw_parser_t *p, const char *data, size_t n, long long now);
/* The peer closed: ends a close-delimited body (a complete answer); an answer in progress stays
 * incomplete. */
void raw_parser_eof(raw_parser_t *p, long long now);
/* The first final answer (complete or not), or NULL. */
raw_answer_t *raw_parser_first_final(raw_parser_t *p);
/* True when bytes of an unfinished answer were received (head or body). */
bool raw_parser_partial(const raw_parser_t *p);

#endif
