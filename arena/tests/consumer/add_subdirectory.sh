#!/usr/bin/env bash
# Builds and runs the consumer project (CMakeLists.txt here) with this
# repository pulled in by add_subdirectory, the suite's dependencies made
# unfindable: the library must configure and build alone, and look none of
# them up. Usage: add_subdirectory.sh SOURCE_DIR C_COMPILER CXX_COMPILER
set -euo pipefail
SOURCE_DIR="$1"
HERE="$(cd "$(dirname "$0")" && pwd)"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

cmake -S "$HERE" -B "$WORK/consumer" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_C_COMPILER="$2" -DCMAKE_CXX_COMPILER="$3" \
  -DARENA_ADD_SUBDIRECTORY="$SOURCE_DIR" \
  -DCMAKE_DISABLE_FIND_PACKAGE_mimalloc=ON -DCMAKE_DISABLE_FIND_PACKAGE_benchmark=ON \
  -DCMAKE_DISABLE_FIND_PACKAGE_GTest=ON >"$WORK/configure.log" 2>&1 || {
  cat "$WORK/configure.log"; exit 1; }
# pkg-config lookups (bdw-gc, jemalloc, tcmalloc) cannot be disabled from
# outside: their absence from the cache shows they were not made.
if grep -E '^(BDWGC|JEMALLOC|TCMALLOC|PKG_CONFIG_EXECUTABLE|GTEST|benchmark_DIR|mimalloc_DIR|GTest_DIR)' \
     "$WORK/consumer/CMakeCache.txt"; then
  echo "add_subdirectory: the library alone looked up a dependency of the suite (above)" >&2
  exit 1
fi
cmake --build "$WORK/consumer" -j 2 >"$WORK/build.log" 2>&1 || { cat "$WORK/build.log"; exit 1; }
"$WORK/consumer/seed_usage_static"
"$WORK/consumer/seed_nested_shared"   # build-tree RPATH finds libarena.so
"$WORK/consumer/cpp_usage"
echo "add_subdirectory consumer: OK"
