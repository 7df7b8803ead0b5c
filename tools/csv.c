/*
 * csv.c - an RFC 4180 reader over a buffer holding the whole file.
 *
 * Fields point straight into the input whenever they can, so reading a
 * record allocates nothing once the field array has grown to the widest
 * record; only a quoted field with doubled quotes is copied, into one
 * scratch buffer reused for every record.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

void cli_csv_init(cli_csv *r, const char *path, const char *data,
                  size_t size) {
  memset(r, 0, sizeof *r);
  r->path = path;
  r->data = data;
  r->size = size;
  if (size >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) r->start = 3;
  r->pos = r->start;
  r->line = 1;
}

void cli_csv_rewind(cli_csv *r) {
  r->pos = r->start;
  r->line = 1;
  r->n_fields = 0;
}

void cli_csv_free(cli_csv *r) {
  free(r->fields);
  cli_buf_free(&r->scratch);
  r->fields = NULL;
  r->n_fields = r->cap_fields = 0;
}

static cli_csv_field *push_field(cli_csv *r) {
  if (r->n_fields == r->cap_fields) {
    size_t cap = r->cap_fields != 0 ? r->cap_fields * 2 : 16;
    r->fields = cli_realloc(r->fields, cap * sizeof *r->fields);
    r->cap_fields = cap;
  }
  return &r->fields[r->n_fields++];
}

static uint64_t count_newlines(const char *p, size_t n) {
  uint64_t lines = 0;
  const char *end = p + n;
  while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
    lines++;
    p++;
  }
  return lines;
}

/* Reads the quoted field starting at r->pos (on its opening quote). */
static int read_quoted(cli_csv *r, cli_csv_field *f) {
  const char *d = r->data;
  size_t start = r->pos + 1, pos = start;
  int escaped = 0;
  for (;;) {
    const char *q = memchr(d + pos, '"', r->size - pos);
    if (q == NULL) {
      cli_error("%s: line %llu: the quoted field %zu is not closed: a '\"' "
                "is missing before the end of the file",
                r->path, (unsigned long long)f->line, r->n_fields);
      return -1;
    }
    size_t at = (size_t)(q - d);
    if (at + 1 < r->size && d[at + 1] == '"') {
      escaped = 1;
      pos = at + 2;
      continue;
    }
    pos = at;
    break;
  }
  /* Quoted fields may span lines; keep physical line numbers right. */
  r->line += count_newlines(d + start, pos - start);
  f->quoted = 1;
  if (!escaped) {
    f->ptr = d + start;
    f->len = pos - start;
  } else {
    f->ptr = NULL;
    f->scratch_at = r->scratch.len;
    for (size_t i = start; i < pos; i++) {
      cli_buf_putc(&r->scratch, d[i]);
      if (d[i] == '"') i++;
    }
    f->len = r->scratch.len - f->scratch_at;
  }
  r->pos = pos + 1;
  if (r->pos < r->size) {
    char c = d[r->pos];
    if (c != ',' && c != '\n' && c != '\r') {
      cli_buf msg = {NULL, 0, 0};
      cli_buf_quote(&msg, d + r->pos, 1);
      cli_error("%s: line %llu: field %zu: unexpected %s after the closing "
                "quote; a quote inside a quoted field must be doubled (\"\")",
                r->path, (unsigned long long)r->line, r->n_fields,
                cli_buf_cstr(&msg));
      cli_buf_free(&msg);
      return -1;
    }
  }
  return 0;
}

int cli_csv_next(cli_csv *r) {
  const char *d = r->data;
  r->n_fields = 0;
  r->scratch.len = 0;
  for (;;) {
    if (r->pos >= r->size) return 0;
    if (!r->skip_blank) break;
    if (d[r->pos] == '\n') {
      r->pos++;
      r->line++;
    } else if (d[r->pos] == '\r' &&
               (r->pos + 1 == r->size || d[r->pos + 1] == '\n')) {
      r->pos += r->pos + 1 == r->size ? 1 : 2;
      r->line++;
    } else {
      break;
    }
  }
  r->record_line = r->line;
  int has_scratch = 0;
  for (;;) {
    cli_csv_field *f = push_field(r);
    f->line = r->line;
    f->quoted = 0;
    if (r->pos < r->size && d[r->pos] == '"') {
      if (read_quoted(r, f) != 0) return -1;
      if (f->ptr == NULL) has_scratch = 1;
    } else {
      size_t pos = r->pos;
      /* An unquoted field ends at a comma or a line end; a lone CR or a
       * stray quote inside it is data. */
      while (pos < r->size) {
        char c = d[pos];
        if (c == ',' || c == '\n') break;
        if (c == '\r' && (pos + 1 == r->size || d[pos + 1] == '\n')) break;
        pos++;
      }
      f->ptr = d + r->pos;
      f->len = pos - r->pos;
      r->pos = pos;
    }
    if (r->pos >= r->size) break;
    char c = d[r->pos];
    if (c == ',') {
      r->pos++;
      continue;
    }
    r->pos += (c == '\r' && r->pos + 1 < r->size) ? 2 : 1;
    r->line++;
    break;
  }
  if (has_scratch)
    for (size_t i = 0; i < r->n_fields; i++)
      if (r->fields[i].ptr == NULL)
        r->fields[i].ptr = r->scratch.data + r->fields[i].scratch_at;
  return 1;
}
