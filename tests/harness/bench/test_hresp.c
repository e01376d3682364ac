/* hresp: response framing for the open-loop engine, fed whole and byte by byte. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "bench/hresp.h"

static hresp_t p;

/* Feeds s in pieces of `step` bytes; returns the parser's last result and the bytes it used. */
static int feed(const char *s, size_t step, bool head, size_t *used_total) {
    hresp_reset(&p, head);
    size_t n = strlen(s), off = 0;
    int rc = 0;
    while (off < n) {
        size_t k = n - off < step ? n - off : step, used;
        rc = hresp_feed(&p, s + off, k, &used);
        off += used;
        if (rc != 0) break;
        cr_assert_eq(used, k, "a partial feed must be consumed whole");
    }
    *used_total = off;
    return rc;
}

/* Complete in every split, and exactly at the end of the response (extra bytes untouched). */
static void assert_frames(const char *resp, const char *extra, bool head, int status) {
    char all[4096];
    snprintf(all, sizeof all, "%s%s", resp, extra);
    for (size_t step = 1; step <= strlen(all); step++) {
        size_t used;
        int rc = feed(all, step, head, &used);
        cr_assert_eq(rc, 1, "step %zu: rc %d (%s)", step, rc, p.error ? p.error : "");
        cr_assert_eq(used, strlen(resp), "step %zu: used %zu of %zu", step, used, strlen(resp));
        cr_assert_eq(p.status, status);
    }
}

Test(hresp, content_length) {
    assert_frames("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", "HTTP/1.1", false, 200);
    cr_assert_not(p.close);
}

Test(hresp, chunked_with_extensions_and_trailers) {
    assert_frames("HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n"
                  "5;ext=1\r\nhello\r\n1A\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nX-T: 1\r\n\r\n",
                  "junk", false, 201);
}

Test(hresp, chunked_wins_over_content_length) {
    assert_frames("HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n"
                  "2\r\nok\r\n0\r\n\r\n",
                  "", false, 200);
}

Test(hresp, no_body_for_head_204_304_and_interim_responses_skipped) {
    assert_frames("HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n", "more", true, 200);
    assert_frames("HTTP/1.1 204 No Content\r\nContent-Length: 50\r\n\r\n", "", false, 204);
    assert_frames("HTTP/1.1 304 Not Modified\r\n\r\n", "", false, 304);
    assert_frames("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", "",
                  false, 200);
}

Test(hresp, body_until_close) {
    size_t used;
    cr_assert_eq(feed("HTTP/1.1 200 OK\r\n\r\nsome body", 3, false, &used), 0);
    cr_assert(p.close);
    cr_assert_eq(hresp_eof(&p), 1);
    /* a truncated Content-Length body is an error at EOF */
    cr_assert_eq(feed("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nabc", 4, false, &used), 0);
    cr_assert_eq(hresp_eof(&p), -1);
}

Test(hresp, connection_close_and_http10) {
    size_t used;
    cr_assert_eq(
        feed("HTTP/1.1 200 OK\r\nConnection: Close\r\nContent-Length: 0\r\n\r\n", 7, false, &used),
        1);
    cr_assert(p.close);
    cr_assert_eq(feed("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", 100, false, &used), 1);
    cr_assert(p.close);
    cr_assert_eq(feed("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n", 100,
                      false, &used),
                 1);
    cr_assert_not(p.close);
}

Test(hresp, protocol_errors) {
    static const char *const bad[] = {
        "HTTP/2 200 OK\r\n\r\n",
        "HTTP/1.1 20 OK\r\n\r\n",
        "HTTP/1.1 200OK\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
        "HTTP/1.1 200 OK\r\nNo colon here\r\n\r\n",
        "HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nokX\r\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        size_t used;
        cr_assert_eq(feed(bad[i], 1, false, &used), -1, "accepted: %s", bad[i]);
        cr_assert_not_null(p.error);
    }
}

Test(hresp, limits) {
    static char big[HRESP_MAX_HEAD + 64];
    size_t used;
    snprintf(big, sizeof big, "HTTP/1.1 200 OK\r\nX: %0*d\r\n\r\n", HRESP_MAX_LINE, 0);
    cr_assert_eq(feed(big, 4096, false, &used), -1);
    /* many short headers: the head cap */
    size_t n = (size_t)snprintf(big, sizeof big, "HTTP/1.1 200 OK\r\n");
    while (n + 16 < sizeof big - 8)
        n += (size_t)snprintf(big + n, sizeof big - n, "X-A: 12345678\r\n");
    snprintf(big + n, sizeof big - n, "\r\n");
    cr_assert_eq(feed(big, 4096, false, &used), -1);
}
