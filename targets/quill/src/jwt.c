/*
 * jwt.c: JSON Web Tokens, HS256 only (RFC 7519 / 7515), with libcrypto's HMAC-SHA256.
 * Verification order: shape (three base64url parts, JSON objects), algorithm (exactly "HS256":
 * "none" and every other alg are refused, so a token cannot choose how it is checked), signature
 * (constant-time comparison), then `exp`, `nbf` and `iat` against the clock. A "crit" header is
 * refused (after the algorithm, before the signature): quill implements no JWS extension.
 */
#include "internal.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <string.h>

#define JWT_MAX_LEN 8192 /* longer tokens are malformed: no allocation driven by hostile input */

static const char B64URL[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int quill__b64url_encode(quill_buf *b, const unsigned char *in, size_t n) {
    char out[4];
    size_t i = 0;
    for (; i + 3 <= n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        out[0] = B64URL[v >> 18];
        out[1] = B64URL[(v >> 12) & 63];
        out[2] = B64URL[(v >> 6) & 63];
        out[3] = B64URL[v & 63];
        if (quill_buf_append(b, out, 4) < 0) return -1;
    }
    if (n - i == 1) {
        uint32_t v = (uint32_t)in[i] << 16;
        out[0] = B64URL[v >> 18];
        out[1] = B64URL[(v >> 12) & 63];
        if (quill_buf_append(b, out, 2) < 0) return -1;
    } else if (n - i == 2) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
        out[0] = B64URL[v >> 18];
        out[1] = B64URL[(v >> 12) & 63];
        out[2] = B64URL[(v >> 6) & 63];
        if (quill_buf_append(b, out, 3) < 0) return -1;
    }
    return 0;
}

static int b64val(unsigned char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '-') return 62;
    if (c == '_') return 63;
    return -1;
}

/* Decodes unpadded base64url into out (capacity n*3/4+1); returns the length or -1. */
long quill__b64url_decode(const char *in, size_t n, unsigned char *out) {
    if (n % 4 == 1) return -1;
    size_t o = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        int v = b64val((unsigned char)in[i]);
        if (v < 0) return -1;
        acc = acc << 6 | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (unsigned char)(acc >> bits);
            acc &= (1u << bits) - 1;
        }
    }
    return (long)o;
}

int quill__hmac256(const char *secret, size_t slen, const char *data, size_t n,
                   unsigned char mac[32]) {
    unsigned int len = 0;
    if (!HMAC(EVP_sha256(), secret, (int)slen, (const unsigned char *)data, n, mac, &len) ||
        len != 32)
        return -1;
    return 0;
}

/* base64url of {"alg":"HS256","typ":"JWT"} */
static const char HEADER_B64[] = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9";

char *quill_jwt_sign(quill_arena *a, const cJSON *claims, const char *secret, size_t secret_len) {
    if (!claims || !cJSON_IsObject(claims)) return NULL;
    char *payload = cJSON_PrintUnformatted(claims);
    if (!payload) return NULL;
    quill_buf b;
    quill_buf_init(&b, a);
    int rc = quill_buf_append(&b, HEADER_B64, sizeof(HEADER_B64) - 1);
    if (rc == 0) rc = quill_buf_putc(&b, '.');
    if (rc == 0) rc = quill__b64url_encode(&b, (const unsigned char *)payload, strlen(payload));
    cJSON_free(payload);
    unsigned char mac[32];
    if (rc == 0) rc = quill__hmac256(secret, secret_len, b.ptr, b.len, mac);
    if (rc == 0) rc = quill_buf_putc(&b, '.');
    if (rc == 0) rc = quill__b64url_encode(&b, mac, sizeof(mac));
    return rc == 0 ? b.ptr : NULL;
}

static void json_delete(void *p) {
    cJSON_Delete(p);
}

/* Decodes one part into a cJSON object (owned by the arena); NULL if not an object. */
static cJSON *decode_part(quill_arena *a, const char *p, size_t n) {
    unsigned char *raw = quill_arena_alloc(a, n * 3 / 4 + 2);
    if (!raw) return NULL;
    long len = quill__b64url_decode(p, n, raw);
    if (len <= 0) return NULL;
    cJSON *j = cJSON_ParseWithLength((const char *)raw, (size_t)len);
    if (!j) return NULL;
    if (quill_arena_defer(a, json_delete, j) < 0) {
        cJSON_Delete(j);
        return NULL;
    }
    return cJSON_IsObject(j) ? j : NULL;
}

static quill_jwt_err jwt_check(quill_arena *a, const char *token, size_t token_len,
                               const char *secret, size_t secret_len, int64_t now, cJSON **claims) {
    if (claims) *claims = NULL;
    if (!token || token_len == 0 || token_len > JWT_MAX_LEN) return QUILL_JWT_MALFORMED;
    const char *d1 = memchr(token, '.', token_len);
    if (!d1) return QUILL_JWT_MALFORMED;
    const char *d2 = memchr(d1 + 1, '.', token_len - (size_t)(d1 + 1 - token));
    if (!d2) return QUILL_JWT_MALFORMED;
    const char *end = token + token_len;
    if (memchr(d2 + 1, '.', (size_t)(end - d2 - 1))) return QUILL_JWT_MALFORMED;
    size_t hlen = (size_t)(d1 - token), plen = (size_t)(d2 - d1 - 1), slen = (size_t)(end - d2 - 1);
    if (hlen == 0 || plen == 0 || slen == 0) return QUILL_JWT_MALFORMED;

    cJSON *header = decode_part(a, token, hlen);
    if (!header) return QUILL_JWT_MALFORMED;
    cJSON *payload = decode_part(a, d1 + 1, plen);
    if (!payload) return QUILL_JWT_MALFORMED;
    const cJSON *alg = cJSON_GetObjectItemCaseSensitive(header, "alg");
    if (!cJSON_IsString(alg) || strcmp(alg->valuestring, "HS256") != 0) return QUILL_JWT_BAD_ALG;
    /* A "crit" header lists extensions the recipient MUST understand; quill understands none. */
    if (cJSON_GetObjectItemCaseSensitive(header, "crit")) return QUILL_JWT_CRIT;

    unsigned char sig[64], mac[32];
    if (slen > 86) return QUILL_JWT_BAD_SIG;
    long sl = quill__b64url_decode(d2 + 1, slen, sig);
    if (sl < 0) return QUILL_JWT_MALFORMED;
    if (quill__hmac256(secret, secret_len, token, (size_t)(d2 - token), mac) < 0)
        return QUILL_JWT_ERROR;
    if (sl != 32 || CRYPTO_memcmp(sig, mac, 32) != 0) return QUILL_JWT_BAD_SIG;

    /* Not time(): it reads the coarse clock, which can lag CLOCK_REALTIME by a tick, so a token
     * stamped with iat = this second by quill_now_ms() would look issued in the future. */
    if (now == 0) now = quill_now_ms() / 1000;
    const cJSON *exp = cJSON_GetObjectItemCaseSensitive(payload, "exp");
    if (exp && (!cJSON_IsNumber(exp) || exp->valuedouble <= (double)now)) return QUILL_JWT_EXPIRED;
    static const char *const not_after_now[] = {"nbf", "iat"};
    for (size_t i = 0; i < 2; i++) {
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(payload, not_after_now[i]);
        if (t && (!cJSON_IsNumber(t) || t->valuedouble > (double)now)) return QUILL_JWT_NOT_YET;
    }
    if (claims) *claims = payload;
    return QUILL_JWT_OK;
}

int quill_jwt_verify(quill_arena *a, const char *token, size_t token_len, const char *secret,
                     size_t secret_len, int64_t now, cJSON **claims, quill_jwt_err *why) {
    quill_jwt_err e = jwt_check(a, token, token_len, secret, secret_len, now, claims);
    if (why) *why = e;
    return e == QUILL_JWT_OK ? 0 : -1;
}

const char *quill_jwt_strerror(quill_jwt_err e) {
    switch (e) {
    case QUILL_JWT_OK: return "ok";
    case QUILL_JWT_MALFORMED: return "malformed token";
    case QUILL_JWT_BAD_ALG: return "algorithm is not HS256";
    case QUILL_JWT_BAD_SIG: return "bad signature";
    case QUILL_JWT_EXPIRED: return "token expired";
    case QUILL_JWT_ERROR: return "internal error";
    case QUILL_JWT_NOT_YET: return "token not yet valid (nbf or iat)";
    case QUILL_JWT_CRIT: return "unsupported critical header";
    }
    return "unknown error";
}
