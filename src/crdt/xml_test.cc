// XML types against yjs 13.6.33: scripted sessions (nested elements with attributes, XmlText
// with formatting and embeds, concurrent edits) whose every local transaction must emit the same
// update bytes as yjs, and whose final toString()/state must match. Golden data: see the
// generator at the end of this file.
#include "crdt/xml.h"

#include <gtest/gtest.h>

#include <memory>
#include <span>
#include <sstream>
#include <string>
#include <vector>

#include "crdt/doc.h"
#include "crdt/js_json.h"
#include "crdt/golden_session_test_util.h"
#include "crdt/list_ops.h"
#include "crdt/text.h"

namespace tandem::crdt {
namespace {

using namespace golden_session;  // the shared session harness
// nested_elements
constexpr uint64_t kClients0[] = {5};
constexpr Op kOps0[] = {
    {"xel", 0, "x", 0, 0, "p", "", "", "010105000701017803017000"},
    {"xset", 0, "x/0", 0, 0, "class", "\"intro\"", "", "010105012800050005636c617373017705696e74726f00"},
    {"xtext", 0, "x/0", 0, 0, "", "", "", "01010502070005000600"},
    {"insert", 0, "x/0/0", 0, 0, "Hello ", "", "", "01010503040005020648656c6c6f2000"},
    {"format", 0, "x/0/0", 0, 5, "", "{\"bold\":true}", "", "0102050946050304626f6c640474727565c60507050804626f6c64046e756c6c00"},
    {"xel", 0, "x/0", 1, 0, "Custom-Tag", "", "", "0101050b870502030a437573746f6d2d54616700"},
    {"xset", 0, "x/0/1", 0, 0, "b", "\"2\"", "", "0101050c2800050b01620177013200"},
    {"xset", 0, "x/0/1", 0, 0, "a", "1.5", "", "0101050d2800050b0161017c3fc0000000"},
    {"xset", 0, "x/0/1", 0, 0, "data-x", "[1,null,\"y\"]", "", "0101050e2800050b06646174612d780175037d017e77017900"},
    {"xset", 0, "x/0/1", 0, 0, "10", "{\"o\":1}", "", "0101050f2800050b023130017601016f7d0100"},
    {"xelattrs", 0, "x", 1, 0, "div", "{\"id\":\"d\",\"data-x\":\"y\",\"Z\":\"z\"}", "", "01040510870500030364697628000510026964017701642800051006646174612d780177017928000510015a0177017a00"},
    {"xtextinit", 0, "x/1", 0, 0, "inner \360\237\230\200", "", "", "010205140700051006040005140a696e6e657220f09f988000"},
    {"insert", 0, "x/0/0", 6, 0, "world", "{\"color\":\"red\",\"link\":{\"href\":\"u\",\"target\":\"_blank\"}}", "", "0105051d86050805636f6c6f7205227265642286051d046c696e6b1e7b2268726566223a2275222c22746172676574223a225f626c616e6b227d84051e05776f726c6486052305636f6c6f72046e756c6c860524046c696e6b046e756c6c00"},
    {"embed", 0, "x/0/0", 2, 0, "", "{\"img\":1}", "{\"italic\":true}", "01050526c605040505066974616c69630474727565c60526050504626f6c64046e756c6cc505270505097b22696d67223a317dc605280505066974616c6963046e756c6cc60529050504626f6c64047472756500"},
    {"insert", 0, "x/0/0", 0, 0, "<&>", "{\"sup\":\"abcdefghijkl\"}", "", "0103052b460509037375700e226162636465666768696a6b6c22c4052b0509033c263ec6052e050903737570046e756c6c00"},
    {"xrm", 0, "x/0", 0, 0, "class", "", "", "000105010101"},
    {"xset", 0, "x/0/1", 0, 0, "b", "\"three\"", "", "01010530a8050c01770574687265650105010c01"},
    {"xel", 0, "x/0/1", 0, 0, "\303\200\303\211\303\216-\316\243-\320\224", "", "", "010105310700050b030cc380c389c38e2dcea32dd09400"},
    {"xtextinit", 0, "x/0/1/0", 0, 0, "deep", "", "", "01020532070005310604000532046465657000"},
    {"xtextinit", 0, "x", 0, 0, "lead", "", "", "010205374705000604000537046c65616400"},
    {"xdel", 0, "x", 2, 1, "", "", "", "00010501100d"},
    {"delete", 0, "x/1/0", 3, 4, "", "", "", "00010503030309012604"},
    {"xtext", 0, "x", 2, 0, "", "", "", "0101053cc7050005100600"},
    {"xrm", 0, "x/1/1", 0, 0, "nonexistent", "", "", ""},
};
constexpr Final kFinals0[] = {
    {"", "[]",
     "lead<p><sup 0=\"a\" 1=\"b\" 10=\"k\" 11=\"l\" 2=\"c\" 3=\"d\" 4=\"e\" 5=\"f\" 6=\"g\" 7=\"h\" 8=\"i\" 9=\"j\"><&></sup><bold>lo</bold> <color 0=\"r\" 1=\"e\" 2=\"d\"><link href=\"u\" target=\"_blank\">world</link></color><custom-tag 10=\"[object Object]\" a=\"1.5\" b=\"three\" data-x=\"1,,y\"><\303\240\303\251\303\256-\317\203-\320\264>deep</\303\240\303\251\303\256-\317\203-\320\264></custom-tag></p>",
     "01210500070101780301702100050005636c617373010700050006010005020281050401840505026c6f840507012041050301c60507050804626f6c64046e756c6c870502030a437573746f6d2d5461672100050b0162012800050b0161017c3fc000002800050b06646174612d780175037d017e7701792800050b023130017601016f7d0181050001000c86050805636f6c6f7205227265642286051d046c696e6b1e7b2268726566223a2275222c22746172676574223a225f626c616e6b227d84051e05776f726c6486052305636f6c6f72046e756c6c860524046c696e6b046e756c6cc10504050504c60529050504626f6c640474727565460509037375700e226162636465666768696a6b6c22c4052b0509033c263ec6052e050903737570046e756c6ca8050c01770574687265650700050b030cc380c389c38e2dcea32dd09407000531060400053204646565704705000604000537046c656164c705000510060105060101030309010c01100d2604"},
};

// concurrent_xml
constexpr uint64_t kClients1[] = {21, 22};
constexpr Op kOps1[] = {
    {"xelattrs", 0, "x", 0, 0, "ul", "{\"class\":\"list\"}", "", "01021500070101780302756c2800150005636c6173730177046c69737400"},
    {"sync", 1, "", 0, 0, "01021500070101780302756c2800150005636c6173730177046c69737400", "", "", ""},
    {"xel", 0, "x/0", 0, 0, "li", "", "", "010115020700150003026c6900"},
    {"xel", 1, "x/0", 0, 0, "li", "", "", "010116000700150003026c6900"},
    {"xset", 0, "x/0", 0, 0, "class", "\"a\"", "", "01011503a81501017701610115010101"},
    {"xset", 1, "x/0", 0, 0, "class", "\"b\"", "", "01011601a81501017701620115010101"},
    {"xtextinit", 0, "x/0/0", 0, 0, "one", "", "", "01021504070015020604001504036f6e6500"},
    {"xtextinit", 1, "x/0/0", 0, 0, "two", "", "", "010216020700160006040016020374776f00"},
    {"sync", 1, "", 0, 0, "010415020700150003026c69a8150101770161070015020604001504036f6e650115010101", "", "", ""},
    {"sync", 0, "", 1, 0, "010416000700150003026c69a81501017701620700160006040016020374776f01150201010301", "", "", ""},
    {"format", 0, "x/0/0/0", 0, 2, "", "{\"b\":true}", "", "0102150846150501620474727565c6150615070162046e756c6c00"},
    {"format", 1, "x/0/0/0", 1, 2, "", "{\"b\":true}", "", "01021606c615051506016204747275658615070162046e756c6c00"},
    {"xdel", 1, "x/0", 1, 1, "", "", "", "0001160200010204"},
    {"sync", 1, "", 0, 0, "0102150846150501620474727565c6150615070162046e756c6c01150201010301", "", "", ""},
    {"sync", 0, "", 1, 0, "01021606c615051506016204747275658615070162046e756c6c02160200010204150201010301", "", "", ""},
};
constexpr Final kFinals1[] = {
    {"", "[]",
     "<ul class=\"b\"><li><b>o</b><b>n</b>e</li></ul>",
     "020516000100150001a81501017701620004c615051506016204747275658615070162046e756c6c0a1500070101780302756c2100150005636c617373010700150003026c69a1150101070015020604001504016f841505016e841506016546150501620474727565c6150615070162046e756c6c02160200010204150201010301"},
    {"", "[]",
     "<ul class=\"b\"><li><b>o</b><b>n</b>e</li></ul>",
     "020516000100150001a81501017701620004c615051506016204747275658615070162046e756c6c0a1500070101780302756c2100150005636c617373010700150003026c69a1150101070015020604001504016f841505016e841506016546150501620474727565c6150615070162046e756c6c02160200010204150201010301"},
};

constexpr Session kSessions[] = {
    {"nested_elements", kClients0, kOps0, kFinals0},
    {"concurrent_xml", kClients1, kOps1, kFinals1},
};

class XmlSession : public testing::TestWithParam<size_t> {};

TEST_P(XmlSession, MatchesYjs) { run_session(kSessions[GetParam()]); }

INSTANTIATE_TEST_SUITE_P(Yjs, XmlSession, testing::Range<size_t>(0, std::size(kSessions)),
                         [](const testing::TestParamInfo<size_t>& p) {
                           return std::string(kSessions[p.param].name);
                         });

// String() of every kind of value yjs's toString concatenates. Made in node with:
//   const f = d.getXmlFragment('x')  (d.clientID = 9)
//   const h = new Y.XmlHook('hk'); f.insert(0, [h]); h.set('a', 1); h.set('b', 'x')
//   const e = new Y.XmlElement('E'); f.insert(1, [e])
//   e.setAttribute('bin', new Uint8Array([1, 2, 250])); e.setAttribute('num', 1e21)
//   e.setAttribute('neg', -0.5); e.setAttribute('nul', null); e.setAttribute('bool', false)
//   const yt = new Y.Text('tx'); e.setAttribute('txt', yt)
//   const ym = new Y.Map(); e.setAttribute('map', ym); ym.set('k', 1)
//   e.setAttribute('\u{1F600}', 'astral'); e.setAttribute('\uFF21', 'fullwidth')
//   const xt = new Y.XmlText(); e.insert(0, [xt]); xt.insert(0, 'ab')
//   const inner = new Y.XmlElement('i'); xt.insertEmbed(1, inner, {bold: true}); inner.setAttribute('q', 'r')
//   const arr = new Y.Array(); xt.insertEmbed(2, arr); arr.insert(0, [1, 2])
//   xt.insertEmbed(3, {o: 1}); xt.insertEmbed(4, [1, [2, null]])
//   xt.format(0, 1, {attr: [7, 'x'], s: 'h\u{1F600}', n: 5})
//   hex(Y.encodeStateAsUpdate(d)), f.toString(), h.toJSON(), ...
// The lone surrogates of 's' (for-in over a string) are U+FFFD here, as in UTF-8.
TEST(XmlToString, EveryKindOfValue) {
  const char* update =
      "01200900070101780502686b280009000161017d0128000900016201770178870900030145230009030362696e"
      "030102fa28000903036e756d017b444b1ae4d6e2ef5028000903036e6567017cbf00000028000903036e756c01"
      "7e2800090304626f6f6c01792700090303747874020400090902747827000903036d6170012800090c016b017d"
      "012800090304f09f988001770661737472616c2800090303efbca101770966756c6c77696474680700090306"
      "0400091001618409110162c60911091204626f6c640474727565c709130912030169c60914091204626f6c6404"
      "6e756c6c28000914017101770172c7091509120008000917027d017d02c509170912077b226f223a317dc5091a"
      "09120c5b312c5b322c6e756c6c5d5d4609110461747472075b372c2278225dc6091c09110173072268f09f9880"
      "22c6091d0911016e0135c6091309140461747472046e756c6cc6091f09140173046e756c6cc609200914016e04"
      "6e756c6c00";
  Doc doc{DocOptions{.client_id = 1, .gc = true}};
  Type* x = doc.get("x", TypeKind::XmlFragment);
  ASSERT_TRUE(doc.apply_update(from_hex(update)).ok());
  const std::string fffd = "\xEF\xBF\xBD";
  const std::string text_part = "<attr 0=\"7\" 1=\"x\"><n><s 0=\"h\" 1=\"" + fffd + "\" 2=\"" + fffd +
                                "\">a</s></n></attr><bold><i q=\"r\"></i></bold>[object Object]"
                                "[object Object]1,2,b";
  const std::string element =
      "<e bin=\"1,2,250\" bool=\"false\" map=\"[object Object]\" neg=\"-0.5\" nul=\"null\" "
      "num=\"1e+21\" txt=\"tx\" \xF0\x9F\x98\x80=\"astral\" \xEF\xBC\xA1=\"fullwidth\">" +
      text_part + "</e>";
  EXPECT_EQ(xml_to_string(x), "[object Object]" + element);
  EXPECT_EQ(x->to_json().str, "[object Object]" + element);
  std::vector<Type*> children = xml_children(x);
  ASSERT_EQ(children.size(), 2u);
  EXPECT_EQ(children[0]->kind(), TypeKind::XmlHook);
  EXPECT_EQ(children[0]->name(), "hk");
  EXPECT_EQ(js_stringify(children[0]->to_json()), R"({"a":1,"b":"x"})");
  EXPECT_EQ(children[1]->to_json().str, element);
  std::vector<Type*> grandchildren = xml_children(children[1]);
  ASSERT_EQ(grandchildren.size(), 1u);
  EXPECT_EQ(grandchildren[0]->to_json().str, text_part);
  // YText.prototype.toString of the XmlText: the strings only.
  EXPECT_EQ(grandchildren[0]->to_string(), "ab");
  EXPECT_EQ(text_to_string(grandchildren[0]), "ab");

  auto bin = xml_get_attribute(children[1], "bin");
  ASSERT_TRUE(bin.has_value());
  EXPECT_EQ(*bin, Any::Buffer({1, 2, 250}));
  EXPECT_EQ(xml_get_attribute(children[1], "num"), Any::Number(1e21));
  EXPECT_EQ(xml_get_attribute(children[1], "nope"), std::nullopt);
  EXPECT_EQ(xml_get_attribute(children[1], "txt"), Any::String("tx"));  // a type: its to_json
}

TEST(Xml, AttributesAndChildren) {
  Doc doc{DocOptions{.client_id = 3, .gc = true}};
  Type* x = doc.get("x", TypeKind::XmlFragment);
  Type* el = nullptr;
  doc.transact([&](Transaction& t) {
    auto r = xml_insert_element(t, x, 0, "DIV");
    ASSERT_TRUE(r.ok());
    el = *r;
    xml_set_attribute(t, el, "b", Any::String("2"));
    xml_set_attribute(t, el, "a", Any::String("1"));
    xml_set_attribute(t, el, "bin", Any::Buffer({7}));
    xml_set_attribute(t, el, "a", Any::String("one"));
    xml_remove_attribute(t, el, "b");
    ASSERT_TRUE(xml_insert_text(t, el, 0).ok());
    ASSERT_TRUE(xml_insert_element(t, el, 1, "br").ok());
    // Out of range.
    EXPECT_FALSE(xml_insert_element(t, el, 5, "p").ok());
    EXPECT_FALSE(xml_delete(t, el, 1, 5).ok());
    // Not a fragment or element.
    EXPECT_FALSE(xml_insert_text(t, doc.get("m", TypeKind::Map), 0).ok());
  });
  EXPECT_EQ(xml_get_attribute(el, "a"), Any::String("one"));
  EXPECT_EQ(xml_get_attribute(el, "b"), std::nullopt);
  EXPECT_EQ(xml_get_attribute(el, "bin"), Any::Buffer({7}));
  EXPECT_EQ(el->map_item("bin")->content.ref(), ContentRef::Binary);
  ASSERT_EQ(xml_children(el).size(), 2u);
  EXPECT_EQ(xml_children(el)[0]->kind(), TypeKind::XmlText);
  EXPECT_EQ(xml_children(el)[1]->name(), "br");
  EXPECT_EQ(xml_to_string(x), "<div a=\"one\" bin=\"7\"><br></br></div>");
  doc.transact([&](Transaction& t) { ASSERT_TRUE(xml_delete(t, el, 0, 1).ok()); });
  EXPECT_EQ(xml_children(el).size(), 1u);
  EXPECT_EQ(xml_to_string(x), "<div a=\"one\" bin=\"7\"><br></br></div>");
}

}  // namespace
}  // namespace tandem::crdt

// ---------------------------------------------------------------------------------------------
// Golden data generator (node, with yjs 13.6.33 installed under /tmp/ref): save the two files
// below as gen.mjs and xml_sessions.mjs, then run `node xml_sessions.mjs` and paste its output into
// the session tables above.
//
// === gen.mjs ===
// // Golden generator for src/crdt/text_test.cc and xml_test.cc (yjs 13.6.33).
// //   cd /tmp/ref && node /tmp/h5gen/gen.mjs text|xml > out.inc
// import * as Y from '/tmp/ref/node_modules/yjs/dist/yjs.mjs'
//
// const hex = (u8) => Buffer.from(u8).toString('hex')
// const cstr = (s) => {
//   // C++ string literal (UTF-8 bytes as octal escapes where needed).
//   let out = '"'
//   for (const b of Buffer.from(s, 'utf8')) {
//     if (b === 0x22) out += '\\"'
//     else if (b === 0x5c) out += '\\\\'
//     else if (b === 0x0a) out += '\\n'
//     else if (b >= 0x20 && b < 0x7f) out += String.fromCharCode(b)
//     else out += '\\' + b.toString(8).padStart(3, '0')
//   }
//   return out + '"'
// }
//
// const resolve = (doc, path) => {
//   const segs = path.split('/')
//   let t = segs[0] === 't' ? doc.getText('t') : doc.getXmlFragment('x')
//   for (const s of segs.slice(1)) t = t.get(Number(s))
//   return t
// }
//
// const REMOTE = 'remote'
//
// export const run = (name, ids, ops) => {
//   const docs = ids.map(id => {
//     const d = new Y.Doc()
//     d.clientID = id
//     d.getText('t')
//     d.getXmlFragment('x')
//     return d
//   })
//   let emits = null
//   docs.forEach((d, i) => d.on('update', (u, origin) => {
//     if (origin === REMOTE) return
//     emits.push(hex(u))
//   }))
//   const lines = []
//   const records = []
//   for (const [oi, op] of ops.entries()) {
//     if (process.env.DUMP === name + ':' + oi) docs.forEach((dd, i) => console.error('state', i, hex(Y.encodeStateAsUpdate(dd))))
//     emits = []
//     const d = docs[op.doc ?? 0]
//     const P = (p) => resolve(d, p)
//     const J = (x) => x === undefined ? undefined : structuredClone(x)
//     let extra = {}
//     switch (op.k) {
//       case 'insert': d.transact(() => P(op.path).insert(op.index, op.text, J(op.attrs))); break
//       case 'delete': d.transact(() => P(op.path).delete(op.index, op.len)); break
//       case 'format': d.transact(() => P(op.path).format(op.index, op.len, J(op.attrs))); break
//       case 'embed': d.transact(() => P(op.path).insertEmbed(op.index, J(op.embed), J(op.attrs))); break
//       case 'xel': d.transact(() => P(op.path).insert(op.index, [new Y.XmlElement(op.name)])); break
//       case 'xelattrs': d.transact(() => {
//         const el = new Y.XmlElement(op.name)
//         for (const [k, v] of Object.entries(op.attrs)) el.setAttribute(k, J(v))
//         P(op.path).insert(op.index, [el])
//       }); break
//       case 'xtext': d.transact(() => P(op.path).insert(op.index, [new Y.XmlText()])); break
//       case 'xtextinit': d.transact(() => P(op.path).insert(op.index, [new Y.XmlText(op.text)])); break
//       case 'xset': d.transact(() => P(op.path).setAttribute(op.key, J(op.value))); break
//       case 'xrm': d.transact(() => P(op.path).removeAttribute(op.key)); break
//       case 'xdel': d.transact(() => P(op.path).delete(op.index, op.len)); break
//       case 'sync': {
//         const src = docs[op.from]
//         const u = Y.encodeStateAsUpdate(src, Y.encodeStateVector(d))
//         extra.update = hex(u)
//         Y.applyUpdate(d, u, REMOTE)
//         break
//       }
//       default: throw new Error(op.k)
//     }
//     const json = op.attrs !== undefined ? JSON.stringify(op.attrs) : op.value !== undefined ? JSON.stringify(op.value) : undefined
//     const text = op.text ?? op.name ?? op.key ?? extra.update ?? ''
//     const fields = [cstr(op.k), op.doc ?? 0, cstr(op.path ?? ''), op.index ?? op.from ?? 0, op.len ?? 0, cstr(text)]
//     if (op.embed !== undefined) fields.push(cstr(JSON.stringify(op.embed)), cstr(json ?? ''))
//     else fields.push(cstr(json ?? ''), '""')
//     fields.push(cstr(emits.join(' ')))
//     const parts = fields
//     records.push({ kind: op.k, doc: op.doc ?? 0, path: op.path ?? '', index: op.index ?? op.from ?? 0, len: op.len ?? 0, text, json: op.embed !== undefined ? JSON.stringify(op.embed) : (json ?? ''), json2: op.embed !== undefined ? (json ?? '') : '', expect: emits.join(' ') })
//     lines.push('    {' + parts.join(', ') + '},')
//   }
//   const finals = docs.map(d => {
//     const delta = JSON.stringify(d.getText('t').toDelta().map(o => {
//       const r = { insert: o.insert instanceof Y.AbstractType ? o.insert.toJSON() : o.insert }
//       if (o.attributes) r.attributes = o.attributes
//       return r
//     }))
//     return `    {${cstr(d.getText('t').toString())}, ${cstr(delta)},\n     ${cstr(d.getXmlFragment('x').toString())},\n     ${cstr(hex(Y.encodeStateAsUpdate(d)))}},`
//   })
//   jsonSessions.push({ name, clients: ids, ops: records, finals: docs.map(d => ({ text: d.getText('t').toString(), delta: JSON.stringify(d.getText('t').toDelta().map(o => { const r = { insert: o.insert instanceof Y.AbstractType ? o.insert.toJSON() : o.insert }; if (o.attributes) r.attributes = o.attributes; return r })), xml: d.getXmlFragment('x').toString(), state: hex(Y.encodeStateAsUpdate(d)) })) })
//   const n = sessionCount++
//   sessionNames.push(name)
//   return `// ${name}\nconstexpr uint64_t kClients${n}[] = {${ids.join(', ')}};\nconstexpr Op kOps${n}[] = {\n${lines.join('\n')}\n};\nconstexpr Final kFinals${n}[] = {\n${finals.join('\n')}\n};\n\n`
// }
//
// let sessionCount = 0
// export const jsonSessions = []
// const sessionNames = []
// export const sessionTable = () =>
//   'constexpr Session kSessions[] = {\n' + sessionNames.map((nm, i) => `    {${cstr(nm)}, kClients${i}, kOps${i}, kFinals${i}},`).join('\n') + '\n};\n'
//
// // A tiny deterministic RNG for the random sessions.
// export const rng = (seed) => {
//   let s = seed >>> 0
//   const next = () => { s = (s * 1664525 + 1013904223) >>> 0; return s / 4294967296 }
//   return { next, int: (a, b) => a + Math.floor(next() * (b - a + 1)), pick: (a) => a[Math.floor(next() * a.length)] }
// }
//
// === xml_sessions.mjs ===
// import * as Y from '/tmp/ref/node_modules/yjs/dist/yjs.mjs'
// import { run, sessionTable, jsonSessions } from './gen.mjs'
//
// const out = []
//
// out.push(run('nested_elements', [5], [
//   { k: 'xel', path: 'x', index: 0, name: 'p' },
//   { k: 'xset', path: 'x/0', key: 'class', value: 'intro' },
//   { k: 'xtext', path: 'x/0', index: 0 },
//   { k: 'insert', path: 'x/0/0', index: 0, text: 'Hello ' },
//   { k: 'format', path: 'x/0/0', index: 0, len: 5, attrs: { bold: true } },
//   { k: 'xel', path: 'x/0', index: 1, name: 'Custom-Tag' },
//   { k: 'xset', path: 'x/0/1', key: 'b', value: '2' },
//   { k: 'xset', path: 'x/0/1', key: 'a', value: 1.5 },
//   { k: 'xset', path: 'x/0/1', key: 'data-x', value: [1, null, 'y'] },
//   { k: 'xset', path: 'x/0/1', key: '10', value: { o: 1 } },
//   { k: 'xelattrs', path: 'x', index: 1, name: 'div', attrs: { id: 'd', 'data-x': 'y', 'Z': 'z' } },
//   { k: 'xtextinit', path: 'x/1', index: 0, text: 'inner 😀' },
//   { k: 'insert', path: 'x/0/0', index: 6, text: 'world', attrs: { color: 'red', link: { href: 'u', target: '_blank' } } },
//   { k: 'embed', path: 'x/0/0', index: 2, embed: { img: 1 }, attrs: { italic: true } },
//   { k: 'insert', path: 'x/0/0', index: 0, text: '<&>', attrs: { sup: 'abcdefghijkl' } },
//   { k: 'xrm', path: 'x/0', key: 'class' },
//   { k: 'xset', path: 'x/0/1', key: 'b', value: 'three' },
//   { k: 'xel', path: 'x/0/1', index: 0, name: 'ÀÉÎ-Σ-Д' },
//   { k: 'xtextinit', path: 'x/0/1/0', index: 0, text: 'deep' },
//   { k: 'xtextinit', path: 'x', index: 0, text: 'lead' },
//   { k: 'xdel', path: 'x', index: 2, len: 1 },
//   { k: 'delete', path: 'x/1/0', index: 3, len: 4 },
//   { k: 'xtext', path: 'x', index: 2 },
//   { k: 'xrm', path: 'x/1/1', key: 'nonexistent' }
// ]))
//
// out.push(run('concurrent_xml', [21, 22], [
//   { k: 'xelattrs', doc: 0, path: 'x', index: 0, name: 'ul', attrs: { class: 'list' } },
//   { k: 'sync', doc: 1, from: 0 },
//   { k: 'xel', doc: 0, path: 'x/0', index: 0, name: 'li' },
//   { k: 'xel', doc: 1, path: 'x/0', index: 0, name: 'li' },
//   { k: 'xset', doc: 0, path: 'x/0', key: 'class', value: 'a' },
//   { k: 'xset', doc: 1, path: 'x/0', key: 'class', value: 'b' },
//   { k: 'xtextinit', doc: 0, path: 'x/0/0', index: 0, text: 'one' },
//   { k: 'xtextinit', doc: 1, path: 'x/0/0', index: 0, text: 'two' },
//   { k: 'sync', doc: 1, from: 0 },
//   { k: 'sync', doc: 0, from: 1 },
//   { k: 'format', doc: 0, path: 'x/0/0/0', index: 0, len: 2, attrs: { b: true } },
//   { k: 'format', doc: 1, path: 'x/0/0/0', index: 1, len: 2, attrs: { b: true } },
//   { k: 'xdel', doc: 1, path: 'x/0', index: 1, len: 1 },
//   { k: 'sync', doc: 1, from: 0 },
//   { k: 'sync', doc: 0, from: 1 }
// ]))
//
// if (process.env.JSON_OUT) process.stdout.write(jsonSessions.map(x => JSON.stringify(x)).join('\n') + '\n')
// else process.stdout.write(out.join('') + sessionTable())
