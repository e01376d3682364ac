/* check_suite: runs one suite on one target (see check.h).
 *
 * A step is: skip for this target? -> render the request -> delay -> send (+ retries) -> check
 * status and asserts -> captures. The first failing step fails the suite; the remaining setup and
 * steps are recorded as skipped (a static walk: a repeat's steps are listed once), teardown always
 * runs. After every exchange the target's process is polled (one waitpid): a target that died is a
 * crash, attributed to the step that was running; a transport error gives a dying target
 * CHECK_CRASH_GRACE_MS to exit so that "connection reset" is reported as the crash it is. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "core/clock.h"
#include "exec/step.h"
#include "spec/spec_raw.h"
#include "spec/tmpl.h"

static long suite_iteration(const step_iter_t *it) {
    for (int d = it->depth - 1; d >= 0; d--)
        if (it->frames[d].owner && it->frames[d].owner->kind == STEP_REPEAT)
            return it->frames[d].iter;
    return -1;
}

const char *check_relpath(const check_ctx_t *c, const char *path) {
    size_t n = strlen(c->o->root);
    if (path && strncmp(path, c->o->root, n) == 0 && path[n] == '/') return path + n + 1;
    return path;
}

static result_step_t *suite_new_step(const check_ctx_t *c, result_suite_t *su, const step_t *st,
                                     result_phase_t ph, long iter) {
    result_step_t *rs = result_step_add(su);
    if (!rs) return NULL;
    rs->name = result_strdup(st->name                  ? st->name
                             : st->kind == STEP_REPEAT ? "(repeat)"
                                                       : "(include)");
    rs->phase = ph;
    rs->file = result_strdup(check_relpath(c, st->loc.file));
    rs->line = st->loc.line;
    rs->col = st->loc.col;
    rs->iteration = iter;
    if (st->raw && st->raw->level) { /* a graded wire probe (specs/wire) */
        rs->level = result_strdup(raw_level_name(st->raw->level));
        rs->ref = result_strdup(st->raw->ref);
    }
    return rs;
}

static void suite_skip_list(const check_ctx_t *c, result_suite_t *su, const step_list_t *l,
                            size_t from, result_phase_t ph, const char *reason) {
    for (size_t i = from; l && i < l->n; i++) {
        const step_t *st = l->items[i];
        if (st->kind == STEP_REQUEST) {
            result_step_t *rs = suite_new_step(c, su, st, ph, -1);
            if (!rs) return;
            rs->status = RESULT_SKIP;
            rs->reason = result_strdup(reason);
        } else {
            suite_skip_list(c, su, &st->children, 0, ph, reason);
        }
    }
}

/* Everything the iterator has not returned yet, innermost frame first. */
static void suite_skip_rest(const check_ctx_t *c, result_suite_t *su, const step_iter_t *it,
                            result_phase_t ph, const char *reason) {
    for (int d = it->depth - 1; d >= 0; d--)
        suite_skip_list(c, su, it->frames[d].list, it->frames[d].pos, ph, reason);
}

void check_skip_suite(check_target_t *t, size_t si, const char *reason) {
    const check_ctx_t *c = t->ctx;
    const suite_t *s = t->ctx->suites[si];
    result_suite_t *su = &t->res->suites[si];
    suite_skip_list(c, su, &s->setup, 0, RESULT_SETUP, reason);
    suite_skip_list(c, su, &s->steps, 0, RESULT_STEPS, reason);
    suite_skip_list(c, su, &s->teardown, 0, RESULT_TEARDOWN, reason);
    result_suite_finish(su);
}

/* The target died: the first thread to notice records the crash with its step. `before`: it was
 * found dead before this step was sent (it died after the previous exchange, e.g. in a
 * background thread), so the step is where it was noticed, not what caused it. */
static void suite_crashed(check_target_t *t, const result_suite_t *su, result_step_t *rs,
                          bool before) {
    int ws = 0;
    target_poll(&t->proc, &ws);
    char how[160], label[512];
    target_describe_exit(ws, how, sizeof how);
    result_step_label(rs, label, sizeof label);
    pthread_mutex_lock(&t->mu);
    bool first = !t->crash;
    if (first)
        t->crash = result_printf("target %s crashed (%s) %s step \"%s\" of suite %s (%s:%u:%u)",
                                 t->name, how, before ? "before" : "during", label, su->name,
                                 rs->file, rs->line, rs->col);
    pthread_mutex_unlock(&t->mu);
    atomic_store(&t->down, true);
    rs->status = RESULT_ERROR;
    free(rs->reason);
    rs->reason = first && before ? result_printf("not sent: the target had exited (%s)", how)
                 : first         ? result_printf("the target crashed during this step: %s", how)
                                 : result_printf("the target died while this step ran (%s)", how);
}

static bool suite_target_dead(check_target_t *t) {
    return t->m && t->started && target_poll(&t->proc, NULL) && !t->proc.stopped;
}

/* "HTTP 404\nName: value\n...\n\nbody" with the body cut at CHECK_BODY_SHOWN bytes. */
static char *suite_response_text(const resp_t *r) {
    buf_t b;
    buf_init(&b, CHECK_BODY_SHOWN + 64 * 1024);
    buf_printf(&b, "HTTP %ld", r->status);
    if (r->redirects > 0 && r->url) /* a followed request: which hop answered */
        buf_printf(&b, " (after %d redirect%s: the answer of %s)", r->redirects,
                   r->redirects == 1 ? "" : "s", r->url);
    buf_adds(&b, "\n");
    for (size_t i = 0; i < r->nheaders; i++)
        buf_printf(&b, "%s: %s\n", r->headers[i].name, r->headers[i].value);
    if (r->body.len) {
        buf_adds(&b, "\n");
        size_t n = r->body.len < CHECK_BODY_SHOWN ? r->body.len : CHECK_BODY_SHOWN;
        for (size_t i = 0; i < n; i++) {
            unsigned char ch = (unsigned char)r->body.ptr[i];
            buf_addc(&b, (ch < 0x20 && ch != '\n' && ch != '\t') || ch == 0x7f ? '?' : (char)ch);
        }
        if (n < r->body.len)
            buf_printf(&b, "\n... (cut at %d bytes; %zu bytes in all)", CHECK_BODY_SHOWN,
                       r->body.len);
    }
    char *s = buf_detach(&b);
    return s ? s : result_strdup("");
}

/* step_exec's hook: the target process is gone. After a transport error a dying target gets
 * CHECK_CRASH_GRACE_MS to exit, so that "connection reset" is reported as the crash it is. */
static bool suite_gone(void *ctx, bool after_error) {
    check_target_t *t = ctx;
    if (!after_error) return suite_target_dead(t);
    return t->m && t->started && target_wait_exit(&t->proc, CHECK_CRASH_GRACE_MS) &&
           !t->proc.stopped;
}

/* A step that got an answer and did not pass: its failed checks, or the reason. */
static void suite_record_failure(check_target_t *t, result_step_t *rs, const step_exec_t *x) {
    if (x->state == STEP_EXEC_FAIL) {
        rs->status = RESULT_FAIL;
        const step_result_t *res = &x->result;
        for (size_t i = 0; i < res->n; i++)
            if (!res->items[i].pass)
                result_check_add(rs, res->items[i].text,
                                 res->items[i].loc.file
                                     ? check_relpath(t->ctx, res->items[i].loc.file)
                                     : rs->file,
                                 res->items[i].loc.line, res->items[i].loc.col,
                                 res->items[i].msg ? res->items[i].msg : "failed");
        if (res->capture_error)
            result_check_add(rs, "capture", rs->file, rs->line, rs->col, res->capture_error);
        if (rs->nchecks == 0) rs->reason = result_strdup("failed");
    } else { /* transport error, out of memory */
        rs->status = RESULT_FAIL;
        rs->reason = result_strdup(x->err.msg);
    }
}

/* What a step that did not pass sent and got: the response and a reproduce command. */
static void suite_record_exchange(check_target_t *t, result_step_t *rs, const step_exec_t *x) {
    if (x->resp.status) rs->response = suite_response_text(&x->resp);
    buf_t cmd;
    buf_init(&cmd, 1u << 20);
    if (x->reproduce) /* a raw step: printf | nc */
        rs->curl = result_strdup(x->reproduce);
    else if (step_curl_command(&x->req, t->url, &cmd) == 0)
        rs->curl = buf_detach(&cmd);
    buf_free(&cmd);
}

/* Runs one request step; false when it failed (which fails the suite). */
static bool suite_step(check_target_t *t, http_client_t *hc, result_suite_t *su, const step_t *st,
                       result_phase_t ph, long iter, vars_t *vars) {
    result_step_t *rs = suite_new_step(t->ctx, su, st, ph, iter);
    if (!rs) return false;
    long long t0 = clock_mono_ms();
    const char *skip = step_skip_reason(st, t->name);
    if (skip) {
        rs->status = RESULT_SKIP;
        rs->reason = result_printf("skipped on %s: %s", t->name, skip);
        return true;
    }
    if (atomic_load(&t->down)) {
        pthread_mutex_lock(&t->mu);
        rs->reason = result_printf("not sent: %s", t->crash ? t->crash : "the target is down");
        pthread_mutex_unlock(&t->mu);
        rs->status = ph == RESULT_TEARDOWN ? RESULT_SKIP : RESULT_ERROR;
        return ph == RESULT_TEARDOWN;
    }
    step_exec_t x;
    step_exec_init(&x);
    step_exec_hooks_t hooks = {suite_gone, t};
    step_exec(st, hc, t->url, vars, &hooks, &x);
    if (x.state == STEP_EXEC_BUILD_ERROR) {
        rs->status = RESULT_ERROR;
        rs->reason = result_printf("cannot build the request: %s", x.err.msg);
        step_exec_free(&x);
        return false;
    }
    rs->method = result_strdup(x.req.method);
    rs->url = result_printf("%s%s", t->url, buf_cstr(&x.req.target));
    rs->attempts = x.attempts;
    rs->http_status = x.resp.status;
    rs->dns_ms = x.http.dns_ms;
    rs->connect_ms = x.http.connect_ms;
    rs->ttfb_ms = x.http.ttfb_ms;
    rs->total_ms = x.http.total_ms;
    if (x.state == STEP_EXEC_GONE_BEFORE)
        suite_crashed(t, su, rs, true);
    else if (x.state == STEP_EXEC_GONE || suite_target_dead(t))
        suite_crashed(t, su, rs, false);
    else if (x.state == STEP_EXEC_PASS)
        rs->status = RESULT_PASS;
    else
        suite_record_failure(t, rs, &x);
    if (rs->status != RESULT_PASS && x.state != STEP_EXEC_GONE_BEFORE)
        suite_record_exchange(t, rs, &x);
    rs->duration_ms = (double)(clock_mono_ms() - t0);
    if (x.state != STEP_EXEC_GONE_BEFORE && x.http.total_ms > rs->duration_ms)
        rs->duration_ms = x.http.total_ms;
    step_exec_free(&x);
    return rs->status == RESULT_PASS;
}

/* Sets uid, target, run, url, then the suite's variables (each rendered against what is set). */
static int suite_vars(check_target_t *t, size_t si, vars_t *vars, err_t *err) {
    check_ctx_t *c = t->ctx;
    char uid[64];
    /* Lower-case alphanumerics only: safe in usernames, e-mails, titles and slugs. Unique per run
     * (random base), target (index) and suite (index). */
    snprintf(uid, sizeof uid, "%st%zus%zu", c->uid_base, t->index, si);
    if (vars_set_string(vars, "uid", uid) < 0 || vars_set_string(vars, "target", t->name) < 0 ||
        vars_set_string(vars, "run", c->run->id) < 0 || vars_set_string(vars, "url", t->url) < 0)
        return err_set(err, "out of memory");
    /* {{secret}}: the SECRET_KEY parity gave the target, or --secret NAME=KEY (a --url target).
     * Unknown: left unset, so {{secret}} / {{jwt(...)}} fail the step saying how to give it. */
    const char *secret = t->m && t->started && t->proc.secret[0] ? t->proc.secret : NULL;
    for (size_t i = 0; !t->m && i < c->o->nsecrets; i++) /* parity knows its own targets' keys */
        if (strcmp(c->o->secrets[i].name, t->name) == 0) secret = c->o->secrets[i].key;
    if (secret && vars_set_string(vars, "secret", secret) < 0) return err_set(err, "out of memory");
    /* The target's own vars (target.json "vars", e.g. session_cookie); a suite variable of the
     * same name was refused at load (check.c). */
    for (size_t i = 0; t->m && i < t->m->nvars; i++)
        if (vars_set_string(vars, t->m->vars[i].name, t->m->vars[i].value) < 0)
            return err_set(err, "out of memory");
    const cJSON *vs = c->suites[si]->variables;
    for (const cJSON *v = vs ? vs->child : NULL; v; v = v->next) {
        cJSON *r = tmpl_render_json(vars, v, err);
        if (!r) return err_prefix(err, "variable \"%s\": ", v->string);
        if (vars_set_take(vars, v->string, r) < 0) return err_set(err, "out of memory");
    }
    return 0;
}

void check_run_suite(check_target_t *t, size_t si, http_client_t *hc) {
    check_ctx_t *c = t->ctx;
    const suite_t *s = c->suites[si];
    result_suite_t *su = &t->res->suites[si];
    long long t0 = clock_mono_ms();
    http_client_reset_jars(hc); /* every suite run starts with empty cookie jars */
    vars_t *vars = vars_new();
    err_t err;
    char reason[1024] = "";
    if (!vars || suite_vars(t, si, vars, &err) < 0) {
        result_step_t *rs = result_step_add(su);
        rs->name = result_strdup("variables");
        rs->phase = RESULT_SETUP;
        rs->file = result_strdup(check_relpath(c, s->file));
        rs->line = s->loc.line;
        rs->col = s->loc.col;
        rs->status = RESULT_ERROR;
        rs->reason = result_strdup(vars ? err.msg : "out of memory");
        snprintf(reason, sizeof reason, "not run: the suite's variables failed");
    }
    const step_list_t *lists[3] = {&s->setup, &s->steps, &s->teardown};
    for (int ph = 0; ph < 3 && vars; ph++) {
        step_iter_t it;
        step_iter_init(&it, lists[ph]);
        for (;;) {
            if (reason[0] && ph != RESULT_TEARDOWN) {
                suite_skip_rest(c, su, &it, (result_phase_t)ph, reason);
                break;
            }
            const step_t *st = NULL;
            if (step_iter_next(&it, vars, &st, &err) < 0) {
                result_step_t *rs = result_step_add(su);
                if (!rs) break;
                rs->name = result_strdup("(repeat/include)");
                rs->phase = (result_phase_t)ph;
                rs->status = RESULT_ERROR;
                rs->reason = result_strdup(err.msg);
                if (!reason[0])
                    snprintf(reason, sizeof reason,
                             "not run: an earlier step could not be expanded");
                if (ph == RESULT_TEARDOWN) break;
                continue;
            }
            if (!st) break;
            bool ok = suite_step(t, hc, su, st, (result_phase_t)ph, suite_iteration(&it), vars);
            if (c->o->verbose && su->n) check_report_step(c, t, su, &su->steps[su->n - 1]);
            /* A graded probe is one independent check: its failure stops nothing. */
            if (!ok && !reason[0] && !(st->raw && st->raw->level)) {
                char label[512];
                result_step_label(&su->steps[su->n - 1], label, sizeof label);
                snprintf(reason, sizeof reason, "not run: step \"%.400s\" failed", label);
            }
        }
    }
    vars_free(vars);
    http_client_reset_jars(hc);
    su->duration_ms = (double)(clock_mono_ms() - t0);
    result_suite_finish(su);
}
