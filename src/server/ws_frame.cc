#include "server/ws_frame.h"

#include <algorithm>

namespace tandem::server::ws {

namespace {

constexpr uint16_t kProtocolError = 1002;
constexpr uint16_t kTooBig = 1009;
constexpr size_t kMaxControlPayload = 125;

bool is_control(uint8_t opcode) { return opcode & 0x8; }

bool known(uint8_t opcode) {
  switch (static_cast<Opcode>(opcode)) {
    case Opcode::kContinuation:
    case Opcode::kText:
    case Opcode::kBinary:
    case Opcode::kClose:
    case Opcode::kPing:
    case Opcode::kPong:
      return true;
  }
  return false;
}

}  // namespace

FrameParser::Outcome FrameParser::parse(std::span<uint8_t> data, FrameSink& sink) {
  Outcome out;
  auto fail = [&](uint16_t code, std::string message) {
    out.failed = true;
    out.error = {code, std::move(message)};
    return out;
  };
  size_t pos = 0;
  while (data.size() - pos >= 2) {
    const uint8_t b0 = data[pos];
    const uint8_t b1 = data[pos + 1];
    const bool fin = b0 & 0x80;
    const uint8_t opcode = b0 & 0x0F;
    if (b0 & 0x70) return fail(kProtocolError, "reserved bits set (no extension was negotiated)");
    if (!known(opcode)) return fail(kProtocolError, "unknown opcode " + std::to_string(opcode));
    if (!(b1 & 0x80)) return fail(kProtocolError, "client frames must be masked");
    const uint8_t len7 = b1 & 0x7F;
    const size_t len_bytes = len7 == 126 ? 2 : len7 == 127 ? 8 : 0;
    const size_t header = 2 + len_bytes + 4;
    if (data.size() - pos < header) break;
    uint64_t length = len7;
    if (len_bytes) {
      length = 0;
      for (size_t i = 0; i < len_bytes; ++i) length = (length << 8) | data[pos + 2 + i];
      if (length >> 63) return fail(kProtocolError, "frame length over 2^63");
    }
    if (is_control(opcode)) {
      if (!fin) return fail(kProtocolError, "fragmented control frame");
      if (length > kMaxControlPayload) return fail(kProtocolError, "control frame over 125 bytes");
    } else {
      if (opcode == 0 && !in_message_) return fail(kProtocolError, "continuation frame outside a message");
      if (opcode != 0 && in_message_) return fail(kProtocolError, "new message inside a fragmented one");
      const uint64_t so_far = in_message_ ? fragments_.size() : 0;
      if (length > max_message_bytes_ || so_far + length > max_message_bytes_) {
        return fail(kTooBig, "message over " + std::to_string(max_message_bytes_) + " bytes");
      }
    }
    if (data.size() - pos - header < length) break;
    uint8_t* payload = data.data() + pos + header;
    const uint8_t* mask = data.data() + pos + 2 + len_bytes;
    for (size_t i = 0; i < length; ++i) payload[i] ^= mask[i & 3];
    std::span<const uint8_t> body(payload, static_cast<size_t>(length));
    pos += header + static_cast<size_t>(length);
    out.consumed = pos;

    bool go_on = true;
    if (is_control(opcode)) {
      go_on = sink.on_control(static_cast<Opcode>(opcode), body);
    } else if (opcode != 0 && fin) {
      go_on = sink.on_message(static_cast<Opcode>(opcode), body);  // the usual case: no copy
    } else {
      if (opcode != 0) {
        in_message_ = true;
        message_opcode_ = static_cast<Opcode>(opcode);
      }
      fragments_.insert(fragments_.end(), body.begin(), body.end());
      if (fin) {
        in_message_ = false;
        std::vector<uint8_t> message;
        message.swap(fragments_);  // nothing kept between messages
        go_on = sink.on_message(message_opcode_, message);
      }
    }
    if (!go_on) {
      out.stopped = true;
      return out;
    }
  }
  return out;
}

size_t encode_frame_header(Opcode opcode, uint64_t payload_size, uint8_t (&out)[kMaxServerHeader]) {
  out[0] = static_cast<uint8_t>(0x80 | static_cast<uint8_t>(opcode));
  if (payload_size < 126) {
    out[1] = static_cast<uint8_t>(payload_size);
    return 2;
  }
  if (payload_size <= 0xFFFF) {
    out[1] = 126;
    out[2] = static_cast<uint8_t>(payload_size >> 8);
    out[3] = static_cast<uint8_t>(payload_size);
    return 4;
  }
  out[1] = 127;
  for (int i = 0; i < 8; ++i) out[2 + i] = static_cast<uint8_t>(payload_size >> (56 - 8 * i));
  return 10;
}

std::vector<uint8_t> close_payload(uint16_t code, std::string_view reason) {
  size_t n = std::min(reason.size(), kMaxControlPayload - 2);
  // Do not cut a UTF-8 sequence in half.
  while (n > 0 && n < reason.size() && (static_cast<uint8_t>(reason[n]) & 0xC0) == 0x80) --n;
  std::vector<uint8_t> out(2 + n);
  out[0] = static_cast<uint8_t>(code >> 8);
  out[1] = static_cast<uint8_t>(code);
  std::copy_n(reason.data(), n, out.begin() + 2);
  return out;
}

}  // namespace tandem::server::ws
