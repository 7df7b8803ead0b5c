/*
 * cmd_schema.c - `dpsnap schema`: the columns of a snapshot.
 */
#include "cli.h"

#include <string.h>

static const char schema_help[] =
"usage: dpsnap schema FILE [--json]\n"
"\n"
"Lists the columns of a snapshot: name, type (decimal(P,S) with its\n"
"precision and scale), whether it may hold nulls, governance tags and\n"
"description.\n"
"\n"
"options:\n"
"  --json  print the \"columns\" array of the metadata JSON\n"
"          (spec/METADATA.md §2): name, type, nullable, description and\n"
"          tags, keys without a value omitted\n"
"\n"
"exit status: 0 ok, 1 the file cannot be read or is not a snapshot,\n"
"2 bad command line.\n";

int cli_cmd_schema(int argc, char **argv) {
  int json = 0;
  const cli_option opts[] = {{"json", 0, NULL, &json}};
  const char *pos[1];
  size_t n_pos;
  int rc = cli_parse_args("schema", argc, argv, opts, 1, pos, 1, &n_pos);
  if (rc == CLI_HELP) {
    fputs(schema_help, stdout);
    return CLI_EXIT_OK;
  }
  if (rc != CLI_EXIT_OK) return rc;
  if (n_pos != 1) return cli_usage("schema", "expected a snapshot FILE");

  dps_reader *r = cli_open_reader(pos[0]);
  if (r == NULL) return CLI_EXIT_DATA;
  const dps_schema *schema = dps_reader_schema(r);
  if (json) {
    rc = cli_json_print(cli_json_columns(schema)) == 0 ? CLI_EXIT_OK
                                                        : CLI_EXIT_DATA;
    dps_reader_free(r);
    return rc;
  }

  size_t n = dps_schema_column_count(schema);
  size_t name_w = 6, type_w = 4, tags_w = 4;
  cli_buf type = {NULL, 0, 0}, tags = {NULL, 0, 0};
  /* Widths first, so that the columns line up. */
  for (size_t i = 0; i < n; i++) {
    dps_column_view c;
    if (dps_schema_column(schema, i, &c) != DPS_OK) continue;
    type.len = 0;
    cli_buf_type(&type, &c);
    size_t tl = c.n_tags > 0 ? c.n_tags - 1 : 1;  /* commas, or "-" */
    for (size_t k = 0; k < c.n_tags; k++) tl += strlen(c.tags[k]);
    if (strlen(c.name) > name_w) name_w = strlen(c.name);
    if (type.len > type_w) type_w = type.len;
    if (tl > tags_w) tags_w = tl;
  }
  cli_out out;
  cli_out_init(&out, stdout, "standard output");
  cli_buf_printf(&out.buf, "%-*s  %-*s  %-8s  %-*s  %s\n", (int)name_w,
                 "column", (int)type_w, "type", "nullable", (int)tags_w,
                 "tags", "description");
  for (size_t i = 0; i < n; i++) {
    dps_column_view c;
    if (dps_schema_column(schema, i, &c) != DPS_OK) continue;
    type.len = 0;
    cli_buf_type(&type, &c);
    tags.len = 0;
    for (size_t k = 0; k < c.n_tags; k++) {
      if (k != 0) cli_buf_putc(&tags, ',');
      cli_buf_puts(&tags, c.tags[k]);
    }
    if (tags.len == 0) cli_buf_putc(&tags, '-');
    cli_buf_printf(&out.buf, "%-*s  %-*s  %-8s  %-*s  %s\n", (int)name_w,
                   c.name, (int)type_w, cli_buf_cstr(&type),
                   c.nullable ? "yes" : "no", (int)tags_w, cli_buf_cstr(&tags),
                   c.description != NULL && c.description[0] != '\0'
                       ? c.description : "-");
  }
  cli_buf_free(&type);
  cli_buf_free(&tags);
  rc = cli_out_finish(&out) == 0 ? CLI_EXIT_OK : CLI_EXIT_DATA;
  dps_reader_free(r);
  return rc;
}
