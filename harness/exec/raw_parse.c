/* raw_parse: incremental HTTP/1.x response parser (see raw_parse.h). */
#include "raw_parse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define RAW_MAX_CHUNK_LINE 4096 /* bytes of a chunk-size line (with extensions) or a trailer */

void raw_parser_init(raw_parser_t *p, unsigned long long head) {
    memset(p, 0, sizeof *p);
    buf_init(&p->in, RAW_MAX_HEAD + RAW_MAX_BODY);
    p->head = head;
}

void raw_parser_free(raw_parser_t *p) {
    for (size_t i = 0; i < p->n; i++) resp_free(&p->ans[i].resp);
    free(p->ans);
    buf_free(&p->in);
    memset(p, 0, sizeof *p);
}

static int fail(raw_parser_t *p, const char *fmt, const char *detail, size_t n) {
    buf_t m;
    buf_init(&m, 96);
    str_escape_trunc(&m, detail ? detail : "", detail ? n : 0, 60);
    snprintf(p->error, sizeof p->error, fmt, buf_cstr(&m));
    buf_free(&m);
    p->state = RP_ERROR;
    return -1;
}

static raw_answer_t *cur(raw_parser_t *p) {
    return p->n ? &p->ans[p->n - 1] : NULL;
}

static raw_answer_t *new_answer(raw_parser_t *p) {
    if (p->n == RAW_MAX_ANSWERS) return NULL;
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 4;
        raw_answer_t *a = realloc(p->ans, cap * sizeof *a);
        if (!a) return NULL;
        p->ans = a;
        p->cap = cap;
    }
    raw_answer_t *a = &p->ans[p->n++];
    memset(a, 0, sizeof *a);
    resp_init(&a->resp);
    a->resp.body.max = RAW_MAX_BODY;
    return a;
}

static void finish(raw_parser_t *p, long long now) {
    raw_answer_t *a = cur(p);
    a->complete = true;
    a->done_ms = now;
    if (a->interim)
        p->ninterim++;
    else
        p->nfinal++;
    p->state = RP_HEAD;
}

/* Parses "HTTP/1.1 200 Reason" into a->resp.status. */
static int status_line(raw_parser_t *p, raw_answer_t *a, const char *s, size_t n) {
    if (n < 12 || memcmp(s, "HTTP/", 5) != 0 || s[5] < '0' || s[5] > '9' || s[6] != '.' ||
        s[7] < '0' || s[7] > '9' || s[8] != ' ' || (n > 12 && s[12] != ' '))
        return fail(p, "not an HTTP/1.x status line: \"%s\"", s, n);
    long long code;
    if (str_to_ll_n(s + 9, 3, 100, 999, &code) == -1)
        return fail(p, "bad status code in \"%s\"", s, n);
    a->resp.status = (long)code;
    a->interim = code < 200;
    return 0;
}

/* The body framing of a final answer's head (RFC 9112 6.3, from the client's side). */
static int framing(raw_parser_t *p, raw_answer_t *a) {
    resp_t *r = &a->resp;
    long st = r->status;
    size_t k = p->nfinal < 63 ? p->nfinal : 63; /* this answer's index among the finals */
    if (a->interim || st == 204 || st == 304 || (p->head >> k & 1)) {
        p->state = RP_HEAD;
        return 1; /* complete now */
    }
    for (size_t i = 0; i < r->nheaders; i++) {
        if (strcasecmp(r->headers[i].name, "Transfer-Encoding") != 0) continue;
        const char *v = r->headers[i].value;
        size_t vl = strlen(v);
        if (vl >= 7 && strcasecmp(v + vl - 7, "chunked") == 0) {
            a->chunked = true;
            p->state = RP_CHUNK_SIZE;
            return 0;
        }
    }
    const char *cl = NULL;
    for (size_t i = 0; i < r->nheaders; i++) {
        if (strcasecmp(r->headers[i].name, "Content-Length") != 0) continue;
        if (cl && strcmp(cl, r->headers[i].value) != 0)
            return fail(p, "conflicting Content-Length headers in a response (\"%s\")", cl,
                        strlen(cl));
        cl = r->headers[i].value;
    }
    if (cl) {
        long long v;
        if (str_to_ll(cl, 0, RAW_MAX_BODY, &v) == -1 || cl[0] == '+' || cl[0] == '-')
            return fail(p, "response Content-Length \"%s\" is invalid or over the cap", cl,
                        strlen(cl));
        p->left = (unsigned long long)v;
        p->state = RP_BODY_LEN;
        return v == 0 ? 1 : 0;
    }
    a->eof_body = true;
    p->state = RP_BODY_EOF;
    return 0;
}

/* A complete head at in[0..len) (terminator included). */
static int parse_head(raw_parser_t *p, const char *s, size_t len, long long now) {
    raw_answer_t *a = new_answer(p);
    if (!a) return fail(p, "more than %s responses on one connection", "128", 3);
    const char *end = s + len;
    const char *nl = memchr(s, '\n', len);
    size_t l0 = (size_t)(nl - s);
    if (l0 && s[l0 - 1] == '\r') l0--;
    if (status_line(p, a, s, l0) == -1) { /* not an answer: drop it, keep the message */
        resp_free(&a->resp);
        p->n--;
        return -1;
    }
    for (const char *line = nl + 1; line < end;) {
        const char *e = memchr(line, '\n', (size_t)(end - line));
        size_t ll = (size_t)(e - line);
        const char *next = e + 1;
        if (ll && line[ll - 1] == '\r') ll--;
        if (ll == 0) break;
        const char *colon = memchr(line, ':', ll);
        if (!colon || colon == line || line[0] == ' ' || line[0] == '\t')
            return fail(p, "malformed response header line \"%s\"", line, ll);
        size_t vl = ll - (size_t)(colon + 1 - line);
        if (resp_add_header(&a->resp, line, (size_t)(colon - line), colon + 1, vl) == -1)
            return fail(p, "too many response headers (at \"%s\")", line, ll);
        line = next;
    }
    int r = framing(p, a);
    if (r == 1) finish(p, now);
    return r < 0 ? -1 : 0;
}

/* Length of the head at the start of in (terminator included), 0 if not all there yet. */
static size_t head_len(const char *s, size_t n) {
    for (size_t i = 0; i + 1 < n; i++) {
        if (s[i] != '\n') continue;
        if (s[i + 1] == '\n') return i + 2;
        if (i + 2 < n && s[i + 1] == '\r' && s[i + 2] == '\n') return i + 3;
    }
    return 0;
}

/* One line (up to LF) at in, or 0 when not complete; *ll = its length without CR LF. */
static size_t take_line(const char *s, size_t n, size_t *ll) {
    const char *e = memchr(s, '\n', n);
    if (!e) return 0;
    *ll = (size_t)(e - s);
    if (*ll && s[*ll - 1] == '\r') (*ll)--;
    return (size_t)(e - s) + 1;
}

static int chunk_size(raw_parser_t *p, const char *s, size_t ll) {
    unsigned long long v = 0;
    size_t i = 0;
    for (; i < ll; i++) {
        char ch = s[i];
        int d = ch >= '0' && ch <= '9'   ? ch - '0'
                : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
                : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10
                                         : -1;
        if (d < 0) break;
        if (v > RAW_MAX_BODY) return fail(p, "response chunk size \"%s\" over the cap", s, ll);
        v = v * 16 + (unsigned)d;
    }
    if (i == 0 || (i < ll && s[i] != ';' && s[i] != ' ' && s[i] != '\t'))
        return fail(p, "bad chunk-size line \"%s\" in a response", s, ll);
    p->left = v;
    p->state = v ? RP_CHUNK_DATA : RP_TRAILERS;
    return 0;
}

/* Consumes what it can of in; returns bytes consumed, or -1 on a parse error. */
static long step(raw_parser_t *p, const char *s, size_t n, long long now) {
    raw_answer_t *a = cur(p);
    size_t ll = 0, used;
    switch (p->state) {
    case RP_HEAD:
        if (n && s[0] != 'H')
            return fail(p, "the answer does not start with a status line: \"%s\"", s, n);
        if (!(used = head_len(s, n))) {
            if (n > RAW_MAX_HEAD) return fail(p, "response head over 64 KiB: \"%s\"", s, n);
            return 0;
        }
        if (used > RAW_MAX_HEAD) return fail(p, "response head over 64 KiB: \"%s\"", s, n);
        return parse_head(p, s, used, now) == -1 ? -1 : (long)used;
    case RP_BODY_LEN:
    case RP_CHUNK_DATA:
        used = n < p->left ? n : (size_t)p->left;
        if (resp_body_append(&a->resp, s, used) == -1)
            return fail(p, "response body over the cap%s", "", 0);
        p->left -= used;
        if (p->left == 0) {
            if (p->state == RP_CHUNK_DATA)
                p->state = RP_CHUNK_END;
            else
                finish(p, now);
        }
        return (long)used;
    case RP_BODY_EOF:
        if (resp_body_append(&a->resp, s, n) == -1)
            return fail(p, "response body over the cap%s", "", 0);
        return (long)n;
    case RP_CHUNK_SIZE:
    case RP_CHUNK_END:
    case RP_TRAILERS:
        if (!(used = take_line(s, n, &ll))) {
            if (n > RAW_MAX_CHUNK_LINE) return fail(p, "chunk line too long: \"%s\"", s, n);
            return 0;
        }
        if (p->state == RP_CHUNK_END) {
            if (ll) return fail(p, "no CRLF after a response chunk: \"%s\"", s, ll);
            p->state = RP_CHUNK_SIZE;
        } else if (p->state == RP_CHUNK_SIZE) {
            if (chunk_size(p, s, ll) == -1) return -1;
        } else if (ll == 0) {
            finish(p, now);
        }
        return (long)used;
    case RP_ERROR: break;
    }
    return -1;
}

int raw_parser_feed(raw_parser_t *p, const char *data, size_t n, long long now) {
    if (p->state == RP_ERROR) return -1;
    p->received += n;
    if (buf_add(&p->in, data, n) == -1) return fail(p, "more than 68 MiB of answer%s", "", 0);
    size_t off = 0;
    for (;;) {
        long used = step(p, p->in.ptr + off, p->in.len - off, now);
        if (used < 0) return -1;
        if (used == 0) break;
        off += (size_t)used;
    }
    if (off) {
        memmove(p->in.ptr, p->in.ptr + off, p->in.len - off);
        buf_truncate(&p->in, p->in.len - off);
    }
    return 0;
}

void raw_parser_eof(raw_parser_t *p, long long now) {
    if (p->eof) return;
    p->eof = true;
    if (p->state == RP_BODY_EOF) finish(p, now);
}

raw_answer_t *raw_parser_first_final(raw_parser_t *p) {
    for (size_t i = 0; i < p->n; i++)
        if (!p->ans[i].interim) return &p->ans[i];
    return NULL;
}

bool raw_parser_partial(const raw_parser_t *p) {
    return p->in.len > 0 || (p->n && !p->ans[p->n - 1].complete);
}
