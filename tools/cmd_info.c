/*
 * cmd_info.c - `dpsnap info`: what a snapshot file holds and how well it
 * compresses.
 */
#include "cli.h"

#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char info_help[] =
"usage: dpsnap info FILE [--columns] [--json]\n"
"\n"
"Shows the facts of a snapshot: rows, row groups, pages, file size, the\n"
"data's size in plain encoding (plain), after its encodings (encoded) and\n"
"as stored after the zstd/lz4 stage (stored), the compression ratio\n"
"(plain / stored), format version, writer, schema tag, product, semver,\n"
"snapshot version and owner. Only the footer is read.\n"
"\n"
"options:\n"
"  --columns  also show per column: type, nulls, plain, encoded and stored\n"
"             bytes, ratio, the stages (zstd, lz4 or none) and the\n"
"             encodings (scheme trees, e.g. dict(fsst(for),for)), each\n"
"             with the number of pages using it\n"
"  --json     print one JSON object instead (always with \"columns\")\n"
"\n"
"exit status: 0 ok, 1 the file cannot be read or is not a snapshot,\n"
"2 bad command line.\n";

static double ratio(uint64_t raw, uint64_t stored) {
  return stored != 0 ? (double)raw / (double)stored : 0.0;
}

static void human(cli_buf *b, uint64_t bytes) {
  static const char *const units[] = {"KiB", "MiB", "GiB", "TiB"};
  cli_buf_printf(b, "%" PRIu64 " bytes", bytes);
  if (bytes >= 1024) {
    double v = (double)bytes;
    size_t u = 0;
    v /= 1024;
    while (v >= 1024 && u + 1 < sizeof units / sizeof units[0]) {
      v /= 1024;
      u++;
    }
    cli_buf_printf(b, " (%.1f %s)", v, units[u]);
  }
}

static json_t *json_ratio(uint64_t raw, uint64_t stored) {
  if (stored == 0) return json_null();
  return json_real(round(ratio(raw, stored) * 1000) / 1000);
}

static int print_json(dps_reader *r, const char *path,
                      const dps_file_info *fi) {
  const dps_snapshot_meta *m = dps_reader_meta(r);
  const dps_schema *schema = dps_reader_schema(r);
  json_t *o = json_object();
  char s[32];
  json_object_set_new(o, "file", json_string(path));
  json_object_set_new(o, "rows", json_integer((json_int_t)dps_reader_row_count(r)));
  json_object_set_new(o, "row_groups",
                      json_integer((json_int_t)dps_reader_row_group_count(r)));
  json_object_set_new(o, "pages", json_integer((json_int_t)fi->page_count));
  json_object_set_new(o, "file_size", json_integer((json_int_t)fi->file_size));
  json_object_set_new(o, "footer_size",
                      json_integer((json_int_t)fi->footer_size));
  json_object_set_new(o, "data_plain", json_integer((json_int_t)fi->data_plain));
  json_object_set_new(o, "data_raw", json_integer((json_int_t)fi->data_raw));
  json_object_set_new(o, "data_stored",
                      json_integer((json_int_t)fi->data_stored));
  json_object_set_new(o, "compression_ratio",
                      json_ratio(fi->data_plain, fi->data_stored));
  snprintf(s, sizeof s, "%u.%u", fi->format_major, fi->format_minor);
  json_object_set_new(o, "format_version", json_string(s));
  if (fi->created_by != NULL)
    json_object_set_new(o, "created_by", json_string(fi->created_by));
  snprintf(s, sizeof s, "%016" PRIx64, dps_reader_schema_tag(r));
  json_object_set_new(o, "schema_tag", json_string(s));
  if (m->product != NULL)
    json_object_set_new(o, "product", json_string(m->product));
  if (m->semver != NULL)
    json_object_set_new(o, "semver", json_string(m->semver));
  if (m->snapshot_version != 0)
    json_object_set_new(o, "snapshot_version",
                        json_integer((json_int_t)m->snapshot_version));
  json_t *owner = json_object();
  if (m->owner_team != NULL)
    json_object_set_new(owner, "team", json_string(m->owner_team));
  if (m->owner_email != NULL)
    json_object_set_new(owner, "email", json_string(m->owner_email));
  json_object_set_new(o, "owner", owner);
  json_t *cols = json_array();
  cli_buf type = {NULL, 0, 0};
  for (size_t i = 0; i < dps_schema_column_count(schema); i++) {
    dps_column_view c;
    dps_column_stats cs;
    if (dps_schema_column(schema, i, &c) != DPS_OK ||
        dps_reader_column_stats(r, i, &cs) != DPS_OK)
      continue;
    json_t *e = json_object();
    type.len = 0;
    cli_buf_type(&type, &c);
    json_object_set_new(e, "name", json_string(c.name));
    json_object_set_new(e, "type", json_string(cli_buf_cstr(&type)));
    json_object_set_new(e, "nulls", json_integer((json_int_t)cs.null_count));
    json_object_set_new(e, "data_plain", json_integer((json_int_t)cs.data_plain));
    json_object_set_new(e, "data_raw", json_integer((json_int_t)cs.data_raw));
    json_object_set_new(e, "data_stored",
                        json_integer((json_int_t)cs.data_stored));
    json_object_set_new(e, "compression_ratio",
                        json_ratio(cs.data_plain, cs.data_stored));
    json_object_set_new(e, "encodings", json_string(cs.encodings));
    json_object_set_new(e, "pages", json_integer((json_int_t)cs.page_count));
    json_object_set_new(e, "compression",
                        json_string(dps_compression_name(cs.compression)));
    json_object_set_new(e, "stages", json_string(cs.codecs));
    json_array_append_new(cols, e);
  }
  cli_buf_free(&type);
  json_object_set_new(o, "columns", cols);
  return cli_json_print(o);
}

static void print_columns(cli_buf *b, dps_reader *r) {
  const dps_schema *schema = dps_reader_schema(r);
  size_t n = dps_schema_column_count(schema);
  size_t name_w = 6, type_w = 4, stage_w = 6;
  cli_buf type = {NULL, 0, 0};
  for (size_t i = 0; i < n; i++) {
    dps_column_view c;
    dps_column_stats cs;
    if (dps_schema_column(schema, i, &c) != DPS_OK ||
        dps_reader_column_stats(r, i, &cs) != DPS_OK)
      continue;
    type.len = 0;
    cli_buf_type(&type, &c);
    if (strlen(c.name) > name_w) name_w = strlen(c.name);
    if (type.len > type_w) type_w = type.len;
    if (strlen(cs.codecs) > stage_w) stage_w = strlen(cs.codecs);
  }
  cli_buf_printf(b, "\n%-*s  %-*s  %12s  %12s  %12s  %12s  %7s  %-*s  %s\n",
                 (int)name_w, "column", (int)type_w, "type", "nulls", "plain",
                 "encoded", "stored", "ratio", (int)stage_w, "stages",
                 "encodings");
  for (size_t i = 0; i < n; i++) {
    dps_column_view c;
    dps_column_stats cs;
    if (dps_schema_column(schema, i, &c) != DPS_OK ||
        dps_reader_column_stats(r, i, &cs) != DPS_OK)
      continue;
    type.len = 0;
    cli_buf_type(&type, &c);
    cli_buf_printf(b, "%-*s  %-*s  %12" PRIu64 "  %12" PRIu64 "  %12" PRIu64
                   "  %12" PRIu64, (int)name_w, c.name, (int)type_w,
                   cli_buf_cstr(&type), cs.null_count, cs.data_plain,
                   cs.data_raw, cs.data_stored);
    if (cs.data_stored != 0)
      cli_buf_printf(b, "  %7.2f", ratio(cs.data_plain, cs.data_stored));
    else
      cli_buf_printf(b, "  %7s", "-");
    cli_buf_printf(b, "  %-*s  %s\n", (int)stage_w,
                   cs.codecs[0] ? cs.codecs : "-", cs.encodings);
  }
  cli_buf_free(&type);
}

int cli_cmd_info(int argc, char **argv) {
  int json = 0, columns = 0;
  const cli_option opts[] = {
      {"json", 0, NULL, &json},
      {"columns", 0, NULL, &columns},
  };
  const char *pos[1];
  size_t n_pos;
  int rc = cli_parse_args("info", argc, argv, opts,
                          sizeof opts / sizeof opts[0], pos, 1, &n_pos);
  if (rc == CLI_HELP) {
    fputs(info_help, stdout);
    return CLI_EXIT_OK;
  }
  if (rc != CLI_EXIT_OK) return rc;
  if (n_pos != 1) return cli_usage("info", "expected a snapshot FILE");

  dps_reader *r = cli_open_reader(pos[0]);
  if (r == NULL) return CLI_EXIT_DATA;
  dps_file_info fi;
  memset(&fi, 0, sizeof fi);
  dps_reader_file_info(r, &fi);
  if (json) {
    rc = print_json(r, pos[0], &fi) == 0 ? CLI_EXIT_OK : CLI_EXIT_DATA;
    dps_reader_free(r);
    return rc;
  }

  const dps_snapshot_meta *m = dps_reader_meta(r);
  cli_out out;
  cli_out_init(&out, stdout, "standard output");
  cli_buf *b = &out.buf;
  cli_buf_printf(b, "file:              %s\n", pos[0]);
  cli_buf_printf(b, "product:           %s\n",
                 m->product != NULL ? m->product : "-");
  if (m->semver != NULL) cli_buf_printf(b, "semver:            %s\n", m->semver);
  if (m->snapshot_version != 0)
    cli_buf_printf(b, "snapshot version:  %" PRIu64 "\n", m->snapshot_version);
  cli_buf_printf(b, "owner:             %s <%s>\n",
                 m->owner_team != NULL ? m->owner_team : "-",
                 m->owner_email != NULL ? m->owner_email : "-");
  cli_buf_printf(b, "rows:              %" PRIu64 "\n", dps_reader_row_count(r));
  cli_buf_printf(b, "row groups:        %zu\n", dps_reader_row_group_count(r));
  cli_buf_printf(b, "columns:           %zu\n",
                 dps_schema_column_count(dps_reader_schema(r)));
  cli_buf_printf(b, "pages:             %" PRIu64 "\n", fi.page_count);
  cli_buf_puts(b, "file size:         ");
  human(b, fi.file_size);
  cli_buf_puts(b, "\ndata plain:        ");
  human(b, fi.data_plain);
  cli_buf_puts(b, "\ndata encoded:      ");
  human(b, fi.data_raw);
  cli_buf_puts(b, "\ndata stored:       ");
  human(b, fi.data_stored);
  if (fi.data_stored != 0)
    cli_buf_printf(b, "\ncompression ratio: %.2f (plain / stored)\n",
                   ratio(fi.data_plain, fi.data_stored));
  else
    cli_buf_puts(b, "\ncompression ratio: - (no data)\n");
  cli_buf_printf(b, "format version:    %u.%u\n", fi.format_major,
                 fi.format_minor);
  cli_buf_printf(b, "created by:        %s\n",
                 fi.created_by != NULL ? fi.created_by : "-");
  cli_buf_printf(b, "schema tag:        %016" PRIx64 "\n",
                 dps_reader_schema_tag(r));
  if (columns) print_columns(b, r);
  rc = cli_out_finish(&out) == 0 ? CLI_EXIT_OK : CLI_EXIT_DATA;
  dps_reader_free(r);
  return rc;
}
