#!/usr/bin/env node
// Golden fixture generator: builds small, varied documents and updates with real Yjs and writes them to
// tests/fixtures/golden/ (format: tests/fixtures/golden/README.md). Deterministic: fixed client ids,
// fixed subdocument guids, a seeded PRNG for the randomized ones. Run: cd tests/interop && node gen_fixtures.mjs

import * as Y from 'yjs'
import * as encoding from 'lib0/encoding'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  Rng, b64, tag, tagDelta, canonical, bytesEqual, encodeDeleteSetV1, selfCheckDeleteSet, YJS_VERSION, LIB0_VERSION
} from './common.mjs'

const HERE = path.dirname(fileURLToPath(import.meta.url))
// --out DIR writes elsewhere (used by the up-to-date check); default: tests/fixtures/golden
const outArg = process.argv.indexOf('--out')
const GOLDEN = path.resolve(HERE, '../fixtures/golden')
const OUT = outArg > 0 ? path.resolve(process.argv[outArg + 1]) : GOLDEN
const REMOTE = Symbol('remote')

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

const ROOT_GETTERS = {
  text: (doc, name) => doc.getText(name),
  map: (doc, name) => doc.getMap(name),
  array: (doc, name) => doc.getArray(name),
  xml: (doc, name) => doc.getXmlFragment(name)
}

/** Creates a doc with a fixed client id whose non-remote updates are appended to `log`. */
const mkDoc = (clientID, log, opts = {}) => {
  const doc = new Y.Doc({ gc: true, guid: 'fixture-' + clientID, ...opts })
  doc.clientID = clientID
  if (log) {
    doc.on('update', (u, origin) => { if (origin !== REMOTE) log.push({ v1: u, v2: null }) })
    doc.on('updateV2', (u, origin) => { if (origin !== REMOTE) log[log.length - 1].v2 = u })
  }
  return doc
}

/** Two-way state vector sync, as a network provider would do it. */
const sync = (a, b) => {
  const toA = Y.encodeStateAsUpdate(b, Y.encodeStateVector(a))
  const toB = Y.encodeStateAsUpdate(a, Y.encodeStateVector(b))
  Y.applyUpdate(a, toA, REMOTE)
  Y.applyUpdate(b, toB, REMOTE)
}
const syncAll = (docs) => {
  for (let round = 0; round < 2; round++) {
    for (let i = 0; i < docs.length; i++) for (let j = i + 1; j < docs.length; j++) sync(docs[i], docs[j])
  }
}

/** JSON description of the roots of `doc`. */
const describeRoots = (doc, roots) => {
  const out = {}
  for (const [name, type] of Object.entries(roots)) {
    const t = ROOT_GETTERS[type](doc, name)
    const entry = { type, json: type === 'xml' ? t.toJSON() : tag(t.toJSON()) }
    if (type === 'text') entry.delta = tagDelta(t.toDelta())
    out[name] = entry
  }
  return out
}

/**
 * Loads an update into a fresh doc (client id 0, which no fixture uses). Loading is a remote
 * transaction, which may make Yjs run a formatting cleanup; the v1 updates that emits are pushed to
 * `emits` when given. With `roots` ({name: type}) the roots are defined (typed) before the update is
 * applied: Yjs only runs the cleanup on a root that is already a Y.Text when the update arrives.
 */
const loadV1 = (u, gc = true, emits = null, roots = null) => {
  const d = new Y.Doc({ gc, guid: 'load' })
  d.clientID = 0
  if (roots) for (const [name, type] of Object.entries(roots)) ROOT_GETTERS[type](d, name)
  if (emits) d.on('update', (x, origin) => { if (origin !== REMOTE) emits.push(x) })
  Y.applyUpdate(d, u, REMOTE)
  return d
}
const loadV2 = (u, gc = true) => { const d = new Y.Doc({ gc, guid: 'load' }); d.clientID = 0; Y.applyUpdateV2(d, u, REMOTE); return d }

const pendingOf = (doc) => ({ structs: doc.store.pendingStructs !== null, ds: doc.store.pendingDs !== null })

/** [[client, clock], ...] sorted by client, for a Map<client, clock>. */
const pairs = (m) => [...m.entries()].sort((a, b) => a[0] - b[0])

/** Encodes a state vector by hand (lets a fixture use a clock that falls inside an item). */
const encodeSV = (entries) => {
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, entries.length)
  for (const [client, clock] of entries) { encoding.writeVarUint(e, client); encoding.writeVarUint(e, clock) }
  return encoding.toUint8Array(e)
}

// ---------------------------------------------------------------------------------------------
// Fixture registry
// ---------------------------------------------------------------------------------------------

const files = new Map() // file name -> bytes | string
const manifest = []

const writeBin = (name, bytes) => { if (files.has(name)) throw new Error('duplicate ' + name); files.set(name, bytes); return name }
const writeJson = (name, obj) => { if (files.has(name)) throw new Error('duplicate ' + name); files.set(name, JSON.stringify(obj, null, 1) + '\n'); return name }

/**
 * A document fixture: build() returns { doc, roots: {name: type}, log?: [{v1, v2}] , notes? }.
 * Writes NAME.v1.bin, NAME.v2.bin, NAME.json.
 */
const docFixture = (name, description, build) => {
  const { doc, roots, log = [], notes } = build()
  const gc = doc.gc
  const v1 = Y.encodeStateAsUpdate(doc)
  const v2 = Y.encodeStateAsUpdateV2(doc)
  const ds = encodeDeleteSetV1(doc)
  selfCheckDeleteSet(doc, ds)
  // What a decoder sees: the roots of a fresh doc loaded from the v1 bytes.
  const loadEmits = []
  const fromV1 = loadV1(v1, gc, loadEmits)
  const fromV2 = loadV2(v2, gc)
  const rootsJson = describeRoots(fromV1, roots)
  if (canonical(rootsJson) !== canonical(describeRoots(fromV2, roots))) throw new Error(name + ': v1 and v2 decode differently')
  const original = describeRoots(doc, roots)
  const originalDiffers = canonical(rootsJson) !== canonical(original)
  if (originalDiffers && !notes) throw new Error(name + ': decoded roots differ from the original doc:\n' + canonical(original) + '\n' + canonical(rootsJson))
  // Replaying the recorded updates in order must give the same content.
  const replay = new Y.Doc({ gc, guid: 'replay' })
  for (const u of log) Y.applyUpdate(replay, u.v1, REMOTE)
  if (log.length > 0 && canonical(describeRoots(replay, roots)) !== canonical(rootsJson)) throw new Error(name + ': replaying updates gives other content')
  const loadEmitsTyped = []
  const typed = loadV1(v1, gc, loadEmitsTyped, roots)
  if (canonical(describeRoots(typed, roots)) !== canonical(rootsJson)) throw new Error(name + ': typed-roots load gives other content')
  const reencodedV1 = Y.encodeStateAsUpdate(fromV1)
  const reencodedV2 = Y.encodeStateAsUpdateV2(fromV2)
  const json = {
    name,
    kind: 'doc',
    description,
    gc,
    roots: rootsJson,
    stateVector: b64(Y.encodeStateVector(doc)),
    deleteSet: b64(ds),
    pending: pendingOf(doc),
    updates: log.map(u => b64(u.v1)),
    updatesV2: log.map(u => b64(u.v2)),
    reencodeStable: { v1: bytesEqual(reencodedV1, v1), v2: bytesEqual(reencodedV2, v2) },
    loadEmits: loadEmits.map(b64),
    loadEmitsTypedRoots: loadEmitsTyped.map(b64)
  }
  if (loadEmitsTyped.length > 0) json.deleteSetTypedRoots = b64(encodeDeleteSetV1(typed))
  if (!json.reencodeStable.v1) json.reencodedV1 = b64(reencodedV1)
  if (!json.reencodeStable.v2) json.reencodedV2 = b64(reencodedV2)
  if (notes) json.notes = notes
  if (originalDiffers) json.originalRoots = original
  const entry = {
    name,
    kind: 'doc',
    description,
    files: [writeBin(name + '.v1.bin', v1), writeBin(name + '.v2.bin', v2), writeJson(name + '.json', json)]
  }
  manifest.push(entry)
}

/**
 * An update fixture (an update that is not a whole doc state, e.g. with Skip structs or missing
 * dependencies). build() returns { v1, v2?, roots, description of the result, notes? }.
 * Writes NAME.update.v1.bin, NAME.update.v2.bin, NAME.json.
 */
const updateFixture = (name, description, build) => {
  const { v1, v2 = Y.convertUpdateFormatV1ToV2(v1), roots, notes, gc = true, expectLoadCleanup = false } = build()
  const applied = (typedRoots) => {
    const loadEmits = []
    const doc = loadV1(v1, gc, loadEmits, typedRoots ? roots : null)
    const docV2 = loadV2(v2, gc)
    if (typedRoots) for (const [n, t] of Object.entries(roots)) ROOT_GETTERS[t](docV2, n)
    const result = {
      roots: describeRoots(doc, roots),
      stateVector: b64(Y.encodeStateVector(doc)),
      deleteSet: b64(encodeDeleteSetV1(doc)),
      pending: pendingOf(doc),
      stateV1: b64(Y.encodeStateAsUpdate(doc)),
      stateV2: b64(Y.encodeStateAsUpdateV2(doc)),
      loadEmits: loadEmits.map(b64)
    }
    if (canonical(describeRoots(docV2, roots)) !== canonical(result.roots) || canonical(pendingOf(docV2)) !== canonical(result.pending)) {
      throw new Error(name + ': v1 and v2 update apply differently')
    }
    return result
  }
  const result = applied(false)
  const resultTyped = applied(true)
  if (expectLoadCleanup !== (resultTyped.loadEmits.length > 0)) throw new Error(name + ': load cleanup expectation failed')
  const meta = Y.parseUpdateMeta(v1)
  const metaV2 = Y.parseUpdateMetaV2(v2)
  if (canonical(pairs(meta.from)) !== canonical(pairs(metaV2.from)) || canonical(pairs(meta.to)) !== canonical(pairs(metaV2.to))) throw new Error(name + ': meta v1/v2')
  const json = {
    name,
    kind: 'update',
    description,
    gc,
    applyToFreshDoc: result,
    applyToFreshDocTypedRoots: resultTyped,
    parseUpdateMeta: { from: pairs(meta.from), to: pairs(meta.to) },
    encodeStateVectorFromUpdate: b64(Y.encodeStateVectorFromUpdate(v1)),
    encodeStateVectorFromUpdateV2: b64(Y.encodeStateVectorFromUpdateV2(v2))
  }
  if (notes) json.notes = notes
  manifest.push({
    name,
    kind: 'update',
    description,
    files: [writeBin(name + '.update.v1.bin', v1), writeBin(name + '.update.v2.bin', v2), writeJson(name + '.json', json)]
  })
}

/**
 * Update-level operations on some input updates. inputs: [{v1, v2?}], svs: named state vectors.
 * Writes NAME.inK.v1.bin / .v2.bin and one file per binary result; results are listed in the manifest
 * entry's "operations" (and in NAME.json).
 */
const updateOpsFixture = (name, description, build) => {
  const { inputs, diffStateVectors = [], notes } = build()
  const entryFiles = []
  const ins = inputs.map((u, k) => {
    const v2 = u.v2 || Y.convertUpdateFormatV1ToV2(u.v1)
    entryFiles.push(writeBin(`${name}.in${k}.v1.bin`, u.v1), writeBin(`${name}.in${k}.v2.bin`, v2))
    return { v1: u.v1, v2, f1: `${name}.in${k}.v1.bin`, f2: `${name}.in${k}.v2.bin` }
  })
  const ops = []
  const out = (suffix, bytes) => { const f = `${name}.${suffix}.bin`; entryFiles.push(writeBin(f, bytes)); return f }
  const merged = Y.mergeUpdates(ins.map(i => i.v1))
  const mergedV2 = Y.mergeUpdatesV2(ins.map(i => i.v2))
  ops.push({ fn: 'mergeUpdates', inputs: ins.map(i => i.f1), output: out('merged.v1', merged) })
  ops.push({ fn: 'mergeUpdatesV2', inputs: ins.map(i => i.f2), output: out('merged.v2', mergedV2) })
  const mf1 = `${name}.merged.v1.bin`
  const mf2 = `${name}.merged.v2.bin`
  ops.push({ fn: 'encodeStateVectorFromUpdate', inputs: [mf1], output: out('merged.sv', Y.encodeStateVectorFromUpdate(merged)) })
  ops.push({ fn: 'encodeStateVectorFromUpdateV2', inputs: [mf2], output: out('merged.sv.fromV2', Y.encodeStateVectorFromUpdateV2(mergedV2)) })
  const meta = Y.parseUpdateMeta(merged)
  const metaV2 = Y.parseUpdateMetaV2(mergedV2)
  ops.push({ fn: 'parseUpdateMeta', inputs: [mf1], result: { from: pairs(meta.from), to: pairs(meta.to) } })
  ops.push({ fn: 'parseUpdateMetaV2', inputs: [mf2], result: { from: pairs(metaV2.from), to: pairs(metaV2.to) } })
  ins.forEach((i, k) => {
    const m = Y.parseUpdateMeta(i.v1)
    ops.push({ fn: 'parseUpdateMeta', inputs: [i.f1], result: { from: pairs(m.from), to: pairs(m.to) } })
    ops.push({ fn: 'encodeStateVectorFromUpdate', inputs: [i.f1], output: out(`in${k}.sv`, Y.encodeStateVectorFromUpdate(i.v1)) })
    ops.push({ fn: 'convertUpdateFormatV1ToV2', inputs: [i.f1], output: out(`in${k}.v1tov2`, Y.convertUpdateFormatV1ToV2(i.v1)) })
    ops.push({ fn: 'convertUpdateFormatV2ToV1', inputs: [i.f2], output: out(`in${k}.v2tov1`, Y.convertUpdateFormatV2ToV1(i.v2)) })
  })
  diffStateVectors.forEach((sv, k) => {
    ops.push({ fn: 'diffUpdate', inputs: [mf1], stateVector: b64(sv), output: out(`diff${k}.v1`, Y.diffUpdate(merged, sv)) })
    ops.push({ fn: 'diffUpdateV2', inputs: [mf2], stateVector: b64(sv), output: out(`diff${k}.v2`, Y.diffUpdateV2(mergedV2, sv)) })
  })
  // the merged update applied to a fresh doc must equal all inputs applied one by one
  const a = loadV1(merged)
  const b = new Y.Doc({ guid: 'b' })
  ins.forEach(i => Y.applyUpdate(b, i.v1))
  if (!bytesEqual(Y.encodeStateVector(a), Y.encodeStateVector(b))) throw new Error(name + ': merged apply differs')
  const json = { name, kind: 'updateops', description, operations: ops }
  if (notes) json.notes = notes
  entryFiles.push(writeJson(name + '.json', json))
  manifest.push({ name, kind: 'updateops', description, files: entryFiles, operations: ops })
}

// ---------------------------------------------------------------------------------------------
// Document fixtures
// ---------------------------------------------------------------------------------------------

docFixture('empty_doc', 'A fresh doc with no changes (state update is [0, 0]).', () => {
  const doc = mkDoc(1, null)
  return { doc, roots: { text: 'text', map: 'map' } }
})

docFixture('text_basic', 'Y.Text: inserts at start/middle/end and deletes, one client, one transaction per edit.', () => {
  const log = []
  const doc = mkDoc(1, log)
  const t = doc.getText('text')
  t.insert(0, 'hello')
  t.insert(5, ' world')
  t.insert(0, '> ')
  t.delete(2, 1)
  t.insert(7, ',')
  t.delete(9, 3)
  t.insert(t.length, '!')
  doc.transact(() => { t.insert(0, 'A'); t.insert(1, 'B'); t.delete(5, 2) })
  return { doc, roots: { text: 'text' }, log }
})

docFixture('text_unicode', 'Y.Text with accented, combining, CJK, RTL, emoji, skin tones, ZWJ sequences and flags; deletes and inserts that split surrogate pairs (Yjs replaces each broken half with U+FFFD).', () => {
  const log = []
  const doc = mkDoc(7, log)
  const t = doc.getText('text')
  t.insert(0, 'café naïve e\u0301 漢字 한국어 שלום ')
  t.insert(t.length, '😀👍🏽👨‍👩‍👧‍👦🇩🇪🏳️‍🌈𝔸')
  const s = t.toString()
  const smile = s.indexOf('😀')
  t.delete(smile + 1, 1) // delete the low surrogate of 😀: both halves become U+FFFD, one is deleted
  const flag = t.toString().indexOf('🇩🇪')
  t.insert(flag + 1, 'x') // insert inside the surrogate pair of 🇩
  t.insert(0, '𝔸')
  t.delete(1, 2) // range that starts inside a pair
  return { doc, roots: { text: 'text' }, log }
})

docFixture('text_format', 'Rich text: bold/italic, links with object values, color strings, format over existing formatting, removal via null, insert with explicit {} attributes.', () => {
  const log = []
  const doc = mkDoc(3, log)
  const t = doc.getText('text')
  t.insert(0, 'The quick brown fox jumps over the lazy dog')
  t.format(4, 5, { bold: true })
  t.format(10, 5, { italic: true, bold: true })
  t.format(16, 3, { link: { href: 'https://example.com/fox', title: 'Fox' } })
  t.format(0, 3, { color: '#ff0000' })
  t.format(6, 6, { bold: null })
  t.insert(9, 'XX', { underline: true })
  t.insert(12, 'plain', {})
  t.insert(t.length, ' end') // inherits formatting at the end (none)
  t.format(20, 10, { italic: true })
  t.format(22, 4, { italic: null, link: null })
  return { doc, roots: { text: 'text' }, log }
})

docFixture('text_embeds', 'Y.Text with object embeds (ContentEmbed), embeds with attributes and an embedded Y.Map (ContentType inside text).', () => {
  const log = []
  const doc = mkDoc(4, log)
  const t = doc.getText('text')
  t.insert(0, 'ab')
  t.insertEmbed(1, { image: 'https://example.com/a.png' })
  t.insertEmbed(3, { formula: 'e^{i\\pi}+1=0', inline: true, size: 1.5 }, { bold: true })
  t.insertEmbed(0, { mention: { id: 7, name: 'Ünï' } })
  const m = new Y.Map()
  m.set('kind', 'widget')
  t.insertEmbed(t.length, m)
  t.insert(t.length, 'z')
  t.delete(2, 1)
  return { doc, roots: { text: 'text' }, log }
})

docFixture('text_apply_delta', 'Y.Text built with applyDelta (retain with attributes, delete, insert with attributes, embeds).', () => {
  const log = []
  const doc = mkDoc(5, log)
  const t = doc.getText('text')
  t.applyDelta([{ insert: 'Hello ' }, { insert: 'World', attributes: { bold: true } }, { insert: '\n' }])
  t.applyDelta([{ retain: 6 }, { retain: 5, attributes: { bold: null, italic: true } }, { insert: '!' }])
  t.applyDelta([{ delete: 1 }, { insert: 'J' }, { retain: 4 }, { insert: { image: 'x.png' } }])
  t.applyDelta([{ retain: 3 }, { insert: ' there', attributes: { color: 'blue' } }])
  return { doc, roots: { text: 'text' }, log }
})

docFixture('map_any_values', 'Y.Map holding every ContentAny kind: undefined, null, booleans, ints (varint range edges), -2^31 and other integers outside ±(2^31-1) (float32 when exact, else float64), floats, -0, NaN/±Infinity, 2^53-1, BigInt (int64), strings (empty, unicode, long), nested objects/arrays with undefined inside, a Date (encoded as an empty object); Uint8Array values (ContentBinary).', () => {
  const log = []
  const doc = mkDoc(11, log)
  const m = doc.getMap('map')
  const values = {
    undef: undefined,
    nul: null,
    t: true,
    f: false,
    zero: 0,
    one: 1,
    minus1: -1,
    i63: 63,
    i64: 64,
    m64: -64,
    m65: -65,
    i8191: 8191,
    i8192: 8192,
    int31max: 2147483647,
    int31min1: -2147483647,
    int31min: -2147483648,
    int31: 2147483648,
    int32: 4294967296,
    three_e9: 3000000000,
    int53: 9007199254740991,
    mint53: -9007199254740991,
    int53plus1: 9007199254740992,
    e21: 1e21,
    half: 0.5,
    tenth: 0.1,
    mfloat: -1.25,
    pi: Math.PI,
    tiny: 5e-324,
    huge: 1.7976931348623157e308,
    f32max: 3.4028234663852886e38,
    negzero: -0,
    nan: NaN,
    inf: Infinity,
    minf: -Infinity,
    bigint: 9223372036854775807n,
    mbigint: -9223372036854775808n,
    smallbigint: 5n,
    empty: '',
    unicode: 'ключ 漢字 😀 e\u0301',
    long: 'x'.repeat(300),
    obj: { a: 1, b: 'two', c: [3, { d: null }], '': 'empty key', '10': 'numeric-like key', u: undefined },
    arr: [1, 'a', null, true, [], {}, [[[]]], undefined, 0.5, -0],
    date: new Date(0)
  }
  for (const [k, v] of Object.entries(values)) m.set(k, v)
  m.set('bytes', new Uint8Array([0, 1, 2, 254, 255]))
  m.set('nobytes', new Uint8Array(0))
  return { doc, roots: { map: 'map' }, log, notes: 'Date values are written as objects with no keys, so they decode as {}; originalRoots shows the pre-encoding view.' }
})

docFixture('map_overwrite_delete', 'Y.Map keys set, overwritten several times (each overwrite deletes the previous item), deleted and re-set; unicode and empty keys.', () => {
  const log = []
  const doc = mkDoc(12, log)
  const m = doc.getMap('map')
  m.set('a', 1)
  m.set('a', 2)
  m.set('b', 'x')
  m.set('a', { v: 3 })
  m.delete('b')
  m.set('ключ', 'значение')
  m.set('', 'empty')
  m.set('b', 'back')
  doc.transact(() => { m.set('c', 1); m.set('c', 2); m.set('c', 3); m.delete('a') })
  m.set('😀', [1, 2])
  return { doc, roots: { map: 'map' }, log }
})

docFixture('array_mixed', 'Y.Array with mixed JSON values (multi-value ContentAny items), binary, nested Y.Map and Y.Array, push/unshift, deletes spanning several items and splitting items.', () => {
  const log = []
  const doc = mkDoc(13, log)
  const a = doc.getArray('array')
  a.insert(0, [1, 2, 3, 'four', { five: 5 }])
  a.push([true, null])
  a.unshift([-1.5])
  const m = new Y.Map()
  m.set('inner', 'yes')
  const arr = new Y.Array()
  arr.insert(0, ['x', 'y'])
  a.insert(3, [m, 'between', arr, new Uint8Array([9, 8, 7])])
  a.delete(1, 1)
  a.delete(5, 4)
  m.set('later', 42)
  arr.push(['z'])
  a.insert(a.length, [[1, [2, [3]]], 2147483648])
  return { doc, roots: { array: 'array' }, log }
})

docFixture('nested_deep', 'Types nested four levels: map -> array -> map -> array -> text, with edits at each level.', () => {
  const log = []
  const doc = mkDoc(14, log)
  const root = doc.getMap('root')
  const l1 = new Y.Array()
  root.set('list', l1)
  const l2 = new Y.Map()
  l1.push([l2])
  const l3 = new Y.Array()
  l2.set('items', l3)
  const l4 = new Y.Text()
  l3.insert(0, ['a', l4, 'b'])
  l4.insert(0, 'deep text')
  l4.format(0, 4, { bold: true })
  l2.set('title', 'level 2')
  l1.push(['tail'])
  root.set('flag', true)
  return { doc, roots: { root: 'map' }, log }
})

docFixture('multiple_roots', 'Several roots of each type with unicode and empty root names.', () => {
  const log = []
  const doc = mkDoc(15, log)
  doc.getText('t1').insert(0, 'one')
  doc.getText('tëxt 😀').insert(0, 'two')
  doc.getMap('').set('k', 'empty root name')
  doc.getMap('m2').set('k', 2)
  doc.getArray('a1').insert(0, [1])
  doc.getArray('配列').insert(0, ['x'])
  doc.getXmlFragment('x1').insert(0, [new Y.XmlText('xml')])
  return { doc, roots: { t1: 'text', 'tëxt 😀': 'text', '': 'map', m2: 'map', a1: 'array', 配列: 'array', x1: 'xml' }, log }
})

docFixture('xml_tree', 'Y.XmlFragment with nested XmlElements (attributes set before and after insertion, removed), XmlText with formatting (bold, link object, color string), deleted children.', () => {
  const log = []
  const doc = mkDoc(16, log)
  const frag = doc.getXmlFragment('xml')
  const p = new Y.XmlElement('p')
  p.setAttribute('class', 'intro')
  const txt = new Y.XmlText('Hello world')
  p.insert(0, [txt])
  const div = new Y.XmlElement('div')
  frag.insert(0, [div, p])
  div.setAttribute('id', 'main')
  div.setAttribute('data-x', 'ü "quoted"')
  const ul = new Y.XmlElement('UL')
  div.insert(0, [ul])
  const lis = [new Y.XmlElement('li'), new Y.XmlElement('li'), new Y.XmlElement('li')]
  ul.insert(0, lis)
  lis[0].insert(0, [new Y.XmlText('first')])
  lis[1].insert(0, [new Y.XmlText('second')])
  lis[2].insert(0, [new Y.XmlText('third')])
  ul.delete(1, 1)
  txt.format(0, 5, { bold: true })
  txt.format(6, 5, { link: { href: 'https://example.com' } })
  txt.insert(txt.length, ' red', { color: 'red' })
  div.removeAttribute('data-x')
  frag.insert(2, [new Y.XmlText('tail')])
  return { doc, roots: { xml: 'xml' }, log, notes: 'XmlText.toString() wraps formatted runs in tags named after the attribute and lists for-in keys of the attribute value: {bold:true} -> <bold>, {link:{href}} -> <link href="...">, a string value iterates its character indices (color:"red" -> <color 0="r" 1="e" 2="d">). Element names are lower-cased in toString.' }
})

docFixture('xml_hook', 'Y.XmlHook (a Y.Map with a hook name, type ref 6) inside an XmlFragment next to an XmlElement; its toString() is "[object Object]".', () => {
  const log = []
  const doc = mkDoc(17, log)
  const frag = doc.getXmlFragment('xml')
  const hook = new Y.XmlHook('custom-hook')
  hook.set('src', 'https://example.com/embed')
  hook.set('size', { w: 3, h: 4 })
  frag.insert(0, [new Y.XmlElement('p'), hook])
  hook.set('size', { w: 5, h: 6 })
  return { doc, roots: { xml: 'xml' }, log }
})

docFixture('subdocs', 'Subdocuments (ContentDoc): a Y.Doc in a map with a fixed guid, one with opts (gc:false, autoLoad, meta), one in an array, one removed again.', () => {
  const log = []
  const doc = mkDoc(18, log)
  const m = doc.getMap('map')
  m.set('plain', new Y.Doc({ guid: 'sub-plain' }))
  m.set('opts', new Y.Doc({ guid: 'sub-opts', gc: false, autoLoad: true, meta: { owner: 'ünï', n: 1 } }))
  doc.getArray('docs').insert(0, [new Y.Doc({ guid: 'sub-in-array' }), 'x'])
  m.set('gone', new Y.Doc({ guid: 'sub-gone' }))
  m.delete('gone')
  return { doc, roots: { map: 'map', docs: 'array' }, log }
})

docFixture('concurrent_3clients', 'Three clients (ids 1, 2, 3) edit concurrently and are then synced: inserts at the same text position, concurrent deletes of overlapping ranges, map key conflicts (higher client id wins), concurrent array inserts at the same index. updates lists all local updates of all clients in emission order.', () => {
  const log = []
  const d1 = mkDoc(1, log)
  const d2 = mkDoc(2, log)
  const d3 = mkDoc(3, log)
  d1.getText('text').insert(0, 'base text')
  d1.getArray('array').insert(0, ['x', 'y'])
  syncAll([d1, d2, d3])
  d1.getText('text').insert(4, 'ONE')
  d2.getText('text').insert(4, 'TWO')
  d3.getText('text').insert(4, 'THREE')
  d1.getText('text').delete(0, 2)
  d2.getText('text').delete(1, 3)
  d1.getMap('map').set('k', 'from1')
  d2.getMap('map').set('k', 'from2')
  d3.getMap('map').set('k', 'from3')
  d3.getMap('map').set('only3', 3)
  d2.getMap('map').set('only3', 'two')
  d1.getArray('array').insert(1, ['a1'])
  d2.getArray('array').insert(1, ['a2'])
  d3.getArray('array').insert(1, ['a3'])
  d3.getArray('array').delete(0, 1)
  syncAll([d1, d2, d3])
  d2.getText('text').insert(0, '>')
  syncAll([d1, d2, d3])
  return { doc: d1, roots: { text: 'text', map: 'map', array: 'array' }, log }
})

docFixture('concurrent_format_cleanup', 'Concurrent formatting of overlapping ranges by two clients; after the sync the receivers run Yjs\'s formatting cleanup in a separate local transaction, whose updates are included in updates.', () => {
  const log = []
  const a = mkDoc(21, log)
  const b = mkDoc(22, log)
  a.getText('text').insert(0, 'formatting conflicts here')
  sync(a, b)
  // the same ranges formatted on both sides: both insert format items into the same gaps
  a.getText('text').format(0, 10, { bold: true })
  b.getText('text').format(0, 10, { bold: true })
  b.getText('text').format(5, 10, { italic: true })
  a.getText('text').format(5, 10, { italic: true })
  a.getText('text').format(12, 4, { link: { href: 'https://a.example' } })
  b.getText('text').format(12, 4, { link: { href: 'https://b.example' } })
  const before = log.length
  sync(a, b)
  sync(a, b)
  if (log.length === before) throw new Error('concurrent_format_cleanup: no cleanup transaction happened')
  return { doc: a, roots: { text: 'text' }, log, notes: `${log.length - before} of the updates were emitted by cleanup transactions after remote changes` }
})

docFixture('gc_deleted_nested', 'gc on: nested types with content and text ranges are deleted, so their structs become GC structs / ContentDeleted.', () => {
  const log = []
  const doc = mkDoc(23, log)
  const m = doc.getMap('map')
  const inner = new Y.Map()
  m.set('inner', inner)
  inner.set('a', 'lots of content')
  const arr = new Y.Array()
  inner.set('arr', arr)
  arr.insert(0, [1, 2, 3, new Y.Text('nested text')])
  doc.getText('text').insert(0, 'keep delete keep')
  doc.getText('text').delete(5, 7)
  m.delete('inner')
  m.set('after', 'x')
  return { doc, roots: { map: 'map', text: 'text' }, log }
})

docFixture('gc_off', 'Same edits as gc_deleted_nested with gc: false: deleted content is kept (ContentDeleted for deleted text, deleted nested types keep their items).', () => {
  const log = []
  const doc = mkDoc(24, log, { gc: false })
  const m = doc.getMap('map')
  const inner = new Y.Map()
  m.set('inner', inner)
  inner.set('a', 'lots of content')
  const arr = new Y.Array()
  inner.set('arr', arr)
  arr.insert(0, [1, 2, 3, new Y.Text('nested text')])
  doc.getText('text').insert(0, 'keep delete keep')
  doc.getText('text').delete(5, 7)
  m.delete('inner')
  m.set('after', 'x')
  return { doc, roots: { map: 'map', text: 'text' }, log }
})

docFixture('big_client_ids', 'Client ids above 2^32 and up to 2^53-1 (Yjs 13.6.33 accepts them: varuints of up to 8 bytes in v1, and in the v2 client RLE column).', () => {
  const log = []
  const ids = [2 ** 32 - 1, 2 ** 32, 2 ** 32 + 1, 2 ** 53 - 2, 2 ** 53 - 1]
  const docs = ids.map(id => mkDoc(id, log))
  docs.forEach((d, i) => {
    d.getText('text').insert(0, `c${i} `)
    d.getMap('map').set('who', i)
    d.getArray('array').insert(0, [ids[i]])
  })
  syncAll(docs)
  docs[4].getText('text').delete(0, 3)
  docs[0].getMap('map').delete('who')
  syncAll(docs)
  return { doc: docs[2], roots: { text: 'text', map: 'map', array: 'array' }, log }
})

docFixture('many_clients', 'Twelve clients with interleaved edits: struct sections are written in descending client order, delete sets likewise.', () => {
  const log = []
  const docs = []
  for (let i = 0; i < 12; i++) docs.push(mkDoc(100 + i * 37, log))
  const r = new Rng(12)
  for (let step = 0; step < 60; step++) {
    const d = docs[r.int(0, docs.length - 1)]
    const t = d.getText('text')
    if (t.length > 0 && r.bool(0.3)) t.delete(r.int(0, t.length - 1), 1)
    else t.insert(r.int(0, t.length), String.fromCharCode(97 + r.int(0, 25)))
    if (r.bool(0.3)) sync(d, docs[r.int(0, docs.length - 1)])
  }
  syncAll(docs)
  return { doc: docs[0], roots: { text: 'text' }, log }
})

docFixture('random_text_long', 'Seeded random edits (300 ops) on one Y.Text including formats and embeds: long item chains, search-marker paths, v2 RLE runs.', () => {
  const log = []
  const doc = mkDoc(31, log)
  const t = doc.getText('text')
  const r = new Rng(31)
  const words = ['lorem', ' ', 'ipsum', 'ü', '漢', '😀', '\n', 'dolor sit amet']
  for (let i = 0; i < 300; i++) {
    const len = t.length
    const x = r.float()
    if (len === 0 || x < 0.5) t.insert(r.int(0, len), r.pick(words))
    else if (x < 0.75) { const at = r.int(0, len - 1); t.delete(at, r.int(1, Math.min(5, len - at))) } else if (x < 0.95) {
      const at = r.int(0, len - 1)
      t.format(at, r.int(1, Math.min(10, len - at)), r.pick([{ bold: true }, { bold: null }, { italic: true }, { link: { href: 'x' } }]))
    } else t.insertEmbed(r.int(0, len), { n: i })
  }
  return { doc, roots: { text: 'text' }, log, notes: 'format ranges may split surrogate pairs here; this is a single-client doc so it is deterministic' }
})

docFixture('random_array_long', 'Seeded random edits (300 ops) on one Y.Array and one Y.Map.', () => {
  const log = []
  const doc = mkDoc(32, log)
  const a = doc.getArray('array')
  const m = doc.getMap('map')
  const r = new Rng(32)
  for (let i = 0; i < 300; i++) {
    const len = a.length
    const x = r.float()
    if (len === 0 || x < 0.55) {
      const vals = []
      for (let k = r.int(1, 3); k > 0; k--) vals.push(r.pick([i, -i, i / 8, 'v' + i, null, true, [i], { i }]))
      a.insert(r.int(0, len), vals)
    } else if (x < 0.85) { const at = r.int(0, len - 1); a.delete(at, r.int(1, Math.min(3, len - at))) } else m.set('k' + r.int(0, 9), i)
  }
  return { doc, roots: { array: 'array', map: 'map' }, log }
})

docFixture('delete_everything', 'Everything inserted is deleted again (text, array, map keys, xml children): only GC structs and a delete set remain.', () => {
  const log = []
  const doc = mkDoc(33, log)
  doc.getText('text').insert(0, 'gone soon')
  doc.getArray('array').insert(0, [1, 2, 3])
  doc.getMap('map').set('k', 'v')
  doc.getXmlFragment('xml').insert(0, [new Y.XmlElement('p')])
  doc.getText('text').delete(0, 9)
  doc.getArray('array').delete(0, 3)
  doc.getMap('map').delete('k')
  doc.getXmlFragment('xml').delete(0, 1)
  return { doc, roots: { text: 'text', array: 'array', map: 'map', xml: 'xml' }, log }
})

docFixture('content_json', 'Legacy ContentJSON (content ref 2) items, written by hand with Yjs\'s own Item/ContentJSON/UpdateEncoder classes (modern Yjs never creates them), then edited: an insert that splits a ContentJSON item and a map overwrite.', () => {
  const log = []
  const client = 41
  const enc = new Y.UpdateEncoderV1()
  encoding.writeVarUint(enc.restEncoder, 1) // one client section
  encoding.writeVarUint(enc.restEncoder, 3) // three structs
  enc.writeClient(client)
  encoding.writeVarUint(enc.restEncoder, 0) // first clock
  new Y.Item(Y.createID(client, 0), null, null, null, null, 'array', null, new Y.ContentJSON([{ a: 1 }, 'x', 3.5, undefined])).write(enc, 0)
  new Y.Item(Y.createID(client, 4), null, Y.createID(client, 3), null, null, null, null, new Y.ContentJSON([null, [1, 2]])).write(enc, 0)
  new Y.Item(Y.createID(client, 6), null, null, null, null, 'map', 'legacy', new Y.ContentJSON([{ nested: { deep: true } }])).write(enc, 0)
  encoding.writeVarUint(enc.restEncoder, 0) // empty delete set
  const handmade = enc.toUint8Array()
  const doc = mkDoc(42, log)
  log.push({ v1: handmade, v2: Y.convertUpdateFormatV1ToV2(handmade) })
  Y.applyUpdate(doc, handmade, REMOTE)
  doc.getArray('array').insert(2, ['inserted'])
  doc.getArray('array').delete(0, 1)
  doc.getMap('map').set('modern', 1)
  return { doc, roots: { array: 'array', map: 'map' }, log, notes: 'updates[0] is the hand-written update (its v2 form is Y.convertUpdateFormatV1ToV2 of it); ContentJSON stores undefined as the string "undefined".' }
})

// ---------------------------------------------------------------------------------------------
// Update fixtures
// ---------------------------------------------------------------------------------------------

/** Three consecutive updates of one client plus one of another client. */
const threeUpdates = () => {
  const log = []
  const d = mkDoc(51, log)
  d.getText('text').insert(0, 'one ')
  d.getText('text').insert(4, 'two ')
  d.getText('text').insert(8, 'three')
  d.getText('text').delete(0, 2)
  return log
}

updateFixture('skip_structs', 'Y.mergeUpdates of updates 1 and 3 of a client without update 2: the merge contains a Skip struct (ref 10) for the gap, and the v1 bytes of the skip are [10, len]. Applied to a fresh doc, the structs after the gap stay pending.', () => {
  const log = threeUpdates()
  return {
    v1: Y.mergeUpdates([log[0].v1, log[2].v1]),
    v2: Y.mergeUpdatesV2([log[0].v2, log[2].v2]),
    roots: { text: 'text' }
  }
})

updateFixture('skip_structs_two_clients', 'Non-contiguous updates of two clients merged: Skip structs in two client sections, plus a delete set.', () => {
  const log = []
  const a = mkDoc(61, log)
  const b = mkDoc(2 ** 40 + 3, log)
  a.getArray('array').insert(0, [1]) // 0
  a.getArray('array').insert(1, [2]) // 1
  b.getMap('map').set('x', 'b1') // 2
  b.getMap('map').set('y', 'b2') // 3
  a.getArray('array').insert(0, [3]) // 4
  b.getMap('map').set('z', 'b3') // 5
  b.getMap('map').delete('z') // 6
  const pick = [0, 2, 4, 5, 6]
  return {
    v1: Y.mergeUpdates(pick.map(k => log[k].v1)),
    v2: Y.mergeUpdatesV2(pick.map(k => log[k].v2)),
    roots: { array: 'array', map: 'map' }
  }
})

updateFixture('pending_delete_set', 'An update that only deletes items the receiver does not know yet: applied to a fresh doc the deletes stay pending (pendingDs), and encodeStateAsUpdate includes them.', () => {
  const log = []
  const d = mkDoc(71, log)
  d.getText('text').insert(0, 'abcdef')
  d.getText('text').delete(1, 3)
  return { v1: log[1].v1, v2: log[1].v2, roots: { text: 'text' } }
})

updateFixture('pending_structs', 'An update whose items have origins the receiver lacks (update 2 of 3, alone): everything stays pending; encodeStateAsUpdate of that doc carries the pending structs (merged in).', () => {
  const log = threeUpdates()
  return { v1: log[1].v1, v2: log[1].v2, roots: { text: 'text' } }
})

updateFixture('update_with_gc_and_skip', 'The state of a doc in which a nested type with content was deleted (the type item becomes ContentDeleted, its children GC structs), merged with a later non-contiguous update of the same client: GC structs, a Skip struct and a delete set in one update.', () => {
  const log = []
  const d = mkDoc(81, log)
  const m = d.getMap('map')
  m.set('inner', new Y.Map()) // 0: clock 0
  m.get('inner').set('a', 'x') // 1: clock 1
  m.get('inner').set('b', 'y') // 2: clock 2
  m.delete('inner') // 3: delete only
  m.set('b', 1) // 4: clock 3
  m.set('c', 2) // 5: clock 4
  const state1 = Y.encodeStateAsUpdate(loadV1(Y.mergeUpdates(log.slice(0, 4).map(u => u.v1))))
  const v1 = Y.mergeUpdates([state1, log[5].v1])
  const kinds = Y.decodeUpdate(v1).structs.map(st => st.constructor.name)
  if (!kinds.includes('GC') || !kinds.includes('Skip')) throw new Error('update_with_gc_and_skip: expected GC and Skip, got ' + kinds)
  return {
    v1,
    v2: Y.mergeUpdatesV2([Y.convertUpdateFormatV1ToV2(state1), log[5].v2]),
    roots: { map: 'map' }
  }
})

// Yjs output, frozen: Y.mergeUpdates / Y.mergeUpdatesV2 of all updates of a random session
// (gen_sessions.mjs --seed 12, session 711). Its root text ends with a lone {underline: null} format
// item after deleted content, which every peer kept; a doc that loads the whole merge at once runs a
// full formatting cleanup and deletes it.
const LOAD_CLEANUP_V1 =
  'Aw6JgpDBi4S8DgAIAQVhcnJheQF8TwAAAAQBBHRleHQNeHl6dGFiCWhlcmU0MgcBA3htbAMBcEeJgpDBi4S8Dg4DAnVsKACJ' +
  'gpDBi4S8Dg8EaHJlZgF3BuS4reaWhygAiYKQwYuEvA4PBGxhbmcBdwbjgYvjgaooAQNtYXAAAXYCBGxpc3R+BXZhbHVldgEE' +
  'bmFtZXcTw5xuw69jw7Zkw6nwn46J8J+OiUeJgpDBi4S8Dg8DCkN1c3RvbS1UYWcoAImCkMGLhLwOEwVjbGFzcwF3D/Cfjonw' +
  'n46Jw7FhbmTDuigAiYKQwYuEvA4TBGxhbmcBdwZuYcOvdmXEiYKQwYuEvA4CiYKQwYuEvA4DCWLwn5GN8J+PvYiJgpDBi4S8' +
  'DgABfM8AAABHiYKQwYuEvA4TBgQAiYKQwYuEvA4cD/Cfh6/wn4e1w7FhbmTDug7zmuaABAAGAQR0ZXh0CXVuZGVybGluZQR0' +
  'cnVlhPOa5oAEAAR4eXoKhvOa5oAEBAl1bmRlcmxpbmUEbnVsbAcBA3htbAMBcAcA85rmgAQGAwRzcGFuKADzmuaABAcEaHJl' +
  'ZgF3C3RhYgloZXJleHl6BwDzmuaABAcDCkN1c3RvbS1UYWdIEgEBfRfH85rmgAQKEgEBKADzmuaABAsDa2V5AX0vKADzmuaA' +
  'BAkFY2xhc3MBdwhoZWxsb1lqc4gSCQF3BPCfmICH85rmgAQHAwJsaSgAEgcCMTABfX4PEgAnAQNtYXAI0LrQu9GO0YcBBwEF' +
  'YXJyYXkCBAASAQVjYWbDqYgSAQF2AQF4eMcSARIGASgAEgcE8J+YgAF7wIjy1bmlqJwoABIHAWQBe8BeuuLaVUuMR/Oa5oAE' +
  'BgYEABIKCzwmPiIn5ryi5a2XhBIRCtmF2LHYrdio2KfHEgrzmuaABAYGBAASFwUg8J+YgEjzmuaABAoBeMcSG/Oa5oAECgHE' +
  'EhESEgZjYWbDqWEDiYKQwYuEvA4CAAIOBPOa5oAEAgAFDAESAgAGCQE='
const LOAD_CLEANUP_V2 =
  'AAMAAwY+yYSggpeI+BwK87XMgQgEErO1zIEIEvO1zIEIABKztcyBCFIGs7XMgQhSAbO1zIEIErO1zIEIErO1zIEIUgAdHgAI' +
  'AGJEOHgIBAIABgJEAEQATAEADAAGDk4aCFQMHAJYIGQACgEACAAQSQgABAAHAEcAKAJHACgBxACIAEcABAAGAIQAhgAHASgA' +
  'BwBIAMcAKAGIAIcAKAAnAAcABACIAMcAKAFHAAQAhADHAAQASADHAMTwAcgBYXJyYXl0ZXh0eHl6dGFiCWhlcmU0MnhtbHB1' +
  'bGhyZWZsYW5nbWFwQ3VzdG9tLVRhZ2NsYXNzbGFuZ2Lwn5GN8J+PvfCfh6/wn4e1w7FhbmTDunRleHR1bmRlcmxpbmV4eXoK' +
  'dW5kZXJsaW5leG1scHNwYW5ocmVmQ3VzdG9tLVRhZ2tleWNsYXNzbGkxMG1hcNC60LvRjtGHYXJyYXljYWbDqfCfmIBkPCY+' +
  'IifmvKLlrZfZhdix2K3YqNinIPCfmIBjYWbDqWEFBA0DAQJEAAMACgUEBQkECQQJAwFEAAoDBUIAAwQFBAIBBwUDBQ8BAgAB' +
  'AQAAAgEBAAUBAQANQwEGQwEBAwECAUYAAQJBDwMOAHxPAAAAdwbkuK3mlod3BuOBi+OBqnYCBGxpc3R+BXZhbHVldgEEbmFt' +
  'ZXcTw5xuw69jw7Zkw6nwn46J8J+OiXcP8J+OifCfjonDsWFuZMO6dwZuYcOvdmV8zwAAAA4AeH53C3RhYgloZXJleHl6fRd9' +
  'L3cIaGVsbG9ZanN3BPCfmIB9fg8AdgEBeHh7wIjy1bmlqJx7wF664tpVS4x4A4mCkMGLhLwOAgABDAPzmuaABAIABAcAEgIA' +
  'BQMA'

updateFixture('load_runs_format_cleanup', 'Loading this update (a merge of a whole multi-peer session, all four root kinds) into a fresh doc whose roots are already typed (getText etc. before applyUpdate) makes Yjs run a formatting cleanup transaction that deletes a redundant format item every peer of the session kept: applyToFreshDocTypedRoots.loadEmits holds that cleanup update and its delete set is larger. With untyped roots (applyToFreshDoc) no cleanup runs.', () => {
  return {
    v1: new Uint8Array(Buffer.from(LOAD_CLEANUP_V1, 'base64')),
    v2: new Uint8Array(Buffer.from(LOAD_CLEANUP_V2, 'base64')),
    expectLoadCleanup: true,
    roots: { text: 'text', map: 'map', array: 'array', xml: 'xml' }
  }
})

// ---------------------------------------------------------------------------------------------
// Update-operation fixtures
// ---------------------------------------------------------------------------------------------

updateOpsFixture('ops_two_clients', 'Two concurrent updates from different clients (one with a delete set): merge, diff against each side\'s state vector and against the empty one, state vectors, meta, v1<->v2 conversion.', () => {
  const log = []
  const a = mkDoc(91, log)
  const b = mkDoc(92, log)
  a.getText('text').insert(0, 'from a')
  a.getText('text').delete(0, 2)
  b.getText('text').insert(0, 'from b')
  b.getMap('map').set('k', [1, 2])
  const ua = Y.encodeStateAsUpdate(a)
  const ub = Y.encodeStateAsUpdate(b)
  return {
    inputs: [{ v1: ua, v2: Y.encodeStateAsUpdateV2(a) }, { v1: ub, v2: Y.encodeStateAsUpdateV2(b) }],
    diffStateVectors: [Y.encodeStateVector(a), Y.encodeStateVector(b), encodeSV([])]
  }
})

updateOpsFixture('ops_same_client_overlap', 'Overlapping updates of one client (update 1, and the state after updates 1-3): merging deduplicates; diff against a state vector whose clock falls inside an item slices it (offset write).', () => {
  const log = threeUpdates()
  const full = Y.mergeUpdates(log.map(u => u.v1))
  return {
    inputs: [log[0], { v1: full }],
    diffStateVectors: [encodeSV([[51, 2]]), encodeSV([[51, 6]]), encodeSV([[51, 100]])]
  }
})

updateOpsFixture('ops_surrogate_slice', 'A text item "a😀b" sliced by diffUpdate at clock 2, between the two halves of the surrogate pair: the sliced struct starts with U+FFFD (ContentString.splice replaces the broken half).', () => {
  const log = []
  const d = mkDoc(93, log)
  d.getText('text').insert(0, 'a😀b')
  return { inputs: [log[0]], diffStateVectors: [encodeSV([[93, 2]]), encodeSV([[93, 1]])] }
})

updateOpsFixture('ops_gap_skip', 'Non-contiguous updates of a client merged (Skip in the result), then diffed and state-vectored; encodeStateVectorFromUpdate stops at the first gap.', () => {
  const log = threeUpdates()
  return { inputs: [log[0], log[2], log[3]], diffStateVectors: [encodeSV([[51, 4]])] }
})

updateOpsFixture('ops_big_client_ids', 'Updates of clients 2^53-1 and 2^32+7 merged and diffed.', () => {
  const log = []
  const a = mkDoc(2 ** 53 - 1, log)
  const b = mkDoc(2 ** 32 + 7, log)
  a.getArray('array').insert(0, ['max'])
  b.getArray('array').insert(0, ['big'])
  a.getArray('array').delete(0, 1)
  return { inputs: log, diffStateVectors: [encodeSV([[2 ** 53 - 1, 1]])] }
})

updateOpsFixture('ops_deletes_only', 'Delete-only updates (no structs) from two transactions merged: delete sets are merged and sorted.', () => {
  const log = []
  const d = mkDoc(94, log)
  d.getArray('array').insert(0, [1, 2, 3, 4, 5, 6])
  d.getArray('array').delete(4, 1)
  d.getArray('array').delete(1, 2)
  return { inputs: [log[1], log[2]], diffStateVectors: [encodeSV([[94, 6]])] }
})

// ---------------------------------------------------------------------------------------------
// Write
// ---------------------------------------------------------------------------------------------

fs.mkdirSync(OUT, { recursive: true })
for (const f of fs.readdirSync(OUT)) {
  if (f.endsWith('.bin') || f.endsWith('.json')) fs.unlinkSync(path.join(OUT, f))
}
const index = {
  generator: 'tests/interop/gen_fixtures.mjs',
  yjs: YJS_VERSION,
  lib0: LIB0_VERSION,
  fixtures: manifest
}
files.set('index.json', JSON.stringify(index, null, 1) + '\n')
for (const [name, content] of files) fs.writeFileSync(path.join(OUT, name), content)

// The fixture table of README.md (between the markers) is generated from the manifest. With --out,
// the README (with its regenerated table) is written there too, so a diff -r checks it as well.
const readmePath = path.join(GOLDEN, 'README.md')
if (fs.existsSync(readmePath)) {
  let readme = fs.readFileSync(readmePath, 'utf8')
  const begin = '<!-- fixtures:begin (generated by gen_fixtures.mjs) -->'
  const end = '<!-- fixtures:end -->'
  const i = readme.indexOf(begin)
  const j = readme.indexOf(end)
  if (i >= 0 && j > i) {
    const rows = manifest.map(f => `| \`${f.name}\` | ${f.kind} | ${f.description.replace(/\|/g, '\\|')} |`)
    const table = ['| name | kind | what it covers |', '| --- | --- | --- |', ...rows].join('\n')
    readme = readme.slice(0, i + begin.length) + '\n' + table + '\n' + readme.slice(j)
  }
  fs.writeFileSync(path.join(OUT, 'README.md'), readme)
}
console.log(`gen_fixtures: ${manifest.length} fixtures, ${files.size} files -> ${path.relative(process.cwd(), OUT) || '.'}`)
