/* hurl_int: the Hurl reader's cursor and token readers (hurl_lex.c), shared with the grammar
 * (hurl.c). Not a public interface.
 *
 * The cursor walks the text byte by byte and keeps the line and column (in characters, like the
 * JSON loader's positions) of the next byte. Readers append what they read to a caller's buf_t
 * and return 0, or report "file:line:col: message" through hl_err and return -1: the reader stops
 * at the first error of a file, as Hurl does. */
#ifndef PARITY_SPEC_HURL_INT_H
#define PARITY_SPEC_HURL_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>

#include "core/jsonloc.h"
#include "core/util.h"

#define HL_MAX_VALUE (64u << 10) /* bytes of one value, header, key or literal */

typedef struct hl {
    const char *file;
    const char *s;
    size_t len, pos;
    unsigned line, col; /* of s[pos], 1-based */
    jl_map_t *map;      /* positions of the nodes the reader creates */
    buf_t *errors;      /* where "file:line:col: message\n" goes */
    bool failed;
} hl_t;

jl_loc_t hl_loc(const hl_t *h);
int hl_err(hl_t *h, jl_loc_t at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Records node (and, for an object member, its key) at `at`; returns node (NULL stays NULL). */
cJSON *hl_mark(hl_t *h, cJSON *node, jl_loc_t at);
/* Marks node at `at` and adds it to parent (an array: appended; an object: as key). NULL (an
 * error reported) when node is NULL, i.e. its creation ran out of memory. */
cJSON *hl_add(hl_t *h, cJSON *parent, const char *key, cJSON *node, jl_loc_t at);
/* Marks every node of a tree (a parsed JSON body) at `at`. */
void hl_mark_tree(hl_t *h, cJSON *node, jl_loc_t at);

bool hl_eof(const hl_t *h);
char hl_peek(const hl_t *h, size_t ahead); /* '\0' past the end */
void hl_advance(hl_t *h, size_t n);
bool hl_eol(const hl_t *h);                    /* at '\n', "\r\n" or the end */
void hl_skip_spaces(hl_t *h);                  /* spaces and tabs */
bool hl_at_word(const hl_t *h, const char *w); /* w follows, then a space, tab, '\n' or end */
/* Spaces, an optional comment, then the end of the line (consumed). -1 if anything else. */
int hl_end_line(hl_t *h);
/* Skips empty and comment-only lines. */
void hl_skip_blank(hl_t *h);
/* The rest of the current line, not consumed (a view; without "\r\n"). */
size_t hl_line_len(const hl_t *h);

/* A "quoted string" with Hurl's escapes (\" \\ \/ \b \f \n \r \t \u{hex}). */
int hl_quoted(hl_t *h, buf_t *out);
/* An unquoted value to the end of the line or an unescaped '#' (a comment), trimmed; escapes
 * \# \\ and the quoted forms. Quoted ("...") or oneline (`...`) values are unquoted. */
int hl_value(hl_t *h, buf_t *out);
/* A key before ':' (letters, digits and -_.[]@$ or a quoted string); consumes the ':' too. */
int hl_key(hl_t *h, buf_t *out);
/* A word of letters, digits, '-' and '_' (may be empty). */
void hl_word(hl_t *h, buf_t *out);
/* A predicate or option value: "string", `string`, /regex/, {{var}}, number, true, false, null.
 * Returns a new node (numbers keep their source text), NULL after an error. */
cJSON *hl_literal(hl_t *h, bool regex_ok);
/* A Hurl regex (Rust syntax) made POSIX ERE: \d \D become [0-9] [^0-9]. */
int hl_regex_to_ere(const char *src, buf_t *out, char *bad, size_t badsz);

/* ---- hurl_body.c: bodies ------------------------------------------------------------------ */

#define HB_MAX_PARTS 64 /* fields of one [MultipartFormData] */

typedef struct hb_part {
    char *name, *value; /* a text field: value; a file field: value = NULL */
    char *file, *type;  /* file,PATH; [content type] */
    jl_loc_t at;
} hb_part_t;

typedef struct hb_multipart {
    hb_part_t parts[HB_MAX_PARTS];
    size_t n;
} hb_multipart_t;

/* Does a body start on this line? ({, [ that is no section, ```, `, base64, hex, file, <) */
bool hb_is_body_start(const hl_t *h);
/* Reads a request body into request ("json", "body" or "bytes"); a JSON body may hold unquoted
 * {{placeholders}}. headers: created when a Content-Type must be added. */
int hb_request_body(hl_t *h, cJSON *request, cJSON **headers);
/* Reads a response body as an assert on the whole body (JSON: ["jsonpath", "$", "==", BODY]). */
int hb_response_body(hl_t *h, cJSON *asserts);
int hb_multipart_line(hl_t *h, hb_multipart_t *m);
/* Builds the multipart body (a fixed boundary) and its Content-Type header. */
int hb_multipart_build(hl_t *h, const hb_multipart_t *m, cJSON *request, cJSON **headers,
                       jl_loc_t at);
void hb_multipart_free(hb_multipart_t *m);

/* ---- hurl_assert.c: response headers, [Captures], [Asserts] -------------------------------- */

/* "Name: value" after the HTTP line: ["headers", Name, "contains", value]. */
int ha_header_assert(hl_t *h, cJSON *asserts);
/* "name: query filters" into captures. */
int ha_capture_line(hl_t *h, cJSON *captures);
/* "query filters [not] predicate [value]" into asserts. */
int ha_assert_line(hl_t *h, cJSON *asserts);

#endif
