/* bench: the orchestration of `parity bench` (see bench.h). The CLI is in bench_cli.c, the
 * environment block in bench_env.c, the per-run and per-level JSON in bench_json.c. */
#include "bench.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bench_json.h"
#include "core/clock.h"
#include "core/file.h"
#include "bench_tradeoffs.h"
#include "exec/http.h"
#include "procstat.h"
#include "scenario.h"
#include "seed.h"
#include "spec/spec.h"
#include "target/target.h"
#include "wrk.h"

#define BENCH_PRIMER_CONNECTIONS 8 /* TechEmpower's primer */
#define BENCH_PATH_MAX 4096
#define BENCH_STARTUP_ESTIMATE_S 8 /* start + seed, for the ETA only */

typedef struct ctx {
    const bench_opts_t *o;
    cpu_set_t wrk_cpus, target_cpus;
    int nwrk_cpus, workers;
    bool pinned;
    scn_t *scns;
    size_t nscns;
    spec_set_t seedset;
    const suite_t *seed;
    cJSON *doc, *targets;
    char doc_path[BENCH_PATH_MAX];
    bool doc_failed; /* bench.json could not be written (said once; exit 3) */
    double planned_s, done_s;
    bool tty;
    int exit_code;
} ctx_t;

static void note_exit(ctx_t *c, int code) {
    if (code == 3 || (code == 1 && c->exit_code == 0)) c->exit_code = code;
}

static void progress(ctx_t *c, const char *fmt, ...) {
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    double left = c->planned_s - c->done_s;
    if (left < 0) left = 0;
    fprintf(stderr, "%sbench: %s (ETA %dm%02ds)%s", c->tty ? "\r\033[K" : "", line, (int)left / 60,
            (int)left % 60, c->tty ? "" : "\n");
    fflush(stderr);
}

static void progress_done(ctx_t *c, const char *fmt, ...) {
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    fprintf(stderr, "%sbench: %s\n", c->tty ? "\r\033[K" : "", line);
}

/* bench.json is rewritten after every scenario, atomically, so that a crash or Ctrl-C still
 * leaves every finished figure on disk. */
static void write_doc(ctx_t *c) {
    cJSON_ReplaceItemInObjectCaseSensitive(c->doc, "finished", bj_now_iso());
    char *text = cJSON_Print(c->doc);
    if (!text) return;
    buf_t b;
    buf_init(&b, 0);
    err_t err;
    if (buf_adds(&b, text) < 0 || buf_addc(&b, '\n') < 0 ||
        file_write_atomic(c->doc_path, b.ptr, b.len, &err) < 0) {
        /* a full disk is an environment error, said once with its reason */
        if (!c->doc_failed) fprintf(stderr, "bench: cannot write %s: %s\n", c->doc_path, err.msg);
        c->doc_failed = true;
        note_exit(c, 3);
    }
    buf_free(&b);
    free(text);
}

static double scenario_seconds(const ctx_t *c, const scn_t *s) {
    const bench_profile_t *p = &c->o->profile;
    size_t nl = bench_open_only(&c->o->open) ? 0 : s->nlevels ? s->nlevels : p->nlevels;
    double open = bench_open_wants(&c->o->open, s->name)
                      ? bench_open_seconds(&c->o->open, p->duration_s, p->repeat)
                      : 0;
    return p->primer_s + p->warmup_s +
           (double)nl * p->repeat * (p->duration_s + p->pause_ms / 1000.0) + open;
}

static int max_level(const ctx_t *c, const scn_t *s) {
    const int *lv = s->nlevels ? s->levels : c->o->profile.levels;
    size_t n = s->nlevels ? s->nlevels : c->o->profile.nlevels;
    int m = 1;
    for (size_t i = 0; i < n; i++)
        if (lv[i] > m) m = lv[i];
    return m;
}


typedef struct tgt {
    const char *name;
    const char *url;      /* base URL without trailing slash */
    target_proc_t *proc;  /* NULL for --url targets (no /proc sampling) */
    scn_pool_t *pools;
    size_t npools;
} tgt_t;

/* One wrk invocation: generate the script, run it pinned, sample the target. */
static int one_wrk(ctx_t *c, const tgt_t *t, const scn_t *s, int conns, int dur, const char *nonce,
                   bool count_created, wrk_result_t *r, double *util, buf_t *cmd,
                   proc_sampler_t *smp, err_t *err) {
    char base[BENCH_PATH_MAX], lua[BENCH_PATH_MAX + 8], json[BENCH_PATH_MAX + 8], url[256];
    snprintf(base, sizeof base, "%s/wrk/%s-%s-%s", c->o->out_dir, t->name, s->name, nonce);
    snprintf(lua, sizeof lua, "%s.lua", base);
    snprintf(json, sizeof json, "%s.json", base);
    snprintf(url, sizeof url, "%s/", t->url);
    buf_t script;
    buf_init(&script, 64u << 20);
    scn_lua_opts_t lo = {.out_json = json, .nonce = nonce, .count_created = count_created};
    int rc = scn_lua(s, t->pools, t->npools, &lo, &script, err);
    if (rc == 0) {
        FILE *f = fopen(lua, "w");
        if (!f || fwrite(script.ptr, 1, script.len, f) != script.len) rc = err_set(err, "%s: cannot write", lua);
        if (f && fclose(f) != 0) rc = err_set(err, "%s: cannot write", lua);
    }
    buf_free(&script);
    if (rc < 0) return -1;
    wrk_opts_t wo = {.url = url, .script = lua, .json_out = json, .connections = conns,
                     .duration_s = dur, .cpus = c->pinned ? &c->wrk_cpus : NULL,
                     .ncpus = c->nwrk_cpus};
    wo.threads = conns < c->nwrk_cpus ? conns : c->nwrk_cpus;
    if (cmd) wrk_command_line(&wo, cmd);
    bool sampling = smp && t->proc && proc_sampler_start(smp, t->proc->pgid) == 0;
    rc = wrk_run(&wo, r, util, err);
    if (sampling) proc_sampler_stop(smp);
    else if (smp) memset(smp, 0, sizeof *smp);
    return rc;
}

/* The sample request: the scenario's first request with every pool at its first value, checked
 * with the spec engine against the scenario's `expect`. */
static int check_sample(const tgt_t *t, const scn_t *s, buf_t *msg) {
    err_t err;
    const scn_request_t *q = &s->reqs[0];
    cJSON *suite = cJSON_CreateObject(), *steps = cJSON_AddArrayToObject(suite, "steps");
    cJSON_AddStringToObject(suite, "suite", "bench-sample");
    cJSON *step = cJSON_CreateObject(), *req = cJSON_AddObjectToObject(step, "request");
    cJSON_AddItemToArray(steps, step);
    buf_t b;
    buf_init(&b, 1u << 20);
    int rc = 0;
    cJSON_AddStringToObject(step, "name", s->name);
    cJSON_AddStringToObject(req, "method", q->method);
    rc |= scn_tmpl_sample(s, &q->path, t->pools, t->npools, &b, &err);
    cJSON_AddStringToObject(req, "path", buf_cstr(&b));
    if (q->nheaders) {
        cJSON *h = cJSON_AddObjectToObject(req, "headers");
        for (size_t i = 0; rc == 0 && i < q->nheaders; i++) {
            buf_reset(&b);
            rc |= scn_tmpl_sample(s, &q->headers[i].value, t->pools, t->npools, &b, &err);
            cJSON_AddStringToObject(h, q->headers[i].name, buf_cstr(&b));
        }
    }
    if (q->has_body && rc == 0) {
        buf_reset(&b);
        rc |= scn_tmpl_sample(s, &q->body, t->pools, t->npools, &b, &err);
        cJSON_AddStringToObject(req, "body", buf_cstr(&b));
    }
    if (s->expect) cJSON_AddItemToObject(step, "expect", cJSON_Duplicate(s->expect, 1));
    buf_free(&b);
    char *text = rc == 0 ? cJSON_PrintUnformatted(suite) : NULL;
    cJSON_Delete(suite);
    if (!text) {
        buf_adds(msg, err.msg);
        return -1;
    }
    spec_set_t set;
    spec_set_init(&set);
    vars_t *v = vars_new();
    rc = spec_load_buffer(&set, s->file, text, strlen(text));
    free(text);
    if (rc < 0) {
        buf_printf(msg, "%s: the scenario's expect is not valid: %s", s->file, buf_cstr(&set.errors));
    } else {
        /* Expectations may refer to pools ("{{slugs}}"): give each its sample value. */
        vars_set_string(v, "seq", "0");
        for (size_t i = 0; i < t->npools; i++) vars_set_string(v, t->pools[i].name, t->pools[i].values[0]);
        for (size_t i = 0; i < s->npools; i++) vars_set_string(v, s->pools[i].name, s->pools[i].values[0]);
        rc = seed_run(set.suites[0], t->url, 1, v, NULL, &err);
        if (rc < 0) buf_adds(msg, err.msg);
    }
    vars_free(v);
    spec_set_free(&set);
    return rc;
}

/* Sum of the comments of every article write scenarios write to (the seed's BENCH_WRITE_POOL),
 * through the API. -1 on any failure. */
static long long count_comments(const tgt_t *t, err_t *err) {
    const scn_pool_t *slugs = NULL;
    for (size_t i = 0; i < t->npools; i++)
        if (strcmp(t->pools[i].name, BENCH_WRITE_POOL) == 0) slugs = &t->pools[i];
    if (!slugs) return err_set(err, "the seed provides no \"%s\" pool", BENCH_WRITE_POOL);
    http_client_t *hc = http_client_new();
    if (!hc) return err_set(err, "cannot create an HTTP client");
    long long total = 0;
    resp_t resp;
    resp_init(&resp);
    for (size_t i = 0; total >= 0 && i < slugs->n; i++) {
        req_t req;
        req_init(&req);
        req.method = "GET";
        req.timeout_ms = 60000;
        buf_printf(&req.target, "/api/articles/%s/comments", slugs->values[i]);
        http_outcome_t out;
        const cJSON *j, *list;
        if (http_send(hc, t->url, &req, &resp, &out, err) < 0) total = -1;
        else if (resp.status != 200 || !(j = resp_json(&resp, err)) ||
                 !cJSON_IsArray(list = cJSON_GetObjectItemCaseSensitive(j, "comments")))
            total = err_set(err, "GET %s answered %ld without a comments list", buf_cstr(&req.target), resp.status);
        else total += cJSON_GetArraySize(list);
        req_free(&req);
    }
    resp_free(&resp);
    http_client_free(hc);
    return total;
}

bool bench_integrity_verdict(long long acked, long long found, long long inflight, char *why,
                             size_t whylen) {
    if (found < acked) {
        snprintf(why, whylen, "%lld writes acknowledged with 201 but only %lld found through the API: writes were lost",
                 acked, found);
        return false;
    }
    if (found > acked + inflight) {
        snprintf(why, whylen, "%lld writes found but only %lld acknowledged (+%lld in flight at most): the target stored writes it did not acknowledge",
                 found, acked, inflight);
        return false;
    }
    why[0] = '\0';
    return true;
}

static bool target_crashed(const tgt_t *t, cJSON *tobj) {
    int ws;
    if (!t->proc || !target_poll(t->proc, &ws)) return false;
    char why[128];
    target_describe_exit(ws, why, sizeof why);
    buf_t tail;
    buf_init(&tail, 1u << 16);
    target_log_tail(t->proc->log_path, TARGET_LOG_TAIL, &tail);
    char msg[1200];
    snprintf(msg, sizeof msg, "the target %s during the benchmark; last log lines:\n%s", why, buf_cstr(&tail));
    buf_free(&tail);
    bj_set_status(tobj, "crashed", msg);
    return true;
}

typedef struct open_say {
    ctx_t *c;
    const tgt_t *t;
    const scn_t *s;
} open_say_t;

static void open_progress(void *arg, const char *line) {
    open_say_t *a = arg;
    progress(a->c, "%s %s: %s", a->t->name, a->s->name, line);
}

/* The open-loop sweep of s on t (bench_open.h), after its closed-loop levels: their maximum
 * anchors --sweep auto. */
static int open_sweep(ctx_t *c, const tgt_t *t, const scn_t *s, cJSON *tobj, cJSON *sobj,
                      long long *acked, long long *inflight) {
    open_say_t say = {c, t, s};
    bench_open_ctx_t x = {.url = t->url, .pools = t->pools, .npools = t->npools,
                          .connections = max_level(c, s), .duration_s = c->o->profile.duration_s,
                          .repeat = c->o->profile.repeat,
                          .cpus = c->pinned ? &c->wrk_cpus : NULL,
                          .progress = open_progress, .progress_arg = &say};
    err_t err;
    if (bench_open_scenario(&c->o->open, &x, s, sobj, acked, inflight, &err) < 0) {
        if (!target_crashed(t, tobj)) bj_set_status(sobj, "error", err.msg);
        progress_done(c, "%s %s: open loop failed: %s", t->name, s->name, err.msg);
        note_exit(c, 3);
        return -1;
    }
    const cJSON *open = cJSON_GetObjectItemCaseSensitive(sobj, "open");
    const cJSON *best = cJSON_GetObjectItemCaseSensitive(open, "max_sustained_rps");
    double slo = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(open, "slo_ms"));
    if (cJSON_IsNumber(best))
        progress_done(c, "%s %s: open loop: %.0f req/s sustained with p99 <= %g ms", t->name,
                      s->name, best->valuedouble, slo);
    else
        progress_done(c, "%s %s: open loop: no rate swept was sustained with p99 <= %g ms",
                      t->name, s->name, slo);
    return 0;
}

static void bench_scenario(ctx_t *c, const tgt_t *t, const scn_t *s, cJSON *tobj, cJSON *sobj) {
    const bench_profile_t *p = &c->o->profile;
    const int *levels = s->nlevels ? s->levels : p->levels;
    size_t nlevels = s->nlevels ? s->nlevels : p->nlevels;
    double planned = scenario_seconds(c, s);
    double done_before = c->done_s;
    err_t err;
    buf_t msg;
    buf_init(&msg, 1u << 16);
    progress(c, "%s %s: sample request", t->name, s->name);
    if (check_sample(t, s, &msg) < 0) {
        bj_set_check(sobj, false, buf_cstr(&msg));
        bj_set_status(sobj, "check-failed", "the sample request was answered wrongly: not measured");
        progress_done(c, "%s %s: sample request FAILED, not measured: %s", t->name, s->name, buf_cstr(&msg));
        note_exit(c, 1);
        buf_free(&msg);
        c->done_s = done_before + planned;
        return;
    }
    bj_set_check(sobj, true, NULL);
    buf_free(&msg);

    bool integrity = s->integrity != NULL;
    long long before = 0, acked = 0, inflight = 0;
    if (integrity && (before = count_comments(t, &err)) < 0) {
        bj_set_status(sobj, "error", err.msg);
        note_exit(c, 3);
        return;
    }
    wrk_result_t r;
    double util;
    buf_t cmd;
    buf_init(&cmd, 8192);
    /* Primer and warmup: recorded as commands, not as results. */
    struct { const char *label; int conns, secs; } pre[2] = {
        {"primer", BENCH_PRIMER_CONNECTIONS, p->primer_s}, {"warmup", max_level(c, s), p->warmup_s}};
    for (int i = 0; i < 2; i++) {
        if (pre[i].secs <= 0) continue;
        progress(c, "%s %s: %s, %d connections", t->name, s->name, pre[i].label, pre[i].conns);
        buf_reset(&cmd);
        if (one_wrk(c, t, s, pre[i].conns, pre[i].secs, pre[i].label, integrity, &r, &util, &cmd, NULL, &err) < 0) {
            bj_set_status(sobj, "error", err.msg);
            note_exit(c, 3);
            buf_free(&cmd);
            return;
        }
        bj_add_command(sobj, pre[i].label, buf_cstr(&cmd));
        acked += r.created;
        inflight += pre[i].conns;
        wrk_result_free(&r);
        if (target_crashed(t, tobj)) {
            char msg[160];
            snprintf(msg, sizeof msg, "the target exited during the %s", pre[i].label);
            bj_set_status(sobj, "crashed", msg);
            progress_done(c, "%s %s: CRASHED: %s", t->name, s->name, msg);
            note_exit(c, 3);
            buf_free(&cmd);
            return;
        }
        c->done_s += pre[i].secs;
        clock_sleep_ms(p->pause_ms);
    }
    cJSON *lv_arr = cJSON_AddArrayToObject(sobj, "levels");
    for (size_t li = 0; li < nlevels && !bench_open_only(&c->o->open); li++) {
        cJSON *lv = bj_level_new(lv_arr, levels[li]);
        for (int rep = 1; rep <= p->repeat; rep++) {
            char nonce[48];
            snprintf(nonce, sizeof nonce, "c%d-r%d", levels[li], rep);
            progress(c, "%s %s: %d connections, run %d/%d", t->name, s->name, levels[li], rep, p->repeat);
            proc_sampler_t smp;
            buf_reset(&cmd);
            if (one_wrk(c, t, s, levels[li], p->duration_s, nonce, integrity, &r, &util, &cmd, &smp, &err) < 0) {
                if (!target_crashed(t, tobj)) bj_set_status(sobj, "error", err.msg);
                note_exit(c, 3);
                buf_free(&cmd);
                return;
            }
            bj_add_run(lv, rep, buf_cstr(&cmd), &r, t->proc ? &smp : NULL, util);
            if (r.requests == 0) {
                /* A frozen or hung target: wrk ends on time with nothing answered and, as no
                 * request outlived wrk's timeout, no error either. Never a 0 req/s "result". */
                char msg[200];
                snprintf(msg, sizeof msg,
                         "the target answered no request in %d s (%d connections, run %d): hung?",
                         p->duration_s, levels[li], rep);
                bj_set_status(sobj, "error", msg);
                progress_done(c, "%s %s: NO ANSWER: %s", t->name, s->name, msg);
                note_exit(c, 3);
                wrk_result_free(&r);
                buf_free(&cmd);
                return;
            }
            acked += r.created;
            inflight += levels[li];
            wrk_result_free(&r);
            c->done_s += p->duration_s + p->pause_ms / 1000.0;
            if (target_crashed(t, tobj)) {
                char msg[160];
                snprintf(msg, sizeof msg, "the target exited during %d connections, run %d",
                         levels[li], rep);
                bj_set_status(sobj, "crashed", msg);
                progress_done(c, "%s %s: CRASHED: %s", t->name, s->name, msg);
                note_exit(c, 3);
                buf_free(&cmd);
                return;
            }
            clock_sleep_ms(p->pause_ms);
        }
        bj_level_summarise(lv);
    }
    buf_free(&cmd);
    if (bench_open_wants(&c->o->open, s->name) &&
        open_sweep(c, t, s, tobj, sobj, &acked, &inflight) < 0)
        return;
    if (integrity) {
        long long after = count_comments(t, &err);
        char why[ERR_MSG_MAX + 128];
        bool pass;
        if (after < 0) {
            pass = false;
            snprintf(why, sizeof why, "could not count comments afterwards: %s", err.msg);
        } else {
            pass = bench_integrity_verdict(acked, after - before, inflight, why, sizeof why);
        }
        bj_set_integrity(sobj, pass, acked, after >= 0 ? after - before : -1, inflight, pass ? NULL : why);
        if (!pass) {
            progress_done(c, "%s %s: INTEGRITY FAILED: %s", t->name, s->name, why);
            note_exit(c, 1);
        }
    }
    c->done_s = done_before + planned;
    bj_set_status(sobj, "ok", NULL);
    progress_done(c, "%s %s: %s", t->name, s->name, bj_level_headline(lv_arr));
}

static void bench_target(ctx_t *c, const target_manifest_t *m, const char *ext_url, const char *name) {
    cJSON *tobj = bj_target_new(c->targets, name);
    target_proc_t proc;
    memset(&proc, 0, sizeof proc);
    tgt_t t = {.name = name};
    err_t err;
    char log[BENCH_PATH_MAX];
    /* not <name>.log: in a `parity run` directory that is the conformance run's log */
    snprintf(log, sizeof log, "%s/logs/%s.bench.log", c->o->out_dir, name);
    if (m) /* cold starts, before the load run: see bench_tradeoffs.h */
        bench_tradeoffs_target(c->doc, m, c->o, c->workers, c->pinned ? &c->target_cpus : NULL);
    progress(c, "%s: starting", name);
    if (m) {
        char version[256];
        target_version(m, version, sizeof version);
        cJSON_AddStringToObject(tobj, "version", version);
        target_opts_t to = {.workers = c->workers, .cpus = c->pinned ? &c->target_cpus : NULL, .log_path = log};
        if (target_start(m, &to, &proc, &err) < 0) {
            bj_set_status(tobj, "error", err.msg);
            progress_done(c, "%s: did not start: %s", name, err.msg);
            note_exit(c, 3);
            return;
        }
        t.proc = &proc;
        t.url = proc.url;
    } else {
        cJSON_AddStringToObject(tobj, "version", "external (--url)");
        t.url = ext_url;
    }
    cJSON_AddNumberToObject(tobj, "workers", m ? c->workers : 0);

    vars_t *vars = vars_new();
    vars_set_string(vars, "uid", c->o->run_id);
    vars_set_string(vars, "target", name);
    vars_set_string(vars, "run", c->o->run_id);
    seed_stats_t st = {0, 0};
    progress(c, "%s: seeding through its API", name);
    if (seed_run(c->seed, t.url, BENCH_SEED_PARALLEL, vars, &st, &err) < 0 ||
        seed_pools(vars, &t.pools, &t.npools) < 0) {
        if (!target_crashed(&t, tobj)) bj_set_status(tobj, "error", err.msg);
        progress_done(c, "%s: seeding failed: %s", name, err.msg);
        note_exit(c, 3);
    } else {
        bj_set_seed(tobj, st.duration_s, st.steps, t.pools, t.npools);
        progress_done(c, "%s: seeded (%ld requests in %.1f s)", name, st.steps, st.duration_s);
        c->done_s += BENCH_STARTUP_ESTIMATE_S;
        cJSON *sarr = cJSON_AddArrayToObject(tobj, "scenarios");
        for (size_t i = 0; i < c->nscns; i++) {
            cJSON *sobj = bj_scenario_new(sarr, &c->scns[i]);
            bench_scenario(c, &t, &c->scns[i], tobj, sobj);
            write_doc(c);
            if (!strcmp(bj_status(tobj), "crashed")) break;
        }
        if (!strcmp(bj_status(tobj), "pending")) bj_set_status(tobj, "ok", NULL);
    }
    vars_free(vars);
    seed_pools_free(t.pools, t.npools);
    if (t.proc && target_stop(t.proc, &err) < 0) progress_done(c, "%s: %s", name, err.msg);
    if (t.proc && !strcmp(bj_status(tobj), "ok") && target_stop_check(t.proc, &err) < 0) {
        bj_set_status(tobj, "error", err.msg);
        progress_done(c, "%s: %s", name, err.msg);
        note_exit(c, 3);
    }
    write_doc(c);
}

static int select_scenarios(ctx_t *c, err_t *err) {
    char dir[BENCH_PATH_MAX];
    snprintf(dir, sizeof dir, "%s/specs/bench/scenarios", c->o->root);
    scn_t *all;
    size_t n;
    if (scn_load_dir(dir, &all, &n, err) < 0) return -1;
    c->scns = calloc(n ? n : 1, sizeof *c->scns);
    if (!c->scns) return err_set(err, "out of memory");
    for (size_t i = 0; i < n; i++) {
        bool want = c->o->nscenarios == 0;
        for (size_t k = 0; k < c->o->nscenarios; k++) want |= !strcmp(c->o->scenarios[k], all[i].name);
        if (want) c->scns[c->nscns++] = all[i];
        else scn_free(&all[i]);
    }
    free(all);
    for (size_t k = 0; k < c->o->nscenarios; k++) {
        bool found = false;
        for (size_t i = 0; i < c->nscns; i++) found |= !strcmp(c->o->scenarios[k], c->scns[i].name);
        if (!found) return err_set(err, "unknown scenario \"%s\" (see %s)", c->o->scenarios[k], dir);
    }
    return 0;
}

static void setup_pinning(ctx_t *c) {
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    CPU_ZERO(&c->wrk_cpus);
    CPU_ZERO(&c->target_cpus);
    c->pinned = c->o->pin_auto && n >= 2;
    if (c->pinned) {
        CPU_SET(0, &c->wrk_cpus);
        for (long i = 1; i < n && i < CPU_SETSIZE; i++) CPU_SET((int)i, &c->target_cpus);
        c->nwrk_cpus = 1;
        c->workers = (int)n - 1;
    } else {
        c->nwrk_cpus = n > 0 ? (int)n : 1;
        c->workers = c->nwrk_cpus;
    }
}

int bench_execute(const bench_opts_t *o) {
    if (o->profile.name && strcmp(o->profile.name, "soak") == 0) return bench_soak(o);
    ctx_t c;
    memset(&c, 0, sizeof c);
    c.o = o;
    c.tty = isatty(2) && !getenv("NO_COLOR");
    err_t err;
    /* Ctrl-C or SIGTERM stops every started target (and wrk dies with us: PR_SET_PDEATHSIG). */
    if (target_signals_install() < 0) {
        fprintf(stderr, "parity bench: cannot install the signal handler thread\n");
        return 3;
    }
    setup_pinning(&c);
    char path[BENCH_PATH_MAX];
    snprintf(path, sizeof path, "%s/specs/bench/seed.json", o->root);
    spec_set_init(&c.seedset);
    if (spec_load_file(&c.seedset, path) < 0) {
        fprintf(stderr, "%s", buf_cstr(&c.seedset.errors));
        spec_set_free(&c.seedset);
        return 2;
    }
    c.seed = c.seedset.suites[0];
    if (select_scenarios(&c, &err) < 0) {
        fprintf(stderr, "parity bench: %s\n", err.msg);
        spec_set_free(&c.seedset);
        return 2;
    }
    target_manifest_t *ms = NULL;
    size_t nm = 0;
    snprintf(path, sizeof path, "%s/targets", o->root);
    int rc = 0;
    if (target_manifest_scan(path, &ms, &nm, &err) < 0) {
        fprintf(stderr, "parity bench: %s\n", err.msg);
        rc = 2;
    }
    for (size_t k = 0; rc == 0 && k < o->ntargets; k++) {
        bool found = false;
        for (size_t i = 0; i < nm; i++) found |= !strcmp(ms[i].name, o->targets[k]);
        for (size_t i = 0; i < o->nurls; i++)
            found |= !strncmp(o->urls[i], o->targets[k], strlen(o->targets[k])) && o->urls[i][strlen(o->targets[k])] == '=';
        if (!found) {
            fprintf(stderr, "parity bench: unknown target \"%s\" (no %s/%s/target.json)\n", o->targets[k], path, o->targets[k]);
            rc = 2;
        }
    }
    char sub[BENCH_PATH_MAX + 8];
    snprintf(sub, sizeof sub, "%s/wrk", o->out_dir);
    mkdir(o->out_dir, 0755);
    mkdir(sub, 0755);
    snprintf(sub, sizeof sub, "%s/logs", o->out_dir);
    mkdir(sub, 0755);
    if (rc == 0) {
        snprintf(c.doc_path, sizeof c.doc_path, "%s/bench.json", o->out_dir);
        c.doc = bj_doc_new(o, bench_environment(o->root), c.pinned, &c.wrk_cpus, &c.target_cpus, c.workers);
        c.targets = cJSON_GetObjectItemCaseSensitive(c.doc, "targets");
        bench_tradeoffs_begin(c.doc, o, c.workers);
        size_t nrun = 0;
        for (size_t i = 0; i < nm; i++) {
            bool want = o->ntargets == 0;
            for (size_t k = 0; k < o->ntargets; k++) want |= !strcmp(ms[i].name, o->targets[k]);
            nrun += want;
        }
        nrun += o->nurls;
        double per = BENCH_STARTUP_ESTIMATE_S;
        for (size_t i = 0; i < c.nscns; i++) per += scenario_seconds(&c, &c.scns[i]);
        c.planned_s = per * (double)nrun;
        for (size_t i = 0; i < o->nurls; i++) {
            char name[TARGET_NAME_MAX + 1];
            const char *eq = strchr(o->urls[i], '=');
            snprintf(name, sizeof name, "%.*s", (int)(eq - o->urls[i]), o->urls[i]);
            bench_target(&c, NULL, eq + 1, name);
        }
        for (size_t i = 0; i < nm; i++) {
            bool want = o->ntargets == 0, ext = false;
            for (size_t k = 0; k < o->ntargets; k++) want |= !strcmp(ms[i].name, o->targets[k]);
            for (size_t k = 0; k < o->nurls; k++)
                ext |= !strncmp(o->urls[k], ms[i].name, strlen(ms[i].name)) && o->urls[k][strlen(ms[i].name)] == '=';
            if (want && !ext && (o->ntargets || o->nurls == 0)) bench_target(&c, &ms[i], NULL, ms[i].name);
        }
        bench_tradeoffs_finish(c.doc, o->out_dir);
        write_doc(&c);
        fprintf(stderr, c.doc_failed ? "bench: %s NOT written\n" : "bench: results in %s\n", c.doc_path);
        rc = c.exit_code;
        cJSON_Delete(c.doc);
    }
    target_manifest_free_all(ms, nm);
    for (size_t i = 0; i < c.nscns; i++) scn_free(&c.scns[i]);
    free(c.scns);
    spec_set_free(&c.seedset);
    return rc;
}
