/*
 * cmd_scan.c - `dpsnap scan`: rows of a snapshot as an aligned table, CSV
 * or JSON lines; with --where only the rows a predicate selects, with
 * --agg aggregates (per group with --group-by) instead of rows.
 */
#include "cli.h"
#include "expr.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Rows a table shows when no --limit is given: a look, not a dump. */
#define TABLE_DEFAULT_ROWS 40u
/* Longest cell of a table, in characters; longer values are cut. */
#define TABLE_CELL_MAX 60u

static const char scan_help[] =
"usage: dpsnap scan FILE [--where EXPR] [--columns a,b,...] [--limit N]\n"
"                   [--format table|csv|jsonl] [--threads N] [--stats]\n"
"       dpsnap scan FILE --agg LIST [--group-by a[,b]] [--where EXPR]\n"
"                   [--limit N] [--format table|csv|jsonl] [--threads N]\n"
"                   [--stats]\n"
"\n"
"Prints rows of a snapshot, all or those a predicate selects, or\n"
"aggregates over them.\n"
"\n"
"options:\n"
"  --where EXPR     only the rows where EXPR is true (grammar below)\n"
"  --columns LIST   comma-separated column names, in the order wanted\n"
"                   (default: all columns)\n"
"  --limit N        at most N rows (table default: 40; csv and jsonl\n"
"                   default: all rows; with --agg: all result rows)\n"
"  --format F       table (default): aligned columns, numbers\n"
"                   right-aligned, NULL for nulls, control characters\n"
"                   escaped, cells cut at 60 characters, and a last line\n"
"                   counting the rows; csv or jsonl: as 'dpsnap export'\n"
"                   writes them\n"
"  --agg LIST       comma-separated aggregates instead of rows: count(*),\n"
"                   count(e), sum(e), min(e), max(e), avg(e); e is a\n"
"                   column, or + - * and parentheses over numeric columns\n"
"                   and numbers: sum(l_extendedprice*(1-l_discount));\n"
"                   exact for integers and decimals (a row that overflows\n"
"                   64 bits fails the scan), in floats with a float in it\n"
"                   (1e0*x)\n"
"  --group-by A[,B] one result row per distinct value of one or two\n"
"                   columns (needs --agg), sorted by them, nulls last\n"
"  --threads N      threads to scan with (default 0: one per CPU); rows\n"
"                   and results come out the same whatever N\n"
"  --stats          afterwards, print on standard error what the scan\n"
"                   did, one 'scan: key: value' per line: time, threads,\n"
"                   row groups, pages and vectors (1024 rows) skipped by\n"
"                   zone maps, pages and bytes read, rows scanned and\n"
"                   matched, predicates answered on dictionary codes\n"
"\n";

/* Second part of the help: C11 compilers need only take string literals
 * of 4095 characters. */
static const char scan_help_where[] =
"--where EXPR, keywords in any case:\n"
"  compare    col = 24, col != 'x' (or <>), <, <=, >, >=: a column and a\n"
"             literal, in either order\n"
"  ranges     col between 1 and 9 (both ends included), col not between\n"
"  sets       col in (1, 2, 3), col not in ('a', 'b')\n"
"  nulls      col is null, col is not null\n"
"  prefixes   starts_with(col, 'abc')\n"
"  logic      not, and, or (binding in that order), ( ); a bool column\n"
"             alone means col = true\n"
"  literals   24, -3, 18446744073709551615; 0.05 (an exact decimal);\n"
"             2.5e-3, inf, nan (floats); 'text' ('' for a quote);\n"
"             true, false; date 'YYYY-MM-DD'; timestamp 'YYYY-MM-DD\n"
"             hh:mm[:ss[.ffffff]]' (UTC); a plain 'YYYY-MM-DD' string\n"
"             also works with date and timestamp columns\n"
"  names      letters, digits, _ and . as in l_shipdate; \"double quotes\"\n"
"             for any other name or one that is a keyword (and, or,\n"
"             not, between, in, is, null, true, false, inf, nan)\n"
"Numbers compare with numeric columns by exact value, dates and\n"
"timestamps with date and timestamp columns, strings with string and\n"
"binary columns, true and false with bool columns; anything else is an\n"
"error. Nulls follow SQL: a comparison with a null is neither true nor\n"
"false, so neither it nor its 'not' selects the row; use is null.\n"
"\n"
"example (TPC-H Q6):\n"
"  dpsnap scan lineitem.dps --agg 'sum(l_extendedprice*l_discount)' \\\n"
"    --where \"l_shipdate >= date '1994-01-01' and l_shipdate <\n"
"    date '1995-01-01' and l_discount between 0.05 and 0.07 and\n"
"    l_quantity < 24\"\n"
"\n"
"With --agg the result has the --group-by columns, then one column per\n"
"aggregate headed by its text as written. Counts, and sums of integers\n"
"and decimals, are exact; avg is a float; min and max have the column's\n"
"type. In jsonl, numbers (decimals too) are JSON numbers written\n"
"exactly; dates, timestamps, strings and non-finite floats are JSON\n"
"strings.\n"
"\n"
"exit status: 0 ok, 1 the file cannot be read or is damaged, or an\n"
"aggregate's arithmetic overflows 64 bits in a row, 2 bad command line,\n"
"unknown column or bad expression (the message gives its position).\n";

static int is_numeric(dps_type t) {
  switch (t) {
    case DPS_TYPE_INT8: case DPS_TYPE_INT16: case DPS_TYPE_INT32:
    case DPS_TYPE_INT64: case DPS_TYPE_UINT8: case DPS_TYPE_UINT16:
    case DPS_TYPE_UINT32: case DPS_TYPE_UINT64: case DPS_TYPE_FLOAT32:
    case DPS_TYPE_FLOAT64: case DPS_TYPE_DECIMAL:
      return 1;
    default:
      return 0;
  }
}

/* Characters on screen: UTF-8 continuation bytes take no column. */
static size_t display_width(const char *p, size_t n) {
  size_t w = 0;
  for (size_t i = 0; i < n; i++) w += ((uint8_t)p[i] & 0xC0) != 0x80;
  return w;
}

/* A string cell: control characters escaped so that a value never breaks
 * the table's lines, and cut after TABLE_CELL_MAX characters. */
static void table_text(cli_buf *b, const char *p, size_t n) {
  size_t chars = 0;
  for (size_t i = 0; i < n; i++) {
    uint8_t c = (uint8_t)p[i];
    if ((c & 0xC0) != 0x80 && ++chars > TABLE_CELL_MAX) {
      cli_buf_puts(b, "...");
      return;
    }
    if (c == '\n') cli_buf_puts(b, "\\n");
    else if (c == '\r') cli_buf_puts(b, "\\r");
    else if (c == '\t') cli_buf_puts(b, "\\t");
    else if (c < 0x20 || c == 0x7F) cli_buf_printf(b, "\\x%02x", c);
    else cli_buf_putc(b, (char)c);
  }
}

static void pad(cli_buf *b, size_t n) {
  while (n-- > 0) cli_buf_putc(b, ' ');
}

/* ---------------------------------------------------------------------- */
/* Aligned tables                                                         */
/* ---------------------------------------------------------------------- */

/* Cells are collected first: column widths depend on every row. */
typedef struct table {
  size_t n_cols;         /* columns */
  const char **headers;  /* n_cols names (borrowed) */
  int *right;            /* n_cols flags: right-align (numbers) */
  size_t *widths;        /* n_cols widths in characters */
  cli_buf cells;         /* the cells' text, one after the other */
  size_t *cell_at;       /* start of cell k in `cells`; one extra entry */
  size_t n_cells;        /* cells so far */
  size_t cap_cells;      /* allocated entries of cell_at */
} table;

static void table_init(table *t, size_t n_cols) {
  memset(t, 0, sizeof *t);
  t->n_cols = n_cols;
  t->headers = cli_calloc(n_cols, sizeof *t->headers);
  t->right = cli_calloc(n_cols, sizeof *t->right);
  t->widths = cli_calloc(n_cols, sizeof *t->widths);
}

static void table_header(table *t, size_t j, const char *name, int right) {
  t->headers[j] = name;
  t->right[j] = right;
  t->widths[j] = display_width(name, strlen(name));
}

/* Starts the next cell; its text is appended to the returned buffer. */
static cli_buf *table_cell(table *t) {
  if (t->n_cells + 2 > t->cap_cells) {
    t->cap_cells = t->cap_cells != 0 ? t->cap_cells * 2 : 256;
    t->cell_at = cli_realloc(t->cell_at, t->cap_cells * sizeof *t->cell_at);
  }
  t->cell_at[t->n_cells++] = t->cells.len;
  return &t->cells;
}

/* Ends the cell table_cell started. */
static void table_cell_done(table *t) {
  size_t k = t->n_cells - 1, j = k % t->n_cols;
  size_t w = display_width(t->cells.data + t->cell_at[k],
                           t->cells.len - t->cell_at[k]);
  if (w > t->widths[j]) t->widths[j] = w;
}

/* A text cell: escaped and cut (table_text). */
static void table_text_cell(table *t, const char *p, size_t n) {
  table_text(table_cell(t), p, n);
  table_cell_done(t);
}

static void table_line(table *t, cli_buf *b, size_t j, const char *p,
                       size_t n) {
  size_t w = display_width(p, n);
  if (j != 0) cli_buf_puts(b, "  ");
  if (t->right[j]) pad(b, t->widths[j] - w);
  cli_buf_append(b, p, n);
  if (!t->right[j] && j + 1 < t->n_cols) pad(b, t->widths[j] - w);
}

/* Writes the header, the rule and the rows (not the last line). */
static void table_emit(table *t, cli_out *out) {
  cli_buf *b = &out->buf;
  if (t->cell_at == NULL) {
    t->cap_cells = 1;
    t->cell_at = cli_calloc(1, sizeof *t->cell_at);
  }
  t->cell_at[t->n_cells] = t->cells.len;
  for (size_t j = 0; j < t->n_cols; j++)
    table_line(t, b, j, t->headers[j], strlen(t->headers[j]));
  cli_buf_putc(b, '\n');
  for (size_t j = 0; j < t->n_cols; j++) {
    if (j != 0) cli_buf_puts(b, "  ");
    for (size_t k = 0; k < t->widths[j]; k++) cli_buf_putc(b, '-');
  }
  cli_buf_putc(b, '\n');
  size_t line_start = b->len;
  for (size_t k = 0; k < t->n_cells; k++) {
    size_t j = k % t->n_cols;
    table_line(t, b, j, t->cells.data + t->cell_at[k],
               t->cell_at[k + 1] - t->cell_at[k]);
    if (j + 1 == t->n_cols) {
      /* An empty last cell would leave the separator dangling. */
      while (b->len > line_start && b->data[b->len - 1] == ' ') b->len--;
      cli_buf_putc(b, '\n');
      cli_out_maybe_flush(out);
      line_start = b->len;
    }
  }
}

static void table_free(table *t) {
  cli_buf_free(&t->cells);
  free(t->cell_at);
  free(t->widths);
  free(t->right);
  free(t->headers);
}

/* ---------------------------------------------------------------------- */
/* Rows: from a cursor (every row) or a scan (the selected rows)          */
/* ---------------------------------------------------------------------- */

/* Where batches come from; exactly one member is set. */
typedef struct row_source {
  dps_cursor *cursor;  /* every row */
  dps_scan *scan;      /* the rows a predicate selects */
} row_source;

static dps_status source_next(row_source *s, const dps_batch **batch,
                              dps_error *err) {
  return s->scan != NULL ? dps_scan_next(s->scan, batch, err)
                         : dps_cursor_next(s->cursor, batch, err);
}

/* The rows as a table. `total` is the snapshot's row count for a cursor;
 * for a scan it is UINT64_MAX, and the scan must yield one row more than
 * `limit` when there are more, so that the last line can say so. */
static int print_table(row_source *src, const char *path,
                       const dps_column_view *views, size_t n_cols,
                       uint64_t limit, uint64_t total, cli_out *out) {
  table t;
  cli_buf tmp = {NULL, 0, 0};
  uint64_t shown = 0;
  int more = 0, filtered = total == UINT64_MAX;
  dps_error err = {0, {0}};
  dps_status rc = DPS_OK;
  dps_array_view *arrays = cli_calloc(n_cols, sizeof *arrays);

  table_init(&t, n_cols);
  for (size_t j = 0; j < n_cols; j++)
    table_header(&t, j, views[j].name, is_numeric(views[j].type));
  while (rc == DPS_OK && !more && (shown < limit || filtered)) {
    const dps_batch *batch = NULL;
    rc = source_next(src, &batch, &err);
    if (rc != DPS_OK || batch == NULL) break;
    size_t rows = dps_batch_row_count(batch);
    for (size_t j = 0; j < n_cols; j++) dps_batch_column(batch, j, &arrays[j]);
    for (size_t i = 0; i < rows; i++, shown++) {
      if (shown == limit) {
        more = 1;
        break;
      }
      for (size_t j = 0; j < n_cols; j++) {
        const dps_array_view *a = &arrays[j];
        if (!dps_array_is_valid(a, i)) {
          table_text_cell(&t, "NULL", 4);
        } else if (views[j].type == DPS_TYPE_STRING) {
          table_text_cell(&t, (const char *)a->data + a->offsets[i],
                          (size_t)(a->offsets[i + 1] - a->offsets[i]));
        } else {
          tmp.len = 0;
          cli_format_value(&tmp, &views[j], a, i, CLI_STYLE_TEXT);
          table_text_cell(&t, tmp.data, tmp.len);
        }
      }
    }
  }
  int status = CLI_EXIT_OK;
  if (rc != DPS_OK) {
    cli_lib_error(path, &err, rc);
    status = CLI_EXIT_DATA;
  } else {
    table_emit(&t, out);
    cli_buf *b = &out->buf;
    if (filtered && more)
      cli_buf_printf(b, "(first %" PRIu64 " matching rows; --limit N to see "
                     "more)\n", shown);
    else if (filtered)
      cli_buf_printf(b, "(%" PRIu64 " matching row%s)\n", shown,
                     shown == 1 ? "" : "s");
    else if (shown < total)
      cli_buf_printf(b, "(%" PRIu64 " of %" PRIu64
                     " rows; --limit N to see more)\n", shown, total);
    else
      cli_buf_printf(b, "(%" PRIu64 " row%s)\n", total, total == 1 ? "" : "s");
  }
  free(arrays);
  cli_buf_free(&tmp);
  table_free(&t);
  return status;
}

static dps_status row_source_next(void *src, const dps_batch **batch,
                                  dps_error *err) {
  return source_next(src, batch, err);
}

/* ---------------------------------------------------------------------- */
/* Aggregate results                                                      */
/* ---------------------------------------------------------------------- */

static void buf_hex(cli_buf *b, const uint8_t *p, size_t n) {
  static const char hex[] = "0123456789abcdef";
  for (size_t i = 0; i < n; i++) {
    cli_buf_putc(b, hex[p[i] >> 4]);
    cli_buf_putc(b, hex[p[i] & 15]);
  }
}

/* A non-null value as text: dps_value_format, except strings and binary,
 * whose bytes are appended as they are (binary as \x + hex, as export). */
static void value_text(cli_buf *b, const dps_value *v) {
  if (v->type == DPS_TYPE_STRING) {
    cli_buf_append(b, v->bytes, v->len);
  } else if (v->type == DPS_TYPE_BOOL) {
    cli_buf_puts(b, v->i != 0 ? "true" : "false");
  } else if (v->type == DPS_TYPE_BINARY) {
    cli_buf_puts(b, "\\x");
    buf_hex(b, v->bytes, v->len);
  } else {
    char small[64];
    size_t n = dps_value_format(v, small, sizeof small);
    if (n < sizeof small) {
      cli_buf_append(b, small, n);
    } else {
      char *big = cli_malloc(n + 1);
      dps_value_format(v, big, n + 1);
      cli_buf_append(b, big, n);
      free(big);
    }
  }
}

/* A value as JSON: numbers (decimals too) bare, as exact as their text;
 * dates, timestamps, strings, binary (hex) and non-finite floats as
 * strings. */
static void value_json(cli_buf *b, const dps_value *v, cli_buf *tmp) {
  if (v->is_null) {
    cli_buf_puts(b, "null");
  } else if (v->type == DPS_TYPE_STRING) {
    cli_buf_json_string(b, (const char *)v->bytes, v->len);
  } else if (v->type == DPS_TYPE_BINARY) {
    cli_buf_putc(b, '"');
    buf_hex(b, v->bytes, v->len);
    cli_buf_putc(b, '"');
  } else {
    tmp->len = 0;
    value_text(tmp, v);
    int quote = v->type == DPS_TYPE_DATE || v->type == DPS_TYPE_TIMESTAMP ||
                ((v->type == DPS_TYPE_FLOAT32 || v->type == DPS_TYPE_FLOAT64) &&
                 !isfinite(v->f));
    if (quote) cli_buf_json_string(b, tmp->data, tmp->len);
    else cli_buf_append(b, tmp->data, tmp->len);
  }
}

typedef struct agg_output {
  const char *const *names;  /* n_cols headers */
  const int *numeric;        /* n_cols: numbers (right-aligned) */
  size_t n_cols;             /* columns of the result */
} agg_output;

static int print_aggregates(dps_scan *scan, const char *path,
                            const agg_output *ao,
                            uint64_t limit, cli_format format,
                            cli_out *out) {
  size_t rows = 0, cols = 0;
  dps_error err = {0, {0}};
  dps_status rc = dps_scan_aggregate(scan, &rows, &cols, &err);
  if (rc != DPS_OK) {
    cli_lib_error(path, &err, rc);
    return CLI_EXIT_DATA;
  }
  if (cols != ao->n_cols) {
    cli_error("scan: the library returned %zu result columns, expected %zu",
              cols, ao->n_cols);
    return CLI_EXIT_DATA;
  }
  uint64_t shown = rows < limit ? rows : limit;
  cli_buf *b = &out->buf;
  cli_buf tmp = {NULL, 0, 0};
  table t;
  memset(&t, 0, sizeof t);
  if (format == CLI_FORMAT_TABLE) {
    table_init(&t, cols);
    for (size_t j = 0; j < cols; j++)
      table_header(&t, j, ao->names[j], ao->numeric[j]);
  } else if (format == CLI_FORMAT_CSV) {
    for (size_t j = 0; j < cols; j++) {
      if (j != 0) cli_buf_putc(b, ',');
      cli_csv_text(b, ao->names[j], strlen(ao->names[j]));
    }
    cli_buf_putc(b, '\n');
  }
  for (size_t i = 0; i < shown; i++) {
    if (format == CLI_FORMAT_JSONL) cli_buf_putc(b, '{');
    for (size_t j = 0; j < cols; j++) {
      dps_value v;
      memset(&v, 0, sizeof v);
      if (dps_scan_value(scan, i, j, &v) != DPS_OK) v.is_null = 1;
      if (format == CLI_FORMAT_TABLE) {
        tmp.len = 0;
        if (v.is_null) cli_buf_puts(&tmp, "NULL");
        else value_text(&tmp, &v);
        table_text_cell(&t, tmp.data, tmp.len);
      } else if (format == CLI_FORMAT_CSV) {
        if (j != 0) cli_buf_putc(b, ',');
        if (v.is_null) continue;
        tmp.len = 0;
        value_text(&tmp, &v);
        if (v.type == DPS_TYPE_STRING) cli_csv_text(b, tmp.data, tmp.len);
        else cli_buf_append(b, tmp.data, tmp.len);
      } else {
        if (j != 0) cli_buf_putc(b, ',');
        cli_buf_json_string(b, ao->names[j], strlen(ao->names[j]));
        cli_buf_putc(b, ':');
        value_json(b, &v, &tmp);
      }
    }
    if (format == CLI_FORMAT_CSV) cli_buf_putc(b, '\n');
    else if (format == CLI_FORMAT_JSONL) cli_buf_puts(b, "}\n");
    cli_out_maybe_flush(out);
  }
  if (format == CLI_FORMAT_TABLE) {
    table_emit(&t, out);
    if (shown < rows)
      cli_buf_printf(b, "(%" PRIu64 " of %zu rows; --limit N to see more)\n",
                     shown, rows);
    else
      cli_buf_printf(b, "(%zu row%s)\n", rows, rows == 1 ? "" : "s");
    table_free(&t);
  }
  cli_buf_free(&tmp);
  return CLI_EXIT_OK;
}

/* What dps_scan_stats_get reports, on standard error. */
static void print_stats(const dps_scan *scan) {
  fflush(stdout);  /* the rows first, then the statistics */
  dps_scan_stats s;
  memset(&s, 0, sizeof s);
  if (dps_scan_stats_get(scan, &s) != DPS_OK) return;
  fprintf(stderr,
          "scan: time: %.3f ms\n"
          "scan: threads: %u\n"
          "scan: row groups: %" PRIu64 "\n"
          "scan: row groups pruned: %" PRIu64 "\n"
          "scan: pages: %" PRIu64 "\n"
          "scan: pages pruned: %" PRIu64 "\n"
          "scan: pages read: %" PRIu64 "\n"
          "scan: bytes read: %" PRIu64 "\n"
          "scan: vectors: %" PRIu64 "\n"
          "scan: vectors pruned: %" PRIu64 "\n"
          "scan: vectors evaluated: %" PRIu64 "\n"
          "scan: rows scanned: %" PRIu64 "\n"
          "scan: rows matched: %" PRIu64 "\n"
          "scan: dictionary lookups: %" PRIu64 "\n",
          (double)s.elapsed_ns / 1e6, s.threads, s.row_groups,
          s.row_groups_pruned, s.pages, s.pages_pruned, s.pages_read,
          s.bytes_read, s.vectors, s.vectors_pruned, s.vectors_evaluated,
          s.rows_scanned, s.rows_matched, s.dict_lookups);
}

/* ---------------------------------------------------------------------- */
/* The command                                                            */
/* ---------------------------------------------------------------------- */

/* Most threads --threads accepts. */
#define MAX_THREADS 1024u

/* Splits --group-by into at most two names (caller frees each and the
 * array). Returns the count, or prints the problem and returns -1. */
static int split_group_by(const char *list, char ***names) {
  size_t n = 1;
  for (const char *p = list; *p != '\0'; p++) n += *p == ',';
  if (n > 2) {
    cli_usage("scan", "--group-by takes one or two columns, found %zu in "
              "'%s'", n, list);
    return -1;
  }
  *names = cli_calloc(n, sizeof **names);
  const char *p = list;
  for (size_t i = 0; i < n; i++) {
    const char *end = strchr(p, ',');
    size_t len = end != NULL ? (size_t)(end - p) : strlen(p);
    (*names)[i] = cli_strndup(p, len);
    p = end != NULL ? end + 1 : p + len;
  }
  return (int)n;
}

/* Everything the scan path owns, freed in one place. */
typedef struct scan_job {
  dps_query *q;
  dps_scan *scan;
  cli_agg_list aggs;
  char **group;         /* --group-by names */
  int n_group;
  const char **names;   /* result column headers (aggregates) */
  int *numeric;         /* result column alignment (aggregates) */
  const char **columns; /* projected names (rows) */
} scan_job;

static void scan_job_free(scan_job *j) {
  dps_scan_free(j->scan);
  dps_query_free(j->q);
  cli_agg_list_free(&j->aggs);
  for (int i = 0; i < j->n_group; i++) free(j->group[i]);
  free(j->group);
  free(j->names);
  free(j->numeric);
  free(j->columns);
}

int cli_cmd_scan(int argc, char **argv) {
  const char *columns = NULL, *limit_s = NULL, *format_s = NULL;
  const char *where_s = NULL, *agg_s = NULL, *group_s = NULL;
  const char *threads_s = NULL;
  int stats = 0;
  const cli_option opts[] = {
      {"columns", 0, &columns, NULL},
      {"limit", 0, &limit_s, NULL},
      {"format", 0, &format_s, NULL},
      {"where", 0, &where_s, NULL},
      {"agg", 0, &agg_s, NULL},
      {"group-by", 0, &group_s, NULL},
      {"threads", 0, &threads_s, NULL},
      {"stats", 0, NULL, &stats},
  };
  const char *pos[1];
  size_t n_pos;
  int rc = cli_parse_args("scan", argc, argv, opts,
                          sizeof opts / sizeof opts[0], pos, 1, &n_pos);
  if (rc == CLI_HELP) {
    fputs(scan_help, stdout);
    fputs(scan_help_where, stdout);
    return CLI_EXIT_OK;
  }
  if (rc != CLI_EXIT_OK) return rc;
  if (n_pos != 1) return cli_usage("scan", "expected a snapshot FILE");
  cli_format format = CLI_FORMAT_TABLE;
  if (format_s != NULL && cli_format_parse(format_s, &format) != 0)
    return cli_usage("scan", "unknown format '%s'; expected table, csv or "
                     "jsonl", format_s);
  uint64_t limit = format == CLI_FORMAT_TABLE && agg_s == NULL
                       ? TABLE_DEFAULT_ROWS : UINT64_MAX;
  if (limit_s != NULL && cli_parse_u64(limit_s, &limit) != 0)
    return cli_usage("scan", "--limit expects a number of rows, found '%s'",
                     limit_s);
  uint64_t threads = 0;
  if (threads_s != NULL &&
      (cli_parse_u64(threads_s, &threads) != 0 || threads > MAX_THREADS))
    return cli_usage("scan", "--threads expects a number of threads from 0 "
                     "(one per CPU) to %u, found '%s'", MAX_THREADS,
                     threads_s);
  if (group_s != NULL && agg_s == NULL)
    return cli_usage("scan", "--group-by needs --agg: say what to compute "
                     "per group, e.g. --agg 'count(*)'");
  if (agg_s != NULL && columns != NULL)
    return cli_usage("scan", "--columns chooses the columns of rows; with "
                     "--agg the result has the --group-by columns and the "
                     "aggregates");
  scan_job job;
  memset(&job, 0, sizeof job);
  if (group_s != NULL) {
    job.n_group = split_group_by(group_s, &job.group);
    if (job.n_group < 0) return CLI_EXIT_USAGE;
  }

  dps_reader *r = cli_open_reader(pos[0]);
  if (r == NULL) {
    scan_job_free(&job);
    return CLI_EXIT_DATA;
  }
  const dps_schema *schema = dps_reader_schema(r);
  size_t n_cols = 0;
  size_t *cols = NULL;
  dps_column_view *views = NULL;
  if (agg_s == NULL) {
    cols = cli_resolve_columns("scan", pos[0], schema, columns, &n_cols, &rc);
    if (cols == NULL) {
      scan_job_free(&job);
      dps_reader_free(r);
      return rc;
    }
    views = cli_calloc(n_cols, sizeof *views);
    for (size_t j = 0; j < n_cols; j++)
      dps_schema_column(schema, cols[j], &views[j]);
  }
  cli_out out;
  cli_out_init(&out, stdout, "standard output");

  if (where_s == NULL && agg_s == NULL && threads_s == NULL && !stats) {
    /* Every row: a plain cursor, no predicate machinery. */
    row_source src = {NULL, NULL};
    dps_error err = {0, {0}};
    dps_status st = dps_cursor_open(&src.cursor, r, cols, n_cols, &err);
    if (st != DPS_OK) {
      cli_lib_error(pos[0], &err, st);
      rc = CLI_EXIT_DATA;
    } else if (format == CLI_FORMAT_TABLE) {
      rc = print_table(&src, pos[0], views, n_cols, limit,
                       dps_reader_row_count(r), &out);
    } else {
      rc = cli_write_batches(row_source_next, &src, pos[0], views, n_cols, limit,
                             format, &out);
    }
    dps_cursor_free(src.cursor);
    goto done;
  }

  dps_error err = {0, {0}};
  dps_status st = dps_query_new(&job.q, &err);
  if (st != DPS_OK) {
    cli_lib_error(NULL, &err, st);
    rc = CLI_EXIT_DATA;
    goto done;
  }
  dps_scan_options so = DPS_SCAN_OPTIONS_INIT;
  cli_buf msg = {NULL, 0, 0};
  if (where_s != NULL &&
      cli_expr_where(job.q, schema, where_s, &so.where, &msg) != 0) {
    rc = cli_usage("scan", "%s", cli_buf_cstr(&msg));
    cli_buf_free(&msg);
    goto done;
  }
  if (agg_s != NULL) {
    if (cli_expr_aggs(job.q, schema, agg_s, &job.aggs, &msg) != 0) {
      rc = cli_usage("scan", "%s", cli_buf_cstr(&msg));
      cli_buf_free(&msg);
      goto done;
    }
    size_t n_res = (size_t)job.n_group + job.aggs.n;
    job.names = cli_calloc(n_res, sizeof *job.names);
    job.numeric = cli_calloc(n_res, sizeof *job.numeric);
    for (int g = 0; g < job.n_group; g++) {
      long idx = dps_schema_find(schema, job.group[g]);
      dps_column_view c;
      if (idx < 0 || dps_schema_column(schema, (size_t)idx, &c) != DPS_OK) {
        cli_buf_printf(&msg, "--group-by: unknown column '%s'", job.group[g]);
        if (job.group[g][0] != '\0')
          cli_buf_nearest_columns(&msg, schema, job.group[g]);
        rc = cli_usage("scan", "%s", cli_buf_cstr(&msg));
        cli_buf_free(&msg);
        goto done;
      }
      job.names[g] = c.name;
      job.numeric[g] = is_numeric(c.type);
    }
    for (size_t k = 0; k < job.aggs.n; k++) {
      job.names[(size_t)job.n_group + k] = job.aggs.labels[k];
      job.numeric[(size_t)job.n_group + k] = job.aggs.numeric[k];
    }
    so.aggs = job.aggs.aggs;
    so.n_aggs = job.aggs.n;
    so.group_by = (const char *const *)job.group;
    so.n_group_by = (size_t)job.n_group;
  } else {
    job.columns = cli_calloc(n_cols, sizeof *job.columns);
    for (size_t j = 0; j < n_cols; j++) job.columns[j] = views[j].name;
    so.columns = job.columns;
    so.n_columns = n_cols;
    so.ordered = 1;
    /* A table asks for one row more than it shows, to know whether
     * there are more; 0 asks for every row. */
    if (format == CLI_FORMAT_TABLE)
      so.limit = limit == UINT64_MAX ? 0 : limit + 1;
    else
      so.limit = limit == UINT64_MAX ? 0 : limit;
  }
  so.threads = (unsigned)threads;
  st = dps_scan_open(&job.scan, r, &so, &err);
  if (st == DPS_EINVAL || st == DPS_ENOTFOUND) {
    rc = cli_usage("scan", "%s", err.message[0] != '\0' ? err.message
                                                        : dps_strerror(st));
    goto done;
  }
  if (st != DPS_OK) {
    cli_lib_error(pos[0], &err, st);
    rc = CLI_EXIT_DATA;
    goto done;
  }
  if (agg_s != NULL) {
    agg_output ao = {job.names, job.numeric,
                     (size_t)job.n_group + job.aggs.n};
    rc = print_aggregates(job.scan, pos[0], &ao, limit, format, &out);
  } else {
    row_source src = {NULL, job.scan};
    if (format == CLI_FORMAT_TABLE)
      rc = print_table(&src, pos[0], views, n_cols, limit, UINT64_MAX, &out);
    else
      rc = cli_write_batches(row_source_next, &src, pos[0], views, n_cols, limit,
                             format, &out);
  }

done:
  if (cli_out_finish(&out) != 0 && rc == CLI_EXIT_OK) rc = CLI_EXIT_DATA;
  /* After the output, so that the two streams do not interleave on a
   * terminal. */
  if (stats && rc == CLI_EXIT_OK && job.scan != NULL) print_stats(job.scan);
  scan_job_free(&job);
  free(views);
  free(cols);
  dps_reader_free(r);
  return rc;
}
