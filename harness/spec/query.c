/* query: the names of queries and predicates as written in spec files. See query.h. */
#include "query.h"

#include <string.h>
#include <strings.h>

static const char *const query_names[] = {
    [Q_STATUS] = "status",     [Q_HEADER] = "header",
    [Q_COOKIE] = "cookie",     [Q_BODY] = "body",
    [Q_JSONPATH] = "jsonpath", [Q_REGEX] = "regex",
    [Q_DURATION] = "duration", [Q_REGEX_COUNT] = "regexCount",
    [Q_JWT] = "jwt",           [Q_HEADERS] = "headers",
    [Q_XPATH] = "xpath",       [Q_VARIABLE] = "variable",
    [Q_URL] = "url",           [Q_REDIRECTS] = "redirects",
};

static const char *const cookie_attrs[] = {
    [CA_NONE] = "",           [CA_VALUE] = "Value",       [CA_EXPIRES] = "Expires",
    [CA_MAX_AGE] = "Max-Age", [CA_DOMAIN] = "Domain",     [CA_PATH] = "Path",
    [CA_SECURE] = "Secure",   [CA_HTTPONLY] = "HttpOnly", [CA_SAMESITE] = "SameSite",
};

const char *cookie_attr_name(cookie_attr_t a) {
    return cookie_attrs[a];
}

int cookie_attr_parse(const char *arg, size_t *name_len, cookie_attr_t *attr) {
    size_t n = strlen(arg);
    *name_len = n;
    *attr = CA_NONE;
    const char *open = strrchr(arg, '[');
    if (n < 3 || arg[n - 1] != ']' || !open) return 0;
    size_t alen = (size_t)(arg + n - 1 - (open + 1));
    for (size_t i = 1; i < sizeof(cookie_attrs) / sizeof(cookie_attrs[0]); i++) {
        if (strlen(cookie_attrs[i]) == alen && strncasecmp(open + 1, cookie_attrs[i], alen) == 0) {
            *attr = (cookie_attr_t)i;
            *name_len = (size_t)(open - arg);
            return 0;
        }
    }
    return -1;
}

static const char *const filter_names[] = {
    [F_COUNT] = "count", [F_NTH] = "nth", [F_FIRST] = "first", [F_LAST] = "last"};

const char *filter_name(filter_kind_t f) {
    return filter_names[f];
}

int filter_parse(const char *s, filter_kind_t *out) {
    for (size_t i = 0; i < sizeof(filter_names) / sizeof(filter_names[0]); i++) {
        if (strcmp(s, filter_names[i]) == 0) {
            *out = (filter_kind_t)i;
            return 0;
        }
    }
    return -1;
}

const char *query_kind_name(query_kind_t k) {
    return query_names[k];
}

int query_kind_parse(const char *s, query_kind_t *out) {
    for (size_t i = 0; i < sizeof(query_names) / sizeof(query_names[0]); i++) {
        if (strcmp(s, query_names[i]) == 0) {
            *out = (query_kind_t)i;
            return 0;
        }
    }
    return -1;
}

int query_kind_nargs(query_kind_t k) {
    if (k == Q_JWT) return 2;
    return k == Q_HEADER || k == Q_HEADERS || k == Q_COOKIE || k == Q_JSONPATH || k == Q_REGEX ||
           k == Q_REGEX_COUNT || k == Q_XPATH || k == Q_VARIABLE;
}

static const char *const pred_names[] = {
    [P_EQ] = "==",
    [P_NE] = "!=",
    [P_LT] = "<",
    [P_LE] = "<=",
    [P_GT] = ">",
    [P_GE] = ">=",
    [P_EXISTS] = "exists",
    [P_IS_STRING] = "isString",
    [P_IS_INTEGER] = "isInteger",
    [P_IS_NUMBER] = "isNumber",
    [P_IS_BOOLEAN] = "isBoolean",
    [P_IS_NULL] = "isNull",
    [P_IS_LIST] = "isList",
    [P_IS_OBJECT] = "isObject",
    [P_IS_EMPTY] = "isEmpty",
    [P_IS_ISO_DATE] = "isIsoDate",
    [P_IS_SORTED] = "isSorted",
    [P_IS_UNIQUE] = "isUnique",
    [P_IS_FLOAT] = "isFloat",
    [P_IS_COLLECTION] = "isCollection",
    [P_MATCHES] = "matches",
    [P_CONTAINS] = "contains",
    [P_STARTS_WITH] = "startsWith",
    [P_ENDS_WITH] = "endsWith",
    [P_COUNT] = "count",
};

const char *pred_name(pred_kind_t p) {
    return pred_names[p];
}

int pred_parse(const char *s, pred_kind_t *out) {
    for (size_t i = 0; i < sizeof(pred_names) / sizeof(pred_names[0]); i++) {
        if (strcmp(s, pred_names[i]) == 0) {
            *out = (pred_kind_t)i;
            return 0;
        }
    }
    return -1;
}

int pred_nargs(pred_kind_t p) {
    return p <= P_GE || p >= P_MATCHES;
}
