// interop_random: real y-websocket clients (yjs 13.6.33) edit several documents through tandemd
// at random — Y.Text with emoji and other non-BMP text, inserts, deletes, formatting and embeds;
// a Y.Map with JSON, binary and nested types; a Y.XmlFragment with elements, attributes and
// XmlText — with random disconnects and reconnects (offline edits), awareness, frequent
// compaction, documents hibernating between edits (rebuilt at the next one) and documents
// unloaded while nobody is connected. Then, per document:
//   - every client converges: same content, same Y.encodeStateVector, same encodeStateAsUpdate
//     (normalized: see normalizedState in lib.mjs);
//   - the server's export (format=yjs) applied to a fresh Y.Doc gives the same content, state
//     vector and encoded state, and the export's bytes are exactly the clients' normalized state;
//   - every client saw an ack (type 100) whose persisted state vector covers all its own edits;
//   - each client's awareness holds exactly the clients of its own document;
//   - after a restart (SIGTERM, exit 0, start on the same data folder) a fresh client gets the
//     same content, state vector and encoded state, and so does the export;
//   - a large document's initial sync (after a restart) comes split into messages under
//     --max-outgoing-frame-bytes: sync updates, then a sync step 2, which together give the
//     document; a fresh client syncs it.
import {
  parseArgs, main, Server, Client, log, check, waitFor, sleep, rng, content, hex, normalizedState, rawSocket, syncStep1,
  withTimeout, decoding, Y
} from './lib.mjs'
import { randomEdit } from './edits.mjs'
import fs from 'node:fs'
import path from 'node:path'

const opts = parseArgs()
const seconds = Number(opts.seconds ?? 15)
const CLIENT_DOCS = [0, 0, 0, 1, 1, 2] // six clients on three documents
const OUT_CAP = 256 * 1024

await main('interop_random', (seconds + 150) * 1000, async () => {
  log(`seed ${opts.seed} (replay with TANDEM_TEST_SEED=${opts.seed}), ${seconds} s of edits`)
  const r = rng(opts.seed)
  const server = new Server(opts, {
    // Compact often, hibernate documents after 50 ms without an edit and unload idle ones
    // quickly, so that all three happen during the session.
    args: ['--compact-log-entries', '40', '--hibernate-after-s', '0.05', '--idle-unload-s', '0.5',
      '--max-outgoing-frame-bytes', String(OUT_CAP)]
  })
  await server.start()
  const docIds = []
  for (let i = 0; i < 3; i++) docIds.push(await server.createDoc(`random ${i}`))

  const clients = CLIENT_DOCS.map((d, i) => {
    const c = new Client(server, docIds[d], { ack: true, name: `c${i}/doc${d}` })
    c.docIndex = d
    c.edits = 0
    c.reconnects = 0
    c.provider.awareness.setLocalStateField('user', { name: `user ${i} 😀`, color: '#' + (0x100000 + i * 0x2345).toString(16) })
    return c
  })
  for (const c of clients) await c.waitSynced()
  log('all clients synced; editing')

  // --- random editing with disconnects -------------------------------------------------------
  const end = Date.now() + seconds * 1000
  const loadsBefore = (await server.metrics()).get('tandem_document_load_seconds_count')
  // Half way, doc 2's only client goes offline for 1.5 s (and edits on): the document is unloaded
  // (--idle-unload-s 0.5) and loaded again when it comes back.
  const lonely = clients.find(c => c.docIndex === 2)
  const midway = Date.now() + seconds * 500
  let n = 0
  let steps = 0
  while (Date.now() < end) {
    steps++
    if (Date.now() > midway && lonely.offlineUntil === undefined) {
      lonely.disconnect()
      lonely.offlineUntil = Date.now() + 1500
    }
    for (const c of clients) {
      if (c.offlineUntil && Date.now() < c.offlineUntil) {
        if (r.chance(0.6)) { randomEdit(r, c.doc, n++); c.edits++ }
        continue
      }
      if (r.chance(0.6)) {
        randomEdit(r, c.doc, n++)
        c.edits++
      }
      if (r.chance(0.1)) c.provider.awareness.setLocalStateField('cursor', { index: r.int(100) })
      if (c.connected && r.chance(0.015)) {
        c.disconnect()
      } else if (!c.provider.shouldConnect && r.chance(0.08)) {
        c.connect()
        c.reconnects++
      }
    }
    await sleep(5 + r.int(40))
  }
  log(`edit phase over: ${n} edits in ${steps} steps; reconnects ${clients.map(c => c.reconnects).join(',')}`)

  // --- convergence ---------------------------------------------------------------------------
  for (const c of clients) if (!c.provider.shouldConnect) c.connect()
  for (const c of clients) await c.waitSynced(15000)
  for (let d = 0; d < docIds.length; d++) {
    const group = clients.filter(c => c.docIndex === d)
    await waitFor(() => group.every(c => content(c.doc) === content(group[0].doc) &&
      hex(Y.encodeStateVector(c.doc)) === hex(Y.encodeStateVector(group[0].doc))), 20000,
    `clients of doc ${d} converge`).catch(e => { check(false, e.message) })
    for (const c of group.slice(1)) {
      check(content(c.doc) === content(group[0].doc), `${c.name}: content equals ${group[0].name}'s`)
      check(hex(Y.encodeStateVector(c.doc)) === hex(Y.encodeStateVector(group[0].doc)), `${c.name}: state vector equals ${group[0].name}'s`)
      check(normalizedState(c.doc) === normalizedState(group[0].doc), `${c.name}: encodeStateAsUpdate (normalized) equals ${group[0].name}'s`)
      if (hex(Y.encodeStateAsUpdate(c.doc)) !== hex(Y.encodeStateAsUpdate(group[0].doc))) {
        log(`note: ${c.name}'s raw encodeStateAsUpdate differs from ${group[0].name}'s in struct layout only`)
      }
    }
    if (process.env.TANDEM_TEST_DUMP) {
      fs.mkdirSync(process.env.TANDEM_TEST_DUMP, { recursive: true })
      for (const c of group) fs.writeFileSync(path.join(process.env.TANDEM_TEST_DUMP, `${c.name.replace('/', '_')}.bin`), Y.encodeStateAsUpdate(c.doc))
    }
    for (const c of group) {
      check(c.doc.store.pendingStructs === null && c.doc.store.pendingDs === null, `${c.name}: nothing pending`)
    }
  }
  log('clients converged')
  const loadsAfter = (await server.metrics()).get('tandem_document_load_seconds_count')
  check(loadsAfter > loadsBefore, `a document was unloaded while nobody was connected and loaded again (${loadsAfter - loadsBefore} loads during the session)`)

  // --- the server's export -------------------------------------------------------------------
  const expected = []
  for (let d = 0; d < docIds.length; d++) {
    const ref = clients.find(c => c.docIndex === d).doc
    expected[d] = { content: content(ref), sv: hex(Y.encodeStateVector(ref)), state: normalizedState(ref) }
    log(`doc ${d}: text ${ref.getText('text').length} UTF-16 units, map ${ref.getMap('map').size} keys, xml ${ref.getXmlFragment('xml').length} nodes`)
    const raw = await server.req('GET', `/api/docs/${docIds[d]}/export?format=yjs`)
    check(raw.status === 200, `doc ${d}: export?format=yjs answers 200 (got ${raw.status})`)
    const exported = new Y.Doc()
    Y.applyUpdate(exported, new Uint8Array(raw.body))
    check(content(exported) === expected[d].content, `doc ${d}: export?format=yjs has the clients' content`)
    check(hex(Y.encodeStateVector(exported)) === expected[d].sv, `doc ${d}: export has the clients' state vector`)
    check(normalizedState(exported) === expected[d].state, `doc ${d}: export re-encoded equals the clients' encodeStateAsUpdate (normalized)`)
    check(hex(raw.body) === expected[d].state, `doc ${d}: the export's bytes equal the clients' normalized encodeStateAsUpdate`)
  }

  // --- acks ----------------------------------------------------------------------------------
  for (const c of clients) {
    await waitFor(() => c.ackedClock() >= c.ownClock(), 10000, `${c.name}: an ack covers its edits`).catch(e => { check(false, e.message) })
    check(c.acks.length > 0, `${c.name}: received acks`)
    check(c.ackedClock() >= c.ownClock(), `${c.name}: acked clock ${c.ackedClock()} >= own clock ${c.ownClock()} (${c.edits} edits)`)
  }
  log(`acks: ${clients.map(c => `${c.name} ${c.acks.length} acks, clock ${c.ackedClock()}/${c.ownClock()}`).join('; ')}`)

  // --- awareness -----------------------------------------------------------------------------
  // Each client renews its state (a y-protocols client that reconnects keeps its clock, and a
  // state at a clock already seen is ignored — by y-websocket's own server as well).
  for (const c of clients) c.provider.awareness.setLocalStateField('final', true)
  for (const c of clients) {
    const want = clients.filter(o => o.docIndex === c.docIndex).map(o => o.doc.clientID).sort()
    await waitFor(() => JSON.stringify([...c.provider.awareness.getStates().keys()].sort()) === JSON.stringify(want), 10000,
      `${c.name}: awareness holds exactly the clients of its document`).catch(e => { check(false, e.message) })
  }

  const m = await server.metrics()
  log(`server: ${m.get('tandem_updates_committed_total')} updates committed, ${m.get('tandem_compactions_total')} compactions, ` +
    `${m.get('tandem_updates_dropped_total')} dropped (changed nothing), ${m.get('tandem_document_load_seconds_count')} document loads, ` +
    `${m.get('tandem_hibernations_total')} hibernations, ${m.get('tandem_wakes_total')} wakes`)
  check(m.get('tandem_compactions_total') > 0, 'compaction ran during the session')
  check(m.get('tandem_wakes_total') > 0, 'a hibernating document was rebuilt for an edit during the session')
  for (const reason of ['malformed', 'frame_too_big', 'rate_limited', 'slow_consumer', 'storage_failed', 'load_failed']) {
    check((m.get(`tandem_rejections_total{reason="${reason}"}`) ?? 0) === 0, `no rejection "${reason}" for well-behaved clients`)
  }

  // --- restart -------------------------------------------------------------------------------
  for (const c of clients) c.destroy()
  const stopped = await server.stop()
  check(stopped.code === 0, `tandemd exits 0 on SIGTERM (got ${JSON.stringify(stopped)})`)
  await server.start()
  log('restarted')
  for (let d = 0; d < docIds.length; d++) {
    const fresh = new Client(server, docIds[d], { name: `fresh/doc${d}` })
    await fresh.waitSynced()
    check(content(fresh.doc) === expected[d].content, `doc ${d}: a fresh client after the restart has the content`)
    check(hex(Y.encodeStateVector(fresh.doc)) === expected[d].sv, `doc ${d}: a fresh client after the restart has the state vector`)
    check(normalizedState(fresh.doc) === expected[d].state, `doc ${d}: a fresh client after the restart has the encoded state`)
    const exported = await server.exportDoc(docIds[d])
    check(content(exported) === expected[d].content, `doc ${d}: export after the restart has the content`)
    fresh.destroy()
  }

  // --- a large document: its initial sync is split into messages under the cap -----------------
  {
    const bigId = await server.createDoc('big')
    const w = new Client(server, bigId, { ack: true, name: 'big-writer' })
    await w.waitSynced()
    const t = w.doc.getText('text')
    for (let i = 0; i < 120; i++) {
      t.insert(t.length, `chunk ${i} ` + '😀abc𝄞 '.repeat(1200) + '\n', i % 3 ? undefined : { bold: true })
      if (i % 20 === 19) await sleep(20)
    }
    w.doc.getMap('map').set('big', 'x'.repeat(100000)) // one struct: under the cap, as it cannot be cut
    await waitFor(() => w.ackedClock() >= w.ownClock(), 20000, 'big document acked')
    const want = content(w.doc)
    log(`big document: ${(Y.encodeStateAsUpdate(w.doc).length / 1e6).toFixed(1)} MB`)
    w.destroy()
    await server.stop()
    await server.start() // loaded from storage for the next client
    const sock = rawSocket(`${server.wsBase}/${bigId}`)
    await withTimeout(sock.opened, 5000, 'raw client of the big document: open')
    sock.ws.send(syncStep1(), { binary: true })
    await waitFor(() => sock.messages.some(m => m.data[0] === 0 && m.data[1] === 1), 20000, 'the sync step 2 of the big document').catch(e => check(false, e.message))
    const parts = sock.messages.filter(m => m.data[0] === 0 && (m.data[1] === 1 || m.data[1] === 2))
    const last = parts[parts.length - 1]
    check(parts.length >= 3, `the initial sync of the big document comes in several messages (${parts.length}, cap ${OUT_CAP} bytes)`)
    check(parts.every(m => m.data.length <= OUT_CAP), `each message is at most --max-outgoing-frame-bytes ${OUT_CAP} (largest ${Math.max(...parts.map(m => m.data.length))})`)
    check(parts.slice(0, -1).every(m => m.data[1] === 2) && last?.data[1] === 1, 'all parts but the last are sync updates, the last a sync step 2')
    const rebuilt = new Y.Doc()
    for (const m of parts) {
      const dec = decoding.createDecoder(m.data)
      decoding.readVarUint(dec); decoding.readVarUint(dec)
      Y.applyUpdate(rebuilt, decoding.readVarUint8Array(dec))
    }
    check(content(rebuilt) === want, 'the parts applied in order give the document')
    check(rebuilt.store.pendingStructs === null, 'nothing is left pending after the last part')
    sock.ws.close()
    const fresh = new Client(server, bigId, { name: 'big-fresh' })
    await fresh.waitSynced(20000)
    check(content(fresh.doc) === want, 'a fresh y-websocket client syncs the big document')
    fresh.destroy()
  }
})
