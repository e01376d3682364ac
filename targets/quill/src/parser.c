/*
 * parser.c: HTTP/1.1 request head parser and chunked body decoder (see parser.h).
 *
 * Why written here: picohttpparser is not packaged in Debian 12, and its leniency (bare LF, any
 * Transfer-Encoding, obs-fold accepted by the caller) is exactly what request smuggling exploits.
 * This parser is strict: CRLF only, no obs-fold, no control characters in the target or names,
 * one framing (Content-Length xor chunked), a known version and, on HTTP/1.1, a Host.
 * Limits are checked on incomplete input too, so a peer never makes us buffer more than them.
 */
#include "parser.h"

#include <string.h>
#include <strings.h>

/* tchar from RFC 9110 5.6.2: the characters of methods and header names. */
static const unsigned char tchar[256] = {
    ['!'] = 1, ['#'] = 1, ['$'] = 1, ['%'] = 1, ['&'] = 1, ['\''] = 1, ['*'] = 1, ['+'] = 1,
    ['-'] = 1, ['.'] = 1, ['^'] = 1, ['_'] = 1, ['`'] = 1, ['|'] = 1,  ['~'] = 1, ['0'] = 1,
    ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1,  ['7'] = 1, ['8'] = 1,
    ['9'] = 1, ['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1,  ['F'] = 1, ['G'] = 1,
    ['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1, ['M'] = 1,  ['N'] = 1, ['O'] = 1,
    ['P'] = 1, ['Q'] = 1, ['R'] = 1, ['S'] = 1, ['T'] = 1, ['U'] = 1,  ['V'] = 1, ['W'] = 1,
    ['X'] = 1, ['Y'] = 1, ['Z'] = 1, ['a'] = 1, ['b'] = 1, ['c'] = 1,  ['d'] = 1, ['e'] = 1,
    ['f'] = 1, ['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1,  ['l'] = 1, ['m'] = 1,
    ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1, ['s'] = 1,  ['t'] = 1, ['u'] = 1,
    ['v'] = 1, ['w'] = 1, ['x'] = 1, ['y'] = 1, ['z'] = 1,
};

#define MAX_LEADING_CRLF   4 /* empty lines tolerated before a request line (RFC 9112 2.2) */
#define MAX_CONTENT_LENGTH (UINT64_C(1) << 62)

static bool ieq(const char *a, size_t alen, const char *lit) {
    size_t n = strlen(lit);
    if (alen != n) return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)a[i];
        if (c >= 'A' && c <= 'Z') c = (unsigned char)(c + 32);
        if (c != (unsigned char)lit[i]) return false;
    }
    return true;
}

/* Does the comma-separated header value contain `token` (case-insensitive)? */
static bool has_token(const char *v, size_t len, const char *token) {
    size_t i = 0;
    while (i < len) {
        while (i < len && (v[i] == ' ' || v[i] == '\t' || v[i] == ',')) i++;
        size_t s = i;
        while (i < len && v[i] != ',') i++;
        size_t e = i;
        while (e > s && (v[e - 1] == ' ' || v[e - 1] == '\t')) e--;
        if (e > s && ieq(v + s, e - s, token)) return true;
    }
    return false;
}

/* A Host value: uri-host [":" port] (RFC 9112 3.2, RFC 3986 3.2.2): an IP-literal in brackets
 * or a reg-name (unreserved, pct-encoded, sub-delims), then digits after a colon. Empty is
 * allowed (RFC 9112 3.2: an empty authority). */
static bool host_ok(const char *v, size_t n) {
    size_t i = 0;
    if (n && v[0] == '[') {
        for (i = 1; i < n && v[i] != ']'; i++)
            if (!strchr("0123456789abcdefABCDEF:.", v[i])) return false;
        if (i++ == n) return false;
    } else {
        for (; i < n && v[i] != ':'; i++) {
            unsigned char c = (unsigned char)v[i];
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  (c && strchr("-._~%!$&'()*+,;=", c))))
                return false;
        }
    }
    if (i == n) return true;
    if (v[i++] != ':') return false;
    for (; i < n; i++)
        if (v[i] < '0' || v[i] > '9') return false;
    return true;
}

static int fail(int *status, int code) {
    *status = code;
    return QP_ERROR;
}

/* Applies the framing rules once the whole head is parsed. */
static int check_semantics(qp_request *r, int *status) {
    bool seen_cl = false, seen_te = false, seen_host = false;
    bool quill__conn_close = false, conn_keep = false;
    r->body = QP_BODY_NONE;
    r->content_length = 0;
    r->expect_continue = false;
    for (size_t i = 0; i < r->num_headers; i++) {
        const qp_header *h = &r->headers[i];
        if (ieq(h->name, h->name_len, "content-length")) {
            if (h->value_len == 0 || h->value_len > 18) return fail(status, 400);
            uint64_t v = 0;
            for (size_t k = 0; k < h->value_len; k++) {
                unsigned char c = (unsigned char)h->value[k];
                if (c < '0' || c > '9') return fail(status, 400);
                v = v * 10 + (c - '0');
            }
            if (v > MAX_CONTENT_LENGTH) return fail(status, 400);
            if (seen_cl && v != r->content_length) return fail(status, 400);
            seen_cl = true;
            r->content_length = v;
        } else if (ieq(h->name, h->name_len, "transfer-encoding")) {
            /* Only a single, exact "chunked": lists ("gzip, chunked", "chunked, chunked") and
             * repeated headers are what smuggling attempts look like. */
            if (seen_te || !ieq(h->value, h->value_len, "chunked")) return fail(status, 400);
            seen_te = true;
        } else if (ieq(h->name, h->name_len, "host")) {
            if (seen_host || !host_ok(h->value, h->value_len)) return fail(status, 400);
            seen_host = true;
        } else if (ieq(h->name, h->name_len, "connection")) {
            if (has_token(h->value, h->value_len, "close")) quill__conn_close = true;
            if (has_token(h->value, h->value_len, "keep-alive")) conn_keep = true;
        } else if (ieq(h->name, h->name_len, "expect")) {
            if (ieq(h->value, h->value_len, "100-continue")) r->expect_continue = true;
        }
    }
    if (seen_cl && seen_te) return fail(status, 400);
    if (seen_te && r->minor_version == 0) return fail(status, 400);
    if (!seen_host && r->minor_version == 1) return fail(status, 400);
    if (seen_te)
        r->body = QP_BODY_CHUNKED;
    else if (seen_cl && r->content_length > 0)
        r->body = QP_BODY_LENGTH;
    r->keep_alive = r->minor_version == 1 ? !quill__conn_close : (conn_keep && !quill__conn_close);
    return 0;
}

/* Absolute-form (RFC 9112 3.2.2: a server MUST accept it, proxies send it): "http://host:port"
 * then the path and query, which r->path takes. Only the http and https schemes (any case, RFC
 * 3986 3.1) and a non-empty authority (RFC 9110 4.2.1); the Host header is still required and
 * checked as usual. An empty path ("http://h" or "http://h?q") leaves path_len at 0: the request
 * layer reads it as "/". The characters were checked by the caller (no CTL, no space). */
static int absolute_form(qp_request *r) {
    const char *t = r->target;
    size_t n = r->target_len, s;
    if (n > 7 && strncasecmp(t, "http://", 7) == 0)
        s = 7;
    else if (n > 8 && strncasecmp(t, "https://", 8) == 0)
        s = 8;
    else
        return -1;
    size_t a = s;
    while (a < n && t[a] != '/' && t[a] != '?' && t[a] != '#') a++;
    if (a == s || (a < n && t[a] == '#')) return -1; /* no host; or a fragment */
    for (size_t k = s; k < a; k++)
        if (t[k] == '@') return -1; /* userinfo is deprecated for http (RFC 9110 4.2.4) */
    r->path = t + a;
    r->path_len = n - a;
    return 0;
}

static int parse_request_line(const char *p, size_t n, qp_request *r, int *status) {
    size_t i = 0;
    while (i < n && tchar[(unsigned char)p[i]]) i++;
    if (i == 0 || i >= n || p[i] != ' ') return fail(status, 400);
    r->method = p;
    r->method_len = i;
    i++;
    size_t ts = i;
    while (i < n && p[i] != ' ') {
        unsigned char c = (unsigned char)p[i];
        if (c < 0x21 || c >= 0x7f || c == '#') /* CTLs (CR included), SP, raw non-ASCII and a
                                                  fragment are not in a request-target */
            return fail(status, 400);
        i++;
    }
    if (i == ts || i >= n) return fail(status, 400); /* empty target or missing version */
    r->target = p + ts;
    r->target_len = i - ts;
    r->path = r->target;
    r->path_len = r->target_len;
    if (r->target[0] != '/' && !(r->target_len == 1 && r->target[0] == '*') && absolute_form(r) < 0)
        return fail(status, 400); /* origin-form, absolute-form or "*" only */
    i++;
    if (n - i != 8 || memcmp(p + i, "HTTP/1.", 7) != 0) return fail(status, 400);
    if (p[i + 7] >= '1' && p[i + 7] <= '9') /* 1.2..1.9: served as 1.1 (RFC 9110 6.2) */
        r->minor_version = 1;
    else if (p[i + 7] == '0')
        r->minor_version = 0;
    else
        return fail(status, 400);
    return 0;
}

/* Parses one header line p[0..n) (without CRLF). */
static int parse_header_line(const char *p, size_t n, qp_request *r, int *status) {
    if (p[0] == ' ' || p[0] == '\t') return fail(status, 400); /* obs-fold */
    size_t i = 0;
    while (i < n && tchar[(unsigned char)p[i]]) i++;
    if (i == 0 || i >= n || p[i] != ':') return fail(status, 400); /* CTL or space in name */
    if (r->num_headers >= r->num_headers_cap) return fail(status, 431);
    qp_header *h = &r->headers[r->num_headers++];
    h->name = p;
    h->name_len = i;
    i++;
    while (i < n && (p[i] == ' ' || p[i] == '\t')) i++;
    size_t vs = i;
    for (; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if ((c < 0x20 && c != '\t') || c == 0x7f) return fail(status, 400); /* bare CR, NUL.. */
    }
    size_t ve = n;
    while (ve > vs && (p[ve - 1] == ' ' || p[ve - 1] == '\t')) ve--;
    h->value = p + vs;
    h->value_len = ve - vs;
    return 0;
}

int quill__parse_request(const char *buf, size_t len, size_t last_len, const qp_limits *lim,
                         qp_request *r, int *status) {
    *status = 0;
    size_t cap = r->num_headers_cap;
    if (cap > lim->max_headers) cap = lim->max_headers;
    size_t saved_cap = r->num_headers_cap;
    r->num_headers = 0;

    /* Fast path for a slow peer: nothing new ends a line, so only the limits can change. */
    if (last_len > 0 && last_len < len && memchr(buf + last_len, '\n', len - last_len) == NULL) {
        const char *first = memchr(buf, '\n', last_len);
        if (!first)
            return len > lim->max_request_line + MAX_LEADING_CRLF * 2 + 2 ? fail(status, 414)
                                                                          : QP_INCOMPLETE;
        /* The request line was complete before (and valid, or we would have failed then). */
        return len - (size_t)(first - buf) - 1 > lim->max_header_bytes ? fail(status, 431)
                                                                       : QP_INCOMPLETE;
    }

    size_t pos = 0;
    for (int k = 0;
         k < MAX_LEADING_CRLF && pos + 1 < len && buf[pos] == '\r' && buf[pos + 1] == '\n'; k++)
        pos += 2;

    /* Request line */
    const char *nl = memchr(buf + pos, '\n', len - pos);
    if (!nl) {
        if (len - pos > lim->max_request_line + 1) return fail(status, 414);
        /* Fail early on what cannot become a method (TLS handshakes, binary garbage) rather
         * than waiting for a line end that may never come. */
        size_t i = pos;
        while (i < len && tchar[(unsigned char)buf[i]]) i++;
        if (i < len && buf[i] != ' ') return fail(status, 400);
        /* A CR in the middle of what we have (not its last byte) cannot start a CRLF. */
        const char *cr = memchr(buf + pos, '\r', len - pos);
        if (cr && (size_t)(cr - buf) + 1 < len) return fail(status, 400);
        return QP_INCOMPLETE;
    }
    size_t eol = (size_t)(nl - buf);
    if (eol == pos || buf[eol - 1] != '\r') return fail(status, 400); /* bare LF */
    size_t line_len = eol - 1 - pos;
    if (line_len > lim->max_request_line) return fail(status, 414);
    if (parse_request_line(buf + pos, line_len, r, status) < 0) return QP_ERROR;
    pos = eol + 1;

    /* Header fields */
    size_t hstart = pos;
    r->num_headers_cap = cap;
    for (;;) {
        if (pos >= len) {
            r->num_headers_cap = saved_cap;
            return QP_INCOMPLETE;
        }
        nl = memchr(buf + pos, '\n', len - pos);
        if (!nl) {
            r->num_headers_cap = saved_cap;
            if (len - hstart > lim->max_header_bytes) return fail(status, 431);
            const char *cr = memchr(buf + pos, '\r', len - pos);
            if (cr && (size_t)(cr - buf) + 1 < len) return fail(status, 400);
            return QP_INCOMPLETE;
        }
        eol = (size_t)(nl - buf);
        if (eol + 1 - hstart > lim->max_header_bytes) {
            r->num_headers_cap = saved_cap;
            return fail(status, 431);
        }
        if (eol == pos || buf[eol - 1] != '\r') {
            r->num_headers_cap = saved_cap;
            return fail(status, 400);
        }
        if (eol - 1 == pos) break; /* the empty line */
        if (parse_header_line(buf + pos, eol - 1 - pos, r, status) < 0) {
            r->num_headers_cap = saved_cap;
            return QP_ERROR;
        }
        pos = eol + 1;
    }
    r->num_headers_cap = saved_cap;
    if (check_semantics(r, status) < 0) return QP_ERROR;
    return (int)(eol + 1);
}

/* ---- chunked bodies ------------------------------------------------------------------------ */

enum {
    CH_SIZE = 0,     /* hex digits of the chunk size */
    CH_EXT,          /* chunk extension, up to CR */
    CH_SIZE_LF,      /* LF after the size line's CR */
    CH_DATA,         /* chunk data */
    CH_DATA_CR,      /* CR after the data */
    CH_DATA_LF,      /* LF after the data */
    CH_TRAILER,      /* start of a trailer line (or the final empty line) */
    CH_TRAILER_NAME, /* a trailer field's name, up to its colon (RFC 9112 7.1.2: field lines) */
    CH_TRAILER_LINE,
    CH_TRAILER_LF,
    CH_END_LF, /* LF of the final empty line */
};

#define MAX_CHUNK_HEX     15   /* 15 hex digits: < 2^60, far above any body cap */
#define MAX_CHUNK_EXT     1024 /* bytes of chunk extensions per chunk */
#define MAX_TRAILER_BYTES 8192 /* bytes of the trailer section */

static int hexval(unsigned char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

ssize_t quill__decode_chunked(qp_chunked *d, char *buf, size_t *len) {
    size_t i = 0, o = 0, n = *len;
    while (i < n) {
        unsigned char c = (unsigned char)buf[i];
        switch (d->state) {
        case CH_SIZE: {
            int v = hexval(c);
            if (v >= 0) {
                if (++d->hex_digits > MAX_CHUNK_HEX) return QP_ERROR;
                d->remaining = d->remaining * 16 + (size_t)v;
                i++;
                break;
            }
            if (d->hex_digits == 0) return QP_ERROR;
            if (c == ';') {
                d->state = CH_EXT;
                d->trailer_bytes = 0;
                i++;
            } else if (c == '\r') {
                d->state = CH_SIZE_LF;
                i++;
            } else {
                return QP_ERROR; /* spaces, bare LF, garbage */
            }
            break;
        }
        case CH_EXT:
            if (c == '\r') {
                d->state = CH_SIZE_LF;
            } else if ((c < 0x20 && c != '\t') || c == 0x7f || ++d->trailer_bytes > MAX_CHUNK_EXT) {
                return QP_ERROR;
            }
            i++;
            break;
        case CH_SIZE_LF:
            if (c != '\n') return QP_ERROR;
            i++;
            d->hex_digits = 0;
            d->trailer_bytes = 0;
            d->state = d->remaining == 0 ? CH_TRAILER : CH_DATA;
            break;
        case CH_DATA: {
            size_t take = n - i < d->remaining ? n - i : d->remaining;
            if (o != i) memmove(buf + o, buf + i, take);
            o += take;
            i += take;
            d->remaining -= take;
            if (d->remaining == 0) d->state = CH_DATA_CR;
            break;
        }
        case CH_DATA_CR:
            if (c != '\r') return QP_ERROR;
            d->state = CH_DATA_LF;
            i++;
            break;
        case CH_DATA_LF:
            if (c != '\n') return QP_ERROR;
            d->state = CH_SIZE;
            i++;
            break;
        case CH_TRAILER:
            if (c == '\r') {
                d->state = CH_END_LF;
                i++;
                break;
            }
            if (c == ':') return QP_ERROR; /* an empty field name */
            d->state = CH_TRAILER_NAME;
            /* fallthrough */
        case CH_TRAILER_NAME:
            if (++d->trailer_bytes > MAX_TRAILER_BYTES) return QP_ERROR;
            if (c == ':')
                d->state = CH_TRAILER_LINE;
            else if (!tchar[c])
                return QP_ERROR; /* not "name:": a malformed trailer line */
            i++;
            break;
        case CH_TRAILER_LINE:
            if (++d->trailer_bytes > MAX_TRAILER_BYTES) return QP_ERROR;
            if (c == '\r')
                d->state = CH_TRAILER_LF;
            else if ((c < 0x20 && c != '\t') || c == 0x7f)
                return QP_ERROR;
            i++;
            break;
        case CH_TRAILER_LF:
            if (c != '\n') return QP_ERROR;
            d->state = CH_TRAILER;
            i++;
            break;
        case CH_END_LF: {
            if (c != '\n') return QP_ERROR;
            i++;
            size_t left = n - i;
            if (left && o != i) memmove(buf + o, buf + i, left);
            *len = o;
            return (ssize_t)left;
        }
        default: return QP_ERROR;
        }
    }
    *len = o;
    return QP_INCOMPLETE;
}
