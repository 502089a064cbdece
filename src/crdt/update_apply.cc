#include "crdt/update_apply.h"

#include <algorithm>
#include <map>
#include <unordered_map>
#include <unordered_set>

#include "crdt/doc.h"
#include "crdt/item_ops.h"
#include "crdt/update_ops.h"

namespace tandem::crdt {

namespace {

std::string id_str(ID id) {
  return "(" + std::to_string(id.client) + "," + std::to_string(id.clock) + ")";
}

void write_item(UpdateEncoder& enc, const Doc& doc, const Item* s, uint64_t offset) {
  if (s->is_gc()) {
    enc.write_info(0);
    enc.write_len(s->length - offset);
    return;
  }
  std::optional<ID> origin =
      offset > 0 ? std::optional<ID>(ID{s->id.client, s->id.clock + offset - 1}) : s->origin();
  std::optional<ID> right_origin = s->right_origin();
  uint8_t info = (static_cast<uint8_t>(s->content.ref()) & 0x1F) | (origin ? 0x80 : 0) |
                 (right_origin ? 0x40 : 0) | (s->parent_sub ? 0x20 : 0);
  enc.write_info(info);
  if (origin) enc.write_left_id(*origin);
  if (right_origin) enc.write_right_id(*right_origin);
  if (!origin && !right_origin) {
    const Type* parent = s->parent;
    if (parent->item() == nullptr) {
      enc.write_parent_info(true);
      enc.write_string(doc.root_name(parent));
    } else {
      enc.write_parent_info(false);
      enc.write_left_id(parent->item()->id);
    }
    if (s->parent_sub) enc.write_string(*s->parent_sub);
  }
  s->content.write(enc, offset);
}

void write_structs(UpdateEncoder& enc, const Doc& doc, const std::vector<Item*>& structs,
                   ClientId client, Clock clock) {
  clock = std::max(clock, structs[0]->id.clock);
  size_t start = StructStore::find_index(structs, clock);
  enc.rest().write_var_uint(structs.size() - start);
  enc.write_client(client);
  enc.rest().write_var_uint(clock);
  write_item(enc, doc, structs[start], clock - structs[start]->id.clock);
  for (size_t i = start + 1; i < structs.size(); ++i) write_item(enc, doc, structs[i], 0);
}

}  // namespace

namespace {
void write_doc_structs(UpdateEncoder& enc, const Doc& doc, const StateVector& target) {
  const StructStore& store = doc.store();
  std::map<ClientId, Clock, std::greater<ClientId>> sm;
  for (const auto& [client, clock] : target) {
    if (store.state(client) > clock) sm[client] = clock;
  }
  for (const auto& [client, structs] : store.clients()) {
    if (!structs.empty() && !target.count(client)) sm[client] = 0;
  }
  enc.rest().write_var_uint(sm.size());
  for (const auto& [client, clock] : sm) {
    write_structs(enc, doc, store.clients().at(client), client, clock);
  }
}
}  // namespace

std::vector<uint8_t> encode_transaction_update(Doc& doc, Transaction& t, UpdateVersion v) {
  auto enc = make_update_encoder(v);
  write_doc_structs(*enc, doc, t.before_state);
  t.delete_set.write(*enc);
  return enc->finish();
}

std::vector<uint8_t> Doc::encode_state_as_update(const StateVector& sv, UpdateVersion v) const {
  auto enc = make_update_encoder(v);
  write_doc_structs(*enc, *this, sv);
  store_.delete_set().write(*enc);
  std::vector<uint8_t> main = enc->finish();
  if (!pending_ds_ && !pending_structs_) return main;
  // Pending structs and deletes are part of the state (yjs encodeStateAsUpdateV2).
  std::vector<std::vector<uint8_t>> parts;
  if (pending_ds_) parts.push_back(*pending_ds_);
  if (pending_structs_) {
    auto d = diff_update(pending_structs_->update, crdt::encode_state_vector(sv), UpdateVersion::V2);
    if (d) parts.push_back(std::move(d.value()));
  }
  if (v == UpdateVersion::V1) {
    for (auto& p : parts) {
      auto c = convert_update(p, UpdateVersion::V2, UpdateVersion::V1);
      if (c) p = std::move(c.value());
    }
  }
  std::vector<Update> all{main};
  for (auto& p : parts) all.push_back(p);
  auto merged = merge_updates(all, v);
  return merged ? std::move(merged.value()) : main;
}

// ---------------------------------------------------------------------------------------
// Validation

namespace {

//! Where a struct's parent is, as far as it can be known before integration.
struct ParentKey {
  enum class Kind { Unknown, GC, Known } kind = Kind::Unknown;
  const void* type = nullptr;  // an existing Type*, a creating StructRef*, or a root name
  std::string root;            // for roots not created yet
  const std::string* sub = nullptr;
  std::string sub_value;
  bool has_sub = false;
  bool same_as(const ParentKey& o) const {
    return type == o.type && root == o.root && has_sub == o.has_sub &&
           (!has_sub || sub_value == o.sub_value);
  }
};

class Validator {
 public:
  Validator(const Doc& doc, const std::vector<ClientStructs>& clients) : doc_(doc) {
    for (const auto& cs : clients) {
      for (const auto& s : cs.structs) by_client_[cs.client].push_back(&s);
    }
  }

  Status run() {
    for (const auto& [client, refs] : by_client_) {
      for (const StructRef* s : refs) {
        if (s->kind != StructRef::Kind::Item) continue;
        if (Status st = check_ids(*s); !st) return st;
        ParentKey k;
        if (Status st = resolve(s, k); !st) return st;
      }
    }
    return Status::Ok();
  }

 private:
  static Status check_ids(const StructRef& s) {
    auto bad = [&](const char* what, ID ref) {
      return Status::Error(std::string("struct ") + id_str(s.id) + ": " + what + " " + id_str(ref) +
                           " is not earlier than the struct");
    };
    if (s.origin && s.origin->client == s.id.client && s.origin->clock >= s.id.clock) return bad("origin", *s.origin);
    if (s.right_origin && s.right_origin->client == s.id.client && s.right_origin->clock >= s.id.clock) return bad("right origin", *s.right_origin);
    if (const ID* p = std::get_if<ID>(&s.parent); p && p->client == s.id.client && p->clock >= s.id.clock) return bad("parent", *p);
    for (const std::optional<ID>* o : {&s.origin, &s.right_origin}) {
      if (*o && ((*o)->client > kMaxSafeInteger || (*o)->clock > kMaxSafeInteger)) return bad("reference", **o);
    }
    return Status::Ok();
  }

  const StructRef* find_ref(ID id) const {
    auto it = by_client_.find(id.client);
    if (it == by_client_.end()) return nullptr;
    const auto& refs = it->second;
    auto r = std::upper_bound(refs.begin(), refs.end(), id.clock,
                              [](Clock c, const StructRef* s) { return c < s->id.clock; });
    if (r == refs.begin()) return nullptr;
    --r;
    return id.clock < (*r)->id.clock + (*r)->length ? *r : nullptr;
  }

  // The parent of the struct containing `id` (an origin or right origin).
  Status parent_of_id(ID id, ParentKey& out) {
    if (const Item* item = doc_.store().find_if_exists(id)) {
      if (item->is_gc()) { out.kind = ParentKey::Kind::GC; return Status::Ok(); }
      out.kind = ParentKey::Kind::Known;
      out.type = item->parent;
      out.has_sub = item->parent_sub != nullptr;
      if (out.has_sub) out.sub_value = *item->parent_sub;
      return Status::Ok();
    }
    const StructRef* r = find_ref(id);
    if (r == nullptr || r->kind == StructRef::Kind::Skip) return Status::Ok();  // unknown
    if (r->kind == StructRef::Kind::GC) { out.kind = ParentKey::Kind::GC; return Status::Ok(); }
    return resolve(r, out);
  }

  // The type that the struct `id` holds (an explicit parent id). As in yjs, a parent that
  // holds no type (garbage-collected, or not a type at all) turns the struct into GC.
  Status type_of_id(ID id, ParentKey& out) {
    if (const Item* item = doc_.store().find_if_exists(id)) {
      const auto* ct = item->is_gc() ? nullptr : item->content.get<ContentType>();
      out.kind = ct ? ParentKey::Kind::Known : ParentKey::Kind::GC;
      if (ct) out.type = ct->type.get();
      return Status::Ok();
    }
    const StructRef* r = find_ref(id);
    if (r == nullptr || r->kind == StructRef::Kind::Skip) return Status::Ok();
    bool is_type = r->kind == StructRef::Kind::Item && r->content.ref() == ContentRef::Type;
    out.kind = is_type ? ParentKey::Kind::Known : ParentKey::Kind::GC;
    if (is_type) out.type = r;
    return Status::Ok();
  }

  Status resolve(const StructRef* s, ParentKey& out) {
    auto memo = memo_.find(s);
    if (memo != memo_.end()) { out = memo->second; return Status::Ok(); }
    if (in_progress_.count(s)) return Status::Ok();  // a cycle: stays pending, like yjs
    in_progress_.insert(s);
    ParentKey left, right;
    if (s->origin) {
      if (Status st = parent_of_id(*s->origin, left); !st) return st;
    }
    if (s->right_origin) {
      if (Status st = parent_of_id(*s->right_origin, right); !st) return st;
    }
    if (left.kind == ParentKey::Kind::Known && right.kind == ParentKey::Kind::Known &&
        !left.same_as(right)) {
      return Status::Error("struct " + id_str(s->id) + ": origin and right origin are in different parents");
    }
    ParentKey k;
    if (left.kind == ParentKey::Kind::GC || right.kind == ParentKey::Kind::GC) {
      k.kind = ParentKey::Kind::GC;
    } else if (s->origin || s->right_origin) {
      k = left.kind == ParentKey::Kind::Known ? left : right;
    } else if (const auto* name = std::get_if<std::string>(&s->parent)) {
      // An existing root is identified by its Type, as items of the store see it.
      k.kind = ParentKey::Kind::Known;
      for (const auto& [n, t] : doc_.roots()) {
        if (n == *name) k.type = t.get();
      }
      if (k.type == nullptr) k.root = *name;
    } else if (const ID* pid = std::get_if<ID>(&s->parent)) {
      if (Status st = type_of_id(*pid, k); !st) return st;
    } else {
      return Status::Error("struct " + id_str(s->id) + " has neither origins nor a parent");
    }
    if (!s->origin && !s->right_origin && k.kind == ParentKey::Kind::Known) {
      k.has_sub = s->parent_sub.has_value();
      if (k.has_sub) k.sub_value = *s->parent_sub;
    }
    in_progress_.erase(s);
    memo_[s] = k;
    out = k;
    return Status::Ok();
  }

  const Doc& doc_;
  std::unordered_map<ClientId, std::vector<const StructRef*>> by_client_;
  std::unordered_map<const StructRef*, ParentKey> memo_;
  std::unordered_set<const StructRef*> in_progress_;
};

}  // namespace

Status validate_update(const Doc& doc, const std::vector<ClientStructs>& clients) {
  return Validator(doc, clients).run();
}

}  // namespace tandem::crdt
