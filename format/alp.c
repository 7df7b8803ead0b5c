/*
 * alp.c - ALP, adaptive lossless floating point (Afroozeh & Boncz, SIGMOD
 * 2024): decimal-like floats become small integers plus exceptions.
 * Interface in format/kernels.h; the arithmetic is normative
 * (spec/FORMAT.md §4.6, [FMT-60..65]).
 *
 * Whether a value is an exception is decided by running the decoder's own
 * inline function (alp_scale64 / alp_scale32) on the candidate integer, so
 * a value the encoder keeps is, by construction, one the decoder
 * reproduces bit for bit. How the encoder rounds only affects compression,
 * never correctness.
 *
 * float32 is scaled in binary64 and rounded to binary32 once at the end:
 * in binary32 arithmetic the error of 10^-e alone (up to 0.8 ulp) turned
 * 3-25% of 2-4 digit decimals into exceptions; in binary64 none were left
 * in our tests, and int32 <-> double conversions vectorise as well.
 *
 * The loops are written once as static inline bodies and instantiated for
 * the baseline (the scalar oracle, which may still auto-vectorise with
 * SSE2), target("avx2") and target("avx512f,avx512bw,avx512vl,avx512dq"), picked
 * through dps__isa_active() as format/bitpack.c does. No intrinsics: every
 * variant compiles the oracle's source.
 *
 * Assumes IEEE 754 binary64 evaluated in its own precision (FLT_EVAL_METHOD
 * 0: x86-64, AArch64) and the default rounding mode. The decoder has no
 * product followed by a sum, so FMA contraction cannot change it; in the
 * encoder, products and sums sit in separate statements, which clang's
 * default contraction (within expressions) and gcc's in ISO mode (none;
 * the build uses -std=c11) leave alone. A contracting build would change
 * which integer some values round to, never what decodes.
 */
#include "format/kernels.h"

#include <assert.h>
#include <float.h>
#include <math.h>
#include <string.h>

#if FLT_EVAL_METHOD != 0
#  error "ALP needs double arithmetic evaluated in double precision"
#endif

/* Same condition as format/bitpack.c and format/isa.c. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(DPS_NO_SIMD)
#  define ALP_X86 1
#else
#  define ALP_X86 0
#endif

/* Kernel bodies must be inlined into each per-ISA instance to be compiled
 * for its ISA; gcc's heuristics decline some of them (stack frame growth,
 * "cold" calls), hence the attribute. */
#if defined(__GNUC__)
#  define ALP_INLINE static inline __attribute__((always_inline))
#else
#  define ALP_INLINE static inline
#endif

/* The paper's ranges: 10^18 is the last power of ten below the 2^62 bound
 * on the integers; floats, with 7 significant digits, stop at 10^10. */
#define ALP_MAX_E64 18
#define ALP_MAX_E32 10

/* 10^0..10^18 are exact doubles (5^18 < 2^53); the negative powers are the
 * correctly rounded literals. These values are part of the format. float32
 * uses the first 11 entries of both. */
static const double alp_pow10_64[ALP_MAX_E64 + 1] = {
    1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,
    1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18};
static const double alp_inv10_64[ALP_MAX_E64 + 1] = {
    1e-0,  1e-1,  1e-2,  1e-3,  1e-4,  1e-5,  1e-6,  1e-7,  1e-8,  1e-9,
    1e-10, 1e-11, 1e-12, 1e-13, 1e-14, 1e-15, 1e-16, 1e-17, 1e-18};

/* Each decode multiplies by the inexact 10^-e once, so how often a decimal
 * fails to come back is roughly proportional to that literal's relative
 * error: 0.011 * 2^-53 for 1e-14, 0.19 * 2^-53 for 1e-2, 0.74 * 2^-53 for
 * 1e-5 (on random 4-decimal data: 0.8% exceptions with e = 14, 12% with
 * e = 8). A 32-value sample cannot tell such rates apart, so on equal
 * estimates the search prefers the more accurate literal: rank[e] orders e
 * by |fl(10^-e) * 10^e - 1| (0 = exact). tests/test_alp.c re-derives it. */
static const uint8_t alp_rank64[ALP_MAX_E64 + 1] = {
    0, 12, 3, 4, 11, 18, 9, 10, 6, 14, 8, 13, 2, 7, 1, 17, 5, 15, 16};

/* Bits of the size estimate charged per exception: its value plus its
 * position. */
#define ALP_EXC_BITS64 (64u + 32u)
#define ALP_EXC_BITS32 (32u + 32u)

/* Parameter search (see alp_choose): level one scores every pair on this
 * many equidistant values, level two re-scores ALP_TOP_K of them on up to
 * ALP_L2_VALUES. */
#define ALP_L1_VALUES 32u
#define ALP_L2_VALUES 256u
#define ALP_TOP_K 5u

/* Values per block of the kernels: a fixed trip count is what gets gcc -O2
 * to vectorise them (its cost model refuses loops that need an epilogue).
 * The encoder hands the kernels chunks of ALP_CHUNK values, one indirect
 * call each. */
#define ALP_BLOCK 16u
#define ALP_CHUNK 256u
_Static_assert(ALP_L2_VALUES <= ALP_CHUNK, "a sample is scored in one chunk");

ALP_INLINE uint64_t f64_bits(double d) {
  uint64_t u;
  memcpy(&u, &d, sizeof u);
  return u;
}
ALP_INLINE double f64_of(uint64_t u) {
  double d;
  memcpy(&d, &u, sizeof d);
  return d;
}
ALP_INLINE int64_t f64_as_i64(double d) {
  int64_t i;
  memcpy(&i, &d, sizeof i);
  return i;
}
ALP_INLINE uint32_t f32_bits(float x) {
  uint32_t u;
  memcpy(&u, &x, sizeof u);
  return u;
}

/* ---- the shared arithmetic ----------------------------------------------- */

/* The decoder's formula ([FMT-62]) on nd = (double)n: nd * 10^f,
 * rounded, then * 10^-e, rounded; float32 rounds that double to float.
 * `pf` = 10^f and `ne` = 10^-e from the tables. The encoder's check calls
 * these same functions. */
ALP_INLINE double alp_scale64(double nd, double pf, double ne) {
  double x = nd * pf;
  return x * ne;
}
ALP_INLINE float alp_scale32(double nd, double pf, double ne) {
  double x = nd * pf;
  x = x * ne;
  return (float)x;
}

/* (double)n, correctly rounded, for every int64_t, in operations that
 * vectorise with AVX2 (a conversion instruction needs AVX-512DQ): the
 * integer, biased to unsigned, is split into its top 16 and low 48 bits,
 * each planted in the mantissa of a double whose ulp makes it exact; the
 * only inexact step is the final addition, which rounds once, as the
 * conversion would. */
ALP_INLINE double alp_i64_to_f64(int64_t n) {
  uint64_t t = (uint64_t)n ^ (UINT64_C(1) << 63);  /* n + 2^63 */
  /* 2^100 has ulp 2^48: hi = 2^100 + (t >> 48) * 2^48. */
  double hi = f64_of(f64_bits(0x1p100) | (t >> 48));
  /* 2^52 has ulp 1: lo = 2^52 + (t mod 2^48). */
  double lo = f64_of(f64_bits(0x1p52) | (t & ((UINT64_C(1) << 48) - 1)));
  /* Exact: the difference is a multiple of 2^48 below 2^64 in magnitude. */
  hi = hi - (0x1p100 + 0x1p63 + 0x1p52);
  return hi + lo;
}

static inline unsigned alp_width(uint64_t v) {
  return v ? 64u - (unsigned)__builtin_clzll(v) : 0u;
}

static inline bool alp_params_valid(dps_alp_params p, unsigned max_e) {
  return p.e <= max_e && p.f <= p.e;
}

/* Per-pair constants from the tables. */
typedef struct alp_k {
  double pe;  /* 10^e: encode */
  double nf;  /* 10^-f: encode */
  double pf;  /* 10^f: decode */
  double ne;  /* 10^-e: decode */
} alp_k;

static inline alp_k alp_consts(uint8_t e, uint8_t f) {
  alp_k k = {alp_pow10_64[e], alp_inv10_64[f], alp_pow10_64[f],
             alp_inv10_64[e]};
  return k;
}

/* ---- kernel bodies ------------------------------------------------------- */

/* 1.5 * 2^52: for |x| < 2^51, x + ALP_MAGIC lies in [2^52, 2^53], where the
 * ulp is 1, so the addition rounds x to an integer (to nearest, ties to
 * even: the constant is even) and leaves it, offset by the constant, in
 * the low significand bits. Subtracting the constant's bits reads the
 * integer out, sign included; subtracting the constant gives (double)n
 * exactly. A conversion that vectorises. */
#define ALP_MAGIC 0x1.8p52
#define ALP_MAGIC_BITS INT64_C(0x4338000000000000)

/* Branch-free helpers, on integers: gcc will not if-convert a
 * floating-point comparison under its default -ftrapping-math (NaN
 * compares raise "invalid"), and SSE2 has no 64-bit integer compare, so
 * either would keep the loops scalar. For a, b in [0, 2^63), a - b is
 * negative exactly when a < b; fabs() bits order like the values, with
 * NaN above everything. */
ALP_INLINE uint64_t alp_lt(uint64_t a, uint64_t b) {
  return (a - b) >> 63;
}
/* 1 when a != b. */
ALP_INLINE uint64_t alp_ne(uint64_t a, uint64_t b) {
  uint64_t d = a ^ b;
  return (d | (0 - d)) >> 63;
}

/* Encodes one block of doubles ([FMT-63]): ints[j] = round(v[j] * 10^e
 * * 10^-f), ties to even, or 0 when that is NaN or |x| >= 2^62 (where the
 * conversion to int64 is not defined; 0 decodes to +0.0, which such a
 * value never is); exc[j] = 1 when v[j] does not come back bit-exact.
 * Returns 1 when some value has 2^51 <= |x| < 2^62, out of the magic
 * constant's reach: the block is then redone with alp_block64_big. */
ALP_INLINE uint64_t alp_block64(const double *restrict v, const alp_k *k,
                                int64_t *restrict ints,
                                uint64_t *restrict exc) {
  const uint64_t b51 = f64_bits(0x1p51), b62 = f64_bits(0x1p62);
  uint64_t big = 0;
  for (size_t j = 0; j < ALP_BLOCK; j++) {
    double x = v[j] * k->pe;
    x = x * k->nf;
    uint64_t a = f64_bits(fabs(x));
    /* All ones, or 0 when too large or NaN: then n = 0. */
    uint64_t keep = 0 - alp_lt(a, b51);
    /* The select comes before the subtraction, which then cannot
     * overflow: t lies in [2^52, 2^53]. */
    double t = f64_of((f64_bits(x + ALP_MAGIC) & keep) |
                      (f64_bits(ALP_MAGIC) & ~keep));
    ints[j] = f64_as_i64(t) - ALP_MAGIC_BITS;
    double nd = t - ALP_MAGIC;
    exc[j] = alp_ne(f64_bits(alp_scale64(nd, k->pf, k->ne)), f64_bits(v[j]));
    big |= ~keep & alp_lt(a, b62);
  }
  return big;
}

/* The same for blocks holding some 2^51 <= |x| < 2^62, still branch-free
 * (it vectorises with AVX2's per-lane shifts): such an x rounds to r by the
 * 2^52 trick when below 2^52 and is an integer already above, and r's
 * integer is its significand shifted by its exponent. Smaller values take
 * alp_block64's path; the decode check needs the general conversion. */
ALP_INLINE void alp_block64_big(const double *restrict v, const alp_k *k,
                                int64_t *restrict ints,
                                uint64_t *restrict exc) {
  const uint64_t b51 = f64_bits(0x1p51), b52 = f64_bits(0x1p52),
                 b62 = f64_bits(0x1p62), mant = (UINT64_C(1) << 52) - 1;
  for (size_t j = 0; j < ALP_BLOCK; j++) {
    double x = v[j] * k->pe;
    x = x * k->nf;
    uint64_t a = f64_bits(fabs(x));
    uint64_t small = 0 - alp_lt(a, b51);
    uint64_t large = ~small & (0 - alp_lt(a, b62));
    /* |x| < 2^51, as alp_block64. */
    double t = f64_of((f64_bits(x + ALP_MAGIC) & small) |
                      (f64_bits(ALP_MAGIC) & ~small));
    int64_t q_small = f64_as_i64(t) - ALP_MAGIC_BITS;
    /* 2^51 <= |x| < 2^62: r in [2^51, 2^62], biased exponent 1074..1085;
     * the count is masked into 0..15 so that other lanes shift by a
     * defined amount too (their result is discarded). */
    double fa = f64_of(a);
    double r = fa + 0x1p52;
    r = r - 0x1p52;
    uint64_t below52 = 0 - alp_lt(a, b52);
    uint64_t rb = (f64_bits(r) & below52) | (a & ~below52);
    uint64_t sh = ((rb >> 52) - 1074) & 15 & large;
    uint64_t mag = ((((rb & mant) | (mant + 1)) << sh) >> 1) & large;
    uint64_t neg = 0 - (f64_bits(x) >> 63);
    uint64_t q_large = (mag ^ neg) - neg;  /* two's complement negation */
    int64_t q = (int64_t)(q_large & large) | (q_small & (int64_t)small);
    ints[j] = q;
    exc[j] = alp_ne(f64_bits(alp_scale64(alp_i64_to_f64(q), k->pf, k->ne)),
                    f64_bits(v[j]));
  }
}

/* float32: |x| < 2^30 keeps every integer on the fast path. */
ALP_INLINE void alp_block32(const float *restrict v, const alp_k *k,
                            int32_t *restrict ints,
                            uint32_t *restrict exc) {
  const uint64_t b30 = f64_bits(0x1p30);
  for (size_t j = 0; j < ALP_BLOCK; j++) {
    double x = (double)v[j] * k->pe;
    x = x * k->nf;
    uint64_t keep = 0 - alp_lt(f64_bits(fabs(x)), b30);  /* 0 for NaN too */
    double t = f64_of((f64_bits(x + ALP_MAGIC) & keep) |
                      (f64_bits(ALP_MAGIC) & ~keep));
    ints[j] = (int32_t)(f64_as_i64(t) - ALP_MAGIC_BITS);
    double nd = t - ALP_MAGIC;
    exc[j] = f32_bits(alp_scale32(nd, k->pf, k->ne)) != f32_bits(v[j]);
  }
}

/* Encodes m <= ALP_CHUNK values into ints[0..m) and exc[0..m); returns
 * nonzero when some value is an exception. A short last block goes through
 * a zero-padded copy so that every value takes the same path. */
ALP_INLINE uint64_t alp_chunk64_body(const double *v, size_t m,
                                     const alp_k *k, int64_t *ints,
                                     uint64_t *exc) {
  size_t b = 0;
  for (; b + ALP_BLOCK <= m; b += ALP_BLOCK)
    if (alp_block64(v + b, k, ints + b, exc + b))
      alp_block64_big(v + b, k, ints + b, exc + b);
  if (b < m) {
    double tv[ALP_BLOCK] = {0};
    int64_t ti[ALP_BLOCK];
    uint64_t te[ALP_BLOCK];
    memcpy(tv, v + b, (m - b) * sizeof *v);
    if (alp_block64(tv, k, ti, te)) alp_block64_big(tv, k, ti, te);
    memcpy(ints + b, ti, (m - b) * sizeof *ints);
    memcpy(exc + b, te, (m - b) * sizeof *exc);
  }
  uint64_t any = 0;
  for (size_t j = 0; j < m; j++) any |= exc[j];
  return any;
}

ALP_INLINE uint64_t alp_chunk32_body(const float *v, size_t m,
                                     const alp_k *k, int32_t *ints,
                                     uint32_t *exc) {
  size_t b = 0;
  for (; b + ALP_BLOCK <= m; b += ALP_BLOCK)
    alp_block32(v + b, k, ints + b, exc + b);
  if (b < m) {
    float tv[ALP_BLOCK] = {0};
    int32_t ti[ALP_BLOCK];
    uint32_t te[ALP_BLOCK];
    memcpy(tv, v + b, (m - b) * sizeof *v);
    alp_block32(tv, k, ti, te);
    memcpy(ints + b, ti, (m - b) * sizeof *ints);
    memcpy(exc + b, te, (m - b) * sizeof *exc);
  }
  uint64_t any = 0;
  for (size_t j = 0; j < m; j++) any |= exc[j];
  return any;
}

/* The decode loops: the hot path. */
ALP_INLINE void alp_decode64_body(const int64_t *restrict in, size_t n,
                                  double pf, double ne,
                                  double *restrict out) {
  size_t i = 0;
  for (; i + ALP_BLOCK <= n; i += ALP_BLOCK)
    for (size_t j = 0; j < ALP_BLOCK; j++)
      out[i + j] = alp_scale64(alp_i64_to_f64(in[i + j]), pf, ne);
  for (; i < n; i++) out[i] = alp_scale64(alp_i64_to_f64(in[i]), pf, ne);
}

ALP_INLINE void alp_decode32_body(const int32_t *restrict in, size_t n,
                                  double pf, double ne,
                                  float *restrict out) {
  size_t i = 0;
  for (; i + ALP_BLOCK <= n; i += ALP_BLOCK)
    for (size_t j = 0; j < ALP_BLOCK; j++)
      out[i + j] = alp_scale32((double)in[i + j], pf, ne);
  for (; i < n; i++) out[i] = alp_scale32((double)in[i], pf, ne);
}

/* ---- per-ISA instances --------------------------------------------------- */

typedef uint64_t (*alp_chunk64_fn)(const double *, size_t, const alp_k *,
                                   int64_t *, uint64_t *);
typedef uint64_t (*alp_chunk32_fn)(const float *, size_t, const alp_k *,
                                   int32_t *, uint32_t *);
typedef void (*alp_decode64_fn)(const int64_t *, size_t, double, double,
                                double *);
typedef void (*alp_decode32_fn)(const int32_t *, size_t, double, double,
                                float *);

/* One ISA's kernels. */
typedef struct alp_kernels {
  alp_chunk64_fn chunk64;    /* encode up to ALP_CHUNK doubles */
  alp_chunk32_fn chunk32;    /* encode up to ALP_CHUNK floats */
  alp_decode64_fn decode64;  /* decode n doubles */
  alp_decode32_fn decode32;  /* decode n floats */
} alp_kernels;

#define ALP_INSTANTIATE(A, I)                                                \
  A static uint64_t alp_chunk64_##I(const double *v, size_t m,               \
                                    const alp_k *k, int64_t *ints,           \
                                    uint64_t *exc) {                         \
    return alp_chunk64_body(v, m, k, ints, exc);                             \
  }                                                                          \
  A static uint64_t alp_chunk32_##I(const float *v, size_t m,                \
                                    const alp_k *k, int32_t *ints,           \
                                    uint32_t *exc) {                         \
    return alp_chunk32_body(v, m, k, ints, exc);                             \
  }                                                                          \
  A static void alp_decode64_##I(const int64_t *in, size_t n, double pf,     \
                                 double ne, double *out) {                   \
    alp_decode64_body(in, n, pf, ne, out);                                   \
  }                                                                          \
  A static void alp_decode32_##I(const int32_t *in, size_t n, double pf,     \
                                 double ne, float *out) {                    \
    alp_decode32_body(in, n, pf, ne, out);                                   \
  }

/* The scalar oracle decodes with the plain conversion: below AVX2 it beats
 * the split conversion of alp_i64_to_f64 (3.0 against 2.4 values/ns with
 * SSE2), and it is the formula as the spec writes it. */
static void alp_decode64_scalar(const int64_t *in, size_t n, double pf,
                                double ne, double *out) {
  for (size_t i = 0; i < n; i++) out[i] = alp_scale64((double)in[i], pf, ne);
}
static uint64_t alp_chunk64_scalar(const double *v, size_t m, const alp_k *k,
                                   int64_t *ints, uint64_t *exc) {
  return alp_chunk64_body(v, m, k, ints, exc);
}
static uint64_t alp_chunk32_scalar(const float *v, size_t m, const alp_k *k,
                                   int32_t *ints, uint32_t *exc) {
  return alp_chunk32_body(v, m, k, ints, exc);
}
static void alp_decode32_scalar(const int32_t *in, size_t n, double pf,
                                double ne, float *out) {
  alp_decode32_body(in, n, pf, ne, out);
}

#define ALP_KERNELS(I) \
  {alp_chunk64_##I, alp_chunk32_##I, alp_decode64_##I, alp_decode32_##I}
#if ALP_X86
ALP_INSTANTIATE(__attribute__((target("avx2"))), avx2)
ALP_INSTANTIATE(__attribute__((target("avx512f,avx512bw,avx512vl,avx512dq"))), avx512)
static const alp_kernels alp_tab[DPS_ISA_COUNT] = {
    ALP_KERNELS(scalar), ALP_KERNELS(avx2), ALP_KERNELS(avx512)};
#else
static const alp_kernels alp_tab[DPS_ISA_COUNT] = {
    ALP_KERNELS(scalar), ALP_KERNELS(scalar), ALP_KERNELS(scalar)};
#endif

/* dps__isa_active() only picks ISAs the CPU runs. */
static inline const alp_kernels *alp_active(void) {
  return &alp_tab[dps__isa_active()];
}

/* ---- encode -------------------------------------------------------------- */

/* Index of the first value that is not an exception: exc_pos is ascending,
 * so it is the first index the list skips (k when it skips none). */
static size_t alp_first_kept(const uint32_t *exc_pos, size_t k) {
  size_t j = 0;
  while (j < k && exc_pos[j] == j) j++;
  return j;
}

/* A caller bug, not bad input: rather than encode under parameters the
 * decoder would read differently, every value becomes an exception. */
#define ALP_ALL_EXCEPTIONS(v, n, ints, exc_pos, exc_val) \
  do {                                                   \
    for (size_t i_ = 0; i_ < (n); i_++) {                \
      (ints)[i_] = 0;                                    \
      (exc_pos)[i_] = (uint32_t)i_;                      \
      (exc_val)[i_] = (v)[i_];                           \
    }                                                    \
    return (n);                                          \
  } while (0)

/* The encoders' body: the kernel per chunk, then the chunk's exceptions
 * appended (only when it has some), then the fillers. `run` is the chunk
 * kernel, TE its exception flag type, TI the integer type. */
#define ALP_ENCODE_BODY(run, TE, TI)                                         \
  do {                                                                       \
    const alp_k c_ = alp_consts(p.e, p.f);                                   \
    size_t k_ = 0;                                                           \
    for (size_t b_ = 0; b_ < n; b_ += ALP_CHUNK) {                           \
      size_t m_ = n - b_ < ALP_CHUNK ? n - b_ : ALP_CHUNK;                   \
      TE exc_[ALP_CHUNK];                                                    \
      if (!(run)(v + b_, m_, &c_, ints + b_, exc_)) continue;                \
      /* Written unconditionally, kept by advancing k: no branch on the      \
       * data (k <= b + j, so the slot exists). */                           \
      for (size_t j_ = 0; j_ < m_; j_++) {                                   \
        exc_pos[k_] = (uint32_t)(b_ + j_);                                   \
        exc_val[k_] = v[b_ + j_];                                            \
        k_ += (size_t)exc_[j_];                                              \
      }                                                                      \
    }                                                                        \
    if (k_) {                                                                \
      /* Exception slots repeat a real integer so that they do not widen     \
       * the frame of reference the integers are packed with. */             \
      size_t j_ = alp_first_kept(exc_pos, k_);                               \
      const TI fill_ = j_ < n ? ints[j_] : 0;                                \
      for (size_t t_ = 0; t_ < k_; t_++) ints[exc_pos[t_]] = fill_;          \
    }                                                                        \
    return k_;                                                               \
  } while (0)

size_t dps__alp_encode64(const double *v, size_t n, dps_alp_params p,
                         int64_t *ints, uint32_t *exc_pos, double *exc_val) {
  assert(n <= (size_t)UINT32_MAX + 1);
  assert(alp_params_valid(p, ALP_MAX_E64));
  if (!alp_params_valid(p, ALP_MAX_E64))
    ALP_ALL_EXCEPTIONS(v, n, ints, exc_pos, exc_val);
  ALP_ENCODE_BODY(alp_active()->chunk64, uint64_t, int64_t);
}

size_t dps__alp_encode32(const float *v, size_t n, dps_alp_params p,
                         int32_t *ints, uint32_t *exc_pos, float *exc_val) {
  assert(n <= (size_t)UINT32_MAX + 1);
  assert(alp_params_valid(p, ALP_MAX_E32));
  if (!alp_params_valid(p, ALP_MAX_E32))
    ALP_ALL_EXCEPTIONS(v, n, ints, exc_pos, exc_val);
  ALP_ENCODE_BODY(alp_active()->chunk32, uint32_t, int32_t);
}

/* ---- decode -------------------------------------------------------------- */

dps_status dps__alp_decode64(const int64_t *ints, size_t n, dps_alp_params p,
                             double *out) {
  if (!alp_params_valid(p, ALP_MAX_E64)) return DPS_ECORRUPT;
  alp_active()->decode64(ints, n, alp_pow10_64[p.f], alp_inv10_64[p.e], out);
  return DPS_OK;
}

dps_status dps__alp_decode32(const int32_t *ints, size_t n, dps_alp_params p,
                             float *out) {
  if (!alp_params_valid(p, ALP_MAX_E32)) return DPS_ECORRUPT;
  alp_active()->decode32(ints, n, alp_pow10_64[p.f], alp_inv10_64[p.e], out);
  return DPS_OK;
}

/* ---- parameter search ---------------------------------------------------- */

/* Estimated size of m sampled values under one pair. */
typedef struct alp_score {
  uint64_t bits;  /* width(max - min) * m + exceptions * exception bits */
  uint32_t exc;   /* exceptions among the m values */
  uint8_t e;      /* exponent scored */
  uint8_t f;      /* factor scored */
} alp_score;

/* The order that picks a winner: smaller estimate, then fewer exceptions
 * (cheaper to patch), then the more accurate 10^-e (alp_rank64), then
 * smaller f (n * 10^f stays exact longer). Total, so the choice is
 * deterministic. */
static bool alp_better(const alp_score *a, const alp_score *b) {
  if (a->bits != b->bits) return a->bits < b->bits;
  if (a->exc != b->exc) return a->exc < b->exc;
  if (a->e != b->e) return alp_rank64[a->e] < alp_rank64[b->e];
  return a->f < b->f;
}

/* Up to ALP_L2_VALUES sampled values of either type. */
typedef union alp_sample {
  double d[ALP_L2_VALUES];  /* double samples */
  float f[ALP_L2_VALUES];   /* float samples */
} alp_sample;

static alp_score alp_score_pair(const alp_kernels *kn, const alp_sample *s,
                                size_t m, size_t width, uint8_t e,
                                uint8_t f) {
  const alp_k c = alp_consts(e, f);
  int64_t lo = INT64_MAX, hi = INT64_MIN;
  uint32_t n_exc = 0;
  if (width == 8) {
    int64_t ints[ALP_L2_VALUES];
    uint64_t exc[ALP_L2_VALUES];
    kn->chunk64(s->d, m, &c, ints, exc);
    for (size_t i = 0; i < m; i++) {
      n_exc += (uint32_t)exc[i];
      lo = !exc[i] && ints[i] < lo ? ints[i] : lo;
      hi = !exc[i] && ints[i] > hi ? ints[i] : hi;
    }
  } else {
    int32_t ints[ALP_L2_VALUES];
    uint32_t exc[ALP_L2_VALUES];
    kn->chunk32(s->f, m, &c, ints, exc);
    for (size_t i = 0; i < m; i++) {
      n_exc += exc[i];
      lo = !exc[i] && ints[i] < lo ? ints[i] : lo;
      hi = !exc[i] && ints[i] > hi ? ints[i] : hi;
    }
  }
  unsigned w = n_exc < m ? alp_width((uint64_t)hi - (uint64_t)lo) : 0u;
  uint64_t exc_bits = width == 8 ? ALP_EXC_BITS64 : ALP_EXC_BITS32;
  alp_score r = {(uint64_t)w * m + (uint64_t)n_exc * exc_bits, n_exc, e, f};
  return r;
}

/* Inserts s into top[0..*n) (sorted best first, at most ALP_TOP_K). */
static void alp_top_insert(alp_score *top, size_t *n, alp_score s) {
  size_t i = *n < ALP_TOP_K ? (*n)++ : ALP_TOP_K;
  if (i == ALP_TOP_K) {
    if (!alp_better(&s, &top[ALP_TOP_K - 1])) return;
    i = ALP_TOP_K - 1;
  }
  for (; i > 0 && alp_better(&s, &top[i - 1]); i--) top[i] = top[i - 1];
  top[i] = s;
}

/* Copies m equidistant values of v[0..n) (m <= n, width bytes each). */
static void alp_gather(alp_sample *s, const void *v, size_t n, size_t m,
                       size_t width) {
  unsigned char *dst = (unsigned char *)s;
  const unsigned char *src = (const unsigned char *)v;
  for (size_t i = 0; i < m; i++)
    memcpy(dst + i * width, src + (size_t)((uint64_t)i * n / m) * width,
           width);
}

/* The choice rule (informative, [FMT-65]: any valid pair decodes).
 * Level one (the paper's row-group level) scores every pair with
 * 0 <= f <= e <= max_e on up to ALP_L1_VALUES equidistant values of the
 * sample, keeps the best f of each e, and of those the ALP_TOP_K best.
 * Level two (its vector level) re-scores the K on up to ALP_L2_VALUES
 * equidistant values and returns the best. A score is width(max - min of
 * the non-exception integers) * m + exceptions * (value bits + 32), ties
 * broken as in alp_better.
 *
 * Why one f per e: 32 values measure the integers' width well, and with it
 * the shift e - f, but not exception rates of a few percent, which is what
 * separates exponents of one shift (alp_rank64). Filling the K slots with
 * one shift's variants of the same e - f would let two unlucky samples
 * shut the accurate exponent out; K distinct exponents leave level two a
 * real choice.
 *
 * Cost: 190 * 32 + 5 * 256 = 7360 trial encodings per call for doubles
 * (66 * 32 + 5 * 256 for floats), whatever n is: call it once per page or
 * row group sample, not per 1024 values. */
static dps_alp_params alp_choose(const void *v, size_t n, size_t width,
                                 uint8_t max_e) {
  dps_alp_params best = {0, 0};
  if (n == 0) return best;
  const alp_kernels *kn = alp_active();
  alp_sample s;
  size_t m1 = n < ALP_L1_VALUES ? n : ALP_L1_VALUES;
  alp_gather(&s, v, n, m1, width);
  alp_score top[ALP_TOP_K];
  size_t ntop = 0;
  for (uint8_t e = 0; e <= max_e; e++) {
    alp_score best_f = alp_score_pair(kn, &s, m1, width, e, 0);
    for (uint8_t f = 1; f <= e; f++) {
      alp_score c = alp_score_pair(kn, &s, m1, width, e, f);
      if (alp_better(&c, &best_f)) best_f = c;
    }
    alp_top_insert(top, &ntop, best_f);
  }
  alp_score win = top[0];
  if (n > m1) {
    /* The level-one scores were on a smaller sample: re-score all K. */
    size_t m2 = n < ALP_L2_VALUES ? n : ALP_L2_VALUES;
    alp_gather(&s, v, n, m2, width);
    win = alp_score_pair(kn, &s, m2, width, top[0].e, top[0].f);
    for (size_t k = 1; k < ntop; k++) {
      alp_score c = alp_score_pair(kn, &s, m2, width, top[k].e, top[k].f);
      if (alp_better(&c, &win)) win = c;
    }
  }
  best.e = win.e;
  best.f = win.f;
  return best;
}

dps_alp_params dps__alp_choose64(const double *v, size_t n) {
  return alp_choose(v, n, sizeof *v, ALP_MAX_E64);
}

dps_alp_params dps__alp_choose32(const float *v, size_t n) {
  return alp_choose(v, n, sizeof *v, ALP_MAX_E32);
}
