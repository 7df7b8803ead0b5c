/* zone.c - zone maps: inclusive min/max bounds per page and row group
 * (spec/FORMAT.md §6.6). */
#include "format/format.h"

#include <math.h>
#include <string.h>

typedef enum { K_SIGNED, K_UNSIGNED, K_FLOAT, K_BYTES } kind;

static kind kind_of(dps_type t) {
  if (dps__type_is_var(t)) return K_BYTES;
  if (dps__type_is_float(t)) return K_FLOAT;
  if (dps__type_is_signed(t)) return K_SIGNED;
  return K_UNSIGNED;  /* bool and uintN */
}

/* Loads value i of a fixed-width array into the comparison domain. */
static int64_t load_signed(dps_type t, const void *v, size_t i) {
  switch (dps_type_width(t)) {
    case 1: return ((const int8_t *)v)[i];
    case 2: return ((const int16_t *)v)[i];
    case 4: return ((const int32_t *)v)[i];
    default: return ((const int64_t *)v)[i];
  }
}

static uint64_t load_unsigned(dps_type t, const void *v, size_t i) {
  switch (dps_type_width(t)) {
    case 1: return ((const uint8_t *)v)[i];
    case 2: return ((const uint16_t *)v)[i];
    case 4: return ((const uint32_t *)v)[i];
    default: return ((const uint64_t *)v)[i];
  }
}

static double load_float(dps_type t, const void *v, size_t i) {
  return t == DPS_TYPE_FLOAT32 ? (double)((const float *)v)[i]
                               : ((const double *)v)[i];
}

/* Bounds are stored as one value of the type's own width, little-endian. */
static void store_fixed(dps_type t, uint8_t *dst, uint8_t *len, uint64_t bits) {
  size_t w = dps_type_width(t);
  for (size_t k = 0; k < w; k++) dst[k] = (uint8_t)(bits >> (8 * k));
  *len = (uint8_t)w;
}

static uint64_t load_fixed(const uint8_t *src, size_t w) {
  uint64_t v = 0;
  for (size_t k = w; k-- > 0;) v = (v << 8) | src[k];
  return v;
}

static int64_t sign_extend(uint64_t v, size_t w) {
  if (w >= 8) return (int64_t)v;
  unsigned shift = (unsigned)(64 - 8 * w);
  return (int64_t)(v << shift) >> shift;
}

static uint64_t float_bits(dps_type t, double d) {
  if (t == DPS_TYPE_FLOAT32) {
    float f = (float)d;
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
  }
  uint64_t u;
  memcpy(&u, &d, 8);
  return u;
}

static double bits_float(dps_type t, uint64_t bits) {
  if (t == DPS_TYPE_FLOAT32) {
    uint32_t u = (uint32_t)bits;
    float f;
    memcpy(&f, &u, 4);
    return f;
  }
  double d;
  memcpy(&d, &bits, 8);
  return d;
}

static int bytes_cmp(const uint8_t *a, size_t an, const uint8_t *b, size_t bn) {
  size_t n = an < bn ? an : bn;
  int c = n ? memcmp(a, b, n) : 0;
  if (c != 0) return c;
  return an < bn ? -1 : an > bn;
}

static void set_bytes_min(dps_zone *z, const uint8_t *p, size_t n) {
  /* A prefix is never greater than the value: still a lower bound. */
  if (n > DPS_ZONE_MAX_BYTES) n = DPS_ZONE_MAX_BYTES;
  if (n) memcpy(z->min, p, n);
  z->min_len = (uint8_t)n;
  z->has_min = 1;
}

static void set_bytes_max(dps_zone *z, const uint8_t *p, size_t n) {
  if (n <= DPS_ZONE_MAX_BYTES) {
    if (n) memcpy(z->max, p, n);
    z->max_len = (uint8_t)n;
    z->has_max = 1;
    return;
  }
  /* [FMT-36] shorten to a prefix whose last byte is incremented: every
   * string starting with the original prefix sorts below it. */
  size_t k = DPS_ZONE_MAX_BYTES;
  while (k > 0 && p[k - 1] == 0xFF) k--;
  if (k == 0) {
    z->has_max = 0;
    z->max_len = 0;
    return;
  }
  memcpy(z->max, p, k);
  z->max[k - 1]++;
  z->max_len = (uint8_t)k;
  z->has_max = 1;
}

void dps__zone_compute(dps_type t, const dps_array_view *a, size_t from,
                       size_t n, dps_zone *z) {
  memset(z, 0, sizeof *z);
  kind k = kind_of(t);
  bool any = false;
  if (k == K_BYTES) {
    const uint8_t *minp = NULL, *maxp = NULL;
    size_t minn = 0, maxn = 0;
    for (size_t i = from; i < from + n; i++) {
      if (!dps_array_is_valid(a, i)) continue;
      const uint8_t *p = a->data + a->offsets[i];
      size_t len = (size_t)(a->offsets[i + 1] - a->offsets[i]);
      if (!any || bytes_cmp(p, len, minp, minn) < 0) { minp = p; minn = len; }
      if (!any || bytes_cmp(p, len, maxp, maxn) > 0) { maxp = p; maxn = len; }
      any = true;
    }
    if (any) {
      set_bytes_min(z, minp, minn);
      set_bytes_max(z, maxp, maxn);
    }
    return;
  }
  if (k == K_FLOAT) {
    double lo = 0, hi = 0;
    for (size_t i = from; i < from + n; i++) {
      if (!dps_array_is_valid(a, i)) continue;
      double d = load_float(t, a->values, i);
      if (isnan(d)) { z->nan_count++; continue; }
      if (!any || d < lo) lo = d;
      if (!any || d > hi) hi = d;
      any = true;
    }
    if (any) {
      /* [FMT-35] zero bounds are signed so either zero is covered. */
      if (lo == 0) lo = -0.0;
      if (hi == 0) hi = 0.0;
      store_fixed(t, z->min, &z->min_len, float_bits(t, lo));
      store_fixed(t, z->max, &z->max_len, float_bits(t, hi));
      z->has_min = z->has_max = 1;
    }
    return;
  }
  if (k == K_SIGNED) {
    int64_t lo = 0, hi = 0;
    for (size_t i = from; i < from + n; i++) {
      if (!dps_array_is_valid(a, i)) continue;
      int64_t v = load_signed(t, a->values, i);
      if (!any || v < lo) lo = v;
      if (!any || v > hi) hi = v;
      any = true;
    }
    if (any) {
      store_fixed(t, z->min, &z->min_len, (uint64_t)lo);
      store_fixed(t, z->max, &z->max_len, (uint64_t)hi);
      z->has_min = z->has_max = 1;
    }
    return;
  }
  uint64_t lo = 0, hi = 0;
  for (size_t i = from; i < from + n; i++) {
    if (!dps_array_is_valid(a, i)) continue;
    uint64_t v = load_unsigned(t, a->values, i);
    if (!any || v < lo) lo = v;
    if (!any || v > hi) hi = v;
    any = true;
  }
  if (any) {
    store_fixed(t, z->min, &z->min_len, lo);
    store_fixed(t, z->max, &z->max_len, hi);
    z->has_min = z->has_max = 1;
  }
}

/* Orders two stored bounds of type t: <0, 0, >0. */
static int bound_cmp(dps_type t, const uint8_t *a, size_t an, const uint8_t *b,
                     size_t bn) {
  size_t w = dps_type_width(t);
  switch (kind_of(t)) {
    case K_BYTES: return bytes_cmp(a, an, b, bn);
    case K_FLOAT: {
      double x = bits_float(t, load_fixed(a, w)), y = bits_float(t, load_fixed(b, w));
      if (x == 0 && y == 0) {  /* -0.0 sorts below +0.0 for bounds */
        return (signbit(y) != 0) - (signbit(x) != 0);
      }
      return x < y ? -1 : x > y;
    }
    case K_SIGNED: {
      int64_t x = sign_extend(load_fixed(a, w), w), y = sign_extend(load_fixed(b, w), w);
      return x < y ? -1 : x > y;
    }
    default: {
      uint64_t x = load_fixed(a, w), y = load_fixed(b, w);
      return x < y ? -1 : x > y;
    }
  }
}

void dps__zone_merge(dps_type t, dps_zone *into, const dps_zone *z) {
  into->nan_count += z->nan_count;
  if (z->has_min && (!into->has_min ||
                     bound_cmp(t, z->min, z->min_len, into->min, into->min_len) < 0)) {
    memcpy(into->min, z->min, z->min_len);
    into->min_len = z->min_len;
    into->has_min = 1;
  }
  /* An unknown upper bound (omitted max, [FMT-36]) stays unknown. A zone
   * with values but no max must poison the merged max. */
  bool z_has_values = z->has_min;
  if (z_has_values && !z->has_max) {
    into->has_max = 0;
    into->max_len = 0;
    into->max_unknown = 1;
    return;
  }
  if (into->max_unknown) return;
  if (z->has_max && (!into->has_max ||
                     bound_cmp(t, z->max, z->max_len, into->max, into->max_len) > 0)) {
    memcpy(into->max, z->max, z->max_len);
    into->max_len = z->max_len;
    into->has_max = 1;
  }
}

bool dps__zone_contains(dps_type t, const dps_zone *z, const dps_array_view *a,
                        size_t i) {
  uint8_t tmp[8];
  const uint8_t *p;
  size_t n;
  if (kind_of(t) == K_BYTES) {
    p = a->data + a->offsets[i];
    n = (size_t)(a->offsets[i + 1] - a->offsets[i]);
  } else {
    size_t w = dps_type_width(t);
    uint64_t bits;
    if (kind_of(t) == K_FLOAT) {
      double d = load_float(t, a->values, i);
      if (isnan(d)) return true;
      bits = float_bits(t, d);
    } else if (kind_of(t) == K_SIGNED) {
      bits = (uint64_t)load_signed(t, a->values, i);
    } else {
      bits = load_unsigned(t, a->values, i);
    }
    for (size_t k = 0; k < w; k++) tmp[k] = (uint8_t)(bits >> (8 * k));
    p = tmp;
    n = w;
  }
  if (!z->has_min) return false;  /* a zone with no bound holds no value */
  if (bound_cmp(t, p, n, z->min, z->min_len) < 0) return false;
  if (z->has_max && bound_cmp(t, p, n, z->max, z->max_len) > 0) return false;
  return true;
}

dps_status dps__zone_encode(const dps_zone *z, dps_buf *out) {
  dps_status s = DPS_OK;
  if (z->has_min) s = dps__tlv_put_bytes(out, 1, z->min, z->min_len);
  if (s == DPS_OK && z->has_max) s = dps__tlv_put_bytes(out, 2, z->max, z->max_len);
  if (s == DPS_OK && z->nan_count) s = dps__tlv_put_uint(out, 3, z->nan_count);
  return s;
}

dps_status dps__zone_decode(dps_type t, dps_tlv_reader *r, dps_zone *z,
                            dps_error *err) {
  memset(z, 0, sizeof *z);
  size_t w = dps_type_width(t);
  dps_tlv_field f;
  int got;
  while ((got = dps__tlv_next(r, &f, err)) > 0) {
    if (f.tag == 1 || f.tag == 2) {
      bool ok = kind_of(t) == K_BYTES ? f.length <= DPS_ZONE_MAX_BYTES
                                      : f.length == w;
      if (!ok)
        return DPS_CORRUPT(err, "%s: zone map bound: expected %s, found %zu "
                           "bytes (offset %llu)", r->file,
                           kind_of(t) == K_BYTES ? "at most 64 bytes"
                                                 : "the type's width",
                           f.length, (unsigned long long)f.offset);
      if (f.tag == 1) {
        memcpy(z->min, f.value, f.length);
        z->min_len = (uint8_t)f.length;
        z->has_min = 1;
      } else {
        memcpy(z->max, f.value, f.length);
        z->max_len = (uint8_t)f.length;
        z->has_max = 1;
      }
    } else if (f.tag == 3) {
      dps_status s = dps__tlv_get_uint(r, &f, &z->nan_count, err);
      if (s != DPS_OK) return s;
    }
  }
  if (got < 0) return (dps_status)got;
  if (z->has_min && !z->has_max && kind_of(t) == K_BYTES) z->max_unknown = 1;
  return DPS_OK;
}
