/* spec: load suite files into the model of spec.h, validating everything at load time.
 * This file: errors, validation helpers, suites, step lists, repeat and include, file loading.
 * spec_expect.c: the request, expect, asserts and captures of a request step. */
#include "spec_int.h"

#include "core/json.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define SPEC_MAX_DIR_FILES 10000 /* *.json files in one directory */

/* ---- errors ------------------------------------------------------------------------------- */

spec_loc_t spec_loc(spec_ctx_t *c, const cJSON *node, spec_at_t at) {
    jl_loc_t l = at == AT_KEY ? jl_map_key(c->map, node) : jl_map_value(c->map, node);
    return (spec_loc_t){c->file, l.line, l.col};
}

void spec_err(spec_ctx_t *c, const cJSON *node, spec_at_t at, const char *fmt, ...) {
    spec_set_t *s = c->set;
    for (spec_ctx_t *p = c; p; p = p->parent) p->errors++;
    if (s->nerrors > SPEC_MAX_ERRORS) return;
    if (s->nerrors == SPEC_MAX_ERRORS) {
        buf_printf(&s->errors, "%s: too many errors, stopping\n", c->file);
        s->nerrors++;
        return;
    }
    char msg[ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    spec_loc_t l = spec_loc(c, node, at);
    char line[ERR_MSG_MAX + PATH_MAX + 32];
    snprintf(line, sizeof(line), "%s:%u:%u: %s\n", l.file, l.line, l.col, msg);
    /* A file included several times would repeat its errors: report each once. */
    if (s->errors.len && strstr(buf_cstr(&s->errors), line)) return;
    buf_adds(&s->errors, line);
    s->nerrors++;
}

/* ---- validation helpers ------------------------------------------------------------------------
 */

const char *spec_type_name(const cJSON *node) {
    if (cJSON_IsNumber(node)) return jl_is_integer(node) ? "integer" : "number";
    return json_type_name(node);
}

static size_t edit_distance(const char *a, const char *b) {
    size_t la = strlen(a), lb = strlen(b);
    if (la > 40 || lb > 40) return 99;
    size_t d[41][41];
    for (size_t i = 0; i <= la; i++) d[i][0] = i;
    for (size_t j = 0; j <= lb; j++) d[0][j] = j;
    for (size_t i = 1; i <= la; i++) {
        for (size_t j = 1; j <= lb; j++) {
            size_t sub = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            size_t del = d[i - 1][j] + 1, ins = d[i][j - 1] + 1;
            d[i][j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
        }
    }
    return d[la][lb];
}

int spec_check_keys(spec_ctx_t *c, const cJSON *obj, const char *const *allowed, const char *what) {
    int rc = 0;
    for (const cJSON *k = obj->child; k; k = k->next) {
        const char *best = NULL;
        size_t bestd = 3; /* suggest only close names */
        bool ok = false;
        for (size_t i = 0; allowed[i]; i++) {
            if (strcmp(k->string, allowed[i]) == 0) ok = true;
            size_t d = edit_distance(k->string, allowed[i]);
            if (d < bestd) bestd = d, best = allowed[i];
        }
        if (ok) continue;
        rc = -1;
        char list[512] = "";
        size_t used = 0;
        for (size_t i = 0; allowed[i] && used < sizeof(list); i++)
            used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%s", i ? ", " : "",
                                     allowed[i]);
        if (best)
            spec_err(c, k, AT_KEY, "unknown key \"%s\" in %s (did you mean \"%s\"?)", k->string,
                     what, best);
        else
            spec_err(c, k, AT_KEY, "unknown key \"%s\" in %s (allowed: %s)", k->string, what, list);
    }
    return rc;
}

static const char *cjson_type_word(int t) {
    switch (t) {
    case cJSON_String: return "a string";
    case cJSON_Number: return "a number";
    case cJSON_Object: return "an object";
    case cJSON_Array: return "a list";
    case cJSON_True | cJSON_False: return "a boolean";
    default: return "a value";
    }
}

int spec_want(spec_ctx_t *c, const cJSON *node, int t, const char *what) {
    if ((node->type & 0xFF & t) != 0) return 0;
    spec_err(c, node, AT_VALUE, "%s must be %s, got %s", what, cjson_type_word(t),
             spec_type_name(node));
    return -1;
}

int spec_want_int(spec_ctx_t *c, const cJSON *node, long min, long max, const char *what,
                  long *out) {
    long long v;
    const char *t = jl_number_text(node);
    if (!cJSON_IsNumber(node) || !jl_is_integer(node) || !t || str_to_ll(t, min, max, &v) == -1) {
        spec_err(c, node, AT_VALUE, "%s must be an integer from %ld to %ld, got %s", what, min, max,
                 cJSON_IsNumber(node) && t ? t : spec_type_name(node));
        return -1;
    }
    *out = (long)v;
    return 0;
}

int spec_want_tmpl(spec_ctx_t *c, const cJSON *node, const char *what) {
    err_t e;
    size_t off;
    if (tmpl_check(node->valuestring, &off, &e) == 0) return 0;
    spec_err(c, node, AT_VALUE, "%s: %s (at byte %zu of the string)", what, e.msg, off + 1);
    return -1;
}

int spec_check_tree_tmpl(spec_ctx_t *c, const cJSON *node, const char *what) {
    int rc = 0;
    if (cJSON_IsString(node)) return spec_want_tmpl(c, node, what);
    for (const cJSON *k = node->child; k; k = k->next) {
        if (k->string && tmpl_has_refs(k->string)) {
            err_t e;
            if (tmpl_check(k->string, NULL, &e) == -1) {
                spec_err(c, k, AT_KEY, "%s: %s", what, e.msg);
                rc = -1;
            }
        }
        if (spec_check_tree_tmpl(c, k, what) == -1) rc = -1;
    }
    return rc;
}

const cJSON *spec_required(spec_ctx_t *c, const cJSON *obj, const char *key, const char *what) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v) spec_err(c, obj, AT_VALUE, "%s: missing required key \"%s\"", what, key);
    return v;
}

bool spec_var_name_ok(const char *s) {
    return tmpl_name_ok(s);
}

/* ---- steps --------------------------------------------------------------------------------------
 */

static int parse_steps(spec_ctx_t *c, const cJSON *arr, step_list_t *out, const char *what);
static int load_include(spec_ctx_t *c, const cJSON *step, step_t *st);

/* "retry": {"count": N, "interval": MS}. */
static int parse_retry(spec_ctx_t *c, const cJSON *retry, step_t *st) {
    static const char *const rkeys[] = {"count", "interval", NULL};
    long v;
    if (spec_want(c, retry, cJSON_Object, "retry") == -1) return -1;
    int rc = spec_check_keys(c, retry, rkeys, "retry");
    const cJSON *cnt = spec_required(c, retry, "count", "retry");
    if (!cnt || spec_want_int(c, cnt, 0, SPEC_MAX_RETRY, "retry.count", &v) == -1)
        rc = -1;
    else
        st->retry_count = (int)v;
    const cJSON *iv = cJSON_GetObjectItemCaseSensitive(retry, "interval");
    if (iv && spec_want_int(c, iv, 0, SPEC_MAX_DELAY_MS, "retry.interval", &v) == -1)
        rc = -1;
    else if (iv)
        st->retry_interval_ms = v;
    return rc;
}

/* "skip": {"TARGET": "why"}: a written reason per target, never empty. */
static int parse_skip(spec_ctx_t *c, const cJSON *skip, step_t *st) {
    int rc = 0;
    if (spec_want(c, skip, cJSON_Object, "skip") == -1) return -1;
    int n = cJSON_GetArraySize(skip);
    st->skips = arena_alloc(&c->set->arena, (size_t)(n ? n : 1) * sizeof(skip_t));
    if (!st->skips) return -1;
    for (const cJSON *k = skip->child; k; k = k->next) {
        if (!k->string[0]) {
            spec_err(c, k, AT_KEY, "skip: the target name must not be empty");
            rc = -1;
            continue;
        }
        if (!cJSON_IsString(k)) {
            spec_err(c, k, AT_VALUE, "skip reason for \"%s\" must be a string saying why, got %s",
                     k->string, spec_type_name(k));
            rc = -1;
            continue;
        }
        const char *r = k->valuestring;
        while (*r == ' ' || *r == '\t') r++;
        if (!*r) {
            spec_err(c, k, AT_VALUE, "skip reason for \"%s\" must not be empty", k->string);
            rc = -1;
            continue;
        }
        st->skips[st->nskips++] = (skip_t){k->string, k->valuestring};
    }
    return rc;
}

static int parse_request_step(spec_ctx_t *c, const cJSON *obj, step_t *st) {
    static const char *const keys[] = {"name", "request", "expect", "captures", "retry", "delay",
                                       "skip", "raw",     "probe",  "save_jar", NULL};
    int rc = spec_check_keys(c, obj, keys, "step");
    st->kind = STEP_REQUEST;
    const cJSON *name = spec_required(c, obj, "name", "step");
    if (!name) {
        rc = -1;
    } else if (spec_want(c, name, cJSON_String, "step name") == -1) {
        rc = -1;
    } else if (!name->valuestring[0]) {
        spec_err(c, name, AT_VALUE, "step name must not be empty");
        rc = -1;
    } else {
        st->name = name->valuestring;
    }
    const cJSON *raw = cJSON_GetObjectItemCaseSensitive(obj, "raw");
    if (raw) { /* raw bytes instead of a request (spec_raw.c) */
        if (spec_parse_raw(c, obj, raw, st) == -1) rc = -1;
    } else {
        const cJSON *req = spec_required(c, obj, "request", "step");
        if (!req || spec_parse_request(c, req, &st->req) == -1) rc = -1;
        const cJSON *exp = spec_required(c, obj, "expect", "step");
        if (!exp || spec_parse_expect(c, exp, st) == -1) rc = -1;
    }
    const cJSON *cap = cJSON_GetObjectItemCaseSensitive(obj, "captures");
    if (cap && spec_parse_captures(c, cap, st) == -1) rc = -1;
    const cJSON *sj = cJSON_GetObjectItemCaseSensitive(obj, "save_jar");
    if (sj && (spec_want(c, sj, cJSON_String, "save_jar") == -1 || !spec_jar_name_ok(c, sj))) {
        rc = -1;
    } else if (sj && raw) {
        spec_err(c, sj, AT_KEY, "save_jar is for request steps (a raw step has no cookie jar)");
        rc = -1;
    } else if (sj && !st->req.jar) {
        spec_err(c, sj, AT_KEY, "save_jar: this request has \"jar\": null (no jar to save)");
        rc = -1;
    } else if (sj) {
        st->save_jar = sj->valuestring;
    }

    const cJSON *retry = cJSON_GetObjectItemCaseSensitive(obj, "retry");
    if (retry && parse_retry(c, retry, st) == -1) rc = -1;
    const cJSON *delay = cJSON_GetObjectItemCaseSensitive(obj, "delay");
    if (delay && spec_want_int(c, delay, 0, SPEC_MAX_DELAY_MS, "delay", &st->delay_ms) == -1)
        rc = -1;

    const cJSON *skip = cJSON_GetObjectItemCaseSensitive(obj, "skip");
    if (skip && parse_skip(c, skip, st) == -1) rc = -1;
    return rc;
}

static int parse_repeat_step(spec_ctx_t *c, const cJSON *obj, step_t *st) {
    static const char *const keys[] = {"repeat", "index", "steps", NULL};
    int rc = spec_check_keys(c, obj, keys, "repeat step");
    st->kind = STEP_REPEAT;
    const cJSON *rep = cJSON_GetObjectItemCaseSensitive(obj, "repeat");
    if (cJSON_IsString(rep)) {
        if (!tmpl_has_refs(rep->valuestring)) {
            spec_err(c, rep, AT_VALUE, "repeat must be an integer or a template like \"{{n}}\"");
            rc = -1;
        } else if (spec_want_tmpl(c, rep, "repeat") == -1) {
            rc = -1;
        } else {
            st->repeat_tmpl = rep->valuestring;
        }
    } else if (spec_want_int(c, rep, 0, SPEC_MAX_REPEAT, "repeat", &st->repeat_count) == -1) {
        rc = -1;
    }
    const cJSON *idx = cJSON_GetObjectItemCaseSensitive(obj, "index");
    if (idx) {
        if (spec_want(c, idx, cJSON_String, "index") == -1) {
            rc = -1;
        } else if (!spec_var_name_ok(idx->valuestring)) {
            spec_err(c, idx, AT_VALUE, "index must be a variable name ([A-Za-z_][A-Za-z0-9_.-]*)");
            rc = -1;
        } else {
            st->index_var = idx->valuestring;
        }
    }
    const cJSON *steps = spec_required(c, obj, "steps", "repeat step");
    if (!steps) return -1;
    c->nesting++;
    if (c->nesting > SPEC_MAX_NESTING) {
        spec_err(c, obj, AT_VALUE, "repeat/include nested deeper than %d", SPEC_MAX_NESTING);
        rc = -1;
    } else if (parse_steps(c, steps, &st->children, "repeat steps") == -1) {
        rc = -1;
    }
    c->nesting--;
    return rc;
}

static int parse_step(spec_ctx_t *c, const cJSON *obj, step_t *st) {
    st->loc = spec_loc(c, obj, AT_VALUE);
    if (spec_want(c, obj, cJSON_Object, "a step") == -1) return -1;
    if (cJSON_GetObjectItemCaseSensitive(obj, "include")) return load_include(c, obj, st);
    if (cJSON_GetObjectItemCaseSensitive(obj, "repeat")) return parse_repeat_step(c, obj, st);
    return parse_request_step(c, obj, st);
}

static int parse_steps(spec_ctx_t *c, const cJSON *arr, step_list_t *out, const char *what) {
    if (spec_want(c, arr, cJSON_Array, what) == -1) return -1;
    int n = cJSON_GetArraySize(arr);
    out->n = 0;
    out->items = arena_alloc(&c->set->arena, (size_t)(n ? n : 1) * sizeof(step_t *));
    if (!out->items) return -1;
    int rc = 0;
    for (const cJSON *s = arr->child; s; s = s->next) {
        step_t *st = arena_alloc(&c->set->arena, sizeof(*st));
        if (!st) return -1;
        if (parse_step(c, s, st) == -1) rc = -1;
        out->items[out->n++] = st;
    }
    return rc;
}

/* ---- files and includes ------------------------------------------------------------------------
 */

/* Reads and parses path; the tree is owned by the set's arena. NULL on error (reported at the
 * includer's node when `at` is given, else as "path: message"). */
static cJSON *load_doc(spec_set_t *s, const char *path, const char *text, size_t len,
                       jl_map_t **map, spec_ctx_t *inc, const cJSON *at) {
    buf_t b;
    buf_init(&b, SPEC_MAX_FILE);
    err_t e;
    if (!text) {
        if (buf_read_file(&b, path, &e) == -1) {
            if (inc)
                spec_err(inc, at, AT_VALUE, "include: %s", e.msg);
            else
                buf_printf(&s->errors, "%s\n", e.msg), s->nerrors++;
            buf_free(&b);
            return NULL;
        }
        text = buf_cstr(&b);
        len = b.len;
    }
    cJSON *root = jl_parse(text, len, path, JL_NO_DUP_KEYS, map, &e);
    buf_free(&b);
    if (!root) {
        for (spec_ctx_t *p = inc; p; p = p->parent) p->errors++;
        buf_printf(&s->errors, "%s\n", e.msg);
        s->nerrors++;
        return NULL;
    }
    if (arena_defer(&s->arena, (void (*)(void *))cJSON_Delete, root) == -1) {
        jl_map_free(*map);
        return NULL;
    }
    return root;
}

static const char *join_dir(arena_t *a, const char *file, const char *rel) {
    if (rel[0] == '/') return arena_strdup(a, rel);
    const char *slash = strrchr(file, '/');
    if (!slash) return arena_strdup(a, rel);
    size_t dl = (size_t)(slash - file) + 1, rl = strlen(rel);
    char *p = arena_alloc(a, dl + rl + 1);
    if (!p) return NULL;
    memcpy(p, file, dl);
    memcpy(p + dl, rel, rl + 1);
    return p;
}

/* An include of a file already open on the include chain: the loop printed in include order
 * (first -> ... -> this file -> path). */
static int include_cycle(spec_ctx_t *c, const cJSON *inc, const char *path, const char *real) {
    for (spec_ctx_t *p = c; p; p = p->parent) {
        if (!p->real || strcmp(p->real, real) != 0) continue;
        const char *files[SPEC_MAX_INCLUDE_DEPTH + 2];
        size_t n = 0;
        for (spec_ctx_t *q = c; q && n < SPEC_MAX_INCLUDE_DEPTH + 1; q = q->parent) {
            files[n++] = q->file;
            if (q == p) break;
        }
        buf_t chain;
        buf_init(&chain, 4096);
        while (n > 0) buf_printf(&chain, "%s -> ", files[--n]);
        buf_adds(&chain, path);
        spec_err(c, inc, AT_VALUE, "include cycle: %s", buf_cstr(&chain));
        buf_free(&chain);
        return -1;
    }
    return 0;
}

/* The include file's "params" (variable names, each once) against the step's "with": every
 * param given, nothing given that is not a param. Errors on the with side point at the step. */
static int include_params(spec_ctx_t *c, spec_ctx_t *sub, const cJSON *root, const cJSON *inc,
                          const cJSON *with, const char *path) {
    int rc = 0;
    const cJSON *params = cJSON_GetObjectItemCaseSensitive(root, "params");
    if (params && spec_want(sub, params, cJSON_Array, "params") == -1) {
        rc = -1;
        params = NULL;
    }
    for (const cJSON *p = params ? params->child : NULL; p; p = p->next) {
        if (spec_want(sub, p, cJSON_String, "a param") == -1) {
            rc = -1;
            continue;
        }
        if (!spec_var_name_ok(p->valuestring)) {
            spec_err(sub, p, AT_VALUE, "param \"%s\" is not a variable name", p->valuestring);
            rc = -1;
        }
        for (const cJSON *q = params->child; q != p; q = q->next)
            if (cJSON_IsString(q) && strcmp(q->valuestring, p->valuestring) == 0)
                spec_err(sub, p, AT_VALUE, "param \"%s\" declared twice", p->valuestring), rc = -1;
        if (!with || !cJSON_GetObjectItemCaseSensitive(with, p->valuestring)) {
            spec_err(c, with ? with : inc, AT_VALUE, "missing include parameter \"%s\" for %s",
                     p->valuestring, path);
            rc = -1;
        }
    }
    for (const cJSON *w = with ? with->child : NULL; w; w = w->next) {
        bool declared = false;
        for (const cJSON *p = params ? params->child : NULL; p; p = p->next)
            if (cJSON_IsString(p) && strcmp(p->valuestring, w->string) == 0) declared = true;
        if (!declared) {
            spec_err(c, w, AT_KEY, "unknown include parameter \"%s\" (%s declares no such param)",
                     w->string, path);
            rc = -1;
        }
    }
    return rc;
}

static int load_include(spec_ctx_t *c, const cJSON *obj, step_t *st) {
    static const char *const keys[] = {"include", "with", NULL};
    spec_set_t *s = c->set;
    st->kind = STEP_INCLUDE;
    int rc = spec_check_keys(c, obj, keys, "include step");
    const cJSON *inc = cJSON_GetObjectItemCaseSensitive(obj, "include");
    if (spec_want(c, inc, cJSON_String, "include") == -1) return -1;
    if (!inc->valuestring[0]) {
        spec_err(c, inc, AT_VALUE, "include path must not be empty");
        return -1;
    }
    const cJSON *with = cJSON_GetObjectItemCaseSensitive(obj, "with");
    if (with && spec_want(c, with, cJSON_Object, "with") == -1) return -1;
    if (with && spec_check_tree_tmpl(c, with, "with") == -1) rc = -1;
    st->include_path = inc->valuestring;
    st->with = with;
    const char *path = join_dir(&s->arena, c->file, inc->valuestring);
    if (!path) return -1;
    st->include_file = path;
    if (c->include_depth + 1 > SPEC_MAX_INCLUDE_DEPTH) {
        spec_err(c, inc, AT_VALUE, "includes nested deeper than %d", SPEC_MAX_INCLUDE_DEPTH);
        return -1;
    }
    if (c->nesting + 1 > SPEC_MAX_NESTING) {
        spec_err(c, inc, AT_VALUE, "repeat/include nested deeper than %d", SPEC_MAX_NESTING);
        return -1;
    }
    char real[PATH_MAX];
    if (!realpath(path, real)) {
        spec_err(c, inc, AT_VALUE, "include: %s: %s", path, strerror(errno));
        return -1;
    }
    if (include_cycle(c, inc, path, real) == -1) return -1;
    spec_ctx_t sub = {.set = s,
                      .file = path,
                      .parent = c,
                      .include_depth = c->include_depth + 1,
                      .nesting = c->nesting + 1};
    sub.real = arena_strdup(&s->arena, real);
    const cJSON *root = load_doc(s, path, NULL, 0, &sub.map, c, inc);
    if (!root) return -1;
    static const char *const fkeys[] = {"$schema", "description", "params", "steps", NULL};
    if (spec_want(&sub, root, cJSON_Object, "an include file") == -1) {
        rc = -1;
        goto out;
    }
    if (cJSON_GetObjectItemCaseSensitive(root, "suite")) {
        spec_err(c, inc, AT_VALUE, "include: %s is a suite file, not an include file", path);
        rc = -1;
        goto out;
    }
    if (spec_check_keys(&sub, root, fkeys, "include file") == -1) rc = -1;
    if (include_params(c, &sub, root, inc, with, path) == -1) rc = -1;
    const cJSON *steps = spec_required(&sub, root, "steps", "include file");
    if (!steps || parse_steps(&sub, steps, &st->children, "steps") == -1) rc = -1;
out:
    jl_map_free(sub.map);
    return rc;
}

static int is_suite_name(const char *s) {
    if (!*s) return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-')) return 0;
    return 1;
}

static int load_suite_root(spec_set_t *s, spec_ctx_t *ctx, const cJSON *root);

static int load_suite(spec_set_t *s, const char *file, const char *text, size_t len) {
    spec_ctx_t c = {.set = s};
    if (!(c.file = arena_strdup(&s->arena, file))) return -1;
    char real[PATH_MAX];
    if (realpath(file, real)) c.real = arena_strdup(&s->arena, real);
    const cJSON *root = load_doc(s, c.file, text, len, &c.map, NULL, NULL);
    if (!root) return -1;
    return load_suite_root(s, &c, root);
}

int spec_load_doc(spec_set_t *s, const char *file, cJSON *root, jl_map_t *map) {
    spec_ctx_t c = {.set = s, .map = map};
    if (!(c.file = arena_strdup(&s->arena, file)) ||
        arena_defer(&s->arena, (void (*)(void *))cJSON_Delete, root) == -1) {
        jl_map_free(map);
        return -1;
    }
    char real[PATH_MAX];
    if (realpath(file, real)) c.real = arena_strdup(&s->arena, real);
    return load_suite_root(s, &c, root);
}

/* The suite document's keys into a suite; frees the context's position map. */
static int load_suite_root(spec_set_t *s, spec_ctx_t *ctx, const cJSON *root) {
    spec_ctx_t c = *ctx;
    suite_t *su = arena_alloc(&s->arena, sizeof(*su));
    int rc = su ? 0 : -1;
    if (rc == 0 && spec_want(&c, root, cJSON_Object, "a suite file") == -1) rc = -1;
    if (rc == 0) {
        static const char *const keys[] = {"$schema", "suite", "description", "variables",
                                           "setup",   "steps", "teardown",    NULL};
        su->file = c.file;
        su->description = "";
        su->loc = spec_loc(&c, root, AT_VALUE);
        if (!cJSON_GetObjectItemCaseSensitive(root, "suite") &&
            cJSON_GetObjectItemCaseSensitive(root, "params"))
            spec_err(&c, root, AT_VALUE,
                     "this is an include file (it has \"params\"), not a suite");
        spec_check_keys(&c, root, keys, "suite");
        const cJSON *name = spec_required(&c, root, "suite", "suite");
        if (name && spec_want(&c, name, cJSON_String, "suite") == 0) {
            if (!is_suite_name(name->valuestring))
                spec_err(&c, name, AT_VALUE, "suite name \"%s\" must match [a-z0-9-]+",
                         name->valuestring);
            su->name = name->valuestring;
        }
        const cJSON *d = cJSON_GetObjectItemCaseSensitive(root, "description");
        if (d && spec_want(&c, d, cJSON_String, "description") == 0)
            su->description = d->valuestring;
        const cJSON *vars = cJSON_GetObjectItemCaseSensitive(root, "variables");
        if (vars && spec_want(&c, vars, cJSON_Object, "variables") == 0) {
            int nv = cJSON_GetArraySize(vars), i = 0;
            su->variable_locs = arena_alloc(&s->arena, (size_t)(nv ? nv : 1) * sizeof(spec_loc_t));
            for (const cJSON *v = vars->child; v; v = v->next, i++) {
                if (su->variable_locs) su->variable_locs[i] = spec_loc(&c, v, AT_KEY);
                if (!spec_var_name_ok(v->string))
                    spec_err(&c, v, AT_KEY, "variable name \"%s\" is invalid", v->string);
            }
            spec_check_tree_tmpl(&c, vars, "variables");
            su->variables = vars;
        }
        const cJSON *l;
        if ((l = cJSON_GetObjectItemCaseSensitive(root, "setup")))
            parse_steps(&c, l, &su->setup, "setup");
        if ((l = spec_required(&c, root, "steps", "suite"))) {
            parse_steps(&c, l, &su->steps, "steps");
            if (cJSON_IsArray(l) && !l->child) spec_err(&c, l, AT_VALUE, "steps must not be empty");
        }
        if ((l = cJSON_GetObjectItemCaseSensitive(root, "teardown")))
            parse_steps(&c, l, &su->teardown, "teardown");
    }
    jl_map_free(c.map);
    if (rc == -1 || c.errors) return -1;
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        suite_t **p = realloc(s->suites, cap * sizeof(*p));
        if (!p) return -1;
        s->suites = p;
        s->cap = cap;
    }
    s->suites[s->n++] = su;
    return 0;
}

/* ---- public ------------------------------------------------------------------------------------
 */

void spec_set_init(spec_set_t *s) {
    memset(s, 0, sizeof(*s));
    arena_init(&s->arena);
    buf_init(&s->errors, 1u << 20);
}

void spec_set_free(spec_set_t *s) {
    arena_free(&s->arena);
    free(s->suites);
    buf_free(&s->errors);
    memset(s, 0, sizeof(*s));
}

int spec_load_file(spec_set_t *s, const char *path) {
    return load_suite(s, path, NULL, 0);
}

int spec_load_buffer(spec_set_t *s, const char *file, const char *text, size_t len) {
    return load_suite(s, file, text, len);
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int spec_load_dir(spec_set_t *s, const char *dir) {
    DIR *d = opendir(dir);
    if (!d) {
        buf_printf(&s->errors, "%s: cannot open directory: %s\n", dir, strerror(errno));
        s->nerrors++;
        return -1;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.' || !str_ends_with(e->d_name, ".json")) continue;
        if (n == SPEC_MAX_DIR_FILES) {
            buf_printf(&s->errors, "%s: more than %d spec files\n", dir, SPEC_MAX_DIR_FILES);
            s->nerrors++;
            rc = -1;
            break;
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 32;
            char **p = realloc(names, cap * sizeof(*p));
            if (!p) {
                rc = -1;
                break;
            }
            names = p;
        }
        if (!(names[n] = str_dup(e->d_name))) {
            rc = -1;
            break;
        }
        n++;
    }
    closedir(d);
    if (names) qsort(names, n, sizeof(*names), cmp_str);
    buf_t path;
    buf_init(&path, PATH_MAX);
    for (size_t i = 0; i < n; i++) {
        buf_reset(&path);
        bool slash = str_ends_with(dir, "/");
        struct stat st;
        if (buf_printf(&path, "%s%s%s", dir, slash ? "" : "/", names[i]) == 0 &&
            stat(buf_cstr(&path), &st) == 0 && S_ISREG(st.st_mode) &&
            load_suite(s, buf_cstr(&path), NULL, 0) == -1)
            rc = -1;
        free(names[i]);
    }
    free(names);
    buf_free(&path);
    return rc;
}

int spec_load_paths(spec_set_t *s, const char *const *paths, size_t n) {
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        if (stat(paths[i], &st) == 0 && S_ISDIR(st.st_mode)) {
            if (spec_load_dir(s, paths[i]) == -1) rc = -1;
        } else if (load_suite(s, paths[i], NULL, 0) == -1) {
            rc = -1;
        }
    }
    return spec_check_unique(s) == -1 ? -1 : rc;
}

int spec_check_unique(spec_set_t *s) {
    int rc = 0;
    for (size_t i = 0; i < s->n; i++) {
        for (size_t j = 0; j < i; j++) {
            if (strcmp(s->suites[i]->name, s->suites[j]->name) != 0) continue;
            buf_printf(&s->errors, "%s:%u:%u: duplicate suite name \"%s\" (also in %s)\n",
                       s->suites[i]->file, s->suites[i]->loc.line, s->suites[i]->loc.col,
                       s->suites[i]->name, s->suites[j]->file);
            s->nerrors++;
            rc = -1;
            break;
        }
    }
    return rc;
}

const suite_t *spec_find(const spec_set_t *s, const char *name) {
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->suites[i]->name, name) == 0) return s->suites[i];
    return NULL;
}

const char *step_skip_reason(const step_t *st, const char *target) {
    for (size_t i = 0; i < st->nskips; i++)
        if (strcmp(st->skips[i].target, target) == 0 || strcmp(st->skips[i].target, "*") == 0)
            return st->skips[i].reason;
    return NULL;
}

static int each_in(const suite_t *su, const step_list_t *l, spec_request_fn fn, void *ctx) {
    for (size_t i = 0; i < l->n; i++) {
        const step_t *st = l->items[i];
        int rc = st->kind == STEP_REQUEST ? fn(ctx, su, st) : each_in(su, &st->children, fn, ctx);
        if (rc == -1) return -1;
    }
    return 0;
}

int spec_each_request(const spec_set_t *s, spec_request_fn fn, void *ctx) {
    for (size_t i = 0; i < s->n; i++) {
        const suite_t *su = s->suites[i];
        if (each_in(su, &su->setup, fn, ctx) == -1 || each_in(su, &su->steps, fn, ctx) == -1 ||
            each_in(su, &su->teardown, fn, ctx) == -1)
            return -1;
    }
    return 0;
}
