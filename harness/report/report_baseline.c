/* report_baseline: compares a run with an older one (see baseline_compare2 in report.h).
 *
 * Benchmarks are noisy, so a change only counts when the runs themselves show it is not noise.
 * Throughput (median successful req/s) and p99 are judged separately, each by two tests that
 * must both say "worse":
 *
 *   significance  a one-sided Mann-Whitney U test over the repetitions (report_stats.c): the
 *                 new runs are lower (throughput) / higher (p99) than the old ones with
 *                 p <= REPORT_ALPHA. It needs REPORT_MWU_MIN_N repetitions a side (3 against 3
 *                 gives p = 0.05 at best: every new run below every old one).
 *   size          the change of the medians exceeds the minimum effect: --max-regression
 *                 (throughput, default 5%) or --max-p99-regression (p99, default 25%), and never
 *                 less than twice the larger CV of the two runs (a run that is this noisy
 *                 cannot resolve a smaller change). The floor of twice the CV is what the
 *                 recorded A/A fixtures need (tests/harness/data/report/aa: odd against even
 *                 repetitions of one interleaved run pass; runs minutes apart on this loaded
 *                 machine differed by up to 50%, which only an A/B inside one run avoids).
 *
 * With fewer repetitions (the smoke profile has one) no test is possible: a throughput change is
 * then a regression only when it exceeds the minimum effect AND the two min-max ranges do not
 * overlap; p99 is shown but not gated (one run's tail moves by tens of percent); the verdict
 * says "no test". Improvements are reported by the same rules ("better"), a change
 * that is large but not significant is "unclear" (shown, not gated). Losing conformance always
 * fails. */
#include "report.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

const char *baseline_verdict_name(baseline_verdict_t v) {
    switch (v) {
    case BASELINE_NOISE: return "noise";
    case BASELINE_BETTER: return "better";
    case BASELINE_WORSE: return "unclear";
    case BASELINE_REGRESSION: return "REGRESSION";
    case BASELINE_NEW: return "new";
    case BASELINE_GONE: return "gone";
    }
    return "?";
}

/* True when the target is in cur's bench.json but did not finish (did not start, crashed):
 * then its missing scenarios are failures, not scenarios left out of this run. */
static bool bench_failed(const model_t *cur, const char *target) {
    int i = model_target_index(cur, target);
    const cJSON *st =
        i >= 0 ? cJSON_GetObjectItemCaseSensitive(cur->targets[i].bench, "status") : NULL;
    return cJSON_IsString(st) && strcmp(st->valuestring, "ok") != 0 &&
           strcmp(st->valuestring, "pending") != 0;
}

/* The per-repetition values of a cell: rps, or latency_us.p99. */
static size_t run_values(const model_cell_t *c, bool p99, double *v, size_t max) {
    size_t n = 0;
    const cJSON *r;
    cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(c->level, "runs")) {
        const cJSON *x = p99 ? cJSON_GetObjectItemCaseSensitive(
                                   cJSON_GetObjectItemCaseSensitive(r, "latency_us"), "p99")
                             : cJSON_GetObjectItemCaseSensitive(r, "rps");
        if (cJSON_IsNumber(x) && n < max) v[n++] = x->valuedouble;
    }
    return n;
}

typedef struct baseline_judged {
    baseline_verdict_t verdict;
    double p, min_effect;
    int n_old, n_new;
} baseline_judged_t;

/* Judges one metric. up_is_bad: p99 (higher is worse); else throughput (lower is worse). */
static baseline_judged_t judge(const model_cell_t *o, const model_cell_t *n, bool up_is_bad,
                               double pct) {
    double a[REPORT_MWU_MAX_N], b[REPORT_MWU_MAX_N];
    size_t na = run_values(o, up_is_bad, a, REPORT_MWU_MAX_N);
    size_t nb = run_values(n, up_is_bad, b, REPORT_MWU_MAX_N);
    double om = up_is_bad ? o->p99 : o->rps, nm = up_is_bad ? n->p99 : n->rps;
    double ocv = up_is_bad ? o->p99_cv : o->rps_cv, ncv = up_is_bad ? n->p99_cv : n->rps_cv;
    baseline_judged_t j = {BASELINE_NOISE, NAN, pct, (int)na, (int)nb};
    double noise = 2 * fmax(ocv, ncv);
    if (noise > j.min_effect) j.min_effect = noise;
    if (om <= 0) return j;
    double change = (nm - om) / om * 100.0; /* positive: higher */
    double bad = up_is_bad ? change : -change;
    bool big = fabs(change) > j.min_effect;
    bool significant;
    if (na >= REPORT_MWU_MIN_N && nb >= REPORT_MWU_MIN_N) {
        /* p of the direction the medians moved: new lower than old, or higher */
        j.p = change < 0 ? report_mwu_p_less(b, nb, a, na) : report_mwu_p_less(a, na, b, nb);
        significant = j.p <= REPORT_ALPHA;
    } else {
        double omin = up_is_bad ? o->p99_min : o->rps_min,
               omax = up_is_bad ? o->p99_max : o->rps_max;
        double nmin = up_is_bad ? n->p99_min : n->rps_min,
               nmax = up_is_bad ? n->p99_max : n->rps_max;
        /* Without repetitions a single run's tail is too noisy to gate on: p99 is shown and
         * called "unclear" when it moved a lot, never a regression. */
        significant = !up_is_bad && (nmax < omin || nmin > omax);
    }
    if (!big)
        j.verdict = BASELINE_NOISE;
    else if (!significant)
        j.verdict = BASELINE_WORSE; /* "unclear": large but not shown */
    else
        j.verdict = bad > 0 ? BASELINE_REGRESSION : BASELINE_BETTER;
    return j;
}

static void compare_cell(baseline_t *b, const char *target, const char *scenario,
                         const model_cell_t *o, const model_cell_t *n) {
    if (b->nrows >= sizeof b->rows / sizeof *b->rows) return;
    baseline_row_t *r = &b->rows[b->nrows++];
    memset(r, 0, sizeof *r);
    r->target = target;
    r->scenario = scenario;
    r->rps_p = r->p99_p = NAN;
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
         * failed check) that is a regression; when it was simply not selected this time, it is
         * only reported. */
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
        r->p99_delta_pct = NAN;
        return;
    }
    r->delta_pct = (n->rps - o->rps) / o->rps * 100.0;
    r->p99_delta_pct = o->p99 > 0 ? (n->p99 - o->p99) / o->p99 * 100.0 : 0;
    baseline_judged_t t = judge(o, n, false, b->max_regression_pct);
    baseline_judged_t l = judge(o, n, true, b->max_p99_regression_pct);
    r->rps_verdict = t.verdict;
    r->p99_verdict = l.verdict;
    r->rps_p = t.p;
    r->p99_p = l.p;
    r->rps_min_effect = t.min_effect;
    r->p99_min_effect = l.min_effect;
    r->n_old = t.n_old;
    r->n_new = t.n_new;
    /* the row's verdict: a regression of either, else the more telling of the two */
    static const int rank[] = {
        [BASELINE_NOISE] = 0,      [BASELINE_BETTER] = 1, [BASELINE_WORSE] = 2,
        [BASELINE_REGRESSION] = 3, [BASELINE_NEW] = 0,    [BASELINE_GONE] = 0};
    r->verdict = rank[t.verdict] >= rank[l.verdict] ? t.verdict : l.verdict;
    if (r->verdict == BASELINE_REGRESSION) b->regressions++;
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
    r->new_pass = n->steps_pass;
    r->new_fail = n->steps_fail + n->steps_error;
    size_t used = 0;
    /* every suite that passed before and does not pass now (or is missing) */
    const cJSON *s;
    cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(o->conf, "suites")) {
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(s, "name");
        const cJSON *st = cJSON_GetObjectItemCaseSensitive(s, "status");
        if (!cJSON_IsString(name) || !cJSON_IsString(st) || strcmp(st->valuestring, "pass"))
            continue;
        const cJSON *now = model_suite(n, name->valuestring);
        const cJSON *nst = cJSON_GetObjectItemCaseSensitive(now, "status");
        if (cJSON_IsString(nst) && !strcmp(nst->valuestring, "pass")) continue;
        r->lost = true;
        int w = snprintf(r->suites + used, sizeof r->suites - used, "%s%s", used ? ", " : "",
                         name->valuestring);
        if (w > 0 && (size_t)w < sizeof r->suites - used) used += (size_t)w;
    }
    if (r->lost) b->lost_conformance++;
}

void baseline_compare2(baseline_t *b, const model_t *old, const model_t *cur,
                       double max_regression_pct, double max_p99_regression_pct) {
    memset(b, 0, sizeof *b);
    b->old = old;
    b->cur = cur;
    b->max_regression_pct = max_regression_pct;
    b->max_p99_regression_pct = max_p99_regression_pct;
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

void baseline_compare(baseline_t *b, const model_t *old, const model_t *cur,
                      double max_regression_pct) {
    baseline_compare2(b, old, cur, max_regression_pct, REPORT_DEFAULT_MAX_P99_REGRESSION);
}

static void baseline_fmt_p(char *out, size_t n, double p, int na, int nb) {
    if (isnan(p))
        snprintf(out, n, "no test (n=%d/%d)", na, nb);
    else
        snprintf(out, n, "p=%.3f", p);
}

void baseline_print(const baseline_t *b, FILE *f) {
    fprintf(f, "%-10s %-16s %10s %10s %8s %-20s %10s %10s %8s %-20s %s\n", "target", "scenario",
            "req/s old", "new", "change", "test", "p99 old", "new", "change", "test", "verdict");
    for (size_t i = 0; i < b->nrows; i++) {
        const baseline_row_t *r = &b->rows[i];
        char a[32], c[32], p1[32], p2[32], t1[40], t2[40];
        report_fmt_rps(a, sizeof a, r->old_rps);
        report_fmt_rps(c, sizeof c, r->new_rps);
        report_fmt_us(p1, sizeof p1, r->old_p99);
        report_fmt_us(p2, sizeof p2, r->new_p99);
        baseline_fmt_p(t1, sizeof t1, r->rps_p, r->n_old, r->n_new);
        baseline_fmt_p(t2, sizeof t2, r->p99_p, r->n_old, r->n_new);
        if (r->verdict == BASELINE_NEW || r->verdict == BASELINE_GONE || r->old_rps < 0 ||
            r->new_rps < 0) {
            fprintf(f, "%-10s %-16s %10s %10s %8s %-20s %10s %10s %8s %-20s %s\n", r->target,
                    r->scenario, r->old_rps < 0 ? "-" : a, r->new_rps < 0 ? "-" : c, "-", "-", "-",
                    "-", "-", "-", baseline_verdict_name(r->verdict));
            continue;
        }
        fprintf(
            f,
            "%-10s %-16s %10s %10s %+7.1f%% %-20s %10s %10s %+7.1f%% %-20s %s (req/s %s, p99 %s)\n",
            r->target, r->scenario, a, c, r->delta_pct, t1, p1, p2, r->p99_delta_pct, t2,
            baseline_verdict_name(r->verdict), baseline_verdict_name(r->rps_verdict),
            baseline_verdict_name(r->p99_verdict));
    }
}
