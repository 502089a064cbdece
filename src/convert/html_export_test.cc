// render_html: TipTap's tags for every node and mark, escaping, link safety, unknown nodes.
#include <gtest/gtest.h>

#include "convert/convert_test_util.h"

namespace tandem::convert {
namespace {

std::string html_of(std::string_view json) { return render_html(test::tree_of_json_text(json)); }

TEST(HtmlExport, EveryNode) {
  EXPECT_EQ(test::md_to("# T\n\npara\n\n- a\n- b\n\n3. c\n\n> q\n\n```js\nx\n```\n\n---\n\nl1  \nl2\n",
                        ExportFormat::Html),
            "<h1>T</h1><p>para</p><ul><li><p>a</p></li><li><p>b</p></li></ul><ol start=\"3\"><li><p>c</p></li></ol>"
            "<blockquote><p>q</p></blockquote><pre><code class=\"language-js\">x</code></pre><hr><p>l1<br>l2</p>");
  EXPECT_EQ(html_of(R"({"type":"doc","content":[{"type":"orderedList","attrs":{"start":1,"type":"a"},"content":[
      {"type":"listItem","content":[{"type":"paragraph"}]}]},{"type":"heading","attrs":{"level":9}},
      {"type":"heading","attrs":{"level":"2"}},{"type":"codeBlock"}]})"),
            "<ol type=\"a\"><li><p></p></li></ol><h6></h6><h2></h2><pre><code></code></pre>");
}

TEST(HtmlExport, MarksNestInSchemaOrder) {
  EXPECT_EQ(test::md_to("**a *b* c** `d` [e **f**](https://x.example \"T\") <s>g</s> <u>h</u>", ExportFormat::Html),
            "<p><strong>a <em>b</em> c</strong> <code>d</code> <a href=\"https://x.example\" target=\"_blank\" "
            "rel=\"noopener noreferrer nofollow\" title=\"T\">e <strong>f</strong></a> <s>g</s> <u>h</u></p>");
}

TEST(HtmlExport, EscapesTextAndAttributes) {
  EXPECT_EQ(html_of(R"({"type":"doc","content":[{"type":"paragraph","content":[
      {"type":"text","text":"<script>alert(\"x\")</script> & 'q'"},
      {"type":"text","text":"l","marks":[{"type":"link","attrs":{"href":"/a?b=\"><script>&c","title":"<t>"}}]}]},
      {"type":"codeBlock","attrs":{"language":"\"><img src=x onerror=alert(1)>"},"content":[{"type":"text","text":"</code><b>"}]}]})"),
            "<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;<a href=\"/a?b=&quot;&gt;&lt;script&gt;&amp;c\" "
            "rel=\"noopener noreferrer nofollow\" title=\"&lt;t&gt;\">l</a></p>"
            "<pre><code class=\"language-&quot;&gt;&lt;img src=x onerror=alert(1)&gt;\">&lt;/code&gt;&lt;b&gt;</code></pre>");
}

TEST(HtmlExport, UnsafeLinksLoseTheirLinkOnly) {
  for (const char* href : {"javascript:alert(1)", " JAVASCRIPT:alert(1)", "java\tscript:x", "data:text/html,x",
                           "vbscript:x"}) {
    std::string json = R"({"type":"doc","content":[{"type":"paragraph","content":[{"type":"text","text":"t","marks":[{"type":"bold"},{"type":"link","attrs":{"href":)" +
                       crdt::js_stringify(crdt::Any::String(href)) + "}}]}]}]}";
    EXPECT_EQ(html_of(json), "<p><strong>t</strong></p>") << href;
  }
  EXPECT_EQ(html_of(R"({"type":"doc","content":[{"type":"paragraph","content":[{"type":"text","text":"m","marks":[{"type":"link","attrs":{"href":"mailto:a@b.example"}}]}]}]})"),
            "<p><a href=\"mailto:a@b.example\" rel=\"noopener noreferrer nofollow\">m</a></p>");
}

TEST(HtmlExport, UnknownNodesRenderTheirChildren) {
  EXPECT_EQ(html_of(R"({"type":"doc","content":[{"type":"callout--x","content":[{"type":"paragraph","content":[
      {"type":"text","text":"a"},{"type":"mention","content":[{"type":"text","text":"@b"}]}]}]},{"type":"text","text":"loose"}]})"),
            "<!-- unknown node: callout__x --><p>a<!-- unknown node: mention -->@b</p><p>loose</p>");
}

TEST(HtmlExport, EmojiAndEmptyDocument) {
  EXPECT_EQ(test::md_to("😀 👍🏽 𝄞", ExportFormat::Html), "<p>😀 👍🏽 𝄞</p>");
  EXPECT_EQ(render_html(PmNode::Block("doc")), "");
  EXPECT_EQ(test::md_to("", ExportFormat::Html), "<p></p>");
}

TEST(HtmlExport, RoundTripsThroughTheHtmlImporter) {
  const char* md = "# Title *it*\n\n- a **b**\n  - c\n\n5. d\n\n> e\n\n```py\nx < 1\n```\n\n---\n\nf  \ng [h](/x \"t\") `i` <s>j</s> <u>k</u> 😀\n";
  std::string json = test::md_json(md);
  EXPECT_EQ(test::html_json(test::md_to(md, ExportFormat::Html)), json);
}

}  // namespace
}  // namespace tandem::convert
