#!/usr/bin/env bash
# Maintainer tool: regenerates xnu_profiles/*.json and symbols/*.txt.xz from the six
# Volatility 2 mac profile zips (XNUSCOPE_REAL_XNU, default ../shared/real-xnu — a
# development folder that is not part of the repository; the demo and the tests use
# the committed files and never need it). The output is deterministic: running this
# on a clean checkout leaves `git status` clean (`ctest -L realxnu` checks the same).
#
#   scripts/regen-profiles.sh [PROFILES_DIR [SYMBOLS_DIR]]
#
# The zips carry no kernel banner; it is taken from LAYOUTS.json beside them (the
# banners of Abyss-W4tcher/volatility3-symbols, matched by build; see SOURCES.md).
# Environment: XNUSCOPE (the binary, default build/xnuscope), XNUSCOPE_REAL_XNU.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
REAL=${XNUSCOPE_REAL_XNU:-$ROOT/../shared/real-xnu}
XNUSCOPE=${XNUSCOPE:-$ROOT/build/xnuscope}
PROFILES_DIR=${1:-$ROOT/xnu_profiles}
SYMBOLS_DIR=${2:-$ROOT/symbols}

if [ ! -x "$XNUSCOPE" ]; then
  echo "regen-profiles: $XNUSCOPE not built; run scripts/build.sh or set XNUSCOPE=PATH" >&2
  exit 2
fi
if [ ! -d "$REAL" ]; then
  echo "regen-profiles: $REAL not found; set XNUSCOPE_REAL_XNU to the folder of the Volatility 2 zips" >&2
  exit 2
fi
command -v jq >/dev/null || { echo "regen-profiles: needs jq (scripts/setup.sh installs it)" >&2; exit 2; }

count=0
for zip in "$REAL"/*.zip; do
  name=$(basename "$zip")
  banner=$(jq -er --arg zip "$name" '.builds[$zip].banner' "$REAL/LAYOUTS.json") || {
    echo "regen-profiles: no banner for $name in $REAL/LAYOUTS.json" >&2
    exit 1
  }
  "$XNUSCOPE" profile import --vol2 "$zip" --banner "$banner" \
    -o "$PROFILES_DIR" --symbols-dir "$SYMBOLS_DIR" --quiet --format json >/dev/null
  count=$((count + 1))
done
echo "regen-profiles: wrote $count profiles to $PROFILES_DIR and symbol tables to $SYMBOLS_DIR"
