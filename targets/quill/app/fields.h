/* fields: the contract's input rules, independent of HTTP (rulings 2, 3, 5, 7, 9).
 *
 * Every handler reads its JSON body through body_parse() and its fields through field_*(), which
 * append failures to a `struct errors` so that all failing fields are reported together. Nothing
 * here allocates except body_parse(), whose tree the caller frees with cJSON_Delete(). */
#ifndef BLOG_FIELDS_H
#define BLOG_FIELDS_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#define MSG_BLANK     "can't be blank"
#define MSG_INVALID   "is invalid"
#define MSG_TAKEN     "has already been taken"
#define MSG_TOO_SHORT "is too short (minimum is 8 characters)"

/* The most field errors one request can produce (PUT /user has five fields). */
#define ERRORS_MAX 8

/* A list of (field, message) pairs; keys and messages are static strings, never copied. */
struct errors {
    int n;
    const char *key[ERRORS_MAX];
    const char *msg[ERRORS_MAX];
};

void errors_add(struct errors *e, const char *key, const char *msg);

/* True when the bytes are empty or only whitespace. Whitespace is the set Python's str.strip()
 * and JavaScript's trim() agree on (ASCII \t \n \v \f \r and space, U+00A0, U+1680,
 * U+2000..U+200A, U+2028, U+2029, U+202F, U+205F, U+3000), so that every target agrees. */
int text_is_blank(const char *s, size_t len);

/* Number of Unicode code points in valid UTF-8 text. */
size_t utf8_codepoints(const char *s, size_t len);

/* Checks what cJSON does not: the body is valid UTF-8 without a byte order mark, JSON strings hold
 * no raw control characters, and numbers follow RFC 8259's grammar (no leading zeros, digits
 * after "." and "e"); cJSON accepts all of these, the Python and JavaScript parsers reject them.
 * Also refuses the escape \u0000 (ruling 2): cJSON hands strings out NUL-terminated, so
 * "a\u0000b" would be stored as "a". 0 or -1. */
int body_prescan(const char *s, size_t len);

/* Parses a JSON body and finds its wrapper object: the body must be valid UTF-8 JSON (nothing but
 * whitespace after it), an object, holding `wrapper` as an object. On success returns 0, stores the
 * tree in *root (caller frees) and the wrapper in *obj; else -1 ("body": "is invalid"). */
int body_parse(const char *buf, size_t len, const char *wrapper, cJSON **root, cJSON **obj);

/* The member `key` of the object `obj` (NULL when absent or `obj` is not an object). A key that
 * appears twice counts by its last occurrence (ruling 2), as in JavaScript's and Python's parsers;
 * cJSON's own lookup would give the first. */
const cJSON *json_member(const cJSON *obj, const char *key);

/* What a field of the wrapper object holds. */
enum field_kind { FIELD_ABSENT, FIELD_NULL, FIELD_STRING, FIELD_OTHER };

/* Looks `key` up (case-sensitively) and classifies it; *val is set for FIELD_STRING. */
enum field_kind field_get(const cJSON *obj, const char *key, const char **val);

/* A required non-blank string (register, login, article create, comment): a missing, null, empty
 * or whitespace-only value is "can't be blank", another type "is invalid". Returns the string or
 * NULL after adding the error. */
const char *field_required(const cJSON *obj, const char *key, struct errors *e);

/* Most digits a list parameter may have: 18 always fit int64 (the reference targets agree). */
#define PARAM_DIGITS_MAX 18

/* Parses a list parameter (ruling 9): `^[0-9]+$`, at most PARAM_DIGITS_MAX digits, within
 * [min, max]. Returns 0 and *out, or -1. */
int param_parse_range(const char *s, size_t len, int64_t min, int64_t max, int64_t *out);

#endif
