#!/usr/bin/env bash
# Black-box tests of the `tandem` tool (inspect, apply) on golden fixtures made by Yjs.
#   tandem_cli_test.sh TANDEM_BINARY GOLDEN_DIR
set -uo pipefail
TANDEM=$1
GOLDEN=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass=0
fail=0
check() {  # check NAME COMMAND...: the command must succeed
  local name=$1; shift
  if "$@"; then pass=$((pass + 1)); else echo "FAIL: $name"; fail=$((fail + 1)); fi
}

# apply re-encodes a Yjs document byte-identically (v1 in, v1 out; v2 in, v1 out).
for f in "$GOLDEN"/text_format.v1.bin "$GOLDEN"/concurrent_3clients.v1.bin; do
  check "apply $(basename "$f")" bash -c "'$TANDEM' apply '$f' --out '$work/out.bin' && cmp -s '$f' '$work/out.bin'"
  v2=${f%.v1.bin}.v2.bin
  check "apply --v2 $(basename "$v2")" bash -c "'$TANDEM' apply --v2 '$v2' > '$work/out2.bin' && cmp -s '$f' '$work/out2.bin'"
done

# --json prints each root as Yjs's toJSON gives it (compared with the fixture's description).
check "apply --json" bash -c "'$TANDEM' apply '$GOLDEN/text_format.v1.bin' --json > '$work/j.json' &&
  node -e '
    const fs = require(\"fs\");
    const got = JSON.parse(fs.readFileSync(process.argv[1], \"utf8\"));
    const want = JSON.parse(fs.readFileSync(process.argv[2], \"utf8\")).roots;
    for (const [name, r] of Object.entries(want)) {
      if (JSON.stringify(got[name]) !== JSON.stringify(r.json)) { console.error(name, got[name], r.json); process.exit(1) }
    }' '$work/j.json' '$GOLDEN/text_format.json'"

# --stream: the same document split into its updates, framed, gives the same state.
check "apply --stream" bash -c "node -e '
    const fs = require(\"fs\");
    const d = JSON.parse(fs.readFileSync(process.argv[1], \"utf8\"));
    const parts = [];
    for (const u of d.updates) {
      const b = Buffer.from(u, \"base64\"); let n = b.length; const len = [];
      do { let x = n & 0x7f; n = Math.floor(n / 128); if (n > 0) x |= 0x80; len.push(x) } while (n > 0);
      parts.push(Buffer.from(len), b);
    }
    fs.writeFileSync(process.argv[2], Buffer.concat(parts));' '$GOLDEN/text_format.json' '$work/stream.bin' &&
  '$TANDEM' apply --stream '$work/stream.bin' --json > '$work/s.json' &&
  '$TANDEM' apply '$GOLDEN/text_format.v1.bin' --json > '$work/d.json' && cmp -s '$work/s.json' '$work/d.json'"

# inspect prints JSON with the state vector, delete set and structs.
check "inspect" bash -c "'$TANDEM' inspect '$GOLDEN/text_format.v1.bin' |
  node -e 'let s=\"\";process.stdin.on(\"data\",d=>s+=d).on(\"end\",()=>{const j=JSON.parse(s);
    if(!j.stateVector||!j.deleteSet||!Array.isArray(j.structs)||j.structs.length===0)process.exit(1)})'"

# A bad update: non-zero exit, one line naming the file and the byte offset, nothing written.
head -c 25 "$GOLDEN/text_format.v1.bin" > "$work/truncated.bin"
check "truncated update rejected" bash -c "! '$TANDEM' apply '$work/truncated.bin' --out '$work/never.bin' 2> '$work/err.txt' &&
  [ \$(wc -l < '$work/err.txt') -eq 1 ] && grep -q 'truncated.bin' '$work/err.txt' && grep -q 'at byte [0-9]' '$work/err.txt' &&
  [ ! -e '$work/never.bin' ]"
printf '\x05\x00\x00\x00' > "$work/bad_frame.bin"
check "bad stream frame rejected" bash -c "! '$TANDEM' apply --stream '$work/bad_frame.bin' 2> '$work/err2.txt' &&
  grep -q 'bad_frame.bin' '$work/err2.txt' && grep -q 'byte' '$work/err2.txt'"
check "inspect of garbage fails" bash -c "! '$TANDEM' inspect '$work/truncated.bin' 2>/dev/null"

echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
