#include "crdt/type.h"

#include "crdt/doc.h"

namespace tandem::crdt {

Item* Type::map_item(const std::string& key) const {
  auto it = map_index_.find(key);
  return it == map_index_.end() ? nullptr : map_[it->second].second;
}

void Type::set_map_item(const std::string* key, Item* item) {
  auto [it, inserted] = map_index_.try_emplace(std::string_view(*key), map_.size());
  if (inserted) {
    map_.emplace_back(key, item);
  } else {
    map_[it->second].second = item;
  }
}

void Type::write_type_ref(UpdateEncoder& enc) const {
  TypeKind k = kind_ == TypeKind::Unknown ? TypeKind::Map : kind_;
  enc.write_type_ref(static_cast<uint8_t>(k));
  if (k == TypeKind::XmlElement || k == TypeKind::XmlHook) enc.write_key(name_);
}

std::unique_ptr<Type> read_type_ref(UpdateDecoder& dec) {
  uint8_t ref = dec.read_type_ref();
  switch (static_cast<TypeKind>(ref)) {
    case TypeKind::Array:
    case TypeKind::Map:
    case TypeKind::Text:
    case TypeKind::XmlFragment:
    case TypeKind::XmlText:
      return std::make_unique<Type>(static_cast<TypeKind>(ref));
    case TypeKind::XmlElement:
    case TypeKind::XmlHook: {
      std::string name = dec.read_key();
      return std::make_unique<Type>(static_cast<TypeKind>(ref), std::move(name));
    }
    default:
      dec.rest().fail("unknown type ref " + std::to_string(ref));
  }
}

}  // namespace tandem::crdt
