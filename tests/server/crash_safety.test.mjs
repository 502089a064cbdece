// crash_safety: y-websocket clients with ?ack=1 make a stream of edits (text, map and XML, on two
// documents) while tandemd is killed with SIGKILL at random moments, five times, with
// --compact-log-entries 20 so that compaction runs all the time (some kills land during one).
// After each restart, before any old client reconnects (a client would resend what was lost and
// hide the loss), the server's export and a fresh client must hold everything each client saw
// acknowledged: for every client, its document as it was right after its last edit covered by an
// ack (the persisted state vector's entry for its client id) — its own edits up to that clock,
// its deletions before it, and everything it had received from the server (relayed only after
// commit). Nothing acknowledged is lost. Then the old clients reconnect, resend what was not
// acknowledged, and all converge with the server.
// Phase 2 (ackAfterJoin): an ack client joining while a stock client's edits are still being
// committed gets an ack covering its own edit only once that edit is committed.
// Phase 3 (exportedThenKilled): an edit the export has shown survives kill -9.
import {
  parseArgs, main, Server, Client, log, check, waitFor, sleep, rng, content, missingFromSnapshot, httpRequest, Y
} from './lib.mjs'
import { randomEdit } from './edits.mjs'

const opts = parseArgs()
const KILLS = Number(opts.kills ?? 5)
const CLIENT_DOCS = [0, 0, 1]

await main('crash_safety', 280000, async () => {
  log(`seed ${opts.seed} (replay with TANDEM_TEST_SEED=${opts.seed}), ${KILLS} kills`)
  const r = rng(opts.seed)
  const server = new Server(opts, { args: ['--compact-log-entries', '20'] })
  await server.start()
  const docIds = [await server.createDoc('crash 0'), await server.createDoc('crash 1')]

  function track (c) {
    // After each own edit that advanced the client's clock: (clock, snapshot of the document).
    c.records = []
    c.doc.on('afterTransaction', (tr) => {
      if (!tr.local) return
      const clock = c.ownClock()
      const last = c.records[c.records.length - 1]
      if (!last || last.clock < clock) c.records.push({ clock, snap: Y.snapshot(c.doc) })
    })
  }
  function attach (i, doc) {
    const c = new Client(server, docIds[CLIENT_DOCS[i]], { ack: true, name: `c${i}`, doc })
    c.docIndex = CLIENT_DOCS[i]
    return c
  }
  let clients = CLIENT_DOCS.map((_, i) => attach(i))
  clients.forEach(track)
  for (const c of clients) await c.waitSynced()

  let n = 0
  let totalLostChecks = 0
  const compactionsAtKill = []
  for (let round = 0; round <= KILLS; round++) {
    // --- edit, then kill -9 at a random moment -------------------------------------------------
    // The kill lands while the clients keep editing: some edits are in flight, some committed
    // but not yet acked.
    const editMs = 300 + r.int(2500)
    let editing = true
    const editLoop = (async () => {
      while (editing) {
        for (const c of clients) if (r.chance(0.7)) randomEdit(r, c.doc, n++)
        await sleep(r.int(8))
      }
    })()
    await sleep(editMs - 200)
    let compactions = null
    try { compactions = (await server.metrics()).get('tandem_compactions_total') } catch {}
    if (round === KILLS) {
      await sleep(200)
      editing = false
      await editLoop
      break
    }
    await sleep(r.int(200))
    await server.kill()
    editing = false
    await editLoop
    for (const c of clients) c.disconnect() // no resend before the check
    compactionsAtKill.push(compactions)
    // What each client saw acknowledged.
    const required = clients.map(c => {
      const acked = c.ackedClock()
      let rec = null
      for (const x of c.records) if (x.clock <= acked) rec = x
      return { c, acked, own: c.ownClock(), rec }
    })
    log(`round ${round}: killed after ${editMs} ms of edits (${compactions} compactions so far); acked/own clocks ` +
      required.map(q => `${q.c.name} ${q.acked}/${q.own}`).join(', '))

    // --- restart and check --------------------------------------------------------------------
    const port = server.port
    await server.start()
    for (let d = 0; d < docIds.length; d++) {
      const exported = await server.exportDoc(docIds[d])
      const fresh = new Client(server, docIds[d], { name: `fresh${round}/doc${d}` })
      await fresh.waitSynced()
      for (const q of required.filter(q => q.c.docIndex === d)) {
        if (!q.rec) continue
        totalLostChecks++
        const lostExport = missingFromSnapshot(exported, q.rec.snap)
        check(lostExport === null, `round ${round}: export of doc ${d} holds everything ${q.c.name} saw acked (clock ${q.rec.clock}): ${lostExport}`)
        const lostFresh = missingFromSnapshot(fresh.doc, q.rec.snap)
        check(lostFresh === null, `round ${round}: a fresh client of doc ${d} holds everything ${q.c.name} saw acked (clock ${q.rec.clock}): ${lostFresh}`)
      }
      fresh.destroy()
    }
    // --- the old clients come back and resend what was not acknowledged -----------------------
    if (server.port !== port) {
      log(`port changed (${port} -> ${server.port}): reattaching the clients`)
      clients = clients.map((c, i) => {
        const doc = c.doc
        const old = c
        c.destroy()
        const nc = attach(i, doc)
        nc.records = old.records
        nc.acks = old.acks
        return nc
      })
    } else {
      for (const c of clients) c.connect()
    }
    for (const c of clients) await c.waitSynced(15000)
  }

  // --- final: everything converges, and all is acknowledged ------------------------------------
  for (const c of clients) {
    await waitFor(() => c.ackedClock() >= c.ownClock(), 15000, `${c.name}: all its edits acked at the end`).catch(e => check(false, e.message))
  }
  for (let d = 0; d < docIds.length; d++) {
    const group = clients.filter(c => c.docIndex === d)
    await waitFor(() => group.every(c => content(c.doc) === content(group[0].doc)), 15000, `clients of doc ${d} converge`)
      .catch(e => check(false, e.message))
    const exported = await server.exportDoc(docIds[d])
    check(content(exported) === content(group[0].doc), `doc ${d}: the export equals the clients' content at the end`)
    for (const c of group) check(missingFromSnapshot(exported, Y.snapshot(c.doc)) === null, `doc ${d}: the server holds all of ${c.name}'s document at the end`)
  }
  const m = await server.metrics()
  log(`${totalLostChecks} acked states checked after ${KILLS} kills; compactions before each kill: ${compactionsAtKill.join(', ')}; ` +
    `after the last restart: ${m.get('tandem_compactions_total')}`)
  check(totalLostChecks >= KILLS, 'acked edits were checked after every kill')
  check(compactionsAtKill.some(x => x > 0), 'compaction ran between kills')
  for (const c of clients) c.destroy()
  const stopped = await server.stop()
  check(stopped.code === 0, `tandemd exits 0 on SIGTERM at the end (${JSON.stringify(stopped)})`)

  await ackAfterJoin()
  await exportedThenKilled()
})

// Phase 2: a client asking for acks joins while a stock client's (no ?ack=1) edits are still
// being committed, and makes one edit; the moment an ack covers that edit, tandemd is killed.
// After the restart the edit must be there. Repeated, since it depends on timing.
async function ackAfterJoin () {
  const ROUNDS = Number(opts.joinRounds ?? 15)
  const server = new Server(opts, {
    name: 'tandemd-2',
    // A long commit queue (no read pause), so that the join lands while edits are uncommitted.
    args: ['--max-uncommitted-bytes-per-doc', '1000000000', '--max-storage-backlog-bytes', '2000000000']
  })
  await server.start()
  const id = await server.createDoc('ack after join')
  let lost = 0
  let acked = 0
  for (let round = 0; round < ROUNDS; round++) {
    const writer = new Client(server, id, { name: 'stock-writer' })
    await writer.waitSynced()
    const acker = new Client(server, id, { ack: true, name: 'acker', connect: false })
    const marker = `acked-${round}-${acker.doc.clientID}`
    let killed = false
    const inner = acker.provider.messageHandlers[100]
    acker.provider.messageHandlers[100] = (encoder, decoder, ...rest) => {
      inner(encoder, decoder, ...rest)
      if (!killed && acker.ackedClock() >= marker.length) {
        killed = true
        server.proc.stopRequested = true
        server.proc.kill('SIGKILL')
      }
    }
    acker.provider.on('status', ({ status }) => {
      if (status === 'connected' && acker.ownClock() === 0) acker.doc.getText('t').insert(0, marker)
    })
    const bulk = writer.doc.getText('bulk')
    for (let i = 0; i < 300; i++) {
      writer.doc.transact(() => bulk.insert(0, 'b'.repeat(60000)))
      writer.doc.transact(() => bulk.delete(0, 60000))
    }
    acker.connect()
    await waitFor(() => killed, 20000, `round ${round}: an ack covers the acker's edit`).catch(e => check(false, e.message))
    await server.kill()
    acker.destroy(); writer.destroy() // no resend
    await server.start()
    if (!killed) continue
    acked++
    const exported = await server.exportDoc(id)
    const present = exported.getText('t').toString().includes(marker)
    if (!present) {
      lost++
      log(`round ${round}: the acked edit is missing after the restart`)
    }
  }
  log(`ack after join: ${acked} acked edits, ${lost} lost after kill -9`)
  check(lost === 0, `an edit acked to a client that joined while a stock client's edits were being committed survives kill -9 (lost in ${lost} of ${acked} rounds)`)
  await server.stop()
}

// Phase 3: an edit that the server shows (here through GET /api/docs/<id>/export, which named
// versions use too) is one that someone has seen: it must survive kill -9 ("an edit that anyone
// has seen is never lost", ARCHITECTURE.md; updates are relayed only after their commit). A
// writer queues many large edits, then a small one; the export is polled until it shows the small
// one, and tandemd is killed at once.
async function exportedThenKilled () {
  const ROUNDS = Number(opts.exportRounds ?? 8)
  const server = new Server(opts, {
    name: 'tandemd-3',
    args: ['--max-uncommitted-bytes-per-doc', '1000000000', '--max-storage-backlog-bytes', '2000000000']
  })
  await server.start()
  const id = await server.createDoc('exported then killed')
  let shownCount = 0
  let lost = 0
  for (let round = 0; round < ROUNDS; round++) {
    const w = new Client(server, id, { name: 'writer', ack: true })
    await w.waitSynced()
    const bulk = w.doc.getText('bulk')
    for (let i = 0; i < 300; i++) {
      w.doc.transact(() => bulk.insert(0, 'b'.repeat(60000)))
      w.doc.transact(() => bulk.delete(0, 60000))
    }
    const marker = `shown-${round}-${w.doc.clientID}`
    w.doc.getText('t').insert(0, marker)
    let shown = false
    for (let k = 0; k < 500 && !shown; k++) {
      const r = await httpRequest(server.port, 'GET', `/api/docs/${id}/export?format=yjs`).catch(() => null)
      if (!r || r.status !== 200) continue
      const d = new Y.Doc()
      Y.applyUpdate(d, new Uint8Array(r.body))
      if (d.getText('t').toString().includes(marker)) {
        shown = true
        server.proc.stopRequested = true
        server.proc.kill('SIGKILL')
      }
    }
    await server.kill()
    w.destroy() // no resend
    await server.start()
    if (!shown) continue
    shownCount++
    const present = (await server.exportDoc(id)).getText('t').toString().includes(marker)
    if (!present) {
      lost++
      log(`round ${round}: the edit the export showed is missing after the restart`)
    }
  }
  log(`exported then killed: ${shownCount} edits shown by the export, ${lost} lost after kill -9`)
  check(lost === 0, `an edit shown by the export survives kill -9 (lost in ${lost} of ${shownCount} rounds)`)
  await server.stop()
}
