#!/usr/bin/env bash
# One command from a fresh Debian 12 clone to a passing test suite:
# installs packages, builds, runs ctest (the default, fast label set).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
BUILD_DIR=${XNUSCOPE_BUILD_DIR:-build}
cd "$BUILD_DIR"
# Long soak tests carry the label "slow" and run only with `ctest -L slow`; the
# optional cross-check against the real Volatility 2 zips (a folder outside the
# repository) carries "realxnu" and runs with `ctest -L realxnu`; fuzz runs carry
# "fuzz" (`ctest -L fuzz` in a -DXNUSCOPE_FUZZ=ON build, see scripts/fuzz.sh).
ctest --output-on-failure -j "$(nproc)" -LE "slow|realxnu|fuzz"
