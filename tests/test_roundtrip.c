/*
 * test_roundtrip.c - what is written is read back bit-exactly, for every
 * type, edge value, row count, codec and layout option; and the file's
 * layout, sizes, checksums and zone maps are what spec/FORMAT.md says.
 *
 * Every written file goes through rt_check(), which reads it back, compares
 * every column bit for bit, checks row-group and batch counts, statistics,
 * dps_reader_verify, and decodes the footer to check each page against an
 * independent computation from the input data: value and null counts,
 * raw size [FMT-13], stored checksum [FMT-10], bounds [FMT-32], page and
 * row-group shape [FMT-31, FMT-33] and zone maps [FMT-34..36].
 */
#include "testutil.h"

#include <math.h>
#include <xxhash.h>

#define NO_PV 0

/* ---- column sets ------------------------------------------------------------ */

static const tu_coldef all_defs[] = {
    {"b", DPS_TYPE_BOOL, 1, 0, 0},
    {"i8", DPS_TYPE_INT8, 1, 0, 0},
    {"i16", DPS_TYPE_INT16, 1, 0, 0},
    {"i32", DPS_TYPE_INT32, 1, 0, 0},
    {"i64", DPS_TYPE_INT64, 1, 0, 0},
    {"u8", DPS_TYPE_UINT8, 1, 0, 0},
    {"u16", DPS_TYPE_UINT16, 1, 0, 0},
    {"u32", DPS_TYPE_UINT32, 1, 0, 0},
    {"u64", DPS_TYPE_UINT64, 1, 0, 0},
    {"f32", DPS_TYPE_FLOAT32, 1, 0, 0},
    {"f64", DPS_TYPE_FLOAT64, 1, 0, 0},
    {"date", DPS_TYPE_DATE, 1, 0, 0},
    {"ts", DPS_TYPE_TIMESTAMP, 1, 0, 0},
    {"dec18_4", DPS_TYPE_DECIMAL, 1, 18, 4},
    {"dec5_2", DPS_TYPE_DECIMAL, 1, 5, 2},
    {"dec1_0", DPS_TYPE_DECIMAL, 1, 1, 0},
    {"s", DPS_TYPE_STRING, 1, 0, 0},
    {"bin", DPS_TYPE_BINARY, 1, 0, 0},
};
#define N_ALL (sizeof all_defs / sizeof all_defs[0])

/* Same columns, none nullable. */
static tu_coldef nn_defs[N_ALL];
static void init_nn_defs(void) {
  for (size_t i = 0; i < N_ALL; i++) {
    nn_defs[i] = all_defs[i];
    nn_defs[i].nullable = 0;
  }
}

static void make_random(tu_column *cols, const tu_coldef *defs, size_t n,
                        size_t rows, unsigned null_permille, uint64_t seed) {
  tu_rng rng;
  tu_rng_seed(&rng, seed);
  for (size_t i = 0; i < n; i++) {
    tu_column_init(&cols[i], defs[i].type);
    tu_column_random(&cols[i], rows, defs[i].nullable ? null_permille : 0,
                     defs[i].precision, &rng);
  }
}

static void free_cols(tu_column *cols, size_t n) {
  for (size_t i = 0; i < n; i++) tu_column_free(&cols[i]);
}

/* ---- independent oracle ------------------------------------------------------ */

static size_t width_of(dps_type t) {
  switch (t) {
    case DPS_TYPE_BOOL: case DPS_TYPE_INT8: case DPS_TYPE_UINT8: return 1;
    case DPS_TYPE_INT16: case DPS_TYPE_UINT16: return 2;
    case DPS_TYPE_INT32: case DPS_TYPE_UINT32: case DPS_TYPE_FLOAT32:
    case DPS_TYPE_DATE: return 4;
    case DPS_TYPE_STRING: case DPS_TYPE_BINARY: return 0;
    default: return 8;
  }
}
static int is_var(dps_type t) {
  return t == DPS_TYPE_STRING || t == DPS_TYPE_BINARY;
}
static int is_float(dps_type t) {
  return t == DPS_TYPE_FLOAT32 || t == DPS_TYPE_FLOAT64;
}
static int is_unsigned(dps_type t) {
  return t == DPS_TYPE_BOOL || t == DPS_TYPE_UINT8 || t == DPS_TYPE_UINT16 ||
         t == DPS_TYPE_UINT32 || t == DPS_TYPE_UINT64;
}

static size_t count_nulls(const tu_column *c, size_t a, size_t b) {
  size_t n = 0;
  for (size_t i = a; i < b; i++) n += !tu_column_is_valid(c, i);
  return n;
}

/* [FMT-13] raw size of the plain page holding rows [a, b) of c. */
static uint64_t page_raw(const tu_column *c, size_t a, size_t b) {
  size_t n = b - a, nulls = count_nulls(c, a, b);
  uint64_t raw = nulls ? (n + 7) / 8 : 0;
  if (c->type == DPS_TYPE_BOOL) return raw + (n + 7) / 8;
  if (!is_var(c->type)) return raw + (uint64_t)n * width_of(c->type);
  raw += 4u * (uint64_t)n;
  for (size_t i = a; i < b; i++)
    if (tu_column_is_valid(c, i))
      raw += (uint64_t)(c->offsets[i + 1] - c->offsets[i]);
  return raw;
}

/* Raw value of row i as a sortable number. */
static int64_t sval(const tu_column *c, size_t i) {
  const uint8_t *p = c->values + i * width_of(c->type);
  switch (c->type) {
    case DPS_TYPE_INT8: return *(const int8_t *)p;
    case DPS_TYPE_INT16: { int16_t v; memcpy(&v, p, 2); return v; }
    case DPS_TYPE_INT32: case DPS_TYPE_DATE: { int32_t v; memcpy(&v, p, 4); return v; }
    default: { int64_t v; memcpy(&v, p, 8); return v; }
  }
}
static uint64_t uval(const tu_column *c, size_t i) {
  const uint8_t *p = c->values + i * width_of(c->type);
  switch (c->type) {
    case DPS_TYPE_BOOL: case DPS_TYPE_UINT8: return *p;
    case DPS_TYPE_UINT16: { uint16_t v; memcpy(&v, p, 2); return v; }
    case DPS_TYPE_UINT32: { uint32_t v; memcpy(&v, p, 4); return v; }
    default: { uint64_t v; memcpy(&v, p, 8); return v; }
  }
}
static int fnan(const tu_column *c, size_t i, double *out) {
  const uint8_t *p = c->values + i * width_of(c->type);
  if (c->type == DPS_TYPE_FLOAT32) {
    uint32_t b;
    float f;
    memcpy(&b, p, 4);
    if ((b & 0x7F800000u) == 0x7F800000u && (b & 0x007FFFFFu)) return 1;
    memcpy(&f, p, 4);
    *out = f;
  } else {
    uint64_t b;
    memcpy(&b, p, 8);
    if ((b & UINT64_C(0x7FF0000000000000)) == UINT64_C(0x7FF0000000000000) &&
        (b & UINT64_C(0x000FFFFFFFFFFFFF)))
      return 1;
    memcpy(out, p, 8);
  }
  return 0;
}

static void le_store(uint8_t *p, uint64_t v, size_t w) {
  for (size_t i = 0; i < w; i++) p[i] = (uint8_t)(v >> (8 * i));
}

/* Byte-wise unsigned compare of var values i and j. */
static int var_cmp(const tu_column *c, size_t i, size_t j) {
  size_t li = (size_t)(c->offsets[i + 1] - c->offsets[i]);
  size_t lj = (size_t)(c->offsets[j + 1] - c->offsets[j]);
  size_t m = li < lj ? li : lj;
  int r = m ? memcmp(c->data + c->offsets[i], c->data + c->offsets[j], m) : 0;
  if (r) return r;
  return li < lj ? -1 : li > lj;
}

/* The zone map [FMT-34..36] of rows [a, b) of c, computed from the data. */
static void oracle_zone(const tu_column *c, size_t a, size_t b, dps_zone *z) {
  memset(z, 0, sizeof *z);
  dps_type t = c->type;
  size_t w = width_of(t);
  long best_min = -1, best_max = -1;
  double fmin = 0, fmax = 0;
  for (size_t i = a; i < b; i++) {
    if (!tu_column_is_valid(c, i)) continue;
    if (is_float(t)) {
      double v;
      if (fnan(c, i, &v)) {
        z->nan_count++;
        continue;
      }
      if (best_min < 0 || v < fmin) fmin = v, best_min = (long)i;
      if (best_max < 0 || v > fmax) fmax = v, best_max = (long)i;
    } else if (is_var(t)) {
      if (best_min < 0 || var_cmp(c, i, (size_t)best_min) < 0)
        best_min = (long)i;
      if (best_max < 0 || var_cmp(c, i, (size_t)best_max) > 0)
        best_max = (long)i;
    } else if (is_unsigned(t)) {
      if (best_min < 0 || uval(c, i) < uval(c, (size_t)best_min))
        best_min = (long)i;
      if (best_max < 0 || uval(c, i) > uval(c, (size_t)best_max))
        best_max = (long)i;
    } else {
      if (best_min < 0 || sval(c, i) < sval(c, (size_t)best_min))
        best_min = (long)i;
      if (best_max < 0 || sval(c, i) > sval(c, (size_t)best_max))
        best_max = (long)i;
    }
  }
  if (best_min < 0) return; /* no bounds */
  if (is_float(t)) {
    z->has_min = z->has_max = 1;
    z->min_len = z->max_len = (uint8_t)w;
    if (t == DPS_TYPE_FLOAT32) {
      float lo = (float)fmin, hi = (float)fmax;
      if (lo == 0) lo = -0.0f; /* [FMT-35] */
      if (hi == 0) hi = 0.0f;
      memcpy(z->min, &lo, 4);
      memcpy(z->max, &hi, 4);
    } else {
      double lo = fmin, hi = fmax;
      if (lo == 0) lo = -0.0;
      if (hi == 0) hi = 0.0;
      memcpy(z->min, &lo, 8);
      memcpy(z->max, &hi, 8);
    }
  } else if (is_var(t)) {
    size_t lmin = (size_t)(c->offsets[best_min + 1] - c->offsets[best_min]);
    size_t lmax = (size_t)(c->offsets[best_max + 1] - c->offsets[best_max]);
    const uint8_t *pmin = c->data + c->offsets[best_min];
    const uint8_t *pmax = c->data + c->offsets[best_max];
    z->has_min = 1;
    z->min_len = (uint8_t)(lmin > 64 ? 64 : lmin);
    memcpy(z->min, pmin, z->min_len);
    if (lmax <= 64) {
      z->has_max = 1;
      z->max_len = (uint8_t)lmax;
      memcpy(z->max, pmax, lmax);
    } else {
      /* [FMT-36] first 64 bytes, last non-0xFF byte incremented, rest
       * dropped; all 0xFF: no max. */
      long k = 63;
      while (k >= 0 && pmax[k] == 0xFF) k--;
      if (k >= 0) {
        z->has_max = 1;
        z->max_len = (uint8_t)(k + 1);
        memcpy(z->max, pmax, (size_t)k + 1);
        z->max[k]++;
      }
    }
  } else {
    z->has_min = z->has_max = 1;
    z->min_len = z->max_len = (uint8_t)w;
    if (is_unsigned(t)) {
      le_store(z->min, uval(c, (size_t)best_min), w);
      le_store(z->max, uval(c, (size_t)best_max), w);
    } else {
      le_store(z->min, (uint64_t)sval(c, (size_t)best_min), w);
      le_store(z->max, (uint64_t)sval(c, (size_t)best_max), w);
    }
  }
}

static void hex(char *out, const uint8_t *p, size_t n) {
  out[0] = '\0';
  for (size_t i = 0; i < n && i < 20; i++) sprintf(out + 2 * i, "%02x", p[i]);
}

static void zone_eq(const dps_zone *want, const dps_zone *got,
                    const char *where) {
  char a[64], b[64];
  if (!!want->has_min != !!got->has_min || !!want->has_max != !!got->has_max)
    fail_msg("%s: zone has_min/has_max %d/%d, expected %d/%d", where,
             got->has_min, got->has_max, want->has_min, want->has_max);
  if (want->has_min &&
      (want->min_len != got->min_len ||
       memcmp(want->min, got->min, want->min_len) != 0)) {
    hex(a, want->min, want->min_len);
    hex(b, got->min, got->min_len);
    fail_msg("%s: zone min %s (%u bytes), expected %s (%u bytes)", where, b,
             got->min_len, a, want->min_len);
  }
  if (want->has_max &&
      (want->max_len != got->max_len ||
       memcmp(want->max, got->max, want->max_len) != 0)) {
    hex(a, want->max, want->max_len);
    hex(b, got->max, got->max_len);
    fail_msg("%s: zone max %s (%u bytes), expected %s (%u bytes)", where, b,
             got->max_len, a, want->max_len);
  }
  if (want->nan_count != got->nan_count)
    fail_msg("%s: nan_count %llu, expected %llu", where,
             (unsigned long long)got->nan_count,
             (unsigned long long)want->nan_count);
}

/* ---- the check every written file goes through ------------------------------ */

static dps_compression requested(const dps_write_options *o, const char *name) {
  dps_compression c = o->compression;
  for (size_t i = 0; i < o->n_column_compression; i++)
    if (strcmp(o->column_compression[i].column, name) == 0)
      c = o->column_compression[i].compression;
  return c;
}

static int codec_id(dps_compression c) {
  return c == DPS_COMPRESSION_DEFAULT ? 3 : (int)c;
}

typedef struct span {
  uint64_t off, len;
} span;

static int span_cmp(const void *a, const void *b) {
  const span *x = a, *y = b;
  return x->off < y->off ? -1 : x->off > y->off;
}

/* Decodes the footer of img and checks every row group, chunk and page. */
static void check_layout(const char *label, const uint8_t *img, size_t len,
                         const tu_coldef *defs, size_t n,
                         const tu_column *cols, const dps_write_options *o,
                         uint64_t *page_total) {
  size_t rows = n ? cols[0].length : 0;
  size_t rgr = o->row_group_rows ? o->row_group_rows : DPS_DEFAULT_ROW_GROUP_ROWS;
  size_t pv = o->page_vectors ? o->page_vectors : DPS_DEFAULT_PAGE_VECTORS;
  size_t page_rows = pv * DPS_VECTOR_SIZE;
  tu_trailer t = tu_trailer_read(img, len);
  assert_int_equal(t.major, DPS_FORMAT_MAJOR);
  assert_int_equal(t.minor, DPS_FORMAT_MINOR);
  /* [FMT-2] header: magic, version, reserved zero */
  assert_memory_equal(img, tu_magic, 8);
  assert_int_equal(img[8] | (img[9] << 8), DPS_FORMAT_MAJOR);
  assert_int_equal(img[10] | (img[11] << 8), DPS_FORMAT_MINOR);
  assert_int_equal(img[12] | img[13] | img[14] | img[15], 0);
  assert_int_equal(img[len - 12] | img[len - 11] | img[len - 10] | img[len - 9],
                   0);
  /* [FMT-6], [FMT-7] */
  assert_true(t.footer_offset >= 16);
  assert_true(t.footer_offset + t.footer_length + 40 == len);
  assert_true(XXH3_64bits(img + t.footer_offset, (size_t)t.footer_length) ==
              t.footer_checksum);

  dps_footer f;
  dps_error e;
  tu_err_reset(&e);
  memset(&f, 0, sizeof f);
  TU_OK(dps__footer_decode(img + t.footer_offset, (size_t)t.footer_length,
                           t.footer_offset, label, &f, &e),
        &e);
  size_t groups = (rows + rgr - 1) / rgr;
  assert_int_equal(f.n_groups, groups);
  assert_true(f.row_count == rows);
  span *spans = NULL;
  size_t n_spans = 0, cap_spans = 0;
  char where[160];
  for (size_t g = 0; g < groups; g++) {
    size_t start = g * rgr, grows = rows - start < rgr ? rows - start : rgr;
    const dps_row_group_ref *rg = &f.groups[g];
    assert_true(rg->row_count == grows);
    assert_true(rg->location == NULL || rg->location[0] == '\0');
    for (size_t c = 0; c < n; c++) {
      const tu_column *col = &cols[c];
      const dps_chunk_ref *ch = &rg->chunks[c];
      int want_codec = codec_id(requested(o, defs[c].name));
      snprintf(where, sizeof where, "%s: row group %zu column %s", label, g,
               defs[c].name);
      if (!(ch->compression == (uint64_t)want_codec ||
            (requested(o, defs[c].name) == DPS_COMPRESSION_DEFAULT &&
             ch->compression == 0)))
        fail_msg("%s: chunk compression %llu, expected %d", where,
                 (unsigned long long)ch->compression, want_codec);
      assert_true(ch->null_count == count_nulls(col, start, start + grows));
      size_t want_pages = (grows + page_rows - 1) / page_rows;
      if (ch->n_pages != want_pages)
        fail_msg("%s: %zu pages, expected %zu", where, ch->n_pages,
                 want_pages);
      for (size_t p = 0; p < ch->n_pages; p++) {
        const dps_page_ref *pg = &ch->pages[p];
        size_t a = start + p * page_rows;
        size_t b = a + page_rows < start + grows ? a + page_rows : start + grows;
        snprintf(where, sizeof where, "%s: row group %zu column %s page %zu",
                 label, g, defs[c].name, p);
        if (pg->value_count != b - a)
          fail_msg("%s: value_count %llu, expected %zu", where,
                   (unsigned long long)pg->value_count, b - a);
        if (pg->null_count != count_nulls(col, a, b))
          fail_msg("%s: null_count %llu, expected %zu", where,
                   (unsigned long long)pg->null_count, count_nulls(col, a, b));
        if (pg->encoding == DPS_PAGE_PLAIN) {
          if (pg->raw_size != page_raw(col, a, b))
            fail_msg("%s: raw_size %llu, expected %llu [FMT-13]", where,
                     (unsigned long long)pg->raw_size,
                     (unsigned long long)page_raw(col, a, b));
        } else {
          /* [FMT-50] cascade pages name their scheme tree in the footer */
          if (pg->encoding != DPS_PAGE_CASCADE || pg->cascade == NULL ||
              pg->cascade[0] == '\0')
            fail_msg("%s: encoding %llu without a scheme tree", where,
                     (unsigned long long)pg->encoding);
        }
        /* [FMT-11] codec none, or the requested one; [FMT-55] any of the
         * three for the default */
        bool any = requested(o, defs[c].name) == DPS_COMPRESSION_DEFAULT &&
                   pg->codec >= DPS_CODEC_NONE && pg->codec <= DPS_CODEC_ZSTD;
        if (!(any || pg->codec == DPS_CODEC_NONE ||
              pg->codec == (uint64_t)want_codec))
          fail_msg("%s: codec %llu", where, (unsigned long long)pg->codec);
        if (pg->codec == DPS_CODEC_NONE) assert_true(pg->stored_size == pg->raw_size);
        /* [FMT-32], [FMT-10] */
        assert_true(pg->offset >= 16);
        assert_true(pg->offset + pg->stored_size <= t.footer_offset);
        if (pg->checksum != XXH3_64bits(img + pg->offset, (size_t)pg->stored_size))
          fail_msg("%s: checksum is not XXH3-64 of the stored bytes", where);
        dps_zone want;
        oracle_zone(col, a, b, &want);
        zone_eq(&want, &pg->zone, where);
        if (n_spans == cap_spans) {
          cap_spans = cap_spans ? 2 * cap_spans : 64;
          spans = realloc(spans, cap_spans * sizeof *spans);
          assert_non_null(spans);
        }
        spans[n_spans].off = pg->offset;
        spans[n_spans].len = pg->stored_size;
        n_spans++;
      }
      dps_zone want;
      oracle_zone(col, start, start + grows, &want);
      snprintf(where, sizeof where, "%s: row group %zu column %s (group zone)",
               label, g, defs[c].name);
      zone_eq(&want, &rg->zones[c], where);
    }
  }
  /* Pages do not overlap and fill the space between header and footer. */
  if (n_spans) qsort(spans, n_spans, sizeof *spans, span_cmp);
  uint64_t at = 16;
  for (size_t i = 0; i < n_spans; i++) {
    if (spans[i].off != at)
      fail_msg("%s: page at %llu, expected the next page at %llu", label,
               (unsigned long long)spans[i].off, (unsigned long long)at);
    at += spans[i].len;
  }
  assert_true(at == t.footer_offset);
  *page_total = n_spans;
  free(spans);
  dps__footer_free(&f);
}

/* Writes cols (with one dps_writer_write per chunk size, cycled) to a
 * fresh file and checks everything about it. The path is returned in
 * path_out when given. */
static void rt_check_one(const char *label, const tu_coldef *defs, size_t n,
                         const tu_column *cols, const dps_write_options *opts,
                         const size_t *chunks, size_t n_chunks, char *path_out,
                         size_t path_size) {
  char path[512];
  tu_tmp_path(path, sizeof path, "rt.dps");
  if (path_out) snprintf(path_out, path_size, "%s", path);
  dps_write_options o = opts ? *opts : tu_opts();
  dps_schema *s = tu_schema(defs, n);
  dps_snapshot_meta m = tu_meta();
  dps_error e;
  tu_err_reset(&e);
  dps_status st = tu_write_chunks(path, s, &m, &o, cols, n, chunks, n_chunks, &e);
  if (st != DPS_OK)
    fail_msg("%s: write failed: %d (%s): %s", label, (int)st, dps_strerror(st),
             e.message);

  size_t rows = n ? cols[0].length : 0;
  size_t rgr = o.row_group_rows ? o.row_group_rows : DPS_DEFAULT_ROW_GROUP_ROWS;
  size_t groups = (rows + rgr - 1) / rgr;

  dps_reader *r = NULL;
  TU_OK(dps_reader_open(&r, path, NULL, &e), &e);
  assert_true(dps_reader_row_count(r) == rows);
  assert_int_equal(dps_reader_row_group_count(r), groups);
  assert_true(dps_reader_schema_tag(r) == tu_canonical_tag(s));

  /* Read everything: one batch per row group. */
  tu_column *back = calloc(n, sizeof *back);
  size_t *batch_rows = calloc(groups + 1, sizeof *batch_rows);
  size_t n_batches = 0;
  assert_true(back && batch_rows);
  st = tu_read_all(r, NULL, 0, back, &n_batches, batch_rows, groups + 1, &e);
  if (st != DPS_OK)
    fail_msg("%s: read failed: %d (%s): %s", label, (int)st, dps_strerror(st),
             e.message);
  assert_int_equal(n_batches, groups);
  for (size_t g = 0; g < groups; g++)
    assert_int_equal(batch_rows[g], rows - g * rgr < rgr ? rows - g * rgr : rgr);
  for (size_t i = 0; i < n; i++) {
    char what[128];
    snprintf(what, sizeof what, "%s: column %s", label, defs[i].name);
    dps_array_view a = tu_column_view(&cols[i]), b = tu_column_view(&back[i]);
    TU_ASSERT_ARRAY_EQ(defs[i].type, &a, &b, what);
    tu_assert_null_slots_zero(defs[i].type, &b, what);
    if (defs[i].type == DPS_TYPE_BOOL)
      for (size_t k = 0; k < b.length; k++)
        assert_true(((const uint8_t *)b.values)[k] <= 1);
  }

  /* Statistics. */
  dps_file_info fi;
  assert_int_equal(dps_reader_file_info(r, &fi), DPS_OK);
  assert_true(fi.file_size == (uint64_t)tu_file_size(path));
  assert_int_equal(fi.format_major, DPS_FORMAT_MAJOR);
  assert_int_equal(fi.format_minor, DPS_FORMAT_MINOR);
  assert_true(fi.file_size == 16 + fi.data_stored + fi.footer_size + 40);
  uint64_t stored = 0, raw = 0, pages = 0;
  for (size_t i = 0; i < n; i++) {
    dps_column_stats cs;
    assert_int_equal(dps_reader_column_stats(r, i, &cs), DPS_OK);
    if (cs.null_count != cols[i].nulls)
      fail_msg("%s: column %s null_count %llu, wrote %zu nulls", label,
               defs[i].name, (unsigned long long)cs.null_count, cols[i].nulls);
    dps_compression want = requested(&o, defs[i].name);
    /* The requested codec lives in the chunk entries [FMT §6.5]: an empty
     * snapshot has none, so it cannot say. */
    if (rows == 0)
      ;
    else if (want == DPS_COMPRESSION_DEFAULT)
      assert_true(cs.compression == DPS_COMPRESSION_DEFAULT ||
                  cs.compression == DPS_COMPRESSION_ZSTD);
    else
      assert_int_equal(cs.compression, want);
    if (want == DPS_COMPRESSION_NONE) assert_true(cs.data_raw == cs.data_stored);
    if (rows) assert_true(cs.page_count >= groups);
    stored += cs.data_stored;
    raw += cs.data_raw;
    pages += cs.page_count;
  }
  assert_true(stored == fi.data_stored);
  assert_true(raw == fi.data_raw);
  assert_true(pages == fi.page_count);

  /* The whole file checks out. */
  dps_verify_report rep;
  memset(&rep, 0xAB, sizeof rep);
  st = dps_reader_verify(r, &rep, &e);
  if (st != DPS_OK)
    fail_msg("%s: verify failed: %d (%s): %s", label, (int)st,
             dps_strerror(st), e.message);
  assert_true(rep.row_groups == groups);
  assert_true(rep.pages == fi.page_count);
  assert_true(rep.bytes == fi.data_stored);
  if (rows) assert_true(rep.pages > 0 && rep.values > 0);
  TU_OK(dps_reader_verify(r, NULL, &e), &e);
  dps_reader_free(r);

  /* The layout, page by page, against the oracle. */
  size_t len;
  uint8_t *img = tu_slurp(path, &len);
  uint64_t page_total = 0;
  check_layout(label, img, len, defs, n, cols, &o, &page_total);
  assert_true(page_total == fi.page_count);
  assert_true(len - 56 - fi.footer_size == fi.data_stored);
  free(img);

  free_cols(back, n);
  free(back);
  free(batch_rows);
  dps_schema_free(s);
}

/* Every case runs twice: with the encodings the writer chooses, and with
 * every column forced to plain pages, whose bytes [FMT-13] checks exactly. */
static void rt_check_ex(const char *label, const tu_coldef *defs, size_t n,
                        const tu_column *cols, const dps_write_options *opts,
                        const size_t *chunks, size_t n_chunks, char *path_out,
                        size_t path_size) {
  rt_check_one(label, defs, n, cols, opts, chunks, n_chunks, path_out,
               path_size);
  dps_write_options o = opts ? *opts : tu_opts();
  if (o.n_column_encoding > 0 || n == 0) return;
  dps_column_encoding *plain = calloc(n, sizeof *plain);
  assert_non_null(plain);
  for (size_t i = 0; i < n; i++) {
    plain[i].column = defs[i].name;
    plain[i].encoding = DPS_ENCODING_PLAIN;
  }
  o.column_encoding = plain;
  o.n_column_encoding = n;
  char what[160];
  snprintf(what, sizeof what, "%s [plain]", label);
  rt_check_one(what, defs, n, cols, &o, chunks, n_chunks, NULL, 0);
  free(plain);
}

#define rt_check(label, defs, n, cols, o) \
  rt_check_ex((label), (defs), (n), (cols), (o), NULL, 0, NULL, 0)

/* ---- types and values --------------------------------------------------------- */

/* Every type, random values, nulls in random places. */
static void test_roundtrip__all_types_random(void **state) {
  (void)state;
  tu_column cols[N_ALL];
  make_random(cols, all_defs, N_ALL, 5000, 300, 101);
  rt_check("all types random", all_defs, N_ALL, cols, NULL);
  free_cols(cols, N_ALL);
}

/* Every type, every row null. */
static void test_roundtrip__all_null(void **state) {
  (void)state;
  tu_column cols[N_ALL];
  make_random(cols, all_defs, N_ALL, 3000, 1000, 102);
  for (size_t i = 0; i < N_ALL; i++) assert_int_equal(cols[i].nulls, 3000);
  rt_check("all null", all_defs, N_ALL, cols, NULL);
  free_cols(cols, N_ALL);
}

/* Every type, non-nullable; half the columns hand in an all-ones validity
 * bitmap instead of NULL. */
static void test_roundtrip__no_nulls(void **state) {
  (void)state;
  init_nn_defs();
  tu_column cols[N_ALL];
  make_random(cols, nn_defs, N_ALL, 3000, 0, 103);
  for (size_t i = 0; i < N_ALL; i += 2) cols[i].force_validity = 1;
  rt_check("no nulls", nn_defs, N_ALL, cols, NULL);
  /* Nullable columns without any null too. */
  rt_check("nullable without nulls", all_defs, N_ALL, cols, NULL);
  free_cols(cols, N_ALL);
}

/* Minimum and maximum of every type, with zeros and neighbours. */
static void test_roundtrip__extremes(void **state) {
  (void)state;
  tu_column cols[N_ALL];
  for (size_t i = 0; i < N_ALL; i++) tu_column_init(&cols[i], all_defs[i].type);
  const int64_t smin[] = {0, INT8_MIN, INT16_MIN, INT32_MIN, INT64_MIN};
  const int64_t smax[] = {0, INT8_MAX, INT16_MAX, INT32_MAX, INT64_MAX};
  const uint64_t umax[] = {UINT8_MAX, UINT16_MAX, UINT32_MAX, UINT64_MAX};
  for (size_t row = 0; row < 2100; row++) {
    int k = (int)(row % 7);
    for (size_t i = 0; i < N_ALL; i++) {
      tu_column *c = &cols[i];
      if (row % 97 == 13) {
        tu_column_append_null(c);
        continue;
      }
      int64_t lo, hi;
      switch (all_defs[i].type) {
        case DPS_TYPE_BOOL: tu_column_append_u64(c, (uint64_t)(k & 1)); continue;
        case DPS_TYPE_INT8: case DPS_TYPE_INT16: case DPS_TYPE_INT32:
        case DPS_TYPE_INT64:
          lo = smin[all_defs[i].type - DPS_TYPE_BOOL];
          hi = smax[all_defs[i].type - DPS_TYPE_BOOL];
          break;
        case DPS_TYPE_DATE: lo = INT32_MIN; hi = INT32_MAX; break;
        case DPS_TYPE_TIMESTAMP: lo = INT64_MIN; hi = INT64_MAX; break;
        case DPS_TYPE_DECIMAL: {
          int64_t b = 1;
          for (int p = 0; p < all_defs[i].precision; p++) b *= 10;
          lo = -(b - 1);
          hi = b - 1;
          break;
        }
        case DPS_TYPE_UINT8: case DPS_TYPE_UINT16: case DPS_TYPE_UINT32:
        case DPS_TYPE_UINT64: {
          uint64_t m = umax[all_defs[i].type - DPS_TYPE_UINT8];
          const uint64_t uv[7] = {0, m, 1, m - 1, 0, m, m / 2};
          tu_column_append_u64(c, uv[k]);
          continue;
        }
        case DPS_TYPE_FLOAT32: {
          const float fv[7] = {-3.4028234663852886e38f, 3.4028234663852886e38f,
                               1.17549435e-38f, -1.17549435e-38f, 0.0f, 1.0f,
                               -1.0f};
          tu_column_append(c, &fv[k]);
          continue;
        }
        case DPS_TYPE_FLOAT64: {
          const double dv[7] = {-1.7976931348623157e308, 1.7976931348623157e308,
                                2.2250738585072014e-308, -2.2250738585072014e-308,
                                0.0, 1.0, -1.0};
          tu_column_append(c, &dv[k]);
          continue;
        }
        case DPS_TYPE_STRING: {
          const char *sv[7] = {"", "\xF4\x8F\xBF\xBF", "\x7F", "\xEF\xBF\xBF",
                               "a", "\xC2\x80", "\x00"};
          tu_column_append_bytes(c, sv[k], k == 6 ? 1 : strlen(sv[k]));
          continue;
        }
        case DPS_TYPE_BINARY: {
          const uint8_t bv[3] = {0x00, 0xFF, 0x80};
          tu_column_append_bytes(c, bv, (size_t)(k % 4));
          continue;
        }
        default: lo = hi = 0;
      }
      const int64_t v[7] = {lo, hi, 0, -1, lo + 1, hi - 1, 1};
      tu_column_append_i64(c, v[k]);
    }
  }
  rt_check("extremes", all_defs, N_ALL, cols, NULL);
  dps_write_options o = tu_opts();
  o.compression = DPS_COMPRESSION_NONE;
  o.page_vectors = 1;
  rt_check("extremes, none, 1-vector pages", all_defs, N_ALL, cols, &o);
  free_cols(cols, N_ALL);
}

static const tu_coldef float_defs[2] = {{"f32", DPS_TYPE_FLOAT32, 1, 0, 0},
                                        {"f64", DPS_TYPE_FLOAT64, 1, 0, 0}};

/* IEEE 754 bit patterns survive unchanged: -0.0, NaNs with payloads (quiet,
 * signalling, negative), infinities, denormals. */
static void test_roundtrip__float_specials(void **state) {
  (void)state;
  static const uint32_t f32[] = {
      0x00000000u, 0x80000000u,                 /* +0, -0 */
      0x7FC00000u, 0xFFC00000u,                 /* quiet NaN, negative */
      0x7F800001u, 0x7FA00000u, 0xFF800001u,    /* signalling NaNs */
      0x7FFFFFFFu, 0x7FC12345u,                 /* payloads */
      0x7F800000u, 0xFF800000u,                 /* +-Inf */
      0x00000001u, 0x807FFFFFu, 0x00400000u,    /* denormals */
      0x3F800000u, 0x7F7FFFFFu, 0xFF7FFFFFu};
  static const uint64_t f64[] = {
      UINT64_C(0x0000000000000000), UINT64_C(0x8000000000000000),
      UINT64_C(0x7FF8000000000000), UINT64_C(0xFFF8000000000000),
      UINT64_C(0x7FF0000000000001), UINT64_C(0x7FF4000000000000),
      UINT64_C(0xFFF0000000000001), UINT64_C(0x7FFFFFFFFFFFFFFF),
      UINT64_C(0x7FF8DEADBEEF0001), UINT64_C(0x7FF0000000000000),
      UINT64_C(0xFFF0000000000000), UINT64_C(0x0000000000000001),
      UINT64_C(0x800FFFFFFFFFFFFF), UINT64_C(0x0008000000000000),
      UINT64_C(0x3FF0000000000000), UINT64_C(0x7FEFFFFFFFFFFFFF),
      UINT64_C(0xFFEFFFFFFFFFFFFF)};
  const size_t nf = sizeof f32 / sizeof f32[0];
  tu_column cols[2];
  tu_column_init(&cols[0], DPS_TYPE_FLOAT32);
  tu_column_init(&cols[1], DPS_TYPE_FLOAT64);
  for (size_t row = 0; row < 3000; row++) {
    size_t k = (row * 7) % (nf + 1);
    if (k == nf) {
      tu_column_append_null(&cols[0]);
      tu_column_append_null(&cols[1]);
    } else {
      tu_column_append(&cols[0], &f32[k]);
      tu_column_append(&cols[1], &f64[k]);
    }
  }
  const dps_compression codecs[3] = {DPS_COMPRESSION_NONE, DPS_COMPRESSION_LZ4,
                                     DPS_COMPRESSION_ZSTD};
  for (int c = 0; c < 3; c++) {
    dps_write_options o = tu_opts();
    o.compression = codecs[c];
    rt_check(dps_compression_name(codecs[c]), float_defs, 2, cols, &o);
  }
  free_cols(cols, 2);
}

/* Pages of only NaN, only zeros of both signs, NaN with one value: zone maps
 * [FMT-34] (no bounds without a non-NaN value) and [FMT-35] (zero bounds are
 * -0.0 / +0.0). Checked by rt_check's layout oracle. */
static void test_roundtrip__float_zones(void **state) {
  (void)state;
  const uint32_t nan32 = 0x7FC00000u, pz32 = 0, nz32 = 0x80000000u;
  const uint64_t nan64 = UINT64_C(0x7FF8000000000001), pz64 = 0,
                 nz64 = UINT64_C(0x8000000000000000);
  const float seven32 = 7.0f;
  const double seven64 = 7.0;
  tu_column cols[2];
  tu_column_init(&cols[0], DPS_TYPE_FLOAT32);
  tu_column_init(&cols[1], DPS_TYPE_FLOAT64);
  for (size_t row = 0; row < 4096; row++) {
    size_t page = row / 1024;
    if (page == 0) { /* only NaN */
      tu_column_append(&cols[0], &nan32);
      tu_column_append(&cols[1], &nan64);
    } else if (page == 1) { /* only +0.0 */
      tu_column_append(&cols[0], &pz32);
      tu_column_append(&cols[1], &pz64);
    } else if (page == 2) { /* only -0.0 and nulls */
      if (row % 2) {
        tu_column_append_null(&cols[0]);
        tu_column_append_null(&cols[1]);
      } else {
        tu_column_append(&cols[0], &nz32);
        tu_column_append(&cols[1], &nz64);
      }
    } else if (row == 3500) { /* NaN and one 7.0 */
      tu_column_append(&cols[0], &seven32);
      tu_column_append(&cols[1], &seven64);
    } else {
      tu_column_append(&cols[0], &nan32);
      tu_column_append(&cols[1], &nan64);
    }
  }
  dps_write_options o = tu_opts();
  o.page_vectors = 1;
  o.row_group_rows = 2048;
  rt_check("float zones", float_defs, 2, cols, &o);
  free_cols(cols, 2);
}

static const tu_coldef str_defs[2] = {{"s", DPS_TYPE_STRING, 1, 0, 0},
                                      {"bin", DPS_TYPE_BINARY, 1, 0, 0}};

/* Strings: empty, 2/3/4-byte UTF-8, U+0000, U+10FFFF, 100 KB values;
 * binary: zeros, 0xFF, bytes that are not UTF-8, 100 KB values. */
static void test_roundtrip__strings(void **state) {
  (void)state;
  static const char *const sv[] = {
      "",
      "plain ascii",
      "caf\xC3\xA9 \xC3\xBC\xC3\x9F",                /* 2-byte */
      "\xE2\x82\xAC \xE6\x97\xA5\xE6\x9C\xAC \xEF\xBF\xBD", /* 3-byte */
      "\xF0\x9F\x98\x80\xF0\x9F\x8C\x8D",             /* 4-byte */
      "\xF4\x8F\xBF\xBF",                             /* U+10FFFF */
      "\xED\x9F\xBF\xEE\x80\x80",                     /* around surrogates */
  };
  const size_t nsv = sizeof sv / sizeof sv[0];
  size_t big = 100 * 1024;
  uint8_t *long_str = malloc(big), *long_bin = malloc(big);
  assert_true(long_str && long_bin);
  tu_rng rng;
  tu_rng_seed(&rng, 104);
  for (size_t i = 0; i < big; i++) {
    long_str[i] = (uint8_t)('a' + i % 26);
    long_bin[i] = (uint8_t)tu_rng_next(&rng);
  }
  /* A 3-byte sequence right at the end of the long string. */
  memcpy(long_str + big - 3, "\xE2\x82\xAC", 3);
  tu_column cols[2];
  tu_column_init(&cols[0], DPS_TYPE_STRING);
  tu_column_init(&cols[1], DPS_TYPE_BINARY);
  for (size_t row = 0; row < 3000; row++) {
    size_t k = row % (nsv + 3);
    if (row % 600 == 599) {
      tu_column_append_bytes(&cols[0], long_str, big);
      tu_column_append_bytes(&cols[1], long_bin, big);
    } else if (k < nsv) {
      tu_column_append_str(&cols[0], sv[k]);
      const uint8_t zeros[4] = {0, 0, 0, 0};
      tu_column_append_bytes(&cols[1], zeros, k % 5);
    } else if (k == nsv) {
      tu_column_append_bytes(&cols[0], "nul\0inside", 10);
      tu_column_append_bytes(&cols[1], "\xC0\xAF\xED\xA0\x80\xFF\xFE", 7);
    } else if (k == nsv + 1) {
      tu_column_append_null(&cols[0]);
      tu_column_append_null(&cols[1]);
    } else {
      tu_column_append_str(&cols[0], "");
      tu_column_append_bytes(&cols[1], "", 0);
    }
  }
  const dps_compression codecs[3] = {DPS_COMPRESSION_NONE, DPS_COMPRESSION_LZ4,
                                     DPS_COMPRESSION_ZSTD};
  for (int c = 0; c < 3; c++) {
    dps_write_options o = tu_opts();
    o.compression = codecs[c];
    o.page_vectors = (uint32_t)(c + 1);
    rt_check(dps_compression_name(codecs[c]), str_defs, 2, cols, &o);
  }
  free_cols(cols, 2);

  /* Zone bounds of long strings [FMT-36]: max shortened with its last
   * non-0xFF byte incremented; all-0xFF: no max. Checked by the oracle. */
  tu_column_init(&cols[0], DPS_TYPE_STRING);
  tu_column_init(&cols[1], DPS_TYPE_BINARY);
  uint8_t ff[70];
  memset(ff, 0xFF, sizeof ff);
  char z70[71];
  memset(z70, 'z', 70);
  z70[70] = '\0';
  for (size_t row = 0; row < 2048; row++) {
    if (row < 1024) {
      tu_column_append_str(&cols[0], row % 2 ? z70 : "a");
      tu_column_append_bytes(&cols[1], ff, row % 2 ? 70 : 3);
    } else {
      /* 'y' then 65 bytes: the max shortens at a byte before 0xFF run */
      uint8_t v[80];
      memset(v, 'm', 80);
      v[60] = 0xFF;
      v[61] = 0xFF;
      memset(v + 62, 0xFF, 18);
      tu_column_append_str(&cols[0], row % 3 ? "b" : z70);
      tu_column_append_bytes(&cols[1], v, 66 + row % 14);
    }
  }
  dps_write_options o = tu_opts();
  o.page_vectors = 1;
  rt_check("long string bounds", str_defs, 2, cols, &o);
  free_cols(cols, 2);
  free(long_str);
  free(long_bin);
}

/* ---- row counts and layout ------------------------------------------------------ */

/* 0, 1, 1023, 1024, 1025 rows of every type (one codec each). */
static void test_roundtrip__row_counts(void **state) {
  (void)state;
  const size_t counts[5] = {0, 1, 1023, 1024, 1025};
  const dps_compression codecs[5] = {DPS_COMPRESSION_ZSTD, DPS_COMPRESSION_NONE,
                                     DPS_COMPRESSION_LZ4, DPS_COMPRESSION_ZSTD,
                                     DPS_COMPRESSION_NONE};
  for (int k = 0; k < 5; k++) {
    tu_column cols[N_ALL];
    char label[64];
    make_random(cols, all_defs, N_ALL, counts[k], 200, 200 + (uint64_t)k);
    dps_write_options o = tu_opts();
    o.compression = codecs[k];
    snprintf(label, sizeof label, "%zu rows, %s", counts[k],
             dps_compression_name(codecs[k]));
    rt_check(label, all_defs, N_ALL, cols, &o);
    /* 1025 rows in 1-vector pages: two pages per column. */
    if (counts[k] == 1025) {
      o.page_vectors = 1;
      rt_check("1025 rows, 1-vector pages", all_defs, N_ALL, cols, &o);
    }
    free_cols(cols, N_ALL);
  }
}

/* An empty snapshot: no rows, no row groups, the cursor ends at once. */
static void test_roundtrip__empty(void **state) {
  (void)state;
  char path[512];
  tu_column cols[N_ALL];
  make_random(cols, all_defs, N_ALL, 0, 0, 1);
  rt_check_ex("empty", all_defs, N_ALL, cols, NULL, NULL, 0, path, sizeof path);
  dps_reader *r = NULL;
  dps_error e;
  tu_err_reset(&e);
  TU_OK(dps_reader_open(&r, path, NULL, &e), &e);
  assert_true(dps_reader_row_count(r) == 0);
  assert_int_equal(dps_reader_row_group_count(r), 0);
  dps_cursor *c = NULL;
  TU_OK(dps_cursor_open(&c, r, NULL, 0, &e), &e);
  const dps_batch *b = (const dps_batch *)(uintptr_t)1;
  TU_OK(dps_cursor_next(c, &b, &e), &e);
  assert_null(b);
  b = (const dps_batch *)(uintptr_t)1;
  TU_OK(dps_cursor_next(c, &b, &e), &e);
  assert_null(b);
  dps_cursor_free(c);
  dps_file_info fi;
  assert_int_equal(dps_reader_file_info(r, &fi), DPS_OK);
  assert_true(fi.page_count == 0 && fi.data_stored == 0);
  dps_verify_report rep;
  TU_OK(dps_reader_verify(r, &rep, &e), &e);
  assert_true(rep.pages == 0 && rep.row_groups == 0);
  for (size_t i = 0; i < N_ALL; i++) {
    dps_column_stats cs;
    assert_int_equal(dps_reader_column_stats(r, i, &cs), DPS_OK);
    assert_true(cs.null_count == 0 && cs.page_count == 0);
  }
  dps_reader_free(r);

  /* An empty snapshot with no dps_writer_write call at all. */
  tu_tmp_path(path, sizeof path, "nowrite.dps");
  dps_schema *s = tu_schema(all_defs, N_ALL);
  dps_snapshot_meta m = tu_meta();
  dps_write_options o = tu_opts();
  dps_writer *w = NULL;
  TU_OK(dps_writer_open(&w, path, s, &m, &o, &e), &e);
  TU_OK(dps_writer_finish(w, &e), &e);
  dps_writer_free(w);
  TU_OK(dps_reader_open(&r, path, NULL, &e), &e);
  assert_true(dps_reader_row_count(r) == 0);
  assert_int_equal(dps_reader_row_group_count(r), 0);
  TU_OK(dps_reader_verify(r, NULL, &e), &e);
  dps_reader_free(r);
  dps_schema_free(s);
  free_cols(cols, N_ALL);
}

/* 131073 rows cross the default row-group size: two row groups of 131072
 * and 1 rows, 8 + 1 pages per column with 16-vector pages. */
static void test_roundtrip__row_group_boundary(void **state) {
  (void)state;
  static const tu_coldef defs[3] = {{"seq", DPS_TYPE_INT64, 0, 0, 0},
                                    {"s", DPS_TYPE_STRING, 1, 0, 0},
                                    {"flag", DPS_TYPE_BOOL, 1, 0, 0}};
  const size_t rows = DPS_DEFAULT_ROW_GROUP_ROWS + 1;
  assert_int_equal(rows, 131073);
  tu_column cols[3];
  tu_rng rng;
  tu_rng_seed(&rng, 105);
  tu_column_init(&cols[0], DPS_TYPE_INT64);
  for (size_t i = 0; i < rows; i++) tu_column_append_i64(&cols[0], (int64_t)i * 3);
  tu_column_init(&cols[1], DPS_TYPE_STRING);
  tu_column_random(&cols[1], rows, 50, 0, &rng);
  tu_column_init(&cols[2], DPS_TYPE_BOOL);
  tu_column_random(&cols[2], rows, 500, 0, &rng);
  char path[512];
  rt_check_ex("131073 rows", defs, 3, cols, NULL, NULL, 0, path, sizeof path);
  dps_reader *r = NULL;
  dps_error e;
  tu_err_reset(&e);
  TU_OK(dps_reader_open(&r, path, NULL, &e), &e);
  assert_int_equal(dps_reader_row_group_count(r), 2);
  dps_column_stats cs;
  assert_int_equal(dps_reader_column_stats(r, 0, &cs), DPS_OK);
  assert_true(cs.page_count == 9);
  /* Sequential integers compress with the default codec (zstd). */
  assert_true(cs.data_stored < cs.data_raw);
  dps_reader_free(r);
  free_cols(cols, 3);
}

/* Small row groups and one-vector pages: many row groups and pages. */
static void test_roundtrip__small_groups_and_pages(void **state) {
  (void)state;
  static const struct {
    uint32_t rgr, pv;
    size_t groups, pages;
  } layouts[] = {
      {1024, 1, 5, 5},  /* 5000 rows: 1024 x4 + 904 */
      {2048, 1, 3, 5},  /* 2048, 2048, 904 -> 2 + 2 + 1 pages */
      {4096, 3, 2, 3},  /* 4096 -> 3072 + 1024, then 904 */
      {5120, 5, 1, 1},  /* one group, one page of 5000 */
  };
  tu_column cols[N_ALL];
  make_random(cols, all_defs, N_ALL, 5000, 150, 106);
  for (size_t l = 0; l < sizeof layouts / sizeof layouts[0]; l++) {
    dps_write_options o = tu_opts();
    o.row_group_rows = layouts[l].rgr;
    o.page_vectors = layouts[l].pv;
    o.compression = l % 2 ? DPS_COMPRESSION_LZ4 : DPS_COMPRESSION_ZSTD;
    char label[64], path[512];
    snprintf(label, sizeof label, "rgr %u pv %u", layouts[l].rgr,
             layouts[l].pv);
    rt_check_ex(label, all_defs, N_ALL, cols, &o, NULL, 0, path, sizeof path);
    dps_reader *r = NULL;
    dps_error e;
    tu_err_reset(&e);
    TU_OK(dps_reader_open(&r, path, NULL, &e), &e);
    assert_int_equal(dps_reader_row_group_count(r), layouts[l].groups);
    for (size_t i = 0; i < N_ALL; i++) {
      dps_column_stats cs;
      assert_int_equal(dps_reader_column_stats(r, i, &cs), DPS_OK);
      assert_true(cs.page_count == layouts[l].pages);
    }
    dps_reader_free(r);
  }
  free_cols(cols, N_ALL);
}

/* ---- codecs ----------------------------------------------------------------------- */

/* All three codecs (and levels) on every type. */
static void test_roundtrip__compressions(void **state) {
  (void)state;
  static const struct {
    dps_compression c;
    int level;
  } codecs[] = {{DPS_COMPRESSION_DEFAULT, 0}, {DPS_COMPRESSION_NONE, 0},
                {DPS_COMPRESSION_LZ4, 0},     {DPS_COMPRESSION_ZSTD, 0},
                {DPS_COMPRESSION_ZSTD, 1},    {DPS_COMPRESSION_ZSTD, 19},
                {DPS_COMPRESSION_LZ4, 4},     {DPS_COMPRESSION_LZ4, 12}};
  tu_column cols[N_ALL];
  make_random(cols, all_defs, N_ALL, 2500, 250, 107);
  for (size_t k = 0; k < sizeof codecs / sizeof codecs[0]; k++) {
    dps_write_options o = tu_opts();
    o.compression = codecs[k].c;
    o.compression_level = codecs[k].level;
    char label[64];
    snprintf(label, sizeof label, "%s level %d",
             dps_compression_name(codecs[k].c), codecs[k].level);
    rt_check(label, all_defs, N_ALL, cols, &o);
  }
  free_cols(cols, N_ALL);
}

/* Per-column codec overrides; the stats report what each column asked for. */
static void test_roundtrip__column_override(void **state) {
  (void)state;
  static const tu_coldef defs[4] = {{"i64", DPS_TYPE_INT64, 1, 0, 0},
                                    {"s", DPS_TYPE_STRING, 1, 0, 0},
                                    {"f64", DPS_TYPE_FLOAT64, 1, 0, 0},
                                    {"u8", DPS_TYPE_UINT8, 0, 0, 0}};
  tu_column cols[4];
  for (int i = 0; i < 4; i++) tu_column_init(&cols[i], defs[i].type);
  for (size_t row = 0; row < 6000; row++) {
    tu_column_append_i64(&cols[0], (int64_t)(row / 10));
    tu_column_append_str(&cols[1], row % 3 ? "repeated text value" : "other");
    double d = (double)(row % 50) * 0.5;
    tu_column_append(&cols[2], &d);
    tu_column_append_u64(&cols[3], row % 4);
  }
  const dps_column_compression ov[3] = {{"s", DPS_COMPRESSION_ZSTD, 9},
                                        {"i64", DPS_COMPRESSION_LZ4, 0},
                                        {"f64", DPS_COMPRESSION_ZSTD, 0}};
  dps_write_options o = tu_opts();
  o.compression = DPS_COMPRESSION_NONE;
  o.column_compression = ov;
  o.n_column_compression = 3;
  char path[512];
  rt_check_ex("overrides", defs, 4, cols, &o, NULL, 0, path, sizeof path);
  dps_reader *r = NULL;
  dps_error e;
  tu_err_reset(&e);
  TU_OK(dps_reader_open(&r, path, NULL, &e), &e);
  const dps_compression want[4] = {DPS_COMPRESSION_LZ4, DPS_COMPRESSION_ZSTD,
                                   DPS_COMPRESSION_ZSTD, DPS_COMPRESSION_NONE};
  for (size_t i = 0; i < 4; i++) {
    dps_column_stats cs;
    assert_int_equal(dps_reader_column_stats(r, i, &cs), DPS_OK);
    assert_int_equal(cs.compression, want[i]);
    if (want[i] == DPS_COMPRESSION_NONE)
      assert_true(cs.data_stored == cs.data_raw);
    else /* these columns are very repetitive */
      assert_true(cs.data_stored < cs.data_raw);
  }
  dps_column_stats cs;
  assert_int_equal(dps_reader_column_stats(r, 4, &cs), DPS_EINVAL);
  dps_reader_free(r);
  free_cols(cols, 4);
}

/* Sum of stored bytes and the stats of column c, from the file at path. */
static uint64_t stored_of(const char *path, size_t c, dps_column_stats *cs,
                          char *codecs, size_t codecs_size, char *encodings,
                          size_t encodings_size) {
  dps_reader *r = NULL;
  dps_error e;
  tu_err_reset(&e);
  TU_OK(dps_reader_open(&r, path, NULL, &e), &e);
  dps_file_info fi;
  assert_int_equal(dps_reader_file_info(r, &fi), DPS_OK);
  assert_int_equal(dps_reader_column_stats(r, c, cs), DPS_OK);
  snprintf(codecs, codecs_size, "%s", cs->codecs);
  snprintf(encodings, encodings_size, "%s", cs->encodings);
  dps_reader_free(r);
  return fi.data_stored;
}

/* The default stage weighs size against decode time at read_mb_per_s:
 * slow storage gets the smallest file, fast storage the fastest decode
 * (no zstd, and text as plain strings with lz4 rather than FSST). */
static void test_roundtrip__stage_choice(void **state) {
  (void)state;
  static const tu_coldef defs[2] = {{"comment", DPS_TYPE_STRING, 0, 0, 0},
                                    {"qty", DPS_TYPE_INT32, 0, 0, 0}};
  static const char *const words[] = {
      "carefully", "final", "deposits", "sleep", "quickly", "among", "the",
      "furiously", "regular", "accounts", "boost", "blithely", "ironic",
      "packages", "haggle", "slyly", "express", "requests", "wake", "above"};
  const size_t n_words = sizeof words / sizeof words[0];
  tu_column cols[2];
  tu_column_init(&cols[0], DPS_TYPE_STRING);
  tu_column_init(&cols[1], DPS_TYPE_INT32);
  tu_rng rng;
  tu_rng_seed(&rng, 109);
  for (size_t row = 0; row < 40000; row++) {
    char text[256] = "";
    size_t len = 0, k = 3 + tu_rng_below(&rng, 6);
    for (size_t w = 0; w < k; w++)
      len += (size_t)snprintf(text + len, sizeof text - len, "%s%s",
                              w ? " " : "", words[tu_rng_below(&rng, n_words)]);
    tu_column_append_str(&cols[0], text);
    tu_column_append_i64(&cols[1], 1 + (int64_t)tu_rng_below(&rng, 50));
  }
  const uint32_t speeds[3] = {1, 0, 100000};
  uint64_t stored[3];
  char codecs[3][256], encodings[3][256];
  for (int k = 0; k < 3; k++) {
    dps_write_options o = tu_opts();
    o.read_mb_per_s = speeds[k];
    char path[512], label[64];
    snprintf(label, sizeof label, "read_mb_per_s %u", speeds[k]);
    rt_check_ex(label, defs, 2, cols, &o, NULL, 0, path, sizeof path);
    dps_column_stats cs;
    stored[k] = stored_of(path, 0, &cs, codecs[k], sizeof codecs[k],
                          encodings[k], sizeof encodings[k]);
  }
  assert_true(stored[0] <= stored[1]);
  assert_true(stored[1] <= stored[2]);
  assert_true(stored[0] < stored[2]);
  /* Fast storage: no zstd anywhere; the text is plain strings with lz4. */
  assert_null(strstr(codecs[2], "zstd"));
  assert_true(strncmp(encodings[2], "plain", 5) == 0);
  assert_non_null(strstr(codecs[2], "lz4"));
  /* Slow storage: the smallest form, FSST and a stage on top. */
  assert_true(strncmp(encodings[0], "fsst", 4) == 0);
  assert_null(strstr(codecs[0], "none"));
  free_cols(cols, 2);
}

/* Bad read speeds are refused when the writer opens. */
static void test_roundtrip__read_speed_checked(void **state) {
  (void)state;
  static const tu_coldef defs[1] = {{"x", DPS_TYPE_INT32, 0, 0, 0}};
  dps_schema *schema = tu_schema(defs, 1);
  dps_write_options o = tu_opts();
  o.read_mb_per_s = 100001;
  char path[512];
  tu_tmp_path(path, sizeof path, "speed.dps");
  dps_writer *w = NULL;
  dps_error e;
  tu_err_reset(&e);
  dps_snapshot_meta m = tu_meta();
  assert_int_equal(dps_writer_open(&w, path, schema, &m, &o, &e), DPS_EINVAL);
  assert_non_null(strstr(e.message, "read_mb_per_s"));
  assert_null(w);
  dps_schema_free(schema);
}

/* Compressible data shrinks with zstd; incompressible data is stored as is
 * ([FMT-11]: never bigger than raw). */
static void test_roundtrip__compression_effect(void **state) {
  (void)state;
  static const tu_coldef defs[2] = {{"low_card", DPS_TYPE_STRING, 0, 0, 0},
                                    {"noise", DPS_TYPE_UINT64, 0, 0, 0}};
  tu_column cols[2];
  tu_column_init(&cols[0], DPS_TYPE_STRING);
  tu_column_init(&cols[1], DPS_TYPE_UINT64);
  tu_rng rng;
  tu_rng_seed(&rng, 108);
  static const char *const words[4] = {"north", "south", "east", "west"};
  for (size_t row = 0; row < 20000; row++) {
    tu_column_append_str(&cols[0], words[tu_rng_below(&rng, 4)]);
    tu_column_append_u64(&cols[1], tu_rng_next(&rng));
  }
  const dps_compression codecs[2] = {DPS_COMPRESSION_ZSTD, DPS_COMPRESSION_LZ4};
  for (int k = 0; k < 2; k++) {
    dps_write_options o = tu_opts();
    o.compression = codecs[k];
    char path[512];
    rt_check_ex(dps_compression_name(codecs[k]), defs, 2, cols, &o, NULL, 0,
                path, sizeof path);
    dps_reader *r = NULL;
    dps_error e;
    tu_err_reset(&e);
    TU_OK(dps_reader_open(&r, path, NULL, &e), &e);
    dps_column_stats a, b;
    assert_int_equal(dps_reader_column_stats(r, 0, &a), DPS_OK);
    assert_int_equal(dps_reader_column_stats(r, 1, &b), DPS_OK);
    assert_true(a.data_raw >= a.data_stored);
    /* Four words: stored in well under a quarter of their plain bytes,
     * whichever of encodings and codec did the work. */
    assert_true(a.data_stored * 4 < page_raw(&cols[0], 0, cols[0].length));
    if (b.data_stored > b.data_raw)
      fail_msg("%s: incompressible column stored in %llu bytes > raw %llu "
               "[FMT-11]", dps_compression_name(codecs[k]),
               (unsigned long long)b.data_stored,
               (unsigned long long)b.data_raw);
    dps_file_info fi;
    assert_int_equal(dps_reader_file_info(r, &fi), DPS_OK);
    assert_true(fi.data_raw >= fi.data_stored);
    dps_reader_free(r);
  }
  free_cols(cols, 2);
}

/* ---- how data is handed in ------------------------------------------------------ */

/* Many dps_writer_write calls of odd sizes give the same file, byte for
 * byte, as one call. */
static void test_roundtrip__chunked_writes(void **state) {
  (void)state;
  tu_column cols[N_ALL];
  make_random(cols, all_defs, N_ALL, 5000, 300, 109);
  static const size_t chunks[] = {1, 1000, 3000, 7, 2, 13, 1024, 333};
  const dps_write_options layouts[2] = {tu_opts(), tu_opts()};
  for (int l = 0; l < 2; l++) {
    dps_write_options o = layouts[l];
    if (l == 1) {
      o.row_group_rows = 1024;
      o.page_vectors = 1;
      o.compression = DPS_COMPRESSION_LZ4;
    }
    char one[512], many[512];
    rt_check_ex("one call", all_defs, N_ALL, cols, &o, NULL, 0, one, sizeof one);
    rt_check_ex("odd chunks", all_defs, N_ALL, cols, &o, chunks,
                sizeof chunks / sizeof chunks[0], many, sizeof many);
    size_t n1, n2;
    uint8_t *a = tu_slurp(one, &n1), *b = tu_slurp(many, &n2);
    assert_int_equal(n1, n2);
    assert_memory_equal(a, b, n1);
    free(a);
    free(b);
  }
  /* Row-by-row. */
  tu_column small[N_ALL];
  make_random(small, all_defs, N_ALL, 1500, 300, 110);
  static const size_t one_row[1] = {1};
  rt_check_ex("row by row", all_defs, N_ALL, small, NULL, one_row, 1, NULL, 0);
  free_cols(small, N_ALL);
  free_cols(cols, N_ALL);
}

/* A projection: a subset of the columns, in another order, with repeats. */
static void test_roundtrip__projection(void **state) {
  (void)state;
  tu_column cols[N_ALL];
  make_random(cols, all_defs, N_ALL, 3000, 200, 111);
  char path[512];
  dps_write_options o = tu_opts();
  o.row_group_rows = 1024;
  rt_check_ex("projection source", all_defs, N_ALL, cols, &o, NULL, 0, path,
              sizeof path);
  dps_reader *r = NULL;
  dps_error e;
  tu_err_reset(&e);
  TU_OK(dps_reader_open(&r, path, NULL, &e), &e);
  static const size_t p1[] = {16, 0, 16, 4, 17, 0};
  static const size_t p2[] = {10};
  size_t p3[N_ALL];
  for (size_t i = 0; i < N_ALL; i++) p3[i] = N_ALL - 1 - i;
  const size_t *projs[3] = {p1, p2, p3};
  const size_t nproj[3] = {6, 1, N_ALL};
  for (int k = 0; k < 3; k++) {
    tu_column back[N_ALL];
    size_t nb = 0;
    TU_OK(tu_read_all(r, projs[k], nproj[k], back, &nb, NULL, 0, &e), &e);
    assert_int_equal(nb, 3);
    for (size_t i = 0; i < nproj[k]; i++) {
      size_t src = projs[k][i];
      dps_array_view a = tu_column_view(&cols[src]);
      dps_array_view b = tu_column_view(&back[i]);
      TU_ASSERT_ARRAY_EQ(all_defs[src].type, &a, &b, all_defs[src].name);
    }
    free_cols(back, nproj[k]);
  }
  /* Two cursors on one reader, interleaved, see the same rows. */
  dps_cursor *c1 = NULL, *c2 = NULL;
  TU_OK(dps_cursor_open(&c1, r, p2, 1, &e), &e);
  TU_OK(dps_cursor_open(&c2, r, p2, 1, &e), &e);
  size_t total = 0;
  for (;;) {
    const dps_batch *b1 = NULL, *b2 = NULL;
    TU_OK(dps_cursor_next(c1, &b1, &e), &e);
    TU_OK(dps_cursor_next(c2, &b2, &e), &e);
    assert_true((b1 == NULL) == (b2 == NULL));
    if (!b1) break;
    dps_array_view v1, v2;
    assert_int_equal(dps_batch_column(b1, 0, &v1), DPS_OK);
    assert_int_equal(dps_batch_column(b2, 0, &v2), DPS_OK);
    TU_ASSERT_ARRAY_EQ(DPS_TYPE_FLOAT64, &v1, &v2, "two cursors");
    total += v1.length;
    assert_int_equal(dps_batch_column(b1, 1, &v1), DPS_EINVAL);
  }
  assert_int_equal(total, 3000);
  dps_cursor_free(c1);
  dps_cursor_free(c2);
  dps_reader_free(r);
  free_cols(cols, N_ALL);
}

/* Input string arrays whose offsets[0] is not zero (data before the first
 * value is not part of any value). */
static void test_roundtrip__offsets_not_from_zero(void **state) {
  (void)state;
  static const tu_coldef defs[2] = {{"s", DPS_TYPE_STRING, 1, 0, 0},
                                    {"bin", DPS_TYPE_BINARY, 0, 0, 0}};
  const size_t rows = 2000;
  tu_column ref[2];
  tu_rng rng;
  tu_rng_seed(&rng, 112);
  tu_column_init(&ref[0], DPS_TYPE_STRING);
  tu_column_random(&ref[0], rows, 100, 0, &rng);
  tu_column_init(&ref[1], DPS_TYPE_BINARY);
  tu_column_random(&ref[1], rows, 0, 0, &rng);

  /* Same values, placed 17 (resp. 1000) bytes into a buffer of junk. */
  dps_array_view views[2];
  uint8_t *bufs[2];
  int64_t *offs[2];
  const int64_t shift[2] = {17, 1000};
  for (int c = 0; c < 2; c++) {
    bufs[c] = malloc(ref[c].data_len + (size_t)shift[c] + 1);
    offs[c] = malloc((rows + 1) * sizeof(int64_t));
    assert_true(bufs[c] && offs[c]);
    memset(bufs[c], 0xFF, (size_t)shift[c]); /* not UTF-8 */
    memcpy(bufs[c] + shift[c], ref[c].data, ref[c].data_len);
    for (size_t i = 0; i <= rows; i++) offs[c][i] = ref[c].offsets[i] + shift[c];
    views[c] = tu_column_view(&ref[c]);
    views[c].offsets = offs[c];
    views[c].data = bufs[c];
  }
  char path[512];
  tu_tmp_path(path, sizeof path, "offsets.dps");
  dps_schema *s = tu_schema(defs, 2);
  dps_snapshot_meta m = tu_meta();
  dps_write_options o = tu_opts();
  dps_writer *w = NULL;
  dps_error e;
  tu_err_reset(&e);
  TU_OK(dps_writer_open(&w, path, s, &m, &o, &e), &e);
  TU_OK(dps_writer_write(w, views, 2, rows, &e), &e);
  TU_OK(dps_writer_finish(w, &e), &e);
  dps_writer_free(w);
  tu_column back[2];
  TU_OK(tu_read_file(path, back, 2, &e), &e);
  for (int c = 0; c < 2; c++) {
    dps_array_view a = tu_column_view(&ref[c]), b = tu_column_view(&back[c]);
    TU_ASSERT_ARRAY_EQ(defs[c].type, &a, &b, defs[c].name);
    free(bufs[c]);
    free(offs[c]);
  }
  free_cols(back, 2);
  free_cols(ref, 2);
  dps_schema_free(s);
}

/* Values in null slots are ignored on write and read back as zero / empty
 * (dps_array_view). */
static void test_roundtrip__null_slots_ignored(void **state) {
  (void)state;
  static const tu_coldef defs[4] = {{"i32", DPS_TYPE_INT32, 1, 0, 0},
                                    {"s", DPS_TYPE_STRING, 1, 0, 0},
                                    {"f64", DPS_TYPE_FLOAT64, 1, 0, 0},
                                    {"b", DPS_TYPE_BOOL, 1, 0, 0}};
  const size_t rows = 1500;
  tu_column cols[4], clean[4];
  for (int c = 0; c < 4; c++) {
    tu_column_init(&cols[c], defs[c].type);
    tu_column_init(&clean[c], defs[c].type);
  }
  for (size_t i = 0; i < rows; i++) {
    int null = i % 3 == 1;
    int32_t iv = (int32_t)(i * 7 + 1);
    double dv = (double)i + 0.25;
    uint8_t bv = (uint8_t)(i & 1);
    tu_column_append(&cols[0], &iv);
    tu_column_append_str(&cols[1], "junk in a null slot");
    tu_column_append(&cols[2], &dv);
    tu_column_append(&cols[3], &bv);
    if (null) {
      for (int c = 0; c < 4; c++) {
        /* Mark the slot null but keep its value. */
        cols[c].validity[i >> 3] =
            (uint8_t)(cols[c].validity[i >> 3] & ~(1u << (i & 7)));
        cols[c].nulls++;
        tu_column_append_null(&clean[c]);
      }
    } else {
      tu_column_append(&clean[0], &iv);
      tu_column_append_str(&clean[1], "junk in a null slot");
      tu_column_append(&clean[2], &dv);
      tu_column_append(&clean[3], &bv);
    }
  }
  char p1[512], p2[512];
  rt_check_ex("junk in null slots", defs, 4, cols, NULL, NULL, 0, p1, sizeof p1);
  rt_check_ex("zero in null slots", defs, 4, clean, NULL, NULL, 0, p2,
              sizeof p2);
  /* The stored pages hold zeros in null slots ([FMT §4.2]): both files are
   * the same bytes. */
  size_t n1, n2;
  uint8_t *a = tu_slurp(p1, &n1), *b = tu_slurp(p2, &n2);
  assert_int_equal(n1, n2);
  assert_memory_equal(a, b, n1);
  free(a);
  free(b);
  free_cols(cols, 4);
  free_cols(clean, 4);
}

/* Values in null slots that would be invalid if they were valid (bool 7,
 * decimal past its precision, bytes that are not UTF-8) are ignored too. */
static void test_roundtrip__null_slots_not_validated(void **state) {
  (void)state;
  static const tu_coldef defs[3] = {{"b", DPS_TYPE_BOOL, 1, 0, 0},
                                    {"d", DPS_TYPE_DECIMAL, 1, 4, 1},
                                    {"s", DPS_TYPE_STRING, 1, 0, 0}};
  tu_column cols[3];
  for (int c = 0; c < 3; c++) tu_column_init(&cols[c], defs[c].type);
  for (size_t i = 0; i < 100; i++) {
    int null = i % 2;
    uint8_t bv = null ? 7 : 1;
    int64_t dv = null ? INT64_C(99999999) : 9999;
    tu_column_append(&cols[0], &bv);
    tu_column_append(&cols[1], &dv);
    if (null)
      tu_column_append_bytes(&cols[2], "\xC0\xAF\xFF", 3);
    else
      tu_column_append_str(&cols[2], "ok");
    if (null)
      for (int c = 0; c < 3; c++) {
        cols[c].validity[i >> 3] =
            (uint8_t)(cols[c].validity[i >> 3] & ~(1u << (i & 7)));
        cols[c].nulls++;
      }
  }
  rt_check("invalid values in null slots", defs, 3, cols, NULL);
  free_cols(cols, 3);
}

/* Writing to an existing path replaces the file when finished. */
static void test_roundtrip__replaces_existing(void **state) {
  (void)state;
  static const tu_coldef defs[1] = {{"v", DPS_TYPE_INT32, 0, 0, 0}};
  char path[512];
  tu_tmp_path(path, sizeof path, "replace.dps");
  tu_spit(path, "old contents", 12);
  dps_schema *s = tu_schema(defs, 1);
  dps_snapshot_meta m = tu_meta();
  dps_write_options o = tu_opts();
  tu_column c[1], back[1];
  tu_column_init(&c[0], DPS_TYPE_INT32);
  for (int i = 0; i < 10; i++) tu_column_append_i64(&c[0], i);
  dps_error e;
  tu_err_reset(&e);
  TU_OK(tu_write(path, s, &m, &o, c, 1, &e), &e);
  TU_OK(tu_read_file(path, back, 1, &e), &e);
  dps_array_view a = tu_column_view(&c[0]), b = tu_column_view(&back[0]);
  TU_ASSERT_ARRAY_EQ(DPS_TYPE_INT32, &a, &b, "replaced file");
  tu_column_free(&back[0]);
  /* And again with fsync on. */
  o.no_sync = 0;
  TU_OK(tu_write(path, s, &m, &o, c, 1, &e), &e);
  TU_OK(tu_read_file(path, back, 1, &e), &e);
  b = tu_column_view(&back[0]);
  TU_ASSERT_ARRAY_EQ(DPS_TYPE_INT32, &a, &b, "replaced file (synced)");
  tu_column_free(&back[0]);
  tu_column_free(&c[0]);
  dps_schema_free(s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_roundtrip__all_types_random),
      cmocka_unit_test(test_roundtrip__all_null),
      cmocka_unit_test(test_roundtrip__no_nulls),
      cmocka_unit_test(test_roundtrip__extremes),
      cmocka_unit_test(test_roundtrip__float_specials),
      cmocka_unit_test(test_roundtrip__float_zones),
      cmocka_unit_test(test_roundtrip__strings),
      cmocka_unit_test(test_roundtrip__row_counts),
      cmocka_unit_test(test_roundtrip__empty),
      cmocka_unit_test(test_roundtrip__row_group_boundary),
      cmocka_unit_test(test_roundtrip__small_groups_and_pages),
      cmocka_unit_test(test_roundtrip__compressions),
      cmocka_unit_test(test_roundtrip__stage_choice),
      cmocka_unit_test(test_roundtrip__read_speed_checked),
      cmocka_unit_test(test_roundtrip__column_override),
      cmocka_unit_test(test_roundtrip__compression_effect),
      cmocka_unit_test(test_roundtrip__chunked_writes),
      cmocka_unit_test(test_roundtrip__projection),
      cmocka_unit_test(test_roundtrip__offsets_not_from_zero),
      cmocka_unit_test(test_roundtrip__null_slots_ignored),
      cmocka_unit_test(test_roundtrip__null_slots_not_validated),
      cmocka_unit_test(test_roundtrip__replaces_existing),
  };
  return TU_RUN(tests, NULL, NULL);
}
