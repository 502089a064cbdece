// Splitting a large sync step 2 (the initial sync of a big document) into several messages
// that each stay under a byte cap, so that the frames pass proxies and the server's own
// frame-size cap. Every part is a valid Yjs update (v1) on its own; applying them in order
// gives the document the whole update gives. Format: docs/wire.md, "Large initial syncs".
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "common/status.h"

namespace tandem::protocol {

//! Smallest cap split_sync_step2 accepts: room for the framing, one client's section header
//! (ids up to 2^53) and a struct's origins with a few units of content.
inline constexpr size_t kMinSyncMessageBytes = 256;

//! The messages that carry `update` (a v1 update, typically Doc::encode_state_as_update
//! against the client's state vector) in place of encode_sync_step2(update):
//!  - when that message is at most `max_message_bytes` long: exactly it;
//!  - otherwise several messages, each at most `max_message_bytes` long: sync updates
//!    (encode_sync_update) and, last, a sync step 2, so that a y-websocket provider reports
//!    `synced` only once everything has arrived.
//! The parts hold the update's structs in order, client section by client section, a long
//! string or array item cut into several items (as Yjs itself splits items; never inside a
//! surrogate pair), then its delete set, cut by ranges if it is long. A part may depend on
//! structs of a later part (another client's): Yjs keeps such structs pending until those
//! arrive. The one case that exceeds the cap: a struct that cannot be cut (an embed, a
//! format mark, a nested type, a subdocument, binary content, or a root name or map key
//! longer than the cap) and does not fit in a message alone is sent alone in one message.
//! Errors: `max_message_bytes` under kMinSyncMessageBytes, an update that does not decode.
Result<std::vector<std::vector<uint8_t>>> split_sync_step2(std::span<const uint8_t> update,
                                                          size_t max_message_bytes);

}  // namespace tandem::protocol
