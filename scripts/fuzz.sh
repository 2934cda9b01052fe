#!/usr/bin/env bash
# Runs the libFuzzer targets (fuzz/fuzz_*.cpp) against seed corpora made from the
# forge and the repository (scripts/fuzz-seeds.py), plus every regression input in
# tests/fuzz-regressions/<target>/.
#
#   scripts/fuzz.sh [TARGET|all] [SECONDS]     default: all, 60 s per target
#
# Builds ./build-fuzz with clang-14 (-DXNUSCOPE_FUZZ=ON) when it is missing. Runs one
# fuzzer at a time under `nice -n 10` (the machine is shared). A crash leaves the
# input in build-fuzz/artifacts/<target>/ and makes the script exit non-zero; copy it
# to tests/fuzz-regressions/<target>/ once fixed. Each run appends a line to
# build-fuzz/fuzz-runs.log (target, seconds actually run, executions, corpus size, result).
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET=${1:-all}
SECONDS_PER_TARGET=${2:-60}
BUILD=${XNUSCOPE_FUZZ_BUILD_DIR:-build-fuzz}

if [ ! -f "$BUILD/CMakeCache.txt" ]; then
  CC=clang-14 CXX=clang++-14 cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DXNUSCOPE_FUZZ=ON -DXNUSCOPE_BUILD_TESTS=OFF -DXNUSCOPE_BUILD_BENCHMARKS=OFF >/dev/null
fi

if [ "$TARGET" = all ]; then
  mapfile -t TARGETS < <(ls fuzz/fuzz_*.cpp | xargs -n1 basename | sed 's/\.cpp$//')
else
  TARGETS=("$TARGET")
fi

status=0
for target in "${TARGETS[@]}"; do
  nice -n 10 cmake --build "$BUILD" -j2 --target "$target" >/dev/null
  corpus="$BUILD/corpus/$target"
  artifacts="$BUILD/artifacts/$target/"
  mkdir -p "$corpus" "$artifacts"
  if [ -z "$(ls -A "$corpus")" ]; then
    python3 scripts/fuzz-seeds.py "$target" "$corpus"
  fi
  regressions="tests/fuzz-regressions/$target"
  inputs=("$corpus")
  [ -d "$regressions" ] && inputs+=("$regressions")
  log="$BUILD/logs/$target-$(date -u +%Y%m%dT%H%M%SZ).log"
  mkdir -p "$BUILD/logs"
  echo "fuzz: $target for ${SECONDS_PER_TARGET}s (corpus $(ls "$corpus" | wc -l) inputs)"
  result=ok
  started=$(date +%s)
  if ! nice -n 10 "$BUILD/fuzz/$target" -max_total_time="$SECONDS_PER_TARGET" \
      -rss_limit_mb=2048 -timeout=30 -max_len=1048576 -print_final_stats=1 \
      -artifact_prefix="$artifacts" "${inputs[@]}" >"$log" 2>&1; then
    result=FAILED
    status=1
    grep -E "ERROR|finding|SUMMARY|Test unit written" "$log" | head -5 || true
  fi
  elapsed=$(( $(date +%s) - started ))
  runs=$(grep -oE "stat::number_of_executed_units: *[0-9]+" "$log" | grep -oE "[0-9]+$" || echo 0)
  echo "$(date -u +%FT%TZ) $target seconds=$elapsed execs=$runs corpus=$(ls "$corpus" | wc -l) result=$result" \
    | tee -a "$BUILD/fuzz-runs.log"
done
exit $status
