// Loading an update into an empty document (load_into_empty, update_apply.h): the structs
// are decoded straight into the document's items and integrated in yjs's order, with no
// StructRef per struct and no validation pass before integration. Its twins, which it has to
// agree with, are read_struct_into (struct_ref.cc: what decoding accepts) and
// integrate_structs / get_missing (update_integrate.cc: the order of integration, and how a
// struct's neighbours and parent are resolved); the checks validate_update makes
// (update_apply.cc) are made here as each struct is resolved.
#include <algorithm>

#include "crdt/doc.h"
#include "crdt/item_ops.h"
#include "crdt/update_apply.h"
#include "crdt/update_codec_impl.h"

namespace tandem::crdt {

namespace {

constexpr uint8_t kBit6 = 0x20, kBit7 = 0x40, kBit8 = 0x80;

//! Stops the load: the update is not one this path takes (the caller undoes what was done
//! and applies the update the general way, which reports any error).
struct Decline {};

//! The explicit parent of an item that has no origins, until integration resolves it.
struct ExplicitParent {
  bool is_root = false;
  std::string root;  // a root type's name
  ID id;             // or the item holding the type
};

//! The structs of one client, decoded into items (not yet in the store's lists).
struct Section {
  ClientId client = 0;
  std::vector<Item*> items;
  //! Per item: index into Loader::explicit_ of its explicit parent, or kNone.
  std::vector<uint32_t> parent;
  size_t next = 0;  // the next item to integrate
};

constexpr uint32_t kNone = ~uint32_t{0};

class Loader {
 public:
  Loader(Doc& doc, Transaction& t) : doc_(doc), store_(doc.store()), t_(t) {}

  template <class Dec>
  void decode(Dec& dec) {
    // As read_structs (struct_ref.cc), whose bounds and checks these are.
    const uint64_t max_structs = kMaxStructsPerByte * dec.input_size() + kMinStructLimit;
    uint64_t total = 0;
    const uint64_t num_clients = dec.rest().read_var_uint();
    if (num_clients > dec.rest().remaining()) throw Decline{};
    sections_.reserve(std::min<uint64_t>(num_clients, kMinStructLimit));
    for (uint64_t c = 0; c < num_clients; ++c) {
      const uint64_t num_structs = dec.rest().read_var_uint();
      Section& sec = sections_.emplace_back();
      sec.client = dec.read_client();
      Clock clock = dec.rest().read_var_uint();
      if (num_structs > max_structs - total) throw Decline{};
      total += num_structs;
      const size_t reserve = std::min<uint64_t>(num_structs, dec.input_size() / 4 + 1024);
      sec.items.reserve(reserve);
      if (c == 0) store_.reserve(reserve);
      sec.parent.reserve(reserve);
      for (uint64_t i = 0; i < num_structs; ++i) {
        Item* item = read_item(dec, dec.read_info(), ID{sec.client, clock});
        if (item->length > kMaxSafeInteger || clock > kMaxSafeInteger - item->length)
          throw Decline{};
        clock += item->length;
        sec.items.push_back(item);
        sec.parent.push_back(last_parent_);
      }
    }
    // A client listed twice: the general path keeps the last section, as yjs does.
    std::sort(sections_.begin(), sections_.end(),
              [](const Section& a, const Section& b) { return a.client < b.client; });
    for (size_t k = 1; k < sections_.size(); ++k) {
      if (sections_[k].client == sections_[k - 1].client) throw Decline{};
    }
    ds_ = DeleteSet::read(dec);
  }

  //! yjs's integration loop (integrate_structs), for a document that starts empty: a struct
  //! that would have to wait for another the update lacks declines the load.
  void integrate() {
    std::vector<Section*> targets;  // ascending by client; integrated from the back
    for (Section& s : sections_) targets.push_back(&s);
    auto next_target = [&]() -> Section* {
      while (!targets.empty()) {
        if (targets.back()->next < targets.back()->items.size()) return targets.back();
        targets.pop_back();
      }
      return nullptr;
    };
    Section* cur = next_target();
    if (!cur) return;
    struct Ref {
      Section* sec;
      size_t i;
    };
    std::vector<Ref> stack;
    Ref head{cur, cur->next++};
    while (true) {
      Item* item = head.sec->items[head.i];
      // Sections are unique and contiguous, so an item's own client is integrated exactly up
      // to it, unless the section starts later than the document's state (then it waits).
      if (store_.state(item->id.client) != item->id.clock) throw Decline{};
      const uint32_t pix = head.sec->parent[head.i];
      const ExplicitParent* parent = pix == kNone ? nullptr : &explicit_[pix];
      if (std::optional<ClientId> missing = missing_dependency(item, parent)) {
        stack.push_back(head);
        Section* dep = find_section(*missing);
        if (!dep || dep->next == dep->items.size()) throw Decline{};  // it would wait
        head = Ref{dep, dep->next++};
        continue;
      }
      integrate_one(item, parent);
      if (!stack.empty()) {
        head = stack.back();
        stack.pop_back();
      } else if (cur && cur->next < cur->items.size()) {
        head = Ref{cur, cur->next++};
      } else {
        cur = next_target();
        if (!cur) break;
        head = Ref{cur, cur->next++};
      }
    }
  }

  const DeleteSet& delete_set() const { return ds_; }

 private:
  // read_struct_into (struct_ref.cc), into an item of the store.
  template <class Dec>
  Item* read_item(Dec& dec, uint8_t info, ID id) {
    if (info == 10) throw Decline{};  // a Skip: never in a document's state
    last_parent_ = kNone;
    Item* item = store_.alloc();
    item->id = id;
    const uint8_t ref = info & 0x1F;
    if (ref == 0) {
      item->info = Item::kGC | Item::kDeleted;
      item->length = dec.read_len();
    } else {
      if (info & kBit8) item->set_origin(dec.read_left_id());
      if (info & kBit7) item->set_right_origin(dec.read_right_id());
      if ((info & (kBit7 | kBit8)) == 0) {
        ExplicitParent p;
        if (dec.read_parent_info()) {
          p.is_root = true;
          p.root = dec.read_string();
        } else {
          p.id = dec.read_left_id();
        }
        if (info & kBit6) item->parent_sub = doc_.intern(dec.read_string());
        last_parent_ = static_cast<uint32_t>(explicit_.size());
        explicit_.push_back(std::move(p));
      }
      detail::read_struct_content(dec, info, item->content);
      item->length = item->content.length();
      if (item->content.countable()) item->info |= Item::kCountable;
    }
    if (item->length == 0) throw Decline{};
    return item;
  }

  Section* find_section(ClientId client) {
    auto it = std::lower_bound(sections_.begin(), sections_.end(), client,
                               [](const Section& s, ClientId c) { return s.client < c; });
    return it != sections_.end() && it->client == client ? &*it : nullptr;
  }

  // get_missing's first half (update_integrate.cc), with validate_update's check that a
  // reference to the struct's own client is to an earlier clock.
  std::optional<ClientId> missing_dependency(const Item* item, const ExplicitParent* parent) {
    if (item->is_gc()) return std::nullopt;
    const ClientId own = item->id.client;
    auto check = [&](const ID& ref) -> std::optional<ClientId> {
      if (ref.client == own) {
        if (ref.clock >= item->id.clock) throw Decline{};  // not earlier than the struct
        return std::nullopt;
      }
      if (ref.clock >= store_.state(ref.client)) return ref.client;
      return std::nullopt;
    };
    if (item->has_origin()) {
      if (auto m = check(item->origin_id)) return m;
    }
    if (item->has_right_origin()) {
      if (auto m = check(item->right_origin_id)) return m;
    }
    if (parent && !parent->is_root) return check(parent->id);
    return std::nullopt;
  }

  // get_missing's second half and integrate_ref: resolves the neighbours and the parent,
  // then integrates. An origin and right origin in different parents decline the load
  // (validate_update rejects such an update).
  void integrate_one(Item* item, const ExplicitParent* parent) {
    if (item->is_gc()) {
      integrate_gc(t_, item, 0);
      return;
    }
    Item* left = item->has_origin() ? get_item_clean_end(t_, item->origin_id) : nullptr;
    Item* right =
        item->has_right_origin() ? get_item_clean_start(t_, item->right_origin_id) : nullptr;
    if (left && right && !left->is_gc() && !right->is_gc() &&
        (left->parent != right->parent || left->parent_sub != right->parent_sub)) {
      throw Decline{};  // parent_sub strings are interned: equal keys are the same pointer
    }
    item->left = left;
    item->right = right;
    Type* type = nullptr;
    if ((left && left->is_gc()) || (right && right->is_gc())) {
      type = nullptr;
    } else if (!parent) {
      const Item* side = left ? left : right;
      if (side) {
        type = side->parent;
        item->parent_sub = side->parent_sub;
      }
    } else if (parent->is_root) {
      type = doc_.get(parent->root);
    } else {
      Item* p = store_.find(parent->id);
      const auto* ct = p->is_gc() ? nullptr : p->content.get<ContentType>();
      type = ct ? ct->type.get() : nullptr;
    }
    item->parent = type;
    integrate_item(t_, item, 0);
  }

  Doc& doc_;
  StructStore& store_;
  Transaction& t_;
  std::vector<Section> sections_;
  std::vector<ExplicitParent> explicit_;
  //! The explicit parent of the item read_item read last (index into explicit_), or kNone.
  uint32_t last_parent_ = kNone;
  DeleteSet ds_;
};

template <class Dec>
bool load(Doc& doc, Transaction& t, std::span<const uint8_t> update) {
  Dec dec(update);  // v2 reads its column headers here
  dec.set_input_size(update.size());
  Loader loader(doc, t);
  loader.decode(dec);
  loader.integrate();
  // Deletes of structs the update lacks would wait: the general path keeps them pending.
  return !apply_delete_set(t, loader.delete_set()).has_value();
}

}  // namespace

bool load_into_empty(Doc& doc, Transaction& t, std::span<const uint8_t> update, UpdateVersion v) {
  try {
    return v == UpdateVersion::V1 ? load<detail::UpdateDecoderV1>(doc, t, update)
                                  : load<detail::UpdateDecoderV2>(doc, t, update);
  } catch (const Decline&) {
    return false;
  } catch (const DecodeError&) {
    return false;
  }
}

}  // namespace tandem::crdt
