#!/usr/bin/env bash
# The main job on the shipped sample: build dpsnap, publish the sample of
# U.S. flight data as the product aviation.flights (owner and lineage from
# examples/flights.json), then inspect, scan, export and verify it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release -DDPSNAP_BUILD_TESTS=OFF >/dev/null
cmake --build build/release -j"$(nproc)" >/dev/null
dpsnap=build/release/tools/dpsnap
mkdir -p out
# Echoes each command as it could be typed (arguments with spaces quoted).
run() {
  local a line='$ dpsnap'
  for a in "$@"; do
    if [[ $a == *[[:space:]]* ]]; then line+=" \"$a\""; else line+=" $a"; fi
  done
  printf '\n%s\n' "$line"
  "$dpsnap" "$@"
}
run import examples/flights_100k.csv out/flights.dps --descriptor examples/flights.json
run info out/flights.dps --columns
run meta out/flights.dps
run scan out/flights.dps --limit 10
run scan out/flights.dps --where "origin = 'ATL' and delay > 60" --columns date,delay,destination --limit 5
run scan out/flights.dps --where "date between date '2001-01-01' and date '2001-01-15'" --agg "count(*),avg(delay),max(distance)" --group-by origin --limit 5 --stats
run export out/flights.dps --format csv -o out/flights.csv
run verify out/flights.dps
printf '\nout/flights.csv: %s lines; first rows:\n' "$(wc -l < out/flights.csv)"
head -n 4 out/flights.csv
