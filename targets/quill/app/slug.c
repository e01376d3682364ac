/* slug: see slug.h. */
#include "slug.h"

#include <string.h>
#include <sys/random.h>

static int is_slug_char(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

size_t slug_build(const char *title, size_t len, const char suffix[SLUG_SUFFIX_LEN], char *out) {
    size_t n = 0;
    int pending_dash = 0; /* a run of other bytes seen since the last kept character */
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)title[i];
        if (c >= 'A' && c <= 'Z') c = (unsigned char)(c - 'A' + 'a');
        if (is_slug_char(c)) {
            if (pending_dash && n > 0) out[n++] = '-'; /* leading runs are trimmed */
            pending_dash = 0;
            out[n++] = (char)c;
        } else {
            pending_dash = 1; /* trailing runs are trimmed: only written before a kept char */
        }
    }
    if (n > 0) out[n++] = '-';
    memcpy(out + n, suffix, SLUG_SUFFIX_LEN);
    n += SLUG_SUFFIX_LEN;
    out[n] = '\0';
    return n;
}

int slug_random_suffix(char suffix[SLUG_SUFFIX_LEN]) {
    static const char hex[] = "0123456789abcdef";
    unsigned char raw[SLUG_SUFFIX_LEN / 2];
    if (getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw) return -1;
    for (size_t i = 0; i < sizeof raw; i++) {
        suffix[2 * i] = hex[raw[i] >> 4];
        suffix[2 * i + 1] = hex[raw[i] & 15];
    }
    return 0;
}
