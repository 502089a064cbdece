// parse_markdown / import_markdown: each construct, degradations, hostile input, errors.
#include <gtest/gtest.h>

#include "convert/convert_test_util.h"
#include "crdt/xml.h"

namespace tandem::convert {
namespace {

TEST(MarkdownImport, Constructs) {
  EXPECT_EQ(test::md_json("## H *i*\n\np **b** `c` [l](/x \"t\")\n\n- a\n\n  b\n- c\n\n2. d\n\n> q\n\n~~~rust extra\nfn\n~~~\n\n***\n"),
            R"({"type":"doc","content":[{"type":"heading","attrs":{"level":2},"content":[{"type":"text","text":"H "},{"type":"text","marks":[{"type":"italic"}],"text":"i"}]},)"
            R"({"type":"paragraph","content":[{"type":"text","text":"p "},{"type":"text","marks":[{"type":"bold"}],"text":"b"},{"type":"text","text":" "},)"
            R"({"type":"text","marks":[{"type":"code"}],"text":"c"},{"type":"text","text":" "},{"type":"text","marks":[{"type":"link","attrs":{"href":"/x","target":"_blank","rel":"noopener noreferrer nofollow","class":null,"title":"t"}}],"text":"l"}]},)"
            R"({"type":"bulletList","content":[{"type":"listItem","content":[{"type":"paragraph","content":[{"type":"text","text":"a"}]},{"type":"paragraph","content":[{"type":"text","text":"b"}]}]},)"
            R"({"type":"listItem","content":[{"type":"paragraph","content":[{"type":"text","text":"c"}]}]}]},)"
            R"({"type":"orderedList","attrs":{"start":2,"type":null},"content":[{"type":"listItem","content":[{"type":"paragraph","content":[{"type":"text","text":"d"}]}]}]},)"
            R"({"type":"blockquote","content":[{"type":"paragraph","content":[{"type":"text","text":"q"}]}]},)"
            R"({"type":"codeBlock","attrs":{"language":"rust"},"content":[{"type":"text","text":"fn"}]},{"type":"horizontalRule"}]})");
}

TEST(MarkdownImport, ImagesAndUnsafeLinks) {
  EXPECT_EQ(test::md_to("![](https://i.example/a.png) ![alt](javascript:x) [x](javascript:alert(1)) <javascript:alert(1)> <https://ok.example>",
                        ExportFormat::Html),
            "<p><a href=\"https://i.example/a.png\" target=\"_blank\" rel=\"noopener noreferrer nofollow\">https://i.example/a.png</a>"
            " alt x javascript:alert(1) <a href=\"https://ok.example\" target=\"_blank\" rel=\"noopener noreferrer nofollow\">https://ok.example</a></p>");
}

TEST(MarkdownImport, RawHtml) {
  EXPECT_EQ(test::md_to("a <span class=x>b</span> <script>evil()</script> <style>x</style> <em>e</em> c<br/>d\n\n<script>\nblock()\n</script>\n\n<p onclick=\"x\">html <i>para</i></p>\n",
                        ExportFormat::Html),
            "<p>a b   <em>e</em> c<br>d</p><p>html <em>para</em></p>");
}

TEST(MarkdownImport, NestedListsAndEmoji) {
  EXPECT_EQ(test::md_to("- 😀\n  - 👍🏽\n    1. 𝄞\n", ExportFormat::Html),
            "<ul><li><p>😀</p><ul><li><p>👍🏽</p><ol><li><p>𝄞</p></li></ol></li></ul></li></ul>");
}

TEST(MarkdownImport, DeepNestingIsBounded) {
  std::string quotes(100000, '>');
  std::string json = test::md_json(quotes + " deep\n");
  EXPECT_NE(json.find("deep"), std::string::npos);
  std::string lists;
  for (int i = 0; i < 300; ++i) lists += std::string(static_cast<size_t>(i) * 2, ' ') + "- l" + std::to_string(i) + "\n";
  json = test::md_json(lists);
  EXPECT_NE(json.find("l299"), std::string::npos);
  std::string emph;
  for (int i = 0; i < 5000; ++i) emph += "*a **b ";
  EXPECT_FALSE(test::md_json(emph).empty());
  std::string links;
  for (int i = 0; i < 5000; ++i) links += "[";
  links += "x";
  for (int i = 0; i < 5000; ++i) links += "](/u)";
  EXPECT_NE(test::md_json(links).find("\"x\""), std::string::npos);
}

TEST(MarkdownImport, Errors) {
  EXPECT_FALSE(parse_markdown(std::string(kMaxImportBytes + 1, 'a')).ok());
  auto bad = parse_markdown("ok \xff\xfe");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().find("UTF-8 (byte 3)"), std::string::npos);

  crdt::Doc doc;
  ASSERT_TRUE(import_markdown(doc, "first").ok());
  Status again = import_markdown(doc, "second");
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.message().find("not empty"), std::string::npos);

  crdt::Doc other;
  other.get("default", crdt::TypeKind::Map);
  EXPECT_FALSE(import_markdown(other, "x").ok());
  ImportOptions named;
  named.fragment = "prosemirror";
  EXPECT_TRUE(import_markdown(other, "x", named).ok());
  EXPECT_EQ(test::exported(other, ExportFormat::Text), "x\n");
}

TEST(MarkdownImport, OneTransaction) {
  crdt::Doc doc;
  int updates = 0;
  doc.on_update([&](std::span<const uint8_t>, crdt::Origin, crdt::Transaction&) { ++updates; });
  ASSERT_TRUE(import_markdown(doc, "# a\n\n- b\n- c\n").ok());
  EXPECT_EQ(updates, 1);
  EXPECT_EQ(crdt::xml_children(doc.get("default", crdt::TypeKind::XmlFragment)).size(), 2u);
}

}  // namespace
}  // namespace tandem::convert
