/* tmpl: variable store and {{name}} templating. See tmpl.h. */
#include "tmpl.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/jsonloc.h"
#include "core/jwt.h"

#define TMPL_MAX_DEPTH 256 /* nesting of a rendered JSON tree */

struct vars {
    cJSON *obj;
};

vars_t *vars_new(void) {
    vars_t *v = malloc(sizeof(*v));
    if (!v) return NULL;
    v->obj = cJSON_CreateObject();
    if (!v->obj) {
        free(v);
        return NULL;
    }
    return v;
}

void vars_free(vars_t *v) {
    if (!v) return;
    cJSON_Delete(v->obj);
    free(v);
}

vars_t *vars_clone(const vars_t *v) {
    vars_t *c = malloc(sizeof(*c));
    if (!c) return NULL;
    c->obj = cJSON_Duplicate(v->obj, 1);
    if (!c->obj) {
        free(c);
        return NULL;
    }
    return c;
}

int vars_set_take(vars_t *v, const char *name, cJSON *value) {
    if (!value) return -1;
    if (cJSON_GetObjectItemCaseSensitive(v->obj, name)) {
        if (!cJSON_ReplaceItemInObjectCaseSensitive(v->obj, name, value)) {
            cJSON_Delete(value);
            return -1;
        }
        return 0;
    }
    if (!cJSON_AddItemToObject(v->obj, name, value)) {
        cJSON_Delete(value);
        return -1;
    }
    return 0;
}

int vars_set(vars_t *v, const char *name, const cJSON *value) {
    return vars_set_take(v, name, cJSON_Duplicate(value, 1));
}

int vars_set_string(vars_t *v, const char *name, const char *s) {
    return vars_set_take(v, name, cJSON_CreateString(s));
}

int vars_set_int(vars_t *v, const char *name, long long n) {
    return vars_set_take(v, name, jl_create_integer(n));
}

int vars_append(vars_t *v, const char *name, const cJSON *value, err_t *err) {
    cJSON *list = cJSON_GetObjectItemCaseSensitive(v->obj, name);
    if (!list) {
        if (vars_set_take(v, name, cJSON_CreateArray()) == -1) return err_set(err, "out of memory");
        list = cJSON_GetObjectItemCaseSensitive(v->obj, name);
    }
    if (!cJSON_IsArray(list))
        return err_set(err, "cannot append to variable \"%s\": it is not a list", name);
    if (cJSON_GetArraySize(list) >= TMPL_MAX_LIST)
        return err_set(err, "list variable \"%s\" is full (%d elements)", name, TMPL_MAX_LIST);
    cJSON *copy = cJSON_Duplicate(value, 1);
    if (!copy || !cJSON_AddItemToArray(list, copy)) {
        cJSON_Delete(copy);
        return err_set(err, "out of memory");
    }
    return 0;
}

const cJSON *vars_get(const vars_t *v, const char *name) {
    return cJSON_GetObjectItemCaseSensitive(v->obj, name);
}

const cJSON *vars_object(const vars_t *v) {
    return v->obj;
}

/* ---- syntax --------------------------------------------------------------------------------- */

/* A reference, parsed (load time by tmpl_check, again at render time: parsing is a few hundred
 * nanoseconds, cheaper than keeping a compiled form next to every string of a spec):
 *
 *   ref   := "{{" " "* ( name index? | fname "(" args? ")" ) " "* "}}"
 *   index := "[" " "* ( "-"? digits | name ) " "* "]"
 *   args  := arg ( " "* "," " "* arg )*          arg := name " "* "=" " "* value
 *   value := 'text' | "text" (\\ \' \" escapes) | "-"? digits | name index?
 */
typedef struct ref_index {
    bool set;
    long long n;     /* a literal index (negative counts from the end) */
    const char *var; /* or a variable holding it */
    size_t vlen;
} ref_index_t;

typedef enum { ARG_STR, ARG_INT, ARG_VAR } arg_kind_t;

typedef struct ref_arg {
    const char *key;
    size_t klen;
    arg_kind_t kind;
    const char *text; /* ARG_STR: between the quotes, escapes not applied; ARG_VAR: the name */
    size_t tlen;
    long long n; /* ARG_INT */
    ref_index_t idx;
} ref_arg_t;

typedef struct tmpl_fn {
    const char *name;
    const char *const *keys; /* allowed argument names */
    const char *types;       /* per key: 's' string, 'i' integer, 'a' anything */
    /* Load-time check of a literal string argument (NULL: none). */
    int (*check_str)(const char *key, const char *value, err_t *err);
    cJSON *(*call)(const cJSON *args, const vars_t *v, err_t *err);
} tmpl_fn_t;

typedef struct ref {
    const char *name; /* variable or function */
    size_t nlen;
    const tmpl_fn_t *fn; /* a call */
    ref_index_t idx;     /* a variable's index */
    ref_arg_t args[TMPL_MAX_ARGS];
    size_t nargs;
    size_t total; /* bytes from "{{" to "}}" included */
} ref_t;

static bool name_start(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static bool name_char(char c) {
    return name_start(c) || (c >= '0' && c <= '9') || c == '.' || c == '-';
}

static const char *skip_sp(const char *p) {
    while (*p == ' ') p++;
    return p;
}

/* ---- functions ---------------------------------------------------------------------------- */

static const char *const jwt_keys[] = {"from",   "sub",    "iat",    "exp",  "nbf", "alg",
                                       "secret", "claims", "header", "omit", NULL};

static int jwt_check(const char *key, const char *value, err_t *err) {
    if (strcmp(key, "alg") != 0) return 0;
    static const char *const algs[] = {"HS256", "HS384", "HS512", "none", NULL};
    for (size_t i = 0; algs[i]; i++)
        if (strcmp(value, algs[i]) == 0) return 0;
    return err_set(err, "jwt(): unknown alg '%.40s' (HS256, HS384, HS512 or none)", value);
}

static cJSON *jwt_call(const cJSON *args, const vars_t *v, err_t *err) {
    return jwt_tmpl(args, vars_get(v, "secret"), (long long)time(NULL), err);
}

/* now(add=N): the current Unix time in seconds, plus N (an integer), e.g. to bound a token's exp:
 * ["jwt", "$.user.token", "$.exp", ">=", "{{now(add=5183940)}}"]. */
static const char *const now_keys[] = {"add", NULL};

static cJSON *now_call(const cJSON *args, const vars_t *v, err_t *err) {
    (void)v;
    const cJSON *add = cJSON_GetObjectItemCaseSensitive(args, "add");
    if (add && (!cJSON_IsNumber(add) || !jl_is_integer(add))) {
        err_set(err, "now(): add must be an integer");
        return NULL;
    }
    cJSON *n = jl_create_integer((long long)time(NULL) + (add ? (long long)add->valuedouble : 0));
    if (!n) err_set(err, "out of memory");
    return n;
}

static const tmpl_fn_t tmpl_fns[] = {
    {"jwt", jwt_keys, "saiiisssss", jwt_check, jwt_call},
    {"now", now_keys, "i", NULL, now_call},
};

static const tmpl_fn_t *fn_find(const char *name, size_t len) {
    for (size_t i = 0; i < sizeof(tmpl_fns) / sizeof(tmpl_fns[0]); i++)
        if (strlen(tmpl_fns[i].name) == len && memcmp(tmpl_fns[i].name, name, len) == 0)
            return &tmpl_fns[i];
    return NULL;
}

/* Index of key in fn's keys, -1 if not allowed. */
static int fn_key(const tmpl_fn_t *fn, const char *key, size_t len) {
    for (int i = 0; fn->keys[i]; i++)
        if (strlen(fn->keys[i]) == len && memcmp(fn->keys[i], key, len) == 0) return i;
    return -1;
}

/* ---- parsing ------------------------------------------------------------------------------ */

static const char bad_name[] =
    "invalid variable name in template (names are [A-Za-z_][A-Za-z0-9_.-]*)";

static int parse_name(const char **pp, const char **name, size_t *len, err_t *err) {
    const char *p = *pp;
    if (!name_start(*p)) return err_set(err, "%s", bad_name);
    while (name_char(*p)) p++;
    *name = *pp;
    *len = (size_t)(p - *pp);
    if (*len > TMPL_MAX_NAME)
        return err_set(err, "variable name longer than %d bytes", TMPL_MAX_NAME);
    *pp = p;
    return 0;
}

static int parse_int(const char **pp, long long *out, err_t *err) {
    const char *p = *pp, *d = *p == '-' ? p + 1 : p;
    while (*d >= '0' && *d <= '9') d++;
    if (str_to_ll_n(p, (size_t)(d - p), -(1LL << 53), 1LL << 53, out) == -1)
        return err_set(err, "invalid integer in template (digits, optionally after '-')");
    *pp = d;
    return 0;
}

/* At '[': "[0]", "[-1]", "[i]". */
static int parse_index(const char **pp, ref_index_t *ix, err_t *err) {
    const char *p = skip_sp(*pp + 1);
    ix->set = true;
    if (*p == '-' || (*p >= '0' && *p <= '9')) {
        if (parse_int(&p, &ix->n, err) == -1) return -1;
    } else if (parse_name(&p, &ix->var, &ix->vlen, err) == -1) {
        return err_set(err, "a list index is an integer or a variable name");
    }
    p = skip_sp(p);
    if (*p != ']') return err_set(err, "missing ']' after a list index");
    *pp = p + 1;
    return 0;
}

static int parse_value(const char **pp, ref_arg_t *a, err_t *err) {
    const char *p = *pp;
    if (*p == '\'' || *p == '"') {
        char q = *p++;
        a->kind = ARG_STR;
        a->text = p;
        for (; *p != q; p++) {
            if (*p == '\0') return err_set(err, "unterminated string in template (missing %c)", q);
            if (*p == '\\' && (p[1] == '\\' || p[1] == '\'' || p[1] == '"'))
                p++;
            else if (*p == '\\')
                return err_set(err, "invalid escape in a template string (\\\\ \\' \\\" only)");
        }
        a->tlen = (size_t)(p - a->text);
        *pp = p + 1;
        return 0;
    }
    if (*p == '-' || (*p >= '0' && *p <= '9')) {
        a->kind = ARG_INT;
        *pp = p;
        return parse_int(pp, &a->n, err);
    }
    a->kind = ARG_VAR;
    if (parse_name(&p, &a->text, &a->tlen, err) == -1)
        return err_set(err, "an argument value is a 'string', an integer or a variable name");
    if (*p == '[' && parse_index(&p, &a->idx, err) == -1) return -1;
    *pp = p;
    return 0;
}

static void unescape(const char *s, size_t n, buf_t *out) {
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\\' && i + 1 < n) i++;
        buf_addc(out, s[i]);
    }
}

/* After "fn(": the arguments and ')'. */
static int parse_args(const char **pp, ref_t *r, err_t *err) {
    const tmpl_fn_t *fn = r->fn;
    const char *p = skip_sp(*pp);
    while (*p != ')') {
        if (r->nargs == TMPL_MAX_ARGS)
            return err_set(err, "%s(): more than %d arguments", fn->name, TMPL_MAX_ARGS);
        ref_arg_t *a = &r->args[r->nargs];
        if (parse_name(&p, &a->key, &a->klen, err) == -1)
            return err_set(err, "%s(): expected an argument name (name=value)", fn->name);
        int k = fn_key(fn, a->key, a->klen);
        if (k < 0)
            return err_set(err, "%s(): unknown argument \"%.*s\"", fn->name, (int)a->klen, a->key);
        for (size_t i = 0; i < r->nargs; i++)
            if (r->args[i].klen == a->klen && !memcmp(r->args[i].key, a->key, a->klen))
                return err_set(err, "%s(): argument \"%.*s\" given twice", fn->name, (int)a->klen,
                               a->key);
        p = skip_sp(p);
        if (*p != '=')
            return err_set(err, "%s(): expected '=' after \"%.*s\"", fn->name, (int)a->klen,
                           a->key);
        p = skip_sp(p + 1);
        if (parse_value(&p, a, err) == -1) return err_prefix(err, "%s(): ", fn->name);
        char t = fn->types[k];
        if ((t == 's' && a->kind == ARG_INT) || (t == 'i' && a->kind == ARG_STR))
            return err_set(err, "%s(): argument \"%.*s\" must be %s", fn->name, (int)a->klen,
                           a->key, t == 's' ? "a string" : "an integer");
        if (a->kind == ARG_STR && fn->check_str) {
            buf_t v;
            buf_init(&v, TMPL_MAX_OUTPUT);
            unescape(a->text, a->tlen, &v);
            char key[TMPL_MAX_NAME + 1];
            memcpy(key, a->key, a->klen);
            key[a->klen] = '\0';
            int rc = fn->check_str(key, buf_cstr(&v), err);
            buf_free(&v);
            if (rc == -1) return -1;
        }
        r->nargs++;
        p = skip_sp(p);
        if (*p == ',')
            p = skip_sp(p + 1);
        else if (*p != ')')
            return err_set(err, "%s(): expected ',' or ')'", fn->name);
    }
    *pp = p + 1;
    return 0;
}

/* Parses the reference starting at s ("{{") into r. -1 with a message otherwise. */
static int parse_ref(const char *s, ref_t *r, err_t *err) {
    memset(r, 0, sizeof(*r));
    const char *p = skip_sp(s + 2);
    if (*p == '}' || *p == '\0') {
        if (*p == '}' && p[1] == '}') return err_set(err, "empty template reference \"{{}}\"");
        if (*p == '\0') return err_set(err, "unterminated template reference (missing \"}}\")");
    }
    if (parse_name(&p, &r->name, &r->nlen, err) == -1) return -1;
    if (*p == '(') {
        if (!(r->fn = fn_find(r->name, r->nlen)))
            return err_set(err, "unknown template function \"%.*s\" (jwt, now)", (int)r->nlen,
                           r->name);
        p++;
        if (parse_args(&p, r, err) == -1) return -1;
    } else if (*p == '[') {
        if (parse_index(&p, &r->idx, err) == -1) return -1;
    }
    p = skip_sp(p);
    if (p[0] != '}' || p[1] != '}') {
        if (*p == '\0') return err_set(err, "unterminated template reference (missing \"}}\")");
        return err_set(err, "%s", r->fn || r->idx.set ? "expected \"}}\"" : bad_name);
    }
    r->total = (size_t)(p + 2 - s);
    return 0;
}

bool tmpl_name_ok(const char *s) {
    if (!name_start(*s)) return false;
    size_t n = 0;
    for (; *s; s++, n++)
        if (!name_char(*s)) return false;
    return n <= TMPL_MAX_NAME;
}

bool tmpl_has_refs(const char *s) {
    return strstr(s, "{{") != NULL;
}

bool tmpl_tree_has_refs(const cJSON *t) {
    if (cJSON_IsString(t)) return tmpl_has_refs(t->valuestring);
    for (const cJSON *c = t->child; c; c = c->next) {
        if (c->string && tmpl_has_refs(c->string)) return true;
        if (tmpl_tree_has_refs(c)) return true;
    }
    return false;
}

int tmpl_check(const char *s, size_t *offset, err_t *err) {
    ref_t r;
    for (const char *p = strstr(s, "{{"); p; p = strstr(p, "{{")) {
        if (parse_ref(p, &r, err) == -1) {
            if (offset) *offset = (size_t)(p - s);
            return -1;
        }
        p += r.total;
    }
    return 0;
}

bool tmpl_single_ref(const char *s, char *name) {
    if (s[0] != '{' || s[1] != '{') return false;
    ref_t r;
    if (parse_ref(s, &r, NULL) == -1 || s[r.total] != '\0') return false;
    memcpy(name, r.name, r.nlen);
    name[r.nlen] = '\0';
    return true;
}

/* ---- evaluation --------------------------------------------------------------------------------
 */

static const cJSON *lookup(const vars_t *v, const char *name, size_t nlen, err_t *err) {
    char key[TMPL_MAX_NAME + 1];
    memcpy(key, name, nlen);
    key[nlen] = '\0';
    const cJSON *val = cJSON_GetObjectItemCaseSensitive(v->obj, key);
    if (!val) err_set(err, "unknown variable \"%s\"", key);
    return val;
}

/* name[ix] (or name when ix is unset): borrowed. */
static const cJSON *lookup_indexed(const vars_t *v, const char *name, size_t nlen,
                                   const ref_index_t *ix, err_t *err) {
    const cJSON *val = lookup(v, name, nlen, err);
    if (!val || !ix->set) return val;
    long long i = ix->n;
    if (ix->var) {
        const cJSON *iv = lookup(v, ix->var, ix->vlen, err);
        if (!iv) return NULL;
        if (!cJSON_IsNumber(iv) || !jl_is_integer(iv)) {
            err_set(err, "index \"%.*s\" of \"%.*s\" is not an integer", (int)ix->vlen, ix->var,
                    (int)nlen, name);
            return NULL;
        }
        i = (long long)iv->valuedouble;
    }
    if (!cJSON_IsArray(val)) {
        err_set(err, "variable \"%.*s\" is not a list: it cannot be indexed", (int)nlen, name);
        return NULL;
    }
    long long size = cJSON_GetArraySize(val), at = i < 0 ? size + i : i;
    if (at < 0 || at >= size) {
        err_set(err, "\"%.*s[%lld]\": index out of range (the list has %lld element%s)", (int)nlen,
                name, i, size, size == 1 ? "" : "s");
        return NULL;
    }
    return cJSON_GetArrayItem(val, (int)at);
}

/* Evaluates r: *out is borrowed from vars, or owned (in *owned: delete it) for a call. */
static int ref_eval(const vars_t *v, const ref_t *r, const cJSON **out, cJSON **owned, err_t *err) {
    *owned = NULL;
    if (!r->fn) {
        *out = lookup_indexed(v, r->name, r->nlen, &r->idx, err);
        return *out ? 0 : -1;
    }
    cJSON *args = cJSON_CreateObject();
    buf_t tmp;
    buf_init(&tmp, TMPL_MAX_OUTPUT);
    int rc = args ? 0 : err_set(err, "out of memory");
    for (size_t i = 0; rc == 0 && i < r->nargs; i++) {
        const ref_arg_t *a = &r->args[i];
        cJSON *val = NULL;
        if (a->kind == ARG_STR) {
            buf_reset(&tmp);
            unescape(a->text, a->tlen, &tmp);
            val = cJSON_CreateString(buf_cstr(&tmp));
        } else if (a->kind == ARG_INT) {
            val = jl_create_integer(a->n);
        } else {
            const cJSON *x = lookup_indexed(v, a->text, a->tlen, &a->idx, err);
            if (!x) {
                rc = err_prefix(err, "%s(): ", r->fn->name);
                break;
            }
            val = cJSON_Duplicate(x, 1);
        }
        char key[TMPL_MAX_NAME + 1];
        memcpy(key, a->key, a->klen);
        key[a->klen] = '\0';
        if (!val || !cJSON_AddItemToObject(args, key, val)) {
            cJSON_Delete(val);
            rc = err_set(err, "out of memory");
        }
    }
    buf_free(&tmp);
    if (rc == 0 && !(*owned = r->fn->call(args, v, err))) rc = -1;
    cJSON_Delete(args);
    *out = *owned;
    return rc;
}

int tmpl_render(const vars_t *v, const char *s, buf_t *out, err_t *err) {
    const char *p = s;
    ref_t r;
    for (const char *at = strstr(p, "{{"); at; at = strstr(p, "{{")) {
        if (buf_add(out, p, (size_t)(at - p)) == -1) goto full;
        if (parse_ref(at, &r, err) == -1) return -1;
        const cJSON *val;
        cJSON *owned;
        if (ref_eval(v, &r, &val, &owned, err) == -1) return -1;
        int rc = cJSON_IsString(val) ? buf_adds(out, val->valuestring) : jl_print(val, out);
        cJSON_Delete(owned);
        if (rc == -1) goto full;
        p = at + r.total;
    }
    if (buf_adds(out, p) == -1) goto full;
    return 0;
full:
    return err_set(err, "rendered template longer than %zu bytes", out->max);
}

char *tmpl_render_str(const vars_t *v, const char *s, err_t *err) {
    buf_t b;
    buf_init(&b, TMPL_MAX_OUTPUT);
    if (tmpl_render(v, s, &b, err) == -1) {
        buf_free(&b);
        return NULL;
    }
    char *r = buf_detach(&b);
    if (!r) err_set(err, "out of memory");
    return r;
}

static cJSON *render_node(const vars_t *v, const cJSON *t, buf_t *tmp, err_t *err, int depth) {
    if (depth > TMPL_MAX_DEPTH) {
        err_set(err, "JSON nested too deeply");
        return NULL;
    }
    if (cJSON_IsString(t)) {
        const char *s = t->valuestring;
        ref_t r;
        if (s[0] == '{' && s[1] == '{' && parse_ref(s, &r, NULL) == 0 && s[r.total] == '\0') {
            /* Exactly one reference: the value keeps its JSON type. */
            const cJSON *val;
            cJSON *owned;
            if (ref_eval(v, &r, &val, &owned, err) == -1) return NULL;
            return owned ? owned : cJSON_Duplicate(val, 1);
        }
        if (!tmpl_has_refs(s)) return cJSON_CreateString(s);
        buf_reset(tmp);
        if (tmpl_render(v, s, tmp, err) == -1) return NULL;
        return cJSON_CreateString(buf_cstr(tmp));
    }
    if (!cJSON_IsArray(t) && !cJSON_IsObject(t)) return cJSON_Duplicate(t, 0);
    cJSON *out = cJSON_IsArray(t) ? cJSON_CreateArray() : cJSON_CreateObject();
    if (!out) return NULL;
    for (const cJSON *c = t->child; c; c = c->next) {
        cJSON *r = render_node(v, c, tmp, err, depth + 1);
        if (!r) goto fail;
        if (cJSON_IsArray(t)) {
            cJSON_AddItemToArray(out, r);
            continue;
        }
        const char *key = c->string ? c->string : "";
        if (tmpl_has_refs(key)) {
            char *k = tmpl_render_str(v, key, err);
            if (!k) {
                cJSON_Delete(r);
                goto fail;
            }
            cJSON_AddItemToObject(out, k, r);
            free(k);
        } else {
            cJSON_AddItemToObject(out, key, r);
        }
    }
    return out;
fail:
    cJSON_Delete(out);
    return NULL;
}

cJSON *tmpl_render_json(const vars_t *v, const cJSON *tree, err_t *err) {
    buf_t tmp;
    buf_init(&tmp, TMPL_MAX_OUTPUT);
    if (err) err->msg[0] = '\0';
    cJSON *r = render_node(v, tree, &tmp, err, 0);
    buf_free(&tmp);
    if (!r && err && !err->msg[0]) err_set(err, "out of memory");
    return r;
}
