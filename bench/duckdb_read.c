/*
 * duckdb_read.c - DuckDB's time to read a Parquet file into its result,
 * measured in-process through DuckDB's C API, for comparison with
 * bench/decode on the same data.
 *
 *   duckdb_read LIBDUCKDB.so FILE.parquet [--threads N] [--repeat R]
 *
 * LIBDUCKDB.so is DuckDB's shared library; the node package set up as in
 * the project's shared peers/README.md ships it as
 * node_modules/@duckdb/node-bindings-linux-x64/libduckdb.so. It is loaded
 * at run time (dlopen), so nothing of DuckDB is built into this program.
 * Each timed run is duckdb_query("SELECT * FROM read_parquet(...)"), which
 * executes the query and materialises every row into a duckdb_result, then
 * the result is destroyed (untimed). Prints best and median in ms.
 */
#include "bench/bench.h"
#include "bench/duckdb_api.h"

#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: duckdb_read LIBDUCKDB.so FILE.parquet "
                    "[--threads N] [--repeat R]\n");
    return 2;
  }
  int threads = 1, repeat = 5;
  for (int i = 3; i + 1 < argc; i += 2) {
    if (strcmp(argv[i], "--threads") == 0) threads = atoi(argv[i + 1]);
    else if (strcmp(argv[i], "--repeat") == 0) repeat = atoi(argv[i + 1]);
  }
  if (repeat < 1 || repeat > 1000 || threads < 1) {
    fprintf(stderr, "duckdb_read: --repeat 1..1000 and --threads >= 1\n");
    return 2;
  }
  void *lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (lib == NULL) {
    fprintf(stderr, "duckdb_read: %s\n", dlerror());
    return 1;
  }
  duck_api duck;
  if (duck_load(lib, "duckdb_read", &duck) != 0) return 1;

  duck_handle db = NULL, con = NULL;
  if (duck.open(NULL, &db) != 0 || duck.connect(db, &con) != 0) {
    fprintf(stderr, "duckdb_read: cannot open an in-memory database\n");
    return 1;
  }
  char sql[4096];
  duck_result res;
  snprintf(sql, sizeof sql, "SET threads=%d", threads);
  memset(&res, 0, sizeof res);
  if (duck.query(con, sql, &res) != 0) {
    fprintf(stderr, "duckdb_read: %s\n", duck.error(&res));
    return 1;
  }
  duck.destroy(&res);
  snprintf(sql, sizeof sql, "SELECT * FROM read_parquet('%s')", argv[2]);
  double *ms = calloc((size_t)repeat, sizeof *ms);
  uint64_t rows = 0;
  for (int r = -1; r < repeat; r++) {  /* r = -1: warm-up, untimed */
    memset(&res, 0, sizeof res);
    double t0 = now_ms();
    if (duck.query(con, sql, &res) != 0) {
      fprintf(stderr, "duckdb_read: %s\n", duck.error(&res));
      return 1;
    }
    double t1 = now_ms();
    rows = duck.row_count(&res);
    duck.destroy(&res);
    if (r >= 0) ms[r] = t1 - t0;
  }
  qsort(ms, (size_t)repeat, sizeof *ms, cmp_double);
  printf("file=%s\nthreads=%d\nrows=%llu\nbest_ms=%.2f\nmedian_ms=%.2f\n",
         argv[2], threads, (unsigned long long)rows, ms[0], ms[repeat / 2]);
  free(ms);
  duck.disconnect(&con);
  duck.close(&db);
  dlclose(lib);
  return 0;
}
