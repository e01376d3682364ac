/* results: result model and conformance.json. See results.h; schema in harness/README.md. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "results.h"

#include "core/file.h"

#define RESULT_STEPS_MAX 10000000 /* steps in one suite (repeat 1e6 x a few steps) */

const char *result_status_name(result_status_t s) {
    switch (s) {
    case RESULT_PASS: return "pass";
    case RESULT_FAIL: return "fail";
    case RESULT_SKIP: return "skip";
    default: return "error";
    }
}

const char *result_phase_name(result_phase_t p) {
    return p == RESULT_SETUP ? "setup" : p == RESULT_TEARDOWN ? "teardown" : "steps";
}

static void result_oom(void) {
    /* Out of memory while recording results: nothing sensible is left to do. */
    fputs("parity: out of memory\n", stderr);
    abort();
}

char *result_strdup(const char *s) {
    if (!s) return NULL;
    char *d = strdup(s);
    if (!d) result_oom();
    return d;
}

char *result_printf(const char *fmt, ...) {
    buf_t b;
    buf_init(&b, 1u << 20);
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(&b, fmt, ap); /* past the cap: the buffer keeps what it had */
    va_end(ap);
    char *s = buf_detach(&b);
    return s ? s : result_strdup("");
}

result_step_t *result_step_add(result_suite_t *su) {
    if (su->n == su->cap) {
        if (su->cap >= RESULT_STEPS_MAX) return NULL;
        size_t nc = su->cap ? su->cap * 2 : 16;
        result_step_t *ns = realloc(su->steps, nc * sizeof *ns);
        if (!ns) result_oom();
        su->steps = ns;
        su->cap = nc;
    }
    result_step_t *st = &su->steps[su->n++];
    memset(st, 0, sizeof *st);
    st->iteration = -1;
    return st;
}

int result_check_add(result_step_t *st, const char *text, const char *file, unsigned line,
                     unsigned col, const char *message) {
    result_check_t *nc = realloc(st->checks, (st->nchecks + 1) * sizeof *nc);
    if (!nc) result_oom();
    st->checks = nc;
    nc[st->nchecks++] = (result_check_t){result_strdup(text), result_strdup(file), line, col,
                                         result_strdup(message)};
    return 0;
}

void result_suite_finish(result_suite_t *su) {
    su->npass = su->nfail = su->nskip = su->nerror = 0;
    for (size_t i = 0; i < su->n; i++) {
        switch (su->steps[i].status) {
        case RESULT_PASS: su->npass++; break;
        case RESULT_FAIL: su->nfail++; break;
        case RESULT_SKIP: su->nskip++; break;
        default: su->nerror++; break;
        }
    }
    if (su->nerror)
        su->status = RESULT_ERROR;
    else if (su->nfail)
        su->status = RESULT_FAIL;
    else if (su->npass == 0 && su->nskip > 0)
        su->status = RESULT_SKIP;
    else
        su->status = RESULT_PASS;
}

void result_target_finish(result_target_t *t) {
    if (t->status == RESULT_ERROR) return;
    t->status = RESULT_PASS;
    for (size_t i = 0; i < t->n; i++) {
        if (t->suites[i].status == RESULT_ERROR)
            t->status = RESULT_ERROR;
        else if (t->suites[i].status == RESULT_FAIL && t->status == RESULT_PASS)
            t->status = RESULT_FAIL;
    }
}

void result_totals(const result_run_t *r, result_totals_t *t) {
    memset(t, 0, sizeof *t);
    for (size_t i = 0; i < r->n; i++)
        for (size_t j = 0; j < r->targets[i].n; j++) {
            const result_suite_t *su = &r->targets[i].suites[j];
            t->pass += su->npass;
            t->fail += su->nfail;
            t->skip += su->nskip;
            t->error += su->nerror;
            switch (su->status) {
            case RESULT_PASS: t->suites_pass++; break;
            case RESULT_FAIL: t->suites_fail++; break;
            case RESULT_SKIP: t->suites_skip++; break;
            default: t->suites_error++; break;
            }
        }
}

void result_step_label(const result_step_t *st, char *out, size_t outlen) {
    char it[32] = "";
    if (st->iteration >= 0) snprintf(it, sizeof it, " #%ld", st->iteration);
    snprintf(out, outlen, "%s%s%s",
             st->phase == RESULT_SETUP      ? "setup: "
             : st->phase == RESULT_TEARDOWN ? "teardown: "
                                            : "",
             st->name ? st->name : "?", it);
}

static void result_step_free(result_step_t *st) {
    free(st->name);
    free(st->file);
    free(st->reason);
    free(st->method);
    free(st->url);
    free(st->response);
    free(st->curl);
    free(st->level);
    free(st->ref);
    for (size_t i = 0; i < st->nchecks; i++) {
        free(st->checks[i].text);
        free(st->checks[i].file);
        free(st->checks[i].message);
    }
    free(st->checks);
}

void results_free(result_run_t *r) {
    if (!r) return;
    for (size_t i = 0; i < r->n; i++) {
        result_target_t *t = &r->targets[i];
        for (size_t j = 0; j < t->n; j++) {
            result_suite_t *su = &t->suites[j];
            for (size_t k = 0; k < su->n; k++) result_step_free(&su->steps[k]);
            free(su->steps);
            free(su->name);
            free(su->file);
            free(su->description);
        }
        free(t->suites);
        free(t->name);
        free(t->version);
        free(t->orm);
        free(t->url);
        free(t->error);
        free(t->log);
        free(t->stop_error);
    }
    free(r->targets);
    free(r->id);
    free(r->parity_version);
    free(r->started);
    free(r->finished);
    free(r->db);
    memset(r, 0, sizeof *r);
}

/* ---- JSON ------------------------------------------------------------------------------------ */

static double result_ms(double v) {
    return round(v * 1000.0) / 1000.0;
} /* microsecond precision */

/* JSON text must be UTF-8; response bodies and names need not be. Invalid bytes become U+FFFD. */
static char *result_utf8(const char *s) {
    size_t n = strlen(s);
    if (str_utf8_valid(s, n)) return NULL;
    buf_t b;
    buf_init(&b, n * 3 + 1);
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        size_t len = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
        if (len && i + len <= n && str_utf8_valid(s + i, len)) {
            buf_add(&b, s + i, len);
            i += len;
        } else {
            buf_adds(&b, "\xEF\xBF\xBD");
            i++;
        }
    }
    char *d = buf_detach(&b);
    return d ? d : result_strdup("");
}

static void result_add_str(cJSON *o, const char *k, const char *v) {
    if (!v) {
        cJSON_AddNullToObject(o, k);
        return;
    }
    char *fixed = result_utf8(v);
    cJSON_AddStringToObject(o, k, fixed ? fixed : v);
    free(fixed);
}

static cJSON *result_counts(size_t pass, size_t fail, size_t skip, size_t error) {
    cJSON *c = cJSON_CreateObject();
    cJSON_AddNumberToObject(c, "pass", (double)pass);
    cJSON_AddNumberToObject(c, "fail", (double)fail);
    cJSON_AddNumberToObject(c, "skip", (double)skip);
    cJSON_AddNumberToObject(c, "error", (double)error);
    return c;
}

static cJSON *result_step_json(const result_step_t *st) {
    cJSON *o = cJSON_CreateObject();
    result_add_str(o, "name", st->name);
    cJSON_AddStringToObject(o, "phase", result_phase_name(st->phase));
    result_add_str(o, "file", st->file);
    cJSON_AddNumberToObject(o, "line", st->line);
    cJSON_AddNumberToObject(o, "col", st->col);
    if (st->iteration >= 0)
        cJSON_AddNumberToObject(o, "iteration", (double)st->iteration);
    else
        cJSON_AddNullToObject(o, "iteration");
    cJSON_AddStringToObject(o, "status", result_status_name(st->status));
    result_add_str(o, "reason", st->reason);
    cJSON_AddNumberToObject(o, "duration_ms", result_ms(st->duration_ms));
    cJSON_AddNumberToObject(o, "attempts", st->attempts);
    if (st->method) {
        cJSON *rq = cJSON_AddObjectToObject(o, "request");
        result_add_str(rq, "method", st->method);
        result_add_str(rq, "url", st->url);
    } else {
        cJSON_AddNullToObject(o, "request");
    }
    if (st->http_status)
        cJSON_AddNumberToObject(o, "http_status", (double)st->http_status);
    else
        cJSON_AddNullToObject(o, "http_status");
    if (st->attempts > 0) {
        cJSON *t = cJSON_AddObjectToObject(o, "timings");
        cJSON_AddNumberToObject(t, "dns_ms", result_ms(st->dns_ms));
        cJSON_AddNumberToObject(t, "connect_ms", result_ms(st->connect_ms));
        cJSON_AddNumberToObject(t, "ttfb_ms", result_ms(st->ttfb_ms));
        cJSON_AddNumberToObject(t, "total_ms", result_ms(st->total_ms));
    } else {
        cJSON_AddNullToObject(o, "timings");
    }
    cJSON *fails = cJSON_AddArrayToObject(o, "failures");
    for (size_t i = 0; i < st->nchecks; i++) {
        const result_check_t *c = &st->checks[i];
        cJSON *f = cJSON_CreateObject();
        result_add_str(f, "check", c->text);
        result_add_str(f, "file", c->file);
        cJSON_AddNumberToObject(f, "line", c->line);
        cJSON_AddNumberToObject(f, "col", c->col);
        result_add_str(f, "message", c->message);
        cJSON_AddItemToArray(fails, f);
    }
    if (st->response) cJSON_AddStringToObject(o, "response", st->response);
    if (st->curl) cJSON_AddStringToObject(o, "curl", st->curl);
    if (st->level) {
        cJSON *pr = cJSON_AddObjectToObject(o, "probe");
        result_add_str(pr, "level", st->level);
        result_add_str(pr, "ref", st->ref);
    }
    return o;
}

cJSON *results_to_json(const result_run_t *r) {
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "kind", "parity-conformance");
    cJSON_AddNumberToObject(root, "schema", RESULTS_SCHEMA);
    result_add_str(root, "run", r->id);
    result_add_str(root, "parity_version", r->parity_version);
    result_add_str(root, "started", r->started);
    result_add_str(root, "finished", r->finished);
    cJSON_AddNumberToObject(root, "duration_ms", result_ms(r->duration_ms));
    cJSON_AddItemToObject(root, "database", db_settings_json(r->db)); /* issue 24 */
    result_totals_t tt;
    result_totals(r, &tt);
    cJSON *tot = cJSON_AddObjectToObject(root, "totals");
    cJSON_AddItemToObject(tot, "steps", result_counts(tt.pass, tt.fail, tt.skip, tt.error));
    cJSON_AddItemToObject(
        tot, "suites",
        result_counts(tt.suites_pass, tt.suites_fail, tt.suites_skip, tt.suites_error));
    cJSON *targets = cJSON_AddArrayToObject(root, "targets");
    for (size_t i = 0; i < r->n; i++) {
        const result_target_t *t = &r->targets[i];
        cJSON *to = cJSON_CreateObject();
        result_add_str(to, "name", t->name);
        result_add_str(to, "version", t->version);
        if (t->orm && *t->orm)
            result_add_str(to, "orm", t->orm);
        else
            cJSON_AddNullToObject(to, "orm");
        result_add_str(to, "url", t->url);
        cJSON_AddBoolToObject(to, "external", t->external);
        cJSON_AddNumberToObject(to, "workers", t->workers);
        cJSON_AddStringToObject(to, "status", result_status_name(t->status));
        result_add_str(to, "error", t->error);
        result_add_str(to, "log", t->log);
        cJSON_AddNumberToObject(to, "start_ms", result_ms(t->start_ms));
        cJSON_AddNumberToObject(to, "stop_ms", result_ms(t->stop_ms));
        result_add_str(to, "stop_error", t->stop_error);
        size_t sp = 0, sf = 0, ss = 0, se = 0;
        cJSON *suites = cJSON_CreateArray();
        for (size_t j = 0; j < t->n; j++) {
            const result_suite_t *su = &t->suites[j];
            sp += su->npass, sf += su->nfail, ss += su->nskip, se += su->nerror;
            cJSON *so = cJSON_CreateObject();
            result_add_str(so, "name", su->name);
            result_add_str(so, "file", su->file);
            result_add_str(so, "description", su->description ? su->description : "");
            cJSON_AddStringToObject(so, "status", result_status_name(su->status));
            cJSON_AddNumberToObject(so, "duration_ms", result_ms(su->duration_ms));
            cJSON_AddItemToObject(so, "counts",
                                  result_counts(su->npass, su->nfail, su->nskip, su->nerror));
            cJSON *steps = cJSON_AddArrayToObject(so, "steps");
            for (size_t k = 0; k < su->n; k++)
                cJSON_AddItemToArray(steps, result_step_json(&su->steps[k]));
            cJSON_AddItemToArray(suites, so);
        }
        cJSON_AddItemToObject(to, "counts", result_counts(sp, sf, ss, se));
        cJSON_AddItemToObject(to, "suites", suites);
        cJSON_AddItemToArray(targets, to);
    }
    return root;
}

int results_write_json(const result_run_t *r, const char *path, err_t *err) {
    cJSON *j = results_to_json(r);
    char *s = j ? cJSON_Print(j) : NULL;
    cJSON_Delete(j);
    if (!s) return err_set(err, "out of memory");
    file_atomic_t f;
    int rc = file_atomic_open(&f, path, err);
    if (rc == 0) {
        fputs(s, f.fp);
        fputc('\n', f.fp);
        rc = file_atomic_commit(&f, err);
    }
    free(s);
    return rc;
}
