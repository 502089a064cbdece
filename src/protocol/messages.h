// The messages of the y-websocket protocol as the npm `y-websocket` provider frames them
// (y-protocols 1.0.7: sync.js, awareness.js, auth.js) plus Tandem's ack message: parsing
// one WebSocket message and encoding each kind byte for byte as y-protocols writes it.
// Framing only: the payloads (updates, state vectors, awareness updates) are handed on as
// spans and decoded by whoever uses them. Format: docs/wire.md.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "crdt/delete_set.h"

namespace tandem::protocol {

// The outer var-uint of every message (y-websocket's messageSync, messageAwareness, ...).
inline constexpr uint64_t kMessageSync = 0;
inline constexpr uint64_t kMessageAwareness = 1;
inline constexpr uint64_t kMessageAuth = 2;
inline constexpr uint64_t kMessageQueryAwareness = 3;
//! Tandem's own: the document's persisted state vector, sent only to clients that ask for it
//! (`?ack=1`). Far above y-websocket's numbers so that a future y-websocket type cannot clash.
inline constexpr uint64_t kMessageAck = 100;

// The var-uint after kMessageSync (y-protocols sync.js messageYjsSyncStep1, ...).
inline constexpr uint64_t kSyncTypeStep1 = 0;
inline constexpr uint64_t kSyncTypeStep2 = 1;
inline constexpr uint64_t kSyncTypeUpdate = 2;

// The var-uint after kMessageAuth (y-protocols auth.js messagePermissionDenied).
inline constexpr uint64_t kAuthPermissionDenied = 0;

//! What a message is, with the sync and auth sub-types resolved.
enum class MessageKind : uint8_t {
  kSyncStep1,       // payload: an encoded state vector
  kSyncStep2,       // payload: an update (v1)
  kSyncUpdate,      // payload: an update (v1)
  kAwareness,       // payload: an awareness update (awareness.h)
  kQueryAwareness,  // no payload
  kAuthDenied,      // payload: the reason, UTF-8 (checked)
  kAck,             // payload: the persisted state vector, encoded
};

//! "sync step 1", "awareness", ... for log lines and errors.
std::string_view to_string(MessageKind kind);

//! One parsed message. `payload` points into the buffer given to parse_message and is valid
//! as long as that buffer is.
struct Message {
  MessageKind kind = MessageKind::kQueryAwareness;
  std::span<const uint8_t> payload;

  //! The reason of a kAuthDenied message (the payload as text).
  std::string_view reason() const {
    return {reinterpret_cast<const char*>(payload.data()), payload.size()};
  }
};

//! Parses one WebSocket message. Strict: an unknown message type or sync/auth sub-type, a
//! length past the end, invalid UTF-8 in an auth reason and bytes after the last field are
//! errors whose message names the part being read and the byte offset. The one exception is
//! kAck, whose trailing bytes are ignored: they are where later versions add fields
//! (docs/wire.md, "Ack"). Never allocates and never reads past `data`.
Result<Message> parse_message(std::span<const uint8_t> data);

// Encoders: each returns the complete message, byte-identical to what y-protocols writes
// (writeSyncStep1 / writeSyncStep2 / writeUpdate after writeVarUint(messageSync), ...), built
// in one allocation of its exact size.

//! [0, 0, var-uint8array state_vector] (sync.js writeSyncStep1).
std::vector<uint8_t> encode_sync_step1(std::span<const uint8_t> state_vector);
//! [0, 1, var-uint8array update] (sync.js writeSyncStep2).
std::vector<uint8_t> encode_sync_step2(std::span<const uint8_t> update);
//! [0, 2, var-uint8array update] (sync.js writeUpdate).
std::vector<uint8_t> encode_sync_update(std::span<const uint8_t> update);
//! [1, var-uint8array awareness_update] (what y-websocket sends after encodeAwarenessUpdate).
std::vector<uint8_t> encode_awareness(std::span<const uint8_t> awareness_update);
//! [3] (y-websocket's messageQueryAwareness).
std::vector<uint8_t> encode_query_awareness();
//! [2, 0, var-string reason] (auth.js writePermissionDenied). Ill-formed UTF-8 in `reason`
//! is written as U+FFFD, as a JS string would carry it.
std::vector<uint8_t> encode_auth_denied(std::string_view reason);
//! [100, var-uint8array state_vector]: Tandem's ack with the persisted state vector (v1
//! encoding, yjs encodeStateVector).
std::vector<uint8_t> encode_ack(std::span<const uint8_t> state_vector);

//! Decodes the state vector of a sync step 1 or an ack (yjs decodeStateVector). Errors on
//! truncated input and on bytes after the last entry.
Result<crdt::StateVector> decode_state_vector(std::span<const uint8_t> state_vector);

//! Whether an ack's persisted state vector covers the edits a client made up to `clock`
//! (exclusive) as `client`: what a client checks to know those edits are durable.
inline bool acked(const crdt::StateVector& persisted, crdt::ClientId client, crdt::Clock clock) {
  const auto it = persisted.find(client);
  return clock == 0 || (it != persisted.end() && it->second >= clock);
}

}  // namespace tandem::protocol
