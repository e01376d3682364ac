/* test_jwt.c: targets/quill/src/jwt.c — sign/verify round trip, a known vector, tampered payload
 * and signature, wrong key, alg "none" and other algorithms, expiry, malformed tokens. */
#include "quill.h"
#include "quill_jwt.h"

#include <criterion/criterion.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <string.h>
#include <time.h>

static quill_arena *a;
static void setup(void) {
    a = quill_arena_new(1024);
}
static void teardown(void) {
    quill_arena_free(a);
}
TestSuite(jwt, .init = setup, .fini = teardown);

static const char KEY[] = "secret";

static char *sign(const char *claims_json) {
    cJSON *c = cJSON_Parse(claims_json);
    char *t = quill_jwt_sign(a, c, KEY, strlen(KEY));
    cJSON_Delete(c);
    cr_assert_not_null(t);
    return t;
}

/* The reason quill_jwt_verify gives, checking that its return value agrees with it. */
static quill_jwt_err why_of(const char *t, size_t n, const char *k, size_t kn, int64_t now,
                            cJSON **claims) {
    quill_jwt_err why = QUILL_JWT_ERROR;
    int rc = quill_jwt_verify(a, t, n, k, kn, now, claims, &why);
    cr_assert_eq(rc, why == QUILL_JWT_OK ? 0 : -1, "return value and reason disagree");
    return why;
}

static quill_jwt_err verify(const char *t, cJSON **claims) {
    return why_of(t, strlen(t), KEY, strlen(KEY), 0, claims);
}

Test(jwt, round_trip) {
    char *t = sign("{\"sub\":\"42\",\"iat\":1700000000,\"exp\":4102444800}");
    cJSON *claims = NULL;
    cr_assert_eq(verify(t, &claims), QUILL_JWT_OK);
    cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(claims, "sub")->valuestring, "42");
}

Test(jwt, known_vector_from_jwt_io) {
    /* HS256, key "your-256-bit-secret", the jwt.io example token */
    const char *tok =
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6Ik"
        "pvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";
    const char *k = "your-256-bit-secret";
    cJSON *claims;
    cr_assert_eq(why_of(tok, strlen(tok), k, strlen(k), 0, &claims), QUILL_JWT_OK);
    cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(claims, "name")->valuestring, "John Doe");
    cr_assert_eq(why_of(tok, strlen(tok), "other", 5, 0, NULL), QUILL_JWT_BAD_SIG);
}

Test(jwt, tampered_payload_or_signature) {
    char *t = sign("{\"sub\":\"1\"}");
    char *p1 = strchr(t, '.') + 1;
    /* replace the payload with {"sub":"2"} (eyJzdWIiOiIyIn0) keeping the signature */
    char *p2 = strchr(p1, '.');
    char forged[512];
    snprintf(forged, sizeof(forged), "%.*s.eyJzdWIiOiIyIn0%s", (int)(p1 - 1 - t), t, p2);
    cr_assert_eq(verify(forged, NULL), QUILL_JWT_BAD_SIG);
    char sig_flip[512];
    snprintf(sig_flip, sizeof(sig_flip), "%s", t);
    char *last = sig_flip + strlen(sig_flip) - 2;
    *last = *last == 'A' ? 'B' : 'A';
    cr_assert_eq(verify(sig_flip, NULL), QUILL_JWT_BAD_SIG);
    cr_assert_eq(why_of(t, strlen(t), "secreT", 6, 0, NULL), QUILL_JWT_BAD_SIG);
}

Test(jwt, alg_none_and_others_refused) {
    /* {"alg":"none","typ":"JWT"} . {"sub":"1"} . (empty) */
    cr_assert_eq(verify("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiIxIn0.", NULL),
                 QUILL_JWT_MALFORMED, "no signature at all");
    cr_assert_eq(verify("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiIxIn0.AAAA", NULL),
                 QUILL_JWT_BAD_ALG);
    /* {"alg":"HS512"} with a valid HS256 signature over it must still be refused */
    const char *hdr = "eyJhbGciOiJIUzUxMiJ9", *pl = "eyJzdWIiOiIxIn0";
    char input[128], tok[256];
    snprintf(input, sizeof(input), "%s.%s", hdr, pl);
    unsigned char mac[32];
    unsigned int ml;
    HMAC(EVP_sha256(), KEY, (int)strlen(KEY), (unsigned char *)input, strlen(input), mac, &ml);
    unsigned char b64[64];
    int n = EVP_EncodeBlock(b64, mac, 32);
    for (int i = 0; i < n; i++) b64[i] = b64[i] == '+' ? '-' : b64[i] == '/' ? '_' : b64[i];
    while (n && b64[n - 1] == '=') n--;
    snprintf(tok, sizeof(tok), "%s.%.*s", input, n, b64);
    cr_assert_eq(verify(tok, NULL), QUILL_JWT_BAD_ALG);
    /* {"alg":"hs256"}: case matters */
    cr_assert_eq(verify("eyJhbGciOiJoczI1NiJ9.eyJzdWIiOiIxIn0.AAAA", NULL), QUILL_JWT_BAD_ALG);
}

Test(jwt, expiry) {
    char *t = sign("{\"sub\":\"1\",\"exp\":1000}");
    cr_assert_eq(verify(t, NULL), QUILL_JWT_EXPIRED);
    cr_assert_eq(why_of(t, strlen(t), KEY, 6, 999, NULL), QUILL_JWT_OK, "now < exp");
    cr_assert_eq(why_of(t, strlen(t), KEY, 6, 1000, NULL), QUILL_JWT_EXPIRED,
                 "exp == now is expired");
    t = sign("{\"sub\":\"1\",\"exp\":\"4102444800\"}");
    cr_assert_eq(verify(t, NULL), QUILL_JWT_EXPIRED, "a non-numeric exp is not trusted");
    char claims[128];
    snprintf(claims, sizeof(claims), "{\"exp\":%lld}", (long long)time(NULL) + 60);
    cr_assert_eq(verify(sign(claims), NULL), QUILL_JWT_OK);
}

Test(jwt, nbf_and_iat_not_in_the_future) {
    char *t = sign("{\"nbf\":2000}");
    cr_assert_eq(why_of(t, strlen(t), KEY, 6, 1999, NULL), QUILL_JWT_NOT_YET);
    t = sign("{\"nbf\":2000,\"iat\":2000,\"exp\":3000}");
    cr_assert_eq(why_of(t, strlen(t), KEY, 6, 2000, NULL), QUILL_JWT_OK, "nbf == now");
    t = sign("{\"iat\":2001}");
    cr_assert_eq(why_of(t, strlen(t), KEY, 6, 2000, NULL), QUILL_JWT_NOT_YET);
    t = sign("{\"iat\":\"1000\"}");
    cr_assert_eq(why_of(t, strlen(t), KEY, 6, 2000, NULL), QUILL_JWT_NOT_YET,
                 "a string iat is not trusted");
}

Test(jwt, crit_header_refused) {
    /* {"alg":"HS256","crit":["exp"]} signed correctly: an extension we cannot honour is
     * declared critical */
    const char *hdr = "eyJhbGciOiJIUzI1NiIsImNyaXQiOlsiZXhwIl19", *pl = "eyJzdWIiOiIxIn0";
    char input[128], tok[256];
    snprintf(input, sizeof(input), "%s.%s", hdr, pl);
    unsigned char mac[32];
    unsigned int ml;
    HMAC(EVP_sha256(), KEY, (int)strlen(KEY), (unsigned char *)input, strlen(input), mac, &ml);
    unsigned char b64[64];
    int n = EVP_EncodeBlock(b64, mac, 32);
    for (int i = 0; i < n; i++) b64[i] = b64[i] == '+' ? '-' : b64[i] == '/' ? '_' : b64[i];
    while (n && b64[n - 1] == '=') n--;
    snprintf(tok, sizeof(tok), "%s.%.*s", input, n, b64);
    cr_assert_eq(verify(tok, NULL), QUILL_JWT_CRIT);
}

Test(jwt, malformed) {
    const char *bad[] = {"",
                         "abc",
                         "a.b",
                         "a.b.c.d",
                         "..",
                         "eyJhbGciOiJIUzI1NiJ9..x",
                         "!!!.eyJzdWIiOiIxIn0.AAAA",
                         "eyJhbGciOiJIUzI1NiJ9.bm90IGpzb24.AAAA",
                         "WzFd.eyJzdWIiOiIxIn0.AAAA" /* header is a list */};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        cr_assert_eq(verify(bad[i], NULL), QUILL_JWT_MALFORMED, "token \"%s\"", bad[i]);
    static char huge[10000];
    memset(huge, 'a', sizeof(huge) - 1);
    cr_assert_eq(verify(huge, NULL), QUILL_JWT_MALFORMED);
}
