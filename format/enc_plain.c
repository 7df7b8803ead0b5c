/* enc_plain.c - scheme 0, plain: values as they are (spec/FORMAT.md §4.4). */
#include "format/cascade.h"

#include <stdlib.h>
#include <string.h>

static dps_status encode(dps_enc *e, const dps_values *v, int depth,
                         dps_buf *out) {
  dps_status s;
  if (v->kind != DPS_KIND_BYTES) {
    s = dps__wr_align(out);
    return s == DPS_OK ? dps__buf_append(out, v->v, v->n * v->width) : s;
  }
  /* Lengths as a child node where depth allows, raw u32 otherwise. */
  bool child = depth < DPS_CASCADE_MAX_DEPTH && v->n > 0;
  uint32_t *lens = malloc((v->n ? v->n : 1) * sizeof *lens);
  if (lens == NULL) return DPS_ENOMEM;
  for (size_t i = 0; i < v->n; i++)
    lens[i] = (uint32_t)(v->offsets[i + 1] - v->offsets[i]);
  s = dps__buf_put_u8(out, child ? 1 : 0);
  if (s == DPS_OK && child) {
    dps_values lv = {DPS_KIND_INT, 4, false, v->n, lens, NULL, NULL};
    s = dps__child_encode(e, &lv, depth + 1, out);
  } else {
    for (size_t i = 0; s == DPS_OK && i < v->n; i++) s = dps__buf_put_u32(out, lens[i]);
  }
  free(lens);
  size_t total = (size_t)(v->offsets[v->n] - v->offsets[0]);
  if (s == DPS_OK) s = dps__buf_put_u64(out, total);
  if (s == DPS_OK) s = dps__buf_append(out, v->data + v->offsets[0], total);
  return s;
}

static dps_status decode(dps_dec *d, dps_rd *rd, const dps_values *v,
                         int depth, void *out, dps_bytes_out *bout) {
  const uint8_t *p = NULL;
  dps_status s;
  if (v->kind != DPS_KIND_BYTES) {
    s = dps__rd_align(d, rd);
    if (s == DPS_OK) s = dps__rd_bytes(d, rd, v->n * v->width, &p, "plain values");
    if (s == DPS_OK && v->n) memcpy(out, p, v->n * v->width);
    return s;
  }
  uint8_t child;
  s = dps__rd_u8(d, rd, &child, "plain lengths form");
  if (s != DPS_OK) return s;
  if (child > 1) return dps__rd_fail(d, rd, "expected lengths form 0 or 1, found %u", child);
  /* The lengths land in `ends` and are summed in place. */
  int64_t *ends = bout->ends;
  if (child) {
    uint32_t *lens = dps__dec_alloc(d, v->n, sizeof *lens);
    if (lens == NULL) return DPS_ENOMEM;
    dps_values lv = {DPS_KIND_INT, 4, false, v->n, NULL, NULL, NULL};
    s = dps__child_decode(d, rd, &lv, depth + 1, lens, NULL);
    for (size_t i = 0; s == DPS_OK && i < v->n; i++) ends[i] = lens[i];
  } else {
    s = dps__rd_bytes(d, rd, 4 * v->n, &p, "plain lengths");
    for (size_t i = 0; s == DPS_OK && i < v->n; i++) ends[i] = dps__load_u32(p + 4 * i);
  }
  uint64_t total = 0, sum = 0;
  if (s == DPS_OK) s = dps__rd_u64(d, rd, &total, "plain byte count");
  if (s != DPS_OK) return s;
  for (size_t i = 0; i < v->n; i++) {
    sum += (uint64_t)ends[i];
    ends[i] = bout->base + (int64_t)sum;
  }
  if (sum != total)
    return dps__rd_fail(d, rd, "expected lengths adding up to %llu bytes, "
                        "found %llu", (unsigned long long)total,
                        (unsigned long long)sum);
  s = dps__rd_bytes(d, rd, (size_t)total, &p, "plain bytes");
  if (s == DPS_OK && dps__buf_append(bout->data, p, (size_t)total) != DPS_OK)
    return DPS_ENOMEM;
  return s;
}

const dps_scheme dps__scheme_plain = {
  DPS_SCHEME_PLAIN, "plain",
  (1u << DPS_KIND_INT) | (1u << DPS_KIND_FLOAT) | (1u << DPS_KIND_BYTES),
  true, NULL, true, encode, decode};
