#!/usr/bin/env node
// Protocol fixture generator: the y-websocket messages, awareness updates and awareness relay
// of real y-protocols 1.0.7 (with yjs 13.6.33 and lib0 0.2.120), written to
// tests/fixtures/protocol/ for src/protocol's tests to match byte for byte, plus the documents
// whose initial sync the split test cuts (format: tests/fixtures/protocol/README.md).
// Deterministic: fixed client ids and a seeded PRNG. Run: cd tests/interop && node gen_protocol_fixtures.mjs
// (--out DIR writes elsewhere; the interop_protocol_fixtures_uptodate test uses it).

import * as Y from 'yjs'
import * as encoding from 'lib0/encoding'
import * as decoding from 'lib0/decoding'
import * as syncProtocol from 'y-protocols/sync'
import * as authProtocol from 'y-protocols/auth'
import * as awarenessProtocol from 'y-protocols/awareness'
import fs from 'node:fs'
import path from 'node:path'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { Rng, YJS_VERSION, LIB0_VERSION } from './common.mjs'

const require = createRequire(import.meta.url)
const Y_PROTOCOLS_VERSION = require('y-protocols/package.json').version
const HERE = path.dirname(fileURLToPath(import.meta.url))
const outArg = process.argv.indexOf('--out')
const OUT = outArg > 0 ? path.resolve(process.argv[outArg + 1]) : path.resolve(HERE, '../fixtures/protocol')

// y-websocket's outer message types, and Tandem's ack (docs/wire.md).
const messageSync = 0
const messageAwareness = 1
const messageAuth = 2
const messageQueryAwareness = 3
const messageAck = 100

const hex = (u8) => Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength).toString('hex')
const message = (write) => {
  const encoder = encoding.createEncoder()
  write(encoder)
  return encoding.toUint8Array(encoder)
}
const header = () => ({
  generator: 'tests/interop/gen_protocol_fixtures.mjs',
  yjs: YJS_VERSION,
  'y-protocols': Y_PROTOCOLS_VERSION,
  lib0: LIB0_VERSION
})
const mkDoc = (clientID) => {
  const doc = new Y.Doc()
  doc.clientID = clientID
  return doc
}

// ---------------------------------------------------------------------------------------------
// messages.json: one message of each kind, as y-websocket's provider and server write them
// ---------------------------------------------------------------------------------------------

const genMessages = () => {
  const doc = mkDoc(7)
  doc.getText('text').insert(0, 'hello 👋 wörld')
  doc.getMap('map').set('k', [1, 'two', { three: 3 }])
  const big = mkDoc(2 ** 53 - 1)  // the largest client id, as a 53-bit id
  big.getText('text').insert(0, 'x'.repeat(200))  // an update over 127 bytes: 2-byte length
  const huge = mkDoc(1234567)
  huge.getText('text').insert(0, 'y'.repeat(20000))  // over 16383 bytes: 3-byte length

  const out = []
  const add = (name, kind, payload, bytes) => out.push({ name, kind, payload: hex(payload), bytes: hex(bytes) })
  const emptySv = Y.encodeStateVector(new Y.Doc())
  const sv = Y.encodeStateVector(doc)
  const bigSv = Y.encodeStateVector(big)

  // y-websocket: encoding.writeVarUint(encoder, messageSync); syncProtocol.writeSyncStep1(encoder, doc)
  add('sync_step1_empty', 'sync_step1', emptySv, message(e => { encoding.writeVarUint(e, messageSync); syncProtocol.writeSyncStep1(e, new Y.Doc()) }))
  add('sync_step1', 'sync_step1', sv, message(e => { encoding.writeVarUint(e, messageSync); syncProtocol.writeSyncStep1(e, doc) }))
  add('sync_step1_53bit_client', 'sync_step1', bigSv, message(e => { encoding.writeVarUint(e, messageSync); syncProtocol.writeSyncStep1(e, big) }))
  // the server's answer to a step 1: writeSyncStep2 against the client's state vector
  add('sync_step2', 'sync_step2', Y.encodeStateAsUpdate(doc, emptySv),
    message(e => { encoding.writeVarUint(e, messageSync); syncProtocol.writeSyncStep2(e, doc, emptySv) }))
  add('sync_step2_nothing_missing', 'sync_step2', Y.encodeStateAsUpdate(doc, sv),
    message(e => { encoding.writeVarUint(e, messageSync); syncProtocol.writeSyncStep2(e, doc, sv) }))
  add('sync_step2_2byte_length', 'sync_step2', Y.encodeStateAsUpdate(big),
    message(e => { encoding.writeVarUint(e, messageSync); syncProtocol.writeSyncStep2(e, big) }))
  add('sync_step2_3byte_length', 'sync_step2', Y.encodeStateAsUpdate(huge),
    message(e => { encoding.writeVarUint(e, messageSync); syncProtocol.writeSyncStep2(e, huge) }))
  // an edit as the provider sends it from doc.on('update')
  let edit = null
  doc.once('update', (u) => { edit = u })
  doc.getText('text').insert(5, ', 世界')
  add('sync_update', 'sync_update', edit, message(e => { encoding.writeVarUint(e, messageSync); syncProtocol.writeUpdate(e, edit) }))

  const awareness = new awarenessProtocol.Awareness(mkDoc(42))
  awareness.setLocalState({ user: { name: 'Ana', color: '#30bced' }, cursor: null })
  const au = awarenessProtocol.encodeAwarenessUpdate(awareness, [42])
  add('awareness', 'awareness', au, message(e => { encoding.writeVarUint(e, messageAwareness); encoding.writeVarUint8Array(e, au) }))
  awareness.destroy()

  add('query_awareness', 'query_awareness', new Uint8Array(), message(e => encoding.writeVarUint(e, messageQueryAwareness)))
  for (const [name, reason] of [['auth_denied', 'read-only document'], ['auth_denied_unicode', 'accès refusé 🔒'], ['auth_denied_empty', '']]) {
    add(name, 'auth_denied', new TextEncoder().encode(reason),
      message(e => { encoding.writeVarUint(e, messageAuth); authProtocol.writePermissionDenied(e, reason) }))
  }
  // Tandem's ack, as a client reads it: readVarUint8Array after the type (docs/wire.md)
  add('ack', 'ack', sv, message(e => { encoding.writeVarUint(e, messageAck); encoding.writeVarUint8Array(e, sv) }))
  add('ack_empty', 'ack', emptySv, message(e => { encoding.writeVarUint(e, messageAck); encoding.writeVarUint8Array(e, emptySv) }))
  return { ...header(), messages: out }
}

// ---------------------------------------------------------------------------------------------
// awareness.json: updates written by y-protocols' Awareness (encodeAwarenessUpdate)
// ---------------------------------------------------------------------------------------------

// what applyAwarenessUpdate reads, with the JSON text it parses
const decodeEntries = (update) => {
  const d = decoding.createDecoder(update)
  const entries = []
  const n = decoding.readVarUint(d)
  for (let i = 0; i < n; i++) {
    entries.push({ client: decoding.readVarUint(d), clock: decoding.readVarUint(d), state: decoding.readVarString(d) })
  }
  return entries
}

const genAwareness = () => {
  const updates = []
  const add = (name, update) => updates.push({ name, update: hex(update), entries: decodeEntries(update) })
  const a = new awarenessProtocol.Awareness(mkDoc(101))
  add('initial_empty_state', awarenessProtocol.encodeAwarenessUpdate(a, [101]))  // {} at clock 0
  a.setLocalStateField('user', { name: 'Ana', color: '#30bced' })
  add('user', awarenessProtocol.encodeAwarenessUpdate(a, [101]))
  a.setLocalStateField('cursor', { anchor: { type: { client: 5, clock: 0 }, tname: null, item: { client: 5, clock: 17 }, assoc: 0 }, head: null })
  add('cursor', awarenessProtocol.encodeAwarenessUpdate(a, [101]))
  const b = new awarenessProtocol.Awareness(mkDoc(2 ** 53 - 1))
  b.setLocalState({ user: { name: 'Zoë 🦊 "quoted" \\ back\nslash', color: '#ee6352' }, n: [1.5, -0, 1e21, true, null] })
  add('unicode_and_escapes_53bit_client', awarenessProtocol.encodeAwarenessUpdate(b, [2 ** 53 - 1]))
  awarenessProtocol.applyAwarenessUpdate(a, awarenessProtocol.encodeAwarenessUpdate(b, [2 ** 53 - 1]), 'remote')
  add('two_clients', awarenessProtocol.encodeAwarenessUpdate(a, [101, 2 ** 53 - 1]))
  a.setLocalState(null)  // what a provider sends on unload (removeAwarenessStates of itself)
  add('removed', awarenessProtocol.encodeAwarenessUpdate(a, [101]))
  add('no_entries', awarenessProtocol.encodeAwarenessUpdate(a, []))
  a.destroy()
  b.destroy()
  return { ...header(), updates }
}

// ---------------------------------------------------------------------------------------------
// awareness_room.json: a room relayed as y-websocket's server does it (bin/utils.js,
// WSSharedDoc: a y-protocols Awareness, an 'update' handler that broadcasts
// encodeAwarenessUpdate(awareness, added.concat(updated, removed)) and tracks the ids each
// connection added, removeAwarenessStates on close). One deliberate difference, Tandem's: on
// close the removal is sent at clock+1 (docs/wire.md, "Awareness").
// ---------------------------------------------------------------------------------------------

class YWebsocketRoom {
  constructor () {
    this.awareness = new awarenessProtocol.Awareness(mkDoc(999))
    this.awareness.setLocalState(null)  // the server has no state of its own
    this.conns = new Map()
    this.out = null
    this.awareness.on('update', ({ added, updated, removed }, conn) => {
      const changed = added.concat(updated, removed)
      const ids = this.conns.get(conn)
      if (ids !== undefined) {
        added.forEach(id => ids.add(id))
        removed.forEach(id => ids.delete(id))
      }
      this.out = message(e => {
        encoding.writeVarUint(e, messageAwareness)
        encoding.writeVarUint8Array(e, awarenessProtocol.encodeAwarenessUpdate(this.awareness, changed))
      })
    })
  }

  apply (conn, update) {
    if (!this.conns.has(conn)) this.conns.set(conn, new Set())
    this.out = null
    awarenessProtocol.applyAwarenessUpdate(this.awareness, update, conn)
    return this.out
  }

  join () {
    const ids = Array.from(this.awareness.getStates().keys())
    if (ids.length === 0) return null
    return message(e => {
      encoding.writeVarUint(e, messageAwareness)
      encoding.writeVarUint8Array(e, awarenessProtocol.encodeAwarenessUpdate(this.awareness, ids))
    })
  }

  close (conn) {
    const ids = Array.from(this.conns.get(conn) || [])
    this.conns.delete(conn)
    for (const id of ids) {
      if (this.awareness.states.has(id)) this.awareness.meta.get(id).clock++  // Tandem: clock+1
    }
    this.out = null
    awarenessProtocol.removeAwarenessStates(this.awareness, ids, null)
    return this.out
  }

  destroy () { this.awareness.destroy() }
}

const genAwarenessRoom = () => {
  const room = new YWebsocketRoom()
  const steps = []
  const apply = (note, conn, update) => {
    steps.push({ op: 'apply', note, conn, update: hex(update), broadcast: hex(room.apply(conn, update) || new Uint8Array()) })
  }
  const join = (note) => steps.push({ op: 'join', note, broadcast: hex(room.join() || new Uint8Array()) })
  const close = (note, conn) => steps.push({ op: 'close', note, conn, broadcast: hex(room.close(conn) || new Uint8Array()) })
  const enc = (aw, ids) => awarenessProtocol.encodeAwarenessUpdate(aw, ids)

  const ana = new awarenessProtocol.Awareness(mkDoc(101))
  const ben = new awarenessProtocol.Awareness(mkDoc(202))
  const tool = new awarenessProtocol.Awareness(mkDoc(303))
  const toolPeer = new awarenessProtocol.Awareness(mkDoc(304))

  join('an empty room')
  apply('a state at clock 0 is older than nothing (y-protocols: 0 < 0 fails)', 1, enc(ana, [101]))
  ana.setLocalStateField('user', { name: 'Ana', color: '#30bced' })
  apply('Ana joins', 1, enc(ana, [101]))
  ben.setLocalStateField('user', { name: 'Ben', color: '#6eeb83' })
  apply('Ben joins', 2, enc(ben, [202]))
  join('a newcomer gets both')
  ana.setLocalStateField('cursor', { anchor: 3, head: 5 })
  apply('Ana moves', 1, enc(ana, [101]))
  apply('the same clock again changes nothing', 1, enc(ana, [101]))
  awarenessProtocol.applyAwarenessUpdate(ben, enc(ana, [101]), 'server')
  awarenessProtocol.removeAwarenessStates(ben, [101], 'timeout')  // Ben's provider timed Ana out
  apply('Ben marks Ana offline (equal clock, null)', 2, enc(ben, [101]))
  ana.setLocalState(ana.getLocalState())  // Ana's 15 s renewal
  apply('Ana renews and is back', 1, enc(ana, [101]))
  tool.setLocalState({ bot: 'indexer' })
  toolPeer.setLocalState({ bot: 'indexer-2' })
  awarenessProtocol.applyAwarenessUpdate(tool, enc(toolPeer, [304]), 'peer')
  apply('one connection speaks for two clients', 3, enc(tool, [303, 304]))
  const stranger = new awarenessProtocol.Awareness(mkDoc(777))
  for (let i = 0; i < 4; i++) stranger.setLocalState({ i })
  stranger.setLocalState(null)
  apply('a null for a client the room does not know', 3, enc(stranger, [777]))
  close('Ben leaves: removed at clock+1', 2)
  close('Ana leaves', 1)
  join('a newcomer gets the two bots')
  toolPeer.setLocalState(null)
  apply('the tool removes one of its clients', 3, enc(toolPeer, [304]))
  close('the tool leaves', 3)
  join('empty again')
  for (const aw of [ana, ben, tool, toolPeer, stranger]) aw.destroy()
  room.destroy()
  return { ...header(), steps }
}

// ---------------------------------------------------------------------------------------------
// split_inputs.json: documents whose initial sync is large, for split_sync_step2
// ---------------------------------------------------------------------------------------------

const WORDS = ['lorem', 'ipsum', 'dolor', 'sit', 'amet', 'größe', 'naïve', '世界', '😀', '👩‍👩‍👧', 'x']

const longText = (rng) => {
  const doc = mkDoc(11)
  const text = doc.getText('text')
  while (text.length < 24000) text.insert(text.length, rng.pick(WORDS) + ' ')
  text.format(10, 20, { bold: true })
  text.insertEmbed(500, { image: 'a.png' })
  return doc
}

const session = (rng) => {
  const docs = [mkDoc(21), mkDoc(22), mkDoc(23)]
  for (let round = 0; round < 60; round++) {
    const doc = rng.pick(docs)
    const text = doc.getText('text')
    const op = rng.int(0, 5)
    if (op <= 1 || text.length < 5) text.insert(rng.int(0, text.length), rng.pick(WORDS).repeat(rng.int(1, 30)))
    else if (op === 2) text.delete(rng.int(0, text.length - 3), rng.int(1, 3))
    else if (op === 3) doc.getMap('map').set(rng.pick(['a', 'b', 'c']), { n: rng.int(0, 99), s: rng.pick(WORDS) })
    else if (op === 4) doc.getArray('array').insert(0, [rng.int(0, 9), rng.pick(WORDS)])
    else {
      const p = new Y.XmlElement('p')
      p.insert(0, [new Y.XmlText(rng.pick(WORDS))])
      doc.getXmlFragment('xml').insert(0, [p])
    }
    if (rng.bool(0.3)) {
      for (const a of docs) for (const b of docs) if (a !== b) Y.applyUpdate(b, Y.encodeStateAsUpdate(a, Y.encodeStateVector(b)))
    }
  }
  for (const a of docs) for (const b of docs) if (a !== b) Y.applyUpdate(b, Y.encodeStateAsUpdate(a, Y.encodeStateVector(b)))
  return docs[0]
}

const arraysAndBinary = (rng) => {
  const doc = mkDoc(31)
  const values = []
  for (let i = 0; i < 3000; i++) values.push(rng.bool() ? rng.int(0, 1e6) : rng.pick(WORDS))
  doc.getArray('array').insert(0, values)  // one item of 3000 elements
  const bin = new Uint8Array(2000)
  for (let i = 0; i < bin.length; i++) bin[i] = rng.int(0, 255)
  doc.getArray('array').insert(1500, [bin])  // cannot be cut: over a 1 KiB cap alone
  doc.getMap('map').set('long', 'z'.repeat(1500))  // one Any element: cannot be cut either
  return doc
}

const fragmentedDeletes = () => {
  const doc = mkDoc(41)
  const text = doc.getText('text')
  text.insert(0, 'ab'.repeat(3000))
  for (let i = 3000; i > 0; i--) text.delete(2 * i - 1, 1)  // every other character
  return doc
}

const manyClients = (rng) => {
  const doc = mkDoc(50)
  for (let c = 0; c < 300; c++) {
    const peer = mkDoc(1000 + c * 7919)
    Y.applyUpdate(peer, Y.encodeStateAsUpdate(doc))
    const text = peer.getText('text')
    text.insert(rng.int(0, text.length), rng.pick(WORDS) + ' ')
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(peer, Y.encodeStateVector(doc)))
  }
  return doc
}

const genSplitInputs = () => {
  const rng = new Rng(20240607)
  const inputs = []
  const add = (name, description, doc, roots, caps) => {
    inputs.push({ name, description, roots, caps, update: hex(Y.encodeStateAsUpdate(doc)) })
  }
  add('long_text', 'one client typed 24k UTF-16 units (one merged item) with emoji, CJK, a format and an embed',
    longText(rng), { text: 'text' }, [256, 1024, 8192])
  add('session', 'three clients editing text, map, array and XML, synced at random',
    session(rng), { text: 'text', map: 'map', array: 'array', xml: 'xml' }, [256, 1024])
  add('arrays_and_binary', 'an array item of 3000 values, a 2000-byte binary and a 1500-character map value',
    arraysAndBinary(rng), { array: 'array', map: 'map' }, [256, 1024, 4096])
  add('fragmented_deletes', 'every other character deleted: a delete set of 3000 ranges',
    fragmentedDeletes(), { text: 'text' }, [256, 1024])
  add('many_clients', '300 clients, one word each', manyClients(rng), { text: 'text' }, [256, 2048])
  return { ...header(), inputs }
}

// ---------------------------------------------------------------------------------------------

const README = `# Protocol fixtures (real y-protocols ${Y_PROTOCOLS_VERSION} output)

Written by \`tests/interop/gen_protocol_fixtures.mjs\` with the pinned npm packages (yjs ${YJS_VERSION},
y-protocols ${Y_PROTOCOLS_VERSION}, lib0 ${LIB0_VERSION}); do not edit by hand. Regenerate with
\`cd tests/interop && node gen_protocol_fixtures.mjs\`; the CTest test \`interop_protocol_fixtures_uptodate\`
fails when these files differ from what the generator writes. Bytes are lowercase hex.

| file | content | read by |
| --- | --- | --- |
| \`messages.json\` | \`messages[]\`: \`{ name, kind, payload, bytes }\`, one y-websocket message of each kind (and Tandem's ack) as y-protocols writes it | \`src/protocol/messages_test.cc\` |
| \`awareness.json\` | \`updates[]\`: \`{ name, update, entries[] }\`, awareness updates from y-protocols' \`Awareness\` and the \`{ client, clock, state }\` entries they hold | \`src/protocol/awareness_test.cc\` |
| \`awareness_room.json\` | \`steps[]\`: \`{ op: apply/join/close, note, conn, update, broadcast }\`, a room relayed as y-websocket's server relays it (with Tandem's clock+1 on close) | \`src/protocol/awareness_room_test.cc\` |
| \`split_inputs.json\` | \`inputs[]\`: \`{ name, description, roots, caps, update }\`, documents whose initial sync \`split_sync_step2\` cuts at each cap | \`src/protocol/sync_split_test.cc\`, \`interop_protocol_split\` (parts applied by real Yjs) |
`

const write = (name, data) => fs.writeFileSync(path.join(OUT, name), typeof data === 'string' ? data : JSON.stringify(data, null, 1) + '\n')
fs.mkdirSync(OUT, { recursive: true })
write('README.md', README)
write('messages.json', genMessages())
write('awareness.json', genAwareness())
write('awareness_room.json', genAwarenessRoom())
write('split_inputs.json', genSplitInputs())
console.log('wrote protocol fixtures to ' + OUT)
