/* scenario_lua: the wrk Lua script of a scenario (see scenario.h for what it does and why).
 *
 * wrk calls request() for every request it sends, on each of its threads, so the per-request
 * work is kept to table lookups and one string concatenation per template. Pools are emitted as
 * Lua tables once; a weighted mix becomes a fixed order table (smooth weighted round robin). */
#include "scenario.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SCN_ORDER_MAX 100000 /* entries of the weighted order (sum of weights) */

/* Appends s as a Lua string literal; bytes outside printable ASCII become \ddd. */
static int lua_str(buf_t *out, const char *s) {
    if (buf_addc(out, '"') < 0) return -1;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        int rc;
        if (*p == '"' || *p == '\\')
            rc = buf_printf(out, "\\%c", *p);
        else if (*p < 0x20 || *p >= 0x7f)
            rc = buf_printf(out, "\\%03u", *p);
        else
            rc = buf_addc(out, (char)*p);
        if (rc < 0) return -1;
    }
    return buf_addc(out, '"');
}

/* Emits pool p as the Lua table P[name] (or P["name|urlencode"]: its values percent-encoded
 * once here, so that request() does no encoding per request). */
static int emit_pool(buf_t *out, const scn_pool_t *p, bool enc) {
    buf_t key, v;
    buf_init(&key, 4096);
    buf_init(&v, 1u << 20);
    int rc = buf_adds(&key, p->name) | (enc ? buf_adds(&key, "|urlencode") : 0);
    rc |= buf_adds(out, "P[") | lua_str(out, buf_cstr(&key)) | buf_adds(out, "] = {");
    for (size_t i = 0; rc == 0 && i < p->n; i++) {
        if (i && buf_addc(out, ',')) rc = -1;
        if (i % 8 == 0 && buf_adds(out, "\n  ")) rc = -1;
        buf_reset(&v);
        if (enc)
            rc |= scn_urlencode(p->values[i], &v);
        else
            rc |= buf_adds(&v, p->values[i]);
        if (rc == 0 && lua_str(out, buf_cstr(&v))) rc = -1;
    }
    buf_free(&key);
    buf_free(&v);
    return rc ? -1 : buf_adds(out, "\n}\n");
}

/* The pool references of one request, deduplicated (name + filter), in order of first use, and
 * the mixed-radix digits they draw from: one digit per pool, or per "paired" group (so that a
 * session's cookie and its CSRF token come from the same index), so that a request drawing from
 * two independent pools visits every combination. */
#define SCN_MAX_REFS (SCN_MAX_PARTS * (SCN_MAX_HEADERS + 2))
typedef struct refs {
    const char *names[SCN_MAX_REFS];
    bool enc[SCN_MAX_REFS];
    int digit[SCN_MAX_REFS];          /* index into digits */
    const char *digits[SCN_MAX_REFS]; /* the pool whose length is the digit's radix */
    int dgroup[SCN_MAX_REFS];         /* the digit's paired group, or -1 */
    size_t n, ndigits;
} refs_t;

static int ref_index(refs_t *r, const scn_t *s, const char *name, bool enc) {
    for (size_t i = 0; i < r->n; i++)
        if (strcmp(r->names[i], name) == 0 && r->enc[i] == enc) return (int)i;
    int g = scn_pair_group(s, name), d = -1;
    for (size_t j = 0; j < r->ndigits && d < 0; j++)
        if (g >= 0 ? r->dgroup[j] == g : (r->dgroup[j] < 0 && strcmp(r->digits[j], name) == 0))
            d = (int)j;
    if (d < 0) {
        d = (int)r->ndigits++;
        r->digits[d] = name;
        r->dgroup[d] = g;
    }
    r->names[r->n] = name;
    r->enc[r->n] = enc;
    r->digit[r->n] = d;
    return (int)r->n++;
}

static void collect(refs_t *r, const scn_t *s, const scn_tmpl_t *t, bool paired_only) {
    for (size_t i = 0; i < t->n; i++)
        if (t->parts[i].kind == SCN_POOL &&
            (!paired_only || scn_pair_group(s, t->parts[i].text) >= 0))
            ref_index(r, s, t->parts[i].text, t->parts[i].urlencode);
}

/* Paired pools first: their digit turns fastest, so consecutive requests (the ones in flight at
 * the same time) carry different sessions, as if each connection had its own. */
static void collect_request(refs_t *r, const scn_t *s, const scn_request_t *q) {
    for (int pass = 0; pass < 2; pass++) {
        collect(r, s, &q->path, pass == 0);
        for (size_t h = 0; h < q->nheaders; h++) collect(r, s, &q->headers[h].value, pass == 0);
        if (q->has_body) collect(r, s, &q->body, pass == 0);
    }
}

/* Appends a Lua expression concatenating the template's parts. */
static int emit_tmpl(buf_t *out, const scn_t *s, const scn_tmpl_t *t, refs_t *r) {
    if (t->n == 0) return buf_adds(out, "\"\"");
    for (size_t i = 0; i < t->n; i++) {
        if (i && buf_adds(out, " .. ")) return -1;
        const scn_part_t *p = &t->parts[i];
        int rc;
        if (p->kind == SCN_TEXT)
            rc = lua_str(out, p->text);
        else if (p->kind == SCN_SEQ)
            rc = buf_adds(out, "seq");
        else
            rc = buf_printf(out, "v%d", ref_index(r, s, p->text, p->urlencode));
        if (rc < 0) return -1;
    }
    return 0;
}

/* Paired pools must have one length: otherwise one index would not name one session. */
static int check_paired(const scn_t *s, const scn_pool_t *extra, size_t nextra, err_t *err) {
    for (size_t i = 0; i < s->npaired; i++)
        for (size_t j = i + 1; j < s->npaired; j++) {
            if (s->paired_group[i] != s->paired_group[j]) continue;
            const scn_pool_t *a = scn_pool_find(s, extra, nextra, s->paired[i]);
            const scn_pool_t *b = scn_pool_find(s, extra, nextra, s->paired[j]);
            if (a && b && a->n != b->n)
                return err_set(
                    err, "%s: paired pools \"%s\" (%zu values) and \"%s\" (%zu) differ in length",
                    s->file, a->name, a->n, b->name, b->n);
        }
    return 0;
}

static int emit_builder(buf_t *out, const scn_t *s, size_t k, const scn_pool_t *extra,
                        size_t nextra, err_t *err) {
    const scn_request_t *q = &s->reqs[k];
    refs_t r = {.n = 0};
    collect_request(&r, s, q);
    for (size_t i = 0; i < r.n; i++)
        if (!scn_pool_find(s, extra, nextra, r.names[i]))
            return err_set(err,
                           "%s: request %zu (%s %s) uses pool \"%s\", which neither the scenario "
                           "nor the seed provides",
                           s->file, k + 1, q->method, q->path.source, r.names[i]);
    int rc = buf_printf(out, "builders[%zu] = function(c)\n  local x = c\n", k + 1);
    for (size_t d = 0; rc == 0 && d < r.ndigits; d++) {
        rc |= buf_adds(out, "  local n = #P[");
        rc |= lua_str(out, r.digits[d]);
        rc |= buf_printf(out, "]\n  local i%zu = (x %% n) + 1; x = math.floor(x / n)\n", d);
    }
    for (size_t i = 0; rc == 0 && i < r.n; i++) {
        buf_t key;
        buf_init(&key, 4096);
        rc |= buf_adds(&key, r.names[i]) | (r.enc[i] ? buf_adds(&key, "|urlencode") : 0);
        rc |= buf_printf(out, "  local v%zu = P[", i);
        rc |= lua_str(out, buf_cstr(&key));
        rc |= buf_printf(out, "][i%d]\n", r.digit[i]);
        buf_free(&key);
    }
    rc |= buf_adds(out, "  local path = ");
    rc |= emit_tmpl(out, s, &q->path, &r);
    rc |= buf_adds(out, "\n  local headers = {");
    for (size_t h = 0; rc == 0 && h < q->nheaders; h++) {
        rc |= buf_adds(out, h ? ", [" : "[");
        rc |= lua_str(out, q->headers[h].name);
        rc |= buf_adds(out, "] = ");
        rc |= emit_tmpl(out, s, &q->headers[h].value, &r);
    }
    rc |= buf_adds(out, "}\n  local body = ");
    if (q->has_body)
        rc |= emit_tmpl(out, s, &q->body, &r);
    else
        rc |= buf_adds(out, "nil");
    rc |= buf_adds(out, "\n  return wrk.format(");
    rc |= lua_str(out, q->method);
    rc |= buf_adds(out, ", path, headers, body)\nend\n");
    return rc ? err_set(err, "%s: generated script too large", s->file) : 0;
}

/* done(): one JSON object; latency values are microseconds. */
static const char *const DONE_LUA =
    "function done(summary, latency, requests)\n"
    "  local sum = {}\n"
    "  for _, t in ipairs(threads) do\n"
    "    for k, v in pairs(t:get(\"st\") or {}) do sum[k] = (sum[k] or 0) + v end\n"
    "  end\n"
    "  local created = 0\n"
    "  for _, s in ipairs(acked) do created = created + (sum[s] or 0) end\n"
    "  local f = assert(io.open(out_path, \"w\"))\n"
    "  local e = summary.errors\n"
    "  f:write(string.format('{\"duration_us\":%d,\"requests\":%d,\"bytes\":%d,', "
    "summary.duration, summary.requests, summary.bytes))\n"
    "  "
    "f:write(string.format('\"errors\":{\"connect\":%d,\"read\":%d,\"write\":%d,\"status\":%d,"
    "\"timeout\":%d},', e.connect, e.read, e.write, e.status, e.timeout))\n"
    "  f:write(string.format('\"created\":%d,\"counted_created\":%s,\"statuses\":{', created, "
    "count_statuses and 'true' or 'false'))\n"
    "  local first = true\n"
    "  for k, v in pairs(sum) do\n"
    "    f:write(string.format('%s\"%d\":%d', first and '' or ',', k, v)); first = false\n"
    "  end\n"
    "  f:write('},')\n"
    "  f:write(string.format('\"latency_us\":{\"min\":%d,\"max\":%d,\"mean\":%.3f,\"stdev\":%.3f', "
    "latency.min, latency.max, latency.mean, latency.stdev))\n"
    "  for _, p in ipairs({50, 75, 90, 99, 99.9, 99.99}) do\n"
    "    f:write(string.format(',\"p%s\":%d', (tostring(p):gsub('%.', '_')), "
    "latency:percentile(p)))\n"
    "  end\n"
    "  f:write('},\"histogram\":[')\n"
    "  for i = 1, #latency do\n"
    "    local v, n = latency(i)\n"
    "    if i > 1 then f:write(',') end\n"
    "    f:write(string.format('[%d,%d]', v, n))\n"
    "  end\n"
    "  f:write(']}\\n')\n"
    "  f:close()\n"
    "end\n";

int scn_lua(const scn_t *s, const scn_pool_t *extra, size_t nextra, const scn_lua_opts_t *o,
            buf_t *out, err_t *err) {
    int rc = buf_printf(out, "-- parity: wrk script for scenario \"%s\" (generated for one run)\n",
                        s->name);
    /* PARITY_WRK_JSON and PARITY_CLIENT: set by bench/clients.c, which runs this same script
     * on several machines (each writes its own file, each client's generated values differ). */
    rc |= buf_adds(out, "local out_path = os.getenv(\"PARITY_WRK_JSON\") or ");
    rc |= lua_str(out, o->out_json);
    rc |= buf_adds(out, "\nlocal nonce = ");
    rc |= lua_str(out, o->nonce ? o->nonce : "0");
    rc |= buf_adds(out, " .. (os.getenv(\"PARITY_CLIENT\") or \"\")");
    rc |= buf_printf(out, "\ncount_statuses = %s\nlocal acked = {",
                     o->count_statuses ? "true" : "false");
    for (size_t i = 0; i < s->nacked; i++) rc |= buf_printf(out, "%s%d", i ? "," : "", s->acked[i]);
    if (s->nacked == 0) rc |= buf_printf(out, "%d", SCN_ACK_STATUS);
    rc |= buf_adds(out, "}\nlocal P = {}\n");
    if (rc) return err_set(err, "out of memory");

    /* Only the pools the requests use are emitted (the seed may provide more), each in the forms
     * used (raw, percent-encoded). */
    if (check_paired(s, extra, nextra, err) < 0) return -1;
    const scn_pool_t *emitted[SCN_MAX_REQUESTS * SCN_MAX_PARTS];
    bool emitted_enc[SCN_MAX_REQUESTS * SCN_MAX_PARTS];
    size_t nemitted = 0;
    for (size_t k = 0; k < s->nreqs; k++) {
        refs_t r = {.n = 0};
        collect_request(&r, s, &s->reqs[k]);
        /* a digit's radix is read from the raw table: emit it even when only encoded is used */
        for (size_t i = 0; i < r.n + r.ndigits; i++) {
            const char *name = i < r.n ? r.names[i] : r.digits[i - r.n];
            bool enc = i < r.n ? r.enc[i] : false;
            const scn_pool_t *p = scn_pool_find(s, extra, nextra, name);
            if (!p) continue; /* reported by emit_builder */
            if (p->n == 0) return err_set(err, "%s: pool \"%s\" is empty", s->file, p->name);
            bool dup = false;
            for (size_t j = 0; j < nemitted; j++) dup |= emitted[j] == p && emitted_enc[j] == enc;
            if (!dup && nemitted < sizeof emitted / sizeof *emitted) {
                emitted[nemitted] = p;
                emitted_enc[nemitted++] = enc;
                if (emit_pool(out, p, enc) < 0)
                    return err_set(err, "%s: generated script too large", s->file);
            }
        }
    }

    rc = buf_adds(out, "local builders = {}\n");
    if (rc) return err_set(err, "out of memory");
    for (size_t k = 0; k < s->nreqs; k++)
        if (emit_builder(out, s, k, extra, nextra, err) < 0) return -1;

    int *order = malloc(SCN_ORDER_MAX * sizeof *order);
    if (!order) return err_set(err, "out of memory");
    size_t n = scn_weighted_order(s, order, SCN_ORDER_MAX);
    rc = buf_adds(out, "local order = {");
    for (size_t i = 0; i < n; i++) rc |= buf_printf(out, "%s%d", i ? "," : "", order[i] + 1);
    free(order);
    rc |= buf_adds(out,
                   "}\n"
                   "tid = 0\nst = {}\nlocal counter = 0\nlocal uses = {}\nthreads = {}\n"
                   "function setup(thread)\n  thread:set(\"tid\", #threads)\n  "
                   "table.insert(threads, thread)\nend\n"
                   "function init(args)\n"
                   "  for k = 1, #builders do uses[k] = tid * 1000003 end\n"
                   "end\n"
                   /* Each request of a mix counts its own uses: with one shared counter, a
                    * request sent every 4th time would only ever see pool slots of one residue. */
                   "function request()\n"
                   "  counter = counter + 1\n"
                   "  seq = nonce .. \"-\" .. tid .. \"-\" .. counter\n"
                   "  local k = order[(counter % #order) + 1]\n"
                   "  uses[k] = uses[k] + 1\n"
                   "  return builders[k](uses[k])\n"
                   "end\n");
    /* Only when asked: with response() defined, wrk hands every answer's headers and body to
     * Lua, which costs it time per answer (measured in specs/bench/README.md). */
    if (o->count_statuses)
        rc |= buf_adds(out, "function response(status, headers, body)\n"
                            "  st[status] = (st[status] or 0) + 1\nend\n");
    rc |= buf_adds(out, DONE_LUA);
    return rc ? err_set(err, "%s: generated script too large", s->file) : 0;
}
