/* report_diff: the differences section (diff.json). See report_diff.h. */
#include "report_diff.h"

#include <stdlib.h>
#include <string.h>

#include "core/jsonloc.h"

#define RDIFF_MAX_FILE (64u << 20)

static cJSON *rdiff_load(const model_t *m) {
    char path[sizeof m->dir + 16];
    snprintf(path, sizeof path, "%s/diff.json", m->dir);
    buf_t b;
    buf_init(&b, RDIFF_MAX_FILE);
    err_t e;
    cJSON *doc = NULL;
    if (buf_read_file(&b, path, &e) == 0) doc = jl_parse(buf_cstr(&b), b.len, path, 0, NULL, &e);
    buf_free(&b);
    if (doc && !cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(doc, "divergences"))) {
        cJSON_Delete(doc);
        doc = NULL;
    }
    return doc;
}

bool report_diff_present(const model_t *m) {
    cJSON *d = rdiff_load(m);
    cJSON_Delete(d);
    return d != NULL;
}

static const char *str(const cJSON *o, const char *k) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : "";
}

static void html_text(FILE *f, const char *s) {
    for (; *s; s++) {
        switch (*s) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '"': fputs("&quot;", f); break;
        default: fputc(*s, f);
        }
    }
}

static void names(FILE *f, const cJSON *group, bool html) {
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(group, "targets");
    for (const cJSON *n = t ? t->child : NULL; n; n = n->next) {
        if (n != t->child) fputs(", ", f);
        if (html)
            html_text(f, n->valuestring);
        else
            fputs(n->valuestring, f);
    }
}

static void categories(FILE *f, const cJSON *doc, bool html) {
    const cJSON *cats = cJSON_GetObjectItemCaseSensitive(doc, "categories");
    if (html)
        fputs("<table><thead><tr><th>category</th><th>requests</th><th>divergences</th></tr>"
              "</thead><tbody>\n",
              f);
    else
        fputs("| category | requests | divergences |\n|---|---:|---:|\n", f);
    for (const cJSON *c = cats ? cats->child : NULL; c; c = c->next) {
        int r = (int)cJSON_GetObjectItemCaseSensitive(c, "requests")->valuedouble;
        int d = (int)cJSON_GetObjectItemCaseSensitive(c, "divergences")->valuedouble;
        if (html)
            fprintf(f, "<tr><td>%s</td><td>%d</td><td>%d</td></tr>\n", c->string, r, d);
        else
            fprintf(f, "| %s | %d | %d |\n", c->string, r, d);
    }
    fputs(html ? "</tbody></table>\n" : "\n", f);
}

void report_diff_html(FILE *f, const model_t *m) {
    cJSON *doc = rdiff_load(m);
    if (!doc) return;
    const cJSON *divs = cJSON_GetObjectItemCaseSensitive(doc, "divergences");
    fprintf(f, "<section id=\"differences\"><h2>Differences between targets</h2>\n<p>"
               "<code>parity diff</code> sent the same requests to every target in lockstep "
               "(the suites' own, then variations of every endpoint) and compared the answers "
               "after the normalisations of <code>");
    html_text(f, str(doc, "rules"));
    fprintf(f, "</code>. %d divergence(s).</p>\n", cJSON_GetArraySize(divs));
    categories(f, doc, true);
    const char *last = "";
    for (const cJSON *d = divs->child; d; d = d->next) {
        const char *ep = str(d, "endpoint");
        if (strcmp(ep, last) != 0) {
            if (*last) fputs("</ul>\n", f);
            fputs("<h3><code>", f);
            html_text(f, ep);
            fputs("</code></h3><ul>\n", f);
            last = ep;
        }
        fprintf(f, "<li>[%s] ", str(d, "category"));
        html_text(f, str(d, "request"));
        fputs(" — majority (", f);
        names(f, cJSON_GetObjectItemCaseSensitive(d, "majority"), true);
        fputs(")<ul>", f);
        for (const cJSON *o = cJSON_GetObjectItemCaseSensitive(d, "odd")->child; o; o = o->next) {
            fputs("<li>", f);
            names(f, o, true);
            fputs(": <code>", f);
            html_text(f, str(o, "difference"));
            fputs("</code></li>", f);
        }
        fputs("</ul></li>\n", f);
    }
    if (*last) fputs("</ul>\n", f);
    fputs("</section>\n", f);
    cJSON_Delete(doc);
}

void report_diff_md(FILE *f, const model_t *m) {
    cJSON *doc = rdiff_load(m);
    if (!doc) return;
    const cJSON *divs = cJSON_GetObjectItemCaseSensitive(doc, "divergences");
    fprintf(f,
            "\n## Differences between targets\n\n%d divergence(s) (`parity diff`, rules `%s`).\n\n",
            cJSON_GetArraySize(divs), str(doc, "rules"));
    categories(f, doc, false);
    int n = 0;
    for (const cJSON *d = divs->child; d && n < REPORT_DIFF_MD_MAX; d = d->next, n++) {
        fprintf(f, "- `%s` [%s] %s: majority (", str(d, "endpoint"), str(d, "category"),
                str(d, "request"));
        names(f, cJSON_GetObjectItemCaseSensitive(d, "majority"), false);
        fputs(")", f);
        for (const cJSON *o = cJSON_GetObjectItemCaseSensitive(d, "odd")->child; o; o = o->next) {
            fputs("; ", f);
            names(f, o, false);
            fprintf(f, ": `%s`", str(o, "difference"));
        }
        fputc('\n', f);
    }
    if (cJSON_GetArraySize(divs) > n)
        fprintf(f, "- ... %d more in report.html and diff.json\n", cJSON_GetArraySize(divs) - n);
    cJSON_Delete(doc);
}
