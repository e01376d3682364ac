/*
 * parser.h: quill's HTTP/1.1 request parser (internal, also used by the tests and the fuzzer).
 *
 * In the style of picohttpparser: stateless, the caller owns the buffer and the header array, the
 * result is made of non-owning slices into the buffer. Call it again with more bytes (and the
 * previous length as `last_len`) until it stops answering QP_INCOMPLETE. Unlike picohttpparser it
 * also applies the message-framing rules of RFC 9112 that decide request smuggling (Content-Length
 * vs Transfer-Encoding, Host, version) and the size limits, and answers with the exact status.
 */
#ifndef QUILL_PARSER_H
#define QUILL_PARSER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define QP_INCOMPLETE (-2)
#define QP_ERROR      (-1)

typedef struct qp_limits {
    size_t max_request_line; /* bytes of the request line without CRLF; longer: 414 */
    size_t max_header_bytes; /* bytes of the whole header block (request line included): 431 */
    size_t max_headers;      /* header fields; more: 431 */
} qp_limits;

#define QP_DEFAULT_MAX_REQUEST_LINE (8u * 1024u)
#define QP_DEFAULT_MAX_HEADER_BYTES (32u * 1024u)
#define QP_DEFAULT_MAX_HEADERS      100u

typedef struct qp_header {
    const char *name, *value;
    size_t name_len, value_len;
} qp_header;

typedef enum qp_body { QP_BODY_NONE, QP_BODY_LENGTH, QP_BODY_CHUNKED } qp_body;

typedef struct qp_request {
    const char *method, *target;
    size_t method_len, target_len;
    /* The origin-form part of the target (path and query): the target itself, or what follows
     * the authority in absolute-form ("http://h:1/a?b" gives "/a?b"; "http://h" gives ""). */
    const char *path;
    size_t path_len;
    int minor_version;  /* 0 or 1 */
    qp_header *headers; /* in: array of num_headers_cap entries, out: num_headers used */
    size_t num_headers_cap, num_headers;
    /* Framing, from the headers */
    qp_body body;
    uint64_t content_length; /* with QP_BODY_LENGTH */
    bool keep_alive;         /* HTTP/1.1 without "Connection: close", or 1.0 with keep-alive */
    bool expect_continue;    /* "Expect: 100-continue" */
} qp_request;

/* Parses the request head in buf[0..len). Returns the length of the head (request line, headers
 * and the empty line) when complete; QP_INCOMPLETE when more bytes are needed (and no limit is
 * exceeded yet); QP_ERROR with *status set to 400, 414 or 431 when the request must be
 * rejected (the connection is then closed: its framing cannot be trusted). */
int quill__parse_request(const char *buf, size_t len, size_t last_len, const qp_limits *lim,
                         qp_request *req, int *status);

/* Incremental, in-place decoder of a chunked body (picohttpparser's phr_decode_chunked contract).
 * Zero-initialise before the first call. */
typedef struct qp_chunked {
    size_t remaining; /* bytes left in the current chunk */
    unsigned hex_digits;
    int state;
    size_t trailer_bytes; /* bytes of trailer section seen (capped) */
} qp_chunked;

/* Decodes buf[0..*len) in place: on return *len is the number of decoded bytes now at buf[0..).
 * Returns the number of bytes left over after the end of the body (moved right after the decoded
 * data) when the body is complete, QP_INCOMPLETE when more is needed, QP_ERROR on bad framing. */
ssize_t quill__decode_chunked(qp_chunked *d, char *buf, size_t *len);

#endif
