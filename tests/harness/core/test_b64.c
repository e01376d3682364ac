/* Tests for harness/b64.c: RFC 4648 vectors both alphabets, strict decoding errors. */
#include <criterion/criterion.h>
#include <string.h>

#include "core/b64.h"

static void enc(const char *in, bool url, const char *want) {
    buf_t b;
    buf_init(&b, 0);
    cr_assert_eq(b64_encode(&b, in, strlen(in), url), 0);
    cr_assert_str_eq(buf_cstr(&b), want, "%s", in);
    buf_free(&b);
}

static void dec_ok(const char *in, bool url, const char *want, size_t wlen) {
    buf_t b;
    buf_init(&b, 0);
    err_t e;
    cr_assert_eq(b64_decode(&b, in, strlen(in), url, &e), 0, "%s: %s", in, e.msg);
    cr_assert_eq(b.len, wlen, "%s: %zu bytes", in, b.len);
    cr_assert_eq(memcmp(buf_cstr(&b), want, wlen), 0, "%s", in);
    buf_free(&b);
}

static void dec_bad(const char *in, bool url, const char *want_msg) {
    buf_t b;
    buf_init(&b, 0);
    err_t e;
    cr_assert_eq(b64_decode(&b, in, strlen(in), url, &e), -1, "%s decoded", in);
    cr_assert_str_eq(e.msg, want_msg, "%s", in);
    buf_free(&b);
}

Test(b64, rfc4648_vectors) {
    const char *in[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
    const char *std[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
    const char *url[] = {"", "Zg", "Zm8", "Zm9v", "Zm9vYg", "Zm9vYmE", "Zm9vYmFy"};
    for (size_t i = 0; i < 7; i++) {
        enc(in[i], false, std[i]);
        enc(in[i], true, url[i]);
        dec_ok(std[i], false, in[i], strlen(in[i]));
        dec_ok(url[i], true, in[i], strlen(in[i]));
        dec_ok(std[i], true, in[i], strlen(in[i])); /* url accepts padding too */
    }
}

Test(b64, alphabets_and_binary) {
    /* 0xfb 0xff 0xbf: "+/+/" in the standard alphabet, "-_-_" in the url one. */
    enc("\xfb\xff\xbf", false, "+/+/");
    enc("\xfb\xff\xbf", true, "-_-_");
    dec_ok("+/+/", false, "\xfb\xff\xbf", 3);
    dec_ok("-_-_", true, "\xfb\xff\xbf", 3);
    dec_ok("AP8A", false, "\x00\xff\x00", 3); /* NULs kept */
}

Test(b64, strict_errors) {
    dec_bad("Zg", false, "base64: length 2 is not a valid encoded length");
    dec_bad("Zm9v=", false, "base64: length 5 is not a valid encoded length");
    dec_bad("Zm 9", false, "base64: invalid character at offset 2 (standard alphabet)");
    dec_bad("-_-_", false, "base64: invalid character at offset 0 (standard alphabet)");
    dec_bad("+/+/", true, "base64: invalid character at offset 0 (url alphabet)");
    dec_bad("Zm9vY", true, "base64: length 5 is not a valid encoded length");
    dec_bad("Zg=", true, "base64: length 3 is not a valid encoded length");
    dec_bad("Z===", false, "base64: invalid character at offset 1 (standard alphabet)");
}

Test(b64, decode_respects_the_cap) {
    buf_t b;
    buf_init(&b, 2);
    err_t e;
    cr_assert_eq(b64_decode(&b, "Zm9v", 4, false, &e), -1);
    cr_assert_str_eq(e.msg, "base64: decoded data over 2 bytes");
    buf_free(&b);
}
