/* enc_rle.c - scheme 4, run-length: the value of each run and its length,
 * as two child nodes. */
#include "format/cascade.h"

#include <stdlib.h>

static size_t count_runs(const dps_values *v) {
  size_t runs = v->n > 0;
  for (size_t i = 1; i < v->n; i++)
    runs += dps__val_bits(v->v, v->width, i) != dps__val_bits(v->v, v->width, i - 1);
  return runs;
}

/* Worth a trial only when runs average 4 values or more. */
static bool applicable(const dps_values *v) {
  return v->n >= 4 && count_runs(v) * 4 <= v->n;
}

static dps_status encode(dps_enc *e, const dps_values *v, int depth,
                         dps_buf *out) {
  size_t runs = count_runs(v);
  void *vals = malloc((runs ? runs : 1) * v->width);
  uint32_t *lens = malloc((runs ? runs : 1) * sizeof *lens);
  dps_status s = (vals && lens) ? DPS_OK : DPS_ENOMEM;
  size_t r = 0;
  for (size_t i = 0; s == DPS_OK && i < v->n; i++) {
    uint64_t b = dps__val_bits(v->v, v->width, i);
    if (i == 0 || b != dps__val_bits(v->v, v->width, i - 1)) {
      dps__val_store(vals, v->width, r, b);
      lens[r++] = 0;
    }
    lens[r - 1]++;
  }
  if (s == DPS_OK) s = dps__buf_put_u32(out, (uint32_t)runs);
  dps_values vv = {v->kind, v->width, v->is_signed, runs, vals, NULL, NULL};
  dps_values lv = {DPS_KIND_INT, 4, false, runs, lens, NULL, NULL};
  if (s == DPS_OK) s = dps__child_encode(e, &vv, depth + 1, out);
  if (s == DPS_OK) s = dps__child_encode(e, &lv, depth + 1, out);
  free(vals);
  free(lens);
  return s;
}

static dps_status decode(dps_dec *d, dps_rd *rd, const dps_values *v,
                         int depth, void *out, dps_bytes_out *bout) {
  (void)bout;
  uint32_t runs;
  dps_status s = dps__rd_u32(d, rd, &runs, "run count");
  if (s != DPS_OK) return s;
  if (runs > v->n || (runs == 0 && v->n > 0))
    return dps__rd_fail(d, rd, "expected 1..%zu runs, found %u", v->n, runs);
  void *vals = dps__dec_alloc(d, runs, v->width);
  uint32_t *lens = dps__dec_alloc(d, runs, sizeof *lens);
  if (vals == NULL || lens == NULL) return DPS_ENOMEM;
  dps_values vv = {v->kind, v->width, v->is_signed, runs, NULL, NULL, NULL};
  dps_values lv = {DPS_KIND_INT, 4, false, runs, NULL, NULL, NULL};
  s = dps__child_decode(d, rd, &vv, depth + 1, vals, NULL);
  if (s == DPS_OK) s = dps__child_decode(d, rd, &lv, depth + 1, lens, NULL);
  size_t at = 0;
  for (uint32_t r = 0; s == DPS_OK && r < runs; r++) {
    if (lens[r] == 0 || lens[r] > v->n - at) {
      s = dps__rd_fail(d, rd, "run %u: expected a length of 1..%zu, found %u",
                       r, v->n - at, lens[r]);
      break;
    }
    uint64_t b = dps__val_bits(vals, v->width, r);
    for (uint32_t k = 0; k < lens[r]; k++) dps__val_store(out, v->width, at++, b);
  }
  if (s == DPS_OK && at != v->n)
    s = dps__rd_fail(d, rd, "expected runs covering %zu values, found %zu",
                     v->n, at);
  return s;
}

const dps_scheme dps__scheme_rle = {
  DPS_SCHEME_RLE, "rle", (1u << DPS_KIND_INT) | (1u << DPS_KIND_FLOAT), false,
  applicable, true, encode, decode};
