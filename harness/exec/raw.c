/* raw: one raw step: render, exchange, wait, check (see raw.h). */
#include "raw.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "raw_conn.h"
#include "spec/spec_raw.h"

#define RAW_MAX_ITEMS 8 /* wire checks after status and asserts */

/* ---- rendering ----------------------------------------------------------------------------- */

typedef struct rpiece {
    raw_piece_kind_t kind;
    size_t off, len; /* bytes in the rendered buffer */
    long ms, n;
} rpiece_t;

/* Renders every piece's bytes into out; pcs[i] points into it. */
static int render(const raw_spec_t *rs, const vars_t *vars, rpiece_t *pcs, buf_t *out, err_t *err) {
    for (size_t i = 0; i < rs->npieces; i++) {
        const raw_piece_t *p = &rs->pieces[i];
        rpiece_t *q = &pcs[i];
        *q = (rpiece_t){.kind = p->kind, .off = out->len, .ms = p->ms, .n = p->n};
        int rc = 0;
        if (p->kind == RAW_PIECE_TEXT) {
            char *s = tmpl_render_str(vars, p->s, err);
            if (!s) return err_prefix(err, "raw.send piece %zu: ", i + 1);
            rc = buf_adds(out, s);
            free(s);
        } else if (p->kind == RAW_PIECE_BYTES) {
            rc = buf_add(out, p->s, p->len);
        } else if (p->kind == RAW_PIECE_FILL) {
            rc = buf_addfill(out, p->fill, p->size);
        }
        if (rc == -1) return err_set(err, "raw.send: more than %u bytes", RAW_SENT_MAX);
        q->len = out->len - q->off;
    }
    return 0;
}

/* `{ printf '...'; sleep 0.2; ...; sleep 2; } | nc [-N] HOST PORT` */
static int repro(const raw_spec_t *rs, const rpiece_t *pcs, const buf_t *bytes,
                 const char *base_url, buf_t *out) {
    char host[256], port[16];
    err_t e;
    if (raw_url_host_port(base_url, host, sizeof host, port, sizeof port, &e) == -1) return -1;
    bool shut = false;
    buf_adds(out, "{ ");
    for (size_t i = 0; i < rs->npieces; i++) {
        const rpiece_t *p = &pcs[i];
        if (out->len > RAW_REPRO_MAX) {
            buf_adds(out, "echo '(command cut)' >&2; ");
            break;
        }
        switch (p->kind) {
        case RAW_PIECE_TEXT:
        case RAW_PIECE_BYTES:
            buf_adds(out, "printf ");
            raw_printf_quote(out, bytes->ptr + p->off, p->len < 8192 ? p->len : 8192);
            buf_adds(out, p->len < 8192 ? "; " : " # cut at 8192 bytes; ");
            break;
        case RAW_PIECE_FILL:
            buf_printf(out, "head -c %zu /dev/zero | tr '\\0' ", p->len);
            raw_printf_quote(out, p->len ? bytes->ptr + p->off : "x", 1);
            buf_adds(out, "; ");
            break;
        case RAW_PIECE_DELAY:
            buf_printf(out, "sleep %ld.%03ld; ", p->ms / 1000, p->ms % 1000);
            break;
        case RAW_PIECE_AWAIT: buf_adds(out, "sleep 1; "); break;
        case RAW_PIECE_SHUTDOWN: shut = true; break;
        }
    }
    if (!shut) buf_printf(out, "sleep %ld; ", (rs->timeout_ms + 999) / 1000);
    return buf_printf(out, "} | nc %s%s %s", shut ? "-N " : "", host, port);
}

/* ---- the suite's kept connection (per worker thread) ----------------------------------------- */

typedef struct kept {
    raw_conn_t conn;
    char key[600];
} kept_t;

static pthread_key_t kept_key;
static pthread_once_t kept_once = PTHREAD_ONCE_INIT;

static void kept_free(void *p) {
    kept_t *k = p;
    raw_conn_free(&k->conn);
    free(k);
}

static void kept_init(void) {
    pthread_key_create(&kept_key, kept_free);
}

/* The suite's connection for (base_url, {{uid}}), reused while the peer keeps it open. */
static raw_conn_t *kept_conn(const char *base_url, const vars_t *vars, unsigned long long head,
                             err_t *err) {
    pthread_once(&kept_once, kept_init);
    const cJSON *uid = vars_get(vars, "uid");
    char key[600];
    snprintf(key, sizeof key, "%.300s|%.200s", base_url,
             cJSON_IsString(uid) ? uid->valuestring : "");
    kept_t *k = pthread_getspecific(kept_key);
    if (k && strcmp(k->key, key) == 0 && !raw_conn_dead(&k->conn)) {
        raw_conn_reuse(&k->conn, head);
        return &k->conn;
    }
    if (k) raw_conn_free(&k->conn);
    if (!k && !(k = calloc(1, sizeof *k))) return err_set(err, "out of memory"), NULL;
    pthread_setspecific(kept_key, k);
    snprintf(k->key, sizeof k->key, "%s", key);
    if (raw_conn_open(&k->conn, base_url, head, err) == -1) return NULL;
    return &k->conn;
}

/* ---- the exchange -------------------------------------------------------------------------- */

typedef struct want {
    size_t finals, interims;
} want_t;

/* Enough answers: the finals wanted, and the interims wanted unless a final came (1xx answers
 * only precede a final one). */
static bool enough(void *ctx, const raw_conn_t *c) {
    const want_t *w = ctx;
    const raw_parser_t *p = &c->parser;
    return p->nfinal >= w->finals && (p->ninterim >= w->interims || p->nfinal > 0);
}

static bool any_byte(void *ctx, const raw_conn_t *c) {
    (void)ctx;
    return c->parser.received > 0;
}

/* Writes the pieces in order; a write the server refused ends the sending (not an error: a
 * server may answer and close before the client is done). */
static void run_pieces(raw_conn_t *c, const raw_spec_t *rs, const rpiece_t *pcs, const buf_t *b) {
    long long deadline = clock_mono_ms() + rs->timeout_ms;
    for (size_t i = 0; i < rs->npieces && !c->write_failed; i++) {
        const rpiece_t *p = &pcs[i];
        switch (p->kind) {
        case RAW_PIECE_TEXT:
        case RAW_PIECE_BYTES:
        case RAW_PIECE_FILL: raw_conn_write(c, b->ptr + p->off, p->len, deadline); break;
        case RAW_PIECE_DELAY: raw_conn_pump(c, clock_mono_ms() + p->ms, NULL, NULL); break;
        case RAW_PIECE_SHUTDOWN: raw_conn_shutdown(c); break;
        case RAW_PIECE_AWAIT: {
            want_t w = {(size_t)p->n, 0};
            raw_conn_pump(c, clock_mono_ms() + rs->timeout_ms, enough, &w);
            break;
        }
        }
        if (p->kind != RAW_PIECE_DELAY && p->kind != RAW_PIECE_AWAIT)
            deadline = clock_mono_ms() + rs->timeout_ms;
    }
}

/* ---- checks -------------------------------------------------------------------------------- */

static int item(step_result_t *res, const char *text, spec_loc_t loc, bool pass, const char *fmt,
                ...) __attribute__((format(printf, 5, 6)));
static int item(step_result_t *res, const char *text, spec_loc_t loc, bool pass, const char *fmt,
                ...) {
    check_item_t *it = &res->items[res->n++];
    it->text = text;
    it->loc = loc;
    it->pass = pass;
    if (pass) return 0;
    res->pass = false;
    buf_t m;
    buf_init(&m, EXPECT_MSG_MAX);
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(&m, fmt, ap);
    va_end(ap);
    it->msg = buf_detach(&m);
    return it->msg ? 0 : -1;
}

/* What the connection did instead of answering, for messages. */
static const char *conn_story(const raw_conn_t *c, long waited, char *out, size_t n) {
    const raw_parser_t *p = &c->parser;
    const char *end = c->reset ? "the connection was reset"
                      : c->eof ? "the connection closed"
                               : "the connection stayed open";
    if (p->state == RP_ERROR)
        snprintf(out, n, "a malformed answer (%s)", p->error);
    else if (raw_parser_partial(p))
        snprintf(out, n, "an incomplete answer (%zu bytes), then %s", p->received, end);
    else if (c->eof)
        snprintf(out, n, "no answer: %s", end);
    else
        snprintf(out, n, "no answer within %ld ms", waited);
    if (c->write_failed) {
        size_t l = strlen(out);
        snprintf(out + l, n - l, " (the server stopped reading after %zu bytes)", c->sent);
    }
    return out;
}

static void status_checks(const step_t *st, raw_conn_t *c, raw_answer_t *a, vars_t *vars,
                          step_result_t *res) {
    char story[600];
    const raw_spec_t *rs = st->raw;
    if (rs->has_status) {
        bool ok = false;
        for (size_t i = 0; a && i < st->nstatus; i++) ok = ok || st->statuses[i] == a->resp.status;
        buf_t want;
        buf_init(&want, 256);
        for (size_t i = 0; i < st->nstatus; i++)
            buf_printf(&want, "%s%d", i ? ", " : "", st->statuses[i]);
        if (a)
            item(res, "status", st->status_loc, ok, "expected status %s%s%s, got %ld%s",
                 st->nstatus > 1 ? "in [" : "== ", buf_cstr(&want), st->nstatus > 1 ? "]" : "",
                 a->resp.status, a->complete ? "" : " (an incomplete answer)");
        else
            item(res, "status", st->status_loc, false, "expected status %s%s%s, got %s",
                 st->nstatus > 1 ? "in [" : "== ", buf_cstr(&want), st->nstatus > 1 ? "]" : "",
                 conn_story(c, rs->timeout_ms, story, sizeof story));
        buf_free(&want);
    }
    buf_t msg;
    buf_init(&msg, EXPECT_MSG_MAX);
    for (size_t i = 0; i < st->nasserts; i++) {
        const assertion_t *as = &st->asserts[i];
        bool pass = false;
        err_t e;
        buf_reset(&msg);
        if (!a)
            buf_adds(&msg, "no answer to check");
        else if (assertion_eval(as, &a->resp, vars, &pass, &msg, &e) == -1)
            buf_adds(&msg, e.msg);
        item(res, as->text, as->loc, pass, "%s", buf_cstr(&msg));
    }
    buf_free(&msg);
}

static void wire_checks(const raw_spec_t *rs, const raw_conn_t *c, long long t_last,
                        step_result_t *res) {
    const raw_parser_t *p = &c->parser;
    char story[600];
    if (rs->responses.ms >= 0)
        item(res, "responses", rs->responses.loc, p->nfinal == (size_t)rs->responses.ms,
             "expected %ld responses on the connection, got %zu (then %s)", rs->responses.ms,
             p->nfinal, conn_story(c, rs->timeout_ms, story, sizeof story));
    if (rs->interim.ms >= 0)
        item(res, "interim", rs->interim.loc, p->ninterim == (size_t)rs->interim.ms,
             "expected %ld interim (1xx) responses, got %zu", rs->interim.ms, p->ninterim);
    if (rs->closed.ms > 0)
        item(res, "closed", rs->closed.loc, c->eof && c->eof_ms - t_last <= rs->closed.ms,
             "expected the connection closed within %ld ms of the last answer, got %s",
             rs->closed.ms, c->eof ? "closed later" : "still open");
    if (rs->open.ms > 0)
        item(res, "open", rs->open.loc, !c->eof,
             "expected the connection still open %ld ms after the last answer, got %s after "
             "%lld ms",
             rs->open.ms, c->reset ? "reset" : "closed", c->eof_ms - t_last);
    if (rs->silent.ms > 0) {
        buf_t seen;
        buf_init(&seen, 512);
        if (p->n) buf_printf(&seen, "a %ld answer", p->ans[0].resp.status);
        if (p->state == RP_ERROR) buf_printf(&seen, "bytes that are not an answer (%s)", p->error);
        item(res, "silent", rs->silent.loc, p->received == 0,
             "expected no answer within %ld ms, got %s after %lld ms (%zu bytes)", rs->silent.ms,
             buf_cstr(&seen), c->first_byte_ms - t_last, p->received);
        buf_free(&seen);
    }
}

/* ---- the step ------------------------------------------------------------------------------ */

static long long last_answer_ms(const raw_conn_t *c, long long t_sent) {
    long long t = t_sent;
    for (size_t i = 0; i < c->parser.n; i++)
        if (c->parser.ans[i].complete && c->parser.ans[i].done_ms > t) t = c->parser.ans[i].done_ms;
    return t;
}

/* Waits for what the expectations need; returns the time the waits count from. */
static long long await_answers(raw_conn_t *c, const step_t *st, long long t_sent) {
    const raw_spec_t *rs = st->raw;
    if (rs->silent.ms > 0) {
        raw_conn_pump(c, t_sent + rs->silent.ms, any_byte, NULL);
        return t_sent;
    }
    want_t w = {rs->responses.ms >= 0            ? (size_t)rs->responses.ms
                : rs->has_status || st->nasserts ? 1
                                                 : 0,
                rs->interim.ms > 0 ? (size_t)rs->interim.ms : 0};
    if (w.finals || w.interims) raw_conn_pump(c, t_sent + rs->timeout_ms, enough, &w);
    long long t_last = last_answer_ms(c, t_sent);
    if (rs->closed.ms > 0) raw_conn_pump(c, t_last + rs->closed.ms, NULL, NULL);
    if (rs->open.ms > 0) raw_conn_pump(c, t_last + rs->open.ms, NULL, NULL);
    return t_last;
}

static void take_first_answer(raw_conn_t *c, raw_outcome_t *x) {
    raw_answer_t *a = raw_parser_first_final(&c->parser);
    resp_reset(&x->resp);
    if (!a) return;
    resp_free(&x->resp);
    x->resp = a->resp; /* moved: the parser's copy is emptied */
    resp_init(&a->resp);
    a->resp.status = x->resp.status;
}

/* Which answers are to HEAD requests: a request starts at byte 0 and after every CRLF CRLF that
 * is followed by an upper-case method and a space; bit i is set when the i-th such request is a
 * HEAD. (A body that looks like a request line would be miscounted: write `"head"` then.) */
static unsigned long long head_mask(const buf_t *b) {
    unsigned long long m = 0;
    int k = 0;
    for (size_t i = 0; i < b->len && k < 64; i++) {
        if (i && !(i >= 4 && memcmp(b->ptr + i - 4, "\r\n\r\n", 4) == 0)) continue;
        size_t j = i;
        while (j < b->len && b->ptr[j] >= 'A' && b->ptr[j] <= 'Z') j++;
        if (j == i || j >= b->len || b->ptr[j] != ' ') continue;
        if (j - i == 4 && memcmp(b->ptr + i, "HEAD", 4) == 0) m |= 1ull << (k < 63 ? k : 63);
        k++;
    }
    return m;
}

typedef struct hooks {
    raw_gone_fn gone;
    void *ctx;
} hooks_t;

static bool gone(const hooks_t *h, bool after_error) {
    return h->gone && h->gone(h->ctx, after_error);
}

static int exchange(const step_t *st, const char *base_url, vars_t *vars, const rpiece_t *pcs,
                    const buf_t *bytes, const hooks_t *hooks, raw_outcome_t *x) {
    const raw_spec_t *rs = st->raw;
    unsigned long long head = rs->head == -1 ? head_mask(bytes) : rs->head == 1 ? ~0ull : 0;
    long long t0 = clock_mono_ms();
    raw_conn_t fresh, *c = &fresh;
    x->attempts = 1;
    if (rs->suite_conn)
        c = kept_conn(base_url, vars, head, &x->err);
    else if (raw_conn_open(&fresh, base_url, head, &x->err) == -1)
        c = NULL;
    if (!c) {
        if (!rs->suite_conn) raw_conn_free(&fresh);
        x->state = gone(hooks, true) ? RAW_GONE : RAW_TRANSPORT;
        return -1;
    }
    x->connect_ms = (double)(clock_mono_ms() - t0);
    run_pieces(c, rs, pcs, bytes);
    long long t_sent = clock_mono_ms();
    err_t oerr = {{0}};
    long ostatus = 0;
    int orc = rs->others.ms > 0
                  ? raw_probe_get(base_url, RAW_ALIVE_PATH, rs->others.ms, &ostatus, &oerr)
                  : 0;
    long long t_last = await_answers(c, st, t_sent);
    x->ttfb_ms = c->first_byte_ms ? (double)(c->first_byte_ms - t0) : 0;
    x->total_ms = (double)(clock_mono_ms() - t0);

    step_result_t *res = &x->result;
    res->items = calloc(1 + st->nasserts + RAW_MAX_ITEMS, sizeof *res->items);
    if (!res->items) {
        err_set(&x->err, "out of memory while checking");
        x->state = RAW_NOMEM;
    } else {
        res->pass = true;
        raw_answer_t *a = raw_parser_first_final(&c->parser);
        status_checks(st, c, a, vars, res);
        wire_checks(rs, c, t_last, res);
        if (rs->others.ms > 0)
            item(res, "others", rs->others.loc, orc == 0,
                 "expected another connection served within %ld ms while this one is held, got: "
                 "%s",
                 rs->others.ms, oerr.msg);
        take_first_answer(c, x);
    }
    if (!rs->suite_conn || c->eof || c->write_failed) raw_conn_close(c);
    if (!rs->suite_conn) raw_conn_free(c);
    if (x->state == RAW_NOMEM) return -1;
    if (rs->alive) {
        err_t aerr;
        long as = 0;
        bool up = raw_probe_get(base_url, RAW_ALIVE_PATH, RAW_ALIVE_TIMEOUT_MS, &as, &aerr) == 0;
        spec_loc_t loc = st->loc;
        item(res, "alive", loc, up,
             "expected the server to answer GET %s on a new connection after this step, got: %s",
             RAW_ALIVE_PATH, aerr.msg);
    }
    x->state = res->pass ? RAW_PASS : RAW_FAIL;
    return res->pass ? 0 : -1;
}

void raw_outcome_init(raw_outcome_t *o) {
    memset(o, 0, sizeof *o);
    resp_init(&o->resp);
    step_result_init(&o->result);
}

void raw_outcome_free(raw_outcome_t *o) {
    free(o->reproduce);
    step_result_free(&o->result);
    resp_free(&o->resp);
    memset(o, 0, sizeof *o);
}

int raw_run(const step_t *st, const char *base_url, vars_t *vars, raw_gone_fn gone_fn, void *ctx,
            raw_outcome_t *x) {
    const raw_spec_t *rs = st->raw;
    const hooks_t hooks = {gone_fn, ctx};
    rpiece_t *pcs = calloc(rs->npieces, sizeof *pcs);
    buf_t bytes, cmd;
    buf_init(&bytes, RAW_SENT_MAX);
    buf_init(&cmd, RAW_REPRO_MAX + 4096);
    int rc = -1;
    if (!pcs) {
        err_set(&x->err, "out of memory");
        x->state = RAW_BUILD_ERROR;
    } else if (render(rs, vars, pcs, &bytes, &x->err) == -1) {
        x->state = RAW_BUILD_ERROR;
    } else {
        if (repro(rs, pcs, &bytes, base_url, &cmd) == 0) x->reproduce = buf_detach(&cmd);
        if (st->delay_ms > 0) clock_sleep_ms(st->delay_ms);
        if (gone(&hooks, false))
            x->state = RAW_GONE_BEFORE;
        else
            rc = exchange(st, base_url, vars, pcs, &bytes, &hooks, x);
    }
    buf_free(&cmd);
    buf_free(&bytes);
    free(pcs);
    return rc;
}
