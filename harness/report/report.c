/* report: `parity report RUN_DIR [--baseline OLD_RUN_DIR] [--max-regression PCT] [--png]
 * [--out DIR]` and report_generate(), which `parity run` calls too. */
#include "report.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cli_common.h"
#include "core/file.h"

#define REPORT_MAX_CHARTS 256

static int write_doc(const char *dir, const char *name, const model_t *m, const baseline_t *b,
                     const report_opts_t *o, char charts[][128], size_t ncharts) {
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    file_atomic_t f;
    err_t err;
    if (file_atomic_open(&f, path, &err) < 0) {
        fprintf(stderr, "parity report: %s\n", err.msg);
        return -1;
    }
    int rc = strcmp(name, "summary.md") ? report_html(m, b, o, charts, ncharts, f.fp)
                                        : report_markdown(m, b, f.fp);
    if (rc < 0) {
        int e = errno ? errno : EIO; /* a full disk: the writer's last fprintf failed */
        file_atomic_abort(&f);
        fprintf(stderr, "parity report: cannot write %s: %s\n", path, strerror(e));
        return -1;
    }
    if (file_atomic_commit(&f, &err) < 0) {
        fprintf(stderr, "parity report: cannot write %s: %s\n", path, err.msg);
        return -1;
    }
    return 0;
}

int report_generate(const char *run_dir, const char *baseline_dir, double max_regression_pct,
                    const report_opts_t *opts) {
    static model_t cur, old; /* large grids: not on the stack */
    static char charts[REPORT_MAX_CHARTS][128];
    static baseline_t bl;
    err_t err;
    report_opts_t o = *opts;
    if (!o.out_dir) o.out_dir = run_dir;
    if (model_load(&cur, run_dir, &err) < 0) {
        fprintf(stderr, "parity report: %s\n", err.msg);
        return CLI_EXIT_USAGE;
    }
    bool has_baseline = false;
    if (baseline_dir) {
        if (model_load(&old, baseline_dir, &err) < 0) {
            fprintf(stderr, "parity report: baseline: %s\n", err.msg);
            model_free(&cur);
            return CLI_EXIT_USAGE;
        }
        baseline_compare2(&bl, &old, &cur, max_regression_pct,
                          o.max_p99_regression_pct > 0 ? o.max_p99_regression_pct
                                                       : REPORT_DEFAULT_MAX_P99_REGRESSION);
        has_baseline = true;
    }
    int code = CLI_EXIT_OK;
    if (file_mkdirs(o.out_dir, &err) < 0) {
        fprintf(stderr, "parity report: %s\n", err.msg);
        code = CLI_EXIT_ENV;
        goto out;
    }
    int ncharts = report_charts(&cur, &o, charts, REPORT_MAX_CHARTS, &err);
    if (ncharts < 0) {
        ncharts = -1 - ncharts;
        fprintf(stderr,
                "parity report: chart failed: %s\n(the report is written with the %d chart(s) that "
                "worked; is gnuplot installed? scripts/bootstrap installs it)\n",
                err.msg, ncharts);
        code = CLI_EXIT_ENV;
    }
    if (write_doc(o.out_dir, "report.html", &cur, has_baseline ? &bl : NULL, &o, charts,
                  (size_t)ncharts) < 0 ||
        write_doc(o.out_dir, "summary.md", &cur, has_baseline ? &bl : NULL, &o, charts,
                  (size_t)ncharts) < 0) {
        code = CLI_EXIT_ENV;
        goto out;
    }
    fprintf(stderr, "report: %s/report.html (%d chart(s)), %s/summary.md\n", o.out_dir, ncharts,
            o.out_dir);
    if (has_baseline) {
        baseline_print(&bl, stderr);
        fprintf(stderr,
                "baseline: %d regression(s) (req/s beyond %.1f%%, p99 beyond %.1f%%, significant "
                "at p <= %.2f), %d target(s) lost conformance\n",
                bl.regressions, bl.max_regression_pct, bl.max_p99_regression_pct, REPORT_ALPHA,
                bl.lost_conformance);
        if ((bl.regressions || bl.lost_conformance) && code == CLI_EXIT_OK) code = CLI_EXIT_FAIL;
    }
out:
    model_free(&cur);
    if (has_baseline) model_free(&old);
    return code;
}

static const char *const USAGE =
    "usage: parity report RUN_DIR [--baseline OLD_RUN_DIR] [--max-regression PCT]\n"
    "                     [--max-p99-regression PCT] [--png] [--out DIR]\n"
    "\n"
    "Reads RUN_DIR/conformance.json and RUN_DIR/bench.json and writes report.html (one\n"
    "self-contained page), summary.md (Markdown for CI) and charts/*.svg into RUN_DIR (or DIR).\n"
    "\n"
    "  --baseline DIR        compare with an older run: exit 1 when a target loses conformance, "
    "or\n"
    "                        its throughput drops / its p99 rises significantly (one-sided\n"
    "                        Mann-Whitney over the repetitions, p <= 0.05) by more than the\n"
    "                        minimum effect; with fewer than 3 repetitions a side: by more than\n"
    "                        the minimum effect with the min-max ranges apart\n"
    "  --max-regression PCT  minimum throughput effect, in percent (default 5)\n"
    "  --max-p99-regression PCT  minimum p99 effect, in percent (default 25)\n"
    "  --png                 also write charts/*.png\n"
    "  --out DIR             write the report there instead of RUN_DIR\n"
    "\n"
    "Exit: 0 written; 1 regression or lost conformance against the baseline; 2 usage or "
    "unreadable\n"
    "input; 3 environment error (gnuplot missing or failing, output not writable).\n";

int report_parse_pct(const char *s, double *out) {
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || v < 0 || v > 1000) return -1;
    *out = v;
    return 0;
}

int report_main(int argc, char **argv) {
    static const struct option longopts[] = {{"baseline", required_argument, 0, 'b'},
                                             {"max-regression", required_argument, 0, 'm'},
                                             {"max-p99-regression", required_argument, 0, 'M'},
                                             {"png", no_argument, 0, 'p'},
                                             {"out", required_argument, 0, 'o'},
                                             {"help", no_argument, 0, 'h'},
                                             {0, 0, 0, 0}};
    const char *baseline = NULL;
    double pct = REPORT_DEFAULT_MAX_REGRESSION;
    report_opts_t o = {0};
    optind = 1;
    int ch;
    while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'b': baseline = optarg; break;
        case 'm':
            if (report_parse_pct(optarg, &pct) < 0)
                return cli_usage_error(
                    "report", "--max-regression takes a percentage from 0 to 1000, not '%s'",
                    optarg);
            break;
        case 'M':
            if (report_parse_pct(optarg, &o.max_p99_regression_pct) < 0)
                return cli_usage_error(
                    "report", "--max-p99-regression takes a percentage from 0 to 1000, not '%s'",
                    optarg);
            break;
        case 'p': o.png = true; break;
        case 'o': o.out_dir = optarg; break;
        case 'h': fputs(USAGE, stdout); return CLI_EXIT_OK;
        default: fputs(USAGE, stderr); return CLI_EXIT_USAGE;
        }
    }
    if (optind != argc - 1) return cli_usage_error("report", "expected one RUN_DIR");
    char root[CLI_PATH_MAX], templates[CLI_PATH_MAX + 32];
    err_t err;
    if (cli_root(root, sizeof root, &err) < 0) {
        fprintf(stderr, "parity report: %s\n", err.msg);
        return CLI_EXIT_ENV;
    }
    snprintf(templates, sizeof templates, "%s/reports/templates", root);
    o.templates = templates;
    return report_generate(argv[optind], baseline, pct, &o);
}
