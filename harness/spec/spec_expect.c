/* spec_expect: the request, expect (status, asserts) and captures of a request step.
 * Regexes and JSONPaths are compiled here, once, and freed with the set's arena. */
#include "spec_int.h"

#include <stdlib.h>
#include <string.h>

#include "core/b64.h"
#include "core/re.h"
#include "core/xpath.h"

static const char *const methods[] = {"GET",    "POST", "PUT",     "PATCH",
                                      "DELETE", "HEAD", "OPTIONS", NULL};

static bool header_name_ok(const char *s) {
    /* RFC 9110 token characters. */
    if (!*s) return false;
    for (; *s; s++)
        if (!strchr("!#$%&'*+-.^_`|~", *s) &&
            !((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9')))
            return false;
    return true;
}

static void free_regex(void *p) {
    regfree(p);
    free(p);
}

static void free_path(void *p) {
    jp_free(p);
}

/* Compiles a regex owned by the set. NULL (error reported at node) on failure. */
static regex_t *compile_regex(spec_ctx_t *c, const cJSON *node, int flags) {
    regex_t *re = malloc(sizeof(*re));
    if (!re) return NULL;
    char m[256];
    if (re_compile(re, node->valuestring, flags, m, sizeof(m)) == -1) {
        spec_err(c, node, AT_VALUE, "invalid regex \"%.200s\": %s", node->valuestring, m);
        free(re);
        return NULL;
    }
    if (arena_defer(&c->set->arena, free_regex, re) == -1) return NULL;
    return re;
}

static int parse_string_map(spec_ctx_t *c, const cJSON *obj, const char *what, bool scalars) {
    if (spec_want(c, obj, cJSON_Object, what) == -1) return -1;
    int rc = 0;
    for (const cJSON *k = obj->child; k; k = k->next) {
        if (scalars && (cJSON_IsNumber(k) || cJSON_IsBool(k))) continue;
        if (!cJSON_IsString(k)) {
            spec_err(c, k, AT_VALUE, "%s \"%s\" must be a string%s, got %s", what, k->string,
                     scalars ? ", number or boolean" : "", spec_type_name(k));
            rc = -1;
        } else if (spec_want_tmpl(c, k, what) == -1) {
            rc = -1;
        }
    }
    return rc;
}

static int parse_fill(spec_ctx_t *c, const cJSON *b, request_spec_t *req) {
    static const char *const keys[] = {"prefix", "fill", "size", "suffix", NULL};
    int rc = spec_check_keys(c, b, keys, "request.body");
    req->body_kind = BODY_FILL;
    req->fill_prefix = req->fill_suffix = "";
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(b, "prefix");
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(b, "suffix");
    if (p && (spec_want(c, p, cJSON_String, "body.prefix") == -1 ||
              spec_want_tmpl(c, p, "body.prefix") == -1))
        rc = -1;
    else if (p)
        req->fill_prefix = p->valuestring;
    if (s && (spec_want(c, s, cJSON_String, "body.suffix") == -1 ||
              spec_want_tmpl(c, s, "body.suffix") == -1))
        rc = -1;
    else if (s)
        req->fill_suffix = s->valuestring;
    const cJSON *f = spec_required(c, b, "fill", "request.body");
    if (!f) {
        rc = -1;
    } else if (spec_want(c, f, cJSON_String, "body.fill") == 0 && strlen(f->valuestring) != 1) {
        spec_err(c, f, AT_VALUE, "body.fill must be exactly one byte (e.g. \"x\")");
        rc = -1;
    } else if (cJSON_IsString(f)) {
        req->fill_char = f->valuestring[0];
    } else {
        rc = -1;
    }
    const cJSON *z = spec_required(c, b, "size", "request.body");
    long size;
    if (!z || spec_want_int(c, z, 0, SPEC_MAX_FILL, "body.size", &size) == -1) return -1;
    req->fill_size = (size_t)size;
    if (rc == 0 && strlen(req->fill_prefix) + strlen(req->fill_suffix) > req->fill_size &&
        !tmpl_has_refs(req->fill_prefix) && !tmpl_has_refs(req->fill_suffix)) {
        spec_err(c, z, AT_VALUE, "body.size %ld is smaller than prefix + suffix", size);
        rc = -1;
    }
    return rc;
}

/* {"base64": "..."}: any bytes (invalid UTF-8, NULs), decoded once here. */
static int parse_bytes(spec_ctx_t *c, const cJSON *b, request_spec_t *req) {
    static const char *const keys[] = {"base64", NULL};
    if (spec_check_keys(c, b, keys, "request.body (base64)") == -1) return -1;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(b, "base64");
    if (spec_want(c, v, cJSON_String, "body.base64") == -1) return -1;
    buf_t out;
    buf_init(&out, SPEC_MAX_FILL);
    err_t e;
    int rc = b64_decode(&out, v->valuestring, strlen(v->valuestring), false, &e);
    if (rc == -1) {
        spec_err(c, v, AT_VALUE, "body.%s", e.msg);
    } else {
        req->body_kind = BODY_BYTES;
        req->nbytes = out.len;
        req->bytes = out.len ? arena_strndup(&c->set->arena, out.ptr, out.len) : "";
        if (!req->bytes) rc = -1;
    }
    buf_free(&out);
    return rc;
}

/* request.form: an object {name: value}, or a list of [name, value] pairs (repeated names, an
 * exact order); names and values are templates, values may also be numbers or booleans. */
static int parse_form(spec_ctx_t *c, const cJSON *f) {
    if (cJSON_IsObject(f)) {
        int rc = parse_string_map(c, f, "form field", true);
        for (const cJSON *k = f->child; k; k = k->next) {
            err_t e;
            size_t off;
            if (tmpl_check(k->string, &off, &e) == -1) {
                spec_err(c, k, AT_KEY, "form field name: %s (at byte %zu)", e.msg, off + 1);
                rc = -1;
            }
        }
        return rc;
    }
    if (!cJSON_IsArray(f)) {
        spec_err(c, f, AT_VALUE,
                 "request.form must be an object or a list of [name, value] pairs, got %s",
                 spec_type_name(f));
        return -1;
    }
    int rc = 0;
    for (const cJSON *p = f->child; p; p = p->next) {
        const cJSON *n = cJSON_IsArray(p) ? p->child : NULL, *v = n ? n->next : NULL;
        if (!n || !v || v->next || !cJSON_IsString(n) ||
            !(cJSON_IsString(v) || cJSON_IsNumber(v) || cJSON_IsBool(v))) {
            spec_err(c, p, AT_VALUE,
                     "a form pair is [name, value]: a name string and a string, number or "
                     "boolean value");
            rc = -1;
            continue;
        }
        if (spec_want_tmpl(c, n, "form field name") == -1) rc = -1;
        if (cJSON_IsString(v) && spec_want_tmpl(c, v, "form field") == -1) rc = -1;
    }
    return rc;
}

/* request.jar, request.follow, request.max_redirects */
static int parse_cookies_redirects(spec_ctx_t *c, const cJSON *r, request_spec_t *req) {
    int rc = 0;
    req->jar = SPEC_JAR_DEFAULT;
    req->max_redirects = SPEC_MAX_REDIRECTS;
    const cJSON *j = cJSON_GetObjectItemCaseSensitive(r, "jar");
    if (j && cJSON_IsNull(j)) {
        req->jar = NULL;
    } else if (j &&
               (spec_want(c, j, cJSON_String, "request.jar") == -1 || !spec_jar_name_ok(c, j))) {
        rc = -1;
    } else if (j) {
        req->jar = j->valuestring;
    }
    const cJSON *f = cJSON_GetObjectItemCaseSensitive(r, "follow");
    if (f && spec_want(c, f, cJSON_True | cJSON_False, "request.follow") == -1)
        rc = -1;
    else if (f) {
        req->follow = cJSON_IsTrue(f);
        req->follow_loc = spec_loc(c, f, AT_KEY);
    }
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(r, "max_redirects");
    if (m && spec_want_int(c, m, 0, SPEC_MAX_REDIRECTS_CAP, "request.max_redirects",
                           &req->max_redirects) == -1) {
        rc = -1;
    } else if (m && !req->follow) {
        spec_err(c, m, AT_KEY, "request.max_redirects needs \"follow\": true");
        rc = -1;
    }
    return rc;
}

bool spec_jar_name_ok(spec_ctx_t *c, const cJSON *j) {
    const char *s = j->valuestring;
    size_t n = strlen(s);
    bool ok = n > 0 && n <= SPEC_MAX_JAR_NAME;
    for (size_t i = 0; ok && i < n; i++)
        ok = (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
             (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == '-' || s[i] == '.';
    if (!ok)
        spec_err(c, j, AT_VALUE, "a cookie jar name is 1 to %d of [A-Za-z0-9_.-], got \"%.80s\"",
                 SPEC_MAX_JAR_NAME, s);
    return ok;
}

/* request.method: one of `methods`. */
static int req_method(spec_ctx_t *c, const cJSON *r, request_spec_t *req) {
    const cJSON *m = spec_required(c, r, "method", "request");
    if (!m || spec_want(c, m, cJSON_String, "request.method") == -1) return -1;
    for (size_t i = 0; methods[i]; i++)
        if (strcmp(m->valuestring, methods[i]) == 0) req->method = methods[i];
    if (req->method) return 0;
    spec_err(c, m, AT_VALUE,
             "unknown method \"%s\" (GET, POST, PUT, PATCH, DELETE, HEAD or OPTIONS)",
             m->valuestring);
    return -1;
}

/* request.path: starts with '/', no space or control character, a valid template. */
static int req_path(spec_ctx_t *c, const cJSON *r, request_spec_t *req) {
    const cJSON *p = spec_required(c, r, "path", "request");
    if (!p || spec_want(c, p, cJSON_String, "request.path") == -1) return -1;
    if (p->valuestring[0] != '/') {
        spec_err(c, p, AT_VALUE, "request.path must start with '/'");
        return -1;
    }
    if (strpbrk(p->valuestring, " \r\n\t")) {
        spec_err(c, p, AT_VALUE,
                 "request.path must not contain spaces or control characters "
                 "(percent-encode them)");
        return -1;
    }
    if (spec_want_tmpl(c, p, "request.path") == -1) return -1;
    req->path = p->valuestring;
    return 0;
}

/* request.query: string values; names are templates too. */
static int req_query(spec_ctx_t *c, const cJSON *r, request_spec_t *req) {
    int rc = 0;
    const cJSON *q = cJSON_GetObjectItemCaseSensitive(r, "query");
    if (q && parse_string_map(c, q, "query value", true) == -1)
        rc = -1;
    else
        req->query = q;
    for (const cJSON *k = q && cJSON_IsObject(q) ? q->child : NULL; k; k = k->next) {
        err_t e;
        size_t off;
        if (tmpl_check(k->string, &off, &e) == -1) { /* names are templates, like values */
            spec_err(c, k, AT_KEY, "query name: %s (at byte %zu)", e.msg, off + 1);
            rc = -1;
        }
    }
    return rc;
}

/* request.headers: valid names, no CR or LF in values. */
static int req_headers(spec_ctx_t *c, const cJSON *r, request_spec_t *req) {
    const cJSON *h = cJSON_GetObjectItemCaseSensitive(r, "headers");
    if (!h) return 0;
    if (parse_string_map(c, h, "header", false) == -1) return -1;
    int rc = 0;
    for (const cJSON *k = h->child; k; k = k->next) {
        if (!header_name_ok(k->string)) {
            spec_err(c, k, AT_KEY, "invalid header name \"%s\"", k->string);
            rc = -1;
        } else if (strpbrk(k->valuestring, "\r\n")) {
            spec_err(c, k, AT_VALUE, "header value must not contain CR or LF");
            rc = -1;
        }
    }
    req->headers = h;
    return rc;
}

/* One body key (json, form or body) into req. */
static int req_body_key(spec_ctx_t *c, const cJSON *k, request_spec_t *req) {
    if (!strcmp(k->string, "json")) {
        req->body_kind = BODY_JSON;
        req->json = k;
        return spec_check_tree_tmpl(c, k, "request.json");
    }
    if (!strcmp(k->string, "form")) {
        req->body_kind = BODY_FORM;
        req->form = k;
        return parse_form(c, k);
    }
    if (cJSON_IsString(k)) {
        req->body_kind = BODY_RAW;
        req->raw = k->valuestring;
        return spec_want_tmpl(c, k, "request.body");
    }
    if (cJSON_IsObject(k) && cJSON_GetObjectItemCaseSensitive(k, "base64"))
        return parse_bytes(c, k, req);
    if (cJSON_IsObject(k)) return parse_fill(c, k, req);
    spec_err(c, k, AT_VALUE,
             "request.body must be a string, a fill object or {\"base64\": ...}, got %s",
             spec_type_name(k));
    return -1;
}

/* json, form and body are mutually exclusive: the second one found is the error. *first gets the
 * body key (NULL: no body). */
static int req_body(spec_ctx_t *c, const cJSON *r, request_spec_t *req, const cJSON **first) {
    int rc = 0;
    *first = NULL;
    for (const cJSON *k = r->child; k; k = k->next) {
        if (strcmp(k->string, "json") && strcmp(k->string, "form") && strcmp(k->string, "body"))
            continue;
        if (*first) {
            spec_err(c, k, AT_KEY, "request: \"%s\" and \"%s\" are mutually exclusive",
                     (*first)->string, k->string);
            rc = -1;
            continue;
        }
        *first = k;
        if (req_body_key(c, k, req) == -1) rc = -1;
    }
    return rc;
}

/* request.chunked: needs a body, and sets Transfer-Encoding itself (no explicit TE or CL). */
static int req_chunked(spec_ctx_t *c, const cJSON *r, request_spec_t *req, const cJSON *body) {
    const cJSON *ch = cJSON_GetObjectItemCaseSensitive(r, "chunked");
    if (!ch) return 0;
    if (spec_want(c, ch, cJSON_True | cJSON_False, "request.chunked") == -1) return -1;
    if (!cJSON_IsTrue(ch)) return 0;
    int rc = 0;
    req->chunked = true;
    if (!body) {
        spec_err(c, ch, AT_KEY, "request.chunked needs a body (json, form or body)");
        rc = -1;
    }
    const cJSON *h = cJSON_GetObjectItemCaseSensitive(r, "headers"), *te = NULL;
    for (const cJSON *k = cJSON_IsObject(h) ? h->child : NULL; k; k = k->next)
        if (str_eq_nocase(k->string, "Transfer-Encoding") ||
            str_eq_nocase(k->string, "Content-Length"))
            te = k;
    if (te) {
        spec_err(c, te, AT_KEY, "request.chunked sets Transfer-Encoding itself: remove \"%s\"",
                 te->string);
        rc = -1;
    }
    return rc;
}

int spec_parse_request(spec_ctx_t *c, const cJSON *r, request_spec_t *req) {
    static const char *const keys[] = {"method", "path",          "query",   "headers", "json",
                                       "form",   "body",          "timeout", "chunked", "jar",
                                       "follow", "max_redirects", NULL};
    req->timeout_ms = SPEC_DEFAULT_TIMEOUT_MS;
    req->jar = SPEC_JAR_DEFAULT;
    if (spec_want(c, r, cJSON_Object, "request") == -1) return -1;
    int rc = spec_check_keys(c, r, keys, "request");
    const cJSON *body;
    /* every part is checked, so that one load reports every error of the request */
    if (parse_cookies_redirects(c, r, req) == -1) rc = -1;
    if (req_method(c, r, req) == -1) rc = -1;
    if (req_path(c, r, req) == -1) rc = -1;
    if (req_query(c, r, req) == -1) rc = -1;
    if (req_headers(c, r, req) == -1) rc = -1;
    if (req_body(c, r, req, &body) == -1) rc = -1;
    if (req_chunked(c, r, req, body) == -1) rc = -1;
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(r, "timeout");
    if (t && spec_want_int(c, t, 1, SPEC_MAX_TIMEOUT_MS, "request.timeout", &req->timeout_ms) == -1)
        rc = -1;
    return rc;
}

/* Parses the query at the start of arr (a list): sets q and returns the number of elements it
 * used, or -1. what = "assert" or "capture". */
/* Filters after a query's arguments: ["count"], ["nth", N], ["first"], ["last"] (lists, so that
 * they never read as a predicate). Returns how many elements it used, -1 on an error. */
static int parse_filters(spec_ctx_t *c, const cJSON *f, query_t *q) {
    int used = 0;
    for (; f && cJSON_IsArray(f); f = f->next, used++) {
        const cJSON *name = f->child;
        filter_kind_t k;
        if (!name || !cJSON_IsString(name) || filter_parse(name->valuestring, &k) == -1) {
            spec_err(c, f, AT_VALUE,
                     "a filter is [\"count\"], [\"nth\", N], [\"first\"] or [\"last\"]");
            return -1;
        }
        if (q->nfilters == QUERY_MAX_FILTERS) {
            spec_err(c, f, AT_VALUE, "more than %d filters", QUERY_MAX_FILTERS);
            return -1;
        }
        qfilter_t *qf = &q->filters[q->nfilters++];
        qf->kind = k;
        const cJSON *n = name->next;
        if (k == F_NTH) {
            if (!n || n->next) {
                spec_err(c, f, AT_VALUE, "filter nth takes one integer: [\"nth\", 0]");
                return -1;
            }
            if (spec_want_int(c, n, -1000000, 1000000, "nth", &qf->n) == -1) return -1;
        } else if (n) {
            spec_err(c, n, AT_VALUE, "filter %s takes no argument", name->valuestring);
            return -1;
        }
    }
    return used;
}

static int parse_query_args(spec_ctx_t *c, const cJSON *arr, query_t *q, const char *what);

static int parse_query(spec_ctx_t *c, const cJSON *arr, query_t *q, const char *what) {
    int used = parse_query_args(c, arr, q, what);
    if (used == -1) return -1;
    const cJSON *f = arr->child;
    for (int i = 0; i < used; i++) f = f->next;
    int nf = parse_filters(c, f, q);
    return nf == -1 ? -1 : used + nf;
}

static int parse_query_args(spec_ctx_t *c, const cJSON *arr, query_t *q, const char *what) {
    const cJSON *k = arr->child;
    if (!k) {
        spec_err(c, arr, AT_VALUE,
                 "%s must not be empty: it starts with a query (status, header, "
                 "headers, cookie, body, jsonpath, xpath, regex, regexCount, jwt, variable, "
                 "duration, url, redirects)",
                 what);
        return -1;
    }
    if (spec_want(c, k, cJSON_String, "the query") == -1) return -1;
    if (query_kind_parse(k->valuestring, &q->kind) == -1) {
        spec_err(c, k, AT_VALUE,
                 "unknown query \"%s\" (status, header, headers, cookie, body, jsonpath, xpath, "
                 "regex, regexCount, jwt, variable, duration, url, redirects)",
                 k->valuestring);
        return -1;
    }
    if (!query_kind_nargs(q->kind)) return 1;
    const cJSON *a = k->next;
    if (!a) {
        spec_err(c, k, AT_VALUE, "query \"%s\" needs an argument", k->valuestring);
        return -1;
    }
    if (spec_want(c, a, cJSON_String, "the query argument") == -1) return -1;
    q->arg = a->valuestring;
    if (q->kind == Q_JSONPATH || q->kind == Q_JWT) {
        err_t e;
        if (!(q->path = jp_compile(a->valuestring, NULL, &e))) {
            spec_err(c, a, AT_VALUE, "%s", e.msg);
            return -1;
        }
        if (arena_defer(&c->set->arena, free_path, q->path) == -1) return -1;
        if (q->kind == Q_JWT) {
            /* ["jwt", TOKEN_PATH, CLAIMS_PATH] */
            const cJSON *b = a->next;
            if (!b) {
                spec_err(c, a, AT_VALUE,
                         "query \"jwt\" needs a second argument: a JSONPath over the claims "
                         "(e.g. \"$.sub\")");
                return -1;
            }
            if (spec_want(c, b, cJSON_String, "the claims JSONPath") == -1) return -1;
            if (!(q->path2 = jp_compile(b->valuestring, NULL, &e))) {
                spec_err(c, b, AT_VALUE, "%s", e.msg);
                return -1;
            }
            if (arena_defer(&c->set->arena, free_path, q->path2) == -1) return -1;
            q->arg2 = b->valuestring;
            return 3;
        }
    } else if (q->kind == Q_REGEX || q->kind == Q_REGEX_COUNT) {
        if (!(q->re = compile_regex(c, a, 0))) return -1;
    } else if (q->kind == Q_XPATH) {
        err_t e;
        if (xpath_check(a->valuestring, &e) == -1) {
            spec_err(c, a, AT_VALUE, "%s", e.msg);
            return -1;
        }
    } else if (q->kind == Q_COOKIE) {
        /* "NAME", "NAME[Attr]"; NAME may be a template ("{{session_cookie}}[HttpOnly]") */
        size_t nlen;
        if (cookie_attr_parse(a->valuestring, &nlen, &q->attr) == -1) {
            spec_err(c, a, AT_VALUE,
                     "cookie \"%s\": unknown attribute (Value, Expires, Max-Age, Domain, Path, "
                     "Secure, HttpOnly, SameSite)",
                     a->valuestring);
            return -1;
        }
        if (nlen == 0) {
            spec_err(c, a, AT_VALUE, "cookie name must not be empty");
            return -1;
        }
        q->arg = arena_strndup(&c->set->arena, a->valuestring, nlen);
        if (!q->arg) return -1;
        q->arg_tmpl = tmpl_has_refs(q->arg);
        err_t e;
        size_t off;
        if (q->arg_tmpl && tmpl_check(q->arg, &off, &e) == -1) {
            spec_err(c, a, AT_VALUE, "cookie name: %s (at byte %zu)", e.msg, off + 1);
            return -1;
        }
    } else if (!a->valuestring[0]) {
        spec_err(c, a, AT_VALUE, "%s name must not be empty", k->valuestring);
        return -1;
    }
    return 2;
}

static int parse_assert(spec_ctx_t *c, const cJSON *arr, assertion_t *a) {
    a->loc = spec_loc(c, arr, AT_VALUE);
    if (spec_want(c, arr, cJSON_Array, "an assert") == -1) return -1;
    buf_t text;
    buf_init(&text, 4096);
    if (jl_print_spaced(arr, &text) == 0)
        a->text = arena_strdup(&c->set->arena, buf_cstr(&text));
    else
        a->text = "[...]";
    buf_free(&text);
    int used = parse_query(c, arr, &a->q, "an assert");
    if (used == -1) return -1;
    const cJSON *k = arr->child;
    for (int i = 0; i < used; i++) k = k->next;
    if (k && cJSON_IsString(k) && strcmp(k->valuestring, "not") == 0) {
        a->negate = true;
        k = k->next;
    }
    if (!k) {
        spec_err(c, arr, AT_VALUE,
                 "assert has no predicate (e.g. \"==\", \"exists\", \"isString\")");
        return -1;
    }
    if (spec_want(c, k, cJSON_String, "the predicate") == -1) return -1;
    if (pred_parse(k->valuestring, &a->pred) == -1) {
        spec_err(c, k, AT_VALUE, "unknown predicate \"%s\"", k->valuestring);
        return -1;
    }
    const cJSON *arg = k->next;
    if (pred_nargs(a->pred) == 0) {
        if (arg) {
            spec_err(c, arg, AT_VALUE, "predicate \"%s\" takes no argument", k->valuestring);
            return -1;
        }
        return 0;
    }
    if (!arg) {
        spec_err(c, k, AT_VALUE, "predicate \"%s\" needs one argument", k->valuestring);
        return -1;
    }
    if (arg->next) {
        spec_err(c, arg->next, AT_VALUE, "predicate \"%s\" takes one argument, this is a second",
                 k->valuestring);
        return -1;
    }
    a->arg = arg;
    if (spec_check_tree_tmpl(c, arg, "assert value") == -1) return -1;
    char one[TMPL_MAX_NAME + 1];
    a->arg_tmpl = tmpl_tree_has_refs(arg);
    bool single = cJSON_IsString(arg) && tmpl_single_ref(arg->valuestring, one);
    switch (a->pred) {
    case P_MATCHES:
    case P_STARTS_WITH:
    case P_ENDS_WITH:
        if (spec_want(c, arg, cJSON_String, "the argument") == -1) return -1;
        if (a->pred == P_MATCHES && !a->arg_tmpl && !(a->arg_re = compile_regex(c, arg, REG_NOSUB)))
            return -1;
        break;
    case P_COUNT:
        if (!single) {
            long n;
            if (spec_want_int(c, arg, 0, 2147483647L, "count", &n) == -1) return -1;
        }
        break;
    case P_LT:
    case P_LE:
    case P_GT:
    case P_GE:
        if (!cJSON_IsNumber(arg) && !cJSON_IsString(arg)) {
            spec_err(c, arg, AT_VALUE, "predicate \"%s\" needs a number or a string, got %s",
                     k->valuestring, spec_type_name(arg));
            return -1;
        }
        break;
    default: break;
    }
    return 0;
}

int spec_parse_status(spec_ctx_t *c, const cJSON *s, step_t *st) {
    int rc = 0;
    st->status_loc = spec_loc(c, s, AT_VALUE);
    int n = cJSON_IsArray(s) ? cJSON_GetArraySize(s) : 1;
    st->statuses = arena_alloc(&c->set->arena, (size_t)(n ? n : 1) * sizeof(int));
    if (!st->statuses) return -1;
    if (cJSON_IsArray(s) && n == 0) {
        spec_err(c, s, AT_VALUE, "expect.status list must not be empty");
        rc = -1;
    }
    const cJSON *one = cJSON_IsArray(s) ? s->child : s;
    for (; one; one = cJSON_IsArray(s) ? one->next : NULL) {
        long v;
        if (spec_want_int(c, one, 100, 599, "expect.status", &v) == -1)
            rc = -1;
        else
            st->statuses[st->nstatus++] = (int)v;
    }
    return rc;
}

int spec_parse_asserts(spec_ctx_t *c, const cJSON *as, step_t *st) {
    int rc = 0;
    if (spec_want(c, as, cJSON_Array, "expect.asserts") == -1) return -1;
    int n = cJSON_GetArraySize(as);
    st->asserts = arena_alloc(&c->set->arena, (size_t)(n ? n : 1) * sizeof(assertion_t));
    if (!st->asserts) return -1;
    for (const cJSON *a = as->child; a; a = a->next)
        if (parse_assert(c, a, &st->asserts[st->nasserts++]) == -1) rc = -1;
    return rc;
}

int spec_parse_expect(spec_ctx_t *c, const cJSON *e, step_t *st) {
    static const char *const keys[] = {"status", "asserts", NULL};
    if (spec_want(c, e, cJSON_Object, "expect") == -1) return -1;
    int rc = spec_check_keys(c, e, keys, "expect");
    const cJSON *s = spec_required(c, e, "status", "expect");
    if (!s || spec_parse_status(c, s, st) == -1) rc = -1;
    const cJSON *as = cJSON_GetObjectItemCaseSensitive(e, "asserts");
    if (as && spec_parse_asserts(c, as, st) == -1) rc = -1;
    return rc;
}

int spec_parse_captures(spec_ctx_t *c, const cJSON *caps, step_t *st) {
    if (spec_want(c, caps, cJSON_Object, "captures") == -1) return -1;
    int n = cJSON_GetArraySize(caps), rc = 0;
    st->captures = arena_alloc(&c->set->arena, (size_t)(n ? n : 1) * sizeof(capture_t));
    if (!st->captures) return -1;
    for (const cJSON *k = caps->child; k; k = k->next) {
        capture_t *cap = &st->captures[st->ncaptures];
        cap->loc = spec_loc(c, k, AT_KEY);
        size_t len = strlen(k->string);
        cap->append = str_ends_with(k->string, "[]");
        if (cap->append) len -= 2;
        cap->name = arena_strndup(&c->set->arena, k->string, len);
        if (!cap->name) return -1;
        err_t e;
        if (tmpl_has_refs(cap->name) ? tmpl_check(cap->name, NULL, &e) == -1
                                     : !spec_var_name_ok(cap->name)) {
            spec_err(c, k, AT_KEY, "capture name \"%s\" is not a variable name%s%s", k->string,
                     tmpl_has_refs(cap->name) ? ": " : "", tmpl_has_refs(cap->name) ? e.msg : "");
            rc = -1;
            continue;
        }
        if (spec_want(c, k, cJSON_Array, "a capture") == -1) {
            rc = -1;
            continue;
        }
        int used = parse_query(c, k, &cap->q, "a capture");
        if (used == -1) {
            rc = -1;
            continue;
        }
        if (cap->q.kind == Q_VARIABLE) {
            spec_err(c, k->child, AT_VALUE, "a capture of a variable is the variable: use it");
            rc = -1;
            continue;
        }
        const cJSON *extra = k->child;
        for (int i = 0; i < used; i++) extra = extra->next;
        if (extra) {
            spec_err(c, extra, AT_VALUE, "a capture is only a query: no predicate or extra value");
            rc = -1;
            continue;
        }
        st->ncaptures++;
    }
    return rc;
}
