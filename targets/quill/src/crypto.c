/*
 * crypto.c: bcrypt password hashing (libcrypt's "$2b$"), random bytes and ids (getrandom).
 * Why libcrypt: it is the system's audited bcrypt; writing Blowfish by hand here would be a risk
 * with no gain. crypt_rn is reentrant (its data lives on our stack), so workers can hash in
 * parallel.
 */
#include "internal.h"

#include <crypt.h>
#include <errno.h>
#include <string.h>
#include <sys/random.h>

int quill_random_bytes(void *out, size_t n) {
    unsigned char *p = out;
    while (n) {
        ssize_t r = getrandom(p, n, 0);
        if (r < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        p += r;
        n -= (size_t)r;
    }
    return 0;
}

int quill_random_hex(char *out, size_t nhex) {
    static const char hex[] = "0123456789abcdef";
    unsigned char raw[64];
    size_t done = 0;
    while (done < nhex) {
        size_t want = (nhex - done + 1) / 2;
        if (want > sizeof(raw)) want = sizeof(raw);
        if (quill_random_bytes(raw, want) < 0) return -1;
        for (size_t i = 0; i < want && done < nhex; i++) {
            out[done++] = hex[raw[i] >> 4];
            if (done < nhex) out[done++] = hex[raw[i] & 15];
        }
    }
    out[nhex] = '\0';
    return 0;
}

int quill_bcrypt_hash(const char *password, int cost, char out[QUILL_BCRYPT_HASH_LEN]) {
    if (cost < 4 || cost > 31 || !password) return -1;
    char rnd[16], setting[CRYPT_GENSALT_OUTPUT_SIZE];
    if (quill_random_bytes(rnd, sizeof(rnd)) < 0) return -1;
    if (!crypt_gensalt_rn("$2b$", (unsigned long)cost, rnd, sizeof(rnd), setting, sizeof(setting)))
        return -1;
    struct crypt_data data;
    memset(&data, 0, sizeof(data));
    char *h = crypt_rn(password, setting, &data, sizeof(data));
    if (!h || h[0] == '*' || strlen(h) != QUILL_BCRYPT_HASH_LEN - 1) return -1;
    memcpy(out, h, QUILL_BCRYPT_HASH_LEN);
    return 0;
}

bool quill_bcrypt_check(const char *password, const char *hash) {
    if (!password || !hash || strncmp(hash, "$2", 2) != 0) return false;
    size_t hl = strlen(hash);
    if (hl != QUILL_BCRYPT_HASH_LEN - 1) return false;
    struct crypt_data data;
    memset(&data, 0, sizeof(data));
    char *h = crypt_rn(password, hash, &data, sizeof(data));
    if (!h || strlen(h) != hl) return false;
    unsigned char diff = 0; /* constant time: no early exit on the first differing byte */
    for (size_t i = 0; i < hl; i++) diff |= (unsigned char)(h[i] ^ hash[i]);
    return diff == 0;
}
