/* bench_rep: one repetition of one scenario on one started target, and the client-ceiling
 * round (see bench_int.h). Phases, in order: every request kind checked (rep_checks_before),
 * primer and warmup (rep_warm), each measured level (rep_level), the open-loop sweep on the last
 * repetition, the integrity of writes (rep_integrity), every request kind checked again. A crash,
 * unexpected answers or no answer at all ends the repetition with its verdict in bench.json. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_int.h"
#include "bench_json.h"
#include "bench_validate.h"
#include "core/clock.h"
#include "exec/http.h"
#include "procstat.h"
#include "responder.h"
#include "wrk.h"

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
    /* The target's CPU is charged over wrk's window only (plus its start-up), not over what
     * follows: a target still serving queued requests after wrk stopped (logins waiting for
     * bcrypt) would otherwise be charged for answers no figure counts. Several clients start
     * after a barrier of unknown length: sampled until the load ends, as before. */
    long long window = c->o->nclients ? 0 : (long long)dur * 1000 + BENCH_WRK_START_MS;
    bool sampling = smp && t->proc && proc_sampler_start_window(smp, t->proc->pgid, window) == 0;
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

bool bench__target_crashed(const tgt_t *t, cJSON *tobj) {
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
        bench__progress_done(c, "%s %s: request check FAILED %s the load: %s", t->name, s->name,
                             before ? "before" : "after", buf_cstr(&msg));
        bench__note_exit(c, 1);
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
    bench__progress(a->c, "%s %s: %s", a->t->name, a->s->name, line);
}

/* The open-loop sweep of s on t (bench_open.h), in the last repetition: by then every
 * repetition's closed-loop levels are measured, and their maximum anchors --sweep auto. */
static int open_sweep(ctx_t *c, const tgt_t *t, const scn_t *s, cJSON *tobj, cJSON *sobj,
                      long long *acked, long long *inflight) {
    open_say_t say = {c, t, s};
    bench_open_ctx_t x = {.url = t->url,
                          .pools = t->pools,
                          .npools = t->npools,
                          .connections = bench__max_level(c, s),
                          .duration_s = c->o->profile.duration_s,
                          .repeat = c->o->profile.repeat,
                          .cpus = c->pinned ? &c->wrk_cpus : NULL,
                          .progress = open_progress,
                          .progress_arg = &say};
    err_t err;
    if (bench_open_scenario(&c->o->open, &x, s, sobj, acked, inflight, &err) < 0) {
        if (!bench__target_crashed(t, tobj)) bj_set_status(sobj, "error", err.msg);
        bench__progress_done(c, "%s %s: open loop failed: %s", t->name, s->name, err.msg);
        bench__note_exit(c, 3);
        return -1;
    }
    const cJSON *open = cJSON_GetObjectItemCaseSensitive(sobj, "open");
    const cJSON *best = cJSON_GetObjectItemCaseSensitive(open, "max_sustained_rps");
    double slo = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(open, "slo_ms"));
    if (cJSON_IsNumber(best))
        bench__progress_done(c, "%s %s: open loop: %.0f req/s sustained with p99 <= %g ms", t->name,
                             s->name, best->valuedouble, slo);
    else
        bench__progress_done(c, "%s %s: open loop: no rate swept was sustained with p99 <= %g ms",
                             t->name, s->name, slo);
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
        bench__progress_done(c, "%s %s: request check FAILED before the load: %s", r->t->name,
                             r->s->name, r->ts->plan_err[si]);
        bench__note_exit(c, 1);
    } else if (validate(c, r->t, r->s, r->sobj, r->rep, BENCH_VALIDATE_BEFORE)) {
        if (!cJSON_GetObjectItemCaseSensitive(r->sobj, "check")) bj_set_check(r->sobj, true, NULL);
        return true;
    }
    r->ts->skip_scn[si] = true;
    c->done_s = done_before + bench__scenario_seconds(c, r->s);
    return false;
}

/* "the target exited during WHAT": recorded as a crash (exit 3). true when it had. */
static bool rep_crashed(ctx_t *c, rep_t *r, const char *what) {
    if (!bench__target_crashed(r->t, r->ts->tobj)) return false;
    char msg[160];
    snprintf(msg, sizeof msg, "the target exited during %s", what);
    bj_set_status(r->sobj, "crashed", msg);
    bench__progress_done(c, "%s %s: CRASHED: %s", r->t->name, r->s->name, msg);
    bench__note_exit(c, 3);
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
                {"warmup", bench__max_level(c, r->s), p->warmup_s}};
    for (int i = 0; i < 2; i++) {
        if (pre[i].secs <= 0) continue;
        char nonce[48], what[64];
        wrk_result_t w;
        double util;
        err_t err;
        snprintf(nonce, sizeof nonce, "%s-r%d", pre[i].label, r->rep);
        bench__progress(c, "%s %s: %s, %d connections, run %d/%d", r->t->name, r->s->name,
                        pre[i].label, pre[i].conns, r->rep, p->repeat);
        buf_reset(&r->cmd);
        if (one_wrk(c, r->t, r->s, pre[i].conns, pre[i].secs, nonce, &w, &util, &r->cmd, NULL,
                    &err) < 0) {
            bj_set_status(r->sobj, "error", err.msg);
            bench__note_exit(c, 3);
            return -1;
        }
        if (r->rep == 1 && !c->makeup) bj_add_command(r->sobj, pre[i].label, buf_cstr(&r->cmd));
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
    char nonce[48], why[512], what[64], label[320];
    wrk_result_t w;
    double util;
    err_t err;
    proc_sampler_t smp;
    bench_host_t host;
    snprintf(nonce, sizeof nonce, "c%d-r%d", level, r->rep);
    snprintf(what, sizeof what, "%d connections, run %d", level, r->rep);
    snprintf(label, sizeof label, "%s %s, %s", r->t->name, r->s->name, what);
    for (int attempt = 0;; attempt++) {
        bench__host_before(c, r->t, label, &host);
        bench__progress(c, "%s %s: %d connections, run %d/%d", r->t->name, r->s->name, level,
                        r->rep, p->repeat);
        buf_reset(&r->cmd);
        bench__host_during_start(c, &host);
        int wrc =
            one_wrk(c, r->t, r->s, level, p->duration_s, nonce, &w, &util, &r->cmd, &smp, &err);
        bench__host_during_stop(c, &host);
        if (wrc < 0) {
            if (!bench__target_crashed(r->t, r->ts->tobj)) bj_set_status(r->sobj, "error", err.msg);
            bench__note_exit(c, 3);
            return -1;
        }
        /* A slow window began during the run: measured again (its writes still count). Never a
         * run with errors or no answer: what it says must reach the verdicts below. */
        bench_tally_t tally;
        bench_tally(r->s, &w, &tally);
        bool clean =
            w.requests > 0 && bench_tally_ok(&tally, r->s->tolerated_error_rate, why, sizeof why);
        if (!bench__host_after(c, &host, attempt, p->duration_s, clean)) break;
        bench__host_rerun_note(lv, r->rep, &w, &host);
        r->acked += w.created;
        r->inflight += level;
        wrk_result_free(&w);
        if (rep_crashed(c, r, what)) return -1;
        clock_sleep_ms(p->pause_ms);
    }
    bool ok =
        bj_add_run(lv, r->rep, buf_cstr(&r->cmd), &w,
                   r->t->proc || c->o->target_metrics ? &smp : NULL, util, r->s, why, sizeof why);
    cJSON *runs = cJSON_GetObjectItemCaseSensitive(lv, "runs");
    bench__host_record(cJSON_GetArrayItem(runs, cJSON_GetArraySize(runs) - 1), &host);
    clients_json_last(runs, c->o->clients, c->o->nclients, c->cout,
                      c->o->target_metrics ? &c->prom : NULL);
    for (size_t k = 0; k < c->o->nclients; k++) wrk_result_free(&c->cout[k].r);
    /* A crash first: a target killed as the level began leaves wrk with errors or no answer at
     * all, which must read as the crash it is, not as "hung?" or "unexpected answers". */
    if (rep_crashed(c, r, what)) {
        wrk_result_free(&w);
        return -1;
    }
    if (!ok) {
        char msg[700];
        snprintf(msg, sizeof msg, "%d connections, run %d: %s", level, r->rep, why);
        bj_set_status(r->sobj, "errors", msg);
        bench__progress_done(c, "%s %s: UNEXPECTED ANSWERS: %s", r->t->name, r->s->name, msg);
        bench__note_exit(c, 1);
    }
    if (w.requests == 0) {
        /* A frozen or hung target: wrk ends on time with nothing answered and, as no request
         * outlived wrk's timeout, no error either. Never a 0 req/s "result". */
        char msg[200];
        snprintf(msg, sizeof msg,
                 "the target answered no request in %d s (%d connections, run %d): hung?",
                 p->duration_s, level, r->rep);
        bj_set_status(r->sobj, "error", msg);
        bench__progress_done(c, "%s %s: NO ANSWER: %s", r->t->name, r->s->name, msg);
        bench__note_exit(c, 3);
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
        bench__progress_done(c, "%s %s: INTEGRITY FAILED: %s", r->t->name, r->s->name, why);
        bench__note_exit(c, 1);
    }
}

/* One repetition of scenario si on target ts (started and seeded as t): checks, primer and
 * warmup, each level, the open-loop sweep on the last repetition, integrity, checks after. */
void bench__scenario_rep(ctx_t *c, tstate_t *ts, const tgt_t *t, size_t si, int rep) {
    const bench_profile_t *p = &c->o->profile;
    rep_t r = {.ts = ts, .t = t, .s = &c->scns[si], .sobj = ts->scn_objs[si], .rep = rep};
    const scn_t *s = r.s;
    const int *levels = s->nlevels ? s->levels : p->levels;
    size_t nlevels = s->nlevels ? s->nlevels : p->nlevels;
    double done_before = c->done_s;
    err_t err;
    bench__progress(c, "%s %s: checking %zu request kind(s), run %d/%d", t->name, s->name, s->nreqs,
                    rep, p->repeat);
    if (!rep_checks_before(c, &r, si, done_before)) return;
    long long before = 0;
    if (s->integrity && (before = count_comments(t, &err)) < 0) {
        bj_set_status(r.sobj, "error", err.msg);
        bench__note_exit(c, 3);
        return;
    }
    buf_init(&r.cmd, 8192);
    int rc = rep_warm(c, &r);
    for (size_t li = 0; rc == 0 && li < nlevels && !bench_open_only(&c->o->open); li++)
        rc = rep_level(c, &r, levels[li]);
    buf_free(&r.cmd);
    if (rc < 0) return;
    if (rep == p->repeat && !c->makeup && bench_open_wants(&c->o->open, s->name) &&
        open_sweep(c, t, s, ts->tobj, r.sobj, &r.acked, &r.inflight) < 0)
        return;
    if (s->integrity) rep_integrity(c, &r, si, before);
    bool after_ok = validate(c, t, s, r.sobj, rep, BENCH_VALIDATE_AFTER);
    c->done_s = done_before + bench__scenario_seconds(c, s);
    if (after_ok && !strcmp(bj_status(r.sobj), "pending")) bj_set_status(r.sobj, "ok", NULL);
    bench__resummarise(c);
    bench__progress_done(c, "%s %s (run %d/%d): %s", t->name, s->name, rep, p->repeat,
                         bj_level_headline(cJSON_GetObjectItemCaseSensitive(r.sobj, "levels")));
}

/* The client's ceiling for this repetition: each scenario and level, wrk with the same script
 * (t's pools) against the trivial responder on the targets' CPUs. A failure is reported and the
 * figures are simply not flagged against a ceiling. */
void bench__ceiling_round(ctx_t *c, const tgt_t *seeded, int rep) {
    const bench_profile_t *p = &c->o->profile;
    c->ceiling_done = true;
    if (p->ceiling_s <= 0) return;
    responder_t rs;
    err_t err;
    if (responder_start(&rs, c->pinned ? &c->target_cpus : NULL, &err) < 0) {
        bench__progress_done(c, "client ceiling not measured: %s", err.msg);
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
            bench__progress(c, "client ceiling %s: %d connections, run %d/%d", s->name, levels[li],
                            rep, p->repeat);
            wrk_result_t r;
            double util;
            buf_reset(&cmd);
            if (one_wrk(c, &t, s, levels[li], p->ceiling_s, nonce, &r, &util, &cmd, NULL, &err) <
                0) {
                bench__progress_done(c, "client ceiling %s: %s", s->name, err.msg);
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
