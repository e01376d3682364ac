/* jsonloc: a JSON parser that builds cJSON trees AND remembers where things were.
 *
 * Why not cJSON_Parse: cJSON keeps no source positions (spec errors must say file:line:col) and
 * stores every number as a double (`1` and `1.0` look alike, integers above 2^53 lose digits).
 * This parser is strict RFC 8259 (no comments, no trailing commas, no leading zeros, strings must
 * be valid UTF-8, control characters must be escaped, \uD800 surrogate pairs are combined and lone
 * surrogates rejected) and builds ordinary cJSON nodes, so every other module uses cJSON as usual.
 *
 * Two extras:
 * - Number source text: every number node it creates carries its exact source text in
 *   `valuestring` (e.g. "1.0", "9007199254740993"). cJSON_Delete frees it and cJSON_Duplicate
 *   copies it, so the text survives captures and templating; cJSON_Print ignores it. Use
 *   jl_number_text() to read it (NULL for numbers made with cJSON_CreateNumber) and jl_print() to
 *   print a tree with the exact text.
 * - Positions (optional): a jl_map_t records, for every node, the line:col of its value and, for
 *   object members, of its key. Lines and columns are 1-based; a column counts UTF-8 CHARACTERS
 *   (code points), not bytes, like Hurl and most editors; a tab counts as one column.
 *
 * Duplicate object keys are an error when JL_NO_DUP_KEYS is given (spec files), otherwise kept
 * (cJSON's lookup then returns the first). Limits: JL_MAX_DEPTH nesting, JL_MAX_INPUT bytes.
 * Ownership: the caller frees the tree with cJSON_Delete and the map with jl_map_free. */
#ifndef PARITY_JSONLOC_H
#define PARITY_JSONLOC_H

#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>

#include "util.h"

#define JL_MAX_DEPTH 128                  /* nesting of arrays/objects */
#define JL_MAX_INPUT (256u * 1024 * 1024) /* bytes */

enum {
    JL_NO_DUP_KEYS = 1 << 0, /* a key repeated in one object is an error */
};

typedef struct jl_loc {
    uint32_t line; /* 1-based; 0 when unknown */
    uint32_t col;  /* 1-based, in characters */
} jl_loc_t;

typedef struct jl_map jl_map_t;

/* Parses text[0..len). file names the source in error messages ("file:line:col: message"; when
 * file is NULL the message is "line:col: message"). When map is not NULL, *map receives a new
 * position table for the tree. Returns the tree, or NULL with err set. */
cJSON *jl_parse(const char *text, size_t len, const char *file, int flags, jl_map_t **map,
                err_t *err);

/* Position of node's value / of its key (for object members; else the value's position).
 * {0,0} when the node is not in the map. */
jl_loc_t jl_map_value(const jl_map_t *map, const cJSON *node);
jl_loc_t jl_map_key(const jl_map_t *map, const cJSON *node);
void jl_map_free(jl_map_t *map);
/* An empty map, and recording a node's positions in it: for documents built by hand from another
 * format (a Hurl file) so that errors found in them still point into their source. -1 when out of
 * memory. */
jl_map_t *jl_map_new(void);
int jl_map_set(jl_map_t *map, const cJSON *node, jl_loc_t value, jl_loc_t key);

/* The source text of a number node made by jl_parse (or copied from one); NULL otherwise. */
const char *jl_number_text(const cJSON *node);
/* True when the number is an integer: by its source text when known (no '.', 'e', 'E'), else by
 * its double value (integral and |x| <= 2^53). False for non-numbers. */
bool jl_is_integer(const cJSON *node);

/* Appends compact JSON (like cJSON_PrintUnformatted) using numbers' source text when known. */
int jl_print(const cJSON *node, buf_t *out);
/* Like jl_print but with ", " after commas and ": " after keys: for messages. */
int jl_print_spaced(const cJSON *node, buf_t *out);
/* Appends s as a JSON string literal (quotes, escapes). */
int jl_print_string(const char *s, size_t n, buf_t *out);

/* A new number node with exact source text (e.g. a status code, a repeat index). */
cJSON *jl_create_integer(long long v);

#endif
