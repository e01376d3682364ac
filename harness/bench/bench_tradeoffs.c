/* bench_tradeoffs: the tradeoffs block of bench.json (see bench_tradeoffs.h). */
#include "bench_tradeoffs.h"

#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "inspect/inspect.h"

static inspect_opts_t tradeoffs_opts(const bench_opts_t *o, int workers) {
    bool smoke = o->profile.name && strcmp(o->profile.name, "smoke") == 0;
    inspect_opts_t io = {.starts = INSPECT_STARTS_DEFAULT,
                         .connections = INSPECT_CONNS_DEFAULT,
                         .conn_timeout_ms =
                             smoke ? BENCH_TRADEOFFS_PROBE_SMOKE_MS : BENCH_TRADEOFFS_PROBE_MS,
                         .workers = workers};
    return io;
}

void bench_tradeoffs_begin(cJSON *doc, const bench_opts_t *o, int workers) {
    inspect_opts_t io = tradeoffs_opts(o, workers);
    cJSON_AddItemToObject(doc, "tradeoffs", inspect_block_new(&io));
}

void bench_tradeoffs_target(cJSON *doc, const target_manifest_t *m, const bench_opts_t *o,
                            int workers, const cpu_set_t *cpus) {
    cJSON *block = cJSON_GetObjectItemCaseSensitive(doc, "tradeoffs");
    if (!block) return;
    char log[4200];
    snprintf(log, sizeof log, "%s/logs/%s.inspect.log", o->out_dir, m->name);
    inspect_opts_t io = tradeoffs_opts(o, workers);
    io.cpus = cpus;
    io.log_path = log;
    io.quiet = true;
    long long t0 = clock_mono_ms();
    fprintf(stderr,
            "bench: %s: trade-offs (code, dependencies, %d cold starts, %d idle connections)\n",
            m->name, io.starts, io.connections);
    cJSON *t = inspect_target(block, m, &io);
    cJSON_AddNumberToObject(t, "measured_in_s", (double)(clock_mono_ms() - t0) / 1000.0);
}

void bench_tradeoffs_finish(cJSON *doc, const char *out_dir) {
    cJSON *block = cJSON_GetObjectItemCaseSensitive(doc, "tradeoffs");
    if (block) inspect_fill_from_dir(block, doc, out_dir);
}
