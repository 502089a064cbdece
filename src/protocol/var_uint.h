// Internal to src/protocol: lib0 var-uints (lib0/encoding.js writeVarUint) for encoders that
// compute a message's exact size first and then fill one allocation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace tandem::protocol::detail {

//! Bytes writeVarUint uses for `v`.
inline size_t var_uint_size(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

//! Appends `v` as lib0 writeVarUint does (7 bits a byte, low bits first).
inline void put_var_uint(std::vector<uint8_t>& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<uint8_t>(0x80 | (v & 0x7F)));
    v >>= 7;
  }
  out.push_back(static_cast<uint8_t>(v));
}

}  // namespace tandem::protocol::detail
