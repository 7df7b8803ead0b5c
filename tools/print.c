/*
 * print.c - values as text and JSON, and the CSV / JSON-lines writer that
 * `scan` and `export` share.
 *
 * Text forms are chosen so that `import` reads them back to the same
 * values: shortest round-trip floats, decimals with exactly `scale`
 * fraction digits, ISO 8601 UTC timestamps, binary as \x + hex.
 */
#include "cli.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void cli_buf_u64(cli_buf *b, uint64_t v) {
  char s[20];
  size_t i = sizeof s;
  do {
    s[--i] = (char)('0' + v % 10);
    v /= 10;
  } while (v != 0);
  cli_buf_append(b, s + i, sizeof s - i);
}

void cli_buf_i64(cli_buf *b, int64_t v) {
  if (v < 0) {
    cli_buf_putc(b, '-');
    /* Negate in unsigned arithmetic so INT64_MIN does not overflow. */
    cli_buf_u64(b, (uint64_t)0 - (uint64_t)v);
  } else {
    cli_buf_u64(b, (uint64_t)v);
  }
}

/* NaN and infinities print as words that our CSV reader and DuckDB's read
 * back; NULL for finite values. */
static const char *non_finite_word(double v) {
  if (isnan(v)) return "nan";
  if (isinf(v)) return v < 0 ? "-inf" : "inf";
  return NULL;
}

void cli_buf_double(cli_buf *b, double v) {
  char s[40];
  const char *word = non_finite_word(v);
  if (word != NULL) {
    cli_buf_puts(b, word);
    return;
  }
  /* The first precision that reads back to the same double; 17
   * significant digits always do. %g keeps the sign of -0. */
  for (int prec = 15; prec <= 17; prec++) {
    snprintf(s, sizeof s, "%.*g", prec, v);
    if (prec == 17 || strtod(s, NULL) == v) break;
  }
  cli_buf_puts(b, s);
}

static void buf_float(cli_buf *b, float v) {
  char s[40];
  const char *word = non_finite_word((double)v);
  if (word != NULL) {
    cli_buf_puts(b, word);
    return;
  }
  for (int prec = 6; prec <= 9; prec++) {
    snprintf(s, sizeof s, "%.*g", prec, (double)v);
    if (prec == 9 || strtof(s, NULL) == v) break;
  }
  cli_buf_puts(b, s);
}

static void buf_decimal(cli_buf *b, int64_t v, int scale) {
  char digits[24];
  size_t n = 0;
  uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
  do {
    digits[n++] = (char)('0' + mag % 10);
    mag /= 10;
  } while (mag != 0);
  /* Pad so there is at least one digit before the point. */
  while (n < (size_t)scale + 1) digits[n++] = '0';
  if (v < 0) cli_buf_putc(b, '-');
  while (n > (size_t)scale) cli_buf_putc(b, digits[--n]);
  if (scale > 0) {
    cli_buf_putc(b, '.');
    while (n > 0) cli_buf_putc(b, digits[--n]);
  }
}

static void buf_hex(cli_buf *b, const uint8_t *p, size_t n) {
  static const char hex[] = "0123456789abcdef";
  cli_buf_reserve(b, 2 * n);
  for (size_t i = 0; i < n; i++) {
    b->data[b->len++] = hex[p[i] >> 4];
    b->data[b->len++] = hex[p[i] & 15];
  }
}

void cli_buf_json_string(cli_buf *b, const char *p, size_t n) {
  size_t run = 0;
  cli_buf_putc(b, '"');
  for (size_t i = 0; i < n; i++) {
    uint8_t c = (uint8_t)p[i];
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    cli_buf_append(b, p + run, i - run);
    run = i + 1;
    switch (c) {
      case '"': cli_buf_puts(b, "\\\""); break;
      case '\\': cli_buf_puts(b, "\\\\"); break;
      case '\n': cli_buf_puts(b, "\\n"); break;
      case '\r': cli_buf_puts(b, "\\r"); break;
      case '\t': cli_buf_puts(b, "\\t"); break;
      case '\b': cli_buf_puts(b, "\\b"); break;
      case '\f': cli_buf_puts(b, "\\f"); break;
      default: cli_buf_printf(b, "\\u%04x", c); break;
    }
  }
  cli_buf_append(b, p + run, n - run);
  cli_buf_putc(b, '"');
}

void cli_format_value(cli_buf *b, const dps_column_view *col,
                      const dps_array_view *a, size_t i, cli_style style) {
  const int json = style == CLI_STYLE_JSON;
  if (!dps_array_is_valid(a, i)) {
    if (json) cli_buf_puts(b, "null");
    return;
  }
  switch (col->type) {
    case DPS_TYPE_BOOL:
      cli_buf_puts(b, ((const uint8_t *)a->values)[i] ? "true" : "false");
      break;
    case DPS_TYPE_INT8: cli_buf_i64(b, ((const int8_t *)a->values)[i]); break;
    case DPS_TYPE_INT16: cli_buf_i64(b, ((const int16_t *)a->values)[i]); break;
    case DPS_TYPE_INT32: cli_buf_i64(b, ((const int32_t *)a->values)[i]); break;
    case DPS_TYPE_INT64: cli_buf_i64(b, ((const int64_t *)a->values)[i]); break;
    case DPS_TYPE_UINT8: cli_buf_u64(b, ((const uint8_t *)a->values)[i]); break;
    case DPS_TYPE_UINT16:
      cli_buf_u64(b, ((const uint16_t *)a->values)[i]);
      break;
    case DPS_TYPE_UINT32:
      cli_buf_u64(b, ((const uint32_t *)a->values)[i]);
      break;
    case DPS_TYPE_UINT64:
      cli_buf_u64(b, ((const uint64_t *)a->values)[i]);
      break;
    case DPS_TYPE_FLOAT32: {
      float v = ((const float *)a->values)[i];
      int quote = json && !isfinite(v);
      if (quote) cli_buf_putc(b, '"');
      buf_float(b, v);
      if (quote) cli_buf_putc(b, '"');
      break;
    }
    case DPS_TYPE_FLOAT64: {
      double v = ((const double *)a->values)[i];
      int quote = json && !isfinite(v);
      if (quote) cli_buf_putc(b, '"');
      cli_buf_double(b, v);
      if (quote) cli_buf_putc(b, '"');
      break;
    }
    case DPS_TYPE_DATE:
      if (json) cli_buf_putc(b, '"');
      cli_buf_date(b, ((const int32_t *)a->values)[i]);
      if (json) cli_buf_putc(b, '"');
      break;
    case DPS_TYPE_TIMESTAMP:
      if (json) cli_buf_putc(b, '"');
      cli_buf_timestamp(b, ((const int64_t *)a->values)[i], 0);
      if (json) cli_buf_putc(b, '"');
      break;
    case DPS_TYPE_DECIMAL:
      buf_decimal(b, ((const int64_t *)a->values)[i], col->scale);
      break;
    case DPS_TYPE_STRING: {
      const char *p = (const char *)a->data + a->offsets[i];
      size_t n = (size_t)(a->offsets[i + 1] - a->offsets[i]);
      if (json) cli_buf_json_string(b, p, n);
      else cli_buf_append(b, p, n);
      break;
    }
    case DPS_TYPE_BINARY: {
      const uint8_t *p = a->data + a->offsets[i];
      size_t n = (size_t)(a->offsets[i + 1] - a->offsets[i]);
      cli_buf_puts(b, json ? "\"" : "\\x");
      buf_hex(b, p, n);
      if (json) cli_buf_putc(b, '"');
      break;
    }
  }
}

int cli_format_parse(const char *s, cli_format *out) {
  if (strcmp(s, "table") == 0) *out = CLI_FORMAT_TABLE;
  else if (strcmp(s, "csv") == 0) *out = CLI_FORMAT_CSV;
  else if (strcmp(s, "jsonl") == 0) *out = CLI_FORMAT_JSONL;
  else return -1;
  return 0;
}

void cli_csv_text(cli_buf *b, const char *p, size_t n) {
  int quote = n == 0;
  for (size_t i = 0; i < n && !quote; i++)
    quote = p[i] == ',' || p[i] == '"' || p[i] == '\r' || p[i] == '\n';
  if (!quote) {
    cli_buf_append(b, p, n);
    return;
  }
  cli_buf_putc(b, '"');
  size_t run = 0;
  for (size_t i = 0; i < n; i++)
    if (p[i] == '"') {
      cli_buf_append(b, p + run, i + 1 - run);
      run = i;  /* the quote is written again: doubled */
    }
  cli_buf_append(b, p + run, n - run);
  cli_buf_putc(b, '"');
}

static dps_status cursor_next(void *cursor, const dps_batch **batch,
                              dps_error *err) {
  return dps_cursor_next(cursor, batch, err);
}

int cli_write_rows(dps_reader *reader, const char *path, const size_t *cols,
                   size_t n_cols, uint64_t limit, cli_format format,
                   cli_out *out) {
  const dps_schema *schema = dps_reader_schema(reader);
  dps_column_view *views = cli_calloc(n_cols, sizeof *views);
  for (size_t j = 0; j < n_cols; j++) dps_schema_column(schema, cols[j], &views[j]);
  dps_cursor *cursor = NULL;
  dps_error err = {0, {0}};
  int status;
  dps_status rc = dps_cursor_open(&cursor, reader, cols, n_cols, &err);
  if (rc != DPS_OK) {
    cli_lib_error(path, &err, rc);
    status = CLI_EXIT_DATA;
  } else {
    status = cli_write_batches(cursor_next, cursor, path, views, n_cols, limit,
                               format, out);
  }
  dps_cursor_free(cursor);
  free(views);
  return status;
}

int cli_write_batches(cli_next_batch next, void *source, const char *path,
                      const dps_column_view *views, size_t n_cols,
                      uint64_t limit, cli_format format, cli_out *out) {
  dps_array_view *arrays = cli_calloc(n_cols, sizeof *arrays);
  size_t *key_at = cli_calloc(n_cols + 1, sizeof *key_at);
  cli_buf keys = {NULL, 0, 0};
  dps_error err = {0, {0}};
  dps_status rc = DPS_OK;
  uint64_t written = 0;

  for (size_t j = 0; j < n_cols; j++) {
    /* JSON keys are escaped once, not per row. */
    key_at[j] = keys.len;
    cli_buf_json_string(&keys, views[j].name, strlen(views[j].name));
    cli_buf_putc(&keys, ':');
  }
  key_at[n_cols] = keys.len;
  if (format == CLI_FORMAT_CSV) {
    for (size_t j = 0; j < n_cols; j++) {
      if (j != 0) cli_buf_putc(&out->buf, ',');
      cli_csv_text(&out->buf, views[j].name, strlen(views[j].name));
    }
    cli_buf_putc(&out->buf, '\n');
  }
  while (rc == DPS_OK && written < limit && out->failed == 0) {
    const dps_batch *batch = NULL;
    rc = next(source, &batch, &err);
    if (rc != DPS_OK || batch == NULL) break;
    size_t rows = dps_batch_row_count(batch);
    for (size_t j = 0; j < n_cols; j++) dps_batch_column(batch, j, &arrays[j]);
    for (size_t i = 0; i < rows && written < limit; i++, written++) {
      cli_buf *b = &out->buf;
      if (format == CLI_FORMAT_CSV) {
        for (size_t j = 0; j < n_cols; j++) {
          const dps_array_view *a = &arrays[j];
          if (j != 0) cli_buf_putc(b, ',');
          if (views[j].type == DPS_TYPE_STRING && dps_array_is_valid(a, i))
            cli_csv_text(b, (const char *)a->data + a->offsets[i],
                         (size_t)(a->offsets[i + 1] - a->offsets[i]));
          else
            cli_format_value(b, &views[j], a, i, CLI_STYLE_TEXT);
        }
        cli_buf_putc(b, '\n');
      } else {
        cli_buf_putc(b, '{');
        for (size_t j = 0; j < n_cols; j++) {
          if (j != 0) cli_buf_putc(b, ',');
          cli_buf_append(b, keys.data + key_at[j], key_at[j + 1] - key_at[j]);
          cli_format_value(b, &views[j], &arrays[j], i, CLI_STYLE_JSON);
        }
        cli_buf_puts(b, "}\n");
      }
      cli_out_maybe_flush(out);
    }
  }
  int status = CLI_EXIT_OK;
  if (rc != DPS_OK) {
    cli_lib_error(path, &err, rc);
    status = CLI_EXIT_DATA;
  }
  cli_buf_free(&keys);
  free(key_at);
  free(arrays);
  return status;
}
