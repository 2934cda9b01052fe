#!/usr/bin/env bash
# Configures and builds xnuscope into ./build (Release-ish, with tests and benchmarks).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${XNUSCOPE_BUILD_DIR:-build}
GENERATOR=()
if command -v ninja >/dev/null; then GENERATOR=(-G Ninja); fi
if [ ! -f "$BUILD_DIR/CMakeCache.txt" ]; then
  cmake -S . -B "$BUILD_DIR" "${GENERATOR[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo
fi
cmake --build "$BUILD_DIR" -j "$(nproc)"
