/* hurl_body: request and response bodies of Hurl entries, and [MultipartFormData]. See
 * hurl_int.h. Bodies become the spec model's forms: "json" (parsed here, so a JSON error points
 * into the .hurl file), "body" (a string, templated) or "body": {"base64": ...} (bytes). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/b64.h"
#include "hurl.h"
#include "hurl_int.h"

#define HB_BOUNDARY "parity-hurl-7MA4YWxkTrZu0gW"

static bool starts(const hl_t *h, const char *w) {
    size_t n = strlen(w);
    return h->pos + n <= h->len && memcmp(h->s + h->pos, w, n) == 0;
}

bool hb_is_body_start(const hl_t *h) {
    char c = hl_peek(h, 0);
    return (c == '{' && hl_peek(h, 1) != '{') || c == '[' || c == '`' || c == '<' ||
           starts(h, "base64,") || starts(h, "hex,") || starts(h, "file,");
}

/* ---- JSON ------------------------------------------------------------------------------------ */

/* Copies a JSON value from the cursor into out, turning unquoted {{placeholders}} into quoted
 * ones (parity keeps a lone reference's JSON type, as Hurl does for an unquoted placeholder). */
static int json_extent(hl_t *h, buf_t *out) {
    jl_loc_t at = hl_loc(h);
    int depth = 0;
    bool in_str = false;
    do {
        if (hl_eof(h)) return hl_err(h, at, "JSON body is not closed");
        char c = hl_peek(h, 0);
        int rc = 0;
        if (in_str) {
            if (c == '\\') {
                rc = buf_addc(out, c);
                hl_advance(h, 1);
                c = hl_peek(h, 0);
            } else if (c == '"') {
                in_str = false;
            }
        } else if (c == '{' && hl_peek(h, 1) == '{') {
            rc = buf_addc(out, '"');
            while (rc == 0 && !hl_eol(h) && !(hl_peek(h, 0) == '}' && hl_peek(h, 1) == '}')) {
                rc = buf_addc(out, hl_peek(h, 0));
                hl_advance(h, 1);
            }
            if (hl_eol(h)) return hl_err(h, at, "{{ is not closed on its line");
            hl_advance(h, 2);
            if (rc == 0) rc = buf_adds(out, "}}\"");
            if (rc == -1) return hl_err(h, at, "JSON body too long");
            continue;
        } else if (c == '"') {
            in_str = true;
        } else if (c == '{' || c == '[') {
            depth++;
        } else if (c == '}' || c == ']') {
            depth--;
        }
        if (rc == 0) rc = buf_addc(out, c);
        if (rc == -1) return hl_err(h, at, "JSON body too long (over %u bytes)", HURL_MAX_BODY);
        hl_advance(h, 1);
    } while (depth > 0 || in_str);
    return hl_end_line(h);
}

/* Parses the copied JSON; an error's "line:col" is moved to where the body starts in the file. */
static cJSON *json_body(hl_t *h) {
    jl_loc_t at = hl_loc(h);
    buf_t text;
    buf_init(&text, HURL_MAX_BODY);
    cJSON *node = NULL;
    if (json_extent(h, &text) == 0) {
        err_t e;
        node = jl_parse(buf_cstr(&text), text.len, NULL, 0, NULL, &e);
        unsigned l = 1, c = 1;
        if (!node) {
            const char *msg = e.msg;
            if (sscanf(e.msg, "%u:%u:", &l, &c) == 2) msg = strchr(strchr(e.msg, ':') + 1, ':') + 1;
            jl_loc_t where = {at.line + l - 1, l == 1 ? at.col + c - 1 : c};
            hl_err(h, where, "JSON body:%s", msg);
        } else {
            hl_mark_tree(h, node, at);
        }
    }
    buf_free(&text);
    return node;
}

/* ---- strings and bytes ----------------------------------------------------------------------- */

/* ```[lang]\n ... \n``` : the lines between, each with its newline. */
static int multiline(hl_t *h, buf_t *out) {
    jl_loc_t at = hl_loc(h);
    hl_advance(h, 3);
    buf_t lang;
    buf_init(&lang, 64);
    hl_word(h, &lang);
    bool ok =
        !lang.len || strcmp(buf_cstr(&lang), "json") == 0 || strcmp(buf_cstr(&lang), "xml") == 0;
    if (!ok)
        hl_err(h, at, "multiline string type \"%s\" is not supported (none, json, xml)",
               buf_cstr(&lang));
    buf_free(&lang);
    if (!ok || hl_end_line(h) == -1) return -1;
    for (;;) {
        if (hl_eof(h)) return hl_err(h, at, "multiline string is not closed with ```");
        size_t n = hl_line_len(h), i = 0;
        while (i < n && (h->s[h->pos + i] == ' ' || h->s[h->pos + i] == '\t')) i++;
        if (n - i >= 3 && memcmp(h->s + h->pos + i, "```", 3) == 0) {
            hl_advance(h, i + 3);
            return hl_end_line(h);
        }
        if (buf_add(out, h->s + h->pos, n) == -1 || buf_addc(out, '\n') == -1)
            return hl_err(h, at, "multiline string too long");
        hl_advance(h, n);
        if (hl_peek(h, 0) == '\r') hl_advance(h, 1);
        hl_advance(h, 1);
    }
}

/* base64,...; hex,...; file,PATH; -> bytes in out */
static int bytes_literal(hl_t *h, buf_t *out) {
    jl_loc_t at = hl_loc(h);
    const char *kind = starts(h, "base64,") ? "base64" : starts(h, "hex,") ? "hex" : "file";
    hl_advance(h, strlen(kind) + 1);
    buf_t v;
    buf_init(&v, HURL_MAX_BODY);
    while (!hl_eol(h) && hl_peek(h, 0) != ';') {
        if (hl_peek(h, 0) != ' ' || kind[0] == 'f') buf_addc(&v, hl_peek(h, 0));
        hl_advance(h, 1);
    }
    int rc = -1;
    err_t e;
    if (hl_peek(h, 0) != ';') {
        hl_err(h, at, "%s, must end with ';'", kind);
    } else if (kind[0] == 'b') {
        if (b64_decode(out, v.ptr ? v.ptr : "", v.len, false, &e) == 0)
            rc = 0;
        else
            hl_err(h, at, "base64: %s", e.msg);
    } else if (kind[0] == 'h') {
        rc = v.len % 2 ? hl_err(h, at, "hex, needs an even number of digits") : 0;
        for (size_t i = 0; rc == 0 && i < v.len; i += 2) {
            char pair[3] = {v.ptr[i], v.ptr[i + 1], 0};
            char *end;
            long b = strtol(pair, &end, 16);
            if (*end)
                rc = hl_err(h, at, "hex, has a character that is not a hex digit");
            else
                rc = buf_addc(out, (char)b);
        }
    } else {
        /* relative to the .hurl file's directory, like Hurl's --file-root default */
        buf_t path;
        buf_init(&path, 8192);
        const char *slash = strrchr(h->file, '/');
        if (v.len && v.ptr[0] != '/' && slash)
            buf_add(&path, h->file, (size_t)(slash - h->file + 1));
        buf_adds(&path, buf_cstr(&v));
        rc = buf_read_file(out, buf_cstr(&path), &e) == 0 ? 0 : hl_err(h, at, "file,: %s", e.msg);
        buf_free(&path);
    }
    buf_free(&v);
    if (rc == 0) hl_advance(h, 1), rc = hl_end_line(h);
    return rc;
}

/* <xml ... : every line up to a blank line or the HTTP line, as text. */
static int xml_lines(hl_t *h, buf_t *out) {
    while (!hl_eof(h) && hl_line_len(h) > 0 && !hl_at_word(h, "HTTP") &&
           !str_starts_with(h->s + h->pos, "HTTP/")) {
        size_t n = hl_line_len(h);
        if (buf_add(out, h->s + h->pos, n) == -1 || buf_addc(out, '\n') == -1)
            return hl_err(h, hl_loc(h), "XML body too long");
        hl_advance(h, n);
        if (hl_peek(h, 0) == '\r') hl_advance(h, 1);
        hl_advance(h, 1);
    }
    if (out->len)
        buf_truncate(out, out->len - 1); /* the last newline is the line's, not the body's */
    return 0;
}

/* Reads any non-JSON body: *is_bytes tells whether out holds bytes (base64/hex/file). */
static int text_or_bytes(hl_t *h, buf_t *out, bool *is_bytes) {
    *is_bytes = false;
    if (starts(h, "```")) return multiline(h, out);
    if (hl_peek(h, 0) == '`') {
        if (hl_value(h, out) == -1) return -1;
        return hl_end_line(h);
    }
    if (hl_peek(h, 0) == '<') return xml_lines(h, out);
    *is_bytes = true;
    return bytes_literal(h, out);
}

static cJSON *bytes_node(hl_t *h, const buf_t *bytes, jl_loc_t at) {
    buf_t enc;
    buf_init(&enc, 2 * HURL_MAX_BODY);
    cJSON *o = NULL;
    if (b64_encode(&enc, bytes->ptr ? bytes->ptr : "", bytes->len, false) == 0) {
        o = cJSON_CreateObject();
        if (o) hl_add(h, o, "base64", cJSON_CreateString(buf_cstr(&enc)), at);
    }
    buf_free(&enc);
    return hl_mark(h, o, at);
}

int hb_request_body(hl_t *h, cJSON *request, cJSON **headers) {
    (void)headers; /* "json" brings its own Content-Type; raw bodies are sent without one */
    jl_loc_t at = hl_loc(h);
    if (hl_peek(h, 0) == '{' || hl_peek(h, 0) == '[') {
        cJSON *json = json_body(h);
        return json && hl_add(h, request, "json", json, at) ? 0 : -1;
    }
    buf_t b;
    buf_init(&b, HURL_MAX_BODY);
    bool is_bytes;
    int rc = text_or_bytes(h, &b, &is_bytes);
    if (rc == 0) {
        cJSON *node = is_bytes ? bytes_node(h, &b, at) : cJSON_CreateString(buf_cstr(&b));
        rc = hl_add(h, request, "body", node, at) ? 0 : -1;
    }
    buf_free(&b);
    return rc;
}

static int whole_body_assert(hl_t *h, cJSON *asserts, const char *query, const char *arg,
                             cJSON *value, jl_loc_t at) {
    cJSON *a = hl_add(h, asserts, NULL, cJSON_CreateArray(), at);
    if (!a) {
        cJSON_Delete(value);
        return -1;
    }
    hl_add(h, a, NULL, cJSON_CreateString(query), at);
    if (arg) hl_add(h, a, NULL, cJSON_CreateString(arg), at);
    hl_add(h, a, NULL, cJSON_CreateString("=="), at);
    return hl_add(h, a, NULL, value, at) ? 0 : -1;
}

int hb_response_body(hl_t *h, cJSON *asserts) {
    jl_loc_t at = hl_loc(h);
    if (hl_peek(h, 0) == '{' || hl_peek(h, 0) == '[') {
        /* compared as JSON (types, values, any key order), not as text */
        cJSON *json = json_body(h);
        return json ? whole_body_assert(h, asserts, "jsonpath", "$", json, at) : -1;
    }
    buf_t b;
    buf_init(&b, HURL_MAX_BODY);
    bool is_bytes;
    int rc = text_or_bytes(h, &b, &is_bytes);
    if (rc == 0 && is_bytes)
        rc = hl_err(h, at, "a bytes response body (base64, hex, file) is not supported by parity");
    if (rc == 0)
        rc = whole_body_assert(h, asserts, "body", NULL, cJSON_CreateString(buf_cstr(&b)), at);
    buf_free(&b);
    return rc;
}

/* ---- multipart ------------------------------------------------------------------------------- */

int hb_multipart_line(hl_t *h, hb_multipart_t *m) {
    jl_loc_t at = hl_loc(h);
    if (m->n == HB_MAX_PARTS) return hl_err(h, at, "more than %d multipart fields", HB_MAX_PARTS);
    buf_t k, v;
    buf_init(&k, HL_MAX_VALUE);
    buf_init(&v, HL_MAX_VALUE);
    int rc = hl_key(h, &k);
    hb_part_t *p = &m->parts[m->n];
    memset(p, 0, sizeof(*p));
    p->at = at;
    if (rc == 0) {
        hl_skip_spaces(h);
        if (starts(h, "file,")) {
            hl_advance(h, 5);
            while (!hl_eol(h) && hl_peek(h, 0) != ';')
                buf_addc(&v, hl_peek(h, 0)), hl_advance(h, 1);
            if (hl_peek(h, 0) != ';') {
                rc = hl_err(h, at, "file, must end with ';'");
            } else {
                hl_advance(h, 1);
                p->file = buf_detach(&v);
                buf_init(&v, HL_MAX_VALUE);
                hl_skip_spaces(h);
                if (!hl_eol(h) && hl_peek(h, 0) != '#') {
                    rc = hl_value(h, &v);
                    p->type = buf_detach(&v);
                }
            }
        } else {
            rc = hl_value(h, &v);
            p->value = buf_detach(&v);
        }
    }
    if (rc == 0) rc = hl_end_line(h);
    p->name = buf_detach(&k);
    m->n++;
    buf_free(&v);
    return rc;
}

static int part_bytes(hl_t *h, const hb_part_t *p, buf_t *body) {
    if (buf_printf(body, "--" HB_BOUNDARY "\r\nContent-Disposition: form-data; name=\"%s\"",
                   p->name) == -1)
        return -1;
    if (p->value) return buf_printf(body, "\r\n\r\n%s\r\n", p->value);
    const char *base = strrchr(p->file, '/');
    if (buf_printf(body, "; filename=\"%s\"\r\nContent-Type: %s\r\n\r\n", base ? base + 1 : p->file,
                   p->type && *p->type ? p->type : "application/octet-stream") == -1)
        return -1;
    buf_t path;
    buf_init(&path, 8192);
    const char *slash = strrchr(h->file, '/');
    if (p->file[0] != '/' && slash) buf_add(&path, h->file, (size_t)(slash - h->file + 1));
    buf_adds(&path, p->file);
    err_t e;
    int rc = buf_read_file(body, buf_cstr(&path), &e);
    buf_free(&path);
    if (rc == -1) return hl_err(h, p->at, "file,: %s", e.msg);
    return buf_adds(body, "\r\n");
}

int hb_multipart_build(hl_t *h, const hb_multipart_t *m, cJSON *request, cJSON **headers,
                       jl_loc_t at) {
    buf_t body;
    buf_init(&body, HURL_MAX_BODY);
    bool files = false;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < m->n; i++) {
        files |= m->parts[i].file != NULL;
        rc = part_bytes(h, &m->parts[i], &body);
    }
    if (rc == 0) rc = buf_adds(&body, "--" HB_BOUNDARY "--\r\n");
    if (rc == -1) {
        buf_free(&body);
        return h->failed ? -1 : hl_err(h, at, "multipart body too long");
    }
    /* text only: a templated string; with files: bytes (files are not templated) */
    cJSON *node = files ? bytes_node(h, &body, at) : cJSON_CreateString(buf_cstr(&body));
    buf_free(&body);
    if (!hl_add(h, request, "body", node, at)) return -1;
    if (!*headers && !(*headers = hl_add(h, request, "headers", cJSON_CreateObject(), at)))
        return -1;
    return hl_add(h, *headers, "Content-Type",
                  cJSON_CreateString("multipart/form-data; boundary=" HB_BOUNDARY), at)
               ? 0
               : -1;
}

void hb_multipart_free(hb_multipart_t *m) {
    for (size_t i = 0; i < m->n; i++) {
        free(m->parts[i].name);
        free(m->parts[i].value);
        free(m->parts[i].file);
        free(m->parts[i].type);
    }
    m->n = 0;
}
