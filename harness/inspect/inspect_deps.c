/* inspect_deps: what a target needs installed (see inspect.h).
 *
 * One method for every target, so that the counts compare: the Debian packages a target uses
 * directly, then their Depends/Pre-Depends closure among installed packages (apt-cache depends
 * --recurse --installed), with dpkg's Installed-Size. Direct packages are found by owner (dpkg -S):
 *   - the start command's executable (python3.11, node) when a package owns it;
 *   - an ELF executable no package owns (quill's blog, built here): its linked libraries (ldd);
 *   - a Python target: the modules its `requires` command imports (parsed with ast, imported,
 *     then each module's __file__);
 *   - the target.json's "programs" (what a launcher script runs: nginx behind serve);
 *   - a target with a package.json: `npm ls --all --json --omit=dev` on top (node_modules is not
 *     Debian's), with the disk usage of node_modules.
 * Recommends and Suggests are left out: they are not needed to run. */
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "inspect.h"

#include "core/proc.h"

#define DEPS_MAX_DIRECT 4096 /* names in a set: packages, files, npm name@version */
#define DEPS_NAME_MAX   256  /* bytes of a package name */
#define DEPS_ARGV_MAX   (DEPS_MAX_DIRECT * 2 + 16)

/* Prints the file of every top-level module that the code in argv[1] imports, after running it. */
static const char PY_MODULE_FILES[] =
    "import ast, sys\n"
    "code = sys.argv[1]\n"
    "names = []\n"
    "for n in ast.walk(ast.parse(code)):\n"
    "    if isinstance(n, ast.Import): names += [a.name for a in n.names]\n"
    "    elif isinstance(n, ast.ImportFrom) and n.module and not n.level: names.append(n.module)\n"
    "exec(compile(code, '<requires>', 'exec'), {'__name__': '__requires__'})\n"
    "for name in dict.fromkeys(x.split('.')[0] for x in names):\n"
    "    f = getattr(sys.modules.get(name), '__file__', None)\n"
    "    if f: print(f)\n";

typedef struct names {
    char *v[DEPS_MAX_DIRECT];
    size_t n;
} names_t;

static void names_add(names_t *s, const char *p, size_t len) {
    if (len == 0 || len >= DEPS_NAME_MAX || s->n >= DEPS_MAX_DIRECT) return;
    for (size_t i = 0; i < s->n; i++)
        if (strlen(s->v[i]) == len && !memcmp(s->v[i], p, len)) return;
    char *d = str_ndup(p, len);
    if (d) s->v[s->n++] = d;
}

static void names_free(names_t *s) {
    for (size_t i = 0; i < s->n; i++) free(s->v[i]);
    s->n = 0;
}

static cJSON *names_json(const names_t *s) {
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; i < s->n; i++) cJSON_AddItemToArray(a, cJSON_CreateString(s->v[i]));
    return a;
}

/* Runs argv; 0 with the output in out when it ran (any exit status), -1 otherwise. */
static int tool(char *const *argv, const char *cwd, buf_t *out, int *st, err_t *err) {
    buf_reset(out);
    if (proc_run(argv, cwd, INSPECT_CMD_TIMEOUT_MS, out, st, err) < 0)
        return err_prefix(err, "%s: ", argv[0]);
    if (*st == -1)
        return err_set(err, "%s did not finish within %d ms", argv[0], INSPECT_CMD_TIMEOUT_MS);
    return 0;
}

/* dpkg -S files: the owning packages ("pkg1, pkg2: /path" lines) into pkgs. */
static int owners(names_t *files, names_t *pkgs, buf_t *out, err_t *err) {
    if (files->n == 0) return 0;
    char *argv[DEPS_MAX_DIRECT + 3] = {"dpkg", "-S"};
    for (size_t i = 0; i < files->n; i++) argv[2 + i] = files->v[i];
    int st;
    if (tool(argv, NULL, out, &st, err) < 0) return -1;
    for (char *l = out->ptr; l && *l;) {
        char *nl = strchr(l, '\n');
        size_t len = nl ? (size_t)(nl - l) : strlen(l);
        char *sep = memmem(l, len, ": /", 3);
        if (sep && !str_starts_with(l, "dpkg-query:") && !str_starts_with(l, "diversion")) {
            for (char *p = l; p < sep;) {
                char *c = memchr(p, ',', (size_t)(sep - p));
                char *e = c ? c : sep;
                char *colon = memchr(p, ':', (size_t)(e - p)); /* "pkg:amd64" */
                names_add(pkgs, p, (size_t)((colon ? colon : e) - p));
                p = c ? c + 2 : sep;
            }
        }
        l = nl ? nl + 1 : NULL;
    }
    return 0;
}

static bool is_elf(const char *path) {
    FILE *f = fopen(path, "rb");
    unsigned char m[4] = {0};
    bool elf =
        f && fread(m, 1, 4, f) == 4 && m[0] == 0x7f && m[1] == 'E' && m[2] == 'L' && m[3] == 'F';
    if (f) fclose(f);
    return elf;
}

/* ldd exe: library names into libs, their paths (as printed and resolved) into files. */
static int linked(const char *exe, names_t *libs, names_t *files, buf_t *out, err_t *err) {
    char *argv[] = {"ldd", (char *)exe, NULL};
    int st;
    if (tool(argv, NULL, out, &st, err) < 0) return -1;
    for (char *l = out->ptr; l && *l;) {
        char *nl = strchr(l, '\n');
        if (nl) *nl = '\0';
        char *arrow = strstr(l, " => /");
        if (arrow) {
            char *name = l + strspn(l, " \t");
            names_add(libs, name, (size_t)(arrow - name));
            char *path = arrow + 4, *sp = strchr(path, ' ');
            names_add(files, path, sp ? (size_t)(sp - path) : strlen(path));
            char real[PATH_MAX];
            if (sp) *sp = '\0';
            if (realpath(path, real)) names_add(files, real, strlen(real));
        }
        l = nl ? nl + 1 : NULL;
    }
    return 0;
}

/* The files of the modules a Python target's `requires` imports. */
static int python_modules(const target_manifest_t *m, names_t *files, buf_t *out, err_t *err) {
    char **r = m->requires;
    if (!r || !r[0] || !r[1] || strcmp(r[1], "-c") || !r[2]) return 0;
    char *argv[] = {r[0], "-c", (char *)PY_MODULE_FILES, r[2], NULL};
    int st;
    if (tool(argv, m->dir, out, &st, err) < 0) return -1;
    if (st != 0)
        return err_set(err, "the requires imports failed (exit %d): %.300s", st, buf_cstr(out));
    for (char *l = out->ptr; l && *l;) {
        char *nl = strchr(l, '\n');
        size_t len = nl ? (size_t)(nl - l) : strlen(l);
        if (len && *l == '/') names_add(files, l, len);
        l = nl ? nl + 1 : NULL;
    }
    return 0;
}

/* Closure of direct among installed packages, and their total Installed-Size (KiB). */
static int closure(const names_t *direct, cJSON *deb, buf_t *out, err_t *err) {
    if (direct->n == 0) {
        cJSON_AddNumberToObject(deb, "packages", 0);
        cJSON_AddNumberToObject(deb, "installed_kib", 0);
        return 0;
    }
    char *argv[DEPS_ARGV_MAX] = {
        "apt-cache",     "depends",        "--recurse",   "--installed",   "--no-recommends",
        "--no-suggests", "--no-conflicts", "--no-breaks", "--no-replaces", "--no-enhances"};
    size_t argc = 10;
    for (size_t i = 0; i < direct->n; i++) argv[argc++] = direct->v[i];
    int st;
    if (tool(argv, NULL, out, &st, err) < 0) return -1;
    names_t all = {.n = 0};
    for (size_t i = 0; i < direct->n; i++) names_add(&all, direct->v[i], strlen(direct->v[i]));
    for (char *l = out->ptr; l && *l;) {
        char *nl = strchr(l, '\n');
        size_t len = nl ? (size_t)(nl - l) : strlen(l);
        if (len && *l != ' ' && *l != '<') names_add(&all, l, len);
        l = nl ? nl + 1 : NULL;
    }
    char *q[DEPS_ARGV_MAX] = {"dpkg-query", "-W", "-f=${db:Status-Abbrev} ${Installed-Size}\\n"};
    size_t qc = 3;
    for (size_t i = 0; i < all.n; i++) q[qc++] = all.v[i];
    q[qc] = NULL;
    int rc = tool(q, NULL, out, &st, err);
    long long kib = 0, n = 0;
    for (char *l = out->ptr; rc == 0 && l && *l;) {
        char *nl = strchr(l, '\n');
        if (nl) *nl = '\0';
        long long size;
        char *sp = strrchr(l, ' ');
        if (str_starts_with(l, "ii") && sp && str_to_ll(sp + 1, 0, 1LL << 40, &size) == 0) {
            kib += size;
            n++;
        }
        l = nl ? nl + 1 : NULL;
    }
    cJSON_AddNumberToObject(deb, "packages", (double)n);
    cJSON_AddNumberToObject(deb, "installed_kib", (double)kib);
    names_free(&all);
    return rc;
}

/* ---- npm ------------------------------------------------------------------------------------- */

static long long du_kib;
static int du_cb(const char *p, const struct stat *sb, int flag, struct FTW *ftw) {
    (void)p, (void)flag, (void)ftw;
    du_kib += (long long)sb->st_blocks / 2;
    return 0;
}

/* Counts unique name@version in an `npm ls --json` dependencies tree. */
static void npm_walk(const cJSON *deps, names_t *seen) {
    const cJSON *d;
    cJSON_ArrayForEach(d, deps) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(d, "version");
        char key[DEPS_NAME_MAX];
        snprintf(key, sizeof key, "%s@%s", d->string, cJSON_IsString(v) ? v->valuestring : "?");
        names_add(seen, key, strlen(key));
        npm_walk(cJSON_GetObjectItemCaseSensitive(d, "dependencies"), seen);
    }
}

static cJSON *npm(const char *dir, buf_t *out, err_t *err) {
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/package.json", dir);
    if (access(path, F_OK) != 0) return cJSON_CreateNull();
    cJSON *o = cJSON_CreateObject();
    char *argv[] = {"npm", "ls", "--all", "--json", "--omit=dev", NULL};
    int st;
    cJSON *doc = NULL;
    if (tool(argv, dir, out, &st, err) == 0) {
        const char *j = strchr(buf_cstr(out), '{');
        doc = j ? cJSON_Parse(j) : NULL;
        if (!doc) err_set(err, "npm ls printed no JSON (exit %d)", st);
    }
    if (!doc) {
        cJSON_AddStringToObject(o, "error", err->msg);
        return o;
    }
    const cJSON *deps = cJSON_GetObjectItemCaseSensitive(doc, "dependencies");
    names_t seen = {.n = 0};
    npm_walk(deps, &seen);
    size_t n = seen.n;
    names_free(&seen);
    snprintf(path, sizeof path, "%s/node_modules", dir);
    du_kib = 0; /* nftw has no user pointer; inspect runs one target at a time */
    nftw(path, du_cb, 32, FTW_PHYS);
    cJSON_AddNumberToObject(o, "direct", cJSON_GetArraySize(deps));
    cJSON_AddNumberToObject(o, "packages", (double)n);
    cJSON_AddNumberToObject(o, "size_kib", (double)du_kib);
    cJSON_Delete(doc);
    return o;
}

/* ---- the dependencies object ------------------------------------------------------------------
 */

static int direct_packages(const target_manifest_t *m, const char *build, cJSON *o, names_t *pkgs,
                           buf_t *out, err_t *err) {
    target_subst_t sub = {
        .host = "127.0.0.1", .dir = m->dir, .build = build, .db = "", .secret = ""};
    char exe0[TARGET_STR_MAX], exe[PATH_MAX], real[PATH_MAX];
    if (target_substitute(m->start[0], &sub, exe0, sizeof exe0, err) < 0 ||
        proc_resolve_exec(exe0, m->dir, exe, sizeof exe, err) < 0)
        return -1;
    names_t files = {.n = 0}, libs = {.n = 0};
    names_add(&files, exe, strlen(exe));
    if (realpath(exe, real)) names_add(&files, real, strlen(real));
    cJSON_AddStringToObject(o, "runtime", files.v[files.n - 1]);
    int rc = owners(&files, pkgs, out, err);
    if (rc == 0 && pkgs->n == 0 && is_elf(exe)) { /* built here: what it links */
        names_free(&files);
        rc = linked(exe, &libs, &files, out, err);
        if (rc == 0) rc = owners(&files, pkgs, out, err);
        cJSON_AddItemToObject(o, "libraries", names_json(&libs));
    }
    names_free(&files);
    if (rc == 0 && strcmp(m->language, "python") == 0) {
        rc = python_modules(m, &files, out, err);
        if (rc == 0) rc = owners(&files, pkgs, out, err);
        names_free(&files);
    }
    names_free(&libs);
    return rc;
}

/* The packages of the manifest's "programs": programs a launcher script runs (nginx behind the
 * -nginx variants' serve), which the start command's owner cannot show. A name is looked up in
 * PATH, then in the sbin directories a non-root PATH may lack. */
static int program_packages(const target_manifest_t *m, names_t *pkgs, buf_t *out, err_t *err) {
    static const char *const sbin[] = {"/usr/sbin", "/sbin", NULL};
    names_t files = {.n = 0};
    int rc = 0;
    for (char **p = m->programs; p && *p && rc == 0; p++) {
        char exe[PATH_MAX], real[PATH_MAX] = "";
        err_t e2;
        bool found = proc_resolve_exec(*p, m->dir, exe, sizeof exe, &e2) == 0;
        for (size_t i = 0; !found && !strchr(*p, '/') && sbin[i]; i++)
            found = (size_t)snprintf(exe, sizeof exe, "%s/%s", sbin[i], *p) < sizeof exe &&
                    access(exe, X_OK) == 0;
        if (!found) {
            rc = err_set(err, "%s: programs: %s is not installed (not in PATH, /usr/sbin or /sbin)",
                         m->file, *p);
            break;
        }
        names_add(&files, exe, strlen(exe));
        if (realpath(exe, real)) names_add(&files, real, strlen(real));
        /* merged /usr: PATH finds /usr/bin/dash where dpkg's database says /bin/dash */
        if (str_starts_with(real, "/usr/bin/") || str_starts_with(real, "/usr/sbin/"))
            names_add(&files, real + 4, strlen(real + 4));
    }
    if (rc == 0 && files.n) rc = owners(&files, pkgs, out, err);
    names_free(&files);
    return rc;
}

cJSON *inspect_deps(const target_manifest_t *m, const char *build_dir, err_t *err) {
    cJSON *o = cJSON_CreateObject();
    buf_t out;
    buf_init(&out, INSPECT_TOOL_OUT_MAX);
    names_t pkgs = {.n = 0};
    cJSON *deb = cJSON_CreateObject();
    err->msg[0] = '\0';
    int rc = direct_packages(m, build_dir ? build_dir : PARITY_BUILD_DIR, o, &pkgs, &out, err);
    if (rc == 0) rc = program_packages(m, &pkgs, &out, err);
    cJSON_AddItemToObject(o, "direct", names_json(&pkgs));
    if (rc == 0) rc = closure(&pkgs, deb, &out, err);
    cJSON_AddItemToObject(o, "debian", deb);
    cJSON *n = rc == 0 ? npm(m->dir, &out, err) : cJSON_CreateNull();
    cJSON_AddItemToObject(o, "npm", n);
    double packages = 0, kib = 0;
    const cJSON *v;
    if (cJSON_IsNumber(v = cJSON_GetObjectItemCaseSensitive(deb, "packages")))
        packages += v->valuedouble;
    if (cJSON_IsNumber(v = cJSON_GetObjectItemCaseSensitive(deb, "installed_kib")))
        kib += v->valuedouble;
    if (cJSON_IsNumber(v = cJSON_GetObjectItemCaseSensitive(n, "packages")))
        packages += v->valuedouble;
    if (cJSON_IsNumber(v = cJSON_GetObjectItemCaseSensitive(n, "size_kib"))) kib += v->valuedouble;
    cJSON_AddNumberToObject(o, "packages", packages);
    cJSON_AddNumberToObject(o, "size_kib", kib);
    if (rc < 0 || cJSON_GetObjectItemCaseSensitive(n, "error"))
        cJSON_AddStringToObject(o, "error", err->msg);
    else
        cJSON_AddNullToObject(o, "error");
    names_free(&pkgs);
    buf_free(&out);
    return o;
}
