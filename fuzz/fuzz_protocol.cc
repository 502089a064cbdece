// Fuzzes the decoders of src/protocol: parse_message, the awareness parser and an awareness
// room, state vectors and split_sync_step2 must return a value or an error, never crash; what
// parses must re-encode to a message that parses to the same thing, and a split must carry
// only well-formed messages.
#include <cstdlib>
#include <span>
#include <vector>

#include "protocol/awareness.h"
#include "protocol/awareness_room.h"
#include "protocol/messages.h"
#include "protocol/sync_split.h"

namespace {

using namespace tandem::protocol;

std::vector<uint8_t> reencode(const Message& m) {
  switch (m.kind) {
    case MessageKind::kSyncStep1: return encode_sync_step1(m.payload);
    case MessageKind::kSyncStep2: return encode_sync_step2(m.payload);
    case MessageKind::kSyncUpdate: return encode_sync_update(m.payload);
    case MessageKind::kAwareness: return encode_awareness(m.payload);
    case MessageKind::kQueryAwareness: return encode_query_awareness();
    case MessageKind::kAuthDenied: return encode_auth_denied(m.reason());
    case MessageKind::kAck: return encode_ack(m.payload);
  }
  std::abort();
}

void check_message(std::span<const uint8_t> in) {
  auto m = parse_message(in);
  if (!m.ok()) return;
  // Re-encoding may differ (lib0 accepts var-uints with redundant bytes), its meaning may not.
  const std::vector<uint8_t> again = reencode(*m);
  auto m2 = parse_message(again);
  if (!m2.ok() || m2->kind != m->kind || !std::equal(m2->payload.begin(), m2->payload.end(),
                                                     m->payload.begin(), m->payload.end())) {
    std::abort();
  }
  switch (m->kind) {
    case MessageKind::kSyncStep1:
    case MessageKind::kAck: (void)decode_state_vector(m->payload); break;
    case MessageKind::kSyncStep2:
    case MessageKind::kSyncUpdate: {
      auto parts = split_sync_step2(m->payload, kMinSyncMessageBytes);
      if (parts.ok()) {
        for (const auto& p : *parts) {
          if (!parse_message(p).ok()) std::abort();
        }
      }
      break;
    }
    default: break;
  }
}

void check_awareness(std::span<const uint8_t> in) {
  auto entries = parse_awareness_update(in);
  if (entries.ok()) {
    auto again = parse_awareness_update(encode_awareness_update(*entries));
    if (!again.ok() || again->size() != entries->size()) std::abort();
  }
  AwarenessRoom room;
  auto first = room.apply(1, in);
  if (first.ok() && !entries.ok()) std::abort();  // (a valid update may still be over a cap)
  (void)room.apply(2, in);
  (void)room.encode_states();
  const auto gone = room.remove_connection(1);
  if (!gone.empty() && !parse_message(gone).ok()) std::abort();
  (void)room.remove_connection(2);
  if (room.size() != 0) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> in(data, size);
  check_message(in);
  check_awareness(in);
  return 0;
}
