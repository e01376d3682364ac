/* Tests for harness/jsonloc.c: strict parsing, positions, number text, printing. */
#include <criterion/criterion.h>
#include <string.h>

#include "core/jsonloc.h"

static cJSON *parse(const char *s, jl_map_t **map, err_t *e) {
    return jl_parse(s, strlen(s), "f.json", JL_NO_DUP_KEYS, map, e);
}

static void expect_error(const char *text, const char *msg) {
    err_t e;
    cJSON *j = parse(text, NULL, &e);
    cr_assert_null(j, "parsed: %s", text);
    cr_assert_str_eq(e.msg, msg);
}

Test(jsonloc, builds_cjson_tree) {
    err_t e;
    cJSON *j =
        parse("{\"a\": [1, 2.5, \"x\", true, false, null, {}], \"b\": \"\\u00e9\\n\"}", NULL, &e);
    cr_assert_not_null(j, "%s", e.msg);
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(j, "a");
    cr_assert_eq(cJSON_GetArraySize(a), 7);
    cr_assert_eq(cJSON_GetArrayItem(a, 1)->valuedouble, 2.5);
    cr_assert_str_eq(cJSON_GetArrayItem(a, 2)->valuestring, "x");
    cr_assert(cJSON_IsTrue(cJSON_GetArrayItem(a, 3)));
    cr_assert(cJSON_IsNull(cJSON_GetArrayItem(a, 5)));
    cr_assert(cJSON_IsObject(cJSON_GetArrayItem(a, 6)));
    cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(j, "b")->valuestring, "é\n");
    /* The tail invariant cJSON relies on when appending. */
    cr_assert_eq(a->child->prev, cJSON_GetArrayItem(a, 6));
    cJSON_AddItemToArray((cJSON *)a, cJSON_CreateNull());
    cr_assert_eq(cJSON_GetArraySize(a), 8);
    cJSON_Delete(j);
}

Test(jsonloc, positions_of_values_and_keys_in_characters) {
    err_t e;
    jl_map_t *m;
    /* line 2 starts with a tab; line 3 has two 2-byte characters before the key */
    const char *t = "{\n\t\"k\": 1,\n  \"éé\": [true,\n    \"v\"]}";
    cJSON *j = parse(t, &m, &e);
    cr_assert_not_null(j, "%s", e.msg);
    const cJSON *k = cJSON_GetObjectItemCaseSensitive(j, "k");
    jl_loc_t l = jl_map_key(m, k);
    cr_assert_eq(l.line, 2);
    cr_assert_eq(l.col, 2);
    l = jl_map_value(m, k);
    cr_assert_eq(l.line, 2);
    cr_assert_eq(l.col, 7);
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(j, "éé");
    l = jl_map_key(m, arr);
    cr_assert_eq(l.line, 3);
    cr_assert_eq(l.col, 3);
    l = jl_map_value(m, arr);
    cr_assert_eq(l.col, 9); /* "éé" is 4 characters: 3 + 4 + ": " */
    l = jl_map_value(m, cJSON_GetArrayItem(arr, 1));
    cr_assert_eq(l.line, 4);
    cr_assert_eq(l.col, 5);
    l = jl_map_value(m, j);
    cr_assert_eq(l.line, 1);
    cr_assert_eq(l.col, 1);
    /* array elements have no key: jl_map_key falls back to the value */
    l = jl_map_key(m, cJSON_GetArrayItem(arr, 0));
    cr_assert_eq(l.line, 3);
    cr_assert_eq(l.col, 10);
    jl_map_free(m);
    cJSON_Delete(j);
}

Test(jsonloc, syntax_errors_point_at_line_and_column) {
    expect_error("{\n  \"a\": 1,\n  \"b\" 2\n}", "f.json:3:7: expected ':' after object key");
    expect_error("{\"a\": [1, 2,]}", "f.json:1:13: trailing comma in list");
    expect_error("{\"a\": 1,}", "f.json:1:9: trailing comma in object");
    expect_error("[01]", "f.json:1:2: invalid number (leading zero)");
    expect_error("[1.]", "f.json:1:2: invalid number (digit expected after '.')");
    expect_error("[1e]", "f.json:1:2: invalid number (digit expected in exponent)");
    expect_error("[tru]", "f.json:1:2: unexpected character (a JSON value is expected)");
    expect_error("{\"a\": \"x\ny\"}", "f.json:1:9: control character in string (escape it)");
    expect_error("[\"\\x\"]", "f.json:1:3: invalid escape in string");
    expect_error("[\"\\ud800\"]", "f.json:1:3: lone surrogate in \\u escape");
    expect_error("[\"\\u0000\"]", "f.json:1:3: \\u0000 is not supported in strings");
    expect_error("{\"é\": \"\xff\"}", "f.json:1:8: invalid UTF-8 in string");
    expect_error("{\"a\": 1, \"a\": 2}", "f.json:1:10: duplicate key \"a\"");
    expect_error("[1] x", "f.json:1:5: unexpected data after the JSON value");
    expect_error("", "f.json:1:1: unexpected end of input (a value is expected)");
    expect_error("{\n\"a\": [1,\n2",
                 "f.json:3:2: unexpected end of input: the list opened at 2:6 is "
                 "not closed");
    expect_error("{\"a\": \"abc", "f.json:1:11: unexpected end of input: the string opened at 1:7 "
                                  "is not closed");
}

Test(jsonloc, duplicate_keys_allowed_without_flag) {
    err_t e;
    cJSON *j = jl_parse("{\"a\": 1, \"a\": 2}", 16, NULL, 0, NULL, &e);
    cr_assert_not_null(j);
    cr_assert_eq(cJSON_GetObjectItemCaseSensitive(j, "a")->valuedouble, 1); /* first wins */
    cJSON_Delete(j);
    cr_assert_null(jl_parse("[", 1, NULL, 0, NULL, &e));
    cr_assert_str_eq(e.msg, "1:2: unexpected end of input (a value is expected)");
}

Test(jsonloc, surrogate_pairs_combine) {
    err_t e;
    cJSON *j = parse("[\"\\ud83d\\ude00\"]", NULL, &e);
    cr_assert_not_null(j, "%s", e.msg);
    cr_assert_str_eq(j->child->valuestring, "😀");
    cJSON_Delete(j);
}

Test(jsonloc, number_text_survives_duplicate) {
    err_t e;
    cJSON *j = parse("[1, 1.0, 1e3, -0, 9007199254740993, 1.5]", NULL, &e);
    cr_assert_not_null(j);
    const char *texts[] = {"1", "1.0", "1e3", "-0", "9007199254740993", "1.5"};
    bool ints[] = {true, false, false, true, true, false};
    int i = 0;
    for (cJSON *c = j->child; c; c = c->next, i++) {
        cr_assert_str_eq(jl_number_text(c), texts[i]);
        cr_assert_eq(jl_is_integer(c), ints[i], "%s", texts[i]);
    }
    cJSON *copy = cJSON_Duplicate(j, 1);
    cr_assert_str_eq(jl_number_text(cJSON_GetArrayItem(copy, 4)), "9007199254740993");
    buf_t b;
    buf_init(&b, 0);
    cr_assert_eq(jl_print(copy, &b), 0);
    cr_assert_str_eq(buf_cstr(&b), "[1,1.0,1e3,-0,9007199254740993,1.5]");
    buf_free(&b);
    cJSON_Delete(copy);
    cJSON_Delete(j);
}

Test(jsonloc, numbers_without_text) {
    cJSON *n = cJSON_CreateNumber(3);
    cr_assert_null(jl_number_text(n));
    cr_assert(jl_is_integer(n));
    n->valuedouble = 2.5;
    cr_assert_not(jl_is_integer(n));
    cJSON_Delete(n);
    cJSON *i = jl_create_integer(-12);
    cr_assert_str_eq(jl_number_text(i), "-12");
    cr_assert(jl_is_integer(i));
    cJSON_Delete(i);
    cr_assert_not(jl_is_integer(NULL));
}

Test(jsonloc, print_escapes_and_spacing) {
    err_t e;
    cJSON *j = parse("{\"a\":[\"q\\\"\\\\\\u0001é\",{}],\"b\":null}", NULL, &e);
    cr_assert_not_null(j);
    buf_t b;
    buf_init(&b, 0);
    jl_print(j, &b);
    cr_assert_str_eq(buf_cstr(&b), "{\"a\":[\"q\\\"\\\\\\u0001é\",{}],\"b\":null}");
    buf_reset(&b);
    jl_print_spaced(j, &b);
    cr_assert_str_eq(buf_cstr(&b), "{\"a\": [\"q\\\"\\\\\\u0001é\", {}], \"b\": null}");
    buf_free(&b);
    cJSON_Delete(j);
}

Test(jsonloc, nesting_limit) {
    char deep[JL_MAX_DEPTH + 2];
    memset(deep, '[', sizeof(deep) - 1);
    deep[sizeof(deep) - 1] = '\0';
    err_t e;
    cr_assert_null(parse(deep, NULL, &e));
    cr_assert_str_eq(e.msg, "f.json:1:129: nesting too deep");
}

Test(jsonloc, big_input_one_mib) {
    /* A 1 MiB suite-like document on many lines: parsed with positions, last line exact. */
    buf_t b;
    buf_init(&b, 0);
    buf_adds(&b, "[\n");
    int n = 0;
    while (b.len < (1u << 20)) {
        buf_printf(&b, "%s{\"name\": \"step %d é\", \"v\": %d}\n", n ? "," : "", n, n);
        n++;
    }
    buf_adds(&b, "]");
    err_t e;
    jl_map_t *m;
    cJSON *j = jl_parse(b.ptr, b.len, "big.json", JL_NO_DUP_KEYS, &m, &e);
    cr_assert_not_null(j, "%s", e.msg);
    cr_assert_eq(cJSON_GetArraySize(j), n);
    const cJSON *last = cJSON_GetArrayItem(j, n - 1);
    jl_loc_t l = jl_map_value(m, cJSON_GetObjectItemCaseSensitive(last, "v"));
    cr_assert_eq(l.line, (unsigned)n + 1);
    jl_map_free(m);
    cJSON_Delete(j);
    buf_free(&b);
}

Test(jsonloc, bom_is_skipped) {
    err_t e;
    jl_map_t *m;
    cJSON *j = parse("\xEF\xBB\xBF{\"a\": 1}", &m, &e);
    cr_assert_not_null(j, "%s", e.msg);
    cr_assert_eq(jl_map_key(m, j->child).col, 2);
    jl_map_free(m);
    cJSON_Delete(j);
}

/* Random documents: jl_parse must build the same tree as cJSON_Parse (which accepts a superset),
 * and random byte mutations must never crash (run under ASan in the sanitizer build). */
static unsigned rnd_state = 12345;
static unsigned rnd(void) {
    rnd_state = rnd_state * 1103515245u + 12345u;
    return (rnd_state >> 16) & 0x7fff;
}

static void gen(buf_t *b, int depth) {
    static const char *const strs[] = {"\"\"", "\"a\"", "\"é\\n\\\"\\u00e9\"", "\"😀 x\"",
                                       "\"\\/\""};
    static const char *const nums[] = {"0", "-1", "1.5", "1e3", "-0.25E-2", "123456789012"};
    switch (depth > 4 ? rnd() % 4 : rnd() % 6) {
    case 0: buf_adds(b, strs[rnd() % 5]); break;
    case 1: buf_adds(b, nums[rnd() % 6]); break;
    case 2: buf_adds(b, rnd() % 2 ? "true" : "null"); break;
    case 3: buf_adds(b, "false"); break;
    case 4:
        buf_adds(b, "[ ");
        for (unsigned i = 0, n = rnd() % 4; i < n; i++) {
            if (i) buf_adds(b, ",\n");
            gen(b, depth + 1);
        }
        buf_adds(b, "]");
        break;
    default:
        buf_adds(b, "{");
        for (unsigned i = 0, n = rnd() % 4; i < n; i++) {
            buf_printf(b, "%s\"k%u\" :\t", i ? ", " : "", i);
            gen(b, depth + 1);
        }
        buf_adds(b, "}");
    }
}

Test(jsonloc, same_tree_as_cjson_and_no_crash_on_mutations) {
    buf_t b;
    buf_init(&b, 0);
    for (int round = 0; round < 300; round++) {
        buf_reset(&b);
        gen(&b, 0);
        err_t e;
        jl_map_t *m;
        cJSON *mine = jl_parse(b.ptr, b.len, NULL, JL_NO_DUP_KEYS, &m, &e);
        cJSON *theirs = cJSON_Parse(b.ptr);
        cr_assert_not_null(mine, "%s: %s", b.ptr, e.msg);
        cr_assert_not_null(theirs);
        cr_assert(cJSON_Compare(mine, theirs, 1), "%s", b.ptr);
        jl_map_free(m);
        cJSON_Delete(mine);
        cJSON_Delete(theirs);
        for (int k = 0; k < 20 && b.len; k++) {
            buf_t c;
            buf_init(&c, 0);
            buf_add(&c, b.ptr, b.len);
            c.ptr[rnd() % c.len] = (char)(rnd() & 0xff);
            cJSON *x = jl_parse(c.ptr, c.len - (rnd() % 2), "m.json", 0, &m, &e);
            if (x)
                jl_map_free(m);
            else
                cr_assert(str_starts_with(e.msg, "m.json:"), "%s", e.msg);
            cJSON_Delete(x);
            buf_free(&c);
        }
    }
    buf_free(&b);
}
