#!/usr/bin/env bash
# Every error says where and what, exits with the documented code, and a
# failed import writes nothing.
source "$(dirname "$0")/lib.sh"

mkdir out
OUT=out/x.dps

# Missing owner / product: a usage problem (exit 2) that says how to fix it.
run 2 import "$DATA/tiny.csv" $OUT --product test.tiny
expect_err 'dpsnap: import: the snapshot needs an owner: pass --owner "TEAM <EMAIL>"'
expect_err '"owner"'
no_output_left out
printf '{"product": "test.tiny"}\n' > noowner.json
run 2 import "$DATA/tiny.csv" $OUT --descriptor noowner.json
expect_err "needs an owner"
no_output_left out
run 2 import "$DATA/tiny.csv" $OUT --owner "$OWNER"
expect_err "needs a product id: pass --product DOMAIN.NAME"
no_output_left out
run 2 import "$DATA/tiny.csv" $OUT --product test.tiny --owner "QA team"
expect_err 'must look like "TEAM <EMAIL>"'
no_output_left out
# The library's own checks of product id and owner address.
run 2 import "$DATA/tiny.csv" $OUT --product NoDots --owner "$OWNER"
expect_err "NoDots"
no_output_left out

# Ragged row: the message names the physical line.
printf 'a,b,c\n1,2,3\n"x\ny",5,6\n4,5\n' > ragged.csv
run 1 import ragged.csv $OUT --product test.ragged --owner "$OWNER"
expect_err "dpsnap: ragged.csv: line 5: expected 3 fields, found 2"
no_output_left out

# A value that is not of its descriptor type: line, column and value.
printf 'id,delay\n1,5\n2,-3\n3,abc\n4,7\n' > delay.csv
printf '{"product": "test.delay", "owner": {"team": "QA", "email": "qa@example.org"},
  "columns": [{"name": "delay", "type": "int64"}]}\n' > delay.json
run 1 import delay.csv $OUT --descriptor delay.json
expect_err 'dpsnap: delay.csv: line 4, column "delay": expected int64, found "abc"'
no_output_left out

# Range and precision of narrower types.
printf 'i8,dec\n1,1.5\n200,2\n' > narrow.csv
printf '{"columns": [{"name": "i8", "type": "int8"},
  {"name": "dec", "type": "decimal(4,1)"}]}\n' > narrow.json
run 1 import narrow.csv $OUT --descriptor narrow.json --product t.n --owner "$OWNER"
expect_err 'line 3, column "i8": expected int8 (-128..127), found "200"'
printf 'i8,dec\n1,1.25\n' > narrow.csv
run 1 import narrow.csv $OUT --descriptor narrow.json --product t.n --owner "$OWNER"
expect_err 'line 2, column "dec": expected decimal(4,1) (at most 1 fraction digits), found "1.25"'
printf 'i8,dec\n1,12345\n' > narrow.csv
run 1 import narrow.csv $OUT --descriptor narrow.json --product t.n --owner "$OWNER"
expect_err 'expected decimal(4,1) (at most 3 digits before the point), found "12345"'
no_output_left out

# "nullable": false refuses an empty field.
printf 'a\n1\n\n' > nn.csv
printf '{"columns": [{"name": "a", "type": "int32", "nullable": false}]}\n' > nn.json
run 1 import nn.csv $OUT --descriptor nn.json --product t.n --owner "$OWNER"
expect_err 'line 3, column "a": empty field (NULL) in a column declared "nullable": false'
no_output_left out

# Invalid UTF-8 in a string column.
printf 'id,name\n1,ok\n2,caf\351\n' > latin1.csv
run 1 import latin1.csv $OUT --product test.utf8 --owner "$OWNER"
expect_err 'dpsnap: latin1.csv: line 3, column "name": invalid UTF-8 at byte 4 of "caf\xe9"'
no_output_left out

# CSV syntax.
printf 'a,b\n1,"open\n' > unclosed.csv
run 1 import unclosed.csv $OUT --product t.c --owner "$OWNER"
expect_err "unclosed.csv: line 2: the quoted field 2 is not closed"
printf 'a,b\n1,"x"y\n' > afterquote.csv
run 1 import afterquote.csv $OUT --product t.c --owner "$OWNER"
expect_err "afterquote.csv: line 2: field 2: unexpected \"y\" after the closing quote"
printf 'a,a\n1,2\n' > dup.csv
run 1 import dup.csv $OUT --product t.c --owner "$OWNER"
expect_err 'line 1: column "a" appears twice in the header'
: > empty.csv
run 1 import empty.csv $OUT --product t.c --owner "$OWNER"
expect_err "empty.csv: the file is empty; expected a header row"
run 1 import no-such.csv $OUT --product t.c --owner "$OWNER"
expect_err "dpsnap: no-such.csv: cannot open: "
no_output_left out

# Descriptor problems name the file and the key.
printf '{"product": "t.c", "onwer": {}}\n' > typo.json
run 1 import "$DATA/tiny.csv" $OUT --descriptor typo.json --owner "$OWNER"
expect_err 'typo.json: unknown key "onwer"; expected one of: product,'
printf '{"product": "t.c",\n "owner": 3}\n' > kind.json
run 1 import "$DATA/tiny.csv" $OUT --descriptor kind.json
expect_err 'kind.json: "owner": expected an object, found an integer'
printf '{"product": "t.c",\n "owner": {"team": "x"\n' > broken.json
run 1 import "$DATA/tiny.csv" $OUT --descriptor broken.json
expect_err_re 'broken.json: line [0-9]+, column [0-9]+: invalid JSON'
printf '{"columns": [{"name": "nope", "type": "int64"}]}\n' > nocol.json
run 1 import "$DATA/tiny.csv" $OUT --descriptor nocol.json --product t.c --owner "$OWNER"
expect_err 'the descriptor describes column "nope", which the CSV header does not have; the header has: id, name, score'
printf '{"columns": [{"name": "id", "type": "integer"}]}\n' > badtype.json
run 1 import "$DATA/tiny.csv" $OUT --descriptor badtype.json --product t.c --owner "$OWNER"
expect_err 'column "id": unknown type "integer"; expected bool, int8'
no_output_left out

# A failed import leaves an existing snapshot as it was.
run 0 import "$DATA/tiny.csv" $OUT --product test.tiny --owner "$OWNER"
cp $OUT before.dps
run 1 import delay.csv $OUT --descriptor delay.json
same before.dps $OUT
[ "$(ls -A out)" = "x.dps" ] || { ls -la out; fail "stray files after a failed import"; }

# Unknown column: usage error listing the columns, with a suggestion.
run 2 scan $OUT --columns id,nam
expect_err 'no column "nam" (did you mean "name"?); the columns are: id, name, score, ok, day, at, note'
run 2 scan $OUT --columns zzzzzz
expect_err 'no column "zzzzzz"; the columns are: id, name'

# Files that are not snapshots.
for cmd in info schema meta scan export verify; do
  run 1 $cmd "$DATA/tiny.csv"
  expect_err "dpsnap: $DATA/tiny.csv: not a dpsnap snapshot"
done
run 1 info no-such.dps
expect_err "no-such.dps"
echo "cli_errors: ok"
