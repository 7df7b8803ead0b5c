/*
 * main.c - the dpsnap command: dispatch to the subcommands.
 */
#include "cli.h"

#include <string.h>

typedef struct command {
  const char *name;                /* as typed */
  int (*run)(int argc, char **argv);
  const char *summary;             /* one line for --help */
} command;

static const command commands[] = {
    {"import", cli_cmd_import, "CSV + metadata into a snapshot"},
    {"info", cli_cmd_info, "rows, sizes, compression, product and owner"},
    {"schema", cli_cmd_schema, "the columns: types, nullability, docs, tags"},
    {"meta", cli_cmd_meta, "the full metadata as JSON"},
    {"scan", cli_cmd_scan, "rows or aggregates, filtered (--where, --agg)"},
    {"export", cli_cmd_export, "the whole snapshot as CSV or JSON lines"},
    {"verify", cli_cmd_verify, "check every checksum, page and value"},
};
#define N_COMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *fp) {
  fputs("usage: dpsnap COMMAND [ARGS]\n"
        "\n"
        "dpsnap stores data products as snapshots: columnar, compressed,\n"
        "schema-tagged files that carry their owner and lineage.\n"
        "\n"
        "commands:\n", fp);
  for (size_t i = 0; i < N_COMMANDS; i++)
    fprintf(fp, "  %-8s %s\n", commands[i].name, commands[i].summary);
  fputs("\n"
        "'dpsnap COMMAND --help' describes a command.\n"
        "  --help      this text\n"
        "  --version   the tool's and the library's versions\n"
        "\n"
        "exit status: 0 ok, 1 data or I/O error, 2 usage error.\n", fp);
}

static const command *find(const char *name) {
  for (size_t i = 0; i < N_COMMANDS; i++)
    if (strcmp(commands[i].name, name) == 0) return &commands[i];
  return NULL;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    usage(stderr);
    return CLI_EXIT_USAGE;
  }
  const char *name = argv[1];
  if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
    usage(stdout);
    return CLI_EXIT_OK;
  }
  if (strcmp(name, "--version") == 0) {
    printf("dpsnap %d.%d.%d (library %s, format %d.%d)\n", DPS_VERSION_MAJOR,
           DPS_VERSION_MINOR, DPS_VERSION_PATCH, dps_version_string(),
           DPS_FORMAT_MAJOR, DPS_FORMAT_MINOR);
    return CLI_EXIT_OK;
  }
  /* "dpsnap help import" is the same as "dpsnap import --help". */
  if (strcmp(name, "help") == 0) {
    if (argc < 3) {
      usage(stdout);
      return CLI_EXIT_OK;
    }
    const command *c = find(argv[2]);
    if (c == NULL) {
      cli_error("unknown command '%s' (see 'dpsnap --help')", argv[2]);
      return CLI_EXIT_USAGE;
    }
    char *help_argv[] = {argv[2], (char *)"--help", NULL};
    return c->run(2, help_argv);
  }
  const command *c = find(name);
  if (c == NULL) {
    cli_error("unknown command '%s' (see 'dpsnap --help')", name);
    return CLI_EXIT_USAGE;
  }
  return c->run(argc - 1, argv + 1);
}
