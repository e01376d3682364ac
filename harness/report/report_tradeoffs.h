/* report_tradeoffs: the trade-offs section of report.html and summary.md, and its chart, from the
 * `tradeoffs` block of bench.json (inspect/inspect.h measures it; this layer only reads it):
 *   - one table, targets x measures (code, ruling-marked code, dependencies, start-up, idle RSS,
 *     memory per idle connection, requests per CPU-second, peak RSS, conformance, wire probes);
 *   - charts/tradeoffs.svg: effort against speed, each target placed by its lines of application
 *     code (x) and its successful requests per CPU-second (y, the geometric mean over the
 *     scenarios every charted target measured), both log scale. It is drawn into charts/ but not
 *     listed with the other charts: the section shows it inline;
 *   - a "how to read this" paragraph. No verdicts: the section states what was measured.
 * Ownership: none (writes to the caller's FILE and chart directory). */
#ifndef PARITY_REPORT_TRADEOFFS_H
#define PARITY_REPORT_TRADEOFFS_H

#include <stdbool.h>
#include <stdio.h>

#include "report.h"

#define TRADEOFFS_CHART "tradeoffs" /* charts/tradeoffs.svg */

/* True when the run's bench.json has a tradeoffs block with at least one target. */
bool report_tradeoffs_present(const model_t *m);
/* Draws charts/tradeoffs.svg (nothing when there is no block or no target has both figures).
 * 0, or -1 with err set. */
int report_tradeoffs_chart(const model_t *m, const report_opts_t *o, err_t *err);
void report_tradeoffs_html(FILE *f, const model_t *m, const report_opts_t *o);
void report_tradeoffs_md(FILE *f, const model_t *m);

/* report_html.c: one gnuplot SVG inlined into the page (ids prefixed, colours following the
 * page's light or dark mode). */
void report_html_inline_svg(FILE *f, const char *path, const char *prefix);

#endif
