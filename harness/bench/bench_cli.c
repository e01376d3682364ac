/* bench_cli: `parity bench` options and the built-in profiles. */
#include "bench.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "core/cli_common.h"
#include "core/clock.h"
#include "core/file.h"

/* name, levels, nlevels, duration_s, repeat, primer_s, warmup_s, pause_ms, ceiling_s, host_wait_s.
 * quick: three repetitions (each in a fresh process, interleaved) of 3 s after a 1 s primer and
 * a 1 s warmup, so that it takes about what one 5 s repetition with a 5 s primer and a 3 s warmup
 * took (specs/bench/README.md has the arithmetic). smoke stays at one repetition (CI). */
static const bench_profile_t PROFILES[] = {
    {"smoke", {16}, 1, 2, 1, 1, 1, 300, 1, 0},
    {"quick", {64}, 1, 3, 3, 1, 1, 300, 2, 30},
    {"full", {16, 64, 256}, 3, 15, 5, 5, 10, 2000, 5, 60},
    /* soak (bench/soak.c): 60 windows of 10 s of one scenario on one target process (short
     * windows: wrk's done() writes the whole latency histogram, which grows with the window) */
    {"soak", {64}, 1, 10, 60, 5, 10, 0, 0, 0},
};

const bench_profile_t *bench_profile_find(const char *name) {
    for (size_t i = 0; i < sizeof PROFILES / sizeof *PROFILES; i++)
        if (strcmp(PROFILES[i].name, name) == 0) return &PROFILES[i];
    return NULL;
}

static const char *const USAGE =
    "usage: parity bench [--target NAME]... [--scenario NAME]... [--profile "
    "smoke|quick|full|soak]\n"
    "                    [--connections LIST] [--duration S] [--repeat N] [--pin auto|none]\n"
    "                    [--url NAME=URL]... [--cv-threshold PCT] [--count-statuses] [--out DIR]\n"
    "                    [--host-wait S]\n"
    "                    [--open] [--rates LIST | --sweep auto] [--arrivals uniform|poisson]\n"
    "                    [--slo MS] [--policy queue|drop]\n"
    "                    [--client local|ssh://[USER@]HOST[:PORT]]...\n"
    "                    [--target-metrics URL --target-group NAME]\n"
    "\n"
    "Each repetition starts every target afresh, in turn (ABAB), seeds it through its API\n"
    "(specs/bench/seed.json) and runs each scenario of specs/bench/scenarios with wrk: every\n"
    "request kind checked, a primer, a warmup, a measured run per connection level, the kinds\n"
    "checked again. Requests/s counts successful answers only; every other answer and socket\n"
    "error is reported beside it. Figures are medians over repetitions with min-max and CV;\n"
    "wrk is also run against a trivial responder (the client's ceiling). Writes DIR/bench.json\n"
    "(default reports/runs/<id>/), wrk scripts and target logs.\n"
    "\n"
    "  --target NAME        benchmark this target (repeatable; default: every target)\n"
    "  --scenario NAME[,NAME]  run these scenarios (repeatable; default: every scenario\n"
    "                       but those whose file says \"default\": false)\n"
    "  --profile P          smoke (16 conn, 2 s, 1 repetition), quick (64 conn, 3 s, 3\n"
    "                       repetitions; default), full (16,64,256 conn, 15 s, 5 repetitions);\n"
    "                       soak: 60 windows of 10 s of one scenario (default mixed) on one\n"
    "                       target process, memory, open fds and errors per window (soak.json,\n"
    "                       charts/soak-<target>.svg; minutes per target, not for CI)\n"
    "  --connections LIST   connection levels, e.g. 16,64,256 (overrides the profile)\n"
    "  --duration S         seconds per measured run (overrides the profile)\n"
    "  --repeat N           repetitions per level (overrides the profile)\n"
    "  --pin auto|none      auto: wrk on CPU 0, the target on the others with WORKERS = their\n"
    "                       count (default); none: no pinning, WORKERS = all CPUs\n"
    "  --url NAME=URL       benchmark a server someone else started (no CPU/memory figures;\n"
    "                       not restarted between repetitions)\n"
    "  --cv-threshold PCT   flag a figure unstable above this coefficient of variation (5)\n"
    "  --host-wait S        before each measured run, wait up to S seconds for the host to\n"
    "                       leave a slow window (a memory probe on the target's CPU), and\n"
    "                       measure once more a run the window began during; at the end,\n"
    "                       a repetition found slow is made up in a fresh process; 0: no probe\n"
    "                       (default: smoke 0, quick 30, full 60; specs/bench/README.md)\n"
    "  --count-statuses     count every status in wrk's Lua response() even where wrk's own\n"
    "                       counter suffices (slower client; see "
    "specs/bench/README.md)\n" BENCH_OPEN_USAGE
    "  --client C           run wrk on load machine C (repeatable): local, or\n"
    "                       ssh://[USER@]HOST[:PORT] over OpenSSH (BatchMode; wrk installed\n"
    "                       there); the same script on every client, started together, each\n"
    "                       level's connections split over them, histograms merged exactly;\n"
    "                       no client ceiling (client-bound: each client's CPU). Default: one\n"
    "                       wrk here (docs/multi-machine.md)\n"
    "  --target-metrics URL scrape prometheus-process-exporter's /metrics around measured runs:\n"
    "  --target-group NAME  CPU seconds, RSS and PSS of that group (a target on another host)\n"
    "  --out DIR            output directory\n"
    "  --db sqlite|postgres the targets' database (default sqlite); postgres: a private\n"
    "                       PostgreSQL cluster, a fresh database per target start, and without\n"
    "                       --target only the targets declaring it (harness/README.md)\n"
    "  --db-url URL         PostgreSQL on an existing server instead\n"
    "\n"
    "Exit: 0 all measured; 1 a request kind answered wrongly, unexpected answers beyond the\n"
    "scenario's tolerated rate, or an integrity check failed; 2 usage or spec error;\n"
    "3 environment error (a target did not start or crashed, wrk failed).\n";

static int parse_levels(const char *s, bench_profile_t *p) {
    p->nlevels = 0;
    char tmp[256];
    snprintf(tmp, sizeof tmp, "%s", s);
    for (char *save = NULL, *tok = strtok_r(tmp, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        long v;
        if (p->nlevels >= BENCH_MAX_LEVELS || str_to_long(tok, 1, 100000, &v) < 0) return -1;
        p->levels[p->nlevels++] = (int)v;
    }
    return p->nlevels ? 0 : -1;
}

/* Options that only make sense once all are read (the profile first, then what overrides it). */
typedef struct bench_raw_opts {
    const char *levels, *profile;
    long duration, repeat, host_wait; /* host_wait -1: the profile's */
} bench_raw_opts_t;

static int bench_usage(void) {
    fputs(USAGE, stderr);
    return 2;
}

/* argv into o and raw. 0, -1 after --help, or the usage exit code (message printed). */
static int bench_parse(int argc, char **argv, bench_opts_t *o, bench_raw_opts_t *raw) {
    static const struct option longopts[] = {{"target", required_argument, 0, 't'},
                                             {"scenario", required_argument, 0, 's'},
                                             {"profile", required_argument, 0, 'p'},
                                             {"connections", required_argument, 0, 'c'},
                                             {"duration", required_argument, 0, 'd'},
                                             {"repeat", required_argument, 0, 'r'},
                                             {"pin", required_argument, 0, 'P'},
                                             {"url", required_argument, 0, 'u'},
                                             {"out", required_argument, 0, 'o'},
                                             {"help", no_argument, 0, 'h'},
                                             {"cv-threshold", required_argument, 0, 'V'},
                                             {"count-statuses", no_argument, 0, 'S'},
                                             {"client", required_argument, 0, 'C'},
                                             {"target-metrics", required_argument, 0, 'M'},
                                             {"target-group", required_argument, 0, 'G'},
                                             {"host-wait", required_argument, 0, 'W'},
                                             BENCH_OPEN_LONGOPTS,
                                             {0, 0, 0, 0}};
    memset(o, 0, sizeof *o);
    o->profile = *bench_profile_find("quick");
    o->pin_auto = true;
    optind = 1;
    int ch;
    while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (ch) {
        case 't':
            if (o->ntargets >= BENCH_MAX_TARGETS) return bench_usage();
            o->targets[o->ntargets++] = optarg;
            break;
        case 's': /* repeatable, and a comma-separated list: web-article,web-comment */
            if (cli_split_names(optarg, o->scenarios, &o->nscenarios, BENCH_MAX_SCENARIOS) < 0)
                return bench_usage();
            break;
        case 'p': raw->profile = optarg; break;
        case 'c': raw->levels = optarg; break;
        case 'd':
            if (str_to_long(optarg, 1, BENCH_MAX_DURATION_S, &raw->duration) < 0)
                return cli_usage_error("bench", "--duration must be 1..%d seconds",
                                       BENCH_MAX_DURATION_S);
            break;
        case 'r':
            if (str_to_long(optarg, 1, BENCH_MAX_REPEAT, &raw->repeat) < 0) {
                fprintf(stderr, "parity bench: --repeat must be 1..%d\n", BENCH_MAX_REPEAT);
                return 2;
            }
            break;
        case 'P':
            if (strcmp(optarg, "auto") && strcmp(optarg, "none")) {
                fprintf(stderr, "parity bench: --pin must be auto or none\n");
                return 2;
            }
            o->pin_auto = !strcmp(optarg, "auto");
            break;
        case 'u':
            if (o->nurls >= BENCH_MAX_TARGETS || !strchr(optarg, '=') || optarg[0] == '=') {
                fprintf(stderr,
                        "parity bench: --url takes NAME=URL (e.g. quill=http://127.0.0.1:8080)\n");
                return 2;
            }
            o->urls[o->nurls++] = optarg;
            break;
        case 'o': o->out_dir = optarg; break;
        case 'V': {
            char *end = NULL;
            double v = strtod(optarg, &end);
            if (!end || *end || !(v > 0 && v <= 1000))
                return cli_usage_error("bench",
                                       "--cv-threshold takes a percentage above 0 (e.g. 5)");
            o->cv_threshold_pct = v;
            break;
        }
        case 'S': o->count_statuses = true; break;
        case 'C': {
            err_t cerr;
            if (o->nclients >= CLIENTS_MAX)
                return cli_usage_error("bench", "at most %d --client", CLIENTS_MAX);
            if (client_parse(optarg, &o->clients[o->nclients++], &cerr) < 0)
                return cli_usage_error("bench", "%s", cerr.msg);
            break;
        }
        case 'M': o->target_metrics = optarg; break;
        case 'G': o->target_group = optarg; break;
        case 'W':
            if (str_to_long(optarg, 0, BENCH_MAX_HOST_WAIT_S, &raw->host_wait) < 0)
                return cli_usage_error("bench", "--host-wait must be 0..%d seconds",
                                       BENCH_MAX_HOST_WAIT_S);
            break;
        case 'h': fputs(USAGE, stdout); return -1;
        default:
            if (ch < BENCH_OPEN_OPT_OPEN || ch > BENCH_OPEN_OPT_POLICY) return bench_usage();
            if (bench_open_option(&o->open, ch, optarg) < 0) return 2;
            break;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "parity bench: unexpected argument \"%s\"\n", argv[optind]);
        return bench_usage();
    }
    return 0;
}

/* The profile, then --connections, --duration and --repeat over it, and the options that go (or
 * do not go) together. 0, or the usage exit code (message printed). */
static int bench_settle(bench_opts_t *o, const bench_raw_opts_t *raw) {
    if (raw->profile) {
        const bench_profile_t *p = bench_profile_find(raw->profile);
        if (!p) {
            fprintf(stderr, "parity bench: unknown profile \"%s\" (smoke, quick, full, soak)\n",
                    raw->profile);
            return 2;
        }
        o->profile = *p;
    }
    if (raw->levels && parse_levels(raw->levels, &o->profile) < 0) {
        fprintf(
            stderr,
            "parity bench: --connections takes a comma-separated list of 1..100000 (at most %d)\n",
            BENCH_MAX_LEVELS);
        return 2;
    }
    /* soak (soak.c) and --open (openloop.c) load from this machine only, without clients.c */
    if ((o->nclients || o->target_metrics) && (o->open.enabled || !strcmp(o->profile.name, "soak")))
        return cli_usage_error("bench", "--client and --target-metrics apply to closed-loop wrk "
                                        "runs (not --open or --profile soak)");
    if (!o->target_metrics != !o->target_group)
        return cli_usage_error("bench", "--target-metrics and --target-group go together");
    if (o->target_metrics && strncmp(o->target_metrics, "http://", 7) &&
        strncmp(o->target_metrics, "https://", 8))
        return cli_usage_error("bench", "--target-metrics takes an http:// or https:// URL");
    if (raw->duration) o->profile.duration_s = (int)raw->duration;
    if (raw->repeat) o->profile.repeat = (int)raw->repeat;
    if (raw->host_wait >= 0) o->profile.host_wait_s = (int)raw->host_wait;
    return 0;
}

int bench_main(int argc, char **argv) {
    bench_opts_t o;
    bench_raw_opts_t raw = {.host_wait = -1};
    int rc = bench_parse(argc, argv, &o, &raw);
    if (rc) return rc < 0 ? 0 : rc;
    if ((rc = bench_settle(&o, &raw)) != 0) return rc;
    char run_id[32], out[CLI_PATH_MAX + 64], root[CLI_PATH_MAX];
    err_t err;
    if (o.nclients) {
        /* The ceiling is a local figure (a responder here), meaningless for remote clients:
         * each client's own CPU flags a client-bound run. Unreachable clients: exit 3 now. */
        o.profile.ceiling_s = 0;
        if (clients_preflight(o.clients, o.nclients, &err) < 0) {
            fprintf(stderr, "parity bench: %s\n", err.msg);
            return CLI_EXIT_ENV;
        }
    }
    clock_run_id(run_id, sizeof run_id);
    o.run_id = run_id;
    if (cli_root(root, sizeof root, &err) < 0) {
        fprintf(stderr, "parity bench: %s\n", err.msg);
        return CLI_EXIT_ENV;
    }
    o.root = root;
    if (!o.out_dir) {
        snprintf(out, sizeof out, "%s/reports/runs/%s", root, run_id);
        o.out_dir = out;
    }
    if (file_mkdirs(o.out_dir, &err) < 0) {
        fprintf(stderr, "parity bench: %s\n", err.msg);
        return CLI_EXIT_ENV;
    }
    return bench_execute(&o);
}
