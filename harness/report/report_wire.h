/* report_wire: the wire-behaviour matrix of a report (issue 19), kept apart from the blog-contract
 * verdict: a target can conform to the contract and still fail wire probes; both are shown.
 *
 * Source: RUN_DIR/wire/conformance.json (what `parity run` writes for specs/wire), else the
 * run's conformance.json when its steps carry "probe" (a `parity check --spec specs/wire`).
 * Every step with a "probe" is one cell: pass; warn (a SHOULD or MAY probe not met); fail (a
 * MUST or contract probe not met); skip / error as recorded. Categories are the suites.
 *
 * HTML: per-target totals by level, then one table per category (probes × targets, the failure
 * message as the cell's title and a reproduce command). Markdown: the totals, a categories ×
 * targets summary and the failing MUST/contract probes.
 *
 * Ownership: none (reads the file itself, writes to the caller's FILE). */
#ifndef PARITY_REPORT_WIRE_H
#define PARITY_REPORT_WIRE_H

#include <stdbool.h>
#include <stdio.h>

#include "report.h"

#define WIRE_MAX_TARGETS 32
#define WIRE_MAX_PROBES  1024
#define WIRE_MD_FAILURES 60 /* failing MUST/contract probes listed in summary.md */

bool report_wire_present(const model_t *m);
void report_wire_html(FILE *f, const model_t *m);
void report_wire_md(FILE *f, const model_t *m);

#endif
