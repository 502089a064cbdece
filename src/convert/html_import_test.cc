// parse_html / import_html: each element, XSS, whitespace, hostile nesting, errors.
#include <gtest/gtest.h>

#include "convert/convert_test_util.h"

namespace tandem::convert {
namespace {

TEST(HtmlImport, ElementsBecomeTheEditorsNodes) {
  EXPECT_EQ(test::html_to("<html><head><title>t</title></head><body><h3>H</h3><p>a<strong>b</strong><b>c</b><em>d</em>"
                          "<i>e</i><del>f</del><strike>g</strike><ins>h</ins><kbd>k</kbd></p><menu><li>m</li></menu>"
                          "<ol start=\"x\" type=\"disc\"><li>o</li></ol></body></html>",
                          ExportFormat::Html),
            "<h3>H</h3><p>a<strong>bc</strong><em>de</em><s>fg</s><u>h</u><code>k</code></p><ul><li><p>m</p></li></ul>"
            "<ol><li><p>o</p></li></ol>");
}

TEST(HtmlImport, ScriptsStylesAndHandlersAreDropped) {
  std::string html = test::html_to(
      "<p>a<script>alert(1)</script><style>*{}</style><noscript>n</noscript><template>t</template>"
      "<svg><script>x</script><text>svg</text></svg><iframe src=javascript:alert(1)></iframe>"
      "<img src=\"javascript:alert(1)\" alt=\"pic\"><img src=\"data:image/png;base64,AA\">"
      "<a href=\"javascript:alert(1)\" onclick=\"y\">j</a><a href=\"java&#x09;script:alert(1)\">k</a>"
      "<a href=\"https://ok.example\" onmouseover=\"z\">ok</a><button>b</button><textarea>ta</textarea>"
      "<select><option>o</option></select><object>ob</object></p><form><input value=v>f</form>",
      ExportFormat::Html);
  EXPECT_EQ(html, "<p>apicjk<a href=\"https://ok.example\" target=\"_blank\" rel=\"noopener noreferrer nofollow\">ok</a></p><p>f</p>");
}

TEST(HtmlImport, TablesAndContainersBecomeParagraphs) {
  EXPECT_EQ(test::html_to("<table><thead><tr><th>h1</th><th>h2</th></tr></thead><tr><td>a <i>b</i></td><td><p>c</p><p>d</p></td></tr></table>"
                          "<dl><dt>t</dt><dd>d</dd></dl><figure><img src=\"/i.png\" alt=\"fig\"><figcaption>cap</figcaption></figure>",
                          ExportFormat::Text),
            "h1\n\nh2\n\na b\n\nc\n\nd\n\nt\n\nd\n\nfig\n\ncap\n");
}

TEST(HtmlImport, PreKeepsWhitespaceAndDropsMarks) {
  EXPECT_EQ(test::html_json("<pre>\n  a  <b>b</b>\n\tc<br>d</pre>"),
            R"({"type":"doc","content":[{"type":"codeBlock","attrs":{"language":null},"content":[{"type":"text","text":"  a  b\n\tc\nd"}]}]})");
}

TEST(HtmlImport, WhitespaceCollapses) {
  EXPECT_EQ(test::html_json("<div>\n  <span>a</span> <b>b</b>\n  c  <br>  d\n</div>\n<p>\n</p>"),
            R"({"type":"doc","content":[{"type":"paragraph","content":[{"type":"text","text":"a "},{"type":"text","marks":[{"type":"bold"}],"text":"b"},)"
            R"({"type":"text","text":" c"},{"type":"hardBreak"},{"type":"text","text":"d"}]},{"type":"paragraph"}]})");
}

TEST(HtmlImport, NestedListsAndLinks) {
  EXPECT_EQ(test::html_to("<ul><li>a<ul><li>b<ol><li>c</li></ol></li></ul></li><li><ul><li>d</li></ul></li>x</ul>"
                          "<p><a href=\"/outer\">o<a href=\"/inner\">i</a></a></p>",
                          ExportFormat::Markdown),
            "- a\n  - b\n    1. c\n- - d\n- x\n\n[o](/outer)[i](/inner)\n");
}

TEST(HtmlImport, HostileNestingIsBounded) {
  // Deeper than kMaxDepth: the text is kept, the structure below the cap flattened.
  std::string divs;
  for (int i = 0; i < 400; ++i) divs += "<blockquote>";
  divs += "deep";
  std::string json = test::html_json(divs);
  EXPECT_NE(json.find("deep"), std::string::npos);
  // Deeper than kMaxHtmlNesting: refused before gumbo spends quadratic time on it.
  for (const char* open : {"<div>", "<ul><li>", "<b><i>", "<x-custom>", "<div></span>"}) {
    std::string html;
    for (int i = 0; i < 100000; ++i) html += open;
    auto r = parse_html(html + "x");
    ASSERT_FALSE(r.ok()) << open;
    EXPECT_NE(r.error().find("nested deeper"), std::string::npos);
  }
  // Many flat or closed elements are fine.
  std::string flat;
  for (int i = 0; i < 20000; ++i) flat += "<p>p<br><img src=x><li>l<div>d</div><!-- <div> --><script><div></script>";
  EXPECT_TRUE(parse_html(flat).ok());
}

TEST(HtmlImport, EmptyAndErrors) {
  EXPECT_EQ(test::html_json(""), R"({"type":"doc","content":[{"type":"paragraph"}]})");
  EXPECT_EQ(test::html_json("<!-- only a comment --><script>x</script>"), R"({"type":"doc","content":[{"type":"paragraph"}]})");
  EXPECT_FALSE(parse_html(std::string(kMaxImportBytes + 1, ' ')).ok());
  EXPECT_FALSE(parse_html("\xc3\x28").ok());
}

TEST(HtmlImport, EntitiesAndEmoji) {
  EXPECT_EQ(test::html_to("<p>&lt;tag&gt; &amp;amp; &#128512; &#x1F44D;&#x1F3FD; &nbsp;x</p>", ExportFormat::Text),
            "<tag> &amp; 😀 👍🏽 \xc2\xa0x\n");
}

}  // namespace
}  // namespace tandem::convert
