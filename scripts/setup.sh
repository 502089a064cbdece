#!/usr/bin/env bash
# Installs everything Tandem needs to build and test: Debian packages, then the npm
# packages of the interop/benchmark side. Safe to re-run: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config
  zlib1g-dev libgtest-dev libgmock-dev libbenchmark-dev
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev libcli11-dev
  libsqlite3-dev sqlite3 libspdlog-dev libfmt-dev libtomlplusplus-dev libcmark-dev libgumbo-dev
  clang libclang-rt-14-dev
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ! command -v node >/dev/null 2>&1; then missing+=(nodejs npm); fi

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm side: the Yjs oracle (pinned to 13.6.x) and the peers measured by the benchmarks.
if [ -f tests/interop/package-lock.json ]; then
  if [ ! -d tests/interop/node_modules ] || [ tests/interop/package-lock.json -nt tests/interop/node_modules/.package-lock.json ]; then
    (cd tests/interop && npm ci --no-audit --no-fund --loglevel=error)
  fi
fi
# npm side of the server tests: real y-websocket clients (tests/server).
if [ -f tests/server/package-lock.json ]; then
  if [ ! -d tests/server/node_modules ] || [ tests/server/package-lock.json -nt tests/server/node_modules/.package-lock.json ]; then
    (cd tests/server && npm ci --no-audit --no-fund --loglevel=error)
  fi
fi
# The peer servers `tandem load` is measured against (bench/servers; its smoke tests use them).
if [ -f bench/servers/package-lock.json ]; then
  if [ ! -d bench/servers/node_modules ] || [ bench/servers/package-lock.json -nt bench/servers/node_modules/.package-lock.json ]; then
    (cd bench/servers && npm ci --no-audit --no-fund --loglevel=error)
  fi
fi
echo "setup: ok"
