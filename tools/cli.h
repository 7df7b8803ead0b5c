/*
 * cli.h - internals shared by the source files of the dpsnap tool.
 *
 * The tool is built on the public API (include/dpsnap.h) alone, like any
 * other program using the library; nothing here is exported. Names use the
 * `cli_` prefix so that they never clash with the library's `dps_`.
 */
#ifndef DPSNAP_TOOLS_CLI_H
#define DPSNAP_TOOLS_CLI_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "dpsnap.h"

#if defined(__GNUC__)
#  define CLI_PRINTF(f, a) __attribute__((format(printf, f, a)))
#  define CLI_NORETURN __attribute__((noreturn))
#else
#  define CLI_PRINTF(f, a)
#  define CLI_NORETURN
#endif

/* ---------------------------------------------------------------------- */
/* Exit codes and messages (util.c)                                       */
/* ---------------------------------------------------------------------- */

enum {
  CLI_EXIT_OK = 0,     /* the command did what was asked */
  CLI_EXIT_DATA = 1,   /* bad input data, a damaged file or an I/O error */
  CLI_EXIT_USAGE = 2   /* the command line (or required metadata) is wrong */
};

/** Prints "dpsnap: <formatted message>\n" on stderr. */
void cli_error(const char *fmt, ...) CLI_PRINTF(1, 2);

/** Prints a usage problem of command `cmd` and where to find help on
 *  stderr; returns CLI_EXIT_USAGE so callers can `return cli_usage(...)`. */
int cli_usage(const char *cmd, const char *fmt, ...) CLI_PRINTF(2, 3);

/** Prints the message of a failed library call. The library's messages
 *  start with the file name for file errors; `path` is prefixed only when
 *  the message does not already name it. */
void cli_lib_error(const char *path, const dps_error *err, int code);

/** Prints "dpsnap: out of memory" and exits with CLI_EXIT_DATA. */
CLI_NORETURN void cli_oom(void);

/** malloc/calloc/realloc that never return NULL (they call cli_oom). */
void *cli_malloc(size_t size);
void *cli_calloc(size_t count, size_t size);
void *cli_realloc(void *ptr, size_t size);
char *cli_strndup(const char *s, size_t n);

/* ---------------------------------------------------------------------- */
/* Command-line options (util.c)                                          */
/* ---------------------------------------------------------------------- */

/* One option of a command. Exactly one of `value` and `flag` is set. */
typedef struct cli_option {
  const char *name;    /* long name without the leading "--" */
  char short_name;     /* one-letter alias ("-o"), or 0 */
  const char **value;  /* receives the option's argument, or NULL */
  int *flag;           /* set to 1 when the option is present, or NULL */
} cli_option;

#define CLI_HELP (-1)

/** Parses argv[1..argc) of command `cmd` (argv[0] is the command name).
 *  Options may come before, between or after positional arguments;
 *  "--name=value" and "--name value" are both accepted, "--" ends the
 *  options. Up to `max_pos` positional arguments go to `pos` (count in
 *  *n_pos). Returns CLI_EXIT_OK, CLI_HELP when -h/--help was given, or
 *  CLI_EXIT_USAGE after printing what is wrong. */
int cli_parse_args(const char *cmd, int argc, char **argv,
                   const cli_option *opts, size_t n_opts,
                   const char **pos, size_t max_pos, size_t *n_pos);

/** Parses a decimal unsigned integer (digits only). Returns 0 or -1. */
int cli_parse_u64(const char *s, uint64_t *out);

/* ---------------------------------------------------------------------- */
/* Byte buffers and output (util.c)                                       */
/* ---------------------------------------------------------------------- */

/* A growable byte buffer; the zero value is an empty buffer. */
typedef struct cli_buf {
  char *data;  /* bytes, or NULL when nothing was ever reserved */
  size_t len;  /* bytes in use */
  size_t cap;  /* bytes allocated */
} cli_buf;

void cli_buf_reserve(cli_buf *b, size_t extra);
void cli_buf_append(cli_buf *b, const void *p, size_t n);
void cli_buf_puts(cli_buf *b, const char *s);
void cli_buf_printf(cli_buf *b, const char *fmt, ...) CLI_PRINTF(2, 3);
/** Makes data a NUL-terminated string (the NUL is not counted in len). */
const char *cli_buf_cstr(cli_buf *b);
void cli_buf_free(cli_buf *b);

static inline void cli_buf_putc(cli_buf *b, char c) {
  if (b->len == b->cap) cli_buf_reserve(b, 1);
  b->data[b->len++] = c;
}

/* Output through a large buffer; write errors are remembered and reported
 * once by cli_out_close, so per-value code needs no error paths. */
typedef struct cli_out {
  FILE *fp;          /* destination */
  const char *name;  /* for messages: a path or "standard output" */
  cli_buf buf;       /* pending bytes */
  int failed;        /* errno of the first failed write, or 0 */
} cli_out;

void cli_out_init(cli_out *o, FILE *fp, const char *name);
/** Writes pending bytes once the buffer holds more than about 1 MiB. */
void cli_out_maybe_flush(cli_out *o);
/** Writes everything; returns 0 or -1 after printing the error. Does not
 *  close fp. Frees the buffer. */
int cli_out_finish(cli_out *o);

/* ---------------------------------------------------------------------- */
/* Input files (util.c)                                                   */
/* ---------------------------------------------------------------------- */

/* The whole content of an input file, memory-mapped when possible. */
typedef struct cli_file {
  const char *data;  /* content (not NUL-terminated) */
  size_t size;       /* bytes */
  void *map;         /* mmap base, or NULL */
  char *heap;        /* malloc'd copy (pipes, stdin), or NULL */
} cli_file;

/** Loads `path` ("-" = standard input). Returns 0, or -1 after printing
 *  the error. */
int cli_file_load(cli_file *f, const char *path);
void cli_file_release(cli_file *f);

/* ---------------------------------------------------------------------- */
/* Text helpers (util.c)                                                  */
/* ---------------------------------------------------------------------- */

/** Index of the first byte of p[0..n) that does not start or continue a
 *  valid UTF-8 sequence (RFC 3629), or n when all is valid. */
size_t cli_utf8_check(const uint8_t *p, size_t n);

/** Appends p[0..n) as a double-quoted value for a message: control bytes
 *  and invalid UTF-8 escaped (\n, \xNN), long values shortened. */
void cli_buf_quote(cli_buf *b, const char *p, size_t n);

/** Levenshtein distance between two strings (for "did you mean"). */
size_t cli_edit_distance(const char *a, const char *b);

/** Appends "b, c, d" with the column names of `schema` to `b`. */
void cli_buf_column_list(cli_buf *b, const dps_schema *schema);

/* ---------------------------------------------------------------------- */
/* Calendar (util.c)                                                      */
/* ---------------------------------------------------------------------- */

/** Days since 1970-01-01 of the proleptic Gregorian date y-m-d. */
int64_t cli_days_from_civil(int64_t y, unsigned m, unsigned d);
/** Inverse of cli_days_from_civil. */
void cli_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d);

/* ---------------------------------------------------------------------- */
/* CSV reading (csv.c)                                                    */
/* ---------------------------------------------------------------------- */

/* One field of the current record. Points into the input, or into the
 * reader's scratch buffer for a quoted field holding doubled quotes. */
typedef struct cli_csv_field {
  const char *ptr;   /* first byte of the value (quotes removed) */
  size_t len;        /* bytes of the value */
  uint64_t line;     /* physical line (1-based) where the field starts */
  int quoted;        /* the field was enclosed in double quotes */
  size_t scratch_at; /* reader-internal: offset of an unescaped value */
} cli_csv_field;

typedef struct cli_csv {
  const char *path;       /* for messages */
  const char *data;       /* input bytes */
  size_t size;            /* input length */
  size_t start;           /* first byte after a byte-order mark */
  size_t pos;             /* next byte to read */
  uint64_t line;          /* physical line of data[pos] */
  int skip_blank;         /* non-zero: empty lines are not records */
  cli_csv_field *fields;  /* fields of the current record */
  size_t n_fields;        /* fields in the current record */
  size_t cap_fields;      /* allocated entries of `fields` */
  cli_buf scratch;        /* unescaped values of the current record */
  uint64_t record_line;   /* physical line where the current record starts */
} cli_csv;

/** Starts reading data[0..size) (a UTF-8 byte-order mark is skipped). */
void cli_csv_init(cli_csv *r, const char *path, const char *data, size_t size);
/** Reads the next record into r->fields. Returns 1 for a record, 0 at the
 *  end of the input, -1 after printing a syntax error (unclosed quote, a
 *  character after a closing quote). */
int cli_csv_next(cli_csv *r);
/** Restarts from the first record (for a second pass). */
void cli_csv_rewind(cli_csv *r);
void cli_csv_free(cli_csv *r);

/* ---------------------------------------------------------------------- */
/* Values from text (infer.c)                                             */
/* ---------------------------------------------------------------------- */

/* Result of the value parsers. */
enum {
  CLI_PARSE_OK = 0,      /* parsed */
  CLI_PARSE_SYNTAX = -1, /* not a value of the type */
  CLI_PARSE_RANGE = -2   /* well-formed but outside the type's range */
};

int cli_parse_bool(const char *p, size_t n, uint8_t *out);
int cli_parse_int64(const char *p, size_t n, int64_t *out);
int cli_parse_uint64(const char *p, size_t n, uint64_t *out);
int cli_parse_float64(const char *p, size_t n, double *out);
int cli_parse_float32(const char *p, size_t n, float *out);
int cli_parse_date(const char *p, size_t n, int32_t *out);
/** Accepts YYYY-MM-DD[(T| )hh:mm[:ss[.f{1,6}]]][Z|(+|-)hh:mm]; no zone
 *  means UTC. */
int cli_parse_timestamp(const char *p, size_t n, int64_t *out);
/* What a decimal has too many of, on CLI_PARSE_RANGE. */
enum { CLI_DECIMAL_FRACTION = 1, CLI_DECIMAL_INTEGER = 2 };

/** Parses [+-]digits[.digits] into an unscaled value of decimal(P,S).
 *  On CLI_PARSE_RANGE, *why is CLI_DECIMAL_FRACTION (more than S fraction
 *  digits) or CLI_DECIMAL_INTEGER (more than P-S digits before the point). */
int cli_parse_decimal(const char *p, size_t n, int precision, int scale,
                      int64_t *out, int *why);
/** Parses "\x" followed by pairs of hex digits, appending the bytes. */
int cli_parse_binary(const char *p, size_t n, cli_buf *out);

/* Candidate types during inference, as bits (unsigned, unlike enum
 * constants, so that ~ gives a mask). */
#define CLI_CAND_BOOL 1u
#define CLI_CAND_INT64 2u
#define CLI_CAND_FLOAT64 4u
#define CLI_CAND_DATE 8u
#define CLI_CAND_TIMESTAMP 16u
#define CLI_CAND_ALL 31u

/** Removes from `cand` the candidate types that cannot hold p[0..n). */
unsigned cli_infer_narrow(unsigned cand, const char *p, size_t n);
/** The narrowest type left in `cand` (string when none). */
dps_type cli_infer_type(unsigned cand);

/* ---------------------------------------------------------------------- */
/* Descriptors and metadata as JSON (descriptor.c)                        */
/* ---------------------------------------------------------------------- */

/* A descriptor's entry for one column. */
typedef struct cli_column_spec {
  const char *name;         /* CSV header name */
  int has_type;             /* the entry gives a type */
  dps_type type;            /* the type, when has_type */
  int precision;            /* decimal only */
  int scale;                /* decimal only */
  int nullable;             /* default 1 */
  const char *description;  /* or NULL */
  const char **tags;        /* n_tags entries */
  size_t n_tags;            /* number of tags */
  int matched;              /* set by import once a CSV column uses it */
} cli_column_spec;

/* Everything `dpsnap import` takes from a descriptor and the command line.
 * Strings point into the parsed JSON or into owned copies. */
typedef struct cli_descriptor {
  void *json;                   /* parsed document (json_t *), or NULL */
  dps_snapshot_meta meta;       /* what the writer is given */
  dps_lineage_input *inputs;    /* owned array behind meta.inputs */
  dps_property *properties;     /* owned array behind meta.properties */
  cli_column_spec *columns;     /* descriptor columns */
  size_t n_columns;             /* number of descriptor columns */
  char *owner_copy;             /* owned strings from --owner */
} cli_descriptor;

/** Loads the descriptor at `path` into *d (zeroed first). Returns 0 or -1
 *  after printing what is wrong and where. */
int cli_descriptor_load(cli_descriptor *d, const char *path);
/** Initialises an empty descriptor (no file). */
void cli_descriptor_init(cli_descriptor *d);
/** Applies --owner "TEAM <EMAIL>". Returns 0 or -1 (malformed). */
int cli_descriptor_set_owner(cli_descriptor *d, const char *owner);
void cli_descriptor_free(cli_descriptor *d);

/** Parses a type name as in a descriptor ("int32", "decimal(10,2)").
 *  Returns 0 or -1. */
int cli_type_parse(const char *s, dps_type *type, int *precision, int *scale);
/** Appends a column's type as text ("decimal(10,2)", "int64"). */
void cli_buf_type(cli_buf *b, const dps_column_view *col);

/** Appends a timestamp as ISO 8601 UTC: YYYY-MM-DDThh:mm:ss[.ffffff]Z, the
 *  fraction only when non-zero unless `always_fraction`. */
void cli_buf_timestamp(cli_buf *b, int64_t micros, int always_fraction);
/** Appends a date as YYYY-MM-DD. */
void cli_buf_date(cli_buf *b, int64_t days);

/** The `columns` array of spec/METADATA.md §2 (json_t *, caller's). */
void *cli_json_columns(const dps_schema *schema);
/** The whole metadata object of spec/METADATA.md §2 (json_t *). */
void *cli_json_meta(const dps_reader *reader);
/** Prints a json_t * with two-space indentation and a final newline, then
 *  releases it. Returns 0, or -1 after printing a write error. */
int cli_json_print(void *json);

/* ---------------------------------------------------------------------- */
/* Value formatting (print.c)                                             */
/* ---------------------------------------------------------------------- */

typedef enum cli_style {
  CLI_STYLE_TEXT,   /* plain text: CSV before quoting, table cells */
  CLI_STYLE_JSON    /* a JSON value */
} cli_style;

/** Appends value `i` of `array` (a column of type `col`) in `style`.
 *  Nulls are appended as nothing (TEXT) or `null` (JSON). */
void cli_format_value(cli_buf *b, const dps_column_view *col,
                      const dps_array_view *array, size_t i, cli_style style);

/** Appends a float64 in the shortest of %.15g/%.16g/%.17g that reads back
 *  bit-exactly ("nan", "inf", "-inf" for the specials). */
void cli_buf_double(cli_buf *b, double v);
void cli_buf_i64(cli_buf *b, int64_t v);
void cli_buf_u64(cli_buf *b, uint64_t v);
/** Appends p[0..n) as a JSON string literal. */
void cli_buf_json_string(cli_buf *b, const char *p, size_t n);

typedef enum cli_format {
  CLI_FORMAT_TABLE,
  CLI_FORMAT_CSV,
  CLI_FORMAT_JSONL
} cli_format;

/** Parses "table", "csv" or "jsonl". Returns 0 or -1. */
int cli_format_parse(const char *s, cli_format *out);

/** Streams columns `cols` (schema indexes, n_cols of them) of the first
 *  `limit` rows (UINT64_MAX = all) of `reader` to `out` as CSV or JSON
 *  lines. Returns CLI_EXIT_OK or CLI_EXIT_DATA after printing the error. */
int cli_write_rows(dps_reader *reader, const char *path, const size_t *cols,
                   size_t n_cols, uint64_t limit, cli_format format,
                   cli_out *out);

/* Where cli_write_batches takes its batches from (a cursor, a scan). */
typedef dps_status (*cli_next_batch)(void *source, const dps_batch **batch,
                                     dps_error *err);

/** The same for the batches `next` yields from `source`, whose columns are
 *  `views`: a CSV header, then the first `limit` rows. */
int cli_write_batches(cli_next_batch next, void *source, const char *path,
                      const dps_column_view *views, size_t n_cols,
                      uint64_t limit, cli_format format, cli_out *out);

/** A CSV field holding text, quoted only when it has to be (a comma,
 *  quote, CR or LF inside, or the empty string, which must differ from
 *  the empty unquoted field that stands for null). */
void cli_csv_text(cli_buf *b, const char *p, size_t n);

/* ---------------------------------------------------------------------- */
/* Commands (cmd_*.c)                                                     */
/* ---------------------------------------------------------------------- */

int cli_cmd_import(int argc, char **argv);
int cli_cmd_info(int argc, char **argv);
int cli_cmd_schema(int argc, char **argv);
int cli_cmd_meta(int argc, char **argv);
int cli_cmd_scan(int argc, char **argv);
int cli_cmd_export(int argc, char **argv);
int cli_cmd_verify(int argc, char **argv);

/** Opens a snapshot for reading; on failure prints the error and returns
 *  NULL. */
dps_reader *cli_open_reader(const char *path);

/** Resolves a comma-separated list of column names against `schema` into
 *  a new array of indexes (caller frees). On an unknown name prints the
 *  nearest names and returns NULL with *status = CLI_EXIT_USAGE. */
size_t *cli_resolve_columns(const char *cmd, const char *path,
                            const dps_schema *schema, const char *list,
                            size_t *n_out, int *status);

#endif /* DPSNAP_TOOLS_CLI_H */
