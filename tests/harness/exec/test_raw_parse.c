/* Tests for harness/exec/raw_parse.c: the raw-step response parser. The same byte streams are fed
 * whole and one byte at a time (split reads must not change the result); pipelined answers in one
 * read; 1xx interim answers; Content-Length, chunked (extensions, trailers) and close-delimited
 * bodies; HEAD answers; early closes (inside a head, inside a body); garbage. */
#include <criterion/criterion.h>
#include <string.h>

#include "exec/raw_parse.h"

/* Feeds s in pieces of `step` bytes (0: all at once), then EOF if eof. */
static int feed(raw_parser_t *p, const char *s, size_t step, bool eof) {
    size_t n = strlen(s);
    int rc = 0;
    if (!step) step = n ? n : 1;
    for (size_t i = 0; i < n && rc == 0; i += step)
        rc = raw_parser_feed(p, s + i, n - i < step ? n - i : step, (long long)i);
    if (eof) raw_parser_eof(p, 999);
    return rc;
}

#define TWO_PIPELINED                                                                              \
    "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: 1\r\n\r\nhello"                                  \
    "HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n"                                 \
    "3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\nX-Trailer: t\r\n\r\n"

Test(raw_parse, pipelined_answers_any_split) {
    size_t steps[] = {0, 1, 2, 7, 64};
    for (size_t k = 0; k < sizeof steps / sizeof *steps; k++) {
        raw_parser_t p;
        raw_parser_init(&p, 0);
        cr_assert_eq(feed(&p, TWO_PIPELINED, steps[k], false), 0, "split %zu: %s", steps[k],
                     p.error);
        cr_assert_eq(p.nfinal, 2, "split %zu", steps[k]);
        cr_assert_eq(p.n, 2);
        cr_assert_eq(p.ans[0].resp.status, 200);
        cr_assert_str_eq(p.ans[0].resp.body.ptr, "hello");
        cr_assert_str_eq(resp_header(&p.ans[0].resp, "x-a"), "1");
        cr_assert_eq(p.ans[1].resp.status, 404);
        cr_assert(p.ans[1].chunked);
        cr_assert_str_eq(p.ans[1].resp.body.ptr, "abcde");
        cr_assert(p.ans[1].complete);
        cr_assert_not(raw_parser_partial(&p));
        raw_parser_free(&p);
    }
}

Test(raw_parse, interim_then_final) {
    raw_parser_t p;
    raw_parser_init(&p, 0);
    cr_assert_eq(feed(&p,
                      "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: "
                      "2\r\n\r\n{}",
                      3, false),
                 0);
    cr_assert_eq(p.ninterim, 1);
    cr_assert_eq(p.nfinal, 1);
    cr_assert(p.ans[0].interim);
    raw_answer_t *a = raw_parser_first_final(&p);
    cr_assert_eq(a->resp.status, 201);
    cr_assert_str_eq(a->resp.body.ptr, "{}");
    raw_parser_free(&p);
}

Test(raw_parse, close_delimited_body_ends_at_eof) {
    raw_parser_t p;
    raw_parser_init(&p, 0);
    feed(&p, "HTTP/1.0 200 OK\r\nServer: x\r\n\r\nuntil the end", 4, false);
    cr_assert_eq(p.nfinal, 0, "not complete before the close");
    cr_assert(raw_parser_partial(&p));
    raw_parser_eof(&p, 5);
    cr_assert_eq(p.nfinal, 1);
    cr_assert(p.ans[0].eof_body);
    cr_assert_str_eq(p.ans[0].resp.body.ptr, "until the end");
    cr_assert_eq(p.ans[0].done_ms, 5);
    raw_parser_free(&p);
}

Test(raw_parse, early_close_inside_head_and_body) {
    raw_parser_t p;
    raw_parser_init(&p, 0);
    feed(&p, "HTTP/1.1 200 OK\r\nContent-Le", 1, true);
    cr_assert_eq(p.nfinal, 0);
    cr_assert(raw_parser_partial(&p));
    cr_assert_null(raw_parser_first_final(&p), "no head parsed: no answer");
    raw_parser_free(&p);

    raw_parser_init(&p, 0);
    feed(&p, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", 0, true);
    cr_assert_eq(p.nfinal, 0);
    raw_answer_t *a = raw_parser_first_final(&p);
    cr_assert_not_null(a, "the head was parsed");
    cr_assert_not(a->complete);
    cr_assert_eq(a->resp.status, 200);
    cr_assert(raw_parser_partial(&p));
    raw_parser_free(&p);

    raw_parser_init(&p, 0); /* closed between two answers: the first is whole */
    feed(&p, "HTTP/1.1 204 No Content\r\n\r\n", 0, true);
    cr_assert_eq(p.nfinal, 1);
    cr_assert_not(raw_parser_partial(&p));
    raw_parser_free(&p);
}

Test(raw_parse, head_answers_have_no_body) {
    /* bit 0: the first answer is to a HEAD (its Content-Length does not frame a body) */
    raw_parser_t p;
    raw_parser_init(&p, 1);
    cr_assert_eq(feed(&p,
                      "HTTP/1.1 200 OK\r\nContent-Length: 13\r\n\r\n"
                      "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
                      5, false),
                 0, "%s", p.error);
    cr_assert_eq(p.nfinal, 2);
    cr_assert_eq(p.ans[0].resp.body.len, 0);
    cr_assert_str_eq(p.ans[1].resp.body.ptr, "ok");
    raw_parser_free(&p);

    raw_parser_init(&p, 1); /* a HEAD answer WITH a body: the body is where the next head goes */
    cr_assert_eq(feed(&p,
                      "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"
                      "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
                      0, false),
                 -1);
    cr_assert_eq(p.nfinal, 1);
    cr_assert_eq(p.state, RP_ERROR);
    cr_assert(strstr(p.error, "status line"), "%s", p.error);
    raw_parser_free(&p);
}

Test(raw_parse, garbage_and_bad_framing) {
    const char *bad[] = {
        "garbage\r\n\r\n",
        "HTTP/1.1 2x0 OK\r\n\r\n",
        "HTTP/1.1 200 OK\r\nno colon here\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
        "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabX\r\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        raw_parser_t p;
        raw_parser_init(&p, 0);
        cr_assert_eq(feed(&p, bad[i], 1, false), -1, "case %zu accepted", i);
        cr_assert_eq(p.state, RP_ERROR);
        cr_assert_neq(p.error[0], '\0');
        cr_assert_eq(raw_parser_feed(&p, "HTTP/1.1 200 OK\r\n\r\n", 19, 0), -1, "stays failed");
        raw_parser_free(&p);
    }
}

Test(raw_parse, bare_lf_answers_and_no_reason) {
    raw_parser_t p;
    raw_parser_init(&p, 0);
    cr_assert_eq(feed(&p, "HTTP/1.1 200\nContent-Length: 1\n\nx", 1, false), 0, "%s", p.error);
    cr_assert_eq(p.nfinal, 1);
    cr_assert_str_eq(p.ans[0].resp.body.ptr, "x");
    raw_parser_free(&p);
}

Test(raw_parse, caps) {
    raw_parser_t p;
    raw_parser_init(&p, 0);
    char big[RAW_MAX_HEAD + 64];
    memset(big, 'a', sizeof big - 1);
    memcpy(big, "HTTP/1.1 200 OK\r\nX: ", 20);
    big[sizeof big - 1] = '\0';
    cr_assert_eq(feed(&p, big, 4096, false), -1, "a head over RAW_MAX_HEAD fails");
    cr_assert(strstr(p.error, "64 KiB"), "%s", p.error);
    raw_parser_free(&p);
}
