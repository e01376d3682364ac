/* target_manifest: parsing and validating targets/<name>/target.json, placeholder substitution.
 * See target.h. Positions come from jsonloc so every error is file:line:col. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/cli_common.h"
#include "core/jsonloc.h"
#include "target.h"

static char **tm_argv_free(char **v) {
    if (v)
        for (char **p = v; *p; p++) free(*p);
    free(v);
    return NULL;
}

void target_manifest_free(target_manifest_t *m) {
    if (!m) return;
    free(m->name);
    free(m->description);
    free(m->language);
    free(m->orm);
    free(m->dir);
    free(m->file);
    free(m->ready_path);
    tm_argv_free(m->start);
    tm_argv_free(m->env);
    tm_argv_free(m->version);
    tm_argv_free(m->requires);
    tm_argv_free(m->scenarios);
    tm_argv_free(m->programs);
    for (size_t i = 0; i < m->nvars; i++) {
        free(m->vars[i].name);
        free(m->vars[i].value);
    }
    free(m->vars);
    memset(m, 0, sizeof *m);
}

void target_manifest_free_all(target_manifest_t *ms, size_t n) {
    for (size_t i = 0; i < n; i++) target_manifest_free(&ms[i]);
    free(ms);
}

/* Error at a node: "file:line:col: message". key=true points at the member's key. */
static int tm_err(err_t *err, const char *file, const jl_map_t *map, const cJSON *node, bool key,
                  const char *msg, const char *what) {
    jl_loc_t l = node ? (key ? jl_map_key(map, node) : jl_map_value(map, node)) : (jl_loc_t){1, 1};
    return err_set(err, "%s:%u:%u: %s%s%s", file, l.line, l.col, msg, what ? " " : "",
                   what ? what : "");
}

/* A non-empty array of strings -> NULL-terminated argv. */
static int tm_argv(const cJSON *a, char ***out, const char *file, const jl_map_t *map, err_t *err) {
    int n = cJSON_GetArraySize(a);
    if (!cJSON_IsArray(a) || n < 1)
        return tm_err(err, file, map, a, false, "must be a non-empty list of strings:", a->string);
    if (n > TARGET_ARGV_MAX)
        return tm_err(err, file, map, a, false, "too many elements in", a->string);
    char **v = calloc((size_t)n + 1, sizeof *v);
    if (!v) return err_set(err, "out of memory");
    int i = 0;
    for (const cJSON *e = a->child; e; e = e->next, i++) {
        if (!cJSON_IsString(e) || strlen(e->valuestring) >= TARGET_STR_MAX) {
            tm_argv_free(v);
            return tm_err(err, file, map, e, false, "must be a string (shorter than 4096 bytes) in",
                          a->string);
        }
        if (!(v[i] = str_dup(e->valuestring))) {
            tm_argv_free(v);
            return err_set(err, "out of memory");
        }
    }
    *out = v;
    return 0;
}

static int tm_string(const cJSON *s, char **out, const char *file, const jl_map_t *map,
                     err_t *err) {
    if (!cJSON_IsString(s) || strlen(s->valuestring) >= TARGET_STR_MAX)
        return tm_err(err, file, map, s, false, "must be a string:", s->string);
    free(*out);
    if (!(*out = str_dup(s->valuestring))) return err_set(err, "out of memory");
    return 0;
}

static bool tm_valid_name(const char *s) {
    size_t n = strlen(s);
    if (n == 0 || n >= TARGET_NAME_MAX) return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
            return false;
    return true;
}

/* A template variable name ([A-Za-z_][A-Za-z0-9_.-]*, spec/tmpl.h) that is not a built-in. */
static bool tm_var_name_ok(const char *s) {
    size_t n = strlen(s);
    if (n == 0 || n > TARGET_VAR_NAME_MAX) return false;
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_')) return false;
    for (const char *p = s + 1; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '_' || *p == '.' || *p == '-'))
            return false;
    return true;
}

/* "vars": an object of strings, each visible to the suites as {{name}}. The built-ins that the
 * runner sets per suite (uid, target, run, url, secret) cannot be redeclared. */
static int tm_vars(const cJSON *it, target_manifest_t *m, const char *file, const jl_map_t *map,
                   err_t *err) {
    static const char *const builtins[] = {"uid", "target", "run", "url", "secret", NULL};
    if (!cJSON_IsObject(it))
        return tm_err(err, file, map, it, false, "vars must be an object of strings", NULL);
    int n = cJSON_GetArraySize(it);
    if (n > TARGET_VARS_MAX)
        return tm_err(err, file, map, it, false, "too many vars (at most 64)", NULL);
    if (n && !(m->vars = calloc((size_t)n, sizeof *m->vars))) return err_set(err, "out of memory");
    for (const cJSON *e = it->child; e; e = e->next) {
        if (!tm_var_name_ok(e->string))
            return tm_err(
                err, file, map, e, true,
                "a var name is [A-Za-z_][A-Za-z0-9_.-]* (a template variable):", e->string);
        for (size_t i = 0; builtins[i]; i++)
            if (strcmp(e->string, builtins[i]) == 0)
                return tm_err(err, file, map, e, true,
                              "is a built-in variable of every suite, not a var:", e->string);
        if (!cJSON_IsString(e) || strlen(e->valuestring) >= TARGET_STR_MAX)
            return tm_err(err, file, map, e, false, "vars values must be strings:", e->string);
        jl_loc_t l = jl_map_key(map, e);
        target_var_t *v = &m->vars[m->nvars++];
        v->line = l.line;
        v->col = l.col;
        if (!(v->name = str_dup(e->string)) || !(v->value = str_dup(e->valuestring)))
            return err_set(err, "out of memory");
    }
    return 0;
}

/* "databases": the backends the target supports, ["sqlite"] when absent (issue 24). A target
 * adds "postgres" once it passes specs/blog on PostgreSQL; `parity check --db postgres` without
 * --target runs only those. */
static int tm_databases(const cJSON *it, target_manifest_t *m, const char *file,
                        const jl_map_t *map, err_t *err) {
    if (!cJSON_IsArray(it) || cJSON_GetArraySize(it) == 0)
        return tm_err(err, file, map, it, false,
                      "databases must be a non-empty array of \"sqlite\" and \"postgres\"", NULL);
    m->databases = 0;
    for (const cJSON *e = it->child; e; e = e->next) {
        db_kind_t k;
        if (!cJSON_IsString(e) || db_kind_parse(e->valuestring, &k) < 0)
            return tm_err(err, file, map, e, false,
                          "databases entries are \"sqlite\" or \"postgres\"", NULL);
        if (m->databases & (1u << k))
            return tm_err(err, file, map, e, false, "database listed twice:", e->valuestring);
        m->databases |= 1u << k;
    }
    return 0;
}

static bool tm_listed_before(char **first, char **at) {
    for (char **v = first; v < at; v++)
        if (!strcmp(*v, *at)) return true;
    return false;
}

/* "scenarios": the benchmark scenarios worth measuring on this target (a variant that changes
 * only its data layer or its server need not repeat the others: CI time). Whether each name is a
 * scenario of specs/bench/scenarios is checked by test_target.c for the real targets, not here: a
 * manifest loads without the spec tree. */
static int tm_scenarios(const cJSON *it, target_manifest_t *m, const char *file,
                        const jl_map_t *map, err_t *err) {
    if (tm_argv(it, &m->scenarios, file, map, err) < 0) return -1;
    const cJSON *e = it->child;
    for (char **v = m->scenarios; *v; v++, e = e->next)
        if (!tm_valid_name(*v) || tm_listed_before(m->scenarios, v))
            return tm_err(err, file, map, e, false,
                          "scenarios entries are distinct names matching [a-z0-9_-]+:", *v);
    return 0;
}

bool target_manifest_benches(const target_manifest_t *m, const char *name) {
    if (!m->scenarios) return true;
    for (char **v = m->scenarios; *v; v++)
        if (!strcmp(*v, name)) return true;
    return false;
}

static int tm_fill(const cJSON *root, target_manifest_t *m, const char *file, const jl_map_t *map,
                   err_t *err) {
    if (!cJSON_IsObject(root))
        return tm_err(err, file, map, root, false, "a target manifest must be a JSON object", NULL);
    for (const cJSON *it = root->child; it; it = it->next) {
        const char *k = it->string;
        int rc = 0;
        if (strcmp(k, "name") == 0) {
            rc = tm_string(it, &m->name, file, map, err);
            if (rc == 0 && !tm_valid_name(m->name))
                return tm_err(err, file, map, it, false, "name must match [a-z0-9_-]+:", m->name);
        } else if (strcmp(k, "description") == 0) {
            rc = tm_string(it, &m->description, file, map, err);
        } else if (strcmp(k, "language") == 0) {
            rc = tm_string(it, &m->language, file, map, err);
        } else if (strcmp(k, "orm") == 0) {
            /* TechEmpower's classification of data access: a full ORM (objects, sessions,
             * relationships), a micro-ORM / query builder (rows mapped by hand), or raw SQL. */
            rc = tm_string(it, &m->orm, file, map, err);
            if (rc == 0 && strcmp(m->orm, "full") != 0 && strcmp(m->orm, "micro") != 0 &&
                strcmp(m->orm, "raw") != 0)
                return tm_err(err, file, map, it, false,
                              "orm must be \"full\", \"micro\" or \"raw\":", m->orm);
        } else if (strcmp(k, "start") == 0) {
            rc = tm_argv(it, &m->start, file, map, err);
        } else if (strcmp(k, "version") == 0) {
            rc = tm_argv(it, &m->version, file, map, err);
        } else if (strcmp(k, "requires") == 0) {
            rc = tm_argv(it, &m->requires, file, map, err);
        } else if (strcmp(k, "env") == 0) {
            int n = cJSON_GetArraySize(it);
            if (!cJSON_IsObject(it))
                return tm_err(err, file, map, it, false, "env must be an object of strings", NULL);
            if (n > TARGET_ENV_MAX)
                return tm_err(err, file, map, it, false, "too many env entries", NULL);
            m->env = calloc((size_t)n + 1, sizeof *m->env);
            if (!m->env) return err_set(err, "out of memory");
            int i = 0;
            for (const cJSON *e = it->child; e; e = e->next) {
                if (!cJSON_IsString(e))
                    return tm_err(err, file, map, e, false,
                                  "env values must be strings:", e->string);
                if (!*e->string || strchr(e->string, '='))
                    return tm_err(err, file, map, e, true,
                                  "invalid environment variable name:", e->string);
                buf_t b;
                buf_init(&b, TARGET_STR_MAX);
                if (buf_printf(&b, "%s=%s", e->string, e->valuestring) < 0) {
                    buf_free(&b);
                    return tm_err(err, file, map, e, false, "env value too long:", e->string);
                }
                m->env[i++] = buf_detach(&b);
            }
        } else if (strcmp(k, "vars") == 0) {
            rc = tm_vars(it, m, file, map, err);
        } else if (strcmp(k, "databases") == 0) {
            rc = tm_databases(it, m, file, map, err);
        } else if (strcmp(k, "scenarios") == 0) {
            rc = tm_scenarios(it, m, file, map, err);
        } else if (strcmp(k, "programs") == 0) {
            rc = tm_argv(it, &m->programs, file, map, err);
        } else if (strcmp(k, "ready") == 0) {
            if (!cJSON_IsObject(it))
                return tm_err(err, file, map, it, false, "ready must be an object", NULL);
            for (const cJSON *r = it->child; r; r = r->next) {
                if (strcmp(r->string, "path") == 0) {
                    if (tm_string(r, &m->ready_path, file, map, err) < 0) return -1;
                    if (m->ready_path[0] != '/')
                        return tm_err(err, file, map, r, false, "ready.path must start with '/'",
                                      NULL);
                } else if (strcmp(r->string, "timeout") == 0) {
                    if (!jl_is_integer(r) || r->valuedouble < 1 || r->valuedouble > 3600)
                        return tm_err(
                            err, file, map, r, false,
                            "ready.timeout must be an integer number of seconds in 1..3600", NULL);
                    m->ready_timeout_s = (int)r->valuedouble;
                } else {
                    return tm_err(err, file, map, r, true, "unknown key in ready:", r->string);
                }
            }
        } else {
            return tm_err(err, file, map, it, true, "unknown key", k);
        }
        if (rc < 0) return -1;
    }
    if (!m->name) return tm_err(err, file, map, root, false, "missing required key \"name\"", NULL);
    if (!m->start)
        return tm_err(err, file, map, root, false, "missing required key \"start\"", NULL);
    return 0;
}

int target_manifest_load(const char *path, target_manifest_t *m, err_t *err) {
    memset(m, 0, sizeof *m);
    buf_t b;
    buf_init(&b, TARGET_MANIFEST_MAX);
    if (buf_read_file(&b, path, err) < 0) {
        buf_free(&b);
        return -1;
    }
    jl_map_t *map = NULL;
    cJSON *root = jl_parse(buf_cstr(&b), b.len, path, JL_NO_DUP_KEYS, &map, err);
    buf_free(&b);
    if (!root) return -1;
    m->ready_timeout_s = TARGET_READY_TIMEOUT_S;
    m->databases = 1u << DB_SQLITE;
    int rc = tm_fill(root, m, path, map, err);
    cJSON_Delete(root);
    jl_map_free(map);
    if (rc == 0) {
        char dirbuf[TARGET_PATH_MAX];
        snprintf(dirbuf, sizeof dirbuf, "%s", path);
        char *slash = strrchr(dirbuf, '/');
        if (slash)
            *slash = '\0';
        else
            snprintf(dirbuf, sizeof dirbuf, ".");
        char *abs = realpath(dirbuf, NULL);
        if (!abs) rc = err_set(err, "%s: %s", dirbuf, strerror(errno));
        m->dir = abs;
        const char *base = abs ? strrchr(abs, '/') : NULL;
        if (rc == 0 && base && strcmp(base + 1, m->name) != 0)
            rc = err_set(err, "%s:1:1: name \"%s\" must equal the directory name \"%s\"", path,
                         m->name, base + 1);
    }
    if (rc == 0 &&
        (!(m->file = str_dup(path)) || (!m->description && !(m->description = str_dup(""))) ||
         (!m->language && !(m->language = str_dup(""))) || (!m->orm && !(m->orm = str_dup(""))) ||
         (!m->ready_path && !(m->ready_path = str_dup("/plaintext")))))
        rc = err_set(err, "out of memory");
    if (rc == 0 && !m->env && !(m->env = calloc(1, sizeof *m->env)))
        rc = err_set(err, "out of memory");
    if (rc < 0) target_manifest_free(m);
    return rc;
}

static int tm_cmp(const void *a, const void *b) {
    return strcmp(((const target_manifest_t *)a)->name, ((const target_manifest_t *)b)->name);
}

int target_manifest_scan(const char *dir, target_manifest_t **out, size_t *n, err_t *err) {
    *out = NULL;
    *n = 0;
    DIR *d = opendir(dir);
    if (!d) return err_set(err, "%s: %s", dir, strerror(errno));
    target_manifest_t *ms = NULL;
    size_t cnt = 0;
    struct dirent *de;
    int rc = 0;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.') continue;
        char path[TARGET_PATH_MAX];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s/target.json", dir, de->d_name);
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) continue;
        if (cnt == TARGET_SCAN_MAX) {
            rc = err_set(err, "%s: more than %d targets", dir, TARGET_SCAN_MAX);
            break;
        }
        target_manifest_t *nm = realloc(ms, (cnt + 1) * sizeof *ms);
        if (!nm) {
            rc = err_set(err, "out of memory");
            break;
        }
        ms = nm;
        if (target_manifest_load(path, &ms[cnt], err) < 0) {
            rc = -1;
            break;
        }
        cnt++;
    }
    closedir(d);
    if (rc < 0) {
        target_manifest_free_all(ms, cnt);
        return -1;
    }
    if (cnt) qsort(ms, cnt, sizeof *ms, tm_cmp);
    *out = ms;
    *n = cnt;
    return 0;
}

int target_substitute(const char *in, const target_subst_t *s, char *out, size_t outlen,
                      err_t *err) {
    static const char *const names[] = {"host", "port", "workers", "db", "secret", "dir", "build"};
    size_t o = 0;
    for (const char *p = in; *p;) {
        char val[TARGET_PATH_MAX];
        const char *v = NULL;
        size_t skip = 0;
        if (*p == '{') {
            for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
                size_t nl = strlen(names[i]);
                if (strncmp(p + 1, names[i], nl) == 0 && p[1 + nl] == '}') {
                    skip = nl + 2;
                    switch (i) {
                    case 0: v = s->host; break;
                    case 1:
                        snprintf(val, sizeof val, "%d", s->port);
                        v = val;
                        break;
                    case 2:
                        snprintf(val, sizeof val, "%d", s->workers);
                        v = val;
                        break;
                    case 3: v = s->db; break;
                    case 4: v = s->secret; break;
                    case 5: v = s->dir; break;
                    default: v = s->build; break;
                    }
                    if (!v) v = "";
                    break;
                }
            }
        }
        if (!v) {
            v = p;
            skip = 1;
            if (o + 1 >= outlen)
                return err_set(err, "value too long after substitution: %.60s...", in);
            out[o++] = *p;
            p += skip;
            continue;
        }
        size_t vl = strlen(v);
        if (o + vl >= outlen)
            return err_set(err, "value too long after substitution: %.60s...", in);
        memcpy(out + o, v, vl);
        o += vl;
        p += skip;
    }
    out[o] = '\0';
    return 0;
}

int target_manifest_scan_root(const char *cmd, char *dir, size_t dirlen, target_manifest_t **out,
                              size_t *n) {
    char root[CLI_PATH_MAX];
    err_t err;
    if (cli_root(root, sizeof root, &err) < 0) {
        fprintf(stderr, "parity %s: %s\n", cmd, err.msg);
        return -1;
    }
    snprintf(dir, dirlen, "%s/targets", root);
    if (target_manifest_scan(dir, out, n, &err) == 0) return 0;
    fprintf(stderr, "%s\n", err.msg);
    return -1;
}
