#include "crdt/struct_store.h"

#include <sys/mman.h>

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstdint>
#include <new>

#include "crdt/type.h"

namespace tandem::crdt {

namespace {
// Items are allocated in blocks that double from kFirstBlock up to kMaxBlock items: a small
// document (most of those a server holds: typing merges into one item, plus the one being
// merged) takes a few hundred bytes, a large one few allocations.
constexpr size_t kFirstBlock = 2;
constexpr size_t kMaxBlock = 1024;

// A load of many structs takes one block for all of them, and the huge pages (2 MiB, aligned)
// inside it are advised to be backed by transparent huge pages, which Debian's kernel gives
// on request: in 4 KiB pages, a page fault for every 28 items was about a fifth of the time
// loading the Eg-walker datasets took.
constexpr uintptr_t kHugePage = uintptr_t{2} << 20;

void advise_huge_pages(void* p, size_t bytes) {
  const uintptr_t begin = (reinterpret_cast<uintptr_t>(p) + kHugePage - 1) & ~(kHugePage - 1);
  const uintptr_t end = (reinterpret_cast<uintptr_t>(p) + bytes) & ~(kHugePage - 1);
  // Advice only: without transparent huge pages the block is in small pages, as any other.
  if (begin < end) (void)madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
}
}  // namespace

StructStore::Block::Block(size_t capacity) : capacity_(capacity) {
  const size_t bytes = capacity * sizeof(Item);
  items_ = static_cast<Item*>(::operator new(bytes));
  if (bytes >= kHugePage) advise_huge_pages(items_, bytes);
}

StructStore::Block::~Block() {
  if (!items_) return;  // moved from
  std::destroy_n(items_, used_);
  ::operator delete(items_);
}

StructStore::~StructStore() = default;

Item* StructStore::alloc() {
  if (!free_.empty()) {  // reset by collect_released
    Item* it = free_.back();
    free_.pop_back();
    return it;
  }
  if (blocks_.empty() || blocks_.back().full()) {
    blocks_.emplace_back(blocks_.empty() ? kFirstBlock : std::min(blocks_.back().capacity() * 2, kMaxBlock));
  }
  return blocks_.back().next();
}

void StructStore::reserve(size_t items) {
  if (!blocks_.empty() || items == 0) return;
  blocks_.emplace_back(items * sizeof(Item) >= kHugePage ? items : std::min(items, kMaxBlock));
}

void StructStore::release(Item* item) { released_.push_back(item); }

void StructStore::collect_released() {
  for (Item* item : released_) {
    // Reset in place (cheaper than assigning a temporary): drops the content and any type it
    // owns. alloc() hands it out as it is.
    std::destroy_at(item);
    std::construct_at(item);
    free_.push_back(item);
  }
  released_.clear();
}

void StructStore::clear() {
  clients_.clear();
  recent_ = {};
  released_.clear();
  free_.clear();
  blocks_.clear();  // destroys the items, their content and the types they hold
}

StructList* StructStore::lookup(ClientId client) const {
  if (recent_[0].client == client) return recent_[0].list;
  if (recent_[1].client == client) {
    std::swap(recent_[0], recent_[1]);
    return recent_[0].list;
  }
  auto it = clients_.find(client);
  if (it == clients_.end()) return nullptr;  // not remembered: it may be added later
  recent_[1] = recent_[0];
  recent_[0] = Recent{client, const_cast<StructList*>(&it->second)};
  return recent_[0].list;
}

Clock StructStore::state(ClientId client) const {
  const StructList* structs = lookup(client);
  if (!structs || structs->empty()) return 0;
  const Item* last = structs->back();
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
  StructList* known = lookup(item->id.client);
  auto& structs = known ? *known : clients_[item->id.client];
  assert(structs.empty() ? item->id.clock == 0
                         : structs.back()->id.clock + structs.back()->length == item->id.clock);
  structs.push_back(item);
}

Item* StructStore::find(ID id) const {
  const StructList* structs = lookup(id.client);
  assert(structs && "StructStore::find: unknown client");
  return (*structs)[find_index(*structs, id.clock)];
}

Item* StructStore::find_if_exists(ID id) const {
  const StructList* structs = lookup(id.client);
  if (!structs || structs->empty()) return nullptr;
  const Item* last = structs->back();
  if (id.clock >= last->id.clock + last->length) return nullptr;
  return (*structs)[find_index(*structs, id.clock)];
}

StructList* StructStore::client_structs(ClientId client) { return lookup(client); }

const StructList* StructStore::client_structs(ClientId client) const { return lookup(client); }

void StructStore::replace_with_gc(Item* item) {
  StructList& structs = *lookup(item->id.client);
  size_t index = find_index(structs, item->id.clock);
  Item* gc = alloc();
  gc->id = item->id;
  gc->length = item->length;
  gc->info = Item::kGC | Item::kDeleted;
  structs.replace(index, gc);
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
