// The plain-text export of a ProseMirror JSON document, as docs/api.md ("Export formats", text)
// specifies it: an independent implementation over ProseMirror JSON that the C++ exporter (which
// reads the Yjs document) must agree with. Used by gen_convert_fixtures.mjs.

const INLINE = new Set(['text', 'hardBreak'])

const inlineText = (n) => n.type === 'text' ? n.text : n.type === 'hardBreak' ? '\n' : (n.content ?? []).map(inlineText).join('')

const prefixLines = (s, first, rest, prefixEmpty) =>
  s.split('\n').map((line, i) => i === 0 ? first + line : (line !== '' || prefixEmpty ? rest + line : line)).join('\n')

const renderList = (list) => {
  const ordered = list.type === 'orderedList'
  let n = ordered ? Number(list.attrs?.start ?? 1) : 1
  return (list.content ?? []).map((item) => {
    const marker = ordered ? `${n++}. ` : '- '
    const body = item.type === 'listItem' ? renderBlocks(item.content ?? [], '\n') : renderBlocks([item], '\n')
    const first = body.split('\n')[0] === '' ? marker.slice(0, -1) : marker
    return prefixLines(body, first, ' '.repeat(marker.length), false)
  }).join('\n')
}

const renderBlock = (n) => {
  if (n.type === 'bulletList' || n.type === 'orderedList') return renderList(n)
  if (n.type === 'blockquote') {
    return prefixLines(renderBlocks(n.content ?? [], '\n\n'), '> ', '> ', true).split('\n').map(l => l === '> ' ? '>' : l).join('\n')
  }
  if (n.type === 'horizontalRule') return '---'
  if (n.type === 'paragraph' || n.type === 'heading' || n.type === 'codeBlock') return (n.content ?? []).map(inlineText).join('')
  return renderBlocks(n.content ?? [], '\n\n')
}

const renderBlocks = (nodes, sep) => {
  const blocks = []
  for (let i = 0; i < nodes.length;) {
    if (INLINE.has(nodes[i].type)) {
      let s = ''
      for (; i < nodes.length && INLINE.has(nodes[i].type); i++) s += inlineText(nodes[i])
      blocks.push(s)
    } else {
      blocks.push(renderBlock(nodes[i++]))
    }
  }
  return blocks.join(sep)
}

export const expectedText = (docJson) => {
  const out = renderBlocks(docJson.content ?? [], '\n\n').replace(/\n+$/, '')
  return out === '' ? '' : out + '\n'
}
