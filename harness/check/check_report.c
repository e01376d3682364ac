/* check_report: what `parity check` prints on stderr: a progress line per suite and per target as
 * they finish, then a failure block per failing step (Hurl-style: spec file:line:col, the step, the
 * target, expected vs actual per assert, the response cut at 2 KiB, a curl command to reproduce),
 * then the summary matrix suites x targets. Colour only on a terminal without NO_COLOR. */
#include <stdio.h>
#include <string.h>

#include "check.h"

#define C_RED     "\033[31m"
#define C_GREEN   "\033[32m"
#define C_YELLOW  "\033[33m"
#define C_MAGENTA "\033[35m"
#define C_BOLD    "\033[1m"
#define C_DIM     "\033[2m"
#define C_OFF     "\033[0m"

static const char *cr_col(const check_ctx_t *c, const char *code) {
    return c->color ? code : "";
}

static const char *cr_status_col(const check_ctx_t *c, result_status_t s) {
    return cr_col(c, s == RESULT_PASS   ? C_GREEN
                     : s == RESULT_FAIL ? C_RED
                     : s == RESULT_SKIP ? C_YELLOW
                                        : C_MAGENTA);
}

static const char *cr_word(result_status_t s) {
    return s == RESULT_PASS   ? "PASS"
           : s == RESULT_FAIL ? "FAIL"
           : s == RESULT_SKIP ? "SKIP"
                              : "ERROR";
}

/* The first failing step of a suite, or NULL. */
static const result_step_t *cr_first_bad(const result_suite_t *su) {
    for (size_t i = 0; i < su->n; i++)
        if (su->steps[i].status == RESULT_FAIL || su->steps[i].status == RESULT_ERROR)
            return &su->steps[i];
    return NULL;
}

void check_report_suite(check_ctx_t *c, const check_target_t *t, const result_suite_t *su) {
    if (c->o->quiet) return;
    const result_step_t *bad = cr_first_bad(su);
    char label[512] = "";
    if (bad) result_step_label(bad, label, sizeof label);
    pthread_mutex_lock(&c->out_mu);
    fprintf(stderr, "%s%-5s%s %-10s %-28s %4zu steps %7.2f s", cr_status_col(c, su->status),
            cr_word(su->status), cr_col(c, C_OFF), t->name, su->name, su->n,
            su->duration_ms / 1000.0);
    if (bad)
        fprintf(stderr, "  at \"%s\" (%s:%u:%u)", label, bad->file ? bad->file : "?", bad->line,
                bad->col);
    fputc('\n', stderr);
    pthread_mutex_unlock(&c->out_mu);
}

void check_report_step(check_ctx_t *c, const check_target_t *t, const result_suite_t *su,
                       const result_step_t *st) {
    char label[512];
    result_step_label(st, label, sizeof label);
    pthread_mutex_lock(&c->out_mu);
    fprintf(stderr, "  %s%-5s%s %s %s: %s (%.1f ms)%s%s\n", cr_status_col(c, st->status),
            cr_word(st->status), cr_col(c, C_OFF), t->name, su->name, label, st->duration_ms,
            st->reason ? " - " : "", st->reason ? st->reason : "");
    pthread_mutex_unlock(&c->out_mu);
}

void check_report_target(check_ctx_t *c, const check_target_t *t) {
    const result_target_t *r = t->res;
    size_t p = 0, f = 0, s = 0, e = 0;
    for (size_t i = 0; i < r->n; i++) {
        p += r->suites[i].status == RESULT_PASS;
        f += r->suites[i].status == RESULT_FAIL;
        s += r->suites[i].status == RESULT_SKIP;
        e += r->suites[i].status == RESULT_ERROR;
    }
    pthread_mutex_lock(&c->out_mu);
    if (r->error && r->n == 0) {
        /* First line only: the log lines come once, in the failure blocks at the end. */
        fprintf(stderr, "%sERROR%s %s: %.*s\n", cr_status_col(c, RESULT_ERROR), cr_col(c, C_OFF),
                t->name, (int)strcspn(r->error, "\n"), r->error);
    } else if (!c->o->quiet) {
        fprintf(stderr,
                "%s%s== %s %s%s: %zu suites: %zu pass, %zu fail, %zu skip, %zu error (%s)\n",
                cr_col(c, C_BOLD), cr_status_col(c, r->status), cr_word(r->status), t->name,
                cr_col(c, C_OFF), r->n, p, f, s, e, r->version ? r->version : "");
    }
    pthread_mutex_unlock(&c->out_mu);
}

static void cr_indent(FILE *f, const char *prefix, const char *text) {
    for (const char *l = text; l && *l;) {
        size_t n = strcspn(l, "\n");
        fprintf(f, "%s%.*s\n", prefix, (int)n, l);
        l += n;
        if (*l) l++;
    }
}

static void cr_block(check_ctx_t *c, FILE *f, const result_target_t *t, const result_suite_t *su,
                     const result_step_t *st) {
    char label[512];
    result_step_label(st, label, sizeof label);
    fprintf(f, "\n%s%s %s %s%s (%s:%u:%u) step \"%s\"\n", cr_status_col(c, st->status),
            cr_word(st->status), t->name, su->name, cr_col(c, C_OFF), st->file ? st->file : "?",
            st->line, st->col, label);
    if (st->reason) fprintf(f, "  %s\n", st->reason);
    for (size_t i = 0; i < st->nchecks; i++) {
        const result_check_t *k = &st->checks[i];
        fprintf(f, "  %s%s%s", cr_col(c, C_BOLD), k->text, cr_col(c, C_OFF));
        if (k->line) fprintf(f, " (%s:%u:%u)", k->file ? k->file : "", k->line, k->col);
        fprintf(f, ": %s\n", k->message);
    }
    if (st->method) fprintf(f, "  > %s %s\n", st->method, st->url ? st->url : "");
    if (st->response) cr_indent(f, "  < ", st->response);
    if (st->curl) fprintf(f, "  reproduce: %s%s%s\n", cr_col(c, C_DIM), st->curl, cr_col(c, C_OFF));
}

void check_report_final(check_ctx_t *c, FILE *f) {
    const result_run_t *r = c->run;
    size_t shown = 0, hidden = 0;
    for (size_t i = 0; i < r->n; i++) {
        const result_target_t *t = &r->targets[i];
        if (t->error) {
            fprintf(f, "\n%sERROR %s%s: %s\n", cr_status_col(c, RESULT_ERROR), t->name,
                    cr_col(c, C_OFF), t->error);
            if (t->log) fprintf(f, "  log: %s\n", t->log);
        }
        for (size_t j = 0; j < t->n; j++)
            for (size_t k = 0; k < t->suites[j].n; k++) {
                const result_step_t *st = &t->suites[j].steps[k];
                if (st->status != RESULT_FAIL && st->status != RESULT_ERROR) continue;
                if (shown < CHECK_MAX_BLOCKS || c->o->verbose) {
                    cr_block(c, f, t, &t->suites[j], st);
                    shown++;
                } else {
                    hidden++;
                }
            }
    }
    if (hidden)
        fprintf(f, "\n... and %zu more failing steps (see conformance.json, or use --verbose)\n",
                hidden);

    /* Skips written in the specs (not the steps skipped after a failure): each with its reason. */
    bool head = false;
    for (size_t i = 0; i < r->n; i++)
        for (size_t j = 0; j < r->targets[i].n; j++)
            for (size_t k = 0; k < r->targets[i].suites[j].n; k++) {
                const result_step_t *st = &r->targets[i].suites[j].steps[k];
                if (st->status != RESULT_SKIP || !st->reason ||
                    strncmp(st->reason, "skipped on ", 11) != 0)
                    continue;
                if (!head) fprintf(f, "\nskipped by the specs:\n");
                head = true;
                char label[512];
                result_step_label(st, label, sizeof label);
                fprintf(f, "  %sSKIP%s %s %s \"%s\" (%s:%u): %s\n", cr_status_col(c, RESULT_SKIP),
                        cr_col(c, C_OFF), r->targets[i].name, r->targets[i].suites[j].name, label,
                        st->file ? st->file : "?", st->line, st->reason);
            }

    /* Summary matrix: one row per suite, one column per target. */
    fprintf(f, "\n%-28s", "suite");
    for (size_t i = 0; i < r->n; i++) fprintf(f, " %-14.14s", r->targets[i].name);
    fputc('\n', f);
    for (size_t j = 0; j < c->nsuites; j++) {
        fprintf(f, "%-28.28s", c->suites[j]->name);
        for (size_t i = 0; i < r->n; i++) {
            const result_target_t *t = &r->targets[i];
            char cell[32];
            result_status_t s = RESULT_ERROR;
            if (j < t->n) {
                const result_suite_t *su = &t->suites[j];
                s = su->status;
                if (s == RESULT_PASS)
                    snprintf(cell, sizeof cell, "pass %zu", su->npass);
                else if (s == RESULT_SKIP)
                    snprintf(cell, sizeof cell, "skip %zu", su->nskip);
                else if (s == RESULT_FAIL)
                    snprintf(cell, sizeof cell, "FAIL %zu/%zu", su->nfail, su->n);
                else
                    snprintf(cell, sizeof cell, "ERROR %zu", su->nerror);
                if (s == RESULT_PASS && su->nskip)
                    snprintf(cell, sizeof cell, "pass %zu +%zus", su->npass, su->nskip);
            } else {
                snprintf(cell, sizeof cell, "not run");
            }
            fprintf(f, " %s%-14s%s", cr_status_col(c, s), cell, cr_col(c, C_OFF));
        }
        fputc('\n', f);
    }
    result_totals_t tt;
    result_totals(r, &tt);
    fprintf(f,
            "\n%zu targets, %zu suites: steps %zu pass, %zu fail, %zu skip, %zu error in %.2f s "
            "(run %s)\n",
            r->n, c->nsuites, tt.pass, tt.fail, tt.skip, tt.error, r->duration_ms / 1000.0, r->id);
}
