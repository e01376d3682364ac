/* report_db: the database dimension of a report (issue 24).
 *
 * Which database a run's targets used is in bench.json (environment.database, and "db" per
 * target) and conformance.json ("database"). `parity run --db both` measures SQLite into RUN_DIR
 * and PostgreSQL into RUN_DIR/postgres/ (its own conformance.json and bench.json); the report of
 * RUN_DIR then puts the two side by side: per target and scenario, successful req/s and p99 on
 * each backend, the change, and each side's integrity check (write scenarios).
 *
 * HTML: a "Database" section (the server and its settings; the side-by-side table when
 * RUN_DIR/postgres/bench.json exists). Markdown: the same table.
 *
 * Ownership: none (loads RUN_DIR/postgres itself into a static model, writes to the caller's FILE;
 * not thread-safe, like the rest of the report). */
#ifndef PARITY_REPORT_DB_H
#define PARITY_REPORT_DB_H

#include <stdbool.h>
#include <stdio.h>

#include "report.h"

#define REPORT_DB_SUBDIR "postgres" /* RUN_DIR/postgres: the PostgreSQL half of --db both */

/* True when there is something to say: a database recorded in bench.json, or RUN_DIR/postgres. */
bool report_db_present(const model_t *m);
void report_db_html(FILE *f, const model_t *m);
void report_db_md(FILE *f, const model_t *m);

#endif
