/* b64: base64 (RFC 4648 section 4) and base64url (section 5) encoding and strict decoding.
 *
 * Written here rather than taken from libcrypto because EVP_DecodeBlock skips whitespace, returns
 * the length padding included, and has no url alphabet; JWTs need base64url without padding and
 * spec files need a decoder that rejects anything that is not canonical-looking base64 so that a
 * typo in a `"body": {"base64": ...}` is a load error, not silently different bytes.
 *
 * Ownership: the caller's buf_t receives the output (appended). */
#ifndef PARITY_B64_H
#define PARITY_B64_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

/* Appends the encoding of p[0..n). url: the url alphabet (- _) and no '=' padding. */
int b64_encode(buf_t *out, const void *p, size_t n, bool url);
/* Appends the bytes s[0..n) decodes to. Standard: length a multiple of 4, '=' only as the last
 * one or two characters. url: the url alphabet, padding optional. -1 (err names the offset of the
 * first bad character) on anything else, or past out->max. */
int b64_decode(buf_t *out, const char *s, size_t n, bool url, err_t *err);

#endif
