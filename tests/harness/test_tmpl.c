/* Tests for harness/tmpl.c: variables, {{name}} rendering, type preservation, list appends. */
#include <criterion/criterion.h>
#include <string.h>

#include "jsonloc.h"
#include "tmpl.h"

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
