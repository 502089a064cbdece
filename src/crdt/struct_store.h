// StructStore (yjs src/utils/StructStore.js): every struct of a document, per client in
// clock order, plus the allocator that owns them. Owned by one Doc; not thread-safe.
#pragma once

#include <array>
#include <memory>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/status.h"
#include "crdt/delete_set.h"
#include "crdt/item.h"
#include "crdt/struct_list.h"

namespace tandem::crdt {

class StructStore {
 public:
  StructStore() = default;
  StructStore(const StructStore&) = delete;
  StructStore& operator=(const StructStore&) = delete;
  ~StructStore();

  //! A new, default-constructed Item owned by the store (not yet added to any client list).
  Item* alloc();
  //! Before the first alloc(): makes room for `items` (a load knows how many structs it
  //! brings): in one block if they fill a huge page, else up to the largest block size. Memory
  //! is touched only as items are handed out. Does nothing once items have been allocated.
  void reserve(size_t items);
  //! Hands back an item that is in no list any more. It stays readable until
  //! collect_released(), which the Doc calls once a transaction's cleanup is over (until then
  //! the transaction may still hold pointers to it).
  void release(Item* item);
  void collect_released();
  //! Drops every struct: the store is as new (used to undo a failed load into an empty
  //! document, see Doc::apply_update).
  void clear();

  //! Next expected clock of `client` (0 if unknown).
  Clock state(ClientId client) const;
  StateVector state_vector() const;
  //! REQUIRES: item->id.clock == state(item->id.client).
  void add(Item* item);
  //! Index of the struct containing `clock`. REQUIRES: clock < state(client).
  static size_t find_index(const StructList& structs, Clock clock) { return structs.find_index(clock); }
  //! The struct containing `id`. REQUIRES: id.clock < state(id.client).
  Item* find(ID id) const;
  //! The struct containing `id`, or nullptr if the store doesn't have it yet.
  Item* find_if_exists(ID id) const;
  StructList* client_structs(ClientId client);
  const StructList* client_structs(ClientId client) const;
  const std::unordered_map<ClientId, StructList>& clients() const { return clients_; }
  //! Replaces `item` (in place in its client's list) by a GC struct of the same range.
  void replace_with_gc(Item* item);
  //! yjs createDeleteSetFromStructStore.
  DeleteSet delete_set() const;
  //! Verifies the invariants listed in item.h; an error names the first broken one.
  Status check_integrity() const;

 private:
  //! The list of `client`, or nullptr. Remembers the last two clients asked for: an update
  //! touches its own client and its origins' (often one other), each several times.
  StructList* lookup(ClientId client) const;

  std::unordered_map<ClientId, StructList> clients_;  // never erased from: pointers stay valid
  struct Recent {
    ClientId client = ~ClientId{0};  // no client: ids are below 2^53
    StructList* list = nullptr;
  };
  mutable std::array<Recent, 2> recent_{};
  //! Memory for up to `capacity` items, constructed one by one as alloc() hands them out.
  class Block {
   public:
    explicit Block(size_t capacity);
    Block(Block&& o) noexcept
        : items_(std::exchange(o.items_, nullptr)), capacity_(o.capacity_), used_(std::exchange(o.used_, 0)) {}
    Block& operator=(Block&&) = delete;
    ~Block();
    size_t capacity() const { return capacity_; }
    bool full() const { return used_ == capacity_; }
    Item* next() { return std::construct_at(items_ + used_++); }  // REQUIRES: !full()

   private:
    Item* items_;
    size_t capacity_;
    size_t used_ = 0;  // items_[0, used_) are constructed
  };
  std::vector<Block> blocks_;
  std::vector<Item*> free_;
  std::vector<Item*> released_;
};

}  // namespace tandem::crdt
