#include "crdt/doc.h"

#include <algorithm>
#include <cassert>

#include "crdt/item_ops.h"
#include "crdt/text.h"
#include "crdt/update_apply.h"

namespace tandem::crdt {

Transaction::Transaction(Doc& doc, Origin origin, bool local)
    : doc_(doc), origin_(origin), local_(local) {}

void Transaction::clear() {
  delete_set.clear();
  changed.clear();
  merge_structs.clear();
  // A transaction that loaded a whole document keeps no big buffer alive in the pool.
  if (merge_structs.capacity() > 1024) merge_structs.shrink_to_fit();
  need_formatting_cleanup = false;
  before_.clear();
  last_noted_ = kNoClient;
  after_.clear();
}

namespace {
std::vector<ClientClock>::const_iterator find_client(const std::vector<ClientClock>& v,
                                                     ClientId client) {
  return std::lower_bound(v.begin(), v.end(), client,
                          [](const ClientClock& e, ClientId c) { return e.client < c; });
}
}  // namespace

Clock Transaction::before_clock(ClientId client) const {
  auto it = find_client(before_, client);
  if (it != before_.end() && it->client == client) return it->clock;
  return doc_.store().state(client);
}

void Transaction::record_before(ClientId client, Clock clock) {
  last_noted_ = client;
  auto it = find_client(before_, client);
  if (it != before_.end() && it->client == client) return;
  before_.insert(it, ClientClock{client, clock});
}

void Transaction::snapshot_after_state() {
  after_.clear();
  for (const ClientClock& b : before_) {
    after_.push_back(Change{b.client, b.clock, doc_.store().state(b.client)});
  }
}

ID Transaction::next_id() const {
  return ID{doc_.client_id(), doc_.store().state(doc_.client_id())};
}

Doc::Doc(DocOptions options) : options_(options) {}

Doc::~Doc() = default;

Type* Doc::get(const std::string& name, TypeKind kind) {
  for (auto& [n, t] : roots_) {
    if (n != name) continue;
    if (kind != TypeKind::Unknown && t->kind() != kind) {
      if (t->kind() != TypeKind::Unknown) return nullptr;
      t->upgrade_kind(kind);
    }
    return t.get();
  }
  auto t = std::make_unique<Type>(kind);
  t->integrate(this, nullptr);
  roots_.emplace_back(name, std::move(t));
  return roots_.back().second.get();
}

const std::string& Doc::root_name(const Type* t) const {
  for (const auto& [n, r] : roots_) {
    if (r.get() == t) return n;
  }
  assert(false && "root_name: not a root");
  static const std::string kNone;
  return kNone;
}

const std::string* Doc::intern(std::string_view key) {
  return &*keys_.emplace(key).first;
}

void Doc::add_struct(Item* item) {
  // Keeps Transaction::before_clock exact: the clock of item's client before this append is
  // item->id.clock (StructStore::add requires it).
  for (auto& t : cleanups_) t->note_append(item->id.client, item->id.clock);
  store_.add(item);
}

void Doc::append_to_struct(Item* last, Content& content, uint64_t length) {
  for (auto& t : cleanups_) t->note_append(last->id.client, last->id.clock + last->length);
  [[maybe_unused]] bool merged = last->content.merge_with(content);
  assert(merged);
  last->length += length;
}

void Doc::begin_transaction(Origin origin, bool local) {
  if (spare_) {
    spare_->reuse(origin, local);  // cleared when it was put aside
    cleanups_.push_back(std::move(spare_));
  } else {
    cleanups_.push_back(std::make_unique<Transaction>(*this, origin, local));
  }
  transaction_ = cleanups_.back().get();
}

std::vector<uint8_t> Doc::transact(const std::function<void(Transaction&)>& fn, Origin origin) {
  if (!run_local_transaction(fn, origin, true)) return {};
  return std::move(last_update_);
}

void Doc::edit(const std::function<void(Transaction&)>& fn, Origin origin) {
  run_local_transaction(fn, origin, false);
}

bool Doc::run_local_transaction(const std::function<void(Transaction&)>& fn, Origin origin,
                                bool capture_update) {
  bool initial = transaction_ == nullptr;
  if (initial) begin_transaction(origin, true);
  fn(*transaction_);
  if (!initial) return false;
  bool finish = transaction_ == cleanups_.front().get();
  transaction_ = nullptr;
  last_update_.clear();
  if (finish) {
    capture_updates_ = capture_update;
    cleanup_transactions();
    capture_updates_ = false;
  }
  return true;
}

void Doc::cleanup_transactions() {
  // New transactions may be appended while cleaning up (formatting cleanup): index loop.
  std::vector<uint8_t> first_update;
  for (size_t i = 0; i < cleanups_.size(); ++i) {
    cleanup_transaction(*cleanups_[i]);
    if (i == 0) first_update = std::move(last_update_);
  }
  // Keep one transaction for the next (transactions are created for every update).
  spare_ = std::move(cleanups_.front());
  spare_->clear();
  cleanups_.clear();
  store_.collect_released();
  // Kept only for transact(), which hands it back; a listener has had it already.
  last_update_ = capture_updates_ ? std::move(first_update) : std::vector<uint8_t>();
}

namespace {

// yjs tryToMergeWithLefts: merges structs[pos] into its left neighbours while possible;
// returns how many were merged away.
size_t try_merge_with_lefts(StructStore& store, StructList& structs, size_t pos) {
  size_t i = pos;
  for (; i > 0; --i) {
    Item* left = structs[i - 1];
    Item* right = structs[i];
    if (left->deleted() == right->deleted() && left->is_gc() == right->is_gc() &&
        merge_items(left, right)) {
      if (!right->is_gc() && right->parent_sub &&
          right->parent->map_item(*right->parent_sub) == right) {
        right->parent->set_map_item(right->parent_sub, left);
      }
      store.release(right);
      continue;
    }
    break;
  }
  size_t merged = pos - i;
  if (merged) {
    structs.erase(pos + 1 - merged, pos + 1);
  }
  return merged;
}

// Both walk each client's ranges from the last to the first, as yjs does.
void try_gc_delete_set(const DeleteSet& ds, StructStore& store) {
  for (const auto& [client, ranges] : ds.clients()) {
    auto* structs = store.client_structs(client);
    std::optional<size_t> near;
    for (size_t di = ranges.size(); di-- > 0;) {
      const DeleteRange& d = ranges[di];
      near = structs->find_range_index(d.clock, ranges.size(), near);
      for (size_t si = *near; si < structs->size() && (*structs)[si]->id.clock < d.end(); ++si) {
        Item* s = (*structs)[si];
        if (!s->is_gc() && s->deleted() && !s->keep()) gc_item(store, s, false);
      }
    }
  }
}

void try_merge_delete_set(const DeleteSet& ds, StructStore& store) {
  for (const auto& [client, ranges] : ds.clients()) {
    auto* structs = store.client_structs(client);
    std::optional<size_t> near;
    for (size_t di = ranges.size(); di-- > 0;) {
      const DeleteRange& d = ranges[di];
      const size_t last = structs->find_range_index(d.end() - 1, ranges.size(), near);
      size_t most_right = std::min(structs->size() - 1, last + 1);
      int64_t si = static_cast<int64_t>(most_right);
      while (si > 0 && (*structs)[static_cast<size_t>(si)]->id.clock >= d.clock) {
        si -= 1 + static_cast<int64_t>(try_merge_with_lefts(store, *structs, static_cast<size_t>(si)));
      }
      // Merging erased structs to the right of si only: it is a position of the list still.
      near = static_cast<size_t>(std::max<int64_t>(si, 0));
    }
  }
}

}  // namespace

void Doc::cleanup_transaction(Transaction& t) {
  t.delete_set.sort_and_merge();
  t.snapshot_after_state();
  // Observer phase: yjs's _callObserver of each changed type that is not deleted.
  if (!t.local()) {
    t.changed.for_each([&](Type* type) {
      if (type->item() && type->item()->deleted()) return;
      type->clear_markers();
      if ((type->kind() == TypeKind::Text || type->kind() == TypeKind::XmlText) &&
          type->has_formatting()) {
        t.need_formatting_cleanup = true;
      }
    });
  }
  if (t.need_formatting_cleanup) cleanup_text_after_transaction(t);
  // Garbage-collect and merge.
  if (options_.gc) try_gc_delete_set(t.delete_set, store_);
  try_merge_delete_set(t.delete_set, store_);
  for (const Transaction::Change& change : t.changed_clients()) {
    Clock before = change.before;
    auto* structs = store_.client_structs(change.client);
    int64_t first = std::max<int64_t>(
        static_cast<int64_t>(StructStore::find_index(*structs, before)), 1);
    for (int64_t i = static_cast<int64_t>(structs->size()) - 1; i >= first;) {
      i -= 1 + static_cast<int64_t>(try_merge_with_lefts(store_, *structs, static_cast<size_t>(i)));
    }
  }
  for (size_t i = t.merge_structs.size(); i-- > 0;) {
    ID id = t.merge_structs[i]->id;
    auto* structs = store_.client_structs(id.client);
    size_t pos = StructStore::find_index(*structs, id.clock);
    if (pos + 1 < structs->size()) {
      if (try_merge_with_lefts(store_, *structs, pos + 1) > 1) continue;
    }
    if (pos > 0) try_merge_with_lefts(store_, *structs, pos);
  }
  // The update this transaction produced.
  last_update_.clear();
  if (t.delete_set.empty() && t.changed_clients().empty()) return;  // changed nothing
  ++change_count_;
  if (listener_ || capture_updates_) {
    last_update_ = encode_transaction_update(*this, t, UpdateVersion::V1);
    if (listener_) listener_(last_update_, t.origin(), t);
  }
}

std::vector<uint8_t> Doc::encode_state_vector() const {
  return crdt::encode_state_vector(store_.state_vector());
}

}  // namespace tandem::crdt
