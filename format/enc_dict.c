/* enc_dict.c - scheme 5, dictionary: the distinct values in ascending order
 * as one child node, and each value's code (its index in the dictionary)
 * as another. Codes order like the values, so equality and range
 * predicates can run on codes; strings compare without decoding. */
#include "format/cascade.h"

#include <stdlib.h>
#include <string.h>

static int cmp_bytes(const uint8_t *a, size_t an, const uint8_t *b, size_t bn) {
  size_t n = an < bn ? an : bn;
  int c = n ? memcmp(a, b, n) : 0;
  return c ? c : (an < bn ? -1 : an > bn);
}

static bool applicable(const dps_values *v) { return v->n >= 2; }

/* Distinct values are found with an open-addressing hash table (slots hold
 * row numbers of first occurrences), only they are sorted, and each row's
 * code is its value's rank: hashing keeps the cost linear in the page. */
typedef struct dict_table {
  uint32_t *slot;    /* row of the first occurrence + 1, 0 = empty */
  uint32_t *rank;    /* per slot: the value's code */
  size_t mask;       /* slots - 1 */
} dict_table;

static bool table_init(dict_table *t, size_t n) {
  size_t cap = 16;
  while (cap < 2 * n) cap *= 2;
  t->slot = calloc(cap, sizeof *t->slot);
  t->rank = malloc(cap * sizeof *t->rank);
  t->mask = cap - 1;
  return t->slot != NULL && t->rank != NULL;
}

static void table_free(dict_table *t) {
  free(t->slot);
  free(t->rank);
}

static uint64_t mix64(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdull;
  x ^= x >> 33;
  return x;
}

static const uint8_t *str_at(const dps_values *v, size_t i, size_t *len) {
  *len = (size_t)(v->offsets[i + 1] - v->offsets[i]);
  return v->data + v->offsets[i];
}

/* Slot of row i's value: the slot holding an equal value, or the empty
 * slot where it belongs. */
static size_t table_find(const dict_table *t, const dps_values *v, size_t i) {
  bool bytes = v->kind == DPS_KIND_BYTES;
  size_t len = 0;
  const uint8_t *p = NULL;
  uint64_t key = 0, h;
  if (bytes) {
    p = str_at(v, i, &len);
    h = dps__hash64(p, len);
  } else {
    key = dps__val_bits(v->v, v->width, i);
    h = mix64(key);
  }
  for (size_t at = (size_t)h & t->mask;; at = (at + 1) & t->mask) {
    uint32_t row = t->slot[at];
    if (row == 0) return at;
    if (bytes) {
      size_t ol;
      const uint8_t *op = str_at(v, row - 1, &ol);
      if (ol == len && (len == 0 || memcmp(op, p, len) == 0)) return at;
    } else if (dps__val_bits(v->v, v->width, row - 1) == key) {
      return at;
    }
  }
}

/* qsort takes no context argument: the values being sorted are passed
 * per thread, so writers in different threads do not race. */
static _Thread_local const dps_values *sort_ctx;

static int cmp_rows(const void *a, const void *b) {
  const dps_values *v = sort_ctx;
  size_t i = *(const uint32_t *)a, j = *(const uint32_t *)b;
  if (v->kind == DPS_KIND_BYTES) {
    size_t il, jl;
    const uint8_t *ip = str_at(v, i, &il), *jp = str_at(v, j, &jl);
    return cmp_bytes(ip, il, jp, jl);
  }
  /* Integers by value, floats by bit pattern ([FMT-54]). */
  uint64_t x = v->kind == DPS_KIND_INT ? dps__val_key(v, i) : dps__val_bits(v->v, v->width, i);
  uint64_t y = v->kind == DPS_KIND_INT ? dps__val_key(v, j) : dps__val_bits(v->v, v->width, j);
  return x < y ? -1 : x > y;
}

static dps_status encode(dps_enc *e, const dps_values *v, int depth,
                         dps_buf *out) {
  dict_table t = {0};
  uint32_t *codes = malloc(v->n * sizeof *codes);
  uint32_t *firsts = malloc(v->n * sizeof *firsts);
  uint32_t *slots = malloc(v->n * sizeof *slots);
  dps_status s = (codes && firsts && slots && table_init(&t, v->n)) ? DPS_OK
                                                                    : DPS_ENOMEM;
  size_t nd = 0;
  for (size_t i = 0; s == DPS_OK && i < v->n; i++) {
    size_t at = table_find(&t, v, i);
    if (t.slot[at] == 0) {
      t.slot[at] = (uint32_t)i + 1;
      firsts[nd++] = (uint32_t)i;
    }
    slots[i] = (uint32_t)at;
  }
  if (s == DPS_OK) {
    sort_ctx = v;
    qsort(firsts, nd, sizeof *firsts, cmp_rows);
    sort_ctx = NULL;
    for (size_t k = 0; k < nd; k++)
      t.rank[table_find(&t, v, firsts[k])] = (uint32_t)k;
    for (size_t i = 0; i < v->n; i++) codes[i] = t.rank[slots[i]];
    s = dps__buf_put_u32(out, (uint32_t)nd);
  }
  /* The dictionary: the distinct values in rank order. */
  void *dict = NULL;
  int64_t *offs = NULL;
  dps_buf bytes = {0};
  dps_values dv = {v->kind, v->width, v->is_signed, nd, NULL, NULL, NULL};
  if (s == DPS_OK && v->kind == DPS_KIND_BYTES) {
    offs = malloc((nd + 1) * sizeof *offs);
    if (offs == NULL) s = DPS_ENOMEM;
    else offs[0] = 0;
    for (size_t k = 0; s == DPS_OK && k < nd; k++) {
      size_t len;
      const uint8_t *p = str_at(v, firsts[k], &len);
      s = dps__buf_append(&bytes, p, len);
      offs[k + 1] = (int64_t)bytes.len;
    }
    static const uint8_t empty[1];
    dv.offsets = offs;
    dv.data = bytes.data ? bytes.data : empty;
  } else if (s == DPS_OK) {
    dict = malloc((nd ? nd : 1) * v->width);
    if (dict == NULL) s = DPS_ENOMEM;
    for (size_t k = 0; s == DPS_OK && k < nd; k++)
      dps__val_store(dict, v->width, k, dps__val_bits(v->v, v->width, firsts[k]));
    dv.v = dict;
  }
  dps_values cv = {DPS_KIND_INT, 4, false, v->n, codes, NULL, NULL};
  if (s == DPS_OK) s = dps__child_encode(e, &dv, depth + 1, out);
  if (s == DPS_OK) s = dps__child_encode(e, &cv, depth + 1, out);
  table_free(&t);
  free(codes);
  free(firsts);
  free(slots);
  free(dict);
  free(offs);
  dps__buf_free(&bytes);
  return s;
}


#define SHORT 32

/* Copies n entries of L bytes each from a dictionary of such entries. */
#define FIXED_COPY(L)                                                      \
  for (size_t i = 0; i < n; i++)                                           \
  memcpy(dst + i * (L), dict + (size_t)codes[i] * (L), (L))

/* Writes the dictionary entries named by codes[0..n) after bout->data.
 * Short entries (the usual case: flags, codes, modes) are copied as fixed
 * 32-byte blocks from a padded copy of the dictionary into an output with
 * 32 bytes of slack, which costs one or two moves per value instead of a
 * memcpy call. */
static dps_status gather_bytes(dps_dec *d, const uint8_t *dict,
                               const int64_t *ends, const uint32_t *lens,
                               size_t nd, const uint32_t *codes, size_t n,
                               size_t total, dps_bytes_out *bout) {
  size_t longest = 0, shortest = nd ? lens[0] : 0;
  for (size_t k = 0; k < nd; k++) {
    if (lens[k] > longest) longest = lens[k];
    if (lens[k] < shortest) shortest = lens[k];
  }
  if (dps__buf_reserve(bout->data, total + SHORT) != DPS_OK) return DPS_ENOMEM;
  uint8_t *dst = bout->data->data + bout->data->len;
  int64_t end = bout->base;
  if (longest == shortest && longest <= 8) {
    /* Entries of one length (flags, country and currency codes): the ends
     * are an arithmetic sequence and every copy has a fixed size, so
     * values do not wait on each other. */
    const int64_t len = (int64_t)longest;
    for (size_t i = 0; i < n; i++) bout->ends[i] = end + (int64_t)(i + 1) * len;
    switch (len) {
      case 0: break;
      case 1: for (size_t i = 0; i < n; i++) dst[i] = dict[codes[i]]; break;
      case 2: FIXED_COPY(2); break;
      case 4: FIXED_COPY(4); break;
      case 8: FIXED_COPY(8); break;
      default:
        for (size_t i = 0; i < n; i++)
          memcpy(dst + i * (size_t)len, dict + (size_t)codes[i] * (size_t)len,
                 (size_t)len);
        break;
    }
  } else if (longest <= SHORT) {
    uint8_t *padded = dps__dec_alloc(d, nd, SHORT);
    if (padded == NULL) return DPS_ENOMEM;
    memset(padded, 0, (nd ? nd : 1) * SHORT);
    for (size_t k = 0; k < nd; k++)
      if (lens[k]) memcpy(padded + k * SHORT, dict + (k ? ends[k - 1] : 0), lens[k]);
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

dps_status dps__dict_read(dps_dec *d, dps_rd *rd, const dps_values *v,
                          int depth, dps_dict_parts *out, dps_buf *bytes,
                          uint32_t *codes_into) {
  uint32_t nd;
  dps_status s = dps__rd_u32(d, rd, &nd, "dictionary size");
  if (s != DPS_OK) return s;
  if (nd > v->n || (nd == 0 && v->n > 0))
    return dps__rd_fail(d, rd, "expected 1..%zu dictionary entries, found %u",
                        v->n, nd);
  uint32_t *codes = codes_into ? codes_into : dps__dec_alloc(d, v->n, sizeof *codes);
  void *dict = NULL;
  int64_t *ends = NULL;
  if (v->kind == DPS_KIND_BYTES)
    ends = dps__dec_alloc(d, nd, sizeof *ends);
  else
    dict = dps__dec_alloc(d, nd, v->width);
  if (codes == NULL || (dict == NULL && ends == NULL)) return DPS_ENOMEM;
  dps_values dv = {v->kind, v->width, v->is_signed, nd, NULL, NULL, NULL};
  size_t base = bytes->len;
  dps_bytes_out dout = {bytes, 0, ends};
  s = dps__child_decode(d, rd, &dv, depth + 1, dict, &dout);
  const uint8_t *text = bytes->data ? bytes->data + base : NULL;
  /* [FMT-54] predicates will compare codes in place of values: the
   * dictionary must be strictly ascending. */
  for (uint32_t k = 1; s == DPS_OK && k < nd; k++) {
    bool ordered;
    if (v->kind == DPS_KIND_BYTES) {
      int64_t a0 = k > 1 ? ends[k - 2] : 0, a1 = ends[k - 1], b1 = ends[k];
      ordered = cmp_bytes(text + a0, (size_t)(a1 - a0), text + a1,
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
  /* The largest code first (a per-ISA reduction), the culprit only
   * when there is one. */
  uint32_t top = s == DPS_OK ? dps__max_u32(codes, v->n) : 0;
  for (size_t i = 0; s == DPS_OK && top >= nd && i < v->n; i++)
    if (codes[i] >= nd)
      s = dps__rd_fail(d, rd, "value %zu: expected a dictionary code below "
                       "%u, found %u", i, nd, codes[i]);
  out->n = nd;
  out->codes = codes;
  out->values = dict;
  out->ends = ends;
  out->text = text;
  return s;
}

static dps_status decode(dps_dec *d, dps_rd *rd, const dps_values *v,
                         int depth, void *out, dps_bytes_out *bout) {
  dps_buf bytes = {0};
  dps_dict_parts dp;
  dps_status s = dps__dict_read(d, rd, v, depth, &dp, &bytes, NULL);
  uint32_t nd = dp.n;
  const uint32_t *codes = dp.codes;
  const void *dict = dp.values;
  const int64_t *ends = dp.ends;
  if (s == DPS_OK && v->kind != DPS_KIND_BYTES) {
    switch (v->width) {
      case 1: for (size_t i = 0; i < v->n; i++) ((uint8_t *)out)[i] = ((const uint8_t *)dict)[codes[i]]; break;
      case 2: for (size_t i = 0; i < v->n; i++) ((uint16_t *)out)[i] = ((const uint16_t *)dict)[codes[i]]; break;
      case 4: for (size_t i = 0; i < v->n; i++) ((uint32_t *)out)[i] = ((const uint32_t *)dict)[codes[i]]; break;
      default: for (size_t i = 0; i < v->n; i++) ((uint64_t *)out)[i] = ((const uint64_t *)dict)[codes[i]]; break;
    }
  } else if (s == DPS_OK) {
    /* Entry lengths once, so the total is a branch-free sum over codes. */
    uint32_t *lens = dps__dec_alloc(d, nd, sizeof *lens);
    if (lens == NULL) {
      dps__buf_free(&bytes);
      return DPS_ENOMEM;
    }
    for (uint32_t k = 0; k < nd; k++)
      lens[k] = (uint32_t)(ends[k] - (k ? ends[k - 1] : 0));
    bool same = true;
    for (uint32_t k = 1; k < nd; k++) same &= lens[k] == lens[0];
    uint64_t total = 0;
    if (same) total = (uint64_t)v->n * lens[0];
    else
      for (size_t i = 0; i < v->n; i++) total += lens[codes[i]];
    if (total > ((uint64_t)1 << 31)) {
      s = dps__rd_fail(d, rd, "dictionary strings expand to %llu bytes, over "
                       "the 2 GiB page limit", (unsigned long long)total);

    } else {
      s = gather_bytes(d, dp.text, ends, lens, nd, codes, v->n,
                       (size_t)total, bout);
    }
  }
  dps__buf_free(&bytes);
  return s;
}

const dps_scheme dps__scheme_dict = {
  DPS_SCHEME_DICT, "dict",
  (1u << DPS_KIND_INT) | (1u << DPS_KIND_FLOAT) | (1u << DPS_KIND_BYTES),
  false, applicable, true, encode, decode};
