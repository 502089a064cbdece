// src/convert against real y-prosemirror (tests/fixtures/convert, written by
// tests/interop/gen_convert_fixtures.mjs): every export fixture, a Yjs update written by
// y-prosemirror, must read as the ProseMirror JSON y-prosemirror reads and give the specified
// text; every import fixture must write byte for byte the update y-prosemirror writes for the
// expected document.
#include <gtest/gtest.h>

#include "convert/convert_test_util.h"
#include "convert/prosemirror_yjs.h"

namespace tandem::convert {
namespace {

using crdt::Any;
using test::member;

// Markdown has no empty paragraphs: the document a Markdown round trip can give back.
void drop_empty_paragraphs(PmNode& n) {
  std::vector<PmNode> kept;
  for (PmNode& c : n.content) {
    if (c.type == "paragraph" && c.content.empty()) continue;
    drop_empty_paragraphs(c);
    kept.push_back(std::move(c));
  }
  n.content = std::move(kept);
}
std::string markdown_expectation(const std::string& json) {
  PmNode tree = test::tree_of_json_text(json);
  drop_empty_paragraphs(tree);
  normalize_document(tree);  // puts back the paragraphs the schema requires
  return render_json(tree);
}

std::vector<std::string> fixture_names(const char* kind) {
  Any index = test::load_json(test::fixtures_dir() + "/index.json");
  std::vector<std::string> names;
  const Any& list = member(index, kind);
  if (list.kind == Any::Kind::Array) {
    for (const Any& n : list.array()) names.push_back(n.str);
  }
  return names;
}

TEST(ConvertFixtures, ExportMatchesYProsemirror) {
  std::vector<std::string> names = fixture_names("export");
  ASSERT_GE(names.size(), 5u);
  for (const std::string& name : names) {
    SCOPED_TRACE(name);
    Any f = test::load_json(test::fixtures_dir() + "/export/" + name + ".json");
    crdt::Doc doc;
    ASSERT_TRUE(doc.apply_update(crdt::test_hex::from_hex(member(f, "update").str)).ok());
    EXPECT_EQ(test::exported(doc, ExportFormat::Json), member(f, "json").str);
    EXPECT_EQ(test::exported(doc, ExportFormat::Text), member(f, "text").str);
    // HTML and Markdown of the same document (checked in detail by their own tests).
    std::string html = test::exported(doc, ExportFormat::Html);
    EXPECT_EQ(html.find("<script"), std::string::npos);
    std::string md = test::exported(doc, ExportFormat::Markdown);
    if (member(f, "markdown_roundtrip").boolean) {
      EXPECT_EQ(test::md_json(md), markdown_expectation(member(f, "json").str)) << md;
    }
  }
}

TEST(ConvertFixtures, ImportWritesWhatYProsemirrorWrites) {
  std::vector<std::string> names = fixture_names("import");
  ASSERT_GE(names.size(), 10u);
  for (const std::string& name : names) {
    SCOPED_TRACE(name);
    Any f = test::load_json(test::fixtures_dir() + "/import/" + name + ".json");
    crdt::DocOptions options;
    options.client_id = 1;  // the generator's client
    crdt::Doc doc(options);
    const std::string& input = member(f, "input").str;
    Status st = member(f, "format").str == "markdown" ? import_markdown(doc, input) : import_html(doc, input);
    ASSERT_TRUE(st.ok()) << st.message();
    EXPECT_EQ(test::exported(doc, ExportFormat::Json), member(f, "json").str);
    EXPECT_EQ(crdt::test_hex::to_hex(doc.encode_state_as_update()), member(f, "update").str);
  }
}

// The schema table of prosemirror_model.cc is TipTap's (schema.json is dumped from
// @tiptap/core getSchema([StarterKit])).
TEST(ConvertFixtures, SchemaTableIsTipTaps) {
  Any schema = test::load_json(test::fixtures_dir() + "/schema.json");
  const Any& nodes = member(schema, "nodes");
  ASSERT_EQ(nodes.kind, Any::Kind::Object);
  for (const auto& [name, spec] : nodes.object()) {
    SCOPED_TRACE(name);
    if (name == "text") continue;
    const NodeSpec* ours = find_node_spec(name);
    ASSERT_NE(ours, nullptr);
    const auto& attrs = member(spec, "attrs").object();
    ASSERT_EQ(attrs.size(), ours->attrs.size());
    for (size_t i = 0; i < attrs.size(); ++i) {
      EXPECT_EQ(attrs[i].first, ours->attrs[i].name);
      EXPECT_EQ(attrs[i].second, ours->attrs[i].default_value);
    }
    EXPECT_EQ(member(spec, "inline").boolean, ours->inline_node);
  }
  const Any& marks = member(schema, "marks");
  ASSERT_EQ(marks.kind, Any::Kind::Array);
  for (size_t r = 0; r < marks.array().size(); ++r) {
    const Any& m = marks.array()[r];
    SCOPED_TRACE(member(m, "name").str);
    size_t rank = 99;
    const MarkSpec* ours = find_mark_spec(member(m, "name").str, &rank);
    ASSERT_NE(ours, nullptr);
    EXPECT_EQ(rank, r);
    const auto& attrs = member(m, "attrs").object();
    ASSERT_EQ(attrs.size(), ours->attrs.size());
    for (size_t i = 0; i < attrs.size(); ++i) {
      EXPECT_EQ(attrs[i].first, ours->attrs[i].name);
      EXPECT_EQ(attrs[i].second, ours->attrs[i].default_value);
    }
    EXPECT_EQ(member(m, "excludes").kind == Any::Kind::String && member(m, "excludes").str == "_",
              ours->excludes_all);
  }
}

}  // namespace
}  // namespace tandem::convert
