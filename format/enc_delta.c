/* enc_delta.c - scheme 3, delta: the first value, then the differences of
 * consecutive values as a signed child node (sorted keys and timestamps
 * become small, often constant, numbers). */
#include "format/cascade.h"

#include <stdlib.h>

static bool applicable(const dps_values *v) { return v->n >= 2; }

static dps_status encode(dps_enc *e, const dps_values *v, int depth,
                         dps_buf *out) {
  void *deltas = malloc(v->n * v->width);
  if (deltas == NULL) return DPS_ENOMEM;
  uint64_t prev = dps__val_bits(v->v, v->width, 0);
  dps__val_store(deltas, v->width, 0, 0);
  for (size_t i = 1; i < v->n; i++) {
    uint64_t cur = dps__val_bits(v->v, v->width, i);
    dps__val_store(deltas, v->width, i, cur - prev);  /* wraps in width */
    prev = cur;
  }
  dps_status s = dps__wr_int(out, v->width, dps__val_bits(v->v, v->width, 0));
  dps_values dv = {DPS_KIND_INT, v->width, true, v->n, deltas, NULL, NULL};
  if (s == DPS_OK) s = dps__child_encode(e, &dv, depth + 1, out);
  free(deltas);
  return s;
}

#define PREFIX_SUM(T)                                        \
  do {                                                       \
    T *o = out;                                              \
    T acc = (T)first;                                        \
    o[0] = acc;                                              \
    for (size_t i = 1; i < v->n; i++) o[i] = acc = (T)(acc + o[i]); \
  } while (0)

static dps_status decode(dps_dec *d, dps_rd *rd, const dps_values *v,
                         int depth, void *out, dps_bytes_out *bout) {
  (void)bout;
  const uint8_t *p = NULL;
  dps_status s = dps__rd_bytes(d, rd, v->width, &p, "first value");
  if (s != DPS_OK) return s;
  uint64_t first = 0;
  for (unsigned k = v->width; k-- > 0;) first = (first << 8) | p[k];
  dps_values dv = {DPS_KIND_INT, v->width, true, v->n, NULL, NULL, NULL};
  s = dps__child_decode(d, rd, &dv, depth + 1, out, NULL);
  if (s != DPS_OK || v->n == 0) return s;
  switch (v->width) {
    case 1: PREFIX_SUM(uint8_t); break;
    case 2: PREFIX_SUM(uint16_t); break;
    case 4: PREFIX_SUM(uint32_t); break;
    default: PREFIX_SUM(uint64_t); break;
  }
  return DPS_OK;
}

const dps_scheme dps__scheme_delta = {
  DPS_SCHEME_DELTA, "delta", 1u << DPS_KIND_INT, false, applicable, true, encode,
  decode};
