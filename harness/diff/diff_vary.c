/* diff_vary: requests nobody wrote a test for. Each endpoint a suite used (method + path as
 * written in the spec) is remembered with the request each target got, then varied the same way
 * for every target:
 *
 *   query   an unknown query parameter added
 *   empty   each query parameter's value made empty
 *   huge    each query parameter's value made a 30-digit number, then 16 KiB of text
 *   body    a JSON body replaced by {}, [], null, a string, and a truncated document
 *   method  every other method of GET POST PUT PATCH DELETE HEAD OPTIONS that no suite sent to
 *           this path (DELETE last: it may remove what the others need)
 *
 * Variations run after the suite, in that order, on every target alike, so any state they change
 * is changed everywhere. See diff_int.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "diff_int.h"

#define DVARY_HUGE_TEXT  (16u << 10)
#define DVARY_TIMEOUT_MS 5000 /* a variation that gets no answer in 5 s is reported as such */

static const char *const methods[] = {"GET", "POST", "PUT", "PATCH", "OPTIONS", "HEAD", "DELETE"};

static int req_copy(req_t *dst, const req_t *src) {
    req_init(dst);
    dst->method = src->method;
    dst->has_body = src->has_body;
    dst->chunked = src->chunked;
    dst->timeout_ms = src->timeout_ms;
    err_t e;
    if (buf_add(&dst->target, src->target.ptr ? src->target.ptr : "", src->target.len) < 0 ||
        buf_add(&dst->body, src->body.ptr ? src->body.ptr : "", src->body.len) < 0)
        return -1;
    for (size_t i = 0; i < src->nheaders; i++) {
        if (req_add_header(dst, src->headers[i].name, str_dup(src->headers[i].value), &e) < 0)
            return -1;
        if (src->content_type == src->headers[i].value)
            dst->content_type = dst->headers[dst->nheaders - 1].value;
    }
    return 0;
}

int dvary_remember(diff_ctx_t *c, const step_t *st, const char *key, req_t *const *reqs) {
    for (size_t i = 0; i < c->neps; i++)
        if (strcmp(c->eps[i].key, key) == 0) return 0;
    if (c->neps == DIFF_MAX_ENDPOINTS) return 0;
    if (c->neps % 32 == 0) {
        dendpoint_t *p = realloc(c->eps, (c->neps + 32) * sizeof(*p));
        if (!p) return -1;
        c->eps = p;
    }
    dendpoint_t *e = &c->eps[c->neps];
    memset(e, 0, sizeof(*e));
    e->key = str_dup(key);
    e->file = str_dup(st->loc.file ? st->loc.file : "");
    e->line = st->loc.line;
    for (size_t i = 0; i < c->nt; i++) {
        if (!reqs[i]) {
            e->have[i] = false;
            continue;
        }
        e->have[i] = req_copy(&e->req[i], reqs[i]) == 0;
    }
    c->neps++;
    return 0;
}

void dvary_free(diff_ctx_t *c) {
    for (size_t k = 0; k < c->neps; k++) {
        for (size_t i = 0; i < c->nt; i++)
            if (c->eps[k].have[i]) req_free(&c->eps[k].req[i]);
        free(c->eps[k].key);
        free(c->eps[k].file);
    }
    free(c->eps);
    c->eps = NULL;
    c->neps = 0;
}

/* ---- one variation on every target --------------------------------------------------------------
 */

typedef int (*dvary_edit_fn)(req_t *r, const void *arg, size_t index);

/* Copies each target's request, edits the copy, sends it everywhere and compares. */
static int vary(diff_ctx_t *c, dendpoint_t *e, const char *category, const char *label,
                dvary_edit_fn edit, const void *arg, size_t index) {
    req_t copies[DIFF_MAX_TARGETS];
    req_t *reqs[DIFF_MAX_TARGETS] = {0};
    int rc = 0;
    for (size_t i = 0; i < c->nt; i++) {
        if (!e->have[i]) continue;
        if (req_copy(&copies[i], &e->req[i]) < 0 || edit(&copies[i], arg, index) < 0) {
            req_free(&copies[i]);
            continue;
        }
        if (copies[i].timeout_ms <= 0 || copies[i].timeout_ms > DVARY_TIMEOUT_MS)
            copies[i].timeout_ms = DVARY_TIMEOUT_MS;
        reqs[i] = &copies[i];
    }
    buf_t what;
    buf_init(&what, 4096);
    buf_printf(&what, "%s: %s", e->key, label);
    rc = diff_compare(c, category, e->key, buf_cstr(&what), e->file, e->line, reqs);
    buf_free(&what);
    for (size_t i = 0; i < c->nt; i++)
        if (reqs[i]) req_free(&copies[i]);
    return rc;
}

static int set_target(req_t *r, const char *path, size_t plen, const char *query) {
    buf_t t;
    buf_init(&t, REQ_MAX_TARGET);
    int rc = buf_add(&t, path, plen);
    if (rc == 0 && query && *query) rc = buf_printf(&t, "?%s", query);
    if (rc == 0) {
        buf_reset(&r->target);
        rc = buf_add(&r->target, t.ptr, t.len);
    }
    buf_free(&t);
    return rc;
}

static int edit_unknown_query(req_t *r, const void *arg, size_t index) {
    (void)arg, (void)index;
    return buf_adds(&r->target,
                    strchr(buf_cstr(&r->target), '?') ? "&parity_unknown=1" : "?parity_unknown=1");
}

/* The index-th query parameter's value replaced by arg (a string). */
static int edit_param(req_t *r, const void *arg, size_t index) {
    const char *t = buf_cstr(&r->target), *q = strchr(t, '?');
    if (!q) return -1;
    buf_t nq;
    buf_init(&nq, REQ_MAX_TARGET);
    size_t k = 0;
    int rc = 0;
    for (const char *p = q + 1; rc == 0 && *p; k++) {
        size_t n = strcspn(p, "&"), name = strcspn(p, "=");
        if (name > n) name = n;
        if (k) rc = buf_addc(&nq, '&');
        if (rc == 0 && k == index)
            rc = buf_printf(&nq, "%.*s=%s", (int)name, p, (const char *)arg);
        else if (rc == 0)
            rc = buf_add(&nq, p, n);
        p += n + (p[n] == '&');
    }
    if (rc == 0) rc = index < k ? set_target(r, t, (size_t)(q - t), buf_cstr(&nq)) : -1;
    buf_free(&nq);
    return rc;
}

static size_t query_params(const req_t *r) {
    const char *q = strchr(buf_cstr(&r->target), '?');
    if (!q || !q[1]) return 0;
    size_t n = 1;
    for (q++; *q; q++) n += *q == '&';
    return n;
}

/* A varied body or method keeps no framing header of the original (a chunked or sized body that
 * is no longer sent would leave the server waiting for it). */
static void drop_framing(req_t *r) {
    size_t k = 0;
    for (size_t i = 0; i < r->nheaders; i++) {
        if (strcasecmp(r->headers[i].name, "Transfer-Encoding") == 0 ||
            strcasecmp(r->headers[i].name, "Content-Length") == 0) {
            free(r->headers[i].name);
            free(r->headers[i].value);
            continue;
        }
        r->headers[k++] = r->headers[i];
    }
    r->nheaders = k;
    r->chunked = false;
}

static int edit_body(req_t *r, const void *arg, size_t index) {
    (void)index;
    drop_framing(r);
    buf_reset(&r->body);
    r->has_body = true;
    return buf_adds(&r->body, (const char *)arg);
}

static int edit_method(req_t *r, const void *arg, size_t index) {
    (void)index;
    r->method = (const char *)arg;
    /* a method that carries no body here: the variation is the method alone */
    drop_framing(r);
    buf_reset(&r->body);
    r->has_body = false;
    return 0;
}

static bool path_used_with(const diff_ctx_t *c, const char *key, const char *method) {
    const char *path = strchr(key, ' ');
    for (size_t i = 0; path && i < c->neps; i++) {
        const char *k = c->eps[i].key, *p = strchr(k, ' ');
        if (p && strcmp(p, path) == 0 && (size_t)(p - k) == strlen(method) &&
            strncmp(k, method, (size_t)(p - k)) == 0)
            return true;
    }
    return false;
}

static const req_t *first_req(const diff_ctx_t *c, const dendpoint_t *e) {
    for (size_t i = 0; i < c->nt; i++)
        if (e->have[i]) return &e->req[i];
    return NULL;
}

static int vary_endpoint(diff_ctx_t *c, dendpoint_t *e, const char *huge_text) {
    const req_t *r0 = first_req(c, e);
    if (!r0) return 0;
    int rc = vary(c, e, "query", "an unknown query parameter", edit_unknown_query, NULL, 0);
    size_t np = query_params(r0);
    for (size_t k = 0; rc == 0 && k < np; k++) {
        char label[128];
        snprintf(label, sizeof label, "query parameter %zu empty", k + 1);
        rc = vary(c, e, "empty", label, edit_param, "", k);
        snprintf(label, sizeof label, "query parameter %zu a 30-digit number", k + 1);
        if (rc == 0)
            rc = vary(c, e, "huge", label, edit_param, "999999999999999999999999999999", k);
        snprintf(label, sizeof label, "query parameter %zu 16 KiB long", k + 1);
        if (rc == 0) rc = vary(c, e, "huge", label, edit_param, huge_text, k);
    }
    if (r0->content_type && strstr(r0->content_type, "json")) {
        static const char *const bodies[] = {"{}", "[]", "null", "\"text\"", "{\"truncated\": "};
        for (size_t k = 0; rc == 0 && k < sizeof bodies / sizeof *bodies; k++) {
            char label[64];
            snprintf(label, sizeof label, "body %s", bodies[k]);
            rc = vary(c, e, "body", label, edit_body, bodies[k], 0);
        }
    }
    return rc;
}

static int vary_methods(diff_ctx_t *c, dendpoint_t *e) {
    int rc = 0;
    for (size_t m = 0; rc == 0 && m < sizeof methods / sizeof *methods; m++) {
        if (strncmp(e->key, methods[m], strlen(methods[m])) == 0 &&
            e->key[strlen(methods[m])] == ' ')
            continue;
        if (path_used_with(c, e->key, methods[m])) continue;
        char label[64];
        snprintf(label, sizeof label, "sent as %s", methods[m]);
        rc = vary(c, e, "method", label, edit_method, methods[m], 0);
    }
    return rc;
}

int dvary_run(diff_ctx_t *c) {
    char *huge = malloc(DVARY_HUGE_TEXT + 1);
    if (!huge) return -1;
    memset(huge, 'x', DVARY_HUGE_TEXT);
    huge[DVARY_HUGE_TEXT] = '\0';
    int rc = 0;
    for (size_t k = 0; rc == 0 && k < c->neps; k++) rc = vary_endpoint(c, &c->eps[k], huge);
    for (size_t k = 0; rc == 0 && k < c->neps; k++) rc = vary_methods(c, &c->eps[k]);
    free(huge);
    return rc;
}
