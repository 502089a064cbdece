#!/usr/bin/env bash
# Sets up, builds and starts Tandem: tandemd on http://localhost:8080 with its embedded SQLite
# database in ./data and the web client from web/public. Settings: `tandemd --help`; extra
# arguments are passed on (e.g. scripts/run.sh --listen 0.0.0.0:8080). Ctrl-C stops it
# gracefully.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DTANDEM_BENCH=OFF >/dev/null
cmake --build build/release --target tandemd tandem -j "$(nproc)"
# The defaults are listen 127.0.0.1:8080, data ./data, web root web/public (relative to here).
exec build/release/src/app/tandemd "$@"
