/*
 * kernels.h - the lightweight-encoding kernels the cascade encodings are
 * built from: interleaved bit packing (with per-ISA variants), ALP for
 * floats, and FSST-style string compression. Pure functions on buffers.
 *
 * Each kernel's byte layout is normative: spec/FORMAT.md §4.4 and below.
 */
#ifndef DPS_KERNELS_H
#define DPS_KERNELS_H

#include "format/format.h"

/* ---- instruction sets (format/isa.c) ------------------------------------ */

typedef enum dps_isa {
  DPS_ISA_SCALAR = 0,  /* portable C: the oracle */
  DPS_ISA_AVX2 = 1,
  DPS_ISA_AVX512 = 2,  /* AVX-512 F + BW + VL + DQ */
  DPS_ISA_COUNT = 3
} dps_isa;

/* 1 when this CPU (cpuid + xgetbv: the OS saves the registers) runs `isa`. */
bool dps__isa_supported(dps_isa isa);
/* The variant in use: chosen once, the best supported, unless the
 * environment variable DPSNAP_FORCE_ISA=scalar|avx2|avx512 names one (a
 * named but unsupported ISA falls back to the best supported one). */
dps_isa dps__isa_active(void);
/* "scalar", "avx2", "avx512". */
const char *dps__isa_name(dps_isa isa);

/* ---- interleaved bit packing (format/bitpack*.c) ------------------------- */

/* A vector of 1024 values of T bits (T = 8, 16, 32, 64) packed at width w
 * (0 <= w <= T) takes exactly 1024 * w / 8 bytes: w words of T bits for each
 * of the L = 1024 / T lanes. Value i belongs to lane i % L and is that
 * lane's value number r = i / L (0 <= r < T); each lane's T values form a
 * little-endian bit stream of T * w bits, value r at bits [r*w, r*w + w),
 * and the stream's k-th T-bit word is stored at word index k * L + lane.
 * Words are little-endian. Bits of `in` above w are ignored by pack.
 * `in` and `out` are aligned to T/8 bytes and do not overlap. */
#define DPS_PACKED_BYTES(w) ((size_t)128 * (size_t)(w))

void dps__pack8(const uint8_t *in, unsigned w, uint8_t *out);
void dps__pack16(const uint16_t *in, unsigned w, uint16_t *out);
void dps__pack32(const uint32_t *in, unsigned w, uint32_t *out);
void dps__pack64(const uint64_t *in, unsigned w, uint64_t *out);

/* Unpacks 1024 values and adds `base` (wrapping), i.e. frame of reference
 * fused with unpacking; base 0 is plain unpacking. Dispatched to the active
 * ISA's variant. */
void dps__unpack8(const uint8_t *in, unsigned w, uint8_t base, uint8_t *out);
void dps__unpack16(const uint16_t *in, unsigned w, uint16_t base, uint16_t *out);
void dps__unpack32(const uint32_t *in, unsigned w, uint32_t base, uint32_t *out);
void dps__unpack64(const uint64_t *in, unsigned w, uint64_t base, uint64_t *out);

/* Narrowing unpack: a vector of T-bit words packed at width w, as 1024
 * O-bit values without a base: the offsets of a frame-of-reference vector
 * in a narrower type, for predicates tested on offsets. T -> O is one of
 * 16 -> 8, 32 -> 8, 32 -> 16, 64 -> 16, 64 -> 32 (64 -> 8 is left out:
 * compilers vectorise it worse than 64 -> 16), with w <= O. false (out
 * untouched) for any other T, O or w. */
bool dps__unpack_narrow(unsigned t, unsigned o, const void *in, unsigned w,
                        void *out);
bool dps__unpack_narrow_isa(dps_isa isa, unsigned t, unsigned o,
                            const void *in, unsigned w, void *out);

/* The sum of v[0..n) modulo 2^64, with the active ISA (callers keep it
 * below 2^64: 1024 offsets of under 54 bits, say). */
uint64_t dps__sum_u32(const uint32_t *v, size_t n);
uint64_t dps__sum_u64(const uint64_t *v, size_t n);
uint64_t dps__sum_u32_isa(dps_isa isa, const uint32_t *v, size_t n);
uint64_t dps__sum_u64_isa(dps_isa isa, const uint64_t *v, size_t n);

/* The largest of v[0..n) (0 when n is 0), with the active ISA. */
uint32_t dps__max_u32(const uint32_t *v, size_t n);
uint32_t dps__max_u32_isa(dps_isa isa, const uint32_t *v, size_t n);

/* The same for one explicit ISA (which must be supported): for tests and
 * benchmarks that compare every variant with the scalar oracle. */
void dps__unpack8_isa(dps_isa isa, const uint8_t *in, unsigned w, uint8_t base, uint8_t *out);
void dps__unpack16_isa(dps_isa isa, const uint16_t *in, unsigned w, uint16_t base, uint16_t *out);
void dps__unpack32_isa(dps_isa isa, const uint32_t *in, unsigned w, uint32_t base, uint32_t *out);
void dps__unpack64_isa(dps_isa isa, const uint64_t *in, unsigned w, uint64_t base, uint64_t *out);

/* Bits needed for v: 0 for 0, else 64 - clz(v). */
unsigned dps__bit_width(uint64_t v);

/* ---- ALP: adaptive lossless floating point (format/alp.c) --------------- */

/* A double d is encoded as the integer n = round(d * 10^e * 10^-f) with
 * 0 <= f <= e <= 18 (float32: e <= 10); it decodes as
 * (double)n * 10^f * 10^-e, computed exactly as dps__alp_decode64 does
 * (float32: the same in double, rounded once to float; spec §4.6).
 * A value whose decode is not bit-identical to the input (NaN, +-Inf, -0.0,
 * out of range, too many digits) is an exception: its position and raw
 * bits are stored apart, and its slot in `ints` holds a filler that keeps
 * the integers' range small. */
typedef struct dps_alp_params {
  uint8_t e;  /* exponent: digits moved left of the point */
  uint8_t f;  /* factor: trailing zeros removed again */
} dps_alp_params;

/* Picks (e, f) that minimise the encoded size of a sample of n values. */
dps_alp_params dps__alp_choose64(const double *v, size_t n);
dps_alp_params dps__alp_choose32(const float *v, size_t n);

/* Encodes n values. Writes n integers to ints, and each exception's
 * position (ascending) and value to exc_pos / exc_val (room for n each).
 * Returns the number of exceptions. */
size_t dps__alp_encode64(const double *v, size_t n, dps_alp_params p,
                         int64_t *ints, uint32_t *exc_pos, double *exc_val);
size_t dps__alp_encode32(const float *v, size_t n, dps_alp_params p,
                         int32_t *ints, uint32_t *exc_pos, float *exc_val);

/* Decodes n integers into doubles (exceptions are patched by the caller).
 * Returns DPS_ECORRUPT for parameters outside their ranges. */
dps_status dps__alp_decode64(const int64_t *ints, size_t n, dps_alp_params p,
                             double *out);
dps_status dps__alp_decode32(const int32_t *ints, size_t n, dps_alp_params p,
                             float *out);

/* ---- FSST-style string compression (format/fsst.c) ---------------------- */

/* A symbol table maps codes 0..254 to symbols of 1..8 bytes; code 255 is
 * the escape: the next byte is a literal. */
typedef struct dps_fsst_table dps_fsst_table;

/* Builds a table from (a sample of) n strings: value i is
 * data[offsets[i] .. offsets[i+1]). */
dps_status dps__fsst_train(const uint8_t *data, const int64_t *offsets,
                           size_t n, dps_fsst_table **out, dps_error *err);
void dps__fsst_free(dps_fsst_table *t);
/* Appends the table's serialized form to out (spec/FORMAT.md). */
dps_status dps__fsst_serialize(const dps_fsst_table *t, dps_buf *out);
/* Parses and validates a serialized table from p[0..n); *used = bytes read.
 * Malformed (symbol count, lengths, truncation): DPS_ECORRUPT naming
 * `where`. */
dps_status dps__fsst_parse(const uint8_t *p, size_t n, dps_fsst_table **out,
                           size_t *used, const char *where, dps_error *err);
/* Compresses n strings: appends the codes of all strings to out and writes
 * each string's compressed length to lens[i]. */
dps_status dps__fsst_compress(const dps_fsst_table *t, const uint8_t *data,
                              const int64_t *offsets, size_t n, dps_buf *out,
                              uint32_t *lens, dps_error *err);
/* Decompresses n strings whose codes are in[0..in_len) with compressed
 * lengths lens[0..n): appends the bytes to `data` and writes to ends[i]
 * `base` plus the number of bytes appended up to the end of string i
 * (callers pass base = data->len at entry to get offsets into data). Never reads or writes out of bounds; a trailing escape or
 * lengths not adding up to in_len: DPS_ECORRUPT naming `where`. */
dps_status dps__fsst_decompress(const dps_fsst_table *t, const uint8_t *in,
                                size_t in_len, const uint32_t *lens, size_t n,
                                dps_buf *data, int64_t base, int64_t *ends,
                                const char *where, dps_error *err);

#endif /* DPS_KERNELS_H */
