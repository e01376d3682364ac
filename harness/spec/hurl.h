/* hurl: reads Hurl files (the plain-text HTTP test format of hurl.dev) into parity suites.
 *
 * Why translate instead of running Hurl: parity's value is its lifecycle (fresh targets, crash
 * attribution), its matrix and its reports; a Hurl file becomes one suite of the ordinary model
 * (spec.h), so every runner, report and CI format works on it unchanged.
 *
 * How: the reader turns the file into the same JSON document a spec file would be (a "suite" with
 * "variables" and "steps") and records, for every node it creates, the Hurl line:col it came from
 * (a jl_map_t), then hands both to spec_load_doc. So a problem the spec loader finds (a bad
 * JSONPath, a bad regex, an unknown variable syntax) is reported at the right place of the .hurl
 * file, exactly like one the reader finds itself.
 *
 * The supported subset (specs/README.md, "Hurl files") is what API suites use: entries with
 * method, URL, headers, [QueryStringParams], [FormParams], [MultipartFormData] (text fields and
 * files), [Cookies], [BasicAuth], [Options] (retry, retry-interval, delay, variable, skip), JSON /
 * multiline / oneline / base64 / hex / file bodies, the response's `HTTP` status and headers,
 * [Captures], [Asserts] (queries status, header, cookie, body, jsonpath, xpath, regex, variable,
 * duration; filters count, nth, first, last; every common predicate with `not`) and an implicit
 * response body. Anything else is a load error naming the construct: never silently ignored.
 *
 * URLs: the scheme and authority of an absolute URL, or a leading {{host}}, are replaced by the
 * target under test (parity sends every request to the target it runs); `{{host}}` anywhere else
 * is the target's base URL (the built-in {{url}}) unless --variable host=... gives one.
 *
 * Ownership: the suites are added to the spec set, which owns everything. */
#ifndef PARITY_SPEC_HURL_H
#define PARITY_SPEC_HURL_H

#include <stddef.h>
#include <cjson/cJSON.h>

#include "spec.h"

#define HURL_MAX_FILE      (16u << 20) /* bytes in one .hurl file */
#define HURL_MAX_ENTRIES   10000       /* entries in one file */
#define HURL_MAX_LINE      (64u << 10) /* bytes of one value, header or assert line */
#define HURL_MAX_BODY      (16u << 20) /* bytes of one body */
#define HURL_MAX_DIR_FILES 1000        /* .hurl files in one directory */

/* Loads one .hurl file as a suite named after the file (lower-cased, [a-z0-9-]). variables (an
 * object of --variable values, or NULL) become the suite's initial variables. -1 when the file has
 * errors (appended to s->errors as "file:line:col: message"; nothing added). */
int hurl_load_file(spec_set_t *s, const char *path, const cJSON *variables);
/* Loads each path: a .hurl file, or a directory (its *.hurl files, sorted). -1 if any error. */
int hurl_load_paths(spec_set_t *s, const char *const *paths, size_t n, const cJSON *variables);
/* Parses text as the file `file` would be (tests). */
int hurl_load_buffer(spec_set_t *s, const char *file, const char *text, size_t len,
                     const cJSON *variables);

#endif
