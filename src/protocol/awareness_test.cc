// Tests of awareness.h: updates written by y-protocols' Awareness
// (tests/fixtures/protocol/awareness.json) parse and re-encode byte for byte; validation,
// caps and hostile input.
#include "protocol/awareness.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "crdt/lib0_encoding.h"
#include "protocol/fixtures_test_util.h"

namespace tandem::protocol {
namespace {

using Bytes = std::vector<uint8_t>;
using test::hex_of;
using test::str_of;
using test::to_hex;

Bytes one_entry(uint64_t client, uint64_t clock, std::string_view json) {
  const AwarenessEntry e{client, clock, json, false};
  return encode_awareness_update(std::span(&e, 1));
}

std::string error_of(const Bytes& update) {
  auto r = parse_awareness_update(update);
  EXPECT_FALSE(r.ok()) << "parsed " << to_hex(update);
  return r.ok() ? "" : r.error();
}

TEST(Awareness, FixturesFromYProtocolsRoundTripByteForByte) {
  const auto fixtures = test::load_fixture("awareness.json");
  ASSERT_TRUE(fixtures.is_object());
  const auto& list = fixtures.as_object().at("updates").as_array();
  ASSERT_GE(list.size(), 6u);
  for (const auto& f : list) {
    SCOPED_TRACE(str_of(f, "name"));
    const Bytes update = hex_of(f, "update");
    auto entries = parse_awareness_update(update);
    ASSERT_TRUE(entries.ok()) << entries.error();
    const auto& expected = f.as_object().at("entries").as_array();
    ASSERT_EQ(entries->size(), expected.size());
    for (size_t i = 0; i < expected.size(); ++i) {
      const auto& x = expected[i].as_object();
      EXPECT_EQ((*entries)[i].client_id, x.at("client").to_number<uint64_t>());
      EXPECT_EQ((*entries)[i].clock, x.at("clock").to_number<uint64_t>());
      EXPECT_EQ((*entries)[i].state_json, std::string_view(x.at("state").as_string()));
      EXPECT_EQ((*entries)[i].removed, x.at("state").as_string() == "null");
    }
    const Bytes again = encode_awareness_update(*entries);
    EXPECT_EQ(to_hex(again), to_hex(update));
    EXPECT_EQ(again.size(), again.capacity());
  }
}

TEST(Awareness, NullIsRecognisedAsJsonNotAsText) {
  for (std::string_view json : {"null", " null ", "\tnull\n"}) {
    auto r = validate_awareness_state(json);
    ASSERT_TRUE(r.ok()) << json;
    EXPECT_TRUE(*r) << json;
  }
  for (std::string_view json : {"\"null\"", "[null]", "{\"a\":null}", "0", "false", "{}"}) {
    auto r = validate_awareness_state(json);
    ASSERT_TRUE(r.ok()) << json;
    EXPECT_FALSE(*r) << json;
  }
}

TEST(Awareness, StatesMustBeJson) {
  for (std::string_view bad : {"", "{", "{\"a\":1,}", "[1 2]", "nul", "{}x", "// c\n{}", "'a'",
                               "NaN", "{\"a\":\"\\ud800\"}"}) {
    EXPECT_FALSE(validate_awareness_state(bad).ok()) << bad;
  }
  auto e = parse_awareness_update(one_entry(5, 1, "{\"user\":"));
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().rfind("awareness update: client 5: state is not JSON (", 0), 0u) << e.error();
  EXPECT_NE(e.error().find(") at byte 3"), std::string::npos) << e.error();
}

TEST(Awareness, StateSizeCap) {
  const std::string at_cap = "\"" + std::string(kMaxAwarenessStateBytes - 2, 'a') + "\"";
  EXPECT_TRUE(parse_awareness_update(one_entry(1, 1, at_cap)).ok());
  const std::string over = "\"" + std::string(kMaxAwarenessStateBytes - 1, 'a') + "\"";
  EXPECT_EQ(error_of(one_entry(1, 1, over)),
            "awareness update: client 1: state of 8193 bytes, over the cap of 8192 at byte 3");
}

TEST(Awareness, DepthCap) {
  const std::string deep_ok = std::string(kMaxAwarenessStateDepth, '[') + std::string(kMaxAwarenessStateDepth, ']');
  EXPECT_TRUE(validate_awareness_state(deep_ok).ok());
  const std::string too_deep = "[" + deep_ok + "]";
  EXPECT_FALSE(validate_awareness_state(too_deep).ok());
}

TEST(Awareness, InvalidUtf8InState) {
  Bytes u = one_entry(1, 1, "\"ab\"");
  u[5] = 0xFF;  // inside the string
  EXPECT_EQ(error_of(u), "awareness update: invalid UTF-8 in the state of client 1 at byte 5");
}

TEST(Awareness, Truncation) {
  const Bytes full = one_entry(300, 70000, "{\"a\":[1,2,3]}");
  for (size_t n = 0; n < full.size(); ++n) {
    EXPECT_FALSE(parse_awareness_update(std::span(full).first(n)).ok()) << n;
  }
  EXPECT_EQ(error_of({}), "awareness update: unexpected end of data reading var-uint at byte 0");
  EXPECT_EQ(error_of({1, 5, 1, 9, 'n'}), "awareness update: byte array length 9 past the end at byte 3");
}

TEST(Awareness, HostileCountsAndNumbers) {
  EXPECT_EQ(error_of({0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 1, 1, 1}),
            "awareness update: awareness entry count 4294967295 larger than the message at byte 0");
  EXPECT_EQ(error_of({2, 1, 1, 1, '0'}),
            "awareness update: awareness entry count 2 larger than the message at byte 0");
  EXPECT_EQ(error_of({1, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01, 1, 1, '0'}),
            "awareness update: var-uint exceeds 2^53-1 at byte 1");
  const Bytes max = one_entry(crdt::kMaxSafeInteger, crdt::kMaxSafeInteger, "1");
  auto r = parse_awareness_update(max);
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ((*r)[0].client_id, crdt::kMaxSafeInteger);
  EXPECT_EQ((*r)[0].clock, crdt::kMaxSafeInteger);
}

TEST(Awareness, TrailingBytes) {
  Bytes u = one_entry(1, 1, "{}");
  u.push_back(0);
  EXPECT_EQ(error_of(u), "awareness update: 1 trailing bytes at byte 6");
}

TEST(Awareness, EmptyUpdate) {
  auto r = parse_awareness_update(Bytes{0});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->empty());
  EXPECT_EQ(to_hex(encode_awareness_update({})), "00");
}

}  // namespace
}  // namespace tandem::protocol
