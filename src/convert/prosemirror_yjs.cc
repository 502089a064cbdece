// Reading and writing the y-prosemirror layout (prosemirror_yjs.h). Each function names the
// y-prosemirror function (src/plugins/sync-plugin.js, src/lib.js) whose behaviour it follows.
#include "convert/prosemirror_yjs.h"

#include <cctype>
#include <vector>

#include "crdt/list_ops.h"
#include "crdt/text.h"
#include "crdt/xml.h"

namespace tandem::convert {

using crdt::Any;
using crdt::AnyObject;
using crdt::Type;
using crdt::TypeKind;

namespace {

// yattr2markname: strips the `--` + 8 base64 characters y-prosemirror appends to the key of a
// mark type that may overlap itself (hashedMarkNameRegex = /(.*)(--[a-zA-Z0-9+/=]{8})$/).
std::string mark_name_of_key(const std::string& key) {
  constexpr size_t kHashLen = 8;
  if (key.size() < kHashLen + 2) return key;
  size_t dash = key.size() - kHashLen - 2;
  if (key[dash] != '-' || key[dash + 1] != '-') return key;
  for (size_t i = dash + 2; i < key.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(key[i]);
    if (!std::isalnum(c) && c != '+' && c != '/' && c != '=') return key;
  }
  return key.substr(0, dash);
}

// attributesToMarks: formatting attributes -> marks (unknown marks dropped).
std::vector<PmMark> marks_of_attributes(const AnyObject& attributes) {
  std::vector<PmMark> marks;
  for (const auto& [key, value] : attributes) {
    PmMark m;
    m.type = mark_name_of_key(key);
    const MarkSpec* spec = find_mark_spec(m.type);
    if (spec == nullptr || value.is_null()) continue;
    // schema.mark(name, attrs): computeAttrs reads attrs[name], so a non-object value (Quill's
    // `bold: true`) gives the defaults.
    AnyObject given = value.kind == Any::Kind::Object ? value.object() : AnyObject{};
    m.attrs = complete_attrs(spec->attrs, given);
    marks.push_back(std::move(m));
  }
  sort_marks(marks);
  return marks;
}

// createTextNodesFromYText: one text node per string insert of the delta.
void read_text(const Type* text, std::vector<PmNode>& out) {
  for (crdt::DeltaOp& op : crdt::text_to_delta(text)) {
    if (op.insert.kind != Any::Kind::String || op.insert.str.empty()) continue;  // embeds
    out.push_back(PmNode::Text(std::move(op.insert.str), marks_of_attributes(op.attributes)));
  }
}

// YXmlElement.getAttributes(): the live attributes in map order.
AnyObject element_attributes(const Type* element) {
  AnyObject attrs;
  for (const auto& [key, item] : element->map_entries()) {
    if (item->deleted()) continue;
    std::vector<Any> values;
    crdt::append_item_json(item, values);
    attrs.emplace_back(*key, values.empty() ? Any::Undefined() : values.back());
  }
  return attrs;
}

void read_children(const Type* parent, int depth, std::vector<PmNode>& out);

// createNodeFromYElement.
PmNode read_element(const Type* element, int depth) {
  PmNode node;
  node.type = element->name();
  AnyObject attrs = element_attributes(element);
  const NodeSpec* spec = find_node_spec(node.type);
  node.attrs = spec != nullptr ? complete_attrs(spec->attrs, attrs) : std::move(attrs);
  if (depth < kMaxDepth) read_children(element, depth + 1, node.content);
  return node;
}

void read_children(const Type* parent, int depth, std::vector<PmNode>& out) {
  for (const Type* child : crdt::xml_children(parent)) {
    if (child->kind() == TypeKind::XmlElement) {
      out.push_back(read_element(child, depth));
    } else if (child->kind() == TypeKind::XmlText || child->kind() == TypeKind::Text) {
      read_text(child, out);
    }
    // XmlHooks and other types: y-prosemirror does not handle them either.
  }
  join_text_nodes(out);  // Fragment.fromArray
}

// marksToAttributes.
AnyObject attributes_of_marks(const std::vector<PmMark>& marks) {
  AnyObject attributes;
  for (const PmMark& m : marks) attributes.emplace_back(m.type, Any::Object(m.attrs));
  return attributes;
}

Status write_children(crdt::Transaction& t, Type* parent, const std::vector<PmNode>& content);

// createTypeFromTextNodes: a new XmlText filled with one applyDelta of the run's inserts.
Status write_text_run(crdt::Transaction& t, Type* parent, const PmNode* first, size_t count) {
  auto text = crdt::xml_insert_text(t, parent, parent->length());
  if (!text) return text.status();
  std::vector<crdt::ApplyDeltaOp> delta;
  for (size_t i = 0; i < count; ++i) {
    crdt::ApplyDeltaOp op;
    op.insert = Any::String(first[i].text);
    op.attributes = attributes_of_marks(first[i].marks);
    delta.push_back(std::move(op));
  }
  return crdt::text_apply_delta(t, *text, delta);
}

// createTypeFromElementNode: the element, then (when yjs integrates it) its children, then its
// non-null attributes in node.attrs order.
Status write_element(crdt::Transaction& t, Type* parent, const PmNode& node) {
  auto element = crdt::xml_insert_element(t, parent, parent->length(), node.type);
  if (!element) return element.status();
  if (Status st = write_children(t, *element, node.content); !st) return st;
  for (const auto& [key, value] : node.attrs) {
    if (value.is_null() || value.is_undefined() || key == "ychange") continue;
    crdt::xml_set_attribute(t, *element, key, value);
  }
  return Status::Ok();
}

// normalizePNodeContent: runs of text nodes become one XmlText.
Status write_children(crdt::Transaction& t, Type* parent, const std::vector<PmNode>& content) {
  for (size_t i = 0; i < content.size();) {
    if (content[i].is_text()) {
      size_t j = i;
      while (j < content.size() && content[j].is_text()) ++j;
      if (Status st = write_text_run(t, parent, &content[i], j - i); !st) return st;
      i = j;
    } else {
      if (Status st = write_element(t, parent, content[i]); !st) return st;
      ++i;
    }
  }
  return Status::Ok();
}

}  // namespace

bool holds_xml_content(const Type* root) {
  if (root == nullptr) return false;
  if (root->kind() == TypeKind::XmlFragment) return true;
  if (root->kind() != TypeKind::Unknown) return false;
  for (const Type* child : crdt::xml_children(root)) {
    if (child->kind() == TypeKind::XmlElement || child->kind() == TypeKind::XmlText) return true;
  }
  return false;
}

PmNode read_prosemirror(const Type* fragment) {
  PmNode doc = PmNode::Block("doc");
  read_children(fragment, 1, doc.content);
  return doc;
}

Status write_prosemirror(crdt::Transaction& t, Type* fragment, const PmNode& doc) {
  if (fragment == nullptr) return Status::Error("write_prosemirror: no fragment");
  return write_children(t, fragment, doc.content);
}

}  // namespace tandem::convert
