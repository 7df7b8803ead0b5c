/*
 * scan.c - time of named queries (filters and aggregates) on a snapshot
 * through the public scan API, with the answers printed as text in the
 * layout of bench/duckdb_query so that a script can compare them.
 *
 *   scan FILE.dps --query NAME [--query NAME]... [--threads N] [--repeat R]
 *        [--memcpy]
 *   scan FILE.dps --query NAME --sql FROM
 *   scan --list
 *
 * Each query exists twice, written side by side in this file: as a scan
 * (dps_query nodes and dps_scan_options) and as the SQL that asks DuckDB
 * the same question, with ORDER BY on the grouping columns so that groups
 * come in the scan's order. `--list` prints `name<TAB>data set<TAB>what
 * it asks`; `--sql FROM` prints the SQL with FROM (a table name, or
 * read_parquet('...')) as its source and exits. The ranges on l_partkey
 * and l_orderkey follow the lineitem table's size (bench/lineitem_gen.c):
 * about 1% and 0.1% of the rows at any scale.
 *
 * The reader is opened once, untimed (its time is printed as open_ms).
 * Then, per query: one untimed warm-up run, then R timed runs (default 5).
 * A run builds the query (untimed), then times dps_scan_open and
 * dps_scan_aggregate with `threads` threads (default 1); reading the
 * result and dps_scan_free are not timed (as destroying DuckDB's result
 * is not, in duckdb_query).
 *
 * Output per query:
 *   query=NAME
 *   columns=C
 *   types=T1<TAB>T2...      result types (dps_type_name; decimal(S) with
 *                           its scale)
 *   row<TAB>V1<TAB>V2...    the result of the last run, one line per row,
 *                           every value through dps_value_format
 *   rows=N
 *   stats: k=v ...          dps_scan_stats of the last run
 *   best_ms=, median_ms=
 * and, with --memcpy, for a query that sums one whole column (sum_partkey):
 * the column's stored bytes per second of the best and median run, and
 * memcpy bandwidth measured right after, on one thread and on N threads
 * (best of R copies of a buffer at least twice the L3 cache, as in
 * bench/decode.c), and the ratios.
 */
#include <dpsnap.h>

#include "bench/bench.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_REPEAT 5
#define MAX_AGGS 12
#define MAX_QUERIES 32
#define SQL_CAP 2048
#define SF1_ROWS 6001215u
#define MAX_THREADS BENCH_MAX_THREADS

/* One query being built: its nodes, the scan options that refer to them,
 * and the SQL that asks DuckDB the same. */
typedef struct query_build {
  dps_query *q;                 /* owns the nodes */
  dps_scan_options opts;        /* aggs and group_by point into this */
  dps_agg aggs[MAX_AGGS];       /* aggregates, in result order */
  const char *group_by[2];      /* grouping columns */
  uint64_t rows;                /* rows of the snapshot, for scaled ranges */
  const char *from;             /* the SQL's source */
  char sql[SQL_CAP];            /* DuckDB's SQL */
} query_build;

typedef void (*build_fn)(query_build *b);

typedef struct query_def {
  const char *name;     /* --query NAME */
  const char *dataset;  /* lineitem, diamonds, flights_3m, mpls_stops */
  const char *column;   /* the one column a throughput query reads, or NULL */
  build_fn build;       /* fills a query_build */
  const char *what;     /* one line for --list */
} query_def;

/* ------------------------------------------------------------ helpers */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil). */
static int32_t days_of(int y, int m, int d) {
  y -= m <= 2;
  int era = (y >= 0 ? y : y - 399) / 400;
  int yoe = y - era * 400;
  int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

static dps_node *col(query_build *b, const char *name) { return dps_q_column(b->q, name); }
static dps_node *i64(query_build *b, int64_t v) { return dps_q_int(b->q, v); }
static dps_node *dec(query_build *b, int64_t unscaled, int scale) {
  return dps_q_decimal(b->q, unscaled, scale);
}
static dps_node *date(query_build *b, int y, int m, int d) {
  return dps_q_date(b->q, days_of(y, m, d));
}
/* Midnight UTC of a day, as a timestamp literal. */
static dps_node *ts(query_build *b, int y, int m, int d) {
  return dps_q_timestamp(b->q, (int64_t)days_of(y, m, d) * 86400 * 1000000);
}
static dps_node *str(query_build *b, const char *s) { return dps_q_string(b->q, s, strlen(s)); }
static dps_node *cmp(query_build *b, dps_cmp_op op, dps_node *x, dps_node *y) {
  return dps_q_cmp(b->q, op, x, y);
}
static dps_node *and2(query_build *b, dps_node *x, dps_node *y) { return dps_q_and(b->q, x, y); }
static dps_node *arith(query_build *b, dps_arith_op op, dps_node *x, dps_node *y) {
  return dps_q_arith(b->q, op, x, y);
}
static void agg(query_build *b, dps_agg_fn fn, dps_node *arg) {
  b->aggs[b->opts.n_aggs].fn = fn;
  b->aggs[b->opts.n_aggs].arg = arg;
  b->opts.n_aggs++;
}
static void group(query_build *b, const char *name) { b->group_by[b->opts.n_group_by++] = name; }
static void sql(query_build *b, const char *fmt) {
  /* fmt holds one %s, the source; formats are constants of this file. */
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
#endif
  snprintf(b->sql, sizeof b->sql, fmt, b->from);
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif
}

/* Part keys are uniform in 1..P with P = 200000 * SF (lineitem_gen.c). */
static int64_t lineitem_parts(uint64_t rows) {
  uint64_t p = (rows * 200000u + SF1_ROWS / 2) / SF1_ROWS;
  return p > 0 ? (int64_t)p : 1;
}

/* ------------------------------------------------------------ lineitem */

/* TPC-H Q1, as the specification writes it (delta = 90 days). */
static void q1(query_build *b) {
  b->opts.where = cmp(b, DPS_LE, col(b, "l_shipdate"), date(b, 1998, 9, 2));
  group(b, "l_returnflag");
  group(b, "l_linestatus");
  agg(b, DPS_AGG_SUM, col(b, "l_quantity"));
  agg(b, DPS_AGG_SUM, col(b, "l_extendedprice"));
  agg(b, DPS_AGG_SUM, arith(b, DPS_MUL, col(b, "l_extendedprice"),
                            arith(b, DPS_SUB, i64(b, 1), col(b, "l_discount"))));
  agg(b, DPS_AGG_SUM,
      arith(b, DPS_MUL,
            arith(b, DPS_MUL, col(b, "l_extendedprice"),
                  arith(b, DPS_SUB, i64(b, 1), col(b, "l_discount"))),
            arith(b, DPS_ADD, i64(b, 1), col(b, "l_tax"))));
  agg(b, DPS_AGG_AVG, col(b, "l_quantity"));
  agg(b, DPS_AGG_AVG, col(b, "l_extendedprice"));
  agg(b, DPS_AGG_AVG, col(b, "l_discount"));
  agg(b, DPS_AGG_COUNT_STAR, NULL);
  sql(b, "SELECT l_returnflag, l_linestatus, sum(l_quantity), sum(l_extendedprice), "
         "sum(l_extendedprice * (1 - l_discount)), "
         "sum(l_extendedprice * (1 - l_discount) * (1 + l_tax)), "
         "avg(l_quantity), avg(l_extendedprice), avg(l_discount), count(*) "
         "FROM %s WHERE l_shipdate <= DATE '1998-09-02' "
         "GROUP BY l_returnflag, l_linestatus ORDER BY l_returnflag, l_linestatus");
}

/* TPC-H Q6 with its validation parameters. */
static void q6(query_build *b) {
  dps_node *w = and2(b, cmp(b, DPS_GE, col(b, "l_shipdate"), date(b, 1994, 1, 1)),
                     cmp(b, DPS_LT, col(b, "l_shipdate"), date(b, 1995, 1, 1)));
  w = and2(b, w, dps_q_between(b->q, col(b, "l_discount"), dec(b, 5, 2), dec(b, 7, 2)));
  b->opts.where = and2(b, w, cmp(b, DPS_LT, col(b, "l_quantity"), i64(b, 24)));
  agg(b, DPS_AGG_SUM, arith(b, DPS_MUL, col(b, "l_extendedprice"), col(b, "l_discount")));
  sql(b, "SELECT sum(l_extendedprice * l_discount) FROM %s "
         "WHERE l_shipdate >= DATE '1994-01-01' AND l_shipdate < DATE '1995-01-01' "
         "AND l_discount BETWEEN 0.05 AND 0.07 AND l_quantity < 24");
}

static void count_air(query_build *b) {
  b->opts.where = cmp(b, DPS_EQ, col(b, "l_shipmode"), str(b, "AIR"));
  agg(b, DPS_AGG_COUNT_STAR, NULL);
  sql(b, "SELECT count(*) FROM %s WHERE l_shipmode = 'AIR'");
}

static void sum_qty(query_build *b) {
  agg(b, DPS_AGG_SUM, col(b, "l_quantity"));
  sql(b, "SELECT sum(l_quantity) FROM %s");
}

/* About 1% of the rows, by a range of part keys (unsorted, uniform). */
static void partkey_1pct(query_build *b) {
  int64_t parts = lineitem_parts(b->rows);
  int64_t lo = parts / 2 > 0 ? parts / 2 : 1, width = parts / 100 > 0 ? parts / 100 : 1;
  b->opts.where = dps_q_between(b->q, col(b, "l_partkey"), i64(b, lo), i64(b, lo + width - 1));
  agg(b, DPS_AGG_COUNT_STAR, NULL);
  agg(b, DPS_AGG_SUM, col(b, "l_extendedprice"));
  char fmt[256];
  snprintf(fmt, sizeof fmt, "SELECT count(*), sum(l_extendedprice) FROM %%s "
           "WHERE l_partkey BETWEEN %lld AND %lld", (long long)lo, (long long)(lo + width - 1));
  sql(b, fmt);
}

/* About 0.1% of the rows, by a range of order keys (sorted; the largest
 * key is about the row count: 4 lines per order, 8 of every 32 keys). */
static void orderkey_01pct(query_build *b) {
  int64_t lo = (int64_t)(b->rows / 2), width = (int64_t)(b->rows / 1000);
  if (lo < 1) lo = 1;
  if (width < 1) width = 1;
  b->opts.where = dps_q_between(b->q, col(b, "l_orderkey"), i64(b, lo), i64(b, lo + width - 1));
  agg(b, DPS_AGG_COUNT_STAR, NULL);
  agg(b, DPS_AGG_SUM, col(b, "l_extendedprice"));
  char fmt[256];
  snprintf(fmt, sizeof fmt, "SELECT count(*), sum(l_extendedprice) FROM %%s "
           "WHERE l_orderkey BETWEEN %lld AND %lld", (long long)lo, (long long)(lo + width - 1));
  sql(b, fmt);
}

/* One bit-packed (frame-of-reference) column, summed whole: the
 * throughput query. */
static void sum_partkey(query_build *b) {
  agg(b, DPS_AGG_SUM, col(b, "l_partkey"));
  sql(b, "SELECT sum(l_partkey) FROM %s");
}

/* ------------------------------------------------------------ diamonds */

static void diamonds_filter(query_build *b) {
  dps_node *colors[3] = {str(b, "D"), str(b, "E"), str(b, "F")};
  b->opts.where = and2(b, cmp(b, DPS_GE, col(b, "carat"), dps_q_float(b->q, 1.5)),
                       dps_q_in(b->q, col(b, "color"), colors, 3));
  agg(b, DPS_AGG_COUNT_STAR, NULL);
  agg(b, DPS_AGG_SUM, col(b, "price"));
  agg(b, DPS_AGG_AVG, col(b, "price"));
  agg(b, DPS_AGG_MIN, col(b, "depth"));
  agg(b, DPS_AGG_MAX, col(b, "depth"));
  sql(b, "SELECT count(*), sum(price), avg(price), min(depth), max(depth) FROM %s "
         "WHERE carat >= 1.5 AND color IN ('D', 'E', 'F')");
}

static void diamonds_group(query_build *b) {
  b->opts.where = cmp(b, DPS_GT, col(b, "carat"), dps_q_float(b->q, 1.0));
  group(b, "cut");
  agg(b, DPS_AGG_COUNT_STAR, NULL);
  agg(b, DPS_AGG_AVG, col(b, "price"));
  agg(b, DPS_AGG_MIN, col(b, "carat"));
  agg(b, DPS_AGG_MAX, col(b, "carat"));
  agg(b, DPS_AGG_AVG, arith(b, DPS_MUL, arith(b, DPS_MUL, col(b, "x"), col(b, "y")), col(b, "z")));
  sql(b, "SELECT cut, count(*), avg(price), min(carat), max(carat), avg(x * y * z) FROM %s "
         "WHERE carat > 1.0 GROUP BY cut ORDER BY cut");
}

/* ------------------------------------------------------------ flights_3m */

/* A month (the file is sorted by date) at one airport. */
static void flights_filter(query_build *b) {
  dps_node *w = and2(b, cmp(b, DPS_GE, col(b, "date"), ts(b, 2001, 3, 1)),
                     cmp(b, DPS_LT, col(b, "date"), ts(b, 2001, 4, 1)));
  b->opts.where = and2(b, w, cmp(b, DPS_EQ, col(b, "origin"), str(b, "ORD")));
  agg(b, DPS_AGG_COUNT_STAR, NULL);
  agg(b, DPS_AGG_SUM, col(b, "delay"));
  agg(b, DPS_AGG_AVG, col(b, "delay"));
  agg(b, DPS_AGG_MAX, col(b, "distance"));
  sql(b, "SELECT count(*), sum(delay), avg(delay), max(distance) FROM %s "
         "WHERE date >= TIMESTAMP '2001-03-01' AND date < TIMESTAMP '2001-04-01' "
         "AND origin = 'ORD'");
}

/* Long flights from six hubs, by origin. */
static void flights_group(query_build *b) {
  static const char *const hubs[] = {"ATL", "DEN", "DFW", "LAX", "ORD", "SFO"};
  dps_node *lits[6];
  for (size_t i = 0; i < 6; i++) lits[i] = str(b, hubs[i]);
  b->opts.where = and2(b, cmp(b, DPS_GT, col(b, "distance"), i64(b, 1000)),
                       dps_q_in(b->q, col(b, "origin"), lits, 6));
  group(b, "origin");
  agg(b, DPS_AGG_COUNT_STAR, NULL);
  agg(b, DPS_AGG_AVG, col(b, "delay"));
  agg(b, DPS_AGG_SUM, col(b, "distance"));
  agg(b, DPS_AGG_MIN, col(b, "delay"));
  sql(b, "SELECT origin, count(*), avg(delay), sum(distance), min(delay) FROM %s "
         "WHERE distance > 1000 AND origin IN ('ATL', 'DEN', 'DFW', 'LAX', 'ORD', 'SFO') "
         "GROUP BY origin ORDER BY origin");
}

/* ------------------------------------------------------------ mpls_stops */

/* Summer traffic stops of anyone not recorded as White: NOT over a column
 * with nulls (a null race is neither White nor not White). */
static void mpls_filter(query_build *b) {
  dps_node *w = and2(b, cmp(b, DPS_GE, col(b, "date"), ts(b, 2017, 6, 1)),
                     cmp(b, DPS_LT, col(b, "date"), ts(b, 2017, 9, 1)));
  w = and2(b, w, cmp(b, DPS_EQ, col(b, "problem"), str(b, "traffic")));
  b->opts.where = and2(b, w, dps_q_not(b->q, cmp(b, DPS_EQ, col(b, "race"), str(b, "White"))));
  agg(b, DPS_AGG_COUNT_STAR, NULL);
  agg(b, DPS_AGG_COUNT, col(b, "citationIssued"));
  agg(b, DPS_AGG_AVG, col(b, "lat"));
  agg(b, DPS_AGG_SUM, col(b, "policePrecinct"));
  sql(b, "SELECT count(*), count(citationIssued), avg(lat), sum(policePrecinct) FROM %s "
         "WHERE date >= TIMESTAMP '2017-06-01' AND date < TIMESTAMP '2017-09-01' "
         "AND problem = 'traffic' AND NOT (race = 'White')");
}

/* Every stop by race and problem: two grouping columns, null a group. */
static void mpls_group(query_build *b) {
  group(b, "race");
  group(b, "problem");
  agg(b, DPS_AGG_COUNT_STAR, NULL);
  agg(b, DPS_AGG_COUNT, col(b, "citationIssued"));
  agg(b, DPS_AGG_AVG, col(b, "lat"));
  sql(b, "SELECT race, problem, count(*), count(citationIssued), avg(lat) FROM %s "
         "GROUP BY race, problem ORDER BY race NULLS LAST, problem NULLS LAST");
}

static const query_def QUERIES[] = {
    {"q1", "lineitem", NULL, q1, "TPC-H Q1: 8 aggregates by l_returnflag, l_linestatus, l_shipdate <= 1998-09-02"},
    {"q6", "lineitem", NULL, q6, "TPC-H Q6: sum(l_extendedprice * l_discount), a year, discount and quantity ranges"},
    {"count_air", "lineitem", NULL, count_air, "count(*) where l_shipmode = 'AIR' (a dictionary string)"},
    {"sum_qty", "lineitem", NULL, sum_qty, "sum(l_quantity), every row"},
    {"partkey_1pct", "lineitem", NULL, partkey_1pct, "count(*), sum(l_extendedprice) where l_partkey in a ~1% range (unsorted)"},
    {"orderkey_01pct", "lineitem", NULL, orderkey_01pct, "count(*), sum(l_extendedprice) where l_orderkey in a ~0.1% range (sorted)"},
    {"sum_partkey", "lineitem", "l_partkey", sum_partkey, "sum(l_partkey), every row: one bit-packed column (throughput)"},
    {"diamonds_filter", "diamonds", NULL, diamonds_filter, "count, sum/avg(price), min/max(depth) where carat >= 1.5 and color in (D, E, F)"},
    {"diamonds_group", "diamonds", NULL, diamonds_group, "count, avg(price), min/max(carat), avg(x*y*z) where carat > 1 by cut"},
    {"flights_filter", "flights_3m", NULL, flights_filter, "count, sum/avg(delay), max(distance) in March 2001 from ORD"},
    {"flights_group", "flights_3m", NULL, flights_group, "count, avg/min(delay), sum(distance) where distance > 1000 from 6 hubs, by origin"},
    {"mpls_filter", "mpls_stops", NULL, mpls_filter, "count, count(citationIssued), avg(lat), sum(precinct): summer traffic stops, not (race = White)"},
    {"mpls_group", "mpls_stops", NULL, mpls_group, "count, count(citationIssued), avg(lat) by race, problem (nulls a group)"},
};
#define N_QUERIES (sizeof QUERIES / sizeof QUERIES[0])

static const query_def *find_query(const char *name) {
  for (size_t i = 0; i < N_QUERIES; i++)
    if (strcmp(QUERIES[i].name, name) == 0) return &QUERIES[i];
  return NULL;
}

/* Builds query `def` into *b (b->q is the caller's on success). */
static int build(query_build *b, const query_def *def, uint64_t rows, const char *from) {
  memset(b, 0, sizeof *b);
  dps_scan_options init = DPS_SCAN_OPTIONS_INIT;
  b->opts = init;
  b->rows = rows;
  b->from = from;
  dps_error err = {0};
  if (dps_query_new(&b->q, &err) != DPS_OK) {
    fprintf(stderr, "scan: %s\n", err.message);
    return -1;
  }
  def->build(b);
  b->opts.aggs = b->aggs;
  if (b->opts.n_group_by > 0) b->opts.group_by = b->group_by;
  return 0;
}

/* ------------------------------------------------------------ timing */

/* Sorts t and returns its median. */
static double median_of(double *t, int n) {
  qsort(t, (size_t)n, sizeof *t, cmp_double);
  return median_sorted(t, n);
}

/* ------------------------------------------------------------ output */

/* Formats v into *buf (grown as needed); returns the text or NULL. */
static const char *format_value(const dps_value *v, char **buf, size_t *cap) {
  size_t n = dps_value_format(v, *buf, *cap);
  if (n >= *cap) {
    char *p = realloc(*buf, n + 1);
    if (p == NULL) return NULL;
    *buf = p;
    *cap = n + 1;
    dps_value_format(v, *buf, *cap);
  }
  /* Tabs and line breaks would break the row layout. */
  for (char *c = *buf; *c; c++)
    if (*c == '\t' || *c == '\n' || *c == '\r') *c = ' ';
  return *buf;
}

static void print_type(const dps_value *v) {
  if (v->type == DPS_TYPE_DECIMAL) printf("decimal(%d)", v->scale);
  else fputs(dps_type_name(v->type), stdout);
}

static int print_result(const dps_scan *s, size_t nr, size_t nc) {
  size_t cap = 64;
  char *buf = malloc(cap);
  if (buf == NULL) return -1;
  printf("columns=%zu\ntypes=", nc);
  for (size_t c = 0; c < nc; c++) {
    /* The type of the first non-null value (a null's type may be unset). */
    dps_value v;
    memset(&v, 0, sizeof v);
    for (size_t r = 0; r < nr; r++) {
      if (dps_scan_value(s, r, c, &v) != DPS_OK) break;
      if (!v.is_null) break;
    }
    if (c) putchar('\t');
    if (nr > 0) print_type(&v);
    else fputs("-", stdout);
  }
  putchar('\n');
  int rc = 0;
  for (size_t r = 0; r < nr && rc == 0; r++) {
    fputs("row", stdout);
    for (size_t c = 0; c < nc; c++) {
      dps_value v;
      const char *text = NULL;
      if (dps_scan_value(s, r, c, &v) != DPS_OK || (text = format_value(&v, &buf, &cap)) == NULL) {
        fprintf(stderr, "scan: cannot read result value (%zu, %zu)\n", r, c);
        rc = -1;
        break;
      }
      printf("\t%s", text);
    }
    putchar('\n');
  }
  printf("rows=%zu\n", nr);
  free(buf);
  return rc;
}

static void print_stats(const dps_scan_stats *st) {
  printf("stats: elapsed_ms=%.3f threads=%u row_groups=%llu row_groups_pruned=%llu "
         "pages=%llu pages_pruned=%llu pages_read=%llu bytes_read=%llu vectors=%llu "
         "vectors_pruned=%llu vectors_evaluated=%llu rows_scanned=%llu rows_matched=%llu "
         "dict_lookups=%llu\n",
         (double)st->elapsed_ns / 1e6, st->threads, (unsigned long long)st->row_groups,
         (unsigned long long)st->row_groups_pruned, (unsigned long long)st->pages,
         (unsigned long long)st->pages_pruned, (unsigned long long)st->pages_read,
         (unsigned long long)st->bytes_read, (unsigned long long)st->vectors,
         (unsigned long long)st->vectors_pruned, (unsigned long long)st->vectors_evaluated,
         (unsigned long long)st->rows_scanned, (unsigned long long)st->rows_matched,
         (unsigned long long)st->dict_lookups);
}

/* ------------------------------------------------------------ runs */

/* One run of `def`: build (untimed), open and aggregate (timed). On the
 * last run prints the result and the statistics. Returns the elapsed ms,
 * or a negative value on error. */
static double run_once(dps_reader *r, const query_def *def, unsigned threads, int print) {
  query_build *b = malloc(sizeof *b);
  dps_scan *s = NULL;
  dps_error err = {0};
  double ms = -1;
  if (b == NULL || build(b, def, dps_reader_row_count(r), "t") != 0) goto done;
  b->opts.threads = threads;
  size_t nr = 0, nc = 0;
  double t0 = now_ms();
  if (dps_scan_open(&s, r, &b->opts, &err) != DPS_OK ||
      dps_scan_aggregate(s, &nr, &nc, &err) != DPS_OK) {
    fprintf(stderr, "scan: %s: %s (%s)\n", def->name, err.message, dps_strerror(err.code));
    goto done;
  }
  ms = now_ms() - t0;
  if (print) {
    dps_scan_stats st;
    memset(&st, 0, sizeof st);
    if (print_result(s, nr, nc) != 0) {
      ms = -1;
      goto done;
    }
    dps_scan_stats_get(s, &st);
    print_stats(&st);
  }
done:
  dps_scan_free(s);
  if (b != NULL) dps_query_free(b->q);
  free(b);
  return ms;
}

static int usage(void) {
  fprintf(stderr,
          "usage: scan FILE.dps --query NAME [--query NAME]... [--threads N] "
          "[--repeat R] [--memcpy]\n"
          "       scan FILE.dps --query NAME --sql FROM\n"
          "       scan --list\n"
          "  Times named queries through the scan API (one warm-up, R timed "
          "runs, default %d)\n  and prints their results; --sql prints the "
          "same query in DuckDB's SQL over FROM;\n  --memcpy adds the "
          "throughput of a one-column query against memcpy bandwidth.\n",
          DEFAULT_REPEAT);
  return 2;
}

/* Throughput of a query that reads one whole column: its stored bytes per
 * second against memcpy bandwidth of the same run. */
static int print_throughput(dps_reader *r, const query_def *def, unsigned threads, int repeat,
                            double best, double median) {
  const dps_schema *schema = dps_reader_schema(r);
  long c = dps_schema_find(schema, def->column);
  dps_column_stats cs;
  if (c < 0 || dps_reader_column_stats(r, (size_t)c, &cs) != DPS_OK) {
    fprintf(stderr, "scan: %s: no column %s\n", def->name, def->column);
    return -1;
  }
  size_t size = 2 * l3_bytes();
  if (cs.data_stored > size) size = (size_t)cs.data_stored;
  char *src = malloc(size), *dst = malloc(size);
  if (src == NULL || dst == NULL) {
    free(src);
    free(dst);
    fprintf(stderr, "scan: out of memory for %zu-byte memcpy buffers\n", size);
    return -1;
  }
  memset(src, 0x5a, size);
  memset(dst, 0, size);
  double m1 = memcpy_gbps(dst, src, size, 1, repeat);
  double mn = memcpy_gbps(dst, src, size, threads, repeat);
  free(src);
  free(dst);
  double gb_best = (double)cs.data_stored / (best * 1e6);
  double gb_median = (double)cs.data_stored / (median * 1e6);
  printf("column=%s\ncolumn_stored_bytes=%llu\nscan_gbps_best=%.3f\nscan_gbps_median=%.3f\n"
         "memcpy_bytes=%zu\nmemcpy_gbps_1thread=%.3f\nmemcpy_gbps_threads=%.3f\n"
         "of_memcpy_1thread=%.3f\nof_memcpy_threads=%.3f\n",
         def->column, (unsigned long long)cs.data_stored, gb_best, gb_median, size, m1, mn,
         gb_best / m1, gb_best / mn);
  return 0;
}

int main(int argc, char **argv) {
  const char *path = NULL, *from = NULL;
  const query_def *queries[MAX_QUERIES];
  size_t n_queries = 0;
  int repeat = DEFAULT_REPEAT, with_memcpy = 0;
  long threads = 1;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--list") == 0) {
      for (size_t q = 0; q < N_QUERIES; q++)
        printf("%s\t%s\t%s\n", QUERIES[q].name, QUERIES[q].dataset, QUERIES[q].what);
      return 0;
    } else if (strcmp(argv[i], "--query") == 0 && i + 1 < argc) {
      const query_def *d = find_query(argv[++i]);
      if (d == NULL) {
        fprintf(stderr, "scan: unknown query '%s' (scan --list names them)\n", argv[i]);
        return 2;
      }
      if (n_queries == MAX_QUERIES) return usage();
      queries[n_queries++] = d;
    } else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc) {
      threads = atol(argv[++i]);
      if (threads < 1 || threads > MAX_THREADS) return usage();
    } else if (strcmp(argv[i], "--repeat") == 0 && i + 1 < argc) {
      repeat = atoi(argv[++i]);
      if (repeat < 1 || repeat > 1000) return usage();
    } else if (strcmp(argv[i], "--sql") == 0 && i + 1 < argc) {
      from = argv[++i];
    } else if (strcmp(argv[i], "--memcpy") == 0) {
      with_memcpy = 1;
    } else if (argv[i][0] != '-' && path == NULL) {
      path = argv[i];
    } else {
      return usage();
    }
  }
  if (path == NULL || n_queries == 0) return usage();
  bench_keep_freed_memory();

  dps_error err = {0};
  dps_reader *r = NULL;
  double t_open = now_ms();
  if (dps_reader_open(&r, path, NULL, &err) != DPS_OK) {
    fprintf(stderr, "scan: %s\n", err.message);
    return 1;
  }
  t_open = now_ms() - t_open;

  int rc = 1;
  double *ms = malloc((size_t)repeat * sizeof *ms);
  if (ms == NULL) goto done;
  if (from != NULL) {
    query_build *b = malloc(sizeof *b);
    if (b == NULL || build(b, queries[0], dps_reader_row_count(r), from) != 0) {
      free(b);
      goto done;
    }
    printf("%s\n", b->sql);
    dps_query_free(b->q);
    free(b);
    rc = 0;
    goto done;
  }
  printf("file=%s\nfile_rows=%llu\nrow_groups=%zu\nthreads=%ld\nrepeat=%d\nopen_ms=%.3f\n", path,
         (unsigned long long)dps_reader_row_count(r), dps_reader_row_group_count(r), threads,
         repeat, t_open);
  for (size_t q = 0; q < n_queries; q++) {
    const query_def *d = queries[q];
    printf("query=%s\n", d->name);
    if (run_once(r, d, (unsigned)threads, 0) < 0) goto done; /* warm-up */
    for (int i = 0; i < repeat; i++)
      if ((ms[i] = run_once(r, d, (unsigned)threads, i == repeat - 1)) < 0) goto done;
    double median = median_of(ms, repeat);
    printf("best_ms=%.3f\nmedian_ms=%.3f\n", ms[0], median);
    if (with_memcpy && d->column != NULL &&
        print_throughput(r, d, (unsigned)threads, repeat, ms[0], median) != 0)
      goto done;
    fflush(stdout);
  }
  rc = 0;
done:
  free(ms);
  dps_reader_free(r);
  return rc;
}
