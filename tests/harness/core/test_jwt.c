/* Tests for harness/jwt.c: HMAC signatures against known vectors (RFC 7515 A.1 style, jwt.io),
 * alg none, claims from an existing token, relative times, and the errors. */
#include <criterion/criterion.h>
#include <string.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "core/b64.h"
#include "core/jsonloc.h"
#include "core/jwt.h"

static cJSON *json(const char *s) {
    err_t e;
    cJSON *j = jl_parse(s, strlen(s), NULL, 0, NULL, &e);
    cr_assert_not_null(j, "%s", e.msg);
    return j;
}

/* The jwt.io example: {"alg":"HS256","typ":"JWT"} {"sub":"1234567890","name":"John Doe",
 * "iat":1516239022} with "your-256-bit-secret", a signature every JWT library reproduces. */
Test(jwt, hs256_known_vector) {
    cJSON *c = json("{\"sub\":\"1234567890\",\"name\":\"John Doe\",\"iat\":1516239022}");
    buf_t b;
    buf_init(&b, 0);
    err_t e;
    const char *key = "your-256-bit-secret";
    cr_assert_eq(jwt_sign(&b, "HS256", NULL, c, key, strlen(key), &e), 0, "%s", e.msg);
    cr_assert_str_eq(buf_cstr(&b),
                     "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
                     "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ."
                     "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c");
    buf_free(&b);
    cJSON_Delete(c);
}

/* HS384/HS512: checked against an independent HMAC of the signing input. */
static void check_hs(const char *alg, const EVP_MD *md, size_t sig_b64_len) {
    cJSON *c = json("{\"sub\":\"7\"}");
    buf_t b;
    buf_init(&b, 0);
    err_t e;
    cr_assert_eq(jwt_sign(&b, alg, NULL, c, "k", 1, &e), 0, "%s", e.msg);
    const char *tok = buf_cstr(&b), *dot = strrchr(tok, '.');
    cr_assert_eq(strlen(dot + 1), sig_b64_len, "%s signature length", alg);
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned mlen;
    HMAC(md, "k", 1, (const unsigned char *)tok, (size_t)(dot - tok), mac, &mlen);
    buf_t want;
    buf_init(&want, 0);
    b64_encode(&want, mac, mlen, true);
    cr_assert_str_eq(dot + 1, buf_cstr(&want), "%s", alg);
    char hdr[64];
    snprintf(hdr, sizeof hdr, "{\"alg\":\"%s\",\"typ\":\"JWT\"}", alg);
    buf_t h;
    buf_init(&h, 0);
    b64_encode(&h, hdr, strlen(hdr), true);
    cr_assert(strncmp(tok, buf_cstr(&h), h.len) == 0 && tok[h.len] == '.', "%s header", alg);
    buf_free(&h);
    buf_free(&want);
    buf_free(&b);
    cJSON_Delete(c);
}

Test(jwt, hs384_hs512) {
    check_hs("HS256", EVP_sha256(), 43);
    check_hs("HS384", EVP_sha384(), 64);
    check_hs("HS512", EVP_sha512(), 86);
}

Test(jwt, alg_none_has_an_empty_signature) {
    cJSON *c = json("{\"sub\":\"1\"}");
    buf_t b;
    buf_init(&b, 0);
    err_t e;
    cr_assert_eq(jwt_sign(&b, "none", NULL, c, NULL, 0, &e), 0, "%s", e.msg);
    cr_assert_str_eq(buf_cstr(&b), "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiIxIn0.");
    cr_assert_eq(jwt_sign(&b, "RS256", NULL, c, "k", 1, &e), -1);
    cr_assert_str_eq(e.msg, "jwt: unknown alg \"RS256\" (HS256, HS384, HS512 or none)");
    buf_free(&b);
    cJSON_Delete(c);
}

Test(jwt, payload_decoding) {
    err_t e;
    cJSON *p = jwt_payload("eyJhbGciOiJub25lIn0.eyJzdWIiOiI0MiIsImV4cCI6OX0.sig", &e);
    cr_assert_not_null(p, "%s", e.msg);
    cr_assert_str_eq(cJSON_GetObjectItem(p, "sub")->valuestring, "42");
    cJSON_Delete(p);
    cr_assert_null(jwt_payload("not-a-jwt", &e));
    cr_assert_str_eq(e.msg, "\"not-a-jwt\" is not a JWT (three parts separated by '.')");
    cr_assert_null(jwt_payload("a.b.c.d", &e));
    cr_assert_null(jwt_payload("a.!!.c", &e));
    cr_assert_str_eq(e.msg, "base64: invalid character at offset 0 (url alphabet)");
    cr_assert_null(jwt_payload("a.WzFd.c", &e)); /* [1] */
    cr_assert_str_eq(e.msg, "the payload is not a JSON object");
}

/* Decodes the claims of a token made by jwt_tmpl. */
static cJSON *claims_of(cJSON *tok) {
    cr_assert(cJSON_IsString(tok));
    err_t e;
    cJSON *p = jwt_payload(tok->valuestring, &e);
    cr_assert_not_null(p, "%s", e.msg);
    return p;
}

Test(jwt, template_defaults_and_relative_times) {
    cJSON *args = json("{\"sub\": \"42\", \"exp\": -3600}");
    cJSON *secret = cJSON_CreateString("s3cret");
    err_t e;
    cJSON *tok = jwt_tmpl(args, secret, 1700000000, &e);
    cr_assert_not_null(tok, "%s", e.msg);
    cJSON *p = claims_of(tok);
    buf_t b;
    buf_init(&b, 0);
    jl_print(p, &b);
    cr_assert_str_eq(buf_cstr(&b), "{\"sub\":\"42\",\"iat\":1700000000,\"exp\":1699996400}");
    /* signed with the default secret */
    buf_t want;
    buf_init(&want, 0);
    cr_assert_eq(jwt_sign(&want, "HS256", NULL, p, "s3cret", 6, &e), 0);
    cr_assert_str_eq(tok->valuestring, buf_cstr(&want));
    buf_free(&want);
    buf_free(&b);
    cJSON_Delete(p);
    cJSON_Delete(tok);
    cJSON_Delete(args);
    /* no exp given: valid for JWT_DEFAULT_EXP_S; an integer sub stays an integer */
    args = json("{\"sub\": 7}");
    tok = jwt_tmpl(args, secret, 100, &e);
    p = claims_of(tok);
    cr_assert_eq(cJSON_GetObjectItem(p, "exp")->valuedouble, 100 + JWT_DEFAULT_EXP_S);
    cr_assert(cJSON_IsNumber(cJSON_GetObjectItem(p, "sub")));
    cJSON_Delete(p);
    cJSON_Delete(tok);
    cJSON_Delete(args);
    cJSON_Delete(secret);
}

Test(jwt, template_from_keeps_claims_and_overrides) {
    err_t e;
    /* a token as a target issues it: {"sub":"5","iat":10,"exp":20,"x":true} */
    cJSON *c = json("{\"sub\":\"5\",\"iat\":10,\"exp\":20,\"x\":true}");
    buf_t issued;
    buf_init(&issued, 0);
    cr_assert_eq(jwt_sign(&issued, "HS256", NULL, c, "target-key", 10, &e), 0);
    char text[1024];
    snprintf(text, sizeof text, "{\"from\": \"%s\", \"exp\": 60, \"alg\": \"HS512\"}",
             buf_cstr(&issued));
    cJSON *args = json(text);
    cJSON *tok = jwt_tmpl(args, NULL, 1000, &e);
    cr_assert_null(tok, "no secret and none given");
    cr_assert(strstr(e.msg, "secret key is unknown") && strstr(e.msg, "--secret NAME=KEY"), "%s",
              e.msg);
    cJSON_AddStringToObject(args, "secret", "other");
    tok = jwt_tmpl(args, NULL, 1000, &e);
    cr_assert_not_null(tok, "%s", e.msg);
    cJSON *p = claims_of(tok);
    buf_t b;
    buf_init(&b, 0);
    jl_print(p, &b);
    cr_assert_str_eq(buf_cstr(&b), "{\"sub\":\"5\",\"iat\":10,\"x\":true,\"exp\":1060}");
    cr_assert(str_starts_with(tok->valuestring, "eyJhbGciOiJIUzUxMiIsInR5cCI6IkpXVCJ9."));
    buf_free(&b);
    cJSON_Delete(p);
    cJSON_Delete(tok);
    cJSON_Delete(args);
    /* alg none needs no secret */
    args = json("{\"alg\": \"none\", \"sub\": \"1\", \"iat\": 0, \"exp\": 0}");
    tok = jwt_tmpl(args, NULL, 5, &e);
    cr_assert_not_null(tok, "%s", e.msg);
    cr_assert(str_ends_with(tok->valuestring, "."));
    cJSON_Delete(tok);
    cJSON_Delete(args);
    args = json("{\"exp\": \"soon\"}");
    cr_assert_null(jwt_tmpl(args, cJSON_GetObjectItem(c, "sub"), 5, &e));
    cr_assert_str_eq(e.msg, "jwt: exp must be an integer number of seconds from now");
    cJSON_Delete(args);
    buf_free(&issued);
    cJSON_Delete(c);
}

/* The header of a token, decoded. */
static cJSON *header_of(const char *tok) {
    buf_t raw;
    buf_init(&raw, 0);
    err_t e;
    cr_assert_eq(b64_decode(&raw, tok, (size_t)(strchr(tok, '.') - tok), true, &e), 0, "%s", e.msg);
    cJSON *h = json(buf_cstr(&raw));
    buf_free(&raw);
    return h;
}

Test(jwt, template_extra_claims_header_omit_nbf) {
    err_t e;
    cJSON *secret = cJSON_CreateString("k");
    cJSON *args = json("{\"sub\": \"1\", \"nbf\": 60, \"claims\": \"{\\\"aud\\\": \\\"x\\\", "
                       "\\\"exp\\\": \\\"1900000000\\\"}\", \"header\": \"{\\\"crit\\\": "
                       "[\\\"exp\\\"], \\\"typ\\\": \\\"at+jwt\\\"}\", \"omit\": \"iat,nope\"}");
    cJSON *tok = jwt_tmpl(args, secret, 1000, &e);
    cr_assert_not_null(tok, "%s", e.msg);
    cJSON *p = claims_of(tok);
    buf_t b;
    buf_init(&b, 0);
    jl_print(p, &b);
    cr_assert_str_eq(buf_cstr(&b),
                     "{\"sub\":\"1\",\"exp\":\"1900000000\",\"nbf\":1060,\"aud\":\"x\"}");
    cJSON *h = header_of(tok->valuestring);
    buf_reset(&b);
    jl_print(h, &b);
    cr_assert_str_eq(buf_cstr(&b), "{\"alg\":\"HS256\",\"typ\":\"at+jwt\",\"crit\":[\"exp\"]}");
    buf_free(&b);
    cJSON_Delete(h);
    cJSON_Delete(p);
    cJSON_Delete(tok);
    cJSON_Delete(args);
    args = json("{\"claims\": \"[1]\"}");
    cr_assert_null(jwt_tmpl(args, secret, 1, &e));
    cr_assert_str_eq(e.msg, "jwt: claims must be a JSON object: not an object");
    cJSON_Delete(args);
    args = json("{\"header\": \"{\\\"a\\\":\"}");
    cr_assert_null(jwt_tmpl(args, secret, 1, &e));
    cr_assert(str_starts_with(e.msg, "jwt: header must be a JSON object: 1:6:"), "%s", e.msg);
    cJSON_Delete(args);
    cJSON_Delete(secret);
}
