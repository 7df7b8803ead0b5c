/*
 * cmd_verify.c - `dpsnap verify`: read and check every byte of a snapshot.
 */
#include "cli.h"

#include <string.h>

#include <inttypes.h>

static const char verify_help[] =
"usage: dpsnap verify FILE\n"
"\n"
"Checks a whole snapshot: magic, format version and the footer checksum\n"
"(on opening), then every page's bounds and checksum, that it\n"
"decompresses to its recorded size and decodes to its recorded value and\n"
"null counts, the UTF-8 of strings, and the zone maps. Prints what was\n"
"checked. The first fault stops the check and is reported with the file,\n"
"the offset and what was expected.\n"
"\n"
"exit status: 0 the file is sound, 1 it is damaged or cannot be read,\n"
"2 bad command line.\n";

int cli_cmd_verify(int argc, char **argv) {
  const char *pos[1];
  size_t n_pos;
  int rc = cli_parse_args("verify", argc, argv, NULL, 0, pos, 1, &n_pos);
  if (rc == CLI_HELP) {
    fputs(verify_help, stdout);
    return CLI_EXIT_OK;
  }
  if (rc != CLI_EXIT_OK) return rc;
  if (n_pos != 1) return cli_usage("verify", "expected a snapshot FILE");

  dps_reader *r = cli_open_reader(pos[0]);
  if (r == NULL) return CLI_EXIT_DATA;
  dps_file_info fi;
  memset(&fi, 0, sizeof fi);
  dps_verify_report rep = {0, 0, 0, 0};
  dps_error err = {0, {0}};
  dps_reader_file_info(r, &fi);
  dps_status st = dps_reader_verify(r, &rep, &err);
  if (st != DPS_OK) {
    cli_lib_error(pos[0], &err, st);
    fprintf(stderr, "dpsnap: %s: damaged; checked before the fault: %" PRIu64
            " row groups, %" PRIu64 " pages\n", pos[0], rep.row_groups,
            rep.pages);
    dps_reader_free(r);
    return CLI_EXIT_DATA;
  }
  cli_out out;
  cli_out_init(&out, stdout, "standard output");
  cli_buf *b = &out.buf;
  cli_buf_printf(b, "%s: ok\n", pos[0]);
  cli_buf_printf(b, "  footer:      %" PRIu64 " bytes, checksum ok, format "
                 "%u.%u\n", fi.footer_size, fi.format_major, fi.format_minor);
  cli_buf_printf(b, "  row groups:  %" PRIu64 " (%" PRIu64 " rows)\n",
                 rep.row_groups, dps_reader_row_count(r));
  cli_buf_printf(b, "  pages:       %" PRIu64 " (checksum, size, counts, "
                 "zone maps)\n", rep.pages);
  cli_buf_printf(b, "  page bytes:  %" PRIu64 " hashed\n", rep.bytes);
  cli_buf_printf(b, "  values:      %" PRIu64 " decoded and checked\n",
                 rep.values);
  rc = cli_out_finish(&out) == 0 ? CLI_EXIT_OK : CLI_EXIT_DATA;
  dps_reader_free(r);
  return rc;
}
