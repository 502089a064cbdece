// parse_markdown (import.h): libcmark's CommonMark tree -> the editor's tree.
//   paragraph, heading (level), block quote, bullet / ordered list (start; tight or loose
//   alike), item, fenced or indented code block (language = first word of the info string; the
//   final newline dropped), thematic break -> the nodes of the same names; raw HTML blocks ->
//   parsed as HTML (html_import.cc); soft break -> a space; hard break -> hardBreak.
//   emphasis -> italic, strong -> bold, code span -> code, link with a safe href -> link (href,
//   title); image -> its alt text linked to its src (when safe).
//   inline raw HTML: <br> -> hardBreak; <s> <del> <strike>, <u> <ins>, <b> <strong>, <i> <em>,
//   <code> and their end tags switch the mark on and off among the following siblings (what
//   render_markdown writes for strike and underline); text inside <script>, <style> and the
//   like is dropped; any other tag is dropped, its text kept.
// Nesting deeper than kMaxDepth gives the text of the subtree (read with cmark's iterator,
// without recursion).
#include <cmark.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "convert/import.h"
#include "convert/import_internal.h"

namespace tandem::convert {

using crdt::Any;
using crdt::AnyObject;

namespace {

//! RAII for cmark's trees and iterators.
struct CmarkNodeFree {
  void operator()(cmark_node* n) const { cmark_node_free(n); }
};
using CmarkNodePtr = std::unique_ptr<cmark_node, CmarkNodeFree>;
struct CmarkIterFree {
  void operator()(cmark_iter* i) const { cmark_iter_free(i); }
};
using CmarkIterPtr = std::unique_ptr<cmark_iter, CmarkIterFree>;

std::string literal(cmark_node* n) {
  const char* s = cmark_node_get_literal(n);
  return s != nullptr ? s : "";
}

// The text of a subtree, iteratively (soft breaks as spaces, hard breaks as newlines).
std::string subtree_text(cmark_node* root) {
  std::string out;
  CmarkIterPtr it(cmark_iter_new(root));
  cmark_event_type ev;
  while ((ev = cmark_iter_next(it.get())) != CMARK_EVENT_DONE) {
    if (ev != CMARK_EVENT_ENTER) continue;
    cmark_node* n = cmark_iter_get_node(it.get());
    switch (cmark_node_get_type(n)) {
      case CMARK_NODE_TEXT: case CMARK_NODE_CODE: case CMARK_NODE_CODE_BLOCK:
        out += literal(n);
        break;
      case CMARK_NODE_SOFTBREAK: out += ' '; break;
      case CMARK_NODE_LINEBREAK: out += '\n'; break;
      default: break;
    }
  }
  return out;
}

// An inline raw HTML tag: its lower-case name and whether it is an end tag. Tags with
// attributes are recognised by name too; comments and declarations give an empty name.
struct HtmlTag {
  std::string name;
  bool end = false;
};
HtmlTag classify_tag(std::string_view s) {
  HtmlTag tag;
  if (s.size() < 3 || s.front() != '<' || s.back() != '>') return tag;
  size_t i = 1;
  if (s[i] == '/') {
    tag.end = true;
    ++i;
  }
  while (i < s.size() && std::isalnum(static_cast<unsigned char>(s[i]))) {
    tag.name += static_cast<char>(std::tolower(static_cast<unsigned char>(s[i])));
    ++i;
  }
  return tag;
}

std::optional<PmMark> mark_of_tag(const std::string& name) {
  if (name == "s" || name == "del" || name == "strike") return PmMark{"strike", {}};
  if (name == "u" || name == "ins") return PmMark{"underline", {}};
  if (name == "b" || name == "strong") return PmMark{"bold", {}};
  if (name == "i" || name == "em") return PmMark{"italic", {}};
  if (name == "code") return PmMark{"code", {}};
  return std::nullopt;
}

bool suppressing_tag(const std::string& name) {
  return name == "script" || name == "style" || name == "template" || name == "iframe" ||
         name == "object" || name == "embed" || name == "svg" || name == "math" ||
         name == "noscript" || name == "textarea" || name == "select";
}

class Converter {
 public:
  std::vector<PmNode> blocks(cmark_node* parent, int depth) {
    std::vector<PmNode> out;
    for (cmark_node* c = cmark_node_first_child(parent); c != nullptr; c = cmark_node_next(c)) {
      block(c, depth, out);
    }
    return out;
  }

 private:
  void block(cmark_node* n, int depth, std::vector<PmNode>& out) {
    if (depth >= kMaxDepth) {
      std::string text = subtree_text(n);
      if (!text.empty()) out.push_back(PmNode::Block("paragraph", {}, {PmNode::Text(text)}));
      return;
    }
    switch (cmark_node_get_type(n)) {
      case CMARK_NODE_PARAGRAPH:
        out.push_back(PmNode::Block("paragraph", {}, inlines(n, depth + 1, {})));
        break;
      case CMARK_NODE_HEADING: {
        AnyObject attrs{{"level", Any::Number(cmark_node_get_heading_level(n))}};
        out.push_back(PmNode::Block("heading", std::move(attrs), inlines(n, depth + 1, {})));
        break;
      }
      case CMARK_NODE_BLOCK_QUOTE:
        out.push_back(PmNode::Block("blockquote", {}, blocks(n, depth + 1)));
        break;
      case CMARK_NODE_LIST: {
        if (cmark_node_get_list_type(n) == CMARK_ORDERED_LIST) {
          AnyObject attrs{{"start", Any::Number(cmark_node_get_list_start(n))}};
          out.push_back(PmNode::Block("orderedList", std::move(attrs), blocks(n, depth + 1)));
        } else {
          out.push_back(PmNode::Block("bulletList", {}, blocks(n, depth + 1)));
        }
        break;
      }
      case CMARK_NODE_ITEM: out.push_back(PmNode::Block("listItem", {}, blocks(n, depth + 1))); break;
      case CMARK_NODE_CODE_BLOCK: out.push_back(code_block(n)); break;
      case CMARK_NODE_THEMATIC_BREAK: out.push_back(PmNode::Block("horizontalRule")); break;
      case CMARK_NODE_HTML_BLOCK:
        for (PmNode& b : html_to_blocks(literal(n), depth)) out.push_back(std::move(b));
        break;
      default: break;  // custom blocks are never parsed
    }
  }

  static PmNode code_block(cmark_node* n) {
    AnyObject attrs;
    const char* info = cmark_node_get_fence_info(n);
    std::string language = info != nullptr ? info : "";
    size_t end = language.find_first_of(" \t");
    if (end != std::string::npos) language.resize(end);
    if (!language.empty()) attrs.emplace_back("language", Any::String(language));
    std::string text = literal(n);
    if (!text.empty() && text.back() == '\n') text.pop_back();
    PmNode node = PmNode::Block("codeBlock", std::move(attrs));
    if (!text.empty()) node.content.push_back(PmNode::Text(std::move(text)));
    return node;
  }

  std::vector<PmNode> inlines(cmark_node* parent, int depth, const std::vector<PmMark>& marks) {
    std::vector<PmNode> out;
    inline_children(parent, depth, marks, out);
    return out;
  }

  // The children of an inline container, with the marks switched by raw HTML tags among them.
  void inline_children(cmark_node* parent, int depth, const std::vector<PmMark>& marks,
                       std::vector<PmNode>& out) {
    std::vector<PmMark> html_marks;
    int suppress = 0;
    for (cmark_node* c = cmark_node_first_child(parent); c != nullptr; c = cmark_node_next(c)) {
      if (cmark_node_get_type(c) == CMARK_NODE_HTML_INLINE) {
        HtmlTag tag = classify_tag(literal(c));
        if (suppressing_tag(tag.name)) {
          suppress = tag.end ? std::max(0, suppress - 1) : suppress + 1;
        } else if (tag.name == "br" && !tag.end && suppress == 0) {
          out.push_back(PmNode::Block("hardBreak"));
        } else if (std::optional<PmMark> m = mark_of_tag(tag.name)) {
          if (!tag.end) {
            html_marks.push_back(*m);
          } else {
            for (size_t i = html_marks.size(); i-- > 0;) {
              if (html_marks[i].type == m->type) {
                html_marks.erase(html_marks.begin() + static_cast<std::ptrdiff_t>(i));
                break;
              }
            }
          }
        }
        continue;
      }
      if (suppress > 0) continue;
      std::vector<PmMark> all = marks;
      all.insert(all.end(), html_marks.begin(), html_marks.end());
      inline_node(c, depth, all, out);
    }
  }

  void inline_node(cmark_node* n, int depth, const std::vector<PmMark>& marks,
                   std::vector<PmNode>& out) {
    if (depth >= kMaxDepth) {
      std::string text = subtree_text(n);
      if (!text.empty()) out.push_back(PmNode::Text(text, marks));
      return;
    }
    auto with = [&](PmMark m) {
      std::vector<PmMark> inner = marks;
      inner.push_back(std::move(m));
      inline_children(n, depth + 1, inner, out);
    };
    switch (cmark_node_get_type(n)) {
      case CMARK_NODE_TEXT: out.push_back(PmNode::Text(literal(n), marks)); break;
      case CMARK_NODE_SOFTBREAK: out.push_back(PmNode::Text(" ", marks)); break;
      case CMARK_NODE_LINEBREAK: out.push_back(PmNode::Block("hardBreak")); break;
      case CMARK_NODE_CODE: {
        std::vector<PmMark> inner = marks;
        inner.push_back(PmMark{"code", {}});
        out.push_back(PmNode::Text(literal(n), std::move(inner)));
        break;
      }
      case CMARK_NODE_EMPH: with(PmMark{"italic", {}}); break;
      case CMARK_NODE_STRONG: with(PmMark{"bold", {}}); break;
      case CMARK_NODE_LINK: {
        const char* url = cmark_node_get_url(n);
        if (url == nullptr || !is_safe_href(url)) {
          inline_children(n, depth + 1, marks, out);
          break;
        }
        AnyObject attrs{{"href", Any::String(url)}};
        const char* title = cmark_node_get_title(n);
        if (title != nullptr && *title != '\0') attrs.emplace_back("title", Any::String(title));
        with(PmMark{"link", std::move(attrs)});
        break;
      }
      case CMARK_NODE_IMAGE: image(n, depth, marks, out); break;
      default: break;
    }
  }

  void image(cmark_node* n, int depth, const std::vector<PmMark>& marks, std::vector<PmNode>& out) {
    const char* url = cmark_node_get_url(n);
    bool link = url != nullptr && *url != '\0' && is_safe_href(url);
    std::vector<PmMark> inner = marks;
    if (link) inner.push_back(PmMark{"link", {{"href", Any::String(url)}}});
    size_t before = out.size();
    inline_children(n, depth + 1, inner, out);
    if (out.size() == before && link) out.push_back(PmNode::Text(url, inner));
  }
};

}  // namespace

Result<PmNode> parse_markdown(std::string_view markdown) {
  if (Status st = check_import_input(markdown, "Markdown"); !st) return st;
  CmarkNodePtr root(cmark_parse_document(markdown.data(), markdown.size(), CMARK_OPT_DEFAULT));
  if (root == nullptr) return Status::Error("Markdown import: the parser ran out of memory");
  PmNode doc = PmNode::Block("doc", {}, Converter().blocks(root.get(), 0));
  normalize_document(doc);
  return doc;
}

}  // namespace tandem::convert
