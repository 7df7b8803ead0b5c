#!/usr/bin/env bash
# Builds dpsnap from scratch with AddressSanitizer and UndefinedBehaviorSanitizer
# (warnings are errors) and runs every test: unit, CLI and docs.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
rm -rf build/asan
cmake --preset asan >/dev/null
cmake --build --preset asan -j"$(nproc)"
ctest --preset asan -j"$(nproc)"
