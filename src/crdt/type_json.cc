// Type::to_json and Type::to_string: what yjs's toJSON() / toString() return.
//
//   Text                          -> string (YText.toString: the text, no embeds or formats)
//   Map, XmlHook                  -> object of the live entries in map order (YMap.toJSON),
//                                    nested types through their to_json
//   Array                         -> array (YArray.toJSON)
//   XmlFragment/XmlElement/XmlText -> their XML string (yjs's toJSON returns toString())
//   Unknown (a root nobody has asked for by kind yet; yjs's AbstractType.toJSON returns
//   undefined) -> inferred from its content: if any item of its list holds a string or a
//   format it is read as a text, else if it has map entries as a map, else as an array.
#include <vector>

#include "crdt/list_ops.h"
#include "crdt/text.h"
#include "crdt/type.h"
#include "crdt/xml.h"

namespace tandem::crdt {

namespace {

Any map_to_json(const Type* type) {
  AnyObject out;
  for (const auto& [key, item] : type->map_entries()) {
    if (item->deleted()) continue;
    std::vector<Any> values;
    append_item_json(item, values);
    // getContent()[length - 1]; a content without values reads as undefined.
    out.emplace_back(*key, values.empty() ? Any::Undefined() : std::move(values.back()));
  }
  return Any::Object(std::move(out));
}

TypeKind inferred_kind(const Type* type) {
  for (const Item* n = type->start(); n != nullptr; n = n->right) {
    ContentRef r = n->content.ref();
    if (r == ContentRef::String || r == ContentRef::Format) return TypeKind::Text;
  }
  if (!type->map_entries().empty()) return TypeKind::Map;
  return TypeKind::Array;
}

}  // namespace

int Type::nesting(int limit) const {
  int depth = 0;
  for (const Type* t = this; depth < limit && t->item() != nullptr && t->item()->parent != nullptr;
       t = t->item()->parent) {
    ++depth;
  }
  return depth;
}

Any Type::to_json() const {
  if (nesting(kMaxReadNesting + 1) > kMaxReadNesting) return Any::Undefined();
  TypeKind k = kind_ == TypeKind::Unknown ? inferred_kind(this) : kind_;
  switch (k) {
    case TypeKind::Text: return Any::String(text_to_string(this));
    case TypeKind::Map:
    case TypeKind::XmlHook: return map_to_json(this);
    case TypeKind::Array: return Any::Array(list_to_json(this));
    case TypeKind::XmlFragment:
    case TypeKind::XmlElement:
    case TypeKind::XmlText: return Any::String(xml_to_string(this));
    default: return Any::Undefined();
  }
}

// The text content for Text, XmlText and Unknown roots (YText.prototype.toString); for the
// other kinds JS's String(type) (xml_to_string: the XML string, "[object Object]" for maps,
// arrays and hooks).
std::string Type::to_string() const {
  switch (kind_) {
    case TypeKind::Text:
    case TypeKind::XmlText:
    case TypeKind::Unknown: return text_to_string(this);
    default: return xml_to_string(this);
  }
}

}  // namespace tandem::crdt
