/* Tests for the web-suite parts of the spec format and the engine (specs/README.md "Web suites:
 * cookies, forms, redirects"), in process: the cookie query's attributes (each one passing and
 * failing), templated cookie names, XPath over HTML5 pages (string(), count(), node sets, the
 * first node's text captured), form bodies with templated names and pairs, the reproduce command
 * of a followed request, and the load errors of jar, save_jar, follow, max_redirects and form.
 * The network side (jars, redirects) runs on the fixture server: tests/harness/check/web_e2e.sh. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "exec/step.h"

static spec_set_t set;
static vars_t *vars;

static void setup(void) {
    spec_set_init(&set);
    vars = vars_new();
    vars_set_string(vars, "session_cookie", "sessionid");
    vars_set_string(vars, "csrf_name", "csrf token");
    vars_set_string(vars, "csrf", "a+b/c=");
}

static void teardown(void) {
    vars_free(vars);
    spec_set_free(&set);
}

TestSuite(web, .init = setup, .fini = teardown);

/* Loads a one-step suite whose step is `step` (JSON text); returns the step. */
static const step_t *load_step(const char *step) {
    char text[8192];
    snprintf(text, sizeof text, "{\"suite\": \"w\", \"steps\": [%s]}", step);
    cr_assert_eq(spec_load_buffer(&set, "w.json", text, strlen(text)), 0, "%s",
                 buf_cstr(&set.errors));
    return set.suites[set.n - 1]->steps.items[0];
}

/* The load errors of a one-step suite. */
static const char *load_errors(const char *step) {
    static char out[4096];
    spec_set_t s;
    spec_set_init(&s);
    char text[8192];
    snprintf(text, sizeof text, "{\"suite\": \"w\", \"steps\": [%s]}", step);
    cr_assert_eq(spec_load_buffer(&s, "w.json", text, strlen(text)), -1, "accepted: %s", step);
    snprintf(out, sizeof out, "%s", buf_cstr(&s.errors));
    spec_set_free(&s);
    return out;
}

static void resp_with(resp_t *r, const char *const *headers, const char *body) {
    resp_init(r);
    r->status = 200;
    for (size_t i = 0; headers[i]; i++) resp_header_line(r, headers[i], strlen(headers[i]));
    resp_body_append(r, body, strlen(body));
}

static const char *const set_cookies[] = {
    "Set-Cookie: sessionid=old; Path=/\r\n",
    "Set-Cookie: sessionid=s1; Path=/; HttpOnly; SameSite=Lax\r\n",
    "set-cookie: pref = dark ; max-age=3600; path=/web; DOMAIN=127.0.0.1\r\n",
    "Set-Cookie: exp=1; Expires=Wed, 21 Oct 2037 07:28:00 GMT; Secure\r\n",
    "Set-Cookie: odd=1; Max-Age=soon\r\n",
    "Set-Cookie: gone=; Max-Age=0; Path=/\r\n",
    NULL};

/* One assert over the Set-Cookie response: pass or fail, and the failure message. */
static void cookie_assert(const char *a, bool want_pass, const char *want_msg) {
    char step[2048];
    snprintf(step, sizeof step,
             "{\"name\": \"c\", \"request\": {\"method\": \"GET\", \"path\": \"/\"}, \"expect\": "
             "{\"status\": 200, \"asserts\": [%s]}}",
             a);
    const step_t *st = load_step(step);
    resp_t r;
    resp_with(&r, set_cookies, "");
    step_result_t res;
    step_result_init(&res);
    cr_assert_eq(step_check(st, &r, vars, &res), 0);
    cr_assert_eq(res.pass, want_pass, "%s: %s", a, res.items[1].msg ? res.items[1].msg : "pass");
    if (want_msg) cr_assert_str_eq(res.items[1].msg, want_msg, "%s: %s", a, res.items[1].msg);
    step_result_free(&res);
    resp_free(&r);
}

Test(web, cookie_attributes_pass) {
    cookie_assert("[\"cookie\", \"sessionid\", \"==\", \"s1\"]", true, NULL); /* the last one */
    cookie_assert("[\"cookie\", \"sessionid[Value]\", \"==\", \"s1\"]", true, NULL);
    cookie_assert("[\"cookie\", \"sessionid[Path]\", \"==\", \"/\"]", true, NULL);
    cookie_assert("[\"cookie\", \"sessionid[HttpOnly]\", \"exists\"]", true, NULL);
    cookie_assert("[\"cookie\", \"sessionid[httponly]\", \"==\", true]", true, NULL);
    cookie_assert("[\"cookie\", \"sessionid[Secure]\", \"not\", \"exists\"]", true, NULL);
    cookie_assert("[\"cookie\", \"sessionid[SameSite]\", \"==\", \"Lax\"]", true, NULL);
    cookie_assert("[\"cookie\", \"sessionid[Max-Age]\", \"not\", \"exists\"]", true, NULL);
    cookie_assert("[\"cookie\", \"pref\", \"==\", \"dark\"]", true, NULL);
    cookie_assert("[\"cookie\", \"pref[Max-Age]\", \"==\", 3600]", true, NULL);
    cookie_assert("[\"cookie\", \"pref[Domain]\", \"==\", \"127.0.0.1\"]", true, NULL);
    cookie_assert("[\"cookie\", \"pref[Path]\", \"==\", \"/web\"]", true, NULL);
    cookie_assert("[\"cookie\", \"exp[Expires]\", \"==\", \"Wed, 21 Oct 2037 07:28:00 GMT\"]", true,
                  NULL);
    cookie_assert("[\"cookie\", \"exp[Secure]\", \"exists\"]", true, NULL);
    cookie_assert("[\"cookie\", \"odd[Max-Age]\", \"==\", \"soon\"]", true,
                  NULL); /* not a number */
    cookie_assert("[\"cookie\", \"gone\", \"==\", \"\"]", true, NULL);
    cookie_assert("[\"cookie\", \"gone[Max-Age]\", \"==\", 0]", true, NULL);
    cookie_assert("[\"cookie\", \"none[Path]\", \"not\", \"exists\"]", true, NULL);
    cookie_assert("[\"cookie\", \"{{session_cookie}}[HttpOnly]\", \"exists\"]", true, NULL);
    cookie_assert("[\"cookie\", \"{{session_cookie}}\", \"==\", \"s1\"]", true, NULL);
}

Test(web, cookie_attributes_fail) {
    cookie_assert("[\"cookie\", \"sessionid[Value]\", \"==\", \"old\"]", false,
                  "expected == \"old\", got \"s1\"");
    cookie_assert("[\"cookie\", \"pref[HttpOnly]\", \"exists\"]", false,
                  "expected exists, got nothing");
    cookie_assert("[\"cookie\", \"sessionid[HttpOnly]\", \"not\", \"exists\"]", false,
                  "expected not exists, got boolean true");
    cookie_assert("[\"cookie\", \"sessionid[Secure]\", \"exists\"]", false,
                  "expected exists, got nothing");
    cookie_assert("[\"cookie\", \"sessionid[SameSite]\", \"==\", \"Strict\"]", false,
                  "expected == \"Strict\", got \"Lax\"");
    cookie_assert("[\"cookie\", \"pref[Max-Age]\", \"==\", 60]", false, "expected == 60, got 3600");
    cookie_assert("[\"cookie\", \"pref[Max-Age]\", \"==\", \"3600\"]", false,
                  "expected == \"3600\", got number 3600");
    cookie_assert("[\"cookie\", \"pref[Domain]\", \"==\", \"localhost\"]", false,
                  "expected == \"localhost\", got \"127.0.0.1\"");
    cookie_assert("[\"cookie\", \"pref[Path]\", \"==\", \"/\"]", false,
                  "expected == \"/\", got \"/web\"");
    cookie_assert("[\"cookie\", \"exp[Expires]\", \"startsWith\", \"Thu\"]", false,
                  "expected startsWith \"Thu\", got \"Wed, 21 Oct 2037 07:28:00 GMT\"");
    cookie_assert("[\"cookie\", \"{{session_cookie}}[SameSite]\", \"==\", \"None\"]", false,
                  "expected == \"None\", got \"Lax\"");
}

Test(web, cookie_query_load_errors) {
    const char *e = load_errors(
        "{\"name\": \"c\", \"request\": {\"method\": \"GET\", \"path\": \"/\"}, \"expect\": "
        "{\"status\": 200, \"asserts\": [[\"cookie\", \"a[Colour]\", \"exists\"], [\"cookie\", "
        "\"[Path]\", \"exists\"], [\"cookie\", \"{{x[Path]\", \"exists\"]]}}");
    cr_assert(strstr(e, "w.json:1:132: cookie \"a[Colour]\": unknown attribute (Value, Expires, "
                        "Max-Age, Domain, Path, Secure, HttpOnly, SameSite)"),
              "%s", e);
    cr_assert(strstr(e, "cookie name must not be empty"), "%s", e);
    cr_assert(strstr(e, "cookie name: "), "%s", e);
}

Test(web, templated_cookie_name_in_a_capture) {
    const step_t *st = load_step(
        "{\"name\": \"c\", \"request\": {\"method\": \"GET\", \"path\": \"/\"}, \"expect\": "
        "{\"status\": 200}, \"captures\": {\"sid\": [\"cookie\", \"{{session_cookie}}\"], "
        "\"samesite\": [\"cookie\", \"{{session_cookie}}[SameSite]\"]}}");
    resp_t r;
    resp_with(&r, set_cookies, "");
    step_result_t res;
    step_result_init(&res);
    cr_assert_eq(step_check(st, &r, vars, &res), 0);
    cr_assert(res.pass, "%s", res.capture_error);
    cr_assert_str_eq(vars_get(vars, "sid")->valuestring, "s1");
    cr_assert_str_eq(vars_get(vars, "samesite")->valuestring, "Lax");
    step_result_free(&res);
    resp_free(&r);
}

/* An HTML5 page libxml2's HTML parser does not know every tag of (nav, main, time, svg): it
 * parses, quietly. */
static const char *page =
    "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Conduit</title>"
    "</head><body><header><nav><a href=\"/login\">Sign in</a> <a href=\"/register\">Sign up</a>"
    "</nav></header><main><article><h1>T &amp; é</h1><time datetime=\"2026-12-06T10:00:00.000Z\">"
    "Dec 6</time><ul class=\"errors\"><li>title can't be blank</li><li>body can't be "
    "blank</li></ul><form method=\"post\" action=\"/editor\"><input type=\"hidden\" "
    "name=\"csrf_token\" value=\"tok-1\"><input name=\"title\" value=\"x\"><p>one<p>two</form>"
    "</article></main><footer><svg><circle r=\"1\"/></svg><section></footer></body></html>";

Test(web, xpath_on_an_html5_page) {
    const char *const h[] = {"Content-Type: text/html; charset=utf-8\r\n", NULL};
    const step_t *st = load_step(
        "{\"name\": \"x\", \"request\": {\"method\": \"GET\", \"path\": \"/\"}, \"expect\": "
        "{\"status\": 200, \"asserts\": ["
        "[\"xpath\", \"string(/html/head/title)\", \"==\", \"Conduit\"],"
        "[\"xpath\", \"count(//nav/a)\", \"==\", 2],"
        "[\"xpath\", \"//nav/a\", [\"count\"], \"==\", 2],"
        "[\"xpath\", \"//nav/a\", \"==\", [\"Sign in\", \"Sign up\"]],"
        "[\"xpath\", \"//nav/a/@href\", [\"last\"], \"==\", \"/register\"],"
        "[\"xpath\", \"string(//h1)\", \"==\", \"T & é\"],"
        "[\"xpath\", \"string(//main//time/@datetime)\", \"isIsoDate\"],"
        "[\"xpath\", \"//ul[@class='errors']/li\", [\"nth\", 1], \"==\", \"body can't be blank\"],"
        "[\"xpath\", \"count(//form//p)\", \"==\", 2],"
        "[\"xpath\", \"//span[@class='user']\", \"not\", \"exists\"],"
        "[\"xpath\", \"count(//span[@class='user'])\", \"==\", 0],"
        "[\"xpath\", \"boolean(//svg)\", \"==\", true]"
        "]}, \"captures\": {"
        "\"csrf_name\": [\"xpath\", \"//form[@action='/editor']//input[@type='hidden' and "
        "contains(@name,'csrf')]/@name\"],"
        "\"csrf\": [\"xpath\", \"string(//input[@type='hidden']/@value)\"],"
        "\"first_error\": [\"xpath\", \"//ul[@class='errors']/li\"],"
        "\"nlinks\": [\"xpath\", \"count(//a)\"]}}");
    resp_t r;
    resp_with(&r, h, page);
    step_result_t res;
    step_result_init(&res);
    cr_assert_eq(step_check(st, &r, vars, &res), 0);
    for (size_t i = 0; i < res.n; i++)
        cr_assert(res.items[i].pass, "%s: %s", res.items[i].text, res.items[i].msg);
    cr_assert(res.pass, "%s", res.capture_error);
    /* a node set captures its first node's text; a number stays a number */
    cr_assert_str_eq(vars_get(vars, "csrf_name")->valuestring, "csrf_token");
    cr_assert_str_eq(vars_get(vars, "csrf")->valuestring, "tok-1");
    cr_assert_str_eq(vars_get(vars, "first_error")->valuestring, "title can't be blank");
    cr_assert_eq(vars_get(vars, "nlinks")->valueint, 2);
    step_result_free(&res);
    resp_free(&r);
}

Test(web, xpath_empty_node_set_capture_fails) {
    const char *const h[] = {"Content-Type: text/html\r\n", NULL};
    const step_t *st = load_step(
        "{\"name\": \"x\", \"request\": {\"method\": \"GET\", \"path\": \"/\"}, \"expect\": "
        "{\"status\": 200}, \"captures\": {\"u\": [\"xpath\", \"//span[@class='user']\"]}}");
    resp_t r;
    resp_with(&r, h, page);
    step_result_t res;
    step_result_init(&res);
    cr_assert_eq(step_check(st, &r, vars, &res), 0);
    cr_assert(!res.pass);
    cr_assert(strstr(res.capture_error, "the query matched nothing"), "%s", res.capture_error);
    step_result_free(&res);
    resp_free(&r);
}

Test(web, form_bodies_templated_names_pairs_encoding) {
    const step_t *st = load_step(
        "{\"name\": \"f\", \"request\": {\"method\": \"POST\", \"path\": \"/login\", \"form\": "
        "{\"{{csrf_name}}\": \"{{csrf}}\", \"title\": \"a b&c=d\", \"n\": 2, \"ok\": false, "
        "\"u\": \"€ ü\"}}, \"expect\": {\"status\": 303}}");
    req_t r;
    req_init(&r);
    err_t e;
    cr_assert_eq(step_build_request(st, vars, &r, &e), 0, "%s", e.msg);
    cr_assert_str_eq(buf_cstr(&r.body), "csrf%20token=a%2Bb%2Fc%3D&title=a%20b%26c%3Dd&n=2&ok=false"
                                        "&u=%E2%82%AC%20%C3%BC");
    cr_assert_str_eq(r.content_type, "application/x-www-form-urlencoded");
    cr_assert_str_eq(r.jar, "main");
    cr_assert(!r.follow);
    st = load_step("{\"name\": \"f\", \"request\": {\"method\": \"POST\", \"path\": \"/e\", "
                   "\"jar\": null, \"follow\": true, \"max_redirects\": 3, \"form\": "
                   "[[\"tag\", \"b\"], [\"{{csrf_name}}\", \"{{csrf}}\"], [\"tag\", \"a\"]]}, "
                   "\"expect\": {\"status\": 200}}");
    cr_assert_eq(step_build_request(st, vars, &r, &e), 0, "%s", e.msg);
    cr_assert_str_eq(buf_cstr(&r.body), "tag=b&csrf%20token=a%2Bb%2Fc%3D&tag=a");
    cr_assert_null(r.jar);
    cr_assert(r.follow);
    cr_assert_eq(r.max_redirects, 3);
    buf_t c;
    buf_init(&c, 0);
    cr_assert_eq(step_curl_command(&r, "http://h:1", &c), 0);
    cr_assert(strstr(buf_cstr(&c), " -L --max-redirs 3 'http://h:1/e'"), "%s", buf_cstr(&c));
    buf_free(&c);
    /* an unknown variable in a field name is the step's build error */
    st = load_step("{\"name\": \"f\", \"request\": {\"method\": \"POST\", \"path\": \"/e\", "
                   "\"form\": {\"{{nope}}\": \"x\"}}, \"expect\": {\"status\": 200}}");
    cr_assert_eq(step_build_request(st, vars, &r, &e), -1);
    cr_assert(strstr(e.msg, "unknown variable \"nope\""), "%s", e.msg);
    req_free(&r);
}

Test(web, load_errors_of_jar_follow_and_form) {
    const char *e = load_errors("{\"name\": \"a\", \"save_jar\": \"x y\", \"request\": "
                                "{\"method\": \"GET\", \"path\": \"/\", "
                                "\"jar\": 3, \"follow\": \"yes\"}, \"expect\": {\"status\": 200}}");
    cr_assert(strstr(e, "request.jar must be a string, got integer"), "%s", e);
    cr_assert(strstr(e, "request.follow must be a boolean, got string"), "%s", e);
    cr_assert(strstr(e, "a cookie jar name is 1 to 64 of [A-Za-z0-9_.-], got \"x y\""), "%s", e);
    e = load_errors("{\"name\": \"a\", \"save_jar\": \"s\", \"request\": {\"method\": \"GET\", "
                    "\"path\": \"/\", \"jar\": null, \"max_redirects\": 2}, \"expect\": "
                    "{\"status\": 200}}");
    cr_assert(strstr(e, "save_jar: this request has \"jar\": null (no jar to save)"), "%s", e);
    cr_assert(strstr(e, "request.max_redirects needs \"follow\": true"), "%s", e);
    e = load_errors("{\"name\": \"a\", \"request\": {\"method\": \"GET\", \"path\": \"/\", "
                    "\"follow\": true, \"max_redirects\": 51}, \"expect\": {\"status\": 200}}");
    cr_assert(strstr(e, "request.max_redirects must be an integer from 0 to 50, got 51"), "%s", e);
    e = load_errors("{\"name\": \"a\", \"request\": {\"method\": \"POST\", \"path\": \"/\", "
                    "\"form\": [[\"a\"], [\"b\", {}], \"c\", [\"{{x\", \"v\"]]}, \"expect\": "
                    "{\"status\": 200}}");
    cr_assert(strstr(e, "w.json:1:92: a form pair is [name, value]"), "%s", e);
    cr_assert(strstr(e, "w.json:1:99: a form pair is [name, value]"), "%s", e);
    cr_assert(strstr(e, "w.json:1:110: a form pair is [name, value]"), "%s", e);
    cr_assert(strstr(e, "form field name: "), "%s", e);
    e = load_errors("{\"name\": \"a\", \"request\": {\"method\": \"POST\", \"path\": \"/\", "
                    "\"form\": {\"{{x\": \"v\"}}, \"expect\": {\"status\": 200}}");
    cr_assert(strstr(e, "form field name: "), "%s", e);
    e = load_errors("{\"name\": \"a\", \"request\": {\"method\": \"POST\", \"path\": \"/\", "
                    "\"form\": \"a=b\"}, \"expect\": {\"status\": 200}}");
    cr_assert(strstr(e, "request.form must be an object or a list of [name, value] pairs, got "
                        "string"),
              "%s", e);
}
