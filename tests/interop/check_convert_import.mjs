#!/usr/bin/env node
// check_convert_import.mjs FIXTURES_DIR DUMP_DIR: the documents Tandem's importer wrote
// (convert_import_dump) read by real y-prosemirror with TipTap 3's schema, as the editor opens
// them: each must be valid for the schema (Node.check), read as the fixture's ProseMirror JSON,
// and be left untouched when y-prosemirror syncs that same document back (updateYFragment emits
// no update), i.e. TipTap opens it without normalizing it. Prints "N passed, N failed".

import * as Y from 'yjs'
import { yXmlFragmentToProseMirrorRootNode, updateYFragment } from 'y-prosemirror'
import { getSchema } from '@tiptap/core'
import StarterKit from '@tiptap/starter-kit'
import fs from 'node:fs'
import path from 'node:path'

const [dir, dump] = process.argv.slice(2)
const schema = getSchema([StarterKit])
const index = JSON.parse(fs.readFileSync(path.join(dir, 'index.json'), 'utf8'))
let passed = 0
let failed = 0
for (const name of index.import) {
  const fixture = JSON.parse(fs.readFileSync(path.join(dir, 'import', name + '.json'), 'utf8'))
  try {
    const ydoc = new Y.Doc()
    Y.applyUpdate(ydoc, fs.readFileSync(path.join(dump, name + '.update')))
    const frag = ydoc.getXmlFragment(index.fragment)
    const node = yXmlFragmentToProseMirrorRootNode(frag, schema)
    node.check()
    const json = JSON.stringify(node.toJSON())
    if (json !== fixture.json) throw new Error(`reads as\n  ${json}\nexpected\n  ${fixture.json}`)
    let changed = 0
    ydoc.on('update', () => { changed++ })
    updateYFragment(ydoc, frag, node, { mapping: new Map(), isOMark: new Map() })
    if (changed) throw new Error('y-prosemirror rewrote the imported document')
    passed++
  } catch (e) {
    failed++
    console.log(`FAIL ${name}: ${e.message}`)
  }
}
console.log(`${passed} passed, ${failed} failed`)
process.exit(failed ? 1 : 0)
