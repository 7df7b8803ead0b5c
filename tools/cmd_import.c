/*
 * cmd_import.c - `dpsnap import`: a CSV file and its metadata into a
 * snapshot.
 *
 * Two passes over the whole file (memory-mapped): the first infers the
 * types of the columns the descriptor does not type, the second converts
 * every field into column batches for the writer. Conversion never
 * allocates per field: each column owns batch buffers that are reused.
 * Any bad value stops the import before dps_writer_finish, so the output
 * path is left as it was.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Rows handed to the writer per call: big enough to amortise the call,
 * small enough that the batch buffers of wide tables stay modest. */
#define BATCH_ROWS 65536u

static const char import_help[] =
"usage: dpsnap import INPUT.csv OUT.dps (--descriptor FILE.json |\n"
"                     --product DOMAIN.NAME --owner \"TEAM <EMAIL>\")\n"
"                     [--compression auto|zstd|lz4|none] [--read-mbps N]\n"
"                     [--row-group-rows N]\n"
"\n"
"Reads a CSV file and writes it as a snapshot. OUT.dps appears only when\n"
"the whole import succeeds; on any error nothing is written.\n"
"\n"
"options:\n"
"  --descriptor FILE   the product's metadata as JSON (spec/METADATA.md\n"
"                      §3): product, title, description, semver,\n"
"                      snapshot_version, parent_version, created_at,\n"
"                      owner {team, email}, lineage {inputs, job, run_id,\n"
"                      code_version}, properties, and optional column\n"
"                      entries {name, type, nullable, description, tags}.\n"
"                      The output of 'dpsnap meta' is a valid descriptor.\n"
"  --product ID        product id \"domain.name\" (overrides the descriptor)\n"
"  --owner \"TEAM <EMAIL>\"  owning team and contact address (overrides the\n"
"                      descriptor). Every snapshot needs a product and an\n"
"                      owner.\n"
"  --compression C     general-purpose stage after the encodings. auto\n"
"                      (default): per page, none, lz4 or zstd (level 3),\n"
"                      whichever is fastest to read and decode at\n"
"                      --read-mbps; zstd, lz4, none: that codec on every\n"
"                      page it makes smaller\n"
"  --read-mbps N       for auto: the storage read speed in MB/s to weigh\n"
"                      size against decode time (default 100; lower\n"
"                      favours smaller files, higher faster reads)\n"
"  --row-group-rows N  rows per row group, a multiple of 1024\n"
"                      (default 131072)\n"
"\n"
"CSV input (RFC 4180): the first record is the header naming the columns;\n"
"fields are separated by commas, records end with LF or CRLF. A field in\n"
"double quotes may hold commas, line breaks and doubled quotes (\"\").\n"
"An empty unquoted field is NULL; a quoted empty field \"\" is the empty\n"
"string. Every record must have as many fields as the header. Empty\n"
"lines are skipped (except in one-column files, where they are NULLs).\n"
"A UTF-8 byte-order mark is ignored. Text must be UTF-8.\n"
"\n"
"Type inference, for columns the descriptor gives no type: all rows are\n"
"read and each column gets the first of these types that holds every\n"
"non-null value; a column of nulls only is a string. Inferred columns\n"
"are nullable.\n"
"  bool       true, false (any case)\n"
"  int64      -42, +7 (no leading zeros: \"007\" stays a string)\n"
"  float64    1.5, -.5, 1e-3, 2.5E+10, inf, -inf, nan\n"
"  date       YYYY-MM-DD\n"
"  timestamp  YYYY-MM-DD[(T| )hh:mm[:ss[.f]]][Z|+hh:mm|-hh:mm], up to 6\n"
"             fraction digits. A timestamp without a zone is read as UTC:\n"
"             wall-clock times are kept as written. An offset is converted\n"
"             to UTC. Dates mixed with timestamps mean midnight UTC.\n"
"  string     anything else\n"
"\n"
"Descriptor types also allow int8..int64 and uint8..uint64 (range\n"
"checked), float32, decimal(P,S) (exact: [-]digits[.digits] with at most S\n"
"fraction digits and P digits in all), binary (\\x followed by hex digit\n"
"pairs, as 'dpsnap export' writes it), and bool columns also take 1 and 0.\n"
"A column may say \"nullable\": false; an empty field there is an error.\n"
"\n"
"A value that does not fit its column stops the import with the file,\n"
"line, column and value, e.g.\n"
"  dpsnap: flights.csv: line 17, column \"delay\": expected int64, found \"abc\"\n"
"\n"
"exit status: 0 written, 1 bad data or I/O error, 2 bad command line or\n"
"missing product/owner.\n";

/* One CSV column on its way into the snapshot. */
typedef struct column {
  const char *name;             /* header name (in `names`) */
  const cli_column_spec *spec;  /* descriptor entry, or NULL */
  dps_column_view view;         /* as added to the schema */
  int inferred;                 /* type comes from inference */
  unsigned cand;                /* inference: candidate types left */
  int seen;                     /* inference: a non-null value was seen */
  size_t width;                 /* bytes per value (0: offsets + data) */
  void *values;                 /* batch values */
  uint8_t *validity;            /* batch validity bitmap */
  size_t nulls;                 /* nulls in the batch */
  int64_t *offsets;             /* batch offsets (strings, binary) */
  cli_buf data;                 /* batch bytes (strings, binary) */
} column;

typedef struct import_ctx {
  const char *csv_path;      /* for messages */
  cli_csv csv;               /* the reader */
  column *cols;              /* one per header field */
  size_t n_cols;             /* number of columns */
  cli_buf names;             /* header names, NUL-separated */
  dps_array_view *arrays;    /* batch views given to the writer */
  cli_buf msg;               /* scratch for messages */
} import_ctx;

static void free_ctx(import_ctx *x) {
  for (size_t i = 0; i < x->n_cols; i++) {
    free(x->cols[i].values);
    free(x->cols[i].validity);
    free(x->cols[i].offsets);
    cli_buf_free(&x->cols[i].data);
  }
  free(x->cols);
  free(x->arrays);
  cli_buf_free(&x->names);
  cli_buf_free(&x->msg);
  cli_csv_free(&x->csv);
}

/* ---------------------------------------------------------------------- */
/* Header                                                                 */
/* ---------------------------------------------------------------------- */

static int read_header(import_ctx *x, cli_descriptor *d) {
  cli_csv *r = &x->csv;
  int rc = cli_csv_next(r);
  if (rc < 0) return -1;
  if (rc == 0) {
    cli_error("%s: the file is empty; expected a header row naming the "
              "columns", x->csv_path);
    return -1;
  }
  x->n_cols = r->n_fields;
  x->cols = cli_calloc(x->n_cols, sizeof *x->cols);
  /* Copy the names first: they must outlive the reader's current record,
   * and the buffer must not move once pointers into it are taken. */
  size_t *at = cli_calloc(x->n_cols, sizeof *at);
  for (size_t i = 0; i < x->n_cols; i++) {
    at[i] = x->names.len;
    cli_buf_append(&x->names, r->fields[i].ptr, r->fields[i].len);
    cli_buf_putc(&x->names, '\0');
  }
  for (size_t i = 0; i < x->n_cols; i++) {
    column *c = &x->cols[i];
    c->name = x->names.data + at[i];
    if (r->fields[i].len == 0 || strlen(c->name) != r->fields[i].len) {
      cli_error("%s: line 1: header field %zu is %s; every column needs a "
                "name", x->csv_path, i + 1,
                r->fields[i].len == 0 ? "empty" : "holding a NUL byte");
      free(at);
      return -1;
    }
    if (cli_utf8_check((const uint8_t *)c->name, r->fields[i].len) !=
        r->fields[i].len) {
      x->msg.len = 0;
      cli_buf_quote(&x->msg, c->name, r->fields[i].len);
      cli_error("%s: line 1: the name of column %zu, %s, is not valid UTF-8; "
                "convert the file to UTF-8 first", x->csv_path, i + 1,
                cli_buf_cstr(&x->msg));
      free(at);
      return -1;
    }
    for (size_t k = 0; k < i; k++)
      if (strcmp(x->cols[k].name, c->name) == 0) {
        cli_error("%s: line 1: column \"%s\" appears twice in the header "
                  "(fields %zu and %zu); column names must be unique",
                  x->csv_path, c->name, k + 1, i + 1);
        free(at);
        return -1;
      }
    for (size_t k = 0; k < d->n_columns; k++)
      if (strcmp(d->columns[k].name, c->name) == 0) {
        c->spec = &d->columns[k];
        d->columns[k].matched = 1;
      }
  }
  free(at);
  for (size_t k = 0; k < d->n_columns; k++)
    if (!d->columns[k].matched) {
      x->msg.len = 0;
      for (size_t i = 0; i < x->n_cols; i++) {
        if (i != 0) cli_buf_puts(&x->msg, ", ");
        cli_buf_puts(&x->msg, x->cols[i].name);
      }
      cli_error("%s: the descriptor describes column \"%s\", which the CSV "
                "header does not have; the header has: %s", x->csv_path,
                d->columns[k].name, cli_buf_cstr(&x->msg));
      return -1;
    }
  return 0;
}

static int ragged(const import_ctx *x) {
  cli_error("%s: line %llu: expected %zu fields, found %zu", x->csv_path,
            (unsigned long long)x->csv.record_line, x->n_cols,
            x->csv.n_fields);
  return -1;
}

/* ---------------------------------------------------------------------- */
/* Pass 1: inference                                                      */
/* ---------------------------------------------------------------------- */

static int infer_types(import_ctx *x) {
  size_t *active = cli_calloc(x->n_cols, sizeof *active);
  size_t n_active = 0;
  int rc;
  for (size_t i = 0; i < x->n_cols; i++)
    if (x->cols[i].inferred) {
      x->cols[i].cand = CLI_CAND_ALL;
      active[n_active++] = i;
    }
  /* Once every inferred column is down to string, the rest of the file
   * cannot change a type; ragged rows are still caught by pass 2. */
  while (n_active > 0 && (rc = cli_csv_next(&x->csv)) != 0) {
    if (rc < 0 || x->csv.n_fields != x->n_cols) {
      free(active);
      return rc < 0 ? -1 : ragged(x);
    }
    for (size_t k = 0; k < n_active;) {
      column *c = &x->cols[active[k]];
      const cli_csv_field *f = &x->csv.fields[active[k]];
      if (f->len != 0 || f->quoted) {
        c->seen = 1;
        c->cand = cli_infer_narrow(c->cand, f->ptr, f->len);
      }
      if (c->cand == 0) active[k] = active[--n_active];
      else k++;
    }
  }
  free(active);
  for (size_t i = 0; i < x->n_cols; i++) {
    column *c = &x->cols[i];
    if (c->inferred)
      c->view.type = c->seen ? cli_infer_type(c->cand) : DPS_TYPE_STRING;
  }
  return 0;
}

/* ---------------------------------------------------------------------- */
/* Pass 2: conversion                                                     */
/* ---------------------------------------------------------------------- */

static int bad_value(import_ctx *x, const column *c, const cli_csv_field *f,
                     const char *detail) {
  x->msg.len = 0;
  cli_buf_printf(&x->msg, "%s: line %llu, column \"%s\": expected ",
                 x->csv_path, (unsigned long long)f->line, c->name);
  cli_buf_type(&x->msg, &c->view);
  if (detail != NULL) cli_buf_printf(&x->msg, " (%s)", detail);
  cli_buf_puts(&x->msg, ", found ");
  cli_buf_quote(&x->msg, f->ptr, f->len);
  cli_error("%s", cli_buf_cstr(&x->msg));
  return -1;
}

/* Range text for the integer types, to say what would have fitted. */
static const char *int_range(dps_type t) {
  switch (t) {
    case DPS_TYPE_INT8: return "-128..127";
    case DPS_TYPE_INT16: return "-32768..32767";
    case DPS_TYPE_INT32: return "-2147483648..2147483647";
    case DPS_TYPE_INT64: return "-9223372036854775808..9223372036854775807";
    case DPS_TYPE_UINT8: return "0..255";
    case DPS_TYPE_UINT16: return "0..65535";
    case DPS_TYPE_UINT32: return "0..4294967295";
    default: return "0..18446744073709551615";
  }
}

static int convert_int(import_ctx *x, column *c, const cli_csv_field *f,
                       size_t row) {
  int64_t v = 0;
  int64_t lo, hi;
  int rc = cli_parse_int64(f->ptr, f->len, &v);
  switch (c->view.type) {
    case DPS_TYPE_INT8: lo = INT8_MIN, hi = INT8_MAX; break;
    case DPS_TYPE_INT16: lo = INT16_MIN, hi = INT16_MAX; break;
    case DPS_TYPE_INT32: lo = INT32_MIN, hi = INT32_MAX; break;
    case DPS_TYPE_UINT8: lo = 0, hi = UINT8_MAX; break;
    case DPS_TYPE_UINT16: lo = 0, hi = UINT16_MAX; break;
    case DPS_TYPE_UINT32: lo = 0, hi = (int64_t)UINT32_MAX; break;
    default: lo = INT64_MIN, hi = INT64_MAX; break;
  }
  if (rc == CLI_PARSE_SYNTAX) return bad_value(x, c, f, NULL);
  if (rc == CLI_PARSE_RANGE || v < lo || v > hi)
    return bad_value(x, c, f, int_range(c->view.type));
  switch (c->view.type) {
    case DPS_TYPE_INT8: ((int8_t *)c->values)[row] = (int8_t)v; break;
    case DPS_TYPE_INT16: ((int16_t *)c->values)[row] = (int16_t)v; break;
    case DPS_TYPE_INT32: ((int32_t *)c->values)[row] = (int32_t)v; break;
    case DPS_TYPE_UINT8: ((uint8_t *)c->values)[row] = (uint8_t)v; break;
    case DPS_TYPE_UINT16: ((uint16_t *)c->values)[row] = (uint16_t)v; break;
    case DPS_TYPE_UINT32: ((uint32_t *)c->values)[row] = (uint32_t)v; break;
    default: ((int64_t *)c->values)[row] = v; break;
  }
  return 0;
}

static int convert_field(import_ctx *x, column *c, const cli_csv_field *f,
                         size_t row) {
  const char *p = f->ptr;
  size_t n = f->len;
  int rc;
  if (n == 0 && !f->quoted) {
    if (!c->view.nullable) {
      cli_error("%s: line %llu, column \"%s\": empty field (NULL) in a "
                "column declared \"nullable\": false; give a value or allow "
                "nulls in the descriptor", x->csv_path,
                (unsigned long long)f->line, c->name);
      return -1;
    }
    c->validity[row >> 3] &= (uint8_t)~(1u << (row & 7));
    c->nulls++;
    if (c->width == 0) c->offsets[row + 1] = (int64_t)c->data.len;
    else memset((char *)c->values + row * c->width, 0, c->width);
    return 0;
  }
  switch (c->view.type) {
    case DPS_TYPE_BOOL: {
      uint8_t v;
      if (cli_parse_bool(p, n, &v) != CLI_PARSE_OK) {
        /* Typed bool columns also take the 1/0 many exports write. */
        if (n == 1 && (p[0] == '1' || p[0] == '0')) v = p[0] == '1';
        else return bad_value(x, c, f, "true or false");
      }
      ((uint8_t *)c->values)[row] = v;
      return 0;
    }
    case DPS_TYPE_INT8:
    case DPS_TYPE_INT16:
    case DPS_TYPE_INT32:
    case DPS_TYPE_INT64:
    case DPS_TYPE_UINT8:
    case DPS_TYPE_UINT16:
    case DPS_TYPE_UINT32:
      return convert_int(x, c, f, row);
    case DPS_TYPE_UINT64: {
      uint64_t v;
      rc = cli_parse_uint64(p, n, &v);
      if (rc != CLI_PARSE_OK)
        return bad_value(x, c, f,
                         rc == CLI_PARSE_RANGE ? int_range(DPS_TYPE_UINT64)
                                               : NULL);
      ((uint64_t *)c->values)[row] = v;
      return 0;
    }
    case DPS_TYPE_FLOAT32: {
      float v;
      rc = cli_parse_float32(p, n, &v);
      if (rc != CLI_PARSE_OK)
        return bad_value(x, c, f, rc == CLI_PARSE_RANGE ? "out of range"
                                                        : NULL);
      ((float *)c->values)[row] = v;
      return 0;
    }
    case DPS_TYPE_FLOAT64: {
      double v;
      rc = cli_parse_float64(p, n, &v);
      if (rc != CLI_PARSE_OK)
        return bad_value(x, c, f, rc == CLI_PARSE_RANGE ? "out of range"
                                                        : NULL);
      ((double *)c->values)[row] = v;
      return 0;
    }
    case DPS_TYPE_DATE: {
      int32_t v;
      rc = cli_parse_date(p, n, &v);
      if (rc != CLI_PARSE_OK)
        return bad_value(x, c, f, rc == CLI_PARSE_RANGE
                                      ? "no such day" : "YYYY-MM-DD");
      ((int32_t *)c->values)[row] = v;
      return 0;
    }
    case DPS_TYPE_TIMESTAMP: {
      int64_t v;
      rc = cli_parse_timestamp(p, n, &v);
      if (rc != CLI_PARSE_OK)
        return bad_value(x, c, f, rc == CLI_PARSE_RANGE
                                      ? "no such day or time"
                                      : "YYYY-MM-DD hh:mm:ss[.ffffff][Z]");
      ((int64_t *)c->values)[row] = v;
      return 0;
    }
    case DPS_TYPE_DECIMAL: {
      int64_t v;
      int why;
      char detail[64];
      rc = cli_parse_decimal(p, n, c->view.precision, c->view.scale, &v, &why);
      if (rc == CLI_PARSE_RANGE) {
        if (why == CLI_DECIMAL_FRACTION)
          snprintf(detail, sizeof detail, "at most %d fraction digits",
                   c->view.scale);
        else
          snprintf(detail, sizeof detail, "at most %d digits before the "
                   "point", c->view.precision - c->view.scale);
        return bad_value(x, c, f, detail);
      }
      if (rc != CLI_PARSE_OK) return bad_value(x, c, f, "[-]digits[.digits]");
      ((int64_t *)c->values)[row] = v;
      return 0;
    }
    case DPS_TYPE_STRING: {
      size_t bad = cli_utf8_check((const uint8_t *)p, n);
      if (bad != n) {
        x->msg.len = 0;
        cli_buf_quote(&x->msg, p, n);
        cli_error("%s: line %llu, column \"%s\": invalid UTF-8 at byte %zu "
                  "of %s; text must be UTF-8 (convert the file first, e.g. "
                  "iconv -f LATIN1 -t UTF-8)", x->csv_path,
                  (unsigned long long)f->line, c->name, bad + 1,
                  cli_buf_cstr(&x->msg));
        return -1;
      }
      cli_buf_append(&c->data, p, n);
      c->offsets[row + 1] = (int64_t)c->data.len;
      return 0;
    }
    case DPS_TYPE_BINARY:
      if (cli_parse_binary(p, n, &c->data) != CLI_PARSE_OK)
        return bad_value(x, c, f, "\\x followed by pairs of hex digits");
      c->offsets[row + 1] = (int64_t)c->data.len;
      return 0;
  }
  return bad_value(x, c, f, "a type this tool cannot import");
}

static void batch_reset(import_ctx *x) {
  for (size_t i = 0; i < x->n_cols; i++) {
    column *c = &x->cols[i];
    memset(c->validity, 0xFF, BATCH_ROWS / 8);
    c->nulls = 0;
    if (c->width == 0) {
      c->data.len = 0;
      c->offsets[0] = 0;
    }
  }
}

static int batch_flush(import_ctx *x, dps_writer *w, const char *out_path,
                       size_t rows) {
  static const uint8_t no_bytes[1] = {0};
  dps_error err = {0, {0}};
  for (size_t i = 0; i < x->n_cols; i++) {
    column *c = &x->cols[i];
    const uint8_t *data = NULL;
    /* The writer wants a data pointer for every string batch, even one
     * holding only nulls and empty strings, where nothing was appended. */
    if (c->width == 0)
      data = c->data.data != NULL ? (const uint8_t *)c->data.data : no_bytes;
    x->arrays[i] = (dps_array_view){rows, c->nulls != 0 ? c->validity : NULL,
                                    c->width != 0 ? c->values : NULL,
                                    c->width == 0 ? c->offsets : NULL, data};
  }
  dps_status rc = dps_writer_write(w, x->arrays, x->n_cols, rows, &err);
  batch_reset(x);
  if (rc != DPS_OK) {
    cli_lib_error(out_path, &err, rc);
    return -1;
  }
  return 0;
}

static int convert_all(import_ctx *x, dps_writer *w, const char *out_path,
                       uint64_t *n_rows) {
  size_t row = 0;
  int rc;
  x->arrays = cli_calloc(x->n_cols, sizeof *x->arrays);
  for (size_t i = 0; i < x->n_cols; i++) {
    column *c = &x->cols[i];
    c->width = dps_type_width(c->view.type);
    c->validity = cli_malloc(BATCH_ROWS / 8);
    if (c->width != 0) c->values = cli_malloc(BATCH_ROWS * c->width);
    else c->offsets = cli_malloc((BATCH_ROWS + 1) * sizeof *c->offsets);
  }
  batch_reset(x);
  cli_csv_rewind(&x->csv);
  x->csv.skip_blank = 0;
  if (cli_csv_next(&x->csv) <= 0) return -1;  /* the header, read before */
  x->csv.skip_blank = x->n_cols > 1;
  *n_rows = 0;
  while ((rc = cli_csv_next(&x->csv)) != 0) {
    if (rc < 0) return -1;
    if (x->csv.n_fields != x->n_cols) return ragged(x);
    for (size_t i = 0; i < x->n_cols; i++)
      if (convert_field(x, &x->cols[i], &x->csv.fields[i], row) != 0)
        return -1;
    (*n_rows)++;
    if (++row == BATCH_ROWS) {
      if (batch_flush(x, w, out_path, row) != 0) return -1;
      row = 0;
    }
  }
  if (row > 0 && batch_flush(x, w, out_path, row) != 0) return -1;
  return 0;
}

/* ---------------------------------------------------------------------- */
/* The command                                                            */
/* ---------------------------------------------------------------------- */

static int parse_compression(const char *s, dps_compression *out) {
  if (strcmp(s, "auto") == 0) *out = DPS_COMPRESSION_DEFAULT;
  else if (strcmp(s, "zstd") == 0) *out = DPS_COMPRESSION_ZSTD;
  else if (strcmp(s, "lz4") == 0) *out = DPS_COMPRESSION_LZ4;
  else if (strcmp(s, "none") == 0) *out = DPS_COMPRESSION_NONE;
  else return -1;
  return 0;
}

static void print_summary(const import_ctx *x, const char *out_path,
                          uint64_t rows, size_t csv_bytes) {
  struct stat st;
  long long size = stat(out_path, &st) == 0 ? (long long)st.st_size : -1;
  size_t width = 4;
  for (size_t i = 0; i < x->n_cols; i++)
    if (strlen(x->cols[i].name) > width) width = strlen(x->cols[i].name);
  if (width > 40) width = 40;
  printf("%s: %llu row%s, %zu column%s, %lld bytes (CSV: %zu bytes)\n",
         out_path, (unsigned long long)rows, rows == 1 ? "" : "s", x->n_cols,
         x->n_cols == 1 ? "" : "s", size, csv_bytes);
  cli_buf type = {NULL, 0, 0};
  for (size_t i = 0; i < x->n_cols; i++) {
    const column *c = &x->cols[i];
    type.len = 0;
    cli_buf_type(&type, &c->view);
    printf("  %-*s  %-14s %-9s %s\n", (int)width, c->name, cli_buf_cstr(&type),
           c->view.nullable ? "nullable" : "not null",
           c->inferred ? "(inferred)" : "(descriptor)");
  }
  cli_buf_free(&type);
}

int cli_cmd_import(int argc, char **argv) {
  const char *descriptor = NULL, *product = NULL, *owner = NULL;
  const char *compression = NULL, *rg_rows = NULL, *read_mbps = NULL;
  const cli_option opts[] = {
      {"descriptor", 0, &descriptor, NULL},
      {"product", 0, &product, NULL},
      {"owner", 0, &owner, NULL},
      {"compression", 0, &compression, NULL},
      {"row-group-rows", 0, &rg_rows, NULL},
      {"read-mbps", 0, &read_mbps, NULL},
  };
  const char *pos[2];
  size_t n_pos;
  int rc = cli_parse_args("import", argc, argv, opts,
                          sizeof opts / sizeof opts[0], pos, 2, &n_pos);
  if (rc == CLI_HELP) {
    fputs(import_help, stdout);
    return CLI_EXIT_OK;
  }
  if (rc != CLI_EXIT_OK) return rc;
  if (n_pos < 2)
    return cli_usage("import", "expected INPUT.csv and OUT.dps");

  dps_write_options wopts = DPS_WRITE_OPTIONS_INIT;
  if (compression != NULL &&
      parse_compression(compression, &wopts.compression) != 0)
    return cli_usage("import", "unknown compression '%s'; expected auto, "
                     "zstd, lz4 or none", compression);
  if (read_mbps != NULL) {
    uint64_t v;
    if (cli_parse_u64(read_mbps, &v) != 0 || v < 1 || v > 100000)
      return cli_usage("import", "--read-mbps must be an integer from 1 to "
                       "100000, found '%s'", read_mbps);
    wopts.read_mb_per_s = (uint32_t)v;
  }
  if (rg_rows != NULL) {
    uint64_t v;
    if (cli_parse_u64(rg_rows, &v) != 0 || v < 1024 || v > (1u << 30) ||
        v % 1024 != 0)
      return cli_usage("import", "--row-group-rows must be a multiple of "
                       "1024 between 1024 and 1073741824, found '%s'",
                       rg_rows);
    wopts.row_group_rows = (uint32_t)v;
  }

  cli_descriptor d;
  if (descriptor != NULL) {
    if (cli_descriptor_load(&d, descriptor) != 0) {
      cli_descriptor_free(&d);
      return CLI_EXIT_DATA;
    }
  } else {
    cli_descriptor_init(&d);
  }
  if (product != NULL) d.meta.product = product;
  if (owner != NULL && cli_descriptor_set_owner(&d, owner) != 0) {
    cli_descriptor_free(&d);
    return cli_usage("import", "--owner must look like \"TEAM <EMAIL>\", "
                     "e.g. --owner \"Aviation analytics "
                     "<aviation-data@example.org>\"; found '%s'", owner);
  }
  if (d.meta.product == NULL || d.meta.product[0] == '\0') {
    cli_descriptor_free(&d);
    return cli_usage("import", "the snapshot needs a product id: pass "
                     "--product DOMAIN.NAME or give \"product\" in the "
                     "descriptor");
  }
  if (d.meta.owner_team == NULL || d.meta.owner_team[0] == '\0' ||
      d.meta.owner_email == NULL || d.meta.owner_email[0] == '\0') {
    cli_descriptor_free(&d);
    return cli_usage("import", "the snapshot needs an owner: pass --owner "
                     "\"TEAM <EMAIL>\" or give \"owner\": {\"team\": ..., "
                     "\"email\": ...} in the descriptor");
  }

  const char *in_path = pos[0], *out_path = pos[1];
  import_ctx x;
  cli_file f;
  memset(&x, 0, sizeof x);
  x.csv_path = strcmp(in_path, "-") == 0 ? "standard input" : in_path;
  if (cli_file_load(&f, in_path) != 0) {
    cli_descriptor_free(&d);
    return CLI_EXIT_DATA;
  }
  cli_csv_init(&x.csv, x.csv_path, f.data, f.size);

  dps_schema *schema = NULL;
  dps_writer *w = NULL;
  dps_error err = {0, {0}};
  dps_status st;
  uint64_t rows = 0;
  int status = CLI_EXIT_DATA, need_inference = 0;
  if (read_header(&x, &d) != 0) goto done;
  x.csv.skip_blank = x.n_cols > 1;
  for (size_t i = 0; i < x.n_cols; i++) {
    column *c = &x.cols[i];
    const cli_column_spec *s = c->spec;
    c->view.name = c->name;
    c->view.nullable = s != NULL ? s->nullable : 1;
    if (s != NULL && s->has_type) {
      c->view.type = s->type;
      c->view.precision = s->precision;
      c->view.scale = s->scale;
    } else {
      c->inferred = 1;
      need_inference = 1;
    }
    if (s != NULL) {
      c->view.description = s->description;
      c->view.tags = s->tags;
      c->view.n_tags = s->n_tags;
    }
  }
  if (need_inference && infer_types(&x) != 0) goto done;

  st = dps_schema_new(&schema, &err);
  for (size_t i = 0; st == DPS_OK && i < x.n_cols; i++)
    st = dps_schema_add_column(schema, &x.cols[i].view, &err);
  if (st != DPS_OK) {
    cli_lib_error(x.csv_path, &err, st);
    goto done;
  }
  st = dps_writer_open(&w, out_path, schema, &d.meta, &wopts, &err);
  if (st != DPS_OK) {
    cli_lib_error(out_path, &err, st);
    /* The product id, semver or owner address is malformed: like a missing
     * owner, that is fixed on the command line or in the descriptor. */
    if (st == DPS_EINVAL || st == DPS_EPOLICY) status = CLI_EXIT_USAGE;
    goto done;
  }
  if (convert_all(&x, w, out_path, &rows) != 0) goto done;
  st = dps_writer_finish(w, &err);
  if (st != DPS_OK) {
    cli_lib_error(out_path, &err, st);
    goto done;
  }
  print_summary(&x, out_path, rows, f.size);
  status = CLI_EXIT_OK;
done:
  /* Freeing an unfinished writer abandons its temporary file, so a failed
   * import leaves no output behind. */
  dps_writer_free(w);
  dps_schema_free(schema);
  free_ctx(&x);
  cli_file_release(&f);
  cli_descriptor_free(&d);
  return status;
}
