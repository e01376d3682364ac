/* http: the libcurl transport against the fixture server: methods (HEAD, OPTIONS, POST with a
 * body), headers captured in order, keep-alive reuse, timings, and every transport failure kind
 * (timeout, reset, refused, oversize body) with curl's message. */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "exec/http.h"
#include "core/clock.h"
#include "core/proc.h"
#include "target/target.h"

static target_manifest_t m;
static target_proc_t proc;
static char tmp[256];

static void start(void) {
    snprintf(tmp, sizeof tmp, "/tmp/parity-http-XXXXXX");
    cr_assert_not_null(mkdtemp(tmp));
    err_t err;
    cr_assert_eq(target_manifest_load(TESTS_DIR "/fixtures/targets/fixture/target.json", &m, &err),
                 0, "%s", err.msg);
    char log[300];
    snprintf(log, sizeof log, "%s/fixture.log", tmp);
    target_opts_t o = {.workers = 1, .log_path = log, .build_dir = FIXTURES_BIN_DIR "/../.."};
    cr_assert_eq(target_start(&m, &o, &proc, &err), 0, "%s", err.msg);
}

static void stop(void) {
    target_stop(&proc, NULL);
    target_manifest_free(&m);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    if (system(cmd) != 0) fprintf(stderr, "cannot remove %s\n", tmp);
}

static void mkreq(req_t *r, const char *method, const char *target) {
    req_init(r);
    r->method = method;
    buf_adds(&r->target, target);
    r->timeout_ms = 5000;
}

static void add_header(req_t *r, const char *name, const char *value) {
    r->headers = realloc(r->headers, (r->nheaders + 1) * sizeof *r->headers);
    r->headers[r->nheaders++] = (req_header_t){str_dup(name), str_dup(value)};
}

Test(http, get_headers_body_timings_keepalive, .init = start, .fini = stop, .timeout = 30) {
    http_client_t *c = http_client_new();
    req_t rq;
    mkreq(&rq, "GET", "/ok/user");
    resp_t rs;
    resp_init(&rs);
    http_outcome_t out;
    err_t err;
    cr_assert_eq(http_send(c, proc.url, &rq, &rs, &out, &err), 0, "%s", err.msg);
    cr_assert_eq(rs.status, 200);
    cr_assert_str_eq(buf_cstr(&rs.body),
                     "{\"user\":{\"id\":1,\"name\":\"alice\",\"tags\":[\"a\",\"b\"]}}");
    cr_assert_str_eq(resp_header(&rs, "x-fixture"), "yes");
    cr_assert_str_eq(rs.headers[0].name, "Server", "headers in the order received");
    cr_assert_str_eq(resp_header(&rs, "Content-Type"), "application/json; charset=utf-8");
    cr_assert(!out.reused, "the first request opens a connection");
    cr_assert_gt(out.total_ms, 0);
    cr_assert_geq(out.total_ms, out.ttfb_ms);
    cr_assert_geq(out.ttfb_ms, out.connect_ms);
    cr_assert_eq(rs.duration_ms, out.total_ms);
    /* Second request: same connection. */
    cr_assert_eq(http_send(c, proc.url, &rq, &rs, &out, &err), 0, "%s", err.msg);
    cr_assert(out.reused, "keep-alive: the connection is reused");
    cr_assert_eq(out.connect_ms, 0);
    cr_assert_eq(rs.nheaders, 4, "the response was reset between requests");
    resp_free(&rs);
    req_free(&rq);
    http_client_free(c);
}

Test(http, head_options_post, .init = start, .fini = stop, .timeout = 30) {
    http_client_t *c = http_client_new();
    resp_t rs;
    resp_init(&rs);
    http_outcome_t out;
    err_t err;
    req_t rq;
    mkreq(&rq, "HEAD", "/ok/user");
    cr_assert_eq(http_send(c, proc.url, &rq, &rs, &out, &err), 0, "%s", err.msg);
    cr_assert_eq(rs.status, 200);
    cr_assert_eq(rs.body.len, 0, "HEAD has no body");
    cr_assert_str_eq(resp_header(&rs, "Content-Length"), "49");
    req_free(&rq);
    mkreq(&rq, "OPTIONS", "/anything");
    cr_assert_eq(http_send(c, proc.url, &rq, &rs, &out, &err), 0, "%s", err.msg);
    cr_assert_eq(rs.status, 204);
    cr_assert_str_eq(resp_header(&rs, "Allow"), "GET, HEAD, POST, OPTIONS");
    req_free(&rq);
    mkreq(&rq, "POST", "/echo?a=1&b=%20");
    add_header(&rq, "Authorization", "Token abc");
    add_header(&rq, "Content-Type", "application/json");
    rq.content_type = rq.headers[1].value;
    rq.has_body = true;
    buf_adds(&rq.body, "{\"x\":[1,2.50]}");
    cr_assert_eq(http_send(c, proc.url, &rq, &rs, &out, &err), 0, "%s", err.msg);
    cr_assert_eq(rs.status, 201);
    cr_assert_str_eq(buf_cstr(&rs.body),
                     "{\"echo\":{\"x\":[1,2.50]},\"query\":\"a=1&b=%20\",\"auth\":\"Token abc\"}");
    req_free(&rq);
    /* The connection survived HEAD and the body-less 204. */
    mkreq(&rq, "GET", "/json");
    cr_assert_eq(http_send(c, proc.url, &rq, &rs, &out, &err), 0, "%s", err.msg);
    cr_assert(out.reused);
    req_free(&rq);
    resp_free(&rs);
    http_client_free(c);
}

Test(http, transport_failures, .init = start, .fini = stop, .timeout = 30) {
    http_client_t *c = http_client_new();
    resp_t rs;
    resp_init(&rs);
    http_outcome_t out;
    err_t err;
    req_t rq;
    mkreq(&rq, "GET", "/dev/slow");
    rq.timeout_ms = 200;
    long long t0 = clock_mono_ms();
    cr_assert_eq(http_send(c, proc.url, &rq, &rs, &out, &err), -1);
    cr_assert_lt(clock_mono_ms() - t0, 2000, "the timeout holds");
    cr_assert_eq(out.error, HTTP_ERR_TIMEOUT);
    cr_assert(strstr(err.msg, "timeout: Operation timed out after"), "%s", err.msg);
    cr_assert_eq(rs.status, 0);
    req_free(&rq);
    mkreq(&rq, "GET", "/dev/reset");
    cr_assert_eq(http_send(c, proc.url, &rq, &rs, &out, &err), -1);
    cr_assert_eq(out.error, HTTP_ERR_RESET);
    cr_assert(strstr(err.msg, "connection reset or closed: Recv failure: Connection reset by peer"),
              "%s", err.msg);
    req_free(&rq);
    mkreq(&rq, "GET", "/big");
    cr_assert_eq(http_send(c, proc.url, &rq, &rs, &out, &err), -1);
    cr_assert_eq(out.error, HTTP_ERR_TOO_BIG);
    cr_assert(strstr(err.msg, "the body exceeds 8388608 bytes"), "%s", err.msg);
    cr_assert_leq(rs.body.len, HTTP_MAX_BODY);
    req_free(&rq);
    /* After failures the client still works. */
    mkreq(&rq, "GET", "/json");
    cr_assert_eq(http_send(c, proc.url, &rq, &rs, &out, &err), 0, "%s", err.msg);
    cr_assert_eq(rs.status, 200);
    req_free(&rq);
    resp_free(&rs);
    http_client_free(c);
    cr_assert_str_eq(http_error_name(HTTP_ERR_RESET), "reset");
}

Test(http, connection_refused, .timeout = 30) {
    /* A port that nothing listens on: bind, read the port, close. */
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t sl = sizeof sa;
    cr_assert_eq(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    getsockname(fd, (struct sockaddr *)&sa, &sl);
    close(fd);
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d", ntohs(sa.sin_port));
    http_client_t *c = http_client_new();
    req_t rq;
    mkreq(&rq, "GET", "/");
    resp_t rs;
    resp_init(&rs);
    http_outcome_t out;
    err_t err;
    cr_assert_eq(http_send(c, url, &rq, &rs, &out, &err), -1);
    cr_assert_eq(out.error, HTTP_ERR_CONNECT);
    cr_assert(strstr(err.msg, "cannot connect: "), "%s", err.msg);
    req_free(&rq);
    resp_free(&rs);
    http_client_free(c);
}
