#!/usr/bin/env bash
# One command from a fresh Debian 12 clone to the main job on a built-in demo:
# installs packages, builds, forges a synthetic macOS 10.13.6 guest image and runs
# `xnuscope pslist` on it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
BUILD_DIR=${XNUSCOPE_BUILD_DIR:-build}
DEMO_DIR=${XNUSCOPE_DEMO_DIR:-$HOME/.cache/xnuscope/demo}
mkdir -p "$DEMO_DIR"
if [ ! -f "$DEMO_DIR/demo.raw" ]; then
  python3 fixtures/forge generate --profile ../shared/real-xnu/HighSierra_10.13.6_17G65.zip \
    --seed 2026 --ram 512M --procs 40 --format raw --out "$DEMO_DIR/demo.raw"
fi
"$BUILD_DIR/xnuscope" --image "$DEMO_DIR/demo.raw" info
"$BUILD_DIR/xnuscope" --image "$DEMO_DIR/demo.raw" pslist
