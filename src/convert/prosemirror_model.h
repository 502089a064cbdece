// A small ProseMirror document model: the tree the exporters render and the importers build,
// with the schema of Tandem's editor (TipTap 3 StarterKit: the node and mark names, their
// attributes with defaults in schema order, and the mark order ProseMirror sorts by). The layout
// of this tree in Yjs is y-prosemirror's (prosemirror_yjs.h; docs/api.md, "Export formats").
// Plain values, no shared state: safe to use from any thread.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crdt/any.h"

namespace tandem::convert {

//! Deepest block nesting the converters build or read (doc > blockquote > list > item > ...).
//! Hostile input (HTML, Markdown or a Yjs document) nested deeper is flattened or cut there, so
//! that no recursion over a tree goes deeper than this. 100 is far beyond what an editor user
//! builds (TipTap lists indent a level per Tab) and far below any stack limit.
inline constexpr int kMaxDepth = 100;

//! A mark on a text node: its type name and attributes (a JS object; empty for bold etc.).
struct PmMark {
  std::string type;
  crdt::AnyObject attrs;
  friend bool operator==(const PmMark& a, const PmMark& b);
};

//! A node: `type` is a ProseMirror node type name ("paragraph", ..., "text"). Text nodes carry
//! `text` (UTF-8, never empty in a normalized tree) and `marks`; other nodes `attrs` (a JS
//! object, schema order for known types) and `content`.
struct PmNode {
  std::string type;
  crdt::AnyObject attrs;
  std::vector<PmNode> content;
  std::string text;
  std::vector<PmMark> marks;

  bool is_text() const { return type == "text"; }
  //! An attribute's value, or nullptr.
  const crdt::Any* attr(std::string_view key) const;
  static PmNode Text(std::string text, std::vector<PmMark> marks = {});
  static PmNode Block(std::string type, crdt::AnyObject attrs = {}, std::vector<PmNode> content = {});
};

// --- The editor's schema (TipTap 3 StarterKit, @tiptap/core getSchema) ---------------------

//! What content a node type holds.
enum class ContentKind {
  Blocks,     // doc, blockquote: block+
  ListItems,  // bulletList, orderedList: listItem+
  ListItem,   // listItem: paragraph block*
  Inline,     // paragraph, heading: inline* (text and hardBreak)
  CodeText,   // codeBlock: text* without marks
  Leaf,       // hardBreak, horizontalRule
};

//! One attribute of a node or mark type and its default (null when it has none).
struct AttrSpec {
  const char* name;
  crdt::Any default_value;
};

struct NodeSpec {
  const char* name;
  ContentKind content;
  bool inline_node;  // hardBreak
  std::vector<AttrSpec> attrs;
};

struct MarkSpec {
  const char* name;
  std::vector<AttrSpec> attrs;
  bool excludes_all;  // code: excludes every other mark ("_")
};

//! The node type `name` of the schema, or nullptr for a type the editor does not know.
const NodeSpec* find_node_spec(std::string_view name);
//! The mark type `name`, or nullptr. `rank` (optional) receives its place in schema order.
const MarkSpec* find_mark_spec(std::string_view name, size_t* rank = nullptr);

//! ProseMirror's computeAttrs: the schema's attributes in schema order, given values where
//! present (other keys dropped), defaults elsewhere.
crdt::AnyObject complete_attrs(const std::vector<AttrSpec>& spec, const crdt::AnyObject& given);

//! Marks sorted as ProseMirror sorts a mark set (schema rank); unknown marks last, in order.
void sort_marks(std::vector<PmMark>& marks);

//! ProseMirror's Fragment.fromArray for inline content: joins adjacent text nodes with the
//! same marks. Empty text nodes are dropped.
void join_text_nodes(std::vector<PmNode>& inline_content);

//! Makes a tree built by an importer valid for the schema, as ProseMirror's content fitting
//! would: inline runs in block containers wrapped in paragraphs, non-items in lists wrapped in
//! list items, a list item starting with a paragraph, empty containers given an empty
//! paragraph, blocks inside text blocks flattened, code block text unmarked, mark sets valid
//! (code excludes the others), attributes completed with defaults. REQUIRES: root.type ==
//! "doc"; depth already bounded by kMaxDepth.
void normalize_document(PmNode& root);

//! The JSON of `node` as ProseMirror's Node.toJSON gives it (type, attrs, content, marks, text).
crdt::Any to_prosemirror_json(const PmNode& node);

//! Whether a link target is safe to emit or import: http(s), mailto, or a relative reference
//! (no scheme). Browsers' URL parsing is mirrored: ASCII tab/newline are ignored and leading
//! control characters and spaces trimmed before the scheme is read.
bool is_safe_href(std::string_view href);

//! The value of `v` as a string when it is a string, or a number printed as JS prints it.
std::optional<std::string> any_to_string(const crdt::Any& v);
//! The value of `v` as an integer when it is a number or a decimal string.
std::optional<long long> any_to_integer(const crdt::Any& v);

}  // namespace tandem::convert
