/* cascade_page.c - pages of encoding 1 (spec/FORMAT.md §4.4): validity,
 * then the root node of the page's values. */
#include "format/cascade.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int dps__scheme_of_encoding(dps_encoding e) {
  switch (e) {
    case DPS_ENCODING_CONSTANT: return DPS_SCHEME_CONSTANT;
    case DPS_ENCODING_FOR: return DPS_SCHEME_FOR;
    case DPS_ENCODING_DELTA: return DPS_SCHEME_DELTA;
    case DPS_ENCODING_RLE: return DPS_SCHEME_RLE;
    case DPS_ENCODING_DICT: return DPS_SCHEME_DICT;
    case DPS_ENCODING_ALP: return DPS_SCHEME_ALP;
    case DPS_ENCODING_FSST: return DPS_SCHEME_FSST;
    default: return -1;
  }
}

const char *dps_encoding_name(dps_encoding e) {
  switch (e) {
    case DPS_ENCODING_AUTO: return "auto";
    case DPS_ENCODING_PLAIN: return "plain";
    default: {
      int id = dps__scheme_of_encoding(e);
      return id >= 0 ? dps__scheme_get((unsigned)id)->name : "unknown";
    }
  }
}

dps_kind dps__kind_of_type(dps_type t) {
  if (dps__type_is_var(t)) return DPS_KIND_BYTES;
  if (dps__type_is_float(t)) return DPS_KIND_FLOAT;
  return DPS_KIND_INT;
}

/* [FMT-52] the root node's value kind, width and sign for a column type. */
static dps_values values_of(dps_type t, size_t n) {
  dps_values v;
  memset(&v, 0, sizeof v);
  v.kind = dps__kind_of_type(t);
  v.width = t == DPS_TYPE_BOOL ? 1 : (unsigned)dps_type_width(t);
  v.is_signed = dps__type_is_signed(t);
  v.n = n;
  return v;
}

/* 0 < nulls < n: a validity bitmap; nulls == n: nothing at all. */
static bool has_bitmap(size_t n, size_t nulls) { return nulls > 0 && nulls < n; }

dps_status dps__cascade_encode_page(dps_type t, const dps_array_view *a,
                                    size_t from, size_t n, size_t nulls,
                                    int forced_scheme, dps_buf *out,
                                    char *desc, size_t desc_size,
                                    dps_error *err) {
  if (desc_size) desc[0] = '\0';
  dps_status s = DPS_OK;
  if (has_bitmap(n, nulls)) s = dps__bitmap_append(out, a->validity, from, n);
  if (s != DPS_OK) return dps__fail(err, s, "out of memory");
  if (nulls == n) {
    if (desc_size) snprintf(desc, desc_size, "null");
    return DPS_OK;
  }
  dps_values v = values_of(t, n);
  void *fixed = NULL;
  int64_t *offs = NULL;
  dps_buf bytes = {0};
  if (v.kind == DPS_KIND_BYTES) {
    /* Null slots become empty strings; the rest are copied contiguously. */
    offs = malloc((n + 1) * sizeof *offs);
    if (offs == NULL) return dps__fail(err, DPS_ENOMEM, "out of memory");
    offs[0] = 0;
    for (size_t i = 0; s == DPS_OK && i < n; i++) {
      size_t r = from + i;
      if (dps_array_is_valid(a, r))
        s = dps__buf_append(&bytes, a->data + a->offsets[r],
                            (size_t)(a->offsets[r + 1] - a->offsets[r]));
      offs[i + 1] = (int64_t)bytes.len;
    }
    static const uint8_t empty[1];
    v.offsets = offs;
    v.data = bytes.data ? bytes.data : empty;
  } else if (nulls > 0) {
    /* A null slot repeats the value before it (the first valid value at the
     * start), so runs, deltas and frames stay as tight as without nulls. */
    fixed = malloc(n * v.width);
    if (fixed == NULL) return dps__fail(err, DPS_ENOMEM, "out of memory");
    const uint8_t *src = (const uint8_t *)a->values + from * v.width;
    size_t first = 0;
    while (!dps_array_is_valid(a, from + first)) first++;
    uint64_t fill = dps__val_bits(src, v.width, first);
    for (size_t i = 0; i < n; i++) {
      if (dps_array_is_valid(a, from + i)) fill = dps__val_bits(src, v.width, i);
      dps__val_store(fixed, v.width, i, fill);
    }
    v.v = fixed;
  } else {
    v.v = (const uint8_t *)a->values + from * v.width;
  }
  if (s == DPS_OK) {
    dps_enc e;
    memset(&e, 0, sizeof e);
    e.forced_root = forced_scheme;
    e.err = err;
    e.desc = desc;
    e.desc_size = desc_size;
    s = dps__node_encode(&e, &v, 1, out);
    if (s == DPS_ENOMEM) s = dps__fail(err, s, "out of memory encoding a page");
  }
  free(fixed);
  free(offs);
  dps__buf_free(&bytes);
  return s;
}

static void zero_nulls(void *values, unsigned width, const uint8_t *bits,
                       size_t n) {
  for (size_t i = 0; i < n; i++)
    if (!((bits[i >> 3] >> (i & 7)) & 1)) memset((uint8_t *)values + i * width, 0, width);
}

dps_status dps__cascade_decode_page(dps_type t, const uint8_t *raw,
                                    size_t len, size_t n, size_t nulls,
                                    bool check_utf8, dps_column_data *c,
                                    const char *where, dps_error *err) {
  dps_scratch scratch = {0};
  dps_status s = dps__cascade_decode_page_ex(t, raw, len, n, nulls, check_utf8,
                                             c, &scratch, where, err);
  dps__scratch_free(&scratch);
  return s;
}

/* The validity bitmap of a page of n values with `nulls` nulls: checked
 * against the null count; NULL when there is none. */
static dps_status read_validity(dps_dec *d, dps_rd *rd, size_t n, size_t nulls,
                                const uint8_t **bits) {
  *bits = NULL;
  if (!has_bitmap(n, nulls)) return DPS_OK;
  dps_status s = dps__rd_bytes(d, rd, (n + 7) / 8, bits, "validity bitmap");
  if (s != DPS_OK) return s;
  size_t zeros = dps__count_zero_bits(*bits, n);
  if (zeros != nulls)
    return DPS_CORRUPT(d->err, "%s: expected %zu nulls in the validity "
                       "bitmap, found %zu", d->where, nulls, zeros);
  if ((n & 7) && ((*bits)[n / 8] >> (n & 7)) != 0)
    return DPS_CORRUPT(d->err, "%s: expected zero bits past the last value "
                       "in the validity bitmap", d->where);
  return DPS_OK;
}

/* A page's values must use its bytes to the last: DPS_OK when rd is at
 * the end, else the error naming the bytes left over. */
static dps_status page_end(const dps_rd *rd, const char *where,
                           dps_error *err) {
  if (rd->p == rd->end) return DPS_OK;
  return DPS_CORRUPT(err, "%s: expected the page to end after its values, "
                     "found %lld more bytes", where,
                     (long long)(rd->end - rd->p));
}

dps_status dps__cascade_decode_dict(dps_type t, const uint8_t *raw, size_t len,
                                    size_t n, size_t nulls,
                                    dps_column_data *entries,
                                    uint32_t *codes_into,
                                    const uint32_t **codes,
                                    const uint8_t **validity, bool *is_dict,
                                    dps_scratch *scratch, const char *where,
                                    dps_error *err) {
  *is_dict = false;
  dps__scratch_reset(scratch);
  dps_dec d = {raw, where, err, scratch};
  dps_rd rd = {raw, raw + len};
  const uint8_t *bits = NULL;
  dps_status s = read_validity(&d, &rd, n, nulls, &bits);
  if (s != DPS_OK || nulls == n || rd.p == rd.end || rd.p[0] != DPS_SCHEME_DICT)
    return s;
  rd.p++;
  dps__column_data_reset(entries);
  dps_values v = values_of(t, n);
  dps_dict_parts dp;
  s = dps__dict_read(&d, &rd, &v, 1, &dp, &entries->data, codes_into);
  if (s == DPS_ENOMEM) return dps__fail(err, s, "%s: out of memory", where);
  if (s != DPS_OK) return s;
  if ((s = page_end(&rd, where, err)) != DPS_OK) return s;
  if (v.kind == DPS_KIND_BYTES) {
    if (dps__buf_put_u64(&entries->offsets, 0) != DPS_OK ||
        dps__buf_append(&entries->offsets, dp.ends, dp.n * sizeof *dp.ends) != DPS_OK)
      return dps__fail(err, DPS_ENOMEM, "%s: out of memory", where);
  } else {
    if (dps__buf_append(&entries->values, dp.values, (size_t)dp.n * v.width) != DPS_OK)
      return dps__fail(err, DPS_ENOMEM, "%s: out of memory", where);
    for (uint32_t k = 0; t == DPS_TYPE_BOOL && k < dp.n; k++)
      if (((const uint8_t *)dp.values)[k] > 1)
        return DPS_CORRUPT(err, "%s: dictionary entry %u: expected a bool 0 "
                           "or 1, found %u", where, k,
                           ((const uint8_t *)dp.values)[k]);
  }
  entries->length = dp.n;
  *codes = dp.codes;
  *validity = bits;
  *is_dict = true;
  return DPS_OK;
}

dps_status dps__cascade_for_view(dps_type t, const uint8_t *raw, size_t len,
                                 size_t n, size_t nulls, dps_for_view *fv,
                                 bool *is_for, const char *where,
                                 dps_error *err) {
  *is_for = false;
  dps_values v = values_of(t, n);
  if (nulls != 0 || n == 0 || len == 0 || v.kind != DPS_KIND_INT ||
      raw[0] != DPS_SCHEME_FOR)
    return DPS_OK;
  dps_dec d = {raw, where, err, NULL};
  dps_rd rd = {raw + 1, raw + len};
  dps_for_node f;
  dps_status s = dps__for_read(&d, &rd, &v, &f);
  if (s != DPS_OK) return s;
  if ((s = page_end(&rd, where, err)) != DPS_OK) return s;
  *fv = (dps_for_view){n, v.width, v.is_signed, f.base, f.bits, f.packed,
                       f.n_patches, f.pos, f.val};
  *is_for = true;
  return DPS_OK;
}

/* Little-endian word `k` of T/8 bytes at p (fixed-size copies: loads). */
static uint64_t word_at(const uint8_t *p, unsigned bytes, size_t k) {
  p += k * bytes;
  switch (bytes) {
    case 1: return p[0];
    case 2: { uint16_t x; memcpy(&x, p, 2); return x; }
    case 4: { uint32_t x; memcpy(&x, p, 4); return x; }
    default: { uint64_t x; memcpy(&x, p, 8); return x; }
  }
}

/* dps__for_view_get for one value width W (bytes): T, L and the lane
 * arithmetic are constants, so divisions are shifts. */
static inline void for_view_get_w(const dps_for_view *v, unsigned W,
                                  const uint32_t *rows, size_t k, size_t row0,
                                  int64_t *out) {
  const unsigned T = 8 * W, L = 1024 / T, b = v->bits;
  const size_t vbytes = DPS_PACKED_BYTES(b);
  const uint64_t tmask = T == 64 ? ~(uint64_t)0 : (((uint64_t)1 << T) - 1);
  const uint64_t bmask = b == 64 ? ~(uint64_t)0 : (((uint64_t)1 << b) - 1);
  const unsigned shift = 64 - T;
  /* The first patch at or after the first row asked for. */
  uint32_t pi = 0, hi = v->n_patches;
  size_t first = k ? rows[0] - row0 : 0;
  while (pi < hi) {
    uint32_t mid = pi + (hi - pi) / 2;
    if (dps__load_u32(v->patch_pos + 4 * (size_t)mid) < first) pi = mid + 1;
    else hi = mid;
  }
  for (size_t j = 0; j < k; j++) {
    size_t row = rows[j] - row0, vec = row / 1024, i = row % 1024;
    uint64_t x = 0;
    if (b > 0) {
      const uint8_t *pv = v->packed + vec * vbytes;
      size_t lane = i % L, r = i / L, p = r * b, w = p / T, sh = p % T;
      x = word_at(pv, W, w * L + lane) >> sh;
      if (sh + b > T) x |= word_at(pv, W, (w + 1) * L + lane) << (T - sh);
      x &= bmask;
    }
    x = (x + v->base) & tmask;
    if (pi < v->n_patches) {
      while (pi < v->n_patches && dps__load_u32(v->patch_pos + 4 * (size_t)pi) < row) pi++;
      if (pi < v->n_patches && dps__load_u32(v->patch_pos + 4 * (size_t)pi) == row)
        x = word_at(v->patch_val, W, pi);
    }
    out[j] = v->is_signed ? (int64_t)(x << shift) >> shift : (int64_t)x;
  }
}

void dps__for_view_get(const dps_for_view *v, const uint32_t *rows, size_t k,
                       size_t row0, int64_t *out) {
  switch (v->width) {
    case 1: for_view_get_w(v, 1, rows, k, row0, out); break;
    case 2: for_view_get_w(v, 2, rows, k, row0, out); break;
    case 4: for_view_get_w(v, 4, rows, k, row0, out); break;
    default: for_view_get_w(v, 8, rows, k, row0, out); break;
  }
}

dps_status dps__cascade_page_sum(dps_type t, const uint8_t *raw, size_t len,
                                 size_t n, size_t nulls, dps_scratch *scratch,
                                 dps_i128 *sum, bool *done, const char *where,
                                 dps_error *err) {
  *done = false;
  dps_values v = values_of(t, n);
  if (nulls != 0 || n == 0 || len == 0 || v.kind != DPS_KIND_INT) return DPS_OK;
  dps__scratch_reset(scratch);
  dps_dec d = {raw, where, err, scratch};
  dps_rd rd = {raw + 1, raw + len};
  dps_status s = DPS_OK;
  switch (raw[0]) {
    case DPS_SCHEME_FOR:
      s = dps__for_sum(&d, &rd, &v, sum, done);
      break;
    case DPS_SCHEME_CONSTANT: {
      const uint8_t *p;
      s = dps__rd_bytes(&d, &rd, v.width, &p, "constant value");
      if (s != DPS_OK) return s;
      uint64_t bits = 0;
      for (unsigned k = v.width; k-- > 0;) bits = (bits << 8) | p[k];
      dps_values one = v;
      one.v = &bits;
      one.n = 1;
      uint64_t key = dps__val_key(&one, 0);
      dps_i128 x = v.is_signed ? (dps_i128)key - ((dps_i128)1 << (8 * v.width - 1))
                               : (dps_i128)key;
      *sum = x * (dps_i128)n;
      *done = true;
      break;
    }
    case DPS_SCHEME_DICT: {
      dps_buf unused = {0};
      dps_dict_parts dp;
      s = dps__dict_read(&d, &rd, &v, 1, &dp, &unused, NULL);
      dps__buf_free(&unused);
      if (s != DPS_OK) return s == DPS_ENOMEM ? dps__fail(err, s, "%s: out of memory", where) : s;
      /* Four histograms, a code's count spread over them: runs of one
       * code would otherwise wait on their own increments. */
      size_t nd = dp.n ? dp.n : 1;
      uint32_t *cnt = dps__dec_alloc(&d, 4 * nd, sizeof *cnt);
      if (cnt == NULL) return dps__fail(err, DPS_ENOMEM, "%s: out of memory", where);
      memset(cnt, 0, 4 * nd * sizeof *cnt);
      size_t i = 0;
      for (; i + 4 <= n; i += 4) {
        cnt[dp.codes[i]]++;
        cnt[nd + dp.codes[i + 1]]++;
        cnt[2 * nd + dp.codes[i + 2]]++;
        cnt[3 * nd + dp.codes[i + 3]]++;
      }
      for (; i < n; i++) cnt[dp.codes[i]]++;
      for (size_t k = 0; k < dp.n; k++)
        cnt[k] += cnt[nd + k] + cnt[2 * nd + k] + cnt[3 * nd + k];
      dps_values dv = v;
      dv.v = dp.values;
      dv.n = dp.n;
      dps_i128 total = 0;
      for (uint32_t k = 0; k < dp.n; k++) {
        uint64_t key = dps__val_key(&dv, k);
        dps_i128 x = v.is_signed ? (dps_i128)key - ((dps_i128)1 << (8 * v.width - 1))
                                 : (dps_i128)key;
        total += x * cnt[k];
      }
      *sum = total;
      *done = true;
      break;
    }
    default:
      return DPS_OK;
  }
  if (s == DPS_ENOMEM) return dps__fail(err, s, "%s: out of memory", where);
  if (s == DPS_OK && *done) s = page_end(&rd, where, err);
  return s;
}

dps_status dps__cascade_decode_page_ex(dps_type t, const uint8_t *raw,
                                       size_t len, size_t n, size_t nulls,
                                       bool check_utf8, dps_column_data *c,
                                       dps_scratch *scratch, const char *where,
                                       dps_error *err) {
  dps__scratch_reset(scratch);
  dps_dec d = {raw, where, err, scratch};
  dps_rd rd = {raw, raw + len};
  const uint8_t *bits = NULL;
  dps_status s = read_validity(&d, &rd, n, nulls, &bits);
  if (s != DPS_OK) return s;
  dps_values v = values_of(t, n);
  if (v.kind != DPS_KIND_BYTES) {
    if (dps__buf_reserve(&c->values, n * v.width) != DPS_OK) goto oom;
    uint8_t *dst = c->values.data + c->values.len;
    if (nulls == n) {
      if (n) memset(dst, 0, n * v.width);
    } else {
      s = dps__node_decode(&d, &rd, &v, 1, dst, NULL);
      if (s == DPS_ENOMEM) goto oom;
      if (s != DPS_OK) return s;
      if (bits != NULL) zero_nulls(dst, v.width, bits, n);
      if (t == DPS_TYPE_BOOL)
        for (size_t i = 0; i < n; i++)
          if (dst[i] > 1)
            return DPS_CORRUPT(err, "%s: value %zu: expected a bool 0 or 1, "
                               "found %u", where, i, dst[i]);
    }
    c->values.len += n * v.width;
  } else {
    if (c->offsets.len == 0 && dps__buf_put_u64(&c->offsets, 0) != DPS_OK) goto oom;
    if (dps__buf_reserve(&c->offsets, 8 * n) != DPS_OK) goto oom;
    int64_t *ends = (int64_t *)(void *)(c->offsets.data + c->offsets.len);
    int64_t base = (int64_t)c->data.len;
    if (nulls == n) {
      for (size_t i = 0; i < n; i++) ends[i] = base;
    } else {
      dps_bytes_out bout = {&c->data, base, ends};
      s = dps__node_decode(&d, &rd, &v, 1, NULL, &bout);
      if (s == DPS_ENOMEM) goto oom;
      if (s != DPS_OK) return s;
      /* Bytes decoders build ends as running sums of lengths, so they
       * ascend by construction and the last must be where writing ended;
       * the per-value pass is for null slots and verify's UTF-8 check. */
      if (n > 0 && ends[n - 1] != (int64_t)c->data.len)
        return DPS_CORRUPT(err, "%s: expected the values to end at byte "
                           "%lld of the batch, found %lld", where,
                           (long long)c->data.len, (long long)ends[n - 1]);
      int64_t prev = base;
      for (size_t i = 0; (bits != NULL || check_utf8) && i < n; i++) {
        if (ends[i] < prev || ends[i] > (int64_t)c->data.len)
          return DPS_CORRUPT(err, "%s: value %zu: string offsets out of order",
                             where, i);
        if (bits != NULL && !((bits[i >> 3] >> (i & 7)) & 1) && ends[i] != prev)
          return DPS_CORRUPT(err, "%s: value %zu is null: expected an empty "
                             "value, found %lld bytes", where, i,
                             (long long)(ends[i] - prev));
        if (check_utf8 && t == DPS_TYPE_STRING && ends[i] > prev) {
          size_t bad = dps__utf8_check(c->data.data + prev, (size_t)(ends[i] - prev));
          if (bad != SIZE_MAX)
            return DPS_CORRUPT(err, "%s: value %zu: expected UTF-8, found "
                               "byte 0x%02x at byte %zu of the value", where,
                               i, c->data.data[prev + (int64_t)bad], bad);
        }
        prev = ends[i];
      }
    }
    c->offsets.len += 8 * n;
  }
  if ((s = page_end(&rd, where, err)) != DPS_OK) return s;
  if (dps__column_data_add_validity(c, bits, n, nulls) != DPS_OK) goto oom;
  return DPS_OK;
oom:
  return dps__fail(err, DPS_ENOMEM, "%s: out of memory decoding page", where);
}
