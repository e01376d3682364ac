/* query: queries, predicates and assertions as data, and source locations (spec_loc_t).
 *
 * The spec loader (spec.c, spec_expect.c) builds these from a spec file, compiling regexes
 * (re_compile) and JSONPaths (jp_compile) at load so that checking a response only evaluates
 * (exec/expect.h). Queries turn a response into a value (a cJSON node, or "nothing" when the query
 * matched nothing); predicates judge that value.
 *
 * Ownership: query_t/assertion_t are built by the spec loader in its arena (their regex_t and
 * jp_path_t are freed with it). */
#ifndef PARITY_SPEC_QUERY_H
#define PARITY_SPEC_QUERY_H

#include <regex.h>
#include <stdbool.h>
#include <cjson/cJSON.h>

#include "core/jsonpath.h"

/* A position in a spec file. */
typedef struct spec_loc {
    const char *file; /* owned by the spec set */
    unsigned line, col;
} spec_loc_t;

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
    Q_JWT,      /* path: a JWT string in the body; path2: over its decoded claims (two arguments) */
    Q_HEADERS,  /* arg = name: the list of every value of that header, [] when absent */
    Q_XPATH,    /* arg = an XPath 1.0 expression over the body parsed as HTML (core/xpath.h) */
    Q_VARIABLE, /* arg = a variable's name: its current value (asserts only: Hurl's `variable`) */
    Q_URL,      /* the absolute URL of the last request (after redirects), Hurl's `url` */
    Q_REDIRECTS, /* the number of redirects followed, Hurl's `redirects` (a count here) */
} query_kind_t;

/* Q_COOKIE's attribute, Hurl's `cookie "NAME[Attr]"`: the value of that attribute in the last
 * Set-Cookie of NAME. Secure and HttpOnly are true when present, nothing when absent. */
typedef enum cookie_attr {
    CA_NONE, /* "NAME": the value */
    CA_VALUE,
    CA_EXPIRES,
    CA_MAX_AGE, /* an integer */
    CA_DOMAIN,
    CA_PATH,
    CA_SECURE,
    CA_HTTPONLY,
    CA_SAMESITE,
} cookie_attr_t;

/* Filters applied in order to a query's value (Hurl's): count (of a list, an object or a node
 * set), nth N (an element; negative from the end), first, last. Nothing stays nothing. */
#define QUERY_MAX_FILTERS 8

typedef enum filter_kind {
    F_COUNT,
    F_NTH,
    F_FIRST,
    F_LAST,
} filter_kind_t;

typedef struct qfilter {
    filter_kind_t kind;
    long n; /* F_NTH */
} qfilter_t;

typedef struct query {
    query_kind_t kind;
    const char *arg;    /* header/cookie name, JSONPath or regex source; NULL for the others */
    const char *arg2;   /* Q_JWT: the JSONPath over the claims */
    jp_path_t *path;    /* Q_JSONPATH, Q_JWT (to the token) */
    jp_path_t *path2;   /* Q_JWT (over the claims) */
    regex_t *re;        /* Q_REGEX, Q_REGEX_COUNT */
    cookie_attr_t attr; /* Q_COOKIE: arg is then the name without "[Attr]" (may be a template) */
    bool arg_tmpl;      /* Q_COOKIE: the name holds {{...}}: rendered at run time */
    qfilter_t filters[QUERY_MAX_FILTERS];
    size_t nfilters;
} query_t;

/* Name of a query kind as written in specs ("jsonpath"); and the reverse (-1 if unknown). */
const char *query_kind_name(query_kind_t k);
int query_kind_parse(const char *s, query_kind_t *out);
/* Number of arguments the kind takes after its name (0, 1, or 2 for jwt). */
int query_kind_nargs(query_kind_t k);
/* Splits a cookie query argument "NAME[Attr]" (Attr case-insensitive, as Hurl) into *name_len and
 * *attr; an argument without a known "[...]" suffix is all name (CA_NONE). -1 when it ends in
 * "[...]" naming no attribute. */
int cookie_attr_parse(const char *arg, size_t *name_len, cookie_attr_t *attr);
const char *cookie_attr_name(cookie_attr_t a);
/* Name of a filter as written ("count"); and the reverse (-1 if unknown). */
const char *filter_name(filter_kind_t f);
int filter_parse(const char *s, filter_kind_t *out);

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
    P_IS_SORTED,     /* a list of numbers (numeric) or of strings (bytewise), non-decreasing */
    P_IS_UNIQUE,     /* a list without two equal elements (json_equal) */
    P_IS_FLOAT,      /* a number written with a fraction or an exponent (not isInteger) */
    P_IS_COLLECTION, /* a list or an object (Hurl's isCollection) */
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

/* ---- an assert of a step -------------------------------------------------------------------- */

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

#endif
