/* openloop_section: the open-loop part of a report, from the "open" objects that
 * `parity bench --open` writes into bench.json scenarios (bench/bench_open.h):
 *   - charts/openloop-<scenario>.svg: p50 and p99 (corrected) against the offered rate, one
 *     colour per target (p99 solid, p50 dashed), the SLO as a grey line, log-log; a ring marks
 *     a rate that was not ok (not sustained, p99 over the SLO, or over 1% failures);
 *   - charts/openloop-spectrum-<scenario>.svg: corrected and uncorrected percentile spectra side
 *     by side, each target at the highest rate it sustained (the gap between the panels is the
 *     coordinated omission a closed-loop tool would hide);
 *   - the sustained-rate table (HTML and Markdown) and, in HTML, every rate's figures.
 * Everything is read from the JSON; nothing here knows the engine. Ownership: none (writes to
 * the caller's FILE and chart directory). */
#ifndef PARITY_REPORT_OPENLOOP_SECTION_H
#define PARITY_REPORT_OPENLOOP_SECTION_H

#include <stdio.h>

#include "report.h"

/* Draws the charts above for every scenario with open-loop results; names/n as report_charts. */
int report_openloop_charts(const model_t *m, const report_opts_t *o, char names[][128], size_t max,
                           size_t *n, err_t *err);
/* True when some scenario of m has open-loop results (for the page's navigation). */
bool report_openloop_present(const model_t *m);
void report_openloop_html(FILE *f, const model_t *m);
void report_openloop_md(FILE *f, const model_t *m);

#endif
