/* report_baseline: compares a run with an older one (see baseline_compare in report.h).
 *
 * Benchmarks are noisy, so a difference only counts when it is outside what the runs
 * themselves measured: if the new median lies inside the old run's min-max, or the old median
 * inside the new one's, the change is noise. A throughput drop that is outside both spreads
 * and larger than max_regression_pct is a regression (the gate); smaller moves outside the
 * spreads are reported as better or worse but do not fail. p99 is shown, not gated: a single
 * run's tail is too noisy to fail a build on. Losing conformance always fails. */
#include "report.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

const char *baseline_verdict_name(baseline_verdict_t v) {
    switch (v) {
    case BASELINE_NOISE: return "noise";
    case BASELINE_BETTER: return "better";
    case BASELINE_WORSE: return "worse";
    case BASELINE_REGRESSION: return "REGRESSION";
    case BASELINE_NEW: return "new";
    case BASELINE_GONE: return "gone";
    }
    return "?";
}

static bool inside(double v, double lo, double hi) {
    return v >= lo && v <= hi;
}

/* True when the target is in cur's bench.json but did not finish (did not start, crashed):
 * then its missing scenarios are failures, not scenarios left out of this run. */
static bool bench_failed(const model_t *cur, const char *target) {
    int i = model_target_index(cur, target);
    const cJSON *st =
        i >= 0 ? cJSON_GetObjectItemCaseSensitive(cur->targets[i].bench, "status") : NULL;
    return cJSON_IsString(st) && strcmp(st->valuestring, "ok") != 0;
}

static void compare_cell(baseline_t *b, const char *target, const char *scenario, const model_cell_t *o,
                         const model_cell_t *n) {
    if (b->nrows >= sizeof b->rows / sizeof *b->rows) return;
    baseline_row_t *r = &b->rows[b->nrows++];
    memset(r, 0, sizeof *r);
    r->target = target;
    r->scenario = scenario;
    bool has_old = o && o->present && o->level && o->rps > 0;
    bool has_new = n && n->present && n->level && n->rps > 0;
    r->old_rps = has_old ? o->rps : -1;
    r->new_rps = has_new ? n->rps : -1;
    r->old_p99 = has_old ? o->p99 : -1;
    r->new_p99 = has_new ? n->p99 : -1;
    if (!has_old && !has_new) {
        b->nrows--;
        return;
    }
    if (!has_new) {
        /* Measured before, not now. When the scenario ran and produced no figures (a crash, a
         * failed sample check) that is a regression; when it was simply not selected this time,
         * it is only reported. */
        r->verdict = BASELINE_GONE;
        r->delta_pct = -100;
        if ((n && n->present) || bench_failed(b->cur, target)) {
            r->verdict = BASELINE_REGRESSION;
            b->regressions++;
        }
        return;
    }
    if (!has_old) {
        r->verdict = BASELINE_NEW;
        r->delta_pct = NAN;
        return;
    }
    r->delta_pct = (n->rps - o->rps) / o->rps * 100.0;
    r->p99_delta_pct = o->p99 > 0 ? (n->p99 - o->p99) / o->p99 * 100.0 : 0;
    bool overlap = inside(n->rps, o->rps_min, o->rps_max) || inside(o->rps, n->rps_min, n->rps_max);
    if (overlap || r->delta_pct == 0)
        r->verdict = BASELINE_NOISE;
    else if (r->delta_pct > 0)
        r->verdict = r->delta_pct > b->max_regression_pct ? BASELINE_BETTER : BASELINE_NOISE;
    else if (-r->delta_pct > b->max_regression_pct) {
        r->verdict = BASELINE_REGRESSION;
        b->regressions++;
    } else
        r->verdict = BASELINE_WORSE;
}

static void compare_conformance(baseline_t *b, const model_target_t *o, const model_target_t *n) {
    if (!o->conf || b->nconf >= REPORT_MAX_TARGETS) return;
    baseline_conf_row_t *r = &b->conf[b->nconf++];
    memset(r, 0, sizeof *r);
    r->target = o->name;
    /* Not checked this time (no conformance.json, or the target was not selected): shown, not
     * judged. A target that was checked and did not start has an entry (status error) and
     * loses every suite it passed before. */
    if (!n || !n->conf) {
        r->unchecked = true;
        r->old_pass = o->steps_pass;
        r->old_fail = o->steps_fail + o->steps_error;
        return;
    }
    r->old_pass = o->steps_pass;
    r->old_fail = o->steps_fail + o->steps_error;
    r->new_pass = n && n->conf ? n->steps_pass : 0;
    r->new_fail = n && n->conf ? n->steps_fail + n->steps_error : 0;
    size_t used = 0;
    /* every suite that passed before and does not pass now (or is missing) */
    const cJSON *s;
    cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(o->conf, "suites")) {
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(s, "name");
        const cJSON *st = cJSON_GetObjectItemCaseSensitive(s, "status");
        if (!cJSON_IsString(name) || !cJSON_IsString(st) || strcmp(st->valuestring, "pass"))
            continue;
        const cJSON *now = n && n->conf ? model_suite(n, name->valuestring) : NULL;
        const cJSON *nst = cJSON_GetObjectItemCaseSensitive(now, "status");
        if (cJSON_IsString(nst) && !strcmp(nst->valuestring, "pass")) continue;
        r->lost = true;
        int w = snprintf(r->suites + used, sizeof r->suites - used, "%s%s", used ? ", " : "",
                         name->valuestring);
        if (w > 0 && (size_t)w < sizeof r->suites - used) used += (size_t)w;
    }
    if (r->lost) b->lost_conformance++;
}

void baseline_compare(baseline_t *b, const model_t *old, const model_t *cur, double max_regression_pct) {
    memset(b, 0, sizeof *b);
    b->old = old;
    b->cur = cur;
    b->max_regression_pct = max_regression_pct;
    for (size_t t = 0; t < old->nt; t++) {
        int nt = model_target_index(cur, old->targets[t].name);
        compare_conformance(b, &old->targets[t], nt >= 0 ? &cur->targets[nt] : NULL);
    }
    /* every target x scenario of either run */
    for (size_t t = 0; t < cur->nt; t++) {
        int ot = model_target_index(old, cur->targets[t].name);
        for (size_t s = 0; s < cur->ns; s++) {
            int os = model_scenario_index(old, cur->scenarios[s]);
            const model_cell_t *o = ot >= 0 && os >= 0 ? &old->cells[ot][os] : NULL;
            compare_cell(b, cur->targets[t].name, cur->scenarios[s], o, &cur->cells[t][s]);
        }
    }
    for (size_t t = 0; t < old->nt; t++) {
        int nt = model_target_index(cur, old->targets[t].name);
        for (size_t s = 0; s < old->ns; s++) {
            bool seen = nt >= 0 && model_scenario_index(cur, old->scenarios[s]) >= 0;
            if (!seen)
                compare_cell(b, old->targets[t].name, old->scenarios[s], &old->cells[t][s], NULL);
        }
    }
}
