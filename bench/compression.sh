#!/usr/bin/env bash
# Compression and decode speed of dpsnap against Parquet (zstd, written by
# DuckDB), on a TPC-H-like lineitem table and on every real data set of the
# shared data folder.
#
#   bench/compression.sh [BUILD_DIR] [ROWS]
#
# BUILD_DIR defaults to build/release (configured with the bench programs
# and built incrementally, so the numbers are those of the current
# sources); ROWS is the lineitem row count, 6001215 (TPC-H scale factor 1)
# by default. DATA_DIR (default ../shared/data) and PEERS_DIR (default
# /tmp/peers: a copy of ../shared/peers with `npm ci` run in it) may be set
# in the environment. Files go to ${TMPDIR:-/tmp}/dpsnap-bench: the
# lineitem CSV is kept while bench/lineitem_gen.c is unchanged, the
# lineitem snapshot while the lineitem_gen binary (which links the library)
# is unchanged; imports, Parquet files and all timings are redone on every
# run.
#
# Prints, per data set: CSV, Parquet and snapshot bytes; per column:
# snapshot bytes against Parquet bytes (columns where dpsnap is larger are
# marked); encode speed (MB of CSV per second); decode speed per column
# against memcpy (bench/decode); and the time to read every column against
# DuckDB reading the Parquet file on one thread. See bench/README.md.
set -euo pipefail
export LC_ALL=C
cd "$(dirname "$0")/.."
build=${1:-build/release}
rows=${2:-6001215}
data=${DATA_DIR:-../shared/data}
peers=${PEERS_DIR:-/tmp/peers}
work=${TMPDIR:-/tmp}/dpsnap-bench
repeat=5
mkdir -p "$work"
work=$(realpath "$work")

die() { echo "compression.sh: $*" >&2; exit 1; }
[[ $rows =~ ^[1-9][0-9]*$ ]] || die "ROWS: expected a positive integer, found '$rows'"
command -v jq >/dev/null || die "needs jq"
command -v node >/dev/null || die "needs node"
[ -f "$peers/duck.mjs" ] && [ -d "$peers/node_modules" ] ||
  die "$peers: no DuckDB peer; see ../shared/peers/README.md (cp -r ../shared/peers /tmp/peers && cd /tmp/peers && npm ci)"

if [ ! -x "$build/bench/decode" ] || [ ! -x "$build/bench/lineitem_gen" ]; then
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DDPSNAP_BUILD_BENCH=ON >/dev/null
fi
libduckdb=$(find "$peers/node_modules" -name libduckdb.so -print -quit 2>/dev/null)
[ -n "$libduckdb" ] || die "$peers/node_modules: no libduckdb.so (the @duckdb/node-bindings package ships it)"
if ! log=$(cmake --build "$build" -j"$(nproc)" --target dpsnap_tool bench_lineitem_gen bench_decode bench_duckdb_read 2>&1); then
  echo "$log" | tail -30 >&2
  die "build failed in $build"
fi
dpsnap=$(realpath "$build/tools/dpsnap")
gen=$(realpath "$build/bench/lineitem_gen")
decode=$(realpath "$build/bench/decode")
duckdb_read=$(realpath "$build/bench/duckdb_read")
build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$build/CMakeCache.txt")

now() { date +%s.%N; }
# DuckDB through the peer script; its info line is dropped, errors shown.
duck() {
  node "$peers/duck.mjs" "$@" 2>"$work/duck.err" || { cat "$work/duck.err" >&2; return 1; }
}
# Runs "$@" and prints the value of `key=` in its output.
value_of() { local key=$1; shift; "$@" | sed -n "s/^$key=//p" | tail -1; }
key_of() { sha256sum "$1" | cut -c1-16; }

# ---------------------------------------------------------------- inputs
names=() csvs=()

# The lineitem CSV depends on the generator's source only; the snapshot on
# the generator binary, which carries the library.
li_csv=$work/lineitem-$rows.csv li_dps=$work/lineitem-$rows.dps
k=$(key_of bench/lineitem_gen.c)
if [ ! -s "$li_csv" ] || [ "$(cat "$li_csv.key" 2>/dev/null)" != "$k" ]; then
  echo "generating $li_csv ..." >&2
  "$gen" "$rows" --csv "$li_csv"
  echo "$k" > "$li_csv.key"
fi
k=$(key_of "$gen")
if [ ! -s "$li_dps" ] || [ "$(cat "$li_dps.key" 2>/dev/null)" != "$k" ]; then
  echo "generating $li_dps ..." >&2
  "$gen" "$rows" --dps "$li_dps"
  echo "$k" > "$li_dps.key"
fi
names+=(lineitem) csvs+=("$li_csv")

for f in "$data"/*.csv "$data"/*.csv.zst; do
  [ -e "$f" ] || continue
  case $f in
    *.zst)
      out=$work/$(basename "${f%.zst}")
      if [ ! -s "$out" ]; then
        echo "decompressing $f ..." >&2
        zstd -qdc "$f" > "$out.tmp" && mv "$out.tmp" "$out"
      fi ;;
    *) out=$(realpath "$f") ;;
  esac
  names+=("$(basename "$out" .csv)") csvs+=("$out")
done

# Explicit DuckDB types for lineitem, the same as bench/lineitem.json.
li_columns="{'l_orderkey':'BIGINT','l_partkey':'BIGINT','l_suppkey':'BIGINT',
 'l_linenumber':'INTEGER','l_quantity':'DECIMAL(15,2)','l_extendedprice':'DECIMAL(15,2)',
 'l_discount':'DECIMAL(15,2)','l_tax':'DECIMAL(15,2)','l_returnflag':'VARCHAR',
 'l_linestatus':'VARCHAR','l_shipdate':'DATE','l_commitdate':'DATE','l_receiptdate':'DATE',
 'l_shipinstruct':'VARCHAR','l_shipmode':'VARCHAR','l_comment':'VARCHAR'}"

# ------------------------------------------- encode: import and Parquet
declare -A dps_of parquet_of csv_bytes import_s duck_s nrows
agree=""
for i in "${!names[@]}"; do
  name=${names[$i]} csv=${csvs[$i]}
  csv_bytes[$name]=$(stat -c %s "$csv")
  pq=$work/$name.parquet
  [ "$name" = lineitem ] && pq=$work/lineitem-$rows.parquet
  echo "encoding $name: dpsnap import, DuckDB COPY to Parquet ..." >&2
  if [ "$name" = lineitem ]; then
    out=$work/lineitem-$rows.import.dps
    t0=$(now)
    "$dpsnap" import "$csv" "$out" --descriptor bench/lineitem.json >/dev/null
    t1=$(now)
    read_csv="read_csv('$csv', header=true, columns=$li_columns)"
    # The generator's snapshot and the import of its CSV must hold the
    # same schema and the same pages.
    sig='[.schema_tag, [.columns[] | [.name, .type, .data_stored]]]'
    if [ "$("$dpsnap" info "$li_dps" --columns --json | jq -c "$sig")" = \
         "$("$dpsnap" info "$out" --columns --json | jq -c "$sig")" ]; then
      agree="lineitem: lineitem_gen --dps and dpsnap import of its CSV agree (schema tag and stored bytes of every column)"
    else
      agree="lineitem: WARNING: lineitem_gen --dps and dpsnap import of its CSV DIFFER"
    fi
    rm -f "$out"
    dps_of[$name]=$li_dps
  else
    out=$work/$name.dps
    t0=$(now)
    "$dpsnap" import "$csv" "$out" --product "bench.${name//[^a-z0-9]/_}" \
      --owner "dpsnap bench <bench@example.org>" >/dev/null
    t1=$(now)
    read_csv="read_csv('$csv')"
    dps_of[$name]=$out
  fi
  import_s[$name]=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
  ms=$(value_of median_ms duck "COPY (SELECT * FROM $read_csv) TO '$pq' (FORMAT parquet, COMPRESSION zstd)" \
         --threads 1 --repeat 1 --warmup 0)
  duck_s[$name]=$(awk -v m="$ms" 'BEGIN { printf "%.3f", m / 1000 }')
  parquet_of[$name]=$pq
  nrows[$name]=$("$dpsnap" info "${dps_of[$name]}" --json | jq .rows)
done

# ------------------------------------------------------------- report
rule() { printf '%*s\n' 110 '' | tr ' ' -; }
echo "$("$dpsnap" --version) ($build_type build in $build), $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs"
echo "Parquet: DuckDB $(duck "SELECT version() AS v" --repeat 1 --warmup 0 | sed -n 1p | jq -r '.[0].v'), zstd, one thread; lineitem rows: $rows"
echo "$agree"
echo
echo "SIZES (bytes of whole files)"
printf '%-14s %10s %4s %13s %13s %13s %9s %9s %11s\n' \
  data_set rows cols csv parquet_zstd dpsnap pq/csv dps/csv dps/parquet
for name in "${names[@]}"; do
  cols=$("$dpsnap" info "${dps_of[$name]}" --columns --json | jq '.columns | length')
  awk -v n="$name" -v r="${nrows[$name]}" -v c="$cols" -v b="${csv_bytes[$name]}" \
      -v p="$(stat -c %s "${parquet_of[$name]}")" -v d="$(stat -c %s "${dps_of[$name]}")" \
    'BEGIN { printf "%-14s %10d %4d %13d %13d %13d %8.1f%% %8.1f%% %11.3f%s\n",
             n, r, c, b, p, d, 100 * p / b, 100 * d / b, d / p, (d > p ? "  <- larger" : "") }'
done

echo
echo "PER COLUMN (bytes of column data: dpsnap pages as stored; Parquet column chunks, total_compressed_size)"
for name in "${names[@]}"; do
  dps=${dps_of[$name]} pq=${parquet_of[$name]}
  echo
  printf '%-14s %-18s %-14s %-14s %12s %12s %11s  %s\n' "$name" column dps_type parquet_type dpsnap parquet dps/parquet dps_encoding
  q="WITH m AS (SELECT path_in_schema AS name, sum(total_compressed_size) AS bytes
                FROM parquet_metadata('$pq') GROUP BY ALL),
          d AS (SELECT column_name AS name, column_type AS type
                FROM (DESCRIBE SELECT * FROM read_parquet('$pq')))
     SELECT d.name, d.type, m.bytes FROM d JOIN m USING (name)"
  pq_tsv=$(duck "$q" --repeat 1 --warmup 0 --max-rows 100000 | sed -n 1p |
           jq -r '.[] | [.name, .type, (.bytes | tonumber)] | @tsv')
  "$dpsnap" info "$dps" --columns --json |
    jq -r '.columns[] | [.name, .type, .data_stored, (.encodings // .encoding // "-")] | @tsv' |
    awk -F'\t' -v pq="$pq_tsv" '
      BEGIN { n = split(pq, lines, "\n")
              for (i = 1; i <= n; i++) { split(lines[i], f, "\t"); bytes[f[1]] = f[3]; type[f[1]] = f[2] } }
      { p = ($1 in bytes) ? bytes[$1] : 0; sd += $3; sp += p
        printf "%-14s %-18.18s %-14s %-14s %12d %12d %11s  %s\n", "", $1, $2, type[$1], $3, p,
               (p > 0 ? sprintf("%.3f", $3 / p) : "-"), ($3 > p ? $4 "  <- larger" : $4) }
      END { printf "%-14s %-18s %-14s %-14s %12d %12d %11.3f\n", "", "all columns", "", "", sd, sp, (sp > 0 ? sd / sp : 0) }'
done

echo
echo "ENCODE (CSV in, one thread; dpsnap: whole 'dpsnap import' process incl. start-up and fsync;"
echo "        DuckDB: COPY ... TO parquet inside its process, threads=1)"
printf '%-14s %10s %12s %12s %12s %12s %14s\n' data_set csv_MB import_s import_MB/s duckdb_s duckdb_MB/s import/duckdb
for name in "${names[@]}"; do
  awk -v n="$name" -v b="${csv_bytes[$name]}" -v a="${import_s[$name]}" -v d="${duck_s[$name]}" \
    'BEGIN { printf "%-14s %10.1f %12.3f %12.1f %12.3f %12.1f %14.2f\n",
             n, b / 1e6, a, b / 1e6 / a, d, b / 1e6 / d, a / d }'
done

echo
echo "DECODE (bench/decode: every column through cursors, one thread, warm page cache, best of $repeat)"
declare -A all_best all_median duck_all duck_all_min duck_min duck_min_min
for name in "${names[@]}"; do
  echo "decoding $name: bench/decode, DuckDB read_parquet ..." >&2
  out=$("$decode" "${dps_of[$name]}" --repeat "$repeat")
  echo
  echo "$name: $(echo "$out" | sed -n 1p | sed 's/^decode: //')"
  echo "$out" | sed -n '/^column /,/^sum of columns alone/p'
  all_best[$name]=$(echo "$out" | sed -n 's/^all_best_ms=//p')
  all_median[$name]=$(echo "$out" | sed -n 's/^all_median_ms=//p')
  pq=${parquet_of[$name]}
  res=$("$duckdb_read" "$libduckdb" "$pq" --threads 1 --repeat "$repeat")
  duck_all[$name]=$(echo "$res" | sed -n 's/^median_ms=//p')
  duck_all_min[$name]=$(echo "$res" | sed -n 's/^best_ms=//p')
  mins=$(duck "SELECT string_agg('min(\"' || column_name || '\")', ', ') AS s
               FROM (DESCRIBE SELECT * FROM read_parquet('$pq'))" --repeat 1 --warmup 0 | sed -n 1p | jq -r '.[0].s')
  res=$(duck "SELECT $mins FROM read_parquet('$pq')" --threads 1 --repeat "$repeat" --quiet)
  duck_min[$name]=$(echo "$res" | sed -n 's/^median_ms=//p')
  duck_min_min[$name]=$(echo "$res" | sed -n 's/^min_ms=//p')
done

echo
echo "READ EVERY COLUMN vs DuckDB on Parquet (one thread, warm cache, $repeat runs; ratio < 1: dpsnap faster)"
echo "  dpsnap:      bench/decode, all columns through one cursor, decoded into batches of one row group"
echo "  select*:     bench/duckdb_read: duckdb_query(\"SELECT * FROM read_parquet(...)\") through DuckDB's C API,"
echo "               in-process, threads=1, every row materialised in its result: the closest fair measure"
echo "               of a full read (dps/select* < 0.2 is 5x faster)"
echo "  mins:        SELECT min(c) of every column: DuckDB decodes every value but keeps no result"
printf '%-14s %10s %10s %12s %12s %10s %12s %12s %10s\n' data_set dps_best dps_median \
  'select*_best' 'select*_med' 'dps/select*' mins_best mins_median dps/mins
for name in "${names[@]}"; do
  awk -v n="$name" -v b="${all_best[$name]}" -v m="${all_median[$name]}" \
      -v s="${duck_all_min[$name]}" -v sm="${duck_all[$name]}" \
      -v a="${duck_min_min[$name]}" -v am="${duck_min[$name]}" \
    'BEGIN { printf "%-14s %10.1f %10.1f %12.1f %12.1f %10.3f %12.1f %12.1f %10.3f\n",
             n, b, m, s, sm, m / sm, a, am, m / am }'
done
echo "(times in ms; ratios are median / median. The machine is noisy, +-20-30% between runs: compare ratios from one run.)"
