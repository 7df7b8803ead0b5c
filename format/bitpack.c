/* bitpack.c - interleaved bit packing of 1024-value vectors, with the
 * frame of reference fused into unpacking (format/kernels.h, spec/FORMAT.md
 * §4.5): the scalar unpack variant, dispatch, and packing. The unpack body
 * and the layout walk-through are in format/bitpack_body.h; the AVX2 and
 * AVX-512 variants in format/bitpack_avx2.c and format/bitpack_avx512.c.
 *
 * Packing runs once per vector at write time: one portable version with
 * the width at run time (its row loops still vectorise).
 *
 * Width 0 stores no bytes: unpack never reads `in` then, and pack never
 * writes `out`. Widths above T are a caller bug (a decoder validates a
 * width read from a file before calling): unpack then reads nothing and
 * writes `base` everywhere, pack writes nothing - both stay inside their
 * buffers. */
#include "format/bitpack_body.h"

#include <string.h>

BP_INSTANTIATE(, scalar)

/* Indexed by dps_isa; an ISA this build lacks maps to scalar (isa.c then
 * never reports it supported). */
static const dps__bp_kernels *const bp_kernels[DPS_ISA_COUNT] = {
    &dps__bp_kernels_scalar,
#if BP_X86
    &dps__bp_kernels_avx2,
    &dps__bp_kernels_avx512,
#else
    &dps__bp_kernels_scalar,
    &dps__bp_kernels_scalar,
#endif
};

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
    bp_kernels[usable(isa)]->u##T[w](in, base, out);                         \
  }                                                                          \
  void dps__unpack##T(const uint##T##_t *in, unsigned w, uint##T##_t base,   \
                      uint##T##_t *out) {                                    \
    if (w > T) {                                                             \
      for (unsigned i = 0; i < 1024; i++) out[i] = base;                     \
      return;                                                                \
    }                                                                        \
    /* dps__isa_active() only picks supported ISAs: no second check. */     \
    bp_kernels[dps__isa_active()]->u##T[w](in, base, out);                   \
  }

BP_DEFINE_API(8)
BP_DEFINE_API(16)
BP_DEFINE_API(32)
BP_DEFINE_API(64)

/* The narrowing table for T -> O bits, or NULL when there is none. */
static const dps__bp_nfn *narrow_table(const dps__bp_kernels *k, unsigned t,
                                       unsigned o) {
  if (o == 8) return t == 16 ? k->n16to8 : t == 32 ? k->n32to8 : NULL;
  if (o == 16) return t == 32 ? k->n32to16 : t == 64 ? k->n64to16 : NULL;
  if (o == 32) return t == 64 ? k->n64to32 : NULL;
  return NULL;
}

bool dps__unpack_narrow_isa(dps_isa isa, unsigned t, unsigned o,
                            const void *in, unsigned w, void *out) {
  const dps__bp_nfn *tab = narrow_table(bp_kernels[usable(isa)], t, o);
  if (tab == NULL || w > o) return false;
  tab[w](in, out);
  return true;
}

bool dps__unpack_narrow(unsigned t, unsigned o, const void *in, unsigned w,
                        void *out) {
  const dps__bp_nfn *tab = narrow_table(bp_kernels[dps__isa_active()], t, o);
  if (tab == NULL || w > o) return false;
  tab[w](in, out);
  return true;
}

uint64_t dps__sum_u32_isa(dps_isa isa, const uint32_t *v, size_t n) {
  return bp_kernels[usable(isa)]->sum32(v, n);
}

uint64_t dps__sum_u64_isa(dps_isa isa, const uint64_t *v, size_t n) {
  return bp_kernels[usable(isa)]->sum64(v, n);
}

uint64_t dps__sum_u32(const uint32_t *v, size_t n) {
  return bp_kernels[dps__isa_active()]->sum32(v, n);
}

uint64_t dps__sum_u64(const uint64_t *v, size_t n) {
  return bp_kernels[dps__isa_active()]->sum64(v, n);
}

uint32_t dps__max_u32_isa(dps_isa isa, const uint32_t *v, size_t n) {
  return bp_kernels[usable(isa)]->max32(v, n);
}

uint32_t dps__max_u32(const uint32_t *v, size_t n) {
  return bp_kernels[dps__isa_active()]->max32(v, n);
}

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
