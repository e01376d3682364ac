/* scenario: loading and validating benchmark scenarios. The Lua generator is in scenario_lua.c. */
#include "scenario.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/jsonloc.h"

typedef struct loadctx {
    const char *file;
    jl_map_t *map;
    err_t *err;
} loadctx_t;

static int fail_at(loadctx_t *c, const cJSON *node, bool key, const char *fmt, const char *arg) {
    jl_loc_t l = key ? jl_map_key(c->map, node) : jl_map_value(c->map, node);
    char msg[512];
    snprintf(msg, sizeof msg, fmt, arg ? arg : "");
    return err_set(c->err, "%s:%u:%u: %s", c->file, l.line, l.col, msg);
}

/* Every key of obj must be one of allowed (NULL-terminated). */
static int check_keys(loadctx_t *c, const cJSON *obj, const char *const *allowed) {
    for (const cJSON *k = obj->child; k; k = k->next) {
        bool ok = false;
        for (const char *const *a = allowed; *a; a++)
            if (strcmp(k->string, *a) == 0) ok = true;
        if (!ok) return fail_at(c, k, true, "unknown key \"%s\"", k->string);
    }
    return 0;
}

void scn_tmpl_free(scn_tmpl_t *t) {
    for (size_t i = 0; i < t->n; i++) free(t->parts[i].text);
    free(t->parts);
    free(t->source);
    memset(t, 0, sizeof *t);
}

static int add_part(scn_tmpl_t *t, scn_part_kind_t kind, const char *s, size_t n, err_t *err) {
    if (t->n >= SCN_MAX_PARTS) return err_set(err, "template has more than %d parts", SCN_MAX_PARTS);
    scn_part_t *p = realloc(t->parts, (t->n + 1) * sizeof *p);
    if (!p) return err_set(err, "out of memory");
    t->parts = p;
    t->parts[t->n].kind = kind;
    t->parts[t->n].text = str_ndup(s, n);
    if (!t->parts[t->n].text) return err_set(err, "out of memory");
    t->n++;
    return 0;
}

int scn_tmpl_parse(const char *src, scn_tmpl_t *t, err_t *err) {
    memset(t, 0, sizeof *t);
    t->source = str_dup(src);
    if (!t->source) return err_set(err, "out of memory");
    const char *p = src;
    while (*p) {
        const char *open = strstr(p, "{{");
        if (!open) {
            if (add_part(t, SCN_TEXT, p, strlen(p), err)) goto fail;
            break;
        }
        if (open > p && add_part(t, SCN_TEXT, p, (size_t)(open - p), err)) goto fail;
        const char *close = strstr(open + 2, "}}");
        if (!close) {
            err_set(err, "unterminated \"{{\" in \"%s\"", src);
            goto fail;
        }
        const char *a = open + 2, *b = close;
        while (a < b && *a == ' ') a++;
        while (b > a && b[-1] == ' ') b--;
        if (a == b) {
            err_set(err, "empty \"{{}}\" in \"%s\"", src);
            goto fail;
        }
        for (const char *q = a; q < b; q++) {
            char ch = *q;
            if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
                  ch == '_' || ch == '-')) {
                err_set(err, "bad pool name in \"%s\"", src);
                goto fail;
            }
        }
        bool seq = (size_t)(b - a) == 3 && memcmp(a, "seq", 3) == 0;
        if (add_part(t, seq ? SCN_SEQ : SCN_POOL, a, (size_t)(b - a), err)) goto fail;
        p = close + 2;
    }
    return 0;
fail:
    scn_tmpl_free(t);
    return -1;
}

void scn_pool_free(scn_pool_t *p) {
    for (size_t i = 0; i < p->n; i++) free(p->values[i]);
    free(p->values);
    free(p->name);
    memset(p, 0, sizeof *p);
}

void scn_free(scn_t *s) {
    free(s->name);
    free(s->description);
    free(s->file);
    for (size_t i = 0; i < s->nreqs; i++) {
        scn_request_t *r = &s->reqs[i];
        free(r->method);
        scn_tmpl_free(&r->path);
        for (size_t h = 0; h < r->nheaders; h++) {
            free(r->headers[h].name);
            scn_tmpl_free(&r->headers[h].value);
        }
        if (r->has_body) scn_tmpl_free(&r->body);
        free(r->name);
        cJSON_Delete(r->expect);
    }
    for (size_t i = 0; i < s->npools; i++) scn_pool_free(&s->pools[i]);
    free(s->pools);
    cJSON_Delete(s->expect);
    free(s->integrity);
    memset(s, 0, sizeof *s);
}

static int tmpl_at(loadctx_t *c, const cJSON *node, scn_tmpl_t *t) {
    if (!cJSON_IsString(node)) return fail_at(c, node, false, "expected a string%s", "");
    err_t e;
    if (scn_tmpl_parse(node->valuestring, t, &e) < 0) return fail_at(c, node, false, "%.400s", e.msg);
    return 0;
}

/* An expect object: {"status": int or list of ints, "asserts": [...]} (the asserts are checked by
 * the spec loader when the sample suite is built). */
static int load_expect(loadctx_t *c, const cJSON *ex) {
    static const char *const ek[] = {"status", "asserts", NULL};
    if (!cJSON_IsObject(ex)) return fail_at(c, ex, false, "\"expect\" must be an object%s", "");
    if (check_keys(c, ex, ek)) return -1;
    const cJSON *st = json_get(ex, "status");
    if (!st) return 0;
    if (jl_is_integer(st) && st->valuedouble >= 100 && st->valuedouble <= 599) return 0;
    if (!cJSON_IsArray(st) || cJSON_GetArraySize(st) == 0 ||
        cJSON_GetArraySize(st) > SCN_MAX_STATUSES)
        return fail_at(c, st, false, "\"status\" must be an HTTP status or a list of 1 to 8%s", "");
    for (const cJSON *x = st->child; x; x = x->next)
        if (!jl_is_integer(x) || x->valuedouble < 100 || x->valuedouble > 599)
            return fail_at(c, x, false, "statuses are integers from 100 to 599%s", "");
    return 0;
}

/* The success statuses of a kind, from its effective expect (validated by load_expect). */
static void set_success(scn_request_t *r, const cJSON *ex) {
    const cJSON *st = json_get(ex, "status");
    r->nsuccess = 0;
    if (cJSON_IsNumber(st)) r->success[r->nsuccess++] = (int)st->valuedouble;
    for (const cJSON *x = cJSON_IsArray(st) ? st->child : NULL; x && r->nsuccess < SCN_MAX_STATUSES;
         x = x->next)
        r->success[r->nsuccess++] = (int)x->valuedouble;
    if (r->nsuccess == 0) r->success[r->nsuccess++] = SCN_DEFAULT_STATUS;
}

const cJSON *scn_expect(const scn_t *s, size_t k) {
    return k < s->nreqs && s->reqs[k].expect ? s->reqs[k].expect : s->expect;
}

bool scn_is_success(const scn_request_t *q, int status) {
    for (size_t i = 0; i < q->nsuccess; i++)
        if (q->success[i] == status) return true;
    return false;
}

bool scn_wrk_counts_enough(const scn_t *s) {
    for (size_t k = 0; k < s->nreqs; k++)
        for (size_t i = 0; i < s->reqs[k].nsuccess; i++)
            if (s->reqs[k].success[i] < 200 || s->reqs[k].success[i] > 399) return false;
    return true;
}

static int load_request(loadctx_t *c, const cJSON *o, scn_request_t *r) {
    static const char *const keys[] = {"name", "method", "path",   "headers",
                                       "body", "weight", "expect", NULL};
    if (!cJSON_IsObject(o)) return fail_at(c, o, false, "a request must be an object%s", "");
    if (check_keys(c, o, keys)) return -1;
    const cJSON *m = json_get(o, "method"), *p = json_get(o, "path");
    static const char *const methods[] = {"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", NULL};
    bool ok = false;
    for (const char *const *x = methods; cJSON_IsString(m) && *x; x++)
        if (strcmp(m->valuestring, *x) == 0) ok = true;
    if (!ok) return fail_at(c, m ? m : o, false, "\"method\" must be one of GET POST PUT DELETE PATCH HEAD OPTIONS%s", "");
    r->method = str_dup(m->valuestring);
    if (!p || !cJSON_IsString(p) || p->valuestring[0] != '/')
        return fail_at(c, p ? p : o, false, "\"path\" must be a string starting with '/'%s", "");
    if (tmpl_at(c, p, &r->path)) return -1;
    const cJSON *h = json_get(o, "headers");
    if (h) {
        if (!cJSON_IsObject(h)) return fail_at(c, h, false, "\"headers\" must be an object%s", "");
        for (const cJSON *x = h->child; x; x = x->next) {
            if (r->nheaders >= SCN_MAX_HEADERS) return fail_at(c, x, true, "too many headers%s", "");
            scn_header_t *hd = &r->headers[r->nheaders];
            hd->name = str_dup(x->string);
            r->nheaders++;
            if (tmpl_at(c, x, &hd->value)) return -1;
        }
    }
    const cJSON *b = json_get(o, "body");
    if (b) {
        r->has_body = true;
        if (tmpl_at(c, b, &r->body)) return -1;
    }
    const cJSON *w = json_get(o, "weight");
    r->weight = 1;
    if (w) {
        if (!jl_is_integer(w) || w->valuedouble < 1 || w->valuedouble > SCN_MAX_WEIGHT)
            return fail_at(c, w, false, "\"weight\" must be an integer from 1 to 1000%s", "");
        r->weight = (int)w->valuedouble;
    }
    const cJSON *nm = json_get(o, "name");
    if (nm && (!cJSON_IsString(nm) || !nm->valuestring[0]))
        return fail_at(c, nm, false, "\"name\" must be a non-empty string%s", "");
    buf_t label;
    buf_init(&label, 1024);
    if (nm)
        buf_adds(&label, nm->valuestring);
    else
        buf_printf(&label, "%s %s", r->method, r->path.source);
    r->name = buf_detach(&label);
    const cJSON *ex = json_get(o, "expect");
    if (ex) {
        if (load_expect(c, ex)) return -1;
        r->expect = cJSON_Duplicate(ex, 1);
    }
    return r->name ? 0 : err_set(c->err, "out of memory");
}

static int load_pools(loadctx_t *c, const cJSON *o, scn_t *s) {
    if (!cJSON_IsObject(o)) return fail_at(c, o, false, "\"pools\" must be an object%s", "");
    size_t n = (size_t)cJSON_GetArraySize(o);
    s->pools = calloc(n ? n : 1, sizeof *s->pools);
    if (!s->pools) return err_set(c->err, "out of memory");
    for (const cJSON *p = o->child; p; p = p->next) {
        if (strcmp(p->string, "seq") == 0) return fail_at(c, p, true, "\"seq\" is reserved%s", "");
        if (!cJSON_IsArray(p) || cJSON_GetArraySize(p) == 0 || cJSON_GetArraySize(p) > SCN_MAX_POOL)
            return fail_at(c, p, false, "pool \"%s\" must be a non-empty list", p->string);
        scn_pool_t *pool = &s->pools[s->npools++];
        pool->name = str_dup(p->string);
        pool->values = calloc((size_t)cJSON_GetArraySize(p), sizeof(char *));
        if (!pool->name || !pool->values) return err_set(c->err, "out of memory");
        for (const cJSON *v = p->child; v; v = v->next) {
            buf_t b;
            buf_init(&b, 4096);
            if (cJSON_IsString(v)) buf_adds(&b, v->valuestring);
            else if (cJSON_IsNumber(v)) jl_print(v, &b);
            else {
                buf_free(&b);
                return fail_at(c, v, false, "pool values must be strings or numbers%s", "");
            }
            pool->values[pool->n++] = buf_detach(&b);
        }
    }
    return 0;
}

int scn_load(const char *path, scn_t *s, err_t *err) {
    memset(s, 0, sizeof *s);
    buf_t text;
    buf_init(&text, SCN_MAX_FILE);
    if (buf_read_file(&text, path, err) < 0) {
        buf_free(&text);
        return -1;
    }
    loadctx_t c = {path, NULL, err};
    cJSON *root = jl_parse(text.ptr ? text.ptr : "", text.len, path, JL_NO_DUP_KEYS, &c.map, err);
    buf_free(&text);
    if (!root) return -1;
    static const char *const keys[] = {
        "scenario",    "description",          "requests", "pools", "expect", "integrity",
        "connections", "tolerated_error_rate", NULL};
    int rc = -1;
    s->file = str_dup(path);
    if (!cJSON_IsObject(root)) {
        fail_at(&c, root, false, "a scenario must be a JSON object%s", "");
        goto out;
    }
    if (check_keys(&c, root, keys)) goto out;
    const cJSON *name = json_get(root, "scenario");
    if (!cJSON_IsString(name) || !name->valuestring[0]) {
        fail_at(&c, name ? name : root, false, "\"scenario\" (a non-empty string) is required%s", "");
        goto out;
    }
    s->name = str_dup(name->valuestring);
    const cJSON *d = json_get(root, "description");
    s->description = str_dup(cJSON_IsString(d) ? d->valuestring : "");
    const cJSON *pools = json_get(root, "pools");
    if (pools && load_pools(&c, pools, s)) goto out;
    const cJSON *reqs = json_get(root, "requests");
    if (!cJSON_IsArray(reqs) || cJSON_GetArraySize(reqs) == 0) {
        fail_at(&c, reqs ? reqs : root, false, "\"requests\" (a non-empty list) is required%s", "");
        goto out;
    }
    for (const cJSON *r = reqs->child; r; r = r->next) {
        if (s->nreqs >= SCN_MAX_REQUESTS) {
            fail_at(&c, r, false, "more than 32 requests%s", "");
            goto out;
        }
        if (load_request(&c, r, &s->reqs[s->nreqs++])) goto out;
    }
    const cJSON *ex = json_get(root, "expect");
    if (ex) {
        if (load_expect(&c, ex)) goto out;
        s->expect = cJSON_Duplicate(ex, 1);
    }
    for (size_t k = 0; k < s->nreqs; k++) set_success(&s->reqs[k], scn_expect(s, k));
    const cJSON *tol = json_get(root, "tolerated_error_rate");
    if (tol) {
        if (!cJSON_IsNumber(tol) || tol->valuedouble < 0 || tol->valuedouble > 1) {
            fail_at(&c, tol, false, "\"tolerated_error_rate\" must be a share from 0 to 1%s", "");
            goto out;
        }
        s->tolerated_error_rate = tol->valuedouble;
    }
    const cJSON *integ = json_get(root, "integrity");
    if (integ) {
        if (!cJSON_IsString(integ) || strcmp(integ->valuestring, "comments") != 0) {
            fail_at(&c, integ, false, "\"integrity\" must be \"comments\"%s", "");
            goto out;
        }
        s->integrity = str_dup(integ->valuestring);
    }
    const cJSON *lv = json_get(root, "connections");
    if (lv) {
        if (!cJSON_IsArray(lv) || cJSON_GetArraySize(lv) == 0 || cJSON_GetArraySize(lv) > SCN_MAX_LEVELS) {
            fail_at(&c, lv, false, "\"connections\" must be a list of 1 to 16 integers%s", "");
            goto out;
        }
        for (const cJSON *x = lv->child; x; x = x->next) {
            if (!jl_is_integer(x) || x->valuedouble < 1 || x->valuedouble > 100000) {
                fail_at(&c, x, false, "connection levels are integers from 1 to 100000%s", "");
                goto out;
            }
            s->levels[s->nlevels++] = (int)x->valuedouble;
        }
    }
    rc = 0;
out:
    cJSON_Delete(root);
    jl_map_free(c.map);
    if (rc < 0) scn_free(s);
    return rc;
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int scn_load_dir(const char *dir, scn_t **out, size_t *n, err_t *err) {
    *out = NULL;
    *n = 0;
    DIR *d = opendir(dir);
    if (!d) return err_set(err, "%s: cannot open the scenario directory", dir);
    char **names = NULL;
    size_t nn = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!str_ends_with(e->d_name, ".json") || e->d_name[0] == '.') continue;
        char **g = realloc(names, (nn + 1) * sizeof *g);
        if (!g) break;
        names = g;
        names[nn++] = str_dup(e->d_name);
    }
    closedir(d);
    qsort(names, nn, sizeof *names, cmp_str);
    scn_t *all = calloc(nn ? nn : 1, sizeof *all);
    int rc = all ? 0 : err_set(err, "out of memory");
    size_t loaded = 0;
    for (size_t i = 0; rc == 0 && i < nn; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if (scn_load(path, &all[loaded], err) < 0) rc = -1;
        else loaded++;
    }
    for (size_t i = 0; rc == 0 && i < loaded; i++)
        for (size_t j = 0; j < i; j++)
            if (strcmp(all[i].name, all[j].name) == 0)
                rc = err_set(err, "%s: scenario \"%s\" is also defined in %s", all[i].file, all[i].name, all[j].file);
    for (size_t i = 0; i < nn; i++) free(names[i]);
    free(names);
    if (rc < 0) {
        for (size_t i = 0; i < loaded; i++) scn_free(&all[i]);
        free(all);
        return -1;
    }
    *out = all;
    *n = loaded;
    return 0;
}

const scn_pool_t *scn_pool_find(const scn_t *s, const scn_pool_t *extra, size_t nextra,
                                const char *name) {
    for (size_t i = 0; i < s->npools; i++)
        if (strcmp(s->pools[i].name, name) == 0) return &s->pools[i];
    for (size_t i = 0; i < nextra; i++)
        if (strcmp(extra[i].name, name) == 0) return &extra[i];
    return NULL;
}

int scn_tmpl_sample(const scn_t *s, const scn_tmpl_t *t, const scn_pool_t *extra, size_t nextra,
                    size_t index, buf_t *out, err_t *err) {
    for (size_t i = 0; i < t->n; i++) {
        const scn_part_t *p = &t->parts[i];
        int rc = 0;
        if (p->kind == SCN_TEXT) rc = buf_adds(out, p->text);
        else if (p->kind == SCN_SEQ) rc = buf_adds(out, "0");
        else {
            const scn_pool_t *pool = scn_pool_find(s, extra, nextra, p->text);
            if (!pool || pool->n == 0)
                return err_set(err, "%s: unknown or empty pool \"%s\" in \"%s\"", s->file, p->text, t->source);
            rc = buf_adds(out, pool->values[index % pool->n]);
        }
        if (rc < 0) return err_set(err, "%s: request too large", s->file);
    }
    return 0;
}

size_t scn_weighted_order(const scn_t *s, int *order, size_t max) {
    int current[SCN_MAX_REQUESTS] = {0};
    int total = 0;
    for (size_t i = 0; i < s->nreqs; i++) total += s->reqs[i].weight;
    size_t n = 0;
    for (int k = 0; k < total && n < max; k++) {
        size_t best = 0;
        for (size_t i = 0; i < s->nreqs; i++) {
            current[i] += s->reqs[i].weight;
            if (current[i] > current[best]) best = i;
        }
        current[best] -= total;
        order[n++] = (int)best;
    }
    return n;
}
