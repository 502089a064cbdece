#include "app/inspect.h"

#include "crdt/delete_set.h"
#include "crdt/js_json.h"
#include "crdt/struct_ref.h"
#include "crdt/type.h"
#include "crdt/update_ops.h"

namespace tandem::app {

using crdt::Any;
using crdt::AnyArray;
using crdt::AnyObject;

namespace {

Any num(uint64_t v) { return Any::Number(static_cast<double>(v)); }

Any id_json(crdt::ID id) {
  return Any::Object({{"client", num(id.client)}, {"clock", num(id.clock)}});
}

const char* type_kind_name(crdt::TypeKind k) {
  switch (k) {
    case crdt::TypeKind::Array: return "YArray";
    case crdt::TypeKind::Map: return "YMap";
    case crdt::TypeKind::Text: return "YText";
    case crdt::TypeKind::XmlElement: return "YXmlElement";
    case crdt::TypeKind::XmlFragment: return "YXmlFragment";
    case crdt::TypeKind::XmlHook: return "YXmlHook";
    case crdt::TypeKind::XmlText: return "YXmlText";
    default: return "AbstractType";
  }
}

Any content_json(const crdt::Content& c) {
  using crdt::ContentRef;
  AnyObject o;
  switch (c.ref()) {
    case ContentRef::Deleted:
      o = {{"kind", Any::String("deleted")}, {"length", num(c.length())}};
      break;
    case ContentRef::JSON:
      o = {{"kind", Any::String("json")}, {"values", Any::Array(c.get<crdt::ContentJSON>()->values)}};
      break;
    case ContentRef::Binary: {
      AnyArray bytes;
      for (uint8_t b : c.get<crdt::ContentBinary>()->bytes) bytes.push_back(num(b));
      o = {{"kind", Any::String("binary")}, {"bytes", Any::Array(std::move(bytes))}};
      break;
    }
    case ContentRef::String:
      o = {{"kind", Any::String("string")}, {"text", Any::String(c.get<crdt::ContentString>()->utf8)}};
      break;
    case ContentRef::Embed:
      o = {{"kind", Any::String("embed")}, {"value", *c.get<crdt::ContentEmbed>()->value}};
      break;
    case ContentRef::Format: {
      const auto& f = *c.get<crdt::ContentFormat>()->data;
      o = {{"kind", Any::String("format")}, {"key", Any::String(f.key)}, {"value", f.value}};
      break;
    }
    case ContentRef::Type: {
      const auto& t = *c.get<crdt::ContentType>()->type;
      o = {{"kind", Any::String("type")}, {"type", Any::String(type_kind_name(t.kind()))}};
      if (!t.name().empty()) o.emplace_back("name", Any::String(t.name()));
      break;
    }
    case ContentRef::Any:
      o = {{"kind", Any::String("any")}, {"values", Any::Array(c.get<crdt::ContentAny>()->values)}};
      break;
    case ContentRef::Doc: {
      const auto& d = *c.get<crdt::ContentDoc>()->data;
      o = {{"kind", Any::String("doc")}, {"guid", Any::String(d.guid)}, {"opts", d.opts}};
      break;
    }
    default: break;
  }
  return Any::Object(std::move(o));
}

Any struct_json(const crdt::StructRef& s) {
  AnyObject o;
  o.emplace_back("id", id_json(s.id));
  o.emplace_back("length", num(s.length));
  switch (s.kind) {
    case crdt::StructRef::Kind::GC: o.emplace_back("kind", Any::String("gc")); break;
    case crdt::StructRef::Kind::Skip: o.emplace_back("kind", Any::String("skip")); break;
    case crdt::StructRef::Kind::Item: {
      o.emplace_back("kind", Any::String("item"));
      if (s.origin) o.emplace_back("origin", id_json(*s.origin));
      if (s.right_origin) o.emplace_back("rightOrigin", id_json(*s.right_origin));
      if (const auto* name = std::get_if<std::string>(&s.parent)) {
        o.emplace_back("parent", Any::Object({{"root", Any::String(*name)}}));
      } else if (const auto* pid = std::get_if<crdt::ID>(&s.parent)) {
        o.emplace_back("parent", Any::Object({{"item", id_json(*pid)}}));
      }
      if (s.parent_sub) o.emplace_back("parentSub", Any::String(*s.parent_sub));
      o.emplace_back("content", content_json(s.content));
      break;
    }
  }
  return Any::Object(std::move(o));
}

}  // namespace

Result<std::string> inspect_update(std::span<const uint8_t> update, crdt::UpdateVersion v) {
  try {
    auto dec = crdt::make_update_decoder(v, update);
    auto clients = crdt::read_struct_section(*dec);
    auto ds = crdt::DeleteSet::read(*dec);
    auto sv = crdt::state_vector_from_update(update, v);
    AnyObject svj;
    if (sv) {
      crdt::Decoder d(sv.value());
      for (const auto& [client, clock] : crdt::read_state_vector(d)) {
        svj.emplace_back(std::to_string(client), num(clock));
      }
    }
    AnyObject dsj;
    for (const auto& [client, ranges] : ds.clients()) {
      AnyArray rs;
      for (const auto& r : ranges) rs.push_back(Any::Array({num(r.clock), num(r.len)}));
      dsj.emplace_back(std::to_string(client), Any::Array(std::move(rs)));
    }
    AnyArray structs;
    for (const auto& cs : clients) {
      for (const auto& s : cs.structs) structs.push_back(struct_json(s));
    }
    Any out = Any::Object({{"stateVector", Any::Object(std::move(svj))},
                           {"deleteSet", Any::Object(std::move(dsj))},
                           {"structs", Any::Array(std::move(structs))}});
    return crdt::js_stringify(out);
  } catch (const crdt::DecodeError& e) {
    return Status::Error(std::string("malformed update: ") + e.what());
  }
}

}  // namespace tandem::app
