/* tmpl: variable store and {{name}} templating. See tmpl.h. */
#include "tmpl.h"

#include <stdlib.h>
#include <string.h>

#include "jsonloc.h"

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

static bool name_start(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static bool name_char(char c) {
    return name_start(c) || (c >= '0' && c <= '9') || c == '.' || c == '-';
}

/* Parses the reference starting at s ("{{"): on success sets the name slice and the reference's
 * total length. -1 with a message otherwise. */
static int parse_ref(const char *s, const char **name, size_t *nlen, size_t *total, err_t *err) {
    const char *p = s + 2;
    while (*p == ' ') p++;
    const char *n = p;
    if (!name_start(*p)) {
        if (*p == '}' || *p == '\0') return err_set(err, "empty template reference \"{{}}\"");
        return err_set(err,
                       "invalid variable name in template (names are [A-Za-z_][A-Za-z0-9_.-]*)");
    }
    while (name_char(*p)) p++;
    size_t len = (size_t)(p - n);
    while (*p == ' ') p++;
    if (p[0] != '}' || p[1] != '}') {
        if (*p == '\0') return err_set(err, "unterminated template reference (missing \"}}\")");
        return err_set(err,
                       "invalid variable name in template (names are [A-Za-z_][A-Za-z0-9_.-]*)");
    }
    if (len > TMPL_MAX_NAME)
        return err_set(err, "variable name longer than %d bytes", TMPL_MAX_NAME);
    *name = n;
    *nlen = len;
    *total = (size_t)(p + 2 - s);
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
    for (const char *p = strstr(s, "{{"); p; p = strstr(p, "{{")) {
        const char *name;
        size_t nlen, total;
        if (parse_ref(p, &name, &nlen, &total, err) == -1) {
            if (offset) *offset = (size_t)(p - s);
            return -1;
        }
        p += total;
    }
    return 0;
}

bool tmpl_single_ref(const char *s, char *name) {
    if (s[0] != '{' || s[1] != '{') return false;
    const char *n;
    size_t nlen, total;
    if (parse_ref(s, &n, &nlen, &total, NULL) == -1 || s[total] != '\0') return false;
    memcpy(name, n, nlen);
    name[nlen] = '\0';
    return true;
}

/* ---- rendering --------------------------------------------------------------------------------
 */

static const cJSON *lookup(const vars_t *v, const char *name, size_t nlen, err_t *err) {
    char key[TMPL_MAX_NAME + 1];
    memcpy(key, name, nlen);
    key[nlen] = '\0';
    const cJSON *val = cJSON_GetObjectItemCaseSensitive(v->obj, key);
    if (!val) err_set(err, "unknown variable \"%s\"", key);
    return val;
}

int tmpl_render(const vars_t *v, const char *s, buf_t *out, err_t *err) {
    const char *p = s;
    for (const char *ref = strstr(p, "{{"); ref; ref = strstr(p, "{{")) {
        const char *name;
        size_t nlen, total;
        if (buf_add(out, p, (size_t)(ref - p)) == -1) goto full;
        if (parse_ref(ref, &name, &nlen, &total, err) == -1) return -1;
        const cJSON *val = lookup(v, name, nlen, err);
        if (!val) return -1;
        int rc = cJSON_IsString(val) ? buf_adds(out, val->valuestring) : jl_print(val, out);
        if (rc == -1) goto full;
        p = ref + total;
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
        char name[TMPL_MAX_NAME + 1];
        if (tmpl_single_ref(t->valuestring, name)) {
            const cJSON *val = lookup(v, name, strlen(name), err);
            return val ? cJSON_Duplicate(val, 1) : NULL;
        }
        if (!tmpl_has_refs(t->valuestring)) return cJSON_CreateString(t->valuestring);
        buf_reset(tmp);
        if (tmpl_render(v, t->valuestring, tmp, err) == -1) return NULL;
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
