/* xpath: XPath 1.0 over an HTML (or XML) body, with libxml2, as Hurl does.
 *
 * Why libxml2: it is the XPath engine Hurl itself uses, packaged in Debian, with an HTML parser
 * that recovers from real-world markup like a browser's tree builder would (close enough for
 * assertions: <p> auto-closing, attributes without quotes, entities).
 *
 * Results are JSON values: a node set is a list of the nodes' string values (text content; an
 * attribute's value), in document order; a number, a boolean or a string is itself (an integral
 * number is an integer). xpath_eval marks node sets so that `exists` on an empty one is false, as
 * in Hurl, while `count` of it is 0.
 *
 * Ownership: *out is the caller's (cJSON_Delete). */
#ifndef PARITY_CORE_XPATH_H
#define PARITY_CORE_XPATH_H

#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>

#include "util.h"

#define XPATH_MAX_NODES 100000 /* nodes of one result turned into values */

/* Compiles expr to check its syntax (at load). -1 with err set when it is not XPath 1.0. */
int xpath_check(const char *expr, err_t *err);
/* Evaluates expr over body[0..len) parsed as HTML (as XML when xml is true). 0 with *out set and
 * *nodeset true for a node-set result; -1 with err set (the expression fails at run time, the
 * document cannot be parsed at all). */
int xpath_eval(const char *expr, const char *body, size_t len, bool xml, cJSON **out, bool *nodeset,
               err_t *err);

#endif
