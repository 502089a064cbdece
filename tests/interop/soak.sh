#!/usr/bin/env bash
# Soak mode of the differential sessions: keeps generating fresh random sessions (new seed per
# batch) and replaying them with Tandem until SECONDS have passed or a mismatch is found.
#   soak.sh SECONDS [RUNNER]     (RUNNER defaults to build/ci's crdt_session_runner)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
DURATION=${1:?usage: soak.sh SECONDS [RUNNER]}
RUNNER=${2:-$HERE/../../build/ci/tests/interop/crdt_session_runner}
BATCH=${SOAK_BATCH:-500}
end=$(( $(date +%s) + DURATION ))
total=0
while [ "$(date +%s)" -lt "$end" ]; do
  seed=$(date +%s%3N)
  if ! bash "$HERE/run_sessions.sh" --runner "$RUNNER" --count "$BATCH" --seed "$seed" \
       --workdir "${TMPDIR:-/tmp}/tandem-soak" >/dev/null; then
    echo "soak: mismatch with seed $seed after $total sessions (see run_sessions.sh output to reproduce)"
    exit 1
  fi
  total=$((total + BATCH))
  echo "soak: $total sessions passed"
done
echo "soak: $total passed, 0 failed"
