/* target: the process lifecycle of a target (start, ready, crash detection, stop, no orphans).
 * See target.h for the contract. Manifest parsing lives in target_manifest.c.
 *
 * Why fork+execve by hand rather than posix_spawn: the child needs setsid, PR_SET_PDEATHSIG,
 * sched_setaffinity and close_range before exec, which posix_spawn cannot express. Everything the
 * child uses (argv, envp, resolved path, fds) is prepared BEFORE fork, because parity is
 * multithreaded and only async-signal-safe calls are allowed between fork and exec. */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "target.h"

#include "core/clock.h"
#include "core/file.h"
#include "core/proc.h"

#ifndef PARITY_BUILD_DIR
#define PARITY_BUILD_DIR "."
#endif
#define TARGET_REG_MAX          64 /* targets alive at once */
#define TARGET_POLL_MIN_MS      20 /* readiness polling interval, doubled up to the max */
#define TARGET_POLL_MAX_MS      200
#define TARGET_PROBE_TIMEOUT_MS 2000 /* one readiness request */
#define TARGET_ENVP_MAX         1024

extern char **environ;

/* ---- registry of live groups (for the signal thread) ----------------------------------------- */

static pthread_mutex_t target_reg_mu = PTHREAD_MUTEX_INITIALIZER;
static target_proc_t *target_reg[TARGET_REG_MAX];

/* Called with target_reg_mu held (see target_start). */
static int target_register_locked(target_proc_t *p) {
    for (int i = 0; i < TARGET_REG_MAX; i++)
        if (!target_reg[i]) {
            target_reg[i] = p;
            return 0;
        }
    return -1;
}

static void target_unregister(target_proc_t *p) {
    pthread_mutex_lock(&target_reg_mu);
    for (int i = 0; i < TARGET_REG_MAX; i++)
        if (target_reg[i] == p) target_reg[i] = NULL;
    pthread_mutex_unlock(&target_reg_mu);
}

/* ---- helpers ------------------------------------------------------------------------------- */

static int target_free_port(err_t *err) {
    /* bind(0) lets the kernel choose; the port is free again after close. Another process could
     * grab it before the target binds (a small race every harness of this kind accepts); the
     * target then fails to start and the error shows its log. */
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return err_set(err, "socket: %s", strerror(errno));
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t sl = sizeof sa;
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 ||
        getsockname(fd, (struct sockaddr *)&sa, &sl) < 0) {
        close(fd);
        return err_set(err, "cannot find a free port: %s", strerror(errno));
    }
    close(fd);
    return ntohs(sa.sin_port);
}

/* envp under construction: KEY=VALUE strings, a later key replaces an earlier one. */
typedef struct target_env {
    char *v[TARGET_ENVP_MAX + 1];
    size_t n;
} target_env_t;

static int target_env_put(target_env_t *e, const char *kv, err_t *err) {
    size_t kl = strcspn(kv, "=");
    char *dup = str_dup(kv);
    if (!dup) return err_set(err, "out of memory");
    for (size_t i = 0; i < e->n; i++)
        if (strncmp(e->v[i], kv, kl) == 0 && e->v[i][kl] == '=') {
            free(e->v[i]);
            e->v[i] = dup;
            return 0;
        }
    if (e->n == TARGET_ENVP_MAX) {
        free(dup);
        return err_set(err, "more than %d environment variables", TARGET_ENVP_MAX);
    }
    e->v[e->n++] = dup;
    e->v[e->n] = NULL;
    return 0;
}

static int target_env_putf(target_env_t *e, err_t *err, const char *k, const char *v) {
    char kv[TARGET_STR_MAX + 64];
    if ((size_t)snprintf(kv, sizeof kv, "%s=%s", k, v) >= sizeof kv)
        return err_set(err, "%s too long", k);
    return target_env_put(e, kv, err);
}

static void target_env_free(target_env_t *e) {
    for (size_t i = 0; i < e->n; i++) free(e->v[i]);
    e->n = 0;
}

static void target_argv_free(char **v, size_t n) {
    for (size_t i = 0; i < n; i++) free(v[i]);
}

int target_log_tail(const char *path, int lines, buf_t *out) {
    /* Reads at most the last 64 KiB: enough for TARGET_LOG_TAIL lines of any sane log. */
    enum { TAIL_BYTES = 65536 };
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return buf_printf(out, "    (no log: %s: %s)\n", path, strerror(errno));
    off_t size = lseek(fd, 0, SEEK_END);
    off_t from = size > TAIL_BYTES ? size - TAIL_BYTES : 0;
    char *b = malloc(TAIL_BYTES + 1);
    ssize_t n = b ? pread(fd, b, TAIL_BYTES, from) : -1;
    close(fd);
    if (n < 0) {
        free(b);
        return -1;
    }
    b[n] = '\0';
    /* Walk back over `lines` newlines (ignoring a trailing one). */
    ssize_t i = n;
    if (i > 0 && b[i - 1] == '\n') i--;
    int seen = 0;
    while (i > 0) {
        if (b[i - 1] == '\n' && ++seen == lines) break;
        i--;
    }
    if (n == 0) buf_adds(out, "    (the log is empty)\n");
    for (char *l = b + i; *l;) {
        size_t len = strcspn(l, "\n");
        buf_printf(out, "    | %.*s\n", (int)len, l);
        l += len;
        if (*l) l++;
    }
    free(b);
    return 0;
}

void target_describe_exit(int ws, char *out, size_t outlen) {
    if (WIFEXITED(ws))
        snprintf(out, outlen, "exited with status %d", WEXITSTATUS(ws));
    else if (WIFSIGNALED(ws))
        snprintf(out, outlen, "killed by signal %d (%s)", WTERMSIG(ws), strsignal(WTERMSIG(ws)));
    else
        snprintf(out, outlen, "stopped (wait status 0x%x)", ws);
}

int target_poll(target_proc_t *p, int *wstatus) {
    if (p->pid <= 0) return 1;
    pthread_mutex_lock(&p->mu);
    if (!p->exited) {
        int st;
        pid_t r = waitpid(p->pid, &st, WNOHANG);
        if (r == p->pid) {
            p->exited = true;
            p->wstatus = st;
        } else if (r < 0 && errno == ECHILD) {
            /* Reaped by someone else (the signal thread): treat as gone. */
            p->exited = true;
            p->wstatus = 0;
        }
    }
    int ex = p->exited;
    if (ex && wstatus) *wstatus = p->wstatus;
    pthread_mutex_unlock(&p->mu);
    return ex;
}

int target_wait_exit(target_proc_t *p, int ms) {
    long long deadline = clock_mono_ms() + ms;
    for (;;) {
        if (target_poll(p, NULL)) return 1;
        if (clock_mono_ms() >= deadline) return 0;
        clock_sleep_ms(10);
    }
}

bool target_group_alive(pid_t pgid) {
    if (pgid <= 0) return false;
    return kill(-pgid, 0) == 0 || errno == EPERM;
}

/* ---- start ------------------------------------------------------------------------------------
 */

static int target_drop_db(target_proc_t *p, err_t *err);

static pthread_once_t target_curl_once = PTHREAD_ONCE_INIT;
static void target_curl_init(void) {
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

static size_t target_discard(char *p, size_t s, size_t n, void *u) {
    (void)p, (void)u;
    return s * n;
}

/* One readiness probe: the HTTP status, or 0 with the curl error in why. */
static long target_probe(CURL *h, const char *url, char *why, size_t whylen) {
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)TARGET_PROBE_TIMEOUT_MS);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, target_discard);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_PROXY, "");
    CURLcode rc = curl_easy_perform(h);
    if (rc != CURLE_OK) {
        snprintf(why, whylen, "%s", curl_easy_strerror(rc));
        return 0;
    }
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    snprintf(why, whylen, "status %ld", status);
    return status;
}

static int target_fail_with_log(err_t *err, const target_manifest_t *m, const char *log,
                                const char *fmt, const char *a, const char *b) {
    buf_t msg;
    buf_init(&msg, ERR_MSG_MAX * 4);
    buf_printf(&msg, "target %s: ", m->name);
    buf_printf(&msg, fmt, a, b);
    buf_printf(&msg, "\n  last lines of %s:\n", log);
    target_log_tail(log, TARGET_LOG_TAIL, &msg);
    while (msg.len > 0 && msg.ptr[msg.len - 1] == '\n') buf_truncate(&msg, msg.len - 1);
    /* err_t holds ERR_MSG_MAX bytes: keep the END of the log, which says why. */
    const char *s = buf_cstr(&msg);
    if (msg.len >= ERR_MSG_MAX) {
        size_t head = strcspn(s, "\n");
        if (head > ERR_MSG_MAX / 4) head = ERR_MSG_MAX / 4;
        err_set(err, "%.*s\n  ...%s", (int)head, s, s + msg.len - (ERR_MSG_MAX - head - 16));
    } else {
        err_set(err, "%s", s);
    }
    buf_free(&msg);
    return -1;
}

/* Forks and execs the prepared command; returns the pid or -1. */
static pid_t target_spawn(const char *path, char **argv, char **envp, const char *cwd, int logfd,
                          int nullfd, const cpu_set_t *cpus, err_t *err) {
    int ep[2];
    if (pipe2(ep, O_CLOEXEC) < 0) return err_set(err, "pipe: %s", strerror(errno));
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        close(ep[0]);
        close(ep[1]);
        return err_set(err, "fork: %s", strerror(errno));
    }
    if (pid == 0) {
        /* Child: async-signal-safe calls only. */
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        signal(SIGPIPE, SIG_DFL); /* ignored dispositions survive exec */
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        signal(SIGHUP, SIG_DFL);
        setsid();
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) _exit(127); /* parent died before prctl */
        int e = 0;
        if (cpus && sched_setaffinity(0, sizeof *cpus, cpus) < 0) e = errno;
        if (!e && (dup2(nullfd, 0) < 0 || dup2(logfd, 1) < 0 || dup2(logfd, 2) < 0)) e = errno;
        if (!e && cwd && chdir(cwd) < 0) e = errno;
        if (!e) {
            /* Whatever parity had open (curl sockets, other targets' logs) must not leak. */
            close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
            execve(path, argv, envp);
            e = errno;
        }
        ssize_t w = write(ep[1], &e, sizeof e);
        (void)w;
        _exit(127);
    }
    close(ep[1]);
    int child_errno = 0;
    ssize_t r;
    while ((r = read(ep[0], &child_errno, sizeof child_errno)) < 0 && errno == EINTR) {
    }
    close(ep[0]);
    if (r == (ssize_t)sizeof child_errno) {
        waitpid(pid, NULL, 0);
        return err_set(err, "cannot execute %s: %s", path, strerror(child_errno));
    }
    return pid;
}

/* WORKERS: as asked, else the CPUs parity may run on. */
static int target_workers(const target_opts_t *o) {
    cpu_set_t cs;
    if (o->workers > 0) return o->workers;
    return sched_getaffinity(0, sizeof cs, &cs) == 0 ? CPU_COUNT(&cs) : 1;
}

/* A fresh temp dir with the SQLite path in it, and a random SECRET_KEY. */
static int target_make_dir(const target_manifest_t *m, target_proc_t *p, err_t *err) {
    const char *tmp = getenv("TMPDIR");
    if (!tmp || !*tmp) tmp = "/tmp";
    snprintf(p->tmpdir, sizeof p->tmpdir, "%s/parity-%s-XXXXXX", tmp, m->name);
    if (!mkdtemp(p->tmpdir)) {
        int e = errno;
        p->tmpdir[0] = '\0';
        return err_set(err, "target %s: cannot create a temp dir in %s: %s", m->name, tmp,
                       strerror(e));
    }
    if ((size_t)snprintf(p->db_path, sizeof p->db_path, "%s/blog.db", p->tmpdir) >=
        sizeof p->db_path) {
        file_rmtree(p->tmpdir);
        return err_set(err, "target %s: TMPDIR path too long", m->name);
    }
    unsigned char rnd[16];
    if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd)
        for (size_t i = 0; i < sizeof rnd; i++) rnd[i] = (unsigned char)(rand() & 0xff);
    for (size_t i = 0; i < sizeof rnd; i++) snprintf(p->secret + 2 * i, 3, "%02x", rnd[i]);

    return 0;
}

/* The child's environment: parity's own, then the contract's variables, the manifest's env,
 * the caller's extra env (later entries win). */
static int target_make_env(const target_manifest_t *m, const target_opts_t *o,
                           const target_proc_t *p, const target_subst_t *sub, int workers,
                           target_env_t *env, err_t *err) {
    char val[TARGET_STR_MAX], num[32];
    for (char **e = environ; e && *e; e++)
        if (target_env_put(env, *e, err) < 0) return -1;
    snprintf(num, sizeof num, "%d", p->port);
    if (target_env_putf(env, err, "HOST", "127.0.0.1") < 0 ||
        target_env_putf(env, err, "PORT", num) < 0)
        return -1;
    snprintf(num, sizeof num, "%d", workers);
    if (target_env_putf(env, err, "WORKERS", num) < 0 ||
        target_env_putf(env, err, "DATABASE_PATH", p->db_path) < 0 ||
        target_env_putf(env, err, "SECRET_KEY", p->secret) < 0)
        return -1;
    if (p->db_url[0] && target_env_putf(env, err, "DATABASE_URL", p->db_url) < 0) return -1;
    for (char **e = m->env; e && *e; e++) {
        if (target_substitute(*e, sub, val, sizeof val, err) < 0 ||
            target_env_put(env, val, err) < 0)
            return -1;
    }
    for (const char *const *e = o->env; e && *e; e++)
        if (target_env_put(env, *e, err) < 0) return -1;

    return 0;
}

/* Readiness: GET ready_path until 200, the deadline, or an exit. 0 when ready; -1 with err
 * quoting the log otherwise (the caller stops the target). */
static int target_await_ready(const target_manifest_t *m, const target_opts_t *o, target_proc_t *p,
                              err_t *err) {
    int rc = -1;
    int timeout_ms = o->ready_timeout_ms > 0 ? o->ready_timeout_ms : m->ready_timeout_s * 1000;
    long long deadline = clock_mono_ms() + timeout_ms;
    char url[TARGET_PATH_MAX], why[256] = "no attempt";
    snprintf(url, sizeof url, "%s%s", p->url, m->ready_path);
    CURL *h = curl_easy_init();
    if (!h) {
        return err_set(err, "curl_easy_init failed");
    }
    long wait = o->ready_poll_ms > 0 ? o->ready_poll_ms : TARGET_POLL_MIN_MS;
    for (;;) {
        int ws = 0;
        if (target_poll(p, &ws)) {
            char how[128];
            target_describe_exit(ws, how, sizeof how);
            target_fail_with_log(err, m, p->log_path, "exited during start-up (%s)%s", how, "");
            break;
        }
        if (target_probe(h, url, why, sizeof why) == 200) {
            rc = 0;
            break;
        }
        if (clock_mono_ms() >= deadline) {
            char what[TARGET_PATH_MAX + 64];
            snprintf(what, sizeof what, "GET %s did not answer 200 within %d ms", m->ready_path,
                     timeout_ms);
            target_fail_with_log(err, m, p->log_path, "%s (last attempt: %s)", what, why);
            break;
        }
        clock_sleep_ms(wait);
        if (o->ready_poll_ms <= 0 && wait < TARGET_POLL_MAX_MS) wait *= 2;
    }
    curl_easy_cleanup(h);
    return rc;
}

int target_start(const target_manifest_t *m, const target_opts_t *o, target_proc_t *p, err_t *err) {
    memset(p, 0, sizeof *p);
    pthread_mutex_init(&p->mu, NULL);
    pthread_once(&target_curl_once, target_curl_init);
    p->stop_grace_ms = o->stop_grace_ms > 0 ? o->stop_grace_ms : TARGET_STOP_GRACE_MS;
    int workers = target_workers(o);
    if (!o->log_path) return err_set(err, "target %s: no log path", m->name);
    snprintf(p->log_path, sizeof p->log_path, "%s", o->log_path);

    int port = target_free_port(err);
    if (port < 0) return -1;
    p->port = port;
    snprintf(p->url, sizeof p->url, "http://127.0.0.1:%d", port);

    if (target_make_dir(m, p, err) < 0) return -1;
    if (db_active() && db_create(db_active(), m->name, p->db_name, sizeof p->db_name, p->db_url,
                                 sizeof p->db_url, err) < 0) {
        p->db_name[0] = '\0';
        file_rmtree(p->tmpdir);
        return err_prefix(err, "target %s: ", m->name);
    }

    target_subst_t sub = {.host = "127.0.0.1",
                          .dir = m->dir,
                          .db = p->db_path,
                          .secret = p->secret,
                          .build = o->build_dir ? o->build_dir : PARITY_BUILD_DIR,
                          .port = port,
                          .workers = workers};
    char *argv[TARGET_ARGV_MAX + 1] = {0};
    size_t argc = 0;
    target_env_t env = {.n = 0};
    int logfd = -1, nullfd = -1, rc = -1;
    char path[TARGET_PATH_MAX], val[TARGET_STR_MAX];

    for (; m->start[argc]; argc++) {
        if (target_substitute(m->start[argc], &sub, val, sizeof val, err) < 0) goto out;
        if (!(argv[argc] = str_dup(val))) {
            err_set(err, "out of memory");
            goto out;
        }
    }
    if (proc_resolve_exec(argv[0], m->dir, path, sizeof path, err) < 0) {
        err_prefix(err, "target %s: ", m->name);
        goto out;
    }
    if (target_make_env(m, o, p, &sub, workers, &env, err) < 0) goto out;

    logfd = open(o->log_path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
    if (logfd < 0) {
        err_set(err, "target %s: cannot open log %s: %s", m->name, o->log_path, strerror(errno));
        goto out;
    }
    nullfd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (nullfd < 0) {
        err_set(err, "/dev/null: %s", strerror(errno));
        goto out;
    }
    /* Spawn and register under the registry lock: a Ctrl-C between the fork and the registration
     * would otherwise leave this target out of the signal thread's cleanup. */
    pthread_mutex_lock(&target_reg_mu);
    pid_t pid = target_spawn(path, argv, env.v, m->dir, logfd, nullfd, o->cpus, err);
    int reg = pid < 0 ? 0 : (p->pid = p->pgid = pid, target_register_locked(p));
    pthread_mutex_unlock(&target_reg_mu);
    if (pid < 0) {
        err_prefix(err, "target %s: ", m->name);
        goto out;
    }
    if (reg < 0) {
        err_set(err, "more than %d targets at once", TARGET_REG_MAX);
        target_stop(p, NULL);
        goto out;
    }

    rc = target_await_ready(m, o, p, err);
    if (rc < 0) target_stop(p, NULL);
out:
    if (rc < 0 && p->pid <= 0 && p->tmpdir[0]) file_rmtree(p->tmpdir);
    if (rc < 0 && p->pid <= 0) target_drop_db(p, NULL);
    target_argv_free(argv, argc);
    target_env_free(&env);
    if (logfd >= 0) close(logfd);
    if (nullfd >= 0) close(nullfd);
    return rc;
}

/* ---- stop -------------------------------------------------------------------------------------
 */

/* Waits until the leader is reaped and no member of the group is left, or the deadline. */
static bool target_wait_gone(target_proc_t *p, long long deadline) {
    for (;;) {
        if (target_poll(p, NULL) && !target_group_alive(p->pgid)) return true;
        if (clock_mono_ms() >= deadline) return false;
        clock_sleep_ms(10);
    }
}

/* Drops the start's database (PostgreSQL); 0 when there is none. */
static int target_drop_db(target_proc_t *p, err_t *err) {
    if (!p->db_name[0] || !db_active()) return 0;
    int rc = db_drop(db_active(), p->db_name, err);
    p->db_name[0] = '\0';
    return rc;
}

int target_stop(target_proc_t *p, err_t *err) {
    if (p->pid <= 0) return 0;
    pthread_mutex_lock(&p->mu);
    bool already = p->stopped;
    p->stopped = true;
    pthread_mutex_unlock(&p->mu);
    if (already) return 0;
    int rc = 0;
    kill(-p->pgid, SIGTERM);
    if (!target_wait_gone(p, clock_mono_ms() + p->stop_grace_ms)) {
        kill(-p->pgid, SIGKILL);
        rc = err_set(err, "did not stop within %d ms of SIGTERM; killed with SIGKILL",
                     p->stop_grace_ms);
        if (!target_wait_gone(p, clock_mono_ms() + 5000))
            rc = err_set(err, "process group %d survived SIGKILL", (int)p->pgid);
    }
    target_unregister(p);
    file_rmtree(p->tmpdir);
    err_t derr;
    if (target_drop_db(p, &derr) < 0) rc = err_set(err, "%s", derr.msg);
    return rc;
}

/* Sanitizer reports a target's log may hold (ASan, LSan inside ASan or alone, UBSan, TSan). */
static const char *const TG_SANITIZER_MARKS[] = {"ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
                                                 "SUMMARY: UndefinedBehaviorSanitizer",
                                                 ": runtime error: ", "WARNING: ThreadSanitizer"};

int target_stop_check(target_proc_t *p, err_t *err) {
    if (p->pid <= 0 || !p->stopped) return 0;
    int ws = 0;
    target_poll(p, &ws);
    /* SIGTERM (no handler) and SIGKILL (ours, after the grace) are the stop itself. */
    bool ok = (WIFEXITED(ws) && WEXITSTATUS(ws) == 0) ||
              (WIFSIGNALED(ws) && (WTERMSIG(ws) == SIGTERM || WTERMSIG(ws) == SIGKILL));
    if (!ok) {
        char how[160];
        target_describe_exit(ws, how, sizeof how);
        return err_set(err, "%s when stopped with SIGTERM (log: %s)", how, p->log_path);
    }
    FILE *f = fopen(p->log_path, "r");
    if (!f) return 0;
    char line[TARGET_LOG_LINE_MAX];
    unsigned long n = 0;
    int rc = 0;
    while (rc == 0 && fgets(line, sizeof line, f)) {
        n++;
        for (size_t i = 0; i < sizeof TG_SANITIZER_MARKS / sizeof *TG_SANITIZER_MARKS; i++)
            if (strstr(line, TG_SANITIZER_MARKS[i])) {
                line[strcspn(line, "\n")] = '\0';
                rc = err_set(err, "sanitizer report in its log (%s:%lu): %.200s", p->log_path, n,
                             line);
                break;
            }
    }
    fclose(f);
    return rc;
}

/* ---- signals -------------------------------------------------------------------------------- */

static sigset_t target_sigs;

/* Scratch directories of tools parity runs (cloc's --sdir): removed by the signal thread, since a
 * tool killed with parity cannot remove its own. Guarded by target_reg_mu. */
static char target_scratch[TARGET_SCRATCH_MAX][TARGET_PATH_MAX];

int target_scratch_add(const char *dir) {
    int rc = -1;
    pthread_mutex_lock(&target_reg_mu);
    for (int i = 0; i < TARGET_SCRATCH_MAX && rc < 0; i++)
        if (!target_scratch[i][0])
            rc = snprintf(target_scratch[i], TARGET_PATH_MAX, "%s", dir) > 0 ? 0 : -1;
    pthread_mutex_unlock(&target_reg_mu);
    return rc;
}

void target_scratch_remove(const char *dir) {
    pthread_mutex_lock(&target_reg_mu);
    for (int i = 0; i < TARGET_SCRATCH_MAX; i++)
        if (strcmp(target_scratch[i], dir) == 0) target_scratch[i][0] = '\0';
    pthread_mutex_unlock(&target_reg_mu);
    file_rmtree(dir);
}

static void *target_signal_thread(void *arg) {
    (void)arg;
    int sig = 0;
    while (sigwait(&target_sigs, &sig) != 0) {
    }
    db_emergency_begin(); /* the main thread now leaves the PostgreSQL cluster to us */
    fprintf(stderr, "\nparity: %s: stopping every started target\n", strsignal(sig));
    /* Hold the registry lock to the end: nobody unregisters (or frees) a target under us. */
    pthread_mutex_lock(&target_reg_mu);
    for (int i = 0; i < TARGET_REG_MAX; i++)
        if (target_reg[i]) kill(-target_reg[i]->pgid, SIGTERM);
    long long deadline = clock_mono_ms() + TARGET_STOP_GRACE_MS;
    for (;;) {
        bool any = false;
        for (int i = 0; i < TARGET_REG_MAX; i++)
            if (target_reg[i]) {
                waitpid(target_reg[i]->pid, NULL,
                        WNOHANG); /* a zombie leader still counts as alive */
                if (target_group_alive(target_reg[i]->pgid)) any = true;
            }
        if (!any || clock_mono_ms() >= deadline) break;
        clock_sleep_ms(20);
    }
    for (int i = 0; i < TARGET_REG_MAX; i++)
        if (target_reg[i]) {
            kill(-target_reg[i]->pgid, SIGKILL);
            waitpid(target_reg[i]->pid, NULL, 0);
            file_rmtree(target_reg[i]->tmpdir);
            /* --db-url: the server outlives us, so the databases must go; the private cluster
             * goes as a whole just below. */
            db_t *db = db_active();
            if (db && strcmp(db_settings(db)->mode, "url") == 0)
                target_drop_db(target_reg[i], NULL);
        }
    for (int i = 0; i < TARGET_SCRATCH_MAX; i++) file_rmtree(target_scratch[i]);
    db_emergency_stop();
    fflush(stderr);
    _exit(128 + sig);
}

int target_signals_install(void) {
    /* Idempotent: `parity run` goes through check and bench, which may both install it. */
    static bool installed;
    if (installed) return 0;
    sigemptyset(&target_sigs);
    sigaddset(&target_sigs, SIGINT);
    sigaddset(&target_sigs, SIGTERM);
    sigaddset(&target_sigs, SIGHUP);
    if (pthread_sigmask(SIG_BLOCK, &target_sigs, NULL) != 0) return -1;
    pthread_t t;
    if (pthread_create(&t, NULL, target_signal_thread, NULL) != 0) return -1;
    pthread_detach(t);
    installed = true;
    return 0;
}
