/* Tests for harness/core/file.c: atomic writes (temporary file, rename, nothing left behind on
 * failure) and mkdir -p; and core/clock.c's timestamps and run ids. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/file.h"

static char dir[64];

static void mkdir_tmp(void) {
    snprintf(dir, sizeof dir, "/tmp/parity-file-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static void rm_tmp(void) {
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

/* Number of entries in dir (without . and ..). */
static int entries(void) {
    DIR *d = opendir(dir);
    cr_assert_not_null(d);
    int n = 0;
    for (struct dirent *e; (e = readdir(d));) n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

static char *slurp(const char *path) {
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "%s", path);
    static char text[256];
    size_t n = fread(text, 1, sizeof text - 1, f);
    text[n] = '\0';
    fclose(f);
    return text;
}

Test(file, write_atomic_replaces_the_file_and_leaves_no_temporary, .init = mkdir_tmp,
     .fini = rm_tmp) {
    char path[128];
    snprintf(path, sizeof path, "%s/out.json", dir);
    err_t err;
    cr_assert_eq(file_write_atomic(path, "old\n", 4, &err), 0, "%s", err.msg);
    cr_assert_eq(file_write_atomic(path, "new\n", 4, &err), 0, "%s", err.msg);
    cr_assert_str_eq(slurp(path), "new\n");
    cr_assert_eq(entries(), 1, "only out.json");
}

Test(file, abort_keeps_the_old_file, .init = mkdir_tmp, .fini = rm_tmp) {
    char path[128];
    snprintf(path, sizeof path, "%s/out.json", dir);
    err_t err;
    cr_assert_eq(file_write_atomic(path, "old", 3, &err), 0, "%s", err.msg);
    file_atomic_t f;
    cr_assert_eq(file_atomic_open(&f, path, &err), 0, "%s", err.msg);
    fputs("half of a new fi", f.fp);
    cr_assert_eq(entries(), 2, "the temporary file exists while writing");
    cr_assert_str_eq(slurp(path), "old", "readers still see the old file");
    file_atomic_abort(&f);
    cr_assert_str_eq(slurp(path), "old");
    cr_assert_eq(entries(), 1);
}

Test(file, open_in_a_missing_directory_fails_with_the_path, .init = mkdir_tmp, .fini = rm_tmp) {
    char path[128];
    snprintf(path, sizeof path, "%s/no/such/out.json", dir);
    err_t err;
    cr_assert_eq(file_write_atomic(path, "x", 1, &err), -1);
    cr_assert(strstr(err.msg, "/no/such/out.json.tmp"), "%s", err.msg);
    cr_assert(strstr(err.msg, "No such file or directory"), "%s", err.msg);
}

Test(file, mkdirs_creates_parents_and_refuses_a_file) {
    char dir[] = "/tmp/parity-file-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char deep[256];
    snprintf(deep, sizeof deep, "%s/a/b/c", dir);
    err_t err;
    cr_assert_eq(file_mkdirs(deep, &err), 0, "%s", err.msg);
    cr_assert_eq(file_mkdirs(deep, &err), 0, "idempotent");
    struct stat sb;
    cr_assert_eq(stat(deep, &sb), 0);
    char file[300];
    snprintf(file, sizeof file, "%s/f", dir);
    FILE *f = fopen(file, "w");
    fclose(f);
    snprintf(deep, sizeof deep, "%s/f/x", dir);
    cr_assert_eq(file_mkdirs(deep, &err), -1);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

static bool matches(const char *s, const char *pattern) {
    regex_t re;
    cr_assert_eq(regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB), 0);
    bool m = regexec(&re, s, 0, NULL, 0) == 0;
    regfree(&re);
    return m;
}

Test(clock, iso8601_and_run_id_shapes) {
    char iso[CLOCK_ISO8601_LEN], a[CLOCK_RUN_ID_LEN], b[CLOCK_RUN_ID_LEN];
    clock_iso8601_now(iso, sizeof iso);
    cr_assert(matches(iso, "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z$"),
              "%s", iso);
    clock_run_id(a, sizeof a);
    clock_run_id(b, sizeof b);
    cr_assert(matches(a, "^[0-9]{8}-[0-9]{6}-[a-z0-9]{4}$"), "%s", a);
    cr_assert_str_neq(a, b, "two ids of the same second differ by their random part");
    cr_assert_eq(strncmp(iso, a, 4), 0, "same year: both are UTC");
}

Test(file, rmtree_removes_the_tree_and_never_follows_a_symlink) {
    char dir[] = "/tmp/parity-rmtree-XXXXXX", keep[] = "/tmp/parity-rmtree-keep-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    cr_assert_not_null(mkdtemp(keep));
    char p[400], kept[400];
    snprintf(p, sizeof p, "%s/a/b/c", dir);
    err_t err;
    cr_assert_eq(file_mkdirs(p, &err), 0, "%s", err.msg);
    snprintf(p, sizeof p, "%s/a/b/c/f", dir);
    FILE *f = fopen(p, "w");
    cr_assert_not_null(f);
    fclose(f);
    snprintf(kept, sizeof kept, "%s/precious", keep);
    f = fopen(kept, "w");
    cr_assert_not_null(f);
    fclose(f);
    snprintf(p, sizeof p, "%s/a/link", dir);
    cr_assert_eq(symlink(keep, p), 0);
    file_rmtree(dir);
    struct stat st;
    cr_assert_eq(stat(dir, &st), -1, "%s is still there", dir);
    cr_assert_eq(stat(kept, &st), 0, "the symlink's target lost %s", kept);
    file_rmtree(keep);
    cr_assert_eq(stat(keep, &st), -1);
    file_rmtree(""); /* nothing, no crash */
}
