// Shared helpers for the Node side of Tandem's Yjs compatibility proof.
// Used by gen_fixtures.mjs and gen_sessions.mjs. Real Yjs (pinned in package.json) is the oracle.

import * as Y from 'yjs'
import * as encoding from 'lib0/encoding'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
export const YJS_VERSION = require('yjs/package.json').version
export const LIB0_VERSION = JSON.parse(
  (await import('node:fs')).readFileSync(new URL('./node_modules/lib0/package.json', import.meta.url), 'utf8')
).version

// ---------------------------------------------------------------------------------------------
// Deterministic PRNG: sfc32 seeded through splitmix32. Never use Math.random in this folder.
// ---------------------------------------------------------------------------------------------

const splitmix32 = (state) => () => {
  state = (state + 0x9e3779b9) | 0
  let z = state
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b)
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35)
  return (z ^ (z >>> 16)) >>> 0
}

export class Rng {
  /** @param {number} seed any integer in [0, 2^53) */
  constructor (seed) {
    const lo = seed % 0x100000000
    const hi = Math.floor(seed / 0x100000000)
    const sm = splitmix32((lo ^ Math.imul(hi, 0x27d4eb2f)) >>> 0)
    this.a = sm(); this.b = sm(); this.c = sm(); this.d = sm() | 1
    for (let i = 0; i < 12; i++) this.u32()
  }

  /** @return {number} uniform uint32 */
  u32 () {
    let { a, b, c, d } = this
    const t = (((a + b) | 0) + d) | 0
    d = (d + 1) | 0
    a = b ^ (b >>> 9)
    b = (c + (c << 3)) | 0
    c = (c << 21) | (c >>> 11)
    c = (c + t) | 0
    this.a = a; this.b = b; this.c = c; this.d = d
    return t >>> 0
  }

  /** @return {number} float in [0, 1) */
  float () { return this.u32() / 0x100000000 }
  /** integer in [min, max] (inclusive), max - min < 2^32 */
  int (min, max) { return min + Math.floor(this.float() * (max - min + 1)) }
  /** integer in [0, 2^53) */
  u53 () { return (this.u32() & 0x1fffff) * 0x100000000 + this.u32() }
  bool (p = 0.5) { return this.float() < p }
  pick (arr) { return arr[Math.floor(this.float() * arr.length)] }
  /** @param {Array<[number, any]>} table weighted choice */
  weighted (table) {
    let total = 0
    for (const [w] of table) total += w
    let r = this.float() * total
    for (const [w, v] of table) {
      if (r < w) return v
      r -= w
    }
    return table[table.length - 1][1]
  }
}

/** Derives the seed of session `index` of a run started with `seed` (both < 2^53). */
export const deriveSeed = (seed, index) => {
  const r = new Rng((seed + Math.imul(index + 1, 0x9e3779b1)) % 0x20000000000000)
  return r.u53()
}

// ---------------------------------------------------------------------------------------------
// Encodings
// ---------------------------------------------------------------------------------------------

export const b64 = (u8) => Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength).toString('base64')
export const fromB64 = (s) => new Uint8Array(Buffer.from(s, 'base64'))
export const bytesEqual = (a, b) => a.length === b.length && Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0

/**
 * The delete set of a doc encoded with DSEncoderV1, exactly as yjs' internal
 * `writeDeleteSet(new DSEncoderV1(), createDeleteSetFromStructStore(doc.store))` does it
 * (writeDeleteSet / DSEncoderV1 are not exported by the yjs package; UpdateEncoderV1 extends
 * DSEncoderV1 and writes delete sets identically). This is also the tail of
 * Y.encodeStateAsUpdate(doc) after the struct section; selfCheckDeleteSet() asserts that.
 */
export const encodeDeleteSetV1 = (doc) => {
  const ds = Y.createDeleteSetFromStructStore(doc.store)
  const encoder = new Y.UpdateEncoderV1()
  encoding.writeVarUint(encoder.restEncoder, ds.clients.size)
  Array.from(ds.clients.entries())
    .sort((a, b) => b[0] - a[0])
    .forEach(([client, dsitems]) => {
      encoder.resetDsCurVal()
      encoding.writeVarUint(encoder.restEncoder, client)
      encoding.writeVarUint(encoder.restEncoder, dsitems.length)
      for (const item of dsitems) {
        encoder.writeDsClock(item.clock)
        encoder.writeDsLen(item.len)
      }
    })
  return encoder.toUint8Array()
}

/**
 * For a doc without pending structs/deletes, Y.encodeStateAsUpdate(doc, Y.encodeStateVector(doc))
 * is the byte 0 (no structs) followed by the V1 delete set. Throws if encodeDeleteSetV1 disagrees.
 */
export const selfCheckDeleteSet = (doc, ds) => {
  if (doc.store.pendingStructs !== null || doc.store.pendingDs !== null) return
  const tail = Y.encodeStateAsUpdate(doc, Y.encodeStateVector(doc))
  if (tail[0] !== 0 || !bytesEqual(tail.subarray(1), ds)) {
    throw new Error('encodeDeleteSetV1 disagrees with the tail of Y.encodeStateAsUpdate')
  }
}

// ---------------------------------------------------------------------------------------------
// JSON with tags for values plain JSON can't hold (see tests/fixtures/golden/README.md)
// ---------------------------------------------------------------------------------------------

/** Converts a toJSON()/toDelta() value into plain JSON, tagging what JSON can't represent. */
export const tag = (v) => {
  if (v === undefined) return { $undefined: true }
  if (v === null) return null
  switch (typeof v) {
    case 'number':
      if (Object.is(v, -0)) return { $number: '-0' }
      if (!Number.isFinite(v)) return { $number: String(v) }
      return v
    case 'bigint':
      return { $bigint: v.toString() }
    case 'string':
    case 'boolean':
      return v
    case 'object':
      if (v instanceof Uint8Array) return { $bytes: b64(v) }
      if (Array.isArray(v)) return v.map(tag)
      if (v instanceof Y.Doc) {
        // a subdocument (ContentDoc): its guid and the opts ContentDoc encodes
        const opts = {}
        if (!v.gc) opts.gc = false
        if (v.autoLoad) opts.autoLoad = true
        if (v.meta !== null) opts.meta = tag(v.meta)
        return { $doc: { guid: v.guid, opts } }
      }
      if (v instanceof Y.AbstractType) return { $type: v.constructor.name, json: tag(v.toJSON()) }
      if (v instanceof Date) return { $date: v.toISOString() } // only seen before encoding
      if (Object.getPrototypeOf(v) !== Object.prototype && Object.getPrototypeOf(v) !== null) {
        throw new Error('tag: unexpected object ' + v.constructor.name)
      }
      {
        const out = {}
        for (const k of Object.keys(v)) out[k] = tag(v[k])
        return out
      }
    default:
      throw new Error('tag: unexpected ' + typeof v)
  }
}

/** toDelta() with embeds/attributes tagged. */
export const tagDelta = (delta) => delta.map(d => {
  const out = {}
  for (const k of Object.keys(d)) out[k] = tag(d[k])
  return out
})

/** JSON text with object keys sorted recursively (object member order is not significant). */
export const canonical = (v) => JSON.stringify(v, (_k, x) => {
  if (x !== null && typeof x === 'object' && !Array.isArray(x)) {
    const out = {}
    for (const k of Object.keys(x).sort()) out[k] = x[k]
    return out
  }
  return x
})

/** Structural equality on tagged JSON, ignoring object member order. */
export const jsonEqual = (a, b) => canonical(a) === canonical(b)
