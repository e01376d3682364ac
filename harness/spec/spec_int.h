/* spec_int: internals shared by spec.c (files, suites, steps, includes) and spec_expect.c
 * (requests, asserts, captures). Not a public interface. */
#ifndef PARITY_SPEC_INT_H
#define PARITY_SPEC_INT_H

#include <stdarg.h>
#include <cjson/cJSON.h>

#include "core/jsonloc.h"
#include "spec.h"
#include "tmpl.h"

/* One file being loaded: the suite file, or an included file (parent = the includer). */
typedef struct spec_ctx {
    spec_set_t *set;
    const char *file; /* interned in set->arena */
    const char *real; /* realpath, for cycle detection */
    jl_map_t *map;
    struct spec_ctx *parent;
    int include_depth; /* 0 for the suite file */
    int nesting;       /* repeat/include nesting of the steps being parsed */
    size_t errors;     /* errors reported in this ctx and its children */
} spec_ctx_t;

typedef enum { AT_VALUE, AT_KEY } spec_at_t;

/* Reports "file:line:col: message" at node's value or key. */
void spec_err(spec_ctx_t *c, const cJSON *node, spec_at_t at, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
spec_loc_t spec_loc(spec_ctx_t *c, const cJSON *node, spec_at_t at);

/* Validation helpers; each reports its own error and returns -1. `what` names the place, e.g.
 * "request.timeout". */
int spec_check_keys(spec_ctx_t *c, const cJSON *obj, const char *const *allowed, const char *what);
int spec_want(spec_ctx_t *c, const cJSON *node, int cjson_type, const char *what);
int spec_want_int(spec_ctx_t *c, const cJSON *node, long min, long max, const char *what,
                  long *out);
int spec_want_tmpl(spec_ctx_t *c, const cJSON *node, const char *what);       /* a string node */
int spec_check_tree_tmpl(spec_ctx_t *c, const cJSON *node, const char *what); /* every string */
const cJSON *spec_required(spec_ctx_t *c, const cJSON *obj, const char *key, const char *what);
const char *spec_type_name(const cJSON *node);
bool spec_var_name_ok(const char *s);

/* spec_expect.c */
#define SPEC_MAX_JAR_NAME 64 /* bytes of a cookie jar name (HTTP_JAR_NAME_MAX) */
bool spec_jar_name_ok(spec_ctx_t *c, const cJSON *j); /* reports its own error */
int spec_parse_request(spec_ctx_t *c, const cJSON *node, request_spec_t *req);
int spec_parse_expect(spec_ctx_t *c, const cJSON *node, step_t *st);
int spec_parse_captures(spec_ctx_t *c, const cJSON *node, step_t *st);
int spec_parse_status(spec_ctx_t *c, const cJSON *node, step_t *st);  /* expect.status */
int spec_parse_asserts(spec_ctx_t *c, const cJSON *node, step_t *st); /* expect.asserts */

/* spec_raw.c: a step's "raw", "probe" and its expect (raw steps; spec_raw.h). */
int spec_parse_raw(spec_ctx_t *c, const cJSON *step, const cJSON *raw, step_t *st);

#endif
