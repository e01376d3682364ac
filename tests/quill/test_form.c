/* test_form.c: targets/quill/src/form.c — the application/x-www-form-urlencoded parser and its
 * limits, the multi-dict accessors, validation helpers, redirects and URL helpers. */
#include "internal.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

static quill_arena *a;
static qp_header hdrs[32];
static qp_request p;
static quill_req req;
static char raw[4096];

/* A POST whose body is `body` with Content-Type `ct` (NULL: none). */
static void load(const char *ct, const char *body) {
    int n = ct ? snprintf(raw, sizeof raw,
                          "POST /f HTTP/1.1\r\nHost: h\r\nContent-Type: %s\r\n\r\n", ct)
               : snprintf(raw, sizeof raw, "POST /f HTTP/1.1\r\nHost: h\r\n\r\n");
    memset(&p, 0, sizeof(p));
    p.headers = hdrs;
    p.num_headers_cap = 32;
    qp_limits lim = {8192, 32768, 32};
    int st;
    cr_assert_gt(quill__parse_request(raw, (size_t)n, 0, &lim, &p, &st), 0);
    quill__req_init(&req, NULL, NULL, a, &p);
    req.body = body;
    req.body_len = strlen(body);
}

static int parse(const char *s, quill__form *f) {
    return quill__form_parse(a, s, strlen(s), f);
}

static void setup(void) {
    a = quill_arena_new(1024);
}
static void teardown(void) {
    quill_arena_free(a);
}
TestSuite(form, .init = setup, .fini = teardown);

Test(form, pairs_decoding_and_order) {
    quill__form f;
    cr_assert_eq(parse("title=Hello+World&body=a%26b%3Dc&&tags=x+y&empty=&flag&title=2nd", &f), 0);
    cr_assert_eq(f.n, 6, "empty pairs skipped");
    cr_assert_str_eq(f.names[0].ptr, "title");
    cr_assert_str_eq(f.values[0].ptr, "Hello World");
    cr_assert_str_eq(f.values[1].ptr, "a&b=c");
    cr_assert_str_eq(f.values[2].ptr, "x y");
    cr_assert_eq(f.values[3].len, 0);
    cr_assert_str_eq(f.names[4].ptr, "flag", "no '=': a name with an empty value");
    cr_assert_eq(f.values[4].len, 0);
    cr_assert_str_eq(f.values[5].ptr, "2nd");
    cr_assert_eq(parse("", &f), 0);
    cr_assert_eq(f.n, 0);
    cr_assert_eq(parse("&&&", &f), 0);
    cr_assert_eq(f.n, 0);
    cr_assert_eq(parse("n%C3%A4me=%E3%83%95%E3%83%AC", &f), 0);
    cr_assert_str_eq(f.names[0].ptr, "näme");
    cr_assert_str_eq(f.values[0].ptr, "フレ");
    cr_assert_eq(parse("a=%3Cscript%3E%22'", &f), 0);
    cr_assert_str_eq(f.values[0].ptr, "<script>\"'", "metacharacters kept verbatim");
}

Test(form, malformed_is_400) {
    const char *bad[] = {"a=%zz",    "a=%",         "a=%4",    "a%=1",  "a=%FF",        "a=%C3",
                         "a=%C0%AF", "a=%ED%A0%80", "a=x%00y", "%00=1", "ok=1&b=%E3%83"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        quill__form f;
        cr_assert_eq(parse(bad[i], &f), 400, "%s", bad[i]);
        cr_assert_eq(f.n, 0, "%s: nothing half-parsed", bad[i]);
    }
}

Test(form, limits_are_413) {
    char buf[8192];
    size_t o = 0;
    for (int i = 0; i < QUILL_FORM_MAX_FIELDS; i++)
        o += (size_t)snprintf(buf + o, sizeof buf - o, "f%d=1&", i);
    buf[o] = '\0';
    quill__form f;
    cr_assert_eq(parse(buf, &f), 0, "exactly the field limit");
    cr_assert_eq(f.n, QUILL_FORM_MAX_FIELDS);
    snprintf(buf + o, sizeof buf - o, "one=more");
    cr_assert_eq(parse(buf, &f), 413, "one field over");
    memset(buf, 'n', QUILL_FORM_MAX_NAME);
    buf[QUILL_FORM_MAX_NAME] = '=';
    buf[QUILL_FORM_MAX_NAME + 1] = '\0';
    cr_assert_eq(parse(buf, &f), 0, "name at the limit");
    memset(buf, 'n', QUILL_FORM_MAX_NAME + 1);
    buf[QUILL_FORM_MAX_NAME + 1] = '=';
    buf[QUILL_FORM_MAX_NAME + 2] = '\0';
    cr_assert_eq(parse(buf, &f), 413, "name over the limit");
    /* %41 decodes to one byte: the limit is on decoded bytes, checked without decoding a huge
     * value first. */
    size_t vlen = QUILL_FORM_MAX_VALUE + 1;
    char *big = malloc(vlen + 3);
    memcpy(big, "v=", 2);
    memset(big + 2, 'x', vlen);
    big[vlen + 2] = '\0';
    cr_assert_eq(quill__form_parse(a, big, vlen + 2, &f), 413, "value over the limit");
    cr_assert_eq(quill__form_parse(a, big, vlen + 1, &f), 0, "value at the limit");
    free(big);
}

Test(form, request_accessors_and_content_type) {
    load("application/x-www-form-urlencoded; charset=UTF-8", "a=1&b=2&a=3");
    cr_assert_eq(quill_form_parse(&req, NULL), 0);
    cr_assert_str_eq(quill_form_get(&req, "a").ptr, "1", "first value");
    quill_str all[4];
    cr_assert_eq(quill_form_getlist(&req, "a", all, 4), 2);
    cr_assert_str_eq(all[1].ptr, "3");
    cr_assert_null(quill_form_get(&req, "zz").ptr);
    cr_assert_eq(quill_form_size(&req), 3);
    quill_str n, v;
    cr_assert_eq(quill_form_at(&req, 1, &n, &v), 0);
    cr_assert_str_eq(n.ptr, "b");
    cr_assert_eq(quill_form_at(&req, 3, &n, &v), -1);

    load("application/json", "a=1");
    cr_assert_eq(quill_form_parse(&req, NULL), 0, "another type is an empty form");
    cr_assert_null(quill_form_get(&req, "a").ptr);
    load(NULL, "a=1");
    cr_assert_null(quill_form_get(&req, "a").ptr, "no Content-Type: empty form");
    load("application/x-www-form-urlencodedX", "a=1");
    cr_assert_null(quill_form_get(&req, "a").ptr, "a longer type is another type");

    load("application/x-www-form-urlencoded", "a=%zz");
    int st = 0;
    cr_assert_eq(quill_form_parse(&req, &st), -1);
    cr_assert_eq(st, 400);
    cr_assert_null(quill_form_get(&req, "a").ptr);
    cr_assert_eq(quill_form_parse(&req, &st), -1, "the failure is remembered");
    cr_assert_eq(st, 400);
}

Test(form, validation_helpers) {
    load("application/x-www-form-urlencoded",
         "title=+%E3%80%80+&description=ok&body=%C2%A0%09&tags=a");
    quill_form_errors e = {0};
    cr_assert_null(quill_form_required(&req, &e, "title").ptr, "ideographic space is blank");
    cr_assert_str_eq(quill_form_required(&req, &e, "description").ptr, "ok");
    cr_assert_null(quill_form_required(&req, &e, "body").ptr);
    cr_assert_null(quill_form_required(&req, &e, "missing").ptr);
    cr_assert_eq(e.n, 3);
    cJSON *lines = quill_form_errors_json(&req, &e);
    char *s = cJSON_PrintUnformatted(lines);
    cr_assert_str_eq(s,
                     "[\"title can't be blank\",\"body can't be blank\","
                     "\"missing can't be blank\"]",
                     "in the order checked");
    free(s);
    const char *names[] = {"title", "description", "password", NULL};
    s = cJSON_PrintUnformatted(quill_form_values(&req, names));
    cr_assert_str_eq(s, "{\"title\":\" \xe3\x80\x80 \",\"description\":\"ok\",\"password\":\"\"}");
    free(s);
    for (int i = 0; i < QUILL_FORM_ERRORS_MAX + 5; i++) quill_form_error(&e, "x", "y");
    cr_assert_eq(e.n, QUILL_FORM_ERRORS_MAX, "capped");
    cr_assert(quill_str_blank((quill_str){"", 0}));
    cr_assert_not(quill_str_blank((quill_str){" a ", 3}));
}

Test(form, redirects_and_urls) {
    quill_res res;
    quill__res_init(&res, a);
    cr_assert_eq(quill_redirect(&res, 303, "/article/x"), 0);
    cr_assert_eq(quill_res_get_status(&res), 303);
    cr_assert_str_eq(quill_res_get_header(&res, "Location").ptr, "/article/x");
    quill__res_init(&res, a);
    quill_redirect(&res, 200, "/");
    cr_assert_eq(quill_res_get_status(&res), 302, "not a redirect status: 302");
    quill__res_init(&res, a);
    cr_assert_eq(quill_redirect(&res, 303, "/x\r\nSet-Cookie: a=b"), 0);
    cr_assert_str_eq(quill_res_get_header(&res, "Location").ptr, "/x%0D%0ASet-Cookie:%20a=b",
                     "CR/LF encoded: no header injection");
    quill__res_init(&res, a);
    quill_redirect(&res, 303, "/article/\xc3\xa9?q=a b&x=%20#c");
    cr_assert_str_eq(quill_res_get_header(&res, "Location").ptr, "/article/%C3%A9?q=a%20b&x=%20#c",
                     "an IRI becomes a URI, escapes kept");

    const char *local[] = {"/", "/editor", "/article/a-b?x=1#c", "/%2F%2Fx"};
    for (size_t i = 0; i < sizeof local / sizeof *local; i++)
        cr_assert(quill_is_local_path(local[i]), "%s", local[i]);
    const char *other[] = {"",
                           "//evil.example",
                           "/\\evil.example",
                           "http://x/",
                           "x/y",
                           "javascript:alert(1)",
                           "/a\\b",
                           "/a\nb",
                           "\\/x",
                           NULL};
    for (size_t i = 0; other[i]; i++) cr_assert_not(quill_is_local_path(other[i]), "%s", other[i]);
    cr_assert_not(quill_is_local_path(NULL));

    cr_assert_str_eq(quill_url_quote(a, "/editor/a b?x=&y", 16), "/editor/a%20b%3Fx%3D%26y");
    cr_assert_str_eq(quill_url_quote(a, "é", 2), "%C3%A9");
}
