/* Tests for harness/assert.c: response model, queries, predicates, typed equality, messages. */
#include <criterion/criterion.h>
#include <string.h>

#include "exec/expect.h"
#include "core/jsonloc.h"
#include "core/re.h"

static resp_t r;

static const char *body =
    "{\"int\": 1, \"float1\": 1.0, \"float\": 1.5, \"exp\": 1e3, \"neg\": -7, \"big\": "
    "9007199254740993, \"big2\": 9007199254740992, \"s\": \"1\", \"empty_s\": \"\", \"list\": [], "
    "\"obj\": {}, \"nul\": null, \"t\": true, \"date\": \"2024-02-29T23:59:59.123Z\", \"tags\": "
    "[\"a\", \"b\"], \"nested\": {\"x\": [1, {\"y\": \"z\"}]}, \"uni\": \"héllo 😀\", "
    "\"items\": [{\"id\": 1}, {\"id\": 2}], \"long\": "
    "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}";

static void setup(void) {
    resp_init(&r);
    const char *lines[] = {"HTTP/1.1 100 Continue\r\n",
                           "X-Interim: 1\r\n",
                           "\r\n",
                           "HTTP/1.1 201 Created\r\n",
                           "Content-Type: application/json\r\n",
                           "Set-Cookie: a=1; Path=/\r\n",
                           "set-cookie: sid = abc ; HttpOnly\r\n",
                           "Set-Cookie: a=2\r\n",
                           "X-Multi: one\r\n",
                           "x-multi:  two  \r\n",
                           "\r\n"};
    for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
        cr_assert_eq(resp_header_line(&r, lines[i], strlen(lines[i])), 0);
    resp_body_append(&r, body, strlen(body));
    r.duration_ms = 12.5;
}

static void teardown(void) {
    resp_free(&r);
}

TestSuite(assert, .init = setup, .fini = teardown);

/* Builds an assertion from a JSON array text, as the loader would (minus positions). */
typedef struct built {
    assertion_t a;
    cJSON *doc;
} built_t;

static built_t build(const char *text) {
    built_t b = {0};
    err_t e;
    b.doc = jl_parse(text, strlen(text), NULL, 0, NULL, &e);
    cr_assert_not_null(b.doc, "%s", e.msg);
    const cJSON *k = b.doc->child;
    cr_assert_eq(query_kind_parse(k->valuestring, &b.a.q.kind), 0, "%s", text);
    if (query_kind_nargs(b.a.q.kind)) {
        k = k->next;
        b.a.q.arg = k->valuestring;
        if (b.a.q.kind == Q_JSONPATH) b.a.q.path = jp_compile(k->valuestring, NULL, &e);
        if (b.a.q.kind == Q_REGEX || b.a.q.kind == Q_REGEX_COUNT) {
            b.a.q.re = malloc(sizeof(regex_t));
            cr_assert_eq(re_compile(b.a.q.re, k->valuestring, 0, NULL, 0), 0);
        }
    }
    k = k->next;
    if (strcmp(k->valuestring, "not") == 0) {
        b.a.negate = true;
        k = k->next;
    }
    cr_assert_eq(pred_parse(k->valuestring, &b.a.pred), 0, "%s", text);
    b.a.arg = k->next;
    b.a.arg_tmpl = b.a.arg && tmpl_tree_has_refs(b.a.arg);
    return b;
}

static void unbuild(built_t *b) {
    jp_free(b->a.q.path);
    if (b->a.q.re) {
        regfree(b->a.q.re);
        free(b->a.q.re);
    }
    cJSON_Delete(b->doc);
}

/* Evaluates and checks pass/fail and (if given) the exact failure message. */
static void check(const char *text, bool want, const char *want_msg) {
    built_t b = build(text);
    vars_t *v = vars_new();
    vars_set_string(v, "name", "z");
    vars_set_int(v, "two", 2);
    buf_t msg;
    buf_init(&msg, EXPECT_MSG_MAX);
    bool pass;
    err_t e;
    cr_assert_eq(assertion_eval(&b.a, &r, v, &pass, &msg, &e), 0, "%s: %s", text, e.msg);
    cr_assert_eq(pass, want, "%s: %s", text, buf_cstr(&msg));
    if (want_msg) cr_assert_str_eq(buf_cstr(&msg), want_msg, "%s", text);
    buf_free(&msg);
    vars_free(v);
    unbuild(&b);
}

#define PASS(t)    check(t, true, NULL)
#define FAIL(t, m) check(t, false, m)

Test(assert, response_model) {
    cr_assert_eq(r.status, 201);
    cr_assert_null(resp_header(&r, "X-Interim")); /* dropped with the 100 response */
    cr_assert_str_eq(resp_header(&r, "content-type"), "application/json");
    cr_assert_eq(resp_header_count(&r, "X-MULTI"), 2);
    cr_assert_str_eq(r.headers[r.nheaders - 1].value, "two");
    err_t e;
    const cJSON *j = resp_json(&r, &e);
    cr_assert_not_null(j);
    cr_assert_eq(resp_json(&r, &e), j); /* parsed once */
    resp_reset(&r);
    cr_assert_eq(r.nheaders, 0);
    resp_body_append(&r, "{oops", 5);
    cr_assert_null(resp_json(&r, &e));
    cr_assert_str_eq(e.msg, "body is not valid JSON: 1:2: expected a string key in object");
}

Test(assert, status_header_cookie_body_duration) {
    PASS("[\"status\", \"==\", 201]");
    FAIL("[\"status\", \"==\", 404]", "expected == 404, got 201");
    FAIL("[\"status\", \"==\", \"201\"]", "expected == \"201\", got number 201");
    PASS("[\"header\", \"CONTENT-TYPE\", \"==\", \"application/json\"]");
    PASS("[\"header\", \"X-Multi\", \"==\", [\"one\", \"two\"]]");
    PASS("[\"header\", \"X-Multi\", \"contains\", \"two\"]");
    PASS("[\"header\", \"X-Missing\", \"not\", \"exists\"]");
    FAIL("[\"header\", \"X-Missing\", \"exists\"]", "expected exists, got nothing");
    FAIL("[\"header\", \"X-Missing\", \"not\", \"==\", \"x\"]",
         "expected not == \"x\", got nothing");
    PASS("[\"cookie\", \"a\", \"==\", \"2\"]"); /* the last Set-Cookie wins */
    PASS("[\"cookie\", \"sid\", \"==\", \"abc\"]");
    PASS("[\"cookie\", \"nope\", \"not\", \"exists\"]");
    PASS("[\"body\", \"startsWith\", \"{\\\"int\\\": 1,\"]");
    PASS("[\"body\", \"contains\", \"héllo\"]");
    PASS("[\"duration\", \"<\", 1000]");
    FAIL("[\"duration\", \"<\", 10]", "expected < 10, got 12.5");
    PASS("[\"duration\", \"isNumber\"]");
    FAIL("[\"duration\", \"isInteger\"]", "expected isInteger, got number 12.5");
}

Test(assert, regex_query_first_group) {
    PASS("[\"regex\", \"\\\"s\\\": \\\"([0-9]+)\\\"\", \"==\", \"1\"]");
    PASS("[\"regex\", \"h.llo\", \"==\", \"héllo\"]"); /* no group: whole match */
    PASS("[\"regex\", \"nomatch[0-9]{5}\", \"not\", \"exists\"]");
}

Test(assert, integers_by_raw_text) {
    PASS("[\"jsonpath\", \"$.int\", \"isInteger\"]");
    PASS("[\"jsonpath\", \"$.neg\", \"isInteger\"]");
    FAIL("[\"jsonpath\", \"$.float1\", \"isInteger\"]", "expected isInteger, got number 1.0");
    FAIL("[\"jsonpath\", \"$.float\", \"isInteger\"]", "expected isInteger, got number 1.5");
    FAIL("[\"jsonpath\", \"$.exp\", \"isInteger\"]", "expected isInteger, got number 1e3");
    PASS("[\"jsonpath\", \"$.float1\", \"isNumber\"]");
    PASS("[\"jsonpath\", \"$.float1\", \"not\", \"isInteger\"]");
    FAIL("[\"jsonpath\", \"$.s\", \"isInteger\"]", "expected isInteger, got string \"1\"");
    FAIL("[\"jsonpath\", \"$.nul\", \"isNumber\"]", "expected isNumber, got null");
}

Test(assert, typed_equality) {
    PASS("[\"jsonpath\", \"$.int\", \"==\", 1]");
    FAIL("[\"jsonpath\", \"$.int\", \"==\", \"1\"]", "expected == \"1\", got number 1");
    FAIL("[\"jsonpath\", \"$.s\", \"==\", 1]", "expected == 1, got string \"1\"");
    FAIL("[\"jsonpath\", \"$.int\", \"==\", 1.0]", "expected == 1.0, got 1"); /* by text */
    PASS("[\"jsonpath\", \"$.float1\", \"==\", 1.00]");
    PASS("[\"jsonpath\", \"$.float\", \"==\", 15e-1]");
    PASS("[\"jsonpath\", \"$.int\", \"!=\", \"1\"]");
    PASS("[\"jsonpath\", \"$.t\", \"==\", true]");
    FAIL("[\"jsonpath\", \"$.t\", \"==\", 1]", "expected == 1, got boolean true");
    PASS("[\"jsonpath\", \"$.nul\", \"==\", null]");
    FAIL("[\"jsonpath\", \"$.nul\", \"==\", \"\"]", "expected == \"\", got null");
}

Test(assert, big_integers_exact) {
    PASS("[\"jsonpath\", \"$.big\", \"==\", 9007199254740993]");
    FAIL("[\"jsonpath\", \"$.big\", \"==\", 9007199254740992]",
         "expected == 9007199254740992, got 9007199254740993");
    PASS("[\"jsonpath\", \"$.big\", \">\", 9007199254740992]");
    PASS("[\"jsonpath\", \"$.big2\", \"<\", 9007199254740993]");
    PASS("[\"jsonpath\", \"$.big\", \"<\", 100000000000000000000000]");
    PASS("[\"jsonpath\", \"$.neg\", \"<\", -6]");
    PASS("[\"jsonpath\", \"$.neg\", \">\", -100000000000000000000000]");
    PASS("[\"jsonpath\", \"$.int\", \"<\", 1.5]");
}

Test(assert, deep_equality) {
    PASS("[\"jsonpath\", \"$.nested\", \"==\", {\"x\": [1, {\"y\": \"z\"}]}]");
    FAIL("[\"jsonpath\", \"$.nested\", \"==\", {\"x\": [1, {\"y\": \"Z\"}]}]", NULL);
    FAIL("[\"jsonpath\", \"$.nested\", \"==\", {\"x\": [{\"y\": \"z\"}, 1]}]", NULL); /* order */
    FAIL("[\"jsonpath\", \"$.nested\", \"==\", {\"x\": [1, {\"y\": \"z\"}], \"w\": 1}]", NULL);
    PASS("[\"jsonpath\", \"$.items\", \"==\", [{\"id\": 1}, {\"id\": 2}]]");
    FAIL("[\"jsonpath\", \"$.items\", \"==\", [{\"id\": 1}, {\"id\": 2.0}]]", NULL);
    PASS("[\"jsonpath\", \"$.obj\", \"==\", {}]");
    FAIL("[\"jsonpath\", \"$.obj\", \"==\", []]", "expected == [], got object {}");
    PASS("[\"jsonpath\", \"$.nested.x[1]\", \"==\", {\"y\": \"{{name}}\"}]"); /* templated */
}

Test(assert, hurl_rule_single_several_none) {
    PASS("[\"jsonpath\", \"$.items[*].id\", \"==\", [1, 2]]"); /* several: a list */
    PASS("[\"jsonpath\", \"$.items[0].id\", \"==\", 1]");      /* one: the node itself */
    PASS("[\"jsonpath\", \"$.tags[*]\", \"count\", 2]");
    PASS("[\"jsonpath\", \"$.list[*]\", \"not\", \"exists\"]"); /* [] yields no match */
    FAIL("[\"jsonpath\", \"$.list[*]\", \"count\", 0]", "expected count 0, got nothing");
    PASS("[\"jsonpath\", \"$.list\", \"count\", 0]");
    PASS("[\"jsonpath\", \"$.tags[-3]\", \"not\", \"exists\"]");
    FAIL("[\"jsonpath\", \"$.tags[-3]\", \"isString\", \"x\"]", NULL);
    PASS("[\"jsonpath\", \"$.nul\", \"exists\"]"); /* null exists */
    FAIL("[\"jsonpath\", \"$.missing\", \"isNull\"]", "expected isNull, got nothing");
    FAIL("[\"jsonpath\", \"$.missing\", \"not\", \"isNull\"]", "expected not isNull, got nothing");
}

Test(assert, types_and_emptiness) {
    PASS("[\"jsonpath\", \"$.s\", \"isString\"]");
    PASS("[\"jsonpath\", \"$.t\", \"isBoolean\"]");
    PASS("[\"jsonpath\", \"$.nul\", \"isNull\"]");
    PASS("[\"jsonpath\", \"$.list\", \"isList\"]");
    PASS("[\"jsonpath\", \"$.obj\", \"isObject\"]");
    PASS("[\"jsonpath\", \"$.list\", \"isEmpty\"]");
    PASS("[\"jsonpath\", \"$.obj\", \"isEmpty\"]");
    PASS("[\"jsonpath\", \"$.empty_s\", \"isEmpty\"]");
    FAIL("[\"jsonpath\", \"$.nul\", \"isEmpty\"]", "expected isEmpty, got null");
    FAIL("[\"jsonpath\", \"$.tags\", \"isEmpty\"]", "expected isEmpty, got list [\"a\", \"b\"]");
    FAIL("[\"jsonpath\", \"$.obj\", \"not\", \"isObject\"]",
         "expected not isObject, got object {}");
}

Test(assert, strings_and_lists) {
    PASS("[\"jsonpath\", \"$.uni\", \"startsWith\", \"hé\"]");
    PASS("[\"jsonpath\", \"$.uni\", \"endsWith\", \"😀\"]");
    PASS("[\"jsonpath\", \"$.uni\", \"contains\", \"llo\"]");
    PASS("[\"jsonpath\", \"$.uni\", \"matches\", \"^h.+o [^ ]+$\"]");
    FAIL("[\"jsonpath\", \"$.uni\", \"matches\", \"^x\"]",
         "expected matches \"^x\", got \"héllo 😀\"");
    PASS("[\"jsonpath\", \"$.tags\", \"contains\", \"b\"]");
    FAIL("[\"jsonpath\", \"$.tags\", \"contains\", \"c\"]", NULL);
    PASS("[\"jsonpath\", \"$.items\", \"contains\", {\"id\": 2}]");
    PASS("[\"jsonpath\", \"$.s\", \"<\", \"2\"]");
    FAIL("[\"jsonpath\", \"$.s\", \"<\", 2]", "expected < 2, got string \"1\""); /* no coercion */
    FAIL("[\"jsonpath\", \"$.int\", \"startsWith\", \"1\"]", NULL);
    PASS("[\"jsonpath\", \"$.nested\", \"count\", 1]");
    FAIL("[\"jsonpath\", \"$.tags\", \"count\", 3]", "expected count 3, got list of 2 elements");
    PASS("[\"jsonpath\", \"$.tags\", \"count\", \"{{two}}\"]");
}

Test(assert, long_values_are_truncated) {
    built_t b = build("[\"jsonpath\", \"$.long\", \"==\", \"b\"]");
    vars_t *v = vars_new();
    buf_t msg;
    buf_init(&msg, EXPECT_MSG_MAX);
    bool pass;
    err_t e;
    cr_assert_eq(assertion_eval(&b.a, &r, v, &pass, &msg, &e), 0);
    cr_assert_not(pass);
    cr_assert(str_ends_with(buf_cstr(&msg), "aaa..."), "%s", buf_cstr(&msg));
    cr_assert_eq(msg.len, strlen("expected == \"b\", got ") + EXPECT_MAX_SHOWN + 3);
    buf_free(&msg);
    vars_free(v);
    unbuild(&b);
}

Test(assert, errors_are_not_passes) {
    built_t b = build("[\"jsonpath\", \"$.s\", \"==\", \"{{nope}}\"]");
    vars_t *v = vars_new();
    bool pass = true;
    err_t e;
    cr_assert_eq(assertion_eval(&b.a, &r, v, &pass, NULL, &e), -1);
    cr_assert_str_eq(e.msg, "unknown variable \"nope\"");
    unbuild(&b);
    resp_reset(&r);
    resp_body_append(&r, "not json", 8);
    b = build("[\"jsonpath\", \"$.s\", \"not\", \"exists\"]");
    cr_assert_eq(assertion_eval(&b.a, &r, v, &pass, NULL, &e), -1); /* not a silent pass */
    cr_assert_str_eq(e.msg, "body is not valid JSON: 1:1: unexpected character (a JSON value is "
                            "expected)");
    unbuild(&b);
    vars_free(v);
}

Test(assert, iso_dates) {
    cr_assert(is_iso_date("2024-02-29T23:59:59.123Z"));
    cr_assert(is_iso_date("2000-02-29T00:00:00.000Z"));
    cr_assert_not(is_iso_date("2023-02-29T00:00:00.000Z")); /* not a leap year */
    cr_assert_not(is_iso_date("1900-02-29T00:00:00.000Z"));
    cr_assert_not(is_iso_date("2024-04-31T00:00:00.000Z"));
    cr_assert_not(is_iso_date("2024-13-01T00:00:00.000Z"));
    cr_assert_not(is_iso_date("2024-01-01T24:00:00.000Z"));
    cr_assert_not(is_iso_date("2024-01-01T00:60:00.000Z"));
    cr_assert_not(is_iso_date("2024-01-01T00:00:60.000Z"));
    cr_assert_not(is_iso_date("2024-01-01T00:00:00Z"));    /* no millis */
    cr_assert_not(is_iso_date("2024-01-01T00:00:00.000")); /* no Z */
    cr_assert_not(is_iso_date("2024-01-01T00:00:00.000+00:00"));
    cr_assert_not(is_iso_date("2024-01-01 00:00:00.000Z"));
    cr_assert_not(is_iso_date("2024-01-01T00:00:00.000Zx"));
    cr_assert_not(is_iso_date("2024-00-01T00:00:00.000Z"));
    PASS("[\"jsonpath\", \"$.date\", \"isIsoDate\"]");
    FAIL("[\"jsonpath\", \"$.int\", \"isIsoDate\"]", "expected isIsoDate, got number 1");
}

Test(assert, names_round_trip) {
    pred_kind_t p;
    query_kind_t q;
    cr_assert_eq(pred_parse("isIsoDate", &p), 0);
    cr_assert_eq(p, P_IS_ISO_DATE);
    cr_assert_str_eq(pred_name(P_STARTS_WITH), "startsWith");
    cr_assert_eq(pred_parse("isinteger", &p), -1); /* case-sensitive */
    cr_assert_eq(pred_nargs(P_COUNT), 1);
    cr_assert_eq(pred_nargs(P_IS_EMPTY), 0);
    cr_assert_eq(query_kind_parse("jsonpath", &q), 0);
    cr_assert_eq(q, Q_JSONPATH);
    cr_assert_eq(query_kind_parse("json", &q), -1);
    cr_assert_eq(query_kind_nargs(Q_STATUS), 0);
}

/* Replaces the response body (the JSON cache too). */
static void set_body(const char *text) {
    resp_reset(&r);
    r.status = 200;
    resp_body_append(&r, text, strlen(text));
}

Test(assert, is_sorted) {
    set_body("{\"s\": [\"Zeta\", \"alpha\", \"alpha\", \"\u00e9\"], \"down\": [\"b\", \"a\"],"
             " \"n\": [-2, 1.5, 2, 9007199254740992, 9007199254740993], \"nd\": [2, 10, 9],"
             " \"e\": [], \"one\": [\"x\"], \"mix\": [1, \"1\"], \"o\": [{}, {}], \"str\": \"ab\","
             " \"big\": [9007199254740993, 9007199254740992]}");
    PASS("[\"jsonpath\", \"$.s\", \"isSorted\"]"); /* bytewise: upper case first, é last */
    PASS("[\"jsonpath\", \"$.n\", \"isSorted\"]"); /* numeric, integers exactly */
    PASS("[\"jsonpath\", \"$.e\", \"isSorted\"]");
    PASS("[\"jsonpath\", \"$.one\", \"isSorted\"]");
    FAIL("[\"jsonpath\", \"$.down\", \"isSorted\"]",
         "expected isSorted, got list [\"b\", \"a\"] (element [1] is less than the one before)");
    FAIL("[\"jsonpath\", \"$.nd\", \"isSorted\"]",
         "expected isSorted, got list [2, 10, 9] (element [2] is less than the one before)");
    FAIL("[\"jsonpath\", \"$.big\", \"isSorted\"]", NULL); /* beyond 2^53 */
    FAIL("[\"jsonpath\", \"$.mix\", \"isSorted\"]",
         "expected isSorted, got list [1, \"1\"] (not a list of only numbers or only strings)");
    FAIL("[\"jsonpath\", \"$.o\", \"isSorted\"]", NULL);
    FAIL("[\"jsonpath\", \"$.str\", \"isSorted\"]", "expected isSorted, got string \"ab\"");
    FAIL("[\"jsonpath\", \"$.gone\", \"isSorted\"]", "expected isSorted, got nothing");
    PASS("[\"jsonpath\", \"$.down\", \"not\", \"isSorted\"]");
    FAIL("[\"jsonpath\", \"$.n\", \"not\", \"isSorted\"]", NULL);
}

Test(assert, is_unique) {
    set_body("{\"u\": [\"a\", \"A\", 1, \"1\", 1.0, {\"k\": 1}, [1]], \"d\": [\"a\", \"b\", \"a\"],"
             " \"dn\": [{\"k\": [1, 2]}, {\"k\": [1, 2]}], \"e\": [], \"s\": \"aa\"}");
    PASS("[\"jsonpath\", \"$.u\", \"isUnique\"]"); /* typed: 1, \"1\" and 1.0 differ */
    PASS("[\"jsonpath\", \"$.e\", \"isUnique\"]");
    FAIL("[\"jsonpath\", \"$.d\", \"isUnique\"]",
         "expected isUnique, got list [\"a\", \"b\", \"a\"] (element [2] repeats an earlier one)");
    FAIL("[\"jsonpath\", \"$.dn\", \"isUnique\"]", NULL);
    FAIL("[\"jsonpath\", \"$.s\", \"isUnique\"]", "expected isUnique, got string \"aa\"");
    PASS("[\"jsonpath\", \"$.d\", \"not\", \"isUnique\"]");
}

Test(assert, regex_count) {
    set_body("<table>\n<tr><td>1</td></tr>\n<tr><td>2</td></tr>\n<TR>x</TR><tr>é</tr></table>");
    PASS("[\"regexCount\", \"<tr>\", \"==\", 3]");
    PASS("[\"regexCount\", \"<tr>\", \"<=\", 20]");
    FAIL("[\"regexCount\", \"<tr>\", \"==\", 20]", "expected == 20, got 3");
    PASS("[\"regexCount\", \"<[tT][rR]>\", \"==\", 4]");
    PASS("[\"regexCount\", \"<tr><td>[0-9]</td></tr>\", \"==\", 2]");
    PASS("[\"regexCount\", \"nomatch\", \"==\", 0]");    /* zero exists: a count, not nothing */
    PASS("[\"regexCount\", \"<tr>.</tr>\", \"==\", 1]"); /* . is one character (é) */
    PASS("[\"regexCount\", \"x*\", \"isInteger\"]");     /* empty matches terminate */
    PASS("[\"regexCount\", \"t\", \"==\", 12]");         /* non-overlapping, all of them */
    query_kind_t q;
    cr_assert_eq(query_kind_parse("regexCount", &q), 0);
    cr_assert_eq(q, Q_REGEX_COUNT);
    cr_assert_eq(query_kind_nargs(Q_REGEX_COUNT), 1);
    pred_kind_t p;
    cr_assert_eq(pred_parse("isSorted", &p), 0);
    cr_assert_eq(pred_nargs(p), 0);
    cr_assert_eq(pred_parse("isUnique", &p), 0);
    cr_assert_eq(pred_nargs(p), 0);
    cr_assert_eq(pred_nargs(P_MATCHES), 1);
}

/* Evaluates ["jwt", tok_path, claims_path] over the current body. */
static int jwt_query(const char *tok_path, const char *claims_path, qval_t *out, err_t *e) {
    query_t q = {.kind = Q_JWT, .arg = tok_path, .arg2 = claims_path};
    q.path = jp_compile(tok_path, NULL, e);
    q.path2 = jp_compile(claims_path, NULL, e);
    cr_assert(q.path && q.path2);
    int rc = query_eval(&q, &r, out, e);
    jp_free(q.path);
    jp_free(q.path2);
    return rc;
}

Test(assert, jwt_query_decodes_claims) {
    /* payload {"sub":"42","iat":10,"exp":5184010,"roles":["a","b"]} */
    set_body(
        "{\"user\": {\"token\": \"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI0MiIsImlhdCI6MTAsImV4cCI6NTE4"
        "NDAxMCwicm9sZXMiOlsiYSIsImIiXX0.c2ln\", \"n\": 5, \"bad\": \"a.%%%.c\"}}");
    qval_t v;
    err_t e;
    cr_assert_eq(jwt_query("$.user.token", "$.sub", &v, &e), 0, "%s", e.msg);
    cr_assert(v.exists && cJSON_IsString(v.v));
    cr_assert_str_eq(v.v->valuestring, "42");
    qval_free(&v);
    cr_assert_eq(jwt_query("$.user.token", "$.exp", &v, &e), 0, "%s", e.msg);
    cr_assert(jl_is_integer(v.v) && v.v->valuedouble == 5184010);
    bool pass;
    cJSON *arg = jl_create_integer(5184000);
    cr_assert_eq(pred_eval(P_GT, false, arg, NULL, &v, &pass, NULL, &e), 0);
    cr_assert(pass);
    cJSON_Delete(arg);
    qval_free(&v);
    cr_assert_eq(jwt_query("$.user.token", "$.roles[*]", &v, &e), 0, "%s", e.msg);
    cr_assert(cJSON_IsArray(v.v) && cJSON_GetArraySize(v.v) == 2, "several claims: a list");
    qval_free(&v);
    cr_assert_eq(jwt_query("$.user.token", "$.nbf", &v, &e), 0);
    cr_assert_not(v.exists, "a missing claim is nothing");
    cr_assert_eq(jwt_query("$.user.nope", "$.sub", &v, &e), 0);
    cr_assert_not(v.exists, "no token is nothing");
    cr_assert_eq(jwt_query("$.user.n", "$.sub", &v, &e), -1);
    cr_assert_str_eq(e.msg, "jwt: $.user.n: a number, not a token string");
    cr_assert_eq(jwt_query("$.user.bad", "$.sub", &v, &e), -1);
    cr_assert_str_eq(e.msg,
                     "jwt: $.user.bad: base64: invalid character at offset 0 (url alphabet)");
    cr_assert_eq(query_kind_nargs(Q_JWT), 2);
    query_kind_t k;
    cr_assert_eq(query_kind_parse("jwt", &k), 0);
    cr_assert_eq(k, Q_JWT);
}

Test(assert, headers_query_is_always_a_list) {
    PASS("[\"headers\", \"x-multi\", \"==\", [\"one\", \"two\"]]");
    PASS("[\"headers\", \"Content-Type\", \"==\", [\"application/json\"]]");
    PASS("[\"headers\", \"Connection\", \"==\", []]"); /* absent: an empty list, not nothing */
    PASS("[\"headers\", \"Connection\", \"not\", \"contains\", \"close\"]");
    PASS("[\"headers\", \"Connection\", \"exists\"]");
    FAIL("[\"header\", \"Connection\", \"not\", \"==\", \"close\"]", NULL); /* header: nothing */
    FAIL("[\"headers\", \"X-Multi\", \"not\", \"contains\", \"two\"]",
         "expected not contains \"two\", got list [\"one\", \"two\"]");
    cr_assert_eq(query_kind_nargs(Q_HEADERS), 1);
}
