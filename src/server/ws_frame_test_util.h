// Test helper shared by the frame parser's tests and the session's wire tests: a WebSocket
// frame as a client writes it (RFC 6455 section 5.2).
#pragma once

#include <cstdint>
#include <vector>

#include "server/ws_frame.h"

namespace tandem::server::ws {

//! A client frame: FIN/opcode, mask bit, length in the shortest form, mask key, masked payload.
inline std::vector<uint8_t> client_frame(Opcode op, const std::vector<uint8_t>& payload, bool fin = true,
                                  bool masked = true, uint8_t extra_bits = 0) {
  std::vector<uint8_t> f{static_cast<uint8_t>((fin ? 0x80 : 0) | extra_bits | static_cast<uint8_t>(op))};
  const uint8_t m = masked ? 0x80 : 0;
  const uint64_t n = payload.size();
  if (n < 126) {
    f.push_back(static_cast<uint8_t>(m | n));
  } else if (n <= 0xFFFF) {
    f.push_back(m | 126);
    f.push_back(static_cast<uint8_t>(n >> 8));
    f.push_back(static_cast<uint8_t>(n));
  } else {
    f.push_back(m | 127);
    for (int i = 7; i >= 0; --i) f.push_back(static_cast<uint8_t>(n >> (8 * i)));
  }
  const uint8_t key[4] = {0x12, 0x34, 0x56, 0x78};
  if (masked) f.insert(f.end(), key, key + 4);
  for (size_t i = 0; i < payload.size(); ++i) f.push_back(masked ? payload[i] ^ key[i & 3] : payload[i]);
  return f;
}

}  // namespace tandem::server::ws
