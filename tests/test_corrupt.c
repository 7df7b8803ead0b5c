/*
 * test_corrupt.c - damaged files: truncations, bit flips, foreign format
 * versions and hand-crafted footers. A damaged file must give a clear
 * error (DPS_ECORRUPT / DPS_ECHECKSUM / DPS_EVERSION with a message), never
 * a crash and never wrong rows.
 *
 * Footers are crafted by decoding the real one (dps__footer_decode),
 * changing the model, encoding it again (dps__footer_encode), and writing a
 * new trailer by hand with the footer's XXH3 checksum, so that only the
 * intended fault remains.
 */
#include "testutil.h"

#include <fcntl.h>
#include <unistd.h>
#include <xxhash.h>

/* ---- the base file ---------------------------------------------------------- */

enum { C_ID, C_NAME, C_PRICE, C_SCORE, C_FLAG, C_RAW, N_COLS };

static const tu_coldef defs[N_COLS] = {
    {"id", DPS_TYPE_INT64, 0, 0, 0},      {"name", DPS_TYPE_STRING, 1, 0, 0},
    {"price", DPS_TYPE_DECIMAL, 1, 10, 2}, {"score", DPS_TYPE_FLOAT64, 1, 0, 0},
    {"flag", DPS_TYPE_BOOL, 0, 0, 0},      {"raw", DPS_TYPE_BINARY, 1, 0, 0},
};

#define ROWS 2500 /* three row groups of 1024, 1024, 452 rows */

static struct base {
  char path[512];
  uint8_t *img;      /* file bytes */
  size_t len;        /* file size */
  tu_trailer t;      /* its trailer */
  tu_column cols[N_COLS];
} B;

static int setup_base(void **state) {
  (void)state;
  tu_rng rng;
  tu_rng_seed(&rng, 2024);
  for (int c = 0; c < N_COLS; c++) {
    tu_column_init(&B.cols[c], defs[c].type);
    if (c == C_ID) {
      for (size_t i = 0; i < ROWS; i++)
        tu_column_append_i64(&B.cols[c], (int64_t)(i * 37 + 5));
    } else {
      tu_column_random(&B.cols[c], ROWS, defs[c].nullable ? 150 : 0,
                       defs[c].precision, &rng);
    }
  }
  /* Codecs: none for id and flag, lz4 for score, zstd for the rest. */
  static const dps_column_compression ov[3] = {
      {"id", DPS_COMPRESSION_NONE, 0},
      {"flag", DPS_COMPRESSION_NONE, 0},
      {"score", DPS_COMPRESSION_LZ4, 0}};
  /* Plain pages (format 1.0's encoding): the crafted cases below aim at
   * their exact byte layout [FMT-13]. Cascade pages have test_cascade.c. */
  static dps_column_encoding plain[N_COLS];
  for (int c = 0; c < N_COLS; c++) {
    plain[c].column = defs[c].name;
    plain[c].encoding = DPS_ENCODING_PLAIN;
  }
  dps_write_options o = tu_opts();
  o.row_group_rows = 1024;
  o.page_vectors = 1;
  o.compression = DPS_COMPRESSION_ZSTD;
  o.column_compression = ov;
  o.n_column_compression = 3;
  o.column_encoding = plain;
  o.n_column_encoding = N_COLS;
  dps_schema *s = tu_schema(defs, N_COLS);
  dps_snapshot_meta m = tu_meta_full();
  dps_error e;
  tu_err_reset(&e);
  tu_tmp_path(B.path, sizeof B.path, "base.dps");
  TU_OK(tu_write(B.path, s, &m, &o, B.cols, N_COLS, &e), &e);
  dps_schema_free(s);
  B.img = tu_slurp(B.path, &B.len);
  B.t = tu_trailer_read(B.img, B.len);
  return 0;
}

static int teardown_base(void **state) {
  (void)state;
  for (int c = 0; c < N_COLS; c++) tu_column_free(&B.cols[c]);
  free(B.img);
  return 0;
}

/* Decodes the base file's footer into f. */
static void base_footer(dps_footer *f) {
  dps_error e;
  tu_err_reset(&e);
  memset(f, 0, sizeof *f);
  TU_OK(dps__footer_decode(B.img + B.t.footer_offset, (size_t)B.t.footer_length,
                           B.t.footer_offset, B.path, f, &e),
        &e);
}

/* ---- outcomes --------------------------------------------------------------- */

/* Opens path and reads every column. Returns the first failing status (and
 * where it happened: 0 open, 1 read, 2 verify) or DPS_OK when everything
 * succeeded, in which case the data read must equal the base data. */
typedef struct outcome {
  dps_status st;
  int stage;
  int data_equal;  /* when st == DPS_OK */
  dps_error err;
} outcome;

static int data_equal(const tu_column *back) {
  char why[256];
  for (int c = 0; c < N_COLS; c++) {
    dps_array_view a = tu_column_view(&B.cols[c]), b = tu_column_view(&back[c]);
    if (!tu_array_equal(defs[c].type, &a, &b, why, sizeof why)) return 0;
  }
  return 1;
}

static outcome try_file(const char *path, int with_verify) {
  outcome out;
  memset(&out, 0, sizeof out);
  dps_reader *r = NULL;
  out.st = dps_reader_open(&r, path, NULL, &out.err);
  if (out.st != DPS_OK) {
    assert_null(r);
    return out;
  }
  out.stage = 1;
  if (dps_schema_column_count(dps_reader_schema(r)) != N_COLS)
    fail_msg("%s: opened with %zu columns", path,
             dps_schema_column_count(dps_reader_schema(r)));
  tu_column back[N_COLS];
  out.st = tu_read_all(r, NULL, 0, back, NULL, NULL, 0, &out.err);
  if (out.st == DPS_OK) out.data_equal = data_equal(back);
  for (int c = 0; c < N_COLS; c++) tu_column_free(&back[c]);
  if (out.st == DPS_OK && with_verify) {
    out.stage = 2;
    out.st = dps_reader_verify(r, NULL, &out.err);
  }
  dps_reader_free(r);
  return out;
}

static const char *stage_name(int stage) {
  return stage == 0 ? "open" : stage == 1 ? "read" : "verify";
}

/* The damaged file must fail, at open or when read or verified, with
 * `code`, and the message must name the file and contain `sub`. */
static void expect_failure(const char *path, dps_status code, const char *sub,
                           const char *what) {
  outcome o = try_file(path, 1);
  if (o.st == DPS_OK)
    fail_msg("%s: the damaged file was accepted (data %s)", what,
             o.data_equal ? "unchanged" : "WRONG");
  if (o.st != code)
    fail_msg("%s: %s failed with %d (%s), expected %d (%s): %s", what,
             stage_name(o.stage), (int)o.st, dps_strerror(o.st), (int)code,
             dps_strerror(code), o.err.message);
  assert_int_equal(o.err.code, code);
  if (strstr(o.err.message, path) == NULL)
    fail_msg("%s: message \"%s\" does not name the file", what, o.err.message);
  if (sub && !tu_contains_ci(o.err.message, sub))
    fail_msg("%s: message \"%s\" lacks \"%s\"", what, o.err.message, sub);
}

/* Same, and the failure must happen at dps_reader_open. */
static void expect_open_failure(const char *path, dps_status code,
                                const char *sub, const char *what) {
  outcome o = try_file(path, 1);
  if (o.stage != 0)
    fail_msg("%s: dps_reader_open accepted the file (then %s gave %d: %s)",
             what, stage_name(o.stage), (int)o.st, o.err.message);
  expect_failure(path, code, sub, what);
}

/* ---- (a) truncation ------------------------------------------------------------ */

/* [FMT-3], [FMT-4] every truncation is refused at open, saying the file is
 * truncated. */
static void test_corrupt__truncation(void **state) {
  (void)state;
  char path[512];
  tu_tmp_path(path, sizeof path, "trunc.dps");
  size_t stride = B.len / 300 + 1, n = 0;
  assert_true(B.len > 1000);
  for (size_t len = 0; len < B.len; len += (len + 200 < B.len) ? stride : 1) {
    /* a stride across the file, then every length of the last 200 bytes */
    if (len + 200 < B.len && len + stride + 200 >= B.len) {
      tu_spit(path, B.img, len);
      len = B.len - 200 - stride;
    }
    tu_spit(path, B.img, len);
    dps_reader *r = NULL;
    dps_error e;
    tu_err_reset(&e);
    dps_status st = dps_reader_open(&r, path, NULL, &e);
    if (st != DPS_ECORRUPT && st != DPS_ECHECKSUM)
      fail_msg("truncated to %zu of %zu bytes: status %d (%s): %s", len,
               B.len, (int)st, dps_strerror(st), e.message);
    assert_null(r);
    assert_int_equal(e.code, st);
    TU_HAS(&e, path);
    /* Shorter than the magic, the file is simply not a snapshot. */
    if (len >= 8 && !tu_contains_ci(e.message, "truncated"))
      fail_msg("truncated to %zu bytes: message \"%s\" does not say so", len,
               e.message);
    n++;
  }
  assert_true(n >= 200 + 300);
}

/* ---- (b) bit flips --------------------------------------------------------------- */

typedef struct page_span {
  uint64_t off, len;
  size_t group, column;
} page_span;

static page_span *page_spans(size_t *n) {
  dps_footer f;
  base_footer(&f);
  size_t cap = 64, k = 0;
  page_span *s = malloc(cap * sizeof *s);
  assert_non_null(s);
  for (size_t g = 0; g < f.n_groups; g++)
    for (size_t c = 0; c < N_COLS; c++)
      for (size_t p = 0; p < f.groups[g].chunks[c].n_pages; p++) {
        if (k == cap) {
          cap *= 2;
          s = realloc(s, cap * sizeof *s);
          assert_non_null(s);
        }
        s[k].off = f.groups[g].chunks[c].pages[p].offset;
        s[k].len = f.groups[g].chunks[c].pages[p].stored_size;
        s[k].group = g;
        s[k].column = c;
        k++;
      }
  dps__footer_free(&f);
  *n = k;
  return s;
}

static const page_span *page_at(const page_span *s, size_t n, uint64_t pos) {
  for (size_t i = 0; i < n; i++)
    if (pos >= s[i].off && pos < s[i].off + s[i].len) return &s[i];
  return NULL;
}

/* One bit flipped at a time across the whole file: header, every page (at a
 * stride), every footer byte, every trailer byte. Each flip is caught where
 * the spec says, or is in bytes readers ignore (reserved) and changes
 * nothing; never wrong rows. */
static void test_corrupt__bit_flips(void **state) {
  (void)state;
  char path[512];
  tu_tmp_path(path, sizeof path, "flip.dps");
  size_t n_spans;
  page_span *spans = page_spans(&n_spans);
  assert_int_equal(n_spans, 3 * N_COLS);
  const uint64_t fo = B.t.footer_offset, fl = B.t.footer_length;
  const uint64_t tr = B.len - 40;
  size_t page_flips = 0, footer_flips = 0;
  tu_spit(path, B.img, B.len);
  int fd = open(path, O_RDWR);
  assert_true(fd >= 0);
  for (uint64_t pos = 0; pos < B.len;) {
    /* Flip one bit in place (and put it back after). */
    uint8_t flipped = (uint8_t)(B.img[pos] ^ (1u << (pos % 8)));
    assert_int_equal(pwrite(fd, &flipped, 1, (off_t)pos), 1);
    outcome o = try_file(path, 1);
    const page_span *pg = page_at(spans, n_spans, pos);
    char what[128];
    snprintf(what, sizeof what, "bit %u of byte %llu flipped", (unsigned)(pos % 8),
             (unsigned long long)pos);

    if (o.st == DPS_OK && !o.data_equal)
      fail_msg("%s: WRONG ROWS read without an error", what);
    if (o.st != DPS_OK) assert_int_equal(o.err.code, o.st);

    if (pos < 8 || (pos >= tr + 32)) {
      /* [FMT-1], [FMT-4] magic */
      if (o.stage != 0 || o.st != DPS_ECORRUPT)
        fail_msg("%s (magic): %s gave %d: %s", what, stage_name(o.stage),
                 (int)o.st, o.err.message);
    } else if (pos < 12 || (pos >= tr + 24 && pos < tr + 28)) {
      /* [FMT-5] versions now disagree (or name another major) */
      if (o.stage != 0 || (o.st != DPS_ECORRUPT && o.st != DPS_EVERSION))
        fail_msg("%s (version): %s gave %d: %s", what, stage_name(o.stage),
                 (int)o.st, o.err.message);
    } else if (pos < 16) {
      /* [FMT-2] reserved header bytes are ignored */
      if (o.st != DPS_OK)
        fail_msg("%s (reserved header byte): %s gave %d: %s", what,
                 stage_name(o.stage), (int)o.st, o.err.message);
    } else if (pg != NULL) {
      /* [FMT-10] the page checksum catches it when the page is read */
      if (o.stage != 1 || o.st != DPS_ECHECKSUM)
        fail_msg("%s (page of column %s, row group %zu): %s gave %d: %s", what,
                 defs[pg->column].name, pg->group, stage_name(o.stage),
                 (int)o.st, o.err.message);
      TU_HAS(&o.err, path);
      TU_HAS(&o.err, "offset");
      TU_HAS(&o.err, defs[pg->column].name);
      /* verify fails for it too */
      dps_reader *r = NULL;
      dps_error e;
      tu_err_reset(&e);
      TU_OK(dps_reader_open(&r, path, NULL, &e), &e);
      TU_EXPECT(dps_reader_verify(r, NULL, &e), DPS_ECHECKSUM, &e);
      TU_HAS(&e, "offset");
      dps_reader_free(r);
      page_flips++;
    } else if (pos >= fo && pos < fo + fl) {
      /* [FMT-7] the footer checksum catches it at open */
      if (o.stage != 0 || o.st != DPS_ECHECKSUM)
        fail_msg("%s (footer): %s gave %d: %s", what, stage_name(o.stage),
                 (int)o.st, o.err.message);
      TU_HAS(&o.err, path);
      footer_flips++;
    } else if (pos >= tr && pos < tr + 16) {
      /* [FMT-6] footer location and length no longer add up */
      if (o.stage != 0 || (o.st != DPS_ECORRUPT && o.st != DPS_ECHECKSUM))
        fail_msg("%s (trailer footer location): %s gave %d: %s", what,
                 stage_name(o.stage), (int)o.st, o.err.message);
    } else if (pos >= tr + 16 && pos < tr + 24) {
      /* [FMT-7] the stored footer checksum */
      if (o.stage != 0 || o.st != DPS_ECHECKSUM)
        fail_msg("%s (trailer checksum): %s gave %d: %s", what,
                 stage_name(o.stage), (int)o.st, o.err.message);
    } else if (pos >= tr + 28 && pos < tr + 32) {
      /* trailer reserved: ignored (like the header's) or refused at open */
      if (o.st != DPS_OK && (o.stage != 0 || o.st != DPS_ECORRUPT))
        fail_msg("%s (trailer reserved): %s gave %d: %s", what,
                 stage_name(o.stage), (int)o.st, o.err.message);
    } else {
      fail_msg("%s: byte in no page, footer, header or trailer (gave %d)", what,
               (int)o.st);
    }
    assert_int_equal(pwrite(fd, &B.img[pos], 1, (off_t)pos), 1);
    /* Every structural byte; the first bytes of every page, then a
     * stride through it. */
    if (pg != NULL && pos + 1 < pg->off + pg->len && pos > pg->off + 2) {
      pos += 29;
      if (pos >= pg->off + pg->len) pos = pg->off + pg->len - 1;
    } else {
      pos += 1;
    }
  }
  close(fd);
  assert_true(page_flips > 4000);
  assert_true(footer_flips == fl);
  free(spans);
}

/* A flipped byte in a page: DPS_ECHECKSUM naming file, offset and column;
 * the other columns still read; dps_reader_verify fails too. */
static void test_corrupt__page_checksum(void **state) {
  (void)state;
  size_t n_spans;
  page_span *spans = page_spans(&n_spans);
  /* the name column's page in row group 1 */
  const page_span *pg = NULL;
  for (size_t i = 0; i < n_spans; i++)
    if (spans[i].group == 1 && spans[i].column == C_NAME) pg = &spans[i];
  assert_non_null(pg);
  char path[512];
  tu_tmp_path(path, sizeof path, "pagesum.dps");
  uint8_t *img = malloc(B.len);
  assert_non_null(img);
  memcpy(img, B.img, B.len);
  uint64_t at = pg->off + pg->len / 2;
  img[at] ^= 0x40;
  tu_spit(path, img, B.len);

  dps_reader *r = NULL;
  dps_error e;
  tu_err_reset(&e);
  TU_OK(dps_reader_open(&r, path, NULL, &e), &e);
  tu_column back[N_COLS];
  TU_EXPECT(tu_read_all(r, NULL, 0, back, NULL, NULL, 0, &e), DPS_ECHECKSUM, &e);
  for (int c = 0; c < N_COLS; c++) tu_column_free(&back[c]);
  TU_HAS(&e, path);
  TU_HAS(&e, "offset");
  char off[32];
  snprintf(off, sizeof off, "%llu", (unsigned long long)pg->off);
  TU_HAS(&e, off);
  TU_HAS(&e, "name");
  /* Row group 0 came through before the failure; the other columns read. */
  const size_t others[3] = {C_ID, C_SCORE, C_RAW};
  tu_column part[3];
  TU_OK(tu_read_all(r, others, 3, part, NULL, NULL, 0, &e), &e);
  for (int i = 0; i < 3; i++) {
    dps_array_view a = tu_column_view(&B.cols[others[i]]);
    dps_array_view b = tu_column_view(&part[i]);
    TU_ASSERT_ARRAY_EQ(defs[others[i]].type, &a, &b, defs[others[i]].name);
    tu_column_free(&part[i]);
  }
  dps_verify_report rep;
  tu_err_reset(&e);
  TU_EXPECT(dps_reader_verify(r, &rep, &e), DPS_ECHECKSUM, &e);
  TU_HAS(&e, off);
  dps_reader_free(r);
  free(img);
  free(spans);
}

/* A flipped byte in the footer: DPS_ECHECKSUM at open [FMT-7]. */
static void test_corrupt__footer_checksum(void **state) {
  (void)state;
  char path[512];
  tu_tmp_path(path, sizeof path, "footsum.dps");
  uint8_t *img = malloc(B.len);
  assert_non_null(img);
  memcpy(img, B.img, B.len);
  img[B.t.footer_offset + B.t.footer_length / 3] ^= 0x01;
  tu_spit(path, img, B.len);
  expect_open_failure(path, DPS_ECHECKSUM, "checksum", "flipped footer byte");
  free(img);
}

/* ---- (c) format versions ---------------------------------------------------------- */

static void write_versions(const char *path, unsigned hmaj, unsigned hmin,
                           unsigned tmaj, unsigned tmin) {
  uint8_t *img = malloc(B.len);
  assert_non_null(img);
  memcpy(img, B.img, B.len);
  img[8] = (uint8_t)hmaj;
  img[9] = (uint8_t)(hmaj >> 8);
  img[10] = (uint8_t)hmin;
  img[11] = (uint8_t)(hmin >> 8);
  uint8_t *t = img + B.len - 40;
  t[24] = (uint8_t)tmaj;
  t[25] = (uint8_t)(tmaj >> 8);
  t[26] = (uint8_t)tmin;
  t[27] = (uint8_t)(tmin >> 8);
  tu_spit(path, img, B.len);
  free(img);
}

/* [FMT-5] a newer (or older) major is refused with DPS_EVERSION naming the
 * file's version and the one this reader reads. */
static void test_corrupt__major_version(void **state) {
  (void)state;
  char path[512];
  tu_tmp_path(path, sizeof path, "v2.dps");
  write_versions(path, 2, 0, 2, 0);
  expect_open_failure(path, DPS_EVERSION, NULL, "format 2.0");
  dps_reader *r = NULL;
  dps_error e;
  tu_err_reset(&e);
  TU_EXPECT(dps_reader_open(&r, path, NULL, &e), DPS_EVERSION, &e);
  TU_HAS_ANY(&e, "version 2", "2.0", "major 2");
  TU_HAS_ANY(&e, "1.x", "1.0", "version 1", "major 1");

  write_versions(path, 2, 3, 2, 3);
  tu_err_reset(&e);
  TU_EXPECT(dps_reader_open(&r, path, NULL, &e), DPS_EVERSION, &e);
  TU_HAS(&e, "2.3");
  write_versions(path, 0, 9, 0, 9);
  expect_open_failure(path, DPS_EVERSION, "0.9", "format 0.9");
  write_versions(path, 0xFFFF, 0, 0xFFFF, 0);
  expect_open_failure(path, DPS_EVERSION, "65535", "format 65535.0");
}

/* [FMT-5] a reader opens its own major with any minor. */
static void test_corrupt__newer_minor_opens(void **state) {
  (void)state;
  char path[512];
  tu_tmp_path(path, sizeof path, "v1_7.dps");
  write_versions(path, 1, 7, 1, 7);
  outcome o = try_file(path, 1);
  if (o.st != DPS_OK)
    fail_msg("format 1.7: %s gave %d: %s", stage_name(o.stage), (int)o.st,
             o.err.message);
  assert_true(o.data_equal);
  dps_reader *r = NULL;
  dps_error e;
  tu_err_reset(&e);
  TU_OK(dps_reader_open(&r, path, NULL, &e), &e);
  dps_file_info fi;
  assert_int_equal(dps_reader_file_info(r, &fi), DPS_OK);
  assert_int_equal(fi.format_major, 1);
  assert_int_equal(fi.format_minor, 7);
  dps_reader_free(r);
}

/* [FMT-5] header and trailer versions must agree: DPS_ECORRUPT. */
static void test_corrupt__versions_disagree(void **state) {
  (void)state;
  char path[512];
  tu_tmp_path(path, sizeof path, "vmix.dps");
  static const unsigned v[][4] = {
      {1, 0, 2, 0}, {2, 0, 1, 0}, {1, 0, 1, 1}, {1, 1, 1, 0}, {3, 0, 2, 0}};
  for (size_t k = 0; k < sizeof v / sizeof v[0]; k++) {
    char what[64];
    snprintf(what, sizeof what, "header %u.%u, trailer %u.%u", v[k][0], v[k][1],
             v[k][2], v[k][3]);
    write_versions(path, v[k][0], v[k][1], v[k][2], v[k][3]);
    expect_open_failure(path, DPS_ECORRUPT, "version", what);
  }
}

/* ---- (d) crafted footers --------------------------------------------------------- */

/* Encodes f and writes the base pages + that footer + a fresh trailer. */
static void write_footer(const char *path, const dps_footer *f) {
  dps_buf b = {0};
  assert_int_equal(dps__footer_encode(f, &b), DPS_OK);
  tu_file_with_footer(path, B.img, B.t.footer_offset, b.data, b.len, DPS_FORMAT_MAJOR, DPS_FORMAT_MINOR);
  dps__buf_free(&b);
}

/* [FMT-23] decoding and encoding the footer again gives the same bytes, so
 * the crafted files below differ from the base file only where intended. */
static void test_corrupt__footer_reencode_identical(void **state) {
  (void)state;
  dps_footer f;
  base_footer(&f);
  dps_buf b = {0};
  assert_int_equal(dps__footer_encode(&f, &b), DPS_OK);
  assert_int_equal(b.len, B.t.footer_length);
  assert_memory_equal(b.data, B.img + B.t.footer_offset, b.len);
  assert_true(f.schema_tag == tu_canonical_tag(f.schema));
  dps__buf_free(&b);
  dps__footer_free(&f);
  char path[512];
  tu_tmp_path(path, sizeof path, "same.dps");
  base_footer(&f);
  write_footer(path, &f);
  dps__footer_free(&f);
  outcome o = try_file(path, 1);
  assert_int_equal(o.st, DPS_OK);
  assert_true(o.data_equal);
}

typedef void (*mutator)(dps_footer *f);

/* Crafts a file with one mutation, then expects `code` with `sub`; when
 * at_open, the failure must come from dps_reader_open. */
static void crafted(const char *what, mutator mut, dps_status code,
                    const char *sub, int at_open) {
  char path[512];
  tu_tmp_path(path, sizeof path, "crafted.dps");
  dps_footer f;
  base_footer(&f);
  mut(&f);
  write_footer(path, &f);
  dps__footer_free(&f);
  if (at_open)
    expect_open_failure(path, code, sub, what);
  else
    expect_failure(path, code, sub, what);
}

static dps_page_ref *page(dps_footer *f, size_t g, size_t c) {
  return &f->groups[g].chunks[c].pages[0];
}

/* [FMT-32] page bounds */
static void m_offset_in_footer(dps_footer *f) {
  page(f, 1, C_NAME)->offset = B.t.footer_offset + 8;
}
static void m_offset_crosses_footer(dps_footer *f) {
  dps_page_ref *p = page(f, 1, C_RAW);
  p->offset = B.t.footer_offset - p->stored_size + 1; /* one byte too far */
}
static void m_offset_in_header(dps_footer *f) { page(f, 0, C_ID)->offset = 8; }
static void m_offset_overflow(dps_footer *f) {
  page(f, 0, C_SCORE)->offset = UINT64_MAX - 3;
}
static void m_stored_size_huge(dps_footer *f) {
  page(f, 0, C_SCORE)->stored_size = UINT64_C(1) << 40;
}
static void test_corrupt__page_bounds(void **state) {
  (void)state;
  crafted("page offset past the footer", m_offset_in_footer, DPS_ECORRUPT,
          "offset", 0);
  crafted("page ending inside the footer", m_offset_crosses_footer,
          DPS_ECORRUPT, "offset", 0);
  crafted("page offset in the header", m_offset_in_header, DPS_ECORRUPT,
          "offset", 0);
  crafted("page offset near 2^64", m_offset_overflow, DPS_ECORRUPT, "offset",
          0);
  crafted("page stored_size 2^40", m_stored_size_huge, DPS_ECORRUPT, NULL, 0);
}

/* [FMT-12], [FMT-13] raw_size must be what the page decodes to */
static void m_raw_plus_none(dps_footer *f) { page(f, 1, C_ID)->raw_size += 1; }
static void m_raw_minus_none(dps_footer *f) { page(f, 1, C_FLAG)->raw_size -= 1; }
static void m_raw_plus_zstd(dps_footer *f) { page(f, 0, C_NAME)->raw_size += 1; }
static void m_raw_minus_zstd(dps_footer *f) { page(f, 2, C_RAW)->raw_size -= 1; }
static void m_raw_plus_lz4(dps_footer *f) { page(f, 1, C_SCORE)->raw_size += 8; }
static void m_raw_over_limit(dps_footer *f) {
  page(f, 0, C_PRICE)->raw_size = (UINT64_C(1) << 31) + 1;
}
static void test_corrupt__raw_size(void **state) {
  (void)state;
  crafted("raw_size + 1 (codec none)", m_raw_plus_none, DPS_ECORRUPT, NULL, 0);
  crafted("raw_size - 1 (codec none, bool)", m_raw_minus_none, DPS_ECORRUPT,
          NULL, 0);
  crafted("raw_size + 1 (zstd)", m_raw_plus_zstd, DPS_ECORRUPT, NULL, 0);
  crafted("raw_size - 1 (zstd)", m_raw_minus_zstd, DPS_ECORRUPT, NULL, 0);
  crafted("raw_size + 8 (lz4)", m_raw_plus_lz4, DPS_ECORRUPT, NULL, 0);
  crafted("raw_size past 2^31", m_raw_over_limit, DPS_ECORRUPT, NULL, 0);
}

/* [FMT-33] value counts, [FMT §6.1] row counts */
static void m_value_count_minus(dps_footer *f) { page(f, 0, C_PRICE)->value_count -= 1; }
static void m_value_count_zero(dps_footer *f) { page(f, 2, C_NAME)->value_count = 0; }
static void m_group_rows_plus(dps_footer *f) {
  f->groups[2].row_count += 1;
  f->row_count += 1;
}
static void m_total_rows_plus(dps_footer *f) { f->row_count += 1; }
static void m_group_rows_zero(dps_footer *f) {
  f->row_count -= f->groups[2].row_count;
  f->groups[2].row_count = 0;
}
static void m_group_not_multiple(dps_footer *f) {
  /* [FMT-31] a row group but the last of 1000 rows; its pages say 1000 too */
  f->groups[0].row_count = 1000;
  f->row_count -= 24;
  for (size_t c = 0; c < N_COLS; c++) page(f, 0, c)->value_count = 1000;
}
static void test_corrupt__counts(void **state) {
  (void)state;
  crafted("page value_count - 1", m_value_count_minus, DPS_ECORRUPT, NULL, 0);
  crafted("page value_count 0", m_value_count_zero, DPS_ECORRUPT, NULL, 0);
  crafted("row group row_count + 1", m_group_rows_plus, DPS_ECORRUPT, NULL, 0);
  crafted("footer row_count + 1", m_total_rows_plus, DPS_ECORRUPT, NULL, 0);
  crafted("row group of 0 rows", m_group_rows_zero, DPS_ECORRUPT, NULL, 0);
  crafted("row group of 1000 rows, not last", m_group_not_multiple,
          DPS_ECORRUPT, NULL, 0);
}

/* [FMT §6.5] null counts */
static void m_nulls_over_values(dps_footer *f) {
  dps_page_ref *p = page(f, 1, C_NAME);
  p->null_count = p->value_count + 1;
}
static void m_null_in_non_nullable(dps_footer *f) {
  page(f, 0, C_ID)->null_count = 1;
  f->groups[0].chunks[C_ID].null_count = 1;
}
static void m_null_count_shifted(dps_footer *f) {
  /* One null fewer: the validity bitmap no longer matches ([FMT-14]). */
  dps_page_ref *p = page(f, 1, C_PRICE);
  assert_true(p->null_count > 1);
  p->null_count -= 1;
  f->groups[1].chunks[C_PRICE].null_count -= 1;
}
static void m_chunk_nulls_wrong(dps_footer *f) {
  f->groups[1].chunks[C_RAW].null_count += 1;
}
static void test_corrupt__null_counts(void **state) {
  (void)state;
  crafted("null_count > value_count", m_nulls_over_values, DPS_ECORRUPT, NULL,
          0);
  crafted("null in a non-nullable column", m_null_in_non_nullable,
          DPS_ECORRUPT, NULL, 0);
  crafted("page null_count - 1", m_null_count_shifted, DPS_ECORRUPT, NULL, 0);
  crafted("chunk null_count != sum of pages", m_chunk_nulls_wrong,
          DPS_ECORRUPT, NULL, 0);
}

/* [FMT §6.4] a 1.0 reader refuses a row group stored elsewhere. */
static void m_location(dps_footer *f) { f->groups[1].location = "segment-2.dps"; }
static void m_location_empty(dps_footer *f) { f->groups[1].location = ""; }
static void test_corrupt__row_group_location(void **state) {
  (void)state;
  crafted("row group location", m_location, DPS_EVERSION, "segment-2.dps", 1);
  /* An empty location means this file. */
  char path[512];
  tu_tmp_path(path, sizeof path, "emptyloc.dps");
  dps_footer f;
  base_footer(&f);
  m_location_empty(&f);
  write_footer(path, &f);
  dps__footer_free(&f);
  outcome o = try_file(path, 1);
  if (o.st != DPS_OK) fail_msg("empty location: %d: %s", o.st, o.err.message);
  assert_true(o.data_equal);
}

/* [FMT-30] the stored schema tag must match the stored schema. */
static void m_tag_off_by_one(dps_footer *f) { f->schema_tag ^= 1; }
static void m_schema_changed(dps_footer *f) {
  /* The schema says price is decimal(10,3); the tag still says (10,2). */
  f->schema->cols[C_PRICE].scale = 3;
}
static void m_unknown_type(dps_footer *f) {
  f->schema->cols[C_SCORE].type = (dps_type)99;
  f->schema_tag = tu_canonical_tag(f->schema);
}
static void m_duplicate_name(dps_footer *f) {
  /* "flag" -> "name": same length, so the bytes can be changed in place */
  assert_int_equal(strlen(f->schema->cols[C_FLAG].name), 4);
  memcpy(f->schema->cols[C_FLAG].name, "name", 4);
  f->schema_tag = tu_canonical_tag(f->schema);
}
static void m_precision_19(dps_footer *f) {
  /* A decimal column whose precision is out of range, tag recomputed. */
  f->schema->cols[C_PRICE].precision = 19;
  f->schema_tag = tu_canonical_tag(f->schema);
}
static void test_corrupt__schema(void **state) {
  (void)state;
  crafted("schema tag off by one bit", m_tag_off_by_one, DPS_ECORRUPT, "tag",
          1);
  crafted("schema changed, tag not", m_schema_changed, DPS_ECORRUPT, "tag", 1);
  crafted("unknown type id 99", m_unknown_type, DPS_ECORRUPT, NULL, 1);
  crafted("duplicate column name", m_duplicate_name, DPS_ECORRUPT, "name", 1);
  crafted("decimal precision 19", m_precision_19, DPS_ECORRUPT, NULL, 1);
}

/* [FMT-5] unknown codec or encoding ids fail when the page is read, with
 * DPS_EVERSION naming the id and the file's version. */
static void m_codec_9(dps_footer *f) { page(f, 1, C_NAME)->codec = 9; }
static void m_encoding_5(dps_footer *f) { page(f, 2, C_ID)->encoding = 5; }
static void test_corrupt__unknown_ids(void **state) {
  (void)state;
  crafted("codec 9", m_codec_9, DPS_EVERSION, "9", 0);
  crafted("encoding 5", m_encoding_5, DPS_EVERSION, "5", 0);
  /* opening is fine: only that page is unreadable */
  char path[512];
  tu_tmp_path(path, sizeof path, "codec9.dps");
  dps_footer f;
  base_footer(&f);
  m_codec_9(&f);
  write_footer(path, &f);
  dps__footer_free(&f);
  dps_reader *r = NULL;
  dps_error e;
  tu_err_reset(&e);
  TU_OK(dps_reader_open(&r, path, NULL, &e), &e);
  tu_column back[N_COLS];
  TU_EXPECT(tu_read_all(r, NULL, 0, back, NULL, NULL, 0, &e), DPS_EVERSION, &e);
  for (int c = 0; c < N_COLS; c++) tu_column_free(&back[c]);
  TU_HAS(&e, "codec");
  TU_HAS(&e, "9");
  TU_HAS(&e, "1.0");
  const size_t id_only[1] = {C_ID};
  tu_column ids[1];
  TU_OK(tu_read_all(r, id_only, 1, ids, NULL, NULL, 0, &e), &e);
  tu_column_free(&ids[0]);
  tu_err_reset(&e);
  TU_EXPECT(dps_reader_verify(r, NULL, &e), DPS_EVERSION, &e);
  dps_reader_free(r);
}

/* [FMT-10] a page whose stored checksum is wrong. */
static void m_page_checksum(dps_footer *f) { page(f, 2, C_SCORE)->checksum ^= 0x100; }
static void test_corrupt__stored_page_checksum(void **state) {
  (void)state;
  crafted("page checksum", m_page_checksum, DPS_ECHECKSUM, "offset", 0);
}

/* Zone maps that do not hold for the values: reads are not affected, but
 * dps_reader_verify reports them. */
static void m_page_zone_max_low(dps_footer *f) {
  dps_zone *z = &page(f, 1, C_ID)->zone;
  assert_true(z->has_max && z->max_len == 8);
  uint64_t v = dps__load_u64(z->max);
  dps__store_u64(z->max, v - 37);
}
static void m_group_zone_min_high(dps_footer *f) {
  dps_zone *z = &f->groups[0].zones[C_ID];
  assert_true(z->has_min && z->min_len == 8);
  dps__store_u64(z->min, dps__load_u64(z->min) + 1);
}
static void test_corrupt__zone_maps(void **state) {
  (void)state;
  const mutator muts[2] = {m_page_zone_max_low, m_group_zone_min_high};
  for (int k = 0; k < 2; k++) {
    char path[512];
    tu_tmp_path(path, sizeof path, "zone.dps");
    dps_footer f;
    base_footer(&f);
    muts[k](&f);
    write_footer(path, &f);
    dps__footer_free(&f);
    outcome o = try_file(path, 0);
    if (o.st != DPS_OK)
      fail_msg("zone %d: %s gave %d: %s", k, stage_name(o.stage), o.st,
               o.err.message);
    assert_true(o.data_equal);
    dps_reader *r = NULL;
    dps_error e;
    tu_err_reset(&e);
    TU_OK(dps_reader_open(&r, path, NULL, &e), &e);
    TU_EXPECT(dps_reader_verify(r, NULL, &e), DPS_ECORRUPT, &e);
    TU_HAS(&e, path);
    TU_HAS(&e, "id");
    TU_HAS_ANY(&e, "zone", "bound", "min", "max");
    dps_reader_free(r);
  }
}

/* ---- footers missing what is required ---------------------------------------------- */

/* Copies the footer without its top-level fields of tag `drop`. */
static void footer_without(uint64_t drop, dps_buf *out) {
  dps_tlv_reader r;
  dps_tlv_field fld;
  dps_error e;
  tu_err_reset(&e);
  dps__tlv_reader_init(&r, B.img + B.t.footer_offset, (size_t)B.t.footer_length,
                       B.t.footer_offset, B.path, "footer");
  int rc;
  while ((rc = dps__tlv_next(&r, &fld, &e)) == 1) {
    if (fld.tag == drop) continue;
    assert_int_equal(dps__buf_put_varint(out, fld.tag), DPS_OK);
    assert_int_equal(dps__buf_put_varint(out, fld.length), DPS_OK);
    assert_int_equal(dps__buf_append(out, fld.value, fld.length), DPS_OK);
  }
  assert_int_equal(rc, 0);
}

/* Copies the footer with the first chunk of the first row group dropped. */
static void footer_missing_chunk(dps_buf *out) {
  dps_tlv_reader r, g;
  dps_tlv_field fld, gf;
  dps_error e;
  tu_err_reset(&e);
  int first_group = 1;
  dps__tlv_reader_init(&r, B.img + B.t.footer_offset, (size_t)B.t.footer_length,
                       B.t.footer_offset, B.path, "footer");
  while (dps__tlv_next(&r, &fld, &e) == 1) {
    if (fld.tag == 4 && first_group) {
      first_group = 0;
      dps_buf nb = {0};
      int dropped = 0;
      dps__tlv_child(&r, &fld, &g, "row group");
      while (dps__tlv_next(&g, &gf, &e) == 1) {
        if (gf.tag == 3 && !dropped) {
          dropped = 1;
          continue;
        }
        assert_int_equal(dps__buf_put_varint(&nb, gf.tag), DPS_OK);
        assert_int_equal(dps__buf_put_varint(&nb, gf.length), DPS_OK);
        assert_int_equal(dps__buf_append(&nb, gf.value, gf.length), DPS_OK);
      }
      assert_true(dropped);
      assert_int_equal(dps__tlv_put_msg(out, 4, &nb), DPS_OK);
      dps__buf_free(&nb);
      continue;
    }
    assert_int_equal(dps__buf_put_varint(out, fld.tag), DPS_OK);
    assert_int_equal(dps__buf_put_varint(out, fld.length), DPS_OK);
    assert_int_equal(dps__buf_append(out, fld.value, fld.length), DPS_OK);
  }
}

static void test_corrupt__footer_missing_parts(void **state) {
  (void)state;
  static const struct {
    uint64_t tag;
    const char *what;
  } req[] = {{1, "footer without schema"},
             {2, "footer without schema tag"},
             {3, "footer without meta"}};
  char path[512];
  tu_tmp_path(path, sizeof path, "missing.dps");
  for (size_t k = 0; k < sizeof req / sizeof req[0]; k++) {
    dps_buf b = {0};
    footer_without(req[k].tag, &b);
    assert_true(b.len < B.t.footer_length);
    tu_file_with_footer(path, B.img, B.t.footer_offset, b.data, b.len, DPS_FORMAT_MAJOR, DPS_FORMAT_MINOR);
    dps__buf_free(&b);
    expect_open_failure(path, DPS_ECORRUPT, NULL, req[k].what);
  }
  /* Without its row groups the row count no longer adds up. */
  dps_buf b = {0};
  footer_without(4, &b);
  tu_file_with_footer(path, B.img, B.t.footer_offset, b.data, b.len, DPS_FORMAT_MAJOR, DPS_FORMAT_MINOR);
  dps__buf_free(&b);
  expect_open_failure(path, DPS_ECORRUPT, NULL, "footer without row groups");
  /* A row group with one chunk fewer than the schema has columns. */
  footer_missing_chunk(&b);
  tu_file_with_footer(path, B.img, B.t.footer_offset, b.data, b.len, DPS_FORMAT_MAJOR, DPS_FORMAT_MINOR);
  dps__buf_free(&b);
  expect_open_failure(path, DPS_ECORRUPT, NULL, "row group missing a chunk");
  /* An empty footer. */
  tu_file_with_footer(path, B.img, B.t.footer_offset, NULL, 0, DPS_FORMAT_MAJOR, DPS_FORMAT_MINOR);
  expect_open_failure(path, DPS_ECORRUPT, NULL, "empty footer");
  /* Garbage with a valid checksum. */
  uint8_t junk[64];
  memset(junk, 0xFF, sizeof junk);
  tu_file_with_footer(path, B.img, B.t.footer_offset, junk, sizeof junk, DPS_FORMAT_MAJOR,
                      DPS_FORMAT_MINOR);
  expect_open_failure(path, DPS_ECORRUPT, "offset", "garbage footer");
}

/* [FMT-15] verify checks the UTF-8 of stored strings: a page rewritten with
 * an invalid byte (and a correct checksum) passes reads but not verify. */
static void test_corrupt__stored_invalid_utf8(void **state) {
  (void)state;
  static const tu_coldef sdefs[1] = {{"label", DPS_TYPE_STRING, 0, 0, 0}};
  char path[512], bad[512];
  tu_tmp_path(path, sizeof path, "utf8.dps");
  tu_tmp_path(bad, sizeof bad, "utf8-bad.dps");
  tu_column c[1];
  tu_column_init(&c[0], DPS_TYPE_STRING);
  for (int i = 0; i < 100; i++) tu_column_append_str(&c[0], "abc");
  dps_schema *s = tu_schema(sdefs, 1);
  dps_snapshot_meta m = tu_meta();
  dps_write_options o = tu_opts();
  o.compression = DPS_COMPRESSION_NONE;
  static const dps_column_encoding plain_s = {"label", DPS_ENCODING_PLAIN};
  o.column_encoding = &plain_s;
  o.n_column_encoding = 1;
  dps_error e;
  tu_err_reset(&e);
  TU_OK(tu_write(path, s, &m, &o, c, 1, &e), &e);
  size_t len;
  uint8_t *img = tu_slurp(path, &len);
  tu_trailer t = tu_trailer_read(img, len);
  dps_footer f;
  memset(&f, 0, sizeof f);
  TU_OK(dps__footer_decode(img + t.footer_offset, (size_t)t.footer_length,
                           t.footer_offset, path, &f, &e),
        &e);
  dps_page_ref *p = &f.groups[0].chunks[0].pages[0];
  assert_true(p->codec == DPS_CODEC_NONE);
  /* [FMT §4.2] no nulls: 100 u32 lengths, then the bytes; damage row 50 */
  assert_true(p->raw_size == 400 + 300);
  uint64_t at = p->offset + 400 + 50 * 3 + 1;
  assert_int_equal(img[at], 'b');
  img[at] = 0xC0;
  p->checksum = XXH3_64bits(img + p->offset, (size_t)p->stored_size);
  dps_buf b = {0};
  assert_int_equal(dps__footer_encode(&f, &b), DPS_OK);
  tu_file_with_footer(bad, img, t.footer_offset, b.data, b.len, DPS_FORMAT_MAJOR, DPS_FORMAT_MINOR);
  dps__buf_free(&b);
  dps__footer_free(&f);

  dps_reader *r = NULL;
  TU_OK(dps_reader_open(&r, bad, NULL, &e), &e);
  tu_err_reset(&e);
  TU_EXPECT(dps_reader_verify(r, NULL, &e), DPS_ECORRUPT, &e);
  TU_HAS(&e, bad);
  TU_HAS(&e, "label");
  TU_HAS_CI(&e, "utf-8");
  dps_reader_free(r);
  free(img);
  tu_column_free(&c[0]);
  dps_schema_free(s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_corrupt__truncation),
      cmocka_unit_test(test_corrupt__bit_flips),
      cmocka_unit_test(test_corrupt__page_checksum),
      cmocka_unit_test(test_corrupt__footer_checksum),
      cmocka_unit_test(test_corrupt__major_version),
      cmocka_unit_test(test_corrupt__newer_minor_opens),
      cmocka_unit_test(test_corrupt__versions_disagree),
      cmocka_unit_test(test_corrupt__footer_reencode_identical),
      cmocka_unit_test(test_corrupt__page_bounds),
      cmocka_unit_test(test_corrupt__raw_size),
      cmocka_unit_test(test_corrupt__counts),
      cmocka_unit_test(test_corrupt__null_counts),
      cmocka_unit_test(test_corrupt__row_group_location),
      cmocka_unit_test(test_corrupt__schema),
      cmocka_unit_test(test_corrupt__unknown_ids),
      cmocka_unit_test(test_corrupt__stored_page_checksum),
      cmocka_unit_test(test_corrupt__zone_maps),
      cmocka_unit_test(test_corrupt__footer_missing_parts),
      cmocka_unit_test(test_corrupt__stored_invalid_utf8),
  };
  return TU_RUN(tests, setup_base, teardown_base);
}
