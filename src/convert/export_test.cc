// export_document: layouts (ProseMirror, plain Y.Text, other, empty), formats and fallbacks.
#include "convert/export.h"

#include <gtest/gtest.h>

#include "convert/convert_test_util.h"
#include "crdt/list_ops.h"
#include "crdt/text.h"

namespace tandem::convert {
namespace {

using crdt::Any;

TEST(Export, FormatNamesAndContentTypes) {
  EXPECT_EQ(parse_export_format("html"), ExportFormat::Html);
  EXPECT_EQ(parse_export_format("md"), ExportFormat::Markdown);
  EXPECT_EQ(parse_export_format("markdown"), ExportFormat::Markdown);
  EXPECT_EQ(parse_export_format("text"), ExportFormat::Text);
  EXPECT_EQ(parse_export_format("json"), ExportFormat::Json);
  EXPECT_EQ(parse_export_format("yjs"), ExportFormat::Yjs);
  EXPECT_EQ(parse_export_format("HTML"), std::nullopt);
  EXPECT_EQ(parse_export_format("pdf"), std::nullopt);
  EXPECT_EQ(export_content_type(ExportFormat::Html), "text/html; charset=utf-8");
  EXPECT_EQ(export_content_type(ExportFormat::Yjs), "application/octet-stream");
}

TEST(Export, EmptyDocument) {
  crdt::Doc doc;
  EXPECT_EQ(detect_layout(doc), DocLayout::Empty);
  EXPECT_EQ(test::exported(doc, ExportFormat::Json), R"({"type":"doc","content":[{"type":"paragraph"}]})");
  EXPECT_EQ(test::exported(doc, ExportFormat::Html), "");
  EXPECT_EQ(test::exported(doc, ExportFormat::Markdown), "");
  EXPECT_EQ(test::exported(doc, ExportFormat::Text), "");
  doc.get("default", crdt::TypeKind::XmlFragment);
  EXPECT_EQ(detect_layout(doc), DocLayout::ProseMirror);
  EXPECT_EQ(test::exported(doc, ExportFormat::Json), R"({"type":"doc","content":[{"type":"paragraph"}]})");
}

TEST(Export, PlainTextRoot) {
  crdt::Doc doc;
  crdt::Type* text = doc.get("notes", crdt::TypeKind::Text);
  doc.transact([&](crdt::Transaction& t) {
    crdt::AnyObject bold{{"bold", Any::Bool(true)}};
    ASSERT_TRUE(crdt::text_insert(t, text, 0, "Line <1> 😀\nline 2\n\n\npara *2*", &bold).ok());
  });
  crdt::Doc loaded;  // roots not named yet: the text is recognised from its content
  ASSERT_TRUE(loaded.apply_update(doc.encode_state_as_update()).ok());
  for (const crdt::Doc* d : std::vector<const crdt::Doc*>{&doc, &loaded}) {
    EXPECT_EQ(detect_layout(*d), DocLayout::Text);
    EXPECT_EQ(test::exported(*d, ExportFormat::Text), "Line <1> 😀\nline 2\n\n\npara *2*");
    EXPECT_EQ(test::exported(*d, ExportFormat::Html), "<p>Line &lt;1&gt; 😀<br>line 2</p><p>para *2*</p>");
    EXPECT_EQ(test::exported(*d, ExportFormat::Markdown), "Line \\<1\\> 😀\\\nline 2\n\npara \\*2\\*\n");
    EXPECT_EQ(test::exported(*d, ExportFormat::Json), "{\"notes\":\"Line <1> 😀\\nline 2\\n\\n\\npara *2*\"}");
  }
}

TEST(Export, MapsAndArraysOnly) {
  crdt::Doc doc;
  crdt::Type* map = doc.get("settings", crdt::TypeKind::Map);
  crdt::Type* arr = doc.get("list", crdt::TypeKind::Array);
  doc.transact([&](crdt::Transaction& t) {
    crdt::map_set(t, map, "theme", crdt::ListValue::Json(Any::String("dark")));
    std::vector<crdt::ListValue> v;
    v.push_back(crdt::ListValue::Json(Any::Number(1)));
    crdt::list_push(t, arr, std::move(v));
  });
  EXPECT_EQ(detect_layout(doc), DocLayout::Other);
  EXPECT_EQ(test::exported(doc, ExportFormat::Json), R"({"settings":{"theme":"dark"},"list":[1]})");
  for (ExportFormat f : {ExportFormat::Html, ExportFormat::Markdown, ExportFormat::Text}) {
    auto r = export_document(doc, f);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().find("json or yjs"), std::string::npos);
  }
}

TEST(Export, FragmentNamedOtherwise) {
  crdt::Doc doc;
  ImportOptions opts;
  opts.fragment = "prosemirror";  // y-prosemirror's own default name
  ASSERT_TRUE(import_markdown(doc, "*hi*", opts).ok());
  crdt::Doc loaded;
  ASSERT_TRUE(loaded.apply_update(doc.encode_state_as_update()).ok());
  EXPECT_EQ(detect_layout(loaded), DocLayout::ProseMirror);
  EXPECT_EQ(test::exported(loaded, ExportFormat::Html), "<p><em>hi</em></p>");
}

TEST(Export, YjsIsTheStateAsUpdate) {
  crdt::Doc doc;
  ASSERT_TRUE(import_markdown(doc, "x").ok());
  std::vector<uint8_t> state = doc.encode_state_as_update();
  EXPECT_EQ(test::exported(doc, ExportFormat::Yjs), std::string(state.begin(), state.end()));
}

}  // namespace
}  // namespace tandem::convert
