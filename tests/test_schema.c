/*
 * test_schema.c - schemas, column validation, type names and the schema tag
 * of spec/FORMAT.md §7 [FMT-40].
 */
#include "testutil.h"

#include <xxhash.h>

/* The frozen tag of the schema
 *   id int64 not null, name string nullable, price decimal(10,2) nullable
 * computed once from the hand-written canonical bytes in
 * test_schema__tag_frozen. It must never change. */
#define FROZEN_TAG UINT64_C(0xcde02161a08c8b6d)

static dps_column_view col(const char *name, dps_type t, int nullable) {
  dps_column_view v;
  memset(&v, 0, sizeof v);
  v.name = name;
  v.type = t;
  v.nullable = nullable;
  return v;
}

static dps_column_view dec(const char *name, int p, int s, int nullable) {
  dps_column_view v = col(name, DPS_TYPE_DECIMAL, nullable);
  v.precision = p;
  v.scale = s;
  return v;
}

static dps_schema *new_schema(void) {
  dps_schema *s = NULL;
  dps_error e;
  tu_err_reset(&e);
  TU_OK(dps_schema_new(&s, &e), &e);
  assert_non_null(s);
  return s;
}

static void add_ok(dps_schema *s, dps_column_view v) {
  dps_error e;
  tu_err_reset(&e);
  TU_OK(dps_schema_add_column(s, &v, &e), &e);
}

/* Adds v expecting DPS_EINVAL with `name_in_msg` in the message, and checks
 * the schema did not grow. */
static void add_einval(dps_schema *s, dps_column_view v,
                       const char *name_in_msg) {
  dps_error e;
  tu_err_reset(&e);
  size_t before = dps_schema_column_count(s);
  TU_EXPECT(dps_schema_add_column(s, &v, &e), DPS_EINVAL, &e);
  if (name_in_msg) TU_HAS(&e, name_in_msg);
  assert_int_equal(dps_schema_column_count(s), before);
}

static const dps_type all_types[16] = {
    DPS_TYPE_BOOL,    DPS_TYPE_INT8,    DPS_TYPE_INT16,   DPS_TYPE_INT32,
    DPS_TYPE_INT64,   DPS_TYPE_UINT8,   DPS_TYPE_UINT16,  DPS_TYPE_UINT32,
    DPS_TYPE_UINT64,  DPS_TYPE_FLOAT32, DPS_TYPE_FLOAT64, DPS_TYPE_DATE,
    DPS_TYPE_TIMESTAMP, DPS_TYPE_DECIMAL, DPS_TYPE_STRING, DPS_TYPE_BINARY};

/* Every type can be a column; what goes in comes back, strings copied. */
static void test_schema__every_type(void **state) {
  (void)state;
  dps_schema *s = new_schema();
  char names[16][16], desc[16][32], tag0[16][16];
  for (int i = 0; i < 16; i++) {
    snprintf(names[i], sizeof names[i], "c%d_%s", i,
             dps_type_name(all_types[i]));
    snprintf(desc[i], sizeof desc[i], "column %d", i);
    snprintf(tag0[i], sizeof tag0[i], "t%d", i);
    const char *tags[2] = {tag0[i], "pii"};
    dps_column_view v = col(names[i], all_types[i], i % 2);
    if (all_types[i] == DPS_TYPE_DECIMAL) {
      v.precision = 18;
      v.scale = 4;
    }
    v.description = desc[i];
    v.tags = tags;
    v.n_tags = 2;
    add_ok(s, v);
  }
  /* The schema holds copies: scribble over the inputs. */
  for (int i = 0; i < 16; i++) {
    memset(names[i], 'X', 4);
    memset(desc[i], 'Y', 4);
    memset(tag0[i], 'Z', 2);
  }
  assert_int_equal(dps_schema_column_count(s), 16);
  for (int i = 0; i < 16; i++) {
    dps_column_view v;
    char want[16];
    assert_int_equal(dps_schema_column(s, (size_t)i, &v), DPS_OK);
    snprintf(want, sizeof want, "c%d_%s", i, dps_type_name(all_types[i]));
    assert_string_equal(v.name, want);
    assert_int_equal(v.type, all_types[i]);
    assert_int_equal(!!v.nullable, i % 2);
    assert_int_equal(v.precision, all_types[i] == DPS_TYPE_DECIMAL ? 18 : 0);
    assert_int_equal(v.scale, all_types[i] == DPS_TYPE_DECIMAL ? 4 : 0);
    snprintf(want, sizeof want, "column %d", i);
    assert_non_null(v.description);
    assert_string_equal(v.description, want);
    assert_int_equal(v.n_tags, 2);
    snprintf(want, sizeof want, "t%d", i);
    assert_string_equal(v.tags[0], want);
    assert_string_equal(v.tags[1], "pii");
    assert_int_equal(dps_schema_find(s, v.name), i);
  }
  dps_schema_free(s);
  dps_schema_free(NULL);
}

static void test_schema__duplicate_name(void **state) {
  (void)state;
  dps_schema *s = new_schema();
  add_ok(s, col("order_id", DPS_TYPE_INT64, 0));
  add_ok(s, col("amount", DPS_TYPE_FLOAT64, 1));
  add_einval(s, col("order_id", DPS_TYPE_STRING, 1), "order_id");
  /* Names are case-sensitive: a different case is a different column. */
  add_ok(s, col("Order_ID", DPS_TYPE_INT64, 0));
  assert_int_equal(dps_schema_column_count(s), 3);
  dps_schema_free(s);
}

/* [FMT §6.2] name: 1..255 bytes of UTF-8. */
static void test_schema__bad_names(void **state) {
  (void)state;
  dps_schema *s = new_schema();
  dps_error e;
  add_einval(s, col("", DPS_TYPE_INT32, 0), NULL);
  tu_err_reset(&e);
  dps_column_view v = col(NULL, DPS_TYPE_INT32, 0);
  TU_EXPECT(dps_schema_add_column(s, &v, &e), DPS_EINVAL, &e);

  char n255[256], n256[257];
  memset(n255, 'a', 255);
  n255[255] = '\0';
  memset(n256, 'b', 256);
  n256[256] = '\0';
  add_einval(s, col(n256, DPS_TYPE_INT32, 0), NULL);
  add_ok(s, col(n255, DPS_TYPE_INT32, 0));

  add_einval(s, col("bad\xC0\xAFname", DPS_TYPE_INT32, 0), NULL);
  add_einval(s, col("surr\xED\xA0\x80", DPS_TYPE_INT32, 0), NULL);
  add_einval(s, col("cut\xE2\x82", DPS_TYPE_INT32, 0), NULL);
  add_ok(s, col("pr\xC3\xA9is_\xE2\x82\xAC_\xF0\x9F\x98\x80", DPS_TYPE_INT32, 0));
  assert_int_equal(dps_schema_column_count(s), 2);

  /* NULL arguments */
  tu_err_reset(&e);
  v = col("x", DPS_TYPE_INT32, 0);
  TU_EXPECT(dps_schema_add_column(NULL, &v, &e), DPS_EINVAL, &e);
  tu_err_reset(&e);
  TU_EXPECT(dps_schema_add_column(s, NULL, &e), DPS_EINVAL, &e);
  tu_err_reset(&e);
  TU_EXPECT(dps_schema_new(NULL, &e), DPS_EINVAL, &e);
  dps_schema_free(s);
}

static void test_schema__bad_type(void **state) {
  (void)state;
  dps_schema *s = new_schema();
  add_einval(s, col("t_zero", (dps_type)0, 0), "t_zero");
  add_einval(s, col("t_17", (dps_type)17, 0), "t_17");
  add_einval(s, col("t_neg", (dps_type)-1, 0), "t_neg");
  assert_int_equal(dps_schema_column_count(s), 0);
  dps_schema_free(s);
}

/* [FMT §4.3] decimal(p, s): 1 <= p <= 18, 0 <= s <= p. */
static void test_schema__decimal_bounds(void **state) {
  (void)state;
  dps_schema *s = new_schema();
  add_einval(s, dec("dec_p0", 0, 0, 1), "dec_p0");
  add_einval(s, dec("dec_p19", 19, 2, 1), "dec_p19");
  add_einval(s, dec("dec_pneg", -1, 0, 1), "dec_pneg");
  add_einval(s, dec("dec_s_gt_p", 5, 6, 1), "dec_s_gt_p");
  add_einval(s, dec("dec_sneg", 5, -1, 1), "dec_sneg");
  add_ok(s, dec("d1_0", 1, 0, 1));
  add_ok(s, dec("d18_18", 18, 18, 1));
  add_ok(s, dec("d18_0", 18, 0, 0));
  add_ok(s, dec("d10_2", 10, 2, 0));
  assert_int_equal(dps_schema_column_count(s), 4);
  dps_column_view v;
  assert_int_equal(dps_schema_column(s, 1, &v), DPS_OK);
  assert_int_equal(v.precision, 18);
  assert_int_equal(v.scale, 18);
  assert_int_equal(DPS_DECIMAL_MAX_PRECISION, 18);
  dps_schema_free(s);
}

/* Precision/scale on a non-decimal column: either refused, or not part of
 * the schema's identity ([FMT-40]: "0 for other types"). */
static void test_schema__precision_on_non_decimal(void **state) {
  (void)state;
  dps_schema *a = new_schema(), *b = new_schema();
  dps_column_view v = col("n", DPS_TYPE_INT64, 0);
  v.precision = 5;
  v.scale = 1;
  dps_error e;
  tu_err_reset(&e);
  dps_status st = dps_schema_add_column(a, &v, &e);
  add_ok(b, col("n", DPS_TYPE_INT64, 0));
  if (st == DPS_OK) {
    assert_true(dps_schema_tag(a) == dps_schema_tag(b));
  } else {
    assert_int_equal(st, DPS_EINVAL);
    TU_HAS(&e, "n");
  }
  dps_schema_free(a);
  dps_schema_free(b);
}

static void test_schema__find_and_column(void **state) {
  (void)state;
  dps_schema *s = new_schema();
  add_ok(s, col("alpha", DPS_TYPE_INT8, 0));
  add_ok(s, col("beta", DPS_TYPE_STRING, 1));
  add_ok(s, col("gamma", DPS_TYPE_DATE, 1));
  assert_int_equal(dps_schema_find(s, "alpha"), 0);
  assert_int_equal(dps_schema_find(s, "beta"), 1);
  assert_int_equal(dps_schema_find(s, "gamma"), 2);
  assert_int_equal(dps_schema_find(s, "Beta"), -1);
  assert_int_equal(dps_schema_find(s, "bet"), -1);
  assert_int_equal(dps_schema_find(s, "betaa"), -1);
  assert_int_equal(dps_schema_find(s, ""), -1);
  dps_column_view v;
  assert_int_equal(dps_schema_column(s, 3, &v), DPS_EINVAL);
  assert_int_equal(dps_schema_column(s, (size_t)-1, &v), DPS_EINVAL);
  assert_int_equal(dps_schema_column(s, 0, NULL), DPS_EINVAL);
  assert_int_equal(dps_schema_column(NULL, 0, &v), DPS_EINVAL);
  assert_int_equal(dps_schema_column_count(NULL), 0);
  dps_schema_free(s);
}

/* ---- schema tag ---------------------------------------------------------- */

/* The base schema of the tag tests, with an optional change. */
enum change {
  SAME, DOCS, RENAME, RETYPE, NULLABILITY, PRECISION, SCALE, SWAP, EXTRA,
  FEWER, RENAME_CASE, N_CHANGES
};

static dps_schema *variant(enum change c) {
  dps_schema *s = new_schema();
  dps_column_view id = col("id", DPS_TYPE_INT64, 0);
  dps_column_view name = col("name", DPS_TYPE_STRING, 1);
  dps_column_view price = dec("price", 10, 2, 1);
  const char *tags[1] = {"pii"};
  switch (c) {
    case DOCS:
      name.description = "customer name";
      name.tags = tags;
      name.n_tags = 1;
      price.description = "unit price in EUR";
      break;
    case RENAME: name.name = "full_name"; break;
    case RENAME_CASE: name.name = "Name"; break;
    case RETYPE: id.type = DPS_TYPE_UINT64; break;
    case NULLABILITY: id.nullable = 1; break;
    case PRECISION: price.precision = 11; break;
    case SCALE: price.scale = 3; break;
    default: break;
  }
  if (c == SWAP) {
    add_ok(s, name);
    add_ok(s, id);
  } else {
    add_ok(s, id);
    add_ok(s, name);
  }
  if (c != FEWER) add_ok(s, price);
  if (c == EXTRA) add_ok(s, col("note", DPS_TYPE_STRING, 1));
  return s;
}

/* [FMT-40] equal schemas built separately have equal tags; descriptions and
 * tags are not part of the tag; everything else is. */
static void test_schema__tag_identity(void **state) {
  (void)state;
  uint64_t tags[N_CHANGES];
  for (int c = 0; c < N_CHANGES; c++) {
    dps_schema *s = variant((enum change)c);
    tags[c] = dps_schema_tag(s);
    /* Same value as the independent canonical encoding. */
    if (tags[c] != tu_canonical_tag(s))
      fail_msg("variant %d: tag %016llx, canonical encoding gives %016llx", c,
               (unsigned long long)tags[c],
               (unsigned long long)tu_canonical_tag(s));
    /* Stable across calls and across copies built again. */
    assert_true(dps_schema_tag(s) == tags[c]);
    dps_schema *again = variant((enum change)c);
    assert_true(dps_schema_tag(again) == tags[c]);
    dps_schema_free(again);
    dps_schema_free(s);
  }
  assert_true(tags[DOCS] == tags[SAME]);
  for (int a = 0; a < N_CHANGES; a++)
    for (int b = a + 1; b < N_CHANGES; b++)
      if (!(a == SAME && b == DOCS) && tags[a] == tags[b])
        fail_msg("variants %d and %d have the same tag %016llx", a, b,
                 (unsigned long long)tags[a]);
}

/* [FMT-40] the encoding is frozen: the tag of a fixed schema is computed
 * here from bytes written by hand, and pinned as a literal. */
static void test_schema__tag_frozen(void **state) {
  (void)state;
  static const uint8_t canonical[] = {
      'd', 'p', 's', 'n', 'a', 'p', '.', 's', 'c', 'h', 'e', 'm', 'a', '.',
      'v', '1',
      0x03,                                           /* 3 columns */
      0x02, 'i', 'd', 0x05, 0x00, 0x00, 0x00,         /* int64 not null */
      0x04, 'n', 'a', 'm', 'e', 0x0F, 0x01, 0x00, 0x00, /* string nullable */
      0x05, 'p', 'r', 'i', 'c', 'e', 0x0E, 0x01, 0x0A, 0x02 /* decimal(10,2) */
  };
  uint64_t independent = XXH3_64bits(canonical, sizeof canonical);
  assert_true(independent == FROZEN_TAG);

  dps_schema *s = variant(SAME);
  uint64_t tag = dps_schema_tag(s);
  if (tag != FROZEN_TAG)
    fail_msg("schema tag %016llx, frozen value %016llx",
             (unsigned long long)tag, (unsigned long long)FROZEN_TAG);

  /* The library's canonical bytes are the hand-written ones. */
  dps_buf b = {0};
  assert_int_equal(dps__schema_canonical(s, &b), DPS_OK);
  assert_int_equal(b.len, sizeof canonical);
  assert_memory_equal(b.data, canonical, sizeof canonical);
  assert_true(dps__hash64(canonical, sizeof canonical) == FROZEN_TAG);
  dps__buf_free(&b);
  dps_schema_free(s);
}

/* [FMT-40] name lengths are varints: a 200-byte name takes two bytes; names
 * are hashed as their UTF-8 bytes. */
static void test_schema__tag_long_and_utf8_names(void **state) {
  (void)state;
  char longname[201];
  memset(longname, 'q', 200);
  longname[200] = '\0';
  dps_schema *s = new_schema();
  add_ok(s, col(longname, DPS_TYPE_BOOL, 1));
  add_ok(s, col("\xC3\xA9t\xC3\xA9", DPS_TYPE_TIMESTAMP, 0));

  uint8_t canonical[16 + 1 + 2 + 200 + 4 + 1 + 5 + 4];
  size_t n = 0;
  memcpy(canonical, "dpsnap.schema.v1", 16);
  n = 16;
  canonical[n++] = 0x02;
  canonical[n++] = 0xC8; /* 200 = 0b1_1001000 -> C8 01 */
  canonical[n++] = 0x01;
  memset(canonical + n, 'q', 200);
  n += 200;
  canonical[n++] = 0x01; /* bool */
  canonical[n++] = 0x01;
  canonical[n++] = 0x00;
  canonical[n++] = 0x00;
  canonical[n++] = 0x05; /* C3 A9 74 C3 A9 */
  memcpy(canonical + n, "\xC3\xA9t\xC3\xA9", 5);
  n += 5;
  canonical[n++] = 0x0D; /* timestamp */
  canonical[n++] = 0x00;
  canonical[n++] = 0x00;
  canonical[n++] = 0x00;
  assert_int_equal(n, sizeof canonical);
  assert_true(dps_schema_tag(s) == XXH3_64bits(canonical, n));
  dps_schema_free(s);
}

/* ---- type and codec names ------------------------------------------------ */

static void test_schema__type_names(void **state) {
  (void)state;
  static const struct {
    dps_type t;
    const char *name;
    size_t width;
  } types[16] = {
      {DPS_TYPE_BOOL, "bool", 1},         {DPS_TYPE_INT8, "int8", 1},
      {DPS_TYPE_INT16, "int16", 2},       {DPS_TYPE_INT32, "int32", 4},
      {DPS_TYPE_INT64, "int64", 8},       {DPS_TYPE_UINT8, "uint8", 1},
      {DPS_TYPE_UINT16, "uint16", 2},     {DPS_TYPE_UINT32, "uint32", 4},
      {DPS_TYPE_UINT64, "uint64", 8},     {DPS_TYPE_FLOAT32, "float32", 4},
      {DPS_TYPE_FLOAT64, "float64", 8},   {DPS_TYPE_DATE, "date", 4},
      {DPS_TYPE_TIMESTAMP, "timestamp", 8}, {DPS_TYPE_DECIMAL, "decimal", 8},
      {DPS_TYPE_STRING, "string", 0},     {DPS_TYPE_BINARY, "binary", 0},
  };
  for (int i = 0; i < 16; i++) {
    /* [FMT §4.3] pinned ids 1..16 */
    assert_int_equal((int)types[i].t, i + 1);
    assert_string_equal(dps_type_name(types[i].t), types[i].name);
    dps_type back = (dps_type)0;
    assert_int_equal(dps_type_from_name(&back, types[i].name), DPS_OK);
    assert_int_equal(back, types[i].t);
    assert_int_equal(dps_type_width(types[i].t), types[i].width);
  }
  assert_string_equal(dps_type_name((dps_type)0), "unknown");
  assert_string_equal(dps_type_name((dps_type)17), "unknown");
  dps_type t;
  assert_int_equal(dps_type_from_name(&t, "varchar"), DPS_ENOTFOUND);
  assert_int_equal(dps_type_from_name(&t, ""), DPS_ENOTFOUND);
  assert_int_equal(dps_type_from_name(&t, "int"), DPS_ENOTFOUND);
  assert_int_equal(dps_type_from_name(&t, "int644"), DPS_ENOTFOUND);
  assert_int_equal(dps_type_from_name(&t, "unknown"), DPS_ENOTFOUND);

  assert_string_equal(dps_compression_name(DPS_COMPRESSION_DEFAULT), "default");
  assert_string_equal(dps_compression_name(DPS_COMPRESSION_NONE), "none");
  assert_string_equal(dps_compression_name(DPS_COMPRESSION_LZ4), "lz4");
  assert_string_equal(dps_compression_name(DPS_COMPRESSION_ZSTD), "zstd");
  assert_string_equal(dps_compression_name((dps_compression)9), "unknown");
}

/* Schema copies (used by the writer) keep everything, tag included. */
static void test_schema__copy(void **state) {
  (void)state;
  dps_schema *s = variant(DOCS), *c = NULL;
  dps_error e;
  tu_err_reset(&e);
  TU_OK(dps__schema_copy(&c, s, &e), &e);
  assert_int_equal(dps_schema_column_count(c), 3);
  assert_true(dps_schema_tag(c) == dps_schema_tag(s));
  dps_column_view v;
  assert_int_equal(dps_schema_column(c, 1, &v), DPS_OK);
  assert_string_equal(v.description, "customer name");
  assert_int_equal(v.n_tags, 1);
  assert_string_equal(v.tags[0], "pii");
  dps_schema_free(s);
  assert_int_equal(dps_schema_column(c, 2, &v), DPS_OK);
  assert_string_equal(v.name, "price");
  dps_schema_free(c);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_schema__every_type),
      cmocka_unit_test(test_schema__duplicate_name),
      cmocka_unit_test(test_schema__bad_names),
      cmocka_unit_test(test_schema__bad_type),
      cmocka_unit_test(test_schema__decimal_bounds),
      cmocka_unit_test(test_schema__precision_on_non_decimal),
      cmocka_unit_test(test_schema__find_and_column),
      cmocka_unit_test(test_schema__tag_identity),
      cmocka_unit_test(test_schema__tag_frozen),
      cmocka_unit_test(test_schema__tag_long_and_utf8_names),
      cmocka_unit_test(test_schema__type_names),
      cmocka_unit_test(test_schema__copy),
  };
  return TU_RUN(tests, NULL, NULL);
}
