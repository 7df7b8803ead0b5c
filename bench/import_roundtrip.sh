#!/usr/bin/env bash
# Imports each real data set of ../shared/data with the dpsnap tool, reports
# CSV size, snapshot size and import/export speed, and checks with DuckDB
# (a reader we did not write) that `export --format csv` returns the same
# values as the original CSV, compared as typed data, not as bytes.
#
#   bench/import_roundtrip.sh [BUILD_DIR] [DATA_DIR] [PEERS_DIR]
#
# BUILD_DIR defaults to build/release (built if missing), DATA_DIR to
# ../shared/data, PEERS_DIR to /tmp/peers (a copy of ../shared/peers with
# `npm ci` run in it; see ../shared/peers/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
data=${2:-../shared/data}
peers=${3:-/tmp/peers}
work=${TMPDIR:-/tmp}/dpsnap-bench
mkdir -p "$work"
if [ ! -x "$build/tools/dpsnap" ]; then
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DDPSNAP_BUILD_TESTS=OFF >/dev/null
  cmake --build "$build" -j"$(nproc)" >/dev/null
fi
dpsnap=$(realpath "$build/tools/dpsnap")

now() { date +%s.%N; }
csvs=()
for f in "$data"/*.csv "$data"/*.csv.zst; do
  [ -e "$f" ] || continue
  case $f in
    *.zst) out=$work/$(basename "${f%.zst}"); [ -s "$out" ] || zstd -qdc "$f" > "$out"; csvs+=("$out") ;;
    *) csvs+=("$(realpath "$f")") ;;
  esac
done

printf '%-16s %10s %12s %12s %8s %10s %10s %s\n' data rows csv_bytes dps_bytes dps/csv import_MB/s export_MB/s duckdb_check
for csv in "${csvs[@]}"; do
  name=$(basename "$csv" .csv)
  dps=$work/$name.dps back=$work/$name.export.csv
  bytes=$(stat -c %s "$csv")
  t0=$(now)
  "$dpsnap" import "$csv" "$dps" --product "bench.${name//[^a-z0-9]/_}" --owner "Bench <bench@example.org>" >/dev/null
  t1=$(now)
  "$dpsnap" export "$dps" --format csv -o "$back"
  t2=$(now)
  rows=$("$dpsnap" info "$dps" --json | grep -o '"rows": *[0-9]*' | grep -o '[0-9]*$')
  size=$(stat -c %s "$dps")
  check=skipped
  if [ -f "$peers/duck.mjs" ]; then
    # Multiset difference both ways plus equal counts: the same typed rows.
    # DuckDB infers each file's types on its own; timestamps are compared in UTC.
    q="SET TimeZone='UTC';
       WITH a AS (SELECT * FROM read_csv('$csv')), b AS (SELECT * FROM read_csv('$back'))
       SELECT (SELECT count(*) FROM a) AS rows_a, (SELECT count(*) FROM b) AS rows_b,
              (SELECT count(*) FROM (SELECT * FROM a EXCEPT ALL SELECT * FROM b)) AS only_a,
              (SELECT count(*) FROM (SELECT * FROM b EXCEPT ALL SELECT * FROM a)) AS only_b"
    res=$(node "$peers/duck.mjs" "$q" --repeat 1 --warmup 0 2>/dev/null | sed -n 1p)
    if [[ $res == *'"only_a":0,"only_b":0'* ]] && \
       [ "$(echo "$res" | grep -o '"rows_a":[0-9]*' | cut -d: -f2)" = "$(echo "$res" | grep -o '"rows_b":[0-9]*' | cut -d: -f2)" ]; then
      check="same values ($res)"
    else
      check="DIFFERENT: $res"
    fi
  fi
  awk -v n="$name" -v r="$rows" -v b="$bytes" -v s="$size" -v t0="$t0" -v t1="$t1" -v t2="$t2" -v c="$check" \
    'BEGIN { printf "%-16s %10d %12d %12d %7.1f%% %10.1f %10.1f %s\n", n, r, b, s, 100*s/b, b/1e6/(t1-t0), b/1e6/(t2-t1), c }'
done
