/* report: `parity report`, what people look at: one self-contained report.html (conformance
 * matrix, benchmark tables, inline SVG charts, environment, commands to reproduce), a compact
 * summary.md for CI job summaries, charts/NAME.svg (and .png with --png), and baseline gating.
 *
 * Inputs are the files of a run directory: conformance.json (parity check) and bench.json
 * (parity bench); either may be missing and the report shows what there is. report_model.c
 * loads them into a target x scenario grid (model_t); report_charts.c drives gnuplot with the
 * templates of reports/templates/; report_html.c and report_md.c write the documents;
 * report_baseline.c compares two runs.
 *
 * Ownership: model_t owns the parsed documents; cells and targets borrow from them (model_free). */
#ifndef PARITY_REPORT_H
#define PARITY_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <cjson/cJSON.h>

#include "core/util.h"

#define REPORT_MAX_TARGETS                32
#define REPORT_MAX_SCENARIOS              64
#define REPORT_MAX_SUITES                 128
#define REPORT_MAX_FILE                   (256u << 20) /* bytes of a conformance.json or bench.json */
#define REPORT_DEFAULT_MAX_REGRESSION     5.0          /* percent */
#define REPORT_GNUPLOT_TIMEOUT_MS         60000
#define REPORT_DEFAULT_MAX_P99_REGRESSION 25.0 /* percent: the tail is noisier */
#define REPORT_ALPHA                      0.05 /* one-sided Mann-Whitney significance */
#define REPORT_MWU_MIN_N                  3    /* repetitions per side for the test */
#define REPORT_MWU_MAX_N                  20   /* repetitions per side it can count */

/* One target x scenario: the figures at the reference connection level (see model_t.ref_level). */
typedef struct model_cell {
    bool present;       /* the target ran this scenario */
    const char *status; /* ok, check-failed, error, crashed, pending */
    const char *error;  /* NULL or why */
    int connections;    /* the level these figures are for */
    int runs;
    double rps, rps_min, rps_max;
    double p50, p90, p99, p99_min, p99_max, p999; /* microseconds */
    double cpu_s, eff, rss_kb;                    /* < 0 when unknown (external targets) */
    double errors;         /* unexpected answers + socket errors over every run */
    double unexpected;     /* answers whose status is not a declared success (or late) */
    double answers_rps;    /* every answer per second, successes or not */
    double rps_cv, p99_cv; /* percent over repetitions; < 0 when one run (no spread) */
    bool unstable;         /* a CV above the run's threshold (settings.cv_threshold_pct) */
    int host_slow;         /* runs the host probe found in a slow window (bench_host.c) */
    int host_makeups;      /* runs measured again at the end, a slow one's make-up */
    double cpu_us;         /* CPU microseconds per successful request; < 0 unknown */
    double ceiling;        /* the client's ceiling (req/s against the trivial responder); < 0 */
    double read_p99_lo, read_p99_hi; /* bounds of the reads' p99 in a mix; < 0 when not a mix */
    bool client_bound;
    bool integrity_checked, integrity_pass;
    const cJSON *scenario;   /* the bench.json scenario object */
    const cJSON *level;      /* the level object (runs, summary) */
    const cJSON *median_run; /* the run whose rps is the median (its histogram is charted) */
} model_cell_t;

typedef struct model_target {
    const char *name;
    const char *color; /* "#RRGGBB", the same in every chart and table */
    const char *version;
    const char *orm;    /* "full" | "micro" | "raw" (bench.json, else conformance.json) or NULL */
    char label[96];     /* what tables and charts show: "flask (full ORM)", or the name */
    const cJSON *conf;  /* conformance.json target object or NULL */
    const cJSON *bench; /* bench.json target object or NULL */
    const char *bench_status; /* its status: ok, error (did not start), crashed; NULL if absent */
    int steps_pass, steps_fail, steps_skip, steps_error;
    int suites_pass, suites_total;
    bool conformant; /* ran and every suite passed */
} model_target_t;

typedef struct rm {
    char dir[4096];
    cJSON *conf_doc, *bench_doc; /* NULL when the file is absent */
    model_target_t targets[REPORT_MAX_TARGETS];
    size_t nt;
    const char *scenarios[REPORT_MAX_SCENARIOS];
    const char *scenario_desc[REPORT_MAX_SCENARIOS];
    size_t ns;
    const char *suites[REPORT_MAX_SUITES];
    size_t nsuites;
    int ref_level; /* the level the tables and bar charts use: 64 if measured, else the highest */
    double cv_threshold; /* settings.cv_threshold_pct of bench.json (5 when absent) */
    model_cell_t cells[REPORT_MAX_TARGETS][REPORT_MAX_SCENARIOS];
} model_t;

/* Loads dir/conformance.json and dir/bench.json. -1 (err) when neither exists or one is
 * malformed. */
int model_load(model_t *m, const char *dir, err_t *err);
void model_free(model_t *m);
/* Index of a target / scenario by name, -1 if absent. */
int model_target_index(const model_t *m, const char *name);
int model_scenario_index(const model_t *m, const char *name);
/* The conformance suite object of target t named suite, or NULL. */
const cJSON *model_suite(const model_target_t *t, const char *suite);
/* "full ORM", "micro-ORM", "raw SQL" for a target.json "orm" value; NULL for anything else. */
const char *model_orm_label(const char *orm);
/* Colour of a target: fixed for the five known targets, a palette slot for others. */
const char *model_color(const char *name, size_t index);

/* Baseline comparison (report_baseline.c). */
typedef enum baseline_verdict {
    BASELINE_NOISE,
    BASELINE_BETTER,
    BASELINE_WORSE,
    BASELINE_REGRESSION,
    BASELINE_NEW,
    BASELINE_GONE
} baseline_verdict_t;

typedef struct baseline_row {
    const char *target, *scenario;
    double old_rps, new_rps, delta_pct; /* median successful req/s at the reference level */
    double old_p99, new_p99, p99_delta_pct;
    int n_old, n_new;                      /* repetitions on each side */
    double rps_p, p99_p;                   /* one-sided Mann-Whitney p of the change's direction;
                                              NAN when a side has fewer than REPORT_MWU_MIN_N */
    double rps_min_effect, p99_min_effect; /* percent a change must exceed to count */
    baseline_verdict_t rps_verdict, p99_verdict;
    baseline_verdict_t verdict; /* the worse of the two */
} baseline_row_t;

typedef struct baseline_conf_row {
    const char *target;
    int old_pass, new_pass, old_fail, new_fail;
    bool lost;        /* a suite that passed before does not now */
    bool unchecked;   /* not in this run's conformance.json: not judged */
    char suites[512]; /* suites that passed before and fail now */
} baseline_conf_row_t;

typedef struct bl {
    const model_t *old, *cur;
    double max_regression_pct;     /* throughput: the minimum effect (percent) */
    double max_p99_regression_pct; /* p99: the minimum effect (percent) */
    baseline_row_t rows[REPORT_MAX_TARGETS * REPORT_MAX_SCENARIOS];
    size_t nrows;
    baseline_conf_row_t conf[REPORT_MAX_TARGETS];
    size_t nconf;
    int regressions, lost_conformance;
} baseline_t;

/* Compares cur against old, throughput and p99 separately (report_baseline.c says how): a
 * change is a regression when it is significant (one-sided Mann-Whitney over the repetitions,
 * p <= REPORT_ALPHA) AND larger than the minimum effect (max_regression_pct for throughput,
 * max_p99_regression_pct for p99, never below twice the runs' own CV). With fewer than
 * REPORT_MWU_MIN_N repetitions on a side no test is possible: the change must then exceed the
 * minimum effect with the two min-max ranges apart. A scenario measured before that now has no
 * figures (crashed, failed its check, target did not start) is a regression; one simply not run
 * this time is "gone". Losing conformance (a suite that passed now fails or is missing, for a
 * target that was checked) is always a failure. */
void baseline_compare(baseline_t *b, const model_t *old, const model_t *cur,
                      double max_regression_pct);
void baseline_compare2(baseline_t *b, const model_t *old, const model_t *cur,
                       double max_regression_pct, double max_p99_regression_pct);
/* Prints the comparison table (target, scenario, old, new, change, p, verdict) to f. */
void baseline_print(const baseline_t *b, FILE *f);

/* Mann-Whitney U of x against y (pairs where x > y, ties one half). */
double report_mwu_u(const double *x, size_t m, const double *y, size_t n);
/* Exact one-sided p-value that x tends to be smaller than y: P(U <= observed U). 1 when a
 * sample is empty or larger than REPORT_MWU_MAX_N. */
double report_mwu_p_less(const double *x, size_t m, const double *y, size_t n);
const char *baseline_verdict_name(baseline_verdict_t v);

typedef struct report_opts {
    const char *out_dir;   /* where report.html, summary.md, charts/ go (default: the run dir) */
    const char *templates; /* reports/templates */
    bool png;
    const char *command;           /* the command line that produced the run (shown to reproduce) */
    double max_p99_regression_pct; /* --max-p99-regression; 0: REPORT_DEFAULT_MAX_P99_REGRESSION */
} report_opts_t;

/* Writes the charts (svg, and png on request) of m into out_dir/charts; names receives their
 * file names (without dir), in order. Returns how many were written, or -1 - that number when
 * some chart failed (the first failure in err; the others are still written). */
int report_charts(const model_t *m, const report_opts_t *o, char names[][128], size_t max,
                  err_t *err);
/* One chart from template tpl (placeholders terminal, output, style, title, ylabel, scale, plot)
 * into out_dir/charts/base.svg (and .png); its name is appended to names[*n] (n < max). */
/* Appends s quoted for a gnuplot single-quoted string ('' is a literal quote). */
void report_gp_quote(buf_t *b, const char *s);
int report_chart_draw(const report_opts_t *o, const char *tpl, const char *base, const char *title,
                      const char *ylabel, const char *scale, const char *plot, char names[][128],
                      size_t max, size_t *n, err_t *err);
int report_html(const model_t *m, const baseline_t *baseline, const report_opts_t *o,
                char charts[][128], size_t ncharts, FILE *f);
int report_markdown(const model_t *m, const baseline_t *baseline, FILE *f);

/* Generates everything for run_dir; returns the exit code (0, 1 on regression or lost
 * conformance, 2 on bad input, 3 when gnuplot is missing or fails). */
int report_generate(const char *run_dir, const char *baseline_dir, double max_regression_pct,
                    const report_opts_t *o);

int report_main(int argc, char **argv);
/* Parses a percentage (0..1000) for --max-regression. */
int report_parse_pct(const char *s, double *out);
int run_main(int argc, char **argv);

/* HTML-escapes s into f. */
void report_html_escape(FILE *f, const char *s);
/* "12.3k", "1.23M", "950" */
void report_fmt_rps(char *out, size_t n, double v);
/* microseconds as "0.81 ms" / "12.3 ms" / "1.20 s" */
void report_fmt_us(char *out, size_t n, double us);

#endif
