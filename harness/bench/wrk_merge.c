/* wrk_merge: the exact merge of several wrk results (see clients.h for why it is exact). */
#include "clients.h"

#include <stdlib.h>
#include <string.h>

/* Merges two ascending [us, count] lists into out (which holds na + nb entries). */
static size_t merge_two(const long long (*a)[2], size_t na, const long long (*b)[2], size_t nb,
                        long long (*out)[2]) {
    size_t i = 0, j = 0, k = 0;
    while (i < na || j < nb) {
        if (j >= nb || (i < na && a[i][0] < b[j][0])) {
            out[k][0] = a[i][0];
            out[k++][1] = a[i++][1];
        } else if (i >= na || b[j][0] < a[i][0]) {
            out[k][0] = b[j][0];
            out[k++][1] = b[j++][1];
        } else {
            out[k][0] = a[i][0];
            out[k++][1] = a[i++][1] + b[j++][1];
        }
    }
    return k;
}

static int add_status(wrk_result_t *o, int code, long long count, err_t *err) {
    for (size_t i = 0; i < o->nstatuses; i++)
        if (o->status_code[i] == code) {
            o->status_count[i] += count;
            return 0;
        }
    if (o->nstatuses >= WRK_MAX_STATUSES)
        return err_set(err, "merge: more than %d distinct statuses", WRK_MAX_STATUSES);
    o->status_code[o->nstatuses] = code;
    o->status_count[o->nstatuses++] = count;
    return 0;
}

int wrk_merge(const wrk_result_t *in, size_t n, wrk_result_t *out, err_t *err) {
    memset(out, 0, sizeof *out);
    if (n == 0) return err_set(err, "merge: no client result");
    out->counted_created = true;
    for (size_t c = 0; c < n; c++) {
        const wrk_result_t *r = &in[c];
        if (r->duration_s > out->duration_s) out->duration_s = r->duration_s;
        out->requests += r->requests;
        out->bytes += r->bytes;
        out->err_connect += r->err_connect;
        out->err_read += r->err_read;
        out->err_write += r->err_write;
        out->err_status += r->err_status;
        out->err_timeout += r->err_timeout;
        out->created += r->created;
        out->wrk_added += r->wrk_added;
        out->counted_created &= r->counted_created;
        for (size_t i = 0; i < r->nstatuses; i++)
            if (add_status(out, r->status_code[i], r->status_count[i], err) < 0) goto fail;
        long long(*h)[2] = calloc(out->nhist + r->nhist + 1, sizeof *h);
        if (!h) {
            err_set(err, "out of memory");
            goto fail;
        }
        size_t nh = merge_two((const long long(*)[2])out->hist, out->nhist,
                              (const long long(*)[2])r->hist, r->nhist, h);
        free(out->hist);
        out->hist = h;
        out->nhist = nh;
    }
    /* Everything below comes from the merged histogram, as wrk computes it from its own. */
    wrk_result_restat(out);
    out->wrk_p50_us = out->wrk_p99_us = -1; /* wrk's corrected figures do not merge */
    return 0;
fail:
    wrk_result_free(out);
    return -1;
}
