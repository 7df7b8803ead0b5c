#!/usr/bin/env bash
# Installs the build into a scratch prefix, then builds examples/quickstart.c
# against it twice: with pkg-config and with CMake's find_package(dpsnap).
set -euo pipefail
build=$1 work=$2 example=$3 cc=$4 flags=${5:-}
rm -rf "$work" && mkdir -p "$work/run"
prefix=$work/prefix
cmake --install "$build" --prefix "$prefix" >/dev/null
libdir=$(dirname "$(find "$prefix" -name dpsnap.pc | head -n 1)")/..

# 1. pkg-config, shared library.
export PKG_CONFIG_PATH=$libdir/pkgconfig
# shellcheck disable=SC2046,SC2086
"$cc" -std=c11 -Wall -Wextra $flags -o "$work/by_pkgconfig" "$example" \
  $(pkg-config --cflags --libs dpsnap) -Wl,-rpath,"$libdir"
(cd "$work/run" && "$work/by_pkgconfig") | grep -q '^1003 bob@mail.test 1234.56$'

# 2. find_package(dpsnap) and the dpsnap::dpsnap target.
mkdir -p "$work/cmake-src"
cp "$example" "$work/cmake-src/quickstart.c"
cat > "$work/cmake-src/CMakeLists.txt" <<'CM'
cmake_minimum_required(VERSION 3.20)
project(consumer C)
find_package(dpsnap REQUIRED)
add_executable(quickstart quickstart.c)
target_link_libraries(quickstart PRIVATE dpsnap::dpsnap)
CM
cmake -S "$work/cmake-src" -B "$work/cmake-build" -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_C_COMPILER="$cc" -DCMAKE_C_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="$flags" >/dev/null
cmake --build "$work/cmake-build" >/dev/null
(cd "$work/run" && rm -f orders.dps && "$work/cmake-build/quickstart") | grep -q '^1001 ana@mail.test 19.99$'
echo "install consumer: pkg-config and find_package builds ran"
