/* proc: child processes: resolving an executable like execvp, running a command with a timeout
 * and capturing its output. Target lifecycle (start, readiness, stop) is target/target.h.
 *
 * Ownership: the caller owns out (a capped buf_t: output past its cap is dropped). */
#ifndef PARITY_CORE_PROC_H
#define PARITY_CORE_PROC_H

#include <stddef.h>

#include "util.h"

#define PROC_PATH_MAX 4096

/* Resolves argv0 like execvp (relative paths against cwd) into out; -1 if not executable. */
int proc_resolve_exec(const char *argv0, const char *cwd, char *out, size_t outlen, err_t *err);

/* Runs argv (cwd may be NULL) with a timeout, capturing stdout+stderr into out (may be NULL;
 * capped at out->max bytes). *status gets the exit status (128+signal when killed by one; -1 on
 * timeout: the command's group is killed). The child starts with every signal unblocked. */
int proc_run(char *const *argv, const char *cwd, int timeout_ms, buf_t *out, int *status,
             err_t *err);

#endif
