/* bench_validate: see bench_validate.h. */
#include "bench_validate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "seed.h"
#include "spec/spec.h"

#define BV_MAX_RENDERED (1u << 20) /* bytes of one rendered template */

/* One step: the kind's request with pools at index, and its expect. */
static int bv_step(const scn_t *s, size_t k, const scn_pool_t *pools, size_t npools, size_t index,
                   cJSON *steps, err_t *err) {
    const scn_request_t *q = &s->reqs[k];
    cJSON *step = cJSON_CreateObject(), *req = cJSON_AddObjectToObject(step, "request");
    cJSON_AddItemToArray(steps, step);
    cJSON_AddStringToObject(step, "name", q->name);
    cJSON_AddStringToObject(req, "method", q->method);
    buf_t b;
    buf_init(&b, BV_MAX_RENDERED);
    int rc = scn_tmpl_sample(s, &q->path, pools, npools, index, &b, err);
    cJSON_AddStringToObject(req, "path", buf_cstr(&b));
    cJSON *h = q->nheaders ? cJSON_AddObjectToObject(req, "headers") : NULL;
    for (size_t i = 0; rc == 0 && i < q->nheaders; i++) {
        buf_reset(&b);
        rc = scn_tmpl_sample(s, &q->headers[i].value, pools, npools, index, &b, err);
        cJSON_AddStringToObject(h, q->headers[i].name, buf_cstr(&b));
    }
    if (rc == 0 && q->has_body) {
        buf_reset(&b);
        rc = scn_tmpl_sample(s, &q->body, pools, npools, index, &b, err);
        cJSON_AddStringToObject(req, "body", buf_cstr(&b));
    }
    buf_free(&b);
    const cJSON *ex = scn_expect(s, k);
    if (ex) cJSON_AddItemToObject(step, "expect", cJSON_Duplicate(ex, 1));
    return rc;
}

char *bench_validate_suite(const scn_t *s, const scn_pool_t *pools, size_t npools, size_t index,
                           err_t *err) {
    cJSON *suite = cJSON_CreateObject();
    cJSON_AddStringToObject(suite, "suite",
                            index == BENCH_VALIDATE_BEFORE ? "bench-check-before"
                                                           : "bench-check-after");
    cJSON *steps = cJSON_AddArrayToObject(suite, "steps");
    int rc = 0;
    for (size_t k = 0; rc == 0 && k < s->nreqs; k++)
        rc = bv_step(s, k, pools, npools, index, steps, err);
    char *text = rc == 0 ? cJSON_PrintUnformatted(suite) : NULL;
    cJSON_Delete(suite);
    if (rc == 0 && !text) err_set(err, "out of memory");
    return text;
}

int bench_validate(const scn_t *s, const char *url, const scn_pool_t *pools, size_t npools,
                   size_t index, buf_t *msg) {
    err_t err;
    char *text = bench_validate_suite(s, pools, npools, index, &err);
    if (!text) {
        buf_adds(msg, err.msg);
        return -1;
    }
    spec_set_t set;
    spec_set_init(&set);
    int rc = spec_load_buffer(&set, s->file, text, strlen(text));
    free(text);
    if (rc < 0) {
        buf_printf(msg, "%s: the scenario's expect is not valid: %s", s->file,
                   buf_cstr(&set.errors));
        spec_set_free(&set);
        return -1;
    }
    /* Expectations may refer to pools ("{{slugs}}"): each gets the value the request used. */
    vars_t *v = vars_new();
    vars_set_string(v, "seq", "0");
    for (size_t i = 0; i < npools; i++)
        if (pools[i].n) vars_set_string(v, pools[i].name, pools[i].values[index % pools[i].n]);
    for (size_t i = 0; i < s->npools; i++)
        vars_set_string(v, s->pools[i].name, s->pools[i].values[index % s->pools[i].n]);
    rc = seed_run(set.suites[0], url, 1, v, NULL, &err);
    if (rc < 0) buf_adds(msg, err.msg);
    vars_free(v);
    spec_set_free(&set);
    return rc;
}
