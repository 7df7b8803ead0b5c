/* bitpack_avx2.c - the AVX2 variant of the unpack kernels: the body
 * of format/bitpack_body.h compiled with
 * target("avx2"). Only called when
 * dps__isa_supported(DPS_ISA_AVX2) (format/isa.c). */
#include "format/bitpack_body.h"

#if BP_X86
BP_INSTANTIATE(__attribute__((target("avx2"))), avx2)
#else
/* Not x86-64 (or DPS_NO_SIMD): nothing to build; ISO C wants a declaration. */
typedef int dps__bp_avx2_unused;
#endif
