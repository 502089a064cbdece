#include "server/document_view.h"

#include <random>

#include "convert/export.h"
#include "convert/import.h"
#include "crdt/js_json.h"
#include "crdt/list_ops.h"
#include "crdt/text.h"
#include "crdt/xml.h"

namespace tandem::server {

using namespace tandem::crdt;

namespace {

// A root's kind: as given, or inferred from its content when no one has named it yet (XML
// children make it a fragment; then as Type::to_json infers).
TypeKind kind_of(const Type* t) {
  if (t->kind() != TypeKind::Unknown) return t->kind();
  for (const Item* n = t->start(); n; n = n->right) {
    if (n->deleted()) continue;
    if (const auto* ct = n->content.get<ContentType>()) {
      TypeKind k = ct->type->kind();
      if (k == TypeKind::XmlElement || k == TypeKind::XmlText || k == TypeKind::XmlHook) return TypeKind::XmlFragment;
    }
    ContentRef r = n->content.ref();
    if (r == ContentRef::String || r == ContentRef::Format) return TypeKind::Text;
  }
  return t->map_entries().empty() ? TypeKind::Array : TypeKind::Map;
}

void copy_content(Transaction& t, const Type* from, Type* to);

// A new nested type of `from`'s kind that fills itself with `from`'s content when integrated.
std::unique_ptr<Type> nested_copy(const Type* from) {
  auto copy = from->copy_empty();
  copy->set_prelim([from](Transaction& t, Type* self) { copy_content(t, from, self); });
  return copy;
}

// The value an item holds as a list element or map value.
std::vector<ListValue> values_of(const Item* item) {
  std::vector<ListValue> out;
  if (const auto* ct = item->content.get<ContentType>()) {
    out.push_back(ListValue::Nested(nested_copy(ct->type.get())));
  } else if (const auto* bin = item->content.get<ContentBinary>()) {
    out.push_back(ListValue::Binary(bin->bytes));
  } else {
    std::vector<Any> json;
    append_item_json(item, json);
    for (auto& v : json) out.push_back(ListValue::Json(std::move(v)));
  }
  return out;
}

void copy_text(Transaction& t, const Type* from, Type* to) {
  std::vector<ApplyDeltaOp> ops;
  for (auto& op : text_to_delta(from)) {
    if (op.insert.is_undefined()) continue;
    ApplyDeltaOp o;
    o.insert = op.insert;
    o.attributes = op.attributes;
    ops.push_back(std::move(o));
  }
  (void)text_apply_delta(t, to, ops);
}

void copy_content(Transaction& t, const Type* from, Type* to) {
  switch (kind_of(from)) {
    case TypeKind::Text:
    case TypeKind::XmlText:
      return copy_text(t, from, to);
    case TypeKind::XmlElement:
      for (const auto& [key, item] : from->map_entries()) {
        if (auto v = xml_get_attribute(from, *key)) xml_set_attribute(t, to, *key, *v);
      }
      [[fallthrough]];
    case TypeKind::XmlFragment: {
      uint64_t index = 0;
      for (const Type* child : xml_children(from)) {
        if (child->kind() == TypeKind::XmlElement) {
          auto el = xml_insert_element(t, to, index++, child->name());
          if (el) copy_content(t, child, el.value());
        } else if (child->kind() == TypeKind::XmlText) {
          auto tx = xml_insert_text(t, to, index++);
          if (tx) copy_content(t, child, tx.value());
        }
      }
      return;
    }
    case TypeKind::Map:
    case TypeKind::XmlHook:
      for (const auto& [key, item] : from->map_entries()) {
        if (item->deleted()) continue;
        auto values = values_of(item);
        if (!values.empty()) map_set(t, to, *key, std::move(values.back()));
      }
      return;
    case TypeKind::Array:
    case TypeKind::Unknown: {
      std::vector<ListValue> all;
      for (const Item* n = from->start(); n; n = n->right) {
        if (n->deleted() || !n->countable()) continue;
        for (auto& v : values_of(n)) all.push_back(std::move(v));
      }
      if (!all.empty()) list_push(t, to, std::move(all));
      return;
    }
  }
}

void clear(Transaction& t, Type* type, TypeKind kind) {
  switch (kind) {
    case TypeKind::Text:
    case TypeKind::XmlText:
      (void)text_delete(t, type, 0, type->length());
      return;
    case TypeKind::Map:
    case TypeKind::XmlHook: {
      std::vector<std::string> keys;
      for (const auto& [key, item] : type->map_entries()) {
        if (!item->deleted()) keys.push_back(*key);
      }
      for (const auto& k : keys) map_delete(t, type, k);
      return;
    }
    default:
      (void)list_delete(t, type, 0, type->length());
      return;
  }
}

// Content of a root as a string that is equal exactly when the contents are (formatting
// included).
std::string fingerprint(const Type* t, TypeKind kind) {
  if (kind == TypeKind::Text) {
    AnyArray ops;
    for (auto& op : text_to_delta(t)) {
      AnyObject o{{"insert", op.insert}};
      if (!op.attributes.empty()) o.emplace_back("attributes", Any::Object(op.attributes));
      ops.push_back(Any::Object(std::move(o)));
    }
    return js_stringify(Any::Array(std::move(ops)));
  }
  if (kind == TypeKind::XmlFragment || kind == TypeKind::XmlElement) return xml_to_string(t);
  return js_stringify(t->to_json());
}

// A fresh client id for an edit the server makes (53 bits, as newer Yjs clients use).
ClientId random_client_id() {
  std::random_device rd;
  return ((static_cast<uint64_t>(rd()) << 32) | rd()) & ((1ull << 53) - 1);
}

}  // namespace

bool is_export_format(std::string_view f) { return convert::parse_export_format(f).has_value(); }

Result<std::vector<uint8_t>> restore_update(const Doc& live, std::span<const uint8_t> version_state) {
  Doc version;
  if (Status s = version.apply_update(version_state); !s) return Status::Error("version state: " + s.message());
  Doc copy(DocOptions{.client_id = random_client_id()});
  if (Status s = copy.apply_update(live.encode_state_as_update()); !s) return s;
  // Pair every root of either document with its kind.
  std::vector<std::pair<std::string, TypeKind>> roots;
  for (const auto& [name, type] : version.roots()) roots.emplace_back(name, kind_of(type.get()));
  for (const auto& [name, type] : copy.roots()) {
    if (std::none_of(roots.begin(), roots.end(), [&](const auto& r) { return r.first == name; })) {
      roots.emplace_back(name, kind_of(type.get()));
    }
  }
  bool equal = true;
  for (const auto& [name, kind] : roots) {
    Type* v = version.get(name, kind);
    Type* l = copy.get(name, kind);
    if (!v || !l) return Status::Error("root \"" + name + "\" has different kinds in the version and the document");
    equal = equal && fingerprint(v, kind) == fingerprint(l, kind);
  }
  if (equal) return std::vector<uint8_t>();
  return copy.transact([&](Transaction& t) {
    for (const auto& [name, kind] : roots) {
      Type* l = copy.get(name, kind);
      clear(t, l, kind);
      copy_content(t, version.get(name, kind), l);
    }
  });
}

Result<Rendered> render_document(std::span<const uint8_t> state, std::string_view format) {
  auto f = convert::parse_export_format(format);
  if (!f) return Status::Error("unknown export format " + std::string(format));
  Doc doc;
  if (Status st = doc.apply_update(state); !st) return Status::Error("document state: " + st.message());
  auto body = convert::export_document(doc, *f);
  if (!body) return body.status();
  return Rendered{std::move(body.value()), std::string(convert::export_content_type(*f))};
}

Result<std::vector<uint8_t>> import_document(std::string_view format, std::string_view source) {
  Doc doc(DocOptions{.client_id = random_client_id()});
  Status st = format == "markdown" ? convert::import_markdown(doc, source) : convert::import_html(doc, source);
  if (!st) return st;
  return doc.encode_state_as_update();
}

}  // namespace tandem::server
