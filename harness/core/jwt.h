/* jwt: JSON Web Tokens (RFC 7519) as the blog contract uses them, for the `{{jwt(...)}}` template
 * function (tmpl.h): HS256 / HS384 / HS512 signed with libcrypto's HMAC, and the unsecured
 * `alg: none` (RFC 7518 3.6: empty signature) that a server must refuse.
 *
 * Tokens are built, never verified: the harness forges tokens to check that targets reject the bad
 * ones (expired, wrong key, other algorithm, unknown user) and accept a good one.
 *
 * Ownership: jwt_sign appends to the caller's buf_t; jwt_payload and jwt_tmpl return new cJSON
 * trees (cJSON_Delete). */
#ifndef PARITY_JWT_H
#define PARITY_JWT_H

#include <stddef.h>
#include <cjson/cJSON.h>

#include "util.h"

#define JWT_MAX_TOKEN     (64u << 10) /* bytes of a token built or decoded */
#define JWT_MAX_SECRET    4096        /* bytes of a key */
#define JWT_DEFAULT_EXP_S 3600        /* a forged token is valid this long unless exp= says */

/* Appends base64url(header).base64url(claims).base64url(signature) to out; the header is
 * {"alg":ALG,"typ":"JWT"} plus the members of header_extra (NULL: none; replacing), the claims
 * compact JSON in their order (numbers as written).
 * alg: "HS256", "HS384", "HS512" or "none" (empty signature; secret unused). */
int jwt_sign(buf_t *out, const char *alg, const cJSON *header_extra, const cJSON *claims,
             const char *secret, size_t slen, err_t *err);
/* The payload of token (its second part) parsed as JSON, unverified: a new object, or NULL with
 * err set when token is not three base64url parts with a JSON object in the middle (the message
 * has no prefix: callers say where the token came from). */
cJSON *jwt_payload(const char *token, err_t *err);

/* The template function: args is an object of evaluated arguments (tmpl.c checked the names and
 * literal types at load):
 *   from    a token whose claims are the starting point (e.g. one a target issued), else {}
 *   sub     the `sub` claim (kept with its JSON type)
 *   iat     seconds relative to now (default 0 without from; kept from `from` otherwise)
 *   exp     seconds relative to now (default JWT_DEFAULT_EXP_S without from; kept otherwise)
 *   nbf     seconds relative to now (absent unless given or in from)
 *   claims  a string holding a JSON object merged into the claims last (any types: '{"aud":"x"}',
 *           '{"exp":"1900000000"}')
 *   header  a string holding a JSON object merged into the header ('{"crit":["exp"]}')
 *   omit    claim names separated by ',' removed at the very end ('exp')
 *   alg     HS256 (default), HS384, HS512, none
 *   secret  the key (default: default_secret, the `secret` variable; NULL: an error saying how to
 *           give one)
 * now is the current Unix time. Returns a new string node holding the token. */
cJSON *jwt_tmpl(const cJSON *args, const cJSON *default_secret, long long now, err_t *err);

#endif
