// Shared helpers of the black-box tests of tandemd (tests/server/*.test.mjs): start and stop a
// server in a scratch folder, REST calls, real y-websocket clients (with Tandem's ack), raw
// WebSocket clients, bounded waits, and a cleanup that runs on success, failure and signals.
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import http from 'node:http'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import WebSocket from 'ws'

export { Y, WebSocket, WebsocketProvider, decoding, encoding }

// --- command line, logging, failure ------------------------------------------------------------

/** argv: node TEST.mjs TANDEMD SOURCE_DIR [--seed N] [--seconds S] */
export function parseArgs () {
  const [tandemd, sourceDir, ...rest] = process.argv.slice(2)
  if (!tandemd || !sourceDir) {
    console.error('usage: node TEST.mjs TANDEMD SOURCE_DIR [--seed N] [--seconds S]')
    process.exit(2)
  }
  const opts = { tandemd: path.resolve(tandemd), sourceDir: path.resolve(sourceDir) }
  for (let i = 0; i < rest.length; i += 2) opts[rest[i].replace(/^--/, '')] = rest[i + 1]
  opts.seed = opts.seed !== undefined ? Number(opts.seed) : Number(process.env.TANDEM_TEST_SEED ?? (Date.now() % 2 ** 31))
  opts.webRoot = path.join(opts.sourceDir, 'web', 'public')
  return opts
}

const t0 = Date.now()
export function log (...args) {
  console.log(`[${((Date.now() - t0) / 1000).toFixed(1)}s]`, ...args)
}

let failures = 0
/** Records a failed check (the test goes on, and fails at the end). */
export function check (cond, what) {
  if (cond) return true
  failures++
  console.log(`FAIL: ${what}`)
  return false
}
export function failureCount () { return failures }

export class TestFailure extends Error {}
export function assert (cond, what) {
  if (!cond) throw new TestFailure(what)
}

export function sleep (ms) { return new Promise(resolve => setTimeout(resolve, ms)) }

/** Polls `pred` (sync or async) until true, at most `timeoutMs`; throws with `what` otherwise. */
export async function waitFor (pred, timeoutMs, what, stepMs = 20) {
  const end = Date.now() + timeoutMs
  for (;;) {
    if (await pred()) return
    if (Date.now() > end) throw new TestFailure(`timed out after ${timeoutMs} ms: ${what}`)
    await sleep(stepMs)
  }
}

/** A promise rejected after `ms`. */
export function withTimeout (promise, ms, what) {
  let timer
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_resolve, reject) => { timer = setTimeout(() => reject(new TestFailure(`timed out after ${ms} ms: ${what}`)), ms) })
  ])
}

/** A small seeded PRNG (mulberry32), so a failing run can be replayed with --seed. */
export function rng (seed) {
  let a = seed >>> 0
  const next = () => {
    a = (a + 0x6D2B79F5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  return {
    next,
    int: (n) => Math.floor(next() * n),
    pick: (arr) => arr[Math.floor(next() * arr.length)],
    chance: (p) => next() < p
  }
}

// --- cleanup -----------------------------------------------------------------------------------

const cleanups = []
/** Registers `fn` to run (last registered first) when the test ends, however it ends. */
export function onCleanup (fn) { cleanups.push(fn) }

let cleaning = null
async function runCleanups () {
  if (cleaning) return cleaning
  cleaning = (async () => {
    while (cleanups.length) {
      const fn = cleanups.pop()
      try { await withTimeout(Promise.resolve().then(fn), 15000, 'cleanup') } catch (e) { console.log('cleanup error:', e.message) }
    }
  })()
  return cleaning
}

// Processes this test started, killed synchronously if Node exits abruptly.
const children = new Set()
process.on('exit', () => {
  for (const c of children) { try { c.kill('SIGKILL') } catch {} }
})
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    console.log(`got ${sig}: cleaning up`)
    runCleanups().finally(() => process.exit(1))
  })
}

/**
 * Runs the test body with a hard deadline; prints PASS/FAIL and exits 0/1 after cleaning up.
 */
export async function main (name, deadlineMs, body) {
  const deadline = setTimeout(() => {
    console.log(`FAIL: ${name} did not finish within ${deadlineMs / 1000} s`)
    runCleanups().finally(() => process.exit(1))
  }, deadlineMs)
  deadline.unref()
  let ok = false
  try {
    await body()
    ok = failures === 0
  } catch (e) {
    console.log(`FAIL: ${e instanceof TestFailure ? e.message : (e.stack || e)}`)
  }
  await runCleanups()
  clearTimeout(deadline)
  console.log(ok ? `PASS: ${name} (${((Date.now() - t0) / 1000).toFixed(1)} s)` : `FAIL: ${name} (${failures} failed checks)`)
  process.exit(ok ? 0 : 1)
}

// --- the server --------------------------------------------------------------------------------

export function tempDir (prefix) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix))
  onCleanup(() => {
    if (process.env.TANDEM_TEST_KEEP) return console.log(`kept ${dir}`)
    fs.rmSync(dir, { recursive: true, force: true })
  })
  return dir
}

export function freePort () {
  return new Promise((resolve, reject) => {
    const srv = net.createServer()
    srv.unref()
    srv.on('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address()
      srv.close(() => resolve(port))
    })
  })
}

/**
 * A tandemd process. start() picks a free loopback port (kept across restarts), waits for
 * /readyz; stop() sends SIGTERM and waits for the exit; kill() sends SIGKILL.
 */
export class Server {
  constructor (opts, { dataDir, args = [], name = 'tandemd' } = {}) {
    this.opts = opts
    this.dataDir = dataDir ?? tempDir('tandem-server-test-')
    this.args = args
    this.name = name
    this.port = 0
    this.proc = null
    this.output = []
    onCleanup(() => this.kill())
  }

  get base () { return `http://127.0.0.1:${this.port}` }
  get wsBase () { return `ws://127.0.0.1:${this.port}/ws` }

  async start () {
    for (let attempt = 0; attempt < 5; attempt++) {
      if (!this.port || attempt > 0) this.port = await freePort()
      const argv = ['--listen', `127.0.0.1:${this.port}`, '--data', this.dataDir, '--web-root', this.opts.webRoot,
        '--threads', '2', ...this.args]
      const proc = spawn(this.opts.tandemd, argv, { stdio: ['ignore', 'pipe', 'pipe'] })
      this.proc = proc
      children.add(proc)
      proc.exitInfo = null
      let spawnError = null
      proc.on('error', (e) => { spawnError = e; proc.exitInfo = proc.exitInfo ?? { code: null, signal: null, error: e.message } })
      proc.exited = new Promise(resolve => proc.on('exit', (code, signal) => {
        children.delete(proc)
        proc.exitInfo = { code, signal }
        if (!proc.stopRequested) {
          this.unexpectedExits = (this.unexpectedExits ?? 0) + 1
          log(`${this.name} exited unexpectedly: ${JSON.stringify(proc.exitInfo)}\n${this.tail(15)}`)
        }
        resolve(proc.exitInfo)
      }))
      const keep = (chunk) => {
        for (const line of chunk.toString().split('\n')) {
          if (!line) continue
          this.output.push(line)
          if (this.output.length > 400) this.output.shift()
          if (process.env.TANDEM_TEST_VERBOSE) console.log(`  ${this.name}| ${line}`)
        }
      }
      proc.stdout.on('data', keep)
      proc.stderr.on('data', keep)
      const end = Date.now() + 15000
      while (Date.now() < end && proc.exitInfo === null) {
        try {
          const r = await httpRequest(this.port, 'GET', '/readyz', {}, undefined, 1000)
          if (r.status === 200) return this
        } catch {}
        await sleep(30)
      }
      if (proc.exitInfo === null) {
        proc.stopRequested = true
        proc.kill('SIGKILL')
        await proc.exited
        throw new TestFailure(`${this.name} did not become ready in 15 s\n${this.tail()}`)
      }
      if (spawnError) throw new TestFailure(`cannot run ${this.opts.tandemd}: ${spawnError.message}`)
      // Exited: most likely the port was taken between freePort() and bind. Try another.
      log(`${this.name} exited at start (${JSON.stringify(proc.exitInfo)}), retrying on another port`)
    }
    throw new TestFailure(`${this.name} could not start\n${this.tail()}`)
  }

  tail (n = 40) { return this.output.slice(-n).map(l => `  ${this.name}| ${l}`).join('\n') }

  get running () { return this.proc !== null && this.proc.exitInfo === null }

  /** SIGTERM; resolves to {code, signal, ms}. SIGKILL after `timeoutMs`. */
  async stop (timeoutMs = 20000) {
    if (!this.running) return this.proc?.exitInfo ?? null
    const started = Date.now()
    this.proc.stopRequested = true
    this.proc.kill('SIGTERM')
    const timer = setTimeout(() => { if (this.running) this.proc.kill('SIGKILL') }, timeoutMs)
    const info = await this.proc.exited
    clearTimeout(timer)
    return { ...info, ms: Date.now() - started }
  }

  async kill () {
    if (!this.running) return
    this.proc.stopRequested = true
    this.proc.kill('SIGKILL')
    await this.proc.exited
  }

  // REST
  // One connection per request (no keep-alive pool), so that tests can count connections.
  async req (method, urlPath, body, headers = {}) {
    const h = { ...headers }
    let payload
    if (body !== undefined) {
      payload = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body))
      h['content-type'] = 'application/json'
      h['content-length'] = String(payload.length)
    }
    const r = await httpRequest(this.port, method, urlPath, h, payload)
    let json = null
    if ((r.headers.get('content-type') || '').includes('json') && r.body.length) {
      try { json = JSON.parse(r.text) } catch {}
    }
    return { ...r, json }
  }

  async createDoc (title = 'x') {
    const r = await this.req('POST', '/api/docs', { title })
    assert(r.status === 201 && r.json && typeof r.json.id === 'string', `POST /api/docs: ${r.status} ${r.text}`)
    return r.json.id
  }

  /** The server's document state (export?format=yjs) applied to a fresh Y.Doc. */
  async exportDoc (id) {
    const r = await this.req('GET', `/api/docs/${id}/export?format=yjs`)
    assert(r.status === 200, `export ${id}: ${r.status} ${r.text}`)
    const doc = new Y.Doc()
    Y.applyUpdate(doc, new Uint8Array(r.body))
    return doc
  }

  async metrics () {
    const r = await this.req('GET', '/metrics')
    assert(r.status === 200, `/metrics: ${r.status}`)
    return parseMetrics(r.text)
  }
}

/**
 * An HTTP request on a connection of its own (closed after): {status, headers (a Headers), body
 * (Buffer), text}. The path is sent exactly as given.
 */
export function httpRequest (port, method, reqPath, headers = {}, body, timeoutMs = 10000) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: reqPath, headers, agent: false, timeout: timeoutMs }, (res) => {
      const chunks = []
      res.on('data', c => chunks.push(c))
      res.on('end', () => {
        const body = Buffer.concat(chunks)
        const hs = new Headers()
        for (const [k, v] of Object.entries(res.headers)) hs.set(k, Array.isArray(v) ? v.join(', ') : v)
        resolve({ status: res.statusCode, headers: hs, body, text: body.toString('utf8') })
      })
      res.on('error', reject)
    })
    req.on('error', reject)
    req.on('timeout', () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)))
    if (body) req.write(body)
    req.end()
  })
}

/** Prometheus text → Map of "name{labels}" → number. */
export function parseMetrics (text) {
  const out = new Map()
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue
    const m = line.match(/^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?)\s+(\S+)$/)
    if (m) out.set(m[1], Number(m[2]))
  }
  return out
}

// --- y-websocket clients -----------------------------------------------------------------------

/**
 * A real y-websocket client: a Y.Doc with a WebsocketProvider (BroadcastChannel off, so that
 * clients in this process only meet through the server). With ack=true it asks for Tandem's ack
 * and records each persisted state vector.
 */
export class Client {
  constructor (server, docId, { ack = false, name = 'client', connect = true, doc } = {}) {
    this.name = name
    this.docId = docId
    this.doc = doc ?? new Y.Doc()
    this.acks = [] // Map<client, clock> of each ack received, in order
    this.closeCodes = []
    this.messagesByType = new Map()
    this.provider = new WebsocketProvider(server.wsBase, docId, this.doc, {
      WebSocketPolyfill: WebSocket,
      disableBc: true,
      connect,
      params: ack ? { ack: '1' } : {},
      maxBackoffTime: 300
    })
    const handlers = this.provider.messageHandlers
    for (const type of [0, 1, 3]) {
      const inner = handlers[type]
      handlers[type] = (...a) => { this.messagesByType.set(type, (this.messagesByType.get(type) ?? 0) + 1); return inner(...a) }
    }
    handlers[100] = (_encoder, decoder) => {
      this.messagesByType.set(100, (this.messagesByType.get(100) ?? 0) + 1)
      this.acks.push(Y.decodeStateVector(decoding.readVarUint8Array(decoder)))
    }
    this.provider.on('connection-close', (event) => {
      this.closeCodes.push(event ? event.code : null)
    })
    onCleanup(() => this.destroy())
  }

  /** The highest clock of `clientId` any ack covered. */
  ackedClock (clientId = this.doc.clientID) {
    let best = 0
    for (const sv of this.acks) best = Math.max(best, sv.get(clientId) ?? 0)
    return best
  }

  ownClock () { return Y.getState(this.doc.store, this.doc.clientID) }

  get synced () { return this.provider.synced }
  get connected () { return this.provider.wsconnected }

  async waitSynced (ms = 10000) {
    await waitFor(() => this.provider.synced, ms, `${this.name} synced`)
  }

  disconnect () { this.provider.disconnect() }
  connect () { this.provider.connect() }

  destroy () {
    if (this.destroyed) return
    this.destroyed = true
    try { this.provider.destroy() } catch {}
  }
}

// --- raw WebSocket clients ---------------------------------------------------------------------

/**
 * A raw `ws` socket that records what arrives and how it closes. `opened` resolves on open,
 * rejects on an HTTP refusal (`.status` holds the HTTP status); `closed` resolves to {code, reason}.
 */
export function rawSocket (url, options = {}) {
  const ws = new WebSocket(url, { maxPayload: 256 * 1024 * 1024, ...options })
  const rec = { ws, messages: [], httpStatus: null, upgradeHeaders: null }
  rec.opened = new Promise((resolve, reject) => {
    ws.on('open', () => resolve())
    ws.on('unexpected-response', (_req, res) => {
      rec.httpStatus = res.statusCode
      rec.httpHeaders = res.headers
      let body = ''
      res.on('data', d => { body += d })
      res.on('end', () => { rec.httpBody = body; const e = new Error(`HTTP ${res.statusCode}`); e.status = res.statusCode; reject(e) })
    })
    ws.on('error', (e) => reject(e))
  })
  rec.opened.catch(() => {})
  ws.on('upgrade', (res) => { rec.upgradeHeaders = res.headers })
  ws.on('message', (data, isBinary) => rec.messages.push({ data: new Uint8Array(data), isBinary }))
  rec.closed = new Promise(resolve => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })))
  ws.on('error', () => {})
  onCleanup(() => { try { ws.terminate() } catch {} })
  return rec
}

// --- message builders (y-protocols' encoding, written by hand) ---------------------------------

export function syncStep1 (sv = new Uint8Array([0])) {
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, 0); encoding.writeVarUint(e, 0); encoding.writeVarUint8Array(e, sv)
  return encoding.toUint8Array(e)
}
export function syncUpdate (update) {
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, 0); encoding.writeVarUint(e, 2); encoding.writeVarUint8Array(e, update)
  return encoding.toUint8Array(e)
}
export function awarenessMessage (entries) {
  // entries: [{client, clock, state (string, written as var-string) | raw bytes}]
  const inner = encoding.createEncoder()
  encoding.writeVarUint(inner, entries.length)
  for (const en of entries) {
    encoding.writeVarUint(inner, en.client)
    encoding.writeVarUint(inner, en.clock)
    if (en.rawState) encoding.writeVarUint8Array(inner, en.rawState)
    else encoding.writeVarString(inner, en.state)
  }
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, 1); encoding.writeVarUint8Array(e, encoding.toUint8Array(inner))
  return encoding.toUint8Array(e)
}

// --- content of a document ---------------------------------------------------------------------

/**
 * The content of the roots the tests use, as comparable JSON: Y.Text 'text' as a delta (with
 * formatting), Y.Map 'map' as JSON, Y.XmlFragment 'xml' as its XML string.
 */
export function content (doc) {
  return canonical({
    text: doc.getText('text').toDelta(),
    map: doc.getMap('map').toJSON(),
    xml: doc.getXmlFragment('xml').toString()
  })
}

/**
 * JSON with object keys sorted (Yjs gives map entries and formatting attributes in the order a
 * peer integrated them, which differs between peers) and binary as {"$bytes": hex}.
 */
export function canonical (v) {
  const norm = (x) => {
    if (x instanceof Uint8Array) return { $bytes: Buffer.from(x).toString('hex') }
    if (Array.isArray(x)) return x.map(norm)
    if (x && typeof x === 'object') {
      if (typeof x.toJSON === 'function' && !(x.constructor === Object)) return norm(x.toJSON())
      const out = {}
      for (const k of Object.keys(x).sort()) out[k] = norm(x[k])
      return out
    }
    return x
  }
  return JSON.stringify(norm(v))
}

export function hex (u8) { return Buffer.from(u8).toString('hex') }

/**
 * A document's encodeStateAsUpdate in canonical form (hex): the update applied to a fresh Y.Doc
 * and encoded again. Peers that hold the same structs may still encode them differently: a
 * peer keeps the GC structs of its own deleted items apart where a peer that received them
 * merges them (Yjs 13.6), so raw encodings of converged peers can differ in struct layout.
 */
export function normalizedState (docOrUpdate) {
  const update = docOrUpdate instanceof Y.Doc ? Y.encodeStateAsUpdate(docOrUpdate) : docOrUpdate
  const fresh = new Y.Doc()
  Y.applyUpdate(fresh, update)
  return hex(Y.encodeStateAsUpdate(fresh))
}

/** Does state vector `sv` (Map) cover every entry of `need` (Map)? */
export function covers (sv, need) {
  for (const [client, clock] of need) if ((sv.get(client) ?? 0) < clock) return false
  return true
}

// --- snapshots ---------------------------------------------------------------------------------

/** Delete set as Map<client, [[start, end), ...]> sorted and merged. */
function dsRanges (ds) {
  const out = new Map()
  for (const [client, items] of ds.clients) {
    const rs = items.map(i => [i.clock, i.clock + i.len]).sort((a, b) => a[0] - b[0])
    const merged = []
    for (const r of rs) {
      if (merged.length && r[0] <= merged[merged.length - 1][1]) merged[merged.length - 1][1] = Math.max(merged[merged.length - 1][1], r[1])
      else merged.push([...r])
    }
    out.set(client, merged)
  }
  return out
}

/**
 * What of snapshot `snap` (Y.snapshot: state vector + delete set) `doc` lacks: null when `doc`
 * holds every struct and every deletion of `snap`, else a description of the first gap.
 */
export function missingFromSnapshot (doc, snap) {
  const have = Y.snapshot(doc)
  for (const [client, clock] of snap.sv) {
    const h = have.sv.get(client) ?? 0
    if (h < clock) return `client ${client}: clock ${h} < ${clock}`
  }
  const haveDs = dsRanges(have.ds)
  for (const [client, ranges] of dsRanges(snap.ds)) {
    const hs = haveDs.get(client) ?? []
    for (const [s, e] of ranges) {
      if (!hs.some(([hs0, he]) => hs0 <= s && e <= he)) return `client ${client}: deletion [${s}, ${e}) missing`
    }
  }
  return null
}
