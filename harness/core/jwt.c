/* jwt: build JWTs for templates. See jwt.h. */
#include "jwt.h"

#include <string.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "b64.h"
#include "jsonloc.h"

static const EVP_MD *jwt_md(const char *alg) {
    if (strcmp(alg, "HS256") == 0) return EVP_sha256();
    if (strcmp(alg, "HS384") == 0) return EVP_sha384();
    if (strcmp(alg, "HS512") == 0) return EVP_sha512();
    return NULL;
}

static int jwt_part(buf_t *out, const cJSON *obj, err_t *err) {
    buf_t json;
    buf_init(&json, JWT_MAX_TOKEN);
    int rc = jl_print(obj, &json);
    if (rc == 0) rc = b64_encode(out, json.ptr ? json.ptr : "", json.len, true);
    buf_free(&json);
    return rc == -1 ? err_set(err, "jwt: token longer than %u bytes", JWT_MAX_TOKEN) : 0;
}

/* Sets obj[key] to a copy of v, replacing (keeps obj's other keys in their order). */
static int jwt_put(cJSON *obj, const char *key, const cJSON *v, err_t *err) {
    cJSON *c = cJSON_Duplicate(v, 1);
    if (!c) return err_set(err, "out of memory");
    if (cJSON_GetObjectItemCaseSensitive(obj, key)) {
        if (!cJSON_ReplaceItemInObjectCaseSensitive(obj, key, c)) {
            cJSON_Delete(c);
            return err_set(err, "out of memory");
        }
        return 0;
    }
    if (!cJSON_AddItemToObject(obj, key, c)) {
        cJSON_Delete(c);
        return err_set(err, "out of memory");
    }
    return 0;
}

/* Copies every member of extra into obj (replacing). */
static int jwt_merge(cJSON *obj, const cJSON *extra, err_t *err) {
    for (const cJSON *m = extra ? extra->child : NULL; m; m = m->next)
        if (jwt_put(obj, m->string, m, err) == -1) return -1;
    return 0;
}

int jwt_sign(buf_t *out, const char *alg, const cJSON *header_extra, const cJSON *claims,
             const char *secret, size_t slen, err_t *err) {
    const EVP_MD *md = jwt_md(alg);
    if (!md && strcmp(alg, "none") != 0)
        return err_set(err, "jwt: unknown alg \"%.40s\" (HS256, HS384, HS512 or none)", alg);
    if (slen > JWT_MAX_SECRET) return err_set(err, "jwt: secret over %d bytes", JWT_MAX_SECRET);
    cJSON *hdr = cJSON_CreateObject();
    if (!hdr || !cJSON_AddStringToObject(hdr, "alg", alg) ||
        !cJSON_AddStringToObject(hdr, "typ", "JWT")) {
        cJSON_Delete(hdr);
        return err_set(err, "out of memory");
    }
    if (jwt_merge(hdr, header_extra, err) == -1) {
        cJSON_Delete(hdr);
        return -1;
    }
    size_t start = out->len;
    int rc = jwt_part(out, hdr, err);
    cJSON_Delete(hdr);
    if (rc == 0 && buf_addc(out, '.') == -1) rc = err_set(err, "jwt: token too long");
    if (rc == 0) rc = jwt_part(out, claims, err);
    if (rc == 0 && buf_addc(out, '.') == -1) rc = err_set(err, "jwt: token too long");
    if (rc == 0 && md) {
        unsigned char mac[EVP_MAX_MD_SIZE];
        unsigned mlen = 0;
        const unsigned char *in = (const unsigned char *)out->ptr + start;
        size_t inlen = out->len - start - 1; /* header.payload, without the last '.' */
        if (!HMAC(md, secret, (int)slen, in, inlen, mac, &mlen))
            rc = err_set(err, "jwt: HMAC failed");
        else if (b64_encode(out, mac, mlen, true) == -1)
            rc = err_set(err, "jwt: token too long");
    }
    if (rc == -1) buf_truncate(out, start);
    return rc;
}

cJSON *jwt_payload(const char *token, err_t *err) {
    const char *d1 = strchr(token, '.');
    const char *d2 = d1 ? strchr(d1 + 1, '.') : NULL;
    if (!d2 || strchr(d2 + 1, '.')) {
        err_set(err, "\"%.60s\" is not a JWT (three parts separated by '.')", token);
        return NULL;
    }
    buf_t json;
    buf_init(&json, JWT_MAX_TOKEN);
    cJSON *p = NULL;
    if (b64_decode(&json, d1 + 1, (size_t)(d2 - d1 - 1), true, err) == 0) {
        p = jl_parse(buf_cstr(&json), json.len, NULL, 0, NULL, err);
        if (p && !cJSON_IsObject(p)) {
            cJSON_Delete(p);
            p = NULL;
            err_set(err, "the payload is not a JSON object");
        }
    }
    buf_free(&json);
    return p;
}

/* Sets claims[key] = now + the integer arg (replacing); -1 if arg is not an integer. */
static int jwt_time(cJSON *claims, const char *key, const cJSON *arg, long long now, err_t *err) {
    long long rel = 0;
    const char *t = jl_number_text(arg);
    bool ok = cJSON_IsNumber(arg) && jl_is_integer(arg);
    if (ok && t)
        ok = str_to_ll(t, -(1LL << 40), 1LL << 40, &rel) == 0;
    else if (ok)
        rel = (long long)arg->valuedouble;
    if (!ok) return err_set(err, "jwt: %s must be an integer number of seconds from now", key);
    cJSON *n = jl_create_integer(now + rel);
    cJSON_DeleteItemFromObjectCaseSensitive(claims, key);
    if (!n || !cJSON_AddItemToObject(claims, key, n)) {
        cJSON_Delete(n);
        return err_set(err, "out of memory");
    }
    return 0;
}

static const char *jwt_str_arg(const cJSON *args, const char *key, err_t *err, int *bad) {
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(args, key);
    if (!a) return NULL;
    if (!cJSON_IsString(a)) {
        *bad = 1;
        err_set(err, "jwt: %s must be a string, got %s", key,
                cJSON_IsNumber(a) ? "a number" : "another type");
        return NULL;
    }
    return a->valuestring;
}

/* A string argument holding a JSON object (claims=, header=): parsed, or NULL with *bad set. */
static cJSON *jwt_obj_arg(const cJSON *args, const char *key, err_t *err, int *bad) {
    const char *s = *bad ? NULL : jwt_str_arg(args, key, err, bad);
    if (!s) return NULL;
    cJSON *o = jl_parse(s, strlen(s), NULL, 0, NULL, err);
    if (!o || !cJSON_IsObject(o)) {
        if (o) err_set(err, "not an object");
        cJSON_Delete(o);
        *bad = 1;
        err_prefix(err, "jwt: %s must be a JSON object: ", key);
        return NULL;
    }
    return o;
}

/* omit='exp,iat': removes each named claim. */
static void jwt_omit(cJSON *claims, const char *list) {
    char name[256];
    for (const char *p = list; *p;) {
        size_t n = strcspn(p, ",");
        if (n < sizeof name) {
            memcpy(name, p, n);
            name[n] = '\0';
            cJSON_DeleteItemFromObjectCaseSensitive(claims, name);
        }
        p += n;
        if (*p == ',') p++;
    }
}

cJSON *jwt_tmpl(const cJSON *args, const cJSON *default_secret, long long now, err_t *err) {
    int bad = 0;
    const char *from = jwt_str_arg(args, "from", err, &bad);
    const char *alg = bad ? NULL : jwt_str_arg(args, "alg", err, &bad);
    const char *secret = bad ? NULL : jwt_str_arg(args, "secret", err, &bad);
    const char *omit = bad ? NULL : jwt_str_arg(args, "omit", err, &bad);
    cJSON *extra = jwt_obj_arg(args, "claims", err, &bad);
    cJSON *hextra = jwt_obj_arg(args, "header", err, &bad);
    cJSON *claims = NULL, *tok = NULL;
    if (bad) goto done;
    if (!alg) alg = "HS256";
    if (!secret && strcmp(alg, "none") != 0) {
        if (!default_secret) {
            err_set(err, "jwt: the target's secret key is unknown (parity knows it for the targets "
                         "it starts; for a --url target pass --secret NAME=KEY, or write "
                         "jwt(secret='...'))");
            goto done;
        }
        if (!cJSON_IsString(default_secret)) {
            err_set(err, "jwt: the variable \"secret\" is not a string");
            goto done;
        }
        secret = default_secret->valuestring;
    }
    claims = from ? jwt_payload(from, err) : cJSON_CreateObject();
    if (!claims) {
        if (from)
            err_prefix(err, "jwt: from: ");
        else
            err_set(err, "out of memory");
        goto done;
    }
    const cJSON *sub = cJSON_GetObjectItemCaseSensitive(args, "sub");
    const cJSON *iat = cJSON_GetObjectItemCaseSensitive(args, "iat");
    const cJSON *exp = cJSON_GetObjectItemCaseSensitive(args, "exp");
    const cJSON *nbf = cJSON_GetObjectItemCaseSensitive(args, "nbf");
    cJSON *zero = jl_create_integer(0), *valid = jl_create_integer(JWT_DEFAULT_EXP_S);
    int rc = zero && valid ? 0 : err_set(err, "out of memory");
    if (rc == 0 && sub) {
        cJSON *s = cJSON_Duplicate(sub, 1);
        cJSON_DeleteItemFromObjectCaseSensitive(claims, "sub");
        if (!s || !cJSON_AddItemToObject(claims, "sub", s)) {
            cJSON_Delete(s);
            rc = err_set(err, "out of memory");
        }
    }
    if (rc == 0 && (iat || !from)) rc = jwt_time(claims, "iat", iat ? iat : zero, now, err);
    if (rc == 0 && (exp || !from)) rc = jwt_time(claims, "exp", exp ? exp : valid, now, err);
    if (rc == 0 && nbf) rc = jwt_time(claims, "nbf", nbf, now, err);
    if (rc == 0) rc = jwt_merge(claims, extra, err);
    if (rc == 0 && omit) jwt_omit(claims, omit);
    cJSON_Delete(zero);
    cJSON_Delete(valid);
    if (rc == 0) {
        buf_t b;
        buf_init(&b, JWT_MAX_TOKEN);
        if (jwt_sign(&b, alg, hextra, claims, secret ? secret : "", secret ? strlen(secret) : 0,
                     err) == 0 &&
            !(tok = cJSON_CreateString(buf_cstr(&b))))
            err_set(err, "out of memory");
        buf_free(&b);
    }
done:
    cJSON_Delete(claims);
    cJSON_Delete(extra);
    cJSON_Delete(hextra);
    return tok;
}
