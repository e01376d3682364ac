/* report_wire: the wire-behaviour matrix (see report_wire.h). */
#include "report_wire.h"

#include <stdlib.h>
#include <string.h>

#include "core/json.h"

typedef enum wgrade { W_NONE, W_PASS, W_WARN, W_FAIL, W_SKIP, W_ERROR } wgrade_t;
static const char *const grade_word[] = {"–", "pass", "warn", "FAIL", "skip", "error"};
static const char *const grade_class[] = {"", "pass", "warn", "fail", "", "fail"};

enum { L_MUST, L_SHOULD, L_MAY, L_CONTRACT, L_N };
static const char *const level_names[L_N] = {"MUST", "SHOULD", "MAY", "contract"};

typedef struct wprobe {
    const char *suite, *desc, *name, *level, *ref;
    int lv;
    wgrade_t g[WIRE_MAX_TARGETS];
    const cJSON *step[WIRE_MAX_TARGETS];
} wprobe_t;

typedef struct wm {
    cJSON *doc;
    const char *targets[WIRE_MAX_TARGETS];
    size_t nt;
    wprobe_t *p;
    size_t np;
    const char *path;
} wm_t;

static const char *str(const cJSON *o, const char *k) {
    const char *v = json_str(o, k);
    return v ? v : "";
}

static cJSON *read_doc(const char *path) {
    buf_t b;
    buf_init(&b, REPORT_MAX_FILE);
    err_t e;
    cJSON *d = buf_read_file(&b, path, &e) == 0 ? cJSON_ParseWithLength(b.ptr, b.len) : NULL;
    buf_free(&b);
    return d;
}

static bool has_probes(const cJSON *doc) {
    const cJSON *t, *s, *st;
    cJSON_ArrayForEach(t, json_get(doc, "targets")) cJSON_ArrayForEach(s, json_get(t, "suites"))
        cJSON_ArrayForEach(st, json_get(s, "steps")) if (json_get(st, "probe")) return true;
    return false;
}

static wgrade_t grade(const cJSON *step, int lv) {
    const char *s = str(step, "status");
    if (strcmp(s, "pass") == 0) return W_PASS;
    if (strcmp(s, "skip") == 0) return W_SKIP;
    if (strcmp(s, "error") == 0) return W_ERROR;
    return lv == L_SHOULD || lv == L_MAY ? W_WARN : W_FAIL;
}

static wprobe_t *find_or_add(wm_t *w, const char *suite, const char *name) {
    for (size_t i = 0; i < w->np; i++)
        if (strcmp(w->p[i].suite, suite) == 0 && strcmp(w->p[i].name, name) == 0) return &w->p[i];
    if (w->np == WIRE_MAX_PROBES) return NULL;
    wprobe_t *p = &w->p[w->np++];
    memset(p, 0, sizeof *p);
    p->suite = suite;
    p->name = name;
    return p;
}

/* Loads the wire results of m's run directory; -1 when there are none. */
static int wm_load(wm_t *w, const model_t *m) {
    static char path[4200];
    memset(w, 0, sizeof *w);
    snprintf(path, sizeof path, "%s/wire/conformance.json", m->dir);
    w->doc = read_doc(path);
    if (!w->doc) {
        snprintf(path, sizeof path, "%s/conformance.json", m->dir);
        w->doc = read_doc(path);
        if (w->doc && !has_probes(w->doc)) {
            cJSON_Delete(w->doc);
            w->doc = NULL;
        }
    }
    if (!w->doc || !(w->p = calloc(WIRE_MAX_PROBES, sizeof *w->p))) return -1;
    w->path = path;
    const cJSON *t, *s, *st;
    cJSON_ArrayForEach(t, json_get(w->doc, "targets")) {
        if (w->nt == WIRE_MAX_TARGETS) break;
        size_t ti = w->nt++;
        w->targets[ti] = str(t, "name");
        cJSON_ArrayForEach(s, json_get(t, "suites")) cJSON_ArrayForEach(st, json_get(s, "steps")) {
            const cJSON *pr = json_get(st, "probe");
            if (!pr) continue;
            wprobe_t *p = find_or_add(w, str(s, "name"), str(st, "name"));
            if (!p) continue;
            p->desc = str(s, "description");
            p->level = str(pr, "level");
            p->ref = str(pr, "ref");
            p->lv = L_CONTRACT;
            for (int l = 0; l < L_N; l++)
                if (strcmp(p->level, level_names[l]) == 0) p->lv = l;
            p->g[ti] = grade(st, p->lv);
            p->step[ti] = st;
        }
    }
    return w->np ? 0 : -1;
}

static void wm_free(wm_t *w) {
    free(w->p);
    cJSON_Delete(w->doc);
}

bool report_wire_present(const model_t *m) {
    wm_t w;
    int rc = wm_load(&w, m);
    wm_free(&w);
    return rc == 0;
}

/* counts[t][level][grade] */
static void totals(const wm_t *w, int counts[][L_N][W_ERROR + 1]) {
    for (size_t i = 0; i < w->np; i++)
        for (size_t t = 0; t < w->nt; t++) counts[t][w->p[i].lv][w->p[i].g[t]]++;
}

static int level_total(const int c[W_ERROR + 1]) {
    return c[W_PASS] + c[W_WARN] + c[W_FAIL] + c[W_SKIP] + c[W_ERROR];
}

/* The first failure message of a step, for a cell's title. */
static const char *first_message(const cJSON *step) {
    const cJSON *f = cJSON_GetArrayItem(json_get(step, "failures"), 0);
    const char *m = str(f, "message");
    return m[0] ? m : str(step, "reason");
}

/* ---- HTML ---------------------------------------------------------------------------------- */

static void html_totals(FILE *f, const wm_t *w, int counts[][L_N][W_ERROR + 1]) {
    fputs("<table><tr><th>target</th>", f);
    for (int l = 0; l < L_N; l++) fprintf(f, "<th>%s passed</th>", level_names[l]);
    fputs("<th>warn</th><th>fail</th></tr>\n", f);
    for (size_t t = 0; t < w->nt; t++) {
        fputs("<tr><td>", f);
        report_html_escape(f, w->targets[t]);
        fputs("</td>", f);
        int warn = 0, fail = 0;
        for (int l = 0; l < L_N; l++) {
            const int *c = counts[t][l];
            int n = level_total(c);
            bool bad = c[W_FAIL] || c[W_WARN] || c[W_ERROR];
            fprintf(f, "<td class=\"num%s\">%d/%d</td>",
                    bad ? (l == L_SHOULD || l == L_MAY ? " warn" : " fail") : "", c[W_PASS], n);
            warn += c[W_WARN];
            fail += c[W_FAIL] + c[W_ERROR];
        }
        fprintf(f, "<td class=\"num%s\">%d</td><td class=\"num%s\">%d</td></tr>\n",
                warn ? " warn" : "", warn, fail ? " fail" : "", fail);
    }
    fputs("</table>\n", f);
}

static void html_cell(FILE *f, const wprobe_t *p, size_t t) {
    wgrade_t g = p->g[t];
    fprintf(f, "<td class=\"%s\"", grade_class[g]);
    if (g == W_WARN || g == W_FAIL || g == W_ERROR) {
        fputs(" title=\"", f);
        report_html_escape(f, first_message(p->step[t]));
        fputs("&#10;", f);
        report_html_escape(f, str(p->step[t], "curl"));
        fputs("\"", f);
    }
    fprintf(f, ">%s</td>", grade_word[g]);
}

static void html_category(FILE *f, const wm_t *w, size_t from) {
    const char *suite = w->p[from].suite;
    int bad = 0, n = 0;
    for (size_t i = from; i < w->np; i++)
        if (strcmp(w->p[i].suite, suite) == 0)
            for (size_t t = 0; t < w->nt; t++) bad += w->p[i].g[t] == W_FAIL, n++;
    fprintf(f, "<details%s><summary><b>", bad ? " open" : "");
    report_html_escape(f, str_starts_with(suite, "wire-") ? suite + 5 : suite);
    fputs("</b> — ", f);
    report_html_escape(f, w->p[from].desc);
    fputs("</summary>\n<table><tr><th>probe</th><th>level</th><th>section</th>", f);
    for (size_t t = 0; t < w->nt; t++) {
        fputs("<th>", f);
        report_html_escape(f, w->targets[t]);
        fputs("</th>", f);
    }
    fputs("</tr>\n", f);
    for (size_t i = from; i < w->np; i++) {
        const wprobe_t *p = &w->p[i];
        if (strcmp(p->suite, suite) != 0) continue;
        fputs("<tr><td>", f);
        report_html_escape(f, p->name);
        fputs("</td><td>", f);
        report_html_escape(f, p->level);
        fputs("</td><td>", f);
        report_html_escape(f, p->ref);
        fputs("</td>", f);
        for (size_t t = 0; t < w->nt; t++) html_cell(f, p, t);
        fputs("</tr>\n", f);
    }
    fputs("</table></details>\n", f);
}

static bool first_of_suite(const wm_t *w, size_t i) {
    for (size_t j = 0; j < i; j++)
        if (strcmp(w->p[j].suite, w->p[i].suite) == 0) return false;
    return true;
}

void report_wire_html(FILE *f, const model_t *m) {
    wm_t w;
    if (wm_load(&w, m) == -1) {
        wm_free(&w);
        return;
    }
    int(*counts)[L_N][W_ERROR + 1] = calloc(WIRE_MAX_TARGETS, sizeof *counts);
    if (!counts) {
        wm_free(&w);
        return;
    }
    totals(&w, counts);
    fprintf(f,
            "<h2 id=\"wire\">Wire behaviour</h2>\n<p class=\"lead\">%zu raw-socket probes of "
            "HTTP/1.1 (specs/wire), each graded by the requirement level of the RFC 9110/9112 "
            "section it cites: <span class=\"pass\">pass</span>, <span class=\"warn\">warn</span> "
            "(a SHOULD or MAY not met), <span class=\"fail\">FAIL</span> (a MUST, or the blog "
            "contract's stricter rule, not met). Kept apart from the conformance verdict above: "
            "a target can conform to the blog contract and still fail wire probes. Hover a cell "
            "for the failure and a <code>printf | nc</code> command that reproduces it.</p>\n",
            w.np);
    html_totals(f, &w, counts);
    for (size_t i = 0; i < w.np; i++)
        if (first_of_suite(&w, i)) html_category(f, &w, i);
    free(counts);
    wm_free(&w);
}

/* ---- Markdown ------------------------------------------------------------------------------ */

void report_wire_md(FILE *f, const model_t *m) {
    wm_t w;
    if (wm_load(&w, m) == -1) {
        wm_free(&w);
        return;
    }
    int(*counts)[L_N][W_ERROR + 1] = calloc(WIRE_MAX_TARGETS, sizeof *counts);
    if (!counts) {
        wm_free(&w);
        return;
    }
    totals(&w, counts);
    fprintf(f,
            "### Wire behaviour (%zu HTTP/1.1 probes; not part of the conformance verdict)\n\n"
            "| target | MUST | SHOULD | MAY | contract | warn | fail |\n|---|---:|---:|---:|---:|"
            "---:|---:|\n",
            w.np);
    for (size_t t = 0; t < w.nt; t++) {
        int warn = 0, fail = 0;
        fprintf(f, "| %s |", w.targets[t]);
        for (int l = 0; l < L_N; l++) {
            fprintf(f, " %d/%d |", counts[t][l][W_PASS], level_total(counts[t][l]));
            warn += counts[t][l][W_WARN];
            fail += counts[t][l][W_FAIL] + counts[t][l][W_ERROR];
        }
        fprintf(f, " %d | %s%d |\n", warn, fail ? "❌ " : "", fail);
    }
    fputs("\n| category |", f);
    for (size_t t = 0; t < w.nt; t++) fprintf(f, " %s |", w.targets[t]);
    fputs("\n|---|", f);
    for (size_t t = 0; t < w.nt; t++) fputs("---|", f);
    fputs("\n", f);
    for (size_t i = 0; i < w.np; i++) {
        if (!first_of_suite(&w, i)) continue;
        const char *s = w.p[i].suite;
        fprintf(f, "| %s |", str_starts_with(s, "wire-") ? s + 5 : s);
        for (size_t t = 0; t < w.nt; t++) {
            int c[W_ERROR + 1] = {0};
            for (size_t j = i; j < w.np; j++)
                if (strcmp(w.p[j].suite, s) == 0) c[w.p[j].g[t]]++;
            fprintf(f, " %d pass", c[W_PASS]);
            if (c[W_WARN]) fprintf(f, ", %d warn", c[W_WARN]);
            if (c[W_FAIL] + c[W_ERROR]) fprintf(f, ", **%d fail**", c[W_FAIL] + c[W_ERROR]);
            fputs(" |", f);
        }
        fputs("\n", f);
    }
    int listed = 0, more = 0;
    for (size_t i = 0; i < w.np; i++)
        for (size_t t = 0; t < w.nt; t++) {
            if (w.p[i].g[t] != W_FAIL && w.p[i].g[t] != W_ERROR) continue;
            if (listed++ == 0) fputs("\nFailing MUST and contract probes:\n\n", f);
            if (listed > WIRE_MD_FAILURES) {
                more++;
                continue;
            }
            fprintf(f, "- %s: [%s, %s] %s — %s\n", w.targets[t], w.p[i].level, w.p[i].ref,
                    w.p[i].name, first_message(w.p[i].step[t]));
        }
    if (more) fprintf(f, "- ... and %d more (report.html)\n", more);
    fputs("\n", f);
    free(counts);
    wm_free(&w);
}
