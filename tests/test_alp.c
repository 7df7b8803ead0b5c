/*
 * test_alp.c - ALP, the float-to-integer kernel (format/alp.c, interface in
 * format/kernels.h, arithmetic in spec/FORMAT.md §4.6, [FMT-60..65]).
 *
 * Every round trip goes encode -> decode -> patch exceptions (the caller's
 * job, done here by patch64 / patch32) and compares bits, never values, so
 * -0.0 and NaN payloads count. The exception rule is checked against an
 * oracle written from the spec with llrint and plain conversions, not with
 * the library's arithmetic.
 */
#include "testutil.h"

#include "format/kernels.h"

#include <float.h>
#include <math.h>

static const size_t lengths[] = {0, 1, 1023, 1024, 1025};
#define N_LENGTHS (sizeof lengths / sizeof lengths[0])
#define MAX_N 1025

/* ---- bit helpers --------------------------------------------------------- */

static unsigned width_of(uint64_t v) {
  unsigned w = 0;
  while (v) {
    w++;
    v >>= 1;
  }
  return w;
}

/* ---- round trips --------------------------------------------------------- */

/* What a round trip learned about the integers. */
typedef struct rt_stats {
  size_t exc;      /* exceptions */
  unsigned width;  /* bit width of max - min over all ints (fillers too) */
} rt_stats;

/* The caller's half of ALP: put each exception back at its position. */
static void patch64(double *out, const uint32_t *pos, const double *val,
                    size_t k) {
  for (size_t t = 0; t < k; t++) out[pos[t]] = val[t];
}
static void patch32(float *out, const uint32_t *pos, const float *val,
                    size_t k) {
  for (size_t t = 0; t < k; t++) out[pos[t]] = val[t];
}

/* Encodes v[0..n) with p, checks the encoder's promises (positions strictly
 * ascending and in range, exception values bit-equal to the input, every
 * exception slot holding the first non-exception integer or 0), decodes,
 * patches and compares bits. */
static rt_stats round_trip64(const double *v, size_t n, dps_alp_params p,
                             const char *what) {
  int64_t *ints = malloc((n ? n : 1) * sizeof *ints);
  uint32_t *pos = malloc((n ? n : 1) * sizeof *pos);
  double *val = malloc((n ? n : 1) * sizeof *val);
  double *out = malloc((n ? n : 1) * sizeof *out);
  assert_non_null(ints);
  assert_non_null(pos);
  assert_non_null(val);
  assert_non_null(out);

  size_t k = dps__alp_encode64(v, n, p, ints, pos, val);
  assert_true(k <= n);
  bool *is_exc = calloc(n ? n : 1, 1);
  assert_non_null(is_exc);
  for (size_t t = 0; t < k; t++) {
    if (pos[t] >= n || (t > 0 && pos[t] <= pos[t - 1]))
      fail_msg("%s: exception %zu at position %u (n %zu, previous %u)", what,
               t, pos[t], n, t ? pos[t - 1] : 0);
    if (tu_f64_bits(val[t]) != tu_f64_bits(v[pos[t]]))
      fail_msg("%s: exception %zu holds %016llx, input %016llx", what, t,
               (unsigned long long)tu_f64_bits(val[t]),
               (unsigned long long)tu_f64_bits(v[pos[t]]));
    is_exc[pos[t]] = true;
  }
  size_t first = 0;
  while (first < n && is_exc[first]) first++;
  int64_t fill = first < n ? ints[first] : 0;
  int64_t lo = INT64_MAX, hi = INT64_MIN;
  for (size_t i = 0; i < n; i++) {
    if (is_exc[i] && ints[i] != fill)
      fail_msg("%s: exception slot %zu holds %lld, expected filler %lld",
               what, i, (long long)ints[i], (long long)fill);
    if (ints[i] < lo) lo = ints[i];
    if (ints[i] > hi) hi = ints[i];
  }

  for (size_t i = 0; i < n; i++) out[i] = tu_f64_of(UINT64_C(0x5555555555555555));
  assert_int_equal(dps__alp_decode64(ints, n, p, out), DPS_OK);
  patch64(out, pos, val, k);
  for (size_t i = 0; i < n; i++)
    if (tu_f64_bits(out[i]) != tu_f64_bits(v[i]))
      fail_msg("%s: e=%u f=%u value %zu: %016llx (%.17g) came back as "
               "%016llx (%.17g)%s",
               what, p.e, p.f, i, (unsigned long long)tu_f64_bits(v[i]), v[i],
               (unsigned long long)tu_f64_bits(out[i]), out[i],
               is_exc[i] ? " (exception)" : "");

  rt_stats s = {k, n ? width_of((uint64_t)hi - (uint64_t)lo) : 0};
  free(ints);
  free(pos);
  free(val);
  free(out);
  free(is_exc);
  return s;
}

static rt_stats round_trip32(const float *v, size_t n, dps_alp_params p,
                             const char *what) {
  int32_t *ints = malloc((n ? n : 1) * sizeof *ints);
  uint32_t *pos = malloc((n ? n : 1) * sizeof *pos);
  float *val = malloc((n ? n : 1) * sizeof *val);
  float *out = malloc((n ? n : 1) * sizeof *out);
  assert_non_null(ints);
  assert_non_null(pos);
  assert_non_null(val);
  assert_non_null(out);

  size_t k = dps__alp_encode32(v, n, p, ints, pos, val);
  assert_true(k <= n);
  bool *is_exc = calloc(n ? n : 1, 1);
  assert_non_null(is_exc);
  for (size_t t = 0; t < k; t++) {
    if (pos[t] >= n || (t > 0 && pos[t] <= pos[t - 1]))
      fail_msg("%s: exception %zu at position %u (n %zu, previous %u)", what,
               t, pos[t], n, t ? pos[t - 1] : 0);
    if (tu_f32_bits(val[t]) != tu_f32_bits(v[pos[t]]))
      fail_msg("%s: exception %zu holds %08x, input %08x", what, t,
               tu_f32_bits(val[t]), tu_f32_bits(v[pos[t]]));
    is_exc[pos[t]] = true;
  }
  size_t first = 0;
  while (first < n && is_exc[first]) first++;
  int32_t fill = first < n ? ints[first] : 0;
  int32_t lo = INT32_MAX, hi = INT32_MIN;
  for (size_t i = 0; i < n; i++) {
    if (is_exc[i] && ints[i] != fill)
      fail_msg("%s: exception slot %zu holds %d, expected filler %d", what,
               i, ints[i], fill);
    if (ints[i] < lo) lo = ints[i];
    if (ints[i] > hi) hi = ints[i];
  }

  for (size_t i = 0; i < n; i++) out[i] = tu_f32_of(0x55555555u);
  assert_int_equal(dps__alp_decode32(ints, n, p, out), DPS_OK);
  patch32(out, pos, val, k);
  for (size_t i = 0; i < n; i++)
    if (tu_f32_bits(out[i]) != tu_f32_bits(v[i]))
      fail_msg("%s: e=%u f=%u value %zu: %08x (%.9g) came back as %08x "
               "(%.9g)%s",
               what, p.e, p.f, i, tu_f32_bits(v[i]), (double)v[i], tu_f32_bits(out[i]),
               (double)out[i], is_exc[i] ? " (exception)" : "");

  rt_stats s = {k, n ? width_of((uint64_t)((int64_t)hi - (int64_t)lo)) : 0};
  free(ints);
  free(pos);
  free(val);
  free(out);
  free(is_exc);
  return s;
}

/* The size estimate the search minimises ([FMT-65]), over all n values:
 * width(max - min of the integers, fillers included: they lie inside) * n
 * + exceptions * (value bits + 32). */
static uint64_t size_under64(const double *v, size_t n, dps_alp_params p) {
  static int64_t ints[4096];
  static uint32_t pos[4096];
  static double val[4096];
  assert_true(n <= 4096);
  size_t k = dps__alp_encode64(v, n, p, ints, pos, val);
  int64_t lo = INT64_MAX, hi = INT64_MIN;
  for (size_t i = 0; i < n; i++) {
    if (ints[i] < lo) lo = ints[i];
    if (ints[i] > hi) hi = ints[i];
  }
  return (uint64_t)width_of((uint64_t)hi - (uint64_t)lo) * n + k * 96u;
}
static uint64_t size_under32(const float *v, size_t n, dps_alp_params p) {
  static int32_t ints[4096];
  static uint32_t pos[4096];
  static float val[4096];
  assert_true(n <= 4096);
  size_t k = dps__alp_encode32(v, n, p, ints, pos, val);
  int32_t lo = INT32_MAX, hi = INT32_MIN;
  for (size_t i = 0; i < n; i++) {
    if (ints[i] < lo) lo = ints[i];
    if (ints[i] > hi) hi = ints[i];
  }
  return (uint64_t)width_of((uint64_t)((int64_t)hi - (int64_t)lo)) * n +
         k * 64u;
}

/* The two-level search looks at 32 then 256 values; on a block of
 * decimal-like data its pick must stay within 35% of the best pair found by
 * trying all of them on every value (measured: 0.5% worse on average, 22%
 * at worst). Not asserted for data with rare outliers: one value that
 * encodes to a huge integer under some pairs widens their estimate by tens
 * of bits per value, and no sample is sure to contain it. */
#define SEARCH_SLACK_PERCENT 135u

static void check_search64(const double *v, size_t n, dps_alp_params p,
                           const char *what) {
  uint64_t got = size_under64(v, n, p), best = UINT64_MAX;
  dps_alp_params bp = p;
  for (uint8_t e = 0; e <= 18; e++)
    for (uint8_t f = 0; f <= e; f++) {
      dps_alp_params q = {e, f};
      uint64_t c = size_under64(v, n, q);
      if (c < best) best = c, bp = q;
    }
  if (got * 100 > best * SEARCH_SLACK_PERCENT)
    fail_msg("%s: chose e=%u f=%u, estimate %llu bits; e=%u f=%u gives %llu",
             what, p.e, p.f, (unsigned long long)got, bp.e, bp.f,
             (unsigned long long)best);
}
static void check_search32(const float *v, size_t n, dps_alp_params p,
                           const char *what) {
  uint64_t got = size_under32(v, n, p), best = UINT64_MAX;
  dps_alp_params bp = p;
  for (uint8_t e = 0; e <= 10; e++)
    for (uint8_t f = 0; f <= e; f++) {
      dps_alp_params q = {e, f};
      uint64_t c = size_under32(v, n, q);
      if (c < best) best = c, bp = q;
    }
  if (got * 100 > best * SEARCH_SLACK_PERCENT)
    fail_msg("%s: chose e=%u f=%u, estimate %llu bits; e=%u f=%u gives %llu",
             what, p.e, p.f, (unsigned long long)got, bp.e, bp.f,
             (unsigned long long)best);
}

/* Chooses parameters from the data itself, checks their ranges (and, when
 * `decimal` and the block is full, their quality) and round trips with
 * them. */
static rt_stats chosen_trip64(const double *v, size_t n, const char *what,
                              bool decimal) {
  dps_alp_params p = dps__alp_choose64(v, n);
  if (p.e > 18 || p.f > p.e)
    fail_msg("%s: chose e=%u f=%u, outside 0 <= f <= e <= 18", what, p.e,
             p.f);
  if (decimal && n >= 1000) check_search64(v, n, p, what);
  return round_trip64(v, n, p, what);
}
static rt_stats chosen_trip32(const float *v, size_t n, const char *what,
                              bool decimal) {
  dps_alp_params p = dps__alp_choose32(v, n);
  if (p.e > 10 || p.f > p.e)
    fail_msg("%s: chose e=%u f=%u, outside 0 <= f <= e <= 10", what, p.e,
             p.f);
  if (decimal && n >= 1000) check_search32(v, n, p, what);
  return round_trip32(v, n, p, what);
}

/* ---- data ---------------------------------------------------------------- */

/* Signed decimals k / 10^dec with |k| <= kmax: the double nearest to a
 * decimal string, as a parser would produce it (the division rounds once,
 * both operands exact). */
static void gen_decimals64(double *v, size_t n, unsigned dec, uint64_t kmax,
                           bool with_sign, tu_rng *r) {
  double scale = 1;
  for (unsigned i = 0; i < dec; i++) scale *= 10;
  for (size_t i = 0; i < n; i++) {
    double k = (double)tu_rng_below(r, kmax + 1);
    if (with_sign && (tu_rng_next(r) & 1)) k = -k;
    v[i] = k / scale;
  }
}
static void gen_decimals32(float *v, size_t n, unsigned dec, uint32_t kmax,
                           tu_rng *r) {
  float scale = 1;
  for (unsigned i = 0; i < dec; i++) scale *= 10;
  for (size_t i = 0; i < n; i++) {
    float k = (float)tu_rng_below(r, (uint64_t)kmax + 1);
    if (tu_rng_next(r) & 1) k = -k;
    v[i] = k / scale;
  }
}

/* Values that are exceptions or edge cases under every pair. */
static const uint64_t special64[] = {
    UINT64_C(0x0000000000000000), /* +0.0 */
    UINT64_C(0x8000000000000000), /* -0.0 */
    UINT64_C(0x7ff0000000000000), /* +Inf */
    UINT64_C(0xfff0000000000000), /* -Inf */
    UINT64_C(0x7ff8000000000000), /* quiet NaN */
    UINT64_C(0xfff8000000000000), /* negative quiet NaN */
    UINT64_C(0x7ff8000000000123), /* quiet NaN with payload */
    UINT64_C(0x7ff0000000000001), /* signalling NaN */
    UINT64_C(0x7ff4000000000000), /* signalling NaN, high payload bit */
    UINT64_C(0xfff7ffffffffffff), /* negative signalling NaN, all payload */
    UINT64_C(0x7fffffffffffffff), /* NaN, every bit set */
    UINT64_C(0x0000000000000001), /* smallest denormal */
    UINT64_C(0x800fffffffffffff), /* largest negative denormal */
    UINT64_C(0x0008000000000000), /* denormal */
    UINT64_C(0x0010000000000000), /* DBL_MIN */
    UINT64_C(0x7fefffffffffffff), /* DBL_MAX */
    UINT64_C(0xffefffffffffffff), /* -DBL_MAX */
    UINT64_C(0x3cb0000000000000), /* DBL_EPSILON */
    UINT64_C(0x43d0000000000000), /* 2^62: the range bound */
    UINT64_C(0x43cfffffffffffff), /* just below 2^62 */
    UINT64_C(0xc3d0000000000000), /* -2^62 */
    UINT64_C(0x43e0000000000000), /* 2^63 */
    UINT64_C(0xc3e0000000000000), /* -2^63 */
    UINT64_C(0x4340000000000001), /* 2^53 + 2 */
    UINT64_C(0x4330000000000001), /* 2^52 + 1 */
    UINT64_C(0x432fffffffffffff), /* 2^52 - 0.5: a tie */
    UINT64_C(0x3fe0000000000000), /* 0.5: a tie */
    UINT64_C(0xbff8000000000000), /* -1.5: a tie */
};
#define N_SPECIAL64 (sizeof special64 / sizeof special64[0])

static const uint32_t special32[] = {
    0x00000000u, 0x80000000u, /* +-0.0 */
    0x7f800000u, 0xff800000u, /* +-Inf */
    0x7fc00000u, 0xffc00000u, /* quiet NaNs */
    0x7fc00123u,              /* quiet NaN with payload */
    0x7f800001u, 0x7fa00000u, /* signalling NaNs */
    0xffbfffffu,              /* negative signalling NaN */
    0x7fffffffu,              /* NaN, every bit set */
    0x00000001u, 0x807fffffu, /* denormals */
    0x00800000u,              /* FLT_MIN */
    0x7f7fffffu, 0xff7fffffu, /* +-FLT_MAX */
    0x34000000u,              /* FLT_EPSILON */
    0x4e800000u, 0x4e7fffffu, /* 2^30, just below */
    0xce800000u,              /* -2^30 */
    0x4f000000u, 0xcf000000u, /* +-2^31 */
    0x4b800001u,              /* 2^24 + 2 */
    0x4b000001u,              /* 2^23 + 1 */
    0x3f000000u, 0xbfc00000u, /* 0.5, -1.5: ties */
};
#define N_SPECIAL32 (sizeof special32 / sizeof special32[0])

/* Decimals with specials and random bit patterns strewn in (~1 in 16). */
static void gen_mixed64(double *v, size_t n, tu_rng *r) {
  gen_decimals64(v, n, 2, 10000000, true, r);
  for (size_t i = 0; i < n; i++) {
    uint64_t c = tu_rng_below(r, 32);
    if (c == 0) v[i] = tu_f64_of(special64[tu_rng_below(r, N_SPECIAL64)]);
    if (c == 1) v[i] = tu_f64_of(tu_rng_next(r));
  }
}
static void gen_mixed32(float *v, size_t n, tu_rng *r) {
  gen_decimals32(v, n, 2, 1000000, r);
  for (size_t i = 0; i < n; i++) {
    uint64_t c = tu_rng_below(r, 32);
    if (c == 0) v[i] = tu_f32_of(special32[tu_rng_below(r, N_SPECIAL32)]);
    if (c == 1) v[i] = tu_f32_of((uint32_t)tu_rng_next(r));
  }
}

/* ---- double: data kinds -------------------------------------------------- */

/* [FMT-64] Decimal data with 0..4 digits after the point and up to 7
 * significant digits round-trips, and the chosen pair leaves few
 * exceptions: none expected for 0..2 digits (-0.0 aside), about 0.8% for
 * 3..4 (the error of 10^-e decides; see alp_rank64), asserted <= 2.5%. */
static void test_alp__decimal_doubles(void **state) {
  (void)state;
  static double v[MAX_N];
  tu_rng r;
  tu_rng_seed(&r, 11);
  for (int round = 0; round < 10; round++)
    for (unsigned dec = 0; dec <= 4; dec++)
      for (size_t li = 0; li < N_LENGTHS; li++) {
        size_t n = lengths[li];
        char what[64];
        snprintf(what, sizeof what, "%u decimals, n %zu", dec, n);
        gen_decimals64(v, n, dec, 1000000, true, &r);
        rt_stats s = chosen_trip64(v, n, what, true);
        size_t permille = dec <= 2 ? 2 : 25;
        if (s.exc * 1000 > n * permille)
          fail_msg("%s: %zu exceptions, expected at most %zu per mille", what,
                   s.exc, permille);
      }
}

/* A known limit, pinned so that a change in it is noticed: with one
 * decimal and 8 significant digits, n * 10^f stops being exact for the
 * accurate exponents and about 10% of the values become exceptions. Still
 * lossless, and the integers stay narrow. */
static void test_alp__eight_digit_tenths(void **state) {
  (void)state;
  static double v[1024];
  tu_rng r;
  tu_rng_seed(&r, 24);
  gen_decimals64(v, 1024, 1, 100000000, true, &r);
  rt_stats s = chosen_trip64(v, 1024, "8-digit tenths", true);
  assert_true(s.exc * 100 <= 1024 * 30);
  assert_true(s.width <= 29);
}

/* Prices 0.00 .. 100000.00: few exceptions, and the integers span at most
 * 24 bits (10^7 cents < 2^24), i.e. the search found e - f = 2. */
static void test_alp__prices_choose_narrow_ints(void **state) {
  (void)state;
  static double v[MAX_N];
  tu_rng r;
  tu_rng_seed(&r, 12);
  for (int round = 0; round < 20; round++)
    for (size_t li = 1; li < N_LENGTHS; li++) {
      size_t n = lengths[li];
      char what[64];
      snprintf(what, sizeof what, "prices round %d, n %zu", round, n);
      gen_decimals64(v, n, 2, 10000000, false, &r);
      rt_stats s = chosen_trip64(v, n, what, true);
      if (s.exc * 100 > n)
        fail_msg("%s: %zu exceptions, expected at most 1%%", what, s.exc);
      if (s.width > 24)
        fail_msg("%s: integers span %u bits, expected at most 24", what,
                 s.width);
    }
}

/* Whole numbers as doubles (up to 2^50): no exceptions at all. */
static void test_alp__integers_as_doubles(void **state) {
  (void)state;
  static double v[MAX_N];
  tu_rng r;
  tu_rng_seed(&r, 13);
  for (size_t li = 0; li < N_LENGTHS; li++) {
    size_t n = lengths[li];
    for (size_t i = 0; i < n; i++)
      v[i] = (double)((int64_t)tu_rng_below(&r, UINT64_C(1) << 51) -
                      (INT64_C(1) << 50));
    rt_stats s = chosen_trip64(v, n, "integers", true);
    assert_int_equal(s.exc, 0);
    assert_true(s.width <= 51);
  }
}

/* Decimals scaled to tiny and huge magnitudes (denormals, beyond the 2^62
 * bound, near DBL_MAX): lossless whatever the search picks. */
static void test_alp__extreme_magnitudes(void **state) {
  (void)state;
  static double v[MAX_N];
  tu_rng r;
  tu_rng_seed(&r, 14);
  static const double scales[] = {1e-300, 1e-30, 1e-10, 1e10, 1e17,
                                  1e19,   1e30,  1e300};
  for (size_t si = 0; si < sizeof scales / sizeof scales[0]; si++)
    for (size_t li = 0; li < N_LENGTHS; li++) {
      size_t n = lengths[li];
      char what[64];
      snprintf(what, sizeof what, "scale %g, n %zu", scales[si], n);
      gen_decimals64(v, n, 3, 1000000, true, &r);
      for (size_t i = 0; i < n; i++) v[i] *= scales[si];
      chosen_trip64(v, n, what, false);
    }
}

/* -0.0, +0.0, NaNs (quiet and signalling, with payloads), +-Inf, denormals,
 * DBL_MIN/MAX, the range bound and rounding ties, under every pair:
 * [FMT-64] -0.0, NaN and Inf are exceptions whatever the pair. */
static void test_alp__special_values_every_pair(void **state) {
  (void)state;
  double v[N_SPECIAL64];
  for (size_t i = 0; i < N_SPECIAL64; i++) v[i] = tu_f64_of(special64[i]);
  int64_t ints[N_SPECIAL64];
  uint32_t pos[N_SPECIAL64];
  double val[N_SPECIAL64];
  for (uint8_t e = 0; e <= 18; e++)
    for (uint8_t f = 0; f <= e; f++) {
      dps_alp_params p = {e, f};
      round_trip64(v, N_SPECIAL64, p, "specials");
      size_t k = dps__alp_encode64(v, N_SPECIAL64, p, ints, pos, val);
      bool is_exc[N_SPECIAL64] = {false};
      for (size_t t = 0; t < k; t++) is_exc[pos[t]] = true;
      for (size_t i = 0; i < N_SPECIAL64; i++) {
        bool must = isnan(v[i]) || isinf(v[i]) ||
                    special64[i] == UINT64_C(0x8000000000000000);
        if (must && !is_exc[i])
          fail_msg("e=%u f=%u: %016llx is not an exception", e, f,
                   (unsigned long long)special64[i]);
      }
      /* +0.0 always encodes (as 0). */
      assert_false(is_exc[0]);
    }
  /* And chosen, in blocks of every length. */
  static double w[MAX_N];
  for (size_t li = 0; li < N_LENGTHS; li++) {
    for (size_t i = 0; i < lengths[li]; i++) w[i] = v[i % N_SPECIAL64];
    chosen_trip64(w, lengths[li], "specials cycled", false);
  }
}

/* Random bit patterns: nearly all exceptions, still exact. */
static void test_alp__random_bits(void **state) {
  (void)state;
  static double v[MAX_N];
  tu_rng r;
  tu_rng_seed(&r, 15);
  for (size_t li = 0; li < N_LENGTHS; li++) {
    size_t n = lengths[li];
    for (size_t i = 0; i < n; i++) v[i] = tu_f64_of(tu_rng_next(&r));
    rt_stats s = chosen_trip64(v, n, "random bits", false);
    if (n >= 1000 && s.exc * 100 < n * 95)
      fail_msg("random bits, n %zu: only %zu exceptions", n, s.exc);
  }
}

/* Decimals with specials and random patterns strewn in. */
static void test_alp__mixed(void **state) {
  (void)state;
  static double v[MAX_N];
  tu_rng r;
  tu_rng_seed(&r, 16);
  for (int round = 0; round < 10; round++)
    for (size_t li = 0; li < N_LENGTHS; li++) {
      size_t n = lengths[li];
      gen_mixed64(v, n, &r);
      rt_stats s = chosen_trip64(v, n, "mixed", false);
      /* About 1 in 16 values are specials or random. Some of those encode
       * to huge integers under one pair and not under another, and under
       * the width * n estimate one such value in the 256-value sample
       * outweighs a few percent more exceptions: hence the loose bound. */
      if (n >= 1000 && s.exc * 100 > n * 25)
        fail_msg("mixed round %d, n %zu: %zu exceptions", round, n, s.exc);
    }
}

/* [FMT-64] Lossless under every valid pair, not only the chosen one. */
static void test_alp__every_pair_round_trips(void **state) {
  (void)state;
  static double v[MAX_N];
  tu_rng r;
  tu_rng_seed(&r, 17);
  gen_mixed64(v, 1025, &r);
  for (uint8_t e = 0; e <= 18; e++)
    for (uint8_t f = 0; f <= e; f++) {
      dps_alp_params p = {e, f};
      round_trip64(v, 1025, p, "every pair");
    }
}

/* ---- the exception rule against an oracle -------------------------------- */

/* The tables of [FMT-60], typed in from the spec. */
static const double oracle_p10[19] = {
    1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,
    1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18};
static const double oracle_n10[19] = {
    1e-0,  1e-1,  1e-2,  1e-3,  1e-4,  1e-5,  1e-6,  1e-7,  1e-8,  1e-9,
    1e-10, 1e-11, 1e-12, 1e-13, 1e-14, 1e-15, 1e-16, 1e-17, 1e-18};
/* [FMT-62] The decoder formula, with the compiler's own conversion. */
static double oracle_dec64(int64_t n, unsigned e, unsigned f) {
  double x = (double)n * oracle_p10[f];
  return x * oracle_n10[e];
}
/* float32 is scaled in binary64 and rounded to float once at the end. */
static float oracle_dec32(int32_t n, unsigned e, unsigned f) {
  double x = (double)n * oracle_p10[f];
  return (float)(x * oracle_n10[e]);
}

/* [FMT-63][FMT-64] The integers are round-half-even of the scaled
 * value (llrint here), and the exceptions exactly the values the formula
 * does not give back: an encoder wastes none it could have encoded. */
static void test_alp__exceptions_match_oracle(void **state) {
  (void)state;
  static double v[MAX_N];
  static int64_t ints[MAX_N];
  static uint32_t pos[MAX_N];
  static double val[MAX_N];
  static float vf[MAX_N];
  static int32_t intsf[MAX_N];
  static float valf[MAX_N];
  tu_rng r;
  tu_rng_seed(&r, 18);
  gen_mixed32(vf, MAX_N, &r);
  for (int set = 0; set < 2; set++) {
    if (set == 0) {
      gen_mixed64(v, MAX_N, &r);
    } else {
      /* Around the kernels' 2^51 and 2^52 seams and the 2^62 bound:
       * integers, halves (ties), quarters, both signs, mixed with small
       * decimals in the same blocks. */
      for (size_t i = 0; i < MAX_N; i++) {
        double m = (double)(tu_rng_next(&r) >> 11);  /* < 2^53, exact */
        double x = ldexp(m, (int)tu_rng_below(&r, 16) - 4);
        if (tu_rng_below(&r, 4) == 0)
          x = (double)tu_rng_below(&r, 10000) / 100;
        v[i] = tu_rng_next(&r) & 1 ? -x : x;
      }
    }
    for (unsigned e = 0; e <= 18; e++)
      for (unsigned f = 0; f <= e; f++) {
        dps_alp_params p = {(uint8_t)e, (uint8_t)f};
        size_t k = dps__alp_encode64(v, MAX_N, p, ints, pos, val);
        size_t t = 0;
        for (size_t i = 0; i < MAX_N; i++) {
          double x = v[i] * oracle_p10[e];
          x = x * oracle_n10[f];
          bool exc = !(fabs(x) < 0x1p62);
          if (!exc) {
            int64_t q = llrint(x);
            exc = tu_f64_bits(oracle_dec64(q, e, f)) != tu_f64_bits(v[i]);
            if (!exc && ints[i] != q)
              fail_msg("e=%u f=%u value %zu (%.17g): int %lld, oracle %lld", e,
                       f, i, v[i], (long long)ints[i], (long long)q);
          }
          bool got = t < k && pos[t] == i;
          if (got != exc)
            fail_msg("e=%u f=%u value %zu (%016llx): exception %d, oracle %d",
                     e, f, i, (unsigned long long)tu_f64_bits(v[i]), got, exc);
          t += got;
        }
        if (e > 10 || set > 0) continue;
        k = dps__alp_encode32(vf, MAX_N, p, intsf, pos, valf);
        t = 0;
        for (size_t i = 0; i < MAX_N; i++) {
          double x = (double)vf[i] * oracle_p10[e];
          x = x * oracle_n10[f];
          bool exc = !(fabs(x) < 0x1p30);
          if (!exc) {
            int32_t q = (int32_t)llrint(x);
            exc = tu_f32_bits(oracle_dec32(q, e, f)) != tu_f32_bits(vf[i]);
            if (!exc && intsf[i] != q)
              fail_msg("float e=%u f=%u value %zu (%.9g): int %d, oracle %d",
                       e, f, i, (double)vf[i], intsf[i], q);
          }
          bool got = t < k && pos[t] == i;
          if (got != exc)
            fail_msg("float e=%u f=%u value %zu (%08x): exception %d, "
                     "oracle %d", e, f, i, tu_f32_bits(vf[i]), got, exc);
          t += got;
        }
      }
  }
}

/* [FMT-60][FMT-62] The decoder converts any int64 as a correctly
 * rounded (double) would: the vectorised conversion is checked on edges and
 * random values, with the identity pair and with the largest. */
static void test_alp__decode_matches_formula(void **state) {
  (void)state;
  enum { N = 4096 };
  static int64_t ints[N];
  static double out[N];
  static int32_t intsf[N];
  static float outf[N];
  static const int64_t edges[] = {
      0, 1, -1, INT64_MAX, INT64_MIN, INT64_MIN + 1, INT64_MAX - 1,
      (INT64_C(1) << 53) + 1, -(INT64_C(1) << 53) - 1, (INT64_C(1) << 53) + 3,
      (INT64_C(1) << 48) - 1, INT64_C(1) << 48, -(INT64_C(1) << 48),
      (INT64_C(1) << 62) - 1, INT64_C(0x7ffffffffffffdff),
      INT64_C(0x7ffffffffffffc00), INT64_C(0x0020000000000001)};
  size_t ne = sizeof edges / sizeof edges[0];
  tu_rng r;
  tu_rng_seed(&r, 19);
  for (size_t i = 0; i < N; i++) {
    uint64_t x = tu_rng_next(&r);
    /* Random magnitudes, not only huge ones. */
    ints[i] = i < ne ? edges[i] : (int64_t)(x >> tu_rng_below(&r, 64));
    if (i >= ne && (tu_rng_next(&r) & 1)) ints[i] = -ints[i];
    intsf[i] = (int32_t)(uint32_t)(tu_rng_next(&r) >> tu_rng_below(&r, 64));
  }
  static const dps_alp_params ps[] = {{0, 0}, {18, 18}, {18, 0}, {7, 3}};
  for (size_t pi = 0; pi < sizeof ps / sizeof ps[0]; pi++) {
    dps_alp_params p = ps[pi];
    /* Odd lengths and offsets exercise the vector loop's tail. */
    for (size_t len = 0; len < 40; len++) {
      assert_int_equal(dps__alp_decode64(ints + len, len, p, out), DPS_OK);
      for (size_t i = 0; i < len; i++)
        assert_true(tu_f64_bits(out[i]) == tu_f64_bits(oracle_dec64(ints[len + i], p.e,
                                                          p.f)));
    }
    assert_int_equal(dps__alp_decode64(ints, N, p, out), DPS_OK);
    for (size_t i = 0; i < N; i++)
      if (tu_f64_bits(out[i]) != tu_f64_bits(oracle_dec64(ints[i], p.e, p.f)))
        fail_msg("e=%u f=%u: %lld decoded as %.17g, expected %.17g", p.e, p.f,
                 (long long)ints[i], out[i], oracle_dec64(ints[i], p.e, p.f));
    dps_alp_params pf = {(uint8_t)(p.e > 10 ? 10 : p.e),
                         (uint8_t)(p.f > 10 ? 10 : p.f)};
    assert_int_equal(dps__alp_decode32(intsf, N, pf, outf), DPS_OK);
    for (size_t i = 0; i < N; i++)
      assert_true(tu_f32_bits(outf[i]) == tu_f32_bits(oracle_dec32(intsf[i], pf.e,
                                                        pf.f)));
  }
}

/* [FMT-60] The library's tables, pinned by the bits the spec lists:
 * decoding n = 1 with f = 0 yields N[e] itself (1 * P[0] * N[e]), and with
 * f = e the product P[e] * N[e] of the exact power. */
static void test_alp__power_tables_pinned(void **state) {
  (void)state;
  static const uint64_t n10_bits[19] = {
      UINT64_C(0x3ff0000000000000), UINT64_C(0x3fb999999999999a),
      UINT64_C(0x3f847ae147ae147b), UINT64_C(0x3f50624dd2f1a9fc),
      UINT64_C(0x3f1a36e2eb1c432d), UINT64_C(0x3ee4f8b588e368f1),
      UINT64_C(0x3eb0c6f7a0b5ed8d), UINT64_C(0x3e7ad7f29abcaf48),
      UINT64_C(0x3e45798ee2308c3a), UINT64_C(0x3e112e0be826d695),
      UINT64_C(0x3ddb7cdfd9d7bdbb), UINT64_C(0x3da5fd7fe1796495),
      UINT64_C(0x3d719799812dea11), UINT64_C(0x3d3c25c268497682),
      UINT64_C(0x3d06849b86a12b9b), UINT64_C(0x3cd203af9ee75616),
      UINT64_C(0x3c9cd2b297d889bc), UINT64_C(0x3c670ef54646d497),
      UINT64_C(0x3c32725dd1d243ac)};
  const int64_t one = 1;
  double out;
  for (uint8_t e = 0; e <= 18; e++) {
    assert_true(tu_f64_bits(oracle_n10[e]) == n10_bits[e]);
    dps_alp_params p = {e, 0};
    assert_int_equal(dps__alp_decode64(&one, 1, p, &out), DPS_OK);
    if (tu_f64_bits(out) != n10_bits[e])
      fail_msg("N[%u] is %016llx, the spec says %016llx", e,
               (unsigned long long)tu_f64_bits(out),
               (unsigned long long)n10_bits[e]);
    dps_alp_params q = {e, e};
    double want = oracle_p10[e] * oracle_n10[e];
    assert_int_equal(dps__alp_decode64(&one, 1, q, &out), DPS_OK);
    assert_true(tu_f64_bits(out) == tu_f64_bits(want));
    assert_true(oracle_p10[e] == ldexp(1, e) * pow(5, e));
  }
}

/* ---- encoder details ----------------------------------------------------- */

/* [FMT-65] Exception slots repeat the first encodable value's integer;
 * with none, they hold 0. Positions ascend. */
static void test_alp__exception_filler(void **state) {
  (void)state;
  double v[6] = {NAN, -0.0, 12.5, INFINITY, 7.25, NAN};
  int64_t ints[6];
  uint32_t pos[6];
  double val[6];
  dps_alp_params p = {2, 0};
  size_t k = dps__alp_encode64(v, 6, p, ints, pos, val);
  assert_int_equal(k, 4);
  assert_int_equal(pos[0], 0);
  assert_int_equal(pos[1], 1);
  assert_int_equal(pos[2], 3);
  assert_int_equal(pos[3], 5);
  assert_int_equal(ints[2], 1250);
  assert_int_equal(ints[4], 725);
  assert_int_equal(ints[0], 1250);
  assert_int_equal(ints[1], 1250);
  assert_int_equal(ints[3], 1250);
  assert_int_equal(ints[5], 1250);

  double all[3] = {NAN, -0.0, INFINITY};
  for (size_t i = 0; i < 3; i++) ints[i] = 99;
  assert_int_equal(dps__alp_encode64(all, 3, p, ints, pos, val), 3);
  for (size_t i = 0; i < 3; i++) assert_int_equal(ints[i], 0);

  float vf[4] = {-0.0f, 3.5f, NAN, 1.25f};
  int32_t intsf[4];
  float valf[4];
  dps_alp_params pf = {2, 0};
  assert_int_equal(dps__alp_encode32(vf, 4, pf, intsf, pos, valf), 2);
  assert_int_equal(intsf[0], 350);
  assert_int_equal(intsf[1], 350);
  assert_int_equal(intsf[2], 350);
  assert_int_equal(intsf[3], 125);
}

/* The search returns a pair in range for any sample, empty included. */
static void test_alp__choose_in_range(void **state) {
  (void)state;
  static double v[4096];
  static float vf[4096];
  tu_rng r;
  tu_rng_seed(&r, 20);
  dps_alp_params p = dps__alp_choose64(NULL, 0);
  assert_true(p.e <= 18 && p.f <= p.e);
  p = dps__alp_choose32(NULL, 0);
  assert_true(p.e <= 10 && p.f <= p.e);
  for (int round = 0; round < 50; round++) {
    size_t n = (size_t)tu_rng_below(&r, 4097);
    for (size_t i = 0; i < n; i++) {
      v[i] = tu_f64_of(round % 2 ? tu_rng_next(&r)
                              : special64[tu_rng_below(&r, N_SPECIAL64)]);
      vf[i] = tu_f32_of(round % 2 ? (uint32_t)tu_rng_next(&r)
                               : special32[tu_rng_below(&r, N_SPECIAL32)]);
    }
    p = dps__alp_choose64(v, n);
    assert_true(p.e <= 18 && p.f <= p.e);
    p = dps__alp_choose32(vf, n);
    assert_true(p.e <= 10 && p.f <= p.e);
  }
  /* A sample larger than the search looks at: still decimals found. */
  gen_decimals64(v, 4096, 3, 1000000, true, &r);
  rt_stats s = chosen_trip64(v, 4096, "decimals n 4096", true);
  assert_true(s.exc * 100 <= 4096);
}

/* [FMT-61] Decoders reject e > 18 (float: 10) and f > e, and leave the
 * output alone. */
static void test_alp__decode_rejects_bad_params(void **state) {
  (void)state;
  int64_t ints[4] = {1, 2, 3, 4};
  int32_t intsf[4] = {1, 2, 3, 4};
  double out[4] = {-7, -7, -7, -7};
  float outf[4] = {-7, -7, -7, -7};
  static const dps_alp_params bad64[] = {{19, 0}, {19, 19}, {255, 3},
                                         {2, 3},  {0, 1},   {18, 19}};
  for (size_t i = 0; i < sizeof bad64 / sizeof bad64[0]; i++) {
    assert_int_equal(dps__alp_decode64(ints, 4, bad64[i], out), DPS_ECORRUPT);
    assert_int_equal(dps__alp_decode64(ints, 0, bad64[i], out), DPS_ECORRUPT);
  }
  static const dps_alp_params bad32[] = {{11, 0}, {11, 11}, {19, 0},
                                         {2, 3},  {10, 11}};
  for (size_t i = 0; i < sizeof bad32 / sizeof bad32[0]; i++)
    assert_int_equal(dps__alp_decode32(intsf, 4, bad32[i], outf),
                     DPS_ECORRUPT);
  for (size_t i = 0; i < 4; i++) {
    assert_true(out[i] == -7);
    assert_true(outf[i] == -7);
  }
  /* The limits themselves are valid. */
  dps_alp_params top64 = {18, 18}, top32 = {10, 10};
  assert_int_equal(dps__alp_decode64(ints, 4, top64, out), DPS_OK);
  assert_int_equal(dps__alp_decode32(intsf, 4, top32, outf), DPS_OK);
}

/* [FMT-65] On equal estimates the search prefers the exponent whose
 * 10^-e literal is most accurate (format/alp.c alp_rank64), re-derived here
 * with fma (fl(10^-e) * 10^e - 1, rounded once). With at most 32 values
 * the first level sees them all, so the choice must be exactly: least
 * estimate, then fewest exceptions, then least literal error. */
static void test_alp__tie_break_prefers_accurate_powers(void **state) {
  (void)state;
  double err[19];
  for (unsigned e = 0; e <= 18; e++)
    err[e] = fabs(fma(oracle_n10[e], oracle_p10[e], -1.0));
  static const double sets[][6] = {
      {1.2345, 6.789, 0.0001, 9.9999, 3.1416, 2.7183},
      {12.5, 0.1, 99.9, 3.3, 7.7, 1e3},
      {0.25, 0.5, 0.75, 1, 2, 3},
  };
  static int64_t ints[6];
  static uint32_t pos[6];
  static double val[6];
  for (size_t si = 0; si < sizeof sets / sizeof sets[0]; si++) {
    const double *v = sets[si];
    dps_alp_params p = dps__alp_choose64(v, 6);
    uint64_t got = size_under64(v, 6, p);
    size_t got_exc = dps__alp_encode64(v, 6, p, ints, pos, val);
    for (uint8_t e = 0; e <= 18; e++)
      for (uint8_t f = 0; f <= e; f++) {
        dps_alp_params q = {e, f};
        uint64_t c = size_under64(v, 6, q);
        size_t c_exc = dps__alp_encode64(v, 6, q, ints, pos, val);
        bool ok = got < c || (got == c && got_exc < c_exc) ||
                  (got == c && got_exc == c_exc && err[p.e] <= err[e]);
        if (!ok)
          fail_msg("set %zu: chose e=%u f=%u (%llu bits, %zu exceptions, "
                   "error %g) over e=%u f=%u (%llu, %zu, %g)",
                   si, p.e, p.f, (unsigned long long)got, got_exc, err[p.e],
                   e, f, (unsigned long long)c, c_exc, err[e]);
      }
  }
}

/* ---- every ISA variant against the scalar oracle ------------------------- */

/* Test hook of format/isa.c (not in kernels.h): forgets the cached ISA so
 * that the next dps__isa_active() reads DPSNAP_FORCE_ISA again. */
void dps__isa_reset_for_tests(void);

/* One ISA's view of a data set: everything the kernels produce. */
typedef struct isa_run {
  dps_alp_params chosen64, chosen32;  /* search results */
  size_t k64[4], k32[4];              /* exceptions per pair */
  int64_t ints64[4][MAX_N];           /* integers per pair */
  uint32_t pos64[4][MAX_N];           /* positions per pair */
  double out64[4][MAX_N];             /* decoded (unpatched) per pair */
  int32_t ints32[4][MAX_N];
  uint32_t pos32[4][MAX_N];
  float out32[4][MAX_N];
} isa_run;

static void run_isa(dps_isa isa, const double *v, const float *vf,
                    const int64_t *raw, isa_run *r) {
  setenv("DPSNAP_FORCE_ISA", dps__isa_name(isa), 1);
  dps__isa_reset_for_tests();
  assert_int_equal(dps__isa_active(), isa);
  static const dps_alp_params ps[4] = {{0, 0}, {2, 0}, {14, 12}, {10, 3}};
  static const dps_alp_params ps32[4] = {{0, 0}, {2, 0}, {6, 4}, {10, 3}};
  static double val[MAX_N];
  static float valf[MAX_N];
  r->chosen64 = dps__alp_choose64(v, MAX_N);
  r->chosen32 = dps__alp_choose32(vf, MAX_N);
  for (size_t i = 0; i < 4; i++) {
    r->k64[i] = dps__alp_encode64(v, MAX_N, ps[i], r->ints64[i], r->pos64[i],
                                  val);
    /* Decode the encoder's integers and, for the split conversion, raw
     * 64-bit patterns of every magnitude. */
    assert_int_equal(dps__alp_decode64(i == 3 ? raw : r->ints64[i], MAX_N,
                                       ps[i], r->out64[i]),
                     DPS_OK);
    r->k32[i] = dps__alp_encode32(vf, MAX_N, ps32[i], r->ints32[i],
                                  r->pos32[i], valf);
    assert_int_equal(dps__alp_decode32(r->ints32[i], MAX_N, ps32[i],
                                       r->out32[i]),
                     DPS_OK);
  }
}

/* The scalar variant is the oracle: the AVX2 and AVX-512 builds of the same
 * source must give identical integers, exceptions, decoded bits and
 * parameter choices, on data that takes every path (the 2^51..2^62 slow
 * path, NaN, out of range, tails). */
static void test_alp__every_isa_matches_scalar(void **state) {
  (void)state;
  static double v[MAX_N];
  static float vf[MAX_N];
  static int64_t raw[MAX_N];
  static isa_run want, got;
  tu_rng r;
  tu_rng_seed(&r, 25);
  gen_mixed64(v, MAX_N, &r);
  gen_mixed32(vf, MAX_N, &r);
  for (size_t i = 0; i < MAX_N; i += 7)
    v[i] = (double)(int64_t)(tu_rng_next(&r) >> (2 + tu_rng_below(&r, 20)));
  for (size_t i = 3; i < MAX_N; i += 11)  /* around 2^51..2^62, halves */
    v[i] = -ldexp((double)(tu_rng_next(&r) >> 11),
                  (int)tu_rng_below(&r, 16) - 4);
  for (size_t i = 0; i < MAX_N; i++)
    raw[i] = (int64_t)(tu_rng_next(&r) >> tu_rng_below(&r, 64));
  run_isa(DPS_ISA_SCALAR, v, vf, raw, &want);
  for (int isa = 1; isa < DPS_ISA_COUNT; isa++) {
    if (!dps__isa_supported((dps_isa)isa)) continue;
    run_isa((dps_isa)isa, v, vf, raw, &got);
    const char *name = dps__isa_name((dps_isa)isa);
    if (memcmp(&want.chosen64, &got.chosen64, sizeof got.chosen64) ||
        memcmp(&want.chosen32, &got.chosen32, sizeof got.chosen32))
      fail_msg("%s: search chose differently from scalar", name);
    for (size_t p = 0; p < 4; p++) {
      assert_int_equal(got.k64[p], want.k64[p]);
      assert_int_equal(got.k32[p], want.k32[p]);
      if (memcmp(got.ints64[p], want.ints64[p], sizeof got.ints64[p]) ||
          memcmp(got.pos64[p], want.pos64[p], got.k64[p] * 4) ||
          memcmp(got.out64[p], want.out64[p], sizeof got.out64[p]))
        fail_msg("%s: double pair %zu differs from scalar", name, p);
      if (memcmp(got.ints32[p], want.ints32[p], sizeof got.ints32[p]) ||
          memcmp(got.pos32[p], want.pos32[p], got.k32[p] * 4) ||
          memcmp(got.out32[p], want.out32[p], sizeof got.out32[p]))
        fail_msg("%s: float pair %zu differs from scalar", name, p);
    }
  }
  unsetenv("DPSNAP_FORCE_ISA");
  dps__isa_reset_for_tests();
}

/* ---- float32 ------------------------------------------------------------- */

static void test_alp__decimal_floats(void **state) {
  (void)state;
  static float v[MAX_N];
  tu_rng r;
  tu_rng_seed(&r, 21);
  for (unsigned dec = 0; dec <= 4; dec++)
    for (size_t li = 0; li < N_LENGTHS; li++) {
      size_t n = lengths[li];
      char what[64];
      snprintf(what, sizeof what, "float %u decimals, n %zu", dec, n);
      /* Six significant digits: every such decimal has its own float. */
      gen_decimals32(v, n, dec, 999999, &r);
      rt_stats s = chosen_trip32(v, n, what, true);
      if (s.exc * 100 > n)
        fail_msg("%s: %zu exceptions, expected at most 1%%", what, s.exc);
      if (s.width > 21)
        fail_msg("%s: integers span %u bits, expected at most 21", what,
                 s.width);
    }
}

static void test_alp__float_integers_and_extremes(void **state) {
  (void)state;
  static float v[MAX_N];
  tu_rng r;
  tu_rng_seed(&r, 22);
  for (size_t li = 0; li < N_LENGTHS; li++) {
    size_t n = lengths[li];
    for (size_t i = 0; i < n; i++)
      v[i] = (float)((int32_t)tu_rng_below(&r, UINT64_C(1) << 24) -
                     (INT32_C(1) << 23));
    rt_stats s = chosen_trip32(v, n, "float integers", true);
    assert_int_equal(s.exc, 0);
    static const float scales[] = {1e-38f, 1e-20f, 1e-5f, 1e5f, 1e9f, 1e20f};
    for (size_t si = 0; si < sizeof scales / sizeof scales[0]; si++) {
      gen_decimals32(v, n, 2, 99999, &r);
      for (size_t i = 0; i < n; i++) v[i] *= scales[si];
      chosen_trip32(v, n, "float scaled", false);
    }
  }
}

static void test_alp__float_special_values_every_pair(void **state) {
  (void)state;
  float v[N_SPECIAL32];
  for (size_t i = 0; i < N_SPECIAL32; i++) v[i] = tu_f32_of(special32[i]);
  int32_t ints[N_SPECIAL32];
  uint32_t pos[N_SPECIAL32];
  float val[N_SPECIAL32];
  for (uint8_t e = 0; e <= 10; e++)
    for (uint8_t f = 0; f <= e; f++) {
      dps_alp_params p = {e, f};
      round_trip32(v, N_SPECIAL32, p, "float specials");
      size_t k = dps__alp_encode32(v, N_SPECIAL32, p, ints, pos, val);
      bool is_exc[N_SPECIAL32] = {false};
      for (size_t t = 0; t < k; t++) is_exc[pos[t]] = true;
      for (size_t i = 0; i < N_SPECIAL32; i++) {
        bool must = isnan(v[i]) || isinf(v[i]) || special32[i] == 0x80000000u;
        if (must && !is_exc[i])
          fail_msg("float e=%u f=%u: %08x is not an exception", e, f,
                   special32[i]);
      }
      assert_false(is_exc[0]);
    }
  static float w[MAX_N];
  for (size_t li = 0; li < N_LENGTHS; li++) {
    for (size_t i = 0; i < lengths[li]; i++) w[i] = v[i % N_SPECIAL32];
    chosen_trip32(w, lengths[li], "float specials cycled", false);
  }
}

static void test_alp__float_random_bits_and_mixed(void **state) {
  (void)state;
  static float v[MAX_N];
  tu_rng r;
  tu_rng_seed(&r, 23);
  for (size_t li = 0; li < N_LENGTHS; li++) {
    size_t n = lengths[li];
    for (size_t i = 0; i < n; i++) v[i] = tu_f32_of((uint32_t)tu_rng_next(&r));
    rt_stats s = chosen_trip32(v, n, "float random bits", false);
    /* One value may happen to be encodable; a block may not. */
    if (n >= 1000 && s.exc * 100 < n * 90)
      fail_msg("float random bits, n %zu: only %zu exceptions", n, s.exc);
    gen_mixed32(v, n, &r);
    s = chosen_trip32(v, n, "float mixed", false);
    if (n >= 1000) assert_true(s.exc * 100 <= n * 15);
  }
  gen_mixed32(v, MAX_N, &r);
  for (uint8_t e = 0; e <= 10; e++)
    for (uint8_t f = 0; f <= e; f++) {
      dps_alp_params p = {e, f};
      round_trip32(v, MAX_N, p, "float every pair");
    }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_alp__decimal_doubles),
      cmocka_unit_test(test_alp__eight_digit_tenths),
      cmocka_unit_test(test_alp__prices_choose_narrow_ints),
      cmocka_unit_test(test_alp__integers_as_doubles),
      cmocka_unit_test(test_alp__extreme_magnitudes),
      cmocka_unit_test(test_alp__special_values_every_pair),
      cmocka_unit_test(test_alp__random_bits),
      cmocka_unit_test(test_alp__mixed),
      cmocka_unit_test(test_alp__every_pair_round_trips),
      cmocka_unit_test(test_alp__exceptions_match_oracle),
      cmocka_unit_test(test_alp__decode_matches_formula),
      cmocka_unit_test(test_alp__power_tables_pinned),
      cmocka_unit_test(test_alp__exception_filler),
      cmocka_unit_test(test_alp__choose_in_range),
      cmocka_unit_test(test_alp__decode_rejects_bad_params),
      cmocka_unit_test(test_alp__tie_break_prefers_accurate_powers),
      cmocka_unit_test(test_alp__every_isa_matches_scalar),
      cmocka_unit_test(test_alp__decimal_floats),
      cmocka_unit_test(test_alp__float_integers_and_extremes),
      cmocka_unit_test(test_alp__float_special_values_every_pair),
      cmocka_unit_test(test_alp__float_random_bits_and_mixed),
  };
  return TU_RUN(tests, NULL, NULL);
}
