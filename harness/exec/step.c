/* step: iterate steps, render requests, check responses, run captures, run a step. See step.h. */
#include "step.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "core/clock.h"
#include "core/jsonloc.h"
#include "raw_step.h"

/* ---- iteration --------------------------------------------------------------------------------
 */

void step_iter_init(step_iter_t *it, const step_list_t *list) {
    memset(it, 0, sizeof(*it));
    it->frames[0].list = list;
    it->frames[0].count = 1; /* the top level runs once */
    it->depth = 1;
}

/* Prefixes the message already in err with the step's file:line:col. */
static int loc_err(err_t *err, const step_t *st) {
    return err_prefix(err, "%s:%u:%u: ", st->loc.file, st->loc.line, st->loc.col);
}

/* Enters a repeat or include: renders its parameters, pushes its children. */
static int enter(step_iter_t *it, const step_t *st, vars_t *vars, err_t *err) {
    if (it->depth > SPEC_MAX_NESTING) {
        err_set(err, "steps nested too deeply");
        return loc_err(err, st);
    }
    step_frame_t *f = &it->frames[it->depth];
    *f = (step_frame_t){.list = &st->children, .owner = st, .count = 1};
    if (st->kind == STEP_INCLUDE) {
        for (const cJSON *w = st->with ? st->with->child : NULL; w; w = w->next) {
            cJSON *v = tmpl_render_json(vars, w, err);
            if (!v) {
                err_prefix(err, "include parameter \"%s\": ", w->string);
                return loc_err(err, st);
            }
            if (vars_set_take(vars, w->string, v) == -1) return err_set(err, "out of memory");
        }
    } else {
        f->count = st->repeat_count;
        if (st->repeat_tmpl) {
            char *s = tmpl_render_str(vars, st->repeat_tmpl, err);
            long n;
            if (!s) {
                err_prefix(err, "repeat: ");
                return loc_err(err, st);
            }
            if (str_to_long(s, 0, SPEC_MAX_REPEAT, &n) == -1) {
                err_set(err, "repeat: \"%.100s\" is not an integer from 0 to %d", s,
                        SPEC_MAX_REPEAT);
                free(s);
                return loc_err(err, st);
            }
            free(s);
            f->count = n;
        }
        if (f->count > 0 && st->index_var && vars_set_int(vars, st->index_var, 0) == -1)
            return err_set(err, "out of memory");
    }
    it->depth++;
    return 0;
}

int step_iter_next(step_iter_t *it, vars_t *vars, const step_t **out, err_t *err) {
    *out = NULL;
    while (it->depth > 0) {
        step_frame_t *f = &it->frames[it->depth - 1];
        if (f->pos < f->list->n && f->iter < f->count) {
            const step_t *st = f->list->items[f->pos++];
            if (st->kind == STEP_REQUEST) {
                *out = st;
                return 0;
            }
            if (enter(it, st, vars, err) == -1) return -1;
            continue;
        }
        /* End of this pass over the list: next repeat iteration, or pop. */
        if (f->owner && f->owner->kind == STEP_REPEAT && ++f->iter < f->count) {
            f->pos = 0;
            if (f->owner->index_var && vars_set_int(vars, f->owner->index_var, f->iter) == -1)
                return err_set(err, "out of memory");
            continue;
        }
        it->depth--;
    }
    return 0;
}

int step_name(const step_t *st, const vars_t *vars, buf_t *out) {
    const char *name = st->name ? st->name : "";
    size_t len = out->len;
    if (tmpl_render(vars, name, out, NULL) == 0) return 0;
    buf_truncate(out, len);
    return buf_adds(out, name);
}

/* ---- request -------------------------------------------------------------------------------- */

/* Renders a query/form value (string template, number, boolean) as text into out. */
static int render_scalar(const vars_t *vars, const cJSON *v, buf_t *out, err_t *err) {
    if (cJSON_IsString(v)) return tmpl_render(vars, v->valuestring, out, err);
    if (jl_print(v, out) == -1) return err_set(err, "value too long");
    return 0;
}

/* name=value&... percent-encoded, into out: an object's members, or (a form) a list of [name,
 * value] pairs; names are templates like the values.
 * Encoding (application/x-www-form-urlencoded as every server decodes it): the bytes of the UTF-8
 * text, each outside A-Z a-z 0-9 - . _ ~ as %XX, so a space is always %20, never '+'. */
static int render_pairs(const vars_t *vars, const cJSON *obj, buf_t *out, err_t *err) {
    buf_t name, tmp;
    buf_init(&name, TMPL_MAX_OUTPUT);
    buf_init(&tmp, TMPL_MAX_OUTPUT);
    int rc = 0;
    bool list = cJSON_IsArray(obj);
    for (const cJSON *k = obj->child; k && rc == 0; k = k->next) {
        const char *n = list ? k->child->valuestring : k->string;
        const cJSON *v = list ? k->child->next : k;
        buf_reset(&name);
        buf_reset(&tmp);
        if (k != obj->child && buf_addc(out, '&') == -1)
            rc = -1;
        else if (tmpl_render(vars, n, &name, err) == -1)
            rc = -2;
        else if (render_scalar(vars, v, &tmp, err) == -1)
            rc = -2;
        else if (str_percent_encode(out, name.ptr ? name.ptr : "", name.len) == -1 ||
                 buf_addc(out, '=') == -1 || str_percent_encode(out, tmp.ptr, tmp.len) == -1)
            rc = -1;
    }
    buf_free(&name);
    buf_free(&tmp);
    if (rc == -1) return err_set(err, "request too large (over %zu bytes)", out->max);
    return rc ? -1 : 0;
}

static int render_body(const step_t *st, const vars_t *vars, req_t *r, const char **ctype,
                       err_t *err) {
    const request_spec_t *q = &st->req;
    r->has_body = q->body_kind != BODY_NONE;
    switch (q->body_kind) {
    case BODY_NONE: return 0;
    case BODY_JSON: {
        *ctype = "application/json";
        cJSON *j = tmpl_render_json(vars, q->json, err);
        if (!j) return -1;
        int rc = jl_print(j, &r->body);
        cJSON_Delete(j);
        return rc == -1 ? err_set(err, "body larger than %zu bytes", r->body.max) : 0;
    }
    case BODY_FORM:
        *ctype = "application/x-www-form-urlencoded";
        return render_pairs(vars, q->form, &r->body, err);
    case BODY_RAW: return tmpl_render(vars, q->raw, &r->body, err);
    case BODY_BYTES:
        if (buf_add(&r->body, q->bytes, q->nbytes) == -1)
            return err_set(err, "body larger than %zu bytes", r->body.max);
        return 0;
    case BODY_FILL: {
        if (tmpl_render(vars, q->fill_prefix, &r->body, err) == -1) return -1;
        buf_t suffix;
        buf_init(&suffix, TMPL_MAX_OUTPUT);
        int rc = tmpl_render(vars, q->fill_suffix, &suffix, err);
        if (rc == 0 && r->body.len + suffix.len > q->fill_size)
            rc = err_set(err, "body.size %zu is smaller than prefix + suffix (%zu bytes)",
                         q->fill_size, r->body.len + suffix.len);
        if (rc == 0 &&
            (buf_addfill(&r->body, q->fill_char, q->fill_size - r->body.len - suffix.len) == -1 ||
             buf_add(&r->body, suffix.ptr, suffix.len) == -1))
            rc = err_set(err, "body larger than %zu bytes", r->body.max);
        buf_free(&suffix);
        return rc;
    }
    }
    return 0;
}

int step_build_request(const step_t *st, const vars_t *vars, req_t *r, err_t *err) {
    const request_spec_t *q = &st->req;
    req_reset(r);
    r->method = q->method;
    r->timeout_ms = q->timeout_ms;
    r->jar = q->jar;
    r->follow = q->follow;
    r->max_redirects = q->max_redirects;
    if (tmpl_render(vars, q->path, &r->target, err) == -1) return -1;
    if (q->query && q->query->child) {
        if (buf_addc(&r->target, strchr(buf_cstr(&r->target), '?') ? '&' : '?') == -1)
            return err_set(err, "request target too long");
        if (render_pairs(vars, q->query, &r->target, err) == -1) return -1;
    }
    const char *ctype = NULL;
    if (render_body(st, vars, r, &ctype, err) == -1) return -1;
    bool user_ctype = false;
    for (const cJSON *h = q->headers ? q->headers->child : NULL; h; h = h->next) {
        char *v = tmpl_render_str(vars, h->valuestring, err);
        if (!v) return -1;
        if (strpbrk(v, "\r\n")) {
            free(v);
            return err_set(err, "header \"%s\" renders to a value with CR or LF", h->string);
        }
        if (req_add_header(r, h->string, v, err) == -1) return -1;
        if (strcasecmp(h->string, "Content-Type") == 0) {
            user_ctype = true;
            r->content_type = r->headers[r->nheaders - 1].value;
        }
    }
    if (ctype && !user_ctype) {
        if (req_add_header(r, "Content-Type", str_dup(ctype), err) == -1) return -1;
        r->content_type = r->headers[r->nheaders - 1].value;
    }
    /* libcurl (and the curl command line) send a body chunked when this header is set. */
    r->chunked = q->chunked;
    if (q->chunked && req_add_header(r, "Transfer-Encoding", str_dup("chunked"), err) == -1)
        return -1;
    return 0;
}

int step_curl_command(const req_t *r, const char *base_url, buf_t *out) {
    int rc = buf_adds(out, "curl -i");
    if (strcmp(r->method, "HEAD") == 0)
        rc |= buf_adds(out, " --head");
    else if (strcmp(r->method, "GET") != 0 || r->has_body)
        rc |= buf_printf(out, " -X %s", r->method);
    rc |= buf_printf(out, " --max-time %.3f ", (double)r->timeout_ms / 1000.0);
    if (r->follow) rc |= buf_printf(out, "-L --max-redirs %ld ", r->max_redirects);
    buf_t url;
    buf_init(&url, REQ_MAX_TARGET + 4096);
    rc |= buf_adds(&url, base_url);
    rc |= buf_add(&url, r->target.ptr ? r->target.ptr : "/", r->target.ptr ? r->target.len : 1);
    rc |= str_shell_quote(out, url.ptr, url.len);
    buf_free(&url);
    for (size_t i = 0; i < r->nheaders; i++) {
        buf_t h;
        buf_init(&h, RESP_MAX_HEADER_BYTES);
        /* curl sends "Name;" for an empty value; "Name:" would remove the header. */
        if (r->headers[i].value[0])
            rc |= buf_printf(&h, "%s: %s", r->headers[i].name, r->headers[i].value);
        else
            rc |= buf_printf(&h, "%s;", r->headers[i].name);
        rc |= buf_adds(out, " -H ");
        rc |= str_shell_quote(out, h.ptr, h.len);
        buf_free(&h);
    }
    if (r->has_body) {
        if (!r->content_type) rc |= buf_adds(out, " -H 'Content-Type:'");
        if (r->body.len <= STEP_CURL_MAX_BODY && memchr(buf_cstr(&r->body), 0, r->body.len)) {
            /* A NUL cannot be in a shell word: bash's printf writes the bytes ('\xHH'). */
            rc |= buf_adds(out, " --data-binary @<(printf '");
            for (size_t i = 0; i < r->body.len; i++) {
                unsigned char ch = (unsigned char)r->body.ptr[i];
                if (ch >= 0x20 && ch < 0x7f && ch != '\'' && ch != '\\' && ch != '%')
                    rc |= buf_addc(out, (char)ch);
                else
                    rc |= buf_printf(out, "\\x%02x", ch);
            }
            rc |= buf_adds(out, "')");
        } else if (r->body.len <= STEP_CURL_MAX_BODY) {
            rc |= buf_adds(out, " --data-binary ");
            rc |= str_shell_quote(out, buf_cstr(&r->body), r->body.len);
        } else {
            rc |= buf_printf(out,
                             " --data-binary @body.bin  # body of %zu bytes not shown; "
                             "starts with ",
                             r->body.len);
            rc |= str_escape_trunc(out, r->body.ptr, r->body.len, 80);
        }
    }
    return rc ? -1 : 0;
}

/* ---- checking -------------------------------------------------------------------------------- */

void step_result_init(step_result_t *res) {
    memset(res, 0, sizeof(*res));
}

void step_result_free(step_result_t *res) {
    for (size_t i = 0; i < res->n; i++) free(res->items[i].msg);
    free(res->items);
    free(res->capture_error);
    memset(res, 0, sizeof(*res));
}

static int check_status(const step_t *st, const resp_t *r, check_item_t *it) {
    it->text = "status";
    it->loc = st->status_loc;
    for (size_t i = 0; i < st->nstatus; i++)
        if (st->statuses[i] == r->status) return it->pass = true, 0;
    buf_t m;
    buf_init(&m, EXPECT_MSG_MAX);
    if (st->nstatus == 1) {
        buf_printf(&m, "expected status == %d, got %ld", st->statuses[0], r->status);
    } else {
        buf_adds(&m, "expected status in [");
        for (size_t i = 0; i < st->nstatus; i++)
            buf_printf(&m, "%s%d", i ? ", " : "", st->statuses[i]);
        buf_printf(&m, "], got %ld", r->status);
    }
    it->msg = buf_detach(&m);
    return it->msg ? 0 : -1;
}

static int run_captures(const step_t *st, resp_t *r, vars_t *vars, step_result_t *res) {
    for (size_t i = 0; i < st->ncaptures; i++) {
        const capture_t *c = &st->captures[i];
        err_t e = {{0}};
        qval_t v = {0};
        int rc = -1;
        char *name = tmpl_render_str(vars, c->name, &e);
        if (name && !tmpl_name_ok(name)) {
            err_set(&e, "the name renders to \"%.100s\", not a variable name", name);
        } else if (name && query_eval_vars(&c->q, r, vars, &v, &e) == 0) {
            /* An XPath node set captures its first node's text (a string, what a form field
             * needs); an empty one is nothing. Asserts see the whole list. */
            if (v.exists && v.nodeset && cJSON_IsArray(v.v)) {
                const cJSON *first = v.v->child;
                cJSON *s = first ? cJSON_Duplicate(first, true) : NULL;
                qval_free(&v);
                if (s) v.v = v.owned = s, v.exists = true;
            }
            if (!v.exists)
                err_set(&e, "the query matched nothing");
            else if (c->append)
                rc = vars_append(vars, name, v.v, &e);
            else if ((rc = vars_set(vars, name, v.v)) == -1)
                err_set(&e, "out of memory");
        }
        qval_free(&v);
        if (rc == -1) {
            buf_t m;
            buf_init(&m, ERR_MSG_MAX * 2);
            buf_printf(&m, "%s:%u:%u: capture \"%s%s\": %s", c->loc.file, c->loc.line, c->loc.col,
                       c->name, c->append ? "[]" : "", e.msg);
            res->capture_error = buf_detach(&m);
            free(name);
            return -1;
        }
        free(name);
    }
    return 0;
}

int step_check(const step_t *st, resp_t *r, vars_t *vars, step_result_t *res) {
    step_result_free(res);
    res->items = calloc(1 + st->nasserts, sizeof(*res->items));
    if (!res->items) return -1;
    res->n = 1 + st->nasserts;
    if (check_status(st, r, &res->items[0]) == -1) return -1;
    bool all = res->items[0].pass;
    buf_t msg;
    buf_init(&msg, EXPECT_MSG_MAX);
    for (size_t i = 0; i < st->nasserts; i++) {
        const assertion_t *a = &st->asserts[i];
        check_item_t *it = &res->items[1 + i];
        it->text = a->text;
        it->loc = a->loc;
        err_t e;
        bool pass = false;
        buf_reset(&msg);
        if (assertion_eval(a, r, vars, &pass, &msg, &e) == -1) {
            buf_reset(&msg);
            buf_adds(&msg, e.msg);
            pass = false;
        }
        it->pass = pass;
        if (!pass && !(it->msg = str_dup(buf_cstr(&msg)))) {
            buf_free(&msg);
            return -1;
        }
        all = all && pass;
    }
    buf_free(&msg);
    if (all && run_captures(st, r, vars, res) == -1) all = false;
    res->pass = all;
    return 0;
}

/* ---- running one step ---------------------------------------------------------------------- */

void step_exec_init(step_exec_t *x) {
    memset(x, 0, sizeof *x);
    req_init(&x->req);
    resp_init(&x->resp);
    step_result_init(&x->result);
}

void step_exec_free(step_exec_t *x) {
    free(x->reproduce);
    step_result_free(&x->result);
    resp_free(&x->resp);
    req_free(&x->req);
}

static bool step_gone(const step_exec_hooks_t *h, bool after_error) {
    return h && h->gone && h->gone(h->ctx, after_error);
}

/* ---- redirects ------------------------------------------------------------------------------ */

static bool is_redirect(long status) {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

/* The request for the next hop: Location resolved against the last URL (RFC 3986, libcurl's URL
 * parser); it must stay on the target (base_url): a harness never sends a suite's cookies and
 * requests elsewhere. 301/302/303 become GET without a body (HEAD stays HEAD), as browsers do;
 * 307/308 keep the method and the body. Headers are kept, except those describing a dropped body.
 * -1 with why set. */
static int redirect_request(const req_t *prev, long status, const char *from, const char *loc,
                            const char *base_url, req_t *next, err_t *why) {
    CURLU *u = curl_url();
    char *abs = NULL;
    int rc = 0;
    if (!u || curl_url_set(u, CURLUPART_URL, from, 0) != CURLUE_OK ||
        curl_url_set(u, CURLUPART_URL, loc, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_URL, &abs, 0) != CURLUE_OK)
        rc = err_set(why, "Location \"%.200s\" is not a URL", loc);
    size_t bl = strlen(base_url);
    if (rc == 0 && (strncmp(abs, base_url, bl) != 0 || (abs[bl] != '/' && abs[bl] != '?')))
        rc =
            err_set(why, "Location \"%.200s\" leaves the target (%s): not followed", loc, base_url);
    req_reset(next);
    if (rc == 0) {
        const char *t = abs + bl;
        size_t tl = strcspn(t, "#");
        bool get = status != 307 && status != 308;
        next->method = get && strcmp(prev->method, "HEAD") != 0 ? "GET" : prev->method;
        next->timeout_ms = prev->timeout_ms;
        next->jar = prev->jar;
        next->has_body = !get && prev->has_body;
        next->chunked = !get && prev->chunked;
        if (buf_add(&next->target, t, tl) == -1 ||
            (next->has_body && buf_add(&next->body, prev->body.ptr, prev->body.len) == -1))
            rc = err_set(why, "redirect request too large");
        for (size_t i = 0; rc == 0 && i < prev->nheaders; i++) {
            const char *n = prev->headers[i].name;
            bool body_header = strcasecmp(n, "Content-Type") == 0 ||
                               strcasecmp(n, "Content-Length") == 0 ||
                               strcasecmp(n, "Transfer-Encoding") == 0;
            if (get && body_header) continue;
            if (req_add_header(next, n, str_dup(prev->headers[i].value), why) == -1)
                rc = err_set(why, "out of memory");
            else if (strcasecmp(n, "Content-Type") == 0)
                next->content_type = next->headers[next->nheaders - 1].value;
        }
    }
    curl_free(abs);
    curl_url_cleanup(u);
    return rc;
}

/* Sends x->req and, when it follows redirects, every hop after it: x->resp is the last answer
 * (resp.redirects the hops taken). 0: an answer to check; -1: transport error (x->err); -2: the
 * chain broke (too many hops, a bad or foreign Location), why set. */
static int send_following(http_client_t *hc, const char *base_url, step_exec_t *x, err_t *why,
                          char **first_cookie) {
    int sent = http_send(hc, base_url, &x->req, &x->resp, &x->http, &x->err);
    free(*first_cookie);
    *first_cookie = x->resp.cookie_sent ? str_dup(x->resp.cookie_sent) : NULL;
    if (sent < 0) return -1;
    if (!x->req.follow) return 0;
    req_t hop;
    req_init(&hop);
    const req_t *prev = &x->req;
    double total = x->http.total_ms;
    int rc = 0;
    long hops = 0;
    for (; rc == 0 && is_redirect(x->resp.status); hops++) {
        const char *loc = resp_header(&x->resp, "Location");
        if (!loc) break; /* a 3xx without Location is the answer */
        if (hops == x->req.max_redirects) {
            rc = -2;
            err_set(why,
                    "more than %ld redirect%s (the limit%s): the last answer, %ld, says "
                    "Location: %.200s",
                    x->req.max_redirects, x->req.max_redirects == 1 ? "" : "s",
                    x->req.max_redirects == SPEC_MAX_REDIRECTS ? "; request.max_redirects raises it"
                                                               : ", request.max_redirects",
                    x->resp.status, loc);
            break;
        }
        char *from = str_dup(x->resp.url ? x->resp.url : base_url);
        char *l = str_dup(loc);
        if (!from || !l)
            rc = -2, err_set(why, "out of memory");
        else if (redirect_request(prev, x->resp.status, from, l, base_url, &hop, why) == -1)
            rc = -2;
        free(from);
        free(l);
        if (rc) break;
        if (http_send(hc, base_url, &hop, &x->resp, &x->http, &x->err) < 0) rc = -1;
        total += x->http.total_ms;
        /* hop becomes the previous request: swap storage so the next hop builds from it */
        if (prev == &x->req) {
            req_t *second = malloc(sizeof *second);
            if (!second) {
                rc = -2;
                err_set(why, "out of memory");
                break;
            }
            *second = hop;
            req_init(&hop);
            prev = second;
        } else {
            req_t tmp = *(req_t *)prev;
            *(req_t *)prev = hop;
            hop = tmp;
        }
    }
    x->resp.redirects = (int)hops;
    x->http.total_ms = total;
    if (prev != &x->req) {
        req_free((req_t *)prev);
        free((req_t *)prev);
    }
    req_free(&hop);
    return rc;
}

/* A failed chain of redirects as the step's one failed check (at "follow"). */
static int redirect_failure(const step_t *st, step_exec_t *x, const err_t *why) {
    step_result_free(&x->result);
    if (!(x->result.items = calloc(1, sizeof *x->result.items))) return -1;
    x->result.n = 1;
    x->result.items[0] = (check_item_t){false, "follow", st->req.follow_loc, NULL};
    if (!x->result.items[0].loc.file) x->result.items[0].loc = st->loc;
    x->result.items[0].msg = str_dup(why->msg);
    return x->result.items[0].msg ? 0 : -1;
}

int step_exec(const step_t *st, http_client_t *hc, const char *base_url, vars_t *vars,
              const step_exec_hooks_t *hooks, step_exec_t *x) {
    if (st->raw) return raw_exec(st, base_url, vars, hooks, x); /* exact bytes: raw_step.c */
    if (step_build_request(st, vars, &x->req, &x->err) < 0) {
        x->state = STEP_EXEC_BUILD_ERROR;
        return -1;
    }
    if (st->delay_ms > 0) clock_sleep_ms(st->delay_ms);
    if (step_gone(hooks, false)) {
        x->state = STEP_EXEC_GONE_BEFORE;
        return -1;
    }
    char *cookie_sent = NULL; /* what the jar sent with the first request, for the reproduce */
    bool answered = false;
    for (int a = 0; a <= st->retry_count; a++) {
        if (a > 0 && st->retry_interval_ms > 0) clock_sleep_ms(st->retry_interval_ms);
        x->attempts++;
        step_result_free(&x->result);
        step_result_init(&x->result);
        memset(&x->http, 0, sizeof x->http);
        err_t why;
        int sent = send_following(hc, base_url, x, &why, &cookie_sent);
        if (sent == -1) {
            x->state = STEP_EXEC_TRANSPORT;
            if (step_gone(hooks, true)) {
                x->state = STEP_EXEC_GONE;
                break;
            }
            continue;
        }
        answered = true;
        if (sent == -2) {
            if (redirect_failure(st, x, &why) == -1) {
                err_set(&x->err, "out of memory while checking");
                x->state = STEP_EXEC_NOMEM;
                break;
            }
            x->state = STEP_EXEC_FAIL;
            continue;
        }
        if (step_check(st, &x->resp, vars, &x->result) < 0) {
            err_set(&x->err, "out of memory while checking");
            x->state = STEP_EXEC_NOMEM;
            break;
        }
        x->state = x->result.pass ? STEP_EXEC_PASS : STEP_EXEC_FAIL;
        if (x->result.pass) break;
    }
    /* save_jar: the jar as this step's (last) answer left it. */
    if (answered && st->save_jar && x->req.jar &&
        http_jar_copy(hc, x->req.jar, st->save_jar, &x->err) == -1 && x->state == STEP_EXEC_PASS)
        x->state = STEP_EXEC_NOMEM;
    /* The reproduce command sends what the jar sent (unless the step gave its own Cookie). */
    bool own = false;
    for (size_t i = 0; i < x->req.nheaders; i++)
        own = own || strcasecmp(x->req.headers[i].name, "Cookie") == 0;
    err_t e;
    if (cookie_sent && !own)
        req_add_header(&x->req, "Cookie", cookie_sent, &e); /* takes it, also on failure */
    else
        free(cookie_sent);
    return x->state == STEP_EXEC_PASS ? 0 : -1;
}

int step_exec_describe(const step_t *st, const step_exec_t *x, buf_t *out) {
    buf_printf(out, "%s:%u:%u: step \"%s\": ", st->loc.file, st->loc.line, st->loc.col, st->name);
    if (x->state == STEP_EXEC_BUILD_ERROR || x->state == STEP_EXEC_NOMEM)
        return buf_adds(out, x->err.msg);
    buf_printf(out, "%s %s", x->req.method, buf_cstr(&x->req.target));
    switch (x->state) {
    case STEP_EXEC_PASS: return buf_adds(out, ": passed");
    case STEP_EXEC_TRANSPORT: return buf_printf(out, ": %s", x->err.msg);
    case STEP_EXEC_GONE_BEFORE:
    case STEP_EXEC_GONE: return buf_adds(out, ": the target is gone");
    default: break;
    }
    const char *why = x->result.capture_error ? x->result.capture_error : "failed";
    for (size_t i = 0; i < x->result.n; i++)
        if (!x->result.items[i].pass && x->result.items[i].msg) {
            why = x->result.items[i].msg;
            break;
        }
    return buf_printf(out, " answered %ld: %s", x->resp.status, why);
}
