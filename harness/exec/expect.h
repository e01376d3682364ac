/* expect: evaluating a step's expectations (queries, predicates, assertions; spec/query.h) over a
 * response (resp_t, http.h).
 *
 * Typed values: a value is JSON (core/json.h): `"1"` is not `1`, `1.0` is not an integer,
 * `1 == 1.0` is false. Objects and lists compare deeply.
 *
 * Failure messages: `expected <predicate> <value>, got <type> <value>`; the type is omitted when it
 * equals the expected value's type: `expected == 201, got 404`, `expected isInteger, got number
 * 1.0`, `expected == "1", got number 1`, `expected exists, got nothing`. Long values are cut to
 * EXPECT_MAX_SHOWN bytes.
 *
 * Ownership: a qval_t owns what it built (qval_free); everything else is borrowed. */
#ifndef PARITY_EXEC_EXPECT_H
#define PARITY_EXEC_EXPECT_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>

#include "core/util.h"
#include "http.h"
#include "spec/query.h"
#include "spec/tmpl.h"

#define EXPECT_MAX_SHOWN 200  /* bytes of a value shown in a failure message */
#define EXPECT_MSG_MAX   1024 /* bytes of one failure message */

/* The result of a query: nothing, or a value. */
typedef struct qval {
    bool exists;
    const cJSON *v; /* the value (borrowed from owned, the response, or a list built in owned) */
    cJSON *owned;   /* what must be deleted (qval_free) */
    bool nodeset;   /* an XPath node set (a list): `exists` is false when it is empty, as in Hurl */
} qval_t;

/* Runs q over r. -1 (err set) when the query itself fails: JSONPath over a body that is not JSON
 * ("body is not valid JSON: 1:1: ..."). A missing header/cookie/match is exists=false, not -1. */
int query_eval(const query_t *q, resp_t *r, qval_t *out, err_t *err);
/* The same, with the variables for the `variable` query (NULL: that query is an error). */
int query_eval_vars(const query_t *q, resp_t *r, const vars_t *vars, qval_t *out, err_t *err);
void qval_free(qval_t *q);

/* Evaluates `[not] pred arg` on value. arg is the RENDERED expected value (NULL when the predicate
 * takes none); re is arg compiled (P_MATCHES; if NULL, arg is compiled here). Returns 0 and sets
 * *pass; on a fail, msg (if not NULL) gets the failure message. -1 on an internal error (bad
 * regex at run time), err set. */
int pred_eval(pred_kind_t p, bool negate, const cJSON *arg, const regex_t *re, const qval_t *value,
              bool *pass, buf_t *msg, err_t *err);

/* True for a string YYYY-MM-DDTHH:MM:SS.sssZ that is a valid date and time. */
bool is_iso_date(const char *s);

/* Evaluates one assert against r: renders arg with vars, runs the query and the predicate.
 * 0 with *pass set and, on a fail, msg filled; -1 with err set when it cannot be evaluated (an
 * unknown variable, a body that is not JSON): the caller reports that as a failure too. */
int assertion_eval(const assertion_t *a, resp_t *r, const vars_t *vars, bool *pass, buf_t *msg,
                   err_t *err);

#endif
