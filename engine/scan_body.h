/* scan_body.h - the bodies of the scans' hot loops, compiled once per
 * instruction set: engine/scan_kernels.c (scalar, the oracle),
 * engine/scan_simd_avx2.c and engine/scan_simd_avx512.c. Plain C loops
 * that the compiler vectorizes for the target it is given. */
#ifndef DPS_SCAN_BODY_H
#define DPS_SCAN_BODY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__x86_64__) && defined(__GNUC__) && !defined(DPS_NO_SIMD)
#  define SB_X86 1
#else
#  define SB_X86 0
#endif

/* One instruction set's loops. */
typedef struct dps__scan_simd {
  /* m[i] = lo <= v[i] <= hi for n values of `width` bytes; bounds are
   * order keys (signed values biased by 2^63) within the type. */
  void (*range)(const void *v, unsigned width, bool is_signed, uint64_t klo,
                uint64_t khi, size_t n, uint8_t *m);
  /* Largest magnitudes of a[0..n) and b[0..n). */
  void (*maxabs)(const int64_t *a, const int64_t *b, size_t n, uint64_t *ma,
                 uint64_t *mb);
  /* out[i] = a[i] * fa + b[i] * fb (op 1), - (op 2), or a[i] * b[i] (op 3);
   * the caller has ruled out overflow. */
  void (*arith)(int op, const int64_t *a, int64_t fa, const int64_t *b,
                int64_t fb, size_t n, int64_t *out);
  /* Sum and count of v[i] over rows i < n that are not null and (gid
   * NULL, or gid[i] == g); the caller has ruled out int64 overflow. */
  int64_t (*sum)(const int64_t *v, const uint8_t *null, const uint32_t *gid,
                 uint32_t g, size_t n, int64_t *count);
  /* m[i] = bit codes[i] of mask (codes below 64). */
  void (*code_match)(const uint32_t *codes, uint64_t mask, size_t n,
                     uint8_t *m);
  /* acc[i] &= m[i] (0/1 flags) for i < n, m NULL: acc unchanged; returns
   * whether any acc[i] is then set. */
  bool (*and_any)(uint8_t *acc, const uint8_t *m, size_t n);
} dps__scan_simd;

#define SB_RANGE_LOOP(T)                                                   \
  do {                                                                     \
    const T *x = (const T *)v;                                             \
    T lo = (T)lo64, span = (T)(hi64 - lo64);                               \
    for (size_t i = 0; i < n; i++) m[i] = (uint8_t)((T)(x[i] - lo) <= span); \
  } while (0)

#define SB_DEFINE(ATTR, NAME)                                              \
  ATTR static void range_##NAME(const void *v, unsigned width,            \
                                bool is_signed, uint64_t klo,              \
                                uint64_t khi, size_t n, uint8_t *m) {      \
    uint64_t bias = is_signed ? (uint64_t)1 << 63 : 0;                     \
    uint64_t lo64 = klo ^ bias, hi64 = khi ^ bias;                         \
    switch (width) {                                                       \
      case 1: SB_RANGE_LOOP(uint8_t); break;                               \
      case 2: SB_RANGE_LOOP(uint16_t); break;                              \
      case 4: SB_RANGE_LOOP(uint32_t); break;                              \
      default: SB_RANGE_LOOP(uint64_t); break;                             \
    }                                                                      \
  }                                                                        \
  ATTR static void maxabs_##NAME(const int64_t *a, const int64_t *b,      \
                                 size_t n, uint64_t *ma, uint64_t *mb) {   \
    uint64_t x = 0, y = 0;                                                 \
    for (size_t i = 0; i < n; i++) {                                       \
      uint64_t p = a[i] < 0 ? 0 - (uint64_t)a[i] : (uint64_t)a[i];         \
      uint64_t q = b[i] < 0 ? 0 - (uint64_t)b[i] : (uint64_t)b[i];         \
      x = p > x ? p : x;                                                   \
      y = q > y ? q : y;                                                   \
    }                                                                      \
    *ma = x, *mb = y;                                                      \
  }                                                                        \
  ATTR static void arith_##NAME(int op, const int64_t *a, int64_t fa,     \
                                const int64_t *b, int64_t fb, size_t n,    \
                                int64_t *out) {                            \
    if (op == 3)                                                           \
      for (size_t i = 0; i < n; i++) out[i] = a[i] * b[i];                 \
    else if (op == 1)                                                      \
      for (size_t i = 0; i < n; i++) out[i] = a[i] * fa + b[i] * fb;       \
    else                                                                   \
      for (size_t i = 0; i < n; i++) out[i] = a[i] * fa - b[i] * fb;       \
  }                                                                        \
  ATTR static int64_t sum_##NAME(const int64_t *v, const uint8_t *null,   \
                                 const uint32_t *gid, uint32_t g,          \
                                 size_t n, int64_t *count) {               \
    int64_t s = 0, c = 0;                                                  \
    if (gid == NULL) {                                                     \
      for (size_t i = 0; i < n; i++) {                                     \
        int64_t ok = null[i] == 0;                                         \
        s += ok ? v[i] : 0;                                                \
        c += ok;                                                           \
      }                                                                    \
    } else {                                                               \
      for (size_t i = 0; i < n; i++) {                                     \
        int64_t ok = (null[i] == 0) & (gid[i] == g);                       \
        s += ok ? v[i] : 0;                                                \
        c += ok;                                                           \
      }                                                                    \
    }                                                                      \
    *count = c;                                                            \
    return s;                                                              \
  }                                                                        \
  ATTR static void code_match_##NAME(const uint32_t *codes, uint64_t mask, \
                                     size_t n, uint8_t *m) {               \
    for (size_t i = 0; i < n; i++)                                         \
      m[i] = (uint8_t)((mask >> (codes[i] & 63)) & 1);                     \
  }                                                                        \
  ATTR static bool and_any_##NAME(uint8_t *restrict acc,                  \
                                  const uint8_t *restrict m, size_t n) {   \
    uint8_t any = 0;                                                       \
    if (m == NULL)                                                         \
      for (size_t i = 0; i < n; i++) any |= acc[i];                        \
    else                                                                   \
      for (size_t i = 0; i < n; i++) any |= acc[i] &= m[i];                \
    return any != 0;                                                       \
  }                                                                        \
  const dps__scan_simd dps__scan_simd_##NAME = {                           \
      range_##NAME, maxabs_##NAME, arith_##NAME, sum_##NAME,               \
      code_match_##NAME, and_any_##NAME};

extern const dps__scan_simd dps__scan_simd_scalar;
#if SB_X86
extern const dps__scan_simd dps__scan_simd_avx2;
extern const dps__scan_simd dps__scan_simd_avx512;
#endif

#endif
