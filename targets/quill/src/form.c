/*
 * form.c: application/x-www-form-urlencoded bodies (WHATWG URL "application/x-www-form-urlencoded
 * parser", strict on escapes), the multi-dict accessors, WTForms-like validation helpers, and the
 * redirect / URL helpers of quill_web.h.
 *
 * Why strict: a form is client input that names things (fields) and is stored (values). A
 * malformed escape or bytes that are not UTF-8 are refused with 400 rather than passed on
 * mangled, and a NUL byte is refused because values are handed out as C strings (the rest of the
 * value would be silently cut, as the JSON API refuses \u0000). Limits are counted before any
 * allocation that depends on them, so a hostile body costs at most its own size again in the
 * arena.
 */
#include "internal.h"

#include <string.h>
#include <strings.h>

#define FORM_CT "application/x-www-form-urlencoded"

/* Decodes one name or value strictly into the arena. 0, or 400 / 413 / 500. */
static int decode_part(quill_arena *a, const char *s, size_t len, size_t max, quill_str *out) {
    /* The decoded form is never longer than the encoded one, and at least a third of it. */
    if (len / 3 > max) return 413;
    if (quill_url_decode_strict(a, s, len, true, out) != 0) return 400; /* or out of memory */
    if (out->len > max) return 413;
    if (memchr(out->ptr, '\0', out->len)) return 400;
    return 0;
}

int quill__form_parse(quill_arena *a, const char *s, size_t len, quill__form *out) {
    *out = (quill__form){0, NULL, NULL};
    size_t pairs = 0;
    for (size_t i = 0; i < len;) {
        const char *amp = memchr(s + i, '&', len - i);
        size_t end = amp ? (size_t)(amp - s) : len;
        if (end > i && ++pairs > QUILL_FORM_MAX_FIELDS) return 413;
        i = end + 1;
    }
    if (pairs == 0) return 0;
    out->names = quill_arena_alloc(a, pairs * sizeof(quill_str));
    out->values = quill_arena_alloc(a, pairs * sizeof(quill_str));
    if (!out->names || !out->values) return 500;
    for (size_t i = 0; i < len;) {
        const char *amp = memchr(s + i, '&', len - i);
        size_t end = amp ? (size_t)(amp - s) : len;
        if (end > i) {
            const char *eq = memchr(s + i, '=', end - i);
            size_t nend = eq ? (size_t)(eq - s) : end;
            size_t vstart = eq ? nend + 1 : end;
            int st = decode_part(a, s + i, nend - i, QUILL_FORM_MAX_NAME, &out->names[out->n]);
            if (st == 0)
                st = decode_part(a, s + vstart, end - vstart, QUILL_FORM_MAX_VALUE,
                                 &out->values[out->n]);
            if (st != 0) {
                out->n = 0;
                return st;
            }
            out->n++;
        }
        i = end + 1;
    }
    return 0;
}

/* Whether the request's Content-Type is the form type (parameters such as charset allowed). */
static bool is_form(const quill_req *req) {
    quill_str ct = quill_req_header(req, "Content-Type");
    size_t n = sizeof(FORM_CT) - 1;
    if (!ct.ptr || ct.len < n || strncasecmp(ct.ptr, FORM_CT, n) != 0) return false;
    return ct.len == n || ct.ptr[n] == ';' || ct.ptr[n] == ' ' || ct.ptr[n] == '\t';
}

static const quill__form *form_of(quill_req *req) {
    if (req->form || req->form_status) return req->form;
    quill__form *f = quill_arena_calloc(req->arena, 1, sizeof(*f));
    if (!f) {
        req->form_status = 500;
        return NULL;
    }
    if (is_form(req)) req->form_status = quill__form_parse(req->arena, req->body, req->body_len, f);
    if (req->form_status) return NULL;
    req->form = f;
    return f;
}

int quill_form_parse(quill_req *req, int *status) {
    const quill__form *f = form_of(req);
    if (status) *status = f ? 0 : req->form_status;
    return f ? 0 : -1;
}

size_t quill_form_getlist(quill_req *req, const char *name, quill_str *out, size_t max) {
    const quill__form *f = form_of(req);
    size_t found = 0;
    if (!f) return 0;
    size_t nlen = strlen(name);
    for (size_t i = 0; i < f->n; i++) {
        if (f->names[i].len != nlen || memcmp(f->names[i].ptr, name, nlen) != 0) continue;
        if (found < max) out[found] = f->values[i];
        found++;
    }
    return found;
}

quill_str quill_form_get(quill_req *req, const char *name) {
    quill_str v = {NULL, 0};
    quill_form_getlist(req, name, &v, 1);
    return v;
}

size_t quill_form_size(quill_req *req) {
    const quill__form *f = form_of(req);
    return f ? f->n : 0;
}

int quill_form_at(quill_req *req, size_t i, quill_str *name, quill_str *value) {
    const quill__form *f = form_of(req);
    if (!f || i >= f->n) return -1;
    *name = f->names[i];
    *value = f->values[i];
    return 0;
}

/* ---- validation ---- */

/* Length of the whitespace character at s (1..3 bytes), or 0: Python's str.strip() set. */
static size_t space_len(const unsigned char *s, size_t left) {
    unsigned char c = s[0];
    if (c == ' ' || (c >= '\t' && c <= '\r')) return 1;
    if (c == 0xC2 && left >= 2 && s[1] == 0xA0) return 2;                 /* U+00A0 */
    if (c == 0xE1 && left >= 3 && s[1] == 0x9A && s[2] == 0x80) return 3; /* U+1680 */
    if (c == 0xE2 && left >= 3 && s[1] == 0x80) {
        unsigned char d = s[2];
        if ((d >= 0x80 && d <= 0x8A) || d == 0xA8 || d == 0xA9 || d == 0xAF) return 3;
    }
    if (c == 0xE2 && left >= 3 && s[1] == 0x81 && s[2] == 0x9F) return 3; /* U+205F */
    if (c == 0xE3 && left >= 3 && s[1] == 0x80 && s[2] == 0x80) return 3; /* U+3000 */
    return 0;
}

bool quill_str_blank(quill_str s) {
    const unsigned char *p = (const unsigned char *)s.ptr;
    for (size_t i = 0, n; i < s.len; i += n)
        if ((n = space_len(p + i, s.len - i)) == 0) return false;
    return true;
}

void quill_form_error(quill_form_errors *e, const char *field, const char *msg) {
    if (e->n >= QUILL_FORM_ERRORS_MAX) return;
    e->field[e->n] = field;
    e->msg[e->n] = msg;
    e->n++;
}

quill_str quill_form_required(quill_req *req, quill_form_errors *e, const char *field) {
    quill_str v = quill_form_get(req, field);
    if (v.ptr && !quill_str_blank(v)) return v;
    quill_form_error(e, field, QUILL_MSG_BLANK);
    return (quill_str){NULL, 0};
}

cJSON *quill_form_errors_json(quill_req *req, const quill_form_errors *e) {
    cJSON *arr = quill__req_own_json(req, cJSON_CreateArray());
    for (size_t i = 0; arr && i < e->n; i++) {
        char *line = quill_arena_printf(req->arena, "%s %s", e->field[i], e->msg[i]);
        cJSON *item = line ? cJSON_CreateString(line) : NULL;
        if (!item) return NULL;
        cJSON_AddItemToArray(arr, item);
    }
    return arr;
}

cJSON *quill_form_values(quill_req *req, const char *const names[]) {
    cJSON *obj = quill__req_own_json(req, cJSON_CreateObject());
    for (size_t i = 0; obj && names[i]; i++) {
        quill_str v = quill_form_get(req, names[i]);
        if (!cJSON_AddStringToObject(obj, names[i], v.ptr ? v.ptr : "")) return NULL;
    }
    return obj;
}

/* ---- redirects and URLs ---- */

/* Whether byte c must be percent-encoded to appear in a URI (RFC 3986: not unreserved, not a
 * delimiter, not '%'): non-ASCII bytes, controls, space and " < > \ ^ ` { | }. */
static bool uri_unsafe(unsigned char c) {
    return c <= 0x20 || c >= 0x7f || c == '"' || c == '<' || c == '>' || c == '\\' || c == '^' ||
           c == '`' || c == '{' || c == '|' || c == '}';
}

int quill_redirect(quill_res *res, int status, const char *location) {
    static const char hex[] = "0123456789ABCDEF";
    if (status != 301 && status != 302 && status != 303 && status != 307 && status != 308)
        status = 302;
    /* Location is a URI: an IRI such as "/article/é" goes out UTF-8 percent-encoded, as
     * werkzeug's redirect() does (iri_to_uri); escapes already there ("%20") are kept. CR and LF
     * are encoded too, so a location can never split the header. */
    size_t n = 0, unsafe = 0;
    for (; location[n]; n++) unsafe += uri_unsafe((unsigned char)location[n]);
    if (unsafe) {
        char *enc = quill_arena_alloc(res->arena, n + 2 * unsafe + 1), *o = enc;
        if (!enc) return -1;
        for (size_t i = 0; i < n; i++) {
            unsigned char c = (unsigned char)location[i];
            if (!uri_unsafe(c)) {
                *o++ = (char)c;
                continue;
            }
            *o++ = '%';
            *o++ = hex[c >> 4];
            *o++ = hex[c & 15];
        }
        *o = '\0';
        location = enc;
    }
    if (quill_res_set_header(res, "Location", location) != 0) return -1;
    return quill_res_body_ref(res, status, QUILL_CT_HTML, "", 0);
}

bool quill_is_local_path(const char *s) {
    if (!s || s[0] != '/' || s[1] == '/' || s[1] == '\\') return false;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p == '\\' || *p < 0x20 || *p == 0x7f) return false;
    return true;
}

char *quill_url_quote(quill_arena *a, const char *s, size_t len) {
    static const char hex[] = "0123456789ABCDEF";
    if (len > (QUILL_ARENA_MAX - 1) / 3) return NULL;
    char *out = quill_arena_alloc(a, len * 3 + 1), *o = out;
    if (!out) return NULL;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~' || c == '/') {
            *o++ = (char)c;
        } else {
            *o++ = '%';
            *o++ = hex[c >> 4];
            *o++ = hex[c & 15];
        }
    }
    *o = '\0';
    return out;
}
