// Random edits of a Y.Doc as an editor makes them: Y.Text 'text' (emoji and other non-BMP text,
// inserts, deletes, formatting, embeds), Y.Map 'map' (JSON values, binary, nested types) and
// Y.XmlFragment 'xml' (elements with attributes, XmlText with formatting, nesting).
import * as Y from 'yjs'

const PIECES = ['a', 'b', 'xyz', ' ', '\n', 'é', 'e\u0301', 'ñ', '中文', '😀', '👍🏽', '👩‍👩‍👧', '𝄞', '🇫🇷', '𝒳𝒴', 'Ω', '\t', 'hello ', '“q”']
const ATTRS = [{ bold: true }, { italic: true }, { bold: null }, { italic: null }, { link: 'https://example.org/😀' }, { color: '#ab12cd' }, { code: true }]
const TAGS = ['paragraph', 'heading', 'blockquote', 'listItem', 'codeBlock']

function randomString (r) {
  let s = ''
  const n = 1 + r.int(4)
  for (let i = 0; i < n; i++) s += r.pick(PIECES)
  return s
}

function randomValue (r, n) {
  switch (r.int(9)) {
    case 0: return n
    case 1: return r.next() * 1e6 - 5e5
    case 2: return randomString(r)
    case 3: return r.chance(0.5)
    case 4: return null
    case 5: return { list: [n, 'ü', { deep: randomString(r) }], ok: true }
    case 6: return new Uint8Array([n & 255, 0, 255, 7])
    case 7: {
      const m = new Y.Map()
      m.set('inner', randomString(r))
      return m
    }
    default: {
      const a = new Y.Array()
      a.push([n, randomString(r)])
      return a
    }
  }
}

// Positions never fall inside a UTF-16 surrogate pair. Yjs itself does not converge otherwise:
// an operation at such a position splits the item locally and replaces both halves of the pair
// with U+FFFD, but when the operation then changes nothing (a format that is already there) no
// struct records the split and the other peers keep the character (see yjs issue #248).
function plain (text) {
  return text.toDelta().map(d => typeof d.insert === 'string' ? d.insert : '\u0000').join('')
}
const hi = (c) => c >= 0xD800 && c <= 0xDBFF
const lo = (c) => c >= 0xDC00 && c <= 0xDFFF
function snap (s, pos) {
  if (pos > 0 && pos < s.length && hi(s.charCodeAt(pos - 1)) && lo(s.charCodeAt(pos))) return pos - 1
  return pos
}
// A random non-empty range [start, start+len) of text `s` with both ends on character boundaries.
function range (r, s, maxLen) {
  const start = snap(s, r.int(s.length))
  let end = snap(s, Math.min(s.length, start + 1 + r.int(maxLen)))
  if (end <= start) end = Math.min(s.length, start + (hi(s.charCodeAt(start)) ? 2 : 1))
  return [start, end - start]
}

function editText (r, text, n) {
  const s = plain(text)
  const len = s.length
  const op = len > 1500 ? r.pick(['delete', 'delete', 'format']) : r.pick(['insert', 'insert', 'insert', 'delete', 'format', 'insertFmt', 'embed'])
  const pos = snap(s, r.int(len + 1))
  switch (op) {
    case 'insert': text.insert(pos, randomString(r)); break
    case 'insertFmt': text.insert(pos, randomString(r), r.pick(ATTRS.filter(a => Object.values(a)[0] !== null))); break
    case 'embed': if (r.chance(0.2)) text.insertEmbed(pos, { image: `img-${n}.png` }); break
    case 'delete': if (len > 0) text.delete(...range(r, s, 8)); break
    case 'format': if (len > 0) text.format(...range(r, s, 10), r.pick(ATTRS)); break
  }
}

function editMap (r, map, n) {
  const key = `k${r.int(16)}`
  if (r.chance(0.2)) {
    map.delete(key)
  } else {
    const cur = map.get(key)
    if (cur instanceof Y.Map && r.chance(0.5)) cur.set(`i${r.int(4)}`, randomValue(r, n))
    else if (cur instanceof Y.Array && r.chance(0.5)) cur.insert(r.int(cur.length + 1), [randomString(r)])
    else map.set(key, randomValue(r, n))
  }
}

// Every element of the fragment, depth first.
function elements (node, out = []) {
  for (const child of node.toArray()) {
    if (child instanceof Y.XmlElement) {
      out.push(child)
      elements(child, out)
    }
  }
  return out
}

function xmlTexts (node, out = []) {
  for (const child of node.toArray()) {
    if (child instanceof Y.XmlText) out.push(child)
    else if (child instanceof Y.XmlElement) xmlTexts(child, out)
  }
  return out
}

function editXml (r, frag, n) {
  const els = elements(frag)
  const op = frag.length > 25 ? 'deleteTop' : r.pick(['newEl', 'newEl', 'text', 'text', 'text', 'attr', 'nested', 'deleteTop', 'deleteText', 'topText'])
  switch (op) {
    case 'newEl': {
      const el = new Y.XmlElement(r.pick(TAGS))
      frag.insert(r.int(frag.length + 1), [el])
      el.setAttribute('n', String(n))
      const t = new Y.XmlText()
      el.insert(0, [t])
      t.insert(0, randomString(r), r.chance(0.3) ? { bold: true } : undefined)
      break
    }
    case 'nested': {
      if (!els.length) break
      const parent = r.pick(els)
      const el = new Y.XmlElement('listItem')
      parent.insert(r.int(parent.length + 1), [el])
      el.insert(0, [new Y.XmlText(randomString(r))])
      break
    }
    case 'topText': frag.insert(r.int(frag.length + 1), [new Y.XmlText(randomString(r))]); break
    case 'text': {
      const texts = xmlTexts(frag)
      if (!texts.length) break
      const t = r.pick(texts)
      const s = plain(t)
      if (r.chance(0.25) && s.length > 0) t.format(...range(r, s, 5), r.pick(ATTRS))
      else t.insert(snap(s, r.int(s.length + 1)), randomString(r), r.chance(0.3) ? r.pick(ATTRS.filter(a => Object.values(a)[0] !== null)) : undefined)
      break
    }
    case 'deleteText': {
      const texts = xmlTexts(frag)
      if (!texts.length) break
      const t = r.pick(texts)
      const s = plain(t)
      if (s.length > 0) t.delete(...range(r, s, 4))
      break
    }
    case 'attr': {
      if (!els.length) break
      const el = r.pick(els)
      if (r.chance(0.3)) el.removeAttribute('level')
      else el.setAttribute('level', String(1 + r.int(6)))
      break
    }
    case 'deleteTop': if (frag.length) frag.delete(r.int(frag.length), 1); break
  }
}

/** One random edit (sometimes several in one transaction) of `doc`. */
export function randomEdit (r, doc, n) {
  const one = () => {
    const which = r.int(10)
    if (which < 5) editText(r, doc.getText('text'), n)
    else if (which < 7) editMap(r, doc.getMap('map'), n)
    else editXml(r, doc.getXmlFragment('xml'), n)
  }
  if (r.chance(0.15)) doc.transact(() => { for (let i = 0, k = 2 + r.int(4); i < k; i++) one() })
  else one()
}
