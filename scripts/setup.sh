#!/usr/bin/env bash
# Installs every Debian package that xnuscope's build, tests, fixtures and live
# tests need. Idempotent: a second run installs nothing new.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config git python3
  liblief-dev libzydis-dev libzycore-dev libcapstone-dev
  libboost-program-options-dev libgtest-dev libbenchmark-dev
  nlohmann-json3-dev liblzma-dev zlib1g-dev libdwarf-dev libelf-dev
  libssl-dev libarchive-dev
  libmbedtls-dev libzstd-dev nettle-dev libbz2-dev
  qemu-system-x86 qemu-utils
  clang-14 lld-14 llvm-14 libclang-rt-14-dev
  gnuplot-nox
  pybind11-dev python3-dev
)
# libmbedtls-dev, libzstd-dev, nettle-dev, libbz2-dev: static archives the CLI links
# (cmake/StaticThirdParty.cmake; LIEF and libarchive need them).
# Not needed by the build or the tests: python3-pefile and python3-jsonschema are
# only for running Volatility 3 by hand (docs/fixtures.md).

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#PACKAGES[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: done"
