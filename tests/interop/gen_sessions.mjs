#!/usr/bin/env node
// Differential random-session generator, JS side. Runs seeded random multi-peer editing sessions on
// real Yjs and writes them as JSONL (one session per line) for Tandem's crdt_session_runner.
// The format is specified in SESSIONS.md next to this file.
//
//   node gen_sessions.mjs --seed S --count N --out FILE [--ops K] [--peers P] [--start I]
//
// --out - writes to stdout (for piping into a soak run). Deterministic: the same arguments give the
// same bytes. Session I of a run is reproducible alone with --start I --count 1.

import * as Y from 'yjs'
import fs from 'node:fs'
import path from 'node:path'
import {
  Rng, deriveSeed, b64, tag, tagDelta, canonical, bytesEqual, encodeDeleteSetV1, selfCheckDeleteSet, YJS_VERSION
} from './common.mjs'

export const FORMAT = 'tandem-yjs-sessions/1'
export const REMOTE = Symbol('remote-apply')
export const ROOTS = ['text', 'map', 'array', 'xml']

export const getRoot = (doc, name) => {
  switch (name) {
    case 'text': return doc.getText('text')
    case 'map': return doc.getMap('map')
    case 'array': return doc.getArray('array')
    case 'xml': return doc.getXmlFragment('xml')
    default: throw new Error('unknown root ' + name)
  }
}

/** Resolves a path ([root, key|index, ...]) to a shared type of `doc`. */
export const resolvePath = (doc, p) => {
  let t = getRoot(doc, p[0])
  for (let i = 1; i < p.length; i++) {
    const seg = p[i]
    const next = t.get(seg)
    if (!(next instanceof Y.AbstractType)) throw new Error('path ' + JSON.stringify(p) + ' does not resolve to a type')
    t = next
  }
  return t
}

const kindOf = (t) => {
  if (t instanceof Y.XmlText) return 'xmlText'
  if (t instanceof Y.XmlElement) return 'xmlElement'
  if (t instanceof Y.XmlFragment) return 'xmlFragment'
  if (t instanceof Y.XmlHook) return 'xmlHook'
  if (t instanceof Y.Text) return 'text'
  if (t instanceof Y.Map) return 'map'
  if (t instanceof Y.Array) return 'array'
  throw new Error('unknown type')
}

/** Builds the Yjs value for a value spec of an op (see SESSIONS.md "Value specs"). */
export const buildValue = (spec) => {
  if ('json' in spec) return spec.json
  if ('binary' in spec) return new Uint8Array(Buffer.from(spec.binary, 'base64'))
  switch (spec.type) {
    case 'map': {
      const m = new Y.Map()
      for (const [k, v] of Object.entries(spec.init || {})) m.set(k, v)
      return m
    }
    case 'array': {
      const a = new Y.Array()
      if (spec.init && spec.init.length > 0) a.insert(0, spec.init)
      return a
    }
    case 'text': return new Y.Text(spec.init)
    default: throw new Error('bad value spec ' + JSON.stringify(spec))
  }
}

/** Applies one local op (its own transaction) to `doc`. Shared by the generator and replay_sessions.mjs. */
export const applyLocalOp = (doc, recordedOp) => {
  // Yjs may mutate what it is given (e.g. insertText adds null attributes): work on a copy.
  const op = structuredClone(recordedOp)
  doc.transact(() => {
    const t = resolvePath(doc, op.path)
    switch (op.op) {
      case 'text.insert': t.insert(op.index, op.text, op.attrs); break
      case 'text.delete': t.delete(op.index, op.length); break
      case 'text.format': t.format(op.index, op.length, op.attrs); break
      case 'text.embed': t.insertEmbed(op.index, op.embed, op.attrs); break
      case 'map.set': t.set(op.key, buildValue(op.value)); break
      case 'map.delete': t.delete(op.key); break
      case 'array.insert': t.insert(op.index, op.values.map(buildValue)); break
      case 'array.delete': t.delete(op.index, op.length); break
      case 'xml.insertElement': {
        const el = new Y.XmlElement(op.name)
        for (const [k, v] of Object.entries(op.attrs)) el.setAttribute(k, v)
        t.insert(op.index, [el])
        break
      }
      case 'xml.insertText': t.insert(op.index, [op.text === undefined ? new Y.XmlText() : new Y.XmlText(op.text)]); break
      case 'xml.setAttr': t.setAttribute(op.key, op.value); break
      case 'xml.removeAttr': t.removeAttribute(op.key); break
      case 'xml.delete': t.delete(op.index, op.length); break
      default: throw new Error('unknown local op ' + op.op)
    }
  })
}

/** The expectation snapshot of one peer (see SESSIONS.md "Snapshot"). */
export const snapshot = (doc) => {
  const ds = encodeDeleteSetV1(doc)
  selfCheckDeleteSet(doc, ds)
  return {
    json: {
      text: doc.getText('text').toJSON(),
      map: tag(doc.getMap('map').toJSON()),
      array: tag(doc.getArray('array').toJSON()),
      xml: doc.getXmlFragment('xml').toJSON()
    },
    delta: tagDelta(doc.getText('text').toDelta()),
    sv: b64(Y.encodeStateVector(doc)),
    ds: b64(ds),
    state: b64(Y.encodeStateAsUpdate(doc)),
    stateV2: b64(Y.encodeStateAsUpdateV2(doc)),
    pending: { structs: doc.store.pendingStructs !== null, ds: doc.store.pendingDs !== null }
  }
}

// ---------------------------------------------------------------------------------------------
// Random content
// ---------------------------------------------------------------------------------------------

const TEXT_PIECES = [
  // ASCII
  'a', 'b', 'xyz', 'hello', ' world', ' ', '\n', 'Yjs', '42', 'tab\there', '<&>"\'',
  // accented / combining
  'é', 'café', 'naïve', 'Ünïcödé', 'e\u0301', 'ñandú',
  // CJK / other BMP scripts
  '漢字', '中文', '日本語', 'かな', '한국어', 'Привет', 'שלום', 'مرحبا',
  // astral: emoji, modifiers, ZWJ sequences, flags, math letters
  '😀', '🎉🎉', '👍🏽', '👨‍👩‍👧‍👦', '🏳️‍🌈', '🇩🇪', '🇯🇵', '𝔸𝔹', '🧑‍💻', '❤️'
]
const MAP_KEYS = ['a', 'b', 'c', 'd', 'key', 'title', 'ключ', '😀', 'x y', '', '10', 'nested']
const ATTR_KEYS = ['class', 'id', 'data-x', 'style', 'href', 'lang']
const ELEMENT_NAMES = ['p', 'div', 'span', 'h1', 'li', 'ul', 'blockquote', 'Custom-Tag']
const OBJ_KEYS = ['a', 'b', 'name', 'value', 'list', 'x', 'ü', '7']

/** The UTF-16 content of a Y.Text / Y.XmlText, one placeholder unit per embed. */
const plainText = (t) => t.toDelta().map(d => typeof d.insert === 'string' ? d.insert : '\u0001').join('')

/** Whether UTF-16 offset i of s falls between the two halves of a surrogate pair. */
const isMidPair = (s, i) => i > 0 && i < s.length &&
  (s.charCodeAt(i - 1) & 0xfc00) === 0xd800 && (s.charCodeAt(i) & 0xfc00) === 0xdc00

const randText = (r, maxPieces = 3) => {
  let s = ''
  const n = r.int(1, maxPieces)
  for (let i = 0; i < n; i++) s += r.pick(TEXT_PIECES)
  return s
}

const randNumber = (r) => r.weighted([
  [4, () => r.int(-100, 100)],
  [2, () => r.int(-2147483648, 2147483647)],
  [1, () => r.pick([2147483647, -2147483647, -2147483648, 2147483648, 4294967296, 3000000000])],
  [1, () => (r.bool() ? 1 : -1) * r.u53()],
  [1, () => r.pick([Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER])],
  [2, () => Math.round((r.float() * 2000 - 1000) * 1e6) / 1e6],
  [1, () => r.pick([0.5, -1.25, 3.75, 1024.5, 0.1, 1e-7, -2.5e-300, 1.7976931348623157e308, 5e-324, 1e21])],
  [1, () => r.float() * Math.pow(10, r.int(-20, 20))]
])()

export const randJson = (r, depth = 2) => r.weighted([
  [4, () => randText(r, 2)],
  [4, () => randNumber(r)],
  [1, () => r.bool()],
  [1, () => null],
  [depth > 0 ? 1.5 : 0, () => { const n = r.int(0, 3); const a = []; for (let i = 0; i < n; i++) a.push(randJson(r, depth - 1)); return a }],
  [depth > 0 ? 1.5 : 0, () => { const n = r.int(0, 3); const o = {}; for (let i = 0; i < n; i++) o[r.pick(OBJ_KEYS)] = randJson(r, depth - 1); return o }]
])()

const randBytes = (r) => { const n = r.int(0, 8); const a = new Uint8Array(n); for (let i = 0; i < n; i++) a[i] = r.int(0, 255); return a }

const randTextAttrs = (r, allowNull) => {
  const attrs = {}
  const n = r.int(1, 2)
  for (let i = 0; i < n; i++) {
    const k = r.pick(['bold', 'italic', 'link', 'color', 'underline'])
    let v
    switch (k) {
      case 'bold': case 'italic': case 'underline': v = true; break
      case 'link': v = { href: 'https://example.com/' + r.pick(['a', 'b', 'ü', '?q=1']) }; break
      case 'color': v = r.pick(['#ff0000', '#00ff00', 'blue']); break
    }
    if (allowNull && r.bool(0.3)) v = null
    attrs[k] = v
  }
  return attrs
}

const randEmbed = (r) => r.pick([
  () => ({ image: 'https://example.com/img/' + r.int(0, 99) + '.png' }),
  () => ({ formula: 'e^{i\\pi}+1=0' }),
  () => ({ mention: { id: r.int(1, 1000), label: randText(r, 1) } }),
  () => ({ video: { src: 'v.mp4', w: 640, h: 480.5 } })
])()

const randValueSpec = (r, allowTypes, depth) => r.weighted([
  [10, () => ({ json: randJson(r) })],
  [1, () => ({ binary: b64(randBytes(r)) })],
  [allowTypes ? 2 : 0, () => {
    const init = {}
    const n = r.int(0, 2)
    for (let i = 0; i < n; i++) init[r.pick(MAP_KEYS)] = randJson(r, 1)
    return { type: 'map', init }
  }],
  [allowTypes ? 2 : 0, () => {
    const init = []
    const n = r.int(0, 3)
    for (let i = 0; i < n; i++) init.push(randJson(r, 1))
    return { type: 'array', init }
  }],
  [allowTypes ? 1 : 0, () => ({ type: 'text', init: r.bool(0.8) ? randText(r) : '' })]
])()

const randClientIds = (r, n) => {
  const ids = new Set()
  while (ids.size < n) {
    ids.add(r.weighted([
      [3, () => r.int(0, 20)],
      [3, () => r.u32()],
      [2, () => r.u53()],
      [1, () => r.pick([2 ** 32 - 1, 2 ** 32, 2 ** 32 + 1, 2 ** 53 - 1, 2 ** 53 - 2, 2 ** 31, 2 ** 31 - 1])]
    ])())
  }
  return [...ids]
}

// ---------------------------------------------------------------------------------------------
// Session
// ---------------------------------------------------------------------------------------------

class Session {
  constructor (seed, opts) {
    this.r = new Rng(seed)
    this.seed = seed
    const r = this.r
    const nPeers = opts.peers ?? r.int(2, 5)
    this.nOps = opts.ops ?? r.int(30, 60)
    this.ids = randClientIds(r, nPeers)
    this.updates = []
    this.ops = []
    this.emits = null
    this.peers = this.ids.map((id, i) => {
      const doc = new Y.Doc({ gc: true, guid: 'peer-' + i })
      doc.clientID = id
      for (const root of ROOTS) getRoot(doc, root)
      const peer = { i, doc, connected: true, inbox: [] }
      const onUpdate = (update, origin) => {
        if (origin === REMOTE) throw new Error('unexpected remote update event')
        const k = this.updates.length
        this.updates.push({ peer: i, v1: update, v2: null })
        if (this.emits === null) throw new Error('update emitted outside of an op')
        this.emits.push(k)
        if (peer.connected) {
          for (const q of this.peers) if (q !== peer && q.connected) q.inbox.push(k)
        }
      }
      const onUpdateV2 = (update, origin) => {
        const last = this.updates[this.updates.length - 1]
        if (!last || last.peer !== i || last.v2 !== null) throw new Error('updateV2 without matching update')
        last.v2 = update
      }
      // Only transactions whose origin is not REMOTE are recorded. To save the cost of encoding the
      // remote transactions' updates just to drop them, the update listeners are detached while a
      // remote transaction is cleaned up ('afterTransactionCleanup' fires right before Yjs checks for
      // 'update'/'updateV2' listeners, once per transaction, in order).
      let attached = false
      const setAttached = (want) => {
        if (want === attached) return
        if (want) { doc.on('update', onUpdate); doc.on('updateV2', onUpdateV2) } else { doc.off('update', onUpdate); doc.off('updateV2', onUpdateV2) }
        attached = want
      }
      setAttached(true)
      doc.on('afterTransactionCleanup', (tr) => setAttached(tr.origin !== REMOTE))
      return peer
    })
  }

  /** Runs fn, records op with the list of updates emitted meanwhile. */
  record (op, fn) {
    this.emits = []
    fn()
    if (this.emits.length > 0 || !['disconnect', 'reconnect', 'check'].includes(op.op)) op.emits = this.emits
    this.emits = null
    for (const p of this.peers) {
      if (p.doc.clientID !== this.ids[p.i]) throw new Error('Yjs changed the client id of peer ' + p.i)
    }
    this.ops.push(op)
  }

  targets (doc) {
    const out = []
    const visit = (t, p) => {
      const kind = kindOf(t)
      out.push({ t, path: p, kind })
      if (p.length >= 5) return
      if (kind === 'map') {
        for (const [k, v] of t.entries()) if (v instanceof Y.AbstractType) visit(v, [...p, k])
      } else if (kind === 'array' || kind === 'xmlFragment' || kind === 'xmlElement') {
        t.toArray().forEach((v, i) => { if (v instanceof Y.AbstractType) visit(v, [...p, i]) })
      }
    }
    for (const root of ROOTS) visit(getRoot(doc, root), [root])
    return out
  }

  randomLocalOp (peer) {
    const r = this.r
    const targets = this.targets(peer.doc)
    const target = r.weighted(targets.map(x => [x.path.length === 1 ? 3 : 1, x]))
    const { t, path: p, kind } = target
    const base = { peer: peer.i, path: p }
    switch (kind) {
      case 'text':
      case 'xmlText': {
        const len = t.length
        const what = len === 0 ? 'insert' : r.weighted([[45, 'insert'], [25, 'delete'], [18, 'format'], [kind === 'text' ? 8 : 0, 'embed']])
        if (what === 'insert') {
          const op = { op: 'text.insert', ...base, index: r.int(0, len), text: randText(r) }
          const a = r.weighted([[4, 'none'], [1, 'empty'], [5, 'attrs']])
          if (a === 'empty') op.attrs = {}
          if (a === 'attrs') op.attrs = randTextAttrs(r, true)
          return op
        }
        if (what === 'delete') {
          const index = r.int(0, len - 1)
          return { op: 'text.delete', ...base, index, length: r.int(1, Math.min(len - index, 8)) }
        }
        if (what === 'format') {
          // Format ranges never split a surrogate pair: Yjs splits the item at both ends of the range
          // but only ships the split if it inserts a format item there, so a split that stays local
          // (e.g. a format that changes nothing) turns the pair into U+FFFD U+FFFD on this peer only
          // and Yjs diverges. Inserts and deletes may split pairs (their boundaries always ship).
          const plain = plainText(t)
          let index = r.int(0, len - 1)
          let end = index + r.int(1, Math.min(len - index, 12))
          if (isMidPair(plain, index)) index--
          if (isMidPair(plain, end)) end++
          return { op: 'text.format', ...base, index, length: end - index, attrs: randTextAttrs(r, true) }
        }
        const op = { op: 'text.embed', ...base, index: r.int(0, len), embed: randEmbed(r) }
        if (r.bool()) op.attrs = randTextAttrs(r, false)
        return op
      }
      case 'map': {
        const keys = [...t.keys()]
        const what = keys.length === 0 ? 'set' : r.weighted([[70, 'set'], [30, 'delete']])
        if (what === 'delete') return { op: 'map.delete', ...base, key: r.pick(keys) }
        const key = r.bool(0.5) && keys.length > 0 ? r.pick(keys) : r.pick(MAP_KEYS)
        return { op: 'map.set', ...base, key, value: randValueSpec(r, p.length < 4, p.length) }
      }
      case 'array': {
        const len = t.length
        const what = len === 0 ? 'insert' : r.weighted([[65, 'insert'], [35, 'delete']])
        if (what === 'delete') {
          const index = r.int(0, len - 1)
          return { op: 'array.delete', ...base, index, length: r.int(1, Math.min(len - index, 4)) }
        }
        const n = r.weighted([[6, 1], [3, 2], [1, 4]])
        const values = []
        for (let i = 0; i < n; i++) values.push(randValueSpec(r, p.length < 4, p.length))
        return { op: 'array.insert', ...base, index: r.int(0, len), values }
      }
      case 'xmlFragment':
      case 'xmlElement': {
        const len = t.length
        const attrs = kind === 'xmlElement' ? Object.keys(t.getAttributes()) : []
        const what = r.weighted([
          [p.length < 4 ? 30 : 0, 'insertElement'],
          [30, 'insertText'],
          [len > 0 ? 15 : 0, 'delete'],
          [kind === 'xmlElement' ? 15 : 0, 'setAttr'],
          [attrs.length > 0 ? 8 : 0, 'removeAttr']
        ])
        switch (what) {
          case 'insertElement': {
            const a = {}
            const n = r.int(0, 2)
            for (let i = 0; i < n; i++) a[r.pick(ATTR_KEYS)] = randText(r, 2)
            return { op: 'xml.insertElement', ...base, index: r.int(0, len), name: r.pick(ELEMENT_NAMES), attrs: a }
          }
          case 'insertText': {
            const op = { op: 'xml.insertText', ...base, index: r.int(0, len) }
            if (r.bool(0.7)) op.text = randText(r)
            return op
          }
          case 'delete': {
            const index = r.int(0, len - 1)
            return { op: 'xml.delete', ...base, index, length: r.int(1, Math.min(len - index, 2)) }
          }
          case 'setAttr':
            return { op: 'xml.setAttr', ...base, key: r.bool(0.4) && attrs.length > 0 ? r.pick(attrs) : r.pick(ATTR_KEYS), value: randText(r, 2) }
          case 'removeAttr':
            return { op: 'xml.removeAttr', ...base, key: r.pick(attrs) }
        }
      }
    }
    throw new Error('no op for ' + kind)
  }

  local (peer) {
    const op = this.randomLocalOp(peer)
    this.record(op, () => applyLocalOp(peer.doc, op))
  }

  deliver (k, to) {
    const op = { op: 'deliver', update: k, to: to.i }
    this.record(op, () => Y.applyUpdate(to.doc, this.updates[k].v1, REMOTE))
  }

  sync (a, b) {
    const op = { op: 'sync', a: a.i, b: b.i }
    this.record(op, () => {
      const svA = Y.encodeStateVector(a.doc)
      const svB = Y.encodeStateVector(b.doc)
      const toA = Y.encodeStateAsUpdate(b.doc, svA)
      const toB = Y.encodeStateAsUpdate(a.doc, svB)
      op.toA = b64(toA)
      op.toB = b64(toB)
      Y.applyUpdate(a.doc, toA, REMOTE)
      Y.applyUpdate(b.doc, toB, REMOTE)
    })
  }

  disconnect (peer) {
    this.record({ op: 'disconnect', peer: peer.i }, () => { peer.connected = false; peer.inbox = [] })
  }

  reconnect (peer) {
    this.record({ op: 'reconnect', peer: peer.i }, () => { peer.connected = true; peer.inbox = [] })
  }

  check (peer) {
    this.record({ op: 'check', peer: peer.i, expect: snapshot(peer.doc) }, () => {})
  }

  randomDelivery () {
    const r = this.r
    const online = this.peers.filter(p => p.connected)
    if (online.length > 0 && this.updates.length > 0 && r.bool(0.08)) {
      // duplicate / early delivery of any update emitted by another peer
      const to = r.pick(online)
      const candidates = []
      this.updates.forEach((u, k) => { if (u.peer !== to.i) candidates.push(k) })
      if (candidates.length > 0) { this.deliver(r.pick(candidates), to); return true }
    }
    const waiting = online.filter(p => p.inbox.length > 0)
    if (waiting.length === 0) return false
    const to = r.pick(waiting)
    const pos = r.bool(0.6) ? 0 : r.int(0, to.inbox.length - 1)
    const [k] = to.inbox.splice(pos, 1)
    this.deliver(k, to)
    return true
  }

  step () {
    const r = this.r
    const online = this.peers.filter(p => p.connected)
    const offline = this.peers.filter(p => !p.connected)
    const what = r.weighted([
      [60, 'local'],
      [28, 'deliver'],
      [online.length >= 2 ? 3 : 0, 'sync'],
      [online.length >= 2 ? 3 : 0, 'disconnect'],
      [offline.length > 0 ? 5 : 0, 'reconnect'],
      [2, 'check']
    ])
    switch (what) {
      case 'local': this.local(r.pick(this.peers)); break
      case 'deliver': if (!this.randomDelivery()) this.local(r.pick(this.peers)); break
      case 'sync': {
        const a = r.pick(online)
        const b = r.pick(online.filter(p => p !== a))
        this.sync(a, b)
        break
      }
      case 'disconnect': this.disconnect(r.pick(online)); break
      case 'reconnect': {
        const p = r.pick(offline)
        this.reconnect(p)
        // like y-protocols on connect: sync with every online peer
        for (const q of this.peers) if (q !== p && q.connected) this.sync(p, q)
        break
      }
      case 'check': this.check(r.pick(this.peers)); break
    }
  }

  finish () {
    for (const p of this.peers) if (!p.connected) this.reconnect(p)
    for (let round = 0; ; round++) {
      if (round > 20) throw new Error('final phase did not quiesce')
      const before = this.updates.length
      while (this.peers.some(p => p.inbox.length > 0)) {
        const waiting = this.peers.filter(p => p.inbox.length > 0)
        const to = this.r.pick(waiting)
        const [k] = to.inbox.splice(this.r.int(0, to.inbox.length - 1), 1)
        this.deliver(k, to)
      }
      for (let a = 0; a < this.peers.length; a++) {
        for (let b = a + 1; b < this.peers.length; b++) this.sync(this.peers[a], this.peers[b])
      }
      if (this.updates.length === before) break
    }
  }

  run () {
    for (let i = 0; i < this.nOps; i++) this.step()
    this.finish()
    // Convergence: Yjs itself must converge, otherwise this generator is wrong. Converged means equal
    // content, state vector and delete set. The struct layout (and so encodeStateAsUpdate bytes) is
    // NOT always equal across peers in Yjs: adjacent GC structs merge or not depending on history.
    const snaps = this.peers.map(p => snapshot(p.doc))
    snaps.forEach((s, i) => {
      assertConverged(snaps[0], s, `peer 0 vs peer ${i}`)
      if (s.pending.structs || s.pending.ds) throw new Error(`peer ${i} has pending structs/deletes after the final sync`)
    })
    const merged = Y.mergeUpdates(this.updates.map(u => u.v1))
    const mergedV2 = Y.mergeUpdatesV2(this.updates.map(u => u.v2))
    // A fresh doc rebuilt from the merge. Loading can make Yjs run a formatting cleanup that the
    // peers never ran (it deletes format items it finds redundant), so its delete set may hold more
    // than the peers' and it emits the cleanup's update(s): those are recorded in merged.emits.
    const freshId = freshClientId(this.ids)
    const fresh = freshDoc(freshId)
    const freshEmits = []
    fresh.on('update', (u, origin) => { if (origin !== REMOTE) freshEmits.push(u) })
    Y.applyUpdate(fresh, merged, REMOTE)
    const freshV2 = freshDoc(freshId)
    Y.applyUpdateV2(freshV2, mergedV2, REMOTE)
    const mergedSnap = snapshot(fresh)
    assertConverged(snaps[0], mergedSnap, 'peer 0 vs doc rebuilt from mergeUpdates(v1 updates)', freshEmits.length > 0 ? ['ds'] : [])
    assertConverged(mergedSnap, snapshot(freshV2), 'docs rebuilt from merged v1 and merged v2 updates')
    fresh.destroy(); freshV2.destroy()
    return {
      merged: { v1: b64(merged), v2: b64(mergedV2), clientId: freshId, emits: freshEmits.map(b64), expect: mergedSnap },
      final: snaps
    }
  }
}

/** A doc like the peers' but without observers (used to rebuild from merged updates). */
export const freshDoc = (clientId) => {
  const d = new Y.Doc({ gc: true, guid: 'fresh' })
  d.clientID = clientId
  for (const root of ROOTS) getRoot(d, root)
  return d
}

/** The smallest client id no peer uses. */
export const freshClientId = (ids) => { let id = 0; while (ids.includes(id)) id++; return id }

const CONVERGED_FIELDS = ['json', 'delta', 'sv', 'ds']

/** Throws unless two snapshots agree on content, state vector and delete set. */
export const assertConverged = (a, b, what, except = []) => {
  const diff = CONVERGED_FIELDS.filter(k => !except.includes(k) && canonical(a[k]) !== canonical(b[k]))
  if (diff.length > 0) {
    throw new Error(`Yjs did not converge (${what}):\n` +
      diff.map(k => `  ${k}:\n    ${canonical(a[k])}\n    ${canonical(b[k])}`).join('\n'))
  }
}

export const generateSession = (runSeed, index, opts = {}) => {
  const sessionSeed = deriveSeed(runSeed, index)
  const s = new Session(sessionSeed, opts)
  const { merged, final } = s.run()
  const line = {
    format: FORMAT,
    yjs: YJS_VERSION,
    seed: runSeed,
    index,
    sessionSeed,
    peers: s.ids,
    gc: true,
    ops: s.ops,
    updates: s.updates.map(u => ({ peer: u.peer, v1: b64(u.v1), v2: b64(u.v2) })),
    final,
    merged
  }
  for (const p of s.peers) p.doc.destroy()
  return line
}

// ---------------------------------------------------------------------------------------------
// CLI
// ---------------------------------------------------------------------------------------------

const parseArgs = (argv) => {
  const args = { seed: null, count: null, out: null, ops: undefined, peers: undefined, start: 0 }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    const val = () => {
      if (i + 1 >= argv.length) throw new Error('missing value for ' + a)
      return argv[++i]
    }
    const int = (v, name) => {
      if (!/^\d+$/.test(v) || !Number.isSafeInteger(Number(v))) throw new Error(`${name} must be a non-negative integer < 2^53`)
      return Number(v)
    }
    switch (a) {
      case '--seed': args.seed = int(val(), '--seed'); break
      case '--count': args.count = int(val(), '--count'); break
      case '--out': args.out = val(); break
      case '--ops': args.ops = int(val(), '--ops'); break
      case '--peers': args.peers = int(val(), '--peers'); break
      case '--start': args.start = int(val(), '--start'); break
      case '-h': case '--help': args.help = true; break
      default: throw new Error('unknown argument ' + a)
    }
  }
  return args
}

const USAGE = 'usage: node gen_sessions.mjs --seed S --count N --out FILE|- [--ops K] [--peers P] [--start I]'

const main = () => {
  let args
  try {
    args = parseArgs(process.argv.slice(2))
  } catch (e) {
    console.error(e.message + '\n' + USAGE)
    process.exit(2)
  }
  if (args.help) { console.log(USAGE); return }
  if (args.seed === null || args.count === null || args.out === null) {
    console.error(USAGE)
    process.exit(2)
  }
  if (args.peers !== undefined && (args.peers < 1 || args.peers > 64)) {
    console.error('--peers must be in [1, 64]')
    process.exit(2)
  }
  let fd
  if (args.out === '-') {
    fd = 1
  } else {
    fs.mkdirSync(path.dirname(path.resolve(args.out)), { recursive: true })
    fd = fs.openSync(args.out, 'w')
  }
  const t0 = process.hrtime.bigint()
  let buf = ''
  for (let i = args.start; i < args.start + args.count; i++) {
    let line
    try {
      line = generateSession(args.seed, i, { ops: args.ops, peers: args.peers })
    } catch (e) {
      console.error(`gen_sessions: seed ${args.seed} session ${i}: ${e.stack || e}`)
      process.exit(1)
    }
    buf += JSON.stringify(line) + '\n'
    if (buf.length > 1 << 20) { writeAll(fd, buf); buf = '' }
  }
  writeAll(fd, buf)
  if (fd !== 1) fs.closeSync(fd)
  const ms = Number(process.hrtime.bigint() - t0) / 1e6
  console.error(`gen_sessions: seed ${args.seed}: ${args.count} sessions (from index ${args.start}) in ${(ms / 1000).toFixed(2)} s -> ${args.out}`)
}

const writeAll = (fd, s) => {
  const b = Buffer.from(s, 'utf8')
  let off = 0
  while (off < b.length) {
    try {
      off += fs.writeSync(fd, b, off, b.length - off)
    } catch (e) {
      if (e.code === 'EAGAIN') continue
      if (e.code === 'EPIPE') process.exit(0)
      throw e
    }
  }
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('gen_sessions.mjs')) main()
