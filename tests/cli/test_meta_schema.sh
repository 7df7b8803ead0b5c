#!/usr/bin/env bash
# `meta` and `schema`: the metadata of spec/METADATA.md §2 as JSON and text.
source "$(dirname "$0")/lib.sh"

run 0 import "$EXAMPLES/flights_100k.csv" flights.dps \
  --descriptor "$EXAMPLES/flights.json"

run 0 meta flights.dps
cp out.txt meta.json
expect_out '"product": "aviation.flights"'
expect_out '"semver": "1.0.0"'
expect_out '"snapshot_version": 1,'
expect_out '"owner": {'
expect_out '"team": "Aviation analytics"'
expect_out '"email": "aviation-data@example.org"'
expect_out '"lineage": {'
expect_out '"uri": "https://www.transtats.bts.gov/"'
expect_out '"uri": "npm:vega-datasets@3.2.1/data/flights-3m.parquet"'
expect_out '"job": "import-flights-sample"'
expect_out '"source_rows": "100000"'
expect_out '"name": "delay"'
expect_out '"type": "int32"'
expect_out '"nullable": false'
expect_out '"reference-data"'
grep -qE '"created_at": "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z"' out.txt ||
  fail "created_at is not ISO 8601 UTC with microseconds"
grep -qE '"schema_tag": "[0-9a-f]{16}"' out.txt || fail "schema_tag is not 16 hex"
# Keys without a value are omitted.
if grep -qE '"(parent_version|run_id|code_version)"' out.txt; then
  fail "meta prints keys that have no value"
fi
run 0 meta flights.dps --json
same meta.json out.txt

# The schema tag agrees with `info`.
tag=$(sed -nE 's/.*"schema_tag": "([0-9a-f]{16})".*/\1/p' meta.json | tail -1)
run 0 info flights.dps
expect_out "schema tag:        $tag"

# meta's output is a valid descriptor: it gives back the same metadata,
# created_at and schema included.
run 0 import "$EXAMPLES/flights_100k.csv" again.dps --descriptor meta.json
run 0 meta again.dps
same meta.json out.txt

run 0 schema flights.dps
expect_out "column"
grep -qE '^date +timestamp +no +- +Scheduled departure' out.txt ||
  fail "schema text: date"
grep -qE '^origin +string +no +reference-data +Origin airport, IATA code$' out.txt ||
  fail "schema text: origin"

run 0 schema flights.dps --json
head -1 out.txt | grep -qx '\[' || fail "schema --json is not an array"
expect_out '"name": "distance"'
expect_out '"description": "Distance between the airports in statute miles"'
if grep -q '"product"' out.txt; then fail "schema --json prints more than columns"; fi

# Decimal columns print as decimal(P,S); tags and descriptions show.
run 0 import "$DATA/types.csv" types.dps --descriptor "$DATA/types.json"
run 0 schema types.dps
grep -qE '^dec +decimal\(6,2\) +yes +- +an amount in EUR$' out.txt ||
  fail "schema text: decimal"
grep -qE '^label +string +no +pii,eu-customers +-$' out.txt ||
  fail "schema text: tags"
run 0 schema types.dps --json
expect_out '"type": "decimal(6,2)"'
echo "cli_meta_schema: ok"
