#!/usr/bin/env bash
# `export` gives back the values that were imported: CSV -> snapshot -> CSV
# keeps every value, and a second round trip is byte-identical.
source "$(dirname "$0")/lib.sh"

run 0 import "$EXAMPLES/flights_100k.csv" flights.dps \
  --descriptor "$EXAMPLES/flights.json"
run 0 export flights.dps -o flights.csv
[ ! -s out.txt ] || fail "export -o wrote to standard output"
[ -f flights.csv ] || fail "export -o did not write flights.csv"
[ ! -e flights.csv.tmp ] || fail "export -o left its temporary file"
"$DPSNAP" export flights.dps > stdout.csv
same flights.csv stdout.csv

# Data-level comparison with the original: the same number of rows and
# fields, every field equal once the zoneless timestamps are written the way
# export writes them ("2001-01-01 00:01:00" is UTC 2001-01-01T00:01:00Z).
awk -F, -v OFS=, 'NR == 1 { print; next }
  { $1 = substr($1, 1, 10) "T" substr($1, 12) "Z"; print }' \
  "$EXAMPLES/flights_100k.csv" > normalised.csv
[ "$(wc -l < flights.csv)" -eq 100001 ] || fail "export row count"
awk -F, 'NF != 5 { bad++ } END { exit bad > 0 }' flights.csv ||
  fail "export has records without 5 fields"
same normalised.csv flights.csv
head -2 flights.csv > head.csv
printf 'date,delay,distance,origin,destination\n2001-01-01T00:01:00Z,33,2176,LAS,PHL\n' > want.csv
same want.csv head.csv

# Second round: the export imports (types inferred this time) and exports
# to the same bytes.
run 0 import flights.csv round2.dps --product aviation.flights_copy --owner "$OWNER"
run 0 export round2.dps --format csv -o round2.csv
same flights.csv round2.csv

# The same for the fixture with quoting, nulls and empty strings.
run 0 import "$DATA/tiny.csv" tiny.dps --product test.tiny --owner "$OWNER"
run 0 export tiny.dps -o tiny1.csv
run 0 import tiny1.csv tiny2.dps --product test.tiny --owner "$OWNER"
run 0 export tiny2.dps -o tiny2.csv
same tiny1.csv tiny2.csv
same "$EXPECTED/tiny.csv" tiny1.csv

# JSON lines: one object per row, keys in column order.
run 0 export flights.dps --format jsonl -o flights.jsonl
[ "$(wc -l < flights.jsonl)" -eq 100000 ] || fail "jsonl row count"
head -1 flights.jsonl > first.jsonl
printf '{"date":"2001-01-01T00:01:00Z","delay":33,"distance":2176,"origin":"LAS","destination":"PHL"}\n' > want.jsonl
same want.jsonl first.jsonl
# delay is the 2nd field of both: sum it from the CSV and from the JSON.
csv_sum=$(awk -F, 'NR > 1 { s += $2 } END { print s }' "$EXAMPLES/flights_100k.csv")
json_sum=$(sed -E 's/.*"delay":(-?[0-9]+),.*/\1/' flights.jsonl | awk '{ s += $1 } END { print s }')
[ "$csv_sum" = "$json_sum" ] || fail "delay sums differ: csv $csv_sum, jsonl $json_sum"

# Exporting to an unwritable place fails cleanly.
run 1 export flights.dps -o no-such-dir/x.csv
expect_err "no-such-dir/x.csv.tmp: cannot create"
echo "cli_export_roundtrip: ok"
