/* inspect_code: lines of a target's code, by language and kind, and the lines marked as existing
 * only to meet a contract ruling (see inspect.h).
 *
 * Why cloc: it is in Debian, knows every language the targets use (Python, JavaScript, C, HTML,
 * EJS, JSON, CMake) and tells code from comments and blanks per file; --by-file gives each file,
 * which the kinds need. Why our own marker scan: cloc counts lines, it cannot know why a line is
 * there; only the code's author can say, with a comment. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inspect.h"

#include "core/json.h"
#include "core/file.h"
#include "core/proc.h"
#include "target/target.h"

#define CODE_LIST_MAX     (64u << 10) /* bytes of a code.list */
#define CODE_PATHS_MAX    32          /* paths and exclusions in a code.list */
#define CODE_RULING_ID    32          /* bytes of a ruling id ("12", "R3") */
#define CODE_PATH_MAX     4096
#define CODE_EXCLUDE_DIRS "node_modules,__pycache__,.git,.venv,venv,bench,tools,examples,build"

static double num(const cJSON *o, const char *k) {
    return json_num(o, k, 0);
}

static bool has_component(const char *path, const char *name) {
    size_t n = strlen(name);
    for (const char *p = path; (p = strstr(p, name)) != NULL; p += n) {
        bool start = p == path || p[-1] == '/';
        if (start && p[n] == '/') return true;
    }
    return false;
}

static const char *base_name(const char *path) {
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

const char *inspect_kind(const char *path, const char *language) {
    const char *b = base_name(path);
    if (has_component(path, "tests") || has_component(path, "test") ||
        has_component(path, "__tests__") || str_starts_with(b, "test_") || strstr(b, "_test.") ||
        strstr(b, ".test.") || strstr(b, ".spec."))
        return "tests";
    static const char *const TPL_EXT[] = {".html", ".htm", ".ejs",      ".jinja", ".jinja2",
                                          ".j2",   ".hbs", ".mustache", ".tmpl"};
    for (size_t i = 0; i < sizeof TPL_EXT / sizeof *TPL_EXT; i++)
        if (str_ends_with(b, TPL_EXT[i])) return "templates";
    static const char *const CFG_LANG[] = {"JSON", "YAML", "TOML",       "INI",       "CMake",
                                           "make", "XML",  "Properties", "Dockerfile"};
    for (size_t i = 0; language && i < sizeof CFG_LANG / sizeof *CFG_LANG; i++)
        if (strcmp(language, CFG_LANG[i]) == 0) return "config";
    if (str_ends_with(b, ".conf.py") || strcmp(b, "settings.py") == 0 || str_ends_with(b, ".cfg") ||
        str_ends_with(b, ".cmake"))
        return "config";
    return "logic";
}

/* ---- ruling markers -------------------------------------------------------------------------- */

static bool is_comment_line(const char *s, size_t n) {
    static const char *const LEAD[] = {"#", "//", "/*", "*", "<!--", "{#", "<%#", "-->"};
    for (size_t i = 0; i < sizeof LEAD / sizeof *LEAD; i++) {
        size_t k = strlen(LEAD[i]);
        if (n >= k && memcmp(s, LEAD[i], k) == 0) return true;
    }
    return false;
}

/* The word after `at` (skipping blanks) into out; returns where it ends. */
static const char *word(const char *at, const char *end, char *out, size_t outlen) {
    while (at < end && (*at == ' ' || *at == '\t')) at++;
    size_t n = 0;
    while (at < end && *at != ' ' && *at != '\t' && *at != '\r' && n + 1 < outlen) out[n++] = *at++;
    out[n] = '\0';
    return at;
}

static void bump(cJSON *by, const char *id) {
    if (!by || !*id) return;
    cJSON *v = cJSON_GetObjectItemCaseSensitive(by, id);
    if (v)
        cJSON_SetNumberValue(v, v->valuedouble + 1);
    else
        cJSON_AddNumberToObject(by, id, 1);
}

long inspect_ruling_lines(const char *text, size_t len, cJSON *by_ruling, long *blocks) {
    long lines = 0, nblocks = 0;
    char block_id[CODE_RULING_ID] = "", pending_id[CODE_RULING_ID] = "";
    bool in_block = false, pending = false;
    const char *p = text, *end = text + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        const char *s = p;
        while (s < le && (*s == ' ' || *s == '\t')) s++;
        size_t n = (size_t)(le - s);
        while (n && (s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t')) n--;
        const char *mark =
            n ? memmem(s, n, INSPECT_RULING_MARK, strlen(INSPECT_RULING_MARK)) : NULL;
        bool comment = n && is_comment_line(s, n);
        if (mark) {
            char w[CODE_RULING_ID], id[CODE_RULING_ID] = "";
            const char *after = word(mark + strlen(INSPECT_RULING_MARK), s + n, w, sizeof w);
            if (strcmp(w, "begin") == 0) {
                word(after, s + n, id, sizeof id);
                snprintf(block_id, sizeof block_id, "%s", id);
                in_block = true;
                nblocks++;
            } else if (strcmp(w, "end") == 0) {
                in_block = false;
            } else if (!in_block) {
                nblocks++;
                if (!comment) { /* code, then the marker: this line */
                    lines++;
                    bump(by_ruling, w);
                } else { /* a marker on its own line: the next code line */
                    snprintf(pending_id, sizeof pending_id, "%s", w);
                    pending = true;
                }
            }
        } else if (n && !comment && (in_block || pending)) {
            lines++;
            bump(by_ruling, in_block ? block_id : pending_id);
            pending = false;
        }
        p = nl ? nl + 1 : end;
    }
    if (blocks) *blocks = nblocks;
    return lines;
}

/* ---- cloc --------------------------------------------------------------------------------------
 */

/* Reads dir/code.list into the cloc argv (paths) and the exclusion list. */
static int read_list(const char *dir, char **paths, size_t *npaths, buf_t *excl, err_t *err) {
    char path[CODE_PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", dir, INSPECT_LIST_FILE);
    buf_t b;
    buf_init(&b, CODE_LIST_MAX);
    *npaths = 0;
    if (buf_read_file(&b, path, err) < 0) { /* no list: the whole directory */
        buf_free(&b);
        paths[(*npaths)++] = str_dup(".");
        return paths[0] ? 0 : err_set(err, "out of memory");
    }
    int lineno = 0, rc = 0;
    for (char *line = b.ptr, *next; rc == 0 && line && *line; line = next) {
        lineno++;
        next = strchr(line, '\n');
        if (next) *next++ = '\0';
        char *h = strchr(line, '#');
        if (h) *h = '\0';
        char w[CODE_PATH_MAX];
        word(line, line + strlen(line), w, sizeof w);
        if (!*w) continue;
        if (*w == '-') {
            buf_printf(excl, ",%s", w + 1);
        } else if (*npaths >= CODE_PATHS_MAX || strchr(w, ',')) {
            rc = err_set(err, "%s:%d: more than %d paths, or a comma in a path", path, lineno,
                         CODE_PATHS_MAX);
        } else if (!(paths[(*npaths)++] = str_dup(w))) {
            rc = err_set(err, "out of memory");
        }
    }
    if (rc == 0 && *npaths == 0) rc = err_set(err, "%s: lists no path", path);
    buf_free(&b);
    return rc;
}

static void add_counts(cJSON *parent, const char *key, const cJSON *file) {
    cJSON *o = cJSON_GetObjectItemCaseSensitive(parent, key);
    if (!o) {
        o = cJSON_AddObjectToObject(parent, key);
        cJSON_AddNumberToObject(o, "files", 0);
        cJSON_AddNumberToObject(o, "code", 0);
        cJSON_AddNumberToObject(o, "comment", 0);
        cJSON_AddNumberToObject(o, "blank", 0);
    }
    static const char *const F[] = {"code", "comment", "blank"};
    cJSON *files = cJSON_GetObjectItemCaseSensitive(o, "files");
    cJSON_SetNumberValue(files, files->valuedouble + 1);
    for (size_t i = 0; i < 3; i++) {
        cJSON *v = cJSON_GetObjectItemCaseSensitive(o, F[i]);
        cJSON_SetNumberValue(v, v->valuedouble + num(file, F[i]));
    }
}

/* Runs cloc in dir over paths; the parsed --by-file document, or NULL (err). */
static cJSON *run_cloc(const char *dir, char **paths, size_t npaths, const char *excl, err_t *err) {
    /* "-NAME" of a code.list leaves out a directory or a file of that name */
    char xd[4096], nf[8192];
    snprintf(xd, sizeof xd, "--exclude-dir=%s%s", CODE_EXCLUDE_DIRS, excl);
    buf_t re;
    buf_init(&re, sizeof nf - 64);
    for (const char *p = excl; *p; p++) {
        if (*p == ',')
            buf_adds(&re, re.len ? "$|^" : "|^");
        else if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9'))
            buf_addc(&re, *p);
        else
            buf_printf(&re, "\\%c", *p); /* a regex metacharacter, quoted */
    }
    snprintf(nf, sizeof nf, "--not-match-f=(package-lock\\.json$|yarn\\.lock$|\\.min\\.js$%s%s)",
             re.len ? buf_cstr(&re) : "", re.len ? "$" : "");
    buf_free(&re);
    /* cloc's scratch files in a directory parity owns: left to File::Temp, a cloc killed with
     * parity (Ctrl-C, PDEATHSIG) leaves its temp dir behind; this one the signal thread removes. */
    const char *tmp = getenv("TMPDIR");
    char sdir[TARGET_PATH_MAX], sarg[TARGET_PATH_MAX + 16];
    snprintf(sdir, sizeof sdir, "%s/parity-cloc-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(sdir)) {
        err_set(err, "cloc: cannot create a scratch dir in %s: %s", tmp && *tmp ? tmp : "/tmp",
                strerror(errno));
        return NULL;
    }
    if (target_scratch_add(sdir) < 0) {
        file_rmtree(sdir);
        err_set(err, "cloc: too many scratch dirs at once");
        return NULL;
    }
    snprintf(sarg, sizeof sarg, "--sdir=%s", sdir);
    char *argv[CODE_PATHS_MAX + 12] = {"cloc",
                                       "--json",
                                       "--by-file",
                                       "--quiet",
                                       "--skip-uniqueness",
                                       xd,
                                       "--exclude-lang=Markdown,Text",
                                       nf,
                                       sarg};
    size_t argc = 9;
    for (size_t i = 0; i < npaths; i++) argv[argc++] = paths[i];
    argv[argc] = NULL;
    buf_t out;
    buf_init(&out, INSPECT_TOOL_OUT_MAX);
    int st = -1;
    cJSON *doc = NULL;
    if (proc_run(argv, dir, INSPECT_CMD_TIMEOUT_MS, &out, &st, err) < 0) {
        err_prefix(err, "cloc: ");
    } else if (st != 0) {
        err_set(err, "cloc exited %d in %s (is it installed? scripts/packages.txt): %.200s", st,
                dir, buf_cstr(&out));
    } else {
        const char *j = strchr(buf_cstr(&out), '{');
        doc = j ? cJSON_Parse(j) : NULL;
        if (!doc && out.len == 0) doc = cJSON_CreateObject(); /* nothing to count */
        if (!doc) err_set(err, "cloc printed no JSON in %s: %.200s", dir, buf_cstr(&out));
    }
    buf_free(&out);
    target_scratch_remove(sdir);
    return doc;
}

/* Scans one counted file for ruling markers; adds to the ruling object. */
static void scan_markers(const char *dir, const char *rel, cJSON *by, long *lines, long *blocks) {
    char path[CODE_PATH_MAX * 2];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    buf_t b;
    buf_init(&b, INSPECT_FILE_MAX);
    err_t e;
    if (buf_read_file(&b, path, &e) == 0 && b.len) {
        long nb = 0;
        *lines += inspect_ruling_lines(b.ptr, b.len, by, &nb);
        *blocks += nb;
    }
    buf_free(&b);
}

cJSON *inspect_code(const char *dir, err_t *err) {
    cJSON *code = cJSON_CreateObject();
    if (!code) return NULL;
    char *paths[CODE_PATHS_MAX + 1] = {0};
    size_t np = 0;
    buf_t excl;
    buf_init(&excl, 4000);
    cJSON *doc = NULL;
    if (read_list(dir, paths, &np, &excl, err) == 0)
        doc = run_cloc(dir, paths, np, buf_cstr(&excl), err);
    cJSON *pl = cJSON_AddArrayToObject(code, "paths");
    for (size_t i = 0; i < np; i++) cJSON_AddItemToArray(pl, cJSON_CreateString(paths[i]));
    if (!doc) {
        cJSON_AddStringToObject(code, "error", err->msg);
    } else {
        cJSON *langs = cJSON_AddObjectToObject(code, "by_language");
        cJSON *kinds = cJSON_AddObjectToObject(code, "by_kind");
        cJSON *ruling = cJSON_CreateObject(), *by = cJSON_CreateObject();
        long files = 0, total = 0, app = 0, rlines = 0, rblocks = 0;
        const cJSON *f;
        cJSON_ArrayForEach(f, doc) {
            const cJSON *lang = json_get(f, "language");
            if (!cJSON_IsString(lang) || !strcmp(f->string, "header") || !strcmp(f->string, "SUM"))
                continue;
            const char *kind = inspect_kind(f->string, lang->valuestring);
            add_counts(langs, lang->valuestring, f);
            add_counts(kinds, kind, f);
            files++;
            total += (long)num(f, "code");
            if (!strcmp(kind, "logic") || !strcmp(kind, "templates")) app += (long)num(f, "code");
            scan_markers(dir, f->string, by, &rlines, &rblocks);
        }
        cJSON_AddNumberToObject(code, "files", (double)files);
        cJSON_AddNumberToObject(code, "code", (double)total);
        cJSON_AddNumberToObject(code, "app_code", (double)app); /* logic + templates */
        cJSON_AddNumberToObject(ruling, "lines", (double)rlines);
        cJSON_AddNumberToObject(ruling, "markers", (double)rblocks);
        cJSON_AddNumberToObject(ruling, "share", app > 0 ? (double)rlines / (double)app : 0);
        cJSON_AddItemToObject(ruling, "by_ruling", by);
        cJSON_AddItemToObject(code, "ruling", ruling);
        cJSON_AddNullToObject(code, "error");
    }
    cJSON_Delete(doc);
    for (size_t i = 0; i < np; i++) free(paths[i]);
    buf_free(&excl);
    return code;
}
