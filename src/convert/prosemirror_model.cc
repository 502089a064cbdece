// The editor's schema and the tree operations of prosemirror_model.h. The schema table is
// @tiptap/core getSchema([StarterKit]) of TipTap 3.34 (dumped by tests/interop/
// gen_convert_fixtures.mjs into tests/fixtures/convert/schema.json, which convert tests compare
// with this table).
#include "convert/prosemirror_model.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>

#include "crdt/js_json.h"

namespace tandem::convert {

using crdt::Any;
using crdt::AnyObject;

namespace {

const std::vector<NodeSpec>& node_specs() {
  static const std::vector<NodeSpec> specs = {
      {"doc", ContentKind::Blocks, false, {}},
      {"paragraph", ContentKind::Inline, false, {}},
      {"heading", ContentKind::Inline, false, {{"level", Any::Number(1)}}},
      {"blockquote", ContentKind::Blocks, false, {}},
      {"bulletList", ContentKind::ListItems, false, {}},
      {"orderedList", ContentKind::ListItems, false,
       {{"start", Any::Number(1)}, {"type", Any::Null()}}},
      {"listItem", ContentKind::ListItem, false, {}},
      {"codeBlock", ContentKind::CodeText, false, {{"language", Any::Null()}}},
      {"hardBreak", ContentKind::Leaf, true, {}},
      {"horizontalRule", ContentKind::Leaf, false, {}},
  };
  return specs;
}

// In ProseMirror's rank order (the order of schema.marks; TipTap puts link first, priority 1000).
const std::vector<MarkSpec>& mark_specs() {
  static const std::vector<MarkSpec> specs = {
      {"link",
       {{"href", Any::Null()},
        {"target", Any::String("_blank")},
        {"rel", Any::String("noopener noreferrer nofollow")},
        {"class", Any::Null()},
        {"title", Any::Null()}},
       false},
      {"bold", {}, false},
      {"code", {}, true},
      {"italic", {}, false},
      {"strike", {}, false},
      {"underline", {}, false},
  };
  return specs;
}

const Any* obj_find(const AnyObject& o, std::string_view key) {
  for (const auto& kv : o) {
    if (kv.first == key) return &kv.second;
  }
  return nullptr;
}

bool is_inline(const PmNode& n) {
  if (n.is_text()) return true;
  const NodeSpec* spec = find_node_spec(n.type);
  return spec != nullptr && spec->inline_node;
}

// Appends the inline content of `n` (a block that landed inside a text block) to `out`.
void flatten_inline(const PmNode& n, std::vector<PmNode>& out) {
  if (is_inline(n)) {
    out.push_back(n);
    return;
  }
  for (const PmNode& c : n.content) flatten_inline(c, out);
}

// All the text of `n`, hard breaks as newlines (code block content).
void flatten_text(const PmNode& n, std::string& out) {
  if (n.is_text()) {
    out += n.text;
  } else if (n.type == "hardBreak") {
    out += '\n';
  } else {
    for (const PmNode& c : n.content) flatten_text(c, out);
  }
}

void normalize_marks(std::vector<PmMark>& marks) {
  // ProseMirror's Mark.addToSet: an excluded mark is replaced; code excludes all ("_").
  auto code = std::find_if(marks.begin(), marks.end(), [](const PmMark& m) {
    const MarkSpec* s = find_mark_spec(m.type);
    return s != nullptr && s->excludes_all;
  });
  if (code != marks.end()) {
    PmMark keep = *code;
    marks.assign(1, std::move(keep));
  }
  std::vector<PmMark> unique;
  for (PmMark& m : marks) {
    const MarkSpec* spec = find_mark_spec(m.type);
    if (spec == nullptr) continue;
    m.attrs = complete_attrs(spec->attrs, m.attrs);
    // A mark type excludes itself: the last one wins, as addToSet keeps replacing.
    auto same = std::find_if(unique.begin(), unique.end(),
                             [&](const PmMark& u) { return u.type == m.type; });
    if (same != unique.end()) {
      *same = std::move(m);
    } else {
      unique.push_back(std::move(m));
    }
  }
  sort_marks(unique);
  marks = std::move(unique);
}

void normalize_node(PmNode& node);

void normalize_inline(PmNode& node) {
  std::vector<PmNode> flat;
  for (const PmNode& c : node.content) flatten_inline(c, flat);
  std::vector<PmNode> kept;
  for (PmNode& c : flat) {
    if (c.is_text()) {
      normalize_marks(c.marks);
      c.attrs.clear();
      c.content.clear();
      kept.push_back(std::move(c));
    } else if (c.type == "hardBreak") {
      kept.push_back(PmNode::Block("hardBreak"));
    }
  }
  join_text_nodes(kept);
  node.content = std::move(kept);
}

void normalize_code(PmNode& node) {
  std::string text;
  for (const PmNode& c : node.content) flatten_text(c, text);
  node.content.clear();
  if (!text.empty()) node.content.push_back(PmNode::Text(std::move(text)));
}

// Appends `children` to `out` as normalized blocks: runs of inline nodes wrapped in
// paragraphs, stray list items and unknown containers replaced by their content (whose inline
// runs form paragraphs of their own, so that two <div>s stay two paragraphs).
void append_blocks(std::vector<PmNode>&& children, std::vector<PmNode>& out) {
  std::vector<PmNode> run;
  auto flush = [&] {
    if (run.empty()) return;
    PmNode p = PmNode::Block("paragraph", {}, std::move(run));
    run.clear();
    normalize_node(p);
    out.push_back(std::move(p));
  };
  for (PmNode& c : children) {
    if (is_inline(c)) {
      run.push_back(std::move(c));
      continue;
    }
    flush();
    if (c.type == "listItem" || c.type == "doc" || find_node_spec(c.type) == nullptr) {
      append_blocks(std::move(c.content), out);
      continue;
    }
    normalize_node(c);
    out.push_back(std::move(c));
  }
  flush();
}

// block+ content: the blocks, or one empty paragraph.
void normalize_blocks(PmNode& node) {
  std::vector<PmNode> out;
  append_blocks(std::move(node.content), out);
  if (out.empty()) out.push_back(PmNode::Block("paragraph"));
  node.content = std::move(out);
}

void normalize_list(PmNode& node) {
  std::vector<PmNode> out;
  std::vector<PmNode> run;
  auto flush = [&] {
    if (run.empty()) return;
    PmNode item = PmNode::Block("listItem", {}, std::move(run));
    run.clear();
    normalize_node(item);
    out.push_back(std::move(item));
  };
  for (PmNode& c : node.content) {
    if (c.type == "listItem") {
      flush();
      normalize_node(c);
      out.push_back(std::move(c));
    } else {
      run.push_back(std::move(c));
    }
  }
  flush();
  if (out.empty()) {
    PmNode item = PmNode::Block("listItem");
    normalize_node(item);
    out.push_back(std::move(item));
  }
  node.content = std::move(out);
}

void normalize_node(PmNode& node) {
  const NodeSpec* spec = find_node_spec(node.type);
  if (spec == nullptr) return;
  node.attrs = complete_attrs(spec->attrs, node.attrs);
  node.text.clear();
  node.marks.clear();
  switch (spec->content) {
    case ContentKind::Blocks: normalize_blocks(node); break;
    case ContentKind::ListItems: normalize_list(node); break;
    case ContentKind::ListItem:
      normalize_blocks(node);
      if (node.content.front().type != "paragraph") {
        node.content.insert(node.content.begin(), PmNode::Block("paragraph"));
      }
      break;
    case ContentKind::Inline: normalize_inline(node); break;
    case ContentKind::CodeText: normalize_code(node); break;
    case ContentKind::Leaf: node.content.clear(); break;
  }
}

}  // namespace

bool operator==(const PmMark& a, const PmMark& b) {
  if (a.type != b.type || a.attrs.size() != b.attrs.size()) return false;
  for (const auto& kv : a.attrs) {
    const Any* other = obj_find(b.attrs, kv.first);
    if (other == nullptr || !(*other == kv.second)) return false;
  }
  return true;
}

const Any* PmNode::attr(std::string_view key) const { return obj_find(attrs, key); }

PmNode PmNode::Text(std::string text, std::vector<PmMark> marks) {
  PmNode n;
  n.type = "text";
  n.text = std::move(text);
  n.marks = std::move(marks);
  return n;
}

PmNode PmNode::Block(std::string type, AnyObject attrs, std::vector<PmNode> content) {
  PmNode n;
  n.type = std::move(type);
  n.attrs = std::move(attrs);
  n.content = std::move(content);
  return n;
}

const NodeSpec* find_node_spec(std::string_view name) {
  for (const NodeSpec& s : node_specs()) {
    if (name == s.name) return &s;
  }
  return nullptr;
}

const MarkSpec* find_mark_spec(std::string_view name, size_t* rank) {
  const auto& specs = mark_specs();
  for (size_t i = 0; i < specs.size(); ++i) {
    if (name == specs[i].name) {
      if (rank != nullptr) *rank = i;
      return &specs[i];
    }
  }
  return nullptr;
}

AnyObject complete_attrs(const std::vector<AttrSpec>& spec, const AnyObject& given) {
  AnyObject out;
  for (const AttrSpec& a : spec) {
    const Any* v = obj_find(given, a.name);
    out.emplace_back(a.name, v != nullptr && !v->is_undefined() ? *v : a.default_value);
  }
  return out;
}

void sort_marks(std::vector<PmMark>& marks) {
  auto rank = [](const PmMark& m) {
    size_t r = 0;
    return find_mark_spec(m.type, &r) != nullptr ? r : SIZE_MAX;
  };
  std::stable_sort(marks.begin(), marks.end(),
                   [&](const PmMark& a, const PmMark& b) { return rank(a) < rank(b); });
}

void join_text_nodes(std::vector<PmNode>& nodes) {
  std::vector<PmNode> out;
  for (PmNode& n : nodes) {
    if (n.is_text() && n.text.empty()) continue;
    if (n.is_text() && !out.empty() && out.back().is_text() && out.back().marks == n.marks) {
      out.back().text += n.text;
      continue;
    }
    out.push_back(std::move(n));
  }
  nodes = std::move(out);
}

void normalize_document(PmNode& root) {
  root.type = "doc";
  normalize_node(root);
}

Any to_prosemirror_json(const PmNode& node) {
  AnyObject o;
  o.emplace_back("type", Any::String(node.type));
  if (!node.is_text()) {
    if (!node.attrs.empty()) o.emplace_back("attrs", Any::Object(node.attrs));
    if (!node.content.empty()) {
      crdt::AnyArray content;
      content.reserve(node.content.size());
      for (const PmNode& c : node.content) content.push_back(to_prosemirror_json(c));
      o.emplace_back("content", Any::Array(std::move(content)));
    }
  }
  if (!node.marks.empty()) {
    crdt::AnyArray marks;
    for (const PmMark& m : node.marks) {
      AnyObject mo;
      mo.emplace_back("type", Any::String(m.type));
      if (!m.attrs.empty()) mo.emplace_back("attrs", Any::Object(m.attrs));
      marks.push_back(Any::Object(std::move(mo)));
    }
    o.emplace_back("marks", Any::Array(std::move(marks)));
  }
  if (node.is_text()) o.emplace_back("text", Any::String(node.text));
  return Any::Object(std::move(o));
}

bool is_safe_href(std::string_view href) {
  std::string s;
  for (char c : href) {
    if (c == '\t' || c == '\n' || c == '\r') continue;  // the URL parser drops these
    s += c;
  }
  size_t b = 0;
  while (b < s.size() && static_cast<unsigned char>(s[b]) <= 0x20) ++b;
  s.erase(0, b);
  if (s.empty() || !std::isalpha(static_cast<unsigned char>(s[0]))) return true;  // relative
  size_t i = 1;
  while (i < s.size() && (std::isalnum(static_cast<unsigned char>(s[i])) || s[i] == '+' ||
                          s[i] == '-' || s[i] == '.')) {
    ++i;
  }
  if (i == s.size() || s[i] != ':') return true;  // no scheme: a relative path
  std::string scheme;
  for (size_t k = 0; k < i; ++k) scheme += static_cast<char>(std::tolower(static_cast<unsigned char>(s[k])));
  return scheme == "http" || scheme == "https" || scheme == "mailto";
}

std::optional<std::string> any_to_string(const Any& v) {
  if (v.kind == Any::Kind::String) return v.str;
  if (v.kind == Any::Kind::Number) return crdt::js_number_to_string(v.number);
  if (v.kind == Any::Kind::BigInt) return std::to_string(v.bigint);
  return std::nullopt;
}

std::optional<long long> any_to_integer(const Any& v) {
  if (v.kind == Any::Kind::Number) {
    if (!std::isfinite(v.number) || std::fabs(v.number) > 9e15) return std::nullopt;
    return static_cast<long long>(std::trunc(v.number));
  }
  if (v.kind == Any::Kind::BigInt) return v.bigint;
  if (v.kind == Any::Kind::String) {
    long long out = 0;
    const char* first = v.str.data();
    const char* last = first + v.str.size();
    auto [ptr, ec] = std::from_chars(first, last, out);
    if (ec != std::errc() || ptr == first) return std::nullopt;
    return out;
  }
  return std::nullopt;
}

}  // namespace tandem::convert
