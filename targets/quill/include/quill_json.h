/*
 * quill_json.h: JSON in and out: the streaming writer, the request body parsed with cJSON, cJSON
 * responses. Optional part of quill: include it beside quill.h when the application uses it.
 */
#ifndef QUILL_JSON_H
#define QUILL_JSON_H

#include "quill.h"

#include <cjson/cJSON.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------------------------
 * JSON writer: fast, streaming, escapes correctly (", \, control characters as \uXXXX or \n...;
 * UTF-8 passed through untouched, "/" not escaped). Commas are inserted automatically.
 *
 *     quill_jw w;
 *     quill_jw_init(&w, quill_req_arena(req));
 *     quill_jw_obj(&w);
 *       quill_jw_key(&w, "message"); quill_jw_str(&w, "Hello, World!");
 *     quill_jw_end(&w);
 *     quill_jw_respond(&w, res, 200);   // or quill_jw_finish(&w, &len)
 * ------------------------------------------------------------------------------------------- */

#define QUILL_JW_MAX_DEPTH 64

typedef struct quill_jw {
    quill_buf buf;
    int depth;
    uint8_t first[QUILL_JW_MAX_DEPTH]; /* 1 while no element was written at that level */
    uint8_t is_obj[QUILL_JW_MAX_DEPTH];
    bool after_key;
    bool failed; /* misuse (too deep, end without begin) or buffer cap */
} quill_jw;

void quill_jw_init(quill_jw *w, quill_arena *a);
void quill_jw_obj(quill_jw *w); /* { */
void quill_jw_arr(quill_jw *w); /* [ */
void quill_jw_end(quill_jw *w); /* } or ] */
void quill_jw_key(quill_jw *w, const char *key);
void quill_jw_keyn(quill_jw *w, const char *key, size_t len);
void quill_jw_str(quill_jw *w, const char *s); /* NULL writes null */
void quill_jw_strn(quill_jw *w, const char *s, size_t len);
void quill_jw_int(quill_jw *w, int64_t v);
void quill_jw_double(quill_jw *w, double v); /* non-finite values write null */
void quill_jw_bool(quill_jw *w, bool v);
void quill_jw_null(quill_jw *w);
void quill_jw_raw(quill_jw *w, const char *json, size_t len); /* a pre-serialized value */
void quill_jw_cjson(quill_jw *w, const cJSON *item);          /* a cJSON value */
/* The output (NUL-terminated, in the arena) or NULL when failed or unbalanced. */
const char *quill_jw_finish(quill_jw *w, size_t *len);
/* Sends the output as application/json; a failed writer answers 500. */
int quill_jw_respond(quill_jw *w, quill_res *res, int status);
/* Escapes one string (with quotes) into a buffer. */
int quill_json_escape(quill_buf *b, const char *s, size_t len);

/* The request body parsed as JSON with cJSON (once per request, freed with the request); NULL
 * when the body is empty or not valid JSON. Do not cJSON_Delete it. */
cJSON *quill_req_json(quill_req *req);

/* Sets status and a JSON body serialized from `item` (not consumed). */
int quill_res_cjson(quill_res *res, int status, const cJSON *item);

#ifdef __cplusplus
}
#endif
#endif /* QUILL_JSON_H */
