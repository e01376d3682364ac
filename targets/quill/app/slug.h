/* slug: article slugs (ruling 8).
 *
 * ASCII-lower-case the title; every maximal run of bytes other than [a-z0-9] (non-ASCII bytes
 * included) becomes one '-'; trim '-' at both ends; append '-' and 8 random lower-case hex digits.
 * A title without any ASCII letter or digit gets just the 8 hex digits. */
#ifndef BLOG_SLUG_H
#define BLOG_SLUG_H

#include <stddef.h>

#define SLUG_SUFFIX_LEN 8

/* Bytes needed for the slug of a title of `title_len` bytes, NUL included. */
#define SLUG_CAP(title_len) ((title_len) + 1 + SLUG_SUFFIX_LEN + 1)

/* Writes the slug of `title` with the given 8-hex-digit `suffix` into `out`, which must hold
 * SLUG_CAP(len) bytes. Returns the slug's length. Deterministic: the unit tests use it. */
size_t slug_build(const char *title, size_t len, const char suffix[SLUG_SUFFIX_LEN], char *out);

/* Fills `suffix` with 8 random lower-case hex digits (getrandom). Returns 0 or -1. */
int slug_random_suffix(char suffix[SLUG_SUFFIX_LEN]);

#endif
