/* clients: wrk on several load machines at once over OpenSSH (see clients.h). */
#include "clients.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/file.h"

#define CLIENTS_SHELL_MAX 8192 /* bytes of the per-client shell text */
#define CLIENTS_LOG_MAX   4096 /* bytes of a client's stderr quoted in an error */
#define CLIENTS_CPU_TAG   "parity-cpu "

int client_parse(const char *s, client_spec_t *c, err_t *err) {
    memset(c, 0, sizeof *c);
    if (strlen(s) >= CLIENTS_SPEC_MAX) return err_set(err, "--client: too long");
    snprintf(c->spec, sizeof c->spec, "%s", s);
    if (strcmp(s, "local") == 0) {
        c->local = true;
        return 0;
    }
    if (strncmp(s, "ssh://", 6) != 0)
        return err_set(err, "--client \"%s\": expected local or ssh://[USER@]HOST[:PORT]", s);
    const char *h = s + 6, *at = strchr(h, '@');
    const char *host = at ? at + 1 : h, *port = NULL, *end;
    if (*host == '[') { /* [v6] */
        end = strchr(host, ']');
        if (!end) return err_set(err, "--client \"%s\": unterminated [", s);
        if (end[1] == ':')
            port = end + 2;
        else if (end[1])
            return err_set(err, "--client \"%s\": junk after ]", s);
        host++; /* ssh takes the bare address */
    } else {
        end = strchr(host, ':');
        if (end)
            port = end + 1;
        else
            end = host + strlen(host);
    }
    size_t userlen = at ? (size_t)(at - h) : 0, hostlen = (size_t)(end - host);
    if (hostlen == 0 || (at && userlen == 0))
        return err_set(err, "--client \"%s\": empty user or host", s);
    /* Only what a user or host name holds: nothing ssh would read as an option or a shell as
     * syntax (the destination is an argv element, but be strict anyway). */
    for (const char *p = h; p < end; p++) {
        if (p == at || (p == host - 1 && *p == '[')) continue; /* the '@' and a v6 '[' */
        if (!(*p == '.' || *p == '-' || *p == '_' || (*p == ':' && host[-1] == '[' && p >= host) ||
              (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')) ||
            ((p == host || p == h) && *p == '-'))
            return err_set(err, "--client \"%s\": unexpected character '%c'", s, *p);
    }
    snprintf(c->dest, sizeof c->dest, "%.*s%s%.*s", (int)userlen, h, at ? "@" : "", (int)hostlen,
             host);
    if (port) {
        long v;
        if (str_to_long(port, 1, 65535, &v) < 0)
            return err_set(err, "--client \"%s\": bad port", s);
        c->port = (int)v;
    }
    return 0;
}

static const char *ssh_bin(void) {
    const char *s = getenv(CLIENTS_SSH_ENV);
    return s && *s ? s : "ssh";
}

/* argv running shell text `sh` on client c; strings live in store or are static. */
static void client_argv(const client_spec_t *c, const char *sh, char *port, size_t portlen,
                        const char **argv) {
    int k = 0;
    if (c->local) {
        argv[k++] = "/bin/sh";
        argv[k++] = "-c";
        argv[k++] = sh;
    } else {
        argv[k++] = ssh_bin();
        argv[k++] = "-o";
        argv[k++] = "BatchMode=yes";
        argv[k++] = "-o";
        argv[k++] = "ConnectTimeout=10";
        if (c->port) {
            snprintf(port, portlen, "%d", c->port);
            argv[k++] = "-p";
            argv[k++] = port;
        }
        argv[k++] = "--";
        argv[k++] = c->dest;
        argv[k++] = sh; /* the remote command line (already "sh -c '...'") */
    }
    argv[k] = NULL;
}

typedef struct proc {
    pid_t pid;
    int in, out; /* our ends of the socketpairs: the client's stdin and stdout */
    buf_t text;  /* its stdout */
    char log[4096 + 16];
    bool ready, eof;
    size_t ready_off; /* where the output after "ready\n" starts */
    int status;
} proc_t;

/* Spawns argv in its own process group, stdin/stdout on socketpairs (send() with MSG_NOSIGNAL:
 * a client that died never kills parity with SIGPIPE), stderr into p->log. */
static int spawn(proc_t *p, const char **argv, err_t *err) {
    int si[2], so[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, si) < 0)
        return err_set(err, "socketpair: %s", strerror(errno));
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, so) < 0) {
        close(si[0]);
        close(si[1]);
        return err_set(err, "socketpair: %s", strerror(errno));
    }
    int logfd = open(p->log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    pid_t parent = getpid();
    pid_t pid = logfd < 0 ? -1 : fork();
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) _exit(127);
        setpgid(0, 0);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        dup2(si[1], 0);
        dup2(so[1], 1);
        dup2(logfd, 2);
        execvp(argv[0], (char *const *)argv);
        _exit(127);
    }
    close(si[1]);
    close(so[1]);
    if (logfd >= 0) close(logfd);
    if (pid < 0) {
        close(si[0]);
        close(so[0]);
        return err_set(err, "%s: %s", p->log, logfd < 0 ? "cannot create" : strerror(errno));
    }
    /* a client that stops reading must not hang parity: sends give up after the barrier's time */
    struct timeval tv = {.tv_sec = CLIENTS_READY_S, .tv_usec = 0};
    setsockopt(si[0], SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    p->pid = pid;
    p->in = si[0];
    p->out = so[0];
    return 0;
}

static long long mono_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int send_all(int fd, const char *p, size_t n) {
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Reads what is there from every open stdout until pred holds for all or the deadline passes.
 * pred 0: the "ready" line; 1: EOF. Returns 0, or -1 (timeout or read error). */
static int pump(proc_t *ps, size_t n, int until_eof, long long deadline) {
    for (;;) {
        struct pollfd fds[CLIENTS_MAX];
        size_t idx[CLIENTS_MAX], k = 0;
        for (size_t i = 0; i < n; i++) {
            bool done = until_eof ? ps[i].eof : (ps[i].ready || ps[i].eof);
            if (!done) {
                fds[k] = (struct pollfd){.fd = ps[i].out, .events = POLLIN};
                idx[k++] = i;
            }
        }
        if (k == 0) return 0;
        long long left = deadline - mono_ms();
        if (left <= 0) return -1;
        int rc = poll(fds, k, left > 200 ? 200 : (int)left);
        if (rc < 0 && errno != EINTR) return -1;
        for (size_t j = 0; rc > 0 && j < k; j++) {
            if (!(fds[j].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            proc_t *p = &ps[idx[j]];
            char chunk[65536];
            ssize_t r = read(p->out, chunk, sizeof chunk);
            if (r <= 0) {
                if (r < 0 && errno == EINTR) continue;
                p->eof = true;
                continue;
            }
            if (buf_add(&p->text, chunk, (size_t)r) < 0)
                p->eof = true; /* over the cap: parse fails */
            /* "ready" on a line of its own; a login shell may print before it (motd, rc files) */
            if (!p->ready) {
                const char *t = buf_cstr(&p->text), *r = t;
                while ((r = strstr(r, "ready\n")) && r != t && r[-1] != '\n') r++;
                if (r) {
                    p->ready = true;
                    p->ready_off = (size_t)(r - t) + 6;
                }
            }
        }
    }
}

static void reap(proc_t *p, bool kill_it) {
    if (p->pid <= 0) return;
    if (kill_it) kill(-p->pid, SIGKILL);
    while (waitpid(p->pid, &p->status, 0) < 0 && errno == EINTR) {
    }
    p->pid = 0;
}

/* "client ssh://h: " + what went wrong, quoting its stderr. */
static int client_fail(const client_spec_t *c, proc_t *p, const char *what, err_t *err) {
    buf_t log;
    buf_init(&log, CLIENTS_LOG_MAX);
    err_t e2;
    buf_read_file(&log, p->log, &e2);
    int code = WIFEXITED(p->status) ? WEXITSTATUS(p->status) : -1;
    const char *why = what;
    if (!what) {
        if (code == 127)
            why = c->local ? "wrk (or /bin/sh) could not be started"
                           : "ssh or wrk could not be started (is it installed?)";
        else if (code == 255 && !c->local)
            why = "ssh failed (host unreachable or key refused?)";
        else
            why = "wrk failed";
    }
    int rc = err_set(err, "client %s: %s (exit %d): %s", c->spec, why, code, buf_cstr(&log));
    buf_free(&log);
    return rc;
}

/* The shell text one client runs (see clients.h). */
static int shell_text(const client_spec_t *c, size_t i, size_t n, const wrk_opts_t *o,
                      size_t script_len, buf_t *sh) {
    int conns = o->connections / (int)n + ((int)i < o->connections % (int)n ? 1 : 0);
    int rc = buf_printf(sh,
                        "d=$(mktemp -d) || exit 111\n"
                        "trap 'rm -rf \"$d\"' EXIT\n"
                        "head -c %zu > \"$d/s.lua\" || exit 112\n"
                        "[ \"$(wc -c < \"$d/s.lua\")\" -eq %zu ] || exit 112\n"
                        "echo ready\n"
                        "read go || exit 113\n",
                        script_len, script_len);
    if (c->local) {
        int t = o->threads < conns ? o->threads : conns;
        rc |= buf_printf(sh, "t=%d\nn=%d\n", t > 0 ? t : 1, o->ncpus > 0 ? o->ncpus : 0);
        rc |= buf_adds(sh, "[ \"$n\" -gt 0 ] || n=$(nproc)\n");
    } else {
        rc |= buf_printf(sh, "n=$(nproc)\nt=$n\n[ \"$t\" -gt %d ] && t=%d\n", conns, conns);
    }
    rc |= buf_printf(sh, "PARITY_WRK_JSON=\"$d/out.json\" PARITY_CLIENT=-k%zu ", i + 1);
    if (c->local && o->cpus) {
        rc |= buf_adds(sh, "taskset -c ");
        bool first = true;
        for (int cpu = 0; cpu < CPU_SETSIZE; cpu++)
            if (CPU_ISSET(cpu, o->cpus)) {
                rc |= buf_printf(sh, "%s%d", first ? "" : ",", cpu);
                first = false;
            }
        rc |= buf_addc(sh, ' ');
    }
    rc |= str_shell_quote(sh, o->wrk ? o->wrk : "wrk", strlen(o->wrk ? o->wrk : "wrk"));
    rc |= buf_printf(sh, " -t \"$t\" -c %d -d %ds --timeout %ds -s \"$d/s.lua\" ", conns,
                     o->duration_s, WRK_TIMEOUT_S);
    rc |= str_shell_quote(sh, o->url, strlen(o->url));
    rc |= buf_adds(sh, " > \"$d/log\" 2>&1\n"
                       "rc=$?\n"
                       "if [ $rc -ne 0 ]; then cat \"$d/log\" >&2; exit $rc; fi\n"
                       "cat \"$d/out.json\" || exit 114\n"
                       /* cutime and cstime (fields 16, 17) of this shell: its reaped children */
                       "set -- $(cut -d' ' -f16,17 /proc/$$/stat)\n"
                       "echo; echo \"" CLIENTS_CPU_TAG "$1 $2 $(getconf CLK_TCK) $n\"\n");
    return rc ? -1 : conns;
}

/* Splits a client's stdout (after "ready\n") into the JSON and the CPU line. */
static int parse_output(const client_spec_t *c, proc_t *p, const char *raw_path, client_out_t *co,
                        err_t *err) {
    const char *t = buf_cstr(&p->text) + p->ready_off;
    const char *tag = NULL;
    for (const char *s = t; (s = strstr(s, "\n" CLIENTS_CPU_TAG)); s++) tag = s;
    if (!tag) return err_set(err, "client %s: output without its CPU line", c->spec);
    unsigned long long ut = 0, st = 0;
    long clk = 0;
    int ncpu = 0;
    if (sscanf(tag + 1 + strlen(CLIENTS_CPU_TAG), "%llu %llu %ld %d", &ut, &st, &clk, &ncpu) != 4 ||
        clk <= 0 || ncpu <= 0)
        return err_set(err, "client %s: malformed CPU line", c->spec);
    size_t jlen = (size_t)(tag - t);
    FILE *f = fopen(raw_path, "w");
    if (f) {
        fwrite(t, 1, jlen, f);
        fclose(f);
    }
    if (wrk_result_parse(t, jlen, co->connections, &co->r, err) < 0) {
        char msg[sizeof err->msg];
        snprintf(msg, sizeof msg, "%s", err->msg);
        return err_set(err, "client %s: %s", c->spec, msg);
    }
    co->cpu_s = (double)(ut + st) / (double)clk;
    co->ncpus = ncpu;
    co->util = co->r.duration_s > 0 ? co->cpu_s / co->r.duration_s / ncpu : 0;
    return 0;
}

int clients_run(const client_spec_t *c, size_t n, const wrk_opts_t *o, const char *script,
                size_t script_len, const char *raw_prefix, client_out_t *out, err_t *err) {
    if (n == 0 || n > CLIENTS_MAX) return err_set(err, "1..%d clients", CLIENTS_MAX);
    if (o->connections < (int)n)
        return err_set(err, "%d connections cannot be split over %zu clients", o->connections, n);
    proc_t ps[CLIENTS_MAX];
    memset(ps, 0, sizeof ps);
    memset(out, 0, n * sizeof *out);
    int rc = -1;
    size_t started = 0;
    buf_t sh, remote;
    buf_init(&sh, CLIENTS_SHELL_MAX);
    buf_init(&remote, 2 * CLIENTS_SHELL_MAX);
    for (size_t i = 0; i < n; i++) {
        buf_reset(&sh);
        buf_reset(&remote);
        int conns = shell_text(&c[i], i, n, o, script_len, &sh);
        if (conns < 0 || buf_adds(&remote, "sh -c ") < 0 ||
            str_shell_quote(&remote, buf_cstr(&sh), sh.len) < 0) {
            err_set(err, "client %s: command too long", c[i].spec);
            goto out;
        }
        out[i].connections = conns;
        buf_init(&ps[i].text, WRK_OUTPUT_MAX);
        started = i + 1; /* from here ps[i] is cleaned up at out */
        snprintf(ps[i].log, sizeof ps[i].log, "%.4000s.client%zu.log", raw_prefix, i + 1);
        const char *argv[16];
        char port[16];
        client_argv(&c[i], c[i].local ? buf_cstr(&sh) : buf_cstr(&remote), port, sizeof port, argv);
        if (spawn(&ps[i], argv, err) < 0) goto out;
    }
    /* The script to each (a client that died early is found by the barrier below). */
    for (size_t i = 0; i < n; i++) send_all(ps[i].in, script, script_len);
    long long now = mono_ms();
    if (pump(ps, n, 0, now + CLIENTS_READY_S * 1000LL) < 0) {
        for (size_t i = 0; i < n; i++)
            if (!ps[i].ready) {
                reap(&ps[i], true);
                client_fail(&c[i], &ps[i], "not ready within the start barrier's time", err);
                goto out;
            }
    }
    for (size_t i = 0; i < n; i++)
        if (!ps[i].ready) {
            reap(&ps[i], false);
            client_fail(&c[i], &ps[i], NULL, err);
            goto out;
        }
    /* The barrier: every client holds the script; "go" to all at once. */
    for (size_t i = 0; i < n; i++) send_all(ps[i].in, "go\n", 3);
    long long deadline = mono_ms() + (long long)(o->duration_s + WRK_GRACE_S) * 1000;
    bool late = pump(ps, n, 1, deadline) < 0;
    for (size_t i = 0; i < n; i++) reap(&ps[i], late && !ps[i].eof);
    for (size_t i = 0; i < n; i++) {
        if (!ps[i].eof) {
            client_fail(&c[i], &ps[i], "wrk did not finish in time; killed", err);
            goto out;
        }
        if (!WIFEXITED(ps[i].status) || WEXITSTATUS(ps[i].status) != 0) {
            client_fail(&c[i], &ps[i], NULL, err);
            goto out;
        }
        char raw[4200];
        snprintf(raw, sizeof raw, "%.4000s.client%zu.json", raw_prefix, i + 1);
        if (parse_output(&c[i], &ps[i], raw, &out[i], err) < 0) goto out;
    }
    rc = 0;
out:
    for (size_t i = 0; i < started; i++) {
        reap(&ps[i], true);
        if (ps[i].in > 0) close(ps[i].in);
        if (ps[i].out > 0) close(ps[i].out);
        buf_free(&ps[i].text);
    }
    if (rc < 0)
        for (size_t i = 0; i < n; i++) wrk_result_free(&out[i].r);
    buf_free(&sh);
    buf_free(&remote);
    return rc;
}

int clients_preflight(const client_spec_t *c, size_t n, err_t *err) {
    for (size_t i = 0; i < n; i++) {
        const char *argv[16];
        char port[16];
        const char *probe = c[i].local ? "command -v wrk >/dev/null || exit 99"
                                       : "sh -c 'command -v wrk >/dev/null || exit 99'";
        client_argv(&c[i], probe, port, sizeof port, argv);
        proc_t p;
        memset(&p, 0, sizeof p);
        buf_init(&p.text, CLIENTS_LOG_MAX);
        char dir[] = "/tmp/parity-client-XXXXXX";
        if (!mkdtemp(dir)) return err_set(err, "mkdtemp: %s", strerror(errno));
        snprintf(p.log, sizeof p.log, "%s/log", dir);
        int rc = spawn(&p, argv, err);
        if (rc == 0) {
            close(p.in);
            long long deadline = mono_ms() + CLIENTS_READY_S * 1000LL;
            p.ready = true; /* wait for EOF only */
            bool late = pump(&p, 1, 1, deadline) < 0;
            reap(&p, late);
            close(p.out);
            if (late)
                rc = client_fail(&c[i], &p, "no answer in time", err);
            else if (!WIFEXITED(p.status) || WEXITSTATUS(p.status) != 0)
                rc = client_fail(&c[i], &p,
                                 WIFEXITED(p.status) && WEXITSTATUS(p.status) == 99
                                     ? "wrk is not installed there"
                                     : NULL,
                                 err);
        }
        buf_free(&p.text);
        unlink(p.log);
        rmdir(dir);
        if (rc < 0) return -1;
    }
    return 0;
}
