/*
 * bench.h - what the benchmark programs share: a monotonic clock in ms,
 * medians, the size of the L3 cache and memcpy bandwidth, the reference
 * the decode and scan figures are set against.
 */
#ifndef DPS_BENCH_H
#define DPS_BENCH_H

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#define BENCH_FALLBACK_L3 ((size_t)32 << 20)
#define BENCH_MAX_THREADS 256

static inline double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

static inline int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Median of n times sorted ascending. */
static inline double median_sorted(const double *t, int n) {
  return n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
}

/* Size of the L3 cache: sysfs first (some virtual machines report a wrong
 * size through sysconf), then sysconf, then 32 MiB. */
static inline size_t l3_bytes(void) {
  for (int i = 0; i < 8; i++) {
    char path[96], text[32];
    snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/level", i);
    FILE *f = fopen(path, "r");
    if (f == NULL) break;
    int level = fgets(text, sizeof text, f) != NULL ? atoi(text) : 0;
    fclose(f);
    if (level != 3) continue;
    snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/size", i);
    if ((f = fopen(path, "r")) == NULL) break;
    char *end = NULL;
    unsigned long long v = fgets(text, sizeof text, f) != NULL ? strtoull(text, &end, 10) : 0;
    fclose(f);
    if (end != NULL && (*end == 'K' || *end == 'k')) v <<= 10;
    else if (end != NULL && *end == 'M') v <<= 20;
    if (v > 0) return (size_t)v;
  }
  long v = sysconf(_SC_LEVEL3_CACHE_SIZE);
  return v > 0 ? (size_t)v : BENCH_FALLBACK_L3;
}

/* Keeps freed blocks up to 32 MiB in the heap, so that a timed run reuses
 * the pages of the previous one instead of faulting in fresh mmap()ed
 * ones (page faults would dominate the time of small files). */
static inline void bench_keep_freed_memory(void) {
#if defined(__GLIBC__)
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
#endif
}

/* Called through a volatile pointer so the copies are never elided. */
static void *(*volatile bench_copy_fn)(void *, const void *, size_t) = memcpy;

typedef struct bench_copy_part {
  char *dst;
  const char *src;
  size_t size;
} bench_copy_part;

static inline void *bench_copy_thread(void *arg) {
  bench_copy_part *p = arg;
  bench_copy_fn(p->dst, p->src, p->size);
  return NULL;
}

/* Best of `repeat` copies of `size` bytes split over `threads` threads
 * (1 .. BENCH_MAX_THREADS), in GB/s (1e9 bytes/s); with several threads,
 * thread start and join are in the time. 0 when a thread cannot start. */
static inline double memcpy_gbps(char *dst, const char *src, size_t size,
                                 unsigned threads, int repeat) {
  bench_copy_part parts[BENCH_MAX_THREADS];
  pthread_t tid[BENCH_MAX_THREADS];
  size_t chunk = size / threads;
  double best = 0;
  for (unsigned t = 0; t < threads; t++) {
    parts[t].dst = dst + t * chunk;
    parts[t].src = src + t * chunk;
    parts[t].size = t + 1 == threads ? size - t * chunk : chunk;
  }
  for (int i = 0; i < repeat; i++) {
    double t0 = now_ms();
    if (threads == 1) {
      bench_copy_fn(dst, src, size);
    } else {
      unsigned started = 0;
      for (; started < threads; started++)
        if (pthread_create(&tid[started], NULL, bench_copy_thread, &parts[started]) != 0) break;
      for (unsigned t = 0; t < started; t++) pthread_join(tid[t], NULL);
      if (started < threads) return 0;
    }
    double t = now_ms() - t0;
    if (i == 0 || t < best) best = t;
  }
  return (double)size / (best * 1e6);
}

#endif
