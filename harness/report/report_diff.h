/* report_diff: the "differences" section of a report, from RUN_DIR/diff.json (`parity diff`):
 * the requests and divergences per category, and each divergence grouped by endpoint with the
 * majority answer, the odd targets and where they differ.
 *
 * Ownership: none (reads the file itself, writes to the caller's FILE). */
#ifndef PARITY_REPORT_DIFF_H
#define PARITY_REPORT_DIFF_H

#include <stdbool.h>
#include <stdio.h>

#include "report.h"

#define REPORT_DIFF_MD_MAX 40 /* divergences listed in summary.md (all are in report.html) */

bool report_diff_present(const model_t *m);
void report_diff_html(FILE *f, const model_t *m);
void report_diff_md(FILE *f, const model_t *m);

#endif
