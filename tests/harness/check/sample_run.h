/* A result model with every kind of step and awkward text, shared by the writer tests
 * (test_results.c, test_junit.c, test_tap.c). Totals: steps 4 pass, 1 fail, 1 skip, 1 error;
 * target "beta" did not start. */
#ifndef PARITY_TEST_SAMPLE_RUN_H
#define PARITY_TEST_SAMPLE_RUN_H

#include "check/results.h"

/* Contains every XML special, a quote, a newline, a control character and invalid UTF-8. */
#define NASTY_MSG "expected == \"<a & b>\", got 'x'\nline2 \x01 \xff end"
#define UTF8_NAME "login caf\xc3\xa9 #2"

static void sample_run(result_run_t *r) {
    memset(r, 0, sizeof *r);
    r->id = result_strdup("20260101-000000-abcd");
    r->parity_version = result_strdup("0.1.0");
    r->started = result_strdup("2026-01-01T00:00:00.000Z");
    r->finished = result_strdup("2026-01-01T00:00:01.500Z");
    r->duration_ms = 1500;
    r->n = 2;
    r->targets = calloc(2, sizeof *r->targets);
    result_target_t *a = &r->targets[0];
    a->name = result_strdup("alpha");
    a->version = result_strdup("Alpha 1.0 <beta> & \"q\"");
    a->url = result_strdup("http://127.0.0.1:40000");
    a->log = result_strdup("/tmp/logs/alpha.log");
    a->start_ms = 120.5;
    a->n = 2;
    a->suites = calloc(2, sizeof *a->suites);
    result_suite_t *u = &a->suites[0];
    u->name = result_strdup("users");
    u->file = result_strdup("specs/blog/users.json");
    u->duration_ms = 42.25;
    result_step_t *s = result_step_add(u);
    s->name = result_strdup("register");
    s->phase = RESULT_SETUP;
    s->file = result_strdup("specs/blog/users.json");
    s->line = 10, s->col = 5;
    s->status = RESULT_PASS;
    s->attempts = 1;
    s->method = result_strdup("POST");
    s->url = result_strdup("http://127.0.0.1:40000/api/users");
    s->http_status = 201;
    s->dns_ms = 0.01, s->connect_ms = 0.1, s->ttfb_ms = 1.5, s->total_ms = 1.75;
    s->duration_ms = 2;
    s = result_step_add(u);
    s->name = result_strdup(UTF8_NAME);
    s->phase = RESULT_STEPS;
    s->file = result_strdup("specs/blog/users.json");
    s->line = 20, s->col = 5;
    s->status = RESULT_FAIL;
    s->attempts = 2;
    s->method = result_strdup("GET");
    s->url = result_strdup("http://127.0.0.1:40000/api/user?a=1&b=2");
    s->http_status = 500;
    s->duration_ms = 3;
    result_check_add(s, "status", "specs/blog/users.json", 25, 19,
                     "expected status == 200, got 500");
    result_check_add(s, "[\"jsonpath\", \"$.user.bio\", \"isNull\"]", "specs/blog/users.json", 27,
                     11, NASTY_MSG);
    s->response = result_strdup("HTTP 500\nContent-Type: text/html\n\n<html>&amp;</html>");
    s->curl = result_strdup("curl -i 'http://127.0.0.1:40000/api/user?a=1&b=2'");
    s = result_step_add(u);
    s->name = result_strdup("profile");
    s->phase = RESULT_STEPS;
    s->file = result_strdup("specs/blog/users.json");
    s->line = 30, s->col = 5;
    s->status = RESULT_SKIP;
    s->reason = result_strdup("not run: step \"" UTF8_NAME "\" failed");
    s = result_step_add(u);
    s->name = result_strdup("crash");
    s->phase = RESULT_STEPS;
    s->file = result_strdup("specs/blog/users.json");
    s->line = 40, s->col = 5;
    s->status = RESULT_ERROR;
    s->reason = result_strdup("the target crashed during this step: killed by signal 6 (Aborted)");
    s->method = result_strdup("GET");
    s->url = result_strdup("http://127.0.0.1:40000/boom");
    s->attempts = 1;
    s = result_step_add(u);
    s->name = result_strdup("cleanup");
    s->phase = RESULT_TEARDOWN;
    s->file = result_strdup("specs/blog/users.json");
    s->line = 50, s->col = 5;
    s->iteration = 2;
    s->status = RESULT_PASS;
    s->attempts = 1;
    s->method = result_strdup("DELETE");
    s->url = result_strdup("http://127.0.0.1:40000/api/x");
    s->http_status = 204;
    result_suite_finish(u);
    result_suite_t *t = &a->suites[1];
    t->name = result_strdup("tags");
    t->file = result_strdup("specs/blog/tags.json");
    for (int i = 0; i < 2; i++) {
        s = result_step_add(t);
        s->name = result_strdup(i ? "second" : "first");
        s->phase = RESULT_STEPS;
        s->file = result_strdup("specs/blog/tags.json");
        s->line = 3 + (unsigned)i;
        s->col = 5;
        s->status = RESULT_PASS;
        s->attempts = 1;
        s->method = result_strdup("GET");
        s->url = result_strdup("http://127.0.0.1:40000/api/tags");
        s->http_status = 200;
    }
    result_suite_finish(t);
    result_target_finish(a);
    a->status = RESULT_ERROR; /* the crash */
    a->error = result_strdup(
        "target alpha crashed (killed by signal 6 (Aborted)) during step \"crash\" of suite users");
    result_target_t *b = &r->targets[1];
    b->name = result_strdup("beta");
    b->status = RESULT_ERROR;
    b->error = result_strdup(
        "target beta: exited during start-up (exited with status 3)\n    | fatal: <db> & \"x\"");
    b->log = result_strdup("/tmp/logs/beta.log");
}

#endif
