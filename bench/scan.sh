#!/usr/bin/env bash
# Scan speed of dpsnap against DuckDB: filters and aggregates (TPC-H Q1 and
# Q6, selective ranges, group-bys on the real data sets) through the scan
# API, against DuckDB on the same data as Parquet (read_parquet in FROM) and
# as an in-memory table loaded from that Parquet file, on 1 and 2 threads;
# checks that all three give the same answers.
#
#   bench/scan.sh [BUILD_DIR] [ROWS]
#
# BUILD_DIR defaults to build/release (configured with the bench programs
# and built incrementally); ROWS is the lineitem row count, 6001215 (TPC-H
# scale factor 1) by default. DATA_DIR (default ../shared/data), PEERS_DIR
# (default /tmp/peers: a copy of ../shared/peers with `npm ci` run in it,
# for libduckdb.so) and REPEAT (timed runs per measurement, default 5) may
# be set in the environment. Files are those of bench/compression.sh in
# ${TMPDIR:-/tmp}/dpsnap-bench, used as they are when present (run
# compression.sh, or delete them, to have them written by the current
# sources) and written the same way when missing.
#
# Prints a table (query, threads, median ms of dpsnap, of DuckDB on Parquet
# and of DuckDB in memory, DuckDB/dpsnap ratios, whether the answers
# agree), what differed, the scan statistics of each query, and the
# throughput of a sum over one bit-packed column against memcpy. Exits 1
# if any answer differs or any query fails. See bench/README.md.
set -euo pipefail
export LC_ALL=C
cd "$(dirname "$0")/.."
build=${1:-build/release}
rows=${2:-6001215}
data=${DATA_DIR:-../shared/data}
peers=${PEERS_DIR:-/tmp/peers}
repeat=${REPEAT:-5}
work=${TMPDIR:-/tmp}/dpsnap-bench
thread_counts=(1 2)
mkdir -p "$work"
work=$(realpath "$work")

die() { echo "scan.sh: $*" >&2; exit 1; }
[[ $rows =~ ^[1-9][0-9]*$ ]] || die "ROWS: expected a positive integer, found '$rows'"
[[ $repeat =~ ^[1-9][0-9]*$ ]] || die "REPEAT: expected a positive integer, found '$repeat'"
libduckdb=$(find "$peers/node_modules" -name libduckdb.so -print -quit 2>/dev/null || true)
[ -n "$libduckdb" ] ||
  die "$peers: no libduckdb.so; see ../shared/peers/README.md (cp -r ../shared/peers /tmp/peers && cd /tmp/peers && npm ci)"

if [ ! -f "$build/CMakeCache.txt" ] || ! grep -q '^DPSNAP_BUILD_BENCH:BOOL=ON' "$build/CMakeCache.txt"; then
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DDPSNAP_BUILD_BENCH=ON >/dev/null
fi
if ! log=$(cmake --build "$build" -j"$(nproc)" --target dpsnap_tool bench_lineitem_gen bench_scan bench_duckdb_query 2>&1); then
  echo "$log" | grep -E 'error|undefined' | head -20 >&2
  die "build failed in $build"
fi
dpsnap=$(realpath "$build/tools/dpsnap")
gen=$(realpath "$build/bench/lineitem_gen")
scan=$(realpath "$build/bench/scan")
dq=$(realpath "$build/bench/duckdb_query")
build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$build/CMakeCache.txt")

# DuckDB once, untimed, for writing files.
duck_exec() { "$dq" "$libduckdb" --threads 1 --repeat 1 "$@" >/dev/null; }

# ---------------------------------------------------------------- inputs
declare -A dps_of pq_of
li_dps=$work/lineitem-$rows.dps li_pq=$work/lineitem-$rows.parquet li_csv=$work/lineitem-$rows.csv
if [ ! -s "$li_dps" ]; then
  echo "generating $li_dps ..." >&2
  "$gen" "$rows" --dps "$li_dps"
fi
if [ ! -s "$li_pq" ]; then
  if [ ! -s "$li_csv" ]; then
    echo "generating $li_csv ..." >&2
    "$gen" "$rows" --csv "$li_csv"
  fi
  echo "writing $li_pq ..." >&2
  # The explicit types of compression.sh, the same as the snapshot's.
  cols="{'l_orderkey':'BIGINT','l_partkey':'BIGINT','l_suppkey':'BIGINT',
   'l_linenumber':'INTEGER','l_quantity':'DECIMAL(15,2)','l_extendedprice':'DECIMAL(15,2)',
   'l_discount':'DECIMAL(15,2)','l_tax':'DECIMAL(15,2)','l_returnflag':'VARCHAR',
   'l_linestatus':'VARCHAR','l_shipdate':'DATE','l_commitdate':'DATE','l_receiptdate':'DATE',
   'l_shipinstruct':'VARCHAR','l_shipmode':'VARCHAR','l_comment':'VARCHAR'}"
  duck_exec "COPY (SELECT * FROM read_csv('$li_csv', header=true, columns=$cols))
             TO '$li_pq' (FORMAT parquet, COMPRESSION zstd)"
fi
dps_of[lineitem]=$li_dps pq_of[lineitem]=$li_pq

for f in "$data"/*.csv "$data"/*.csv.zst; do
  [ -e "$f" ] || continue
  name=$(basename "${f%.zst}" .csv)
  dps=$work/$name.dps pq=$work/$name.parquet
  if [ ! -s "$dps" ] || [ ! -s "$pq" ]; then
    csv=$(realpath "$f")
    if [[ $f == *.zst ]]; then
      csv=$work/$name.csv
      if [ ! -s "$csv" ]; then
        echo "decompressing $f ..." >&2
        zstd -qdc "$f" > "$csv.tmp" && mv "$csv.tmp" "$csv"
      fi
    fi
    if [ ! -s "$dps" ]; then
      echo "importing $csv ..." >&2
      "$dpsnap" import "$csv" "$dps" --product "bench.${name//[^a-z0-9]/_}" \
        --owner "dpsnap bench <bench@example.org>" >/dev/null
    fi
    if [ ! -s "$pq" ]; then
      echo "writing $pq ..." >&2
      duck_exec "COPY (SELECT * FROM read_csv('$csv')) TO '$pq' (FORMAT parquet, COMPRESSION zstd)"
    fi
  fi
  dps_of[$name]=$dps pq_of[$name]=$pq
done

# Queries per data set, in the order of `scan --list`; data sets without
# files are skipped.
datasets=()
declare -A queries_of
while IFS=$'\t' read -r q ds _; do
  [ -n "${dps_of[$ds]:-}" ] || continue
  [ -n "${queries_of[$ds]:-}" ] || datasets+=("$ds")
  queries_of[$ds]="${queries_of[$ds]:-} $q"
done < <("$scan" --list)
[ ${#datasets[@]} -gt 0 ] || die "no data set has queries"

# ------------------------------------------------------------- helpers
out=$work/scan-out
rm -rf "$out"
mkdir -p "$out"

value_of() { sed -n "s/^$1=//p" "$2" | tail -1; }
# The result rows of an output, cells joined by |, rows by " ; ".
rows_text() { awk '/^row\t/ { sub(/^row\t/, ""); gsub(/\t/, "|"); printf "%s%s", (n++ ? " ; " : ""), $0 }' "$1"; }
# Block I (1-based) of a duckdb_query output: the lines from `query=I`.
block() { awk -v i="$2" '/^query=/ { n++ } n == i' "$1"; }

# Compares the result in file $1 (bench/scan) with file $2 (duckdb_query):
# prints "yes", or what differs. Integers and decimals must be equal as
# numbers written in decimal (trailing fraction zeros aside: DuckDB writes a
# decimal with its type's scale); a column that either side types as a
# float must agree within 1e-9 relative.
compare() {
  awk -F'\t' '
    function norm(s) {
      if (s ~ /^-?[0-9]+\.[0-9]+$/) { sub(/0+$/, "", s); sub(/\.$/, "", s) }
      if (s == "-0") s = "0"
      return s
    }
    function isnum(s) { return s ~ /^[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$/ }
    function abs(x) { return x < 0 ? -x : x }
    FNR == 1 { f++ }
    /^types=/ { sub(/^types=/, ""); for (c = 1; c <= NF; c++) if ($c ~ /^(float|FLOAT|DOUBLE)/) fl[c] = 1; next }
    /^row\t/ { n[f]++; nc[f] = NF - 1; for (c = 2; c <= NF; c++) v[f, n[f], c - 1] = $c }
    END {
      if (n[1] != n[2]) { printf "%d rows, DuckDB %d", n[1], n[2]; exit }
      if (n[1] > 0 && nc[1] != nc[2]) { printf "%d columns, DuckDB %d", nc[1], nc[2]; exit }
      for (r = 1; r <= n[1]; r++)
        for (c = 1; c <= nc[1]; c++) {
          a = v[1, r, c]; b = v[2, r, c]
          if (norm(a) "" == norm(b) "") continue  # as strings, not doubles
          if (fl[c] && isnum(a) && isnum(b)) {
            x = a + 0; y = b + 0; m = abs(x) > abs(y) ? abs(x) : abs(y)
            if (abs(x - y) <= 1e-9 * m) continue
          }
          printf "row %d column %d: dpsnap %s, DuckDB %s", r, c, a, b; exit
        }
      printf "yes"
    }' "$1" "$2"
}

# ------------------------------------------------------------- runs
declare -A dps_ms pq_ms mem_ms agree stats
failed=0
details=()
for t in "${thread_counts[@]}"; do
  for ds in "${datasets[@]}"; do
    dps=${dps_of[$ds]} pq=${pq_of[$ds]}
    table=${ds//[^a-z0-9_]/_}
    read -ra qs <<< "${queries_of[$ds]}"
    pq_sqls=() mem_sqls=()
    for q in "${qs[@]}"; do
      pq_sqls+=("$("$scan" "$dps" --query "$q" --sql "read_parquet('$pq')")")
      mem_sqls+=("$("$scan" "$dps" --query "$q" --sql "$table")")
    done
    echo "threads $t, $ds: DuckDB on Parquet, DuckDB in memory ..." >&2
    duck_ok=1
    "$dq" "$libduckdb" --threads "$t" --repeat "$repeat" "${pq_sqls[@]}" \
      > "$out/$ds.$t.pq" 2> "$out/$ds.$t.pq.err" || duck_ok=0
    "$dq" "$libduckdb" --threads "$t" --repeat "$repeat" \
      --setup "CREATE TABLE $table AS SELECT * FROM read_parquet('$pq')" "${mem_sqls[@]}" \
      > "$out/$ds.$t.mem" 2> "$out/$ds.$t.mem.err" || duck_ok=0
    [ $duck_ok = 1 ] || { cat "$out/$ds.$t.pq.err" "$out/$ds.$t.mem.err" >&2; die "DuckDB failed on $ds"; }
    for i in "${!qs[@]}"; do
      q=${qs[$i]} k="${qs[$i]}/$t"
      block "$out/$ds.$t.pq" $((i + 1)) > "$out/$q.$t.pq"
      block "$out/$ds.$t.mem" $((i + 1)) > "$out/$q.$t.mem"
      pq_ms[$k]=$(value_of median_ms "$out/$q.$t.pq")
      mem_ms[$k]=$(value_of median_ms "$out/$q.$t.mem")
      echo "threads $t, $ds: dpsnap $q ..." >&2
      if "$scan" "$dps" --query "$q" --threads "$t" --repeat "$repeat" \
           > "$out/$q.$t.dps" 2> "$out/$q.$t.dps.err"; then
        dps_ms[$k]=$(value_of median_ms "$out/$q.$t.dps")
        stats[$k]=$(sed -n 's/^stats: //p' "$out/$q.$t.dps")
        a=$(compare "$out/$q.$t.dps" "$out/$q.$t.pq")
        b=$(compare "$out/$q.$t.dps" "$out/$q.$t.mem")
        if [ "$a" = yes ] && [ "$b" = yes ]; then
          agree[$k]=yes
        else
          agree[$k]=NO failed=1
          [ "$a" = yes ] || details+=("$q ($t threads) against DuckDB on Parquet: $a")
          [ "$b" = yes ] || details+=("$q ($t threads) against DuckDB in memory: $b")
          details+=("  SQL: ${pq_sqls[$i]}"
                    "  expected (DuckDB): $(rows_text "$out/$q.$t.pq")"
                    "  got (dpsnap):      $(rows_text "$out/$q.$t.dps")")
        fi
      else
        dps_ms[$k]=- agree[$k]=NO failed=1
        details+=("$q ($t threads): dpsnap failed: $(tr '\n' ' ' < "$out/$q.$t.dps.err")"
                  "  SQL: ${pq_sqls[$i]}"
                  "  expected (DuckDB): $(rows_text "$out/$q.$t.pq")")
      fi
    done
  done
done

# The throughput of one bit-packed column: its stored bytes per second.
tp_threads=2 tp_query=sum_partkey
echo "throughput: $tp_query on $tp_threads threads against memcpy ..." >&2
tp_ok=1
"$scan" "$li_dps" --query $tp_query --threads $tp_threads --repeat $((repeat * 2 + 1)) --memcpy \
  > "$out/throughput" 2> "$out/throughput.err" || tp_ok=0

# ------------------------------------------------------------- report
duck_version=$(value_of version "$out/${datasets[0]}.1.pq")
echo "$("$dpsnap" --version) ($build_type build in $build), $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs"
echo "DuckDB $duck_version through its C API in-process; lineitem rows: $rows; $repeat timed runs after one warm-up, median"
echo
echo "SCANS (median ms; warm page cache; dpsnap: dps_scan_open + dps_scan_aggregate, reader opened once, untimed;"
echo "       duck-pq: read_parquet('...') in FROM, file footer read by every run; duck-mem: table loaded from the"
echo "       same Parquet file, untimed; ratio = DuckDB ms / dpsnap ms: above 1 dpsnap is faster)"
printf '%-16s %-11s %3s %11s %11s %11s %9s %9s  %s\n' query data_set thr dps_ms duck-pq_ms duck-mem_ms pq/dps mem/dps agree
for t in "${thread_counts[@]}"; do
  for ds in "${datasets[@]}"; do
    for q in ${queries_of[$ds]}; do
      k=$q/$t
      awk -v q="$q" -v ds="$ds" -v t="$t" -v d="${dps_ms[$k]}" -v p="${pq_ms[$k]}" \
          -v m="${mem_ms[$k]}" -v a="${agree[$k]}" '
        BEGIN {
          if (d == "-") { printf "%-16s %-11s %3d %11s %11.2f %11.2f %9s %9s  %s\n", q, ds, t, "ERROR", p, m, "-", "-", a; exit }
          printf "%-16s %-11s %3d %11.2f %11.2f %11.2f %9.2f %9.2f  %s\n", q, ds, t, d, p, m,
                 (d > 0 ? p / d : 0), (d > 0 ? m / d : 0), a }'
    done
  done
done

echo
if [ ${#details[@]} -eq 0 ]; then
  echo "ANSWERS: every query agrees with DuckDB on Parquet and in memory, on every thread count"
else
  echo "ANSWERS THAT DIFFER"
  printf '%s\n' "${details[@]}"
fi

echo
echo "SCAN STATISTICS (dpsnap, last run, ${thread_counts[-1]} threads)"
for ds in "${datasets[@]}"; do
  for q in ${queries_of[$ds]}; do
    printf '%-16s %s\n' "$q" "${stats[$q/${thread_counts[-1]}]:-(failed)}"
  done
done

echo
if [ $tp_ok = 1 ]; then
  f=$out/throughput
  awk -v q="$tp_query" -v t="$tp_threads" -v col="$(value_of column "$f")" \
      -v bytes="$(value_of column_stored_bytes "$f")" -v best="$(value_of best_ms "$f")" \
      -v med="$(value_of median_ms "$f")" -v gb="$(value_of scan_gbps_best "$f")" \
      -v gm="$(value_of scan_gbps_median "$f")" -v m1="$(value_of memcpy_gbps_1thread "$f")" \
      -v mn="$(value_of memcpy_gbps_threads "$f")" -v enc="$("$dpsnap" info "$li_dps" --columns --json |
        jq -r --arg c "$(value_of column "$f")" '.columns[] | select(.name == $c) | (.encodings // .encoding // "-")' 2>/dev/null || echo -)" \
      -v r="$((repeat * 2 + 1))" '
    BEGIN {
      printf "SUM THROUGHPUT (%s = sum(%s), %d threads, best of %d): %.2f MB stored (%s) in %.2f ms (median %.2f)\n",
             q, col, t, r, bytes / 1e6, enc, best, med
      printf "  %.2f GB/s of stored column (median %.2f); memcpy %.2f GB/s on 1 thread, %.2f GB/s on %d threads;\n",
             gb, gm, m1, mn, t
      printf "  of_memcpy %.2f (1 thread), %.2f (%d threads)\n", gb / m1, gb / mn, t }'
else
  echo "SUM THROUGHPUT: $tp_query failed: $(tr '\n' ' ' < "$out/throughput.err")"
  failed=1
fi
echo "(times in ms; the machine is noisy, +-20-30% between runs: compare ratios from one run.)"
exit $failed
