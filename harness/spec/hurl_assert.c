/* hurl_assert: the response's header lines, [Captures] and [Asserts] of Hurl entries, written as
 * the spec model's asserts: [QUERY, ARG?, [FILTER]..., "not"?, PREDICATE, VALUE?]. See
 * hurl_int.h. Query and predicate names that Hurl and parity share keep their name; Hurl's
 * `includes` is parity's `contains` (which also tests list membership). */
#include <string.h>

#include "hurl_int.h"

typedef struct hurl_name {
    const char *hurl, *spec;
} hurl_name_t;

/* queries taking a quoted argument, then those taking none */
static const hurl_name_t queries_arg[] = {{"header", "header"},     {"cookie", "cookie"},
                                          {"jsonpath", "jsonpath"}, {"xpath", "xpath"},
                                          {"regex", "regex"},       {"variable", "variable"}};
static const hurl_name_t queries_bare[] = {{"status", "status"},
                                           {"body", "body"},
                                           {"duration", "duration"},
                                           {"url", "url"},
                                           {"redirects", "redirects"}};
static const char *const queries_unsupported[] = {"version", "ip",  "bytes",
                                                  "sha256",  "md5", "certificate"};

static const hurl_name_t predicates[] = {
    {"==", "=="},
    {"!=", "!="},
    {">", ">"},
    {">=", ">="},
    {"<", "<"},
    {"<=", "<="},
    {"contains", "contains"},
    {"includes", "contains"},
    {"startsWith", "startsWith"},
    {"endsWith", "endsWith"},
    {"matches", "matches"},
    {"exists", "exists"},
    {"isString", "isString"},
    {"isInteger", "isInteger"},
    {"isFloat", "isFloat"},
    {"isNumber", "isNumber"},
    {"isBoolean", "isBoolean"},
    {"isList", "isList"},
    {"isCollection", "isCollection"},
    {"isObject", "isObject"},
    {"isEmpty", "isEmpty"},
    {"isIsoDate", "isIsoDate"},
};

static const char *const filters_unsupported[] = {"regex",
                                                  "split",
                                                  "replace",
                                                  "toInt",
                                                  "toFloat",
                                                  "toDate",
                                                  "toString",
                                                  "urlEncode",
                                                  "urlDecode",
                                                  "htmlEscape",
                                                  "htmlUnescape",
                                                  "format",
                                                  "decode",
                                                  "base64Decode",
                                                  "base64Encode",
                                                  "base64UrlSafeDecode",
                                                  "base64UrlSafeEncode",
                                                  "location",
                                                  "jsonpath",
                                                  "xpath",
                                                  "utf8Decode",
                                                  "utf8Encode",
                                                  "daysAfterNow",
                                                  "daysBeforeNow",
                                                  "dateFormat",
                                                  "toHex",
                                                  "charsetDecode",
                                                  "replaceRegex",
                                                  "urlQueryParam"};

static const char *lookup(const hurl_name_t *t, size_t n, const char *w) {
    for (size_t i = 0; i < n; i++)
        if (strcmp(t[i].hurl, w) == 0) return t[i].spec;
    return NULL;
}

static bool in_list(const char *const *t, size_t n, const char *w) {
    for (size_t i = 0; i < n; i++)
        if (strcmp(t[i], w) == 0) return true;
    return false;
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static int push_str(hl_t *h, cJSON *arr, const char *s, jl_loc_t at) {
    return hl_add(h, arr, NULL, cJSON_CreateString(s), at) ? 0 : -1;
}

/* A Hurl regex (quoted or /.../) made POSIX ERE. */
static int regex_arg(hl_t *h, cJSON *arr, jl_loc_t at) {
    cJSON *lit = hl_literal(h, true);
    if (!lit) return -1;
    int rc = -1;
    if (!cJSON_IsString(lit)) {
        hl_err(h, at, "a regex must be a \"string\" or /regex/");
    } else {
        buf_t ere;
        buf_init(&ere, HL_MAX_VALUE);
        char bad[8];
        if (hl_regex_to_ere(lit->valuestring, &ere, bad, sizeof bad) == -1)
            hl_err(h, at, "regex escape %s has no POSIX equivalent: not supported", bad);
        else
            rc = push_str(h, arr, buf_cstr(&ere), at);
        buf_free(&ere);
    }
    cJSON_Delete(lit);
    return rc;
}

/* The query and its argument. */
static int query(hl_t *h, cJSON *arr) {
    jl_loc_t at = hl_loc(h);
    buf_t w;
    buf_init(&w, 64);
    hl_word(h, &w);
    const char *name = buf_cstr(&w), *spec;
    int rc = 0;
    if ((spec = lookup(queries_bare, COUNT(queries_bare), name))) {
        rc = push_str(h, arr, spec, at);
    } else if ((spec = lookup(queries_arg, COUNT(queries_arg), name))) {
        rc = push_str(h, arr, spec, at);
        hl_skip_spaces(h);
        jl_loc_t arg_at = hl_loc(h);
        if (rc == 0 && strcmp(spec, "regex") == 0) {
            rc = regex_arg(h, arr, arg_at);
        } else if (rc == 0) {
            buf_t arg;
            buf_init(&arg, HL_MAX_VALUE);
            if (hl_peek(h, 0) != '"')
                rc = hl_err(h, arg_at, "query %s needs a \"quoted\" argument", name);
            else if ((rc = hl_quoted(h, &arg)) == 0)
                rc = push_str(h, arr, buf_cstr(&arg), arg_at);
            buf_free(&arg);
        }
    } else if (in_list(queries_unsupported, COUNT(queries_unsupported), name)) {
        rc = hl_err(h, at, "query %s is not supported by parity", name);
    } else {
        rc = hl_err(h, at,
                    "expected a query (status, header, cookie, body, jsonpath, xpath, "
                    "regex, variable, duration, url, redirects), got \"%s\"",
                    name);
    }
    buf_free(&w);
    return rc;
}

/* Hurl's `redirects` is the list of hops; parity's is their number. `redirects count` is
 * therefore parity's `redirects` (the count filter is consumed); anything else on it is refused
 * rather than read differently. */
static int redirects_count(hl_t *h, cJSON *arr) {
    const cJSON *q = arr->child;
    if (!q || !cJSON_IsString(q) || strcmp(q->valuestring, "redirects") != 0) return 0;
    hl_skip_spaces(h);
    jl_loc_t at = hl_loc(h);
    buf_t w;
    buf_init(&w, 64);
    hl_word(h, &w);
    int rc = strcmp(buf_cstr(&w), "count") == 0
                 ? 0
                 : hl_err(h, at,
                          "redirects: parity has the number of hops, not the list: write "
                          "\"redirects count\"");
    buf_free(&w);
    return rc;
}

/* Filters after the query: count, nth N, first, last. Stops (without consuming) at a word that
 * is no filter. */
static int filters(hl_t *h, cJSON *arr) {
    if (redirects_count(h, arr) == -1) return -1;
    for (;;) {
        hl_skip_spaces(h);
        jl_loc_t at = hl_loc(h);
        size_t save = h->pos;
        unsigned line = h->line, col = h->col;
        buf_t w;
        buf_init(&w, 64);
        hl_word(h, &w);
        const char *f = buf_cstr(&w);
        int rc = 1;
        if (strcmp(f, "count") == 0 || strcmp(f, "first") == 0 || strcmp(f, "last") == 0) {
            cJSON *fl = hl_add(h, arr, NULL, cJSON_CreateArray(), at);
            rc = fl ? push_str(h, fl, f, at) : -1;
        } else if (strcmp(f, "nth") == 0) {
            hl_skip_spaces(h);
            jl_loc_t n_at = hl_loc(h);
            cJSON *n = hl_literal(h, false);
            cJSON *fl = n ? hl_add(h, arr, NULL, cJSON_CreateArray(), at) : NULL;
            if (n && !cJSON_IsNumber(n)) {
                cJSON_Delete(n);
                rc = hl_err(h, n_at, "nth needs an integer");
            } else {
                rc = fl && push_str(h, fl, "nth", at) == 0 && hl_add(h, fl, NULL, n, n_at) ? 0 : -1;
                if (!fl) cJSON_Delete(n);
            }
        } else if (in_list(filters_unsupported, COUNT(filters_unsupported), f)) {
            rc = hl_err(h, at, "filter %s is not supported by parity (count, nth, first, last)", f);
        }
        buf_free(&w);
        if (rc == -1) return -1;
        if (rc == 1) { /* not a filter: the predicate starts here */
            h->pos = save, h->line = line, h->col = col;
            return 0;
        }
    }
}

static void predicate_word(hl_t *h, buf_t *w) {
    if (strchr("=!<>", hl_peek(h, 0))) {
        while (hl_peek(h, 0) && strchr("=!<>", hl_peek(h, 0)))
            buf_addc(w, hl_peek(h, 0)), hl_advance(h, 1);
    } else {
        hl_word(h, w);
    }
}

static int predicate(hl_t *h, cJSON *arr) {
    hl_skip_spaces(h);
    jl_loc_t at = hl_loc(h);
    buf_t w;
    buf_init(&w, 64);
    predicate_word(h, &w);
    int rc = 0;
    if (strcmp(buf_cstr(&w), "not") == 0) {
        rc = push_str(h, arr, "not", at);
        buf_reset(&w);
        hl_skip_spaces(h);
        at = hl_loc(h);
        predicate_word(h, &w);
    }
    const char *spec = rc == 0 ? lookup(predicates, COUNT(predicates), buf_cstr(&w)) : NULL;
    if (rc == 0 && !spec)
        rc = hl_err(h, at, "%s \"%s\"",
                    w.len ? "predicate not supported by parity:" : "expected a predicate",
                    buf_cstr(&w));
    if (rc == 0) rc = push_str(h, arr, spec, at);
    bool takes_value = rc == 0 && !str_starts_with(spec, "is") && strcmp(spec, "exists") != 0;
    if (takes_value) {
        hl_skip_spaces(h);
        jl_loc_t v_at = hl_loc(h);
        if (strcmp(spec, "matches") == 0) {
            rc = regex_arg(h, arr, v_at);
        } else {
            cJSON *v = hl_literal(h, false);
            rc = v && hl_add(h, arr, NULL, v, v_at) ? 0 : -1;
        }
    }
    buf_free(&w);
    return rc;
}

int ha_header_assert(hl_t *h, cJSON *asserts) {
    jl_loc_t at = hl_loc(h);
    buf_t k, v;
    buf_init(&k, HL_MAX_VALUE);
    buf_init(&v, HL_MAX_VALUE);
    int rc = -1;
    if (hl_key(h, &k) == 0 && hl_value(h, &v) == 0 && hl_end_line(h) == 0) {
        /* Hurl: one of the header's values equals it */
        cJSON *a = hl_add(h, asserts, NULL, cJSON_CreateArray(), at);
        if (a && push_str(h, a, "headers", at) == 0 && push_str(h, a, buf_cstr(&k), at) == 0 &&
            push_str(h, a, "contains", at) == 0 && push_str(h, a, buf_cstr(&v), at) == 0)
            rc = 0;
    }
    buf_free(&k);
    buf_free(&v);
    return rc;
}

int ha_capture_line(hl_t *h, cJSON *captures) {
    if (!captures) return -1;
    jl_loc_t at = hl_loc(h);
    buf_t k;
    buf_init(&k, HL_MAX_VALUE);
    int rc = hl_key(h, &k);
    cJSON *q = NULL;
    if (rc == 0) {
        q = cJSON_CreateArray();
        hl_mark(h, q, at);
        cJSON_AddItemToObject(captures, buf_cstr(&k), q);
        hl_skip_spaces(h);
        rc = q ? query(h, q) : hl_err(h, at, "out of memory");
    }
    if (rc == 0) rc = filters(h, q);
    if (rc == 0) rc = hl_end_line(h);
    buf_free(&k);
    return rc;
}

int ha_assert_line(hl_t *h, cJSON *asserts) {
    jl_loc_t at = hl_loc(h);
    cJSON *a = hl_add(h, asserts, NULL, cJSON_CreateArray(), at);
    if (!a || query(h, a) == -1 || filters(h, a) == -1 || predicate(h, a) == -1) return -1;
    return hl_end_line(h);
}
