/* seed: see seed.h. */
#include "seed.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/jsonloc.h"
#include "exec/http.h"
#include "exec/step.h"

int seed_set_suite_vars(const suite_t *suite, vars_t *vars, err_t *err) {
    if (!suite->variables) return 0;
    for (const cJSON *v = suite->variables->child; v; v = v->next) {
        cJSON *val = tmpl_render_json(vars, v, err);
        if (!val) return err_prefix(err, "%s: variable \"%s\": ", suite->file, v->string);
        if (vars_set_take(vars, v->string, val) < 0) return err_set(err, "out of memory");
    }
    return 0;
}

/* Runs one request step with the step engine. -1 with a message naming the step. */
static int seed_step(const step_t *st, http_client_t *hc, const char *base_url, vars_t *vars,
                     err_t *err) {
    step_exec_t x;
    step_exec_init(&x);
    int rc = step_exec(st, hc, base_url, vars, NULL, &x);
    if (rc < 0) {
        buf_t msg;
        buf_init(&msg, 0);
        step_exec_describe(st, &x, &msg);
        err_set(err, "%s", buf_cstr(&msg));
        buf_free(&msg);
    }
    step_exec_free(&x);
    return rc;
}

/* Runs every request step of list in order (repeats and includes expanded by step_iter). */
static int run_list(const step_list_t *list, http_client_t *hc, const char *base_url, vars_t *vars,
                    atomic_long *steps, atomic_bool *abort_flag, err_t *err) {
    step_iter_t it;
    step_iter_init(&it, list);
    for (;;) {
        if (abort_flag && atomic_load(abort_flag)) return err_set(err, "aborted");
        const step_t *st;
        if (step_iter_next(&it, vars, &st, err) < 0) return -1;
        if (!st) return 0;
        if (seed_step(st, hc, base_url, vars, err) < 0) return -1;
        atomic_fetch_add(steps, 1);
    }
}

typedef struct shard {
    const step_t *repeat;
    const vars_t *base;
    const char *base_url;
    long count;
    int index, stride;
    vars_t **results; /* per iteration: the iteration's final variables */
    atomic_long *steps;
    atomic_bool *abort_flag;
    pthread_mutex_t *mu;
    err_t *err; /* first error wins */
    int rc;
} shard_t;

int seed_cookie_header(const char *netscape, buf_t *out) {
    const char *p = netscape;
    size_t n = 0;
    while (p && *p) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        if (len && p[len - 1] == '\r') len--;
        bool cookie = len && (p[0] != '#' || (len > 10 && memcmp(p, "#HttpOnly_", 10) == 0));
        /* domain, tailmatch, path, secure, expires, name, value: 6 tabs */
        const char *f[7];
        size_t nf = 0;
        f[nf++] = p;
        for (size_t i = 0; cookie && i < len && nf < 7; i++)
            if (p[i] == '\t') f[nf++] = p + i + 1;
        if (cookie && nf == 7) {
            size_t nlen = (size_t)(f[6] - f[5]) - 1, vlen = (size_t)(p + len - f[6]);
            if (buf_printf(out, "%s%.*s=%.*s", n++ ? "; " : "", (int)nlen, f[5], (int)vlen, f[6]) <
                0)
                return -1;
        }
        p = eol ? eol + 1 : NULL;
    }
    return 0;
}

/* After one iteration: the cookie pools of the plan (SEED_COOKIE_POOLS_VAR) from the jars. */
static int collect_cookie_pools(http_client_t *hc, vars_t *v, err_t *err) {
    const cJSON *map = vars_get(v, SEED_COOKIE_POOLS_VAR), *e;
    if (!cJSON_IsObject(map)) return 0;
    int rc = 0;
    cJSON_ArrayForEach(e, map) {
        if (!cJSON_IsString(e))
            return err_set(err, "\"%s\": jar names are strings", SEED_COOKIE_POOLS_VAR);
        buf_t dump, hdr;
        buf_init(&dump, 1u << 20);
        buf_init(&hdr, SEED_MAX_COOKIE_HEADER);
        if (http_jar_dump(hc, e->valuestring, &dump) < 0 ||
            seed_cookie_header(buf_cstr(&dump), &hdr) < 0)
            rc = err_set(err, "jar \"%s\": cookies too large (over %d bytes)", e->valuestring,
                         SEED_MAX_COOKIE_HEADER);
        else if (hdr.len == 0)
            rc = err_set(err,
                         "jar \"%s\" holds no cookie after the iteration (did the login set none?)",
                         e->valuestring);
        else {
            cJSON *s = cJSON_CreateString(buf_cstr(&hdr));
            rc = s ? vars_append(v, e->string, s, err) : err_set(err, "out of memory");
            cJSON_Delete(s);
        }
        buf_free(&dump);
        buf_free(&hdr);
        if (rc < 0) return -1;
    }
    return 0;
}

static void *shard_main(void *arg) {
    shard_t *s = arg;
    http_client_t *hc = http_client_new();
    err_t err = {{0}};
    s->rc = 0;
    if (!hc) {
        err_set(&err, "cannot create an HTTP client");
        s->rc = -1;
    }
    for (long i = s->index; s->rc == 0 && i < s->count; i += s->stride) {
        vars_t *v = vars_clone(s->base);
        if (!v || (s->repeat->index_var && vars_set_int(v, s->repeat->index_var, i) < 0)) {
            vars_free(v);
            err_set(&err, "out of memory");
            s->rc = -1;
            break;
        }
        s->results[i] = v;
        http_client_reset_jars(hc); /* each iteration its own browser: no cookie crosses */
        if (run_list(&s->repeat->children, hc, s->base_url, v, s->steps, s->abort_flag, &err) < 0 ||
            collect_cookie_pools(hc, v, &err) < 0)
            s->rc = -1;
    }
    if (s->rc < 0) {
        pthread_mutex_lock(s->mu);
        if (!atomic_load(s->abort_flag)) {
            *s->err = err;
            atomic_store(s->abort_flag, true);
        }
        pthread_mutex_unlock(s->mu);
    }
    http_client_free(hc);
    return NULL;
}

static long repeat_count(const step_t *st, const vars_t *vars, err_t *err) {
    if (!st->repeat_tmpl) return st->repeat_count;
    char *s = tmpl_render_str(vars, st->repeat_tmpl, err);
    if (!s) return -1;
    long n;
    int rc = str_to_long(s, 0, SPEC_MAX_REPEAT, &n);
    free(s);
    if (rc < 0)
        return err_set(err, "%s:%u:%u: repeat count \"%s\" is not an integer from 0 to %d",
                       st->loc.file, st->loc.line, st->loc.col, st->repeat_tmpl, SPEC_MAX_REPEAT);
    return n;
}

/* Appends to base every list element an iteration added beyond base's length before the phase,
 * iteration by iteration, so pools come out in iteration order whatever the timing. */
static int merge_lists(vars_t *base, vars_t *const *results, long count, err_t *err) {
    vars_t *orig = vars_clone(base);
    if (!orig) return err_set(err, "out of memory");
    int rc = 0;
    for (long i = 0; rc == 0 && i < count; i++) {
        if (!results[i]) continue;
        for (const cJSON *v = vars_object(results[i])->child; rc == 0 && v; v = v->next) {
            if (!cJSON_IsArray(v)) continue;
            const cJSON *old = vars_get(orig, v->string);
            int have = old && cJSON_IsArray(old) ? cJSON_GetArraySize(old) : 0;
            int k = 0;
            for (const cJSON *e = v->child; rc == 0 && e; e = e->next, k++)
                if (k >= have) rc = vars_append(base, v->string, e, err);
        }
    }
    vars_free(orig);
    return rc;
}

static int run_sharded(const step_t *st, const char *base_url, int parallel, vars_t *vars,
                       atomic_long *steps, err_t *err) {
    long count = repeat_count(st, vars, err);
    if (count < 0) return -1;
    if (count == 0) return 0;
    int k = parallel < 1 ? 1 : parallel > SEED_MAX_PARALLEL ? SEED_MAX_PARALLEL : parallel;
    if (k > count) k = (int)count;
    vars_t **results = calloc((size_t)count, sizeof *results);
    shard_t *sh = calloc((size_t)k, sizeof *sh);
    pthread_t *th = calloc((size_t)k, sizeof *th);
    int rc = 0;
    if (!results || !sh || !th) {
        rc = err_set(err, "out of memory");
        goto out;
    }
    atomic_bool abort_flag = false;
    pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
    int started = 0;
    for (int i = 0; i < k; i++) {
        sh[i] = (shard_t){.repeat = st,
                          .base = vars,
                          .base_url = base_url,
                          .count = count,
                          .index = i,
                          .stride = k,
                          .results = results,
                          .steps = steps,
                          .abort_flag = &abort_flag,
                          .mu = &mu,
                          .err = err};
        if (pthread_create(&th[i], NULL, shard_main, &sh[i]) != 0) {
            atomic_store(&abort_flag, true);
            rc = err_set(err, "cannot start a seeding thread");
            break;
        }
        started++;
    }
    for (int i = 0; i < started; i++) pthread_join(th[i], NULL);
    if (rc == 0 && atomic_load(&abort_flag)) rc = -1; /* err filled by the failing shard */
    if (rc == 0) rc = merge_lists(vars, results, count, err);
out:
    if (results)
        for (long i = 0; i < count; i++) vars_free(results[i]);
    free(results);
    free(sh);
    free(th);
    return rc;
}

/* A top-level repeat is sharded only when the plan lists its index variable in `parallel`: the
 * plan's author declares which phases do not depend on order. */
static bool is_parallel_phase(const step_t *st, const vars_t *vars) {
    const cJSON *list = vars_get(vars, SEED_PARALLEL_VAR);
    const cJSON *e;
    if (!st->index_var || !cJSON_IsArray(list)) return false;
    cJSON_ArrayForEach(e, list) if (cJSON_IsString(e) &&
                                    strcmp(e->valuestring, st->index_var) == 0) return true;
    return false;
}

int seed_run(const suite_t *suite, const char *base_url, int parallel, vars_t *vars,
             seed_stats_t *stats, err_t *err) {
    double t0 = clock_mono_s();
    atomic_long steps = 0;
    int rc = seed_set_suite_vars(suite, vars, err);
    http_client_t *hc = rc == 0 ? http_client_new() : NULL;
    if (rc == 0 && !hc) rc = err_set(err, "cannot create an HTTP client");
    if (rc == 0) rc = run_list(&suite->setup, hc, base_url, vars, &steps, NULL, err);
    for (size_t i = 0; rc == 0 && i < suite->steps.n; i++) {
        const step_t *st = suite->steps.items[i];
        if (st->kind == STEP_REPEAT && is_parallel_phase(st, vars)) {
            rc = run_sharded(st, base_url, parallel, vars, &steps, err);
        } else {
            step_t *one[1] = {(step_t *)st};
            step_list_t list = {one, 1};
            rc = run_list(&list, hc, base_url, vars, &steps, NULL, err);
        }
    }
    http_client_free(hc);
    if (stats) {
        stats->steps = atomic_load(&steps);
        stats->duration_s = clock_mono_s() - t0;
    }
    return rc;
}

int seed_run_file(const char *path, const char *base_url, int parallel, vars_t **vars,
                  seed_stats_t *stats, err_t *err) {
    spec_set_t set;
    spec_set_init(&set);
    if (spec_load_file(&set, path) < 0 || set.n != 1) {
        err_set(err, "%s", set.nerrors ? buf_cstr(&set.errors) : path);
        spec_set_free(&set);
        return -1;
    }
    vars_t *copy = vars_clone(*vars);
    seed_stats_t st = {0, 0};
    int rc = copy ? seed_run(set.suites[0], base_url, parallel, copy, &st, err)
                  : err_set(err, "out of memory");
    if (rc == 0) {
        vars_free(*vars);
        *vars = copy;
    } else {
        vars_free(copy);
    }
    if (stats) {
        stats->steps += st.steps;
        stats->duration_s += st.duration_s;
    }
    spec_set_free(&set);
    return rc;
}

int seed_pools(const vars_t *vars, scn_pool_t **pools, size_t *n) {
    *pools = NULL;
    *n = 0;
    size_t cap = 0;
    for (const cJSON *v = vars_object(vars)->child; v; v = v->next)
        if (cJSON_IsArray(v)) cap++;
    if (!cap) return 0;
    scn_pool_t *p = calloc(cap, sizeof *p);
    if (!p) return -1;
    size_t k = 0;
    for (const cJSON *v = vars_object(vars)->child; v; v = v->next) {
        if (!cJSON_IsArray(v)) continue;
        scn_pool_t *pool = &p[k++];
        pool->name = str_dup(v->string);
        pool->values = calloc((size_t)cJSON_GetArraySize(v) + 1, sizeof(char *));
        if (!pool->name || !pool->values) goto oom;
        for (const cJSON *e = v->child; e; e = e->next) {
            buf_t b;
            buf_init(&b, 1 << 20);
            if (cJSON_IsString(e))
                buf_adds(&b, e->valuestring);
            else
                jl_print(e, &b);
            pool->values[pool->n++] = buf_detach(&b);
        }
    }
    *pools = p;
    *n = k;
    return 0;
oom:
    seed_pools_free(p, k);
    return -1;
}

void seed_pools_free(scn_pool_t *pools, size_t n) {
    for (size_t i = 0; i < n; i++) scn_pool_free(&pools[i]);
    free(pools);
}
