/* scenario_stream: a scenario's requests as raw HTTP/1.1 bytes (see scenario_stream.h). */
#include "scenario_stream.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int add_ref(scn_stream_t *st, size_t k, const scn_tmpl_t *t, const scn_pool_t *extra,
                   size_t nextra, err_t *err) {
    const scn_request_t *q = &st->s->reqs[k];
    for (size_t i = 0; i < t->n; i++) {
        if (t->parts[i].kind != SCN_POOL) continue;
        const char *name = t->parts[i].text;
        bool seen = false;
        for (size_t j = 0; j < st->nrefs[k]; j++) seen |= strcmp(st->ref_names[k][j], name) == 0;
        if (seen) continue;
        const scn_pool_t *p = scn_pool_find(st->s, extra, nextra, name);
        if (!p)
            return err_set(err,
                           "%s: request %zu (%s %s) uses pool \"%s\", which neither the scenario "
                           "nor the seed provides",
                           st->s->file, k + 1, q->method, q->path.source, name);
        if (p->n == 0) return err_set(err, "%s: pool \"%s\" is empty", st->s->file, name);
        if (st->nrefs[k] >= SCN_STREAM_MAX_REFS)
            return err_set(err, "%s: request %zu draws from more than %d pools", st->s->file, k + 1,
                           SCN_STREAM_MAX_REFS);
        st->refs[k][st->nrefs[k]] = p;
        st->ref_names[k][st->nrefs[k]++] = name;
    }
    return 0;
}

int scn_stream_init(scn_stream_t *st, const scn_t *s, const scn_pool_t *extra, size_t nextra,
                    const char *host, const char *nonce, err_t *err) {
    memset(st, 0, sizeof *st);
    st->s = s;
    snprintf(st->host, sizeof st->host, "%s", host);
    snprintf(st->nonce, sizeof st->nonce, "%s", nonce ? nonce : "0");
    for (size_t k = 0; k < s->nreqs; k++) {
        const scn_request_t *q = &s->reqs[k];
        if (add_ref(st, k, &q->path, extra, nextra, err) < 0) return -1;
        for (size_t h = 0; h < q->nheaders; h++)
            if (add_ref(st, k, &q->headers[h].value, extra, nextra, err) < 0) return -1;
        if (q->has_body && add_ref(st, k, &q->body, extra, nextra, err) < 0) return -1;
    }
    /* paired pools first, as in the Lua (scenario_lua.c): their digit turns fastest */
    for (size_t k = 0; k < s->nreqs; k++) {
        const scn_pool_t *refs[SCN_STREAM_MAX_REFS];
        const char *names[SCN_STREAM_MAX_REFS];
        size_t n = 0;
        for (int pass = 0; pass < 2; pass++)
            for (size_t j = 0; j < st->nrefs[k]; j++)
                if ((scn_pair_group(s, st->ref_names[k][j]) >= 0) == (pass == 0)) {
                    refs[n] = st->refs[k][j];
                    names[n++] = st->ref_names[k][j];
                }
        memcpy(st->refs[k], refs, n * sizeof *refs);
        memcpy(st->ref_names[k], names, n * sizeof *names);
    }
    size_t total = 0;
    for (size_t k = 0; k < s->nreqs; k++) total += (size_t)s->reqs[k].weight;
    st->order = malloc((total ? total : 1) * sizeof *st->order);
    if (!st->order) return err_set(err, "out of memory");
    st->norder = scn_weighted_order(s, st->order, total);
    if (st->norder == 0) {
        scn_stream_free(st);
        return err_set(err, "%s: no requests", s->file);
    }
    return 0;
}

void scn_stream_free(scn_stream_t *st) {
    free(st->order);
    st->order = NULL;
    st->norder = 0;
}

static int render(const scn_stream_t *st, size_t k, const scn_tmpl_t *t, const char *const *vals,
                  const char *seq, buf_t *out) {
    for (size_t i = 0; i < t->n; i++) {
        const scn_part_t *p = &t->parts[i];
        const char *v = p->text;
        if (p->kind == SCN_SEQ)
            v = seq;
        else if (p->kind == SCN_POOL)
            for (size_t j = 0; j < st->nrefs[k]; j++)
                if (strcmp(st->ref_names[k][j], p->text) == 0) v = vals[j];
        if ((p->kind == SCN_POOL && p->urlencode ? scn_urlencode(v, out) : buf_adds(out, v)) < 0)
            return -1;
    }
    return 0;
}

int scn_stream_next(scn_stream_t *st, buf_t *out, bool *head, err_t *err) {
    st->counter++;
    char seq[96];
    snprintf(seq, sizeof seq, "%s-0-%" PRIu64, st->nonce, st->counter);
    size_t k = (size_t)st->order[st->counter % st->norder];
    const scn_request_t *q = &st->s->reqs[k];
    uint64_t x = ++st->uses[k];
    const char *vals[SCN_STREAM_MAX_REFS];
    size_t idx[SCN_STREAM_MAX_REFS];
    for (size_t j = 0; j < st->nrefs[k]; j++) { /* mixed radix, first pool fastest */
        const scn_pool_t *p = st->refs[k][j];
        int g = scn_pair_group(st->s, p->name);
        bool shared = false; /* a paired pool takes the index of its group's first pool */
        for (size_t i = 0; g >= 0 && i < j && !shared; i++)
            if (scn_pair_group(st->s, st->refs[k][i]->name) == g) {
                idx[j] = idx[i];
                shared = true;
            }
        if (!shared) {
            idx[j] = (size_t)(x % p->n);
            x /= p->n;
        }
        vals[j] = p->values[idx[j] % p->n];
    }
    bool has_host = false;
    for (size_t h = 0; h < q->nheaders; h++) has_host |= str_eq_nocase(q->headers[h].name, "host");
    int rc = buf_printf(out, "%s ", q->method);
    rc |= render(st, k, &q->path, vals, seq, out);
    rc |= buf_adds(out, " HTTP/1.1\r\n");
    if (!has_host) rc |= buf_printf(out, "Host: %s\r\n", st->host);
    for (size_t h = 0; rc == 0 && h < q->nheaders; h++) {
        rc |= buf_printf(out, "%s: ", q->headers[h].name);
        rc |= render(st, k, &q->headers[h].value, vals, seq, out);
        rc |= buf_adds(out, "\r\n");
    }
    if (q->has_body) {
        size_t before = out->len;
        rc |= buf_adds(out, "\r\n");
        size_t start = out->len;
        rc |= render(st, k, &q->body, vals, seq, out);
        if (rc == 0) { /* Content-Length goes before the blank line: render, then insert */
            char cl[48];
            int n = snprintf(cl, sizeof cl, "Content-Length: %zu\r\n", out->len - start);
            size_t blen = out->len - before;
            rc |= buf_addfill(out, ' ', (size_t)n);
            if (rc == 0) {
                memmove(out->ptr + before + n, out->ptr + before, blen);
                memcpy(out->ptr + before, cl, (size_t)n);
            }
        }
    } else {
        rc |= buf_adds(out, "\r\n");
    }
    *head = strcmp(q->method, "HEAD") == 0;
    return rc ? err_set(err, "%s: request %zu too large", st->s->file, k + 1) : 0;
}
