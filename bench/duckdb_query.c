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
#include <dlfcn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DEFAULT_REPEAT 5
#define MAX_SETUP 16

/* The C API entry points used, declared as DuckDB's duckdb.h documents
 * them: handles are pointers, a state is 0 on success, idx_t is uint64_t,
 * and a result is a caller-allocated struct (48 bytes in 1.x; room is left
 * for more). */
typedef void *duck_handle;
typedef struct duck_result {
  _Alignas(16) unsigned char bytes[256];
} duck_result;
typedef int (*open_fn)(const char *, duck_handle *);
typedef int (*connect_fn)(duck_handle, duck_handle *);
typedef int (*query_fn)(duck_handle, const char *, duck_result *);
typedef void (*destroy_fn)(duck_result *);
typedef uint64_t (*count_fn)(duck_result *);
typedef int (*column_type_fn)(duck_result *, uint64_t);
typedef bool (*is_null_fn)(duck_result *, uint64_t, uint64_t);
typedef char *(*varchar_fn)(duck_result *, uint64_t, uint64_t);
typedef void (*free_fn)(void *);
typedef const char *(*error_fn)(duck_result *);
typedef const char *(*version_fn)(void);
typedef void (*disconnect_fn)(duck_handle *);
typedef void (*close_fn)(duck_handle *);

static struct duck_api {
  open_fn open;
  connect_fn connect;
  query_fn query;
  destroy_fn destroy;
  count_fn row_count;
  count_fn column_count;
  column_type_fn column_type;
  is_null_fn is_null;
  varchar_fn value_varchar;
  free_fn free;
  error_fn error;
  version_fn version;
  disconnect_fn disconnect;
  close_fn close;
} duck;

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static int load_api(void *lib) {
  /* dlsym returns an object pointer; ISO C has no cast from it to a
   * function pointer, so the bits are copied (POSIX guarantees they fit). */
#define LOAD(field, name)                                                   \
  do {                                                                      \
    void *p_ = dlsym(lib, name);                                            \
    if (p_ == NULL) {                                                       \
      fprintf(stderr, "duckdb_query: %s not found in the library\n", name); \
      return -1;                                                            \
    }                                                                       \
    memcpy(&duck.field, &p_, sizeof duck.field);                            \
  } while (0)
  LOAD(open, "duckdb_open");
  LOAD(connect, "duckdb_connect");
  LOAD(query, "duckdb_query");
  LOAD(destroy, "duckdb_destroy_result");
  LOAD(row_count, "duckdb_row_count");
  LOAD(column_count, "duckdb_column_count");
  LOAD(column_type, "duckdb_column_type");
  LOAD(is_null, "duckdb_value_is_null");
  LOAD(value_varchar, "duckdb_value_varchar");
  LOAD(free, "duckdb_free");
  LOAD(error, "duckdb_result_error");
  LOAD(version, "duckdb_library_version");
  LOAD(disconnect, "duckdb_disconnect");
  LOAD(close, "duckdb_close");
#undef LOAD
  return 0;
}

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
  double median = repeat % 2 ? ms[repeat / 2] : (ms[repeat / 2 - 1] + ms[repeat / 2]) / 2;
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
  if (load_api(lib) != 0) return 1;
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
