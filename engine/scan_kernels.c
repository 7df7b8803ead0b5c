/* scan_kernels.c - value kernels of scans (engine/scan_kernels.h). */
#include "engine/scan_kernels.h"
#include "engine/scan_body.h"

#include <stdlib.h>
#include <string.h>

SB_DEFINE(, scalar)

const dps__scan_simd *dps__scan_simd_for(dps_isa isa) {
#if SB_X86
  if (isa == DPS_ISA_AVX512) return &dps__scan_simd_avx512;
  if (isa == DPS_ISA_AVX2) return &dps__scan_simd_avx2;
#else
  (void)isa;
#endif
  return &dps__scan_simd_scalar;
}

void dps__kernel_code_match(const uint32_t *codes, uint64_t mask, size_t n,
                            uint8_t *m) {
  dps__scan_simd_for(dps__isa_active())->code_match(codes, mask, n, m);
}

bool dps__kernel_and_any(uint8_t *acc, const uint8_t *m, size_t n) {
  return dps__scan_simd_for(dps__isa_active())->and_any(acc, m, n);
}

void dps__kernel_range_isa(dps_isa isa, const void *v, unsigned width,
                           bool is_signed, uint64_t klo, uint64_t khi,
                           size_t n, uint8_t *m) {
  dps__scan_simd_for(isa)->range(v, width, is_signed, klo, khi, n, m);
}

static const uint8_t empty_bytes[1];

/* Byte value i of a bytes column. */
static void bytes_at(const dps_column_data *d, size_t i, const uint8_t **p,
                     size_t *n) {
  const int64_t *o = (const int64_t *)(void *)d->offsets.data;
  *p = d->data.data ? d->data.data + o[i] : empty_bytes;
  *n = (size_t)(o[i + 1] - o[i]);
}

static bool in_keys(const uint64_t *keys, size_t nk, uint64_t k) {
  if (nk <= 8) {
    bool hit = false;
    for (size_t j = 0; j < nk; j++) hit |= keys[j] == k;
    return hit;
  }
  size_t lo = 0, hi = nk;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (keys[mid] < k) lo = mid + 1;
    else hi = mid;
  }
  return lo < nk && keys[lo] == k;
}

static const double POW10D[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8,
                                1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
                                1e17, 1e18};

static const int64_t POW10I[] = {
    1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000,
    1000000000, 10000000000LL, 100000000000LL, 1000000000000LL,
    10000000000000LL, 100000000000000LL, 1000000000000000LL,
    10000000000000000LL, 100000000000000000LL, 1000000000000000000LL};

double dps__pow10d(int k) { return POW10D[k]; }
int64_t dps__pow10i(int k) { return POW10I[k]; }

double dps__value_double(dps_type t, const uint8_t *p, int scale) {
  uint64_t key = dps__key_of(t, p);
  double x = dps__domain_of(t) == DPS_D_UNSIGNED ? (double)key
                                                 : (double)dps__key_signed(key);
  return x / POW10D[scale];
}

/* The key a leaf compares for fixed-width value i. */
static uint64_t leaf_key(const dps_leaf *lf, const uint8_t *vals, size_t i) {
  const uint8_t *p = vals + i * dps_type_width(lf->type);
  if (lf->dom != DPS_D_DOUBLE) return dps__key_of(lf->type, p);
  return dps__fkey(dps__value_double(lf->type, p, lf->scale));
}

void dps__kernel_leaf(const dps_leaf *lf, const dps_column_data *d, size_t off,
                      size_t n, uint8_t *m) {
  if (lf->empty) {
    memset(m, 0, n);
    return;
  }
  if (lf->dom == DPS_D_BYTES) {
    for (size_t i = 0; i < n; i++) {
      const uint8_t *p;
      size_t len;
      bytes_at(d, off + i, &p, &len);
      bool hit;
      if (lf->kind == DPS_LF_PREFIX) {
        hit = len >= lf->lo.n && (lf->lo.n == 0 || memcmp(p, lf->lo.p, lf->lo.n) == 0);
      } else if (lf->kind == DPS_LF_SET) {
        hit = false;
        /* Length and first byte before memcmp: most keys differ there. */
        for (size_t k = 0; k < lf->n_keys && !hit; k++)
          hit = len == lf->strs[k].n &&
                (len == 0 || (p[0] == lf->strs[k].p[0] &&
                              memcmp(p, lf->strs[k].p, len) == 0));
      } else {
        hit = true;
        if (lf->has_lo) {
          int c = dps__bytes_cmp(p, len, lf->lo.p, lf->lo.n);
          hit = lf->lo_incl ? c >= 0 : c > 0;
        }
        if (hit && lf->has_hi) {
          int c = dps__bytes_cmp(p, len, lf->hi.p, lf->hi.n);
          hit = lf->hi_incl ? c <= 0 : c < 0;
        }
      }
      m[i] = hit;
    }
    return;
  }
  size_t w = dps_type_width(lf->type);
  const uint8_t *vals = d->values.data + off * w;
  if (lf->kind == DPS_LF_RANGE &&
      (lf->dom == DPS_D_SIGNED || lf->dom == DPS_D_UNSIGNED)) {
    dps__kernel_range_isa(dps__isa_active(), vals, (unsigned)w,
                          lf->dom == DPS_D_SIGNED, lf->klo, lf->khi, n, m);
    return;
  }
  for (size_t i = 0; i < n; i++) {
    uint64_t k = leaf_key(lf, vals, i);
    m[i] = lf->kind == DPS_LF_RANGE ? (k >= lf->klo && k <= lf->khi)
                                    : in_keys(lf->keys, lf->n_keys, k);
  }
  if (lf->n_dkeys > 0) {
    /* Float literals of an IN list: the value as a double. */
    dps_leaf as_double = *lf;
    as_double.dom = DPS_D_DOUBLE;
    for (size_t i = 0; i < n; i++)
      m[i] |= in_keys(lf->dkeys, lf->n_dkeys, leaf_key(&as_double, vals, i));
  }
}


/* Appends n validity bits (NULL = all valid) to out's bitmap, creating it
 * (all valid so far) at the first null. */
static dps_status add_validity(dps_column_data *out, const uint8_t *bits,
                               const uint8_t *sel, size_t n, size_t hits) {
  size_t nulls = 0;
  if (bits != NULL)
    for (size_t i = 0; i < n; i++) nulls += (sel == NULL || sel[i]) && !dps__bit(bits, i);
  if (nulls == 0) return dps__column_data_add_validity(out, NULL, hits, 0);
  size_t bytes = (hits + 7) / 8;
  uint8_t *tmp = calloc(bytes ? bytes : 1, 1);
  if (tmp == NULL) return DPS_ENOMEM;
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    if (sel != NULL && !sel[i]) continue;
    if (dps__bit(bits, i)) tmp[k >> 3] |= (uint8_t)(1u << (k & 7));
    k++;
  }
  dps_status s = dps__column_data_add_validity(out, tmp, hits, nulls);
  free(tmp);
  return s;
}

dps_status dps__kernel_dict_expand(dps_type t, const dps_column_data *entries,
                                   const uint32_t *codes,
                                   const uint8_t *validity, size_t n,
                                   dps_column_data *out) {
  if (dps__type_is_var(t)) {
    if (dps__buf_put_u64(&out->offsets, 0) != DPS_OK ||
        dps__buf_reserve(&out->offsets, 8 * n) != DPS_OK)
      return DPS_ENOMEM;
    int64_t end = 0;
    for (size_t i = 0; i < n; i++) {
      if (validity == NULL || dps__bit(validity, i)) {
        const uint8_t *p;
        size_t len;
        bytes_at(entries, codes[i], &p, &len);
        if (dps__buf_append(&out->data, p, len) != DPS_OK) return DPS_ENOMEM;
        end += (int64_t)len;
      }
      dps__buf_put_u64(&out->offsets, (uint64_t)end);
    }
  } else {
    size_t w = dps_type_width(t);
    if (dps__buf_reserve(&out->values, n * w) != DPS_OK) return DPS_ENOMEM;
    uint8_t *dst = out->values.data + out->values.len;
    const uint8_t *src = entries->values.data;
    switch (w) {
      case 1: for (size_t i = 0; i < n; i++) dst[i] = src[codes[i]]; break;
      case 2: for (size_t i = 0; i < n; i++) memcpy(dst + 2 * i, src + 2 * (size_t)codes[i], 2); break;
      case 4: for (size_t i = 0; i < n; i++) memcpy(dst + 4 * i, src + 4 * (size_t)codes[i], 4); break;
      default: for (size_t i = 0; i < n; i++) memcpy(dst + 8 * i, src + 8 * (size_t)codes[i], 8); break;
    }
    if (validity != NULL)
      for (size_t i = 0; i < n; i++)
        if (!dps__bit(validity, i)) memset(dst + i * w, 0, w);
    out->values.len += n * w;
  }
  return add_validity(out, validity, NULL, n, n);
}

dps_status dps__kernel_gather(dps_type t, const dps_column_data *src,
                              const uint8_t *sel, size_t n, size_t hits,
                              dps_column_data *out) {
  const uint8_t *bits = src->validity.len ? src->validity.data : NULL;
  if (dps__type_is_var(t)) {
    if (out->offsets.len == 0 && dps__buf_put_u64(&out->offsets, 0) != DPS_OK)
      return DPS_ENOMEM;
    if (dps__buf_reserve(&out->offsets, 8 * hits) != DPS_OK) return DPS_ENOMEM;
    int64_t end;
    memcpy(&end, out->offsets.data + out->offsets.len - 8, 8);
    for (size_t i = 0; i < n; i++) {
      if (!sel[i]) continue;
      const uint8_t *p;
      size_t len;
      bytes_at(src, i, &p, &len);
      if (len && dps__buf_append(&out->data, p, len) != DPS_OK) return DPS_ENOMEM;
      end += (int64_t)len;
      dps__buf_put_u64(&out->offsets, (uint64_t)end);
    }
  } else {
    size_t w = dps_type_width(t);
    /* One value of slack: the branch-free copy writes every row's value
     * and advances only past selected ones. */
    if (dps__buf_reserve(&out->values, (hits + 1) * w) != DPS_OK) return DPS_ENOMEM;
    uint8_t *dst = out->values.data + out->values.len;
    const uint8_t *v = src->values.data;
    size_t k = 0;
    if (hits == n) {
      memcpy(dst, v, n * w);
    } else {
      switch (w) {
        case 1: for (size_t i = 0; i < n; i++) { dst[k] = v[i]; k += sel[i]; } break;
        case 2: for (size_t i = 0; i < n; i++) { memcpy(dst + 2 * k, v + 2 * i, 2); k += sel[i]; } break;
        case 4: for (size_t i = 0; i < n; i++) { memcpy(dst + 4 * k, v + 4 * i, 4); k += sel[i]; } break;
        default: for (size_t i = 0; i < n; i++) { memcpy(dst + 8 * k, v + 8 * i, 8); k += sel[i]; } break;
      }
    }
    out->values.len += hits * w;
  }
  return add_validity(out, bits, sel, n, hits);
}

bool dps__kernel_load_numeric(dps_type t, const dps_column_data *d, size_t row0,
                              const uint32_t *idx, size_t n, int64_t *vi,
                              double *vf, uint8_t *vn) {
  const uint8_t *bits = d->validity.len ? d->validity.data : NULL;
  const uint8_t *v = d->values.data;
  bool ovf = false;
  /* Every row of a run selected: a plain loop over consecutive values. */
  bool dense = n > 0 && idx[n - 1] - idx[0] == n - 1;
#define LOAD_INT(T)                                                        \
  if (dense) {                                                             \
    const T *src = (const T *)(const void *)v + (idx[0] - row0);           \
    for (size_t k = 0; k < n; k++) vi[k] = (int64_t)src[k];                \
  } else {                                                                 \
    for (size_t k = 0; k < n; k++) {                                       \
      T x;                                                                 \
      memcpy(&x, v + (idx[k] - row0) * sizeof(T), sizeof(T));              \
      vi[k] = (int64_t)x;                                                  \
    }                                                                      \
  }
  switch (t) {
    case DPS_TYPE_INT8: LOAD_INT(int8_t) break;
    case DPS_TYPE_INT16: LOAD_INT(int16_t) break;
    case DPS_TYPE_INT32: case DPS_TYPE_DATE: LOAD_INT(int32_t) break;
    case DPS_TYPE_UINT8: case DPS_TYPE_BOOL: LOAD_INT(uint8_t) break;
    case DPS_TYPE_UINT16: LOAD_INT(uint16_t) break;
    case DPS_TYPE_UINT32: LOAD_INT(uint32_t) break;
    case DPS_TYPE_UINT64:
      for (size_t k = 0; k < n; k++) {
        uint64_t x;
        memcpy(&x, v + (idx[k] - row0) * 8, 8);
        ovf |= x > (uint64_t)INT64_MAX;
        vi[k] = (int64_t)x;
      }
      break;
    case DPS_TYPE_FLOAT32:
      for (size_t k = 0; k < n; k++) {
        float x;
        memcpy(&x, v + (idx[k] - row0) * 4, 4);
        vf[k] = x;
      }
      break;
    case DPS_TYPE_FLOAT64:
      for (size_t k = 0; k < n; k++) memcpy(&vf[k], v + (idx[k] - row0) * 8, 8);
      break;
    default: LOAD_INT(int64_t) break;
  }
#undef LOAD_INT
  if (bits == NULL) {
    memset(vn, 0, n);
  } else {
    for (size_t k = 0; k < n; k++) vn[k] = !dps__bit(bits, idx[k] - row0);
    /* A null's value must not raise an overflow. */
    if (ovf && t == DPS_TYPE_UINT64) {
      ovf = false;
      for (size_t k = 0; k < n; k++) ovf |= !vn[k] && vi[k] < 0;
    }
  }
  return ovf;
}

void dps__kernel_to_double(dps_type t, const dps_column_data *d, size_t row0,
                           const uint32_t *idx, size_t n, int scale,
                           double *vf) {
  const uint8_t *v = d->values.data;
  for (size_t k = 0; k < n; k++)
    vf[k] = dps__value_double(t, v + (idx[k] - row0) * dps_type_width(t), scale);
}


bool dps__kernel_arith(int op, bool is_float, int scale, bool safe,
                       bool a_float, int a_scale, bool b_float, int b_scale,
                       const int64_t *ai, const double *af, const uint8_t *an,
                       const int64_t *bi, const double *bf, const uint8_t *bn,
                       size_t n, int64_t *vi, double *vf, uint8_t *vn) {
  for (size_t k = 0; k < n; k++) vn[k] = an[k] | bn[k];
  if (is_float) {
    for (size_t k = 0; k < n; k++) {
      double x = a_float ? af[k] : (double)ai[k] / POW10D[a_scale];
      double y = b_float ? bf[k] : (double)bi[k] / POW10D[b_scale];
      vf[k] = op == DPS_ADD ? x + y : op == DPS_SUB ? x - y : x * y;
    }
    return false;
  }
  bool ovf = false;
  int64_t fa = op == DPS_MUL ? 1 : POW10I[scale - a_scale];
  int64_t fb = op == DPS_MUL ? 1 : POW10I[scale - b_scale];
  /* When the largest magnitudes cannot overflow, a loop without checks
   * (which vectorizes); else every row is checked. */
  const dps__scan_simd *simd = dps__scan_simd_for(dps__isa_active());
  if (safe) {  /* the caller's bounds rule overflow out */
    simd->arith(op, ai, fa, bi, fb, n, vi);
    return false;
  }
  uint64_t ma = 0, mb = 0;
  simd->maxabs(ai, bi, n, &ma, &mb);
  dps_u128 sa = (dps_u128)ma * (uint64_t)fa, sb = (dps_u128)mb * (uint64_t)fb;
  dps_u128 bound = op == DPS_MUL ? (dps_u128)ma * mb : sa + sb;
  if (bound <= (dps_u128)INT64_MAX && sa <= (dps_u128)INT64_MAX &&
      sb <= (dps_u128)INT64_MAX) {
    simd->arith(op, ai, fa, bi, fb, n, vi);
    return false;
  }
  if (op == DPS_MUL) {
    for (size_t k = 0; k < n; k++) {
      int64_t r;
      ovf |= __builtin_mul_overflow(ai[k], bi[k], &r) & !vn[k];
      vi[k] = r;
    }
    return ovf;
  }
  for (size_t k = 0; k < n; k++) {
    int64_t x, y, r;
    bool o = __builtin_mul_overflow(ai[k], fa, &x);
    o |= __builtin_mul_overflow(bi[k], fb, &y);
    o |= op == DPS_ADD ? __builtin_add_overflow(x, y, &r)
                       : __builtin_sub_overflow(x, y, &r);
    ovf |= o & !vn[k];
    vi[k] = r;
  }
  return ovf;
}

bool dps__kernel_sum_fits(const int64_t *v, size_t n) {
  uint64_t m, unused;
  dps__scan_simd_for(dps__isa_active())->maxabs(v, v, n, &m, &unused);
  return (dps_u128)m * n <= (dps_u128)INT64_MAX;
}

int64_t dps__kernel_group_sum(const int64_t *v, const uint8_t *null,
                              const uint32_t *gid, uint32_t g, size_t n,
                              int64_t *count) {
  return dps__scan_simd_for(dps__isa_active())->sum(v, null, gid, g, n, count);
}

dps_i128 dps__kernel_sum_column(dps_type t, const uint8_t *v, size_t n) {
  dps_i128 total = 0;
#define SUM_SMALL(T)                                                       \
  for (size_t at = 0; at < n; at += 1024) {                                \
    size_t end = at + 1024 < n ? at + 1024 : n;                            \
    int64_t s = 0;                                                         \
    for (size_t i = at; i < end; i++) {                                    \
      T x;                                                                 \
      memcpy(&x, v + i * sizeof(T), sizeof(T));                            \
      s += (int64_t)x;                                                     \
    }                                                                      \
    total += s;                                                            \
  }
  switch (t) {
    case DPS_TYPE_INT8: SUM_SMALL(int8_t) break;
    case DPS_TYPE_INT16: SUM_SMALL(int16_t) break;
    case DPS_TYPE_INT32: SUM_SMALL(int32_t) break;
    case DPS_TYPE_UINT8: SUM_SMALL(uint8_t) break;
    case DPS_TYPE_UINT16: SUM_SMALL(uint16_t) break;
    case DPS_TYPE_UINT32: SUM_SMALL(uint32_t) break;
    case DPS_TYPE_UINT64:
      for (size_t i = 0; i < n; i++) {
        uint64_t x;
        memcpy(&x, v + 8 * i, 8);
        total += (dps_i128)x;
      }
      break;
    default:
      for (size_t i = 0; i < n; i++) {
        int64_t x;
        memcpy(&x, v + 8 * i, 8);
        total += x;
      }
  }
#undef SUM_SMALL
  return total;
}

void dps__kernel_accumulate(dps_agg_fn fn, bool is_float, const int64_t *vi,
                            const double *vf, const uint8_t *vn, size_t n,
                            int64_t *count, dps_i128 *isum, double *fsum) {
  int64_t c = 0;
  for (size_t k = 0; k < n; k++) c += !vn[k];
  *count += c;
  if (fn != DPS_AGG_SUM && fn != DPS_AGG_AVG) return;
  if (is_float) {
    double s = *fsum;
    for (size_t k = 0; k < n; k++)
      if (!vn[k]) s += vf[k];
    *fsum = s;
    return;
  }
  dps_i128 s = 0;  /* exact: at most 1024 values of 64 bits */
  if (dps__kernel_sum_fits(vi, n)) {
    int64_t c2;
    s = dps__scan_simd_for(dps__isa_active())->sum(vi, vn, NULL, 0, n, &c2);
  } else {
    for (size_t k = 0; k < n; k++) s += vn[k] ? 0 : vi[k];
  }
  *isum += s;
}
