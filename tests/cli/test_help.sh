#!/usr/bin/env bash
# Every command documents itself: --help exits 0; bad command lines exit 2.
source "$(dirname "$0")/lib.sh"

run 0 --help
for cmd in import info schema meta scan export verify; do
  expect_out "  $cmd "
done
expect_out "exit status"

run 0 --version
expect_out "dpsnap 0."
expect_out "format 1."

for cmd in import info schema meta scan export verify; do
  run 0 "$cmd" --help
  expect_out "usage: dpsnap $cmd"
  run 0 "$cmd" -h
  expect_out "usage: dpsnap $cmd"
  run 0 help "$cmd"
  expect_out "usage: dpsnap $cmd"
done
# The import help documents the inference rules and the UTC reading of
# zoneless timestamps.
run 0 import --help
expect_out "A timestamp without a zone is read as UTC"
expect_out "--owner \"TEAM <EMAIL>\""

run 2
expect_err "usage: dpsnap COMMAND"
run 2 frobnicate
expect_err "unknown command 'frobnicate'"
run 2 info --frobnicate x.dps
expect_err "unknown option '--frobnicate'"
expect_err "dpsnap info --help"
run 2 info
expect_err "expected a snapshot FILE"
run 2 info a.dps b.dps
expect_err "unexpected argument 'b.dps'"
run 2 scan x.dps --limit
expect_err "option '--limit' needs a value"
run 2 scan x.dps --format xml
expect_err "unknown format 'xml'"
run 2 scan x.dps --limit ten
expect_err "--limit expects a number"
run 2 export x.dps --format table
expect_err "expected csv or jsonl"
run 2 import in.csv
expect_err "expected INPUT.csv and OUT.dps"
run 2 import in.csv out.dps --owner "$OWNER" --product a.b --compression brotli
expect_err "unknown compression 'brotli'"
run 2 import in.csv out.dps --owner "$OWNER" --product a.b --row-group-rows 1000
expect_err "multiple of 1024"
run 2 import in.csv out.dps --owner "$OWNER" --product a.b --read-mbps 0
expect_err "--read-mbps must be an integer from 1 to 100000, found '0'"
run 2 import in.csv out.dps --owner "$OWNER" --product a.b --read-mbps fast
expect_err "found 'fast'"
echo "cli_help: ok"
