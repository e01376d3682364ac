/* Input rules: JSON bodies and wrappers (ruling 2), blank and type checks (ruling 3), list
 * parameters (ruling 9). */
#include <criterion/criterion.h>
#include <string.h>

#include "fields.h"

static int parse(const char *body, const char *wrapper) {
    cJSON *root, *obj;
    int rc = body_parse(body, strlen(body), wrapper, &root, &obj);
    if (rc == 0) cr_expect(cJSON_IsObject(obj));
    cJSON_Delete(root);
    return rc;
}

Test(fields, body_needs_an_object_wrapper) {
    cr_expect_eq(parse("{\"user\":{}}", "user"), 0);
    cr_expect_eq(parse(" {\"user\": {\"a\": 1}} \n", "user"), 0);
    cr_expect_eq(parse("", "user"), -1);
    cr_expect_eq(parse("not json", "user"), -1);
    cr_expect_eq(parse("[]", "user"), -1);
    cr_expect_eq(parse("null", "user"), -1);
    cr_expect_eq(parse("{\"user\":5}", "user"), -1);
    cr_expect_eq(parse("{\"user\":null}", "user"), -1);
    cr_expect_eq(parse("{\"User\":{}}", "user"), -1);
    cr_expect_eq(parse("{\"article\":{}}", "user"), -1);
    cr_expect_eq(parse("{\"user\":{}} x", "user"), -1);
    cr_expect_eq(parse("{\"user\":{}", "user"), -1);
}

Test(fields, body_must_be_utf8_without_raw_controls) {
    cr_expect_eq(parse("{\"user\":{\"bio\":\"caf\xc3\xa9\"}}", "user"), 0);
    cr_expect_eq(parse("{\"user\":{\"bio\":\"\xff\"}}", "user"), -1);
    cr_expect_eq(parse("{\"user\":{\"bio\":\"\xc3\"}}", "user"), -1);
    cr_expect_eq(parse("{\"user\":{\"bio\":\"\xed\xa0\x80\"}}", "user"), -1); /* surrogate */
    cr_expect_eq(parse("{\"user\":{\"bio\":\"a\tb\"}}", "user"), -1);
    cr_expect_eq(parse("{\"user\":{\"bio\":\"a\\tb \\\" \\\\\"}}", "user"), 0);
    cr_expect_eq(parse("{\"user\":{\"bio\":\"a\\u0000b\"}}", "user"), -1); /* would truncate */
    cr_expect_eq(parse("{\"user\":{\"bio\":\"a\\u0001\\\\u0000\"}}", "user"),
                 0); /* "\\u0000" text */
    char nul[] = "{\"user\":{}}";
    cJSON *root, *obj;
    cr_expect_eq(body_parse(nul, sizeof nul, "user", &root, &obj), -1); /* trailing NUL byte */
}

Test(fields, body_numbers_follow_rfc8259) {
    cr_expect_eq(parse("{\"user\":{\"a\":[0,-0,1,-12,1.5,-0.25,1e5,1E+2,2e-3,10]}}", "user"), 0);
    cr_expect_eq(parse("{\"user\":{\"a\":\"01 1. -\"}}", "user"), 0); /* text, not numbers */
    cr_expect_eq(parse("{\"user\":{\"a\":01}}", "user"), -1);
    cr_expect_eq(parse("{\"user\":{\"a\":-01}}", "user"), -1);
    cr_expect_eq(parse("{\"user\":{\"a\":1.}}", "user"), -1);
    cr_expect_eq(parse("{\"user\":{\"a\":1e}}", "user"), -1);
    cr_expect_eq(parse("{\"user\":{\"a\":1.5.2}}", "user"), -1);
    cr_expect_eq(parse("{\"user\":{\"a\":-}}", "user"), -1);
    cr_expect_eq(parse("{\"user\":{\"a\":1e+}}", "user"), -1);
}

Test(fields, body_without_byte_order_mark) {
    cr_expect_eq(parse("\xef\xbb\xbf{\"user\":{}}", "user"), -1);
    cr_expect_eq(parse("{\"user\":{\"bio\":\"\xef\xbb\xbf\"}}", "user"), 0); /* U+FEFF inside */
}

Test(fields, repeated_keys_count_by_the_last) {
    cJSON *root, *obj;
    const char *b = "{\"user\":5,\"user\":{\"bio\":\"a\",\"bio\":\"b\"}}";
    cr_assert_eq(body_parse(b, strlen(b), "user", &root, &obj), 0);
    const char *v;
    cr_expect_eq(field_get(obj, "bio", &v), FIELD_STRING);
    cr_expect_str_eq(v, "b");
    cJSON_Delete(root);
    cr_expect_eq(parse("{\"user\":{},\"user\":5}", "user"), -1);
    cr_expect_null(json_member(NULL, "a"));
}

Test(fields, blank_is_empty_or_whitespace) {
    cr_expect(text_is_blank("", 0));
    cr_expect(text_is_blank(" \t\r\n", 4));
    cr_expect(text_is_blank("\xc2\xa0\xe3\x80\x80", 5)); /* NBSP, ideographic space */
    cr_expect(!text_is_blank(" a ", 3));
    cr_expect(!text_is_blank("\xc3\xa9", 2));
}

Test(fields, required_reports_blank_and_invalid) {
    cJSON *root, *obj;
    const char *b =
        "{\"a\":{\"ok\":\"x\",\"sp\":\"  \",\"nul\":null,\"num\":5,\"list\":[],\"t\":true}}";
    cr_assert_eq(body_parse(b, strlen(b), "a", &root, &obj), 0);
    struct errors e = {0};
    cr_expect_str_eq(field_required(obj, "ok", &e), "x");
    cr_expect_null(field_required(obj, "sp", &e));
    cr_expect_null(field_required(obj, "nul", &e));
    cr_expect_null(field_required(obj, "missing", &e));
    cr_expect_null(field_required(obj, "num", &e));
    cr_expect_null(field_required(obj, "list", &e));
    cr_expect_null(field_required(obj, "t", &e));
    cr_assert_eq(e.n, 6);
    const char *want[] = {MSG_BLANK, MSG_BLANK, MSG_BLANK, MSG_INVALID, MSG_INVALID, MSG_INVALID};
    for (int i = 0; i < 6; i++) cr_expect_str_eq(e.msg[i], want[i], "error %d", i);
    cr_expect_str_eq(e.key[0], "sp");
    cJSON_Delete(root);
}

Test(fields, codepoints_count_utf8_characters) {
    cr_expect_eq(utf8_codepoints("abc", 3), 3);
    cr_expect_eq(utf8_codepoints("\xe3\x83\x95\xc3\xa9x", 6), 3);
}

Test(fields, list_params_are_digits_in_range) {
    int64_t v = -1;
    cr_expect_eq(param_parse_range("20", 2, 1, 100, &v), 0);
    cr_expect_eq(v, 20);
    cr_expect_eq(param_parse_range("007", 3, 1, 100, &v), 0);
    cr_expect_eq(v, 7);
    cr_expect_eq(param_parse_range("100", 3, 1, 100, &v), 0);
    cr_expect_eq(param_parse_range("101", 3, 1, 100, &v), -1);
    cr_expect_eq(param_parse_range("0", 1, 1, 100, &v), -1);
    cr_expect_eq(param_parse_range("", 0, 0, INT64_MAX, &v), -1);
    cr_expect_eq(param_parse_range("-1", 2, 0, INT64_MAX, &v), -1);
    cr_expect_eq(param_parse_range("+1", 2, 0, INT64_MAX, &v), -1);
    cr_expect_eq(param_parse_range("1.0", 3, 0, INT64_MAX, &v), -1);
    cr_expect_eq(param_parse_range(" 1", 2, 0, INT64_MAX, &v), -1);
    cr_expect_eq(param_parse_range("999999999999999999", 18, 0, INT64_MAX, &v), 0);
    cr_expect_eq(v, 999999999999999999LL);
    cr_expect_eq(param_parse_range("0000000000000000001", 19, 0, INT64_MAX, &v), -1);
}
