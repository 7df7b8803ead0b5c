/*
 * open.c - opening snapshots and naming their columns, for the commands
 * that read.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

dps_reader *cli_open_reader(const char *path) {
  dps_reader *r = NULL;
  dps_error err = {0, {0}};
  dps_status rc = dps_reader_open(&r, path, NULL, &err);
  if (rc != DPS_OK) {
    cli_lib_error(path, &err, rc);
    return NULL;
  }
  return r;
}

/* The column names closest to `name` (edit distance at most a third of
 * its length, at least 2), for "did you mean". */
static void nearest(cli_buf *b, const dps_schema *schema, const char *name) {
  size_t n = dps_schema_column_count(schema), best = SIZE_MAX;
  size_t limit = strlen(name) / 3;
  if (limit < 2) limit = 2;
  for (size_t i = 0; i < n; i++) {
    dps_column_view c;
    if (dps_schema_column(schema, i, &c) != DPS_OK) continue;
    size_t dist = cli_edit_distance(name, c.name);
    if (dist < best) best = dist;
  }
  if (best > limit) return;
  int first = 1;
  for (size_t i = 0; i < n; i++) {
    dps_column_view c;
    if (dps_schema_column(schema, i, &c) != DPS_OK) continue;
    if (cli_edit_distance(name, c.name) != best) continue;
    cli_buf_printf(b, "%s\"%s\"", first ? "" : " or ", c.name);
    first = 0;
  }
}

size_t *cli_resolve_columns(const char *cmd, const char *path,
                            const dps_schema *schema, const char *list,
                            size_t *n_out, int *status) {
  size_t n_schema = dps_schema_column_count(schema);
  size_t *cols;
  *status = CLI_EXIT_OK;
  if (list == NULL) {
    cols = cli_calloc(n_schema, sizeof *cols);
    for (size_t i = 0; i < n_schema; i++) cols[i] = i;
    *n_out = n_schema;
    return cols;
  }
  size_t n = 1;
  for (const char *p = list; *p != '\0'; p++) n += *p == ',';
  cols = cli_calloc(n, sizeof *cols);
  *n_out = 0;
  const char *p = list;
  for (;;) {
    const char *end = strchr(p, ',');
    size_t len = end != NULL ? (size_t)(end - p) : strlen(p);
    char *name = cli_strndup(p, len);
    long idx = dps_schema_find(schema, name);
    if (idx < 0) {
      cli_buf msg = {NULL, 0, 0};
      if (len == 0)
        cli_buf_printf(&msg, "%s: --columns has an empty name", path);
      else
        cli_buf_printf(&msg, "%s: no column \"%s\"", path, name);
      size_t before = msg.len;
      cli_buf_puts(&msg, " (did you mean ");
      size_t mark = msg.len;
      if (len != 0) nearest(&msg, schema, name);
      if (msg.len == mark) msg.len = before;
      else cli_buf_puts(&msg, "?)");
      cli_buf_puts(&msg, "; the columns are: ");
      cli_buf_column_list(&msg, schema);
      cli_usage(cmd, "%s", cli_buf_cstr(&msg));
      cli_buf_free(&msg);
      free(name);
      free(cols);
      *status = CLI_EXIT_USAGE;
      return NULL;
    }
    free(name);
    cols[(*n_out)++] = (size_t)idx;
    if (end == NULL) break;
    p = end + 1;
  }
  return cols;
}
