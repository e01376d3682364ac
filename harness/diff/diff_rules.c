/* diff_rules: the normalisation rules of `parity diff` (specs/diff/rules.json) and the canonical
 * form of an answer that they produce. See diff_int.h.
 *
 * The canonical form is text so that equal answers compare with strcmp and a finding can show
 * it: the status, the compared headers (lower-cased names, sorted), then the body: JSON printed
 * with object keys sorted (key order carries no meaning in JSON) and masked members replaced,
 * HTML as its whitespace-normalised text when the rules say so, anything else as it is. The
 * regex replacements run last, over the whole text. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/jsonloc.h"
#include "core/re.h"
#include "core/xpath.h"
#include "diff_int.h"

#define DRULES_MAX_FILE (1u << 20)

static const struct {
    const char *key;
    drule_kind_t kind;
} rule_keys[] = {{"compare_header", DR_COMPARE_HEADER},
                 {"list_header", DR_LIST_HEADER},
                 {"mask_key", DR_MASK_KEY},
                 {"replace", DR_REPLACE},
                 {"html_text", DR_HTML_TEXT}};

static int rule_load(drule_t *d, const cJSON *o, const char *path, size_t i, err_t *err) {
    const cJSON *reason = cJSON_GetObjectItemCaseSensitive(o, "reason");
    if (!cJSON_IsString(reason) || !reason->valuestring[0])
        return err_set(err, "%s: rule %zu has no \"reason\" (every normalisation says why)", path,
                       i + 1);
    int found = 0;
    for (size_t k = 0; k < sizeof(rule_keys) / sizeof(rule_keys[0]); k++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, rule_keys[k].key);
        if (!v) continue;
        found++;
        d->kind = rule_keys[k].kind;
        if (d->kind == DR_HTML_TEXT) {
            if (!cJSON_IsTrue(v))
                return err_set(err, "%s: rule %zu: html_text must be true", path, i + 1);
        } else if (!cJSON_IsString(v) || !v->valuestring[0]) {
            return err_set(err, "%s: rule %zu: %s must be a non-empty string", path, i + 1,
                           rule_keys[k].key);
        } else if (!(d->arg = str_dup(v->valuestring))) {
            return err_set(err, "out of memory");
        }
    }
    if (found != 1)
        return err_set(err,
                       "%s: rule %zu must have exactly one of compare_header, list_header, "
                       "mask_key, replace, html_text",
                       path, i + 1);
    if (!(d->reason = str_dup(reason->valuestring))) return err_set(err, "out of memory");
    if (d->kind == DR_REPLACE) {
        const cJSON *with = cJSON_GetObjectItemCaseSensitive(o, "with");
        if (!cJSON_IsString(with))
            return err_set(err, "%s: rule %zu: replace needs \"with\"", path, i + 1);
        char msg[200];
        if (re_compile(&d->re, d->arg, 0, msg, sizeof msg) == -1) {
            free(d->arg);
            d->arg = NULL; /* no regex to free */
            return err_set(err, "%s: rule %zu: invalid regex: %s", path, i + 1, msg);
        }
        if (!(d->with = str_dup(with->valuestring))) return err_set(err, "out of memory");
    }
    return 0;
}

int drules_load(diff_rules_t *rules, const char *path, err_t *err) {
    memset(rules, 0, sizeof(*rules));
    buf_t b;
    buf_init(&b, DRULES_MAX_FILE);
    if (buf_read_file(&b, path, err) == -1) {
        buf_free(&b);
        return -1;
    }
    cJSON *doc = jl_parse(buf_cstr(&b), b.len, path, JL_NO_DUP_KEYS, NULL, err);
    buf_free(&b);
    if (!doc) return -1;
    int rc = 0;
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(doc, "rules");
    if (!cJSON_IsArray(list)) rc = err_set(err, "%s: \"rules\" must be a list", path);
    for (const cJSON *o = list ? list->child : NULL; rc == 0 && o; o = o->next) {
        if (rules->n == DIFF_MAX_RULES) {
            rc = err_set(err, "%s: more than %d rules", path, DIFF_MAX_RULES);
            break;
        }
        drule_t *d = &rules->r[rules->n];
        if (!cJSON_IsObject(o)) {
            rc = err_set(err, "%s: rule %zu must be an object", path, rules->n + 1);
            break;
        }
        rc = rule_load(d, o, path, rules->n, err);
        rules->n++;
        if (rc == 0 && d->kind == DR_HTML_TEXT) rules->html_text = true;
    }
    cJSON_Delete(doc);
    if (rc == 0 && !(rules->file = str_dup(path))) rc = err_set(err, "out of memory");
    if (rc == -1) drules_free(rules);
    return rc;
}

void drules_free(diff_rules_t *rules) {
    for (size_t i = 0; i < rules->n; i++) {
        drule_t *d = &rules->r[i];
        if (d->kind == DR_REPLACE && d->arg) regfree(&d->re);
        free(d->arg);
        free(d->with);
        free(d->reason);
    }
    free(rules->file);
    memset(rules, 0, sizeof(*rules));
}

/* ---- canonical form -------------------------------------------------------------------------- */

static bool has_rule(const diff_rules_t *rules, drule_kind_t k, const char *arg) {
    for (size_t i = 0; i < rules->n; i++)
        if (rules->r[i].kind == k && strcasecmp(rules->r[i].arg, arg) == 0) return true;
    return false;
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "GET, POST,PUT" -> "GET,POST,PUT" sorted */
static int list_value(const char *v, buf_t *out) {
    char *copy = str_dup(v), *items[64];
    size_t n = 0;
    if (!copy) return -1;
    for (char *save = NULL, *t = strtok_r(copy, ",", &save); t && n < 64;
         t = strtok_r(NULL, ",", &save)) {
        while (*t == ' ' || *t == '\t') t++;
        size_t l = strlen(t);
        while (l && (t[l - 1] == ' ' || t[l - 1] == '\t')) t[--l] = '\0';
        items[n++] = t;
    }
    qsort(items, n, sizeof(char *), cmp_str);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) rc = buf_printf(out, "%s%s", i ? "," : "", items[i]);
    free(copy);
    return rc;
}

static int headers_canon(const diff_rules_t *rules, const resp_t *r, buf_t *out) {
    char *lines[RESP_MAX_HEADERS];
    size_t n = 0;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < r->nheaders && n < RESP_MAX_HEADERS; i++) {
        const resp_header_t *h = &r->headers[i];
        if (!has_rule(rules, DR_COMPARE_HEADER, h->name)) continue;
        buf_t l;
        buf_init(&l, RESP_MAX_HEADER_BYTES + 256);
        for (const char *p = h->name; *p; p++)
            buf_addc(&l, (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p));
        buf_adds(&l, ": ");
        rc = has_rule(rules, DR_LIST_HEADER, h->name) ? list_value(h->value, &l)
                                                      : buf_adds(&l, h->value);
        lines[n++] = buf_detach(&l);
    }
    qsort(lines, n, sizeof(char *), cmp_str);
    for (size_t i = 0; i < n; i++) {
        if (rc == 0 && lines[i]) rc = buf_printf(out, "%s\n", lines[i]);
        free(lines[i]);
    }
    return rc;
}

/* JSON with object keys sorted; members named by a mask_key rule replaced by "<masked>". */
static int json_canon(const diff_rules_t *rules, const cJSON *v, buf_t *out) {
    if (cJSON_IsArray(v)) {
        int rc = buf_addc(out, '[');
        for (const cJSON *c = v->child; rc == 0 && c; c = c->next)
            rc = (c != v->child ? buf_addc(out, ',') : 0) == 0 ? json_canon(rules, c, out) : -1;
        return rc == 0 ? buf_addc(out, ']') : -1;
    }
    if (!cJSON_IsObject(v)) return jl_print(v, out);
    size_t n = (size_t)cJSON_GetArraySize(v), k = 0;
    const cJSON **m = calloc(n ? n : 1, sizeof(*m));
    if (!m) return -1;
    for (const cJSON *c = v->child; c; c = c->next) m[k++] = c;
    /* insertion sort by key: objects here are small */
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && strcmp(m[j - 1]->string, m[j]->string) > 0; j--) {
            const cJSON *t = m[j];
            m[j] = m[j - 1];
            m[j - 1] = t;
        }
    int rc = buf_addc(out, '{');
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (i) rc = buf_addc(out, ',');
        if (rc == 0) rc = jl_print_string(m[i]->string, strlen(m[i]->string), out);
        if (rc == 0) rc = buf_addc(out, ':');
        if (rc == 0)
            rc = has_rule(rules, DR_MASK_KEY, m[i]->string) ? buf_adds(out, "\"<masked>\"")
                                                            : json_canon(rules, m[i], out);
    }
    free(m);
    return rc == 0 ? buf_addc(out, '}') : -1;
}

static int body_canon(const diff_rules_t *rules, resp_t *r, buf_t *out) {
    const char *ct = resp_header(r, "Content-Type");
    err_t e;
    if (ct && strcasestr(ct, "json")) {
        const cJSON *j = resp_json(r, &e);
        if (j) return json_canon(rules, j, out);
        return buf_printf(out, "(not JSON: %s)\n%s", e.msg, buf_cstr(&r->body));
    }
    if (ct && strcasestr(ct, "html") && rules->html_text && r->body.len) {
        cJSON *v = NULL;
        bool ns;
        if (xpath_eval("normalize-space(/)", buf_cstr(&r->body), r->body.len, false, &v, &ns, &e) ==
                0 &&
            cJSON_IsString(v)) {
            int rc = buf_printf(out, "(html text) %s", v->valuestring);
            cJSON_Delete(v);
            return rc;
        }
        cJSON_Delete(v);
    }
    return buf_add(out, r->body.ptr ? r->body.ptr : "", r->body.len);
}

/* Applies one replace rule over the text (\1 in `with` is the first group). */
static int replace_all(const drule_t *d, buf_t *text) {
    buf_t out;
    buf_init(&out, DIFF_MAX_CANON);
    const char *s = buf_cstr(text);
    size_t len = text->len, off = 0;
    regmatch_t m[2];
    int rc = 0;
    while (rc == 0 && off <= len && re_exec(&d->re, s + off, len - off, 2, m) == 0) {
        rc = buf_add(&out, s + off, (size_t)m[0].rm_so);
        for (const char *w = d->with; rc == 0 && *w; w++) {
            if (w[0] == '\\' && w[1] == '1') {
                if (m[1].rm_so >= 0)
                    rc = buf_add(&out, s + off + m[1].rm_so, (size_t)(m[1].rm_eo - m[1].rm_so));
                w++;
            } else {
                rc = buf_addc(&out, *w);
            }
        }
        size_t adv = (size_t)m[0].rm_eo;
        if (adv == 0) { /* an empty match: copy one byte and go on */
            if (off < len) rc = rc == 0 ? buf_addc(&out, s[off]) : rc;
            adv = 1;
        }
        off += adv;
    }
    if (rc == 0 && off < len) rc = buf_add(&out, s + off, len - off);
    if (rc == 0) {
        buf_reset(text);
        rc = buf_add(text, out.ptr ? out.ptr : "", out.len);
    }
    buf_free(&out);
    return rc;
}

int drules_canon(const diff_rules_t *rules, resp_t *resp, bool got, const char *why, buf_t *out) {
    if (!got) return buf_printf(out, "no answer (%s)", why ? why : "transport error");
    int rc = buf_printf(out, "%ld\n", resp->status);
    if (rc == 0) rc = headers_canon(rules, resp, out);
    if (rc == 0) rc = buf_addc(out, '\n');
    if (rc == 0) rc = body_canon(rules, resp, out);
    for (size_t i = 0; rc == 0 && i < rules->n; i++)
        if (rules->r[i].kind == DR_REPLACE) rc = replace_all(&rules->r[i], out);
    return rc;
}
