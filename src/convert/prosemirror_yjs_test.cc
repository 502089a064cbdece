// read_prosemirror / write_prosemirror on documents built by hand with the crdt API: the
// storage conventions of y-prosemirror that the fixtures do not reach (hashed mark keys,
// Quill-style values, embeds, unknown marks and nodes, deep nesting).
#include "convert/prosemirror_yjs.h"

#include <gtest/gtest.h>

#include "convert/convert_test_util.h"
#include "crdt/text.h"
#include "crdt/xml.h"

namespace tandem::convert {
namespace {

using crdt::Any;
using crdt::AnyObject;

// A paragraph in "default" whose XmlText gets `fill`.
template <class F>
std::string paragraph_json_after(F fill) {
  crdt::Doc doc;
  crdt::Type* frag = doc.get("default", crdt::TypeKind::XmlFragment);
  doc.transact([&](crdt::Transaction& t) {
    crdt::Type* p = *crdt::xml_insert_element(t, frag, 0, "paragraph");
    crdt::Type* text = *crdt::xml_insert_text(t, p, 0);
    fill(t, text);
  });
  return test::exported(doc, ExportFormat::Json);
}

TEST(ProseMirrorYjs, MarkKeysAndValues) {
  std::string json = paragraph_json_after([](crdt::Transaction& t, crdt::Type* text) {
    AnyObject hashed{{"bold--AbCd+/=9", Any::Object({})}};
    ASSERT_TRUE(crdt::text_insert(t, text, 0, "a", &hashed).ok());
    AnyObject quill{{"italic", Any::Bool(true)}, {"comment", Any::Object({{"id", Any::String("c")}})}};
    ASSERT_TRUE(crdt::text_insert(t, text, 1, "b", &quill).ok());
    AnyObject link{{"link", Any::Object({{"href", Any::String("/x")}, {"extra", Any::Number(1)}})}};
    ASSERT_TRUE(crdt::text_insert(t, text, 2, "c", &link).ok());
    ASSERT_TRUE(crdt::text_insert_embed(t, text, 3, Any::Object({{"image", Any::String("x.png")}})).ok());
    AnyObject not_a_hash{{"bold--short", Any::Object({})}};
    ASSERT_TRUE(crdt::text_insert(t, text, 4, "d", &not_a_hash).ok());
  });
  EXPECT_EQ(json,
            R"({"type":"doc","content":[{"type":"paragraph","content":[{"type":"text","marks":[{"type":"bold"}],"text":"a"},)"
            R"({"type":"text","marks":[{"type":"italic"}],"text":"b"},{"type":"text","marks":[{"type":"link","attrs":{"href":"/x","target":"_blank",)"
            R"("rel":"noopener noreferrer nofollow","class":null,"title":null}}],"text":"c"},{"type":"text","text":"d"}]}]})");
}

TEST(ProseMirrorYjs, UnknownNodesKeepTheirAttributes) {
  crdt::Doc doc;
  crdt::Type* frag = doc.get("default", crdt::TypeKind::XmlFragment);
  doc.transact([&](crdt::Transaction& t) {
    crdt::Type* h = *crdt::xml_insert_element(t, frag, 0, "heading");
    crdt::xml_set_attribute(t, h, "level", Any::Number(3));
    crdt::xml_set_attribute(t, h, "textAlign", Any::String("center"));  // not in the schema: dropped
    crdt::Type* callout = *crdt::xml_insert_element(t, frag, 1, "callout");
    crdt::xml_set_attribute(t, callout, "kind", Any::String("warn"));
    crdt::Type* p = *crdt::xml_insert_element(t, callout, 0, "paragraph");
    ASSERT_TRUE(crdt::text_insert(t, *crdt::xml_insert_text(t, p, 0), 0, "inside").ok());
    // Two adjacent XmlTexts read as one text node (Fragment.fromArray joins them).
    crdt::Type* p2 = *crdt::xml_insert_element(t, frag, 2, "paragraph");
    ASSERT_TRUE(crdt::text_insert(t, *crdt::xml_insert_text(t, p2, 0), 0, "one ").ok());
    ASSERT_TRUE(crdt::text_insert(t, *crdt::xml_insert_text(t, p2, 1), 0, "two").ok());
  });
  EXPECT_EQ(test::exported(doc, ExportFormat::Json),
            R"({"type":"doc","content":[{"type":"heading","attrs":{"level":3}},{"type":"callout","attrs":{"kind":"warn"},)"
            R"("content":[{"type":"paragraph","content":[{"type":"text","text":"inside"}]}]},)"
            R"({"type":"paragraph","content":[{"type":"text","text":"one two"}]}]})");
  EXPECT_EQ(test::exported(doc, ExportFormat::Html), "<h3></h3><!-- unknown node: callout --><p>inside</p><p>one two</p>");
  EXPECT_EQ(test::exported(doc, ExportFormat::Markdown), "###\n\ninside\n\none two\n");
}

TEST(ProseMirrorYjs, DeletedContentIsNotRead) {
  crdt::Doc doc;
  ASSERT_TRUE(import_markdown(doc, "first\n\nsecond **bold**\n").ok());
  crdt::Type* frag = doc.get("default", crdt::TypeKind::XmlFragment);
  doc.transact([&](crdt::Transaction& t) {
    ASSERT_TRUE(crdt::xml_delete(t, frag, 0, 1).ok());
    crdt::Type* text = crdt::xml_children(crdt::xml_children(frag)[0])[0];
    ASSERT_TRUE(crdt::text_delete(t, text, 0, 3).ok());
  });
  EXPECT_EQ(test::exported(doc, ExportFormat::Markdown), "ond **bold**\n");
}

TEST(ProseMirrorYjs, DeepNestingIsCut) {
  crdt::Doc doc;
  crdt::Type* frag = doc.get("default", crdt::TypeKind::XmlFragment);
  doc.transact([&](crdt::Transaction& t) {
    crdt::Type* parent = frag;
    for (int i = 0; i < 3 * kMaxDepth; ++i) parent = *crdt::xml_insert_element(t, parent, 0, "blockquote");
    crdt::Type* p = *crdt::xml_insert_element(t, parent, 0, "paragraph");
    ASSERT_TRUE(crdt::text_insert(t, *crdt::xml_insert_text(t, p, 0), 0, "too deep").ok());
  });
  PmNode tree = read_prosemirror(doc.get("default"));
  int depth = 0;
  for (const PmNode* n = &tree; !n->content.empty(); n = &n->content[0]) ++depth;
  EXPECT_EQ(depth, kMaxDepth);
  for (ExportFormat f : {ExportFormat::Html, ExportFormat::Markdown, ExportFormat::Text, ExportFormat::Json}) {
    EXPECT_EQ(test::exported(doc, f).find("too deep"), std::string::npos);
  }
}

TEST(ProseMirrorYjs, WriteThenReadIsIdentity) {
  const char* md = "# T *i* **b** `c` <s>s</s> <u>u</u> [l](https://x.example \"t\")\n\n- a\n  1. b\n\n> q\n\n```js\nx\n```\n\n---\n\nA😀  \nB\n";
  auto tree = parse_markdown(md);
  ASSERT_TRUE(tree.ok());
  crdt::Doc doc;
  ASSERT_TRUE(import_prosemirror(doc, *tree).ok());
  EXPECT_EQ(render_json(read_prosemirror(doc.get("default"))), render_json(*tree));
  // And from the bytes, in a doc that has not named its roots yet.
  crdt::Doc loaded;
  ASSERT_TRUE(loaded.apply_update(doc.encode_state_as_update()).ok());
  EXPECT_EQ(test::exported(loaded, ExportFormat::Json), render_json(*tree));
}

}  // namespace
}  // namespace tandem::convert
