/* Tests of harness/wrk.c: parsing the JSON written by the generated done(), and the command line.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <string.h>

#include "bench/wrk.h"

static const char *GOOD =
    "{\"duration_us\":2000000,\"requests\":1000,\"bytes\":150000,"
    "\"errors\":{\"connect\":1,\"read\":2,\"write\":0,\"status\":7,\"timeout\":3},"
    "\"created\":0,\"counted_created\":false,"
    "\"latency_us\":{\"min\":40,\"max\":9000,\"mean\":310.5,\"stdev\":80.25,\"p50\":300,\"p75\":"
    "350,"
    "\"p90\":420,\"p99\":800,\"p99_9\":2000,\"p99_99\":5000},"
    "\"histogram\":[[40,3],[41,10],[9000,1]]}";

Test(wrk, parses_done_output) {
    wrk_result_t r;
    err_t err;
    cr_assert_eq(wrk_result_parse(GOOD, strlen(GOOD), &r, &err), 0, "%s", err.msg);
    cr_assert_float_eq(r.duration_s, 2.0, 1e-9);
    cr_assert_eq(r.requests, 1000);
    cr_assert_eq(r.err_status, 7);
    cr_assert_eq(wrk_socket_errors(&r), 6);
    cr_assert_float_eq(r.p99_9_us, 2000, 1e-9);
    cr_assert_float_eq(r.lat_stdev_us, 80.25, 1e-9);
    cr_assert_eq(r.nhist, 3);
    cr_assert_eq(r.hist[2][0], 9000);
    cr_assert_eq(r.hist[1][1], 10);
    cr_assert(!r.counted_created);
    wrk_result_free(&r);
}

Test(wrk, rejects_broken_output) {
    wrk_result_t r;
    err_t err;
    cr_assert_eq(wrk_result_parse("", 0, &r, &err), -1);
    const char *nolat = "{\"duration_us\":1,\"requests\":1,\"bytes\":1,\"errors\":{},\"created\":0,"
                        "\"counted_created\":false,\"histogram\":[]}";
    cr_assert_eq(wrk_result_parse(nolat, strlen(nolat), &r, &err), -1);
    char unsorted[1024];
    snprintf(unsorted, sizeof unsorted, "%.*s[[41,1],[40,3]]}", (int)(strstr(GOOD, "[[40") - GOOD),
             GOOD);
    cr_assert_eq(wrk_result_parse(unsorted, strlen(unsorted), &r, &err), -1);
    cr_assert(strstr(err.msg, "ascending") != NULL, "%s", err.msg);
    char missing[1024];
    snprintf(missing, sizeof missing, "%s", GOOD);
    char *p = strstr(missing, "\"p99_99\":5000");
    memcpy(p, "\"p99_98\"", 8);
    cr_assert_eq(wrk_result_parse(missing, strlen(missing), &r, &err), -1);
    cr_assert(strstr(err.msg, "p99_99") != NULL, "%s", err.msg);
}

Test(wrk, command_line_is_quoted_and_pinned) {
    cpu_set_t cpus;
    CPU_ZERO(&cpus);
    CPU_SET(0, &cpus);
    wrk_opts_t o = {.url = "http://127.0.0.1:8080/",
                    .script = "/tmp/a b.lua",
                    .json_out = "/tmp/x.json",
                    .threads = 1,
                    .connections = 64,
                    .duration_s = 5,
                    .cpus = &cpus};
    buf_t b;
    buf_init(&b, 0);
    cr_assert_eq(wrk_command_line(&o, &b), 0);
    cr_assert_str_eq(buf_cstr(&b),
                     "taskset -c 0 'wrk' '-t' '1' '-c' '64' '-d' '5s' '--timeout' '8s' '-s' "
                     "'/tmp/a b.lua' 'http://127.0.0.1:8080/'");
    buf_free(&b);
}
