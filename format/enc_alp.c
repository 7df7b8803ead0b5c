/* enc_alp.c - scheme 6, ALP: decimal-like floats as integers (a child
 * node, usually FOR) scaled by powers of ten, with the values that do not
 * survive the trip bit-exactly stored apart. Kernels: format/alp.c. */
#include "format/cascade.h"

#include <stdlib.h>
#include <string.h>

static bool applicable(const dps_values *v) { return v->n > 0; }

static dps_status encode(dps_enc *e, const dps_values *v, int depth,
                         dps_buf *out) {
  bool f64 = v->width == 8;
  size_t n = v->n;
  void *ints = malloc(n * v->width);
  uint32_t *pos = malloc(n * sizeof *pos);
  void *exc = malloc(n * v->width);
  dps_status s = (ints && pos && exc) ? DPS_OK : DPS_ENOMEM;
  size_t n_exc = 0;
  dps_alp_params p = {0, 0};
  if (s == DPS_OK) {
    /* Parameters come from a spread of at most 1024 values. */
    size_t step = n > 1024 ? n / 1024 : 1, m = n > 1024 ? 1024 : n;
    void *sample = malloc(m * v->width);
    if (sample == NULL) {
      s = DPS_ENOMEM;
    } else {
      for (size_t i = 0; i < m; i++)
        memcpy((uint8_t *)sample + i * v->width,
               (const uint8_t *)v->v + i * step * v->width, v->width);
      p = f64 ? dps__alp_choose64(sample, m) : dps__alp_choose32(sample, m);
      free(sample);
    }
  }
  if (s == DPS_OK)
    n_exc = f64 ? dps__alp_encode64(v->v, n, p, ints, pos, exc)
                : dps__alp_encode32(v->v, n, p, ints, pos, exc);
  /* All exceptions: plain is smaller, so tell the chooser; a writer that
   * forced ALP still gets it. */
  if (s == DPS_OK && n_exc == n && !(depth == 1 && e->forced_root >= 0))
    s = DPS_EINVAL;
  if (s == DPS_OK) s = dps__buf_put_u8(out, p.e);
  if (s == DPS_OK) s = dps__buf_put_u8(out, p.f);
  if (s == DPS_OK) s = dps__buf_put_u32(out, (uint32_t)n_exc);
  dps_values iv = {DPS_KIND_INT, v->width, true, n, ints, NULL, NULL};
  if (s == DPS_OK) s = dps__child_encode(e, &iv, depth + 1, out);
  if (s == DPS_OK && n_exc) s = dps__wr_align(out);
  if (s == DPS_OK) s = dps__buf_append(out, exc, n_exc * v->width);
  for (size_t k = 0; s == DPS_OK && k < n_exc; k++) s = dps__buf_put_u32(out, pos[k]);
  free(ints);
  free(pos);
  free(exc);
  return s;
}

static dps_status decode(dps_dec *d, dps_rd *rd, const dps_values *v,
                         int depth, void *out, dps_bytes_out *bout) {
  (void)bout;
  uint8_t e, f;
  uint32_t n_exc;
  dps_status s = dps__rd_u8(d, rd, &e, "ALP exponent");
  if (s == DPS_OK) s = dps__rd_u8(d, rd, &f, "ALP factor");
  if (s == DPS_OK) s = dps__rd_u32(d, rd, &n_exc, "ALP exception count");
  if (s != DPS_OK) return s;
  if (n_exc > v->n)
    return dps__rd_fail(d, rd, "expected at most %zu ALP exceptions, found %u",
                        v->n, n_exc);
  void *ints = dps__dec_alloc(d, v->n, v->width);
  if (ints == NULL) return DPS_ENOMEM;
  dps_values iv = {DPS_KIND_INT, v->width, true, v->n, NULL, NULL, NULL};
  s = dps__child_decode(d, rd, &iv, depth + 1, ints, NULL);
  dps_alp_params p = {e, f};
  if (s == DPS_OK) {
    s = v->width == 8 ? dps__alp_decode64(ints, v->n, p, out)
                      : dps__alp_decode32(ints, v->n, p, out);
    if (s != DPS_OK)
      s = dps__rd_fail(d, rd, "expected ALP parameters 0 <= f <= e <= %d, "
                       "found e=%u f=%u", v->width == 8 ? 18 : 10, e, f);
  }
  if (s != DPS_OK || n_exc == 0) return s;
  const uint8_t *vals, *pos;
  s = dps__rd_align(d, rd);
  if (s == DPS_OK) s = dps__rd_bytes(d, rd, (size_t)n_exc * v->width, &vals, "ALP exceptions");
  if (s == DPS_OK) s = dps__rd_bytes(d, rd, (size_t)n_exc * 4, &pos, "ALP exception positions");
  uint32_t prev = 0;
  for (uint32_t k = 0; s == DPS_OK && k < n_exc; k++) {
    uint32_t at = dps__load_u32(pos + 4 * k);
    if (at >= v->n || (k > 0 && at <= prev))
      return dps__rd_fail(d, rd, "ALP exception %u: expected an ascending "
                          "position below %zu, found %u", k, v->n, at);
    prev = at;
    memcpy((uint8_t *)out + (size_t)at * v->width, vals + (size_t)k * v->width, v->width);
  }
  return s;
}

const dps_scheme dps__scheme_alp = {
  DPS_SCHEME_ALP, "alp", 1u << DPS_KIND_FLOAT, false, applicable, true, encode,
  decode};
