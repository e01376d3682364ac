/* hurl_lex: the Hurl reader's cursor and token readers. See hurl_int.h. */
#include "hurl_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define HL_MAX_TOKEN 4096 /* bytes of a number or a word read as one token */

jl_loc_t hl_loc(const hl_t *h) {
    return (jl_loc_t){h->line, h->col};
}

int hl_err(hl_t *h, jl_loc_t at, const char *fmt, ...) {
    if (h->failed) return -1; /* only the first error of a file: the rest would be noise */
    h->failed = true;
    buf_printf(h->errors, "%s:%u:%u: ", h->file, at.line, at.col);
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(h->errors, fmt, ap);
    va_end(ap);
    buf_addc(h->errors, '\n');
    return -1;
}

cJSON *hl_mark(hl_t *h, cJSON *node, jl_loc_t at) {
    if (node && jl_map_set(h->map, node, at, at) == -1) hl_err(h, at, "out of memory");
    return node;
}

cJSON *hl_add(hl_t *h, cJSON *parent, const char *key, cJSON *node, jl_loc_t at) {
    if (!node) {
        hl_err(h, at, "out of memory");
        return NULL;
    }
    hl_mark(h, node, at);
    if (cJSON_IsArray(parent))
        cJSON_AddItemToArray(parent, node);
    else
        cJSON_AddItemToObject(parent, key, node);
    return node;
}

void hl_mark_tree(hl_t *h, cJSON *node, jl_loc_t at) {
    for (; node; node = node->next) {
        hl_mark(h, node, at);
        hl_mark_tree(h, node->child, at);
    }
}

bool hl_eof(const hl_t *h) {
    return h->pos >= h->len;
}

char hl_peek(const hl_t *h, size_t ahead) {
    return h->pos + ahead < h->len ? h->s[h->pos + ahead] : '\0';
}

void hl_advance(hl_t *h, size_t n) {
    for (; n && h->pos < h->len; n--, h->pos++) {
        unsigned char c = (unsigned char)h->s[h->pos];
        if (c == '\n') {
            h->line++;
            h->col = 1;
        } else if ((c & 0xC0) != 0x80) {
            h->col++; /* columns count characters: continuation bytes do not move them */
        }
    }
}

bool hl_eol(const hl_t *h) {
    char c = hl_peek(h, 0);
    return c == '\0' || c == '\n' || (c == '\r' && hl_peek(h, 1) == '\n');
}

void hl_skip_spaces(hl_t *h) {
    while (hl_peek(h, 0) == ' ' || hl_peek(h, 0) == '\t') hl_advance(h, 1);
}

bool hl_at_word(const hl_t *h, const char *w) {
    size_t n = strlen(w);
    if (h->pos + n > h->len || memcmp(h->s + h->pos, w, n) != 0) return false;
    char c = hl_peek(h, n);
    return c == '\0' || c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static void skip_to_eol(hl_t *h) {
    while (!hl_eol(h)) hl_advance(h, 1);
}

static void eat_newline(hl_t *h) {
    if (hl_peek(h, 0) == '\r') hl_advance(h, 1);
    if (hl_peek(h, 0) == '\n') hl_advance(h, 1);
}

int hl_end_line(hl_t *h) {
    hl_skip_spaces(h);
    if (hl_peek(h, 0) == '#') skip_to_eol(h);
    if (!hl_eol(h))
        return hl_err(h, hl_loc(h), "unexpected text \"%.*s\" at the end of the line",
                      (int)(hl_line_len(h) > 40 ? 40 : hl_line_len(h)), h->s + h->pos);
    eat_newline(h);
    return 0;
}

void hl_skip_blank(hl_t *h) {
    while (!hl_eof(h)) {
        size_t save = h->pos;
        unsigned line = h->line, col = h->col;
        hl_skip_spaces(h);
        if (hl_peek(h, 0) == '#') skip_to_eol(h);
        if (!hl_eol(h)) {
            h->pos = save, h->line = line, h->col = col; /* a line with content: not blank */
            return;
        }
        eat_newline(h);
    }
}

size_t hl_line_len(const hl_t *h) {
    size_t n = 0;
    while (h->pos + n < h->len && h->s[h->pos + n] != '\n') n++;
    if (n && h->s[h->pos + n - 1] == '\r') n--;
    return n;
}

/* \u{hex} (Hurl) after the "\u" */
static int unicode_escape(hl_t *h, buf_t *out) {
    jl_loc_t at = hl_loc(h);
    if (hl_peek(h, 0) != '{') return hl_err(h, at, "\\u must be followed by {HEX}: \\u{e9}");
    hl_advance(h, 1);
    unsigned cp = 0;
    int digits = 0;
    for (char c; (c = hl_peek(h, 0)) != '}'; hl_advance(h, 1), digits++) {
        int v = (c >= '0' && c <= '9')   ? c - '0'
                : (c >= 'a' && c <= 'f') ? c - 'a' + 10
                : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                         : -1;
        if (v < 0 || digits == 6) return hl_err(h, at, "invalid \\u{...} escape");
        cp = cp * 16 + (unsigned)v;
    }
    hl_advance(h, 1);
    if (!digits || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) || cp == 0)
        return hl_err(h, at, "invalid code point in \\u{...}");
    return buf_add_utf8(out, cp) == -1 ? hl_err(h, at, "value too long") : 0;
}

/* One escape after a backslash, for quoted strings (closing quote q). */
static int escape(hl_t *h, buf_t *out, char q) {
    jl_loc_t at = hl_loc(h);
    char c = hl_peek(h, 0);
    hl_advance(h, 1);
    switch (c) {
    case 'n': return buf_addc(out, '\n');
    case 'r': return buf_addc(out, '\r');
    case 't': return buf_addc(out, '\t');
    case 'b': return buf_addc(out, '\b');
    case 'f': return buf_addc(out, '\f');
    case '\\':
    case '/':
    case '#': return buf_addc(out, c);
    case 'u': return unicode_escape(h, out);
    default:
        if (c == q && q) return buf_addc(out, c);
        return hl_err(h, at, "unknown escape \\%c", c ? c : ' ');
    }
}

static int delimited(hl_t *h, buf_t *out, char q, const char *what) {
    jl_loc_t at = hl_loc(h);
    hl_advance(h, 1);
    for (;;) {
        if (hl_eol(h)) return hl_err(h, at, "%s is not closed on its line", what);
        char c = hl_peek(h, 0);
        if (c == q) break;
        int rc;
        if (c == '\\') {
            hl_advance(h, 1);
            rc = escape(h, out, q);
        } else {
            rc = buf_addc(out, c);
            hl_advance(h, 1);
        }
        if (rc == -1) return h->failed ? -1 : hl_err(h, at, "%s too long", what);
    }
    hl_advance(h, 1);
    return 0;
}

int hl_quoted(hl_t *h, buf_t *out) {
    return delimited(h, out, '"', "a quoted string");
}

int hl_value(hl_t *h, buf_t *out) {
    hl_skip_spaces(h);
    char c = hl_peek(h, 0);
    if (c == '"' || c == '`') {
        if (delimited(h, out, c, c == '"' ? "a quoted string" : "a oneline string") == -1)
            return -1;
        return 0;
    }
    jl_loc_t at = hl_loc(h);
    while (!hl_eol(h) && hl_peek(h, 0) != '#') {
        int rc;
        if (hl_peek(h, 0) == '\\') {
            hl_advance(h, 1);
            rc = escape(h, out, '\0');
        } else {
            rc = buf_addc(out, hl_peek(h, 0));
            hl_advance(h, 1);
        }
        if (rc == -1) return h->failed ? -1 : hl_err(h, at, "value too long");
    }
    while (out->len && (out->ptr[out->len - 1] == ' ' || out->ptr[out->len - 1] == '\t'))
        buf_truncate(out, out->len - 1);
    return 0;
}

static bool key_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           strchr("-_.[]@$", c) != NULL;
}

int hl_key(hl_t *h, buf_t *out) {
    jl_loc_t at = hl_loc(h);
    if (hl_peek(h, 0) == '"') {
        if (hl_quoted(h, out) == -1) return -1;
    } else {
        /* key characters and {{templates}} (Hurl's key-string: a form field whose name the page
         * decides, e.g. a CSRF field) */
        for (;;) {
            if (hl_peek(h, 0) == '{' && hl_peek(h, 1) == '{') {
                while (!hl_eol(h) && !(hl_peek(h, 0) == '}' && hl_peek(h, 1) == '}')) {
                    if (buf_addc(out, hl_peek(h, 0)) == -1) return hl_err(h, at, "key too long");
                    hl_advance(h, 1);
                }
                if (hl_eol(h)) return hl_err(h, at, "{{ is not closed on its line");
                if (buf_adds(out, "}}") == -1) return hl_err(h, at, "key too long");
                hl_advance(h, 2);
            } else if (key_char(hl_peek(h, 0))) {
                if (buf_addc(out, hl_peek(h, 0)) == -1) return hl_err(h, at, "key too long");
                hl_advance(h, 1);
            } else {
                break;
            }
        }
    }
    hl_skip_spaces(h);
    if (!out->len) return hl_err(h, at, "expected a name followed by ':'");
    if (hl_peek(h, 0) != ':')
        return hl_err(h, hl_loc(h), "expected ':' after \"%s\"", buf_cstr(out));
    hl_advance(h, 1);
    return 0;
}

void hl_word(hl_t *h, buf_t *out) {
    for (char c; (c = hl_peek(h, 0)) && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                                         (c >= '0' && c <= '9') || c == '-' || c == '_');
         hl_advance(h, 1))
        if (buf_addc(out, c) == -1) return;
}

/* {{name}} kept as the string "{{name}}": parity's templates keep the variable's JSON type when a
 * string is exactly one reference, which is what an unquoted Hurl placeholder means. */
static cJSON *placeholder(hl_t *h) {
    jl_loc_t at = hl_loc(h);
    buf_t b;
    buf_init(&b, HL_MAX_TOKEN);
    while (!hl_eol(h) && !(hl_peek(h, 0) == '}' && hl_peek(h, 1) == '}')) {
        buf_addc(&b, hl_peek(h, 0));
        hl_advance(h, 1);
    }
    cJSON *node = NULL;
    if (hl_eol(h))
        hl_err(h, at, "{{ is not closed on its line");
    else if (buf_addc(&b, '}') == 0 && buf_addc(&b, '}') == 0)
        node = cJSON_CreateString(buf_cstr(&b));
    hl_advance(h, 2);
    buf_free(&b);
    return node;
}

cJSON *hl_literal(hl_t *h, bool regex_ok) {
    jl_loc_t at = hl_loc(h);
    char c = hl_peek(h, 0);
    buf_t b;
    buf_init(&b, HL_MAX_VALUE);
    cJSON *node = NULL;
    if (c == '"' || c == '`') {
        if (delimited(h, &b, c, c == '"' ? "a quoted string" : "a oneline string") == 0)
            node = cJSON_CreateString(buf_cstr(&b));
    } else if (c == '/' && regex_ok) {
        hl_advance(h, 1);
        while (!hl_eol(h) && hl_peek(h, 0) != '/') {
            if (hl_peek(h, 0) == '\\' && hl_peek(h, 1) == '/') hl_advance(h, 1);
            buf_addc(&b, hl_peek(h, 0));
            hl_advance(h, 1);
        }
        if (hl_eol(h))
            hl_err(h, at, "a /regex/ is not closed on its line");
        else
            hl_advance(h, 1), node = cJSON_CreateString(buf_cstr(&b));
    } else if (c == '{' && hl_peek(h, 1) == '{') {
        node = placeholder(h);
    } else if (c == '`' || c == '\0' || c == '\n') {
        hl_err(h, at, "expected a value");
    } else {
        /* a number, true, false or null: one token, parsed as JSON for its exact type */
        while (!hl_eol(h) && hl_peek(h, 0) != ' ' && hl_peek(h, 0) != '\t' &&
               hl_peek(h, 0) != '#') {
            buf_addc(&b, hl_peek(h, 0));
            hl_advance(h, 1);
        }
        err_t e;
        node = b.len ? jl_parse(buf_cstr(&b), b.len, NULL, 0, NULL, &e) : NULL;
        if (node && (cJSON_IsObject(node) || cJSON_IsArray(node) || cJSON_IsString(node)))
            cJSON_Delete(node), node = NULL;
        if (!node)
            hl_err(h, at,
                   "expected a value (\"string\", `string`, /regex/, {{variable}}, a number, "
                   "true, false or null), got \"%s\"",
                   buf_cstr(&b));
    }
    buf_free(&b);
    if (!node && !h->failed) hl_err(h, at, "out of memory");
    return hl_mark(h, node, at);
}

int hl_regex_to_ere(const char *src, buf_t *out, char *bad, size_t badsz) {
    for (const char *p = src; *p; p++) {
        if (*p != '\\' || !p[1]) {
            if (buf_addc(out, *p) == -1) return -1;
            continue;
        }
        p++;
        int rc = 0;
        switch (*p) {
        case 'd': rc = buf_adds(out, "[0-9]"); break;
        case 'D': rc = buf_adds(out, "[^0-9]"); break;
        case 'A':
        case 'z':
        case 'p':
        case 'P':
        case 'x':
            /* Rust-only escapes with no POSIX spelling: refuse rather than match something else */
            snprintf(bad, badsz, "\\%c", *p);
            return -1;
        default: rc = buf_addc(out, '\\') == 0 ? buf_addc(out, *p) : -1;
        }
        if (rc == -1) return -1;
    }
    if (bad && badsz) bad[0] = '\0';
    return 0;
}
