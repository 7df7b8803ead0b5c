/*
 * cmd_meta.c - `dpsnap meta`: everything a snapshot says about itself, as
 * JSON.
 */
#include "cli.h"

static const char meta_help[] =
"usage: dpsnap meta FILE [--json]\n"
"\n"
"Prints the snapshot's metadata as one JSON object (spec/METADATA.md §2):\n"
"product, title, description, semver, snapshot_version, parent_version,\n"
"created_at (ISO 8601 UTC with microseconds), owner {team, email},\n"
"lineage {inputs, job, run_id, code_version}, properties, schema_tag (16\n"
"hex digits) and columns. Keys without a value are omitted. The output is\n"
"a valid descriptor for 'dpsnap import --descriptor'.\n"
"\n"
"options:\n"
"  --json  accepted for symmetry with the other commands: the output is\n"
"          always JSON\n"
"\n"
"exit status: 0 ok, 1 the file cannot be read or is not a snapshot,\n"
"2 bad command line.\n";

int cli_cmd_meta(int argc, char **argv) {
  int json = 0;
  const cli_option opts[] = {{"json", 0, NULL, &json}};
  const char *pos[1];
  size_t n_pos;
  int rc = cli_parse_args("meta", argc, argv, opts, 1, pos, 1, &n_pos);
  if (rc == CLI_HELP) {
    fputs(meta_help, stdout);
    return CLI_EXIT_OK;
  }
  if (rc != CLI_EXIT_OK) return rc;
  if (n_pos != 1) return cli_usage("meta", "expected a snapshot FILE");
  dps_reader *r = cli_open_reader(pos[0]);
  if (r == NULL) return CLI_EXIT_DATA;
  rc = cli_json_print(cli_json_meta(r)) == 0 ? CLI_EXIT_OK : CLI_EXIT_DATA;
  dps_reader_free(r);
  return rc;
}
