#!/usr/bin/env bash
# `scan --where/--agg/--group-by` (spec/SCAN.md): predicates, aggregates
# and groups on a generated table of 6000 rows in row groups of 1024 rows,
# checked against answers awk computes from the same CSV; and every error
# of the expression language exits 2 and says where.
source "$(dirname "$0")/lib.sh"

# id        int64, 1..6000, sorted
# shipdate  date, sorted: 1992-01-01 plus (id-1)/2 days (to 2000-03-18)
# qty       decimal(15,2), 0.00..49.99
# price     decimal(15,2), 10.00..1009.99
# disc      decimal(15,2), 0.00..0.10
# mode      string, one of 7 (two of them start with R)
# flag      string, A/N/R, null on every 13th row
# score     int64, -500..499, null on every 7th row
N=6000
awk -v n=$N '
function civil(z,   era, doe, yoe, y, doy, mp, d, m) {
  z += 719468
  era = int((z >= 0 ? z : z - 146096) / 146097)
  doe = z - era * 146097
  yoe = int((doe - int(doe / 1460) + int(doe / 36524) - int(doe / 146096)) / 365)
  y = yoe + era * 400
  doy = doe - (365 * yoe + int(yoe / 4) - int(yoe / 100))
  mp = int((5 * doy + 2) / 153)
  d = doy - int((153 * mp + 2) / 5) + 1
  m = mp < 10 ? mp + 3 : mp - 9
  return sprintf("%04d-%02d-%02d", y + (m <= 2), m, d)
}
BEGIN {
  split("AIR MAIL RAIL SHIP TRUCK REG_AIR FOB", modes, " ")
  modes[6] = "REG AIR"
  split("A N R", flags, " ")
  print "id,shipdate,qty,price,disc,mode,flag,score"
  for (id = 1; id <= n; id++) {
    q = (id * 37) % 5000
    p = 1000 + (id * 7919) % 100000
    flag = id % 13 == 0 ? "" : flags[id % 3 + 1]
    score = id % 7 == 0 ? "" : (id * 31) % 1000 - 500
    printf "%d,%s,%d.%02d,%d.%02d,0.%02d,%s,%s,%s\n", id,
      civil(8035 + int((id - 1) / 2)), int(q / 100), q % 100,
      int(p / 100), p % 100, id % 11, modes[(id * 13) % 7 + 1], flag, score
  }
}' > t.csv
cat > t.json <<'EOF'
{"product": "test.scan", "owner": {"team": "QA", "email": "qa@example.org"},
 "columns": [
  {"name": "id", "type": "int64", "nullable": false},
  {"name": "shipdate", "type": "date"},
  {"name": "qty", "type": "decimal(15,2)"},
  {"name": "price", "type": "decimal(15,2)"},
  {"name": "disc", "type": "decimal(15,2)"},
  {"name": "mode", "type": "string"},
  {"name": "flag", "type": "string"},
  {"name": "score", "type": "int64"}]}
EOF
run 0 import t.csv t.dps --descriptor t.json --row-group-rows 1024
run 0 info t.dps
expect_out "6000"

# q WHERE AGGS: runs the aggregate scan as CSV and keeps its one data row.
q() {
  run 0 scan t.dps --where "$1" --agg "$2" --format csv
  [ "$(wc -l < out.txt)" -eq 2 ] || { cat out.txt; fail "--agg $2: not one row"; }
  sed -n 2p out.txt
}
# check WHAT GOT WANT
check() {
  [ "$2" = "$3" ] || fail "$1: got '$2', expected '$3'"
}
# awk over the CSV with fields named as the columns, and decimals as
# integer cents (qc, pc, dc) so that no double rounding gets in the way.
A() {
  LC_ALL=C awk -F, "BEGIN { c = 0 } NR > 1 { id = \$1; day = \$2; qty = \$3; \
    price = \$4; disc = \$5; mode = \$6; flag = \$7; score = \$8
    qc = int(qty * 100 + 0.5); pc = int(price * 100 + 0.5)
    dc = int(disc * 100 + 0.5) } $1" t.csv
}

# [SCAN-20] count(*) with between on dates (inclusive at both ends).
want=$(A 'NR > 1 && day >= "1993-01-01" && day <= "1993-12-31" { c++ } END { print c }')
got=$(q "shipdate between date '1993-01-01' and date '1993-12-31'" "count(*)")
check "count(*) between dates" "$got" "$want"
[ "$want" -eq 730 ] || fail "the generator changed: $want rows in 1993"
# A plain string reads as a date against a date column.
got=$(q "shipdate >= '1993-01-01' and shipdate <= '1993-12-31'" "count(*)")
check "count(*) string dates" "$got" "$want"
# Either order of column and literal.
got=$(q "'1993-01-01' <= shipdate and date '1993-12-31' >= shipdate" "count(*)")
check "count(*) literal first" "$got" "$want"

# [SCAN-21] [SCAN-22] sum of a product of decimals: exact, scale 2+2 = 4
# (TPC-H Q6's shape).
want=$(A 'NR > 1 && day >= "1994-01-01" && day < "1995-01-01" &&
  dc >= 5 && dc <= 7 && qc < 2400 {
    s += pc * dc }
  END { printf "%.0f.%04d\n", int(s / 10000), s % 10000 }')
got=$(q "shipdate >= date '1994-01-01' and shipdate < date '1995-01-01' and
  disc between 0.05 and 0.07 and qty < 24" "sum(price*disc)")
check "sum(price*disc)" "$got" "$want"
# TPC-H Q1's shape: arithmetic with an integer literal and parentheses.
want=$(A 'NR > 1 && day <= "1998-09-02" {
    s += pc * (100 - dc) }
  END { printf "%.0f.%04d\n", int(s / 10000), s % 10000 }')
got=$(q "shipdate <= date '1998-09-02'" "sum(price*(1-disc))")
check "sum(price*(1-disc))" "$got" "$want"
# Sum of an integer column skips nulls.
want=$(A 'NR > 1 && score != "" { s += score } END { print s }')
got=$(q "id > 0" "sum(score)")
check "sum(score)" "$got" "$want"

# [SCAN-24] min and max keep the column's type; nulls are skipped.
want=$(A 'NR > 1 && score != "" { if (!n++ || score < lo) lo = score
    if (n == 1 || score > hi) hi = score }
  NR > 1 { if (!m++ || mode < mlo) mlo = mode
    if (m == 1 || mode > mhi) mhi = mode }
  END { print lo "," hi "," mlo "," mhi }')
got=$(q "id >= 1" "min(score),max(score),min(mode),max(mode)")
check "min/max" "$got" "$want"
got=$(q "qty > 40" "min(shipdate),max(shipdate),max(price)")
want=$(A 'NR > 1 && qc > 4000 { if (!n++ || day < lo) lo = day
    if (n == 1 || day > hi) hi = day; c = pc
    if (n == 1 || c > p) p = c }
  END { printf "%s,%s,%d.%02d\n", lo, hi, int(p / 100), p % 100 }')
check "min/max of dates and decimals" "$got" "$want"

# [SCAN-23] avg is a float: compare with a tolerance.
num_close() {
  awk -v g="$2" -v w="$3" 'BEGIN { d = g - w; if (d < 0) d = -d
    a = w < 0 ? -w : w; exit !(d <= 1e-9 * a + 1e-12) }' ||
    fail "$1: got $2, expected about $3"
}
want=$(A 'NR > 1 && score != "" { s += score; n++ } END { printf "%.17g\n", s / n }')
got=$(q "id > 0" "avg(score)")
num_close "avg(score)" "$got" "$want"
want=$(A 'NR > 1 && mode == "AIR" { s += qc; n++ }
  END { printf "%.17g\n", s / n / 100 }')
got=$(q "mode = 'AIR'" "avg(qty)")
num_close "avg(qty)" "$got" "$want"

# [SCAN-20] count(x) counts non-nulls; over no rows counts are 0 and the
# other aggregates null (an empty CSV field).
want=$(A 'NR > 1 { n++; if (score != "") k++ } END { print n "," k }')
got=$(q "id > 0" "count(*),count(score)")
check "count(*), count(score)" "$got" "$want"
got=$(q "id > 999999" "count(*),count(score),sum(score),min(mode),avg(qty)")
check "aggregates of no rows" "$got" "0,0,,,"

# in, not in, starts_with, is null, is not null.
want=$(A 'NR > 1 && (mode == "AIR" || mode == "SHIP") { c++ } END { print c }')
check "in" "$(q "mode in ('AIR', 'SHIP')" "count(*)")" "$want"
want=$(A 'NR > 1 && flag != "" && flag != "A" && flag != "R" { c++ } END { print c }')
check "not in (nulls are not selected)" "$(q "flag not in ('A','R')" "count(*)")" "$want"
want=$(A 'NR > 1 && mode ~ /^R/ { c++ } END { print c }')
check "starts_with" "$(q "starts_with(mode, 'R')" "count(*)")" "$want"
want=$(A 'NR > 1 && mode ~ /^REG/ { c++ } END { print c }')
check "STARTS_WITH, AND in capitals" \
  "$(q "STARTS_WITH(mode, 'REG') AND id > 0" "count(*)")" "$want"
want=$(A 'NR > 1 && score == "" { c++ } END { print c }')
check "is null" "$(q "score is null" "count(*)")" "$want"
want=$(A 'NR > 1 && score != "" { c++ } END { print c }')
check "is not null" "$(q "score is not null" "count(*)")" "$want"

# [SCAN-1] not and or under three-valued logic: not (score < 0) does not
# select rows where score is null.
want=$(A 'NR > 1 && score != "" && score >= 0 { c++ } END { print c }')
check "not (score < 0)" "$(q "not (score < 0)" "count(*)")" "$want"
want=$(A 'NR > 1 && ((score != "" && score > 400) || id <= 10) { c++ } END { print c }')
check "or" "$(q "score > 400 or id <= 10" "count(*)")" "$want"
want=$(A 'NR > 1 && !(mode == "AIR" || (score != "" && score < -450)) &&
  (score != "" || mode == "AIR") { c++ } END { print c }')
check "not (a or b)" "$(q "not (mode = 'AIR' or score < -450)" "count(*)")" "$want"
want=$(A 'NR > 1 && (id < 100 || id > 5900) && dc != 3 { c++ } END { print c }')
check "precedence: and over or, <>" \
  "$(q "id < 100 and disc <> 0.03 or id > 5900 and disc != 0.030" "count(*)")" "$want"
# [SCAN-2] exact values across kinds: an int column against a decimal.
want=$(A 'NR > 1 && id < 2.5 { c++ } END { print c }')
check "id < 2.5" "$(q "id < 2.5" "count(*)")" "$want"

# [SCAN-25] group by a nullable string: sorted by bytes, null last.
run 0 scan t.dps --agg "count(*),sum(qty),max(score)" --group-by flag --format csv
A 'NR > 1 { k = flag == "" ? "~null" : flag; n[k]++; s[k] += qc
    if (score != "" && (!(k in m) || score > m[k])) m[k] = score }
  END { for (k in n) printf "%s,%d,%.0f.%02d,%s\n", k == "~null" ? "" : k, n[k],
    int(s[k] / 100), s[k] % 100, m[k] }' | LC_ALL=C sort -t, -k1,1 > groups.txt
# the null group sorts last whatever sort thinks of an empty key
{ echo 'flag,count(*),sum(qty),max(score)'; grep -v '^,' groups.txt
  grep '^,' groups.txt; } > want.csv
same want.csv out.txt
# Two grouping columns, with a predicate.
run 0 scan t.dps --where "id <= 3000" --agg "count(*)" --group-by mode,flag \
  --format csv
A 'NR > 1 && id <= 3000 { n[mode "," flag]++ } END { for (k in n) print k "," n[k] }' |
  awk -F, '{ printf "%s\t%s\t%s\n", $1, ($2 == "" ? "~~" : $2), $0 }' |
  LC_ALL=C sort -t"$(printf '\t')" -k1,1 -k2,2 | cut -f3 > body.csv
{ echo 'mode,flag,count(*)'; cat body.csv; } > want2.csv
same want2.csv out.txt
# JSON lines: counts and decimals are JSON numbers, dates strings.
run 0 scan t.dps --where "mode = 'FOB'" --agg "count(*),max(qty),min(shipdate)" \
  --format jsonl
want=$(A 'NR > 1 && mode == "FOB" { n++; c = qc; if (n == 1 || c > m) m = c
    if (n == 1 || day < d) d = day }
  END { printf "{\"count(*)\":%d,\"max(qty)\":%d.%02d,\"min(shipdate)\":\"%s\"}\n",
    n, int(m / 100), m % 100, d }')
check "jsonl aggregates" "$(cat out.txt)" "$want"
# A table: group columns, then one column per aggregate headed as written.
run 0 scan t.dps --agg "count(*), sum(price*disc)" --group-by mode
expect_out "count(*)"
expect_out "sum(price*disc)"
expect_out "(7 rows)"

# Rows with --where, --columns and --limit, in row order.
run 0 scan t.dps --where "id between 100 and 105 or id = 6000" \
  --columns id,mode,score --format csv
{ echo 'id,mode,score'
  A 'NR > 1 && ((id >= 100 && id <= 105) || id == 6000) { print id "," mode "," score }'; } > want.csv
same want.csv out.txt
run 0 scan t.dps --where "mode = 'REG AIR' and score is null" --columns id,shipdate \
  --limit 5 --format csv
{ echo 'id,shipdate'
  A 'NR > 1 && mode == "REG AIR" && score == "" { if (c++ < 5) print id "," day }'; } > want.csv
same want.csv out.txt
run 0 scan t.dps --where "flag = 'N' and qty >= 49.5" --format jsonl
want=$(A 'NR > 1 && flag == "N" && qc >= 4950 { c++ } END { print c }')
[ "$(wc -l < out.txt)" -eq "$want" ] || fail "jsonl rows: $(wc -l < out.txt), expected $want"
run 0 scan t.dps --where "id <= 3" --columns id
expect_out "(3 matching rows)"
run 0 scan t.dps --where "id > 10" --columns id --limit 4
expect_out "(first 4 matching rows; --limit N to see more)"
[ "$(wc -l < out.txt)" -eq 7 ] || fail "table with --limit 4 is not 7 lines"
run 0 scan t.dps --where "id > 10" --columns id --limit 0 --format csv
check "--limit 0" "$(cat out.txt)" "id"

# [SCAN-11] [SCAN-22] the thread count changes nothing.
for args in "--where|mode in ('AIR','RAIL') or score < -300|--format|csv" \
            "--agg|count(*),sum(price*(1-disc)),avg(score),min(flag)|--group-by|mode,flag" \
            "--where|score >= 0|--agg|sum(qty*disc),count(score)|--format|jsonl"; do
  IFS='|' read -r -a a <<< "$args"
  run 0 scan t.dps "${a[@]}" --threads 1
  mv out.txt one.txt
  run 0 scan t.dps "${a[@]}" --threads 3
  same one.txt out.txt
  run 0 scan t.dps "${a[@]}"
  same one.txt out.txt
done

# --stats: the keys, and zone maps prune row groups of a sorted column.
run 0 scan t.dps --where "id <= 500" --agg "count(*)" --stats --format csv
check "count with --stats" "$(sed -n 2p out.txt)" "500"
for key in "time" "threads" "row groups" "row groups pruned" "pages" \
           "pages pruned" "pages read" "bytes read" "vectors" \
           "vectors pruned" "vectors evaluated" "rows scanned" \
           "rows matched" "dictionary lookups"; do
  expect_err_re "^scan: $key: [0-9]"
done
stat_of() { sed -n "s/^scan: $1: \([0-9]*\).*/\1/p" err.txt; }
check "row groups" "$(stat_of "row groups")" "6"
check "rows matched" "$(stat_of "rows matched")" "500"
[ "$(stat_of "row groups pruned")" -gt 0 ] || fail "--where id <= 500 pruned no row group"
run 0 scan t.dps --where "shipdate > date '2001-01-01'" --columns id --stats
expect_out "(0 matching rows)"
check "all pruned" "$(stat_of "row groups pruned")" "6"
check "rows matched" "$(stat_of "rows matched")" "0"
run 0 scan t.dps --agg "sum(qty)" --stats --threads 2
check "threads" "$(stat_of "threads")" "2"
check "nothing pruned" "$(stat_of "row groups pruned")" "0"
check "rows scanned" "$(stat_of "rows scanned")" "$N"

# Errors: exit 2, what, where (1-based character position) and what to do.
err2() {
  run 2 scan t.dps "$@"
}
err2 --where "shipdat > date '1994-01-01'"
expect_err "--where: at 1: unknown column 'shipdat'; nearest: shipdate"
err2 --where "id > 0 and prise < 5"
expect_err "--where: at 12: unknown column 'prise'; nearest: price"
err2 --where "id = 'abc'"
expect_err "--where: at 6: cannot compare column 'id' (int64) with the string 'abc'"
err2 --where "price < date '1994-01-01'"
expect_err "at 9: cannot compare column 'price' (decimal(15,2)) with the literal date '1994-01-01'"
err2 --where "mode = 5"
expect_err "at 8: cannot compare column 'mode' (string) with the number 5"
err2 --where "shipdate < date '1994-13-01'"
expect_err "--where: at 12: bad date literal '1994-13-01': month 13 is not 01..12"
err2 --where "shipdate < '1994-02-30'"
expect_err "at 12: '1994-02-30' is not a date for column 'shipdate' (date): 1994-02 has no day 30"
err2 --where "id < 99999999999999999999"
expect_err "--where: at 6: the integer 99999999999999999999 does not fit in 64 bits"
err2 --where "qty < 24 and"
expect_err "--where: at 13: expected a column or a literal after 'and', found the end of the expression"
err2 --where "qty < and id > 2"
expect_err "--where: at 7: expected a literal after '<', found 'and'"
err2 --where "(id < 5 or id > 9"
expect_err "--where: at 18: expected ')' to close the '(' at 1 after '9', found the end of the expression"
err2 --where "mode = 'AIR"
expect_err "--where: at 8: the string starting here has no closing quote"
err2 --where "id between 1 or 5"
expect_err "--where: at 14: expected 'and' (x between LOW and HIGH) after '1', found 'or'"
err2 --where "id = 1 id = 2"
expect_err "at 8: expected 'and', 'or' or the end of the expression after '1', found 'id'"
err2 --where "id ~ 3"
expect_err "at 4: unexpected character '~'"
err2 --where "id = price"
expect_err "found two columns ('id' and 'price')"
err2 --agg "sum(mode)"
expect_err "--agg: at 5: sum needs a numeric argument; 'mode' is string"
err2 --agg "count(*), median(qty)"
expect_err "--agg: at 11: expected an aggregate: count(*), count(x), sum(x), min(x), max(x) or avg(x) after ',', found 'median'"
err2 --agg "sum(price*(1-dsic))"
expect_err "--agg: at 14: unknown column 'dsic'; nearest: disc"
err2 --agg "sum(price*shipdate)"
expect_err "--agg: at 11: '*' needs numbers; 'shipdate' is date"
err2 --group-by mode
expect_err "dpsnap: scan: --group-by needs --agg"
err2 --agg "count(*)" --group-by mode,flag,id
expect_err "--group-by takes one or two columns, found 3"
err2 --agg "count(*)" --group-by mod
expect_err "--group-by: unknown column 'mod'; nearest: mode"
err2 --agg "count(*)" --columns id
expect_err "--columns chooses the columns of rows"
err2 --where "id > 1" --threads many
expect_err "--threads expects a number of threads"
err2 --where "id > 1" --columns id,mood
expect_err 'no column "mood" (did you mean "mode"?)'
# Every such message ends with where to find help.
expect_err "(see 'dpsnap scan --help')"
# A file that is not a snapshot is a data error, whatever the expression.
run 1 scan t.csv --where "id > 1"
expect_err "not a dpsnap snapshot"

echo "cli_scan_where: ok"
