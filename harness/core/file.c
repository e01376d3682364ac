/* file: atomic writes and mkdir -p. See file.h. */
#include "file.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int file_atomic_open(file_atomic_t *f, const char *path, err_t *err) {
    memset(f, 0, sizeof *f);
    if (strcmp(path, "-") == 0) {
        f->fp = stdout;
        return 0;
    }
    if ((size_t)snprintf(f->path, sizeof f->path, "%s", path) >= sizeof f->path ||
        (size_t)snprintf(f->tmp, sizeof f->tmp, "%s.tmp%d", path, (int)getpid()) >= sizeof f->tmp)
        return err_set(err, "%s: path too long", path);
    if (!(f->fp = fopen(f->tmp, "w"))) return err_set(err, "%s: %s", f->tmp, strerror(errno));
    return 0;
}

int file_atomic_commit(file_atomic_t *f, err_t *err) {
    FILE *fp = f->fp;
    if (!fp) return 0;
    f->fp = NULL;
    if (fp == stdout) return fflush(stdout) == 0 ? 0 : err_set(err, "stdout: %s", strerror(errno));
    int bad = ferror(fp);
    if (fclose(fp) != 0 || bad) {
        unlink(f->tmp);
        return err_set(err, "%s: write failed: %s", f->path, strerror(errno));
    }
    if (rename(f->tmp, f->path) != 0) {
        int e = errno;
        unlink(f->tmp);
        return err_set(err, "%s: %s", f->path, strerror(e));
    }
    return 0;
}

void file_atomic_abort(file_atomic_t *f) {
    if (!f->fp) return;
    if (f->fp != stdout) {
        fclose(f->fp);
        unlink(f->tmp);
    }
    f->fp = NULL;
}

int file_write_atomic(const char *path, const char *data, size_t len, err_t *err) {
    file_atomic_t f;
    if (file_atomic_open(&f, path, err) < 0) return -1;
    if (len && fwrite(data, 1, len, f.fp) != len) {
        file_atomic_abort(&f);
        return err_set(err, "%s: write failed: %s", path, strerror(errno));
    }
    return file_atomic_commit(&f, err);
}

static int file_is_dir(const char *p) {
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

int file_mkdirs(const char *path, err_t *err) {
    char p[FILE_PATH_MAX];
    if ((size_t)snprintf(p, sizeof p, "%s", path) >= sizeof p)
        return err_set(err, "%s: path too long", path);
    for (char *s = p + 1; *s; s++) {
        if (*s != '/') continue;
        *s = '\0';
        if (mkdir(p, 0755) != 0 && errno != EEXIST)
            return err_set(err, "cannot create %s: %s", p, strerror(errno));
        *s = '/';
    }
    if (mkdir(p, 0755) != 0 && errno != EEXIST)
        return err_set(err, "cannot create %s: %s", p, strerror(errno));
    if (!file_is_dir(p)) return err_set(err, "%s: not a directory", p);
    return 0;
}

static int file_rm_cb(const char *path, const struct stat *sb, int flag, struct FTW *ftw) {
    (void)sb, (void)flag, (void)ftw;
    remove(path);
    return 0;
}

void file_rmtree(const char *dir) {
    if (dir[0]) nftw(dir, file_rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}
