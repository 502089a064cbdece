// List and map operations shared by the shared types (yjs src/types/AbstractType.js):
// search markers, insert/delete at an index, map set/delete, reading children.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "crdt/content.h"
#include "crdt/transaction.h"
#include "crdt/type.h"

namespace tandem::crdt {

//! yjs findMarker: a marker near `index` (creating or moving one), or nullptr.
SearchMarker* find_marker(Type* type, uint64_t index);
//! yjs updateMarkerChanges.
void update_marker_changes(std::vector<SearchMarker>& markers, uint64_t index, int64_t len);

//! Creates an item with the doc's next id between `left` and `right` (origins: left's last id,
//! right's id) and integrates it (yjs `new Item(...).integrate(transaction, 0)`).
Item* new_item(Transaction& t, Type* parent, Item* left, Item* right,
               const std::string* parent_sub, Content content);

//! One element to insert into a list: a JSON-like value, binary, or a new nested type.
struct ListValue {
  enum class Kind { Json, Binary, Type } kind = Kind::Json;
  Any json;
  std::unique_ptr<Type> type;
  static ListValue Json(Any v) { ListValue l; l.json = std::move(v); return l; }
  static ListValue Binary(Bytes b) { ListValue l; l.kind = Kind::Binary; l.json = Any::Buffer(std::move(b)); return l; }
  static ListValue Nested(std::unique_ptr<Type> t) { ListValue l; l.kind = Kind::Type; l.type = std::move(t); return l; }
};

//! Inserts after `reference` (nullptr: at the start), consecutive JSON values packed into one
//! ContentAny item (yjs typeListInsertGenericsAfter). Returns the nested types created.
std::vector<Type*> list_insert_after(Transaction& t, Type* parent, Item* reference,
                                     std::vector<ListValue> values);
//! yjs typeListInsertGenerics. Error if index > length.
Result<std::vector<Type*>> list_insert(Transaction& t, Type* parent, uint64_t index,
                                       std::vector<ListValue> values);
//! yjs typeListPushGenerics.
std::vector<Type*> list_push(Transaction& t, Type* parent, std::vector<ListValue> values);
//! yjs typeListDelete. Error if the range exceeds the length (nothing deleted then).
Status list_delete(Transaction& t, Type* parent, uint64_t index, uint64_t length);

//! yjs typeMapSet with a JSON value, binary or a new nested type; returns the nested type.
Type* map_set(Transaction& t, Type* parent, const std::string& key, ListValue value);
//! yjs typeMapDelete.
void map_delete(Transaction& t, Type* parent, const std::string& key);
//! The live item of `key` (not deleted), or nullptr.
Item* map_get(const Type* parent, const std::string& key);

//! Visible list elements as JSON (nested types through to_json).
std::vector<Any> list_to_json(const Type* parent);
//! The content of one item as JSON values (yjs getContent + toJSON of types).
void append_item_json(const Item* item, std::vector<Any>& out);

}  // namespace tandem::crdt
