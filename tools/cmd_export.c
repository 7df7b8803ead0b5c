/*
 * cmd_export.c - `dpsnap export`: a whole snapshot as CSV or JSON lines.
 */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char export_help[] =
"usage: dpsnap export FILE [--format csv|jsonl] [-o OUT]\n"
"\n"
"Writes every row of a snapshot to standard output, or to OUT: the rows go\n"
"to OUT.tmp first, which is renamed to OUT only when everything was\n"
"written, so OUT is never left half-written.\n"
"\n"
"options:\n"
"  --format F   csv (default) or jsonl\n"
"  -o, --output OUT  write to the file OUT instead of standard output\n"
"\n"
"CSV (RFC 4180, LF line ends): a header row, then one record per row.\n"
"NULL is an empty unquoted field; the empty string is \"\". Fields are\n"
"quoted only when they hold a comma, a quote (doubled), CR or LF.\n"
"  bool          true, false\n"
"  integers      decimal digits\n"
"  float32/64    the shortest text that reads back to the same bits\n"
"                (nan, inf, -inf; -0 keeps its sign)\n"
"  decimal(P,S)  exactly S fraction digits\n"
"  date          YYYY-MM-DD\n"
"  timestamp     YYYY-MM-DDThh:mm:ss[.ffffff]Z (UTC; the fraction only\n"
"                when it is not zero)\n"
"  binary        \\x followed by lower-case hex\n"
"'dpsnap import' reads this CSV back to the same values.\n"
"\n"
"JSON lines: one object per row, keys = column names in order; null for\n"
"NULL; numbers as JSON numbers (64-bit integers exactly; NaN and the\n"
"infinities as the strings \"nan\", \"inf\", \"-inf\"); dates and\n"
"timestamps as strings as above; binary as a string of hex digits.\n"
"\n"
"exit status: 0 ok, 1 the file cannot be read, is damaged, or OUT cannot\n"
"be written, 2 bad command line.\n";

int cli_cmd_export(int argc, char **argv) {
  const char *format_s = NULL, *output = NULL;
  const cli_option opts[] = {
      {"format", 0, &format_s, NULL},
      {"output", 'o', &output, NULL},
  };
  const char *pos[1];
  size_t n_pos;
  int rc = cli_parse_args("export", argc, argv, opts,
                          sizeof opts / sizeof opts[0], pos, 1, &n_pos);
  if (rc == CLI_HELP) {
    fputs(export_help, stdout);
    return CLI_EXIT_OK;
  }
  if (rc != CLI_EXIT_OK) return rc;
  if (n_pos != 1) return cli_usage("export", "expected a snapshot FILE");
  cli_format format = CLI_FORMAT_CSV;
  if (format_s != NULL &&
      (cli_format_parse(format_s, &format) != 0 || format == CLI_FORMAT_TABLE))
    return cli_usage("export", "unknown format '%s'; expected csv or jsonl",
                     format_s);

  dps_reader *r = cli_open_reader(pos[0]);
  if (r == NULL) return CLI_EXIT_DATA;
  size_t n_cols;
  size_t *cols = cli_resolve_columns("export", pos[0], dps_reader_schema(r),
                                     NULL, &n_cols, &rc);
  FILE *fp = stdout;
  cli_buf tmp = {NULL, 0, 0};
  if (output != NULL) {
    cli_buf_printf(&tmp, "%s.tmp", output);
    fp = fopen(cli_buf_cstr(&tmp), "wb");
    if (fp == NULL) {
      cli_error("%s: cannot create: %s", tmp.data, strerror(errno));
      cli_buf_free(&tmp);
      free(cols);
      dps_reader_free(r);
      return CLI_EXIT_DATA;
    }
  }
  cli_out out;
  cli_out_init(&out, fp, output != NULL ? tmp.data : "standard output");
  rc = cli_write_rows(r, pos[0], cols, n_cols, UINT64_MAX, format, &out);
  if (cli_out_finish(&out) != 0 && rc == CLI_EXIT_OK) rc = CLI_EXIT_DATA;
  if (output != NULL) {
    /* Sync before the rename: after a crash OUT is either the old file or
     * the complete new one. */
    if (rc == CLI_EXIT_OK && fsync(fileno(fp)) != 0) {
      cli_error("%s: cannot sync: %s", tmp.data, strerror(errno));
      rc = CLI_EXIT_DATA;
    }
    if (fclose(fp) != 0 && rc == CLI_EXIT_OK) {
      cli_error("%s: write failed: %s", tmp.data, strerror(errno));
      rc = CLI_EXIT_DATA;
    }
    if (rc == CLI_EXIT_OK && rename(tmp.data, output) != 0) {
      cli_error("%s: cannot rename %s to it: %s", output, tmp.data,
                strerror(errno));
      rc = CLI_EXIT_DATA;
    }
    if (rc != CLI_EXIT_OK) unlink(tmp.data);
  }
  cli_buf_free(&tmp);
  free(cols);
  dps_reader_free(r);
  return rc;
}
