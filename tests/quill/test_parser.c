/* test_parser.c: targets/quill/src/parser.c — valid, pipelined, incremental and chunked requests,
 * and every rejected form (limits, smuggling vectors, malformed lines) with its exact status. */
#include "parser.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

static qp_header hdrs[128];
static const qp_limits LIM = {8192, 32768, 100};

static int parse_lim(const char *s, size_t len, const qp_limits *lim, qp_request *r, int *status) {
    memset(r, 0, sizeof(*r));
    r->headers = hdrs;
    r->num_headers_cap = 128;
    return quill__parse_request(s, len, 0, lim, r, status);
}

static int parse(const char *s, qp_request *r, int *status) {
    return parse_lim(s, strlen(s), &LIM, r, status);
}

/* Asserts that `s` is rejected with `want`. */
static void rejects(const char *s, int want) {
    qp_request r;
    int status = 0;
    int n = parse(s, &r, &status);
    cr_assert_eq(n, QP_ERROR, "accepted (%d): %s", n, s);
    cr_assert_eq(status, want, "status %d, want %d for: %s", status, want, s);
}

Test(parser, minor_versions_above_1_are_1_1_and_hosts_with_ports) {
    /* RFC 9110 6.2: a higher minor version is served as the highest one implemented. */
    const char *ok[] = {"GET / HTTP/1.2\r\nHost: a\r\n\r\n", "GET / HTTP/1.9\r\nHost: a:80\r\n\r\n",
                        "GET / HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n",
                        "GET / HTTP/1.1\r\nHost: www.example.com\r\n\r\n",
                        "GET / HTTP/1.1\r\nHost:\r\n\r\n"};
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
        qp_request r;
        int status = 0;
        cr_assert_gt(parse(ok[i], &r, &status), 0, "rejected (%d): %s", status, ok[i]);
        cr_assert_eq(r.minor_version, 1);
    }
}

Test(parser, simple_get) {
    const char *s = "GET /users/42?x=1 HTTP/1.1\r\nHost: example.com\r\nX-A:  spaced  \r\n\r\n";
    qp_request r;
    int st;
    int n = parse(s, &r, &st);
    cr_assert_eq(n, (int)strlen(s));
    cr_assert_eq(r.method_len, 3);
    cr_assert(!memcmp(r.method, "GET", 3));
    cr_assert_eq(r.target_len, strlen("/users/42?x=1"));
    cr_assert(!memcmp(r.target, "/users/42?x=1", r.target_len));
    cr_assert_eq(r.minor_version, 1);
    cr_assert_eq(r.num_headers, 2);
    cr_assert_eq(r.headers[1].value_len, 6, "OWS around values is trimmed");
    cr_assert(!memcmp(r.headers[1].value, "spaced", 6));
    cr_assert_eq(r.body, QP_BODY_NONE);
    cr_assert(r.keep_alive);
}

Test(parser, incomplete_then_complete) {
    const char *s = "POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello";
    size_t head = strlen(s) - 5;
    qp_request r;
    int st;
    for (size_t cut = 0; cut < head; cut++) {
        int n = parse_lim(s, cut, &LIM, &r, &st);
        cr_assert_eq(n, QP_INCOMPLETE, "prefix of %zu bytes", cut);
        /* and incrementally, resuming from the previous length */
        memset(&r, 0, sizeof(r));
        r.headers = hdrs;
        r.num_headers_cap = 128;
        int m = quill__parse_request(s, head, cut, &LIM, &r, &st);
        cr_assert_eq(m, (int)head, "resume from %zu", cut);
    }
    int n = parse(s, &r, &st);
    cr_assert_eq(n, (int)head);
    cr_assert_eq(r.body, QP_BODY_LENGTH);
    cr_assert_eq(r.content_length, 5);
}

Test(parser, pipelined_requests_one_at_a_time) {
    const char *s =
        "GET /a HTTP/1.1\r\nHost: a\r\n\r\nGET /b HTTP/1.1\r\nHost: a\r\n\r\nGET /c HTTP/1.1\r\n";
    qp_request r;
    int st;
    size_t off = 0, len = strlen(s);
    const char *want[] = {"/a", "/b"};
    for (int i = 0; i < 2; i++) {
        int n = parse_lim(s + off, len - off, &LIM, &r, &st);
        cr_assert_gt(n, 0);
        cr_assert_eq(r.target_len, 2);
        cr_assert(!memcmp(r.target, want[i], 2));
        off += (size_t)n;
    }
    cr_assert_eq(parse_lim(s + off, len - off, &LIM, &r, &st), QP_INCOMPLETE);
}

Test(parser, http10_and_connection) {
    qp_request r;
    int st;
    cr_assert_gt(parse("GET / HTTP/1.0\r\n\r\n", &r, &st), 0, "Host is optional on 1.0");
    cr_assert(!r.keep_alive);
    cr_assert_gt(parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", &r, &st), 0);
    cr_assert(r.keep_alive);
    cr_assert_gt(parse("GET / HTTP/1.1\r\nHost: a\r\nConnection: foo, close\r\n\r\n", &r, &st), 0);
    cr_assert(!r.keep_alive);
    cr_assert_gt(
        parse("POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-Continue\r\nContent-Length: 1\r\n\r\n", &r,
              &st),
        0);
    cr_assert(r.expect_continue);
}

Test(parser, leading_empty_lines_and_options_star) {
    qp_request r;
    int st;
    cr_assert_gt(parse("\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", &r, &st), 0);
    cr_assert_gt(parse("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n", &r, &st), 0);
}

Test(parser, same_content_length_twice_is_fine) {
    qp_request r;
    int st;
    cr_assert_gt(
        parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\n", &r,
              &st),
        0);
    cr_assert_eq(r.content_length, 3);
}

Test(parser, chunked_header) {
    qp_request r;
    int st;
    cr_assert_gt(parse("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\n\r\n", &r, &st),
                 0);
    cr_assert_eq(r.body, QP_BODY_CHUNKED);
}

/* ---- rejections -------------------------------------------------------------------------- */

Test(parser, smuggling_vectors_are_400) {
    rejects("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
            400);
    rejects("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n",
            400);
    rejects("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", 400);
    rejects("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\n\r\n", 400);
    rejects("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\n", 400);
    rejects("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0x5\r\n\r\n", 400);
    rejects("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: \r\n\r\n", 400);
    rejects("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999\r\n\r\n", 400);
    rejects("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", 400);
    rejects("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 400);
    rejects("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, chunked\r\n\r\n", 400);
    rejects("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: "
            "chunked\r\n\r\n",
            400);
    rejects("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding : chunked\r\n\r\n", 400);
    rejects("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\n", 400);
    rejects("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400);
    rejects("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400);
}

Test(parser, malformed_lines_are_400) {
    rejects("GET / HTTP/1.1\r\nHost: a\rX: b\r\n\r\n", 400);          /* bare CR in a value */
    rejects("GET / HTTP/1.1\rHost: a\r\n\r\n", 400);                  /* bare CR in the line */
    rejects("GET / HTTP/1.1\nHost: a\n\n", 400);                      /* bare LF */
    rejects("GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n", 400);  /* obs-fold */
    rejects("GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n\tb\r\n\r\n", 400); /* obs-fold with tab */
    rejects("GET / HTTP/1.1\r\nHost: a\r\nX\x01Y: b\r\n\r\n", 400);   /* CTL in a name */
    rejects("GET / HTTP/1.1\r\nHost: a\r\nX Y: b\r\n\r\n", 400);      /* space in a name */
    rejects("GET / HTTP/1.1\r\nHost: a\r\n: b\r\n\r\n", 400);         /* empty name */
    rejects("GET / HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n", 400);
    rejects("GET / HTTP/1.1\r\nHost: a\r\nX: a\x7f\r\n\r\n", 400); /* DEL in a value */
    rejects("GET /a\x01 HTTP/1.1\r\nHost: a\r\n\r\n", 400);        /* CTL in the target */
    rejects("GET /a\x7f HTTP/1.1\r\nHost: a\r\n\r\n", 400);
    rejects("GET /a b HTTP/1.1\r\nHost: a\r\n\r\n", 400); /* space in the target */
    rejects("GET /\r\n\r\n", 400);                        /* HTTP/0.9: no version */
    rejects("GET / \r\nHost: a\r\n\r\n", 400);
    rejects("GET / HTTP/2.0\r\nHost: a\r\n\r\n", 400);         /* unknown version */
    rejects("GET /\xc3\xa9 HTTP/1.1\r\nHost: a\r\n\r\n", 400); /* raw non-ASCII (RFC 9112 3.2) */
    rejects("GET /a#frag HTTP/1.1\r\nHost: a\r\n\r\n", 400);   /* a fragment */
    rejects("GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400);       /* invalid Host (RFC 9112 3.2) */
    rejects("GET / HTTP/1.1\r\nHost: u@a\r\n\r\n", 400);
    rejects("GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", 400);
    rejects("GET / HTTP/1.1\r\nHost: a:port\r\n\r\n", 400);
    rejects("GET / HTTP/1.1\r\nHost: [::1\r\n\r\n", 400);
    rejects("GET / http/1.1\r\nHost: a\r\n\r\n", 400);
    rejects("GET / HTTP/1.1 \r\nHost: a\r\n\r\n", 400);
    rejects("GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400);
    rejects("G(T / HTTP/1.1\r\nHost: a\r\n\r\n", 400); /* not a token */
    rejects(" GET / HTTP/1.1\r\nHost: a\r\n\r\n", 400);
    rejects("GET foo HTTP/1.1\r\nHost: a\r\n\r\n", 400); /* not origin-form */
    rejects("GET / HTTP/1.1\r\n\r\n", 400);              /* no Host on 1.1 */
}

/* Absolute-form (RFC 9112 3.2.2, a server MUST accept it): the target is kept as sent and
 * `path` is the origin-form part after the authority. */
static void absolute(const char *target, const char *want_path) {
    char req[512];
    snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", target);
    qp_request r;
    int st = 0;
    int n = parse(req, &r, &st);
    cr_assert_eq(n, (int)strlen(req), "rejected (%d, status %d): %s", n, st, target);
    cr_assert_eq(r.target_len, strlen(target));
    cr_assert(!memcmp(r.target, target, r.target_len));
    cr_assert_eq(r.path_len, strlen(want_path), "path of %s: %.*s", target, (int)r.path_len,
                 r.path);
    cr_assert(!memcmp(r.path, want_path, r.path_len), "path of %s", target);
    cr_assert(r.path >= r.target && r.path + r.path_len == r.target + r.target_len);
}

Test(parser, absolute_form_is_accepted) {
    absolute("http://127.0.0.1:22000/api/tags", "/api/tags");
    absolute("http://example.com/a/b?x=1&y=%20", "/a/b?x=1&y=%20");
    absolute("HTTPS://example.com:443/", "/");
    absolute("http://example.com", ""); /* empty path: the request layer reads "/" */
    absolute("http://example.com?q=1", "?q=1");
    absolute("http://[::1]:80/p", "/p");
    /* origin-form keeps path == target */
    qp_request r;
    int st;
    cr_assert_gt(parse("GET /x?y HTTP/1.1\r\nHost: a\r\n\r\n", &r, &st), 0);
    cr_assert(r.path == r.target && r.path_len == r.target_len);
}

Test(parser, absolute_form_rejections) {
    rejects("GET http://a/\x01 HTTP/1.1\r\nHost: a\r\n\r\n", 400); /* CTL, as in origin-form */
    rejects("GET http://a/\x7f HTTP/1.1\r\nHost: a\r\n\r\n", 400);
    rejects("GET http://a\x01b/ HTTP/1.1\r\nHost: a\r\n\r\n", 400);
    rejects("GET http:///x HTTP/1.1\r\nHost: a\r\n\r\n", 400); /* no host */
    rejects("GET http:// HTTP/1.1\r\nHost: a\r\n\r\n", 400);
    rejects("GET http://u@a/x HTTP/1.1\r\nHost: a\r\n\r\n", 400); /* userinfo */
    rejects("GET http://a#f HTTP/1.1\r\nHost: a\r\n\r\n", 400);   /* fragment */
    rejects("GET ftp://a/x HTTP/1.1\r\nHost: a\r\n\r\n", 400);    /* not http(s) */
    rejects("GET http:/a/x HTTP/1.1\r\nHost: a\r\n\r\n", 400);
    rejects("GET http://a/x HTTP/1.1\r\n\r\n", 400); /* Host still required on 1.1 */
}

Test(parser, request_line_limit_is_414) {
    static char buf[20000];
    memcpy(buf, "GET /", 5);
    memset(buf + 5, 'a', 9000);
    snprintf(buf + 9005, sizeof(buf) - 9005, " HTTP/1.1\r\nHost: a\r\n\r\n");
    rejects(buf, 414);
    /* and before the line is complete: no waiting for more bytes */
    qp_request r;
    int st;
    cr_assert_eq(parse_lim(buf, 8300, &LIM, &r, &st), QP_ERROR);
    cr_assert_eq(st, 414);
    /* exactly at the limit is accepted */
    qp_limits small = {32, 1024, 10};
    const char *ok = "GET /aaaaaaaaaaaaaaaaaa HTTP/1.1\r\nHost: a\r\n\r\n"; /* line = 32 */
    cr_assert_gt(parse_lim(ok, strlen(ok), &small, &r, &st), 0);
    const char *ko = "GET /aaaaaaaaaaaaaaaaaaa HTTP/1.1\r\nHost: a\r\n\r\n";
    cr_assert_eq(parse_lim(ko, strlen(ko), &small, &r, &st), QP_ERROR);
    cr_assert_eq(st, 414);
}

Test(parser, header_block_limit_is_431) {
    static char buf[40000];
    size_t o = (size_t)snprintf(buf, sizeof(buf), "GET / HTTP/1.1\r\nHost: a\r\nX-Big: ");
    memset(buf + o, 'b', 33000);
    o += 33000;
    snprintf(buf + o, sizeof(buf) - o, "\r\n\r\n");
    rejects(buf, 431);
    qp_request r;
    int st;
    cr_assert_eq(parse_lim(buf, 32900, &LIM, &r, &st), QP_ERROR, "incomplete but over the limit");
    cr_assert_eq(st, 431);
}

Test(parser, too_many_headers_is_431) {
    static char buf[8000];
    size_t o = (size_t)snprintf(buf, sizeof(buf), "GET / HTTP/1.1\r\nHost: a\r\n");
    for (int i = 0; i < 100; i++) o += (size_t)snprintf(buf + o, sizeof(buf) - o, "X-%d: v\r\n", i);
    snprintf(buf + o, sizeof(buf) - o, "\r\n");
    rejects(buf, 431); /* 101 headers */
    o = (size_t)snprintf(buf, sizeof(buf), "GET / HTTP/1.1\r\nHost: a\r\n");
    for (int i = 0; i < 99; i++) o += (size_t)snprintf(buf + o, sizeof(buf) - o, "X-%d: v\r\n", i);
    snprintf(buf + o, sizeof(buf) - o, "\r\n");
    qp_request r;
    int st;
    cr_assert_gt(parse(buf, &r, &st), 0, "exactly 100 headers are fine");
    cr_assert_eq(r.num_headers, 100);
}

/* ---- chunked decoding -------------------------------------------------------------------- */

static ssize_t decode_all(const char *in, char *out, size_t *len) {
    qp_chunked d = {0};
    *len = strlen(in);
    memcpy(out, in, *len);
    return quill__decode_chunked(&d, out, len);
}

Test(chunked, decodes_with_extensions_and_trailers) {
    char buf[256];
    size_t len;
    ssize_t left =
        decode_all("5;name=val\r\nhello\r\n6\r\n world\r\n0\r\nX-T: 1\r\n\r\nNEXT", buf, &len);
    cr_assert_eq(left, 4);
    cr_assert_eq(len, 11);
    cr_assert(!memcmp(buf, "hello world", 11));
    cr_assert(!memcmp(buf + 11, "NEXT", 4), "the rest follows the decoded body");
    left = decode_all("A\r\n0123456789\r\n0\r\n\r\n", buf, &len);
    cr_assert_eq(left, 0);
    cr_assert_eq(len, 10);
}

Test(chunked, byte_by_byte_equals_whole) {
    const char *in = "3\r\nabc\r\n10\r\n0123456789abcdef\r\n0\r\n\r\n";
    char buf[128];
    qp_chunked d = {0};
    size_t n = strlen(in), decoded = 0;
    ssize_t rc = QP_INCOMPLETE;
    for (size_t i = 0; i < n; i++) {
        buf[decoded] = in[i];
        size_t len = 1;
        rc = quill__decode_chunked(&d, buf + decoded, &len);
        decoded += len;
        if (i + 1 < n) cr_assert_eq(rc, QP_INCOMPLETE, "at byte %zu", i);
    }
    cr_assert_eq(rc, 0);
    cr_assert_eq(decoded, 19);
    cr_assert(!memcmp(buf, "abc0123456789abcdef", 19));
}

Test(chunked, rejects_bad_framing) {
    const char *bad[] = {
        "x\r\n",                               /* not hex */
        "\r\n",                                /* no size */
        "5\nhello\r\n0\r\n\r\n",               /* bare LF after size */
        "5\r\nhelloX\r\n0\r\n\r\n",            /* data longer than announced */
        "5 \r\nhello\r\n0\r\n\r\n",            /* space after size */
        "-1\r\n",                              /* negative */
        "1000000000000000\r\n",                /* 16 hex digits: overflow guard */
        "5\r\nhello\r\n0\r\nX: a\rb\r\n\r\n",  /* bare CR in a trailer */
        "5\r\nhello\r\n0\r\nno colon\r\n\r\n", /* a trailer line that is not a field */
        "5\r\nhello\r\n0\r\n: v\r\n\r\n",      /* a trailer with an empty name */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char buf[128];
        size_t len;
        cr_assert_eq(decode_all(bad[i], buf, &len), QP_ERROR, "accepted: %s", bad[i]);
    }
}

Test(chunked, incomplete) {
    char buf[64];
    size_t len;
    cr_assert_eq(decode_all("5\r\nhel", buf, &len), QP_INCOMPLETE);
    cr_assert_eq(len, 3);
    cr_assert(!memcmp(buf, "hel", 3));
}
