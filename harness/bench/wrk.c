/* wrk: see wrk.h. */
#include "wrk.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "procstat.h"

#define WRK_ARGV_MAX 24
#define WRK_LOG_MAX  8192 /* bytes of wrk's own output quoted in an error */

void wrk_result_free(wrk_result_t *r) {
    free(r->hist);
    memset(r, 0, sizeof *r);
}

long long wrk_socket_errors(const wrk_result_t *r) {
    return r->err_connect + r->err_read + r->err_write + r->err_timeout;
}

static int num(const cJSON *o, const char *key, double *out, err_t *err) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!cJSON_IsNumber(v)) return err_set(err, "wrk output: \"%s\" missing or not a number", key);
    *out = v->valuedouble;
    return 0;
}

static int inum(const cJSON *o, const char *key, long long *out, err_t *err) {
    double d = 0;
    if (num(o, key, &d, err) < 0) return -1;
    *out = (long long)d;
    return 0;
}

int wrk_result_parse(const char *text, size_t len, int connections, wrk_result_t *r, err_t *err) {
    memset(r, 0, sizeof *r);
    cJSON *root = cJSON_ParseWithLength(text, len);
    if (!root || !cJSON_IsObject(root)) {
        cJSON_Delete(root);
        return err_set(err, "wrk output: not a JSON object (did the script's done() run?)");
    }
    int rc = -1;
    double dur = 0;
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(root, "errors");
    const cJSON *l = cJSON_GetObjectItemCaseSensitive(root, "latency_us");
    const cJSON *h = cJSON_GetObjectItemCaseSensitive(root, "histogram");
    const cJSON *cc = cJSON_GetObjectItemCaseSensitive(root, "counted_created");
    if (!cJSON_IsObject(e) || !cJSON_IsObject(l) || !cJSON_IsArray(h) || !cJSON_IsBool(cc)) {
        err_set(
            err,
            "wrk output: \"errors\", \"latency_us\", \"histogram\" or \"counted_created\" missing");
        goto out;
    }
    if (num(root, "duration_us", &dur, err) || inum(root, "requests", &r->requests, err) ||
        inum(root, "bytes", &r->bytes, err) || inum(root, "created", &r->created, err) ||
        inum(e, "connect", &r->err_connect, err) || inum(e, "read", &r->err_read, err) ||
        inum(e, "write", &r->err_write, err) || inum(e, "status", &r->err_status, err) ||
        inum(e, "timeout", &r->err_timeout, err) || num(l, "min", &r->lat_min_us, err) ||
        num(l, "max", &r->lat_max_us, err) || num(l, "mean", &r->lat_mean_us, err) ||
        num(l, "stdev", &r->lat_stdev_us, err) || num(l, "p50", &r->p50_us, err) ||
        num(l, "p75", &r->p75_us, err) || num(l, "p90", &r->p90_us, err) ||
        num(l, "p99", &r->p99_us, err) || num(l, "p99_9", &r->p99_9_us, err) ||
        num(l, "p99_99", &r->p99_99_us, err))
        goto out;
    if (dur <= 0) {
        err_set(err, "wrk output: duration_us must be positive");
        goto out;
    }
    r->duration_s = dur / 1e6;
    r->counted_created = cJSON_IsTrue(cc);
    /* "statuses": {"200": n, ...} (counted by response(); absent or {} otherwise) */
    const cJSON *st;
    cJSON_ArrayForEach(st, cJSON_GetObjectItemCaseSensitive(root, "statuses")) {
        long code;
        if (!cJSON_IsNumber(st) || str_to_long(st->string, 100, 999, &code) < 0 ||
            r->nstatuses >= WRK_MAX_STATUSES) {
            err_set(err, "wrk output: \"statuses\" must map statuses to counts (at most %d)",
                    WRK_MAX_STATUSES);
            goto out;
        }
        r->status_code[r->nstatuses] = (int)code;
        r->status_count[r->nstatuses++] = (long long)st->valuedouble;
    }
    size_t n = (size_t)cJSON_GetArraySize(h);
    r->hist = calloc(n ? n : 1, sizeof *r->hist);
    if (!r->hist) {
        err_set(err, "out of memory");
        goto out;
    }
    for (const cJSON *p = h->child; p; p = p->next) {
        const cJSON *v = cJSON_GetArrayItem(p, 0), *c = cJSON_GetArrayItem(p, 1);
        if (!cJSON_IsArray(p) || cJSON_GetArraySize(p) != 2 || !cJSON_IsNumber(v) ||
            !cJSON_IsNumber(c)) {
            err_set(err, "wrk output: histogram entries must be [latency_us, count]");
            goto out;
        }
        r->hist[r->nhist][0] = (long long)v->valuedouble;
        r->hist[r->nhist][1] = (long long)c->valuedouble;
        if (r->nhist && r->hist[r->nhist][0] <= r->hist[r->nhist - 1][0]) {
            err_set(err, "wrk output: histogram not in ascending order");
            goto out;
        }
        r->nhist++;
    }
    if (connections <= 0) {
        err_set(err, "wrk output: parsed without its connection count");
        goto out;
    }
    /* wrk's own figures, then the recorded samples (wrk_hist.c). `expected` is wrk's: runtime
     * (duration_us, an integer) over the answers per connection, both integer divisions. */
    r->wrk_p50_us = r->p50_us;
    r->wrk_p99_us = r->p99_us;
    long long per_conn = r->requests / connections;
    long long expected = per_conn > 0 ? (long long)dur / per_conn : 0;
    if (wrk_uncorrect(r->hist, &r->nhist, expected, &r->wrk_added, err) < 0) goto out;
    long long recorded = 0;
    for (size_t i = 0; i < r->nhist; i++) recorded += r->hist[i][1];
    /* One sample per answer, but for answers slower than wrk's timeout (counted as timeouts). */
    if (recorded > r->requests || recorded < r->requests - r->err_timeout) {
        err_set(err,
                "wrk output: %lld recorded latencies for %lld answers (%lld timeouts): the "
                "histogram does not match the counters",
                recorded, r->requests, r->err_timeout);
        goto out;
    }
    wrk_result_restat(r);
    rc = 0;
out:
    cJSON_Delete(root);
    if (rc < 0) wrk_result_free(r);
    return rc;
}

/* argv for wrk; strings live in store (numbers) or in o. Returns argc. */
static int build_argv(const wrk_opts_t *o, char *store, size_t storelen, char **argv) {
    int argc = 0;
    size_t used = 0;
#define NUMARG(flag, fmt, val)                                                                     \
    do {                                                                                           \
        argv[argc++] = (char *)(flag);                                                             \
        int w = snprintf(store + used, storelen - used, fmt, val);                                 \
        argv[argc++] = store + used;                                                               \
        used += (size_t)w + 1;                                                                     \
    } while (0)
    argv[argc++] = (char *)(o->wrk ? o->wrk : "wrk");
    NUMARG("-t", "%d", o->threads);
    NUMARG("-c", "%d", o->connections);
    NUMARG("-d", "%ds", o->duration_s);
    NUMARG("--timeout", "%ds", WRK_TIMEOUT_S);
    argv[argc++] = (char *)"-s";
    argv[argc++] = (char *)o->script;
    argv[argc++] = (char *)o->url;
    argv[argc] = NULL;
#undef NUMARG
    return argc;
}

int wrk_command_line(const wrk_opts_t *o, buf_t *out) {
    char store[256];
    char *argv[WRK_ARGV_MAX];
    int argc = build_argv(o, store, sizeof store, argv);
    int rc = 0;
    if (o->cpus) {
        rc |= buf_adds(out, "taskset -c ");
        bool first = true;
        for (int c = 0; c < CPU_SETSIZE; c++)
            if (CPU_ISSET(c, o->cpus)) {
                rc |= buf_printf(out, "%s%d", first ? "" : ",", c);
                first = false;
            }
        rc |= buf_addc(out, ' ');
    }
    for (int i = 0; i < argc; i++) {
        if (i) rc |= buf_addc(out, ' ');
        rc |= str_shell_quote(out, argv[i], strlen(argv[i]));
    }
    return rc ? -1 : 0;
}

static long long mono_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int wrk_run(const wrk_opts_t *o, wrk_result_t *r, double *util, err_t *err) {
    char store[256], logpath[4096];
    char *argv[WRK_ARGV_MAX];
    build_argv(o, store, sizeof store, argv);
    snprintf(logpath, sizeof logpath, "%s.log", o->json_out);
    unlink(o->json_out);
    int logfd = open(logpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (logfd < 0) return err_set(err, "%s: cannot create: %s", logpath, strerror(errno));
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        close(logfd);
        return err_set(err, "fork: %s", strerror(errno));
    }
    if (pid == 0) {
        /* Child: only async-signal-safe calls until exec. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) _exit(127);
        if (o->cpus) sched_setaffinity(0, sizeof *o->cpus, o->cpus);
        sigset_t none; /* parity blocks SIGINT/SIGTERM for its signal thread; wrk must not inherit
                          that */
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        dup2(logfd, 1);
        dup2(logfd, 2);
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0) dup2(devnull, 0);
        execvp(argv[0], argv);
        _exit(127);
    }
    close(logfd);
    proc_sampler_t smp;
    bool sampling = proc_sampler_start(&smp, -pid) == 0;
    long long deadline = mono_ms() + (long long)(o->duration_s + WRK_GRACE_S) * 1000;
    int status = 0;
    bool timed_out = false;
    for (;;) {
        pid_t w = waitpid(pid, &status, WNOHANG);
        if (w == pid) break;
        if (w < 0 && errno != EINTR) break;
        if (mono_ms() > deadline) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            timed_out = true;
            break;
        }
        struct timespec ts = {0, 20 * 1000000L};
        nanosleep(&ts, NULL);
    }
    if (sampling) {
        proc_sampler_stop(&smp);
        long ncpu = o->ncpus > 0 ? o->ncpus : sysconf(_SC_NPROCESSORS_ONLN);
        *util = ncpu > 0 ? proc_sampler_util(&smp) / (double)ncpu : 0;
    } else {
        *util = 0;
    }
    buf_t text;
    buf_init(&text, WRK_OUTPUT_MAX);
    err_t e2;
    bool ok = !timed_out && WIFEXITED(status) && WEXITSTATUS(status) == 0 &&
              buf_read_file(&text, o->json_out, &e2) == 0;
    int rc;
    if (ok) {
        rc = wrk_result_parse(text.ptr ? text.ptr : "", text.len, o->connections, r, err);
    } else {
        buf_t log;
        buf_init(&log, WRK_LOG_MAX);
        err_t e3;
        buf_read_file(&log, logpath, &e3);
        if (timed_out)
            rc = err_set(err, "wrk did not finish within %d s; killed. Output: %s",
                         o->duration_s + WRK_GRACE_S, buf_cstr(&log));
        else if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
            rc = err_set(
                err, "wrk could not be started (is it installed? scripts/bootstrap installs it)");
        else
            rc = err_set(err, "wrk failed (status %d): %s",
                         WIFEXITED(status) ? WEXITSTATUS(status) : -1, buf_cstr(&log));
        buf_free(&log);
    }
    buf_free(&text);
    return rc;
}

void wrk_version(char *out, size_t outlen) {
    snprintf(out, outlen, "unknown");
    FILE *p = popen("wrk -v 2>&1", "r");
    if (!p) return;
    char line[256];
    if (fgets(line, sizeof line, p)) {
        /* "wrk debian/4.1.0-3+b2 [epoll] Copyright ..." -> "wrk debian/4.1.0-3+b2 [epoll]" */
        char *c = strstr(line, " Copyright");
        if (c) *c = '\0';
        line[strcspn(line, "\r\n")] = '\0';
        snprintf(out, outlen, "%s", line);
    }
    pclose(p);
}
