/* tap: the TAP 13 output parsed back: version line, plan, one numbered point per step, ok/not ok
 * matching the statuses, `# SKIP reason` directives, and a YAML block after each failure whose
 * message decodes to the original text. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check/results.h"
#include "sample_run.h"

/* Decodes a YAML double-quoted scalar starting at s (at the quote). */
static char *yaml_unquote(const char *s) {
    cr_assert_eq(*s, '"', "not a quoted scalar: %s", s);
    char *out = malloc(strlen(s) + 1);
    size_t o = 0;
    for (s++; *s && *s != '"'; s++) {
        if (*s != '\\') {
            out[o++] = *s;
            continue;
        }
        s++;
        switch (*s) {
        case 'n': out[o++] = '\n'; break;
        case 't': out[o++] = '\t'; break;
        case '"': out[o++] = '"'; break;
        case '\\': out[o++] = '\\'; break;
        case 'x': {
            char hex[3] = {s[1], s[2], 0};
            out[o++] = (char)strtol(hex, NULL, 16);
            s += 2;
            break;
        }
        default: cr_assert_fail("unknown escape \\%c", *s);
        }
    }
    cr_assert_eq(*s, '"', "unterminated scalar");
    out[o] = '\0';
    return out;
}

Test(tap, parses_back_and_matches_the_model) {
    result_run_t r;
    sample_run(&r);
    char path[] = "/tmp/parity-tap-XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    close(fd);
    err_t err;
    cr_assert_eq(tap_write(&r, path, &err), 0, "%s", err.msg);
    FILE *f = fopen(path, "r");
    char line[4096];
    cr_assert_not_null(fgets(line, sizeof line, f));
    cr_assert_str_eq(line, "TAP version 13\n");
    cr_assert_not_null(fgets(line, sizeof line, f));
    cr_assert_str_eq(line, "1..8\n", "7 steps + the start error of beta");
    int next = 1, ok = 0, notok = 0, skips = 0, yaml_blocks = 0;
    bool in_yaml = false, last_notok = false, saw_nasty = false;
    while (fgets(line, sizeof line, f)) {
        if (in_yaml) {
            if (strcmp(line, "  ...\n") == 0) {
                in_yaml = false;
                continue;
            }
            cr_assert(str_starts_with(line, "  "), "YAML lines are indented: %s", line);
            if (strstr(line, "    - check: \"[\\\"jsonpath\\\"")) saw_nasty = true;
            if (str_starts_with(line, "      message: ") && saw_nasty) {
                line[strcspn(line, "\n")] = '\0';
                char *m = yaml_unquote(line + 15);
                cr_assert_str_eq(m, NASTY_MSG);
                free(m);
                saw_nasty = false;
            }
            continue;
        }
        if (strcmp(line, "  ---\n") == 0) {
            cr_assert(last_notok, "a YAML block only after a not ok");
            in_yaml = true;
            yaml_blocks++;
            continue;
        }
        int num = 0;
        char rest[4096];
        if (sscanf(line, "not ok %d - %4095[^\n]", &num, rest) == 2) {
            notok++;
            last_notok = true;
        } else if (sscanf(line, "ok %d - %4095[^\n]", &num, rest) == 2) {
            ok++;
            last_notok = false;
            if (strstr(rest, " # SKIP ")) {
                skips++;
                cr_assert(strstr(rest, "not run: step"), "%s", rest);
            }
        } else {
            cr_assert_fail("not a TAP line: %s", line);
        }
        cr_assert_eq(num, next++, "points are numbered in order");
        /* An unescaped '#' would start a directive: only " # SKIP " may appear. */
        char *hash = rest;
        while ((hash = strchr(hash, '#'))) {
            cr_assert(hash > rest && (hash[-1] == '\\' || str_starts_with(hash, "# SKIP ")),
                      "bare # in: %s", rest);
            hash++;
        }
    }
    fclose(f);
    unlink(path);
    cr_assert(!in_yaml, "unterminated YAML block");
    cr_assert_eq(next - 1, 8, "the plan matches the points");
    cr_assert_eq(ok, 5, "4 pass + 1 skip");
    cr_assert_eq(notok, 3, "1 fail, 1 error, 1 start error");
    cr_assert_eq(yaml_blocks, 3);
    cr_assert_eq(skips, 1);
    results_free(&r);
}

Test(tap, descriptions) {
    result_run_t r;
    sample_run(&r);
    char path[] = "/tmp/parity-tap-XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    err_t err;
    cr_assert_eq(tap_write(&r, path, &err), 0);
    buf_t b;
    buf_init(&b, 1 << 20);
    cr_assert_eq(buf_read_file(&b, path, &err), 0);
    unlink(path);
    const char *t = buf_cstr(&b);
    cr_assert(strstr(t, "ok 1 - alpha users: setup: register\n"), "%s", t);
    cr_assert(strstr(t, "not ok 2 - alpha users: login caf\xc3\xa9 \\#2\n"), "%s", t);
    cr_assert(strstr(t, "ok 5 - alpha users: teardown: cleanup \\#2\n"), "%s", t);
    cr_assert(
        strstr(t, "not ok 8 - beta start\n  ---\n  message: \"target beta: exited during start-up"),
        "%s", t);
    cr_assert(strstr(t, "  severity: error\n"));
    cr_assert(strstr(t, "  request: \"GET http://127.0.0.1:40000/api/user?a=1&b=2\"\n"));
    cr_assert(strstr(t, "  status: 500\n"));
    buf_free(&b);
    results_free(&r);
}
