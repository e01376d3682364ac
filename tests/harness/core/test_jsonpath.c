/* Tests for harness/jsonpath.c: the RFC 9535 subset, compile errors, evaluation edge cases. */
#include <criterion/criterion.h>
#include <string.h>

#include "core/jsonloc.h"
#include "core/jsonpath.h"

static const char *doc = "{\"user\": {\"name\": \"al\", \"tags\": [\"a\", \"b\", \"c\"]},"
                         " \"a.b\": 1, \"it's\": 2, \"q\\\"\": 3, \"é\": 4, \"empty\": [],"
                         " \"list\": [{\"id\": 1}, {\"id\": 2}, {\"x\": 0}], \"n\": null,"
                         " \"created-at\": \"d\"}";

static cJSON *root;

static void setup(void) {
    err_t e;
    root = jl_parse(doc, strlen(doc), NULL, 0, NULL, &e);
    cr_assert_not_null(root, "%s", e.msg);
}

static void teardown(void) {
    cJSON_Delete(root);
}

/* Evaluates expr and returns the matches printed as one JSON list. */
static char *eval(const char *expr) {
    err_t e;
    jp_path_t *p = jp_compile(expr, NULL, &e);
    cr_assert_not_null(p, "%s: %s", expr, e.msg);
    jp_nodes_t r;
    jp_nodes_init(&r);
    cr_assert_eq(jp_eval(p, root, &r, &e), 0);
    buf_t b;
    buf_init(&b, 0);
    buf_addc(&b, '[');
    for (size_t i = 0; i < r.n; i++) {
        if (i) buf_addc(&b, ',');
        jl_print(r.nodes[i], &b);
    }
    buf_addc(&b, ']');
    jp_nodes_free(&r);
    jp_free(p);
    return buf_detach(&b);
}

#define EXPECT(expr, want)                                                                         \
    do {                                                                                           \
        char *got = eval(expr);                                                                    \
        cr_assert_str_eq(got, want, "%s", expr);                                                   \
        free(got);                                                                                 \
    } while (0)

TestSuite(jsonpath, .init = setup, .fini = teardown);

Test(jsonpath, root_and_names) {
    EXPECT("$.user.name", "[\"al\"]");
    EXPECT("$['user']['name']", "[\"al\"]");
    EXPECT("$[\"user\"].name", "[\"al\"]");
    EXPECT("$.n", "[null]"); /* null is a match */
    EXPECT("$.missing", "[]");
    EXPECT("$.user.name.deeper", "[]");
    EXPECT("$.created-at", "[\"d\"]");
    EXPECT("$.é", "[4]");
    char *all = eval("$");
    cr_assert(strncmp(all, "[{\"user\":", 9) == 0);
    free(all);
}

Test(jsonpath, quoted_names_with_dots_quotes_and_escapes) {
    EXPECT("$['a.b']", "[1]");
    EXPECT("$.a.b", "[]"); /* not the member "a.b" */
    EXPECT("$['it\\'s']", "[2]");
    EXPECT("$[\"it's\"]", "[2]");
    EXPECT("$['q\"']", "[3]");
    EXPECT("$['\\u00e9']", "[4]");
    EXPECT("$['user']", "[{\"name\":\"al\",\"tags\":[\"a\",\"b\",\"c\"]}]");
}

Test(jsonpath, indexes_positive_negative_out_of_range) {
    EXPECT("$.user.tags[0]", "[\"a\"]");
    EXPECT("$.user.tags[2]", "[\"c\"]");
    EXPECT("$.user.tags[-1]", "[\"c\"]");
    EXPECT("$.user.tags[-3]", "[\"a\"]");
    EXPECT("$.user.tags[3]", "[]");
    EXPECT("$.user.tags[-4]", "[]");
    EXPECT("$.empty[0]", "[]");
    EXPECT("$.empty[-1]", "[]");
    EXPECT("$.user[0]", "[]"); /* index on an object: nothing */
}

Test(jsonpath, wildcards) {
    EXPECT("$.user.tags[*]", "[\"a\",\"b\",\"c\"]");
    EXPECT("$.user.tags.*", "[\"a\",\"b\",\"c\"]");
    EXPECT("$.list[*].id", "[1,2]");
    EXPECT("$.empty[*]", "[]");
    EXPECT("$.user[*]", "[\"al\",[\"a\",\"b\",\"c\"]]"); /* member values of an object */
    EXPECT("$.n[*]", "[]");
    EXPECT("$.list[*]['id']", "[1,2]");
}

static void expect_bad(const char *expr, size_t off, const char *msg) {
    err_t e;
    size_t o = 999;
    cr_assert_null(jp_compile(expr, &o, &e), "%s compiled", expr);
    cr_assert_eq(o, off, "%s: offset %zu", expr, o);
    cr_assert(strstr(e.msg, msg), "%s: %s", expr, e.msg);
}

Test(jsonpath, compile_errors) {
    expect_bad("user.name", 0, "starts with '$'");
    expect_bad("$.", 2, "a name is expected");
    expect_bad("$..name", 1, "'..' is not supported");
    expect_bad("$[1", 3, "expected ']'");
    expect_bad("$['a", 2, "unterminated quoted name");
    expect_bad("$[?(@.a)]", 2, "filters are not supported");
    expect_bad("$[0,1]", 3, "unions and slices are not supported");
    expect_bad("$[1:2]", 3, "unions and slices are not supported");
    expect_bad("$[01]", 2, "leading zero");
    expect_bad("$[-0]", 2, "-0 is not an index");
    expect_bad("$['\\x']", 3, "invalid escape");
    expect_bad("$ .a", 1, "expected '.' or '['");
    expect_bad("$[abc]", 2, "expected a quoted name");
    err_t e;
    jp_compile("$.a b", NULL, &e);
    cr_assert_str_eq(e.msg, "invalid JSONPath \"$.a b\" at character 4: expected '.' or '['");
}

Test(jsonpath, text_and_singular) {
    err_t e;
    jp_path_t *p = jp_compile("$.a[0]['b']", NULL, &e);
    cr_assert_str_eq(jp_text(p), "$.a[0]['b']");
    cr_assert(jp_is_singular(p));
    jp_free(p);
    p = jp_compile("$.a[*]", NULL, &e);
    cr_assert_not(jp_is_singular(p));
    jp_free(p);
}
