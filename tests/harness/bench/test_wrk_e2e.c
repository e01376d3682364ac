/* End to end of harness/bench/wrk.c with the real wrk: a closed-loop run against a server that
 * stops the world once (tests/fixtures/openloop_server.c --stall-after/--stall-ms). Only the
 * requests in flight during the stall are slow; wrk's own correction turns them into thousands of
 * slow samples (its p99 lands inside the stall), while parity's figures count the answers wrk
 * recorded. No assertion depends on this machine's speed: the synthetic share is the stall over
 * the run's length whatever the request rate (see the comment in the test). */
#include <criterion/criterion.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/scenario.h"
#include "core/file.h"
#include "bench/wrk.h"
#include "openloop_fixture.h"

#define CONNS    8
#define STALL_MS 400

Test(wrk_e2e, a_stall_counts_the_requests_it_held, .fini = fixture_stop, .timeout = 60) {
    char dir[] = "/tmp/parity-test-wrk-XXXXXX";
    cr_assert(mkdtemp(dir));
    char scn_path[256], lua[256], json[256];
    snprintf(scn_path, sizeof scn_path, "%s/one.json", dir);
    snprintf(lua, sizeof lua, "%s/one.lua", dir);
    snprintf(json, sizeof json, "%s/one.out.json", dir);
    FILE *f = fopen(scn_path, "w");
    fputs("{\"scenario\": \"one\", \"requests\": [{\"method\": \"GET\", \"path\": \"/x\"}],"
          " \"expect\": {\"status\": 200}}",
          f);
    fclose(f);
    scn_t s;
    err_t err;
    cr_assert_eq(scn_load(scn_path, &s, &err), 0, "%s", err.msg);
    buf_t script;
    buf_init(&script, 0);
    scn_lua_opts_t lo = {.out_json = json, .nonce = "e2e"};
    cr_assert_eq(scn_lua(&s, NULL, 0, &lo, &script, &err), 0, "%s", err.msg);
    f = fopen(lua, "w");
    fwrite(script.ptr, 1, script.len, f);
    fclose(f);
    buf_free(&script);

    int port = fixture_start((const char *const[]){"--port", "0", "--stall-after", "200",
                                                   "--stall-ms", "400", "--max-s", "60", NULL});
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/", port);
    wrk_opts_t wo = {.url = url,
                     .script = lua,
                     .json_out = json,
                     .threads = 1,
                     .connections = CONNS,
                     .duration_s = 2};
    wrk_result_t r;
    double util;
    int rc = wrk_run(&wo, &r, &util, &err);
    fixture_stop();
    cr_assert_eq(rc, 0, "%s", err.msg);
    cr_assert_gt(r.requests, 10 * CONNS, "too few answers to say anything (%lld)", r.requests);
    cr_assert_eq(r.err_timeout, 0);

    /* One recorded sample per answer; the stall held at most one request per connection. */
    long long recorded = 0, slow = 0;
    for (size_t i = 0; i < r.nhist; i++) {
        recorded += r.hist[i][1];
        if (r.hist[i][0] >= (STALL_MS - 100) * 1000LL) slow += r.hist[i][1];
    }
    cr_assert_eq(recorded, r.requests);
    cr_assert(slow >= 1 && slow <= CONNS, "%lld answers held by the stall (%d connections)", slow,
              CONNS);
    cr_assert_lt(r.p99_us, (STALL_MS - 100) * 1000.0, "p99 %.0f us: more than 1%% were held?",
                 r.p99_us);
    cr_assert_float_eq(r.lat_max_us, (double)r.hist[r.nhist - 1][0], 1e-9);

    /* What wrk itself said. Its interval is e = duration x CONNS / requests, and each held
     * request of ~STALL_MS adds about STALL_MS / e samples, so the synthetic samples are about
     * slow x STALL_MS x requests / (duration x CONNS): some 20% of the answers with all eight
     * held, a quarter of them above STALL_MS - 100 ms, at any request rate. */
    cr_assert_gt(r.wrk_added, r.requests / 50, "wrk's correction added %lld samples to %lld",
                 r.wrk_added, r.requests);
    if (slow == CONNS)
        cr_assert_geq(r.wrk_p99_us, (STALL_MS - 100) * 1000.0,
                      "wrk's own p99 %.0f us: the correction should have put it in the stall",
                      r.wrk_p99_us);
    wrk_result_free(&r);
    scn_free(&s);
    file_rmtree(dir);
}
