/* A result model with every kind of step and awkward text, shared by the writer tests
 * (test_results.c, test_junit.c, test_tap.c). Totals: steps 4 pass, 1 fail, 1 skip, 1 error;
 * target "beta" did not start. */
#ifndef PARITY_TEST_SAMPLE_RUN_H
#define PARITY_TEST_SAMPLE_RUN_H

#include "check/results.h"

/* Contains every XML special, a quote, a newline, a control character and invalid UTF-8. */
#define NASTY_MSG "expected == \"<a & b>\", got 'x'\nline2 \x01 \xff end"
#define UTF8_NAME "login caf\xc3\xa9 #2"

static void sample_run(res_run_t *r) {
    memset(r, 0, sizeof *r);
    r->id = res_strdup("20260101-000000-abcd");
    r->parity_version = res_strdup("0.1.0");
    r->started = res_strdup("2026-01-01T00:00:00.000Z");
    r->finished = res_strdup("2026-01-01T00:00:01.500Z");
    r->duration_ms = 1500;
    r->n = 2;
    r->targets = calloc(2, sizeof *r->targets);
    res_target_t *a = &r->targets[0];
    a->name = res_strdup("alpha");
    a->version = res_strdup("Alpha 1.0 <beta> & \"q\"");
    a->url = res_strdup("http://127.0.0.1:40000");
    a->log = res_strdup("/tmp/logs/alpha.log");
    a->start_ms = 120.5;
    a->n = 2;
    a->suites = calloc(2, sizeof *a->suites);
    res_suite_t *u = &a->suites[0];
    u->name = res_strdup("users");
    u->file = res_strdup("specs/blog/users.json");
    u->duration_ms = 42.25;
    res_step_t *s = res_step_add(u);
    s->name = res_strdup("register");
    s->phase = RES_SETUP;
    s->file = res_strdup("specs/blog/users.json");
    s->line = 10, s->col = 5;
    s->status = RES_PASS;
    s->attempts = 1;
    s->method = res_strdup("POST");
    s->url = res_strdup("http://127.0.0.1:40000/api/users");
    s->http_status = 201;
    s->dns_ms = 0.01, s->connect_ms = 0.1, s->ttfb_ms = 1.5, s->total_ms = 1.75;
    s->duration_ms = 2;
    s = res_step_add(u);
    s->name = res_strdup(UTF8_NAME);
    s->phase = RES_STEPS;
    s->file = res_strdup("specs/blog/users.json");
    s->line = 20, s->col = 5;
    s->status = RES_FAIL;
    s->attempts = 2;
    s->method = res_strdup("GET");
    s->url = res_strdup("http://127.0.0.1:40000/api/user?a=1&b=2");
    s->http_status = 500;
    s->duration_ms = 3;
    res_check_add(s, "status", "specs/blog/users.json", 25, 19, "expected status == 200, got 500");
    res_check_add(s, "[\"jsonpath\", \"$.user.bio\", \"isNull\"]", "specs/blog/users.json", 27, 11,
                  NASTY_MSG);
    s->response = res_strdup("HTTP 500\nContent-Type: text/html\n\n<html>&amp;</html>");
    s->curl = res_strdup("curl -i 'http://127.0.0.1:40000/api/user?a=1&b=2'");
    s = res_step_add(u);
    s->name = res_strdup("profile");
    s->phase = RES_STEPS;
    s->file = res_strdup("specs/blog/users.json");
    s->line = 30, s->col = 5;
    s->status = RES_SKIP;
    s->reason = res_strdup("not run: step \"" UTF8_NAME "\" failed");
    s = res_step_add(u);
    s->name = res_strdup("crash");
    s->phase = RES_STEPS;
    s->file = res_strdup("specs/blog/users.json");
    s->line = 40, s->col = 5;
    s->status = RES_ERROR;
    s->reason = res_strdup("the target crashed during this step: killed by signal 6 (Aborted)");
    s->method = res_strdup("GET");
    s->url = res_strdup("http://127.0.0.1:40000/boom");
    s->attempts = 1;
    s = res_step_add(u);
    s->name = res_strdup("cleanup");
    s->phase = RES_TEARDOWN;
    s->file = res_strdup("specs/blog/users.json");
    s->line = 50, s->col = 5;
    s->iteration = 2;
    s->status = RES_PASS;
    s->attempts = 1;
    s->method = res_strdup("DELETE");
    s->url = res_strdup("http://127.0.0.1:40000/api/x");
    s->http_status = 204;
    res_suite_finish(u);
    res_suite_t *t = &a->suites[1];
    t->name = res_strdup("tags");
    t->file = res_strdup("specs/blog/tags.json");
    for (int i = 0; i < 2; i++) {
        s = res_step_add(t);
        s->name = res_strdup(i ? "second" : "first");
        s->phase = RES_STEPS;
        s->file = res_strdup("specs/blog/tags.json");
        s->line = 3 + (unsigned)i;
        s->col = 5;
        s->status = RES_PASS;
        s->attempts = 1;
        s->method = res_strdup("GET");
        s->url = res_strdup("http://127.0.0.1:40000/api/tags");
        s->http_status = 200;
    }
    res_suite_finish(t);
    res_target_finish(a);
    a->status = RES_ERROR; /* the crash */
    a->error = res_strdup(
        "target alpha crashed (killed by signal 6 (Aborted)) during step \"crash\" of suite users");
    res_target_t *b = &r->targets[1];
    b->name = res_strdup("beta");
    b->status = RES_ERROR;
    b->error = res_strdup(
        "target beta: exited during start-up (exited with status 3)\n    | fatal: <db> & \"x\"");
    b->log = res_strdup("/tmp/logs/beta.log");
}

#endif
