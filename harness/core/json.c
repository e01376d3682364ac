/* json: typed comparison of JSON values. See json.h. */
#include "json.h"

#include <stdio.h>
#include <string.h>

#include "jsonloc.h"

const char *json_type_name(const cJSON *v) {
    if (!v) return "nothing";
    if (cJSON_IsString(v)) return "string";
    if (cJSON_IsNumber(v)) return "number";
    if (cJSON_IsBool(v)) return "boolean";
    if (cJSON_IsNull(v)) return "null";
    if (cJSON_IsArray(v)) return "list";
    if (cJSON_IsObject(v)) return "object";
    return "invalid";
}

/* An integer number's decimal digits without sign into buf (for exact comparison), *neg set.
 * -1 if the node is not an integer. */
static int int_digits(const cJSON *n, char *buf, size_t cap, bool *neg) {
    if (!jl_is_integer(n)) return -1;
    char tmp[64];
    const char *t = jl_number_text(n);
    if (!t) {
        snprintf(tmp, sizeof(tmp), "%.0f", n->valuedouble);
        t = tmp;
    }
    *neg = t[0] == '-';
    if (*t == '-' || *t == '+') t++;
    while (t[0] == '0' && t[1]) t++; /* JSON has no leading zeros, but be safe */
    size_t len = strlen(t);
    if (len + 1 > cap) return -1;
    memcpy(buf, t, len + 1);
    if (len == 1 && t[0] == '0') *neg = false; /* -0 == 0 */
    return 0;
}

/* Compares two numbers: integers exactly by their digits, otherwise as doubles. */
int json_num_cmp(const cJSON *a, const cJSON *b) {
    char da[512], db[512];
    bool na, nb;
    if (int_digits(a, da, sizeof(da), &na) == 0 && int_digits(b, db, sizeof(db), &nb) == 0) {
        if (na != nb) return na ? -1 : 1;
        size_t la = strlen(da), lb = strlen(db);
        int c = la != lb ? (la < lb ? -1 : 1) : strcmp(da, db);
        c = c < 0 ? -1 : c > 0;
        return na ? -c : c;
    }
    double x = a->valuedouble, y = b->valuedouble;
    return x < y ? -1 : x > y;
}

bool json_equal(const cJSON *a, const cJSON *b) {
    if (!a || !b) return a == b;
    if ((a->type & 0xFF) != (b->type & 0xFF)) return false;
    if (cJSON_IsString(a)) return strcmp(a->valuestring, b->valuestring) == 0;
    if (cJSON_IsNumber(a)) {
        if (jl_is_integer(a) != jl_is_integer(b)) return false; /* 1 vs 1.0 differ */
        return json_num_cmp(a, b) == 0;
    }
    if (cJSON_IsArray(a)) {
        const cJSON *x = a->child, *y = b->child;
        for (; x && y; x = x->next, y = y->next)
            if (!json_equal(x, y)) return false;
        return !x && !y;
    }
    if (cJSON_IsObject(a)) {
        if (cJSON_GetArraySize(a) != cJSON_GetArraySize(b)) return false;
        for (const cJSON *x = a->child; x; x = x->next) {
            const cJSON *y = cJSON_GetObjectItemCaseSensitive(b, x->string);
            if (!y || !json_equal(x, y)) return false;
        }
        return true;
    }
    return true; /* null, true, false: same type */
}

const cJSON *json_get(const cJSON *o, const char *key) {
    return o ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;
}

double json_num(const cJSON *o, const char *key, double dflt) {
    const cJSON *v = json_get(o, key);
    return cJSON_IsNumber(v) ? v->valuedouble : dflt;
}

const char *json_str(const cJSON *o, const char *key) {
    const cJSON *v = json_get(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}
