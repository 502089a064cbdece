// Item: an integrated struct of a document — yjs's Item and GC (src/structs/Item.js, GC.js)
// in one class. Items of one parent form a doubly linked list in document order (YATA);
// items of one client form a clock-ordered run in the StructStore.
//
// Invariants (checked by StructStore::check_integrity in tests):
// - for each client, the store's items are contiguous in clock: next.id.clock ==
//   prev.id.clock + prev.length, starting at 0;
// - a GC struct has no parent, no neighbours and no content;
// - an item's `left`/`right` are items of the same parent and parent_sub;
// - `deleted` items contribute nothing to their parent's length.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "crdt/content.h"
#include "crdt/id.h"

namespace tandem::crdt {

class Type;

struct Item {
  static constexpr uint8_t kKeep = 1, kCountable = 2, kDeleted = 4, kMarker = 8, kGC = 16,
                           kHasOrigin = 32, kHasRightOrigin = 64;

  // User-provided, so that value-initialisation (make_unique<Item[]>, construct_at) runs the
  // member initialisers without zero-filling the whole item first.
  Item() noexcept {}

  ID id;
  uint64_t length = 0;
  Item* left = nullptr;
  Item* right = nullptr;
  ID origin_id;        // valid if kHasOrigin
  ID right_origin_id;  // valid if kHasRightOrigin
  Type* parent = nullptr;
  //! Map key of the item in its parent, or nullptr for list items. Interned by the Doc.
  const std::string* parent_sub = nullptr;
  Content content;
  uint8_t info = 0;

  bool is_gc() const { return info & kGC; }
  bool deleted() const { return info & kDeleted; }
  bool countable() const { return info & kCountable; }
  bool keep() const { return info & kKeep; }
  bool marker() const { return info & kMarker; }
  void set_marker(bool m) { info = m ? (info | kMarker) : (info & ~kMarker); }
  void set_keep(bool k) { info = k ? (info | kKeep) : (info & ~kKeep); }
  void mark_deleted() { info |= kDeleted; }
  bool has_origin() const { return info & kHasOrigin; }
  bool has_right_origin() const { return info & kHasRightOrigin; }
  std::optional<ID> origin() const { return has_origin() ? std::optional<ID>(origin_id) : std::nullopt; }
  std::optional<ID> right_origin() const {
    return has_right_origin() ? std::optional<ID>(right_origin_id) : std::nullopt;
  }
  void set_origin(std::optional<ID> o) {
    if (o) { origin_id = *o; info |= kHasOrigin; } else { info &= ~kHasOrigin; }
  }
  void set_right_origin(std::optional<ID> o) {
    if (o) { right_origin_id = *o; info |= kHasRightOrigin; } else { info &= ~kHasRightOrigin; }
  }
  ID last_id() const { return ID{id.client, id.clock + length - 1}; }
  //! The next / previous item that is not deleted.
  Item* next() const {
    Item* n = right;
    while (n && n->deleted()) n = n->right;
    return n;
  }
  Item* prev() const {
    Item* n = left;
    while (n && n->deleted()) n = n->left;
    return n;
  }
};

}  // namespace tandem::crdt
