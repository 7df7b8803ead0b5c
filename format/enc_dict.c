/* enc_dict.c - scheme 5, dictionary: the distinct values in ascending order
 * as one child node, and each value's code (its index in the dictionary)
 * as another. Codes order like the values, so equality and range
 * predicates can run on codes; strings compare without decoding. */
#include "format/cascade.h"

#include <stdlib.h>
#include <string.h>

typedef struct str_ref {
  const uint8_t *p;
  size_t len;
  uint32_t row;
} str_ref;

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

static int cmp_bytes(const uint8_t *a, size_t an, const uint8_t *b, size_t bn) {
  size_t n = an < bn ? an : bn;
  int c = n ? memcmp(a, b, n) : 0;
  return c ? c : (an < bn ? -1 : an > bn);
}

static int cmp_str(const void *a, const void *b) {
  const str_ref *x = a, *y = b;
  int c = cmp_bytes(x->p, x->len, y->p, y->len);
  return c ? c : (x->row < y->row ? -1 : x->row > y->row);
}

static bool applicable(const dps_values *v) { return v->n >= 2; }

/* Fixed-width values: sort keys, drop repeats, code by binary search. */
static dps_status encode_fixed(dps_enc *e, const dps_values *v, int depth,
                               dps_buf *out) {
  uint64_t *keys = malloc(v->n * sizeof *keys);
  uint32_t *codes = malloc(v->n * sizeof *codes);
  void *dict = malloc(v->n * v->width);
  dps_status s = (keys && codes && dict) ? DPS_OK : DPS_ENOMEM;
  size_t nd = 0;
  bool as_int = v->kind == DPS_KIND_INT;
  if (s == DPS_OK) {
    /* Floats are ordered by their bits: the dictionary only needs a total
     * order that keeps equal bit patterns together. */
    for (size_t i = 0; i < v->n; i++)
      keys[i] = as_int ? dps__val_key(v, i) : dps__val_bits(v->v, v->width, i);
    qsort(keys, v->n, sizeof *keys, cmp_u64);
    for (size_t i = 0; i < v->n; i++)
      if (nd == 0 || keys[i] != keys[nd - 1]) keys[nd++] = keys[i];
    for (size_t i = 0; i < v->n; i++) {
      uint64_t k = as_int ? dps__val_key(v, i) : dps__val_bits(v->v, v->width, i);
      size_t lo = 0, hi = nd;
      while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (keys[mid] <= k) lo = mid; else hi = mid;
      }
      codes[i] = (uint32_t)lo;
    }
    for (size_t k = 0; k < nd; k++)
      dps__val_store(dict, v->width, k,
                     as_int ? dps__key_bits(v->width, v->is_signed, keys[k]) : keys[k]);
    s = dps__buf_put_u32(out, (uint32_t)nd);
  }
  dps_values dv = {v->kind, v->width, v->is_signed, nd, dict, NULL, NULL};
  dps_values cv = {DPS_KIND_INT, 4, false, v->n, codes, NULL, NULL};
  if (s == DPS_OK) s = dps__child_encode(e, &dv, depth + 1, out);
  if (s == DPS_OK) s = dps__child_encode(e, &cv, depth + 1, out);
  free(keys);
  free(codes);
  free(dict);
  return s;
}

static dps_status encode_bytes(dps_enc *e, const dps_values *v, int depth,
                               dps_buf *out) {
  str_ref *refs = malloc(v->n * sizeof *refs);
  uint32_t *codes = malloc(v->n * sizeof *codes);
  int64_t *offs = malloc((v->n + 1) * sizeof *offs);
  dps_buf bytes = {0};
  dps_status s = (refs && codes && offs) ? DPS_OK : DPS_ENOMEM;
  size_t nd = 0;
  if (s == DPS_OK) {
    for (size_t i = 0; i < v->n; i++) {
      refs[i].p = v->data + v->offsets[i];
      refs[i].len = (size_t)(v->offsets[i + 1] - v->offsets[i]);
      refs[i].row = (uint32_t)i;
    }
    qsort(refs, v->n, sizeof *refs, cmp_str);
    offs[0] = 0;
    for (size_t i = 0; s == DPS_OK && i < v->n; i++) {
      if (i == 0 || cmp_bytes(refs[i].p, refs[i].len, refs[i - 1].p,
                              refs[i - 1].len) != 0) {
        s = dps__buf_append(&bytes, refs[i].p, refs[i].len);
        offs[++nd] = (int64_t)bytes.len;
      }
      codes[refs[i].row] = (uint32_t)(nd - 1);
    }
    if (s == DPS_OK) s = dps__buf_put_u32(out, (uint32_t)nd);
  }
  static const uint8_t empty[1];
  dps_values dv = {DPS_KIND_BYTES, 0, false, nd, NULL, offs,
                   bytes.data ? bytes.data : empty};
  dps_values cv = {DPS_KIND_INT, 4, false, v->n, codes, NULL, NULL};
  if (s == DPS_OK) s = dps__child_encode(e, &dv, depth + 1, out);
  if (s == DPS_OK) s = dps__child_encode(e, &cv, depth + 1, out);
  free(refs);
  free(codes);
  free(offs);
  dps__buf_free(&bytes);
  return s;
}

static dps_status encode(dps_enc *e, const dps_values *v, int depth,
                         dps_buf *out) {
  return v->kind == DPS_KIND_BYTES ? encode_bytes(e, v, depth, out)
                                   : encode_fixed(e, v, depth, out);
}

#define SHORT 32

/* Writes the dictionary entries named by codes[0..n) after bout->data.
 * Short entries (the usual case: flags, codes, modes) are copied as fixed
 * 32-byte blocks from a padded copy of the dictionary into an output with
 * 32 bytes of slack, which costs one or two moves per value instead of a
 * memcpy call. */
static dps_status gather_bytes(dps_dec *d, const uint8_t *dict,
                               const int64_t *ends,
                               size_t nd, const uint32_t *codes, size_t n,
                               size_t total, dps_bytes_out *bout) {
  size_t longest = 0;
  for (size_t k = 0; k < nd; k++) {
    size_t len = (size_t)(ends[k] - (k ? ends[k - 1] : 0));
    if (len > longest) longest = len;
  }
  if (dps__buf_reserve(bout->data, total + SHORT) != DPS_OK) return DPS_ENOMEM;
  uint8_t *dst = bout->data->data + bout->data->len;
  int64_t end = bout->base;
  if (longest <= SHORT) {
    uint8_t *padded = dps__dec_alloc(d, nd, SHORT);
    uint32_t *lens = dps__dec_alloc(d, nd, sizeof *lens);
    if (padded == NULL || lens == NULL) return DPS_ENOMEM;
    memset(padded, 0, (nd ? nd : 1) * SHORT);
    for (size_t k = 0; k < nd; k++) {
      int64_t from = k ? ends[k - 1] : 0;
      lens[k] = (uint32_t)(ends[k] - from);
      if (lens[k]) memcpy(padded + k * SHORT, dict + from, lens[k]);
    }
    for (size_t i = 0; i < n; i++) {
      memcpy(dst, padded + (size_t)codes[i] * SHORT, SHORT);
      dst += lens[codes[i]];
      end += lens[codes[i]];
      bout->ends[i] = end;
    }
  } else {
    for (size_t i = 0; i < n; i++) {
      int64_t from = codes[i] ? ends[codes[i] - 1] : 0;
      size_t len = (size_t)(ends[codes[i]] - from);
      if (len) memcpy(dst, dict + from, len);
      dst += len;
      end += (int64_t)len;
      bout->ends[i] = end;
    }
  }
  bout->data->len += total;
  return DPS_OK;
}

static dps_status decode(dps_dec *d, dps_rd *rd, const dps_values *v,
                         int depth, void *out, dps_bytes_out *bout) {
  uint32_t nd;
  dps_status s = dps__rd_u32(d, rd, &nd, "dictionary size");
  if (s != DPS_OK) return s;
  if (nd > v->n || (nd == 0 && v->n > 0))
    return dps__rd_fail(d, rd, "expected 1..%zu dictionary entries, found %u",
                        v->n, nd);
  uint32_t *codes = dps__dec_alloc(d, v->n, sizeof *codes);
  void *dict = NULL;
  int64_t *ends = NULL;
  dps_buf bytes = {0};
  if (v->kind == DPS_KIND_BYTES)
    ends = dps__dec_alloc(d, nd, sizeof *ends);
  else
    dict = dps__dec_alloc(d, nd, v->width);
  if (codes == NULL || (dict == NULL && ends == NULL)) return DPS_ENOMEM;
  dps_values dv = {v->kind, v->width, v->is_signed, nd, NULL, NULL, NULL};
  dps_bytes_out dout = {&bytes, 0, ends};
  s = dps__child_decode(d, rd, &dv, depth + 1, dict, &dout);
  /* [FMT-54] predicates will compare codes in place of values: the
   * dictionary must be strictly ascending. */
  for (uint32_t k = 1; s == DPS_OK && k < nd; k++) {
    bool ordered;
    if (v->kind == DPS_KIND_BYTES) {
      int64_t a0 = k > 1 ? ends[k - 2] : 0, a1 = ends[k - 1], b1 = ends[k];
      ordered = cmp_bytes(bytes.data + a0, (size_t)(a1 - a0), bytes.data + a1,
                          (size_t)(b1 - a1)) < 0;
    } else {
      dps_values dk = {v->kind, v->width, v->is_signed, nd, dict, NULL, NULL};
      uint64_t x = v->kind == DPS_KIND_INT ? dps__val_key(&dk, k - 1)
                                           : dps__val_bits(dict, v->width, k - 1);
      uint64_t y = v->kind == DPS_KIND_INT ? dps__val_key(&dk, k)
                                           : dps__val_bits(dict, v->width, k);
      ordered = x < y;
    }
    if (!ordered)
      s = dps__rd_fail(d, rd, "dictionary entry %u: expected entries in "
                       "strictly ascending order", k);
  }
  dps_values cv = {DPS_KIND_INT, 4, false, v->n, NULL, NULL, NULL};
  if (s == DPS_OK) s = dps__child_decode(d, rd, &cv, depth + 1, codes, NULL);
  for (size_t i = 0; s == DPS_OK && i < v->n; i++)
    if (codes[i] >= nd)
      s = dps__rd_fail(d, rd, "value %zu: expected a dictionary code below "
                       "%u, found %u", i, nd, codes[i]);
  if (s == DPS_OK && v->kind != DPS_KIND_BYTES) {
    switch (v->width) {
      case 1: for (size_t i = 0; i < v->n; i++) ((uint8_t *)out)[i] = ((uint8_t *)dict)[codes[i]]; break;
      case 2: for (size_t i = 0; i < v->n; i++) ((uint16_t *)out)[i] = ((uint16_t *)dict)[codes[i]]; break;
      case 4: for (size_t i = 0; i < v->n; i++) ((uint32_t *)out)[i] = ((uint32_t *)dict)[codes[i]]; break;
      default: for (size_t i = 0; i < v->n; i++) ((uint64_t *)out)[i] = ((uint64_t *)dict)[codes[i]]; break;
    }
  } else if (s == DPS_OK) {
    uint64_t total = 0;
    for (size_t i = 0; i < v->n; i++)
      total += (uint64_t)(ends[codes[i]] - (codes[i] ? ends[codes[i] - 1] : 0));
    if (total > ((uint64_t)1 << 31)) {
      s = dps__rd_fail(d, rd, "dictionary strings expand to %llu bytes, over "
                       "the 2 GiB page limit", (unsigned long long)total);

    } else {
      s = gather_bytes(d, bytes.data, ends, nd, codes, v->n, (size_t)total, bout);
    }
  }
  dps__buf_free(&bytes);
  return s;
}

const dps_scheme dps__scheme_dict = {
  DPS_SCHEME_DICT, "dict",
  (1u << DPS_KIND_INT) | (1u << DPS_KIND_FLOAT) | (1u << DPS_KIND_BYTES),
  false, applicable, true, encode, decode};
