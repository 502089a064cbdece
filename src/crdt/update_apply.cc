#include "crdt/update_apply.h"

#include <algorithm>
#include <array>
#include <map>

#include "crdt/doc.h"
#include "crdt/item_ops.h"
#include "crdt/update_ops.h"

namespace tandem::crdt {

namespace {

std::string id_str(ID id) {
  std::string out = "(";
  out += std::to_string(id.client);
  out += ',';
  out += std::to_string(id.clock);
  out += ')';
  return out;
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

void write_structs(UpdateEncoder& enc, const Doc& doc, const StructList& structs,
                   ClientId client, Clock clock) {
  clock = std::max(clock, structs[0]->id.clock);
  size_t start = StructStore::find_index(structs, clock);
  enc.rest().write_var_uint(structs.size() - start);
  enc.write_client(client);
  enc.rest().write_var_uint(clock);
  const Item* first = structs[start];
  structs.for_each_from(start, [&](const Item* s) {
    write_item(enc, doc, s, s == first ? clock - s->id.clock : 0);
  });
}

}  // namespace

namespace {
//! yjs writeClientsStructs: the structs of every client from the clock in `from` (clients
//! listed in descending order, with clocks below their state).
template <class It>
void write_clients_structs(UpdateEncoder& enc, const Doc& doc, It begin, It end) {
  const StructStore& store = doc.store();
  enc.rest().write_var_uint(static_cast<uint64_t>(end - begin));
  for (It c = begin; c != end; ++c) {
    write_structs(enc, doc, *store.client_structs(c->client), c->client, c->clock);
  }
}

void write_doc_structs(UpdateEncoder& enc, const Doc& doc, const StateVector& target) {
  const StructStore& store = doc.store();
  std::vector<ClientClock> from;
  for (const auto& [client, clock] : target) {
    if (store.state(client) > clock) from.push_back({client, clock});
  }
  for (const auto& [client, structs] : store.clients()) {
    if (!structs.empty() && !target.count(client)) from.push_back({client, 0});
  }
  std::sort(from.begin(), from.end(),
            [](const ClientClock& a, const ClientClock& b) { return a.client > b.client; });
  write_clients_structs(enc, doc, from.begin(), from.end());
}
}  // namespace

std::vector<uint8_t> encode_transaction_update(Doc& doc, Transaction& t, UpdateVersion v) {
  auto enc = make_update_encoder(v);
  // The clients whose state differs from the transaction's beforeState are exactly those
  // appended to since it started; appended_clients() is ascending, the update descending.
  const std::vector<ClientClock>& from = t.appended_clients();
  write_clients_structs(*enc, doc, from.rbegin(), from.rend());
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
  enum class Kind : uint8_t { Unknown, GC, Known } kind = Kind::Unknown;
  const void* type = nullptr;        // an existing Type*, or the StructRef that creates the type
  const std::string* root = nullptr;  // a root not created yet, by name
  const std::string* sub = nullptr;   // the map key, if any
  bool same_as(const ParentKey& o) const {
    auto eq = [](const std::string* a, const std::string* b) {
      return a == b || (a && b && *a == *b);
    };
    return type == o.type && eq(root, o.root) && eq(sub, o.sub);
  }
};

//! Resolves the parent of every item of an update without changing anything, so that an
//! inconsistent update is rejected before integration starts. Flat arrays indexed by struct
//! position: updates on the hot path hold one or two structs, so setting up must cost little.
class Validator {
 public:
  enum class State : uint8_t { Todo, InProgress, Done };
  struct Node {
    const StructRef* ref;
    Clock clock;  // ref->id.clock, contiguous for searching
    State state;
    ParentKey key;  // valid when Done
  };
  //! A struct whose parent is being resolved: which side (origin, right origin) comes next,
  //! and what the sides resolved to so far.
  struct Frame {
    explicit Frame(size_t n) : node(n) {}
    size_t node;
    uint8_t stage = 0;  // 0: origin next, 1: right origin next, 2: both done
    ParentKey left, right;
  };
  struct Section {
    ClientId client;
    size_t begin, end;  // indexes into nodes
    //! Where the last search in this section ended, for each kind of lookup (origins, right
    //! origins, parents): each kind moves through the section on its own.
    std::array<size_t, 3> cursor;
  };
  //! The arrays, kept per thread from one update to the next (validation never nests).
  struct Buffers {
    std::vector<Node> nodes;
    std::vector<Section> sections;
    std::vector<Frame> stack;
    //! After a big update (a document load), frees what it grew.
    void trim() {
      if (nodes.capacity() > 256 || sections.capacity() > 256 || stack.capacity() > 256) *this = Buffers();
    }
  };

  Validator(const Doc& doc, const std::vector<ClientStructs>& clients, Buffers& buf)
      : doc_(doc), nodes_(buf.nodes), sections_(buf.sections), stack_(buf.stack) {
    nodes_.clear();
    sections_.clear();
    size_t n = 0;
    for (const auto& cs : clients) n += cs.structs.size();
    nodes_.reserve(n);
    for (const auto& cs : clients) {
      if (cs.structs.empty()) continue;
      const size_t begin = nodes_.size();
      sections_.push_back({cs.client, begin, begin + cs.structs.size(), {begin, begin, begin}});
      for (const auto& s : cs.structs) nodes_.push_back(Node{&s, s.id.clock, State::Todo, {}});
    }
    // A client listed twice: the last section wins, as in yjs.
    if (sections_.size() > 1) {
      std::stable_sort(sections_.begin(), sections_.end(),
                       [](const Section& a, const Section& b) { return a.client < b.client; });
      for (size_t k = 1; k < sections_.size(); ++k) {
        if (sections_[k].client == sections_[k - 1].client) unique_clients_ = false;
      }
    }
  }
  Validator(const Validator&) = delete;
  Validator& operator=(const Validator&) = delete;

  Status run() {
    for (size_t i = 0; i < nodes_.size(); ++i) {
      const StructRef& s = *nodes_[i].ref;
      if (s.kind != StructRef::Kind::Item) continue;
      if (Status st = check_ids(s); !st) return st;
      if (nodes_[i].state == State::Todo) {
        // Typing: the struct continues an item of the store, whose parent is its own.
        if (const Item* left = appendable_to(doc_.store(), s)) {
          nodes_[i].state = State::Done;
          nodes_[i].key.kind = ParentKey::Kind::Known;
          nodes_[i].key.type = left->parent;
          continue;
        }
      }
      if (Status st = resolve(i); !st) return st;
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
    return Status::Ok();
  }

  // Index of the struct of this update containing `id`, or kNone. Most origins are the struct
  // just before the one asking (`near`): that is tried first.
  static constexpr size_t kNone = static_cast<size_t>(-1);
  enum Lookup : uint8_t { kOrigin, kRightOrigin, kParent };
  size_t find_ref(ID id, size_t near, Lookup lookup) {
    auto contains = [&](size_t k) {
      const StructRef* r = nodes_[k].ref;
      return r->id.client == id.client && r->id.clock <= id.clock && id.clock < r->id.clock + r->length;
    };
    if (near > 0 && near < nodes_.size() && unique_clients_ && contains(near - 1)) return near - 1;
    size_t found = kNone;
    for (Section& sec : sections_) {
      if (sec.client != id.client) continue;
      size_t r = upper_bound_from_cursor(sec, sec.cursor[lookup], id.clock);
      if (r == sec.begin) continue;
      size_t k = r - 1;
      sec.cursor[lookup] = k;
      if (id.clock < nodes_[k].clock + nodes_[k].ref->length) found = k;
    }
    return found;
  }

  // The first node of `sec` starting after `clock` (sec.end if none). Gallops out from the
  // cursor `c`, then bisects: in a big update (a document load) the origins of
  // successive structs tend to lie close together, so this is far cheaper than bisecting the
  // whole section each time.
  size_t upper_bound_from_cursor(const Section& sec, size_t c, Clock clock) const {
    auto at_or_before = [&](size_t k) { return nodes_[k].clock <= clock; };
    size_t lo, hi;  // nodes before lo start at or before `clock`, nodes from hi after it
    if (at_or_before(c)) {
      lo = c + 1;
      hi = sec.end;
      for (size_t step = 1; c + step < sec.end; step *= 2) {
        if (!at_or_before(c + step)) {
          hi = c + step;
          break;
        }
        lo = c + step + 1;
      }
    } else {
      lo = sec.begin;
      hi = c;
      for (size_t step = 1; step <= c - sec.begin; step *= 2) {
        if (at_or_before(c - step)) {
          lo = c - step + 1;
          break;
        }
        hi = c - step;
      }
    }
    auto r = std::upper_bound(nodes_.begin() + static_cast<ptrdiff_t>(lo),
                              nodes_.begin() + static_cast<ptrdiff_t>(hi), clock,
                              [](Clock v, const Node& n) { return v < n.clock; });
    return static_cast<size_t>(r - nodes_.begin());
  }

  //! One side (origin or right origin) of a struct: known already (`key`), or held by the
  //! struct `dep` of this update, whose parent has to be resolved first.
  struct Side {
    ParentKey key;
    size_t dep = kNone;
  };
  Side locate(ID id, size_t near, Lookup lookup) {
    Side side;
    if (const Item* item = doc_.store().find_if_exists(id)) {
      if (item->is_gc()) {
        side.key.kind = ParentKey::Kind::GC;
      } else {
        side.key.kind = ParentKey::Kind::Known;
        side.key.type = item->parent;
        side.key.sub = item->parent_sub;
      }
      return side;
    }
    size_t r = find_ref(id, near, lookup);
    if (r == kNone || nodes_[r].ref->kind == StructRef::Kind::Skip) return side;  // unknown
    if (nodes_[r].ref->kind == StructRef::Kind::GC) {
      side.key.kind = ParentKey::Kind::GC;
      return side;
    }
    side.dep = r;
    return side;
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
    size_t i = find_ref(id, 0, kParent);
    if (i == kNone || nodes_[i].ref->kind == StructRef::Kind::Skip) return Status::Ok();
    const StructRef* r = nodes_[i].ref;
    bool is_type = r->kind == StructRef::Kind::Item && r->content.ref() == ContentRef::Type;
    out.kind = is_type ? ParentKey::Kind::Known : ParentKey::Kind::GC;
    if (is_type) out.type = r;
    return Status::Ok();
  }

  // Resolves the parent of struct `root` and of every struct of this update it depends on,
  // depth first, origin before right origin, with an explicit stack: a hostile update can
  // chain millions of structs, far too deep for recursion. A struct met again while its own
  // resolution is under way (a cycle) counts as unknown: it stays pending, as in yjs.
  Status resolve(size_t root) {
    if (nodes_[root].state != State::Todo) return Status::Ok();
    stack_.clear();
    stack_.push_back(Frame{root});
    nodes_[root].state = State::InProgress;
    while (!stack_.empty()) {
      Frame& f = stack_.back();
      if (f.stage < 2) {
        const StructRef* s = nodes_[f.node].ref;
        const bool origin = f.stage == 0;
        ++f.stage;
        const std::optional<ID>& id = origin ? s->origin : s->right_origin;
        if (!id) continue;
        Side side = locate(*id, f.node, origin ? kOrigin : kRightOrigin);
        ParentKey& out = origin ? f.left : f.right;
        if (side.dep == kNone) {
          out = side.key;
          continue;
        }
        Node& dep = nodes_[side.dep];
        if (dep.state == State::Done) {
          out = dep.key;
        } else if (dep.state == State::Todo) {
          dep.state = State::InProgress;
          stack_.push_back(Frame{side.dep});  // fills `out` when done (below); `f` is stale now
        }
        continue;
      }
      ParentKey k;
      if (Status st = parent_from_sides(f.node, f.left, f.right, k); !st) return st;
      Node& node = nodes_[f.node];
      node.state = State::Done;
      node.key = k;
      stack_.pop_back();
      if (!stack_.empty()) {
        Frame& waiting = stack_.back();  // pushed this struct while on the side it just left
        (waiting.stage == 1 ? waiting.left : waiting.right) = k;
      }
    }
    return Status::Ok();
  }

  // The parent of struct i, from what its origin and right origin resolved to.
  Status parent_from_sides(size_t i, const ParentKey& left, const ParentKey& right, ParentKey& k) {
    const StructRef* s = nodes_[i].ref;
    if (left.kind == ParentKey::Kind::Known && right.kind == ParentKey::Kind::Known &&
        !left.same_as(right)) {
      return Status::Error("struct " + id_str(s->id) + ": origin and right origin are in different parents");
    }
    if (left.kind == ParentKey::Kind::GC || right.kind == ParentKey::Kind::GC) {
      k.kind = ParentKey::Kind::GC;
    } else if (s->origin || s->right_origin) {
      k = left.kind == ParentKey::Kind::Known ? left : right;
    } else {
      if (const auto* name = std::get_if<std::string>(&s->parent)) {
        // An existing root is identified by its Type, as items of the store see it.
        k.kind = ParentKey::Kind::Known;
        for (const auto& [n, t] : doc_.roots()) {
          if (n == *name) k.type = t.get();
        }
        if (k.type == nullptr) k.root = name;
      } else if (const ID* pid = std::get_if<ID>(&s->parent)) {
        if (Status st = type_of_id(*pid, k); !st) return st;
      } else {
        return Status::Error("struct " + id_str(s->id) + " has neither origins nor a parent");
      }
      if (k.kind == ParentKey::Kind::Known && s->parent_sub) k.sub = &*s->parent_sub;
    }
    return Status::Ok();
  }

  const Doc& doc_;
  std::vector<Node>& nodes_;
  std::vector<Section>& sections_;
  std::vector<Frame>& stack_;
  bool unique_clients_ = true;  // no client has two sections
};

}  // namespace

Status validate_update(const Doc& doc, const std::vector<ClientStructs>& clients) {
  thread_local Validator::Buffers buffers;
  Status st = Validator(doc, clients, buffers).run();
  buffers.trim();
  return st;
}

}  // namespace tandem::crdt
