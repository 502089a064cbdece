// Helpers shared by the interop checks against real Yjs (crdt_session_runner, crdt_golden_test):
// base64, reading members of js_parse'd values, and the structural comparison of a Yjs value as
// the generators write it (tagged JSON, tests/fixtures/golden/README.md "JSON conventions") with
// the value Tandem produces.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "crdt/any.h"
#include "crdt/type.h"

namespace tandem::interop {

//! Standard base64 (padding optional; characters outside the alphabet are skipped).
std::vector<uint8_t> b64decode(std::string_view s);

//! Hex of the first 48 bytes, with the total size if longer.
std::string hex_prefix(std::span<const uint8_t> b);

//! Where two byte strings first differ, with the bytes around that place; empty if equal.
std::string bytes_difference(std::span<const uint8_t> want, std::span<const uint8_t> got);

//! Member `key` of a JS object value (throws std::runtime_error if absent or not an object).
const crdt::Any& member(const crdt::Any& o, std::string_view key);
//! Member `key`, or nullptr if absent (or `o` is not an object).
const crdt::Any* find_member(const crdt::Any& o, std::string_view key);

//! Compares a generator's tagged JSON value `want` (parsed with js_parse) with a Tandem value
//! `got` (a to_json() or a delta). Object member order is not significant; numbers compare as
//! doubles, with the sign of zero. Tags: {"$undefined": true}, {"$number": "-0" | "NaN" |
//! "Infinity" | "-Infinity"}, {"$bigint": "decimal"}, {"$bytes": "base64"} (a Buffer),
//! {"$doc": {"guid", "opts"}} (a subdocument: Tandem's to_json gives {"guid"}, and "opts" when it
//! has them), {"$type": name, "json": v} (a shared type in a delta: Tandem gives the type's
//! to_json, compared with v; the type's kind is not visible here). Returns a description of
//! the first difference (with its path), or nothing if they match.
std::optional<std::string> json_difference(const crdt::Any& want, const crdt::Any& got,
                                           const std::string& path = "$");
inline bool same(const crdt::Any& want, const crdt::Any& got) {
  return !json_difference(want, got);
}

//! yjs YText.toDelta() as a value: [{insert, attributes?}, ...].
crdt::Any delta_json(const crdt::Type* text);

}  // namespace tandem::interop
