// The integration loop of yjs's readUpdateV2 / integrateStructs, with pending structs and
// pending deletes, on top of decoding and validating the whole update first.
#include <algorithm>
#include <cassert>
#include <map>
#include <unordered_map>

#include "crdt/doc.h"
#include "crdt/item_ops.h"
#include "crdt/update_apply.h"
#include "crdt/update_codec_impl.h"
#include "crdt/update_ops.h"

namespace tandem::crdt {

namespace {

struct Decoded {
  std::vector<ClientStructs> clients;
  DeleteSet ds;
};

template <class Dec>
void read_update(Dec& dec, Decoded& d) {
  read_struct_section(dec, d.clients);
  d.ds = DeleteSet::read(dec);
}

// Decodes `update` into `d`, reusing its storage. On error `d` holds a partial result.
Status decode_update_into(std::span<const uint8_t> update, UpdateVersion v, Decoded& d) {
  try {
    if (v == UpdateVersion::V1) {
      detail::UpdateDecoderV1 dec(update);  // on the stack: most updates are a few bytes
      dec.set_input_size(update.size());
      read_update(dec, d);
    } else {
      read_update(*make_update_decoder(v, update), d);
    }
    return Status::Ok();
  } catch (const DecodeError& e) {
    return Status::Error(std::string("malformed update: ") + e.what());
  }
}

Result<Decoded> decode_update(std::span<const uint8_t> update, UpdateVersion v) {
  Decoded d;
  if (Status st = decode_update_into(update, v, d); !st) return st;
  return d;
}

struct Resolution {
  Item* left = nullptr;
  Item* right = nullptr;
  Type* parent = nullptr;
  const std::string* sub = nullptr;
};

struct ClientRefs {
  ClientId client = 0;
  std::vector<StructRef> refs;
  size_t i = 0;
  bool removed = false;  // moved to the rest (yjs deletes it from clientsStructRefs)
  bool has_state = false;
  Clock state = 0;       // the client's clock as integration proceeds (set on first use)
};

//! Storage integrate_structs reuses from one update to the next.
struct IntegrateBuffers {
  std::vector<ClientRefs> refs;  // ascending by client
  std::vector<ClientId> ids;
  std::vector<StructRef*> stack;
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

ClientRefs* find_refs(std::vector<ClientRefs>& refs, ClientId client) {
  auto it = std::lower_bound(refs.begin(), refs.end(), client,
                             [](const ClientRefs& r, ClientId c) { return r.client < c; });
  return it != refs.end() && it->client == client ? &*it : nullptr;
}

// Moves the decoded sections into buf.refs (swapping vectors, so that both keep their
// storage), ascending by client; of a client listed twice the last section wins, as in yjs.
void collect_refs(std::vector<ClientStructs>& decoded, std::vector<ClientRefs>& refs) {
  size_t n = 0;
  for (auto& cs : decoded) {
    if (n == refs.size()) refs.emplace_back();
    ClientRefs& cr = refs[n++];
    cr.client = cs.client;
    cr.refs.clear();
    cr.refs.swap(cs.structs);
    cr.i = 0;
    cr.removed = false;
    cr.has_state = false;
  }
  refs.resize(n);
  if (n < 2) return;
  std::stable_sort(refs.begin(), refs.end(),
                   [](const ClientRefs& a, const ClientRefs& b) { return a.client < b.client; });
  // Keep the last of each run of equal clients.
  size_t out = 0;
  for (size_t k = 0; k < n; ++k) {
    if (k + 1 < n && refs[k + 1].client == refs[k].client) continue;
    if (out != k) std::swap(refs[out], refs[k]);
    ++out;
  }
  refs.resize(out);
}

std::optional<PendingStructs> integrate_structs(Transaction& t, std::vector<ClientStructs>& decoded,
                                                IntegrateBuffers& buf) {
  StructStore& store = t.doc().store();
  std::vector<ClientRefs>& refs = buf.refs;
  collect_refs(decoded, refs);
  std::vector<ClientId>& ids = buf.ids;
  ids.clear();
  for (auto& cr : refs) ids.push_back(cr.client);  // ascending
  if (ids.empty()) return std::nullopt;
  auto next_target = [&]() -> ClientRefs* {
    while (!ids.empty()) {
      ClientRefs* n = find_refs(refs, ids.back());
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
  std::vector<StructRef*>& stack = buf.stack;
  stack.clear();
  auto add_stack_to_rest = [&] {
    for (StructRef* item : stack) {
      ClientId client = item->id.client;
      ClientRefs* in = find_refs(refs, client);
      if (in && !in->removed) {
        in->i--;
        std::vector<StructRef> slice;
        for (size_t k = in->i; k < in->refs.size(); ++k) slice.push_back(clone(in->refs[k]));
        rest[client] = std::move(slice);
        in->removed = true;
        // yjs empties the list; here it is only marked exhausted, so that later stack
        // entries pointing into it stay valid until they are cloned.
        in->i = in->refs.size();
      } else {
        std::vector<StructRef> one;
        one.push_back(clone(*item));
        rest[client] = std::move(one);
      }
      ids.erase(std::remove(ids.begin(), ids.end(), client), ids.end());
    }
    stack.clear();
  };
  // Pointers into refs vectors stay valid: a client moved to the rest keeps its (exhausted)
  // vector until the end, and is never read again.
  StructRef* head = &cur->refs[cur->i++];
  while (true) {
    if (head->kind != StructRef::Kind::Skip) {
      ClientId client = head->id.client;
      ClientRefs* own = find_refs(refs, client);  // heads always come from refs
      if (!own->has_state) {
        own->has_state = true;
        own->state = store.state(client);
      }
      Clock local = own->state;
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
          ClientRefs* sr = find_refs(refs, *missing);
          if (sr && sr->removed) sr = nullptr;
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
          own->state = end;
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

// Grows the item `s` continues (appendable_to) by s's content, as integrating `s` and merging
// it into that item in the cleanup would. Returns false, having changed nothing, if `s` does
// not continue one.
bool append_to_left(Transaction& t, StructRef& s) {
  Item* left = appendable_to(t.doc().store(), s);
  if (!left) return false;
  t.doc().append_to_struct(left, s.content, s.length);
  left->parent->add_length(static_cast<int64_t>(s.length));
  add_changed_type(t, left->parent, nullptr);
  return true;
}

// The common update: the structs of one client, continuing what the store holds of it, whose
// origins and parents the store already holds. integrate_structs would take them in order
// and find nothing missing; this does the same without its bookkeeping for pending structs.
// Returns false, having changed nothing, for any other update.
// `last_in_transaction`: nothing integrates after this section in the transaction (no outer
// transaction, no pending update to retry). Only then may its last struct grow the item it
// continues (append_to_left): yjs merges them at the cleanup, and until then a later
// integration's conflict scan tells the two items apart (itemsBeforeOrigin holds items, and
// getItem of an origin in the new part is the new item). Found by fuzz_apply_v2.
bool integrate_in_order(Transaction& t, ClientStructs& section, bool last_in_transaction) {
  StructStore& store = t.doc().store();
  const ClientId client = section.client;
  if (section.structs.empty()) return true;
  if (section.structs.front().id.clock > store.state(client)) return false;
  // Refs to the same client are to earlier clocks (validated), integrated by then.
  auto known = [&](const ID& id) { return id.client == client || id.clock < store.state(id.client); };
  for (const StructRef& s : section.structs) {
    if (s.kind == StructRef::Kind::Skip) return false;
    if (s.kind != StructRef::Kind::Item) continue;
    if (s.origin && !known(*s.origin)) return false;
    if (s.right_origin && !known(*s.right_origin)) return false;
    if (const ID* pid = std::get_if<ID>(&s.parent); pid && !known(*pid)) return false;
  }
  for (StructRef& s : section.structs) {
    const Clock local = store.state(client);
    const uint64_t offset = local - s.id.clock;  // the structs are contiguous: local >= clock
    if (offset != 0 && offset >= s.length) continue;  // already known
    if (offset == 0 && last_in_transaction && &s == &section.structs.back() && append_to_left(t, s)) continue;
    Resolution res;
    [[maybe_unused]] std::optional<ClientId> missing = get_missing(t, s, res);
    assert(!missing);
    integrate_ref(t, s, res, offset);
  }
  return true;
}

}  // namespace

Item* appendable_to(const StructStore& store, const StructRef& s) {
  if (s.kind != StructRef::Kind::Item || !s.origin || s.parent_sub ||
      !std::holds_alternative<std::monostate>(s.parent)) {
    return nullptr;
  }
  const ContentRef kind = s.content.ref();
  if (kind != ContentRef::String && kind != ContentRef::Any && kind != ContentRef::JSON) return nullptr;
  const StructList* structs = store.client_structs(s.id.client);
  if (!structs || structs->empty()) return nullptr;
  Item* left = structs->back();
  if (left->is_gc() || left->deleted() || left->parent_sub || left->content.ref() != kind ||
      left->id.clock + left->length != s.id.clock || *s.origin != left->last_id() ||
      left->right_origin() != s.right_origin) {
    return nullptr;
  }
  const Item* right = left->right;
  if (s.right_origin ? !(right && right->id == *s.right_origin) : right != nullptr) return nullptr;
  const Item* parent_item = left->parent->item();
  if (parent_item && parent_item->deleted()) return nullptr;
  return left;
}

std::optional<std::vector<uint8_t>> apply_delete_set(Transaction& t, const DeleteSet& ds) {
  StructStore& store = t.doc().store();
  DeleteSet unapplied;
  for (const auto& [client, ranges] : ds.clients()) {
    StructList* structs = store.client_structs(client);
    Clock state = store.state(client);
    // Ranges come sorted (yjs writes them so; any order still works).
    std::optional<size_t> near;
    for (const DeleteRange& d : ranges) {
      Clock clock = d.clock, clock_end = d.end();
      if (clock < state) {
        if (state < clock_end) unapplied.add(client, state, clock_end - state);
        size_t index = structs->find_range_index(clock, ranges.size(), near);
        Item* s = (*structs)[index];
        if (!s->deleted() && s->id.clock < clock) {
          Item* r = split_item(t, s, clock - s->id.clock);
          structs->insert(index + 1, r);
          index++;
        }
        while (index < structs->size()) {
          s = (*structs)[index++];
          if (s->id.clock >= clock_end) break;
          if (!s->deleted()) {
            if (clock_end < s->id.clock + s->length) {
              Item* r = split_item(t, s, clock_end - s->id.clock);
              structs->insert(index, r);
            }
            delete_item(t, s);
          }
        }
        near = index;
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

namespace {

// `own_transaction`: `t` was begun for this update alone.
Status integrate_decoded(Doc& doc, Transaction& t, Decoded& d, IntegrateBuffers& buf,
                         std::optional<PendingStructs>& pending_structs,
                         std::optional<std::vector<uint8_t>>& pending_ds, bool own_transaction) {
  StructStore& store = doc.store();
  bool retry = false;
  std::optional<PendingStructs> rest;
  const bool last_in_transaction = own_transaction && !pending_structs;
  if (d.clients.size() != 1 || !integrate_in_order(t, d.clients.front(), last_in_transaction)) {
    rest = integrate_structs(t, d.clients, buf);
  }
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

//! What Doc::apply_update reuses from one update to the next: most updates hold a struct or
//! two, and allocating these buffers afresh for each one dominated applying them. One per
//! thread, as a Doc belongs to one thread; `in_use` makes a nested apply_update (an update
//! listener applying to another doc) allocate its own.
struct ApplyScratch {
  Decoded decoded;
  IntegrateBuffers integrate;
  bool in_use = false;

  //! Ends a use: drops what the update left, and buffers grown by a big update (loading a
  //! document) so that they don't stay allocated.
  void release() {
    in_use = false;
    constexpr size_t kKeep = 64;
    bool big = decoded.clients.size() > kKeep || integrate.refs.size() > kKeep ||
               integrate.ids.capacity() > kKeep || integrate.stack.capacity() > kKeep;
    for (auto& cs : decoded.clients) {
      cs.structs.clear();
      big = big || cs.structs.capacity() > kKeep;
    }
    for (auto& cr : integrate.refs) {
      cr.refs.clear();
      big = big || cr.refs.capacity() > kKeep;
    }
    decoded.ds.clear();
    if (big) {
      std::vector<ClientStructs>().swap(decoded.clients);
      integrate = IntegrateBuffers();
    }
  }
};

ApplyScratch& apply_scratch() {
  thread_local ApplyScratch scratch;
  return scratch;
}

}  // namespace

Status apply_update_in(Doc& doc, Transaction& t, std::span<const uint8_t> update, UpdateVersion v) {
  auto decoded = decode_update(update, v);
  if (!decoded) return decoded.status();
  if (Status st = validate_update(doc, decoded->clients); !st) return st;
  IntegrateBuffers buf;
  return integrate_decoded(doc, t, *decoded, buf, doc.pending_structs_, doc.pending_ds_, false);
}

bool Doc::is_empty_for_load() const {
  return options_.direct_load && store_.clients().empty() && !has_pending() &&
         transaction_ == nullptr && cleanups_.empty();
}

void Doc::undo_failed_load(size_t roots_before) {
  // The transaction is dropped unfinished: no update is emitted, nothing is observed.
  spare_ = std::move(cleanups_.front());
  spare_->clear();
  cleanups_.clear();
  transaction_ = nullptr;
  roots_.resize(roots_before);  // roots the update named, created while integrating it
  for (auto& [name, root] : roots_) root->reset_children();
  store_.clear();
  pending_structs_.reset();
  pending_ds_.reset();
}

Status Doc::apply_update(std::span<const uint8_t> update, UpdateVersion v) {
  if (is_empty_for_load()) {
    // Loading into an empty document (a stored document, a client's first sync): decoded
    // straight into items and integrated without validating first (update_load.cc). An
    // update that path declines — malformed, invalid, or with structs or deletes that would
    // wait for others — is undone and takes the general path below, which gives the result
    // it would have given at once (and the error, if any).
    const size_t roots_before = roots_.size();
    begin_transaction(Origin::Remote, false);
    if (load_into_empty(*this, *transaction_, update, v)) {
      transaction_ = nullptr;
      cleanup_transactions();
      return Status::Ok();
    }
    undo_failed_load(roots_before);
  }
  ApplyScratch& shared = apply_scratch();
  std::optional<ApplyScratch> own;  // only if the shared one is busy
  ApplyScratch& scratch = shared.in_use ? own.emplace() : shared;
  scratch.in_use = true;
  struct Lease {  // releases the scratch on every return
    ApplyScratch* s;
    void end() {
      if (s) s->release();
      s = nullptr;
    }
    ~Lease() { end(); }
  } lease{&scratch};
  Decoded& decoded = scratch.decoded;
  if (Status st = decode_update_into(update, v, decoded); !st) return st;
  if (Status st = validate_update(*this, decoded.clients); !st) return st;
  bool initial = transaction_ == nullptr;
  if (initial) begin_transaction(Origin::Remote, false);
  // The update itself is integrated whatever this returns: an error can only come from
  // re-applying an older pending update that no longer validates, which is then dropped
  // (see the closing note of issue 2: to be surfaced as a counter).
  (void)integrate_decoded(*this, *transaction_, decoded, scratch.integrate, pending_structs_,
                          pending_ds_, initial);
  // The decoded update is consumed: free the scratch before listeners run (they may apply
  // updates to other docs of this thread).
  lease.end();
  if (initial) {
    bool finish = transaction_ == cleanups_.front().get();
    transaction_ = nullptr;
    if (finish) cleanup_transactions();
  }
  return Status::Ok();
}

}  // namespace tandem::crdt
