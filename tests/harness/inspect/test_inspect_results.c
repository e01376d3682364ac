/* inspect_results: efficiency from a bench.json target (successful requests per CPU-second at the
 * reference level, medians over repetitions, peak RSS over every run) and correctness from a
 * conformance.json target (verdict, steps, wire totals from a "wire" object or wire suites). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "inspect/inspect.h"

static double at(const cJSON *o, const char *path) {
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    const cJSON *v = o;
    for (char *s = strtok(buf, "."); s; s = strtok(NULL, "."))
        v = cJSON_GetObjectItemCaseSensitive(v, s);
    cr_assert(cJSON_IsNumber(v), "no number at %s", path);
    return v->valuedouble;
}

/* runs: (requests, errors, cpu_s, rss) */
#define RUN(req, err, cpu, rss)                                                                    \
    "{\"requests\":" #req ",\"duration_s\":10,\"errors\":{\"total\":" #err "},\"cpu_s\":" #cpu     \
    ",\"rss_peak_kb\":" #rss "}"

Test(inspect_results, efficiency_at_the_reference_level) {
    const char *text =
        "{\"name\":\"t\",\"scenarios\":["
        " {\"name\":\"plaintext\",\"levels\":["
        "  {\"connections\":16,\"summary\":{},\"runs\":[" RUN(
            1000, 0, 1,
            900) "]},"
                 "  {\"connections\":64,\"summary\":{},\"runs\":[" RUN(1000, 100, 2, 500) "," RUN(
                     3000, 0, 2,
                     600) "," RUN(2000, 0, 2,
                                  700) "]},"
                                       "  {\"connections\":256,\"summary\":{},\"runs\":[" RUN(
                                           9000, 0, 1,
                                           800) "]}]},"
                                                " {\"name\":\"feed\",\"levels\":["
                                                "  "
                                                "{\"connections\":8,\"summary\":{},\"runs\":[" RUN(
                                                    400, 0, 4,
                                                    100) "]},"
                                                         "  "
                                                         "{\"connections\":32,\"summary\":{},"
                                                         "\"runs\":[" RUN(800, 0, 4,
                                                                          100) "]},"
                                                                               "  "
                                                                               "{\"connections\":"
                                                                               "128,\"runs\":[" RUN(
                                                                                   99999, 0, 1,
                                                                                   100) "]}]}]}";
    cJSON *bt = cJSON_Parse(text);
    cr_assert_not_null(bt);
    cJSON *e = inspect_efficiency(bt);
    /* 64 connections: (1000-100)/2, 3000/2, 2000/2 -> median 1000 */
    cr_assert_eq(at(e, "scenarios.plaintext.connections"), 64);
    cr_assert_float_eq(at(e, "scenarios.plaintext.ok_per_cpu_s"), 1000, 1e-9);
    cr_assert_float_eq(at(e, "scenarios.plaintext.ok_rps"), 200, 1e-9);
    /* no 64: the highest level with a summary (128 never finished) */
    cr_assert_eq(at(e, "scenarios.feed.connections"), 32);
    cr_assert_float_eq(at(e, "scenarios.feed.ok_per_cpu_s"), 200, 1e-9);
    cr_assert_float_eq(at(e, "geomean_ok_per_cpu_s"), sqrt(1000.0 * 200.0), 0.1);
    cr_assert_eq(at(e, "peak_rss_kib"), 900); /* over every run, not only the reference level */
    cJSON_Delete(e);
    cJSON_Delete(bt);
    e = inspect_efficiency(NULL);
    cr_assert(cJSON_IsNull(e));
    cJSON_Delete(e);
}

Test(inspect_results, correctness_and_wire_totals) {
    cJSON *ct = cJSON_Parse("{\"name\":\"t\",\"status\":\"fail\",\"counts\":{\"pass\":10,\"fail\":"
                            "2,\"skip\":1,\"error\":0},\"suites\":["
                            "{\"name\":\"users\",\"file\":\"specs/blog/users.json\",\"counts\":{"
                            "\"pass\":5,\"fail\":2}},"
                            "{\"name\":\"framing\",\"file\":\"specs/wire/framing.json\",\"counts\":"
                            "{\"pass\":4,\"fail\":1,\"error\":1}}]}");
    cJSON *c = inspect_correctness(ct);
    cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(c, "verdict")->valuestring, "fail");
    cr_assert_eq(at(c, "steps.pass"), 10);
    cr_assert_eq(at(c, "steps.fail"), 2);
    cr_assert_eq(at(c, "wire.pass"), 4);
    cr_assert_eq(at(c, "wire.fail"), 2);
    cJSON_Delete(c);
    cJSON_Delete(ct);
    /* an explicit wire object wins; no wire at all is null (the report says n/a) */
    ct = cJSON_Parse("{\"status\":\"pass\",\"counts\":{\"pass\":3},\"wire\":{\"counts\":{\"pass\":"
                     "7,\"fail\":0}},\"suites\":[]}");
    c = inspect_correctness(ct);
    cr_assert_eq(at(c, "wire.pass"), 7);
    cJSON_Delete(c);
    cJSON_Delete(ct);
    ct = cJSON_Parse("{\"status\":\"pass\",\"counts\":{\"pass\":3},\"suites\":[]}");
    c = inspect_correctness(ct);
    cr_assert(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(c, "wire")));
    cJSON_Delete(c);
    cJSON_Delete(ct);
}

Test(inspect_results, fill_by_target_name) {
    cJSON *block = inspect_block_new(NULL);
    cJSON *t = cJSON_CreateObject();
    cJSON_AddStringToObject(t, "name", "b");
    cJSON_AddNullToObject(t, "efficiency");
    cJSON_AddNullToObject(t, "correctness");
    cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(block, "targets"), t);
    cJSON *bench = cJSON_Parse("{\"targets\":[{\"name\":\"a\",\"scenarios\":[]},{\"name\":\"b\","
                               "\"scenarios\":[{\"name\":\"s\",\"levels\":[{\"connections\":64,"
                               "\"summary\":{},\"runs\":[" RUN(50, 0, 5, 10) "]}]}]}]}");
    cJSON *conf = cJSON_Parse("{\"targets\":[{\"name\":\"b\",\"status\":\"pass\",\"counts\":{}}]}");
    /* the wire run's document: two probe steps, one passing, one failing; a step without
     * "probe" is not counted */
    cJSON *wire = cJSON_Parse("{\"targets\":[{\"name\":\"b\",\"suites\":[{\"steps\":["
                              "{\"probe\":{},\"status\":\"pass\"},{\"probe\":{},\"status\":"
                              "\"fail\"},{\"status\":\"pass\"}]}]}]}");
    inspect_fill_results(block, bench, conf, wire);
    cr_assert_eq(at(t, "correctness.wire.pass"), 1);
    cr_assert_eq(at(t, "correctness.wire.fail"), 1);
    cJSON_Delete(wire);
    cr_assert_float_eq(at(t, "efficiency.scenarios.s.ok_per_cpu_s"), 10, 1e-9);
    cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(
                         cJSON_GetObjectItemCaseSensitive(t, "correctness"), "verdict")
                         ->valuestring,
                     "pass");
    cJSON_Delete(block);
    cJSON_Delete(bench);
    cJSON_Delete(conf);
}
