/* End-to-end for raw steps: the `parity` binary runs tests/fixtures/specs/wire against
 * tests/fixtures/wire_server.c (twelve known wire defects, D1..D12). The report must be exact:
 * every control probe passes, each defect fails ITS probe with the right check and message, and
 * nothing else fails. Also: the reproduce command is a printf | nc line, probes carry their level
 * and RFC section in conformance.json, and a failing probe does not stop the suite. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cjson/cJSON.h>

#include "core/util.h"

#define PARITY_BIN FIXTURES_BIN_DIR "/../../harness/parity"
#define FX_ROOT    TESTS_DIR "/fixtures"

__attribute__((used)) const char *__lsan_default_suppressions(void);
__attribute__((used)) const char *__lsan_default_suppressions(void) {
    return "leak:libcriterion.so\n";
}

/* step name prefix -> the check that must fail ("" for a control: must pass) and a message part */
static const struct {
    const char *name, *check, *msg;
} expected[] = {
    {"control: GET /plaintext", "", ""},
    {"control: bare CR", "", ""},
    {"control: missing Host", "", ""},
    {"control: chunked body", "", ""},
    {"control: HTTP/1.0 closes", "", ""},
    {"control: two requests", "", ""},
    {"control: half-close", "", ""},
    {"control: hex bytes", "", ""},
    {"control: the suite connection", "", ""},
    {"D1 ", "status", "expected status == 400, got 200"},
    {"D2 ", "responses", "expected 3 responses on the connection, got 1"},
    {"D3 ", "closed", "expected the connection closed within 500 ms"},
    {"D4 ", "silent", "expected no answer within 300 ms, got a 408 answer"},
    {"D5 ", "interim", "expected 1 interim (1xx) responses, got 0"},
    {"D6 ", "open", "expected the connection still open 200 ms after the last answer, got closed"},
    {"D7 ", "others", "expected another connection served within 500 ms"},
    {"D8 ", "status", "expected status in [400, 501], got 200"},
    {"D9 ", "[\"jsonpath\", \"$.errors.request[0]\", \"==\", \"is invalid\"]",
     "body is not valid JSON"},
    {"D10 ", "status", "got a malformed answer"},
    {"D11 ", "responses", "expected 2 responses on the connection, got 1"},
    {"D12 ", "alive", "expected the server to answer GET /plaintext on a new connection"},
};

static char out_dir[256];

static char *slurp(const char *path) {
    buf_t b;
    buf_init(&b, 64u << 20);
    err_t e;
    if (buf_read_file(&b, path, &e) == -1) {
        buf_free(&b);
        return NULL;
    }
    return buf_detach(&b);
}

Test(raw_e2e, wire_fixture_defects_reported_exactly, .timeout = 120) {
    snprintf(out_dir, sizeof out_dir, "/tmp/parity-raw-XXXXXX");
    cr_assert_not_null(mkdtemp(out_dir));
    setenv("PARITY_ROOT", FX_ROOT, 1);
    setenv("NO_COLOR", "1", 1);
    setenv("PARITY_BUILD_DIR", FIXTURES_BIN_DIR "/../..", 1);
    char errpath[512];
    snprintf(errpath, sizeof errpath, "%s/stderr.txt", out_dir);
    pid_t pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0) {
        int fd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd >= 0) dup2(fd, 2), dup2(fd, 1);
        execl(PARITY_BIN, PARITY_BIN, "check", "--target", "wire-fixture", "--spec",
              FX_ROOT "/specs/wire", "--jobs", "1", "--out", out_dir, (char *)NULL);
        _exit(126);
    }
    int st;
    cr_assert_eq(waitpid(pid, &st, 0), pid);
    char *err_text = slurp(errpath);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 1, "exit 1 expected (failing probes); %s",
              err_text ? err_text : "");
    cr_assert_not_null(strstr(err_text, "reproduce: { printf 'GET /plaintext HTTP/1.1\\r\\nHost: "
                                        "fx\\r\\nX-A: a\\r\\n b\\r\\n\\r\\n'; sleep 1; } | nc "
                                        "127.0.0.1 "),
                       "the D1 reproduce command: %s", err_text);
    free(err_text);

    char path[512];
    snprintf(path, sizeof path, "%s/conformance.json", out_dir);
    char *text = slurp(path);
    cr_assert_not_null(text);
    cJSON *doc = cJSON_Parse(text);
    free(text);
    cr_assert_not_null(doc);
    cJSON *suite = cJSON_GetArrayItem(
        cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "targets"), 0), "suites"),
        0);
    cJSON *steps = cJSON_GetObjectItem(suite, "steps");
    size_t n = sizeof expected / sizeof *expected;
    cr_assert_eq((size_t)cJSON_GetArraySize(steps), n, "every probe ran (none skipped)");
    size_t i = 0;
    for (cJSON *s = steps->child; s; s = s->next, i++) {
        const char *name = cJSON_GetObjectItem(s, "name")->valuestring;
        const char *status = cJSON_GetObjectItem(s, "status")->valuestring;
        cr_assert(str_starts_with(name, expected[i].name), "step %zu is \"%s\"", i, name);
        cJSON *fails = cJSON_GetObjectItem(s, "failures");
        if (!expected[i].check[0]) {
            cr_assert_str_eq(status, "pass", "%s: %s", name,
                             cJSON_PrintUnformatted(cJSON_GetObjectItem(s, "failures")));
            continue;
        }
        cr_assert_str_eq(status, "fail", "%s must fail", name);
        cr_assert_eq(cJSON_GetArraySize(fails), 1, "%s: exactly one failed check, got %s", name,
                     cJSON_PrintUnformatted(fails));
        cJSON *f = fails->child;
        cr_assert_str_eq(cJSON_GetObjectItem(f, "check")->valuestring, expected[i].check, "%s",
                         name);
        const char *msg = cJSON_GetObjectItem(f, "message")->valuestring;
        cr_assert_not_null(strstr(msg, expected[i].msg), "%s: message \"%s\"", name, msg);
        const char *curl = cJSON_GetObjectItem(s, "curl")->valuestring;
        cr_assert(str_starts_with(curl, "{ printf '"), "%s: %s", name, curl);
        cr_assert_not_null(strstr(curl, "| nc "), "%s", curl);
        cJSON *probe = cJSON_GetObjectItem(s, "probe");
        cr_assert_not_null(probe, "%s carries its level and section", name);
        cr_assert(str_starts_with(cJSON_GetObjectItem(probe, "ref")->valuestring, "RFC 911"));
    }
    cJSON_Delete(doc);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", out_dir);
    cr_assert_eq(system(cmd), 0);
}
