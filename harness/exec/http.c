/* http: libcurl transport. See http.h. */
#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http.h"

#include "core/jsonloc.h"

/* ---- request ------------------------------------------------------------------------------- */

void req_init(req_t *r) {
    memset(r, 0, sizeof(*r));
    buf_init(&r->target, REQ_MAX_TARGET);
    buf_init(&r->body, REQ_MAX_BODY);
}

static void req_clear_headers(req_t *r) {
    for (size_t i = 0; i < r->nheaders; i++) {
        free(r->headers[i].name);
        free(r->headers[i].value);
    }
    r->nheaders = 0;
    r->content_type = NULL;
}

void req_reset(req_t *r) {
    buf_reset(&r->target);
    buf_reset(&r->body);
    req_clear_headers(r);
    r->has_body = false;
    r->chunked = false;
    r->jar = NULL;
    r->follow = false;
    r->max_redirects = 0;
}

void req_free(req_t *r) {
    req_clear_headers(r);
    free(r->headers);
    buf_free(&r->target);
    buf_free(&r->body);
    memset(r, 0, sizeof(*r));
}

int req_add_header(req_t *r, const char *name, char *value, err_t *err) {
    if (!value) return -1;
    if (r->nheaders == REQ_MAX_HEADERS) {
        free(value);
        return err_set(err, "more than %d request headers", REQ_MAX_HEADERS);
    }
    if (!r->headers && !(r->headers = calloc(REQ_MAX_HEADERS, sizeof(*r->headers)))) {
        free(value);
        return err_set(err, "out of memory");
    }
    char *n = str_dup(name);
    if (!n) {
        free(value);
        return err_set(err, "out of memory");
    }
    r->headers[r->nheaders++] = (req_header_t){n, value};
    return 0;
}

/* ---- response ------------------------------------------------------------------------------- */

void resp_init(resp_t *r) {
    memset(r, 0, sizeof(*r));
    buf_init(&r->body, RESP_MAX_BODY);
}

static void resp_drop_headers(resp_t *r) {
    for (size_t i = 0; i < r->nheaders; i++) {
        free(r->headers[i].name);
        free(r->headers[i].value);
    }
    r->nheaders = 0;
}

void resp_reset(resp_t *r) {
    resp_drop_headers(r);
    buf_reset(&r->body);
    r->status = 0;
    r->duration_ms = 0;
    free(r->url);
    r->url = NULL;
    r->redirects = 0;
    free(r->cookie_sent);
    r->cookie_sent = NULL;
    cJSON_Delete(r->json);
    r->json = NULL;
    r->json_state = 0;
    r->json_err.msg[0] = '\0';
}

void resp_free(resp_t *r) {
    resp_reset(r);
    free(r->headers);
    buf_free(&r->body);
    memset(r, 0, sizeof(*r));
}

static bool is_ows(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int resp_add_header(resp_t *r, const char *name, size_t nlen, const char *value, size_t vlen) {
    if (r->nheaders == RESP_MAX_HEADERS) return -1;
    if (r->nheaders == r->cap_headers) {
        size_t cap = r->cap_headers ? r->cap_headers * 2 : 16;
        resp_header_t *h = realloc(r->headers, cap * sizeof(*h));
        if (!h) return -1;
        r->headers = h;
        r->cap_headers = cap;
    }
    while (vlen && is_ows(*value)) value++, vlen--;
    while (vlen && is_ows(value[vlen - 1])) vlen--;
    char *n = str_ndup(name, nlen), *v = str_ndup(value, vlen);
    if (!n || !v) {
        free(n);
        free(v);
        return -1;
    }
    r->headers[r->nheaders++] = (resp_header_t){n, v};
    return 0;
}

int resp_header_line(resp_t *r, const char *line, size_t len) {
    if (len > RESP_MAX_HEADER_BYTES) return -1;
    if (len >= 5 && memcmp(line, "HTTP/", 5) == 0) {
        /* A new status line: an interim (1xx) or redirected response ended; keep only the last. */
        resp_drop_headers(r);
        const char *sp = memchr(line, ' ', len);
        long long st;
        if (sp && (size_t)(line + len - sp) > 3 && str_to_ll_n(sp + 1, 3, 100, 999, &st) == 0)
            r->status = (long)st;
        return 0;
    }
    const char *colon = memchr(line, ':', len);
    if (!colon || colon == line) return 0; /* the blank line, or garbage we cannot name */
    return resp_add_header(r, line, (size_t)(colon - line), colon + 1,
                           len - (size_t)(colon + 1 - line));
}

int resp_body_append(resp_t *r, const void *p, size_t n) {
    return buf_add(&r->body, p, n);
}

const char *resp_header(const resp_t *r, const char *name) {
    for (size_t i = 0; i < r->nheaders; i++)
        if (strcasecmp(r->headers[i].name, name) == 0) return r->headers[i].value;
    return NULL;
}

size_t resp_header_count(const resp_t *r, const char *name) {
    size_t n = 0;
    for (size_t i = 0; i < r->nheaders; i++) n += strcasecmp(r->headers[i].name, name) == 0;
    return n;
}

const cJSON *resp_json(resp_t *r, err_t *err) {
    if (r->json_state == 0) {
        r->json = jl_parse(buf_cstr(&r->body), r->body.len, NULL, 0, NULL, &r->json_err);
        r->json_state = r->json ? 1 : -1;
    }
    if (r->json_state == -1) {
        err_set(err, "body is not valid JSON: %s", r->json_err.msg);
        return NULL;
    }
    return r->json;
}

/* ---- transport ------------------------------------------------------------------------------ */

typedef struct http_jar {
    char name[HTTP_JAR_NAME_MAX + 1];
    CURLSH *sh;
} http_jar_t;

struct http_client {
    CURL *h;
    char errbuf[CURL_ERROR_SIZE];
    bool too_big;
    http_jar_t jars[HTTP_MAX_JARS];
    size_t njars;
};

static pthread_once_t http_once = PTHREAD_ONCE_INIT;
static void http_init_once(void) {
    curl_global_init(CURL_GLOBAL_DEFAULT);
}
void http_global_init(void) {
    pthread_once(&http_once, http_init_once);
}

/* libcurl's cookie engine is switched on once per easy handle, here; the jars (shares) then hold
 * the cookies. Why not CURLOPT_COOKIEFILE "" before each request, the documented way: libcurl
 * 7.88 keeps the list that option builds in the handle's options, which curl_easy_reset (run
 * before every request) drops without freeing: LeakSanitizer finds 17 bytes per request. Adding
 * one cookie with CURLOPT_COOKIELIST starts the engine too, with a store of the handle's own;
 * attaching a share replaces that store (libcurl frees it) and detaching leaves the handle with
 * none, so a request without a jar sends and keeps no cookie. */
static int cookie_engine_on(CURL *h) {
    CURLSH *sh = curl_share_init();
    if (!sh || curl_share_setopt(sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_COOKIE) != CURLSHE_OK ||
        curl_easy_setopt(h, CURLOPT_COOKIELIST, "Set-Cookie: parity=1") != CURLE_OK) {
        if (sh) curl_share_cleanup(sh);
        return -1;
    }
    curl_easy_setopt(h, CURLOPT_SHARE, sh); /* frees the handle's own store */
    curl_easy_setopt(h, CURLOPT_SHARE, NULL);
    curl_share_cleanup(sh);
    return 0;
}

http_client_t *http_client_new(void) {
    http_global_init();
    http_client_t *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    if (!(c->h = curl_easy_init()) || cookie_engine_on(c->h) == -1) {
        if (c->h) curl_easy_cleanup(c->h);
        free(c);
        return NULL;
    }
    return c;
}

void http_client_reset_jars(http_client_t *c) {
    curl_easy_setopt(c->h, CURLOPT_SHARE, NULL); /* a share in use cannot be cleaned up */
    for (size_t i = 0; i < c->njars; i++) curl_share_cleanup(c->jars[i].sh);
    c->njars = 0;
}

void http_client_free(http_client_t *c) {
    if (!c) return;
    http_client_reset_jars(c);
    curl_easy_cleanup(c->h);
    free(c);
}

static http_jar_t *jar_find(http_client_t *c, const char *name) {
    for (size_t i = 0; i < c->njars; i++)
        if (strcmp(c->jars[i].name, name) == 0) return &c->jars[i];
    return NULL;
}

/* The jar named so, created empty if new. NULL with err set at the cap or out of memory. */
static http_jar_t *jar_get(http_client_t *c, const char *name, err_t *err) {
    http_jar_t *j = jar_find(c, name);
    if (j) return j;
    if (strlen(name) > HTTP_JAR_NAME_MAX) {
        err_set(err, "cookie jar name \"%.80s\" is longer than %d bytes", name, HTTP_JAR_NAME_MAX);
        return NULL;
    }
    if (c->njars == HTTP_MAX_JARS) {
        err_set(err, "more than %d cookie jars in one suite", HTTP_MAX_JARS);
        return NULL;
    }
    CURLSH *sh = curl_share_init();
    if (!sh || curl_share_setopt(sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_COOKIE) != CURLSHE_OK) {
        if (sh) curl_share_cleanup(sh);
        err_set(err, "cannot create a cookie jar (libcurl)");
        return NULL;
    }
    j = &c->jars[c->njars++];
    snprintf(j->name, sizeof j->name, "%s", name);
    j->sh = sh;
    return j;
}

/* Attaches the easy handle to jar j's cookies, or detaches it (j NULL: libcurl then has no
 * cookie store at all, so nothing is sent or kept). */
static void jar_attach(http_client_t *c, http_jar_t *j) {
    curl_easy_setopt(c->h, CURLOPT_SHARE, j ? j->sh : NULL);
}

int http_jar_dump(http_client_t *c, const char *name, buf_t *out) {
    http_jar_t *j = jar_find(c, name);
    if (!j) return 0;
    jar_attach(c, j);
    struct curl_slist *l = NULL;
    int rc = 0;
    if (curl_easy_getinfo(c->h, CURLINFO_COOKIELIST, &l) != CURLE_OK) rc = -1;
    for (struct curl_slist *p = l; p && rc == 0; p = p->next) rc = buf_printf(out, "%s\n", p->data);
    curl_slist_free_all(l);
    jar_attach(c, NULL);
    return rc;
}

int http_jar_copy(http_client_t *c, const char *from, const char *to, err_t *err) {
    if (strcmp(from, to) == 0) return 0;
    http_jar_t *src = jar_find(c, from);
    struct curl_slist *l = NULL;
    if (src) {
        jar_attach(c, src);
        if (curl_easy_getinfo(c->h, CURLINFO_COOKIELIST, &l) != CURLE_OK) l = NULL;
        jar_attach(c, NULL);
    }
    /* A fresh share for `to`: the old one (if any) is dropped whole. */
    http_jar_t *dst = jar_find(c, to);
    if (dst) {
        curl_share_cleanup(dst->sh);
        *dst = c->jars[--c->njars];
    }
    dst = jar_get(c, to, err);
    int rc = dst ? 0 : -1;
    if (dst) {
        jar_attach(c, dst);
        /* Netscape lines as CURLINFO_COOKIELIST gives them: libcurl reads them back exactly
         * (domain, tail-match, path, secure, expiry, name, value; "#HttpOnly_" kept). */
        for (struct curl_slist *p = l; p && rc == 0; p = p->next)
            if (curl_easy_setopt(c->h, CURLOPT_COOKIELIST, p->data) != CURLE_OK)
                rc = err_set(err, "cannot copy cookie jar \"%s\" into \"%s\"", from, to);
        jar_attach(c, NULL);
    }
    curl_slist_free_all(l);
    return rc;
}

const char *http_error_name(http_error_t e) {
    switch (e) {
    case HTTP_OK: return "ok";
    case HTTP_ERR_CONNECT: return "connect";
    case HTTP_ERR_TIMEOUT: return "timeout";
    case HTTP_ERR_RESET: return "reset";
    case HTTP_ERR_TOO_BIG: return "too-big";
    default: return "other";
    }
}

typedef struct http_ctx {
    http_client_t *c;
    resp_t *resp;
} http_ctx_t;

static size_t http_on_header(char *p, size_t size, size_t n, void *ud) {
    http_ctx_t *x = ud;
    size_t len = size * n;
    return resp_header_line(x->resp, p, len) == 0 ? len : 0;
}

/* CURLOPT_DEBUGFUNCTION: the request head as sent, for the Cookie line the jar added (kept for
 * the reproduce command; the jar's content is not in the rendered request). */
static int http_on_debug(CURL *h, curl_infotype type, char *data, size_t size, void *ud) {
    (void)h;
    http_ctx_t *x = ud;
    if (type != CURLINFO_HEADER_OUT) return 0;
    for (size_t i = 0; i + 8 <= size; i++) {
        if ((i == 0 || data[i - 1] == '\n') && strncasecmp(data + i, "Cookie: ", 8) == 0) {
            const char *v = data + i + 8, *end = memchr(v, '\r', size - i - 8);
            if (!end) end = data + size;
            free(x->resp->cookie_sent);
            x->resp->cookie_sent = str_ndup(v, (size_t)(end - v));
            break;
        }
    }
    return 0;
}

static size_t http_on_body(char *p, size_t size, size_t n, void *ud) {
    http_ctx_t *x = ud;
    size_t len = size * n;
    if (x->resp->body.len + len > HTTP_MAX_BODY || resp_body_append(x->resp, p, len) < 0) {
        x->c->too_big = true;
        return 0; /* aborts the transfer with CURLE_WRITE_ERROR */
    }
    return len;
}

static http_error_t http_classify(CURLcode rc) {
    switch (rc) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST: return HTTP_ERR_CONNECT;
    case CURLE_OPERATION_TIMEDOUT: return HTTP_ERR_TIMEOUT;
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE: return HTTP_ERR_RESET;
    default: return HTTP_ERR_OTHER;
    }
}

static const char *http_error_label(http_error_t e) {
    switch (e) {
    case HTTP_ERR_CONNECT: return "cannot connect";
    case HTTP_ERR_TIMEOUT: return "timeout";
    case HTTP_ERR_RESET: return "connection reset or closed";
    case HTTP_ERR_TOO_BIG: return "response too big";
    default: return "transport error";
    }
}

int http_send(http_client_t *c, const char *base_url, const req_t *req, resp_t *resp,
              http_outcome_t *out, err_t *err) {
    CURL *h = c->h;
    memset(out, 0, sizeof *out);
    resp_reset(resp);
    c->too_big = false;
    c->errbuf[0] = '\0';
    /* curl_easy_reset keeps the connection cache: keep-alive survives across requests. */
    curl_easy_reset(h);

    buf_t url;
    buf_init(&url, REQ_MAX_TARGET + 1024);
    if (buf_adds(&url, base_url) < 0 || buf_add(&url, req->target.ptr ? req->target.ptr : "/",
                                                req->target.len ? req->target.len : 1) < 0) {
        buf_free(&url);
        return err_set(err, "request URL too long");
    }
    http_jar_t *jar = NULL;
    if (req->jar && !(jar = jar_get(c, req->jar, err))) {
        buf_free(&url);
        return -1;
    }
    struct curl_slist *hl = NULL;
    int rc = -1;
    bool oom = false;
    buf_t cookie; /* explicit Cookie headers: one CURLOPT_COOKIE, merged after the jar's */
    buf_init(&cookie, 1u << 20);
    for (size_t i = 0; i < req->nheaders && !oom; i++) {
        if (strcasecmp(req->headers[i].name, "Cookie") == 0) {
            if (buf_printf(&cookie, "%s%s", cookie.len ? "; " : "", req->headers[i].value) < 0)
                oom = true;
            continue;
        }
        buf_t line;
        buf_init(&line, 1u << 20);
        /* "Name:" alone would REMOVE a curl default header; "Name;" sends it empty. */
        if (req->headers[i].value[0])
            buf_printf(&line, "%s: %s", req->headers[i].name, req->headers[i].value);
        else
            buf_printf(&line, "%s;", req->headers[i].name);
        struct curl_slist *n = curl_slist_append(hl, buf_cstr(&line));
        buf_free(&line);
        if (!n)
            oom = true;
        else
            hl = n;
    }
    /* No "Expect: 100-continue" round trip on large bodies; no default Content-Type on raw bodies.
     */
    struct curl_slist *n2 = oom ? NULL : curl_slist_append(hl, "Expect:");
    if (n2) hl = n2;
    if (n2 && req->has_body && !req->content_type && (n2 = curl_slist_append(hl, "Content-Type:")))
        hl = n2;
    if (!n2) {
        curl_slist_free_all(hl);
        buf_free(&url);
        buf_free(&cookie);
        return err_set(err, "out of memory");
    }

    http_ctx_t ctx = {c, resp};
    curl_easy_setopt(h, CURLOPT_URL, buf_cstr(&url));
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_PROXY, "");
    curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(h, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, c->errbuf);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, http_on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &ctx);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, http_on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &ctx);
    curl_easy_setopt(h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
    curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, NULL); /* bodies exactly as sent */
    jar_attach(c, jar); /* the engine is on since http_client_new (cookie_engine_on) */
    if (cookie.len) curl_easy_setopt(h, CURLOPT_COOKIE, buf_cstr(&cookie));
    if (jar) {
        curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, http_on_debug);
        curl_easy_setopt(h, CURLOPT_DEBUGDATA, &ctx);
        curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);
    }
    long timeout = req->timeout_ms > 0 ? req->timeout_ms : 10000;
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                     timeout < HTTP_CONNECT_TIMEOUT_MS ? timeout : HTTP_CONNECT_TIMEOUT_MS);

    const char *m = req->method ? req->method : "GET";
    if (strcmp(m, "HEAD") == 0) {
        curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    } else if (strcmp(m, "GET") != 0 || req->has_body) {
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, m);
    }
    if (req->has_body) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body.len);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, req->body.ptr ? req->body.ptr : "");
    }

    CURLcode cc = curl_easy_perform(h);
    jar_attach(c, NULL); /* the share must be free to be copied or cleaned up */
    resp->url = str_dup(buf_cstr(&url));
    curl_off_t t;
    if (curl_easy_getinfo(h, CURLINFO_NAMELOOKUP_TIME_T, &t) == CURLE_OK)
        out->dns_ms = (double)t / 1000.0;
    if (curl_easy_getinfo(h, CURLINFO_CONNECT_TIME_T, &t) == CURLE_OK)
        out->connect_ms = (double)t / 1000.0;
    if (curl_easy_getinfo(h, CURLINFO_STARTTRANSFER_TIME_T, &t) == CURLE_OK)
        out->ttfb_ms = (double)t / 1000.0;
    if (curl_easy_getinfo(h, CURLINFO_TOTAL_TIME_T, &t) == CURLE_OK)
        out->total_ms = (double)t / 1000.0;
    long nconn = 0;
    if (curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &nconn) == CURLE_OK) out->reused = nconn == 0;
    resp->duration_ms = out->total_ms;
    out->curl_code = (int)cc;
    if (cc == CURLE_OK) {
        long status = 0;
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
        resp->status = status;
        rc = 0;
    } else {
        out->error = c->too_big ? HTTP_ERR_TOO_BIG : http_classify(cc);
        if (c->too_big)
            err_set(err, "%s: the body exceeds %u bytes", http_error_label(out->error),
                    HTTP_MAX_BODY);
        else
            err_set(err, "%s: %s", http_error_label(out->error),
                    c->errbuf[0] ? c->errbuf : curl_easy_strerror(cc));
        /* Whatever arrived is kept in resp for the failure block, but there is no response. */
        resp->status = 0;
    }
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
    curl_slist_free_all(hl);
    buf_free(&url);
    buf_free(&cookie);
    return rc;
}
