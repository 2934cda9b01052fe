#!/usr/bin/env bash
# The whole ctest suite (the default label set, like scripts/test.sh) built with
# AddressSanitizer + UndefinedBehaviorSanitizer (-DXNUSCOPE_SANITIZE=ON) in
# ./build-sanitize. Any sanitizer report fails the test that triggered it: ASan
# aborts, and UBSan is built with -fno-sanitize-recover.
#
#   scripts/test-sanitized.sh [extra ctest args, e.g. -R robustness]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
BUILD_DIR=${XNUSCOPE_SANITIZE_BUILD_DIR:-build-sanitize}
GENERATOR=()
if command -v ninja >/dev/null; then GENERATOR=(-G Ninja); fi
LAUNCHER=()
if command -v ccache >/dev/null; then
  LAUNCHER=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
fi
if [ ! -f "$BUILD_DIR/CMakeCache.txt" ]; then
  cmake -S . -B "$BUILD_DIR" "${GENERATOR[@]}" "${LAUNCHER[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DXNUSCOPE_SANITIZE=ON -DXNUSCOPE_BUILD_BENCHMARKS=OFF
fi
cmake --build "$BUILD_DIR" -j "$(nproc)"
# detect_leaks=0: LIEF 0.9 keeps global parser state alive until exit.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=1:detect_stack_use_after_return=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
cd "$BUILD_DIR"
start=$(date +%s)
status=0
ctest --output-on-failure -j "$(nproc)" -LE 'slow|realxnu|fuzz' "$@" || status=$?
echo "test-sanitized: ctest took $(( $(date +%s) - start )) s (exit $status)"
exit $status
