/* test_template.c: targets/quill/src/template.c — values, auto-escaping of & < > " ', `| safe`,
 * loops (with loop.index/first/last and else), ifs, dotted paths, and compile errors with lines. */
#include "quill.h"
#include "quill_template.h"

#include <criterion/criterion.h>
#include <string.h>

static quill_arena *a;
static void setup(void) {
    a = quill_arena_new(1024);
}
static void teardown(void) {
    quill_arena_free(a);
}
TestSuite(tpl, .init = setup, .fini = teardown);

static const char *render(const char *src, const char *ctx_json) {
    char err[128];
    quill_tpl *t = quill_tpl_compile(src, err, sizeof(err));
    cr_assert_not_null(t, "compile failed: %s", err);
    cJSON *ctx = cJSON_Parse(ctx_json);
    cr_assert_not_null(ctx);
    quill_buf b;
    quill_buf_init(&b, a);
    cr_assert_eq(quill_tpl_render(t, ctx, &b), 0);
    cJSON_Delete(ctx);
    quill_tpl_free(t);
    return b.ptr;
}

Test(tpl, escapes_all_five) {
    cr_assert_str_eq(render("<p>{{ x }}</p>", "{\"x\":\"<a href=\\\"x\\\">'&'</a>\"}"),
                     "<p>&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;</p>");
    cr_assert_str_eq(render("{{ x | safe }}{{x|safe}}", "{\"x\":\"<b>\"}"), "<b><b>");
}

Test(tpl, utf8_passes_through) {
    cr_assert_str_eq(render("{{ t }}", "{\"t\":\"フレームワークのベンチマーク\"}"),
                     "フレームワークのベンチマーク");
}

Test(tpl, values_of_every_type) {
    cr_assert_str_eq(render("{{a}}|{{b}}|{{c}}|{{d}}|{{e}}|{{missing}}|{{f}}",
                            "{\"a\":42,\"b\":1.5,\"c\":true,\"d\":null,\"e\":[1,\"<\"],\"f\":-3}"),
                     "42|1.5|true||[1,&quot;&lt;&quot;]||-3");
}

Test(tpl, loops_with_loop_vars_and_else) {
    const char *src =
        "{% for r in rows %}{{ loop.index }}:{{ r.name }}{% if loop.last %}.{% else %},"
        "{% endif %}{% else %}none{% endfor %}";
    cr_assert_str_eq(
        render(src, "{\"rows\":[{\"name\":\"a\"},{\"name\":\"<b>\"},{\"name\":\"c\"}]}"),
        "1:a,2:&lt;b&gt;,3:c.");
    cr_assert_str_eq(render(src, "{\"rows\":[]}"), "none");
    cr_assert_str_eq(render(src, "{}"), "none");
}

Test(tpl, nested_loops_and_paths) {
    const char *src =
        "{% for a in xs %}[{% for b in a.ys %}{{ a.n }}{{ b }}{% endfor %}]{% endfor %}"
        "{{ xs.1.n }}";
    cr_assert_str_eq(render(src, "{\"xs\":[{\"n\":\"p\",\"ys\":[1,2]},{\"n\":\"q\",\"ys\":[3]}]}"),
                     "[p1p2][q3]q");
}

Test(tpl, if_not_and_truthiness) {
    const char *src = "{% if x %}T{% else %}F{% endif %}{% if not x %}n{% endif %}";
    cr_assert_str_eq(render(src, "{\"x\":\"\"}"), "Fn");
    cr_assert_str_eq(render(src, "{\"x\":0}"), "Fn");
    cr_assert_str_eq(render(src, "{\"x\":[]}"), "Fn");
    cr_assert_str_eq(render(src, "{\"x\":[0]}"), "T");
    cr_assert_str_eq(render(src, "{\"x\":\"0\"}"), "T");
}

Test(tpl, comments_and_lone_braces) {
    cr_assert_str_eq(render("a{# hidden {{ x }} #}b { c } {x}", "{\"x\":1}"), "ab { c } {x}");
}

static void compile_fails(const char *src, const char *want) {
    char err[128];
    quill_tpl *t = quill_tpl_compile(src, err, sizeof(err));
    cr_assert_null(t, "compiled: %s", src);
    cr_assert(strstr(err, want), "error \"%s\" lacks \"%s\"", err, want);
}

Test(tpl, compile_errors_name_the_line) {
    compile_fails("a\nb\n{{ x", "line 3: unclosed tag");
    compile_fails("{% for x in xs %}", "without {% endfor %}");
    compile_fails("{% if x %}{% endfor %}", "line 1");
    compile_fails("\n{% while x %}", "line 2: unknown");
    compile_fails("{{ a b }}", "one expression");
    compile_fails("{{ a..b }}", "empty component");
    compile_fails("{{ a-b }}", "dotted path");
    compile_fails("{% endif %}", "unknown or unexpected");
}
