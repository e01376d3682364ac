/* scenario: benchmark scenarios (specs/bench/scenarios/<name>.json) and the wrk Lua they become.
 *
 * A scenario is data: the requests to send (method, path, headers, raw body; a weight each for
 * mixes), the pools they draw from (`{{slugs}}` rotates over the seeded slugs; a scenario may also
 * declare static pools), `{{seq}}` for a value unique to every request of a run, what a correct
 * response is (`expect`, a spec-format status + asserts; a request may carry its own `expect`;
 * every request kind is checked with the step engine before and after the load, and the
 * statuses of `expect` are the answers counted as successes under load), a tolerated share of
 * unexpected answers (`tolerated_error_rate`, default 0) and an optional integrity check for
 * write scenarios (`"integrity": "comments"`).
 * See specs/bench/README.md for the format.
 *
 * Templates are split into parts at load time (text, pool reference, seq), so generating the Lua
 * is a walk over parts; pool names are resolved against the pools available when the Lua is made
 * (seeded pools + the scenario's own), and an unknown pool is an error naming file and request.
 *
 * The generated script (scn_lua) is self-contained: pools as Lua tables; request() picks the next
 * request of a smooth weighted round robin and fills its templates, each pool indexed in mixed
 * radix by a per-thread counter of that request (so two pools in one request go through every
 * combination; pools "paired" share one digit, so a session's cookie and token stay together);
 * done() writes one JSON object (summary, errors, latency percentiles, the full histogram and, for
 * write scenarios, the number of answers that acknowledged a write: 201 from the API, 303 from a
 * form) to a file named in the script.
 *
 * Ownership: scn_t owns everything it points to (scn_free). */
#ifndef PARITY_SCENARIO_H
#define PARITY_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>

#include "core/util.h"

#define SCN_MAX_REQUESTS   32         /* requests in one scenario */
#define SCN_MAX_HEADERS    16         /* headers of one request */
#define SCN_MAX_PARTS      64         /* text/pool/seq parts of one template */
#define SCN_MAX_POOL       100000     /* values in one pool */
#define SCN_MAX_WEIGHT     1000       /* weight of one request */
#define SCN_MAX_FILE       (1u << 20) /* bytes of a scenario file */
#define SCN_MAX_LEVELS     16         /* connection levels a scenario may override */
#define SCN_MAX_STATUSES   8          /* success statuses of one request kind */
#define SCN_DEFAULT_STATUS 200        /* success status of a kind whose expect names none */
#define SCN_ACK_STATUS     201        /* what acknowledges a write when no write kind names one */
#define SCN_MAX_PAIRED     64         /* pool names in "paired" groups, all groups together */

typedef enum scn_part_kind { SCN_TEXT, SCN_POOL, SCN_SEQ } scn_part_kind_t;

typedef struct scn_part {
    scn_part_kind_t kind;
    char *text;     /* SCN_TEXT: literal; SCN_POOL: pool name */
    bool urlencode; /* SCN_POOL written `{{name|urlencode}}`: the value percent-encoded (a form
                       field's value: a CSRF token may hold '+', '/', '=') */
} scn_part_t;

typedef struct scn_tmpl {
    scn_part_t *parts;
    size_t n;
    char *source; /* as written */
} scn_tmpl_t;

typedef struct scn_header {
    char *name;
    scn_tmpl_t value;
} scn_header_t;

typedef struct scn_request {
    char *method;
    scn_tmpl_t path;
    scn_header_t headers[SCN_MAX_HEADERS];
    size_t nheaders;
    bool has_body;
    scn_tmpl_t body;
    int weight;
    char *name;                    /* kind label ("name", default "METHOD path") */
    cJSON *expect;                 /* this kind's own expect, or NULL: the scenario's */
    int success[SCN_MAX_STATUSES]; /* the statuses that count as a successful answer */
    size_t nsuccess;
} scn_request_t;

typedef struct scn_pool {
    char *name;
    char **values;
    size_t n;
} scn_pool_t;

typedef struct scn {
    char *name;
    char *description;
    char *file;
    scn_request_t reqs[SCN_MAX_REQUESTS];
    size_t nreqs;
    scn_pool_t *pools; /* static pools declared by the file */
    size_t npools;
    cJSON *expect;              /* {"status":..., "asserts":[...]} or NULL */
    char *integrity;            /* NULL or "comments" */
    int levels[SCN_MAX_LEVELS]; /* "connections" override; nlevels == 0: the profile's */
    size_t nlevels;
    double tolerated_error_rate; /* share of unexpected answers + socket errors allowed (0) */
    /* Pools drawn at ONE index together ("paired": [["web_cookies", "web_csrfs"]]): the values
     * of one seeded session (its cookies and the CSRF token bound to them) must never be mixed
     * with another's, as two independent pools would be by the mixed-radix counter. */
    char *paired[SCN_MAX_PAIRED];
    int paired_group[SCN_MAX_PAIRED];
    size_t npaired;
    char *seed;      /* "seed": a plan in specs/bench/ run before the scenario on every fresh
                        target process (its list captures become pools); NULL: none */
    bool count_lua;  /* "counting": "lua": response() counts every status even where wrk's
                        counter would tell the classes apart (a 3xx that means failure) */
    bool in_default; /* "default" (true): run when no --scenario names scenarios */
    int acked[SCN_MAX_STATUSES]; /* integrity: the statuses that acknowledge a write (the
                                    success statuses of the non-GET kinds; 201 for the API) */
    size_t nacked;
} scn_t;

/* The expect of request kind k (its own, else the scenario's; NULL when neither has one). */
const cJSON *scn_expect(const scn_t *s, size_t k);
/* True when status is a success of kind k. */
bool scn_is_success(const scn_request_t *q, int status);
/* True when every success status of every kind is 200..399: then wrk's own C counter of
 * answers >= 400 tells every unexpected answer of a status class apart, and the run needs no
 * Lua response() hook (which costs wrk time on every answer). */
bool scn_wrk_counts_enough(const scn_t *s);
/* The "paired" group of pool name (0..), or -1 when it is drawn on its own. */
int scn_pair_group(const scn_t *s, const char *name);
/* Appends v percent-encoded for a query or form value: every byte but A-Z a-z 0-9 - . _ ~ as %XX.
 */
int scn_urlencode(const char *v, buf_t *out);

/* Loads and validates one scenario file; errors are "file:line:col: message" (unknown keys too). */
int scn_load(const char *path, scn_t *s, err_t *err);
void scn_free(scn_t *s);
/* Loads every *.json in dir, sorted by name. *out is malloc'ed (scn_free each, then free). */
int scn_load_dir(const char *dir, scn_t **out, size_t *n, err_t *err);

/* Splits a template into parts ("{{name}}" -> pool reference, "{{name|urlencode}}" -> the same,
 * percent-encoded, "{{seq}}" -> sequence). */
int scn_tmpl_parse(const char *src, scn_tmpl_t *t, err_t *err);
void scn_tmpl_free(scn_tmpl_t *t);

/* Looks a pool up in the scenario's own pools, then in extra (seeded pools); NULL if absent. */
const scn_pool_t *scn_pool_find(const scn_t *s, const scn_pool_t *extra, size_t nextra,
                                const char *name);

/* Renders the template with every pool at index `index` (modulo its size) and seq = "0": the
 * sample requests checked before (index 0) and after (index 1) the load. -1 on an unknown pool. */
int scn_tmpl_sample(const scn_t *s, const scn_tmpl_t *t, const scn_pool_t *extra, size_t nextra,
                    size_t index, buf_t *out, err_t *err);

typedef struct scn_lua_opts {
    const char *out_json; /* path done() writes to */
    const char *nonce;    /* makes {{seq}} unique across runs (e.g. "r3-c64") */
    bool count_statuses;  /* define response() and count every status ("statuses" in the JSON,
                             "created" = the answers that acknowledge a write, s->acked): write
                             scenarios, and scenarios whose success statuses wrk's counter cannot
                             tell apart (scn_wrk_counts_enough) */
} scn_lua_opts_t;

/* Appends the wrk Lua script of scenario s to out. extra: seeded pools. */
int scn_lua(const scn_t *s, const scn_pool_t *extra, size_t nextra, const scn_lua_opts_t *o,
            buf_t *out, err_t *err);

/* The order in which a weighted mix sends its requests: nginx's smooth weighted round robin over
 * the weights, one full cycle (sum of weights entries). order must hold that many; returns the
 * count. */
size_t scn_weighted_order(const scn_t *s, int *order, size_t max);

void scn_pool_free(scn_pool_t *p);

#endif
