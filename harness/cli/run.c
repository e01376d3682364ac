/* run: `parity run`, the main job: conformance (parity check), a benchmark (parity bench,
 * profile quick by default) and the report, into reports/runs/<id>/, with reports/latest
 * pointing at it. It is what scripts/run runs.
 *
 * The exit code is the most serious of the steps': 2 (usage or spec error) before 3 (a target
 * did not start or crashed, a tool is missing) before 1 (conformance failures, a failed sample
 * or integrity check, a regression against --baseline) before 0. */
#include "report/report.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/bench.h"
#include "check/check.h"
#include "cli.h"
#include "core/clock.h"
#include "core/file.h"
#include "db/db.h"
#include "report/report_db.h"

#define RUN_MAX_ARGS   256
#define RUN_MAX_COPIES (2 * BENCH_MAX_SCENARIOS) /* --scenario and --db-scenario lists */

static const char *const USAGE =
    "usage: parity run [--target NAME]... [--scenario NAME]... [--profile smoke|quick|full]\n"
    "                  [--jobs N] [--pin auto|none] [--no-bench] [--baseline DIR]\n"
    "                  [--max-regression PCT] [--png] [--open [--slo MS]] [--out DIR]\n"
    "                  [--db sqlite|postgres|both [--db-scenario NAME]... | --db-url URL]\n"
    "\n"
    "Runs the conformance suites against every target (parity check), benchmarks them (parity\n"
    "bench, profile quick), and writes the report (parity report) into reports/runs/<id>/, with\n"
    "reports/latest pointing at it. Prints the path of report.html at the end.\n"
    "\n"
    "  --target NAME      only this target (repeatable)\n"
    "  --scenario NAME    only this benchmark scenario (repeatable, or a comma list)\n"
    "  --profile P        smoke (CI), quick (default), full\n"
    "  --jobs N           suites run in parallel per target during the check\n"
    "  --pin auto|none    CPU pinning of the benchmark (default auto)\n"
    "  --no-bench         conformance and report only\n"
    "  --open             also one open-loop sweep: rates of 10..110% of each target's\n"
    "                     closed-loop max on article-read (or the first --scenario), and\n"
    "                     the highest rate sustained with p99 under --slo MS (default 100)\n"
    "  --baseline DIR     compare with an older run directory (exit 1 on regression)\n"
    "  --max-regression PCT  regression threshold in percent (default 5)\n"
    "  --png              also write PNG charts\n"
    "  --out DIR          run directory (default reports/runs/<id>)\n"
    "  --db B             the targets' database: sqlite (default), postgres (a private\n"
    "                     PostgreSQL cluster), or both: the SQLite run, then check and bench\n"
    "                     again on PostgreSQL into DIR/postgres/ (the targets whose target.json\n"
    "                     declares it), and the report puts them side by side\n"
    "  --db-scenario NAME with --db both: the PostgreSQL pass benchmarks only these scenarios\n"
    "                     (repeatable, or a comma list; default: the same as the SQLite pass)\n"
    "  --db-url URL       PostgreSQL on an existing server instead of a private cluster\n"
    "\n"
    "Exit: 0 all good; 1 conformance failures, a failed benchmark check or a regression; 2 usage\n"
    "or spec errors; 3 environment errors (a target did not start or crashed, a tool is "
    "missing).\n";

static int worst(int a, int b) {
    static const int rank[4] = {0, 1, 3, 2}; /* 0 < 1 < 3 < 2 */
    if (a < 0 || a > 3) return b;
    if (b < 0 || b > 3) return a;
    return rank[a] >= rank[b] ? a : b;
}

/* 1b. Wire behaviour (issue 19): specs/wire into DIR/wire/conformance.json, which the report
 * shows as its own matrix apart from the conformance verdict, so failing probes (exit 1) do not
 * change parity run's exit code; a spec error (2) or environment error (3) does. */
static int run_wire(const char *dir, const char *root, const char *run_id, const char *jobs,
                    const bench_opts_t *bo) {
    char wdir[CLI_PATH_MAX + 96], wspec[CLI_PATH_MAX + 96];
    snprintf(wdir, sizeof wdir, "%s/wire", dir);
    snprintf(wspec, sizeof wspec, "%s/specs/wire", root);
    char *wargv[RUN_MAX_ARGS];
    int n = 0;
    wargv[n++] = "check";
    wargv[n++] = "--spec";
    wargv[n++] = wspec;
    wargv[n++] = "--out";
    wargv[n++] = wdir;
    wargv[n++] = "--run-id";
    wargv[n++] = (char *)run_id;
    wargv[n++] = "--quiet";
    if (jobs) {
        wargv[n++] = "--jobs";
        wargv[n++] = (char *)jobs;
    }
    for (size_t i = 0; i < bo->ntargets && n < RUN_MAX_ARGS - 3; i++) {
        wargv[n++] = "--target";
        wargv[n++] = (char *)bo->targets[i];
    }
    wargv[n] = NULL;
    fprintf(stderr, "\nparity run: wire probes (specs/wire) -> %s\n", wdir);
    int rc = check_main(n, wargv);
    return rc == 1 ? 0 : rc;
}

/* reports/latest -> runs/<id>, replaced atomically (symlink to a temp name, then rename). */
static void point_latest(const char *root, const char *run_id) {
    char latest[CLI_PATH_MAX + 32], tmp[CLI_PATH_MAX + 48], target[64];
    snprintf(latest, sizeof latest, "%s/reports/latest", root);
    snprintf(tmp, sizeof tmp, "%s/reports/.latest.%d", root, (int)getpid());
    snprintf(target, sizeof target, "runs/%s", run_id);
    unlink(tmp);
    if (symlink(target, tmp) == 0 && rename(tmp, latest) == 0) return;
    unlink(tmp);
    fprintf(stderr, "parity run: could not point %s at %s: %s\n", latest, target, strerror(errno));
}

/* What `parity run` was asked; the benchmark's options are bench_opts_t's own. */
typedef struct run_opts {
    bench_opts_t bo;
    const char *jobs, *baseline, *out;
    double pct;
    bool bench, png;
    bool db_both; /* --db both (the other --db values are taken by cli_db.c) */
    /* --db-scenario: the PostgreSQL pass's scenarios (0: the SQLite pass's). A full second pass
     * doubles a run; the write scenarios are where the backends differ most. */
    const char *db_scenarios[BENCH_MAX_SCENARIOS];
    size_t ndb_scenarios;
    char *copies[RUN_MAX_COPIES]; /* the split lists' storage, freed by run_main */
    size_t ncopies;
} run_opts_t;

/* Splits a copy of a comma list into list[*n..] (argv itself stays whole: the report quotes the
 * command line); the copy is kept in *copies until run_main returns. -1 when the list would
 * exceed BENCH_MAX_SCENARIOS or memory runs out. */
static int run_add_names(const char *arg, const char **list, size_t *n, char **copies,
                         size_t *ncopies) {
    if (*ncopies >= RUN_MAX_COPIES || !(copies[*ncopies] = str_dup(arg))) return -1;
    return cli_split_names(copies[(*ncopies)++], list, n, BENCH_MAX_SCENARIOS);
}

/* Parses argv into o. 0, -1 after --help (printed), or a CLI_EXIT_* usage code. */
static int run_parse(int argc, char **argv, run_opts_t *o) {
    static const struct option longopts[] = {{"target", required_argument, 0, 't'},
                                             {"scenario", required_argument, 0, 's'},
                                             {"profile", required_argument, 0, 'p'},
                                             {"jobs", required_argument, 0, 'j'},
                                             {"pin", required_argument, 0, 'P'},
                                             {"no-bench", no_argument, 0, 'n'},
                                             {"baseline", required_argument, 0, 'b'},
                                             {"max-regression", required_argument, 0, 'm'},
                                             {"png", no_argument, 0, 'g'},
                                             {"out", required_argument, 0, 'o'},
                                             {"db", required_argument, 0, 'D'},
                                             {"db-scenario", required_argument, 0, 'S'},
                                             {"help", no_argument, 0, 'h'},
                                             BENCH_OPEN_LONGOPTS,
                                             {0, 0, 0, 0}};
    bench_opts_t *bo = &o->bo;
    memset(o, 0, sizeof *o);
    bo->profile = *bench_profile_find("quick");
    bo->pin_auto = true;
    o->pct = REPORT_DEFAULT_MAX_REGRESSION;
    o->bench = true;
    optind = 1;
    int ch;
    while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (ch) {
        case 't':
            if (bo->ntargets >= BENCH_MAX_TARGETS)
                return cli_usage_error("run", "too many --target");
            bo->targets[bo->ntargets++] = optarg;
            break;
        case 's':
            if (run_add_names(optarg, bo->scenarios, &bo->nscenarios, o->copies, &o->ncopies) < 0)
                return cli_usage_error("run", "too many --scenario");
            break;
        case 'S':
            if (run_add_names(optarg, o->db_scenarios, &o->ndb_scenarios, o->copies, &o->ncopies) <
                0)
                return cli_usage_error("run", "too many --db-scenario");
            break;
        case 'p': {
            const bench_profile_t *p = bench_profile_find(optarg);
            if (!p)
                return cli_usage_error("run", "unknown profile '%s' (smoke, quick, full)", optarg);
            bo->profile = *p;
            break;
        }
        case 'j': o->jobs = optarg; break;
        case 'P':
            if (strcmp(optarg, "auto") && strcmp(optarg, "none"))
                return cli_usage_error("run", "--pin must be auto or none");
            bo->pin_auto = !strcmp(optarg, "auto");
            break;
        case 'n': o->bench = false; break;
        case 'b': o->baseline = optarg; break;
        case 'm':
            if (report_parse_pct(optarg, &o->pct) < 0)
                return cli_usage_error("run", "--max-regression takes a percentage, not '%s'",
                                       optarg);
            break;
        case 'g': o->png = true; break;
        case 'o': o->out = optarg; break;
        case 'D':
            if (strcmp(optarg, "both") != 0)
                return cli_usage_error("run", "--db wants sqlite, postgres or both");
            o->db_both = true;
            break;
        case 'h': fputs(USAGE, stdout); return -1;
        default:
            if (ch < BENCH_OPEN_OPT_OPEN || ch > BENCH_OPEN_OPT_POLICY) {
                fputs(USAGE, stderr);
                return CLI_EXIT_USAGE;
            }
            if (bench_open_option(&bo->open, ch, optarg) < 0) return CLI_EXIT_USAGE;
            break;
        }
    }
    /* one sweep: article-read, or the first --scenario when article-read is not run */
    if (bo->open.enabled) {
        bool listed = bo->nscenarios == 0;
        for (size_t i = 0; i < bo->nscenarios; i++)
            listed |= !strcmp(bo->scenarios[i], BENCH_OPEN_RUN_SCENARIO);
        bo->open.scenario = listed ? BENCH_OPEN_RUN_SCENARIO : bo->scenarios[0];
    }
    if (optind < argc) return cli_usage_error("run", "unexpected argument '%s'", argv[optind]);
    if (o->ndb_scenarios && !o->db_both)
        return cli_usage_error("run", "--db-scenario needs --db both");
    return 0;
}

/* 1. Conformance: parity check into dir, with JUnit and TAP beside conformance.json. */
static int run_check(const run_opts_t *o, const char *dir, const char *run_id) {
    char *cargv[RUN_MAX_ARGS];
    int cargc = 0;
    char junit[CLI_PATH_MAX + 96], tap[CLI_PATH_MAX + 96];
    snprintf(junit, sizeof junit, "%s/junit.xml", dir);
    snprintf(tap, sizeof tap, "%s/results.tap", dir);
    cargv[cargc++] = "check";
    cargv[cargc++] = "--out";
    cargv[cargc++] = (char *)dir;
    cargv[cargc++] = "--junit";
    cargv[cargc++] = junit;
    cargv[cargc++] = "--tap";
    cargv[cargc++] = tap;
    cargv[cargc++] = "--run-id"; /* one id for conformance.json, bench.json and the directory */
    cargv[cargc++] = (char *)run_id;
    if (o->jobs) {
        cargv[cargc++] = "--jobs";
        cargv[cargc++] = (char *)o->jobs;
    }
    for (size_t i = 0; i < o->bo.ntargets && cargc < RUN_MAX_ARGS - 3; i++) {
        cargv[cargc++] = "--target";
        cargv[cargc++] = (char *)o->bo.targets[i];
    }
    cargv[cargc] = NULL;
    return check_main(cargc, cargv);
}

/* 2b. --db both: conformance and the benchmark again, on a private PostgreSQL cluster, into
 * DIR/postgres/ (report_db.h reads it beside DIR's SQLite figures). */
static int run_postgres(run_opts_t *o, const char *dir, const char *root, const char *run_id) {
    char pgdir[CLI_PATH_MAX + 96];
    snprintf(pgdir, sizeof pgdir, "%s/" REPORT_DB_SUBDIR, dir);
    err_t err;
    db_t *db = NULL;
    bool usage = false;
    fprintf(stderr, "\nparity run: the same on PostgreSQL -> %s\n", pgdir);
    if (file_mkdirs(pgdir, &err) < 0 || db_open_opt("postgres", NULL, &db, &usage, &err) < 0) {
        fprintf(stderr, "parity run: %s\n", err.msg);
        return CLI_EXIT_ENV;
    }
    int code = run_check(o, pgdir, run_id);
    if (code != CLI_EXIT_USAGE && o->bench) {
        bench_opts_t bo = o->bo;
        bo.root = root;
        bo.out_dir = pgdir;
        bo.run_id = run_id;
        if (o->ndb_scenarios) {
            memcpy(bo.scenarios, o->db_scenarios, o->ndb_scenarios * sizeof *bo.scenarios);
            bo.nscenarios = o->ndb_scenarios;
        }
        code = worst(code, bench_execute(&bo));
    }
    db_close(db);
    return code;
}

/* 3. The report, with the command line that produced the run. */
static int run_report(const run_opts_t *o, int argc, char **argv, const char *root,
                      const char *dir) {
    char templates[CLI_PATH_MAX + 32];
    fprintf(stderr, "\n");
    snprintf(templates, sizeof templates, "%s/reports/templates", root);
    buf_t cmd;
    buf_init(&cmd, 8192);
    buf_adds(&cmd, "parity");
    for (int i = 0; i < argc; i++) { /* argv[0] is "run" */
        buf_addc(&cmd, ' ');
        /* quoted only when the shell needs it, so the command reads as typed */
        size_t n = strlen(argv[i]);
        if (n &&
            strspn(argv[i],
                   "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_./:=@%+,-") == n)
            buf_adds(&cmd, argv[i]);
        else
            str_shell_quote(&cmd, argv[i], n);
    }
    report_opts_t ro = {
        .out_dir = dir, .templates = templates, .png = o->png, .command = buf_cstr(&cmd)};
    int code = report_generate(dir, o->baseline, o->pct, &ro);
    buf_free(&cmd);
    return code;
}

static void run_opts_free(run_opts_t *o) {
    for (size_t i = 0; i < o->ncopies; i++) free(o->copies[i]);
    o->ncopies = 0;
}

static int run_exec(run_opts_t *op, int argc, char **argv);

int run_main(int argc, char **argv) {
    run_opts_t o;
    int rc = run_parse(argc, argv, &o);
    if (rc == 0) rc = run_exec(&o, argc, argv);
    run_opts_free(&o);
    return rc < 0 ? CLI_EXIT_OK : rc;
}

/* check, wire, bench, PostgreSQL pass, report: the steps of a run, in order. */
static int run_exec(run_opts_t *op, int argc, char **argv) {
    run_opts_t o = *op; /* the steps change bench options; the caller frees op's lists */
    char root[CLI_PATH_MAX], dir[CLI_PATH_MAX + 64], run_id[32];
    err_t err;
    if (cli_root(root, sizeof root, &err) < 0) {
        fprintf(stderr, "parity run: %s\n", err.msg);
        return CLI_EXIT_ENV;
    }
    clock_run_id(run_id, sizeof run_id);
    if (o.out)
        snprintf(dir, sizeof dir, "%s", o.out);
    else
        snprintf(dir, sizeof dir, "%s/reports/runs/%s", root, run_id);
    if (file_mkdirs(dir, &err) < 0) {
        fprintf(stderr, "parity run: %s\n", err.msg);
        return CLI_EXIT_ENV;
    }
    fprintf(stderr, "parity run %s: conformance, %s, report -> %s\n", run_id,
            o.bench ? (o.bo.profile.name ? o.bo.profile.name : "bench") : "no benchmark", dir);
    int code = run_check(&o, dir, run_id);
    if (code == CLI_EXIT_USAGE) return code; /* bad specs: nothing else is meaningful */
    code = worst(code, run_wire(dir, root, run_id, o.jobs, &o.bo));
    if (o.bench) { /* 2. benchmark */
        fprintf(stderr, "\n");
        o.bo.root = root;
        o.bo.out_dir = dir;
        o.bo.run_id = run_id;
        code = worst(code, bench_execute(&o.bo));
    }
    if (o.db_both) code = worst(code, run_postgres(&o, dir, root, run_id));
    code = worst(code, run_report(&o, argc, argv, root, dir));
    if (!o.out) point_latest(root, run_id);
    printf("%s/report.html\n", dir);
    return code;
}
