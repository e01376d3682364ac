/* diff_int: what the files of `parity diff` share (diff_cmd.c runs targets and suites,
 * diff_rules.c normalises answers, diff_vary.c makes request variations, diff_find.c
 * compares answers and reports).
 * Not a public interface. */
#ifndef PARITY_DIFF_INT_H
#define PARITY_DIFF_INT_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <cjson/cJSON.h>

#include "core/util.h"
#include "exec/http.h"
#include "exec/step.h"
#include "spec/spec.h"
#include "target/target.h"

#define DIFF_MAX_TARGETS   32
#define DIFF_MAX_RULES     128
#define DIFF_MAX_CANON     (1u << 20) /* bytes of one normalised answer */
#define DIFF_MAX_ENDPOINTS 512        /* distinct requests remembered for variations */
#define DIFF_MAX_SHOWN     600        /* bytes of an answer shown in a finding */

/* ---- rules (diff_rules.c) ----------------------------------------------------------------------
 */

typedef enum drule_kind {
    DR_COMPARE_HEADER, /* this header takes part in the comparison (others do not) */
    DR_LIST_HEADER,    /* its value is a comma list: compared sorted, without spaces */
    DR_MASK_KEY,       /* every JSON member with this key: value replaced by "<masked>" */
    DR_REPLACE,        /* a regex over the normalised text, replaced (\1 allowed) */
    DR_HTML_TEXT,      /* HTML bodies compared by their normalised text */
} drule_kind_t;

typedef struct drule {
    drule_kind_t kind;
    char *arg;  /* header name, key or pattern */
    char *with; /* DR_REPLACE */
    regex_t re; /* DR_REPLACE */
    char *reason;
} drule_t;

typedef struct diff_rules {
    drule_t r[DIFF_MAX_RULES];
    size_t n;
    bool html_text;
    char *file;
} diff_rules_t;

/* Loads the rules file; -1 with "file: message" in err. */
int drules_load(diff_rules_t *rules, const char *path, err_t *err);
void drules_free(diff_rules_t *rules);
/* The answer reduced to what must be equal: "STATUS\nname: value\n...\n\nBODY". A transport
 * failure is "no answer (reason)". */
int drules_canon(const diff_rules_t *rules, resp_t *resp, bool got, const char *why, buf_t *out);

/* ---- the run (diff_cmd.c) ----------------------------------------------------------------------
 */

typedef struct dtarget {
    const char *name;
    target_manifest_t *m;
    target_proc_t proc;
    bool started, dead;
    http_client_t *hc;
    vars_t *vars;
    char url[256];
} dtarget_t;

/* One request as each target got it (its own rendering: its slugs, its tokens). */
typedef struct dendpoint {
    char *key;  /* "METHOD /path/template" as written in the spec */
    char *file; /* where the step is */
    unsigned line;
    req_t req[DIFF_MAX_TARGETS];
    bool have[DIFF_MAX_TARGETS]; /* req[i] holds target i's request */
} dendpoint_t;

typedef struct diff_ctx {
    spec_set_t specs;
    dtarget_t t[DIFF_MAX_TARGETS];
    size_t nt;
    diff_rules_t rules;
    cJSON *findings;   /* array of divergences */
    cJSON *categories; /* name -> {"requests": N, "divergences": N} */
    dendpoint_t *eps;
    size_t neps;
    bool quiet;
} diff_ctx_t;

/* Sends reqs[i] to every live target i, compares, records a finding when they differ. category
 * names the source ("suite" or a variation kind); label says what was sent. */
int diff_compare(diff_ctx_t *c, const char *category, const char *endpoint, const char *label,
                 const char *file, unsigned line, req_t *const *reqs);
/* The same for a step already sent to every target by the step engine (x[i].attempts == 0:
 * target i took no part). */
void diff_compare_sent(diff_ctx_t *c, const char *category, const char *endpoint, const char *label,
                       const char *file, unsigned line, step_exec_t *x);
/* Counts a request of a category (and whether it diverged). */
void diff_count(diff_ctx_t *c, const char *category, bool diverged);

/* ---- variations (diff_vary.c) ------------------------------------------------------------------
 */

/* Remembers the request each target got for this step (once per endpoint key). */
int dvary_remember(diff_ctx_t *c, const step_t *st, const char *key, req_t *const *reqs);
/* Sends every variation of every remembered endpoint; forgets them. */
int dvary_run(diff_ctx_t *c);
void dvary_free(diff_ctx_t *c);

/* ---- output (diff_find.c) -----------------------------------------------------------------------
 */

/* Prints the findings grouped by endpoint and the per-category counts. */
void dout_print(const diff_ctx_t *c, FILE *f);
/* Writes DIR/diff.json; -1 with err. */
int dout_write(const diff_ctx_t *c, const char *dir, const char *run_id, err_t *err);

#endif
