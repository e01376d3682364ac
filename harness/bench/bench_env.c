/* bench_env: the environment block of bench.json, so that a reader can tell what machine and
 * what software produced the numbers. */
#include "bench.h"

#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "core/proc.h"
#include "target/target.h"
#include "wrk.h"

/* First value of "key : value" in a /proc text file, or "" when absent. */
static void proc_field(const char *path, const char *key, char *out, size_t outlen) {
    out[0] = '\0';
    FILE *f = fopen(path, "r");
    if (!f) return;
    char line[1024];
    size_t klen = strlen(key);
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, key, klen) != 0) continue;
        const char *v = strchr(line + klen, ':');
        if (!v) continue;
        v++;
        while (*v == ' ' || *v == '\t') v++;
        snprintf(out, outlen, "%s", v);
        out[strcspn(out, "\r\n")] = '\0';
        break;
    }
    fclose(f);
}

/* Runs argv in root and returns its first output line (trimmed) in out; "" on failure. */
static int first_line(const char *root, char *const *argv, char *out, size_t outlen) {
    buf_t b;
    buf_init(&b, 65536);
    int status = -1;
    err_t err;
    out[0] = '\0';
    int rc = proc_run(argv, root, TARGET_CMD_TIMEOUT_MS, &b, &status, &err);
    if (rc == 0 && status == 0) {
        snprintf(out, outlen, "%s", buf_cstr(&b));
        out[strcspn(out, "\r\n")] = '\0';
    }
    size_t len = b.len;
    buf_free(&b);
    return rc == 0 && status == 0 ? (int)(len > 0) : -1;
}

cJSON *bench_environment(const char *root) {
    cJSON *env = cJSON_CreateObject();
    char buf[512];
    proc_field("/proc/cpuinfo", "model name", buf, sizeof buf);
    cJSON_AddStringToObject(env, "cpu_model", buf[0] ? buf : "unknown");
    cJSON_AddNumberToObject(env, "cpus_online", (double)sysconf(_SC_NPROCESSORS_ONLN));
    struct utsname u;
    if (uname(&u) == 0) {
        snprintf(buf, sizeof buf, "%s %s %s", u.sysname, u.release, u.machine);
        cJSON_AddStringToObject(env, "kernel", buf);
        cJSON_AddStringToObject(env, "hostname", u.nodename);
    }
    proc_field("/proc/meminfo", "MemTotal", buf, sizeof buf);
    long long kb = 0;
    sscanf(buf, "%lld", &kb);
    cJSON_AddNumberToObject(env, "memory_mib", (double)(kb / 1024));
    buf[0] = '\0';
    FILE *f = fopen("/etc/os-release", "r"); /* KEY="value" lines */
    char line[256];
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "PRETTY_NAME=", 12) == 0) {
            char *v = line + 12;
            if (*v == '"') v++;
            v[strcspn(v, "\"\r\n")] = '\0';
            snprintf(buf, sizeof buf, "%s", v);
        }
    if (f) fclose(f);
    cJSON_AddStringToObject(env, "os", buf[0] ? buf : "unknown");
    wrk_version(buf, sizeof buf);
    cJSON_AddStringToObject(env, "wrk_version", buf);
    char *git_rev[] = {"git", "rev-parse", "--short=12", "HEAD", NULL};
    first_line(root, git_rev, buf, sizeof buf);
    cJSON_AddStringToObject(env, "git_commit", buf[0] ? buf : "unknown");
    char *git_dirty[] = {"git", "status", "--porcelain", "--untracked-files=no", NULL};
    int dirty = first_line(root, git_dirty, buf, sizeof buf);
    cJSON_AddBoolToObject(env, "git_dirty", dirty == 1);
    cJSON_AddStringToObject(env, "parity_version", PARITY_VERSION);
    return env;
}

bool bench_pin_plan(bool pin_auto, cpu_set_t *wrk, cpu_set_t *target, int *nwrk, int *workers) {
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    CPU_ZERO(wrk);
    CPU_ZERO(target);
    if (!pin_auto || n < 2) {
        *nwrk = n > 0 ? (int)n : 1;
        *workers = *nwrk;
        return false;
    }
    CPU_SET(0, wrk);
    for (long i = 1; i < n && i < CPU_SETSIZE; i++) CPU_SET((int)i, target);
    *nwrk = 1;
    *workers = (int)n - 1;
    return true;
}
