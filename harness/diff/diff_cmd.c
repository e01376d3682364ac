/* diff_cmd: `parity diff`: options, the targets' lifecycle, and the lockstep run of the suites'
 * steps. See diff.h.
 *
 * Lockstep: every target walks the same suite with its own variables (its captures: tokens,
 * slugs), but step i is sent to all of them before step i+1 goes to any, so every target sees
 * the same history. All targets get the same {{uid}} (each has its own database), so names in
 * the answers are equal and need no normalising. A step's own expectations are not what diff
 * judges: it sends the request, whatever the suite expects, and compares the answers. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "core/cli_common.h"
#include "core/clock.h"
#include "core/file.h"
#include "diff.h"
#include "diff_int.h"
#include "spec/hurl.h"

#define DIFF_MAX_PATHS 64

typedef struct diff_opts {
    const char *targets[DIFF_MAX_TARGETS];
    size_t ntargets;
    const char *specs[DIFF_MAX_PATHS], *hurls[DIFF_MAX_PATHS], *vars[DIFF_MAX_PATHS];
    size_t nspecs, nhurls, nvars;
    const char *rules, *out;
    bool no_variations, quiet;
    int workers;
} diff_opts_t;

static void diff_usage(FILE *f) {
    fputs("usage: parity diff [--target NAME]... [--spec PATH]... [--hurl PATH]...\n"
          "                   [--variable NAME=VALUE]... [--rules FILE] [--no-variations]\n"
          "                   [--workers N] [--out DIR] [--quiet]\n\n"
          "Sends the same requests to every target in lockstep and reports every difference in\n"
          "the answers that the normalisation rules do not allow: the suites' steps, then\n"
          "variations of every endpoint they used (unexpected methods, unknown query\n"
          "parameters, empty and huge values, odd bodies).\n\n"
          "  -t, --target NAME    a target (repeatable; default: every manifest, at least 2)\n"
          "  -s, --spec PATH      spec files or directories (default ROOT/specs/blog)\n"
          "      --hurl PATH      Hurl files or directories\n"
          "      --variable N=V   a variable of the Hurl files\n"
          "      --rules FILE     normalisation rules (default ROOT/specs/diff/rules.json)\n"
          "      --no-variations  only the suites' own requests\n"
          "  -w, --workers N      WORKERS for the targets (default 1)\n"
          "  -o, --out DIR        where diff.json and logs/ go (default ROOT/reports/runs/<id>)\n"
          "  -q, --quiet          no progress lines\n\n"
          "exit codes: 0 no divergence, 1 divergences, 2 usage or spec errors,\n"
          "            3 a target did not start or its dependencies are missing\n",
          f);
}

static int diff_parse(int argc, char **argv, diff_opts_t *o, bool *help) {
    enum { O_HURL = 256, O_VAR, O_RULES, O_NOVAR };
    static const struct option opts[] = {{"target", required_argument, NULL, 't'},
                                         {"spec", required_argument, NULL, 's'},
                                         {"hurl", required_argument, NULL, O_HURL},
                                         {"variable", required_argument, NULL, O_VAR},
                                         {"rules", required_argument, NULL, O_RULES},
                                         {"no-variations", no_argument, NULL, O_NOVAR},
                                         {"workers", required_argument, NULL, 'w'},
                                         {"out", required_argument, NULL, 'o'},
                                         {"quiet", no_argument, NULL, 'q'},
                                         {"help", no_argument, NULL, 'h'},
                                         {0}};
    optind = 1;
    opterr = 0;
    int c;
    long v;
    while ((c = getopt_long(argc, argv, ":t:s:w:o:qh", opts, NULL)) != -1) {
        const char **list = NULL;
        size_t *n = NULL, max = DIFF_MAX_PATHS;
        switch (c) {
        case 't': list = o->targets, n = &o->ntargets, max = DIFF_MAX_TARGETS; break;
        case 's': list = o->specs, n = &o->nspecs; break;
        case O_HURL: list = o->hurls, n = &o->nhurls; break;
        case O_VAR:
            if (!strchr(optarg, '=') || optarg[0] == '=')
                return cli_usage_error("diff", "--variable wants NAME=VALUE, got '%s'", optarg);
            list = o->vars, n = &o->nvars;
            break;
        case O_RULES: o->rules = optarg; break;
        case O_NOVAR: o->no_variations = true; break;
        case 'w':
            if (str_to_long(optarg, 1, 64, &v) < 0)
                return cli_usage_error("diff", "--workers wants 1..64, got '%s'", optarg);
            o->workers = (int)v;
            break;
        case 'o': o->out = optarg; break;
        case 'q': o->quiet = true; break;
        case 'h': *help = true; return 0;
        case ':': return cli_usage_error("diff", "option %s needs a value", argv[optind - 1]);
        default: return cli_usage_error("diff", "unknown option '%s'", argv[optind - 1]);
        }
        if (list) {
            if (*n == max) return cli_usage_error("diff", "too many %s", argv[optind - 2]);
            list[(*n)++] = optarg;
        }
    }
    if (optind < argc) return cli_usage_error("diff", "unexpected argument '%s'", argv[optind]);
    return 0;
}

/* ---- targets -----------------------------------------------------------------------------------
 */

static int diff_targets(diff_ctx_t *c, const diff_opts_t *o, const char *root,
                        target_manifest_t **all, size_t *nall) {
    char dir[4096 + 64];
    snprintf(dir, sizeof dir, "%s/targets", root);
    err_t err;
    if (target_manifest_scan(dir, all, nall, &err) < 0) {
        fprintf(stderr, "parity diff: %s\n", err.msg);
        return CLI_EXIT_USAGE;
    }
    for (size_t i = 0; i < *nall; i++) {
        bool want = o->ntargets == 0;
        for (size_t k = 0; k < o->ntargets; k++) want |= strcmp(o->targets[k], (*all)[i].name) == 0;
        if (!want) continue;
        if (c->nt == DIFF_MAX_TARGETS) break;
        c->t[c->nt].name = (*all)[i].name;
        c->t[c->nt++].m = &(*all)[i];
    }
    for (size_t k = 0; k < o->ntargets; k++) {
        bool found = false;
        for (size_t i = 0; i < c->nt; i++) found |= strcmp(c->t[i].name, o->targets[k]) == 0;
        if (!found) return cli_usage_error("diff", "unknown target '%s'", o->targets[k]);
    }
    if (c->nt < 2) return cli_usage_error("diff", "diff needs at least two targets");
    return 0;
}

static int diff_start(diff_ctx_t *c, const diff_opts_t *o, const char *out) {
    for (size_t i = 0; i < c->nt; i++) {
        dtarget_t *t = &c->t[i];
        char why[512], log[4096 + 256];
        if (!target_requires_ok(t->m, why, sizeof why)) {
            fprintf(stderr, "parity diff: target %s: dependencies missing (%s)\n", t->name, why);
            return CLI_EXIT_ENV;
        }
        snprintf(log, sizeof log, "%s/logs/%s.diff.log", out, t->name);
        target_opts_t to = {.workers = o->workers > 0 ? o->workers : 1,
                            .log_path = log,
                            .build_dir = cli_build_dir()};
        err_t err;
        if (target_start(t->m, &to, &t->proc, &err) < 0) {
            fprintf(stderr, "parity diff: target %s did not start: %s\n", t->name, err.msg);
            return CLI_EXIT_ENV;
        }
        t->started = true;
        _Static_assert(sizeof t->url >= sizeof t->proc.url, "a target URL fits");
        memcpy(t->url, t->proc.url, sizeof t->proc.url); /* NUL-terminated by target_start */
        if (!(t->hc = http_client_new()) || !(t->vars = vars_new())) return CLI_EXIT_ENV;
        if (!o->quiet) fprintf(stderr, "diff: %s started at %s\n", t->name, t->url);
    }
    return 0;
}

static int diff_stop(diff_ctx_t *c) {
    int rc = 0;
    for (size_t i = 0; i < c->nt; i++) {
        dtarget_t *t = &c->t[i];
        err_t err;
        if (t->started &&
            (target_stop(&t->proc, &err) < 0 || target_stop_check(&t->proc, &err) < 0)) {
            fprintf(stderr, "parity diff: target %s: %s\n", t->name, err.msg);
            rc = CLI_EXIT_ENV;
        }
        http_client_free(t->hc);
        vars_free(t->vars);
    }
    return rc;
}

/* ---- suites in lockstep ------------------------------------------------------------------------
 */

static int suite_vars(diff_ctx_t *c, const suite_t *su, const char *uid) {
    for (size_t i = 0; i < c->nt; i++) {
        dtarget_t *t = &c->t[i];
        vars_free(t->vars);
        if (!(t->vars = vars_new())) return -1;
        err_t err;
        if (vars_set_string(t->vars, "uid", uid) < 0 ||
            vars_set_string(t->vars, "target", t->name) < 0 ||
            vars_set_string(t->vars, "run", uid) < 0 ||
            vars_set_string(t->vars, "url", t->url) < 0 ||
            vars_set_string(t->vars, "secret", t->proc.secret) < 0)
            return -1;
        for (const cJSON *v = su->variables ? su->variables->child : NULL; v; v = v->next) {
            cJSON *r = tmpl_render_json(t->vars, v, &err);
            if (!r || vars_set_take(t->vars, v->string, r) < 0) return -1;
        }
    }
    return 0;
}

/* One step on every target; the answers compared. */
static void lockstep_step(diff_ctx_t *c, const suite_t *su, const step_t *st) {
    step_exec_t x[DIFF_MAX_TARGETS];
    req_t *reqs[DIFF_MAX_TARGETS];
    for (size_t i = 0; i < c->nt; i++) {
        step_exec_init(&x[i]);
        reqs[i] = NULL;
        if (c->t[i].dead || step_skip_reason(st, c->t[i].name)) continue;
        step_exec(st, c->t[i].hc, c->t[i].url, c->t[i].vars, NULL, &x[i]);
        if (x[i].state != STEP_EXEC_BUILD_ERROR) reqs[i] = &x[i].req;
    }
    buf_t key, label;
    buf_init(&key, 4096);
    buf_init(&label, 4096);
    if (!st->req.method) /* a raw step (exact bytes): no method and path to vary */
        buf_printf(&key, "raw bytes (%s)", st->name);
    else
        buf_printf(&key, "%s %s", st->req.method, st->req.path);
    step_name(st, c->t[0].vars, &label);
    (void)su;
    /* the step already went out: compare its answers without sending again */
    diff_compare_sent(c, "suite", buf_cstr(&key), buf_cstr(&label), st->loc.file, st->loc.line, x);
    if (st->req.method) dvary_remember(c, st, buf_cstr(&key), reqs);
    for (size_t i = 0; i < c->nt; i++) step_exec_free(&x[i]);
    buf_free(&key);
    buf_free(&label);
}

static int lockstep_list(diff_ctx_t *c, const suite_t *su, const step_list_t *list) {
    step_iter_t it[DIFF_MAX_TARGETS];
    for (size_t i = 0; i < c->nt; i++) step_iter_init(&it[i], list);
    for (;;) {
        const step_t *st = NULL, *first = NULL;
        err_t err;
        for (size_t i = 0; i < c->nt; i++) {
            if (step_iter_next(&it[i], c->t[i].vars, &st, &err) < 0) {
                fprintf(stderr, "parity diff: %s: %s\n", c->t[i].name, err.msg);
                return -1;
            }
            if (i == 0) first = st;
            if (st != first) { /* templated repeat counts made the walks differ */
                fprintf(stderr, "parity diff: suite %s: targets walk its steps differently\n",
                        su->name);
                return -1;
            }
        }
        if (!first) return 0;
        lockstep_step(c, su, first);
    }
}

static int diff_suites(diff_ctx_t *c, const spec_set_t *set, const diff_opts_t *o) {
    unsigned char rnd[4] = {0};
    if (getrandom(rnd, sizeof rnd, 0) != sizeof rnd) rnd[0] = (unsigned char)clock_mono_ms();
    for (size_t si = 0; si < set->n; si++) {
        const suite_t *su = set->suites[si];
        char uid[64];
        snprintf(uid, sizeof uid, "d%02x%02x%02xs%zu", rnd[0], rnd[1], rnd[2], si);
        if (suite_vars(c, su, uid) < 0) return -1;
        if (!o->quiet) fprintf(stderr, "diff: suite %s\n", su->name);
        if (lockstep_list(c, su, &su->setup) < 0 || lockstep_list(c, su, &su->steps) < 0) {
            /* a walk that cannot go on (an unknown variable after a failed capture) ends the
             * suite for every target alike; teardown still runs */
        }
        lockstep_list(c, su, &su->teardown);
        if (!o->no_variations && dvary_run(c) < 0) return -1;
        dvary_free(c);
    }
    return 0;
}

/* ---- main --------------------------------------------------------------------------------------
 */

static int load_specs(spec_set_t *set, const diff_opts_t *o, const char *root) {
    char def[4096 + 64];
    const char *paths[1];
    int rc = 0;
    spec_set_init(set);
    if (o->nspecs) {
        rc = spec_load_paths(set, o->specs, o->nspecs);
    } else if (!o->nhurls) {
        snprintf(def, sizeof def, "%s/specs/blog", root);
        paths[0] = def;
        rc = spec_load_paths(set, paths, 1);
    }
    if (o->nhurls) {
        cJSON *vars = cJSON_CreateObject();
        for (size_t i = 0; vars && i < o->nvars; i++) {
            const char *eq = strchr(o->vars[i], '=');
            char name[256];
            snprintf(name, sizeof name, "%.*s", (int)(eq - o->vars[i]), o->vars[i]);
            cJSON_AddStringToObject(vars, name, eq + 1);
        }
        if (!vars || hurl_load_paths(set, o->hurls, o->nhurls, vars) < 0) rc = -1;
        cJSON_Delete(vars);
        if (rc == 0 && spec_check_unique(set) < 0) rc = -1;
    }
    if (rc < 0) {
        fputs(buf_cstr(&set->errors), stderr);
        fprintf(stderr, "parity diff: errors in the spec files; nothing was run\n");
    }
    return rc;
}

static int diff_run(diff_ctx_t *c, const diff_opts_t *o, const char *root) {
    char out[4096 + 128], id[64];
    clock_run_id(id, sizeof id);
    if (o->out)
        snprintf(out, sizeof out, "%s", o->out);
    else
        snprintf(out, sizeof out, "%s/reports/runs/%s", root, id);
    char logs[4096 + 136];
    snprintf(logs, sizeof logs, "%s/logs", out);
    err_t err;
    if (file_mkdirs(logs, &err) < 0) {
        fprintf(stderr, "parity diff: %s\n", err.msg);
        return CLI_EXIT_ENV;
    }
    int rc = diff_start(c, o, out);
    if (rc == 0 && diff_suites(c, &c->specs, o) < 0) rc = CLI_EXIT_ENV;
    int stop = diff_stop(c);
    if (rc == 0) rc = stop;
    dout_print(c, stderr);
    if (dout_write(c, out, id, &err) < 0) {
        fprintf(stderr, "parity diff: %s\n", err.msg);
        return CLI_EXIT_ENV;
    }
    printf("%s/diff.json\n", out);
    if (rc == 0 && cJSON_GetArraySize(c->findings) > 0) rc = CLI_EXIT_FAIL;
    return rc;
}

int diff_main(int argc, char **argv) {
    diff_opts_t o = {0};
    bool help = false;
    if (diff_parse(argc, argv, &o, &help) < 0) return CLI_EXIT_USAGE;
    if (help) {
        diff_usage(stdout);
        return CLI_EXIT_OK;
    }
    char root[4096], rules[4096 + 64];
    err_t err;
    if (cli_root(root, sizeof root, &err) < 0) {
        fprintf(stderr, "parity diff: %s\n", err.msg);
        return CLI_EXIT_USAGE;
    }
    diff_ctx_t *c = calloc(1, sizeof *c);
    if (!c) return CLI_EXIT_ENV;
    c->quiet = o.quiet;
    c->findings = cJSON_CreateArray();
    c->categories = cJSON_CreateObject();
    snprintf(rules, sizeof rules, "%s/specs/diff/rules.json", root);
    target_manifest_t *all = NULL;
    size_t nall = 0;
    int rc = CLI_EXIT_OK;
    if (drules_load(&c->rules, o.rules ? o.rules : rules, &err) < 0) {
        fprintf(stderr, "parity diff: %s\n", err.msg);
        rc = CLI_EXIT_USAGE;
    }
    if (rc == 0 && load_specs(&c->specs, &o, root) < 0) rc = CLI_EXIT_USAGE;
    if (rc == 0) rc = diff_targets(c, &o, root, &all, &nall);
    if (rc == 0) {
        target_signals_install();
        http_global_init();
        rc = diff_run(c, &o, root);
    }
    spec_set_free(&c->specs);
    drules_free(&c->rules);
    cJSON_Delete(c->findings);
    cJSON_Delete(c->categories);
    target_manifest_free_all(all, nall);
    free(c);
    return rc;
}
