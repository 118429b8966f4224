#!/usr/bin/env bash
# Installs the built library into a temporary prefix, then builds and runs the
# seed's examples against it: with CMake's find_package, and as plain C with
# pkg-config. Usage: run.sh BUILD_DIR
set -euo pipefail
BUILD_DIR="$1"
HERE="$(cd "$(dirname "$0")" && pwd)"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cmake --install "$BUILD_DIR" --prefix "$WORK/prefix" >/dev/null

echo "--- find_package(arena)"
cmake -S "$HERE" -B "$WORK/consumer" -DCMAKE_PREFIX_PATH="$WORK/prefix" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$WORK/consumer" -j 2 >/dev/null
LIBDIR="$(dirname "$(find "$WORK/prefix" -name 'libarena.so' | head -1)")"
"$WORK/consumer/seed_usage_static"
LD_LIBRARY_PATH="$LIBDIR" "$WORK/consumer/seed_nested_shared"
"$WORK/consumer/cpp_usage"

echo "--- pkg-config arena (C99 compiler, shared library)"
export PKG_CONFIG_PATH="$LIBDIR/pkgconfig"
pkg-config --exists arena
for example in seed_usage seed_nested; do
  # shellcheck disable=SC2046
  cc -std=c99 -Wall -Wextra -Werror -pedantic -o "$WORK/$example" "$HERE/../../examples/$example.c" \
     $(pkg-config --cflags --libs arena)
  LD_LIBRARY_PATH="$LIBDIR" "$WORK/$example"
done
echo "--- pkg-config arena --static"
# shellcheck disable=SC2046
cc -std=c11 -o "$WORK/seed_usage_static_pc" "$HERE/../../examples/seed_usage.c" \
   -Wl,-Bstatic $(pkg-config --cflags --libs --static arena) -Wl,-Bdynamic
"$WORK/seed_usage_static_pc"
echo "consumer: OK"
