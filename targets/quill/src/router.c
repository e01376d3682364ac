/*
 * router.c: route patterns with typed parameters, matching with precedence, 405 Allow lists.
 *
 * Routes are kept in one array and matched by a linear scan: an app has tens of routes, and a
 * scan over pre-split segments with no allocation beats a trie's pointer chasing at that size.
 * Precedence at each segment: literal > <int:> > <string:> > <path:>; ties go to the first
 * registered route. Literal segments compare against the decoded request segment.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SEGS       32  /* segments of a pattern */
#define MAX_SEG_DECODE 512 /* a literal comparison decodes at most this many bytes */

static void die(const char *pattern, const char *why) {
    fprintf(stderr, "quill: bad route pattern \"%s\": %s\n", pattern, why);
    abort();
}

static char *xstrndup(const char *s, size_t n) {
    char *p = malloc(n + 1);
    if (!p) abort();
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

void quill__router_add(router *r, quill_blueprint *bp, const char *method, const char *prefix,
                       const char *pattern, quill_handler handler) {
    if (!method || !pattern || !handler) die(pattern ? pattern : "(null)", "NULL argument");
    size_t mlen = strlen(method);
    if (mlen == 0 || mlen >= sizeof(((route *)0)->method)) die(pattern, "bad method");
    for (size_t i = 0; i < mlen; i++)
        if (method[i] < 'A' || method[i] > 'Z') die(pattern, "method must be upper-case letters");
    size_t plen = strlen(prefix), len = strlen(pattern);
    if (plen && (prefix[0] != '/' || prefix[plen - 1] == '/'))
        die(prefix, "a blueprint prefix starts with '/' and does not end with '/'");
    if (len == 0 || pattern[0] != '/') die(pattern, "must start with '/'");
    char *full = malloc(plen + len + 1);
    if (!full) abort();
    memcpy(full, prefix, plen);
    memcpy(full + plen, pattern, len + 1);
    if (plen && len == 1) full[plen] = '\0'; /* prefix "/api" + "/" is "/api" */

    route rt = {0};
    memcpy(rt.method, method, mlen + 1);
    rt.pattern = full;
    rt.handler = handler;
    rt.bp = bp;
    rt.order = r->nroutes;
    rt.segs = calloc(MAX_SEGS, sizeof(route_seg));
    if (!rt.segs) abort();
    const char *p = full + 1;
    for (;;) {
        const char *slash = strchr(p, '/');
        size_t n = slash ? (size_t)(slash - p) : strlen(p);
        if (rt.nsegs == MAX_SEGS) die(full, "too many segments");
        route_seg *s = &rt.segs[rt.nsegs++];
        if (n > 0 && p[0] == '<') {
            if (p[n - 1] != '>') die(full, "a parameter segment must be exactly <type:name>");
            const char *in = p + 1;
            size_t inl = n - 2;
            const char *colon = memchr(in, ':', inl);
            s->kind = SEG_STRING;
            if (colon) {
                size_t tl = (size_t)(colon - in);
                if (tl == 3 && !memcmp(in, "int", 3))
                    s->kind = SEG_INT;
                else if (tl == 6 && !memcmp(in, "string", 6))
                    s->kind = SEG_STRING;
                else if (tl == 4 && !memcmp(in, "path", 4))
                    s->kind = SEG_PATH;
                else
                    die(full, "unknown parameter type (int, string, path)");
                inl -= tl + 1;
                in = colon + 1;
            }
            if (inl == 0) die(full, "empty parameter name");
            for (size_t i = 0; i < inl; i++)
                if (!(in[i] == '_' || (in[i] >= 'a' && in[i] <= 'z') ||
                      (in[i] >= 'A' && in[i] <= 'Z') || (in[i] >= '0' && in[i] <= '9')))
                    die(full, "a parameter name is letters, digits and '_'");
            if (s->kind == SEG_PATH && slash) die(full, "<path:...> must be the last segment");
            s->text = xstrndup(in, inl);
            s->len = inl;
        } else {
            if (memchr(p, '<', n) || memchr(p, '>', n))
                die(full, "a parameter must fill its whole segment");
            s->kind = SEG_LITERAL;
            s->text = xstrndup(p, n);
            s->len = n;
        }
        if (!slash) break;
        p = slash + 1;
    }
    size_t nparams = 0;
    for (size_t i = 0; i < rt.nsegs; i++)
        if (rt.segs[i].kind != SEG_LITERAL) nparams++;
    if (nparams > QUILL_MAX_PARAMS) die(full, "too many parameters");

    if (r->nroutes == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 16;
        r->routes = realloc(r->routes, r->cap * sizeof(route));
        if (!r->routes) abort();
    }
    r->routes[r->nroutes++] = rt;
    /* Extend the run of routes sharing this literal first segment (registration order is kept:
     * runs only join neighbours, so skipping one never changes which route wins). */
    size_t last = r->nroutes - 1;
    const route_seg *s0 = &r->routes[last].segs[0];
    if (s0->kind != SEG_LITERAL) return;
    r->routes[last].run_end = r->nroutes;
    for (size_t j = last; j-- > 0;) {
        const route_seg *t0 = &r->routes[j].segs[0];
        if (t0->kind != SEG_LITERAL || t0->len != s0->len || memcmp(t0->text, s0->text, s0->len))
            break;
        r->routes[j].run_end = r->nroutes;
    }
}

void quill__router_free(router *r) {
    for (size_t i = 0; i < r->nroutes; i++) {
        for (size_t k = 0; k < r->routes[i].nsegs; k++) free(r->routes[i].segs[k].text);
        free(r->routes[i].segs);
        free(r->routes[i].pattern);
    }
    free(r->routes);
    memset(r, 0, sizeof(*r));
}

static int hexv(unsigned char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Compares a raw (percent-encoded) request segment with a literal. */
static bool literal_eq(const char *raw, size_t n, const route_seg *s) {
    if (!memchr(raw, '%', n)) return n == s->len && memcmp(raw, s->text, n) == 0;
    if (n > MAX_SEG_DECODE) return false;
    char tmp[MAX_SEG_DECODE];
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        int h, l;
        if (raw[i] == '%' && i + 2 < n && (h = hexv((unsigned char)raw[i + 1])) >= 0 &&
            (l = hexv((unsigned char)raw[i + 2])) >= 0) {
            tmp[o++] = (char)(h * 16 + l);
            i += 2;
        } else {
            tmp[o++] = raw[i];
        }
    }
    return o == s->len && memcmp(tmp, s->text, o) == 0;
}

typedef struct raw_param {
    const route_seg *seg;
    const char *ptr;
    size_t len;
} raw_param;

/* Matches path (raw, starting with '/') against rt; fills kinds[] (precedence) and params. */
static bool route_matches(const route *rt, const char *path, size_t plen, uint8_t *kinds,
                          raw_param *params, size_t *nparams) {
    const char *p = path + 1, *end = path + plen;
    *nparams = 0;
    for (size_t i = 0; i < rt->nsegs; i++) {
        const route_seg *s = &rt->segs[i];
        if (p > end) return false; /* the path has fewer segments */
        const char *slash = memchr(p, '/', (size_t)(end - p));
        const char *se = slash ? slash : end;
        size_t n = (size_t)(se - p);
        kinds[i] = (uint8_t)s->kind;
        switch (s->kind) {
        case SEG_LITERAL:
            if (!literal_eq(p, n, s)) return false;
            break;
        case SEG_INT: {
            if (n == 0 || n > 18) return false;
            for (size_t k = 0; k < n; k++)
                if (p[k] < '0' || p[k] > '9') return false;
            params[(*nparams)++] = (raw_param){s, p, n};
            break;
        }
        case SEG_STRING:
            if (n == 0) return false;
            params[(*nparams)++] = (raw_param){s, p, n};
            break;
        case SEG_PATH:
            if (end == p) return false;
            params[(*nparams)++] = (raw_param){s, p, (size_t)(end - p)};
            return true;
        }
        p = slash ? slash + 1 : end + 1;
    }
    return p == end + 1; /* every path segment consumed */
}

static int cmp_kinds(const uint8_t *a, size_t na, const uint8_t *b, size_t nb) {
    size_t n = na < nb ? na : nb;
    for (size_t i = 0; i < n; i++)
        if (a[i] != b[i]) return a[i] < b[i] ? -1 : 1;
    return 0;
}

match_result quill__router_match(const router *r, quill_req *req, char *allow, size_t allow_len) {
    const char *path = req->path.ptr;
    size_t plen = req->path.len;
    if (!path || plen == 0 || path[0] != '/') return MATCH_NOT_FOUND;
    const char *m = req->method.ptr;
    size_t mlen = req->method.len;
    bool is_head = mlen == 4 && memcmp(m, "HEAD", 4) == 0;

    const route *best = NULL, *best_get = NULL;
    uint8_t best_k[MAX_SEGS], get_k[MAX_SEGS], k[MAX_SEGS];
    raw_param best_p[QUILL_MAX_PARAMS], get_p[QUILL_MAX_PARAMS], ps[QUILL_MAX_PARAMS];
    size_t best_n = 0, get_n = 0, n;
    bool any = false;
    /* Cheap pre-filter (profiled: the scan was a quarter of user time): a route whose first
     * segment is a literal can only match a path with that first segment, and neither can the
     * rest of its run (the routes registered after it with the same first segment: a
     * blueprint's routes), skipped in one step. So adding routes under another first segment
     * (the web pages beside /api) costs the API one comparison per run, not per route. */
    const char *first = path + 1, *first_end = memchr(first, '/', plen - 1);
    size_t first_len = first_end ? (size_t)(first_end - first) : plen - 1;
    bool first_plain = memchr(first, '%', first_len) == NULL;
    for (size_t i = 0; i < r->nroutes; i++) {
        const route *rt = &r->routes[i];
        const route_seg *s0 = &rt->segs[0];
        if (first_plain && s0->kind == SEG_LITERAL &&
            (s0->len != first_len || memcmp(s0->text, first, first_len) != 0)) {
            i = rt->run_end - 1; /* the loop's i++ lands on the run's end */
            continue;
        }
        if (!route_matches(rt, path, plen, k, ps, &n)) continue;
        any = true;
        if (strlen(rt->method) == mlen && memcmp(rt->method, m, mlen) == 0) {
            if (!best || cmp_kinds(k, rt->nsegs, best_k, best->nsegs) < 0) {
                best = rt;
                memcpy(best_k, k, rt->nsegs);
                memcpy(best_p, ps, n * sizeof(raw_param));
                best_n = n;
            }
        } else if (is_head && strcmp(rt->method, "GET") == 0) {
            if (!best_get || cmp_kinds(k, rt->nsegs, get_k, best_get->nsegs) < 0) {
                best_get = rt;
                memcpy(get_k, k, rt->nsegs);
                memcpy(get_p, ps, n * sizeof(raw_param));
                get_n = n;
            }
        }
    }
    if (!best && best_get) {
        best = best_get;
        memcpy(best_p, get_p, get_n * sizeof(raw_param));
        best_n = get_n;
    }
    if (!best) {
        if (!any) return MATCH_NOT_FOUND;
        /* 405: the methods of every route matching the path, registration order, no repeats. */
        size_t o = 0;
        bool has_get = false, has_head = false;
        allow[0] = '\0';
        for (size_t i = 0; i < r->nroutes; i++) {
            const route *rt = &r->routes[i];
            if (!route_matches(rt, path, plen, k, ps, &n)) continue;
            size_t ml = strlen(rt->method);
            bool dup = false;
            for (size_t j = 0; j < i && !dup; j++)
                if (strcmp(r->routes[j].method, rt->method) == 0 &&
                    route_matches(&r->routes[j], path, plen, k, ps, &n))
                    dup = true;
            if (dup) continue;
            if (!strcmp(rt->method, "GET")) has_get = true;
            if (!strcmp(rt->method, "HEAD")) has_head = true;
            if (o + ml + 3 >= allow_len) break;
            if (o) {
                memcpy(allow + o, ", ", 2);
                o += 2;
            }
            memcpy(allow + o, rt->method, ml);
            o += ml;
            allow[o] = '\0';
        }
        if (has_get && !has_head && o + 7 < allow_len) {
            memcpy(allow + o, ", HEAD", 7);
        }
        return MATCH_BAD_METHOD;
    }
    req->matched = best;
    req->nparams = 0;
    for (size_t i = 0; i < best_n; i++) {
        req_param *p = &req->params[req->nparams++];
        p->name = best_p[i].seg->text;
        p->value = quill_url_decode(req->arena, best_p[i].ptr, best_p[i].len, false);
        p->raw = (quill_str){best_p[i].ptr, best_p[i].len};
        p->is_int = best_p[i].seg->kind == SEG_INT;
        p->ival = 0;
        if (p->is_int) {
            int64_t v = 0;
            for (size_t c = 0; c < best_p[i].len; c++) v = v * 10 + (best_p[i].ptr[c] - '0');
            p->ival = v; /* at most 18 digits: no overflow */
        }
    }
    return MATCH_FOUND;
}
