# lib.sh - shared by the CLI test scripts: sourced with the arguments
#   DPSNAP (the tool), SRC (the source tree), WORK (a scratch directory).
set -euo pipefail

DPSNAP=$1
SRC=$2
WORK=$3
DATA=$SRC/tests/cli/data
EXPECTED=$SRC/tests/cli/expected
EXAMPLES=$SRC/examples
OWNER="QA team <qa@example.org>"

rm -rf "$WORK"
mkdir -p "$WORK"
cd "$WORK"

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# run CODE ARGS...: runs dpsnap ARGS with stdout in out.txt and stderr in
# err.txt, and fails unless it exits with CODE. A sanitizer report fails
# the test even when the exit code looks right (LeakSanitizer exits with 1,
# like a data error).
run() {
  local want=$1 got=0
  shift
  "$DPSNAP" "$@" >out.txt 2>err.txt || got=$?
  if grep -qE 'Sanitizer|runtime error:' err.txt; then
    cat err.txt
    fail "dpsnap $*: sanitizer report"
  fi
  if [ "$got" -ne "$want" ]; then
    echo "--- stdout"; cat out.txt
    echo "--- stderr"; cat err.txt
    fail "dpsnap $* exited with $got, expected $want"
  fi
}

# expect_out TEXT / expect_err TEXT: the last run's output holds TEXT.
expect_out() {
  grep -qF -- "$1" out.txt || { cat out.txt; fail "stdout lacks: $1"; }
}
expect_err() {
  grep -qF -- "$1" err.txt || { cat err.txt; fail "stderr lacks: $1"; }
}
# expect_err_re REGEX: stderr matches an extended regular expression.
expect_err_re() {
  grep -qE -- "$1" err.txt || { cat err.txt; fail "stderr does not match: $1"; }
}

# same EXPECTED ACTUAL: the two files are byte-identical.
same() {
  if ! cmp -s "$1" "$2"; then
    diff "$1" "$2" | head -40 || true
    fail "$2 differs from $1"
  fi
}

# no_output_left DIR: a failed import left nothing in DIR (no snapshot,
# no temporary file).
no_output_left() {
  if [ -n "$(ls -A "$1")" ]; then
    ls -la "$1"
    fail "a failed import left files in $1"
  fi
}

# flip_byte FILE OFFSET: inverts every bit of one byte in place.
flip_byte() {
  local b
  b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
  printf "\\$(printf %03o $((b ^ 255)))" |
    dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}
