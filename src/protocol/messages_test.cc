// Tests of messages.h: every message kind against the bytes real y-protocols writes
// (tests/fixtures/protocol/messages.json), round trips, and every error path on hostile input.
#include "protocol/messages.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "crdt/lib0_encoding.h"
#include "protocol/fixtures_test_util.h"

namespace tandem::protocol {
namespace {

using Bytes = std::vector<uint8_t>;
using test::from_hex;
using test::hex_of;
using test::str_of;
using test::to_hex;

MessageKind kind_named(const std::string& name) {
  if (name == "sync_step1") return MessageKind::kSyncStep1;
  if (name == "sync_step2") return MessageKind::kSyncStep2;
  if (name == "sync_update") return MessageKind::kSyncUpdate;
  if (name == "awareness") return MessageKind::kAwareness;
  if (name == "query_awareness") return MessageKind::kQueryAwareness;
  if (name == "auth_denied") return MessageKind::kAuthDenied;
  if (name == "ack") return MessageKind::kAck;
  ADD_FAILURE() << "unknown kind " << name;
  return MessageKind::kAck;
}

Bytes encode(MessageKind kind, std::span<const uint8_t> payload) {
  switch (kind) {
    case MessageKind::kSyncStep1: return encode_sync_step1(payload);
    case MessageKind::kSyncStep2: return encode_sync_step2(payload);
    case MessageKind::kSyncUpdate: return encode_sync_update(payload);
    case MessageKind::kAwareness: return encode_awareness(payload);
    case MessageKind::kQueryAwareness: return encode_query_awareness();
    case MessageKind::kAuthDenied:
      return encode_auth_denied({reinterpret_cast<const char*>(payload.data()), payload.size()});
    case MessageKind::kAck: return encode_ack(payload);
  }
  return {};
}

std::string error_of(const Bytes& data) {
  auto m = parse_message(data);
  EXPECT_FALSE(m.ok()) << "parsed " << to_hex(data);
  return m.ok() ? "" : m.error();
}

TEST(Messages, FixturesFromYProtocolsEncodeAndParseByteForByte) {
  const auto fixtures = test::load_fixture("messages.json");
  ASSERT_TRUE(fixtures.is_object());
  const auto& list = fixtures.as_object().at("messages").as_array();
  ASSERT_GE(list.size(), 15u);
  for (const auto& f : list) {
    SCOPED_TRACE(str_of(f, "name"));
    const MessageKind kind = kind_named(str_of(f, "kind"));
    const Bytes payload = hex_of(f, "payload");
    const Bytes bytes = hex_of(f, "bytes");
    const Bytes encoded = encode(kind, payload);
    EXPECT_EQ(to_hex(encoded), to_hex(bytes));
    EXPECT_EQ(encoded.capacity(), encoded.size()) << "one allocation of the exact size";
    auto parsed = parse_message(bytes);
    ASSERT_TRUE(parsed.ok()) << parsed.error();
    EXPECT_EQ(parsed->kind, kind);
    EXPECT_EQ(to_hex(parsed->payload), to_hex(payload));
  }
}

TEST(Messages, StateVectorsOfFixturesDecode) {
  const auto fixtures = test::load_fixture("messages.json");
  for (const auto& f : fixtures.as_object().at("messages").as_array()) {
    const std::string kind = str_of(f, "kind");
    if (kind != "sync_step1" && kind != "ack") continue;
    SCOPED_TRACE(str_of(f, "name"));
    auto sv = decode_state_vector(hex_of(f, "payload"));
    ASSERT_TRUE(sv.ok()) << sv.error();
    EXPECT_EQ(to_hex(crdt::encode_state_vector(*sv)), to_hex(hex_of(f, "payload")));
  }
}

TEST(Messages, PayloadPointsIntoTheInput) {
  const Bytes msg = encode_sync_update(Bytes{1, 2, 3});
  auto m = parse_message(msg);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->payload.data(), msg.data() + 3);
  EXPECT_EQ(m->payload.size(), 3u);
}

TEST(Messages, LengthsOfEveryVarUintSize) {
  for (size_t n : {0u, 1u, 127u, 128u, 16383u, 16384u, 2097152u}) {
    const Bytes payload(n, 0xAB);
    const Bytes msg = encode_sync_step2(payload);
    EXPECT_EQ(msg.size(), msg.capacity());
    auto m = parse_message(msg);
    ASSERT_TRUE(m.ok()) << n << ": " << m.error();
    EXPECT_EQ(m->kind, MessageKind::kSyncStep2);
    EXPECT_EQ(m->payload.size(), n);
  }
}

TEST(Messages, AuthReasonRoundTripsAndIllFormedUtf8IsReplaced) {
  const Bytes msg = encode_auth_denied("no access to «doc»");
  auto m = parse_message(msg);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->kind, MessageKind::kAuthDenied);
  EXPECT_EQ(m->reason(), "no access to «doc»");
  const Bytes repaired = encode_auth_denied(std::string("bad \xFF byte"));
  auto r = parse_message(repaired);
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r->reason(), "bad \xEF\xBF\xBD byte");
}

TEST(Messages, EmptyMessage) {
  EXPECT_EQ(error_of({}), "empty message");
}

TEST(Messages, UnknownMessageType) {
  EXPECT_EQ(error_of({4}), "malformed message: unknown message type 4 at byte 0");
  EXPECT_EQ(error_of({99, 0}), "malformed message: unknown message type 99 at byte 0");
  EXPECT_EQ(error_of({0xE5, 0x8E, 0x26}), "malformed message: unknown message type 624485 at byte 0");
}

TEST(Messages, UnknownSubTypes) {
  EXPECT_EQ(error_of({0, 3, 0}), "malformed message: unknown sync message type 3 at byte 1");
  EXPECT_EQ(error_of({2, 1, 0}), "malformed message: unknown auth message type 1 at byte 1");
}

TEST(Messages, Truncation) {
  EXPECT_EQ(error_of({0}), "malformed message: unexpected end of data reading var-uint at byte 1");
  EXPECT_EQ(error_of({0, 1}), "malformed message: unexpected end of data reading var-uint at byte 2");
  EXPECT_EQ(error_of({0, 2, 5, 1, 2}),
            "malformed message: byte array length 5 past the end at byte 2");
  EXPECT_EQ(error_of({1, 0x80}), "malformed message: unexpected end of data reading var-uint at byte 2");
  EXPECT_EQ(error_of({100}), "malformed message: unexpected end of data reading var-uint at byte 1");
  EXPECT_EQ(error_of({0x80}), "malformed message: unexpected end of data reading var-uint at byte 1");
  // Every prefix of every valid message but the whole fails (or is a shorter valid message).
  const Bytes full = encode_sync_update(Bytes(300, 7));
  for (size_t n = 1; n < full.size(); ++n) {
    EXPECT_FALSE(parse_message(std::span(full).first(n)).ok()) << n;
  }
}

TEST(Messages, HugeLengthsAreRejectedBeforeAnythingIsRead) {
  // 2^53-1, and lengths just past the end.
  EXPECT_EQ(error_of({0, 1, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F}),
            "malformed message: byte array length 9007199254740991 past the end at byte 2");
  EXPECT_EQ(error_of({0, 1, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01}),
            "malformed message: var-uint exceeds 2^53-1 at byte 2");
  EXPECT_EQ(error_of({1, 0x81, 0x80, 0x80, 0x80, 0x01}),
            "malformed message: byte array length 268435457 past the end at byte 1");
}

TEST(Messages, TrailingBytes) {
  EXPECT_EQ(error_of({0, 0, 1, 0, 9}), "sync step 1: 1 trailing bytes at byte 4");
  EXPECT_EQ(error_of({3, 0}), "query awareness: 1 trailing bytes at byte 1");
  EXPECT_EQ(error_of({1, 0, 0, 0}), "awareness: 2 trailing bytes at byte 2");
  EXPECT_EQ(error_of({2, 0, 1, 'x', 'y'}), "auth permission denied: 1 trailing bytes at byte 4");
}

TEST(Messages, AckIgnoresTrailingFieldsForLaterVersions) {
  Bytes msg = encode_ack(Bytes{1, 5, 3});
  msg.insert(msg.end(), {7, 0xFF, 0x01});  // a field a later version may append
  auto m = parse_message(msg);
  ASSERT_TRUE(m.ok()) << m.error();
  EXPECT_EQ(m->kind, MessageKind::kAck);
  EXPECT_EQ(to_hex(m->payload), "010503");
}

TEST(Messages, AuthReasonMustBeUtf8) {
  EXPECT_EQ(error_of({2, 0, 3, 'a', 0xC0, 0x80}),
            "malformed message: invalid UTF-8 in the reason at byte 4");
}

TEST(Messages, DecodeStateVectorErrors) {
  auto sv = decode_state_vector(Bytes{2, 1, 5, 9});
  ASSERT_FALSE(sv.ok());
  EXPECT_EQ(sv.error(), "state vector: unexpected end of data reading var-uint at byte 4");
  auto trailing = decode_state_vector(Bytes{1, 1, 5, 0});
  ASSERT_FALSE(trailing.ok());
  EXPECT_EQ(trailing.error(), "state vector: 1 trailing bytes at byte 3");
  auto implausible = decode_state_vector(Bytes{0xFF, 0xFF, 0x03, 1, 1});
  ASSERT_FALSE(implausible.ok());
  EXPECT_NE(implausible.error().find("implausible state-vector length"), std::string::npos);
  auto empty = decode_state_vector(Bytes{0});
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

TEST(Messages, AckedComparesClocks) {
  const crdt::StateVector persisted{{7, 10}, {9, 2}};
  EXPECT_TRUE(acked(persisted, 7, 10));
  EXPECT_TRUE(acked(persisted, 7, 3));
  EXPECT_FALSE(acked(persisted, 7, 11));
  EXPECT_FALSE(acked(persisted, 8, 1));
  EXPECT_TRUE(acked(persisted, 8, 0));  // nothing written yet
}

TEST(Messages, KindNames) {
  EXPECT_EQ(to_string(MessageKind::kSyncStep1), "sync step 1");
  EXPECT_EQ(to_string(MessageKind::kAck), "ack");
}

}  // namespace
}  // namespace tandem::protocol
