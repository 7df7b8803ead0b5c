/* query.c - expression nodes of a scan (spec/SCAN.md) and value formatting.
 * Builders only record what they are given; engine/scan.c binds names and
 * types when a scan opens. */
#include "engine/scan.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

dps_status dps_query_new(dps_query **out, dps_error *err) {
  if (out == NULL) return dps__fail(err, DPS_EINVAL, "dps_query_new: out is NULL");
  *out = calloc(1, sizeof **out);
  if (*out == NULL) return dps__fail(err, DPS_ENOMEM, "out of memory");
  (*out)->failed.kind = DPS_N_ERROR;
  (*out)->failed.owner = *out;
  return DPS_OK;
}

void dps_query_free(dps_query *q) {
  if (q == NULL) return;
  dps__arena_free(&q->arena);
  free(q);
}

/* Remembers the first failure and returns the query's error node, which
 * makes dps_scan_open fail with it wherever the node ends up (a NULL
 * would read as "no predicate"). */
static dps_node *fail(dps_query *q, const char *what) {
  if (q == NULL) return NULL;
  if (q->error[0] == '\0') snprintf(q->error, sizeof q->error, "%s", what);
  return &q->failed;
}

/* A fresh node, or NULL (failure recorded) when out of memory. */
static dps_node *new_node(dps_query *q, dps_node_kind kind) {
  if (q == NULL) return NULL;
  dps_node *n = dps__arena_alloc(&q->arena, sizeof *n);
  if (n == NULL) {
    fail(q, "out of memory building the query");
    return NULL;
  }
  n->kind = kind;
  n->owner = q;
  return n;
}

/* n, or the query's error node when n is NULL. */
static dps_node *or_failed(dps_query *q, dps_node *n) {
  return n != NULL ? n : q != NULL ? &q->failed : NULL;
}

/* A child must exist and belong to the same query. */
static bool usable(dps_query *q, const dps_node *n, const char *call) {
  char msg[160];
  if (n != NULL && n->kind == DPS_N_ERROR) return false;  /* reported */
  if (n == NULL) {
    snprintf(msg, sizeof msg, "%s: an operand is NULL (an earlier builder "
             "call failed, or none was given)", call);
    fail(q, msg);
    return false;
  }
  if (n->owner != q) {
    snprintf(msg, sizeof msg, "%s: an operand belongs to another query", call);
    fail(q, msg);
    return false;
  }
  return true;
}

dps_node *dps_q_column(dps_query *q, const char *name) {
  if (q == NULL) return NULL;
  if (name == NULL || name[0] == '\0') return fail(q, "dps_q_column: empty column name");
  dps_node *n = new_node(q, DPS_N_COLUMN);
  if (n == NULL) return &q->failed;
  n->name = dps__arena_strdup(&q->arena, name);
  return n->name ? n : fail(q, "out of memory building the query");
}

/* A literal node, or NULL when out of memory (callers return
 * or_failed). */
static dps_node *literal(dps_query *q, dps_lit_kind kind) {
  dps_node *n = new_node(q, DPS_N_LIT);
  if (n != NULL) n->lit = kind;
  return n;
}

dps_node *dps_q_int(dps_query *q, int64_t v) {
  dps_node *n = literal(q, DPS_L_INT);
  if (n) n->i = v;
  return or_failed(q, n);
}

dps_node *dps_q_uint(dps_query *q, uint64_t v) {
  dps_node *n = literal(q, DPS_L_UINT);
  if (n) n->u = v;
  return or_failed(q, n);
}

dps_node *dps_q_float(dps_query *q, double v) {
  dps_node *n = literal(q, DPS_L_FLOAT);
  if (n) n->f = v;
  return or_failed(q, n);
}

dps_node *dps_q_decimal(dps_query *q, int64_t unscaled, int scale) {
  if (q == NULL) return NULL;
  if (scale < 0 || scale > DPS_DECIMAL_MAX_PRECISION)
    return fail(q, "dps_q_decimal: scale must be 0..18");
  dps_node *n = literal(q, DPS_L_DECIMAL);
  if (n) n->i = unscaled, n->scale = scale;
  return or_failed(q, n);
}

dps_node *dps_q_date(dps_query *q, int32_t days) {
  dps_node *n = literal(q, DPS_L_DATE);
  if (n) n->i = days;
  return or_failed(q, n);
}

dps_node *dps_q_timestamp(dps_query *q, int64_t micros) {
  dps_node *n = literal(q, DPS_L_TIMESTAMP);
  if (n) n->i = micros;
  return or_failed(q, n);
}

dps_node *dps_q_string(dps_query *q, const char *bytes, size_t len) {
  if (q == NULL) return NULL;
  if (bytes == NULL && len > 0) return fail(q, "dps_q_string: bytes is NULL");
  dps_node *n = literal(q, DPS_L_STRING);
  if (n == NULL) return &q->failed;
  uint8_t *copy = dps__arena_alloc(&q->arena, len + 1);
  if (copy == NULL) return fail(q, "out of memory building the query");
  if (len) memcpy(copy, bytes, len);
  n->bytes = copy;
  n->len = len;
  return or_failed(q, n);
}

dps_node *dps_q_bool(dps_query *q, int v) {
  dps_node *n = literal(q, DPS_L_BOOL);
  if (n) n->i = v != 0;
  return or_failed(q, n);
}

dps_node *dps_q_arith(dps_query *q, dps_arith_op op, dps_node *a, dps_node *b) {
  if (q == NULL) return NULL;
  if (op != DPS_ADD && op != DPS_SUB && op != DPS_MUL)
    return fail(q, "dps_q_arith: unknown operator");
  if (!usable(q, a, "dps_q_arith") || !usable(q, b, "dps_q_arith")) return &q->failed;
  dps_node *n = new_node(q, DPS_N_ARITH);
  if (n) n->op = (int)op, n->a = a, n->b = b;
  return or_failed(q, n);
}

dps_node *dps_q_cmp(dps_query *q, dps_cmp_op op, dps_node *a, dps_node *b) {
  if (q == NULL) return NULL;
  if (op < DPS_EQ || op > DPS_GE) return fail(q, "dps_q_cmp: unknown operator");
  if (!usable(q, a, "dps_q_cmp") || !usable(q, b, "dps_q_cmp")) return &q->failed;
  dps_node *n = new_node(q, DPS_N_CMP);
  if (n) n->op = (int)op, n->a = a, n->b = b;
  return or_failed(q, n);
}

dps_node *dps_q_between(dps_query *q, dps_node *col, dps_node *lo,
                        dps_node *hi) {
  if (q == NULL) return NULL;
  if (!usable(q, col, "dps_q_between") || !usable(q, lo, "dps_q_between") ||
      !usable(q, hi, "dps_q_between"))
    return &q->failed;
  dps_node *n = new_node(q, DPS_N_BETWEEN);
  if (n) n->a = col, n->b = lo, n->c = hi;
  return or_failed(q, n);
}

dps_node *dps_q_in(dps_query *q, dps_node *col, dps_node *const *lits,
                   size_t count) {
  if (q == NULL) return NULL;
  if (!usable(q, col, "dps_q_in")) return &q->failed;
  if (count == 0 || lits == NULL) return fail(q, "dps_q_in: the list is empty");
  for (size_t i = 0; i < count; i++)
    if (!usable(q, lits[i], "dps_q_in")) return &q->failed;
  dps_node *n = new_node(q, DPS_N_IN);
  if (n == NULL) return &q->failed;
  n->list = dps__arena_alloc(&q->arena, count * sizeof *n->list);
  if (n->list == NULL) return fail(q, "out of memory building the query");
  memcpy(n->list, lits, count * sizeof *n->list);
  n->n_list = count;
  n->a = col;
  return or_failed(q, n);
}

static dps_node *unary(dps_query *q, dps_node_kind kind, dps_node *a,
                       const char *call) {
  if (q == NULL) return NULL;
  if (!usable(q, a, call)) return &q->failed;
  dps_node *n = new_node(q, kind);
  if (n) n->a = a;
  return or_failed(q, n);
}

dps_node *dps_q_is_null(dps_query *q, dps_node *col) {
  return unary(q, DPS_N_ISNULL, col, "dps_q_is_null");
}

dps_node *dps_q_is_not_null(dps_query *q, dps_node *col) {
  return unary(q, DPS_N_NOTNULL, col, "dps_q_is_not_null");
}

dps_node *dps_q_starts_with(dps_query *q, dps_node *col, dps_node *prefix) {
  if (q == NULL) return NULL;
  if (!usable(q, col, "dps_q_starts_with") ||
      !usable(q, prefix, "dps_q_starts_with"))
    return &q->failed;
  dps_node *n = new_node(q, DPS_N_STARTS);
  if (n) n->a = col, n->b = prefix;
  return or_failed(q, n);
}

static dps_node *binary(dps_query *q, dps_node_kind kind, dps_node *a,
                        dps_node *b, const char *call) {
  if (q == NULL) return NULL;
  if (!usable(q, a, call) || !usable(q, b, call)) return &q->failed;
  dps_node *n = new_node(q, kind);
  if (n) n->a = a, n->b = b;
  return or_failed(q, n);
}

dps_node *dps_q_and(dps_query *q, dps_node *a, dps_node *b) {
  return binary(q, DPS_N_AND, a, b, "dps_q_and");
}

dps_node *dps_q_or(dps_query *q, dps_node *a, dps_node *b) {
  return binary(q, DPS_N_OR, a, b, "dps_q_or");
}

dps_node *dps_q_not(dps_query *q, dps_node *a) {
  return unary(q, DPS_N_NOT, a, "dps_q_not");
}

/* ---- formatting ----------------------------------------------------------- */

/* Civil date of a day number (days since 1970-01-01), proleptic Gregorian. */
void dps__civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d) {
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  unsigned doe = (unsigned)(z - era * 146097);
  unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t yy = (int64_t)yoe + era * 400;
  unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = yy + (*m <= 2);
}

/* Decimal text of a 128-bit value at `scale`. */
static size_t format_i128(dps_i128 v, int scale, char *buf, size_t size) {
  char digits[48];
  size_t nd = 0;
  bool neg = v < 0;
  dps_u128 u = neg ? (dps_u128)0 - (dps_u128)v
                            : (dps_u128)v;
  do {
    digits[nd++] = (char)('0' + (int)(u % 10));
    u /= 10;
  } while (u != 0);
  while (scale > 0 && nd <= (size_t)scale) digits[nd++] = '0';
  char text[64];
  size_t n = 0;
  if (neg) text[n++] = '-';
  for (size_t k = nd; k-- > 0;) {
    text[n++] = digits[k];
    if (scale > 0 && k == (size_t)scale) text[n++] = '.';
  }
  text[n] = '\0';
  return (size_t)snprintf(buf, size, "%s", text);
}

size_t dps_value_format(const dps_value *v, char *buf, size_t size) {
  char dummy[1];
  if (buf == NULL || size == 0) buf = dummy, size = sizeof dummy;
  if (v == NULL || v->is_null) return (size_t)snprintf(buf, size, "NULL");
  switch (v->type) {
    case DPS_TYPE_BOOL:
      return (size_t)snprintf(buf, size, "%s", v->i ? "true" : "false");
    case DPS_TYPE_UINT8: case DPS_TYPE_UINT16: case DPS_TYPE_UINT32:
    case DPS_TYPE_UINT64:
      return (size_t)snprintf(buf, size, "%" PRIu64, v->u);
    case DPS_TYPE_INT8: case DPS_TYPE_INT16: case DPS_TYPE_INT32:
    case DPS_TYPE_INT64: case DPS_TYPE_DECIMAL: {
      dps_i128 x = (dps_i128)(((dps_u128)(uint64_t)v->i_hi << 64) |
                              (uint64_t)v->i);
      return format_i128(x, v->type == DPS_TYPE_DECIMAL ? v->scale : 0, buf,
                         size);
    }
    case DPS_TYPE_FLOAT32: case DPS_TYPE_FLOAT64: {
      if (isnan(v->f)) return (size_t)snprintf(buf, size, "nan");
      if (isinf(v->f)) return (size_t)snprintf(buf, size, v->f < 0 ? "-inf" : "inf");
      /* The shortest of %.15g .. %.17g that reads back as the same value. */
      char text[40];
      for (int p = 15; p <= 17; p++) {
        snprintf(text, sizeof text, "%.*g", p, v->f);
        if (strtod(text, NULL) == v->f) break;
      }
      return (size_t)snprintf(buf, size, "%s", text);
    }
    case DPS_TYPE_DATE: {
      int64_t y;
      unsigned m, d;
      dps__civil_from_days(v->i, &y, &m, &d);
      return (size_t)snprintf(buf, size, "%04" PRId64 "-%02u-%02u", y, m, d);
    }
    case DPS_TYPE_TIMESTAMP: {
      int64_t us = v->i, days = us / 86400000000LL, rem = us % 86400000000LL;
      if (rem < 0) rem += 86400000000LL, days--;
      int64_t y;
      unsigned m, d;
      dps__civil_from_days(days, &y, &m, &d);
      int64_t secs = rem / 1000000, frac = rem % 1000000;
      char text[64];
      int n = snprintf(text, sizeof text, "%04" PRId64 "-%02u-%02uT%02d:%02d:%02d",
                       y, m, d, (int)(secs / 3600), (int)(secs / 60 % 60),
                       (int)(secs % 60));
      if (frac) snprintf(text + n, sizeof text - (size_t)n, ".%06d", (int)frac);
      return (size_t)snprintf(buf, size, "%sZ", text);
    }
    case DPS_TYPE_STRING: case DPS_TYPE_BINARY:
      return (size_t)snprintf(buf, size, "%.*s", (int)v->len,
                              v->bytes ? (const char *)v->bytes : "");
    default:
      return (size_t)snprintf(buf, size, "?");
  }
}
