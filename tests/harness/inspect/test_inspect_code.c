/* inspect_code: line counts of tests/fixtures/inspect/code (known by construction: see the
 * comment at the top of its app.py) by kind and language, with node_modules, bench/, minified
 * files and Markdown left out; a code.list choosing and excluding paths; the kinds of paths; the
 * parity-ruling marker convention on texts. Needs cloc (scripts/packages.txt). */
#include <criterion/criterion.h>
#include <string.h>

#include "inspect/inspect.h"

#define FX TESTS_DIR "/fixtures/inspect"

static double num_at(const cJSON *o, const char *a, const char *b, const char *c) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, a);
    if (b) v = cJSON_GetObjectItemCaseSensitive(v, b);
    if (c) v = cJSON_GetObjectItemCaseSensitive(v, c);
    cr_assert(cJSON_IsNumber(v), "no number at %s.%s.%s", a, b ? b : "", c ? c : "");
    return v->valuedouble;
}

Test(inspect_code, fixture_directory_counts) {
    err_t err = {{0}};
    cJSON *code = inspect_code(FX "/code", &err);
    cr_assert_not_null(code);
    cr_assert(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(code, "error")), "%s", err.msg);
    /* app.py 7, templates/page.html 2, config.json 3, tests/test_app.py 2; not node_modules/,
     * bench/, static/lib.min.js, README.md */
    cr_assert_eq(num_at(code, "files", NULL, NULL), 4);
    cr_assert_eq(num_at(code, "code", NULL, NULL), 14);
    cr_assert_eq(num_at(code, "app_code", NULL, NULL), 9);
    cr_assert_eq(num_at(code, "by_kind", "logic", "code"), 7);
    cr_assert_eq(num_at(code, "by_kind", "logic", "comment"), 5);
    cr_assert_eq(num_at(code, "by_kind", "logic", "blank"), 6);
    cr_assert_eq(num_at(code, "by_kind", "templates", "code"), 2);
    cr_assert_eq(num_at(code, "by_kind", "config", "code"), 3);
    cr_assert_eq(num_at(code, "by_kind", "tests", "code"), 2);
    cr_assert_eq(num_at(code, "by_language", "Python", "files"), 2);
    cr_assert_eq(num_at(code, "by_language", "Python", "code"), 9);
    cr_assert_eq(num_at(code, "by_language", "JSON", "code"), 3);
    cr_assert_eq(num_at(code, "by_language", "HTML", "code"), 2);
    cr_assert_null(cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(code, "by_language"), "JavaScript"));
    /* markers: the trailing one (ruling 12, 1 line) and the block (ruling 3, 2 lines) */
    cr_assert_eq(num_at(code, "ruling", "lines", NULL), 3);
    cr_assert_eq(num_at(code, "ruling", "markers", NULL), 2);
    cr_assert_float_eq(num_at(code, "ruling", "share", NULL), 3.0 / 9.0, 1e-9);
    cr_assert_eq(num_at(code, "ruling", "by_ruling", "12"), 1);
    cr_assert_eq(num_at(code, "ruling", "by_ruling", "3"), 2);
    cJSON_Delete(code);
}

Test(inspect_code, code_list_picks_and_excludes) {
    err_t err = {{0}};
    cJSON *code = inspect_code(FX "/listed", &err);
    cr_assert(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(code, "error")), "%s", err.msg);
    const cJSON *paths = cJSON_GetObjectItemCaseSensitive(code, "paths");
    cr_assert_eq(cJSON_GetArraySize(paths), 1);
    cr_assert_str_eq(cJSON_GetArrayItem(paths, 0)->valuestring, "src");
    /* src/main.c only: not src/skipme/b.c (-skipme), src/dropme.c (-dropme.c) or other/c.c */
    cr_assert_eq(num_at(code, "files", NULL, NULL), 1);
    cr_assert_eq(num_at(code, "by_language", "C", "code"), 3);
    cJSON_Delete(code);
}

Test(inspect_code, missing_directory_is_an_error_not_a_crash) {
    err_t err = {{0}};
    cJSON *code = inspect_code(FX "/no-such-dir", &err);
    cr_assert_not_null(code);
    cr_assert(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(code, "error")));
    cJSON_Delete(code);
}

Test(inspect_code, kinds_by_path) {
    cr_assert_str_eq(inspect_kind("./conduit/articles.py", "Python"), "logic");
    cr_assert_str_eq(inspect_kind("./tests/test_app.py", "Python"), "tests");
    cr_assert_str_eq(inspect_kind("./app/test_x.py", "Python"), "tests");
    cr_assert_str_eq(inspect_kind("./src/app.test.js", "JavaScript"), "tests");
    cr_assert_str_eq(inspect_kind("./views/index.ejs", "EJS"), "templates");
    cr_assert_str_eq(inspect_kind("app/templates/index.html", "HTML"), "templates");
    cr_assert_str_eq(inspect_kind("./package.json", "JSON"), "config");
    cr_assert_str_eq(inspect_kind("./gunicorn.conf.py", "Python"), "config");
    cr_assert_str_eq(inspect_kind("./conduit/settings.py", "Python"), "config");
    cr_assert_str_eq(inspect_kind("app/CMakeLists.txt", "CMake"), "config");
    cr_assert_str_eq(inspect_kind("./contest/x.py", "Python"), "logic"); /* not a "test" dir */
}

static long marked(const char *text, long *blocks, cJSON *by) {
    return inspect_ruling_lines(text, strlen(text), by, blocks);
}

Test(inspect_code, ruling_markers) {
    long blocks;
    cJSON *by = cJSON_CreateObject();
    /* a trailing marker marks its own line */
    cr_assert_eq(marked("x = 1\ny = 2  # parity-ruling: 9\n", &blocks, by), 1);
    cr_assert_eq(blocks, 1);
    /* a marker on its own line marks the next code line, skipping blanks and comments */
    cr_assert_eq(marked("// parity-ruling: 4 why\n\n// more\nint a;\nint b;\n", &blocks, by), 1);
    /* a block: its code lines, not its blanks, comments or markers */
    cr_assert_eq(marked("# parity-ruling: begin 7\na()\n\n# note\nb()\n# parity-ruling: end\nc()\n",
                        &blocks, by),
                 2);
    cr_assert_eq(blocks, 1);
    cr_assert_eq(cJSON_GetObjectItemCaseSensitive(by, "9")->valuedouble, 1);
    cr_assert_eq(cJSON_GetObjectItemCaseSensitive(by, "4")->valuedouble, 1);
    cr_assert_eq(cJSON_GetObjectItemCaseSensitive(by, "7")->valuedouble, 2);
    /* HTML comments; an unterminated block runs to the end of the file */
    cr_assert_eq(marked("<!-- parity-ruling: begin 13 -->\n<p>a</p>\n<p>b</p>\n", &blocks, NULL),
                 2);
    /* prose mentioning rulings is not a marker */
    cr_assert_eq(marked("# see ruling 12 in specs/README.md\nx = 1\n", &blocks, NULL), 0);
    cr_assert_eq(blocks, 0);
    cJSON_Delete(by);
}
