/* bench: the orchestration of `parity bench` (see bench.h). The CLI is in bench_cli.c, the
 * environment block in bench_env.c, the per-run and per-level JSON in bench_json.c, the
 * accounting and statistics in bench_stats.c, the request-kind checks in bench_validate.c, the
 * client ceiling's responder in responder.c.
 *
 * Order of a run (why: noise must hit every target alike, and no repetition may inherit a warm
 * state the others lack): for each repetition, for each target in turn (ABAB, not AABB): start
 * it afresh (new process, new database), seed it, and run every scenario once (check every
 * request kind, primer, warmup, each connection level, integrity, check again); stop it. Before
 * the first target of a repetition, wrk runs each scenario against the trivial responder: the
 * client's ceiling. Summaries (median, min-max, CV) are rewritten after every scenario, so a
 * crash leaves every finished figure in bench.json. */
#include "bench.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bench_json.h"
#include "bench_tradeoffs.h"
#include "bench_validate.h"
#include "core/clock.h"
#include "core/file.h"
#include "exec/http.h"
#include "procstat.h"
#include "prom.h"
#include "responder.h"
#include "scenario.h"
#include "seed.h"
#include "spec/spec.h"
#include "target/target.h"
#include "wrk.h"

#define BENCH_PRIMER_CONNECTIONS 8 /* TechEmpower's primer */
#define BENCH_PATH_MAX           4096
#define BENCH_STARTUP_ESTIMATE_S 8 /* start + seed, for the ETA only */

/* One target across repetitions: where its results go and whether it is still measured. */
typedef struct tstate {
    const target_manifest_t *m; /* NULL for a --url target */
    const char *ext_url;
    char name[TARGET_NAME_MAX + 1];
    cJSON *tobj, *scn_objs[BENCH_MAX_SCENARIOS];
    bool dead;                          /* did not start or crashed: skipped from then on */
    bool skip_scn[BENCH_MAX_SCENARIOS]; /* failed its checks before the load */
    long long acked[BENCH_MAX_SCENARIOS], found[BENCH_MAX_SCENARIOS], inflight[BENCH_MAX_SCENARIOS];
    bool integrity_fail[BENCH_MAX_SCENARIOS];
    char *plan_err[BENCH_MAX_SCENARIOS]; /* this process: the scenario's own seed plan failed */
    scn_pool_t *ext_pools;               /* --url: seeded once, kept across repetitions */
    size_t ext_npools;
    bool ext_seeded;
} tstate_t;

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
    double planned_s, done_s, cv_thr;
    bool tty;
    int exit_code;
    tstate_t *ts;
    size_t nts;
    bool ceiling_done;              /* this repetition's ceiling round ran */
    client_out_t cout[CLIENTS_MAX]; /* --client: the last run's per-client figures */
    prom_sampler_t prom;            /* --target-metrics: the last measured run's scrapes */
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
static void resummarise(ctx_t *c) {
    const cJSON *t, *sc;
    cJSON *l;
    cJSON_ArrayForEach(t, c->targets)
        cJSON_ArrayForEach(sc, cJSON_GetObjectItemCaseSensitive(t, "scenarios"))
            cJSON_ArrayForEach(l, cJSON_GetObjectItemCaseSensitive(sc, "levels")) {
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(sc, "name");
        const cJSON *conns = cJSON_GetObjectItemCaseSensitive(l, "connections");
        if (!cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(l, "runs"))) continue;
        double ceil = bj_ceiling_rps(c->doc, cJSON_IsString(name) ? name->valuestring : "",
                                     cJSON_IsNumber(conns) ? (int)conns->valuedouble : 0);
        bj_level_summarise(l, c->cv_thr, ceil);
    }
}

static void write_doc(ctx_t *c) {
    resummarise(c);
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

/* One repetition of one scenario on one target. */
static double scenario_seconds(const ctx_t *c, const scn_t *s) {
    const bench_profile_t *p = &c->o->profile;
    size_t nl = bench_open_only(&c->o->open) ? 0 : s->nlevels ? s->nlevels : p->nlevels;
    double open = bench_open_wants(&c->o->open, s->name)
                      ? bench_open_seconds(&c->o->open, p->duration_s, p->repeat) / p->repeat
                      : 0;
    return p->primer_s + p->warmup_s + (double)nl * (p->duration_s + p->pause_ms / 1000.0) + open;
}

static double ceiling_seconds(const ctx_t *c, const scn_t *s) {
    const bench_profile_t *p = &c->o->profile;
    size_t nl = s->nlevels ? s->nlevels : p->nlevels;
    return p->ceiling_s > 0 ? (double)nl * (p->ceiling_s + p->pause_ms / 1000.0) : 0;
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
    const char *url;     /* base URL without trailing slash */
    target_proc_t *proc; /* NULL for --url targets (no /proc sampling) */
    scn_pool_t *pools;
    size_t npools;
} tgt_t;

/* One wrk invocation: generate the script, run it pinned, sample the target. */
static int one_wrk(ctx_t *c, const tgt_t *t, const scn_t *s, int conns, int dur, const char *nonce,
                   wrk_result_t *r, double *util, buf_t *cmd, proc_sampler_t *smp, err_t *err) {
    char base[BENCH_PATH_MAX], lua[BENCH_PATH_MAX + 8], json[BENCH_PATH_MAX + 8], url[256];
    snprintf(base, sizeof base, "%s/wrk/%s-%s-%s", c->o->out_dir, t->name, s->name, nonce);
    snprintf(lua, sizeof lua, "%s.lua", base);
    snprintf(json, sizeof json, "%s.json", base);
    snprintf(url, sizeof url, "%s/", t->url);
    buf_t script;
    buf_init(&script, 64u << 20);
    /* Statuses are counted in Lua only when wrk's own counter cannot tell (see scenario.h):
     * response() costs wrk time on every answer. The ceiling runs the same script. */
    bool count = c->o->count_statuses || s->integrity || !scn_wrk_counts_enough(s);
    scn_lua_opts_t lo = {.out_json = json, .nonce = nonce, .count_statuses = count};
    int rc = scn_lua(s, t->pools, t->npools, &lo, &script, err);
    if (rc == 0) {
        FILE *f = fopen(lua, "w");
        if (!f || fwrite(script.ptr, 1, script.len, f) != script.len)
            rc = err_set(err, "%s: cannot write", lua);
        if (f && fclose(f) != 0) rc = err_set(err, "%s: cannot write", lua);
    }
    if (rc < 0) {
        buf_free(&script);
        return -1;
    }
    wrk_opts_t wo = {.url = url,
                     .script = lua,
                     .json_out = json,
                     .connections = conns,
                     .duration_s = dur,
                     .cpus = c->pinned ? &c->wrk_cpus : NULL,
                     .ncpus = c->nwrk_cpus};
    wo.threads = conns < c->nwrk_cpus ? conns : c->nwrk_cpus;
    if (cmd) wrk_command_line(&wo, cmd);
    bool sampling = smp && t->proc && proc_sampler_start(smp, t->proc->pgid) == 0;
    /* --target-metrics: the exporter is scraped around measured runs (smp given) */
    bool scraping = smp && c->o->target_metrics;
    if (scraping &&
        prom_sampler_start(&c->prom, c->o->target_metrics, c->o->target_group, err) < 0) {
        if (sampling) proc_sampler_stop(smp);
        buf_free(&script);
        return -1;
    }
    if (c->o->nclients)
        rc = clients_wrk(c->o->clients, c->o->nclients, &wo, &script, base, c->cout, r, util, cmd,
                         err);
    else
        rc = wrk_run(&wo, r, util, err);
    buf_free(&script);
    if (scraping) prom_sampler_stop(&c->prom);
    if (sampling)
        proc_sampler_stop(smp);
    else if (smp && scraping)
        prom_sampler_as_proc(&c->prom, smp); /* a remote target */
    else if (smp)
        memset(smp, 0, sizeof *smp);
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
        if (http_send(hc, t->url, &req, &resp, &out, err) < 0)
            total = -1;
        else if (resp.status != 200 || !(j = resp_json(&resp, err)) ||
                 !cJSON_IsArray(list = cJSON_GetObjectItemCaseSensitive(j, "comments")))
            total = err_set(err, "GET %s answered %ld without a comments list",
                            buf_cstr(&req.target), resp.status);
        else
            total += cJSON_GetArraySize(list);
        req_free(&req);
    }
    resp_free(&resp);
    http_client_free(hc);
    return total;
}

bool bench_integrity_verdict(long long acked, long long found, long long inflight, char *why,
                             size_t whylen) {
    if (found < acked) {
        snprintf(why, whylen,
                 "%lld writes acknowledged (201 from the API, 303 from a form) but only %lld found "
                 "through the API: writes were lost",
                 acked, found);
        return false;
    }
    if (found > acked + inflight) {
        snprintf(why, whylen,
                 "%lld writes found but only %lld acknowledged (+%lld in flight at most): the "
                 "target stored writes it did not acknowledge",
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
    snprintf(msg, sizeof msg, "the target %s during the benchmark; last log lines:\n%s", why,
             buf_cstr(&tail));
    buf_free(&tail);
    bj_set_status(tobj, "crashed", msg);
    return true;
}

/* The level object of sobj for connections, created on the first repetition. */
static cJSON *level_of(cJSON *sobj, int connections) {
    cJSON *arr = cJSON_GetObjectItemCaseSensitive(sobj, "levels");
    if (!arr) arr = cJSON_AddArrayToObject(sobj, "levels");
    cJSON *l;
    cJSON_ArrayForEach(l, arr) {
        const cJSON *cn = cJSON_GetObjectItemCaseSensitive(l, "connections");
        if (cJSON_IsNumber(cn) && (int)cn->valuedouble == connections) return l;
    }
    return bj_level_new(arr, connections);
}

/* Checks every request kind (before: index 0, after: index 1). False: recorded, exit 1. */
static bool validate(ctx_t *c, const tgt_t *t, const scn_t *s, cJSON *sobj, int rep, size_t index) {
    buf_t msg;
    buf_init(&msg, 1u << 16);
    bool before = index == BENCH_VALIDATE_BEFORE;
    bool ok = bench_validate(s, t->url, t->pools, t->npools, index, &msg) == 0;
    if (!ok) {
        char why[1400];
        snprintf(why, sizeof why, "repetition %d, %s the load: %s", rep,
                 before ? "before" : "after", buf_cstr(&msg));
        bj_set_check(sobj, false, why);
        bj_set_status(sobj, "check-failed",
                      before ? "a request kind was answered wrongly before the load: not measured"
                             : "a request kind was answered wrongly after the load");
        progress_done(c, "%s %s: request check FAILED %s the load: %s", t->name, s->name,
                      before ? "before" : "after", buf_cstr(&msg));
        note_exit(c, 1);
    }
    buf_free(&msg);
    return ok;
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

/* The open-loop sweep of s on t (bench_open.h), in the last repetition: by then every
 * repetition's closed-loop levels are measured, and their maximum anchors --sweep auto. */
static int open_sweep(ctx_t *c, const tgt_t *t, const scn_t *s, cJSON *tobj, cJSON *sobj,
                      long long *acked, long long *inflight) {
    open_say_t say = {c, t, s};
    bench_open_ctx_t x = {.url = t->url,
                          .pools = t->pools,
                          .npools = t->npools,
                          .connections = max_level(c, s),
                          .duration_s = c->o->profile.duration_s,
                          .repeat = c->o->profile.repeat,
                          .cpus = c->pinned ? &c->wrk_cpus : NULL,
                          .progress = open_progress,
                          .progress_arg = &say};
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
        progress_done(c, "%s %s: open loop: no rate swept was sustained with p99 <= %g ms", t->name,
                      s->name, slo);
    return 0;
}

/* What one repetition carries from phase to phase: wrk's command line buffer, the writes wrk
 * acknowledged and the most that could still be in flight when it stopped (integrity). */
typedef struct rep {
    tstate_t *ts;
    const tgt_t *t;
    const scn_t *s;
    cJSON *sobj;
    int rep;
    buf_t cmd;
    long long acked, inflight;
} rep_t;

/* The checks before the load: sessions its plan made, then each request kind answered right.
 * false when the scenario is not to be measured (recorded and counted as done). */
static bool rep_checks_before(ctx_t *c, rep_t *r, size_t si, double done_before) {
    if (r->ts->plan_err[si]) { /* the sessions it sends could not be made: a wrong answer */
        char why[1400];
        snprintf(why, sizeof why, "repetition %d, before the load: %s", r->rep,
                 r->ts->plan_err[si]);
        bj_set_check(r->sobj, false, why);
        bj_set_status(r->sobj, "check-failed",
                      "a request kind was answered wrongly before the load: not measured");
        progress_done(c, "%s %s: request check FAILED before the load: %s", r->t->name, r->s->name,
                      r->ts->plan_err[si]);
        note_exit(c, 1);
    } else if (validate(c, r->t, r->s, r->sobj, r->rep, BENCH_VALIDATE_BEFORE)) {
        if (!cJSON_GetObjectItemCaseSensitive(r->sobj, "check")) bj_set_check(r->sobj, true, NULL);
        return true;
    }
    r->ts->skip_scn[si] = true;
    c->done_s = done_before + scenario_seconds(c, r->s);
    return false;
}

/* "the target exited during WHAT": recorded as a crash (exit 3). true when it had. */
static bool rep_crashed(ctx_t *c, rep_t *r, const char *what) {
    if (!target_crashed(r->t, r->ts->tobj)) return false;
    char msg[160];
    snprintf(msg, sizeof msg, "the target exited during %s", what);
    bj_set_status(r->sobj, "crashed", msg);
    progress_done(c, "%s %s: CRASHED: %s", r->t->name, r->s->name, msg);
    note_exit(c, 3);
    return true;
}

/* The primer (few connections) and the warmup (the highest level): not measured, but their
 * writes count for the integrity check. -1 when the repetition must stop. */
static int rep_warm(ctx_t *c, rep_t *r) {
    const bench_profile_t *p = &c->o->profile;
    struct {
        const char *label;
        int conns, secs;
    } pre[2] = {{"primer", BENCH_PRIMER_CONNECTIONS, p->primer_s},
                {"warmup", max_level(c, r->s), p->warmup_s}};
    for (int i = 0; i < 2; i++) {
        if (pre[i].secs <= 0) continue;
        char nonce[48], what[64];
        wrk_result_t w;
        double util;
        err_t err;
        snprintf(nonce, sizeof nonce, "%s-r%d", pre[i].label, r->rep);
        progress(c, "%s %s: %s, %d connections, run %d/%d", r->t->name, r->s->name, pre[i].label,
                 pre[i].conns, r->rep, p->repeat);
        buf_reset(&r->cmd);
        if (one_wrk(c, r->t, r->s, pre[i].conns, pre[i].secs, nonce, &w, &util, &r->cmd, NULL,
                    &err) < 0) {
            bj_set_status(r->sobj, "error", err.msg);
            note_exit(c, 3);
            return -1;
        }
        if (r->rep == 1) bj_add_command(r->sobj, pre[i].label, buf_cstr(&r->cmd));
        r->acked += w.created;
        r->inflight += pre[i].conns;
        wrk_result_free(&w);
        snprintf(what, sizeof what, "the %s of run %d", pre[i].label, r->rep);
        if (rep_crashed(c, r, what)) return -1;
        c->done_s += pre[i].secs;
        clock_sleep_ms(p->pause_ms);
    }
    return 0;
}

/* One measured level: wrk, the run recorded with its resources, then the verdicts in order of
 * seriousness (a crash, unexpected answers, no answer at all). -1 when the repetition must stop. */
static int rep_level(ctx_t *c, rep_t *r, int level) {
    const bench_profile_t *p = &c->o->profile;
    cJSON *lv = level_of(r->sobj, level);
    char nonce[48], why[512], what[64];
    wrk_result_t w;
    double util;
    err_t err;
    proc_sampler_t smp;
    snprintf(nonce, sizeof nonce, "c%d-r%d", level, r->rep);
    progress(c, "%s %s: %d connections, run %d/%d", r->t->name, r->s->name, level, r->rep,
             p->repeat);
    buf_reset(&r->cmd);
    if (one_wrk(c, r->t, r->s, level, p->duration_s, nonce, &w, &util, &r->cmd, &smp, &err) < 0) {
        if (!target_crashed(r->t, r->ts->tobj)) bj_set_status(r->sobj, "error", err.msg);
        note_exit(c, 3);
        return -1;
    }
    bool ok =
        bj_add_run(lv, r->rep, buf_cstr(&r->cmd), &w,
                   r->t->proc || c->o->target_metrics ? &smp : NULL, util, r->s, why, sizeof why);
    clients_json_last(cJSON_GetObjectItemCaseSensitive(lv, "runs"), c->o->clients, c->o->nclients,
                      c->cout, c->o->target_metrics ? &c->prom : NULL);
    for (size_t k = 0; k < c->o->nclients; k++) wrk_result_free(&c->cout[k].r);
    /* A crash first: a target killed as the level began leaves wrk with errors or no answer at
     * all, which must read as the crash it is, not as "hung?" or "unexpected answers". */
    snprintf(what, sizeof what, "%d connections, run %d", level, r->rep);
    if (rep_crashed(c, r, what)) {
        wrk_result_free(&w);
        return -1;
    }
    if (!ok) {
        char msg[700];
        snprintf(msg, sizeof msg, "%d connections, run %d: %s", level, r->rep, why);
        bj_set_status(r->sobj, "errors", msg);
        progress_done(c, "%s %s: UNEXPECTED ANSWERS: %s", r->t->name, r->s->name, msg);
        note_exit(c, 1);
    }
    if (w.requests == 0) {
        /* A frozen or hung target: wrk ends on time with nothing answered and, as no request
         * outlived wrk's timeout, no error either. Never a 0 req/s "result". */
        char msg[200];
        snprintf(msg, sizeof msg,
                 "the target answered no request in %d s (%d connections, run %d): hung?",
                 p->duration_s, level, r->rep);
        bj_set_status(r->sobj, "error", msg);
        progress_done(c, "%s %s: NO ANSWER: %s", r->t->name, r->s->name, msg);
        note_exit(c, 3);
        wrk_result_free(&w);
        return -1;
    }
    r->acked += w.created;
    r->inflight += level;
    wrk_result_free(&w);
    c->done_s += p->duration_s + p->pause_ms / 1000.0;
    clock_sleep_ms(p->pause_ms);
    return 0;
}

/* Writes acknowledged vs found through the API (comments before and after), accumulated over the
 * repetitions of scenario si. */
static void rep_integrity(ctx_t *c, rep_t *r, size_t si, long long before) {
    err_t err;
    long long after = count_comments(r->t, &err);
    char why[ERR_MSG_MAX + 128];
    bool pass;
    if (after < 0) {
        pass = false;
        snprintf(why, sizeof why, "could not count comments afterwards: %s", err.msg);
    } else {
        pass = bench_integrity_verdict(r->acked, after - before, r->inflight, why, sizeof why);
    }
    tstate_t *ts = r->ts;
    ts->acked[si] += r->acked;
    ts->found[si] += after >= 0 ? after - before : 0;
    ts->inflight[si] += r->inflight;
    ts->integrity_fail[si] |= !pass;
    cJSON_DeleteItemFromObjectCaseSensitive(r->sobj, "integrity");
    bj_set_integrity(r->sobj, !ts->integrity_fail[si], ts->acked[si], ts->found[si],
                     ts->inflight[si], pass ? NULL : why);
    if (!pass) {
        progress_done(c, "%s %s: INTEGRITY FAILED: %s", r->t->name, r->s->name, why);
        note_exit(c, 1);
    }
}

/* One repetition of scenario si on target ts (started and seeded as t): checks, primer and
 * warmup, each level, the open-loop sweep on the last repetition, integrity, checks after. */
static void bench_scenario_rep(ctx_t *c, tstate_t *ts, const tgt_t *t, size_t si, int rep) {
    const bench_profile_t *p = &c->o->profile;
    rep_t r = {.ts = ts, .t = t, .s = &c->scns[si], .sobj = ts->scn_objs[si], .rep = rep};
    const scn_t *s = r.s;
    const int *levels = s->nlevels ? s->levels : p->levels;
    size_t nlevels = s->nlevels ? s->nlevels : p->nlevels;
    double done_before = c->done_s;
    err_t err;
    progress(c, "%s %s: checking %zu request kind(s), run %d/%d", t->name, s->name, s->nreqs, rep,
             p->repeat);
    if (!rep_checks_before(c, &r, si, done_before)) return;
    long long before = 0;
    if (s->integrity && (before = count_comments(t, &err)) < 0) {
        bj_set_status(r.sobj, "error", err.msg);
        note_exit(c, 3);
        return;
    }
    buf_init(&r.cmd, 8192);
    int rc = rep_warm(c, &r);
    for (size_t li = 0; rc == 0 && li < nlevels && !bench_open_only(&c->o->open); li++)
        rc = rep_level(c, &r, levels[li]);
    buf_free(&r.cmd);
    if (rc < 0) return;
    if (rep == p->repeat && bench_open_wants(&c->o->open, s->name) &&
        open_sweep(c, t, s, ts->tobj, r.sobj, &r.acked, &r.inflight) < 0)
        return;
    if (s->integrity) rep_integrity(c, &r, si, before);
    bool after_ok = validate(c, t, s, r.sobj, rep, BENCH_VALIDATE_AFTER);
    c->done_s = done_before + scenario_seconds(c, s);
    if (after_ok && !strcmp(bj_status(r.sobj), "pending")) bj_set_status(r.sobj, "ok", NULL);
    resummarise(c);
    progress_done(c, "%s %s (run %d/%d): %s", t->name, s->name, rep, p->repeat,
                  bj_level_headline(cJSON_GetObjectItemCaseSensitive(r.sobj, "levels")));
}

/* The client's ceiling for this repetition: each scenario and level, wrk with the same script
 * (t's pools) against the trivial responder on the targets' CPUs. A failure is reported and the
 * figures are simply not flagged against a ceiling. */
static void ceiling_round(ctx_t *c, const tgt_t *seeded, int rep) {
    const bench_profile_t *p = &c->o->profile;
    c->ceiling_done = true;
    if (p->ceiling_s <= 0) return;
    responder_t rs;
    err_t err;
    if (responder_start(&rs, c->pinned ? &c->target_cpus : NULL, &err) < 0) {
        progress_done(c, "client ceiling not measured: %s", err.msg);
        return;
    }
    tgt_t t = {.name = "ceiling", .url = rs.url, .pools = seeded->pools, .npools = seeded->npools};
    buf_t cmd;
    buf_init(&cmd, 8192);
    for (size_t i = 0; i < c->nscns; i++) {
        const scn_t *s = &c->scns[i];
        const int *levels = s->nlevels ? s->levels : p->levels;
        size_t nlevels = s->nlevels ? s->nlevels : p->nlevels;
        for (size_t li = 0; li < nlevels; li++) {
            char nonce[48];
            snprintf(nonce, sizeof nonce, "ceiling-c%d-r%d", levels[li], rep);
            progress(c, "client ceiling %s: %d connections, run %d/%d", s->name, levels[li], rep,
                     p->repeat);
            wrk_result_t r;
            double util;
            buf_reset(&cmd);
            if (one_wrk(c, &t, s, levels[li], p->ceiling_s, nonce, &r, &util, &cmd, NULL, &err) <
                0) {
                progress_done(c, "client ceiling %s: %s", s->name, err.msg);
            } else {
                bj_add_ceiling_run(bj_ceiling_level(c->doc, s->name, levels[li]), rep,
                                   buf_cstr(&cmd), &r, util);
                wrk_result_free(&r);
            }
            c->done_s += p->ceiling_s + p->pause_ms / 1000.0;
            clock_sleep_ms(p->pause_ms);
        }
    }
    buf_free(&cmd);
    responder_stop(&rs);
}

/* Records one started process of a target (every repetition has its own). */
static void note_process(cJSON *tobj, int rep, double start_s, const seed_stats_t *st) {
    cJSON *arr = cJSON_GetObjectItemCaseSensitive(tobj, "processes");
    if (!arr) arr = cJSON_AddArrayToObject(tobj, "processes");
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "repeat", rep);
    cJSON_AddNumberToObject(o, "start_s", round(start_s * 1000) / 1000);
    cJSON_AddNumberToObject(o, "seed_s", round(st->duration_s * 1000) / 1000);
    cJSON_AddNumberToObject(o, "seed_requests", (double)st->steps);
    cJSON_AddItemToArray(arr, o);
}

/* The scenarios' own seed plans ("seed": e.g. web-sessions.json, sessions signed in through the
 * forms), each run once per process after seed.json, for the selected scenarios only. A plan
 * that fails is recorded against the scenarios that need it (their request check fails: not
 * measured), never against the target: its other scenarios are measured as usual. -1 only when
 * out of memory. */
static int seed_plans(ctx_t *c, tstate_t *ts, const tgt_t *t, vars_t **vars, seed_stats_t *st) {
    for (size_t i = 0; i < c->nscns; i++) {
        free(ts->plan_err[i]);
        ts->plan_err[i] = NULL;
    }
    for (size_t i = 0; i < c->nscns; i++) {
        const char *file = c->scns[i].seed;
        bool done = false;
        for (size_t j = 0; file && j < i; j++)
            done |= c->scns[j].seed && !strcmp(c->scns[j].seed, file);
        if (!file || done || ts->skip_scn[i]) continue;
        char path[BENCH_PATH_MAX];
        snprintf(path, sizeof path, "%s/specs/bench/%s", c->o->root, file);
        progress(c, "%s: seeding %s", ts->name, file);
        err_t err;
        if (seed_run_file(path, t->url, BENCH_SEED_PARALLEL, vars, st, &err) == 0) continue;
        progress_done(c, "%s: seed plan %s failed: %s", ts->name, file, err.msg);
        for (size_t j = i; j < c->nscns; j++) {
            if (!c->scns[j].seed || strcmp(c->scns[j].seed, file)) continue;
            buf_t m;
            buf_init(&m, 0);
            if (buf_printf(&m, "its seed plan %s failed: %s", file, err.msg) < 0) return -1;
            ts->plan_err[j] = buf_detach(&m);
        }
    }
    return 0;
}

/* Seeds t (a fresh process; an external target only once). 0 or -1 (recorded). */
static int seed_target(ctx_t *c, tstate_t *ts, tgt_t *t, seed_stats_t *st) {
    if (!ts->m && ts->ext_seeded) {
        t->pools = ts->ext_pools;
        t->npools = ts->ext_npools;
        return 0;
    }
    err_t err;
    vars_t *vars = vars_new();
    vars_set_string(vars, "uid", c->o->run_id);
    vars_set_string(vars, "target", ts->name);
    vars_set_string(vars, "run", c->o->run_id);
    progress(c, "%s: seeding through its API", ts->name);
    int rc = 0;
    if (seed_run(c->seed, t->url, BENCH_SEED_PARALLEL, vars, st, &err) < 0 ||
        seed_plans(c, ts, t, &vars, st) < 0 || seed_pools(vars, &t->pools, &t->npools) < 0) {
        if (!target_crashed(t, ts->tobj)) bj_set_status(ts->tobj, "error", err.msg);
        progress_done(c, "%s: seeding failed: %s", ts->name, err.msg);
        note_exit(c, 3);
        rc = -1;
    } else if (!cJSON_GetObjectItemCaseSensitive(ts->tobj, "seed")) {
        bj_set_seed(ts->tobj, st->duration_s, st->steps, t->pools, t->npools);
    }
    vars_free(vars);
    if (rc == 0 && !ts->m) {
        ts->ext_seeded = true;
        ts->ext_pools = t->pools;
        ts->ext_npools = t->npools;
    }
    return rc;
}

/* Repetition rep of one target: a fresh process, seeded, every scenario once. */
static void bench_target_rep(ctx_t *c, tstate_t *ts, int rep) {
    target_proc_t proc;
    memset(&proc, 0, sizeof proc);
    tgt_t t = {.name = ts->name};
    err_t err;
    char log[BENCH_PATH_MAX];
    /* not <name>.log: in a `parity run` directory that is the conformance run's log */
    snprintf(log, sizeof log, "%s/logs/%s.bench.log", c->o->out_dir, ts->name);
    progress(c, "%s: starting (run %d/%d)", ts->name, rep, c->o->profile.repeat);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (ts->m) {
        target_opts_t to = {
            .workers = c->workers, .cpus = c->pinned ? &c->target_cpus : NULL, .log_path = log};
        if (target_start(ts->m, &to, &proc, &err) < 0) {
            bj_set_status(ts->tobj, "error", err.msg);
            progress_done(c, "%s: did not start: %s", ts->name, err.msg);
            note_exit(c, 3);
            ts->dead = true;
            return;
        }
        t.proc = &proc;
        t.url = proc.url;
    } else {
        t.url = ts->ext_url;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    seed_stats_t st = {0, 0};
    if (seed_target(c, ts, &t, &st) < 0) {
        ts->dead = true;
    } else {
        note_process(ts->tobj, rep,
                     (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9, &st);
        progress_done(c, "%s: run %d/%d: started, seeded (%ld requests in %.1f s)", ts->name, rep,
                      c->o->profile.repeat, st.steps, st.duration_s);
        c->done_s += BENCH_STARTUP_ESTIMATE_S;
        if (!c->ceiling_done) ceiling_round(c, &t, rep);
        for (size_t i = 0; i < c->nscns && !ts->dead; i++) {
            if (ts->skip_scn[i]) continue;
            bench_scenario_rep(c, ts, &t, i, rep);
            write_doc(c);
            if (!strcmp(bj_status(ts->tobj), "crashed")) ts->dead = true;
        }
    }
    if (ts->m) seed_pools_free(t.pools, t.npools);
    if (t.proc && target_stop(t.proc, &err) < 0) progress_done(c, "%s: %s", ts->name, err.msg);
    if (t.proc && strcmp(bj_status(ts->tobj), "error") && strcmp(bj_status(ts->tobj), "crashed") &&
        target_stop_check(t.proc, &err) < 0) {
        bj_set_status(ts->tobj, "error", err.msg);
        progress_done(c, "%s: %s", ts->name, err.msg);
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
        bool want = c->o->nscenarios == 0 && all[i].in_default; /* "default": false: by name only */
        for (size_t k = 0; k < c->o->nscenarios; k++)
            want |= !strcmp(c->o->scenarios[k], all[i].name);
        if (want)
            c->scns[c->nscns++] = all[i];
        else
            scn_free(&all[i]);
    }
    free(all);
    for (size_t k = 0; k < c->o->nscenarios; k++) {
        bool found = false;
        for (size_t i = 0; i < c->nscns; i++) found |= !strcmp(c->o->scenarios[k], c->scns[i].name);
        if (!found)
            return err_set(err, "unknown scenario \"%s\" (see %s)", c->o->scenarios[k], dir);
    }
    /* a scenario's own seed plan is checked now: a spec error is a usage error (exit 2), not a
     * failure found minutes later on the first target */
    for (size_t i = 0; i < c->nscns; i++) {
        if (!c->scns[i].seed) continue;
        char path[BENCH_PATH_MAX];
        snprintf(path, sizeof path, "%s/specs/bench/%s", c->o->root, c->scns[i].seed);
        spec_set_t set;
        spec_set_init(&set);
        bool bad = spec_load_file(&set, path) < 0 || set.n != 1;
        if (bad)
            err_set(err, "scenario %s: seed plan %s", c->scns[i].name,
                    set.nerrors ? buf_cstr(&set.errors) : "cannot be loaded");
        spec_set_free(&set);
        if (bad) return -1;
    }
    return 0;
}

static void setup_pinning(ctx_t *c) {
    c->pinned =
        bench_pin_plan(c->o->pin_auto, &c->wrk_cpus, &c->target_cpus, &c->nwrk_cpus, &c->workers);
}

/* The targets to run, in order: --url ones first, then the selected manifests. */
static int plan_targets(ctx_t *c, const target_manifest_t *ms, size_t nm) {
    const bench_opts_t *o = c->o;
    c->ts = calloc(nm + o->nurls + 1, sizeof *c->ts);
    if (!c->ts) return -1;
    for (size_t i = 0; i < o->nurls; i++) {
        tstate_t *ts = &c->ts[c->nts++];
        const char *eq = strchr(o->urls[i], '=');
        snprintf(ts->name, sizeof ts->name, "%.*s", (int)(eq - o->urls[i]), o->urls[i]);
        ts->ext_url = eq + 1;
    }
    for (size_t i = 0; i < nm; i++) {
        bool want = o->ntargets == 0, ext = false;
        for (size_t k = 0; k < o->ntargets; k++) want |= !strcmp(ms[i].name, o->targets[k]);
        for (size_t k = 0; k < o->nurls; k++)
            ext |= !strncmp(o->urls[k], ms[i].name, strlen(ms[i].name)) &&
                   o->urls[k][strlen(ms[i].name)] == '=';
        /* --db postgres without --target: only the targets that declare it (target.json). */
        if (want && !o->ntargets && db_active() && !(ms[i].databases & (1u << DB_POSTGRES))) {
            fprintf(stderr,
                    "parity bench: %s skipped: no \"postgres\" in its target.json "
                    "\"databases\"\n",
                    ms[i].name);
            continue;
        }
        if (want && !ext && (o->ntargets || o->nurls == 0)) {
            tstate_t *ts = &c->ts[c->nts++];
            ts->m = &ms[i];
            snprintf(ts->name, sizeof ts->name, "%s", ms[i].name);
        }
    }
    for (size_t i = 0; i < c->nts; i++) {
        tstate_t *ts = &c->ts[i];
        ts->tobj = bj_target_new(c->targets, ts->name);
        char version[256] = "external (--url)";
        if (ts->m) target_version(ts->m, version, sizeof version);
        cJSON_AddStringToObject(ts->tobj, "version", version);
        if (ts->m && ts->m->orm && ts->m->orm[0])
            cJSON_AddStringToObject(ts->tobj, "orm", ts->m->orm);
        else
            cJSON_AddNullToObject(ts->tobj, "orm");
        cJSON_AddNumberToObject(ts->tobj, "workers", ts->m ? c->workers : 0);
        cJSON_AddStringToObject(ts->tobj, "db", /* issue 24: the backend of this target's runs */
                                !ts->m        ? "external"
                                : db_active() ? "postgres"
                                              : "sqlite");
        cJSON *sarr = cJSON_AddArrayToObject(ts->tobj, "scenarios");
        for (size_t k = 0; k < c->nscns; k++) ts->scn_objs[k] = bj_scenario_new(sarr, &c->scns[k]);
    }
    return 0;
}

/* Every repetition, every target in turn (ABAB). */
static void run_all(ctx_t *c) {
    const bench_profile_t *p = &c->o->profile;
    double per = BENCH_STARTUP_ESTIMATE_S, ceil = 0;
    for (size_t i = 0; i < c->nscns; i++) {
        per += scenario_seconds(c, &c->scns[i]);
        ceil += ceiling_seconds(c, &c->scns[i]);
    }
    c->planned_s = (per * (double)c->nts + ceil) * p->repeat;
    for (size_t i = 0; i < c->nts; i++) /* cold starts, before any load: see bench_tradeoffs.h */
        if (c->ts[i].m)
            bench_tradeoffs_target(c->doc, c->ts[i].m, c->o, c->workers,
                                   c->pinned ? &c->target_cpus : NULL);
    for (int rep = 1; rep <= p->repeat; rep++) {
        c->ceiling_done = false;
        for (size_t i = 0; i < c->nts; i++) {
            if (c->ts[i].dead) continue;
            bench_target_rep(c, &c->ts[i], rep);
        }
    }
    for (size_t i = 0; i < c->nts; i++) {
        tstate_t *ts = &c->ts[i];
        for (size_t k = 0; k < c->nscns; k++)
            if (!strcmp(bj_status(ts->scn_objs[k]), "pending") && ts->dead)
                bj_set_status(
                    ts->scn_objs[k], "error",
                    "not measured: the target did not start, crashed or could not be seeded");
        if (!strcmp(bj_status(ts->tobj), "pending")) bj_set_status(ts->tobj, "ok", NULL);
        if (ts->ext_seeded) seed_pools_free(ts->ext_pools, ts->ext_npools);
        for (size_t k = 0; k < c->nscns; k++) free(ts->plan_err[k]);
    }
}

int bench_execute(const bench_opts_t *o) {
    if (o->profile.name && strcmp(o->profile.name, "soak") == 0) return bench_soak(o);
    ctx_t c;
    memset(&c, 0, sizeof c);
    c.o = o;
    c.cv_thr = o->cv_threshold_pct > 0 ? o->cv_threshold_pct : BENCH_DEFAULT_CV_PCT;
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
    if (c.nscns > BENCH_MAX_SCENARIOS) {
        fprintf(stderr, "parity bench: more than %d scenarios\n", BENCH_MAX_SCENARIOS);
        rc = 2;
    } else if (target_manifest_scan(path, &ms, &nm, &err) < 0) {
        fprintf(stderr, "parity bench: %s\n", err.msg);
        rc = 2;
    }
    for (size_t k = 0; rc == 0 && k < o->ntargets; k++) {
        bool found = false;
        for (size_t i = 0; i < nm; i++) found |= !strcmp(ms[i].name, o->targets[k]);
        for (size_t i = 0; i < o->nurls; i++)
            found |= !strncmp(o->urls[i], o->targets[k], strlen(o->targets[k])) &&
                     o->urls[i][strlen(o->targets[k])] == '=';
        if (!found) {
            fprintf(stderr, "parity bench: unknown target \"%s\" (no %s/%s/target.json)\n",
                    o->targets[k], path, o->targets[k]);
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
        c.doc = bj_doc_new(o, bench_environment(o->root), c.pinned, &c.wrk_cpus, &c.target_cpus,
                           c.workers);
        c.targets = cJSON_GetObjectItemCaseSensitive(c.doc, "targets");
        bench_tradeoffs_begin(c.doc, o, c.workers);
        if (plan_targets(&c, ms, nm) < 0) {
            fprintf(stderr, "parity bench: out of memory\n");
            rc = 3;
        } else {
            run_all(&c);
            bench_tradeoffs_finish(c.doc, o->out_dir);
            write_doc(&c);
            fprintf(stderr, c.doc_failed ? "bench: %s NOT written\n" : "bench: results in %s\n",
                    c.doc_path);
            rc = c.exit_code;
        }
        cJSON_Delete(c.doc);
    }
    free(c.ts);
    target_manifest_free_all(ms, nm);
    for (size_t i = 0; i < c.nscns; i++) scn_free(&c.scns[i]);
    free(c.scns);
    spec_set_free(&c.seedset);
    return rc;
}
