/*
 * fuzz_parser.c: libFuzzer target for quill's HTTP parser (targets/quill/src/parser.c).
 *
 * Beyond "no crash", it checks the parser's contract on every input:
 * - a complete head's length is within the input, and every slice points inside it;
 * - parsing incrementally (a prefix first, then everything with last_len) gives the same answer
 *   as parsing everything at once;
 * - the chunked decoder never writes more than it read, fed whole or in two pieces alike.
 */
#include "parser.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(c)                                                                                   \
    do {                                                                                           \
        if (!(c)) abort();                                                                         \
    } while (0)

static const qp_limits limits = {256, 1024, 16};

static void check_slice(const char *base, size_t len, const char *p, size_t n) {
    CHECK(p >= base && p + n <= base + len);
}

static int parse(const char *buf, size_t len, size_t last, qp_request *r, qp_header *h,
                 int *status) {
    memset(r, 0, sizeof(*r));
    r->headers = h;
    r->num_headers_cap = 32;
    return quill__parse_request(buf, len, last, &limits, r, status);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > 1 << 16) return 0;
    char *buf = malloc(size ? size : 1);
    if (size) memcpy(buf, data, size);
    qp_header h[32], h2[32];
    qp_request r, r2;
    int status, status2;
    int n = parse(buf, size, 0, &r, h, &status);
    CHECK(n == QP_INCOMPLETE || n == QP_ERROR || (n > 0 && (size_t)n <= size));
    if (n == QP_ERROR) CHECK(status == 400 || status == 414 || status == 431);
    if (n > 0) {
        check_slice(buf, size, r.method, r.method_len);
        check_slice(buf, size, r.target, r.target_len);
        check_slice(buf, size, r.path, r.path_len);
        CHECK(r.num_headers <= limits.max_headers);
        for (size_t i = 0; i < r.num_headers; i++) {
            check_slice(buf, size, h[i].name, h[i].name_len);
            check_slice(buf, size, h[i].value, h[i].value_len);
        }
    }
    /* Incremental: a prefix of half the input, then all of it. */
    if (size > 1) {
        size_t half = size / 2;
        int p = parse(buf, half, 0, &r2, h2, &status2);
        if (p == QP_INCOMPLETE) {
            int full = parse(buf, size, half, &r2, h2, &status2);
            if (full > 0 || n > 0) CHECK(full == n);
        }
    }
    /* The rest as a chunked body, whole and then in two pieces. */
    if (n > 0 && (size_t)n < size) {
        size_t blen = size - (size_t)n;
        char *one = malloc(blen), *two = malloc(blen);
        memcpy(one, buf + n, blen);
        memcpy(two, buf + n, blen);
        qp_chunked d1 = {0}, d2 = {0};
        size_t l1 = blen;
        ssize_t r1 = quill__decode_chunked(&d1, one, &l1);
        CHECK(l1 <= blen);
        if (r1 >= 0) CHECK(l1 + (size_t)r1 <= blen);
        size_t cut = blen / 2, la = cut;
        ssize_t ra = quill__decode_chunked(&d2, two, &la);
        if (ra == QP_INCOMPLETE) {
            memmove(two + la, two + cut, blen - cut);
            size_t lb = blen - cut;
            ssize_t rb = quill__decode_chunked(&d2, two + la, &lb);
            CHECK(rb == r1 || (rb == QP_ERROR && r1 == QP_ERROR));
            if (rb >= 0) {
                CHECK(la + lb == l1);
                CHECK(memcmp(one, two, l1) == 0);
            }
        }
        free(one);
        free(two);
    }
    free(buf);
    return 0;
}
