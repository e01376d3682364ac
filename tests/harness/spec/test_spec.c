/* Tests for harness/spec.c and spec_expect.c: the model of a valid suite, and every loader error
 * with its exact file:line:col. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec/spec.h"

#define DATA TESTS_DIR "/harness/data"

static spec_set_t set;

static void setup(void) {
    spec_set_init(&set);
}

static void teardown(void) {
    spec_set_free(&set);
}

TestSuite(spec, .init = setup, .fini = teardown);

/* Loads text as "t.json" and returns the error output (empty if it loaded). */
static const char *load(const char *text) {
    int rc = spec_load_buffer(&set, "t.json", text, strlen(text));
    cr_assert_eq(rc == 0, set.nerrors == 0, "rc %d with %zu errors", rc, set.nerrors);
    return buf_cstr(&set.errors);
}

/* A one-step suite with the step's body replaced by `step` (starts on line 4, column 5). */
static const char *load_step(const char *step) {
    char text[4096];
    snprintf(text, sizeof(text), "{\n  \"suite\": \"t\",\n  \"steps\": [\n    %s\n  ]\n}\n", step);
    return load(text);
}

#define OK_REQ "\"request\": {\"method\": \"GET\", \"path\": \"/\"}"

Test(spec, minimal_file_loads) {
    cr_assert_eq(spec_load_file(&set, DATA "/valid/minimal.json"), 0, "%s", buf_cstr(&set.errors));
    cr_assert_eq(set.n, 1);
    const suite_t *s = spec_find(&set, "minimal");
    cr_assert_not_null(s);
    cr_assert_str_eq(s->description, "");
    cr_assert_eq(s->steps.n, 1);
    const step_t *st = s->steps.items[0];
    cr_assert_eq(st->kind, STEP_REQUEST);
    cr_assert_str_eq(st->name, "ping");
    cr_assert_str_eq(st->req.method, "GET");
    cr_assert_str_eq(st->req.path, "/plaintext");
    cr_assert_eq(st->req.timeout_ms, SPEC_DEFAULT_TIMEOUT_MS);
    cr_assert_eq(st->nstatus, 1);
    cr_assert_eq(st->statuses[0], 200);
    cr_assert_eq(st->loc.line, 4);
    cr_assert_eq(st->loc.col, 5);
    cr_assert_eq(st->status_loc.line, 4);
    cr_assert_eq(st->status_loc.col, 95);
    cr_assert_eq(st->req.body_kind, BODY_NONE);
}

static int count_req(void *ctx, const suite_t *su, const step_t *st) {
    (void)su;
    buf_printf(ctx, "%s %s\n", st->req.method, st->req.path);
    return 0;
}

Test(spec, full_model) {
    cr_assert_eq(spec_load_file(&set, DATA "/valid/full.json"), 0, "%s", buf_cstr(&set.errors));
    const suite_t *s = set.suites[0];
    cr_assert_str_eq(s->name, "full");
    cr_assert_str_eq(s->description, "every feature of the format once");
    cr_assert_eq(cJSON_GetArraySize(s->variables), 3);
    /* setup: the include, expanded, its step positioned in the included file */
    cr_assert_eq(s->setup.n, 1);
    const step_t *inc = s->setup.items[0];
    cr_assert_eq(inc->kind, STEP_INCLUDE);
    cr_assert_str_eq(inc->include_path, "common/register.json");
    cr_assert(str_ends_with(inc->include_file, "/valid/common/register.json"));
    cr_assert_eq(cJSON_GetArraySize(inc->with), 2);
    cr_assert_eq(inc->children.n, 1);
    const step_t *reg = inc->children.items[0];
    cr_assert_str_eq(reg->name, "register {{as}}");
    cr_assert(str_ends_with(reg->loc.file, "/valid/common/register.json"));
    cr_assert_eq(reg->loc.line, 4);
    cr_assert_eq(reg->loc.col, 5);
    cr_assert_str_eq(reg->captures[0].name, "{{as}}_token");
    /* the request step */
    const step_t *st = s->steps.items[0];
    cr_assert_str_eq(st->req.method, "POST");
    cr_assert_eq(st->req.body_kind, BODY_JSON);
    cr_assert_eq(st->req.timeout_ms, 5000);
    cr_assert_eq(cJSON_GetArraySize(st->req.query), 3);
    cr_assert_eq(st->nstatus, 2);
    cr_assert_eq(st->statuses[1], 201);
    cr_assert_eq(st->nasserts, 7);
    cr_assert_eq(st->asserts[0].q.kind, Q_HEADER);
    cr_assert_str_eq(st->asserts[0].q.arg, "Content-Type");
    cr_assert_eq(st->asserts[0].pred, P_STARTS_WITH);
    cr_assert_eq(st->asserts[1].q.kind, Q_JSONPATH);
    cr_assert_not_null(st->asserts[1].q.path);
    cr_assert(st->asserts[1].arg_tmpl);
    cr_assert_not(st->asserts[0].arg_tmpl);
    cr_assert_not_null(st->asserts[3].arg_re); /* matches compiled at load */
    cr_assert(st->asserts[4].negate);
    cr_assert_eq(st->asserts[4].pred, P_EXISTS);
    cr_assert_null(st->asserts[4].arg);
    cr_assert_not_null(st->asserts[5].q.re);
    cr_assert_str_eq(st->asserts[2].text, "[\"jsonpath\", \"$.article.tagList\", \"count\", 2]");
    cr_assert_eq(st->asserts[2].loc.line, 25);
    cr_assert_eq(st->asserts[2].loc.col, 11);
    cr_assert_eq(st->ncaptures, 2);
    cr_assert_str_eq(st->captures[1].name, "slugs");
    cr_assert(st->captures[1].append);
    cr_assert_not(st->captures[0].append);
    cr_assert_eq(st->retry_count, 2);
    cr_assert_eq(st->retry_interval_ms, 10);
    cr_assert_str_eq(step_skip_reason(st, "express"), "reason written here");
    cr_assert_null(step_skip_reason(st, "quill"));
    /* the repeat */
    const step_t *rep = s->steps.items[1];
    cr_assert_eq(rep->kind, STEP_REPEAT);
    cr_assert_str_eq(rep->repeat_tmpl, "{{n}}");
    cr_assert_str_eq(rep->index_var, "i");
    cr_assert_eq(rep->children.n, 2);
    const step_t *fill = rep->children.items[1];
    cr_assert_eq(fill->req.body_kind, BODY_FILL);
    cr_assert_eq(fill->req.fill_size, 20);
    cr_assert_eq(fill->req.fill_char, 'x');
    cr_assert_str_eq(fill->req.fill_suffix, "\"}");
    cr_assert_eq(rep->children.items[0]->req.body_kind, BODY_FORM);
    cr_assert_eq(s->teardown.items[0]->req.body_kind, BODY_RAW);
    cr_assert_str_eq(s->teardown.items[0]->req.raw, "raw {{slug}}");
    buf_t b;
    buf_init(&b, 0);
    cr_assert_eq(spec_each_request(&set, count_req, &b), 0);
    cr_assert_str_eq(buf_cstr(&b), "POST /api/users\nPOST /api/articles\nPUT /form\nPOST /big\n"
                                   "DELETE /api/articles/{{slug}}\n");
    buf_free(&b);
}

Test(spec, syntax_error) {
    cr_assert_str_eq(
        load("{\n  \"suite\": \"x\",\n  \"steps\": [\n    {\"name\": \"a\" \"request\": "
             "{}}\n  ]\n}"),
        "t.json:4:18: expected ',' or '}' in object\n");
    cr_assert_eq(set.n, 0);
}

Test(spec, unknown_key_typo) {
    cr_assert_str_eq(load_step("{\n      \"name\": \"a\",\n      " OK_REQ ",\n"
                               "      \"expect\": {\"staus\": 200}\n    }"),
                     "t.json:7:18: unknown key \"staus\" in expect (did you mean \"status\"?)\n"
                     "t.json:7:17: expect: missing required key \"status\"\n");
}

Test(spec, unknown_keys_everywhere) {
    cr_assert_str_eq(
        load("{\"suite\": \"t\", \"stepz\": [], \"steps\": [{\"name\": \"a\", "
             "\"request\": {\"method\": \"GET\", \"path\": \"/\", \"header\": {}}, "
             "\"expect\": {\"status\": 200}, \"zzz\": 1}]}"),
        "t.json:1:16: unknown key \"stepz\" in suite (did you mean \"steps\"?)\n"
        "t.json:1:137: unknown key \"zzz\" in step (allowed: name, request, expect, "
        "captures, retry, delay, skip, raw, probe, save_jar)\n"
        "t.json:1:95: unknown key \"header\" in request (did you mean \"headers\"?)\n");
}

Test(spec, wrong_types) {
    cr_assert_str_eq(
        load_step("{\"name\": \"a\", \"request\": {\"method\": \"GET\", \"path\": \"/\", "
                  "\"timeout\": \"5s\"}, \"expect\": {\"status\": \"200\"}}"),
        "t.json:4:72: request.timeout must be an integer from 1 to 600000, got string\n"
        "t.json:4:100: expect.status must be an integer from 100 to 599, got string\n");
}

Test(spec, more_wrong_values) {
    cr_assert_str_eq(load_step("{\"name\": 7, \"request\": {\"method\": \"get\", \"path\": \"x\"}, "
                               "\"expect\": {\"status\": [200, 1.5]}, \"delay\": -1}"),
                     "t.json:4:14: step name must be a string, got integer\n"
                     "t.json:4:39: unknown method \"get\" (GET, POST, PUT, PATCH, DELETE, HEAD or "
                     "OPTIONS)\n"
                     "t.json:4:54: request.path must start with '/'\n"
                     "t.json:4:87: expect.status must be an integer from 100 to 599, got 1.5\n"
                     "t.json:4:103: delay must be an integer from 0 to 600000, got -1\n");
}

Test(spec, missing_required_keys) {
    cr_assert_str_eq(load("{\"steps\": [{\"request\": {\"path\": \"/\"}}]}"),
                     "t.json:1:1: suite: missing required key \"suite\"\n"
                     "t.json:1:12: step: missing required key \"name\"\n"
                     "t.json:1:24: request: missing required key \"method\"\n"
                     "t.json:1:12: step: missing required key \"expect\"\n");
}

Test(spec, bad_predicate_and_arguments) {
    cr_assert_str_eq(
        load_step("{\"name\": \"a\", " OK_REQ ", \"expect\": {\"status\": 200, \"asserts\": [\n"
                  "  [\"jsonpath\", \"$.a\", \"equals\", 1],\n"
                  "  [\"jsonpath\", \"$.a\", \"isNull\", 1],\n"
                  "  [\"jsonpath\", \"$.a\", \"==\"],\n"
                  "  [\"jsonpath\", \"$.a\", \"==\", 1, 2],\n"
                  "  [\"jsonpth\", \"$.a\", \"exists\"],\n"
                  "  [\"header\"],\n"
                  "  [\"status\", \"count\", \"x\"],\n"
                  "  [\"body\", \"<\", true],\n"
                  "  [\"body\", \"startsWith\", 1],\n"
                  "  [\"status\", \"not\"],\n"
                  "  []\n]}}"),
        "t.json:5:23: unknown predicate \"equals\"\n"
        "t.json:6:33: predicate \"isNull\" takes no argument\n"
        "t.json:7:23: predicate \"==\" needs one argument\n"
        "t.json:8:32: predicate \"==\" takes one argument, this is a second\n"
        "t.json:9:4: unknown query \"jsonpth\" (status, header, headers, cookie, body, jsonpath, "
        "xpath, regex, regexCount, jwt, variable, duration, url, redirects)\n"
        "t.json:10:4: query \"header\" needs an argument\n"
        "t.json:11:23: count must be an integer from 0 to 2147483647, got string\n"
        "t.json:12:17: predicate \"<\" needs a number or a string, got boolean\n"
        "t.json:13:26: the argument must be a string, got integer\n"
        "t.json:14:3: assert has no predicate (e.g. \"==\", \"exists\", \"isString\")\n"
        "t.json:15:3: an assert must not be empty: it starts with a query (status, header, "
        "headers, "
        "cookie, body, jsonpath, xpath, regex, regexCount, jwt, variable, duration, url, "
        "redirects)\n");
}

Test(spec, bad_regex_and_jsonpath) {
    const char *out = load_step("{\"name\": \"a\", " OK_REQ ", \"expect\": {\"status\": 200, "
                                "\"asserts\": [\n  [\"body\", \"matches\", \"a(b\"],\n"
                                "  [\"regex\", \"[z-a]\", \"exists\"],\n"
                                "  [\"jsonpath\", \"$.a[?(@.b)]\", \"exists\"]\n]}}");
    cr_assert(str_starts_with(out, "t.json:5:23: invalid regex \"a(b\": "), "%s", out);
    cr_assert(strstr(out, "\nt.json:6:13: invalid regex \"[z-a]\": "), "%s", out);
    cr_assert(strstr(out, "\nt.json:7:16: invalid JSONPath \"$.a[?(@.b)]\" at character 5: filters "
                          "are not supported\n"),
              "%s", out);
    cr_assert_eq(set.nerrors, 3);
}

Test(spec, skip_without_reason) {
    cr_assert_str_eq(
        load_step("{\"name\": \"a\", " OK_REQ ", \"expect\": {\"status\": 200},\n"
                  "\"skip\": {\"express\": \"\", \"flask\": \"  \", \"django\": 1, \"\": "
                  "\"why\"}}"),
        "t.json:5:21: skip reason for \"express\" must not be empty\n"
        "t.json:5:34: skip reason for \"flask\" must not be empty\n"
        "t.json:5:50: skip reason for \"django\" must be a string saying why, got "
        "integer\n"
        "t.json:5:53: skip: the target name must not be empty\n");
}

Test(spec, body_kinds_are_exclusive) {
    cr_assert_str_eq(
        load_step("{\"name\": \"a\", \"request\": {\"method\": \"POST\", \"path\": \"/\", "
                  "\"json\": {}, \"form\": {}, \"body\": \"x\"}, \"expect\": "
                  "{\"status\": 200}}"),
        "t.json:4:74: request: \"json\" and \"form\" are mutually exclusive\n"
        "t.json:4:86: request: \"json\" and \"body\" are mutually exclusive\n");
}

Test(spec, fill_body_and_form_checks) {
    cr_assert_str_eq(
        load_step("{\"name\": \"a\", \"request\": {\"method\": \"POST\", \"path\": \"/\", "
                  "\"body\": {\"prefix\": \"abc\", \"fill\": \"xy\", \"size\": 2}}, "
                  "\"expect\": {\"status\": 200}}"),
        "t.json:4:96: body.fill must be exactly one byte (e.g. \"x\")\n");
    spec_set_free(&set);
    spec_set_init(&set);
    cr_assert_str_eq(
        load_step("{\"name\": \"a\", \"request\": {\"method\": \"POST\", \"path\": \"/\", "
                  "\"body\": {\"prefix\": \"abc\", \"fill\": \"x\", \"size\": 2}, "
                  "\"headers\": {\"X\": 1}}, \"expect\": {\"status\": 200}}"),
        "t.json:4:130: header \"X\" must be a string, got integer\n"
        "t.json:4:109: body.size 2 is smaller than prefix + suffix\n");
}

Test(spec, template_syntax_checked_at_load) {
    cr_assert_str_eq(load_step("{\"name\": \"a\", \"request\": {\"method\": \"GET\", \"path\": "
                               "\"/x/{{id\"}, \"expect\": {\"status\": 200}}"),
                     "t.json:4:56: request.path: unterminated template reference (missing \"}}\") "
                     "(at byte 4 of the string)\n");
}

Test(spec, captures_checked) {
    cr_assert_str_eq(load_step("{\"name\": \"a\", " OK_REQ ", \"expect\": {\"status\": 200}, "
                               "\"captures\": {\"t\": [\"jsonpath\", \"$.t\", \"isString\"], "
                               "\"1bad\": [\"status\"], \"ok[]\": [\"cookie\", \"sid\"], \"s\": "
                               "\"status\"}}"),
                     "t.json:4:127: a capture is only a query: no predicate or extra value\n"
                     "t.json:4:140: capture name \"1bad\" is not a variable name\n"
                     "t.json:4:192: a capture must be a list, got string\n");
}

Test(spec, duplicate_keys_and_suite_names) {
    cr_assert_str_eq(load("{\"suite\": \"t\", \"suite\": \"u\", \"steps\": []}"),
                     "t.json:1:16: duplicate key \"suite\"\n");
    spec_set_free(&set);
    spec_set_init(&set);
    cr_assert_str_eq(load("{\"suite\": \"Bad Name\", \"steps\": []}"),
                     "t.json:1:11: suite name \"Bad Name\" must match [a-z0-9-]+\n"
                     "t.json:1:32: steps must not be empty\n");
    spec_set_free(&set);
    spec_set_init(&set);
    const char *paths[] = {DATA "/valid/minimal.json", DATA "/valid/minimal.json"};
    cr_assert_eq(spec_load_paths(&set, paths, 2), -1);
    cr_assert_str_eq(buf_cstr(&set.errors),
                     DATA "/valid/minimal.json:1:1: duplicate suite name "
                          "\"minimal\" (also in " DATA "/valid/minimal.json)\n");
}

Test(spec, include_cycle) {
    cr_assert_eq(spec_load_file(&set, DATA "/errors/cycle.json"), -1);
    cr_assert_str_eq(buf_cstr(&set.errors),
                     DATA "/errors/common/cycle-b.json:4:19: include cycle: " DATA
                          "/errors/common/cycle-a.json -> " DATA
                          "/errors/common/cycle-b.json -> " DATA "/errors/common/cycle-a.json\n");
    cr_assert_eq(set.n, 0);
}

Test(spec, include_params_checked_exactly) {
    cr_assert_eq(spec_load_file(&set, DATA "/errors/missing-param.json"), -1);
    cr_assert_str_eq(buf_cstr(&set.errors), DATA
                     "/errors/missing-param.json:5:14: missing include parameter \"pw\" for " DATA
                     "/errors/../valid/common/register.json\n" DATA
                     "/errors/missing-param.json:5:28: unknown include parameter \"pwd\" (" DATA
                     "/errors/../valid/common/register.json declares no such param)\n");
}

Test(spec, errors_inside_includes_point_into_the_included_file) {
    cr_assert_eq(spec_load_file(&set, DATA "/errors/inner-error.json"), -1);
    cr_assert_str_eq(buf_cstr(&set.errors), DATA
                     "/errors/common/typo.json:4:17: unknown key \"staus\" in expect (did you "
                     "mean \"status\"?)\n" DATA
                     "/errors/common/typo.json:4:16: expect: missing required key \"status\"\n");
}

Test(spec, include_missing_file_and_repeat_checks) {
    cr_assert_str_eq(load_step("{\"include\": \"nope/x.json\"}"),
                     "t.json:4:17: include: nope/x.json: No such file or directory\n");
    spec_set_free(&set);
    spec_set_init(&set);
    cr_assert_str_eq(
        load_step("{\"repeat\": \"3\", \"index\": \"2i\", \"steps\": [], \"name\": \"x\"}"),
        "t.json:4:49: unknown key \"name\" in repeat step (allowed: repeat, index, "
        "steps)\n"
        "t.json:4:16: repeat must be an integer or a template like \"{{n}}\"\n"
        "t.json:4:30: index must be a variable name ([A-Za-z_][A-Za-z0-9_.-]*)\n");
}

Test(spec, directory_loading_skips_subdirectories) {
    cr_assert_eq(spec_load_dir(&set, DATA "/valid"), 0, "%s", buf_cstr(&set.errors));
    cr_assert_eq(set.n, 2);
    cr_assert_str_eq(set.suites[0]->name, "full"); /* sorted by file name */
    cr_assert_str_eq(set.suites[1]->name, "minimal");
}

Test(spec, error_cap) {
    buf_t b;
    buf_init(&b, 0);
    buf_adds(&b, "{\"suite\": \"t\", \"steps\": [");
    for (int i = 0; i < 100; i++) buf_printf(&b, "%s{\"nam\": 1}", i ? "," : "");
    buf_adds(&b, "]}");
    cr_assert_eq(spec_load_buffer(&set, "t.json", b.ptr, b.len), -1);
    cr_assert_eq(set.nerrors, SPEC_MAX_ERRORS + 1);
    cr_assert(str_ends_with(buf_cstr(&set.errors), "t.json: too many errors, stopping\n"));
    buf_free(&b);
}

/* Writes text to dir/name. */
static void put(const char *dir, const char *name, const char *text) {
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f, "%s", path);
    fputs(text, f);
    fclose(f);
}

static const char *chain_dir(char *tmpl, int n) {
    cr_assert_not_null(mkdtemp(tmpl));
    put(tmpl, "suite.json", "{\"suite\": \"deep\", \"steps\": [{\"include\": \"i1.json\"}]}");
    for (int i = 1; i <= n; i++) {
        char name[32], text[256];
        snprintf(name, sizeof(name), "i%d.json", i);
        if (i < n)
            snprintf(text, sizeof(text), "{\"steps\": [{\"include\": \"i%d.json\"}]}", i + 1);
        else
            snprintf(text, sizeof(text),
                     "{\"steps\": [{\"name\": \"leaf\", \"request\": "
                     "{\"method\": \"GET\", \"path\": \"/\"}, \"expect\": "
                     "{\"status\": 200}}]}");
        put(tmpl, name, text);
    }
    return tmpl;
}

static void rm_dir(const char *dir) {
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

Test(spec, include_nesting_limit) {
    char ok[] = "/tmp/parity-spec-XXXXXX", deep[] = "/tmp/parity-spec-XXXXXX";
    char path[600];
    chain_dir(ok, SPEC_MAX_INCLUDE_DEPTH); /* 8 nested includes: allowed */
    snprintf(path, sizeof(path), "%s/suite.json", ok);
    cr_assert_eq(spec_load_file(&set, path), 0, "%s", buf_cstr(&set.errors));
    const step_t *st = set.suites[0]->steps.items[0];
    int depth = 0;
    while (st->kind == STEP_INCLUDE) st = st->children.items[0], depth++;
    cr_assert_eq(depth, SPEC_MAX_INCLUDE_DEPTH);
    cr_assert_str_eq(st->name, "leaf");
    chain_dir(deep, SPEC_MAX_INCLUDE_DEPTH + 1); /* 9: the 8th file's include is refused */
    snprintf(path, sizeof(path), "%s/suite.json", deep);
    cr_assert_eq(spec_load_file(&set, path), -1);
    char want[700];
    snprintf(want, sizeof(want), "%s/i8.json:1:24: includes nested deeper than 8\n", deep);
    cr_assert_str_eq(buf_cstr(&set.errors), want);
    rm_dir(ok);
    rm_dir(deep);
}

Test(spec, suite_and_include_files_are_not_interchangeable) {
    char dir[] = "/tmp/parity-spec-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    put(dir, "a.json", "{\"suite\": \"a\", \"steps\": [{\"include\": \"b.json\"}]}");
    put(dir, "b.json", "{\"suite\": \"b\", \"steps\": []}");
    put(dir, "c.json", "{\"params\": [\"x\", \"x\", \"1y\"], \"steps\": []}");
    char path[600], want[2000];
    snprintf(path, sizeof(path), "%s/a.json", dir);
    cr_assert_eq(spec_load_file(&set, path), -1);
    snprintf(want, sizeof(want),
             "%s/a.json:1:38: include: %s/b.json is a suite file, not an include "
             "file\n",
             dir, dir);
    cr_assert_str_eq(buf_cstr(&set.errors), want);
    spec_set_free(&set);
    spec_set_init(&set);
    snprintf(path, sizeof(path), "%s/c.json", dir);
    cr_assert_eq(spec_load_file(&set, path), -1);
    snprintf(
        want, sizeof(want),
        "%s/c.json:1:1: this is an include file (it has \"params\"), not a suite\n"
        "%s/c.json:1:2: unknown key \"params\" in suite (allowed: $schema, suite, description, "
        "variables, setup, steps, teardown)\n"
        "%s/c.json:1:1: suite: missing required key \"suite\"\n"
        "%s/c.json:1:39: steps must not be empty\n",
        dir, dir, dir, dir);
    cr_assert_str_eq(buf_cstr(&set.errors), want);
    rm_dir(dir);
}

/* Loads one step and returns the errors; resets the set for the next call. */
static const char *load_step_fresh(const char *step) {
    spec_set_free(&set);
    spec_set_init(&set);
    return load_step(step);
}

#define POST_REQ(extra)                                                                            \
    "{\"name\": \"a\", \"request\": {\"method\": \"POST\", \"path\": \"/\", " extra "}, "          \
    "\"expect\": {\"status\": 200}}"

Test(spec, base64_body_and_chunked) {
    cr_assert_str_eq(
        load_step_fresh(POST_REQ("\"body\": {\"base64\": \"/+4A\"}, \"chunked\": true")), "");
    const step_t *st = set.suites[0]->steps.items[0];
    cr_assert_eq(st->req.body_kind, BODY_BYTES);
    cr_assert_eq(st->req.nbytes, 3);
    cr_assert_eq(memcmp(st->req.bytes, "\xff\xee\x00", 3), 0);
    cr_assert(st->req.chunked);
    cr_assert_str_eq(load_step_fresh(POST_REQ("\"body\": {\"base64\": \"\"}")), "");
    cr_assert_eq(set.suites[0]->steps.items[0]->req.nbytes, 0);
    cr_assert_str_eq(load_step_fresh(POST_REQ("\"body\": {\"base64\": \"/+4\"}")),
                     "t.json:4:81: body.base64: length 3 is not a valid encoded length\n");
    cr_assert_str_eq(load_step_fresh(POST_REQ("\"body\": {\"base64\": \"-_4A\"}")),
                     "t.json:4:81: body.base64: invalid character at offset 0 (standard "
                     "alphabet)\n");
    cr_assert_str_eq(load_step_fresh(POST_REQ("\"body\": {\"base64\": 5}")),
                     "t.json:4:81: body.base64 must be a string, got integer\n");
    cr_assert_str_eq(load_step_fresh(POST_REQ("\"body\": {\"base64\": \"\", \"fill\": \"x\"}")),
                     "t.json:4:85: unknown key \"fill\" in request.body (base64) (allowed: "
                     "base64)\n");
}

Test(spec, chunked_checks) {
    cr_assert_str_eq(load_step_fresh(POST_REQ("\"chunked\": true")),
                     "t.json:4:62: request.chunked needs a body (json, form or body)\n");
    cr_assert_str_eq(load_step_fresh(POST_REQ("\"chunked\": 1")),
                     "t.json:4:73: request.chunked must be a boolean, got integer\n");
    cr_assert_str_eq(load_step_fresh(POST_REQ("\"chunked\": false")), "");
    cr_assert_not(set.suites[0]->steps.items[0]->req.chunked);
    cr_assert_str_eq(load_step_fresh(POST_REQ("\"json\": {}, \"chunked\": true, \"headers\": "
                                              "{\"transfer-encoding\": \"chunked\"}")),
                     "t.json:4:103: request.chunked sets Transfer-Encoding itself: remove "
                     "\"transfer-encoding\"\n");
}

Test(spec, new_queries_predicates_and_template_functions_load) {
    cr_assert_str_eq(
        load_step_fresh("{\"name\": \"a\", \"request\": {\"method\": \"GET\", \"path\": \"/\", "
                        "\"headers\": {\"Authorization\": \"Token {{jwt(sub='1', exp=-5)}}\"}}, "
                        "\"expect\": {\"status\": 200, \"asserts\": [[\"regexCount\", \"<tr>\", "
                        "\"<=\", 20], [\"jsonpath\", \"$.t\", \"isSorted\"], [\"jsonpath\", "
                        "\"$.t\", \"not\", \"isUnique\"], [\"jsonpath\", \"$.a\", \"==\", "
                        "\"{{l[-1]}}\"]]}}"),
        "");
    const step_t *st = set.suites[0]->steps.items[0];
    cr_assert_eq(st->asserts[0].q.kind, Q_REGEX_COUNT);
    cr_assert_not_null(st->asserts[0].q.re);
    cr_assert_eq(st->asserts[1].pred, P_IS_SORTED);
    cr_assert_eq(st->asserts[2].pred, P_IS_UNIQUE);
    cr_assert(st->asserts[2].negate);
    cr_assert_str_eq(
        load_step_fresh("{\"name\": \"a\", \"request\": {\"method\": \"GET\", \"path\": \"/\", "
                        "\"headers\": {\"A\": \"{{jwt(alg='RS256')}}\"}}, \"expect\": {\"status\": "
                        "200, \"asserts\": [[\"regexCount\", \"(\", \"==\", 1], [\"jsonpath\", "
                        "\"$\", \"isSorted\", 1]]}}"),
        "t.json:4:78: header: jwt(): unknown alg 'RS256' (HS256, HS384, HS512 or none) (at byte "
        "1 of the string)\n"
        "t.json:4:157: invalid regex \"(\": Unmatched ( or \\(\n"
        "t.json:4:202: predicate \"isSorted\" takes no argument\n");
}

Test(spec, jwt_query_loads_with_two_paths) {
    cr_assert_str_eq(
        load_step_fresh(
            "{\"name\": \"a\", \"request\": {\"method\": \"GET\", \"path\": \"/\"}, "
            "\"expect\": {\"status\": 200, \"asserts\": [[\"jwt\", \"$.user.token\", "
            "\"$.sub\", \"matches\", \"^[0-9]+$\"], [\"jwt\", \"$.t\", \"$.exp\", \"not\", "
            "\"exists\"]]}, \"captures\": {\"id\": [\"jwt\", \"$.user.token\", \"$.sub\"]}}"),
        "");
    const step_t *st = set.suites[0]->steps.items[0];
    cr_assert_eq(st->asserts[0].q.kind, Q_JWT);
    cr_assert_str_eq(st->asserts[0].q.arg2, "$.sub");
    cr_assert_not_null(st->asserts[0].q.path2);
    cr_assert(st->asserts[1].negate);
    cr_assert_eq(st->captures[0].q.kind, Q_JWT);
    cr_assert_str_eq(
        load_step_fresh("{\"name\": \"a\", \"request\": {\"method\": \"GET\", \"path\": \"/\"}, "
                        "\"expect\": {\"status\": 200, \"asserts\": [[\"jwt\", \"$.t\"], [\"jwt\", "
                        "\"$.t\", \"sub\", \"exists\"], [\"jwt\", \"$.t\", 5, \"exists\"]]}}"),
        "t.json:4:108: query \"jwt\" needs a second argument: a JSONPath over the claims (e.g. "
        "\"$.sub\")\n"
        "t.json:4:131: invalid JSONPath \"sub\" at character 1: a JSONPath starts with '$'\n"
        "t.json:4:164: the claims JSONPath must be a string, got integer\n");
}
