// Awareness updates (y-protocols 1.0.7 awareness.js, encodeAwarenessUpdate and the reading
// half of applyAwarenessUpdate): a var-uint entry count, then per entry a var-uint client
// id, a var-uint clock and a var-string holding the client's state as JSON text ("null" when
// the client is gone). Validated before use: every state must be JSON (checked with
// Boost.JSON) and at most kMaxAwarenessStateBytes long. Format: docs/wire.md, "Awareness".
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace tandem::protocol {

//! Largest JSON text of one client's state. A y-websocket client's state is a user's name and
//! colour plus a cursor (two relative positions): a few hundred bytes. 8 KiB leaves room for
//! richer presence (a status line, an avatar URL) and keeps a room's awareness small: every
//! newcomer receives every state, and every change is sent to every connection.
inline constexpr size_t kMaxAwarenessStateBytes = 8 * 1024;

//! Deepest nesting of arrays and objects in a state. Presence data is flat; the bound keeps
//! the validator's stack small (Boost.JSON's own default).
inline constexpr size_t kMaxAwarenessStateDepth = 32;

//! One entry of an awareness update. `state_json` points into the parsed buffer (or whatever
//! the caller built the entry from).
struct AwarenessEntry {
  uint64_t client_id = 0;
  uint64_t clock = 0;
  std::string_view state_json;  // JSON text as received; "null" when the client is removed
  bool removed = false;         // the JSON value is null (JSON.parse(state) === null)
};

//! Parses an awareness update. Errors (with the byte offset): truncation, ids or clocks over
//! 2^53-1, a count larger than the bytes could hold, a state that is not UTF-8 or not JSON,
//! longer than kMaxAwarenessStateBytes or nested deeper than kMaxAwarenessStateDepth, and
//! bytes after the last entry. Stricter than JSON.parse in one corner: an escaped lone
//! surrogate ("\ud800") is rejected (Boost.JSON 1.81 has no option to accept it; JSON.stringify
//! only writes one for a JS string that holds a lone surrogate).
Result<std::vector<AwarenessEntry>> parse_awareness_update(std::span<const uint8_t> update);

//! Checks one state's JSON text as parse_awareness_update does; returns whether it is null.
Result<bool> validate_awareness_state(std::string_view state_json);

//! Encodes entries as y-protocols encodeAwarenessUpdate writes them (state text as given),
//! in one allocation of the exact size.
std::vector<uint8_t> encode_awareness_update(std::span<const AwarenessEntry> entries);

}  // namespace tandem::protocol
