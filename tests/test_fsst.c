/*
 * test_fsst.c - FSST-style string compression (format/fsst.c, spec/FORMAT.md
 * "FSST symbol table", [FMT-70..76]).
 *
 * Round trips on edge and realistic string sets, compression ratios on
 * repetitive text, hand-made tables and codes decoded against the spec, and
 * malformed tables and code streams, which must give DPS_ECORRUPT with a
 * message and never a read or write out of bounds (run under ASan too).
 * A small decoder written from the spec (ref_decode) is the oracle for the
 * fuzz loop.
 */
#include "testutil.h"

#include "format/kernels.h"

/* ---- string sets --------------------------------------------------------- */

static void set_init(tu_column *c) { tu_column_init(c, DPS_TYPE_BINARY); }

static size_t set_bytes(const tu_column *c) { return c->data_len; }

/* ---- the oracle: a decoder written from the spec alone ------------------- */

/* Decodes codes[0..in_len) split by lens[0..n) with the serialized table
 * tab[0..tab_len) into out (room for 8 * in_len bytes); writes the ends.
 * Returns 0, or -1 for anything the spec calls malformed. */
static int ref_decode(const uint8_t *tab, size_t tab_len, const uint8_t *codes,
                      size_t in_len, const uint32_t *lens, size_t n,
                      uint8_t *out, int64_t *ends) {
  if (tab_len < 1) return -1;
  size_t count = tab[0];
  if (tab_len < 1 + count) return -1;
  size_t start[256], len[256], at = 1 + count;
  for (size_t c = 0; c < count; c++) {
    len[c] = tab[1 + c];
    if (len[c] < 1 || len[c] > 8) return -1;
    start[c] = at;
    at += len[c];
  }
  if (at > tab_len) return -1;
  uint64_t sum = 0;
  for (size_t i = 0; i < n; i++) sum += lens[i];
  if (sum != in_len) return -1;
  size_t pos = 0, o = 0;
  for (size_t i = 0; i < n; i++) {
    size_t end = pos + lens[i];
    while (pos < end) {
      uint8_t c = codes[pos++];
      if (c == 255) {
        if (pos == end) return -1;
        out[o++] = codes[pos++];
      } else if (c < count) {
        memcpy(out + o, tab + start[c], len[c]);
        o += len[c];
      } else {
        return -1;
      }
    }
    ends[i] = (int64_t)o;
  }
  return 0;
}

/* ---- round trip ---------------------------------------------------------- */

/* A heap copy of exactly the strings' bytes, so that ASan sees any read
 * past the last string. Free with free(). */
static uint8_t *exact_copy(const tu_column *c) {
  uint8_t *p = malloc(c->data_len ? c->data_len : 1);
  assert_non_null(p);
  if (c->data_len) memcpy(p, c->data, c->data_len);
  return p;
}

static dps_fsst_table *train(const tu_column *c) {
  dps_error e;
  tu_err_reset(&e);
  dps_fsst_table *t = NULL;
  uint8_t *data = exact_copy(c);
  TU_OK(dps__fsst_train(data, c->offsets, c->length, &t, &e), &e);
  assert_non_null(t);
  free(data);
  return t;
}

/* Compresses c with t, checks every way of decoding it, and returns the
 * compressed size: codes plus serialized table. */
static size_t round_trip(const tu_column *c, const dps_fsst_table *t) {
  dps_error e;
  tu_err_reset(&e);
  size_t n = c->length;
  uint32_t *lens = calloc(n + 1, sizeof *lens);
  int64_t *ends = calloc(n + 1, sizeof *ends);
  uint8_t *data = exact_copy(c);
  assert_true(lens && ends);

  /* Codes are appended after what the buffer already holds. */
  dps_buf codes = {0};
  assert_int_equal(dps__buf_append(&codes, "pre", 3), DPS_OK);
  TU_OK(dps__fsst_compress(t, data, c->offsets, n, &codes, lens, &e), &e);
  const uint8_t *in = codes.data + 3;
  size_t in_len = codes.len - 3;
  uint64_t sum = 0;
  for (size_t i = 0; i < n; i++) {
    size_t raw = (size_t)(c->offsets[i + 1] - c->offsets[i]);
    /* Worst case is every byte escaped. */
    assert_true(lens[i] <= 2 * raw);
    assert_true(raw == 0 || lens[i] >= 1);
    sum += lens[i];
  }
  assert_int_equal(sum, in_len);

  /* Bytes are appended after out.len; ends are relative to it plus base,
   * each the decoded size of the strings so far [FMT-75]. */
  dps_buf out = {0};
  assert_int_equal(dps__buf_append(&out, "xyz", 3), DPS_OK);
  const int64_t base = 1000;
  TU_OK(dps__fsst_decompress(t, in, in_len, lens, n, &out, base, ends,
                             "unit.dps page 1", &e), &e);
  assert_int_equal(out.len, 3 + set_bytes(c));
  assert_memory_equal(out.data, "xyz", 3);
  if (set_bytes(c)) assert_memory_equal(out.data + 3, c->data, set_bytes(c));
  for (size_t i = 0; i < n; i++)
    if (ends[i] != base + c->offsets[i + 1]) {
      fail_msg("string %zu: end %lld, expected %lld", i, (long long)ends[i],
               (long long)(base + c->offsets[i + 1]));
    }

  /* The serialized table parses to a table that decodes and encodes the
   * same; the oracle agrees. */
  dps_buf tab = {0};
  TU_OK(dps__fsst_serialize(t, &tab), &e);
  dps_fsst_table *t2 = NULL;
  size_t used = 0;
  TU_OK(dps__fsst_parse(tab.data, tab.len, &t2, &used, "unit.dps", &e), &e);
  assert_int_equal(used, tab.len);
  dps_buf codes2 = {0};
  uint32_t *lens2 = calloc(n + 1, sizeof *lens2);
  assert_non_null(lens2);
  TU_OK(dps__fsst_compress(t2, data, c->offsets, n, &codes2, lens2, &e), &e);
  assert_int_equal(codes2.len, in_len);
  if (in_len) assert_memory_equal(codes2.data, in, in_len);
  if (n) assert_memory_equal(lens2, lens, n * sizeof *lens);

  uint8_t *ref = malloc(8 * in_len + 8);
  int64_t *ref_ends = calloc(n + 1, sizeof *ref_ends);
  assert_true(ref && ref_ends);
  assert_int_equal(ref_decode(tab.data, tab.len, in, in_len, lens, n, ref,
                              ref_ends), 0);
  if (set_bytes(c)) assert_memory_equal(ref, c->data, set_bytes(c));

  size_t total = in_len + tab.len;
  free(data);
  free(ref);
  free(ref_ends);
  free(lens2);
  dps__buf_free(&codes2);
  dps__fsst_free(t2);
  dps__buf_free(&tab);
  dps__buf_free(&out);
  dps__buf_free(&codes);
  free(ends);
  free(lens);
  return total;
}

/* Trains on c, round-trips c, returns the compressed size. */
static size_t train_round_trip(const tu_column *c) {
  dps_fsst_table *t = train(c);
  size_t z = round_trip(c, t);
  dps__fsst_free(t);
  return z;
}

/* ---- generators of realistic text ---------------------------------------- */

static const char *pick(tu_rng *r, const char *const *list, size_t n) {
  return list[tu_rng_below(r, n)];
}
#define PICK(r, list) pick((r), (list), sizeof(list) / sizeof *(list))

static const char *const domains[] = {
    "example", "dataproducts", "analytics", "warehouse", "catalog", "github",
    "wikipedia", "openstreetmap", "weather", "airline", "retail", "banking"};
static const char *const tlds[] = {"com", "org", "net", "io", "de", "co.uk"};
static const char *const words[] = {
    "products", "orders", "customers", "flights", "reports", "daily", "api",
    "v1", "v2", "search", "items", "users", "profile", "settings", "dashboard",
    "export", "summary", "archive", "2023", "2024", "region", "europe"};
static const char *const first_names[] = {
    "anna", "ben", "carla", "david", "emma", "felix", "greta", "hugo", "ines",
    "jonas", "klara", "lukas", "mia", "noah", "olivia", "paul"};
static const char *const last_names[] = {
    "schmidt", "mueller", "fischer", "weber", "meyer", "wagner", "becker",
    "schulz", "hoffmann", "koch", "richter", "klein", "wolf", "neumann"};
/* The vocabulary of TPC-H's comment grammar (a subset). */
static const char *const adverbs[] = {
    "furiously", "quickly", "carefully", "blithely", "slyly", "fluffily",
    "ironically", "finally", "regularly", "express", "boldly", "evenly"};
static const char *const adjectives[] = {
    "ironic", "final", "regular", "express", "special", "pending", "bold",
    "even", "silent", "unusual", "careful", "quick", "idle", "close"};
static const char *const nouns[] = {
    "packages", "requests", "accounts", "deposits", "foxes", "ideas",
    "theodolites", "pinto beans", "instructions", "dependencies", "excuses",
    "platelets", "asymptotes", "courts", "dolphins", "frays", "sheaves"};
static const char *const verbs[] = {
    "sleep", "wake", "are", "cajole", "haggle", "nag", "use", "boost",
    "affix", "detect", "integrate", "maintain", "nod", "was", "lose",
    "sublate", "solve", "thrash", "promise", "engage", "hinder", "print"};
static const char *const preps[] = {
    "about", "above", "according to", "across", "after", "against", "along",
    "among", "around", "at", "before", "beneath", "beside", "between",
    "beyond", "by", "during", "for", "from", "into", "near", "of", "on",
    "over", "through", "toward", "under", "until", "upon", "with"};

static void gen_url(tu_rng *r, char *s, size_t n) {
  int k = snprintf(s, n, "https://www.%s.%s", PICK(r, domains), PICK(r, tlds));
  size_t depth = 1 + tu_rng_below(r, 3);
  for (size_t i = 0; i < depth && (size_t)k < n; i++)
    k += snprintf(s + k, n - (size_t)k, "/%s", PICK(r, words));
  if (tu_rng_chance(r, 400) && (size_t)k < n)
    snprintf(s + k, n - (size_t)k, "?id=%u", (unsigned)tu_rng_below(r, 100000));
}

static void gen_email(tu_rng *r, char *s, size_t n) {
  if (tu_rng_chance(r, 300))
    snprintf(s, n, "%s.%s%u@%s.%s", PICK(r, first_names), PICK(r, last_names),
             (unsigned)tu_rng_below(r, 100), PICK(r, domains), PICK(r, tlds));
  else
    snprintf(s, n, "%s.%s@%s.%s", PICK(r, first_names), PICK(r, last_names),
             PICK(r, domains), PICK(r, tlds));
}

/* A TPC-H-like comment: grammar sentences cut to 10..78 characters. */
static void gen_comment(tu_rng *r, char *s, size_t n) {
  char buf[512];
  size_t k = 0;
  while (k < 200) {
    k += (size_t)snprintf(buf + k, sizeof buf - k, "%s %s %s %s %s the %s %s. ",
                          PICK(r, adverbs), PICK(r, adjectives), PICK(r, nouns),
                          PICK(r, verbs), PICK(r, preps), PICK(r, adjectives),
                          PICK(r, nouns));
  }
  size_t want = 10 + tu_rng_below(r, 69);
  if (want >= n) want = n - 1;
  memcpy(s, buf, want);
  s[want] = '\0';
}

typedef void (*gen_fn)(tu_rng *, char *, size_t);

static void fill(tu_column *c, gen_fn g, size_t n, uint64_t seed) {
  tu_rng r;
  tu_rng_seed(&r, seed);
  char s[600];
  for (size_t i = 0; i < n; i++) {
    g(&r, s, sizeof s);
    tu_column_append_str(c, s);
  }
}

/* ---- round trips --------------------------------------------------------- */

static void test_fsst__empty_set(void **state) {
  (void)state;
  tu_column c;
  set_init(&c);
  dps_fsst_table *t = train(&c);
  dps_buf tab = {0};
  dps_error e;
  tu_err_reset(&e);
  TU_OK(dps__fsst_serialize(t, &tab), &e);
  /* [FMT-70] an empty table is the single byte 0. */
  assert_int_equal(tab.len, 1);
  assert_int_equal(tab.data[0], 0);
  round_trip(&c, t);
  /* NULL data, offsets, lens and ends are fine with nothing to do. */
  dps_buf out = {0};
  TU_OK(dps__fsst_compress(t, NULL, NULL, 0, &out, NULL, &e), &e);
  TU_OK(dps__fsst_decompress(t, NULL, 0, NULL, 0, &out, 0, NULL, "p", &e),
        &e);
  assert_int_equal(out.len, 0);
  dps__buf_free(&tab);
  dps__fsst_free(t);
  tu_column_free(&c);
}

static void test_fsst__empty_strings(void **state) {
  (void)state;
  tu_column c;
  set_init(&c);
  for (int i = 0; i < 100; i++) tu_column_append_bytes(&c, "", 0);
  dps_fsst_table *t = train(&c);
  assert_int_equal(round_trip(&c, t), 1);  /* no codes; table: 1 byte */
  dps__fsst_free(t);
  /* Empty strings among others. */
  for (int i = 0; i < 100; i++) {
    tu_column_append_str(&c, i % 3 ? "" : "abcabc");
    tu_column_append_bytes(&c, "", 0);
  }
  train_round_trip(&c);
  tu_column_free(&c);
}

static void test_fsst__single_bytes(void **state) {
  (void)state;
  tu_column c;
  set_init(&c);
  tu_rng r;
  tu_rng_seed(&r, 7);
  for (int i = 0; i < 2000; i++) {
    uint8_t b = (uint8_t)"aabcz"[tu_rng_below(&r, 5)];
    tu_column_append_bytes(&c, &b, 1);
  }
  size_t z = train_round_trip(&c);
  /* Every string is one code: a 1-byte symbol each. */
  assert_true(z <= 2000 + 1 + 2 * 5);
  for (int v = 0; v < 256; v++) {
    uint8_t b = (uint8_t)v;
    tu_column_append_bytes(&c, &b, 1);
  }
  train_round_trip(&c);
  tu_column_free(&c);
}

/* NUL and 0xFF in data, with and without symbols for them: 0xFF as a
 * literal after an escape must not be mistaken for another escape. */
static void test_fsst__all_byte_values(void **state) {
  (void)state;
  tu_column c;
  set_init(&c);
  uint8_t all[256];
  for (int v = 0; v < 256; v++) all[v] = (uint8_t)v;
  tu_column_append_bytes(&c, all, 256);
  for (int v = 0; v < 256; v++) all[v] = (uint8_t)(255 - v);
  tu_column_append_bytes(&c, all, 256);
  static const uint8_t ff[] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0, 0xFF};
  for (size_t k = 0; k <= sizeof ff; k++) tu_column_append_bytes(&c, ff, k);
  train_round_trip(&c);

  /* A table that knows only letters: every other byte escapes. */
  tu_column letters;
  set_init(&letters);
  fill(&letters, gen_comment, 300, 3);
  dps_fsst_table *t = train(&letters);
  round_trip(&c, t);
  dps__fsst_free(t);
  tu_column_free(&letters);
  tu_column_free(&c);
}

static void test_fsst__long_strings(void **state) {
  (void)state;
  tu_column c;
  set_init(&c);
  enum { LONG = 100 * 1000 };
  uint8_t *s = malloc(LONG);
  assert_non_null(s);
  tu_rng r;
  tu_rng_seed(&r, 11);
  char line[128];
  size_t k = 0;
  while (k < LONG) {  /* text */
    gen_comment(&r, line, sizeof line);
    size_t l = strlen(line);
    if (l > LONG - k) l = LONG - k;
    memcpy(s + k, line, l);
    k += l;
  }
  tu_column_append_bytes(&c, s, LONG);
  for (size_t i = 0; i < LONG; i++) s[i] = (uint8_t)tu_rng_next(&r);
  tu_column_append_bytes(&c, s, LONG);  /* noise */
  memset(s, 'q', LONG);
  tu_column_append_bytes(&c, s, LONG);  /* one byte repeated */
  tu_column_append_str(&c, "short");
  size_t z = train_round_trip(&c);
  assert_true(z < c.data_len);
  /* One long string alone: the sample is windows of it. */
  tu_column one;
  set_init(&one);
  tu_column_append_bytes(&one, s, LONG);
  z = train_round_trip(&one);
  assert_true(z * 7 < LONG);  /* 8-byte symbols of 'q' */
  tu_column_free(&one);
  free(s);
  tu_column_free(&c);
}

/* Incompressible input still round-trips, within 2x (every byte escaped). */
static void test_fsst__random_binary(void **state) {
  (void)state;
  tu_column c;
  set_init(&c);
  tu_rng r;
  tu_rng_seed(&r, 5);
  uint8_t s[300];
  for (int i = 0; i < 3000; i++) {
    size_t l = tu_rng_below(&r, sizeof s);
    for (size_t k = 0; k < l; k++) s[k] = (uint8_t)tu_rng_next(&r);
    tu_column_append_bytes(&c, s, l);
  }
  size_t z = train_round_trip(&c);
  assert_true(z <= 2 * c.data_len + 1 + 255 * 9);
  tu_column_free(&c);
}

static void check_ratio(gen_fn g, const char *what, double want) {
  tu_column c;
  set_init(&c);
  fill(&c, g, 20000, 42);
  size_t z = train_round_trip(&c);
  double ratio = (double)c.data_len / (double)z;
  print_message("  %s: %zu bytes -> %zu (%.2fx)\n", what, c.data_len, z,
                ratio);
  if (ratio < want) fail_msg("%s: ratio %.2f, expected >= %.2f", what, ratio,
                             want);
  tu_column_free(&c);
}

static void test_fsst__ratio_urls(void **state) {
  (void)state;
  check_ratio(gen_url, "urls", 2.0);
}

static void test_fsst__ratio_emails(void **state) {
  (void)state;
  check_ratio(gen_email, "e-mails", 2.0);
}

static void test_fsst__ratio_comments(void **state) {
  (void)state;
  check_ratio(gen_comment, "comments", 2.0);
}

static void test_fsst__utf8(void **state) {
  (void)state;
  static const char *const w[] = {
      "naïve", "café", "Straße", "Ελληνικά", "日本語", "テキスト", "русский",
      "😀", "🚀 launch", "ä", "ö", "ü", "€ 12,50", "中文字符", "한국어"};
  tu_column c;
  set_init(&c);
  tu_rng r;
  tu_rng_seed(&r, 9);
  char s[256];
  for (int i = 0; i < 5000; i++) {
    size_t k = 0, nw = 1 + tu_rng_below(&r, 5);
    for (size_t j = 0; j < nw; j++)
      k += (size_t)snprintf(s + k, sizeof s - k, "%s%s", j ? " " : "",
                            PICK(&r, w));
    tu_column_append_str(&c, s);
  }
  size_t z = train_round_trip(&c);
  assert_true(2 * z < c.data_len);
  assert_true(dps__utf8_check(c.data, c.data_len) == SIZE_MAX);
  tu_column_free(&c);
}

/* A table is used on data it was not trained on (as for a page whose table
 * comes from another one): unknown bytes escape, nothing breaks. */
static void test_fsst__foreign_table(void **state) {
  (void)state;
  tu_column urls, mails, bin;
  set_init(&urls);
  set_init(&mails);
  set_init(&bin);
  fill(&urls, gen_url, 2000, 1);
  fill(&mails, gen_email, 2000, 2);
  tu_rng r;
  tu_rng_seed(&r, 3);
  for (int i = 0; i < 500; i++) {
    uint8_t s[40];
    for (size_t k = 0; k < sizeof s; k++) s[k] = (uint8_t)tu_rng_next(&r);
    tu_column_append_bytes(&bin, s, tu_rng_below(&r, sizeof s));
  }
  dps_fsst_table *t = train(&urls);
  /* Never worse than every byte escaped (plus the table). */
  size_t z = round_trip(&mails, t);
  assert_true(z <= 2 * mails.data_len + 1 + 255 * 9);
  z = round_trip(&bin, t);
  assert_true(z <= 2 * bin.data_len + 1 + 255 * 9);
  dps__fsst_free(t);
  tu_column_free(&urls);
  tu_column_free(&mails);
  tu_column_free(&bin);
}

/* Same input, same table, byte for byte. */
static void test_fsst__deterministic(void **state) {
  (void)state;
  tu_column c;
  set_init(&c);
  fill(&c, gen_comment, 30000, 8);  /* > 16 KiB: the sampled path */
  dps_buf a = {0}, b = {0};
  dps_error e;
  tu_err_reset(&e);
  dps_fsst_table *t1 = train(&c), *t2 = train(&c);
  TU_OK(dps__fsst_serialize(t1, &a), &e);
  TU_OK(dps__fsst_serialize(t2, &b), &e);
  assert_int_equal(a.len, b.len);
  assert_memory_equal(a.data, b.data, a.len);
  dps__fsst_free(t1);
  dps__fsst_free(t2);
  dps__buf_free(&a);
  dps__buf_free(&b);
  tu_column_free(&c);
}

/* [FMT-70] the serialized layout: count, lengths, symbol bytes. */
static void test_fsst__serialized_layout(void **state) {
  (void)state;
  tu_column c;
  set_init(&c);
  fill(&c, gen_url, 3000, 4);
  dps_fsst_table *t = train(&c);
  dps_buf tab = {0};
  dps_error e;
  tu_err_reset(&e);
  TU_OK(dps__fsst_serialize(t, &tab), &e);
  size_t n = tab.data[0], sum = 0;
  assert_true(n > 0);
  assert_true(tab.len >= 1 + n);
  for (size_t i = 0; i < n; i++) {
    assert_in_range(tab.data[1 + i], 1, 8);
    sum += tab.data[1 + i];
  }
  assert_int_equal(tab.len, 1 + n + sum);
  /* Trailing bytes are not part of the table: *used says where it ends. */
  assert_int_equal(dps__buf_append(&tab, "tail", 4), DPS_OK);
  dps_fsst_table *t2 = NULL;
  size_t used = 0;
  TU_OK(dps__fsst_parse(tab.data, tab.len, &t2, &used, "p", &e), &e);
  assert_int_equal(used, 1 + n + sum);
  dps_buf again = {0};
  TU_OK(dps__fsst_serialize(t2, &again), &e);
  assert_int_equal(again.len, used);
  assert_memory_equal(again.data, tab.data, used);
  dps__buf_free(&again);
  dps__fsst_free(t2);
  dps__buf_free(&tab);
  dps__fsst_free(t);
  tu_column_free(&c);
}

/* Parses a table written out by hand; fails the test on error. */
static dps_fsst_table *hand_table(const uint8_t *p, size_t n) {
  dps_error e;
  tu_err_reset(&e);
  dps_fsst_table *t = NULL;
  size_t used = 0;
  TU_OK(dps__fsst_parse(p, n, &t, &used, "hand", &e), &e);
  assert_int_equal(used, n);
  return t;
}

/* [FMT-71][FMT-72] codes decoded by hand from the spec. */
static void test_fsst__hand_decode(void **state) {
  (void)state;
  static const uint8_t tab[] = {3,   1,   2,   8,   'a', 'b', 'c', 'h',
                                't', 't', 'p', 's', ':', '/', '/'};
  dps_fsst_table *t = hand_table(tab, sizeof tab);
  /* "https://" "a" "bc" 0xFF (escaped) NUL (escaped) | "" | "a" "a" "a" "a" */
  static const uint8_t codes[] = {2, 0, 1, 255, 255, 255, 0, 0, 0, 0, 0};
  static const uint32_t lens[] = {7, 0, 4};
  static const uint8_t want[] = "https://abc\xff\0aaaa";
  int64_t ends[3];
  dps_buf out = {0};
  dps_error e;
  tu_err_reset(&e);
  TU_OK(dps__fsst_decompress(t, codes, sizeof codes, lens, 3, &out, 0, ends,
                             "p", &e), &e);
  assert_int_equal(out.len, sizeof want - 1);
  assert_memory_equal(out.data, want, sizeof want - 1);
  assert_int_equal(ends[0], 13);
  assert_int_equal(ends[1], 13);
  assert_int_equal(ends[2], 17);
  dps__buf_free(&out);
  dps__fsst_free(t);
}

/* [FMT-76] the reference encoder takes the longest symbol that matches,
 * and escapes bytes no symbol covers. */
static void test_fsst__greedy_longest(void **state) {
  (void)state;
  static const uint8_t tab[] = {4,   1,   2,   3,   2,   'a', 'a', 'b',
                                'a', 'b', 'c', 'c', 'a'};
  dps_fsst_table *t = hand_table(tab, sizeof tab);
  static const struct {
    const char *s;
    uint8_t codes[8];
    uint32_t n;
  } cases[] = {
      {"abcab", {2, 1}, 2},   {"abca", {2, 0}, 2},  {"cab", {3, 255, 'b'}, 3},
      {"ab", {1}, 1},         {"x", {255, 'x'}, 2}, {"a", {0}, 1},
      {"abcabc", {2, 2}, 2},  {"b", {255, 'b'}, 2},
  };
  dps_error e;
  tu_err_reset(&e);
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    int64_t off[2] = {0, (int64_t)strlen(cases[i].s)};
    dps_buf out = {0};
    uint32_t len = 0;
    TU_OK(dps__fsst_compress(t, (const uint8_t *)cases[i].s, off, 1, &out,
                             &len, &e), &e);
    if (len != cases[i].n || memcmp(out.data, cases[i].codes, len) != 0)
      fail_msg("\"%s\": %u codes, expected %u", cases[i].s, len, cases[i].n);
    dps__buf_free(&out);
  }
  dps__fsst_free(t);
}

/* ---- malformed input ----------------------------------------------------- */

static void expect_parse_corrupt(const uint8_t *p, size_t n, const char *sub) {
  dps_error e;
  tu_err_reset(&e);
  dps_fsst_table *t = (dps_fsst_table *)&e;  /* must be reset to NULL */
  size_t used = 99;
  TU_EXPECT(dps__fsst_parse(p, n, &t, &used, "x.dps column 3 page 2", &e),
            DPS_ECORRUPT, &e);
  assert_null(t);
  assert_int_equal(used, 0);
  TU_HAS(&e, "x.dps column 3 page 2: FSST symbol table");
  TU_HAS(&e, sub);
}

/* [FMT-70] count, lengths 1..8, truncation. */
static void test_fsst__parse_malformed(void **state) {
  (void)state;
  expect_parse_corrupt(NULL, 0, "expected a symbol count byte, found the end");
  static const uint8_t short_lens[] = {3, 1, 1};
  expect_parse_corrupt(short_lens, sizeof short_lens,
                       "expected 3 symbol lengths after the count, found 2");
  static const uint8_t len0[] = {2, 1, 0, 'a', 'b'};
  expect_parse_corrupt(len0, sizeof len0,
                       "expected a length of 1..8 for symbol 1 "
                       "(table offset 2), found 0");
  static const uint8_t len9[] = {1, 9, '1', '2', '3', '4', '5', '6', '7', '8',
                                 '9'};
  expect_parse_corrupt(len9, sizeof len9,
                       "expected a length of 1..8 for symbol 0 "
                       "(table offset 1), found 9");
  static const uint8_t short_syms[] = {2, 3, 2, 'a', 'b', 'c', 'd'};
  expect_parse_corrupt(short_syms, sizeof short_syms,
                       "expected 5 bytes of symbols at table offset 3, "
                       "found 4");
  static const uint8_t max_count[] = {255};
  expect_parse_corrupt(max_count, 1, "expected 255 symbol lengths");
}

/* Every strict prefix of a real table is truncated; lengths 0 and 9 in any
 * slot are rejected; other damage parses or fails, never crashes. */
static void test_fsst__parse_sweep(void **state) {
  (void)state;
  tu_column c;
  set_init(&c);
  fill(&c, gen_email, 2000, 6);
  dps_fsst_table *t = train(&c);
  dps_buf tab = {0};
  dps_error e;
  tu_err_reset(&e);
  TU_OK(dps__fsst_serialize(t, &tab), &e);
  uint8_t *copy = malloc(tab.len);
  assert_non_null(copy);
  for (size_t k = 0; k < tab.len; k++) {
    /* A heap copy of exactly k bytes, so ASan sees any read past it. */
    uint8_t *p = malloc(k ? k : 1);
    assert_non_null(p);
    memcpy(p, tab.data, k);
    expect_parse_corrupt(p, k, "expected");
    free(p);
  }
  size_t n = tab.data[0];
  for (size_t i = 0; i < n; i++) {
    for (int bad = 0; bad < 2; bad++) {
      memcpy(copy, tab.data, tab.len);
      copy[1 + i] = bad ? 9 : 0;
      expect_parse_corrupt(copy, tab.len, "expected a length of 1..8");
    }
  }
  for (size_t i = 0; i < tab.len; i++) {
    for (int bit = 0; bit < 8; bit++) {
      memcpy(copy, tab.data, tab.len);
      copy[i] ^= (uint8_t)(1u << bit);
      dps_fsst_table *t2 = NULL;
      size_t used = 0;
      tu_err_reset(&e);
      dps_status s = dps__fsst_parse(copy, tab.len, &t2, &used, "p", &e);
      assert_true(s == DPS_OK || s == DPS_ECORRUPT);
      if (s == DPS_OK) assert_true(used <= tab.len);
      dps__fsst_free(t2);
    }
  }
  free(copy);
  dps__buf_free(&tab);
  dps__fsst_free(t);
  tu_column_free(&c);
}

/* Decodes codes (a heap copy of exactly in_len bytes, so ASan sees any
 * over-read) and expects DPS_ECORRUPT naming `sub`, with `data` untouched. */
static void expect_decode_corrupt(const dps_fsst_table *t, const uint8_t *codes,
                                  size_t in_len, const uint32_t *lens,
                                  size_t n, const char *sub) {
  uint8_t *in = malloc(in_len ? in_len : 1);
  int64_t *ends = calloc(n + 1, sizeof *ends);
  assert_true(in && ends);
  if (in_len) memcpy(in, codes, in_len);
  dps_buf out = {0};
  dps_error e;
  tu_err_reset(&e);
  assert_int_equal(dps__buf_append(&out, "keep", 4), DPS_OK);
  TU_EXPECT(dps__fsst_decompress(t, in, in_len, lens, n, &out, 0, ends,
                                 "x.dps column 1 page 0", &e),
            DPS_ECORRUPT, &e);
  TU_HAS(&e, "x.dps column 1 page 0: FSST");
  TU_HAS(&e, sub);
  assert_int_equal(out.len, 4);
  assert_memory_equal(out.data, "keep", 4);
  dps__buf_free(&out);
  free(ends);
  free(in);
}

/* [FMT-73] a table without symbols only decodes escapes. */
static void test_fsst__no_symbols_with_codes(void **state) {
  (void)state;
  static const uint8_t tab[] = {0};
  dps_fsst_table *t = hand_table(tab, 1);
  static const uint8_t codes[] = {0};
  static const uint32_t one[] = {1};
  expect_decode_corrupt(t, codes, 1, one, 1,
                        "expected a code below the table's 0 symbols or 255 "
                        "(escape), found 0 at code offset 0");
  /* Escapes alone decode. */
  static const uint8_t esc[] = {255, 'h', 255, 'i'};
  static const uint32_t four[] = {4};
  int64_t end;
  dps_buf out = {0};
  dps_error e;
  tu_err_reset(&e);
  TU_OK(dps__fsst_decompress(t, esc, 4, four, 1, &out, 0, &end, "p", &e), &e);
  assert_int_equal(out.len, 2);
  assert_memory_equal(out.data, "hi", 2);
  dps__buf_free(&out);
  dps__fsst_free(t);
}

/* [FMT-74] an escape is followed by its literal inside the same string. */
static void test_fsst__trailing_escape(void **state) {
  (void)state;
  static const uint8_t tab[] = {1, 2, 'a', 'b'};
  dps_fsst_table *t = hand_table(tab, sizeof tab);
  static const uint8_t c1[] = {0, 255};
  static const uint32_t l1[] = {2};
  expect_decode_corrupt(t, c1, 2, l1, 1,
                        "string 0: expected a literal byte after the escape "
                        "at code offset 1, found the end of the string");
  /* The next string's first byte is not the literal. */
  static const uint8_t c2[] = {255, 'x', 255, 0};
  static const uint32_t l2[] = {3, 1};
  expect_decode_corrupt(t, c2, 4, l2, 2, "escape at code offset 2");
  /* Escape as the last code of a long string (past the 4-code fast path). */
  static const uint8_t c3[] = {0, 0, 0, 0, 0, 0, 0, 0, 255};
  static const uint32_t l3[] = {9};
  expect_decode_corrupt(t, c3, 9, l3, 1, "escape at code offset 8");
  static const uint8_t c4[] = {255};
  static const uint32_t l4[] = {1};
  expect_decode_corrupt(t, c4, 1, l4, 1, "escape at code offset 0");
  dps__fsst_free(t);
}

/* [FMT-75] compressed lengths add up to the codes' size. */
static void test_fsst__lengths_mismatch(void **state) {
  (void)state;
  static const uint8_t tab[] = {1, 2, 'a', 'b'};
  dps_fsst_table *t = hand_table(tab, sizeof tab);
  static const uint8_t codes[] = {0, 0, 0, 0};
  static const uint32_t few[] = {1, 2};
  expect_decode_corrupt(t, codes, 4, few, 2,
                        "FSST compressed lengths of 2 strings: expected them "
                        "to add up to the 4 bytes of codes, found 3");
  static const uint32_t many[] = {4, 1};
  expect_decode_corrupt(t, codes, 4, many, 2, "found at least 5");
  /* Sums that would wrap a 32-bit (or any) counter. */
  static const uint32_t wrap[] = {UINT32_MAX, UINT32_MAX, 2, 4};
  expect_decode_corrupt(t, codes, 4, wrap, 4, "found at least");
  static const uint32_t none[] = {0};
  expect_decode_corrupt(t, codes, 4, none, 1, "found 0");
  expect_decode_corrupt(t, codes, 4, NULL, 0, "0 strings");
  dps__fsst_free(t);
}

/* [FMT-73] codes from the table's count up to 254 are invalid, in the
 * 4-code fast path and in the tail. */
static void test_fsst__code_beyond_table(void **state) {
  (void)state;
  static const uint8_t tab[] = {2, 1, 1, 'a', 'b'};
  dps_fsst_table *t = hand_table(tab, sizeof tab);
  static const uint32_t one[] = {1};
  static const uint8_t c2[] = {2};
  expect_decode_corrupt(t, c2, 1, one, 1, "table's 2 symbols or 255 "
                        "(escape), found 2 at code offset 0");
  static const uint8_t c254[] = {254};
  expect_decode_corrupt(t, c254, 1, one, 1, "found 254 at code offset 0");
  static const uint8_t fast[] = {0, 1, 0, 1, 0, 1, 200, 0, 1};
  static const uint32_t lf[] = {2, 7};
  expect_decode_corrupt(t, fast, 9, lf, 2,
                        "string 1: expected a code below the table's 2 "
                        "symbols or 255 (escape), found 200 at code offset 6");
  /* A literal byte >= count after an escape is fine; the next code is not. */
  static const uint8_t lit[] = {255, 200, 0, 7};
  static const uint32_t ll[] = {4};
  expect_decode_corrupt(t, lit, 4, ll, 1, "found 7 at code offset 3");
  dps__fsst_free(t);
}

static void test_fsst__bad_arguments(void **state) {
  (void)state;
  static const uint8_t tab[] = {0};
  dps_fsst_table *t = hand_table(tab, 1);
  dps_error e;
  tu_err_reset(&e);
  int64_t off[3] = {0, 5, 3};
  uint32_t lens[2];
  dps_buf out = {0};
  TU_EXPECT(dps__fsst_compress(t, (const uint8_t *)"abcde", off, 2, &out, lens,
                               &e), DPS_EINVAL, &e);
  TU_HAS(&e, "expected non-decreasing offsets, found 3 after 5 (string 1)");
  dps_fsst_table *t2 = NULL;
  TU_EXPECT(dps__fsst_train((const uint8_t *)"abcde", off, 2, &t2, &e),
            DPS_EINVAL, &e);
  assert_null(t2);
  static const uint8_t codes[] = {255, 'a'};
  static const uint32_t two[] = {2};
  int64_t end;
  TU_EXPECT(dps__fsst_decompress(t, codes, 2, two, 1, &out, -1, &end, "p", &e),
            DPS_EINVAL, &e);
  assert_int_equal(out.len, 0);
  dps__buf_free(&out);
  dps__fsst_free(t);
}

/* A full table (255 symbols) takes the decoder's path without per-code
 * checks: every byte but 255 is a valid code there. */
static void test_fsst__full_table(void **state) {
  (void)state;
  uint8_t tab[1 + 255 + 255 * 8];
  size_t tl = 1 + 255;
  tab[0] = 255;
  for (size_t c = 0; c < 255; c++) {
    tab[1 + c] = (uint8_t)(1 + c % 8);
    for (size_t k = 0; k < 1 + c % 8; k++) tab[tl++] = (uint8_t)(c + k);
  }
  dps_fsst_table *t = hand_table(tab, tl);
  tu_rng r;
  tu_rng_seed(&r, 255);
  uint8_t codes[600], *ref = malloc(8 * sizeof codes);
  int64_t ends[3], ref_ends[3];
  assert_non_null(ref);
  dps_error e;
  for (int iter = 0; iter < 200; iter++) {
    size_t in_len = 0;
    uint32_t lens[3];
    for (size_t i = 0; i < 3; i++) {
      size_t units = tu_rng_below(&r, 100), start = in_len;
      for (size_t u = 0; u < units; u++) {
        codes[in_len++] = (uint8_t)tu_rng_below(&r, 256);
        if (codes[in_len - 1] == 255)
          codes[in_len++] = (uint8_t)tu_rng_next(&r);
      }
      lens[i] = (uint32_t)(in_len - start);
    }
    dps_buf out = {0};
    tu_err_reset(&e);
    TU_OK(dps__fsst_decompress(t, codes, in_len, lens, 3, &out, 0, ends, "p",
                               &e), &e);
    assert_int_equal(ref_decode(tab, tl, codes, in_len, lens, 3, ref,
                                ref_ends), 0);
    assert_int_equal(out.len, (size_t)ref_ends[2]);
    if (out.len) assert_memory_equal(out.data, ref, out.len);
    assert_memory_equal(ends, ref_ends, sizeof ends);
    dps__buf_free(&out);
  }
  /* The escape rule still holds there. */
  static const uint8_t esc[] = {1, 2, 3, 4, 5, 255};
  static const uint32_t six[] = {6};
  expect_decode_corrupt(t, esc, 6, six, 1, "escape at code offset 5");
  free(ref);
  dps__fsst_free(t);
}

/* ---- fuzzing ------------------------------------------------------------- */

/* Random tables (mostly valid, sometimes broken) and random code streams
 * (biased towards escapes and codes near the table's count), checked
 * against the oracle: same verdict, same bytes. */
static void test_fsst__fuzz_decode(void **state) {
  (void)state;
  tu_rng r;
  tu_rng_seed(&r, 0xF557u);
  dps_error e;
  size_t ok = 0, corrupt = 0;
  for (int iter = 0; iter < 10000; iter++) {
    uint8_t tab[1 + 255 + 255 * 8];
    /* Small tables, any table, and full ones (255 symbols: the decoder's
     * unchecked path). */
    size_t count = tu_rng_chance(&r, 400)   ? tu_rng_below(&r, 8)
                   : tu_rng_chance(&r, 300) ? 255
                                            : tu_rng_below(&r, 256);
    tab[0] = (uint8_t)count;
    size_t tl = 1 + count;
    for (size_t i = 0; i < count; i++) {
      tab[1 + i] = (uint8_t)(1 + tu_rng_below(&r, 8));
      if (tu_rng_chance(&r, 2)) tab[1 + i] = (uint8_t)tu_rng_below(&r, 256);
      if (tab[1 + i] >= 1 && tab[1 + i] <= 8) tl += tab[1 + i];
    }
    for (size_t i = 1 + count; i < tl; i++) tab[i] = (uint8_t)tu_rng_next(&r);
    if (tu_rng_chance(&r, 30)) tl = tu_rng_below(&r, tl + 1);  /* truncate */
    uint8_t *tp = malloc(tl ? tl : 1);
    assert_non_null(tp);
    memcpy(tp, tab, tl);

    /* Mode 0: a well-formed stream (whole units, lengths split between
     * them); 1: the same with one byte or length damaged; 2: noise. */
    uint64_t mode = tu_rng_below(&r, 3);
    uint8_t in[96];
    uint32_t lens[6] = {0};
    size_t in_len = 0, n = 1 + tu_rng_below(&r, 5);
    for (size_t i = 0; i < n; i++) {
      size_t units = tu_rng_below(&r, 9), start = in_len;
      for (size_t u = 0; u < units; u++) {
        if (count == 0 || tu_rng_chance(&r, 200)) {
          in[in_len++] = 255;
          in[in_len++] = (uint8_t)tu_rng_next(&r);
        } else {
          in[in_len++] = (uint8_t)tu_rng_below(&r, count);
        }
      }
      lens[i] = (uint32_t)(in_len - start);
    }
    if (mode == 1 && in_len > 0) {
      size_t at = tu_rng_below(&r, in_len);
      uint64_t k = tu_rng_below(&r, 4);
      if (k == 0) in[at] = 255;
      else if (k == 1) in[at] = (uint8_t)(count + tu_rng_below(&r, 3) - 1);
      else if (k == 2) in[at] = (uint8_t)tu_rng_next(&r);
      else lens[tu_rng_below(&r, n)] += tu_rng_chance(&r, 500) ? 1 : UINT32_MAX;
    } else if (mode == 2) {
      in_len = tu_rng_below(&r, sizeof in);
      for (size_t i = 0; i < in_len; i++) {
        uint64_t k = tu_rng_below(&r, 10);
        in[i] = k < 2   ? 255
                : k < 4 ? (uint8_t)(count + tu_rng_below(&r, 3) - 1)
                : k < 8 ? (uint8_t)tu_rng_below(&r, count ? count : 1)
                        : (uint8_t)tu_rng_next(&r);
      }
      size_t left = in_len;
      for (size_t i = 0; i + 1 < n; i++) {
        lens[i] = (uint32_t)tu_rng_below(&r, left + 1);
        left -= lens[i];
      }
      lens[n - 1] = (uint32_t)left;
    }
    /* A heap copy of exactly in_len bytes, so ASan sees any over-read. */
    uint8_t *ip = malloc(in_len ? in_len : 1);
    assert_non_null(ip);
    memcpy(ip, in, in_len);

    dps_fsst_table *t = NULL;
    size_t used;
    tu_err_reset(&e);
    dps_status ps = dps__fsst_parse(tp, tl, &t, &used, "fuzz", &e);
    int64_t ends[6], ref_ends[6];
    uint8_t *ref = malloc(8 * in_len + 8);
    assert_non_null(ref);
    int rv = ref_decode(tp, tl, ip, in_len, lens, n, ref, ref_ends);
    if (ps != DPS_OK) {
      assert_int_equal(ps, DPS_ECORRUPT);
      assert_int_equal(rv, -1);
      corrupt++;
    } else {
      dps_buf out = {0};
      tu_err_reset(&e);
      dps_status ds = dps__fsst_decompress(t, ip, in_len, lens, n, &out, 0,
                                           ends, "fuzz", &e);
      if (rv == 0) {
        if (ds != DPS_OK) fail_msg("iteration %d: %s", iter, e.message);
        size_t total = n ? (size_t)ref_ends[n - 1] : 0;
        assert_int_equal(out.len, total);
        if (total) assert_memory_equal(out.data, ref, total);
        if (n) assert_memory_equal(ends, ref_ends, n * sizeof *ends);
        ok++;
      } else {
        if (ds != DPS_ECORRUPT)
          fail_msg("iteration %d: status %d, expected DPS_ECORRUPT", iter,
                   (int)ds);
        assert_int_equal(out.len, 0);
        corrupt++;
      }
      dps__buf_free(&out);
    }
    dps__fsst_free(t);
    free(ref);
    free(ip);
    free(tp);
  }
  print_message("  fuzz: %zu decoded, %zu rejected\n", ok, corrupt);
  /* Both verdicts are exercised often. */
  assert_true(ok > 1000 && corrupt > 1000);
}

/* Random (valid) tables, duplicates and zero bytes included, compress
 * random strings from a small alphabet and decode them back. */
static void test_fsst__fuzz_compress(void **state) {
  (void)state;
  tu_rng r;
  tu_rng_seed(&r, 0xC0DEu);
  dps_error e;
  tu_err_reset(&e);
  static const uint8_t alpha[] = {'a', 'b', 0, 0xFF, 'c'};
  for (int iter = 0; iter < 2000; iter++) {
    uint8_t tab[1 + 255 + 255 * 8];
    size_t count = tu_rng_below(&r, 256), tl = 1 + count;
    tab[0] = (uint8_t)count;
    for (size_t i = 0; i < count; i++) {
      tab[1 + i] = (uint8_t)(1 + tu_rng_below(&r, 8));
      tl += tab[1 + i];
    }
    for (size_t i = 1 + count; i < tl; i++)
      tab[i] = alpha[tu_rng_below(&r, sizeof alpha)];
    dps_fsst_table *t = hand_table(tab, tl);
    tu_column c;
    set_init(&c);
    size_t n = tu_rng_below(&r, 20);
    for (size_t i = 0; i < n; i++) {
      uint8_t s[40];
      size_t l = tu_rng_below(&r, sizeof s);
      for (size_t k = 0; k < l; k++)
        s[k] = alpha[tu_rng_below(&r, sizeof alpha)];
      tu_column_append_bytes(&c, s, l);
    }
    round_trip(&c, t);
    tu_column_free(&c);
    dps__fsst_free(t);
  }
}

/* Training on odd inputs: random sizes and alphabets, few and many
 * strings, whole-set and sampled paths; the table must round-trip them. */
static void test_fsst__fuzz_train(void **state) {
  (void)state;
  tu_rng r;
  tu_rng_seed(&r, 0x7EA1u);
  for (int iter = 0; iter < 80; iter++) {
    tu_column c;
    set_init(&c);
    size_t n = tu_rng_below(&r, 400), alpha = 1 + tu_rng_below(&r, 256);
    size_t maxlen = tu_rng_chance(&r, 100) ? 3000 : 1 + tu_rng_below(&r, 60);
    uint8_t s[3000];
    for (size_t i = 0; i < n; i++) {
      size_t l = tu_rng_below(&r, maxlen);
      for (size_t k = 0; k < l; k++) s[k] = (uint8_t)tu_rng_below(&r, alpha);
      tu_column_append_bytes(&c, s, l);
    }
    train_round_trip(&c);
    tu_column_free(&c);
  }
}

/* More than 16 KiB in a few long strings among very many empty ones: the
 * sample picks bytes, not strings, so it still finds the text. */
static void test_fsst__sparse_sample(void **state) {
  (void)state;
  tu_column c;
  set_init(&c);
  tu_rng r;
  tu_rng_seed(&r, 21);
  char line[128];
  for (int i = 0; i < 200000; i++) {
    if (i % 20000 == 0) {
      for (int k = 0; k < 60; k++) {
        gen_comment(&r, line, sizeof line);
        tu_column_append_str(&c, line);
      }
    }
    tu_column_append_bytes(&c, "", 0);
  }
  size_t z = train_round_trip(&c);
  assert_true(2 * z < c.data_len);
  tu_column_free(&c);
}

/* Damaged codes of a real page: every byte flipped in turn decodes or is
 * rejected exactly as the oracle says. */
static void test_fsst__code_flips(void **state) {
  (void)state;
  tu_column c;
  set_init(&c);
  fill(&c, gen_comment, 60, 12);
  dps_fsst_table *t = train(&c);
  dps_error e;
  tu_err_reset(&e);
  dps_buf codes = {0}, tab = {0};
  uint32_t lens[60];
  TU_OK(dps__fsst_compress(t, c.data, c.offsets, c.length, &codes, lens, &e),
        &e);
  TU_OK(dps__fsst_serialize(t, &tab), &e);
  uint8_t *ref = malloc(8 * codes.len + 8), *in = malloc(codes.len);
  assert_true(ref && in);
  int64_t ends[60], ref_ends[60];
  for (size_t i = 0; i < codes.len; i++) {
    static const uint8_t vals[] = {255, 254, 0, 0x80};
    for (size_t v = 0; v < sizeof vals; v++) {
      memcpy(in, codes.data, codes.len);
      in[i] = vals[v];
      dps_buf out = {0};
      tu_err_reset(&e);
      dps_status s = dps__fsst_decompress(t, in, codes.len, lens, c.length,
                                          &out, 0, ends, "p", &e);
      int rv = ref_decode(tab.data, tab.len, in, codes.len, lens, c.length,
                          ref, ref_ends);
      assert_int_equal(s, rv == 0 ? DPS_OK : DPS_ECORRUPT);
      if (rv == 0) {
        assert_int_equal(out.len, (size_t)ref_ends[c.length - 1]);
        assert_memory_equal(out.data, ref, out.len);
      }
      dps__buf_free(&out);
    }
  }
  free(in);
  free(ref);
  dps__buf_free(&tab);
  dps__buf_free(&codes);
  dps__fsst_free(t);
  tu_column_free(&c);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_fsst__empty_set),
      cmocka_unit_test(test_fsst__empty_strings),
      cmocka_unit_test(test_fsst__single_bytes),
      cmocka_unit_test(test_fsst__all_byte_values),
      cmocka_unit_test(test_fsst__long_strings),
      cmocka_unit_test(test_fsst__random_binary),
      cmocka_unit_test(test_fsst__ratio_urls),
      cmocka_unit_test(test_fsst__ratio_emails),
      cmocka_unit_test(test_fsst__ratio_comments),
      cmocka_unit_test(test_fsst__utf8),
      cmocka_unit_test(test_fsst__foreign_table),
      cmocka_unit_test(test_fsst__deterministic),
      cmocka_unit_test(test_fsst__serialized_layout),
      cmocka_unit_test(test_fsst__hand_decode),
      cmocka_unit_test(test_fsst__greedy_longest),
      cmocka_unit_test(test_fsst__full_table),
      cmocka_unit_test(test_fsst__parse_malformed),
      cmocka_unit_test(test_fsst__parse_sweep),
      cmocka_unit_test(test_fsst__no_symbols_with_codes),
      cmocka_unit_test(test_fsst__trailing_escape),
      cmocka_unit_test(test_fsst__lengths_mismatch),
      cmocka_unit_test(test_fsst__code_beyond_table),
      cmocka_unit_test(test_fsst__bad_arguments),
      cmocka_unit_test(test_fsst__fuzz_decode),
      cmocka_unit_test(test_fsst__fuzz_compress),
      cmocka_unit_test(test_fsst__fuzz_train),
      cmocka_unit_test(test_fsst__sparse_sample),
      cmocka_unit_test(test_fsst__code_flips),
  };
  return TU_RUN(tests, NULL, NULL);
}
