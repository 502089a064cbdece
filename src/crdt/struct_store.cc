#include "crdt/struct_store.h"

#include <algorithm>
#include <cassert>
#include <cmath>

#include "crdt/type.h"

namespace tandem::crdt {

namespace {
// Items are allocated in blocks that double from kFirstBlock up to kMaxBlock items: a small
// document (most of those a server holds) takes a few KB, a large one few allocations.
constexpr size_t kFirstBlock = 8;
constexpr size_t kMaxBlock = 1024;
}

StructStore::~StructStore() = default;

Item* StructStore::alloc() {
  if (!free_.empty()) {
    Item* it = free_.back();
    free_.pop_back();
    *it = Item();
    return it;
  }
  if (blocks_.empty() || block_used_ == block_size_) {
    block_size_ = blocks_.empty() ? kFirstBlock : std::min(block_size_ * 2, kMaxBlock);
    blocks_.push_back(std::make_unique<Item[]>(block_size_));
    block_used_ = 0;
  }
  return &blocks_.back()[block_used_++];
}

void StructStore::release(Item* item) { released_.push_back(item); }

void StructStore::collect_released() {
  for (Item* item : released_) {
    *item = Item();  // drops the content (and any type it owns)
    free_.push_back(item);
  }
  released_.clear();
}

Clock StructStore::state(ClientId client) const {
  auto it = clients_.find(client);
  if (it == clients_.end() || it->second.empty()) return 0;
  const Item* last = it->second.back();
  return last->id.clock + last->length;
}

StateVector StructStore::state_vector() const {
  StateVector sv;
  for (const auto& [client, structs] : clients_) {
    if (structs.empty()) continue;
    const Item* last = structs.back();
    sv[client] = last->id.clock + last->length;
  }
  return sv;
}

void StructStore::add(Item* item) {
  auto& structs = clients_[item->id.client];
  assert(structs.empty() ? item->id.clock == 0
                         : structs.back()->id.clock + structs.back()->length == item->id.clock);
  structs.push_back(item);
}

Item* StructStore::find(ID id) const {
  const auto& structs = clients_.at(id.client);
  return structs[find_index(structs, id.clock)];
}

Item* StructStore::find_if_exists(ID id) const {
  auto it = clients_.find(id.client);
  if (it == clients_.end() || it->second.empty()) return nullptr;
  const Item* last = it->second.back();
  if (id.clock >= last->id.clock + last->length) return nullptr;
  return it->second[find_index(it->second, id.clock)];
}

StructList* StructStore::client_structs(ClientId client) {
  auto it = clients_.find(client);
  return it == clients_.end() ? nullptr : &it->second;
}

const StructList* StructStore::client_structs(ClientId client) const {
  auto it = clients_.find(client);
  return it == clients_.end() ? nullptr : &it->second;
}

void StructStore::replace_with_gc(Item* item) {
  auto& structs = clients_.at(item->id.client);
  size_t index = find_index(structs, item->id.clock);
  Item* gc = alloc();
  gc->id = item->id;
  gc->length = item->length;
  gc->info = Item::kGC | Item::kDeleted;
  structs[index] = gc;
  release(item);
}

DeleteSet StructStore::delete_set() const {
  DeleteSet ds;
  for (const auto& [client, structs] : clients_) {
    // Runs of adjacent deleted structs, one range each.
    std::vector<DeleteRange> ranges;
    bool in_run = false;
    structs.for_each_from(0, [&](const Item* s) {
      if (!s->deleted()) {
        in_run = false;
      } else if (in_run) {
        ranges.back().len += s->length;
      } else {
        ranges.push_back({s->id.clock, s->length});
        in_run = true;
      }
    });
    if (!ranges.empty()) ds.clients()[client] = std::move(ranges);
  }
  return ds;
}

Status StructStore::check_integrity() const {
  for (const auto& [client, structs] : clients_) {
    Clock expected = 0;
    for (const Item* s : structs) {
      if (s->id.client != client || s->id.clock != expected) {
        return Status::Error("struct store: client " + std::to_string(client) +
                             " not contiguous at clock " + std::to_string(expected));
      }
      if (s->length == 0) return Status::Error("struct store: empty struct");
      if (s->is_gc() && (s->parent || s->left || s->right)) {
        return Status::Error("struct store: GC struct with links");
      }
      if (!s->is_gc()) {
        if (s->left && s->left->right != s) return Status::Error("struct store: left link broken");
        if (s->right && s->right->left != s) return Status::Error("struct store: right link broken");
        if (s->left && s->left->parent != s->parent) return Status::Error("struct store: parent mismatch");
      }
      expected += s->length;
    }
  }
  return Status::Ok();
}

}  // namespace tandem::crdt
