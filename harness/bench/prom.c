/* prom: scraping prometheus-process-exporter (see prom.h). */
#include "prom.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "core/clock.h"

#define PROM_NAME_MAX   128 /* bytes of a metric or label name */
#define PROM_VALUE_MAX  256 /* bytes of a label value (unescaped) */
#define PROM_LABELS_MAX 16  /* labels on one line */
#define PROM_PREFIX     "namedprocess_namegroup_"

typedef struct line {
    char name[PROM_NAME_MAX];
    char lname[PROM_LABELS_MAX][PROM_NAME_MAX];
    char lvalue[PROM_LABELS_MAX][PROM_VALUE_MAX];
    size_t nlabels;
    double value;
} line_t;

static const char *label(const line_t *l, const char *name) {
    for (size_t i = 0; i < l->nlabels; i++)
        if (strcmp(l->lname[i], name) == 0) return l->lvalue[i];
    return NULL;
}

static bool name_char(char c, bool first) {
    return c == '_' || c == ':' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (!first && c >= '0' && c <= '9');
}

/* Parses one sample line [p, e): name, optional {labels}, value (timestamp ignored). */
static int parse_line(const char *p, const char *e, line_t *l) {
    size_t n = 0;
    memset(l, 0, sizeof *l);
    while (p < e && name_char(*p, n == 0) && n + 1 < PROM_NAME_MAX) l->name[n++] = *p++;
    if (n == 0) return -1;
    if (p < e && *p == '{') {
        p++;
        for (;;) {
            while (p < e && (*p == ' ' || *p == ',')) p++;
            if (p < e && *p == '}') {
                p++;
                break;
            }
            if (l->nlabels >= PROM_LABELS_MAX) return -1;
            char *ln = l->lname[l->nlabels], *lv = l->lvalue[l->nlabels];
            size_t k = 0;
            while (p < e && name_char(*p, k == 0) && k + 1 < PROM_NAME_MAX) ln[k++] = *p++;
            if (k == 0 || p + 1 >= e || p[0] != '=' || p[1] != '"') return -1;
            p += 2;
            k = 0;
            while (p < e && *p != '"') {
                char c = *p++;
                if (c == '\\') {
                    if (p >= e) return -1;
                    c = *p++;
                    if (c == 'n')
                        c = '\n';
                    else if (c != '\\' && c != '"')
                        return -1;
                }
                if (k + 1 >= PROM_VALUE_MAX) return -1;
                lv[k++] = c;
            }
            if (p >= e) return -1;
            p++; /* closing quote */
            l->nlabels++;
        }
    }
    while (p < e && (*p == ' ' || *p == '\t')) p++;
    char num[64];
    size_t k = 0;
    while (p < e && *p != ' ' && *p != '\t' && k + 1 < sizeof num) num[k++] = *p++;
    num[k] = '\0';
    if (k == 0) return -1;
    char *end = NULL;
    errno = 0;
    l->value = strtod(num, &end); /* also +Inf, -Inf, NaN as the format allows */
    return end && *end == '\0' ? 0 : -1;
}

int prom_parse(const char *text, size_t len, const char *group, prom_group_t *out, err_t *err) {
    memset(out, 0, sizeof *out);
    const char *p = text, *end = text + len;
    int lineno = 0;
    line_t *l = malloc(sizeof *l);
    if (!l) return err_set(err, "out of memory");
    int rc = 0;
    while (p < end) {
        const char *e = memchr(p, '\n', (size_t)(end - p));
        if (!e) e = end;
        lineno++;
        const char *s = p;
        p = e + 1;
        while (s < e && (*s == ' ' || *s == '\t')) s++;
        if (s == e || *s == '#') continue;
        const char *t = e;
        if (t > s && t[-1] == '\r') t--;
        if ((size_t)(t - s) < sizeof PROM_PREFIX - 1 ||
            memcmp(s, PROM_PREFIX, sizeof PROM_PREFIX - 1))
            continue; /* only the exporter's group metrics are read (and checked) */
        if (parse_line(s, t, l) < 0) {
            rc = err_set(err, "metrics line %d: not in the Prometheus text format", lineno);
            break;
        }
        const char *g = label(l, "groupname");
        if (!g || strcmp(g, group) != 0 || !isfinite(l->value)) continue;
        const char *rest = l->name + sizeof PROM_PREFIX - 1;
        if (strcmp(rest, "cpu_seconds_total") == 0) {
            const char *mode = label(l, "mode");
            if (mode && (!strcmp(mode, "user") || !strcmp(mode, "system"))) out->cpu_s += l->value;
            out->found = true;
        } else if (strcmp(rest, "memory_bytes") == 0) {
            const char *t2 = label(l, "memtype");
            if (t2 && !strcmp(t2, "resident"))
                out->rss_bytes = l->value;
            else if (t2 && !strcmp(t2, "proportionalResident"))
                out->pss_bytes = l->value;
            out->found = true;
        } else if (strcmp(rest, "num_procs") == 0) {
            out->nprocs = (int)l->value;
            out->found = true;
        }
    }
    free(l);
    return rc;
}

static size_t on_body(char *p, size_t size, size_t n, void *ud) {
    return buf_add(ud, p, size * n) < 0 ? 0 : size * n;
}

int prom_scrape(const char *url, const char *group, prom_group_t *out, err_t *err) {
    CURL *h = curl_easy_init();
    if (!h) return err_set(err, "curl_easy_init failed");
    buf_t body;
    buf_init(&body, PROM_BODY_MAX);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)PROM_TIMEOUT_MS);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    CURLcode cc = curl_easy_perform(h);
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(h);
    int rc;
    if (cc != CURLE_OK)
        rc = err_set(err, "%s: %s", url, curl_easy_strerror(cc));
    else if (status != 200)
        rc = err_set(err, "%s: HTTP %ld", url, status);
    else if ((rc = prom_parse(body.ptr ? body.ptr : "", body.len, group, out, err)) == 0 &&
             !out->found)
        rc = err_set(err,
                     "%s: no namedprocess_namegroup_* metrics for group \"%s\" (the exporter's "
                     "-procnames or config must name it)",
                     url, group);
    buf_free(&body);
    return rc;
}

static void record(prom_sampler_t *s) {
    prom_group_t g;
    err_t err;
    int rc = prom_scrape(s->url, s->group, &g, &err);
    long long t = clock_mono_ms();
    pthread_mutex_lock(&s->mu);
    if (rc < 0) {
        s->failures++;
        snprintf(s->last_error, sizeof s->last_error, "%.255s", err.msg);
    } else {
        if (s->samples == 0) {
            s->first = g;
            s->t_first_ms = t;
        }
        if (g.cpu_s >= s->last.cpu_s || s->samples == 0) s->last.cpu_s = g.cpu_s;
        s->last.rss_bytes = g.rss_bytes;
        s->last.pss_bytes = g.pss_bytes;
        s->last.nprocs = g.nprocs;
        s->last.found = true;
        s->t_last_ms = t;
        if (g.rss_bytes > s->rss_peak) s->rss_peak = g.rss_bytes;
        if (g.pss_bytes > s->pss_peak) s->pss_peak = g.pss_bytes;
        s->rss_sum += g.rss_bytes;
        s->pss_sum += g.pss_bytes;
        s->samples++;
    }
    pthread_mutex_unlock(&s->mu);
}

static void *sampler_main(void *arg) {
    prom_sampler_t *s = arg;
    const long period_ns = 1000000000L / PROM_SAMPLE_HZ;
    struct timespec next;
    clock_gettime(CLOCK_MONOTONIC, &next);
    for (;;) {
        next.tv_nsec += period_ns;
        if (next.tv_nsec >= 1000000000L) {
            next.tv_sec++;
            next.tv_nsec -= 1000000000L;
        }
        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) == EINTR) {
        }
        pthread_mutex_lock(&s->mu);
        bool stop = s->stop;
        pthread_mutex_unlock(&s->mu);
        if (stop) break;
        record(s);
    }
    return NULL;
}

int prom_sampler_start(prom_sampler_t *s, const char *url, const char *group, err_t *err) {
    memset(s, 0, sizeof *s);
    s->url = url;
    s->group = group;
    pthread_mutex_init(&s->mu, NULL);
    record(s); /* before the run: must work, or the figures would mean nothing */
    if (s->samples == 0) {
        pthread_mutex_destroy(&s->mu);
        return err_set(err, "target metrics: %s", s->last_error);
    }
    if (pthread_create(&s->thread, NULL, sampler_main, s) != 0) {
        pthread_mutex_destroy(&s->mu);
        return err_set(err, "target metrics: cannot start the sampler thread");
    }
    s->running = true;
    return 0;
}

void prom_sampler_stop(prom_sampler_t *s) {
    if (!s->running) return;
    pthread_mutex_lock(&s->mu);
    s->stop = true;
    pthread_mutex_unlock(&s->mu);
    pthread_join(s->thread, NULL);
    record(s); /* after the run */
    s->running = false;
    pthread_mutex_destroy(&s->mu);
}

void prom_sampler_as_proc(const prom_sampler_t *s, proc_sampler_t *out) {
    memset(out, 0, sizeof *out);
    double hz = (double)proc_ticks_per_s();
    out->first.ticks = (uint64_t)llround(s->first.cpu_s * hz);
    out->last.ticks = (uint64_t)llround(s->last.cpu_s * hz);
    out->last.rss_kb = (uint64_t)(s->last.rss_bytes / 1024);
    out->last.pss_kb = (uint64_t)(s->last.pss_bytes / 1024);
    out->last.nproc = s->last.nprocs;
    out->rss_peak_kb = (uint64_t)(s->rss_peak / 1024);
    out->pss_peak_kb = (uint64_t)(s->pss_peak / 1024);
    out->rss_sum_kb = s->rss_sum / 1024;
    out->pss_sum_kb = s->pss_sum / 1024;
    out->samples = s->samples;
    out->t_first_ms = s->t_first_ms;
    out->t_last_ms = s->t_last_ms;
}
