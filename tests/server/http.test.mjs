// http: the REST API's happy paths and errors as docs/api.md describes them, the caching
// headers, static files, and the operations endpoints:
//   - documents: create (title, from Markdown, from HTML), list with paging (limit, cursor,
//     next_cursor), get, rename, delete (its WebSocket clients are closed with 4404, later ones
//     too), errors as JSON {"error": {"code", "message"}} with the right status;
//   - export in html, markdown, text, json, yjs (Content-Types, aliases md/txt), of an empty
//     document, a map-only one and a plain Y.Text; a bad format; an unknown document; updated_ms
//     follows edits and the list is newest edit first;
//   - versions: create a named one, list, view (text, html, yjs), restore — a live edit that
//     connected y-websocket clients receive — and restoring the newer version undoes it;
//     automatic versions while a document is edited;
//   - Cache-Control: no-store on every /api response (errors included) and on the WebSocket
//     upgrade response; index.html no-cache with an ETag and 304 on If-None-Match; content-hashed
//     assets immutable; path traversal refused; request size caps (413, 431);
//   - /healthz, /readyz, /metrics in the Prometheus text format.
import fs from 'node:fs'
import path from 'node:path'
import {
  parseArgs, main, Server, Client, log, check, waitFor, sleep, rawSocket, withTimeout, tempDir, parseMetrics, httpRequest, Y
} from './lib.mjs'

const opts = parseArgs()

/** The text of an XmlFragment as y-prosemirror lays out paragraphs: each child's text, joined. */
function fragmentText (doc) {
  const walk = (node) => node.toArray().map(c => c instanceof Y.XmlText ? c.toString().replace(/<[^>]*>/g, '') : walk(c)).join('')
  return doc.getXmlFragment('default').toArray().map(walk).join('\n')
}

await main('http', 100000, async () => {
  // A web root of our own, with a content-hashed asset and a plain one next to the real index.html.
  const webRoot = tempDir('tandem-web-')
  fs.copyFileSync(path.join(opts.webRoot, 'index.html'), path.join(webRoot, 'index.html'))
  fs.writeFileSync(path.join(webRoot, 'app-3f9a1c2b7d.js'), 'console.log("hashed")\n')
  fs.writeFileSync(path.join(webRoot, 'logo.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>\n')
  const server = new Server({ ...opts, webRoot }, { args: ['--max-request-body-bytes', '65536', '--max-request-header-bytes', '8192', '--auto-version-interval-s', '1'] })
  await server.start()

  // Every /api response must carry Cache-Control: no-store.
  const apiResponses = []
  const api = async (method, p, body, headers) => {
    const r = await server.req(method, p, body, headers)
    apiResponses.push({ what: `${method} ${p} → ${r.status}`, cc: r.headers.get('cache-control') })
    return r
  }
  const isError = (r, status, code) => r.status === status && r.json && r.json.error && r.json.error.code === code &&
    typeof r.json.error.message === 'string' && r.json.error.message.length > 0
  const errorCheck = (r, status, code, what) => check(isError(r, status, code), `${what}: ${status} {"error":{"code":"${code}"}} (got ${r.status} ${r.text.slice(0, 200)})`)

  // --- create -----------------------------------------------------------------------------------
  const t0 = Date.now()
  let r = await api('POST', '/api/docs', { title: 'Plan 😀' })
  check(r.status === 201 && r.json?.title === 'Plan 😀' && /^[A-Za-z0-9_-]{1,128}$/.test(r.json?.id ?? '') &&
    r.json.created_ms >= t0 - 5000 && r.json.updated_ms >= r.json.created_ms, `create: 201 with id, title, times (got ${r.status} ${r.text})`)
  check((r.headers.get('content-type') || '').startsWith('application/json'), 'create: JSON content type')
  const planId = r.json.id
  r = await api('POST', '/api/docs', {})
  check(r.status === 201 && typeof r.json?.title === 'string', `create without a title: 201 (got ${r.status} ${r.text})`)
  const untitledId = r.json?.id
  r = await api('POST', '/api/docs', { title: 'From md', markdown: '# Heading\n\nSome **bold** text.\n\n- one\n- two\n' })
  check(r.status === 201, `create from Markdown: 201 (got ${r.status} ${r.text})`)
  const mdId = r.json?.id
  r = await api('POST', '/api/docs', { title: 'From html', html: '<h2>Title</h2><p>Para <em>it</em></p>' })
  check(r.status === 201, `create from HTML: 201 (got ${r.status} ${r.text})`)
  const htmlId = r.json?.id
  errorCheck(await api('POST', '/api/docs', '{not json'), 400, 'bad_request', 'create with a body that is not JSON')
  errorCheck(await api('POST', '/api/docs', '[1,2]'), 400, 'bad_request', 'create with a JSON array')
  errorCheck(await api('POST', '/api/docs', { title: 42 }), 400, 'bad_request', 'create with a numeric title')
  errorCheck(await api('POST', '/api/docs', { title: 'x'.repeat(600) }), 400, 'bad_request', 'create with a title over 512 bytes')
  errorCheck(await api('POST', '/api/docs', { markdown: '# a', html: '<p>b</p>' }), 400, 'bad_request', 'create with Markdown and HTML')
  errorCheck(await api('POST', '/api/docs', { html: '<div>'.repeat(600) + 'deep' }), 400, 'bad_import', 'create from HTML nested 600 deep')
  errorCheck(await api('PUT', '/api/docs', { title: 'x' }), 405, 'method_not_allowed', 'PUT /api/docs')
  errorCheck(await api('GET', '/api/nothing'), 404, 'not_found', 'GET /api/nothing')
  const big = await api('POST', '/api/docs', { title: 'big', markdown: 'x'.repeat(70000) }).catch(e => ({ status: `error ${e.message}` }))
  check(big.status === 413, `create with a body over --max-request-body-bytes: 413 (got ${big.status})`)
  const hugeHeader = await httpRequest(server.port, 'GET', '/api/docs', { 'x-junk': 'y'.repeat(9000) }).catch(e => ({ status: `error ${e.message}` }))
  check(hugeHeader.status === 431, `request head over --max-request-header-bytes: 431 (got ${hugeHeader.status})`)
  check(server.running, 'the server survived the oversized requests')

  // --- get, rename ------------------------------------------------------------------------------
  r = await api('GET', `/api/docs/${planId}`)
  check(r.status === 200 && r.json?.id === planId && r.json?.title === 'Plan 😀', `get: 200 with metadata (got ${r.status} ${r.text})`)
  errorCheck(await api('GET', '/api/docs/nosuchdoc234567'), 404, 'not_found', 'get an unknown document')
  errorCheck(await api('GET', '/api/docs/bad.id'), 404, 'not_found', 'get an invalid id')
  await sleep(5)
  r = await api('PATCH', `/api/docs/${planId}`, { title: 'Renamed ✓' })
  check(r.status === 200 && r.json?.title === 'Renamed ✓', `rename: 200 with the new title (got ${r.status} ${r.text})`)
  r = await api('GET', `/api/docs/${planId}`)
  check(r.json?.title === 'Renamed ✓', 'rename: get shows the new title')
  errorCheck(await api('PATCH', `/api/docs/${planId}`, {}), 400, 'bad_request', 'rename without a title')
  errorCheck(await api('PATCH', `/api/docs/${planId}`, { title: ['x'] }), 400, 'bad_request', 'rename with a non-string title')
  errorCheck(await api('PATCH', '/api/docs/nosuchdoc234567', { title: 'x' }), 404, 'not_found', 'rename an unknown document')
  errorCheck(await api('POST', `/api/docs/${planId}`, {}), 405, 'method_not_allowed', 'POST on a document')

  // --- list with paging ---------------------------------------------------------------------------
  const created = [planId, untitledId, mdId, htmlId]
  for (let i = 0; i < 7; i++) created.push((await api('POST', '/api/docs', { title: `page ${i}` })).json.id)
  const seen = []
  let cursor = null
  let pages = 0
  for (; pages < 20; pages++) {
    r = await api('GET', `/api/docs?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)
    if (!check(r.status === 200 && Array.isArray(r.json?.docs), `list page ${pages}: 200 with docs (got ${r.status} ${r.text})`)) break
    check(r.json.docs.length <= 3, `list page ${pages}: at most limit=3 documents`)
    for (const d of r.json.docs) {
      check(typeof d.id === 'string' && typeof d.title === 'string' && typeof d.updated_ms === 'number', `list: entries have id, title, updated_ms (${JSON.stringify(d)})`)
      seen.push(d.id)
    }
    if (!r.json.next_cursor) break
    cursor = r.json.next_cursor
  }
  check(pages >= 3, `list: ${created.length} documents take several pages of 3 (took ${pages + 1})`)
  check(new Set(seen).size === seen.length, 'list: no document on two pages')
  check(created.every(id => seen.includes(id)) && seen.length === created.length, `list: the pages hold every document once (${seen.length} listed, ${created.length} created)`)
  r = await api('GET', '/api/docs')
  check(r.status === 200 && r.json.docs.length === created.length, 'list without limit: every document (fewer than the default page)')
  await sleep(5)
  await api('PATCH', `/api/docs/${untitledId}`, { title: 'Renamed last' })
  r = await api('GET', '/api/docs?limit=1')
  check(r.status === 200 && r.json.docs[0]?.id === untitledId, `list: the most recently updated first (the one renamed last) (got ${r.json?.docs?.[0]?.title})`)
  errorCheck(await api('GET', '/api/docs?limit=abc'), 400, 'bad_request', 'list with limit=abc')
  errorCheck(await api('GET', '/api/docs?cursor=%%%garbage'), 400, 'bad_request', 'list with a garbage cursor')

  // --- export -------------------------------------------------------------------------------------
  const formats = {}
  const CONTENT_TYPES = { html: 'text/html; charset=utf-8', markdown: 'text/markdown; charset=utf-8', text: 'text/plain; charset=utf-8', json: 'application/json', yjs: 'application/octet-stream' }
  for (const f of ['html', 'markdown', 'text', 'json', 'yjs']) {
    r = await api('GET', `/api/docs/${mdId}/export?format=${f}`)
    formats[f] = r
    check(r.status === 200, `export ${f}: 200 (got ${r.status} ${r.text.slice(0, 200)})`)
    check(r.headers.get('content-type') === CONTENT_TYPES[f], `export ${f}: Content-Type ${CONTENT_TYPES[f]} (got ${r.headers.get('content-type')})`)
  }
  for (const [alias, f] of [['md', 'markdown'], ['txt', 'text']]) {
    r = await api('GET', `/api/docs/${mdId}/export?format=${alias}`)
    check(r.status === 200 && r.text === formats[f].text, `export format=${alias} is ${f}`)
  }
  check(/<h1[^>]*>Heading<\/h1>/.test(formats.html.text) && /<strong>bold<\/strong>/.test(formats.html.text) && /<li/.test(formats.html.text),
    `export html: heading, bold, list (got ${formats.html.text.slice(0, 300)})`)
  check((formats.html.headers.get('content-type') || '').startsWith('text/html'), 'export html: text/html')
  check(/^# Heading/m.test(formats.markdown.text) && formats.markdown.text.includes('**bold**') && /^[-*] one/m.test(formats.markdown.text),
    `export markdown round-trips the import (got ${JSON.stringify(formats.markdown.text)})`)
  check(formats.text.text.includes('Heading') && formats.text.text.includes('Some bold text.') && !formats.text.text.includes('**'),
    `export text: plain text (got ${JSON.stringify(formats.text.text)})`)
  let parsed = null
  try { parsed = JSON.parse(formats.json.text) } catch {}
  check(parsed !== null && parsed.type === 'doc' && Array.isArray(parsed.content) && parsed.content.some(n => n.type === 'heading' && n.attrs?.level === 1) &&
    parsed.content.some(n => n.type === 'bulletList'), `export json: ProseMirror JSON with the heading and the list (got ${formats.json.text.slice(0, 300)})`)
  // An empty document, a document of only a map, a document of a plain Y.Text (docs/api.md).
  {
    const empty = {}
    for (const f of ['html', 'markdown', 'text', 'json']) empty[f] = await api('GET', `/api/docs/${untitledId}/export?format=${f}`)
    check(empty.html.status === 200 && empty.html.text === '' && empty.markdown.text === '' && empty.text.text === '',
      `export of an empty document: empty html, markdown and text (got ${JSON.stringify([empty.html.text, empty.markdown.text, empty.text.text])})`)
    check(empty.json.text === '{"type":"doc","content":[{"type":"paragraph"}]}', `export json of an empty document: one empty paragraph (got ${empty.json.text})`)
    const mapDoc = (await api('POST', '/api/docs', { title: 'map only' })).json.id
    const plainDoc = (await api('POST', '/api/docs', { title: 'plain text' })).json.id
    created.push(mapDoc, plainDoc)
    const mc = new Client(server, mapDoc, { ack: true, name: 'map-writer' })
    const pc = new Client(server, plainDoc, { ack: true, name: 'text-writer' })
    await mc.waitSynced(); await pc.waitSynced()
    mc.doc.getMap('settings').set('theme', 'dark ☾')
    pc.doc.getText('notes').insert(0, 'hello 😀\nworld')
    await waitFor(() => mc.ackedClock() >= mc.ownClock() && pc.ackedClock() >= pc.ownClock(), 5000, 'map and text documents acked')
    r = await api('GET', `/api/docs/${mapDoc}/export?format=json`)
    check(r.status === 200 && r.text === '{"settings":{"theme":"dark ☾"}}', `export json of a map-only document: each root's toJSON (got ${r.status} ${r.text})`)
    r = await api('GET', `/api/docs/${mapDoc}/export?format=text`)
    check(r.status >= 400 && r.json?.error && /json/.test(r.json.error.message), `export text of a map-only document: an error naming json (got ${r.status} ${r.text})`)
    r = await api('GET', `/api/docs/${plainDoc}/export?format=text`)
    check(r.status === 200 && r.text === 'hello 😀\nworld', `export text of a plain Y.Text document: the text as stored (got ${JSON.stringify(r.text)})`)
    r = await api('GET', `/api/docs/${plainDoc}/export?format=html`)
    check(r.status === 200 && r.text.includes('hello 😀') && /<br/.test(r.text), `export html of a plain Y.Text: a paragraph with a hard break (got ${JSON.stringify(r.text)})`)
    mc.destroy(); pc.destroy()
  }
  {
    const d = new Y.Doc()
    let ok = true
    try { Y.applyUpdate(d, new Uint8Array(formats.yjs.body)) } catch { ok = false }
    check(ok && fragmentText(d).includes('Heading') && fragmentText(d).includes('bold'), `export yjs: an update whose 'default' fragment holds the document (got ${JSON.stringify(fragmentText(d))})`)
  }
  r = await api('GET', `/api/docs/${htmlId}/export?format=markdown`)
  check(r.status === 200 && /^## Title/m.test(r.text) && /[*_]it[*_]/.test(r.text), `export of the HTML import as Markdown (got ${JSON.stringify(r.text)})`)
  r = await api('GET', `/api/docs/${mdId}/export`)
  check(r.status === 200 && r.text === formats.html.text, 'export without a format: html')
  errorCheck(await api('GET', `/api/docs/${mdId}/export?format=pdf`), 400, 'bad_format', 'export format=pdf')
  errorCheck(await api('GET', '/api/docs/nosuchdoc234567/export?format=text'), 404, 'not_found', 'export of an unknown document')

  // --- versions: create, list, view, restore (live), restore again (undo) -----------------------
  const a = new Client(server, planId, { ack: true, name: 'a' })
  const b = new Client(server, planId, { name: 'b' })
  await a.waitSynced(); await b.waitSynced()
  const frag = a.doc.getXmlFragment('default')
  const para = new Y.XmlElement('paragraph')
  frag.insert(0, [para])
  const ptext = new Y.XmlText()
  para.insert(0, [ptext])
  ptext.insert(0, 'first version 😀')
  a.doc.getMap('map').set('stage', 'one')
  await waitFor(() => a.ackedClock() >= a.ownClock(), 5000, 'a: edits acked')
  r = await api('POST', `/api/docs/${planId}/versions`, { name: 'v1 ✓' })
  check(r.status === 201 && r.json?.name === 'v1 ✓' && r.json?.automatic === false && r.json?.doc === planId, `create version: 201 (got ${r.status} ${r.text})`)
  const v1 = r.json?.id
  errorCheck(await api('POST', `/api/docs/${planId}/versions`, {}), 400, 'bad_request', 'create a version without a name')
  errorCheck(await api('POST', '/api/docs/nosuchdoc234567/versions', { name: 'x' }), 404, 'not_found', 'create a version of an unknown document')

  // Edit on: the second state.
  ptext.delete(0, 'first'.length)
  ptext.insert(0, 'second')
  const p2 = new Y.XmlElement('paragraph')
  frag.insert(1, [p2])
  p2.insert(0, [new Y.XmlText('another paragraph')])
  a.doc.getMap('map').set('stage', 'two')
  a.doc.getMap('map').set('extra', true)
  await waitFor(() => b.doc.getMap('map').get('extra') === true && fragmentText(b.doc) === fragmentText(a.doc), 5000, 'b has the second state')
  await waitFor(() => a.ackedClock() >= a.ownClock(), 5000, 'a: edits acked')
  const secondText = fragmentText(a.doc)
  r = await api('POST', `/api/docs/${planId}/versions`, { name: 'v2' })
  check(r.status === 201, `create a second version: 201 (got ${r.status})`)
  const v2 = r.json?.id

  r = await api('GET', `/api/docs/${planId}/versions`)
  const listed = r.json?.versions ?? []
  check(r.status === 200 && listed.some(v => v.id === v1 && v.name === 'v1 ✓') && listed.some(v => v.id === v2 && v.name === 'v2'),
    `list versions: both named versions (got ${r.status} ${r.text.slice(0, 300)})`)
  check(listed.findIndex(v => v.id === v2) < listed.findIndex(v => v.id === v1), 'list versions: newest first')
  errorCheck(await api('GET', '/api/docs/nosuchdoc234567/versions'), 404, 'not_found', 'list the versions of an unknown document')

  r = await api('GET', `/api/docs/${planId}/versions/${v1}?format=text`)
  check(r.status === 200 && r.text.includes('first version 😀') && !r.text.includes('second'), `view v1 as text (got ${r.status} ${JSON.stringify(r.text)})`)
  r = await api('GET', `/api/docs/${planId}/versions/${v1}?format=html`)
  check(r.status === 200 && /<p[^>]*>first version 😀<\/p>/.test(r.text), `view v1 as html (got ${r.status} ${r.text.slice(0, 200)})`)
  r = await api('GET', `/api/docs/${planId}/versions/${v1}`)
  check(r.status === 200 && (r.headers.get('content-type') || '').startsWith('text/html'), 'view without a format: html')
  r = await api('GET', `/api/docs/${planId}/versions/${v1}?format=yjs`)
  const v1doc = new Y.Doc()
  Y.applyUpdate(v1doc, new Uint8Array(r.body))
  check(fragmentText(v1doc) === 'first version 😀' && v1doc.getMap('map').get('stage') === 'one', `view v1 as yjs (got ${JSON.stringify(fragmentText(v1doc))})`)
  errorCheck(await api('GET', `/api/docs/${planId}/versions/999999`), 404, 'not_found', 'view an unknown version')
  errorCheck(await api('GET', `/api/docs/${planId}/versions/abc`), 404, 'not_found', 'view a version id that is not a number')
  errorCheck(await api('GET', `/api/docs/${planId}/versions/${v1}?format=docx`), 400, 'bad_format', 'view with format=docx')
  errorCheck(await api('GET', `/api/docs/${untitledId}/versions/${v1}`), 404, 'not_found', 'view a version through another document')

  const sameState = (d, ref) => fragmentText(d) === fragmentText(ref) && JSON.stringify(d.getMap('map').toJSON()) === JSON.stringify(ref.getMap('map').toJSON())
  r = await api('POST', `/api/docs/${planId}/versions/${v1}/restore`)
  check(r.status === 200 && r.json?.restored === true && r.json?.changed === true, `restore v1: 200 changed (got ${r.status} ${r.text})`)
  await waitFor(() => sameState(a.doc, v1doc) && sameState(b.doc, v1doc), 5000, 'the restore reaches the connected clients live')
    .catch(e => check(false, `${e.message}: a ${JSON.stringify(fragmentText(a.doc))} b ${JSON.stringify(fragmentText(b.doc))} map ${JSON.stringify(b.doc.getMap('map').toJSON())}`))
  r = await api('GET', `/api/docs/${planId}/export?format=text`)
  check(r.text.includes('first version 😀') && !r.text.includes('another paragraph'), `after the restore the export is v1 (got ${JSON.stringify(r.text)})`)
  check(a.closeCodes.length === 0 && b.closeCodes.length === 0, 'the clients stay connected through the restore')
  r = await api('POST', `/api/docs/${planId}/versions/${v1}/restore`)
  check(r.status === 200 && r.json?.changed === false, `restore v1 again: nothing to change (got ${r.status} ${r.text})`)
  r = await api('POST', `/api/docs/${planId}/versions/${v2}/restore`)
  check(r.status === 200 && r.json?.changed === true, `restore v2 (undo the restore): 200 changed (got ${r.status} ${r.text})`)
  await waitFor(() => fragmentText(a.doc) === secondText && fragmentText(b.doc) === secondText && b.doc.getMap('map').get('extra') === true &&
    b.doc.getMap('map').get('stage') === 'two', 5000, 'restoring v2 undoes the restore, live')
    .catch(e => check(false, `${e.message}: b ${JSON.stringify(fragmentText(b.doc))} ${JSON.stringify(b.doc.getMap('map').toJSON())}`))
  errorCheck(await api('POST', `/api/docs/${planId}/versions/999999/restore`), 404, 'not_found', 'restore an unknown version')
  // Automatic versions (--auto-version-interval-s 1) while the document is edited.
  a.doc.getMap('map').set('auto', 1)
  await sleep(1300)
  a.doc.getMap('map').set('auto', 2)
  await waitFor(async () => ((await api('GET', `/api/docs/${planId}/versions`)).json?.versions ?? []).some(v => v.automatic === true), 5000,
    'an automatic version is made while the document is edited').catch(e => check(false, e.message))
  // A restore with nobody connected (the document loaded for it).
  r = await api('POST', `/api/docs/${mdId}/versions`, { name: 'md v1' })
  const mdV1 = r.json?.id
  r = await api('POST', `/api/docs/${mdId}/versions/${mdV1}/restore`)
  check(r.status === 200 && r.json?.changed === false, `restore of an unchanged document with nobody connected: 200 unchanged (got ${r.status} ${r.text})`)

  // --- updated_ms follows edits (within 5 s): the edited document is listed first -------------------
  {
    const before = (await api('GET', `/api/docs/${mdId}`)).json.updated_ms
    const ec = new Client(server, mdId, { ack: true, name: 'md-editor' })
    await ec.waitSynced()
    ec.doc.getXmlFragment('default').insert(0, [new Y.XmlElement('paragraph')])
    await waitFor(async () => {
      const top = (await api('GET', '/api/docs?limit=1')).json?.docs?.[0]
      return top?.id === mdId && top.updated_ms > before
    }, 8000, 'an edited document\'s updated_ms moves and it is listed first (docs/api.md: within 5 s)').catch(e => check(false, e.message))
    ec.destroy()
  }

  // --- delete: the document's clients are closed with 4404 ----------------------------------------
  const victim = created[created.length - 1]
  const vc = new Client(server, victim, { name: 'victim-client' })
  await vc.waitSynced()
  vc.doc.getText('text').insert(0, 'doomed')
  await sleep(200)
  const victimVersion = (await api('POST', `/api/docs/${victim}/versions`, { name: 'before delete' })).json?.id
  const raw = rawSocket(`${server.wsBase}/${victim}`)
  await withTimeout(raw.opened, 5000, 'raw client of the deleted document: open')
  r = await api('DELETE', `/api/docs/${victim}`)
  check(r.status === 204, `delete: 204 (got ${r.status} ${r.text})`)
  const rawClosed = await withTimeout(raw.closed, 5000, 'raw client closed').catch(e => ({ code: e.message }))
  check(rawClosed.code === 4404, `delete: a connected WebSocket is closed with 4404 (got ${rawClosed.code})`)
  await waitFor(() => vc.closeCodes.length > 0, 5000, 'the y-websocket client is closed').catch(() => {})
  check(vc.closeCodes[0] === 4404, `delete: the y-websocket client is closed with 4404 (got ${JSON.stringify(vc.closeCodes)})`)
  // The stock provider keeps reconnecting (every 100-300 ms here): it must never be served again.
  let resynced = false
  vc.provider.on('sync', (synced) => { if (synced) resynced = true })
  await sleep(1500)
  check(!resynced && vc.closeCodes.every(c => c === 4404) && vc.closeCodes.length >= 2,
    `delete: a client that keeps reconnecting is refused with 4404 each time, never served (closes ${JSON.stringify(vc.closeCodes)}, synced again: ${resynced})`)
  vc.destroy()
  errorCheck(await api('GET', `/api/docs/${victim}`), 404, 'not_found', 'get a deleted document')
  errorCheck(await api('GET', `/api/docs/${victim}/export?format=text`), 404, 'not_found', 'export a deleted document')
  errorCheck(await api('GET', `/api/docs/${victim}/versions`), 404, 'not_found', 'versions of a deleted document')
  errorCheck(await api('DELETE', `/api/docs/${victim}`), 404, 'not_found', 'delete a deleted document')
  errorCheck(await api('GET', `/api/docs/${victim}/versions/${victimVersion}?format=text`), 404, 'not_found', 'view a version of a deleted document')
  errorCheck(await api('POST', `/api/docs/${victim}/versions/${victimVersion}/restore`), 404, 'not_found', 'restore a version of a deleted document')
  errorCheck(await api('PATCH', `/api/docs/${victim}`, { title: 'zombie' }), 404, 'not_found', 'rename a deleted document')
  r = await api('GET', '/api/docs?limit=200')
  check(!r.json.docs.some(d => d.id === victim), 'a deleted document is not listed')
  const late = rawSocket(`${server.wsBase}/${victim}`)
  await late.opened.catch(() => {})
  const lateClosed = await withTimeout(late.closed, 5000, 'late client closed').catch(e => ({ code: e.message }))
  check(lateClosed.code === 4404, `a WebSocket to a deleted document is closed with 4404 (got ${lateClosed.code})`)
  errorCheck(await api('DELETE', '/api/docs/nosuchdoc234567'), 404, 'not_found', 'delete an unknown document')

  // --- Cache-Control on /api and the WebSocket upgrade -------------------------------------------
  const missing = apiResponses.filter(x => x.cc !== 'no-store')
  check(missing.length === 0, `every /api response has Cache-Control: no-store (${apiResponses.length} checked; without: ${missing.map(x => `${x.what} [${x.cc}]`).join('; ')})`)
  const ws = rawSocket(`${server.wsBase}/${planId}`)
  await withTimeout(ws.opened, 5000, 'upgrade')
  check(ws.upgradeHeaders?.['cache-control'] === 'no-store', `the WebSocket upgrade response has Cache-Control: no-store (got ${ws.upgradeHeaders?.['cache-control']})`)
  ws.ws.close()
  const badUpgrade = rawSocket(`ws://127.0.0.1:${server.port}/ws/bad.id`)
  await badUpgrade.opened.catch(() => {})
  check(badUpgrade.httpStatus === 404, `an upgrade to an invalid id: 404 (got ${badUpgrade.httpStatus})`)

  // --- static files ------------------------------------------------------------------------------
  r = await server.req('GET', '/')
  const etag = r.headers.get('etag')
  check(r.status === 200 && (r.headers.get('content-type') || '').startsWith('text/html'), `GET /: the index (got ${r.status})`)
  check(r.headers.get('cache-control') === 'no-cache' && !!etag, `index.html: Cache-Control no-cache and an ETag (got ${r.headers.get('cache-control')}, ${etag})`)
  r = await server.req('GET', '/', undefined, { 'if-none-match': etag })
  check(r.status === 304 && r.body.length === 0, `If-None-Match with the ETag: 304 without a body (got ${r.status})`)
  r = await server.req('GET', '/index.html', undefined, { 'if-none-match': etag })
  check(r.status === 304, `/index.html with the ETag: 304 (got ${r.status})`)
  r = await server.req('GET', '/', undefined, { 'if-none-match': '"stale"' })
  check(r.status === 200, `If-None-Match with another ETag: 200 (got ${r.status})`)
  r = await server.req('GET', '/docs/some-client-route')
  check(r.status === 200 && r.headers.get('cache-control') === 'no-cache' && r.text === fs.readFileSync(path.join(webRoot, 'index.html'), 'utf8'),
    `a client-side route serves index.html, no-cache (got ${r.status})`)
  r = await server.req('GET', '/app-3f9a1c2b7d.js')
  check(r.status === 200 && r.headers.get('cache-control') === 'public, max-age=31536000, immutable',
    `a content-hashed asset: public, max-age=31536000, immutable (got ${r.status} ${r.headers.get('cache-control')})`)
  r = await server.req('GET', '/logo.svg')
  check(r.status === 200 && r.headers.get('cache-control') === 'no-cache' && !!r.headers.get('etag'), `an asset without a hash: no-cache with an ETag (got ${r.headers.get('cache-control')})`)
  r = await server.req('GET', '/missing-file.js')
  check(r.status === 404, `a missing file: 404 (got ${r.status})`)
  for (const p of ['/../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/..%2f..%2fetc/passwd']) {
    const t = await httpRequest(server.port, 'GET', p)
    check((t.status === 400 || t.status === 404) && !t.text.includes('root:'), `path traversal ${p}: refused (got ${t.status})`)
  }

  // --- operations ---------------------------------------------------------------------------------
  r = await server.req('GET', '/healthz')
  check(r.status === 200 && r.headers.get('cache-control') === 'no-store', `/healthz: 200 no-store (got ${r.status})`)
  r = await server.req('GET', '/readyz')
  check(r.status === 200 && r.headers.get('cache-control') === 'no-store', `/readyz: 200 no-store (got ${r.status})`)
  r = await server.req('GET', '/metrics')
  check(r.status === 200 && (r.headers.get('content-type') || '').startsWith('text/plain'), `/metrics: 200 text/plain (got ${r.status} ${r.headers.get('content-type')})`)
  checkPrometheus(r.text)
  const m = parseMetrics(r.text)
  for (const name of ['tandem_connections', 'tandem_documents_loaded', 'tandem_updates_committed_total', 'tandem_send_queue_bytes',
    'tandem_uncommitted_bytes', 'tandem_commit_latency_seconds_count', 'tandem_rejections_total{reason="malformed"}']) {
    check(m.has(name), `/metrics has ${name}`)
  }
  check(m.get('tandem_connections') >= 2, `/metrics: tandem_connections counts the open clients (${m.get('tandem_connections')})`)
  check(m.get('tandem_updates_committed_total') > 0 && m.get('tandem_commit_latency_seconds_count') > 0, '/metrics: commits counted')
  check(m.get('tandem_rejections_total{reason="unknown_document"}') >= 1, '/metrics: the 4404 rejections counted')
  a.destroy(); b.destroy()
})

/** The Prometheus text format (0.0.4): HELP and TYPE before each family, samples parse, histograms sane. */
function checkPrometheus (text) {
  const types = new Map()
  const problems = []
  const buckets = new Map()
  for (const line of text.split('\n')) {
    if (line === '') continue
    let mm
    if ((mm = line.match(/^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .+$/))) continue
    if ((mm = line.match(/^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/))) { types.set(mm[1], mm[2]); continue }
    if (line.startsWith('#')) { problems.push(`bad comment: ${line}`); continue }
    mm = line.match(/^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*"(?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*")*)?\})? (-?[0-9.eE+-]+|NaN|\+Inf|-Inf)$/)
    if (!mm) { problems.push(`bad sample: ${line}`); continue }
    const name = mm[1]
    const family = types.has(name) ? name : name.replace(/_(bucket|sum|count)$/, '')
    if (!types.has(family)) problems.push(`no TYPE before ${name}`)
    if (types.get(family) === 'counter' && Number(mm[4]) < 0) problems.push(`negative counter ${name}`)
    if (name.endsWith('_bucket')) {
      const le = (mm[3] || '').match(/le="([^"]+)"/)?.[1]
      if (!buckets.has(family)) buckets.set(family, [])
      buckets.get(family).push({ le, v: Number(mm[4]) })
    }
  }
  for (const [family, bs] of buckets) {
    for (let i = 1; i < bs.length; i++) if (bs[i].v < bs[i - 1].v) problems.push(`${family}: buckets not cumulative`)
    if (bs[bs.length - 1].le !== '+Inf') problems.push(`${family}: no +Inf bucket`)
  }
  check(types.get('tandem_commit_latency_seconds') === 'histogram', '/metrics: the commit latency is a histogram')
  check(problems.length === 0, `/metrics is valid Prometheus text: ${problems.slice(0, 5).join('; ')}`)
}
