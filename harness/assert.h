/* assert: the response model, queries over it, and predicates.
 *
 * The runner fills a resp_t from libcurl (status, headers, body, duration). Queries turn a
 * response into a value (a cJSON node, or "nothing" when the query matched nothing); predicates
 * judge that value. Queries and predicates are compiled by the spec loader (regexes with
 * regcomp(REG_EXTENDED), JSONPaths with jp_compile) so that checking a response only evaluates.
 *
 * Typed values: a value is JSON. `"1"` is not `1`; numbers parsed from a body or a spec file keep
 * their source text (jsonloc.h), so isInteger and integer comparisons use the text: `1.0` is not
 * an integer, `1 == 1.0` is false, 9007199254740993 != 9007199254740992. Objects and lists compare
 * deeply (objects by key set, order-insensitive; lists in order).
 *
 * Failure messages: `expected <predicate> <value>, got <type> <value>`; the type is omitted when it
 * equals the expected value's type: `expected == 201, got 404`, `expected isInteger, got number
 * 1.0`, `expected == "1", got number 1`, `expected exists, got nothing`. Long values are cut to
 * ASSERT_MAX_SHOWN bytes.
 *
 * Ownership: resp_t owns its headers and body (resp_free). query_t/assertion_t are built by the
 * spec loader in its arena (their regex_t and jp_path_t are freed with it). */
#ifndef PARITY_ASSERT_H
#define PARITY_ASSERT_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>

#include "jsonpath.h"
#include "tmpl.h"
#include "util.h"

#define RESP_MAX_HEADERS      256         /* headers kept per response; more fail resp_add_header */
#define RESP_MAX_HEADER_BYTES 65536       /* bytes of one header line */
#define RESP_MAX_BODY         (64u << 20) /* body bytes kept (the body buf_t's cap) */
#define ASSERT_MAX_SHOWN      200         /* bytes of a value shown in a failure message */
#define ASSERT_MSG_MAX        1024        /* bytes of one failure message */

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

/* ---- regexes -------------------------------------------------------------------------------- */

/* POSIX extended regexes, compiled and run in the C.UTF-8 locale whatever the process locale, so
 * that '.' and bracket expressions match UTF-8 characters, not bytes. re_compile returns 0, or -1
 * with regerror's message in msg. re_exec matches s[0..len) (NUL bytes allowed, REG_STARTEND);
 * returns 0 on a match, REG_NOMATCH otherwise; m[0..nmatch) as regexec. */
int re_compile(regex_t *re, const char *pattern, int cflags, char *msg, size_t msgsz);
int re_exec(const regex_t *re, const char *s, size_t len, size_t nmatch, regmatch_t *m);

/* ---- queries ------------------------------------------------------------------------------- */

typedef enum query_kind {
    Q_STATUS,
    Q_HEADER, /* arg = name */
    Q_COOKIE, /* arg = cookie name */
    Q_BODY,
    Q_JSONPATH, /* path compiled */
    Q_REGEX,    /* re compiled */
    Q_DURATION,
    Q_REGEX_COUNT, /* re compiled: number of non-overlapping matches over the body */
    Q_JWT,     /* path: a JWT string in the body; path2: over its decoded claims (two arguments) */
    Q_HEADERS, /* arg = name: the list of every value of that header, [] when absent */
} query_kind_t;

typedef struct query {
    query_kind_t kind;
    const char *arg;  /* header/cookie name, JSONPath or regex source; NULL for the others */
    const char *arg2; /* Q_JWT: the JSONPath over the claims */
    jp_path_t *path;  /* Q_JSONPATH, Q_JWT (to the token) */
    jp_path_t *path2; /* Q_JWT (over the claims) */
    regex_t *re;      /* Q_REGEX, Q_REGEX_COUNT */
} query_t;

/* The result of a query: nothing, or a value. */
typedef struct qval {
    bool exists;
    const cJSON *v; /* the value (borrowed from owned, the response, or a list built in owned) */
    cJSON *owned;   /* what must be deleted (qval_free) */
} qval_t;

/* Runs q over r. -1 (err set) when the query itself fails: JSONPath over a body that is not JSON
 * ("body is not valid JSON: 1:1: ..."). A missing header/cookie/match is exists=false, not -1. */
int query_eval(const query_t *q, resp_t *r, qval_t *out, err_t *err);
void qval_free(qval_t *q);
/* Name of a query kind as written in specs ("jsonpath"); and the reverse (-1 if unknown). */
const char *query_kind_name(query_kind_t k);
int query_kind_parse(const char *s, query_kind_t *out);
/* Number of arguments the kind takes after its name (0, 1, or 2 for jwt). */
int query_kind_nargs(query_kind_t k);

/* ---- predicates ---------------------------------------------------------------------------- */

typedef enum pred_kind {
    P_EQ,
    P_NE,
    P_LT,
    P_LE,
    P_GT,
    P_GE,
    P_EXISTS,
    P_IS_STRING,
    P_IS_INTEGER,
    P_IS_NUMBER,
    P_IS_BOOLEAN,
    P_IS_NULL,
    P_IS_LIST,
    P_IS_OBJECT,
    P_IS_EMPTY,
    P_IS_ISO_DATE,
    P_IS_SORTED, /* a list of numbers (numeric) or of strings (bytewise), non-decreasing */
    P_IS_UNIQUE, /* a list without two equal elements (json_equal) */
    /* Predicates from here on take an argument (pred_nargs). */
    P_MATCHES,
    P_CONTAINS,
    P_STARTS_WITH,
    P_ENDS_WITH,
    P_COUNT,
} pred_kind_t;

const char *pred_name(pred_kind_t p);
int pred_parse(const char *s, pred_kind_t *out); /* -1 if unknown */
int pred_nargs(pred_kind_t p);                   /* 0 or 1 */

/* Evaluates `[not] pred arg` on value. arg is the RENDERED expected value (NULL when the predicate
 * takes none); re is arg compiled (P_MATCHES; if NULL, arg is compiled here). Returns 0 and sets
 * *pass; on a fail, msg (if not NULL) gets the failure message. -1 on an internal error (bad
 * regex at run time), err set. */
int pred_eval(pred_kind_t p, bool negate, const cJSON *arg, const regex_t *re, const qval_t *value,
              bool *pass, buf_t *msg, err_t *err);

/* Type name used in messages: string, number, boolean, null, list, object, nothing. */
const char *json_type_name(const cJSON *v);
/* Typed deep equality (numbers: integer text exact, see above). */
bool json_equal(const cJSON *a, const cJSON *b);
/* True for a string YYYY-MM-DDTHH:MM:SS.sssZ that is a valid date and time. */
bool is_iso_date(const char *s);

/* ---- an assert of a step -------------------------------------------------------------------- */

typedef struct spec_loc {
    const char *file; /* owned by the spec set */
    unsigned line, col;
} spec_loc_t;

typedef struct assertion {
    query_t q;
    bool negate;
    pred_kind_t pred;
    const cJSON *arg; /* expected value as written (may contain {{...}}); NULL if none */
    bool arg_tmpl;    /* arg contains a template reference: render before evaluating */
    regex_t *arg_re;  /* P_MATCHES with a literal pattern: compiled at load */
    const char *text; /* the assert as written, e.g. ["jsonpath", "$.user.bio", "isNull"] */
    spec_loc_t loc;   /* of the assert (its '[') */
} assertion_t;

/* Evaluates one assert against r: renders arg with vars, runs the query and the predicate.
 * 0 with *pass set and, on a fail, msg filled; -1 with err set when it cannot be evaluated (an
 * unknown variable, a body that is not JSON): the caller reports that as a failure too. */
int assertion_eval(const assertion_t *a, resp_t *r, const vars_t *vars, bool *pass, buf_t *msg,
                   err_t *err);

#endif
