/*
 * testutil.c - helpers shared by the unit tests; see testutil.h.
 */
#include "testutil.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <xxhash.h>

const uint8_t tu_magic[8] = {0x89, 'D', 'P', 'S', 0x0D, 0x0A, 0x1A, 0x0A};

/* ---- assertions ---------------------------------------------------------- */

void tu_expect_status_(dps_status got, dps_status want, const dps_error *err,
                       const char *expr, const char *file, int line) {
  if (got != want) {
    print_error("%s:%d: %s\n  returned %d (%s), expected %d (%s)\n"
                "  message: \"%s\"\n",
                file, line, expr, (int)got, dps_strerror(got), (int)want,
                dps_strerror(want), err ? err->message : "(no dps_error)");
    _fail(file, line);
  }
  if (want != DPS_OK && err != NULL) {
    if (err->code != (int)want) {
      print_error("%s:%d: %s\n  err->code is %d, expected it to repeat %d\n",
                  file, line, expr, err->code, (int)want);
      _fail(file, line);
    }
    if (err->message[0] == '\0') {
      print_error("%s:%d: %s\n  returned %d but left the message empty\n",
                  file, line, expr, (int)want);
      _fail(file, line);
    }
  }
}

void tu_expect_has_(const dps_error *err, const char *sub, const char *file,
                    int line) {
  if (strstr(err->message, sub) == NULL) {
    print_error("%s:%d: message \"%s\" does not contain \"%s\"\n", file, line,
                err->message, sub);
    _fail(file, line);
  }
}

int tu_contains_ci(const char *s, const char *sub) {
  size_t n = strlen(sub);
  if (n == 0) return 1;
  for (; *s; s++) {
    size_t i = 0;
    while (i < n && s[i] &&
           tolower((unsigned char)s[i]) == tolower((unsigned char)sub[i]))
      i++;
    if (i == n) return 1;
  }
  return 0;
}

void tu_expect_has_ci_(const dps_error *err, const char *sub, const char *file,
                       int line) {
  if (!tu_contains_ci(err->message, sub)) {
    print_error("%s:%d: message \"%s\" does not contain \"%s\" (any case)\n",
                file, line, err->message, sub);
    _fail(file, line);
  }
}

void tu_expect_has_any_(const dps_error *err, const char *file, int line, ...) {
  va_list ap;
  char wanted[512] = "";
  va_start(ap, line);
  for (const char *s = va_arg(ap, const char *); s != NULL;
       s = va_arg(ap, const char *)) {
    if (tu_contains_ci(err->message, s)) {
      va_end(ap);
      return;
    }
    size_t used = strlen(wanted);
    snprintf(wanted + used, sizeof wanted - used, "%s\"%s\"",
             used ? " or " : "", s);
  }
  va_end(ap);
  print_error("%s:%d: message \"%s\" contains none of %s\n", file, line,
              err->message, wanted);
  _fail(file, line);
}

void tu_err_reset(dps_error *err) { memset(err, 0, sizeof *err); }

/* ---- scratch files ------------------------------------------------------- */

/* Paths handed out, removed at exit unless DPS_TEST_KEEP is set. */
static char **cleanup_paths;
static size_t n_cleanup, cap_cleanup;
static int cleanup_registered;

static void cleanup_at_exit(void) {
  if (getenv("DPS_TEST_KEEP") == NULL) {
    for (size_t i = n_cleanup; i-- > 0;) {
      struct stat st;
      if (stat(cleanup_paths[i], &st) == 0 && S_ISDIR(st.st_mode))
        tu_rm_dir(cleanup_paths[i]);
      else
        unlink(cleanup_paths[i]);
    }
  }
  for (size_t i = 0; i < n_cleanup; i++) free(cleanup_paths[i]);
  free(cleanup_paths);
  cleanup_paths = NULL;
  n_cleanup = cap_cleanup = 0;
}

static void remember(const char *path) {
  if (!cleanup_registered) {
    atexit(cleanup_at_exit);
    cleanup_registered = 1;
  }
  if (n_cleanup == cap_cleanup) {
    cap_cleanup = cap_cleanup ? 2 * cap_cleanup : 64;
    cleanup_paths = realloc(cleanup_paths, cap_cleanup * sizeof *cleanup_paths);
    assert_non_null(cleanup_paths);
  }
  cleanup_paths[n_cleanup] = strdup(path);
  assert_non_null(cleanup_paths[n_cleanup]);
  n_cleanup++;
}

static unsigned tmp_counter;

char *tu_tmp_path(char *buf, size_t n, const char *stem) {
  for (;;) {
    int w = snprintf(buf, n, "%s/%ld-%u-%s", DPS_TEST_TMPDIR, (long)getpid(),
                     tmp_counter++, stem);
    assert_true(w > 0 && (size_t)w < n);
    if (!tu_exists(buf)) break;
  }
  remember(buf);
  return buf;
}

char *tu_tmp_dir(char *buf, size_t n, const char *stem) {
  for (;;) {
    int w = snprintf(buf, n, "%s/%ld-%u-%s.d", DPS_TEST_TMPDIR,
                     (long)getpid(), tmp_counter++, stem);
    assert_true(w > 0 && (size_t)w < n);
    if (mkdir(buf, 0777) == 0) break;
    assert_int_equal(errno, EEXIST);
  }
  remember(buf);
  return buf;
}

size_t tu_dir_count(const char *dir) {
  DIR *d = opendir(dir);
  size_t n = 0;
  assert_non_null(d);
  for (struct dirent *e = readdir(d); e != NULL; e = readdir(d))
    if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) n++;
  closedir(d);
  return n;
}

void tu_rm_dir(const char *dir) {
  DIR *d = opendir(dir);
  if (d == NULL) return;
  for (struct dirent *e = readdir(d); e != NULL; e = readdir(d)) {
    char p[4096];
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
    snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
    unlink(p);
  }
  closedir(d);
  rmdir(dir);
}

int tu_exists(const char *path) {
  struct stat st;
  return lstat(path, &st) == 0;
}

long long tu_file_size(const char *path) {
  struct stat st;
  if (stat(path, &st) != 0) return -1;
  return (long long)st.st_size;
}

uint8_t *tu_slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (f == NULL) fail_msg("cannot open %s: %s", path, strerror(errno));
  assert_int_equal(fseek(f, 0, SEEK_END), 0);
  long sz = ftell(f);
  assert_true(sz >= 0);
  assert_int_equal(fseek(f, 0, SEEK_SET), 0);
  uint8_t *p = malloc((size_t)sz + 1);
  assert_non_null(p);
  assert_int_equal(fread(p, 1, (size_t)sz, f), (size_t)sz);
  fclose(f);
  *len = (size_t)sz;
  return p;
}

void tu_spit(const char *path, const void *p, size_t len) {
  FILE *f = fopen(path, "wb");
  if (f == NULL) fail_msg("cannot create %s: %s", path, strerror(errno));
  if (len) assert_int_equal(fwrite(p, 1, len, f), len);
  assert_int_equal(fclose(f), 0);
}

/* ---- random numbers ------------------------------------------------------ */

void tu_rng_seed(tu_rng *r, uint64_t seed) {
  r->s = seed ? seed : 0x9E3779B97F4A7C15ull;
}

uint64_t tu_rng_next(tu_rng *r) {
  uint64_t x = r->s;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  r->s = x;
  return x * 0x2545F4914F6CDD1Dull;
}

uint64_t tu_rng_below(tu_rng *r, uint64_t n) { return tu_rng_next(r) % n; }

int tu_rng_chance(tu_rng *r, unsigned permille) {
  return tu_rng_below(r, 1000) < permille;
}

/* ---- columns ------------------------------------------------------------- */

/* Widths of spec/FORMAT.md §4.3 (bool held as one byte in memory), spelled
 * out here rather than taken from dps_type_width. */
static size_t width_of(dps_type t) {
  switch (t) {
    case DPS_TYPE_BOOL: case DPS_TYPE_INT8: case DPS_TYPE_UINT8: return 1;
    case DPS_TYPE_INT16: case DPS_TYPE_UINT16: return 2;
    case DPS_TYPE_INT32: case DPS_TYPE_UINT32: case DPS_TYPE_FLOAT32:
    case DPS_TYPE_DATE: return 4;
    case DPS_TYPE_INT64: case DPS_TYPE_UINT64: case DPS_TYPE_FLOAT64:
    case DPS_TYPE_TIMESTAMP: case DPS_TYPE_DECIMAL: return 8;
    default: return 0;
  }
}

static int is_var(dps_type t) {
  return t == DPS_TYPE_STRING || t == DPS_TYPE_BINARY;
}

void tu_column_init(tu_column *c, dps_type t) {
  memset(c, 0, sizeof *c);
  c->type = t;
  c->cap = 8;
  c->validity = calloc(1, 1);
  c->values = calloc(c->cap, width_of(t) ? width_of(t) : 1);
  c->offsets = calloc(c->cap + 1, sizeof(int64_t));
  c->data_cap = 16;
  c->data = calloc(1, c->data_cap);
  assert_true(c->validity && c->values && c->offsets && c->data);
}

void tu_column_free(tu_column *c) {
  free(c->validity);
  free(c->values);
  free(c->offsets);
  free(c->data);
  memset(c, 0, sizeof *c);
}

static void grow_rows(tu_column *c, size_t extra) {
  size_t need = c->length + extra;
  if (need <= c->cap) return;
  size_t cap = c->cap;
  while (cap < need) cap *= 2;
  size_t w = width_of(c->type) ? width_of(c->type) : 1;
  size_t old_bytes = (c->cap + 7) / 8, new_bytes = (cap + 7) / 8;
  c->validity = realloc(c->validity, new_bytes);
  c->values = realloc(c->values, cap * w);
  c->offsets = realloc(c->offsets, (cap + 1) * sizeof(int64_t));
  assert_true(c->validity && c->values && c->offsets);
  memset(c->validity + old_bytes, 0, new_bytes - old_bytes);
  c->cap = cap;
}

static void grow_data(tu_column *c, size_t extra) {
  size_t need = c->data_len + extra;
  if (need <= c->data_cap) return;
  size_t cap = c->data_cap;
  while (cap < need) cap *= 2;
  c->data = realloc(c->data, cap);
  assert_non_null(c->data);
  c->data_cap = cap;
}

static void set_valid(tu_column *c, size_t i, int valid) {
  if (valid)
    c->validity[i >> 3] = (uint8_t)(c->validity[i >> 3] | (1u << (i & 7)));
  else
    c->validity[i >> 3] = (uint8_t)(c->validity[i >> 3] & ~(1u << (i & 7)));
}

int tu_column_is_valid(const tu_column *c, size_t i) {
  return (c->validity[i >> 3] >> (i & 7)) & 1;
}

void tu_column_append_null(tu_column *c) {
  grow_rows(c, 1);
  size_t w = width_of(c->type);
  if (w) memset(c->values + c->length * w, 0, w);
  c->offsets[c->length + 1] = c->offsets[c->length];
  set_valid(c, c->length, 0);
  c->length++;
  c->nulls++;
}

void tu_column_append(tu_column *c, const void *value) {
  size_t w = width_of(c->type);
  assert_true(w > 0);
  grow_rows(c, 1);
  memcpy(c->values + c->length * w, value, w);
  c->offsets[c->length + 1] = c->offsets[c->length];
  set_valid(c, c->length, 1);
  c->length++;
}

void tu_column_append_bytes(tu_column *c, const void *p, size_t n) {
  assert_true(is_var(c->type));
  grow_rows(c, 1);
  grow_data(c, n);
  if (n) memcpy(c->data + c->data_len, p, n);
  c->data_len += n;
  c->offsets[c->length + 1] = (int64_t)c->data_len;
  set_valid(c, c->length, 1);
  c->length++;
}

void tu_column_append_str(tu_column *c, const char *s) {
  tu_column_append_bytes(c, s, strlen(s));
}

void tu_column_append_u64(tu_column *c, uint64_t v) {
  uint8_t b[8];
  size_t w = width_of(c->type);
  assert_true(w > 0 && c->type != DPS_TYPE_FLOAT32 &&
              c->type != DPS_TYPE_FLOAT64);
  for (size_t i = 0; i < w; i++) b[i] = (uint8_t)(v >> (8 * i));
  /* Little-endian bytes to the host's layout. */
  switch (w) {
    case 1: tu_column_append(c, b); break;
    case 2: { uint16_t x = (uint16_t)v; tu_column_append(c, &x); break; }
    case 4: { uint32_t x = (uint32_t)v; tu_column_append(c, &x); break; }
    default: tu_column_append(c, &v); break;
  }
}

void tu_column_append_i64(tu_column *c, int64_t v) {
  tu_column_append_u64(c, (uint64_t)v);
}

void tu_column_append_view(tu_column *c, const dps_array_view *v, size_t from,
                           size_t n) {
  size_t w = width_of(c->type);
  for (size_t i = from; i < from + n; i++) {
    if (!dps_array_is_valid(v, i)) {
      /* Keep what the view holds in the slot so tests can check it. */
      if (w) {
        grow_rows(c, 1);
        memcpy(c->values + c->length * w, (const uint8_t *)v->values + i * w,
               w);
        c->offsets[c->length + 1] = c->offsets[c->length];
        set_valid(c, c->length, 0);
        c->length++;
        c->nulls++;
      } else {
        int64_t a = v->offsets[i], b = v->offsets[i + 1];
        assert_true(b >= a);
        tu_column_append_bytes(c, v->data + a, (size_t)(b - a));
        set_valid(c, c->length - 1, 0);
        c->nulls++;
      }
    } else if (w) {
      tu_column_append(c, (const uint8_t *)v->values + i * w);
    } else {
      int64_t a = v->offsets[i], b = v->offsets[i + 1];
      assert_true(b >= a);
      tu_column_append_bytes(c, v->data + a, (size_t)(b - a));
    }
  }
}

dps_array_view tu_column_view(const tu_column *c) {
  dps_array_view v;
  memset(&v, 0, sizeof v);
  v.length = c->length;
  v.validity = (c->nulls || c->force_validity) ? c->validity : NULL;
  if (is_var(c->type)) {
    v.offsets = c->offsets;
    v.data = c->data;
  } else {
    v.values = c->values;
  }
  return v;
}

dps_array_view tu_column_slice(const tu_column *c, size_t from, size_t n,
                               uint8_t **owned) {
  dps_array_view v;
  memset(&v, 0, sizeof v);
  assert_true(from + n <= c->length);
  v.length = n;
  *owned = NULL;
  if (c->nulls || c->force_validity) {
    uint8_t *bits = calloc((n + 7) / 8 + 1, 1);
    assert_non_null(bits);
    for (size_t i = 0; i < n; i++)
      if (tu_column_is_valid(c, from + i))
        bits[i >> 3] = (uint8_t)(bits[i >> 3] | (1u << (i & 7)));
    v.validity = bits;
    *owned = bits;
  }
  if (is_var(c->type)) {
    v.offsets = c->offsets + from; /* offsets[0] is then non-zero */
    v.data = c->data;
  } else {
    v.values = c->values + from * width_of(c->type);
  }
  return v;
}

size_t tu_column_valid_count(const tu_column *c) { return c->length - c->nulls; }

static void random_utf8(tu_column *c, tu_rng *rng) {
  uint8_t buf[4 * 24];
  size_t len = 0, n = (size_t)tu_rng_below(rng, 24);
  for (size_t k = 0; k < n; k++) {
    uint32_t cp;
    switch (tu_rng_below(rng, 5)) {
      case 0: case 1: cp = (uint32_t)(0x20 + tu_rng_below(rng, 0x5F)); break;
      case 2: cp = (uint32_t)(0x80 + tu_rng_below(rng, 0x800 - 0x80)); break;
      case 3:
        do cp = (uint32_t)(0x800 + tu_rng_below(rng, 0x10000 - 0x800));
        while (cp >= 0xD800 && cp <= 0xDFFF);
        break;
      default: cp = (uint32_t)(0x10000 + tu_rng_below(rng, 0x110000 - 0x10000));
    }
    if (cp < 0x80) {
      buf[len++] = (uint8_t)cp;
    } else if (cp < 0x800) {
      buf[len++] = (uint8_t)(0xC0 | (cp >> 6));
      buf[len++] = (uint8_t)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      buf[len++] = (uint8_t)(0xE0 | (cp >> 12));
      buf[len++] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
      buf[len++] = (uint8_t)(0x80 | (cp & 0x3F));
    } else {
      buf[len++] = (uint8_t)(0xF0 | (cp >> 18));
      buf[len++] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F));
      buf[len++] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
      buf[len++] = (uint8_t)(0x80 | (cp & 0x3F));
    }
  }
  tu_column_append_bytes(c, buf, len);
}

static int64_t pow10_i64(int p) {
  int64_t v = 1;
  for (int i = 0; i < p; i++) v *= 10;
  return v;
}

void tu_column_random(tu_column *c, size_t n, unsigned null_permille,
                      int precision, tu_rng *rng) {
  for (size_t i = 0; i < n; i++) {
    if (tu_rng_chance(rng, null_permille)) {
      tu_column_append_null(c);
      continue;
    }
    uint64_t x = tu_rng_next(rng);
    switch (c->type) {
      case DPS_TYPE_BOOL: tu_column_append_u64(c, x & 1); break;
      case DPS_TYPE_DECIMAL: {
        int64_t bound = pow10_i64(precision) - 1;
        int64_t v = (int64_t)tu_rng_below(rng, (uint64_t)(2 * bound + 1)) - bound;
        tu_column_append_i64(c, v);
        break;
      }
      case DPS_TYPE_FLOAT32: {
        uint32_t b = (uint32_t)x;
        tu_column_append(c, &b);
        break;
      }
      case DPS_TYPE_FLOAT64: tu_column_append(c, &x); break;
      case DPS_TYPE_STRING: random_utf8(c, rng); break;
      case DPS_TYPE_BINARY: {
        uint8_t b[40];
        size_t len = (size_t)tu_rng_below(rng, sizeof b);
        for (size_t k = 0; k < len; k++)
          b[k] = (k % 5 == 0) ? 0 : (uint8_t)tu_rng_next(rng);
        tu_column_append_bytes(c, b, len);
        break;
      }
      default:
        /* Mix full-range values with small ones, which compress. */
        tu_column_append_u64(c, (x & 3) == 0 ? (x >> 60) : x);
        break;
    }
  }
}

/* ---- schema and metadata --------------------------------------------------- */

dps_schema *tu_schema(const tu_coldef *cols, size_t n) {
  dps_schema *s = NULL;
  dps_error e;
  tu_err_reset(&e);
  TU_OK(dps_schema_new(&s, &e), &e);
  for (size_t i = 0; i < n; i++) {
    dps_column_view v;
    memset(&v, 0, sizeof v);
    v.name = cols[i].name;
    v.type = cols[i].type;
    v.nullable = cols[i].nullable;
    v.precision = cols[i].precision;
    v.scale = cols[i].scale;
    TU_OK(dps_schema_add_column(s, &v, &e), &e);
  }
  return s;
}

dps_snapshot_meta tu_meta(void) {
  dps_snapshot_meta m = DPS_SNAPSHOT_META_INIT;
  m.product = "test.product";
  m.owner_team = "Test team";
  m.owner_email = "test-team@example.org";
  m.created_at = INT64_C(1700000000000000); /* 2023-11-14T22:13:20Z */
  return m;
}

static const dps_lineage_input full_inputs[2] = {
    {"sales.orders", 42, UINT64_C(0x8f2c41e07a9d13b6), NULL},
    {NULL, 0, 0, "s3://bucket/raw/orders-2024.csv"},
};
static const dps_property full_props[3] = {
    {"source_rows", "100000"},
    {"note", ""},
    {"r\xC3\xA9gion", "\xE5\x80\xA4 \xF0\x9F\x98\x80"},
};

dps_snapshot_meta tu_meta_full(void) {
  dps_snapshot_meta m = DPS_SNAPSHOT_META_INIT;
  m.product = "sales.orders_daily";
  m.title = "Orders \xE2\x80\x94 daily \xE2\x9C\x93";
  m.description = "One row per order line.\nRefreshed every night.";
  m.semver = "2.3.0-rc.1+build.5";
  m.snapshot_version = 7;
  m.parent_version = 6;
  m.created_at = INT64_C(1732492200123456);
  m.owner_team = "Sales analytics";
  m.owner_email = "sales-data@example.org";
  m.inputs = full_inputs;
  m.n_inputs = 2;
  m.job_name = "import-orders";
  m.run_id = "2024-11-24-001";
  m.code_version = "9f1c2ab";
  m.properties = full_props;
  m.n_properties = 3;
  return m;
}

dps_write_options tu_opts(void) {
  dps_write_options o = DPS_WRITE_OPTIONS_INIT;
  o.no_sync = 1;
  return o;
}

static void str_eq(const char *a, const char *b, const char *field,
                   const char *what) {
  if (a == NULL && b == NULL) return;
  if (a == NULL || b == NULL || strcmp(a, b) != 0)
    fail_msg("%s: %s differs: \"%s\" vs \"%s\"", what, field,
             a ? a : "(null)", b ? b : "(null)");
}

void tu_assert_meta_equal(const dps_snapshot_meta *a,
                          const dps_snapshot_meta *b, const char *what) {
  str_eq(a->product, b->product, "product", what);
  str_eq(a->title, b->title, "title", what);
  str_eq(a->description, b->description, "description", what);
  str_eq(a->semver, b->semver, "semver", what);
  if (a->snapshot_version != b->snapshot_version)
    fail_msg("%s: snapshot_version differs", what);
  if (a->parent_version != b->parent_version)
    fail_msg("%s: parent_version differs", what);
  if (a->created_at != b->created_at)
    fail_msg("%s: created_at differs: %lld vs %lld", what,
             (long long)a->created_at, (long long)b->created_at);
  str_eq(a->owner_team, b->owner_team, "owner_team", what);
  str_eq(a->owner_email, b->owner_email, "owner_email", what);
  if (a->n_inputs != b->n_inputs)
    fail_msg("%s: n_inputs differs: %zu vs %zu", what, a->n_inputs,
             b->n_inputs);
  for (size_t i = 0; i < a->n_inputs; i++) {
    str_eq(a->inputs[i].product, b->inputs[i].product, "input product", what);
    str_eq(a->inputs[i].uri, b->inputs[i].uri, "input uri", what);
    if (a->inputs[i].version != b->inputs[i].version)
      fail_msg("%s: input %zu version differs", what, i);
    if (a->inputs[i].schema_tag != b->inputs[i].schema_tag)
      fail_msg("%s: input %zu schema_tag differs", what, i);
  }
  str_eq(a->job_name, b->job_name, "job_name", what);
  str_eq(a->run_id, b->run_id, "run_id", what);
  str_eq(a->code_version, b->code_version, "code_version", what);
  if (a->n_properties != b->n_properties)
    fail_msg("%s: n_properties differs: %zu vs %zu", what, a->n_properties,
             b->n_properties);
  for (size_t i = 0; i < a->n_properties; i++) {
    str_eq(a->properties[i].key, b->properties[i].key, "property key", what);
    str_eq(a->properties[i].value, b->properties[i].value, "property value",
           what);
  }
}

static void put_varint(uint8_t *buf, size_t *len, uint64_t v) {
  while (v >= 0x80) {
    buf[(*len)++] = (uint8_t)(v | 0x80);
    v >>= 7;
  }
  buf[(*len)++] = (uint8_t)v;
}

uint64_t tu_canonical_tag(const dps_schema *s) {
  size_t n = dps_schema_column_count(s), cap = 32, len = 0;
  for (size_t i = 0; i < n; i++) {
    dps_column_view v;
    assert_int_equal(dps_schema_column(s, i, &v), DPS_OK);
    cap += strlen(v.name) + 16;
  }
  uint8_t *buf = malloc(cap);
  assert_non_null(buf);
  memcpy(buf, "dpsnap.schema.v1", 16);
  len = 16;
  put_varint(buf, &len, n);
  for (size_t i = 0; i < n; i++) {
    dps_column_view v;
    assert_int_equal(dps_schema_column(s, i, &v), DPS_OK);
    size_t nl = strlen(v.name);
    put_varint(buf, &len, nl);
    memcpy(buf + len, v.name, nl);
    len += nl;
    buf[len++] = (uint8_t)v.type;
    buf[len++] = v.nullable ? 1 : 0;
    buf[len++] = (uint8_t)(v.type == DPS_TYPE_DECIMAL ? v.precision : 0);
    buf[len++] = (uint8_t)(v.type == DPS_TYPE_DECIMAL ? v.scale : 0);
  }
  uint64_t h = XXH3_64bits(buf, len);
  free(buf);
  return h;
}

/* ---- writing and reading ------------------------------------------------- */

dps_status tu_write_chunks(const char *path, const dps_schema *s,
                           const dps_snapshot_meta *m,
                           const dps_write_options *o, const tu_column *cols,
                           size_t n_cols, const size_t *chunks,
                           size_t n_chunks, dps_error *err) {
  dps_writer *w = NULL;
  dps_status st = dps_writer_open(&w, path, s, m, o, err);
  if (st != DPS_OK) {
    assert_null(w);
    return st;
  }
  assert_non_null(w);
  size_t rows = n_cols ? cols[0].length : 0;
  for (size_t i = 0; i < n_cols; i++) assert_int_equal(cols[i].length, rows);
  dps_array_view *views = calloc(n_cols + 1, sizeof *views);
  uint8_t **owned = calloc(n_cols + 1, sizeof *owned);
  assert_true(views && owned);
  size_t done = 0, k = 0;
  while (st == DPS_OK && (done < rows || (rows == 0 && k == 0))) {
    size_t n = rows - done;
    if (n_chunks && chunks[k % n_chunks] < n) n = chunks[k % n_chunks];
    k++;
    for (size_t i = 0; i < n_cols; i++)
      views[i] = tu_column_slice(&cols[i], done, n, &owned[i]);
    st = dps_writer_write(w, views, n_cols, n, err);
    for (size_t i = 0; i < n_cols; i++) free(owned[i]);
    done += n;
    if (rows == 0) break;
  }
  if (st == DPS_OK) st = dps_writer_finish(w, err);
  dps_writer_free(w);
  free(views);
  free(owned);
  return st;
}

dps_status tu_write(const char *path, const dps_schema *s,
                    const dps_snapshot_meta *m, const dps_write_options *o,
                    const tu_column *cols, size_t n_cols, dps_error *err) {
  return tu_write_chunks(path, s, m, o, cols, n_cols, NULL, 0, err);
}

dps_status tu_read_all(dps_reader *r, const size_t *proj, size_t n_proj,
                       tu_column *out, size_t *n_batches, size_t *batch_rows,
                       size_t max_batches, dps_error *err) {
  const dps_schema *s = dps_reader_schema(r);
  size_t n_out = (proj == NULL) ? dps_schema_column_count(s) : n_proj;
  for (size_t i = 0; i < n_out; i++) {
    dps_column_view cv;
    assert_int_equal(dps_schema_column(s, proj ? proj[i] : i, &cv), DPS_OK);
    tu_column_init(&out[i], cv.type);
  }
  if (n_batches) *n_batches = 0;
  dps_cursor *cur = NULL;
  dps_status st = dps_cursor_open(&cur, r, proj, proj ? n_proj : 0, err);
  if (st != DPS_OK) return st;
  size_t nb = 0;
  for (;;) {
    const dps_batch *b = (const dps_batch *)(uintptr_t)1;
    st = dps_cursor_next(cur, &b, err);
    if (st != DPS_OK) break;
    if (b == NULL) break;
    size_t rows = dps_batch_row_count(b);
    assert_int_equal(dps_batch_column_count(b), n_out);
    if (batch_rows && nb < max_batches) batch_rows[nb] = rows;
    nb++;
    for (size_t i = 0; i < n_out; i++) {
      dps_array_view v;
      assert_int_equal(dps_batch_column(b, i, &v), DPS_OK);
      assert_int_equal(v.length, rows);
      tu_column_append_view(&out[i], &v, 0, rows);
    }
  }
  if (n_batches) *n_batches = nb;
  dps_cursor_free(cur);
  return st;
}

dps_status tu_read_file(const char *path, tu_column *out, size_t n_out,
                        dps_error *err) {
  dps_reader *r = NULL;
  dps_status st = dps_reader_open(&r, path, NULL, err);
  if (st != DPS_OK) {
    for (size_t i = 0; i < n_out; i++) tu_column_init(&out[i], DPS_TYPE_INT8);
    return st;
  }
  assert_int_equal(dps_schema_column_count(dps_reader_schema(r)), n_out);
  st = tu_read_all(r, NULL, 0, out, NULL, NULL, 0, err);
  dps_reader_free(r);
  return st;
}

/* ---- comparing ------------------------------------------------------------- */

int tu_array_equal(dps_type t, const dps_array_view *a,
                   const dps_array_view *b, char *why, size_t why_size) {
  if (a->length != b->length) {
    snprintf(why, why_size, "lengths differ: %zu vs %zu", a->length,
             b->length);
    return 0;
  }
  size_t w = width_of(t);
  for (size_t i = 0; i < a->length; i++) {
    int va = dps_array_is_valid(a, i), vb = dps_array_is_valid(b, i);
    if (va != vb) {
      snprintf(why, why_size, "row %zu: validity %d vs %d", i, va, vb);
      return 0;
    }
    if (!va) continue;
    if (w) {
      const uint8_t *pa = (const uint8_t *)a->values + i * w;
      const uint8_t *pb = (const uint8_t *)b->values + i * w;
      if (memcmp(pa, pb, w) != 0) {
        uint64_t xa = 0, xb = 0;
        memcpy(&xa, pa, w);
        memcpy(&xb, pb, w);
        snprintf(why, why_size, "row %zu: value bits 0x%llx vs 0x%llx", i,
                 (unsigned long long)xa, (unsigned long long)xb);
        return 0;
      }
    } else {
      int64_t la = a->offsets[i + 1] - a->offsets[i];
      int64_t lb = b->offsets[i + 1] - b->offsets[i];
      if (la != lb || la < 0 ||
          (la > 0 && memcmp(a->data + a->offsets[i], b->data + b->offsets[i],
                            (size_t)la) != 0)) {
        snprintf(why, why_size, "row %zu: bytes differ (lengths %lld vs %lld)",
                 i, (long long)la, (long long)lb);
        return 0;
      }
    }
  }
  return 1;
}

void tu_assert_array_equal_(dps_type t, const dps_array_view *a,
                            const dps_array_view *b, const char *what,
                            const char *file, int line) {
  char why[256];
  if (!tu_array_equal(t, a, b, why, sizeof why)) {
    print_error("%s:%d: %s (%s): %s\n", file, line, what, dps_type_name(t),
                why);
    _fail(file, line);
  }
}

void tu_assert_null_slots_zero(dps_type t, const dps_array_view *a,
                               const char *what) {
  size_t w = width_of(t);
  static const uint8_t zero[8];
  for (size_t i = 0; i < a->length; i++) {
    if (dps_array_is_valid(a, i)) continue;
    if (w) {
      if (memcmp((const uint8_t *)a->values + i * w, zero, w) != 0)
        fail_msg("%s: null row %zu does not read back as zero", what, i);
    } else if (a->offsets[i + 1] != a->offsets[i]) {
      fail_msg("%s: null row %zu does not read back as empty", what, i);
    }
  }
}

/* ---- file structure ------------------------------------------------------ */

static uint64_t le64(const uint8_t *p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; i--) v = (v << 8) | p[i];
  return v;
}

static void st64(uint8_t *p, uint64_t v) {
  for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}

tu_trailer tu_trailer_read(const uint8_t *img, size_t len) {
  tu_trailer t;
  assert_true(len >= 56);
  const uint8_t *p = img + len - 40;
  t.footer_offset = le64(p);
  t.footer_length = le64(p + 8);
  t.footer_checksum = le64(p + 16);
  t.major = (uint16_t)(p[24] | (p[25] << 8));
  t.minor = (uint16_t)(p[26] | (p[27] << 8));
  assert_memory_equal(p + 32, tu_magic, 8);
  return t;
}

void tu_trailer_write(uint8_t *out, uint64_t footer_offset,
                      uint64_t footer_length, uint64_t checksum,
                      uint16_t major, uint16_t minor) {
  st64(out, footer_offset);
  st64(out + 8, footer_length);
  st64(out + 16, checksum);
  out[24] = (uint8_t)major;
  out[25] = (uint8_t)(major >> 8);
  out[26] = (uint8_t)minor;
  out[27] = (uint8_t)(minor >> 8);
  memset(out + 28, 0, 4);
  memcpy(out + 32, tu_magic, 8);
}

void tu_file_with_footer(const char *path, const uint8_t *img,
                         uint64_t footer_offset, const uint8_t *footer,
                         size_t footer_len, uint16_t major, uint16_t minor) {
  size_t total = (size_t)footer_offset + footer_len + 40;
  uint8_t *out = malloc(total);
  assert_non_null(out);
  memcpy(out, img, (size_t)footer_offset);
  if (footer_len) memcpy(out + footer_offset, footer, footer_len);
  tu_trailer_write(out + footer_offset + footer_len, footer_offset, footer_len,
                   XXH3_64bits(footer, footer_len), major, minor);
  tu_spit(path, out, total);
  free(out);
}

/* ---- float bit patterns ---------------------------------------------------- */

uint64_t tu_f64_bits(double d) {
  uint64_t b;
  memcpy(&b, &d, sizeof b);
  return b;
}

double tu_f64_of(uint64_t bits) {
  double d;
  memcpy(&d, &bits, sizeof d);
  return d;
}

uint32_t tu_f32_bits(float f) {
  uint32_t b;
  memcpy(&b, &f, sizeof b);
  return b;
}

float tu_f32_of(uint32_t bits) {
  float f;
  memcpy(&f, &bits, sizeof f);
  return f;
}
