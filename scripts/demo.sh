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
BUILD_NAME=HighSierra_10.13.6_17G65
mkdir -p "$DEMO_DIR"
# The image is a pure function of the forge's sources and the build's data files.
KEY=$(cat fixtures/forge/*.py "xnu_profiles/$BUILD_NAME.json" "symbols/$BUILD_NAME.txt.xz" |
  sha256sum | cut -c1-16)
IMAGE="$DEMO_DIR/demo-$KEY.raw"
if [ ! -f "$IMAGE.truth.json" ]; then
  echo "demo: forging a macOS 10.13.6 guest (512 MiB, 40 processes) into $IMAGE"
  python3 fixtures/forge generate --build "$BUILD_NAME" \
    --seed 2026 --ram 512M --procs 40 --format raw --out "$IMAGE"
fi
# A stable name for the newest demo image (the README's Python line opens it).
ln -sfn "$(basename "$IMAGE")" "$DEMO_DIR/demo.raw"
"$BUILD_DIR/xnuscope" --image "$IMAGE" info
"$BUILD_DIR/xnuscope" --image "$IMAGE" pslist
