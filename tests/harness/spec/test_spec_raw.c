/* Tests for harness/spec/spec_raw.c: the model of a raw step (pieces, connection, waits, probe)
 * and every loader error of the raw form with its file:line:col. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "spec/spec.h"
#include "spec/spec_raw.h"

static spec_set_t set;

static void setup(void) {
    spec_set_init(&set);
}

static void teardown(void) {
    spec_set_free(&set);
}

TestSuite(spec_raw, .init = setup, .fini = teardown);

/* A one-step suite whose step is `step` (the step's '{' at 4:5). Returns the errors ("" if none).
 */
static const char *load_step(const char *step) {
    char text[8192];
    snprintf(text, sizeof text, "{\n  \"suite\": \"t\",\n  \"steps\": [\n    %s\n  ]\n}\n", step);
    int rc = spec_load_buffer(&set, "t.json", text, strlen(text));
    cr_assert_eq(rc == 0, set.nerrors == 0);
    return buf_cstr(&set.errors);
}

Test(spec_raw, full_model) {
    const char *e = load_step(
        "{\"name\": \"p\", \"raw\": {\"send\": [\"GET / HTTP/1.1\\r\\n\", {\"delay\": 50}, "
        "{\"hex\": \"0d 0A\"}, {\"base64\": \"QUI=\"}, {\"fill\": \"x\", \"size\": 3}, "
        "{\"await\": 1}, {\"shutdown\": true}], \"connection\": \"suite\", \"timeout\": 700, "
        "\"head\": true}, \"probe\": {\"level\": \"SHOULD\", \"ref\": \"RFC 9112 9.3\"}, "
        "\"expect\": {\"status\": [200, 204], \"responses\": 2, \"interim\": 0, \"closed\": 100, "
        "\"alive\": false, \"asserts\": [[\"header\", \"Server\", \"exists\"]]}}");
    cr_assert_str_eq(e, "");
    const step_t *st = set.suites[0]->steps.items[0];
    const raw_spec_t *r = st->raw;
    cr_assert_not_null(r);
    cr_assert_eq(r->npieces, 7);
    cr_assert_eq(r->pieces[0].kind, RAW_PIECE_TEXT);
    cr_assert_eq(r->pieces[1].kind, RAW_PIECE_DELAY);
    cr_assert_eq(r->pieces[1].ms, 50);
    cr_assert_eq(r->pieces[2].kind, RAW_PIECE_BYTES);
    cr_assert_eq(r->pieces[2].len, 2);
    cr_assert_eq(memcmp(r->pieces[2].s, "\r\n", 2), 0);
    cr_assert_eq(memcmp(r->pieces[3].s, "AB", 2), 0);
    cr_assert_eq(r->pieces[4].kind, RAW_PIECE_FILL);
    cr_assert_eq(r->pieces[4].size, 3);
    cr_assert_eq(r->pieces[5].n, 1);
    cr_assert_eq(r->pieces[6].kind, RAW_PIECE_SHUTDOWN);
    cr_assert(r->suite_conn);
    cr_assert_eq(r->timeout_ms, 700);
    cr_assert_eq(r->head, 1);
    cr_assert(r->has_status);
    cr_assert_eq(st->nstatus, 2);
    cr_assert_eq(r->responses.ms, 2);
    cr_assert_eq(r->interim.ms, 0);
    cr_assert_eq(r->closed.ms, 100);
    cr_assert_eq(r->open.ms, -1);
    cr_assert_eq(r->silent.ms, -1);
    cr_assert_not(r->alive);
    cr_assert_eq(r->level, RAW_LEVEL_SHOULD);
    cr_assert_str_eq(r->ref, "RFC 9112 9.3");
    cr_assert_eq(st->nasserts, 1);
}

Test(spec_raw, string_shorthand_and_defaults) {
    cr_assert_str_eq(load_step("{\"name\": \"p\", \"raw\": \"GET / HTTP/1.0\\r\\n\\r\\n\", "
                               "\"expect\": {\"silent\": 200}}"),
                     "");
    const raw_spec_t *r = set.suites[0]->steps.items[0]->raw;
    cr_assert_eq(r->npieces, 1);
    cr_assert_not(r->suite_conn);
    cr_assert_eq(r->timeout_ms, RAW_DEFAULT_TIMEOUT_MS);
    cr_assert_eq(r->head, -1);
    cr_assert(r->alive);
    cr_assert_not(r->has_status);
    cr_assert_eq(r->level, RAW_LEVEL_NONE);
    cr_assert_eq(r->silent.ms, 200);
}

static void expect_error(const char *step, const char *msg) {
    spec_set_free(&set); /* a fresh set: only this step's errors */
    spec_set_init(&set);
    const char *e = load_step(step);
    cr_assert_not_null(strstr(e, msg), "expected \"%s\" in:\n%s", msg, e);
}

Test(spec_raw, errors_point_at_the_value) {
    expect_error("{\"name\": \"p\", \"raw\": 5, \"expect\": {}}",
                 "t.json:4:26: raw must be a string, a list of pieces or an object, got integer");
    expect_error("{\"name\": \"p\", \"raw\": {\"send\": [{\"hex\": \"0g\"}]}, \"expect\": {}}",
                 "t.json:4:44: hex: \"0g\" is not pairs of hex digits");
    expect_error("{\"name\": \"p\", \"raw\": {\"send\": [{\"delay\": 1, \"await\": 1}]}, "
                 "\"expect\": {}}",
                 "one key per piece");
    expect_error("{\"name\": \"p\", \"raw\": {\"send\": [{\"fill\": \"ab\", \"size\": 3}]}, "
                 "\"expect\": {}}",
                 "fill must be exactly one byte");
    expect_error("{\"name\": \"p\", \"raw\": {\"send\": \"x\", \"connection\": \"old\"}, "
                 "\"expect\": {}}",
                 "raw.connection must be \"fresh\" or \"suite\"");
    expect_error("{\"name\": \"p\", \"raw\": \"x\", \"expect\": {\"closed\": 10, \"open\": 10}}",
                 "contradict");
    expect_error("{\"name\": \"p\", \"raw\": \"x\", \"expect\": {\"silent\": 10, \"status\": 200}}",
                 "\"silent\" (no answer) cannot go with a status");
    expect_error("{\"name\": \"p\", \"raw\": \"x\", \"expect\": {\"asserts\": []}}",
                 "expect.asserts need an answer");
    expect_error("{\"name\": \"p\", \"raw\": \"x\", \"expect\": {\"closd\": 10}}",
                 "unknown key \"closd\"");
    expect_error("{\"name\": \"p\", \"raw\": \"x\", \"probe\": {\"level\": \"MUSTN'T\", \"ref\": "
                 "\"x\"}, \"expect\": {}}",
                 "probe.level must be \"MUST\", \"SHOULD\", \"MAY\" or \"contract\"");
    expect_error("{\"name\": \"p\", \"raw\": \"x\", \"request\": {\"method\": \"GET\", \"path\": "
                 "\"/\"}, \"expect\": {}}",
                 "a raw step has no \"request\"");
    expect_error("{\"name\": \"p\", \"raw\": \"{{nope\", \"expect\": {}}",
                 "t.json:4:26: raw.send: unterminated template reference");
}
