// FrameParser against hand-made client frames (RFC 6455 section 5): masking, the three length
// forms, fragmentation with control frames in between, frames split across reads, and every
// protocol violation with its close code.
#include "server/ws_frame.h"
#include "server/ws_frame_test_util.h"

#include <gtest/gtest.h>

namespace tandem::server::ws {
namespace {


std::vector<uint8_t> bytes(std::string_view s) { return {s.begin(), s.end()}; }

struct Recorder : FrameSink {
  std::vector<std::pair<Opcode, std::vector<uint8_t>>> messages, controls;
  bool stop_after_control = false;
  bool on_message(Opcode op, std::span<const uint8_t> p) override {
    messages.emplace_back(op, std::vector<uint8_t>(p.begin(), p.end()));
    return true;
  }
  bool on_control(Opcode op, std::span<const uint8_t> p) override {
    controls.emplace_back(op, std::vector<uint8_t>(p.begin(), p.end()));
    return !stop_after_control;
  }
};

TEST(FrameParser, UnmasksMessagesOfEveryLengthForm) {
  for (size_t n : {0u, 1u, 125u, 126u, 65535u, 65536u, 200000u}) {
    std::vector<uint8_t> payload(n);
    for (size_t i = 0; i < n; ++i) payload[i] = static_cast<uint8_t>(i * 7);
    auto f = client_frame(Opcode::kBinary, payload);
    FrameParser parser(1 << 20);
    Recorder r;
    auto out = parser.parse(f, r);
    ASSERT_FALSE(out.failed) << n;
    EXPECT_EQ(out.consumed, f.size());
    ASSERT_EQ(r.messages.size(), 1u);
    EXPECT_EQ(r.messages[0].second, payload) << n;
  }
}

TEST(FrameParser, IncompleteFramesAreLeftForTheNextRead) {
  auto f = client_frame(Opcode::kBinary, bytes("hello world"));
  auto g = client_frame(Opcode::kBinary, bytes("second"));
  std::vector<uint8_t> all = f;
  all.insert(all.end(), g.begin(), g.end());
  // Every split point: parse the first part, carry the rest over, as the session does.
  for (size_t cut = 0; cut <= all.size(); ++cut) {
    FrameParser parser(1024);
    Recorder r;
    std::vector<uint8_t> first(all.begin(), all.begin() + static_cast<ptrdiff_t>(cut));
    auto a = parser.parse(first, r);
    ASSERT_FALSE(a.failed);
    std::vector<uint8_t> rest(first.begin() + static_cast<ptrdiff_t>(a.consumed), first.end());
    rest.insert(rest.end(), all.begin() + static_cast<ptrdiff_t>(cut), all.end());
    auto b = parser.parse(rest, r);
    ASSERT_FALSE(b.failed);
    EXPECT_EQ(b.consumed, rest.size());
    ASSERT_EQ(r.messages.size(), 2u) << "cut at " << cut;
    EXPECT_EQ(r.messages[0].second, bytes("hello world"));
    EXPECT_EQ(r.messages[1].second, bytes("second"));
  }
}

TEST(FrameParser, JoinsFragmentsAroundControlFrames) {
  std::vector<uint8_t> in = client_frame(Opcode::kBinary, bytes("ab"), /*fin=*/false);
  auto ping = client_frame(Opcode::kPing, bytes("p"));
  auto mid = client_frame(Opcode::kContinuation, bytes("cd"), false);
  auto last = client_frame(Opcode::kContinuation, bytes("e"), true);
  for (const auto* f : {&ping, &mid, &last}) in.insert(in.end(), f->begin(), f->end());
  FrameParser parser(1024);
  Recorder r;
  auto out = parser.parse(in, r);
  ASSERT_FALSE(out.failed);
  ASSERT_EQ(r.controls.size(), 1u);
  EXPECT_EQ(r.controls[0].first, Opcode::kPing);
  EXPECT_EQ(r.controls[0].second, bytes("p"));
  ASSERT_EQ(r.messages.size(), 1u);
  EXPECT_EQ(r.messages[0].first, Opcode::kBinary);
  EXPECT_EQ(r.messages[0].second, bytes("abcde"));
}

TEST(FrameParser, StopsWhenTheSinkSaysSo) {
  auto close = client_frame(Opcode::kClose, {0x03, 0xE8});
  auto after = client_frame(Opcode::kBinary, bytes("ignored"));
  std::vector<uint8_t> in = close;
  in.insert(in.end(), after.begin(), after.end());
  FrameParser parser(1024);
  Recorder r;
  r.stop_after_control = true;
  auto out = parser.parse(in, r);
  EXPECT_TRUE(out.stopped);
  EXPECT_EQ(out.consumed, close.size());
  EXPECT_TRUE(r.messages.empty());
}

struct Violation {
  const char* name;
  std::vector<uint8_t> input;
  uint16_t code;
};

TEST(FrameParser, ViolationsFailWithTheirCloseCode) {
  // 1 MiB announced; the mask key, but no payload yet.
  std::vector<uint8_t> big_header = {0x82, 0x80 | 127, 0, 0, 0, 0, 0, 0x10, 0, 0, 1, 2, 3, 4};
  std::vector<uint8_t> two_starts = client_frame(Opcode::kBinary, bytes("a"), false);
  auto second = client_frame(Opcode::kBinary, bytes("b"));
  two_starts.insert(two_starts.end(), second.begin(), second.end());
  std::vector<uint8_t> fragments_too_big = client_frame(Opcode::kBinary, std::vector<uint8_t>(60), false);
  auto more = client_frame(Opcode::kContinuation, std::vector<uint8_t>(60));
  fragments_too_big.insert(fragments_too_big.end(), more.begin(), more.end());
  std::vector<Violation> cases = {
      {"unmasked", client_frame(Opcode::kBinary, bytes("x"), true, false), 1002},
      {"reserved bit", client_frame(Opcode::kBinary, bytes("x"), true, true, 0x40), 1002},
      {"unknown opcode", client_frame(static_cast<Opcode>(0x3), bytes("x")), 1002},
      {"continuation first", client_frame(Opcode::kContinuation, bytes("x")), 1002},
      {"new message inside one", two_starts, 1002},
      {"fragmented ping", client_frame(Opcode::kPing, bytes("x"), false), 1002},
      {"long ping", client_frame(Opcode::kPing, std::vector<uint8_t>(126)), 1002},
      {"over the cap", client_frame(Opcode::kBinary, std::vector<uint8_t>(101)), 1009},
      {"announced over the cap", big_header, 1009},
      {"fragments over the cap", fragments_too_big, 1009},
  };
  for (auto& c : cases) {
    FrameParser parser(100);
    Recorder r;
    auto out = parser.parse(c.input, r);
    EXPECT_TRUE(out.failed) << c.name;
    EXPECT_EQ(out.error.close_code, c.code) << c.name << ": " << out.error.message;
    EXPECT_TRUE(r.messages.empty()) << c.name;
  }
}

TEST(FrameHeader, UsesTheShortestLengthForm) {
  uint8_t h[kMaxServerHeader];
  EXPECT_EQ(encode_frame_header(Opcode::kBinary, 125, h), 2u);
  EXPECT_EQ(h[0], 0x82);
  EXPECT_EQ(h[1], 125);
  EXPECT_EQ(encode_frame_header(Opcode::kBinary, 126, h), 4u);
  EXPECT_EQ(h[1], 126);
  EXPECT_EQ(h[2], 0);
  EXPECT_EQ(h[3], 126);
  EXPECT_EQ(encode_frame_header(Opcode::kClose, 70000, h), 10u);
  EXPECT_EQ(h[0], 0x88);
  EXPECT_EQ(h[1], 127);
  EXPECT_EQ((h[7] << 16) | (h[8] << 8) | h[9], 70000);
}

TEST(ClosePayload, KeepsTheCodeAndCutsTheReasonAtACharacter) {
  auto p = close_payload(4400, "bad");
  EXPECT_EQ(p, (std::vector<uint8_t>{0x11, 0x30, 'b', 'a', 'd'}));
  std::string long_reason(122, 'x');
  long_reason += "é";  // 2 bytes: would end at byte 124 of 123
  auto q = close_payload(1000, long_reason);
  EXPECT_EQ(q.size(), 2u + 122u);
}

}  // namespace
}  // namespace tandem::server::ws
