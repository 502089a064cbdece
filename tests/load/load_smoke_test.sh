#!/usr/bin/env bash
# Smoke test of `tandem load`, so the load generator cannot silently rot: starts one peer
# server from bench/servers on a free loopback port and runs one scenario shrunk:
#   a: 1 document x 10 clients (3 typists) for 3 s; checks that the generator reports
#      converged, no lost edit, a nonzero number of deliveries and the server's CPU time.
#   d: 2 warm-up documents, then 5 documents x 3 clients; checks convergence, the number of
#      connections and that the memory figures are there.
# No timing or memory threshold.
# Usage: load_smoke_test.sh TANDEM_BINARY y-websocket-server|hocuspocus [a|d]
set -euo pipefail
tandem=$1
peer=$2
scenario=${3:-a}
root=$(cd "$(dirname "$0")/../.." && pwd)
servers=$root/bench/servers
case $peer in
  y-websocket-server) dialect=yws ;;
  hocuspocus) dialect=hocuspocus ;;
  *) echo "unknown peer $peer"; exit 2 ;;
esac
if [ ! -d "$servers/node_modules" ]; then
  echo "FAIL: $servers/node_modules is missing: run scripts/setup.sh (or npm ci in bench/servers)"
  exit 1
fi

port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
log=$(mktemp)
node "$servers/$peer.mjs" "$port" >"$log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -f "$log"' EXIT
for _ in $(seq 100); do
  grep -q listening "$log" && break
  kill -0 $server 2>/dev/null || { echo "FAIL: $peer did not start:"; cat "$log"; exit 1; }
  sleep 0.1
done
grep -q listening "$log" || { echo "FAIL: $peer did not start listening"; cat "$log"; exit 1; }

case $scenario in
  a)
    out=$("$tandem" load --url "ws://127.0.0.1:$port" --dialect "$dialect" --scenario a --docs 1 --clients 10 \
            --typists 3 --duration 3 --server-pid "$server" --label "$peer" --json)
    check='
      if (m.converged !== true) problems.push("not converged")
      if (m.lost_edits !== 0) problems.push(m.lost_edits + " lost edits")
      if (!(m.deliveries > 0)) problems.push("no deliveries")
      if (!(m.edits > 0)) problems.push("no edits")
      if (m.deliveries !== m.edits * (m.clients_per_doc - 1)) problems.push("deliveries != edits x receivers")
      if (!(m.server_cpu_s >= 0) || !(m.server_rss_bytes > 0)) problems.push("no server CPU/RSS figures")'
    ;;
  d)
    out=$("$tandem" load --url "ws://127.0.0.1:$port" --dialect "$dialect" --scenario d --docs 5 --clients 3 \
            --warmup-docs 2 --server-pid "$server" --label "$peer" --json)
    check='
      if (m.converged !== true) problems.push("not converged")
      if (m.lost_edits !== 0) problems.push(m.lost_edits + " lost edits")
      if (m.docs !== 5 || m.warmup_docs !== 2 || m.connections !== 15) problems.push("wrong shape")
      if (!(m.doc_chars > 0)) problems.push("empty documents")
      for (const k of ["rss_before_bytes", "rss_docs_loaded_bytes", "rss_all_connected_bytes"])
        if (!(m[k] > 0)) problems.push("no " + k)
      for (const k of ["bytes_per_idle_connection", "bytes_per_idle_document"])
        if (!Number.isFinite(m[k])) problems.push("no " + k)'
    ;;
  *) echo "unknown scenario $scenario"; exit 2 ;;
esac
echo "$out"
node -e '
  const m = JSON.parse(process.argv[1])
  const problems = []
  '"$check"'
  if (problems.length) { console.log("FAIL: " + problems.join(", ")); process.exit(1) }
  console.log("ok: scenario '"$scenario"' converged")
' "$out"
