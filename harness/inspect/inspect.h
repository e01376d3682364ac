/* inspect: what a target costs besides its speed, the `tradeoffs` block of bench.json and
 * `parity inspect` (harness/README.md, "parity inspect", documents every figure).
 *
 * Per target:
 *   code          lines of application code (cloc) by language and by kind (logic, templates,
 *                 config, tests), and the lines marked as existing only to meet a contract ruling
 *                 (the `parity-ruling:` comment convention) -- inspect_code.c
 *   dependencies  the Debian package closure of what the target runs (its interpreter and, for
 *                 Python, the packages of the modules its `requires` imports; for an ELF binary
 *                 outside any package, the packages of its linked libraries), plus `npm ls` for a
 *                 target with a package.json -- inspect_deps.c
 *   startup       exec to the first 200 on the ready path over N cold starts (a fresh process and
 *                 a fresh database each time; the page cache stays warm), idle RSS after start
 *   connections   RSS of the process group with C idle keep-alive connections minus idle RSS --
 *                 inspect_run.c
 *   efficiency    successful requests per CPU-second per scenario and peak RSS under load, from a
 *                 bench.json target object; correctness: the conformance verdict and the wire-probe
 *                 totals when present, from a conformance.json target object -- inspect_results.c
 *
 * Every function returns a new cJSON object the caller owns (cJSON_Delete), or adds to one the
 * caller passes. A measurement that fails is recorded in the object ("error": why) rather than
 * failing the whole block: a missing tool or a target that does not start costs one figure, not
 * the run. */
#ifndef PARITY_INSPECT_H
#define PARITY_INSPECT_H

#include <sched.h>
#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>

#include "core/util.h"
#include "target/target.h"

#define INSPECT_SCHEMA         1
#define INSPECT_STARTS_DEFAULT 5 /* cold starts; the median is reported */
#define INSPECT_STARTS_MAX     50
#define INSPECT_CONNS_DEFAULT  1000 /* idle keep-alive connections of the memory probe */
#define INSPECT_CONNS_MAX      10000
#define INSPECT_POLL_MS        5   /* readiness polling while timing a start */
#define INSPECT_SETTLE_MS      250 /* after ready (or after the last answer) before an RSS read */
/* SIGTERM to SIGKILL after a timed start: stops are not measured, a slow graceful stop would
 * only cost run time (the group is killed and the temp dir removed either way). */
#define INSPECT_STOP_GRACE_MS   500
#define INSPECT_CONN_TIMEOUT_MS 10000       /* the whole connection probe (connect, ask, answers) */
#define INSPECT_CMD_TIMEOUT_MS  60000       /* cloc, dpkg, apt-cache, npm, ldd */
#define INSPECT_TOOL_OUT_MAX    (32u << 20) /* bytes of a tool's output */
#define INSPECT_FILE_MAX        (8u << 20)  /* bytes of one source file scanned for markers */
#define INSPECT_LIST_FILE       "code.list" /* optional: which paths of a target are its code */
#define INSPECT_RULING_MARK     "parity-ruling:"

typedef struct inspect_opts {
    int starts;            /* cold starts (>= 1) */
    int connections;       /* idle connections of the memory probe; 0 skips the probe */
    int conn_timeout_ms;   /* bound of the probe; <= 0: INSPECT_CONN_TIMEOUT_MS */
    int workers;           /* WORKERS; <= 0: the CPUs available */
    const cpu_set_t *cpus; /* target affinity; NULL: inherit */
    const char *log_path;  /* the target's output (truncated at every start) */
    const char *build_dir; /* {build}; NULL: PARITY_BUILD_DIR */
    bool quiet;            /* no progress lines on stderr */
} inspect_opts_t;

/* Counts the code under dir (a target's directory): the paths of dir/code.list when it exists
 * (one relative path per line; "-NAME" excludes a file or directory name; '#' comments), else dir
 * itself. Always excluded: dependencies and generated files (node_modules, __pycache__, build*,
 * lock files), bench/ tools/ examples/ (measurement helpers, not the app) and documentation
 * (Markdown, text). Returns the "code" object; NULL only when out of memory. */
cJSON *inspect_code(const char *dir, err_t *err);

/* The kind of one file, from its path relative to the target and its cloc language:
 * "tests", "templates", "config" or "logic". */
const char *inspect_kind(const char *relpath, const char *language);

/* Counts the parity-ruling markers of one file's text: lines inside "parity-ruling: begin ..."
 * / "parity-ruling: end" blocks and lines carrying a trailing "parity-ruling: N" marker, counting
 * non-blank lines that are not comments or markers. Adds per-ruling counts to by_ruling (may be
 * NULL). Returns the lines, and the blocks (begin markers plus one-line markers) in *blocks. */
long inspect_ruling_lines(const char *text, size_t len, cJSON *by_ruling, long *blocks);

/* The "dependencies" object of a manifest. */
cJSON *inspect_deps(const target_manifest_t *m, const char *build_dir, err_t *err);

/* Starts the target o->starts times and stops it each time; returns the "startup" object and
 * sets *conns to the "connections" object (the probe runs on the last start). */
cJSON *inspect_runtime(const target_manifest_t *m, const inspect_opts_t *o, cJSON **conns);

/* Resident set of every process of group pgid, KiB; -1 when /proc cannot be read. */
long long inspect_rss_kib(pid_t pgid);

/* Opens n connections to 127.0.0.1:port, sends one keep-alive GET path on each, waits for the
 * answers (bounded by timeout_ms), and reads the group's RSS with them open. Fills the
 * "connections" object. */
int inspect_conn_probe(pid_t pgid, int port, const char *path, int n, int timeout_ms,
                       long long idle_rss_kib, cJSON *out);

/* efficiency (from a bench.json target object) and correctness (from a conformance.json target
 * object); either may be NULL, which records null figures. */
cJSON *inspect_efficiency(const cJSON *bench_target);
cJSON *inspect_correctness(const cJSON *conf_target);

/* The block { "schema", "method", "targets": [] } and one target entry in it (name, code,
 * dependencies, and startup/connections when o is not NULL). */
cJSON *inspect_block_new(const inspect_opts_t *o);
cJSON *inspect_target(cJSON *block, const target_manifest_t *m, const inspect_opts_t *o);
/* Fills efficiency and correctness of every entry of block from a bench.json document, a
 * conformance.json document and the wire probes' conformance document (RUN_DIR/wire/
 * conformance.json; its totals replace correctness.wire). Any may be NULL. */
void inspect_fill_results(cJSON *block, const cJSON *bench_doc, const cJSON *conf_doc,
                          const cJSON *wire_doc);

/* A JSON object file (NULL when absent or not an object), and inspect_fill_results with
 * dir/conformance.json and dir/wire/conformance.json (what `parity bench` calls: `parity run`
 * checks before it benchmarks). */
cJSON *inspect_load_json(const char *path);
void inspect_fill_from_dir(cJSON *block, const cJSON *bench_doc, const char *dir);

/* `parity inspect`. */
int inspect_main(int argc, char **argv);

#endif
