/* isa.c - which SIMD instruction sets this CPU runs, and the one the
 * kernels use (format/kernels.h, spec/FORMAT.md §4.5 [FMT-59]).
 *
 * Support needs both the CPU (cpuid feature bits) and the OS (XCR0, read
 * with xgetbv: the OS saves and restores the wider registers on a context
 * switch). The active ISA is chosen once, on first use, and cached in a
 * relaxed atomic: two threads racing on the first call compute the same
 * answer, so whichever store wins is right. */
#include "format/kernels.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* The same condition as BP_X86 in format/bitpack_body.h: the SIMD variants
 * exist only on x86-64 with GCC or clang, and not with -DDPS_NO_SIMD. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(DPS_NO_SIMD)
#  include <cpuid.h>

/* XCR0 state components (Intel SDM vol. 1, 13.1). */
#define XCR0_SSE (UINT64_C(1) << 1)
#define XCR0_YMM (UINT64_C(1) << 2)
#define XCR0_OPMASK (UINT64_C(1) << 5)
#define XCR0_ZMM_HI256 (UINT64_C(1) << 6)
#define XCR0_HI16_ZMM (UINT64_C(1) << 7)

/* CPUID feature bits. */
#define CPUID1_ECX_OSXSAVE (1u << 27)
#define CPUID1_ECX_AVX (1u << 28)
#define CPUID7_EBX_AVX2 (1u << 5)
#define CPUID7_EBX_AVX512F (1u << 16)
#define CPUID7_EBX_AVX512DQ (1u << 17)
#define CPUID7_EBX_AVX512BW (1u << 30)
#define CPUID7_EBX_AVX512VL (1u << 31)

/* xgetbv by hand: the _xgetbv intrinsic needs the xsave target, and the
 * instruction is only executed once OSXSAVE says it exists. */
static uint64_t read_xcr0(void) {
  uint32_t lo, hi;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return ((uint64_t)hi << 32) | lo;
}

/* Bit i set when ISA i is supported. */
static unsigned detect_uncached(void) {
  unsigned mask = 1u << DPS_ISA_SCALAR;
  unsigned eax, ebx, ecx, edx;
  if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return mask;
  if (!(ecx & CPUID1_ECX_OSXSAVE) || !(ecx & CPUID1_ECX_AVX)) return mask;
  const uint64_t xcr0 = read_xcr0();
  if ((xcr0 & (XCR0_SSE | XCR0_YMM)) != (XCR0_SSE | XCR0_YMM)) return mask;
  /* __get_cpuid_count checks the maximum leaf before asking for leaf 7. */
  if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return mask;
  if (ebx & CPUID7_EBX_AVX2) mask |= 1u << DPS_ISA_AVX2;
  const uint32_t avx512 =
      CPUID7_EBX_AVX512F | CPUID7_EBX_AVX512BW | CPUID7_EBX_AVX512VL |
      CPUID7_EBX_AVX512DQ;
  const uint64_t zmm_state = XCR0_OPMASK | XCR0_ZMM_HI256 | XCR0_HI16_ZMM;
  /* The AVX-512 variants are compiled with AVX2 available as well. */
  if ((mask & (1u << DPS_ISA_AVX2)) && (ebx & avx512) == avx512 &&
      (xcr0 & zmm_state) == zmm_state)
    mask |= 1u << DPS_ISA_AVX512;
  return mask;
}

#else /* no SIMD variants in this build: scalar only */

static unsigned detect_uncached(void) { return 1u << DPS_ISA_SCALAR; }

#endif

/* cpuid traps to the hypervisor in a VM (microseconds), so the answer is
 * cached; 0 = not yet known (the scalar bit is always set). */
static atomic_uint supported_mask = 0;

static unsigned detect(void) {
  unsigned m = atomic_load_explicit(&supported_mask, memory_order_relaxed);
  if (m == 0) {
    m = detect_uncached();
    atomic_store_explicit(&supported_mask, m, memory_order_relaxed);
  }
  return m;
}

bool dps__isa_supported(dps_isa isa) {
  if ((unsigned)isa >= DPS_ISA_COUNT) return false;
  return (detect() >> isa) & 1u;
}

const char *dps__isa_name(dps_isa isa) {
  switch (isa) {
    case DPS_ISA_SCALAR: return "scalar";
    case DPS_ISA_AVX2: return "avx2";
    case DPS_ISA_AVX512: return "avx512";
    default: return "unknown";
  }
}

/* The choice: DPSNAP_FORCE_ISA when it names a supported ISA, else the
 * best supported one. */
static dps_isa choose(void) {
  const unsigned mask = detect();
  const char *force = getenv("DPSNAP_FORCE_ISA");
  if (force) {
    for (int i = 0; i < DPS_ISA_COUNT; i++)
      if (strcmp(force, dps__isa_name((dps_isa)i)) == 0 && ((mask >> i) & 1u))
        return (dps_isa)i;
  }
  for (int i = DPS_ISA_COUNT - 1; i > 0; i--)
    if ((mask >> i) & 1u) return (dps_isa)i;
  return DPS_ISA_SCALAR;
}

/* -1 until the first dps__isa_active(). */
static atomic_int active_isa = -1;

dps_isa dps__isa_active(void) {
  int v = atomic_load_explicit(&active_isa, memory_order_relaxed);
  if (v < 0) {
    v = (int)choose();
    atomic_store_explicit(&active_isa, v, memory_order_relaxed);
  }
  return (dps_isa)v;
}

/* Test hook, not part of kernels.h: forgets the cached choice so the next
 * dps__isa_active() reads DPSNAP_FORCE_ISA again. Only tests/test_bitpack.c
 * declares and calls it; never call it while kernels run on other threads. */
void dps__isa_reset_for_tests(void);
void dps__isa_reset_for_tests(void) {
  atomic_store_explicit(&active_isa, -1, memory_order_relaxed);
}
