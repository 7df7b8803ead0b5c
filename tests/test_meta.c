/*
 * test_meta.c - snapshot metadata (spec/METADATA.md) through written files:
 * round trip, the writer's checks [META-1..8], and readers skipping unknown
 * footer fields [FMT-20].
 */
#include "testutil.h"

#include <time.h>
#include <xxhash.h>

static int64_t now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static const tu_coldef small_defs[3] = {
    {"id", DPS_TYPE_INT64, 0, 0, 0},
    {"name", DPS_TYPE_STRING, 1, 0, 0},
    {"score", DPS_TYPE_FLOAT64, 1, 0, 0},
};

static void small_data(tu_column cols[3], size_t rows, uint64_t seed) {
  tu_rng rng;
  tu_rng_seed(&rng, seed);
  tu_column_init(&cols[0], DPS_TYPE_INT64);
  tu_column_init(&cols[1], DPS_TYPE_STRING);
  tu_column_init(&cols[2], DPS_TYPE_FLOAT64);
  for (size_t i = 0; i < rows; i++) tu_column_append_i64(&cols[0], (int64_t)i);
  tu_column_random(&cols[1], rows, 100, 0, &rng);
  tu_column_random(&cols[2], rows, 100, 0, &rng);
}

static void free_cols(tu_column *cols, size_t n) {
  for (size_t i = 0; i < n; i++) tu_column_free(&cols[i]);
}

/* Reads path back and checks data and metadata against what was written. */
static void check_file(const char *path, const tu_column *cols,
                       const dps_snapshot_meta *want_meta) {
  dps_reader *r = NULL;
  dps_error e;
  tu_err_reset(&e);
  TU_OK(dps_reader_open(&r, path, NULL, &e), &e);
  if (want_meta) tu_assert_meta_equal(want_meta, dps_reader_meta(r), path);
  tu_column back[3];
  TU_OK(tu_read_all(r, NULL, 0, back, NULL, NULL, 0, &e), &e);
  for (int i = 0; i < 3; i++) {
    dps_array_view a = tu_column_view(&cols[i]), b = tu_column_view(&back[i]);
    TU_ASSERT_ARRAY_EQ(cols[i].type, &a, &b, small_defs[i].name);
  }
  free_cols(back, 3);
  dps_verify_report rep;
  TU_OK(dps_reader_verify(r, &rep, &e), &e);
  dps_reader_free(r);
}

/* Opens a writer for `m` in a fresh directory, expecting `code` and (for an
 * error) every non-NULL substring of subs in the message. Nothing may be
 * left in the directory afterwards (an opened writer is abandoned). */
static void open_expect(const dps_snapshot_meta *m, dps_status code,
                        const char *sub1, const char *sub2, const char *line) {
  char dir[512], path[600];
  tu_tmp_dir(dir, sizeof dir, "meta");
  snprintf(path, sizeof path, "%s/snap.dps", dir);
  dps_schema *s = tu_schema(small_defs, 3);
  dps_write_options o = tu_opts();
  dps_writer *w = NULL;
  dps_error e;
  tu_err_reset(&e);
  dps_status st = dps_writer_open(&w, path, s, m, &o, &e);
  if (st != code) {
    fail_msg("%s: dps_writer_open returned %d (%s), expected %d (%s): %s",
             line, (int)st, dps_strerror(st), (int)code, dps_strerror(code),
             e.message);
  }
  if (code != DPS_OK) {
    assert_int_equal(e.code, code);
    if (sub1 && !tu_contains_ci(e.message, sub1))
      fail_msg("%s: message \"%s\" lacks \"%s\"", line, e.message, sub1);
    if (sub2 && !tu_contains_ci(e.message, sub2))
      fail_msg("%s: message \"%s\" lacks \"%s\"", line, e.message, sub2);
  }
  dps_writer_free(w);
  /* [META-8] nothing is written; an abandoned writer leaves nothing. */
  if (tu_dir_count(dir) != 0)
    fail_msg("%s: files left in %s after a refused/abandoned open", line, dir);
  dps_schema_free(s);
  tu_rm_dir(dir);
}

#define STR_(x) #x
#define STR(x) STR_(x)
#define OPEN_EXPECT(m, code, s1, s2) \
  open_expect((m), (code), (s1), (s2), __FILE__ ":" STR(__LINE__))

/* ---- round trip ------------------------------------------------------------ */

/* [FMT §6.3] every metadata field survives a file; column documentation
 * ([FMT §6.2] description, tags) too. */
static void test_meta__full_round_trip(void **state) {
  (void)state;
  char path[512];
  tu_tmp_path(path, sizeof path, "full.dps");
  dps_schema *s = NULL;
  dps_error e;
  tu_err_reset(&e);
  TU_OK(dps_schema_new(&s, &e), &e);
  const char *tags_name[2] = {"pii", "eu-customers"};
  const char *tags_score[1] = {"quality:derived"};
  dps_column_view v;
  memset(&v, 0, sizeof v);
  v.name = "id";
  v.type = DPS_TYPE_INT64;
  v.description = "Order line id";
  TU_OK(dps_schema_add_column(s, &v, &e), &e);
  v.name = "name";
  v.type = DPS_TYPE_STRING;
  v.nullable = 1;
  v.description = "Customer name \xE2\x80\x94 as typed";
  v.tags = tags_name;
  v.n_tags = 2;
  TU_OK(dps_schema_add_column(s, &v, &e), &e);
  v.name = "score";
  v.type = DPS_TYPE_FLOAT64;
  v.description = NULL;
  v.tags = tags_score;
  v.n_tags = 1;
  TU_OK(dps_schema_add_column(s, &v, &e), &e);

  /* The writer copies the metadata at open: scribble over our copy of the
   * product and a property before finishing. */
  dps_snapshot_meta m = tu_meta_full();
  char product[64], key[32];
  snprintf(product, sizeof product, "%s", m.product);
  snprintf(key, sizeof key, "%s", m.properties[0].key);
  dps_property props[3];
  memcpy(props, m.properties, sizeof props);
  props[0].key = key;
  dps_snapshot_meta given = m;
  given.product = product;
  given.properties = props;

  tu_column cols[3];
  small_data(cols, 100, 3);
  dps_write_options o = tu_opts();
  dps_writer *w = NULL;
  TU_OK(dps_writer_open(&w, path, s, &given, &o, &e), &e);
  dps_array_view views[3];
  for (int i = 0; i < 3; i++) views[i] = tu_column_view(&cols[i]);
  TU_OK(dps_writer_write(w, views, 3, 100, &e), &e);
  memset(product, 'x', 10);
  memset(key, 'y', 5);
  TU_OK(dps_writer_finish(w, &e), &e);
  dps_writer_free(w);

  check_file(path, cols, &m);

  dps_reader *r = NULL;
  TU_OK(dps_reader_open(&r, path, NULL, &e), &e);
  const dps_snapshot_meta *rm = dps_reader_meta(r);
  assert_int_equal(rm->version, DPS_SNAPSHOT_META_VERSION);
  assert_true(dps_reader_schema_tag(r) == dps_schema_tag(s));
  assert_true(dps_reader_schema_tag(r) == tu_canonical_tag(s));
  const dps_schema *rs = dps_reader_schema(r);
  assert_int_equal(dps_schema_column_count(rs), 3);
  dps_column_view rv;
  assert_int_equal(dps_schema_column(rs, 0, &rv), DPS_OK);
  assert_string_equal(rv.name, "id");
  assert_int_equal(rv.type, DPS_TYPE_INT64);
  assert_false(rv.nullable);
  assert_string_equal(rv.description, "Order line id");
  assert_int_equal(rv.n_tags, 0);
  assert_int_equal(dps_schema_column(rs, 1, &rv), DPS_OK);
  assert_string_equal(rv.description, "Customer name \xE2\x80\x94 as typed");
  assert_true(rv.nullable);
  assert_int_equal(rv.n_tags, 2);
  assert_string_equal(rv.tags[0], "pii");
  assert_string_equal(rv.tags[1], "eu-customers");
  assert_int_equal(dps_schema_column(rs, 2, &rv), DPS_OK);
  assert_null(rv.description);
  assert_int_equal(rv.n_tags, 1);
  assert_string_equal(rv.tags[0], "quality:derived");

  /* [FMT §6.1] created_by names the writer, e.g. "dpsnap 0.1.0". */
  dps_file_info fi;
  assert_int_equal(dps_reader_file_info(r, &fi), DPS_OK);
  assert_non_null(fi.created_by);
  assert_true(strncmp(fi.created_by, "dpsnap ", 7) == 0);
  assert_non_null(strstr(fi.created_by, dps_version_string()));
  dps_reader_free(r);
  free_cols(cols, 3);
  dps_schema_free(s);
}

/* [META-4] created_at 0 asks the writer to stamp the time of open. */
static void test_meta__created_at_stamped(void **state) {
  (void)state;
  char path[512];
  tu_tmp_path(path, sizeof path, "stamp.dps");
  dps_schema *s = tu_schema(small_defs, 3);
  dps_snapshot_meta m = tu_meta();
  m.created_at = 0;
  tu_column cols[3];
  small_data(cols, 10, 4);
  dps_write_options o = tu_opts();
  dps_error e;
  tu_err_reset(&e);
  int64_t before = now_us();
  TU_OK(tu_write(path, s, &m, &o, cols, 3, &e), &e);
  int64_t after = now_us();
  dps_reader *r = NULL;
  TU_OK(dps_reader_open(&r, path, NULL, &e), &e);
  int64_t got = dps_reader_meta(r)->created_at;
  if (got < before - 1000000 || got > after + 1000000)
    fail_msg("created_at %lld not within [%lld, %lld] (+-1 s)",
             (long long)got, (long long)before, (long long)after);
  dps_reader_free(r);
  free_cols(cols, 3);
  dps_schema_free(s);
}

/* [FMT §6.3] created_at is a sint: times before 1970 and the extremes
 * round trip. */
static void test_meta__created_at_extremes(void **state) {
  (void)state;
  const int64_t times[] = {-1, INT64_C(-1234567890123456), INT64_MAX,
                           INT64_MIN + 1, 1};
  dps_schema *s = tu_schema(small_defs, 3);
  tu_column cols[3];
  small_data(cols, 3, 5);
  for (size_t i = 0; i < sizeof times / sizeof times[0]; i++) {
    char path[512];
    tu_tmp_path(path, sizeof path, "times.dps");
    dps_snapshot_meta m = tu_meta();
    m.created_at = times[i];
    dps_write_options o = tu_opts();
    dps_error e;
    tu_err_reset(&e);
    TU_OK(tu_write(path, s, &m, &o, cols, 3, &e), &e);
    check_file(path, cols, &m);
  }
  free_cols(cols, 3);
  dps_schema_free(s);
}

/* [FMT-23] equal snapshots give byte-identical files. */
static void test_meta__deterministic_bytes(void **state) {
  (void)state;
  char p1[512], p2[512];
  tu_tmp_path(p1, sizeof p1, "det1.dps");
  tu_tmp_path(p2, sizeof p2, "det2.dps");
  dps_schema *s = tu_schema(small_defs, 3);
  dps_snapshot_meta m = tu_meta_full();
  tu_column cols[3];
  small_data(cols, 2500, 6);
  dps_write_options o = tu_opts();
  o.row_group_rows = 1024;
  dps_error e;
  tu_err_reset(&e);
  TU_OK(tu_write(p1, s, &m, &o, cols, 3, &e), &e);
  TU_OK(tu_write(p2, s, &m, &o, cols, 3, &e), &e);
  size_t n1, n2;
  uint8_t *a = tu_slurp(p1, &n1), *b = tu_slurp(p2, &n2);
  assert_int_equal(n1, n2);
  assert_memory_equal(a, b, n1);
  free(a);
  free(b);
  free_cols(cols, 3);
  dps_schema_free(s);
}

/* ---- the writer's checks ----------------------------------------------- */

/* [META-8] no product: DPS_EPOLICY naming the field; nothing written. */
static void test_meta__requires_product(void **state) {
  (void)state;
  dps_snapshot_meta m = tu_meta();
  m.product = NULL;
  OPEN_EXPECT(&m, DPS_EPOLICY, "product", NULL);

  /* An empty product is missing too (or malformed per [META-1]). */
  m.product = "";
  char dir[512], path[600];
  tu_tmp_dir(dir, sizeof dir, "emptyproduct");
  snprintf(path, sizeof path, "%s/x.dps", dir);
  dps_schema *s = tu_schema(small_defs, 3), *s2 = NULL;
  dps_writer *w = NULL;
  dps_error e;
  tu_err_reset(&e);
  dps_status st = dps_writer_open(&w, path, s, &m, NULL, &e);
  if (st != DPS_EPOLICY && st != DPS_EINVAL)
    fail_msg("empty product: status %d, expected DPS_EPOLICY or DPS_EINVAL",
             (int)st);
  TU_HAS_CI(&e, "product");
  dps_writer_free(w);
  assert_int_equal(tu_dir_count(dir), 0);
  dps_schema_free(s);

  /* NULL meta altogether: refused as an argument or as a policy. */
  tu_err_reset(&e);
  w = NULL;
  st = dps_writer_open(&w, path, s2 = tu_schema(small_defs, 3), NULL, NULL,
                       &e);
  assert_true(st == DPS_EINVAL || st == DPS_EPOLICY);
  assert_null(w);
  assert_int_equal(tu_dir_count(dir), 0);
  dps_schema_free(s2);
}

/* [META-5] owner team and email are required. */
static void test_meta__requires_owner(void **state) {
  (void)state;
  dps_snapshot_meta m = tu_meta();
  m.owner_team = NULL;
  OPEN_EXPECT(&m, DPS_EPOLICY, "owner", "team");
  m.owner_team = "";
  OPEN_EXPECT(&m, DPS_EPOLICY, "owner", "team");

  m = tu_meta();
  m.owner_email = NULL;
  OPEN_EXPECT(&m, DPS_EPOLICY, "owner", "email");
  m.owner_email = "";
  OPEN_EXPECT(&m, DPS_EPOLICY, "owner", "email");

  /* Not local@domain: DPS_EPOLICY or DPS_EINVAL ([META-5]). */
  const char *bad_emails[] = {"not-an-email", "@example.org", "team@", "a@b@c"};
  for (size_t i = 0; i < sizeof bad_emails / sizeof bad_emails[0]; i++) {
    char dir[512], path[600];
    tu_tmp_dir(dir, sizeof dir, "email");
    snprintf(path, sizeof path, "%s/x.dps", dir);
    dps_schema *s = tu_schema(small_defs, 3);
    m = tu_meta();
    m.owner_email = bad_emails[i];
    dps_writer *w = NULL;
    dps_error e;
    tu_err_reset(&e);
    dps_status st = dps_writer_open(&w, path, s, &m, NULL, &e);
    if (st != DPS_EPOLICY && st != DPS_EINVAL)
      fail_msg("owner_email \"%s\": status %d, expected EPOLICY or EINVAL",
               bad_emails[i], (int)st);
    TU_HAS_CI(&e, "email");
    dps_writer_free(w);
    assert_int_equal(tu_dir_count(dir), 0);
    dps_schema_free(s);
  }
  m = tu_meta();
  m.owner_email = "data+orders@sub.example.org";
  OPEN_EXPECT(&m, DPS_OK, NULL, NULL);
}

/* [META-1] product id: two or more dot-separated parts of [a-z0-9_-]+, each
 * starting with a letter or digit, 3..255 bytes. */
static void test_meta__product_id_syntax(void **state) {
  (void)state;
  char p255[256], p256[257];
  memcpy(p255, "a.", 2);
  memset(p255 + 2, 'b', 253);
  p255[255] = '\0';
  memcpy(p256, "a.", 2);
  memset(p256 + 2, 'b', 254);
  p256[256] = '\0';
  const char *bad[] = {"sales",        "Sales.orders",  "sales.Orders",
                       ".orders",      "sales.",        "sales..orders",
                       "_sales.orders", "-sales.orders", "sales.-orders",
                       "sales orders.x", "sales/orders.x", "\xC3\xA9t\xC3\xA9.x",
                       "sales.orders\n", p256};
  const char *good[] = {"a.b", "sales.orders", "x1.y_z-2", "a.b.c", "0.1",
                        "9lives.data_set", p255};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    dps_snapshot_meta m = tu_meta();
    m.product = bad[i];
    OPEN_EXPECT(&m, DPS_EINVAL, "product", NULL);
  }
  for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
    dps_snapshot_meta m = tu_meta();
    m.product = good[i];
    OPEN_EXPECT(&m, DPS_OK, NULL, NULL);
  }
}

/* [META-2] semver: MAJOR.MINOR.PATCH without leading zeros, optional -pre and
 * +build as in SemVer 2.0.0. */
static void test_meta__semver_syntax(void **state) {
  (void)state;
  const char *bad[] = {"1",         "1.0",        "1.0.0.0",   "v1.0.0",
                       "01.0.0",    "1.00.0",     "1.0.00",    "1.0.0-",
                       "1.0.0+",    "1.a.0",      " 1.0.0",    "1.0.0 ",
                       "1.0.0-01",  "1.0.0-alpha..1", "-1.0.0", "1..0",
                       "1.0.0+b..1", "1.0.0-\xC3\xA9", ""};
  const char *good[] = {"0.0.0",
                        "1.0.0",
                        "10.20.30",
                        "1.0.0-alpha",
                        "1.0.0-alpha.1",
                        "1.0.0-0.3.7",
                        "1.0.0-x.7.z.92",
                        "1.0.0+20130313144700",
                        "1.0.0-beta+exp.sha.5114f85",
                        "1.0.0+21AF26D3----117B344092BD",
                        "1.0.0-alpha-a.b-c",
                        "18446744073709551615.0.0"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    dps_snapshot_meta m = tu_meta();
    m.semver = bad[i];
    OPEN_EXPECT(&m, DPS_EINVAL, "semver", NULL);
  }
  for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
    dps_snapshot_meta m = tu_meta();
    m.semver = good[i];
    OPEN_EXPECT(&m, DPS_OK, NULL, NULL);
  }
}

/* [META-3] parent_version < snapshot_version when both are set. */
static void test_meta__version_order(void **state) {
  (void)state;
  dps_snapshot_meta m = tu_meta();
  m.snapshot_version = 3;
  m.parent_version = 3;
  OPEN_EXPECT(&m, DPS_EINVAL, "version", NULL);
  m.parent_version = 5;
  OPEN_EXPECT(&m, DPS_EINVAL, "version", NULL);
  m.parent_version = 2;
  OPEN_EXPECT(&m, DPS_OK, NULL, NULL);
  m.snapshot_version = 0;
  m.parent_version = 5;
  OPEN_EXPECT(&m, DPS_OK, NULL, NULL);
  m.snapshot_version = 1;
  m.parent_version = 0;
  OPEN_EXPECT(&m, DPS_OK, NULL, NULL);
}

/* [META-6] an input names a product (checked as [META-1]) or a URI. */
static void test_meta__inputs_checked(void **state) {
  (void)state;
  dps_lineage_input in[1] = {{NULL, 4, 0, NULL}};
  dps_snapshot_meta m = tu_meta();
  m.inputs = in;
  m.n_inputs = 1;
  OPEN_EXPECT(&m, DPS_EINVAL, "input", NULL);
  in[0].product = "Not.Valid";
  OPEN_EXPECT(&m, DPS_EINVAL, "Not.Valid", NULL);
  in[0].product = "crm.customers";
  OPEN_EXPECT(&m, DPS_OK, NULL, NULL);
  in[0].product = NULL;
  in[0].uri = "file:/data/x.csv";
  OPEN_EXPECT(&m, DPS_OK, NULL, NULL);
  in[0].uri = "bad\xFFuri";
  OPEN_EXPECT(&m, DPS_EINVAL, NULL, NULL);
  /* n_inputs without an array */
  m.inputs = NULL;
  OPEN_EXPECT(&m, DPS_EINVAL, NULL, NULL);
}

/* [META-7] property keys are non-empty and unique. */
static void test_meta__properties_checked(void **state) {
  (void)state;
  dps_property p[3] = {{"rows", "1"}, {"source", "x"}, {"rows", "2"}};
  dps_snapshot_meta m = tu_meta();
  m.properties = p;
  m.n_properties = 3;
  OPEN_EXPECT(&m, DPS_EINVAL, "rows", NULL);
  p[2].key = "";
  OPEN_EXPECT(&m, DPS_EINVAL, "propert", NULL);
  p[2].key = NULL;
  OPEN_EXPECT(&m, DPS_EINVAL, NULL, NULL);
  p[2].key = "other";
  OPEN_EXPECT(&m, DPS_OK, NULL, NULL);
  p[2].value = "bad\xC0\x80";
  OPEN_EXPECT(&m, DPS_EINVAL, "propert", NULL);
}

/* [METADATA §1] every string MUST be valid UTF-8. */
static void test_meta__utf8_checked(void **state) {
  (void)state;
  dps_snapshot_meta m = tu_meta();
  m.title = "caf\xC3";
  OPEN_EXPECT(&m, DPS_EINVAL, "title", NULL);
  m = tu_meta();
  m.description = "\xED\xA0\x80";
  OPEN_EXPECT(&m, DPS_EINVAL, "description", NULL);
  m = tu_meta();
  m.owner_team = "T\xFF";
  {
    /* An owner that is present but not UTF-8: refused either way. */
    char dir[512], path[600];
    tu_tmp_dir(dir, sizeof dir, "utf8");
    snprintf(path, sizeof path, "%s/x.dps", dir);
    dps_schema *s = tu_schema(small_defs, 3);
    dps_writer *w = NULL;
    dps_error e;
    tu_err_reset(&e);
    dps_status st = dps_writer_open(&w, path, s, &m, NULL, &e);
    assert_true(st == DPS_EINVAL || st == DPS_EPOLICY);
    dps_writer_free(w);
    dps_schema_free(s);
  }
  m = tu_meta();
  m.job_name = "job\xF8\x88\x80\x80\x80";
  OPEN_EXPECT(&m, DPS_EINVAL, "job", NULL);
}

/* [METADATA §1] column tags: [a-z0-9_:.-]+, 1..64 bytes; refused by
 * dps_schema_add_column or at the latest by dps_writer_open. */
static void test_meta__column_tags_checked(void **state) {
  (void)state;
  char t65[66];
  memset(t65, 'a', 65);
  t65[65] = '\0';
  const char *bad[] = {"PII", "", "has space", "pii!", t65};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    dps_schema *s = NULL;
    dps_error e;
    tu_err_reset(&e);
    TU_OK(dps_schema_new(&s, &e), &e);
    dps_column_view v;
    memset(&v, 0, sizeof v);
    v.name = "tagged_col";
    v.type = DPS_TYPE_INT32;
    v.tags = &bad[i];
    v.n_tags = 1;
    dps_status st = dps_schema_add_column(s, &v, &e);
    if (st == DPS_OK) {
      char dir[512], path[600];
      tu_tmp_dir(dir, sizeof dir, "tags");
      snprintf(path, sizeof path, "%s/x.dps", dir);
      dps_snapshot_meta m = tu_meta();
      dps_writer *w = NULL;
      tu_err_reset(&e);
      st = dps_writer_open(&w, path, s, &m, NULL, &e);
      dps_writer_free(w);
      assert_int_equal(tu_dir_count(dir), 0);
    }
    if (st != DPS_EINVAL)
      fail_msg("column tag \"%s\": accepted (status %d), expected DPS_EINVAL",
               bad[i], (int)st);
    TU_HAS(&e, "tagged_col");
    dps_schema_free(s);
  }
}

/* ---- unknown footer fields [FMT-20] ------------------------------------- */

enum kind {
  K_FOOTER, K_SCHEMA, K_COLUMN, K_META, K_INPUT, K_PROPERTY, K_GROUP,
  K_CHUNK, K_PAGE, K_ZONE, K_LEAF
};

/* Which fields of a message of kind k are messages, per FORMAT.md §6. */
static enum kind child_kind(enum kind k, uint64_t tag) {
  switch (k) {
    case K_FOOTER:
      return tag == 1 ? K_SCHEMA : tag == 3 ? K_META : tag == 4 ? K_GROUP
                                                                : K_LEAF;
    case K_SCHEMA: return tag == 1 ? K_COLUMN : K_LEAF;
    case K_META: return tag == 10 ? K_INPUT : tag == 14 ? K_PROPERTY : K_LEAF;
    case K_GROUP: return tag == 3 ? K_CHUNK : tag == 4 ? K_ZONE : K_LEAF;
    case K_CHUNK: return tag == 3 ? K_PAGE : K_LEAF;
    case K_PAGE: return tag == 9 ? K_ZONE : K_LEAF;
    default: return K_LEAF;
  }
}

static size_t n_unknown_added;

/* Unknown fields of several kinds; tags far from every known one. */
static void add_unknown(dps_buf *out, enum kind k, int where) {
  const uint8_t junk[6] = {0x00, 0xFF, 'j', 'u', 'n', 'k'};
  dps_buf nested = {0};
  assert_int_equal(dps__tlv_put_bytes(out, 90u + (unsigned)k, junk, 6), DPS_OK);
  assert_int_equal(dps__tlv_put_uint(out, 120, 1234567u + (unsigned)where),
                   DPS_OK);
  assert_int_equal(dps__tlv_put_str(&nested, 1, "from the future"), DPS_OK);
  assert_int_equal(dps__tlv_put_u64(&nested, 2, 42), DPS_OK);
  assert_int_equal(dps__tlv_put_msg(out, 121, &nested), DPS_OK);
  dps__buf_free(&nested);
  n_unknown_added += 3;
}

/* Copies message p[0..n) of kind k with unknown fields added before its
 * first and after its last field, recursing into every nested message. */
static void rewrite(const uint8_t *p, size_t n, enum kind k, dps_buf *out) {
  dps_tlv_reader r;
  dps_tlv_field f;
  dps_error e;
  tu_err_reset(&e);
  add_unknown(out, k, 0);
  dps__tlv_reader_init(&r, p, n, 0, "rewrite", "msg");
  int rc;
  while ((rc = dps__tlv_next(&r, &f, &e)) == 1) {
    enum kind ck = child_kind(k, f.tag);
    if (ck != K_LEAF) {
      dps_buf sub = {0};
      rewrite(f.value, f.length, ck, &sub);
      assert_int_equal(dps__tlv_put_msg(out, (uint32_t)f.tag, &sub), DPS_OK);
      dps__buf_free(&sub);
    } else {
      assert_int_equal(dps__buf_put_varint(out, f.tag), DPS_OK);
      assert_int_equal(dps__buf_put_varint(out, f.length), DPS_OK);
      assert_int_equal(dps__buf_append(out, f.value, f.length), DPS_OK);
    }
  }
  assert_int_equal(rc, 0);
  add_unknown(out, k, 1);
}

/* [FMT-20] a reader skips unknown fields: a file whose footer carries
 * unknown fields at the top level and inside every nested message (meta,
 * inputs, properties, schema, columns, row groups, chunks, pages, zones)
 * opens, keeps its metadata, and reads back the same data. */
static void test_meta__unknown_footer_fields_skipped(void **state) {
  (void)state;
  char path[512], path2[512];
  tu_tmp_path(path, sizeof path, "orig.dps");
  tu_tmp_path(path2, sizeof path2, "unknown.dps");
  dps_schema *s = tu_schema(small_defs, 3);
  dps_snapshot_meta m = tu_meta_full();
  tu_column cols[3];
  small_data(cols, 3000, 7);
  dps_write_options o = tu_opts();
  o.row_group_rows = 1024;
  dps_error e;
  tu_err_reset(&e);
  TU_OK(tu_write(path, s, &m, &o, cols, 3, &e), &e);

  size_t len;
  uint8_t *img = tu_slurp(path, &len);
  tu_trailer t = tu_trailer_read(img, len);
  assert_int_equal(t.major, 1);
  assert_true(t.footer_offset >= 16);
  assert_true(t.footer_offset + t.footer_length + 40 == len);
  assert_true(XXH3_64bits(img + t.footer_offset, (size_t)t.footer_length) ==
              t.footer_checksum);

  dps_buf nf = {0};
  n_unknown_added = 0;
  rewrite(img + t.footer_offset, (size_t)t.footer_length, K_FOOTER, &nf);
  /* footer, meta, 2 inputs, 3 properties, schema, 3 columns, 3 row groups
   * at least (and then chunks, pages, zones). */
  assert_true(n_unknown_added >= 6 * (1 + 1 + 2 + 3 + 1 + 3 + 3));
  tu_file_with_footer(path2, img, t.footer_offset, nf.data, nf.len, t.major,
                      t.minor);

  check_file(path2, cols, &m);
  dps_reader *r = NULL;
  TU_OK(dps_reader_open(&r, path2, NULL, &e), &e);
  dps_file_info fi;
  assert_int_equal(dps_reader_file_info(r, &fi), DPS_OK);
  assert_true(fi.footer_size == nf.len);
  assert_true(fi.file_size == (uint64_t)tu_file_size(path2));
  assert_true(dps_reader_row_count(r) == 3000);
  assert_int_equal(dps_reader_row_group_count(r), 3);
  assert_true(dps_reader_schema_tag(r) == dps_schema_tag(s));
  dps_reader_free(r);

  dps__buf_free(&nf);
  free(img);
  free_cols(cols, 3);
  dps_schema_free(s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_meta__full_round_trip),
      cmocka_unit_test(test_meta__created_at_stamped),
      cmocka_unit_test(test_meta__created_at_extremes),
      cmocka_unit_test(test_meta__deterministic_bytes),
      cmocka_unit_test(test_meta__requires_product),
      cmocka_unit_test(test_meta__requires_owner),
      cmocka_unit_test(test_meta__product_id_syntax),
      cmocka_unit_test(test_meta__semver_syntax),
      cmocka_unit_test(test_meta__version_order),
      cmocka_unit_test(test_meta__inputs_checked),
      cmocka_unit_test(test_meta__properties_checked),
      cmocka_unit_test(test_meta__utf8_checked),
      cmocka_unit_test(test_meta__column_tags_checked),
      cmocka_unit_test(test_meta__unknown_footer_fields_skipped),
  };
  return TU_RUN(tests, NULL, NULL);
}
