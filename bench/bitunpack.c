/* bitunpack.c - micro-benchmark of the interleaved bit-unpacking kernels
 * (format/bitpack.c) with everything in L1.
 *
 * Per T and width w: one 1024-value vector of random w-bit values is packed
 * once, then unpacked (with a non-zero frame-of-reference base) over and
 * over into the same L1-resident output, by every ISA variant the CPU runs.
 * A run is calibrated to last about 20 ms; the best of several runs (over
 * several passes of the whole table) is reported, in values per
 * nanosecond. A memcpy of the same output size is
 * the L1 reference: no unpacker that writes its output can beat it by much.
 *
 * Usage: bitunpack [T...]   T in 8, 16, 32, 64 or "all" (default: 32).
 * Environment: BITUNPACK_PASSES (default 3), BITUNPACK_RUNS (per cell and
 * pass, default 3), BITUNPACK_MS (per run, default 20).
 * Build it in Release: the numbers of a Debug build mean nothing. */
#include "format/kernels.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The output of every timed call ends up here, so no call is dead code. */
static volatile uint64_t sink;

static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static uint64_t rng_state = UINT64_C(0x9E3779B97F4A7C15);
static uint64_t rng(void) { /* xorshift64* */
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return rng_state * UINT64_C(0x2545F4914F6CDD1D);
}

static int env_int(const char *name, int dflt, int lo, int hi) {
  const char *s = getenv(name);
  if (!s || !*s) return dflt;
  long v = strtol(s, NULL, 10);
  return v < lo ? lo : v > hi ? hi : (int)v;
}

/* 64-byte aligned scratch in one arena: packed input, output and memcpy
 * source. Output and inputs start 2 KiB apart modulo 4 KiB, so a load
 * never waits on an unrelated in-flight store to the same page offset
 * (4K aliasing), which would make the numbers depend on the layout. */
static _Alignas(4096) uint8_t arena[3 * 8192 + 4096];
#define packed_buf (arena + 0)
#define out_buf (arena + 8192 + 2048)
#define src_buf (arena + 2 * 8192 + 4096)

/* One timed call of the kernel under test; `arg` selects it. */
typedef struct bench_case {
  unsigned t;    /* bits per value: 8, 16, 32, 64 */
  unsigned w;    /* packed width */
  int isa;       /* dps_isa, or -1 for the memcpy reference */
  uint64_t base; /* frame of reference added while unpacking */
} bench_case;

static void run_once(const bench_case *c, long iters) {
  uint64_t acc = 0;
  const dps_isa isa = (dps_isa)(c->isa < 0 ? 0 : c->isa);
  for (long i = 0; i < iters; i++) {
    const size_t at = (size_t)i & 127;
    switch (c->isa < 0 ? 0 : c->t) {
      case 0:
        memcpy(out_buf, src_buf, 128 * (size_t)c->t);
        /* The copy's result is read below; keep the compiler from merging
         * or dropping repeated identical copies. */
        __asm__ volatile("" ::: "memory");
        acc ^= out_buf[at];
        break;
      case 8:
        dps__unpack8_isa(isa, (const uint8_t *)packed_buf, c->w,
                         (uint8_t)c->base, (uint8_t *)out_buf);
        acc ^= ((const uint8_t *)out_buf)[at];
        break;
      case 16:
        dps__unpack16_isa(isa, (const uint16_t *)packed_buf, c->w,
                          (uint16_t)c->base, (uint16_t *)out_buf);
        acc ^= ((const uint16_t *)out_buf)[at];
        break;
      case 32:
        dps__unpack32_isa(isa, (const uint32_t *)packed_buf, c->w,
                          (uint32_t)c->base, (uint32_t *)out_buf);
        acc ^= ((const uint32_t *)out_buf)[at];
        break;
      default:
        dps__unpack64_isa(isa, (const uint64_t *)packed_buf, c->w, c->base,
                          (uint64_t *)out_buf);
        acc ^= ((const uint64_t *)out_buf)[at];
        break;
    }
  }
  sink ^= acc;
}

/* Best values/ns over `runs` runs of about `ms` milliseconds each. */
static double measure(const bench_case *c, int runs, int ms) {
  long iters = 256;
  for (;;) { /* calibrate: double until a run takes >= ms / 4 */
    double t0 = now_ns();
    run_once(c, iters);
    double dt = now_ns() - t0;
    if (dt >= (double)ms * 1e6 / 4) {
      iters = (long)((double)iters * ((double)ms * 1e6 / dt)) + 1;
      break;
    }
    iters *= 2;
  }
  double best = 0;
  for (int r = 0; r < runs; r++) {
    double t0 = now_ns();
    run_once(c, iters);
    double dt = now_ns() - t0;
    double vpns = (double)iters * 1024.0 / dt;
    if (vpns > best) best = vpns;
  }
  return best;
}

/* Packs 1024 random w-bit values of T bits into packed_buf. */
static void prepare(unsigned t, unsigned w) {
  static _Alignas(64) uint8_t values[1024 * 8];
  for (unsigned i = 0; i < 1024; i++) {
    uint64_t v = rng();
    switch (t) {
      case 8: ((uint8_t *)values)[i] = (uint8_t)v; break;
      case 16: ((uint16_t *)values)[i] = (uint16_t)v; break;
      case 32: ((uint32_t *)values)[i] = (uint32_t)v; break;
      default: ((uint64_t *)values)[i] = v; break;
    }
  }
  /* pack masks each value to w bits */
  switch (t) {
    case 8: dps__pack8((const uint8_t *)values, w, (uint8_t *)packed_buf); break;
    case 16: dps__pack16((const uint16_t *)values, w, (uint16_t *)packed_buf); break;
    case 32: dps__pack32((const uint32_t *)values, w, (uint32_t *)packed_buf); break;
    default: dps__pack64((const uint64_t *)values, w, (uint64_t *)packed_buf); break;
  }
}

/* The table for one T. Other processes sharing the core make some runs
 * slow for a while, so the whole table is measured `passes` times, spread
 * out in time, and each cell keeps its best. */
static void bench_t(unsigned t, int passes, int runs, int ms) {
  int isas[DPS_ISA_COUNT], n_isa = 0;
  for (int i = 0; i < DPS_ISA_COUNT; i++)
    if (dps__isa_supported((dps_isa)i)) isas[n_isa++] = i;

  static double best[65][DPS_ISA_COUNT];
  double copy_best = 0;
  memset(best, 0, sizeof best);
  memset(src_buf, 0x5A, 8192);
  for (int p = 0; p < passes; p++) {
    for (unsigned w = 1; w <= t; w++) {
      prepare(t, w);
      for (int j = 0; j < n_isa; j++) {
        bench_case c = {t, w, isas[j], UINT64_C(0x0123456789ABCDEF)};
        double v = measure(&c, runs, ms);
        if (v > best[w][j]) best[w][j] = v;
      }
    }
    bench_case mc = {t, 0, -1, 0};
    double v = measure(&mc, runs, ms);
    if (v > copy_best) copy_best = v;
  }

  printf("\nT = %u: unpack 1024 values (+ base), values per ns; best of %d "
         "passes x %d runs of ~%d ms\n", t, passes, runs, ms);
  printf("%5s", "width");
  for (int j = 0; j < n_isa; j++)
    printf(" %9s", dps__isa_name((dps_isa)isas[j]));
  printf("\n");
  double sum[DPS_ISA_COUNT] = {0};
  for (unsigned w = 1; w <= t; w++) {
    printf("%5u", w);
    for (int j = 0; j < n_isa; j++) {
      sum[j] += best[w][j];
      printf(" %9.2f", best[w][j]);
    }
    printf("\n");
  }
  printf("%5s", "avg");
  for (int j = 0; j < n_isa; j++) printf(" %9.2f", sum[j] / t);
  printf("   (widths 1-%u)\n", t);
  printf("memcpy of %u bytes (1024 x %u-byte values), L1: %.2f values/ns\n",
         128 * t, t / 8, copy_best);
  fflush(stdout);
}

int main(int argc, char **argv) {
  const int passes = env_int("BITUNPACK_PASSES", 3, 1, 100);
  const int runs = env_int("BITUNPACK_RUNS", 3, 1, 100);
  const int ms = env_int("BITUNPACK_MS", 20, 1, 10000);

  char model[256] = "unknown";
  FILE *f = fopen("/proc/cpuinfo", "r"); /* Linux; elsewhere "unknown" */
  if (f) {
    char line[512];
    while (fgets(line, sizeof line, f)) {
      char *colon = strchr(line, ':');
      if (strncmp(line, "model name", 10) == 0 && colon) {
        snprintf(model, sizeof model, "%s", colon + 2);
        model[strcspn(model, "\n")] = '\0';
        break;
      }
    }
    fclose(f);
  }
  printf("CPU: %s; compiler: %s\n", model,
#if defined(__VERSION__)
         __VERSION__
#else
         "unknown"
#endif
  );
  printf("ISAs: supported:");
  for (int i = 0; i < DPS_ISA_COUNT; i++)
    if (dps__isa_supported((dps_isa)i)) printf(" %s", dps__isa_name((dps_isa)i));
  printf("; active (dispatch): %s\n", dps__isa_name(dps__isa_active()));

  unsigned ts[4], n_t = 0;
  for (int a = 1; a < argc; a++) {
    if (strcmp(argv[a], "all") == 0) {
      n_t = 0;
      for (unsigned t = 8; t <= 64; t *= 2) ts[n_t++] = t;
      break;
    }
    unsigned long t = strtoul(argv[a], NULL, 10);
    if ((t != 8 && t != 16 && t != 32 && t != 64) || n_t == 4) {
      fprintf(stderr, "usage: %s [8|16|32|64|all ...]\n", argv[0]);
      return 2;
    }
    ts[n_t++] = (unsigned)t;
  }
  if (n_t == 0) ts[n_t++] = 32;
  for (unsigned i = 0; i < n_t; i++) bench_t(ts[i], passes, runs, ms);
  return (int)(sink & 0);
}
