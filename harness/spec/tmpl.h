/* tmpl: the variable store and `{{name}}` templating.
 *
 * A vars_t maps names to JSON values (a cJSON object inside, so values keep their types). The
 * runner creates one per (target, suite), sets the built-ins (`uid`, `target`, `run`), then the
 * suite's variables; captures add to it.
 *
 * Template syntax: `{{name}}` or `{{ name }}`; a name is [A-Za-z_][A-Za-z0-9_.-]* (at most
 * TMPL_MAX_NAME bytes). There is no escape: a literal "{{" that is not a valid reference is an
 * error, reported at load time by tmpl_check(). Two more forms:
 * - an element of a list variable: `{{slugs[0]}}`, `{{slugs[-1]}}` (from the end), `{{slugs[i]}}`
 *   (i an integer variable); out of range or not a list is a render error;
 * - a function call with named arguments: `{{jwt(sub='42', exp=-3600, alg='HS512')}}`; a value
 *   is a 'string' or "string" (escapes \\ \' \" only), an integer, or a variable (`from=token`,
 *   `sub=ids[0]`). Function and argument names and literal types are checked at load time. The
 *   functions: jwt (jwt.h; its default key is the variable `secret`) and now(add=N) (Unix time
 *   in seconds, an integer).
 *
 * Rendering:
 * - a string inside a longer string: strings are inserted raw, other values as compact JSON
 *   (numbers with their exact source text, see jsonloc.h);
 * - tmpl_render_json: a JSON string that is EXACTLY one reference ("{{id}}") is replaced by a copy
 *   of the variable's value with its type; other strings are rendered as text; object keys are
 *   rendered as text; numbers, booleans and null are copied.
 * - an unknown variable is an error naming it: `unknown variable "name"`.
 *
 * Ownership: vars_t owns copies of every value set into it; vars_get returns a borrowed node valid
 * until that name is set again or the store is freed. */
#ifndef PARITY_TMPL_H
#define PARITY_TMPL_H

#include <stdbool.h>
#include <cjson/cJSON.h>

#include "core/util.h"

#define TMPL_MAX_NAME   128         /* bytes in a variable name */
#define TMPL_MAX_OUTPUT (64u << 20) /* bytes a single rendered string may reach */
#define TMPL_MAX_LIST   1000000     /* elements of a list variable filled by `name[]` captures */
#define TMPL_MAX_ARGS   8           /* arguments of one function call */

typedef struct vars vars_t;

vars_t *vars_new(void);
void vars_free(vars_t *v);
/* A deep copy (e.g. the suite's start state for each target). NULL when out of memory. */
vars_t *vars_clone(const vars_t *v);

/* Sets name to a deep copy of value. */
int vars_set(vars_t *v, const char *name, const cJSON *value);
/* Sets name to value, taking ownership of it (also on failure: it is then deleted). */
int vars_set_take(vars_t *v, const char *name, cJSON *value);
int vars_set_string(vars_t *v, const char *name, const char *s);
int vars_set_int(vars_t *v, const char *name, long long n);
/* Appends a copy of value to the list variable name (created as [] if unset); -1 if name holds a
 * non-list value or the list has TMPL_MAX_LIST elements. */
int vars_append(vars_t *v, const char *name, const cJSON *value, err_t *err);
/* Borrowed; NULL when unset. */
const cJSON *vars_get(const vars_t *v, const char *name);
/* The underlying object (iteration, printing). */
const cJSON *vars_object(const vars_t *v);

/* True if s is a valid variable name. */
bool tmpl_name_ok(const char *s);
/* True if s contains "{{". */
bool tmpl_has_refs(const char *s);
/* True if any string (or object key) in the tree contains "{{". */
bool tmpl_tree_has_refs(const cJSON *tree);
/* Validates the template syntax of s (load time). On error err gets a message and *offset (if not
 * NULL) the byte offset in s of the bad reference. */
int tmpl_check(const char *s, size_t *offset, err_t *err);
/* If s is exactly one reference (a variable, an indexed variable or a call), copies its variable
 * or function name into name[TMPL_MAX_NAME + 1] and returns true. */
bool tmpl_single_ref(const char *s, char *name);

/* Appends the rendering of template s to out. */
int tmpl_render(const vars_t *v, const char *s, buf_t *out, err_t *err);
/* Renders s into a new malloc'ed string (free it). NULL with err set on error. */
char *tmpl_render_str(const vars_t *v, const char *s, err_t *err);
/* Renders a whole JSON tree into a new tree (cJSON_Delete it); type-preserving as described
 * above. NULL with err set on error. */
cJSON *tmpl_render_json(const vars_t *v, const cJSON *tree, err_t *err);

#endif
