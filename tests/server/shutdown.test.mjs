// shutdown: SIGTERM while y-websocket clients are connected and editing (and one raw client has
// stopped reading). Each client is closed with 1012 (service restart); the process exits 0
// within --shutdown-timeout-s (plus a margin); no new client is served once the shutdown began;
// after a restart on the same data folder, the server holds everything each client saw acked
// (checked before the old clients reconnect and resend); then the old clients reconnect and all
// converge. Finally an idle server also stops with 0 promptly.
import {
  parseArgs, main, Server, Client, log, check, waitFor, sleep, rng, content, missingFromSnapshot,
  rawSocket, syncStep1, withTimeout, Y
} from './lib.mjs'
import { randomEdit } from './edits.mjs'

const opts = parseArgs()
const SHUTDOWN_TIMEOUT_S = 5

await main('shutdown', 100000, async () => {
  log(`seed ${opts.seed} (replay with TANDEM_TEST_SEED=${opts.seed})`)
  const r = rng(opts.seed)
  const server = new Server(opts, { args: ['--shutdown-timeout-s', String(SHUTDOWN_TIMEOUT_S)] })
  await server.start()
  const docIds = [await server.createDoc('s0'), await server.createDoc('s1')]
  const CLIENT_DOCS = [0, 0, 1, 1]
  const clients = CLIENT_DOCS.map((d, i) => {
    const c = new Client(server, docIds[d], { ack: i !== 3, name: `c${i}${i === 3 ? '(stock)' : ''}` })
    c.docIndex = d
    c.records = []
    c.doc.on('afterTransaction', (tr) => {
      if (!tr.local) return
      const clock = c.ownClock()
      const last = c.records[c.records.length - 1]
      if (!last || last.clock < clock) c.records.push({ clock, snap: Y.snapshot(c.doc) })
    })
    return c
  })
  for (const c of clients) await c.waitSynced()
  // A client that stopped reading.
  const stuck = rawSocket(`${server.wsBase}/${docIds[0]}`)
  await withTimeout(stuck.opened, 5000, 'stuck client: open')
  stuck.ws.send(syncStep1(), { binary: true })
  await sleep(100)
  stuck.ws._socket.pause()

  // Edit for a while, and keep editing through the SIGTERM.
  let n = 0
  let editing = true
  const editLoop = (async () => {
    while (editing) {
      for (const c of clients) if (r.chance(0.7)) randomEdit(r, c.doc, n++)
      await sleep(r.int(10))
    }
  })()
  await sleep(1000 + r.int(1000))
  // Fill the stuck client's socket buffers and send queue: its close frame cannot be written.
  {
    const t = clients[1].doc.getText('bulk')
    for (let i = 0; i < 150; i++) {
      clients[1].doc.transact(() => t.insert(0, 'b'.repeat(40000)))
      clients[1].doc.transact(() => t.delete(0, 40000))
      if (i % 10 === 9) await sleep(20)
    }
    await sleep(500)
  }
  const closeWaits = clients.map(c => waitFor(() => c.closeCodes.length > 0, (SHUTDOWN_TIMEOUT_S + 5) * 1000, `${c.name} closed`).catch(() => {}))
  const stopping = server.stop((SHUTDOWN_TIMEOUT_S + 10) * 1000)
  // Once the shutdown has begun, no new client is served.
  await sleep(50)
  let lateServed = false
  if (server.running) {
    const late = rawSocket(`${server.wsBase}/${docIds[1]}`)
    await withTimeout(late.opened.catch(() => {}), 3000, 'late client answered').catch(() => {})
    await sleep(300)
    lateServed = late.messages.some(m => m.data[0] === 0)
    if (late.httpStatus !== null) check(late.httpStatus === 503, `an upgrade during the shutdown is answered 503 shutting_down (got ${late.httpStatus} ${late.httpBody})`)
    late.ws.terminate()
  }
  check(!lateServed, 'a client connecting after SIGTERM is not served a sync')
  const stopped = await stopping
  editing = false
  await editLoop
  for (const c of clients) c.disconnect() // no resend before the check
  await Promise.all(closeWaits)
  log(`tandemd stopped: ${JSON.stringify(stopped)}; close codes ${clients.map(c => `${c.name} ${JSON.stringify(c.closeCodes)}`).join(', ')}`)
  check(stopped.code === 0 && stopped.signal === null, `tandemd exits 0 on SIGTERM (got ${JSON.stringify(stopped)})`)
  check(stopped.ms <= (SHUTDOWN_TIMEOUT_S + 3) * 1000, `tandemd exits within the shutdown timeout of ${SHUTDOWN_TIMEOUT_S} s (+3 s) with a client that does not read (took ${stopped.ms} ms)`)
  for (const c of clients) check(c.closeCodes[0] === 1012, `${c.name}: closed with 1012 (service restart), got ${JSON.stringify(c.closeCodes)}`)

  const required = clients.filter(c => c.acks.length).map(c => {
    const acked = c.ackedClock()
    let rec = null
    for (const x of c.records) if (x.clock <= acked) rec = x
    return { c, acked, own: c.ownClock(), rec }
  })
  log(`acked/own clocks: ${required.map(q => `${q.c.name} ${q.acked}/${q.own}`).join(', ')}`)

  // --- restart: everything acknowledged is there -----------------------------------------------
  const port = server.port
  await server.start()
  for (let d = 0; d < docIds.length; d++) {
    const exported = await server.exportDoc(docIds[d])
    const fresh = new Client(server, docIds[d], { name: `fresh/doc${d}` })
    await fresh.waitSynced()
    for (const q of required.filter(q => q.c.docIndex === d)) {
      check(q.rec !== null, `${q.c.name} saw an ack covering some of its edits`)
      if (!q.rec) continue
      const lost = missingFromSnapshot(exported, q.rec.snap)
      check(lost === null, `doc ${d}: the export after the restart holds everything ${q.c.name} saw acked: ${lost}`)
      const lostFresh = missingFromSnapshot(fresh.doc, q.rec.snap)
      check(lostFresh === null, `doc ${d}: a fresh client after the restart holds everything ${q.c.name} saw acked: ${lostFresh}`)
    }
    fresh.destroy()
  }

  // --- the old clients come back ---------------------------------------------------------------
  if (server.port === port) {
    for (const c of clients) c.connect()
    for (const c of clients) await c.waitSynced(15000)
    for (let d = 0; d < docIds.length; d++) {
      const group = clients.filter(c => c.docIndex === d)
      await waitFor(() => group.every(c => content(c.doc) === content(group[0].doc)), 10000, `clients of doc ${d} converge after the restart`)
        .catch(e => check(false, e.message))
      const exported = await server.exportDoc(docIds[d])
      check(content(exported) === content(group[0].doc), `doc ${d}: the export equals the clients after they resent their edits`)
    }
    for (const c of clients) if (c.acks.length) {
      await waitFor(() => c.ackedClock() >= c.ownClock(), 10000, `${c.name}: all edits acked after the restart`).catch(e => check(false, e.message))
    }
  } else {
    log(`the port changed on restart (${port} -> ${server.port}): reconnect phase skipped`)
  }
  for (const c of clients) c.destroy()

  // --- an idle server stops promptly -------------------------------------------------------------
  await sleep(200)
  const idle = await server.stop()
  check(idle.code === 0 && idle.ms < 3000, `an idle tandemd exits 0 promptly on SIGTERM (got ${JSON.stringify(idle)})`)
})
