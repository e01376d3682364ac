/* target_cmd: commands around targets: running a command with a timeout (proc_run), the
 * manifest's `version` and `requires` commands, and `parity targets`, which lists every manifest
 * with its version and whether its `requires` command passes. Version and requires commands run
 * concurrently (a thread per target): Python imports take about a second each. Exit 0 when every
 * listed target's requirements pass, 3 when one does not (a missing dependency is an environment
 * error), 2 on a bad manifest or usage. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cjson/cJSON.h>

#include "target.h"

#include "core/cli_common.h"
#include "core/proc.h"

#ifndef PARITY_BUILD_DIR
#define PARITY_BUILD_DIR "."
#endif

extern char **environ;

/* Runs a manifest command (version, requires) with {dir} and {build} substituted. */
static int tg_run_manifest_cmd(const target_manifest_t *m, char *const *argv, buf_t *out, int *st,
                               err_t *err) {
    const char *build = getenv("PARITY_BUILD_DIR");
    target_subst_t sub = {
        .host = "127.0.0.1", .dir = m->dir, .build = build && *build ? build : PARITY_BUILD_DIR};
    char *sv[TARGET_ARGV_MAX + 1] = {0};
    char val[TARGET_STR_MAX];
    size_t n = 0;
    int rc = 0;
    for (; argv[n] && rc == 0; n++) {
        if (target_substitute(argv[n], &sub, val, sizeof val, err) < 0)
            rc = -1;
        else if (!(sv[n] = str_dup(val)))
            rc = err_set(err, "out of memory");
    }
    if (rc == 0) rc = proc_run(sv, m->dir, TARGET_CMD_TIMEOUT_MS, out, st, err);
    for (size_t i = 0; i < n; i++) free(sv[i]);
    return rc;
}

/* The first non-empty line of s, trimmed, into out. */
static void tg_first_line(const char *s, char *out, size_t outlen) {
    while (*s == '\n' || *s == '\r' || *s == ' ') s++;
    size_t n = strcspn(s, "\r\n");
    while (n > 0 && s[n - 1] == ' ') n--;
    snprintf(out, outlen, "%.*s", (int)n, s);
}

void target_version(const target_manifest_t *m, char *out, size_t outlen) {
    if (!m->version) {
        snprintf(out, outlen, "unknown (no version command)");
        return;
    }
    buf_t b;
    buf_init(&b, 65536);
    err_t e;
    int st;
    char line[512];
    if (tg_run_manifest_cmd(m, m->version, &b, &st, &e) < 0) {
        snprintf(out, outlen, "unknown (%s)", e.msg);
    } else {
        tg_first_line(buf_cstr(&b), line, sizeof line);
        if (st != 0)
            snprintf(out, outlen, "unknown (version command exit %d: %s)", st, line);
        else
            snprintf(out, outlen, "%s", line[0] ? line : "unknown (empty output)");
    }
    buf_free(&b);
}

int target_requires_ok(const target_manifest_t *m, char *why, size_t whylen) {
    snprintf(why, whylen, "ok");
    if (!m->requires) return 1;
    buf_t b;
    buf_init(&b, 65536);
    err_t e;
    int st, ok = 0;
    if (tg_run_manifest_cmd(m, m->requires, &b, &st, &e) < 0) {
        snprintf(why, whylen, "%s", e.msg);
    } else if (st != 0) {
        /* The last non-empty line usually says what is missing (e.g. ModuleNotFoundError). */
        const char *s = buf_cstr(&b);
        size_t n = b.len;
        while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r')) n--;
        size_t start = n;
        while (start > 0 && s[start - 1] != '\n') start--;
        if (n > start)
            snprintf(why, whylen, "requires exited %d: %.*s", st, (int)(n - start), s + start);
        else
            snprintf(why, whylen, "requires exited %d (no output)", st);
    } else {
        ok = 1;
    }
    buf_free(&b);
    return ok;
}

/* ---- parity targets ----------------------------------------------------------------------- */

typedef struct targets_row {
    const target_manifest_t *m;
    char version[512];
    char why[512];
    int ok;
} targets_row_t;

static void *targets_probe(void *arg) {
    targets_row_t *r = arg;
    r->ok = target_requires_ok(r->m, r->why, sizeof r->why);
    target_version(r->m, r->version, sizeof r->version);
    return NULL;
}

static void targets_help(FILE *f) {
    fprintf(f, "usage: parity targets [--json] [NAME...]\n\n"
               "Lists targets/<name>/target.json manifests: name, whether the `requires` command\n"
               "passes (dependencies installed), the version the `version` command prints, "
               "description.\n\n"
               "  --json     print a JSON array on stdout instead of the table\n"
               "  -h, --help this help\n\n"
               "exit codes: 0 all requirements met, 2 a manifest is invalid or NAME is unknown,\n"
               "            3 a target's requirements are not met\n");
}

/* --json: one object per selected target. */
static void targets_print_json(const target_manifest_t *ms, const targets_row_t *rows, size_t n) {
    cJSON *arr = cJSON_CreateArray();
    for (size_t i = 0; i < n; i++) {
        if (rows[i].ok < 0) continue;
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", ms[i].name);
        cJSON_AddStringToObject(o, "description", ms[i].description);
        cJSON_AddStringToObject(o, "language", ms[i].language);
        cJSON_AddStringToObject(o, "orm", ms[i].orm);
        cJSON_AddStringToObject(o, "version", rows[i].version);
        cJSON_AddBoolToObject(o, "requires_ok", rows[i].ok == 1);
        cJSON_AddStringToObject(o, "requires", rows[i].why);
        cJSON_AddStringToObject(o, "manifest", ms[i].file);
        cJSON_AddItemToArray(arr, o);
    }
    char *s = cJSON_Print(arr);
    if (s) puts(s);
    free(s);
    cJSON_Delete(arr);
}

/* The table on stdout, then what is missing on stderr. */
static void targets_print_table(const target_manifest_t *ms, const targets_row_t *rows, size_t n) {
    printf("%-12s %-8s %-6s %-44s %s\n", "NAME", "DEPS", "ORM", "VERSION", "DESCRIPTION");
    for (size_t i = 0; i < n; i++) {
        if (rows[i].ok < 0) continue;
        printf("%-12s %-8s %-6s %-44s %s\n", ms[i].name, rows[i].ok ? "ok" : "MISSING",
               *ms[i].orm ? ms[i].orm : "-", rows[i].version, ms[i].description);
    }
    for (size_t i = 0; i < n; i++)
        if (rows[i].ok == 0)
            fprintf(stderr, "parity targets: %s: dependencies missing: %s\n", ms[i].name,
                    rows[i].why);
}

int targets_main(int argc, char **argv) {
    static const struct option opts[] = {
        {"json", no_argument, NULL, 'j'}, {"help", no_argument, NULL, 'h'}, {0}};
    int json = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'j')
            json = 1;
        else if (c == 'h') {
            targets_help(stdout);
            return CLI_EXIT_OK;
        } else
            return cli_usage_error("targets", "invalid option");
    }
    char dir[CLI_PATH_MAX + 16];
    target_manifest_t *ms;
    size_t n;
    if (target_manifest_scan_root("targets", dir, sizeof dir, &ms, &n) < 0) return CLI_EXIT_USAGE;
    targets_row_t *rows = calloc(n ? n : 1, sizeof *rows);
    pthread_t *th = calloc(n ? n : 1, sizeof *th);
    bool *sel = calloc(n ? n : 1, sizeof *sel);
    if (!rows || !th || !sel) {
        fprintf(stderr, "parity targets: out of memory\n");
        return CLI_EXIT_ENV;
    }
    int rc = CLI_EXIT_OK;
    for (int a = optind; a < argc; a++) {
        size_t i = 0;
        while (i < n && strcmp(ms[i].name, argv[a]) != 0) i++;
        if (i == n)
            rc = cli_usage_error("targets", "unknown target '%s' (no %s/%s/target.json)", argv[a],
                                 dir, argv[a]);
        else
            sel[i] = true;
    }
    if (rc == CLI_EXIT_OK) {
        for (size_t i = 0; i < n; i++) {
            if (optind == argc) sel[i] = true;
            rows[i].m = &ms[i];
            if (sel[i] && pthread_create(&th[i], NULL, targets_probe, &rows[i]) != 0)
                targets_probe(&rows[i]), sel[i] = false;
            else if (!sel[i])
                rows[i].ok = -1;
        }
        for (size_t i = 0; i < n; i++)
            if (sel[i]) pthread_join(th[i], NULL);
        if (json)
            targets_print_json(ms, rows, n);
        else
            targets_print_table(ms, rows, n);
        for (size_t i = 0; i < n; i++)
            if (rows[i].ok == 0) rc = CLI_EXIT_ENV;
        if (n == 0) fprintf(stderr, "parity targets: no target.json under %s\n", dir);
    }
    free(rows);
    free(th);
    free(sel);
    target_manifest_free_all(ms, n);
    return rc;
}
