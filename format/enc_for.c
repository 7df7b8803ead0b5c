/* enc_for.c - scheme 2, frame of reference: values minus their minimum,
 * bit-packed 1024 at a time in the interleaved layout, with the few values
 * that need more bits than the rest kept apart as patches. */
#include "format/cascade.h"

#include <stdlib.h>
#include <string.h>

static bool applicable(const dps_values *v) { return v->n > 0; }

static uint64_t mask_of(unsigned width) {
  return width >= 8 ? ~0ull : (1ull << (8 * width)) - 1;
}

/* Packs 1024 offsets (as u64) at bit width w into out, for values of
 * `width` bytes. */
static dps_status pack_vector(unsigned width, const uint64_t *offs, unsigned w,
                              dps_buf *out) {
  _Alignas(64) uint64_t tmp64[1024];
  _Alignas(64) uint8_t packed[8 * 1024];
  size_t bytes = DPS_PACKED_BYTES(w);
  switch (width) {
    case 1: {
      uint8_t *t = (uint8_t *)tmp64;
      for (int i = 0; i < 1024; i++) t[i] = (uint8_t)offs[i];
      dps__pack8(t, w, packed);
      break;
    }
    case 2: {
      uint16_t *t = (uint16_t *)(void *)tmp64;
      for (int i = 0; i < 1024; i++) t[i] = (uint16_t)offs[i];
      dps__pack16(t, w, (uint16_t *)(void *)packed);
      break;
    }
    case 4: {
      uint32_t *t = (uint32_t *)(void *)tmp64;
      for (int i = 0; i < 1024; i++) t[i] = (uint32_t)offs[i];
      dps__pack32(t, w, (uint32_t *)(void *)packed);
      break;
    }
    default:
      dps__pack64(offs, w, (uint64_t *)(void *)packed);
      break;
  }
  return dps__buf_append(out, packed, bytes);
}

static dps_status encode(dps_enc *e, const dps_values *v, int depth,
                         dps_buf *out) {
  (void)e;
  (void)depth;
  unsigned bits = 8 * v->width;
  uint64_t mask = mask_of(v->width);
  uint64_t lo = UINT64_MAX;
  for (size_t i = 0; i < v->n; i++) {
    uint64_t k = dps__val_key(v, i);
    if (k < lo) lo = k;
  }
  uint64_t base = dps__key_bits(v->width, v->is_signed, lo);
  /* Bit widths of the offsets decide the packed width: each width below
   * the maximum turns the values above it into patches, and the cheapest
   * total wins. */
  size_t hist[65] = {0};
  for (size_t i = 0; i < v->n; i++)
    hist[dps__bit_width((dps__val_bits(v->v, v->width, i) - base) & mask)]++;
  size_t vectors = (v->n + 1023) / 1024, above = 0, best_cost = SIZE_MAX;
  unsigned w = bits;
  for (int b = (int)bits; b >= 0; b--) {
    size_t cost = vectors * DPS_PACKED_BYTES(b) + above * (4 + v->width);
    if (cost < best_cost) {
      best_cost = cost;
      w = (unsigned)b;
    }
    above += hist[b];
  }
  size_t n_exc = 0;
  for (unsigned b = w + 1; b <= bits; b++) n_exc += hist[b];
  dps_status s = dps__wr_int(out, v->width, base);
  if (s == DPS_OK) s = dps__buf_put_u8(out, (uint8_t)w);
  if (s == DPS_OK) s = dps__buf_put_u32(out, (uint32_t)n_exc);
  if (s == DPS_OK) s = dps__wr_align(out);
  uint64_t *offs = malloc(1024 * sizeof *offs);
  if (offs == NULL) return DPS_ENOMEM;
  uint64_t wmask = w >= 64 ? ~0ull : (1ull << w) - 1;
  for (size_t vec = 0; s == DPS_OK && vec < vectors; vec++) {
    size_t from = vec * 1024, cnt = v->n - from < 1024 ? v->n - from : 1024;
    for (size_t i = 0; i < cnt; i++)
      offs[i] = ((dps__val_bits(v->v, v->width, from + i) - base) & mask) & wmask;
    memset(offs + cnt, 0, (1024 - cnt) * sizeof *offs);
    s = pack_vector(v->width, offs, w, out);
  }
  free(offs);
  if (n_exc > 0) {
    for (size_t i = 0; s == DPS_OK && i < v->n; i++)
      if (dps__bit_width((dps__val_bits(v->v, v->width, i) - base) & mask) > w)
        s = dps__buf_put_u32(out, (uint32_t)i);
    for (size_t i = 0; s == DPS_OK && i < v->n; i++) {
      uint64_t b = dps__val_bits(v->v, v->width, i);
      if (dps__bit_width((b - base) & mask) > w) s = dps__wr_int(out, v->width, b);
    }
  }
  return s;
}

static void unpack_vector(unsigned width, const void *in, unsigned w,
                          uint64_t base, void *out) {
  switch (width) {
    case 1: dps__unpack8(in, w, (uint8_t)base, out); break;
    case 2: dps__unpack16(in, w, (uint16_t)base, out); break;
    case 4: dps__unpack32(in, w, (uint32_t)base, out); break;
    default: dps__unpack64(in, w, base, out); break;
  }
}

dps_status dps__for_read(dps_dec *d, dps_rd *rd, const dps_values *v,
                         dps_for_node *f) {
  const uint8_t *p = NULL;
  uint8_t w;
  uint32_t n_exc;
  memset(f, 0, sizeof *f);
  dps_status s = dps__rd_bytes(d, rd, v->width, &p, "frame of reference");
  if (s != DPS_OK) return s;
  for (unsigned k = v->width; k-- > 0;) f->base = (f->base << 8) | p[k];
  s = dps__rd_u8(d, rd, &w, "bit width");
  if (s == DPS_OK && w > 8 * v->width)
    return dps__rd_fail(d, rd, "expected a bit width of 0..%u, found %u",
                        8 * v->width, w);
  if (s == DPS_OK) s = dps__rd_u32(d, rd, &n_exc, "patch count");
  if (s == DPS_OK && n_exc > v->n)
    return dps__rd_fail(d, rd, "expected at most %zu patches, found %u", v->n,
                        n_exc);
  if (s == DPS_OK) s = dps__rd_align(d, rd);
  size_t vectors = (v->n + 1023) / 1024;
  if (s == DPS_OK)
    s = dps__rd_bytes(d, rd, vectors * DPS_PACKED_BYTES(w), &f->packed,
                      "packed vectors");
  if (s == DPS_OK && n_exc > 0) {
    s = dps__rd_bytes(d, rd, (size_t)n_exc * 4, &f->pos, "patch positions");
    if (s == DPS_OK)
      s = dps__rd_bytes(d, rd, (size_t)n_exc * v->width, &f->val, "patch values");
  }
  for (uint32_t k = 0; s == DPS_OK && k < n_exc; k++) {
    uint32_t at = dps__load_u32(f->pos + 4 * (size_t)k);
    if (at >= v->n || (k > 0 && at <= dps__load_u32(f->pos + 4 * (size_t)(k - 1))))
      return dps__rd_fail(d, rd, "patch %u: expected an ascending position "
                          "below %zu, found %u", k, v->n, at);
  }
  f->bits = w;
  f->n_patches = n_exc;
  return s;
}

/* Value bits of patch k. */
static uint64_t patch_bits(const dps_for_node *f, unsigned width, uint32_t k) {
  uint64_t bits = 0;
  for (unsigned b = width; b-- > 0;) bits = (bits << 8) | f->val[(size_t)k * width + b];
  return bits;
}

static dps_status decode(dps_dec *d, dps_rd *rd, const dps_values *v,
                         int depth, void *out, dps_bytes_out *bout) {
  (void)depth;
  (void)bout;
  dps_for_node f;
  dps_status s = dps__for_read(d, rd, v, &f);
  if (s != DPS_OK) return s;
  const uint8_t *p = f.packed;
  unsigned w = f.bits;
  uint64_t base = f.base;
  size_t vectors = (v->n + 1023) / 1024, vbytes = DPS_PACKED_BYTES(w);
  _Alignas(64) uint8_t tmp[8 * 1024];
  _Alignas(64) uint8_t aligned_in[8 * 1024];
  size_t full = v->n / 1024;
  bool in_aligned = ((uintptr_t)p % 8) == 0;
  bool out_aligned = ((uintptr_t)out % v->width) == 0;
  for (size_t k = 0; k < vectors; k++) {
    const uint8_t *src = p + k * vbytes;
    if (!in_aligned) {  /* only when a caller's buffer is unaligned */
      memcpy(aligned_in, src, vbytes);
      src = aligned_in;
    }
    uint8_t *dst = (uint8_t *)out + k * 1024 * v->width;
    if (k < full && out_aligned) {
      unpack_vector(v->width, src, w, base, dst);
    } else {
      unpack_vector(v->width, src, w, base, tmp);
      size_t cnt = k < full ? 1024 : v->n - k * 1024;
      memcpy(dst, tmp, cnt * v->width);
    }
  }
  for (uint32_t k = 0; k < f.n_patches; k++)
    dps__val_store(out, v->width, dps__load_u32(f.pos + 4 * (size_t)k),
                   patch_bits(&f, v->width, k));
  return DPS_OK;
}

/* The first patch of a view at or after vector `vec`'s first row. */
static uint32_t first_patch(const dps_for_view *v, size_t vec) {
  uint32_t lo = 0, hi = v->n_patches;
  size_t first = vec * 1024;
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (dps__load_u32(v->patch_pos + 4 * (size_t)mid) < first) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/* Vector `vec`'s packed bytes, copied into `aligned` (8 KiB) when the page
 * is not 8-aligned in the map. */
static const uint8_t *packed_vector(const dps_for_view *v, size_t vec,
                                    uint8_t *aligned) {
  size_t vbytes = DPS_PACKED_BYTES(v->bits);
  const uint8_t *src = v->packed + vec * vbytes;
  if (((uintptr_t)src % 8) == 0) return src;
  memcpy(aligned, src, vbytes);
  return aligned;
}

void dps__for_view_vector(const dps_for_view *v, size_t vec, void *out) {
  _Alignas(64) uint8_t aligned[8 * 1024];
  unpack_vector(v->width, packed_vector(v, vec, aligned), v->bits, v->base, out);
  size_t first = vec * 1024;
  for (uint32_t k = first_patch(v, vec); k < v->n_patches; k++) {
    uint32_t at = dps__load_u32(v->patch_pos + 4 * (size_t)k);
    if (at >= first + 1024) break;
    uint64_t bits = 0;
    for (unsigned b = v->width; b-- > 0;) bits = (bits << 8) | v->patch_val[(size_t)k * v->width + b];
    dps__val_store(out, v->width, at - first, bits);
  }
}

unsigned dps__for_view_offsets(const dps_for_view *v, size_t vec, void *out) {
  /* Patches replace values, not offsets: such a vector is decoded. */
  uint32_t k = first_patch(v, vec);
  if (k < v->n_patches && dps__load_u32(v->patch_pos + 4 * (size_t)k) < vec * 1024 + 1024)
    return 0;
  _Alignas(64) uint8_t aligned[8 * 1024];
  const uint8_t *src = packed_vector(v, vec, aligned);
  unsigned t = 8 * v->width;
  unsigned o = v->bits <= 8 && t <= 32 ? 8 : v->bits <= 16 ? 16 : v->bits <= 32 ? 32 : 64;
  if (o < t && dps__unpack_narrow(t, o, src, v->bits, out)) return o / 8;
  unpack_vector(v->width, src, v->bits, 0, out);
  return v->width;
}

/* Value bits of a W-byte integer as a signed or unsigned 128-bit number. */
static dps_i128 as_value(uint64_t bits, unsigned width, bool is_signed) {
  if (!is_signed) return (dps_i128)bits;
  unsigned shift = 64 - 8 * width;
  return (dps_i128)((int64_t)(bits << shift) >> shift);
}

dps_status dps__for_sum(dps_dec *d, dps_rd *rd, const dps_values *v,
                        dps_i128 *sum, bool *done) {
  *done = false;
  dps_for_node f;
  dps_status s = dps__for_read(d, rd, v, &f);
  if (s != DPS_OK) return s;
  const uint8_t *p = f.packed;
  unsigned w = f.bits;
  size_t vectors = (v->n + 1023) / 1024, vbytes = DPS_PACKED_BYTES(w);
  /* base + offset must stay inside the type for every offset the width
   * allows, so that the sum of values is n * base + the sum of offsets. */
  dps_i128 b = as_value(f.base, v->width, v->is_signed);
  dps_i128 top = v->is_signed ? ((dps_i128)1 << (8 * v->width - 1)) - 1
                              : ((dps_i128)1 << (8 * v->width)) - 1;
  if (w >= 64 || b + (((dps_i128)1 << w) - 1) > top) return DPS_OK;
  _Alignas(64) uint8_t tmp[8 * 1024];
  _Alignas(64) uint8_t aligned_in[8 * 1024];
  bool in_aligned = ((uintptr_t)p % 8) == 0;
  dps_i128 total = 0;
  uint32_t k_exc = 0;
  for (size_t k = 0; k < vectors; k++) {
    const uint8_t *src = p + k * vbytes;
    if (!in_aligned) {  /* a page not 8-aligned in the file's map */
      memcpy(aligned_in, src, vbytes);
      src = aligned_in;
    }
    size_t cnt = k + 1 < vectors || v->n % 1024 == 0 ? 1024 : v->n % 1024;
    /* Offsets below 2^w, at most 1024 of them: w < 54 sums in 64 bits.
     * 64-bit values with offsets of up to 32 bits unpack into 32-bit
     * words (half the bytes to write and add). */
    unsigned ow = 4;
    if (v->width != 8 || w > 32 || !dps__unpack_narrow(64, 32, src, w, tmp)) {
      unpack_vector(v->width, src, w, 0, tmp);
      ow = v->width;
    }
    dps_i128 offs = 0;
    if (w < 54) {
      uint64_t s64 = 0;
      switch (ow) {
        case 1: for (size_t i = 0; i < cnt; i++) s64 += tmp[i]; break;
        case 2: for (size_t i = 0; i < cnt; i++) s64 += ((const uint16_t *)(void *)tmp)[i]; break;
        case 4: s64 = dps__sum_u32((const uint32_t *)(void *)tmp, cnt); break;
        default: s64 = dps__sum_u64((const uint64_t *)(void *)tmp, cnt); break;
      }
      offs = s64;
    } else {
      for (size_t i = 0; i < cnt; i++) offs += ((const uint64_t *)(void *)tmp)[i];
    }
    total += (dps_i128)cnt * b + offs;
    /* Patches of this vector replace base + offset by their value. */
    for (; k_exc < f.n_patches; k_exc++) {
      uint32_t at = dps__load_u32(f.pos + 4 * (size_t)k_exc);
      if (at / 1024 != k) break;
      uint64_t off = dps__val_bits(tmp, ow, at % 1024);
      total += as_value(patch_bits(&f, v->width, k_exc), v->width, v->is_signed) -
               (b + (dps_i128)off);
    }
  }
  *sum = total;
  *done = true;
  return DPS_OK;
}

const dps_scheme dps__scheme_for = {
  DPS_SCHEME_FOR, "for", 1u << DPS_KIND_INT, true, applicable, true, encode, decode};
