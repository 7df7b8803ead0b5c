/* bitpack_body.h - the unpack kernel body of format/bitpack*.c, written
 * once and instantiated per ISA (format/kernels.h, spec/FORMAT.md §4.5).
 * Private to format/bitpack.c (scalar, dispatch, pack),
 * format/bitpack_avx2.c and format/bitpack_avx512.c: one translation unit
 * per ISA, so a parallel build compiles them side by side.
 *
 * Layout recap (kernels.h is normative): T-bit values, L = 1024 / T lanes.
 * Value i lives in lane i % L as that lane's value r = i / L, so "row" r of
 * the output is the L contiguous values [r*L, r*L + L), one per lane. Each
 * lane's values form a little-endian bit stream of w words of T bits; word
 * k of every lane is stored contiguously at [k*L, k*L + L). Row r reads words
 * k = r*w / T (and k + 1 when it straddles) of all lanes at the same bit
 * offset s = r*w % T: one shift, one or, one mask and one add per lane, the
 * same for every lane - a loop plain C compilers vectorise, with 1024 bits
 * (two 512-bit registers) in flight per row at any T.
 *
 * The body (bp_row<T>_<isa>, bp_body<T>_<isa>) is instantiated for every
 * width w as its own function, so r, k, s and the mask are compile-time
 * constants, and for every ISA: the same C compiled for the baseline (the
 * scalar oracle; it may auto-vectorise with SSE2), with target("avx2") and
 * with target("avx512f,avx512bw,avx512vl,avx512dq"). No intrinsics: every variant
 * is the oracle's source, so they can only differ through a compiler bug,
 * which the tests would catch. Per ISA, a table of 1 + T functions per T;
 * a call is one table lookup. */
#ifndef DPS_BITPACK_BODY_H
#define DPS_BITPACK_BODY_H

#include "format/kernels.h"

/* The kernels work on host-order words and the format's words are
 * little-endian ([FMT-57]); a big-endian host would need byte swaps
 * around them, which nothing here does. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#  error "format/bitpack*.c assumes a little-endian host"
#endif

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

/* Unpacks one vector at the width the function was instantiated for. */
typedef void (*dps__bp_fn8)(const uint8_t *, uint8_t, uint8_t *);
typedef void (*dps__bp_fn16)(const uint16_t *, uint16_t, uint16_t *);
typedef void (*dps__bp_fn32)(const uint32_t *, uint32_t, uint32_t *);
typedef void (*dps__bp_fn64)(const uint64_t *, uint64_t, uint64_t *);
/* Unpacks one vector of T-bit words packed at a width w <= O into O-bit
 * values, without a base (a narrowing unpack). */
typedef void (*dps__bp_nfn)(const void *, void *);

/* One ISA's kernels, each table indexed by width 0..T. */
typedef struct dps__bp_kernels {
  const dps__bp_fn8 *u8;    /* 9 entries */
  const dps__bp_fn16 *u16;  /* 17 entries */
  const dps__bp_fn32 *u32;  /* 33 entries */
  const dps__bp_fn64 *u64;  /* 65 entries */
  uint32_t (*max32)(const uint32_t *, size_t);  /* largest of n, 0 if none */
  uint64_t (*sum32)(const uint32_t *, size_t);  /* sums of n, modulo 2^64 */
  uint64_t (*sum64)(const uint64_t *, size_t);
  /* Narrowing unpacks, each indexed by width 0..O. */
  const dps__bp_nfn *n16to8, *n32to8;            /* 9 entries */
  const dps__bp_nfn *n32to16, *n64to16;           /* 17 entries */
  const dps__bp_nfn *n64to32;                     /* 33 entries */
} dps__bp_kernels;

extern const dps__bp_kernels dps__bp_kernels_scalar;  /* bitpack.c */
#if BP_X86
extern const dps__bp_kernels dps__bp_kernels_avx2;    /* bitpack_avx2.c */
extern const dps__bp_kernels dps__bp_kernels_avx512;  /* bitpack_avx512.c */
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

/* ---- loop pragmas --------------------------------------------------------- */

/* _Pragma with macro arguments expanded first (L is passed as a number). */
#define BP_PRAGMA(x) BP_PRAGMA_(x)
#define BP_PRAGMA_(x) _Pragma(#x)

/* On the row loop: unroll all T rows, so every row's word index, shift and
 * mask are constants. GCC >= 8 and clang both honour `GCC unroll`; at -O0
 * nothing is unrolled, which keeps debug builds small. */
#define BP_ROWS(T) BP_PRAGMA(GCC unroll T)

/* On a lane loop (L iterations, 1024 bits): have the loop vectoriser turn
 * it into whole vectors and then unroll those, rather than unrolling the
 * scalar loop first and re-vectorising the straight-line result with SLP.
 * The code is the same either way, but the second path costs GCC -O3 and
 * clang ~6x the compile time (minutes for T = 64). So: GCC unrolls exactly
 * the vector iterations of a row (1024 / vector bits: more would let it
 * unroll the scalar loop too), clang vectorises the row as one L-wide
 * vector. The scalar oracle keeps its vector loop rolled, which keeps its
 * code small. */
#if defined(__clang__)
/* Instrumented builds (UBSan) cannot vectorise these loops; clang then
 * warns for each that the requested vectorize_width was not applied. The
 * code stays correct, only slower, so those warnings would only bury the
 * useful ones (and break -Werror). Only the bitpack files include this. */
#  pragma clang diagnostic ignored "-Wpass-failed"
#  define BP_LANES_scalar(L) BP_PRAGMA(clang loop unroll(disable))
#  define BP_LANES_avx2(L) BP_PRAGMA(clang loop vectorize_width(L) unroll(disable))
#  define BP_LANES_avx512(L) BP_LANES_avx2(L)
#elif defined(__GNUC__)
#  define BP_LANES_scalar(L) BP_PRAGMA(GCC unroll 1)
#  define BP_LANES_avx2(L) BP_PRAGMA(GCC unroll 4)
#  define BP_LANES_avx512(L) BP_PRAGMA(GCC unroll 2)
#else
#  define BP_LANES_scalar(L)
#  define BP_LANES_avx2(L)
#  define BP_LANES_avx512(L)
#endif

/* ---- the unpack body, written once ---------------------------------------- */

/* For T bits with L = 1024 / T lanes and ISA I (whose lane pragma it
 * takes; the code itself is the same for every ISA). U is the arithmetic
 * type: uint32_t for T <= 32 (what uint8_t and uint16_t promote to
 * anyway), uint64_t for T = 64. */
#define BP_DEFINE_BODY(T, L, U, I)                                          \
  /* Row r of a vector packed at width w: out[r*L + l] for every lane l. */ \
  static BP_INLINE void bp_row##T##_##I(const uint##T##_t *restrict in,     \
                                        uint##T##_t *restrict out,          \
                                        unsigned w, unsigned r,             \
                                        uint##T##_t base) {                 \
    const unsigned off = r * w, k = off / T, s = off % T;                   \
    const U mask = w >= T ? (U)(uint##T##_t)~(U)0 : (U)(((U)1 << w) - 1u);  \
    const uint##T##_t *restrict lo = in + (size_t)k * L;                    \
    uint##T##_t *restrict dst = out + (size_t)r * L;                        \
    if (w == 0) { /* nothing stored: never read `in` */                     \
      BP_LANES_##I(L) for (unsigned l = 0; l < L; l++) dst[l] = base;       \
    } else if (s + w == T) { /* ends the word: no mask needed */            \
      BP_LANES_##I(L) for (unsigned l = 0; l < L; l++)                      \
        dst[l] = (uint##T##_t)(((U)lo[l] >> s) + base);                     \
    } else if (s + w < T) { /* inside one word */                           \
      BP_LANES_##I(L) for (unsigned l = 0; l < L; l++)                      \
        dst[l] = (uint##T##_t)((((U)lo[l] >> s) & mask) + base);            \
    } else { /* straddles words k and k + 1; here 0 < s < T */              \
      const uint##T##_t *restrict hi = lo + L;                              \
      BP_LANES_##I(L) for (unsigned l = 0; l < L; l++)                      \
        dst[l] = (uint##T##_t)(                                             \
            ((((U)lo[l] >> s) | ((U)hi[l] << (T - s))) & mask) + base);     \
    }                                                                       \
  }                                                                         \
                                                                            \
  /* The T rows of a vector. */                                             \
  static BP_INLINE void bp_body##T##_##I(const uint##T##_t *restrict in,    \
                                         unsigned w, uint##T##_t base,      \
                                         uint##T##_t *restrict out) {       \
    BP_ROWS(T)                                                              \
    for (unsigned r = 0; r < T; r++) bp_row##T##_##I(in, out, w, r, base);  \
  }

/* The narrowing unpack: the same rows as bp_row, the result truncated to
 * O bits (w <= O < T, so nothing is lost) and no base added. */
#define BP_DEFINE_NARROW(T, L, U, O, I)                                     \
  static BP_INLINE void bp_nrow##T##to##O##_##I(                           \
      const uint##T##_t *restrict in, uint##O##_t *restrict out,           \
      unsigned w, unsigned r) {                                            \
    const unsigned off = r * w, k = off / T, s = off % T;                  \
    const U mask = (U)(((U)1 << w) - 1u);                                  \
    const uint##T##_t *restrict lo = in + (size_t)k * L;                   \
    uint##O##_t *restrict dst = out + (size_t)r * L;                       \
    if (w == 0) {                                                          \
      BP_LANES_##I(L) for (unsigned l = 0; l < L; l++) dst[l] = 0;         \
    } else if (s + w <= T) {                                               \
      BP_LANES_##I(L) for (unsigned l = 0; l < L; l++)                     \
        dst[l] = (uint##O##_t)(((U)lo[l] >> s) & mask);                    \
    } else {                                                               \
      const uint##T##_t *restrict hi = lo + L;                             \
      BP_LANES_##I(L) for (unsigned l = 0; l < L; l++)                     \
        dst[l] = (uint##O##_t)((((U)lo[l] >> s) | ((U)hi[l] << (T - s))) & \
                               mask);                                      \
    }                                                                      \
  }                                                                        \
  static BP_INLINE void bp_nbody##T##to##O##_##I(                          \
      const uint##T##_t *restrict in, unsigned w,                          \
      uint##O##_t *restrict out) {                                         \
    BP_ROWS(T)                                                             \
    for (unsigned r = 0; r < T; r++) bp_nrow##T##to##O##_##I(in, out, w, r); \
  }

/* ---- instantiation: one function per (ISA, T, w), one table per (ISA, T) */

/* The width-w instance; `A` is the ISA's target attribute (or nothing):
 * the body is inlined into it and compiled for that target. */
#define BP_WIDTH_FN(A, I, T, w)                                            \
  A static void bp_unpack##T##_##I##_##w(const uint##T##_t *restrict in,   \
                                         uint##T##_t base,                 \
                                         uint##T##_t *restrict out) {      \
    bp_body##T##_##I(in, w, base, out);                                    \
  }
#define BP_WIDTH_PTR(A, I, T, w) bp_unpack##T##_##I##_##w,

/* The width-w narrowing instances into O = 8, 16 and 32 bits. */
#define BP_NARROW_FN(A, I, T, O, w)                                        \
  A static void bp_n##T##to##O##_##I##_##w(const void *in, void *out) {    \
    bp_nbody##T##to##O##_##I((const uint##T##_t *)in, w, (uint##O##_t *)out); \
  }
#define BP_N8_FN(A, I, T, w) BP_NARROW_FN(A, I, T, 8, w)
#define BP_N16_FN(A, I, T, w) BP_NARROW_FN(A, I, T, 16, w)
#define BP_N32_FN(A, I, T, w) BP_NARROW_FN(A, I, T, 32, w)
#define BP_N8_PTR(A, I, T, w) bp_n##T##to8_##I##_##w,
#define BP_N16_PTR(A, I, T, w) bp_n##T##to16_##I##_##w,
#define BP_N32_PTR(A, I, T, w) bp_n##T##to32_##I##_##w,

/* Everything for one ISA I (target attribute A): bodies, every width of
 * every T, and the table dps__bp_kernels_##I. */
#define BP_INSTANTIATE(A, I)                                               \
  BP_DEFINE_BODY(8, 128, uint32_t, I)                                      \
  BP_DEFINE_BODY(16, 64, uint32_t, I)                                      \
  BP_DEFINE_BODY(32, 32, uint32_t, I)                                      \
  BP_DEFINE_BODY(64, 16, uint64_t, I)                                      \
  BP_W8(BP_WIDTH_FN, A, I, 8)                                              \
  BP_W16(BP_WIDTH_FN, A, I, 16)                                            \
  BP_W32(BP_WIDTH_FN, A, I, 32)                                            \
  BP_W64(BP_WIDTH_FN, A, I, 64)                                            \
  BP_DEFINE_NARROW(16, 64, uint32_t, 8, I)                                 \
  BP_DEFINE_NARROW(32, 32, uint32_t, 8, I)                                 \
  BP_DEFINE_NARROW(32, 32, uint32_t, 16, I)                                \
  BP_DEFINE_NARROW(64, 16, uint64_t, 16, I)                                \
  BP_DEFINE_NARROW(64, 16, uint64_t, 32, I)                                \
  BP_W8(BP_N8_FN, A, I, 16)                                                \
  BP_W8(BP_N8_FN, A, I, 32)                                                \
  BP_W16(BP_N16_FN, A, I, 32)                                              \
  BP_W16(BP_N16_FN, A, I, 64)                                              \
  BP_W32(BP_N32_FN, A, I, 64)                                              \
  static const dps__bp_nfn bp_n16to8_##I[9] = {BP_W8(BP_N8_PTR, A, I, 16)}; \
  static const dps__bp_nfn bp_n32to8_##I[9] = {BP_W8(BP_N8_PTR, A, I, 32)}; \
  static const dps__bp_nfn bp_n32to16_##I[17] = {                          \
      BP_W16(BP_N16_PTR, A, I, 32)};                                       \
  static const dps__bp_nfn bp_n64to16_##I[17] = {                          \
      BP_W16(BP_N16_PTR, A, I, 64)};                                       \
  static const dps__bp_nfn bp_n64to32_##I[33] = {                          \
      BP_W32(BP_N32_PTR, A, I, 64)};                                       \
  static const dps__bp_fn8 bp_tab8_##I[9] = {BP_W8(BP_WIDTH_PTR, A, I, 8)}; \
  static const dps__bp_fn16 bp_tab16_##I[17] = {                           \
      BP_W16(BP_WIDTH_PTR, A, I, 16)};                                     \
  static const dps__bp_fn32 bp_tab32_##I[33] = {                           \
      BP_W32(BP_WIDTH_PTR, A, I, 32)};                                     \
  static const dps__bp_fn64 bp_tab64_##I[65] = {                           \
      BP_W64(BP_WIDTH_PTR, A, I, 64)};                                     \
  /* The largest of n words: dictionary codes are checked against the    \
   * entry count with it, a reduction that vectorises per ISA. */          \
  A static uint32_t bp_max32_##I(const uint32_t *v, size_t n) {            \
    uint32_t top = 0;                                                      \
    for (size_t i = 0; i < n; i++) top = v[i] > top ? v[i] : top;          \
    return top;                                                            \
  }                                                                        \
  /* Sums of n words (modulo 2^64): frame-of-reference pages are summed  \
   * from their offsets. */                                                \
  A static uint64_t bp_sum32_##I(const uint32_t *v, size_t n) {            \
    uint64_t s = 0;                                                        \
    for (size_t i = 0; i < n; i++) s += v[i];                              \
    return s;                                                              \
  }                                                                        \
  A static uint64_t bp_sum64_##I(const uint64_t *v, size_t n) {            \
    uint64_t s = 0;                                                        \
    for (size_t i = 0; i < n; i++) s += v[i];                              \
    return s;                                                              \
  }                                                                        \
  const dps__bp_kernels dps__bp_kernels_##I = {                            \
      bp_tab8_##I,   bp_tab16_##I,   bp_tab32_##I,   bp_tab64_##I,         \
      bp_max32_##I,  bp_sum32_##I,   bp_sum64_##I,                        \
      bp_n16to8_##I, bp_n32to8_##I,  bp_n32to16_##I, bp_n64to16_##I,      \
      bp_n64to32_##I};

#endif /* DPS_BITPACK_BODY_H */
