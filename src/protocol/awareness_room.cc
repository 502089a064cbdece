#include "protocol/awareness_room.h"

#include <algorithm>

#include "crdt/lib0_encoding.h"
#include "protocol/messages.h"

namespace tandem::protocol {

namespace {

constexpr std::string_view kNull = "null";

void erase_value(std::vector<uint64_t>& v, uint64_t x) {
  const auto it = std::find(v.begin(), v.end(), x);
  if (it != v.end()) v.erase(it);
}

}  // namespace

size_t AwarenessRoom::owned_by(ConnectionId conn) const {
  const auto it = owned_.find(conn);
  return it == owned_.end() ? 0 : it->second.size();
}

Status AwarenessRoom::check_ownership_cap(ConnectionId conn,
                                          std::span<const AwarenessEntry> entries) const {
  // Counted before anything is applied, so that an update over the cap changes nothing. An
  // entry counts if it could give `conn` a client it does not own yet.
  std::vector<uint64_t> gained;
  for (const AwarenessEntry& e : entries) {
    if (e.removed) continue;
    const auto it = clients_.find(e.client_id);
    if (it != clients_.end() && it->second.owner == conn) continue;
    if (std::find(gained.begin(), gained.end(), e.client_id) != gained.end()) continue;
    gained.push_back(e.client_id);
    if (owned_by(conn) + gained.size() > kMaxAwarenessClientsPerConnection) {
      return Status::Error("awareness update: the connection would own more than " +
                           std::to_string(kMaxAwarenessClientsPerConnection) + " client ids");
    }
  }
  return Status::Ok();
}

void AwarenessRoom::forget_owned(ConnectionId conn, uint64_t client_id) {
  const auto it = owned_.find(conn);
  if (it == owned_.end()) return;
  erase_value(it->second, client_id);
  if (it->second.empty()) owned_.erase(it);
}

void AwarenessRoom::set_owner(uint64_t client_id, Client& c, ConnectionId conn, bool is_new) {
  if (!is_new) {
    if (c.owner == conn) return;
    forget_owned(c.owner, client_id);
  }
  c.owner = conn;
  owned_[conn].push_back(client_id);
}

void AwarenessRoom::drop_state(uint64_t client_id, Client& c) {
  if (!c.has_state()) return;
  c.state.clear();
  c.state.shrink_to_fit();
  erase_value(order_, client_id);
}

AwarenessRoom::Change AwarenessRoom::apply_entry(ConnectionId conn, const AwarenessEntry& e) {
  auto it = clients_.find(e.client_id);
  const bool known = it != clients_.end();
  const uint64_t current_clock = known ? it->second.clock : 0;
  const bool has_state = known && it->second.has_state();
  if (!(current_clock < e.clock || (current_clock == e.clock && e.removed && has_state))) {
    return Change::kNone;
  }
  if (e.removed) {
    // A client the room does not know has nobody to own it: nothing to remember or relay
    // (y-protocols remembers its clock, but reports no change either).
    if (!known) return Change::kNone;
    it->second.clock = e.clock;
    drop_state(e.client_id, it->second);
    return Change::kRemoved;
  }
  if (!known) it = clients_.emplace(e.client_id, Client{}).first;
  Client& c = it->second;
  if (!c.has_state()) order_.push_back(e.client_id);
  c.clock = e.clock;
  c.state.assign(e.state_json);
  set_owner(e.client_id, c, conn, !known);
  return known ? Change::kUpdated : Change::kAdded;
}

AwarenessEntry AwarenessRoom::entry_of(uint64_t client_id, const Client& c) const {
  return AwarenessEntry{client_id, c.clock, c.has_state() ? std::string_view(c.state) : kNull,
                        !c.has_state()};
}

Result<std::vector<uint8_t>> AwarenessRoom::apply(ConnectionId conn,
                                                  std::span<const uint8_t> update) {
  auto parsed = parse_awareness_update(update);
  if (!parsed.ok()) return parsed.status();
  const std::vector<AwarenessEntry>& entries = *parsed;
  if (Status s = check_ownership_cap(conn, entries); !s.ok()) return s;

  // applyAwarenessUpdate sorts what changed into added, updated and removed; y-websocket
  // broadcasts them in that order (added.concat(updated, removed)) with their final state.
  std::vector<uint64_t> added, updated, removed;
  for (const AwarenessEntry& e : entries) {
    switch (apply_entry(conn, e)) {
      case Change::kNone: break;
      case Change::kAdded: added.push_back(e.client_id); break;
      case Change::kUpdated: updated.push_back(e.client_id); break;
      case Change::kRemoved: removed.push_back(e.client_id); break;
    }
  }

  std::vector<AwarenessEntry> changed;
  changed.reserve(added.size() + updated.size() + removed.size());
  for (const auto* list : {&added, &updated, &removed}) {
    for (uint64_t id : *list) changed.push_back(entry_of(id, clients_.at(id)));
  }
  if (changed.empty()) return std::vector<uint8_t>{};
  return encode_awareness(encode_awareness_update(changed));
}

std::vector<uint8_t> AwarenessRoom::encode_states() const {
  if (order_.empty()) return {};
  std::vector<AwarenessEntry> entries;
  entries.reserve(order_.size());
  for (uint64_t id : order_) entries.push_back(entry_of(id, clients_.at(id)));
  return encode_awareness(encode_awareness_update(entries));
}

std::vector<uint8_t> AwarenessRoom::remove_connection(ConnectionId conn) {
  const auto it = owned_.find(conn);
  if (it == owned_.end()) return {};
  const std::vector<uint64_t> ids = std::move(it->second);
  owned_.erase(it);
  std::vector<AwarenessEntry> removed;
  for (uint64_t id : ids) {
    const auto c = clients_.find(id);
    if (c == clients_.end()) continue;
    if (c->second.has_state()) {
      erase_value(order_, id);
      const uint64_t clock = std::min(c->second.clock + 1, crdt::kMaxSafeInteger);
      removed.push_back(AwarenessEntry{id, clock, kNull, true});
    }
    clients_.erase(c);
  }
  if (removed.empty()) return {};
  return encode_awareness(encode_awareness_update(removed));
}

}  // namespace tandem::protocol
