#!/usr/bin/env bash
# One command from a fresh Debian 12 clone to a passing test suite:
# installs packages, builds, runs ctest (the default, fast label set), then the same
# suite again built with AddressSanitizer + UndefinedBehaviorSanitizer
# (scripts/test-sanitized.sh, ./build-sanitize). XNUSCOPE_SKIP_SANITIZED=1 skips
# the second run (a quick local check); CI runs both.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
BUILD_DIR=${XNUSCOPE_BUILD_DIR:-build}
# Long soak tests carry the label "slow" and run only with `ctest -L slow`; the
# optional cross-check against the real Volatility 2 zips (a folder outside the
# repository) carries "realxnu" and runs with `ctest -L realxnu`; fuzz runs carry
# "fuzz" (`ctest -L fuzz` in a -DXNUSCOPE_FUZZ=ON build, see scripts/fuzz.sh).
(cd "$BUILD_DIR" && ctest --output-on-failure -j "$(nproc)" -LE "slow|realxnu|fuzz")
if [ "${XNUSCOPE_SKIP_SANITIZED:-0}" != 1 ]; then
  bash scripts/test-sanitized.sh
fi
