// Fuzzes the WebSocket frame parser (src/server/ws_frame.h) as a session drives it: the input
// arrives in two reads cut where its first byte says, the unconsumed tail of the first carried
// over to the second. Parsing must succeed or fail with 1002/1009, never crash, never consume
// more than it was given, and never hand over a message over the cap or a control frame over
// 125 bytes.
#include <cstdlib>
#include <span>
#include <vector>

#include "server/ws_frame.h"

namespace {

using namespace tandem::server::ws;

constexpr size_t kMaxMessage = 4096;

struct CheckingSink : FrameSink {
  bool on_message(Opcode opcode, std::span<const uint8_t> payload) override {
    if (payload.size() > kMaxMessage) std::abort();
    if (opcode != Opcode::kText && opcode != Opcode::kBinary) std::abort();
    return true;
  }
  bool on_control(Opcode opcode, std::span<const uint8_t> payload) override {
    if (payload.size() > 125) std::abort();
    return opcode != Opcode::kClose;  // a session stops at a close frame
  }
};

bool parse(FrameParser& parser, std::vector<uint8_t>& buffer, CheckingSink& sink) {
  auto out = parser.parse(buffer, sink);
  if (out.consumed > buffer.size()) std::abort();
  if (out.failed) {
    if (out.error.close_code != 1002 && out.error.close_code != 1009) std::abort();
    return false;
  }
  buffer.erase(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(out.consumed));
  return !out.stopped;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const size_t cut = 1 + (size > 1 ? data[0] % (size - 1) : 0);
  FrameParser parser(kMaxMessage);
  CheckingSink sink;
  std::vector<uint8_t> buffer(data + 1, data + cut);
  if (!parse(parser, buffer, sink)) return 0;
  buffer.insert(buffer.end(), data + cut, data + size);
  parse(parser, buffer, sink);
  return 0;
}
