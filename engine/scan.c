/* scan.c - scans with predicates, projections and aggregates (spec/SCAN.md).
 *
 * A scan binds its nodes (engine/scan_bind.c), then handles row groups one
 * at a time, on one thread or several:
 * 1. the row group's zone maps may rule the predicate out: skipped;
 * 2. page zone maps decide each 1024-row vector: none, all, or some rows;
 * 3. for "some" vectors the predicate columns' pages are read and the
 *    leaves evaluated, on dictionary entries where a page is a dictionary
 *    (then rows select by code) and on decoded values elsewhere;
 * 4. selected rows of the projected columns are gathered into a batch, or
 *    aggregated into per-row-group partial results merged in order. */
#include "engine/scan.h"
#include "engine/scan_kernels.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#if defined(__SSE2__)
#  include <emmintrin.h>
#endif

#define VEC DPS_VECTOR_SIZE
#define SUM_PASSES 1  /* masked passes beat the counting sort only for one group */



typedef dps_i128 i128;


/* A bound on the magnitude of the integer values a zone map covers, or
 * UINT64_MAX when it gives none. */
static uint64_t zone_bound(dps_type t, const dps_zone *z) {
  dps_domain d = dps__domain_of(t);
  if ((d != DPS_D_SIGNED && d != DPS_D_UNSIGNED) || !z->has_min || !z->has_max)
    return UINT64_MAX;
  uint64_t lo = dps__key_of(t, z->min), hi = dps__key_of(t, z->max);
  if (d == DPS_D_UNSIGNED) return hi > (uint64_t)INT64_MAX ? UINT64_MAX : hi;
  int64_t a = dps__key_signed(lo), b = dps__key_signed(hi);
  uint64_t ma = a < 0 ? 0 - (uint64_t)a : (uint64_t)a;
  uint64_t mb = b < 0 ? 0 - (uint64_t)b : (uint64_t)b;
  uint64_t m = ma > mb ? ma : mb;
  return m > (uint64_t)INT64_MAX ? UINT64_MAX : m;
}


/* ---- time --------------------------------------------------------------- */

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- zone-map logic ----------------------------------------------------- */

/* What a predicate may be over a set of rows: true for some, false for
 * some, unknown (null) for some. */
typedef struct tri {
  bool t, f, u;
} tri;

/* The bounds of a zone as keys (fixed-width) or bytes. */
static tri leaf_zone(const dps_leaf *lf, const dps_zone *z, uint64_t rows,
                     uint64_t nulls) {
  tri r = {false, false, nulls > 0};
  bool valid = rows > nulls;
  if (lf->kind == DPS_LF_ISNULL) {
    r.t = nulls > 0, r.f = valid, r.u = false;
    return r;
  }
  if (lf->kind == DPS_LF_NOTNULL) {
    r.t = valid, r.f = nulls > 0, r.u = false;
    return r;
  }
  if (!valid) return r;
  /* Bounds of the valid values; unknown bounds make everything possible. */
  if (lf->dom == DPS_D_BYTES) {
    if (!z->has_min) {
      r.t = r.f = true;
      return r;
    }
    const uint8_t *mn = z->min, *mx = z->max;
    size_t mnl = z->min_len, mxl = z->max_len;
    bool has_max = z->has_max && !z->max_unknown;
    if (lf->kind == DPS_LF_PREFIX) {
      const uint8_t *p = lf->lo.p;
      size_t pn = lf->lo.n;
      /* Some value >= p and some <= p followed by 0xFF...: overlap. */
      bool above = !has_max || dps__bytes_cmp(mx, mxl, p, pn) >= 0 ||
                   (mxl >= pn && memcmp(mx, p, pn) == 0);
      bool below = dps__bytes_cmp(mn, mnl, p, pn) <= 0 ||
                   (mnl >= pn && memcmp(mn, p, pn) == 0);
      if (!below && mnl >= pn) below = memcmp(mn, p, pn) <= 0;
      r.t = above && below;
      bool all = has_max && mnl >= pn && mxl >= pn && memcmp(mn, p, pn) == 0 &&
                 memcmp(mx, p, pn) == 0;
      r.f = !all;
    } else if (lf->kind == DPS_LF_RANGE) {
      bool lo_ok = !lf->has_lo || !has_max ||
                   (lf->lo_incl ? dps__bytes_cmp(mx, mxl, lf->lo.p, lf->lo.n) >= 0
                                : dps__bytes_cmp(mx, mxl, lf->lo.p, lf->lo.n) > 0);
      bool hi_ok = !lf->has_hi ||
                   (lf->hi_incl ? dps__bytes_cmp(mn, mnl, lf->hi.p, lf->hi.n) <= 0
                                : dps__bytes_cmp(mn, mnl, lf->hi.p, lf->hi.n) < 0);
      bool inside_lo = !lf->has_lo ||
                       (lf->lo_incl ? dps__bytes_cmp(mn, mnl, lf->lo.p, lf->lo.n) >= 0
                                    : dps__bytes_cmp(mn, mnl, lf->lo.p, lf->lo.n) > 0);
      bool inside_hi = !lf->has_hi ||
                       (has_max && (lf->hi_incl ? dps__bytes_cmp(mx, mxl, lf->hi.p, lf->hi.n) <= 0
                                                : dps__bytes_cmp(mx, mxl, lf->hi.p, lf->hi.n) < 0));
      r.t = lo_ok && hi_ok;
      r.f = !(inside_lo && inside_hi);
    } else { /* SET */
      bool any = false;
      for (size_t k = 0; k < lf->n_keys && !any; k++)
        any = dps__bytes_cmp(lf->strs[k].p, lf->strs[k].n, mn, mnl) >= 0 &&
              (!has_max || dps__bytes_cmp(lf->strs[k].p, lf->strs[k].n, mx, mxl) <= 0);
      r.t = any;
      r.f = true;
    }
  } else if (lf->dom == DPS_D_DOUBLE) {
    r.t = r.f = true;  /* bounds are exact values, the test is on doubles */
  } else {
    uint64_t lo, hi;
    if (lf->dom == DPS_D_FLOAT) {
      lo = z->has_min ? dps__key_of(lf->type, z->min) : UINT64_MAX;
      hi = z->nan_count ? UINT64_MAX : z->has_max ? dps__key_of(lf->type, z->max) : 0;
      if (!z->has_min && !z->nan_count) {
        r.t = r.f = true;  /* no bounds recorded */
        goto negate;
      }
    } else {
      if (!z->has_min || !z->has_max) {
        r.t = r.f = true;
        goto negate;
      }
      lo = dps__key_of(lf->type, z->min);
      hi = dps__key_of(lf->type, z->max);
    }
    if (lf->empty) {
      r.t = false, r.f = true;
    } else if (lf->kind == DPS_LF_RANGE) {
      r.t = lf->klo <= hi && lf->khi >= lo;
      r.f = !(lf->klo <= lo && hi <= lf->khi);
    } else {
      bool any = lf->n_dkeys > 0;  /* float literals: not pruned */
      for (size_t k = 0; k < lf->n_keys && !any; k++)
        any = lf->keys[k] >= lo && lf->keys[k] <= hi;
      r.t = any;
      r.f = !(lo == hi && any) || lf->n_dkeys > 0;
    }
  }
negate:
  if (lf->negate) {
    bool t = r.t;
    r.t = r.f, r.f = t;
  }
  return r;
}

/* The tree over per-leaf states, bottom-up (nodes are in post-order). */
static tri tree_state(const dps_bound *b, const tri *leaf, tri *tmp) {
  for (size_t i = 0; i < b->n_pnodes; i++) {
    const dps_pnode *p = &b->pnodes[i];
    switch (p->kind) {
      case DPS_P_LEAF: tmp[i] = leaf[p->leaf]; break;
      case DPS_P_NOT: tmp[i] = (tri){tmp[p->a].f, tmp[p->a].t, tmp[p->a].u}; break;
      case DPS_P_AND:
        tmp[i] = (tri){tmp[p->a].t && tmp[p->b].t, tmp[p->a].f || tmp[p->b].f,
                       tmp[p->a].u || tmp[p->b].u};
        break;
      default:
        tmp[i] = (tri){tmp[p->a].t || tmp[p->b].t, tmp[p->a].f && tmp[p->b].f,
                       tmp[p->a].u || tmp[p->b].u};
    }
  }
  return tmp[b->root];
}

/* ---- the scan handle ---------------------------------------------------- */

enum { VS_NONE = 0, VS_ALL = 1, VS_SOME = 2 };

/* A page of a column in the row group being handled. */
typedef struct colpage {
  size_t row0, n;            /* rows [row0, row0 + n) of the row group */
  bool loaded;               /* decoded below */
  bool is_dict;              /* entries + codes; else data */
  bool full;                 /* data holds the decoded values */
  dps_column_data data;      /* values, or the dictionary entries */
  dps_buf codes;             /* dict: uint32 per row */
  dps_buf valid;             /* dict: validity bitmap, empty = no nulls */
  dps_column_data values;    /* dict page decoded in full, when needed */
  bool is_for;               /* a for page read by row (fv), not decoded */
  dps_for_view fv;
  const uint8_t *raw;        /* is_for: the page's raw bytes ... */
  size_t raw_len;
  dps_buf raw_copy;          /* ... copied here when decompressed */
} colpage;

typedef struct colstate {
  colpage *pages;
  size_t n_pages, cap_pages;
  size_t last;               /* page page_at found last: rows mostly ascend */
} colstate;

/* Partial aggregates of one row group, or the merged result. */
typedef struct acc {
  int64_t count;
  i128 isum;
  double fsum;
  bool has;                  /* min/max seen a value */
  uint64_t key;              /* min/max of fixed-width values / results */
  int64_t ival;              /* min/max of integer expressions */
  double fval;               /* min/max of float expressions */
  const uint8_t *bytes;      /* min/max of strings (in the result's arena) */
  size_t len;
} acc;

typedef struct gkey {
  dps_keyval k[2];
} gkey;

typedef struct aggres {
  size_t n_groups, cap_groups;
  gkey *keys;                /* per group */
  acc *accs;                 /* n_groups * n_aggs */
  uint32_t *slots;           /* hash: group + 1, 0 = empty */
  size_t mask;
  dps_arena arena;           /* key and min/max bytes */
} aggres;

typedef struct rows_out {
  dps_column_data *cols;     /* projected columns' selected rows */
  size_t rows;
  struct dps_batch batch;
} rows_out;

typedef struct worker worker;

struct dps_scan {
  dps_reader *reader;
  const dps_footer *f;
  const dps_schema *schema;
  dps_arena arena;
  dps_bound b;
  bool agg_mode;
  bool fused;                /* aggregates of whole pages: see fused_group */
  bool counts_only;          /* only count(*), no groups: the matches */
  bool need_false;           /* the predicate has a NOT: false flags too */
  bool all_and;              /* the predicate is leaves under ANDs only */
  int *same_as;              /* per aggregate: an earlier one it equals
                                (sum and avg of one column), or -1 */
  unsigned threads;
  uint64_t limit;
  /* state */
  size_t next_group;         /* rows mode: next row group to hand out */
  uint64_t rows_out;         /* rows mode: rows returned */
  bool done;
  worker *workers;
  rows_out *outs;            /* rows mode: one per thread */
  size_t out_next, out_count;/* rows mode: outputs of the current round */
  aggres *partials;          /* agg mode: one per row group */
  aggres result;
  bool have_result;
  size_t *order;             /* result groups in output order */
  dps_scan_stats stats;
  pthread_mutex_t mu;
  dps_status failed;
  dps_error first_err;
};

struct worker {
  dps_scan *scan;
  dps_page_io io;
  colstate *cols;            /* per schema column */
  uint8_t *vstate;           /* per vector of the row group */
  uint8_t *sel;              /* per row of the row group: selected */
  uint64_t *selbits;         /* the same as bits, 64 rows a word */
  uint8_t (*T)[VEC], (*F)[VEC];  /* per pnode */
  uint8_t **entry_match;     /* per leaf: per dictionary entry of a page */
  size_t *entry_cap;
  const colpage **entry_page;/* per leaf: the page entry_match is for */
  bool *entry_run;           /* per leaf: the matches are codes [lo, hi) */
  uint32_t *entry_lo, *entry_hi;
  uint64_t *entry_gen;       /* per leaf: ... in row group generation */
  uint64_t gen;              /* row groups begun by this worker */
  uint32_t *code_map;        /* grouping by dictionary codes */
  size_t cm_cap;
  const colpage *cm_page[2]; /* the pages code_map is for ... */
  uint64_t cm_gen;           /* ... in this row group generation ... */
  aggres *cm_r;              /* ... and result */
  dps_scan_stats st;
  /* aggregation temporaries */
  uint32_t idx[2 * VEC + 4];  /* selected rows (of the row group): up to
                                VEC aggregated, one vector's more, and
                                slots written past them */
  int64_t *xi;               /* per xnode: VEC values */
  double *xf;
  uint8_t *xn;               /* per xnode: VEC null flags */
  uint32_t gid[VEC];
  _Alignas(64) uint8_t vecbuf[8 * VEC]; /* one vector decoded in L1 */
  _Alignas(64) uint8_t accbuf[VEC];     /* flags of an AND, in L1 */
  const int64_t **xp;        /* per xnode: its integer values (xi or a
                                page's own values) */
  uint64_t *xbound;          /* per xnode: bound on |value| in the vector,
                                UINT64_MAX = unknown */
  uint8_t *xclean;           /* per xnode: no null in the vector */
  uint64_t *xstamp;          /* per xnode: vector it was evaluated for */
  uint64_t vstamp;           /* the vector being aggregated */
  char *msg;                 /* error text of the current expression */
  dps_error err;
};

/* ---- pages of a row group ------------------------------------------------ */

static void colstate_reset(colstate *cs, const dps_chunk_ref *ch) {
  cs->n_pages = 0;
  if (cs->cap_pages < ch->n_pages) {
    colpage *p = realloc(cs->pages, ch->n_pages * sizeof *p);
    if (p == NULL) return;
    memset(p + cs->cap_pages, 0, (ch->n_pages - cs->cap_pages) * sizeof *p);
    cs->pages = p;
    cs->cap_pages = ch->n_pages;
  }
  size_t row = 0;
  for (size_t k = 0; k < ch->n_pages; k++) {
    colpage *cp = &cs->pages[k];
    cp->row0 = row;
    cp->n = (size_t)ch->pages[k].value_count;
    cp->loaded = cp->is_dict = cp->full = cp->is_for = false;
    /* Nothing of the previous row group's page may show through: a page
     * viewed in place (is_for) fills none of these. */
    dps__column_data_reset(&cp->data);
    dps__column_data_reset(&cp->values);
    cp->codes.len = cp->valid.len = 0;
    row += cp->n;
  }
  cs->n_pages = ch->n_pages;
  cs->last = 0;
}

static void colstate_free(colstate *cs) {
  for (size_t k = 0; k < cs->cap_pages; k++) {
    dps__column_data_free(&cs->pages[k].data);
    dps__column_data_free(&cs->pages[k].values);
    dps__buf_free(&cs->pages[k].codes);
    dps__buf_free(&cs->pages[k].valid);
    dps__buf_free(&cs->pages[k].raw_copy);
  }
  free(cs->pages);
}

/* Page of a column holding row `row` of the row group (pages are few),
 * searched from the page found last. */
static size_t page_at(colstate *cs, size_t row) {
  size_t k = cs->last < cs->n_pages ? cs->last : 0;
  if (cs->pages[k].row0 > row) k = 0;
  while (k + 1 < cs->n_pages && cs->pages[k].row0 + cs->pages[k].n <= row) k++;
  cs->last = k;
  return k;
}

/* Reads page k of column c of row group g: a dictionary page as entries
 * and codes when `dict_ok`, else decoded in full. */
/* Fetches page k of column c (checked and decompressed: *raw) and counts
 * it as read. */
static dps_status fetch(worker *w, size_t g, size_t c, size_t k,
                        const uint8_t **raw, char *where) {
  dps_scan *sc = w->scan;
  dps_status s = dps__reader_fetch_page(sc->reader, g, c, k, &w->io, raw,
                                        where, &w->err);
  if (s != DPS_OK) return s;
  const dps_page_ref *pg = &sc->f->groups[g].chunks[c].pages[k];
  w->st.pages_read++;
  w->st.bytes_read += pg->stored_size;
  return DPS_OK;
}

/* Decodes a page's raw bytes in full into cp->data. */
static dps_status decode_full(worker *w, colpage *cp, dps_type t,
                              const dps_page_ref *pg, const uint8_t *raw,
                              const char *where) {
  dps__column_data_reset(&cp->data);
  dps_status s;
  if (pg->encoding == DPS_PAGE_CASCADE)
    s = dps__cascade_decode_page_ex(t, raw, (size_t)pg->raw_size, cp->n,
                                    (size_t)pg->null_count, false, &cp->data,
                                    &w->io.scratch, where, &w->err);
  else
    s = dps__plain_decode(t, raw, (size_t)pg->raw_size, cp->n,
                          (size_t)pg->null_count, false, &cp->data, where,
                          &w->err);
  if (s != DPS_OK) return s;
  if (cp->data.offsets.len == 0 && dps__type_is_var(t))
    dps__buf_put_u64(&cp->data.offsets, 0);
  cp->loaded = cp->full = true;
  return DPS_OK;
}

/* Reads page k of column c of row group g: a dictionary page as entries
 * and codes when `dict_ok`, else decoded in full. */
static dps_status load(worker *w, size_t g, size_t c, size_t k, bool dict_ok) {
  dps_scan *sc = w->scan;
  colpage *cp = &w->cols[c].pages[k];
  const dps_page_ref *pg = &sc->f->groups[g].chunks[c].pages[k];
  dps_type t = sc->f->schema->cols[c].type;
  char where[512];
  if (cp->loaded && cp->is_for && !cp->full) {
    /* Read by row so far; now every value is wanted. */
    dps__reader_page_name(sc->reader, g, c, k, where);
    return decode_full(w, cp, t, pg, cp->raw, where);
  }
  if (cp->loaded && (dict_ok || !cp->is_dict)) return DPS_OK;
  if (cp->loaded && cp->is_dict) {
    /* Entries are there; the caller wants values: gather them. */
    if (cp->full) return DPS_OK;
    dps__column_data_reset(&cp->values);
    dps_status s = dps__kernel_dict_expand(t, &cp->data,
                                           (const uint32_t *)(void *)cp->codes.data,
                                           cp->valid.len ? cp->valid.data : NULL,
                                           cp->n, &cp->values);
    if (s != DPS_OK) return dps__fail(&w->err, s, "out of memory");
    cp->full = true;
    return DPS_OK;
  }
  const uint8_t *raw = NULL;
  dps_status s = fetch(w, g, c, k, &raw, where);
  if (s != DPS_OK) return s;
  cp->loaded = true;
  cp->is_dict = cp->full = false;
  if (pg->encoding == DPS_PAGE_CASCADE && dict_ok) {
    const uint32_t *codes = NULL;
    const uint8_t *valid = NULL;
    bool is_dict = false;
    /* Codes land in the page's own buffer, not in scratch. */
    cp->codes.len = cp->valid.len = 0;
    if (dps__buf_reserve(&cp->codes, (cp->n ? cp->n : 1) * sizeof *codes) != DPS_OK)
      return dps__fail(&w->err, DPS_ENOMEM, "out of memory");
    s = dps__cascade_decode_dict(t, raw, (size_t)pg->raw_size, cp->n,
                                 (size_t)pg->null_count, &cp->data,
                                 (uint32_t *)(void *)cp->codes.data, &codes,
                                 &valid, &is_dict, &w->io.scratch, where,
                                 &w->err);
    if (s != DPS_OK) return s;
    if (is_dict) {
      cp->codes.len = cp->n * sizeof *codes;
      if (valid != NULL &&
          dps__buf_append(&cp->valid, valid, (cp->n + 7) / 8) != DPS_OK)
        return dps__fail(&w->err, DPS_ENOMEM, "out of memory");
      cp->is_dict = true;
      return DPS_OK;
    }
  }
  return decode_full(w, cp, t, pg, raw, where);
}

/* Loads page k of column c for reading single rows: a for page without
 * nulls is kept as a view over its bytes (cp->is_for); any other page is
 * decoded in full. */
static dps_status load_rows(worker *w, size_t g, size_t c, size_t k) {
  dps_scan *sc = w->scan;
  colpage *cp = &w->cols[c].pages[k];
  if (cp->loaded && cp->is_for) return DPS_OK;  /* viewed, or decoded */
  if (cp->loaded) return load(w, g, c, k, false);
  const dps_page_ref *pg = &sc->f->groups[g].chunks[c].pages[k];
  dps_type t = sc->f->schema->cols[c].type;
  if (pg->encoding != DPS_PAGE_CASCADE || pg->null_count != 0 ||
      t == DPS_TYPE_UINT64 || dps__domain_of(t) == DPS_D_BYTES ||
      dps__domain_of(t) == DPS_D_FLOAT)
    return load(w, g, c, k, false);
  char where[512];
  const uint8_t *raw = NULL;
  dps_status s = fetch(w, g, c, k, &raw, where);
  if (s != DPS_OK) return s;
  bool is_for = false;
  s = dps__cascade_for_view(t, raw, (size_t)pg->raw_size, cp->n, 0, &cp->fv,
                            &is_for, where, &w->err);
  if (s != DPS_OK) return s;
  cp->loaded = true;
  cp->is_dict = cp->full = false;
  /* Not a for page: decode it from the bytes already fetched. */
  if (!is_for) return decode_full(w, cp, t, pg, raw, where);
  dps_buf *lent = raw == w->io.raw.data      ? &w->io.raw
                  : raw == w->io.stored.data ? &w->io.stored
                                             : NULL;
  if (lent != NULL) {
    /* In one of the thread's buffers (decompressed, or read with pread),
     * which the next page reuses: the page keeps that buffer (the thread
     * takes the page's old one), and the view points into it. */
    dps_buf mine = cp->raw_copy;
    cp->raw_copy = *lent;
    *lent = mine;
    const uint8_t *copy = cp->raw_copy.data;
    s = dps__cascade_for_view(t, copy, (size_t)pg->raw_size, cp->n, 0,
                              &cp->fv, &is_for, where, &w->err);
    if (s != DPS_OK) return s;
    raw = copy;
  }
  cp->raw = raw;
  cp->raw_len = (size_t)pg->raw_size;
  cp->is_for = true;
  return DPS_OK;
}

/* Loads a page of a predicate column: a dictionary as entries and codes,
 * a frame-of-reference page without nulls as a view (decoded a vector at
 * a time where tested), any other page in full. */
static dps_status load_pred(worker *w, size_t g, size_t c, size_t k) {
  colpage *cp = &w->cols[c].pages[k];
  if (cp->loaded) return DPS_OK;
  const dps_page_ref *pg = &w->scan->f->groups[g].chunks[c].pages[k];
  if (pg->null_count == 0 && pg->cascade != NULL && cp->row0 % VEC == 0 &&
      strncmp(pg->cascade, "for", 3) == 0 &&
      (pg->cascade[3] == '\0' || pg->cascade[3] == '('))
    return load_rows(w, g, c, k);
  return load(w, g, c, k, true);
}

/* The decoded values of a loaded page (dictionary pages expanded). */
static const dps_column_data *page_values(const colpage *cp) {
  return cp->is_dict ? &cp->values : &cp->data;
}

/* ---- predicate evaluation on one vector ------------------------------------ */

/* A range leaf on the values base + x of a frame-of-reference view, as
 * the range [*xlo, *xhi] of offsets x (empty when *xlo > *xhi). false
 * when the leaf is not an integer range, or when base + x could leave
 * the type for some x of the packed width (values would wrap, and
 * offsets would not keep their order). */
static bool for_offset_range(const dps_leaf *lf, const dps_for_view *fv,
                             uint64_t *xlo, uint64_t *xhi) {
  if (lf->kind != DPS_LF_RANGE || lf->empty || fv->bits > 32 ||
      (lf->dom != DPS_D_SIGNED && lf->dom != DPS_D_UNSIGNED))
    return false;
  unsigned t = 8 * fv->width;
  dps_i128 span = ((dps_i128)1 << fv->bits) - 1, base, lo, hi, top;
  if (lf->dom == DPS_D_SIGNED) {
    unsigned sh = 64 - t;
    base = (int64_t)(fv->base << sh) >> sh;
    top = ((dps_i128)1 << (t - 1)) - 1;
    lo = dps__key_signed(lf->klo);
    hi = dps__key_signed(lf->khi);
  } else {
    base = (dps_i128)(t == 64 ? fv->base : fv->base & (((uint64_t)1 << t) - 1));
    top = ((dps_i128)1 << t) - 1;
    lo = lf->klo;
    hi = lf->khi;
  }
  if (base + span > top) return false;
  dps_i128 a = lo - base, b = hi - base;
  if (a < 0) a = 0;
  if (b > span) b = span;
  if (a > b) a = 1, b = 0;  /* no offset */
  *xlo = (uint64_t)a;
  *xhi = (uint64_t)b;
  return true;
}

static void leaf_eval(worker *w, const dps_leaf *lf, size_t li, colpage *cp,
                      size_t off, size_t n, uint8_t *restrict T,
                      uint8_t *restrict F) {
  const uint8_t *bits = NULL;
  /* A page viewed in place has no nulls (load_rows views no other). */
  if (cp->is_dict) bits = cp->valid.len ? cp->valid.data : NULL;
  else if (cp->full && cp->data.validity.len) bits = cp->data.validity.data;
  /* Matches land in T itself when they need no null mask and no false
   * flags; otherwise in m, combined below. */
  uint8_t mbuf[VEC];
  uint8_t *m = bits == NULL && F == NULL ? T : mbuf;
  if (lf->kind == DPS_LF_ISNULL || lf->kind == DPS_LF_NOTNULL) {
    bool want_null = lf->kind == DPS_LF_ISNULL;
    for (size_t i = 0; i < n; i++) {
      uint8_t v = 1;
      if (bits) v = dps__bit(bits, off + i);
      T[i] = want_null ? (uint8_t)(v ^ 1) : v;
    }
    if (F)
      for (size_t i = 0; i < n; i++) F[i] = (uint8_t)(T[i] ^ 1);
    return;
  }
  uint64_t xlo, xhi;
  unsigned ow;
  if (cp->is_for && !cp->full && for_offset_range(lf, &cp->fv, &xlo, &xhi) &&
      (ow = dps__for_view_offsets(&cp->fv, off / VEC, w->vecbuf)) != 0) {
    /* A range on a frame-of-reference page, moved into the offsets'
     * domain: the vector's offsets unpacked into L1 at the narrowest
     * width that holds them, and tested against the bounds less the
     * base (load_pred viewed only pages that start on a vector). */
    if (xlo > xhi) memset(m, 0, n);
    else dps__kernel_range_isa(dps__isa_active(), w->vecbuf + (off % VEC) * ow,
                               ow, false, xlo, xhi, n, m);
  } else if (cp->is_for && !cp->full) {
    /* A frame-of-reference page: its vector decoded into L1 and tested
     * there (load_pred viewed only pages that start on a vector, so the
     * rows lie in one of the page's vectors). */
    dps_column_data tmp;
    memset(&tmp, 0, sizeof tmp);
    dps__for_view_vector(&cp->fv, off / VEC, w->vecbuf);
    tmp.values.data = w->vecbuf;
    dps__kernel_leaf(lf, &tmp, off % VEC, n, m);
  } else if (cp->is_dict) {
    const uint8_t *em = w->entry_match[li];
    const uint32_t *codes = (const uint32_t *)(void *)cp->codes.data + off;
    if (w->entry_run[li]) {
      /* The matching entries are codes [lo, hi): one range test. */
      if (w->entry_hi[li] == w->entry_lo[li]) memset(m, 0, n);
      else dps__kernel_range_isa(dps__isa_active(), codes, 4, false,
                                 w->entry_lo[li], w->entry_hi[li] - 1, n, m);
    } else if (cp->data.length <= 64) {
      /* Up to 64 entries: their matches as one word, tested by shifts. */
      uint64_t mask = 0;
      for (size_t k = 0; k < cp->data.length; k++) mask |= (uint64_t)em[k] << k;
      dps__kernel_code_match(codes, mask, n, m);
    } else {
      for (size_t i = 0; i < n; i++) m[i] = em[codes[i]];
    }
  } else {
    dps__kernel_leaf(lf, &cp->data, off, n, m);
  }
  uint8_t neg = lf->negate ? 1 : 0;
  if (bits == NULL && F == NULL) {
    if (neg)
      for (size_t i = 0; i < n; i++) T[i] ^= 1;
  } else if (bits == NULL) {
    for (size_t i = 0; i < n; i++) {
      T[i] = m[i] ^ neg;
      F[i] = (uint8_t)(T[i] ^ 1);
    }
  } else if (F == NULL) {
    for (size_t i = 0; i < n; i++) T[i] = (m[i] ^ neg) & dps__bit(bits, off + i);
  } else {
    for (size_t i = 0; i < n; i++) {
      uint8_t v = dps__bit(bits, off + i);
      uint8_t t = m[i] ^ neg;
      T[i] = t & v;
      F[i] = (uint8_t)((t ^ 1) & v);
    }
  }
}

/* AND / OR of two nodes' true and false flags (three-valued logic); the
 * true flags only when f is NULL. */
static void combine(bool is_and, const uint8_t *restrict ta,
                    const uint8_t *restrict fa, const uint8_t *restrict tb,
                    const uint8_t *restrict fb, uint8_t *restrict t,
                    uint8_t *restrict f, size_t n) {
  if (f == NULL) {
    if (is_and) for (size_t r = 0; r < n; r++) t[r] = ta[r] & tb[r];
    else for (size_t r = 0; r < n; r++) t[r] = ta[r] | tb[r];
  } else if (is_and) {
    for (size_t r = 0; r < n; r++) t[r] = ta[r] & tb[r], f[r] = fa[r] | fb[r];
  } else {
    for (size_t r = 0; r < n; r++) t[r] = ta[r] | tb[r], f[r] = fa[r] & fb[r];
  }
}

/* Per-entry matches of a leaf on a dictionary page. */
static dps_status prepare_entries(worker *w, size_t li, const colpage *cp) {
  if (w->entry_page[li] == cp && w->entry_gen[li] == w->gen) return DPS_OK;
  const dps_leaf *lf = &w->scan->b.leaves[li];
  size_t nd = cp->data.length;
  if (w->entry_cap[li] < nd + 1) {
    uint8_t *p = realloc(w->entry_match[li], nd + 1);
    if (p == NULL) return dps__fail(&w->err, DPS_ENOMEM, "out of memory");
    w->entry_match[li] = p;
    w->entry_cap[li] = nd + 1;
  }
  const uint8_t *em = w->entry_match[li];
  dps__kernel_leaf(lf, &cp->data, 0, nd, w->entry_match[li]);
  /* Entries ascend ([FMT-54]), so a range, a prefix or neighbouring IN
   * values match a run of codes: then a code range is the test. */
  size_t first = 0, last = nd;
  while (first < nd && !em[first]) first++;
  while (last > first && !em[last - 1]) last--;
  bool run = true;
  for (size_t k = first; k < last && run; k++) run = em[k] != 0;
  w->entry_run[li] = run;
  w->entry_lo[li] = (uint32_t)first;
  w->entry_hi[li] = (uint32_t)last;  /* exclusive; == first: none */
  w->entry_page[li] = cp;
  w->entry_gen[li] = w->gen;
  w->st.dict_lookups++;
  return DPS_OK;
}

/* 64 bytes of 0/1 flags as a mask: bit k is byte k. */
static uint64_t sel_mask64(const uint8_t *p) {
#if defined(__SSE2__)
  uint64_t m = 0;
  for (unsigned k = 0; k < 4; k++) {
    __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * k));
    /* 0/1 bytes: bit 0 moved to the sign bit of the same byte. */
    m |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_slli_epi64(x, 7)) << (16 * k);
  }
  return m;
#else
  uint64_t m = 0;
  for (unsigned k = 0; k < 8; k++) {
    uint64_t word;
    memcpy(&word, p + 8 * k, 8);
    /* Bytes 0/1 to bits: bit j is byte j (little-endian). */
    m |= (((word & 0x0101010101010101ull) * 0x0102040810204080ull) >> 56) << (8 * k);
  }
  return m;
#endif
}

/* Set bits of x (bit arithmetic: the baseline x86-64 has no popcnt, and
 * the compiler's fallback is a call). */
static uint64_t popcount64(uint64_t x) {
  x -= (x >> 1) & 0x5555555555555555ull;
  x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
  x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
  return (x * 0x0101010101010101ull) >> 56;
}

/* The 0/1 flags sel[0..n) of one vector as bits[0..16) (bits past n
 * zero); returns how many are set. */
static uint64_t sel_to_bits(const uint8_t *sel, size_t n, uint64_t *bits) {
  uint64_t hits = 0;
  for (size_t k = 0; k < VEC / 64; k++) {
    uint64_t m = 0;
    if (64 * k + 64 <= n) {
      m = sel_mask64(sel + 64 * k);
    } else {
      for (size_t r = 64 * k; r < n; r++) m |= (uint64_t)sel[r] << (r - 64 * k);
    }
    bits[k] = m;
    hits += popcount64(m);
  }
  return hits;
}

/* An is [not] null leaf on a page whose null count is 0 or all its rows
 * needs no value of the page. */
static bool null_decided(const dps_leaf *lf, const dps_page_ref *pg) {
  return (lf->kind == DPS_LF_ISNULL || lf->kind == DPS_LF_NOTNULL) &&
         (pg->null_count == 0 || pg->null_count == pg->value_count);
}

/* Loads the page of leaf k's column that holds row `at` (unless the
 * footer answers the leaf); *cpp and *pgp: that page. */
static dps_status leaf_page(worker *w, size_t g, size_t k, size_t at,
                            colpage **cpp, const dps_page_ref **pgp) {
  const dps_leaf *lf = &w->scan->b.leaves[k];
  colstate *cs = &w->cols[lf->col];
  size_t pk = page_at(cs, at);
  *cpp = &cs->pages[pk];
  *pgp = &w->scan->f->groups[g].chunks[lf->col].pages[pk];
  if (null_decided(lf, *pgp)) return DPS_OK;
  return load_pred(w, g, lf->col, pk);
}

/* Leaf k on rows [at, at + cnt) of the row group: its true flags into T,
 * its false flags into F unless F is NULL. */
static dps_status leaf_flags(worker *w, size_t g, size_t k, size_t at,
                             size_t cnt, uint8_t *T, uint8_t *F) {
  const dps_leaf *lf = &w->scan->b.leaves[k];
  colpage *cp;
  const dps_page_ref *pg;
  dps_status s = leaf_page(w, g, k, at, &cp, &pg);
  if (s != DPS_OK) return s;
  if (null_decided(lf, pg)) {
    /* is [not] null on a page without nulls, or of nulls only: the
     * footer's count answers, the page is not read. */
    uint8_t t = (pg->null_count == 0) == (lf->kind == DPS_LF_NOTNULL);
    memset(T, t, cnt);
    if (F) memset(F, t ^ 1, cnt);
    return DPS_OK;
  }
  if (cp->is_dict && (s = prepare_entries(w, k, cp)) != DPS_OK) return s;
  leaf_eval(w, lf, k, cp, at - cp->row0, cnt, T, F);
  return DPS_OK;
}

/* A predicate of leaves under ANDs on rows [at, at + cnt), into w->sel:
 * each leaf narrows the flags in turn, and once no row is left the
 * remaining leaves are neither evaluated nor their pages read. */
static dps_status eval_and(worker *w, size_t g, size_t at, size_t cnt) {
  const dps_bound *b = &w->scan->b;
  /* The flags are combined in the thread's own vector (in L1), then
   * stored once. */
  uint8_t *flags = w->accbuf, *m = w->T[0];
  dps_status s = DPS_OK;
  for (size_t k = 0; k < b->n_leaves; k++) {
    if ((s = leaf_flags(w, g, k, at, cnt, k == 0 ? flags : m, NULL)) != DPS_OK)
      return s;
    if (!dps__kernel_and_any(flags, k == 0 ? NULL : m, cnt)) break;
  }
  memcpy(w->sel + at, flags, cnt);
  return DPS_OK;
}

/* Any predicate tree on rows [at, at + cnt), node by node (children come
 * before their parents), into w->sel. */
static dps_status eval_tree(worker *w, size_t g, size_t at, size_t cnt) {
  dps_scan *sc = w->scan;
  const dps_bound *b = &sc->b;
  for (size_t k = 0; k < b->n_leaves; k++) {
    colpage *cp;
    const dps_page_ref *pg;
    dps_status s = leaf_page(w, g, k, at, &cp, &pg);
    if (s != DPS_OK) return s;
  }
  for (size_t i = 0; i < b->n_pnodes; i++) {
    const dps_pnode *p = &b->pnodes[i];
    /* False flags matter only below a NOT: without one, true flags alone
     * decide AND and OR. */
    uint8_t *T = w->T[i], *F = sc->need_false ? w->F[i] : NULL;
    switch (p->kind) {
      case DPS_P_LEAF: {
        dps_status s = leaf_flags(w, g, (size_t)p->leaf, at, cnt, T, F);
        if (s != DPS_OK) return s;
        break;
      }
      case DPS_P_NOT:
        memcpy(T, w->F[p->a], cnt);
        memcpy(F, w->T[p->a], cnt);
        break;
      default:
        combine(p->kind == DPS_P_AND, w->T[p->a], w->F[p->a], w->T[p->b],
                w->F[p->b], T, F, cnt);
    }
  }
  memcpy(w->sel + at, w->T[b->root], cnt);
  return DPS_OK;
}

/* Decides every vector of row group g from zone maps, then evaluates the
 * predicate on the "some" vectors into w->sel. Returns the rows matched. */
static dps_status select_rows(worker *w, size_t g, uint64_t *matched) {
  dps_scan *sc = w->scan;
  const dps_bound *b = &sc->b;
  const dps_row_group_ref *rg = &sc->f->groups[g];
  size_t rows = (size_t)rg->row_count, nvec = (rows + VEC - 1) / VEC;
  *matched = 0;
  if (b->root < 0) {
    memset(w->sel, 1, rows);
    memset(w->vstate, VS_ALL, nvec);
    for (size_t k = 0; k < (rows + 63) / 64; k++)
      w->selbits[k] = rows - 64 * k >= 64 ? ~(uint64_t)0
                                          : ((uint64_t)1 << (rows - 64 * k)) - 1;
    *matched = rows;
    w->st.rows_scanned += rows;
    return DPS_OK;
  }
  tri leaf[64], tmp[128];
  tri *lt = b->n_leaves <= 64 ? leaf : malloc(b->n_leaves * sizeof *lt);
  tri *tt = b->n_pnodes <= 128 ? tmp : malloc(b->n_pnodes * sizeof *tt);
  if (lt == NULL || tt == NULL) {
    if (lt != leaf) free(lt);
    if (tt != tmp) free(tt);
    return dps__fail(&w->err, DPS_ENOMEM, "out of memory");
  }
  dps_status s = DPS_OK;
  /* Row group zone maps. */
  for (size_t k = 0; k < b->n_leaves; k++) {
    const dps_leaf *lf = &b->leaves[k];
    lt[k] = leaf_zone(lf, &rg->zones[lf->col], rg->row_count,
                      rg->chunks[lf->col].null_count);
  }
  tri whole = tree_state(b, lt, tt);
  if (!whole.t) {
    w->st.row_groups_pruned++;
    w->st.vectors_pruned += nvec;
    memset(w->vstate, VS_NONE, nvec);
    goto out;
  }
  w->st.rows_scanned += rows;
  /* Vectors from page zone maps. */
  size_t hint[64] = {0};
  tri st = {true, true, true};
  for (size_t v = 0; v < nvec; v++) {
    size_t r0 = v * VEC, r1 = r0 + VEC < rows ? r0 + VEC : rows;
    bool split = false, changed = v == 0;
    for (size_t k = 0; k < b->n_leaves; k++) {
      const dps_leaf *lf = &b->leaves[k];
      colstate *cs = &w->cols[lf->col];
      size_t pk = page_at(cs, r0);
      const colpage *cp = &cs->pages[pk];
      if (cp->row0 + cp->n < r1) split = true;
      /* A page's zone map decides its vectors alike: only a new page
       * (or a leaf past the first 64) needs the test again. */
      if (v > 0 && k < 64 && pk == hint[k]) continue;
      if (k < 64) hint[k] = pk;
      const dps_page_ref *pg = &rg->chunks[lf->col].pages[pk];
      lt[k] = leaf_zone(lf, &pg->zone, pg->value_count, pg->null_count);
      changed = true;
    }
    if (changed) st = tree_state(b, lt, tt);
    tri vst = st;
    if (split) vst.t = vst.f = vst.u = true;
    uint8_t vs = !vst.t ? VS_NONE : (!vst.f && !vst.u) ? VS_ALL : VS_SOME;
    w->vstate[v] = vs;
    if (vs == VS_SOME) w->st.vectors_evaluated++;
    else w->st.vectors_pruned++;
  }
  /* Evaluate the "some" vectors. */
  uint64_t hits = 0;
  for (size_t v = 0; s == DPS_OK && v < nvec; v++) {
    size_t r0 = v * VEC, n = r0 + VEC < rows ? VEC : rows - r0;
    if (w->vstate[v] != VS_SOME) {
      bool all = w->vstate[v] == VS_ALL;
      memset(w->sel + r0, all, n);
      for (size_t k = 0; k < VEC / 64; k++) {
        size_t left = n > 64 * k ? n - 64 * k : 0;
        w->selbits[v * (VEC / 64) + k] =
            !all || left == 0 ? 0 : left >= 64 ? ~(uint64_t)0 : ((uint64_t)1 << left) - 1;
      }
      hits += all ? n : 0;
      continue;
    }
    /* Sub-ranges where every predicate column stays in one page. */
    size_t at = r0;
    while (s == DPS_OK && at < r0 + n) {
      size_t end = r0 + n;
      for (size_t k = 0; k < b->n_leaves; k++) {
        const dps_leaf *lf = &b->leaves[k];
        colstate *cs = &w->cols[lf->col];
        size_t pk = page_at(cs, at);
        colpage *cp = &cs->pages[pk];
        if (cp->row0 + cp->n < end) end = cp->row0 + cp->n;
      }
      size_t cnt = end - at;
      s = sc->all_and ? eval_and(w, g, at, cnt) : eval_tree(w, g, at, cnt);
      at = end;
    }
    if (s == DPS_OK)
      hits += sel_to_bits(w->sel + r0, n, &w->selbits[v * (VEC / 64)]);
  }
  if (s == DPS_OK) *matched = hits;
out:
  if (lt != leaf) free(lt);
  if (tt != tmp) free(tt);
  return s;
}

/* ---- rows mode -------------------------------------------------------------- */

static dps_status gather_rows(worker *w, size_t g, rows_out *ro) {
  dps_scan *sc = w->scan;
  const dps_bound *b = &sc->b;
  size_t rows = (size_t)sc->f->groups[g].row_count;
  for (size_t j = 0; j < b->n_proj; j++) {
    size_t c = b->proj[j];
    dps_type t = sc->f->schema->cols[c].type;
    colstate *cs = &w->cols[c];
    dps_column_data *out = &ro->cols[j];
    for (size_t k = 0; k < cs->n_pages; k++) {
      colpage *cp = &cs->pages[k];
      size_t hits = 0;
      for (size_t r = cp->row0; r < cp->row0 + cp->n && r < rows; r++) hits += w->sel[r];
      if (hits == 0) continue;
      dps_status s = load(w, g, c, k, false);
      if (s != DPS_OK) return s;
      s = dps__kernel_gather(t, page_values(cp), w->sel + cp->row0, cp->n,
                             hits, out);
      if (s != DPS_OK) return dps__fail(&w->err, s, "out of memory");
    }
  }
  return DPS_OK;
}

/* ---- aggregates ------------------------------------------------------------- */

static uint64_t hash_bytes(const uint8_t *p, size_t n) { return dps__hash64(p, n); }

static uint64_t mix(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdull;
  x ^= x >> 33;
  return x;
}

static uint64_t key_hash(const gkey *k, size_t n) {
  uint64_t h = 0x9e3779b97f4a7c15ull;
  for (size_t i = 0; i < n; i++) {
    const dps_keyval *v = &k->k[i];
    uint64_t x = v->is_null ? 0x5bd1e995u : v->p ? hash_bytes(v->p, v->n) : mix(v->key);
    h = mix(h ^ x) + i;
  }
  return h;
}

static bool key_eq(const gkey *a, const gkey *b, size_t n) {
  for (size_t i = 0; i < n; i++) {
    const dps_keyval *x = &a->k[i], *y = &b->k[i];
    if (x->is_null != y->is_null) return false;
    if (x->is_null) continue;
    if (x->p || y->p) {
      if (x->n != y->n || (x->n && memcmp(x->p, y->p, x->n) != 0)) return false;
    } else if (x->key != y->key) {
      return false;
    }
  }
  return true;
}

static void aggres_free(aggres *r) {
  free(r->keys);
  free(r->accs);
  free(r->slots);
  dps__arena_free(&r->arena);
  memset(r, 0, sizeof *r);
}

/* Group of key k (bytes copied into the result's arena), created if new. */
static dps_status group_of(aggres *r, const gkey *k, size_t nk, size_t n_aggs,
                           uint32_t *gid) {
  if ((r->n_groups + 1) * 2 > r->mask + 1 || r->slots == NULL) {
    size_t cap = r->slots ? (r->mask + 1) * 2 : 64;
    uint32_t *slots = calloc(cap, sizeof *slots);
    if (slots == NULL) return DPS_ENOMEM;
    for (size_t gi = 0; gi < r->n_groups; gi++) {
      size_t at = (size_t)key_hash(&r->keys[gi], nk) & (cap - 1);
      while (slots[at]) at = (at + 1) & (cap - 1);
      slots[at] = (uint32_t)gi + 1;
    }
    free(r->slots);
    r->slots = slots;
    r->mask = cap - 1;
  }
  size_t at = (size_t)key_hash(k, nk) & r->mask;
  for (;; at = (at + 1) & r->mask) {
    uint32_t s = r->slots[at];
    if (s == 0) break;
    if (key_eq(&r->keys[s - 1], k, nk)) {
      *gid = s - 1;
      return DPS_OK;
    }
  }
  if (r->n_groups == r->cap_groups) {
    size_t cap = r->cap_groups ? r->cap_groups * 2 : 16;
    gkey *keys = realloc(r->keys, cap * sizeof *keys);
    if (keys == NULL) return DPS_ENOMEM;
    r->keys = keys;
    /* One more group's room: the slot after the last group collects
     * unselected rows of dense vectors and is cleared after each. */
    acc *accs = realloc(r->accs, (cap + 1) * (n_aggs ? n_aggs : 1) * sizeof *accs);
    if (accs == NULL) return DPS_ENOMEM;
    r->accs = accs;
    r->cap_groups = cap;
  }
  gkey copy = *k;
  for (size_t i = 0; i < nk; i++) {
    dps_keyval *v = &copy.k[i];
    if (!v->is_null && v->p != NULL) {
      uint8_t *p = dps__arena_alloc(&r->arena, v->n + 1);
      if (p == NULL) return DPS_ENOMEM;
      memcpy(p, v->p, v->n);
      v->p = p;
    }
  }
  size_t gi = r->n_groups++;
  r->keys[gi] = copy;
  memset(&r->accs[gi * n_aggs], 0, n_aggs * sizeof(acc));
  r->slots[at] = (uint32_t)gi + 1;
  *gid = (uint32_t)gi;
  return DPS_OK;
}

/* Key of value i of decoded values d (not null). */
static dps_keyval value_key(const dps_column_data *d, dps_type t, size_t i) {
  dps_keyval kv = {false, 0, NULL, 0};
  if (dps__type_is_var(t)) {
    const int64_t *o = (const int64_t *)(void *)d->offsets.data;
    static const uint8_t empty[1];
    kv.p = d->data.data ? d->data.data + o[i] : empty;
    kv.n = (size_t)(o[i + 1] - o[i]);
  } else {
    kv.key = dps__key_of(t, d->values.data + i * dps_type_width(t));
  }
  return kv;
}

/* Key of row `row` (page-relative) of a loaded page. */
static dps_keyval row_key(const colpage *cp, dps_type t, size_t row) {
  const dps_column_data *d = page_values(cp);
  if (d->validity.len && !dps__bit(d->validity.data, row))
    return (dps_keyval){true, 0, NULL, 0};
  return value_key(d, t, row);
}

/* Evaluates aggregate expressions on the selected rows idx[0..n) of one
 * vector whose rows lie in one page per column. */
static dps_status eval_expr(worker *w, size_t g, int xi, size_t n) {
  dps_scan *sc = w->scan;
  const dps_xnode *x = &sc->b.xnodes[xi];
  if (w->xstamp[xi] == w->vstamp) return DPS_OK;
  w->xstamp[xi] = w->vstamp;
  int64_t *vi = w->xi + (size_t)xi * VEC;
  double *vf = w->xf + (size_t)xi * VEC;
  uint8_t *vn = w->xn + (size_t)xi * VEC;
  w->xp[xi] = vi;
  w->xbound[xi] = UINT64_MAX;
  w->xclean[xi] = 0;
  switch (x->kind) {
    case DPS_X_INT:
      for (size_t k = 0; k < n; k++) vi[k] = x->i, vn[k] = 0;
      w->xbound[xi] = x->i < 0 ? 0 - (uint64_t)x->i : (uint64_t)x->i;
      w->xclean[xi] = 1;
      if (x->need_double) {
        double d = x->big ? x->f : (double)x->i;
        d /= dps__pow10d(x->scale);
        for (size_t k = 0; k < n; k++) vf[k] = d;
      }
      return DPS_OK;
    case DPS_X_FLOAT:
      for (size_t k = 0; k < n; k++) vf[k] = x->f, vn[k] = 0;
      w->xclean[xi] = 1;
      return DPS_OK;
    case DPS_X_COL: {
      colstate *cs = &w->cols[x->col];
      size_t pk = page_at(cs, w->idx[0]);
      colpage *cp = &cs->pages[pk];
      const dps_page_ref *pg = &sc->f->groups[g].chunks[x->col].pages[pk];
      w->xbound[xi] = zone_bound(x->type, &pg->zone);
      w->xclean[xi] = pg->null_count == 0;
      bool dense = w->idx[n - 1] - w->idx[0] == n - 1;
      bool viewed = cp->loaded && cp->is_for && !cp->full;
      bool few = !cp->loaded && (!dense || n <= VEC / 8);
      if ((few || viewed) && !x->need_double) {
        /* Few rows: read just them where the page allows. */
        dps_status s = load_rows(w, g, x->col, pk);
        if (s != DPS_OK) return s;
        if (cp->is_for && !cp->full) {
          dps__for_view_get(&cp->fv, w->idx, n, cp->row0, vi);
          memset(vn, 0, n);
          return DPS_OK;
        }
      }
      dps_status s = load(w, g, x->col, pk, false);
      if (s != DPS_OK) return s;
      const dps_column_data *d = page_values(cp);
      bool wide = x->type == DPS_TYPE_INT64 || x->type == DPS_TYPE_DECIMAL ||
                  x->type == DPS_TYPE_TIMESTAMP;
      if (wide && !x->need_double && w->idx[n - 1] - w->idx[0] == n - 1) {
        /* Consecutive rows of 64-bit integers: read them in place. */
        w->xp[xi] = (const int64_t *)(const void *)d->values.data +
                    (w->idx[0] - cp->row0);
        if (d->validity.len == 0) {
          memset(vn, 0, n);
        } else {
          for (size_t k = 0; k < n; k++) {
            size_t r = w->idx[k] - cp->row0;
            vn[k] = !dps__bit(d->validity.data, r);
          }
        }
        return DPS_OK;
      }
      bool ovf = dps__kernel_load_numeric(x->type, d, cp->row0, w->idx, n, vi,
                                          vf, vn);
      if (x->need_double && !x->is_float)
        dps__kernel_to_double(x->type, d, cp->row0, w->idx, n, x->scale, vf);
      if (ovf && !x->need_double)
        return dps__fail(&w->err, DPS_EINVAL, "%s: row group %zu: a value of "
                         "column \"%s\" does not fit in 64-bit signed "
                         "arithmetic (overflow)", dps__reader_path(sc->reader),
                         g, sc->f->schema->cols[x->col].name);
      return DPS_OK;
    }
    default: {
      dps_status s = eval_expr(w, g, x->a, n);
      if (s == DPS_OK) s = eval_expr(w, g, x->b, n);
      if (s != DPS_OK) return s;
      const dps_xnode *xa = &sc->b.xnodes[x->a], *xb = &sc->b.xnodes[x->b];
      w->xclean[xi] = w->xclean[x->a] & w->xclean[x->b];
      if (!x->is_float && w->xbound[x->a] != UINT64_MAX &&
          w->xbound[x->b] != UINT64_MAX) {
        /* Bounds of the operands bound the result: no overflow possible
         * when it fits, and no magnitudes to measure. */
        dps_u128 ba = w->xbound[x->a], bb = w->xbound[x->b], r;
        if (x->op == DPS_MUL) r = ba * bb;
        else r = ba * (uint64_t)dps__pow10i(x->scale - xa->scale) +
                 bb * (uint64_t)dps__pow10i(x->scale - xb->scale);
        if (r <= (dps_u128)INT64_MAX) w->xbound[xi] = (uint64_t)r;
      }
      bool ovf = dps__kernel_arith(x->op, x->is_float, x->scale,
                                   w->xbound[xi] != UINT64_MAX,
                                   xa->is_float || xa->need_double, xa->scale,
                                   xb->is_float || xb->need_double, xb->scale,
                                   w->xp[x->a],
                                   w->xf + (size_t)x->a * VEC,
                                   w->xn + (size_t)x->a * VEC,
                                   w->xp[x->b],
                                   w->xf + (size_t)x->b * VEC,
                                   w->xn + (size_t)x->b * VEC, n, vi, vf, vn);
      if (ovf)
        return dps__fail(&w->err, DPS_EINVAL, "%s: row group %zu: %.200s "
                         "overflows 64-bit integer arithmetic in a row; put "
                         "a float literal first (1e0 * ...) to compute it in "
                         "doubles, or select fewer rows",
                         dps__reader_path(sc->reader), g, x->text);
      if (x->need_double && !x->is_float) {
        double div = dps__pow10d(x->scale);
        for (size_t k = 0; k < n; k++) vf[k] = (double)vi[k] / div;
      }
      return DPS_OK;
    }
  }
}

/* Updates min or max of a fixed-width or float result. */
static void minmax_i(acc *a, bool is_max, int64_t v) {
  if (!a->has || (is_max ? v > a->ival : v < a->ival)) a->ival = v;
  a->has = true;
}

static void minmax_f(acc *a, bool is_max, double v) {
  uint64_t k = dps__fkey(v);
  if (!a->has || (is_max ? k > a->key : k < a->key)) a->key = k, a->fval = v;
  a->has = true;
}

/* Key of dictionary entry `code` of a dictionary page; code n = null. */
static dps_keyval entry_key(const colpage *cp, dps_type t, uint32_t code) {
  if (code >= cp->data.length) return (dps_keyval){true, 0, NULL, 0};
  return value_key(&cp->data, t, code);
}

/* Code of row `row` of a dictionary page, or the entry count for null. */
static uint32_t row_code(const colpage *cp, size_t row) {
  if (cp->valid.len && !dps__bit(cp->valid.data, row))
    return (uint32_t)cp->data.length;
  return ((const uint32_t *)(void *)cp->codes.data)[row];
}

/* Groups of the selected rows when every grouping column's page is a
 * dictionary: a dense map from the codes (null = one more code) to groups,
 * kept while the pages stay the same. */
static dps_status group_by_codes(worker *w, aggres *r, colpage *const *cps,
                                 const dps_type *ts, size_t n,
                                 const uint8_t *keep) {
  const dps_bound *b = &w->scan->b;
  size_t n1 = cps[0]->data.length + 1;
  size_t n2 = b->n_group == 2 ? cps[1]->data.length + 1 : 1;
  if (n1 * n2 > ((size_t)1 << 16)) return DPS_EINVAL;  /* caller falls back */
  const colpage *p2 = b->n_group == 2 ? cps[1] : NULL;
  if (w->cm_page[0] != cps[0] || w->cm_page[1] != p2 || w->cm_gen != w->gen ||
      w->cm_r != r) {
    if (w->cm_cap < n1 * n2) {
      uint32_t *m = realloc(w->code_map, n1 * n2 * sizeof *m);
      if (m == NULL) return dps__fail(&w->err, DPS_ENOMEM, "out of memory");
      w->code_map = m;
      w->cm_cap = n1 * n2;
    }
    memset(w->code_map, 0xFF, n1 * n2 * sizeof *w->code_map);
    w->cm_page[0] = cps[0], w->cm_page[1] = p2;
    w->cm_gen = w->gen, w->cm_r = r;
  }
  if (cps[0]->valid.len == 0 && (p2 == NULL || p2->valid.len == 0)) {
    /* No nulls: codes straight from the pages, the map hit in one load. */
    const uint32_t *k1 = (const uint32_t *)(void *)cps[0]->codes.data;
    const uint32_t *k2 = p2 ? (const uint32_t *)(void *)p2->codes.data : NULL;
    size_t r1 = cps[0]->row0, r2 = p2 ? p2->row0 : 0;
    for (size_t i = 0; i < n; i++) {
      size_t slot = (size_t)k1[w->idx[i] - r1] * n2 + (k2 ? k2[w->idx[i] - r2] : 0);
      uint32_t gi = w->code_map[slot];
      if (gi == UINT32_MAX && !(keep && !keep[i])) {
        gkey k;
        memset(&k, 0, sizeof k);
        k.k[0] = entry_key(cps[0], ts[0], k1[w->idx[i] - r1]);
        if (p2) k.k[1] = entry_key(p2, ts[1], k2[w->idx[i] - r2]);
        if (group_of(r, &k, b->n_group, b->n_aggs, &gi) != DPS_OK)
          return dps__fail(&w->err, DPS_ENOMEM, "out of memory");
        w->code_map[slot] = gi;
      }
      w->gid[i] = keep && !keep[i] ? UINT32_MAX : gi;
    }
    return DPS_OK;
  }
  for (size_t i = 0; i < n; i++) {
    if (keep && !keep[i]) {
      w->gid[i] = UINT32_MAX;  /* the trash slot, set by the caller */
      continue;
    }
    uint32_t c1 = row_code(cps[0], w->idx[i] - cps[0]->row0);
    uint32_t c2 = p2 ? row_code(p2, w->idx[i] - p2->row0) : 0;
    uint32_t *slot = &w->code_map[(size_t)c1 * n2 + c2];
    if (*slot == UINT32_MAX) {
      gkey k;
      memset(&k, 0, sizeof k);
      k.k[0] = entry_key(cps[0], ts[0], c1);
      if (p2) k.k[1] = entry_key(p2, ts[1], c2);
      if (group_of(r, &k, b->n_group, b->n_aggs, slot) != DPS_OK)
        return dps__fail(&w->err, DPS_ENOMEM, "out of memory");
    }
    w->gid[i] = *slot;
  }
  return DPS_OK;
}

/* Groups of the selected rows by their decoded key values. */
static dps_status group_by_values(worker *w, size_t g, aggres *r,
                                  colpage *const *cps, const dps_type *ts,
                                  size_t n, const uint8_t *keep) {
  const dps_bound *b = &w->scan->b;
  for (size_t j = 0; j < b->n_group; j++) {
    size_t c = b->group[j];
    colstate *cs = &w->cols[c];
    dps_status s = load(w, g, c, (size_t)(cps[j] - cs->pages), false);
    if (s != DPS_OK) return s;
  }
  gkey k, prev;
  memset(&k, 0, sizeof k);
  memset(&prev, 0, sizeof prev);
  uint32_t prev_gid = UINT32_MAX;
  for (size_t i = 0; i < n; i++) {
    if (keep && !keep[i]) {
      w->gid[i] = UINT32_MAX;
      continue;
    }
    for (size_t j = 0; j < b->n_group; j++)
      k.k[j] = row_key(cps[j], ts[j], w->idx[i] - cps[j]->row0);
    /* Runs of one key are common: skip the hash then. */
    if (prev_gid != UINT32_MAX && key_eq(&k, &prev, b->n_group)) {
      w->gid[i] = prev_gid;
      continue;
    }
    if (group_of(r, &k, b->n_group, b->n_aggs, &w->gid[i]) != DPS_OK)
      return dps__fail(&w->err, DPS_ENOMEM, "out of memory");
    prev = k, prev_gid = w->gid[i];
  }
  return DPS_OK;
}

/* Aggregates rows idx[0..n) of one vector: every one of them, or, when
 * `keep` is given (dense: idx is every row of a range), those with
 * keep[i]; the others go to the trash slot after the last group. */
static dps_status aggregate_vector(worker *w, size_t g, aggres *r, size_t n,
                                   const uint8_t *keep) {
  dps_scan *sc = w->scan;
  w->vstamp++;
  const dps_bound *b = &sc->b;
  size_t na = b->n_aggs;
  /* Groups. */
  if (b->n_group == 0) {
    if (r->n_groups == 0) {
      gkey k;
      memset(&k, 0, sizeof k);
      uint32_t gi;
      if (group_of(r, &k, 0, na, &gi) != DPS_OK)
        return dps__fail(&w->err, DPS_ENOMEM, "out of memory");
    }
    if (keep)
      for (size_t i = 0; i < n; i++) w->gid[i] = keep[i] ? 0 : UINT32_MAX;
    else
      memset(w->gid, 0, n * sizeof *w->gid);
  } else {
    colpage *cps[2];
    dps_type ts[2];
    bool dict = true;
    for (size_t j = 0; j < b->n_group; j++) {
      size_t c = b->group[j];
      colstate *cs = &w->cols[c];
      size_t pk = page_at(cs, w->idx[0]);
      dps_status s = load(w, g, c, pk, true);
      if (s != DPS_OK) return s;
      cps[j] = &cs->pages[pk];
      ts[j] = sc->f->schema->cols[c].type;
      dict &= cps[j]->is_dict;
    }
    dps_status s = dict ? group_by_codes(w, r, cps, ts, n, keep) : DPS_EINVAL;
    if (s == DPS_EINVAL) s = group_by_values(w, g, r, cps, ts, n, keep);
    if (s != DPS_OK) return s;
  }
  /* Unselected rows of a dense vector: the trash slot. */
  uint32_t trash = (uint32_t)r->n_groups;
  if (keep) {
    memset(&r->accs[(size_t)trash * na], 0, na * sizeof(acc));
    for (size_t i = 0; i < n; i++)
      if (w->gid[i] == UINT32_MAX) w->gid[i] = trash;
  }
  size_t n_slots = r->n_groups + (keep != NULL);
  /* With few groups, rows ordered by group (a counting sort) let sums run
   * in registers. */
  bool sorted = (b->n_group > 0 || keep) && n_slots <= 256;
  uint16_t perm[VEC];
  uint32_t cnt[256], start[256], used[256];
  size_t n_used = 0;
  if (sorted) {
    /* Four interleaved histograms and fill cursors, so that consecutive
     * rows of one group do not wait on each other's counter. */
    uint32_t c4[4][256], f4[4][256];
    memset(c4, 0, sizeof c4);
    const uint32_t *gid = w->gid;
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
      c4[0][gid[i]]++;
      c4[1][gid[i + 1]]++;
      c4[2][gid[i + 2]]++;
      c4[3][gid[i + 3]]++;
    }
    for (; i < n; i++) c4[i & 3][gid[i]]++;
    uint32_t at = 0;
    for (size_t gi = 0; gi < n_slots; gi++) {
      start[gi] = at;
      for (int k = 0; k < 4; k++) {
        f4[k][gi] = at;
        at += c4[k][gi];
      }
      cnt[gi] = at - start[gi];
      if (cnt[gi] && gi != trash) used[n_used++] = (uint32_t)gi;
    }
    for (i = 0; i + 4 <= n; i += 4) {
      perm[f4[0][gid[i]]++] = (uint16_t)i;
      perm[f4[1][gid[i + 1]]++] = (uint16_t)(i + 1);
      perm[f4[2][gid[i + 2]]++] = (uint16_t)(i + 2);
      perm[f4[3][gid[i + 3]]++] = (uint16_t)(i + 3);
    }
    for (; i < n; i++) perm[f4[i & 3][gid[i]]++] = (uint16_t)i;
  }
  /* Aggregates. */
  for (size_t a = 0; a < na; a++) {
    const dps_bound_agg *ag = &b->aggs[a];
    if (sc->same_as[a] >= 0) continue;  /* filled in by finish_result */
    if (ag->fn == DPS_AGG_COUNT_STAR) {
      if (sorted)
        for (size_t q = 0; q < n_used; q++) r->accs[used[q] * na + a].count += cnt[used[q]];
      else
        for (size_t i = 0; i < n; i++) r->accs[w->gid[i] * na + a].count++;
      continue;
    }
    const dps_xnode *x = &b->xnodes[ag->expr];
    bool bare = x->kind == DPS_X_COL;
    if (bare && (ag->fn == DPS_AGG_COUNT || ag->fn == DPS_AGG_MIN ||
                 ag->fn == DPS_AGG_MAX)) {
      /* Any type: by keys. */
      colstate *cs = &w->cols[x->col];
      size_t pk = page_at(cs, w->idx[0]);
      dps_status s = load(w, g, x->col, pk, false);
      if (s != DPS_OK) return s;
      colpage *cp = &cs->pages[pk];
      bool is_max = ag->fn == DPS_AGG_MAX;
      for (size_t i = 0; i < n; i++) {
        dps_keyval kv = row_key(cp, x->type, w->idx[i] - cp->row0);
        if (kv.is_null) continue;
        acc *ac = &r->accs[w->gid[i] * na + a];
        ac->count++;
        if (ag->fn == DPS_AGG_COUNT) continue;
        if (kv.p != NULL) {
          int c = ac->has ? dps__bytes_cmp(kv.p, kv.n, ac->bytes, ac->len) : 0;
          if (!ac->has || (is_max ? c > 0 : c < 0)) {
            uint8_t *copy = dps__arena_alloc(&r->arena, kv.n + 1);
            if (copy == NULL) return dps__fail(&w->err, DPS_ENOMEM, "out of memory");
            memcpy(copy, kv.p, kv.n);
            ac->bytes = copy, ac->len = kv.n;
          }
        } else if (!ac->has || (is_max ? kv.key > ac->key : kv.key < ac->key)) {
          ac->key = kv.key;
        }
        ac->has = true;
      }
      continue;
    }
    if (bare && x->type == DPS_TYPE_UINT64) {
      /* Unsigned 64-bit values may exceed int64: straight into 128 bits. */
      colstate *cs = &w->cols[x->col];
      size_t pk = page_at(cs, w->idx[0]);
      dps_status s = load(w, g, x->col, pk, false);
      if (s != DPS_OK) return s;
      colpage *cp = &cs->pages[pk];
      const dps_column_data *d = page_values(cp);
      const uint8_t *bits = d->validity.len ? d->validity.data : NULL;
      for (size_t i = 0; i < n; i++) {
        size_t row = w->idx[i] - cp->row0;
        if (bits && !dps__bit(bits, row)) continue;
        uint64_t u;
        memcpy(&u, d->values.data + 8 * row, 8);
        acc *ac = &r->accs[w->gid[i] * na + a];
        ac->count++;
        ac->isum += (i128)u;
      }
      continue;
    }
    dps_status s = eval_expr(w, g, ag->expr, n);
    if (s != DPS_OK) return s;
    const int64_t *vi = w->xp[ag->expr];
    const double *vf = w->xf + (size_t)ag->expr * VEC;
    const uint8_t *vn = w->xn + (size_t)ag->expr * VEC;
    if (b->n_group == 0 && keep == NULL) {
      acc *ac = &r->accs[a];
      dps__kernel_accumulate(ag->fn, x->is_float, vi, vf, vn, n, &ac->count,
                             &ac->isum, &ac->fsum);
      if (ag->fn == DPS_AGG_MIN || ag->fn == DPS_AGG_MAX)
        for (size_t i = 0; i < n; i++) {
          if (vn[i]) continue;
          if (x->is_float) minmax_f(ac, ag->fn == DPS_AGG_MAX, vf[i]);
          else minmax_i(ac, ag->fn == DPS_AGG_MAX, vi[i]);
        }
      continue;
    }
    acc *base = r->accs + a;
    const uint32_t *gid = w->gid;
    bool sum = ag->fn == DPS_AGG_SUM || ag->fn == DPS_AGG_AVG;
    if (sum && !x->is_float && n_used <= SUM_PASSES && sorted &&
        dps__kernel_sum_fits(vi, n)) {
      /* Few groups: one vectorized masked sum per group. */
      for (size_t q = 0; q < n_used; q++) {
        int64_t c;
        int64_t s64 = dps__kernel_group_sum(vi, vn, w->gid, used[q], n, &c);
        acc *ac = base + (size_t)used[q] * na;
        ac->count += c;
        ac->isum += s64;
      }
    } else if (sum && !x->is_float && sorted) {
      /* Rows grouped by group: sums in registers, one group at a time,
       * in 64 bits when the vector's magnitudes allow. */
      uint64_t bnd = w->xbound[ag->expr];
      bool fits = bnd != UINT64_MAX ? (dps_u128)bnd * n <= (dps_u128)INT64_MAX
                                    : dps__kernel_sum_fits(vi, n);
      bool clean = w->xclean[ag->expr];
      for (size_t q = 0; q < n_used; q++) {
        uint32_t gi = used[q];
        i128 sum128 = 0;
        int64_t c = 0, s64 = 0;
        const uint16_t *pk = perm + start[gi], *pe = pk + cnt[gi];
        if (fits && clean) {
          for (; pk < pe; pk++) s64 += vi[*pk];
          c = (int64_t)cnt[gi];
          sum128 = s64;
        } else if (fits) {
          for (; pk < pe; pk++) {
            int64_t ok = !vn[*pk];
            c += ok;
            s64 += ok ? vi[*pk] : 0;
          }
          sum128 = s64;
        } else {
          for (; pk < pe; pk++) {
            int64_t ok = !vn[*pk];
            c += ok;
            sum128 += ok ? vi[*pk] : 0;
          }
        }
        acc *ac = base + (size_t)gi * na;
        ac->count += c;
        ac->isum += sum128;
      }
    } else if (sum && !x->is_float) {
      for (size_t i = 0; i < n; i++) {
        acc *ac = base + (size_t)gid[i] * na;
        int64_t ok = !vn[i];
        ac->count += ok;
        ac->isum += ok ? vi[i] : 0;
      }
    } else if (sum) {
      for (size_t i = 0; i < n; i++) {
        if (vn[i]) continue;
        acc *ac = base + (size_t)gid[i] * na;
        ac->count++;
        ac->fsum += vf[i];
      }
    } else {
      for (size_t i = 0; i < n; i++) {
        if (vn[i]) continue;
        acc *ac = base + (size_t)gid[i] * na;
        ac->count++;
        if (ag->fn == DPS_AGG_COUNT) continue;
        if (x->is_float) minmax_f(ac, ag->fn == DPS_AGG_MAX, vf[i]);
        else minmax_i(ac, ag->fn == DPS_AGG_MAX, vi[i]);
      }
    }
  }
  return DPS_OK;
}

/* Without a predicate or groups, counts and sums of integer columns come
 * from whole pages: null counts from the footer, sums from the encoded
 * page where its scheme allows (dps__cascade_page_sum), else from the
 * decoded values. */
static bool fusable(const dps_bound *b) {
  if (b->root >= 0 || b->n_group > 0) return false;
  for (size_t a = 0; a < b->n_aggs; a++) {
    const dps_bound_agg *ag = &b->aggs[a];
    if (ag->fn == DPS_AGG_COUNT_STAR) continue;
    if (ag->fn != DPS_AGG_COUNT && ag->fn != DPS_AGG_SUM && ag->fn != DPS_AGG_AVG)
      return false;
    const dps_xnode *x = &b->xnodes[ag->expr];
    if (x->kind != DPS_X_COL) return false;
    if (ag->fn != DPS_AGG_COUNT && (x->is_float || x->type == DPS_TYPE_BOOL))
      return false;
  }
  return true;
}

static dps_status fused_group(worker *w, size_t g, aggres *r) {
  dps_scan *sc = w->scan;
  const dps_bound *b = &sc->b;
  const dps_row_group_ref *rg = &sc->f->groups[g];
  size_t na = b->n_aggs;
  gkey k;
  memset(&k, 0, sizeof k);
  uint32_t gi;
  if (group_of(r, &k, 0, na, &gi) != DPS_OK)
    return dps__fail(&w->err, DPS_ENOMEM, "out of memory");
  for (size_t a = 0; a < na; a++) {
    const dps_bound_agg *ag = &b->aggs[a];
    acc *ac = &r->accs[a];
    if (ag->fn == DPS_AGG_COUNT_STAR) {
      ac->count += (int64_t)rg->row_count;
      continue;
    }
    const dps_xnode *x = &b->xnodes[ag->expr];
    const dps_chunk_ref *ch = &rg->chunks[x->col];
    colstate *cs = &w->cols[x->col];
    for (size_t p = 0; p < ch->n_pages; p++) {
      const dps_page_ref *pg = &ch->pages[p];
      ac->count += (int64_t)(pg->value_count - pg->null_count);
      if (ag->fn == DPS_AGG_COUNT || pg->value_count == pg->null_count) continue;
      colpage *cp = &cs->pages[p];
      dps_status s;
      /* A page another aggregate decoded is summed from its values; one
       * only summed (loaded, not full) is summed again from its bytes. */
      if (!cp->full && pg->encoding == DPS_PAGE_CASCADE && pg->null_count == 0) {
        char where[512];
        const uint8_t *raw = NULL;
        if ((s = fetch(w, g, x->col, p, &raw, where)) != DPS_OK) return s;
        dps_i128 sum = 0;
        bool done = false;
        s = dps__cascade_page_sum(x->type, raw, (size_t)pg->raw_size,
                                  (size_t)pg->value_count, 0, &w->io.scratch,
                                  &sum, &done, where, &w->err);
        if (s != DPS_OK) return s;
        if (done) {
          ac->isum += sum;
          cp->loaded = true;  /* read, not pruned */
          continue;
        }
        /* Not summable as encoded: decode the bytes already fetched. */
        if ((s = decode_full(w, cp, x->type, pg, raw, where)) != DPS_OK) return s;
      } else if ((s = load(w, g, x->col, p, false)) != DPS_OK) {
        return s;
      }
      const dps_column_data *d = page_values(cp);
      /* Null slots decode as zero: they add nothing. */
      ac->isum += dps__kernel_sum_column(x->type, d->values.data, cp->n);
    }
  }
  return DPS_OK;
}

/* count(*) alone, without groups: the rows the predicate selected. */
static dps_status count_group(worker *w, aggres *r, uint64_t matched) {
  gkey k;
  memset(&k, 0, sizeof k);
  uint32_t gi;
  if (group_of(r, &k, 0, w->scan->b.n_aggs, &gi) != DPS_OK)
    return dps__fail(&w->err, DPS_ENOMEM, "out of memory");
  for (size_t a = 0; a < w->scan->b.n_aggs; a++) r->accs[a].count += (int64_t)matched;
  return DPS_OK;
}

/* Aggregates the selected rows of row group g into r, a vector (or the
 * part of one inside a page of every column read) at a time. */
static dps_status aggregate_group(worker *w, size_t g, aggres *r) {
  dps_scan *sc = w->scan;
  const dps_bound *b = &sc->b;
  size_t rows = (size_t)sc->f->groups[g].row_count;
  size_t ncol = sc->f->schema->n;
  /* Selected rows gather in w->idx across vectors while every column read
   * stays in one page (up to seg_end) and VEC rows fit: a selective
   * predicate then costs one aggregation call per page, not per vector. */
  size_t n = 0, seg_end = 0;
  for (size_t at = 0; at < rows;) {
    size_t pend = rows;
    for (size_t c = 0; c < ncol; c++) {
      if (!b->needed[c]) continue;
      colstate *cs = &w->cols[c];
      const colpage *cp = &cs->pages[page_at(cs, at)];
      if (cp->row0 + cp->n < pend) pend = cp->row0 + cp->n;
    }
    size_t end = at + VEC < pend ? at + VEC : pend;
    /* This vector's selected rows, after the ones gathered. */
    size_t m = n;
    for (size_t wi = at / 64; wi * 64 < end; wi++) {
      size_t base = wi * 64;
      uint64_t bits = w->selbits[wi];
      if (base < at) bits &= ~(uint64_t)0 << (at - base);
      if (end - base < 64) bits &= ((uint64_t)1 << (end - base)) - 1;
      if (bits == ~(uint64_t)0) {
        for (unsigned k = 0; k < 64; k++) w->idx[m + k] = (uint32_t)(base + k);
        m += 64;
        continue;
      }
      /* Four rows without a branch (a selective predicate leaves few in
       * a word; past the last one the slot is written and not counted:
       * idx has room), then a loop for the rest. */
      for (unsigned k = 0; k < 4; k++) {
        w->idx[m] = (uint32_t)(base + (unsigned)__builtin_ctzll(bits | (uint64_t)1 << 63));
        m += bits != 0;
        bits &= bits - 1;
      }
      while (bits) {
        w->idx[m++] = (uint32_t)(base + (unsigned)__builtin_ctzll(bits));
        bits &= bits - 1;
      }
    }
    size_t picked = m - n;
    bool dense = picked > 0 && picked < end - at && 2 * picked >= end - at;
    if (n > 0 && (at >= seg_end || dense || m > VEC)) {
      dps_status s = aggregate_vector(w, g, r, n, NULL);
      if (s != DPS_OK) return s;
      memmove(w->idx, w->idx + n, picked * sizeof *w->idx);
      n = 0;
    }
    if (dense) {
      /* Mostly selected: every row, the others masked, so that values
       * are read in place and loops run without gathers. */
      for (size_t i = at; i < end; i++) w->idx[i - at] = (uint32_t)i;
      dps_status s = aggregate_vector(w, g, r, end - at, w->sel + at);
      if (s != DPS_OK) return s;
      at = end;
      continue;
    }
    if (n == 0) seg_end = pend;
    n += picked;
    at = end;
  }
  if (n > 0) return aggregate_vector(w, g, r, n, NULL);
  return DPS_OK;
}

/* ---- workers ----------------------------------------------------------------- */

static void worker_free(worker *w, size_t n_cols, size_t n_leaves) {
  if (w->cols)
    for (size_t c = 0; c < n_cols; c++) colstate_free(&w->cols[c]);
  if (w->entry_match)
    for (size_t k = 0; k < n_leaves; k++) free(w->entry_match[k]);
  free(w->cols);
  free(w->vstate);
  free(w->sel);
  free(w->selbits);
  free(w->T);
  free(w->F);
  free(w->entry_match);
  free(w->entry_cap);
  free(w->entry_page);
  free(w->entry_gen);
  free(w->entry_run);
  free(w->entry_lo);
  free(w->entry_hi);
  free(w->code_map);
  free(w->xi);
  free(w->xf);
  free(w->xn);
  free(w->xstamp);
  free(w->xp);
  free(w->xbound);
  free(w->xclean);
  dps__page_io_free(&w->io);
}

static dps_status worker_init(worker *w, dps_scan *sc) {
  memset(w, 0, sizeof *w);
  w->scan = sc;
  size_t max_rows = 0;
  for (size_t g = 0; g < sc->f->n_groups; g++)
    if (sc->f->groups[g].row_count > max_rows) max_rows = (size_t)sc->f->groups[g].row_count;
  size_t np = sc->b.n_pnodes ? sc->b.n_pnodes : 1, nl = sc->b.n_leaves ? sc->b.n_leaves : 1;
  size_t nx = sc->b.n_xnodes ? sc->b.n_xnodes : 1;
  w->cols = calloc(sc->f->schema->n, sizeof *w->cols);
  w->vstate = malloc(max_rows / VEC + 2);
  w->sel = malloc(max_rows + 1);
  w->selbits = calloc(max_rows / 64 + VEC / 64 + 1, sizeof *w->selbits);
  w->T = malloc(np * sizeof *w->T);
  w->F = malloc(np * sizeof *w->F);
  w->entry_match = calloc(nl, sizeof *w->entry_match);
  w->entry_cap = calloc(nl, sizeof *w->entry_cap);
  w->entry_page = calloc(nl, sizeof *w->entry_page);
  w->entry_run = calloc(nl, sizeof *w->entry_run);
  w->entry_lo = calloc(nl, sizeof *w->entry_lo);
  w->entry_hi = calloc(nl, sizeof *w->entry_hi);
  w->entry_gen = calloc(nl, sizeof *w->entry_gen);
  w->xi = malloc(nx * VEC * sizeof *w->xi);
  w->xf = malloc(nx * VEC * sizeof *w->xf);
  w->xn = malloc(nx * VEC);
  w->xstamp = calloc(nx, sizeof *w->xstamp);
  w->xp = calloc(nx, sizeof *w->xp);
  w->xbound = calloc(nx, sizeof *w->xbound);
  w->xclean = calloc(nx, sizeof *w->xclean);
  if (!w->cols || !w->vstate || !w->sel || !w->selbits || !w->T || !w->F || !w->entry_match ||
      !w->entry_cap || !w->entry_page || !w->entry_gen || !w->entry_run ||
      !w->entry_lo || !w->entry_hi || !w->xi || !w->xf || !w->xn ||
      !w->xstamp || !w->xp || !w->xbound || !w->xclean)
    return DPS_ENOMEM;
  return DPS_OK;
}

/* Prepares the page tables of the columns the scan reads in row group g. */
static dps_status begin_group(worker *w, size_t g) {
  dps_scan *sc = w->scan;
  w->gen++;
  for (size_t c = 0; c < sc->f->schema->n; c++) {
    if (!sc->b.needed[c]) continue;
    const dps_chunk_ref *ch = &sc->f->groups[g].chunks[c];
    colstate_reset(&w->cols[c], ch);
    if (w->cols[c].n_pages != ch->n_pages)
      return dps__fail(&w->err, DPS_ENOMEM, "out of memory");
    w->st.pages += ch->n_pages;
  }
  return DPS_OK;
}

/* Pages never loaded in row group g: pruned. */
static void end_group(worker *w) {
  dps_scan *sc = w->scan;
  for (size_t c = 0; c < sc->f->schema->n; c++) {
    if (!sc->b.needed[c]) continue;
    for (size_t k = 0; k < w->cols[c].n_pages; k++)
      w->st.pages_pruned += !w->cols[c].pages[k].loaded;
  }
}

static void record_failure(dps_scan *sc, worker *w, dps_status s) {
  pthread_mutex_lock(&sc->mu);
  if (sc->failed == DPS_OK) {
    sc->first_err = w->err;
    sc->first_err.code = s;
    /* Atomic: other threads poll it without the lock (agg_thread). */
    __atomic_store_n(&sc->failed, s, __ATOMIC_RELEASE);
  }
  pthread_mutex_unlock(&sc->mu);
}

/* Handles row group g: selection, then rows into `ro` or aggregates into
 * sc->partials[g]. */
static dps_status do_group(worker *w, size_t g, rows_out *ro) {
  dps_scan *sc = w->scan;
  dps_status s = begin_group(w, g);
  uint64_t matched = 0;
  size_t nvec = ((size_t)sc->f->groups[g].row_count + VEC - 1) / VEC;
  w->st.vectors += nvec;
  if (s == DPS_OK) s = select_rows(w, g, &matched);
  w->st.rows_matched += matched;
  if (s == DPS_OK && matched > 0) {
    if (sc->agg_mode && sc->counts_only)
      s = count_group(w, &sc->partials[g], matched);
    else if (sc->agg_mode)
      s = sc->fused ? fused_group(w, g, &sc->partials[g])
                    : aggregate_group(w, g, &sc->partials[g]);
    else s = gather_rows(w, g, ro);
    if (ro != NULL) ro->rows += (size_t)matched;
  }
  end_group(w);
  return s;
}

typedef struct job {
  dps_scan *scan;
  worker *w;
  size_t *next;              /* shared: next row group (atomic) */
  size_t end;                /* row groups [.., end) */
  rows_out *ro;              /* rows mode: output (one row group) */
  size_t group;              /* rows mode: the row group */
} job;

static void *agg_thread(void *arg) {
  job *j = arg;
  dps_scan *sc = j->scan;
  for (;;) {
    size_t g = __atomic_fetch_add(j->next, 1, __ATOMIC_RELAXED);
    if (g >= j->end || __atomic_load_n(&sc->failed, __ATOMIC_RELAXED) != DPS_OK)
      break;
    dps_status s = do_group(j->w, g, NULL);
    if (s != DPS_OK) {
      record_failure(sc, j->w, s);
      break;
    }
  }
  return NULL;
}

static void *rows_thread(void *arg) {
  job *j = arg;
  dps_status s = do_group(j->w, j->group, j->ro);
  if (s != DPS_OK) record_failure(j->scan, j->w, s);
  return NULL;
}

/* Runs fn over jobs on the reader's threads: the calling thread takes the
 * first (and any no thread has started), the pool the rest. */
static void run_jobs(dps_scan *sc, job *jobs, size_t n, void *(*fn)(void *)) {
  dps_pool *pool = n > 1 ? dps__reader_pool(sc->reader, (unsigned)(n - 1)) : NULL;
  if (pool != NULL) {
    dps__pool_run(pool, fn, jobs, sizeof *jobs, n);
    return;
  }
  for (size_t k = 0; k < n; k++) fn(&jobs[k]);
}

/* ---- results ------------------------------------------------------------------ */

static void merge_acc(const dps_bound_agg *ag, bool is_float, acc *into,
                      const acc *a, bool bytes, bool keyed) {
  into->count += a->count;
  into->isum += a->isum;
  into->fsum += a->fsum;
  if (!a->has) return;
  bool is_max = ag->fn == DPS_AGG_MAX;
  if (!into->has) {
    *into = (acc){into->count, into->isum, into->fsum, true, a->key, a->ival,
                  a->fval, a->bytes, a->len};
    return;
  }
  if (bytes) {
    int c = dps__bytes_cmp(a->bytes, a->len, into->bytes, into->len);
    if (is_max ? c > 0 : c < 0) into->bytes = a->bytes, into->len = a->len;
  } else if (keyed || is_float) {
    if (is_max ? a->key > into->key : a->key < into->key)
      into->key = a->key, into->fval = a->fval;
  } else if (is_max ? a->ival > into->ival : a->ival < into->ival) {
    into->ival = a->ival;
  }
}

static int keyval_cmp(const dps_keyval *a, const dps_keyval *b) {
  if (a->is_null || b->is_null) return a->is_null - b->is_null;  /* nulls last */
  if (a->p || b->p) return dps__bytes_cmp(a->p, a->n, b->p, b->n);
  return (a->key > b->key) - (a->key < b->key);
}

static _Thread_local const dps_scan *sort_scan;

static int group_cmp(const void *x, const void *y) {
  const dps_scan *sc = sort_scan;
  const gkey *a = &sc->result.keys[*(const size_t *)x];
  const gkey *b = &sc->result.keys[*(const size_t *)y];
  for (size_t j = 0; j < sc->b.n_group; j++) {
    int c = keyval_cmp(&a->k[j], &b->k[j]);
    if (c) return c;
  }
  return 0;
}

/* Merges the row groups' partial results in row-group order. */
static dps_status finish_result(dps_scan *sc) {
  const dps_bound *b = &sc->b;
  size_t na = b->n_aggs;
  aggres *r = &sc->result;
  for (size_t g = 0; g < sc->f->n_groups; g++) {
    aggres *p = &sc->partials[g];
    for (size_t k = 0; k < p->n_groups; k++) {
      uint32_t gi;
      if (group_of(r, &p->keys[k], b->n_group, na, &gi) != DPS_OK) return DPS_ENOMEM;
      for (size_t a = 0; a < na; a++) {
        const dps_bound_agg *ag = &b->aggs[a];
        bool is_float = false, bytes = false, keyed = false;
        if (ag->expr >= 0) {
          const dps_xnode *x = &b->xnodes[ag->expr];
          is_float = x->is_float;
          bool bare = x->kind == DPS_X_COL &&
                      (ag->fn == DPS_AGG_MIN || ag->fn == DPS_AGG_MAX);
          keyed = bare;
          bytes = bare && dps__type_is_var(x->type);
          is_float = is_float && !bare;
        }
        acc *src = &p->accs[k * na + a];
        if (bytes && src->has) {
          uint8_t *copy = dps__arena_alloc(&r->arena, src->len + 1);
          if (copy == NULL) return DPS_ENOMEM;
          memcpy(copy, src->bytes, src->len);
          src->bytes = copy;
        }
        merge_acc(ag, is_float, &r->accs[gi * na + a], src, bytes, keyed);
      }
    }
    aggres_free(p);
  }
  if (b->n_group == 0 && r->n_groups == 0) {
    gkey k;
    memset(&k, 0, sizeof k);
    uint32_t gi;
    if (group_of(r, &k, 0, na, &gi) != DPS_OK) return DPS_ENOMEM;
  }
  /* Sums and averages of one column were accumulated once. */
  for (size_t a = 0; a < na; a++)
    if (sc->same_as[a] >= 0)
      for (size_t k = 0; k < r->n_groups; k++)
        r->accs[k * na + a] = r->accs[k * na + (size_t)sc->same_as[a]];
  sc->order = malloc((r->n_groups ? r->n_groups : 1) * sizeof *sc->order);
  if (sc->order == NULL) return DPS_ENOMEM;
  for (size_t k = 0; k < r->n_groups; k++) sc->order[k] = k;
  sort_scan = sc;
  qsort(sc->order, r->n_groups, sizeof *sc->order, group_cmp);
  sort_scan = NULL;
  return DPS_OK;
}

/* ---- API ------------------------------------------------------------------------ */

/* An earlier aggregate whose accumulator aggregate a would repeat: sum
 * and avg add the same count and sum, so sum(c) and avg(c) of one column
 * c share one; -1 if none. */
static int same_agg(const dps_bound *b, size_t a) {
  const dps_bound_agg *x = &b->aggs[a];
  if ((x->fn != DPS_AGG_SUM && x->fn != DPS_AGG_AVG) || x->expr < 0) return -1;
  const dps_xnode *xa = &b->xnodes[x->expr];
  for (size_t k = 0; k < a; k++) {
    const dps_bound_agg *y = &b->aggs[k];
    if ((y->fn != DPS_AGG_SUM && y->fn != DPS_AGG_AVG) || y->expr < 0) continue;
    const dps_xnode *xb = &b->xnodes[y->expr];
    if (y->expr == x->expr ||
        (xa->kind == DPS_X_COL && xb->kind == DPS_X_COL && xa->col == xb->col &&
         xa->is_float == xb->is_float && xa->scale == xb->scale))
      return (int)k;
  }
  return -1;
}

static unsigned default_threads(void) {
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n < 1 ? 1u : n > 64 ? 64u : (unsigned)n;
}

dps_status dps_scan_open(dps_scan **out, dps_reader *reader,
                         const dps_scan_options *o, dps_error *err) {
  if (out == NULL || reader == NULL)
    return dps__fail(err, DPS_EINVAL, "dps_scan_open: out and reader are required");
  *out = NULL;
  dps_scan_options def = DPS_SCAN_OPTIONS_INIT;
  if (o == NULL) o = &def;
  if (o->version != DPS_SCAN_OPTIONS_VERSION)
    return dps__fail(err, DPS_EINVAL, "dps_scan_options.version: expected %d "
                     "(use DPS_SCAN_OPTIONS_INIT), found %u",
                     DPS_SCAN_OPTIONS_VERSION, o->version);
  if (o->threads > 64)
    return dps__fail(err, DPS_EINVAL, "threads: expected 0 to 64, found %u",
                     o->threads);
  /* A builder failure is reported with the first node it left NULL. */
  const dps_node *any = o->where;
  for (size_t k = 0; any == NULL && k < o->n_aggs && o->aggs; k++) any = o->aggs[k].arg;
  if (any != NULL && any->owner->error[0] != '\0')
    return dps__fail(err, DPS_EINVAL, "%s", any->owner->error);
  dps_scan *sc = calloc(1, sizeof *sc);
  if (sc == NULL) return dps__fail(err, DPS_ENOMEM, "out of memory");
  sc->reader = reader;
  sc->f = dps__reader_footer(reader);
  sc->schema = sc->f->schema;
  pthread_mutex_init(&sc->mu, NULL);
  dps_status s = dps__scan_bind(sc->schema, o, &sc->arena, &sc->b, err);
  if (s != DPS_OK) {
    dps_scan_free(sc);
    return s;
  }
  sc->agg_mode = o->n_aggs > 0;
  sc->fused = sc->agg_mode && fusable(&sc->b);
  sc->counts_only = sc->agg_mode && sc->b.n_group == 0;
  sc->same_as = malloc((sc->b.n_aggs ? sc->b.n_aggs : 1) * sizeof *sc->same_as);
  if (sc->same_as == NULL) {
    dps_scan_free(sc);
    return dps__fail(err, DPS_ENOMEM, "out of memory");
  }
  for (size_t a = 0; a < sc->b.n_aggs; a++) sc->same_as[a] = same_agg(&sc->b, a);
  sc->all_and = true;
  for (size_t i = 0; i < sc->b.n_pnodes; i++) {
    sc->need_false |= sc->b.pnodes[i].kind == DPS_P_NOT;
    sc->all_and &= sc->b.pnodes[i].kind == DPS_P_LEAF ||
                   sc->b.pnodes[i].kind == DPS_P_AND;
  }
  for (size_t a = 0; a < sc->b.n_aggs; a++)
    sc->counts_only &= sc->b.aggs[a].fn == DPS_AGG_COUNT_STAR;
  sc->limit = o->limit;
  sc->threads = o->threads ? o->threads : default_threads();
  if (sc->threads > sc->f->n_groups) sc->threads = sc->f->n_groups ? (unsigned)sc->f->n_groups : 1;
  sc->workers = calloc(sc->threads, sizeof *sc->workers);
  sc->outs = calloc(sc->threads, sizeof *sc->outs);
  if (sc->workers == NULL || sc->outs == NULL) s = DPS_ENOMEM;
  for (unsigned t = 0; s == DPS_OK && t < sc->threads; t++) {
    s = worker_init(&sc->workers[t], sc);
    rows_out *ro = &sc->outs[t];
    if (s == DPS_OK && !sc->agg_mode) {
      ro->cols = calloc(sc->b.n_proj ? sc->b.n_proj : 1, sizeof *ro->cols);
      ro->batch.views = calloc(sc->b.n_proj ? sc->b.n_proj : 1, sizeof *ro->batch.views);
      if (ro->cols == NULL || ro->batch.views == NULL) s = DPS_ENOMEM;
    }
  }
  if (s != DPS_OK) {
    dps_scan_free(sc);
    return dps__fail(err, s, "out of memory");
  }
  sc->stats.threads = sc->threads;
  sc->stats.row_groups = sc->f->n_groups;
  *out = sc;
  return DPS_OK;
}

static void sum_stats(dps_scan *sc) {
  dps_scan_stats t = sc->stats;
  uint64_t elapsed = t.elapsed_ns;
  memset(&t, 0, sizeof t);
  t.elapsed_ns = elapsed;
  t.threads = sc->threads;
  t.row_groups = sc->f->n_groups;
  for (unsigned k = 0; k < sc->threads; k++) {
    const dps_scan_stats *w = &sc->workers[k].st;
    t.row_groups_pruned += w->row_groups_pruned;
    t.pages += w->pages;
    t.pages_pruned += w->pages_pruned;
    t.pages_read += w->pages_read;
    t.bytes_read += w->bytes_read;
    t.vectors += w->vectors;
    t.vectors_pruned += w->vectors_pruned;
    t.vectors_evaluated += w->vectors_evaluated;
    t.rows_scanned += w->rows_scanned;
    t.rows_matched += w->rows_matched;
    t.dict_lookups += w->dict_lookups;
  }
  sc->stats = t;
}

static dps_status fail_from(dps_scan *sc, dps_error *err) {
  if (err != NULL) *err = sc->first_err;
  return sc->failed;
}

dps_status dps_scan_aggregate(dps_scan *sc, size_t *rows, size_t *columns,
                              dps_error *err) {
  if (sc == NULL) return dps__fail(err, DPS_EINVAL, "dps_scan_aggregate: scan is NULL");
  if (!sc->agg_mode)
    return dps__fail(err, DPS_EMISUSE, "dps_scan_aggregate: the scan has no "
                     "aggregates; read its rows with dps_scan_next");
  if (sc->have_result)
    return dps__fail(err, DPS_EMISUSE, "dps_scan_aggregate: already run; read "
                     "the result with dps_scan_value");
  if (sc->failed != DPS_OK) return fail_from(sc, err);
  uint64_t t0 = now_ns();
  size_t ng = sc->f->n_groups;
  sc->partials = calloc(ng ? ng : 1, sizeof *sc->partials);
  if (sc->partials == NULL) return dps__fail(err, DPS_ENOMEM, "out of memory");
  size_t next = 0;
  job jobs[64];
  for (unsigned k = 0; k < sc->threads; k++)
    jobs[k] = (job){sc, &sc->workers[k], &next, ng, NULL, 0};
  run_jobs(sc, jobs, sc->threads, agg_thread);
  dps_status s = sc->failed;
  if (s == DPS_OK && finish_result(sc) != DPS_OK) {
    s = sc->failed = DPS_ENOMEM;
    dps__fail(&sc->first_err, DPS_ENOMEM, "out of memory");
  }
  sc->stats.elapsed_ns += now_ns() - t0;
  sum_stats(sc);
  if (s != DPS_OK) return fail_from(sc, err);
  sc->have_result = true;
  if (rows) *rows = sc->result.n_groups;
  if (columns) *columns = sc->b.n_group + sc->b.n_aggs;
  return DPS_OK;
}

static void fill_key_value(const dps_scan *sc, size_t col, const dps_keyval *k,
                           dps_value *v) {
  const struct dps_column_def *cd = &sc->f->schema->cols[col];
  v->type = cd->type;
  v->scale = cd->type == DPS_TYPE_DECIMAL ? cd->scale : 0;
  if (k->is_null) {
    v->is_null = 1;
    return;
  }
  if (dps__type_is_var(cd->type)) {
    v->bytes = k->p;
    v->len = k->n;
    return;
  }
  uint8_t raw[8] = {0};
  dps__key_store(cd->type, k->key, raw);
  switch (dps__domain_of(cd->type)) {
    case DPS_D_UNSIGNED: {
      uint64_t u = 0;
      memcpy(&u, raw, dps_type_width(cd->type));
      v->u = u;
      v->i = (int64_t)u;
      break;
    }
    case DPS_D_FLOAT:
      if (cd->type == DPS_TYPE_FLOAT32) {
        float f;
        memcpy(&f, raw, 4);
        v->f = f;
      } else {
        memcpy(&v->f, raw, 8);
      }
      break;
    default:
      v->i = dps__key_signed(k->key);
      v->i_hi = v->i < 0 ? -1 : 0;
  }
}

dps_status dps_scan_value(const dps_scan *sc, size_t row, size_t column,
                          dps_value *out) {
  if (sc == NULL || out == NULL) return DPS_EINVAL;
  if (!sc->have_result) return DPS_EMISUSE;
  const dps_bound *b = &sc->b;
  if (row >= sc->result.n_groups || column >= b->n_group + b->n_aggs)
    return DPS_EINVAL;
  memset(out, 0, sizeof *out);
  size_t gi = sc->order[row];
  if (column < b->n_group) {
    fill_key_value(sc, b->group[column], &sc->result.keys[gi].k[column], out);
    return DPS_OK;
  }
  size_t a = column - b->n_group;
  const dps_bound_agg *ag = &b->aggs[a];
  const acc *ac = &sc->result.accs[gi * b->n_aggs + a];
  out->type = ag->out_type;
  out->scale = ag->out_scale;
  switch (ag->fn) {
    case DPS_AGG_COUNT_STAR: case DPS_AGG_COUNT:
      out->i = ac->count;
      return DPS_OK;
    case DPS_AGG_SUM:
      if (ac->count == 0) {
        out->is_null = 1;
        return DPS_OK;
      }
      if (ag->out_type == DPS_TYPE_FLOAT64) {
        out->f = ac->fsum;
      } else {
        out->i = (int64_t)(uint64_t)ac->isum;
        out->i_hi = (int64_t)(ac->isum >> 64);
      }
      return DPS_OK;
    case DPS_AGG_AVG: {
      if (ac->count == 0) {
        out->is_null = 1;
        return DPS_OK;
      }
      const dps_xnode *x = &b->xnodes[ag->expr];
      if (x->is_float) {
        out->f = ac->fsum / (double)ac->count;
      } else {
        out->f = (double)ac->isum / (double)ac->count / dps__pow10d(x->scale);
      }
      return DPS_OK;
    }
    default: {
      if (!ac->has) {
        out->is_null = 1;
        return DPS_OK;
      }
      const dps_xnode *x = &b->xnodes[ag->expr];
      if (x->kind == DPS_X_COL) {
        dps_keyval k = {false, ac->key, ac->bytes, ac->len};
        if (!dps__type_is_var(x->type)) k.p = NULL;
        fill_key_value(sc, x->col, &k, out);
        out->type = ag->out_type;
        return DPS_OK;
      }
      if (x->is_float) out->f = ac->fval;
      else out->i = ac->ival, out->i_hi = ac->ival < 0 ? -1 : 0;
      return DPS_OK;
    }
  }
}

/* Rows mode: the next round of row groups, one per thread. */
static dps_status next_round(dps_scan *sc) {
  size_t ng = sc->f->n_groups;
  job jobs[64];
  size_t n = 0;
  while (n < sc->threads && sc->next_group < ng) {
    rows_out *ro = &sc->outs[n];
    for (size_t j = 0; j < sc->b.n_proj; j++) dps__column_data_reset(&ro->cols[j]);
    ro->rows = 0;
    jobs[n] = (job){sc, &sc->workers[n], NULL, 0, ro, sc->next_group++};
    n++;
  }
  sc->out_next = 0;
  sc->out_count = n;
  if (n > 0) run_jobs(sc, jobs, n, rows_thread);
  return sc->failed;
}

dps_status dps_scan_next(dps_scan *sc, const dps_batch **batch,
                         dps_error *err) {
  if (sc == NULL || batch == NULL)
    return dps__fail(err, DPS_EINVAL, "dps_scan_next: NULL argument");
  *batch = NULL;
  if (sc->agg_mode)
    return dps__fail(err, DPS_EMISUSE, "dps_scan_next: the scan has "
                     "aggregates; run it with dps_scan_aggregate");
  if (sc->failed != DPS_OK) return fail_from(sc, err);
  uint64_t t0 = now_ns();
  dps_status s = DPS_OK;
  while (!sc->done) {
    if (sc->out_next == sc->out_count) {
      if (sc->next_group >= sc->f->n_groups) {
        sc->done = true;
        break;
      }
      if ((s = next_round(sc)) != DPS_OK) break;
      continue;
    }
    rows_out *ro = &sc->outs[sc->out_next++];
    if (ro->rows == 0) continue;
    size_t rows = ro->rows;
    if (sc->limit && sc->rows_out + rows >= sc->limit) {
      rows = (size_t)(sc->limit - sc->rows_out);
      sc->done = true;
    }
    sc->rows_out += rows;
    ro->batch.rows = rows;
    ro->batch.n = sc->b.n_proj;
    ro->batch.data = ro->cols;
    for (size_t j = 0; j < sc->b.n_proj; j++) {
      dps_column_data *d = &ro->cols[j];
      if (d->offsets.len == 0 && dps__type_is_var(sc->f->schema->cols[sc->b.proj[j]].type))
        dps__buf_put_u64(&d->offsets, 0);
      dps__column_data_view(d, &ro->batch.views[j]);
      ro->batch.views[j].length = rows;
    }
    *batch = &ro->batch;
    break;
  }
  sc->stats.elapsed_ns += now_ns() - t0;
  sum_stats(sc);
  if (s != DPS_OK) return fail_from(sc, err);
  return DPS_OK;
}

dps_status dps_scan_stats_get(const dps_scan *sc, dps_scan_stats *out) {
  if (sc == NULL || out == NULL) return DPS_EINVAL;
  *out = sc->stats;
  return DPS_OK;
}

void dps_scan_free(dps_scan *sc) {
  if (sc == NULL) return;
  size_t nc = sc->f ? sc->f->schema->n : 0;
  for (unsigned t = 0; sc->workers && t < sc->threads; t++)
    worker_free(&sc->workers[t], nc, sc->b.n_leaves);
  for (unsigned t = 0; sc->outs && t < sc->threads; t++) {
    for (size_t j = 0; sc->outs[t].cols && j < sc->b.n_proj; j++)
      dps__column_data_free(&sc->outs[t].cols[j]);
    free(sc->outs[t].cols);
    free(sc->outs[t].batch.views);
  }
  if (sc->partials)
    for (size_t g = 0; g < sc->f->n_groups; g++) aggres_free(&sc->partials[g]);
  free(sc->partials);
  aggres_free(&sc->result);
  free(sc->order);
  free(sc->same_as);
  free(sc->workers);
  free(sc->outs);
  free(sc->b.leaves);
  free(sc->b.pnodes);
  free(sc->b.xnodes);
  dps__arena_free(&sc->arena);
  pthread_mutex_destroy(&sc->mu);
  free(sc);
}
