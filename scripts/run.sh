#!/usr/bin/env bash
# Sets up, builds and starts Tandem. Until the server (tandemd) lands, this builds the CRDT
# core and the `tandem` tool and shows what it does on a real document: it loads the
# Eg-walker paper's S3 document (Yjs update format v2, CC BY 4.0) and prints its summary.
set -euo pipefail
cd "$(dirname "$0")/.."
TRACES=${TANDEM_TRACES_DIR:-$(pwd)/../shared/traces}
bash scripts/setup.sh
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DTANDEM_BENCH=OFF \
  -DTANDEM_TRACES_DIR="$TRACES" >/dev/null
cmake --build build/release --target tandem -j "$(nproc)"
sample="$TRACES/egwalker-paper/datasets/S3.yjs.gz"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "tandem apply --v2 $sample --json (first 300 characters):"
build/release/src/app/tandem apply --v2 "$sample" --json --out "$tmp/doc.json"
head -c 300 "$tmp/doc.json"; echo
echo "tandem inspect (first 400 characters of the v1 state's description):"
build/release/src/app/tandem apply --v2 "$sample" --out "$tmp/state.bin"
build/release/src/app/tandem inspect "$tmp/state.bin" > "$tmp/inspect.json"
head -c 400 "$tmp/inspect.json"; echo
