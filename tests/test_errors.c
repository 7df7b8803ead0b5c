/*
 * test_errors.c - what the writer refuses and how (input values, misuse,
 * I/O failures), that a failed or abandoned write never publishes anything
 * nor damages the file already at the path, and the reader's errors for
 * files that are missing or not snapshots.
 *
 * Every error test asserts the status code and part of the message.
 */
#include "testutil.h"

#include <errno.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- data --------------------------------------------------------------- */

enum { C_KEY, C_TEXT, C_FLAG, C_PRICE, N_COLS };

static const tu_coldef defs[N_COLS] = {
    {"order_key", DPS_TYPE_INT64, 0, 0, 0},
    {"comment_text", DPS_TYPE_STRING, 1, 0, 0},
    {"flag", DPS_TYPE_BOOL, 1, 0, 0},
    {"price", DPS_TYPE_DECIMAL, 1, 5, 2},
};

/* Valid rows; `bad_col` (or -1) gets `bad` (bad_len bytes: a string, or one
 * fixed-width value) at row `bad_row`, or a null there when bad is NULL. */
static void build(tu_column cols[N_COLS], size_t rows, int bad_col,
                  size_t bad_row, const void *bad, size_t bad_len) {
  for (int c = 0; c < N_COLS; c++) tu_column_init(&cols[c], defs[c].type);
  for (size_t i = 0; i < rows; i++) {
    for (int c = 0; c < N_COLS; c++) {
      if (c == bad_col && i == bad_row) {
        if (bad == NULL)
          tu_column_append_null(&cols[c]);
        else if (defs[c].type == DPS_TYPE_STRING)
          tu_column_append_bytes(&cols[c], bad, bad_len);
        else
          tu_column_append(&cols[c], bad);
        continue;
      }
      switch (c) {
        case C_KEY: tu_column_append_i64(&cols[c], (int64_t)i); break;
        case C_TEXT:
          if (i % 11 == 3)
            tu_column_append_null(&cols[c]);
          else
            tu_column_append_str(&cols[c], i % 2 ? "fine \xC3\xA9t\xC3\xA9" : "ok");
          break;
        case C_FLAG: tu_column_append_u64(&cols[c], i % 3 == 0); break;
        default: tu_column_append_i64(&cols[c], (int64_t)(i % 200000) - 99999);
      }
    }
  }
}

static void free_cols(tu_column *cols, size_t n) {
  for (size_t i = 0; i < n; i++) tu_column_free(&cols[i]);
}

static void views_of(const tu_column *cols, dps_array_view *v, size_t n) {
  for (size_t i = 0; i < n; i++) v[i] = tu_column_view(&cols[i]);
}

#define STR_(x) #x
#define STR(x) STR_(x)
#define HERE __FILE__ ":" STR(__LINE__)

/* Opens a writer in a fresh directory, optionally writes `good` first, then
 * hands `bad` in and expects `code` with sub1 and sub2 in the message. Then
 * checks the writer refuses everything else (DPS_EMISUSE), and that nothing
 * is published nor left in the directory. */
static void expect_write_fails(const dps_schema *s, const dps_array_view *good,
                               size_t good_rows, const dps_array_view *bad,
                               size_t n_bad, size_t bad_rows, dps_status code,
                               const char *sub1, const char *sub2,
                               const char *where) {
  char dir[512], path[600];
  tu_tmp_dir(dir, sizeof dir, "wfail");
  snprintf(path, sizeof path, "%s/snap.dps", dir);
  dps_snapshot_meta m = tu_meta();
  dps_write_options o = tu_opts();
  dps_writer *w = NULL;
  dps_error e;
  tu_err_reset(&e);
  TU_OK(dps_writer_open(&w, path, s, &m, &o, &e), &e);
  if (good) TU_OK(dps_writer_write(w, good, dps_schema_column_count(s), good_rows, &e), &e);
  tu_err_reset(&e);
  dps_status st = dps_writer_write(w, bad, n_bad, bad_rows, &e);
  if (st != code)
    fail_msg("%s: dps_writer_write returned %d (%s), expected %d (%s): %s",
             where, (int)st, dps_strerror(st), (int)code, dps_strerror(code),
             e.message);
  assert_int_equal(e.code, code);
  if (sub1 && strstr(e.message, sub1) == NULL)
    fail_msg("%s: message \"%s\" lacks \"%s\"", where, e.message, sub1);
  if (sub2 && strstr(e.message, sub2) == NULL)
    fail_msg("%s: message \"%s\" lacks \"%s\"", where, e.message, sub2);

  /* The writer refuses further calls; nothing is published. */
  if (good) {
    tu_err_reset(&e);
    TU_EXPECT(dps_writer_write(w, good, dps_schema_column_count(s), good_rows,
                               &e),
              DPS_EMISUSE, &e);
  }
  tu_err_reset(&e);
  st = dps_writer_finish(w, &e);
  if (st != DPS_EMISUSE)
    fail_msg("%s: after a failed write, dps_writer_finish returned %d (%s), "
             "expected DPS_EMISUSE: %s", where, (int)st, dps_strerror(st),
             e.message);
  assert_false(tu_exists(path));
  dps_writer_free(w);
  assert_false(tu_exists(path));
  if (tu_dir_count(dir) != 0)
    fail_msg("%s: files left in %s after a failed write", where, dir);
  tu_rm_dir(dir);
}

/* ---- input values -------------------------------------------------------- */

/* [FMT-15] STRING values must be valid UTF-8 (RFC 3629): the writer refuses
 * the batch naming the column and the row. */
static void test_errors__invalid_utf8(void **state) {
  (void)state;
  static const struct {
    const char *bytes;
    size_t n;
    const char *what;
  } bad[] = {
      {"\xC0\xAF", 2, "overlong 2-byte"},
      {"\xE0\x80\xAF", 3, "overlong 3-byte"},
      {"\xF0\x80\x80\xAF", 4, "overlong 4-byte"},
      {"\xC1\xBF", 2, "overlong C1"},
      {"\xED\xA0\x80", 3, "surrogate D800"},
      {"\xED\xBF\xBF", 3, "surrogate DFFF"},
      {"ab\xE2\x82", 4, "truncated 3-byte"},
      {"\xF0\x9F\x98", 3, "truncated 4-byte"},
      {"\xC3", 1, "lone lead byte"},
      {"x\x80y", 3, "lone continuation"},
      {"\xF4\x90\x80\x80", 4, "above U+10FFFF"},
      {"\xF5\x80\x80\x80", 4, "F5 lead"},
      {"\xFF", 1, "FF byte"},
      {"\xE2\x28\xA1", 3, "bad continuation"},
  };
  dps_schema *s = tu_schema(defs, N_COLS);
  for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
    tu_column cols[N_COLS];
    dps_array_view v[N_COLS];
    build(cols, 2000, C_TEXT, 1234, bad[k].bytes, bad[k].n);
    views_of(cols, v, N_COLS);
    char where[128];
    snprintf(where, sizeof where, "%s (%s)", HERE, bad[k].what);
    expect_write_fails(s, NULL, 0, v, N_COLS, 2000, DPS_EINVAL, "comment_text",
                       "1234", where);
    free_cols(cols, N_COLS);
  }
  /* A truncated sequence in the very last value (end of the data buffer). */
  tu_column cols[N_COLS];
  dps_array_view v[N_COLS];
  build(cols, 1500, C_TEXT, 1499, "\xE2\x82", 2);
  views_of(cols, v, N_COLS);
  expect_write_fails(s, NULL, 0, v, N_COLS, 1500, DPS_EINVAL, "comment_text",
                     "1499", HERE);
  /* After a good batch: the bad one is refused all the same. */
  tu_column good[N_COLS];
  dps_array_view g[N_COLS];
  build(good, 1000, -1, 0, NULL, 0);
  views_of(good, g, N_COLS);
  expect_write_fails(s, g, 1000, v, N_COLS, 1500, DPS_EINVAL, "comment_text",
                     NULL, HERE);
  free_cols(good, N_COLS);
  free_cols(cols, N_COLS);
  dps_schema_free(s);
}

/* A null in a non-nullable column. */
static void test_errors__null_in_non_nullable(void **state) {
  (void)state;
  dps_schema *s = tu_schema(defs, N_COLS);
  tu_column cols[N_COLS];
  dps_array_view v[N_COLS];
  build(cols, 300, C_KEY, 77, NULL, 0);
  views_of(cols, v, N_COLS);
  expect_write_fails(s, NULL, 0, v, N_COLS, 300, DPS_EINVAL, "order_key", "77",
                     HERE);
  free_cols(cols, N_COLS);
  dps_schema_free(s);
}

/* A bool other than 0 or 1. */
static void test_errors__bool_not_0_or_1(void **state) {
  (void)state;
  dps_schema *s = tu_schema(defs, N_COLS);
  const uint8_t vals[3] = {2, 0xFF, 0x10};
  for (int k = 0; k < 3; k++) {
    tu_column cols[N_COLS];
    dps_array_view v[N_COLS];
    build(cols, 1100, C_FLAG, 513, &vals[k], 1);
    views_of(cols, v, N_COLS);
    expect_write_fails(s, NULL, 0, v, N_COLS, 1100, DPS_EINVAL, "flag", "513",
                       HERE);
    free_cols(cols, N_COLS);
  }
  dps_schema_free(s);
}

/* [FMT §4.3] decimal(p, s): abs(value) < 10^p. */
static void test_errors__decimal_out_of_precision(void **state) {
  (void)state;
  dps_schema *s = tu_schema(defs, N_COLS);
  const int64_t bad[4] = {100000, -100000, INT64_MAX, INT64_MIN};
  for (int k = 0; k < 4; k++) {
    tu_column cols[N_COLS];
    dps_array_view v[N_COLS];
    build(cols, 100, C_PRICE, 42, &bad[k], 8);
    views_of(cols, v, N_COLS);
    expect_write_fails(s, NULL, 0, v, N_COLS, 100, DPS_EINVAL, "price", "42",
                       HERE);
    free_cols(cols, N_COLS);
  }
  /* The bounds themselves are fine. */
  const int64_t edge[2] = {99999, -99999};
  for (int k = 0; k < 2; k++) {
    char path[512];
    tu_tmp_path(path, sizeof path, "dec-edge.dps");
    tu_column cols[N_COLS];
    build(cols, 100, C_PRICE, 42, &edge[k], 8);
    dps_snapshot_meta m = tu_meta();
    dps_write_options o = tu_opts();
    dps_error e;
    tu_err_reset(&e);
    TU_OK(tu_write(path, s, &m, &o, cols, N_COLS, &e), &e);
    free_cols(cols, N_COLS);
  }
  dps_schema_free(s);

  /* decimal(18, 0): |v| <= 10^18 - 1, so INT64_MAX and INT64_MIN are out. */
  static const tu_coldef d18[1] = {{"big_dec", DPS_TYPE_DECIMAL, 0, 18, 0}};
  s = tu_schema(d18, 1);
  const int64_t vals[3] = {INT64_MAX, INT64_MIN, INT64_C(1000000000000000000)};
  for (int k = 0; k < 3; k++) {
    tu_column c[1];
    tu_column_init(&c[0], DPS_TYPE_DECIMAL);
    tu_column_append_i64(&c[0], INT64_C(999999999999999999));
    tu_column_append_i64(&c[0], vals[k]);
    dps_array_view v[1] = {tu_column_view(&c[0])};
    expect_write_fails(s, NULL, 0, v, 1, 2, DPS_EINVAL, "big_dec", NULL, HERE);
    tu_column_free(&c[0]);
  }
  dps_schema_free(s);
}

/* Offsets must not decrease; lengths and counts must match the schema. */
static void test_errors__bad_arrays(void **state) {
  (void)state;
  dps_schema *s = tu_schema(defs, N_COLS);
  tu_column cols[N_COLS];
  dps_array_view v[N_COLS];
  build(cols, 500, -1, 0, NULL, 0);

  /* decreasing offsets at row 10 */
  int64_t *offs = malloc(501 * sizeof *offs);
  assert_non_null(offs);
  memcpy(offs, cols[C_TEXT].offsets, 501 * sizeof *offs);
  offs[11] = offs[10] - 1;
  views_of(cols, v, N_COLS);
  v[C_TEXT].offsets = offs;
  expect_write_fails(s, NULL, 0, v, N_COLS, 500, DPS_EINVAL, "comment_text",
                     NULL, HERE);
  /* negative first offset */
  memcpy(offs, cols[C_TEXT].offsets, 501 * sizeof *offs);
  for (int i = 0; i <= 500; i++) offs[i] -= 5;
  expect_write_fails(s, NULL, 0, v, N_COLS, 500, DPS_EINVAL, "comment_text",
                     NULL, HERE);
  free(offs);

  /* an array shorter than n_rows */
  views_of(cols, v, N_COLS);
  v[C_FLAG].length = 499;
  expect_write_fails(s, NULL, 0, v, N_COLS, 500, DPS_EINVAL, "flag", NULL,
                     HERE);
  /* missing buffers */
  views_of(cols, v, N_COLS);
  v[C_PRICE].values = NULL;
  expect_write_fails(s, NULL, 0, v, N_COLS, 500, DPS_EINVAL, "price", NULL,
                     HERE);
  views_of(cols, v, N_COLS);
  v[C_TEXT].offsets = NULL;
  expect_write_fails(s, NULL, 0, v, N_COLS, 500, DPS_EINVAL, "comment_text",
                     NULL, HERE);
  free_cols(cols, N_COLS);
  dps_schema_free(s);
}

/* The number of arrays must be the schema's column count; like every failed
 * write, a refused one leaves the writer refusing further calls. */
static void test_errors__column_count_mismatch(void **state) {
  (void)state;
  dps_schema *s = tu_schema(defs, N_COLS);
  tu_column cols[N_COLS];
  dps_array_view v[N_COLS], more[N_COLS + 1];
  build(cols, 500, -1, 0, NULL, 0);
  views_of(cols, v, N_COLS);
  memcpy(more, v, sizeof v);
  more[N_COLS] = v[0];
  expect_write_fails(s, NULL, 0, v, N_COLS - 1, 500, DPS_EINVAL, "4", "3",
                     HERE);
  expect_write_fails(s, NULL, 0, more, N_COLS + 1, 500, DPS_EINVAL, "4", "5",
                     HERE);
  expect_write_fails(s, NULL, 0, NULL, N_COLS, 500, DPS_EINVAL, NULL, NULL,
                     HERE);
  free_cols(cols, N_COLS);
  dps_schema_free(s);
}

/* ---- writer misuse --------------------------------------------------------- */

static void test_errors__misuse(void **state) {
  (void)state;
  char path[512];
  tu_tmp_path(path, sizeof path, "misuse.dps");
  dps_schema *s = tu_schema(defs, N_COLS);
  dps_snapshot_meta m = tu_meta();
  dps_write_options o = tu_opts();
  tu_column cols[N_COLS], back[N_COLS];
  dps_array_view v[N_COLS];
  build(cols, 100, -1, 0, NULL, 0);
  views_of(cols, v, N_COLS);
  dps_writer *w = NULL;
  dps_error e;
  tu_err_reset(&e);
  TU_OK(dps_writer_open(&w, path, s, &m, &o, &e), &e);
  TU_OK(dps_writer_write(w, v, N_COLS, 100, &e), &e);
  TU_OK(dps_writer_finish(w, &e), &e);
  tu_err_reset(&e);
  TU_EXPECT(dps_writer_write(w, v, N_COLS, 100, &e), DPS_EMISUSE, &e);
  tu_err_reset(&e);
  TU_EXPECT(dps_writer_finish(w, &e), DPS_EMISUSE, &e);
  dps_writer_free(w);
  /* The published file is whole: 100 rows, not 200. */
  TU_OK(tu_read_file(path, back, N_COLS, &e), &e);
  for (int c = 0; c < N_COLS; c++) {
    dps_array_view a = tu_column_view(&cols[c]), b = tu_column_view(&back[c]);
    TU_ASSERT_ARRAY_EQ(defs[c].type, &a, &b, defs[c].name);
  }
  free_cols(back, N_COLS);

  /* NULL handles and arguments. */
  tu_err_reset(&e);
  dps_status st = dps_writer_write(NULL, v, N_COLS, 100, &e);
  assert_true(st == DPS_EINVAL || st == DPS_EMISUSE);
  tu_err_reset(&e);
  st = dps_writer_finish(NULL, &e);
  assert_true(st == DPS_EINVAL || st == DPS_EMISUSE);
  dps_writer_free(NULL);
  tu_err_reset(&e);
  TU_EXPECT(dps_writer_open(NULL, path, s, &m, &o, &e), DPS_EINVAL, &e);
  tu_err_reset(&e);
  w = NULL;
  TU_EXPECT(dps_writer_open(&w, NULL, s, &m, &o, &e), DPS_EINVAL, &e);
  assert_null(w);
  tu_err_reset(&e);
  TU_EXPECT(dps_writer_open(&w, path, NULL, &m, &o, &e), DPS_EINVAL, &e);
  assert_null(w);
  /* A schema without columns ([FMT §6.2]: at least one). */
  dps_schema *empty = NULL;
  TU_OK(dps_schema_new(&empty, &e), &e);
  tu_err_reset(&e);
  TU_EXPECT(dps_writer_open(&w, path, empty, &m, &o, &e), DPS_EINVAL, &e);
  assert_null(w);
  dps_schema_free(empty);
  /* err may be NULL. */
  assert_int_equal(dps_writer_open(&w, NULL, s, &m, &o, NULL), DPS_EINVAL);
  free_cols(cols, N_COLS);
  dps_schema_free(s);
}

/* Options the writer cannot honour ([FMT §8] limits). */
static void test_errors__bad_options(void **state) {
  (void)state;
  char dir[512], path[600];
  tu_tmp_dir(dir, sizeof dir, "opts");
  snprintf(path, sizeof path, "%s/x.dps", dir);
  dps_schema *s = tu_schema(defs, N_COLS);
  dps_snapshot_meta m = tu_meta();
  static const struct {
    uint32_t rgr, pv;
    int compression;
    const char *sub;
  } bad[] = {
      {1000, 0, 0, "1000"},
      {512, 0, 0, "512"},
      {1025, 0, 0, "1025"},
      {(1u << 30) + 1024, 0, 0, "1073742848"},
      {0, 1025, 0, "1025"},
      {0, 0, 7, "7"},
      {0, 0, -1, NULL},
  };
  for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
    dps_write_options o = tu_opts();
    o.row_group_rows = bad[k].rgr;
    o.page_vectors = bad[k].pv;
    o.compression = (dps_compression)bad[k].compression;
    dps_writer *w = NULL;
    dps_error e;
    tu_err_reset(&e);
    TU_EXPECT(dps_writer_open(&w, path, s, &m, &o, &e), DPS_EINVAL, &e);
    if (bad[k].sub) TU_HAS(&e, bad[k].sub);
    assert_null(w);
  }
  /* The limits themselves are fine. */
  dps_write_options o = tu_opts();
  dps_writer *w = NULL;
  dps_error e;
  tu_err_reset(&e);
  o.row_group_rows = 1024;
  o.page_vectors = 1024;
  TU_OK(dps_writer_open(&w, path, s, &m, &o, &e), &e);
  dps_writer_free(w);
  o.row_group_rows = 1u << 30;
  o.page_vectors = 1;
  TU_OK(dps_writer_open(&w, path, s, &m, &o, &e), &e);
  dps_writer_free(w);
  assert_int_equal(tu_dir_count(dir), 0);
  dps_schema_free(s);
}

/* Per-column overrides naming an unknown column, or an unknown codec:
 * DPS_EINVAL (dps_writer_open's documentation) naming the column. */
static void test_errors__bad_overrides(void **state) {
  (void)state;
  char dir[512], path[600];
  tu_tmp_dir(dir, sizeof dir, "overrides");
  snprintf(path, sizeof path, "%s/x.dps", dir);
  dps_schema *s = tu_schema(defs, N_COLS);
  dps_snapshot_meta m = tu_meta();
  dps_column_compression ov[2] = {{"price", DPS_COMPRESSION_LZ4, 0},
                                  {"flag", (dps_compression)9, 0}};
  dps_write_options o = tu_opts();
  o.column_compression = ov;
  o.n_column_compression = 2;
  dps_writer *w = NULL;
  dps_error e;
  tu_err_reset(&e);
  TU_EXPECT(dps_writer_open(&w, path, s, &m, &o, &e), DPS_EINVAL, &e);
  TU_HAS(&e, "flag");
  ov[1].column = NULL;
  ov[1].compression = DPS_COMPRESSION_ZSTD;
  tu_err_reset(&e);
  TU_EXPECT(dps_writer_open(&w, path, s, &m, &o, &e), DPS_EINVAL, &e);
  o.column_compression = NULL;
  tu_err_reset(&e);
  TU_EXPECT(dps_writer_open(&w, path, s, &m, &o, &e), DPS_EINVAL, &e);
  o.column_compression = ov;
  ov[1].column = "no_such_column";
  tu_err_reset(&e);
  TU_EXPECT(dps_writer_open(&w, path, s, &m, &o, &e), DPS_EINVAL, &e);
  TU_HAS(&e, "no_such_column");
  assert_null(w);
  assert_int_equal(tu_dir_count(dir), 0);
  dps_schema_free(s);
}

/* A directory that does not exist: DPS_EIO naming the path. */
static void test_errors__open_in_missing_dir(void **state) {
  (void)state;
  char dir[512], path[700];
  tu_tmp_dir(dir, sizeof dir, "missing");
  snprintf(path, sizeof path, "%s/no/such/dir/x.dps", dir);
  dps_schema *s = tu_schema(defs, N_COLS);
  dps_snapshot_meta m = tu_meta();
  dps_writer *w = NULL;
  dps_error e;
  tu_err_reset(&e);
  TU_EXPECT(dps_writer_open(&w, path, s, &m, NULL, &e), DPS_EIO, &e);
  TU_HAS(&e, path);
  TU_HAS(&e, strerror(ENOENT));
  assert_null(w);
  dps_schema_free(s);
}

/* ---- nothing published, nothing damaged -------------------------------------- */

/* A failed write leaves the file already at the path as it was. */
static void test_errors__failed_write_keeps_old_file(void **state) {
  (void)state;
  char dir[512], path[600];
  tu_tmp_dir(dir, sizeof dir, "keep");
  snprintf(path, sizeof path, "%s/snap.dps", dir);
  dps_schema *s = tu_schema(defs, N_COLS);
  dps_snapshot_meta m = tu_meta();
  dps_write_options o = tu_opts();
  tu_column old[N_COLS], bad[N_COLS], back[N_COLS];
  build(old, 700, -1, 0, NULL, 0);
  dps_error e;
  tu_err_reset(&e);
  TU_OK(tu_write(path, s, &m, &o, old, N_COLS, &e), &e);
  size_t n0;
  uint8_t *before = tu_slurp(path, &n0);

  build(bad, 900, C_TEXT, 800, "\xC0\x80", 2);
  dps_array_view v[N_COLS], g[N_COLS];
  views_of(bad, v, N_COLS);
  views_of(old, g, N_COLS);
  dps_writer *w = NULL;
  TU_OK(dps_writer_open(&w, path, s, &m, &o, &e), &e);
  TU_OK(dps_writer_write(w, g, N_COLS, 700, &e), &e);
  tu_err_reset(&e);
  TU_EXPECT(dps_writer_write(w, v, N_COLS, 900, &e), DPS_EINVAL, &e);
  TU_HAS(&e, "comment_text");
  /* The row: within the batch (800) or within the snapshot (1500). */
  TU_HAS_ANY(&e, "row 800", "row 1500");
  tu_err_reset(&e);
  TU_EXPECT(dps_writer_finish(w, &e), DPS_EMISUSE, &e);
  dps_writer_free(w);

  size_t n1;
  uint8_t *after = tu_slurp(path, &n1);
  assert_int_equal(n0, n1);
  assert_memory_equal(before, after, n0);
  assert_int_equal(tu_dir_count(dir), 1);
  TU_OK(tu_read_file(path, back, N_COLS, &e), &e);
  for (int c = 0; c < N_COLS; c++) {
    dps_array_view a = tu_column_view(&old[c]), b = tu_column_view(&back[c]);
    TU_ASSERT_ARRAY_EQ(defs[c].type, &a, &b, defs[c].name);
  }
  free(before);
  free(after);
  free_cols(old, N_COLS);
  free_cols(bad, N_COLS);
  free_cols(back, N_COLS);
  dps_schema_free(s);
}

/* An abandoned writer (freed without finish) leaves no file and no
 * temporary file; an existing file at the path stays as it was. */
static void test_errors__abandoned_writer(void **state) {
  (void)state;
  char dir[512], path[600];
  tu_tmp_dir(dir, sizeof dir, "abandon");
  snprintf(path, sizeof path, "%s/snap.dps", dir);
  dps_schema *s = tu_schema(defs, N_COLS);
  dps_snapshot_meta m = tu_meta();
  dps_write_options o = tu_opts();
  o.row_group_rows = 1024; /* so that pages reach the temporary file */
  tu_column cols[N_COLS];
  build(cols, 5000, -1, 0, NULL, 0);
  dps_array_view v[N_COLS];
  views_of(cols, v, N_COLS);
  dps_error e;
  tu_err_reset(&e);

  /* Without a file at the path. */
  dps_writer *w = NULL;
  TU_OK(dps_writer_open(&w, path, s, &m, &o, &e), &e);
  TU_OK(dps_writer_write(w, v, N_COLS, 5000, &e), &e);
  dps_writer_free(w);
  assert_int_equal(tu_dir_count(dir), 0);
  /* Opened and freed at once. */
  TU_OK(dps_writer_open(&w, path, s, &m, &o, &e), &e);
  dps_writer_free(w);
  assert_int_equal(tu_dir_count(dir), 0);

  /* With a file at the path. */
  tu_spit(path, "previous,file\n1,2\n", 18);
  TU_OK(dps_writer_open(&w, path, s, &m, &o, &e), &e);
  TU_OK(dps_writer_write(w, v, N_COLS, 5000, &e), &e);
  dps_writer_free(w);
  assert_int_equal(tu_dir_count(dir), 1);
  size_t n;
  uint8_t *p = tu_slurp(path, &n);
  assert_int_equal(n, 18);
  assert_memory_equal(p, "previous,file\n1,2\n", 18);
  free(p);
  free_cols(cols, N_COLS);
  dps_schema_free(s);
}

/* ---- I/O failure: RLIMIT_FSIZE in a child --------------------------------------- */

typedef struct child_report {
  int status;       /* first failing dps_status, or DPS_OK */
  int stage;        /* 0 open, 1 write, 2 finish, 3 none failed */
  char message[DPS_ERROR_MESSAGE_SIZE];
} child_report;

static const tu_coldef io_defs[2] = {{"id", DPS_TYPE_INT64, 0, 0, 0},
                                     {"payload", DPS_TYPE_BINARY, 0, 0, 0}};

static void io_data(tu_column cols[2], size_t rows, size_t payload,
                    uint64_t seed) {
  tu_rng rng;
  tu_rng_seed(&rng, seed);
  tu_column_init(&cols[0], DPS_TYPE_INT64);
  tu_column_init(&cols[1], DPS_TYPE_BINARY);
  uint8_t *b = malloc(payload);
  assert_non_null(b);
  for (size_t i = 0; i < rows; i++) {
    tu_column_append_i64(&cols[0], (int64_t)tu_rng_next(&rng));
    for (size_t k = 0; k < payload; k++) b[k] = (uint8_t)tu_rng_next(&rng);
    tu_column_append_bytes(&cols[1], b, payload);
  }
  free(b);
}

/* Runs the write of cols to path in a child whose files may not grow past
 * `limit` bytes, and returns what happened. */
static child_report write_with_fsize_limit(const char *path, rlim_t limit,
                                           const tu_column *cols, int sync) {
  int fds[2];
  assert_int_equal(pipe(fds), 0);
  fflush(NULL);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    child_report rep;
    memset(&rep, 0, sizeof rep);
    close(fds[0]);
    signal(SIGXFSZ, SIG_IGN);
    struct rlimit rl;
    rl.rlim_cur = rl.rlim_max = limit;
    if (setrlimit(RLIMIT_FSIZE, &rl) != 0) _exit(3);
    dps_schema *s = NULL;
    dps_error e;
    memset(&e, 0, sizeof e);
    dps_schema_new(&s, &e);
    for (int c = 0; c < 2; c++) {
      dps_column_view v;
      memset(&v, 0, sizeof v);
      v.name = io_defs[c].name;
      v.type = io_defs[c].type;
      dps_schema_add_column(s, &v, &e);
    }
    dps_snapshot_meta m = tu_meta();
    dps_write_options o = tu_opts();
    o.no_sync = !sync;
    o.compression = DPS_COMPRESSION_NONE;
    o.row_group_rows = 1024;
    dps_writer *w = NULL;
    dps_array_view v[2] = {tu_column_view(&cols[0]), tu_column_view(&cols[1])};
    rep.stage = 0;
    rep.status = dps_writer_open(&w, path, s, &m, &o, &e);
    if (rep.status == DPS_OK) {
      rep.stage = 1;
      rep.status = dps_writer_write(w, v, 2, cols[0].length, &e);
    }
    if (rep.status == DPS_OK) {
      rep.stage = 2;
      rep.status = dps_writer_finish(w, &e);
    }
    if (rep.status == DPS_OK) rep.stage = 3;
    memcpy(rep.message, e.message, sizeof rep.message);
    dps_writer_free(w);
    dps_schema_free(s);
    if (write(fds[1], &rep, sizeof rep) != (ssize_t)sizeof rep) _exit(4);
    close(fds[1]);
    _exit(0);
  }
  close(fds[1]);
  child_report rep;
  memset(&rep, 0, sizeof rep);
  ssize_t got = read(fds[0], &rep, sizeof rep);
  close(fds[0]);
  int wst = 0;
  assert_int_equal(waitpid(pid, &wst, 0), pid);
  if (!WIFEXITED(wst) || WEXITSTATUS(wst) != 0)
    fail_msg("child writing with RLIMIT_FSIZE=%llu died (status 0x%x)",
             (unsigned long long)limit, wst);
  assert_int_equal(got, sizeof rep);
  return rep;
}

/* The file system refuses to grow the file (EFBIG) at many points of the
 * write: DPS_EIO naming the file and the OS reason; the previous file at the
 * path is intact and readable; no temporary file is left behind. */
static void test_errors__io_failure_keeps_old_file(void **state) {
  (void)state;
  char dir[512], path[600], ref[600];
  tu_tmp_dir(dir, sizeof dir, "fsize");
  snprintf(path, sizeof path, "%s/target.dps", dir);
  snprintf(ref, sizeof ref, "%s.ref", dir);

  /* The previous version: small. */
  dps_schema *s = tu_schema(io_defs, 2);
  dps_snapshot_meta m = tu_meta();
  dps_write_options o = tu_opts();
  tu_column old[2], big[2], back[2];
  io_data(old, 50, 16, 1);
  dps_error e;
  tu_err_reset(&e);
  TU_OK(tu_write(path, s, &m, &o, old, 2, &e), &e);
  size_t n_old;
  uint8_t *old_bytes = tu_slurp(path, &n_old);

  /* The new version: about 1.1 MB; its size when written without a limit
   * (same options as in the child). */
  io_data(big, 2100, 512, 2);
  o.compression = DPS_COMPRESSION_NONE;
  o.row_group_rows = 1024;
  {
    char refpath[700];
    tu_tmp_path(refpath, sizeof refpath, "fsize-ref.dps");
    TU_OK(tu_write(refpath, s, &m, &o, big, 2, &e), &e);
    long long full = tu_file_size(refpath);
    assert_true(full > 1000000);
    const rlim_t limits[] = {0,     1,      15,    16,
                             100,   4096,   70000, 600000,
                             (rlim_t)full - 41, (rlim_t)full - 40,
                             (rlim_t)full - 1};
    for (size_t k = 0; k < sizeof limits / sizeof limits[0]; k++) {
      child_report rep =
          write_with_fsize_limit(path, limits[k], big, k == 3 || k == 10);
      if (rep.status != DPS_EIO)
        fail_msg("limit %llu: stage %d returned %d (%s), expected DPS_EIO: %s",
                 (unsigned long long)limits[k], rep.stage, rep.status,
                 dps_strerror(rep.status), rep.message);
      if (strstr(rep.message, path) == NULL)
        fail_msg("limit %llu: message \"%s\" does not name %s",
                 (unsigned long long)limits[k], rep.message, path);
      if (strstr(rep.message, strerror(EFBIG)) == NULL)
        fail_msg("limit %llu: message \"%s\" does not give the OS reason "
                 "\"%s\"", (unsigned long long)limits[k], rep.message,
                 strerror(EFBIG));
      /* The previous file is intact and readable; nothing else is left. */
      size_t n;
      uint8_t *now = tu_slurp(path, &n);
      assert_int_equal(n, n_old);
      assert_memory_equal(now, old_bytes, n);
      free(now);
      if (tu_dir_count(dir) != 1)
        fail_msg("limit %llu: %zu entries in %s, expected only the old file",
                 (unsigned long long)limits[k], tu_dir_count(dir), dir);
      TU_OK(tu_read_file(path, back, 2, &e), &e);
      for (int c = 0; c < 2; c++) {
        dps_array_view a = tu_column_view(&old[c]), b = tu_column_view(&back[c]);
        TU_ASSERT_ARRAY_EQ(io_defs[c].type, &a, &b, "old file after EFBIG");
      }
      free_cols(back, 2);
    }
    /* With room for the whole file, the write succeeds and replaces it. */
    child_report rep = write_with_fsize_limit(path, (rlim_t)full, big, 0);
    if (rep.status != DPS_OK)
      fail_msg("limit = file size: %d: %s", rep.status, rep.message);
    assert_true(tu_file_size(path) == full);
    TU_OK(tu_read_file(path, back, 2, &e), &e);
    for (int c = 0; c < 2; c++) {
      dps_array_view a = tu_column_view(&big[c]), b = tu_column_view(&back[c]);
      TU_ASSERT_ARRAY_EQ(io_defs[c].type, &a, &b, "new file");
    }
    free_cols(back, 2);
  }
  free(old_bytes);
  free_cols(old, 2);
  free_cols(big, 2);
  dps_schema_free(s);
}

/* ---- reader -------------------------------------------------------------------- */

static void expect_open_fails(const char *path, dps_status code,
                              const char *sub, const char *where) {
  dps_reader *r = NULL;
  dps_error e;
  tu_err_reset(&e);
  dps_status st = dps_reader_open(&r, path, NULL, &e);
  if (st != code)
    fail_msg("%s: dps_reader_open(%s) returned %d (%s), expected %d (%s): %s",
             where, path, (int)st, dps_strerror(st), (int)code,
             dps_strerror(code), e.message);
  assert_int_equal(e.code, code);
  assert_null(r);
  if (strstr(e.message, path) == NULL)
    fail_msg("%s: message \"%s\" does not name the file", where, e.message);
  if (sub && !tu_contains_ci(e.message, sub))
    fail_msg("%s: message \"%s\" lacks \"%s\"", where, e.message, sub);
}

static void test_errors__reader_missing_file(void **state) {
  (void)state;
  char path[512];
  tu_tmp_path(path, sizeof path, "does-not-exist.dps");
  expect_open_fails(path, DPS_EIO, strerror(ENOENT), HERE);
  /* err may be NULL */
  dps_reader *r = NULL;
  assert_int_equal(dps_reader_open(&r, path, NULL, NULL), DPS_EIO);
  assert_null(r);
  /* A directory is not a snapshot. */
  char dir[512];
  tu_tmp_dir(dir, sizeof dir, "adir");
  dps_error e;
  tu_err_reset(&e);
  dps_status st = dps_reader_open(&r, dir, NULL, &e);
  assert_true(st == DPS_EIO || st == DPS_ECORRUPT);
  TU_HAS(&e, dir);
  assert_null(r);
}

/* [FMT-1] not a snapshot; [FMT-3] shorter than header + trailer. */
static void test_errors__reader_not_a_snapshot(void **state) {
  (void)state;
  char path[512];
  tu_tmp_path(path, sizeof path, "orders.csv");
  const char *csv =
      "order_id,customer,amount,placed_at\n"
      "1,alice,10.50,2024-01-01T10:00:00Z\n"
      "2,bob,7.25,2024-01-02T11:30:00Z\n";
  tu_spit(path, csv, strlen(csv));
  expect_open_fails(path, DPS_ECORRUPT, "not a dpsnap snapshot", HERE);

  tu_tmp_path(path, sizeof path, "empty.dps");
  tu_spit(path, "", 0);
  expect_open_fails(path, DPS_ECORRUPT, NULL, HERE);

  /* 55 bytes: the start of a real snapshot, and zeros. */
  char real[512];
  tu_tmp_path(real, sizeof real, "real.dps");
  dps_schema *s = tu_schema(defs, N_COLS);
  dps_snapshot_meta m = tu_meta();
  dps_write_options o = tu_opts();
  tu_column cols[N_COLS];
  build(cols, 10, -1, 0, NULL, 0);
  dps_error e;
  tu_err_reset(&e);
  TU_OK(tu_write(real, s, &m, &o, cols, N_COLS, &e), &e);
  size_t n;
  uint8_t *img = tu_slurp(real, &n);
  assert_true(n > 56);
  tu_tmp_path(path, sizeof path, "55.dps");
  tu_spit(path, img, 55);
  expect_open_fails(path, DPS_ECORRUPT, "truncated", HERE);
  uint8_t zeros[56] = {0};
  tu_spit(path, zeros, 55);
  expect_open_fails(path, DPS_ECORRUPT, NULL, HERE);
  /* 56 zero bytes: long enough, but no magic. */
  tu_spit(path, zeros, 56);
  expect_open_fails(path, DPS_ECORRUPT, "not a dpsnap snapshot", HERE);
  /* The header of a snapshot followed by text: no trailer magic. */
  uint8_t mixed[200];
  memcpy(mixed, img, 16);
  memset(mixed + 16, 'x', sizeof mixed - 16);
  tu_spit(path, mixed, sizeof mixed);
  expect_open_fails(path, DPS_ECORRUPT, NULL, HERE);
  free(img);
  free_cols(cols, N_COLS);
  dps_schema_free(s);
}

/* Reader API misuse. */
static void test_errors__reader_arguments(void **state) {
  (void)state;
  char path[512];
  tu_tmp_path(path, sizeof path, "args.dps");
  dps_schema *s = tu_schema(defs, N_COLS);
  dps_snapshot_meta m = tu_meta();
  dps_write_options o = tu_opts();
  tu_column cols[N_COLS];
  build(cols, 10, -1, 0, NULL, 0);
  dps_error e;
  tu_err_reset(&e);
  TU_OK(tu_write(path, s, &m, &o, cols, N_COLS, &e), &e);

  dps_reader *r = NULL;
  TU_EXPECT(dps_reader_open(NULL, path, NULL, &e), DPS_EINVAL, &e);
  tu_err_reset(&e);
  TU_EXPECT(dps_reader_open(&r, NULL, NULL, &e), DPS_EINVAL, &e);
  dps_read_options ro = DPS_READ_OPTIONS_INIT;
  ro.flags = 2;  /* unknown flag */
  tu_err_reset(&e);
  TU_EXPECT(dps_reader_open(&r, path, &ro, &e), DPS_EINVAL, &e);
  assert_null(r);
  ro.flags = DPS_READ_PREAD;
  TU_OK(dps_reader_open(&r, path, &ro, &e), &e);

  dps_cursor *c = NULL;
  const size_t bad_proj[2] = {1, N_COLS};
  tu_err_reset(&e);
  TU_EXPECT(dps_cursor_open(&c, r, bad_proj, 2, &e), DPS_EINVAL, &e);
  assert_null(c);
  tu_err_reset(&e);
  TU_EXPECT(dps_cursor_open(&c, r, NULL, 3, &e), DPS_EINVAL, &e);
  tu_err_reset(&e);
  TU_EXPECT(dps_cursor_open(NULL, r, NULL, 0, &e), DPS_EINVAL, &e);
  dps_column_stats cs;
  assert_int_equal(dps_reader_column_stats(r, N_COLS, &cs), DPS_EINVAL);
  assert_int_equal(dps_reader_column_stats(r, 0, NULL), DPS_EINVAL);
  assert_int_equal(dps_reader_column_stats(NULL, 0, &cs), DPS_EINVAL);
  dps_file_info fi;
  assert_int_equal(dps_reader_file_info(NULL, &fi), DPS_EINVAL);
  assert_int_equal(dps_reader_file_info(r, NULL), DPS_EINVAL);
  dps_reader_free(r);
  dps_reader_free(NULL);
  dps_cursor_free(NULL);
  free_cols(cols, N_COLS);
  dps_schema_free(s);
}

/* Status codes are pinned; every one has its own description. */
static void test_errors__strerror_and_version(void **state) {
  (void)state;
  static const struct {
    int code;
    int value;
  } pinned[] = {{DPS_OK, 0},         {DPS_EINVAL, -1},   {DPS_ENOMEM, -2},
                {DPS_EIO, -3},       {DPS_ECORRUPT, -4}, {DPS_ECHECKSUM, -5},
                {DPS_EVERSION, -6},  {DPS_ENOTFOUND, -7}, {DPS_ECONFLICT, -8},
                {DPS_EPOLICY, -9},   {DPS_EMISUSE, -10}};
  const size_t n = sizeof pinned / sizeof pinned[0];
  for (size_t i = 0; i < n; i++) {
    assert_int_equal(pinned[i].code, pinned[i].value);
    const char *s = dps_strerror(pinned[i].code);
    assert_non_null(s);
    assert_true(s[0] != '\0');
    assert_string_not_equal(s, "unknown error");
    for (size_t j = 0; j < i; j++)
      assert_string_not_equal(s, dps_strerror(pinned[j].code));
  }
  assert_string_equal(dps_strerror(-11), "unknown error");
  assert_string_equal(dps_strerror(1), "unknown error");
  assert_string_equal(dps_strerror(-1000000), "unknown error");

  assert_int_equal(dps_version_number(), DPS_VERSION_NUMBER);
  char v[32];
  snprintf(v, sizeof v, "%d.%d.%d", DPS_VERSION_MAJOR, DPS_VERSION_MINOR,
           DPS_VERSION_PATCH);
  assert_string_equal(dps_version_string(), v);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_errors__invalid_utf8),
      cmocka_unit_test(test_errors__null_in_non_nullable),
      cmocka_unit_test(test_errors__bool_not_0_or_1),
      cmocka_unit_test(test_errors__decimal_out_of_precision),
      cmocka_unit_test(test_errors__bad_arrays),
      cmocka_unit_test(test_errors__column_count_mismatch),
      cmocka_unit_test(test_errors__misuse),
      cmocka_unit_test(test_errors__bad_options),
      cmocka_unit_test(test_errors__bad_overrides),
      cmocka_unit_test(test_errors__open_in_missing_dir),
      cmocka_unit_test(test_errors__failed_write_keeps_old_file),
      cmocka_unit_test(test_errors__abandoned_writer),
      cmocka_unit_test(test_errors__io_failure_keeps_old_file),
      cmocka_unit_test(test_errors__reader_missing_file),
      cmocka_unit_test(test_errors__reader_not_a_snapshot),
      cmocka_unit_test(test_errors__reader_arguments),
      cmocka_unit_test(test_errors__strerror_and_version),
  };
  return TU_RUN(tests, NULL, NULL);
}
