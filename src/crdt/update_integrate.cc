// The integration loop of yjs's readUpdateV2 / integrateStructs, with pending structs and
// pending deletes, on top of decoding and validating the whole update first.
#include <algorithm>
#include <map>
#include <unordered_map>

#include "crdt/doc.h"
#include "crdt/item_ops.h"
#include "crdt/update_apply.h"
#include "crdt/update_ops.h"

namespace tandem::crdt {

namespace {

struct Decoded {
  std::vector<ClientStructs> clients;
  DeleteSet ds;
};

Result<Decoded> decode_update(std::span<const uint8_t> update, UpdateVersion v) {
  try {
    auto dec = make_update_decoder(v, update);
    Decoded d;
    d.clients = read_struct_section(*dec);
    d.ds = DeleteSet::read(*dec);
    return d;
  } catch (const DecodeError& e) {
    return Status::Error(std::string("malformed update: ") + e.what());
  }
}

struct Resolution {
  Item* left = nullptr;
  Item* right = nullptr;
  Type* parent = nullptr;
  const std::string* sub = nullptr;
};

struct ClientRefs {
  std::vector<StructRef> refs;
  size_t i = 0;
  bool removed = false;  // moved to the rest (yjs deletes it from clientsStructRefs)
};

StructRef clone(const StructRef& s) {
  StructRef c;
  c.kind = s.kind;
  c.id = s.id;
  c.length = s.length;
  c.origin = s.origin;
  c.right_origin = s.right_origin;
  c.parent = s.parent;
  c.parent_sub = s.parent_sub;
  c.content = s.content.copy();
  return c;
}

// yjs Item.getMissing: the client of a missing dependency, or resolves left/right/parent.
std::optional<ClientId> get_missing(Transaction& t, StructRef& s, Resolution& r) {
  if (s.kind != StructRef::Kind::Item) return std::nullopt;
  Doc& doc = t.doc();
  StructStore& store = doc.store();
  if (s.origin && s.origin->client != s.id.client && s.origin->clock >= store.state(s.origin->client)) {
    return s.origin->client;
  }
  if (s.right_origin && s.right_origin->client != s.id.client &&
      s.right_origin->clock >= store.state(s.right_origin->client)) {
    return s.right_origin->client;
  }
  const ID* pid = std::get_if<ID>(&s.parent);
  if (pid && s.id.client != pid->client && pid->clock >= store.state(pid->client)) return pid->client;
  if (s.origin) r.left = get_item_clean_end(t, *s.origin);
  if (s.right_origin) r.right = get_item_clean_start(t, *s.right_origin);
  if ((r.left && r.left->is_gc()) || (r.right && r.right->is_gc())) {
    r.parent = nullptr;
  } else if (std::holds_alternative<std::monostate>(s.parent)) {
    if (r.left) {
      r.parent = r.left->parent;
      r.sub = r.left->parent_sub;
    } else if (r.right) {
      r.parent = r.right->parent;
      r.sub = r.right->parent_sub;
    }
  } else {
    if (pid) {
      Item* p = store.find(*pid);
      const auto* ct = p->is_gc() ? nullptr : p->content.get<ContentType>();
      r.parent = ct ? ct->type.get() : nullptr;
    } else {
      r.parent = doc.get(std::get<std::string>(s.parent));
    }
    if (s.parent_sub) r.sub = doc.intern(*s.parent_sub);
  }
  return std::nullopt;
}

void integrate_ref(Transaction& t, StructRef& s, const Resolution& r, uint64_t offset) {
  Item* item = t.doc().store().alloc();
  item->id = s.id;
  item->length = s.length;
  if (s.kind == StructRef::Kind::GC) {
    item->info = Item::kGC | Item::kDeleted;
    integrate_gc(t, item, offset);
    return;
  }
  item->left = r.left;
  item->right = r.right;
  item->set_origin(s.origin);
  item->set_right_origin(s.right_origin);
  item->parent = r.parent;
  item->parent_sub = r.sub;
  if (s.content.countable()) item->info |= Item::kCountable;
  item->content = std::move(s.content);
  integrate_item(t, item, offset);
}

std::vector<uint8_t> encode_rest(std::map<ClientId, std::vector<StructRef>, std::greater<>>& rest) {
  auto enc = make_update_encoder(UpdateVersion::V2);
  enc->rest().write_var_uint(rest.size());
  for (auto& [client, refs] : rest) {
    enc->rest().write_var_uint(refs.size());
    enc->write_client(client);
    enc->rest().write_var_uint(refs.front().id.clock);
    for (const auto& s : refs) s.write(*enc, 0);
  }
  enc->rest().write_var_uint(0);  // no deletes
  return enc->finish();
}

std::optional<PendingStructs> integrate_structs(Transaction& t, std::vector<ClientStructs>& decoded) {
  StructStore& store = t.doc().store();
  std::map<ClientId, ClientRefs> refs;
  for (auto& cs : decoded) {
    ClientRefs& cr = refs[cs.client];  // a client listed twice: the last section wins, as in yjs
    cr.refs = std::move(cs.structs);
    cr.i = 0;
  }
  std::vector<ClientId> ids;
  for (auto& [c, cr] : refs) ids.push_back(c);  // ascending
  if (ids.empty()) return std::nullopt;
  auto next_target = [&]() -> ClientRefs* {
    while (!ids.empty()) {
      ClientRefs* n = &refs[ids.back()];
      if (n->i < n->refs.size()) return n;
      ids.pop_back();
    }
    return nullptr;
  };
  ClientRefs* cur = next_target();
  if (!cur) return std::nullopt;
  std::map<ClientId, std::vector<StructRef>, std::greater<>> rest;
  StateVector missing_sv;
  auto update_missing = [&](ClientId c, Clock clock) {
    auto it = missing_sv.find(c);
    if (it == missing_sv.end() || it->second > clock) missing_sv[c] = clock;
  };
  std::vector<StructRef*> stack;
  std::unordered_map<ClientId, Clock> state;
  auto add_stack_to_rest = [&] {
    for (StructRef* item : stack) {
      ClientId client = item->id.client;
      auto it = refs.find(client);
      if (it != refs.end() && !it->second.removed) {
        ClientRefs& in = it->second;
        in.i--;
        std::vector<StructRef> slice;
        for (size_t k = in.i; k < in.refs.size(); ++k) slice.push_back(clone(in.refs[k]));
        rest[client] = std::move(slice);
        in.removed = true;
        in.i = 0;
        in.refs.clear();
      } else {
        std::vector<StructRef> one;
        one.push_back(clone(*item));
        rest[client] = std::move(one);
      }
      ids.erase(std::remove(ids.begin(), ids.end(), client), ids.end());
    }
    stack.clear();
  };
  // Pointers into refs vectors stay valid: vectors are only cleared after their items are
  // cloned, and a cleared client is never read again.
  StructRef* head = &cur->refs[cur->i++];
  while (true) {
    if (head->kind != StructRef::Kind::Skip) {
      ClientId client = head->id.client;
      Clock local = state.try_emplace(client, store.state(client)).first->second;
      if (local < head->id.clock) {
        stack.push_back(head);
        update_missing(client, head->id.clock - 1);
        add_stack_to_rest();
      } else {
        uint64_t offset = local - head->id.clock;
        Resolution res;
        std::optional<ClientId> missing = get_missing(t, *head, res);
        if (missing) {
          stack.push_back(head);
          auto it = refs.find(*missing);
          ClientRefs* sr = (it == refs.end() || it->second.removed) ? nullptr : &it->second;
          if (!sr || sr->i == sr->refs.size()) {
            update_missing(*missing, store.state(*missing));
            add_stack_to_rest();
          } else {
            head = &sr->refs[sr->i++];
            continue;
          }
        } else if (offset == 0 || offset < head->length) {
          Clock end = head->id.clock + head->length;
          integrate_ref(t, *head, res, offset);
          state[client] = end;
        }
      }
    }
    if (!stack.empty()) {
      head = stack.back();
      stack.pop_back();
    } else if (cur && cur->i < cur->refs.size()) {
      head = &cur->refs[cur->i++];
    } else {
      cur = next_target();
      if (!cur) break;
      head = &cur->refs[cur->i++];
    }
  }
  if (rest.empty()) return std::nullopt;
  return PendingStructs{std::move(missing_sv), encode_rest(rest)};
}

// yjs readAndApplyDeleteSet: deletes what is known; returns the rest as a v2 update.
std::optional<std::vector<uint8_t>> apply_delete_set(Transaction& t, const DeleteSet& ds) {
  StructStore& store = t.doc().store();
  DeleteSet unapplied;
  for (const auto& [client, ranges] : ds.clients()) {
    std::vector<Item*>* structs = store.client_structs(client);
    Clock state = store.state(client);
    for (const DeleteRange& d : ranges) {
      Clock clock = d.clock, clock_end = d.end();
      if (clock < state) {
        if (state < clock_end) unapplied.add(client, state, clock_end - state);
        size_t index = StructStore::find_index(*structs, clock);
        Item* s = (*structs)[index];
        if (!s->deleted() && s->id.clock < clock) {
          Item* r = split_item(t, s, clock - s->id.clock);
          structs->insert(structs->begin() + static_cast<ptrdiff_t>(index) + 1, r);
          index++;
        }
        while (index < structs->size()) {
          s = (*structs)[index++];
          if (s->id.clock >= clock_end) break;
          if (!s->deleted()) {
            if (clock_end < s->id.clock + s->length) {
              Item* r = split_item(t, s, clock_end - s->id.clock);
              structs->insert(structs->begin() + static_cast<ptrdiff_t>(index), r);
            }
            delete_item(t, s);
          }
        }
      } else {
        unapplied.add(client, clock, clock_end - clock);
      }
    }
  }
  if (unapplied.empty()) return std::nullopt;
  auto enc = make_update_encoder(UpdateVersion::V2);
  enc->rest().write_var_uint(0);  // no structs
  unapplied.write(*enc);
  return enc->finish();
}

Status integrate_decoded(Doc& doc, Transaction& t, Decoded& d,
                         std::optional<PendingStructs>& pending_structs,
                         std::optional<std::vector<uint8_t>>& pending_ds) {
  StructStore& store = doc.store();
  bool retry = false;
  std::optional<PendingStructs> rest = integrate_structs(t, d.clients);
  if (pending_structs) {
    for (const auto& [client, clock] : pending_structs->missing) {
      if (clock < store.state(client)) { retry = true; break; }
    }
    if (rest) {
      for (const auto& [client, clock] : rest->missing) {
        auto it = pending_structs->missing.find(client);
        if (it == pending_structs->missing.end() || it->second > clock) {
          pending_structs->missing[client] = clock;
        }
      }
      auto merged = merge_updates({pending_structs->update, rest->update}, UpdateVersion::V2);
      if (merged) pending_structs->update = std::move(merged.value());
    }
  } else {
    pending_structs = std::move(rest);
  }
  std::optional<std::vector<uint8_t>> ds_rest = apply_delete_set(t, d.ds);
  if (pending_ds) {
    auto stored = decode_update(*pending_ds, UpdateVersion::V2);
    std::optional<std::vector<uint8_t>> ds_rest2;
    if (stored) ds_rest2 = apply_delete_set(t, stored->ds);
    if (ds_rest && ds_rest2) {
      auto merged = merge_updates({*ds_rest, *ds_rest2}, UpdateVersion::V2);
      pending_ds = merged ? std::optional<std::vector<uint8_t>>(std::move(merged.value())) : ds_rest;
    } else {
      pending_ds = ds_rest ? std::move(ds_rest) : std::move(ds_rest2);
    }
  } else {
    pending_ds = std::move(ds_rest);
  }
  if (retry) {
    std::vector<uint8_t> update = std::move(pending_structs->update);
    pending_structs.reset();
    // The pending update was valid when it arrived; if it no longer validates (a hostile
    // peer's structs that now resolve into two parents), it is dropped, not half-applied.
    return apply_update_in(doc, t, update, UpdateVersion::V2);
  }
  return Status::Ok();
}

}  // namespace

Status apply_update_in(Doc& doc, Transaction& t, std::span<const uint8_t> update, UpdateVersion v) {
  auto decoded = decode_update(update, v);
  if (!decoded) return decoded.status();
  if (Status st = validate_update(doc, decoded->clients); !st) return st;
  return integrate_decoded(doc, t, *decoded, doc.pending_structs_, doc.pending_ds_);
}

Status Doc::apply_update(std::span<const uint8_t> update, UpdateVersion v) {
  auto decoded = decode_update(update, v);
  if (!decoded) return decoded.status();
  if (Status st = validate_update(*this, decoded->clients); !st) return st;
  Status result;
  bool initial = transaction_ == nullptr;
  if (initial) begin_transaction(Origin::Remote, false);
  Status st = integrate_decoded(*this, *transaction_, *decoded, pending_structs_, pending_ds_);
  if (initial) {
    bool finish = transaction_ == cleanups_.front().get();
    transaction_ = nullptr;
    if (finish) cleanup_transactions();
  }
  // A failure here can only come from re-applying an older pending update; the update
  // itself was applied.
  (void)st;
  return result;
}

}  // namespace tandem::crdt
