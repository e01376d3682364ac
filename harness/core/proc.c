/* proc: running a command with a timeout, resolving an executable. See proc.h. */
#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"

extern char **environ;

/* Resolves argv0 like execvp would, before fork. */
int proc_resolve_exec(const char *argv0, const char *cwd, char *out, size_t outlen, err_t *err) {
    if (strchr(argv0, '/')) {
        if (argv0[0] == '/' || !cwd)
            snprintf(out, outlen, "%s", argv0);
        else
            snprintf(out, outlen, "%s/%s", cwd, argv0);
        if (access(out, X_OK) != 0)
            return err_set(err, "cannot execute %s: %s", out, strerror(errno));
        return 0;
    }
    const char *path = getenv("PATH");
    if (!path) path = "/usr/local/bin:/usr/bin:/bin";
    for (const char *p = path; *p;) {
        size_t n = strcspn(p, ":");
        if (n > 0 && (size_t)snprintf(out, outlen, "%.*s/%s", (int)n, p, argv0) < outlen &&
            access(out, X_OK) == 0)
            return 0;
        p += n;
        if (*p == ':') p++;
    }
    return err_set(err, "%s: command not found in PATH", argv0);
}

int proc_run(char *const *argv, const char *cwd, int timeout_ms, buf_t *out, int *status,
             err_t *err) {
    char path[PROC_PATH_MAX];
    *status = -1;
    if (!argv || !argv[0]) return err_set(err, "empty command");
    if (proc_resolve_exec(argv[0], cwd, path, sizeof path, err) < 0) return -1;
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
    long long deadline = clock_mono_ms() + timeout_ms;
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
        if (clock_mono_ms() >= deadline) {
            rc = err_set(err, "%s: no exit within %d ms (killed)", argv[0], timeout_ms);
            break;
        }
    }
    close(pp[0]);
    /* EOF comes just before the exit: give the command until the deadline to exit by itself. */
    while (rc == 0 && !done) {
        if (waitpid(pid, &ws, WNOHANG) == pid)
            done = 1;
        else if (clock_mono_ms() >= deadline)
            rc = err_set(err, "%s: no exit within %d ms (killed)", argv[0], timeout_ms);
        else
            clock_sleep_ms(5);
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
