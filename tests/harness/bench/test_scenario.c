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
    cr_assert_eq(scn_load_dir(TESTS_DIR "/../specs/bench/scenarios", &all, &n, &err), 0, "%s", err.msg);
    const char *want[] = {"article-list", "article-read", "comment-create", "feed",
                          "html-home",    "json",         "login",          "mixed",
                          "mixed-login",  "plaintext"};
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
    char lines[REC_MAX][160]; /* "METHOD target|auth|body" of the first REC_MAX requests */
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
                    char method[16] = "", target[96] = "", auth[40] = "";
                    sscanf(bufs[i], "%15s %95s", method, target);
                    char *a = strcasestr(bufs[i], "Authorization: ");
                    if (a && a < end) sscanf(a + 15, "%*s %39s", auth);
                    snprintf(r->lines[r->n], sizeof r->lines[0], "%s %s|%s|%.*s", method, target, auth,
                             (int)(clen < 60 ? clen : 60), end + 4);
                    r->n++;
                }
                bool post = strncmp(bufs[i], "POST", 4) == 0;
                const char *resp = post ? "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok"
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
    wrk_opts_t wo = {.url = url, .script = lua, .json_out = json, .threads = 1, .connections = 2, .duration_s = 1};
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
    const char *combos[] = {"GET /r/a0/10|", "GET /r/a1/10|", "GET /r/a0/20|", "GET /r/a1/20|",
                            "GET /r/a0/30|", "GET /r/a1/30|"};
    for (size_t k = 0; k < 6; k++) {
        bool seen = false;
        for (int i = 0; i < rec.n && !seen; i++) seen = strncmp(rec.lines[i], combos[k], strlen(combos[k])) == 0;
        cr_assert(seen, "never sent %s", combos[k]);
    }
    /* POSTs: both slugs, the token, unique seq values, the escaped quote intact; 1 in 4 requests. */
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
        cr_assert(strstr(rec.lines[i], "\"q\":\"x\\\"y\"") != NULL, "body mangled: %s", rec.lines[i]);
        const char *seq = strstr(rec.lines[i], "\"n\":\"n1-0-");
        cr_assert(seq != NULL, "no seq in %s", rec.lines[i]);
        snprintf(seqs[nseq++], sizeof seqs[0], "%.*s", (int)strcspn(seq + 5, "\""), seq + 5);
    }
    qsort(seqs, (size_t)nseq, sizeof seqs[0], cmp_seq);
    for (int i = 1; i < nseq; i++) cr_assert_str_neq(seqs[i], seqs[i - 1], "seq repeated");
    cr_assert(slug1 && slug2);
    /* 3:1, within 1% (the recording stops at REC_MAX requests, mid-cycle) */
    cr_assert(posts * 3 >= gets - gets / 100 - 3 && posts * 3 <= gets + gets / 100 + 3, "weights 3:1 not kept: %d GET, %d POST", gets, posts);
    wrk_result_free(&r);
    scn_free(&s);
    unlink(lua);
    unlink(json);
    char log[300];
    snprintf(log, sizeof log, "%s.log", json);
    unlink(log);
    rmdir(dir);
}
