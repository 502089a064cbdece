#!/usr/bin/env node
// The Node half of the interop_protocol_split test: applies the messages protocol_split_tool
// wrote (Tandem's split_sync_step2) to a fresh Y.Doc as the y-websocket provider does
// (readSyncMessage), and checks that every message is a sync update but the last, a sync step 2,
// that each stays under its cap unless it holds a single struct, and that the document equals
// the one the whole update gives: content of every root, state vector, encoded state, nothing
// pending.
//
//   node verify_protocol_split.mjs INPUTS.json PARTS.json

import * as Y from 'yjs'
import * as encoding from 'lib0/encoding'
import * as decoding from 'lib0/decoding'
import * as syncProtocol from 'y-protocols/sync'
import fs from 'node:fs'

const [inputsPath, partsPath] = process.argv.slice(2)
const inputs = new Map(JSON.parse(fs.readFileSync(inputsPath, 'utf8')).inputs.map(i => [i.name, i]))
const { splits } = JSON.parse(fs.readFileSync(partsPath, 'utf8'))
const fromHex = (h) => new Uint8Array(Buffer.from(h, 'hex'))
const GETTERS = { text: 'getText', map: 'getMap', array: 'getArray', xml: 'getXmlFragment' }
const bytesEqual = (a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0
const content = (doc, roots) => JSON.stringify(Object.entries(roots).map(([name, kind]) => doc[GETTERS[kind]](name).toJSON()))

let failures = 0
const fail = (what) => { failures++; console.error('FAIL ' + what) }

for (const { name, cap, messages } of splits) {
  const input = inputs.get(name)
  const where = `${name} at ${cap} bytes`
  const whole = new Y.Doc()
  Y.applyUpdate(whole, fromHex(input.update))
  const doc = new Y.Doc()
  let synced = false
  messages.forEach((hex, i) => {
    const bytes = fromHex(hex)
    const decoder = decoding.createDecoder(bytes)
    if (decoding.readVarUint(decoder) !== 0) return fail(`${where}: message ${i} is not a sync message`)
    const reply = encoding.createEncoder()
    let error = null
    const type = syncProtocol.readSyncMessage(decoder, reply, doc, 'server', (e) => { error = e })
    if (error) fail(`${where}: message ${i}: ${error}`)
    if (decoding.hasContent(decoder)) fail(`${where}: message ${i} has trailing bytes`)
    const last = i === messages.length - 1
    if (type !== (last ? syncProtocol.messageYjsSyncStep2 : syncProtocol.messageYjsUpdate)) {
      fail(`${where}: message ${i} of ${messages.length} has sync type ${type}`)
    }
    if (type === syncProtocol.messageYjsSyncStep2) synced = true
    if (bytes.length > cap) {
      const update = decoding.readVarUint8Array(decoding.createDecoder(bytes.subarray(2)))
      const { structs, ds } = Y.decodeUpdate(update)
      if (structs.length !== 1 || ds.clients.size !== 0) fail(`${where}: message ${i} of ${bytes.length} bytes holds ${structs.length} structs`)
    }
  })
  if (!synced) fail(`${where}: never synced`)
  if (doc.store.pendingStructs !== null || doc.store.pendingDs !== null) fail(`${where}: left pending structs or deletes`)
  if (content(doc, input.roots) !== content(whole, input.roots)) fail(`${where}: content differs`)
  if (!bytesEqual(Y.encodeStateVector(doc), Y.encodeStateVector(whole))) fail(`${where}: state vectors differ`)
  if (!bytesEqual(Y.encodeStateAsUpdate(doc), Y.encodeStateAsUpdate(whole))) fail(`${where}: encoded states differ`)
  console.log(`${where}: ${messages.length} messages, largest ${Math.max(...messages.map(m => m.length / 2))} bytes`)
}
if (splits.length === 0) fail('no splits to check')
console.log(failures === 0 ? `all ${splits.length} splits rebuild the document in Yjs` : `${failures} failures`)
process.exit(failures === 0 ? 0 : 1)
