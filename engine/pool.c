/* pool.c - the threads a reader's scans run on (engine/engine.h).
 *
 * A scan on T threads runs T jobs: the calling thread takes the first, and
 * the pool's threads the others. Threads are created once per reader, the
 * first time a scan asks for them, and stay until the reader is freed.
 * Waking a sleeping thread can take a millisecond or more (an idle CPU of
 * a virtual machine is halted until the host schedules it again), which
 * is the whole run time of a small scan; so a thread that runs out of
 * work first spins for POOL_SPIN_NS, watching the queue, and only then
 * sleeps. Back-to-back scans find their threads awake.
 *
 * The caller never depends on a pool thread: once done with its own job it
 * takes back every job of its run that no thread has started, and runs
 * it. A run therefore finishes even when no thread could be created, or
 * while every thread is busy with another run. */
#include "engine/engine.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define POOL_MAX_THREADS 63
#define POOL_QUEUE 256           /* jobs waiting, of all runs */
#define POOL_SPIN_NS 2000000ull  /* 2 ms awake after the last job */

typedef struct pool_run {
  size_t left;                   /* queued jobs not finished (under mu) */
} pool_run;

typedef struct pool_job {
  void *(*fn)(void *);
  void *arg;
  pool_run *run;
} pool_job;

struct dps_pool {
  pthread_mutex_t mu;
  pthread_cond_t work;           /* a job was queued, or stop */
  pthread_cond_t done;           /* some run's last job finished */
  pool_job queue[POOL_QUEUE];    /* oldest first */
  size_t count;                  /* jobs in the queue */
  size_t waiting;                /* atomic copy of count, read by spinners */
  bool stop;
  pthread_t threads[POOL_MAX_THREADS];
  unsigned n_threads;
  pid_t owner;                   /* the process whose threads these are */
};

/* A child of fork() has none of its parent's threads: there the pool runs
 * everything on the calling thread and, when freed, joins nothing. */
static bool forked(const dps_pool *p) { return getpid() != p->owner; }

static uint64_t mono_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

static void cpu_relax(void) {
#if defined(__x86_64__) && defined(__GNUC__)
  __builtin_ia32_pause();
#endif
}

/* Removes queue entry k (under mu). */
static pool_job take(dps_pool *p, size_t k) {
  pool_job j = p->queue[k];
  memmove(&p->queue[k], &p->queue[k + 1], (p->count - k - 1) * sizeof j);
  p->count--;
  __atomic_store_n(&p->waiting, p->count, __ATOMIC_RELEASE);
  return j;
}

static void *pool_thread(void *arg) {
  dps_pool *p = arg;
  pthread_mutex_lock(&p->mu);
  for (;;) {
    if (p->count == 0 && !p->stop) {
      /* Spin a while for the next job before sleeping. */
      pthread_mutex_unlock(&p->mu);
      uint64_t t0 = mono_ns();
      unsigned k = 0;
      while (__atomic_load_n(&p->waiting, __ATOMIC_ACQUIRE) == 0) {
        cpu_relax();
        if (++k % 64 == 0 && mono_ns() - t0 > POOL_SPIN_NS) break;
      }
      pthread_mutex_lock(&p->mu);
      while (p->count == 0 && !p->stop) pthread_cond_wait(&p->work, &p->mu);
    }
    if (p->count == 0) break;  /* stop, nothing left */
    pool_job j = take(p, 0);
    pthread_mutex_unlock(&p->mu);
    j.fn(j.arg);
    pthread_mutex_lock(&p->mu);
    if (--j.run->left == 0) pthread_cond_broadcast(&p->done);
  }
  pthread_mutex_unlock(&p->mu);
  return NULL;
}

dps_status dps__pool_new(dps_pool **out) {
  dps_pool *p = calloc(1, sizeof *p);
  if (p == NULL) return DPS_ENOMEM;
  pthread_mutex_init(&p->mu, NULL);
  pthread_cond_init(&p->work, NULL);
  pthread_cond_init(&p->done, NULL);
  p->owner = getpid();
  *out = p;
  return DPS_OK;
}

void dps__pool_reserve(dps_pool *p, unsigned threads) {
  if (forked(p)) return;
  if (threads > POOL_MAX_THREADS) threads = POOL_MAX_THREADS;
  pthread_mutex_lock(&p->mu);
  while (p->n_threads < threads && !p->stop) {
    if (pthread_create(&p->threads[p->n_threads], NULL, pool_thread, p) != 0)
      break;  /* fewer threads: callers run the jobs left over */
    p->n_threads++;
  }
  pthread_mutex_unlock(&p->mu);
}

void dps__pool_run(dps_pool *p, void *(*fn)(void *), void *args, size_t size,
                   size_t n) {
  uint8_t *a = args;
  pool_run run = {0};
  size_t queued = 0;
  if (n > 1 && !forked(p)) {
    pthread_mutex_lock(&p->mu);
    while (1 + queued < n && p->count < POOL_QUEUE) {
      p->queue[p->count++] = (pool_job){fn, a + (1 + queued) * size, &run};
      queued++;
    }
    run.left = queued;
    __atomic_store_n(&p->waiting, p->count, __ATOMIC_RELEASE);
    if (queued > 0) pthread_cond_broadcast(&p->work);
    pthread_mutex_unlock(&p->mu);
  }
  if (n > 0) fn(a);
  for (size_t i = 1 + queued; i < n; i++) fn(a + i * size);  /* queue full */
  if (queued == 0) return;
  pthread_mutex_lock(&p->mu);
  /* This run's jobs no thread has taken: run them here. */
  for (size_t k = 0; k < p->count;) {
    if (p->queue[k].run != &run) {
      k++;
      continue;
    }
    pool_job j = take(p, k);
    pthread_mutex_unlock(&p->mu);
    j.fn(j.arg);
    pthread_mutex_lock(&p->mu);
    run.left--;
    k = 0;  /* the queue may have changed meanwhile */
  }
  while (run.left > 0) pthread_cond_wait(&p->done, &p->mu);
  pthread_mutex_unlock(&p->mu);
}

void dps__pool_free(dps_pool *p) {
  if (p == NULL) return;
  if (forked(p)) {
    /* The parent's threads do not exist here (and its lock may have been
     * copied held): only the memory is the child's to free. */
    free(p);
    return;
  }
  pthread_mutex_lock(&p->mu);
  p->stop = true;
  __atomic_store_n(&p->waiting, 1, __ATOMIC_RELEASE);  /* ends spins */
  pthread_cond_broadcast(&p->work);
  unsigned n = p->n_threads;
  pthread_mutex_unlock(&p->mu);
  for (unsigned k = 0; k < n; k++) pthread_join(p->threads[k], NULL);
  pthread_cond_destroy(&p->work);
  pthread_cond_destroy(&p->done);
  pthread_mutex_destroy(&p->mu);
  free(p);
}
