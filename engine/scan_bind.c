/* scan_bind.c - checks a scan's nodes against the schema and turns
 * predicates into leaves on order keys (spec/SCAN.md §1) and aggregates
 * into typed expressions (§3). */
#include "engine/scan.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef dps_i128 i128;

#define SIGN ((uint64_t)1 << 63)

/* ---- keys ------------------------------------------------------------------ */

dps_domain dps__domain_of(dps_type t) {
  switch (t) {
    case DPS_TYPE_BOOL: case DPS_TYPE_UINT8: case DPS_TYPE_UINT16:
    case DPS_TYPE_UINT32: case DPS_TYPE_UINT64:
      return DPS_D_UNSIGNED;
    case DPS_TYPE_FLOAT32: case DPS_TYPE_FLOAT64:
      return DPS_D_FLOAT;
    case DPS_TYPE_STRING: case DPS_TYPE_BINARY:
      return DPS_D_BYTES;
    default:
      return DPS_D_SIGNED;
  }
}

uint64_t dps__fkey(double d) {
  if (d != d) return UINT64_MAX;  /* every NaN: the greatest key */
  if (d == 0) d = 0;              /* -0.0 is 0.0 */
  uint64_t b;
  memcpy(&b, &d, 8);
  return (b & SIGN) ? ~b : b | SIGN;
}

static int64_t load_signed(dps_type t, const uint8_t *p) {
  switch (dps_type_width(t)) {
    case 1: { int8_t v; memcpy(&v, p, 1); return v; }
    case 2: { int16_t v; memcpy(&v, p, 2); return v; }
    case 4: { int32_t v; memcpy(&v, p, 4); return v; }
    default: { int64_t v; memcpy(&v, p, 8); return v; }
  }
}

static uint64_t load_unsigned(dps_type t, const uint8_t *p) {
  switch (dps_type_width(t)) {
    case 1: return p[0];
    case 2: { uint16_t v; memcpy(&v, p, 2); return v; }
    case 4: { uint32_t v; memcpy(&v, p, 4); return v; }
    default: { uint64_t v; memcpy(&v, p, 8); return v; }
  }
}

uint64_t dps__key_of(dps_type t, const uint8_t *p) {
  switch (dps__domain_of(t)) {
    case DPS_D_UNSIGNED: return load_unsigned(t, p);
    case DPS_D_FLOAT:
      if (t == DPS_TYPE_FLOAT32) {
        float f;
        memcpy(&f, p, 4);
        return dps__fkey((double)f);
      } else {
        double d;
        memcpy(&d, p, 8);
        return dps__fkey(d);
      }
    default: return (uint64_t)load_signed(t, p) ^ SIGN;
  }
}

void dps__key_store(dps_type t, uint64_t key, uint8_t *p) {
  size_t w = dps_type_width(t);
  switch (dps__domain_of(t)) {
    case DPS_D_UNSIGNED: {
      memcpy(p, &key, w);  /* little-endian: the low bytes */
      return;
    }
    case DPS_D_FLOAT: {
      uint64_t b = (key & SIGN) ? key ^ SIGN : ~key;
      double d;
      memcpy(&d, &b, 8);
      if (key == UINT64_MAX) d = NAN;
      if (t == DPS_TYPE_FLOAT32) {
        float f = (float)d;
        memcpy(p, &f, 4);
      } else {
        memcpy(p, &d, 8);
      }
      return;
    }
    default: {
      int64_t v = (int64_t)(key ^ SIGN);
      switch (w) {
        case 1: { int8_t x = (int8_t)v; memcpy(p, &x, 1); return; }
        case 2: { int16_t x = (int16_t)v; memcpy(p, &x, 2); return; }
        case 4: { int32_t x = (int32_t)v; memcpy(p, &x, 4); return; }
        default: memcpy(p, &v, 8); return;
      }
    }
  }
}

int dps__bytes_cmp(const uint8_t *a, size_t an, const uint8_t *b, size_t bn) {
  size_t n = an < bn ? an : bn;
  int c = n ? memcmp(a, b, n) : 0;
  return c ? (c < 0 ? -1 : 1) : (an < bn ? -1 : an > bn);
}

/* ---- errors ----------------------------------------------------------------- */

static size_t edit_distance(const char *a, const char *b) {
  size_t na = strlen(a), nb = strlen(b);
  if (na > 255 || nb > 255) return 1000;
  size_t row[256];
  for (size_t j = 0; j <= nb; j++) row[j] = j;
  for (size_t i = 1; i <= na; i++) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= nb; j++) {
      size_t up = row[j];
      int same = tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 1]);
      size_t best = diag + (same ? 0 : 1);
      if (row[j] + 1 < best) best = row[j] + 1;
      if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
      row[j] = best;
      diag = up;
    }
  }
  return row[nb];
}

static dps_status unknown_column(const dps_schema *s, const char *name,
                                 dps_error *err) {
  size_t n = dps_schema_column_count(s);
  size_t best[3] = {SIZE_MAX, SIZE_MAX, SIZE_MAX}, dist[3] = {SIZE_MAX, SIZE_MAX, SIZE_MAX};
  for (size_t i = 0; i < n; i++) {
    dps_column_view c;
    dps_schema_column(s, i, &c);
    size_t d = edit_distance(name, c.name);
    for (int k = 0; k < 3; k++) {
      if (d < dist[k]) {
        for (int m = 2; m > k; m--) dist[m] = dist[m - 1], best[m] = best[m - 1];
        dist[k] = d, best[k] = i;
        break;
      }
    }
  }
  char near[200] = "";
  size_t len = 0;
  for (int k = 0; k < 3 && best[k] != SIZE_MAX; k++) {
    dps_column_view c;
    dps_schema_column(s, best[k], &c);
    len += (size_t)snprintf(near + len, sizeof near - len, "%s%s", k ? ", " : "",
                            c.name);
    if (len >= sizeof near) break;
  }
  return dps__fail(err, DPS_ENOTFOUND, "unknown column \"%.100s\"; nearest: %s",
                   name, near[0] ? near : "(none)");
}

static const char *lit_name(dps_lit_kind k) {
  switch (k) {
    case DPS_L_INT: case DPS_L_UINT: return "integer";
    case DPS_L_FLOAT: return "float";
    case DPS_L_DECIMAL: return "decimal";
    case DPS_L_DATE: return "date";
    case DPS_L_TIMESTAMP: return "timestamp";
    case DPS_L_STRING: return "string";
    default: return "bool";
  }
}

static dps_status resolve(const dps_schema *s, const dps_node *n, size_t *col,
                          dps_column_view *cv, dps_error *err) {
  long i = dps_schema_find(s, n->name);
  if (i < 0) return unknown_column(s, n->name, err);
  *col = (size_t)i;
  dps_schema_column(s, *col, cv);
  return DPS_OK;
}

/* ---- literals on a column's keys -------------------------------------------- */


#define DAY_MICROS ((i128)86400000000LL)

/* A literal as an exact fraction num / den (den > 0) in the column's
 * units; false when the kinds do not go together ([SCAN-5]). *as_double:
 * the comparison runs on doubles ([SCAN-3]). */
static bool literal_units(const dps_column_view *cv, const dps_node *l,
                          i128 *num, i128 *den, bool *as_double, double *d) {
  *den = 1;
  *as_double = false;
  dps_type t = cv->type;
  bool numeric = t != DPS_TYPE_BOOL && t != DPS_TYPE_DATE &&
                 t != DPS_TYPE_TIMESTAMP && dps__domain_of(t) != DPS_D_BYTES;
  int s = t == DPS_TYPE_DECIMAL ? cv->scale : 0;
  switch (l->lit) {
    case DPS_L_INT: *num = (i128)l->i * (i128)dps__pow10i(s); *d = (double)l->i; return numeric;
    case DPS_L_UINT: *num = (i128)l->u * (i128)dps__pow10i(s); *d = (double)l->u; return numeric;
    case DPS_L_DECIMAL:
      *num = (i128)l->i * (i128)dps__pow10i(s);
      *den = (i128)dps__pow10i(l->scale);
      *d = (double)l->i / dps__pow10d(l->scale);
      return numeric;
    case DPS_L_FLOAT:
      *as_double = true;
      *d = l->f;
      return numeric;
    case DPS_L_DATE:
      if (t == DPS_TYPE_DATE) *num = l->i;
      else *num = (i128)l->i * DAY_MICROS;
      return t == DPS_TYPE_DATE || t == DPS_TYPE_TIMESTAMP;
    case DPS_L_TIMESTAMP:
      *num = l->i;
      if (t == DPS_TYPE_DATE) *den = DAY_MICROS;
      return t == DPS_TYPE_DATE || t == DPS_TYPE_TIMESTAMP;
    case DPS_L_BOOL:
      *num = l->i;
      return t == DPS_TYPE_BOOL;
    default:
      return false;
  }
}

static i128 floor_div(i128 a, i128 b) {
  i128 q = a / b;
  return (a % b != 0 && a < 0) ? q - 1 : q;
}

static i128 ceil_div(i128 a, i128 b) {
  i128 q = a / b;
  return (a % b != 0 && a > 0) ? q + 1 : q;
}

/* The range of values of a column type, as signed or unsigned 128-bit. */
static void type_range(dps_type t, i128 *lo, i128 *hi) {
  switch (t) {
    case DPS_TYPE_BOOL: *lo = 0, *hi = 1; return;
    case DPS_TYPE_INT8: *lo = INT8_MIN, *hi = INT8_MAX; return;
    case DPS_TYPE_INT16: *lo = INT16_MIN, *hi = INT16_MAX; return;
    case DPS_TYPE_INT32: case DPS_TYPE_DATE: *lo = INT32_MIN, *hi = INT32_MAX; return;
    case DPS_TYPE_UINT8: *lo = 0, *hi = UINT8_MAX; return;
    case DPS_TYPE_UINT16: *lo = 0, *hi = UINT16_MAX; return;
    case DPS_TYPE_UINT32: *lo = 0, *hi = UINT32_MAX; return;
    case DPS_TYPE_UINT64: *lo = 0, *hi = (i128)UINT64_MAX; return;
    default: *lo = INT64_MIN, *hi = INT64_MAX; return;
  }
}

static uint64_t key_of_i128(const dps_leaf *lf, i128 v) {
  return lf->dom == DPS_D_UNSIGNED ? (uint64_t)v : (uint64_t)(int64_t)v ^ SIGN;
}

/* Sets an exact integer range [lo, hi] (clamped to the type) on the leaf. */
static void set_range(dps_leaf *lf, i128 lo, i128 hi) {
  i128 tlo, thi;
  type_range(lf->type, &tlo, &thi);
  if (lo < tlo) lo = tlo;
  if (hi > thi) hi = thi;
  lf->kind = DPS_LF_RANGE;
  if (lo > hi) {
    lf->empty = true;
    lo = hi = tlo;
  }
  lf->klo = key_of_i128(lf, lo);
  lf->khi = key_of_i128(lf, hi);
  lf->slo = (int64_t)lo;
  lf->shi = (int64_t)hi;
}

/* Applies `op` against num/den on integer keys. */
static void exact_cmp(dps_leaf *lf, int op, i128 num, i128 den) {
  const i128 lo_inf = -((i128)1 << 100), hi_inf = (i128)1 << 100;
  switch (op) {
    case DPS_EQ:
    case DPS_NE:
      if (num % den != 0) set_range(lf, 1, 0);
      else set_range(lf, num / den, num / den);
      lf->negate = op == DPS_NE;
      if (lf->empty && lf->negate) {
        /* != a value no row can hold: every valid row */
        lf->empty = false, lf->negate = false;
        set_range(lf, lo_inf, hi_inf);
      }
      return;
    case DPS_LT: set_range(lf, lo_inf, ceil_div(num, den) - 1); return;
    case DPS_LE: set_range(lf, lo_inf, floor_div(num, den)); return;
    case DPS_GT: set_range(lf, floor_div(num, den) + 1, hi_inf); return;
    default: set_range(lf, ceil_div(num, den), hi_inf); return;
  }
}

/* Applies `op` against key k on the full 64-bit key space. */
static void key_cmp(dps_leaf *lf, int op, uint64_t k) {
  lf->kind = DPS_LF_RANGE;
  switch (op) {
    case DPS_EQ: case DPS_NE:
      lf->klo = lf->khi = k;
      lf->negate = op == DPS_NE;
      return;
    case DPS_LT:
      if (k == 0) lf->empty = true;
      lf->klo = 0, lf->khi = k ? k - 1 : 0;
      return;
    case DPS_LE: lf->klo = 0, lf->khi = k; return;
    case DPS_GT:
      if (k == UINT64_MAX) lf->empty = true;
      lf->klo = k == UINT64_MAX ? k : k + 1, lf->khi = UINT64_MAX;
      return;
    default: lf->klo = k, lf->khi = UINT64_MAX; return;
  }
}

static int flip(int op) {
  switch (op) {
    case DPS_LT: return DPS_GT;
    case DPS_LE: return DPS_GE;
    case DPS_GT: return DPS_LT;
    case DPS_GE: return DPS_LE;
    default: return op;
  }
}

static dps_status mismatch(const dps_column_view *cv, const dps_node *l,
                           dps_error *err) {
  return dps__fail(err, DPS_EINVAL, "column \"%.100s\" (%s) cannot be "
                   "compared with a %s literal", cv->name,
                   dps_type_name(cv->type), lit_name(l->lit));
}

/* One comparison `col op lit` into a leaf. */
static dps_status bind_cmp(dps_leaf *lf, const dps_column_view *cv, int op,
                           const dps_node *l, dps_error *err) {
  lf->dom = dps__domain_of(cv->type);
  if (lf->dom == DPS_D_BYTES) {
    if (l->lit != DPS_L_STRING) return mismatch(cv, l, err);
    dps_bytes_ref v = {l->bytes, l->len};
    lf->kind = DPS_LF_RANGE;
    switch (op) {
      case DPS_EQ: case DPS_NE:
        lf->has_lo = lf->has_hi = lf->lo_incl = lf->hi_incl = true;
        lf->lo = lf->hi = v;
        lf->negate = op == DPS_NE;
        break;
      case DPS_LT: case DPS_LE:
        lf->has_hi = true, lf->hi_incl = op == DPS_LE, lf->hi = v;
        break;
      default:
        lf->has_lo = true, lf->lo_incl = op == DPS_GE, lf->lo = v;
        break;
    }
    return DPS_OK;
  }
  if (l->lit == DPS_L_STRING) return mismatch(cv, l, err);
  i128 num = 0, den = 1;
  bool as_double;
  double d = 0;
  if (!literal_units(cv, l, &num, &den, &as_double, &d)) return mismatch(cv, l, err);
  if (lf->dom == DPS_D_FLOAT || as_double) {
    if (lf->dom != DPS_D_FLOAT) {
      lf->dom = DPS_D_DOUBLE;
      lf->scale = cv->type == DPS_TYPE_DECIMAL ? cv->scale : 0;
    }
    key_cmp(lf, op, dps__fkey(d));
    return DPS_OK;
  }
  exact_cmp(lf, op, num, den);
  return DPS_OK;
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return (x > y) - (x < y);
}

static int cmp_ref(const void *a, const void *b) {
  const dps_bytes_ref *x = a, *y = b;
  return dps__bytes_cmp(x->p, x->n, y->p, y->n);
}

static dps_status bind_in(dps_leaf *lf, const dps_column_view *cv,
                          const dps_node *n, dps_arena *arena, dps_error *err) {
  lf->dom = dps__domain_of(cv->type);
  lf->kind = DPS_LF_SET;
  if (lf->dom == DPS_D_BYTES) {
    lf->strs = dps__arena_alloc(arena, n->n_list * sizeof *lf->strs);
    if (lf->strs == NULL) return dps__fail(err, DPS_ENOMEM, "out of memory");
    for (size_t k = 0; k < n->n_list; k++) {
      const dps_node *l = n->list[k];
      if (l->kind != DPS_N_LIT || l->lit != DPS_L_STRING) {
        if (l->kind != DPS_N_LIT)
          return dps__fail(err, DPS_EINVAL, "in: the list must hold literals");
        return mismatch(cv, l, err);
      }
      lf->strs[lf->n_keys++] = (dps_bytes_ref){l->bytes, l->len};
    }
    qsort(lf->strs, lf->n_keys, sizeof *lf->strs, cmp_ref);
    return DPS_OK;
  }
  lf->keys = dps__arena_alloc(arena, n->n_list * sizeof *lf->keys);
  lf->dkeys = dps__arena_alloc(arena, n->n_list * sizeof *lf->dkeys);
  if (lf->keys == NULL || lf->dkeys == NULL)
    return dps__fail(err, DPS_ENOMEM, "out of memory");
  for (size_t k = 0; k < n->n_list; k++) {
    const dps_node *l = n->list[k];
    if (l->kind != DPS_N_LIT)
      return dps__fail(err, DPS_EINVAL, "in: the list must hold literals");
    i128 num = 0, den = 1;
    bool as_double = false;
    double d = 0;
    if (l->lit == DPS_L_STRING || !literal_units(cv, l, &num, &den, &as_double, &d))
      return mismatch(cv, l, err);
  }
  /* Each literal by its own rule: float literals as doubles, the others
   * exactly. */
  lf->scale = cv->type == DPS_TYPE_DECIMAL ? cv->scale : 0;
  for (size_t k = 0; k < n->n_list; k++) {
    i128 num = 0, den = 1;
    bool as_double = false;
    double d = 0;
    literal_units(cv, n->list[k], &num, &den, &as_double, &d);
    if (lf->dom == DPS_D_FLOAT) {
      lf->keys[lf->n_keys++] = dps__fkey(d);
    } else if (as_double) {
      lf->dkeys[lf->n_dkeys++] = dps__fkey(d);
    } else if (num % den == 0) {
      i128 v = num / den, tlo, thi;
      type_range(cv->type, &tlo, &thi);
      if (v >= tlo && v <= thi) lf->keys[lf->n_keys++] = key_of_i128(lf, v);
    }
  }
  qsort(lf->keys, lf->n_keys, sizeof *lf->keys, cmp_u64);
  qsort(lf->dkeys, lf->n_dkeys, sizeof *lf->dkeys, cmp_u64);
  if (lf->n_keys == 0 && lf->n_dkeys == 0) lf->empty = true;
  return DPS_OK;
}

/* ---- predicate trees -------------------------------------------------------- */

typedef struct binder {
  const dps_schema *s;
  dps_arena *arena;
  dps_bound *b;
  size_t cap_leaves, cap_pnodes, cap_xnodes;
  dps_error *err;
} binder;

static int push_pnode(binder *bd, dps_pnode p) {
  dps_bound *b = bd->b;
  if (b->n_pnodes == bd->cap_pnodes) {
    size_t cap = bd->cap_pnodes ? 2 * bd->cap_pnodes : 16;
    dps_pnode *n = realloc(b->pnodes, cap * sizeof *n);
    if (n == NULL) return -1;
    b->pnodes = n, bd->cap_pnodes = cap;
  }
  b->pnodes[b->n_pnodes] = p;
  return (int)b->n_pnodes++;
}

static dps_leaf *push_leaf(binder *bd, int *index) {
  dps_bound *b = bd->b;
  if (b->n_leaves == bd->cap_leaves) {
    size_t cap = bd->cap_leaves ? 2 * bd->cap_leaves : 16;
    dps_leaf *n = realloc(b->leaves, cap * sizeof *n);
    if (n == NULL) return NULL;
    b->leaves = n, bd->cap_leaves = cap;
  }
  *index = (int)b->n_leaves;
  dps_leaf *lf = &b->leaves[b->n_leaves++];
  memset(lf, 0, sizeof *lf);
  return lf;
}

/* The column operand of a predicate, which must be a column reference. */
static dps_status pred_column(binder *bd, const dps_node *n, const char *what,
                              size_t *col, dps_column_view *cv) {
  if (n->kind != DPS_N_COLUMN)
    return dps__fail(bd->err, DPS_EINVAL, "%s: expected a column operand", what);
  dps_status s = resolve(bd->s, n, col, cv, bd->err);
  if (s == DPS_OK) bd->b->needed[*col] = true;
  return s;
}

static dps_status bind_pred(binder *bd, const dps_node *n, int *out);

/* x AND y as one leaf when both are ranges of fixed-width keys on one
 * column (a between, or lo <= c and c < hi): their intersection. Same
 * three-valued result, one pass over the values instead of three. */
static bool merge_ranges(dps_leaf *x, const dps_leaf *y) {
  if (x->kind != DPS_LF_RANGE || y->kind != DPS_LF_RANGE || x->col != y->col ||
      x->negate || y->negate || x->dom != y->dom || x->dom == DPS_D_BYTES ||
      x->scale != y->scale)
    return false;
  x->empty |= y->empty;
  if (y->klo > x->klo) x->klo = y->klo, x->slo = y->slo;
  if (y->khi < x->khi) x->khi = y->khi, x->shi = y->shi;
  if (x->klo > x->khi) x->empty = true;
  return true;
}

/* Pops the last leaf and its pnode when `b` (the last pnode, a leaf)
 * merges into leaf pnode `a`: *out is then `a`. */
static bool try_merge(binder *bd, int a, int b, int *out) {
  dps_bound *bb = bd->b;
  const dps_pnode *pa = &bb->pnodes[a], *pb = &bb->pnodes[b];
  if (pa->kind != DPS_P_LEAF || pb->kind != DPS_P_LEAF ||
      (size_t)b + 1 != bb->n_pnodes || (size_t)pb->leaf + 1 != bb->n_leaves)
    return false;
  if (!merge_ranges(&bb->leaves[pa->leaf], &bb->leaves[pb->leaf])) return false;
  bb->n_leaves--;
  bb->n_pnodes--;
  *out = a;
  return true;
}

static dps_status leaf_node(binder *bd, int leaf, int *out) {
  *out = push_pnode(bd, (dps_pnode){DPS_P_LEAF, -1, -1, leaf});
  return *out < 0 ? dps__fail(bd->err, DPS_ENOMEM, "out of memory") : DPS_OK;
}

static dps_status bind_pred(binder *bd, const dps_node *n, int *out) {
  dps_status s;
  size_t col = 0;
  dps_column_view cv;
  int li;
  dps_leaf *lf;
  switch (n->kind) {
    case DPS_N_AND: case DPS_N_OR: {
      int a, b;
      if ((s = bind_pred(bd, n->a, &a)) != DPS_OK) return s;
      if ((s = bind_pred(bd, n->b, &b)) != DPS_OK) return s;
      if (n->kind == DPS_N_AND && try_merge(bd, a, b, out)) return DPS_OK;
      *out = push_pnode(bd, (dps_pnode){n->kind == DPS_N_AND ? DPS_P_AND : DPS_P_OR, a, b, -1});
      return *out < 0 ? dps__fail(bd->err, DPS_ENOMEM, "out of memory") : DPS_OK;
    }
    case DPS_N_NOT: {
      int a;
      if ((s = bind_pred(bd, n->a, &a)) != DPS_OK) return s;
      *out = push_pnode(bd, (dps_pnode){DPS_P_NOT, a, -1, -1});
      return *out < 0 ? dps__fail(bd->err, DPS_ENOMEM, "out of memory") : DPS_OK;
    }
    case DPS_N_CMP: {
      const dps_node *c = n->a, *l = n->b;
      int op = n->op;
      if (c->kind == DPS_N_LIT && l->kind == DPS_N_COLUMN) {
        c = n->b, l = n->a;
        op = flip(op);
      }
      if (c->kind != DPS_N_COLUMN || l->kind != DPS_N_LIT)
        return dps__fail(bd->err, DPS_EINVAL, "a comparison needs a column and "
                         "a literal, one on each side");
      if ((s = pred_column(bd, c, "comparison", &col, &cv)) != DPS_OK) return s;
      if ((lf = push_leaf(bd, &li)) == NULL) return dps__fail(bd->err, DPS_ENOMEM, "out of memory");
      lf->col = col, lf->type = cv.type;
      if ((s = bind_cmp(lf, &cv, op, l, bd->err)) != DPS_OK) return s;
      return leaf_node(bd, li, out);
    }
    case DPS_N_BETWEEN: {
      if (n->b->kind != DPS_N_LIT || n->c->kind != DPS_N_LIT)
        return dps__fail(bd->err, DPS_EINVAL, "between: the bounds must be literals");
      if ((s = pred_column(bd, n->a, "between", &col, &cv)) != DPS_OK) return s;
      /* lo <= col and col <= hi: two leaves under an AND. */
      int a, b, la, lb;
      if ((lf = push_leaf(bd, &la)) == NULL) return dps__fail(bd->err, DPS_ENOMEM, "out of memory");
      lf->col = col, lf->type = cv.type;
      if ((s = bind_cmp(lf, &cv, DPS_GE, n->b, bd->err)) != DPS_OK) return s;
      if ((lf = push_leaf(bd, &lb)) == NULL) return dps__fail(bd->err, DPS_ENOMEM, "out of memory");
      lf->col = col, lf->type = cv.type;
      if ((s = bind_cmp(lf, &cv, DPS_LE, n->c, bd->err)) != DPS_OK) return s;
      if ((s = leaf_node(bd, la, &a)) != DPS_OK) return s;
      if ((s = leaf_node(bd, lb, &b)) != DPS_OK) return s;
      if (try_merge(bd, a, b, out)) return DPS_OK;
      *out = push_pnode(bd, (dps_pnode){DPS_P_AND, a, b, -1});
      return *out < 0 ? dps__fail(bd->err, DPS_ENOMEM, "out of memory") : DPS_OK;
    }
    case DPS_N_IN:
      if ((s = pred_column(bd, n->a, "in", &col, &cv)) != DPS_OK) return s;
      if ((lf = push_leaf(bd, &li)) == NULL) return dps__fail(bd->err, DPS_ENOMEM, "out of memory");
      lf->col = col, lf->type = cv.type;
      if ((s = bind_in(lf, &cv, n, bd->arena, bd->err)) != DPS_OK) return s;
      return leaf_node(bd, li, out);
    case DPS_N_ISNULL: case DPS_N_NOTNULL:
      if ((s = pred_column(bd, n->a, "is null", &col, &cv)) != DPS_OK) return s;
      if ((lf = push_leaf(bd, &li)) == NULL) return dps__fail(bd->err, DPS_ENOMEM, "out of memory");
      lf->col = col, lf->type = cv.type, lf->dom = dps__domain_of(cv.type);
      lf->kind = n->kind == DPS_N_ISNULL ? DPS_LF_ISNULL : DPS_LF_NOTNULL;
      return leaf_node(bd, li, out);
    case DPS_N_STARTS:
      if ((s = pred_column(bd, n->a, "starts_with", &col, &cv)) != DPS_OK) return s;
      if (dps__domain_of(cv.type) != DPS_D_BYTES)
        return dps__fail(bd->err, DPS_EINVAL, "starts_with: column \"%.100s\" "
                         "is %s, not a string or binary column", cv.name,
                         dps_type_name(cv.type));
      if (n->b->kind != DPS_N_LIT || n->b->lit != DPS_L_STRING)
        return dps__fail(bd->err, DPS_EINVAL, "starts_with: the prefix must be "
                         "a string literal");
      if ((lf = push_leaf(bd, &li)) == NULL) return dps__fail(bd->err, DPS_ENOMEM, "out of memory");
      lf->col = col, lf->type = cv.type, lf->dom = DPS_D_BYTES;
      lf->kind = DPS_LF_PREFIX;
      lf->lo = (dps_bytes_ref){n->b->bytes, n->b->len};
      return leaf_node(bd, li, out);
    case DPS_N_ERROR:
      return dps__fail(bd->err, DPS_EINVAL, "%s", n->owner->error);
    case DPS_N_COLUMN:
      return dps__fail(bd->err, DPS_EINVAL, "column \"%.100s\" used as a "
                       "predicate: compare it with a value", n->name);
    default:
      return dps__fail(bd->err, DPS_EINVAL, "a value (literal or arithmetic) "
                       "used as a predicate");
  }
}

/* ---- aggregate expressions ---------------------------------------------------- */

/* An expression as text ("l_extendedprice * (1 - l_discount)"). */
static size_t expr_text(const dps_node *n, char *buf, size_t size) {
  size_t len = 0;
  char tmp[64];
#define PUT(...) \
  do { \
    int k = snprintf(buf + (len < size ? len : size), len < size ? size - len : 0, __VA_ARGS__); \
    if (k > 0) len += (size_t)k; \
  } while (0)
  switch (n->kind) {
    case DPS_N_COLUMN: PUT("%s", n->name); break;
    case DPS_N_LIT:
      switch (n->lit) {
        case DPS_L_INT: PUT("%lld", (long long)n->i); break;
        case DPS_L_UINT: PUT("%llu", (unsigned long long)n->u); break;
        case DPS_L_FLOAT: PUT("%g", n->f); break;
        case DPS_L_DECIMAL: {
          dps_value v;
          memset(&v, 0, sizeof v);
          v.type = DPS_TYPE_DECIMAL, v.scale = n->scale, v.i = n->i;
          v.i_hi = n->i < 0 ? -1 : 0;
          dps_value_format(&v, tmp, sizeof tmp);
          PUT("%s", tmp);
          break;
        }
        default: PUT("?"); break;
      }
      break;
    case DPS_N_ARITH: {
      const char *op = n->op == DPS_ADD ? "+" : n->op == DPS_SUB ? "-" : "*";
      bool pa = n->a->kind == DPS_N_ARITH, pb = n->b->kind == DPS_N_ARITH;
      if (pa) PUT("(");
      len += expr_text(n->a, buf + (len < size ? len : size), len < size ? size - len : 0);
      PUT("%s %s %s", pa ? ")" : "", op, pb ? "(" : "");
      len += expr_text(n->b, buf + (len < size ? len : size), len < size ? size - len : 0);
      if (pb) PUT(")");
      break;
    }
    default: PUT("?"); break;
  }
#undef PUT
  return len;
}

static int push_xnode(binder *bd, dps_xnode x) {
  dps_bound *b = bd->b;
  if (b->n_xnodes == bd->cap_xnodes) {
    size_t cap = bd->cap_xnodes ? 2 * bd->cap_xnodes : 16;
    dps_xnode *n = realloc(b->xnodes, cap * sizeof *n);
    if (n == NULL) return -1;
    b->xnodes = n, bd->cap_xnodes = cap;
  }
  b->xnodes[b->n_xnodes] = x;
  return (int)b->n_xnodes++;
}

static bool is_numeric(dps_type t) {
  return t != DPS_TYPE_BOOL && t != DPS_TYPE_DATE && t != DPS_TYPE_TIMESTAMP &&
         dps__domain_of(t) != DPS_D_BYTES;
}

/* Binds an aggregate argument. `bare_ok`: a lone column of any type (for
 * count, min, max). */
static dps_status bind_expr(binder *bd, const dps_node *n, bool bare_ok,
                            int *out) {
  /* A node used twice (a shared subexpression) is evaluated once. */
  for (size_t k = 0; !bare_ok && k < bd->b->n_xnodes; k++)
    if (bd->b->xnodes[k].src == n && n->kind != DPS_N_COLUMN) {
      *out = (int)k;
      return DPS_OK;
    }
  dps_xnode x;
  memset(&x, 0, sizeof x);
  x.src = n;
  dps_status s;
  switch (n->kind) {
    case DPS_N_COLUMN: {
      dps_column_view cv;
      if ((s = resolve(bd->s, n, &x.col, &cv, bd->err)) != DPS_OK) return s;
      if (!bare_ok && !is_numeric(cv.type))
        return dps__fail(bd->err, DPS_EINVAL, "column \"%.100s\" (%s) in "
                         "arithmetic or sum/avg: expected a number column",
                         cv.name, dps_type_name(cv.type));
      bd->b->needed[x.col] = true;
      x.kind = DPS_X_COL;
      x.type = cv.type;
      x.is_float = dps__domain_of(cv.type) == DPS_D_FLOAT;
      x.decimal = cv.type == DPS_TYPE_DECIMAL;
      x.scale = x.decimal ? cv.scale : 0;
      break;
    }
    case DPS_N_LIT:
      switch (n->lit) {
        case DPS_L_INT: x.kind = DPS_X_INT, x.i = n->i; break;
        case DPS_L_UINT:
          x.kind = DPS_X_INT, x.i = (int64_t)n->u, x.f = (double)n->u;
          x.big = n->u > INT64_MAX;
          break;
        case DPS_L_DECIMAL:
          x.kind = DPS_X_INT, x.i = n->i, x.scale = n->scale, x.decimal = true;
          break;
        case DPS_L_FLOAT: x.kind = DPS_X_FLOAT, x.f = n->f, x.is_float = true; break;
        default:
          return dps__fail(bd->err, DPS_EINVAL, "a %s literal in an aggregate: "
                           "expected a number", lit_name(n->lit));
      }
      if (bare_ok)
        return dps__fail(bd->err, DPS_EINVAL, "an aggregate of a literal alone: "
                         "use count(*) or a column");
      break;
    case DPS_N_ARITH: {
      int a, b;
      if ((s = bind_expr(bd, n->a, false, &a)) != DPS_OK) return s;
      if ((s = bind_expr(bd, n->b, false, &b)) != DPS_OK) return s;
      dps_xnode *xa = &bd->b->xnodes[a], *xb = &bd->b->xnodes[b];
      x.kind = DPS_X_ARITH, x.op = n->op, x.a = a, x.b = b;
      x.is_float = xa->is_float || xb->is_float;
      if (x.is_float) {
        xa->need_double |= !xa->is_float;
        xb->need_double |= !xb->is_float;
      } else if (xa->big || xb->big) {
        return dps__fail(bd->err, DPS_EINVAL, "arithmetic: the literal %llu "
                         "does not fit in 64-bit signed arithmetic; use a "
                         "float literal to compute in doubles",
                         (unsigned long long)(xa->big ? xa->src->u : xb->src->u));
      }
      x.decimal = xa->decimal || xb->decimal;
      x.scale = n->op == DPS_MUL ? xa->scale + xb->scale
                                 : (xa->scale > xb->scale ? xa->scale : xb->scale);
      char text[256] = "";
      expr_text(n, text, sizeof text);
      x.text = dps__arena_strdup(bd->arena, text);
      if (x.text == NULL) return dps__fail(bd->err, DPS_ENOMEM, "out of memory");
      if (!x.is_float && x.scale > DPS_DECIMAL_MAX_PRECISION)
        return dps__fail(bd->err, DPS_EINVAL, "arithmetic: the product has "
                         "scale %d, above 18 decimal places", x.scale);
      break;
    }
    case DPS_N_ERROR:
      return dps__fail(bd->err, DPS_EINVAL, "%s", n->owner->error);
    default:
      return dps__fail(bd->err, DPS_EINVAL, "a predicate used as an aggregate "
                       "argument");
  }
  *out = push_xnode(bd, x);
  return *out < 0 ? dps__fail(bd->err, DPS_ENOMEM, "out of memory") : DPS_OK;
}

static dps_status bind_agg(binder *bd, const dps_agg *a, dps_bound_agg *out) {
  out->fn = a->fn;
  out->expr = -1;
  if (a->fn == DPS_AGG_COUNT_STAR) {
    if (a->arg != NULL)
      return dps__fail(bd->err, DPS_EINVAL, "count(*) takes no argument");
    out->out_type = DPS_TYPE_INT64;
    return DPS_OK;
  }
  if (a->fn < DPS_AGG_COUNT_STAR || a->fn > DPS_AGG_AVG)
    return dps__fail(bd->err, DPS_EINVAL, "unknown aggregate function %d",
                     (int)a->fn);
  if (a->arg == NULL)
    return dps__fail(bd->err, DPS_EINVAL, "an aggregate argument is NULL");
  bool bare_ok = a->fn == DPS_AGG_COUNT || a->fn == DPS_AGG_MIN || a->fn == DPS_AGG_MAX;
  bool bare = a->arg->kind == DPS_N_COLUMN;
  dps_status s = bind_expr(bd, a->arg, bare_ok && bare, &out->expr);
  if (s != DPS_OK) return s;
  const dps_xnode *x = &bd->b->xnodes[out->expr];
  switch (a->fn) {
    case DPS_AGG_COUNT: out->out_type = DPS_TYPE_INT64; break;
    case DPS_AGG_AVG: out->out_type = DPS_TYPE_FLOAT64; break;
    case DPS_AGG_SUM:
      out->out_type = x->is_float ? DPS_TYPE_FLOAT64
                      : x->decimal ? DPS_TYPE_DECIMAL : DPS_TYPE_INT64;
      out->out_scale = x->scale;
      break;
    default:  /* min, max */
      if (x->kind == DPS_X_COL) {
        out->out_type = x->type;
        out->out_scale = x->scale;
      } else {
        out->out_type = x->is_float ? DPS_TYPE_FLOAT64
                        : x->decimal ? DPS_TYPE_DECIMAL : DPS_TYPE_INT64;
        out->out_scale = x->scale;
      }
  }
  return DPS_OK;
}

dps_status dps__scan_bind(const dps_schema *s, const dps_scan_options *o,
                          dps_arena *arena, dps_bound *b, dps_error *err) {
  memset(b, 0, sizeof *b);
  b->root = -1;
  size_t n_cols = dps_schema_column_count(s);
  b->needed = dps__arena_alloc(arena, n_cols * sizeof *b->needed);
  if (b->needed == NULL) return dps__fail(err, DPS_ENOMEM, "out of memory");
  binder bd = {s, arena, b, 0, 0, 0, err};
  dps_status st;
  if (o->where != NULL && (st = bind_pred(&bd, o->where, &b->root)) != DPS_OK)
    return st;
  if (o->n_aggs > 0 && o->aggs == NULL)
    return dps__fail(err, DPS_EINVAL, "n_aggs is %zu but aggs is NULL", o->n_aggs);
  if (o->n_group_by > 0 && o->n_aggs == 0)
    return dps__fail(err, DPS_EINVAL, "group_by needs aggregates");
  if (o->n_group_by > 2)
    return dps__fail(err, DPS_EINVAL, "group_by: at most 2 columns, found %zu",
                     o->n_group_by);
  if (o->n_group_by > 0 && o->group_by == NULL)
    return dps__fail(err, DPS_EINVAL, "n_group_by is %zu but group_by is NULL",
                     o->n_group_by);
  for (size_t k = 0; k < o->n_group_by; k++) {
    if (o->group_by[k] == NULL)
      return dps__fail(err, DPS_EINVAL, "group_by: a column name is NULL");
    long i = dps_schema_find(s, o->group_by[k]);
    if (i < 0) return unknown_column(s, o->group_by[k], err);
    b->group[b->n_group++] = (size_t)i;
    b->needed[i] = true;
  }
  if (o->n_aggs > 0) {
    b->aggs = dps__arena_alloc(arena, o->n_aggs * sizeof *b->aggs);
    if (b->aggs == NULL) return dps__fail(err, DPS_ENOMEM, "out of memory");
    for (size_t k = 0; k < o->n_aggs; k++)
      if ((st = bind_agg(&bd, &o->aggs[k], &b->aggs[k])) != DPS_OK) return st;
    b->n_aggs = o->n_aggs;
    return DPS_OK;
  }
  if (o->n_columns > 0 && o->columns == NULL)
    return dps__fail(err, DPS_EINVAL, "n_columns is %zu but columns is NULL",
                     o->n_columns);
  size_t n = o->n_columns ? o->n_columns : n_cols;
  b->proj = dps__arena_alloc(arena, (n ? n : 1) * sizeof *b->proj);
  if (b->proj == NULL) return dps__fail(err, DPS_ENOMEM, "out of memory");
  for (size_t k = 0; k < n; k++) {
    if (o->n_columns == 0) {
      b->proj[k] = k;
    } else {
      if (o->columns[k] == NULL)
        return dps__fail(err, DPS_EINVAL, "columns: a column name is NULL");
      long i = dps_schema_find(s, o->columns[k]);
      if (i < 0) return unknown_column(s, o->columns[k], err);
      b->proj[k] = (size_t)i;
    }
    b->needed[b->proj[k]] = true;
  }
  b->n_proj = n;
  return DPS_OK;
}
