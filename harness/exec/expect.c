/* expect: evaluating queries, predicates and assertions over a response. See expect.h. */
#include "expect.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/json.h"
#include "core/jsonloc.h"
#include "core/jwt.h"
#include "core/re.h"
#include "core/xpath.h"

/* ---- queries ------------------------------------------------------------------------------- */

void qval_free(qval_t *q) {
    cJSON_Delete(q->owned);
    q->owned = NULL;
    q->v = NULL;
    q->exists = false;
}

static int qval_own(qval_t *out, cJSON *v, err_t *err) {
    if (!v) return err_set(err, "out of memory");
    out->exists = true;
    out->v = out->owned = v;
    return 0;
}

/* Trims spaces and tabs around p[0..*n): returns the new start, updates *n. */
static const char *trim_ws(const char *p, size_t *n) {
    while (*n && (*p == ' ' || *p == '\t')) p++, (*n)--;
    while (*n && (p[*n - 1] == ' ' || p[*n - 1] == '\t')) (*n)--;
    return p;
}

/* The value of cookie `name` in a Set-Cookie header value, or NULL (sets *len). The last
 * Set-Cookie of a name wins, as in a browser. */
static const char *cookie_value(const char *hv, const char *name, size_t *len) {
    const char *eq = strchr(hv, '=');
    const char *semi = strchr(hv, ';');
    if (!eq || (semi && semi < eq)) return NULL;
    size_t nlen = (size_t)(eq - hv);
    const char *n = trim_ws(hv, &nlen);
    if (nlen != strlen(name) || memcmp(n, name, nlen) != 0) return NULL;
    size_t vl = semi ? (size_t)(semi - (eq + 1)) : strlen(eq + 1);
    const char *v = trim_ws(eq + 1, &vl);
    *len = vl;
    return v;
}

/* An attribute of a Set-Cookie value (RFC 6265 5.2: "; Name" or "; Name=value", names
 * case-insensitive, the last occurrence counts). *found: present; *v and *vlen: its value ("" when
 * it has none). */
static void cookie_attr_find(const char *hv, const char *attr, bool *found, const char **v,
                             size_t *vlen) {
    *found = false;
    size_t alen = strlen(attr);
    for (const char *p = strchr(hv, ';'); p; p = strchr(p, ';')) {
        p++;
        size_t n = strcspn(p, ";");
        const char *part = trim_ws(p, &n);
        const char *eq = memchr(part, '=', n);
        size_t kl = eq ? (size_t)(eq - part) : n;
        const char *k = trim_ws(part, &kl);
        if (kl != alen || strncasecmp(k, attr, alen) != 0) continue;
        *found = true;
        *vlen = eq ? n - (size_t)(eq + 1 - part) : 0;
        *v = eq ? trim_ws(eq + 1, vlen) : "";
    }
}

/* ["cookie", "NAME"] and Hurl's ["cookie", "NAME[Attr]"] over the response's Set-Cookie headers
 * (the last one of NAME). Max-Age is an integer when it is one; Secure and HttpOnly are true when
 * present; an absent cookie or attribute is nothing. Why parsed here and not asked of libcurl's
 * cookie engine (which keeps the jars): the engine stores what it will send, not what was said
 * (Max-Age becomes an expiry time, SameSite is dropped, a rejected cookie is absent), and these
 * asserts are about what the server said. */
static int query_cookie(const query_t *q, const char *name, resp_t *r, qval_t *out, err_t *err) {
    const char *hv = NULL, *val = NULL;
    size_t vlen = 0;
    for (size_t i = 0; i < r->nheaders; i++) {
        if (strcasecmp(r->headers[i].name, "Set-Cookie") != 0) continue;
        size_t len;
        const char *v = cookie_value(r->headers[i].value, name, &len);
        if (v) hv = r->headers[i].value, val = v, vlen = len;
    }
    if (!hv) return 0;
    if (q->attr != CA_NONE && q->attr != CA_VALUE) {
        bool found;
        cookie_attr_find(hv, cookie_attr_name(q->attr), &found, &val, &vlen);
        if (!found) return 0;
        if (q->attr == CA_SECURE || q->attr == CA_HTTPONLY)
            return qval_own(out, cJSON_CreateTrue(), err);
        long long n;
        if (q->attr == CA_MAX_AGE &&
            str_to_ll_n(val, vlen, -9223372036854775807LL, 9223372036854775807LL, &n) == 0)
            return qval_own(out, jl_create_integer(n), err);
    }
    char *s = str_ndup(val, vlen);
    cJSON *node = s ? cJSON_CreateString(s) : NULL;
    free(s);
    return qval_own(out, node, err);
}

static int query_jsonpath(const query_t *q, resp_t *r, qval_t *out, err_t *err) {
    const cJSON *root = resp_json(r, err);
    if (!root) return -1;
    jp_nodes_t nodes;
    jp_nodes_init(&nodes);
    if (jp_eval(q->path, root, &nodes, err) == -1) {
        jp_nodes_free(&nodes);
        return -1;
    }
    int rc = 0;
    if (nodes.n == 1) {
        out->exists = true;
        out->v = nodes.nodes[0];
    } else if (nodes.n > 1) {
        /* Hurl's rule: several matches are a list. References avoid copying the subtrees. */
        cJSON *list = cJSON_CreateArray();
        for (size_t i = 0; list && i < nodes.n; i++) {
            if (!cJSON_AddItemReferenceToArray(list, (cJSON *)nodes.nodes[i])) {
                cJSON_Delete(list);
                list = NULL;
            }
        }
        rc = qval_own(out, list, err);
    }
    jp_nodes_free(&nodes);
    return rc;
}

/* ["jwt", TOKEN_PATH, CLAIMS_PATH]: the claims of the token the body holds at TOKEN_PATH (decoded,
 * not verified: the harness has no business trusting or distrusting it), queried with CLAIMS_PATH
 * by the Hurl rule. No token at TOKEN_PATH, or no claim at CLAIMS_PATH, is nothing; a token that
 * is not a string or not a JWT fails the query. The matched claims are copied: the claims tree
 * dies here. */
static int query_jwt(const query_t *q, resp_t *r, qval_t *out, err_t *err) {
    qval_t tok;
    memset(&tok, 0, sizeof(tok));
    if (query_jsonpath(q, r, &tok, err) == -1) return -1;
    if (!tok.exists) return 0;
    cJSON *claims = cJSON_IsString(tok.v) ? jwt_payload(tok.v->valuestring, err) : NULL;
    if (!cJSON_IsString(tok.v)) err_set(err, "a %s, not a token string", json_type_name(tok.v));
    qval_free(&tok);
    if (!claims) return err_prefix(err, "jwt: %s: ", q->arg);
    jp_nodes_t nodes;
    jp_nodes_init(&nodes);
    int rc = jp_eval(q->path2, claims, &nodes, err);
    if (rc == 0 && nodes.n == 1) {
        rc = qval_own(out, cJSON_Duplicate(nodes.nodes[0], 1), err);
    } else if (rc == 0 && nodes.n > 1) {
        cJSON *list = cJSON_CreateArray();
        for (size_t i = 0; list && i < nodes.n; i++) {
            cJSON *c = cJSON_Duplicate(nodes.nodes[i], 1);
            if (!c || !cJSON_AddItemToArray(list, c)) {
                cJSON_Delete(c);
                cJSON_Delete(list);
                list = NULL;
            }
        }
        rc = qval_own(out, list, err);
    }
    jp_nodes_free(&nodes);
    cJSON_Delete(claims);
    return rc;
}

/* Non-overlapping matches of re over the body, left to right. An empty match advances one byte
 * so that a pattern like "x*" cannot loop; bounded by the body length. */
static long long regex_count(const regex_t *re, const resp_t *r) {
    const char *s = buf_cstr(&r->body);
    size_t off = 0, len = r->body.len;
    long long n = 0;
    regmatch_t m[1];
    while (off <= len && re_exec(re, s + off, len - off, 1, m) == 0) {
        n++;
        size_t end = (size_t)m[0].rm_eo;
        off += end > 0 ? end : 1;
    }
    return n;
}

static int query_xpath(const query_t *q, resp_t *r, qval_t *out, err_t *err) {
    const char *ct = resp_header(r, "Content-Type");
    bool xml = ct && strcasestr(ct, "xml") && !strcasestr(ct, "html");
    cJSON *v;
    if (xpath_eval(q->arg, buf_cstr(&r->body), r->body.len, xml, &v, &out->nodeset, err) == -1)
        return -1;
    return qval_own(out, v, err);
}

/* Applies one filter; the value is replaced (what it borrowed stays valid until qval_free). */
static int filter_apply(const qfilter_t *f, qval_t *out, err_t *err) {
    const cJSON *v = out->v;
    cJSON *next = NULL;
    bool coll = cJSON_IsArray(v) || cJSON_IsObject(v);
    int n = coll ? cJSON_GetArraySize(v) : 0;
    if (f->kind == F_COUNT) {
        if (!coll) return err_set(err, "filter count needs a list, an object or a node set");
        next = jl_create_integer(n);
    } else {
        if (!cJSON_IsArray(v)) return err_set(err, "filter %s needs a list", filter_name(f->kind));
        long i = f->kind == F_FIRST ? 0 : f->kind == F_LAST ? n - 1 : f->n < 0 ? n + f->n : f->n;
        if (i < 0 || i >= n) { /* out of range: nothing */
            qval_free(out);
            return 0;
        }
        next = cJSON_Duplicate(cJSON_GetArrayItem(v, (int)i), true);
    }
    qval_free(out);
    out->nodeset = false;
    return qval_own(out, next, err);
}

static int query_base(const query_t *q, resp_t *r, qval_t *out, err_t *err);

int query_eval_vars(const query_t *q, resp_t *r, const vars_t *vars, qval_t *out, err_t *err) {
    memset(out, 0, sizeof(*out));
    int rc;
    if (q->kind == Q_VARIABLE) {
        const cJSON *v = vars ? vars_get(vars, q->arg) : NULL;
        rc = !vars ? err_set(err, "the variable query is only for asserts")
             : v   ? qval_own(out, cJSON_Duplicate(v, true), err)
                   : 0;
    } else if (q->kind == Q_COOKIE && q->arg_tmpl) {
        /* a templated cookie name: "{{session_cookie}}[HttpOnly]" */
        char *name = vars ? tmpl_render_str(vars, q->arg, err) : NULL;
        if (!vars) err_set(err, "cookie name \"%s\" has a template but no variables", q->arg);
        rc = name ? query_cookie(q, name, r, out, err) : -1;
        free(name);
    } else {
        rc = query_base(q, r, out, err);
    }
    for (size_t i = 0; rc == 0 && out->exists && i < q->nfilters; i++)
        rc = filter_apply(&q->filters[i], out, err);
    if (rc == -1) qval_free(out);
    return rc;
}

int query_eval(const query_t *q, resp_t *r, qval_t *out, err_t *err) {
    return query_eval_vars(q, r, NULL, out, err);
}

static int query_base(const query_t *q, resp_t *r, qval_t *out, err_t *err) {
    switch (q->kind) {
    case Q_STATUS: return qval_own(out, jl_create_integer(r->status), err);
    case Q_DURATION: return qval_own(out, cJSON_CreateNumber(r->duration_ms), err);
    case Q_BODY: return qval_own(out, cJSON_CreateString(buf_cstr(&r->body)), err);
    case Q_HEADER:
    case Q_HEADERS: {
        /* headers: always a list, [] when absent, so that ["headers", "Connection", "not",
         * "contains", "close"] also passes without the header (header would be nothing). */
        size_t n = resp_header_count(r, q->arg);
        if (n == 0 && q->kind == Q_HEADER) return 0;
        if (n == 1 && q->kind == Q_HEADER)
            return qval_own(out, cJSON_CreateString(resp_header(r, q->arg)), err);
        cJSON *list = cJSON_CreateArray();
        for (size_t i = 0; list && i < r->nheaders; i++) {
            if (strcasecmp(r->headers[i].name, q->arg) != 0) continue;
            cJSON *s = cJSON_CreateString(r->headers[i].value);
            if (!s || !cJSON_AddItemToArray(list, s)) {
                cJSON_Delete(s);
                cJSON_Delete(list);
                list = NULL;
            }
        }
        return qval_own(out, list, err);
    }
    case Q_COOKIE: return query_cookie(q, q->arg, r, out, err);
    case Q_URL: return r->url ? qval_own(out, cJSON_CreateString(r->url), err) : 0;
    case Q_REDIRECTS: return qval_own(out, jl_create_integer(r->redirects), err);
    case Q_REGEX: {
        regmatch_t m[2];
        if (re_exec(q->re, buf_cstr(&r->body), r->body.len, 2, m) != 0) return 0;
        regmatch_t g = (q->re->re_nsub >= 1 && m[1].rm_so >= 0) ? m[1] : m[0];
        char *s = str_ndup(buf_cstr(&r->body) + g.rm_so, (size_t)(g.rm_eo - g.rm_so));
        cJSON *node = s ? cJSON_CreateString(s) : NULL;
        free(s);
        return qval_own(out, node, err);
    }
    case Q_JWT: return query_jwt(q, r, out, err);
    case Q_REGEX_COUNT: return qval_own(out, jl_create_integer(regex_count(q->re, r)), err);
    case Q_JSONPATH: return query_jsonpath(q, r, out, err);
    case Q_XPATH: return query_xpath(q, r, out, err);
    case Q_VARIABLE: break; /* query_eval_vars */
    }
    return err_set(err, "unknown query");
}

/* ---- values ---------------------------------------------------------------------------------- */

bool is_iso_date(const char *s) {
    static const char shape[] = "dddd-dd-ddTdd:dd:dd.dddZ";
    for (size_t i = 0; i < sizeof(shape) - 1; i++) {
        if (shape[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != shape[i]) return false;
    }
    if (s[sizeof(shape) - 1] != '\0') return false;
#define NUM2(p) ((s[p] - '0') * 10 + (s[(p) + 1] - '0'))
    int year = NUM2(0) * 100 + NUM2(2), mon = NUM2(5), day = NUM2(8);
    int hh = NUM2(11), mm = NUM2(14), ss = NUM2(17);
#undef NUM2
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (mon < 1 || mon > 12 || day < 1) return false;
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    int maxd = mdays[mon - 1] + (mon == 2 && leap);
    return day <= maxd && hh <= 23 && mm <= 59 && ss <= 59;
}
/* ---- predicates ---------------------------------------------------------------------------- */

static bool ordered(pred_kind_t p, const cJSON *v, const cJSON *arg) {
    int c;
    if (cJSON_IsNumber(v) && cJSON_IsNumber(arg))
        c = json_num_cmp(v, arg);
    else if (cJSON_IsString(v) && cJSON_IsString(arg))
        c = strcmp(v->valuestring, arg->valuestring);
    else
        return false;
    switch (p) {
    case P_LT: return c < 0;
    case P_LE: return c <= 0;
    case P_GT: return c > 0;
    default: return c >= 0;
    }
}

/* isSorted: the first element out of order (index >= 1), 0 when sorted, -1 when v is not a list
 * of only numbers or only strings. Strings compare bytewise (strcmp on UTF-8 is code point
 * order), numbers exactly (json_num_cmp). */
static int unsorted_at(const cJSON *v) {
    if (!cJSON_IsArray(v)) return -1;
    const cJSON *first = v->child;
    if (!first) return 0;
    bool nums = cJSON_IsNumber(first);
    if (!nums && !cJSON_IsString(first)) return -1;
    int i = 1;
    for (const cJSON *p = first, *c = first->next; c; p = c, c = c->next, i++) {
        if (nums ? !cJSON_IsNumber(c) : !cJSON_IsString(c)) return -1;
        if ((nums ? json_num_cmp(p, c) : strcmp(p->valuestring, c->valuestring)) > 0) return i;
    }
    return 0;
}

/* isUnique: the index of the first element equal to an earlier one, 0 when none, -1 when v is
 * not a list. Quadratic: the lists asserted on are response lists (tags, ids), capped by
 * RESP_MAX_BODY, and this keeps json_equal's exact typed equality without hashing rules. */
static int duplicate_at(const cJSON *v) {
    if (!cJSON_IsArray(v)) return -1;
    int i = 0;
    for (const cJSON *c = v->child; c; c = c->next, i++)
        for (const cJSON *e = v->child; e != c; e = e->next)
            if (json_equal(e, c)) return i;
    return 0;
}

static bool is_empty(const cJSON *v) {
    if (cJSON_IsString(v)) return v->valuestring[0] == '\0';
    if (cJSON_IsArray(v) || cJSON_IsObject(v)) return v->child == NULL;
    return false;
}

/* Truth of the predicate on an existing value (before `not`). -1 on a regex error. */
static int pred_holds(pred_kind_t p, const cJSON *v, const cJSON *arg, const regex_t *re,
                      err_t *err) {
    bool sv = cJSON_IsString(v), sa = arg && cJSON_IsString(arg);
    switch (p) {
    case P_EQ: return json_equal(v, arg);
    case P_NE: return !json_equal(v, arg);
    case P_LT:
    case P_LE:
    case P_GT:
    case P_GE: return ordered(p, v, arg);
    case P_EXISTS: return 1;
    case P_IS_STRING: return sv;
    case P_IS_INTEGER: return jl_is_integer(v);
    case P_IS_NUMBER: return cJSON_IsNumber(v);
    case P_IS_BOOLEAN: return cJSON_IsBool(v);
    case P_IS_NULL: return cJSON_IsNull(v);
    case P_IS_LIST: return cJSON_IsArray(v);
    case P_IS_OBJECT: return cJSON_IsObject(v);
    case P_IS_EMPTY: return is_empty(v);
    case P_IS_ISO_DATE: return sv && is_iso_date(v->valuestring);
    case P_IS_SORTED: return unsorted_at(v) == 0;
    case P_IS_UNIQUE: return duplicate_at(v) == 0;
    case P_IS_FLOAT: return cJSON_IsNumber(v) && !jl_is_integer(v);
    case P_IS_COLLECTION: return cJSON_IsArray(v) || cJSON_IsObject(v);
    case P_STARTS_WITH: return sv && sa && str_starts_with(v->valuestring, arg->valuestring);
    case P_ENDS_WITH: return sv && sa && str_ends_with(v->valuestring, arg->valuestring);
    case P_COUNT:
        return (cJSON_IsArray(v) || cJSON_IsObject(v)) && cJSON_IsNumber(arg) &&
               jl_is_integer(arg) && cJSON_GetArraySize(v) == arg->valuedouble;
    case P_CONTAINS:
        if (sv) return sa && strstr(v->valuestring, arg->valuestring) != NULL;
        if (cJSON_IsArray(v))
            for (const cJSON *c = v->child; c; c = c->next)
                if (json_equal(c, arg)) return 1;
        return 0;
    case P_MATCHES: {
        if (!sv) return 0;
        regex_t own;
        if (!re) {
            if (!sa) return err_set(err, "matches needs a string pattern");
            char m[200];
            if (re_compile(&own, arg->valuestring, REG_NOSUB, m, sizeof(m)) == -1)
                return err_set(err, "invalid regex \"%.100s\": %s", arg->valuestring, m);
        }
        int rc = re_exec(re ? re : &own, v->valuestring, strlen(v->valuestring), 0, NULL);
        if (!re) regfree(&own);
        return rc == 0;
    }
    }
    return 0;
}

static int show_value(buf_t *out, const cJSON *v) {
    buf_t tmp;
    buf_init(&tmp, RESP_MAX_BODY);
    int rc = jl_print_spaced(v, &tmp);
    if (rc == 0) rc = str_escape_trunc(out, buf_cstr(&tmp), tmp.len, EXPECT_MAX_SHOWN);
    buf_free(&tmp);
    return rc;
}

static int failure_message(buf_t *msg, pred_kind_t p, bool negate, const cJSON *arg,
                           const qval_t *val) {
    buf_reset(msg);
    buf_printf(msg, "expected %s%s", negate ? "not " : "", pred_name(p));
    if (arg) {
        buf_addc(msg, ' ');
        show_value(msg, arg);
    }
    buf_adds(msg, ", got ");
    if (!val->exists) return buf_adds(msg, "nothing");
    const cJSON *v = val->v;
    if (p == P_COUNT && (cJSON_IsArray(v) || cJSON_IsObject(v)))
        return buf_printf(msg, "%s of %d element%s", json_type_name(v), cJSON_GetArraySize(v),
                          cJSON_GetArraySize(v) == 1 ? "" : "s");
    bool same_type = arg && (arg->type & 0xFF) == (v->type & 0xFF);
    if (!same_type && !cJSON_IsNull(v)) buf_printf(msg, "%s ", json_type_name(v));
    int rc = show_value(msg, v);
    /* Where a list breaks the rule: the value shown may be cut before it. */
    int at = p == P_IS_SORTED ? unsorted_at(v) : p == P_IS_UNIQUE ? duplicate_at(v) : 0;
    if (!negate && at > 0)
        rc |=
            buf_printf(msg, " (element [%d] %s)", at,
                       p == P_IS_SORTED ? "is less than the one before" : "repeats an earlier one");
    else if (!negate && at == -1 && p == P_IS_SORTED && cJSON_IsArray(v))
        rc |= buf_adds(msg, " (not a list of only numbers or only strings)");
    return rc;
}

int pred_eval(pred_kind_t p, bool negate, const cJSON *arg, const regex_t *re, const qval_t *value,
              bool *pass, buf_t *msg, err_t *err) {
    bool ok;
    bool empty_set = value->nodeset && value->v && !value->v->child;
    if (!value->exists || (p == P_EXISTS && empty_set)) {
        ok = p == P_EXISTS && negate; /* nothing fails every predicate but `not exists` */
    } else {
        int h = pred_holds(p, value->v, arg, re, err);
        if (h == -1) return -1;
        ok = negate ? !h : h;
    }
    *pass = ok;
    if (!ok && msg) failure_message(msg, p, negate, arg, value);
    return 0;
}

/* ---- one assert ------------------------------------------------------------------------------ */

int assertion_eval(const assertion_t *a, resp_t *r, const vars_t *vars, bool *pass, buf_t *msg,
                   err_t *err) {
    cJSON *rendered = NULL;
    const cJSON *arg = a->arg;
    if (arg && a->arg_tmpl) {
        rendered = tmpl_render_json(vars, arg, err);
        if (!rendered) return -1;
        arg = rendered;
    }
    qval_t val;
    int rc = query_eval_vars(&a->q, r, vars, &val, err);
    if (rc == 0) rc = pred_eval(a->pred, a->negate, arg, a->arg_re, &val, pass, msg, err);
    qval_free(&val);
    cJSON_Delete(rendered);
    return rc;
}
