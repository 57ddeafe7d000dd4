#!/usr/bin/env bash
# Builds the libFuzzer targets in native/fuzz/ with clang++ (fuzzer + ASan +
# UBSan) and runs each for FUZZ_SECONDS (default 60) into .cache/fuzz/.
# FUZZ_TARGETS="megatron npy" limits the run; FUZZ_JOBS is not used: targets run
# one at a time. Exits non-zero when a build fails or any target crashes.
set -euo pipefail
cd "$(dirname "$0")/.."

CXX="${FUZZ_CXX:-clang++}"
SECONDS_PER_TARGET="${FUZZ_SECONDS:-60}"
TARGETS="${FUZZ_TARGETS:-megatron npy llmc datatrove partial accumulator arrow}"
CACHE=.cache/fuzz
BUILD="$CACHE/build"
mkdir -p "$BUILD/obj" "$CACHE/logs"
# Scratch files of the file-based targets go to tmpfs when there is one (the
# partial-state writer fsyncs every file).
if [[ -z "${BIMIX_FUZZ_TMP:-}" ]]; then
  if [[ -d /dev/shm && -w /dev/shm ]]; then BIMIX_FUZZ_TMP="/dev/shm/bimix-fuzz-$$"; else BIMIX_FUZZ_TMP="$PWD/$CACHE/tmp"; fi
fi
mkdir -p "$BIMIX_FUZZ_TMP"
trap 'rm -rf "$BIMIX_FUZZ_TMP"' EXIT

if ! command -v "$CXX" >/dev/null 2>&1; then
  echo "fuzz.sh: $CXX not found (install clang and libclang-rt-dev)" >&2
  exit 2
fi

FLAGS=(-std=c++17 -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined)
# The core sources, exactly as CMakeLists.txt lists them (one source of truth).
mapfile -t CORE < <(sed -n '/set(BIMIX_CORE_SOURCES/,/)/p' CMakeLists.txt | grep -o 'native/[^ )]*\.cc')

# Seeds: one small valid input per parser so the fuzzer starts past the magic checks.
python3 - "$CACHE/corpus" <<'PY' || true
import os, struct, sys
root = sys.argv[1]
def put(t, name, b):
    os.makedirs(os.path.join(root, t), exist_ok=True)
    with open(os.path.join(root, t, name), 'wb') as f: f.write(b)
# megatron: 4-byte .bin size, then the .idx (2 sequences of 3 and 2 u16 tokens, 2 documents)
idx = b'MMIDIDX\x00\x00' + struct.pack('<QBQQ', 1, 8, 2, 3) + struct.pack('<ii', 3, 2) + struct.pack('<qq', 0, 6) + struct.pack('<qqq', 0, 1, 2)
put('megatron', 'seed-valid', struct.pack('<I', 10) + idx)
put('megatron', 'seed-tntidx', struct.pack('<I', 10) + b'TNTIDX\x00\x00' + b'\x00' * 32)
hdr = "{'descr': '<u2', 'fortran_order': False, 'shape': (3,), }"
pre = b'\x93NUMPY\x01\x00'
body = hdr.encode()
pad = (64 - (10 + len(body) + 1) % 64) % 64
body = body + b' ' * pad + b'\n'
put('npy', 'seed-v1', pre + struct.pack('<H', len(body)) + body + b'\x01\x00\x02\x00\x03\x00')
put('npy', 'seed-v2', b'\x93NUMPY\x02\x00' + struct.pack('<I', len(body)) + body.replace(b'<u2', b'<i4') + b'\x00' * 12)
h = [20240520, 1, 3] + [0] * 253
put('llmc', 'seed-gpt2', b'\x00' + struct.pack('<256i', *h) + struct.pack('<3H', 1, 2, 3))
put('llmc', 'seed-structured', b'\x0d' + struct.pack('<3i', 20240520, 1, 3))
put('datatrove', 'seed', struct.pack('<H', 10) + struct.pack('<3Q', 2, 5, 10))
put('accumulator', 'seed', bytes([1, 3, 7, 0, 5, 3]) + bytes(range(40)))
put('partial', 'seed-fixup', bytes([1, 0, 2, 4, 2, 3, 0x41, 9, 1]) + b'{}' + bytes([1, 5, 2, 3]) + bytes([1, 1]) + bytes([5, 1, 3, 2]))
PY

# Arrow seeds: the committed fixtures, behind the target's column-selector byte.
mkdir -p "$CACHE/corpus/arrow"
for f in test/fixtures/formats/arrow/*.arrow; do
  { printf '\x00'; cat "$f"; } >"$CACHE/corpus/arrow/seed-$(basename "$f")"
done
{ printf '\x01'; cat test/fixtures/formats/arrow/tokens-u16.arrow; } >"$CACHE/corpus/arrow/seed-tokens-column"

# Build the core objects and every target from one snapshot of the sources, so
# that a target and the objects it links never see different versions of a
# header. Others may be editing native/ meanwhile: if anything changed during
# the build, build again.
build_all() {
  objs=()
  for src in "${CORE[@]}"; do
    obj="$BUILD/obj/$(echo "$src" | tr '/' '_').o"
    if [[ ! -f "$obj" || "$src" -nt "$obj" || -n "$(find native -name '*.h' -newer "$obj" -print -quit)" ]]; then
      "$CXX" "${FLAGS[@]}" -fsanitize=fuzzer-no-link -c "$src" -o "$obj"
    fi
    objs+=("$obj")
  done
  for t in $TARGETS; do
    src="native/fuzz/fuzz_$t.cc"
    if [[ ! -f "$src" ]]; then
      echo "fuzz.sh: no target $src" >&2
      exit 2
    fi
    "$CXX" "${FLAGS[@]}" -fsanitize=fuzzer "$src" "${objs[@]}" -o "$BUILD/fuzz_$t" -ldl
  done
}
for attempt in 1 2 3; do
  touch "$BUILD/.stamp"
  build_all
  if [[ -z "$(find native CMakeLists.txt -newer "$BUILD/.stamp" \( -name '*.h' -o -name '*.cc' -o -name CMakeLists.txt \) -print -quit)" ]]; then
    break
  fi
  echo "fuzz.sh: sources changed during the build; rebuilding" >&2
  sleep 2
done

status=0
for t in $TARGETS; do
  bin="$BUILD/fuzz_$t"
  mkdir -p "$CACHE/corpus/$t" "$CACHE/crashes/$t"
  log="$CACHE/logs/$t.log"
  echo "== fuzz_$t for ${SECONDS_PER_TARGET}s (log: $log)"
  set +e
  BIMIX_FUZZ_TMP="$BIMIX_FUZZ_TMP" UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
    nice -n "${FUZZ_NICE:-19}" "$bin" -max_total_time="$SECONDS_PER_TARGET" -timeout=30 -rss_limit_mb=2048 \
    -max_len="${FUZZ_MAX_LEN:-8192}" -print_final_stats=1 -artifact_prefix="$CACHE/crashes/$t/" \
    "$CACHE/corpus/$t" >"$log" 2>&1
  rc=$?
  set -e
  grep -aE 'DONE|stat::number_of_executed_units|stat::average_exec_per_sec' "$log" | tr '\n' ' ' || true
  echo
  if [[ $rc -ne 0 ]]; then
    echo "fuzz.sh: fuzz_$t FAILED (exit $rc); see $log and $CACHE/crashes/$t/" >&2
    tail -n 40 "$log" >&2
    status=1
  fi
done
exit $status
