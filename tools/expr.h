/*
 * expr.h - the small expression language of `dpsnap scan`: --where
 * predicates and --agg aggregate lists, parsed into the nodes of a
 * dps_query (include/dpsnap.h, spec/SCAN.md).
 *
 * Names and literal types are checked against the snapshot's schema while
 * parsing, so that every error can point at the place in the text where
 * it is: "--where: at 14: expected a literal after '<', found 'and'".
 */
#ifndef DPSNAP_TOOLS_EXPR_H
#define DPSNAP_TOOLS_EXPR_H

#include "cli.h"

/** Parses the predicate `text` (the --where grammar in `dpsnap scan
 *  --help`) into nodes of `q`. Column names are resolved in `schema` and
 *  literals checked against their column's type (spec/SCAN.md [SCAN-5]).
 *  Returns 0 with *out set, or -1 after appending to `msg` what is wrong,
 *  its 1-based character position and what was expected, followed by the
 *  expression with a caret under that position. */
int cli_expr_where(dps_query *q, const dps_schema *schema, const char *text,
                   dps_node **out, cli_buf *msg);

/* The aggregates of --agg, in the order written. */
typedef struct cli_agg_list {
  dps_agg *aggs;   /* n entries; their nodes belong to the query */
  char **labels;   /* each aggregate's text as written ("sum(a*b)") */
  int *numeric;    /* non-zero: the result is a number (tables right-align
                      it) */
  size_t n;        /* number of aggregates */
} cli_agg_list;

/** Parses a comma-separated list of aggregates ("count(*), sum(a*(1-b))")
 *  into `out` (zeroed first; free with cli_agg_list_free). Returns 0, or
 *  -1 after appending the error to `msg` as cli_expr_where does. */
int cli_expr_aggs(dps_query *q, const dps_schema *schema, const char *text,
                  cli_agg_list *out, cli_buf *msg);

/** Frees what cli_expr_aggs allocated; the zero value is a no-op. */
void cli_agg_list_free(cli_agg_list *list);

/** Appends "; nearest: a, b, c" with up to three column names of `schema`
 *  closest to `name` (case-insensitive edit distance), or "; the columns
 *  are: ..." when none is close. */
void cli_buf_nearest_columns(cli_buf *b, const dps_schema *schema,
                             const char *name);

#endif /* DPSNAP_TOOLS_EXPR_H */
