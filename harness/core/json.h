/* json: typed comparison of JSON values (cJSON trees parsed by jsonloc), and readers of members.
 *
 * A value is JSON: `"1"` is not `1`; numbers parsed from a body or a spec file keep their source
 * text (jsonloc.h), so integer comparisons use the text: `1.0` is not an integer, `1 == 1.0` is
 * false, 9007199254740993 != 9007199254740992. Objects and lists compare deeply (objects by key
 * set, order-insensitive; lists in order). Nothing here allocates. */
#ifndef PARITY_CORE_JSON_H
#define PARITY_CORE_JSON_H

#include <stdbool.h>
#include <cjson/cJSON.h>

/* Type name used in messages: string, number, boolean, null, list, object, nothing (NULL). */
const char *json_type_name(const cJSON *v);
/* Typed deep equality (numbers: integer text exact, see above). */
bool json_equal(const cJSON *a, const cJSON *b);
/* Compares two number nodes: integers exactly by their digits, otherwise as doubles. -1, 0, 1. */
int json_num_cmp(const cJSON *a, const cJSON *b);

/* Readers for files parity wrote itself (conformance.json, bench.json...), where a missing or
 * mistyped member is a default, not an error. Every one takes a NULL object. */
/* The member named key (case-sensitive), or NULL. */
const cJSON *json_get(const cJSON *o, const char *key);
/* The number member key, or dflt when it is absent or not a number. */
double json_num(const cJSON *o, const char *key, double dflt);
/* The string member key, or NULL when it is absent or not a string. Borrowed from o. */
const char *json_str(const cJSON *o, const char *key);

#endif
