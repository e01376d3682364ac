/* hostprobe: see hostprobe.h. */
#include "hostprobe.h"

#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"

#define HOSTPROBE_WORDS (HOSTPROBE_BYTES / sizeof(uint32_t)) /* a power of two: index mask */

typedef struct sample_job {
    hostprobe_t *hp;
    double us;
    int rc; /* 0, or the errno of pinning */
} sample_job_t;

/* One trial: xorshift-chosen words, each read and written back, so that neither the prefetcher
 * nor the store buffer hides the memory system's speed. Returns a value the caller keeps (the
 * compiler may not drop the loop). */
static uint64_t trial(uint32_t *buf, uint64_t seed) {
    uint64_t x = seed | 1, sum = 0;
    for (unsigned i = 0; i < HOSTPROBE_STEPS; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        uint32_t *w = &buf[x & (HOSTPROBE_WORDS - 1)];
        sum += *w;
        *w += (uint32_t)x;
    }
    return sum;
}

static void *sample_main(void *arg) {
    sample_job_t *j = arg;
    if (j->hp->cpu >= 0) {
        cpu_set_t one;
        CPU_ZERO(&one);
        CPU_SET(j->hp->cpu, &one);
        j->rc = pthread_setaffinity_np(pthread_self(), sizeof one, &one);
        if (j->rc != 0) return NULL;
    }
    volatile uint64_t keep = 0;
    double best = 0;
    for (unsigned t = 0; t < HOSTPROBE_TRIALS; t++) {
        double t0 = clock_mono_s();
        keep += trial(j->hp->buf, 0x9E3779B97F4A7C15ull * (t + 1));
        double us = (clock_mono_s() - t0) * 1e6;
        if (t == 0 || us < best) best = us;
    }
    (void)keep;
    j->us = best;
    return NULL;
}

/* PARITY_HOSTPROBE_FAKE: "us,us,..." into hp->fake. 0 or -1. */
static int parse_fake(hostprobe_t *hp, const char *list, err_t *err) {
    const char *p = list;
    while (*p) {
        char *end;
        double v = strtod(p, &end);
        if (end == p || !(v > 0) || hp->nfake == HOSTPROBE_FAKE_MAX || (*end && *end != ','))
            return err_set(err,
                           "PARITY_HOSTPROBE_FAKE=\"%s\": want up to %d positive numbers, "
                           "comma-separated",
                           list, HOSTPROBE_FAKE_MAX);
        hp->fake[hp->nfake++] = v;
        p = *end ? end + 1 : end;
    }
    return 0;
}

int hostprobe_init(hostprobe_t *hp, int cpu, err_t *err) {
    memset(hp, 0, sizeof *hp);
    hp->cpu = cpu;
    const char *fake = getenv("PARITY_HOSTPROBE_FAKE");
    if (fake && *fake) return parse_fake(hp, fake, err);
    hp->buf = malloc(HOSTPROBE_BYTES);
    if (hp->buf == NULL) {
        err_set(err, "host probe: cannot allocate %u MiB", HOSTPROBE_BYTES >> 20);
        return -1;
    }
    for (size_t i = 0; i < HOSTPROBE_WORDS; i++) hp->buf[i] = (uint32_t)i;
    return 0;
}

void hostprobe_note(hostprobe_t *hp, double us) {
    if (hp->samples++ == 0 || us < hp->best_us) hp->best_us = us;
}

static double take(hostprobe_t *hp, double us) {
    hostprobe_note(hp, us);
    return us;
}

double hostprobe_sample(hostprobe_t *hp, err_t *err) {
    if (hp->nfake) return take(hp, hp->fake[hp->samples < hp->nfake ? hp->samples : hp->nfake - 1]);
    double us = hostprobe_measure(hp, err);
    return us < 0 ? -1 : take(hp, us);
}

double hostprobe_measure(hostprobe_t *hp, err_t *err) {
    if (hp->nfake) return err_set(err, "host probe: fake samples (PARITY_HOSTPROBE_FAKE)");
    sample_job_t j = {.hp = hp};
    pthread_t th;
    int rc = pthread_create(&th, NULL, sample_main, &j);
    if (rc != 0) {
        err_set(err, "host probe: cannot start its thread: %s", strerror(rc));
        return -1;
    }
    pthread_join(th, NULL);
    if (j.rc != 0) {
        err_set(err, "host probe: cannot run on CPU %d: %s", hp->cpu, strerror(j.rc));
        return -1;
    }
    return j.us;
}

static bool slow_against(double best_us, double us) {
    return best_us > 0 && us > best_us * HOSTPROBE_SLOW_RATIO;
}

bool hostprobe_slow(const hostprobe_t *hp, double sample_us) {
    return slow_against(hp->best_us, sample_us);
}

hostprobe_verdict_t hostprobe_judge_run(double best_us, double before_us, double during_us,
                                        double after_us) {
    if (slow_against(best_us, before_us)) return HOSTPROBE_SLOW_BEFORE;
    if (during_us > 0 && slow_against(best_us, during_us)) return HOSTPROBE_SLOW_DURING;
    return slow_against(best_us, after_us) ? HOSTPROBE_SLOW_BEGAN : HOSTPROBE_FAST;
}

void hostprobe_free(hostprobe_t *hp) {
    free(hp->buf);
    hp->buf = NULL;
}
