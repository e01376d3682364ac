/* scenario_stream: a scenario's request stream rendered in C, for the open-loop engine.
 *
 * The same model as the wrk Lua of scenario_lua.c, request for request: the weighted mix is
 * scn_weighted_order()'s smooth round robin over one cycle, indexed by a counter starting at 1;
 * each request of the mix counts its own uses, and the pools it draws from are indexed in mixed
 * radix by that count (first pool the fastest digit, pools in order of first use in path,
 * headers, body), so two pools in one request go through every combination; {{seq}} is
 * "NONCE-0-COUNTER" (one stream is wrk's thread 0), unique in a run when the nonce is. The
 * bytes are what wrk.format() sends: request line, Host (unless the scenario sets one), the
 * scenario's headers, Content-Length when there is a body, an empty line, the body. Templates
 * and pools are the scn_t's: nothing is parsed twice.
 *
 * Ownership: the stream borrows the scenario and the pools (they must outlive it) and owns its
 * order table (scn_stream_free). */
#ifndef PARITY_SCENARIO_STREAM_H
#define PARITY_SCENARIO_STREAM_H

#include <stdbool.h>
#include <stdint.h>

#include "scenario.h"
#include "core/util.h"

#define SCN_STREAM_MAX_REFS 64 /* distinct pools one request draws from */
#define SCN_STREAM_HOST_MAX 300

typedef struct scn_stream {
    const scn_t *s;
    int *order;
    size_t norder;
    uint64_t counter;
    uint64_t uses[SCN_MAX_REQUESTS];
    const scn_pool_t *refs[SCN_MAX_REQUESTS][SCN_STREAM_MAX_REFS];
    const char *ref_names[SCN_MAX_REQUESTS][SCN_STREAM_MAX_REFS];
    size_t nrefs[SCN_MAX_REQUESTS];
    char host[SCN_STREAM_HOST_MAX]; /* Host header value, e.g. "127.0.0.1:40123" */
    char nonce[64];
} scn_stream_t;

/* Resolves every pool reference (an unknown or empty pool is an error naming the file and
 * request, as scn_lua reports it). extra: seeded pools. */
int scn_stream_init(scn_stream_t *st, const scn_t *s, const scn_pool_t *extra, size_t nextra,
                    const char *host, const char *nonce, err_t *err);
void scn_stream_free(scn_stream_t *st);
/* Appends the next request's bytes to out; *head is true for a HEAD request. */
int scn_stream_next(scn_stream_t *st, buf_t *out, bool *head, err_t *err);

#endif
