/* test_json_writer.c: targets/quill/src/json_writer.c — nesting and commas, escapes (control
 * characters, quotes, backslash; UTF-8 untouched), numbers, misuse detection, and a round trip
 * through cJSON. */
#include "quill.h"
#include "quill_json.h"

#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

static quill_arena *a;
static void setup(void) {
    a = quill_arena_new(1024);
}
static void teardown(void) {
    quill_arena_free(a);
}
TestSuite(jw, .init = setup, .fini = teardown);

Test(jw, nested_document) {
    quill_jw w;
    quill_jw_init(&w, a);
    quill_jw_obj(&w);
    quill_jw_key(&w, "a");
    quill_jw_int(&w, -42);
    quill_jw_key(&w, "list");
    quill_jw_arr(&w);
    quill_jw_str(&w, "x");
    quill_jw_bool(&w, true);
    quill_jw_null(&w);
    quill_jw_obj(&w);
    quill_jw_end(&w);
    quill_jw_arr(&w);
    quill_jw_end(&w);
    quill_jw_end(&w);
    quill_jw_key(&w, "d");
    quill_jw_double(&w, 1.5);
    quill_jw_key(&w, "nan");
    quill_jw_double(&w, NAN);
    quill_jw_key(&w, "nil");
    quill_jw_str(&w, NULL);
    quill_jw_end(&w);
    size_t len;
    const char *out = quill_jw_finish(&w, &len);
    cr_assert_str_eq(
        out, "{\"a\":-42,\"list\":[\"x\",true,null,{},[]],\"d\":1.5,\"nan\":null,\"nil\":null}");
    cr_assert_eq(len, strlen(out));
}

Test(jw, escapes) {
    quill_jw w;
    quill_jw_init(&w, a);
    const char s[] = "q\" b\\ / \n\r\t\b\f \x01\x1f\x7f é 日本 </script>";
    quill_jw_strn(&w, s, sizeof(s) - 1);
    const char *out = quill_jw_finish(&w, NULL);
    cr_assert_str_eq(out, "\"q\\\" b\\\\ / \\n\\r\\t\\b\\f \\u0001\\u001f\x7f é 日本 </script>\"");
}

Test(jw, embedded_nul_is_escaped) {
    quill_jw w;
    quill_jw_init(&w, a);
    quill_jw_strn(&w, "a\0b", 3);
    cr_assert_str_eq(quill_jw_finish(&w, NULL), "\"a\\u0000b\"");
}

Test(jw, round_trip_through_cjson) {
    /* every byte value 1..255 except invalid UTF-8 lead bytes: use all ASCII plus UTF-8 text */
    char s[200];
    size_t n = 0;
    for (int c = 1; c < 128; c++) s[n++] = (char)c;
    const char *u = "ßü日本語🎉";
    memcpy(s + n, u, strlen(u));
    n += strlen(u);
    s[n] = '\0';
    quill_jw w;
    quill_jw_init(&w, a);
    quill_jw_obj(&w);
    quill_jw_key(&w, s);
    quill_jw_str(&w, s);
    quill_jw_key(&w, "big");
    quill_jw_int(&w, INT64_C(9007199254740991));
    quill_jw_end(&w);
    const char *out = quill_jw_finish(&w, NULL);
    cJSON *j = cJSON_Parse(out);
    cr_assert_not_null(j, "cJSON rejects our output: %s", out);
    cJSON *v = cJSON_GetObjectItemCaseSensitive(j, s);
    cr_assert(cJSON_IsString(v));
    cr_assert_str_eq(v->valuestring, s);
    cr_assert_eq(cJSON_GetObjectItemCaseSensitive(j, "big")->valuedouble, 9007199254740991.0);
    cJSON_Delete(j);
}

Test(jw, cjson_and_raw_values) {
    cJSON *item = cJSON_Parse("{\"k\":[1,2]}");
    quill_jw w;
    quill_jw_init(&w, a);
    quill_jw_arr(&w);
    quill_jw_cjson(&w, item);
    quill_jw_raw(&w, "3", 1);
    quill_jw_end(&w);
    cr_assert_str_eq(quill_jw_finish(&w, NULL), "[{\"k\":[1,2]},3]");
    cJSON_Delete(item);
}

Test(jw, misuse_is_detected) {
    quill_jw w;
    quill_jw_init(&w, a);
    quill_jw_obj(&w);
    quill_jw_str(&w, "value without key");
    cr_assert(w.failed);
    cr_assert_null(quill_jw_finish(&w, NULL));

    quill_jw_init(&w, a);
    quill_jw_arr(&w);
    cr_assert_null(quill_jw_finish(&w, NULL), "unbalanced");

    quill_jw_init(&w, a);
    quill_jw_end(&w);
    cr_assert(w.failed, "end without begin");

    quill_jw_init(&w, a);
    quill_jw_int(&w, 1);
    quill_jw_int(&w, 2);
    cr_assert(w.failed, "two top-level values");

    quill_jw_init(&w, a);
    for (int i = 0; i < QUILL_JW_MAX_DEPTH + 1; i++) quill_jw_arr(&w);
    cr_assert(w.failed, "too deep");

    quill_jw_init(&w, a);
    cr_assert_null(quill_jw_finish(&w, NULL), "empty");
}
