/* Tests for harness/report/report_diff.c: the differences section from a recorded diff.json. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report/report_diff.h"

static const char *doc =
    "{\"kind\":\"parity-diff\",\"schema\":1,\"run\":\"r1\",\"rules\":\"specs/diff/rules.json\","
    "\"targets\":[\"quill\",\"flask\",\"express\"],\"normalised\":[\"x\"],"
    "\"categories\":{\"suite\":{\"requests\":10,\"divergences\":1},"
    "\"method\":{\"requests\":7,\"divergences\":0}},"
    "\"divergences\":[{\"category\":\"suite\",\"endpoint\":\"GET /api/tags\",\"request\":\"tags "
    "<b>\","
    "\"file\":\"specs/blog/tags.json\",\"line\":9,\"majority\":{\"targets\":[\"quill\",\"flask\"],"
    "\"answer\":\"200\"},\"odd\":[{\"targets\":[\"express\"],\"answer\":\"404\","
    "\"difference\":\"line 1: 404  (majority: 200)\"}]}]}";

static char *render(model_t *m, bool html) {
    char *out = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&out, &n);
    if (html)
        report_diff_html(f, m);
    else
        report_diff_md(f, m);
    fclose(f);
    return out;
}

Test(report_diff, section_from_diff_json) {
    model_t *m = calloc(1, sizeof *m);
    char dir[] = "/tmp/parity-rdiff-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    snprintf(m->dir, sizeof m->dir, "%s", dir);
    cr_assert(!report_diff_present(m), "no diff.json yet");
    char *empty = render(m, true);
    cr_assert_str_eq(empty, "", "nothing is written without diff.json");
    free(empty);
    char path[256];
    snprintf(path, sizeof path, "%s/diff.json", dir);
    FILE *f = fopen(path, "w");
    fputs(doc, f);
    fclose(f);
    cr_assert(report_diff_present(m));
    char *html = render(m, true);
    cr_assert(strstr(html, "<section id=\"differences\">"), "%s", html);
    cr_assert(strstr(html, "<h3><code>GET /api/tags</code></h3>"), "%s", html);
    cr_assert(strstr(html, "tags &lt;b&gt;"), "escaped: %s", html);
    cr_assert(strstr(html, "majority (quill, flask)"), "%s", html);
    cr_assert(strstr(html, "express: <code>line 1: 404  (majority: 200)</code>"), "%s", html);
    cr_assert(strstr(html, "<td>method</td><td>7</td><td>0</td>"), "%s", html);
    char *md = render(m, false);
    cr_assert(strstr(md, "## Differences between targets"), "%s", md);
    cr_assert(strstr(md, "| suite | 10 | 1 |"), "%s", md);
    cr_assert(strstr(md, "- `GET /api/tags` [suite] tags <b>: majority (quill, flask); express: "
                         "`line 1: 404  (majority: 200)`"),
              "%s", md);
    free(html);
    free(md);
    unlink(path);
    rmdir(dir);
    free(m);
}
