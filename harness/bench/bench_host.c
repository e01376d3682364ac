/* bench_host: the host probe around measured runs (hostprobe.h says why a benchmark on a shared
 * machine needs one). Before each measured run of a target parity started, the probe samples the
 * target's CPU; while the sample says "slow window" parity waits (polling once a second, at most
 * the profile's host_wait_s). After the run it samples again: a run that began in a normal state
 * and ended in a slow window is measured once more (BENCH_HOST_RETRIES), the first measurement
 * kept in bench.json under the level's "host_rerun"; never a run with errors or no answer, whose
 * verdict must stand. Waits and re-runs stop once they have cost
 * BENCH_HOST_BUDGET_SHARE of the planned time; from then on runs are flagged, not retried.
 *
 * Every measured run records its samples ("host": before_us, after_us, waited_s); at the end
 * each is judged against the fastest sample of the whole benchmark ("slow": true when either
 * sample was over HOSTPROBE_SLOW_RATIO times it), and bench.json's "host_probe" says what the
 * probe did. The report counts the slow runs behind each figure. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "bench_int.h"
#include "bench_json.h"
#include "core/clock.h"

#define BENCH_HOST_CALIBRATION 5 /* samples at the start, BENCH_HOST_POLL_MS / 5 apart */

static void host_off(ctx_t *c, const err_t *err) {
    fprintf(stderr, "parity bench: %s; the host is not probed in this run\n", err->msg);
    hostprobe_free(&c->probe);
    c->probing = false;
}

void bench__host_begin(ctx_t *c) {
    c->probing = false;
    if (c->o->profile.host_wait_s <= 0 || c->o->nclients) return;
    int cpu = -1;
    if (c->pinned)
        for (int i = 0; i < CPU_SETSIZE && cpu < 0; i++)
            if (CPU_ISSET(i, &c->target_cpus)) cpu = i;
    err_t err;
    if (hostprobe_init(&c->probe, cpu, &err) < 0) {
        host_off(c, &err);
        return;
    }
    c->probing = true;
    for (int i = 0; i < BENCH_HOST_CALIBRATION && c->probing; i++) {
        if (hostprobe_sample(&c->probe, &err) < 0) host_off(c, &err);
        clock_sleep_ms(BENCH_HOST_POLL_MS / 5);
    }
}

/* Waits and re-runs have their share of the planned time, make-ups (their waits included)
 * theirs: on a host slow for long stretches the waits run out first, and the make-ups at the end
 * are the better use of what is left. */
static bool budget_left(const ctx_t *c) {
    if (c->makeup)
        return c->makeup_spent_s + (clock_mono_s() - c->makeup_t0) <
               c->planned_s * BENCH_HOST_MAKEUP_SHARE;
    return c->host_spent_s < c->planned_s * BENCH_HOST_BUDGET_SHARE;
}

void bench__host_before(ctx_t *c, const tgt_t *t, const char *what, bench_host_t *h) {
    memset(h, 0, sizeof *h);
    if (!c->probing || !t->proc) return;
    err_t err;
    double t0 = clock_mono_s();
    double us = hostprobe_sample(&c->probe, &err);
    while (us > 0 && hostprobe_slow(&c->probe, us) && budget_left(c) &&
           clock_mono_s() - t0 < c->o->profile.host_wait_s) {
        bench__progress(c,
                        "%s: host in a slow window (memory probe %.0f us, best %.0f us): waiting",
                        what, us, c->probe.best_us);
        clock_sleep_ms(BENCH_HOST_POLL_MS);
        c->host_spent_s += BENCH_HOST_POLL_MS / 1000.0;
        us = hostprobe_sample(&c->probe, &err);
    }
    if (us < 0) {
        host_off(c, &err);
        return;
    }
    h->probed = true;
    h->before_us = us;
    h->waited_s = clock_mono_s() - t0;
}

/* The sampling thread: half a period in, then once a period, until told to stop. */
static void *during_main(void *arg) {
    bench_host_t *h = arg;
    long long next_ms = clock_mono_ms() + BENCH_HOST_DURING_MS / 2;
    pthread_mutex_lock(&h->mu);
    while (!h->stop) {
        struct timespec until = {next_ms / 1000, (next_ms % 1000) * 1000000};
        if (pthread_cond_timedwait(&h->cv, &h->mu, &until) != ETIMEDOUT) continue;
        pthread_mutex_unlock(&h->mu);
        err_t err;
        double us = hostprobe_measure(h->hp, &err);
        pthread_mutex_lock(&h->mu);
        if (us > 0 && h->nduring < BENCH_HOST_DURING_MAX) h->during[h->nduring++] = us;
        next_ms += BENCH_HOST_DURING_MS;
    }
    pthread_mutex_unlock(&h->mu);
    return NULL;
}

void bench__host_during_start(ctx_t *c, bench_host_t *h) {
    h->running = false;
    if (!h->probed || !c->probing || c->probe.nfake) return; /* fake samples: none during */
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_mutex_init(&h->mu, NULL);
    pthread_cond_init(&h->cv, &ca);
    pthread_condattr_destroy(&ca);
    h->hp = &c->probe;
    h->stop = false;
    h->nduring = 0;
    h->running = pthread_create(&h->th, NULL, during_main, h) == 0;
    if (!h->running) {
        pthread_cond_destroy(&h->cv);
        pthread_mutex_destroy(&h->mu);
    }
}

void bench__host_during_stop(ctx_t *c, bench_host_t *h) {
    if (!h->running) return;
    pthread_mutex_lock(&h->mu);
    h->stop = true;
    pthread_cond_signal(&h->cv);
    pthread_mutex_unlock(&h->mu);
    pthread_join(h->th, NULL);
    pthread_cond_destroy(&h->cv);
    pthread_mutex_destroy(&h->mu);
    h->running = false;
    for (int i = 0; i < h->nduring; i++) hostprobe_note(&c->probe, h->during[i]);
    h->during_us = h->nduring ? bench_spread(h->during, (size_t)h->nduring).median : 0;
}

bool bench__host_after(ctx_t *c, bench_host_t *h, int attempt, double run_s, bool clean) {
    if (!h->probed || !c->probing) return false;
    err_t err;
    double us = hostprobe_sample(&c->probe, &err);
    if (us < 0) {
        host_off(c, &err);
        return false;
    }
    h->after_us = us;
    /* Only a window that began during the run: one already there after the longest wait would
     * be there again. */
    hostprobe_verdict_t v = hostprobe_judge_run(c->probe.best_us, h->before_us, h->during_us, us);
    bool again = (v == HOSTPROBE_SLOW_BEGAN || v == HOSTPROBE_SLOW_DURING) &&
                 attempt < BENCH_HOST_RETRIES && budget_left(c) && clean;
    if (again) {
        c->host_spent_s += run_s;
        c->host_rerun++;
    }
    return again;
}

void bench__host_record(cJSON *run, const bench_host_t *h) {
    if (!run || !h->probed) return;
    cJSON *o = cJSON_AddObjectToObject(run, "host");
    cJSON_AddNumberToObject(o, "before_us", h->before_us);
    cJSON_AddNumberToObject(o, "after_us", h->after_us);
    if (h->nduring)
        cJSON_AddNumberToObject(o, "during_us", h->during_us);
    else
        cJSON_AddNullToObject(o, "during_us");
    cJSON_AddNumberToObject(o, "during_samples", h->nduring);
    cJSON_AddNumberToObject(o, "waited_s", h->waited_s);
}

void bench__host_rerun_note(cJSON *level, int rep, const wrk_result_t *w, const bench_host_t *h) {
    cJSON *arr = cJSON_GetObjectItemCaseSensitive(level, "host_rerun");
    if (!arr) arr = cJSON_AddArrayToObject(level, "host_rerun");
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "run", rep);
    cJSON_AddNumberToObject(o, "requests", (double)w->requests);
    cJSON_AddNumberToObject(o, "duration_s", w->duration_s);
    bench__host_record(o, h);
    cJSON_AddItemToArray(arr, o);
}

/* Make-ups. The probe judges a sample against the best one seen so far, so a benchmark that
 * begins in a slow window takes the window for the host's normal speed: nothing is waited for
 * until a faster sample shows what normal is, and the runs before it are found slow only at the
 * end. Measured on 2026-12-07 (quill, six repetitions, a window at the start): the first two
 * repetitions of html-home and mixed at 55-69 us of CPU per request, the four after it at 37-41.
 * A window longer than the wait, or one beginning again during a run measured again, leaves
 * slow runs too. Once every repetition has run, the whole benchmark's best sample is known:
 * each scenario repetition with a run judged slow against it is measured once more, in a fresh
 * process started and seeded like the others, and its runs take the slow ones' places (kept in
 * the level's "host_superseded"). A make-up is judged like any run: one that lands in a window
 * too stays flagged. Never a scenario whose verdict is a failure (it must stand), never beyond
 * the budget of waits and re-runs. */

/* A run's "host" samples against best_us. */
static hostprobe_verdict_t host_judge(const cJSON *h, double best_us) {
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(h, "during_us");
    return hostprobe_judge_run(
        best_us, cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(h, "before_us")),
        cJSON_IsNumber(d) ? d->valuedouble : 0,
        cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(h, "after_us")));
}

static bool run_slow(const cJSON *run, double best_us) {
    const cJSON *h = cJSON_GetObjectItemCaseSensitive(run, "host");
    if (!h) return false;
    return host_judge(h, best_us) != HOSTPROBE_FAST;
}

static int run_repeat(const cJSON *run) {
    return (int)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(run, "repeat"));
}

/* The first repetition of sobj with a slow run at some level and no make-up yet (bit rep-1 of
 * done), or 0. */
static int slow_rep(const cJSON *sobj, double best_us, unsigned done) {
    int first = 0;
    const cJSON *l, *r;
    cJSON_ArrayForEach(l, cJSON_GetObjectItemCaseSensitive(sobj, "levels")) {
        cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(l, "runs")) {
            int rep = run_repeat(r);
            if (rep < 1 || rep > BENCH_MAX_REPEAT || (done & (1u << (rep - 1))) ||
                !run_slow(r, best_us))
                continue;
            if (!first || rep < first) first = rep;
        }
    }
    return first;
}

void bench__host_makeups(ctx_t *c) {
    if (!c->probing) return;
    int reps[BENCH_MAX_SCENARIOS];
    for (int pass = 1; pass <= c->o->profile.repeat; pass++) {
        bool ran = false;
        for (size_t i = 0; i < c->nts; i++) {
            tstate_t *ts = &c->ts[i];
            if (ts->dead || !ts->m) continue;
            bool need = false;
            for (size_t k = 0; k < c->nscns; k++) {
                reps[k] = 0;
                if (ts->skip_scn[k] || !ts->scn_objs[k] || strcmp(bj_status(ts->scn_objs[k]), "ok"))
                    continue;
                reps[k] = slow_rep(ts->scn_objs[k], c->probe.best_us, ts->madeup[k]);
                need |= reps[k] != 0;
            }
            if (!need) continue;
            if (c->makeup_spent_s >= c->planned_s * BENCH_HOST_MAKEUP_SHARE) {
                bench__progress_done(c, "host probe: no make-up of the slow repetitions left: the "
                                        "make-ups have used their share of the time");
                return;
            }
            c->makeup_t0 = clock_mono_s();
            c->makeup = true;
            bench__target_rep(c, ts, pass, reps);
            c->makeup = false;
            c->makeup_spent_s += clock_mono_s() - c->makeup_t0; /* its waits included */
            ran = true;
        }
        if (!ran) return;
    }
}

void bench__host_makeup_rep(ctx_t *c, tstate_t *ts, const tgt_t *t, size_t si, int rep) {
    cJSON *sobj = ts->scn_objs[si], *levels = cJSON_GetObjectItemCaseSensitive(sobj, "levels");
    cJSON *old[BENCH_MAX_LEVELS], *l;
    int n = 0;
    ts->madeup[si] |= 1u << (rep - 1);
    c->host_makeups++;
    /* the slow repetition's runs leave the figures while it is measured again */
    cJSON_ArrayForEach(l, levels) {
        if (n == BENCH_MAX_LEVELS) break;
        cJSON *runs = cJSON_GetObjectItemCaseSensitive(l, "runs"), *r;
        old[n] = NULL;
        cJSON_ArrayForEach(r, runs) {
            if (run_repeat(r) == rep) break;
        }
        if (r) old[n] = cJSON_DetachItemViaPointer(runs, r);
        n++;
    }
    bench__progress_done(c,
                         "%s %s: repetition %d measured again (make-up): the host was slow "
                         "during it",
                         t->name, c->scns[si].name, rep);
    bench__scenario_rep(c, ts, t, si, rep);
    /* each new run where the slow one was; no new run (the make-up failed: its verdict is in
     * the scenario's status): the slow one back */
    int k = 0;
    cJSON_ArrayForEach(l, levels) {
        if (k == n) break;
        cJSON *runs = cJSON_GetObjectItemCaseSensitive(l, "runs");
        cJSON *last = cJSON_GetArrayItem(runs, cJSON_GetArraySize(runs) - 1);
        bool fresh = last && run_repeat(last) == rep;
        if (fresh) {
            last = cJSON_DetachItemFromArray(runs, cJSON_GetArraySize(runs) - 1);
            cJSON_AddBoolToObject(last, "makeup", true);
        }
        if (!old[k]) {
            if (fresh) bj_runs_put_in_order(runs, last); /* a level the slow repetition lacked */
        } else if (!fresh) {
            bj_runs_put_in_order(runs, old[k]);
        } else {
            bj_runs_put_in_order(runs, last);
            cJSON *h = cJSON_GetObjectItemCaseSensitive(old[k], "host");
            cJSON_DeleteItemFromObjectCaseSensitive(h, "slow");
            cJSON_AddBoolToObject(h, "slow", true);
            cJSON *sup = cJSON_GetObjectItemCaseSensitive(l, "host_superseded");
            if (!sup) sup = cJSON_AddArrayToObject(l, "host_superseded");
            cJSON_AddItemToArray(sup, old[k]);
        }
        k++;
    }
    bench__resummarise(c);
}

/* Judges every recorded run against the final best sample. */
static int flag_runs(cJSON *doc, double best_us) {
    int slow = 0;
    cJSON *t, *s, *l, *r;
    cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(doc, "targets")) {
        cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(t, "scenarios")) {
            cJSON_ArrayForEach(l, cJSON_GetObjectItemCaseSensitive(s, "levels")) {
                cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(l, "runs")) {
                    cJSON *h = cJSON_GetObjectItemCaseSensitive(r, "host");
                    if (!h) continue;
                    bool is_slow = host_judge(h, best_us) != HOSTPROBE_FAST;
                    cJSON_DeleteItemFromObjectCaseSensitive(h, "slow");
                    cJSON_AddBoolToObject(h, "slow", is_slow);
                    slow += is_slow;
                }
            }
        }
    }
    return slow;
}

void bench__host_finish(ctx_t *c) {
    cJSON *o = cJSON_AddObjectToObject(c->doc, "host_probe");
    cJSON_AddBoolToObject(o, "enabled", c->probing);
    cJSON_AddNumberToObject(o, "wait_s", c->o->profile.host_wait_s);
    if (!c->probing) return;
    cJSON_AddNumberToObject(o, "cpu", c->probe.cpu);
    cJSON_AddNumberToObject(o, "best_us", c->probe.best_us);
    cJSON_AddNumberToObject(o, "slow_ratio", HOSTPROBE_SLOW_RATIO);
    cJSON_AddNumberToObject(o, "samples", c->probe.samples);
    cJSON_AddNumberToObject(o, "spent_s", c->host_spent_s);
    cJSON_AddNumberToObject(o, "makeup_s", c->makeup_spent_s);
    cJSON_AddNumberToObject(o, "rerun", c->host_rerun);
    cJSON_AddNumberToObject(o, "makeups", c->host_makeups);
    cJSON_AddNumberToObject(o, "slow_runs", flag_runs(c->doc, c->probe.best_us));
    hostprobe_free(&c->probe);
}
