/*
 * template.c: a small template engine (a Jinja subset), compiled once at start-up into a node
 * tree and rendered against a cJSON context. Output of {{ }} is HTML-escaped unless `| safe`.
 * Why not a library: Debian 12 packages no C template engine with auto-escaping (mustach and
 * ctemplate are absent); this one is ~400 lines and covers what server pages need (values, loops,
 * ifs). Ownership: quill_tpl owns its nodes (malloc), freed by quill_tpl_free; rendering allocates
 * only in the output buffer's arena.
 */
#include "internal.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TPL_MAX_PATH   8  /* components of a dotted expression */
#define TPL_MAX_DEPTH  32 /* nesting of for/if blocks */
#define TPL_MAX_SCOPES 32 /* loop variables visible at once */
#define TPL_MAX_FILE   (1u << 20)

enum { N_TEXT, N_VAR, N_FOR, N_IF };

typedef struct tnode {
    int kind;
    char *text; /* N_TEXT */
    size_t len;
    char *path[TPL_MAX_PATH]; /* N_VAR, N_FOR (iterable), N_IF (condition) */
    int npath;
    bool safe;   /* N_VAR: no escaping */
    bool negate; /* N_IF: `if not` */
    char *var;   /* N_FOR: loop variable */
    struct tnode *body, *els, *next;
} tnode;

struct quill_tpl {
    tnode *root;
};

typedef struct parser {
    const char *src, *p;
    int line;
    char *err;
    size_t errlen;
    int depth;
} parser;

static void node_free(tnode *n) {
    while (n) {
        tnode *next = n->next;
        free(n->text);
        for (int i = 0; i < n->npath; i++) free(n->path[i]);
        free(n->var);
        node_free(n->body);
        node_free(n->els);
        free(n);
        n = next;
    }
}

static int perr(parser *ps, const char *msg) {
    if (ps->errlen) snprintf(ps->err, ps->errlen, "line %d: %s", ps->line, msg);
    return -1;
}

static void count_lines(parser *ps, const char *from, const char *to) {
    for (const char *c = from; c < to; c++)
        if (*c == '\n') ps->line++;
}

static char *dupn(const char *s, size_t n) {
    char *p = malloc(n + 1);
    if (!p) return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

/* Splits the words of a tag body s[0..n) (whitespace-separated) into w[]; returns the count. */
static int words(const char *s, size_t n, const char **w, size_t *wl, int max) {
    int k = 0;
    size_t i = 0;
    while (i < n) {
        while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) i++;
        if (i >= n) break;
        size_t st = i;
        while (i < n && !(s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) i++;
        if (k == max) return max + 1;
        w[k] = s + st;
        wl[k] = i - st;
        k++;
    }
    return k;
}

static bool word_is(const char *w, size_t n, const char *lit) {
    return strlen(lit) == n && memcmp(w, lit, n) == 0;
}

static int parse_path(parser *ps, tnode *n, const char *s, size_t len) {
    if (len == 0) return perr(ps, "empty expression");
    size_t i = 0;
    while (i <= len) {
        size_t st = i;
        while (i < len && s[i] != '.') i++;
        if (i == st) return perr(ps, "empty component in a dotted expression");
        for (size_t k = st; k < i; k++) {
            char c = s[k];
            if (!(c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                  (c >= '0' && c <= '9')))
                return perr(ps, "an expression is a dotted path of names and indexes");
        }
        if (n->npath == TPL_MAX_PATH) return perr(ps, "expression has too many components");
        if (!(n->path[n->npath++] = dupn(s + st, i - st))) return perr(ps, "out of memory");
        i++;
    }
    return 0;
}

/* Parses nodes until an end tag in `ends` ("endfor", "else"...) or the end of input. On return
 * *end holds the tag that stopped it ("" at end of input). */
static int parse_list(parser *ps, tnode **out, const char *const *ends, char *end, size_t endlen) {
    tnode *head = NULL, **tail = &head;
    *out = NULL;
    end[0] = '\0';
    if (++ps->depth > TPL_MAX_DEPTH) return perr(ps, "blocks nested too deeply");
    for (;;) {
        const char *open = strstr(ps->p, "{");
        while (open && open[1] != '{' && open[1] != '%' && open[1] != '#')
            open = strchr(open + 1, '{');
        size_t tlen = open ? (size_t)(open - ps->p) : strlen(ps->p);
        if (tlen) {
            tnode *t = calloc(1, sizeof(*t));
            if (!t || !(t->text = dupn(ps->p, tlen))) {
                free(t);
                node_free(head);
                return perr(ps, "out of memory");
            }
            t->kind = N_TEXT;
            t->len = tlen;
            *tail = t;
            tail = &t->next;
            count_lines(ps, ps->p, ps->p + tlen);
            ps->p += tlen;
        }
        if (!open) break;
        char kind = open[1];
        const char *close = strstr(open + 2, kind == '{' ? "}}" : kind == '%' ? "%}" : "#}");
        if (!close) {
            node_free(head);
            return perr(ps, "unclosed tag");
        }
        const char *body = open + 2;
        size_t blen = (size_t)(close - body);
        int tag_line = ps->line;
        count_lines(ps, open, close + 2);
        ps->p = close + 2;
        if (kind == '#') continue;
        const char *w[6];
        size_t wl[6];
        int nw = words(body, blen, w, wl, 5);
        int saved = ps->line;
        ps->line = tag_line;
        if (kind == '{') {
            tnode *v = calloc(1, sizeof(*v));
            if (!v) {
                node_free(head);
                return perr(ps, "out of memory");
            }
            v->kind = N_VAR;
            *tail = v;
            tail = &v->next;
            if (nw == 3 && word_is(w[1], wl[1], "|") && word_is(w[2], wl[2], "safe")) {
                v->safe = true;
            } else if (nw == 1 && wl[0] > 5 && !memcmp(w[0] + wl[0] - 5, "|safe", 5)) {
                v->safe = true;
                wl[0] -= 5;
            } else if (nw != 1) {
                node_free(head);
                return perr(ps, "{{ }} takes one expression, optionally `| safe`");
            }
            if (parse_path(ps, v, w[0], wl[0]) < 0) {
                node_free(head);
                return -1;
            }
            ps->line = saved;
            continue;
        }
        /* {% ... %} */
        if (nw == 0) {
            node_free(head);
            return perr(ps, "empty {% %} tag");
        }
        for (const char *const *e = ends; *e; e++) {
            if (nw == 1 && word_is(w[0], wl[0], *e)) {
                snprintf(end, endlen, "%s", *e);
                *out = head;
                ps->depth--;
                ps->line = saved;
                return 0;
            }
        }
        tnode *n = calloc(1, sizeof(*n));
        if (!n) {
            node_free(head);
            return perr(ps, "out of memory");
        }
        *tail = n;
        tail = &n->next;
        char stop[16];
        if (nw == 4 && word_is(w[0], wl[0], "for") && word_is(w[2], wl[2], "in")) {
            n->kind = N_FOR;
            n->var = dupn(w[1], wl[1]);
            if (!n->var || parse_path(ps, n, w[3], wl[3]) < 0) {
                node_free(head);
                return perr(ps, "bad for tag");
            }
            ps->line = saved;
            static const char *const for_ends[] = {"endfor", "else", NULL};
            if (parse_list(ps, &n->body, for_ends, stop, sizeof(stop)) < 0) {
                node_free(head);
                return -1;
            }
            if (!strcmp(stop, "else")) {
                static const char *const else_ends[] = {"endfor", NULL};
                if (parse_list(ps, &n->els, else_ends, stop, sizeof(stop)) < 0) {
                    node_free(head);
                    return -1;
                }
            }
            if (strcmp(stop, "endfor") != 0) {
                node_free(head);
                return perr(ps, "{% for %} without {% endfor %}");
            }
        } else if ((nw == 2 || nw == 3) && word_is(w[0], wl[0], "if")) {
            n->kind = N_IF;
            int e = 1;
            if (nw == 3) {
                if (!word_is(w[1], wl[1], "not")) {
                    node_free(head);
                    return perr(ps, "{% if %} takes `expr` or `not expr`");
                }
                n->negate = true;
                e = 2;
            }
            if (parse_path(ps, n, w[e], wl[e]) < 0) {
                node_free(head);
                return -1;
            }
            ps->line = saved;
            static const char *const if_ends[] = {"endif", "else", NULL};
            if (parse_list(ps, &n->body, if_ends, stop, sizeof(stop)) < 0) {
                node_free(head);
                return -1;
            }
            if (!strcmp(stop, "else")) {
                static const char *const else_ends[] = {"endif", NULL};
                if (parse_list(ps, &n->els, else_ends, stop, sizeof(stop)) < 0) {
                    node_free(head);
                    return -1;
                }
            }
            if (strcmp(stop, "endif") != 0) {
                node_free(head);
                return perr(ps, "{% if %} without {% endif %}");
            }
        } else {
            node_free(head);
            return perr(ps, "unknown or unexpected tag (for, if, else, endfor, endif)");
        }
    }
    ps->depth--;
    *out = head;
    return 0;
}

quill_tpl *quill_tpl_compile(const char *src, char *err, size_t errlen) {
    if (err && errlen) err[0] = '\0';
    parser ps = {src, src, 1, err, err ? errlen : 0, 0};
    quill_tpl *t = calloc(1, sizeof(*t));
    if (!t) return NULL;
    static const char *const none[] = {NULL};
    char stop[16];
    if (parse_list(&ps, &t->root, none, stop, sizeof(stop)) < 0) {
        free(t);
        return NULL;
    }
    return t;
}

quill_tpl *quill_tpl_load(const char *path, char *err, size_t errlen) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (errlen) snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    char *buf = malloc(TPL_MAX_FILE + 1);
    size_t n = buf ? fread(buf, 1, TPL_MAX_FILE + 1, f) : 0;
    fclose(f);
    if (!buf || n > TPL_MAX_FILE) {
        free(buf);
        if (errlen) snprintf(err, errlen, "%s: too large (max %u bytes)", path, TPL_MAX_FILE);
        return NULL;
    }
    buf[n] = '\0';
    char inner[200] = "";
    quill_tpl *t = quill_tpl_compile(buf, inner, sizeof(inner));
    free(buf);
    if (!t && errlen) snprintf(err, errlen, "%s:%s", path, inner + 4 /* skip "line" */);
    return t;
}

void quill_tpl_free(quill_tpl *t) {
    if (!t) return;
    node_free(t->root);
    free(t);
}

/* ---- rendering ----------------------------------------------------------------------------- */

typedef struct scope {
    const char *name;
    const cJSON *value;
    int index, count; /* for loop.index, loop.first, loop.last */
} scope;

typedef struct render {
    const cJSON *ctx;
    scope scopes[TPL_MAX_SCOPES];
    int nscopes;
    quill_buf *out;
} render;

typedef struct tval {
    enum { V_NONE, V_JSON, V_INT, V_BOOL } kind;
    const cJSON *json;
    int64_t i;
    bool b;
} tval;

static const cJSON *child(const cJSON *j, const char *name) {
    if (!j) return NULL;
    if (cJSON_IsArray(j)) {
        char *end;
        errno = 0;
        long idx = strtol(name, &end, 10);
        if (errno || *end || idx < 0) return NULL;
        return cJSON_GetArrayItem(j, (int)idx);
    }
    return cJSON_IsObject(j) ? cJSON_GetObjectItemCaseSensitive(j, name) : NULL;
}

static tval lookup(const render *r, const tnode *n) {
    tval v = {V_NONE, NULL, 0, false};
    const cJSON *cur = NULL;
    int start = 1;
    for (int s = r->nscopes - 1; s >= 0; s--) {
        const scope *sc = &r->scopes[s];
        if (!strcmp(n->path[0], "loop") && n->npath == 2) {
            if (!strcmp(n->path[1], "index"))
                v = (tval){V_INT, NULL, sc->index + 1, false};
            else if (!strcmp(n->path[1], "first"))
                v = (tval){V_BOOL, NULL, 0, sc->index == 0};
            else if (!strcmp(n->path[1], "last"))
                v = (tval){V_BOOL, NULL, 0, sc->index == sc->count - 1};
            return v;
        }
        if (!strcmp(sc->name, n->path[0])) {
            cur = sc->value;
            goto walk;
        }
    }
    cur = child(r->ctx, n->path[0]);
walk:
    for (int i = start; i < n->npath && cur; i++) cur = child(cur, n->path[i]);
    if (cur) v = (tval){V_JSON, cur, 0, false};
    return v;
}

static bool truthy(tval v) {
    switch (v.kind) {
    case V_NONE: return false;
    case V_INT: return v.i != 0;
    case V_BOOL: return v.b;
    case V_JSON: break;
    }
    const cJSON *j = v.json;
    if (cJSON_IsNull(j) || cJSON_IsFalse(j)) return false;
    if (cJSON_IsNumber(j)) return j->valuedouble != 0;
    if (cJSON_IsString(j)) return j->valuestring && j->valuestring[0];
    if (cJSON_IsArray(j) || cJSON_IsObject(j)) return j->child != NULL;
    return true;
}

static int emit(render *r, const char *s, size_t n, bool safe) {
    return safe ? quill_buf_append(r->out, s, n) : quill_buf_html_escape(r->out, s, n);
}

static int emit_value(render *r, tval v, bool safe) {
    char tmp[40];
    switch (v.kind) {
    case V_NONE: return 0;
    case V_INT: return quill_buf_printf(r->out, "%lld", (long long)v.i);
    case V_BOOL: return quill_buf_puts(r->out, v.b ? "true" : "false");
    case V_JSON: break;
    }
    const cJSON *j = v.json;
    if (cJSON_IsString(j)) return emit(r, j->valuestring, strlen(j->valuestring), safe);
    if (cJSON_IsNumber(j)) {
        double d = j->valuedouble;
        int n = (isfinite(d) && d == floor(d) && fabs(d) < 1e15)
                    ? snprintf(tmp, sizeof(tmp), "%.0f", d)
                    : snprintf(tmp, sizeof(tmp), "%.17g", d);
        return quill_buf_append(r->out, tmp, (size_t)n);
    }
    if (cJSON_IsTrue(j)) return quill_buf_puts(r->out, "true");
    if (cJSON_IsFalse(j)) return quill_buf_puts(r->out, "false");
    if (cJSON_IsNull(j)) return 0;
    char *s = cJSON_PrintUnformatted(j); /* objects and lists: their JSON, escaped */
    if (!s) return -1;
    int rc = emit(r, s, strlen(s), safe);
    cJSON_free(s);
    return rc;
}

static int render_list(render *r, const tnode *n) {
    for (; n; n = n->next) {
        switch (n->kind) {
        case N_TEXT:
            if (quill_buf_append(r->out, n->text, n->len) < 0) return -1;
            break;
        case N_VAR:
            if (emit_value(r, lookup(r, n), n->safe) < 0) return -1;
            break;
        case N_IF: {
            bool t = truthy(lookup(r, n));
            if (n->negate) t = !t;
            if (render_list(r, t ? n->body : n->els) < 0) return -1;
            break;
        }
        case N_FOR: {
            tval v = lookup(r, n);
            const cJSON *list = v.kind == V_JSON ? v.json : NULL;
            int count = list && (cJSON_IsArray(list) || cJSON_IsObject(list))
                            ? cJSON_GetArraySize(list)
                            : 0;
            if (count == 0) {
                if (render_list(r, n->els) < 0) return -1;
                break;
            }
            if (r->nscopes == TPL_MAX_SCOPES) return -1;
            scope *sc = &r->scopes[r->nscopes++];
            sc->name = n->var;
            sc->count = count;
            sc->index = 0;
            for (const cJSON *it = list->child; it; it = it->next, sc->index++) {
                sc->value = it;
                if (render_list(r, n->body) < 0) {
                    r->nscopes--;
                    return -1;
                }
            }
            r->nscopes--;
            break;
        }
        }
    }
    return 0;
}

int quill_tpl_render(const quill_tpl *t, const cJSON *ctx, quill_buf *out) {
    render r = {.ctx = ctx, .nscopes = 0, .out = out};
    if (render_list(&r, t->root) < 0 || out->failed) return -1;
    if (!out->ptr) return quill_buf_append(out, "", 0); /* an empty result is still a string */
    return 0;
}

int quill_tpl_respond(const quill_tpl *t, const cJSON *ctx, quill_req *req, quill_res *res,
                      int status) {
    quill_buf b;
    quill_buf_init(&b, req->arena);
    if (quill_tpl_render(t, ctx, &b) < 0) {
        res->failed = true;
        return -1;
    }
    return quill_res_body_ref(res, status, QUILL_CT_HTML, b.ptr, b.len);
}
