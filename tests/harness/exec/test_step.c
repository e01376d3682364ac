/* Tests for harness/exec/step.c: iteration (repeat, include), request rendering, curl command
 * lines, checking a response and running captures, and the step engine (step_exec: delay, retries,
 * transport errors, the target-gone hook). Uses tests/harness/data/valid/full.json. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "core/jsonloc.h"
#include "exec/step.h"

#define DATA TESTS_DIR "/harness/data"

static spec_set_t set;
static const suite_t *suite;
static vars_t *vars;

static void setup(void) {
    spec_set_init(&set);
    cr_assert_eq(spec_load_file(&set, DATA "/valid/full.json"), 0, "%s", buf_cstr(&set.errors));
    suite = set.suites[0];
    vars = vars_new();
    vars_set_string(vars, "uid", "k3");
    vars_set_string(vars, "target", "quill");
    /* the suite's variables, rendered in order as the runner does */
    err_t e;
    for (const cJSON *v = suite->variables->child; v; v = v->next) {
        cJSON *r = tmpl_render_json(vars, v, &e);
        cr_assert_not_null(r, "%s", e.msg);
        vars_set_take(vars, v->string, r);
    }
}

static void teardown(void) {
    vars_free(vars);
    spec_set_free(&set);
}

TestSuite(step, .init = setup, .fini = teardown);

Test(step, suite_variables_rendered_with_types) {
    cr_assert_str_eq(vars_get(vars, "password")->valuestring, "pw-k3");
    cr_assert(cJSON_IsNumber(vars_get(vars, "n")));
    cr_assert(cJSON_IsArray(vars_get(vars, "tags")));
}

Test(step, iteration_expands_includes_and_repeats) {
    step_iter_t it;
    const step_t *st;
    err_t e;
    buf_t order;
    buf_init(&order, 0);
    step_iter_init(&it, &suite->setup);
    cr_assert_eq(step_iter_next(&it, vars, &st, &e), 0);
    cr_assert_str_eq(st->name, "register {{as}}");
    cr_assert_str_eq(vars_get(vars, "as")->valuestring, "alice"); /* include params set */
    cr_assert_str_eq(vars_get(vars, "pw")->valuestring, "pw-k3");
    buf_t name;
    buf_init(&name, 0);
    cr_assert_eq(step_name(st, vars, &name), 0);
    cr_assert_str_eq(buf_cstr(&name), "register alice");
    cr_assert_eq(step_iter_next(&it, vars, &st, &e), 0);
    cr_assert_null(st);
    step_iter_init(&it, &suite->steps);
    while (step_iter_next(&it, vars, &st, &e) == 0 && st) {
        const cJSON *i = vars_get(vars, "i");
        buf_printf(&order, "%s%s%s;", st->name, i ? "@" : "", i ? jl_number_text(i) : "");
    }
    cr_assert_str_eq(buf_cstr(&order), "create;form {{i}}@0;fill@0;form {{i}}@1;fill@1;"
                                       "form {{i}}@2;fill@2;");
    buf_reset(&name);
    step_name(suite->steps.items[0], vars, &name); /* no refs */
    cr_assert_str_eq(buf_cstr(&name), "create");
    vars_t *empty = vars_new();
    buf_reset(&name);
    step_name(suite->setup.items[0]->children.items[0], empty, &name); /* unknown: as written */
    cr_assert_str_eq(buf_cstr(&name), "register {{as}}");
    vars_free(empty);
    buf_free(&name);
    buf_free(&order);
}

Test(step, repeat_count_errors_and_zero) {
    step_iter_t it;
    const step_t *st;
    err_t e;
    vars_set_string(vars, "n", "three");
    step_iter_init(&it, &suite->steps);
    cr_assert_eq(step_iter_next(&it, vars, &st, &e), 0); /* "create" */
    cr_assert_eq(step_iter_next(&it, vars, &st, &e), -1);
    cr_assert(str_ends_with(e.msg, "/valid/full.json:37:5: repeat: \"three\" is not an integer "
                                   "from 0 to 1000000"),
              "%s", e.msg);
    vars_set_int(vars, "n", 0);
    step_iter_init(&it, &suite->steps);
    cr_assert_eq(step_iter_next(&it, vars, &st, &e), 0);
    cr_assert_eq(step_iter_next(&it, vars, &st, &e), 0);
    cr_assert_null(st); /* zero iterations */
    cr_assert_null(vars_get(vars, "i"));
}

Test(step, build_json_request) {
    vars_set_string(vars, "alice_token", "tok.en");
    req_t r;
    req_init(&r);
    err_t e;
    cr_assert_eq(step_build_request(suite->steps.items[0], vars, &r, &e), 0, "%s", e.msg);
    cr_assert_str_eq(r.method, "POST");
    cr_assert_str_eq(buf_cstr(&r.target), "/api/articles?limit=20&tag=x%20y&flag=true");
    cr_assert_eq(r.nheaders, 2);
    cr_assert_str_eq(r.headers[0].name, "Authorization");
    cr_assert_str_eq(r.headers[0].value, "Token tok.en");
    cr_assert_str_eq(r.headers[1].name, "Content-Type");
    cr_assert_str_eq(r.content_type, "application/json");
    cr_assert(r.has_body);
    cr_assert_str_eq(buf_cstr(&r.body),
                     "{\"article\":{\"title\":\"t-k3\",\"tagList\":[\"a\",\"b\"],\"n\":3}}");
    cr_assert_eq(r.timeout_ms, 5000);
    buf_t c;
    buf_init(&c, 0);
    cr_assert_eq(step_curl_command(&r, "http://127.0.0.1:20100", &c), 0);
    cr_assert_str_eq(buf_cstr(&c),
                     "curl -i -X POST --max-time 5.000 "
                     "'http://127.0.0.1:20100/api/articles?limit=20&tag=x%20y&flag=true' "
                     "-H 'Authorization: Token tok.en' -H 'Content-Type: application/json' "
                     "--data-binary '{\"article\":{\"title\":\"t-k3\",\"tagList\":[\"a\",\"b\"],"
                     "\"n\":3}}'");
    buf_free(&c);
    /* an unknown variable is a step error naming it */
    vars_t *empty = vars_new();
    cr_assert_eq(step_build_request(suite->steps.items[0], empty, &r, &e), -1);
    cr_assert_str_eq(e.msg, "unknown variable \"uid\""); /* body first */
    vars_free(empty);
    req_free(&r);
}

Test(step, build_form_fill_and_raw_bodies) {
    req_t r;
    req_init(&r);
    err_t e;
    const step_t *rep = suite->steps.items[1];
    vars_set_string(vars, "i", "a b&c");
    cr_assert_eq(step_build_request(rep->children.items[0], vars, &r, &e), 0, "%s", e.msg);
    cr_assert_str_eq(buf_cstr(&r.body), "a=a%20b%26c");
    cr_assert_str_eq(r.content_type, "application/x-www-form-urlencoded");
    cr_assert_str_eq(buf_cstr(&r.target), "/form");
    cr_assert_eq(step_build_request(rep->children.items[1], vars, &r, &e), 0, "%s", e.msg);
    cr_assert_eq(r.body.len, 20);
    cr_assert_str_eq(buf_cstr(&r.body), "{\"a\":\"xxxxxxxxxxxx\"}");
    cr_assert_null(r.content_type);
    cr_assert_eq(r.nheaders, 0);
    vars_set_string(vars, "slug", "it's");
    cr_assert_eq(step_build_request(suite->teardown.items[0], vars, &r, &e), 0, "%s", e.msg);
    cr_assert_str_eq(buf_cstr(&r.body), "raw it's");
    cr_assert_str_eq(buf_cstr(&r.target), "/api/articles/it's");
    cr_assert_null(r.content_type); /* the runner must send "Content-Type:" to suppress curl's */
    buf_t c;
    buf_init(&c, 0);
    step_curl_command(&r, "http://h", &c);
    cr_assert_str_eq(buf_cstr(&c), "curl -i -X DELETE --max-time 10.000 'http://h/api/articles/"
                                   "it'\\''s' -H 'Content-Type:' --data-binary 'raw it'\\''s'");
    buf_free(&c);
    req_free(&r);
}

/* A response for the "create" step. */
static void fill_resp(resp_t *r, long status, const char *body) {
    resp_reset(r);
    r->status = status;
    const char *h = "Content-Type: application/json; charset=utf-8\r\n";
    resp_header_line(r, h, strlen(h));
    resp_body_append(r, body, strlen(body));
    r->duration_ms = 3;
}

Test(step, check_passes_then_captures) {
    resp_t r;
    resp_init(&r);
    fill_resp(&r, 201,
              "{\"article\": {\"title\": \"t-k3\", \"tagList\": [\"a\", \"b\"], "
              "\"slug\":\"t-k3-abc\"}}");
    step_result_t res;
    step_result_init(&res);
    cr_assert_eq(step_check(suite->steps.items[0], &r, vars, &res), 0);
    for (size_t i = 0; i < res.n; i++)
        cr_assert(res.items[i].pass, "%s: %s", res.items[i].text, res.items[i].msg);
    cr_assert(res.pass, "%s", res.capture_error);
    cr_assert_eq(res.n, 8);
    cr_assert_str_eq(vars_get(vars, "slug")->valuestring, "t-k3-abc");
    cr_assert_eq(cJSON_GetArraySize(vars_get(vars, "slugs")), 1);
    /* a second pass appends */
    cr_assert_eq(step_check(suite->steps.items[0], &r, vars, &res), 0);
    cr_assert_eq(cJSON_GetArraySize(vars_get(vars, "slugs")), 2);
    step_result_free(&res);
    resp_free(&r);
}

Test(step, check_reports_each_failure_and_skips_captures) {
    resp_t r;
    resp_init(&r);
    fill_resp(&r, 404,
              "{\"article\": {\"title\": \"other\", \"tagList\": [], \"body\": \"x\", "
              "\"slug\": \"UPPER\"}}");
    step_result_t res;
    step_result_init(&res);
    cr_assert_eq(step_check(suite->steps.items[0], &r, vars, &res), 0);
    cr_assert_not(res.pass);
    cr_assert_str_eq(res.items[0].text, "status");
    cr_assert_str_eq(res.items[0].msg, "expected status in [200, 201], got 404");
    cr_assert_eq(res.items[0].loc.line, 21);
    cr_assert_eq(res.items[0].loc.col, 19);
    cr_assert(res.items[1].pass); /* header */
    cr_assert_str_eq(res.items[2].msg, "expected == \"t-k3\", got \"other\"");
    cr_assert_str_eq(res.items[3].msg, "expected count 2, got list of 0 elements");
    cr_assert_str_eq(res.items[4].msg, "expected matches \"^t-[a-z0-9-]+$\", got \"UPPER\"");
    cr_assert_str_eq(res.items[5].msg, "expected not exists, got string \"x\"");
    cr_assert_str_eq(res.items[6].msg, "expected isString, got nothing"); /* regex: no match */
    cr_assert(res.items[7].pass);                                         /* duration */
    cr_assert_eq(res.items[5].loc.line, 27);
    cr_assert_eq(res.items[5].loc.col, 11);
    cr_assert_null(vars_get(vars, "slug")); /* no captures after a failure */
    cr_assert_null(res.capture_error);
    /* a body that is not JSON fails every jsonpath assert with the parse error */
    fill_resp(&r, 201, "<html>");
    cr_assert_eq(step_check(suite->steps.items[0], &r, vars, &res), 0);
    cr_assert_not(res.pass);
    cr_assert_str_eq(res.items[5].msg, "body is not valid JSON: 1:1: unexpected character (a JSON "
                                       "value is expected)");
    step_result_free(&res);
    resp_free(&r);
}

Test(step, capture_that_matches_nothing_fails_the_step) {
    resp_t r;
    resp_init(&r);
    /* status and asserts of the included register step pass; its capture finds no token */
    fill_resp(&r, 201, "{\"user\": {}}");
    step_iter_t it;
    const step_t *st;
    err_t e;
    step_iter_init(&it, &suite->setup);
    cr_assert_eq(step_iter_next(&it, vars, &st, &e), 0);
    step_result_t res;
    step_result_init(&res);
    cr_assert_eq(step_check(st, &r, vars, &res), 0);
    cr_assert_not(res.pass);
    cr_assert(str_ends_with(res.capture_error, "/valid/common/register.json:8:20: capture "
                                               "\"{{as}}_token\": the query matched nothing"),
              "%s", res.capture_error);
    fill_resp(&r, 201, "{\"user\": {\"token\": 12345678901234567890}}");
    cr_assert_eq(step_check(st, &r, vars, &res), 0);
    cr_assert(res.pass);
    cr_assert_str_eq(jl_number_text(vars_get(vars, "alice_token")), "12345678901234567890");
    step_result_free(&res);
    resp_free(&r);
}

Test(step, big_body_curl_is_abbreviated) {
    req_t r;
    req_init(&r);
    r.method = "POST";
    r.timeout_ms = 1000;
    r.has_body = true;
    buf_adds(&r.target, "/x");
    buf_addfill(&r.body, 'y', STEP_CURL_MAX_BODY + 1);
    buf_t c;
    buf_init(&c, 0);
    cr_assert_eq(step_curl_command(&r, "http://h", &c), 0);
    cr_assert(strstr(buf_cstr(&c), "--data-binary @body.bin  # body of 8193 bytes not shown"), "%s",
              buf_cstr(&c));
    cr_assert_lt(c.len, 300);
    buf_free(&c);
    req_free(&r);
}

/* ---- raw bodies on the wire ------------------------------------------------------------------
 * A one-shot loopback server records the exact request bytes, so the test sees what libcurl sent
 * (chunk framing, no Content-Length, the undecoded bytes of a base64 body). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include "exec/http.h"

typedef struct wire {
    int lfd, port;
    buf_t got; /* the request as received */
} wire_t;

static void *wire_serve(void *p) {
    wire_t *w = p;
    int fd = accept(w->lfd, NULL, NULL);
    if (fd < 0) return NULL;
    char b[65536];
    for (int i = 0; i < 1000; i++) { /* bounded: until the request is complete */
        ssize_t n = recv(fd, b, sizeof b, 0);
        if (n <= 0) break;
        buf_add(&w->got, b, (size_t)n);
        const char *s = buf_cstr(&w->got), *end = strstr(s, "\r\n\r\n");
        if (!end) continue;
        if (strstr(s, "Transfer-Encoding: chunked") ? str_ends_with(s, "\r\n0\r\n\r\n")
                                                    : (size_t)(end + 4 - s) + 11 <= w->got.len)
            break;
    }
    const char *ok = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
    if (send(fd, ok, strlen(ok), 0) < 0) perror("send");
    close(fd);
    return NULL;
}

static void wire_start(wire_t *w, pthread_t *th) {
    buf_init(&w->got, 1u << 20);
    w->lfd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    cr_assert_eq(bind(w->lfd, (struct sockaddr *)&a, sizeof a), 0);
    socklen_t len = sizeof a;
    getsockname(w->lfd, (struct sockaddr *)&a, &len);
    w->port = ntohs(a.sin_port);
    cr_assert_eq(listen(w->lfd, 1), 0);
    pthread_create(th, NULL, wire_serve, w);
}

/* Loads a one-step suite whose request is `request`, builds it with vars and sends it. Returns
 * the raw bytes the server received (free with buf_free). */
static buf_t send_step(const char *request, req_t *r) {
    spec_set_t s;
    spec_set_init(&s);
    char text[2048];
    snprintf(text, sizeof text,
             "{\"suite\": \"w\", \"steps\": [{\"name\": \"w\", \"request\": %s, "
             "\"expect\": {\"status\": 200}}]}",
             request);
    cr_assert_eq(spec_load_buffer(&s, "w.json", text, strlen(text)), 0, "%s", buf_cstr(&s.errors));
    err_t e;
    cr_assert_eq(step_build_request(s.suites[0]->steps.items[0], vars, r, &e), 0, "%s", e.msg);
    wire_t w;
    pthread_t th;
    wire_start(&w, &th);
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d", w.port);
    http_client_t *c = http_client_new();
    resp_t resp;
    resp_init(&resp);
    http_outcome_t out;
    cr_assert_eq(http_send(c, url, r, &resp, &out, &e), 0, "%s", e.msg);
    cr_assert_eq(resp.status, 200);
    pthread_join(th, NULL);
    close(w.lfd);
    resp_free(&resp);
    http_client_free(c);
    spec_set_free(&s);
    return w.got;
}

Test(step, base64_body_sent_byte_for_byte, .timeout = 30) {
    req_t r;
    req_init(&r);
    /* "{\"a\":\"\xff\xfe\"}" then a NUL: invalid UTF-8 inside JSON */
    buf_t got = send_step("{\"method\": \"POST\", \"path\": \"/b\", "
                          "\"body\": {\"base64\": \"eyJhIjoi//4ifQA=\"}}",
                          &r);
    cr_assert_eq(r.body.len, 11);
    cr_assert_null(r.content_type);
    const char *s = buf_cstr(&got);
    cr_assert(strstr(s, "Content-Length: 11\r\n"), "%s", s);
    cr_assert_null(strstr(s, "Content-Type"), "no Content-Type on a raw body: %s", s);
    cr_assert(got.len >= 11 && memcmp(s + got.len - 11, "{\"a\":\"\xff\xfe\"}\0", 11) == 0);
    buf_t c;
    buf_init(&c, 0);
    step_curl_command(&r, "http://h", &c);
    cr_assert_str_eq(buf_cstr(&c), "curl -i -X POST --max-time 10.000 'http://h/b' -H "
                                   "'Content-Type:' --data-binary @<(printf "
                                   "'{\"a\":\"\\xff\\xfe\"}\\x00')");
    buf_free(&c);
    buf_free(&got);
    req_free(&r);
}

Test(step, chunked_body_has_no_content_length, .timeout = 30) {
    req_t r;
    req_init(&r);
    buf_t got = send_step("{\"method\": \"PUT\", \"path\": \"/c\", \"chunked\": true, "
                          "\"json\": {\"user\": {\"bio\": \"{{uid}}\"}}}",
                          &r);
    cr_assert(r.chunked);
    const char *s = buf_cstr(&got);
    cr_assert(str_starts_with(s, "PUT /c HTTP/1.1\r\n"), "%s", s);
    cr_assert(strstr(s, "\r\nTransfer-Encoding: chunked\r\n"), "%s", s);
    cr_assert_null(strstr(s, "Content-Length"), "%s", s);
    cr_assert(strstr(s, "\r\n\r\n15\r\n{\"user\":{\"bio\":\"k3\"}}\r\n0\r\n\r\n"),
              "chunk framing (21 = 0x15 bytes): %s", s);
    buf_free(&got);
    /* a fill body past libcurl's inline limit goes through its read path, still chunked */
    got = send_step("{\"method\": \"POST\", \"path\": \"/big\", \"chunked\": true, "
                    "\"body\": {\"fill\": \"x\", \"size\": 200000}}",
                    &r);
    s = buf_cstr(&got);
    cr_assert(strstr(s, "\r\nTransfer-Encoding: chunked\r\n"), "%.300s", s);
    cr_assert_null(strstr(s, "Content-Length"), "%.300s", s);
    cr_assert(str_ends_with(s, "xxx\r\n0\r\n\r\n"));
    size_t xs = 0;
    for (const char *p = strstr(s, "\r\n\r\n"); *p; p++) xs += *p == 'x';
    cr_assert_eq(xs, 200000, "every fill byte arrived once (%zu)", xs);
    buf_free(&got);
    req_free(&r);
}

/* ---- the step engine ---------------------------------------------------------------------------
 * A loopback server answers each connection with the next canned response (Connection: close),
 * so a retried step sees a sequence of answers. */
typedef struct canned {
    int lfd, port;
    const char *const *answers; /* one per connection, NULL-terminated */
    int served;
} canned_t;

static void *canned_serve(void *p) {
    canned_t *c = p;
    for (; c->answers[c->served]; c->served++) {
        int fd = accept(c->lfd, NULL, NULL);
        if (fd < 0) return NULL;
        char b[8192];
        ssize_t n = recv(fd, b, sizeof b, 0); /* the requests here are small and bodiless */
        if (n > 0 && send(fd, c->answers[c->served], strlen(c->answers[c->served]), 0) < 0)
            perror("send");
        close(fd);
    }
    return NULL;
}

static void canned_start(canned_t *c, const char *const *answers, pthread_t *th) {
    c->answers = answers;
    c->served = 0;
    c->lfd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    cr_assert_eq(bind(c->lfd, (struct sockaddr *)&a, sizeof a), 0);
    socklen_t len = sizeof a;
    getsockname(c->lfd, (struct sockaddr *)&a, &len);
    c->port = ntohs(a.sin_port);
    cr_assert_eq(listen(c->lfd, 8), 0);
    pthread_create(th, NULL, canned_serve, c);
}

/* A one-step suite in s: GET /x expecting 200 and {"ok": true}, capturing $.id into id. */
static const step_t *engine_step(spec_set_t *s, const char *extra) {
    spec_set_init(s);
    char text[1024];
    snprintf(text, sizeof text,
             "{\"suite\": \"e\", \"steps\": [{\"name\": \"get x\", %s \"request\": {\"method\": "
             "\"GET\", \"path\": \"/x{{suffix}}\"}, \"expect\": {\"status\": 200, \"asserts\": "
             "[[\"jsonpath\", \"$.ok\", \"==\", true]]}, \"captures\": {\"id\": [\"jsonpath\", "
             "\"$.id\"]}}]}",
             extra);
    cr_assert_eq(spec_load_buffer(s, "e.json", text, strlen(text)), 0, "%s", buf_cstr(&s->errors));
    return s->suites[0]->steps.items[0];
}

#define ANSWER_503 "HTTP/1.1 503 Busy\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
#define ANSWER_OK                                                                                  \
    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 21\r\n"                  \
    "Connection: close\r\n\r\n{\"ok\": true, \"id\": 7}"

Test(step, exec_retries_until_the_checks_pass_then_captures, .timeout = 30) {
    spec_set_t s;
    const step_t *st = engine_step(&s, "\"retry\": {\"count\": 2, \"interval\": 1},");
    static const char *const answers[] = {ANSWER_503, ANSWER_503, ANSWER_OK, NULL};
    canned_t c;
    pthread_t th;
    canned_start(&c, answers, &th);
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d", c.port);
    vars_set_string(vars, "suffix", "");
    http_client_t *hc = http_client_new();
    step_exec_t x;
    step_exec_init(&x);
    cr_assert_eq(step_exec(st, hc, url, vars, NULL, &x), 0, "%d %s", x.state, x.err.msg);
    cr_assert_eq(x.state, STEP_EXEC_PASS);
    cr_assert_eq(x.attempts, 3, "two 503s, then the 200");
    cr_assert_eq(x.resp.status, 200);
    cr_assert_str_eq(buf_cstr(&x.req.target), "/x");
    cr_assert_eq(vars_get(vars, "id")->valueint, 7, "captured after the pass");
    step_exec_free(&x);
    pthread_join(th, NULL);
    close(c.lfd);
    http_client_free(hc);
    spec_set_free(&s);
}

Test(step, exec_reports_the_last_failed_attempt, .timeout = 30) {
    spec_set_t s;
    const step_t *st = engine_step(&s, "\"retry\": {\"count\": 1, \"interval\": 1},");
    static const char *const answers[] = {ANSWER_503, ANSWER_503, NULL};
    canned_t c;
    pthread_t th;
    canned_start(&c, answers, &th);
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d", c.port);
    vars_set_string(vars, "suffix", "");
    http_client_t *hc = http_client_new();
    step_exec_t x;
    step_exec_init(&x);
    cr_assert_eq(step_exec(st, hc, url, vars, NULL, &x), -1);
    cr_assert_eq(x.state, STEP_EXEC_FAIL);
    cr_assert_eq(x.attempts, 2);
    cr_assert_not(x.result.items[0].pass, "status failed");
    cr_assert_null(vars_get(vars, "id"), "no capture from a failed step");
    buf_t d;
    buf_init(&d, 0);
    step_exec_describe(st, &x, &d);
    cr_assert_str_eq(buf_cstr(&d), "e.json:1:26: step \"get x\": GET /x answered 503: expected "
                                   "status == 200, got 503");
    buf_free(&d);
    step_exec_free(&x);
    pthread_join(th, NULL);
    close(c.lfd);
    http_client_free(hc);
    spec_set_free(&s);
}

static int gone_calls[2];
static bool gone_after_error(void *ctx, bool after_error) {
    gone_calls[after_error]++;
    return after_error && ctx != NULL;
}

Test(step, exec_transport_error_asks_whether_the_target_is_gone, .timeout = 30) {
    spec_set_t s;
    const step_t *st = engine_step(&s, "\"retry\": {\"count\": 3, \"interval\": 1},");
    /* a port nobody listens on: bind, read the port, close */
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    cr_assert_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    socklen_t len = sizeof a;
    getsockname(fd, (struct sockaddr *)&a, &len);
    close(fd);
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d", ntohs(a.sin_port));
    vars_set_string(vars, "suffix", "");
    http_client_t *hc = http_client_new();
    step_exec_t x;

    /* no hooks: every attempt is tried, the step ends on the transport error */
    step_exec_init(&x);
    cr_assert_eq(step_exec(st, hc, url, vars, NULL, &x), -1);
    cr_assert_eq(x.state, STEP_EXEC_TRANSPORT);
    cr_assert_eq(x.attempts, 4);
    cr_assert(x.err.msg[0], "curl's reason is kept");
    step_exec_free(&x);

    /* a hook that says the target died: one attempt, then GONE */
    memset(gone_calls, 0, sizeof gone_calls);
    step_exec_hooks_t hooks = {gone_after_error, &hooks};
    step_exec_init(&x);
    cr_assert_eq(step_exec(st, hc, url, vars, &hooks, &x), -1);
    cr_assert_eq(x.state, STEP_EXEC_GONE);
    cr_assert_eq(x.attempts, 1);
    cr_assert_eq(gone_calls[0], 1, "asked once before sending");
    cr_assert_eq(gone_calls[1], 1, "asked after the transport error");
    step_exec_free(&x);
    http_client_free(hc);
    spec_set_free(&s);
}

static bool gone_before(void *ctx, bool after_error) {
    (void)ctx;
    return !after_error;
}

Test(step, exec_build_error_and_gone_before_send_nothing) {
    spec_set_t s;
    const step_t *st = engine_step(&s, "");
    http_client_t *hc = http_client_new();
    step_exec_t x;
    step_exec_init(&x); /* {{suffix}} is not set */
    cr_assert_eq(step_exec(st, hc, "http://127.0.0.1:9", vars, NULL, &x), -1);
    cr_assert_eq(x.state, STEP_EXEC_BUILD_ERROR);
    cr_assert_eq(x.attempts, 0);
    cr_assert(strstr(x.err.msg, "suffix"), "%s", x.err.msg);
    step_exec_free(&x);

    vars_set_string(vars, "suffix", "");
    step_exec_hooks_t hooks = {gone_before, NULL};
    step_exec_init(&x);
    cr_assert_eq(step_exec(st, hc, "http://127.0.0.1:9", vars, &hooks, &x), -1);
    cr_assert_eq(x.state, STEP_EXEC_GONE_BEFORE);
    cr_assert_eq(x.attempts, 0);
    cr_assert_str_eq(buf_cstr(&x.req.target), "/x", "the request was rendered");
    step_exec_free(&x);
    http_client_free(hc);
    spec_set_free(&s);
}
