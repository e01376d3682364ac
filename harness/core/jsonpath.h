/* jsonpath: the RFC 9535 subset the spec format needs, compiled once, evaluated over cJSON.
 *
 * Why our own: no C JSONPath library is packaged in Debian 12, and the subset is small.
 *
 * Grammar (whitespace is not allowed except inside quoted names):
 *   path     = "$" *segment
 *   segment  = "." name | "." "*" | "[" selector "]"
 *   name     = (ALPHA / "_" / non-ASCII) *(ALPHA / DIGIT / "_" / "-" / non-ASCII)   ; RFC 9535
 *              member-name-shorthand, plus "-" which Hurl users expect ($.user.created-at)
 *   selector = "'" chars "'" | DQUOTE chars DQUOTE | ["-"] 1*DIGIT | "*"
 *   escapes in quoted names: \' \" \\ \/ \b \f \n \r \t \uXXXX (surrogate pairs combined)
 * Semantics: a name selects that member of an object (nothing on other types); [n] the n-th
 * element of a list, [-n] the n-th from the end (out of range: nothing); [*] / .* every element
 * of a list or every member value of an object. The result is a node list in document order.
 * The caller applies Hurl's rule (one match = the node, several = a list, none = not exists).
 *
 * Ownership: jp_path_t is the caller's (jp_free); jp_nodes_t holds BORROWED pointers into the
 * evaluated tree and its own array (jp_nodes_free). */
#ifndef PARITY_JSONPATH_H
#define PARITY_JSONPATH_H

#include <stddef.h>
#include <cjson/cJSON.h>

#include "util.h"

#define JP_MAX_SEGMENTS 64      /* segments in one expression */
#define JP_MAX_EXPR     4096    /* bytes in one expression */
#define JP_MAX_RESULTS  1000000 /* nodes one evaluation may yield */

typedef struct jp_path jp_path_t;

typedef struct jp_nodes {
    const cJSON **nodes; /* borrowed */
    size_t n;
    size_t cap;
} jp_nodes_t;

/* Compiles expr. On error: NULL, err = "invalid JSONPath at character N: message" (1-based) and
 * *offset (if not NULL) = byte offset of the problem in expr. */
jp_path_t *jp_compile(const char *expr, size_t *offset, err_t *err);
void jp_free(jp_path_t *p);
/* The source text the path was compiled from. */
const char *jp_text(const jp_path_t *p);
/* True when the path has no wildcard (it can yield at most one node). */
bool jp_is_singular(const jp_path_t *p);

void jp_nodes_init(jp_nodes_t *r);
void jp_nodes_free(jp_nodes_t *r);
/* Evaluates p over root, replacing the contents of out. -1 only when out of memory or past
 * JP_MAX_RESULTS. */
int jp_eval(const jp_path_t *p, const cJSON *root, jp_nodes_t *out, err_t *err);

#endif
