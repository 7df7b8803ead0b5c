#!/usr/bin/env bash
# Files written by earlier dpsnap releases stay readable [FMT-5]:
# tests/golden/*_format_1_0.dps were written by the walking skeleton
# (format 1.0, plain pages) and must verify and export the same values.
source "$(dirname "$0")/lib.sh"
GOLDEN=$SRC/tests/golden

run 0 info "$GOLDEN/types_format_1_0.dps"
expect_out "format version:    1.0"
run 0 verify "$GOLDEN/types_format_1_0.dps"
run 0 export "$GOLDEN/types_format_1_0.dps" --format csv
cmp -s out.txt "$EXPECTED/types.csv" || fail "format 1.0 types export differs from expected/types.csv"

run 0 verify "$GOLDEN/flights_format_1_0.dps"
run 0 export "$GOLDEN/flights_format_1_0.dps" --format csv
cmp -s out.txt "$GOLDEN/flights_format_1_0.csv" || fail "format 1.0 flights export differs"

# The same data written today (format 1.1, cascade encodings) reads back the same.
run 0 import "$GOLDEN/flights_format_1_0.csv" now.dps --descriptor "$EXAMPLES/flights.json"
run 0 info now.dps
expect_out "format version:    1.1"
run 0 export now.dps --format csv
cmp -s out.txt "$GOLDEN/flights_format_1_0.csv" || fail "format 1.1 flights export differs"
echo "golden files: ok"
