/* openloop: the engine against a fixture server whose timing is known by construction
 * (tests/fixtures/openloop_server.c). No assertion depends on how fast this machine is: each
 * bound follows from what the server guarantees (an answer never comes before its delay; the
 * stall stops it for at least 500 ms) or from counting (requests due in a window), with slack
 * for a shared 2-core machine where the engine may be descheduled for tens of milliseconds. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/openloop.h"
#include "openloop_fixture.h"

#define MS 1000000ull

static int fixed_request(void *ctx, uint64_t index, buf_t *out, bool *head, err_t *err) {
    (void)ctx, (void)index, (void)err;
    *head = false;
    return buf_adds(out, "GET /x HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
}

static ol_result_t run(int port, int conns, double rate, double secs, ol_policy_t policy,
                       ol_arrivals_t arrivals, double drain_s) {
    ol_opts_t o = {.host = "127.0.0.1",
                   .port = port,
                   .connections = conns,
                   .rate = rate,
                   .duration_s = secs,
                   .policy = policy,
                   .arrivals = arrivals,
                   .seed = 7,
                   .drain_s = drain_s,
                   .request = fixed_request};
    ol_result_t r;
    err_t err;
    cr_assert_eq(ol_result_init(&r), 0);
    cr_assert_eq(ol_run(&o, &r, &err), 0, "%s", err.msg);
    return r;
}

TestSuite(openloop, .fini = fixture_stop, .timeout = 120);

/* 2 ms per answer, 1000 requests/s on 8 connections: the server keeps up (it could carry 4000/s),
 * so the achieved rate must be the target within 1%, and every request answered. Only answers
 * within the 5 s window count, so the 1% (50 requests) also covers the last 2 ms in flight and
 * a scheduler pause of the engine near the end of up to ~45 ms. */
Test(openloop, achieved_rate_matches_target_when_the_server_keeps_up) {
    int port = fixture_start((const char *const[]){"--delay-ms", "2", NULL});
    ol_result_t r = run(port, 8, 1000, 5, OL_QUEUE, OL_UNIFORM, -1);
    cr_assert_eq(r.scheduled, 5000, "uniform arrivals: exactly rate x duration");
    cr_assert_eq(r.sent, 5000);
    cr_assert_eq(r.completed, 5000);
    cr_assert_eq(r.status_2xx, 5000);
    cr_assert_eq(r.timeouts + r.err_read + r.err_write + r.err_connect + r.dropped, 0);
    cr_assert_geq(r.achieved_rps, 990.0, "achieved %.1f", r.achieved_rps);
    cr_assert_leq(r.achieved_rps, 1000.0);
    cr_assert(r.sustained);
    /* the service time can never be below the server's delay (histogram error < 0.4%) */
    cr_assert_geq(hdr_percentile(r.uncorrected, 0), 2.0 * MS * 0.996);
    cr_assert_geq(hdr_percentile(r.corrected, 50), hdr_percentile(r.uncorrected, 50) * 0.996);
    cr_assert_eq(r.corrected->total, 5000);
    ol_result_free(&r);
}

/* The server stops for 500 ms after its 1000th request (about 1 s in). Every request due in the
 * first 400 ms of the stall cannot be answered before it ends, so at least 0.4 s x 1000/s of
 * them wait 100 ms or more from their due time: the corrected histogram must show that. Only
 * requests already sent when the stall began (at most one per connection) carry it in their
 * service time, so the uncorrected histogram sees a handful: what a closed-loop tool reports. */
Test(openloop, corrected_histogram_shows_the_stall_uncorrected_does_not) {
    int port =
        fixture_start((const char *const[]){"--stall-after", "1000", "--stall-ms", "500", NULL});
    const int conns = 8;
    ol_result_t r = run(port, conns, 1000, 4, OL_QUEUE, OL_UNIFORM, -1);
    uint64_t c100 = hdr_count_at_or_above(r.corrected, 100 * MS);
    uint64_t u100 = hdr_count_at_or_above(r.uncorrected, 100 * MS);
    cr_assert_geq(c100, 395, "corrected: %llu requests >= 100 ms", (unsigned long long)c100);
    /* the request that triggered the stall waited its full length in both views */
    cr_assert_geq((double)r.corrected->max, 500.0 * MS * 0.996);
    cr_assert_geq((double)r.uncorrected->max, 500.0 * MS * 0.996);
    /* slack of one more scheduler hiccup per connection on a shared machine */
    cr_assert_leq(u100, 2 * conns, "uncorrected: %llu requests >= 100 ms",
                  (unsigned long long)u100);
    cr_assert_geq(hdr_percentile(r.corrected, 99), 100.0 * MS);
    cr_assert_lt(hdr_percentile(r.uncorrected, 99), 100.0 * MS);
    cr_assert_geq(r.max_backlog, 300, "the FIFO held the requests due during the stall");
    cr_assert_eq(r.completed, 4000, "queue policy: nothing lost");
    ol_result_free(&r);
}

/* One connection, 2 ms per answer, a request every 1 ms: at most one in two can go out, and the
 * drop policy discards the others at their due time instead of queueing them. */
Test(openloop, drop_policy_counts_what_found_no_idle_connection) {
    int port = fixture_start((const char *const[]){"--delay-ms", "2", NULL});
    ol_result_t r = run(port, 1, 1000, 2, OL_DROP, OL_UNIFORM, -1);
    cr_assert_eq(r.scheduled, 2000);
    cr_assert_eq(r.sent + r.dropped, r.scheduled);
    cr_assert_leq(r.sent, 1001, "a 2 ms answer on one connection: at most 1 per 2 ms");
    cr_assert_geq(r.dropped, 999);
    cr_assert_not(r.sustained);
    cr_assert_geq(r.max_backlog, 1, "arrivals found no idle connection");
    ol_result_free(&r);
}

/* Answers take 300 ms and there is no drain: whatever was sent in the last 300 ms is still in
 * flight at the end and counts as a timeout, recorded with the time it had waited. */
Test(openloop, in_flight_at_the_end_counts_as_timeouts) {
    int port = fixture_start((const char *const[]){"--delay-ms", "300", NULL});
    ol_result_t r = run(port, 64, 100, 1, OL_QUEUE, OL_UNIFORM, 0);
    cr_assert_eq(r.scheduled, 100);
    cr_assert_geq(r.inflight_at_end, 29, "in flight at the end: %llu",
                  (unsigned long long)r.inflight_at_end);
    cr_assert_eq(r.timeouts, r.inflight_at_end + r.unsent_at_end);
    cr_assert_leq(r.completed, 71);
    cr_assert_eq(r.corrected->total, r.completed + r.timeouts, "timeouts are in the histogram");
    ol_result_free(&r);
}

Test(openloop, chunked_answers_and_poisson_arrivals) {
    int port = fixture_start((const char *const[]){"--chunked", NULL});
    ol_result_t r = run(port, 4, 2000, 1, OL_QUEUE, OL_POISSON, -1);
    /* a Poisson count of mean 2000 lies within 5 standard deviations (45) of it */
    cr_assert_geq(r.scheduled, 2000 - 225);
    cr_assert_leq(r.scheduled, 2000 + 225);
    cr_assert_eq(r.err_read, 0, "every chunked answer framed");
    cr_assert_gt(r.completed, 0);
    cr_assert_eq(r.completed + r.timeouts + r.dropped, r.scheduled, "every request accounted");
    uint64_t first = r.scheduled;
    ol_result_free(&r);
    /* the same seed gives the same schedule */
    ol_result_t again = run(port, 4, 2000, 1, OL_QUEUE, OL_POISSON, -1);
    cr_assert_eq(again.scheduled, first);
    ol_result_free(&again);
}

/* A server that takes connections one at a time in accept order (a sync worker without
 * keep-alive) waits on the first connection it accepted until a request comes on it. With fewer
 * requests than connections (4 at 4/s on 8), taking the most recently used idle connection again
 * would leave that first connection unused and every request would time out; the engine takes
 * idle connections in turn, so each request lands on the connection the server is waiting on
 * and is answered at once (2 s of drain is ample). */
Test(openloop, idle_connections_are_used_in_turn) {
    int port = fixture_start((const char *const[]){"--serial", NULL});
    ol_result_t r = run(port, 8, 4, 1, OL_QUEUE, OL_UNIFORM, -1);
    cr_assert_eq(r.scheduled, 4);
    cr_assert_eq(r.timeouts, 0, "%llu timeouts", (unsigned long long)r.timeouts);
    cr_assert_eq(r.completed, 4);
    cr_assert_geq(r.reconnects, 3, "Connection: close after every answer");
    ol_result_free(&r);
}

Test(openloop, unreachable_server_is_an_error) {
    ol_opts_t o = {.host = "127.0.0.1",
                   .port = 1,
                   .connections = 2,
                   .rate = 10,
                   .duration_s = 1,
                   .connect_timeout_s = 0.3,
                   .request = fixed_request};
    ol_result_t r;
    err_t err;
    cr_assert_eq(ol_result_init(&r), 0);
    cr_assert_eq(ol_run(&o, &r, &err), -1);
    cr_assert(strstr(err.msg, "could not connect to 127.0.0.1:1"), "%s", err.msg);
    ol_result_free(&r);
}

Test(openloop, options_are_checked) {
    ol_opts_t o = {.host = "127.0.0.1",
                   .port = 80,
                   .connections = 1,
                   .rate = 1,
                   .duration_s = 1,
                   .request = fixed_request};
    err_t err;
    cr_assert_eq(ol_opts_check(&o, &err), 0);
    o.rate = 0;
    cr_assert_eq(ol_opts_check(&o, &err), -1);
    cr_assert(strstr(err.msg, "rate"));
    o.rate = 1;
    o.connections = OL_MAX_CONNECTIONS + 1;
    cr_assert_eq(ol_opts_check(&o, &err), -1);
    o.connections = 1;
    o.host = "localhost";
    cr_assert_eq(ol_opts_check(&o, &err), -1);
    cr_assert_eq(ol_uniform_due(1000, 1000), 1000000000ull);
}
