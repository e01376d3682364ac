/*
 * pool.c: the thread pool behind quill_defer(): a fixed number of threads taking jobs from one
 * bounded FIFO. Why bounded: a burst of slow work (logins under attack) must not grow memory or
 * latency without limit; a full queue answers 503 at once (app.c) instead.
 *
 * Ownership: jobs live in their request's arena; the pool only links them. A job goes worker ->
 * pool queue -> pool thread (work) -> its worker's done list (quill__worker_done), and the worker
 * keeps the request (and so the arena) alive until then.
 */
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

struct quill__pool {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    quill__job *head, *tail;
    size_t queued, cap;
    bool stopping;
    int nthreads;
    pthread_t threads[QUILL_POOL_MAX];
};

/* Pool threads run at a lower priority than the event loops (nice +10: a CFS weight of 110
 * against the loops' 1024). Why: bcrypt is CPU-bound; on a core shared with a loop, two pool
 * threads at the same priority took two thirds of it and reads waited for their time slices
 * (mixed-login's read p99 in seconds, README.md). Lowered, they take what the loops leave. */
#define POOL_NICE 10

static void *pool_main(void *arg) {
    quill__pool *p = arg;
    /* Linux: the nice value is per thread (setpriority on the thread id); raising it needs no
     * privilege. A failure only leaves the default priority. */
    if (setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), POOL_NICE) != 0) {
    }
    for (;;) {
        pthread_mutex_lock(&p->mu);
        while (!p->head && !p->stopping) pthread_cond_wait(&p->cv, &p->mu);
        quill__job *job = p->head;
        if (job) {
            p->head = job->next;
            if (!p->head) p->tail = NULL;
            p->queued--;
        }
        pthread_mutex_unlock(&p->mu);
        if (!job) return NULL; /* stopping and nothing left */
        job->next = NULL;
        /* A client that left while its job waited in the queue gets nothing: skip the work (a
         * burst of abandoned logins must not keep the pool busy for the clients that stay). */
        if (!atomic_load(&job->cancelled)) job->work(job->arg);
        quill__worker_done(job);
    }
}

quill__pool *quill__pool_new(int threads, int queue_cap) {
    quill__pool *p = calloc(1, sizeof(*p));
    if (!p) return NULL;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    p->cap = (size_t)queue_cap;
    for (int i = 0; i < threads; i++) {
        int rc = pthread_create(&p->threads[i], NULL, pool_main, p);
        if (rc != 0) {
            fprintf(stderr, "quill: cannot start pool thread %d: %s\n", i, strerror(rc));
            quill__pool_free(p);
            return NULL;
        }
        p->nthreads++;
    }
    return p;
}

int quill__pool_submit(quill__pool *p, quill__job *job) {
    pthread_mutex_lock(&p->mu);
    if (p->queued >= p->cap || p->stopping) {
        pthread_mutex_unlock(&p->mu);
        return -1;
    }
    job->next = NULL;
    if (p->tail)
        p->tail->next = job;
    else
        p->head = job;
    p->tail = job;
    p->queued++;
    pthread_cond_signal(&p->cv);
    pthread_mutex_unlock(&p->mu);
    return 0;
}

void quill__pool_free(quill__pool *p) {
    if (!p) return;
    pthread_mutex_lock(&p->mu);
    p->stopping = true;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    for (int i = 0; i < p->nthreads; i++) pthread_join(p->threads[i], NULL);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
    free(p);
}
