/*
 * test_bitpack.c - interleaved bit packing and its ISA variants
 * (format/bitpack*.c, format/isa.c; spec/FORMAT.md §4.5, [FMT-56..59]).
 *
 * The layout is checked against a deliberately naive bit-by-bit packer
 * written here from the spec's words, never from the code under test, so
 * the packed bytes cannot drift. Every unpack variant the CPU runs is
 * compared with the scalar oracle for every T and every width 0..T, from
 * exact-size heap buffers (ASan sees any read or write outside them) at
 * addresses aligned to T/8 bytes only.
 */
#include "testutil.h"

#include "format/kernels.h"

#include <stdlib.h>

/* Internal test hook of format/isa.c: forget the cached ISA choice. */
void dps__isa_reset_for_tests(void);

static const unsigned kTs[] = {8, 16, 32, 64};

static uint64_t mask_w(unsigned w) {
  return w >= 64 ? UINT64_MAX : (UINT64_C(1) << w) - 1;
}

/* ---- the reference packer ([FMT-56], [FMT-57]) ------------------------- */

/* Bit by bit: value i is lane i mod L, number r = i div L; its bit j is bit
 * r*w + j of the lane's stream; stream bit p is bit p mod T of the lane's
 * word p div T, stored as word (p div T)*L + lane of the vector, each word
 * little-endian: bit q of a word is bit q mod 8 of its byte q div 8. */
static void naive_pack(unsigned t, const uint64_t *v, unsigned w,
                       uint8_t *bytes) {
  const unsigned lanes = 1024 / t;
  memset(bytes, 0, DPS_PACKED_BYTES(w));
  for (unsigned i = 0; i < 1024; i++) {
    const unsigned lane = i % lanes, r = i / lanes;
    for (unsigned j = 0; j < w; j++) {
      if (!((v[i] >> j) & 1)) continue;
      const unsigned p = r * w + j;
      const size_t word = (size_t)(p / t) * lanes + lane;
      const size_t bit = word * t + p % t;
      bytes[bit / 8] |= (uint8_t)(1u << (bit % 8));
    }
  }
}

/* ---- typed wrappers over uint64_t values --------------------------------- */

/* Heap buffer of exactly n bytes (n may be 0: a distinct, unreadable
 * allocation, so a kernel that touches it is caught by ASan). */
static void *xmalloc(size_t n) {
  void *p = malloc(n);
  if (p == NULL && n == 0) p = malloc(1);
  assert_non_null(p);
  return p;
}

/* Packs v (1024 values, truncated to T bits) into an exact-size new
 * buffer of DPS_PACKED_BYTES(w) bytes. */
static void *pack_new(unsigned t, const uint64_t *v, unsigned w) {
  void *in = xmalloc(1024 * (size_t)(t / 8));
  void *out = xmalloc(DPS_PACKED_BYTES(w));
  for (unsigned i = 0; i < 1024; i++) {
    switch (t) {
      case 8: ((uint8_t *)in)[i] = (uint8_t)v[i]; break;
      case 16: ((uint16_t *)in)[i] = (uint16_t)v[i]; break;
      case 32: ((uint32_t *)in)[i] = (uint32_t)v[i]; break;
      default: ((uint64_t *)in)[i] = v[i]; break;
    }
  }
  switch (t) {
    case 8: dps__pack8(in, w, out); break;
    case 16: dps__pack16(in, w, out); break;
    case 32: dps__pack32(in, w, out); break;
    default: dps__pack64(in, w, out); break;
  }
  free(in);
  return out;
}

/* Unpacks with `isa` (-1: the dispatched entry point) into an exact-size
 * output, widened into got[0..1024). */
static void unpack_to(unsigned t, int isa, const void *in, unsigned w,
                      uint64_t base, uint64_t *got) {
  void *out = xmalloc(1024 * (size_t)(t / 8));
  memset(out, 0xA5, 1024 * (size_t)(t / 8)); /* not what any case expects */
  const dps_isa i = (dps_isa)(isa < 0 ? 0 : isa);
  switch (t) {
    case 8:
      if (isa < 0) dps__unpack8(in, w, (uint8_t)base, out);
      else dps__unpack8_isa(i, in, w, (uint8_t)base, out);
      break;
    case 16:
      if (isa < 0) dps__unpack16(in, w, (uint16_t)base, out);
      else dps__unpack16_isa(i, in, w, (uint16_t)base, out);
      break;
    case 32:
      if (isa < 0) dps__unpack32(in, w, (uint32_t)base, out);
      else dps__unpack32_isa(i, in, w, (uint32_t)base, out);
      break;
    default:
      if (isa < 0) dps__unpack64(in, w, base, out);
      else dps__unpack64_isa(i, in, w, base, out);
      break;
  }
  for (unsigned k = 0; k < 1024; k++) {
    switch (t) {
      case 8: got[k] = ((uint8_t *)out)[k]; break;
      case 16: got[k] = ((uint16_t *)out)[k]; break;
      case 32: got[k] = ((uint32_t *)out)[k]; break;
      default: got[k] = ((uint64_t *)out)[k]; break;
    }
  }
  free(out);
}

/* Fails naming T, w, ISA, base and the first differing value. */
static void expect_values(const uint64_t *got, const uint64_t *want,
                          unsigned t, unsigned w, const char *isa,
                          uint64_t base) {
  for (unsigned i = 0; i < 1024; i++) {
    if (got[i] != want[i])
      fail_msg("T=%u w=%u isa=%s base=%#llx: value %u is %#llx, expected "
               "%#llx", t, w, isa, (unsigned long long)base, i,
               (unsigned long long)got[i], (unsigned long long)want[i]);
  }
}

/* 1024 random values of T bits; unless `clean`, bits above w are random too. */
static void random_values(tu_rng *rng, unsigned t, unsigned w, int clean,
                          uint64_t *v) {
  for (unsigned i = 0; i < 1024; i++) {
    uint64_t x = tu_rng_next(rng) & mask_w(t);
    v[i] = clean ? x & mask_w(w) : x;
  }
}

/* ---- round trips ----------------------------------------------------------- */

/* Every T, every width 0..T, every ISA the CPU runs and the dispatched
 * entry point: unpack(pack(v)) + base == (v mod 2^w) + base (mod 2^T), with
 * base 0 and a random base, and each variant equals the scalar oracle. */
static void test_bitpack__round_trip_every_width_and_isa(void **state) {
  (void)state;
  tu_rng rng;
  tu_rng_seed(&rng, 0xB17BAC);
  static uint64_t v[1024], want[1024], got[1024], oracle[1024];
  for (size_t ti = 0; ti < sizeof kTs / sizeof kTs[0]; ti++) {
    const unsigned t = kTs[ti];
    for (unsigned w = 0; w <= t; w++) {
      random_values(&rng, t, w, 1, v);
      void *packed = pack_new(t, v, w);
      const uint64_t bases[2] = {0, tu_rng_next(&rng) & mask_w(t)};
      for (int b = 0; b < 2; b++) {
        for (unsigned i = 0; i < 1024; i++)
          want[i] = (v[i] + bases[b]) & mask_w(t);
        unpack_to(t, DPS_ISA_SCALAR, packed, w, bases[b], oracle);
        expect_values(oracle, want, t, w, "scalar", bases[b]);
        for (int isa = 1; isa < DPS_ISA_COUNT; isa++) {
          if (!dps__isa_supported((dps_isa)isa)) continue;
          unpack_to(t, isa, packed, w, bases[b], got);
          expect_values(got, oracle, t, w, dps__isa_name((dps_isa)isa),
                        bases[b]);
        }
        unpack_to(t, -1, packed, w, bases[b], got);
        expect_values(got, oracle, t, w, "dispatched", bases[b]);
      }
      free(packed);
    }
  }
}

/* Edge values: all zeros, all ones at w bits, alternating extremes, a
 * single set bit walking through the vector; base UINT_MAX to wrap. */
static void test_bitpack__edge_values(void **state) {
  (void)state;
  static uint64_t v[1024], want[1024], got[1024];
  for (size_t ti = 0; ti < sizeof kTs / sizeof kTs[0]; ti++) {
    const unsigned t = kTs[ti];
    for (unsigned w = 0; w <= t; w++) {
      for (int pattern = 0; pattern < 4; pattern++) {
        for (unsigned i = 0; i < 1024; i++) {
          switch (pattern) {
            case 0: v[i] = 0; break;
            case 1: v[i] = mask_w(w); break;
            case 2: v[i] = (i & 1) ? mask_w(w) : 0; break;
            default: v[i] = (i % (w ? w : 1)) == 0 ? 1 & mask_w(w) : 0; break;
          }
        }
        void *packed = pack_new(t, v, w);
        const uint64_t base = mask_w(t); /* adding it subtracts 1, wrapping */
        for (unsigned i = 0; i < 1024; i++) want[i] = (v[i] + base) & mask_w(t);
        for (int isa = 0; isa < DPS_ISA_COUNT; isa++) {
          if (!dps__isa_supported((dps_isa)isa)) continue;
          unpack_to(t, isa, packed, w, base, got);
          expect_values(got, want, t, w, dps__isa_name((dps_isa)isa), base);
        }
        free(packed);
      }
    }
  }
}

/* kernels.h: in and out are aligned to T/8 bytes only; no variant may
 * assume more (e.g. 64-byte vector alignment). */
static void test_bitpack__unaligned_to_vectors(void **state) {
  (void)state;
  tu_rng rng;
  tu_rng_seed(&rng, 7);
  static uint64_t v[1024], want[1024];
  for (size_t ti = 0; ti < sizeof kTs / sizeof kTs[0]; ti++) {
    const unsigned t = kTs[ti], tb = t / 8;
    const unsigned w = t / 2 + 3 > t ? t : t / 2 + 3; /* straddles words */
    random_values(&rng, t, w, 1, v);
    void *packed = pack_new(t, v, w);
    /* T/8-aligned but never 16-aligned copies of input and output */
    uint8_t *raw_in = xmalloc(DPS_PACKED_BYTES(w) + 64);
    uint8_t *raw_out = xmalloc(1024 * (size_t)tb + 64);
    uint8_t *in = raw_in + (tb == 8 ? 8 : tb);
    uint8_t *out = raw_out + (tb == 8 ? 24 : 3 * tb);
    memcpy(in, packed, DPS_PACKED_BYTES(w));
    for (unsigned i = 0; i < 1024; i++) want[i] = (v[i] + 5) & mask_w(t);
    for (int isa = 0; isa < DPS_ISA_COUNT; isa++) {
      if (!dps__isa_supported((dps_isa)isa)) continue;
      const dps_isa which = (dps_isa)isa;
      switch (t) {
        case 8: dps__unpack8_isa(which, in, w, 5, out); break;
        case 16:
          dps__unpack16_isa(which, (const uint16_t *)(void *)in, w, 5,
                            (uint16_t *)(void *)out);
          break;
        case 32:
          dps__unpack32_isa(which, (const uint32_t *)(void *)in, w, 5,
                            (uint32_t *)(void *)out);
          break;
        default:
          dps__unpack64_isa(which, (const uint64_t *)(void *)in, w, 5,
                            (uint64_t *)(void *)out);
          break;
      }
      for (unsigned i = 0; i < 1024; i++) {
        uint64_t got;
        switch (t) {
          case 8: got = out[i]; break;
          case 16: got = ((uint16_t *)(void *)out)[i]; break;
          case 32: got = ((uint32_t *)(void *)out)[i]; break;
          default: got = ((uint64_t *)(void *)out)[i]; break;
        }
        if (got != want[i])
          fail_msg("T=%u w=%u isa=%s unaligned: value %u is %#llx, expected "
                   "%#llx", t, w, dps__isa_name(which), i,
                   (unsigned long long)got, (unsigned long long)want[i]);
      }
    }
    free(raw_in);
    free(raw_out);
    free(packed);
  }
}

/* ---- the layout ([FMT-56], [FMT-57]) -------------------------------------- */

/* pack gives exactly the naive reference's bytes, for every T and w. */
static void test_bitpack__layout_matches_naive_reference(void **state) {
  (void)state;
  tu_rng rng;
  tu_rng_seed(&rng, 0x1A9047);
  static uint64_t v[1024];
  static uint8_t want[8 * 1024];
  for (size_t ti = 0; ti < sizeof kTs / sizeof kTs[0]; ti++) {
    const unsigned t = kTs[ti];
    for (unsigned w = 0; w <= t; w++) {
      random_values(&rng, t, w, 1, v);
      naive_pack(t, v, w, want);
      uint8_t *got = pack_new(t, v, w);
      for (size_t k = 0; k < DPS_PACKED_BYTES(w); k++) {
        if (got[k] != want[k])
          fail_msg("T=%u w=%u: packed byte %zu is %#04x, expected %#04x", t,
                   w, k, got[k], want[k]);
      }
      free(got);
    }
  }
}

/* Two vectors worked out by hand from the spec's words. */
static void test_bitpack__layout_by_hand(void **state) {
  (void)state;
  static uint64_t v[1024];
  /* T = 32, w = 1: value 33 is lane 1, number 1: bit 1 of word 0 of lane
   * 1, which is word index 0*32 + 1 = bytes 4..7 -> byte 4 = 0x02. */
  memset(v, 0, sizeof v);
  v[33] = 1;
  uint8_t *p = pack_new(32, v, 1);
  for (size_t k = 0; k < DPS_PACKED_BYTES(1); k++)
    assert_int_equal(p[k], k == 4 ? 0x02 : 0x00);
  free(p);
  /* T = 8, w = 5: value 131 = 0x1F is lane 3, number 1: stream bits 5..9
   * of lane 3: bits 5..7 of word 0 (byte 3) -> 0xE0 and bits 0..1 of
   * word 1 (byte 1*128 + 3 = 131) -> 0x03. */
  memset(v, 0, sizeof v);
  v[131] = 0x1F;
  p = pack_new(8, v, 5);
  for (size_t k = 0; k < DPS_PACKED_BYTES(5); k++)
    assert_int_equal(p[k], k == 3 ? 0xE0 : k == 131 ? 0x03 : 0x00);
  free(p);
  /* T = 64, w = 64: word k of lane l is value k*L + l itself: packing at
   * full width is the identity, each value as 8 little-endian bytes. */
  for (unsigned i = 0; i < 1024; i++)
    v[i] = UINT64_C(0x0102030405060708) * (i + 1);
  p = pack_new(64, v, 64);
  for (unsigned i = 0; i < 1024; i++)
    for (unsigned b = 0; b < 8; b++)
      assert_int_equal(p[8 * i + b], (uint8_t)(v[i] >> (8 * b)));
  free(p);
}

/* kernels.h: bits of `in` above w are ignored by pack ([FMT-58]: a writer
 * never sets bits above b). */
static void test_bitpack__pack_masks_bits_above_width(void **state) {
  (void)state;
  tu_rng rng;
  tu_rng_seed(&rng, 99);
  static uint64_t dirty[1024], clean[1024], got[1024];
  for (size_t ti = 0; ti < sizeof kTs / sizeof kTs[0]; ti++) {
    const unsigned t = kTs[ti];
    for (unsigned w = 0; w < t; w++) {
      random_values(&rng, t, w, 0, dirty);
      for (unsigned i = 0; i < 1024; i++) {
        dirty[i] |= mask_w(t) & ~mask_w(w); /* every bit above w set */
        clean[i] = dirty[i] & mask_w(w);
      }
      uint8_t *a = pack_new(t, dirty, w), *b = pack_new(t, clean, w);
      if (w > 0 && memcmp(a, b, DPS_PACKED_BYTES(w)) != 0)
        fail_msg("T=%u w=%u: high bits leaked into the packed bytes", t, w);
      unpack_to(t, DPS_ISA_SCALAR, a, w, 0, got);
      expect_values(got, clean, t, w, "scalar", 0);
      free(a);
      free(b);
    }
  }
}

/* w = 0 stores nothing and decodes to base everywhere; w = T stores the
 * values unchanged; pack writes exactly DPS_PACKED_BYTES(w) bytes. */
static void test_bitpack__zero_and_full_width(void **state) {
  (void)state;
  tu_rng rng;
  tu_rng_seed(&rng, 3);
  static uint64_t v[1024], got[1024], want[1024];
  for (size_t ti = 0; ti < sizeof kTs / sizeof kTs[0]; ti++) {
    const unsigned t = kTs[ti];
    const uint64_t base = tu_rng_next(&rng) & mask_w(t);
    random_values(&rng, t, t, 1, v);
    void *empty = pack_new(t, v, 0); /* malloc(0): any access is caught */
    for (int isa = 0; isa < DPS_ISA_COUNT; isa++) {
      if (!dps__isa_supported((dps_isa)isa)) continue;
      unpack_to(t, isa, empty, 0, base, got);
      for (unsigned i = 0; i < 1024; i++) want[i] = base;
      expect_values(got, want, t, 0, dps__isa_name((dps_isa)isa), base);
    }
    free(empty);
    uint8_t *full = pack_new(t, v, t);
    for (unsigned i = 0; i < 1024; i++)
      for (unsigned b = 0; b < t / 8; b++)
        assert_int_equal(full[i * (t / 8) + b], (uint8_t)(v[i] >> (8 * b)));
    free(full);
  }
  /* Guard bytes around pack's output stay untouched. */
  for (size_t ti = 0; ti < sizeof kTs / sizeof kTs[0]; ti++) {
    const unsigned t = kTs[ti];
    for (unsigned w = 0; w <= t; w++) {
      static _Alignas(64) uint8_t buf[8 * 1024 + 128];
      static _Alignas(64) uint64_t in64[1024];
      memset(buf, 0xCC, sizeof buf);
      for (unsigned i = 0; i < 1024; i++) in64[i] = tu_rng_next(&rng);
      uint8_t *out = buf + 64;
      switch (t) { /* the low bytes of each u64 as narrower values */
        case 8: {
          uint8_t in[1024];
          for (unsigned i = 0; i < 1024; i++) in[i] = (uint8_t)in64[i];
          dps__pack8(in, w, out);
          break;
        }
        case 16: {
          uint16_t in[1024];
          for (unsigned i = 0; i < 1024; i++) in[i] = (uint16_t)in64[i];
          dps__pack16(in, w, (uint16_t *)(void *)out);
          break;
        }
        case 32: {
          uint32_t in[1024];
          for (unsigned i = 0; i < 1024; i++) in[i] = (uint32_t)in64[i];
          dps__pack32(in, w, (uint32_t *)(void *)out);
          break;
        }
        default: dps__pack64(in64, w, (uint64_t *)(void *)out); break;
      }
      for (size_t k = 0; k < 64; k++) assert_int_equal(buf[k], 0xCC);
      for (size_t k = 64 + DPS_PACKED_BYTES(w); k < sizeof buf; k++)
        if (buf[k] != 0xCC)
          fail_msg("T=%u w=%u: pack wrote byte %zu past its %zu bytes", t, w,
                   k - 64, DPS_PACKED_BYTES(w));
    }
  }
}

/* A width above T is a caller bug; the kernels still stay in bounds:
 * unpack reads nothing and writes base, pack writes nothing. */
static void test_bitpack__width_above_t_stays_in_bounds(void **state) {
  (void)state;
  static uint64_t got[1024], want[1024], v[1024];
  for (size_t ti = 0; ti < sizeof kTs / sizeof kTs[0]; ti++) {
    const unsigned t = kTs[ti];
    void *nothing = xmalloc(0);
    for (unsigned i = 0; i < 1024; i++) want[i] = 7;
    for (int isa = -1; isa < DPS_ISA_COUNT; isa++) {
      if (isa >= 0 && !dps__isa_supported((dps_isa)isa)) continue;
      unpack_to(t, isa, nothing, t + 1, 7, got);
      expect_values(got, want, t, t + 1, isa < 0 ? "dispatched" :
                    dps__isa_name((dps_isa)isa), 7);
    }
    memset(v, 0xFF, sizeof v);
    void *p = pack_new(t, v, 0); /* a 0-byte output ... */
    switch (t) {                 /* ... that a too-wide pack leaves alone */
      case 8: dps__pack8((const uint8_t *)(const void *)v, 9, p); break;
      case 16: dps__pack16((const uint16_t *)(const void *)v, 17, p); break;
      case 32: dps__pack32((const uint32_t *)(const void *)v, 33, p); break;
      default: dps__pack64(v, 65, p); break;
    }
    free(p);
    free(nothing);
  }
}

/* ---- dps__bit_width ------------------------------------------------------- */

static void test_bitpack__bit_width(void **state) {
  (void)state;
  assert_int_equal(dps__bit_width(0), 0);
  assert_int_equal(dps__bit_width(1), 1);
  for (unsigned k = 1; k < 64; k++) {
    const uint64_t p = UINT64_C(1) << k;
    assert_int_equal(dps__bit_width(p - 1), k);
    assert_int_equal(dps__bit_width(p), k + 1);
    assert_int_equal(dps__bit_width(p + 1), k + 1);
  }
  assert_int_equal(dps__bit_width(UINT64_MAX), 64);
  assert_int_equal(dps__bit_width(UINT64_C(1) << 63), 64);
}

/* ---- ISA choice ([FMT-59]) ------------------------------------------------ */

/* Names, support and the active choice agree with each other and, on
 * x86-64 with GCC or clang, with the compiler's own CPU detection. */
static void test_bitpack__isa_consistency(void **state) {
  (void)state;
  assert_string_equal(dps__isa_name(DPS_ISA_SCALAR), "scalar");
  assert_string_equal(dps__isa_name(DPS_ISA_AVX2), "avx2");
  assert_string_equal(dps__isa_name(DPS_ISA_AVX512), "avx512");
  assert_true(dps__isa_supported(DPS_ISA_SCALAR));
  assert_false(dps__isa_supported(DPS_ISA_COUNT));
  assert_false(dps__isa_supported((dps_isa)-1));
  /* the AVX-512 variant may use AVX2 instructions too */
  if (dps__isa_supported(DPS_ISA_AVX512))
    assert_true(dps__isa_supported(DPS_ISA_AVX2));
  const dps_isa a = dps__isa_active();
  assert_true((unsigned)a < DPS_ISA_COUNT);
  assert_true(dps__isa_supported(a));
  assert_int_equal(dps__isa_active(), a); /* chosen once */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(DPS_NO_SIMD)
  /* libgcc / compiler-rt check cpuid and the OS's XCR0 too */
  __builtin_cpu_init();
  assert_int_equal(dps__isa_supported(DPS_ISA_AVX2),
                   __builtin_cpu_supports("avx2") != 0);
  assert_int_equal(dps__isa_supported(DPS_ISA_AVX512),
                   __builtin_cpu_supports("avx512f") &&
                       __builtin_cpu_supports("avx512bw") &&
                       __builtin_cpu_supports("avx512vl") &&
                       __builtin_cpu_supports("avx512dq") &&
                       __builtin_cpu_supports("avx2"));
#else
  assert_false(dps__isa_supported(DPS_ISA_AVX2));
  assert_false(dps__isa_supported(DPS_ISA_AVX512));
#endif
  print_message("ISAs: active %s; supported:%s%s%s\n", dps__isa_name(a),
                " scalar", dps__isa_supported(DPS_ISA_AVX2) ? " avx2" : "",
                dps__isa_supported(DPS_ISA_AVX512) ? " avx512" : "");
}

static dps_isa best_supported(void) {
  for (int i = DPS_ISA_COUNT - 1; i > 0; i--)
    if (dps__isa_supported((dps_isa)i)) return (dps_isa)i;
  return DPS_ISA_SCALAR;
}

/* DPSNAP_FORCE_ISA picks a supported ISA; unsupported or unknown names
 * fall back to the best supported one; and the dispatched unpack follows
 * the choice. Restores the environment's choice afterwards. */
static void test_bitpack__force_isa(void **state) {
  (void)state;
  const char *saved = getenv("DPSNAP_FORCE_ISA");
  char *saved_copy = saved ? strdup(saved) : NULL;
  static const struct {
    const char *value;
    int want; /* dps_isa, or -1: the best supported */
  } cases[] = {
      {"scalar", DPS_ISA_SCALAR}, {"avx2", DPS_ISA_AVX2},
      {"avx512", DPS_ISA_AVX512}, {"AVX2", -1},
      {"neon", -1},               {"", -1},
      {NULL, -1},
  };
  tu_rng rng;
  tu_rng_seed(&rng, 11);
  static uint64_t v[1024], got[1024], oracle[1024];
  random_values(&rng, 32, 13, 1, v);
  void *packed = pack_new(32, v, 13);
  unpack_to(32, DPS_ISA_SCALAR, packed, 13, 42, oracle);
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    if (cases[c].value) setenv("DPSNAP_FORCE_ISA", cases[c].value, 1);
    else unsetenv("DPSNAP_FORCE_ISA");
    dps__isa_reset_for_tests();
    dps_isa want = cases[c].want >= 0 &&
                           dps__isa_supported((dps_isa)cases[c].want)
                       ? (dps_isa)cases[c].want
                       : best_supported();
    dps_isa got_isa = dps__isa_active();
    if (got_isa != want)
      fail_msg("DPSNAP_FORCE_ISA=%s: active %s, expected %s",
               cases[c].value ? cases[c].value : "(unset)",
               dps__isa_name(got_isa), dps__isa_name(want));
    unpack_to(32, -1, packed, 13, 42, got);
    expect_values(got, oracle, 32, 13, dps__isa_name(got_isa), 42);
  }
  free(packed);
  if (saved_copy) setenv("DPSNAP_FORCE_ISA", saved_copy, 1);
  else unsetenv("DPSNAP_FORCE_ISA");
  free(saved_copy);
  dps__isa_reset_for_tests();
}

/* An explicit ISA the CPU lacks runs the scalar variant, never faults. */
static void test_bitpack__unsupported_isa_runs_scalar(void **state) {
  (void)state;
  static uint64_t v[1024], got[1024], oracle[1024];
  tu_rng rng;
  tu_rng_seed(&rng, 5);
  random_values(&rng, 64, 37, 1, v);
  void *packed = pack_new(64, v, 37);
  unpack_to(64, DPS_ISA_SCALAR, packed, 37, 1, oracle);
  for (int isa = 0; isa < DPS_ISA_COUNT; isa++) {
    if (dps__isa_supported((dps_isa)isa)) continue;
    unpack_to(64, isa, packed, 37, 1, got);
    expect_values(got, oracle, 64, 37, dps__isa_name((dps_isa)isa), 1);
  }
  free(packed);
}

/* The largest-code reduction that checks dictionary codes: every ISA
 * equals a plain loop, at every length (tails included) and wherever the
 * maximum sits, with 0 for no values and UINT32_MAX as a value. */
static void test_bitpack__max_u32_every_isa(void **state) {
  (void)state;
  static uint32_t v[300];
  tu_rng rng;
  tu_rng_seed(&rng, 11);
  for (size_t n = 0; n <= 300; n += n < 40 ? 1 : 37) {
    for (int trial = 0; trial < 4; trial++) {
      for (size_t i = 0; i < n; i++) v[i] = (uint32_t)(tu_rng_next(&rng) % 1000);
      if (n > 0 && trial == 1) v[n - 1] = 5000;  /* the last, in the tail */
      if (n > 0 && trial == 2) v[0] = UINT32_MAX;
      if (trial == 3) memset(v, 0, n * sizeof *v);
      uint32_t want = 0;
      for (size_t i = 0; i < n; i++) want = v[i] > want ? v[i] : want;
      for (int isa = -1; isa < DPS_ISA_COUNT; isa++) {
        if (isa >= 0 && !dps__isa_supported((dps_isa)isa)) continue;
        uint32_t got = isa < 0 ? dps__max_u32(v, n)
                               : dps__max_u32_isa((dps_isa)isa, v, n);
        if (got != want)
          fail_msg("n=%zu trial=%d isa=%d: max %u, expected %u", n, trial,
                   isa, got, want);
      }
    }
  }
}

/* ---- narrowing unpack (dps__unpack_narrow, kernels.h) --------------------- */

/* The (T, O) pairs kernels.h promises. */
static const struct {
  unsigned t, o;
} kNarrow[] = {{16, 8}, {32, 8}, {32, 16}, {64, 16}, {64, 32}};

/* O-bit value k of a narrowing unpack's output. */
static uint64_t narrow_at(const void *out, unsigned o, unsigned k) {
  switch (o) {
    case 8: return ((const uint8_t *)out)[k];
    case 16: return ((const uint16_t *)out)[k];
    default: return ((const uint32_t *)out)[k];
  }
}

/* Fails naming T, O, w, ISA (and how the data was made) and the first
 * value of out that differs from want. */
static void expect_narrow(const void *out, const uint64_t *want, unsigned t,
                          unsigned o, unsigned w, const char *isa,
                          const char *what) {
  for (unsigned k = 0; k < 1024; k++) {
    uint64_t got = narrow_at(out, o, k);
    if (got != want[k])
      fail_msg("narrow T=%u O=%u w=%u isa=%s (%s): value %u is %#llx, "
               "expected %#llx", t, o, w, isa, what, k,
               (unsigned long long)got, (unsigned long long)want[k]);
  }
}

/* One narrowing unpack of `packed` (T-bit words at width w) into a fresh
 * exact-size O-bit output (isa -1: the dispatched entry point), which must
 * return true and give exactly want[]. With `shifted`, input and output
 * sit at addresses aligned to their word size only. */
static void check_narrow(unsigned t, unsigned o, const void *packed,
                         unsigned w, int isa, int shifted,
                         const uint64_t *want, const char *what) {
  const size_t in_bytes = DPS_PACKED_BYTES(w), out_bytes = 1024 * (size_t)(o / 8);
  const size_t in_pad = shifted ? t / 8 : 0, out_pad = shifted ? o / 8 : 0;
  uint8_t *raw_in = NULL;
  const void *in = packed;
  if (shifted) {
    raw_in = xmalloc(in_bytes + in_pad);
    if (in_bytes) memcpy(raw_in + in_pad, packed, in_bytes);
    in = raw_in + in_pad;
  }
  uint8_t *raw_out = xmalloc(out_bytes + out_pad);
  void *out = raw_out + out_pad;
  memset(out, 0xA5, out_bytes); /* not what any case expects everywhere */
  const char *name = isa < 0 ? "dispatched" : dps__isa_name((dps_isa)isa);
  bool ok = isa < 0 ? dps__unpack_narrow(t, o, in, w, out)
                    : dps__unpack_narrow_isa((dps_isa)isa, t, o, in, w, out);
  if (!ok)
    fail_msg("narrow T=%u O=%u w=%u isa=%s (%s): returned false for a "
             "supported case", t, o, w, name, what);
  char label[96];
  snprintf(label, sizeof label, "%s%s", what, shifted ? ", unaligned" : "");
  expect_narrow(out, want, t, o, w, name, label);
  free(raw_out);
  free(raw_in);
}

/* Every supported (T, O), every width 0..O, random values (with and
 * without bits above w), all ones at w and alternating extremes: every
 * ISA the CPU runs and the dispatched entry point give the values packed,
 * truncated to O bits, as the scalar full-width unpack (base 0) gives
 * them. Unsupported T, O or w > O return false and leave out alone. */
static void test_bitpack__narrow_unpack_every_isa(void **state) {
  (void)state;
  tu_rng rng;
  tu_rng_seed(&rng, 0x9A770);
  static uint64_t v[1024], oracle[1024], want[1024];
  static const char *const patterns[] = {"random", "random, bits above w",
                                         "all ones at w", "alternating"};
  for (size_t pi = 0; pi < sizeof kNarrow / sizeof kNarrow[0]; pi++) {
    const unsigned t = kNarrow[pi].t, o = kNarrow[pi].o;
    for (unsigned w = 0; w <= o; w++) {
      for (int pattern = 0; pattern < 4; pattern++) {
        switch (pattern) {
          case 0: random_values(&rng, t, w, 1, v); break;
          case 1: random_values(&rng, t, w, 0, v); break;
          case 2:
            for (unsigned i = 0; i < 1024; i++) v[i] = mask_w(w);
            break;
          default:
            for (unsigned i = 0; i < 1024; i++) v[i] = (i & 1) ? mask_w(t) : 0;
            break;
        }
        void *packed = pack_new(t, v, w);
        unpack_to(t, DPS_ISA_SCALAR, packed, w, 0, oracle);
        for (unsigned i = 0; i < 1024; i++) {
          want[i] = oracle[i] & mask_w(o);
          /* The oracle itself: w <= O, so nothing is lost. */
          if (want[i] != (v[i] & mask_w(w)))
            fail_msg("narrow T=%u O=%u w=%u (%s): scalar oracle value %u is "
                     "%#llx, expected %#llx", t, o, w, patterns[pattern], i,
                     (unsigned long long)want[i],
                     (unsigned long long)(v[i] & mask_w(w)));
        }
        for (int isa = 0; isa < DPS_ISA_COUNT; isa++) {
          if (!dps__isa_supported((dps_isa)isa)) continue;
          check_narrow(t, o, packed, w, isa, 0, want, patterns[pattern]);
          if (pattern == 0)
            check_narrow(t, o, packed, w, isa, 1, want, patterns[pattern]);
        }
        check_narrow(t, o, packed, w, -1, 0, want, patterns[pattern]);
        free(packed);
      }
    }
  }

  /* Unsupported: other (T, O) pairs (64 -> 8 is deliberately left out),
   * T = O, widening, and widths above O for the supported pairs. */
  static const struct {
    unsigned t, o, w;
  } no[] = {
      {64, 8, 0},   {64, 8, 5},   {64, 8, 8},   {8, 8, 0},    {8, 8, 3},
      {16, 16, 4},  {32, 32, 7},  {64, 64, 12}, {8, 16, 3},   {16, 32, 3},
      {32, 64, 3},  {8, 4, 2},    {0, 0, 0},    {128, 64, 3}, {32, 12, 3},
      {24, 8, 3},   {16, 8, 9},   {16, 8, 16},  {32, 8, 9},   {32, 8, 32},
      {32, 16, 17}, {32, 16, 32}, {64, 16, 17}, {64, 16, 64}, {64, 32, 33},
      {64, 32, 64}, {16, 8, 99},  {64, 32, UINT32_MAX},
  };
  static uint64_t ones[1024];
  for (unsigned i = 0; i < 1024; i++) ones[i] = UINT64_MAX;
  uint8_t *in = pack_new(64, ones, 64); /* 8 KiB of set bits: readable */
  static uint8_t out[8 * 1024 + 64], before[sizeof out];
  for (size_t k = 0; k < sizeof no / sizeof no[0]; k++) {
    for (int isa = -1; isa < DPS_ISA_COUNT; isa++) {
      if (isa >= 0 && !dps__isa_supported((dps_isa)isa)) continue;
      const char *name = isa < 0 ? "dispatched" : dps__isa_name((dps_isa)isa);
      for (size_t b = 0; b < sizeof out; b++) out[b] = (uint8_t)(0x5C + b);
      memcpy(before, out, sizeof out);
      bool ok = isa < 0
                    ? dps__unpack_narrow(no[k].t, no[k].o, in, no[k].w, out)
                    : dps__unpack_narrow_isa((dps_isa)isa, no[k].t, no[k].o,
                                             in, no[k].w, out);
      if (ok)
        fail_msg("narrow T=%u O=%u w=%u isa=%s: returned true for an "
                 "unsupported case", no[k].t, no[k].o, no[k].w, name);
      for (size_t b = 0; b < sizeof out; b++)
        if (out[b] != before[b])
          fail_msg("narrow T=%u O=%u w=%u isa=%s: returned false but "
                   "changed output byte %zu (%#04x, was %#04x)", no[k].t,
                   no[k].o, no[k].w, name, b, out[b], before[b]);
    }
  }
  free(in);
}

/* The per-ISA sums that add frame-of-reference offsets: every ISA equals
 * a plain loop at every length (tails included), with words at their
 * largest, and wraps modulo 2^64 as documented. */
static void test_bitpack__sums_every_isa(void **state) {
  (void)state;
  static uint32_t v32[300];
  static uint64_t v64[300];
  tu_rng rng;
  tu_rng_seed(&rng, 12);
  for (size_t n = 0; n <= 300; n += n < 40 ? 1 : 37) {
    for (int trial = 0; trial < 3; trial++) {
      for (size_t i = 0; i < n; i++) {
        uint64_t x = tu_rng_next(&rng);
        v32[i] = trial == 1 ? UINT32_MAX : (uint32_t)x;
        v64[i] = trial == 1 ? UINT64_MAX : trial == 2 ? x >> 11 : x;
      }
      uint64_t want32 = 0, want64 = 0;
      for (size_t i = 0; i < n; i++) want32 += v32[i], want64 += v64[i];
      for (int isa = -1; isa < DPS_ISA_COUNT; isa++) {
        if (isa >= 0 && !dps__isa_supported((dps_isa)isa)) continue;
        uint64_t got32 = isa < 0 ? dps__sum_u32(v32, n)
                                 : dps__sum_u32_isa((dps_isa)isa, v32, n);
        uint64_t got64 = isa < 0 ? dps__sum_u64(v64, n)
                                 : dps__sum_u64_isa((dps_isa)isa, v64, n);
        if (got32 != want32 || got64 != want64)
          fail_msg("n=%zu trial=%d isa=%d: sums %llu %llu, expected %llu %llu",
                   n, trial, isa, (unsigned long long)got32,
                   (unsigned long long)got64, (unsigned long long)want32,
                   (unsigned long long)want64);
      }
    }
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_bitpack__round_trip_every_width_and_isa),
      cmocka_unit_test(test_bitpack__edge_values),
      cmocka_unit_test(test_bitpack__unaligned_to_vectors),
      cmocka_unit_test(test_bitpack__layout_matches_naive_reference),
      cmocka_unit_test(test_bitpack__layout_by_hand),
      cmocka_unit_test(test_bitpack__pack_masks_bits_above_width),
      cmocka_unit_test(test_bitpack__zero_and_full_width),
      cmocka_unit_test(test_bitpack__width_above_t_stays_in_bounds),
      cmocka_unit_test(test_bitpack__bit_width),
      cmocka_unit_test(test_bitpack__isa_consistency),
      cmocka_unit_test(test_bitpack__force_isa),
      cmocka_unit_test(test_bitpack__unsupported_isa_runs_scalar),
      cmocka_unit_test(test_bitpack__max_u32_every_isa),
      cmocka_unit_test(test_bitpack__sums_every_isa),
      cmocka_unit_test(test_bitpack__narrow_unpack_every_isa),
  };
  return TU_RUN(tests, NULL, NULL);
}
