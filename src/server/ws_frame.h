// WebSocket framing (RFC 6455, section 5) as a server speaks it: FrameParser reads what a
// client sends (masked frames, fragmented messages, interleaved control frames) from a byte
// buffer, and encode_frame_header writes the header of an unmasked server frame. No I/O: the
// session reads bytes from its socket and hands them here.
//
// Boost.Beast's websocket::stream does this too, but every stream keeps a 4 KB read buffer and
// a 4 KB write buffer for the life of the connection, and writes one message per composed
// asynchronous operation. A collaboration server holds thousands of mostly idle connections
// and fans each edit out to many of them, so tandemd keeps Beast for the HTTP upgrade and
// frames messages itself: an idle connection holds no buffer at all, and a broadcast is one
// writev per receiver. (docs/operations.md, "Connections".)
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace tandem::server::ws {

enum class Opcode : uint8_t {
  kContinuation = 0x0,
  kText = 0x1,
  kBinary = 0x2,
  kClose = 0x8,
  kPing = 0x9,
  kPong = 0xA,
};

//! Receives what FrameParser::parse finds. Each call returns false to stop parsing (the
//! session is closing); the bytes of the frame it was given count as consumed.
class FrameSink {
 public:
  virtual ~FrameSink() = default;
  //! A complete data message (text or binary), its fragments joined and unmasked.
  virtual bool on_message(Opcode opcode, std::span<const uint8_t> payload) = 0;
  //! A control frame (close, ping or pong) with its unmasked payload (at most 125 bytes).
  virtual bool on_control(Opcode opcode, std::span<const uint8_t> payload) = 0;
};

//! Why parsing failed, with the close code RFC 6455 gives it.
struct FrameError {
  uint16_t close_code = 0;  // 1002 protocol error, 1009 message too big
  std::string message;
};

//! Incremental parser of client frames. Keeps only the parts of a fragmented message that
//! have arrived (nothing between messages). Not thread-safe; one per connection.
class FrameParser {
 public:
  explicit FrameParser(size_t max_message_bytes) : max_message_bytes_(max_message_bytes) {}

  struct Outcome {
    size_t consumed = 0;   // bytes of `data` used; the rest is an incomplete frame
    bool stopped = false;  // the sink returned false
    bool failed = false;   // a protocol violation: `error` says which; close the connection
    FrameError error;
  };
  //! Parses the complete frames at the start of `data`, unmasking their payloads in place. A
  //! data frame whose header announces more than the message cap fails at once (1009), before
  //! its payload is buffered.
  Outcome parse(std::span<uint8_t> data, FrameSink& sink);

 private:
  const size_t max_message_bytes_;
  bool in_message_ = false;  // a fragmented message has started
  Opcode message_opcode_ = Opcode::kBinary;
  std::vector<uint8_t> fragments_;  // the started message's payload so far
};

//! Largest header of a server frame: 2 bytes plus a 64-bit length.
inline constexpr size_t kMaxServerHeader = 10;

//! Writes the header of an unmasked, final frame of `opcode` with `payload_size` bytes into
//! `out`; returns its length.
size_t encode_frame_header(Opcode opcode, uint64_t payload_size, uint8_t (&out)[kMaxServerHeader]);

//! The payload of a close frame: the code (big-endian) and the reason, cut to fit 123 bytes.
std::vector<uint8_t> close_payload(uint16_t code, std::string_view reason);

}  // namespace tandem::server::ws
