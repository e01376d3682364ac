/* file: writing files so that a reader never sees half of one, and mkdir -p.
 *
 * A result file (conformance.json, bench.json, report.html...) is written to "<path>.tmp<pid>"
 * and renamed over <path> only once complete: a crash, Ctrl-C or a full disk leaves the previous
 * file or none, never a truncated one, and two processes never write the same temporary file.
 *
 *     file_atomic_t f;
 *     if (file_atomic_open(&f, path, &err) < 0) ...   path "-" writes to stdout
 *     fprintf(f.fp, ...);
 *     if (file_atomic_commit(&f, &err) < 0) ...        closes, renames; on error removes the tmp
 *
 * Ownership: file_atomic_commit or file_atomic_abort closes f.fp (never fclose it yourself). */
#ifndef PARITY_CORE_FILE_H
#define PARITY_CORE_FILE_H

#include <stddef.h>
#include <stdio.h>

#include "util.h"

#define FILE_PATH_MAX 4096

typedef struct file_atomic {
    FILE *fp; /* write here; stdout for path "-" */
    char path[FILE_PATH_MAX];
    char tmp[FILE_PATH_MAX + 32];
} file_atomic_t;

/* Opens the temporary file beside path (or stdout for "-"). -1 with err set. */
int file_atomic_open(file_atomic_t *f, const char *path, err_t *err);
/* Closes and renames the temporary file over path (stdout: flushes). -1 with err set ("path:
 * write failed: ...") when a write, the close or the rename failed; the temporary file is gone. */
int file_atomic_commit(file_atomic_t *f, err_t *err);
/* Closes and removes the temporary file; path is untouched. */
void file_atomic_abort(file_atomic_t *f);
/* Writes len bytes of data as path, atomically. */
int file_write_atomic(const char *path, const char *data, size_t len, err_t *err);

/* mkdir -p path (mode 0755). -1 with err set when a component cannot be created or is a file. */
int file_mkdirs(const char *path, err_t *err);

/* rm -rf dir, best effort (what cannot be removed is left); never follows a symlink. Nothing for
 * an empty string. Safe in a signal-handling thread (no allocation of its own). */
void file_rmtree(const char *dir);

#endif
