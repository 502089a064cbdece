// render_text: blocks, lists, quotes, breaks as a person would type them.
#include <gtest/gtest.h>

#include "convert/convert_test_util.h"

namespace tandem::convert {
namespace {

TEST(TextExport, BlocksAndLists) {
  EXPECT_EQ(test::md_to("# Title\n\nOne  \ntwo\n\n- a\n- b\n  - c\n\n    more c\n\n7. x\n8. y\n\n> q1\n>\n> q2\n\n```\ncode\n  kept\n```\n\n---\n\nend",
                        ExportFormat::Text),
            "Title\n\nOne\ntwo\n\n- a\n- b\n  - c\n    more c\n\n7. x\n8. y\n\n> q1\n>\n> q2\n\ncode\n  kept\n\n---\n\nend\n");
}

TEST(TextExport, EmptyAndTrailingParagraphs) {
  EXPECT_EQ(test::md_to("", ExportFormat::Text), "");
  EXPECT_EQ(render_text(test::tree_of_json_text(
                R"({"type":"doc","content":[{"type":"paragraph","content":[{"type":"text","text":"a"}]},{"type":"paragraph"},{"type":"paragraph"}]})")),
            "a\n");
  EXPECT_EQ(render_text(test::tree_of_json_text(
                R"({"type":"doc","content":[{"type":"bulletList","content":[{"type":"listItem","content":[{"type":"paragraph"}]}]}]})")),
            "-\n");
}

TEST(TextExport, TextIsNotEscaped) {
  EXPECT_EQ(test::html_to("<p>&lt;b&gt; *x* &amp; 😀</p>", ExportFormat::Text), "<b> *x* & 😀\n");
}

}  // namespace
}  // namespace tandem::convert
