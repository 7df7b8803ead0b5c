#!/usr/bin/env bash
# Importing the flights sample with its descriptor; what `info` reports.
source "$(dirname "$0")/lib.sh"

run 0 import "$EXAMPLES/flights_100k.csv" flights.dps \
  --descriptor "$EXAMPLES/flights.json"
expect_out "flights.dps: 100000 rows, 5 columns"
expect_out "delay        int32"
expect_out "(descriptor)"
[ -f flights.dps ] || fail "flights.dps was not written"

run 0 info flights.dps
expect_out "rows:              100000"
expect_out "row groups:        1"
expect_out "product:           aviation.flights"
expect_out "semver:            1.0.0"
expect_out "snapshot version:  1"
expect_out "owner:             Aviation analytics <aviation-data@example.org>"
expect_out "format version:    1.1"
expect_out "created by:        dpsnap "
expect_out "compression ratio: "
grep -qE '^schema tag: +[0-9a-f]{16}$' out.txt || fail "no 16-hex schema tag"
grep -qE "^file size: +$(wc -c < flights.dps | tr -d ' ') bytes" out.txt ||
  fail "info's file size is not the file's size"

run 0 info flights.dps --columns
expect_out "stages"
for c in date delay distance origin destination; do
  grep -qE "^$c +" out.txt || fail "info --columns lacks $c"
done
grep -qE '^delay +int32 +0 ' out.txt || fail "delay: type int32, 0 nulls"
# auto: each page's stage is whichever of none, lz4 and zstd reads fastest.
grep -qE '^delay +int32 .* ((zstd|lz4|none)\*[0-9]+ ?)+ +[a-z(),]+\*[0-9]+' out.txt ||
  fail "no stages or no encodings shown"
# Sorted timestamps: a delta cascade; three-letter codes: a dictionary.
grep -qE '^date .* delta\(' out.txt || fail "date is not delta-encoded"
grep -qE '^origin .* dict\(' out.txt || fail "origin is not dictionary-encoded"

run 0 info flights.dps --json
expect_out '"rows": 100000'
expect_out '"product": "aviation.flights"'
expect_out '"team": "Aviation analytics"'
expect_out '"compression_ratio": '
expect_out '"encodings": "'
expect_out '"stages": "'

run 0 verify flights.dps
expect_out "flights.dps: ok"
expect_out "row groups:  1 (100000 rows)"

# Codec and row-group options; --product and --owner override the
# descriptor.
run 0 import "$EXAMPLES/flights_100k.csv" lz4.dps \
  --descriptor "$EXAMPLES/flights.json" --compression lz4 \
  --row-group-rows 8192 --product aviation.flights_lz4 --owner "$OWNER"
run 0 info lz4.dps --columns
expect_out "rows:              100000"
expect_out "row groups:        13"
expect_out "product:           aviation.flights_lz4"
expect_out "owner:             QA team <qa@example.org>"
grep -qE ' lz4\*[0-9]+' out.txt || fail "--compression lz4 not used"
! grep -qE 'zstd\*' out.txt || fail "--compression lz4 wrote zstd pages"
run 0 verify lz4.dps

run 0 import "$EXAMPLES/flights_100k.csv" none.dps \
  --product aviation.flights --owner "$OWNER" --compression none
run 0 info none.dps --columns
grep -qE ' none\*[0-9]+ +[a-z(),]+\*[0-9]+' out.txt || fail "--compression none not recorded"
! grep -qE '(lz4|zstd)\*' out.txt || fail "--compression none wrote compressed pages"
# --read-mbps: storage as fast as memory means no zstd at all; slow
# storage means the smallest file.
run 0 import "$EXAMPLES/flights_100k.csv" fast.dps \
  --descriptor "$EXAMPLES/flights.json" --compression auto --read-mbps 100000
run 0 info fast.dps --columns
! grep -qE 'zstd\*' out.txt || fail "--read-mbps 100000 wrote zstd pages"
run 0 import "$EXAMPLES/flights_100k.csv" slow.dps \
  --descriptor "$EXAMPLES/flights.json" --read-mbps 1
[ "$(wc -c < slow.dps)" -lt "$(wc -c < fast.dps)" ] ||
  fail "--read-mbps 1 did not write a smaller file than --read-mbps 100000"
run 0 verify fast.dps
run 0 verify slow.dps
# Without a descriptor every type is inferred, and columns are nullable.
run 0 schema none.dps
grep -qE '^date +timestamp +yes' out.txt || fail "date not inferred as timestamp"
grep -qE '^delay +int64 +yes' out.txt || fail "delay not inferred as int64"
grep -qE '^origin +string +yes' out.txt || fail "origin not inferred as string"

# The CSV can come from standard input.
"$DPSNAP" import - stdin.dps --product test.stdin --owner "$OWNER" \
  < "$DATA/tiny.csv" > out.txt
expect_out "stdin.dps: 5 rows, 7 columns"
echo "cli_import_info: ok"
