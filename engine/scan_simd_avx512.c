/* scan_simd_avx512.c - the scans' hot loops compiled for AVX-512 (F, BW, DQ,
 * VL); only used when dps__isa_supported(DPS_ISA_AVX512). */
#include "engine/scan_body.h"

#if SB_X86
SB_DEFINE(__attribute__((target("avx512f,avx512bw,avx512vl,avx512dq"))), avx512)
#else
typedef int dps__scan_avx512_unused;
#endif
