/* hurl: the grammar of Hurl entries, building a suite document for spec_load_doc. See hurl.h.
 *
 * A file is a list of entries; an entry is a request (method and URL line, headers, sections,
 * body) and an optional response (HTTP line, headers, sections, body). The reader keeps to the
 * grammar of hurl.dev's file format but reads it line by line: every construct it knows starts at
 * the beginning of a line, which is also how Hurl files are written in practice. */
#include "hurl.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/b64.h"
#include "hurl_int.h"

typedef enum sec {
    SEC_NONE,
    SEC_QUERY,
    SEC_FORM,
    SEC_MULTIPART,
    SEC_COOKIES,
    SEC_BASICAUTH,
    SEC_OPTIONS,
    SEC_CAPTURES,
    SEC_ASSERTS,
} sec_t;

static const struct {
    const char *name;
    sec_t sec;
    bool response; /* a section of the response part */
} sections[] = {
    {"QueryStringParams", SEC_QUERY, false},
    {"Query", SEC_QUERY, false},
    {"FormParams", SEC_FORM, false},
    {"Form", SEC_FORM, false},
    {"MultipartFormData", SEC_MULTIPART, false},
    {"Multipart", SEC_MULTIPART, false},
    {"Cookies", SEC_COOKIES, false},
    {"BasicAuth", SEC_BASICAUTH, false},
    {"Options", SEC_OPTIONS, false},
    {"Captures", SEC_CAPTURES, true},
    {"Asserts", SEC_ASSERTS, true},
};

/* The entry being read: the step object and the parts filled as sections come. */
typedef struct entry {
    cJSON *step, *request, *headers, *query, *form, *asserts, *captures;
    hb_multipart_t multipart;
    buf_t cookies;
    long retry, retry_interval;
    bool has_body;
} entry_t;

typedef struct reader {
    hl_t h;
    cJSON *vars; /* the suite's variables (owned by the document) */
} reader_t;

/* ---- small builders -------------------------------------------------------------------------- */

static cJSON *object_in(hl_t *h, cJSON **slot, cJSON *parent, const char *key, jl_loc_t at) {
    if (!*slot) *slot = hl_add(h, parent, key, cJSON_CreateObject(), at);
    return *slot;
}

/* ---- request line ---------------------------------------------------------------------------- */

static bool upper_word_then_space(const hl_t *h) {
    size_t i = 0;
    while (hl_peek(h, i) >= 'A' && hl_peek(h, i) <= 'Z') i++;
    return i > 0 && (hl_peek(h, i) == ' ' || hl_peek(h, i) == '\t');
}

/* "{{host}}/api/x?y" or "http://localhost:3000/api/x" -> "/api/x?y": parity sends every request
 * to the target under test, so the file's own host is replaced by it. */
static int url_to_path(hl_t *h, const char *url, jl_loc_t at, buf_t *path) {
    const char *p = url;
    if (str_starts_with(p, "{{")) {
        const char *end = strstr(p, "}}");
        size_t n = end ? (size_t)(end - p - 2) : 0;
        const char *name = p + 2;
        while (n && *name == ' ') name++, n--;
        while (n && name[n - 1] == ' ') n--;
        if (!end || n != 4 || memcmp(name, "host", 4) != 0)
            return hl_err(h, at,
                          "the URL must start with {{host}} or http(s)://: parity sends it to "
                          "each target (got \"%s\")",
                          url);
        p = end + 2;
    } else if (str_starts_with(p, "http://") || str_starts_with(p, "https://")) {
        p = strchr(p, ':') + 3;
        p += strcspn(p, "/?");
    } else {
        return hl_err(h, at, "the URL must start with {{host}} or http(s)://, got \"%s\"", url);
    }
    if (*p == '?' || !*p) buf_addc(path, '/');
    return buf_adds(path, p) == -1 ? hl_err(h, at, "URL too long") : 0;
}

static int request_line(reader_t *r, entry_t *e, size_t index) {
    hl_t *h = &r->h;
    jl_loc_t at = hl_loc(h);
    buf_t method, url, path, name;
    buf_init(&method, 32);
    buf_init(&url, HL_MAX_VALUE);
    buf_init(&path, HL_MAX_VALUE);
    buf_init(&name, HL_MAX_VALUE + 64);
    int rc = -1;
    if (!upper_word_then_space(h)) {
        hl_err(h, at, "expected a request line (METHOD URL), got \"%.*s\"",
               (int)(hl_line_len(h) > 60 ? 60 : hl_line_len(h)), h->s + h->pos);
        goto out;
    }
    hl_word(h, &method);
    hl_skip_spaces(h);
    jl_loc_t url_at = hl_loc(h);
    if (hl_value(h, &url) == -1 || hl_end_line(h) == -1) goto out;
    if (url_to_path(h, buf_cstr(&url), url_at, &path) == -1) goto out;
    buf_printf(&name, "%s %s (entry %zu)", buf_cstr(&method), buf_cstr(&url), index);
    e->step = cJSON_CreateObject();
    hl_mark(h, e->step, at);
    hl_add(h, e->step, "name", cJSON_CreateString(buf_cstr(&name)), at);
    e->request = hl_add(h, e->step, "request", cJSON_CreateObject(), at);
    if (e->request) {
        hl_add(h, e->request, "method", cJSON_CreateString(buf_cstr(&method)), at);
        hl_add(h, e->request, "path", cJSON_CreateString(buf_cstr(&path)), url_at);
    }
    rc = h->failed ? -1 : 0;
out:
    buf_free(&method);
    buf_free(&url);
    buf_free(&path);
    buf_free(&name);
    return rc;
}

/* ---- sections -------------------------------------------------------------------------------- */

/* "[Name]" alone on its line (a JSON array body starts with '[' too, but never like this). */
static int section_header(hl_t *h, sec_t *out, bool *response) {
    size_t n = hl_line_len(h), i = 1;
    const char *s = h->s + h->pos;
    if (n < 3 || s[0] != '[') return 0;
    while (i < n && ((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z'))) i++;
    if (i == 1 || i >= n || s[i] != ']') return 0;
    size_t j = i + 1;
    while (j < n && (s[j] == ' ' || s[j] == '\t')) j++;
    if (j < n && s[j] != '#') return 0;
    for (size_t k = 0; k < sizeof(sections) / sizeof(sections[0]); k++) {
        if (strlen(sections[k].name) == i - 1 && memcmp(sections[k].name, s + 1, i - 1) == 0) {
            *out = sections[k].sec;
            *response = sections[k].response;
            hl_advance(h, i + 1);
            return hl_end_line(h) == -1 ? -1 : 1;
        }
    }
    return hl_err(h, hl_loc(h),
                  "section [%.*s] is not supported by parity (supported: [QueryStringParams], "
                  "[FormParams], [MultipartFormData], [Cookies], [BasicAuth], [Options], "
                  "[Captures], [Asserts])",
                  (int)(i - 1), s + 1);
}

/* "key: value" into obj (headers, query, form). */
static int key_value(hl_t *h, cJSON *obj, bool quoted_values) {
    (void)quoted_values;
    buf_t k, v;
    buf_init(&k, HL_MAX_VALUE);
    buf_init(&v, HL_MAX_VALUE);
    jl_loc_t at = hl_loc(h);
    int rc = -1;
    if (hl_key(h, &k) == 0 && hl_value(h, &v) == 0 && hl_end_line(h) == 0) {
        cJSON *node = cJSON_CreateString(buf_cstr(&v));
        if (node) {
            hl_mark(h, node, at);
            cJSON_AddItemToObject(obj, buf_cstr(&k), node);
            rc = 0;
        }
    }
    buf_free(&k);
    buf_free(&v);
    return rc;
}

static int cookie_line(hl_t *h, entry_t *e) {
    buf_t k, v;
    buf_init(&k, HL_MAX_VALUE);
    buf_init(&v, HL_MAX_VALUE);
    int rc = -1;
    if (hl_key(h, &k) == 0 && hl_value(h, &v) == 0 && hl_end_line(h) == 0)
        rc = buf_printf(&e->cookies, "%s%s=%s", e->cookies.len ? "; " : "", buf_cstr(&k),
                        buf_cstr(&v));
    buf_free(&k);
    buf_free(&v);
    return rc;
}

static int basic_auth_line(hl_t *h, entry_t *e, jl_loc_t sec_at) {
    buf_t k, v, cred, hdr;
    buf_init(&k, HL_MAX_VALUE);
    buf_init(&v, HL_MAX_VALUE);
    buf_init(&cred, 2 * HL_MAX_VALUE);
    buf_init(&hdr, 3 * HL_MAX_VALUE);
    jl_loc_t at = hl_loc(h);
    int rc = -1;
    if (hl_key(h, &k) == 0 && hl_value(h, &v) == 0 && hl_end_line(h) == 0 &&
        buf_printf(&cred, "%s:%s", buf_cstr(&k), buf_cstr(&v)) == 0 &&
        buf_adds(&hdr, "Basic ") == 0 && b64_encode(&hdr, cred.ptr, cred.len, false) == 0) {
        cJSON *hs = object_in(h, &e->headers, e->request, "headers", sec_at);
        if (hs)
            rc = hl_add(h, hs, "Authorization", cJSON_CreateString(buf_cstr(&hdr)), at) ? 0 : -1;
    }
    buf_free(&k);
    buf_free(&v);
    buf_free(&cred);
    buf_free(&hdr);
    return rc;
}

/* A duration option: an integer of milliseconds, "ms" or "s" allowed. */
static int duration_ms(hl_t *h, const char *v, jl_loc_t at, long *out) {
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (end == v || errno || n < 0) return hl_err(h, at, "expected a duration, got \"%s\"", v);
    if (strcmp(end, "s") == 0 && n <= 600)
        n *= 1000;
    else if (*end && strcmp(end, "ms") != 0)
        return hl_err(h, at, "expected a duration (N, Nms or Ns), got \"%s\"", v);
    if (n > 600000) return hl_err(h, at, "duration %s is over 600 s", v);
    *out = n;
    return 0;
}

static int variable_option(reader_t *r, const char *v, jl_loc_t at) {
    hl_t *h = &r->h;
    const char *eq = strchr(v, '=');
    if (!eq || eq == v) return hl_err(h, at, "variable option must be NAME=VALUE, got \"%s\"", v);
    char *name = str_ndup(v, (size_t)(eq - v));
    if (!name) return hl_err(h, at, "out of memory");
    const cJSON *old = cJSON_GetObjectItemCaseSensitive(r->vars, name);
    int rc = 0;
    /* parity's variables are set once per suite, before its first step: a second, different
     * value cannot be honoured at the right moment, so it is refused rather than misapplied. */
    if (old && !(cJSON_IsString(old) && strcmp(old->valuestring, eq + 1) == 0))
        rc = hl_err(h, at, "variable \"%s\" is set twice with different values: not supported",
                    name);
    else if (!old)
        rc = hl_add(h, r->vars, name, cJSON_CreateString(eq + 1), at) ? 0 : -1;
    free(name);
    return rc;
}

static int option_line(reader_t *r, entry_t *e) {
    hl_t *h = &r->h;
    buf_t k, v;
    buf_init(&k, HL_MAX_VALUE);
    buf_init(&v, HL_MAX_VALUE);
    jl_loc_t at = hl_loc(h);
    int rc = -1;
    if (hl_key(h, &k) == -1 || hl_value(h, &v) == -1 || hl_end_line(h) == -1) goto out;
    const char *key = buf_cstr(&k), *val = buf_cstr(&v);
    long n;
    if (strcmp(key, "retry") == 0) {
        if (str_to_long(val, 0, 100, &n) == -1)
            hl_err(h, at, "retry must be 0 to 100 (parity bounds every step), got \"%s\"", val);
        else
            e->retry = n, rc = 0;
    } else if (strcmp(key, "retry-interval") == 0) {
        if (duration_ms(h, val, at, &n) == 0) e->retry_interval = n, rc = 0;
    } else if (strcmp(key, "delay") == 0) {
        if (duration_ms(h, val, at, &n) == 0)
            rc = hl_add(h, e->step, "delay", jl_create_integer(n), at) ? 0 : -1;
    } else if (strcmp(key, "location") == 0) {
        /* Hurl's --location: follow redirects (parity: request.follow, 10 hops by default) */
        if (strcmp(val, "true") == 0)
            rc = hl_add(h, e->request, "follow", cJSON_CreateTrue(), at) ? 0 : -1;
        else if (strcmp(val, "false") == 0)
            rc = 0;
        else
            hl_err(h, at, "location must be true or false, got \"%s\"", val);
    } else if (strcmp(key, "max-redirs") == 0) {
        if (str_to_long(val, 0, SPEC_MAX_REDIRECTS_CAP, &n) == -1)
            hl_err(h, at, "max-redirs must be 0 to %d (parity bounds every step), got \"%s\"",
                   SPEC_MAX_REDIRECTS_CAP, val);
        else
            rc = hl_add(h, e->request, "max_redirects", jl_create_integer(n), at) ? 0 : -1;
    } else if (strcmp(key, "variable") == 0) {
        rc = variable_option(r, val, at);
    } else if (strcmp(key, "skip") == 0) {
        if (strcmp(val, "true") == 0) {
            cJSON *sk = hl_add(h, e->step, "skip", cJSON_CreateObject(), at);
            rc = sk && hl_add(h, sk, "*", cJSON_CreateString("skip: true in the Hurl file"), at)
                     ? 0
                     : -1;
        } else if (strcmp(val, "false") == 0) {
            rc = 0;
        } else {
            hl_err(h, at, "skip must be true or false, got \"%s\"", val);
        }
    } else {
        hl_err(h, at,
               "option \"%s\" is not supported by parity (supported: retry, retry-interval, "
               "delay, location, max-redirs, variable, skip)",
               key);
    }
out:
    buf_free(&k);
    buf_free(&v);
    return rc;
}

static int request_section_line(reader_t *r, entry_t *e, sec_t sec, jl_loc_t sec_at) {
    hl_t *h = &r->h;
    switch (sec) {
    case SEC_QUERY:
        if (!object_in(h, &e->query, e->request, "query", sec_at)) return -1;
        return key_value(h, e->query, true);
    case SEC_FORM:
        if (!object_in(h, &e->form, e->request, "form", sec_at)) return -1;
        return key_value(h, e->form, true);
    case SEC_MULTIPART: return hb_multipart_line(h, &e->multipart);
    case SEC_COOKIES: return cookie_line(h, e);
    case SEC_BASICAUTH: return basic_auth_line(h, e, sec_at);
    case SEC_OPTIONS: return option_line(r, e);
    default: return hl_err(h, hl_loc(h), "a response section before the HTTP line");
    }
}

/* ---- an entry -------------------------------------------------------------------------------- */

static bool at_response(const hl_t *h) {
    return hl_at_word(h, "HTTP") || hl_at_word(h, "HTTP/1.0") || hl_at_word(h, "HTTP/1.1") ||
           hl_at_word(h, "HTTP/2");
}

static int finish_request(hl_t *h, entry_t *e, jl_loc_t at) {
    if (e->cookies.len) {
        if (!object_in(h, &e->headers, e->request, "headers", at)) return -1;
        if (!hl_add(h, e->headers, "Cookie", cJSON_CreateString(buf_cstr(&e->cookies)), at))
            return -1;
    }
    if (e->multipart.n) {
        if (e->has_body || e->form)
            return hl_err(h, at, "[MultipartFormData] with another body: choose one");
        if (hb_multipart_build(h, &e->multipart, e->request, &e->headers, at) == -1) return -1;
        e->has_body = true;
    }
    if (e->form && e->has_body) return hl_err(h, at, "[FormParams] with a body: choose one");
    if (e->retry >= 0) {
        cJSON *rt = hl_add(h, e->step, "retry", cJSON_CreateObject(), at);
        if (!rt || !hl_add(h, rt, "count", jl_create_integer(e->retry), at) ||
            !hl_add(h, rt, "interval", jl_create_integer(e->retry_interval), at))
            return -1;
    }
    return 0;
}

static int request_part(reader_t *r, entry_t *e) {
    hl_t *h = &r->h;
    sec_t sec = SEC_NONE;
    jl_loc_t sec_at = hl_loc(h), start = hl_loc(h);
    for (;;) {
        hl_skip_blank(h);
        if (hl_eof(h) || at_response(h) || upper_word_then_space(h)) break;
        bool response = false;
        int is_sec = section_header(h, &sec, &response);
        if (is_sec == -1) return -1;
        if (is_sec) {
            if (response) return hl_err(h, sec_at, "a response section before the HTTP line");
            sec_at = hl_loc(h);
            continue;
        }
        if (hb_is_body_start(h)) {
            if (e->has_body) return hl_err(h, hl_loc(h), "a second body in one request");
            if (hb_request_body(h, e->request, &e->headers) == -1) return -1;
            e->has_body = true;
            continue;
        }
        if (e->has_body) return hl_err(h, hl_loc(h), "unexpected line after the request body");
        int rc = sec == SEC_NONE
                     ? key_value(h, object_in(h, &e->headers, e->request, "headers", start), false)
                     : request_section_line(r, e, sec, sec_at);
        if (rc == -1) return -1;
    }
    return finish_request(h, e, start);
}

static int status_line(hl_t *h, cJSON *expect) {
    jl_loc_t at = hl_loc(h);
    while (!hl_eol(h) && hl_peek(h, 0) != ' ' && hl_peek(h, 0) != '\t') hl_advance(h, 1);
    hl_skip_spaces(h);
    jl_loc_t st_at = hl_loc(h);
    cJSON *status;
    if (hl_peek(h, 0) == '*') {
        /* any status: the list of every valid one (a status outside it is a transport error) */
        hl_advance(h, 1);
        status = cJSON_CreateArray();
        for (int s = 100; status && s <= 599; s++)
            if (!hl_add(h, status, NULL, jl_create_integer(s), st_at)) return -1;
    } else {
        buf_t b;
        buf_init(&b, 16);
        hl_word(h, &b);
        long n;
        int ok = str_to_long(buf_cstr(&b), 100, 599, &n);
        buf_free(&b);
        if (ok == -1) return hl_err(h, st_at, "expected a status (100 to 599, or *) after HTTP");
        status = jl_create_integer(n);
    }
    if (!hl_add(h, expect, "status", status, st_at)) return -1;
    (void)at;
    return hl_end_line(h);
}

static int response_part(reader_t *r, entry_t *e) {
    hl_t *h = &r->h;
    jl_loc_t at = hl_loc(h);
    cJSON *expect = hl_add(h, e->step, "expect", cJSON_CreateObject(), at);
    if (!expect || status_line(h, expect) == -1) return -1;
    sec_t sec = SEC_NONE;
    bool has_body = false;
    for (;;) {
        hl_skip_blank(h);
        if (hl_eof(h) || upper_word_then_space(h)) break;
        bool response = false;
        int is_sec = section_header(h, &sec, &response);
        if (is_sec == -1) return -1;
        if (is_sec) {
            if (!response) return hl_err(h, hl_loc(h), "a request section after the HTTP line");
            continue;
        }
        jl_loc_t line_at = hl_loc(h);
        if (!e->asserts && !(e->asserts = hl_add(h, expect, "asserts", cJSON_CreateArray(), at)))
            return -1;
        if (hb_is_body_start(h)) {
            if (has_body) return hl_err(h, line_at, "a second response body");
            if (hb_response_body(h, e->asserts) == -1) return -1;
            has_body = true;
            continue;
        }
        int rc;
        if (sec == SEC_NONE)
            rc = ha_header_assert(h, e->asserts);
        else if (sec == SEC_CAPTURES)
            rc = ha_capture_line(h, object_in(h, &e->captures, e->step, "captures", line_at));
        else
            rc = ha_assert_line(h, e->asserts);
        if (rc == -1) return -1;
    }
    return 0;
}

static int entry(reader_t *r, cJSON *steps, size_t index) {
    hl_t *h = &r->h;
    entry_t e = {.retry = -1};
    buf_init(&e.cookies, HL_MAX_VALUE);
    jl_loc_t at = hl_loc(h);
    int rc = request_line(r, &e, index);
    if (rc == 0) rc = request_part(r, &e);
    if (rc == 0 && at_response(h)) rc = response_part(r, &e);
    if (rc == 0 && !cJSON_GetObjectItemCaseSensitive(e.step, "expect")) {
        /* no response part: Hurl checks nothing; parity's steps need a status, so any */
        cJSON *expect = hl_add(h, e.step, "expect", cJSON_CreateObject(), at);
        cJSON *st = expect ? hl_add(h, expect, "status", cJSON_CreateArray(), at) : NULL;
        for (int s = 100; st && s <= 599; s++) hl_add(h, st, NULL, jl_create_integer(s), at);
    }
    if (e.step) cJSON_AddItemToArray(steps, e.step);
    hb_multipart_free(&e.multipart);
    buf_free(&e.cookies);
    return rc == -1 || h->failed ? -1 : 0;
}

/* ---- files ------------------------------------------------------------------------------------
 */

static int suite_name(const char *path, buf_t *out) {
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t n = strlen(base);
    if (str_ends_with(base, ".hurl")) n -= 5;
    for (size_t i = 0; i < n; i++) {
        char c = base[i];
        if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) c = '-';
        if (buf_addc(out, c) == -1) return -1;
    }
    return out->len ? 0 : buf_adds(out, "hurl");
}

static cJSON *build_doc(reader_t *r, const char *file, const cJSON *variables) {
    hl_t *h = &r->h;
    jl_loc_t top = {1, 1};
    cJSON *root = hl_mark(h, cJSON_CreateObject(), top);
    buf_t name, desc;
    buf_init(&name, 256);
    buf_init(&desc, 4096);
    suite_name(file, &name);
    buf_printf(&desc, "Hurl file %s", file);
    hl_add(h, root, "suite", cJSON_CreateString(buf_cstr(&name)), top);
    hl_add(h, root, "description", cJSON_CreateString(buf_cstr(&desc)), top);
    buf_free(&name);
    buf_free(&desc);
    r->vars = hl_add(h, root, "variables", cJSON_CreateObject(), top);
    bool host_given = false;
    for (const cJSON *v = variables ? variables->child : NULL; r->vars && v; v = v->next) {
        hl_add(h, r->vars, v->string, cJSON_Duplicate(v, true), top);
        host_given |= strcmp(v->string, "host") == 0;
    }
    if (r->vars && !host_given) hl_add(h, r->vars, "host", cJSON_CreateString("{{url}}"), top);
    cJSON *steps = hl_add(h, root, "steps", cJSON_CreateArray(), top);
    size_t index = 0;
    hl_skip_blank(h);
    while (steps && !h->failed && !hl_eof(h)) {
        if (++index > HURL_MAX_ENTRIES) {
            hl_err(h, hl_loc(h), "more than %d entries", HURL_MAX_ENTRIES);
            break;
        }
        if (entry(r, steps, index) == -1) break;
        hl_skip_blank(h);
    }
    if (!h->failed) return root;
    cJSON_Delete(root);
    return NULL;
}

int hurl_load_buffer(spec_set_t *s, const char *file, const char *text, size_t len,
                     const cJSON *variables) {
    reader_t r = {
        .h = {.file = file, .s = text, .len = len, .line = 1, .col = 1, .errors = &s->errors}};
    if (!(r.h.map = jl_map_new())) return -1;
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) r.h.pos = 3; /* a BOM */
    if (!str_utf8_valid(text, len)) {
        hl_err(&r.h, (jl_loc_t){1, 1}, "the file is not valid UTF-8");
        s->nerrors++;
        jl_map_free(r.h.map);
        return -1;
    }
    cJSON *root = build_doc(&r, file, variables);
    if (!root) {
        s->nerrors++;
        jl_map_free(r.h.map);
        return -1;
    }
    return spec_load_doc(s, file, root, r.h.map);
}

int hurl_load_file(spec_set_t *s, const char *path, const cJSON *variables) {
    buf_t b;
    buf_init(&b, HURL_MAX_FILE);
    err_t e;
    if (buf_read_file(&b, path, &e) == -1) {
        buf_printf(&s->errors, "%s\n", e.msg);
        s->nerrors++;
        buf_free(&b);
        return -1;
    }
    int rc = hurl_load_buffer(s, path, buf_cstr(&b), b.len, variables);
    buf_free(&b);
    return rc;
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int load_dir(spec_set_t *s, const char *dir, const cJSON *variables) {
    DIR *d = opendir(dir);
    if (!d) {
        buf_printf(&s->errors, "%s: cannot open directory: %s\n", dir, strerror(errno));
        s->nerrors++;
        return -1;
    }
    char *names[HURL_MAX_DIR_FILES];
    size_t n = 0;
    int rc = 0;
    for (struct dirent *de; (de = readdir(d));) {
        if (de->d_name[0] == '.' || !str_ends_with(de->d_name, ".hurl")) continue;
        if (n == HURL_MAX_DIR_FILES) {
            buf_printf(&s->errors, "%s: more than %d .hurl files\n", dir, HURL_MAX_DIR_FILES);
            s->nerrors++;
            rc = -1;
            break;
        }
        buf_t p;
        buf_init(&p, 4096);
        if (buf_printf(&p, "%s/%s", dir, de->d_name) == -1) rc = -1;
        names[n++] = buf_detach(&p);
    }
    closedir(d);
    qsort(names, n, sizeof(char *), cmp_str);
    for (size_t i = 0; i < n; i++) {
        if (names[i] && hurl_load_file(s, names[i], variables) == -1) rc = -1;
        free(names[i]);
    }
    if (rc == 0 && n == 0) {
        buf_printf(&s->errors, "%s: no .hurl file in this directory\n", dir);
        s->nerrors++;
        rc = -1;
    }
    return rc;
}

int hurl_load_paths(spec_set_t *s, const char *const *paths, size_t n, const cJSON *variables) {
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        DIR *d = opendir(paths[i]);
        if (d) {
            closedir(d);
            if (load_dir(s, paths[i], variables) == -1) rc = -1;
        } else if (hurl_load_file(s, paths[i], variables) == -1) {
            rc = -1;
        }
    }
    return rc;
}
