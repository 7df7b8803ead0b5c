/*
 * lineitem_gen.c - deterministic generator of a TPC-H-like lineitem table.
 *
 *   lineitem_gen ROWS [--csv OUT.csv] [--dps OUT.dps]
 *
 * Writes ROWS rows (6,001,215 is the size of TPC-H scale factor 1) as CSV
 * with a header, as a dpsnap snapshot written through the public API, or
 * both from the same pass. The output is a pure function of ROWS: one
 * fixed-seed PRNG (xoshiro256**) drawn in a fixed order, integer arithmetic
 * only, so every machine produces the same bytes.
 *
 * The value distributions follow TPC-H clause 4.2.3 for LINEITEM and
 * ORDERS:
 * - orders get sparse keys (of each 32 consecutive keys the first 8 are
 *   used), an order date uniform in 1992-01-01 .. 1998-08-02 and 1..7
 *   lines; l_orderkey is therefore sorted and l_linenumber runs 1..n;
 * - l_partkey is uniform in 1..200000*SF, l_suppkey one of the part's four
 *   suppliers (S = 10000*SF): (partkey + i*(S/4 + (partkey-1)/S)) % S + 1;
 *   SF is ROWS / 6001215;
 * - l_quantity 1..50, l_extendedprice = quantity * the part's retail price
 *   (90000 + (partkey/10) % 20001 + 100*(partkey % 1000)) / 100,
 *   l_discount 0.00..0.10, l_tax 0.00..0.08;
 * - l_shipdate = orderdate + 1..121, l_commitdate = orderdate + 30..90,
 *   l_receiptdate = shipdate + 1..30; l_returnflag is R or A when the
 *   receipt date is on or before 1995-06-17, N after; l_linestatus is O
 *   when the ship date is after 1995-06-17, F otherwise;
 * - l_shipinstruct and l_shipmode are uniform over 4 and 7 values;
 * - l_comment is 10..43 characters of text from a TPC-H-like sentence
 *   grammar (noun and verb phrases, prepositions, terminators), taken from
 *   a running stream of sentences so comments rarely repeat, as in dbgen's
 *   large text pool.
 *
 * Types: int64 keys, int32 l_linenumber, decimal(15,2) for the four money
 * and quantity columns, date for the three dates, string for the rest;
 * every column is non-nullable. bench/lineitem.json gives the same types to
 * `dpsnap import`, so importing the CSV and --dps produce the same schema
 * tag and the same pages.
 */
#include <dpsnap.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SF1_ROWS 6001215u
#define BATCH_ROWS 65536u
#define N_COLS 16u
#define COMMENT_MIN 10u
#define COMMENT_MAX 43u

/* ---------------------------------------------------------------------- */
/* PRNG: xoshiro256**, seeded through splitmix64 from a fixed constant.    */
/* ---------------------------------------------------------------------- */

typedef struct rng {
  uint64_t s[4];
} rng;

static uint64_t splitmix64(uint64_t *x) {
  uint64_t z = (*x += 0x9e3779b97f4a7c15u);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
  return z ^ (z >> 31);
}

static void rng_seed(rng *r, uint64_t seed) {
  for (int i = 0; i < 4; i++) r->s[i] = splitmix64(&seed);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static uint64_t rng_next(rng *r) {
  uint64_t *s = r->s;
  uint64_t out = rotl(s[1] * 5, 7) * 9;
  uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
  return out;
}

/* Uniform in lo..hi (inclusive). Ranges up to 2^32 use the multiply-shift
 * reduction of the top 32 bits; larger ones a modulo (bias < 2^-30). */
static int64_t rng_range(rng *r, int64_t lo, int64_t hi) {
  uint64_t span = (uint64_t)(hi - lo) + 1;
  uint64_t x = rng_next(r);
  if (span <= 0x100000000u) return lo + (int64_t)(((x >> 32) * span) >> 32);
  return lo + (int64_t)(x % span);
}

static size_t rng_pick(rng *r, size_t n) {
  return (size_t)rng_range(r, 0, (int64_t)n - 1);
}

/* ---------------------------------------------------------------------- */
/* Dates                                                                  */
/* ---------------------------------------------------------------------- */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil). */
static int32_t days_from_civil(int y, int m, int d) {
  y -= m <= 2;
  int era = (y >= 0 ? y : y - 399) / 400;
  int yoe = y - era * 400;
  int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return (int32_t)(era * 146097 + doe - 719468);
}

static void civil_from_days(int32_t z, int *y, int *m, int *d) {
  z += 719468;
  int32_t era = (z >= 0 ? z : z - 146096) / 146097;
  int32_t doe = z - era * 146097;
  int32_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int32_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int32_t mp = (5 * doy + 2) / 153;
  *d = (int)(doy - (153 * mp + 2) / 5 + 1);
  *m = (int)(mp < 10 ? mp + 3 : mp - 9);
  *y = (int)(yoe + era * 400 + (*m <= 2));
}

/* ---------------------------------------------------------------------- */
/* Vocabulary                                                             */
/* ---------------------------------------------------------------------- */

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *const SHIP_INSTRUCT[] = {"DELIVER IN PERSON", "COLLECT COD",
                                            "NONE", "TAKE BACK RETURN"};
static const char *const SHIP_MODE[] = {"REG AIR", "AIR", "RAIL", "SHIP",
                                        "TRUCK", "MAIL", "FOB"};

static const char *const NOUNS[] = {
    "foxes", "ideas", "theodolites", "pinto beans", "instructions",
    "dependencies", "excuses", "platelets", "asymptotes", "courts",
    "dolphins", "multipliers", "sauternes", "warthogs", "frets", "dinos",
    "attainments", "somas", "Tiresias", "patterns", "forges", "braids",
    "hockey players", "frays", "warhorses", "dugouts", "notornis",
    "epitaphs", "pearls", "tithes", "waters", "orbits", "gifts", "sheaves",
    "depths", "sentiments", "decoys", "realms", "pains", "grouches",
    "escapades", "accounts", "deposits", "packages", "requests", "theodolites"};
static const char *const VERBS[] = {
    "sleep", "wake", "are", "cajole", "haggle", "nag", "use", "boost",
    "affix", "detect", "integrate", "maintain", "nod", "was", "lose",
    "sublate", "solve", "thrash", "promise", "engage", "hinder", "print",
    "x-ray", "breach", "eat", "grow", "impress", "mold", "poach", "serve",
    "run", "dazzle", "snooze", "doze", "unwind", "kindle", "play", "hang",
    "believe", "doubt"};
static const char *const ADJECTIVES[] = {
    "furious", "sly", "careful", "blithe", "quick", "fluffy", "slow",
    "quiet", "ruthless", "thin", "close", "dogged", "daring", "brave",
    "stealthy", "permanent", "enticing", "idle", "busy", "regular", "final",
    "ironic", "even", "bold", "silent", "special", "pending", "unusual",
    "express"};
static const char *const ADVERBS[] = {
    "sometimes", "always", "never", "furiously", "slyly", "carefully",
    "blithely", "quickly", "fluffily", "slowly", "quietly", "ruthlessly",
    "thinly", "closely", "doggedly", "daringly", "bravely", "stealthily",
    "permanently", "enticingly", "idly", "busily", "regularly", "finally",
    "ironically", "evenly", "boldly", "silently"};
static const char *const PREPOSITIONS[] = {
    "about", "above", "according to", "across", "after", "against", "along",
    "alongside of", "among", "around", "at", "atop", "before", "behind",
    "beneath", "beside", "besides", "between", "beyond", "by", "despite",
    "during", "except", "for", "from", "in place of", "inside", "instead of",
    "into", "near", "of", "on", "outside", "over", "past", "since",
    "through", "throughout", "to", "toward", "under", "until", "up", "upon",
    "without", "with", "within"};
static const char *const AUXILIARIES[] = {
    "do", "may", "might", "shall", "will", "would", "can", "could",
    "should", "ought to", "must", "will have to", "shall have to",
    "could have to", "should have to", "must have to", "need to", "try to"};
static const char *const TERMINATORS[] = {".", ";", ":", "?", "!", "--"};

/* ---------------------------------------------------------------------- */
/* Comment text: a running stream of grammar sentences                    */
/* ---------------------------------------------------------------------- */

#define TEXT_CAP 4096u

typedef struct text_stream {
  char buf[TEXT_CAP];
  size_t len;  /* bytes in buf */
  size_t pos;  /* next unread byte */
} text_stream;

static void ts_word(text_stream *t, const char *w) {
  size_t n = strlen(w);
  if (t->len > 0 && t->buf[t->len - 1] != ' ') t->buf[t->len++] = ' ';
  memcpy(t->buf + t->len, w, n);
  t->len += n;
}

static void ts_noun_phrase(text_stream *t, rng *r) {
  switch (rng_range(r, 0, 3)) {
    case 0:
      break;
    case 1:
      ts_word(t, ADJECTIVES[rng_pick(r, COUNT(ADJECTIVES))]);
      break;
    case 2:
      ts_word(t, ADJECTIVES[rng_pick(r, COUNT(ADJECTIVES))]);
      t->buf[t->len++] = ',';
      ts_word(t, ADJECTIVES[rng_pick(r, COUNT(ADJECTIVES))]);
      break;
    default:
      ts_word(t, ADVERBS[rng_pick(r, COUNT(ADVERBS))]);
      ts_word(t, ADJECTIVES[rng_pick(r, COUNT(ADJECTIVES))]);
      break;
  }
  ts_word(t, NOUNS[rng_pick(r, COUNT(NOUNS))]);
}

static void ts_verb_phrase(text_stream *t, rng *r) {
  int64_t form = rng_range(r, 0, 3);
  if (form == 1 || form == 3) ts_word(t, AUXILIARIES[rng_pick(r, COUNT(AUXILIARIES))]);
  ts_word(t, VERBS[rng_pick(r, COUNT(VERBS))]);
  if (form >= 2) ts_word(t, ADVERBS[rng_pick(r, COUNT(ADVERBS))]);
}

static void ts_prep_phrase(text_stream *t, rng *r) {
  ts_word(t, PREPOSITIONS[rng_pick(r, COUNT(PREPOSITIONS))]);
  ts_word(t, "the");
  ts_noun_phrase(t, r);
}

/* Appends one sentence (at most ~200 bytes) followed by a space. */
static void ts_sentence(text_stream *t, rng *r) {
  int64_t form = rng_range(r, 0, 4);
  ts_noun_phrase(t, r);
  if (form >= 3) ts_prep_phrase(t, r);
  ts_verb_phrase(t, r);
  if (form == 1 || form == 4) ts_prep_phrase(t, r);
  if (form == 2 || form == 3) ts_noun_phrase(t, r);
  const char *term = TERMINATORS[rng_pick(r, COUNT(TERMINATORS))];
  size_t n = strlen(term);
  memcpy(t->buf + t->len, term, n);
  t->len += n;
  t->buf[t->len++] = ' ';
}

/* Takes the next comment of 10..43 bytes, starting at a word and never
 * ending in a space, into out; returns its length. */
static size_t ts_comment(text_stream *t, rng *r, char *out) {
  size_t want = (size_t)rng_range(r, COMMENT_MIN, COMMENT_MAX);
  while (t->len - t->pos < want + 1) {
    memmove(t->buf, t->buf + t->pos, t->len - t->pos);
    t->len -= t->pos;
    t->pos = 0;
    ts_sentence(t, r);
  }
  const char *p = t->buf + t->pos;
  size_t n = want;
  if (p[n - 1] == ' ') n = n > COMMENT_MIN ? n - 1 : n + 1;
  memcpy(out, p, n);
  /* Skip the rest of the word the comment cut, so the next starts at one. */
  size_t skip = want;
  while (t->pos + skip < t->len && t->buf[t->pos + skip] != ' ') skip++;
  t->pos += skip;
  while (t->pos < t->len && t->buf[t->pos] == ' ') t->pos++;
  return n;
}

/* ---------------------------------------------------------------------- */
/* The table                                                              */
/* ---------------------------------------------------------------------- */

typedef struct str_col {
  int64_t *offsets;  /* rows + 1 */
  char *data;        /* bytes */
  size_t len;        /* bytes used */
} str_col;

typedef struct batch {
  size_t rows;
  int64_t *orderkey, *partkey, *suppkey;
  int32_t *linenumber;
  int64_t *quantity, *extendedprice, *discount, *tax;
  str_col returnflag, linestatus;
  int32_t *shipdate, *commitdate, *receiptdate;
  str_col shipinstruct, shipmode, comment;
} batch;

typedef struct gen {
  rng r;
  text_stream text;
  uint64_t rows_left;   /* rows still to produce */
  int64_t parts;        /* 200000 * SF, at least 1 */
  int64_t suppliers;    /* 10000 * SF, at least 1 */
  uint64_t order_index; /* 1-based index of the current order */
  int64_t orderkey;     /* key of the current order */
  int32_t orderdate;    /* its date */
  int lines;            /* its line count */
  int line;             /* lines of it produced so far */
  int32_t date_lo, date_hi, current_date;
} gen;

static void gen_init(gen *g, uint64_t rows) {
  memset(g, 0, sizeof *g);
  rng_seed(&g->r, 0x6470736e61702d31u); /* "dpsnap-1" */
  g->rows_left = rows;
  /* SF = rows / 6001215, rounded; tiny tables keep at least one part. */
  uint64_t p = (rows * 200000u + SF1_ROWS / 2) / SF1_ROWS;
  uint64_t s = (rows * 10000u + SF1_ROWS / 2) / SF1_ROWS;
  g->parts = p > 0 ? (int64_t)p : 1;
  g->suppliers = s > 0 ? (int64_t)s : 1;
  g->date_lo = days_from_civil(1992, 1, 1);
  g->date_hi = days_from_civil(1998, 8, 2);
  g->current_date = days_from_civil(1995, 6, 17);
}

static void str_put(str_col *c, size_t row, const char *s, size_t n) {
  memcpy(c->data + c->len, s, n);
  c->len += n;
  c->offsets[row + 1] = (int64_t)c->len;
}

/* Fills b with the next up to BATCH_ROWS rows; returns the count. */
static size_t gen_batch(gen *g, batch *b) {
  rng *r = &g->r;
  size_t n = 0;
  b->returnflag.len = b->linestatus.len = b->shipinstruct.len = 0;
  b->shipmode.len = b->comment.len = 0;
  while (n < BATCH_ROWS && g->rows_left > 0) {
    if (g->line == g->lines) {
      g->order_index++;
      uint64_t i = g->order_index;
      g->orderkey = (int64_t)(((i >> 3) << 5) | (i & 7));
      g->orderdate = (int32_t)rng_range(r, g->date_lo, g->date_hi);
      g->lines = (int)rng_range(r, 1, 7);
      g->line = 0;
    }
    g->line++;
    int64_t pk = rng_range(r, 1, g->parts);
    int64_t s = g->suppliers, which = rng_range(r, 0, 3);
    int64_t sk = (pk + which * (s / 4 + (pk - 1) / s)) % s + 1;
    int64_t qty = rng_range(r, 1, 50);
    int64_t retail_cents = 90000 + (pk / 10) % 20001 + 100 * (pk % 1000);
    int32_t ship = g->orderdate + (int32_t)rng_range(r, 1, 121);
    int32_t commit = g->orderdate + (int32_t)rng_range(r, 30, 90);
    int32_t receipt = ship + (int32_t)rng_range(r, 1, 30);

    b->orderkey[n] = g->orderkey;
    b->partkey[n] = pk;
    b->suppkey[n] = sk;
    b->linenumber[n] = g->line;
    b->quantity[n] = qty * 100;
    b->extendedprice[n] = qty * retail_cents;
    b->discount[n] = rng_range(r, 0, 10);
    b->tax[n] = rng_range(r, 0, 8);
    const char *flag = receipt <= g->current_date ? (rng_range(r, 0, 1) ? "R" : "A") : "N";
    str_put(&b->returnflag, n, flag, 1);
    str_put(&b->linestatus, n, ship > g->current_date ? "O" : "F", 1);
    b->shipdate[n] = ship;
    b->commitdate[n] = commit;
    b->receiptdate[n] = receipt;
    const char *si = SHIP_INSTRUCT[rng_pick(r, COUNT(SHIP_INSTRUCT))];
    str_put(&b->shipinstruct, n, si, strlen(si));
    const char *sm = SHIP_MODE[rng_pick(r, COUNT(SHIP_MODE))];
    str_put(&b->shipmode, n, sm, strlen(sm));
    char text[COMMENT_MAX + 1];
    size_t tn = ts_comment(&g->text, r, text);
    str_put(&b->comment, n, text, tn);
    n++;
    g->rows_left--;
  }
  b->rows = n;
  return n;
}

static int str_alloc(str_col *c, size_t max_len) {
  c->offsets = calloc(BATCH_ROWS + 1, sizeof *c->offsets);
  c->data = malloc(BATCH_ROWS * max_len);
  return c->offsets != NULL && c->data != NULL;
}

static void str_free(str_col *c) {
  free(c->offsets);
  free(c->data);
}

static int batch_alloc(batch *b) {
  memset(b, 0, sizeof *b);
  b->orderkey = malloc(BATCH_ROWS * sizeof(int64_t));
  b->partkey = malloc(BATCH_ROWS * sizeof(int64_t));
  b->suppkey = malloc(BATCH_ROWS * sizeof(int64_t));
  b->linenumber = malloc(BATCH_ROWS * sizeof(int32_t));
  b->quantity = malloc(BATCH_ROWS * sizeof(int64_t));
  b->extendedprice = malloc(BATCH_ROWS * sizeof(int64_t));
  b->discount = malloc(BATCH_ROWS * sizeof(int64_t));
  b->tax = malloc(BATCH_ROWS * sizeof(int64_t));
  b->shipdate = malloc(BATCH_ROWS * sizeof(int32_t));
  b->commitdate = malloc(BATCH_ROWS * sizeof(int32_t));
  b->receiptdate = malloc(BATCH_ROWS * sizeof(int32_t));
  int ok = str_alloc(&b->returnflag, 1) & str_alloc(&b->linestatus, 1) &
           str_alloc(&b->shipinstruct, 17) & str_alloc(&b->shipmode, 7) &
           str_alloc(&b->comment, COMMENT_MAX + 1);
  return ok && b->orderkey && b->partkey && b->suppkey && b->linenumber &&
         b->quantity && b->extendedprice && b->discount && b->tax &&
         b->shipdate && b->commitdate && b->receiptdate;
}

static void batch_free(batch *b) {
  free(b->orderkey);
  free(b->partkey);
  free(b->suppkey);
  free(b->linenumber);
  free(b->quantity);
  free(b->extendedprice);
  free(b->discount);
  free(b->tax);
  free(b->shipdate);
  free(b->commitdate);
  free(b->receiptdate);
  str_free(&b->returnflag);
  str_free(&b->linestatus);
  str_free(&b->shipinstruct);
  str_free(&b->shipmode);
  str_free(&b->comment);
}

/* ---------------------------------------------------------------------- */
/* Schema: the same names, types and docs as bench/lineitem.json          */
/* ---------------------------------------------------------------------- */

typedef struct col_def {
  const char *name;
  dps_type type;
  int precision, scale;
  const char *description;
} col_def;

static const col_def COLS[N_COLS] = {
    {"l_orderkey", DPS_TYPE_INT64, 0, 0, "Order key; sorted, 1..7 lines per order, 8 of every 32 keys used"},
    {"l_partkey", DPS_TYPE_INT64, 0, 0, "Part key, uniform in 1..200000*SF"},
    {"l_suppkey", DPS_TYPE_INT64, 0, 0, "Supplier key, one of the part's four suppliers"},
    {"l_linenumber", DPS_TYPE_INT32, 0, 0, "Line number within the order, 1..7"},
    {"l_quantity", DPS_TYPE_DECIMAL, 15, 2, "Quantity, 1..50"},
    {"l_extendedprice", DPS_TYPE_DECIMAL, 15, 2, "Quantity times the part's retail price"},
    {"l_discount", DPS_TYPE_DECIMAL, 15, 2, "Discount, 0.00..0.10"},
    {"l_tax", DPS_TYPE_DECIMAL, 15, 2, "Tax, 0.00..0.08"},
    {"l_returnflag", DPS_TYPE_STRING, 0, 0, "R or A when received by 1995-06-17, else N"},
    {"l_linestatus", DPS_TYPE_STRING, 0, 0, "O when shipped after 1995-06-17, else F"},
    {"l_shipdate", DPS_TYPE_DATE, 0, 0, "Order date plus 1..121 days"},
    {"l_commitdate", DPS_TYPE_DATE, 0, 0, "Order date plus 30..90 days"},
    {"l_receiptdate", DPS_TYPE_DATE, 0, 0, "Ship date plus 1..30 days"},
    {"l_shipinstruct", DPS_TYPE_STRING, 0, 0, "Shipping instruction, 4 values"},
    {"l_shipmode", DPS_TYPE_STRING, 0, 0, "Shipping mode, 7 values"},
    {"l_comment", DPS_TYPE_STRING, 0, 0, "Free text, 10..43 characters"},
};

static dps_status make_schema(dps_schema **out, dps_error *err) {
  dps_status s = dps_schema_new(out, err);
  for (size_t i = 0; s == DPS_OK && i < N_COLS; i++) {
    dps_column_view v = {COLS[i].name, COLS[i].type, 0, COLS[i].precision,
                         COLS[i].scale, COLS[i].description, NULL, 0};
    s = dps_schema_add_column(*out, &v, err);
  }
  return s;
}

static void batch_views(const batch *b, dps_array_view v[N_COLS]) {
  const void *fixed[N_COLS] = {b->orderkey, b->partkey, b->suppkey,
                               b->linenumber, b->quantity, b->extendedprice,
                               b->discount, b->tax, NULL, NULL, b->shipdate,
                               b->commitdate, b->receiptdate, NULL, NULL, NULL};
  const str_col *strs[N_COLS] = {NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                                 NULL, &b->returnflag, &b->linestatus, NULL,
                                 NULL, NULL, &b->shipinstruct, &b->shipmode,
                                 &b->comment};
  for (size_t c = 0; c < N_COLS; c++) {
    dps_array_view a = {b->rows, NULL, fixed[c], NULL, NULL};
    if (strs[c] != NULL) {
      a.offsets = strs[c]->offsets;
      a.data = (const uint8_t *)strs[c]->data;
    }
    v[c] = a;
  }
}

/* ---------------------------------------------------------------------- */
/* CSV output                                                             */
/* ---------------------------------------------------------------------- */

#define OUT_CAP (1u << 20)

typedef struct csv_out {
  FILE *f;
  char *buf;
  size_t len;
  int failed;
  char (*dates)[10]; /* "YYYY-MM-DD" of date_base + i */
  int32_t date_base;
  size_t n_dates;
  uint64_t bytes;
} csv_out;

static void out_flush(csv_out *o) {
  if (o->len > 0 && fwrite(o->buf, 1, o->len, o->f) != o->len) o->failed = 1;
  o->bytes += o->len;
  o->len = 0;
}

static void out_bytes(csv_out *o, const char *s, size_t n) {
  memcpy(o->buf + o->len, s, n);
  o->len += n;
}

static void out_uint(csv_out *o, uint64_t v) {
  char tmp[24];
  size_t n = 0;
  do {
    tmp[n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v > 0);
  while (n > 0) o->buf[o->len++] = tmp[--n];
}

static void out_decimal2(csv_out *o, int64_t v) {
  /* Every decimal column here is non-negative. */
  out_uint(o, (uint64_t)(v / 100));
  o->buf[o->len++] = '.';
  o->buf[o->len++] = (char)('0' + (v % 100) / 10);
  o->buf[o->len++] = (char)('0' + v % 10);
}

static void out_date(csv_out *o, int32_t d) {
  out_bytes(o, o->dates[d - o->date_base], 10);
}

static void out_str(csv_out *o, const str_col *c, size_t row) {
  const char *s = c->data + c->offsets[row];
  size_t n = (size_t)(c->offsets[row + 1] - c->offsets[row]);
  /* Comments may hold commas; no value holds a quote or a line break. */
  if (memchr(s, ',', n) != NULL) {
    o->buf[o->len++] = '"';
    out_bytes(o, s, n);
    o->buf[o->len++] = '"';
  } else {
    out_bytes(o, s, n);
  }
}

static int csv_open(csv_out *o, const char *path, const gen *g) {
  memset(o, 0, sizeof *o);
  o->f = fopen(path, "wb");
  o->buf = malloc(OUT_CAP);
  /* Dates run from the first order date to the last receipt date. */
  o->date_base = g->date_lo;
  o->n_dates = (size_t)(g->date_hi + 121 + 30 - g->date_lo + 1);
  o->dates = malloc(o->n_dates * sizeof *o->dates);
  if (o->f == NULL || o->buf == NULL || o->dates == NULL) return 0;
  for (size_t i = 0; i < o->n_dates; i++) {
    int y, m, d;
    civil_from_days(o->date_base + (int32_t)i, &y, &m, &d);
    char tmp[16];
    snprintf(tmp, sizeof tmp, "%04d-%02d-%02d", y, m, d);
    memcpy(o->dates[i], tmp, 10);
  }
  for (size_t c = 0; c < N_COLS; c++) {
    if (c > 0) out_bytes(o, ",", 1);
    out_bytes(o, COLS[c].name, strlen(COLS[c].name));
  }
  out_bytes(o, "\n", 1);
  return 1;
}

/* Largest CSV line: 3 keys (20 digits each), decimals, dates, strings. */
#define CSV_LINE_MAX 512u

static void csv_batch(csv_out *o, const batch *b) {
  for (size_t i = 0; i < b->rows; i++) {
    if (o->len + CSV_LINE_MAX > OUT_CAP) out_flush(o);
    out_uint(o, (uint64_t)b->orderkey[i]);
    o->buf[o->len++] = ',';
    out_uint(o, (uint64_t)b->partkey[i]);
    o->buf[o->len++] = ',';
    out_uint(o, (uint64_t)b->suppkey[i]);
    o->buf[o->len++] = ',';
    out_uint(o, (uint64_t)b->linenumber[i]);
    o->buf[o->len++] = ',';
    out_decimal2(o, b->quantity[i]);
    o->buf[o->len++] = ',';
    out_decimal2(o, b->extendedprice[i]);
    o->buf[o->len++] = ',';
    out_decimal2(o, b->discount[i]);
    o->buf[o->len++] = ',';
    out_decimal2(o, b->tax[i]);
    o->buf[o->len++] = ',';
    out_str(o, &b->returnflag, i);
    o->buf[o->len++] = ',';
    out_str(o, &b->linestatus, i);
    o->buf[o->len++] = ',';
    out_date(o, b->shipdate[i]);
    o->buf[o->len++] = ',';
    out_date(o, b->commitdate[i]);
    o->buf[o->len++] = ',';
    out_date(o, b->receiptdate[i]);
    o->buf[o->len++] = ',';
    out_str(o, &b->shipinstruct, i);
    o->buf[o->len++] = ',';
    out_str(o, &b->shipmode, i);
    o->buf[o->len++] = ',';
    out_str(o, &b->comment, i);
    o->buf[o->len++] = '\n';
  }
}

static int csv_close(csv_out *o) {
  int ok = 0;
  if (o->f != NULL) {
    out_flush(o);
    ok = !o->failed && fflush(o->f) == 0 && !ferror(o->f);
    if (fclose(o->f) != 0) ok = 0;
    o->f = NULL;
  }
  free(o->buf);
  free(o->dates);
  o->buf = NULL;
  o->dates = NULL;
  return ok;
}

/* ---------------------------------------------------------------------- */
/* main                                                                   */
/* ---------------------------------------------------------------------- */

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int usage(void) {
  fprintf(stderr,
          "usage: lineitem_gen ROWS [--csv OUT.csv] [--dps OUT.dps]\n"
          "  Writes ROWS rows of a deterministic TPC-H-like lineitem table\n"
          "  (6001215 rows = scale factor 1) as CSV with a header and/or as\n"
          "  a snapshot of the product bench.lineitem. The CSV appears under\n"
          "  its name only when complete.\n");
  return 2;
}

int main(int argc, char **argv) {
  const char *csv_path = NULL, *dps_path = NULL;
  uint64_t rows = 0;
  int have_rows = 0;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--csv") == 0 && i + 1 < argc) {
      csv_path = argv[++i];
    } else if (strcmp(argv[i], "--dps") == 0 && i + 1 < argc) {
      dps_path = argv[++i];
    } else if (!have_rows && argv[i][0] >= '0' && argv[i][0] <= '9') {
      char *end;
      errno = 0;
      unsigned long long v = strtoull(argv[i], &end, 10);
      if (errno != 0 || *end != '\0' || v > (1ull << 40)) {
        fprintf(stderr, "lineitem_gen: ROWS: expected 0..2^40, found \"%s\"\n", argv[i]);
        return 2;
      }
      rows = (uint64_t)v;
      have_rows = 1;
    } else {
      return usage();
    }
  }
  if (!have_rows || (csv_path == NULL && dps_path == NULL)) return usage();

  int rc = 1;
  dps_error err = {0};
  dps_schema *schema = NULL;
  dps_writer *writer = NULL;
  batch b;
  gen *g = malloc(sizeof *g);
  csv_out csv;
  memset(&csv, 0, sizeof csv);
  char *csv_tmp = NULL;
  int batch_ok = batch_alloc(&b);
  if (g == NULL || !batch_ok) {
    fprintf(stderr, "lineitem_gen: out of memory\n");
    goto done;
  }
  gen_init(g, rows);
  double t0 = now_s();

  if (csv_path != NULL) {
    size_t n = strlen(csv_path) + 8;
    csv_tmp = malloc(n);
    if (csv_tmp == NULL) goto done;
    snprintf(csv_tmp, n, "%s.tmp", csv_path);
    if (!csv_open(&csv, csv_tmp, g)) {
      fprintf(stderr, "lineitem_gen: %s: cannot create: %s\n", csv_tmp, strerror(errno));
      goto done;
    }
  }
  if (dps_path != NULL) {
    char rows_text[32];
    snprintf(rows_text, sizeof rows_text, "%llu", (unsigned long long)rows);
    dps_property props[] = {
        {"rows", rows_text},
        {"generator", "bench/lineitem_gen.c: TPC-H-like lineitem, fixed seed"}};
    dps_lineage_input input = {NULL, 0, 0, "generator:lineitem_gen"};
    dps_snapshot_meta meta = DPS_SNAPSHOT_META_INIT;
    meta.product = "bench.lineitem";
    meta.title = "TPC-H-like lineitem";
    meta.description = "Deterministic TPC-H-like lineitem table for benchmarks";
    meta.semver = "1.0.0";
    meta.owner_team = "dpsnap bench";
    meta.owner_email = "bench@example.org";
    meta.inputs = &input;
    meta.n_inputs = 1;
    meta.job_name = "lineitem_gen";
    meta.properties = props;
    meta.n_properties = 2;
    if (make_schema(&schema, &err) != DPS_OK ||
        dps_writer_open(&writer, dps_path, schema, &meta, NULL, &err) != DPS_OK)
      goto done;
  }

  dps_array_view views[N_COLS];
  while (gen_batch(g, &b) > 0) {
    if (csv_path != NULL) csv_batch(&csv, &b);
    if (writer != NULL) {
      batch_views(&b, views);
      if (dps_writer_write(writer, views, N_COLS, b.rows, &err) != DPS_OK) goto done;
    }
  }
  if (writer != NULL && dps_writer_finish(writer, &err) != DPS_OK) goto done;
  if (csv_path != NULL) {
    uint64_t bytes = csv.bytes + csv.len;
    if (!csv_close(&csv)) {
      fprintf(stderr, "lineitem_gen: %s: write failed\n", csv_tmp);
      goto done;
    }
    if (rename(csv_tmp, csv_path) != 0) {
      fprintf(stderr, "lineitem_gen: %s: cannot rename: %s\n", csv_path, strerror(errno));
      goto done;
    }
    fprintf(stderr, "lineitem_gen: %s: %llu rows, %llu bytes\n", csv_path,
            (unsigned long long)rows, (unsigned long long)bytes);
  }
  if (dps_path != NULL)
    fprintf(stderr, "lineitem_gen: %s: %llu rows\n", dps_path, (unsigned long long)rows);
  fprintf(stderr, "lineitem_gen: %llu orders, %.2f s\n",
          (unsigned long long)g->order_index, now_s() - t0);
  rc = 0;

done:
  if (err.code != 0) fprintf(stderr, "lineitem_gen: %s\n", err.message);
  if (csv.f != NULL) {
    csv_close(&csv);
    remove(csv_tmp);
  }
  csv_close(&csv); /* frees the buffers of a failed csv_open */
  free(csv_tmp);
  dps_writer_free(writer);
  dps_schema_free(schema);
  batch_free(&b);
  free(g);
  return rc;
}
