/* scenario: loading and validating benchmark scenarios. The Lua generator is in scenario_lua.c. */
#include "scenario.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/jsonloc.h"

#define SCN_FILTER_URLENCODE "urlencode"

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
    if (t->n >= SCN_MAX_PARTS)
        return err_set(err, "template has more than %d parts", SCN_MAX_PARTS);
    scn_part_t *p = realloc(t->parts, (t->n + 1) * sizeof *p);
    if (!p) return err_set(err, "out of memory");
    t->parts = p;
    t->parts[t->n].kind = kind;
    t->parts[t->n].urlencode = false;
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
        /* an optional filter: {{name|urlencode}} */
        bool enc = false;
        const char *bar = memchr(a, '|', (size_t)(b - a));
        if (bar) {
            const char *f = bar + 1, *fe = b;
            while (f < fe && *f == ' ') f++;
            if ((size_t)(fe - f) != strlen(SCN_FILTER_URLENCODE) ||
                memcmp(f, SCN_FILTER_URLENCODE, (size_t)(fe - f)) != 0) {
                err_set(err, "unknown filter in \"%s\" (the one filter is |urlencode)", src);
                goto fail;
            }
            enc = true;
            b = bar;
            while (b > a && b[-1] == ' ') b--;
        }
        for (const char *q = a; q < b; q++) {
            char ch = *q;
            if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                  (ch >= '0' && ch <= '9') || ch == '_' || ch == '-')) {
                err_set(err, "bad pool name in \"%s\"", src);
                goto fail;
            }
        }
        if (a == b) {
            err_set(err, "bad pool name in \"%s\"", src);
            goto fail;
        }
        bool seq = (size_t)(b - a) == 3 && memcmp(a, "seq", 3) == 0;
        if (seq && enc) {
            err_set(err, "{{seq}} takes no filter in \"%s\"", src);
            goto fail;
        }
        if (add_part(t, seq ? SCN_SEQ : SCN_POOL, a, (size_t)(b - a), err)) goto fail;
        t->parts[t->n - 1].urlencode = enc;
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
    for (size_t i = 0; i < s->npaired; i++) free(s->paired[i]);
    free(s->seed);
    memset(s, 0, sizeof *s);
}

static int tmpl_at(loadctx_t *c, const cJSON *node, scn_tmpl_t *t) {
    if (!cJSON_IsString(node)) return fail_at(c, node, false, "expected a string%s", "");
    err_t e;
    if (scn_tmpl_parse(node->valuestring, t, &e) < 0)
        return fail_at(c, node, false, "%.400s", e.msg);
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
    if (s->count_lua) return false;
    for (size_t k = 0; k < s->nreqs; k++)
        for (size_t i = 0; i < s->reqs[k].nsuccess; i++)
            if (s->reqs[k].success[i] < 200 || s->reqs[k].success[i] > 399) return false;
    return true;
}

int scn_pair_group(const scn_t *s, const char *name) {
    for (size_t i = 0; i < s->npaired; i++)
        if (strcmp(s->paired[i], name) == 0) return s->paired_group[i];
    return -1;
}

int scn_urlencode(const char *v, buf_t *out) {
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
        int rc;
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '.' || *p == '_' || *p == '~')
            rc = buf_addc(out, (char)*p);
        else
            rc = buf_printf(out, "%%%c%c", hex[*p >> 4], hex[*p & 15]);
        if (rc < 0) return -1;
    }
    return 0;
}

/* "paired": [["a", "b"], ...]: each inner list (2 or more pool names) is drawn at one index. */
static int load_paired(loadctx_t *c, const cJSON *o, scn_t *s) {
    if (!cJSON_IsArray(o))
        return fail_at(c, o, false, "\"paired\" must be a list of lists of pool names%s", "");
    int g = 0;
    for (const cJSON *grp = o->child; grp; grp = grp->next, g++) {
        if (!cJSON_IsArray(grp) || cJSON_GetArraySize(grp) < 2)
            return fail_at(c, grp, false, "each \"paired\" group lists 2 or more pool names%s", "");
        for (const cJSON *n = grp->child; n; n = n->next) {
            if (!cJSON_IsString(n) || !n->valuestring[0] || strcmp(n->valuestring, "seq") == 0)
                return fail_at(c, n, false, "a pool name (a string, not \"seq\") is expected%s",
                               "");
            if (scn_pair_group(s, n->valuestring) >= 0)
                return fail_at(c, n, false, "pool \"%s\" is paired twice", n->valuestring);
            if (s->npaired >= SCN_MAX_PAIRED)
                return fail_at(c, n, false, "too many paired pools%s", "");
            s->paired[s->npaired] = str_dup(n->valuestring);
            if (!s->paired[s->npaired]) return err_set(c->err, "out of memory");
            s->paired_group[s->npaired++] = g;
        }
    }
    return 0;
}

static bool is_read(const char *method) {
    return strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0 ||
           strcmp(method, "OPTIONS") == 0;
}

/* The statuses that acknowledge a write, for the integrity check: the success statuses of the
 * writing kinds (201 from the API, 303 from a form). A read kind succeeding with one of them
 * would be counted as a write: refused. */
static int set_acked(loadctx_t *c, const cJSON *at, scn_t *s) {
    s->nacked = 0;
    for (size_t k = 0; k < s->nreqs; k++) {
        if (is_read(s->reqs[k].method)) continue;
        for (size_t i = 0; i < s->reqs[k].nsuccess; i++) {
            bool dup = false;
            for (size_t j = 0; j < s->nacked; j++) dup |= s->acked[j] == s->reqs[k].success[i];
            if (!dup && s->nacked < SCN_MAX_STATUSES) s->acked[s->nacked++] = s->reqs[k].success[i];
        }
    }
    if (s->nacked == 0)
        return fail_at(c, at, false, "\"integrity\" needs a request that writes (not GET)%s", "");
    for (size_t k = 0; k < s->nreqs; k++)
        for (size_t j = 0; is_read(s->reqs[k].method) && j < s->nacked; j++)
            if (scn_is_success(&s->reqs[k], s->acked[j])) {
                char st[16];
                snprintf(st, sizeof st, "%d", s->acked[j]);
                return fail_at(c, at, false,
                               "a read kind succeeds with %s, which acknowledges a write here: the "
                               "integrity count cannot tell them apart",
                               st);
            }
    return 0;
}

static int load_request(loadctx_t *c, const cJSON *o, scn_request_t *r) {
    static const char *const keys[] = {"name", "method", "path",   "headers",
                                       "body", "weight", "expect", NULL};
    if (!cJSON_IsObject(o)) return fail_at(c, o, false, "a request must be an object%s", "");
    if (check_keys(c, o, keys)) return -1;
    const cJSON *m = json_get(o, "method"), *p = json_get(o, "path");
    static const char *const methods[] = {"GET",   "POST", "PUT",     "DELETE",
                                          "PATCH", "HEAD", "OPTIONS", NULL};
    bool ok = false;
    for (const char *const *x = methods; cJSON_IsString(m) && *x; x++)
        if (strcmp(m->valuestring, *x) == 0) ok = true;
    if (!ok)
        return fail_at(c, m ? m : o, false,
                       "\"method\" must be one of GET POST PUT DELETE PATCH HEAD OPTIONS%s", "");
    r->method = str_dup(m->valuestring);
    if (!p || !cJSON_IsString(p) || p->valuestring[0] != '/')
        return fail_at(c, p ? p : o, false, "\"path\" must be a string starting with '/'%s", "");
    if (tmpl_at(c, p, &r->path)) return -1;
    const cJSON *h = json_get(o, "headers");
    if (h) {
        if (!cJSON_IsObject(h)) return fail_at(c, h, false, "\"headers\" must be an object%s", "");
        for (const cJSON *x = h->child; x; x = x->next) {
            if (r->nheaders >= SCN_MAX_HEADERS)
                return fail_at(c, x, true, "too many headers%s", "");
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
            if (cJSON_IsString(v))
                buf_adds(&b, v->valuestring);
            else if (cJSON_IsNumber(v))
                jl_print(v, &b);
            else {
                buf_free(&b);
                return fail_at(c, v, false, "pool values must be strings or numbers%s", "");
            }
            pool->values[pool->n++] = buf_detach(&b);
        }
    }
    return 0;
}

/* "requests": 1 to SCN_MAX_REQUESTS request kinds. */
static int load_requests(loadctx_t *c, const cJSON *root, scn_t *s) {
    const cJSON *reqs = json_get(root, "requests");
    if (!cJSON_IsArray(reqs) || cJSON_GetArraySize(reqs) == 0)
        return fail_at(c, reqs ? reqs : root, false,
                       "\"requests\" (a non-empty list) is required%s", "");
    for (const cJSON *r = reqs->child; r; r = r->next) {
        if (s->nreqs >= SCN_MAX_REQUESTS)
            return fail_at(c, r, false, "more than 32 requests%s", "");
        if (load_request(c, r, &s->reqs[s->nreqs++])) return -1;
    }
    return 0;
}

/* "tolerated_error_rate", "integrity" and "paired". */
static int load_checks(loadctx_t *c, const cJSON *root, scn_t *s) {
    const cJSON *tol = json_get(root, "tolerated_error_rate");
    if (tol) {
        if (!cJSON_IsNumber(tol) || tol->valuedouble < 0 || tol->valuedouble > 1)
            return fail_at(c, tol, false, "\"tolerated_error_rate\" must be a share from 0 to 1%s",
                           "");
        s->tolerated_error_rate = tol->valuedouble;
    }
    const cJSON *integ = json_get(root, "integrity");
    if (integ) {
        if (!cJSON_IsString(integ) || strcmp(integ->valuestring, "comments") != 0)
            return fail_at(c, integ, false, "\"integrity\" must be \"comments\"%s", "");
        s->integrity = str_dup(integ->valuestring);
        if (set_acked(c, integ, s)) return -1;
    }
    const cJSON *pr = json_get(root, "paired");
    return pr && load_paired(c, pr, s) ? -1 : 0;
}

/* "seed" (a plan file in specs/bench/), "counting" and "default". */
static int load_run_options(loadctx_t *c, const cJSON *root, scn_t *s) {
    const cJSON *sd = json_get(root, "seed");
    if (sd) {
        /* a file name in specs/bench/, nothing else: no path can leave the directory */
        bool ok = cJSON_IsString(sd) && str_ends_with(sd->valuestring, ".json") &&
                  !strchr(sd->valuestring, '/') && sd->valuestring[0] != '.' &&
                  strcmp(sd->valuestring, "seed.json") != 0;
        if (!ok)
            return fail_at(c, sd, false,
                           "\"seed\" must name a plan file in specs/bench/ (e.g. "
                           "\"web-sessions.json\"; not seed.json, which always runs)%s",
                           "");
        s->seed = str_dup(sd->valuestring);
    }
    const cJSON *cnt = json_get(root, "counting");
    if (cnt) {
        if (!cJSON_IsString(cnt) ||
            (strcmp(cnt->valuestring, "lua") && strcmp(cnt->valuestring, "auto")))
            return fail_at(c, cnt, false, "\"counting\" must be \"auto\" or \"lua\"%s", "");
        s->count_lua = strcmp(cnt->valuestring, "lua") == 0;
    }
    const cJSON *df = json_get(root, "default");
    s->in_default = true;
    if (df) {
        if (!cJSON_IsBool(df))
            return fail_at(c, df, false, "\"default\" must be true or false%s", "");
        s->in_default = cJSON_IsTrue(df);
    }
    return 0;
}

/* "connections": the scenario's own levels, 1 to SCN_MAX_LEVELS integers. */
static int load_levels(loadctx_t *c, const cJSON *root, scn_t *s) {
    const cJSON *lv = json_get(root, "connections");
    if (!lv) return 0;
    if (!cJSON_IsArray(lv) || cJSON_GetArraySize(lv) == 0 ||
        cJSON_GetArraySize(lv) > SCN_MAX_LEVELS)
        return fail_at(c, lv, false, "\"connections\" must be a list of 1 to 16 integers%s", "");
    for (const cJSON *x = lv->child; x; x = x->next) {
        if (!jl_is_integer(x) || x->valuedouble < 1 || x->valuedouble > 100000)
            return fail_at(c, x, false, "connection levels are integers from 1 to 100000%s", "");
        s->levels[s->nlevels++] = (int)x->valuedouble;
    }
    return 0;
}

/* The document's parts, in the order their errors are reported. */
static int load_root(loadctx_t *c, const cJSON *root, scn_t *s) {
    static const char *const keys[] = {
        "scenario",    "description",          "requests", "pools", "expect",   "integrity",
        "connections", "tolerated_error_rate", "paired",   "seed",  "counting", "default",
        NULL};
    if (!cJSON_IsObject(root))
        return fail_at(c, root, false, "a scenario must be a JSON object%s", "");
    if (check_keys(c, root, keys)) return -1;
    const cJSON *name = json_get(root, "scenario");
    if (!cJSON_IsString(name) || !name->valuestring[0])
        return fail_at(c, name ? name : root, false,
                       "\"scenario\" (a non-empty string) is required%s", "");
    s->name = str_dup(name->valuestring);
    const cJSON *d = json_get(root, "description");
    s->description = str_dup(cJSON_IsString(d) ? d->valuestring : "");
    const cJSON *pools = json_get(root, "pools");
    if (pools && load_pools(c, pools, s)) return -1;
    if (load_requests(c, root, s)) return -1;
    const cJSON *ex = json_get(root, "expect");
    if (ex) {
        if (load_expect(c, ex)) return -1;
        s->expect = cJSON_Duplicate(ex, 1);
    }
    for (size_t k = 0; k < s->nreqs; k++) set_success(&s->reqs[k], scn_expect(s, k));
    if (load_checks(c, root, s) || load_run_options(c, root, s) || load_levels(c, root, s))
        return -1;
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
    s->file = str_dup(path);
    int rc = load_root(&c, root, s) ? -1 : 0;
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
        if (scn_load(path, &all[loaded], err) < 0)
            rc = -1;
        else
            loaded++;
    }
    for (size_t i = 0; rc == 0 && i < loaded; i++)
        for (size_t j = 0; j < i; j++)
            if (strcmp(all[i].name, all[j].name) == 0)
                rc = err_set(err, "%s: scenario \"%s\" is also defined in %s", all[i].file,
                             all[i].name, all[j].file);
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
        if (p->kind == SCN_TEXT)
            rc = buf_adds(out, p->text);
        else if (p->kind == SCN_SEQ)
            rc = buf_adds(out, "0");
        else {
            const scn_pool_t *pool = scn_pool_find(s, extra, nextra, p->text);
            if (!pool || pool->n == 0)
                return err_set(err, "%s: unknown or empty pool \"%s\" in \"%s\"", s->file, p->text,
                               t->source);
            /* paired pools have one length (checked when the Lua is made): one index, one session
             */
            const char *v = pool->values[index % pool->n];
            rc = p->urlencode ? scn_urlencode(v, out) : buf_adds(out, v);
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
