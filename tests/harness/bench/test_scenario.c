/* Tests of harness/scenario.c and scenario_lua.c: loading, validation errors with positions,
 * the weighted order, and the generated Lua, run for real by wrk against a tiny recording server
 * (so the script is proven to rotate pools, fill templates, keep {{seq}} unique and write JSON). */
#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench/scenario.h"
#include "core/util.h"
#include "bench/wrk.h"

#define DATA TESTS_DIR "/harness/data/bench"

Test(scenario, loads_the_shipped_scenarios) {
    scn_t *all;
    size_t n;
    err_t err;
    cr_assert_eq(scn_load_dir(TESTS_DIR "/../specs/bench/scenarios", &all, &n, &err), 0, "%s",
                 err.msg);
    const char *want[] = {"article-list", "article-read", "comment-create", "feed",
                          "html-home",    "json",         "login",          "mixed",
                          "mixed-login",  "plaintext",    "web-article",    "web-comment"};
    cr_assert_eq(n, sizeof want / sizeof *want);
    for (size_t i = 0; i < n; i++) {
        bool found = false;
        for (size_t k = 0; k < n; k++) found |= strcmp(all[i].name, want[k]) == 0;
        cr_assert(found, "unexpected scenario %s", all[i].name);
        cr_assert(all[i].expect != NULL, "%s has no expect", all[i].name);
        scn_free(&all[i]);
    }
    free(all);
}

Test(scenario, unknown_key_is_an_error_with_its_position) {
    scn_t s;
    err_t err;
    cr_assert_eq(scn_load(DATA "/typo.json", &s, &err), -1);
    cr_assert(strstr(err.msg, "typo.json:4:24: unknown key \"pth\"") != NULL, "got: %s", err.msg);
}

Test(scenario, template_parts) {
    scn_tmpl_t t;
    err_t err;
    cr_assert_eq(scn_tmpl_parse("/a/{{ slugs }}/x{{seq}}", &t, &err), 0);
    cr_assert_eq(t.n, 4);
    cr_assert_eq(t.parts[0].kind, SCN_TEXT);
    cr_assert_str_eq(t.parts[0].text, "/a/");
    cr_assert_eq(t.parts[1].kind, SCN_POOL);
    cr_assert_str_eq(t.parts[1].text, "slugs");
    cr_assert_eq(t.parts[3].kind, SCN_SEQ);
    scn_tmpl_free(&t);
    cr_assert_eq(scn_tmpl_parse("/a/{{slugs", &t, &err), -1);
    cr_assert_eq(scn_tmpl_parse("/a/{{}}", &t, &err), -1);
    cr_assert_eq(scn_tmpl_parse("/a/{{a b}}", &t, &err), -1);
}

Test(scenario, smooth_weighted_order) {
    scn_t s;
    err_t err;
    cr_assert_eq(scn_load(DATA "/mix.json", &s, &err), 0, "%s", err.msg);
    int order[16];
    size_t n = scn_weighted_order(&s, order, 16);
    cr_assert_eq(n, 4);
    int count[2] = {0, 0};
    for (size_t i = 0; i < n; i++) count[order[i]]++;
    cr_assert_eq(count[0], 3);
    cr_assert_eq(count[1], 1);
    cr_assert_eq(s.nlevels, 2);
    cr_assert_eq(s.levels[1], 8);
    cr_assert_str_eq(s.integrity, "comments");
    scn_free(&s);
}

Test(scenario, unknown_pool_is_reported_when_generating) {
    scn_t s;
    err_t err;
    cr_assert_eq(scn_load(DATA "/badpool.json", &s, &err), 0, "%s", err.msg);
    buf_t lua;
    buf_init(&lua, 0);
    scn_lua_opts_t o = {.out_json = "/tmp/x.json", .nonce = "t"};
    cr_assert_eq(scn_lua(&s, NULL, 0, &o, &lua, &err), -1);
    cr_assert(strstr(err.msg, "pool \"nosuch\"") != NULL, "got: %s", err.msg);
    buf_free(&lua);
    scn_free(&s);
}

/* ---- a recording HTTP server for wrk ------------------------------------------------------ */

#define REC_MAX 4096
typedef struct rec {
    int lfd, port;
    pthread_t th;
    volatile int stop;
    char lines[REC_MAX][272]; /* "METHOD target|auth|body|cookie" (at most 261 bytes) of the first
                                 REC_MAX requests */
    int n;
} rec_t;

static void *rec_main(void *arg) {
    rec_t *r = arg;
    struct pollfd fds[64];
    char bufs[64][8192];
    size_t lens[64];
    int nfd = 1;
    fds[0] = (struct pollfd){.fd = r->lfd, .events = POLLIN};
    while (!r->stop) {
        if (poll(fds, (nfds_t)nfd, 100) <= 0) continue;
        if ((fds[0].revents & POLLIN) && nfd < 64) {
            int c = accept(r->lfd, NULL, NULL);
            if (c >= 0) {
                fds[nfd] = (struct pollfd){.fd = c, .events = POLLIN};
                lens[nfd++] = 0;
            }
        }
        for (int i = 1; i < nfd; i++) {
            if (!(fds[i].revents & (POLLIN | POLLHUP))) continue;
            ssize_t k = read(fds[i].fd, bufs[i] + lens[i], sizeof bufs[i] - 1 - lens[i]);
            if (k <= 0) {
                close(fds[i].fd);
                fds[i] = fds[--nfd];
                memcpy(bufs[i], bufs[nfd], lens[nfd]);
                lens[i] = lens[nfd];
                i--;
                continue;
            }
            lens[i] += (size_t)k;
            bufs[i][lens[i]] = '\0';
            for (;;) { /* answer every complete request in the buffer */
                char *end = strstr(bufs[i], "\r\n\r\n");
                if (!end) break;
                size_t clen = 0;
                char *cl = strcasestr(bufs[i], "Content-Length:");
                if (cl && cl < end) clen = strtoul(cl + 15, NULL, 10);
                size_t total = (size_t)(end + 4 - bufs[i]) + clen;
                if (total > lens[i]) break;
                if (r->n < REC_MAX) {
                    char method[16] = "", target[96] = "", auth[40] = "", cookie[48] = "";
                    sscanf(bufs[i], "%15s %95s", method, target);
                    char *a = strcasestr(bufs[i], "Authorization: ");
                    if (a && a < end) sscanf(a + 15, "%*s %39s", auth);
                    char *ck = strcasestr(bufs[i], "Cookie: ");
                    if (ck && ck < end) sscanf(ck + 8, "%47[^\r]", cookie);
                    snprintf(r->lines[r->n], sizeof r->lines[0], "%s %s|%s|%.*s|%s", method, target,
                             auth, (int)(clen < 60 ? clen : 60), end + 4, cookie);
                    r->n++;
                }
                bool post = strncmp(bufs[i], "POST", 4) == 0;
                /* a form post (the comment form of the web app) answers 303, an API post 201 */
                bool form = post && strncmp(bufs[i], "POST /article/", 14) == 0;
                const char *resp = form   ? "HTTP/1.1 303 See Other\r\nLocation: "
                                            "/article/x#comment-1\r\nContent-Length: 0\r\n\r\n"
                                   : post ? "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok"
                                          : "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
                if (write(fds[i].fd, resp, strlen(resp)) < 0) break;
                memmove(bufs[i], bufs[i] + total, lens[i] - total);
                lens[i] -= total;
                bufs[i][lens[i]] = '\0';
            }
        }
    }
    for (int i = 1; i < nfd; i++) close(fds[i].fd);
    return NULL;
}

static void rec_start(rec_t *r) {
    memset(r, 0, sizeof *r);
    r->lfd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    cr_assert_eq(bind(r->lfd, (struct sockaddr *)&a, sizeof a), 0);
    socklen_t l = sizeof a;
    getsockname(r->lfd, (struct sockaddr *)&a, &l);
    r->port = ntohs(a.sin_port);
    listen(r->lfd, 64);
    pthread_create(&r->th, NULL, rec_main, r);
}

static void rec_stop(rec_t *r) {
    r->stop = 1;
    pthread_join(r->th, NULL);
    close(r->lfd);
}

static int cmp_seq(const void *a, const void *b) {
    return strcmp(a, b);
}

Test(scenario, generated_lua_runs_in_wrk, .timeout = 60) {
    static rec_t rec; /* large: not on the stack */
    scn_t s;
    err_t err;
    cr_assert_eq(scn_load(DATA "/mix.json", &s, &err), 0, "%s", err.msg);
    char *slugs_v[] = {"s-one", "s-two"}, *tokens_v[] = {"tok1"};
    scn_pool_t seeded[2] = {{"slugs", slugs_v, 2}, {"tokens", tokens_v, 1}};
    char dir[] = "/tmp/parity-test-lua-XXXXXX";
    cr_assert(mkdtemp(dir));
    char lua[256], json[256];
    snprintf(lua, sizeof lua, "%s/s.lua", dir);
    snprintf(json, sizeof json, "%s/s.json", dir);
    buf_t script;
    buf_init(&script, 0);
    scn_lua_opts_t o = {.out_json = json, .nonce = "n1", .count_statuses = true};
    cr_assert_eq(scn_lua(&s, seeded, 2, &o, &script, &err), 0, "%s", err.msg);
    FILE *f = fopen(lua, "w");
    fwrite(script.ptr, 1, script.len, f);
    fclose(f);
    buf_free(&script);

    rec_start(&rec);
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/", rec.port);
    wrk_opts_t wo = {.url = url,
                     .script = lua,
                     .json_out = json,
                     .threads = 1,
                     .connections = 2,
                     .duration_s = 1};
    wrk_result_t r;
    double util;
    int rc = wrk_run(&wo, &r, &util, &err);
    rec_stop(&rec);
    cr_assert_eq(rc, 0, "%s", err.msg);
    cr_assert_gt(r.requests, 20);
    cr_assert_eq(r.err_status, 0);
    cr_assert_gt(r.nhist, 0);
    cr_assert(r.counted_created);
    cr_assert_gt(r.created, 0, "response() should count the 201s");
    /* every answer counted by status: the statuses add up to the answers */
    long long counted = 0;
    for (size_t i = 0; i < r.nstatuses; i++) counted += r.status_count[i];
    cr_assert_eq(counted, r.requests, "statuses %lld, answers %lld", counted, r.requests);
    cr_assert_leq(r.p50_us, r.p99_us);

    /* Both pools of the first request go through every combination (mixed radix). */
    const char *combos[] = {"GET /r/a0/10|", "GET /r/a1/10|", "GET /r/a0/20|",
                            "GET /r/a1/20|", "GET /r/a0/30|", "GET /r/a1/30|"};
    for (size_t k = 0; k < 6; k++) {
        bool seen = false;
        for (int i = 0; i < rec.n && !seen; i++)
            seen = strncmp(rec.lines[i], combos[k], strlen(combos[k])) == 0;
        cr_assert(seen, "never sent %s", combos[k]);
    }
    /* POSTs: both slugs, the token, unique seq values, the escaped quote intact; 1 in 4 requests.
     */
    static char seqs[REC_MAX][40];
    int nseq = 0;
    int posts = 0, gets = 0;
    bool slug1 = false, slug2 = false;
    for (int i = 0; i < rec.n; i++) {
        if (strncmp(rec.lines[i], "POST", 4) != 0) {
            gets++;
            continue;
        }
        posts++;
        slug1 |= strncmp(rec.lines[i], "POST /w/s-one|tok1|", 19) == 0;
        slug2 |= strncmp(rec.lines[i], "POST /w/s-two|tok1|", 19) == 0;
        cr_assert(strstr(rec.lines[i], "\"q\":\"x\\\"y\"") != NULL, "body mangled: %s",
                  rec.lines[i]);
        const char *seq = strstr(rec.lines[i], "\"n\":\"n1-0-");
        cr_assert(seq != NULL, "no seq in %s", rec.lines[i]);
        snprintf(seqs[nseq++], sizeof seqs[0], "%.*s", (int)strcspn(seq + 5, "\""), seq + 5);
    }
    qsort(seqs, (size_t)nseq, sizeof seqs[0], cmp_seq);
    for (int i = 1; i < nseq; i++) cr_assert_str_neq(seqs[i], seqs[i - 1], "seq repeated");
    cr_assert(slug1 && slug2);
    /* 3:1, within 1% (the recording stops at REC_MAX requests, mid-cycle) */
    cr_assert(posts * 3 >= gets - gets / 100 - 3 && posts * 3 <= gets + gets / 100 + 3,
              "weights 3:1 not kept: %d GET, %d POST", gets, posts);
    wrk_result_free(&r);
    scn_free(&s);
    unlink(lua);
    unlink(json);
    char log[300];
    snprintf(log, sizeof log, "%s.log", json);
    unlink(log);
    rmdir(dir);
}

/* ---- web scenarios: sessions drawn whole, form values encoded, 303 as the write's answer ---- */

Test(scenario, web_keys_load) {
    scn_t s;
    err_t err;
    cr_assert_eq(scn_load(DATA "/web.json", &s, &err), 0, "%s", err.msg);
    cr_assert_eq(s.npaired, 3);
    cr_assert_eq(scn_pair_group(&s, "cookies"), 0);
    cr_assert_eq(scn_pair_group(&s, "csrfs"), 0);
    cr_assert_eq(scn_pair_group(&s, "slugs"), -1);
    cr_assert_str_eq(s.seed, "web-sessions.json");
    cr_assert(!s.in_default);
    cr_assert(s.count_lua);
    cr_assert(!scn_wrk_counts_enough(&s), "counting: lua must force response()");
    cr_assert_eq(s.nacked, 1);
    cr_assert_eq(s.acked[0], 303, "the form post's success acknowledges the write");
    const scn_tmpl_t *b = &s.reqs[1].body;
    cr_assert_eq(b->parts[0].kind, SCN_POOL);
    cr_assert(b->parts[0].urlencode);
    cr_assert_str_eq(b->parts[2].text, "csrfs");
    cr_assert(b->parts[2].urlencode, "spaces around the filter are allowed");
    scn_free(&s);
    /* the API's write scenarios keep 201 */
    cr_assert_eq(scn_load(DATA "/mix.json", &s, &err), 0, "%s", err.msg);
    cr_assert_eq(s.nacked, 1);
    cr_assert_eq(s.acked[0], 201);
    cr_assert(s.in_default);
    scn_free(&s);
}

Test(scenario, web_key_errors) {
    scn_t s;
    err_t err;
    cr_assert_eq(scn_load(DATA "/ackclash.json", &s, &err), -1);
    cr_assert(strstr(err.msg, "ackclash.json:8:") &&
                  strstr(err.msg, "a read kind succeeds with 200"),
              "got: %s", err.msg);
    cr_assert_eq(scn_load(DATA "/pairtwice.json", &s, &err), -1);
    cr_assert(strstr(err.msg, "pairtwice.json:4:") && strstr(err.msg, "pool \"x\" is paired twice"),
              "got: %s", err.msg);
    cr_assert_eq(scn_load(DATA "/badseed.json", &s, &err), -1);
    cr_assert(strstr(err.msg, "badseed.json:4:11: \"seed\" must name a plan file"), "got: %s",
              err.msg);
    scn_tmpl_t t;
    cr_assert_eq(scn_tmpl_parse("/{{a|lower}}", &t, &err), -1);
    cr_assert(strstr(err.msg, "unknown filter"), "got: %s", err.msg);
    cr_assert_eq(scn_tmpl_parse("/{{seq|urlencode}}", &t, &err), -1);
    cr_assert_eq(scn_tmpl_parse("/{{|urlencode}}", &t, &err), -1);
}

Test(scenario, urlencode_and_samples) {
    buf_t b;
    buf_init(&b, 0);
    cr_assert_eq(scn_urlencode("a Z-._~+/=&%\xc3\xa9", &b), 0);
    cr_assert_str_eq(buf_cstr(&b), "a%20Z-._~%2B%2F%3D%26%25%C3%A9");
    scn_t s;
    err_t err;
    cr_assert_eq(scn_load(DATA "/web.json", &s, &err), 0, "%s", err.msg);
    char *slugs_v[] = {"s1"}, *ck[] = {"sid=u1", "sid=u2"}, *nm[] = {"csrf_token", "csrf_token"},
         *tk[] = {"t1+/", "t2+/"};
    scn_pool_t seeded[4] = {
        {"slugs", slugs_v, 1}, {"cookies", ck, 2}, {"csrf_names", nm, 2}, {"csrfs", tk, 2}};
    buf_reset(&b);
    cr_assert_eq(scn_tmpl_sample(&s, &s.reqs[1].body, seeded, 4, 1, &b, &err), 0, "%s", err.msg);
    cr_assert_str_eq(buf_cstr(&b), "csrf_token=t2%2B%2F&body=c+0");
    /* paired pools of different lengths cannot name one session */
    char *tk3[] = {"a", "b", "c"};
    seeded[3].values = tk3;
    seeded[3].n = 3;
    buf_t lua;
    buf_init(&lua, 0);
    scn_lua_opts_t o = {.out_json = "/tmp/x.json", .nonce = "t"};
    cr_assert_eq(scn_lua(&s, seeded, 4, &o, &lua, &err), -1);
    cr_assert(strstr(err.msg, "paired pools") && strstr(err.msg, "differ in length"), "got: %s",
              err.msg);
    buf_free(&lua);
    buf_free(&b);
    scn_free(&s);
}

Test(scenario, web_lua_keeps_sessions_whole_in_wrk, .timeout = 60) {
    static rec_t rec;
    scn_t s;
    err_t err;
    cr_assert_eq(scn_load(DATA "/web.json", &s, &err), 0, "%s", err.msg);
    char *slugs_v[] = {"s-one", "s-two"};
    char *ck[] = {"sid=u1; csrftoken=k1", "sid=u2; csrftoken=k2", "sid=u3; csrftoken=k3"};
    char *nm[] = {"csrf_token", "csrf_token", "csrf_token"}, *tk[] = {"t1+/=", "t2+/=", "t3+/="};
    scn_pool_t seeded[4] = {
        {"slugs", slugs_v, 2}, {"cookies", ck, 3}, {"csrf_names", nm, 3}, {"csrfs", tk, 3}};
    char dir[] = "/tmp/parity-test-web-XXXXXX";
    cr_assert(mkdtemp(dir));
    char lua[256], json[256];
    snprintf(lua, sizeof lua, "%s/s.lua", dir);
    snprintf(json, sizeof json, "%s/s.json", dir);
    buf_t script;
    buf_init(&script, 0);
    scn_lua_opts_t o = {.out_json = json, .nonce = "n1", .count_statuses = true};
    cr_assert_eq(scn_lua(&s, seeded, 4, &o, &script, &err), 0, "%s", err.msg);
    cr_assert(strstr(script.ptr, "local acked = {303}") != NULL);
    /* the session's digit turns fastest: consecutive requests (those in flight together) carry
     * different sessions */
    cr_assert(strstr(script.ptr, "local n = #P[\"cookies\"]\n  local i0 = ") != NULL, "%s",
              script.ptr);
    FILE *f = fopen(lua, "w");
    fwrite(script.ptr, 1, script.len, f);
    fclose(f);
    buf_free(&script);

    rec_start(&rec);
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/", rec.port);
    wrk_opts_t wo = {.url = url,
                     .script = lua,
                     .json_out = json,
                     .threads = 1,
                     .connections = 4,
                     .duration_s = 1};
    wrk_result_t r;
    double util;
    int rc = wrk_run(&wo, &r, &util, &err);
    rec_stop(&rec);
    cr_assert_eq(rc, 0, "%s", err.msg);
    cr_assert_gt(r.requests, 20);
    /* created: exactly the 303 answers (the acknowledged comment posts), none of the 200s */
    long long n303 = 0, n200 = 0;
    for (size_t i = 0; i < r.nstatuses; i++) {
        if (r.status_code[i] == 303) n303 = r.status_count[i];
        if (r.status_code[i] == 200) n200 = r.status_count[i];
    }
    cr_assert_gt(n303, 0);
    cr_assert_eq(r.created, n303, "created %lld, 303s %lld", r.created, n303);
    cr_assert_eq(n303 + n200, r.requests);

    /* Every request carries one session whole: cookie uN with token tN (encoded), never mixed;
     * every session meets every slug (the slug digit and the session digit are independent). */
    bool combo[2][3] = {{false}};
    int posts = 0;
    for (int i = 0; i < rec.n; i++) {
        const char *ln = rec.lines[i];
        const char *sid = strstr(ln, "|sid=u");
        cr_assert(sid != NULL, "no session cookie: %s", ln);
        int u = sid[6] - '1';
        cr_assert(u >= 0 && u < 3, "%s", ln);
        char want_ck[48];
        snprintf(want_ck, sizeof want_ck, "|sid=u%d; csrftoken=k%d", u + 1, u + 1);
        cr_assert(strstr(ln, want_ck) != NULL, "cookie mixed up: %s", ln);
        int slug = strstr(ln, "/article/s-one") ? 0 : strstr(ln, "/article/s-two") ? 1 : -1;
        cr_assert(slug >= 0, "%s", ln);
        if (strncmp(ln, "POST ", 5) == 0) {
            posts++;
            char want[64];
            snprintf(want, sizeof want, "|csrf_token=t%d%%2B%%2F%%3D&body=c+n1-0-", u + 1);
            cr_assert(strstr(ln, want) != NULL, "token not the session's own, or not encoded: %s",
                      ln);
            combo[slug][u] = true;
        }
    }
    cr_assert_gt(posts, 6);
    for (int a = 0; a < 2; a++)
        for (int u = 0; u < 3; u++)
            cr_assert(combo[a][u], "slug %d never posted with session %d", a, u + 1);
    wrk_result_free(&r);
    scn_free(&s);
    unlink(lua);
    unlink(json);
    char log[300];
    snprintf(log, sizeof log, "%s.log", json);
    unlink(log);
    rmdir(dir);
}
