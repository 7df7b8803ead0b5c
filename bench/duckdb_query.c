/*
 * duckdb_query.c - DuckDB's time to answer SQL queries, measured in-process
 * through its C API, with the answers printed as text so that they can be
 * compared with bench/scan's.
 *
 *   duckdb_query LIBDUCKDB.so [--threads N] [--repeat R] [--setup SQL]...
 *                SQL [SQL...]
 *
 * LIBDUCKDB.so is DuckDB's shared library (the node package of the shared
 * peers ships it as node_modules/@duckdb/node-bindings-linux-x64/
 * libduckdb.so), loaded at run time as in bench/duckdb_read.c: nothing of
 * DuckDB is built into this program.
 *
 * In one in-memory database: `SET threads=N` (when --threads is given),
 * then every --setup statement once, in order and untimed (for instance
 * `CREATE TABLE t AS SELECT * FROM read_parquet('x.parquet')`), then for
 * each SQL one untimed warm-up and R timed runs (default 5). A timed run is
 * duckdb_query(), which executes the query and materialises its whole
 * result; destroying the result is not timed. Several SQL arguments share
 * the set-up, so a table is loaded once for all of them.
 *
 * Output, per SQL, in the order given:
 *   query=I                 1-based index of the SQL argument
 *   columns=C               result columns
 *   types=T1<TAB>T2...      DuckDB type of each column (BIGINT, DOUBLE,
 *                           DECIMAL, VARCHAR, ...)
 *   row<TAB>V1<TAB>V2...    one line per result row (of the last run):
 *                           every value as DuckDB casts it to VARCHAR
 *                           (decimals with their scale), NULL as NULL
 *   rows=N                  result rows
 *   best_ms=, median_ms=    of the R timed runs
 * and before them threads=, setup_ms= and version= once.
 */
#include "bench/bench.h"
#include "bench/duckdb_api.h"

#include <dlfcn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DEFAULT_REPEAT 5
#define MAX_SETUP 16

static duck_api duck;

/* Name of a duckdb_type value (the enum of duckdb.h, stable across 1.x). */
static const char *type_name(int t) {
  static const char *const names[] = {
      "INVALID",  "BOOLEAN",   "TINYINT",  "SMALLINT", "INTEGER",
      "BIGINT",   "UTINYINT",  "USMALLINT", "UINTEGER", "UBIGINT",
      "FLOAT",    "DOUBLE",    "TIMESTAMP", "DATE",     "TIME",
      "INTERVAL", "HUGEINT",   "VARCHAR",  "BLOB",     "DECIMAL",
      "TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP_NS", "ENUM", "LIST",
      "STRUCT",   "MAP",       "UUID",     "UNION",    "BIT",
      "TIME_TZ",  "TIMESTAMP_TZ", "UHUGEINT"};
  if (t >= 0 && (size_t)t < sizeof names / sizeof names[0]) return names[t];
  return "OTHER";
}

/* Runs one statement and discards its result; prints DuckDB's error. */
static int exec(duck_handle con, const char *sql) {
  duck_result res;
  memset(&res, 0, sizeof res);
  int rc = duck.query(con, sql, &res);
  if (rc != 0) fprintf(stderr, "duckdb_query: %s\n  in: %s\n", duck.error(&res), sql);
  duck.destroy(&res);
  return rc == 0 ? 0 : -1;
}

/* Prints a result's columns, types and rows (every value as VARCHAR). */
static void print_result(duck_result *res) {
  uint64_t nc = duck.column_count(res), nr = duck.row_count(res);
  printf("columns=%llu\ntypes=", (unsigned long long)nc);
  for (uint64_t c = 0; c < nc; c++)
    printf("%s%s", c ? "\t" : "", type_name(duck.column_type(res, c)));
  putchar('\n');
  for (uint64_t r = 0; r < nr; r++) {
    fputs("row", stdout);
    for (uint64_t c = 0; c < nc; c++) {
      if (duck.is_null(res, c, r)) {
        fputs("\tNULL", stdout);
        continue;
      }
      char *v = duck.value_varchar(res, c, r);
      printf("\t%s", v != NULL ? v : "NULL");
      duck.free(v);
    }
    putchar('\n');
  }
  printf("rows=%llu\n", (unsigned long long)nr);
}

/* Warm-up plus `repeat` timed runs of `sql`; prints the last result and
 * the times. */
static int run_query(duck_handle con, const char *sql, int repeat, double *ms) {
  duck_result res;
  for (int r = -1; r < repeat; r++) { /* r = -1: warm-up, untimed */
    memset(&res, 0, sizeof res);
    double t0 = now_ms();
    int rc = duck.query(con, sql, &res);
    double t1 = now_ms();
    if (rc != 0) {
      fprintf(stderr, "duckdb_query: %s\n  in: %s\n", duck.error(&res), sql);
      duck.destroy(&res);
      return -1;
    }
    if (r >= 0) ms[r] = t1 - t0;
    if (r < repeat - 1) duck.destroy(&res);
  }
  print_result(&res);
  duck.destroy(&res);
  qsort(ms, (size_t)repeat, sizeof *ms, cmp_double);
  double median = median_sorted(ms, repeat);
  printf("best_ms=%.3f\nmedian_ms=%.3f\n", ms[0], median);
  return 0;
}

static int usage(void) {
  fprintf(stderr,
          "usage: duckdb_query LIBDUCKDB.so [--threads N] [--repeat R] "
          "[--setup SQL]... SQL [SQL...]\n"
          "  Runs the --setup statements once (untimed), then each SQL once "
          "untimed and R times\n  timed (default %d) in one in-memory DuckDB; "
          "prints each result and best/median ms.\n", DEFAULT_REPEAT);
  return 2;
}

int main(int argc, char **argv) {
  if (argc < 3) return usage();
  int threads = 0, repeat = DEFAULT_REPEAT, n_setup = 0, n_sql = 0;
  const char *setup[MAX_SETUP];
  const char **sqls = calloc((size_t)argc, sizeof *sqls);
  if (sqls == NULL) return 1;
  for (int i = 2; i < argc; i++) {
    if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc) {
      threads = atoi(argv[++i]);
      if (threads < 1) return usage();
    } else if (strcmp(argv[i], "--repeat") == 0 && i + 1 < argc) {
      repeat = atoi(argv[++i]);
      if (repeat < 1 || repeat > 1000) return usage();
    } else if (strcmp(argv[i], "--setup") == 0 && i + 1 < argc) {
      if (n_setup == MAX_SETUP) return usage();
      setup[n_setup++] = argv[++i];
    } else if (strncmp(argv[i], "--", 2) == 0) {
      return usage();
    } else {
      sqls[n_sql++] = argv[i];
    }
  }
  if (n_sql == 0) return usage();

  void *lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (lib == NULL) {
    fprintf(stderr, "duckdb_query: %s\n", dlerror());
    return 1;
  }
  if (duck_load(lib, "duckdb_query", &duck) != 0) return 1;
  duck_handle db = NULL, con = NULL;
  if (duck.open(NULL, &db) != 0 || duck.connect(db, &con) != 0) {
    fprintf(stderr, "duckdb_query: cannot open an in-memory database\n");
    return 1;
  }
  int rc = 1;
  double *ms = calloc((size_t)repeat, sizeof *ms);
  if (ms == NULL) goto done;
  char sql[64];
  if (threads > 0) {
    snprintf(sql, sizeof sql, "SET threads=%d", threads);
    if (exec(con, sql) != 0) goto done;
  }
  double t0 = now_ms();
  for (int i = 0; i < n_setup; i++)
    if (exec(con, setup[i]) != 0) goto done;
  printf("version=%s\nthreads=%d\nsetup_ms=%.3f\n", duck.version(), threads,
         now_ms() - t0);
  for (int i = 0; i < n_sql; i++) {
    printf("query=%d\n", i + 1);
    if (run_query(con, sqls[i], repeat, ms) != 0) goto done;
    fflush(stdout);
  }
  rc = 0;
done:
  free(ms);
  free(sqls);
  duck.disconnect(&con);
  duck.close(&db);
  dlclose(lib);
  return rc;
}
