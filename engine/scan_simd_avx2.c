/* scan_simd_avx2.c - the scans' hot loops compiled for AVX2; only used
 * when dps__isa_supported(DPS_ISA_AVX2) (format/isa.c). */
#include "engine/scan_body.h"

#if SB_X86
SB_DEFINE(__attribute__((target("avx2"))), avx2)
#else
typedef int dps__scan_avx2_unused;
#endif
