/* cascade.c - the scheme registry, scheme choice by sampling, child nodes
 * and bounded readers (spec/FORMAT.md §4.4). */
#include "format/cascade.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const dps_scheme *const registry[DPS_SCHEME_COUNT] = {
  &dps__scheme_plain, &dps__scheme_constant, &dps__scheme_for,
  &dps__scheme_delta, &dps__scheme_rle,      &dps__scheme_dict,
  &dps__scheme_alp,   &dps__scheme_fsst};

const dps_scheme *dps__scheme_get(unsigned id) {
  return id < DPS_SCHEME_COUNT ? registry[id] : NULL;
}

int dps__scheme_by_name(const char *name) {
  for (unsigned i = 0; i < DPS_SCHEME_COUNT; i++)
    if (strcmp(registry[i]->name, name) == 0) return (int)i;
  return -1;
}

/* ---- values ----------------------------------------------------------- */

uint64_t dps__val_bits(const void *v, unsigned width, size_t i) {
  switch (width) {
    case 1: return ((const uint8_t *)v)[i];
    case 2: return ((const uint16_t *)v)[i];
    case 4: return ((const uint32_t *)v)[i];
    default: return ((const uint64_t *)v)[i];
  }
}

void dps__val_store(void *v, unsigned width, size_t i, uint64_t bits) {
  switch (width) {
    case 1: ((uint8_t *)v)[i] = (uint8_t)bits; break;
    case 2: ((uint16_t *)v)[i] = (uint16_t)bits; break;
    case 4: ((uint32_t *)v)[i] = (uint32_t)bits; break;
    default: ((uint64_t *)v)[i] = bits; break;
  }
}

static uint64_t sign_bit(unsigned width) { return 1ull << (8 * width - 1); }

uint64_t dps__val_key(const dps_values *v, size_t i) {
  uint64_t b = dps__val_bits(v->v, v->width, i);
  /* Flipping the sign bit maps two's complement order onto unsigned order. */
  return v->kind == DPS_KIND_INT && v->is_signed ? b ^ sign_bit(v->width) : b;
}

uint64_t dps__key_bits(unsigned width, bool is_signed, uint64_t key) {
  return is_signed ? key ^ sign_bit(width) : key;
}

/* ---- writing ------------------------------------------------------------ */

dps_status dps__wr_align(dps_buf *out) {
  uint8_t pad = (uint8_t)((8 - (out->len + 1) % 8) % 8);
  static const uint8_t zeros[8];
  dps_status s = dps__buf_put_u8(out, pad);
  return s == DPS_OK ? dps__buf_append(out, zeros, pad) : s;
}

dps_status dps__wr_int(dps_buf *out, unsigned width, uint64_t v) {
  uint8_t t[8];
  for (unsigned k = 0; k < width; k++) t[k] = (uint8_t)(v >> (8 * k));
  return dps__buf_append(out, t, width);
}

static void desc_append(dps_enc *e, const char *s) {
  if (e->desc == NULL) return;
  size_t used = strlen(e->desc);
  if (used + 1 < e->desc_size)
    snprintf(e->desc + used, e->desc_size - used, "%s", s);
}

/* ---- choosing a scheme ------------------------------------------------- */

#define SAMPLE_RUNS 10
#define SAMPLE_RUN_LEN 64

/* Copies SAMPLE_RUNS runs of consecutive values from evenly spread places:
 * runs keep the local order that RLE and DELTA depend on. */
static dps_status take_sample(const dps_values *v, dps_values *s,
                              void **fixed, int64_t **offs, dps_buf *bytes) {
  *s = *v;
  size_t n = SAMPLE_RUNS * SAMPLE_RUN_LEN, stride = v->n / SAMPLE_RUNS;
  s->n = n;
  if (v->kind == DPS_KIND_BYTES) {
    *offs = malloc((n + 1) * sizeof **offs);
    if (*offs == NULL) return DPS_ENOMEM;
    (*offs)[0] = 0;
    size_t k = 0;
    for (size_t r = 0; r < SAMPLE_RUNS; r++)
      for (size_t j = 0; j < SAMPLE_RUN_LEN; j++, k++) {
        size_t i = r * stride + j;
        size_t len = (size_t)(v->offsets[i + 1] - v->offsets[i]);
        if (dps__buf_append(bytes, v->data + v->offsets[i], len) != DPS_OK)
          return DPS_ENOMEM;
        (*offs)[k + 1] = (int64_t)bytes->len;
      }
    s->offsets = *offs;
    static const uint8_t empty[1];
    s->data = bytes->data ? bytes->data : empty;
    return DPS_OK;
  }
  *fixed = malloc(n * v->width);
  if (*fixed == NULL) return DPS_ENOMEM;
  for (size_t r = 0; r < SAMPLE_RUNS; r++)
    memcpy((uint8_t *)*fixed + r * SAMPLE_RUN_LEN * v->width,
           (const uint8_t *)v->v + r * stride * v->width,
           SAMPLE_RUN_LEN * v->width);
  s->v = *fixed;
  return DPS_OK;
}

static bool usable(const dps_scheme *sc, const dps_values *v, int depth) {
  if ((sc->kinds & (1u << v->kind)) == 0) return false;
  if (depth >= DPS_CASCADE_MAX_DEPTH && !sc->leaf) return false;
  return sc->applicable == NULL || sc->applicable(v);
}

/* Encodes a sample of v with every usable scheme and returns the id of the
 * smallest result. Size is the score: every scheme here decodes at memory
 * speed or close, so bytes read dominate scan time; ties go to the lower
 * id, the simpler scheme. */
static dps_status choose(dps_enc *e, const dps_values *v, int depth,
                         unsigned *out) {
  *out = DPS_SCHEME_PLAIN;
  unsigned cands[DPS_SCHEME_COUNT], nc = 0;
  for (unsigned i = 0; i < DPS_SCHEME_COUNT; i++)
    if (usable(registry[i], v, depth)) cands[nc++] = i;
  if (nc <= 1) {
    if (nc == 1) *out = cands[0];
    return DPS_OK;
  }
  dps_values sample = *v;
  void *fixed = NULL;
  int64_t *offs = NULL;
  dps_buf bytes = {0}, trial = {0};
  dps_status s = DPS_OK;
  if (v->n > 2 * SAMPLE_RUNS * SAMPLE_RUN_LEN)
    s = take_sample(v, &sample, &fixed, &offs, &bytes);
  /* Trials describe nothing and see no forced scheme. */
  char *desc = e->desc;
  int forced = e->forced_root;
  e->desc = NULL;
  e->forced_root = -1;
  size_t best = SIZE_MAX;
  for (unsigned k = 0; s == DPS_OK && k < nc; k++) {
    const dps_scheme *sc = registry[cands[k]];
    if (sample.n != v->n && sc->applicable != NULL && !sc->applicable(&sample))
      continue;
    trial.len = 0;
    s = sc->encode(e, &sample, depth, &trial);
    if (s == DPS_EINVAL) {  /* this scheme cannot hold the sample */
      s = DPS_OK;
      continue;
    }
    if (s == DPS_OK && trial.len < best) {
      best = trial.len;
      *out = cands[k];
    }
  }
  e->desc = desc;
  e->forced_root = forced;
  free(fixed);
  free(offs);
  dps__buf_free(&bytes);
  dps__buf_free(&trial);
  if (s != DPS_OK) return dps__fail(e->err, s, "out of memory choosing an encoding");
  return DPS_OK;
}

dps_status dps__node_encode(dps_enc *e, const dps_values *v, int depth,
                            dps_buf *out) {
  unsigned id;
  if (depth == 1 && e->forced_root >= 0) {
    id = (unsigned)e->forced_root;
    const dps_scheme *sc = registry[id];
    if ((sc->kinds & (1u << v->kind)) == 0 ||
        (!sc->holds_any && sc->applicable != NULL && !sc->applicable(v)))
      return dps__fail(e->err, DPS_EINVAL, "encoding %s cannot hold these "
                       "values%s", sc->name,
                       id == DPS_SCHEME_CONSTANT ? " (they are not all equal)"
                                                 : "");
  } else {
    dps_status s = choose(e, v, depth, &id);
    if (s != DPS_OK) return s;
  }
  const dps_scheme *sc = registry[id];
  desc_append(e, sc->name);
  e->children[depth] = 0;
  dps_status s = dps__buf_put_u8(out, (uint8_t)id);
  if (s == DPS_OK) s = sc->encode(e, v, depth, out);
  if (s == DPS_OK && e->children[depth] > 0) desc_append(e, ")");
  return s;
}

dps_status dps__child_encode(dps_enc *e, const dps_values *v, int depth,
                             dps_buf *out) {
  desc_append(e, e->children[depth - 1]++ ? "," : "(");
  size_t at = out->len;
  dps_status s = dps__buf_put_u32(out, 0);
  if (s == DPS_OK) s = dps__node_encode(e, v, depth, out);
  if (s != DPS_OK) return s;
  size_t len = out->len - at - 4;
  if (len > UINT32_MAX)
    return dps__fail(e->err, DPS_EINVAL, "encoded node of %zu bytes exceeds "
                     "4 GiB", len);
  dps__store_u32(out->data + at, (uint32_t)len);
  return DPS_OK;
}

/* ---- reading ------------------------------------------------------------ */

dps_status dps__rd_fail(dps_dec *d, const dps_rd *rd, const char *fmt, ...) {
  char what[320];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof what, fmt, ap);
  va_end(ap);
  return DPS_CORRUPT(d->err, "%s: %s (byte %lld of the page)", d->where, what,
                     (long long)(rd->p - d->page));
}

dps_status dps__rd_bytes(dps_dec *d, dps_rd *rd, size_t n, const uint8_t **p,
                         const char *what) {
  if (n > (size_t)(rd->end - rd->p))
    return dps__rd_fail(d, rd, "%s: expected %zu bytes, found %zu", what, n,
                        (size_t)(rd->end - rd->p));
  *p = rd->p;
  rd->p += n;
  return DPS_OK;
}

dps_status dps__rd_u8(dps_dec *d, dps_rd *rd, uint8_t *v, const char *what) {
  const uint8_t *p = NULL;
  dps_status s = dps__rd_bytes(d, rd, 1, &p, what);
  if (s == DPS_OK) *v = p[0];
  return s;
}

dps_status dps__rd_u32(dps_dec *d, dps_rd *rd, uint32_t *v, const char *what) {
  const uint8_t *p = NULL;
  dps_status s = dps__rd_bytes(d, rd, 4, &p, what);
  if (s == DPS_OK) *v = dps__load_u32(p);
  return s;
}

dps_status dps__rd_u64(dps_dec *d, dps_rd *rd, uint64_t *v, const char *what) {
  const uint8_t *p = NULL;
  dps_status s = dps__rd_bytes(d, rd, 8, &p, what);
  if (s == DPS_OK) *v = dps__load_u64(p);
  return s;
}

dps_status dps__rd_align(dps_dec *d, dps_rd *rd) {
  uint8_t pad;
  const uint8_t *p = NULL;
  dps_status s = dps__rd_u8(d, rd, &pad, "alignment pad");
  if (s == DPS_OK && pad > 7)
    return dps__rd_fail(d, rd, "expected an alignment pad of 0..7, found %u",
                        pad);
  if (s == DPS_OK) s = dps__rd_bytes(d, rd, pad, &p, "alignment pad");
  if (s == DPS_OK && (rd->p - d->page) % 8 != 0)
    return dps__rd_fail(d, rd, "expected data aligned to 8 bytes after the "
                        "pad, found offset %lld", (long long)(rd->p - d->page));
  for (uint8_t k = 0; s == DPS_OK && k < pad; k++)
    if (p[k] != 0) return dps__rd_fail(d, rd, "expected zero pad bytes");
  return s;
}

dps_status dps__node_decode(dps_dec *d, dps_rd *rd, const dps_values *v,
                            int depth, void *out, dps_bytes_out *bout) {
  uint8_t id;
  dps_status s = dps__rd_u8(d, rd, &id, "encoding id");
  if (s != DPS_OK) return s;
  const dps_scheme *sc = dps__scheme_get(id);
  if (sc == NULL)  /* [FMT-5]: ids are added by minor versions */
    return dps__fail(d->err, DPS_EVERSION, "%s: encoding id %u is unknown to "
                     "dpsnap %s (reads format %d.%d)", d->where, id,
                     dps_version_string(), DPS_FORMAT_MAJOR, DPS_FORMAT_MINOR);
  if ((sc->kinds & (1u << v->kind)) == 0 ||
      (depth >= DPS_CASCADE_MAX_DEPTH && !sc->leaf) ||
      depth > DPS_CASCADE_MAX_DEPTH)
    return dps__rd_fail(d, rd, "encoding %s is not allowed here (depth %d, "
                        "%s values)", sc->name, depth,
                        v->kind == DPS_KIND_BYTES ? "byte" :
                        v->kind == DPS_KIND_FLOAT ? "float" : "integer");
  return sc->decode(d, rd, v, depth, out, bout);
}

dps_status dps__child_decode(dps_dec *d, dps_rd *rd, const dps_values *v,
                             int depth, void *out, dps_bytes_out *bout) {
  uint32_t len;
  const uint8_t *p = NULL;
  dps_status s = dps__rd_u32(d, rd, &len, "child node length");
  if (s == DPS_OK) s = dps__rd_bytes(d, rd, len, &p, "child node");
  if (s != DPS_OK) return s;
  dps_rd sub = {p, p + len};
  s = dps__node_decode(d, &sub, v, depth, out, bout);
  if (s == DPS_OK && sub.p != sub.end)
    return dps__rd_fail(d, &sub, "expected a child node of %u bytes, found "
                        "%lld unused", len, (long long)(sub.end - sub.p));
  return s;
}
