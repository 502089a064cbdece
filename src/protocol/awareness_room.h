// AwarenessRoom: the awareness states (cursors, names, colours) of one document's room on a
// server, relayed between its connections as y-websocket's server does it with a y-protocols
// Awareness (applyAwarenessUpdate, encodeAwarenessUpdate, removeAwarenessStates), with the
// ownership of client ids tracked per connection. Held in memory only, never stored.
// Format and relay rules: docs/wire.md, "Awareness".
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "protocol/awareness.h"

namespace tandem::protocol {

//! How the server names one connection of a room (any value unique within the room).
using ConnectionId = uint64_t;

//! Most client ids one connection may own. A y-websocket provider owns one (its Y.Doc's
//! clientID); a tool that speaks for a few users may own a few more. The cap bounds a room's
//! awareness at this times its connections.
inline constexpr size_t kMaxAwarenessClientsPerConnection = 16;

//! The awareness of one room. Rules, per entry of an update received from connection C
//! (applyAwarenessUpdate): it is applied when its clock is higher than the one known for its
//! client, or equal with a null state while the client has a state. A state makes C the
//! owner of the client id; a null state removes the state and remembers the clock. When C
//! closes, the clients it owns are removed and peers are told so with a null state at clock+1
//! (removeAwarenessStates), and the room forgets them.
//!
//! Invariants: every client the room knows is owned by exactly one open connection, listed
//! in owned_[owner]; order_ lists the clients that have a state, in the order they got it.
//!
//! Not thread-safe: a room belongs to the thread (or strand) of its document.
class AwarenessRoom {
 public:
  AwarenessRoom() = default;
  AwarenessRoom(const AwarenessRoom&) = delete;
  AwarenessRoom& operator=(const AwarenessRoom&) = delete;

  //! Applies the awareness update `update` (the payload of an awareness message) received
  //! from `conn`. Returns the awareness message to send to every connection of the room, the
  //! sender included (y-websocket does): the entries that changed, encoded; empty when none
  //! did. Errors, with nothing applied: an update that does not parse (awareness.h), or one
  //! that would make `conn` own more than kMaxAwarenessClientsPerConnection client ids.
  Result<std::vector<uint8_t>> apply(ConnectionId conn, std::span<const uint8_t> update);

  //! The awareness message with every client's current state, for a connection that has just
  //! joined; empty when no client has a state.
  std::vector<uint8_t> encode_states() const;

  //! `conn` has closed: removes the clients it owns. Returns the awareness message that tells
  //! the remaining connections (null states at clock+1); empty when `conn` owned none with a
  //! state.
  std::vector<uint8_t> remove_connection(ConnectionId conn);

  //! Clients with a state.
  size_t size() const { return order_.size(); }
  //! Client ids `conn` owns (with a state or removed).
  size_t owned_by(ConnectionId conn) const;

 private:
  struct Client {
    uint64_t clock = 0;
    std::string state;  // JSON text; empty when removed
    ConnectionId owner = 0;
    bool has_state() const { return !state.empty(); }
  };

  Status check_ownership_cap(ConnectionId conn, std::span<const AwarenessEntry> entries) const;
  enum class Change : uint8_t { kNone, kAdded, kUpdated, kRemoved };
  //! Applies one entry (applyAwarenessUpdate's loop body); says how peers must hear of it.
  Change apply_entry(ConnectionId conn, const AwarenessEntry& e);
  //! Makes `conn` the owner of `client_id` (`c` is its Client; `is_new`: it had no owner).
  void set_owner(uint64_t client_id, Client& c, ConnectionId conn, bool is_new);
  void drop_state(uint64_t client_id, Client& c);
  void forget_owned(ConnectionId conn, uint64_t client_id);
  AwarenessEntry entry_of(uint64_t client_id, const Client& c) const;

  std::unordered_map<uint64_t, Client> clients_;
  std::unordered_map<ConnectionId, std::vector<uint64_t>> owned_;
  std::vector<uint64_t> order_;
};

}  // namespace tandem::protocol
