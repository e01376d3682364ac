/*
 * response.c: response helpers (status, headers, bodies) and the serialization of the head.
 * The response lives in the connection; names, values and copied bodies live in the request arena.
 * Serialization avoids printf on the hot path: it is a handful of memcpy and one integer format.
 */
#include "internal.h"

#include <string.h>
#include <strings.h>

void quill__res_init(quill_res *res, quill_arena *a) {
    res->status = 204;
    res->content_type = NULL;
    res->body = NULL;
    res->body_len = 0;
    res->nheaders = 0;
    res->set = false;
    res->failed = false;
    res->arena = a;
}

void quill_res_set_status(quill_res *res, int status) {
    if (status < 100 || status > 599) status = 500;
    res->status = status;
    res->set = true;
}

int quill_res_get_status(const quill_res *res) {
    return res->status;
}

static bool header_name_ok(const char *n) {
    if (!*n) return false;
    for (; *n; n++) {
        unsigned char c = (unsigned char)*n;
        if (c <= 0x20 || c >= 0x7f || c == ':') return false;
    }
    return true;
}

static bool header_value_ok(const char *v) {
    for (; *v; v++) {
        unsigned char c = (unsigned char)*v;
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return false; /* no CR/LF: no response splitting */
    }
    return true;
}

/* Appends a validated header: name and value copied together in one arena allocation. */
static int add_checked(quill_res *res, const char *name, size_t nl, const char *value, size_t vl) {
    if (res->nheaders == QUILL_MAX_RES_HEADERS) return -1;
    char *n = quill_arena_alloc(res->arena, nl + vl + 2);
    if (!n) return -1;
    memcpy(n, name, nl + 1);
    char *v = n + nl + 1;
    memcpy(v, value, vl + 1);
    res->headers[res->nheaders++] = (res_header){n, v, nl, vl};
    return 0;
}

int quill_res_add_header(quill_res *res, const char *name, const char *value) {
    if (!header_name_ok(name) || !header_value_ok(value)) return -1;
    return add_checked(res, name, strlen(name), value, strlen(value));
}

int quill_res_set_header(quill_res *res, const char *name, const char *value) {
    if (!header_name_ok(name) || !header_value_ok(value)) return -1;
    size_t nl = strlen(name), o = 0;
    for (size_t i = 0; i < res->nheaders; i++)
        if (res->headers[i].name_len != nl || strcasecmp(res->headers[i].name, name) != 0)
            res->headers[o++] = res->headers[i];
    res->nheaders = o;
    return add_checked(res, name, nl, value, strlen(value));
}

quill_str quill_res_get_header(const quill_res *res, const char *name) {
    for (size_t i = 0; i < res->nheaders; i++)
        if (strcasecmp(res->headers[i].name, name) == 0)
            return (quill_str){res->headers[i].value, res->headers[i].value_len};
    return (quill_str){NULL, 0};
}

int quill_res_body_ref(quill_res *res, int status, const char *content_type, const void *body,
                       size_t len) {
    quill_res_set_status(res, status);
    res->content_type = content_type;
    res->body = body;
    res->body_len = len;
    return 0;
}

int quill_res_body(quill_res *res, int status, const char *content_type, const void *body,
                   size_t len) {
    char *copy = quill_arena_alloc(res->arena, len ? len : 1);
    if (!copy) {
        res->failed = true;
        return -1;
    }
    if (len) memcpy(copy, body, len);
    return quill_res_body_ref(res, status, content_type, copy, len);
}

int quill_res_text(quill_res *res, int status, const char *text) {
    return quill_res_body(res, status, QUILL_CT_TEXT, text, strlen(text));
}

int quill_res_textn(quill_res *res, int status, const char *text, size_t len) {
    return quill_res_body(res, status, QUILL_CT_TEXT, text, len);
}

int quill_res_html(quill_res *res, int status, const char *html, size_t len) {
    return quill_res_body(res, status, QUILL_CT_HTML, html, len);
}

int quill_res_json(quill_res *res, int status, const char *json, size_t len) {
    return quill_res_body(res, status, QUILL_CT_JSON, json, len);
}

int quill_res_cjson(quill_res *res, int status, const cJSON *item) {
    char *s = cJSON_PrintUnformatted(item);
    if (!s) {
        res->failed = true;
        return -1;
    }
    int rc = quill_res_json(res, status, s, strlen(s));
    cJSON_free(s);
    return rc;
}

int quill_res_empty(quill_res *res, int status) {
    return quill_res_body_ref(res, status, NULL, NULL, 0);
}

const char *quill_reason(int status) {
    switch (status) {
    case 100: return "Continue";
    case 101: return "Switching Protocols";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 411: return "Length Required";
    case 412: return "Precondition Failed";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 417: return "Expectation Failed";
    case 422: return "Unprocessable Content";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default: return "Unknown";
    }
}

/* Whether a status carries no body and no Content-Length (RFC 9110 8.6). */
static bool bodyless(int status) {
    return status < 200 || status == 204 || status == 304;
}

size_t quill__res_head_size(const quill_res *res) {
    size_t n = 128 + 64; /* status line, Date, Server value budget, Content-Length, Connection */
    if (res->content_type) n += 16 + strlen(res->content_type);
    for (size_t i = 0; i < res->nheaders; i++)
        n += res->headers[i].name_len + res->headers[i].value_len + 4;
    return n;
}

static char *put(char *o, const char *s, size_t n) {
    memcpy(o, s, n);
    return o + n;
}

#define PUTLIT(o, lit) put((o), (lit), sizeof(lit) - 1)

static char *put_uint(char *o, uint64_t v) {
    char tmp[24];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n) *o++ = tmp[--n];
    return o;
}

int quill__res_serialize_head(const quill_res *res, const char *server, bool keep_alive,
                              bool http10, char *out, size_t cap) {
    /* HEAD keeps the GET's Content-Length; the caller drops the body. */
    size_t server_len = strlen(server);
    if (quill__res_head_size(res) + server_len > cap) return -1;
    const char *reason = quill_reason(res->status);
    char *o = out;
    o = PUTLIT(o, "HTTP/1.1 ");
    o = put_uint(o, (uint64_t)res->status);
    *o++ = ' ';
    o = put(o, reason, strlen(reason));
    o = PUTLIT(o, "\r\nServer: ");
    o = put(o, server, server_len);
    o = PUTLIT(o, "\r\nDate: ");
    quill_str date = quill_http_date();
    o = put(o, date.ptr, date.len);
    if (res->content_type && !bodyless(res->status)) {
        o = PUTLIT(o, "\r\nContent-Type: ");
        o = put(o, res->content_type, strlen(res->content_type));
    }
    if (!bodyless(res->status)) {
        o = PUTLIT(o, "\r\nContent-Length: ");
        o = put_uint(o, res->body_len);
    }
    for (size_t i = 0; i < res->nheaders; i++) {
        const res_header *h = &res->headers[i];
        o = PUTLIT(o, "\r\n");
        o = put(o, h->name, h->name_len);
        o = PUTLIT(o, ": ");
        o = put(o, h->value, h->value_len);
    }
    if (!keep_alive)
        o = PUTLIT(o, "\r\nConnection: close");
    else if (http10)
        o = PUTLIT(o, "\r\nConnection: keep-alive"); /* 1.0 closes by default */
    o = PUTLIT(o, "\r\n\r\n");
    return (int)(o - out);
}
