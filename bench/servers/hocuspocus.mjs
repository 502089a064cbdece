// Starts @hocuspocus/server (in memory, no extensions) on 127.0.0.1:PORT for `tandem load`.
// Usage: node hocuspocus.mjs PORT
// Any document name is served: Hocuspocus takes the name from the first field of every
// message (its provider's framing), not from the URL path, so ws://127.0.0.1:PORT/<name> is
// only a convention of the load generator. Prints "listening PORT" once it accepts.
import { Server } from '@hocuspocus/server'

const port = Number.parseInt(process.argv[2] ?? '', 10)
if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  console.error('usage: node hocuspocus.mjs PORT')
  process.exit(2)
}

const server = new Server({
  port,
  address: '127.0.0.1',
  quiet: true,
  stopOnSignals: true,
  extensions: []
})
await server.listen()
console.log(`listening ${port}`)
