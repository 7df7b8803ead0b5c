#!/usr/bin/env bash
# Damaged snapshots: a clear error naming the file and an offset, exit 1,
# never a crash.
source "$(dirname "$0")/lib.sh"

run 0 import "$EXAMPLES/flights_100k.csv" good.dps \
  --descriptor "$EXAMPLES/flights.json"
run 0 verify good.dps
expect_out "good.dps: ok"
expect_out "row groups:  1 (100000 rows)"
grep -qE '^  pages: +[1-9][0-9]* ' out.txt || fail "verify counts no pages"
grep -qE '^  values: +500000 ' out.txt || fail "verify did not check 5 x 100000 values"
size=$(wc -c < good.dps | tr -d ' ')

# Truncated: the trailer is gone.
head -c $((size / 2)) good.dps > truncated.dps
for cmd in verify info meta scan; do
  run 1 $cmd truncated.dps
  expect_err "dpsnap: truncated.dps: "
  expect_err "truncated"
done
head -c 20 good.dps > tiny.dps
run 1 verify tiny.dps
expect_err "dpsnap: tiny.dps: "

# One flipped byte in the middle of the file (page data): opening still
# works, verify and full reads fail, naming the offset.
cp good.dps flipped.dps
flip_byte flipped.dps $((size / 2))
cmp -s good.dps flipped.dps && fail "flip_byte changed nothing"
run 1 verify flipped.dps
expect_err "dpsnap: flipped.dps: "
expect_err_re "offset [0-9]+"
expect_err "checksum"
run 1 export flipped.dps -o flipped.csv
expect_err_re "offset [0-9]+"
[ ! -e flipped.csv ] || fail "export of a damaged file left flipped.csv"
[ ! -e flipped.csv.tmp ] || fail "export of a damaged file left its temporary file"
run 0 info flipped.dps

# A flipped byte in the footer fails at open, with the footer checksum.
cp good.dps footer.dps
flip_byte footer.dps $((size - 100))
run 1 verify footer.dps
expect_err "dpsnap: footer.dps: "
# The magic number.
cp good.dps magic.dps
flip_byte magic.dps 1
run 1 info magic.dps
expect_err "not a dpsnap snapshot"
echo "cli_corrupt: ok"
