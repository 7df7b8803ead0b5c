/* scan_kernels.h - the value kernels of scans (engine/scan_kernels.c):
 * predicate leaves on decoded vectors, gathers, and aggregate arithmetic.
 * Leaf range tests have scalar, AVX2 and AVX-512 variants chosen once
 * (format/isa.c, DPSNAP_FORCE_ISA); the scalar one is the oracle. */
#ifndef DPS_SCAN_KERNELS_H
#define DPS_SCAN_KERNELS_H

#include "engine/scan.h"

/* m[i] = 1 when value off + i of d matches the leaf (RANGE, SET or
 * PREFIX), ignoring validity and `negate`; n <= d's rows - off. */
void dps__kernel_leaf(const dps_leaf *lf, const dps_column_data *d, size_t off,
                      size_t n, uint8_t *m);

/* The hot loops compiled for `isa` (engine/scan_body.h). */
struct dps__scan_simd;
const struct dps__scan_simd *dps__scan_simd_for(dps_isa isa);

/* m[i] = bit codes[i] of mask, for dictionaries of at most 64 entries. */
/* acc[i] &= m[i] for 0/1 flags (m NULL: acc as it is); whether any acc[i]
 * is then set. The active ISA's loop. */
bool dps__kernel_and_any(uint8_t *acc, const uint8_t *m, size_t n);
void dps__kernel_code_match(const uint32_t *codes, uint64_t mask, size_t n,
                            uint8_t *m);

/* lo <= v[i] <= hi into m[i], for n values of a signed integer width
 * (1, 2, 4, 8 bytes) or unsigned (is_signed false), with the given ISA. */
void dps__kernel_range_isa(dps_isa isa, const void *v, unsigned width,
                           bool is_signed, uint64_t klo, uint64_t khi,
                           size_t n, uint8_t *m);

/* A dictionary page's rows: entries[codes[i]] for n rows, nulls where
 * validity (may be NULL) says so. */
dps_status dps__kernel_dict_expand(dps_type t, const dps_column_data *entries,
                                   const uint32_t *codes,
                                   const uint8_t *validity, size_t n,
                                   dps_column_data *out);

/* Appends the rows i < n of src with sel[i] != 0 (`hits` of them) to out. */
dps_status dps__kernel_gather(dps_type t, const dps_column_data *src,
                              const uint8_t *sel, size_t n, size_t hits,
                              dps_column_data *out);

/* Loads rows idx[k] - row0 of d (k < n) as int64 (integers, unscaled
 * decimals) and doubles (floats; integers converted too), with null
 * flags. Returns true when an unsigned value does not fit int64. */
bool dps__kernel_load_numeric(dps_type t, const dps_column_data *d, size_t row0,
                              const uint32_t *idx, size_t n, int64_t *vi,
                              double *vf, uint8_t *vn);

/* The same rows of an integer or decimal column as doubles: value /
 * 10^scale ([SCAN-3]). */
void dps__kernel_to_double(dps_type t, const dps_column_data *d, size_t row0,
                           const uint32_t *idx, size_t n, int scale,
                           double *vf);

/* a op b for n rows: as doubles when is_float (integer operands divided by
 * 10^scale), else exact int64 at `scale` (operands rescaled up); `safe`:
 * the caller knows no row can overflow. Returns true on overflow. */
bool dps__kernel_arith(int op, bool is_float, int scale, bool safe,
                       bool a_float, int a_scale, bool b_float, int b_scale,
                       const int64_t *ai, const double *af, const uint8_t *an,
                       const int64_t *bi, const double *bf, const uint8_t *bn,
                       size_t n, int64_t *vi, double *vf, uint8_t *vn);

/* True when n values of v add up without int64 overflow whatever their
 * signs (n times the largest magnitude fits). */
bool dps__kernel_sum_fits(const int64_t *v, size_t n);
/* Sum (and *count) of v over rows not null with gid[i] == g (gid NULL:
 * every row); only when dps__kernel_sum_fits. */
int64_t dps__kernel_group_sum(const int64_t *v, const uint8_t *null,
                              const uint32_t *gid, uint32_t g, size_t n,
                              int64_t *count);

/* Exact sum of n integer values of type t (null slots hold zero). */
dps_i128 dps__kernel_sum_column(dps_type t, const uint8_t *v, size_t n);

/* count/sum over n rows without nulls' contributions. */
void dps__kernel_accumulate(dps_agg_fn fn, bool is_float, const int64_t *vi,
                            const double *vf, const uint8_t *vn, size_t n,
                            int64_t *count, dps_i128 *isum, double *fsum);

#endif
