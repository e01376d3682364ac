/* test_request.c: targets/quill/src/request.c — URL decoding, query arguments, headers
 * (case-insensitive, in-place NUL termination), cookies, the JSON body, `g` storage. */
#include "internal.h"

#include <criterion/criterion.h>
#include <string.h>

static quill_arena *a;
static qp_header hdrs[32];
static qp_request p;
static quill_req req;
static char raw[2048];

static void load(const char *head) {
    size_t n = strlen(head);
    memcpy(raw, head, n + 1);
    memset(&p, 0, sizeof(p));
    p.headers = hdrs;
    p.num_headers_cap = 32;
    qp_limits lim = {8192, 32768, 32};
    int st;
    cr_assert_gt(quill__parse_request(raw, n, 0, &lim, &p, &st), 0);
    quill__req_init(&req, NULL, NULL, a, &p);
}

static void setup(void) {
    a = quill_arena_new(1024);
}
static void teardown(void) {
    quill_arena_free(a);
}
TestSuite(request, .init = setup, .fini = teardown);

Test(request, url_decode) {
    quill_str s = quill_url_decode(a, "a%20b+c%2Fd%zz%4", 16, false);
    cr_assert_str_eq(s.ptr, "a b+c/d%zz%4", "invalid escapes kept");
    s = quill_url_decode(a, "a+b%2B", 6, true);
    cr_assert_str_eq(s.ptr, "a b+");
    s = quill_url_decode(a, "x%00y", 5, false);
    cr_assert_eq(s.len, 3, "embedded NUL kept, len tells");
}

Test(request, strict_decode_and_utf8) {
    quill_str s;
    cr_assert_eq(quill_url_decode_strict(a, "J%C3%BCrgen%2Fx", 15, false, &s), 0);
    cr_assert_str_eq(s.ptr, "Jürgen/x");
    const char *bad[] = {"%zz", "%", "a%4", "%FF", "%C3", "%C0%AF", "%ED%A0%80", "%F4%90%80%80"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        cr_assert_eq(quill_url_decode_strict(a, bad[i], strlen(bad[i]), false, &s), -1, "%s",
                     bad[i]);
        cr_assert_null(s.ptr);
    }
    cr_assert(quill_utf8_valid("日本🎉", strlen("日本🎉")));
    cr_assert_not(quill_utf8_valid("\xe6\x97", 2), "truncated");
}

Test(request, method_path_query) {
    load("GET /a%20b/c?x=1&y=%C3%A9+z HTTP/1.1\r\nHost: h\r\n\r\n");
    cr_assert_str_eq(quill_req_method(&req).ptr, "GET");
    cr_assert_str_eq(quill_req_path(&req).ptr, "/a%20b/c", "raw path, NUL-terminated");
    cr_assert_str_eq(quill_req_query(&req).ptr, "x=1&y=%C3%A9+z");
    cr_assert_str_eq(quill_req_arg(&req, "y").ptr, "é z");
    cr_assert_str_eq(quill_req_arg(&req, "x").ptr, "1");
    cr_assert_null(quill_req_arg(&req, "z").ptr);
    cr_assert_eq(quill_req_http_minor(&req), 1);
}

Test(request, args_edge_cases) {
    load("GET /?tag=&flag&a=1&a=2&%74ag2=v&b+c=d&&=e HTTP/1.1\r\nHost: h\r\n\r\n");
    quill_str tag = quill_req_arg(&req, "tag");
    cr_assert_not_null(tag.ptr, "present but empty");
    cr_assert_eq(tag.len, 0);
    cr_assert_not_null(quill_req_arg(&req, "flag").ptr);
    cr_assert_str_eq(quill_req_arg(&req, "a").ptr, "1", "first wins");
    cr_assert_str_eq(quill_req_arg(&req, "tag2").ptr, "v", "names are decoded");
    cr_assert_str_eq(quill_req_arg(&req, "b c").ptr, "d");
    load("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
    cr_assert_null(quill_req_arg(&req, "x").ptr);
    cr_assert_null(quill_req_query(&req).ptr);
}

Test(request, headers) {
    load("GET / HTTP/1.1\r\nHost: h\r\nX-Token:   abc def  \r\nx-token: second\r\nEmpty:\r\n\r\n");
    quill_str v = quill_req_header(&req, "x-TOKEN");
    cr_assert_str_eq(v.ptr, "abc def", "first, trimmed, NUL-terminated");
    cr_assert_eq(v.len, 7);
    cr_assert_str_eq(quill_req_header(&req, "empty").ptr, "");
    cr_assert_null(quill_req_header(&req, "missing").ptr);
    cr_assert_eq(quill_req_header_count(&req), 4);
    quill_str n, val;
    cr_assert_eq(quill_req_header_at(&req, 2, &n, &val), 0);
    cr_assert_str_eq(n.ptr, "x-token");
    cr_assert_str_eq(val.ptr, "second");
    cr_assert_eq(quill_req_header_at(&req, 4, &n, &val), -1);
}

Test(request, cookies) {
    load("GET / HTTP/1.1\r\nHost: h\r\nCookie: a=1; session=\"xyz\"; b = 2 ;empty=\r\n"
         "Cookie: late=3\r\n\r\n");
    cr_assert_str_eq(quill_req_cookie(&req, "a").ptr, "1");
    cr_assert_str_eq(quill_req_cookie(&req, "session").ptr, "xyz");
    cr_assert_str_eq(quill_req_cookie(&req, "b").ptr, "2");
    cr_assert_str_eq(quill_req_cookie(&req, "empty").ptr, "");
    cr_assert_str_eq(quill_req_cookie(&req, "late").ptr, "3");
    cr_assert_null(quill_req_cookie(&req, "sess").ptr);
}

Test(request, json_body_and_g) {
    load("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 9\r\n\r\n");
    char body[] = "{\"a\":[1]}";
    req.body = body;
    req.body_len = 9;
    cJSON *j = quill_req_json(&req);
    cr_assert_not_null(j);
    cr_assert_eq(quill_req_json(&req), j, "parsed once");
    cr_assert(cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(j, "a")));
    req.json_parsed = false;
    req.body = "{bad";
    req.body_len = 4;
    cr_assert_null(quill_req_json(&req));
    int x = 5;
    cr_assert_eq(quill_req_g_set(&req, "user", &x), 0);
    cr_assert_eq(quill_req_g_get(&req, "user"), &x);
    cr_assert_null(quill_req_g_get(&req, "other"));
    int y = 6;
    quill_req_g_set(&req, "user", &y);
    cr_assert_eq(quill_req_g_get(&req, "user"), &y, "replaced");
    quill_arena_reset(a); /* frees the cJSON tree (ASan would flag a leak otherwise) */
}

/* Absolute-form targets route by the path after the authority; the raw target stays as sent. */
Test(request, absolute_form_path_and_query) {
    load("GET http://127.0.0.1:8080/api/articles?tag=a%20b&limit=2 HTTP/1.1\r\nHost: x\r\n\r\n");
    cr_assert_str_eq(quill_req_path(&req).ptr, "/api/articles");
    cr_assert_str_eq(quill_req_query(&req).ptr, "tag=a%20b&limit=2");
    cr_assert_str_eq(quill_req_arg(&req, "tag").ptr, "a b");
    quill_str t = quill_req_target(&req);
    cr_assert(t.len == 52 && !memcmp(t.ptr, "http://127.0.0.1:8080/api/articles", 34));
    load("GET http://example.com HTTP/1.1\r\nHost: x\r\n\r\n");
    cr_assert_str_eq(quill_req_path(&req).ptr, "/", "an empty path is /");
    cr_assert_null(quill_req_query(&req).ptr);
    load("GET https://example.com?q=1 HTTP/1.1\r\nHost: x\r\n\r\n");
    cr_assert_str_eq(quill_req_path(&req).ptr, "/");
    cr_assert_str_eq(quill_req_query(&req).ptr, "q=1");
}
