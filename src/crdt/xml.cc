// XML types (yjs src/types/YXmlFragment.js, YXmlElement.js, YXmlText.js, YXmlHook.js): children
// through the list operations, attributes through the map operations, and toString(), which
// is also what their toJSON() returns.
//
// xml_to_string(type) is JavaScript's String(type) for every kind of type, since yjs builds the
// XML string by string concatenation of children, attribute values and embeds:
//   XmlFragment -> the children's strings concatenated
//   XmlElement  -> <name k="v" ...>children</name>, name lower-cased, attributes sorted by key
//   XmlText     -> its delta, each op wrapped in one tag per attribute (see xml_text_to_string)
//   Text        -> YText.toString() (the plain text)
//   XmlHook, Map, Array, a root of unknown kind -> "[object Object]" (no toString in yjs)
// Other values are converted as String(v) converts them: numbers in JS form, arrays joined with
// "," (null and undefined as ""), objects as "[object Object]", Uint8Arrays as their bytes
// joined with ",".
#include "crdt/xml.h"

#include <algorithm>

#include "crdt/item_ops.h"
#include "crdt/js_json.h"
#include "crdt/list_ops.h"
#include "crdt/text.h"

namespace tandem::crdt {

namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD
constexpr std::string_view kObjectString = "[object Object]";

// --- UTF-16 helpers ----------------------------------------------------------------------

uint32_t decode_utf8(std::string_view s, size_t& i) {
  auto b = static_cast<unsigned char>(s[i]);
  if (b < 0x80) {
    ++i;
    return b;
  }
  size_t n = b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
  uint32_t cp = b & (n == 2 ? 0x1F : n == 3 ? 0x0F : 0x07);
  for (size_t k = 1; k < n && i + k < s.size(); ++k) {
    cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  }
  i += n;
  return cp;
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

std::vector<uint16_t> to_utf16(std::string_view s) {
  std::vector<uint16_t> out;
  for (size_t i = 0; i < s.size();) {
    uint32_t cp = decode_utf8(s, i);
    if (cp >= 0x10000) {
      cp -= 0x10000;
      out.push_back(static_cast<uint16_t>(0xD800 + (cp >> 10)));
      out.push_back(static_cast<uint16_t>(0xDC00 + (cp & 0x3FF)));
    } else {
      out.push_back(static_cast<uint16_t>(cp));
    }
  }
  return out;
}

// JS `a < b` on strings: UTF-16 code unit order (differs from UTF-8 byte order only between
// U+E000..U+FFFF and astral characters).
bool js_less(std::string_view a, std::string_view b) {
  std::vector<uint16_t> ua = to_utf16(a), ub = to_utf16(b);
  return std::lexicographical_compare(ua.begin(), ua.end(), ub.begin(), ub.end());
}

// The UTF-16 units of `s` as one-unit strings (a lone surrogate becomes U+FFFD, as encoding
// the JS string to UTF-8 would make it).
std::vector<std::string> utf16_units_as_strings(std::string_view s) {
  std::vector<std::string> out;
  for (uint16_t u : to_utf16(s)) {
    std::string one;
    if (u >= 0xD800 && u <= 0xDFFF) {
      one = kReplacement;
    } else {
      append_utf8(one, u);
    }
    out.push_back(std::move(one));
  }
  return out;
}

// String.prototype.toLocaleLowerCase for the scripts with simple case mappings (ASCII,
// Latin-1, Latin Extended-A, Greek, Cyrillic); other characters are kept.
std::string to_lower(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    uint32_t cp = decode_utf8(s, i);
    if (cp >= 'A' && cp <= 'Z') {
      cp += 32;
    } else if ((cp >= 0xC0 && cp <= 0xDE && cp != 0xD7) || (cp >= 0x391 && cp <= 0x3AB && cp != 0x3A2) ||
               (cp >= 0x410 && cp <= 0x42F)) {
      cp += 32;
    } else if (cp >= 0x400 && cp <= 0x40F) {
      cp += 80;
    } else if (cp >= 0x100 && cp <= 0x17F && cp != 0x130 && cp != 0x138 && cp != 0x149 &&
               cp != 0x178 && cp != 0x17F) {
      // Latin Extended-A: pairs (upper even, lower odd), shifted by one in 0x139..0x148 and
      // 0x179..0x17E.
      bool shifted = (cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17E);
      if ((cp % 2 == 0) != shifted) cp += 1;
    } else if (cp == 0x178) {
      cp = 0xFF;
    }
    append_utf8(out, cp);
  }
  return out;
}

// --- JS String(value) --------------------------------------------------------------------

std::string js_to_string(const Any& v);

// Array.prototype.join(",").
std::string js_join(const AnyArray& a) {
  std::string out;
  for (size_t i = 0; i < a.size(); ++i) {
    if (i > 0) out += ',';
    if (!a[i].is_null() && !a[i].is_undefined()) out += js_to_string(a[i]);
  }
  return out;
}

std::string js_to_string(const Any& v) {
  switch (v.kind) {
    case Any::Kind::Undefined: return "undefined";
    case Any::Kind::Null: return "null";
    case Any::Kind::Bool: return v.boolean ? "true" : "false";
    case Any::Kind::Number: return js_number_to_string(v.number);
    case Any::Kind::BigInt: return std::to_string(v.bigint);
    case Any::Kind::String: return v.str;
    case Any::Kind::Object: return std::string(kObjectString);
    case Any::Kind::Array: return v.arr ? js_join(*v.arr) : std::string();
    case Any::Kind::Buffer: {
      std::string out;
      if (v.buf) {
        for (size_t i = 0; i < v.buf->size(); ++i) {
          if (i > 0) out += ',';
          out += std::to_string((*v.buf)[i]);
        }
      }
      return out;
    }
  }
  return {};
}

// String(x) of the last value of an item's content (yjs `getContent()[length - 1]`).
std::string js_string_of_last_value(const Item* item) {
  if (const auto* ct = item->content.get<ContentType>()) return xml_to_string(ct->type.get());
  std::vector<Any> values;
  append_item_json(item, values);
  return values.empty() ? std::string("undefined") : js_to_string(values.back());
}

// `for (key in v)` over a format attribute's value, with the members' values.
std::vector<std::pair<std::string, std::string>> for_in_entries(const Any& v) {
  std::vector<std::pair<std::string, std::string>> out;
  switch (v.kind) {
    case Any::Kind::String: {
      std::vector<std::string> units = utf16_units_as_strings(v.str);
      for (size_t i = 0; i < units.size(); ++i) out.emplace_back(std::to_string(i), units[i]);
      break;
    }
    case Any::Kind::Object:
      if (v.obj) {
        for (const auto& [k, x] : *v.obj) out.emplace_back(k, js_to_string(x));
      }
      break;
    case Any::Kind::Array:
      if (v.arr) {
        for (size_t i = 0; i < v.arr->size(); ++i) {
          out.emplace_back(std::to_string(i), js_to_string((*v.arr)[i]));
        }
      }
      break;
    case Any::Kind::Buffer:
      if (v.buf) {
        for (size_t i = 0; i < v.buf->size(); ++i) {
          out.emplace_back(std::to_string(i), std::to_string((*v.buf)[i]));
        }
      }
      break;
    default: break;  // numbers, booleans, null: no enumerable keys
  }
  return out;
}

// --- YXmlText.toString -------------------------------------------------------------------

struct XmlDeltaOp {
  std::string insert;  // String(delta.insert)
  Attributes attributes;
};

// YText.toDelta() (without snapshots) with each insert already converted by String().
std::vector<XmlDeltaOp> xml_text_delta(const Type* text) {
  std::vector<XmlDeltaOp> ops;
  std::vector<std::pair<std::string, Any>> current;  // a JS Map
  auto current_find = [&](std::string_view key) {
    return std::find_if(current.begin(), current.end(), [&](const auto& kv) { return kv.first == key; });
  };
  auto attrs_object = [&] { return current.empty() ? Attributes{} : Any::Object(current).object(); };
  std::string str;
  bool has_str = false;
  auto pack_str = [&] {
    if (!has_str) return;
    ops.push_back(XmlDeltaOp{std::move(str), attrs_object()});
    str.clear();
    has_str = false;
  };
  for (const Item* n = text->start(); n != nullptr; n = n->right) {
    if (n->deleted()) continue;
    switch (n->content.ref()) {
      case ContentRef::String: {
        auto y = current_find("ychange");
        if (y != current.end()) {
          pack_str();
          current.erase(current_find("ychange"));
        }
        const auto& cs = *n->content.get<ContentString>();
        if (cs.utf16_len > 0) {
          str += cs.utf8;
          has_str = true;
        }
        break;
      }
      case ContentRef::Type:
      case ContentRef::Embed:
        pack_str();
        ops.push_back(XmlDeltaOp{js_string_of_last_value(n), attrs_object()});
        break;
      case ContentRef::Format: {
        pack_str();
        const auto& f = *n->content.get<ContentFormat>()->data;
        auto it = current_find(f.key);
        if (f.value.is_null()) {
          if (it != current.end()) current.erase(it);
        } else if (it != current.end()) {
          it->second = f.value;
        } else {
          current.emplace_back(f.key, f.value);
        }
        break;
      }
      default: break;
    }
  }
  pack_str();
  return ops;
}

std::string xml_text_to_string(const Type* text) {
  std::string out;
  for (const XmlDeltaOp& op : xml_text_delta(text)) {
    struct Node {
      std::string name;
      std::vector<std::pair<std::string, std::string>> attrs;
    };
    std::vector<Node> nodes;
    for (const auto& [name, value] : op.attributes) {
      Node node{name, for_in_entries(value)};
      std::stable_sort(node.attrs.begin(), node.attrs.end(),
                       [](const auto& a, const auto& b) { return js_less(a.first, b.first); });
      nodes.push_back(std::move(node));
    }
    std::stable_sort(nodes.begin(), nodes.end(),
                     [](const Node& a, const Node& b) { return js_less(a.name, b.name); });
    for (const Node& node : nodes) {
      out += '<';
      out += node.name;
      for (const auto& [k, v] : node.attrs) {
        out += ' ';
        out += k;
        out += "=\"";
        out += v;
        out += '"';
      }
      out += '>';
    }
    out += op.insert;
    for (size_t i = nodes.size(); i-- > 0;) {
      out += "</";
      out += nodes[i].name;
      out += '>';
    }
  }
  return out;
}

// YXmlFragment.toString: String() of every child value, concatenated.
std::string children_to_string(const Type* parent) {
  std::string out;
  for (const Item* n = parent->start(); n != nullptr; n = n->right) {
    if (!n->countable() || n->deleted()) continue;
    if (const auto* ct = n->content.get<ContentType>()) {
      out += xml_to_string(ct->type.get());
    } else if (const auto* cs = n->content.get<ContentString>()) {
      out += cs->utf8;  // the units of a string join back to the string
    } else {
      std::vector<Any> values;
      append_item_json(n, values);
      for (const Any& v : values) out += js_to_string(v);
    }
  }
  return out;
}

std::string element_to_string(const Type* element) {
  std::vector<std::pair<std::string, std::string>> attrs;
  for (const auto& [key, item] : element->map_entries()) {
    if (!item->deleted()) attrs.emplace_back(*key, js_string_of_last_value(item));
  }
  std::stable_sort(attrs.begin(), attrs.end(),
                   [](const auto& a, const auto& b) { return js_less(a.first, b.first); });
  std::string name = to_lower(element->name());
  std::string out = "<" + name;
  for (const auto& [k, v] : attrs) {
    out += ' ';
    out += k;
    out += "=\"";
    out += v;
    out += '"';
  }
  out += '>';
  out += children_to_string(element);
  out += "</" + name + ">";
  return out;
}

bool is_xml_parent(const Type* t) {
  return t != nullptr && (t->kind() == TypeKind::XmlFragment || t->kind() == TypeKind::XmlElement);
}

Result<Type*> insert_child(Transaction& t, Type* parent, uint64_t index,
                           std::unique_ptr<Type> child) {
  if (!is_xml_parent(parent)) return Status::Error("not an XML fragment or element");
  std::vector<ListValue> values;
  values.push_back(ListValue::Nested(std::move(child)));
  auto created = list_insert(t, parent, index, std::move(values));
  if (!created) return created.status();
  return created->front();
}

}  // namespace

Result<Type*> xml_insert_element(Transaction& t, Type* parent, uint64_t index,
                                 const std::string& node_name) {
  return insert_child(t, parent, index, std::make_unique<Type>(TypeKind::XmlElement, node_name));
}

Result<Type*> xml_insert_text(Transaction& t, Type* parent, uint64_t index) {
  return insert_child(t, parent, index, std::make_unique<Type>(TypeKind::XmlText));
}

Status xml_delete(Transaction& t, Type* parent, uint64_t index, uint64_t length) {
  if (!is_xml_parent(parent)) return Status::Error("not an XML fragment or element");
  return list_delete(t, parent, index, length);
}

void xml_set_attribute(Transaction& t, Type* element, const std::string& key, Any value) {
  // yjs typeMapSet: a Uint8Array becomes ContentBinary, other values ContentAny.
  if (value.kind == Any::Kind::Buffer) {
    map_set(t, element, key, ListValue::Binary(value.buffer()));
  } else {
    map_set(t, element, key, ListValue::Json(std::move(value)));
  }
}

void xml_remove_attribute(Transaction& t, Type* element, const std::string& key) {
  map_delete(t, element, key);
}

std::optional<Any> xml_get_attribute(const Type* element, const std::string& key) {
  const Item* item = map_get(element, key);
  if (item == nullptr) return std::nullopt;
  std::vector<Any> values;
  append_item_json(item, values);
  return values.empty() ? Any::Undefined() : values.back();
}

std::vector<Type*> xml_children(const Type* parent) {
  std::vector<Type*> out;
  for (const Item* n = parent->start(); n != nullptr; n = n->right) {
    if (!n->countable() || n->deleted()) continue;
    if (const auto* ct = n->content.get<ContentType>()) out.push_back(ct->type.get());
  }
  return out;
}

std::string xml_to_string(const Type* type) {
  if (type->nesting(kMaxReadNesting + 1) > kMaxReadNesting) return {};  // see kMaxReadNesting
  switch (type->kind()) {
    case TypeKind::XmlFragment: return children_to_string(type);
    case TypeKind::XmlElement: return element_to_string(type);
    case TypeKind::XmlText: return xml_text_to_string(type);
    case TypeKind::Text: return text_to_string(type);
    default: return std::string(kObjectString);
  }
}

}  // namespace tandem::crdt
