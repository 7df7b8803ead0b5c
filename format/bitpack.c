/* bitpack.c - interleaved bit packing of 1024-value vectors, with the
 * frame of reference fused into unpacking (format/kernels.h, spec/FORMAT.md
 * §4.4).
 *
 * Layout recap (kernels.h is normative): T-bit values, L = 1024 / T lanes.
 * Value i lives in lane i % L as that lane's value r = i / L, so "row" r of
 * the output is the L contiguous values [r*L, r*L + L), one per lane. Each
 * lane is a little-endian bit stream of T words; word k of every lane is
 * stored contiguously at [k*L, k*L + L). Row r therefore reads words
 * k = r*w / T (and k + 1 when it straddles) of all lanes at the same bit
 * offset s = r*w % T: one shift, one or, one mask and one add per lane, the
 * same for every lane - a loop plain C compilers vectorise, with 1024 bits
 * (two 512-bit registers) in flight per row at any T.
 *
 * Unpacking is the hot kernel. Its body is written once (bp_row##T and
 * bp_unpack##T##_body, below), then instantiated for every width w as its
 * own function, so r, k, s and the mask are compile-time constants, and for
 * every ISA: the same body compiled for the baseline (the scalar oracle; it
 * may auto-vectorise with SSE2), with target("avx2") and with
 * target("avx512f,avx512bw,avx512vl"). Per ISA, a table of 1 + T width
 * functions; per call, one table lookup picks the variant. No intrinsics:
 * every variant is the oracle's source, so they can only differ by a
 * compiler bug, which the tests would catch.
 *
 * Packing runs once per vector at write time: one portable version with
 * the width at run time (its row loops still vectorise).
 *
 * Widths above T are a caller bug (a decoder validates w read from a file
 * before calling): unpack then reads nothing and writes `base` everywhere,
 * pack writes nothing - both stay inside their buffers. */
#include "format/kernels.h"

#include <string.h>

/* SIMD variants need x86-64 and GCC/clang target attributes; elsewhere (or
 * with -DDPS_NO_SIMD, as DPSNAP_SIMD=OFF builds may define) only the
 * scalar variant exists and isa.c reports only DPS_ISA_SCALAR. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(DPS_NO_SIMD)
#  define BP_X86 1
#else
#  define BP_X86 0
#endif

#if defined(__GNUC__)
#  define BP_INLINE inline __attribute__((always_inline))
#else
#  define BP_INLINE inline
#endif

/* ---- width lists ------------------------------------------------------- */

/* BP_W<T>(X, A, I, T) expands X(A, I, T, w) for every width w = 0..T. */
#define BP_W8(X, A, I, T)                                                   \
  X(A, I, T, 0) X(A, I, T, 1) X(A, I, T, 2) X(A, I, T, 3) X(A, I, T, 4)     \
  X(A, I, T, 5) X(A, I, T, 6) X(A, I, T, 7) X(A, I, T, 8)
#define BP_W16(X, A, I, T)                                                  \
  BP_W8(X, A, I, T) X(A, I, T, 9) X(A, I, T, 10) X(A, I, T, 11)             \
  X(A, I, T, 12) X(A, I, T, 13) X(A, I, T, 14) X(A, I, T, 15) X(A, I, T, 16)
#define BP_W32(X, A, I, T)                                                  \
  BP_W16(X, A, I, T) X(A, I, T, 17) X(A, I, T, 18) X(A, I, T, 19)           \
  X(A, I, T, 20) X(A, I, T, 21) X(A, I, T, 22) X(A, I, T, 23)               \
  X(A, I, T, 24) X(A, I, T, 25) X(A, I, T, 26) X(A, I, T, 27)               \
  X(A, I, T, 28) X(A, I, T, 29) X(A, I, T, 30) X(A, I, T, 31) X(A, I, T, 32)
#define BP_W64(X, A, I, T)                                                  \
  BP_W32(X, A, I, T) X(A, I, T, 33) X(A, I, T, 34) X(A, I, T, 35)           \
  X(A, I, T, 36) X(A, I, T, 37) X(A, I, T, 38) X(A, I, T, 39)               \
  X(A, I, T, 40) X(A, I, T, 41) X(A, I, T, 42) X(A, I, T, 43)               \
  X(A, I, T, 44) X(A, I, T, 45) X(A, I, T, 46) X(A, I, T, 47)               \
  X(A, I, T, 48) X(A, I, T, 49) X(A, I, T, 50) X(A, I, T, 51)               \
  X(A, I, T, 52) X(A, I, T, 53) X(A, I, T, 54) X(A, I, T, 55)               \
  X(A, I, T, 56) X(A, I, T, 57) X(A, I, T, 58) X(A, I, T, 59)               \
  X(A, I, T, 60) X(A, I, T, 61) X(A, I, T, 62) X(A, I, T, 63) X(A, I, T, 64)

/* ---- the unpack body, written once -------------------------------------- */

/* `#pragma GCC unroll n`: GCC >= 8 and clang both honour it; it is a no-op
 * at -O0, which keeps debug builds small. */
#define BP_PRAGMA(x) _Pragma(#x)
#define BP_UNROLL(n) BP_PRAGMA(GCC unroll n)
/* On a lane loop: leave it to the loop vectoriser. Without it, GCC -O3
 * first unrolls the L-iteration scalar loop and then has to re-vectorise
 * the straight-line result with SLP, which gives the same code but takes
 * ~6x the compile time (a minute per ISA for T = 64). The vectorised loop
 * is still fully unrolled afterwards. */
#define BP_LANES BP_UNROLL(1)

/* U is the arithmetic type: uint32_t for T <= 32 (what uint8_t and
 * uint16_t promote to anyway), uint64_t for T = 64. */
#define BP_DEFINE_BODY(T, U)                                                 \
  /* Row r of a vector packed at width w: out[r*L + l] for every lane l. */  \
  static BP_INLINE void bp_row##T(const uint##T##_t *restrict in,            \
                                  uint##T##_t *restrict out, unsigned w,     \
                                  unsigned r, uint##T##_t base) {            \
    const unsigned L = 1024 / T;                                             \
    const unsigned off = r * w, k = off / T, s = off % T;                    \
    const U mask = w >= T ? (U)(uint##T##_t)~(U)0 : (U)(((U)1 << w) - 1u);   \
    const uint##T##_t *restrict lo = in + (size_t)k * L;                     \
    uint##T##_t *restrict dst = out + (size_t)r * L;                         \
    if (w == 0) { /* nothing stored: never read `in` */                      \
      BP_LANES for (unsigned l = 0; l < L; l++) dst[l] = base;                        \
    } else if (s + w == T) { /* ends the word: no mask needed */             \
      BP_LANES for (unsigned l = 0; l < L; l++)                              \
        dst[l] = (uint##T##_t)(((U)lo[l] >> s) + base);                      \
    } else if (s + w < T) { /* inside one word */                            \
      BP_LANES for (unsigned l = 0; l < L; l++)                              \
        dst[l] = (uint##T##_t)((((U)lo[l] >> s) & mask) + base);             \
    } else { /* straddles words k and k + 1; here 0 < s < T */               \
      const uint##T##_t *restrict hi = lo + L;                               \
      BP_LANES for (unsigned l = 0; l < L; l++)                              \
        dst[l] = (uint##T##_t)(                                              \
            ((((U)lo[l] >> s) | ((U)hi[l] << (T - s))) & mask) + base);      \
    }                                                                        \
  }                                                                          \
                                                                             \
  /* All T rows. Unrolled (pragma), each row's k, s and mask are          \
   * constants; rolled, they are computed per row (smaller code). */        \
  static BP_INLINE void bp_unpack##T##_full(const uint##T##_t *restrict in,  \
                                            unsigned w, uint##T##_t base,    \
                                            uint##T##_t *restrict out) {     \
    BP_UNROLL(T)                                                             \
    for (unsigned r = 0; r < T; r++) bp_row##T(in, out, w, r, base);         \
  }                                                                          \
  static BP_INLINE void bp_unpack##T##_rolled(const uint##T##_t *restrict in, \
                                              unsigned w, uint##T##_t base,  \
                                              uint##T##_t *restrict out) {   \
    BP_UNROLL(1)                                                             \
    for (unsigned r = 0; r < T; r++) bp_row##T(in, out, w, r, base);         \
  }


BP_DEFINE_BODY(8, uint32_t)
BP_DEFINE_BODY(16, uint32_t)
BP_DEFINE_BODY(32, uint32_t)
BP_DEFINE_BODY(64, uint64_t)

/* ---- instantiation: one function per (ISA, T, w), one table per (ISA, T) */

typedef void (*bp_fn8)(const uint8_t *, uint8_t, uint8_t *);
typedef void (*bp_fn16)(const uint16_t *, uint16_t, uint16_t *);
typedef void (*bp_fn32)(const uint32_t *, uint32_t, uint32_t *);
typedef void (*bp_fn64)(const uint64_t *, uint64_t, uint64_t *);

/* Which body each (ISA, T) uses: _full or _rolled. */
#ifndef BP_SHAPE_OVERRIDE
#  define BP_SHAPE_scalar_8 _full
#  define BP_SHAPE_scalar_16 _full
#  define BP_SHAPE_scalar_32 _full
#  define BP_SHAPE_scalar_64 _full
#  define BP_SHAPE_avx2_8 _full
#  define BP_SHAPE_avx2_16 _full
#  define BP_SHAPE_avx2_32 _full
#  define BP_SHAPE_avx2_64 _full
#  define BP_SHAPE_avx512_8 _full
#  define BP_SHAPE_avx512_16 _full
#  define BP_SHAPE_avx512_32 _full
#  define BP_SHAPE_avx512_64 _full
#endif
#define BP_SHAPE(I, T) BP_SHAPE_##I##_##T
#define BP_CAT3_(a, b, c) a##b##c
#define BP_CAT3(a, b, c) BP_CAT3_(a, b, c)

/* The width-w instance; `A` is the ISA's target attribute (or nothing). */
#define BP_WIDTH_FN(A, I, T, w)                                            \
  A static void bp_unpack##T##_##I##_##w(const uint##T##_t *restrict in,   \
                                         uint##T##_t base,                 \
                                         uint##T##_t *restrict out) {      \
    BP_CAT3(bp_unpack, T, BP_SHAPE(I, T))(in, w, base, out);               \
  }
#define BP_WIDTH_PTR(A, I, T, w) bp_unpack##T##_##I##_##w,

/* All widths of all four T for one ISA, and its tables. */
#define BP_INSTANTIATE(A, I)                                               \
  BP_W8(BP_WIDTH_FN, A, I, 8)                                              \
  BP_W16(BP_WIDTH_FN, A, I, 16)                                            \
  BP_W32(BP_WIDTH_FN, A, I, 32)                                            \
  BP_W64(BP_WIDTH_FN, A, I, 64)                                            \
  static const bp_fn8 bp_tab8_##I[9] = {BP_W8(BP_WIDTH_PTR, A, I, 8)};     \
  static const bp_fn16 bp_tab16_##I[17] = {BP_W16(BP_WIDTH_PTR, A, I, 16)}; \
  static const bp_fn32 bp_tab32_##I[33] = {BP_W32(BP_WIDTH_PTR, A, I, 32)}; \
  static const bp_fn64 bp_tab64_##I[65] = {BP_W64(BP_WIDTH_PTR, A, I, 64)};

BP_INSTANTIATE(, scalar)
#if BP_X86
BP_INSTANTIATE(__attribute__((target("avx2"))), avx2)
BP_INSTANTIATE(__attribute__((target("avx512f,avx512bw,avx512vl"))), avx512)
#  define BP_TABLES(T) {bp_tab##T##_scalar, bp_tab##T##_avx2, bp_tab##T##_avx512}
#else
#  define BP_TABLES(T) {bp_tab##T##_scalar, bp_tab##T##_scalar, bp_tab##T##_scalar}
#endif

static const bp_fn8 *const bp_tab8[DPS_ISA_COUNT] = BP_TABLES(8);
static const bp_fn16 *const bp_tab16[DPS_ISA_COUNT] = BP_TABLES(16);
static const bp_fn32 *const bp_tab32[DPS_ISA_COUNT] = BP_TABLES(32);
static const bp_fn64 *const bp_tab64[DPS_ISA_COUNT] = BP_TABLES(64);

/* ---- public entry points ------------------------------------------------- */

/* An ISA the CPU lacks runs the scalar variant rather than faulting. */
static dps_isa usable(dps_isa isa) {
  return dps__isa_supported(isa) ? isa : DPS_ISA_SCALAR;
}

#define BP_DEFINE_API(T)                                                     \
  void dps__unpack##T##_isa(dps_isa isa, const uint##T##_t *in, unsigned w,  \
                            uint##T##_t base, uint##T##_t *out) {            \
    if (w > T) {                                                             \
      for (unsigned i = 0; i < 1024; i++) out[i] = base;                     \
      return;                                                                \
    }                                                                        \
    bp_tab##T[usable(isa)][w](in, base, out);                                \
  }                                                                          \
  void dps__unpack##T(const uint##T##_t *in, unsigned w, uint##T##_t base,   \
                      uint##T##_t *out) {                                    \
    if (w > T) {                                                             \
      for (unsigned i = 0; i < 1024; i++) out[i] = base;                     \
      return;                                                                \
    }                                                                        \
    /* dps__isa_active() only picks supported ISAs: no second check. */     \
    bp_tab##T[dps__isa_active()][w](in, base, out);                          \
  }

BP_DEFINE_API(8)
BP_DEFINE_API(16)
BP_DEFINE_API(32)
BP_DEFINE_API(64)

/* ---- packing ------------------------------------------------------------- */

/* The inverse of bp_row##T, row by row into a zeroed output: value r of
 * every lane is or-ed into word k (and its spill into word k + 1). */
#define BP_DEFINE_PACK(T, U)                                                 \
  void dps__pack##T(const uint##T##_t *in, unsigned w, uint##T##_t *out) {   \
    const unsigned L = 1024 / T;                                             \
    if (w == 0 || w > T) return;                                             \
    if (w == T) {                                                            \
      memcpy(out, in, 1024 * sizeof *out);                                   \
      return;                                                                \
    }                                                                        \
    const U mask = (U)(((U)1 << w) - 1u);                                    \
    memset(out, 0, (size_t)w * L * sizeof *out);                             \
    for (unsigned r = 0; r < T; r++) {                                       \
      const unsigned off = r * w, k = off / T, s = off % T;                  \
      const uint##T##_t *restrict src = in + (size_t)r * L;                  \
      uint##T##_t *restrict lo = out + (size_t)k * L;                        \
      for (unsigned l = 0; l < L; l++)                                       \
        lo[l] = (uint##T##_t)(lo[l] | (((U)src[l] & mask) << s));            \
      if (s + w > T) {                                                       \
        uint##T##_t *restrict hi = lo + L;                                   \
        for (unsigned l = 0; l < L; l++)                                     \
          hi[l] = (uint##T##_t)(hi[l] | (((U)src[l] & mask) >> (T - s)));    \
      }                                                                      \
    }                                                                        \
  }

BP_DEFINE_PACK(8, uint32_t)
BP_DEFINE_PACK(16, uint32_t)
BP_DEFINE_PACK(32, uint32_t)
BP_DEFINE_PACK(64, uint64_t)

unsigned dps__bit_width(uint64_t v) {
#if defined(__GNUC__)
  return v ? 64u - (unsigned)__builtin_clzll(v) : 0u;
#else
  unsigned n = 0;
  while (v) {
    n++;
    v >>= 1;
  }
  return n;
#endif
}
