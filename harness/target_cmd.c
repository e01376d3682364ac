/* target_cmd: commands around targets: running a command with a timeout (target_run_cmd), the
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

#include "cli.h"
#include "target.h"

#ifndef PARITY_BUILD_DIR
#define PARITY_BUILD_DIR "."
#endif

extern char **environ;

static void tc_sleep_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR) {
    }
}

/* ---- commands with a timeout (version, requires) ------------------------------------------------
 */

int target_run_cmd(char *const *argv, const char *cwd, int timeout_ms, buf_t *out, int *status,
                   err_t *err) {
    char path[TARGET_PATH_MAX];
    *status = -1;
    if (!argv || !argv[0]) return err_set(err, "empty command");
    if (target_resolve_exec(argv[0], cwd, path, sizeof path, err) < 0) return -1;
    int pp[2];
    if (pipe2(pp, O_CLOEXEC) < 0) return err_set(err, "pipe: %s", strerror(errno));
    int nullfd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    pid_t pid = fork();
    if (pid < 0) {
        close(pp[0]), close(pp[1]), close(nullfd);
        return err_set(err, "fork: %s", strerror(errno));
    }
    if (pid == 0) {
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        signal(SIGPIPE, SIG_DFL);
        setpgid(0, 0);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (nullfd >= 0) dup2(nullfd, 0);
        dup2(pp[1], 1);
        dup2(pp[1], 2);
        if (cwd && chdir(cwd) < 0) _exit(126);
        close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
        execve(path, argv, environ);
        _exit(127);
    }
    close(pp[1]);
    if (nullfd >= 0) close(nullfd);
    long long deadline = target_now_ms() + timeout_ms;
    int ws = 0, done = 0, rc = 0;
    for (;;) {
        struct pollfd pf = {.fd = pp[0], .events = POLLIN};
        int pr = poll(&pf, 1, 50);
        if (pr > 0) {
            char b[4096];
            ssize_t n = read(pp[0], b, sizeof b);
            if (n > 0) {
                if (out) buf_add(out, b, (size_t)n); /* past the cap: the rest is dropped */
                continue;
            }
            if (n == 0) break; /* EOF: every writer is gone */
        }
        if (!done && waitpid(pid, &ws, WNOHANG) == pid) done = 1;
        /* A background grandchild may hold the pipe open: stop reading once the command is done
         * and the pipe stays quiet. */
        if (done && pr == 0) break;
        if (target_now_ms() >= deadline) {
            rc = err_set(err, "%s: no exit within %d ms (killed)", argv[0], timeout_ms);
            break;
        }
    }
    close(pp[0]);
    /* EOF comes just before the exit: give the command until the deadline to exit by itself. */
    while (rc == 0 && !done) {
        if (waitpid(pid, &ws, WNOHANG) == pid)
            done = 1;
        else if (target_now_ms() >= deadline)
            rc = err_set(err, "%s: no exit within %d ms (killed)", argv[0], timeout_ms);
        else
            tc_sleep_ms(5);
    }
    kill(-pid, SIGKILL); /* whatever it left behind in its group */
    if (!done) {
        while (waitpid(pid, &ws, 0) < 0 && errno == EINTR) {
        }
    }
    if (rc == 0)
        *status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + (WIFSIGNALED(ws) ? WTERMSIG(ws) : 0);
    return rc;
}

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
    if (rc == 0) rc = target_run_cmd(sv, m->dir, TARGET_CMD_TIMEOUT_MS, out, st, err);
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

typedef struct tc_row {
    const target_manifest_t *m;
    char version[512];
    char why[512];
    int ok;
} tc_row_t;

static void *tc_probe(void *arg) {
    tc_row_t *r = arg;
    r->ok = target_requires_ok(r->m, r->why, sizeof r->why);
    target_version(r->m, r->version, sizeof r->version);
    return NULL;
}

static void tc_help(FILE *f) {
    fprintf(f, "usage: parity targets [--json] [NAME...]\n\n"
               "Lists targets/<name>/target.json manifests: name, whether the `requires` command\n"
               "passes (dependencies installed), the version the `version` command prints, "
               "description.\n\n"
               "  --json     print a JSON array on stdout instead of the table\n"
               "  -h, --help this help\n\n"
               "exit codes: 0 all requirements met, 2 a manifest is invalid or NAME is unknown,\n"
               "            3 a target's requirements are not met\n");
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
            tc_help(stdout);
            return CLI_EXIT_OK;
        } else
            return cli_usage_error("targets", "invalid option");
    }
    char root[CLI_PATH_MAX], dir[CLI_PATH_MAX + 16];
    err_t err;
    if (cli_root(root, sizeof root, &err) < 0) {
        fprintf(stderr, "parity targets: %s\n", err.msg);
        return CLI_EXIT_USAGE;
    }
    snprintf(dir, sizeof dir, "%s/targets", root);
    target_manifest_t *ms;
    size_t n;
    if (target_manifest_scan(dir, &ms, &n, &err) < 0) {
        fprintf(stderr, "%s\n", err.msg);
        return CLI_EXIT_USAGE;
    }
    tc_row_t *rows = calloc(n ? n : 1, sizeof *rows);
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
            if (sel[i] && pthread_create(&th[i], NULL, tc_probe, &rows[i]) != 0)
                tc_probe(&rows[i]), sel[i] = false;
            else if (!sel[i])
                rows[i].ok = -1;
        }
        for (size_t i = 0; i < n; i++)
            if (sel[i]) pthread_join(th[i], NULL);
        if (json) {
            cJSON *arr = cJSON_CreateArray();
            for (size_t i = 0; i < n; i++) {
                if (rows[i].ok < 0) continue;
                cJSON *o = cJSON_CreateObject();
                cJSON_AddStringToObject(o, "name", ms[i].name);
                cJSON_AddStringToObject(o, "description", ms[i].description);
                cJSON_AddStringToObject(o, "language", ms[i].language);
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
        } else {
            printf("%-12s %-8s %-44s %s\n", "NAME", "DEPS", "VERSION", "DESCRIPTION");
            for (size_t i = 0; i < n; i++) {
                if (rows[i].ok < 0) continue;
                printf("%-12s %-8s %-44s %s\n", ms[i].name, rows[i].ok ? "ok" : "MISSING",
                       rows[i].version, ms[i].description);
            }
            for (size_t i = 0; i < n; i++)
                if (rows[i].ok == 0)
                    fprintf(stderr, "parity targets: %s: dependencies missing: %s\n", ms[i].name,
                            rows[i].why);
        }
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
