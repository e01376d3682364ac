/* test_response.c: targets/quill/src/response.c — helpers, header rules (no CR/LF injection),
 * and the serialized head (Server, Date, Content-Length, Connection: close; none on 204). */
#include "internal.h"

#include <criterion/criterion.h>
#include <string.h>

static quill_arena *a;
static quill_res res;
static char out[4096];

static void setup(void) {
    a = quill_arena_new(1024);
    quill__res_init(&res, a);
}
static void teardown(void) {
    quill_arena_free(a);
}
TestSuite(response, .init = setup, .fini = teardown);

static const char *head(bool keep) {
    int n = quill__res_serialize_head(&res, "quill", keep, false, out, sizeof(out));
    cr_assert_gt(n, 0);
    out[n] = '\0';
    return out;
}

Test(response, text_head) {
    quill_res_text(&res, 200, "Hello");
    quill_res_add_header(&res, "X-A", "1");
    const char *h = head(true);
    cr_assert_eq(strncmp(h, "HTTP/1.1 200 OK\r\nServer: quill\r\nDate: ", 38), 0, "%s", h);
    cr_assert(strstr(h, " GMT\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 5\r\n"
                        "X-A: 1\r\n\r\n"),
              "%s", h);
    cr_assert_null(strstr(h, "Connection"));
    cr_assert(strstr(head(false), "\r\nConnection: close\r\n\r\n"));
}

Test(response, no_length_on_204) {
    quill_res_empty(&res, 204);
    const char *h = head(true);
    cr_assert(strstr(h, "HTTP/1.1 204 No Content\r\n"));
    cr_assert_null(strstr(h, "Content-Length"));
    cr_assert_null(strstr(h, "Content-Type"));
}

Test(response, header_injection_refused) {
    cr_assert_eq(quill_res_add_header(&res, "X", "a\r\nSet-Cookie: evil=1"), -1);
    cr_assert_eq(quill_res_add_header(&res, "X\r\nY", "a"), -1);
    cr_assert_eq(quill_res_add_header(&res, "Bad Name", "a"), -1);
    cr_assert_eq(quill_res_add_header(&res, "", "a"), -1);
    cr_assert_eq(res.nheaders, 0);
}

Test(response, set_replaces_add_appends) {
    quill_res_add_header(&res, "Set-Cookie", "a=1");
    quill_res_add_header(&res, "Set-Cookie", "b=2");
    cr_assert_eq(res.nheaders, 2);
    quill_res_set_header(&res, "set-cookie", "c=3");
    cr_assert_eq(res.nheaders, 1);
    cr_assert_str_eq(quill_res_get_header(&res, "SET-COOKIE").ptr, "c=3");
}

Test(response, json_helpers) {
    cJSON *j = cJSON_Parse("{\"x\":[1,\"é\"]}");
    quill_res_cjson(&res, 201, j);
    cJSON_Delete(j);
    cr_assert_eq(res.status, 201);
    cr_assert_str_eq(res.content_type, "application/json; charset=utf-8");
    cr_assert_eq(res.body_len, strlen("{\"x\":[1,\"é\"]}"));
    cr_assert_eq(memcmp(res.body, "{\"x\":[1,\"é\"]}", res.body_len), 0);
}

Test(response, reasons_and_dates) {
    cr_assert_str_eq(quill_reason(413), "Content Too Large");
    cr_assert_str_eq(quill_reason(431), "Request Header Fields Too Large");
    cr_assert_str_eq(quill_reason(299), "Unknown");
    quill_str d = quill_http_date();
    cr_assert_eq(d.len, 29, "RFC 1123: %.*s", (int)d.len, d.ptr);
    cr_assert_eq(memcmp(d.ptr + 25, " GMT", 4), 0);
}
