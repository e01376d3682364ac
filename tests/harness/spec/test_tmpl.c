/* Tests for harness/tmpl.c: variables, {{name}} rendering, type preservation, list appends. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/b64.h"
#include "core/jsonloc.h"
#include "spec/tmpl.h"

static vars_t *v;

static cJSON *json(const char *s) {
    err_t e;
    cJSON *j = jl_parse(s, strlen(s), NULL, 0, NULL, &e);
    cr_assert_not_null(j, "%s", e.msg);
    return j;
}

static void setup(void) {
    v = vars_new();
    vars_set_string(v, "uid", "k3x9");
    vars_set_string(v, "target", "quill");
    vars_set_int(v, "n", 7);
    cJSON *j =
        json("{\"big\": 9007199254740993, \"f\": 1.0, \"list\": [1, \"a\"], \"obj\": {\"k\": "
             "true}, \"nul\": null}");
    for (cJSON *c = j->child; c; c = c->next) vars_set(v, c->string, c);
    cJSON_Delete(j);
}

static void teardown(void) {
    vars_free(v);
}

TestSuite(tmpl, .init = setup, .fini = teardown);

static void expect_str(const char *t, const char *want) {
    err_t e;
    char *s = tmpl_render_str(v, t, &e);
    cr_assert_not_null(s, "%s: %s", t, e.msg);
    cr_assert_str_eq(s, want);
    free(s);
}

Test(tmpl, renders_strings) {
    expect_str("alice-{{uid}}@example.com", "alice-k3x9@example.com");
    expect_str("{{ uid }}-{{target}}", "k3x9-quill");
    expect_str("no refs", "no refs");
    expect_str("", "");
    expect_str("n={{n}} big={{big}} f={{f}}", "n=7 big=9007199254740993 f=1.0");
    expect_str("{{list}}|{{obj}}|{{nul}}", "[1,\"a\"]|{\"k\":true}|null");
    expect_str("{single brace} }}", "{single brace} }}");
}

Test(tmpl, unknown_variable_is_named) {
    err_t e;
    cr_assert_null(tmpl_render_str(v, "x {{nope}} y", &e));
    cr_assert_str_eq(e.msg, "unknown variable \"nope\"");
    buf_t b;
    buf_init(&b, 0);
    cr_assert_eq(tmpl_render(v, "{{Uid}}", &b, &e), -1); /* case-sensitive */
    cr_assert_str_eq(e.msg, "unknown variable \"Uid\"");
    buf_free(&b);
}

Test(tmpl, syntax_checks) {
    err_t e;
    size_t off;
    cr_assert_eq(tmpl_check("ok {{a.b-c_1}} {{ x }}", &off, &e), 0);
    cr_assert_eq(tmpl_check("ab {{x", &off, &e), -1);
    cr_assert_eq(off, 3);
    cr_assert_str_eq(e.msg, "unterminated template reference (missing \"}}\")");
    cr_assert_eq(tmpl_check("{{}}", &off, &e), -1);
    cr_assert_str_eq(e.msg, "empty template reference \"{{}}\"");
    cr_assert_eq(tmpl_check("a {{1x}}", &off, &e), -1);
    cr_assert_eq(off, 2);
    cr_assert_eq(tmpl_check("{{a b}}", &off, &e), -1);
    char name[TMPL_MAX_NAME + 1];
    cr_assert(tmpl_single_ref("{{ id }}", name));
    cr_assert_str_eq(name, "id");
    cr_assert_not(tmpl_single_ref("{{id}} ", name));
    cr_assert_not(tmpl_single_ref("{{a}}{{b}}", name));
    cr_assert(tmpl_name_ok("a.b-c_1"));
    cr_assert_not(tmpl_name_ok("1a"));
    cr_assert_not(tmpl_name_ok(""));
}

Test(tmpl, json_keeps_types_when_whole_value) {
    cJSON *t =
        json("{\"n\": \"{{n}}\", \"big\": \"{{big}}\", \"f\": \"{{f}}\", \"l\": \"{{list}}\","
             " \"o\": \"{{obj}}\", \"z\": \"{{nul}}\", \"s\": \"{{uid}}\","
             " \"mixed\": \"#{{n}}\", \"{{uid}}-key\": [\"{{n}}\", 2, false]}");
    err_t e;
    cJSON *r = tmpl_render_json(v, t, &e);
    cr_assert_not_null(r, "%s", e.msg);
    buf_t b;
    buf_init(&b, 0);
    jl_print(r, &b);
    cr_assert_str_eq(buf_cstr(&b), "{\"n\":7,\"big\":9007199254740993,\"f\":1.0,\"l\":[1,\"a\"],"
                                   "\"o\":{\"k\":true},\"z\":null,\"s\":\"k3x9\",\"mixed\":\"#7\","
                                   "\"k3x9-key\":[7,2,false]}");
    cr_assert(cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(r, "n")));
    cr_assert(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(r, "mixed")));
    buf_free(&b);
    cJSON_Delete(r);
    cJSON_Delete(t);
    t = json("[\"{{missing}}\"]");
    cr_assert_null(tmpl_render_json(v, t, &e));
    cr_assert_str_eq(e.msg, "unknown variable \"missing\"");
    cJSON_Delete(t);
}

Test(tmpl, set_replaces_and_clone_is_deep) {
    vars_set_string(v, "n", "now a string");
    cr_assert_str_eq(vars_get(v, "n")->valuestring, "now a string");
    vars_t *c = vars_clone(v);
    vars_set_int(c, "uid", 1);
    cr_assert(cJSON_IsString(vars_get(v, "uid")));
    cr_assert(cJSON_IsNumber(vars_get(c, "uid")));
    vars_free(c);
    cr_assert_null(vars_get(v, "absent"));
    cr_assert_eq(cJSON_GetArraySize(vars_object(v)), 8);
}

Test(tmpl, append_builds_lists) {
    err_t e;
    cJSON *s = cJSON_CreateString("slug-1");
    cr_assert_eq(vars_append(v, "slugs", s, &e), 0);
    cJSON_SetValuestring(s, "slug-2");
    cr_assert_eq(vars_append(v, "slugs", s, &e), 0);
    cJSON_Delete(s);
    char *r = tmpl_render_str(v, "{{slugs}}", &e);
    cr_assert_str_eq(r, "[\"slug-1\",\"slug-2\"]");
    free(r);
    cJSON *one = cJSON_CreateNumber(1);
    cr_assert_eq(vars_append(v, "uid", one, &e), -1);
    cr_assert_str_eq(e.msg, "cannot append to variable \"uid\": it is not a list");
    cJSON_Delete(one);
}

Test(tmpl, list_indexing) {
    cJSON *l = json("[\"s0\", 1, {\"k\": 2}]");
    vars_set(v, "slugs", l);
    cJSON_Delete(l);
    vars_set_int(v, "i", 1);
    vars_set_int(v, "neg", -3);
    expect_str("{{slugs[0]}}|{{ slugs[ -1 ] }}|{{slugs[i]}}|{{slugs[neg]}}", "s0|{\"k\":2}|1|s0");
    /* whole-string references keep the element's type */
    cJSON *t = json("[\"{{slugs[i]}}\", \"{{slugs[2]}}\", \"{{list[-1]}}\"]");
    err_t e;
    cJSON *r = tmpl_render_json(v, t, &e);
    cr_assert_not_null(r, "%s", e.msg);
    buf_t b;
    buf_init(&b, 0);
    jl_print(r, &b);
    cr_assert_str_eq(buf_cstr(&b), "[1,{\"k\":2},\"a\"]");
    buf_free(&b);
    cJSON_Delete(r);
    cJSON_Delete(t);
    /* errors name the reference */
    cr_assert_null(tmpl_render_str(v, "{{slugs[3]}}", &e));
    cr_assert_str_eq(e.msg, "\"slugs[3]\": index out of range (the list has 3 elements)");
    cr_assert_null(tmpl_render_str(v, "{{slugs[-4]}}", &e));
    cr_assert_str_eq(e.msg, "\"slugs[-4]\": index out of range (the list has 3 elements)");
    cr_assert_null(tmpl_render_str(v, "{{uid[0]}}", &e));
    cr_assert_str_eq(e.msg, "variable \"uid\" is not a list: it cannot be indexed");
    cr_assert_null(tmpl_render_str(v, "{{slugs[uid]}}", &e));
    cr_assert_str_eq(e.msg, "index \"uid\" of \"slugs\" is not an integer");
    cr_assert_null(tmpl_render_str(v, "{{slugs[nope]}}", &e));
    cr_assert_str_eq(e.msg, "unknown variable \"nope\"");
    cr_assert_null(tmpl_render_str(v, "{{gone[0]}}", &e));
    cr_assert_str_eq(e.msg, "unknown variable \"gone\"");
}

Test(tmpl, index_and_call_syntax_checked_at_load) {
    err_t e;
    size_t off;
    cr_assert_eq(
        tmpl_check("{{a[0]}} {{a[-12]}} {{ a[ i ] }} {{jwt()}} {{jwt(sub='x', exp=-1)}}", &off, &e),
        0, "%s", e.msg);
    cr_assert_eq(tmpl_check("{{jwt( from = t[0] , alg = \"none\" )}}", &off, &e), 0, "%s", e.msg);
    struct {
        const char *t, *msg;
    } bad[] = {
        {"x {{a[0}}", "missing ']' after a list index"},
        {"{{a[]}}", "a list index is an integer or a variable name"},
        {"{{a[0]x}}", "expected \"}}\""},
        {"{{nope(a=1)}}", "unknown template function \"nope\" (jwt, now)"},
        {"{{jwt(kid='1')}}", "jwt(): unknown argument \"kid\""},
        {"{{jwt(sub='1', sub='2')}}", "jwt(): argument \"sub\" given twice"},
        {"{{jwt(sub '1')}}", "jwt(): expected '=' after \"sub\""},
        {"{{jwt(sub='1' exp=1)}}", "jwt(): expected ',' or ')'"},
        {"{{jwt(sub='1)}}", "jwt(): unterminated string in template (missing ')"},
        {"{{jwt(exp='soon')}}", "jwt(): argument \"exp\" must be an integer"},
        {"{{jwt(alg=5)}}", "jwt(): argument \"alg\" must be a string"},
        {"{{jwt(alg='RS256')}}", "jwt(): unknown alg 'RS256' (HS256, HS384, HS512 or none)"},
        {"{{jwt(sub='a\\n')}}", "jwt(): invalid escape in a template string (\\\\ \\' \\\" only)"},
        {"{{jwt(sub=)}}", "jwt(): an argument value is a 'string', an integer or a variable name"},
        {"{{jwt(sub='1')", "unterminated template reference (missing \"}}\")"},
        {"{{jwt(a=1,b=2,c=3,d=4,e=5,f=6,g=7,h=8,i=9)}}", "jwt(): unknown argument \"a\""},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cr_assert_eq(tmpl_check(bad[i].t, &off, &e), -1, "%s", bad[i].t);
        cr_assert_str_eq(e.msg, bad[i].msg, "%s", bad[i].t);
    }
    cr_assert_eq(tmpl_check("ok {{jwt(alg=1)}}", &off, &e), -1);
    cr_assert_eq(off, 3);
    char name[TMPL_MAX_NAME + 1];
    cr_assert(tmpl_single_ref("{{jwt(sub='}}')}}", name)); /* "}}" inside a string is text */
    cr_assert_str_eq(name, "jwt");
    cr_assert(tmpl_single_ref("{{ slugs[i] }}", name));
    cr_assert_str_eq(name, "slugs");
}

/* The claims of a rendered token (the middle part), as compact JSON. */
static char *claims(const char *tok) {
    const char *a = strchr(tok, '.'), *b = strrchr(tok, '.');
    cr_assert(a && b && a != b, "%s", tok);
    buf_t raw;
    buf_init(&raw, 0);
    err_t e;
    cr_assert_eq(b64_decode(&raw, a + 1, (size_t)(b - a - 1), true, &e), 0, "%s", e.msg);
    return buf_detach(&raw);
}

Test(tmpl, jwt_function_renders_tokens) {
    err_t e;
    /* no secret variable: a clear error */
    cr_assert_null(tmpl_render_str(v, "Token {{jwt(sub='1')}}", &e));
    cr_assert(strstr(e.msg, "the target's secret key is unknown"), "%s", e.msg);
    vars_set_string(v, "secret", "k");
    char *s = tmpl_render_str(v, "Token {{jwt(sub='4\\'2', exp=-60)}}", &e);
    cr_assert_not_null(s, "%s", e.msg);
    cr_assert(str_starts_with(s, "Token eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."), "%s", s);
    char *c = claims(s + 6);
    cJSON *p = json(c);
    cr_assert_str_eq(cJSON_GetObjectItem(p, "sub")->valuestring, "4'2");
    double exp = cJSON_GetObjectItem(p, "exp")->valuedouble;
    double iat = cJSON_GetObjectItem(p, "iat")->valuedouble;
    cr_assert_eq(exp, iat - 60);
    cr_assert(iat >= (double)time(NULL) - 5 && iat <= (double)time(NULL), "iat %f is now", iat);
    cJSON_Delete(p);
    free(c);
    /* from a variable, the other key, a list element as sub; a whole-string call is a string */
    vars_set_string(v, "tok", s + 6);
    cJSON *t = json("{\"a\": \"{{jwt(from=tok, secret='other', sub=list[0])}}\"}");
    cJSON *r = tmpl_render_json(v, t, &e);
    cr_assert_not_null(r, "%s", e.msg);
    const cJSON *a = cJSON_GetObjectItem(r, "a");
    cr_assert(cJSON_IsString(a));
    c = claims(a->valuestring);
    p = json(c);
    cr_assert_eq(cJSON_GetObjectItem(p, "sub")->valuedouble, 1); /* list[0] is the number 1 */
    cr_assert_eq(cJSON_GetObjectItem(p, "exp")->valuedouble, exp, "exp kept from the token");
    cr_assert_str_neq(strrchr(a->valuestring, '.'), strrchr(s, '.'));
    cJSON_Delete(p);
    free(c);
    cJSON_Delete(r);
    cJSON_Delete(t);
    free(s);
    /* a variable argument of the wrong type and an unknown one are render errors */
    cr_assert_null(tmpl_render_str(v, "{{jwt(from=n)}}", &e));
    cr_assert_str_eq(e.msg, "jwt: from must be a string, got a number");
    cr_assert_null(tmpl_render_str(v, "{{jwt(from=nothing)}}", &e));
    cr_assert_str_eq(e.msg, "jwt(): unknown variable \"nothing\"");
    cr_assert_null(tmpl_render_str(v, "{{jwt(from=uid)}}", &e));
    cr_assert_str_eq(e.msg, "jwt: from: \"k3x9\" is not a JWT (three parts separated by '.')");
}

Test(tmpl, now_function) {
    err_t e;
    long long t0 = (long long)time(NULL);
    cJSON *t = json("[\"{{now()}}\", \"{{ now(add=-60) }}\", \"{{now(add=5184000)}}\"]");
    cJSON *r = tmpl_render_json(v, t, &e);
    cr_assert_not_null(r, "%s", e.msg);
    long long t1 = (long long)time(NULL);
    const cJSON *a = cJSON_GetArrayItem(r, 0), *b = cJSON_GetArrayItem(r, 1),
                *c = cJSON_GetArrayItem(r, 2);
    cr_assert(cJSON_IsNumber(a) && jl_is_integer(a), "now() is an integer");
    cr_assert(a->valuedouble >= (double)t0 && a->valuedouble <= (double)t1);
    cr_assert(b->valuedouble >= (double)(t0 - 60) && b->valuedouble <= (double)(t1 - 60));
    cr_assert(c->valuedouble >= (double)(t0 + 5184000) && c->valuedouble <= (double)(t1 + 5184000));
    cJSON_Delete(r);
    cJSON_Delete(t);
    vars_set_string(v, "s", "x");
    cr_assert_null(tmpl_render_str(v, "{{now(add=s)}}", &e));
    cr_assert_str_eq(e.msg, "now(): add must be an integer");
    size_t off;
    cr_assert_eq(tmpl_check("{{now(add='1')}}", &off, &e), -1);
    cr_assert_str_eq(e.msg, "now(): argument \"add\" must be an integer");
    cr_assert_eq(tmpl_check("{{now(sub=1)}}", &off, &e), -1);
    cr_assert_str_eq(e.msg, "now(): unknown argument \"sub\"");
}

/* Random strings over the template grammar's characters: the parser never reads out of bounds
 * (run under ASan in the sanitizer build), an accepted template either renders or fails with a
 * message, and a rejected one says where. Deterministic (fixed seed), bounded. */
Test(tmpl, random_templates_never_crash) {
    static const char alpha[] = "{{}}()[]'\"\\,= -019abijnostwx_.";
    vars_set_string(v, "secret", "k");
    cJSON *l = json("[1, \"two\"]");
    vars_set(v, "a", l);
    cJSON_Delete(l);
    unsigned seed = 12345;
    size_t accepted = 0, rendered = 0;
    for (int i = 0; i < 20000; i++) {
        char s[40];
        size_t n = 2 + (size_t)(rand_r(&seed) % 30);
        s[0] = '{', s[1] = '{';
        for (size_t k = 2; k < n; k++) s[k] = alpha[rand_r(&seed) % (sizeof alpha - 1)];
        s[n] = '\0';
        if (i % 3 == 0) memcpy(s, "{{jwt(", n >= 6 ? 6 : n);
        if (i % 3 == 1 && n >= 4) memcpy(s, "{{a[", 4);
        err_t e = {{0}};
        size_t off = 99;
        if (tmpl_check(s, &off, &e) == -1) {
            cr_assert(e.msg[0] && off < n, "%s: no message or offset", s);
            continue;
        }
        accepted++;
        e.msg[0] = '\0';
        char *r = tmpl_render_str(v, s, &e);
        if (r) {
            rendered++;
            free(r);
        } else {
            cr_assert(e.msg[0], "%s: render failed without a message", s);
        }
    }
    cr_assert_gt(accepted, 0);
    cr_assert_gt(rendered, 0);
}
