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
 * client's ceiling. Then the make-ups (bench_host.c): a repetition the host probe judges slow
 * against the whole run's best sample is measured again in a fresh process. Summaries (median,
 * min-max, CV) are rewritten after every scenario, so a crash leaves every finished figure in
 * bench.json. One repetition of one scenario is bench_rep.c's (bench_int.h). */
#include "bench_int.h"

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

#define BENCH_STARTUP_ESTIMATE_S 8 /* start + seed, for the ETA only */

void bench__note_exit(ctx_t *c, int code) {
    if (code == 3 || (code == 1 && c->exit_code == 0)) c->exit_code = code;
}

void bench__progress(ctx_t *c, const char *fmt, ...) {
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

void bench__progress_done(ctx_t *c, const char *fmt, ...) {
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    fprintf(stderr, "%sbench: %s\n", c->tty ? "\r\033[K" : "", line);
}

/* bench.json is rewritten after every scenario, atomically, so that a crash or Ctrl-C still
 * leaves every finished figure on disk. */
void bench__resummarise(ctx_t *c) {
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
    bench__resummarise(c);
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
        bench__note_exit(c, 3);
    }
    buf_free(&b);
    free(text);
}

/* One repetition of one scenario on one target. */
double bench__scenario_seconds(const ctx_t *c, const scn_t *s) {
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

int bench__max_level(const ctx_t *c, const scn_t *s) {
    const int *lv = s->nlevels ? s->levels : c->o->profile.levels;
    size_t n = s->nlevels ? s->nlevels : c->o->profile.nlevels;
    int m = 1;
    for (size_t i = 0; i < n; i++)
        if (lv[i] > m) m = lv[i];
    return m;
}

/* Records one started process of a target (every repetition has its own, and so has every
 * make-up: bench_host.c). */
static void note_process(cJSON *tobj, int rep, bool makeup, double start_s,
                         const seed_stats_t *st) {
    cJSON *arr = cJSON_GetObjectItemCaseSensitive(tobj, "processes");
    if (!arr) arr = cJSON_AddArrayToObject(tobj, "processes");
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "repeat", rep);
    if (makeup) cJSON_AddBoolToObject(o, "makeup", true);
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
            done |= !ts->skip_scn[j] && c->scns[j].seed && !strcmp(c->scns[j].seed, file);
        if (!file || done || ts->skip_scn[i]) continue;
        char path[BENCH_PATH_MAX];
        snprintf(path, sizeof path, "%s/specs/bench/%s", c->o->root, file);
        bench__progress(c, "%s: seeding %s", ts->name, file);
        err_t err;
        if (seed_run_file(path, t->url, BENCH_SEED_PARALLEL, vars, st, &err) == 0) continue;
        bench__progress_done(c, "%s: seed plan %s failed: %s", ts->name, file, err.msg);
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
    bench__progress(c, "%s: seeding through its API", ts->name);
    int rc = 0;
    if (seed_run(c->seed, t->url, BENCH_SEED_PARALLEL, vars, st, &err) < 0 ||
        seed_plans(c, ts, t, &vars, st) < 0 || seed_pools(vars, &t->pools, &t->npools) < 0) {
        if (!bench__target_crashed(t, ts->tobj)) bj_set_status(ts->tobj, "error", err.msg);
        bench__progress_done(c, "%s: seeding failed: %s", ts->name, err.msg);
        bench__note_exit(c, 3);
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

void bench__target_rep(ctx_t *c, tstate_t *ts, int rep, const int *makeup) {
    target_proc_t proc;
    memset(&proc, 0, sizeof proc);
    tgt_t t = {.name = ts->name};
    err_t err;
    char log[BENCH_PATH_MAX];
    /* not <name>.log: in a `parity run` directory that is the conformance run's log */
    snprintf(log, sizeof log, "%s/logs/%s.bench.log", c->o->out_dir, ts->name);
    if (makeup)
        bench__progress(c, "%s: starting (make-up of slow repetitions)", ts->name);
    else
        bench__progress(c, "%s: starting (run %d/%d)", ts->name, rep, c->o->profile.repeat);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (ts->m) {
        target_opts_t to = {
            .workers = c->workers, .cpus = c->pinned ? &c->target_cpus : NULL, .log_path = log};
        if (target_start(ts->m, &to, &proc, &err) < 0) {
            bj_set_status(ts->tobj, "error", err.msg);
            bench__progress_done(c, "%s: did not start: %s", ts->name, err.msg);
            bench__note_exit(c, 3);
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
        note_process(ts->tobj, rep, makeup != NULL,
                     (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9, &st);
        if (makeup)
            bench__progress_done(c, "%s: make-up %d: started, seeded (%ld requests in %.1f s)",
                                 ts->name, rep, st.steps, st.duration_s);
        else
            bench__progress_done(c, "%s: run %d/%d: started, seeded (%ld requests in %.1f s)",
                                 ts->name, rep, c->o->profile.repeat, st.steps, st.duration_s);
        c->done_s += BENCH_STARTUP_ESTIMATE_S;
        if (!c->ceiling_done) bench__ceiling_round(c, &t, rep);
        for (size_t i = 0; i < c->nscns && !ts->dead; i++) {
            if (ts->skip_scn[i] || (makeup && !makeup[i])) continue;
            if (makeup)
                bench__host_makeup_rep(c, ts, &t, i, makeup[i]);
            else
                bench__scenario_rep(c, ts, &t, i, rep);
            write_doc(c);
            if (!strcmp(bj_status(ts->tobj), "crashed")) ts->dead = true;
        }
    }
    if (ts->m) seed_pools_free(t.pools, t.npools);
    if (t.proc && target_stop(t.proc, &err) < 0)
        bench__progress_done(c, "%s: %s", ts->name, err.msg);
    if (t.proc && strcmp(bj_status(ts->tobj), "error") && strcmp(bj_status(ts->tobj), "crashed") &&
        target_stop_check(t.proc, &err) < 0) {
        bj_set_status(ts->tobj, "error", err.msg);
        bench__progress_done(c, "%s: %s", ts->name, err.msg);
        bench__note_exit(c, 3);
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
        cJSON *sarr = cJSON_AddArrayToObject(ts->tobj, "scenarios"), *left = NULL;
        for (size_t k = 0; k < c->nscns; k++) {
            /* target.json "scenarios" narrows the default set; a scenario and a target both
             * named on the command line are measured whatever the list says */
            if (ts->m && !(o->ntargets && o->nscenarios) &&
                !target_manifest_benches(ts->m, c->scns[k].name)) {
                ts->skip_scn[k] = true;
                if (!left) left = cJSON_AddArrayToObject(ts->tobj, "not_measured");
                cJSON_AddItemToArray(left, cJSON_CreateString(c->scns[k].name));
                continue;
            }
            ts->scn_objs[k] = bj_scenario_new(sarr, &c->scns[k]);
        }
    }
    return 0;
}

/* Every repetition, every target in turn (ABAB). */
static void run_all(ctx_t *c) {
    const bench_profile_t *p = &c->o->profile;
    double per = BENCH_STARTUP_ESTIMATE_S * (double)c->nts, ceil = 0;
    for (size_t i = 0; i < c->nscns; i++) {
        for (size_t t = 0; t < c->nts; t++)
            if (!c->ts[t].skip_scn[i]) per += bench__scenario_seconds(c, &c->scns[i]);
        ceil += ceiling_seconds(c, &c->scns[i]);
    }
    c->planned_s = (per + ceil) * p->repeat;
    bench__host_begin(c);
    for (size_t i = 0; i < c->nts; i++) /* cold starts, before any load: see bench_tradeoffs.h */
        if (c->ts[i].m)
            bench_tradeoffs_target(c->doc, c->ts[i].m, c->o, c->workers,
                                   c->pinned ? &c->target_cpus : NULL);
    for (int rep = 1; rep <= p->repeat; rep++) {
        c->ceiling_done = false;
        for (size_t i = 0; i < c->nts; i++) {
            if (c->ts[i].dead) continue;
            bench__target_rep(c, &c->ts[i], rep, NULL);
        }
    }
    c->ceiling_done = true;
    bench__host_makeups(c);
    for (size_t i = 0; i < c->nts; i++) {
        tstate_t *ts = &c->ts[i];
        for (size_t k = 0; k < c->nscns; k++)
            if (ts->scn_objs[k] && !strcmp(bj_status(ts->scn_objs[k]), "pending") && ts->dead)
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
            bench__host_finish(&c);
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
