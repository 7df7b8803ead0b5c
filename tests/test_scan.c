/*
 * test_scan.c - the scan engine (dps_scan_*, spec/SCAN.md) against a naive
 * oracle written in this file from the spec alone.
 *
 * 1. Rows, differential [SCAN-1..5, SCAN-10]: a file holding every type
 *    (nulls at 0% and ~10%, one column all null in some row groups; sorted
 *    columns that zone maps prune; low-cardinality columns the writer
 *    encodes as dictionaries; -0.0, NaN with several payloads, +-Inf,
 *    denormals; empty, multi-byte and long strings; pages of only NaNs,
 *    only zeros, only nulls, one value, 0xFF runs without a max bound) is
 *    scanned with random predicate trees (three-valued logic, literals of
 *    other kinds than the column's) and random projections. The rows must
 *    be the oracle's, in row order, bit for bit, with null slots zero
 *    [SCAN-10]; hand-written cases pin the rules random trees hit rarely.
 * 2. Aggregates, differential [SCAN-20..25]: count(*), count, sum, min,
 *    max, avg of columns and of arithmetic over integers, decimals and
 *    floats, without and with group_by of one or two columns.
 * 3. Every ISA the CPU runs (DPSNAP_FORCE_ISA) and 1..4 threads give the
 *    oracle's answers; aggregates bit for bit equal to one thread (float
 *    sums included, [SCAN-22]); unordered threads give the same multiset,
 *    one row group per batch in row order [SCAN-11].
 * 4. Pruning shows in dps_scan_stats (row groups, pages, dictionaries).
 * 5. limit [SCAN-12].
 * 6. Sums are exact in 128 bits; arithmetic overflow fails the scan
 *    [SCAN-21, SCAN-22]; a snapshot of no row [SCAN-20].
 * 7. Bad predicates and options, misuse [SCAN-5].
 * 8. dps_value_format.
 *
 * Every random case has its own fixed seed; a failure prints the seed, the
 * predicate as text and the projection or aggregates, so that it can be
 * reproduced alone (DPS_TEST_FILTER selects one test). Random cases fail
 * softly: every failing case is printed (up to MAX_REPORTS) and the test
 * fails at its end, so one bug does not hide the others. With
 * DPS_TEST_TRACE set, each case is printed before it runs (to trace an
 * ASan abort back to its seed).
 */
#include "testutil.h"

#include "format/kernels.h"

#include <float.h>
#include <inttypes.h>
#include <math.h>

/* Test hook defined in format/isa.c: forgets the cached ISA choice so the
 * next kernel call reads DPSNAP_FORCE_ISA again. */
void dps__isa_reset_for_tests(void);

__extension__ typedef __int128 i128;
__extension__ typedef unsigned __int128 u128;

#define RG_ROWS 2048u
#define N_ROWS (3u * RG_ROWS + 1234u) /* 4 row groups, the last one short */
#define SEED_DATA UINT64_C(20241125)
#define SEED_ROWS UINT64_C(1000)
#define SEED_AGGS UINT64_C(5000)
#define SEED_ISA UINT64_C(9000)
#define US_PER_DAY INT64_C(86400000000)

#define N_ROW_CASES 200
#define N_AGG_CASES 70

/* ---- the data -------------------------------------------------------------- */

enum {
  C_ID, C_B, C_I8, C_I16, C_I32, C_I64, C_U8, C_U16, C_U32, C_U64, C_F32,
  C_F64, C_DEC, C_DAY, C_TS, C_S, C_TXT, C_BIN, C_SPARSE, C_PX, C_QTY,
  C_DISC, C_FM, N_COLS
};

static const tu_coldef defs[N_COLS] = {
    {"id", DPS_TYPE_INT64, 0, 0, 0},     /* 2 * row: sorted and unique */
    {"b", DPS_TYPE_BOOL, 1, 0, 0},       /* ~10% null */
    {"i8", DPS_TYPE_INT8, 1, 0, 0},      /* full range, ~10% null */
    {"i16", DPS_TYPE_INT16, 0, 0, 0},    /* -300..300, no null */
    {"i32", DPS_TYPE_INT32, 1, 0, 0},    /* 7 values with extremes: dict */
    {"i64", DPS_TYPE_INT64, 1, 0, 0},    /* full range and extremes */
    {"u8", DPS_TYPE_UINT8, 0, 0, 0},     /* full range, no null */
    {"u16", DPS_TYPE_UINT16, 1, 0, 0},   /* 5 values: dict */
    {"u32", DPS_TYPE_UINT32, 1, 0, 0},   /* full range */
    {"u64", DPS_TYPE_UINT64, 1, 0, 0},   /* above INT64_MAX too */
    {"f32", DPS_TYPE_FLOAT32, 1, 0, 0},  /* -0.0, NaNs, +-Inf, denormals */
    {"f64", DPS_TYPE_FLOAT64, 1, 0, 0},  /* the same */
    {"dec", DPS_TYPE_DECIMAL, 1, 15, 2}, /* small, whole and wide values */
    {"day", DPS_TYPE_DATE, 1, 0, 0},     /* ascending (nulls aside) */
    {"ts", DPS_TYPE_TIMESTAMP, 1, 0, 0}, /* many exact midnights */
    {"s", DPS_TYPE_STRING, 1, 0, 0},     /* 9 values with "": dict */
    {"txt", DPS_TYPE_STRING, 0, 0, 0},   /* random UTF-8, 0..92 bytes */
    {"bin", DPS_TYPE_BINARY, 1, 0, 0},   /* short; some long 0xFF runs */
    {"sparse", DPS_TYPE_INT32, 1, 0, 0}, /* all null in row groups 1, 3 */
    {"px", DPS_TYPE_DECIMAL, 0, 9, 2},   /* prices 1.00 .. 99999.99 */
    {"qty", DPS_TYPE_INT16, 1, 0, 0},    /* 1..50, ~5% null */
    {"disc", DPS_TYPE_DECIMAL, 0, 3, 2}, /* 0.00 .. 0.10 */
    {"fm", DPS_TYPE_FLOAT64, 0, 0, 0},   /* cents: float sums depend on
                                            the order of additions */
};

static const char *const lowcard_s[] = {
    "", "a", "ab", "abc", "b", "\xC3\xA9t\xC3\xA9", "\xE6\x97\xA5\xE6\x9C\xAC",
    "\xF0\x9F\x98\x80x", "zz"};
#define N_LOWCARD_S (sizeof lowcard_s / sizeof lowcard_s[0])
static const int32_t lowcard_i32[] = {INT32_MIN, -7, 0, 3, 42, 1000, INT32_MAX};
static const uint16_t lowcard_u16[] = {0, 1, 7, 300, 65535};

/* Bit patterns: zeros, NaNs with payloads and signs, infinities, extremes,
 * denormals, inexact decimals. */
static const uint32_t special_f32[] = {
    0x00000000u, 0x80000000u, 0x7FC00000u, 0xFFC00001u, 0x7F800001u,
    0x7F800000u, 0xFF800000u, 0x7F7FFFFFu, 0xFF7FFFFFu, 0x00000001u,
    0x80000001u, 0x3DCCCCCDu, 0x3F800000u, 0xBF800000u};
static const uint64_t special_f64[] = {
    UINT64_C(0x0000000000000000), UINT64_C(0x8000000000000000),
    UINT64_C(0x7FF8000000000000), UINT64_C(0xFFF8000000000001),
    UINT64_C(0x7FF0000000000001), UINT64_C(0x7FF0000000000000),
    UINT64_C(0xFFF0000000000000), UINT64_C(0x7FEFFFFFFFFFFFFF),
    UINT64_C(0xFFEFFFFFFFFFFFFF), UINT64_C(0x0000000000000001),
    UINT64_C(0x8000000000000001), UINT64_C(0x3FB999999999999A),
    UINT64_C(0x3FF0000000000000), UINT64_C(0xBFF0000000000000)};

typedef struct fixture {
  tu_column cols[N_COLS];
  char path[512];
  dps_reader *reader;
} fixture;

static fixture fx;

static int64_t below_i(tu_rng *g, int64_t lo, int64_t hi) {
  return lo + (int64_t)tu_rng_below(g, (uint64_t)(hi - lo) + 1u);
}

/* Cents in [-1000.00, 1000.00]: not exact in binary. */
static double cents(tu_rng *g) {
  return (double)below_i(g, -100000, 100000) / 100.0;
}

static void gen_float(tu_column *c, tu_rng *g) {
  if (tu_rng_chance(g, 200)) {
    if (c->type == DPS_TYPE_FLOAT32) {
      uint32_t b = special_f32[tu_rng_below(g, sizeof special_f32 / 4)];
      tu_column_append(c, &b);
    } else {
      uint64_t b = special_f64[tu_rng_below(g, sizeof special_f64 / 8)];
      tu_column_append(c, &b);
    }
  } else if (c->type == DPS_TYPE_FLOAT32) {
    float f = (float)cents(g);
    tu_column_append(c, &f);
  } else {
    double d = cents(g);
    tu_column_append(c, &d);
  }
}

static void gen_value(tu_column *c, int ci, size_t row, tu_rng *g) {
  switch (ci) {
    case C_ID: tu_column_append_i64(c, 2 * (int64_t)row); break;
    case C_B: tu_column_append_u64(c, tu_rng_next(g) & 1u); break;
    case C_I8: tu_column_append_i64(c, (int8_t)(uint8_t)tu_rng_next(g)); break;
    case C_I16: tu_column_append_i64(c, below_i(g, -300, 300)); break;
    case C_I32:
      tu_column_append_i64(c, lowcard_i32[tu_rng_below(g, 7)]);
      break;
    case C_I64: {
      static const int64_t ext[] = {INT64_MIN, INT64_MIN + 1, -1, 0,
                                    INT64_MAX - 1, INT64_MAX};
      uint64_t x = tu_rng_next(g);
      if (tu_rng_chance(g, 100)) tu_column_append_i64(c, ext[x % 6]);
      else if (x & 1) tu_column_append_i64(c, (int64_t)x);
      else tu_column_append_i64(c, below_i(g, -1000, 1000));
      break;
    }
    case C_U8: tu_column_append_u64(c, tu_rng_next(g) & 0xFFu); break;
    case C_U16: tu_column_append_u64(c, lowcard_u16[tu_rng_below(g, 5)]); break;
    case C_U32: tu_column_append_u64(c, tu_rng_next(g) & 0xFFFFFFFFu); break;
    case C_U64: {
      static const uint64_t ext[] = {0, 1, UINT64_C(0x7FFFFFFFFFFFFFFF),
                                     UINT64_C(0x8000000000000000), UINT64_MAX};
      uint64_t x = tu_rng_next(g);
      if (tu_rng_chance(g, 100)) tu_column_append_u64(c, ext[x % 5]);
      else if (x & 1) tu_column_append_u64(c, x);
      else tu_column_append_u64(c, x % 5000);
      break;
    }
    case C_F32: case C_F64: case C_FM:
      if (ci == C_FM) {
        double d = cents(g);
        tu_column_append(c, &d);
      } else {
        gen_float(c, g);
      }
      break;
    case C_DEC: {
      const int64_t wide = INT64_C(999999999999999);
      uint64_t k = tu_rng_below(g, 10);
      if (k < 3) tu_column_append_i64(c, below_i(g, -10000, 10000) * 100);
      else if (k < 7) tu_column_append_i64(c, below_i(g, -100000, 100000));
      else tu_column_append_i64(c, below_i(g, -wide, wide));
      break;
    }
    case C_DAY: tu_column_append_i64(c, 8000 + (int64_t)(row / 37)); break;
    case C_TS: {
      int64_t day = below_i(g, 10000, 10299);
      uint64_t k = tu_rng_below(g, 10);
      if (k < 3) tu_column_append_i64(c, day * US_PER_DAY);
      else if (k < 4) tu_column_append_i64(c, day * US_PER_DAY - 1);
      else tu_column_append_i64(c, day * US_PER_DAY + below_i(g, 1, US_PER_DAY - 1));
      break;
    }
    case C_S: tu_column_append_str(c, lowcard_s[tu_rng_below(g, N_LOWCARD_S)]); break;
    case C_TXT: tu_column_random(c, 1, 0, 0, g); break;
    case C_BIN: {
      static const uint8_t alpha[] = {0x00, 0x01, 0x7F, 0x80, 0xFF};
      uint8_t b[72];
      size_t n;
      if (tu_rng_chance(g, 30)) {
        /* Longer than the 64 bytes a zone-map bound keeps [FMT-36]. */
        n = 64 + (size_t)tu_rng_below(g, 8);
        memset(b, 0xFF, n);
        b[n - 1] = alpha[tu_rng_below(g, 5)];
      } else {
        n = (size_t)tu_rng_below(g, 7);
        for (size_t k = 0; k < n; k++) b[k] = alpha[tu_rng_below(g, 5)];
      }
      tu_column_append_bytes(c, b, n);
      break;
    }
    case C_SPARSE: tu_column_append_i64(c, below_i(g, 0, 20)); break;
    case C_PX: tu_column_append_i64(c, below_i(g, 100, 9999999)); break;
    case C_QTY: tu_column_append_i64(c, below_i(g, 1, 50)); break;
    case C_DISC: tu_column_append_i64(c, below_i(g, 0, 10)); break;
    default: fail_msg("no generator for column %d", ci);
  }
}

/* Pages of one kind, for the zone maps' edge cases [FMT-34..36]: page p
 * holds rows [1024 p, 1024 p + 1024) (page_vectors 1). Returns 1 when it
 * appended row's value. */
static int edge_value(tu_column *c, int ci, size_t row, tu_rng *g) {
  size_t page = row / 1024;
  uint64_t x = tu_rng_next(g);
  switch (ci) {
    case C_F64:
      if (page != 4) return 0;
      { /* only NaNs: no min or max, a nan_count */
        uint64_t b = ((x & 1) ? UINT64_C(0x7FF8000000000000)
                              : UINT64_C(0xFFF8000000000000)) | (x >> 52);
        tu_column_append(c, &b);
      }
      return 1;
    case C_F32:
      if (page != 3) return 0;
      { /* only zeros of both signs */
        uint32_t b = (x & 1) ? 0x80000000u : 0u;
        tu_column_append(c, &b);
      }
      return 1;
    case C_BIN:
      if (page != 5) return 0;
      { /* only 0xFF runs longer than a bound keeps: no max */
        uint8_t b[72];
        memset(b, 0xFF, sizeof b);
        tu_column_append_bytes(c, b, 65 + (size_t)(x % 7));
      }
      return 1;
    case C_S:
      if (page != 2) return 0;
      tu_column_append_str(c, "ab");
      return 1;
    case C_I64:
      if (page != 6) return 0;
      tu_column_append_i64(c, INT64_MIN);
      return 1;
    case C_U64:
      if (page != 1) return 0;
      tu_column_append_u64(c, UINT64_MAX);
      return 1;
    case C_TXT:
      if (page != 0) return 0;
      tu_column_append_str(c, "");
      return 1;
    case C_TS:
      if (page != 2) return 0;
      tu_column_append_i64(c, 10150 * US_PER_DAY);
      return 1;
    default:
      return 0;
  }
}

static unsigned null_permille(int ci, size_t row) {
  if (!defs[ci].nullable) return 0;
  switch (ci) {
    case C_DEC: return row / 1024 == 7 ? 1000 : 100; /* a page of nulls */
    case C_I64: case C_DAY: case C_QTY: return 50;
    case C_SPARSE: {
      size_t rg = row / RG_ROWS;
      return (rg == 1 || rg == 3) ? 1000 : 300;
    }
    default: return 100;
  }
}

static void make_data(tu_column *cols, tu_rng *g) {
  for (int ci = 0; ci < N_COLS; ci++) tu_column_init(&cols[ci], defs[ci].type);
  for (size_t row = 0; row < N_ROWS; row++) {
    for (int ci = 0; ci < N_COLS; ci++) {
      if (tu_rng_chance(g, null_permille(ci, row)))
        tu_column_append_null(&cols[ci]);
      else if (!edge_value(&cols[ci], ci, row, g))
        gen_value(&cols[ci], ci, row, g);
    }
  }
}

static dps_write_options scan_opts(void) {
  dps_write_options o = tu_opts();
  o.row_group_rows = RG_ROWS;
  o.page_vectors = 1; /* a page per 1024 rows: many page zone maps */
  return o;
}

static void write_file(char *path, size_t n, const char *stem,
                       const tu_coldef *cd, const tu_column *cols, size_t nc,
                       uint32_t rg_rows) {
  dps_schema *s = tu_schema(cd, nc);
  dps_snapshot_meta m = tu_meta();
  dps_write_options o = scan_opts();
  o.row_group_rows = rg_rows;
  dps_error e;
  tu_err_reset(&e);
  tu_tmp_path(path, n, stem);
  TU_OK(tu_write(path, s, &m, &o, cols, nc, &e), &e);
  dps_schema_free(s);
}

static int setup(void **state) {
  (void)state;
  tu_rng g;
  tu_rng_seed(&g, SEED_DATA);
  make_data(fx.cols, &g);
  write_file(fx.path, sizeof fx.path, "scan.dps", defs, fx.cols, N_COLS,
             RG_ROWS);
  dps_error e;
  tu_err_reset(&e);
  TU_OK(dps_reader_open(&fx.reader, fx.path, NULL, &e), &e);
  return 0;
}

static int teardown(void **state) {
  (void)state;
  dps_reader_free(fx.reader);
  remove(fx.path);
  for (int ci = 0; ci < N_COLS; ci++) tu_column_free(&fx.cols[ci]);
  return 0;
}

/* ---- values of the data -------------------------------------------------- */

typedef enum kind {
  K_BOOL, K_SINT, K_UINT, K_DEC, K_FLOAT, K_DATE, K_TS, K_BYTES
} kind;

static kind kind_of(dps_type t) {
  switch (t) {
    case DPS_TYPE_BOOL: return K_BOOL;
    case DPS_TYPE_INT8: case DPS_TYPE_INT16: case DPS_TYPE_INT32:
    case DPS_TYPE_INT64: return K_SINT;
    case DPS_TYPE_UINT8: case DPS_TYPE_UINT16: case DPS_TYPE_UINT32:
    case DPS_TYPE_UINT64: return K_UINT;
    case DPS_TYPE_DECIMAL: return K_DEC;
    case DPS_TYPE_FLOAT32: case DPS_TYPE_FLOAT64: return K_FLOAT;
    case DPS_TYPE_DATE: return K_DATE;
    case DPS_TYPE_TIMESTAMP: return K_TS;
    default: return K_BYTES;
  }
}

static const uint8_t *slot(const tu_column *c, size_t r) {
  return c->values + r * dps_type_width(c->type);
}

/* Signed integers, bool, date, timestamp, decimal (unscaled). */
static int64_t ival(const tu_column *c, size_t r) {
  const uint8_t *p = slot(c, r);
  switch (c->type) {
    case DPS_TYPE_BOOL: return *p;
    case DPS_TYPE_INT8: return (int8_t)*p;
    case DPS_TYPE_INT16: { int16_t v; memcpy(&v, p, 2); return v; }
    case DPS_TYPE_INT32: case DPS_TYPE_DATE: { int32_t v; memcpy(&v, p, 4); return v; }
    default: { int64_t v; memcpy(&v, p, 8); return v; }
  }
}

static uint64_t uval(const tu_column *c, size_t r) {
  const uint8_t *p = slot(c, r);
  switch (c->type) {
    case DPS_TYPE_UINT8: return *p;
    case DPS_TYPE_UINT16: { uint16_t v; memcpy(&v, p, 2); return v; }
    case DPS_TYPE_UINT32: { uint32_t v; memcpy(&v, p, 4); return v; }
    default: { uint64_t v; memcpy(&v, p, 8); return v; }
  }
}

/* [SCAN-3] FLOAT32 widened to double. */
static double fval(const tu_column *c, size_t r) {
  if (c->type == DPS_TYPE_FLOAT32) {
    float f;
    memcpy(&f, slot(c, r), 4);
    return (double)f;
  }
  double d;
  memcpy(&d, slot(c, r), 8);
  return d;
}

static const uint8_t *bval(const tu_column *c, size_t r, size_t *n) {
  *n = (size_t)(c->offsets[r + 1] - c->offsets[r]);
  return c->data ? c->data + c->offsets[r] : (const uint8_t *)"";
}

static i128 p10(int k) {
  i128 v = 1;
  while (k-- > 0) v *= 10;
  return v;
}

/* 10^k as an exact double (k <= 22). */
static double p10d(int k) {
  double v = 1.0;
  while (k-- > 0) v *= 10.0;
  return v;
}

static int cmp3(i128 a, i128 b) { return (a > b) - (a < b); }

/* [SCAN-3]: IEEE order, but -0.0 = 0.0, NaN = NaN and NaN above all. */
static int fcmp_total(double a, double b) {
  int na = isnan(a), nb = isnan(b);
  if (na || nb) return na - nb;
  return (a > b) - (a < b);
}

/* a / 10^sa against b / 10^sb, exactly [SCAN-2]. */
static int exact_cmp(i128 a, int sa, i128 b, int sb) {
  int m = sa > sb ? sa : sb;
  return cmp3(a * p10(m - sa), b * p10(m - sb));
}

static int bytes_cmp(const uint8_t *a, size_t na, const uint8_t *b,
                     size_t nb) {
  size_t n = na < nb ? na : nb;
  int c = n ? memcmp(a, b, n) : 0;
  if (c) return c < 0 ? -1 : 1;
  return (na > nb) - (na < nb);
}

/* Two non-null cells of one column, in the order of [SCAN-2..4]. */
static int cmp_cells(int ci, size_t r1, size_t r2) {
  const tu_column *c = &fx.cols[ci];
  switch (kind_of(c->type)) {
    case K_UINT: return cmp3(uval(c, r1), uval(c, r2));
    case K_FLOAT: return fcmp_total(fval(c, r1), fval(c, r2));
    case K_BYTES: {
      size_t n1, n2;
      const uint8_t *p1 = bval(c, r1, &n1), *p2 = bval(c, r2, &n2);
      return bytes_cmp(p1, n1, p2, n2);
    }
    default: return cmp3(ival(c, r1), ival(c, r2));
  }
}

/* ---- string buffer ----------------------------------------------------------- */

typedef struct sbuf {
  char *p;
  size_t cap, len;
} sbuf;

static void sb_add(sbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void sb_add(sbuf *b, const char *fmt, ...) {
  if (b->len + 1 >= b->cap) return;
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
  va_end(ap);
  if (n > 0) b->len += (size_t)n;
  if (b->len >= b->cap) b->len = b->cap - 1;
}

static void sb_bytes(sbuf *b, const uint8_t *p, size_t n) {
  sb_add(b, "'");
  for (size_t i = 0; i < n; i++) {
    if (p[i] < 0x20 || p[i] >= 0x7F || p[i] == '\'' || p[i] == '\\')
      sb_add(b, "\\x%02x", p[i]);
    else
      sb_add(b, "%c", p[i]);
  }
  sb_add(b, "'");
}

/* ---- literals -------------------------------------------------------------- */

typedef enum lkind {
  L_INT, L_UINT, L_FLOAT, L_DEC, L_DATE, L_TS, L_STR, L_BOOL
} lkind;

#define LIT_BYTES 112

typedef struct lit {
  lkind k;
  int64_t i;  /* INT, DEC (unscaled), DATE, TS, BOOL */
  uint64_t u; /* UINT */
  double f;   /* FLOAT */
  int scale;  /* DEC */
  size_t n;   /* STR */
  uint8_t s[LIT_BYTES];
} lit;

static void lit_text(sbuf *b, const lit *L) {
  switch (L->k) {
    case L_INT: sb_add(b, "%" PRId64, L->i); break;
    case L_UINT: sb_add(b, "%" PRIu64 "u", L->u); break;
    case L_FLOAT:
      if (isnan(L->f))
        sb_add(b, "nan(0x%016" PRIx64 ")", tu_f64_bits(L->f));
      else
        sb_add(b, "%.17gf", L->f);
      break;
    case L_DEC: sb_add(b, "dec(%" PRId64 ",%d)", L->i, L->scale); break;
    case L_DATE: sb_add(b, "date(%" PRId64 ")", L->i); break;
    case L_TS: sb_add(b, "ts(%" PRId64 ")", L->i); break;
    case L_STR: sb_bytes(b, L->s, L->n); break;
    case L_BOOL: sb_add(b, "%s", L->i ? "true" : "false"); break;
  }
}

static dps_node *lit_node(dps_query *q, const lit *L) {
  switch (L->k) {
    case L_INT: return dps_q_int(q, L->i);
    case L_UINT: return dps_q_uint(q, L->u);
    case L_FLOAT: return dps_q_float(q, L->f);
    case L_DEC: return dps_q_decimal(q, L->i, L->scale);
    case L_DATE: return dps_q_date(q, (int32_t)L->i);
    case L_TS: return dps_q_timestamp(q, L->i);
    case L_STR: return dps_q_string(q, (const char *)L->s, L->n);
    case L_BOOL: return dps_q_bool(q, (int)L->i);
  }
  return NULL;
}

static double lit_double(const lit *L) {
  switch (L->k) {
    case L_INT: return (double)L->i;
    case L_UINT: return (double)L->u;
    case L_DEC: return (double)L->i / p10d(L->scale);
    default: return L->f;
  }
}

/* A non-null cell against a literal: <0, 0, >0 as [SCAN-2..4] say. */
static int cmp_cell_lit(int ci, size_t r, const lit *L) {
  const tu_column *c = &fx.cols[ci];
  kind k = kind_of(c->type);
  switch (k) {
    case K_BOOL: return cmp3(ival(c, r), L->i);
    case K_SINT: case K_UINT: case K_DEC: {
      i128 x = (k == K_UINT) ? (i128)uval(c, r) : (i128)ival(c, r);
      int s = (k == K_DEC) ? defs[ci].scale : 0;
      if (L->k == L_FLOAT) {
        /* [SCAN-3] (double)v, or (double)unscaled / 10^scale. */
        double d = (k == K_UINT) ? (double)uval(c, r)
                 : (k == K_DEC) ? (double)ival(c, r) / p10d(s)
                                : (double)ival(c, r);
        return fcmp_total(d, L->f);
      }
      i128 y = (L->k == L_UINT) ? (i128)L->u : (i128)L->i;
      return exact_cmp(x, s, y, L->k == L_DEC ? L->scale : 0);
    }
    case K_FLOAT: return fcmp_total(fval(c, r), lit_double(L));
    case K_DATE: case K_TS: {
      i128 x = ival(c, r), y = L->i;
      if (k == K_DATE) x *= US_PER_DAY;
      if (L->k == L_DATE) y *= US_PER_DAY;
      return cmp3(x, y);
    }
    case K_BYTES: {
      size_t n;
      const uint8_t *p = bval(c, r, &n);
      return bytes_cmp(p, n, L->s, L->n);
    }
  }
  return 0;
}

/* ---- literal generation ---------------------------------------------------- */

static void set_int(lit *L, int64_t v) { L->k = L_INT; L->i = v; }
static void set_uint(lit *L, uint64_t v) { L->k = L_UINT; L->u = v; }
static void set_float(lit *L, double v) { L->k = L_FLOAT; L->f = v; }
static void set_dec(lit *L, int64_t v, int s) { L->k = L_DEC; L->i = v; L->scale = s; }
static void set_date(lit *L, int64_t d) { L->k = L_DATE; L->i = d; }
static void set_ts(lit *L, int64_t t) { L->k = L_TS; L->i = t; }
static void set_str(lit *L, const void *p, size_t n) {
  L->k = L_STR;
  if (n > LIT_BYTES) n = LIT_BYTES;
  if (n) memcpy(L->s, p, n);
  L->n = n;
}

static double special_double(tu_rng *g) {
  static const uint64_t sp[] = {
      UINT64_C(0x7FF8000000000000), UINT64_C(0xFFF8000000000005),
      UINT64_C(0x7FF0000000000000), UINT64_C(0xFFF0000000000000),
      UINT64_C(0x8000000000000000), UINT64_C(0x0000000000000000),
      UINT64_C(0x7E37E43C8800759C) /* 1e300 */, UINT64_C(0x3FE0000000000000)};
  return tu_f64_of(sp[tu_rng_below(g, sizeof sp / sizeof sp[0])]);
}

static void type_range(dps_type t, int64_t *lo, uint64_t *hi) {
  switch (t) {
    case DPS_TYPE_INT8: *lo = INT8_MIN; *hi = INT8_MAX; break;
    case DPS_TYPE_INT16: *lo = INT16_MIN; *hi = INT16_MAX; break;
    case DPS_TYPE_INT32: *lo = INT32_MIN; *hi = INT32_MAX; break;
    case DPS_TYPE_UINT8: *lo = 0; *hi = UINT8_MAX; break;
    case DPS_TYPE_UINT16: *lo = 0; *hi = UINT16_MAX; break;
    case DPS_TYPE_UINT32: *lo = 0; *hi = UINT32_MAX; break;
    case DPS_TYPE_UINT64: *lo = 0; *hi = UINT64_MAX; break;
    default: *lo = INT64_MIN; *hi = INT64_MAX; break;
  }
}

static void gen_lit_sint(tu_rng *g, dps_type t, int64_t v, unsigned ch,
                         lit *L) {
  const int64_t big = INT64_C(900000000000000000);
  switch (ch) {
    case 9: case 10: set_int(L, v > INT64_MIN ? v - 1 : v); break;
    case 11: case 12:
      if (v < INT64_MAX) set_int(L, v + 1);
      else set_uint(L, (uint64_t)INT64_MAX + 1u);
      break;
    case 13: {
      int64_t lo;
      uint64_t hi;
      type_range(t, &lo, &hi);
      switch (tu_rng_below(g, 8)) {
        case 0: set_int(L, INT64_MIN); break;
        case 1: set_int(L, INT64_MAX); break;
        case 2: set_int(L, 0); break;
        case 3: set_int(L, -1); break;
        case 4: set_int(L, lo); break;
        case 5: set_uint(L, hi); break;
        case 6: set_uint(L, hi < UINT64_MAX ? hi + 1u : hi); break;
        default: set_uint(L, UINT64_MAX); break;
      }
      break;
    }
    case 14: /* a decimal with a non-zero fraction: v +- 0.5 */
      if (v > -big && v < big) set_dec(L, v * 10 + ((tu_rng_next(g) & 1) ? 5 : -5), 1);
      else set_dec(L, -5, 1);
      break;
    case 15: /* v itself, as a decimal of scale 2 */
      if (v > -big / 100 && v < big / 100) set_dec(L, v * 100, 2);
      else set_int(L, v);
      break;
    case 16: set_float(L, (double)v); break;
    case 17: set_float(L, (double)v + ((tu_rng_next(g) & 1) ? 0.5 : -0.5)); break;
    case 18: set_float(L, special_double(g)); break;
    case 19:
      if (v >= 0) set_uint(L, (uint64_t)v);
      else set_int(L, v);
      break;
    default: set_int(L, v); break;
  }
}

static void gen_lit_uint(tu_rng *g, dps_type t, uint64_t u, unsigned ch,
                         lit *L) {
  const uint64_t big = UINT64_C(900000000000000000);
  switch (ch) {
    case 9: case 10:
      if (u > 0) set_uint(L, u - 1);
      else set_int(L, -1);
      break;
    case 11: case 12:
      if (u < UINT64_MAX) set_uint(L, u + 1);
      else set_float(L, 1.9e19);
      break;
    case 13: {
      int64_t lo;
      uint64_t hi;
      type_range(t, &lo, &hi);
      switch (tu_rng_below(g, 7)) {
        case 0: set_int(L, -1); break;
        case 1: set_uint(L, 0); break;
        case 2: set_uint(L, UINT64_MAX); break;
        case 3: set_int(L, INT64_MAX); break;
        case 4: set_uint(L, hi); break;
        case 5: set_uint(L, hi < UINT64_MAX ? hi + 1u : hi); break;
        default: set_int(L, INT64_MIN); break;
      }
      break;
    }
    case 14:
      if (u < big) set_dec(L, (int64_t)u * 10 + 5, 1);
      else set_dec(L, 5, 1);
      break;
    case 15:
      if (u < big / 100) set_dec(L, (int64_t)u * 100, 2);
      else set_uint(L, u);
      break;
    case 16: set_float(L, (double)u); break;
    case 17: set_float(L, (double)u + 0.5); break;
    case 18: set_float(L, special_double(g)); break;
    case 19:
      if (u <= (uint64_t)INT64_MAX) set_int(L, (int64_t)u);
      else set_uint(L, u);
      break;
    default: set_uint(L, u); break;
  }
}

static void gen_lit_dec(tu_rng *g, int64_t v, int s, int prec, unsigned ch,
                        lit *L) {
  int64_t one = (int64_t)p10(s);
  switch (ch) {
    case 9: case 10: set_dec(L, v - 1, s); break;
    case 11: set_dec(L, v + 1, s); break;
    case 12: set_dec(L, v * 10, s + 1); break; /* 0.05 = 0.050 */
    case 13:
      switch (tu_rng_below(g, 7)) {
        case 0: set_int(L, INT64_MAX); break;
        case 1: set_int(L, INT64_MIN); break;
        case 2: set_dec(L, INT64_MAX, 18); break;
        case 3: set_dec(L, INT64_MIN, 18); break;
        case 4: set_uint(L, UINT64_MAX); break;
        case 5: set_int(L, 0); break;
        default: set_dec(L, (int64_t)p10(prec), s); break;
      }
      break;
    case 14: set_int(L, v / one); break; /* an int literal */
    case 15: set_int(L, v / one + 1); break;
    case 16: set_float(L, (double)v / p10d(s)); break;
    case 17: set_float(L, special_double(g)); break;
    case 18: set_dec(L, v, s + 3); break;
    case 19: set_dec(L, v * 10 + 5, s + 1); break; /* v + half a unit */
    default: set_dec(L, v, s); break;
  }
}

static void gen_lit_float(tu_rng *g, double x, unsigned ch, lit *L) {
  switch (ch) {
    case 9: set_float(L, nextafter(x, INFINITY)); break;
    case 10: set_float(L, nextafter(x, -INFINITY)); break;
    case 11: set_float(L, -x); break;
    case 12: set_float(L, special_double(g)); break;
    case 13:
      switch (tu_rng_below(g, 7)) {
        case 0: set_float(L, -INFINITY); break;
        case 1: set_float(L, INFINITY); break;
        case 2: set_float(L, NAN); break;
        case 3: set_int(L, INT64_MIN); break;
        case 4: set_uint(L, UINT64_MAX); break;
        case 5: set_float(L, -0.0); break;
        default: set_float(L, DBL_MAX); break;
      }
      break;
    case 14:
      if (isfinite(x) && fabs(x) < 9e18) set_int(L, (int64_t)x);
      else set_int(L, 0);
      break;
    case 15:
      if (isfinite(x) && fabs(x) < 9e15) set_dec(L, (int64_t)llround(x * 100.0), 2);
      else set_dec(L, -5, 1);
      break;
    case 16:
      if (isfinite(x) && x >= 0 && x < 1.8e19) set_uint(L, (uint64_t)x);
      else set_uint(L, 7);
      break;
    case 17: set_float(L, tu_f64_of(UINT64_C(0xFFF8000000000005))); break;
    default: set_float(L, x); break;
  }
}

static int64_t floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

static void gen_lit_time(tu_rng *g, int is_date, int64_t v, unsigned ch,
                         lit *L) {
  if (ch == 13) {
    switch (tu_rng_below(g, 5)) {
      case 0: set_ts(L, INT64_MIN); break;
      case 1: set_ts(L, INT64_MAX); break;
      case 2: set_date(L, INT32_MIN); break;
      case 3: set_date(L, INT32_MAX); break;
      default: set_ts(L, 0); break;
    }
    return;
  }
  if (is_date) {
    switch (ch) {
      case 9: set_date(L, v - 1); break;
      case 10: set_date(L, v + 1); break;
      case 11: set_ts(L, v * US_PER_DAY); break;
      case 12: set_ts(L, v * US_PER_DAY - 1); break;
      case 14: set_ts(L, v * US_PER_DAY + 1); break;
      default: set_date(L, v); break;
    }
  } else {
    int64_t day = floor_div(v, US_PER_DAY);
    switch (ch) {
      case 9: set_ts(L, v - 1); break;
      case 10: set_ts(L, v + 1); break;
      case 11: case 12: set_date(L, day); break; /* a date on a timestamp */
      case 14: set_date(L, day + 1); break;
      case 15: set_ts(L, day * US_PER_DAY); break;
      default: set_ts(L, v); break;
    }
  }
}

/* Bytes of a STRING value cut at a character boundary at most n. */
static size_t utf8_cut(const uint8_t *p, size_t len, size_t n) {
  if (n >= len) return len;
  while (n > 0 && (p[n] & 0xC0) == 0x80) n--;
  return n;
}

static void gen_lit_bytes(tu_rng *g, int is_str, const uint8_t *p, size_t n,
                          unsigned ch, int prefix, lit *L) {
  uint8_t buf[LIT_BYTES];
  if (n > LIT_BYTES - 1) n = LIT_BYTES - 1;
  if (prefix) ch = (ch < 14) ? 9 : ch; /* mostly prefixes of values */
  switch (ch) {
    case 9: {
      size_t k = (size_t)tu_rng_below(g, n + 1);
      set_str(L, p, is_str ? utf8_cut(p, n, k) : k);
      break;
    }
    case 10: /* just above the value */
      memcpy(buf, p, n);
      buf[n] = is_str ? 0x01 : 0x00;
      set_str(L, buf, n + 1);
      break;
    case 11: set_str(L, "", 0); break;
    case 12:
      memcpy(buf, p, n);
      buf[n] = '~';
      set_str(L, buf, n + 1);
      break;
    case 13:
      switch (tu_rng_below(g, 4)) {
        case 0: set_str(L, "", 0); break;
        case 1: set_str(L, "\xF4\x8F\xBF\xBF", 4); break;
        case 2: set_str(L, "\x7F", 1); break;
        default:
          memset(buf, 0xFF, 70);
          set_str(L, buf, is_str ? 0 : 64 + (size_t)tu_rng_below(g, 6));
          break;
      }
      break;
    case 14: case 15: {
      const char *s = lowcard_s[tu_rng_below(g, N_LOWCARD_S)];
      set_str(L, s, strlen(s));
      break;
    }
    default: set_str(L, p, n); break;
  }
}

/* A literal for column ci: one of its values (or a neighbour, an extreme,
 * or the same value as another kind of literal [SCAN-2, SCAN-3]). */
static void gen_lit(tu_rng *g, int ci, lit *L, int prefix) {
  const tu_column *c = &fx.cols[ci];
  memset(L, 0, sizeof *L);
  size_t r = 0;
  int found = 0;
  for (int k = 0; k < 8 && !found; k++) {
    r = (size_t)tu_rng_below(g, N_ROWS);
    found = tu_column_is_valid(c, r);
  }
  unsigned ch = found ? (unsigned)tu_rng_below(g, 20) : 13;
  switch (kind_of(c->type)) {
    case K_BOOL:
      L->k = L_BOOL;
      L->i = found ? ival(c, r) ^ (ch >= 15) : (int64_t)(tu_rng_next(g) & 1u);
      break;
    case K_SINT: gen_lit_sint(g, c->type, found ? ival(c, r) : 0, ch, L); break;
    case K_UINT: gen_lit_uint(g, c->type, found ? uval(c, r) : 0, ch, L); break;
    case K_DEC:
      gen_lit_dec(g, found ? ival(c, r) : 0, defs[ci].scale, defs[ci].precision,
                  ch, L);
      break;
    case K_FLOAT: gen_lit_float(g, found ? fval(c, r) : 0.0, ch, L); break;
    case K_DATE: case K_TS:
      gen_lit_time(g, c->type == DPS_TYPE_DATE, found ? ival(c, r) : 0, ch, L);
      break;
    case K_BYTES: {
      size_t n = 0;
      const uint8_t *p = found ? bval(c, r, &n) : (const uint8_t *)"";
      gen_lit_bytes(g, c->type == DPS_TYPE_STRING, p, n, ch, prefix, L);
      break;
    }
  }
}

/* ---- predicate trees ---------------------------------------------------------- */

typedef enum pkind {
  P_CMP, P_BETWEEN, P_IN, P_ISNULL, P_NOTNULL, P_STARTS, P_AND, P_OR, P_NOT
} pkind;

typedef struct pnode {
  pkind k;
  int col;
  dps_cmp_op op;
  int lit_first; /* P_CMP: `literal op column` */
  lit lits[5];
  size_t n_lits;
  int a, b; /* children (pool indexes) */
} pnode;

#define TREE_MAX 32

typedef struct ptree {
  pnode n[TREE_MAX];
  int len;
  int root;
} ptree;

static void gen_leaf(tu_rng *g, pnode *p, int only_col) {
  int ci = only_col >= 0 ? only_col : (int)tu_rng_below(g, N_COLS);
  kind k = kind_of(defs[ci].type);
  unsigned r = (unsigned)tu_rng_below(g, 100);
  p->col = ci;
  if (k == K_BYTES && r < 25) {
    p->k = P_STARTS;
    p->n_lits = 1;
    gen_lit(g, ci, &p->lits[0], 1);
  } else if (r < 55) {
    p->k = P_CMP;
    p->op = (dps_cmp_op)(1 + tu_rng_below(g, 6));
    p->lit_first = tu_rng_chance(g, 250);
    p->n_lits = 1;
    gen_lit(g, ci, &p->lits[0], 0);
  } else if (r < 67) {
    p->k = P_BETWEEN;
    p->n_lits = 2;
    gen_lit(g, ci, &p->lits[0], 0);
    gen_lit(g, ci, &p->lits[1], 0);
  } else if (r < 82) {
    p->k = P_IN;
    p->n_lits = 1 + (size_t)tu_rng_below(g, 5);
    for (size_t i = 0; i < p->n_lits; i++) gen_lit(g, ci, &p->lits[i], 0);
  } else if (r < 91) {
    p->k = P_ISNULL;
  } else {
    p->k = P_NOTNULL;
  }
}

static int gen_node(tu_rng *g, ptree *t, int depth, int max_depth) {
  int i = t->len++;
  pnode *p = &t->n[i];
  memset(p, 0, sizeof *p);
  if (depth >= max_depth ||
      tu_rng_chance(g, 150u + 150u * (unsigned)(depth - 1))) {
    gen_leaf(g, p, -1);
    return i;
  }
  unsigned r = (unsigned)tu_rng_below(g, 10);
  p->k = r < 4 ? P_AND : r < 8 ? P_OR : P_NOT;
  int a = gen_node(g, t, depth + 1, max_depth);
  t->n[i].a = a;
  if (t->n[i].k != P_NOT) {
    int b = gen_node(g, t, depth + 1, max_depth);
    t->n[i].b = b;
  }
  return i;
}

/* A random tree of at most max_depth levels (<= 4: 15 nodes). */
static void gen_tree(tu_rng *g, ptree *t, int max_depth) {
  t->len = 0;
  t->root = gen_node(g, t, 1, max_depth);
}

static const char *op_text(dps_cmp_op op) {
  switch (op) {
    case DPS_EQ: return "=";
    case DPS_NE: return "!=";
    case DPS_LT: return "<";
    case DPS_LE: return "<=";
    case DPS_GT: return ">";
    default: return ">=";
  }
}

static void tree_text(sbuf *b, const ptree *t, int i) {
  const pnode *p = &t->n[i];
  const char *col = defs[p->col].name;
  switch (p->k) {
    case P_CMP:
      if (p->lit_first) {
        lit_text(b, &p->lits[0]);
        sb_add(b, " %s %s", op_text(p->op), col);
      } else {
        sb_add(b, "%s %s ", col, op_text(p->op));
        lit_text(b, &p->lits[0]);
      }
      break;
    case P_BETWEEN:
      sb_add(b, "%s between ", col);
      lit_text(b, &p->lits[0]);
      sb_add(b, " and ");
      lit_text(b, &p->lits[1]);
      break;
    case P_IN:
      sb_add(b, "%s in (", col);
      for (size_t k = 0; k < p->n_lits; k++) {
        if (k) sb_add(b, ", ");
        lit_text(b, &p->lits[k]);
      }
      sb_add(b, ")");
      break;
    case P_ISNULL: sb_add(b, "%s is null", col); break;
    case P_NOTNULL: sb_add(b, "%s is not null", col); break;
    case P_STARTS:
      sb_add(b, "starts_with(%s, ", col);
      lit_text(b, &p->lits[0]);
      sb_add(b, ")");
      break;
    case P_AND: case P_OR:
      sb_add(b, "(");
      tree_text(b, t, p->a);
      sb_add(b, p->k == P_AND ? " and " : " or ");
      tree_text(b, t, p->b);
      sb_add(b, ")");
      break;
    case P_NOT:
      sb_add(b, "not (");
      tree_text(b, t, p->a);
      sb_add(b, ")");
      break;
  }
}

/* With g_share set, a query makes one node per column (and per aggregate
 * expression) and uses it wherever the column appears, as a user may; else
 * a node per use. Reset for each query. */
static int g_share;
static dps_node *col_memo[N_COLS];

static void memo_reset(int share);

static dps_node *col_node(dps_query *q, int ci) {
  if (!g_share) return dps_q_column(q, defs[ci].name);
  if (col_memo[ci] == NULL) col_memo[ci] = dps_q_column(q, defs[ci].name);
  return col_memo[ci];
}

static dps_node *pred_node(dps_query *q, const ptree *t, int i) {
  const pnode *p = &t->n[i];
  switch (p->k) {
    case P_CMP: {
      dps_node *c = col_node(q, p->col), *l = lit_node(q, &p->lits[0]);
      return p->lit_first ? dps_q_cmp(q, p->op, l, c) : dps_q_cmp(q, p->op, c, l);
    }
    case P_BETWEEN:
      return dps_q_between(q, col_node(q, p->col), lit_node(q, &p->lits[0]),
                           lit_node(q, &p->lits[1]));
    case P_IN: {
      dps_node *ls[5];
      for (size_t k = 0; k < p->n_lits; k++) ls[k] = lit_node(q, &p->lits[k]);
      return dps_q_in(q, col_node(q, p->col), ls, p->n_lits);
    }
    case P_ISNULL: return dps_q_is_null(q, col_node(q, p->col));
    case P_NOTNULL: return dps_q_is_not_null(q, col_node(q, p->col));
    case P_STARTS:
      return dps_q_starts_with(q, col_node(q, p->col), lit_node(q, &p->lits[0]));
    case P_AND: return dps_q_and(q, pred_node(q, t, p->a), pred_node(q, t, p->b));
    case P_OR: return dps_q_or(q, pred_node(q, t, p->a), pred_node(q, t, p->b));
    case P_NOT: return dps_q_not(q, pred_node(q, t, p->a));
  }
  return NULL;
}

/* ---- the oracle: [SCAN-1] three-valued logic ------------------------------- */

enum { TV_F = 0, TV_T = 1, TV_U = 2 };

static int apply_op(dps_cmp_op op, int c) {
  switch (op) {
    case DPS_EQ: return c == 0;
    case DPS_NE: return c != 0;
    case DPS_LT: return c < 0;
    case DPS_LE: return c <= 0;
    case DPS_GT: return c > 0;
    default: return c >= 0;
  }
}

static int eval_pred(const ptree *t, int i, size_t r) {
  const pnode *p = &t->n[i];
  switch (p->k) {
    case P_AND: {
      int a = eval_pred(t, p->a, r);
      if (a == TV_F) return TV_F;
      int b = eval_pred(t, p->b, r);
      if (b == TV_F) return TV_F;
      return (a == TV_T && b == TV_T) ? TV_T : TV_U;
    }
    case P_OR: {
      int a = eval_pred(t, p->a, r);
      if (a == TV_T) return TV_T;
      int b = eval_pred(t, p->b, r);
      if (b == TV_T) return TV_T;
      return (a == TV_F && b == TV_F) ? TV_F : TV_U;
    }
    case P_NOT: {
      int a = eval_pred(t, p->a, r);
      return a == TV_U ? TV_U : (a == TV_T ? TV_F : TV_T);
    }
    default: break;
  }
  const tu_column *c = &fx.cols[p->col];
  int valid = tu_column_is_valid(c, r);
  if (p->k == P_ISNULL) return valid ? TV_F : TV_T;
  if (p->k == P_NOTNULL) return valid ? TV_T : TV_F;
  if (!valid) return TV_U;
  switch (p->k) {
    case P_CMP: {
      int cmp = cmp_cell_lit(p->col, r, &p->lits[0]);
      /* `lit op col` is `col op' lit` with op' the mirror of op. */
      return apply_op(p->op, p->lit_first ? -cmp : cmp) ? TV_T : TV_F;
    }
    case P_BETWEEN:
      return (cmp_cell_lit(p->col, r, &p->lits[0]) >= 0 &&
              cmp_cell_lit(p->col, r, &p->lits[1]) <= 0) ? TV_T : TV_F;
    case P_IN:
      for (size_t k = 0; k < p->n_lits; k++)
        if (cmp_cell_lit(p->col, r, &p->lits[k]) == 0) return TV_T;
      return TV_F;
    case P_STARTS: {
      size_t n;
      const uint8_t *v = bval(c, r, &n);
      const lit *L = &p->lits[0];
      return (n >= L->n && (L->n == 0 || memcmp(v, L->s, L->n) == 0)) ? TV_T : TV_F;
    }
    default: return TV_F;
  }
}

/* Rows the predicate selects (t NULL: every row), in row order; returns
 * their number. */
static size_t oracle_select(const ptree *t, size_t *sel) {
  size_t n = 0;
  for (size_t r = 0; r < N_ROWS; r++)
    if (t == NULL || eval_pred(t, t->root, r) == TV_T) sel[n++] = r;
  return n;
}

/* ---- rows scans ---------------------------------------------------------------- */

typedef struct rows_out {
  tu_column cols[N_COLS];
  int proj[N_COLS]; /* schema index of each output column */
  size_t n_cols;
  size_t rows;
  size_t batch_end[64]; /* cumulative rows at the end of each batch */
  size_t n_batches;
  dps_scan_stats st;
} rows_out;

static void rows_out_free(rows_out *o) {
  for (size_t j = 0; j < o->n_cols; j++) tu_column_free(&o->cols[j]);
  o->n_cols = 0;
}

/* Context of a failure: the seed, the predicate and the projection. */
static char ctx_buf[16384];

static const char *make_ctx(const char *what, uint64_t seed, const ptree *t,
                            const int *proj, size_t n_proj) {
  sbuf b = {ctx_buf, sizeof ctx_buf, 0};
  sb_add(&b, "%s, seed %" PRIu64 "\n  where ", what, seed);
  if (t) tree_text(&b, t, t->root);
  else sb_add(&b, "(none)");
  sb_add(&b, "\n  columns ");
  if (proj == NULL) sb_add(&b, "(all)");
  for (size_t j = 0; proj && j < n_proj; j++)
    sb_add(&b, "%s%s", j ? "," : "", defs[proj[j]].name);
  return ctx_buf;
}

/* Random cases fail softly: bad() prints the case (the first MAX_REPORTS
 * of them) and counts it, the loop goes on, and the test fails at its end
 * with the count, so that one engine bug does not hide the others. */
#define MAX_REPORTS 12
static int n_failures;

static int bad(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int bad(const char *fmt, ...) {
  if (++n_failures <= MAX_REPORTS) {
    va_list ap;
    va_start(ap, fmt);
    vprint_error(fmt, ap);
    va_end(ap);
    print_error("\n");
  }
  return 0;
}

static void cases_done(const char *what, int n_cases) {
  int n = n_failures;
  n_failures = 0;
  if (n)
    fail_msg("%s: %d of %d checks failed (the first %d are printed above)",
             what, n, n_cases, n < MAX_REPORTS ? n : MAX_REPORTS);
}

/* DPS_TEST_TRACE set: every case is printed before it runs, so that a
 * crash (ASan aborts the process) can be traced back to its seed. */
static void trace(const char *ctx) {
  if (getenv("DPS_TEST_TRACE")) fprintf(stderr, "-- %s\n", ctx);
}

/* Node sharing for the next scan_rows (see col_node). */
static int g_share_next;

/* Runs a rows scan to its end, concatenating its batches into o. The
 * shape of every batch is checked [SCAN-10]. */
static int scan_rows(const ptree *t, const int *proj, size_t n_proj,
                     uint64_t limit, unsigned threads, int ordered,
                     rows_out *o, const char *ctx) {
  trace(ctx);
  memset(o, 0, sizeof *o);
  const char *names[N_COLS];
  o->n_cols = proj ? n_proj : N_COLS;
  for (size_t j = 0; j < o->n_cols; j++) {
    o->proj[j] = proj ? proj[j] : (int)j;
    names[j] = defs[o->proj[j]].name;
    tu_column_init(&o->cols[j], defs[o->proj[j]].type);
  }
  dps_error e;
  tu_err_reset(&e);
  dps_query *q = NULL;
  TU_OK(dps_query_new(&q, &e), &e);
  memo_reset(g_share_next);
  dps_scan_options so = DPS_SCAN_OPTIONS_INIT;
  so.columns = proj ? names : NULL;
  so.n_columns = proj ? n_proj : 0;
  so.where = t ? pred_node(q, t, t->root) : NULL;
  so.limit = limit;
  so.threads = threads;
  so.ordered = ordered;
  dps_scan *s = NULL;
  int ok = 1;
  dps_status st = dps_scan_open(&s, fx.reader, &so, &e);
  if (st != DPS_OK) {
    ok = bad("%s\n  dps_scan_open: %d (%s) \"%s\"", ctx, (int)st,
             dps_strerror(st), e.message);
    goto done;
  }
  while (ok) {
    const dps_batch *b = NULL;
    st = dps_scan_next(s, &b, &e);
    if (st != DPS_OK) {
      ok = bad("%s\n  dps_scan_next: %d (%s) \"%s\"", ctx, (int)st,
               dps_strerror(st), e.message);
      break;
    }
    if (b == NULL) break;
    size_t rows = dps_batch_row_count(b);
    if (rows == 0) ok = bad("%s\n  an empty batch [SCAN-10]", ctx);
    if (dps_batch_column_count(b) != o->n_cols) {
      ok = bad("%s\n  batch of %zu columns, expected %zu", ctx,
               dps_batch_column_count(b), o->n_cols);
      break;
    }
    for (size_t j = 0; j < o->n_cols && ok; j++) {
      dps_array_view v;
      assert_int_equal(dps_batch_column(b, j, &v), DPS_OK);
      if (v.length != rows)
        ok = bad("%s\n  column %zu has %zu rows in a batch of %zu", ctx, j,
                 v.length, rows);
      else
        tu_column_append_view(&o->cols[j], &v, 0, rows);
    }
    o->rows += rows;
    if (o->n_batches < sizeof o->batch_end / sizeof o->batch_end[0])
      o->batch_end[o->n_batches] = o->rows;
    o->n_batches++;
  }
  TU_OK(dps_scan_stats_get(s, &o->st), NULL);
done:
  /* The batch is borrowed from the scan: nothing of it is used after. */
  dps_scan_free(s);
  dps_query_free(q);
  return ok;
}

/* Output row k, column j against file row r: validity, bytes, and null
 * slots zero or empty [SCAN-10]. */
static int cell_matches(const rows_out *o, size_t j, size_t k, size_t r,
                        char *why, size_t nwhy) {
  const tu_column *got = &o->cols[j], *want = &fx.cols[o->proj[j]];
  int vg = tu_column_is_valid(got, k), vw = tu_column_is_valid(want, r);
  size_t w = dps_type_width(got->type);
  if (vg != vw) {
    snprintf(why, nwhy, "validity %d, expected %d", vg, vw);
    return 0;
  }
  if (!vg) {
    int zero = 1;
    if (w) {
      for (size_t i = 0; i < w; i++) zero &= slot(got, k)[i] == 0;
    } else {
      zero = got->offsets[k + 1] == got->offsets[k];
    }
    if (!zero) snprintf(why, nwhy, "null slot not zero/empty [SCAN-10]");
    return zero;
  }
  if (w) {
    if (memcmp(slot(got, k), slot(want, r), w) != 0) {
      uint64_t a = 0, b = 0;
      memcpy(&a, slot(got, k), w);
      memcpy(&b, slot(want, r), w);
      snprintf(why, nwhy, "value bits 0x%" PRIx64 ", expected 0x%" PRIx64, a, b);
      return 0;
    }
    return 1;
  }
  size_t na, nb;
  const uint8_t *pa = bval(got, k, &na), *pb = bval(want, r, &nb);
  if (bytes_cmp(pa, na, pb, nb) != 0) {
    snprintf(why, nwhy, "bytes differ (%zu vs %zu bytes expected)", na, nb);
    return 0;
  }
  return 1;
}

/* Rows in row order: output row k is file row sel[k]. */
static int check_rows_ordered(const rows_out *o, const size_t *sel,
                              size_t n_sel, const char *ctx) {
  size_t n = o->rows < n_sel ? o->rows : n_sel;
  char why[200];
  for (size_t k = 0; k < n; k++)
    for (size_t j = 0; j < o->n_cols; j++)
      if (!cell_matches(o, j, k, sel[k], why, sizeof why))
        return bad("%s\n  %zu rows (expected %zu); output row %zu (file row "
                   "%zu), column %s: %s", ctx, o->rows, n_sel, k, sel[k],
                   defs[o->proj[j]].name, why);
  if (o->rows > n_sel)
    return bad("%s\n  %zu rows, expected %zu (the first %zu agree)", ctx,
               o->rows, n_sel, n);
  if (o->rows < n_sel)
    return bad("%s\n  %zu rows, expected %zu (the first %zu agree; file "
               "row %zu is missing)", ctx, o->rows, n_sel, n, sel[n]);
  return 1;
}

/* Rows of an unordered multi-thread scan [SCAN-11]: `id` (= 2 * row) is
 * output column id_col; each batch holds rows of one row group in row
 * order, and the rows are the selected ones, each once (limit: `want`
 * of them). */
static int check_rows_unordered(const rows_out *o, size_t id_col,
                                const size_t *sel, size_t n_sel,
                                size_t want, const char *ctx) {
  if (o->rows != want)
    return bad("%s\n  %zu rows, expected %zu", ctx, o->rows, want);
  uint8_t *mark = calloc(N_ROWS, 1);
  assert_non_null(mark);
  for (size_t k = 0; k < n_sel; k++) mark[sel[k]] = 1;
  size_t start = 0;
  char why[200];
  int ok = 1;
  for (size_t bi = 0; bi < o->n_batches && bi < 64 && ok; bi++) {
    size_t end = o->batch_end[bi];
    for (size_t k = start; k < end && ok; k++) {
      int64_t id = ival(&o->cols[id_col], k);
      size_t r = (size_t)(id / 2);
      if (id < 0 || r >= N_ROWS || mark[r] != 1) {
        ok = bad("%s\n  output row %zu is file row %zu: %s", ctx, k, r,
                 (id >= 0 && r < N_ROWS && mark[r] == 2) ? "seen twice"
                                                        : "not selected");
        break;
      }
      mark[r] = 2;
      for (size_t j = 0; j < o->n_cols && ok; j++)
        if (!cell_matches(o, j, k, r, why, sizeof why))
          ok = bad("%s\n  output row %zu (file row %zu), column %s: %s", ctx,
                   k, r, defs[o->proj[j]].name, why);
      if (ok && k > start) {
        size_t prev = (size_t)(ival(&o->cols[id_col], k - 1) / 2);
        if (prev >= r || prev / RG_ROWS != r / RG_ROWS)
          ok = bad("%s\n  batch %zu: file row %zu after %zu: not one row "
                   "group in row order [SCAN-11]", ctx, bi, r, prev);
      }
    }
    start = end;
  }
  free(mark);
  return ok;
}

static void random_projection(tu_rng *g, int *proj, size_t *n_proj,
                              int with_id) {
  int all[N_COLS];
  for (int i = 0; i < N_COLS; i++) all[i] = i;
  for (int i = N_COLS - 1; i > 0; i--) {
    int k = (int)tu_rng_below(g, (uint64_t)i + 1);
    int x = all[i];
    all[i] = all[k];
    all[k] = x;
  }
  size_t n = 1 + (size_t)tu_rng_below(g, 6);
  for (size_t j = 0; j < n; j++) proj[j] = all[j];
  if (with_id) {
    int has = 0;
    for (size_t j = 0; j < n; j++) has |= proj[j] == C_ID;
    if (!has) proj[n++] = C_ID;
  }
  *n_proj = n;
}

/* One random rows case (seed): predicate, projection; returns them. */
static void rows_case(uint64_t seed, ptree *t, int *proj, size_t *n_proj,
                      int *all_cols, int with_id) {
  tu_rng g;
  tu_rng_seed(&g, seed);
  gen_tree(&g, t, 1 + (int)tu_rng_below(&g, 4));
  *all_cols = !with_id && tu_rng_chance(&g, 150);
  random_projection(&g, proj, n_proj, with_id);
}

static void run_rows_case(uint64_t seed, unsigned threads, int ordered,
                          const char *what) {
  ptree t;
  int proj[N_COLS + 1];
  size_t n_proj, n_sel;
  int all_cols;
  int unordered = threads > 1 && !ordered;
  rows_case(seed, &t, proj, &n_proj, &all_cols, unordered);
  g_share_next = (int)(seed & 1);
  size_t *sel = malloc(N_ROWS * sizeof *sel);
  assert_non_null(sel);
  const ptree *tp = (seed % 97 == 0) ? NULL : &t; /* sometimes no where */
  n_sel = oracle_select(tp, sel);
  char label[96];
  snprintf(label, sizeof label, "%s, threads %u%s", what, threads,
           unordered ? " unordered" : "");
  const char *ctx = make_ctx(label, seed, tp, all_cols ? NULL : proj, n_proj);
  rows_out o;
  int ok = scan_rows(tp, all_cols ? NULL : proj, n_proj, 0, threads, ordered,
                     &o, ctx);
  if (ok && unordered) {
    size_t id_col = 0;
    while (o.proj[id_col] != C_ID) id_col++;
    ok = check_rows_unordered(&o, id_col, sel, n_sel, n_sel, ctx);
  } else if (ok) {
    ok = check_rows_ordered(&o, sel, n_sel, ctx);
  }
  if (ok && o.st.rows_matched != n_sel)
    bad("%s\n  stats: rows_matched %" PRIu64 ", %zu rows returned", ctx,
        o.st.rows_matched, n_sel);
  rows_out_free(&o);
  free(sel);
}

/* [SCAN-1..5, SCAN-10, SCAN-11]: random predicates and projections, one
 * thread, rows in row order. */
static void test_scan__rows_differential(void **state) {
  (void)state;
  for (uint64_t k = 0; k < N_ROW_CASES; k++)
    run_rows_case(SEED_ROWS + k, 1, 1, "rows differential");
  cases_done("rows differential", N_ROW_CASES);
}

/* Hand-written predicates for the rules that random trees hit rarely. */
static void check_pred(const char *what, dps_node *(*build)(dps_query *),
                       int (*oracle)(size_t), const int *proj,
                       size_t n_proj) {
  dps_error e;
  tu_err_reset(&e);
  dps_query *q = NULL;
  TU_OK(dps_query_new(&q, &e), &e);
  const char *names[N_COLS];
  for (size_t j = 0; j < n_proj; j++) names[j] = defs[proj[j]].name;
  dps_scan_options so = DPS_SCAN_OPTIONS_INIT;
  so.columns = names;
  so.n_columns = n_proj;
  so.where = build(q);
  so.threads = 1;
  dps_scan *s = NULL;
  dps_status st = dps_scan_open(&s, fx.reader, &so, &e);
  int ok = 1;
  if (st != DPS_OK)
    ok = bad("%s: dps_scan_open: %d \"%s\"", what, (int)st, e.message);
  size_t n = 0, want = 0, r = 0;
  while (ok) {
    const dps_batch *b = NULL;
    st = dps_scan_next(s, &b, &e);
    if (st != DPS_OK) {
      ok = bad("%s: dps_scan_next: %d \"%s\"", what, (int)st, e.message);
      break;
    }
    if (b == NULL) break;
    dps_array_view v;
    assert_int_equal(dps_batch_column(b, 0, &v), DPS_OK);
    for (size_t k = 0; k < v.length && ok; k++, n++) {
      int64_t id = ((const int64_t *)v.values)[k];
      while (r < N_ROWS && !oracle(r)) r++;
      if (r >= N_ROWS || id != 2 * (int64_t)r)
        ok = bad("%s: output row %zu is file row %" PRId64 ", expected %s%zu",
                 what, n, id / 2, r >= N_ROWS ? "none, row " : "", r);
      r++;
    }
  }
  for (size_t i = 0; i < N_ROWS; i++) want += oracle(i) != 0;
  if (ok && n != want) bad("%s: %zu rows, expected %zu", what, n, want);
  dps_scan_free(s);
  dps_query_free(q);
}

static int valid(int ci, size_t r) { return tu_column_is_valid(&fx.cols[ci], r); }

/* not (i8 > 0): a null row stays unselected [SCAN-1]. */
static dps_node *b_not_null_cmp(dps_query *q) {
  return dps_q_not(q, dps_q_cmp(q, DPS_GT, dps_q_column(q, "i8"), dps_q_int(q, 0)));
}
static int o_not_null_cmp(size_t r) { return valid(C_I8, r) && ival(&fx.cols[C_I8], r) <= 0; }

/* i8 > 0 or i8 <= 0 is unknown, not true, on a null [SCAN-1]. */
static dps_node *b_tautology(dps_query *q) {
  return dps_q_or(q, dps_q_cmp(q, DPS_GT, dps_q_column(q, "i8"), dps_q_int(q, 0)),
                  dps_q_cmp(q, DPS_LE, dps_q_column(q, "i8"), dps_q_int(q, 0)));
}
static int o_tautology(size_t r) { return valid(C_I8, r); }

/* uint64 > -1 holds for every value [SCAN-2]. */
static dps_node *b_u64_gt_minus1(dps_query *q) {
  return dps_q_cmp(q, DPS_GT, dps_q_column(q, "u64"), dps_q_int(q, -1));
}
static int o_u64_gt_minus1(size_t r) { return valid(C_U64, r); }

/* int < 2.5 (decimal) holds for 2 and not for 3 [SCAN-2]. */
static dps_node *b_int_lt_dec(dps_query *q) {
  return dps_q_cmp(q, DPS_LT, dps_q_column(q, "qty"), dps_q_decimal(q, 25, 1));
}
static int o_int_lt_dec(size_t r) { return valid(C_QTY, r) && ival(&fx.cols[C_QTY], r) <= 2; }

/* decimal(15,2) = 0.050 (scale 3) holds for 0.05 [SCAN-2]. */
static dps_node *b_dec_eq_050(dps_query *q) {
  return dps_q_in(q, dps_q_column(q, "disc"),
                  (dps_node *const[]){dps_q_decimal(q, 50, 3), dps_q_decimal(q, 1, 1)}, 2);
}
static int o_dec_eq_050(size_t r) {
  int64_t v = ival(&fx.cols[C_DISC], r);
  return v == 5 || v == 10;
}

/* NaN = NaN, whatever the payload; -0.0 = 0.0 [SCAN-3]. */
static dps_node *b_nan_zero(dps_query *q) {
  return dps_q_or(q, dps_q_cmp(q, DPS_EQ, dps_q_column(q, "f64"),
                               dps_q_float(q, tu_f64_of(UINT64_C(0xFFF8000000000123)))),
                  dps_q_cmp(q, DPS_EQ, dps_q_column(q, "f32"), dps_q_float(q, -0.0)));
}
static int o_nan_zero(size_t r) {
  return (valid(C_F64, r) && isnan(fval(&fx.cols[C_F64], r))) ||
         (valid(C_F32, r) && fval(&fx.cols[C_F32], r) == 0.0);
}

/* NaN is above +Inf [SCAN-3]. */
static dps_node *b_above_inf(dps_query *q) {
  return dps_q_cmp(q, DPS_GT, dps_q_column(q, "f32"), dps_q_float(q, INFINITY));
}
static int o_above_inf(size_t r) { return valid(C_F32, r) && isnan(fval(&fx.cols[C_F32], r)); }

/* A date on a timestamp column is its midnight UTC [SCAN-2]. */
static dps_node *b_ts_date(dps_query *q) {
  return dps_q_between(q, dps_q_column(q, "ts"), dps_q_date(q, 10100), dps_q_date(q, 10101));
}
static int o_ts_date(size_t r) {
  int64_t t = ival(&fx.cols[C_TS], r);
  return valid(C_TS, r) && t >= 10100 * US_PER_DAY && t <= 10101 * US_PER_DAY;
}

/* Every value starts with "" (nulls do not) [SCAN-4]. */
static dps_node *b_starts_empty(dps_query *q) {
  return dps_q_starts_with(q, dps_q_column(q, "s"), dps_q_string(q, "", 0));
}
static int o_starts_empty(size_t r) { return valid(C_S, r); }

/* Multi-byte prefix [SCAN-4]. */
static dps_node *b_starts_mb(dps_query *q) {
  return dps_q_starts_with(q, dps_q_column(q, "s"), dps_q_string(q, "\xC3\xA9", 2));
}
static int o_starts_mb(size_t r) {
  size_t n;
  const uint8_t *p = bval(&fx.cols[C_S], r, &n);
  return valid(C_S, r) && n >= 2 && p[0] == 0xC3 && p[1] == 0xA9;
}

/* Bytes compare unsigned: 0x80 > 0x7F [SCAN-4]. */
static dps_node *b_bin_unsigned(dps_query *q) {
  return dps_q_cmp(q, DPS_GE, dps_q_column(q, "bin"), dps_q_string(q, "\x80", 1));
}
static int o_bin_unsigned(size_t r) {
  size_t n;
  const uint8_t *p = bval(&fx.cols[C_BIN], r, &n);
  return valid(C_BIN, r) && n >= 1 && p[0] >= 0x80;
}

/* Long values beyond the 64-byte zone-map bounds [FMT-36]. */
static dps_node *b_bin_long(dps_query *q) {
  uint8_t ff[65];
  memset(ff, 0xFF, sizeof ff);
  return dps_q_cmp(q, DPS_GT, dps_q_column(q, "bin"), dps_q_string(q, (const char *)ff, 65));
}
static int o_bin_long(size_t r) {
  size_t n;
  const uint8_t *p = bval(&fx.cols[C_BIN], r, &n);
  uint8_t ff[65];
  memset(ff, 0xFF, sizeof ff);
  return valid(C_BIN, r) && bytes_cmp(p, n, ff, 65) > 0;
}

/* An int literal is exact even beside a float literal in one list
 * [SCAN-2, SCAN-3]: i64 in (v + 1, 0.5) must not select v where v and
 * v + 1 are the same double (|v| > 2^53). */
static int64_t g_big;
static uint64_t g_ubig;
static dps_node *b_in_mixed(dps_query *q) {
  return dps_q_in(q, dps_q_column(q, "i64"),
                  (dps_node *const[]){dps_q_int(q, g_big + 1), dps_q_float(q, 0.5)}, 2);
}
static int o_in_mixed(size_t r) {
  return valid(C_I64, r) && ival(&fx.cols[C_I64], r) == g_big + 1;
}
static dps_node *b_in_mixed_u(dps_query *q) {
  return dps_q_in(q, dps_q_column(q, "u64"),
                  (dps_node *const[]){dps_q_float(q, -2.5), dps_q_uint(q, g_ubig - 1)}, 2);
}
static int o_in_mixed_u(size_t r) {
  return valid(C_U64, r) && uval(&fx.cols[C_U64], r) == g_ubig - 1;
}
/* The same value alone is exact: = v + 1 selects nothing. */
static dps_node *b_eq_big(dps_query *q) {
  return dps_q_cmp(q, DPS_EQ, dps_q_column(q, "i64"), dps_q_int(q, g_big + 1));
}

/* Bools: false < true [SCAN-4]. */
static dps_node *b_bool_lt(dps_query *q) {
  return dps_q_cmp(q, DPS_LT, dps_q_column(q, "b"), dps_q_bool(q, 1));
}
static int o_bool_lt(size_t r) { return valid(C_B, r) && ival(&fx.cols[C_B], r) == 0; }

/* An all-null row group of the column selects nothing but null tests. */
static dps_node *b_sparse(dps_query *q) {
  return dps_q_or(q, dps_q_cmp(q, DPS_GE, dps_q_column(q, "sparse"), dps_q_int(q, 10)),
                  dps_q_and(q, dps_q_is_null(q, dps_q_column(q, "sparse")),
                            dps_q_cmp(q, DPS_LT, dps_q_column(q, "id"), dps_q_int(q, 5000))));
}
static int o_sparse(size_t r) {
  if (!valid(C_SPARSE, r)) return 2 * r < 5000;
  return ival(&fx.cols[C_SPARSE], r) >= 10;
}

/* Ranges on one column under AND (merged into one test by the engine),
 * with nulls and a NOT between. */
static dps_node *b_merged(dps_query *q) {
  /* i32 holds INT32_MIN, -7, 0, 3, 42, 1000, INT32_MAX: -7, 0 and 42
   * pass. */
  dps_node *range = dps_q_and(q, dps_q_cmp(q, DPS_GE, dps_q_column(q, "i32"), dps_q_int(q, -10)),
                              dps_q_cmp(q, DPS_LT, dps_q_column(q, "i32"), dps_q_int(q, 1000)));
  return dps_q_and(q, range,
                   dps_q_not(q, dps_q_between(q, dps_q_column(q, "i32"),
                                              dps_q_int(q, 1), dps_q_int(q, 41))));
}
static int o_merged(size_t r) {
  if (!valid(C_I32, r)) return 0;
  int64_t v = ival(&fx.cols[C_I32], r);
  return v >= -10 && v < 1000 && !(v >= 1 && v <= 41);
}
/* NaN passes > 1.5 (NaN is the greatest) but not <= 1e300. */
static dps_node *b_merged_f(dps_query *q) {
  return dps_q_and(q, dps_q_cmp(q, DPS_GT, dps_q_column(q, "f64"), dps_q_float(q, 1.5)),
                   dps_q_cmp(q, DPS_LE, dps_q_column(q, "f64"), dps_q_float(q, 1e300)));
}
static int o_merged_f(size_t r) {
  if (!valid(C_F64, r)) return 0;
  double v = fval(&fx.cols[C_F64], r);
  return !isnan(v) && v > 1.5 && v <= 1e300;
}

static void test_scan__rows_rules(void **state) {
  (void)state;
  static const int proj[] = {C_ID, C_S, C_F64};
  static const struct {
    const char *what;
    dps_node *(*build)(dps_query *);
    int (*oracle)(size_t);
  } cases[] = {
      {"not (i8 > 0) on nulls", b_not_null_cmp, o_not_null_cmp},
      {"i8 > 0 or i8 <= 0 on nulls", b_tautology, o_tautology},
      {"u64 > -1", b_u64_gt_minus1, o_u64_gt_minus1},
      {"qty < 2.5", b_int_lt_dec, o_int_lt_dec},
      {"disc in (0.050, 0.1)", b_dec_eq_050, o_dec_eq_050},
      {"f64 = NaN(other payload) or f32 = -0.0", b_nan_zero, o_nan_zero},
      {"f32 > +Inf", b_above_inf, o_above_inf},
      {"ts between date 10100 and date 10101", b_ts_date, o_ts_date},
      {"starts_with(s, '')", b_starts_empty, o_starts_empty},
      {"starts_with(s, e-acute)", b_starts_mb, o_starts_mb},
      {"bin >= x80", b_bin_unsigned, o_bin_unsigned},
      {"bin > 65 x ff", b_bin_long, o_bin_long},
      {"b < true", b_bool_lt, o_bool_lt},
      {"sparse >= 10 or (sparse is null and id < 5000)", b_sparse, o_sparse},
      {"i64 = big + 1", b_eq_big, o_in_mixed},
      {"i64 in (big + 1, 0.5)", b_in_mixed, o_in_mixed},
      {"u64 in (-2.5, ubig - 1)", b_in_mixed_u, o_in_mixed_u},
      {"i32 >= -10 and i32 < 1000 and not (i32 between 1 and 41)", b_merged, o_merged},
      {"f64 > 1.5 and f64 <= 1e300", b_merged_f, o_merged_f},
  };
  /* A value above 2^60 whose neighbour is not in the data. */
  g_big = 0;
  g_ubig = 0;
  for (size_t r = 0; r < N_ROWS && (g_big == 0 || g_ubig == 0); r++) {
    int64_t v = ival(&fx.cols[C_I64], r);
    uint64_t u = uval(&fx.cols[C_U64], r);
    if (g_big == 0 && valid(C_I64, r) && v > (INT64_C(1) << 60) && v < INT64_MAX - 2)
      g_big = v;
    if (g_ubig == 0 && valid(C_U64, r) && u > (UINT64_C(1) << 62) && u < UINT64_MAX)
      g_ubig = u;
  }
  assert_true(g_big != 0 && g_ubig != 0);
  size_t n = sizeof cases / sizeof cases[0];
  for (size_t k = 0; k < n; k++)
    check_pred(cases[k].what, cases[k].build, cases[k].oracle, proj, 3);
  cases_done("rows rules", (int)n);
}

/* ---- aggregates ----------------------------------------------------------------- */

typedef enum ekind { E_COL, E_INT, E_UINT, E_DEC, E_FLOAT, E_ARITH } ekind;

typedef struct aexpr {
  ekind k;
  int col;
  int64_t i;
  uint64_t u;
  int scale;
  double f;
  dps_arith_op op;
  const struct aexpr *a, *b;
} aexpr;

typedef struct aggdef {
  dps_agg_fn fn;
  const aexpr *e; /* NULL for COUNT_STAR */
} aggdef;

#define POOL_MAX 160
static aexpr pool[POOL_MAX];
static size_t n_pool;

/* A zeroed expression of kind k from the pool. */
static aexpr *new_aexpr(ekind k) {
  assert_true(n_pool < POOL_MAX);
  aexpr *x = &pool[n_pool++];
  memset(x, 0, sizeof *x);
  x->k = k;
  return x;
}

static const aexpr *ecol(int ci) {
  aexpr *x = new_aexpr(E_COL);
  x->col = ci;
  return x;
}
static const aexpr *eint(int64_t v) {
  aexpr *x = new_aexpr(E_INT);
  x->i = v;
  return x;
}
static const aexpr *euint(uint64_t v) {
  aexpr *x = new_aexpr(E_UINT);
  x->u = v;
  return x;
}
static const aexpr *edec(int64_t v, int s) {
  aexpr *x = new_aexpr(E_DEC);
  x->i = v;
  x->scale = s;
  return x;
}
static const aexpr *eflt(double v) {
  aexpr *x = new_aexpr(E_FLOAT);
  x->f = v;
  return x;
}
static const aexpr *ear(dps_arith_op op, const aexpr *a, const aexpr *b) {
  aexpr *x = new_aexpr(E_ARITH);
  x->op = op;
  x->a = a;
  x->b = b;
  return x;
}

static void expr_text(sbuf *b, const aexpr *e) {
  switch (e->k) {
    case E_COL: sb_add(b, "%s", defs[e->col].name); break;
    case E_INT: sb_add(b, "%" PRId64, e->i); break;
    case E_UINT: sb_add(b, "%" PRIu64 "u", e->u); break;
    case E_DEC: sb_add(b, "dec(%" PRId64 ",%d)", e->i, e->scale); break;
    case E_FLOAT: sb_add(b, "%.17gf", e->f); break;
    case E_ARITH:
      sb_add(b, "(");
      expr_text(b, e->a);
      sb_add(b, " %s ", e->op == DPS_ADD ? "+" : e->op == DPS_SUB ? "-" : "*");
      expr_text(b, e->b);
      sb_add(b, ")");
      break;
  }
}

static dps_node *expr_memo[POOL_MAX];

static void memo_reset(int share) {
  g_share = share;
  memset(col_memo, 0, sizeof col_memo);
  memset(expr_memo, 0, sizeof expr_memo);
}

static dps_node *expr_node(dps_query *q, const aexpr *e) {
  size_t at = (size_t)(e - pool);
  if (g_share && expr_memo[at]) return expr_memo[at];
  dps_node *n = NULL;
  switch (e->k) {
    case E_COL: return col_node(q, e->col);
    case E_INT: n = dps_q_int(q, e->i); break;
    case E_UINT: n = dps_q_uint(q, e->u); break;
    case E_DEC: n = dps_q_decimal(q, e->i, e->scale); break;
    case E_FLOAT: n = dps_q_float(q, e->f); break;
    case E_ARITH:
      n = dps_q_arith(q, e->op, expr_node(q, e->a), expr_node(q, e->b));
      break;
  }
  if (g_share) expr_memo[at] = n;
  return n;
}

/* Static type of an expression [SCAN-21]: float, or exact with a scale. */
static void expr_info(const aexpr *e, int *isf, int *scale) {
  int fa, sa, fb, sb;
  switch (e->k) {
    case E_COL: {
      kind k = kind_of(defs[e->col].type);
      *isf = k == K_FLOAT;
      *scale = k == K_DEC ? defs[e->col].scale : 0;
      return;
    }
    case E_INT: case E_UINT: *isf = 0; *scale = 0; return;
    case E_DEC: *isf = 0; *scale = e->scale; return;
    case E_FLOAT: *isf = 1; *scale = 0; return;
    case E_ARITH:
      expr_info(e->a, &fa, &sa);
      expr_info(e->b, &fb, &sb);
      *isf = fa || fb;
      *scale = e->op == DPS_MUL ? sa + sb : (sa > sb ? sa : sb);
      return;
  }
}

/* A value of an expression in one row. */
typedef struct ov {
  int null;
  int isf;
  i128 x; /* exact: unscaled */
  double f;
} ov;

static int fits64(i128 x) { return x >= INT64_MIN && x <= INT64_MAX; }

static double exact_to_double(i128 x, int scale) {
  return scale ? (double)x / p10d(scale) : (double)x;
}

/* Evaluates e in row r [SCAN-21]; *overflow is set when an exact result
 * does not fit in signed 64 bits. */
static ov eval_expr(const aexpr *e, size_t r, int *overflow) {
  ov v;
  memset(&v, 0, sizeof v);
  switch (e->k) {
    case E_COL: {
      const tu_column *c = &fx.cols[e->col];
      if (!tu_column_is_valid(c, r)) {
        v.null = 1;
        return v;
      }
      kind k = kind_of(c->type);
      if (k == K_FLOAT) {
        v.isf = 1;
        v.f = fval(c, r);
      } else if (k == K_UINT) {
        v.x = uval(c, r);
      } else {
        v.x = ival(c, r);
      }
      return v;
    }
    case E_INT: v.x = e->i; return v;
    case E_UINT: v.x = e->u; return v;
    case E_DEC: v.x = e->i; return v;
    case E_FLOAT: v.isf = 1; v.f = e->f; return v;
    case E_ARITH: break;
  }
  ov a = eval_expr(e->a, r, overflow), b = eval_expr(e->b, r, overflow);
  if (a.null || b.null) {
    v.null = 1;
    return v;
  }
  int fa, sa, fb, sb;
  expr_info(e->a, &fa, &sa);
  expr_info(e->b, &fb, &sb);
  if (fa || fb) {
    double da = fa ? a.f : exact_to_double(a.x, sa);
    double db = fb ? b.f : exact_to_double(b.x, sb);
    v.isf = 1;
    v.f = e->op == DPS_ADD ? da + db : e->op == DPS_SUB ? da - db : da * db;
    return v;
  }
  if (!fits64(a.x) || !fits64(b.x)) *overflow = 1;
  if (e->op == DPS_MUL) {
    v.x = a.x * b.x;
  } else {
    int m = sa > sb ? sa : sb;
    i128 xa = a.x * p10(m - sa), xb = b.x * p10(m - sb);
    if (!fits64(xa) || !fits64(xb)) *overflow = 1;
    v.x = e->op == DPS_ADD ? xa + xb : xa - xb;
  }
  if (!fits64(v.x)) *overflow = 1;
  return v;
}

/* An expected result value. */
typedef struct want {
  int null;
  dps_type type;
  int or_dec0;  /* INT64 expected, DECIMAL of scale 0 accepted too */
  int scale;    /* DECIMAL */
  int exact128; /* compare i and i_hi with x */
  i128 x;       /* signed values, bool, date, timestamp, decimal */
  uint64_t u;   /* unsigned */
  double f;     /* floats */
  int approx;   /* floats within 1e-9 relative */
  const uint8_t *p;
  size_t n;
} want;

static want want_cell(int ci, size_t r) {
  want w;
  memset(&w, 0, sizeof w);
  const tu_column *c = &fx.cols[ci];
  w.type = c->type;
  if (!tu_column_is_valid(c, r)) {
    w.null = 1;
    return w;
  }
  switch (kind_of(c->type)) {
    case K_UINT: w.u = uval(c, r); break;
    case K_FLOAT: w.f = fval(c, r); break;
    case K_BYTES: w.p = bval(c, r, &w.n); break;
    case K_DEC: w.scale = defs[ci].scale; w.x = ival(c, r); break;
    default: w.x = ival(c, r); break;
  }
  return w;
}

static int feq(double a, double b, int approx) {
  if (isnan(a) || isnan(b)) return isnan(a) && isnan(b);
  if (a == b) return 1;
  if (!approx || isinf(a) || isinf(b)) return 0;
  double m = fabs(a) > fabs(b) ? fabs(a) : fabs(b);
  return fabs(a - b) <= 1e-9 * m;
}

static void value_text(sbuf *b, const dps_value *v) {
  if (v->is_null) {
    sb_add(b, "NULL");
    return;
  }
  sb_add(b, "%s", dps_type_name(v->type));
  switch (kind_of(v->type)) {
    case K_UINT: sb_add(b, " u=%" PRIu64, v->u); break;
    case K_FLOAT: sb_add(b, " f=%.17g", v->f); break;
    case K_BYTES: sb_add(b, " "); sb_bytes(b, v->bytes, v->len); break;
    default:
      sb_add(b, " i=%" PRId64 " i_hi=%" PRId64 " scale=%d", v->i, v->i_hi, v->scale);
      break;
  }
}

static void want_text(sbuf *b, const want *w) {
  if (w->null) {
    sb_add(b, "NULL");
    return;
  }
  sb_add(b, "%s", dps_type_name(w->type));
  switch (kind_of(w->type)) {
    case K_UINT: sb_add(b, " u=%" PRIu64, w->u); break;
    case K_FLOAT: sb_add(b, " f=%.17g", w->f); break;
    case K_BYTES: sb_add(b, " "); sb_bytes(b, w->p, w->n); break;
    default:
      sb_add(b, " i=%" PRId64 " i_hi=%" PRId64 " scale=%d",
             (int64_t)(uint64_t)(w->x & (i128)UINT64_MAX), (int64_t)(w->x >> 64),
             w->scale);
      break;
  }
}

static int value_matches(const dps_value *v, const want *w) {
  if (v->is_null != w->null) return 0;
  if (w->null) return 1;
  if (v->type != w->type &&
      !(w->or_dec0 && v->type == DPS_TYPE_DECIMAL && v->scale == 0))
    return 0;
  if (v->type == DPS_TYPE_DECIMAL && v->scale != w->scale) return 0;
  switch (kind_of(v->type)) {
    case K_UINT: return v->u == w->u;
    case K_FLOAT: return feq(v->f, w->f, w->approx);
    case K_BYTES:
      return v->len == w->n && (w->n == 0 || memcmp(v->bytes, w->p, w->n) == 0);
    default:
      if ((uint64_t)v->i != (uint64_t)(w->x & (i128)UINT64_MAX)) return 0;
      return !w->exact128 || v->i_hi == (int64_t)(w->x >> 64);
  }
}

/* One aggregate over the rows rows[0..n) of a group, in row order. */
static want agg_want(const aggdef *a, const size_t *rows, size_t n,
                     const char *ctx) {
  want w;
  memset(&w, 0, sizeof w);
  if (a->fn == DPS_AGG_COUNT_STAR) {
    w.type = DPS_TYPE_INT64;
    w.x = (i128)n;
    return w;
  }
  int isf, scale, overflow = 0;
  expr_info(a->e, &isf, &scale);
  uint64_t count = 0;
  i128 isum = 0;
  double ftotal = 0.0, fpart = 0.0;
  size_t part_rg = SIZE_MAX;
  ov best;
  size_t best_row = 0;
  memset(&best, 0, sizeof best);
  for (size_t k = 0; k < n; k++) {
    ov v = eval_expr(a->e, rows[k], &overflow);
    if (v.null) continue;
    count++;
    if (isf) {
      /* [SCAN-22] in row order per row group, then in row-group order. */
      size_t rg = rows[k] / RG_ROWS;
      if (rg != part_rg) {
        if (part_rg != SIZE_MAX) ftotal += fpart;
        fpart = 0.0;
        part_rg = rg;
      }
      fpart += v.f;
    } else {
      isum += v.x;
    }
    if (count == 1) {
      best = v;
      best_row = rows[k];
    } else {
      int c;
      if (a->e->k == E_COL) c = cmp_cells(a->e->col, rows[k], best_row);
      else c = isf ? fcmp_total(v.f, best.f) : cmp3(v.x, best.x);
      if ((a->fn == DPS_AGG_MIN && c < 0) || (a->fn == DPS_AGG_MAX && c > 0)) {
        best = v;
        best_row = rows[k];
      }
    }
  }
  if (part_rg != SIZE_MAX) ftotal += fpart;
  if (overflow) fail_msg("%s\n  the test's data overflows an expression", ctx);
  if (a->fn == DPS_AGG_COUNT) {
    w.type = DPS_TYPE_INT64;
    w.x = (i128)count;
    return w;
  }
  if (count == 0) {
    w.null = 1;
    return w;
  }
  switch (a->fn) {
    case DPS_AGG_SUM:
      if (isf) {
        w.type = DPS_TYPE_FLOAT64;
        w.f = ftotal;
        w.approx = 1;
      } else {
        int dec = scale > 0 || (a->e->k == E_COL && kind_of(defs[a->e->col].type) == K_DEC);
        w.type = dec ? DPS_TYPE_DECIMAL : DPS_TYPE_INT64;
        w.or_dec0 = !dec && a->e->k == E_ARITH;
        w.scale = scale;
        w.exact128 = 1;
        w.x = isum;
      }
      return w;
    case DPS_AGG_AVG:
      /* [SCAN-23] the exact sum as a double, / count, / 10^scale. */
      w.type = DPS_TYPE_FLOAT64;
      w.approx = 1;
      w.f = isf ? ftotal / (double)count
                : (double)isum / (double)count / p10d(scale);
      return w;
    default: /* MIN, MAX [SCAN-24] */
      if (a->e->k == E_COL) return want_cell(a->e->col, best_row);
      if (isf) {
        w.type = DPS_TYPE_FLOAT64;
        w.f = best.f;
      } else {
        w.type = scale > 0 ? DPS_TYPE_DECIMAL : DPS_TYPE_INT64;
        w.or_dec0 = scale == 0;
        w.scale = scale;
        w.x = best.x;
      }
      return w;
  }
}

/* Group keys, nulls last [SCAN-25]. */
static int cmp_key(int ci, size_t r1, size_t r2) {
  int v1 = valid(ci, r1), v2 = valid(ci, r2);
  if (!v1 || !v2) return v1 == v2 ? 0 : (v1 ? -1 : 1);
  return cmp_cells(ci, r1, r2);
}

static const int *sort_keys;
static size_t sort_n_keys;

static int cmp_rows_by_key(const void *pa, const void *pb) {
  size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
  for (size_t k = 0; k < sort_n_keys; k++) {
    int c = cmp_key(sort_keys[k], a, b);
    if (c) return c;
  }
  return (a > b) - (a < b); /* row order inside a group */
}

typedef struct aggcase {
  const ptree *where;
  aggdef aggs[8];
  size_t n_aggs;
  int gb[3];
  size_t n_gb;
  int share; /* nodes shared inside the query (col_node) */
} aggcase;

static int same_key(const aggcase *ac, size_t r1, size_t r2) {
  for (size_t k = 0; k < ac->n_gb; k++)
    if (cmp_key(ac->gb[k], r1, r2) != 0) return 0;
  return 1;
}

typedef struct agg_expect {
  size_t rows, cols;
  want *w; /* rows * cols */
} agg_expect;

static void agg_oracle(const aggcase *ac, agg_expect *x, const char *ctx) {
  size_t *sel = malloc(N_ROWS * sizeof *sel);
  assert_non_null(sel);
  size_t n = oracle_select(ac->where, sel);
  sort_keys = ac->gb;
  sort_n_keys = ac->n_gb;
  if (ac->n_gb) qsort(sel, n, sizeof *sel, cmp_rows_by_key);
  x->cols = ac->n_gb + ac->n_aggs;
  x->rows = 0;
  x->w = calloc((n + 1) * x->cols, sizeof *x->w);
  assert_non_null(x->w);
  /* Without group_by one row, even over no row [SCAN-20]; with it one
   * row per distinct key, in key order [SCAN-25]. */
  size_t start = 0;
  while (ac->n_gb == 0 ? x->rows == 0 : start < n) {
    size_t end = ac->n_gb ? start + 1 : n;
    while (end < n && ac->n_gb && same_key(ac, sel[start], sel[end])) end++;
    want *row = &x->w[x->rows * x->cols];
    for (size_t k = 0; k < ac->n_gb; k++) row[k] = want_cell(ac->gb[k], sel[start]);
    for (size_t k = 0; k < ac->n_aggs; k++)
      row[ac->n_gb + k] = agg_want(&ac->aggs[k], sel + start, end - start, ctx);
    x->rows++;
    start = end;
  }
  free(sel);
}

static const char *agg_ctx(const char *what, uint64_t seed, const aggcase *ac) {
  sbuf b = {ctx_buf, sizeof ctx_buf, 0};
  sb_add(&b, "%s, seed %" PRIu64 "\n  where ", what, seed);
  if (ac->where) tree_text(&b, ac->where, ac->where->root);
  else sb_add(&b, "(none)");
  sb_add(&b, "\n  group by ");
  for (size_t k = 0; k < ac->n_gb; k++)
    sb_add(&b, "%s%s", k ? "," : "", defs[ac->gb[k]].name);
  sb_add(&b, "\n  aggregates ");
  static const char *const fns[] = {"", "count(*)", "count", "sum", "min", "max", "avg"};
  for (size_t k = 0; k < ac->n_aggs; k++) {
    sb_add(&b, "%s%s", k ? ", " : "", fns[ac->aggs[k].fn]);
    if (ac->aggs[k].e) {
      sb_add(&b, "(");
      expr_text(&b, ac->aggs[k].e);
      sb_add(&b, ")");
    }
  }
  return ctx_buf;
}

/* Opens and runs an aggregate scan of ac. */
static dps_status agg_run(const aggcase *ac, unsigned threads, dps_query **qo,
                          dps_scan **so_out, size_t *rows, size_t *cols,
                          dps_error *e) {
  TU_OK(dps_query_new(qo, e), e);
  dps_query *q = *qo;
  memo_reset(ac->share);
  dps_agg aggs[8];
  for (size_t k = 0; k < ac->n_aggs; k++) {
    aggs[k].fn = ac->aggs[k].fn;
    aggs[k].arg = ac->aggs[k].e ? expr_node(q, ac->aggs[k].e) : NULL;
  }
  const char *gb[3];
  for (size_t k = 0; k < ac->n_gb; k++) gb[k] = defs[ac->gb[k]].name;
  dps_scan_options so = DPS_SCAN_OPTIONS_INIT;
  so.where = ac->where ? pred_node(q, ac->where, ac->where->root) : NULL;
  so.threads = threads;
  so.aggs = aggs;
  so.n_aggs = ac->n_aggs;
  so.group_by = ac->n_gb ? gb : NULL;
  so.n_group_by = ac->n_gb;
  *so_out = NULL;
  dps_status st = dps_scan_open(so_out, fx.reader, &so, e);
  if (st != DPS_OK) return st;
  return dps_scan_aggregate(*so_out, rows, cols, e);
}

/* A string of every result value, for bit-for-bit comparisons. */
static char *agg_fingerprint(const dps_scan *s, size_t rows, size_t cols) {
  size_t cap = (rows * cols + 1) * 160;
  char *out = malloc(cap);
  assert_non_null(out);
  out[0] = '\0';
  sbuf b = {out, cap, 0};
  for (size_t r = 0; r < rows; r++)
    for (size_t c = 0; c < cols; c++) {
      dps_value v;
      TU_OK(dps_scan_value(s, r, c, &v), NULL);
      if (v.is_null) {
        sb_add(&b, "N|");
        continue;
      }
      sb_add(&b, "%d:%d:", (int)v.type, v.scale);
      switch (kind_of(v.type)) {
        case K_UINT: sb_add(&b, "%" PRIu64 "|", v.u); break;
        case K_FLOAT: sb_add(&b, "%016" PRIx64 "|", tu_f64_bits(v.f)); break;
        case K_BYTES:
          for (size_t i = 0; i < v.len; i++) sb_add(&b, "%02x", v.bytes[i]);
          sb_add(&b, "|");
          break;
        default: sb_add(&b, "%" PRId64 ":%" PRId64 "|", v.i, v.i_hi); break;
      }
    }
  return out;
}

/* Runs ac and compares with the oracle's x; returns the fingerprint. */
static char *check_agg(const aggcase *ac, const agg_expect *x, unsigned threads,
                       const char *ctx) {
  dps_error e;
  tu_err_reset(&e);
  dps_query *q = NULL;
  dps_scan *s = NULL;
  size_t rows = 0, cols = 0;
  trace(ctx);
  dps_status st = agg_run(ac, threads, &q, &s, &rows, &cols, &e);
  char *fp = NULL;
  int ok = 1;
  if (st != DPS_OK)
    ok = bad("%s\n  threads %u: %d (%s) \"%s\"", ctx, threads, (int)st,
             dps_strerror(st), e.message);
  else if (cols != x->cols || rows != x->rows)
    ok = bad("%s\n  threads %u: result %zu x %zu, expected %zu x %zu", ctx,
             threads, rows, cols, x->rows, x->cols);
  for (size_t r = 0; ok && r < rows; r++)
    for (size_t c = 0; ok && c < cols; c++) {
      dps_value v;
      TU_OK(dps_scan_value(s, r, c, &v), NULL);
      const want *w = &x->w[r * cols + c];
      if (!value_matches(&v, w)) {
        char t1[400], t2[400];
        sbuf b1 = {t1, sizeof t1, 0}, b2 = {t2, sizeof t2, 0};
        value_text(&b1, &v);
        want_text(&b2, w);
        ok = bad("%s\n  threads %u: row %zu column %zu: got %s, expected %s",
                 ctx, threads, r, c, t1, t2);
      }
    }
  if (ok) fp = agg_fingerprint(s, rows, cols);
  dps_scan_free(s);
  dps_query_free(q);
  return fp;
}

/* The aggregates random cases draw from: columns and arithmetic. */
static aggdef agg_menu[192];
static size_t n_agg_menu;

static void add_menu(dps_agg_fn fn, const aexpr *e) {
  assert_true(n_agg_menu < sizeof agg_menu / sizeof agg_menu[0]);
  agg_menu[n_agg_menu].fn = fn;
  agg_menu[n_agg_menu].e = e;
  n_agg_menu++;
}

static void build_menu(void) {
  n_pool = 0;
  n_agg_menu = 0;
  static const int numeric[] = {C_I8, C_I16, C_I32, C_I64, C_U8, C_U32,
                                C_U64, C_DEC, C_PX, C_QTY, C_SPARSE, C_FM,
                                C_F32, C_F64};
  static const int ordered_only[] = {C_B, C_DAY, C_TS, C_S, C_TXT, C_BIN, C_U16};
  add_menu(DPS_AGG_COUNT_STAR, NULL);
  add_menu(DPS_AGG_COUNT, ecol(C_I8));
  add_menu(DPS_AGG_COUNT, ecol(C_SPARSE));
  add_menu(DPS_AGG_COUNT, ecol(C_S));
  for (size_t k = 0; k < sizeof numeric / sizeof numeric[0]; k++) {
    const aexpr *c = ecol(numeric[k]);
    add_menu(DPS_AGG_SUM, c);
    add_menu(DPS_AGG_AVG, c);
    add_menu(DPS_AGG_MIN, c);
    add_menu(DPS_AGG_MAX, c);
  }
  for (size_t k = 0; k < sizeof ordered_only / sizeof ordered_only[0]; k++) {
    const aexpr *c = ecol(ordered_only[k]);
    add_menu(DPS_AGG_MIN, c);
    add_menu(DPS_AGG_MAX, c);
  }
  const aexpr *px = ecol(C_PX), *qty = ecol(C_QTY), *disc = ecol(C_DISC);
  const aexpr *one_minus_disc = ear(DPS_SUB, eint(1), disc);
  const aexpr *ar[] = {
      ear(DPS_MUL, qty, px),                                    /* scale 2 */
      ear(DPS_MUL, one_minus_disc, px),                         /* scale 4 */
      ear(DPS_MUL, ear(DPS_MUL, px, one_minus_disc),
          ear(DPS_ADD, eint(1), disc)),                         /* scale 6 */
      ear(DPS_SUB, px, disc),
      ear(DPS_ADD, ecol(C_I16), eint(7)),
      ear(DPS_MUL, ecol(C_I32), ecol(C_I16)),
      ear(DPS_SUB, ecol(C_I16), qty),                           /* nulls */
      ear(DPS_SUB, eint(2), ecol(C_I8)),
      ear(DPS_MUL, ecol(C_U32), eint(2)),
      ear(DPS_MUL, ecol(C_DEC), edec(3, 1)),                    /* scale 3 */
      ear(DPS_ADD, ecol(C_DEC), eint(1)),
      ear(DPS_MUL, ecol(C_FM), qty),                            /* double */
      ear(DPS_ADD, ecol(C_DEC), eflt(0.5)),                     /* double */
      ear(DPS_MUL, ecol(C_F32), px),                            /* double */
      ear(DPS_MUL, ecol(C_FM), one_minus_disc),                 /* double */
      /* [SCAN-21]: with a float on a side the arithmetic is on doubles,
       * so uint64 values and literals beyond int64 are fine there. */
      ear(DPS_MUL, ecol(C_U64), eflt(0.5)),
      ear(DPS_ADD, ecol(C_FM), euint(UINT64_C(10000000000000000000))),
      /* A decimal literal beside a float: (double)unscaled / 10^scale
       * [SCAN-3], checked exactly through min and max. */
      ear(DPS_MUL, ecol(C_FM), edec(7, 2)),
      ear(DPS_ADD, ecol(C_FM), edec(123456789, 6)),
      ear(DPS_SUB, edec(-987654321, 5), ecol(C_F32)),
  };
  for (size_t k = 0; k < sizeof ar / sizeof ar[0]; k++) {
    add_menu(DPS_AGG_SUM, ar[k]);
    add_menu(DPS_AGG_AVG, ar[k]);
    add_menu(DPS_AGG_MIN, ar[k]);
    add_menu(DPS_AGG_MAX, ar[k]);
    add_menu(DPS_AGG_COUNT, ar[k]);
  }
}

/* Low-cardinality keys mostly (dictionaries), and keys of every other
 * kind: floats (-0.0 = 0.0 and NaN = NaN are one key each [SCAN-3]),
 * high-cardinality integers, strings and binary, dates, timestamps. */
static const int group_sets[][2] = {
    {-1, -1}, {C_S, -1}, {C_I32, -1}, {C_B, -1}, {C_U16, -1},
    {C_S, C_B}, {C_I32, C_S}, {C_B, C_U16}, {C_SPARSE, C_B}, {C_QTY, -1},
    {C_DISC, C_I32}, {C_F32, -1}, {C_F64, C_B}, {-1, -1}, {C_TXT, -1},
    {C_I64, C_U16}, {C_BIN, C_B}, {C_DAY, C_S}, {C_TS, -1}, {C_U64, -1}};
#define N_GROUP_SETS (sizeof group_sets / sizeof group_sets[0])

static void agg_case(uint64_t seed, aggcase *ac, ptree *t) {
  tu_rng g;
  tu_rng_seed(&g, seed);
  memset(ac, 0, sizeof *ac);
  ac->share = (int)((seed >> 1) & 1);
  const int *gs = group_sets[seed % N_GROUP_SETS];
  for (int k = 0; k < 2; k++)
    if (gs[k] >= 0) ac->gb[ac->n_gb++] = gs[k];
  ac->n_aggs = 1 + (size_t)tu_rng_below(&g, 6);
  for (size_t k = 0; k < ac->n_aggs; k++)
    ac->aggs[k] = agg_menu[tu_rng_below(&g, n_agg_menu)];
  if (tu_rng_chance(&g, 700)) {
    gen_tree(&g, t, 1 + (int)tu_rng_below(&g, 3));
    ac->where = t;
  }
}

/* [SCAN-20..25]: random aggregates, groupings and predicates. */
static void test_scan__aggregates_differential(void **state) {
  (void)state;
  build_menu();
  for (uint64_t k = 0; k < N_AGG_CASES; k++) {
    aggcase ac;
    ptree t;
    agg_case(SEED_AGGS + k, &ac, &t);
    const char *ctx = agg_ctx("aggregates differential", SEED_AGGS + k, &ac);
    agg_expect x;
    agg_oracle(&ac, &x, ctx);
    free(check_agg(&ac, &x, 1, ctx));
    free(x.w);
  }
  cases_done("aggregates differential", N_AGG_CASES);
}

/* Every aggregate of the menu at least once, grouped by s and by nothing:
 * the random cases may miss some. */
static void test_scan__aggregates_menu(void **state) {
  (void)state;
  build_menu();
  for (size_t gsel = 0; gsel < 3; gsel += 2) {
    for (size_t start = 0; start < n_agg_menu; start += 8) {
      aggcase ac;
      memset(&ac, 0, sizeof ac);
      if (gsel == 1) ac.gb[ac.n_gb++] = C_S;
      if (gsel == 2) {
        ac.gb[ac.n_gb++] = C_I32;
        ac.gb[ac.n_gb++] = C_B;
      }
      for (size_t k = start; k < n_agg_menu && ac.n_aggs < 8; k++)
        ac.aggs[ac.n_aggs++] = agg_menu[k];
      const char *ctx = agg_ctx("aggregates menu", start, &ac);
      agg_expect x;
      agg_oracle(&ac, &x, ctx);
      free(check_agg(&ac, &x, 1, ctx));
      free(x.w);
    }
  }
  cases_done("aggregates menu", (int)(2 * ((n_agg_menu + 7) / 8)));
}

/* [SCAN-20]: one row without group_by even when nothing matches; sum, min,
 * max, avg null, counts 0. With group_by: no row. */
static void test_scan__aggregates_empty(void **state) {
  (void)state;
  build_menu();
  ptree t;
  memset(&t, 0, sizeof t);
  t.len = 1;
  t.root = 0;
  t.n[0].k = P_CMP;
  t.n[0].col = C_ID;
  t.n[0].op = DPS_LT;
  t.n[0].n_lits = 1;
  set_int(&t.n[0].lits[0], -1);
  for (int grouped = 0; grouped < 2; grouped++) {
    aggcase ac;
    memset(&ac, 0, sizeof ac);
    ac.where = &t;
    if (grouped) ac.gb[ac.n_gb++] = C_S;
    static const dps_agg_fn fns[] = {DPS_AGG_COUNT_STAR, DPS_AGG_COUNT,
                                     DPS_AGG_SUM, DPS_AGG_MIN, DPS_AGG_MAX,
                                     DPS_AGG_AVG, DPS_AGG_SUM, DPS_AGG_SUM};
    const aexpr *args[] = {NULL, ecol(C_I8), ecol(C_I64), ecol(C_S), ecol(C_F64),
                           ecol(C_DEC), ecol(C_DEC), ecol(C_FM)};
    for (size_t k = 0; k < 8; k++) {
      ac.aggs[k].fn = fns[k];
      ac.aggs[k].e = args[k];
    }
    ac.n_aggs = 8;
    const char *ctx = agg_ctx("aggregates over no row", 0, &ac);
    agg_expect x;
    agg_oracle(&ac, &x, ctx);
    assert_int_equal(x.rows, grouped ? 0 : 1);
    free(check_agg(&ac, &x, 1, ctx));
    free(x.w);
  }
  cases_done("aggregates over no row", 2);
}

/* ---- ISAs and threads --------------------------------------------------------- */

/* [SCAN-11, SCAN-22]: under each ISA the CPU runs and 1..4 threads, rows
 * and aggregates are the oracle's; aggregate results are bit for bit those
 * of the scalar one-thread run; unordered threads give the same rows. */
static void test_scan__isa_and_threads(void **state) {
  (void)state;
  build_menu();
  const char *saved = getenv("DPSNAP_FORCE_ISA");
  char *saved_copy = saved ? strdup(saved) : NULL;
  enum { N_R = 8, N_A = 6 };
  agg_expect xs[N_A];
  aggcase acs[N_A];
  ptree ts[N_A];
  char *ref[N_A];
  char ref_what[N_A][96];
  for (size_t k = 0; k < N_A; k++) {
    agg_case(SEED_ISA + 100 + k, &acs[k], &ts[k]);
    agg_oracle(&acs[k], &xs[k], agg_ctx("isa", SEED_ISA + 100 + k, &acs[k]));
    ref[k] = NULL;
  }
  int ran = 0;
  for (int isa = 0; isa < DPS_ISA_COUNT; isa++) {
    if (!dps__isa_supported((dps_isa)isa)) continue;
    setenv("DPSNAP_FORCE_ISA", dps__isa_name((dps_isa)isa), 1);
    dps__isa_reset_for_tests();
    assert_int_equal(dps__isa_active(), isa);
    ran++;
    for (unsigned th = 1; th <= 4; th++) {
      char what[64];
      snprintf(what, sizeof what, "isa %s", dps__isa_name((dps_isa)isa));
      for (uint64_t k = 0; k < N_R; k++) {
        run_rows_case(SEED_ISA + k, th, 1, what);
        if (th > 1) run_rows_case(SEED_ISA + k, th, 0, what);
      }
      for (size_t k = 0; k < N_A; k++) {
        char label[96];
        snprintf(label, sizeof label, "%s, threads %u", what, th);
        const char *ctx = agg_ctx(label, SEED_ISA + 100 + k, &acs[k]);
        if (ref[k] == NULL) snprintf(ref_what[k], sizeof ref_what[k], "%s", label);
        char *fp = check_agg(&acs[k], &xs[k], th, ctx);
        if (fp == NULL) continue;
        if (ref[k] == NULL) {
          ref[k] = fp;
        } else {
          if (strcmp(fp, ref[k]) != 0)
            bad("%s\n  results differ from the first run (%s), bit for "
                "bit [SCAN-22]:\n  got  %s\n  want %s", ctx, ref_what[k], fp,
                ref[k]);
          free(fp);
        }
      }
    }
  }
  assert_true(ran >= 1);
  if (saved_copy) setenv("DPSNAP_FORCE_ISA", saved_copy, 1);
  else unsetenv("DPSNAP_FORCE_ISA");
  free(saved_copy);
  dps__isa_reset_for_tests();
  /* threads 0: one per online CPU. */
  for (uint64_t k = 0; k < N_R; k++) run_rows_case(SEED_ISA + k, 0, 1, "threads 0");
  for (size_t k = 0; k < N_A; k++) {
    free(ref[k]);
    free(xs[k].w);
  }
  cases_done("isa and threads", ran * 4 * (N_R * 2 + N_A) + N_R);
}

/* ---- limit ---------------------------------------------------------------------- */

/* [SCAN-12]: limit 0 = all; limit k = the first k selected rows in row
 * order (one thread, or ordered); unordered: k selected rows. */
static void test_scan__limit(void **state) {
  (void)state;
  ptree t;
  memset(&t, 0, sizeof t);
  t.len = 1;
  t.n[0].k = P_CMP;
  t.n[0].col = C_I16;
  t.n[0].op = DPS_GT;
  t.n[0].n_lits = 1;
  set_int(&t.n[0].lits[0], 0);
  size_t *sel = malloc(N_ROWS * sizeof *sel);
  assert_non_null(sel);
  size_t n_sel = oracle_select(&t, sel);
  assert_true(n_sel > 3000);
  static const int proj[] = {C_ID, C_I16, C_S};
  static const uint64_t limits[] = {0, 1, 7, 1023, 1024, 1025, 2049, 3000, 100000};
  static const struct { unsigned threads; int ordered; } modes[] = {
      {1, 0}, {1, 1}, {3, 1}, {2, 0}, {4, 0}};
  for (size_t m = 0; m < sizeof modes / sizeof modes[0]; m++) {
    for (size_t li = 0; li < sizeof limits / sizeof limits[0]; li++) {
      uint64_t lim = limits[li];
      size_t n_want = (lim == 0 || lim > n_sel) ? n_sel : (size_t)lim;
      char label[96];
      snprintf(label, sizeof label, "limit %" PRIu64 ", threads %u, ordered %d",
               lim, modes[m].threads, modes[m].ordered);
      const char *ctx = make_ctx(label, 0, &t, proj, 3);
      rows_out o;
      if (scan_rows(&t, proj, 3, lim, modes[m].threads, modes[m].ordered, &o,
                    ctx)) {
        if (modes[m].threads == 1 || modes[m].ordered)
          check_rows_ordered(&o, sel, n_want, ctx);
        else
          check_rows_unordered(&o, 0, sel, n_sel, n_want, ctx);
      }
      rows_out_free(&o);
    }
  }
  free(sel);
  cases_done("limit", 45);
}

/* ---- pruning and statistics ------------------------------------------------------ */

#define P_RG_ROWS 1024u
#define P_RGS 41u
#define P_ROWS (P_RGS * P_RG_ROWS)

static const tu_coldef prune_defs[] = {
    {"k", DPS_TYPE_INT64, 0, 0, 0},  /* = row: sorted */
    {"v", DPS_TYPE_INT32, 1, 0, 0},  /* nullable, no null */
    {"s", DPS_TYPE_STRING, 0, 0, 0}, /* 6 values: dictionary */
};
static const char *const prune_words[] = {"alpha", "beta", "gamma", "delta",
                                          "epsilon", "zeta"};

typedef struct prune_result {
  size_t rows;
  int64_t first_k, last_k;
  int in_order;
  dps_scan_stats st;
} prune_result;

static void prune_scan(dps_reader *r, dps_node *where, const char *const *cols,
                       size_t n_cols, prune_result *out) {
  dps_error e;
  tu_err_reset(&e);
  dps_scan_options so = DPS_SCAN_OPTIONS_INIT;
  so.columns = cols;
  so.n_columns = n_cols;
  so.where = where;
  so.threads = 1;
  dps_scan *s = NULL;
  TU_OK(dps_scan_open(&s, r, &so, &e), &e);
  memset(out, 0, sizeof *out);
  out->in_order = 1;
  int64_t prev = -1;
  for (;;) {
    const dps_batch *b = NULL;
    TU_OK(dps_scan_next(s, &b, &e), &e);
    if (b == NULL) break;
    dps_array_view v;
    TU_OK(dps_batch_column(b, 0, &v), NULL);
    for (size_t i = 0; i < v.length; i++) {
      int64_t k = ((const int64_t *)v.values)[i];
      if (out->rows == 0) out->first_k = k;
      if (k <= prev) out->in_order = 0;
      prev = out->last_k = k;
      out->rows++;
    }
  }
  TU_OK(dps_scan_stats_get(s, &out->st), NULL);
  dps_scan_free(s);
}

static void print_stats(const char *what, const dps_scan_stats *st) {
  print_message("  %-28s rg %" PRIu64 " pruned %" PRIu64 ", pages %" PRIu64
                " pruned %" PRIu64 " read %" PRIu64 ", vectors %" PRIu64
                " pruned %" PRIu64 " evaluated %" PRIu64 ", rows %" PRIu64
                " matched %" PRIu64 ", dict %" PRIu64 "\n",
                what, st->row_groups, st->row_groups_pruned, st->pages,
                st->pages_pruned, st->pages_read, st->vectors,
                st->vectors_pruned, st->vectors_evaluated, st->rows_scanned,
                st->rows_matched, st->dict_lookups);
}

/* [SCAN-20], [SCAN-22]: aggregates without a predicate or groups come
 * from whole pages (encoded sums where the scheme allows). Several
 * aggregates on one column, so a page summed for one is read again for
 * the next, on one and two threads. */
static void test_scan__whole_page_sums(void **state) {
  (void)state;
  tu_rng g;
  tu_rng_seed(&g, 78);
  tu_column cols[3];
  for (int c = 0; c < 3; c++) tu_column_init(&cols[c], prune_defs[c].type);
  int64_t sum_k = 0, sum_v = 0;
  for (size_t i = 0; i < P_ROWS; i++) {
    int64_t v = (int64_t)(tu_rng_next(&g) % 100000);
    tu_column_append_i64(&cols[0], (int64_t)i);
    tu_column_append_i64(&cols[1], v);
    tu_column_append_str(&cols[2], prune_words[tu_rng_below(&g, 6)]);
    sum_k += (int64_t)i;
    sum_v += v;
  }
  char path[512];
  write_file(path, sizeof path, "scan-sums.dps", prune_defs, cols, 3, P_RG_ROWS);
  dps_error e;
  tu_err_reset(&e);
  dps_reader *r = NULL;
  TU_OK(dps_reader_open(&r, path, NULL, &e), &e);
  for (unsigned threads = 1; threads <= 2; threads++) {
    dps_query *q = NULL;
    TU_OK(dps_query_new(&q, &e), &e);
    dps_agg aggs[6] = {{DPS_AGG_SUM, dps_q_column(q, "k")},
                       {DPS_AGG_AVG, dps_q_column(q, "k")},
                       {DPS_AGG_SUM, dps_q_column(q, "v")},
                       {DPS_AGG_COUNT, dps_q_column(q, "v")},
                       {DPS_AGG_AVG, dps_q_column(q, "v")},
                       {DPS_AGG_COUNT_STAR, NULL}};
    dps_scan_options o = DPS_SCAN_OPTIONS_INIT;
    o.aggs = aggs;
    o.n_aggs = 6;
    o.threads = threads;
    dps_scan *sc = NULL;
    size_t rows = 0, ncols = 0;
    TU_OK(dps_scan_open(&sc, r, &o, &e), &e);
    TU_OK(dps_scan_aggregate(sc, &rows, &ncols, &e), &e);
    assert_int_equal(rows, 1);
    dps_value v;
    TU_OK(dps_scan_value(sc, 0, 0, &v), NULL);
    assert_true(v.i == sum_k && v.i_hi == 0);
    TU_OK(dps_scan_value(sc, 0, 1, &v), NULL);
    assert_true(fabs(v.f - (double)sum_k / (double)P_ROWS) < 1e-9 * v.f);
    TU_OK(dps_scan_value(sc, 0, 2, &v), NULL);
    assert_true(v.i == sum_v && v.i_hi == 0);
    TU_OK(dps_scan_value(sc, 0, 3, &v), NULL);
    assert_int_equal(v.i, P_ROWS);
    TU_OK(dps_scan_value(sc, 0, 4, &v), NULL);
    assert_true(fabs(v.f - (double)sum_v / (double)P_ROWS) < 1e-9 * v.f);
    TU_OK(dps_scan_value(sc, 0, 5, &v), NULL);
    assert_int_equal(v.i, P_ROWS);
    dps_scan_free(sc);
    dps_query_free(q);
  }
  dps_reader_free(r);
  for (int c = 0; c < 3; c++) tu_column_free(&cols[c]);
}

static void test_scan__pruning_stats(void **state) {
  (void)state;
  tu_rng g;
  tu_rng_seed(&g, 77);
  tu_column cols[3];
  for (int c = 0; c < 3; c++) tu_column_init(&cols[c], prune_defs[c].type);
  size_t beta = 0;
  for (size_t i = 0; i < P_ROWS; i++) {
    tu_column_append_i64(&cols[0], (int64_t)i);
    tu_column_append_i64(&cols[1], (int64_t)(tu_rng_next(&g) % 100000));
    size_t w = (size_t)tu_rng_below(&g, 6);
    beta += w == 1;
    tu_column_append_str(&cols[2], prune_words[w]);
  }
  char path[512];
  write_file(path, sizeof path, "scan-prune.dps", prune_defs, cols, 3,
             P_RG_ROWS);
  dps_error e;
  tu_err_reset(&e);
  dps_reader *r = NULL;
  TU_OK(dps_reader_open(&r, path, NULL, &e), &e);
  assert_int_equal(dps_reader_row_group_count(r), P_RGS);
  dps_column_stats cs;
  TU_OK(dps_reader_column_stats(r, 2, &cs), NULL);
  if (strncmp(cs.encodings, "dict", 4) != 0)
    fail_msg("premise: the writer should encode s as a dictionary, got \"%s\"",
             cs.encodings);
  dps_query *q = NULL;
  TU_OK(dps_query_new(&q, &e), &e);
  static const char *const kv[] = {"k", "v"};
  static const char *const konly[] = {"k"};
  prune_result pr;

  /* 1% of the rows of a sorted column: two row groups at most are read. */
  const int64_t lo = 20100, n1 = (int64_t)(P_ROWS / 100); /* 419 rows */
  prune_scan(r, dps_q_and(q, dps_q_cmp(q, DPS_GE, dps_q_column(q, "k"), dps_q_int(q, lo)),
                          dps_q_cmp(q, DPS_LT, dps_q_column(q, "k"), dps_q_int(q, lo + n1))),
             kv, 2, &pr);
  print_stats("k in [20100, 20518]", &pr.st);
  assert_int_equal(pr.rows, (size_t)n1);
  assert_true(pr.in_order && pr.first_k == lo && pr.last_k == lo + n1 - 1);
  assert_int_equal(pr.st.rows_matched, (uint64_t)n1);
  assert_int_equal(pr.st.row_groups, P_RGS);
  assert_true(pr.st.row_groups_pruned >= P_RGS - 2);
  assert_true(pr.st.pages_read >= 1 && pr.st.pages_read <= 6);
  assert_true(pr.st.rows_scanned >= (uint64_t)n1 &&
              pr.st.rows_scanned <= 2 * P_RG_ROWS);

  /* Above the maximum: no page is read, every row group pruned. */
  prune_scan(r, dps_q_cmp(q, DPS_GT, dps_q_column(q, "k"), dps_q_int(q, (int64_t)P_ROWS + 5)),
             kv, 2, &pr);
  print_stats("k > max", &pr.st);
  assert_int_equal(pr.rows, 0);
  assert_int_equal(pr.st.pages_read, 0);
  assert_int_equal(pr.st.row_groups_pruned, P_RGS);
  assert_int_equal(pr.st.rows_matched, 0);

  /* is null on a column without nulls: none of its pages is read. */
  prune_scan(r, dps_q_is_null(q, dps_q_column(q, "v")), konly, 1, &pr);
  print_stats("v is null", &pr.st);
  assert_int_equal(pr.rows, 0);
  assert_int_equal(pr.st.pages_read, 0);
  prune_scan(r, dps_q_or(q, dps_q_is_null(q, dps_q_column(q, "v")),
                         dps_q_cmp(q, DPS_LT, dps_q_column(q, "k"), dps_q_int(q, 100))),
             konly, 1, &pr);
  print_stats("v is null or k < 100", &pr.st);
  assert_int_equal(pr.rows, 100);
  assert_int_equal(pr.st.rows_matched, 100);
  /* k's first page only: v has no nulls, so its footer null counts
   * answer "is null" without reading any of its pages. */
  assert_int_equal(pr.st.pages_read, 1);

  /* Equality on a dictionary column is answered on its codes. */
  prune_scan(r, dps_q_cmp(q, DPS_EQ, dps_q_column(q, "s"), dps_q_string(q, "beta", 4)),
             konly, 1, &pr);
  print_stats("s = 'beta'", &pr.st);
  assert_int_equal(pr.rows, beta);
  assert_true(pr.in_order);
  assert_int_equal(pr.st.rows_matched, beta);
  assert_true(pr.st.dict_lookups > 0);

  /* spec/SCAN.md §5: an AND's later leaves are not evaluated, nor their
   * pages read, once the earlier ones leave no row. 'beta0' lies inside
   * every page's zone map of s (alpha..zeta) but is no entry: s's pages
   * are read, v's never (the same pages and bytes as s alone). */
  prune_result alone;
  prune_scan(r, dps_q_cmp(q, DPS_EQ, dps_q_column(q, "s"), dps_q_string(q, "beta0", 5)),
             konly, 1, &alone);
  print_stats("s = 'beta0'", &alone.st);
  assert_int_equal(alone.rows, 0);
  assert_true(alone.st.pages_read > 0);
  prune_scan(r, dps_q_and(q, dps_q_cmp(q, DPS_EQ, dps_q_column(q, "s"), dps_q_string(q, "beta0", 5)),
                          dps_q_cmp(q, DPS_LT, dps_q_column(q, "v"), dps_q_int(q, 50000))),
             konly, 1, &pr);
  print_stats("s = 'beta0' and v < 50000", &pr.st);
  assert_int_equal(pr.rows, 0);
  assert_int_equal(pr.st.pages_read, alone.st.pages_read);
  assert_int_equal(pr.st.bytes_read, alone.st.bytes_read);
  /* The other order reads v's pages too. */
  prune_scan(r, dps_q_and(q, dps_q_cmp(q, DPS_LT, dps_q_column(q, "v"), dps_q_int(q, 50000)),
                          dps_q_cmp(q, DPS_EQ, dps_q_column(q, "s"), dps_q_string(q, "beta0", 5))),
             konly, 1, &pr);
  assert_int_equal(pr.rows, 0);
  assert_true(pr.st.pages_read > alone.st.pages_read);

  /* An aggregate over nothing reads nothing and still gives one row. */
  {
    dps_agg aggs[2] = {{DPS_AGG_COUNT_STAR, NULL},
                       {DPS_AGG_SUM, dps_q_column(q, "v")}};
    dps_scan_options so = DPS_SCAN_OPTIONS_INIT;
    so.where = dps_q_cmp(q, DPS_GT, dps_q_column(q, "k"), dps_q_int(q, (int64_t)P_ROWS));
    so.aggs = aggs;
    so.n_aggs = 2;
    dps_scan *s = NULL;
    TU_OK(dps_scan_open(&s, r, &so, &e), &e);
    size_t rows = 0, ncols = 0;
    TU_OK(dps_scan_aggregate(s, &rows, &ncols, &e), &e);
    assert_int_equal(rows, 1);
    assert_int_equal(ncols, 2);
    dps_value v;
    TU_OK(dps_scan_value(s, 0, 0, &v), NULL);
    assert_false(v.is_null);
    assert_int_equal(v.i, 0);
    TU_OK(dps_scan_value(s, 0, 1, &v), NULL);
    assert_true(v.is_null);
    dps_scan_stats st;
    TU_OK(dps_scan_stats_get(s, &st), NULL);
    print_stats("count(*), sum(v) where k > max", &st);
    assert_int_equal(st.pages_read, 0);
    dps_scan_free(s);
  }
  dps_query_free(q);
  dps_reader_free(r);
  remove(path);
  for (int c = 0; c < 3; c++) tu_column_free(&cols[c]);
}

/* ---- exact sums and overflow ------------------------------------------------------ */

static const tu_coldef big_defs[] = {
    {"big", DPS_TYPE_INT64, 0, 0, 0},     /* near INT64_MAX; row 0 = MAX */
    {"neg", DPS_TYPE_INT64, 0, 0, 0},     /* near INT64_MIN */
    {"x", DPS_TYPE_INT64, 1, 0, 0},       /* small; one row 5e9 */
    {"d", DPS_TYPE_DECIMAL, 0, 18, 2},    /* near 10^16 (18 digits) */
    {"u", DPS_TYPE_UINT64, 0, 0, 0},      /* near UINT64_MAX */
};
#define BIG_ROWS 3000u

/* Runs one aggregate without group_by; expects want_st (an error must say
 * "overflow"); the value goes to *out. */
static void big_agg(dps_reader *r, dps_agg_fn fn, dps_node *arg,
                    dps_status want_st, dps_value *out, const char *what) {
  dps_error e;
  tu_err_reset(&e);
  dps_agg a = {fn, arg};
  dps_scan_options so = DPS_SCAN_OPTIONS_INIT;
  so.aggs = &a;
  so.n_aggs = 1;
  dps_scan *s = NULL;
  TU_OK(dps_scan_open(&s, r, &so, &e), &e);
  size_t rows = 0, cols = 0;
  dps_status st = dps_scan_aggregate(s, &rows, &cols, &e);
  if (st != want_st)
    fail_msg("%s: dps_scan_aggregate returned %d (%s), expected %d; \"%s\"",
             what, (int)st, dps_strerror(st), (int)want_st, e.message);
  if (st == DPS_OK) {
    assert_int_equal(rows, 1);
    TU_OK(dps_scan_value(s, 0, 0, out), NULL);
  } else {
    TU_EXPECT(st, want_st, &e);
    if (!tu_contains_ci(e.message, "overflow"))
      fail_msg("%s: message \"%s\" does not say overflow", what, e.message);
  }
  dps_scan_free(s);
}

static void expect_i128(const dps_value *v, dps_type type, int scale, i128 x,
                        const char *what) {
  if (v->is_null || v->type != type || (type == DPS_TYPE_DECIMAL && v->scale != scale) ||
      (uint64_t)v->i != (uint64_t)(x & (i128)UINT64_MAX) ||
      v->i_hi != (int64_t)(x >> 64)) {
    char t[300];
    sbuf b = {t, sizeof t, 0};
    value_text(&b, v);
    fail_msg("%s: got %s, expected %s i=%" PRId64 " i_hi=%" PRId64 " scale %d",
             what, t, dps_type_name(type), (int64_t)(uint64_t)(x & (i128)UINT64_MAX),
             (int64_t)(x >> 64), scale);
  }
}

/* x / 10^scale in decimal digits, as an independent reference. */
static void i128_text(i128 x, int scale, char *buf, size_t n) {
  char d[64];
  size_t nd = 0;
  int neg = x < 0;
  u128 u = neg ? (u128)0 - (u128)x : (u128)x;
  do {
    d[nd++] = (char)('0' + (int)(u % 10));
    u /= 10;
  } while (u);
  while (nd < (size_t)scale + 1) d[nd++] = '0';
  size_t k = 0;
  if (neg && k + 1 < n) buf[k++] = '-';
  for (size_t i = nd; i-- > 0 && k + 2 < n;) {
    buf[k++] = d[i];
    if (scale > 0 && i == (size_t)scale) buf[k++] = '.';
  }
  buf[k] = '\0';
}

/* [SCAN-21, SCAN-22]: 128-bit sums, overflow of per-row arithmetic. */
static void test_scan__sums_exact_and_overflow(void **state) {
  (void)state;
  tu_rng g;
  tu_rng_seed(&g, 4242);
  tu_column cols[5];
  for (int c = 0; c < 5; c++) tu_column_init(&cols[c], big_defs[c].type);
  i128 s_big = 0, s_neg = 0, s_x = 0, s_x2 = 0, s_d = 0, s_u = 0;
  uint64_t u_max = 0;
  int64_t big_min = INT64_MAX;
  size_t n_x = 0;
  const int64_t d_top = INT64_C(9999999999999999); /* d < 10^18: 18 digits */
  for (size_t i = 0; i < BIG_ROWS; i++) {
    int64_t big = i == 0 ? INT64_MAX : INT64_MAX - (int64_t)tu_rng_below(&g, 1000);
    int64_t neg = INT64_MIN + (int64_t)tu_rng_below(&g, 1000);
    int64_t d = d_top * 100 - (int64_t)tu_rng_below(&g, 100);
    uint64_t u = UINT64_MAX - tu_rng_below(&g, 1000);
    tu_column_append_i64(&cols[0], big);
    tu_column_append_i64(&cols[1], neg);
    if (i % 10 == 3) {
      tu_column_append_null(&cols[2]);
    } else {
      int64_t x = i == 777 ? INT64_C(5000000000) : (int64_t)tu_rng_below(&g, 1000);
      tu_column_append_i64(&cols[2], x);
      s_x += x;
      s_x2 += (i128)x * 2;
      n_x++;
    }
    tu_column_append_i64(&cols[3], d);
    tu_column_append_u64(&cols[4], u);
    s_big += big;
    s_neg += neg;
    s_d += d;
    s_u += u;
    if (u > u_max) u_max = u;
    if (big < big_min) big_min = big;
  }
  char path[512];
  write_file(path, sizeof path, "scan-big.dps", big_defs, cols, 5, RG_ROWS);
  dps_error e;
  tu_err_reset(&e);
  dps_reader *r = NULL;
  TU_OK(dps_reader_open(&r, path, NULL, &e), &e);
  dps_query *q = NULL;
  TU_OK(dps_query_new(&q, &e), &e);
  dps_value v;

  big_agg(r, DPS_AGG_SUM, dps_q_column(q, "big"), DPS_OK, &v, "sum(big)");
  expect_i128(&v, DPS_TYPE_INT64, 0, s_big, "sum(big)");
  assert_true(v.i_hi > 0);
  big_agg(r, DPS_AGG_SUM, dps_q_column(q, "neg"), DPS_OK, &v, "sum(neg)");
  expect_i128(&v, DPS_TYPE_INT64, 0, s_neg, "sum(neg)");
  assert_true(v.i_hi < -1);
  big_agg(r, DPS_AGG_SUM, dps_q_column(q, "d"), DPS_OK, &v, "sum(d)");
  expect_i128(&v, DPS_TYPE_DECIMAL, 2, s_d, "sum(d)");
  big_agg(r, DPS_AGG_SUM, dps_q_column(q, "x"), DPS_OK, &v, "sum(x)");
  expect_i128(&v, DPS_TYPE_INT64, 0, s_x, "sum(x): i_hi is the sign extension");
  big_agg(r, DPS_AGG_COUNT, dps_q_column(q, "x"), DPS_OK, &v, "count(x)");
  assert_int_equal(v.i, (int64_t)n_x);

  /* avg: the exact sum as a double / count / 10^scale [SCAN-23]. */
  big_agg(r, DPS_AGG_AVG, dps_q_column(q, "d"), DPS_OK, &v, "avg(d)");
  double want_avg = (double)s_d / (double)BIG_ROWS / 100.0;
  if (v.is_null || v.type != DPS_TYPE_FLOAT64 || !feq(v.f, want_avg, 1))
    fail_msg("avg(d): got %.17g (type %d), expected %.17g", v.f, (int)v.type, want_avg);
  big_agg(r, DPS_AGG_AVG, dps_q_column(q, "big"), DPS_OK, &v, "avg(big)");
  want_avg = (double)s_big / (double)BIG_ROWS;
  if (v.is_null || v.type != DPS_TYPE_FLOAT64 || !feq(v.f, want_avg, 1))
    fail_msg("avg(big): got %.17g, expected %.17g", v.f, want_avg);
  big_agg(r, DPS_AGG_MIN, dps_q_column(q, "big"), DPS_OK, &v, "min(big)");
  assert_int_equal(v.type, DPS_TYPE_INT64);
  assert_true(v.i == big_min);

  /* Per-row arithmetic that fits, around a value that does not when
   * squared. */
  big_agg(r, DPS_AGG_SUM, dps_q_arith(q, DPS_MUL, dps_q_column(q, "x"), dps_q_int(q, 2)),
          DPS_OK, &v, "sum(x * 2)");
  if (v.is_null || (uint64_t)v.i != (uint64_t)s_x2 || v.i_hi != 0)
    fail_msg("sum(x * 2): got i=%" PRId64 " i_hi=%" PRId64 ", expected %" PRId64,
             v.i, v.i_hi, (int64_t)s_x2);
  /* 5e9 * 5e9 does not fit in 64 bits. */
  big_agg(r, DPS_AGG_SUM, dps_q_arith(q, DPS_MUL, dps_q_column(q, "x"), dps_q_column(q, "x")),
          DPS_EINVAL, &v, "sum(x * x)");
  big_agg(r, DPS_AGG_MAX, dps_q_arith(q, DPS_MUL, dps_q_column(q, "x"), dps_q_column(q, "x")),
          DPS_EINVAL, &v, "max(x * x)");
  /* INT64_MAX + 1 in row 0. */
  big_agg(r, DPS_AGG_SUM, dps_q_arith(q, DPS_ADD, dps_q_column(q, "big"), dps_q_int(q, 1)),
          DPS_EINVAL, &v, "sum(big + 1)");
  /* INT64_MIN - 1000 or so. */
  big_agg(r, DPS_AGG_MIN, dps_q_arith(q, DPS_SUB, dps_q_column(q, "neg"), dps_q_int(q, 1000)),
          DPS_EINVAL, &v, "min(neg - 1000)");
  /* d at scale 3 (to add 0.001) is 10 x ~1e18: does not fit. */
  big_agg(r, DPS_AGG_SUM, dps_q_arith(q, DPS_ADD, dps_q_column(q, "d"), dps_q_decimal(q, 1, 3)),
          DPS_EINVAL, &v, "sum(d + 0.001)");
  /* But d + 1 (scale 2: d + 100) fits, and the sum keeps scale 2. */
  big_agg(r, DPS_AGG_SUM, dps_q_arith(q, DPS_ADD, dps_q_column(q, "d"), dps_q_int(q, 1)),
          DPS_OK, &v, "sum(d + 1)");
  expect_i128(&v, DPS_TYPE_DECIMAL, 2, s_d + (i128)100 * BIG_ROWS, "sum(d + 1)");

  /* A 128-bit sum prints as its whole value, with its scale. */
  char got[80], want_txt[80];
  big_agg(r, DPS_AGG_SUM, dps_q_column(q, "d"), DPS_OK, &v, "sum(d)");
  dps_value_format(&v, got, sizeof got);
  i128_text(s_d, 2, want_txt, sizeof want_txt);
  if (strcmp(got, want_txt) != 0)
    fail_msg("sum(d) formats as \"%s\", expected \"%s\"", got, want_txt);
  big_agg(r, DPS_AGG_SUM, dps_q_column(q, "neg"), DPS_OK, &v, "sum(neg)");
  dps_value_format(&v, got, sizeof got);
  i128_text(s_neg, 0, want_txt, sizeof want_txt);
  if (strcmp(got, want_txt) != 0)
    fail_msg("sum(neg) formats as \"%s\", expected \"%s\"", got, want_txt);

  /* uint64 values above INT64_MAX: a sum of a column is not arithmetic
   * [SCAN-21]; it is an integer sum, exact in 128 bits [SCAN-22]. */
  big_agg(r, DPS_AGG_MAX, dps_q_column(q, "u"), DPS_OK, &v, "max(u)");
  assert_int_equal(v.type, DPS_TYPE_UINT64);
  assert_true(v.u == u_max);
  big_agg(r, DPS_AGG_SUM, dps_q_column(q, "u"), DPS_OK, &v, "sum(u)");
  expect_i128(&v, DPS_TYPE_INT64, 0, s_u, "sum(u)");
  dps_query_free(q);
  dps_reader_free(r);
  remove(path);
  for (int c = 0; c < 5; c++) tu_column_free(&cols[c]);
}

/* ---- a snapshot of no row ----------------------------------------------------------- */

/* [SCAN-10, SCAN-20] on 0 rows: no batch; one aggregate row without
 * group_by (counts 0, the rest null); no row with it. */
static void test_scan__empty_snapshot(void **state) {
  (void)state;
  static const tu_coldef empty_defs[] = {
      {"a", DPS_TYPE_INT32, 1, 0, 0},
      {"s", DPS_TYPE_STRING, 1, 0, 0},
  };
  tu_column cols[2];
  tu_column_init(&cols[0], DPS_TYPE_INT32);
  tu_column_init(&cols[1], DPS_TYPE_STRING);
  char path[512];
  write_file(path, sizeof path, "scan-empty.dps", empty_defs, cols, 2, RG_ROWS);
  dps_error e;
  tu_err_reset(&e);
  dps_reader *r = NULL;
  TU_OK(dps_reader_open(&r, path, NULL, &e), &e);
  dps_query *q = NULL;
  TU_OK(dps_query_new(&q, &e), &e);
  for (unsigned threads = 1; threads <= 3; threads += 2) {
    dps_scan_options so = DPS_SCAN_OPTIONS_INIT;
    so.where = dps_q_cmp(q, DPS_GT, dps_q_column(q, "a"), dps_q_int(q, 0));
    so.threads = threads;
    dps_scan *s = NULL;
    TU_OK(dps_scan_open(&s, r, &so, &e), &e);
    const dps_batch *b = (const dps_batch *)(uintptr_t)1;
    TU_OK(dps_scan_next(s, &b, &e), &e);
    assert_null(b);
    b = (const dps_batch *)(uintptr_t)1;
    TU_OK(dps_scan_next(s, &b, &e), &e); /* still the end */
    assert_null(b);
    dps_scan_stats st;
    TU_OK(dps_scan_stats_get(s, &st), NULL);
    assert_int_equal(st.row_groups, 0);
    assert_int_equal(st.rows_matched, 0);
    assert_int_equal(st.pages_read, 0);
    dps_scan_free(s);

    dps_agg aggs[4] = {{DPS_AGG_COUNT_STAR, NULL},
                       {DPS_AGG_COUNT, dps_q_column(q, "s")},
                       {DPS_AGG_SUM, dps_q_column(q, "a")},
                       {DPS_AGG_MAX, dps_q_column(q, "s")}};
    static const char *const gb[] = {"s"};
    for (size_t grouped = 0; grouped < 2; grouped++) {
      so = (dps_scan_options)DPS_SCAN_OPTIONS_INIT;
      so.threads = threads;
      so.aggs = aggs;
      so.n_aggs = 4;
      so.group_by = grouped ? gb : NULL;
      so.n_group_by = grouped;
      TU_OK(dps_scan_open(&s, r, &so, &e), &e);
      size_t rows = 9, ncols = 0;
      TU_OK(dps_scan_aggregate(s, &rows, &ncols, &e), &e);
      assert_int_equal(ncols, 4 + grouped);
      assert_int_equal(rows, grouped ? 0 : 1);
      if (!grouped) {
        dps_value v;
        TU_OK(dps_scan_value(s, 0, 0, &v), NULL);
        assert_true(!v.is_null && v.type == DPS_TYPE_INT64 && v.i == 0);
        TU_OK(dps_scan_value(s, 0, 1, &v), NULL);
        assert_true(!v.is_null && v.i == 0);
        TU_OK(dps_scan_value(s, 0, 2, &v), NULL);
        assert_true(v.is_null);
        TU_OK(dps_scan_value(s, 0, 3, &v), NULL);
        assert_true(v.is_null);
      }
      dps_scan_free(s);
    }
  }
  dps_query_free(q);
  dps_reader_free(r);
  remove(path);
  tu_column_free(&cols[0]);
  tu_column_free(&cols[1]);
}

/* ---- bad predicates and misuse ---------------------------------------------------- */

static const tu_coldef err_defs[] = {
    {"price", DPS_TYPE_DECIMAL, 1, 9, 2},
    {"qty", DPS_TYPE_INT32, 1, 0, 0},
    {"name", DPS_TYPE_STRING, 1, 0, 0},
    {"flag", DPS_TYPE_BOOL, 1, 0, 0},
};

typedef struct err_env {
  dps_reader *r;
  dps_query *q;
  dps_error e;
} err_env;

static dps_status open_where(err_env *x, dps_node *where, const char *const *cols,
                             size_t n_cols) {
  dps_scan_options so = DPS_SCAN_OPTIONS_INIT;
  so.where = where;
  so.columns = cols;
  so.n_columns = n_cols;
  dps_scan *s = (dps_scan *)(uintptr_t)1;
  tu_err_reset(&x->e);
  dps_status st = dps_scan_open(&s, x->r, &so, &x->e);
  if (st == DPS_OK) dps_scan_free(s);
  return st;
}

static dps_status open_aggs(err_env *x, dps_node *where, const dps_agg *aggs,
                            size_t n_aggs, const char *const *gb, size_t n_gb) {
  dps_scan_options so = DPS_SCAN_OPTIONS_INIT;
  so.where = where;
  so.aggs = aggs;
  so.n_aggs = n_aggs;
  so.group_by = gb;
  so.n_group_by = n_gb;
  dps_scan *s = NULL;
  tu_err_reset(&x->e);
  dps_status st = dps_scan_open(&s, x->r, &so, &x->e);
  if (st == DPS_OK) dps_scan_free(s);
  return st;
}

/* [SCAN-5] and the options' rules. */
static void test_scan__bad_predicates(void **state) {
  (void)state;
  tu_column cols[4];
  for (int c = 0; c < 4; c++) tu_column_init(&cols[c], err_defs[c].type);
  for (size_t i = 0; i < 100; i++) {
    tu_column_append_i64(&cols[0], (int64_t)i * 25);
    tu_column_append_i64(&cols[1], (int64_t)i);
    tu_column_append_str(&cols[2], i % 2 ? "x" : "y");
    tu_column_append_u64(&cols[3], i & 1);
  }
  char path[512];
  write_file(path, sizeof path, "scan-err.dps", err_defs, cols, 4, RG_ROWS);
  err_env x;
  tu_err_reset(&x.e);
  TU_OK(dps_reader_open(&x.r, path, NULL, &x.e), &x.e);
  TU_OK(dps_query_new(&x.q, &x.e), &x.e);
  dps_query *q = x.q;

  /* Unknown column: named, with the nearest names. */
  TU_EXPECT(open_where(&x, dps_q_cmp(q, DPS_EQ, dps_q_column(q, "prce"), dps_q_int(q, 5)),
                       NULL, 0), DPS_ENOTFOUND, &x.e);
  TU_HAS(&x.e, "prce");
  TU_HAS(&x.e, "price");
  static const char *const bad_proj[] = {"qty", "Qtty"};
  TU_EXPECT(open_where(&x, NULL, bad_proj, 2), DPS_ENOTFOUND, &x.e);
  TU_HAS(&x.e, "Qtty");
  TU_HAS(&x.e, "qty");

  /* Literals that do not suit the column: named with its type. */
  TU_EXPECT(open_where(&x, dps_q_cmp(q, DPS_EQ, dps_q_column(q, "qty"), dps_q_string(q, "5", 1)),
                       NULL, 0), DPS_EINVAL, &x.e);
  TU_HAS(&x.e, "qty");
  TU_HAS(&x.e, "int32");
  TU_EXPECT(open_where(&x, dps_q_cmp(q, DPS_LT, dps_q_column(q, "name"), dps_q_int(q, 5)),
                       NULL, 0), DPS_EINVAL, &x.e);
  TU_HAS(&x.e, "name");
  TU_HAS(&x.e, "string");
  TU_EXPECT(open_where(&x, dps_q_in(q, dps_q_column(q, "price"),
                                    (dps_node *const[]){dps_q_int(q, 1), dps_q_date(q, 3)}, 2),
                       NULL, 0), DPS_EINVAL, &x.e);
  TU_HAS(&x.e, "price");
  TU_EXPECT(open_where(&x, dps_q_cmp(q, DPS_EQ, dps_q_column(q, "flag"), dps_q_int(q, 1)),
                       NULL, 0), DPS_EINVAL, &x.e);
  TU_HAS(&x.e, "flag");
  TU_EXPECT(open_where(&x, dps_q_starts_with(q, dps_q_column(q, "qty"), dps_q_string(q, "1", 1)),
                       NULL, 0), DPS_EINVAL, &x.e);
  TU_HAS(&x.e, "qty");

  /* A good predicate on the same query still opens. */
  TU_OK(open_where(&x, dps_q_cmp(q, DPS_GE, dps_q_column(q, "price"), dps_q_decimal(q, 50, 3)),
                   NULL, 0), &x.e);

  /* group_by: at most two columns, and only with aggregates. */
  dps_agg cnt = {DPS_AGG_COUNT_STAR, NULL};
  static const char *const gb3[] = {"qty", "name", "flag"};
  TU_EXPECT(open_aggs(&x, NULL, &cnt, 1, gb3, 3), DPS_EINVAL, &x.e);
  TU_OK(open_aggs(&x, NULL, &cnt, 1, gb3, 2), &x.e);
  TU_EXPECT(open_aggs(&x, NULL, NULL, 0, gb3, 1), DPS_EINVAL, &x.e);
  static const char *const gb_bad[] = {"nam"};
  TU_EXPECT(open_aggs(&x, NULL, &cnt, 1, gb_bad, 1), DPS_ENOTFOUND, &x.e);
  TU_HAS(&x.e, "name");

  /* A product beyond scale 18 [SCAN-21]. */
  dps_agg wide = {DPS_AGG_SUM, dps_q_arith(q, DPS_MUL, dps_q_column(q, "price"),
                                           dps_q_decimal(q, 1, 17))};
  TU_EXPECT(open_aggs(&x, NULL, &wide, 1, NULL, 0), DPS_EINVAL, &x.e);
  /* sum of a string. */
  dps_agg sum_s = {DPS_AGG_SUM, dps_q_column(q, "name")};
  TU_EXPECT(open_aggs(&x, NULL, &sum_s, 1, NULL, 0), DPS_EINVAL, &x.e);
  TU_HAS(&x.e, "name");

  /* NULL handed to a builder: the builder returns the query's error
   * node, and any scan using it fails cleanly with the reason. */
  dps_node *bad_cmp = dps_q_cmp(q, DPS_EQ, NULL, dps_q_int(q, 1));
  assert_non_null(bad_cmp);
  dps_agg null_arg = {DPS_AGG_SUM, dps_q_arith(q, DPS_ADD, dps_q_column(q, "qty"), NULL)};
  assert_non_null(null_arg.arg);
  TU_EXPECT(open_aggs(&x, NULL, &null_arg, 1, NULL, 0), DPS_EINVAL, &x.e);
  TU_HAS(&x.e, "NULL");
  {
    /* As the predicate of a rows scan too: never read as "no predicate". */
    dps_query *q2 = NULL;
    TU_OK(dps_query_new(&q2, &x.e), &x.e);
    dps_node *bad_where = dps_q_and(q2, dps_q_is_null(q2, dps_q_column(q2, "qty")),
                                    dps_q_not(q2, NULL));
    assert_non_null(bad_where);
    dps_scan_options so = DPS_SCAN_OPTIONS_INIT;
    so.where = bad_where;
    dps_scan *s = NULL;
    tu_err_reset(&x.e);
    TU_EXPECT(dps_scan_open(&s, x.r, &so, &x.e), DPS_EINVAL, &x.e);
    TU_HAS(&x.e, "dps_q_not");
    assert_null(s);
    dps_agg s2 = {DPS_AGG_SUM, dps_q_column(q2, "qty")};
    TU_EXPECT(open_aggs(&x, bad_where, &s2, 1, NULL, 0), DPS_EINVAL, &x.e);
    dps_query_free(q2);
  }

  /* Misuse: rows calls on an aggregate scan and the reverse. */
  {
    dps_scan_options so = DPS_SCAN_OPTIONS_INIT;
    so.aggs = &cnt;
    so.n_aggs = 1;
    dps_scan *s = NULL;
    TU_OK(dps_scan_open(&s, x.r, &so, &x.e), &x.e);
    const dps_batch *b = NULL;
    dps_value v;
    TU_EXPECT(dps_scan_value(s, 0, 0, &v), DPS_EMISUSE, NULL);
    TU_EXPECT(dps_scan_next(s, &b, &x.e), DPS_EMISUSE, &x.e);
    tu_err_reset(&x.e);
    size_t rows = 0, ncols = 0;
    TU_OK(dps_scan_aggregate(s, &rows, &ncols, &x.e), &x.e);
    assert_int_equal(rows, 1);
    TU_OK(dps_scan_value(s, 0, 0, &v), NULL);
    assert_int_equal(v.i, 100);
    TU_EXPECT(dps_scan_value(s, 1, 0, &v), DPS_EINVAL, NULL);
    TU_EXPECT(dps_scan_value(s, 0, 1, &v), DPS_EINVAL, NULL);
    TU_EXPECT(dps_scan_aggregate(s, &rows, &ncols, &x.e), DPS_EMISUSE, &x.e);
    dps_scan_free(s);
    so = (dps_scan_options)DPS_SCAN_OPTIONS_INIT;
    TU_OK(dps_scan_open(&s, x.r, &so, &x.e), &x.e);
    tu_err_reset(&x.e);
    TU_EXPECT(dps_scan_aggregate(s, &rows, &ncols, &x.e), DPS_EMISUSE, &x.e);
    dps_scan_free(s);
  }
  dps_scan_free(NULL);
  dps_query_free(NULL);

  dps_query_free(x.q);
  dps_reader_free(x.r);
  remove(path);
  for (int c = 0; c < 4; c++) tu_column_free(&cols[c]);
}

/* ---- dps_value_format ------------------------------------------------------------- */

static void expect_format(const dps_value *v, const char *text) {
  char buf[64];
  size_t n = dps_value_format(v, buf, sizeof buf);
  if (strcmp(buf, text) != 0 || n != strlen(text))
    fail_msg("dps_value_format: \"%s\" (%zu), expected \"%s\"", buf, n, text);
  /* Truncated: at most size bytes with the NUL, the whole length back. */
  char small[4];
  memset(small, 'X', sizeof small);
  n = dps_value_format(v, small, sizeof small);
  assert_int_equal(n, strlen(text));
  assert_int_equal(small[sizeof small - 1] == '\0' || strlen(text) < sizeof small, 1);
  assert_int_equal(strncmp(small, text, strlen(small)), 0);
}

static void test_scan__value_format(void **state) {
  (void)state;
  dps_value v;
  memset(&v, 0, sizeof v);
  /* i_hi is the sign of i when the value fits in 64 bits (dpsnap.h). */
  v.type = DPS_TYPE_DECIMAL;
  v.scale = 2;
  v.i = -5;
  v.i_hi = -1;
  expect_format(&v, "-0.05");
  v.i = 1230;
  v.i_hi = 0;
  expect_format(&v, "12.30");
  v.i = -100;
  v.i_hi = -1;
  expect_format(&v, "-1.00");
  v.i = 7;
  v.i_hi = 0;
  v.scale = 0;
  expect_format(&v, "7");
  v.type = DPS_TYPE_DATE;
  v.i = 8766;
  expect_format(&v, "1994-01-01");
  v.i = 0;
  expect_format(&v, "1970-01-01");
  v.i = -1;
  expect_format(&v, "1969-12-31");
  v.type = DPS_TYPE_INT64;
  v.i = -42;
  v.i_hi = -1;
  expect_format(&v, "-42");
  v.i_hi = 0;
  v.type = DPS_TYPE_FLOAT64;
  v.f = 0.1;
  expect_format(&v, "0.1");
  v.type = DPS_TYPE_STRING;
  v.bytes = (const uint8_t *)"h\xC3\xA9";
  v.len = 3;
  expect_format(&v, "h\xC3\xA9");
  v.is_null = 1;
  expect_format(&v, "NULL");
  v.type = DPS_TYPE_INT64;
  expect_format(&v, "NULL");
  /* A timestamp: ISO 8601 with Z. */
  memset(&v, 0, sizeof v);
  v.type = DPS_TYPE_TIMESTAMP;
  v.i = 8766 * US_PER_DAY;
  char buf[64];
  dps_value_format(&v, buf, sizeof buf);
  if (strncmp(buf, "1994-01-01T00:00:00", 19) != 0 || buf[strlen(buf) - 1] != 'Z')
    fail_msg("timestamp formats as \"%s\"", buf);

  /* A decimal aggregate of a real scan keeps its scale when printed. */
  build_menu();
  aggcase ac;
  memset(&ac, 0, sizeof ac);
  ac.n_aggs = 2;
  ac.aggs[0].fn = DPS_AGG_MIN;
  ac.aggs[0].e = ecol(C_DISC);
  ac.aggs[1].fn = DPS_AGG_MIN;
  ac.aggs[1].e = ecol(C_DAY);
  dps_error e;
  tu_err_reset(&e);
  dps_query *q = NULL;
  dps_scan *s = NULL;
  size_t rows, cols;
  TU_OK(agg_run(&ac, 1, &q, &s, &rows, &cols, &e), &e);
  TU_OK(dps_scan_value(s, 0, 0, &v), NULL);
  expect_format(&v, "0.00");
  TU_OK(dps_scan_value(s, 0, 1, &v), NULL);
  expect_format(&v, "1991-11-27"); /* day 8000 */
  dps_scan_free(s);
  dps_query_free(q);
}

/* ---- range predicates on frame-of-reference offsets ------------------------------ */

/* The engine tests integer ranges on a frame-of-reference page's packed
 * offsets (bounds less the page's base, offsets unpacked at the narrowest
 * width: engine/scan.c for_offset_range, format/enc_for.c
 * dps__for_view_offsets), unless base + 2^bits - 1 could leave the type or
 * the vector holds patches. Columns written with `for` forced (so every
 * page is one), one 1024-row vector per page, cover each branch: widths
 * 0..8, 9..16, 17..32 and above 32 bits; 8-, 16-, 32- and 64-bit types;
 * signed, unsigned, date, timestamp and decimal columns; negative bases;
 * values at the type's minimum (offsets kept) and maximum (the wrap
 * fallback); outliers the writer stores as patches beside patch-free
 * vectors; a page with nulls; a last page of 517 rows. Each predicate's
 * rows, count(*), sum, min and max must be the naive oracle's, under
 * every ISA the CPU runs, with and without page compression, and also
 * (under the best ISA) for the same data written with the writer's own
 * choice of encodings. */

#define FO_RG_ROWS 2048u
#define FO_ROWS (5u * 1024u + 517u) /* 3 row groups, 6 pages per column */

enum {
  FO_ID, FO_I32S, FO_I32M, FO_I32N, FO_I32W, FO_I32LO, FO_I32HI, FO_I32P,
  FO_I64S, FO_I64M, FO_I64B, FO_I64LO, FO_I64HI, FO_I64P, FO_I16, FO_I16S,
  FO_I16HI, FO_I8, FO_I8HI, FO_U32HI, FO_U32S, FO_U16HI, FO_U16, FO_U8,
  FO_DAY, FO_DAYN, FO_TS, FO_DEC, FO_DECS, FO_DECHI, FO_DECLO, FO_MIX,
  FO_NUL, FO_NCOLS
};

static const tu_coldef fo_defs[FO_NCOLS] = {
    {"id", DPS_TYPE_INT64, 0, 0, 0},          /* = row */
    {"i32_small", DPS_TYPE_INT32, 0, 0, 0},   /* 3..202: 8 bits */
    {"i32_mid", DPS_TYPE_INT32, 0, 0, 0},     /* 1000..40999: 16 bits */
    {"i32_neg", DPS_TYPE_INT32, 0, 0, 0},     /* -300..-50: negative base */
    {"i32_wide", DPS_TYPE_INT32, 0, 0, 0},    /* +-70000: 18 bits */
    {"i32_min", DPS_TYPE_INT32, 0, 0, 0},     /* INT32_MIN .. +300 */
    {"i32_max", DPS_TYPE_INT32, 0, 0, 0},     /* INT32_MAX - 100 .. MAX */
    {"i32_patch", DPS_TYPE_INT32, 0, 0, 0},   /* 0..49, outliers in pages 1, 3 */
    {"i64_small", DPS_TYPE_INT64, 0, 0, 0},   /* -100..100 */
    {"i64_mid", DPS_TYPE_INT64, 0, 0, 0},     /* 10^12 + 0..3e9: 32 bits */
    {"i64_big", DPS_TYPE_INT64, 0, 0, 0},     /* 40 bits: never offsets */
    {"i64_min", DPS_TYPE_INT64, 0, 0, 0},     /* INT64_MIN .. +100 */
    {"i64_max", DPS_TYPE_INT64, 0, 0, 0},     /* INT64_MAX - 100 .. MAX */
    {"i64_patch", DPS_TYPE_INT64, 0, 0, 0},   /* -50..49, outliers in pages 0, 4 */
    {"i16", DPS_TYPE_INT16, 0, 0, 0},         /* -1000..1000 */
    {"i16_small", DPS_TYPE_INT16, 0, 0, 0},   /* 7..106 */
    {"i16_max", DPS_TYPE_INT16, 0, 0, 0},     /* INT16_MAX - 49 .. MAX */
    {"i8", DPS_TYPE_INT8, 0, 0, 0},           /* every value */
    {"i8_max", DPS_TYPE_INT8, 0, 0, 0},       /* 100..127 */
    {"u32_max", DPS_TYPE_UINT32, 0, 0, 0},    /* UINT32_MAX - 999 .. MAX */
    {"u32_small", DPS_TYPE_UINT32, 0, 0, 0},  /* 5..254 */
    {"u16_max", DPS_TYPE_UINT16, 0, 0, 0},    /* 60000..65535 */
    {"u16", DPS_TYPE_UINT16, 0, 0, 0},        /* 0..2999 */
    {"u8", DPS_TYPE_UINT8, 0, 0, 0},          /* every value */
    {"day", DPS_TYPE_DATE, 0, 0, 0},          /* 18000..18399 */
    {"day_old", DPS_TYPE_DATE, 0, 0, 0},      /* -800000 .. -799901 */
    {"ts", DPS_TYPE_TIMESTAMP, 0, 0, 0},      /* 1.7e15 + 0..1e9 */
    {"dec", DPS_TYPE_DECIMAL, 0, 15, 2},      /* -5000.00 .. 5000.00 */
    {"dec_small", DPS_TYPE_DECIMAL, 0, 15, 2},/* 199.00 .. 200.99 */
    {"dec_top", DPS_TYPE_DECIMAL, 0, 15, 2},  /* the precision's largest */
    {"dec_bottom", DPS_TYPE_DECIMAL, 0, 15, 2},/* and smallest values */
    {"mix", DPS_TYPE_INT32, 0, 0, 0},         /* page p: 0, 1, 8, 9, 16, 17 bits */
    {"i32_null", DPS_TYPE_INT32, 1, 0, 0},    /* 0..99, nulls in page 2 only */
};

/* Row `row` of column ci, as a value of the column's units (decimals
 * unscaled, dates in days); *null set for a null. */
static i128 fo_gen(int ci, size_t row, tu_rng *g, int *null) {
  const uint64_t x = tu_rng_next(g);
  const size_t page = row / 1024;
  *null = 0;
  switch (ci) {
    case FO_ID: return (i128)row;
    case FO_I32S: return 3 + (i128)(x % 200);
    case FO_I32M: return 1000 + (i128)(x % 40000);
    case FO_I32N: return -300 + (i128)(x % 251);
    case FO_I32W: return -70000 + (i128)(x % 140001);
    case FO_I32LO: return (i128)INT32_MIN + (i128)(x % 301);
    case FO_I32HI: return (i128)INT32_MAX - (i128)(x % 101);
    case FO_I32P:
      /* Outliers in pages 1 and 3 only: those vectors hold patches, the
       * others none. INT32_MAX among them. */
      if ((page == 1 || page == 3) && row % 300 == 7)
        return row % 600 == 7 ? (i128)INT32_MAX : 1000000000 + (i128)row;
      return (i128)(x % 50);
    case FO_I64S: return -100 + (i128)(x % 201);
    case FO_I64M: return (i128)1000000000000 + (i128)(x % 3000000000u);
    case FO_I64B: return -((i128)1 << 39) + (i128)(x % ((uint64_t)1 << 40));
    case FO_I64LO: return (i128)INT64_MIN + (i128)(x % 101);
    case FO_I64HI: return (i128)INT64_MAX - (i128)(x % 101);
    case FO_I64P:
      if ((page == 0 || page == 4) && row % 250 == 11)
        return row % 500 == 11 ? (i128)INT64_MAX : ((i128)1 << 40) + (i128)row;
      return -50 + (i128)(x % 100);
    case FO_I16: return -1000 + (i128)(x % 2001);
    case FO_I16S: return 7 + (i128)(x % 100);
    case FO_I16HI: return (i128)INT16_MAX - (i128)(x % 50);
    case FO_I8: return (i128)(int8_t)(uint8_t)x;
    case FO_I8HI: return 100 + (i128)(x % 28);
    case FO_U32HI: return (i128)UINT32_MAX - (i128)(x % 1000);
    case FO_U32S: return 5 + (i128)(x % 250);
    case FO_U16HI: return 60000 + (i128)(x % 5536);
    case FO_U16: return (i128)(x % 3000);
    case FO_U8: return (i128)(x & 0xFFu);
    case FO_DAY: return 18000 + (i128)(x % 400);
    case FO_DAYN: return -800000 + (i128)(x % 100);
    case FO_TS: return (i128)1700000000000000 + (i128)(x % 1000000000u);
    case FO_DEC: return -500000 + (i128)(x % 1000001);
    case FO_DECS: return 19900 + (i128)(x % 200);
    case FO_DECHI: return (i128)INT64_C(999999999999999) - (i128)(x % 1000);
    case FO_DECLO: return -(i128)INT64_C(999999999999999) + (i128)(x % 1000);
    case FO_MIX: {
      /* Page p packs at exactly bits[p]: its values span 0 .. 2^bits - 1
       * above 12345 (page 0: one value, width 0). */
      static const unsigned bits[] = {0, 1, 8, 9, 16, 17};
      const uint64_t m = (UINT64_C(1) << bits[page]) - 1;
      if (row % 1024 == 5) return 12345;
      if (row % 1024 == 6) return 12345 + (i128)m;
      return 12345 + (i128)(x & m);
    }
    case FO_NUL:
      *null = page == 2 && x % 4 == 0;
      return (i128)(x % 100);
    default: fail_msg("no generator for column %d", ci);
  }
  return 0;
}

typedef struct fo_data {
  tu_column cols[FO_NCOLS];
} fo_data;

static void fo_make(fo_data *d) {
  tu_rng g;
  tu_rng_seed(&g, UINT64_C(0xF0F0F0));
  for (int ci = 0; ci < FO_NCOLS; ci++) tu_column_init(&d->cols[ci], fo_defs[ci].type);
  for (size_t row = 0; row < FO_ROWS; row++) {
    for (int ci = 0; ci < FO_NCOLS; ci++) {
      int null;
      i128 v = fo_gen(ci, row, &g, &null);
      if (null) tu_column_append_null(&d->cols[ci]);
      else if (kind_of(fo_defs[ci].type) == K_UINT) tu_column_append_u64(&d->cols[ci], (uint64_t)v);
      else tu_column_append_i64(&d->cols[ci], (int64_t)v);
    }
  }
}

/* A value of column c in its units: signed, unsigned, decimal unscaled,
 * days, microseconds. */
static i128 fo_val(const tu_column *c, size_t r) {
  return kind_of(c->type) == K_UINT ? (i128)uval(c, r) : (i128)ival(c, r);
}

/* A non-null cell against an integer, decimal, date or timestamp literal,
 * from [SCAN-2]: exact, a date being its midnight. */
static int fo_cmp(const tu_column *c, int scale, size_t r, const lit *L) {
  i128 x = fo_val(c, r);
  kind k = kind_of(c->type);
  if (k == K_DATE || k == K_TS) {
    i128 y = L->i;
    if (k == K_DATE) x *= US_PER_DAY;
    if (L->k == L_DATE) y *= US_PER_DAY;
    return cmp3(x, y);
  }
  i128 y = L->k == L_UINT ? (i128)L->u : (i128)L->i;
  return exact_cmp(x, scale, y, L->k == L_DEC ? L->scale : 0);
}

typedef enum fo_pkind {
  FO_CMP,         /* col op a */
  FO_CMP_REV,     /* a op col */
  FO_BETWEEN,     /* col between a and b */
  FO_NOT_BETWEEN, /* not (col between a and b) */
  FO_AND,         /* col > a and col < b (merged into one range) */
} fo_pkind;

typedef struct fo_pred {
  fo_pkind k;
  dps_cmp_op op;
  lit a, b;
} fo_pred;

static int fo_eval(const tu_column *c, int scale, size_t r, const fo_pred *p) {
  if (!tu_column_is_valid(c, r)) return 0; /* unknown: not selected */
  switch (p->k) {
    case FO_CMP: return apply_op(p->op, fo_cmp(c, scale, r, &p->a));
    case FO_CMP_REV: return apply_op(p->op, -fo_cmp(c, scale, r, &p->a));
    case FO_BETWEEN:
      return fo_cmp(c, scale, r, &p->a) >= 0 && fo_cmp(c, scale, r, &p->b) <= 0;
    case FO_NOT_BETWEEN:
      return !(fo_cmp(c, scale, r, &p->a) >= 0 && fo_cmp(c, scale, r, &p->b) <= 0);
    default:
      return fo_cmp(c, scale, r, &p->a) > 0 && fo_cmp(c, scale, r, &p->b) < 0;
  }
}

static void fo_pred_text(sbuf *b, const char *col, const fo_pred *p) {
  switch (p->k) {
    case FO_CMP:
      sb_add(b, "%s %s ", col, op_text(p->op));
      lit_text(b, &p->a);
      break;
    case FO_CMP_REV:
      lit_text(b, &p->a);
      sb_add(b, " %s %s", op_text(p->op), col);
      break;
    case FO_BETWEEN: case FO_NOT_BETWEEN:
      sb_add(b, "%s%s between ", p->k == FO_NOT_BETWEEN ? "not " : "", col);
      lit_text(b, &p->a);
      sb_add(b, " and ");
      lit_text(b, &p->b);
      break;
    case FO_AND:
      sb_add(b, "%s > ", col);
      lit_text(b, &p->a);
      sb_add(b, " and %s < ", col);
      lit_text(b, &p->b);
      break;
  }
}

static dps_node *fo_pred_node(dps_query *q, const char *col, const fo_pred *p) {
  dps_node *c = dps_q_column(q, col);
  switch (p->k) {
    case FO_CMP: return dps_q_cmp(q, p->op, c, lit_node(q, &p->a));
    case FO_CMP_REV: return dps_q_cmp(q, p->op, lit_node(q, &p->a), c);
    case FO_BETWEEN:
      return dps_q_between(q, c, lit_node(q, &p->a), lit_node(q, &p->b));
    case FO_NOT_BETWEEN:
      return dps_q_not(q, dps_q_between(q, c, lit_node(q, &p->a), lit_node(q, &p->b)));
    default:
      return dps_q_and(q, dps_q_cmp(q, DPS_GT, c, lit_node(q, &p->a)),
                       dps_q_cmp(q, DPS_LT, dps_q_column(q, col), lit_node(q, &p->b)));
  }
}

/* The literal for value v of a column of kind k (clamped to what a
 * literal can hold). */
static void fo_lit(lit *L, kind k, int scale, i128 v) {
  memset(L, 0, sizeof *L);
  switch (k) {
    case K_DEC: set_dec(L, fits64(v) ? (int64_t)v : v < 0 ? INT64_MIN : INT64_MAX, scale); break;
    case K_DATE:
      if (v >= INT32_MIN && v <= INT32_MAX) set_date(L, (int64_t)v);
      else set_ts(L, v < 0 ? INT64_MIN : INT64_MAX);
      break;
    case K_TS: set_ts(L, fits64(v) ? (int64_t)v : v < 0 ? INT64_MIN : INT64_MAX); break;
    default:
      if (fits64(v)) set_int(L, (int64_t)v);
      else if (v > 0 && v <= (i128)UINT64_MAX) set_uint(L, (uint64_t)v);
      else set_int(L, v < 0 ? INT64_MIN : INT64_MAX);
      break;
  }
}

/* A literal half a unit above (up) or below v: a decimal with one more
 * digit, or for dates and timestamps a timestamp or date in between. */
static void fo_lit_half(lit *L, kind k, int scale, i128 v, int up) {
  memset(L, 0, sizeof *L);
  const i128 big = (i128)INT64_MAX / 10 - 10;
  switch (k) {
    case K_DATE: set_ts(L, (int64_t)(v * US_PER_DAY + (up ? 1 : -1))); break;
    case K_TS: set_date(L, floor_div((int64_t)v, US_PER_DAY) + (up ? 1 : 0)); break;
    default:
      if (v > -big && v < big) set_dec(L, (int64_t)(v * 10 + (up ? 5 : -5)), scale + 1);
      else fo_lit(L, k, scale, v);
      break;
  }
}

static int fo_cmp_i128(const void *a, const void *b) {
  i128 x = *(const i128 *)a, y = *(const i128 *)b;
  return (x > y) - (x < y);
}

/* The predicates for column ci: bounds below, at, inside and above the
 * column's values; present and absent values; extremes of every literal
 * kind; between with lo > hi; != and not between. Returns their number. */
static size_t fo_preds(const tu_column *c, int scale, fo_pred *out, size_t cap) {
  const kind k = kind_of(c->type);
  i128 *v = malloc(FO_ROWS * sizeof *v);
  assert_non_null(v);
  size_t n = 0;
  for (size_t r = 0; r < FO_ROWS; r++)
    if (tu_column_is_valid(c, r)) v[n++] = fo_val(c, r);
  assert_true(n > 0);
  qsort(v, n, sizeof *v, fo_cmp_i128);
  const i128 mn = v[0], mx = v[n - 1], mid = v[n / 2], q1 = v[n / 4], q3 = v[3 * n / 4];
  i128 gap = mx + 1; /* absent: inside the range when there is a hole */
  for (size_t i = 1; i < n; i++)
    if (v[i] - v[i - 1] >= 2) {
      gap = v[i - 1] + 1;
      break;
    }
  free(v);
  size_t np = 0;
#define FO_ADD(kind_, op_, A, B)                \
  do {                                          \
    assert_true(np < cap);                      \
    memset(&out[np], 0, sizeof out[np]);        \
    out[np].k = (kind_);                        \
    out[np].op = (op_);                         \
    out[np].a = (A);                            \
    out[np].b = (B);                            \
    np++;                                       \
  } while (0)
  lit l_mn, l_mx, l_mid, l_q1, l_q3, l_gap, l_below, l_above, l_hup, l_hdn, none;
  memset(&none, 0, sizeof none);
  fo_lit(&l_mn, k, scale, mn);
  fo_lit(&l_mx, k, scale, mx);
  fo_lit(&l_mid, k, scale, mid);
  fo_lit(&l_q1, k, scale, q1);
  fo_lit(&l_q3, k, scale, q3);
  fo_lit(&l_gap, k, scale, gap);
  fo_lit(&l_below, k, scale, mn - 1);
  fo_lit(&l_above, k, scale, mx + 1);
  fo_lit_half(&l_hup, k, scale, mid, 1);
  fo_lit_half(&l_hdn, k, scale, mid, 0);
  static const dps_cmp_op rel[] = {DPS_LT, DPS_LE, DPS_GT, DPS_GE};
  /* = and != on present and absent values, min and max. */
  FO_ADD(FO_CMP, DPS_EQ, l_mid, none);
  FO_ADD(FO_CMP, DPS_EQ, l_gap, none);
  FO_ADD(FO_CMP, DPS_EQ, l_mn, none);
  FO_ADD(FO_CMP, DPS_EQ, l_mx, none);
  FO_ADD(FO_CMP, DPS_EQ, l_below, none);
  FO_ADD(FO_CMP, DPS_EQ, l_above, none);
  FO_ADD(FO_CMP, DPS_NE, l_mid, none);
  FO_ADD(FO_CMP, DPS_NE, l_mn, none);
  FO_ADD(FO_CMP, DPS_NE, l_gap, none);
  FO_ADD(FO_CMP_REV, DPS_NE, l_mx, none);
  /* <, <=, >, >= below, at and around min, inside, at and above max. */
  for (size_t o = 0; o < 4; o++) {
    FO_ADD(FO_CMP, rel[o], l_below, none);
    FO_ADD(FO_CMP, rel[o], l_mn, none);
    FO_ADD(FO_CMP, rel[o], l_q1, none);
    FO_ADD(FO_CMP, rel[o], l_mid, none);
    FO_ADD(FO_CMP, rel[o], l_mx, none);
    FO_ADD(FO_CMP, rel[o], l_above, none);
    FO_ADD(FO_CMP, rel[o], l_hup, none);
    FO_ADD(FO_CMP_REV, rel[o], l_q3, none);
  }
  /* Literals beyond the type, of each kind. */
  lit ext[4];
  memset(ext, 0, sizeof ext);
  if (k == K_DATE || k == K_TS) {
    set_ts(&ext[0], INT64_MIN);
    set_ts(&ext[1], INT64_MAX);
    set_date(&ext[2], INT32_MIN);
    set_date(&ext[3], INT32_MAX);
  } else if (k == K_DEC) {
    set_int(&ext[0], INT64_MIN);
    set_dec(&ext[1], INT64_MAX, 18);
    set_dec(&ext[2], INT64_MIN, 1);
    set_uint(&ext[3], UINT64_MAX);
  } else {
    set_int(&ext[0], INT64_MIN);
    set_int(&ext[1], INT64_MAX);
    set_uint(&ext[2], UINT64_MAX);
    set_int(&ext[3], -1);
  }
  for (size_t e = 0; e < 4; e++) {
    FO_ADD(FO_CMP, DPS_LT, ext[e], none);
    FO_ADD(FO_CMP, DPS_GE, ext[e], none);
  }
  /* between: the whole range, one value, lo > hi, around each end. */
  FO_ADD(FO_BETWEEN, DPS_EQ, l_mn, l_mx);
  FO_ADD(FO_BETWEEN, DPS_EQ, l_mid, l_mid);
  FO_ADD(FO_BETWEEN, DPS_EQ, l_q3, l_q1);   /* lo > hi: nothing */
  FO_ADD(FO_BETWEEN, DPS_EQ, l_mx, l_mn);
  FO_ADD(FO_BETWEEN, DPS_EQ, l_below, l_q1);
  FO_ADD(FO_BETWEEN, DPS_EQ, l_q3, l_above);
  FO_ADD(FO_BETWEEN, DPS_EQ, l_hdn, l_hup);
  FO_ADD(FO_BETWEEN, DPS_EQ, l_gap, l_gap);
  FO_ADD(FO_BETWEEN, DPS_EQ, ext[0], ext[1]);
  FO_ADD(FO_NOT_BETWEEN, DPS_EQ, l_q1, l_q3);
  FO_ADD(FO_NOT_BETWEEN, DPS_EQ, l_q3, l_q1);
  FO_ADD(FO_AND, DPS_EQ, l_q1, l_q3);
  FO_ADD(FO_AND, DPS_EQ, l_mn, l_mx);
#undef FO_ADD
  return np;
}

/* Runs `where` as a rows scan of (id, column ci) and as count(*), sum,
 * min and max; both must be the oracle's. */
static void fo_check(dps_reader *rd, const fo_data *d, int ci, const fo_pred *p,
                     unsigned threads, const char *what) {
  const tu_column *c = &d->cols[ci];
  const int scale = fo_defs[ci].scale;
  const kind k = kind_of(c->type);
  char ctx[512];
  sbuf sb = {ctx, sizeof ctx, 0};
  sb_add(&sb, "for offsets, %s, threads %u\n  where ", what, threads);
  fo_pred_text(&sb, fo_defs[ci].name, p);
  trace(ctx);
  /* The oracle. */
  size_t *sel = malloc(FO_ROWS * sizeof *sel), n_sel = 0;
  assert_non_null(sel);
  i128 sum = 0, best_min = 0, best_max = 0;
  for (size_t r = 0; r < FO_ROWS; r++) {
    if (!fo_eval(c, scale, r, p)) continue;
    i128 x = fo_val(c, r);
    if (n_sel == 0 || x < best_min) best_min = x;
    if (n_sel == 0 || x > best_max) best_max = x;
    sum += x;
    sel[n_sel++] = r;
  }
  dps_error e;
  tu_err_reset(&e);
  dps_query *q = NULL;
  TU_OK(dps_query_new(&q, &e), &e);

  /* Rows: (id, value), in row order. */
  const char *names[2] = {"id", fo_defs[ci].name};
  dps_scan_options so = DPS_SCAN_OPTIONS_INIT;
  so.columns = names;
  so.n_columns = 2;
  so.where = fo_pred_node(q, fo_defs[ci].name, p);
  so.threads = threads;
  so.ordered = 1;
  dps_scan *s = NULL;
  dps_status st = dps_scan_open(&s, rd, &so, &e);
  if (st != DPS_OK) {
    bad("%s\n  dps_scan_open: %d (%s) \"%s\"", ctx, (int)st, dps_strerror(st), e.message);
  } else {
    size_t got = 0;
    int ok = 1;
    for (;;) {
      const dps_batch *b = NULL;
      st = dps_scan_next(s, &b, &e);
      if (st != DPS_OK) {
        ok = bad("%s\n  dps_scan_next: %d (%s) \"%s\"", ctx, (int)st,
                 dps_strerror(st), e.message);
        break;
      }
      if (b == NULL) break;
      dps_array_view vid, vv;
      assert_int_equal(dps_batch_column(b, 0, &vid), DPS_OK);
      assert_int_equal(dps_batch_column(b, 1, &vv), DPS_OK);
      const size_t w = dps_type_width(c->type);
      for (size_t i = 0; i < vid.length && ok; i++, got++) {
        const int64_t id = ((const int64_t *)vid.values)[i];
        if (got >= n_sel || id != (int64_t)sel[got]) {
          i128 x = id >= 0 && (size_t)id < FO_ROWS ? fo_val(c, (size_t)id) : 0;
          ok = bad("%s\n  output row %zu is file row %" PRId64 " (value %" PRId64
                   "), expected %s%zu (%zu rows expected)", ctx, got, id,
                   (int64_t)x, got >= n_sel ? "no more rows, not " : "row ",
                   got >= n_sel ? (size_t)id : sel[got], n_sel);
        } else if (memcmp((const uint8_t *)vv.values + i * w, slot(c, sel[got]), w) != 0 ||
                   !dps_array_is_valid(&vv, i)) {
          ok = bad("%s\n  output row %zu (file row %zu): value differs from "
                   "the file's %" PRId64, ctx, got, sel[got], (int64_t)fo_val(c, sel[got]));
        }
      }
    }
    if (ok && got != n_sel)
      bad("%s\n  %zu rows, expected %zu (file row %zu is missing, value %" PRId64 ")",
          ctx, got, n_sel, sel[got], (int64_t)fo_val(c, sel[got]));
  }
  dps_scan_free(s);

  /* count(*), sum (numbers), min, max. */
  const int has_sum = k != K_DATE && k != K_TS;
  dps_agg aggs[4];
  size_t na = 0;
  aggs[na++] = (dps_agg){DPS_AGG_COUNT_STAR, NULL};
  if (has_sum) aggs[na++] = (dps_agg){DPS_AGG_SUM, dps_q_column(q, fo_defs[ci].name)};
  aggs[na++] = (dps_agg){DPS_AGG_MIN, dps_q_column(q, fo_defs[ci].name)};
  aggs[na++] = (dps_agg){DPS_AGG_MAX, dps_q_column(q, fo_defs[ci].name)};
  want wants[4];
  memset(wants, 0, sizeof wants);
  wants[0].type = DPS_TYPE_INT64;
  wants[0].x = (i128)n_sel;
  for (size_t a = 1; a < na; a++) {
    want *w = &wants[a];
    w->null = n_sel == 0;
    if (has_sum && a == 1) {
      w->type = k == K_DEC ? DPS_TYPE_DECIMAL : DPS_TYPE_INT64;
      w->scale = scale;
      w->exact128 = 1;
      w->x = sum;
    } else {
      const i128 x = aggs[a].fn == DPS_AGG_MIN ? best_min : best_max;
      w->type = c->type;
      w->scale = scale;
      if (k == K_UINT) w->u = (uint64_t)x;
      else w->x = x;
    }
  }
  so = (dps_scan_options)DPS_SCAN_OPTIONS_INIT;
  so.where = fo_pred_node(q, fo_defs[ci].name, p);
  so.threads = threads;
  so.aggs = aggs;
  so.n_aggs = na;
  s = NULL;
  size_t rows = 0, cols = 0;
  st = dps_scan_open(&s, rd, &so, &e);
  if (st == DPS_OK) st = dps_scan_aggregate(s, &rows, &cols, &e);
  if (st != DPS_OK) {
    bad("%s\n  aggregates: %d (%s) \"%s\"", ctx, (int)st, dps_strerror(st), e.message);
  } else if (rows != 1 || cols != na) {
    bad("%s\n  aggregates: %zu x %zu result, expected 1 x %zu", ctx, rows, cols, na);
  } else {
    static const char *const fn_names[] = {"", "count(*)", "count", "sum", "min", "max", "avg"};
    for (size_t a = 0; a < na; a++) {
      dps_value v;
      TU_OK(dps_scan_value(s, 0, a, &v), NULL);
      if (!value_matches(&v, &wants[a])) {
        char t1[300], t2[300];
        sbuf b1 = {t1, sizeof t1, 0}, b2 = {t2, sizeof t2, 0};
        value_text(&b1, &v);
        want_text(&b2, &wants[a]);
        bad("%s\n  %s: got %s, expected %s", ctx, fn_names[aggs[a].fn], t1, t2);
      }
    }
  }
  dps_scan_free(s);
  dps_query_free(q);
  free(sel);
}

static void test_scan__for_offsets_match_decoded_values(void **state) {
  (void)state;
  static fo_data d;
  fo_make(&d);
  /* Premise: the data has what the test is about. */
  for (size_t r = 0; r < FO_ROWS; r++) {
    if (r / 1024 != 2) assert_true(tu_column_is_valid(&d.cols[FO_NUL], r));
  }
  assert_true(d.cols[FO_NUL].nulls > 0);
  static const struct {
    const char *what;
    int force_for;
    dps_compression comp;
    int pread;  /* DPS_READ_PREAD: pages in the thread's read buffer */
  } files[] = {
      {"for, no compression", 1, DPS_COMPRESSION_NONE, 0},
      {"for, zstd", 1, DPS_COMPRESSION_ZSTD, 0},
      {"auto encodings", 0, DPS_COMPRESSION_DEFAULT, 0},
      {"for, no compression, pread", 1, DPS_COMPRESSION_NONE, 1},
  };
  const char *saved = getenv("DPSNAP_FORCE_ISA");
  char *saved_copy = saved ? strdup(saved) : NULL;
  static fo_pred preds[96];
  int n_cases = 0;
  for (size_t f = 0; f < sizeof files / sizeof files[0]; f++) {
    dps_column_encoding enc[FO_NCOLS];
    for (int ci = 0; ci < FO_NCOLS; ci++) {
      enc[ci].column = fo_defs[ci].name;
      enc[ci].encoding = DPS_ENCODING_FOR;
    }
    dps_schema *schema = tu_schema(fo_defs, FO_NCOLS);
    dps_snapshot_meta m = tu_meta();
    dps_write_options o = scan_opts();
    o.row_group_rows = FO_RG_ROWS;
    o.compression = files[f].comp;
    if (files[f].force_for) {
      o.column_encoding = enc;
      o.n_column_encoding = FO_NCOLS;
    }
    char path[512];
    dps_error e;
    tu_err_reset(&e);
    tu_tmp_path(path, sizeof path, "scan-for.dps");
    TU_OK(tu_write(path, schema, &m, &o, d.cols, FO_NCOLS, &e), &e);
    dps_schema_free(schema);
    dps_reader *rd = NULL;
    dps_read_options ro = DPS_READ_OPTIONS_INIT;
    if (files[f].pread) ro.flags = DPS_READ_PREAD;
    TU_OK(dps_reader_open(&rd, path, &ro, &e), &e);
    if (files[f].force_for) {
      /* Every page a lone for node: what the offset path reads. */
      for (int ci = 0; ci < FO_NCOLS; ci++) {
        dps_column_stats cs;
        TU_OK(dps_reader_column_stats(rd, (size_t)ci, &cs), NULL);
        if (strcmp(cs.encodings, "for*6") != 0)
          fail_msg("premise (%s): column %s should be 6 for pages, got \"%s\"",
                   files[f].what, fo_defs[ci].name, cs.encodings);
        /* The outliers need 30 / 64 bits; packed at that width the
         * column could not be this small: the writer made patches. */
        if ((ci == FO_I32P || ci == FO_I64P) &&
            cs.data_raw >= 6 * DPS_PACKED_BYTES(16))
          fail_msg("premise (%s): column %s should hold patches (%" PRIu64
                   " bytes encoded)", files[f].what, fo_defs[ci].name, cs.data_raw);
      }
    }
    int best = 0;
    for (int isa = 1; isa < DPS_ISA_COUNT; isa++)
      if (dps__isa_supported((dps_isa)isa)) best = isa;
    for (int isa = 0; isa < DPS_ISA_COUNT; isa++) {
      if (!dps__isa_supported((dps_isa)isa)) continue;
      /* The writer's own encodings, and pread, under the best ISA only. */
      if ((!files[f].force_for || files[f].pread) && isa != best) continue;
      setenv("DPSNAP_FORCE_ISA", dps__isa_name((dps_isa)isa), 1);
      dps__isa_reset_for_tests();
      assert_int_equal(dps__isa_active(), isa);
      for (int ci = 1; ci < FO_NCOLS; ci++) {
        const size_t np = fo_preds(&d.cols[ci], fo_defs[ci].scale, preds,
                                   sizeof preds / sizeof preds[0]);
        char what[160];
        snprintf(what, sizeof what, "%s, isa %s, column %s (%s)", files[f].what,
                 dps__isa_name((dps_isa)isa), fo_defs[ci].name,
                 dps_type_name(fo_defs[ci].type));
        for (size_t k = 0; k < np; k++, n_cases++)
          fo_check(rd, &d, ci, &preds[k], k % 3 == 2 ? 2u : 1u, what);
      }
    }
    dps_reader_free(rd);
    remove(path);
  }
  if (saved_copy) setenv("DPSNAP_FORCE_ISA", saved_copy, 1);
  else unsetenv("DPSNAP_FORCE_ISA");
  free(saved_copy);
  dps__isa_reset_for_tests();
  for (int ci = 0; ci < FO_NCOLS; ci++) tu_column_free(&d.cols[ci]);
  cases_done("for offsets", n_cases);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_scan__rows_rules),
      cmocka_unit_test(test_scan__rows_differential),
      cmocka_unit_test(test_scan__aggregates_empty),
      cmocka_unit_test(test_scan__aggregates_menu),
      cmocka_unit_test(test_scan__aggregates_differential),
      cmocka_unit_test(test_scan__isa_and_threads),
      cmocka_unit_test(test_scan__limit),
      cmocka_unit_test(test_scan__pruning_stats),
      cmocka_unit_test(test_scan__whole_page_sums),
      cmocka_unit_test(test_scan__sums_exact_and_overflow),
      cmocka_unit_test(test_scan__empty_snapshot),
      cmocka_unit_test(test_scan__bad_predicates),
      cmocka_unit_test(test_scan__value_format),
      cmocka_unit_test(test_scan__for_offsets_match_decoded_values),
  };
  return TU_RUN(tests, setup, teardown);
}
