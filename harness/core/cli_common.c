/* cli_common: what every subcommand shares. See cli_common.h. */
#include "cli_common.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef PARITY_SOURCE_DIR
#define PARITY_SOURCE_DIR "."
#endif
#ifndef PARITY_BUILD_DIR
#define PARITY_BUILD_DIR "."
#endif

int cli_usage_error(const char *cmd, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "parity %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\nTry 'parity %s --help'.\n", cmd);
    va_end(ap);
    return CLI_EXIT_USAGE;
}

static bool cli_is_dir(const char *p) {
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

int cli_root(char *out, size_t outlen, err_t *err) {
    const char *env = getenv("PARITY_ROOT");
    char cand[CLI_PATH_MAX];
    if (env && *env) {
        if (!cli_is_dir(env)) return err_set(err, "PARITY_ROOT=%s: not a directory", env);
        snprintf(cand, sizeof cand, "%s", env);
    } else {
        char cwd[CLI_PATH_MAX], a[CLI_PATH_MAX + 16], b[CLI_PATH_MAX + 16];
        if (getcwd(cwd, sizeof cwd) && (snprintf(a, sizeof a, "%s/specs", cwd), cli_is_dir(a)) &&
            (snprintf(b, sizeof b, "%s/targets", cwd), cli_is_dir(b)))
            snprintf(cand, sizeof cand, "%s", cwd);
        else
            snprintf(cand, sizeof cand, "%s", PARITY_SOURCE_DIR);
    }
    char *abs = realpath(cand, NULL);
    if (!abs) return err_set(err, "%s: %s", cand, strerror(errno));
    size_t n = strlen(abs);
    if (n >= outlen) {
        free(abs);
        return err_set(err, "root path too long");
    }
    memcpy(out, abs, n + 1);
    free(abs);
    return 0;
}

const char *cli_build_dir(void) {
    const char *env = getenv("PARITY_BUILD_DIR");
    return env && *env ? env : PARITY_BUILD_DIR;
}

bool cli_color(FILE *f) {
    const char *nc = getenv("NO_COLOR");
    if (nc && *nc) return false;
    return isatty(fileno(f)) == 1;
}

int cli_split_names(char *s, const char **list, size_t *n, size_t max) {
    for (char *save = NULL, *tok = strtok_r(s, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        if (*n >= max) return -1;
        list[(*n)++] = tok;
    }
    return 0;
}
