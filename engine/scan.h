/* scan.h - internals of scans (engine/query.c, engine/scan*.c). */
#ifndef DPS_SCAN_H
#define DPS_SCAN_H

#include "engine/engine.h"
#include "format/kernels.h"

/* ---- expression nodes (engine/query.c) ------------------------------------ */

typedef enum dps_node_kind {
  DPS_N_ERROR,            /* what a failed builder returns */
  DPS_N_COLUMN, DPS_N_LIT, DPS_N_ARITH, DPS_N_CMP, DPS_N_BETWEEN, DPS_N_IN,
  DPS_N_ISNULL, DPS_N_NOTNULL, DPS_N_STARTS, DPS_N_AND, DPS_N_OR, DPS_N_NOT
} dps_node_kind;

typedef enum dps_lit_kind {
  DPS_L_INT, DPS_L_UINT, DPS_L_FLOAT, DPS_L_DECIMAL, DPS_L_DATE,
  DPS_L_TIMESTAMP, DPS_L_STRING, DPS_L_BOOL
} dps_lit_kind;

struct dps_node {
  dps_node_kind kind;
  int op;                 /* dps_cmp_op or dps_arith_op */
  const char *name;       /* COLUMN */
  dps_lit_kind lit;       /* LIT */
  int64_t i;              /* INT, DECIMAL (unscaled), DATE, TIMESTAMP, BOOL */
  uint64_t u;             /* UINT */
  double f;               /* FLOAT */
  int scale;              /* DECIMAL */
  const uint8_t *bytes;   /* STRING */
  size_t len;
  dps_node *a, *b, *c;    /* operands */
  dps_node **list;        /* IN literals */
  size_t n_list;
  dps_query *owner;
};

struct dps_query {
  dps_arena arena;        /* nodes and their strings */
  char error[256];        /* first builder failure, or "" */
  struct dps_node failed; /* returned by builders that fail */
};

/* Civil date (proleptic Gregorian) of days since 1970-01-01. */
void dps__civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d);

/* ---- bound predicates (engine/scan_bind.c) -------------------------------- */

/* Fixed-width values compare through order-preserving 64-bit keys: signed
 * integers biased by 2^63, unsigned as they are, floats in IEEE total
 * order with -0.0 folded into 0.0 and every NaN into one greatest key. */
typedef enum dps_domain {
  DPS_D_SIGNED,   /* int8..64, date, timestamp, decimal (unscaled) */
  DPS_D_UNSIGNED, /* uint8..64, bool */
  DPS_D_FLOAT,    /* float32/64, keys of the double value */
  DPS_D_DOUBLE,   /* integer or decimal column against a float literal:
                     keys of (double)v / 10^scale */
  DPS_D_BYTES     /* string, binary */
} dps_domain;

typedef enum dps_leaf_kind {
  DPS_LF_RANGE,   /* klo <= key <= khi (fixed) or byte bounds */
  DPS_LF_SET,     /* key in set */
  DPS_LF_PREFIX,  /* bytes start with prefix */
  DPS_LF_ISNULL,
  DPS_LF_NOTNULL
} dps_leaf_kind;

typedef struct dps_bytes_ref {
  const uint8_t *p;
  size_t n;
} dps_bytes_ref;

typedef struct dps_leaf {
  dps_leaf_kind kind;
  bool negate;            /* match is inverted for valid values (!=) */
  bool empty;             /* RANGE/SET: no value can match */
  size_t col;             /* schema index */
  dps_type type;          /* column type */
  int scale;              /* decimal scale (DOUBLE domain) */
  dps_domain dom;
  uint64_t klo, khi;      /* RANGE on keys */
  int64_t slo, shi;       /* RANGE as signed values (SIGNED domain) */
  uint64_t *keys;         /* SET: sorted keys */
  size_t n_keys;
  uint64_t *dkeys;        /* SET on an integer or decimal column: sorted
                             keys of float literals, compared with the
                             value as a double ([SCAN-3]) */
  size_t n_dkeys;
  dps_bytes_ref *strs;    /* SET of bytes: sorted */
  bool has_lo, lo_incl, has_hi, hi_incl;  /* RANGE of bytes */
  dps_bytes_ref lo, hi;   /* RANGE of bytes bounds; PREFIX in lo */
} dps_leaf;

typedef enum dps_pkind { DPS_P_LEAF, DPS_P_AND, DPS_P_OR, DPS_P_NOT } dps_pkind;

typedef struct dps_pnode {
  dps_pkind kind;
  int a, b;               /* children (indexes into the node array) */
  int leaf;               /* LEAF: index into the leaf array */
} dps_pnode;

/* Numeric expressions of aggregates: integers and decimals as int64 at a
 * scale, or doubles. */
typedef enum dps_xkind { DPS_X_COL, DPS_X_INT, DPS_X_FLOAT, DPS_X_ARITH } dps_xkind;

typedef struct dps_xnode {
  dps_xkind kind;
  int op;                 /* ARITH: dps_arith_op */
  int a, b;               /* ARITH operands */
  size_t col;             /* COL */
  dps_type type;          /* COL: column type */
  int64_t i;              /* INT literal at `scale` */
  double f;               /* FLOAT literal */
  bool is_float;          /* result is a double */
  int scale;              /* integer result: decimal scale (0 = integer) */
  bool decimal;           /* integer result counts as DECIMAL */
  const dps_node *src;    /* the node bound (shared nodes bind once) */
  const char *text;       /* ARITH: the expression as text, for messages */
  bool need_double;       /* COL, INT under float arithmetic: also give
                             doubles (value / 10^scale) */
  bool big;               /* INT: an unsigned literal above INT64_MAX,
                             usable only as a double (f) */
} dps_xnode;

typedef struct dps_bound_agg {
  dps_agg_fn fn;
  int expr;               /* root xnode, or -1 for count(*) */
  dps_type out_type;      /* result type */
  int out_scale;
} dps_bound_agg;

/* Key class of a value for grouping and min/max: fixed keys or bytes. */
typedef struct dps_keyval {
  bool is_null;
  uint64_t key;           /* fixed-width: order key */
  const uint8_t *p;       /* bytes */
  size_t n;
} dps_keyval;

typedef struct dps_bound {
  dps_leaf *leaves;
  size_t n_leaves;
  dps_pnode *pnodes;
  size_t n_pnodes;
  int root;               /* -1: every row */
  dps_xnode *xnodes;
  size_t n_xnodes;
  dps_bound_agg *aggs;
  size_t n_aggs;
  size_t group[2];
  size_t n_group;
  size_t *proj;           /* rows mode: projected columns */
  size_t n_proj;
  bool *needed;           /* per schema column: read by the scan */
} dps_bound;

/* Binds opts against the schema into b (allocations in `arena`). */
dps_status dps__scan_bind(const dps_schema *s, const dps_scan_options *o,
                          dps_arena *arena, dps_bound *b, dps_error *err);

/* The signed value a key of the signed domain stands for. */
static inline int64_t dps__key_signed(uint64_t key) {
  return (int64_t)(key ^ ((uint64_t)1 << 63));
}
/* Bit i of an LSB-first bitmap (validity: 1 = valid). */
static inline bool dps__bit(const uint8_t *bits, size_t i) {
  return (bits[i >> 3] >> (i & 7)) & 1;
}
/* 10^k, 0 <= k <= 18, as an integer and as an exact double ([SCAN-3]). */
int64_t dps__pow10i(int k);
double dps__pow10d(int k);
/* An integer or decimal value of type t at p as a double: the value, or
 * the unscaled value / 10^scale ([SCAN-3]). */
double dps__value_double(dps_type t, const uint8_t *p, int scale);

/* Order key of a fixed-width value of type t at p (not for DOUBLE). */
uint64_t dps__key_of(dps_type t, const uint8_t *p);
/* Order key of a double ([SCAN-3]). */
uint64_t dps__fkey(double d);
/* Value of a key, back into type t's bytes at p. */
void dps__key_store(dps_type t, uint64_t key, uint8_t *p);
/* The key domain of a column type. */
dps_domain dps__domain_of(dps_type t);
int dps__bytes_cmp(const uint8_t *a, size_t an, const uint8_t *b, size_t bn);

#endif
