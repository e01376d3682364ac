/* hresp: incremental HTTP/1.1 response framing (see hresp.h). */
#include "hresp.h"

#include <string.h>

static int fail(hresp_t *p, const char *why) {
    p->state = HRESP_ERROR;
    p->error = why;
    return -1;
}

void hresp_reset(hresp_t *p, bool head_request) {
    p->state = HRESP_STATUS;
    p->head_request = head_request;
    p->status = 0;
    p->chunked = p->close = p->has_length = false;
    p->length = p->remaining = 0;
    p->head_bytes = 0;
    p->linelen = 0;
    p->error = NULL;
}

static bool ieq(const char *a, size_t n, const char *lit) {
    if (strlen(lit) != n) return false;
    for (size_t i = 0; i < n; i++) {
        char c = a[i];
        if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
        if (c != lit[i]) return false;
    }
    return true;
}

/* True if the comma-separated list value[0..n) has the token tok (case-insensitive). */
static bool has_token(const char *v, size_t n, const char *tok) {
    size_t i = 0;
    while (i < n) {
        while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ',')) i++;
        size_t s = i;
        while (i < n && v[i] != ',') i++;
        size_t e = i;
        while (e > s && (v[e - 1] == ' ' || v[e - 1] == '\t')) e--;
        if (e > s && ieq(v + s, e - s, tok)) return true;
    }
    return false;
}

static int parse_status(hresp_t *p, const char *l, size_t n) {
    /* "HTTP/1.x SP 3DIGIT [SP reason]" */
    if (n < 12 || memcmp(l, "HTTP/1.", 7) != 0 || (l[7] != '0' && l[7] != '1') || l[8] != ' ')
        return fail(p, "malformed status line");
    int st = 0;
    for (int i = 9; i < 12; i++) {
        if (l[i] < '0' || l[i] > '9') return fail(p, "malformed status code");
        st = st * 10 + (l[i] - '0');
    }
    if (st < 100 || (n > 12 && l[12] != ' ')) return fail(p, "malformed status code");
    p->status = st;
    if (l[7] == '0') p->close = true; /* HTTP/1.0 closes unless told otherwise; we never ask */
    p->state = HRESP_HEADER;
    return 0;
}

static int parse_u64(const char *s, size_t n, int base, uint64_t *out) {
    uint64_t v = 0;
    if (n == 0) return -1;
    for (size_t i = 0; i < n; i++) {
        int d;
        char c = s[i];
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (base == 16 && c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else if (base == 16 && c >= 'A' && c <= 'F')
            d = c - 'A' + 10;
        else
            return -1;
        if (v > (HRESP_MAX_BODY - (uint64_t)d) / (uint64_t)base) return -1;
        v = v * (uint64_t)base + (uint64_t)d;
    }
    *out = v;
    return 0;
}

static bool no_body(const hresp_t *p) {
    return p->head_request || p->status / 100 == 1 || p->status == 204 || p->status == 304;
}

/* The empty line after the headers: decide how the body is framed. */
static int end_of_head(hresp_t *p) {
    if (p->status / 100 == 1) { /* interim (100 Continue): the real response follows */
        bool head = p->head_request;
        hresp_reset(p, head);
        return 0;
    }
    if (no_body(p))
        p->state = HRESP_DONE;
    else if (p->chunked)
        p->state = HRESP_CHUNK_SIZE;
    else if (p->has_length) {
        p->remaining = p->length;
        p->state = p->length ? HRESP_BODY_LENGTH : HRESP_DONE;
    } else {
        p->close = true;
        p->state = HRESP_BODY_EOF;
    }
    return 0;
}

static int parse_header(hresp_t *p, const char *l, size_t n) {
    if (n == 0) return end_of_head(p);
    const char *colon = memchr(l, ':', n);
    if (!colon || colon == l) return fail(p, "malformed header line");
    size_t nl = (size_t)(colon - l);
    for (size_t i = 0; i < nl; i++)
        if (l[i] == ' ' || l[i] == '\t') return fail(p, "whitespace in a header name");
    const char *v = colon + 1, *end = l + n;
    while (v < end && (*v == ' ' || *v == '\t')) v++;
    while (end > v && (end[-1] == ' ' || end[-1] == '\t')) end--;
    size_t vn = (size_t)(end - v);
    if (ieq(l, nl, "content-length")) {
        uint64_t len;
        if (parse_u64(v, vn, 10, &len) < 0) return fail(p, "invalid Content-Length");
        if (p->has_length && len != p->length) return fail(p, "conflicting Content-Length");
        p->has_length = true;
        p->length = len;
    } else if (ieq(l, nl, "transfer-encoding")) {
        if (!has_token(v, vn, "chunked")) return fail(p, "unsupported Transfer-Encoding");
        p->chunked = true;
    } else if (ieq(l, nl, "connection")) {
        if (has_token(v, vn, "close")) p->close = true;
        if (has_token(v, vn, "keep-alive")) p->close = false;
    }
    return 0;
}

static int chunk_size(hresp_t *p, const char *l, size_t n) {
    size_t k = 0;
    while (k < n && l[k] != ';' && l[k] != ' ' && l[k] != '\t') k++; /* extensions ignored */
    uint64_t sz;
    if (parse_u64(l, k, 16, &sz) < 0) return fail(p, "invalid chunk size");
    p->remaining = sz;
    p->state = sz ? HRESP_CHUNK_DATA : HRESP_TRAILER;
    return 0;
}

/* One complete line (without CRLF) in a line-oriented state. */
static int on_line(hresp_t *p, const char *l, size_t n) {
    switch (p->state) {
    case HRESP_STATUS: return parse_status(p, l, n);
    case HRESP_HEADER: return parse_header(p, l, n);
    case HRESP_CHUNK_SIZE: return chunk_size(p, l, n);
    case HRESP_CHUNK_END:
        if (n != 0) return fail(p, "chunk data longer than its size");
        p->state = HRESP_CHUNK_SIZE;
        return 0;
    case HRESP_TRAILER:
        if (n == 0) p->state = HRESP_DONE;
        return 0;
    default: return fail(p, "internal: line in a body state");
    }
}

static bool line_state(hresp_state_t s) {
    return s == HRESP_STATUS || s == HRESP_HEADER || s == HRESP_CHUNK_SIZE ||
           s == HRESP_CHUNK_END || s == HRESP_TRAILER;
}

int hresp_feed(hresp_t *p, const char *data, size_t len, size_t *used) {
    size_t i = 0;
    while (i < len && p->state != HRESP_DONE && p->state != HRESP_ERROR) {
        if (line_state(p->state)) {
            const char *nl = memchr(data + i, '\n', len - i);
            size_t take = nl ? (size_t)(nl - (data + i)) : len - i;
            bool head = p->state == HRESP_STATUS || p->state == HRESP_HEADER;
            if (p->linelen + take >= HRESP_MAX_LINE) return fail(p, "line too long");
            if (head && (p->head_bytes += take + (nl ? 1 : 0)) > HRESP_MAX_HEAD)
                return fail(p, "response head too large");
            memcpy(p->line + p->linelen, data + i, take);
            p->linelen += take;
            i += take;
            if (!nl) break;
            i++; /* the '\n' */
            size_t n = p->linelen;
            if (n && p->line[n - 1] == '\r') n--;
            p->linelen = 0;
            if (on_line(p, p->line, n) < 0) return -1;
        } else if (p->state == HRESP_BODY_EOF) {
            i = len;
        } else { /* HRESP_BODY_LENGTH or HRESP_CHUNK_DATA: skip bytes */
            uint64_t avail = len - i, take = p->remaining < avail ? p->remaining : avail;
            i += (size_t)take;
            p->remaining -= take;
            if (p->remaining == 0)
                p->state = p->state == HRESP_CHUNK_DATA ? HRESP_CHUNK_END : HRESP_DONE;
        }
    }
    *used = i;
    if (p->state == HRESP_ERROR) return -1;
    return p->state == HRESP_DONE ? 1 : 0;
}

int hresp_eof(hresp_t *p) {
    if (p->state == HRESP_BODY_EOF) {
        p->state = HRESP_DONE;
        return 1;
    }
    if (p->state == HRESP_DONE) return 1;
    return fail(p, "connection closed before the response ended");
}
