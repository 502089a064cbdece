#!/usr/bin/env bash
# Load benchmark driver: tandemd vs @y/websocket-server 0.1.1 vs @hocuspocus/server 4.7 (both
# in memory, from bench/servers), measured by `tandem load` in one run on one machine. Every
# (scenario, server) gets a fresh server process pinned to one core while the load generator
# is pinned to another; the scenarios run server after server, so a drift in machine load
# hits all of them alike. Raw results go to FILE.jsonl, a Markdown table with the ratios to
# FILE. After scenarios a and b it measures the kernel's floor in the same shape
# (bench/fanout_floor: the CPU a sender pays per small write to as many loopback sockets).
# See bench/README.md, "Load benchmark".
#
# usage: bench/run_load_bench.sh [options]
#   --scenarios LIST    a,b,c-hot,c-docs,d,e (default: all)
#   --servers LIST      tandemd,tandemd-normal,y-websocket-server,hocuspocus (default: all)
#   --duration SEC      typing time of a and b (default 20)
#   --step SEC          typing time of each ramp step of c (default 5)
#   --runs N            runs per (scenario, server); the table shows medians (default 1)
#   --out FILE          Markdown report (default build/bench/load_results.md; raw lines in FILE.jsonl)
#   --build DIR         Tandem build directory with src/app/tandem and src/app/tandemd
#                       (default $BUILD, else build/)
#   --tandemd BIN       the tandemd binary to measure (default DIR/src/app/tandemd)
#   --server-cpu N      core for the server (default 0); --load-cpu N for the generator
#                       (default 1); --no-pin to pin neither
# tandemd runs with its defaults (durable SQLite: synchronous=full) except what a fair load
# test needs: one I/O thread (it gets one core), no per-connection rate limit and no
# per-IP connection limit (every client comes from 127.0.0.1). `tandemd-normal` is the same
# with --sqlite-synchronous normal: commits survive a crash of tandemd but not of the machine
# (no fsync per commit), closer to what the in-memory peers promise (nothing).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SERVERS_DIR="$ROOT/bench/servers"
SCENARIOS="a,b,c-hot,c-docs,d,e"
SERVERS="tandemd,tandemd-normal,y-websocket-server,hocuspocus"
DURATION=20
STEP=5
RUNS=1
OUT="$ROOT/build/bench/load_results.md"
BUILD_DIR="${BUILD:-$ROOT/build}"
SERVER_CPU=0
LOAD_CPU=1
PIN=1
TANDEMD=""
# File descriptors scenario d needs: 5,000 client sockets here, 5,000 in the server.
FD_LIMIT=20000

die() { echo "run_load_bench: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --scenarios) SCENARIOS="${2:?}"; shift 2 ;;
    --servers) SERVERS="${2:?}"; shift 2 ;;
    --duration) DURATION="${2:?}"; shift 2 ;;
    --step) STEP="${2:?}"; shift 2 ;;
    --runs) RUNS="${2:?}"; shift 2 ;;
    --out) OUT="${2:?}"; shift 2 ;;
    --build) BUILD_DIR="${2:?}"; shift 2 ;;
    --tandemd) TANDEMD="${2:?}"; shift 2 ;;
    --server-cpu) SERVER_CPU="${2:?}"; shift 2 ;;
    --load-cpu) LOAD_CPU="${2:?}"; shift 2 ;;
    --no-pin) PIN=0; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done

TANDEM="$BUILD_DIR/src/app/tandem"
TANDEMD="${TANDEMD:-$BUILD_DIR/src/app/tandemd}"
FLOOR="$BUILD_DIR/bench/fanout_floor"
[ -x "$TANDEM" ] || die "$TANDEM not found: build the tandem target (cmake --build $BUILD_DIR --target tandem)"
command -v node >/dev/null || die "node not found (scripts/setup.sh installs it)"
if [ "$PIN" = 1 ]; then
  command -v taskset >/dev/null || die "taskset not found (util-linux); or use --no-pin"
  [ "$(nproc)" -ge 2 ] || die "pinning needs two cores; use --no-pin"
fi

# Scenario d holds 5,000 sockets on each side: raise the open-file limit for both processes.
ulimit -n "$FD_LIMIT" 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if [[ ",$SCENARIOS," == *",d,"* ]] && [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt 11000 ]; then
  die "scenario d needs ulimit -n >= 11000 (it is $(ulimit -n); the hard limit is $(ulimit -Hn))"
fi

if [ ! -d "$SERVERS_DIR/node_modules" ] || [ "$SERVERS_DIR/package-lock.json" -nt "$SERVERS_DIR/node_modules/.package-lock.json" ]; then
  (cd "$SERVERS_DIR" && npm ci --no-audit --no-fund --loglevel=error)
fi

mkdir -p "$(dirname "$OUT")"
JSONL="$OUT.jsonl"
: >"$JSONL"
WORK=$(mktemp -d)
SERVER_PID=""
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

pin() { if [ "$PIN" = 1 ]; then taskset -c "$1" "${@:2}"; else "${@:2}"; fi; }
# The same, replacing the calling (sub)shell, so that `pin_exec ... &` leaves $! = the server.
pin_exec() { if [ "$PIN" = 1 ]; then exec taskset -c "$1" "${@:2}"; else exec "${@:2}"; fi; }
free_port() { node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }
wait_listening() {  # PORT PID LOG
  for _ in $(seq 200); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    kill -0 "$2" 2>/dev/null || { echo "server exited:"; cat "$3"; return 1; }
    sleep 0.05
  done
  echo "server did not listen on port $1:"; cat "$3"; return 1
}

# start_server NAME PORT: starts it pinned, sets SERVER_PID, URL and LOAD_ARGS.
start_server() {
  local name=$1 port=$2 log="$WORK/$1.log"
  case "$name" in
    tandemd|tandemd-normal)
      local data sync=full; data=$(mktemp -d "$WORK/data.XXXX")
      [ "$name" = tandemd-normal ] && sync=normal
      pin_exec "$SERVER_CPU" "$TANDEMD" --listen "127.0.0.1:$port" --data "$data" --threads 1 \
        --sqlite-synchronous "$sync" \
        --messages-per-second 1000000000 --message-burst 1000000000 \
        --bytes-per-second 1000000000000 --byte-burst 1000000000000 \
        --max-connections-per-ip 0 --log-level warn >"$log" 2>&1 &
      URL="ws://127.0.0.1:$port/ws"; LOAD_ARGS=(--dialect yws --create-docs) ;;
    y-websocket-server)
      pin_exec "$SERVER_CPU" node "$SERVERS_DIR/y-websocket-server.mjs" "$port" >"$log" 2>&1 &
      URL="ws://127.0.0.1:$port"; LOAD_ARGS=(--dialect yws) ;;
    hocuspocus)
      pin_exec "$SERVER_CPU" node "$SERVERS_DIR/hocuspocus.mjs" "$port" >"$log" 2>&1 &
      URL="ws://127.0.0.1:$port"; LOAD_ARGS=(--dialect hocuspocus) ;;
    *) die "unknown server $name" ;;
  esac
  SERVER_PID=$!
  wait_listening "$port" "$SERVER_PID" "$log"
}

stop_server() {
  kill -TERM "$SERVER_PID" 2>/dev/null || true
  for _ in $(seq 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}

IFS=, read -r -a scenario_list <<<"$SCENARIOS"
IFS=, read -r -a server_list <<<"$SERVERS"
failures=0
for run in $(seq "$RUNS"); do
  for scenario in "${scenario_list[@]}"; do
    for server in "${server_list[@]}"; do
      if [[ "$server" == tandemd* ]] && [ ! -x "$TANDEMD" ]; then
        echo "{\"scenario\":\"$scenario\",\"server\":\"$server\",\"skipped\":\"$TANDEMD not built\"}" >>"$JSONL"
        continue
      fi
      port=$(free_port)
      echo "== run $run: scenario $scenario on $server (port $port)" >&2
      start_server "$server" "$port" || { failures=$((failures + 1)); continue; }
      case "$scenario" in
        c-hot|c-docs) duration=$STEP ;;
        *) duration=$DURATION ;;
      esac
      if ! pin "$LOAD_CPU" "$TANDEM" load --url "$URL" "${LOAD_ARGS[@]}" --scenario "$scenario" \
             --duration "$duration" --server-pid "$SERVER_PID" --label "$server" --json \
             >"$WORK/out.jsonl" 2>"$WORK/err.txt"; then
        echo "   failed: $(cat "$WORK/err.txt")" >&2
        msg=$(tr '"\\\n' "'/ " <"$WORK/err.txt")
        echo "{\"scenario\":\"$scenario\",\"server\":\"$server\",\"run\":$run,\"error\":\"$msg\"}" >>"$JSONL"
        failures=$((failures + 1))
      fi
      sed "s/^{/{\"run\":$run,/" "$WORK/out.jsonl" | tee -a "$JSONL" >&2
      stop_server
    done
    # After a and b, the kernel's floor in the same shape: the CPU time a sender pays per small
    # write to as many loopback sockets at the same rate, doing nothing else (bench/fanout_floor).
    case "$scenario" in
      a) shape=(--receivers 49 --rate 50) ;;
      b) shape=(--receivers 9 --rate 500) ;;
      *) shape=() ;;
    esac
    if [ ${#shape[@]} -gt 0 ] && [ -x "$FLOOR" ]; then
      cpus=(--sender-cpu "$SERVER_CPU" --receiver-cpu "$LOAD_CPU")
      [ "$PIN" = 1 ] || cpus=(--sender-cpu -1 --receiver-cpu -1)
      echo "== run $run: kernel floor for scenario $scenario" >&2
      if "$FLOOR" "${shape[@]}" --seconds "$DURATION" "${cpus[@]}" >"$WORK/floor.json" 2>"$WORK/err.txt"; then
        sed "s/^{/{\"run\":$run,\"scenario\":\"floor-$scenario\",/" "$WORK/floor.json" | tee -a "$JSONL" >&2
      else
        echo "   kernel floor failed: $(cat "$WORK/err.txt")" >&2
      fi
    fi
  done
done

node "$ROOT/bench/load_report.mjs" --in "$JSONL" --pinned "$PIN" >"$OUT"
cat "$OUT"
echo "run_load_bench: wrote $OUT and $JSONL ($failures failure(s))" >&2
