/* inspect_cmd: `parity inspect`, the trade-off figures of targets without a load run (the same
 * block `parity bench` writes into bench.json). Targets run one at a time, pinned like
 * `parity bench` pins them, so that start-up and memory figures compare with a bench run's. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "inspect.h"

#include "core/json.h"
#include "core/cli_common.h"

#define CMD_MAX_TARGETS 64

static void cmd_help(FILE *f) {
    fprintf(
        f,
        "usage: parity inspect [--target NAME]... [--static] [--starts N] [--connections N]\n"
        "                      [--from RUN_DIR] [--pin auto|none] [--json]\n\n"
        "What each target costs besides its speed, without a load run: lines of code by language\n"
        "and kind (cloc) and the share marked '" INSPECT_RULING_MARK
        "', dependencies (Debian package\n"
        "closure, npm ls, linked libraries) and their installed size, start-up time (exec to the\n"
        "first 200 on the ready path, median of N cold starts), idle RSS, memory per idle\n"
        "keep-alive connection. harness/README.md ('parity inspect') explains every figure.\n\n"
        "  --target NAME     a target of targets/ (repeatable; default: every target)\n"
        "  --static          code and dependencies only: start nothing\n"
        "  --starts N        cold starts to time (default %d, 1..%d)\n"
        "  --connections N   idle connections of the memory probe (default %d, 0 skips it)\n"
        "  --from RUN_DIR    add efficiency (bench.json) and correctness (conformance.json) of a "
        "run\n"
        "  --pin auto|none   auto (default): the target on CPUs 1.. with WORKERS = their count,\n"
        "                    as parity bench does; none: every CPU\n"
        "  --json            print the tradeoffs block (JSON) on stdout\n"
        "  -h, --help        this help\n\n"
        "exit: 0 measured, 2 usage, 3 a target did not start or a tool (cloc, dpkg, npm) failed\n",
        INSPECT_STARTS_DEFAULT, INSPECT_STARTS_MAX, INSPECT_CONNS_DEFAULT);
}

static double num(const cJSON *o, const char *k) {
    return json_num(o, k, -1);
}

static bool has_error(const cJSON *o) {
    return cJSON_IsString(json_get(o, "error"));
}

/* One line per target, then its code by kind and language, then errors. */
static void print_text(const cJSON *block) {
    printf("%-14s %8s %6s %9s %10s %10s %9s %10s %10s %9s %s\n", "TARGET", "APP-CODE", "FILES",
           "RULING", "DEPS", "DEPS-MIB", "START-MS", "IDLE-MIB", "KIB/CONN", "OK/CPU-S",
           "CONFORMS");
    const cJSON *t;
    cJSON_ArrayForEach(t, json_get(block, "targets")) {
        const cJSON *code = json_get(t, "code"), *deps = json_get(t, "dependencies");
        const cJSON *st = json_get(t, "startup"), *cn = json_get(t, "connections");
        const cJSON *eff = json_get(t, "efficiency"), *cor = json_get(t, "correctness");
        char start[32] = "-", idle[32] = "-", conn[32] = "-", effs[32] = "-", ruling[32] = "-";
        if (num(code, "code") >= 0)
            snprintf(ruling, sizeof ruling, "%.0f", num(json_get(code, "ruling"), "lines"));
        if (num(st, "median_ms") >= 0) snprintf(start, sizeof start, "%.0f", num(st, "median_ms"));
        if (num(st, "idle_rss_kib") >= 0)
            snprintf(idle, sizeof idle, "%.1f", num(st, "idle_rss_kib") / 1024);
        if (num(cn, "per_connection_bytes") > -1e18 &&
            cJSON_IsNumber(json_get(cn, "per_connection_bytes")))
            snprintf(conn, sizeof conn, "%.1f", num(cn, "per_connection_bytes") / 1024);
        if (num(eff, "geomean_ok_per_cpu_s") >= 0)
            snprintf(effs, sizeof effs, "%.0f", num(eff, "geomean_ok_per_cpu_s"));
        const cJSON *v = json_get(cor, "verdict");
        printf("%-14s %8.0f %6.0f %9s %10.0f %10.1f %9s %10s %10s %9s %s\n",
               cJSON_GetStringValue(json_get(t, "name")), num(code, "app_code"), num(code, "files"),
               ruling, num(deps, "packages"), num(deps, "size_kib") / 1024, start, idle, conn, effs,
               cJSON_IsString(v) ? v->valuestring : "-");
    }
    cJSON_ArrayForEach(t, json_get(block, "targets")) {
        const char *name = cJSON_GetStringValue(json_get(t, "name"));
        const cJSON *k, *code = json_get(t, "code");
        printf("\n%s: code by kind:", name);
        cJSON_ArrayForEach(k, json_get(code, "by_kind"))
            printf(" %s %.0f", k->string, num(k, "code"));
        printf("; by language:");
        cJSON_ArrayForEach(k, json_get(code, "by_language"))
            printf(" %s %.0f", k->string, num(k, "code"));
        const cJSON *cn = json_get(t, "connections");
        if (num(cn, "requested") >= 0)
            printf("\n%s: connections: %.0f requested, %.0f answered, %.0f open at the RSS read",
                   name, num(cn, "requested"), num(cn, "answered"), num(cn, "open"));
        static const char *const PARTS[] = {"code", "dependencies", "startup", "connections"};
        for (size_t i = 0; i < 4; i++)
            if (has_error(json_get(t, PARTS[i])))
                printf("\n%s: %s: %s", name, PARTS[i],
                       cJSON_GetStringValue(json_get(json_get(t, PARTS[i]), "error")));
        putchar('\n');
    }
}

static int parse_int(const char *opt, const char *s, int lo, int hi, int *out) {
    long v;
    if (str_to_long(s, lo, hi, &v) < 0)
        return cli_usage_error("inspect", "%s wants a number from %d to %d, not '%s'", opt, lo, hi,
                               s);
    *out = (int)v;
    return 0;
}

typedef struct cmd_opts {
    const char *targets[CMD_MAX_TARGETS];
    size_t ntargets;
    const char *from;
    bool json, stat, pin;
    inspect_opts_t io;
} cmd_opts_t;

static int parse(int argc, char **argv, cmd_opts_t *o) {
    static const struct option opts[] = {{"target", required_argument, NULL, 't'},
                                         {"static", no_argument, NULL, 's'},
                                         {"starts", required_argument, NULL, 'n'},
                                         {"connections", required_argument, NULL, 'c'},
                                         {"from", required_argument, NULL, 'f'},
                                         {"pin", required_argument, NULL, 'p'},
                                         {"json", no_argument, NULL, 'j'},
                                         {"help", no_argument, NULL, 'h'},
                                         {0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 't':
            if (o->ntargets >= CMD_MAX_TARGETS)
                return cli_usage_error("inspect", "more than %d --target", CMD_MAX_TARGETS);
            o->targets[o->ntargets++] = optarg;
            break;
        case 's': o->stat = true; break;
        case 'n':
            if (parse_int("--starts", optarg, 1, INSPECT_STARTS_MAX, &o->io.starts))
                return CLI_EXIT_USAGE;
            break;
        case 'c':
            if (parse_int("--connections", optarg, 0, INSPECT_CONNS_MAX, &o->io.connections))
                return CLI_EXIT_USAGE;
            break;
        case 'f': o->from = optarg; break;
        case 'p':
            if (strcmp(optarg, "auto") && strcmp(optarg, "none"))
                return cli_usage_error("inspect", "--pin is auto or none, not '%s'", optarg);
            o->pin = !strcmp(optarg, "auto");
            break;
        case 'j': o->json = true; break;
        case 'h': cmd_help(stdout); return -1;
        default: return cli_usage_error("inspect", "invalid option");
        }
    }
    if (optind < argc) return cli_usage_error("inspect", "unexpected argument '%s'", argv[optind]);
    return 0;
}

/* Loads --from's documents into the block; 2 when the directory has neither. */
static int fill_from(cJSON *block, const char *dir) {
    char p1[CLI_PATH_MAX + 32], p2[CLI_PATH_MAX + 32], p3[CLI_PATH_MAX + 32];
    snprintf(p1, sizeof p1, "%s/bench.json", dir);
    snprintf(p2, sizeof p2, "%s/conformance.json", dir);
    snprintf(p3, sizeof p3, "%s/wire/conformance.json", dir);
    cJSON *b = inspect_load_json(p1), *c = inspect_load_json(p2), *w = inspect_load_json(p3);
    int rc = 0;
    if (!b && !c && !w) {
        fprintf(stderr, "parity inspect: --from %s: no bench.json or conformance.json there\n",
                dir);
        rc = CLI_EXIT_USAGE;
    }
    inspect_fill_results(block, b, c, w);
    cJSON_Delete(b);
    cJSON_Delete(c);
    cJSON_Delete(w);
    return rc;
}

int inspect_main(int argc, char **argv) {
    cmd_opts_t o = {.pin = true,
                    .io = {.starts = INSPECT_STARTS_DEFAULT, .connections = INSPECT_CONNS_DEFAULT}};
    int rc = parse(argc, argv, &o);
    if (rc) return rc < 0 ? CLI_EXIT_OK : rc;
    char dir[CLI_PATH_MAX + 16];
    target_manifest_t *ms;
    size_t n;
    if (target_manifest_scan_root("inspect", dir, sizeof dir, &ms, &n) < 0) return CLI_EXIT_USAGE;
    for (size_t k = 0; k < o.ntargets; k++) {
        size_t i = 0;
        while (i < n && strcmp(ms[i].name, o.targets[k])) i++;
        if (i == n)
            rc = cli_usage_error("inspect", "unknown target '%s' (no %s/%s/target.json)",
                                 o.targets[k], dir, o.targets[k]);
    }
    /* pinning as parity bench: CPU 0 for the client, the others for the target */
    cpu_set_t cpus;
    CPU_ZERO(&cpus);
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    if (o.pin && ncpu >= 2) {
        for (long i = 1; i < ncpu && i < CPU_SETSIZE; i++) CPU_SET((int)i, &cpus);
        o.io.cpus = &cpus;
        o.io.workers = (int)ncpu - 1;
    }
    o.io.build_dir = cli_build_dir();
    char log[CLI_PATH_MAX];
    const char *tmp = getenv("TMPDIR");
    snprintf(log, sizeof log, "%s/parity-inspect-%ld.log", tmp && *tmp ? tmp : "/tmp",
             (long)getpid());
    o.io.log_path = log;
    cJSON *block = inspect_block_new(o.stat ? NULL : &o.io);
    if (rc == 0 && target_signals_install() < 0) {
        fprintf(stderr, "parity inspect: cannot install the signal handler thread\n");
        rc = CLI_EXIT_ENV;
    }
    for (size_t i = 0; rc == 0 && i < n; i++) {
        bool want = o.ntargets == 0;
        for (size_t k = 0; k < o.ntargets; k++) want |= !strcmp(ms[i].name, o.targets[k]);
        if (!want) continue;
        fprintf(stderr, "inspect: %s\n", ms[i].name);
        cJSON *t = inspect_target(block, &ms[i], o.stat ? NULL : &o.io);
        static const char *const PARTS[] = {"code", "dependencies", "startup", "connections"};
        for (size_t p = 0; p < 4; p++)
            if (has_error(json_get(t, PARTS[p]))) rc = CLI_EXIT_ENV;
    }
    unlink(log);
    if (o.from && (rc == 0 || rc == CLI_EXIT_ENV)) {
        int frc = fill_from(block, o.from);
        if (frc) rc = frc;
    }
    if (rc == 0 || rc == CLI_EXIT_ENV) {
        if (o.json) {
            char *text = cJSON_Print(block);
            if (text) puts(text);
            free(text);
        } else {
            print_text(block);
        }
    }
    cJSON_Delete(block);
    target_manifest_free_all(ms, n);
    return rc;
}
