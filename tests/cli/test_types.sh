#!/usr/bin/env bash
# Descriptor types beyond inference: int8, uint16, uint64, float32,
# decimal(6,2), binary, bool from 1/0, a non-nullable string.
source "$(dirname "$0")/lib.sh"

run 0 import "$DATA/types.csv" types.dps --descriptor "$DATA/types.json"
expect_out "types.dps: 4 rows, 8 columns"
expect_out "dec    decimal(6,2)   nullable  (descriptor)"
expect_out "label  string         not null  (descriptor)"

run 0 export types.dps
same "$EXPECTED/types.csv" out.txt
run 0 export types.dps --format jsonl
same "$EXPECTED/types.jsonl" out.txt
run 0 verify types.dps

# The export reads back, with the same descriptor, to the same values.
"$DPSNAP" export types.dps > once.csv
run 0 import once.csv twice.dps --descriptor "$DATA/types.json"
run 0 export twice.dps
same once.csv out.txt

# uint64 keeps all 20 digits in JSON (no detour through double).
run 0 scan types.dps --columns u64 --limit 1 --format jsonl
printf '{"u64":18446744073709551615}\n' > want.jsonl
same want.jsonl out.txt

# Floats: shortest round-trip text, specials, negative zero.
printf 'x\n0.1\n-0\n1e300\n2.5E-3\n-.5\ninf\n-inf\nnan\n123456789012345678\n4.9e-324\n' > floats.csv
run 0 import floats.csv floats.dps --product test.floats --owner "$OWNER"
expect_out "x     float64"
run 0 export floats.dps
printf 'x\n0.1\n-0\n1e+300\n0.0025\n-0.5\ninf\n-inf\nnan\n1.2345678901234568e+17\n4.94065645841247e-324\n' > want.csv
same want.csv out.txt
run 0 export floats.dps --format jsonl
expect_out '{"x":"-inf"}'
expect_out '{"x":"nan"}'
expect_out '{"x":-0}'

# Inference order: bool, int64, float64, date, timestamp, string; nulls do
# not count; a column of nulls only is a string; leading zeros stay text.
printf 'b,i,f,d,t,s,n,z\ntrue,1,1,2024-01-01,2024-01-01,x,,007\nFalse,,2.5,,2024-01-01 10:00,,,\n' > infer.csv
run 0 import infer.csv infer.dps --product test.infer --owner "$OWNER"
run 0 schema infer.dps
for want in 'b +bool' 'i +int64' 'f +float64' 'd +date' 't +timestamp' \
            's +string' 'n +string' 'z +string'; do
  grep -qE "^$want +yes" out.txt || fail "inference: expected $want"
done
run 0 export infer.dps
printf 'b,i,f,d,t,s,n,z\ntrue,1,1,2024-01-01,2024-01-01T00:00:00Z,x,,007\nfalse,,2.5,,2024-01-01T10:00:00Z,,,\n' > want.csv
same want.csv out.txt
echo "cli_types: ok"
