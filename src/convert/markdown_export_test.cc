// render_markdown: the CommonMark written for each construct, escaping, and round trips
// through the Markdown importer (libcmark).
#include <gtest/gtest.h>

#include "convert/convert_test_util.h"

namespace tandem::convert {
namespace {

// A one-paragraph document holding `text` with `marks` (JSON array, may be empty).
std::string paragraph_json(const std::string& text, const std::string& marks = "") {
  std::string t = R"({"type":"text",)" + (marks.empty() ? "" : R"("marks":)" + marks + ",") +
                  R"("text":)" + crdt::js_stringify(crdt::Any::String(text)) + "}";
  return R"({"type":"doc","content":[{"type":"paragraph","content":[)" + t + "]}]}";
}

// tree -> Markdown -> tree gives the same JSON.
void expect_round_trip(const std::string& json) {
  PmNode tree = test::tree_of_json_text(json);
  normalize_document(tree);
  std::string expected = render_json(tree);
  std::string md = render_markdown(tree);
  EXPECT_EQ(test::md_json(md), expected) << "markdown:\n" << md;
}

TEST(MarkdownExport, Constructs) {
  EXPECT_EQ(test::html_to("<h2>T</h2><p>a<br>b</p><ul><li>x<ol start=\"3\"><li>y</li></ol></li></ul><blockquote><p>q</p><p>r</p></blockquote>"
                          "<pre><code class=\"language-c\">int x;</code></pre><hr><p><b>b</b> <i>i</i> <s>s</s> <u>u</u> <code>c</code> "
                          "<a href=\"https://x.example/(p)\" title='say \"hi\"'>l</a></p>",
                          ExportFormat::Markdown),
            "## T\n\na\\\nb\n\n- x\n\n  3. y\n\n> q\n>\n> r\n\n```c\nint x;\n```\n\n---\n\n**b** *i* <s>s</s> <u>u</u> `c` "
            "[l](<https://x.example/(p)> \"say \\\"hi\\\"\")\n");
  EXPECT_EQ(render_markdown(PmNode::Block("doc")), "");
}

TEST(MarkdownExport, EscapesMarkdownSyntaxInText) {
  for (const char* s : {"*a*", "_b_", "`c`", "[d](e)", "<div>x</div>", "&amp; &copy;", "# h", "1. x", "12) y", "- y",
                        "+ z", "> q", "\\", "a\\*b", "   lead", "trail   ", "a  b", "***", "---", "===", "![i](j)",
                        "<!-- c -->", "|t|", "~~s~~", "<https://x.example>", "a_b_c", "**", "foo*bar*", "#", "1.", "😀 [x]"}) {
    SCOPED_TRACE(s);
    expect_round_trip(paragraph_json(s));
  }
}

TEST(MarkdownExport, MarksRoundTrip) {
  const char* bold = R"([{"type":"bold"}])";
  const char* italic = R"([{"type":"italic"}])";
  const char* both = R"([{"type":"bold"},{"type":"italic"}])";
  auto para = [](const std::string& inner) {
    return R"({"type":"doc","content":[{"type":"paragraph","content":[)" + inner + "]}]}";
  };
  auto text = [](const std::string& t, const std::string& marks) {
    return R"({"type":"text",)" + (marks.empty() ? "" : R"("marks":)" + marks + ",") + R"("text":")" + t + "\"}";
  };
  expect_round_trip(para(text("foo", "") + "," + text("bar", bold) + "," + text("baz", "")));  // intraword
  expect_round_trip(para(text("foo.", bold) + "," + text("bar", "")));  // punctuation then a letter
  expect_round_trip(para(text("a", "") + "," + text("(b)", italic) + "," + text("c", "")));
  // Whitespace at the edges of a mark moves outside it (delimiters cannot touch whitespace).
  EXPECT_EQ(render_markdown(test::tree_of_json_text(para(text("a", "") + "," + text(" spaced ", bold) + "," + text("x", "")))),
            "a **spaced** x\n");
  expect_round_trip(para(text("a", italic) + "," + text("b", both) + "," + text("c", bold)));
  expect_round_trip(para(text("x`y``z", R"([{"type":"code"}])")));
  expect_round_trip(para(text("`", R"([{"type":"code"}])")));
  expect_round_trip(para(text(" padded ", R"([{"type":"code"}])")));
  expect_round_trip(para(text("s", R"([{"type":"strike"}])") + "," + text("u", R"([{"type":"underline"},{"type":"bold"}])")));
  expect_round_trip(para(text("link", R"([{"type":"link","attrs":{"href":"https://x.example/a b?c=(1)&d","title":"t \"q\" \\"}},{"type":"bold"}])")));
  expect_round_trip(para(text("l1", R"([{"type":"link","attrs":{"href":"/1"}}])") + "," + text("l2", R"([{"type":"link","attrs":{"href":"/2"}}])")));
}

TEST(MarkdownExport, UnsafeLinksAreWrittenAsText) {
  std::string json = paragraph_json("x", R"J([{"type":"link","attrs":{"href":"javascript:alert(1)"}}])J");
  EXPECT_EQ(render_markdown(test::tree_of_json_text(json)), "x\n");
}

TEST(MarkdownExport, BlocksRoundTrip) {
  for (const char* md : {
           "# H1\n\n###### H6 with `code` and **bold**\n",
           "- a\n- b\n\n* c\n\n1. x\n\n1) y\n",          // adjacent lists stay apart
           "- a\n  - b\n    - c\n      1. d\n         - e\n",  // deep nesting
           "- ---\n- x\n",                               // a rule first in an item
           "> - a\n>   > b\n>\n> ```\n> code\n>\n> more\n> ```\n",
           "````\n```\ninner fence\n```\n````\n",
           "```a`b\nx\n```\n",
           "1. one\n\n   para\n\n   ```\n   code\n   ```\n2. two\n",
           "- \n\n  text\n",
           "a  \nb\\\nc\n",
           "# a<br>b\n",
           "999999999. big\n",
       }) {
    SCOPED_TRACE(md);
    std::string json = test::md_json(md);
    expect_round_trip(json);
  }
}

TEST(MarkdownExport, HardBreakInHeadingAndNewlineInText) {
  EXPECT_EQ(render_markdown(test::tree_of_json_text(
                R"({"type":"doc","content":[{"type":"heading","attrs":{"level":1},"content":[{"type":"text","text":"a"},{"type":"hardBreak"},{"type":"text","text":"b"}]},
                   {"type":"paragraph","content":[{"type":"text","text":"x\ny"}]}]})")),
            "# a<br>b\n\nx\\\ny\n");
}

}  // namespace
}  // namespace tandem::convert
