/* jsonpath: compile and evaluate the RFC 9535 subset described in jsonpath.h. */
#include "jsonpath.h"

#include <stdlib.h>
#include <string.h>

typedef enum seg_kind {
    SEG_NAME,  /* .name or ['name'] */
    SEG_INDEX, /* [n] or [-n] */
    SEG_WILD,  /* [*] or .* */
} seg_kind_t;

typedef struct seg {
    seg_kind_t kind;
    char *name;
    long long index;
} seg_t;

struct jp_path {
    char *text;
    seg_t segs[JP_MAX_SEGMENTS];
    size_t n;
};

void jp_free(jp_path_t *p) {
    if (!p) return;
    for (size_t i = 0; i < p->n; i++) free(p->segs[i].name);
    free(p->text);
    free(p);
}

const char *jp_text(const jp_path_t *p) {
    return p->text;
}

bool jp_is_singular(const jp_path_t *p) {
    for (size_t i = 0; i < p->n; i++)
        if (p->segs[i].kind == SEG_WILD) return false;
    return true;
}

static int bad(const char *expr, size_t pos, size_t *offset, err_t *err, const char *msg) {
    if (offset) *offset = pos;
    return err_set(err, "invalid JSONPath \"%.200s\" at character %zu: %s", expr, pos + 1, msg);
}

static bool short_start(unsigned char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || c >= 0x80;
}

static bool short_char(unsigned char c) {
    return short_start(c) || (c >= '0' && c <= '9') || c == '-';
}

/* Parses a quoted name at expr[*i] (the quote) into out; *i ends after the closing quote. */
static int parse_quoted(const char *expr, size_t *i, buf_t *out, size_t *offset, err_t *err) {
    char q = expr[*i];
    size_t k = *i + 1;
    for (;;) {
        char c = expr[k];
        if (c == '\0') return bad(expr, *i, offset, err, "unterminated quoted name");
        if (c == q) break;
        if ((unsigned char)c < 0x20) return bad(expr, k, offset, err, "control character in name");
        if (c != '\\') {
            if (buf_addc(out, c) == -1) return bad(expr, k, offset, err, "name too long");
            k++;
            continue;
        }
        char e = expr[k + 1], r = 0;
        switch (e) {
        case '\'': r = '\''; break;
        case '"': r = '"'; break;
        case '\\': r = '\\'; break;
        case '/': r = '/'; break;
        case 'b': r = '\b'; break;
        case 'f': r = '\f'; break;
        case 'n': r = '\n'; break;
        case 'r': r = '\r'; break;
        case 't': r = '\t'; break;
        case 'u': {
            unsigned cp, lo;
            if (str_hex4(expr + k + 2, &cp) == -1)
                return bad(expr, k, offset, err, "invalid \\u escape");
            size_t used = 6;
            if (cp >= 0xDC00 && cp <= 0xDFFF) return bad(expr, k, offset, err, "lone surrogate");
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                if (expr[k + 6] != '\\' || expr[k + 7] != 'u' ||
                    str_hex4(expr + k + 8, &lo) == -1 || lo < 0xDC00 || lo > 0xDFFF)
                    return bad(expr, k, offset, err, "lone surrogate");
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                used = 12;
            }
            if (cp == 0) return bad(expr, k, offset, err, "\\u0000 in a name");
            if (buf_add_utf8(out, cp) == -1) return bad(expr, k, offset, err, "name too long");
            k += used;
            continue;
        }
        default: return bad(expr, k, offset, err, "invalid escape in quoted name");
        }
        if (buf_addc(out, r) == -1) return bad(expr, k, offset, err, "name too long");
        k += 2;
    }
    *i = k + 1;
    return 0;
}

/* `.name` or `.*` at expr[*i] (the '.'); fills s. 0 or -1 (err set). */
static int parse_dot(const char *expr, size_t *i, seg_t *s, size_t *offset, err_t *err) {
    size_t k = *i + 1;
    if (expr[k] == '*') {
        s->kind = SEG_WILD;
        *i = k + 1;
        return 0;
    }
    if (expr[k] == '.')
        return bad(expr, *i, offset, err, "descendant segment '..' is not supported");
    if (!short_start((unsigned char)expr[k]))
        return bad(expr, k, offset, err, "a name is expected after '.' (use ['...'] for others)");
    size_t st = k;
    while (short_char((unsigned char)expr[k])) k++;
    if (!str_utf8_valid(expr + st, k - st))
        return bad(expr, st, offset, err, "invalid UTF-8 in name");
    s->kind = SEG_NAME;
    if (!(s->name = str_ndup(expr + st, k - st))) return err_set(err, "out of memory");
    *i = k;
    return 0;
}

/* An array index at expr[*i] ('-' or a digit): no leading zero, no -0, within +-2^53. */
static int parse_index(const char *expr, size_t *i, seg_t *s, size_t *offset, err_t *err) {
    size_t st = *i, k = *i;
    if (expr[k] == '-') k++;
    if (expr[k] < '0' || expr[k] > '9') return bad(expr, st, offset, err, "invalid index");
    if (expr[k] == '0' && expr[k + 1] >= '0' && expr[k + 1] <= '9')
        return bad(expr, st, offset, err, "leading zero in index");
    if (expr[st] == '-' && expr[k] == '0') return bad(expr, st, offset, err, "-0 is not an index");
    while (expr[k] >= '0' && expr[k] <= '9') k++;
    if (str_to_ll_n(expr + st, k - st, -(1LL << 53), 1LL << 53, &s->index) == -1)
        return bad(expr, st, offset, err, "index out of range");
    s->kind = SEG_INDEX;
    *i = k;
    return 0;
}

/* `['name']`, `["name"]`, `[*]` or `[index]` at expr[*i] (the '['); fills s. */
static int parse_bracket(const char *expr, size_t *i, seg_t *s, buf_t *name, size_t *offset,
                         err_t *err) {
    size_t k = *i + 1;
    char c = expr[k];
    if (c == '\'' || c == '"') {
        if (parse_quoted(expr, &k, name, offset, err) == -1) return -1;
        s->kind = SEG_NAME;
        if (!(s->name = str_ndup(buf_cstr(name), name->len))) return err_set(err, "out of memory");
    } else if (c == '*') {
        s->kind = SEG_WILD;
        k++;
    } else if (c == '-' || (c >= '0' && c <= '9')) {
        if (parse_index(expr, &k, s, offset, err) == -1) return -1;
    } else if (c == '?') {
        return bad(expr, k, offset, err, "filters are not supported");
    } else {
        return bad(expr, k, offset, err, "expected a quoted name, an index or '*' after '['");
    }
    if (expr[k] != ']')
        return bad(expr, k, offset, err,
                   expr[k] == ',' || expr[k] == ':' ? "unions and slices are not supported"
                                                    : "expected ']'");
    *i = k + 1;
    return 0;
}

jp_path_t *jp_compile(const char *expr, size_t *offset, err_t *err) {
    size_t len = strlen(expr);
    if (len > JP_MAX_EXPR) {
        bad(expr, 0, offset, err, "expression too long");
        return NULL;
    }
    if (expr[0] != '$') {
        bad(expr, 0, offset, err, "a JSONPath starts with '$'");
        return NULL;
    }
    jp_path_t *p = calloc(1, sizeof(*p));
    buf_t name;
    buf_init(&name, JP_MAX_EXPR);
    if (!p || !(p->text = str_dup(expr))) {
        err_set(err, "out of memory");
        goto fail;
    }
    size_t i = 1;
    while (expr[i]) {
        if (p->n == JP_MAX_SEGMENTS) {
            bad(expr, i, offset, err, "too many segments");
            goto fail;
        }
        seg_t *s = &p->segs[p->n];
        buf_reset(&name);
        int rc = expr[i] == '.'   ? parse_dot(expr, &i, s, offset, err)
                 : expr[i] == '[' ? parse_bracket(expr, &i, s, &name, offset, err)
                                  : bad(expr, i, offset, err, "expected '.' or '['");
        p->n++; /* counted even on failure, so that jp_free frees a name already copied */
        if (rc == -1) goto fail;
    }
    buf_free(&name);
    return p;
fail:
    buf_free(&name);
    jp_free(p);
    return NULL;
}

void jp_nodes_init(jp_nodes_t *r) {
    r->nodes = NULL;
    r->n = r->cap = 0;
}

void jp_nodes_free(jp_nodes_t *r) {
    free(r->nodes);
    jp_nodes_init(r);
}

static int push(jp_nodes_t *r, const cJSON *node, err_t *err) {
    if (r->n == r->cap) {
        if (r->cap >= JP_MAX_RESULTS)
            return err_set(err, "JSONPath yields over %d nodes", JP_MAX_RESULTS);
        size_t cap = r->cap ? r->cap * 2 : 8;
        const cJSON **p = realloc(r->nodes, cap * sizeof(*p));
        if (!p) return err_set(err, "out of memory");
        r->nodes = p;
        r->cap = cap;
    }
    r->nodes[r->n++] = node;
    return 0;
}

/* Applies segment s to one node, pushing the matches. */
static int apply(const seg_t *s, const cJSON *node, jp_nodes_t *out, err_t *err) {
    switch (s->kind) {
    case SEG_NAME:
        if (cJSON_IsObject(node)) {
            /* First match wins for duplicate keys, like cJSON's own lookup. */
            const cJSON *c = cJSON_GetObjectItemCaseSensitive(node, s->name);
            if (c) return push(out, c, err);
        }
        return 0;
    case SEG_INDEX: {
        if (!cJSON_IsArray(node)) return 0;
        long long size = cJSON_GetArraySize(node);
        long long idx = s->index < 0 ? size + s->index : s->index;
        if (idx < 0 || idx >= size) return 0;
        const cJSON *c = node->child;
        for (long long k = 0; k < idx; k++) c = c->next;
        return push(out, c, err);
    }
    case SEG_WILD:
        if (cJSON_IsArray(node) || cJSON_IsObject(node))
            for (const cJSON *c = node->child; c; c = c->next)
                if (push(out, c, err) == -1) return -1;
        return 0;
    }
    return 0;
}

int jp_eval(const jp_path_t *p, const cJSON *root, jp_nodes_t *out, err_t *err) {
    out->n = 0;
    if (!root) return 0;
    if (push(out, root, err) == -1) return -1;
    jp_nodes_t next;
    jp_nodes_init(&next);
    for (size_t i = 0; i < p->n && out->n > 0; i++) {
        next.n = 0;
        for (size_t k = 0; k < out->n; k++) {
            if (apply(&p->segs[i], out->nodes[k], &next, err) == -1) {
                jp_nodes_free(&next);
                return -1;
            }
        }
        jp_nodes_t t = *out;
        *out = next;
        next = t;
    }
    jp_nodes_free(&next);
    return 0;
}
