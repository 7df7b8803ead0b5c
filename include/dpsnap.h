/*
 * dpsnap.h - the whole public API of dpsnap, a storage engine for data
 * products.
 *
 * A pipeline builds a schema, describes its snapshot (product, owner,
 * lineage), opens a writer, hands it column batches and finishes it. A
 * consumer opens the snapshot with a reader, looks at its schema, schema tag
 * and metadata, and reads any set of columns back as batches.
 *
 * Conventions:
 * - Fallible calls return a dps_status (DPS_OK == 0, errors negative) and put
 *   their result in the first argument. The last argument is an optional
 *   caller-owned dps_error that receives a message; NULL is allowed.
 * - What comes back through `**out` belongs to the caller and is released
 *   with the matching `_free`; `_free(NULL)` is a no-op. A returned `const`
 *   pointer is borrowed and lives as long as the handle it came from.
 * - Structs ending in `_view` never own the memory they point to.
 * - Option structs start with `unsigned version`; initialise them with their
 *   `_INIT` macro so that later library versions can add fields.
 * - Handles are not thread-safe; distinct handles may be used from distinct
 *   threads at once.
 */
#ifndef DPSNAP_H
#define DPSNAP_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(DPSNAP_STATIC_DEFINE)
#  define DPS_API
#elif defined(_WIN32)
#  define DPS_API __declspec(dllimport)
#elif defined(__GNUC__) && __GNUC__ >= 4
#  define DPS_API __attribute__((visibility("default")))
#else
#  define DPS_API
#endif

/* ---------------------------------------------------------------------- */
/* Versions                                                               */
/* ---------------------------------------------------------------------- */

#define DPS_VERSION_MAJOR 0
#define DPS_VERSION_MINOR 1
#define DPS_VERSION_PATCH 0
#define DPS_VERSION_NUMBER \
  (DPS_VERSION_MAJOR * 10000 + DPS_VERSION_MINOR * 100 + DPS_VERSION_PATCH)

/* Snapshot file format written by this library (spec/FORMAT.md). A reader
 * opens every file whose major equals DPS_FORMAT_MAJOR, whatever its minor. */
#define DPS_FORMAT_MAJOR 1
#define DPS_FORMAT_MINOR 1

/** Library version as DPS_VERSION_NUMBER of the build that is linked. */
DPS_API unsigned dps_version_number(void);
/** Library version as a static string, e.g. "0.1.0". Never NULL. */
DPS_API const char *dps_version_string(void);

/* ---------------------------------------------------------------------- */
/* Status codes and errors                                                */
/* ---------------------------------------------------------------------- */

/* Values are pinned forever: new codes are only appended. */
typedef enum dps_status {
  DPS_OK = 0,
  DPS_EINVAL = -1,     /* an argument or an input value is invalid */
  DPS_ENOMEM = -2,     /* an allocation failed */
  DPS_EIO = -3,        /* the operating system refused a file operation */
  DPS_ECORRUPT = -4,   /* a file's structure is damaged or not a snapshot */
  DPS_ECHECKSUM = -5,  /* stored bytes do not match their checksum */
  DPS_EVERSION = -6,   /* the file needs a newer reader */
  DPS_ENOTFOUND = -7,  /* a named thing (column, file) does not exist */
  DPS_ECONFLICT = -8,  /* another writer published first */
  DPS_EPOLICY = -9,    /* a governance rule refused the snapshot */
  DPS_EMISUSE = -10    /* the API was called out of order */
} dps_status;

#define DPS_ERROR_MESSAGE_SIZE 512

/* Details of a failed call. Caller-owned, so no thread-local state is
 * needed. `code` repeats the returned status; `message` is NUL-terminated
 * and reads `<file>: <what>: expected <X>, found <Y> (offset N, ...)` for bad
 * input, or says what to do for misuse. */
typedef struct dps_error {
  int code;                              /* the dps_status returned */
  char message[DPS_ERROR_MESSAGE_SIZE];  /* human-readable cause */
} dps_error;

/** Short static description of a status code ("checksum mismatch").
 *  Unknown codes give "unknown error". Never NULL. */
DPS_API const char *dps_strerror(int code);

/* ---------------------------------------------------------------------- */
/* Types                                                                  */
/* ---------------------------------------------------------------------- */

/* Logical column types. Values are pinned: they are stored in files.
 * In-memory representation of one value in a dps_array_view:
 *   BOOL        uint8_t, 0 or 1
 *   INT8..64    int8_t .. int64_t;  UINT8..64  uint8_t .. uint64_t
 *   FLOAT32/64  float / double (IEEE 754; every bit pattern is kept)
 *   DATE        int32_t days since 1970-01-01
 *   TIMESTAMP   int64_t microseconds since 1970-01-01T00:00:00Z (UTC)
 *   DECIMAL     int64_t unscaled value; value = unscaled / 10^scale
 *   STRING      UTF-8 bytes, via offsets + data
 *   BINARY      any bytes, via offsets + data */
typedef enum dps_type {
  DPS_TYPE_BOOL = 1,
  DPS_TYPE_INT8 = 2,
  DPS_TYPE_INT16 = 3,
  DPS_TYPE_INT32 = 4,
  DPS_TYPE_INT64 = 5,
  DPS_TYPE_UINT8 = 6,
  DPS_TYPE_UINT16 = 7,
  DPS_TYPE_UINT32 = 8,
  DPS_TYPE_UINT64 = 9,
  DPS_TYPE_FLOAT32 = 10,
  DPS_TYPE_FLOAT64 = 11,
  DPS_TYPE_DATE = 12,
  DPS_TYPE_TIMESTAMP = 13,
  DPS_TYPE_DECIMAL = 14,
  DPS_TYPE_STRING = 15,
  DPS_TYPE_BINARY = 16
} dps_type;

#define DPS_DECIMAL_MAX_PRECISION 18

/** Lower-case name of a type ("int64", "timestamp"); "unknown" otherwise. */
DPS_API const char *dps_type_name(dps_type type);
/** Parses a type name as printed by dps_type_name ("decimal" without
 *  precision). Returns DPS_OK or DPS_ENOTFOUND. */
DPS_API dps_status dps_type_from_name(dps_type *out, const char *name);
/** Bytes of one value in a dps_array_view's `values` (BOOL: 1), or 0 for
 *  STRING and BINARY, which use offsets + data. */
DPS_API size_t dps_type_width(dps_type type);

/* ---------------------------------------------------------------------- */
/* Schema                                                                 */
/* ---------------------------------------------------------------------- */

typedef struct dps_schema dps_schema;

/* A column as given to dps_schema_add_column and as returned by
 * dps_schema_column. On input every string is copied; on output every
 * pointer is borrowed from the schema. */
typedef struct dps_column_view {
  const char *name;           /* 1..255 bytes of UTF-8, unique in the schema */
  dps_type type;              /* logical type */
  int nullable;               /* non-zero: the column may hold nulls */
  int precision;              /* DECIMAL only: 1..18; 0 otherwise */
  int scale;                  /* DECIMAL only: 0..precision; 0 otherwise */
  const char *description;    /* documentation, or NULL */
  const char *const *tags;    /* governance tags ("pii"), n_tags entries */
  size_t n_tags;              /* number of tags */
} dps_column_view;

/** Creates an empty schema. *out is the caller's (dps_schema_free).
 *  Returns DPS_OK, DPS_EINVAL (out NULL) or DPS_ENOMEM. */
DPS_API dps_status dps_schema_new(dps_schema **out, dps_error *err);

/** Frees a schema; NULL is a no-op. */
DPS_API void dps_schema_free(dps_schema *schema);

/** Appends a column; the view's strings are copied.
 *  Returns DPS_OK; DPS_EINVAL for an empty, over-long, non-UTF-8 or
 *  duplicate name, an unknown type, or a bad decimal precision/scale (the
 *  message names the column); DPS_ENOMEM. */
DPS_API dps_status dps_schema_add_column(dps_schema *schema,
                                         const dps_column_view *column,
                                         dps_error *err);

/** Number of columns (0 for NULL). */
DPS_API size_t dps_schema_column_count(const dps_schema *schema);

/** Column `index` (0-based) into *out, pointers borrowed from the schema.
 *  Returns DPS_OK, or DPS_EINVAL when index is out of range or an argument
 *  is NULL. */
DPS_API dps_status dps_schema_column(const dps_schema *schema, size_t index,
                                     dps_column_view *out);

/** Index of the column named `name` (exact, case-sensitive), or -1. */
DPS_API long dps_schema_find(const dps_schema *schema, const char *name);

/** The schema tag: XXH3-64 of the canonical schema encoding (column names,
 *  types, nullability, decimal precision/scale, in order; descriptions and
 *  tags are not part of it). Equal tags <=> equal schemas; stable across
 *  runs, machines and library versions (spec/FORMAT.md [FMT-40]). */
DPS_API uint64_t dps_schema_tag(const dps_schema *schema);

/* ---------------------------------------------------------------------- */
/* Snapshot metadata                                                      */
/* ---------------------------------------------------------------------- */

/* One input of the job that produced the snapshot: either another product
 * pinned at a version (with the schema tag it had then), or an external
 * URI. See spec/METADATA.md. */
typedef struct dps_lineage_input {
  const char *product;  /* "domain.name", or NULL for an external input */
  uint64_t version;     /* snapshot version of `product`; 0 if unknown */
  uint64_t schema_tag;  /* schema tag of that snapshot; 0 if unknown */
  const char *uri;      /* external source ("s3://...", "file:..."), or NULL */
} dps_lineage_input;

/* A free key/value property. */
typedef struct dps_property {
  const char *key;    /* non-empty UTF-8 */
  const char *value;  /* UTF-8, may be empty */
} dps_property;

#define DPS_SNAPSHOT_META_VERSION 1

/* Everything a snapshot says about itself besides its schema. Given to the
 * writer (strings copied at dps_writer_open) and returned by the reader
 * (pointers borrowed from the reader). Unset strings are NULL. */
typedef struct dps_snapshot_meta {
  unsigned version;                /* DPS_SNAPSHOT_META_VERSION */
  const char *product;             /* required: "domain.name" */
  const char *title;               /* short human title */
  const char *description;         /* what the product holds */
  const char *semver;              /* product semver, "MAJOR.MINOR.PATCH" */
  uint64_t snapshot_version;       /* 1, 2, 3 ...; 0 = not versioned */
  uint64_t parent_version;         /* version this one follows; 0 = none */
  int64_t created_at;              /* microseconds since epoch, UTC;
                                      0 = let the writer take the clock */
  const char *owner_team;          /* required: owning team */
  const char *owner_email;         /* required: contact address */
  const dps_lineage_input *inputs; /* lineage inputs, n_inputs entries */
  size_t n_inputs;                 /* number of inputs */
  const char *job_name;            /* producing job */
  const char *run_id;              /* identity of the producing run */
  const char *code_version;        /* e.g. the job's git commit */
  const dps_property *properties;  /* free properties, n_properties */
  size_t n_properties;             /* number of properties */
} dps_snapshot_meta;

#define DPS_SNAPSHOT_META_INIT {DPS_SNAPSHOT_META_VERSION, NULL, NULL, NULL, \
  NULL, 0, 0, 0, NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL, 0}

/* ---------------------------------------------------------------------- */
/* Column data                                                            */
/* ---------------------------------------------------------------------- */

/* One column's values for `length` rows. Used to hand data to the writer
 * and to receive it from the reader. Never owns its memory.
 * - validity: bit i (LSB-first within each byte) is 1 when row i is valid;
 *   NULL means every row is valid. Values in null slots are ignored on
 *   write and read back as zero (empty for strings).
 * - fixed-width types: `values` holds `length` values (see dps_type).
 * - STRING, BINARY: value i is data[offsets[i] .. offsets[i+1]); offsets
 *   has length + 1 non-decreasing entries; offsets[0] may be non-zero;
 *   data may be NULL when every value is empty or null. */
typedef struct dps_array_view {
  size_t length;            /* number of rows */
  const uint8_t *validity;  /* validity bitmap or NULL (all valid) */
  const void *values;       /* fixed-width values, or NULL for strings */
  const int64_t *offsets;   /* STRING/BINARY: length + 1 offsets */
  const uint8_t *data;      /* STRING/BINARY: bytes the offsets point into */
} dps_array_view;

/** 1 when row `i` of `array` is valid (not null). */
static inline int dps_array_is_valid(const dps_array_view *array, size_t i) {
  return array->validity == NULL || ((array->validity[i >> 3] >> (i & 7)) & 1);
}

/* ---------------------------------------------------------------------- */
/* Writer                                                                 */
/* ---------------------------------------------------------------------- */

/* The general-purpose stage applied to a page after its encoding. A forced
 * codec is kept on each page it makes smaller. DEFAULT chooses per page
 * among none, lz4 and zstd (level 3), and for FSST text also plain strings
 * with lz4 HC, weighing stored size read at read_mb_per_s against decode
 * time (spec/FORMAT.md [FMT-55]). The lz4 level: 0-2 fast, 3-12 HC. */
typedef enum dps_compression {
  DPS_COMPRESSION_DEFAULT = 0,  /* per page, by size and decode time */
  DPS_COMPRESSION_NONE = 1,
  DPS_COMPRESSION_LZ4 = 2,
  DPS_COMPRESSION_ZSTD = 3
} dps_compression;

/** Lower-case name ("zstd"), "default" or "unknown". */
DPS_API const char *dps_compression_name(dps_compression compression);

/* How a column's values are encoded in its pages (spec/FORMAT.md §4.4).
 * AUTO lets the writer choose per page from samples, cascading up to three
 * schemes (e.g. a dictionary whose codes are bit-packed). Forcing one
 * fixes the outermost scheme; the ones below it are still chosen. */
typedef enum dps_encoding {
  DPS_ENCODING_AUTO = 0,
  DPS_ENCODING_PLAIN = 1,     /* values as they are (format 1.0 pages) */
  DPS_ENCODING_CONSTANT = 2,  /* one value; pages must be constant */
  DPS_ENCODING_FOR = 3,       /* frame of reference + bit packing: integers */
  DPS_ENCODING_DELTA = 4,     /* differences of neighbours: integers */
  DPS_ENCODING_RLE = 5,       /* runs: integers, floats */
  DPS_ENCODING_DICT = 6,      /* dictionary + codes: every type */
  DPS_ENCODING_ALP = 7,       /* decimal-like floats as integers */
  DPS_ENCODING_FSST = 8       /* symbol-table string compression */
} dps_encoding;

/** Lower-case name ("dict"), "auto" or "unknown". */
DPS_API const char *dps_encoding_name(dps_encoding encoding);

/* Per-column choice of the encoding. */
typedef struct dps_column_encoding {
  const char *column;     /* column name */
  dps_encoding encoding;  /* outermost scheme of every page of the column */
} dps_column_encoding;

/* Per-column override of the page compression. */
typedef struct dps_column_compression {
  const char *column;           /* column name */
  dps_compression compression;  /* codec for that column's pages */
  int level;                    /* codec level; 0 = the codec's default */
} dps_column_compression;

#define DPS_DEFAULT_ROW_GROUP_ROWS 131072u
#define DPS_VECTOR_SIZE 1024u
#define DPS_DEFAULT_PAGE_VECTORS 16u

#define DPS_WRITE_OPTIONS_VERSION 1

typedef struct dps_write_options {
  unsigned version;             /* DPS_WRITE_OPTIONS_VERSION */
  uint32_t row_group_rows;      /* rows per row group, a multiple of 1024;
                                   0 = DPS_DEFAULT_ROW_GROUP_ROWS */
  uint32_t page_vectors;        /* 1024-value vectors per page;
                                   0 = DPS_DEFAULT_PAGE_VECTORS */
  dps_compression compression;  /* general-purpose stage after encoding */
  int compression_level;        /* codec level; 0 = codec default (zstd 3) */
  const dps_column_compression *column_compression; /* overrides */
  size_t n_column_compression;  /* number of overrides */
  int no_sync;                  /* non-zero: skip fsync (tests, scratch) */
  const dps_column_encoding *column_encoding; /* encoding overrides */
  size_t n_column_encoding;     /* number of encoding overrides */
  uint32_t read_mb_per_s;       /* DEFAULT compression: the storage read
                                   speed weighed against decode time;
                                   0 = DPS_DEFAULT_READ_MB_PER_S */
} dps_write_options;

#define DPS_DEFAULT_READ_MB_PER_S 100

#define DPS_WRITE_OPTIONS_INIT {DPS_WRITE_OPTIONS_VERSION, 0, 0, \
  DPS_COMPRESSION_DEFAULT, 0, NULL, 0, 0, NULL, 0, 0}

typedef struct dps_writer dps_writer;

/** Starts a snapshot file at `path`. Data goes to a temporary file beside
 *  it; dps_writer_finish publishes it atomically under `path` (replacing an
 *  existing file), so a failed or abandoned write leaves `path` untouched.
 *  `schema` is copied. `meta` must name a product ("domain.name") and an
 *  owner (team and email). `opts` may be NULL for the defaults.
 *  *out is the caller's (dps_writer_free).
 *  Returns DPS_OK; DPS_EPOLICY when the product or the owner is missing;
 *  DPS_EINVAL for a malformed product id, semver, option or override naming
 *  an unknown column; DPS_EIO when the temporary file cannot be created;
 *  DPS_ENOMEM. */
DPS_API dps_status dps_writer_open(dps_writer **out, const char *path,
                                   const dps_schema *schema,
                                   const dps_snapshot_meta *meta,
                                   const dps_write_options *opts,
                                   dps_error *err);

/** Appends `n_rows` rows given as one array per schema column, in schema
 *  order (`n_columns` must equal the column count; every array's length
 *  must equal n_rows). The arrays are copied before the call returns.
 *  Returns DPS_OK; DPS_EINVAL for a count mismatch, a null in a non-nullable
 *  column, invalid UTF-8 in a STRING, out-of-order offsets, a decimal outside
 *  its precision or a bool other than 0/1 (the message names the column
 *  and the row, counted from the first row of the snapshot); DPS_EIO;
 *  DPS_ENOMEM; DPS_EMISUSE after finish or a failed call.
 *  A failed call leaves nothing of this batch in the snapshot; the writer
 *  refuses further calls and the file is not published. */
DPS_API dps_status dps_writer_write(dps_writer *writer,
                                    const dps_array_view *columns,
                                    size_t n_columns, size_t n_rows,
                                    dps_error *err);

/** Writes the remaining rows and the footer, syncs, and publishes the file
 *  under its path. Returns DPS_OK, DPS_EIO (nothing is published),
 *  DPS_ENOMEM, or DPS_EMISUSE when called twice or after a failure. */
DPS_API dps_status dps_writer_finish(dps_writer *writer, dps_error *err);

/** Frees a writer; an unfinished snapshot is abandoned and its temporary
 *  file removed. NULL is a no-op. */
DPS_API void dps_writer_free(dps_writer *writer);

/* ---------------------------------------------------------------------- */
/* Reader                                                                 */
/* ---------------------------------------------------------------------- */

#define DPS_READ_OPTIONS_VERSION 1

/* Pages are read from a read-only memory map of the file (no copy), or with
 * pread when the file cannot be mapped or DPS_READ_PREAD is given. A
 * published snapshot is never modified in place (writers replace files by
 * rename), so a map stays valid; truncating a file that a reader has open
 * is outside this contract. */
#define DPS_READ_PREAD 1   /* flag: read pages with pread, never map */

typedef struct dps_read_options {
  unsigned version;  /* DPS_READ_OPTIONS_VERSION */
  int flags;         /* 0 or DPS_READ_PREAD */
} dps_read_options;

#define DPS_READ_OPTIONS_INIT {DPS_READ_OPTIONS_VERSION, 0}

typedef struct dps_reader dps_reader;

/** Opens a snapshot file: checks magic, format version, footer bounds and
 *  footer checksum, and decodes schema, metadata and row-group index.
 *  Pages are read (and their checksums checked) only when read.
 *  `opts` may be NULL. *out is the caller's (dps_reader_free).
 *  Returns DPS_OK; DPS_EIO (cannot open/read); DPS_ECORRUPT (not a snapshot,
 *  truncated, malformed footer); DPS_ECHECKSUM (footer checksum);
 *  DPS_EVERSION (a newer format major: the message names the version
 *  needed); DPS_ENOMEM. */
DPS_API dps_status dps_reader_open(dps_reader **out, const char *path,
                                   const dps_read_options *opts,
                                   dps_error *err);

/** Frees a reader and everything borrowed from it; NULL is a no-op. */
DPS_API void dps_reader_free(dps_reader *reader);

/** The snapshot's schema, borrowed from the reader. */
DPS_API const dps_schema *dps_reader_schema(const dps_reader *reader);
/** The snapshot's schema tag as stored in the file (equal to
 *  dps_schema_tag of its schema, which dps_reader_open checks). */
DPS_API uint64_t dps_reader_schema_tag(const dps_reader *reader);
/** The snapshot's metadata, borrowed from the reader. */
DPS_API const dps_snapshot_meta *dps_reader_meta(const dps_reader *reader);
/** Total number of rows. */
DPS_API uint64_t dps_reader_row_count(const dps_reader *reader);
/** Number of row groups. */
DPS_API size_t dps_reader_row_group_count(const dps_reader *reader);

/* Physical facts about the file and its columns, for `info` and tools. */
typedef struct dps_file_info {
  uint64_t file_size;       /* bytes of the whole file */
  uint64_t footer_size;     /* bytes of the encoded footer */
  uint64_t data_stored;     /* bytes of all pages as stored */
  uint64_t data_raw;        /* bytes of all pages after encoding, before
                               the general-purpose stage (zstd, lz4) */
  uint64_t data_plain;      /* bytes of all values in plain encoding: the
                               size the encodings and stage started from */
  uint64_t page_count;      /* number of pages in the file */
  unsigned format_major;    /* format version of the file */
  unsigned format_minor;
  const char *created_by;   /* writer identity, e.g. "dpsnap 0.1.0" */
} dps_file_info;

/** Fills *out with file facts (strings borrowed from the reader).
 *  Returns DPS_OK or DPS_EINVAL for NULL arguments. */
DPS_API dps_status dps_reader_file_info(const dps_reader *reader,
                                        dps_file_info *out);

typedef struct dps_column_stats {
  uint64_t null_count;          /* nulls in the column */
  uint64_t data_stored;         /* bytes of its pages as stored */
  uint64_t data_raw;            /* bytes of its pages after encoding, before
                                   the general-purpose stage */
  uint64_t data_plain;          /* bytes of its values in plain encoding */
  uint64_t page_count;          /* number of pages */
  dps_compression compression;  /* codec asked for by the writer;
                                   DEFAULT for a snapshot of 0 rows, which
                                   records none */
  const char *encodings;        /* the column's scheme trees and how many
                                   pages use each, most used first, e.g.
                                   "dict(for)*12 plain*1"; borrowed */
  const char *codecs;           /* the general-purpose stage of its pages
                                   and how many use each, most used
                                   first, e.g. "zstd*9 lz4*3 none*1";
                                   borrowed */
} dps_column_stats;

/** Fills *out with the statistics of column `column`.
 *  Returns DPS_OK or DPS_EINVAL (index out of range or NULL). */
DPS_API dps_status dps_reader_column_stats(const dps_reader *reader,
                                           size_t column,
                                           dps_column_stats *out);

/* A decoded batch: a run of rows of the requested columns. Owned by the
 * cursor that produced it, valid until the next dps_cursor_next or
 * dps_cursor_free. */
typedef struct dps_batch dps_batch;

/** Rows in the batch. */
DPS_API size_t dps_batch_row_count(const dps_batch *batch);
/** Columns in the batch (the cursor's projection). */
DPS_API size_t dps_batch_column_count(const dps_batch *batch);
/** Column `i` of the projection into *out, memory borrowed from the batch.
 *  Returns DPS_OK or DPS_EINVAL (index out of range). */
DPS_API dps_status dps_batch_column(const dps_batch *batch, size_t i,
                                    dps_array_view *out);

typedef struct dps_cursor dps_cursor;

/** Opens a cursor that reads `n_columns` columns (schema indexes, in the
 *  order given, repeats allowed) from the start of the snapshot, one row
 *  group per batch. columns == NULL with n_columns == 0 reads every column.
 *  The cursor borrows the reader, which must outlive it.
 *  Returns DPS_OK, DPS_EINVAL (index out of range), DPS_ENOMEM. */
DPS_API dps_status dps_cursor_open(dps_cursor **out, dps_reader *reader,
                                   const size_t *columns, size_t n_columns,
                                   dps_error *err);

/** Reads the next batch into *batch, or sets *batch to NULL at the end.
 *  Pages are checked against their checksums before they are decoded.
 *  Returns DPS_OK; DPS_EIO; DPS_ECHECKSUM, DPS_ECORRUPT (the message names
 *  file, offset, column and page); DPS_ENOMEM. */
DPS_API dps_status dps_cursor_next(dps_cursor *cursor, const dps_batch **batch,
                                   dps_error *err);

/** Frees a cursor and its current batch; NULL is a no-op. */
DPS_API void dps_cursor_free(dps_cursor *cursor);

/* What dps_reader_verify checked. */
typedef struct dps_verify_report {
  uint64_t row_groups;     /* row groups checked */
  uint64_t pages;          /* pages whose checksum and content were checked */
  uint64_t bytes;          /* page bytes read and hashed */
  uint64_t values;         /* values decoded and checked */
} dps_verify_report;

/** Checks the whole file: every page's bounds and checksum, that it
 *  decompresses to its recorded size and decodes to its recorded value and
 *  null counts, UTF-8 of strings, and that page and row-group zone maps hold
 *  for the values. Stops at the first fault. `report` may be NULL.
 *  Returns DPS_OK, DPS_ECHECKSUM, DPS_ECORRUPT, DPS_EIO, DPS_ENOMEM. */
DPS_API dps_status dps_reader_verify(dps_reader *reader,
                                     dps_verify_report *report,
                                     dps_error *err);

/* ---------------------------------------------------------------------- */
/* Scans: predicates, projections, aggregates                             */
/* ---------------------------------------------------------------------- */

/* A query holds expression nodes: column references, literals, arithmetic
 * and predicates, built with the dps_q_* calls below and owned by the
 * query (freed with it). Builders do not return errors: on a bad argument
 * (a NULL operand included) or out of memory they return the query's
 * error node, which makes dps_scan_open fail with DPS_EINVAL and the
 * reason wherever it is used; only a NULL query gives NULL. Names and
 * types are checked against the snapshot's schema when the scan opens
 * (unknown column, with the nearest names; type mismatch; bad literal),
 * not while building. */
typedef struct dps_query dps_query;
typedef struct dps_node dps_node;

/** Creates an empty query. *out is the caller's (dps_query_free).
 *  Returns DPS_OK, DPS_EINVAL (out NULL) or DPS_ENOMEM. */
DPS_API dps_status dps_query_new(dps_query **out, dps_error *err);
/** Frees a query and all its nodes; NULL is a no-op. */
DPS_API void dps_query_free(dps_query *query);

/* Value expressions. */
DPS_API dps_node *dps_q_column(dps_query *q, const char *name);
/* Literals (spec/SCAN.md §1): numbers compare with numeric columns by
 * exact value (float literals as doubles), dates and timestamps with date
 * and timestamp columns (a date is midnight UTC), strings with string and
 * binary columns, bools with bool columns. A decimal literal is unscaled
 * / 10^scale, scale 0..18. A string literal's bytes are copied. */
DPS_API dps_node *dps_q_int(dps_query *q, int64_t value);
DPS_API dps_node *dps_q_uint(dps_query *q, uint64_t value);
DPS_API dps_node *dps_q_float(dps_query *q, double value);
DPS_API dps_node *dps_q_decimal(dps_query *q, int64_t unscaled, int scale);
DPS_API dps_node *dps_q_date(dps_query *q, int32_t days_since_epoch);
DPS_API dps_node *dps_q_timestamp(dps_query *q, int64_t micros_since_epoch);
DPS_API dps_node *dps_q_string(dps_query *q, const char *bytes, size_t len);
DPS_API dps_node *dps_q_bool(dps_query *q, int value);

typedef enum dps_arith_op {
  DPS_ADD = 1,
  DPS_SUB = 2,
  DPS_MUL = 3
} dps_arith_op;
/** a op b over columns and literals of numeric types (integers, decimals,
 *  floats), for aggregates (spec/SCAN.md [SCAN-21]): exact in 64 bits per
 *  row for integers and decimals (a row that overflows fails the scan),
 *  decimals keep their scale (a product adds the scales), and with a float
 *  on either side the result is a double. */
DPS_API dps_node *dps_q_arith(dps_query *q, dps_arith_op op, dps_node *a,
                              dps_node *b);

/* Predicates (spec/SCAN.md §1). Comparisons take a column and a literal,
 * in either order. Three-valued logic as in SQL: a comparison with a null
 * value is unknown, so neither it nor its NOT selects the row; use is
 * null. Floats compare as IEEE numbers except that NaN equals NaN and is
 * greater than every other value, and -0.0 equals 0.0. Strings compare by
 * unsigned bytes. */
typedef enum dps_cmp_op {
  DPS_EQ = 1,
  DPS_NE = 2,
  DPS_LT = 3,
  DPS_LE = 4,
  DPS_GT = 5,
  DPS_GE = 6
} dps_cmp_op;
DPS_API dps_node *dps_q_cmp(dps_query *q, dps_cmp_op op, dps_node *a,
                            dps_node *b);
/** lo <= column <= hi. */
DPS_API dps_node *dps_q_between(dps_query *q, dps_node *column, dps_node *lo,
                                dps_node *hi);
/** column = any of the n literals. */
DPS_API dps_node *dps_q_in(dps_query *q, dps_node *column,
                           dps_node *const *literals, size_t n);
DPS_API dps_node *dps_q_is_null(dps_query *q, dps_node *column);
DPS_API dps_node *dps_q_is_not_null(dps_query *q, dps_node *column);
/** String or binary column starting with the literal's bytes. */
DPS_API dps_node *dps_q_starts_with(dps_query *q, dps_node *column,
                                    dps_node *prefix);
DPS_API dps_node *dps_q_and(dps_query *q, dps_node *a, dps_node *b);
DPS_API dps_node *dps_q_or(dps_query *q, dps_node *a, dps_node *b);
DPS_API dps_node *dps_q_not(dps_query *q, dps_node *a);

typedef enum dps_agg_fn {
  DPS_AGG_COUNT_STAR = 1,  /* rows; arg is NULL */
  DPS_AGG_COUNT = 2,       /* rows where arg is not null */
  DPS_AGG_SUM = 3,
  DPS_AGG_MIN = 4,
  DPS_AGG_MAX = 5,
  DPS_AGG_AVG = 6
} dps_agg_fn;

/* One aggregate of a scan (spec/SCAN.md §3). Nulls are skipped; sum, min,
 * max and avg of no values are null, counts of none are 0. Results: counts
 * -> INT64; sum of integers -> INT64 and of decimals -> DECIMAL of the
 * argument's scale, both exact in 128 bits (dps_value.i and i_hi); sum of
 * floats -> FLOAT64, added per row group in row order and then in
 * row-group order, so it does not depend on the thread count; avg ->
 * FLOAT64; min/max -> the argument's type. */
typedef struct dps_agg {
  dps_agg_fn fn;
  dps_node *arg;          /* column or arithmetic; NULL for COUNT_STAR */
} dps_agg;

#define DPS_SCAN_OPTIONS_VERSION 1

typedef struct dps_scan_options {
  unsigned version;               /* DPS_SCAN_OPTIONS_VERSION */
  const char *const *columns;     /* rows: projected columns, in order;
                                     NULL with n_columns 0 = every column */
  size_t n_columns;
  dps_node *where;                /* predicate, or NULL for every row */
  uint64_t limit;                 /* rows: at most this many; 0 = all */
  unsigned threads;               /* 0 = one per online CPU; 1 = the
                                     calling thread only; more: the
                                     caller and threads of the reader,
                                     kept until dps_reader_free
                                     (spec/SCAN.md §5) */
  int ordered;                    /* rows: non-zero = batches in row order
                                     (always so with one thread) */
  const dps_agg *aggs;            /* aggregates instead of rows, or NULL */
  size_t n_aggs;
  const char *const *group_by;    /* aggregates: up to 2 grouping columns
                                     (any type; groups come out sorted by
                                     key, nulls last) */
  size_t n_group_by;
} dps_scan_options;

#define DPS_SCAN_OPTIONS_INIT {DPS_SCAN_OPTIONS_VERSION, NULL, 0, NULL, 0, 0, \
  0, NULL, 0, NULL, 0}

/* What a scan did, for users who want to see where time goes. */
typedef struct dps_scan_stats {
  uint64_t elapsed_ns;          /* wall time spent inside the scan calls */
  unsigned threads;             /* threads used */
  uint64_t row_groups;          /* row groups in the snapshot */
  uint64_t row_groups_pruned;   /* skipped by their zone maps */
  uint64_t pages;               /* pages of the columns the scan touches */
  uint64_t pages_pruned;        /* never read: zone maps, no row of
                                   theirs selected, or earlier leaves of
                                   an AND left no row */
  uint64_t pages_read;          /* read, checked and decoded */
  uint64_t bytes_read;          /* stored bytes of the pages read */
  uint64_t vectors;             /* 1024-row vectors in the row groups */
  uint64_t vectors_pruned;      /* decided by zone maps alone */
  uint64_t vectors_evaluated;   /* predicate evaluated on their values */
  uint64_t rows_scanned;        /* rows of the row groups not pruned */
  uint64_t rows_matched;        /* rows satisfying the predicate */
  uint64_t dict_lookups;        /* predicates answered on dictionary codes */
} dps_scan_stats;

typedef struct dps_scan dps_scan;

/** Opens a scan over a reader (which must outlive it): binds names and
 *  types of the options' nodes to the schema and checks them. The query
 *  must outlive the scan too.
 *  Returns DPS_OK; DPS_ENOTFOUND (unknown column: the message names it and
 *  the nearest names); DPS_EINVAL (type mismatch, bad literal, bad option:
 *  the message says which); DPS_ENOMEM. */
DPS_API dps_status dps_scan_open(dps_scan **out, dps_reader *reader,
                                 const dps_scan_options *opts,
                                 dps_error *err);

/** Rows mode: the next batch of matching rows of the projected columns
 *  (the same batch type as the cursor's, valid until the next call or
 *  dps_scan_free), or *batch = NULL at the end. Batches are never empty.
 *  Returns DPS_OK, DPS_EMISUSE (an aggregate scan), read errors as
 *  dps_cursor_next. */
DPS_API dps_status dps_scan_next(dps_scan *scan, const dps_batch **batch,
                                 dps_error *err);

/* A value of an aggregate result or group key. */
typedef struct dps_value {
  int is_null;
  dps_type type;         /* INT64 (counts, integer sums), DECIMAL, FLOAT64,
                            or a group key's or min/max's column type */
  int scale;             /* DECIMAL */
  int64_t i;             /* signed integers, bool, date, timestamp,
                            decimals (unscaled); for sums the low 64 bits */
  int64_t i_hi;          /* sums: the high 64 bits of the 128-bit two's
                            complement total whose low bits are
                            (uint64_t)i; the sign of i when it fits */
  uint64_t u;            /* unsigned integers */
  double f;              /* floats */
  const uint8_t *bytes;  /* strings and binary, borrowed from the scan */
  size_t len;
} dps_value;

/** Formats a value the way the tool prints it: decimals with their scale,
 *  dates as YYYY-MM-DD, timestamps as ISO 8601 with Z, floats with 17
 *  significant digits trimmed ("0.1"), null as "NULL". Writes at most
 *  size bytes including the NUL; returns the length the whole text needs. */
DPS_API size_t dps_value_format(const dps_value *value, char *buf,
                                size_t size);

/** Aggregate mode: runs the scan and gives the size of its result table:
 *  one row per group, sorted by key (one row without group_by, even when
 *  no row matches); columns = the group_by columns, then the aggregates
 *  in order. Returns DPS_OK, DPS_EMISUSE (a rows scan, or called twice),
 *  DPS_EINVAL (arithmetic overflow in a row), read errors as
 *  dps_cursor_next. */
DPS_API dps_status dps_scan_aggregate(dps_scan *scan, size_t *rows,
                                      size_t *columns, dps_error *err);
/** Value at (row, column) of the aggregate result.
 *  Returns DPS_OK, DPS_EMISUSE (no result yet), DPS_EINVAL (out of range). */
DPS_API dps_status dps_scan_value(const dps_scan *scan, size_t row,
                                  size_t column, dps_value *out);

/** What the scan has done so far. */
DPS_API dps_status dps_scan_stats_get(const dps_scan *scan,
                                      dps_scan_stats *out);

/** Frees a scan; NULL is a no-op. */
DPS_API void dps_scan_free(dps_scan *scan);

#ifdef __cplusplus
}
#endif

#endif /* DPSNAP_H */
