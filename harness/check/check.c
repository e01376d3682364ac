/* check: `parity check` options, loading, orchestration, output files and exit code. See check.h.
 *
 * Order matters for the exit codes: every spec file is loaded and validated before anything
 * starts (any error: exit 2, nothing run); then manifests (exit 2 on a bad one); then targets run
 * concurrently. A target that does not start or crashes makes the run exit 3, but the files are
 * still written for whatever ran. */
#include <errno.h>
#include <fnmatch.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "check.h"
#include "core/cli_common.h"
#include "core/clock.h"
#include "core/file.h"
#include "spec/hurl.h"
#include "spec/tmpl.h"

#ifndef PARITY_VERSION
#define PARITY_VERSION "0.0.0"
#endif

static void check_help(FILE *f) {
    fprintf(
        f,
        "usage: parity check [OPTIONS]\n\n"
        "Runs the conformance suites (specs/blog/*.json and specs/web/*.json by default) against\n"
        "every target (targets/*/target.json), each started fresh on a free port with its own\n"
        "database.\n\n"
        "  -t, --target NAME    run only this target (repeatable)\n"
        "  -u, --url NAME=URL   run against a server someone else started (repeatable; with no\n"
        "                       --target only the --url targets run)\n"
        "      --secret NAME=KEY  the SECRET_KEY of a --url target, for {{secret}} and "
        "{{jwt(...)}}\n"
        "                       (parity generates it for the targets it starts)\n"
        "  -s, --spec PATH      a suite file or a directory of them (repeatable)\n"
        "  -f, --filter GLOB    only the suites whose name matches (fnmatch, e.g. 'art*')\n"
        "  -j, --jobs N         suites run in parallel per target (default %d)\n"
        "  -w, --workers N      WORKERS given to the targets parity starts (default 2)\n"
        "  -o, --out DIR        output directory (default ROOT/reports/runs/<run id>):\n"
        "                       conformance.json and logs/<target>.log\n"
        "      --junit FILE     also write JUnit XML\n"
        "      --tap FILE       also write TAP version 13\n"
        "      --json FILE      also write conformance.json here ('-' = stdout)\n"
        "      --hurl PATH      run Hurl files: a .hurl file or a directory of them, one suite\n"
        "                       per file (repeatable; without --spec, only these run)\n"
        "      --variable NAME=VALUE  a variable of the Hurl files (repeatable); {{host}} is\n"
        "                       each target's URL unless given here\n"
        "      --ready-timeout S  seconds a target may take to answer its ready path\n"
        "      --fail-fast      after the first failing suite, skip the suites not yet started\n"
        "      --strict         a skipped step fails the run (exit 1): \"conformant with N "
        "skips\"\n"
        "                       is not conformant\n"
        "  -v, --verbose        a line per step, every failure block\n"
        "  -q, --quiet          no progress lines\n"
        "      --run-id ID      the run id (default: YYYYMMDD-HHMMSS-xxxx)\n"
        "      --db sqlite|postgres  the targets' database (default sqlite); postgres starts a\n"
        "                       private PostgreSQL cluster for the run, a fresh database per\n"
        "                       target (DATABASE_URL); without --target only the targets whose\n"
        "                       target.json lists \"postgres\" in \"databases\" run\n"
        "      --db-url URL     PostgreSQL on an existing server (postgresql://...; the URL names\n"
        "                       the maintenance database): a database per target is made there\n"
        "  -h, --help           this help\n\n"
        "exit codes: 0 every step passed, 1 a step failed, 2 usage or spec-file errors,\n"
        "            3 a target did not start, crashed, or its dependencies are missing\n"
        "environment: PARITY_ROOT, PARITY_BUILD_DIR, NO_COLOR\n",
        CHECK_DEFAULT_JOBS);
}

static int check_int_opt(const char *name, const char *s, long min, long max, int *out) {
    long v;
    if (str_to_long(s, min, max, &v) < 0)
        return cli_usage_error("check", "%s wants an integer in %ld..%ld, got '%s'", name, min, max,
                               s);
    *out = (int)v;
    return 0;
}

static int check_parse(int argc, char **argv, check_opts_t *o, bool *help) {
    enum { O_JUNIT = 256, O_TAP, O_JSON, O_FAILFAST, O_RUNID, O_READY, O_SECRET, O_HURL, O_VAR };
    static const struct option opts[] = {{"target", required_argument, NULL, 't'},
                                         {"url", required_argument, NULL, 'u'},
                                         {"spec", required_argument, NULL, 's'},
                                         {"filter", required_argument, NULL, 'f'},
                                         {"jobs", required_argument, NULL, 'j'},
                                         {"workers", required_argument, NULL, 'w'},
                                         {"out", required_argument, NULL, 'o'},
                                         {"junit", required_argument, NULL, O_JUNIT},
                                         {"tap", required_argument, NULL, O_TAP},
                                         {"json", required_argument, NULL, O_JSON},
                                         {"fail-fast", no_argument, NULL, O_FAILFAST},
                                         {"strict", no_argument, NULL, 'S'},
                                         {"verbose", no_argument, NULL, 'v'},
                                         {"quiet", no_argument, NULL, 'q'},
                                         {"run-id", required_argument, NULL, O_RUNID},
                                         {"ready-timeout", required_argument, NULL, O_READY},
                                         {"secret", required_argument, NULL, O_SECRET},
                                         {"hurl", required_argument, NULL, O_HURL},
                                         {"variable", required_argument, NULL, O_VAR},
                                         {"help", no_argument, NULL, 'h'},
                                         {0}};
    int c, v = 0;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":t:u:s:f:j:w:o:vqh", opts, NULL)) != -1) {
        switch (c) {
        case 't':
            if (o->ntargets == CHECK_MAX_TARGETS)
                return cli_usage_error("check", "too many --target");
            o->targets[o->ntargets++] = optarg;
            break;
        case 'u': {
            char *eq = strchr(optarg, '=');
            if (!eq || eq == optarg || strncmp(eq + 1, "http://", 7) != 0)
                return cli_usage_error("check", "--url wants NAME=http://HOST:PORT, got '%s'",
                                       optarg);
            if (o->nurls == CHECK_MAX_TARGETS) return cli_usage_error("check", "too many --url");
            *eq = '\0';
            size_t ul = strlen(eq + 1);
            while (ul > 0 && eq[ul] == '/') eq[ul--] = '\0'; /* no trailing slash */
            o->urls[o->nurls++] = (check_url_t){optarg, eq + 1};
            break;
        }
        case O_SECRET: {
            char *eq = strchr(optarg, '=');
            if (!eq || eq == optarg || !eq[1] || strlen(eq + 1) > 64)
                return cli_usage_error("check", "--secret wants NAME=KEY (1 to 64 bytes), got '%s'",
                                       optarg);
            if (o->nsecrets == CHECK_MAX_TARGETS)
                return cli_usage_error("check", "too many --secret");
            *eq = '\0';
            o->secrets[o->nsecrets++] = (check_secret_t){optarg, eq + 1};
            break;
        }
        case O_HURL:
            if (o->nhurls == CHECK_MAX_SPECS) return cli_usage_error("check", "too many --hurl");
            o->hurls[o->nhurls++] = optarg;
            break;
        case O_VAR: {
            const char *eq = strchr(optarg, '=');
            if (!eq || eq == optarg)
                return cli_usage_error("check", "--variable wants NAME=VALUE, got '%s'", optarg);
            if (o->nvariables == CHECK_MAX_SPECS)
                return cli_usage_error("check", "too many --variable");
            o->variables[o->nvariables++] = optarg;
            break;
        }
        case 's':
            if (o->nspecs == CHECK_MAX_SPECS) return cli_usage_error("check", "too many --spec");
            o->specs[o->nspecs++] = optarg;
            break;
        case 'f': o->filter = optarg; break;
        case 'j':
            if (check_int_opt("--jobs", optarg, 1, CHECK_MAX_JOBS, &o->jobs) != 0) return -1;
            break;
        case 'w':
            if (check_int_opt("--workers", optarg, 1, 1024, &o->workers) != 0) return -1;
            break;
        case 'o': o->out = optarg; break;
        case O_JUNIT: o->junit = optarg; break;
        case O_TAP: o->tap = optarg; break;
        case O_JSON: o->json = optarg; break;
        case O_FAILFAST: o->fail_fast = true; break;
        case O_RUNID: o->run_id = optarg; break;
        case O_READY:
            if (check_int_opt("--ready-timeout", optarg, 1, 3600, &v) != 0) return -1;
            o->ready_timeout_ms = v * 1000;
            break;
        case 'S': o->strict = true; break;
        case 'v': o->verbose = true; break;
        case 'q': o->quiet = true; break;
        case 'h': *help = true; return 0;
        case ':': return cli_usage_error("check", "option '%s' needs a value", argv[optind - 1]);
        default: return cli_usage_error("check", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc) return cli_usage_error("check", "unexpected argument '%s'", argv[optind]);
    return 0;
}

int check_main(int argc, char **argv) {
    check_opts_t o = {.jobs = CHECK_DEFAULT_JOBS};
    bool help = false;
    if (check_parse(argc, argv, &o, &help) != 0) return CLI_EXIT_USAGE; /* message printed */
    if (help) {
        check_help(stdout);
        return CLI_EXIT_OK;
    }
    char root[CLI_PATH_MAX];
    err_t err;
    if (cli_root(root, sizeof root, &err) < 0) {
        fprintf(stderr, "parity check: %s\n", err.msg);
        return CLI_EXIT_USAGE;
    }
    o.root = root;
    /* Before any thread exists: SIGINT/SIGTERM go to the thread that stops the targets. */
    if (target_signals_install() < 0)
        fprintf(stderr, "parity check: warning: cannot install signal handling\n");
    result_run_t run;
    int rc = check_run(&o, &run);
    results_free(&run);
    return rc;
}

/* ---- the run ------------------------------------------------------------------------------- */

static void *check_worker(void *arg) {
    check_target_t *t = arg;
    check_ctx_t *c = t->ctx;
    http_client_t *hc = http_client_new();
    for (;;) {
        size_t si = atomic_fetch_add(&t->next_suite, 1);
        if (si >= c->nsuites) break;
        if (!hc) {
            check_skip_suite(t, si, "not run: cannot create an HTTP client");
        } else if (c->o->fail_fast && atomic_load(&c->failed_any)) {
            check_skip_suite(t, si, "not run: --fail-fast after an earlier failure");
        } else {
            check_run_suite(t, si, hc);
        }
        const result_suite_t *su = &t->res->suites[si];
        if (su->status == RESULT_FAIL || su->status == RESULT_ERROR)
            atomic_store(&c->failed_any, true);
        check_report_suite(c, t, su);
    }
    http_client_free(hc);
    return NULL;
}

/* A reachability probe for --url targets: any HTTP answer will do. */
static int check_probe_external(check_target_t *t, err_t *err) {
    http_client_t *hc = http_client_new();
    if (!hc) return err_set(err, "out of memory");
    req_t req;
    req_init(&req);
    req.method = "GET";
    buf_adds(&req.target, "/plaintext");
    req.timeout_ms = 5000;
    resp_t resp;
    resp_init(&resp);
    http_outcome_t out;
    int rc = http_send(hc, t->url, &req, &resp, &out, err);
    if (rc < 0) err_prefix(err, "target %s at %s is not reachable: ", t->name, t->url);
    resp_free(&resp);
    req_free(&req);
    http_client_free(hc);
    return rc;
}

/* Starts t (requires, version, target_start) or probes its --url. 0, or -1 with r's error set. */
static int check_bring_up(check_target_t *t, long long t0) {
    check_ctx_t *c = t->ctx;
    result_target_t *r = t->res;
    err_t err;
    if (!t->m) {
        r->version = result_strdup("external");
        if (check_probe_external(t, &err) == 0) return 0;
        r->error = result_strdup(err.msg);
        return -1;
    }
    char why[512], ver[512];
    if (!target_requires_ok(t->m, why, sizeof why)) {
        r->error = result_printf("target %s: dependencies missing (%s)", t->name, why);
        return -1;
    }
    target_version(t->m, ver, sizeof ver);
    r->version = result_strdup(ver);
    r->orm = result_strdup(t->m->orm);
    char log[CHECK_PATH_MAX + 64];
    snprintf(log, sizeof log, "%s/logs/%s.log", c->out, t->name);
    r->log = result_strdup(log);
    target_opts_t to = {.workers = c->o->workers > 0 ? c->o->workers : 2,
                        .log_path = log,
                        .build_dir = cli_build_dir(),
                        .ready_timeout_ms = c->o->ready_timeout_ms};
    r->workers = to.workers;
    if (target_start(t->m, &to, &t->proc, &err) < 0) {
        r->error = result_strdup(err.msg);
        return -1;
    }
    t->started = true;
    snprintf(t->url, sizeof t->url, "%s", t->proc.url);
    r->start_ms = (double)(clock_mono_ms() - t0);
    return 0;
}

/* One result slot per suite, then the suites on up to --jobs workers. -1 out of memory. */
static int check_run_suites(check_target_t *t) {
    check_ctx_t *c = t->ctx;
    result_target_t *r = t->res;
    /* Suite slots exist only for a target that runs: one that did not start has none. */
    r->suites = calloc(c->nsuites, sizeof *r->suites);
    if (!r->suites) return -1;
    for (size_t j = 0; j < c->nsuites; j++) {
        r->suites[j].name = result_strdup(c->suites[j]->name);
        r->suites[j].file = result_strdup(check_relpath(c, c->suites[j]->file));
        r->suites[j].description =
            result_strdup(c->suites[j]->description ? c->suites[j]->description : "");
    }
    r->n = c->nsuites;
    size_t nw = (size_t)(c->o->jobs > 0 ? c->o->jobs : CHECK_DEFAULT_JOBS);
    if (nw > c->nsuites) nw = c->nsuites;
    pthread_t th[CHECK_MAX_JOBS];
    size_t started = 0;
    for (size_t i = 0; i < nw; i++)
        if (pthread_create(&th[started], NULL, check_worker, t) == 0) started++;
    if (started == 0) check_worker(t);
    for (size_t i = 0; i < started; i++) pthread_join(th[i], NULL);
    return 0;
}

/* Stops a target parity started: a crash after the last step, a stop that needed SIGKILL (a
 * warning) and an unclean end (a crash: exit status, sanitizer report) are recorded. */
static void check_bring_down(check_target_t *t) {
    check_ctx_t *c = t->ctx;
    result_target_t *r = t->res;
    err_t err;
    if (!t->crash && target_poll(&t->proc, NULL)) {
        int ws = 0;
        char how[160];
        target_poll(&t->proc, &ws);
        target_describe_exit(ws, how, sizeof how);
        t->crash = result_printf("target %s exited (%s) after the last step", t->name, how);
    }
    long long s0 = clock_mono_ms();
    int stopped = target_stop(&t->proc, &err);
    r->stop_ms = (double)(clock_mono_ms() - s0);
    if (stopped < 0) {
        r->stop_error = result_strdup(err.msg);
        pthread_mutex_lock(&c->out_mu);
        fprintf(stderr, "parity check: warning: target %s %s\n", t->name, err.msg);
        pthread_mutex_unlock(&c->out_mu);
    }
    if (!t->crash && target_stop_check(&t->proc, &err) < 0)
        t->crash = result_printf("target %s: %s", t->name, err.msg);
}

/* One target's thread: up, every suite, down, its results. */
static void *check_one_target(void *arg) {
    check_target_t *t = arg;
    check_ctx_t *c = t->ctx;
    result_target_t *r = t->res;
    if (check_bring_up(t, clock_mono_ms()) < 0) {
        r->status = RESULT_ERROR;
        check_report_target(c, t);
        return NULL;
    }
    free(r->url);
    r->url = result_strdup(t->url);
    if (check_run_suites(t) < 0) {
        r->status = RESULT_ERROR;
        r->error = result_strdup("out of memory");
        if (t->started) target_stop(&t->proc, NULL);
        return NULL;
    }
    if (t->started) check_bring_down(t);
    if (t->crash) {
        r->status = RESULT_ERROR;
        r->error = result_strdup(t->crash);
    }
    result_target_finish(r);
    check_report_target(c, t);
    return NULL;
}

/* Resolves which targets run. -1 (usage error printed) on an unknown name; 1 when --db postgres
 * leaves none (a message printed). */
static int check_pick_targets(check_ctx_t *c, target_manifest_t **ms, size_t *nms) {
    const check_opts_t *o = c->o;
    err_t err;
    bool need_manifests = o->nurls == 0 || o->ntargets > 0;
    *ms = NULL;
    *nms = 0;
    if (need_manifests) {
        char dir[CHECK_PATH_MAX + 16];
        snprintf(dir, sizeof dir, "%s/targets", o->root);
        if (target_manifest_scan(dir, ms, nms, &err) < 0) {
            fprintf(stderr, "%s\n", err.msg);
            return -1;
        }
    }
    size_t cap = o->ntargets ? o->ntargets : (o->nurls ? o->nurls : *nms);
    c->targets = calloc(cap ? cap : 1, sizeof *c->targets);
    if (!c->targets) return -1;
    if (o->ntargets == 0 && o->nurls > 0) {
        for (size_t i = 0; i < o->nurls; i++) {
            c->targets[c->ntargets].name = o->urls[i].name;
            snprintf(c->targets[c->ntargets++].url, sizeof c->targets->url, "%s", o->urls[i].url);
        }
        return 0;
    }
    if (o->ntargets == 0) {
        size_t skipped = 0;
        for (size_t i = 0; i < *nms; i++) {
            /* --db postgres: only the targets that declare it (target.json "databases"). */
            if (db_active() && !((*ms)[i].databases & (1u << DB_POSTGRES))) {
                fprintf(stderr, "%s%s",
                        skipped++ ? ", "
                                  : "parity check: not on PostgreSQL "
                                    "(no \"postgres\" in their target.json \"databases\"): ",
                        (*ms)[i].name);
                continue;
            }
            c->targets[c->ntargets].m = &(*ms)[i];
            c->targets[c->ntargets++].name = (*ms)[i].name;
        }
        if (skipped) fprintf(stderr, "\n");
        if (c->ntargets == 0 && skipped) {
            fprintf(stderr, "parity check: no target declares \"postgres\": nothing to check\n");
            return 1;
        }
        if (c->ntargets == 0) {
            fprintf(stderr, "parity check: no targets: no %s/targets/*/target.json and no --url\n",
                    o->root);
            return -1;
        }
        if (c->ntargets > CHECK_MAX_TARGETS) {
            fprintf(stderr,
                    "parity check: %zu targets under %s/targets; at most %d run at once: "
                    "pick them with --target\n",
                    c->ntargets, o->root, CHECK_MAX_TARGETS);
            return -1;
        }
        return 0;
    }
    for (size_t i = 0; i < o->ntargets; i++) {
        const char *name = o->targets[i];
        for (size_t k = 0; k < c->ntargets; k++)
            if (strcmp(c->targets[k].name, name) == 0) {
                cli_usage_error("check", "target '%s' given twice", name);
                return -1;
            }
        check_target_t *t = &c->targets[c->ntargets];
        for (size_t u = 0; u < o->nurls; u++)
            if (strcmp(o->urls[u].name, name) == 0) {
                t->name = name;
                snprintf(t->url, sizeof t->url, "%s", o->urls[u].url);
            }
        for (size_t m = 0; !t->name && m < *nms; m++)
            if (strcmp((*ms)[m].name, name) == 0) {
                t->m = &(*ms)[m];
                t->name = name;
            }
        if (!t->name) {
            cli_usage_error(
                "check", "unknown target '%s' (no %s/targets/%s/target.json and no --url %s=...)",
                name, o->root, name, name);
            return -1;
        }
        c->ntargets++;
    }
    return 0;
}

static int check_load_specs(check_ctx_t *c) {
    const check_opts_t *o = c->o;
    /* The default: the API suites and the web app's (contract section 7). A root without
     * specs/web (a fixture root, an API-only fork of the contract) runs specs/blog alone. */
    char def[2][CHECK_PATH_MAX + 16];
    const char *defs[2];
    const char *const *paths = o->specs;
    size_t n = o->nspecs;
    if (n == 0 && o->nhurls == 0) {
        struct stat st;
        snprintf(def[0], sizeof def[0], "%s/specs/blog", o->root);
        snprintf(def[1], sizeof def[1], "%s/specs/web", o->root);
        defs[n++] = def[0];
        if (stat(def[1], &st) == 0 && S_ISDIR(st.st_mode)) defs[n++] = def[1];
        paths = defs;
    }
    spec_set_init(&c->specs);
    int rc = n ? spec_load_paths(&c->specs, paths, n) : 0;
    if (o->nhurls) {
        /* --variable NAME=VALUE: strings, as Hurl's --variable gives them */
        cJSON *vars = cJSON_CreateObject();
        for (size_t i = 0; vars && i < o->nvariables; i++) {
            const char *eq = strchr(o->variables[i], '=');
            char name[TMPL_MAX_NAME + 1];
            snprintf(name, sizeof name, "%.*s", (int)(eq - o->variables[i]), o->variables[i]);
            cJSON_DeleteItemFromObjectCaseSensitive(vars, name);
            cJSON_AddStringToObject(vars, name, eq + 1);
        }
        if (!vars || hurl_load_paths(&c->specs, o->hurls, o->nhurls, vars) < 0) rc = -1;
        cJSON_Delete(vars);
        if (rc == 0 && spec_check_unique(&c->specs) < 0) rc = -1;
    }
    if (rc < 0) {
        fputs(buf_cstr(&c->specs.errors), stderr);
        fprintf(stderr, "parity check: %zu error%s in the spec files; nothing was run\n",
                c->specs.nerrors, c->specs.nerrors == 1 ? "" : "s");
        return -1;
    }
    c->suites = calloc(c->specs.n ? c->specs.n : 1, sizeof *c->suites);
    if (!c->suites) return -1;
    for (size_t i = 0; i < c->specs.n; i++)
        if (!o->filter || fnmatch(o->filter, c->specs.suites[i]->name, 0) == 0)
            c->suites[c->nsuites++] = c->specs.suites[i];
    if (c->nsuites == 0) {
        if (o->filter)
            fprintf(stderr, "parity check: no suite matches --filter '%s'\n", o->filter);
        else
            fprintf(stderr, "parity check: no suites found in %s\n", n ? paths[0] : o->hurls[0]);
        return -1;
    }
    return 0;
}

/* A suite variable named like a var of a target that runs (target.json "vars") is ambiguous: a
 * spec error naming both places (exit 2, nothing run). */
static int check_target_vars(const check_ctx_t *c) {
    size_t n = 0;
    for (size_t t = 0; t < c->ntargets; t++) {
        const target_manifest_t *m = c->targets[t].m;
        for (size_t i = 0; m && i < m->nvars; i++) {
            for (size_t si = 0; si < c->nsuites; si++) {
                const suite_t *su = c->suites[si];
                size_t k = 0;
                for (const cJSON *v = su->variables ? su->variables->child : NULL; v;
                     v = v->next, k++) {
                    if (strcmp(v->string, m->vars[i].name) != 0) continue;
                    spec_loc_t l = su->variable_locs ? su->variable_locs[k] : su->loc;
                    fprintf(stderr,
                            "%s:%u:%u: variable \"%s\" is also declared by target %s (%s:%u:%u, "
                            "\"vars\"): which one is meant is ambiguous; rename one\n",
                            l.file, l.line, l.col, v->string, m->name, m->file, m->vars[i].line,
                            m->vars[i].col);
                    n++;
                }
            }
        }
    }
    if (n)
        fprintf(stderr, "parity check: %zu error%s in the spec files; nothing was run\n", n,
                n == 1 ? "" : "s");
    return n ? -1 : 0;
}

/* The run's identity (id, start time, database), its output directory with logs/, and one result
 * slot per target. CLI_EXIT_OK, or the exit code of what failed (said on stderr). */
static int check_prepare_run(check_ctx_t *c, result_run_t *run) {
    const check_opts_t *o = c->o;
    char started[CLOCK_ISO8601_LEN], id[64];
    err_t err;
    clock_iso8601_now(started, sizeof started);
    if (o->run_id)
        snprintf(id, sizeof id, "%s", o->run_id);
    else
        clock_run_id(id, sizeof id);
    str_random_alnum(c->uid_base, 6);
    run->id = result_strdup(id);
    run->parity_version = result_strdup(PARITY_VERSION);
    run->started = result_strdup(started);
    if (db_active() && (run->db = malloc(sizeof *run->db))) *run->db = *db_settings(db_active());
    if (o->out)
        snprintf(c->out, sizeof c->out, "%s", o->out);
    else
        snprintf(c->out, sizeof c->out, "%s/reports/runs/%s", o->root, id);
    char logs[CHECK_PATH_MAX + 16];
    snprintf(logs, sizeof logs, "%s/logs", c->out);
    if (file_mkdirs(logs, &err) < 0) {
        fprintf(stderr, "parity check: %s\n", err.msg);
        return CLI_EXIT_ENV;
    }
    run->targets = calloc(c->ntargets, sizeof *run->targets);
    if (!run->targets) return CLI_EXIT_USAGE;
    run->n = c->ntargets;
    for (size_t i = 0; i < c->ntargets; i++) {
        check_target_t *t = &c->targets[i];
        result_target_t *r = &run->targets[i];
        t->ctx = c;
        t->index = i;
        t->res = r;
        pthread_mutex_init(&t->mu, NULL);
        r->name = result_strdup(t->name);
        r->external = t->m == NULL;
        r->url = t->m ? NULL : result_strdup(t->url);
    }
    if (!o->quiet)
        fprintf(stderr, "parity check: %zu suite%s x %zu target%s, run %s, output in %s\n",
                c->nsuites, c->nsuites == 1 ? "" : "s", c->ntargets, c->ntargets == 1 ? "" : "s",
                id, c->out);
    return CLI_EXIT_OK;
}

/* Every target on its own thread (inline when a thread cannot be made). */
static void check_run_targets(check_ctx_t *c) {
    pthread_t th[CHECK_MAX_TARGETS];
    bool ok[CHECK_MAX_TARGETS] = {0};
    for (size_t i = 0; i < c->ntargets; i++)
        ok[i] = pthread_create(&th[i], NULL, check_one_target, &c->targets[i]) == 0;
    for (size_t i = 0; i < c->ntargets; i++) {
        if (ok[i])
            pthread_join(th[i], NULL);
        else
            check_one_target(&c->targets[i]);
    }
}

/* conformance.json and the asked-for forms, then the exit code: 3 a file could not be written or
 * a target did not run, 1 a failure (or, with --strict, a skip), 0 otherwise. */
static int check_finish_run(check_ctx_t *c, result_run_t *run) {
    const check_opts_t *o = c->o;
    char finished[CLOCK_ISO8601_LEN], path[CHECK_PATH_MAX + 32];
    err_t err;
    clock_iso8601_now(finished, sizeof finished);
    run->finished = result_strdup(finished);
    run->duration_ms = (double)(clock_mono_ms() - c->t0);
    check_report_final(c, stderr);
    snprintf(path, sizeof path, "%s/conformance.json", c->out);
    int rc = CLI_EXIT_OK;
    if (results_write_json(run, path, &err) < 0 ||
        (o->json && results_write_json(run, o->json, &err) < 0) ||
        (o->junit && junit_write(run, o->junit, &err) < 0) ||
        (o->tap && tap_write(run, o->tap, &err) < 0)) {
        fprintf(stderr, "parity check: %s\n", err.msg);
        rc = CLI_EXIT_ENV;
    }
    if (!o->quiet) fprintf(stderr, "results: %s\n", path);
    result_totals_t tt;
    result_totals(run, &tt);
    if (rc == CLI_EXIT_OK && (tt.fail || tt.error)) rc = CLI_EXIT_FAIL;
    /* --strict: the contract says no skip (specs/README.md); each target with skips is named. */
    for (size_t i = 0; o->strict && i < run->n; i++) {
        size_t skips = 0;
        for (size_t j = 0; j < run->targets[i].n; j++) skips += run->targets[i].suites[j].nskip;
        if (skips == 0) continue;
        fprintf(stderr,
                "parity check: --strict: %s is conformant with %zu skip%s, not conformant\n",
                run->targets[i].name, skips, skips == 1 ? "" : "s");
        if (rc == CLI_EXIT_OK) rc = CLI_EXIT_FAIL;
    }
    for (size_t i = 0; i < run->n; i++)
        if (run->targets[i].status == RESULT_ERROR && run->targets[i].error) rc = CLI_EXIT_ENV;
    return rc;
}

int check_run(const check_opts_t *o, result_run_t *run) {
    memset(run, 0, sizeof *run);
    check_ctx_t *c = calloc(1, sizeof *c);
    if (!c) return CLI_EXIT_ENV;
    c->o = o;
    c->run = run;
    c->t0 = clock_mono_ms();
    c->color = cli_color(stderr);
    pthread_mutex_init(&c->out_mu, NULL);
    target_manifest_t *ms = NULL;
    size_t nms = 0;
    int rc = CLI_EXIT_USAGE, picked = 0;
    if (check_load_specs(c) < 0 || (picked = check_pick_targets(c, &ms, &nms)) < 0 ||
        check_target_vars(c) < 0)
        goto done;
    if (picked == 1) { /* --db postgres and no target declares it */
        rc = CLI_EXIT_OK;
        goto done;
    }
    if ((rc = check_prepare_run(c, run)) != CLI_EXIT_OK) goto done;
    check_run_targets(c);
    rc = check_finish_run(c, run);
done:
    for (size_t i = 0; i < c->ntargets; i++) free(c->targets[i].crash);
    free(c->targets);
    free(c->suites);
    spec_set_free(&c->specs);
    target_manifest_free_all(ms, nms);
    free(c);
    return rc;
}
