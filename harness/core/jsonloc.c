/* jsonloc: strict JSON parser building cJSON trees with source positions and number text.
 * See jsonloc.h for the why. A recursive-descent parser bounded by JL_MAX_DEPTH. */
#include "jsonloc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- position map: open-addressing hash keyed by node pointer ---------------------------------
 */

typedef struct jl_entry {
    const cJSON *node; /* NULL = empty slot */
    jl_loc_t value, key;
} jl_entry_t;

struct jl_map {
    jl_entry_t *slots;
    size_t cap; /* power of two */
    size_t n;
};

static size_t map_hash(const cJSON *node, size_t cap) {
    uintptr_t x = (uintptr_t)node;
    x ^= x >> 17;
    x *= (uintptr_t)0xed5ad4bbU;
    x ^= x >> 11;
    return (size_t)x & (cap - 1);
}

static int map_put(jl_map_t *m, const cJSON *node, jl_loc_t value, jl_loc_t key) {
    if ((m->n + 1) * 2 > m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 256;
        jl_entry_t *slots = calloc(cap, sizeof(*slots));
        if (!slots) return -1;
        for (size_t i = 0; i < m->cap; i++) {
            if (!m->slots[i].node) continue;
            size_t h = map_hash(m->slots[i].node, cap);
            while (slots[h].node) h = (h + 1) & (cap - 1);
            slots[h] = m->slots[i];
        }
        free(m->slots);
        m->slots = slots;
        m->cap = cap;
    }
    size_t h = map_hash(node, m->cap);
    while (m->slots[h].node && m->slots[h].node != node) h = (h + 1) & (m->cap - 1);
    if (!m->slots[h].node) m->n++;
    m->slots[h] = (jl_entry_t){node, value, key};
    return 0;
}

static const jl_entry_t *map_get(const jl_map_t *m, const cJSON *node) {
    if (!m || !m->cap || !node) return NULL;
    size_t h = map_hash(node, m->cap);
    while (m->slots[h].node) {
        if (m->slots[h].node == node) return &m->slots[h];
        h = (h + 1) & (m->cap - 1);
    }
    return NULL;
}

jl_loc_t jl_map_value(const jl_map_t *map, const cJSON *node) {
    const jl_entry_t *e = map_get(map, node);
    return e ? e->value : (jl_loc_t){0, 0};
}

jl_loc_t jl_map_key(const jl_map_t *map, const cJSON *node) {
    const jl_entry_t *e = map_get(map, node);
    if (!e) return (jl_loc_t){0, 0};
    return e->key.line ? e->key : e->value;
}

jl_map_t *jl_map_new(void) {
    return calloc(1, sizeof(jl_map_t));
}

int jl_map_set(jl_map_t *map, const cJSON *node, jl_loc_t value, jl_loc_t key) {
    return map && node ? map_put(map, node, value, key) : -1;
}

void jl_map_free(jl_map_t *map) {
    if (!map) return;
    free(map->slots);
    free(map);
}

/* ---- parser -----------------------------------------------------------------------------------
 */

typedef struct parser {
    const char *s;
    size_t n, i;
    const char *file;
    int flags;
    jl_map_t *map;
    err_t *err;
    int depth;
    buf_t scratch; /* decoded string contents */
    /* Column tracking: characters between line_start and col_base are col_chars; positions are
     * asked for in increasing order, so counting forward keeps the whole parse O(n). */
    uint32_t line;
    size_t line_start, col_base;
    uint32_t col_chars;
} parser_t;

static jl_loc_t loc_at(parser_t *p, size_t pos) {
    if (pos < p->line_start) {
        /* An earlier line (only for some error messages): count from the start. */
        uint32_t line = 1;
        size_t ls = 0;
        for (size_t k = 0; k < pos; k++)
            if (p->s[k] == '\n') line++, ls = k + 1;
        return (jl_loc_t){line, (uint32_t)str_utf8_len(p->s + ls, pos - ls) + 1};
    }
    if (pos < p->col_base || p->col_base < p->line_start) {
        p->col_base = p->line_start;
        p->col_chars = 0;
    }
    p->col_chars += (uint32_t)str_utf8_len(p->s + p->col_base, pos - p->col_base);
    p->col_base = pos;
    return (jl_loc_t){p->line, p->col_chars + 1};
}

static int fail_at(parser_t *p, size_t pos, const char *msg) {
    if (pos > p->n) pos = p->n;
    jl_loc_t l = loc_at(p, pos);
    if (p->file) return err_set(p->err, "%s:%u:%u: %s", p->file, l.line, l.col, msg);
    return err_set(p->err, "%u:%u: %s", l.line, l.col, msg);
}

static int fail_unclosed(parser_t *p, size_t open, const char *what) {
    jl_loc_t o = loc_at(p, open);
    char msg[128];
    snprintf(msg, sizeof(msg), "unexpected end of input: the %s opened at %u:%u is not closed",
             what, o.line, o.col);
    return fail_at(p, p->n, msg);
}

static void skip_ws(parser_t *p) {
    while (p->i < p->n) {
        char c = p->s[p->i];
        if (c == '\n') {
            p->line++;
            p->line_start = ++p->i;
        } else if (c == ' ' || c == '\t' || c == '\r') {
            p->i++;
        } else {
            break;
        }
    }
}

static cJSON *parse_value(parser_t *p);

/* Parses the string at p->i (a '"') into p->scratch. */
static int parse_string_raw(parser_t *p) {
    buf_reset(&p->scratch);
    size_t start = p->i++;
    for (;;) {
        /* Copy the run of plain bytes at once. */
        size_t run = p->i;
        while (p->i < p->n) {
            unsigned char c = (unsigned char)p->s[p->i];
            if (c == '"' || c == '\\' || c < 0x20) break;
            p->i++;
        }
        if (p->i > run) {
            if (!str_utf8_valid(p->s + run, p->i - run)) {
                /* Find the bad byte for the message position. */
                size_t k = run;
                while (k < p->i && str_utf8_valid(p->s + run, k + 1 - run)) k++;
                return fail_at(p, k, "invalid UTF-8 in string");
            }
            if (buf_add(&p->scratch, p->s + run, p->i - run) == -1)
                return fail_at(p, start, "string too long");
        }
        if (p->i >= p->n) return fail_unclosed(p, start, "string");
        char c = p->s[p->i];
        if (c == '"') {
            p->i++;
            if (!p->scratch.ptr && buf_add(&p->scratch, "", 0) == -1)
                return fail_at(p, start, "out of memory");
            return 0;
        }
        if (c != '\\') return fail_at(p, p->i, "control character in string (escape it)");
        size_t esc = p->i;
        if (p->i + 1 >= p->n) return fail_unclosed(p, start, "string");
        char e = p->s[p->i + 1];
        p->i += 2;
        char out = 0;
        switch (e) {
        case '"': out = '"'; break;
        case '\\': out = '\\'; break;
        case '/': out = '/'; break;
        case 'b': out = '\b'; break;
        case 'f': out = '\f'; break;
        case 'n': out = '\n'; break;
        case 'r': out = '\r'; break;
        case 't': out = '\t'; break;
        case 'u': {
            unsigned cp, lo;
            if (p->n - p->i < 4 || str_hex4(p->s + p->i, &cp) == -1)
                return fail_at(p, esc, "invalid \\u escape");
            p->i += 4;
            if (cp >= 0xDC00 && cp <= 0xDFFF)
                return fail_at(p, esc, "lone surrogate in \\u escape");
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                if (p->n - p->i < 6 || p->s[p->i] != '\\' || p->s[p->i + 1] != 'u' ||
                    str_hex4(p->s + p->i + 2, &lo) == -1 || lo < 0xDC00 || lo > 0xDFFF)
                    return fail_at(p, esc, "lone surrogate in \\u escape");
                p->i += 6;
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            }
            if (cp == 0) return fail_at(p, esc, "\\u0000 is not supported in strings");
            if (buf_add_utf8(&p->scratch, cp) == -1) return fail_at(p, start, "string too long");
            continue;
        }
        default: return fail_at(p, esc, "invalid escape in string");
        }
        if (buf_addc(&p->scratch, out) == -1) return fail_at(p, start, "string too long");
    }
}

static cJSON *parse_number(parser_t *p) {
    size_t start = p->i, i = p->i;
    const char *s = p->s;
    if (i < p->n && s[i] == '-') i++;
    if (i >= p->n || s[i] < '0' || s[i] > '9') {
        fail_at(p, start, "invalid number");
        return NULL;
    }
    if (s[i] == '0') {
        i++;
        if (i < p->n && s[i] >= '0' && s[i] <= '9') {
            fail_at(p, start, "invalid number (leading zero)");
            return NULL;
        }
    } else {
        while (i < p->n && s[i] >= '0' && s[i] <= '9') i++;
    }
    if (i < p->n && s[i] == '.') {
        i++;
        if (i >= p->n || s[i] < '0' || s[i] > '9') {
            fail_at(p, start, "invalid number (digit expected after '.')");
            return NULL;
        }
        while (i < p->n && s[i] >= '0' && s[i] <= '9') i++;
    }
    if (i < p->n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < p->n && (s[i] == '+' || s[i] == '-')) i++;
        if (i >= p->n || s[i] < '0' || s[i] > '9') {
            fail_at(p, start, "invalid number (digit expected in exponent)");
            return NULL;
        }
        while (i < p->n && s[i] >= '0' && s[i] <= '9') i++;
    }
    char *text = str_ndup(s + start, i - start);
    if (!text) {
        fail_at(p, start, "out of memory");
        return NULL;
    }
    cJSON *node = cJSON_CreateNumber(strtod(text, NULL));
    if (!node) {
        free(text);
        fail_at(p, start, "out of memory");
        return NULL;
    }
    node->valuestring = text; /* freed by cJSON_Delete, copied by cJSON_Duplicate */
    p->i = i;
    return node;
}

static bool match_word(parser_t *p, const char *w) {
    size_t n = strlen(w);
    if (p->n - p->i < n || memcmp(p->s + p->i, w, n) != 0) return false;
    p->i += n;
    return true;
}

/* Links child at the end of parent's list; cJSON keeps child->prev pointing at the tail. */
static void link_child(cJSON *parent, cJSON *child) {
    cJSON *head = parent->child;
    if (!head) {
        parent->child = child;
        child->prev = child;
    } else {
        cJSON *tail = head->prev;
        tail->next = child;
        child->prev = tail;
        head->prev = child;
    }
}

static int record(parser_t *p, const cJSON *node, jl_loc_t value, jl_loc_t key) {
    if (!p->map) return 0;
    if (map_put(p->map, node, value, key) == -1) return err_set(p->err, "out of memory");
    return 0;
}

static cJSON *parse_array(parser_t *p, size_t start) {
    cJSON *arr = cJSON_CreateArray();
    if (!arr) return NULL;
    p->i++;
    skip_ws(p);
    if (p->i < p->n && p->s[p->i] == ']') {
        p->i++;
        return arr;
    }
    for (;;) {
        skip_ws(p);
        size_t vpos = p->i;
        jl_loc_t vloc = p->map ? loc_at(p, vpos) : (jl_loc_t){0, 0};
        cJSON *item = parse_value(p);
        if (!item) goto fail;
        link_child(arr, item);
        if (record(p, item, vloc, (jl_loc_t){0, 0}) == -1) goto fail;
        skip_ws(p);
        if (p->i >= p->n) {
            fail_unclosed(p, start, "list");
            goto fail;
        }
        char c = p->s[p->i];
        if (c == ']') {
            p->i++;
            return arr;
        }
        if (c != ',') {
            fail_at(p, p->i, "expected ',' or ']' in list");
            goto fail;
        }
        p->i++;
        skip_ws(p);
        if (p->i < p->n && p->s[p->i] == ']') {
            fail_at(p, p->i, "trailing comma in list");
            goto fail;
        }
    }
fail:
    cJSON_Delete(arr);
    return NULL;
}

static cJSON *parse_object(parser_t *p, size_t start) {
    cJSON *obj = cJSON_CreateObject();
    if (!obj) return NULL;
    p->i++;
    skip_ws(p);
    if (p->i < p->n && p->s[p->i] == '}') {
        p->i++;
        return obj;
    }
    for (;;) {
        skip_ws(p);
        size_t kpos = p->i;
        if (p->i >= p->n) {
            fail_unclosed(p, start, "object");
            goto fail;
        }
        if (p->s[p->i] != '"') {
            fail_at(p, p->i, "expected a string key in object");
            goto fail;
        }
        jl_loc_t kloc = p->map ? loc_at(p, kpos) : (jl_loc_t){0, 0};
        if (parse_string_raw(p) == -1) goto fail;
        char *key = buf_detach(&p->scratch);
        if (!key) {
            fail_at(p, kpos, "out of memory");
            goto fail;
        }
        if (p->flags & JL_NO_DUP_KEYS) {
            for (cJSON *c = obj->child; c; c = c->next) {
                if (strcmp(c->string, key) == 0) {
                    char msg[160];
                    snprintf(msg, sizeof(msg), "duplicate key \"%.100s\"", key);
                    free(key);
                    fail_at(p, kpos, msg);
                    goto fail;
                }
            }
        }
        skip_ws(p);
        if (p->i >= p->n || p->s[p->i] != ':') {
            free(key);
            fail_at(p, p->i, "expected ':' after object key");
            goto fail;
        }
        p->i++;
        skip_ws(p);
        size_t vpos = p->i;
        jl_loc_t vloc = p->map ? loc_at(p, vpos) : (jl_loc_t){0, 0};
        cJSON *item = parse_value(p);
        if (!item) {
            free(key);
            goto fail;
        }
        item->string = key;
        link_child(obj, item);
        if (record(p, item, vloc, kloc) == -1) goto fail;
        skip_ws(p);
        if (p->i >= p->n) {
            fail_unclosed(p, start, "object");
            goto fail;
        }
        char c = p->s[p->i];
        if (c == '}') {
            p->i++;
            return obj;
        }
        if (c != ',') {
            fail_at(p, p->i, "expected ',' or '}' in object");
            goto fail;
        }
        p->i++;
        skip_ws(p);
        if (p->i < p->n && p->s[p->i] == '}') {
            fail_at(p, p->i, "trailing comma in object");
            goto fail;
        }
    }
fail:
    cJSON_Delete(obj);
    return NULL;
}

static cJSON *parse_value(parser_t *p) {
    if (p->i >= p->n) {
        fail_at(p, p->i, "unexpected end of input (a value is expected)");
        return NULL;
    }
    size_t start = p->i;
    char c = p->s[p->i];
    cJSON *v = NULL;
    switch (c) {
    case '{':
    case '[':
        if (++p->depth > JL_MAX_DEPTH) {
            fail_at(p, start, "nesting too deep");
            return NULL;
        }
        v = c == '{' ? parse_object(p, start) : parse_array(p, start);
        p->depth--;
        if (!v && p->err && !p->err->msg[0]) fail_at(p, start, "out of memory");
        return v;
    case '"':
        if (parse_string_raw(p) == -1) return NULL;
        v = cJSON_CreateString(buf_cstr(&p->scratch));
        break;
    case 't':
        if (match_word(p, "true"))
            v = cJSON_CreateTrue();
        else
            goto bad;
        break;
    case 'f':
        if (match_word(p, "false"))
            v = cJSON_CreateFalse();
        else
            goto bad;
        break;
    case 'n':
        if (match_word(p, "null"))
            v = cJSON_CreateNull();
        else
            goto bad;
        break;
    default:
        if (c == '-' || (c >= '0' && c <= '9')) return parse_number(p);
        goto bad;
    }
    if (!v) fail_at(p, start, "out of memory");
    return v;
bad:
    fail_at(p, start, "unexpected character (a JSON value is expected)");
    return NULL;
}

cJSON *jl_parse(const char *text, size_t len, const char *file, int flags, jl_map_t **map,
                err_t *err) {
    parser_t p = {.s = text, .n = len, .file = file, .flags = flags, .err = err, .line = 1};
    buf_init(&p.scratch, len + 1);
    if (err) err->msg[0] = '\0';
    if (map) *map = NULL;
    if (len > JL_MAX_INPUT) {
        err_set(err, "%s%sinput larger than %u bytes", file ? file : "", file ? ": " : "",
                JL_MAX_INPUT);
        return NULL;
    }
    if (map && !(p.map = calloc(1, sizeof(*p.map)))) {
        err_set(err, "out of memory");
        return NULL;
    }
    /* A UTF-8 byte order mark is tolerated (editors on some systems write one). */
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) p.i = p.line_start = p.col_base = 3;
    skip_ws(&p);
    jl_loc_t rloc = loc_at(&p, p.i);
    cJSON *root = parse_value(&p);
    if (root) {
        skip_ws(&p);
        if (p.i < p.n) {
            fail_at(&p, p.i, "unexpected data after the JSON value");
            cJSON_Delete(root);
            root = NULL;
        } else if (record(&p, root, rloc, (jl_loc_t){0, 0}) == -1) {
            cJSON_Delete(root);
            root = NULL;
        }
    }
    buf_free(&p.scratch);
    if (!root || !map) {
        jl_map_free(p.map);
        return root;
    }
    *map = p.map;
    return root;
}

/* ---- numbers ----------------------------------------------------------------------------------
 */

const char *jl_number_text(const cJSON *node) {
    if (!cJSON_IsNumber(node)) return NULL;
    return node->valuestring;
}

bool jl_is_integer(const cJSON *node) {
    if (!cJSON_IsNumber(node)) return false;
    const char *t = node->valuestring;
    if (t) return strpbrk(t, ".eE") == NULL;
    double d = node->valuedouble;
    return isfinite(d) && d == floor(d) && fabs(d) <= 9007199254740992.0;
}

cJSON *jl_create_integer(long long v) {
    char text[32];
    snprintf(text, sizeof(text), "%lld", v);
    cJSON *n = cJSON_CreateNumber((double)v);
    if (!n) return NULL;
    n->valuestring = str_dup(text);
    if (!n->valuestring) {
        cJSON_Delete(n);
        return NULL;
    }
    return n;
}

/* ---- printing ---------------------------------------------------------------------------------
 */

int jl_print_string(const char *s, size_t n, buf_t *out) {
    static const char hex[] = "0123456789abcdef";
    if (buf_addc(out, '"') == -1) return -1;
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        if (buf_add(out, s + run, i - run) == -1) return -1;
        run = i + 1;
        char e[7] = {'\\', 0};
        size_t el = 2;
        switch (c) {
        case '"': e[1] = '"'; break;
        case '\\': e[1] = '\\'; break;
        case '\b': e[1] = 'b'; break;
        case '\f': e[1] = 'f'; break;
        case '\n': e[1] = 'n'; break;
        case '\r': e[1] = 'r'; break;
        case '\t': e[1] = 't'; break;
        default:
            memcpy(e + 1, "u00", 3);
            e[4] = hex[c >> 4];
            e[5] = hex[c & 15];
            el = 6;
        }
        if (buf_add(out, e, el) == -1) return -1;
    }
    if (buf_add(out, s + run, n - run) == -1) return -1;
    return buf_addc(out, '"');
}

static int print_number(const cJSON *node, buf_t *out) {
    if (node->valuestring) return buf_adds(out, node->valuestring);
    double d = node->valuedouble;
    if (!isfinite(d)) return buf_adds(out, "null"); /* as cJSON does */
    if (d == floor(d) && fabs(d) < 1e15) return buf_printf(out, "%.0f", d);
    char tmp[32];
    snprintf(tmp, sizeof(tmp), "%.15g", d);
    if (strtod(tmp, NULL) != d) snprintf(tmp, sizeof(tmp), "%.17g", d);
    return buf_adds(out, tmp);
}

static int print_node(const cJSON *node, buf_t *out, bool spaced, int depth) {
    if (depth > JL_MAX_DEPTH * 4) return -1;
    if (cJSON_IsNull(node)) return buf_adds(out, "null");
    if (cJSON_IsTrue(node)) return buf_adds(out, "true");
    if (cJSON_IsFalse(node)) return buf_adds(out, "false");
    if (cJSON_IsNumber(node)) return print_number(node, out);
    if (cJSON_IsString(node))
        return jl_print_string(node->valuestring, strlen(node->valuestring), out);
    bool obj = cJSON_IsObject(node);
    if (!obj && !cJSON_IsArray(node)) return buf_adds(out, "null");
    if (buf_addc(out, obj ? '{' : '[') == -1) return -1;
    for (const cJSON *c = node->child; c; c = c->next) {
        if (c != node->child && buf_adds(out, spaced ? ", " : ",") == -1) return -1;
        if (obj) {
            const char *k = c->string ? c->string : "";
            if (jl_print_string(k, strlen(k), out) == -1) return -1;
            if (buf_adds(out, spaced ? ": " : ":") == -1) return -1;
        }
        if (print_node(c, out, spaced, depth + 1) == -1) return -1;
    }
    return buf_addc(out, obj ? '}' : ']');
}

int jl_print(const cJSON *node, buf_t *out) {
    return print_node(node, out, false, 0);
}

int jl_print_spaced(const cJSON *node, buf_t *out) {
    return print_node(node, out, true, 0);
}
