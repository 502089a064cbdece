#!/usr/bin/env node
// Fixtures for src/convert, written by real Yjs 13.6.33 + y-prosemirror 1.3.7 with TipTap 3's schema
// (@tiptap/core getSchema([StarterKit])) into tests/fixtures/convert/ (format: its README.md).
// Deterministic: fixed client ids, no randomness. Run: cd tests/interop && node gen_convert_fixtures.mjs
//
// Every document is also written by @tiptap/y-tiptap (TipTap 3's fork of y-prosemirror, what its
// Collaboration extension runs); the generator fails unless both give the same bytes.

import * as Y from 'yjs'
import * as YPM from 'y-prosemirror'
import * as YT from '@tiptap/y-tiptap'
import { getSchema } from '@tiptap/core'
import StarterKit from '@tiptap/starter-kit'
import { Schema, Node as PMNode } from 'prosemirror-model'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { expectedText } from './convert_text.mjs'

const HERE = path.dirname(fileURLToPath(import.meta.url))
const outArg = process.argv.indexOf('--out')
const OUT = outArg > 0 ? path.resolve(process.argv[outArg + 1]) : path.resolve(HERE, '../fixtures/convert')
const FRAGMENT = 'default' // TipTap Collaboration's `field`
const CLIENT = 1

export const schema = getSchema([StarterKit])

const hex = (u8) => Buffer.from(u8).toString('hex')
const versionOf = (pkg) => JSON.parse(fs.readFileSync(path.join(HERE, 'node_modules', pkg, 'package.json'), 'utf8')).version
const versions = () => Object.fromEntries(
  ['yjs', 'y-prosemirror', '@tiptap/y-tiptap', '@tiptap/core', '@tiptap/starter-kit', 'prosemirror-model'].map(p => [p, versionOf(p)]))

const mkDoc = (clientID = CLIENT) => {
  const d = new Y.Doc({ guid: 'convert-fixture' })
  d.clientID = clientID
  return d
}

/** y-prosemirror's prosemirrorToYXmlFragment into a fresh doc; checks y-tiptap writes the same bytes. */
const writeDoc = (pmJson, s = schema) => {
  const node = PMNode.fromJSON(s, pmJson)
  node.check()
  const a = mkDoc()
  YPM.prosemirrorToYXmlFragment(node, a.getXmlFragment(FRAGMENT))
  const b = mkDoc()
  YT.prosemirrorToYXmlFragment(node, b.getXmlFragment(FRAGMENT))
  const ua = Y.encodeStateAsUpdate(a)
  if (hex(ua) !== hex(Y.encodeStateAsUpdate(b))) throw new Error('y-prosemirror and y-tiptap disagree')
  return { doc: a, node }
}

/** What the editor reads: y-prosemirror's yXmlFragmentToProseMirrorRootNode, as JSON. */
const readDoc = (ydoc, s = schema) => {
  const node = YPM.yXmlFragmentToProseMirrorRootNode(ydoc.getXmlFragment(FRAGMENT), s)
  const json = node.toJSON()
  // TipTap shows an empty fragment as one empty paragraph (ProseMirror fills block+).
  if (!json.content || json.content.length === 0) json.content = [{ type: 'paragraph' }]
  return json
}

// --- ProseMirror JSON builders ---------------------------------------------------------------
const t = (text, ...marks) => marks.length ? { type: 'text', text, marks } : { type: 'text', text }
const m = (type, attrs) => attrs ? { type, attrs } : { type }
const p = (...content) => content.length ? { type: 'paragraph', content } : { type: 'paragraph' }
const h = (level, ...content) => ({ type: 'heading', attrs: { level }, content })
const ul = (...items) => ({ type: 'bulletList', content: items })
const ol = (start, ...items) => ({ type: 'orderedList', attrs: { start }, content: items })
const li = (...content) => ({ type: 'listItem', content })
const quote = (...content) => ({ type: 'blockquote', content })
const code = (language, text) => ({ type: 'codeBlock', attrs: { language }, content: text ? [t(text)] : undefined })
const br = () => ({ type: 'hardBreak' })
const hr = () => ({ type: 'horizontalRule' })
const doc = (...content) => ({ type: 'doc', content })
const link = (href, title) => m('link', title ? { href, title } : { href })

// --- Export fixtures: documents as the editor writes them --------------------------------------
const exportFixtures = []
const addExport = (name, description, ydoc, extra = {}) => {
  const json = extra.expectJson ? PMNode.fromJSON(schema, extra.expectJson).toJSON() : readDoc(ydoc, extra.schema)
  exportFixtures.push({
    name,
    description,
    update: hex(Y.encodeStateAsUpdate(ydoc)),
    json: JSON.stringify(json),
    text: expectedText(json),
    markdown_roundtrip: extra.markdownRoundtrip ?? true
  })
}

const allNodes = doc(
  h(1, t('Tandem '), t('export', m('italic'))),
  p(t('Plain, '), t('bold', m('bold')), t(', '), t('italic', m('italic')), t(', '), t('strike', m('strike')),
    t(', '), t('code', m('code')), t(', '), t('underline', m('underline')), t(', '),
    t('a link', link('https://example.com/a?b=1&c=2', 'A title')), t(' and '),
    t('bold italic link', link('/relative'), m('bold'), m('italic')), t('.')),
  p(t('Line one'), br(), t('line two with emoji 😀👍🏽 and 𝄞')),
  h(2, t('Lists')),
  ul(li(p(t('first'))), li(p(t('second'), br(), t('continued')))),
  ol(5, li(p(t('five'))), li(p(t('six')))),
  quote(p(t('A quote')), p(t('in two paragraphs'))),
  code('js', 'const x = 1 < 2 && "y";\n  return `z`;'),
  code(null, 'no language'),
  hr(),
  h(6, t('Level six')),
  p()
)
addExport('all_nodes', 'every node type and mark of the editor, with attributes, emoji and a trailing empty paragraph',
  writeDoc(allNodes).doc)

const nested = doc(
  ul(
    li(p(t('level 1')),
      ul(li(p(t('level 2')),
        ol(1, li(p(t('level 3')),
          ul(li(p(t('level 4 '), t('deep', m('bold')))))))))),
    li(p(t('back to 1')), p(t('second paragraph'))),
    li(p(), ul(li(p(t('item whose first paragraph is empty'))))),
    li(quote(p(t('quote in a list'))))
  ),
  ol(3, li(p(t('three'))), li(p(t('four')), code('python', 'print(1)'))),
  ul(li(p(t('a list right after another list'))))
)
// (the listItem starting with a blockquote is not valid in the schema: fix it as ProseMirror's
// fitting would, with an empty paragraph first)
nested.content[0].content[3] = li(p(), quote(p(t('quote in a list'))))
addExport('nested_lists', 'lists nested four deep, mixed kinds, multi-block items, adjacent lists', writeDoc(nested).doc)

{
  // An editing session: y-prosemirror's updateYFragment applying successive editor states, the
  // way the sync plugin writes each ProseMirror transaction.
  const v1 = doc(p(t('Hello world')), p(t('Second paragraph')), ul(li(p(t('one'))), li(p(t('two')))))
  const v2 = doc(p(t('Hello '), t('brave', m('bold')), t(' new world')), ul(li(p(t('one'))), li(p(t('two'))), li(p(t('three')))))
  const v3 = doc(h(2, t('Hello '), t('brave', m('bold')), t(' new world')), ul(li(p(t('zero'))), li(p(t('one'))), li(p(t('three')))),
    p(t('link', link('https://tandem.example/')), t(' added')))
  const ydoc = mkDoc()
  const frag = ydoc.getXmlFragment(FRAGMENT)
  const meta = { mapping: new Map(), isOMark: new Map() }
  for (const v of [v1, v2, v3]) YPM.updateYFragment(ydoc, frag, PMNode.fromJSON(schema, v), meta)
  addExport('edited', 'three editor states applied with updateYFragment (deletions, mark changes, node type change)', ydoc)
}

{
  // Two editors typing concurrently, then merged.
  const base = writeDoc(doc(p(t('Shared paragraph')), p(t('Another')))).doc
  const a = mkDoc(2)
  const b = mkDoc(3)
  Y.applyUpdate(a, Y.encodeStateAsUpdate(base))
  Y.applyUpdate(b, Y.encodeStateAsUpdate(base))
  const metaA = { mapping: new Map(), isOMark: new Map() }
  const metaB = { mapping: new Map(), isOMark: new Map() }
  YPM.updateYFragment(a, a.getXmlFragment(FRAGMENT),
    PMNode.fromJSON(schema, doc(p(t('Shared '), t('bold', m('bold')), t(' paragraph')), p(t('Another')))), metaA)
  YPM.updateYFragment(b, b.getXmlFragment(FRAGMENT),
    PMNode.fromJSON(schema, doc(p(t('Shared paragraph!')), h(3, t('Inserted by B')), p(t('Another'), br(), t('line')))), metaB)
  Y.applyUpdate(a, Y.encodeStateAsUpdate(b))
  addExport('concurrent', 'two clients edit the same paragraphs concurrently; the merged state', a)
}

{
  // Overlapping marks: a schema whose bold may overlap itself and a "comment" mark TipTap does not
  // know. y-prosemirror keys such marks "name--<hash>"; Tandem strips the hash and drops unknown marks.
  const spec = schema.spec
  const boldSpec = spec.marks.get('bold')
  const s2 = new Schema({
    nodes: spec.nodes,
    marks: spec.marks.update('bold', { ...boldSpec, excludes: '' }).addToEnd('comment', { attrs: { id: {} }, excludes: '' })
  })
  const pm = {
    type: 'doc',
    content: [{ type: 'paragraph', content: [
      { type: 'text', text: 'overlapping ' },
      { type: 'text', text: 'marks', marks: [{ type: 'bold' }, { type: 'comment', attrs: { id: 'c1' } }] },
      { type: 'text', text: ' here', marks: [{ type: 'comment', attrs: { id: 'c2' } }] }
    ] }]
  }
  const ydoc = mkDoc()
  YPM.prosemirrorToYXmlFragment(PMNode.fromJSON(s2, pm), ydoc.getXmlFragment(FRAGMENT))
  const keys = ydoc.getXmlFragment(FRAGMENT).get(0).get(0).toDelta().flatMap(d => Object.keys(d.attributes ?? {}))
  if (!keys.some(k => /^bold--[A-Za-z0-9+/=]{8}$/.test(k))) throw new Error('expected a hashed bold key, got ' + keys)
  const expectJson = doc(p(t('overlapping '), t('marks', m('bold')), t(' here')))
  addExport('overlapping_marks', 'marks keyed "bold--<hash>" (a schema where bold may overlap) and an unknown "comment" mark',
    ydoc, { schema: s2, expectJson })
}

{
  const ydoc = mkDoc()
  ydoc.getXmlFragment(FRAGMENT)
  addExport('empty', 'an empty fragment: the editor shows one empty paragraph', ydoc, { markdownRoundtrip: false })
}

{
  const hostile = doc(
    p(t('<script>alert("x")</script> & \'quotes\' "double" <b>not bold</b>')),
    p(t('javascript link', link('javascript:alert(1)')), t(' and '), t('data link', link('data:text/html,<script>alert(1)</script>'))),
    p(t('*not emphasis* _nor this_ `nor code` [nor](link) # nor heading \\ backslash')),
    p(t('1. not a list')), p(t('- nor this')), p(t('+ nor this')), p(t('> nor a quote')),
    h(3, t('Heading with # hashes #')),
    code('"><img src=x onerror=alert(1)>', '</code></pre><script>alert(2)</script>'),
    p(t('  leading and trailing spaces  '))
  )
  addExport('hostile_text', 'text and attributes that must be escaped in HTML and Markdown; unsafe link hrefs',
    writeDoc(hostile).doc, { markdownRoundtrip: false })
}

// --- Import fixtures: what Tandem's importer must write ----------------------------------------
// The expected ProseMirror JSON of each sample is written here by hand (the documented mapping,
// src/convert/*_import.cc); `update` is y-prosemirror writing that JSON with client 1, which the
// C++ import must reproduce byte for byte.
const importFixtures = []
const addImport = (name, format, input, expected, description) => {
  const { doc: ydoc, node } = writeDoc(expected)
  if (JSON.stringify(node.toJSON()) !== JSON.stringify(readDoc(ydoc))) throw new Error(name + ': does not read back')
  importFixtures.push({ name, description, format, input, json: JSON.stringify(node.toJSON()), update: hex(Y.encodeStateAsUpdate(ydoc)) })
}

addImport('md_basic', 'markdown',
  '# Title\n\nHello **bold** *italic* `code` [link](https://example.com "T").\n',
  doc(h(1, t('Title')), p(t('Hello '), t('bold', m('bold')), t(' '), t('italic', m('italic')), t(' '), t('code', m('code')), t(' '),
    t('link', link('https://example.com', 'T')), t('.'))),
  'headings, marks, link with title')
addImport('md_lists', 'markdown',
  '- a\n- b\n  - nested\n\n    second paragraph\n\n3. three\n4. four\n\n* after\n',
  doc(ul(li(p(t('a'))), li(p(t('b')), ul(li(p(t('nested')), p(t('second paragraph')))))), ol(3, li(p(t('three'))), li(p(t('four')))),
    ul(li(p(t('after'))))),
  'bullet and ordered lists, nesting, loose items, ordered start')
addImport('md_blocks', 'markdown',
  '> quote\n>\n> - item\n\n```js\nconst x = 1;\n\nreturn x;\n```\n\n    indented code\n\n---\n\n## Sub *heading*\n',
  doc(quote(p(t('quote')), ul(li(p(t('item'))))), code('js', 'const x = 1;\n\nreturn x;'), code(null, 'indented code'), hr(),
    h(2, t('Sub '), t('heading', m('italic')))),
  'block quote, fenced and indented code, rule')
addImport('md_inline', 'markdown',
  'soft\nbreak, hard  \nbreak, back\\\nslash; \\*escaped\\* &amp; &copy; 😀 **bold `code` bold** <s>struck</s> <u>under</u> a<br>b\n',
  doc(p(t('soft break, hard'), br(), t('break, back'), br(), t('slash; *escaped* & © 😀 '), t('bold ', m('bold')), t('code', m('code')),
    t(' bold', m('bold')), t(' '), t('struck', m('strike')), t(' '), t('under', m('underline')), t(' a'), br(), t('b'))),
  'soft and hard breaks, escapes, entities, emoji, code inside bold (code excludes bold), inline HTML marks')
addImport('md_unsupported', 'markdown',
  '| a | b |\n|---|---|\n| 1 | 2 |\n\n![alt text](https://img.example/x.png) ~~not struck~~ [bad](javascript:alert(1))\n\n<div>html <b>block</b><script>alert(1)</script></div>\n\ninline <script>alert(2)</script> end\n',
  doc(p(t('| a | b |'), t(' |---|---| | 1 | 2 |')), p(t('alt text', link('https://img.example/x.png')), t(' ~~not struck~~ bad')),
    p(t('html '), t('block', m('bold'))), p(t('inline  end'))),
  'tables stay text, images become links, unsafe links become text, HTML blocks are read as HTML, scripts dropped')
addImport('md_empty', 'markdown', '', doc(p()), 'an empty document: one empty paragraph')

addImport('html_basic', 'html',
  '<h2>T</h2><p>Hello <b>bold</b> <em>it</em> <s>s</s> <u>u</u> <code>c</code> <a href="https://x.example/?a=1&amp;b=2" title="t">l</a></p>',
  doc(h(2, t('T')), p(t('Hello '), t('bold', m('bold')), t(' '), t('it', m('italic')), t(' '), t('s', m('strike')), t(' '),
    t('u', m('underline')), t(' '), t('c', m('code')), t(' '), t('l', link('https://x.example/?a=1&b=2', 't')))),
  'headings, marks, link with title, entities')
addImport('html_lists', 'html',
  '<ul><li>a<ul><li>b</li></ul></li><li><p>c</p></li></ul><ol start="4" type="a"><li>x</li></ol><ul><li><ul><li>d</li></ul></li></ul>',
  doc(ul(li(p(t('a')), ul(li(p(t('b'))))), li(p(t('c')))), { type: 'orderedList', attrs: { start: 4, type: 'a' }, content: [li(p(t('x')))] },
    ul(li(p(), ul(li(p(t('d'))))))),
  'lists, nested lists, ordered start and type, an item starting with a list')
addImport('html_xss', 'html',
  '<p onclick="x()">a<script>alert(1)</script><a href="javascript:alert(1)">js</a><a href=" JaVaScRiPt:alert(1)">js2</a><img src=x onerror=alert(1) alt="img"></p><style>p{}</style><iframe src="https://evil.example"></iframe>',
  doc(p(t('ajsjs2'), t('img', link('x')))),
  'event handlers, scripts, styles, iframes dropped; javascript: links unlinked; an image as a link')
addImport('html_containers', 'html',
  '<div>one</div><div>two <span>three</span></div><table><tr><td>a</td><td><b>b</b></td></tr></table><section><p>p</p>tail</section>',
  doc(p(t('one')), p(t('two three')), p(t('a')), p(t('b', m('bold'))), p(t('p')), p(t('tail'))),
  'divs, tables (a paragraph per cell), sections')
addImport('html_pre', 'html',
  '<pre><code class="hljs language-python">def f():\n    return 1 &lt; 2\n</code></pre><blockquote><p>q</p></blockquote><hr><p>a<br>b</p>',
  doc(code('python', 'def f():\n    return 1 < 2\n'), quote(p(t('q'))), hr(), p(t('a'), br(), t('b'))),
  'code block with language (preformatted text kept), quote, rule, hard break')
addImport('html_whitespace', 'html',
  '<p>  a   b \n c </p>\n<p> <b> x </b> y</p>\n\n<p>emoji 😀 &amp; <i>é</i></p>',
  doc(p(t('a b c')), p(t('x ', m('bold')), t('y')), p(t('emoji 😀 & '), t('é', m('italic')))),
  'whitespace collapsed as browsers and ProseMirror do')

// --- Write -------------------------------------------------------------------------------------
const schemaDump = {
  nodes: Object.fromEntries(Object.entries(schema.nodes).map(([n, tp]) => [n, {
    attrs: Object.fromEntries(Object.entries(tp.spec.attrs ?? {}).map(([k, a]) => [k, a.default ?? null])),
    content: tp.spec.content ?? '', group: tp.spec.group ?? '', inline: !!tp.spec.inline
  }])),
  marks: Object.keys(schema.marks).map(n => ({
    name: n,
    attrs: Object.fromEntries(Object.entries(schema.marks[n].spec.attrs ?? {}).map(([k, a]) => [k, a.default ?? null])),
    excludes: schema.marks[n].spec.excludes ?? null
  }))
}

fs.rmSync(path.join(OUT, 'export'), { recursive: true, force: true })
fs.rmSync(path.join(OUT, 'import'), { recursive: true, force: true })
fs.mkdirSync(path.join(OUT, 'export'), { recursive: true })
fs.mkdirSync(path.join(OUT, 'import'), { recursive: true })
const write = (file, obj) => fs.writeFileSync(path.join(OUT, file), JSON.stringify(obj, null, 1) + '\n')
for (const f of exportFixtures) write(`export/${f.name}.json`, f)
for (const f of importFixtures) write(`import/${f.name}.json`, f)
write('schema.json', schemaDump)
write('index.json', {
  generator: 'tests/interop/gen_convert_fixtures.mjs',
  versions: versions(),
  fragment: FRAGMENT,
  client: CLIENT,
  export: exportFixtures.map(f => f.name),
  import: importFixtures.map(f => f.name)
})
console.log(`wrote ${exportFixtures.length} export and ${importFixtures.length} import fixtures to ${OUT}`)
