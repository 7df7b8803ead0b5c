#!/usr/bin/env bash
# `scan` as a table, CSV and JSON lines, on a fixture with quoting, nulls,
# empty strings, embedded line breaks and every inferred type.
source "$(dirname "$0")/lib.sh"

run 0 import "$DATA/tiny.csv" tiny.dps --product test.tiny --owner "$OWNER"
expect_out "id     int64"
expect_out "name   string"
expect_out "score  float64"
expect_out "ok     bool"
expect_out "day    date"
expect_out "at     timestamp"

run 0 scan tiny.dps
same "$EXPECTED/tiny.table" out.txt
run 0 scan tiny.dps --format table
same "$EXPECTED/tiny.table" out.txt
run 0 scan tiny.dps --format csv
same "$EXPECTED/tiny.csv" out.txt
run 0 scan tiny.dps --format jsonl
same "$EXPECTED/tiny.jsonl" out.txt

# Projection and limit.
run 0 scan tiny.dps --columns note,id --limit 2 --format csv
printf 'note,id\nplain,1\n"say ""hi""",2\n' > want.csv
same want.csv out.txt
run 0 scan tiny.dps --columns=score --format=jsonl --limit=1
printf '{"score":1.5}\n' > want.jsonl
same want.jsonl out.txt
run 0 scan tiny.dps --limit 2
expect_out "(2 of 5 rows; --limit N to see more)"
[ "$(wc -l < out.txt)" -eq 5 ] || fail "table with --limit 2 is not 5 lines"
run 0 scan tiny.dps --limit 0 --format csv
printf 'id,name,score,ok,day,at,note\n' > want.csv
same want.csv out.txt

# A table shows 40 rows by default and says how many there are.
run 0 import "$EXAMPLES/flights_100k.csv" flights.dps \
  --descriptor "$EXAMPLES/flights.json"
run 0 scan flights.dps
[ "$(wc -l < out.txt)" -eq 43 ] || fail "default table is not 2 + 40 + 1 lines"
expect_out "(40 of 100000 rows; --limit N to see more)"
head -3 out.txt > head.txt
printf '%s\n' \
  'date                  delay  distance  origin  destination' \
  '--------------------  -----  --------  ------  -----------' \
  '2001-01-01T00:01:00Z     33      2176  LAS     PHL' > want.txt
same want.txt head.txt
run 0 scan flights.dps --format csv
[ "$(wc -l < out.txt)" -eq 100001 ] || fail "scan --format csv is not all rows"

# CRLF line ends read like LF ones.
sed 's/$/\r/' "$DATA/types.csv" > crlf.csv
run 0 import crlf.csv crlf.dps --descriptor "$DATA/types.json"
run 0 scan crlf.dps --format csv
same "$EXPECTED/types.csv" out.txt

# A UTF-8 byte-order mark is not part of the first column's name; empty
# lines between records are skipped; the last record needs no line end.
printf '\357\273\277a,b\n1,x\n\n2,y' > bom.csv
run 0 import bom.csv bom.dps --product test.bom --owner "$OWNER"
run 0 scan bom.dps --format csv
printf 'a,b\n1,x\n2,y\n' > want.csv
same want.csv out.txt
echo "cli_scan_formats: ok"
