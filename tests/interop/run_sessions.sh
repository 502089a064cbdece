#!/usr/bin/env bash
# Differential sessions against real Yjs (SESSIONS.md): generates random sessions with a fresh seed
# (printed), replays them with a session runner, then replays every committed regression
# (regressions/*.jsonl).
#
#   run_sessions.sh --runner CMD [--count N] [--seed S] [--workdir DIR]
#
# CMD is the runner executable: Tandem's crdt_session_runner, or "node" plus replay_sessions.mjs
# for the Yjs self-check (--runner "node $PWD/replay_sessions.mjs").
# Environment: INTEROP_SEED and INTEROP_SESSIONS override the seed and the count.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)

RUNNER=""
COUNT=500
SEED=""
WORKDIR=""
while [ $# -gt 0 ]; do
  case "$1" in
    --runner) RUNNER=$2; shift 2 ;;
    --count) COUNT=$2; shift 2 ;;
    --seed) SEED=$2; shift 2 ;;
    --workdir) WORKDIR=$2; shift 2 ;;
    *) echo "run_sessions.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
# the environment wins over the arguments (ctest passes --count; INTEROP_SESSIONS=N ctest ... overrides it)
COUNT=${INTEROP_SESSIONS:-$COUNT}
SEED=${INTEROP_SEED:-$SEED}
if [ -z "$RUNNER" ]; then
  echo "usage: run_sessions.sh --runner CMD [--count N] [--seed S] [--workdir DIR]" >&2
  exit 2
fi
# A new seed every run (milliseconds since the epoch, < 2^53), unless one is given.
if [ -z "$SEED" ]; then SEED=$(date +%s%3N); fi
if [ -z "$WORKDIR" ]; then WORKDIR=$(mktemp -d); fi
mkdir -p "$WORKDIR"

if ! command -v node >/dev/null 2>&1 || [ ! -d "$HERE/node_modules/yjs" ]; then
  echo "run_sessions.sh: node or tests/interop/node_modules missing: run scripts/setup.sh (npm ci in tests/interop)" >&2
  exit 1
fi

FILE="$WORKDIR/sessions-$SEED.jsonl"
echo "interop sessions: seed $SEED, $COUNT sessions -> $FILE"
echo "  reproduce: node tests/interop/gen_sessions.mjs --seed $SEED --count $COUNT --out sessions.jsonl"
node "$HERE/gen_sessions.mjs" --seed "$SEED" --count "$COUNT" --out "$FILE"

status=0
# shellcheck disable=SC2086 # RUNNER may be a command with arguments
if $RUNNER "$FILE"; then
  rm -f "$FILE"
else
  status=1
  echo "interop sessions: MISMATCH with seed $SEED; the sessions are kept in $FILE"
  echo "  To keep a failing session as a regression: node tests/interop/gen_sessions.mjs --seed $SEED --start INDEX --count 1 --out tests/interop/regressions/NAME.jsonl"
  echo "  (INDEX is the session index the runner printed; see tests/interop/regressions/README.md)"
fi

shopt -s nullglob
regressions=("$HERE"/regressions/*.jsonl)
if [ ${#regressions[@]} -gt 0 ]; then
  echo "interop regressions: ${#regressions[@]} file(s)"
  # shellcheck disable=SC2086
  if ! $RUNNER "${regressions[@]}"; then
    status=1
    echo "interop regressions: MISMATCH (see above)"
  fi
else
  echo "interop regressions: none"
fi
exit $status
