/*
 * cmd_scan.c - `dpsnap scan`: rows of a snapshot as an aligned table, CSV
 * or JSON lines.
 */
#include "cli.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* Rows a table shows when no --limit is given: a look, not a dump. */
#define TABLE_DEFAULT_ROWS 40u
/* Longest cell of a table, in characters; longer values are cut. */
#define TABLE_CELL_MAX 60u

static const char scan_help[] =
"usage: dpsnap scan FILE [--columns a,b,...] [--limit N]\n"
"                   [--format table|csv|jsonl]\n"
"\n"
"Prints rows of a snapshot.\n"
"\n"
"options:\n"
"  --columns LIST  comma-separated column names, in the order wanted\n"
"                  (default: all columns)\n"
"  --limit N       at most N rows (table default: 40; csv and jsonl\n"
"                  default: all rows)\n"
"  --format F      table (default): aligned columns, numbers right-aligned,\n"
"                  NULL for nulls, control characters escaped, cells cut\n"
"                  at 60 characters, and a last line counting the rows;\n"
"                  csv or jsonl: as 'dpsnap export' writes them\n"
"\n"
"exit status: 0 ok, 1 the file cannot be read or is damaged, 2 bad\n"
"command line or unknown column.\n";

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

static int print_table(dps_reader *r, const char *path, const size_t *cols,
                       size_t n_cols, uint64_t limit, cli_out *out) {
  const dps_schema *schema = dps_reader_schema(r);
  dps_column_view *views = cli_calloc(n_cols, sizeof *views);
  size_t *widths = cli_calloc(n_cols, sizeof *widths);
  cli_buf cells = {NULL, 0, 0}, tmp = {NULL, 0, 0};
  size_t *cell_at = NULL;  /* start of cell k in `cells`; one extra entry */
  size_t n_cells = 0, cap_cells = 0;
  uint64_t shown = 0;
  dps_cursor *cursor = NULL;
  dps_error err = {0, {0}};
  int status = CLI_EXIT_OK;

  for (size_t j = 0; j < n_cols; j++) {
    dps_schema_column(schema, cols[j], &views[j]);
    widths[j] = display_width(views[j].name, strlen(views[j].name));
  }
  dps_status rc = dps_cursor_open(&cursor, r, cols, n_cols, &err);
  dps_array_view *arrays = cli_calloc(n_cols, sizeof *arrays);
  while (rc == DPS_OK && shown < limit) {
    const dps_batch *batch = NULL;
    rc = dps_cursor_next(cursor, &batch, &err);
    if (rc != DPS_OK || batch == NULL) break;
    size_t rows = dps_batch_row_count(batch);
    for (size_t j = 0; j < n_cols; j++) dps_batch_column(batch, j, &arrays[j]);
    for (size_t i = 0; i < rows && shown < limit; i++, shown++) {
      for (size_t j = 0; j < n_cols; j++) {
        if (n_cells + 2 > cap_cells) {
          cap_cells = cap_cells != 0 ? cap_cells * 2 : 256;
          cell_at = cli_realloc(cell_at, cap_cells * sizeof *cell_at);
        }
        cell_at[n_cells++] = cells.len;
        const dps_array_view *a = &arrays[j];
        if (!dps_array_is_valid(a, i)) {
          cli_buf_puts(&cells, "NULL");
        } else if (views[j].type == DPS_TYPE_STRING) {
          table_text(&cells, (const char *)a->data + a->offsets[i],
                     (size_t)(a->offsets[i + 1] - a->offsets[i]));
        } else {
          tmp.len = 0;
          cli_format_value(&tmp, &views[j], a, i, CLI_STYLE_TEXT);
          table_text(&cells, tmp.data, tmp.len);
        }
        size_t w = display_width(cells.data + cell_at[n_cells - 1],
                                 cells.len - cell_at[n_cells - 1]);
        if (w > widths[j]) widths[j] = w;
      }
    }
  }
  if (cell_at != NULL) cell_at[n_cells] = cells.len;
  if (rc != DPS_OK) {
    cli_lib_error(path, &err, rc);
    status = CLI_EXIT_DATA;
  } else {
    cli_buf *b = &out->buf;
    for (size_t j = 0; j < n_cols; j++) {
      size_t w = display_width(views[j].name, strlen(views[j].name));
      int right = is_numeric(views[j].type);
      if (j != 0) cli_buf_puts(b, "  ");
      if (right) pad(b, widths[j] - w);
      cli_buf_puts(b, views[j].name);
      if (!right && j + 1 < n_cols) pad(b, widths[j] - w);
    }
    cli_buf_putc(b, '\n');
    for (size_t j = 0; j < n_cols; j++) {
      if (j != 0) cli_buf_puts(b, "  ");
      for (size_t k = 0; k < widths[j]; k++) cli_buf_putc(b, '-');
    }
    cli_buf_putc(b, '\n');
    size_t line_start = b->len;
    for (size_t k = 0; k < n_cells; k++) {
      size_t j = k % n_cols;
      const char *p = cells.data + cell_at[k];
      size_t n = cell_at[k + 1] - cell_at[k];
      size_t w = display_width(p, n);
      int right = is_numeric(views[j].type);
      if (j != 0) cli_buf_puts(b, "  ");
      if (right) pad(b, widths[j] - w);
      cli_buf_append(b, p, n);
      if (!right && j + 1 < n_cols) pad(b, widths[j] - w);
      if (j + 1 == n_cols) {
        /* An empty last cell would leave the separator dangling. */
        while (b->len > line_start && b->data[b->len - 1] == ' ') b->len--;
        cli_buf_putc(b, '\n');
        cli_out_maybe_flush(out);
        line_start = b->len;
      }
    }
    uint64_t total = dps_reader_row_count(r);
    if (shown < total)
      cli_buf_printf(b, "(%" PRIu64 " of %" PRIu64
                     " rows; --limit N to see more)\n", shown, total);
    else
      cli_buf_printf(b, "(%" PRIu64 " row%s)\n", total, total == 1 ? "" : "s");
  }
  dps_cursor_free(cursor);
  free(arrays);
  free(cell_at);
  cli_buf_free(&cells);
  cli_buf_free(&tmp);
  free(widths);
  free(views);
  return status;
}

int cli_cmd_scan(int argc, char **argv) {
  const char *columns = NULL, *limit_s = NULL, *format_s = NULL;
  const cli_option opts[] = {
      {"columns", 0, &columns, NULL},
      {"limit", 0, &limit_s, NULL},
      {"format", 0, &format_s, NULL},
  };
  const char *pos[1];
  size_t n_pos;
  int rc = cli_parse_args("scan", argc, argv, opts,
                          sizeof opts / sizeof opts[0], pos, 1, &n_pos);
  if (rc == CLI_HELP) {
    fputs(scan_help, stdout);
    return CLI_EXIT_OK;
  }
  if (rc != CLI_EXIT_OK) return rc;
  if (n_pos != 1) return cli_usage("scan", "expected a snapshot FILE");
  cli_format format = CLI_FORMAT_TABLE;
  if (format_s != NULL && cli_format_parse(format_s, &format) != 0)
    return cli_usage("scan", "unknown format '%s'; expected table, csv or "
                     "jsonl", format_s);
  uint64_t limit = format == CLI_FORMAT_TABLE ? TABLE_DEFAULT_ROWS : UINT64_MAX;
  if (limit_s != NULL && cli_parse_u64(limit_s, &limit) != 0)
    return cli_usage("scan", "--limit expects a number of rows, found '%s'",
                     limit_s);

  dps_reader *r = cli_open_reader(pos[0]);
  if (r == NULL) return CLI_EXIT_DATA;
  size_t n_cols;
  size_t *cols = cli_resolve_columns("scan", pos[0], dps_reader_schema(r),
                                     columns, &n_cols, &rc);
  if (cols == NULL) {
    dps_reader_free(r);
    return rc;
  }
  cli_out out;
  cli_out_init(&out, stdout, "standard output");
  if (format == CLI_FORMAT_TABLE)
    rc = print_table(r, pos[0], cols, n_cols, limit, &out);
  else
    rc = cli_write_rows(r, pos[0], cols, n_cols, limit, format, &out);
  if (cli_out_finish(&out) != 0 && rc == CLI_EXIT_OK) rc = CLI_EXIT_DATA;
  free(cols);
  dps_reader_free(r);
  return rc;
}
