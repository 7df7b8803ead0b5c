/* enc_constant.c - scheme 1, constant: one value repeated n times. */
#include "format/cascade.h"

#include <string.h>

static bool applicable(const dps_values *v) {
  if (v->n == 0) return false;
  if (v->kind == DPS_KIND_BYTES) {
    size_t len = (size_t)(v->offsets[1] - v->offsets[0]);
    const uint8_t *first = v->data + v->offsets[0];
    for (size_t i = 1; i < v->n; i++)
      if ((size_t)(v->offsets[i + 1] - v->offsets[i]) != len ||
          (len && memcmp(v->data + v->offsets[i], first, len) != 0))
        return false;
    return true;
  }
  uint64_t first = dps__val_bits(v->v, v->width, 0);
  for (size_t i = 1; i < v->n; i++)
    if (dps__val_bits(v->v, v->width, i) != first) return false;
  return true;
}

static dps_status encode(dps_enc *e, const dps_values *v, int depth,
                         dps_buf *out) {
  (void)e;
  (void)depth;
  if (v->kind != DPS_KIND_BYTES)
    return dps__wr_int(out, v->width, dps__val_bits(v->v, v->width, 0));
  size_t len = (size_t)(v->offsets[1] - v->offsets[0]);
  dps_status s = dps__buf_put_u32(out, (uint32_t)len);
  return s == DPS_OK ? dps__buf_append(out, v->data + v->offsets[0], len) : s;
}

static dps_status decode(dps_dec *d, dps_rd *rd, const dps_values *v,
                         int depth, void *out, dps_bytes_out *bout) {
  (void)depth;
  const uint8_t *p = NULL;
  dps_status s;
  if (v->kind != DPS_KIND_BYTES) {
    s = dps__rd_bytes(d, rd, v->width, &p, "constant value");
    if (s != DPS_OK) return s;
    uint64_t bits = 0;
    for (unsigned k = v->width; k-- > 0;) bits = (bits << 8) | p[k];
    for (size_t i = 0; i < v->n; i++) dps__val_store(out, v->width, i, bits);
    return DPS_OK;
  }
  uint32_t len;
  s = dps__rd_u32(d, rd, &len, "constant length");
  if (s == DPS_OK) s = dps__rd_bytes(d, rd, len, &p, "constant bytes");
  if (s != DPS_OK) return s;
  if ((uint64_t)len * v->n > ((uint64_t)1 << 31))
    return dps__rd_fail(d, rd, "constant of %u bytes repeated %zu times "
                        "exceeds the 2 GiB page limit", len, v->n);
  if (dps__buf_reserve(bout->data, (size_t)len * v->n) != DPS_OK) return DPS_ENOMEM;
  int64_t end = bout->base;
  for (size_t i = 0; i < v->n; i++) {
    dps__buf_append(bout->data, p, len);
    end += len;
    bout->ends[i] = end;
  }
  return DPS_OK;
}

const dps_scheme dps__scheme_constant = {
  DPS_SCHEME_CONSTANT, "constant",
  (1u << DPS_KIND_INT) | (1u << DPS_KIND_FLOAT) | (1u << DPS_KIND_BYTES),
  true, applicable, false, encode, decode};
