/*
 * fsst.c - FSST-style string compression (spec/FORMAT.md, FSST symbol
 * table): a static table of up to 255 symbols of 1..8 bytes, each replaced
 * by a one-byte code; code 255 escapes one literal byte.
 *
 * After Boncz, Neumann and Leis, "FSST: Fast Random Access String
 * Compression" (VLDB 2020). The table is built bottom-up from a small
 * sample: start empty, encode the sample with the current table, and let
 * the units it used and the concatenations of adjacent units compete on
 * "bytes they would cover"; a dozen rounds grow useful symbols from single
 * bytes up to 8-byte ones, and the round whose table encodes a second
 * sample best wins.
 *
 * Symbols live in a uint64_t per code, in memory byte order (memcpy'd, so
 * endianness does not matter) and zero-padded, which lets the decoder copy
 * every symbol as one unaligned 8-byte store and then advance by its length.
 */
#include "format/kernels.h"

#include <stdlib.h>
#include <string.h>

#define ESC 255u        /* the escape code; never a symbol */
#define MAX_SYMBOLS 255u
#define MAX_LEN 8u
#define NBUCKET 1024u   /* hash buckets of the compression index */

/* One symbol of >= 2 bytes in the compression index. */
typedef struct fsst_entry {
  uint64_t sym;   /* symbol bytes, zero-padded */
  uint8_t len;    /* 2..8 */
  uint8_t code;   /* its code */
} fsst_entry;

struct dps_fsst_table {
  uint64_t sym[256];              /* code -> symbol bytes, zero-padded */
  uint8_t len[256];               /* code -> length 1..8; 0 past n and at 255 */
  unsigned n;                     /* symbols: codes 0..n-1 */
  /* Compression index, derived from the above. */
  uint64_t mask[MAX_LEN + 1];     /* mask[L] keeps a word's first L bytes */
  uint8_t single[256];            /* byte -> its 1-byte symbol's code, or ESC */
  uint16_t bucket3[NBUCKET + 1];  /* >= 3 bytes: bucket b is ent[bucket3[b] */
                                  /* .. bucket3[b+1]), by 3-byte prefix */
  uint16_t bucket2[NBUCKET + 1];  /* 2 bytes: the same, by 2-byte prefix */
  fsst_entry ent[MAX_SYMBOLS];    /* bucketed, longest first in a bucket */
};

/* Byte patterns rather than integer constants, so the masks are right on
 * either endianness once memcpy'd into a word. */
static const uint8_t mask_bytes[MAX_LEN + 1][8] = {
    {0}, {0xFF}, {0xFF, 0xFF}, {0xFF, 0xFF, 0xFF}, {0xFF, 0xFF, 0xFF, 0xFF},
    {0xFF, 0xFF, 0xFF, 0xFF, 0xFF}, {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF},
    {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF},
    {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}};

/* Bucket of a 2- or 3-byte prefix. */
static inline unsigned hash2(unsigned b0, unsigned b1) {
  return (((b0 | (b1 << 8)) * 2654435761u) >> 22) & (NBUCKET - 1);
}
static inline unsigned hash3(unsigned b0, unsigned b1, unsigned b2) {
  return (((b0 | (b1 << 8) | (b2 << 16)) * 2654435761u) >> 22) &
         (NBUCKET - 1);
}

/* The 8 bytes at p when `avail` (bytes readable from p) allows, else the
 * available ones zero-padded. Reading past the current string is fine:
 * matches are masked to lengths that fit it. */
static inline uint64_t load_word(const uint8_t *p, size_t avail) {
  uint64_t w = 0;
  if (avail >= 8) {
    memcpy(&w, p, 8);
  } else {
    uint8_t tmp[8] = {0};
    memcpy(tmp, p, avail);
    memcpy(&w, tmp, 8);
  }
  return w;
}

static inline uint8_t sym_byte(uint64_t s, unsigned i) {
  uint8_t b[8];
  memcpy(b, &s, 8);
  return b[i];
}

static unsigned bucket_of(const dps_fsst_table *t, unsigned c) {
  uint8_t b[8];
  memcpy(b, &t->sym[c], 8);
  return t->len[c] >= 3 ? hash3(b[0], b[1], b[2]) : hash2(b[0], b[1]);
}

/* (Re)builds the compression index from sym/len/n: a direct table for
 * 1-byte symbols and hash buckets for longer ones, on their first three
 * bytes (two for 2-byte symbols), which keeps buckets to one or two
 * entries on real tables. Longer symbols come first in a bucket, so the
 * first hit is the longest match. */
static void build_index(dps_fsst_table *t) {
  for (unsigned l = 0; l <= MAX_LEN; l++) memcpy(&t->mask[l], mask_bytes[l], 8);
  memset(t->single, ESC, sizeof t->single);
  for (unsigned c = t->n; c-- > 0;)  /* downwards: the lowest code wins */
    if (t->len[c] == 1) t->single[sym_byte(t->sym[c], 0)] = (uint8_t)c;
  unsigned next3[NBUCKET] = {0}, next2[NBUCKET] = {0};
  for (unsigned c = 0; c < t->n; c++) {
    if (t->len[c] >= 3) next3[bucket_of(t, c)]++;
    else if (t->len[c] == 2) next2[bucket_of(t, c)]++;
  }
  /* All 3+-byte buckets, then all 2-byte ones, in one entry array. */
  unsigned at = 0;
  for (unsigned b = 0; b < NBUCKET; b++) {
    t->bucket3[b] = (uint16_t)at;
    at += next3[b];
    next3[b] = t->bucket3[b];  /* now the next free slot of bucket b */
  }
  t->bucket3[NBUCKET] = (uint16_t)at;
  for (unsigned b = 0; b < NBUCKET; b++) {
    t->bucket2[b] = (uint16_t)at;
    at += next2[b];
    next2[b] = t->bucket2[b];
  }
  t->bucket2[NBUCKET] = (uint16_t)at;
  for (unsigned l = MAX_LEN; l >= 2; l--)
    for (unsigned c = 0; c < t->n; c++)
      if (t->len[c] == l) {
        unsigned b = bucket_of(t, c);
        fsst_entry *x = &t->ent[l >= 3 ? next3[b]++ : next2[b]++];
        x->sym = t->sym[c];
        x->len = (uint8_t)l;
        x->code = (uint8_t)c;
      }
}

/* Greedy longest match at p, with rem >= 1 bytes left in the string and
 * avail >= rem bytes readable: returns the code (ESC when no symbol
 * matches) and the bytes it covers. */
static inline unsigned match(const dps_fsst_table *t, const uint8_t *p,
                             size_t rem, size_t avail, size_t *covered) {
  if (rem >= 2) {
    uint64_t w = load_word(p, avail);
    unsigned k = 0, end = 0;
    if (rem >= 3) {
      unsigned h = hash3(p[0], p[1], p[2]);
      k = t->bucket3[h];
      end = t->bucket3[h + 1];
    }
    for (; k < end; k++) {
      const fsst_entry *x = &t->ent[k];
      /* len <= rem: bytes past the string's end must not match. */
      if (x->len <= rem && (w & t->mask[x->len]) == x->sym) {
        *covered = x->len;
        return x->code;
      }
    }
    unsigned h = hash2(p[0], p[1]);
    for (k = t->bucket2[h], end = t->bucket2[h + 1]; k < end; k++) {
      const fsst_entry *x = &t->ent[k];
      if ((w & t->mask[2]) == x->sym) {
        *covered = 2;
        return x->code;
      }
    }
  }
  *covered = 1;
  return t->single[p[0]];
}

static dps_fsst_table *table_new(void) {
  dps_fsst_table *t = calloc(1, sizeof *t);
  if (t != NULL) build_index(t);
  return t;
}

void dps__fsst_free(dps_fsst_table *t) { free(t); }

/* Offsets must describe n strings: start at 0 or above and never decrease. */
static dps_status check_offsets(const int64_t *offsets, size_t n,
                                const char *fn, dps_error *err) {
  if (n == 0) return DPS_OK;
  if (offsets == NULL)
    return dps__fail(err, DPS_EINVAL, "%s: %zu strings but no offsets", fn, n);
  if (offsets[0] < 0)
    return dps__fail(err, DPS_EINVAL, "%s: expected offsets >= 0, found %lld",
                     fn, (long long)offsets[0]);
  for (size_t i = 0; i < n; i++)
    if (offsets[i + 1] < offsets[i])
      return dps__fail(err, DPS_EINVAL, "%s: expected non-decreasing "
                       "offsets, found %lld after %lld (string %zu)", fn,
                       (long long)offsets[i + 1], (long long)offsets[i], i);
  return DPS_OK;
}

/* ---- training ------------------------------------------------------------ */

#define SAMPLE_MAX 16384u  /* bytes of sample; the paper's choice */
#define SEG_MAX 512u       /* longest piece taken from one string */
#define ROUNDS 12u         /* see train_tables() */
#define PAIR_SLOTS 32768u  /* > 2x the units a sample can produce */
#define CAND_SLOTS 32768u  /* > 2x (units + pairs) */

/* A unit is what the encoder emits: a code (0..254) or an escaped byte
 * (256 + byte). */
#define UNITS 512u

typedef struct sample {
  uint8_t bytes[SAMPLE_MAX + SEG_MAX + 8];  /* pieces of strings, back to
                                             * back, and load slack */
  uint32_t ends[SAMPLE_MAX + 1];        /* end of each piece in bytes[] */
  size_t n;                             /* pieces */
  size_t len;                           /* bytes used */
} sample;

typedef struct cand {
  uint64_t sym;   /* symbol bytes, zero-padded */
  uint32_t gain;  /* bytes it covered, estimated; < 2^20 for 17K units */
  uint8_t len;    /* 1..8; 0 = empty slot */
} cand;

typedef struct trainer {
  sample s;                          /* the sample: what symbols come from */
  sample check;                      /* another one: what tables are judged
                                      * on, so that symbols fitted to the
                                      * sample's accidents do not count */
  uint32_t count1[UNITS];            /* uses of each unit */
  uint32_t pair_key[PAIR_SLOTS];     /* a * UNITS + b + 1; 0 = empty */
  uint32_t pair_count[PAIR_SLOTS];   /* times unit b directly followed a */
  uint16_t pair_used[PAIR_SLOTS];    /* slots in use, to clear and visit */
  size_t n_pairs;                    /* entries of pair_used */
  cand cands[CAND_SLOTS];            /* candidate symbols, hashed */
  uint16_t cand_used[CAND_SLOTS];    /* slots in use */
  size_t n_cands;                    /* entries of cand_used */
  cand heap[MAX_SYMBOLS];            /* the best candidates, worst on top */
  dps_fsst_table best;               /* best table seen so far */
} trainer;

static uint64_t splitmix(uint64_t *x) {
  uint64_t z = (*x += 0x9E3779B97F4A7C15u);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
  return z ^ (z >> 31);
}

static void sample_add(sample *s, const uint8_t *data, uint64_t at,
                       uint64_t len) {
  if (len == 0) return;  /* `data` may be NULL when all strings are empty */
  memcpy(s->bytes + s->len, data + at, (size_t)len);
  s->len += (size_t)len;
  memset(s->bytes + s->len, 0, 8);  /* defined bytes for 8-byte loads */
  s->ends[s->n++] = (uint32_t)s->len;
}

/* Takes whole strings when they all fit. Otherwise picks byte positions at
 * (seeded, hence deterministic) random, so every part of the input can be
 * drawn and strings count by their share of the bytes, which is what the
 * compressed size depends on. A picked string is taken from its start (where
 * prefixes such as "https://" live) unless it is long. */
static void take_sample(sample *s, const uint8_t *data, const int64_t *off,
                        size_t n, uint64_t seed) {
  s->n = s->len = 0;
  if (n == 0) return;
  uint64_t lo = (uint64_t)off[0], total = (uint64_t)off[n] - lo;
  if (total <= SAMPLE_MAX) {
    for (size_t i = 0; i < n; i++)
      sample_add(s, data, (uint64_t)off[i],
                 (uint64_t)(off[i + 1] - off[i]));
    return;
  }
  while (s->len < SAMPLE_MAX) {
    uint64_t pos = lo + splitmix(&seed) % total;
    /* The string holding byte `pos`: the last i with off[i] <= pos. */
    size_t a = 0, b = n;
    while (b - a > 1) {
      size_t m = a + (b - a) / 2;
      if ((uint64_t)off[m] <= pos) a = m; else b = m;
    }
    uint64_t start = (uint64_t)off[a], len = (uint64_t)off[a + 1] - start;
    if (len > SEG_MAX) {
      start = pos - start > len - SEG_MAX ? start + len - SEG_MAX : pos;
      len = SEG_MAX;
    }
    sample_add(s, data, start, len);
  }
}

static void pair_inc(trainer *tr, unsigned a, unsigned b) {
  uint32_t key = (uint32_t)(a * UNITS + b + 1);
  uint32_t h = (key * 2654435761u) >> 17;  /* 15 bits: PAIR_SLOTS */
  while (tr->pair_key[h] != 0 && tr->pair_key[h] != key)
    h = (h + 1) & (PAIR_SLOTS - 1);
  if (tr->pair_key[h] == 0) {
    tr->pair_key[h] = key;
    tr->pair_used[tr->n_pairs++] = (uint16_t)h;
  }
  tr->pair_count[h]++;
}

static void cand_add(trainer *tr, uint64_t sym, unsigned len, uint32_t gain) {
  uint64_t x = sym * 0x9E3779B97F4A7C15u + len;
  size_t h = (size_t)(x >> 49);  /* 15 bits: CAND_SLOTS */
  for (;;) {
    cand *c = &tr->cands[h];
    if (c->len == 0) {
      c->sym = sym;
      c->len = (uint8_t)len;
      c->gain = gain;
      tr->cand_used[tr->n_cands++] = (uint16_t)h;
      return;
    }
    if (c->len == len && c->sym == sym) {
      c->gain += gain;
      return;
    }
    h = (h + 1) & (CAND_SLOTS - 1);
  }
}

/* A total order, best first: gain, then length, then bytes. Being total,
 * it makes the chosen set and the code order independent of the order
 * candidates were met in, hence a deterministic table. */
static int cand_cmp(const void *pa, const void *pb) {
  const cand *a = pa, *b = pb;
  if (a->gain != b->gain) return a->gain > b->gain ? -1 : 1;
  if (a->len != b->len) return a->len > b->len ? -1 : 1;
  if (a->sym != b->sym) return a->sym < b->sym ? -1 : 1;
  return 0;
}

/* Min-heap (the worst of the kept candidates on top) of n entries. */
static void heap_down(cand *h, size_t n, size_t i) {
  for (;;) {
    size_t w = i, l = 2 * i + 1, r = l + 1;
    if (l < n && cand_cmp(&h[l], &h[w]) > 0) w = l;
    if (r < n && cand_cmp(&h[r], &h[w]) > 0) w = r;
    if (w == i) return;
    cand x = h[i];
    h[i] = h[w];
    h[w] = x;
    i = w;
  }
}

static void heap_up(cand *h, size_t i) {
  while (i > 0 && cand_cmp(&h[i], &h[(i - 1) / 2]) > 0) {
    cand x = h[i];
    h[i] = h[(i - 1) / 2];
    h[(i - 1) / 2] = x;
    i = (i - 1) / 2;
  }
}

static uint64_t unit_sym(const dps_fsst_table *t, unsigned u, unsigned *len) {
  if (u < 256) {
    *len = t->len[u];
    return t->sym[u];
  }
  uint8_t b[8] = {(uint8_t)(u - 256)};
  uint64_t s;
  memcpy(&s, b, 8);
  *len = 1;
  return s;
}

/* Encodes s with t, counting each unit's uses and, with `pairs`, how often
 * each unit follows another. Returns the encoded size. */
static size_t count_sample(trainer *tr, const sample *s,
                           const dps_fsst_table *t, bool pairs) {
  memset(tr->count1, 0, sizeof tr->count1);
  for (size_t k = 0; k < tr->n_pairs; k++) {
    tr->pair_key[tr->pair_used[k]] = 0;
    tr->pair_count[tr->pair_used[k]] = 0;
  }
  tr->n_pairs = 0;
  size_t size = 0, from = 0;
  for (size_t k = 0; k < s->n; k++) {
    size_t end = s->ends[k];
    unsigned prev = UNITS;  /* symbols never span two strings */
    for (size_t i = from; i < end;) {
      size_t covered;
      /* bytes[] has room past the sample, so 8-byte loads are fine. */
      unsigned c = match(t, s->bytes + i, end - i, sizeof s->bytes - i,
                         &covered);
      unsigned u = c == ESC ? 256u + s->bytes[i] : c;
      size += c == ESC ? 2 : 1;
      tr->count1[u]++;
      if (pairs && prev != UNITS) pair_inc(tr, prev, u);
      prev = u;
      i += covered;
    }
    from = end;
  }
  return size;
}

/* Replaces t by the best 255 candidates from the last count_sample() with
 * t: the units it used, scored by the bytes they covered, and with `pairs`
 * the concatenations of adjacent units, scored by the bytes they would
 * have covered. Without pairs this keeps used symbols only, ranked by
 * their real use, and lets often-escaped bytes into the freed codes. */
static void rebuild(trainer *tr, dps_fsst_table *t, bool pairs) {
  for (unsigned u = 0; u < UNITS; u++) {
    if (tr->count1[u] == 0) continue;
    unsigned l;
    uint64_t sym = unit_sym(t, u, &l);
    /* A single byte left out of the table costs two bytes (escape +
     * literal) wherever no longer symbol covers it: count it double so
     * common letters are not crowded out by long, rarer symbols. */
    cand_add(tr, sym, l, tr->count1[u] * (l == 1 ? 2u : l));
  }
  for (size_t k = 0; pairs && k < tr->n_pairs; k++) {
    unsigned h = tr->pair_used[k];
    /* Pairs seen once in 16 KiB are noise more often than not. */
    if (tr->pair_count[h] < 2) continue;
    unsigned key = tr->pair_key[h] - 1, la, lb;
    uint64_t a = unit_sym(t, key / UNITS, &la);
    uint64_t b = unit_sym(t, key % UNITS, &lb);
    /* The first 8 bytes of a longer concatenation occur at least as often
     * as the pair, so they are a fair candidate too. */
    unsigned l = la + lb > MAX_LEN ? MAX_LEN : la + lb;
    uint8_t bytes[16] = {0};
    memcpy(bytes, &a, 8);
    memcpy(bytes + la, &b, 8);
    memset(bytes + l, 0, sizeof bytes - l);
    uint64_t sym;
    memcpy(&sym, bytes, 8);
    cand_add(tr, sym, l, tr->pair_count[h] * l);
  }

  size_t nh = 0;
  for (size_t k = 0; k < tr->n_cands; k++) {
    cand *c = &tr->cands[tr->cand_used[k]];
    if (nh < MAX_SYMBOLS) {
      tr->heap[nh] = *c;
      heap_up(tr->heap, nh++);
    } else if (cand_cmp(c, &tr->heap[0]) < 0) {
      tr->heap[0] = *c;
      heap_down(tr->heap, nh, 0);
    }
    c->len = 0;  /* clears the slot for the next round */
  }
  tr->n_cands = 0;
  qsort(tr->heap, nh, sizeof *tr->heap, cand_cmp);
  memset(t->sym, 0, sizeof t->sym);
  memset(t->len, 0, sizeof t->len);
  for (size_t i = 0; i < nh; i++) {
    t->sym[i] = tr->heap[i].sym;
    t->len[i] = tr->heap[i].len;
  }
  t->n = (unsigned)nh;
  build_index(t);
}

/* Grows t from empty. Tables can get worse from one round to the next
 * (a popular symbol's pieces lose their codes, then the pieces come back
 * and the symbol goes), so every round's table is judged on the check
 * sample and the best one is kept; 12 rounds rather than the paper's 5 let
 * symbols reach 8 bytes and settle (measured: TPC-H-like comments 2.6x at
 * 5 rounds, 2.9x at 12). A last pass without new concatenations prunes
 * unused symbols. */
static void train_tables(trainer *tr, dps_fsst_table *t) {
  size_t best_size = SIZE_MAX;
  for (unsigned r = 0; r <= ROUNDS; r++) {
    size_t size = count_sample(tr, &tr->check, t, false);
    if (size < best_size) {
      best_size = size;
      tr->best = *t;
    }
    if (r == ROUNDS) break;
    count_sample(tr, &tr->s, t, true);
    rebuild(tr, t, true);
  }
  *t = tr->best;
  count_sample(tr, &tr->s, t, false);
  rebuild(tr, t, false);
  if (count_sample(tr, &tr->check, t, false) > best_size) *t = tr->best;
}

dps_status dps__fsst_train(const uint8_t *data, const int64_t *offsets,
                           size_t n, dps_fsst_table **out, dps_error *err) {
  if (out == NULL)
    return dps__fail(err, DPS_EINVAL, "dps__fsst_train: out is NULL");
  *out = NULL;
  dps_status st = check_offsets(offsets, n, "dps__fsst_train", err);
  if (st != DPS_OK) return st;
  if (n > 0 && offsets[n] > offsets[0] && data == NULL)
    return dps__fail(err, DPS_EINVAL, "dps__fsst_train: data is NULL");

  dps_fsst_table *t = table_new();
  trainer *tr = malloc(sizeof *tr);
  if (t == NULL || tr == NULL) {
    free(t);
    free(tr);
    return dps__fail(err, DPS_ENOMEM, "out of memory");
  }
  take_sample(&tr->s, data, offsets, n, 0x46535354u);  /* "FSST" */
  take_sample(&tr->check, data, offsets, n, 0x43484543u);  /* "CHEC" */
  tr->n_pairs = tr->n_cands = 0;
  memset(tr->pair_key, 0, sizeof tr->pair_key);
  memset(tr->pair_count, 0, sizeof tr->pair_count);
  memset(tr->cands, 0, sizeof tr->cands);
  if (tr->s.len > 0) train_tables(tr, t);
  free(tr);
  *out = t;
  return DPS_OK;
}

/* ---- serialized form ----------------------------------------------------- */

dps_status dps__fsst_serialize(const dps_fsst_table *t, dps_buf *out) {
  size_t total = 1 + t->n;
  for (unsigned c = 0; c < t->n; c++) total += t->len[c];
  dps_status st = dps__buf_reserve(out, total);
  if (st != DPS_OK) return st;
  uint8_t *p = out->data + out->len;
  *p++ = (uint8_t)t->n;
  for (unsigned c = 0; c < t->n; c++) *p++ = t->len[c];
  for (unsigned c = 0; c < t->n; c++) {
    memcpy(p, &t->sym[c], t->len[c]);
    p += t->len[c];
  }
  out->len += total;
  return DPS_OK;
}

dps_status dps__fsst_parse(const uint8_t *p, size_t n, dps_fsst_table **out,
                           size_t *used, const char *where, dps_error *err) {
  if (out == NULL)
    return dps__fail(err, DPS_EINVAL, "dps__fsst_parse: out is NULL");
  *out = NULL;
  if (used != NULL) *used = 0;
  if (where == NULL) where = "FSST";
  if (n == 0)
    return DPS_CORRUPT(err, "%s: FSST symbol table: expected a symbol count "
                       "byte, found the end of the data (0 bytes)", where);
  unsigned count = p[0];
  if (n - 1 < count)
    return DPS_CORRUPT(err, "%s: FSST symbol table: expected %u symbol "
                       "lengths after the count, found %zu bytes", where,
                       count, n - 1);
  size_t body = 0;
  for (unsigned c = 0; c < count; c++) {
    unsigned l = p[1 + c];
    if (l < 1 || l > MAX_LEN)
      return DPS_CORRUPT(err, "%s: FSST symbol table: expected a length of "
                         "1..8 for symbol %u (table offset %u), found %u",
                         where, c, 1 + c, l);
    body += l;
  }
  size_t head = 1 + (size_t)count;
  if (n - head < body)
    return DPS_CORRUPT(err, "%s: FSST symbol table: expected %zu bytes of "
                       "symbols at table offset %zu, found %zu", where, body,
                       head, n - head);
  dps_fsst_table *t = calloc(1, sizeof *t);
  if (t == NULL) return dps__fail(err, DPS_ENOMEM, "out of memory");
  const uint8_t *s = p + head;
  for (unsigned c = 0; c < count; c++) {
    uint8_t b[8] = {0};
    t->len[c] = p[1 + c];
    memcpy(b, s, t->len[c]);
    memcpy(&t->sym[c], b, 8);
    s += t->len[c];
  }
  t->n = count;
  build_index(t);
  *out = t;
  if (used != NULL) *used = head + body;
  return DPS_OK;
}

/* ---- compression --------------------------------------------------------- */

dps_status dps__fsst_compress(const dps_fsst_table *t, const uint8_t *data,
                              const int64_t *offsets, size_t n, dps_buf *out,
                              uint32_t *lens, dps_error *err) {
  if (t == NULL || out == NULL || (n > 0 && lens == NULL))
    return dps__fail(err, DPS_EINVAL, "dps__fsst_compress: NULL argument");
  dps_status st = check_offsets(offsets, n, "dps__fsst_compress", err);
  if (st != DPS_OK) return st;
  if (n > 0 && offsets[n] > offsets[0] && data == NULL)
    return dps__fail(err, DPS_EINVAL, "dps__fsst_compress: data is NULL");
  size_t len0 = out->len;
  /* Strings are adjacent, so bytes up to the last one's end are readable. */
  const uint8_t *end = n > 0 && offsets[n] > offsets[0] ? data + offsets[n]
                                                       : NULL;
  for (size_t i = 0; i < n; i++) {
    size_t len = (size_t)(offsets[i + 1] - offsets[i]);
    lens[i] = 0;
    if (len == 0) continue;  /* `data` may be NULL when all are empty */
    const uint8_t *p = data + offsets[i];
    /* Every byte escaped is the worst case: two bytes out per byte in. */
    if (len > UINT32_MAX / 2u) {
      out->len = len0;
      return dps__fail(err, DPS_EINVAL, "dps__fsst_compress: string %zu has "
                       "%zu bytes; at most %u fit a compressed length", i, len,
                       UINT32_MAX / 2u);
    }
    if (out->cap - out->len < 2 * len &&
        dps__buf_reserve(out, 2 * len) != DPS_OK) {
      out->len = len0;
      return dps__fail(err, DPS_ENOMEM, "out of memory");
    }
    uint8_t *dst = out->data + out->len, *d = dst;
    for (size_t k = 0; k < len;) {
      size_t covered;
      unsigned c = match(t, p + k, len - k, (size_t)(end - p) - k, &covered);
      *d++ = (uint8_t)c;
      if (c == ESC) *d++ = p[k];
      k += covered;
    }
    lens[i] = (uint32_t)(d - dst);
    out->len += (size_t)(d - dst);
  }
  return DPS_OK;
}

/* ---- decompression ------------------------------------------------------- */

/* Slow path for error messages only: the first code of in[0..len) that is
 * neither a symbol nor the escape. */
static size_t first_bad_code(const dps_fsst_table *t, const uint8_t *in,
                             size_t len) {
  for (size_t k = 0; k < len; k++) {
    if (in[k] == ESC) k++;
    else if (in[k] >= t->n) return k;
  }
  return len;
}

/* 1 when one of the 4 bytes at p is 0xFF (escape): the classic "has a zero
 * byte" test on the complement. */
static inline bool has_escape4(const uint8_t *p) {
  uint32_t w;
  memcpy(&w, p, 4);
  w = ~w;
  return ((w - 0x01010101u) & ~w & 0x80808080u) != 0;
}

/* How decode_strings() stopped. */
enum { DEC_OK, DEC_NOMEM, DEC_ESCAPE, DEC_CODE };

#if defined(__GNUC__)
#  define ALWAYS_INLINE inline __attribute__((always_inline))
#else
#  define ALWAYS_INLINE inline
#endif

/* Decodes the n strings (lengths already checked against the input) after
 * data->len, writing ends; on failure *fail is the string. `check` is
 * false only for full tables (255 symbols), where every byte but the
 * escape is a symbol; instantiated both ways so that full tables skip the
 * per-code check, which costs about 15% of decode time on text. */
static ALWAYS_INLINE int decode_strings(const dps_fsst_table *t,
                                        const uint8_t *in,
                                        const uint32_t *lens, size_t n,
                                        dps_buf *data, int64_t base,
                                        int64_t *ends, bool check,
                                        size_t *fail) {
  const size_t len0 = data->len;
  const unsigned nsym = t->n;
  size_t written = 0;  /* bytes decoded past len0 */
  const uint8_t *p = in;
  for (size_t i = 0; i < n; i++) {
    if (lens[i] == 0) {  /* an empty string; `in` may even be NULL */
      ends[i] = base + (int64_t)written;
      continue;
    }
    const uint8_t *e = p + lens[i];
    /* Room for 8 bytes per code plus the 8-byte store's overhang: the
     * copies below never check the output bound themselves. */
    size_t need = (size_t)lens[i] * 8 + 8;
    if (data->cap - len0 - written < need &&
        dps__buf_reserve(data, written + need) != DPS_OK)
      return *fail = i, DEC_NOMEM;
    uint8_t *const start = data->data + len0;
    uint8_t *dst = start + written;
    unsigned bad = 0;
    while (p < e) {
      if (e - p >= 4 && !has_escape4(p)) {
        unsigned c0 = p[0], c1 = p[1], c2 = p[2], c3 = p[3];
        /* Codes >= nsym have length 0 and a zero word: decoding them is
         * harmless, and `bad` rejects the string afterwards. */
        if (check)
          bad |= (unsigned)((c0 >= nsym) | (c1 >= nsym) | (c2 >= nsym) |
                            (c3 >= nsym));
        memcpy(dst, &t->sym[c0], 8);
        dst += t->len[c0];
        memcpy(dst, &t->sym[c1], 8);
        dst += t->len[c1];
        memcpy(dst, &t->sym[c2], 8);
        dst += t->len[c2];
        memcpy(dst, &t->sym[c3], 8);
        dst += t->len[c3];
        p += 4;
        continue;
      }
      unsigned c = *p++;
      if (c == ESC) {
        if (p == e) return *fail = i, DEC_ESCAPE;
        *dst++ = *p++;
      } else {
        if (check) bad |= c >= nsym;
        memcpy(dst, &t->sym[c], 8);
        dst += t->len[c];
      }
    }
    if (bad) return *fail = i, DEC_CODE;
    written = (size_t)(dst - start);
    ends[i] = base + (int64_t)written;
  }
  data->len = len0 + written;
  return DEC_OK;
}

dps_status dps__fsst_decompress(const dps_fsst_table *t, const uint8_t *in,
                                size_t in_len, const uint32_t *lens, size_t n,
                                dps_buf *data, int64_t base, int64_t *ends,
                                const char *where, dps_error *err) {
  if (where == NULL) where = "FSST";
  if (t == NULL || data == NULL || (n > 0 && (lens == NULL || ends == NULL)) ||
      (in_len > 0 && in == NULL))
    return dps__fail(err, DPS_EINVAL, "dps__fsst_decompress: NULL argument");
  /* Every code yields at most 8 bytes, so output offsets stay below
   * base + 8 * in_len; make sure that fits an int64 before decoding. */
  if (base < 0 || in_len > (SIZE_MAX - 8) / 8 ||
      (uint64_t)in_len * 8 > (uint64_t)(INT64_MAX - base))
    return dps__fail(err, DPS_EINVAL, "dps__fsst_decompress: base %lld and "
                     "%zu bytes of codes overflow the offsets", (long long)base,
                     in_len);
  /* Check the lengths before touching any code: afterwards every string's
   * codes are known to lie inside in[0..in_len). */
  uint64_t sum = 0;  /* stops early, so it cannot wrap around */
  for (size_t i = 0; i < n && sum <= in_len; i++) sum += lens[i];
  if (sum != in_len)
    return DPS_CORRUPT(err, "%s: FSST compressed lengths of %zu strings: "
                       "expected them to add up to the %zu bytes of codes, "
                       "found %s%llu", where, n, in_len,
                       sum > in_len ? "at least " : "",
                       (unsigned long long)sum);

  size_t i = 0;
  int rc = t->n == MAX_SYMBOLS
               ? decode_strings(t, in, lens, n, data, base, ends, false, &i)
               : decode_strings(t, in, lens, n, data, base, ends, true, &i);
  if (rc == DEC_OK) return DPS_OK;
  if (rc == DEC_NOMEM) return dps__fail(err, DPS_ENOMEM, "out of memory");
  /* Errors are rare: find the culprit again rather than slow the loop. */
  size_t at = 0;
  for (size_t k = 0; k < i; k++) at += lens[k];
  const uint8_t *s = in + at;
  if (rc == DEC_ESCAPE)
    return DPS_CORRUPT(err, "%s: FSST codes of string %zu: expected a "
                       "literal byte after the escape at code offset %zu, "
                       "found "
                       "the end of the string", where, i,
                       at + (size_t)lens[i] - 1);
  size_t k = first_bad_code(t, s, lens[i]);
  return DPS_CORRUPT(err, "%s: FSST codes of string %zu: expected a code "
                     "below the table's %u symbols or 255 (escape), found %u "
                     "at code offset %zu", where, i, t->n, s[k], at + k);
}
