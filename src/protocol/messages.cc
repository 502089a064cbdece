#include "protocol/messages.h"

#include <string>

#include "crdt/lib0_encoding.h"
#include "crdt/lib0_utf8.h"
#include "protocol/var_uint.h"

namespace tandem::protocol {

namespace {

using crdt::DecodeError;
using crdt::Decoder;
using detail::put_var_uint;
using detail::var_uint_size;

//! [type, (sub_type,) var-uint8array body]: the shape of every message but query-awareness,
//! in one allocation of its exact size.
std::vector<uint8_t> frame(uint64_t type, const uint64_t* sub_type, std::span<const uint8_t> body) {
  const size_t size = var_uint_size(type) + (sub_type ? var_uint_size(*sub_type) : 0) +
                      var_uint_size(body.size()) + body.size();
  std::vector<uint8_t> out;
  out.reserve(size);
  put_var_uint(out, type);
  if (sub_type) put_var_uint(out, *sub_type);
  put_var_uint(out, body.size());
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

std::span<const uint8_t> as_bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

//! `s` with each ill-formed UTF-8 sequence replaced by U+FFFD.
std::string repair_utf8(std::string_view s) {
  std::string out;
  while (!s.empty()) {
    const size_t bad = crdt::lib0::utf8_invalid_at(s);
    out.append(s.substr(0, bad));
    if (bad == s.size()) break;
    out.append("\xEF\xBF\xBD");
    s.remove_prefix(bad + 1);
  }
  return out;
}

MessageKind sync_kind(Decoder& d) {
  const size_t at = d.pos();
  switch (const uint64_t sub = d.read_var_uint()) {
    case kSyncTypeStep1: return MessageKind::kSyncStep1;
    case kSyncTypeStep2: return MessageKind::kSyncStep2;
    case kSyncTypeUpdate: return MessageKind::kSyncUpdate;
    default: d.fail_at("unknown sync message type " + std::to_string(sub), at);
  }
}

//! Reads what follows the message type. Throws DecodeError.
Message parse_body(Decoder& d, uint64_t type, size_t type_at) {
  Message m;
  switch (type) {
    case kMessageSync:
      m.kind = sync_kind(d);
      m.payload = d.read_var_bytes();
      return m;
    case kMessageAwareness:
      m.kind = MessageKind::kAwareness;
      m.payload = d.read_var_bytes();
      return m;
    case kMessageAuth: {
      const size_t at = d.pos();
      if (const uint64_t sub = d.read_var_uint(); sub != kAuthPermissionDenied) {
        d.fail_at("unknown auth message type " + std::to_string(sub), at);
      }
      m.kind = MessageKind::kAuthDenied;
      const size_t reason_at = d.pos();
      m.payload = d.read_var_bytes();
      const std::string_view reason = m.reason();
      if (const size_t bad = crdt::lib0::utf8_invalid_at(reason); bad != reason.size()) {
        d.fail_at("invalid UTF-8 in the reason", reason_at + var_uint_size(reason.size()) + bad);
      }
      return m;
    }
    case kMessageQueryAwareness:
      m.kind = MessageKind::kQueryAwareness;
      return m;
    case kMessageAck:
      m.kind = MessageKind::kAck;
      m.payload = d.read_var_bytes();
      return m;
    default:
      d.fail_at("unknown message type " + std::to_string(type), type_at);
  }
}

}  // namespace

std::string_view to_string(MessageKind kind) {
  switch (kind) {
    case MessageKind::kSyncStep1: return "sync step 1";
    case MessageKind::kSyncStep2: return "sync step 2";
    case MessageKind::kSyncUpdate: return "sync update";
    case MessageKind::kAwareness: return "awareness";
    case MessageKind::kQueryAwareness: return "query awareness";
    case MessageKind::kAuthDenied: return "auth permission denied";
    case MessageKind::kAck: return "ack";
  }
  return "unknown";
}

Result<Message> parse_message(std::span<const uint8_t> data) {
  if (data.empty()) return Status::Error("empty message");
  Decoder d(data);
  try {
    const uint64_t type = d.read_var_uint();
    Message m = parse_body(d, type, 0);
    if (d.has_content() && m.kind != MessageKind::kAck) {
      return Status::Error(std::string(to_string(m.kind)) + ": " + std::to_string(d.remaining()) +
                           " trailing bytes at byte " + std::to_string(d.pos()));
    }
    return m;
  } catch (const DecodeError& e) {
    return Status::Error(std::string("malformed message: ") + e.what());
  }
}

std::vector<uint8_t> encode_sync_step1(std::span<const uint8_t> state_vector) {
  return frame(kMessageSync, &kSyncTypeStep1, state_vector);
}

std::vector<uint8_t> encode_sync_step2(std::span<const uint8_t> update) {
  return frame(kMessageSync, &kSyncTypeStep2, update);
}

std::vector<uint8_t> encode_sync_update(std::span<const uint8_t> update) {
  return frame(kMessageSync, &kSyncTypeUpdate, update);
}

std::vector<uint8_t> encode_awareness(std::span<const uint8_t> awareness_update) {
  return frame(kMessageAwareness, nullptr, awareness_update);
}

std::vector<uint8_t> encode_query_awareness() {
  return std::vector<uint8_t>{static_cast<uint8_t>(kMessageQueryAwareness)};
}

std::vector<uint8_t> encode_auth_denied(std::string_view reason) {
  if (crdt::lib0::utf8_valid(reason)) return frame(kMessageAuth, &kAuthPermissionDenied, as_bytes(reason));
  const std::string repaired = repair_utf8(reason);
  return frame(kMessageAuth, &kAuthPermissionDenied, as_bytes(repaired));
}

std::vector<uint8_t> encode_ack(std::span<const uint8_t> state_vector) {
  return frame(kMessageAck, nullptr, state_vector);
}

Result<crdt::StateVector> decode_state_vector(std::span<const uint8_t> state_vector) {
  Decoder d(state_vector);
  try {
    crdt::StateVector sv = crdt::read_state_vector(d);
    if (d.has_content()) {
      return Status::Error("state vector: " + std::to_string(d.remaining()) +
                           " trailing bytes at byte " + std::to_string(d.pos()));
    }
    return sv;
  } catch (const DecodeError& e) {
    return Status::Error(std::string("state vector: ") + e.what());
  }
}

}  // namespace tandem::protocol
