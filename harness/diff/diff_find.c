/* diff_find: comparing the targets' answers to one request, recording divergences, and the
 * terminal and diff.json outputs. See diff_int.h.
 *
 * Answers are grouped by their canonical text (diff_rules.c). With one group the targets agree.
 * Otherwise the largest group is the majority answer (a tie goes to the group of the first
 * target listed) and each other group is an odd one out, shown with the first line where it
 * differs from the majority: usually the status, a header or the body. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/file.h"
#include "diff_int.h"

void diff_count(diff_ctx_t *c, const char *category, bool diverged) {
    cJSON *cat = cJSON_GetObjectItemCaseSensitive(c->categories, category);
    if (!cat) {
        cat = cJSON_AddObjectToObject(c->categories, category);
        if (!cat) return;
        cJSON_AddNumberToObject(cat, "requests", 0);
        cJSON_AddNumberToObject(cat, "divergences", 0);
    }
    cJSON *r = cJSON_GetObjectItemCaseSensitive(cat, "requests");
    cJSON_SetNumberValue(r, r->valuedouble + 1);
    if (diverged) {
        cJSON *d = cJSON_GetObjectItemCaseSensitive(cat, "divergences");
        cJSON_SetNumberValue(d, d->valuedouble + 1);
    }
}

/* The first line of b that differs from a's, e.g. "404" against "200". */
static void first_difference(const char *a, const char *b, buf_t *out) {
    unsigned line = 1;
    while (*a && *b) {
        size_t la = strcspn(a, "\n"), lb = strcspn(b, "\n");
        if (la != lb || memcmp(a, b, la) != 0) {
            buf_printf(out, "line %u: %.*s  (majority: %.*s)", line, (int)(lb > 200 ? 200 : lb), b,
                       (int)(la > 200 ? 200 : la), a);
            return;
        }
        a += la + (a[la] == '\n');
        b += lb + (b[lb] == '\n');
        line++;
    }
    buf_printf(out, "line %u: %s", line, *b ? "more text than the majority's" : "ends early");
}

static cJSON *group_json(const diff_ctx_t *c, const int *group, int g, const char *canon) {
    cJSON *o = cJSON_CreateObject(), *names = cJSON_AddArrayToObject(o, "targets");
    for (size_t i = 0; i < c->nt; i++)
        if (group[i] == g) cJSON_AddItemToArray(names, cJSON_CreateString(c->t[i].name));
    buf_t cut;
    buf_init(&cut, DIFF_MAX_SHOWN + 32);
    str_escape_trunc(&cut, canon, strlen(canon), DIFF_MAX_SHOWN);
    cJSON_AddStringToObject(o, "answer", buf_cstr(&cut));
    buf_free(&cut);
    return o;
}

/* canon[i] (NULL: target i took no part) grouped; a finding added when they differ. */
static void record(diff_ctx_t *c, const char *category, const char *endpoint, const char *label,
                   const char *file, unsigned line, char **canon) {
    int group[DIFF_MAX_TARGETS], size[DIFF_MAX_TARGETS] = {0}, ngroups = 0;
    int rep[DIFF_MAX_TARGETS]; /* a member of each group */
    for (size_t i = 0; i < c->nt; i++) {
        group[i] = -1;
        if (!canon[i]) continue;
        for (int g = 0; g < ngroups && group[i] < 0; g++)
            if (strcmp(canon[rep[g]], canon[i]) == 0) group[i] = g;
        if (group[i] < 0) rep[ngroups] = (int)i, group[i] = ngroups++;
        size[group[i]]++;
    }
    diff_count(c, category, ngroups > 1);
    if (ngroups <= 1) return;
    int maj = 0;
    for (int g = 1; g < ngroups; g++)
        if (size[g] > size[maj]) maj = g;
    cJSON *f = cJSON_CreateObject();
    cJSON_AddStringToObject(f, "category", category);
    cJSON_AddStringToObject(f, "endpoint", endpoint);
    cJSON_AddStringToObject(f, "request", label);
    cJSON_AddStringToObject(f, "file", file ? file : "");
    cJSON_AddNumberToObject(f, "line", line);
    cJSON_AddItemToObject(f, "majority", group_json(c, group, maj, canon[rep[maj]]));
    cJSON *odd = cJSON_AddArrayToObject(f, "odd");
    for (int g = 0; g < ngroups; g++) {
        if (g == maj) continue;
        cJSON *o = group_json(c, group, g, canon[rep[g]]);
        buf_t d;
        buf_init(&d, 1024);
        first_difference(canon[rep[maj]], canon[rep[g]], &d);
        cJSON_AddStringToObject(o, "difference", buf_cstr(&d));
        buf_free(&d);
        cJSON_AddItemToArray(odd, o);
    }
    cJSON_AddItemToArray(c->findings, f);
}

void diff_compare_sent(diff_ctx_t *c, const char *category, const char *endpoint, const char *label,
                       const char *file, unsigned line, step_exec_t *x) {
    char *canon[DIFF_MAX_TARGETS] = {0};
    for (size_t i = 0; i < c->nt; i++) {
        if (x[i].attempts == 0) continue; /* skipped, not rendered, or the target is gone */
        buf_t b;
        buf_init(&b, DIFF_MAX_CANON);
        bool got = x[i].state != STEP_EXEC_TRANSPORT && x[i].state != STEP_EXEC_GONE;
        drules_canon(&c->rules, &x[i].resp, got, x[i].err.msg, &b);
        canon[i] = buf_detach(&b);
    }
    record(c, category, endpoint, label, file, line, canon);
    for (size_t i = 0; i < c->nt; i++) free(canon[i]);
}

int diff_compare(diff_ctx_t *c, const char *category, const char *endpoint, const char *label,
                 const char *file, unsigned line, req_t *const *reqs) {
    char *canon[DIFF_MAX_TARGETS] = {0};
    resp_t resp;
    resp_init(&resp);
    for (size_t i = 0; i < c->nt; i++) {
        if (!reqs[i] || c->t[i].dead) continue;
        http_outcome_t out;
        err_t err;
        int rc = http_send(c->t[i].hc, c->t[i].url, reqs[i], &resp, &out, &err);
        if (rc < 0 && target_poll(&c->t[i].proc, NULL) == 1) {
            c->t[i].dead = true; /* a variation killed it: that is the finding */
            snprintf(err.msg, sizeof err.msg, "the target died");
        }
        buf_t b;
        buf_init(&b, DIFF_MAX_CANON);
        drules_canon(&c->rules, &resp, rc == 0, err.msg, &b);
        canon[i] = buf_detach(&b);
    }
    resp_free(&resp);
    record(c, category, endpoint, label, file, line, canon);
    for (size_t i = 0; i < c->nt; i++) free(canon[i]);
    return 0;
}

/* ---- output ------------------------------------------------------------------------------------
 */

static void print_names(const cJSON *names, FILE *f) {
    for (const cJSON *n = names->child; n; n = n->next)
        fprintf(f, "%s%s", n == names->child ? "" : ", ", n->valuestring);
}

void dout_print(const diff_ctx_t *c, FILE *f) {
    int n = cJSON_GetArraySize(c->findings), shown = 0;
    const char *last = "";
    for (int pass = 0; pass < 2; pass++) { /* suites' requests first, then the variations */
        for (const cJSON *d = c->findings->child; d; d = d->next) {
            const char *cat = cJSON_GetObjectItemCaseSensitive(d, "category")->valuestring;
            if ((strcmp(cat, "suite") == 0) != (pass == 0)) continue;
            const char *ep = cJSON_GetObjectItemCaseSensitive(d, "endpoint")->valuestring;
            if (strcmp(ep, last) != 0) fprintf(f, "\nDIFF %s\n", ep);
            last = ep;
            if (++shown > 200) continue;
            const cJSON *maj = cJSON_GetObjectItemCaseSensitive(d, "majority");
            fprintf(f, "  [%s] %s (%s:%d)\n    majority (", cat,
                    cJSON_GetObjectItemCaseSensitive(d, "request")->valuestring,
                    cJSON_GetObjectItemCaseSensitive(d, "file")->valuestring,
                    (int)cJSON_GetObjectItemCaseSensitive(d, "line")->valuedouble);
            print_names(cJSON_GetObjectItemCaseSensitive(maj, "targets"), f);
            fprintf(f, ")\n");
            for (const cJSON *o = cJSON_GetObjectItemCaseSensitive(d, "odd")->child; o;
                 o = o->next) {
                fprintf(f, "    odd (");
                print_names(cJSON_GetObjectItemCaseSensitive(o, "targets"), f);
                fprintf(f, "): %s\n",
                        cJSON_GetObjectItemCaseSensitive(o, "difference")->valuestring);
            }
        }
    }
    if (shown > 200) fprintf(f, "\n(%d more divergences in diff.json)\n", shown - 200);
    fprintf(f, "\n%-16s %9s %12s\n", "category", "requests", "divergences");
    for (const cJSON *cat = c->categories->child; cat; cat = cat->next)
        fprintf(f, "%-16s %9d %12d\n", cat->string,
                (int)cJSON_GetObjectItemCaseSensitive(cat, "requests")->valuedouble,
                (int)cJSON_GetObjectItemCaseSensitive(cat, "divergences")->valuedouble);
    fprintf(f, "%d divergence%s across %zu targets\n", n, n == 1 ? "" : "s", c->nt);
}

int dout_write(const diff_ctx_t *c, const char *dir, const char *run_id, err_t *err) {
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "kind", "parity-diff");
    cJSON_AddNumberToObject(root, "schema", 1);
    cJSON_AddStringToObject(root, "run", run_id);
    cJSON_AddStringToObject(root, "rules", c->rules.file ? c->rules.file : "");
    cJSON *names = cJSON_AddArrayToObject(root, "targets");
    for (size_t i = 0; i < c->nt; i++)
        cJSON_AddItemToArray(names, cJSON_CreateString(c->t[i].name));
    cJSON *rules = cJSON_AddArrayToObject(root, "normalised");
    for (size_t i = 0; i < c->rules.n; i++)
        cJSON_AddItemToArray(rules, cJSON_CreateString(c->rules.r[i].reason));
    cJSON_AddItemToObject(root, "categories", cJSON_Duplicate(c->categories, true));
    cJSON_AddItemToObject(root, "divergences", cJSON_Duplicate(c->findings, true));
    char *s = cJSON_Print(root);
    cJSON_Delete(root);
    if (!s) return err_set(err, "out of memory");
    char path[4096 + 256];
    snprintf(path, sizeof path, "%s/diff.json", dir);
    int rc = file_write_atomic(path, s, strlen(s), err);
    free(s);
    return rc;
}
