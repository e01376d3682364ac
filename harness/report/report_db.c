/* report_db: SQLite vs PostgreSQL side by side (see report_db.h). */
#include "report_db.h"

#include <string.h>
#include <unistd.h>

#include "core/json.h"

/* The PostgreSQL half of the run, loaded once per report (NULL when there is none). */
static const model_t *pg_model(const model_t *m) {
    static model_t pg;
    static char loaded_for[sizeof m->dir];
    static bool ok;
    if (strcmp(loaded_for, m->dir) == 0) return ok ? &pg : NULL;
    if (ok) model_free(&pg);
    ok = false;
    snprintf(loaded_for, sizeof loaded_for, "%s", m->dir);
    char dir[sizeof m->dir + 32], probe[sizeof dir + 16];
    snprintf(dir, sizeof dir, "%s/" REPORT_DB_SUBDIR, m->dir);
    snprintf(probe, sizeof probe, "%s/bench.json", dir);
    err_t err;
    if (access(probe, F_OK) != 0) return NULL;
    if (model_load(&pg, dir, &err) < 0) {
        fprintf(stderr, "parity report: %s (the PostgreSQL side is left out)\n", err.msg);
        return NULL;
    }
    ok = pg.bench_doc != NULL;
    return ok ? &pg : NULL;
}

static const cJSON *db_of(const model_t *m) {
    const cJSON *d = json_get(json_get(m->bench_doc, "environment"), "database");
    return d ? d : json_get(m->conf_doc, "database");
}

/* "SQLite" or "PostgreSQL 15.20 (private cluster; fsync on, synchronous_commit on, ...)". */
static void describe(const cJSON *d, char *out, size_t n) {
    const char *kind = json_str(d, "kind");
    if (!kind || strcmp(kind, "postgres") != 0) {
        snprintf(out, n, "SQLite (a file per target start)");
        return;
    }
    const char *mode = json_str(d, "mode");
    snprintf(out, n,
             "PostgreSQL %s (%s; fsync %s, synchronous_commit %s, shared_buffers %s, "
             "max_connections %s)",
             json_str(d, "version") ? json_str(d, "version") : "?",
             mode && !strcmp(mode, "url") ? "--db-url server" : "private cluster",
             json_str(d, "fsync") ? json_str(d, "fsync") : "?",
             json_str(d, "synchronous_commit") ? json_str(d, "synchronous_commit") : "?",
             json_str(d, "shared_buffers") ? json_str(d, "shared_buffers") : "?",
             json_str(d, "max_connections") ? json_str(d, "max_connections") : "?");
}

bool report_db_present(const model_t *m) {
    return db_of(m) != NULL || pg_model(m) != NULL;
}

static const model_cell_t *cell(const model_t *m, const char *target, const char *scenario) {
    int t = model_target_index(m, target), s = model_scenario_index(m, scenario);
    if (t < 0 || s < 0 || !m->cells[t][s].present || m->cells[t][s].rps <= 0) return NULL;
    return &m->cells[t][s];
}

static const char *integ(const model_cell_t *c) {
    if (!c || !c->integrity_checked) return "–";
    return c->integrity_pass ? "ok" : "FAILED";
}

/* One row per target x scenario measured on either side; emit(row) writes it. */
typedef struct db_row {
    const char *target, *scenario;
    const model_cell_t *a, *b; /* sqlite, postgres */
    char a_rps[64], b_rps[64], a_p99[32], b_p99[32], change[32];
} db_row_t;

/* "1.2k (CV 3%)": the median with its spread over the repetitions, as every figure is shown. */
static void fmt_rps_cv(char *out, size_t n, const model_cell_t *c) {
    char v[24];
    report_fmt_rps(v, sizeof v, c->rps);
    if (c->rps_cv >= 0)
        snprintf(out, n, "%s (CV %.0f%%%s)", v, c->rps_cv, c->unstable ? ", unstable" : "");
    else
        snprintf(out, n, "%s", v);
}

static void rows(const model_t *a, const model_t *b, void (*emit)(FILE *, const db_row_t *),
                 FILE *f) {
    for (size_t t = 0; t < a->nt; t++)
        for (size_t s = 0; s < a->ns; s++) {
            db_row_t r = {.target = a->targets[t].name, .scenario = a->scenarios[s]};
            /* a PostgreSQL pass of some scenarios only (run --db-scenario): those rows */
            if (model_scenario_index(b, r.scenario) < 0) continue;
            r.a = cell(a, r.target, r.scenario);
            r.b = cell(b, r.target, r.scenario);
            if (!r.a && !r.b) continue;
            snprintf(r.a_rps, sizeof r.a_rps, "–");
            snprintf(r.b_rps, sizeof r.b_rps, "–");
            snprintf(r.a_p99, sizeof r.a_p99, "–");
            snprintf(r.b_p99, sizeof r.b_p99, "–");
            snprintf(r.change, sizeof r.change, "–");
            if (r.a) fmt_rps_cv(r.a_rps, sizeof r.a_rps, r.a);
            if (r.b) fmt_rps_cv(r.b_rps, sizeof r.b_rps, r.b);
            if (r.a) report_fmt_us(r.a_p99, sizeof r.a_p99, r.a->p99);
            if (r.b) report_fmt_us(r.b_p99, sizeof r.b_p99, r.b->p99);
            if (r.a && r.b)
                snprintf(r.change, sizeof r.change, "%+.0f%%", (r.b->rps / r.a->rps - 1) * 100);
            emit(f, &r);
        }
    /* targets measured only on PostgreSQL */
    for (size_t t = 0; t < b->nt; t++) {
        if (model_target_index(a, b->targets[t].name) >= 0) continue;
        for (size_t s = 0; s < b->ns; s++) {
            db_row_t r = {.target = b->targets[t].name, .scenario = b->scenarios[s]};
            r.b = cell(b, r.target, r.scenario);
            if (!r.b) continue;
            snprintf(r.a_rps, sizeof r.a_rps, "–");
            snprintf(r.a_p99, sizeof r.a_p99, "–");
            snprintf(r.change, sizeof r.change, "–");
            fmt_rps_cv(r.b_rps, sizeof r.b_rps, r.b);
            report_fmt_us(r.b_p99, sizeof r.b_p99, r.b->p99);
            emit(f, &r);
        }
    }
}

static void html_row(FILE *f, const db_row_t *r) {
    fputs("<tr><td>", f);
    report_html_escape(f, r->target);
    fputs("</td><td>", f);
    report_html_escape(f, r->scenario);
    fprintf(f,
            "</td><td class=\"num\">%s</td><td class=\"num\">%s</td><td class=\"num\">%s</td>"
            "<td class=\"num\">%s</td><td class=\"num\">%s</td><td>%s / %s</td></tr>\n",
            r->a_rps, r->b_rps, r->change, r->a_p99, r->b_p99, integ(r->a), integ(r->b));
}

static void md_row(FILE *f, const db_row_t *r) {
    fprintf(f, "| %s | %s | %s | %s | %s | %s | %s | %s / %s |\n", r->target, r->scenario, r->a_rps,
            r->b_rps, r->change, r->a_p99, r->b_p99, integ(r->a), integ(r->b));
}

void report_db_html(FILE *f, const model_t *m) {
    if (!report_db_present(m)) return;
    const model_t *pg = pg_model(m);
    char d[512];
    fputs("<h2 id=\"database\">Database</h2>\n<p>", f);
    describe(db_of(m), d, sizeof d);
    report_html_escape(f, pg ? "This run (SQLite side): " : "The targets used: ");
    report_html_escape(f, d);
    if (pg) {
        describe(db_of(pg), d, sizeof d);
        fputs(". PostgreSQL side (<code>" REPORT_DB_SUBDIR "/</code>): ", f);
        report_html_escape(f, d);
    }
    fputs(".</p>\n", f);
    if (!pg) return;
    fprintf(f, "<table><thead><tr><th>target</th><th>scenario</th><th>req/s SQLite</th>"
               "<th>req/s PostgreSQL</th><th>change</th><th>p99 SQLite</th><th>p99 PostgreSQL</th>"
               "<th>integrity (SQLite / PostgreSQL)</th></tr></thead><tbody>\n");
    rows(m, pg, html_row, f);
    fputs("</tbody></table>\n<p class=\"muted\">Successful requests per second and p99, medians "
          "over repetitions at each side's reference level; each target started afresh with a "
          "fresh database. Only targets that declare \"postgres\" in target.json run on "
          "PostgreSQL.</p>\n",
          f);
}

void report_db_md(FILE *f, const model_t *m) {
    const model_t *pg = pg_model(m);
    if (!pg) return;
    fputs("### SQLite vs PostgreSQL\n\n| target | scenario | req/s SQLite | req/s PostgreSQL | "
          "change | p99 SQLite | p99 PostgreSQL | integrity |\n|---|---|--:|--:|--:|--:|--:|---|\n",
          f);
    rows(m, pg, md_row, f);
    fputc('\n', f);
}
