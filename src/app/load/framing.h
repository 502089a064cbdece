// Framing: how one load client's messages look on the wire in each server's dialect.
//
// - kYws: the y-websocket protocol as the npm `y-websocket` provider speaks it (y-protocols
//   sync/awareness, plus Tandem's ack), one document per connection named by the URL path.
//   Spoken by tandemd and @y/websocket-server. Parsed with protocol::parse_message.
// - kHocuspocus: the @hocuspocus/provider protocol (@hocuspocus/server 4.7, see
//   bench/README.md "Hocuspocus's framing"): every message starts with the document name as a
//   var-string, then a var-uint message type (0 sync, 1 awareness, 2 auth, 3 query-awareness,
//   4 sync reply, 5 stateless, 7 close, 8 sync status). The first message for a document must
//   be auth [2, 0 (token), var-string token, var-string provider version]; the server queues
//   anything else until it answers [2, 2 (authenticated), var-string scope].
//
// A value type; immutable after construction, so any thread may use it.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace tandem::load {

enum class Dialect : uint8_t { kYws, kHocuspocus };

//! "yws" / "hocuspocus".
std::string_view to_string(Dialect d);
Result<Dialect> parse_dialect(std::string_view name);

//! What a received message is, with the dialects' differences resolved.
enum class IncomingKind : uint8_t {
  kSyncStep1,      // payload: the sender's state vector
  kSyncStep2,      // payload: an update (v1)
  kUpdate,         // payload: an update (v1)
  kAwareness,      // ignored by load clients
  kQueryAwareness,
  kAuthenticated,  // Hocuspocus: the auth handshake succeeded
  kDenied,         // auth refused; `text` is the reason
  kAck,            // Tandem: the persisted state vector
  kSyncStatus,     // Hocuspocus: an update of ours was applied (1) or refused (0)
  kStateless,      // Hocuspocus: an application message
  kTokenRequest,   // Hocuspocus: the server asks for a (new) token; we have none
  kClose,          // Hocuspocus: the server closed the document; `text` is the reason
};

struct Incoming {
  IncomingKind kind = IncomingKind::kAwareness;
  std::span<const uint8_t> payload;  // points into the parsed buffer
  std::string_view text;             // reason of kDenied / kClose, into the parsed buffer
};

class Framing {
 public:
  Framing(Dialect dialect, std::string doc_name);

  Dialect dialect() const { return dialect_; }
  const std::string& doc_name() const { return doc_name_; }

  //! What a client sends once connected, in order: (Hocuspocus: auth, then) sync step 1
  //! with `state_vector`.
  std::vector<std::vector<uint8_t>> opening(std::span<const uint8_t> state_vector) const;
  std::vector<uint8_t> sync_step2(std::span<const uint8_t> update) const;
  std::vector<uint8_t> update(std::span<const uint8_t> update) const;
  //! A message that keeps an idle connection open where the server closes silent ones
  //! (Hocuspocus: an empty stateless message, which its default onStateless ignores); empty
  //! for kYws, whose servers ping instead.
  std::vector<uint8_t> keepalive() const;

  //! Parses one received message. Errors name the dialect, what was being read and where.
  Result<Incoming> parse(std::span<const uint8_t> message) const;

 private:
  std::vector<uint8_t> prefixed(std::vector<uint8_t> yws_message) const;
  Result<Incoming> parse_yws(std::span<const uint8_t> message) const;
  Result<Incoming> parse_hocuspocus(std::span<const uint8_t> message) const;

  Dialect dialect_;
  std::string doc_name_;
  std::vector<uint8_t> name_prefix_;  // var-string doc_name_ (Hocuspocus)
};

}  // namespace tandem::load
