/* Tests for harness/spec/hurl*.c: every supported Hurl construct becomes the right step, every
 * unsupported or malformed one is a load error at its file:line:col, and the queries, filters and
 * predicates Hurl brings (xpath, variable, count/nth/first/last, isFloat, isCollection) evaluate
 * as Hurl's do, through the real loader and exec/expect. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "core/jsonloc.h"
#include "exec/expect.h"
#include "spec/hurl.h"

#define FIXTURES TESTS_DIR "/fixtures/hurl"

static spec_set_t set;

static void setup(void) {
    spec_set_init(&set);
}

static void teardown(void) {
    spec_set_free(&set);
}

TestSuite(hurl, .init = setup, .fini = teardown);

static const suite_t *load_ok(const char *text) {
    int rc = hurl_load_buffer(&set, "t.hurl", text, strlen(text), NULL);
    cr_assert_eq(rc, 0, "did not load: %s", buf_cstr(&set.errors));
    cr_assert_eq(set.n, 1);
    return set.suites[0];
}

/* The first error line, which must start with "t.hurl:LINE:COL: " and contain want. */
static void load_err(const char *text, const char *where, const char *want) {
    cr_assert_eq(hurl_load_buffer(&set, "t.hurl", text, strlen(text), NULL), -1, "loaded: %s",
                 text);
    const char *e = buf_cstr(&set.errors);
    char prefix[64];
    snprintf(prefix, sizeof prefix, "t.hurl:%s: ", where);
    cr_assert(strncmp(e, prefix, strlen(prefix)) == 0, "want %s... got: %s", prefix, e);
    cr_assert(strstr(e, want), "want \"%s\" in: %s", want, e);
}

static const cJSON *item(const cJSON *o, const char *k) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    cr_assert_not_null(v, "no %s", k);
    return v;
}

/* ---- the model ---------------------------------------------------------------------------------
 */

Test(hurl, request_parts) {
    const suite_t *s =
        load_ok("# a comment\n"
                "POST {{host}}/api/articles?x=1\n"
                "Authorization: Token {{token}}\n"
                "X-Quoted: \"a # b\"\n"
                "[QueryStringParams]\n"
                "tag: dragons   # trailing comment\n"
                "limit: 2\n"
                "[Cookies]\n"
                "sid: abc\n"
                "theme: dark\n"
                "[Options]\n"
                "retry: 3\n"
                "retry-interval: 250ms\n"
                "delay: 1s\n"
                "{\"article\": {\"title\": \"t\", \"n\": {{count}}, \"s\": \"{{x}}\"}}\n"
                "HTTP 201\n");
    cr_assert_str_eq(s->name, "t");
    cr_assert_eq(s->steps.n, 1);
    const step_t *st = s->steps.items[0];
    cr_assert_str_eq(st->req.method, "POST");
    cr_assert_str_eq(st->req.path, "/api/articles?x=1");
    cr_assert_str_eq(item(st->req.headers, "Authorization")->valuestring, "Token {{token}}");
    cr_assert_str_eq(item(st->req.headers, "X-Quoted")->valuestring, "a # b");
    cr_assert_str_eq(item(st->req.headers, "Cookie")->valuestring, "sid=abc; theme=dark");
    cr_assert_str_eq(item(st->req.query, "tag")->valuestring, "dragons");
    cr_assert_str_eq(item(st->req.query, "limit")->valuestring, "2");
    cr_assert_eq(st->retry_count, 3);
    cr_assert_eq(st->retry_interval_ms, 250);
    cr_assert_eq(st->delay_ms, 1000);
    cr_assert_eq(st->req.body_kind, BODY_JSON);
    /* an unquoted placeholder is a lone reference: it keeps the variable's JSON type */
    cr_assert_str_eq(item(item(st->req.json, "article"), "n")->valuestring, "{{count}}");
    cr_assert_eq(st->nstatus, 1);
    cr_assert_eq(st->statuses[0], 201);
    cr_assert_eq(st->loc.line, 2);
    cr_assert_eq(st->loc.col, 1);
}

Test(hurl, absolute_urls_go_to_the_target_and_host_is_the_target_url) {
    const suite_t *s = load_ok("GET http://localhost:3000/api/tags\nHTTP 200\n"
                               "GET https://example.com\n"
                               "GET {{ host }}?q=1\n");
    cr_assert_eq(s->steps.n, 3);
    cr_assert_str_eq(s->steps.items[0]->req.path, "/api/tags");
    cr_assert_str_eq(s->steps.items[1]->req.path, "/");
    cr_assert_str_eq(s->steps.items[2]->req.path, "/?q=1");
    /* without a response part any status passes, as in Hurl */
    cr_assert_eq(s->steps.items[1]->nstatus, 500);
    cr_assert_str_eq(item(s->variables, "host")->valuestring, "{{url}}");
}

Test(hurl, given_variables_and_the_variable_option) {
    cJSON *vars = cJSON_CreateObject();
    cJSON_AddStringToObject(vars, "host", "http://x");
    cJSON_AddStringToObject(vars, "password", "pw");
    const char *text = "GET {{host}}/a\n[Options]\nvariable: name=alice\nHTTP 200\n";
    cr_assert_eq(hurl_load_buffer(&set, "v.hurl", text, strlen(text), vars), 0, "%s",
                 buf_cstr(&set.errors));
    cJSON_Delete(vars);
    const cJSON *v = set.suites[0]->variables;
    cr_assert_str_eq(item(v, "host")->valuestring, "http://x");
    cr_assert_str_eq(item(v, "password")->valuestring, "pw");
    cr_assert_str_eq(item(v, "name")->valuestring, "alice");
}

Test(hurl, bodies) {
    const suite_t *s = load_ok("POST {{host}}/a\n```\nline 1\n  line 2\n```\n"
                               "POST {{host}}/b\n`one line`\n"
                               "POST {{host}}/c\nbase64,AAEC/w==;\n"
                               "POST {{host}}/d\nhex,00ff;\n"
                               "POST {{host}}/e\n[FormParams]\nuser: a b\npassword: x&y\n"
                               "POST {{host}}/f\n[MultipartFormData]\nfield: v\n"
                               "POST {{host}}/g\n[\"a\", {{n}}]\n");
    const step_t *const *st = (const step_t *const *)s->steps.items;
    cr_assert_eq(s->steps.n, 7);
    cr_assert_eq(st[0]->req.body_kind, BODY_RAW);
    cr_assert_str_eq(st[0]->req.raw, "line 1\n  line 2\n");
    cr_assert_str_eq(st[1]->req.raw, "one line");
    cr_assert_eq(st[2]->req.body_kind, BODY_BYTES);
    cr_assert_eq(st[2]->req.nbytes, 4);
    cr_assert(memcmp(st[2]->req.bytes, "\x00\x01\x02\xff", 4) == 0);
    cr_assert_eq(st[3]->req.nbytes, 2);
    cr_assert(memcmp(st[3]->req.bytes, "\x00\xff", 2) == 0);
    cr_assert_eq(st[4]->req.body_kind, BODY_FORM);
    cr_assert_str_eq(item(st[4]->req.form, "password")->valuestring, "x&y");
    cr_assert_eq(st[5]->req.body_kind, BODY_RAW);
    cr_assert(
        strstr(st[5]->req.raw, "Content-Disposition: form-data; name=\"field\"\r\n\r\nv\r\n"));
    cr_assert(strstr(item(st[5]->req.headers, "Content-Type")->valuestring,
                     "multipart/form-data; boundary="));
    cr_assert_eq(st[6]->req.body_kind, BODY_JSON);
    cr_assert(cJSON_IsArray(st[6]->req.json));
}

Test(hurl, multipart_file_is_read_relative_to_the_hurl_file) {
    cr_assert_eq(hurl_load_file(&set, FIXTURES "/upload.hurl", NULL), 0, "%s",
                 buf_cstr(&set.errors));
    const step_t *st = set.suites[0]->steps.items[0];
    cr_assert_eq(st->req.body_kind, BODY_BYTES);
    cr_assert(memmem(st->req.bytes, st->req.nbytes, "filename=\"note.txt\"", 19));
    cr_assert(memmem(st->req.bytes, st->req.nbytes, "Content-Type: text/plain", 24));
    cr_assert(memmem(st->req.bytes, st->req.nbytes, "a note for the upload test", 26));
}

Test(hurl, response_asserts_and_captures) {
    const suite_t *s = load_ok("GET {{host}}/a\n"
                               "HTTP/1.1 *\n"
                               "Content-Type: application/json\n"
                               "[Captures]\n"
                               "slug: jsonpath \"$.articles[0].slug\"\n"
                               "n: jsonpath \"$.articles\" count\n"
                               "[Asserts]\n"
                               "status == 200\n"
                               "jsonpath \"$.tags\" includes \"dragons\"\n"
                               "jsonpath \"$.tags\" nth 0 not startsWith \"x\"\n"
                               "body matches /\\d+/\n"
                               "regex \"id=(\\\\d+)\" == \"7\"\n"
                               "xpath \"//h1\" count >= 1\n");
    const step_t *st = s->steps.items[0];
    cr_assert_eq(st->nstatus, 500); /* HTTP * */
    cr_assert_eq(st->ncaptures, 2);
    cr_assert_str_eq(st->captures[0].name, "slug");
    cr_assert_eq(st->captures[1].q.nfilters, 1);
    cr_assert_eq(st->captures[1].q.filters[0].kind, F_COUNT);
    cr_assert_eq(st->nasserts, 7);
    cr_assert_str_eq(st->asserts[0].text,
                     "[\"headers\", \"Content-Type\", \"contains\", \"application/json\"]");
    cr_assert_eq(st->asserts[2].pred, P_CONTAINS); /* includes */
    cr_assert_eq(st->asserts[3].negate, true);
    cr_assert_eq(st->asserts[3].q.filters[0].kind, F_NTH);
    cr_assert_eq(st->asserts[3].q.filters[0].n, 0);
    cr_assert_eq(st->asserts[3].pred, P_STARTS_WITH);
    cr_assert_eq(st->asserts[4].pred, P_MATCHES);
    cr_assert_str_eq(st->asserts[4].arg->valuestring, "[0-9]+"); /* \d made POSIX */
    cr_assert_str_eq(st->asserts[5].q.arg, "id=([0-9]+)");
    cr_assert_eq(st->asserts[6].q.kind, Q_XPATH);
    cr_assert_eq(st->asserts[6].loc.line, 13);
}

Test(hurl, skip_option_skips_for_every_target) {
    const suite_t *s = load_ok("GET {{host}}/a\n[Options]\nskip: true\nHTTP 200\n");
    const char *why = step_skip_reason(s->steps.items[0], "quill");
    cr_assert_not_null(why);
    cr_assert(strstr(why, "skip: true"));
}

/* Web features: location/max-redirs options, url and redirects queries, cookie attributes,
 * templated form field names, a [Cookies] header (merged with the jar's cookies at run time). */
Test(hurl, redirects_cookies_and_forms) {
    const suite_t *s = load_ok("POST {{host}}/login\n"
                               "[FormParams]\n"
                               "{{csrf_name}}: {{csrf}}\n"
                               "user: alice\n"
                               "[Cookies]\n"
                               "theme: dark\n"
                               "[Options]\n"
                               "location: true\n"
                               "max-redirs: 3\n"
                               "HTTP 200\n"
                               "[Asserts]\n"
                               "url endsWith \"/home\"\n"
                               "redirects count == 1\n"
                               "cookie \"sid[HttpOnly]\" exists\n"
                               "cookie \"sid[Max-Age]\" == 3600\n"
                               "cookie \"{{session_cookie}}[SameSite]\" == \"Lax\"\n"
                               "[Captures]\n"
                               "hops: redirects count\n");
    const step_t *st = s->steps.items[0];
    cr_assert(st->req.follow);
    cr_assert_eq(st->req.max_redirects, 3);
    cr_assert_str_eq(st->req.jar, "main");
    cr_assert_str_eq(st->req.form->child->string, "{{csrf_name}}");
    cr_assert_eq(st->nasserts, 5);
    cr_assert_eq(st->asserts[0].q.kind, Q_URL);
    cr_assert_eq(st->asserts[1].q.kind, Q_REDIRECTS);
    cr_assert_eq(st->asserts[1].q.nfilters, 0); /* parity's redirects is already the count */
    cr_assert_eq(st->asserts[2].q.kind, Q_COOKIE);
    cr_assert_eq(st->asserts[2].q.attr, CA_HTTPONLY);
    cr_assert_str_eq(st->asserts[2].q.arg, "sid");
    cr_assert_eq(st->asserts[3].q.attr, CA_MAX_AGE);
    cr_assert_eq(st->asserts[4].q.attr, CA_SAMESITE);
    cr_assert(st->asserts[4].q.arg_tmpl);
    cr_assert_eq(st->captures[0].q.kind, Q_REDIRECTS);
    cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(st->req.headers, "Cookie")->valuestring,
                     "theme=dark");
    /* not following: location false, no max-redirs */
    teardown(), setup();
    s = load_ok("GET {{host}}/a\n[Options]\nlocation: false\nHTTP 302\n");
    cr_assert(!s->steps.items[0]->req.follow);
    teardown(), setup();
    load_err("GET {{host}}/a\n[Options]\nlocation: yes\n", "3:1", "location must be true or false");
    teardown(), setup();
    load_err("GET {{host}}/a\n[Options]\nmax-redirs: 51\n", "3:1", "max-redirs must be 0 to 50");
    teardown(), setup();
    load_err("GET {{host}}/a\n[Options]\nmax-redirs: 2\n", "3:1",
             "request.max_redirects needs \"follow\": true");
    teardown(), setup();
    load_err("GET {{host}}/a\nHTTP 200\n[Asserts]\nredirects nth 0 exists\n", "4:11",
             "write \"redirects count\"");
    teardown(), setup();
    load_err("GET {{host}}/a\nHTTP 200\n[Asserts]\ncookie \"sid[Color]\" exists\n", "4:8",
             "unknown attribute");
}

Test(hurl, directory_loads_every_file_sorted) {
    const char *paths[] = {FIXTURES};
    cr_assert_eq(hurl_load_paths(&set, paths, 1, NULL), 0, "%s", buf_cstr(&set.errors));
    cr_assert_geq(set.n, 2);
    for (size_t i = 1; i < set.n; i++)
        cr_assert_lt(strcmp(set.suites[i - 1]->file, set.suites[i]->file), 0);
    cr_assert_not_null(spec_find(&set, "upload"));
}

/* ---- errors at their place ---------------------------------------------------------------------
 */

Test(hurl, errors_name_the_construct_and_place) {
    load_err("GET {{host}}/a\n[Foo]\n", "2:1", "section [Foo] is not supported");
    teardown(), setup();
    load_err("GET {{host}}/a\nHTTP 200\n[Asserts]\njsonpath \"$.a\" toInt == 1\n", "4:16",
             "filter toInt is not supported");
    teardown(), setup();
    load_err("GET {{host}}/a\nHTTP 200\n[Asserts]\nsha256 == \"x\"\n", "4:1",
             "query sha256 is not supported");
    teardown(), setup();
    load_err("GET {{host}}/a\n[Options]\ninsecure: true\n", "3:1",
             "option \"insecure\" is not supported");
    teardown(), setup();
    load_err("GET /api/a\n", "1:5", "must start with {{host}} or http(s)://");
    teardown(), setup();
    load_err("GET {{host}}/a\nHTTP 200\n[Asserts]\nheader \"X == 1\n", "4:8",
             "not closed on its line");
    teardown(), setup();
    load_err("POST {{host}}/a\n{\"a\": 1,\n \"b\": }\n", "3:7", "JSON body:");
    teardown(), setup();
    load_err("POST {{host}}/a\n{\"a\": [1, 2}\n", "2:1", "");
    teardown(), setup();
    load_err("GET {{host}}/a\nHTTP 2000\n", "2:6", "expected a status");
    teardown(), setup();
    load_err("GET {{host}}/a\n[Asserts]\n", "2:1", "a response section before the HTTP line");
    teardown(), setup();
    load_err("GET {{host}}/a\nHTTP 200\n[Captures]\nv: variable \"x\"\n", "4:4",
             "a capture of a variable");
    teardown(), setup();
    load_err("GET {{host}}/a\nHTTP 200\n[Asserts]\njsonpath \"$[?(@.a)]\" exists\n", "4:10",
             "invalid JSONPath");
    teardown(), setup();
    load_err("GET {{host}}/a\nHTTP 200\n[Asserts]\nxpath \"//[\" exists\n", "4:7", "XPath");
    teardown(), setup();
    load_err("GET {{host}}/a\nHTTP 200\n[Asserts]\nstatus isDate\n", "4:8",
             "predicate not supported by parity: \"isDate\"");
    teardown(), setup();
    load_err("GET {{host}}/a\nHTTP 200\n[Asserts]\nbody matches /\\A/\n", "4:14",
             "\\A has no POSIX");
    teardown(), setup();
    load_err("get {{host}}/a\n", "1:1", "expected a request line");
    teardown(), setup();
    load_err("GET {{host}}/a\n[Options]\nvariable: a=1\nGET {{host}}/b\n[Options]\nvariable: a=2\n",
             "6:1", "set twice");
}

Test(hurl, an_empty_file_is_an_error) {
    cr_assert_eq(hurl_load_buffer(&set, "e.hurl", "# nothing\n", 10, NULL), -1);
    cr_assert(strstr(buf_cstr(&set.errors), "steps must not be empty"), "%s",
              buf_cstr(&set.errors));
}

/* ---- evaluation --------------------------------------------------------------------------------
 */

static resp_t resp;

static void response(const char *ctype, const char *body) {
    resp_init(&resp);
    char line[256];
    const char *status = "HTTP/1.1 200 OK\r\n";
    cr_assert_eq(resp_header_line(&resp, status, strlen(status)), 0);
    snprintf(line, sizeof line, "Content-Type: %s\r\n", ctype);
    cr_assert_eq(resp_header_line(&resp, line, strlen(line)), 0);
    cr_assert_eq(resp_header_line(&resp, "\r\n", 2), 0);
    resp_body_append(&resp, body, strlen(body));
}

/* Evaluates every assert of the only step of text: pass[i] per assert. */
static void eval_all(const char *text, const vars_t *vars, const bool *want, size_t n) {
    const suite_t *s = load_ok(text);
    const step_t *st = s->steps.items[0];
    cr_assert_eq(st->nasserts, n);
    for (size_t i = 0; i < n; i++) {
        bool pass = false;
        buf_t msg;
        buf_init(&msg, 4096);
        err_t e;
        int rc = assertion_eval(&st->asserts[i], &resp, vars, &pass, &msg, &e);
        cr_assert_eq(rc, 0, "%s: %s", st->asserts[i].text, e.msg);
        cr_assert_eq(pass, want[i], "%s: want %s (%s)", st->asserts[i].text,
                     want[i] ? "pass" : "fail", buf_cstr(&msg));
        buf_free(&msg);
    }
}

Test(hurl, json_filters_and_types) {
    response("application/json",
             "{\"tags\": [\"a\", \"b\", \"c\"], \"f\": 1.5, \"i\": 2, \"o\": {\"k\": 1}}");
    static const bool want[] = {true, false, true, true,  true, true, false,
                                true, true,  true, false, true, true, false};
    eval_all("GET {{host}}/\nHTTP 200\n[Asserts]\n"
             "jsonpath \"$.tags\" count == 3\n"
             "jsonpath \"$.tags\" count > 3\n"
             "jsonpath \"$.tags\" first == \"a\"\n"
             "jsonpath \"$.tags\" last == \"c\"\n"
             "jsonpath \"$.tags\" nth 1 == \"b\"\n"
             "jsonpath \"$.tags\" nth -1 == \"c\"\n"
             "jsonpath \"$.tags\" nth 5 exists\n"
             "jsonpath \"$.f\" isFloat\n"
             "jsonpath \"$.i\" not isFloat\n"
             "jsonpath \"$.o\" isCollection\n"
             "jsonpath \"$.i\" isCollection\n"
             "jsonpath \"$.tags\" includes \"b\"\n"
             "jsonpath \"$.o\" count == 1\n"
             "jsonpath \"$.missing\" count == 0\n",
             NULL, want, sizeof want / sizeof want[0]);
    resp_free(&resp);
}

Test(hurl, implicit_json_body_compares_as_json) {
    response("application/json", "{\"b\": [1, 2], \"a\": \"x\"}");
    static const bool want[] = {true};
    eval_all("GET {{host}}/\nHTTP 200\n{\"a\": \"x\", \"b\": [1, 2]}\n", NULL, want, 1);
    resp_free(&resp);
}

Test(hurl, xpath_on_html) {
    response("text/html; charset=utf-8",
             "<!doctype html><html><head><title>Home</title></head><body><nav><span "
             "class=\"user\">alice</span></nav><ul class=\"tags\"><li>a</li><li>b</li></ul><p>"
             "unclosed</body></html>");
    static const bool want[] = {true, true, false, true, true, true, true, false};
    eval_all("GET {{host}}/\nHTTP 200\n[Asserts]\n"
             "xpath \"string(//title)\" == \"Home\"\n"
             "xpath \"//ul[@class='tags']/li\" count == 2\n"
             "xpath \"//div[@class='flash']\" exists\n"
             "xpath \"//div[@class='flash']\" not exists\n"
             "xpath \"//div[@class='flash']\" count == 0\n"
             "xpath \"//span[@class='user']\" nth 0 == \"alice\"\n"
             "xpath \"count(//li)\" == 2\n"
             "xpath \"boolean(//form)\" == true\n",
             NULL, want, sizeof want / sizeof want[0]);
    resp_free(&resp);
}

Test(hurl, variable_query) {
    response("text/plain", "ok");
    vars_t *vars = vars_new();
    cr_assert_not_null(vars);
    cr_assert_eq(vars_set_string(vars, "token", "abc"), 0);
    static const bool want[] = {true, true, false, true};
    eval_all("GET {{host}}/\nHTTP 200\n[Asserts]\n"
             "variable \"token\" == \"abc\"\n"
             "variable \"token\" isString\n"
             "variable \"nope\" exists\n"
             "variable \"nope\" not exists\n",
             vars, want, sizeof want / sizeof want[0]);
    vars_free(vars);
    resp_free(&resp);
}
