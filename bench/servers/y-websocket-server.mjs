// Starts @y/websocket-server (in memory: no YPERSISTENCE) on 127.0.0.1:PORT for
// `tandem load`. Usage: node y-websocket-server.mjs PORT
// The same wiring as the package's own bin (src/server.js), with the `ws` version the package
// depends on, and the port from argv. The document name is the URL path without its leading
// slash (utils.js setupWSConnection), so ws://127.0.0.1:PORT/<name> serves document <name>.
// Prints "listening PORT" once it accepts.
import http from 'node:http'
import { createRequire } from 'node:module'

const port = Number.parseInt(process.argv[2] ?? '', 10)
if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  console.error('usage: node y-websocket-server.mjs PORT')
  process.exit(2)
}
// utils.js reads YPERSISTENCE when it is loaded: clear it first so documents stay in memory.
delete process.env.YPERSISTENCE
const { setupWSConnection } = await import('@y/websocket-server/utils')
const requireFromPackage = createRequire(createRequire(import.meta.url).resolve('@y/websocket-server/package.json'))
const WebSocket = requireFromPackage('ws')

const wss = new WebSocket.Server({ noServer: true })
wss.on('connection', setupWSConnection)
const server = http.createServer((_req, res) => {
  res.writeHead(200, { 'Content-Type': 'text/plain' })
  res.end('okay')
})
server.on('upgrade', (req, socket, head) => {
  wss.handleUpgrade(req, socket, head, ws => wss.emit('connection', ws, req))
})
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(0))
server.listen(port, '127.0.0.1', () => console.log(`listening ${port}`))
