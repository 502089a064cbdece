// bad_input: raw `ws` sockets send what a buggy or hostile client could send — malformed
// messages, unknown message types, truncated and hostile updates, a text frame, invalid UTF-8,
// invalid awareness, an oversized frame, a flood, and a client that never reads while others
// edit a lot. Each must be closed with its documented close code (docs/wire.md: 4400 malformed,
// 1009 too big, 4429 rate limited, 4408 slow consumer — the never-reading client cannot read its
// close frame, so the test checks that the server ended the TCP connection and that /metrics
// counted it) while two well-behaved y-websocket clients on the same document stay connected and
// keep syncing, and the document is unchanged by the bad input (its exported state before and
// after). Also: an unknown document id is closed with 4404, and /ws/ with an invalid id is an
// HTTP 404. Stock clients (no ?ack=1) never receive Tandem's ack message. A connection over
// --max-connections-per-ip is refused with HTTP 429 or closed with 1013.
import {
  parseArgs, main, Server, Client, log, check, assert, waitFor, sleep, rawSocket, content, normalizedState,
  syncStep1, syncUpdate, awarenessMessage, encoding, withTimeout, Y
} from './lib.mjs'
import { spawnSync } from 'node:child_process'

const opts = parseArgs()
const MAX_FRAME = 64 * 1024
const SEND_QUEUE = 1024 * 1024

// --- updates to break --------------------------------------------------------------------------

/** An update made by a fresh Y.Doc (its own client id, no dependencies): `fn(doc)`. */
function makeUpdate (fn, clientID) {
  const d = new Y.Doc()
  if (clientID) d.clientID = clientID
  let update = null
  d.on('update', (u) => { update = update ? Y.mergeUpdates([update, u]) : u })
  fn(d)
  return update
}

/** `bytes` with the first occurrence of ASCII `marker` replaced by `replacement` (same length). */
function patch (bytes, marker, replacement) {
  const m = Buffer.from(marker, 'latin1')
  const i = Buffer.from(bytes).indexOf(m)
  assert(i >= 0 && replacement.length === m.length, `marker ${marker} in update`)
  const out = new Uint8Array(bytes)
  out.set(replacement, i)
  return out
}

function bytesOf (...parts) {
  const e = encoding.createEncoder()
  for (const p of parts) {
    if (typeof p === 'number') encoding.writeVarUint(e, p)
    else encoding.writeUint8Array(e, p)
  }
  return encoding.toUint8Array(e)
}

const u8 = (...xs) => new Uint8Array(xs)
const BIG = Number.MAX_SAFE_INTEGER

function cases () {
  const goodUpdate = makeUpdate(d => d.getText('text').insert(0, 'GOODPART'))
  const twoStructs = makeUpdate(d => d.transact(() => {
    d.getText('text').insert(0, 'GOODPART')
    d.getMap('map').set('bad', 'XYXY')
  }))
  const rootName = makeUpdate(d => d.getText('QQ').insert(0, 'GOODPART'))
  return [
    // Not y-websocket messages.
    { name: 'empty message', data: u8(), code: 4400 },
    { name: 'var-uint that never ends', data: u8(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff), code: 4400 },
    { name: 'sync without sub-type', data: u8(0), code: 4400 },
    { name: 'unknown sync sub-type', data: u8(0, 7, 1, 0), code: 4400 },
    { name: 'sync step 1 without payload', data: u8(0, 0), code: 4400 },
    { name: 'bytes after a sync step 1', data: u8(0, 0, 1, 0, 0xaa), code: 4400 },
    { name: 'state vector that does not decode', data: syncStep1(u8(5, 1)), code: 4400 },
    { name: 'auth message from a client', data: bytesOf(2, 0, u8(3), Buffer.from('abc')), code: 4400 },
    { name: 'ack message from a client', data: bytesOf(100, u8(1, 0)), code: 4400 },
    // Unknown message types.
    { name: 'unknown message type 4', data: u8(4), code: 4400 },
    { name: 'unknown message type 99', data: u8(99, 0), code: 4400 },
    { name: 'unknown message type 2^40', data: bytesOf(2 ** 40), code: 4400 },
    // Truncated updates.
    { name: 'truncated update (half of it)', data: syncUpdate(goodUpdate.slice(0, goodUpdate.length >> 1)), code: 4400 },
    { name: 'truncated update (last byte missing)', data: syncUpdate(goodUpdate.slice(0, goodUpdate.length - 1)), code: 4400 },
    { name: 'truncated sync step 2', data: bytesOf(0, 1, goodUpdate.length, goodUpdate.slice(0, 5)), code: 4400 },
    { name: 'message length past the end', data: bytesOf(0, 2, 2 ** 40, goodUpdate), code: 4400 },
    // Hostile updates: huge length fields.
    { name: 'update claiming 2^53-1 clients', data: syncUpdate(bytesOf(BIG, 1, 5, 0)), code: 4400 },
    { name: 'update claiming 2^53-1 structs', data: syncUpdate(bytesOf(1, BIG, 77, 0, 4)), code: 4400 },
    { name: 'string content of length 2^32', data: syncUpdate(bytesOf(1, 1, 77, 0, 4, 1, 1, Buffer.from('t'), 2 ** 32, Buffer.from('abc'), 0)), code: 4400 },
    { name: 'root name of length 2^50', data: syncUpdate(bytesOf(1, 1, 77, 0, 4, 1, 2 ** 50, 0)), code: 4400 },
    { name: 'delete set claiming 2^53-1 clients', data: syncUpdate(bytesOf(0, BIG, 1, 0, 1)), code: 4400 },
    { name: 'delete set claiming 2^53-1 ranges', data: syncUpdate(bytesOf(0, 1, 77, BIG, 0, 1)), code: 4400 },
    { name: 'unknown content ref 31', data: syncUpdate(bytesOf(1, 1, 77, 0, 31, 1, 1, Buffer.from('t'), 0)), code: 4400 },
    // Text frame.
    { name: 'text (non-binary) frame', text: 'hello', code: 4400 },
    { name: 'text frame holding a valid message', text: Buffer.from(syncStep1()).toString('latin1'), code: 4400 },
    // Invalid UTF-8 where a string is expected; nothing of the update may be applied.
    { name: 'invalid UTF-8 in a map value (after a valid struct)', data: syncUpdate(patch(twoStructs, 'XYXY', u8(0xc3, 0x28, 0xa0, 0xa1))), code: 4400 },
    { name: 'invalid UTF-8 in a text insert', data: syncUpdate(patch(goodUpdate, 'GOODPART', u8(0x47, 0xed, 0xa0, 0x80, 0x41, 0x52, 0x54, 0xff))), code: 4400 },
    { name: 'invalid UTF-8 in a root name', data: syncUpdate(patch(rootName, 'QQ', u8(0xff, 0xfe))), code: 4400 },
    { name: 'overlong UTF-8 in a text insert', data: syncUpdate(patch(goodUpdate, 'GOODPART', u8(0x47, 0xc0, 0xaf, 0x44, 0x50, 0x41, 0x52, 0x54))), code: 4400 },
    // Invalid awareness.
    { name: 'awareness state that is not JSON', data: awarenessMessage([{ client: 7, clock: 1, state: '{"a":' }]), code: 4400 },
    { name: 'awareness state with invalid UTF-8', data: awarenessMessage([{ client: 7, clock: 1, rawState: u8(0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d) }]), code: 4400 },
    { name: 'awareness state over 8 KiB', data: awarenessMessage([{ client: 7, clock: 1, state: JSON.stringify({ s: 'x'.repeat(9000) }) }]), code: 4400 },
    { name: 'awareness state nested 40 deep', data: awarenessMessage([{ client: 7, clock: 1, state: '['.repeat(40) + ']'.repeat(40) }]), code: 4400 },
    { name: 'awareness for 17 client ids', data: awarenessMessage(Array.from({ length: 17 }, (_, i) => ({ client: 1000 + i, clock: 1, state: '{}' }))), code: 4400 },
    { name: 'awareness with bytes after the last entry', data: bytesOf(1, bytesOf(1, 7, 1, 2, Buffer.from('{}'), 9)), code: 4400 },
    // Oversized frame.
    { name: `a ${MAX_FRAME + 1000}-byte frame (over --max-frame-bytes ${MAX_FRAME})`, data: syncUpdate(makeUpdate(d => d.getText('text').insert(0, 'z'.repeat(MAX_FRAME + 1000)))), code: 1009 }
  ]
}

/** Whether tandemd holds a TCP socket connected to `clientPort` (null when ss is missing). */
function serverHoldsSocket (server, clientPort) {
  const r = spawnSync('ss', ['-tnpH', 'state', 'all', `( sport = :${server.port} and dport = :${clientPort} )`], { encoding: 'utf8' })
  if (r.status !== 0) return null
  return r.stdout.split('\n').some(line => line.includes(`pid=${server.proc.pid},`))
}

await main('bad_input', 150000, async () => {
  const server = new Server(opts, {
    args: ['--max-frame-bytes', String(MAX_FRAME), '--messages-per-second', '100', '--message-burst', '200',
      '--max-send-queue-bytes', String(SEND_QUEUE)]
  })
  await server.start()
  const id = await server.createDoc('target')

  // Two well-behaved stock clients (no acks) with some content.
  const a = new Client(server, id, { name: 'good-a' })
  const b = new Client(server, id, { name: 'good-b' })
  await a.waitSynced(); await b.waitSynced()
  a.doc.getText('text').insert(0, 'Hello 😀 world')
  a.doc.getMap('map').set('k', { v: 1 })
  const xml = new Y.XmlElement('paragraph')
  a.doc.getXmlFragment('xml').insert(0, [xml])
  xml.insert(0, [new Y.XmlText('para 𝄞')])
  await waitFor(() => content(b.doc) === content(a.doc), 5000, 'good clients in sync')

  let round = 0
  // After each bad input: the good clients are still connected and keep syncing.
  async function goodClientsStillWork (what) {
    round++
    check(a.connected && b.connected && a.closeCodes.length === 0 && b.closeCodes.length === 0,
      `${what}: the good clients stay connected (close codes ${JSON.stringify([a.closeCodes, b.closeCodes])})`)
    a.doc.getText('text').insert(0, `r${round} `)
    b.doc.getMap('map').set(`round${round}`, round)
    await waitFor(() => content(a.doc) === content(b.doc) && b.doc.getText('text').toString().startsWith(`r${round} `) &&
      a.doc.getMap('map').get(`round${round}`) === round, 5000, `${what}: the good clients keep syncing`)
      .catch(e => check(false, e.message))
  }

  async function stateNow () {
    const r = await server.req('GET', `/api/docs/${id}/export?format=yjs`)
    assert(r.status === 200, `export: ${r.status}`)
    return normalizedState(new Uint8Array(r.body))
  }

  const metricsBefore = await server.metrics()
  let malformedExpected = 0
  for (const c of cases()) {
    const before = await stateNow()
    const sock = rawSocket(`${server.wsBase}/${id}`)
    await withTimeout(sock.opened, 5000, `${c.name}: open`)
    if (c.text !== undefined) sock.ws.send(c.text)
    else sock.ws.send(c.data, { binary: true })
    const closed = await withTimeout(sock.closed, 5000, `${c.name}: closed by the server`).catch(e => ({ code: `none (${e.message})` }))
    check(closed.code === c.code, `${c.name}: close code ${closed.code}, expected ${c.code}`)
    if (c.code === 4400) malformedExpected++
    const after = await stateNow()
    check(after === before, `${c.name}: the document is unchanged`)
    check(!b.doc.getText('text').toString().includes('GOODPART') && !a.doc.getMap('map').has('bad'),
      `${c.name}: nothing of the bad update reached the clients`)
    await goodClientsStillWork(c.name)
  }
  log(`${cases().length} bad messages: each closed with its code`)
  const m1 = await server.metrics()
  const counted = (m, reason) => m.get(`tandem_rejections_total{reason="${reason}"}`) ?? 0
  check(counted(m1, 'malformed') - counted(metricsBefore, 'malformed') === malformedExpected,
    `/metrics counts ${malformedExpected} malformed rejections (got ${counted(m1, 'malformed') - counted(metricsBefore, 'malformed')})`)
  check(counted(m1, 'frame_too_big') - counted(metricsBefore, 'frame_too_big') === 1, '/metrics counts the frame over the cap')

  // --- a flood of messages ----------------------------------------------------------------------
  {
    const before = await stateNow()
    const sock = rawSocket(`${server.wsBase}/${id}`)
    await withTimeout(sock.opened, 5000, 'flood: open')
    let sent = 0
    for (let i = 0; i < 3000 && sock.ws.readyState === 1; i++) {
      sock.ws.send(u8(3), { binary: true }) // query awareness: harmless, one byte
      sent++
      if (i % 100 === 99) await sleep(1)
    }
    const closed = await withTimeout(sock.closed, 5000, 'flood: closed by the server').catch(e => ({ code: `none (${e.message})` }))
    check(closed.code === 4429, `flood of ${sent} messages: close code ${closed.code}, expected 4429`)
    check(await stateNow() === before, 'flood: the document is unchanged')
    const m = await server.metrics()
    check(counted(m, 'rate_limited') >= 1, '/metrics counts the rate-limited connection')
    await goodClientsStillWork('flood')
  }

  // --- unknown document, invalid id -------------------------------------------------------------
  {
    const sock = rawSocket(`${server.wsBase}/nosuchdocument2345678`)
    await withTimeout(sock.opened, 5000, 'unknown document: open').catch(e => check(false, `unknown document: upgrade refused (${e.message})`))
    const closed = await withTimeout(sock.closed, 5000, 'unknown document: closed').catch(e => ({ code: `none (${e.message})` }))
    check(closed.code === 4404, `unknown document: close code ${closed.code}, expected 4404`)
    check(!sock.messages.some(m => m.data[0] === 0), 'unknown document: no sync message was sent')
    const m = await server.metrics()
    check(counted(m, 'unknown_document') >= 1, '/metrics counts the unknown document')
    const list = await server.req('GET', '/api/docs?limit=200')
    check(list.status === 200 && !list.json.docs.some(d => d.id === 'nosuchdocument2345678'), 'no document was created by connecting to an unknown id')
  }
  for (const bad of ['/ws/', '/ws/bad.id', '/ws/bad%20id', '/ws/a%2Fb', '/ws/' + 'x'.repeat(129), '/ws/%C3%A9t%C3%A9', '/ws']) {
    const sock = rawSocket(`ws://127.0.0.1:${server.port}${bad}`)
    const err = await withTimeout(sock.opened.then(() => null, e => e), 5000, `${bad}: answered`)
    check(err && err.status === 404, `WebSocket upgrade of ${bad}: HTTP ${err?.status ?? 'upgrade accepted'}, expected 404`)
  }

  // The stock clients never saw Tandem's ack message.
  check(!a.messagesByType.has(100) && !b.messagesByType.has(100), 'clients without ?ack=1 receive no ack (type 100)')
  check(a.closeCodes.length === 0 && b.closeCodes.length === 0, `the good clients were never disconnected (${JSON.stringify([a.closeCodes, b.closeCodes])})`)
  const exported = await server.exportDoc(id)
  check(content(exported) === content(a.doc), 'the server has the good clients\' content')

  // --- a client that never reads while others edit a lot ----------------------------------------
  await (async () => {
    const slowBefore = counted(await server.metrics(), 'slow_consumer')
    const sock = rawSocket(`${server.wsBase}/${id}`)
    await withTimeout(sock.opened, 5000, 'slow consumer: open')
    sock.ws.send(syncStep1(), { binary: true })
    await sleep(200)
    sock.ws._socket.pause()
    let tcpClosed = false
    sock.ws._socket.on('close', () => { tcpClosed = true })
    // Another writer edits a lot: 40 KB inserted and deleted per edit, so every edit crosses the
    // wire whole but the document stays small.
    const writer = new Client(server, id, { name: 'writer' })
    await writer.waitSynced()
    const wt = writer.doc.getText('text')
    let bytes = 0
    const end = Date.now() + 40000
    const slowNow = async () => { try { return counted(await server.metrics(), 'slow_consumer') } catch { return null } }
    while (server.running && await slowNow() === slowBefore && Date.now() < end) {
      for (let i = 0; i < 2; i++) {
        writer.doc.transact(() => wt.insert(wt.length, 'w'.repeat(40000)))
        writer.doc.transact(() => wt.delete(wt.length - 40000, 40000))
        bytes += 80000
      }
      await sleep(30)
    }
    log(`slow consumer: the writer sent ${(bytes / 1e6).toFixed(1)} MB of edits`)
    await sleep(500)
    if (!check(server.running, `tandemd is still running after closing the slow consumer (it exited: ${JSON.stringify(server.proc.exitInfo)})`)) return
    check(counted(await server.metrics(), 'slow_consumer') === slowBefore + 1, '/metrics counts the slow consumer (4408)')
    check(writer.connected && writer.closeCodes.length === 0, 'the writer stays connected')
    // It cannot read its close frame: within the server's grace period (2 s) and a margin, the
    // server must have dropped the connection on its own — its session gone from /metrics and its
    // socket no longer held by the tandemd process (ss).
    const clientPort = sock.ws._socket.localPort
    await waitFor(async () => (await server.metrics()).get('tandem_connections') === 3, 6000,
      'slow consumer: the server dropped the connection (tandem_connections back to the 3 good clients)')
      .catch(e => check(false, e.message))
    const held = serverHoldsSocket(server, clientPort)
    if (held !== null) check(!held, `slow consumer: tandemd no longer holds the socket of client port ${clientPort} (ss)`)
    // Reading now drains what was queued, then the connection ends.
    sock.ws._socket.resume()
    const closed = await withTimeout(sock.closed, 15000, 'slow consumer: connection ended by the server').catch(e => ({ code: `none (${e.message})` }))
    check(typeof closed.code === 'number', `slow consumer: the server ended the connection (close ${closed.code})`)
    check(closed.code === 4408 || closed.code === 1006, `slow consumer: close code ${closed.code} is 4408 or none (1006: TCP closed without a close frame)`)
    await waitFor(() => tcpClosed, 5000, 'slow consumer: TCP closed').catch(e => check(false, e.message))
    await waitFor(() => content(writer.doc) === content(a.doc) && content(a.doc) === content(b.doc), 10000, 'writer and good clients in sync')
      .catch(e => check(false, e.message))
    writer.destroy()
    await goodClientsStillWork('slow consumer')
    check(a.closeCodes.length === 0 && b.closeCodes.length === 0, `the good clients were never disconnected (${JSON.stringify([a.closeCodes, b.closeCodes])})`)
  })()


  a.destroy(); b.destroy()
  await server.stop()

  // --- connections per IP (limits.h: "the upgrade is refused with 429 / the socket closed with
  // 1013"; docs/wire.md: 1013 "e.g. too many connections from one IP") ----------------------------
  {
    const s2 = new Server(opts, { name: 'tandemd-ip', args: ['--max-connections-per-ip', '3'] })
    await s2.start()
    const doc = await s2.createDoc('ip')
    const open = []
    for (let i = 0; i < 3; i++) {
      const sock = rawSocket(`${s2.wsBase}/${doc}`)
      await withTimeout(sock.opened, 5000, `connection ${i + 1} of 3: open`)
      open.push(sock)
    }
    await sleep(200) // the HTTP connection of createDoc has been released
    const over = rawSocket(`${s2.wsBase}/${doc}`)
    const result = await withTimeout(over.opened.then(() => 'opened', e => `refused: ${e.status ? `HTTP ${e.status}` : e.code || e.message}`), 5000, '4th connection answered')
      .catch(e => `no answer: ${e.message}`)
    const closed = result === 'opened' ? await withTimeout(over.closed, 5000, '4th connection closed').catch(() => ({ code: 'none' })) : null
    log(`a 4th connection over --max-connections-per-ip 3: ${result}${closed ? `, close ${closed.code}` : ''}`)
    check(over.httpStatus === 429 || closed?.code === 1013,
      `a connection over --max-connections-per-ip is refused with HTTP 429 or closed with 1013 (got ${result}${closed ? `, close ${closed.code}` : ''})`)
    if (over.httpStatus === 429) {
      let body = null
      try { body = JSON.parse(over.httpBody) } catch {}
      check(body?.error?.code === 'too_many_connections' && !!over.httpHeaders?.['retry-after'],
        `the 429 has {"error":{"code":"too_many_connections"}} and Retry-After (docs/api.md) (got ${over.httpBody}, Retry-After ${over.httpHeaders?.['retry-after']})`)
    }
    open[0].ws.close()
    await withTimeout(open[0].closed, 5000, 'closed one')
    await sleep(500)
    // Before any other request: an HTTP connection (kept alive) counts against the limit too.
    const again = rawSocket(`${s2.wsBase}/${doc}`)
    await withTimeout(again.opened, 5000, 'a connection after one closed: open').catch(e => check(false, e.message))
    check(again.ws.readyState === 1, 'once a connection closes, a new one is accepted')
    again.ws.close()
    await withTimeout(again.closed, 5000, 'closed again')
    await sleep(500)
    const m = await s2.metrics()
    check((m.get('tandem_rejections_total{reason="connections_per_ip"}') ?? 0) >= 1, '/metrics counts the connection over the per-IP limit')
    await s2.stop()
  }
})
