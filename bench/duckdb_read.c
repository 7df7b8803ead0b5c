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
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The few C API entry points used, declared as DuckDB's duckdb.h documents
 * them: handles are pointers, a state is 0 on success, and a result is a
 * caller-allocated struct (48 bytes in 1.x; room is left for more). */
typedef void *duck_handle;
typedef struct duck_result {
  _Alignas(16) unsigned char bytes[256];
} duck_result;
typedef int (*open_fn)(const char *, duck_handle *);
typedef int (*connect_fn)(duck_handle, duck_handle *);
typedef int (*query_fn)(duck_handle, const char *, duck_result *);
typedef void (*destroy_fn)(duck_result *);
typedef uint64_t (*rows_fn)(duck_result *);
typedef const char *(*error_fn)(duck_result *);
typedef void (*disconnect_fn)(duck_handle *);
typedef void (*close_fn)(duck_handle *);

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static void *sym(void *lib, const char *name) {
  void *p = dlsym(lib, name);
  if (p == NULL) {
    fprintf(stderr, "duckdb_read: %s not found in the library\n", name);
    exit(1);
  }
  return p;
}

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
  /* dlsym returns an object pointer; ISO C has no cast from it to a
   * function pointer, so the bits are copied (POSIX guarantees they fit). */
#define LOAD(var, name)              \
  do {                               \
    void *p_ = sym(lib, name);       \
    memcpy(&var, &p_, sizeof var);   \
  } while (0)
  open_fn d_open;
  connect_fn d_connect;
  query_fn d_query;
  destroy_fn d_destroy;
  rows_fn d_rows;
  error_fn d_error;
  disconnect_fn d_disconnect;
  close_fn d_close;
  LOAD(d_open, "duckdb_open");
  LOAD(d_connect, "duckdb_connect");
  LOAD(d_query, "duckdb_query");
  LOAD(d_destroy, "duckdb_destroy_result");
  LOAD(d_rows, "duckdb_row_count");
  LOAD(d_error, "duckdb_result_error");
  LOAD(d_disconnect, "duckdb_disconnect");
  LOAD(d_close, "duckdb_close");

  duck_handle db = NULL, con = NULL;
  if (d_open(NULL, &db) != 0 || d_connect(db, &con) != 0) {
    fprintf(stderr, "duckdb_read: cannot open an in-memory database\n");
    return 1;
  }
  char sql[4096];
  duck_result res;
  snprintf(sql, sizeof sql, "SET threads=%d", threads);
  memset(&res, 0, sizeof res);
  if (d_query(con, sql, &res) != 0) {
    fprintf(stderr, "duckdb_read: %s\n", d_error(&res));
    return 1;
  }
  d_destroy(&res);
  snprintf(sql, sizeof sql, "SELECT * FROM read_parquet('%s')", argv[2]);
  double *ms = calloc((size_t)repeat, sizeof *ms);
  uint64_t rows = 0;
  for (int r = -1; r < repeat; r++) {  /* r = -1: warm-up, untimed */
    memset(&res, 0, sizeof res);
    double t0 = now_ms();
    if (d_query(con, sql, &res) != 0) {
      fprintf(stderr, "duckdb_read: %s\n", d_error(&res));
      return 1;
    }
    double t1 = now_ms();
    rows = d_rows(&res);
    d_destroy(&res);
    if (r >= 0) ms[r] = t1 - t0;
  }
  qsort(ms, (size_t)repeat, sizeof *ms, cmp_double);
  printf("file=%s\nthreads=%d\nrows=%llu\nbest_ms=%.2f\nmedian_ms=%.2f\n",
         argv[2], threads, (unsigned long long)rows, ms[0], ms[repeat / 2]);
  free(ms);
  d_disconnect(&con);
  d_close(&db);
  dlclose(lib);
  return 0;
}
