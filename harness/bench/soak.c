/* soak: `parity bench --profile soak`, a long run that looks for leaks rather than speed.
 *
 * A benchmark of a few seconds cannot see a target that grows 1 MiB a minute, leaks a file
 * descriptor per error, or starts failing after 100k requests. The soak profile starts each target
 * once, seeds it (specs/bench/seed.json), warms it up, then drives ONE scenario (default `mixed`)
 * in consecutive windows without restarting it: after every window it records the window's
 * throughput and errors (wrk) and the target's resident memory (RSS and PSS of the whole process
 * group), its open file descriptors and its process count (/proc). Growth is judged from the first
 * window (after a warm-up of at most one window) to the last. The profile's numbers: `connections`
 * per window, `duration` = window length, `repeat` = number of windows (default 64 connections, 60
 * windows of 10 s: 10 minutes per target; windows are short because wrk's done() writes the whole
 * latency histogram, and a 30 s window's took over wrk_run's grace on a loaded machine);
 * --connections/--duration/--repeat override them, so a test can run a 3-window soak in seconds.
 *
 * Output in the run directory: soak.json (every window of every target, and a summary), a chart
 * charts/soak-<target>.svg (RSS and descriptors over time above, throughput and errors below;
 * gnuplot) and the targets' logs in logs/<target>.soak.log. Exit: 0 no error in any window, 1 a
 * window had errors (a failed check), 2 usage, 3 a target did not start, was not seeded, crashed
 * or ended badly (target_stop_check). Not run in CI: it is meant to take minutes.
 *
 * Ownership: everything is local to bench_soak(); nothing outlives the call. */
#include "bench.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "core/proc.h"
#include "procstat.h"
#include "scenario.h"
#include "seed.h"
#include "target/target.h"
#include "wrk.h"

#define SOAK_MAX_WINDOWS      2000 /* windows per target */
#define SOAK_PATH_MAX         4096
#define SOAK_SEED_PARALLEL    4
#define SOAK_GNUPLOT_MS       60000
#define SOAK_DEFAULT_SCENARIO "mixed"

typedef struct soak_window {
    double t_s; /* seconds since the first window started, at its end */
    double rps;
    long long requests, errors;
    unsigned long long rss_kb, pss_kb;
    long fds;
    int nproc;
} soak_window_t;

typedef struct soak_ctx {
    const bench_opts_t *o;
    cpu_set_t wrk_cpus, target_cpus;
    int nwrk_cpus, workers;
    bool pinned;
    suite_t *seed;
    scn_t scn;
    int exit_code;
} soak_ctx_t;

static void soak_note(soak_ctx_t *c, int code) {
    if (code == 3 || (code == 1 && c->exit_code == 0)) c->exit_code = code;
}

/* Open descriptors of every process of group pgid (threads share their process's table). */
static long soak_count_fds(pid_t pgid) {
    DIR *d = opendir("/proc");
    if (!d) return -1;
    long total = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        char *end;
        long pid = strtol(e->d_name, &end, 10);
        if (*end || pid <= 0) continue;
        char path[64], line[PROC_STAT_LINE_MAX];
        snprintf(path, sizeof path, "/proc/%ld/stat", pid);
        FILE *f = fopen(path, "r");
        if (!f) continue;
        bool got = fgets(line, sizeof line, f) != NULL;
        fclose(f);
        pid_t pgrp;
        uint64_t ut, st;
        int64_t rss;
        if (!got || proc_parse_stat(line, &pgrp, &ut, &st, &rss) < 0 || pgrp != pgid) continue;
        snprintf(path, sizeof path, "/proc/%ld/fd", pid);
        DIR *fd = opendir(path);
        if (!fd) continue;
        while (readdir(fd)) total++;
        closedir(fd);
        total -= 2; /* . and .. */
    }
    closedir(d);
    return total;
}

/* One wrk run of the scenario; the result in *r (wrk_result_free it). */
static int soak_wrk(soak_ctx_t *c, const char *name, const char *url, const scn_pool_t *pools,
                    size_t npools, int secs, const char *nonce, wrk_result_t *r, err_t *err) {
    char base[SOAK_PATH_MAX], lua[SOAK_PATH_MAX + 8], json[SOAK_PATH_MAX + 8];
    snprintf(base, sizeof base, "%s/wrk/%s-soak-%s", c->o->out_dir, name, nonce);
    snprintf(lua, sizeof lua, "%s.lua", base);
    snprintf(json, sizeof json, "%s.json", base);
    buf_t script;
    buf_init(&script, 0);
    scn_lua_opts_t lo = {.out_json = json, .nonce = nonce};
    int rc = scn_lua(&c->scn, pools, npools, &lo, &script, err);
    FILE *f = rc == 0 ? fopen(lua, "w") : NULL;
    if (rc == 0 && (!f || fwrite(script.ptr, 1, script.len, f) != script.len))
        rc = err_set(err, "%s: cannot write", lua);
    if (f && fclose(f) != 0 && rc == 0) rc = err_set(err, "%s: cannot write", lua);
    buf_free(&script);
    if (rc < 0) return -1;
    wrk_opts_t wo = {.url = url,
                     .script = lua,
                     .json_out = json,
                     .connections = c->o->profile.levels[0],
                     .duration_s = secs,
                     .cpus = c->pinned ? &c->wrk_cpus : NULL,
                     .ncpus = c->nwrk_cpus};
    wo.threads = wo.connections < c->nwrk_cpus ? wo.connections : c->nwrk_cpus;
    double util;
    memset(r, 0, sizeof *r);
    return wrk_run(&wo, r, &util, err);
}

/* The chart: memory and descriptors over time, throughput and errors over time. */
static void soak_chart(soak_ctx_t *c, const char *name, const soak_window_t *w, size_t n) {
    char dat[SOAK_PATH_MAX + 32], gp[SOAK_PATH_MAX + 32], svg[SOAK_PATH_MAX + 32];
    snprintf(dat, sizeof dat, "%s/charts/soak-%s.dat", c->o->out_dir, name);
    snprintf(gp, sizeof gp, "%s/charts/soak-%s.svg.gp", c->o->out_dir, name);
    snprintf(svg, sizeof svg, "%s/charts/soak-%s.svg", c->o->out_dir, name);
    FILE *f = fopen(dat, "w");
    if (!f) return;
    fprintf(f, "# minutes rss_mib pss_mib fds rps errors\n");
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%.3f %.2f %.2f %ld %.1f %lld\n", w[i].t_s / 60.0, w[i].rss_kb / 1024.0,
                w[i].pss_kb / 1024.0, w[i].fds, w[i].rps, w[i].errors);
    fclose(f);
    f = fopen(gp, "w");
    if (!f) return;
    fprintf(f,
            "set terminal svg size 900,640 dynamic font 'sans,11' background rgb 'white'\n"
            "set output '%s'\nset multiplot layout 2,1 title 'soak: %s, %s, %d connections'\n"
            "set grid\nset key top left\nset xlabel 'minutes'\n"
            "set ylabel 'MiB'\nset y2label 'open fds'\nset ytics nomirror\nset y2tics\n"
            "set yrange [0:*]\nset y2range [0:*]\n"
            "plot '%s' u 1:2 w lp lw 2 t 'RSS', '' u 1:3 w lp t 'PSS', '' u 1:4 axes x1y2 w lp t "
            "'open fds'\n"
            "set ylabel 'requests/s'\nset y2label 'errors'\n"
            "plot '%s' u 1:5 w lp lw 2 t 'requests/s', '' u 1:6 axes x1y2 w lp t 'errors'\n"
            "unset multiplot\n",
            svg, name, c->scn.name, c->o->profile.levels[0], dat, dat);
    fclose(f);
    char *argv[] = {"gnuplot", gp, NULL};
    buf_t out;
    buf_init(&out, 1u << 16);
    int st = 0;
    err_t err;
    if (proc_run(argv, NULL, SOAK_GNUPLOT_MS, &out, &st, &err) < 0 || st != 0)
        fprintf(stderr, "soak: %s: the chart failed (gnuplot): %s\n", name, buf_cstr(&out));
    buf_free(&out);
}

static cJSON *soak_summary(cJSON *tobj, const soak_window_t *w, size_t n) {
    cJSON *s = cJSON_AddObjectToObject(tobj, "summary");
    long long req = 0, errs = 0;
    long fmax = 0;
    for (size_t i = 0; i < n; i++) {
        req += w[i].requests;
        errs += w[i].errors;
        if (w[i].fds > fmax) fmax = w[i].fds;
    }
    cJSON_AddNumberToObject(s, "windows", (double)n);
    cJSON_AddNumberToObject(s, "requests", (double)req);
    cJSON_AddNumberToObject(s, "errors", (double)errs);
    if (n == 0) return s;
    double growth =
        w[0].rss_kb ? 100.0 * ((double)w[n - 1].rss_kb - (double)w[0].rss_kb) / (double)w[0].rss_kb
                    : 0;
    cJSON_AddNumberToObject(s, "rss_first_kb", (double)w[0].rss_kb);
    cJSON_AddNumberToObject(s, "rss_last_kb", (double)w[n - 1].rss_kb);
    cJSON_AddNumberToObject(s, "rss_growth_pct", growth);
    cJSON_AddNumberToObject(s, "fds_first", (double)w[0].fds);
    cJSON_AddNumberToObject(s, "fds_last", (double)w[n - 1].fds);
    cJSON_AddNumberToObject(s, "fds_max", (double)fmax);
    fprintf(
        stderr,
        "soak: %s: %zu windows, %lld requests, %lld errors; RSS %.1f -> %.1f MiB (%+.1f%% after "
        "warm-up), open fds %ld -> %ld (max %ld)\n",
        cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(tobj, "name")), n, req, errs,
        w[0].rss_kb / 1024.0, w[n - 1].rss_kb / 1024.0, growth, w[0].fds, w[n - 1].fds, fmax);
    return s;
}

/* The windows of one started, seeded target; fills w, returns how many ran. */
static size_t soak_windows(soak_ctx_t *c, const char *name, target_proc_t *p,
                           const scn_pool_t *pools, size_t npools, soak_window_t *w, cJSON *tobj) {
    const bench_profile_t *pr = &c->o->profile;
    size_t nw = pr->repeat > SOAK_MAX_WINDOWS ? SOAK_MAX_WINDOWS : (size_t)pr->repeat, i;
    cJSON *arr = cJSON_AddArrayToObject(tobj, "windows");
    long long t0 = 0;
    for (i = 0; i < nw; i++) {
        char nonce[32];
        snprintf(nonce, sizeof nonce, "w%zu", i + 1);
        fprintf(stderr, "soak: %s %s: window %zu/%zu, %d s\n", name, c->scn.name, i + 1, nw,
                pr->duration_s);
        wrk_result_t r;
        err_t err;
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        long long now = ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
        if (i == 0) t0 = now;
        int rc = soak_wrk(c, name, p->url, pools, npools, pr->duration_s, nonce, &r, &err);
        int ws;
        if (target_poll(p, &ws)) {
            char how[160];
            target_describe_exit(ws, how, sizeof how);
            char msg[256];
            snprintf(msg, sizeof msg, "the target %s during window %zu", how, i + 1);
            cJSON_AddStringToObject(tobj, "status", "crashed");
            cJSON_AddStringToObject(tobj, "message", msg);
            fprintf(stderr, "soak: %s: %s\n", name, msg);
            soak_note(c, 3);
            if (rc == 0) wrk_result_free(&r);
            break;
        }
        if (rc < 0) {
            cJSON_AddStringToObject(tobj, "status", "error");
            cJSON_AddStringToObject(tobj, "message", err.msg);
            fprintf(stderr, "soak: %s: window %zu: %s\n", name, i + 1, err.msg);
            soak_note(c, 3);
            break;
        }
        clock_gettime(CLOCK_MONOTONIC, &ts);
        proc_sample_t ps = {0};
        proc_sample(p->pgid, &ps);
        soak_window_t *x = &w[i];
        x->t_s = (double)(ts.tv_sec * 1000LL + ts.tv_nsec / 1000000 - t0) / 1000.0;
        x->requests = r.requests;
        x->rps = r.duration_s > 0 ? (double)r.requests / r.duration_s : 0;
        x->errors = r.err_connect + r.err_read + r.err_write + r.err_timeout + r.err_status;
        x->rss_kb = ps.rss_kb;
        x->pss_kb = ps.pss_kb;
        x->nproc = ps.nproc;
        x->fds = soak_count_fds(p->pgid);
        wrk_result_free(&r);
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "t_s", x->t_s);
        cJSON_AddNumberToObject(o, "rps", x->rps);
        cJSON_AddNumberToObject(o, "requests", (double)x->requests);
        cJSON_AddNumberToObject(o, "errors", (double)x->errors);
        cJSON_AddNumberToObject(o, "rss_kb", (double)x->rss_kb);
        cJSON_AddNumberToObject(o, "pss_kb", (double)x->pss_kb);
        cJSON_AddNumberToObject(o, "fds", (double)x->fds);
        cJSON_AddNumberToObject(o, "processes", x->nproc);
        cJSON_AddItemToArray(arr, o);
        fprintf(stderr, "soak: %s: %.0f req/s, %lld errors, RSS %.1f MiB, %ld fds, %d processes\n",
                name, x->rps, x->errors, x->rss_kb / 1024.0, x->fds, x->nproc);
        if (x->errors > 0) soak_note(c, 1);
    }
    return i;
}

/* The warm-up: the profile's, but never longer than one window (a shortened soak stays short). */
static int soak_warmup_s(const soak_ctx_t *c) {
    const bench_profile_t *p = &c->o->profile;
    return p->warmup_s < p->duration_s ? p->warmup_s : p->duration_s;
}

static void soak_target(soak_ctx_t *c, const target_manifest_t *m, cJSON *targets) {
    cJSON *tobj = cJSON_CreateObject();
    cJSON_AddItemToArray(targets, tobj);
    cJSON_AddStringToObject(tobj, "name", m->name);
    char version[256], log[SOAK_PATH_MAX + 64];
    target_version(m, version, sizeof version);
    cJSON_AddStringToObject(tobj, "version", version);
    snprintf(log, sizeof log, "%s/logs/%s.soak.log", c->o->out_dir, m->name);
    target_opts_t to = {
        .workers = c->workers, .cpus = c->pinned ? &c->target_cpus : NULL, .log_path = log};
    target_proc_t p;
    memset(&p, 0, sizeof p);
    err_t err;
    fprintf(stderr, "soak: %s: starting, seeding\n", m->name);
    if (target_start(m, &to, &p, &err) < 0) {
        cJSON_AddStringToObject(tobj, "status", "error");
        cJSON_AddStringToObject(tobj, "message", err.msg);
        fprintf(stderr, "soak: %s: did not start: %s\n", m->name, err.msg);
        soak_note(c, 3);
        return;
    }
    vars_t *vars = vars_new();
    vars_set_string(vars, "uid", c->o->run_id);
    vars_set_string(vars, "target", m->name);
    vars_set_string(vars, "run", c->o->run_id);
    scn_pool_t *pools = NULL;
    size_t npools = 0;
    seed_stats_t st = {0, 0};
    soak_window_t *w = calloc(SOAK_MAX_WINDOWS, sizeof *w);
    wrk_result_t r;
    char plan[SOAK_PATH_MAX + 64];
    snprintf(plan, sizeof plan, "%s/specs/bench/%s", c->o->root, c->scn.seed ? c->scn.seed : "");
    if (!w || seed_run(c->seed, p.url, SOAK_SEED_PARALLEL, vars, &st, &err) < 0 ||
        (c->scn.seed && seed_run_file(plan, p.url, SOAK_SEED_PARALLEL, &vars, &st, &err) < 0) ||
        seed_pools(vars, &pools, &npools) < 0) {
        cJSON_AddStringToObject(tobj, "status", "error");
        cJSON_AddStringToObject(tobj, "message", w ? err.msg : "out of memory");
        fprintf(stderr, "soak: %s: seeding failed: %s\n", m->name, w ? err.msg : "out of memory");
        soak_note(c, 3);
    } else if (soak_wrk(c, m->name, p.url, pools, npools, soak_warmup_s(c), "warmup", &r, &err) <
               0) {
        cJSON_AddStringToObject(tobj, "status", "error");
        cJSON_AddStringToObject(tobj, "message", err.msg);
        fprintf(stderr, "soak: %s: warm-up failed: %s\n", m->name, err.msg);
        soak_note(c, 3);
    } else {
        wrk_result_free(&r);
        size_t n = soak_windows(c, m->name, &p, pools, npools, w, tobj);
        soak_summary(tobj, w, n);
        if (n) soak_chart(c, m->name, w, n);
    }
    if (target_stop(&p, &err) < 0) fprintf(stderr, "soak: %s: %s\n", m->name, err.msg);
    if (!cJSON_GetObjectItemCaseSensitive(tobj, "status")) {
        if (target_stop_check(&p, &err) < 0) {
            cJSON_AddStringToObject(tobj, "status", "error");
            cJSON_AddStringToObject(tobj, "message", err.msg);
            fprintf(stderr, "soak: %s: %s\n", m->name, err.msg);
            soak_note(c, 3);
        } else {
            cJSON_AddStringToObject(tobj, "status", "ok");
        }
    }
    seed_pools_free(pools, npools);
    vars_free(vars);
    free(w);
}

/* mkdir -p */
static int soak_mkdirs(const char *path, err_t *err) {
    char p[SOAK_PATH_MAX];
    if (snprintf(p, sizeof p, "%s", path) >= (int)sizeof p)
        return err_set(err, "%s: path too long", path);
    for (char *s = p + 1;; s++) {
        if (*s != '/' && *s) continue;
        char c = *s;
        *s = '\0';
        if (mkdir(p, 0755) != 0 && errno != EEXIST)
            return err_set(err, "%s: %s", p, strerror(errno));
        *s = c;
        if (!c) return 0;
    }
}

/* Writes doc as DIR/soak.json through a temp file and a rename: never a half-written file. */
static int soak_write(const char *dir, cJSON *doc) {
    char path[SOAK_PATH_MAX + 16], tmp[SOAK_PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/soak.json", dir);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    char *text = cJSON_Print(doc);
    FILE *f = text ? fopen(tmp, "w") : NULL;
    int ok = f && fputs(text, f) >= 0 && fputc('\n', f) != EOF;
    if (f && fclose(f) != 0) ok = 0;
    free(text);
    if (!ok || rename(tmp, path) != 0) {
        perror(path);
        unlink(tmp);
        return -1;
    }
    fprintf(stderr, "soak: results in %s\n", path);
    return 0;
}

static int soak_setup(soak_ctx_t *c, spec_set_t *seedset, err_t *err) {
    const bench_opts_t *o = c->o;
    if (o->nurls) return err_set(err, "--profile soak starts its targets itself (no --url)");
    if (o->nscenarios > 1)
        return err_set(err, "--profile soak drives one scenario (one --scenario)");
    if (o->profile.repeat < 1 || o->profile.duration_s < 1)
        return err_set(err, "--profile soak needs --repeat >= 1 windows of --duration >= 1 s");
    char path[SOAK_PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/specs/bench/seed.json", o->root);
    spec_set_init(seedset);
    if (spec_load_file(seedset, path) < 0 || seedset->n == 0)
        return err_set(err, "%s", seedset->nerrors ? buf_cstr(&seedset->errors) : path);
    c->seed = seedset->suites[0];
    snprintf(path, sizeof path, "%s/specs/bench/scenarios/%s.json", o->root,
             o->nscenarios ? o->scenarios[0] : SOAK_DEFAULT_SCENARIO);
    if (scn_load(path, &c->scn, err) < 0) return -1;
    c->pinned =
        bench_pin_plan(o->pin_auto, &c->wrk_cpus, &c->target_cpus, &c->nwrk_cpus, &c->workers);
    return 0;
}

int bench_soak(const bench_opts_t *o) {
    soak_ctx_t c = {.o = o};
    spec_set_t seedset;
    memset(&seedset, 0, sizeof seedset);
    err_t err;
    target_manifest_t *ms = NULL;
    size_t nms = 0;
    char dir[SOAK_PATH_MAX + 16];
    snprintf(dir, sizeof dir, "%s/targets", o->root);
    if (soak_setup(&c, &seedset, &err) < 0 || target_manifest_scan(dir, &ms, &nms, &err) < 0) {
        fprintf(stderr, "parity bench --profile soak: %s\n", err.msg);
        spec_set_free(&seedset);
        return 2;
    }
    for (size_t k = 0; k < o->ntargets; k++) {
        bool found = false;
        for (size_t i = 0; i < nms; i++) found |= !strcmp(ms[i].name, o->targets[k]);
        if (!found) {
            fprintf(stderr, "parity bench --profile soak: unknown target \"%s\"\n", o->targets[k]);
            target_manifest_free_all(ms, nms);
            spec_set_free(&seedset);
            scn_free(&c.scn);
            return 2;
        }
    }
    for (const char *sub = "logs"; sub; sub = strcmp(sub, "logs") == 0  ? "wrk"
                                              : strcmp(sub, "wrk") == 0 ? "charts"
                                                                        : NULL) {
        char p[SOAK_PATH_MAX + 16];
        snprintf(p, sizeof p, "%s/%s", o->out_dir, sub);
        if (soak_mkdirs(p, &err) < 0) {
            fprintf(stderr, "parity bench --profile soak: %s\n", err.msg);
            c.exit_code = 3;
            goto out;
        }
    }
    target_signals_install();
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "kind", "parity-soak");
    cJSON_AddStringToObject(doc, "run_id", o->run_id ? o->run_id : "");
    cJSON_AddStringToObject(doc, "scenario", c.scn.name);
    cJSON *set = cJSON_AddObjectToObject(doc, "settings");
    cJSON_AddNumberToObject(set, "connections", o->profile.levels[0]);
    cJSON_AddNumberToObject(set, "window_s", o->profile.duration_s);
    cJSON_AddNumberToObject(set, "windows", o->profile.repeat);
    cJSON_AddNumberToObject(set, "warmup_s", soak_warmup_s(&c));
    cJSON_AddBoolToObject(set, "pinned", c.pinned);
    cJSON_AddItemToObject(doc, "environment", bench_environment(o->root));
    cJSON *targets = cJSON_AddArrayToObject(doc, "targets");
    for (size_t i = 0; i < nms; i++) {
        bool want = o->ntargets == 0;
        for (size_t k = 0; k < o->ntargets; k++) want |= !strcmp(ms[i].name, o->targets[k]);
        if (!want) continue;
        soak_target(&c, &ms[i], targets);
        if (soak_write(o->out_dir, doc) < 0) soak_note(&c, 3);
    }
    cJSON_Delete(doc);
out:
    target_manifest_free_all(ms, nms);
    spec_set_free(&seedset);
    scn_free(&c.scn);
    return c.exit_code;
}
