/* openloop_fixture: starting and stopping tests/fixtures/openloop_server.c from a Criterion test
 * (test_openloop.c, test_wrk_e2e.c). One server per test: the pid lives here, stop it in .fini. */
#ifndef PARITY_TEST_OPENLOOP_FIXTURE_H
#define PARITY_TEST_OPENLOOP_FIXTURE_H

#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

static pid_t fixture_pid;

/* Starts the fixture with args (NULL-terminated, at most 13); returns the port it printed. */
static int fixture_start(const char *const *args) {
    int fds[2];
    cr_assert_eq(pipe(fds), 0);
    char *argv[16];
    int n = 0;
    argv[n++] = FIXTURES_BIN_DIR "/parity_openloop_server";
    for (; *args && n < 14; args++) argv[n++] = (char *)*args;
    argv[n] = NULL;
    fixture_pid = fork();
    cr_assert_geq(fixture_pid, 0);
    if (fixture_pid == 0) {
        dup2(fds[1], 1);
        close(fds[0]);
        execv(argv[0], argv);
        _exit(127);
    }
    close(fds[1]);
    FILE *f = fdopen(fds[0], "r");
    int port = 0;
    cr_assert_eq(fscanf(f, "port %d", &port), 1, "the fixture did not print its port");
    fclose(f);
    return port;
}

static void fixture_stop(void) {
    if (fixture_pid > 0) {
        kill(fixture_pid, SIGTERM);
        waitpid(fixture_pid, NULL, 0);
        fixture_pid = 0;
    }
}

#endif
