// Checks each launcher with the stock clients of its ecosystem: two HocuspocusProvider clients
// through hocuspocus.mjs, two y-websocket WebsocketProvider clients through
// y-websocket-server.mjs. Each pair edits one Y.Text concurrently and must converge; then a
// third, fresh client must receive the same text. Usage: node check_peers.mjs
// Prints one line per server and exits non-zero if either fails.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import net from 'node:net'
import WebSocket from 'ws'
import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'
import { HocuspocusProvider } from '@hocuspocus/provider'

const here = new URL('.', import.meta.url).pathname

const freePort = () => new Promise((resolve, reject) => {
  const srv = net.createServer()
  srv.listen(0, '127.0.0.1', () => { const { port } = srv.address(); srv.close(() => resolve(port)) })
  srv.on('error', reject)
})

async function startServer (script) {
  const port = await freePort()
  const child = spawn(process.execPath, [here + script, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  child.stdout.setEncoding('utf8')
  for await (const chunk of child.stdout) {
    out += chunk
    if (out.includes('listening')) break
  }
  return { port, child }
}

const until = async (what, pred, ms = 20000) => {  // a hang guard, not a timing bound
  const end = Date.now() + ms
  while (!pred()) {
    if (Date.now() > end) throw new Error('timed out waiting for ' + what)
    await new Promise(resolve => setTimeout(resolve, 10))
  }
}

function yWebsocketClient (port, name) {
  const doc = new Y.Doc()
  const provider = new WebsocketProvider(`ws://127.0.0.1:${port}`, name, doc, { WebSocketPolyfill: WebSocket })
  return { doc, isSynced: () => provider.synced, destroy: () => provider.destroy() }
}

function hocuspocusClient (port, name) {
  const doc = new Y.Doc()
  const provider = new HocuspocusProvider({ url: `ws://127.0.0.1:${port}/${name}`, name, document: doc, WebSocketPolyfill: WebSocket })
  return { doc, isSynced: () => provider.synced, destroy: () => provider.destroy() }
}

async function check (label, script, makeClient) {
  const { port, child } = await startServer(script)
  const clients = []
  try {
    const a = makeClient(port, 'check-doc'); clients.push(a)
    const b = makeClient(port, 'check-doc'); clients.push(b)
    const other = makeClient(port, 'other-doc'); clients.push(other)
    await until('sync', () => a.isSynced() && b.isSynced() && other.isSynced())
    for (let i = 0; i < 50; i++) {
      a.doc.getText('t').insert(0, 'a' + i)
      b.doc.getText('t').insert(b.doc.getText('t').length, '😀' + i)
    }
    other.doc.getText('t').insert(0, 'elsewhere')
    const text = c => c.doc.getText('t').toString()
    await until('convergence', () => text(a) === text(b) && text(a).length > 0 && text(a).includes('😀49') && text(a).includes('a49'))
    const fresh = makeClient(port, 'check-doc'); clients.push(fresh)
    await until('fresh client', () => fresh.isSynced() && text(fresh) === text(a))
    if (text(a).includes('elsewhere')) throw new Error('documents leaked into each other')
    console.log(`${label}: ok (${text(a).length} UTF-16 units converged on 3 clients)`)
    return true
  } catch (e) {
    console.log(`${label}: FAILED: ${e.message}`)
    return false
  } finally {
    for (const c of clients) c.destroy()
    child.kill('SIGTERM')
    await once(child, 'exit')
  }
}

const ok1 = await check('y-websocket-server + WebsocketProvider', 'y-websocket-server.mjs', yWebsocketClient)
const ok2 = await check('hocuspocus + HocuspocusProvider', 'hocuspocus.mjs', hocuspocusClient)
process.exit(ok1 && ok2 ? 0 : 1)
