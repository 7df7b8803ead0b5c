/* enc_fsst.c - scheme 7, FSST: strings rewritten as one-byte codes for
 * frequent substrings of up to 8 bytes (symbol table in the node), the
 * compressed lengths as a child node. Kernels: format/fsst.c. */
#include "format/cascade.h"

#include <stdlib.h>

/* The symbol table costs up to ~2 KiB; short columns cannot repay it. */
static bool applicable(const dps_values *v) {
  return v->n > 0 && v->offsets[v->n] - v->offsets[0] >= 512;
}

static dps_status encode(dps_enc *e, const dps_values *v, int depth,
                         dps_buf *out) {
  dps_fsst_table *t = NULL;
  uint32_t *lens = malloc(v->n * sizeof *lens);
  dps_buf codes = {0};
  dps_status s = lens ? DPS_OK : DPS_ENOMEM;
  if (s == DPS_OK) s = dps__fsst_train(v->data, v->offsets, v->n, &t, e->err);
  if (s == DPS_OK) s = dps__fsst_serialize(t, out);
  if (s == DPS_OK) s = dps__fsst_compress(t, v->data, v->offsets, v->n, &codes, lens, e->err);
  dps_values lv = {DPS_KIND_INT, 4, false, v->n, lens, NULL, NULL};
  if (s == DPS_OK) s = dps__child_encode(e, &lv, depth + 1, out);
  if (s == DPS_OK) s = dps__buf_put_u64(out, codes.len);
  if (s == DPS_OK) s = dps__buf_append(out, codes.data, codes.len);
  dps__fsst_free(t);
  free(lens);
  dps__buf_free(&codes);
  return s;
}

static dps_status decode(dps_dec *d, dps_rd *rd, const dps_values *v,
                         int depth, void *out, dps_bytes_out *bout) {
  (void)out;
  dps_fsst_table *t = NULL;
  size_t used = 0;
  dps_status s = dps__fsst_parse(rd->p, (size_t)(rd->end - rd->p), &t, &used,
                                 d->where, d->err);
  if (s != DPS_OK) return s;
  rd->p += used;
  uint32_t *lens = dps__dec_alloc(d, v->n, sizeof *lens);
  if (lens == NULL) {
    dps__fsst_free(t);
    return DPS_ENOMEM;
  }
  dps_values lv = {DPS_KIND_INT, 4, false, v->n, NULL, NULL, NULL};
  s = dps__child_decode(d, rd, &lv, depth + 1, lens, NULL);
  uint64_t len = 0;
  const uint8_t *codes = NULL;
  if (s == DPS_OK) s = dps__rd_u64(d, rd, &len, "FSST code count");
  if (s == DPS_OK) s = dps__rd_bytes(d, rd, (size_t)len, &codes, "FSST codes");
  if (s == DPS_OK && len * 8 > ((uint64_t)1 << 31))
    s = dps__rd_fail(d, rd, "FSST codes may expand past the 2 GiB page limit");
  if (s == DPS_OK)
    s = dps__fsst_decompress(t, codes, (size_t)len, lens, v->n, bout->data,
                             bout->base, bout->ends, d->where, d->err);
  dps__fsst_free(t);
  return s;
}

const dps_scheme dps__scheme_fsst = {
  DPS_SCHEME_FSST, "fsst", 1u << DPS_KIND_BYTES, false, applicable, true, encode,
  decode};
