/* plain.c - encoding 0, plain (spec/FORMAT.md §4.2), and the decoded column
 * storage that batches point into. */
#include "format/format.h"

#include <string.h>

static size_t bitmap_bytes(size_t n) { return (n + 7) / 8; }

size_t dps__plain_size(dps_type t, const dps_array_view *a, size_t from,
                       size_t n, size_t nulls) {
  size_t size = nulls ? bitmap_bytes(n) : 0;
  if (t == DPS_TYPE_BOOL) return size + bitmap_bytes(n);
  if (!dps__type_is_var(t)) return size + n * dps_type_width(t);
  size += 4 * n;
  for (size_t i = from; i < from + n; i++)
    if (dps_array_is_valid(a, i))
      size += (size_t)(a->offsets[i + 1] - a->offsets[i]);
  return size;
}

/* Appends bits [from, from+n) of a bitmap as a new LSB-first bitmap. */
dps_status dps__bitmap_append(dps_buf *out, const uint8_t *bits, size_t from,
                           size_t n) {
  size_t nb = bitmap_bytes(n);
  dps_status s = dps__buf_reserve(out, nb);
  if (s != DPS_OK) return s;
  uint8_t *dst = out->data + out->len;
  memset(dst, 0, nb);
  if ((from & 7) == 0) {
    memcpy(dst, bits + from / 8, nb);
    if (n & 7) dst[nb - 1] &= (uint8_t)((1u << (n & 7)) - 1);
  } else {
    for (size_t i = 0; i < n; i++)
      if ((bits[(from + i) >> 3] >> ((from + i) & 7)) & 1)
        dst[i >> 3] |= (uint8_t)(1u << (i & 7));
  }
  out->len += nb;
  return DPS_OK;
}

dps_status dps__plain_encode(dps_type t, const dps_array_view *a, size_t from,
                             size_t n, size_t nulls, dps_buf *out) {
  dps_status s = DPS_OK;
  if (nulls) s = dps__bitmap_append(out, a->validity, from, n);
  if (s != DPS_OK) return s;
  if (t == DPS_TYPE_BOOL) {
    size_t nb = bitmap_bytes(n);
    if ((s = dps__buf_reserve(out, nb)) != DPS_OK) return s;
    uint8_t *dst = out->data + out->len;
    memset(dst, 0, nb);
    const uint8_t *v = a->values;
    for (size_t i = 0; i < n; i++)
      if (v[from + i] && dps_array_is_valid(a, from + i))
        dst[i >> 3] |= (uint8_t)(1u << (i & 7));
    out->len += nb;
    return DPS_OK;
  }
  if (!dps__type_is_var(t)) {
    size_t w = dps_type_width(t);
    if ((s = dps__buf_reserve(out, n * w)) != DPS_OK) return s;
    uint8_t *dst = out->data + out->len;
    /* Values are little-endian on disk; the supported hosts are too. */
    memcpy(dst, (const uint8_t *)a->values + from * w, n * w);
    if (nulls)  /* null slots hold zero so equal snapshots are equal bytes */
      for (size_t i = 0; i < n; i++)
        if (!dps_array_is_valid(a, from + i)) memset(dst + i * w, 0, w);
    out->len += n * w;
    return DPS_OK;
  }
  if ((s = dps__buf_reserve(out, 4 * n)) != DPS_OK) return s;
  uint8_t *lens = out->data + out->len;
  for (size_t i = 0; i < n; i++) {
    size_t r = from + i;
    uint32_t len = dps_array_is_valid(a, r)
                       ? (uint32_t)(a->offsets[r + 1] - a->offsets[r]) : 0;
    dps__store_u32(lens + 4 * i, len);
  }
  out->len += 4 * n;
  for (size_t i = 0; i < n && s == DPS_OK; i++) {
    size_t r = from + i;
    if (dps_array_is_valid(a, r))
      s = dps__buf_append(out, a->data + a->offsets[r],
                          (size_t)(a->offsets[r + 1] - a->offsets[r]));
  }
  return s;
}

void dps__column_data_reset(dps_column_data *c) {
  c->validity.len = c->values.len = c->offsets.len = c->data.len = 0;
  c->length = c->nulls = 0;
}

void dps__column_data_free(dps_column_data *c) {
  dps__buf_free(&c->validity);
  dps__buf_free(&c->values);
  dps__buf_free(&c->offsets);
  dps__buf_free(&c->data);
  c->length = c->nulls = 0;
}

void dps__column_data_view(const dps_column_data *c, dps_array_view *out) {
  memset(out, 0, sizeof *out);
  out->length = c->length;
  out->validity = c->nulls ? c->validity.data : NULL;
  out->values = c->values.data;
  if (c->offsets.len) {
    out->offsets = (const int64_t *)(const void *)c->offsets.data;
    /* A column of empty strings still needs a valid data pointer. */
    static const uint8_t empty[1];
    out->data = c->data.data ? c->data.data : empty;
    out->values = NULL;
  }
}

/* Appends n validity bits: from `bits` (LSB-first), or all `fill` when
 * NULL. A batch's pages hold whole 1024-value vectors but the last, so
 * appends are byte-aligned; the bit loop serves any other caller. */
static dps_status append_validity(dps_column_data *c, const uint8_t *bits,
                                  size_t n, int fill) {
  size_t at = c->length;
  size_t need = bitmap_bytes(at + n);
  dps_status s = dps__buf_reserve(&c->validity, need - c->validity.len);
  if (s != DPS_OK) return s;
  uint8_t *v = c->validity.data;
  memset(v + c->validity.len, 0, need - c->validity.len);
  if ((at & 7) == 0) {
    /* The usual case: whole bytes, copied or filled at once. */
    uint8_t *dst = v + at / 8;
    size_t nb = bitmap_bytes(n);
    if (bits != NULL) memcpy(dst, bits, nb);
    else memset(dst, fill ? 0xFF : 0, nb);
    if (n & 7) dst[nb - 1] &= (uint8_t)((1u << (n & 7)) - 1);
  } else {
    for (size_t i = 0; i < n; i++) {
      int bit = bits ? (bits[i >> 3] >> (i & 7)) & 1 : fill;
      if (bit) v[(at + i) >> 3] |= (uint8_t)(1u << ((at + i) & 7));
    }
  }
  c->validity.len = need;
  return DPS_OK;
}

static size_t count_zero_bits(const uint8_t *bits, size_t n);

dps_status dps__column_data_add_validity(dps_column_data *c,
                                         const uint8_t *validity, size_t n,
                                         size_t nulls) {
  /* One bitmap for the whole batch, materialised at the first null. */
  dps_status s = DPS_OK;
  if (nulls) {
    if (c->nulls == 0 && c->length > 0) {
      size_t have = c->length;
      c->length = 0;
      c->validity.len = 0;
      s = append_validity(c, NULL, have, 1);
      c->length = have;
    }
    /* No bitmap with nulls means every row is null (an all-null page). */
    if (s == DPS_OK) s = append_validity(c, validity, n, nulls == n ? 0 : 1);
  } else if (c->nulls > 0) {
    s = append_validity(c, NULL, n, 1);
  }
  if (s != DPS_OK) return s;
  c->length += n;
  c->nulls += nulls;
  return DPS_OK;
}

size_t dps__count_zero_bits(const uint8_t *bits, size_t n) {
  return count_zero_bits(bits, n);
}

static size_t count_zero_bits(const uint8_t *bits, size_t n) {
  size_t ones = 0;
  for (size_t i = 0; i < n / 8; i++) ones += (size_t)__builtin_popcount(bits[i]);
  for (size_t i = n & ~(size_t)7; i < n; i++) ones += (bits[i >> 3] >> (i & 7)) & 1;
  return n - ones;
}

dps_status dps__plain_decode(dps_type t, const uint8_t *raw, size_t len,
                             size_t n, size_t nulls, bool check_utf8,
                             dps_column_data *c, const char *where,
                             dps_error *err) {
  size_t vb = nulls ? bitmap_bytes(n) : 0;
  const uint8_t *validity = nulls ? raw : NULL;
  if (len < vb)
    return DPS_CORRUPT(err, "%s: expected a %zu-byte validity bitmap, found "
                       "%zu page bytes", where, vb, len);
  if (nulls) {
    size_t zeros = count_zero_bits(validity, n);
    if (zeros != nulls)
      return DPS_CORRUPT(err, "%s: expected %zu nulls in the validity bitmap, "
                         "found %zu", where, nulls, zeros);
    if ((n & 7) && (validity[vb - 1] >> (n & 7)) != 0)
      return DPS_CORRUPT(err, "%s: expected zero bits past the last value in "
                         "the validity bitmap", where);
  }
  const uint8_t *p = raw + vb;
  size_t rest = len - vb;
  dps_status s = DPS_OK;

  if (t == DPS_TYPE_BOOL || !dps__type_is_var(t)) {
    size_t w = t == DPS_TYPE_BOOL ? 1 : dps_type_width(t);
    size_t need = t == DPS_TYPE_BOOL ? bitmap_bytes(n) : n * w;
    if (rest != need)
      return DPS_CORRUPT(err, "%s: expected %zu value bytes for %zu %s values, "
                         "found %zu", where, need, n, dps_type_name(t), rest);
    if ((s = dps__buf_reserve(&c->values, n * w)) != DPS_OK) goto oom;
    uint8_t *dst = c->values.data + c->values.len;
    if (t == DPS_TYPE_BOOL) {
      for (size_t i = 0; i < n; i++) dst[i] = (p[i >> 3] >> (i & 7)) & 1;
    } else {
      memcpy(dst, p, n * w);
    }
    c->values.len += n * w;
  } else {
    if (rest / 4 < n)
      return DPS_CORRUPT(err, "%s: expected %zu 4-byte string lengths, found "
                         "%zu bytes", where, n, rest);
    const uint8_t *lens = p;
    const uint8_t *bytes = p + 4 * n;
    size_t avail = rest - 4 * n, used = 0;
    if (c->offsets.len == 0) {
      if ((s = dps__buf_put_u64(&c->offsets, 0)) != DPS_OK) goto oom;
    }
    if ((s = dps__buf_reserve(&c->offsets, 8 * n)) != DPS_OK) goto oom;
    int64_t base = (int64_t)c->data.len;
    int64_t *offs = (int64_t *)(void *)(c->offsets.data + c->offsets.len);
    for (size_t i = 0; i < n; i++) {
      uint32_t l = dps__load_u32(lens + 4 * i);
      if (l > avail - used)
        return DPS_CORRUPT(err, "%s: value %zu: expected a length of at most "
                           "%zu bytes, found %u", where, i, avail - used, l);
      if (validity && !((validity[i >> 3] >> (i & 7)) & 1) && l != 0)
        return DPS_CORRUPT(err, "%s: value %zu is null: expected length 0, "
                           "found %u", where, i, l);
      if (check_utf8 && t == DPS_TYPE_STRING) {
        size_t bad = dps__utf8_check(bytes + used, l);
        if (bad != SIZE_MAX)
          return DPS_CORRUPT(err, "%s: value %zu: expected UTF-8, found byte "
                             "0x%02x at byte %zu of the value", where, i,
                             bytes[used + bad], bad);
      }
      used += l;
      offs[i] = base + (int64_t)used;
    }
    if (used != avail)
      return DPS_CORRUPT(err, "%s: expected %zu string bytes, found %zu",
                         where, used, avail);
    c->offsets.len += 8 * n;
    if ((s = dps__buf_append(&c->data, bytes, used)) != DPS_OK) goto oom;
  }

  if ((s = dps__column_data_add_validity(c, validity, n, nulls)) != DPS_OK)
    goto oom;
  return DPS_OK;
oom:
  return dps__fail(err, DPS_ENOMEM, "%s: out of memory decoding page", where);
}
