// parse_html (import.h): gumbo's tree (parsed as browsers parse HTML) -> the editor's tree.
//   p -> paragraph; h1..h6 -> heading; ul, ol (start, type), menu, dir -> lists; li ->
//   listItem; blockquote -> blockquote; pre -> codeBlock (language from the first child's
//   "language-X" class, as TipTap reads it); br -> hardBreak; hr -> horizontalRule;
//   strong, b -> bold; em, i -> italic; s, del, strike -> strike; u, ins -> underline; code,
//   kbd, samp, tt -> code; a with a safe href (is_safe_href) -> link (href, title).
//   img -> its alt text (or its src), linked to src when src is safe.
//   script, style, template, head, iframe, object, embed, svg, math, canvas, media and form
//   controls -> dropped with their content; comments dropped.
//   div, section, table, tr, td, ... -> their content; each one's inline content forms its own
//   paragraphs (so a table becomes one paragraph per cell); other elements (span, ...) -> their
//   content, inline.
// Whitespace follows ProseMirror's DOMParser: collapsed outside <pre>, dropped between blocks.
// Elements nested deeper than kMaxDepth give their text only (collected without recursion).
// HTML nested deeper than kMaxHtmlNesting is refused before gumbo parses it: gumbo's tree
// building is quadratic in the nesting depth (its scope checks walk the stack of open elements),
// 20,000 nested <div>s take seconds, 100,000 minutes.
#include <algorithm>
#include <cctype>
#include <cstring>
#include <iterator>
#include <string>
#include <vector>

#include "convert/gumbo_document.h"
#include "convert/import.h"
#include "convert/import_internal.h"

namespace tandem::convert {

using crdt::Any;
using crdt::AnyObject;

namespace {

// A block element whose inline content forms paragraphs of its own (the walk keeps it as a
// node of this unknown type; normalize_document replaces it by its content).
constexpr const char* kContainer = "#container";

struct Ctx {
  int depth = 0;
  bool in_textblock = false;  // inside p/h*: everything is inline
  std::vector<PmMark> marks;
};

bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

std::string collapse(std::string_view s) {
  std::string out;
  bool space = false;
  for (char c : s) {
    if (is_ws(c)) {
      if (!space) out += ' ';
      space = true;
    } else {
      out += c;
      space = false;
    }
  }
  return out;
}

bool all_ws(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return is_ws(c); });
}

const char* attribute(const GumboNode* n, const char* name) {
  const GumboAttribute* a = gumbo_get_attribute(&n->v.element.attributes, name);
  return a != nullptr ? a->value : nullptr;
}

bool dropped(GumboTag tag) {
  switch (tag) {
    case GUMBO_TAG_SCRIPT: case GUMBO_TAG_STYLE: case GUMBO_TAG_TEMPLATE: case GUMBO_TAG_HEAD:
    case GUMBO_TAG_TITLE: case GUMBO_TAG_META: case GUMBO_TAG_LINK: case GUMBO_TAG_BASE:
    case GUMBO_TAG_NOSCRIPT: case GUMBO_TAG_IFRAME: case GUMBO_TAG_FRAME:
    case GUMBO_TAG_FRAMESET: case GUMBO_TAG_OBJECT: case GUMBO_TAG_EMBED: case GUMBO_TAG_PARAM:
    case GUMBO_TAG_APPLET: case GUMBO_TAG_SVG: case GUMBO_TAG_MATH: case GUMBO_TAG_CANVAS:
    case GUMBO_TAG_VIDEO: case GUMBO_TAG_AUDIO: case GUMBO_TAG_SOURCE: case GUMBO_TAG_TRACK:
    case GUMBO_TAG_MAP: case GUMBO_TAG_AREA: case GUMBO_TAG_SELECT: case GUMBO_TAG_OPTION:
    case GUMBO_TAG_OPTGROUP: case GUMBO_TAG_DATALIST: case GUMBO_TAG_TEXTAREA:
    case GUMBO_TAG_INPUT: case GUMBO_TAG_BUTTON: case GUMBO_TAG_KEYGEN: case GUMBO_TAG_OUTPUT:
    case GUMBO_TAG_PROGRESS: case GUMBO_TAG_METER: case GUMBO_TAG_NOEMBED:
    case GUMBO_TAG_NOFRAMES: case GUMBO_TAG_XMP: case GUMBO_TAG_PLAINTEXT:
      return true;
    default: return false;
  }
}

bool container(GumboTag tag) {
  switch (tag) {
    case GUMBO_TAG_HTML: case GUMBO_TAG_BODY: case GUMBO_TAG_DIV: case GUMBO_TAG_SECTION:
    case GUMBO_TAG_ARTICLE: case GUMBO_TAG_ASIDE: case GUMBO_TAG_NAV: case GUMBO_TAG_MAIN:
    case GUMBO_TAG_HEADER: case GUMBO_TAG_FOOTER: case GUMBO_TAG_ADDRESS: case GUMBO_TAG_HGROUP:
    case GUMBO_TAG_FIGURE: case GUMBO_TAG_FIGCAPTION: case GUMBO_TAG_DETAILS:
    case GUMBO_TAG_SUMMARY: case GUMBO_TAG_CENTER: case GUMBO_TAG_FORM:
    case GUMBO_TAG_FIELDSET: case GUMBO_TAG_LEGEND: case GUMBO_TAG_DL: case GUMBO_TAG_DT:
    case GUMBO_TAG_DD: case GUMBO_TAG_TABLE: case GUMBO_TAG_CAPTION: case GUMBO_TAG_THEAD:
    case GUMBO_TAG_TBODY: case GUMBO_TAG_TFOOT: case GUMBO_TAG_TR: case GUMBO_TAG_TD:
    case GUMBO_TAG_TH: case GUMBO_TAG_OPTGROUP:
      return true;
    default: return false;
  }
}

// The text below `root` (br as a newline), without recursion: for <pre> and for elements
// nested too deep to walk.
std::string text_content(const GumboNode* root) {
  std::string out;
  std::vector<const GumboNode*> stack{root};
  while (!stack.empty()) {
    const GumboNode* n = stack.back();
    stack.pop_back();
    if (n->type == GUMBO_NODE_TEXT || n->type == GUMBO_NODE_WHITESPACE ||
        n->type == GUMBO_NODE_CDATA) {
      out += n->v.text.text;
    } else if (n->type == GUMBO_NODE_ELEMENT) {
      if (dropped(n->v.element.tag)) continue;
      if (n->v.element.tag == GUMBO_TAG_BR) out += '\n';
      const GumboVector& children = n->v.element.children;
      for (unsigned i = children.length; i-- > 0;) {
        stack.push_back(static_cast<const GumboNode*>(children.data[i]));
      }
    }
  }
  return out;
}

void walk(const GumboNode* n, const Ctx& ctx, std::vector<PmNode>& out);

void walk_children(const GumboNode* n, const Ctx& ctx, std::vector<PmNode>& out) {
  const GumboVector& children = n->v.element.children;
  for (unsigned i = 0; i < children.length; ++i) {
    walk(static_cast<const GumboNode*>(children.data[i]), ctx, out);
  }
}

void with_mark(const GumboNode* n, const Ctx& ctx, PmMark mark, std::vector<PmNode>& out) {
  Ctx inner = ctx;
  ++inner.depth;
  inner.marks.push_back(std::move(mark));
  walk_children(n, inner, out);
}

// A node whose children are walked in block (or, for text blocks, inline) context.
void node_with_children(const GumboNode* n, const Ctx& ctx, PmNode node, bool textblock,
                        std::vector<PmNode>& out) {
  Ctx inner = ctx;
  ++inner.depth;
  inner.in_textblock = textblock;
  if (!textblock) inner.marks.clear();
  walk_children(n, inner, node.content);
  out.push_back(std::move(node));
}

PmNode code_block(const GumboNode* pre) {
  AnyObject attrs;
  const GumboVector& children = pre->v.element.children;
  for (unsigned i = 0; i < children.length; ++i) {
    const auto* c = static_cast<const GumboNode*>(children.data[i]);
    if (c->type != GUMBO_NODE_ELEMENT) continue;
    // TipTap: the first element child's classes "language-X".
    const char* cls = attribute(c, "class");
    std::string classes = cls != nullptr ? cls : "";
    size_t pos = 0;
    while (pos < classes.size()) {
      size_t end = classes.find_first_of(" \t\n\r\f", pos);
      std::string name = classes.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
      if (name.rfind("language-", 0) == 0 && name.size() > 9) {
        attrs.emplace_back("language", Any::String(name.substr(9)));
        break;
      }
      if (end == std::string::npos) break;
      pos = end + 1;
    }
    break;
  }
  PmNode node = PmNode::Block("codeBlock", std::move(attrs));
  std::string text = text_content(pre);
  if (!text.empty()) node.content.push_back(PmNode::Text(std::move(text)));
  return node;
}

AnyObject ordered_list_attrs(const GumboNode* n) {
  AnyObject attrs;
  long long start = 1;
  if (const char* s = attribute(n, "start")) {
    char* end = nullptr;
    long long v = std::strtoll(s, &end, 10);
    if (end != s && v >= 0 && v <= 999999999) start = v;
  }
  attrs.emplace_back("start", Any::Number(static_cast<double>(start)));
  if (const char* t = attribute(n, "type")) {
    std::string type = t;
    if (type == "1" || type == "a" || type == "A" || type == "i" || type == "I") {
      attrs.emplace_back("type", Any::String(type));
    }
  }
  return attrs;
}

void image(const GumboNode* n, const Ctx& ctx, std::vector<PmNode>& out) {
  const char* src = attribute(n, "src");
  const char* alt = attribute(n, "alt");
  std::string text = collapse(alt != nullptr ? alt : "");
  bool link = src != nullptr && *src != '\0' && is_safe_href(src);
  if (all_ws(text)) text = link ? src : "";
  if (text.empty()) return;
  std::vector<PmMark> marks = ctx.marks;
  if (link) marks.push_back(PmMark{"link", {{"href", Any::String(src)}}});
  out.push_back(PmNode::Text(std::move(text), std::move(marks)));
}

void element(const GumboNode* n, const Ctx& ctx, std::vector<PmNode>& out) {
  GumboTag tag = n->v.element.tag;
  if (dropped(tag)) return;
  if (ctx.depth >= kMaxDepth) {
    std::string text = collapse(text_content(n));
    if (!all_ws(text)) out.push_back(PmNode::Text(std::move(text), ctx.marks));
    return;
  }
  bool block = !ctx.in_textblock;
  switch (tag) {
    case GUMBO_TAG_BR: out.push_back(PmNode::Block("hardBreak")); return;
    case GUMBO_TAG_HR:
      if (block) out.push_back(PmNode::Block("horizontalRule"));
      return;
    case GUMBO_TAG_IMG: image(n, ctx, out); return;
    case GUMBO_TAG_STRONG: case GUMBO_TAG_B: with_mark(n, ctx, PmMark{"bold", {}}, out); return;
    case GUMBO_TAG_EM: case GUMBO_TAG_I: with_mark(n, ctx, PmMark{"italic", {}}, out); return;
    case GUMBO_TAG_S: case GUMBO_TAG_DEL: case GUMBO_TAG_STRIKE:
      with_mark(n, ctx, PmMark{"strike", {}}, out);
      return;
    case GUMBO_TAG_U: case GUMBO_TAG_INS: with_mark(n, ctx, PmMark{"underline", {}}, out); return;
    case GUMBO_TAG_CODE: case GUMBO_TAG_KBD: case GUMBO_TAG_SAMP: case GUMBO_TAG_TT:
      with_mark(n, ctx, PmMark{"code", {}}, out);
      return;
    case GUMBO_TAG_A: {
      const char* href = attribute(n, "href");
      if (href == nullptr || !is_safe_href(href)) break;  // its content, unlinked
      AnyObject attrs{{"href", Any::String(href)}};
      if (const char* title = attribute(n, "title")) attrs.emplace_back("title", Any::String(title));
      with_mark(n, ctx, PmMark{"link", std::move(attrs)}, out);
      return;
    }
    default: break;
  }
  if (block) {
    switch (tag) {
      case GUMBO_TAG_P: node_with_children(n, ctx, PmNode::Block("paragraph"), true, out); return;
      case GUMBO_TAG_H1: case GUMBO_TAG_H2: case GUMBO_TAG_H3: case GUMBO_TAG_H4:
      case GUMBO_TAG_H5: case GUMBO_TAG_H6: {
        int level = 1 + static_cast<int>(tag - GUMBO_TAG_H1);
        PmNode h = PmNode::Block("heading", {{"level", Any::Number(level)}});
        node_with_children(n, ctx, std::move(h), true, out);
        return;
      }
      case GUMBO_TAG_PRE: out.push_back(code_block(n)); return;
      case GUMBO_TAG_UL: case GUMBO_TAG_MENU: case GUMBO_TAG_DIR:
        node_with_children(n, ctx, PmNode::Block("bulletList"), false, out);
        return;
      case GUMBO_TAG_OL:
        node_with_children(n, ctx, PmNode::Block("orderedList", ordered_list_attrs(n)), false, out);
        return;
      case GUMBO_TAG_LI: node_with_children(n, ctx, PmNode::Block("listItem"), false, out); return;
      case GUMBO_TAG_BLOCKQUOTE:
        node_with_children(n, ctx, PmNode::Block("blockquote"), false, out);
        return;
      default:
        if (container(tag)) {
          node_with_children(n, ctx, PmNode::Block(kContainer), false, out);
          return;
        }
    }
  }
  // Inline elements, unknown elements, and blocks inside a text block: their content.
  Ctx inner = ctx;
  ++inner.depth;
  walk_children(n, inner, out);
}

void walk(const GumboNode* n, const Ctx& ctx, std::vector<PmNode>& out) {
  switch (n->type) {
    case GUMBO_NODE_TEXT:
    case GUMBO_NODE_CDATA:
    case GUMBO_NODE_WHITESPACE: {
      std::string_view raw = n->v.text.text;
      // Whitespace between blocks goes; between inline nodes it is a space.
      bool after_inline = !out.empty() && (out.back().is_text() || out.back().type == "hardBreak");
      if (!ctx.in_textblock && all_ws(raw) && !after_inline) return;
      out.push_back(PmNode::Text(collapse(raw), ctx.marks));
      return;
    }
    case GUMBO_NODE_ELEMENT: element(n, ctx, out); return;
    default: return;  // comments, templates, the document node
  }
}

void collapse_inline(std::vector<PmNode>& content) {
  bool after_space = true;  // at the start of the block
  PmNode* last_text = nullptr;
  auto strip_trailing = [&] {
    if (last_text != nullptr && !last_text->text.empty() && last_text->text.back() == ' ') {
      last_text->text.pop_back();
    }
  };
  for (PmNode& c : content) {
    if (c.type == "hardBreak") {
      strip_trailing();
      last_text = nullptr;
      after_space = true;
    } else if (c.is_text()) {
      std::string t = collapse(c.text);
      if (after_space && !t.empty() && t.front() == ' ') t.erase(0, 1);
      if (!t.empty()) after_space = t.back() == ' ';
      c.text = std::move(t);
      if (!c.text.empty()) last_text = &c;
    }
  }
  strip_trailing();
  join_text_nodes(content);
}

// Whether the walk found anything that becomes content (not only empty containers).
bool has_content(const PmNode& n) {
  if (n.is_text() || (n.type != kContainer && n.type != "doc")) return true;
  return std::any_of(n.content.begin(), n.content.end(), [](const PmNode& c) { return has_content(c); });
}

// Elements that never nest (void) or close themselves when a sibling opens (optional end
// tags): they do not deepen the tree the way the estimate below counts.
bool flat_element(std::string_view name) {
  static constexpr std::string_view kFlat[] = {
      "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
      "track", "wbr", "p", "li", "dt", "dd", "tr", "td", "th", "option", "optgroup", "thead",
      "tbody", "tfoot", "colgroup", "caption", "rb", "rt", "rtc", "rp", "html", "head", "body",
      "!doctype"};
  return std::find(std::begin(kFlat), std::end(kFlat), name) != std::end(kFlat);
}

// An upper estimate of how deep `html` nests elements, stopping once past `limit`. Not a
// parser: a scan of "<name" and "</name" with a stack of open names (an end tag closes up to its
// name, as the tree builder's generic rule does; unmatched end tags are ignored, as gumbo ignores
// them), skipping comments and the text of raw-text elements.
size_t estimated_nesting(std::string_view html, size_t limit) {
  std::vector<std::string> open;
  size_t deepest = 0;
  auto lower_name = [&](size_t i) {
    std::string name;
    while (i < html.size() && (std::isalnum(static_cast<unsigned char>(html[i])) || html[i] == '-' || html[i] == '!')) {
      name += static_cast<char>(std::tolower(static_cast<unsigned char>(html[i])));
      ++i;
    }
    return name;
  };
  size_t i = 0;
  while (i < html.size() && deepest <= limit) {
    if (html[i] != '<') {
      ++i;
      continue;
    }
    if (html.compare(i, 4, "<!--") == 0) {
      size_t end = html.find("-->", i + 4);
      i = end == std::string_view::npos ? html.size() : end + 3;
      continue;
    }
    bool end_tag = i + 1 < html.size() && html[i + 1] == '/';
    std::string name = lower_name(i + (end_tag ? 2 : 1));
    size_t gt = html.find('>', i + 1);
    if (name.empty() || gt == std::string_view::npos) {
      ++i;
      continue;
    }
    bool self_closing = html[gt - 1] == '/';
    i = gt + 1;
    if (flat_element(name)) continue;
    if (end_tag) {
      auto it = std::find(open.rbegin(), open.rend(), name);
      if (it != open.rend()) open.erase(std::next(it).base(), open.end());
      continue;
    }
    if (self_closing) continue;
    if (name == "script" || name == "style" || name == "textarea" || name == "title" || name == "xmp" ||
        name == "iframe" || name == "noembed" || name == "noframes" || name == "plaintext") {
      // Raw text up to the end tag.
      size_t end = i;
      while ((end = html.find("</", end)) != std::string_view::npos && lower_name(end + 2) != name) end += 2;
      i = end == std::string_view::npos ? html.size() : end;
      continue;
    }
    open.push_back(std::move(name));
    deepest = std::max(deepest, open.size());
  }
  return deepest;
}

}  // namespace

void collapse_block_whitespace(PmNode& node) {
  if (node.type == "paragraph" || node.type == "heading") {
    collapse_inline(node.content);
    return;
  }
  if (node.type == "codeBlock") return;
  for (PmNode& c : node.content) collapse_block_whitespace(c);
}

std::vector<PmNode> html_to_blocks(std::string_view html, int depth) {
  if (estimated_nesting(html, kMaxHtmlNesting) > kMaxHtmlNesting) return {};
  GumboDocument parsed(html);
  if (parsed.root() == nullptr) return {};
  Ctx ctx;
  ctx.depth = depth;
  PmNode doc = PmNode::Block("doc");
  walk(parsed.root(), ctx, doc.content);
  if (!has_content(doc)) return {};
  normalize_document(doc);
  collapse_block_whitespace(doc);
  return std::move(doc.content);
}

Result<PmNode> parse_html(std::string_view html) {
  if (Status st = check_import_input(html, "HTML"); !st) return st;
  if (estimated_nesting(html, kMaxHtmlNesting) > kMaxHtmlNesting) {
    return Status::Error("HTML import: elements nested deeper than " + std::to_string(kMaxHtmlNesting));
  }
  PmNode doc = PmNode::Block("doc", {}, html_to_blocks(html, 0));
  normalize_document(doc);
  return doc;
}

}  // namespace tandem::convert
