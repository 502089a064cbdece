// lib0 encoding: golden bytes from the real lib0 0.2.120 (tests/fixtures/lib0/
// gen_lib0_fixtures.mjs, section "lib0"), decoding edge cases and hostile input.
#include "crdt/lib0_encoding.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <map>
#include <random>
#include <string>

#include "crdt/hex_test_util.h"
#include "crdt/lib0_utf8.h"

namespace tandem::crdt {
namespace {

using test_hex::from_hex;
using test_hex::to_hex;

// Output of `node gen_lib0_fixtures.mjs lib0`.
const std::map<std::string, std::string> kGolden = {
    {"uint 0", "00"},
    {"uint 1", "01"},
    {"uint 127", "7f"},
    {"uint 128", "8001"},
    {"uint 255", "ff01"},
    {"uint 256", "8002"},
    {"uint 16383", "ff7f"},
    {"uint 16384", "808001"},
    {"uint 2147483647", "ffffffff07"},
    {"uint 4294967296", "8080808010"},
    {"uint 9007199254740991", "ffffffffffffff0f"},
    {"int 0", "00"},
    {"int -0", "40"},
    {"int 1", "01"},
    {"int -1", "41"},
    {"int 63", "3f"},
    {"int 64", "8001"},
    {"int -63", "7f"},
    {"int -64", "c001"},
    {"int 8191", "bf7f"},
    {"int 8192", "808001"},
    {"int -8192", "c08001"},
    {"int 2147483647", "bfffffff0f"},
    {"int -2147483648", "c080808010"},
    {"int 4294967296", "8080808020"},
    {"int 9007199254740991", "bfffffffffffff1f"},
    {"int -9007199254740991", "ffffffffffffff1f"},
    {"f32 1.5", "3fc00000"},
    {"f32 -0.25", "be800000"},
    {"f32 3.4028234663852886e+38", "7f7fffff"},
    {"f32 Infinity", "7f800000"},
    {"f64 0.1", "3fb999999999999a"},
    {"f64 -1e+300", "fe37e43c8800759c"},
    {"f64 5e-324", "0000000000000001"},
    {"big 0", "0000000000000000"},
    {"big -1", "ffffffffffffffff"},
    {"big 9223372036854775807", "7fffffffffffffff"},
    {"big -9223372036854775808", "8000000000000000"},
    {"big 1234567890123", "0000011f71fb04cb"},
    {"str empty", "00"},
    {"str ascii", "0568656c6c6f"},
    {"str latin", "076772c3bcc39f65"},
    {"str euro", "03e282ac"},
    {"str emoji", "0661f09f988062"},
    {"str lone", "04efbfbd78"},
    {"str bom", "04efbbbf78"},
    {"any undefined", "7f"},
    {"any null", "7e"},
    {"any true", "78"},
    {"any false", "79"},
    {"any zero", "7d00"},
    {"any negzero", "7d40"},
    {"any one", "7d01"},
    {"any minus1", "7d41"},
    {"any bits31", "7dbfffffff0f"},
    {"any negbits31", "7dffffffff0f"},
    {"any two31", "7c4f000000"},
    {"any negtwo31", "7ccf000000"},
    {"any half", "7c3f000000"},
    {"any tenth", "7b3fb999999999999a"},
    {"any onehalf", "7c3fc00000"},
    {"any nan", "7b7ff8000000000000"},
    {"any inf", "7c7f800000"},
    {"any neginf", "7cff800000"},
    {"any two53", "7c5a000000"},
    {"any big", "7b7e37e43c8800759c"},
    {"any denorm", "7b0000000000000001"},
    {"any f32max", "7c7f7fffff"},
    {"any bigint0", "7a0000000000000000"},
    {"any bigintm1", "7affffffffffffffff"},
    {"any bigintmax", "7a7fffffffffffffff"},
    {"any str", "770661f09f988062"},
    {"any emptyobj", "7600"},
    {"any emptyarr", "7500"},
    {"any buf", "74030001ff"},
    {"any nested", "7603016175037d01760201627e01637701787502787c3e800000016b74010701647d45"},
    {"any idxkeys", "7604013077047a65726f0132770374776f01627d0101617d03"},
    {"any readback proto", "760301357d0301627d0301617d02"},
};

const std::string& golden(const std::string& name) {
  auto it = kGolden.find(name);
  EXPECT_NE(it, kGolden.end()) << name;
  static const std::string kNone;
  return it == kGolden.end() ? kNone : it->second;
}

std::string encode(const std::function<void(Encoder&)>& f) {
  Encoder e;
  f(e);
  return to_hex(e.bytes());
}

// Reads the whole of `hex` with `f`; fails the test if bytes are left over.
template <typename F>
auto decode_all(const std::string& hex, F f) {
  Bytes b = from_hex(hex);
  Decoder d(b);
  auto v = f(d);
  EXPECT_FALSE(d.has_content()) << hex;
  return v;
}

Any obj(std::initializer_list<std::pair<std::string, Any>> kv) {
  return Any::Object(AnyObject(kv));
}
Any arr(std::initializer_list<Any> v) {
  return Any::Array(AnyArray(v));
}
Any num(double d) {
  return Any::Number(d);
}

TEST(Lib0Encoding, VarUintGolden) {
  for (uint64_t v : std::initializer_list<uint64_t>{0, 1, 127, 128, 255, 256, 16383, 16384,
                                                    2147483647, 4294967296, kMaxSafeInteger}) {
    const std::string& hex = golden("uint " + std::to_string(v));
    EXPECT_EQ(encode([&](Encoder& e) { e.write_var_uint(v); }), hex) << v;
    EXPECT_EQ(decode_all(hex, [](Decoder& d) { return d.read_var_uint(); }), v);
  }
}

TEST(Lib0Encoding, VarIntGolden) {
  for (int64_t v :
       {int64_t{0}, int64_t{1}, int64_t{-1}, int64_t{63}, int64_t{64}, int64_t{-63}, int64_t{-64},
        int64_t{8191}, int64_t{8192}, int64_t{-8192}, int64_t{2147483647}, int64_t{-2147483648},
        int64_t{4294967296}, int64_t{9007199254740991}, int64_t{-9007199254740991}}) {
    const std::string& hex = golden("int " + std::to_string(v));
    EXPECT_EQ(encode([&](Encoder& e) { e.write_var_int(v); }), hex) << v;
    bool nz = true;
    EXPECT_EQ(decode_all(hex, [&](Decoder& d) { return d.read_var_int(&nz); }), v);
    EXPECT_FALSE(nz);
  }
  EXPECT_EQ(encode([](Encoder& e) { e.write_var_int(0, true); }), golden("int -0"));
  bool nz = false;
  EXPECT_EQ(decode_all("40", [&](Decoder& d) { return d.read_var_int(&nz); }), 0);
  EXPECT_TRUE(nz);
  // negative_zero only matters for 0.
  EXPECT_EQ(encode([](Encoder& e) { e.write_var_int(5, true); }), "05");
}

TEST(Lib0Encoding, FloatsAndBigIntsGolden) {
  EXPECT_EQ(encode([](Encoder& e) { e.write_float32(1.5f); }), golden("f32 1.5"));
  EXPECT_EQ(encode([](Encoder& e) { e.write_float32(-0.25f); }), golden("f32 -0.25"));
  EXPECT_EQ(encode([](Encoder& e) { e.write_float32(3.4028234663852886e38f); }),
            golden("f32 3.4028234663852886e+38"));
  EXPECT_EQ(encode([](Encoder& e) { e.write_float32(INFINITY); }), golden("f32 Infinity"));
  EXPECT_EQ(encode([](Encoder& e) { e.write_float64(0.1); }), golden("f64 0.1"));
  EXPECT_EQ(encode([](Encoder& e) { e.write_float64(-1e300); }), golden("f64 -1e+300"));
  EXPECT_EQ(encode([](Encoder& e) { e.write_float64(5e-324); }), golden("f64 5e-324"));
  EXPECT_EQ(decode_all(golden("f32 1.5"), [](Decoder& d) { return d.read_float32(); }), 1.5f);
  EXPECT_EQ(decode_all(golden("f64 0.1"), [](Decoder& d) { return d.read_float64(); }), 0.1);
  EXPECT_EQ(decode_all(golden("f64 5e-324"), [](Decoder& d) { return d.read_float64(); }), 5e-324);
  for (int64_t v : {int64_t{0}, int64_t{-1}, INT64_MAX, INT64_MIN, int64_t{1234567890123}}) {
    const std::string& hex = golden("big " + std::to_string(v));
    EXPECT_EQ(encode([&](Encoder& e) { e.write_bigint64(v); }), hex);
    EXPECT_EQ(decode_all(hex, [](Decoder& d) { return d.read_bigint64(); }), v);
  }
}

TEST(Lib0Encoding, StringsGolden) {
  const std::pair<const char*, std::string> cases[] = {
      {"empty", ""},
      {"ascii", "hello"},
      {"latin",
       "gr\xC3\xBC\xC3\x9F"
       "e"},
      {"euro", "\xE2\x82\xAC"},
      {"emoji",
       "a\xF0\x9F\x98\x80"
       "b"},
      // JS's '\ud800x': TextEncoder writes the lone surrogate as U+FFFD, which is what the
      // UTF-8 side holds already.
      {"lone", "\xEF\xBF\xBDx"},
      {"bom", "\xEF\xBB\xBFx"},
  };
  for (const auto& [name, str] : cases) {
    const std::string& hex = golden(std::string("str ") + name);
    const std::string& s = str;  // clang 14 cannot capture structured bindings
    EXPECT_EQ(encode([&](Encoder& e) { e.write_var_string(s); }), hex) << name;
    // The BOM is kept (lib0's TextDecoder has ignoreBOM: true).
    EXPECT_EQ(decode_all(hex, [](Decoder& d) { return d.read_var_string(); }), s) << name;
  }
}

TEST(Lib0Encoding, InvalidUtf8IsRejected) {
  // lib0 0.2.120 decodes with TextDecoder('utf-8', {fatal: true}): these throw in JS too.
  for (const char* hex : {"02c328", "02c0af", "03eda080", "03edbfbf", "04f4908080", "02e282",
                          "0180", "01ff", "04f0808080", "03e08080", "0ae282ac6162636465e2"}) {
    Bytes b = from_hex(hex);
    Decoder d(b);
    EXPECT_THROW(d.read_var_string(), DecodeError) << hex;
  }
  // The offset names the bad byte.
  Bytes b = from_hex("0561626364ff");
  Decoder d(b);
  try {
    d.read_var_string();
    FAIL();
  } catch (const DecodeError& e) {
    EXPECT_EQ(e.offset(), 5u);
  }
  // Long valid strings pass the 8-byte ASCII fast path and the multibyte path.
  std::string s(1000, 'x');
  s += "\xF0\x9F\x98\x80\xE2\x82\xAC\xC3\xBC";
  s += std::string(37, 'y');
  Encoder e;
  e.write_var_string(s);
  Decoder d2(e.bytes());
  EXPECT_EQ(d2.read_var_string(), s);
}

TEST(Lib0Encoding, StringsAreMeasuredInUtf16UnitsAsTheyAreChecked) {
  // ASCII runs longer than the 8-byte fast path, 2-, 3- and 4-byte sequences (the last a
  // surrogate pair in UTF-16), at the start, in the middle and at the end.
  const std::string cases[] = {"", "a", std::string(19, 'a'), "\xC3\xBC", "\xE2\x82\xAC",
                               "\xF0\x9F\x98\x80", std::string(9, 'x') + "\xF0\x9F\x98\x80" + std::string(17, 'y') + "\xC3\xBC",
                               "\xE2\x82\xAC\xF0\x9F\x98\x80z"};
  for (const std::string& s : cases) {
    uint64_t units = 99;
    EXPECT_EQ(lib0::utf8_invalid_at(s, units), s.size()) << s;
    EXPECT_EQ(units, lib0::utf16_units(s)) << s;
    Encoder e;
    e.write_var_string(s);
    Decoder d(e.bytes());
    units = 99;
    EXPECT_EQ(d.read_var_string(units), s);
    EXPECT_EQ(units, lib0::utf16_units(s)) << s;
  }
  // Ill-formed: the units of the well-formed prefix ("ab" and a pair: 4).
  uint64_t units = 0;
  const std::string bad = "ab\xF0\x9F\x98\x80\xFF" "cd";
  EXPECT_EQ(lib0::utf8_invalid_at(bad, units), 6u);
  EXPECT_EQ(units, 4u);
}

// The C++ value of each "any ..." fixture.
std::vector<std::pair<std::string, Any>> any_cases() {
  return {
      {"undefined", Any::Undefined()},
      {"null", Any::Null()},
      {"true", Any::Bool(true)},
      {"false", Any::Bool(false)},
      {"zero", num(0)},
      {"negzero", num(-0.0)},
      {"one", num(1)},
      {"minus1", num(-1)},
      {"bits31", num(2147483647)},
      {"negbits31", num(-2147483647)},
      {"two31", num(2147483648.0)},
      {"negtwo31", num(-2147483648.0)},
      {"half", num(0.5)},
      {"tenth", num(0.1)},
      {"onehalf", num(1.5)},
      {"nan", num(NAN)},
      {"inf", num(INFINITY)},
      {"neginf", num(-INFINITY)},
      {"two53", num(9007199254740992.0)},
      {"big", num(1e300)},
      {"denorm", num(5e-324)},
      {"f32max", num(3.4028234663852886e38)},
      {"bigint0", Any::BigInt(0)},
      {"bigintm1", Any::BigInt(-1)},
      {"bigintmax", Any::BigInt(INT64_MAX)},
      {"str", Any::String("a\xF0\x9F\x98\x80"
                          "b")},
      {"emptyobj", Any::Object({})},
      {"emptyarr", Any::Array({})},
      {"buf", Any::Buffer({0, 1, 255})},
      {"nested", obj({{"a", arr({num(1), obj({{"b", Any::Null()}, {"c", Any::String("x")}}),
                                 arr({Any::Bool(true), num(0.25)})})},
                      {"k", Any::Buffer({7})},
                      {"d", num(-5)}})},
      // Array-index keys first, ascending, as Object.keys orders them.
      {"idxkeys",
       obj({{"b", num(1)}, {"2", Any::String("two")}, {"a", num(3)}, {"0", Any::String("zero")}})},
  };
}

TEST(Lib0Encoding, AnyGolden) {
  for (const auto& [name, value] : any_cases()) {
    const std::string& hex = golden("any " + name);
    const Any& v = value;  // clang 14 cannot capture structured bindings
    EXPECT_EQ(encode([&](Encoder& e) { e.write_any(v); }), hex) << name;
    Any back = decode_all(hex, [](Decoder& d) { return d.read_any(); });
    if (name == "nan") {
      ASSERT_EQ(back.kind, Any::Kind::Number);
      EXPECT_TRUE(std::isnan(back.number));
    } else {
      EXPECT_EQ(back, v) << name;
    }
    if (name == "negzero") {
      EXPECT_TRUE(std::signbit(back.number));
    }
    EXPECT_EQ(encode([&](Encoder& e) { e.write_any(back); }), hex) << name;
  }
}

TEST(Lib0Encoding, AnyNumberChoice) {
  auto tag = [](double d) {
    Encoder e;
    e.write_any(num(d));
    return e.bytes()[0];
  };
  EXPECT_EQ(tag(0.5), 124);           // float32-exact
  EXPECT_EQ(tag(0.1), 123);           // needs float64
  EXPECT_EQ(tag(2147483647.0), 125);  // BITS31: still a var-int
  EXPECT_EQ(tag(2147483648.0), 124);  // 2^31: float32
  EXPECT_EQ(tag(-0.0), 125);
  EXPECT_EQ(tag(1e39), 123);                   // integral but beyond float32's range
  EXPECT_EQ(tag(3.4028235677973366e38), 123);  // just past FLT_MAX: rounds to inf as a float
  EXPECT_EQ(tag(16777217.0), 125);
  EXPECT_EQ(tag(4294967297.0), 123);  // integral, > 2^31, not float32-exact
}

// An object as JS's readAny builds it from {b:1, __proto__:{x:1}, a:2, b:3, "5":3} on the wire:
// "__proto__" is dropped, "b" keeps its place and takes 3, "5" moves first.
TEST(Lib0Encoding, AnyObjectHasJsSemantics) {
  Encoder e;
  e.write_u8(118);
  e.write_var_uint(5);
  e.write_var_string("b");
  e.write_any(num(1));
  e.write_var_string("__proto__");
  e.write_any(obj({{"x", num(1)}}));
  e.write_var_string("a");
  e.write_any(num(2));
  e.write_var_string("b");
  e.write_any(num(3));
  e.write_var_string("5");
  e.write_any(num(3));
  Decoder d(e.bytes());
  Any v = d.read_any();
  EXPECT_EQ(encode([&](Encoder& e2) { e2.write_any(v); }), golden("any readback proto"));
}

TEST(Lib0Encoding, AnyEquality) {
  EXPECT_EQ(num(0), num(-0.0));
  EXPECT_NE(num(NAN), num(NAN));
  EXPECT_NE(num(1), Any::BigInt(1));
  EXPECT_NE(Any::Undefined(), Any::Null());
  EXPECT_EQ(obj({{"a", num(1)}, {"b", num(2)}}), obj({{"b", num(2)}, {"a", num(1)}}));
  EXPECT_NE(obj({{"a", num(1)}}), obj({{"a", num(1)}, {"b", num(2)}}));
  EXPECT_NE(obj({{"a", num(1)}}), obj({{"b", num(1)}}));
  EXPECT_NE(arr({num(1), num(2)}), arr({num(2), num(1)}));
  EXPECT_EQ(Any::Buffer({1, 2}), Any::Buffer({1, 2}));
  EXPECT_NE(Any::Buffer({1, 2}), Any::Buffer({1}));
  Any a = arr({num(NAN)});
  EXPECT_NE(a, a);  // deep, like ===: NaN is never equal
  // Repeated keys: the first position, the last value.
  Any o = obj({{"x", num(1)}, {"y", num(2)}, {"x", num(3)}});
  ASSERT_EQ(o.object().size(), 2u);
  EXPECT_EQ(o.object()[0].first, "x");
  EXPECT_EQ(o.object()[0].second, num(3));
  // Many keys take the hashed path.
  AnyObject many;
  for (int i = 0; i < 40; ++i) many.emplace_back("k" + std::to_string(i % 20), num(i));
  Any m = Any::Object(std::move(many));
  ASSERT_EQ(m.object().size(), 20u);
  EXPECT_EQ(m.object()[3].first, "k3");
  EXPECT_EQ(m.object()[3].second, num(23));
}

TEST(Lib0Encoding, VarUintOverflowAndTruncation) {
  auto read = [](const std::string& hex) {
    Bytes b = from_hex(hex);
    Decoder d(b);
    return d.read_var_uint();
  };
  EXPECT_EQ(read("ffffffffffffff0f"), kMaxSafeInteger);
  EXPECT_THROW(read("8080808080808010"), DecodeError);      // 2^53
  EXPECT_THROW(read("ffffffffffffff7f"), DecodeError);      // 2^56-1
  EXPECT_THROW(read("ffffffffffffffffff01"), DecodeError);  // 10 bytes, 2^64-1
  EXPECT_THROW(read("ffffffffffffffffffff7f"), DecodeError);
  EXPECT_THROW(read("80808080808080808080808002"), DecodeError);  // 1 << 84
  // lib0 accepts redundant zero continuation groups; so do we.
  EXPECT_EQ(read("8000"), 0u);
  EXPECT_EQ(read("ff80808080808080808000"), 127u);
  EXPECT_THROW(read(""), DecodeError);
  EXPECT_THROW(read("80"), DecodeError);
  EXPECT_THROW(read("ffff"), DecodeError);
  auto read_int = [](const std::string& hex) {
    Bytes b = from_hex(hex);
    Decoder d(b);
    return d.read_var_int();
  };
  EXPECT_EQ(read_int("ffffffffffffff1f"), -9007199254740991);
  EXPECT_THROW(read_int("c0808080808080808001"), DecodeError);
  EXPECT_THROW(read_int("ffffffffffffffffff7f"), DecodeError);
  EXPECT_THROW(read_int(""), DecodeError);
  EXPECT_THROW(read_int("c0"), DecodeError);
}

TEST(Lib0Encoding, HostileLengthsFailFast) {
  // A length of 2^53-1 with a few bytes behind it: DecodeError, nothing allocated.
  for (const char* prefix : {"", "77", "74"}) {
    Bytes b = from_hex(std::string(prefix) + "ffffffffffffff0f616263");
    Decoder d(b);
    if (*prefix) {
      EXPECT_THROW(d.read_any(), DecodeError);
    } else {
      EXPECT_THROW(d.read_var_string(), DecodeError);
      Decoder d2(b);
      EXPECT_THROW(d2.read_var_bytes(), DecodeError);
    }
  }
  // Object and array counts larger than the bytes left.
  for (const char* hex :
       {"75ffffffffffffff0f7f7f", "76ffffffffffffff0f0161", "75037f7f", "7602016100"}) {
    Bytes b = from_hex(hex);
    Decoder d(b);
    EXPECT_THROW(d.read_any(), DecodeError) << hex;
  }
  // An array count equal to the bytes left is fine when they are elements.
  Bytes ok = from_hex("75037f7e78");
  Decoder d(ok);
  EXPECT_EQ(d.read_any(), arr({Any::Undefined(), Any::Null(), Any::Bool(true)}));
  Decoder d3(ok);
  EXPECT_THROW(d3.read_bytes(6), DecodeError);
}

TEST(Lib0Encoding, EveryTruncationFails) {
  for (const auto& [name, hex] : kGolden) {
    if (name.rfind("any ", 0) != 0) continue;
    Bytes b = from_hex(hex);
    for (size_t n = 0; n < b.size(); ++n) {
      Decoder d(std::span<const uint8_t>(b.data(), n));
      EXPECT_THROW(d.read_any(), DecodeError) << name << " cut at " << n;
    }
  }
  for (const auto& [name, hex] : kGolden) {
    if (name.rfind("str ", 0) != 0 && name.rfind("uint ", 0) != 0) continue;
    Bytes b = from_hex(hex);
    for (size_t n = 0; n < b.size(); ++n) {
      Decoder d(std::span<const uint8_t>(b.data(), n));
      if (name[0] == 's') {
        EXPECT_THROW(d.read_var_string(), DecodeError) << name << " cut at " << n;
      } else {
        EXPECT_THROW(d.read_var_uint(), DecodeError) << name << " cut at " << n;
      }
    }
  }
  Bytes f = from_hex("0102030405060708");
  for (size_t n = 0; n < 8; ++n) {
    Decoder d(std::span<const uint8_t>(f.data(), n));
    EXPECT_THROW(d.read_float64(), DecodeError);
    Decoder d2(std::span<const uint8_t>(f.data(), n));
    EXPECT_THROW(d2.read_bigint64(), DecodeError);
    if (n < 4) {
      Decoder d3(std::span<const uint8_t>(f.data(), n));
      EXPECT_THROW(d3.read_float32(), DecodeError);
    }
  }
}

TEST(Lib0Encoding, AnyDepthLimit) {
  auto nested = [](int depth) {
    Bytes b;
    for (int i = 0; i < depth; ++i) {
      b.push_back(117);
      b.push_back(1);
    }
    b.push_back(126);
    return b;
  };
  Bytes ok = nested(Decoder::kMaxAnyDepth);
  Decoder d(ok);
  EXPECT_NO_THROW(d.read_any());
  EXPECT_FALSE(d.has_content());
  Bytes deep = nested(Decoder::kMaxAnyDepth + 1);
  Decoder d2(deep);
  EXPECT_THROW(d2.read_any(), DecodeError);
}

TEST(Lib0Encoding, UnknownTagAndOffsets) {
  for (const char* hex : {"73", "00", "80", "ff"}) {
    Bytes b = from_hex(hex);
    Decoder d(b);
    EXPECT_THROW(d.read_any(), DecodeError) << hex;
  }
  // Offsets are positions in the data, plus the base offset when there is one.
  Bytes b = from_hex("7502777f");  // [<string of 127 bytes: truncated>]
  try {
    Decoder d(b, 100);
    d.read_any();
    FAIL();
  } catch (const DecodeError& e) {
    EXPECT_EQ(e.offset(), 103u);
    EXPECT_NE(std::string(e.what()).find("at byte 103"), std::string::npos) << e.what();
  }
}

TEST(Lib0Encoding, RandomInputNeverCrashes) {
  std::mt19937_64 rng(12345);
  for (int iter = 0; iter < 20000; ++iter) {
    Bytes b(rng() % 24);
    for (auto& c : b) {
      // Bias towards Any tags and small var-uints.
      const uint64_t r = rng();
      c = (r & 3) == 0 ? static_cast<uint8_t>(116 + (r >> 8) % 12) : static_cast<uint8_t>(r >> 16);
    }
    Decoder d(b);
    try {
      while (d.has_content()) {
        Any v = d.read_any();
        // Whatever decodes re-encodes to something that decodes to the same kind.
        Encoder e;
        e.write_any(v);
        Decoder d2(e.bytes());
        EXPECT_EQ(d2.read_any().kind, v.kind);
      }
    } catch (const DecodeError&) {
    }
  }
}

TEST(Lib0Encoding, EncoderBasics) {
  Encoder e(64);
  EXPECT_EQ(e.size(), 0u);
  e.write_u8(7);
  const uint8_t raw[] = {1, 2};
  e.write_bytes(raw);
  e.write_var_bytes(raw);
  EXPECT_EQ(to_hex(e.bytes()), "070102020102");
  Bytes taken = e.take();
  EXPECT_EQ(taken.size(), 6u);
  Decoder d(taken);
  EXPECT_EQ(d.read_u8(), 7);
  EXPECT_EQ(d.read_bytes(2).size(), 2u);
  EXPECT_EQ(to_hex(d.read_var_bytes()), "0102");
  EXPECT_EQ(d.remaining(), 0u);
  EXPECT_THROW(d.read_u8(), DecodeError);
}

}  // namespace
}  // namespace tandem::crdt
