// Operations on integrated items: splitting, YATA integration, deletion, garbage collection
// and merging (yjs src/structs/Item.js, StructStore.js). All run inside a Transaction on the
// Doc's thread.
#pragma once

#include <cstdint>

#include "crdt/item.h"
#include "crdt/transaction.h"

namespace tandem::crdt {

class StructStore;

//! Splits `left` at `diff` (0 < diff < length); returns the new right part, which is linked
//! after `left` but not yet in the store's client list (the caller inserts it).
Item* split_item(Transaction& t, Item* left, uint64_t diff);
//! The item starting exactly at `id`, splitting if needed. REQUIRES: the store has `id`.
Item* get_item_clean_start(Transaction& t, ID id);
//! The item ending exactly at `id`, splitting if needed. REQUIRES: the store has `id`.
Item* get_item_clean_end(Transaction& t, ID id);

//! Integrates `item` (not in the store yet; left/right/origins/parent resolved) into its
//! parent's list or map and the store, skipping its first `offset` units (YATA).
void integrate_item(Transaction& t, Item* item, uint64_t offset);
//! Integrates a GC struct.
void integrate_gc(Transaction& t, Item* gc, uint64_t offset);
//! Marks `item` deleted and records it in the transaction (yjs Item.delete).
void delete_item(Transaction& t, Item* item);
//! yjs Item.gc: drops the content of a deleted item; with parent_gcd replaces it by GC.
void gc_item(StructStore& store, Item* item, bool parent_gcd);
//! yjs Item.mergeWith / GC.mergeWith: appends `right` to `left` if they can be one struct.
bool merge_items(Item* left, Item* right);
//! yjs addChangedTypeToTransaction.
void add_changed_type(Transaction& t, Type* type, const std::string* parent_sub);

}  // namespace tandem::crdt
