#!/usr/bin/env bash
# Editing-trace benchmark driver: Tandem (C++) vs Yjs 13.6.33 (Node) vs ywasm 0.18.3 (yrs in
# WebAssembly), plus diamond-types (npm diamond-types-node) as a non-Yjs reference point.
# Every (implementation, trace, workload) runs N times, each in a fresh process pinned to one
# core; the medians go to a Markdown table on stdout and in --out. See bench/README.md.
#
# usage: bench/run_trace_bench.sh [options]
#   --runs N            fresh processes per cell (default 5)
#   --traces LIST       comma-separated sequential traces
#                       (default automerge-paper,seph-blog1,rustcode,sveltecomponent,friendsforever_flat)
#   --datasets LIST     Eg-walker datasets for the egwalker workload (default S1,S2,S3,C1,C2)
#   --workloads LIST    local,remote,encode,load,memory,egwalker (default: all)
#   --impls LIST        tandem,yjs,ywasm,dt (default: all)
#   --quick             1 run, automerge-paper and dataset S1 only
#   --out FILE          Markdown report (default build/bench/trace_results.md; raw runs in FILE.jsonl)
#   --build DIR         Tandem build directory (default $BUILD, else build/)
#   --traces-dir DIR    trace data (default $TANDEM_TRACES_DIR, else <repo>/../shared/traces)
#   --cpu N             core to pin to with taskset (default: the last one); --no-pin to not pin
#   --timeout SEC       per-process limit (default 1200)
#   --metric wall|cpu   times in the table: wall clock (default) or the process's CPU time
#                       (both are in the .jsonl; re-render with node bench/js/report.mjs)
# Lower the priority of the whole run with `nice bench/run_trace_bench.sh ...` when the machine
# is shared; real timing runs want an otherwise idle machine.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JS="$ROOT/bench/js"

RUNS=5
TRACES="automerge-paper,seph-blog1,rustcode,sveltecomponent,friendsforever_flat"
DATASETS="S1,S2,S3,C1,C2"
WORKLOADS="local,remote,encode,load,memory,egwalker"
IMPLS="tandem,yjs,ywasm,dt"
OUT="$ROOT/build/bench/trace_results.md"
BUILD_DIR="${BUILD:-$ROOT/build}"
TRACES_DIR="${TANDEM_TRACES_DIR:-$ROOT/../shared/traces}"
CPU=""
PIN=1
TIMEOUT=1200
METRIC=wall

die() { echo "run_trace_bench: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) RUNS="${2:?}"; shift 2 ;;
    --traces) TRACES="${2:?}"; shift 2 ;;
    --datasets) DATASETS="${2:?}"; shift 2 ;;
    --workloads) WORKLOADS="${2:?}"; shift 2 ;;
    --impls) IMPLS="${2:?}"; shift 2 ;;
    --quick) RUNS=1; TRACES="automerge-paper"; DATASETS="S1"; shift ;;
    --out) OUT="${2:?}"; shift 2 ;;
    --build) BUILD_DIR="${2:?}"; shift 2 ;;
    --traces-dir) TRACES_DIR="${2:?}"; shift 2 ;;
    --cpu) CPU="${2:?}"; shift 2 ;;
    --no-pin) PIN=0; shift ;;
    --timeout) TIMEOUT="${2:?}"; shift 2 ;;
    --metric) METRIC="${2:?}"; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || die "--runs must be a positive integer"
case "$METRIC" in wall|cpu) ;; *) die "--metric must be wall or cpu" ;; esac
[ -d "$TRACES_DIR/editing-traces" ] || die "no traces in $TRACES_DIR (set TANDEM_TRACES_DIR or --traces-dir)"
TRACES_DIR="$(cd "$TRACES_DIR" && pwd)"
case "$OUT" in /*) ;; *) OUT="$PWD/$OUT" ;; esac
mkdir -p "$(dirname "$OUT")"
JSONL="${OUT%.md}.jsonl"
META="${OUT%.md}.meta.json"
: > "$JSONL"

IFS=',' read -r -a TRACE_LIST <<< "$TRACES"
IFS=',' read -r -a DATASET_LIST <<< "$DATASETS"
IFS=',' read -r -a WORKLOAD_LIST <<< "$WORKLOADS"
IFS=',' read -r -a IMPL_LIST <<< "$IMPLS"
for w in "${WORKLOAD_LIST[@]}"; do
  case "$w" in local|remote|encode|load|memory|egwalker) ;; *) die "unknown workload $w" ;; esac
done
for t in "${TRACE_LIST[@]}"; do
  [ -f "$TRACES_DIR/editing-traces/sequential_traces/$t.json.gz" ] || die "no trace $t"
done

# --- peers: npm ci when node_modules is missing or older than the lock file
NODE_IMPLS=()
TANDEM_BIN=""
TANDEM_NOTE=""
for impl in "${IMPL_LIST[@]}"; do
  case "$impl" in
    yjs|ywasm|dt) NODE_IMPLS+=("$impl") ;;
    tandem)
      if [ -x "$BUILD_DIR/bench/tandem_trace_bench" ]; then
        TANDEM_BIN="$BUILD_DIR/bench/tandem_trace_bench"
      else
        TANDEM_NOTE="Tandem skipped: $BUILD_DIR/bench/tandem_trace_bench not built"
        echo "run_trace_bench: note: $TANDEM_NOTE" >&2
      fi ;;
    *) die "unknown implementation $impl" ;;
  esac
done
if [ ${#NODE_IMPLS[@]} -gt 0 ]; then
  command -v node >/dev/null || die "node not found (scripts/setup.sh installs it)"
  if [ ! -f "$JS/node_modules/.package-lock.json" ] || [ "$JS/package-lock.json" -nt "$JS/node_modules/.package-lock.json" ]; then
    echo "run_trace_bench: npm ci in bench/js" >&2
    (cd "$JS" && npm ci --no-audit --no-fund --loglevel=error) >&2
  fi
fi

# --- pinning
PIN_CMD=()
PIN_DESC="none"
if [ "$PIN" = 1 ] && command -v taskset >/dev/null 2>&1; then
  [ -n "$CPU" ] || CPU=$(( $(nproc) - 1 ))
  PIN_CMD=(taskset -c "$CPU")
  PIN_DESC="each process on core $CPU (taskset)"
elif [ "$PIN" = 1 ]; then
  PIN_DESC="none (taskset not found)"
fi

# --- metadata for the report
jstr() { node -e 'process.stdout.write(JSON.stringify(process.argv[1]))' -- "$1"; }
CPU_MODEL="$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | sed 's/.*: //')"
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || true)"
COMMIT="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || true)"
NICE_NOW="$(nice)"
[ "$NICE_NOW" = 0 ] || PIN_DESC="$PIN_DESC, niceness $NICE_NOW"

# one_run IMPL TRACE WORKLOAD [DATASET]: one fresh process, appends one JSON line to $JSONL
one_run() {
  local impl="$1" trace="$2" workload="$3" dataset="${4:-}" line rc=0 out err
  local -a cmd extra=()
  [ -n "$dataset" ] && extra=(--dataset "$dataset")
  if [ "$impl" = tandem ]; then
    cmd=("$TANDEM_BIN" --impl tandem --trace "$trace" --workload "$workload" "${extra[@]}" --traces "$TRACES_DIR")
  else
    cmd=(node --expose-gc "$JS/trace_bench.mjs" --impl "$impl" --trace "$trace" --workload "$workload" "${extra[@]}" --traces "$TRACES_DIR")
  fi
  out="$(mktemp)"; err="$(mktemp)"
  TANDEM_TRACES_DIR="$TRACES_DIR" timeout "$TIMEOUT" "${PIN_CMD[@]}" "${cmd[@]}" >"$out" 2>"$err" </dev/null || rc=$?
  line="$(grep -m1 '^{' "$out" || true)"
  if [ -z "$line" ]; then
    local msg
    msg="$(tail -c 300 "$err" | tr '\n' ' ')"
    [ "$rc" = 124 ] && msg="timed out after ${TIMEOUT}s"
    line="{\"impl\":$(jstr "$impl"),\"trace\":$(jstr "$trace"),\"workload\":$(jstr "$workload"),\"ms\":null,\"ok\":false,\"error\":$(jstr "no result (exit $rc): $msg")}"
  fi
  rm -f "$out" "$err"
  echo "$line" >> "$JSONL"
  echo "  $line" | cut -c1-200 >&2
}

ACTIVE=("${NODE_IMPLS[@]}")
[ -n "$TANDEM_BIN" ] && ACTIVE=(tandem "${ACTIVE[@]}")
[ ${#ACTIVE[@]} -gt 0 ] || die "nothing to run"
echo "run_trace_bench: ${ACTIVE[*]} x {${TRACES}} x {${WORKLOADS}}, $RUNS run(s) each; pinning: $PIN_DESC" >&2

# Runs are interleaved (run 1 of every implementation, then run 2, ...) so slow drifts in
# machine load hit all implementations alike.
for w in "${WORKLOAD_LIST[@]}"; do
  if [ "$w" = egwalker ]; then
    for ds in "${DATASET_LIST[@]}"; do
      echo "== egwalker $ds" >&2
      for ((r = 1; r <= RUNS; r++)); do
        for impl in "${ACTIVE[@]}"; do one_run "$impl" "egwalker-$ds" egwalker "$ds"; done
      done
    done
  else
    for t in "${TRACE_LIST[@]}"; do
      echo "== $w $t" >&2
      for ((r = 1; r <= RUNS; r++)); do
        for impl in "${ACTIVE[@]}"; do one_run "$impl" "$t" "$w"; done
      done
    done
  fi
done

LOAD_AFTER="$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || true)"
cat > "$META" <<EOF
{"date": $(jstr "$(date -u '+%Y-%m-%d %H:%M UTC')"), "host": $(jstr "$(uname -srm)"),
 "cpu": $(jstr "$CPU_MODEL"), "nproc": $(nproc), "node": $(jstr "$(node --version)"),
 "pin": $(jstr "$PIN_DESC"), "runs": $RUNS, "loadBefore": $(jstr "$LOAD_BEFORE"),
 "loadAfter": $(jstr "$LOAD_AFTER"), "commit": $(jstr "$COMMIT"), "tandemNote": $(jstr "$TANDEM_NOTE")}
EOF
node "$JS/report.mjs" --in "$JSONL" --meta "$META" --out "$OUT" --metric "$METRIC"
echo "run_trace_bench: wrote $OUT (raw runs: $JSONL)" >&2
