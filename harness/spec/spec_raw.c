/* spec_raw: parsing a raw step's "raw", "expect" and "probe" (model and meaning: spec_raw.h). */
#include "spec_raw.h"

#include <stdio.h>
#include <string.h>

#include "core/b64.h"
#include "spec_int.h"

static const char *const level_names[] = {"", "MUST", "SHOULD", "MAY", "contract"};

const char *raw_level_name(raw_level_t l) {
    return (unsigned)l < sizeof level_names / sizeof *level_names ? level_names[l] : "";
}

int raw_level_parse(const char *s, raw_level_t *out) {
    for (int i = 1; i < (int)(sizeof level_names / sizeof *level_names); i++)
        if (strcmp(s, level_names[i]) == 0) return *out = (raw_level_t)i, 0;
    return -1;
}

static int hexval(char ch) {
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
    return -1;
}

/* {"hex": "ff 00 0d0a"}: pairs of hex digits, spaces between pairs ignored. */
static int decode_hex(spec_ctx_t *c, const cJSON *v, buf_t *out) {
    const char *s = v->valuestring;
    for (size_t i = 0; s[i];) {
        if (s[i] == ' ') {
            i++;
            continue;
        }
        int hi = hexval(s[i]), lo = s[i + 1] ? hexval(s[i + 1]) : -1;
        if (hi < 0 || lo < 0) {
            spec_err(c, v, AT_VALUE, "hex: \"%.60s\" is not pairs of hex digits (at byte %zu)", s,
                     i);
            return -1;
        }
        if (buf_addc(out, (char)(hi * 16 + lo)) == -1) {
            spec_err(c, v, AT_VALUE, "hex: more than %u bytes", RAW_MAX_SEND);
            return -1;
        }
        i += 2;
    }
    return 0;
}

/* {"hex"|"base64": ...} -> RAW_PIECE_BYTES in the arena. */
static int parse_bytes_piece(spec_ctx_t *c, const cJSON *v, raw_piece_t *out) {
    if (spec_want(c, v, cJSON_String, "raw.send bytes") == -1) return -1;
    buf_t b;
    buf_init(&b, RAW_MAX_SEND);
    err_t e;
    int rc = strcmp(v->string, "hex") == 0 ? decode_hex(c, v, &b)
             : b64_decode(&b, v->valuestring, strlen(v->valuestring), false, &e) == -1
                 ? (spec_err(c, v, AT_VALUE, "base64: %s", e.msg), -1)
                 : 0;
    if (rc == 0) {
        out->kind = RAW_PIECE_BYTES;
        out->len = b.len;
        out->s = b.len ? arena_strndup(&c->set->arena, b.ptr, b.len) : "";
        if (!out->s) rc = -1;
    }
    buf_free(&b);
    return rc;
}

/* One piece of raw.send: a string, or an object with exactly one of the piece keys (fill takes
 * size too). */
static int parse_piece(spec_ctx_t *c, const cJSON *p, raw_piece_t *out) {
    static const char *const keys[] = {"hex",   "base64",   "fill",  "size",
                                       "delay", "shutdown", "await", NULL};
    if (cJSON_IsString(p)) {
        if (spec_want_tmpl(c, p, "raw.send") == -1) return -1;
        *out = (raw_piece_t){.kind = RAW_PIECE_TEXT, .s = p->valuestring};
        return 0;
    }
    if (!cJSON_IsObject(p) || !p->child) {
        spec_err(c, p, AT_VALUE,
                 "raw.send: a piece is a string or one of {\"hex\"}, {\"base64\"}, {\"fill\", "
                 "\"size\"}, {\"delay\"}, {\"shutdown\": true}, {\"await\"}; got %s",
                 spec_type_name(p));
        return -1;
    }
    if (spec_check_keys(c, p, keys, "raw.send piece") == -1) return -1;
    const cJSON *k = p->child;
    const char *key = k->string;
    if (strcmp(key, "fill") == 0 || strcmp(key, "size") == 0) {
        const cJSON *f = cJSON_GetObjectItemCaseSensitive(p, "fill");
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(p, "size");
        long size;
        if (!f || !n || cJSON_GetArraySize(p) != 2) {
            spec_err(c, p, AT_VALUE, "raw.send: a fill piece is {\"fill\": \"a\", \"size\": N}");
            return -1;
        }
        if (spec_want(c, f, cJSON_String, "fill") == -1) return -1;
        if (strlen(f->valuestring) != 1) {
            spec_err(c, f, AT_VALUE, "fill must be exactly one byte");
            return -1;
        }
        if (spec_want_int(c, n, 0, RAW_MAX_SEND, "size", &size) == -1) return -1;
        *out =
            (raw_piece_t){.kind = RAW_PIECE_FILL, .fill = f->valuestring[0], .size = (size_t)size};
        return 0;
    }
    if (cJSON_GetArraySize(p) != 1) {
        spec_err(c, p, AT_VALUE, "raw.send: one key per piece (\"%s\" and more)", key);
        return -1;
    }
    if (strcmp(key, "hex") == 0 || strcmp(key, "base64") == 0) return parse_bytes_piece(c, k, out);
    if (strcmp(key, "shutdown") == 0) {
        if (!cJSON_IsTrue(k)) {
            spec_err(c, k, AT_VALUE, "shutdown must be true");
            return -1;
        }
        out->kind = RAW_PIECE_SHUTDOWN;
        return 0;
    }
    if (strcmp(key, "delay") == 0) {
        out->kind = RAW_PIECE_DELAY;
        return spec_want_int(c, k, 0, RAW_MAX_WAIT_MS, "delay", &out->ms);
    }
    out->kind = RAW_PIECE_AWAIT;
    return spec_want_int(c, k, 1, RAW_MAX_RESPONSES, "await", &out->n);
}

static int parse_send(spec_ctx_t *c, const cJSON *send, raw_spec_t *r) {
    int n = cJSON_IsArray(send) ? cJSON_GetArraySize(send) : 1;
    if (!cJSON_IsArray(send) && !cJSON_IsString(send)) {
        spec_err(c, send, AT_VALUE, "raw.send must be a string or a list of pieces, got %s",
                 spec_type_name(send));
        return -1;
    }
    if (n < 1 || n > RAW_MAX_PIECES) {
        spec_err(c, send, AT_VALUE, "raw.send must have 1 to %d pieces", RAW_MAX_PIECES);
        return -1;
    }
    r->pieces = arena_alloc(&c->set->arena, (size_t)n * sizeof(raw_piece_t));
    if (!r->pieces) return -1;
    int rc = 0;
    size_t total = 0;
    const cJSON *p = cJSON_IsArray(send) ? send->child : send;
    for (; p; p = cJSON_IsArray(send) ? p->next : NULL) {
        raw_piece_t *pc = &r->pieces[r->npieces++];
        memset(pc, 0, sizeof *pc);
        if (parse_piece(c, p, pc) == -1)
            rc = -1;
        else
            total += pc->kind == RAW_PIECE_TEXT ? strlen(pc->s) : pc->len + pc->size;
    }
    if (rc == 0 && total > RAW_MAX_SEND) {
        spec_err(c, send, AT_VALUE, "raw.send: %zu bytes in all, at most %u", total, RAW_MAX_SEND);
        rc = -1;
    }
    return rc;
}

/* "raw": a string or a list of pieces (what to send), or {"send", "connection", "timeout",
 * "head"}. */
static int parse_raw_obj(spec_ctx_t *c, const cJSON *raw, raw_spec_t *r) {
    static const char *const keys[] = {"send", "connection", "timeout", "head", NULL};
    if (cJSON_IsString(raw) || cJSON_IsArray(raw)) return parse_send(c, raw, r);
    if (!cJSON_IsObject(raw)) {
        spec_err(c, raw, AT_VALUE, "raw must be a string, a list of pieces or an object, got %s",
                 spec_type_name(raw));
        return -1;
    }
    int rc = spec_check_keys(c, raw, keys, "raw");
    const cJSON *send = spec_required(c, raw, "send", "raw");
    if (!send || parse_send(c, send, r) == -1) rc = -1;
    const cJSON *conn = cJSON_GetObjectItemCaseSensitive(raw, "connection");
    if (conn) {
        if (!cJSON_IsString(conn) ||
            (strcmp(conn->valuestring, "fresh") && strcmp(conn->valuestring, "suite"))) {
            spec_err(c, conn, AT_VALUE, "raw.connection must be \"fresh\" or \"suite\"");
            rc = -1;
        } else {
            r->suite_conn = strcmp(conn->valuestring, "suite") == 0;
        }
    }
    const cJSON *to = cJSON_GetObjectItemCaseSensitive(raw, "timeout");
    if (to && spec_want_int(c, to, 1, RAW_MAX_TIMEOUT_MS, "raw.timeout", &r->timeout_ms) == -1)
        rc = -1;
    const cJSON *head = cJSON_GetObjectItemCaseSensitive(raw, "head");
    if (head) {
        if (!cJSON_IsBool(head)) {
            spec_err(c, head, AT_VALUE, "raw.head must be true or false");
            rc = -1;
        } else {
            r->head = cJSON_IsTrue(head) ? 1 : 0;
        }
    }
    return rc;
}

static int parse_wait(spec_ctx_t *c, const cJSON *e, const char *key, long min, long max,
                      raw_wait_t *w) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(e, key);
    if (!v) return 0;
    char what[64];
    snprintf(what, sizeof what, "expect.%s", key);
    w->loc = spec_loc(c, v, AT_KEY);
    return spec_want_int(c, v, min, max, what, &w->ms);
}

static int parse_raw_expect(spec_ctx_t *c, const cJSON *e, step_t *st, raw_spec_t *r) {
    static const char *const keys[] = {"status", "asserts", "responses", "interim", "closed",
                                       "open",   "silent",  "others",    "alive",   NULL};
    if (spec_want(c, e, cJSON_Object, "expect") == -1) return -1;
    int rc = spec_check_keys(c, e, keys, "expect");
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(e, "status");
    if (s) {
        r->has_status = true;
        if (spec_parse_status(c, s, st) == -1) rc = -1;
    }
    const cJSON *as = cJSON_GetObjectItemCaseSensitive(e, "asserts");
    if (as && spec_parse_asserts(c, as, st) == -1) rc = -1;
    if (parse_wait(c, e, "responses", 0, RAW_MAX_RESPONSES, &r->responses) == -1 ||
        parse_wait(c, e, "interim", 0, RAW_MAX_RESPONSES, &r->interim) == -1 ||
        parse_wait(c, e, "closed", 1, RAW_MAX_WAIT_MS, &r->closed) == -1 ||
        parse_wait(c, e, "open", 1, RAW_MAX_WAIT_MS, &r->open) == -1 ||
        parse_wait(c, e, "silent", 1, RAW_MAX_WAIT_MS, &r->silent) == -1 ||
        parse_wait(c, e, "others", 1, RAW_MAX_WAIT_MS, &r->others) == -1)
        rc = -1;
    const cJSON *alive = cJSON_GetObjectItemCaseSensitive(e, "alive");
    if (alive && !cJSON_IsBool(alive)) {
        spec_err(c, alive, AT_VALUE, "expect.alive must be true or false");
        rc = -1;
    } else if (alive) {
        r->alive = cJSON_IsTrue(alive);
    }
    if (r->closed.ms > 0 && r->open.ms > 0) {
        spec_err(c, e, AT_VALUE, "expect: \"closed\" and \"open\" contradict each other");
        rc = -1;
    }
    if (r->silent.ms > 0 && (s || as || r->responses.ms > 0)) {
        spec_err(c, e, AT_VALUE,
                 "expect: \"silent\" (no answer) cannot go with a status, "
                 "asserts or responses");
        rc = -1;
    }
    if (as && !s && r->responses.ms <= 0) {
        spec_err(c, as, AT_KEY, "expect.asserts need an answer: give expect.status");
        rc = -1;
    }
    return rc;
}

/* "probe": {"level": "MUST"|"SHOULD"|"MAY"|"contract", "ref": "RFC 9112 5.2"}. */
static int parse_probe(spec_ctx_t *c, const cJSON *p, raw_spec_t *r) {
    static const char *const keys[] = {"level", "ref", NULL};
    if (spec_want(c, p, cJSON_Object, "probe") == -1) return -1;
    int rc = spec_check_keys(c, p, keys, "probe");
    const cJSON *lv = spec_required(c, p, "level", "probe");
    if (!lv || spec_want(c, lv, cJSON_String, "probe.level") == -1) {
        rc = -1;
    } else if (raw_level_parse(lv->valuestring, &r->level) == -1) {
        spec_err(c, lv, AT_VALUE,
                 "probe.level must be \"MUST\", \"SHOULD\", \"MAY\" or "
                 "\"contract\", got \"%.40s\"",
                 lv->valuestring);
        rc = -1;
    }
    const cJSON *ref = spec_required(c, p, "ref", "probe");
    if (!ref || spec_want(c, ref, cJSON_String, "probe.ref") == -1) {
        rc = -1;
    } else if (!ref->valuestring[0]) {
        spec_err(c, ref, AT_VALUE, "probe.ref must name the section, e.g. \"RFC 9112 5.2\"");
        rc = -1;
    } else {
        r->ref = ref->valuestring;
    }
    return rc;
}

int spec_parse_raw(spec_ctx_t *c, const cJSON *step, const cJSON *raw, step_t *st) {
    static const char *const not_raw[] = {"request", "captures", "retry"};
    raw_spec_t *r = arena_alloc(&c->set->arena, sizeof *r);
    if (!r) return -1;
    memset(r, 0, sizeof *r);
    r->timeout_ms = RAW_DEFAULT_TIMEOUT_MS;
    r->head = -1;
    r->alive = true;
    r->responses.ms = r->interim.ms = r->closed.ms = r->open.ms = r->silent.ms = r->others.ms = -1;
    st->raw = r;
    int rc = parse_raw_obj(c, raw, r);
    for (size_t i = 0; i < sizeof not_raw / sizeof *not_raw; i++) {
        const cJSON *k = cJSON_GetObjectItemCaseSensitive(step, not_raw[i]);
        if (k) {
            spec_err(c, k, AT_KEY, "a raw step has no \"%s\"", not_raw[i]);
            rc = -1;
        }
    }
    const cJSON *exp = spec_required(c, step, "expect", "raw step");
    if (!exp || parse_raw_expect(c, exp, st, r) == -1) rc = -1;
    const cJSON *probe = cJSON_GetObjectItemCaseSensitive(step, "probe");
    if (probe && parse_probe(c, probe, r) == -1) rc = -1;
    return rc;
}
