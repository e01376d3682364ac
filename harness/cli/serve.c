/* serve: `parity serve TARGET`: start one target the way `parity check` does (free loopback port,
 * fresh temp dir and SQLite database, the contract environment, readiness) and keep it up for a
 * person or another tool: a browser, curl, a test that drives the web app. The URL is the first and
 * only line on stdout, so a script can read it; everything else goes to stderr.
 *
 * Why a command and not a script that reads target.json: the start argv, placeholders, env,
 * readiness and the stop (SIGTERM to the group, then SIGKILL) are target/'s job, and a second copy
 * in shell would drift from what check and bench run.
 *
 * Bounded in time: it stops the target after --for seconds (default SERVE_FOR_DEFAULT_S, at most
 * SERVE_FOR_MAX_S), on SIGINT/SIGTERM/SIGHUP (target_signals_install stops it and exits 128+signo),
 * or when stdin reaches end of file with --stdin (a parent that dies takes the target with it). */
#include "cli.h"

#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/clock.h"
#include "target/target.h"

#define SERVE_FOR_DEFAULT_S 600
#define SERVE_FOR_MAX_S     86400
#define SERVE_TICK_MS       100

static const char *const SERVE_USAGE =
    "usage: parity serve TARGET [--for SECONDS] [--workers N] [--log FILE] [--stdin]\n"
    "\n"
    "Starts TARGET (targets/TARGET/target.json) on a free 127.0.0.1 port with a fresh database,\n"
    "prints its URL on stdout, and keeps it up until --for seconds have passed (default 600),\n"
    "Ctrl-C, or (with --stdin) end of file on stdin. The target's output goes to --log (default\n"
    "$TMPDIR/parity-serve-TARGET-PID.log).\n"
    "\n"
    "exit: 0 stopped as asked, 2 usage, 3 the target did not start, crashed or did not stop "
    "cleanly\n";

typedef struct serve_opts {
    const char *target, *log;
    long for_s;
    int workers;
    bool stdin_eof;
} serve_opts_t;

static int serve_parse(int argc, char **argv, serve_opts_t *o) {
    static const struct option longs[] = {
        {"for", required_argument, NULL, 'f'}, {"workers", required_argument, NULL, 'w'},
        {"log", required_argument, NULL, 'l'}, {"stdin", no_argument, NULL, 's'},
        {"help", no_argument, NULL, 'h'},      {NULL, 0, NULL, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longs, NULL)) != -1) {
        char *end;
        long v;
        switch (c) {
        case 'f':
            v = strtol(optarg, &end, 10);
            if (*optarg == '\0' || *end || v < 1 || v > SERVE_FOR_MAX_S)
                return cli_usage_error("serve", "--for wants seconds from 1 to %d, not '%s'",
                                       SERVE_FOR_MAX_S, optarg);
            o->for_s = v;
            break;
        case 'w':
            v = strtol(optarg, &end, 10);
            if (*optarg == '\0' || *end || v < 1 || v > 256)
                return cli_usage_error("serve", "--workers wants 1 to 256, not '%s'", optarg);
            o->workers = (int)v;
            break;
        case 'l': o->log = optarg; break;
        case 's': o->stdin_eof = true; break;
        case 'h': fputs(SERVE_USAGE, stdout); return -1;
        default: return cli_usage_error("serve", "unknown option");
        }
    }
    if (optind != argc - 1) return cli_usage_error("serve", "name one target");
    o->target = argv[optind];
    return 0;
}

/* True once stdin is at end of file (or broken). Reads and drops any input. */
static bool serve_stdin_closed(void) {
    struct pollfd p = {.fd = STDIN_FILENO, .events = POLLIN};
    if (poll(&p, 1, 0) <= 0) return false;
    char buf[256];
    return read(STDIN_FILENO, buf, sizeof buf) <= 0;
}

int serve_main(int argc, char **argv) {
    serve_opts_t o = {.for_s = SERVE_FOR_DEFAULT_S};
    int rc = serve_parse(argc, argv, &o);
    if (rc) return rc < 0 ? CLI_EXIT_OK : rc;
    char root[CLI_PATH_MAX], path[CLI_PATH_MAX + 64], log[CLI_PATH_MAX];
    err_t err;
    if (cli_root(root, sizeof root, &err) < 0) {
        fprintf(stderr, "parity serve: %s\n", err.msg);
        return CLI_EXIT_USAGE;
    }
    snprintf(path, sizeof path, "%s/targets/%s/target.json", root, o.target);
    if (access(path, R_OK) != 0)
        return cli_usage_error("serve", "unknown target '%s' (no %s)", o.target, path);
    target_manifest_t m;
    if (target_manifest_load(path, &m, &err) < 0) {
        fprintf(stderr, "%s\n", err.msg);
        return CLI_EXIT_USAGE;
    }
    if (!o.log) {
        const char *tmp = getenv("TMPDIR");
        snprintf(log, sizeof log, "%s/parity-serve-%s-%ld.log", tmp && *tmp ? tmp : "/tmp", m.name,
                 (long)getpid());
        o.log = log;
    }
    char why[512];
    if (!target_requires_ok(&m, why, sizeof why)) {
        fprintf(stderr, "parity serve: target %s: a dependency is missing: %s\n", m.name, why);
        target_manifest_free(&m);
        return CLI_EXIT_ENV;
    }
    if (target_signals_install() < 0) {
        fprintf(stderr, "parity serve: cannot install the signal handler thread\n");
        target_manifest_free(&m);
        return CLI_EXIT_ENV;
    }
    target_opts_t to = {.workers = o.workers, .log_path = o.log, .build_dir = cli_build_dir()};
    target_proc_t p;
    if (target_start(&m, &to, &p, &err) < 0) {
        fprintf(stderr, "parity serve: target %s: %s\n", m.name, err.msg);
        target_manifest_free(&m);
        return CLI_EXIT_ENV;
    }
    printf("%s\n", p.url);
    fflush(stdout);
    fprintf(stderr, "parity serve: %s at %s for %ld s (log %s); Ctrl-C stops it\n", m.name, p.url,
            o.for_s, o.log);
    rc = CLI_EXIT_OK;
    long long end = clock_mono_ms() + (long long)o.for_s * 1000;
    int ws;
    while (clock_mono_ms() < end) {
        if (target_poll(&p, &ws)) {
            char how[128];
            target_describe_exit(ws, how, sizeof how);
            fprintf(stderr, "parity serve: target %s %s while serving (log %s)\n", m.name, how,
                    o.log);
            rc = CLI_EXIT_ENV;
            break;
        }
        if (o.stdin_eof && serve_stdin_closed()) break;
        clock_sleep_ms(SERVE_TICK_MS);
    }
    err_t serr;
    target_stop(&p, &serr);
    if (rc == CLI_EXIT_OK && target_stop_check(&p, &serr) < 0) {
        fprintf(stderr, "parity serve: target %s: %s\n", m.name, serr.msg);
        rc = CLI_EXIT_ENV;
    }
    target_manifest_free(&m);
    return rc;
}
