/* db_cluster: the private PostgreSQL cluster's processes, initdb and postgres (see db.h).
 *
 * Why `postgres` directly and not `pg_ctl start`: pg_ctl daemonises the server (it is re-parented
 * to init), so it would outlive a parity killed with SIGKILL. Started as our child in its own
 * session, the postmaster gets PR_SET_PDEATHSIG(SIGQUIT), PostgreSQL's "immediate shutdown": it
 * SIGQUITs its backends and exits when parity dies for any reason, and a terminal's Ctrl-C reaches
 * parity only (which then asks for a fast shutdown, SIGINT).
 *
 * As root, initdb and postgres refuse to run; the child drops to the `postgres` system user
 * (setgroups, setgid, setuid) before exec, and the directory is chowned to it first. The death
 * signal is set AFTER the setuid because a credential change clears it. Everything the child
 * needs is prepared before fork (parity is multithreaded: async-signal-safe calls only). */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/clock.h"
#include "db_int.h"

#define DB_ENVP_MAX       1024
#define DB_DEFAULT_BINDIR "/usr/lib/postgresql/15/bin"

extern char **environ;

/* The last `lines` lines of a file, appended to out as "    | line". */
static void db_log_tail(const char *path, int lines, buf_t *out) {
    enum { TAIL = 16384 };
    char b[TAIL + 1];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        buf_printf(out, "    (no log %s: %s)", path, strerror(errno));
        return;
    }
    off_t size = lseek(fd, 0, SEEK_END);
    ssize_t n = pread(fd, b, TAIL, size > TAIL ? size - TAIL : 0);
    close(fd);
    if (n <= 0) {
        buf_adds(out, "    (the log is empty)");
        return;
    }
    b[n] = '\0';
    ssize_t i = n;
    if (b[i - 1] == '\n') b[--i] = '\0';
    int seen = 0;
    while (i > 0 && !(b[i - 1] == '\n' && ++seen == lines)) i--;
    for (char *l = b + i; *l;) {
        size_t len = strcspn(l, "\n");
        buf_printf(out, "\n    | %.*s", (int)len, l);
        l += len + (l[len] == '\n');
    }
}

static int db_fail_log(err_t *err, const char *log, const char *what) {
    buf_t m;
    buf_init(&m, 8192);
    buf_printf(&m, "%s; last lines of %s:", what, log);
    db_log_tail(log, DB_LOG_TAIL, &m);
    const char *s = buf_cstr(&m);
    if (m.len >= ERR_MSG_MAX) /* keep the head line and the END of the log (it says why) */
        err_set(err, "%.200s ...%s", what, s + m.len - (ERR_MSG_MAX - 260));
    else
        err_set(err, "%s", s);
    buf_free(&m);
    return -1;
}

/* The binaries: `pg_config --bindir` is the Debian client's default version, which may not be
 * 15; the issue asks for 15, so its directory wins when present. */
static void db_find_bindir(db_t *d) {
    char probe[DB_PATH_MAX + 16];
    snprintf(d->bindir, sizeof d->bindir, "%s", DB_DEFAULT_BINDIR);
    snprintf(probe, sizeof probe, "%s/postgres", d->bindir);
    if (access(probe, X_OK) == 0) return;
    FILE *f = popen("pg_config --bindir 2>/dev/null", "re");
    if (!f) return;
    char line[DB_PATH_MAX];
    if (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        if (line[0] == '/') snprintf(d->bindir, sizeof d->bindir, "%s", line);
    }
    pclose(f);
}

/* The server's user: `postgres` when we are root, ourselves otherwise. */
typedef struct db_cred {
    bool drop; /* setuid in the child */
    uid_t uid;
    gid_t gid;
    char name[64];
} db_cred_t;

static int db_cred(db_cred_t *c, err_t *err) {
    memset(c, 0, sizeof *c);
    if (geteuid() != 0) {
        struct passwd *pw = getpwuid(geteuid());
        snprintf(c->name, sizeof c->name, "%s", pw ? pw->pw_name : "?");
        return 0;
    }
    struct passwd *pw = getpwnam("postgres");
    if (!pw)
        return err_set(err, "parity runs as root and PostgreSQL refuses to: there is no "
                            "`postgres` system user to run the cluster as (apt-get install "
                            "postgresql creates it)");
    c->drop = true;
    c->uid = pw->pw_uid;
    c->gid = pw->pw_gid;
    snprintf(c->name, sizeof c->name, "%s", pw->pw_name);
    return 0;
}

/* parity's environment without PG* variables (PGDATA, PGHOST... would redirect the tools). */
static char **db_child_env(void) {
    size_t n = 0;
    char **v = calloc(DB_ENVP_MAX + 1, sizeof *v);
    if (!v) return NULL;
    for (char **e = environ; e && *e && n < DB_ENVP_MAX; e++)
        if (strncmp(*e, "PG", 2) != 0) v[n++] = *e;
    return v;
}

/* Forks and execs argv[0] with stdout+stderr into log, as cred, in dir, its own session, the
 * death signal pdeath. Returns the pid or -1. */
static pid_t db_spawn(char *const argv[], const char *log, const char *dir, const db_cred_t *cred,
                      int pdeath, err_t *err) {
    char **envp = db_child_env();
    if (!envp) return err_set(err, "out of memory");
    int logfd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    int nullfd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    int ep[2] = {-1, -1};
    pid_t pid = -1;
    if (logfd < 0 || nullfd < 0 || pipe2(ep, O_CLOEXEC) < 0) {
        err_set(err, "cannot open %s: %s", log, strerror(errno));
        goto out;
    }
    if (cred->drop && fchown(logfd, cred->uid, cred->gid) < 0) {
        err_set(err, "chown %s to %s: %s", log, cred->name, strerror(errno));
        goto out;
    }
    pid_t parent = getpid();
    pid = fork();
    if (pid < 0) {
        err_set(err, "fork: %s", strerror(errno));
        goto out;
    }
    if (pid == 0) {
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        signal(SIGPIPE, SIG_DFL);
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        signal(SIGHUP, SIG_DFL);
        setsid();
        int e = 0;
        if (cred->drop &&
            (setgroups(0, NULL) < 0 || setgid(cred->gid) < 0 || setuid(cred->uid) < 0))
            e = errno;
        /* After the setuid: a credential change resets the parent-death signal. */
        if (!e) prctl(PR_SET_PDEATHSIG, pdeath);
        if (getppid() != parent) _exit(127);
        if (!e && (dup2(nullfd, 0) < 0 || dup2(logfd, 1) < 0 || dup2(logfd, 2) < 0)) e = errno;
        if (!e && chdir(dir) < 0) e = errno;
        if (!e) {
            close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
            execve(argv[0], argv, envp);
            e = errno;
        }
        ssize_t w = write(ep[1], &e, sizeof e);
        (void)w;
        _exit(127);
    }
    close(ep[1]);
    ep[1] = -1;
    int ce = 0;
    ssize_t r;
    while ((r = read(ep[0], &ce, sizeof ce)) < 0 && errno == EINTR) {
    }
    if (r == (ssize_t)sizeof ce) {
        waitpid(pid, NULL, 0);
        pid = -1;
        err_set(err, "cannot execute %s as user %s in %s: %s%s", argv[0], cred->name, dir,
                strerror(ce),
                ce == EACCES ? " (every parent directory must be searchable by that user: "
                               "set TMPDIR to one that is, e.g. /tmp)"
                             : "");
    }
out:
    if (logfd >= 0) close(logfd);
    if (nullfd >= 0) close(nullfd);
    if (ep[0] >= 0) close(ep[0]);
    if (ep[1] >= 0) close(ep[1]);
    free(envp);
    return pid;
}

/* Waits up to ms for pid; 1 with *ws when it exited, 0 on timeout. */
static int db_wait(pid_t pid, int ms, int *ws) {
    long long deadline = clock_mono_ms() + ms;
    for (;;) {
        pid_t r = waitpid(pid, ws, WNOHANG);
        if (r == pid || (r < 0 && errno == ECHILD)) return 1;
        if (clock_mono_ms() >= deadline) return 0;
        clock_sleep_ms(20);
    }
}

static int db_free_port(err_t *err) {
    /* With listen_addresses='' the port only names the socket file (.s.PGSQL.PORT), which lives
     * in our private directory; a free TCP port keeps the number unique in logs anyway. */
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t sl = sizeof sa;
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 ||
        getsockname(fd, (struct sockaddr *)&sa, &sl) < 0) {
        if (fd >= 0) close(fd);
        return err_set(err, "cannot find a free port: %s", strerror(errno));
    }
    close(fd);
    return ntohs(sa.sin_port);
}

static int db_initdb(db_t *d, const db_cred_t *cred, err_t *err) {
    char exe[DB_PATH_MAX + 16], log[DB_PATH_MAX + 16];
    snprintf(exe, sizeof exe, "%s/initdb", d->bindir);
    snprintf(log, sizeof log, "%s/initdb.log", d->dir);
    char *argv[] = {exe,          "-D",           d->data, "-E",    "UTF8",
                    "--locale=C", "--auth=trust", "-U",    DB_USER, "--no-instructions",
                    NULL};
    pid_t pid = db_spawn(argv, log, d->dir, cred, SIGKILL, err);
    if (pid < 0) return err_prefix(err, "initdb failed: ");
    d->pid = pid; /* a Ctrl-C now stops it (db_emergency_stop) */
    int ws = 0;
    if (!db_wait(pid, DB_INITDB_TIMEOUT_MS, &ws)) {
        kill(-pid, SIGKILL);
        waitpid(pid, NULL, 0);
        d->pid = 0;
        return db_fail_log(err, log, "initdb failed: timed out");
    }
    d->pid = 0;
    if (!WIFEXITED(ws) || WEXITSTATUS(ws) != 0) {
        char what[160];
        snprintf(what, sizeof what, "initdb failed (as user %s, exit status 0x%x)", cred->name, ws);
        return db_fail_log(err, log, what);
    }
    return 0;
}

int db_cluster_start(db_t *d, err_t *err) {
    db_cred_t cred;
    if (db_cred(&cred, err) < 0) return -1;
    db_find_bindir(d);
    snprintf(d->settings.os_user, sizeof d->settings.os_user, "%s", cred.name);
    if (cred.drop && chown(d->dir, cred.uid, cred.gid) < 0)
        return err_set(err, "chown %s to %s: %s", d->dir, cred.name, strerror(errno));
    /* Targets (parity's user) reach the socket through the directory. */
    if (chmod(d->dir, 0755) < 0) return err_set(err, "chmod %s: %s", d->dir, strerror(errno));
    if (snprintf(d->data, sizeof d->data, "%s/data", d->dir) >= (int)sizeof d->data)
        return err_set(err, "path too long");
    if (db_initdb(d, &cred, err) < 0) return -1;

    int port = db_free_port(err);
    if (port < 0) return -1;
    d->port = port;
    char exe[DB_PATH_MAX + 16], log[DB_PATH_MAX + 16], pstr[16], maxc[48];
    snprintf(exe, sizeof exe, "%s/postgres", d->bindir);
    snprintf(log, sizeof log, "%s/postgres.log", d->dir);
    snprintf(pstr, sizeof pstr, "%d", port);
    snprintf(maxc, sizeof maxc, "max_connections=%d", DB_MAX_CONNECTIONS);
    char *argv[] = {
        exe, "-D", d->data, "-k", d->dir, "-p", pstr, "-c", "listen_addresses=", "-c", maxc, NULL};
    pid_t pid = db_spawn(argv, log, d->dir, &cred, SIGQUIT, err);
    if (pid < 0) return err_prefix(err, "postgres (port %d) did not start: ", port);
    d->pid = pid;

    char conninfo[DB_PATH_MAX + 128];
    snprintf(conninfo, sizeof conninfo, "host=%s port=%d dbname=postgres user=%s connect_timeout=2",
             d->dir, port, DB_USER);
    long long deadline = clock_mono_ms() + DB_READY_TIMEOUT_MS;
    for (;;) {
        int ws = 0;
        if (waitpid(pid, &ws, WNOHANG) == pid) {
            d->pid = 0;
            char what[200];
            snprintf(what, sizeof what,
                     "postgres (port %d, user %s) exited during start-up (wait status 0x%x)", port,
                     cred.name, ws);
            return db_fail_log(err, log, what);
        }
        if (PQping(conninfo) == PQPING_OK) break;
        if (clock_mono_ms() >= deadline) {
            char what[200];
            snprintf(what, sizeof what, "postgres (port %d) not accepting connections after %d ms",
                     port, DB_READY_TIMEOUT_MS);
            return db_fail_log(err, log, what);
        }
        clock_sleep_ms(50);
    }
    return db_read_settings(d, err);
}

void db_cluster_stop(db_t *d, int grace_ms) {
    if (d->pid <= 0) return;
    pid_t pid = d->pid;
    /* SIGINT: fast shutdown (sessions rolled back, a checkpoint, clean exit). */
    kill(pid, SIGINT);
    if (!db_wait(pid, grace_ms, NULL)) {
        kill(pid, SIGQUIT); /* immediate shutdown */
        if (!db_wait(pid, 5000, NULL)) {
            kill(-pid, SIGKILL);
            db_wait(pid, 5000, NULL);
        }
    }
    /* Backends leave when their postmaster does; the session's stragglers get SIGKILL. */
    for (int i = 0; i < 100 && kill(-pid, 0) == 0; i++) clock_sleep_ms(20);
    if (kill(-pid, 0) == 0) kill(-pid, SIGKILL);
    d->pid = 0;
}
