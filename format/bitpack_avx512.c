/* bitpack_avx512.c - the AVX-512 (F + BW + VL + DQ) variant of the unpack kernels: the body
 * of format/bitpack_body.h compiled with
 * target("avx512f,avx512bw,avx512vl,avx512dq"). Only called when
 * dps__isa_supported(DPS_ISA_AVX512) (format/isa.c). */
#include "format/bitpack_body.h"

#if BP_X86
BP_INSTANTIATE(__attribute__((target("avx512f,avx512bw,avx512vl,avx512dq"))), avx512)
#else
/* Not x86-64 (or DPS_NO_SIMD): nothing to build; ISO C wants a declaration. */
typedef int dps__bp_avx512_unused;
#endif
