/*
 * quill_jwt.h: JSON Web Tokens (HS256 only).
 * Optional part of quill: include it beside quill.h when the application uses it.
 */
#ifndef QUILL_JWT_H
#define QUILL_JWT_H

#include "quill.h"

#include <cjson/cJSON.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------------------------
 * JWT HS256 (libcrypto HMAC-SHA256, constant-time signature comparison)
 * ------------------------------------------------------------------------------------------- */

typedef enum quill_jwt_err {
    QUILL_JWT_OK = 0,
    QUILL_JWT_MALFORMED, /* not three base64url parts, bad JSON, not an object */
    QUILL_JWT_BAD_ALG,   /* header alg is not HS256 (including "none") */
    QUILL_JWT_BAD_SIG,   /* signature mismatch */
    QUILL_JWT_EXPIRED,   /* exp present and <= now, or exp not a number */
    QUILL_JWT_ERROR,     /* internal failure (allocation, crypto) */
    QUILL_JWT_NOT_YET,   /* nbf or iat later than now, or not a number */
    QUILL_JWT_CRIT,      /* the header has "crit": no extension is understood (RFC 7515 4.1.11) */
} quill_jwt_err;

/* Signs `claims` (a JSON object, e.g. {"sub":"42","iat":..,"exp":..}) with header
 * {"alg":"HS256","typ":"JWT"}. Returns the token in the arena, or NULL. */
char *quill_jwt_sign(quill_arena *a, const cJSON *claims, const char *secret, size_t secret_len);
/* Verifies `token`: HS256 only, no "crit" header, signature, then the time claims against `now`
 * (seconds since the epoch; 0 means the current time): `exp` (when present) a number > now, `nbf`
 * and `iat` (when present) numbers <= now. Whether `exp` is required, and `aud`/`sub`, are the
 * app's policy (check *claims). Returns 0 when valid, with *claims (if not NULL) the parsed
 * payload, owned by the arena; -1 otherwise, with the reason in *why (if not NULL). */
int quill_jwt_verify(quill_arena *a, const char *token, size_t token_len, const char *secret,
                     size_t secret_len, int64_t now, cJSON **claims, quill_jwt_err *why);
const char *quill_jwt_strerror(quill_jwt_err e);

#ifdef __cplusplus
}
#endif
#endif /* QUILL_JWT_H */
