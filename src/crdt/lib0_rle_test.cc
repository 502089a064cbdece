// lib0 column codecs: golden bytes from lib0 0.2.120 (tests/fixtures/lib0/gen_lib0_fixtures.mjs,
// section "lib0", the column rows), round trips, and malformed columns.
#include "crdt/lib0_rle.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "crdt/hex_test_util.h"

namespace tandem::crdt::lib0 {
namespace {

using test_hex::from_hex;
using test_hex::to_hex;

const std::string kEmoji =
    "a\xF0\x9F\x98\x80"
    "b";  // 'a😀b': 4 UTF-16 units

TEST(Lib0Rle, UintOptRleGolden) {
  const std::pair<std::vector<uint64_t>, std::string> cases[] = {
      {{1, 2, 3, 3, 3}, "01024301"},
      {{0, 0, 0, 7, 0, uint64_t{1} << 40, uint64_t{1} << 40}, "40010700c0808080804000"},
      {{0}, "00"},
      {{}, ""},
  };
  for (const auto& [values, hex] : cases) {
    UintOptRleEncoder e;
    for (uint64_t v : values) e.write(v);
    e.flush();
    EXPECT_EQ(to_hex(e.bytes()), hex);
    Bytes b = from_hex(hex);
    UintOptRleDecoder d(Decoder(b), "test");
    for (uint64_t v : values) EXPECT_EQ(d.read(), v);
    EXPECT_THROW(d.read(), DecodeError);  // exhausted (JS would read zeros)
  }
}

TEST(Lib0Rle, IntDiffOptRleGolden) {
  const std::pair<std::vector<int64_t>, std::string> cases[] = {
      {{1, 2, 3, 2}, "030142"},
      {{0, 0, 5, 10, 15, 3, 1000000, 0}, "01000b0158ba91f401c092f401"},
  };
  for (const auto& [values, hex] : cases) {
    IntDiffOptRleEncoder e;
    for (int64_t v : values) e.write(v);
    e.flush();
    EXPECT_EQ(to_hex(e.bytes()), hex);
    Bytes b = from_hex(hex);
    IntDiffOptRleDecoder d(Decoder(b), "test");
    for (int64_t v : values) EXPECT_EQ(d.read(), v);
    EXPECT_THROW(d.read(), DecodeError);
  }
}

TEST(Lib0Rle, RleU8Golden) {
  const std::vector<uint8_t> values = {1, 1, 1, 7, 0, 0, 255};
  RleU8Encoder e;
  for (uint8_t v : values) e.write(v);
  EXPECT_EQ(to_hex(e.bytes()), "010207000001ff");
  RleU8Decoder d(Decoder(e.bytes()), "test");
  for (uint8_t v : values) EXPECT_EQ(d.read(), v);
  // The last run has no count: it repeats forever, as in lib0.
  EXPECT_EQ(d.read(), 255);
  EXPECT_EQ(d.read(), 255);
  Bytes empty;
  RleU8Decoder d2(Decoder(empty), "test");
  EXPECT_THROW(d2.read(), DecodeError);
}

TEST(Lib0Rle, StringEncoderGolden) {
  const std::vector<std::string> values = {
      "hello", "", kEmoji, kEmoji, kEmoji, std::string(30, 'x'), "\xC3\xBC"};
  StringEncoder e;
  for (const auto& s : values) e.write(s);
  Encoder out;
  e.finish_into(out);
  // lib0's column, with the var-uint length writeVarUint8Array puts in front of it.
  const std::string column =
      "3768656c6c6f61f09f98806261f09f98806261f09f98806278787878787878787878787878787878787878787878"
      "7878787878787878c3bc050044011e01";
  EXPECT_EQ(to_hex(out.bytes()), "3e" + column);
  Bytes b = from_hex(column);
  StringDecoder d(Decoder(b), "strings");
  for (const auto& s : values) EXPECT_EQ(d.read(), s);
  EXPECT_THROW(d.read(), DecodeError);
}

// Lengths are UTF-16 units; a JS writer can split a pair between two strings (two lone
// surrogates that meet again in the concatenation). Each half reads as U+FFFD.
TEST(Lib0Rle, StringDecoderSplitsSurrogatePairs) {
  Encoder col;
  col.write_var_string(
      "a\xF0\x9F\x98\x80"
      "b\xF0\x9F\x98\x80");
  UintOptRleEncoder lens;
  for (uint64_t n : {2, 0, 2, 1, 0, 1}) lens.write(n);
  lens.flush();
  col.write_bytes(lens.bytes());
  StringDecoder d(Decoder(col.bytes()), "strings");
  EXPECT_EQ(d.read(), "a\xEF\xBF\xBD");
  EXPECT_EQ(d.read(), "");
  EXPECT_EQ(d.read(),
            "\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(d.read(), "\xEF\xBF\xBD");
  EXPECT_EQ(d.read(), "");
  EXPECT_EQ(d.read(), "\xEF\xBF\xBD");
}

TEST(Lib0Rle, MalformedColumns) {
  // String lengths past the end of the string.
  {
    Encoder col;
    col.write_var_string("abc");
    col.write_var_int(4);
    StringDecoder d(Decoder(col.bytes()), "strings");
    EXPECT_THROW(d.read(), DecodeError);
  }
  {
    Encoder col;
    col.write_var_string("ab");
    col.write_var_int(-1);                    // a run of 1s ...
    col.write_var_uint(kMaxSafeInteger - 2);  // ... 2^53-1 long
    StringDecoder d(Decoder(col.bytes()), "strings");
    EXPECT_EQ(d.read(), "a");
    EXPECT_EQ(d.read(), "b");
    EXPECT_THROW(d.read(), DecodeError);
  }
  // A string column that is not UTF-8.
  {
    Bytes b = from_hex("01ff00");
    EXPECT_THROW(StringDecoder(Decoder(b), "strings"), DecodeError);
  }
  // A diff run that would overflow int64 fails instead.
  {
    Encoder col;
    col.write_var_int(static_cast<int64_t>(kMaxSafeInteger));  // diff 2^52-1, counted
    col.write_var_uint(kMaxSafeInteger - 2);
    IntDiffOptRleDecoder d(Decoder(col.bytes()), "clock");
    bool threw = false;
    for (int i = 0; i < 5000 && !threw; ++i) {
      try {
        d.read();
      } catch (const DecodeError&) {
        threw = true;
      }
    }
    EXPECT_TRUE(threw);
  }
  // Truncated counts.
  for (const char* hex : {"40", "4080"}) {
    Bytes b = from_hex(hex);
    UintOptRleDecoder d(Decoder(b), "lens");
    EXPECT_THROW(d.read(), DecodeError) << hex;
  }
}

}  // namespace
}  // namespace tandem::crdt::lib0
