#!/usr/bin/env bash
# Builds the C++ unit tests (native/test/unit_tests.cc + the core sources listed
# in CMakeLists.txt) with g++ under ASan/UBSan into build-native-test/ and runs
# them. Exits non-zero on any compile error, failed check or sanitizer report.
set -euo pipefail
cd "$(dirname "$0")/.."

CXX="${CXX:-g++}"
OUT=build-native-test
mkdir -p "$OUT"
mapfile -t CORE < <(sed -n '/set(BIMIX_CORE_SOURCES/,/)/p' CMakeLists.txt | grep -o 'native/[^ )]*\.cc')
FLAGS=(-std=c++17 -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined -Wall -Wextra)

objs=()
for src in "${CORE[@]}" native/test/unit_tests.cc; do
  obj="$OUT/$(echo "$src" | tr '/' '_').o"
  if [[ ! -f "$obj" || "$src" -nt "$obj" || -n "$(find native -name '*.h' -newer "$obj" -print -quit)" ]]; then
    echo "compile $src"
    "$CXX" "${FLAGS[@]}" -c "$src" -o "$obj"
  fi
  objs+=("$obj")
done
"$CXX" "${FLAGS[@]}" "${objs[@]}" -o "$OUT/bimix_native_tests" -lpthread -ldl

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
"$OUT/bimix_native_tests" "$@"
