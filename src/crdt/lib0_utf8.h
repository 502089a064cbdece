// UTF-8 checks shared by the lib0 codecs: strict validation as lib0's TextDecoder
// ({fatal: true}) performs it, and lengths in UTF-16 code units, the unit in which lib0's
// StringEncoder and Yjs count strings. Format: docs/crdt.md, "lib0 encoding".
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace tandem::crdt::lib0 {

//! Index of the first byte of `s` that is not part of well-formed UTF-8 (overlong forms,
//! surrogates, code points past U+10FFFF and truncated sequences are ill-formed), or
//! `s.size()` when all of `s` is well-formed.
size_t utf8_invalid_at(std::string_view s);
//! The same, also setting `utf16_units` to the length in UTF-16 code units of the well-formed
//! prefix (all of `s` when it is well-formed): checking and measuring a string in one pass.
size_t utf8_invalid_at(std::string_view s, uint64_t& utf16_units);

inline bool utf8_valid(std::string_view s) {
  return utf8_invalid_at(s) == s.size();
}

//! Length of well-formed UTF-8 `s` in UTF-16 code units (JS's String.prototype.length).
uint64_t utf16_units(std::string_view s);

//! Byte length of the UTF-8 sequence that starts with lead byte `b` (well-formed input).
inline size_t utf8_seq_len(uint8_t b) {
  return b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
}

}  // namespace tandem::crdt::lib0
