/*
 * quill_crypto.h: passwords (bcrypt) and random ids.
 * Optional part of quill: include it beside quill.h when the application uses it.
 */
#ifndef QUILL_CRYPTO_H
#define QUILL_CRYPTO_H

#include "quill.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------------------------
 * Passwords (bcrypt "$2b$" via libcrypt) and random ids
 * ------------------------------------------------------------------------------------------- */

#define QUILL_BCRYPT_HASH_LEN 61 /* 60 characters + NUL */

/* Hashes `password` with bcrypt at `cost` (4..31; 10 is the contract's). */
int quill_bcrypt_hash(const char *password, int cost, char out[QUILL_BCRYPT_HASH_LEN]);
/* true when `password` matches `hash` (constant-time comparison). */
bool quill_bcrypt_check(const char *password, const char *hash);

/* Fills `out` with `n` random bytes (getrandom). */
int quill_random_bytes(void *out, size_t n);
/* Writes `nhex` random lower-case hex digits and a NUL to out (out has nhex + 1 bytes). */
int quill_random_hex(char *out, size_t nhex);

#ifdef __cplusplus
}
#endif
#endif /* QUILL_CRYPTO_H */
