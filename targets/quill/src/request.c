/*
 * request.c: request accessors (method, path, params, query args, headers, cookies, body, JSON,
 * per-request `g` storage) and URL decoding.
 * Slices point into the connection's read buffer (NUL-terminated in place by quill__req_init, see
 * below) or into the request arena; both outlive the handler but not the request.
 */
#include "internal.h"

#include <string.h>
#include <strings.h>

static int hexv(unsigned char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

quill_str quill_url_decode(quill_arena *a, const char *src, size_t len, bool plus_as_space) {
    quill_str out = {NULL, 0};
    char *d = quill_arena_alloc(a, len + 1);
    if (!d) return out;
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        int h, l;
        char c = src[i];
        if (c == '%' && i + 2 < len && (h = hexv((unsigned char)src[i + 1])) >= 0 &&
            (l = hexv((unsigned char)src[i + 2])) >= 0) {
            d[o++] = (char)(h * 16 + l);
            i += 2;
        } else if (c == '+' && plus_as_space) {
            d[o++] = ' ';
        } else {
            d[o++] = c;
        }
    }
    d[o] = '\0';
    out.ptr = d;
    out.len = o;
    return out;
}

bool quill_utf8_valid(const char *str, size_t len) {
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < len) {
        unsigned char c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t n;
        uint32_t cp;
        if (c >= 0xc2 && c <= 0xdf)
            n = 1, cp = c & 0x1f;
        else if (c >= 0xe0 && c <= 0xef)
            n = 2, cp = c & 0x0f;
        else if (c >= 0xf0 && c <= 0xf4)
            n = 3, cp = c & 0x07;
        else
            return false; /* continuation byte, overlong lead (c0, c1) or > f4 */
        if (len - i <= n) return false;
        for (size_t k = 1; k <= n; k++) {
            if ((s[i + k] & 0xc0) != 0x80) return false;
            cp = cp << 6 | (s[i + k] & 0x3f);
        }
        if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
            (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        i += n + 1;
    }
    return true;
}

int quill_url_decode_strict(quill_arena *a, const char *src, size_t len, bool plus_as_space,
                            quill_str *out) {
    *out = (quill_str){NULL, 0};
    for (size_t i = 0; i < len; i++) {
        if (src[i] != '%') continue;
        if (i + 2 >= len || hexv((unsigned char)src[i + 1]) < 0 ||
            hexv((unsigned char)src[i + 2]) < 0)
            return -1;
        i += 2;
    }
    quill_str d = quill_url_decode(a, src, len, plus_as_space);
    if (!d.ptr || !quill_utf8_valid(d.ptr, d.len)) return -1;
    *out = d;
    return 0;
}

/*
 * The parsed head is made of slices into the read buffer. Once the head is complete its bytes are
 * never parsed again, so the byte that ends each slice (SP after the method, '?' or SP after the
 * path, ':' after a name, OWS or CR after a value) can become a NUL: handlers then get C strings
 * without a copy. Only the raw target loses its terminator (it contains the path's NUL).
 */
void quill__req_init(quill_req *req, quill_app *app, quill_worker *w, quill_arena *a,
                     qp_request *p) {
    memset(req, 0, sizeof(*req));
    req->app = app;
    req->worker = w;
    req->arena = a;
    req->p = p;
    req->body = "";
    if (!p) return;
    char *m = (char *)p->method;
    req->method = (quill_str){m, p->method_len};
    req->target = (quill_str){p->target, p->target_len};
    char *t = (char *)p->path; /* origin-form part: the whole target, or absolute-form's path */
    char *q = memchr(t, '?', p->path_len);
    if (q) {
        req->path = (quill_str){t, (size_t)(q - t)};
        req->query = (quill_str){q + 1, p->path_len - (size_t)(q - t) - 1};
        t[p->path_len] = '\0';
        *q = '\0';
    } else {
        req->path = (quill_str){t, p->path_len};
        t[p->path_len] = '\0';
    }
    if (req->path.len == 0) req->path = (quill_str){"/", 1}; /* "http://host" is "/" */
    m[p->method_len] = '\0';
    for (size_t i = 0; i < p->num_headers; i++) {
        qp_header *h = &p->headers[i];
        ((char *)h->name)[h->name_len] = '\0';
        ((char *)h->value)[h->value_len] = '\0';
    }
    req->head = p->method_len == 4 && memcmp(m, "HEAD", 4) == 0;
}

quill_app *quill_req_app(const quill_req *req) {
    return req->app;
}
quill_worker *quill_req_worker(const quill_req *req) {
    return req->worker;
}
quill_arena *quill_req_arena(const quill_req *req) {
    return req->arena;
}
quill_str quill_req_method(const quill_req *req) {
    return req->method;
}
quill_str quill_req_path(const quill_req *req) {
    return req->path;
}
quill_str quill_req_query(const quill_req *req) {
    return req->query;
}
quill_str quill_req_target(const quill_req *req) {
    return req->target;
}
int quill_req_http_minor(const quill_req *req) {
    return req->p ? req->p->minor_version : 1;
}
bool quill_req_is_head(const quill_req *req) {
    return req->head;
}

quill_str quill_req_param(const quill_req *req, const char *name) {
    for (size_t i = 0; i < req->nparams; i++)
        if (strcmp(req->params[i].name, name) == 0) return req->params[i].value;
    return (quill_str){NULL, 0};
}

quill_str quill_req_param_raw(const quill_req *req, const char *name) {
    for (size_t i = 0; i < req->nparams; i++) {
        if (strcmp(req->params[i].name, name) != 0) continue;
        const quill_str *r = &req->params[i].raw;
        char *copy = quill_arena_strndup(req->arena, r->ptr, r->len);
        return (quill_str){copy, copy ? r->len : 0};
    }
    return (quill_str){NULL, 0};
}

int quill_req_param_int(const quill_req *req, const char *name, int64_t *out) {
    for (size_t i = 0; i < req->nparams; i++) {
        const req_param *p = &req->params[i];
        if (strcmp(p->name, name) != 0) continue;
        if (p->is_int) {
            *out = p->ival;
            return 0;
        }
        if (p->value.len == 0 || p->value.len > 18) return -1;
        int64_t v = 0;
        for (size_t k = 0; k < p->value.len; k++) {
            char c = p->value.ptr[k];
            if (c < '0' || c > '9') return -1;
            v = v * 10 + (c - '0');
        }
        *out = v;
        return 0;
    }
    return -1;
}

#define MAX_ARG_NAME 256 /* query argument names longer than this never match */

quill_str quill_req_arg(const quill_req *req, const char *name) {
    quill_str none = {NULL, 0};
    const char *q = req->query.ptr;
    if (!q) return none;
    size_t len = req->query.len, nlen = strlen(name);
    size_t i = 0;
    while (i <= len) {
        size_t s = i;
        while (i < len && q[i] != '&') i++;
        const char *pair = q + s;
        size_t plen = i - s;
        i++;
        if (plen == 0) continue;
        const char *eq = memchr(pair, '=', plen);
        size_t klen = eq ? (size_t)(eq - pair) : plen;
        if (klen > MAX_ARG_NAME) continue;
        /* Decode the key on the stack to compare it. */
        char key[MAX_ARG_NAME];
        size_t o = 0;
        for (size_t k = 0; k < klen; k++) {
            int h, l;
            if (pair[k] == '%' && k + 2 < klen && (h = hexv((unsigned char)pair[k + 1])) >= 0 &&
                (l = hexv((unsigned char)pair[k + 2])) >= 0) {
                key[o++] = (char)(h * 16 + l);
                k += 2;
            } else {
                key[o++] = pair[k] == '+' ? ' ' : pair[k];
            }
        }
        if (o != nlen || memcmp(key, name, nlen) != 0) continue;
        if (!eq) return quill_url_decode(req->arena, "", 0, true);
        return quill_url_decode(req->arena, eq + 1, plen - klen - 1, true);
    }
    return none;
}

quill_str quill_req_header(const quill_req *req, const char *name) {
    if (!req->p) return (quill_str){NULL, 0};
    size_t nlen = strlen(name);
    for (size_t i = 0; i < req->p->num_headers; i++) {
        const qp_header *h = &req->p->headers[i];
        if (h->name_len == nlen && strncasecmp(h->name, name, nlen) == 0)
            return (quill_str){h->value, h->value_len};
    }
    return (quill_str){NULL, 0};
}

size_t quill_req_header_count(const quill_req *req) {
    return req->p ? req->p->num_headers : 0;
}

int quill_req_header_at(const quill_req *req, size_t i, quill_str *name, quill_str *value) {
    if (!req->p || i >= req->p->num_headers) return -1;
    const qp_header *h = &req->p->headers[i];
    *name = (quill_str){h->name, h->name_len};
    *value = (quill_str){h->value, h->value_len};
    return 0;
}

quill_str quill_req_cookie(const quill_req *req, const char *name) {
    size_t nlen = strlen(name);
    if (!req->p) return (quill_str){NULL, 0};
    for (size_t i = 0; i < req->p->num_headers; i++) {
        const qp_header *h = &req->p->headers[i];
        if (h->name_len != 6 || strncasecmp(h->name, "cookie", 6) != 0) continue;
        const char *v = h->value, *end = h->value + h->value_len;
        while (v < end) {
            while (v < end && (*v == ' ' || *v == ';')) v++;
            const char *s = v;
            while (v < end && *v != ';') v++;
            const char *eq = memchr(s, '=', (size_t)(v - s));
            if (!eq) continue;
            size_t kl = (size_t)(eq - s);
            while (kl && (s[kl - 1] == ' ')) kl--;
            if (kl != nlen || memcmp(s, name, nlen) != 0) continue;
            const char *vs = eq + 1, *ve = v;
            while (vs < ve && *vs == ' ') vs++;
            while (ve > vs && ve[-1] == ' ') ve--;
            if (ve - vs >= 2 && *vs == '"' && ve[-1] == '"') {
                vs++;
                ve--;
            }
            char *copy = quill_arena_strndup(req->arena, vs, (size_t)(ve - vs));
            return (quill_str){copy, copy ? (size_t)(ve - vs) : 0};
        }
    }
    return (quill_str){NULL, 0};
}

quill_str quill_req_body(const quill_req *req) {
    return (quill_str){req->body, req->body_len};
}

static void json_delete(void *p) {
    cJSON_Delete(p);
}

cJSON *quill__req_own_json(quill_req *req, cJSON *j) {
    if (j && quill_arena_defer(req->arena, json_delete, j) == 0) return j;
    cJSON_Delete(j);
    return NULL;
}

cJSON *quill_req_json(quill_req *req) {
    if (req->json_parsed) return req->json;
    req->json_parsed = true;
    if (req->body_len == 0) return NULL;
    req->json = quill__req_own_json(req, cJSON_ParseWithLength(req->body, req->body_len));
    return req->json;
}

int quill_req_g_set(quill_req *req, const char *key, void *value) {
    for (size_t i = 0; i < req->ng; i++)
        if (strcmp(req->g[i].key, key) == 0) {
            req->g[i].value = value;
            return 0;
        }
    if (req->ng == QUILL_MAX_G) return -1;
    req->g[req->ng].key = key;
    req->g[req->ng].value = value;
    req->ng++;
    return 0;
}

void *quill_req_g_get(const quill_req *req, const char *key) {
    for (size_t i = 0; i < req->ng; i++)
        if (strcmp(req->g[i].key, key) == 0) return req->g[i].value;
    return NULL;
}

bool quill_str_eq(quill_str s, const char *lit) {
    size_t n = strlen(lit);
    return s.ptr && s.len == n && memcmp(s.ptr, lit, n) == 0;
}

bool quill_str_ieq(quill_str s, const char *lit) {
    size_t n = strlen(lit);
    return s.ptr && s.len == n && strncasecmp(s.ptr, lit, n) == 0;
}
