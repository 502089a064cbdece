#!/usr/bin/env node
// Reference implementation of the crdt_session_runner contract (SESSIONS.md), in JS on real Yjs.
// It replays a sessions JSONL using only what the file records and checks every expectation, exactly
// as the C++ runner must. Against Yjs itself it must always pass: it proves that the format holds
// everything needed to replay (no hidden generator state) and that the expectations are
// reproducible. It is also a readable spec for the C++ runner.
//
//   node replay_sessions.mjs FILE.jsonl [FILE2.jsonl ...]     (FILE may be - for stdin)
//
// Exit 0 when every session matched, 1 on the first mismatch (printed with seed/index), 2 on usage.

import * as Y from 'yjs'
import fs from 'node:fs'
import readline from 'node:readline'
import { b64, fromB64, canonical, bytesEqual } from './common.mjs'
import { FORMAT, REMOTE, ROOTS, getRoot, applyLocalOp, snapshot, freshDoc } from './gen_sessions.mjs'

class Mismatch extends Error {}

const SNAPSHOT_FIELDS = ['json', 'delta', 'sv', 'ds', 'state', 'stateV2', 'pending']

const compareSnapshot = (what, expected, actual) => {
  for (const k of SNAPSHOT_FIELDS) {
    if (canonical(expected[k]) !== canonical(actual[k])) {
      throw new Mismatch(`${what}: field "${k}" differs\n  expected: ${canonical(expected[k])}\n  actual:   ${canonical(actual[k])}`)
    }
  }
}

export const replaySession = (s) => {
  if (s.format !== FORMAT) throw new Mismatch(`unknown format ${s.format}`)
  const emitted = [] // updates emitted by the current op, across all peers, in order
  const docs = s.peers.map((clientId, i) => {
    const doc = new Y.Doc({ gc: s.gc, guid: 'replay-' + i })
    doc.clientID = clientId
    for (const root of ROOTS) getRoot(doc, root)
    doc.on('update', (update, origin) => { if (origin !== REMOTE) emitted.push({ peer: i, v1: update, v2: null }) })
    doc.on('updateV2', (update, origin) => { if (origin !== REMOTE) emitted[emitted.length - 1].v2 = update })
    return doc
  })
  const updates = s.updates.map(u => ({ peer: u.peer, v1: fromB64(u.v1), v2: fromB64(u.v2) }))
  s.ops.forEach((op, n) => {
    const where = `op ${n} (${op.op})`
    emitted.length = 0
    switch (op.op) {
      case 'deliver':
        Y.applyUpdate(docs[op.to], updates[op.update].v1, REMOTE)
        break
      case 'sync': {
        const a = docs[op.a]
        const b = docs[op.b]
        const toA = Y.encodeStateAsUpdate(b, Y.encodeStateVector(a))
        const toB = Y.encodeStateAsUpdate(a, Y.encodeStateVector(b))
        if (b64(toA) !== op.toA) throw new Mismatch(`${where}: encodeStateAsUpdate(peer ${op.b}, sv(peer ${op.a})) differs\n  expected: ${op.toA}\n  actual:   ${b64(toA)}`)
        if (b64(toB) !== op.toB) throw new Mismatch(`${where}: encodeStateAsUpdate(peer ${op.a}, sv(peer ${op.b})) differs\n  expected: ${op.toB}\n  actual:   ${b64(toB)}`)
        Y.applyUpdate(a, fromB64(op.toA), REMOTE)
        Y.applyUpdate(b, fromB64(op.toB), REMOTE)
        break
      }
      case 'disconnect':
      case 'reconnect':
        break
      case 'check':
        compareSnapshot(`${where} peer ${op.peer}`, op.expect, snapshot(docs[op.peer]))
        break
      default:
        applyLocalOp(docs[op.peer], op)
    }
    const expected = op.emits || []
    if (emitted.length !== expected.length) {
      throw new Mismatch(`${where}: emitted ${emitted.length} updates, expected ${expected.length} (${JSON.stringify(expected)})`)
    }
    expected.forEach((k, j) => {
      const u = updates[k]
      const e = emitted[j]
      if (e.peer !== u.peer) throw new Mismatch(`${where}: update ${k} emitted by peer ${e.peer}, expected peer ${u.peer}`)
      if (!bytesEqual(e.v1, u.v1)) throw new Mismatch(`${where}: update ${k} (v1) differs\n  expected: ${b64(u.v1)}\n  actual:   ${b64(e.v1)}`)
      if (!bytesEqual(e.v2, u.v2)) throw new Mismatch(`${where}: update ${k} (v2) differs\n  expected: ${b64(u.v2)}\n  actual:   ${b64(e.v2)}`)
    })
  })
  docs.forEach((doc, i) => compareSnapshot(`final peer ${i}`, s.final[i], snapshot(doc)))
  const merged = Y.mergeUpdates(updates.map(u => u.v1))
  if (b64(merged) !== s.merged.v1) throw new Mismatch(`mergeUpdates(all v1 updates) differs\n  expected: ${s.merged.v1}\n  actual:   ${b64(merged)}`)
  const mergedV2 = Y.mergeUpdatesV2(updates.map(u => u.v2))
  if (b64(mergedV2) !== s.merged.v2) throw new Mismatch(`mergeUpdatesV2(all v2 updates) differs\n  expected: ${s.merged.v2}\n  actual:   ${b64(mergedV2)}`)
  const fresh = freshDoc(s.merged.clientId)
  const freshEmits = []
  fresh.on('update', (u, origin) => { if (origin !== REMOTE) freshEmits.push(b64(u)) })
  Y.applyUpdate(fresh, fromB64(s.merged.v1), REMOTE)
  if (canonical(freshEmits) !== canonical(s.merged.emits)) {
    throw new Mismatch(`doc rebuilt from merged.v1: emitted updates differ\n  expected: ${canonical(s.merged.emits)}\n  actual:   ${canonical(freshEmits)}`)
  }
  compareSnapshot('doc rebuilt from merged.v1', s.merged.expect, snapshot(fresh))
  fresh.destroy()
  docs.forEach(d => d.destroy())
}

const main = async () => {
  const files = process.argv.slice(2)
  if (files.length === 0) {
    console.error('usage: node replay_sessions.mjs FILE.jsonl [...]')
    process.exit(2)
  }
  let total = 0
  for (const file of files) {
    const input = file === '-' ? process.stdin : fs.createReadStream(file)
    const rl = readline.createInterface({ input, crlfDelay: Infinity })
    let lineNo = 0
    for await (const line of rl) {
      lineNo++
      if (line.trim() === '') continue
      const s = JSON.parse(line)
      try {
        replaySession(s)
      } catch (e) {
        const id = `${file}:${lineNo}: seed ${s.seed} session ${s.index}`
        if (e instanceof Mismatch) {
          console.error(`MISMATCH ${id}\n${e.message}`)
        } else {
          console.error(`ERROR ${id}\n${e.stack || e}`)
        }
        console.log(`replay: ${total} passed, 1 failed`)
        process.exit(1)
      }
      total++
    }
  }
  console.log(`replay: ${total} passed, 0 failed`)
}

main()
