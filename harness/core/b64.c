/* b64: base64 / base64url. See b64.h for why it is not libcrypto's. */
#include "b64.h"

static const char b64_std[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char b64_url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int b64_encode(buf_t *out, const void *p, size_t n, bool url) {
    const unsigned char *s = p;
    const char *a = url ? b64_url : b64_std;
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)s[i] << 16;
        if (i + 1 < n) v |= (unsigned)s[i + 1] << 8;
        if (i + 2 < n) v |= s[i + 2];
        char q[4] = {a[(v >> 18) & 63], a[(v >> 12) & 63], a[(v >> 6) & 63], a[v & 63]};
        size_t keep = i + 2 < n ? 4 : i + 1 < n ? 3 : 2;
        if (!url)
            for (size_t k = keep; k < 4; k++) q[k] = '=';
        if (buf_add(out, q, url ? keep : 4) == -1) return -1;
    }
    return 0;
}

static int b64_value(char c, bool url) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == (url ? '-' : '+')) return 62;
    if (c == (url ? '_' : '/')) return 63;
    return -1;
}

int b64_decode(buf_t *out, const char *s, size_t n, bool url, err_t *err) {
    size_t pad = 0;
    while (pad < 2 && n > pad && s[n - 1 - pad] == '=') pad++;
    size_t data = n - pad;
    if (url ? (data % 4 == 1 || (pad && n % 4)) : n % 4)
        return err_set(err, "base64: length %zu is not a valid encoded length", n);
    unsigned acc = 0;
    int bits = 0;
    for (size_t i = 0; i < data; i++) {
        int v = b64_value(s[i], url);
        if (v < 0)
            return err_set(err, "base64: invalid character at offset %zu (%s alphabet)", i,
                           url ? "url" : "standard");
        acc = (acc << 6) | (unsigned)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            char byte = (char)((acc >> bits) & 0xFF);
            if (buf_add(out, &byte, 1) == -1)
                return err_set(err, "base64: decoded data over %zu bytes", out->max);
        }
    }
    return 0;
}
