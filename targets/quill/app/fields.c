/* fields: see fields.h. */
#include "fields.h"

#include <string.h>

#include "quill_web.h"

void errors_add(struct errors *e, const char *key, const char *msg) {
    if (e->n >= ERRORS_MAX) return;
    e->key[e->n] = key;
    e->msg[e->n] = msg;
    e->n++;
}

/* Ruling 3's whitespace set is the one quill's form validation uses: one definition, in quill. */
int text_is_blank(const char *s, size_t len) {
    return quill_str_blank((quill_str){s, len});
}

size_t utf8_codepoints(const char *s, size_t len) {
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80) n++;
    return n;
}

/* Length of the UTF-8 sequence at p (RFC 3629: no overlongs, no surrogates, <= U+10FFFF), or 0. */
static size_t utf8_seq_len(const unsigned char *p, size_t left) {
    unsigned char c = p[0];
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) return left >= 2 && (p[1] & 0xC0) == 0x80 ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        if (left < 3 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80) return 0;
        if (c == 0xE0 && p[1] < 0xA0) return 0; /* overlong */
        if (c == 0xED && p[1] > 0x9F) return 0; /* surrogate */
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (left < 4 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80)
            return 0;
        if (c == 0xF0 && p[1] < 0x90) return 0; /* overlong */
        if (c == 0xF4 && p[1] > 0x8F) return 0; /* above U+10FFFF */
        return 4;
    }
    return 0;
}

static int is_digit(unsigned char c) {
    return c >= '0' && c <= '9';
}

// parity-ruling: begin 2 RFC 8259 numbers: no leading zeros, no "1."
/* Length of the RFC 8259 number at p (-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?),
 * or 0 when it is malformed or runs into more number characters ("01", "1.", "1e", "1.5.2"). */
static size_t json_number_len(const unsigned char *p, size_t left) {
    size_t i = 0;
    if (i < left && p[i] == '-') i++;
    if (i >= left || !is_digit(p[i])) return 0;
    if (p[i++] != '0')
        while (i < left && is_digit(p[i])) i++;
    if (i < left && p[i] == '.') {
        size_t start = ++i;
        while (i < left && is_digit(p[i])) i++;
        if (i == start) return 0;
    }
    if (i < left && (p[i] == 'e' || p[i] == 'E')) {
        i++;
        if (i < left && (p[i] == '+' || p[i] == '-')) i++;
        size_t start = i;
        while (i < left && is_digit(p[i])) i++;
        if (i == start) return 0;
    }
    if (i < left &&
        (is_digit(p[i]) || p[i] == '.' || p[i] == 'e' || p[i] == 'E' || p[i] == '+' || p[i] == '-'))
        return 0;
    return i;
}
// parity-ruling: end

int body_prescan(const char *s, size_t len) {
    const unsigned char *p = (const unsigned char *)s;
    int in_string = 0;
    size_t i = 0;
    /* cJSON skips a UTF-8 byte order mark; RFC 8259 JSON text has none (Python refuses it). */
    if (len >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF) return -1; // parity-ruling: 2
    while (i < len) {
        unsigned char c = p[i];
        if (c >= 0x80) {
            size_t n = utf8_seq_len(p + i, len - i);
            if (n == 0) return -1;
            i += n;
            continue;
        }
        if (c == 0) return -1; /* never valid JSON, and cJSON would stop reading there */
        if (in_string) {
            if (c < 0x20) return -1;
            if (c == '\\') {
                /* \u0000 would reach the app as a C string cut at the NUL: refused rather than
                 * silently truncated. */
                // parity-ruling: begin 2 the escape \u0000 refused
                if (i + 5 < len && p[i + 1] == 'u' && p[i + 2] == '0' && p[i + 3] == '0' &&
                    p[i + 4] == '0' && p[i + 5] == '0')
                    return -1;
                // parity-ruling: end
                i += 2; /* the escaped character cannot end the string */
                continue;
            }
            if (c == '"') in_string = 0;
        } else if (c == '"') {
            in_string = 1;
        } else if (c == '-' || is_digit(c)) {
            // parity-ruling: begin 2 RFC 8259 numbers checked before cJSON sees them
            size_t n = json_number_len(p + i, len - i);
            if (n == 0) return -1;
            i += n;
            continue;
            // parity-ruling: end
        }
        i++;
    }
    return 0;
}

int body_parse(const char *buf, size_t len, const char *wrapper, cJSON **root, cJSON **obj) {
    *root = NULL;
    *obj = NULL;
    if (len == 0 || buf == NULL || body_prescan(buf, len) != 0) return -1;
    const char *end = NULL;
    /* Not require_null_terminated: with an explicit length cJSON then rejects every body. The
     * trailing bytes are checked here instead. */
    cJSON *tree = cJSON_ParseWithLengthOpts(buf, len, &end, 0);
    if (tree == NULL) return -1;
    const char *stop = buf + len;
    while (end < stop && (*end == ' ' || *end == '\t' || *end == '\n' || *end == '\r')) end++;
    cJSON *w = (cJSON *)json_member(tree, wrapper);
    if (end != stop || !cJSON_IsObject(w)) {
        cJSON_Delete(tree);
        return -1;
    }
    *root = tree;
    *obj = w;
    return 0;
}

const cJSON *json_member(const cJSON *obj, const char *key) {
    const cJSON *found = NULL;
    if (!cJSON_IsObject(obj)) return NULL;
    for (const cJSON *c = obj->child; c != NULL; c = c->next)
        if (c->string != NULL && strcmp(c->string, key) == 0) found = c; // parity-ruling: 2
    return found;
}

enum field_kind field_get(const cJSON *obj, const char *key, const char **val) {
    const cJSON *item = json_member(obj, key);
    *val = NULL;
    if (item == NULL) return FIELD_ABSENT;
    if (cJSON_IsNull(item)) return FIELD_NULL;
    if (cJSON_IsString(item)) {
        *val = item->valuestring;
        return FIELD_STRING;
    }
    return FIELD_OTHER;
}

const char *field_required(const cJSON *obj, const char *key, struct errors *e) {
    const char *v;
    switch (field_get(obj, key, &v)) {
    case FIELD_STRING:
        if (!text_is_blank(v, strlen(v))) return v;
        errors_add(e, key, MSG_BLANK);
        return NULL;
    case FIELD_OTHER: errors_add(e, key, MSG_INVALID); return NULL;
    default: errors_add(e, key, MSG_BLANK); return NULL;
    }
}

int param_parse_range(const char *s, size_t len, int64_t min, int64_t max, int64_t *out) {
    if (len == 0 || len > PARAM_DIGITS_MAX) return -1; // parity-ruling: 9
    int64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        v = v * 10 + (s[i] - '0');
    }
    if (v < min || v > max) return -1;
    *out = v;
    return 0;
}
