// The schema helpers of prosemirror_model.h: safe hrefs, normalization (ProseMirror's content
// fitting) and ProseMirror JSON.
#include "convert/prosemirror_model.h"

#include <gtest/gtest.h>

#include "convert/convert_test_util.h"

namespace tandem::convert {
namespace {

TEST(SafeHref, AllowsHttpMailtoAndRelative) {
  EXPECT_TRUE(is_safe_href("http://a.example"));
  EXPECT_TRUE(is_safe_href("https://a.example/x?y#z"));
  EXPECT_TRUE(is_safe_href("HTTPS://A.EXAMPLE"));
  EXPECT_TRUE(is_safe_href("mailto:a@b.example"));
  EXPECT_TRUE(is_safe_href("/path"));
  EXPECT_TRUE(is_safe_href("path/x:y"));  // the colon is after a slash: a path
  EXPECT_TRUE(is_safe_href("#anchor"));
  EXPECT_TRUE(is_safe_href("?q=1"));
  EXPECT_TRUE(is_safe_href("//cdn.example/x"));
  EXPECT_TRUE(is_safe_href("&#106;avascript:alert(1)"));  // no scheme: entities are text here
}

TEST(SafeHref, RejectsScriptAndDataSchemes) {
  for (const char* bad : {"javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)",
                          "\x01javascript:alert(1)", "java\tscript:alert(1)", "java\nscript:x",
                          "vbscript:msgbox", "data:text/html,<script>", "file:///etc/passwd",
                          "ftp://x.example", "tel:123"}) {
    EXPECT_FALSE(is_safe_href(bad)) << bad;
  }
}

TEST(Normalize, FitsContentAsProseMirrorWould) {
  // A list item starting with a list gets an empty paragraph; text in a list becomes an item;
  // inline content at the top becomes a paragraph; an empty quote gets a paragraph.
  PmNode doc = test::tree_of_json_text(
      R"({"type":"doc","content":[{"type":"text","text":"loose"},
        {"type":"bulletList","content":[{"type":"listItem","content":[{"type":"bulletList","content":[
          {"type":"listItem","content":[{"type":"paragraph","content":[{"type":"text","text":"x"}]}]}]}]},
          {"type":"text","text":"stray"}]},
        {"type":"blockquote"}, {"type":"orderedList"}]})");
  normalize_document(doc);
  EXPECT_EQ(render_json(doc),
            R"({"type":"doc","content":[{"type":"paragraph","content":[{"type":"text","text":"loose"}]},)"
            R"({"type":"bulletList","content":[{"type":"listItem","content":[{"type":"paragraph"},)"
            R"({"type":"bulletList","content":[{"type":"listItem","content":[{"type":"paragraph","content":[{"type":"text","text":"x"}]}]}]}]},)"
            R"({"type":"listItem","content":[{"type":"paragraph","content":[{"type":"text","text":"stray"}]}]}]},)"
            R"({"type":"blockquote","content":[{"type":"paragraph"}]},)"
            R"({"type":"orderedList","attrs":{"start":1,"type":null},"content":[{"type":"listItem","content":[{"type":"paragraph"}]}]}]})");
}

TEST(Normalize, MarksFollowTheSchema) {
  // Code excludes every other mark; marks sort by rank (link first); the same mark twice keeps
  // the last; adjacent text with equal marks joins; code blocks hold unmarked text only.
  PmNode doc = test::tree_of_json_text(
      R"({"type":"doc","content":[{"type":"paragraph","content":[
        {"type":"text","text":"a","marks":[{"type":"italic"},{"type":"bold"},{"type":"link","attrs":{"href":"x"}}]},
        {"type":"text","text":"b","marks":[{"type":"bold"},{"type":"code"}]},
        {"type":"text","text":"c","marks":[{"type":"code"}]},
        {"type":"text","text":"d","marks":[{"type":"link","attrs":{"href":"1"}},{"type":"link","attrs":{"href":"2"}}]}]},
        {"type":"codeBlock","content":[{"type":"text","text":"x","marks":[{"type":"bold"}]},{"type":"hardBreak"},{"type":"text","text":"y"}]}]})");
  normalize_document(doc);
  const auto& p = doc.content[0].content;
  ASSERT_EQ(p.size(), 3u);
  ASSERT_EQ(p[0].marks.size(), 3u);
  EXPECT_EQ(p[0].marks[0].type, "link");
  EXPECT_EQ(p[0].marks[1].type, "bold");
  EXPECT_EQ(p[0].marks[2].type, "italic");
  EXPECT_EQ(p[1].text, "bc");
  ASSERT_EQ(p[1].marks.size(), 1u);
  EXPECT_EQ(p[1].marks[0].type, "code");
  ASSERT_EQ(p[2].marks.size(), 1u);
  EXPECT_EQ(p[2].marks[0].attrs[0].second.str, "2");
  // Link attributes are completed with TipTap's defaults, in schema order.
  EXPECT_EQ(crdt::js_stringify(crdt::Any::Object(p[0].marks[0].attrs)),
            R"({"href":"x","target":"_blank","rel":"noopener noreferrer nofollow","class":null,"title":null})");
  EXPECT_EQ(render_json(doc).substr(render_json(doc).find("codeBlock")),
            R"(codeBlock","attrs":{"language":null},"content":[{"type":"text","text":"x\ny"}]}]})");
}

TEST(ProseMirrorJson, KeyOrderIsNodeToJson) {
  PmNode doc = PmNode::Block("doc", {}, {PmNode::Block("heading", {{"level", crdt::Any::Number(2)}},
                                                        {PmNode::Text("t", {PmMark{"bold", {}}})})});
  EXPECT_EQ(render_json(doc),
            R"({"type":"doc","content":[{"type":"heading","attrs":{"level":2},"content":[{"type":"text","marks":[{"type":"bold"}],"text":"t"}]}]})");
}

}  // namespace
}  // namespace tandem::convert
