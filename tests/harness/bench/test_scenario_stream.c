/* scenario_stream: the open-loop engine's requests follow the wrk Lua model exactly (weighted
 * order, per-request use counters, mixed-radix pools, {{seq}}, wrk.format's bytes). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/scenario.h"
#include "bench/scenario_stream.h"

static scn_t s;
static scn_pool_t seeded;
static char path[] = "/tmp/parity-stream-XXXXXX";

static void load(const char *json) {
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    cr_assert_eq(write(fd, json, strlen(json)), (ssize_t)strlen(json));
    close(fd);
    err_t err;
    cr_assert_eq(scn_load(path, &s, &err), 0, "%s", err.msg);
    static char *slugs[] = {"a", "b", "c"};
    seeded.name = "slugs";
    seeded.values = slugs;
    seeded.n = 3;
}

static void cleanup(void) {
    scn_free(&s);
    unlink(path);
    snprintf(path, sizeof path, "%s", "/tmp/parity-stream-XXXXXX");
}

TestSuite(scenario_stream, .fini = cleanup);

static const char *const MIX =
    "{\"scenario\": \"mix\", \"pools\": {\"p2\": [\"x\", \"y\"], \"tok\": [\"T1\", \"T2\"]},\n"
    " \"requests\": [\n"
    "  {\"method\": \"GET\", \"path\": \"/r/{{slugs}}/{{p2}}\", \"weight\": 3},\n"
    "  {\"method\": \"POST\", \"path\": \"/w\", \"headers\": {\"Authorization\": \"Token {{tok}}\","
    " \"Content-Type\": \"application/json\"}, \"body\": "
    "\"{\\\"b\\\":\\\"{{seq}}-{{slugs}}\\\"}\"}\n"
    " ]}\n";

Test(scenario_stream, follows_the_lua_model) {
    load(MIX);
    scn_stream_t st;
    err_t err;
    cr_assert_eq(scn_stream_init(&st, &s, &seeded, 1, "127.0.0.1:8080", "n", &err), 0, "%s",
                 err.msg);
    /* smooth weighted round robin of 3:1 is GET GET POST GET, indexed from counter 1 */
    static const char *const want[] = {
        "GET /r/b/x HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n",
        "POST /w HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nAuthorization: Token T2\r\n"
        "Content-Type: application/json\r\nContent-Length: 15\r\n\r\n{\"b\":\"n-0-2-a\"}",
        "GET /r/c/x HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n",
        "GET /r/a/y HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n",
        "GET /r/b/y HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n",
        "POST /w HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nAuthorization: Token T1\r\n"
        "Content-Type: application/json\r\nContent-Length: 15\r\n\r\n{\"b\":\"n-0-6-b\"}",
        "GET /r/c/y HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n",
        "GET /r/a/x HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n",
    };
    buf_t b;
    buf_init(&b, 1u << 20);
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
        bool head = true;
        buf_reset(&b);
        cr_assert_eq(scn_stream_next(&st, &b, &head, &err), 0, "%s", err.msg);
        cr_assert_str_eq(buf_cstr(&b), want[i], "request %zu", i + 1);
        cr_assert_not(head);
    }
    buf_free(&b);
    scn_stream_free(&st);
}

Test(scenario_stream, every_combination_of_two_pools_and_unique_seq) {
    load("{\"scenario\": \"c\", \"pools\": {\"p\": [\"1\", \"2\", \"3\"], \"q\": [\"u\", \"v\"]},"
         " \"requests\": [{\"method\": \"GET\", \"path\": \"/{{p}}/{{q}}/{{seq}}\"}]}");
    scn_stream_t st;
    err_t err;
    cr_assert_eq(scn_stream_init(&st, &s, NULL, 0, "h", "r1", &err), 0);
    buf_t b;
    buf_init(&b, 4096);
    char seen[6][16];
    for (int i = 0; i < 6; i++) {
        bool head;
        buf_reset(&b);
        cr_assert_eq(scn_stream_next(&st, &b, &head, &err), 0);
        char p[8], q[8];
        int seq;
        cr_assert_eq(sscanf(buf_cstr(&b), "GET /%1[0-9]/%1[uv]/r1-0-%d ", p, q, &seq), 3, "%s",
                     buf_cstr(&b));
        cr_assert_eq(seq, i + 1);
        snprintf(seen[i], sizeof seen[i], "%s%s", p, q);
        for (int j = 0; j < i; j++) cr_assert_str_neq(seen[i], seen[j], "combination repeated");
    }
    buf_free(&b);
    scn_stream_free(&st);
}

Test(scenario_stream, host_header_of_the_scenario_and_head_requests) {
    load("{\"scenario\": \"h\", \"requests\": [{\"method\": \"HEAD\", \"path\": \"/\","
         " \"headers\": {\"host\": \"example\"}}]}");
    scn_stream_t st;
    err_t err;
    cr_assert_eq(scn_stream_init(&st, &s, NULL, 0, "127.0.0.1:1", "n", &err), 0);
    buf_t b;
    buf_init(&b, 4096);
    bool head = false;
    cr_assert_eq(scn_stream_next(&st, &b, &head, &err), 0);
    cr_assert_str_eq(buf_cstr(&b), "HEAD / HTTP/1.1\r\nhost: example\r\n\r\n");
    cr_assert(head);
    buf_free(&b);
    scn_stream_free(&st);
}

Test(scenario_stream, unknown_pool_names_the_file_and_request) {
    load("{\"scenario\": \"u\", \"requests\": [{\"method\": \"GET\", \"path\": \"/{{nope}}\"}]}");
    scn_stream_t st;
    err_t err;
    cr_assert_eq(scn_stream_init(&st, &s, &seeded, 1, "h", "n", &err), -1);
    cr_assert(strstr(err.msg, "pool \"nope\""), "%s", err.msg);
    cr_assert(strstr(err.msg, path), "%s", err.msg);
}

/* Paired pools share one index (a session's cookie and its token), the slug digit stays
 * independent, and |urlencode encodes the value: the same model as the Lua. */
static const char *const WEB =
    "{\"scenario\": \"web\", \"pools\": {\"ck\": [\"c0\", \"c1\"], \"tk\": [\"t0+\", \"t1/\"]},\n"
    " \"paired\": [[\"ck\", \"tk\"]],\n"
    " \"requests\": [{\"method\": \"POST\", \"path\": \"/p/{{slugs}}\", \"headers\": {\"Cookie\": "
    "\"{{ck}}\"},"
    " \"body\": \"t={{tk|urlencode}}\", \"expect\": {\"status\": 303}}]}\n";

Test(scenario_stream, paired_pools_and_urlencode) {
    load(WEB);
    scn_stream_t st;
    err_t err;
    cr_assert_eq(scn_stream_init(&st, &s, &seeded, 1, "h", "n", &err), 0, "%s", err.msg);
    /* uses 1..6: the pair's digit first (radix 2: consecutive requests, other sessions), then
     * the slug's (radix 3) */
    static const char *const want[][3] = {{"/p/a", "c1", "t1%2F"}, {"/p/b", "c0", "t0%2B"},
                                          {"/p/b", "c1", "t1%2F"}, {"/p/c", "c0", "t0%2B"},
                                          {"/p/c", "c1", "t1%2F"}, {"/p/a", "c0", "t0%2B"}};
    for (size_t i = 0; i < 6; i++) {
        buf_t b;
        buf_init(&b, 0);
        bool head;
        cr_assert_eq(scn_stream_next(&st, &b, &head, &err), 0, "%s", err.msg);
        char line[64], ck[32], body[32];
        snprintf(line, sizeof line, "POST %s HTTP/1.1\r\n", want[i][0]);
        snprintf(ck, sizeof ck, "Cookie: %s\r\n", want[i][1]);
        snprintf(body, sizeof body, "\r\n\r\nt=%s", want[i][2]);
        cr_assert(strncmp(b.ptr, line, strlen(line)) == 0, "request %zu: %s", i, b.ptr);
        cr_assert(strstr(b.ptr, ck) != NULL, "request %zu: %s", i, b.ptr);
        cr_assert(str_ends_with(b.ptr, body), "request %zu: %s", i, b.ptr);
        buf_free(&b);
    }
    scn_stream_free(&st);
}
