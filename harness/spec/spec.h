/* spec: load and validate suite files (specs/README.md, "The spec format") into a model.
 *
 * Everything is checked at load time so that a run never starts on a bad file: unknown keys,
 * wrong types, missing required keys, unknown predicates and queries, argument counts, regexes
 * (compiled here), JSONPaths (compiled here), template syntax, include params, nesting and cycles.
 * Every error is one line `file:line:col: message` pointing at the offending key or value.
 * Errors are collected (up to SPEC_MAX_ERRORS per load call) in spec_set_t.errors.
 *
 * The model is a tree: a step list holds request steps, repeat steps (children run N times with
 * an index variable) and include steps (children = the included file's steps, expanded at load,
 * positions pointing into the included file). Use step_iter (step.h) to walk it at run time:
 * it resolves repeat counts and sets the index variable and include params.
 *
 * Ownership: spec_set_t owns everything (an arena; the parsed cJSON documents that the model
 * borrows from; compiled regexes and paths). Free with spec_set_free. */
#ifndef PARITY_SPEC_H
#define PARITY_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>

#include "query.h"
#include "core/jsonloc.h"
#include "core/util.h"

#define SPEC_MAX_FILE           (16u << 20) /* bytes in one spec file */
#define SPEC_MAX_INCLUDE_DEPTH  8           /* includes inside includes */
#define SPEC_MAX_NESTING        16      /* repeat/include nesting in total (step_iter's stack) */
#define SPEC_MAX_ERRORS         50      /* errors collected per load call before giving up */
#define SPEC_MAX_REPEAT         1000000 /* repeat count */
#define SPEC_MAX_TIMEOUT_MS     600000  /* request.timeout */
#define SPEC_DEFAULT_TIMEOUT_MS 10000
#define SPEC_MAX_DELAY_MS       600000      /* delay, retry.interval */
#define SPEC_MAX_RETRY          100         /* retry.count */
#define SPEC_MAX_FILL           (64u << 20) /* request.body.size */
#define SPEC_MAX_REDIRECTS      10          /* hops a "follow": true request takes by default */
#define SPEC_MAX_REDIRECTS_CAP  50          /* the most request.max_redirects may allow */
#define SPEC_JAR_DEFAULT        "main"      /* the cookie jar of a request without "jar" */

typedef enum step_kind {
    STEP_REQUEST,
    STEP_REPEAT,
    STEP_INCLUDE,
} step_kind_t;

typedef enum body_kind {
    BODY_NONE,
    BODY_JSON,  /* req.json: any JSON, templated */
    BODY_FORM,  /* req.form: object of name -> value, or a list of [name, value] pairs; names
                   and values templated, application/x-www-form-urlencoded */
    BODY_RAW,   /* req.raw: a string, templated */
    BODY_FILL,  /* prefix + fill * n + suffix, total fill_size bytes */
    BODY_BYTES, /* req.bytes: {"base64": ...} decoded at load (any bytes, not templated) */
} body_kind_t;

typedef struct step step_t;

typedef struct step_list {
    step_t **items;
    size_t n;
} step_list_t;

typedef struct capture {
    const char *name; /* as written, without a trailing "[]"; may contain {{...}} */
    bool append;      /* the name ended in "[]": append to a list variable */
    query_t q;
    spec_loc_t loc; /* of the capture's key */
} capture_t;

typedef struct skip {
    const char *target;
    const char *reason; /* non-empty */
} skip_t;

typedef struct request_spec {
    const char *method;   /* GET POST PUT PATCH DELETE HEAD OPTIONS */
    const char *path;     /* template; starts with '/' */
    const cJSON *query;   /* object (string|number|bool values, templated) or NULL */
    const cJSON *headers; /* object of template strings or NULL */
    body_kind_t body_kind;
    const cJSON *json;                     /* BODY_JSON */
    const cJSON *form;                     /* BODY_FORM: object, or list of [name, value] */
    const char *raw;                       /* BODY_RAW: template */
    const char *fill_prefix, *fill_suffix; /* BODY_FILL: templates ("" if absent) */
    char fill_char;                        /* BODY_FILL: the one byte repeated */
    size_t fill_size;                      /* BODY_FILL: total body bytes */
    const char *bytes;                     /* BODY_BYTES (in the set's arena) */
    size_t nbytes;
    bool chunked; /* send with Transfer-Encoding: chunked instead of Content-Length */
    long timeout_ms;
    const char *jar;       /* cookie jar name (default SPEC_JAR_DEFAULT); NULL: "jar": null, no
                              cookies sent or stored */
    bool follow;           /* follow Location (301/302/303/307/308); asserts see the last answer */
    long max_redirects;    /* hops allowed when following (default SPEC_MAX_REDIRECTS) */
    spec_loc_t follow_loc; /* of "follow" (a failed redirect chain points here) */
} request_spec_t;

struct step {
    step_kind_t kind;
    spec_loc_t loc;   /* of the step's '{' */
    const char *name; /* STEP_REQUEST: required. Others: NULL */

    /* STEP_REQUEST */
    request_spec_t req;         /* unused when raw is set */
    const struct raw_spec *raw; /* a raw step (spec_raw.h): exact bytes on a TCP connection */
    int *statuses;              /* accepted statuses (expect.status), nstatus >= 1 */
    size_t nstatus;
    spec_loc_t status_loc;
    assertion_t *asserts;
    size_t nasserts;
    capture_t *captures;
    size_t ncaptures;
    int retry_count; /* extra attempts (0 = none) */
    long retry_interval_ms;
    long delay_ms;
    skip_t *skips;
    size_t nskips;
    const char *save_jar; /* after the response, the request's jar is copied into this one */

    /* STEP_REPEAT */
    long repeat_count;       /* when repeat_tmpl is NULL */
    const char *repeat_tmpl; /* "{{n}}": rendered at run time, must give an integer */
    const char *index_var;   /* NULL when no "index" was given */

    /* STEP_INCLUDE */
    const char *include_path; /* as written */
    const char *include_file; /* resolved path (for messages) */
    const cJSON *with;        /* object param -> value (templated, type-preserving) or NULL */

    /* STEP_REPEAT and STEP_INCLUDE */
    step_list_t children;
};

typedef struct suite {
    const char *name;
    const char *description; /* "" if absent */
    const char *file;        /* path as loaded */
    spec_loc_t loc;
    const cJSON *variables;    /* object (values templated at run time, in order) or NULL */
    spec_loc_t *variable_locs; /* the position of each variable's key, in order (messages) */
    step_list_t setup, steps, teardown;
} suite_t;

typedef struct spec_set {
    arena_t arena;
    suite_t **suites; /* in load order (directories: files sorted by name) */
    size_t n;
    size_t cap;
    buf_t errors; /* one "file:line:col: message\n" per error */
    size_t nerrors;
} spec_set_t;

void spec_set_init(spec_set_t *s);
void spec_set_free(spec_set_t *s);

/* Loads one suite file. -1 when it has errors (appended to s->errors; nothing added). */
int spec_load_file(spec_set_t *s, const char *path);
/* Loads every *.json directly in dir (not subdirectories: they hold include files), sorted. */
int spec_load_dir(spec_set_t *s, const char *dir);
/* Loads each path (a file or a directory), then checks suite names are unique. -1 if any error. */
int spec_load_paths(spec_set_t *s, const char *const *paths, size_t n);
/* Parses a suite from memory (tests, tools). file names it in messages and resolves includes. */
int spec_load_buffer(spec_set_t *s, const char *file, const char *text, size_t len);
/* Loads a suite from a document built in another format (spec/hurl.c): root and map (positions of
 * its nodes in `file`) are taken over by the set. -1 when it has errors (appended to s->errors). */
int spec_load_doc(spec_set_t *s, const char *file, cJSON *root, jl_map_t *map);
/* Reports every suite whose name an earlier one has (file:line:col). -1 if there is one. */
int spec_check_unique(spec_set_t *s);

const suite_t *spec_find(const spec_set_t *s, const char *name);

/* The step's skip reason for target (a skip for "*" is for every target), or NULL if the step
 * runs on it. */
const char *step_skip_reason(const step_t *st, const char *target);

/* Calls fn for every request step of every suite (setup, steps, teardown; inside repeats and
 * includes, each once), e.g. for coverage of (method, path template). Stops if fn returns -1. */
typedef int (*spec_request_fn)(void *ctx, const suite_t *suite, const step_t *step);
int spec_each_request(const spec_set_t *s, spec_request_fn fn, void *ctx);

#endif
