/*
 * duckdb_api.h - the entry points of DuckDB's C API the benchmark programs
 * use, loaded from libduckdb.so at run time (dlopen), so that nothing of
 * DuckDB is built into them.
 */
#ifndef DPS_DUCKDB_API_H
#define DPS_DUCKDB_API_H

#include <dlfcn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

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

typedef struct duck_api {
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
} duck_api;

/* Loads every entry point into *api; on a missing one says which, as
 * `prog`, and returns -1. */
static inline int duck_load(void *lib, const char *prog, duck_api *api) {
  /* dlsym returns an object pointer; ISO C has no cast from it to a
   * function pointer, so the bits are copied (POSIX guarantees they fit). */
#define LOAD(field, name)                                                   \
  do {                                                                      \
    void *p_ = dlsym(lib, name);                                            \
    if (p_ == NULL) {                                                       \
      fprintf(stderr, "%s: %s not found in the library\n", prog, name);    \
      return -1;                                                            \
    }                                                                       \
    memcpy(&api->field, &p_, sizeof api->field);                            \
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

#endif
