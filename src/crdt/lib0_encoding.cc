// lib0 encoding and decoding, mirroring lib0/encoding.js and lib0/decoding.js.
#include "crdt/lib0_encoding.h"

#include <algorithm>
#include <bit>
#include <cfloat>
#include <cmath>
#include <cstring>

#include "crdt/lib0_utf8.h"

namespace tandem::crdt {

namespace {

// lib0 type tags of writeAny/readAny.
enum AnyTag : uint8_t {
  kTagUndefined = 127,
  kTagNull = 126,
  kTagInteger = 125,
  kTagFloat32 = 124,
  kTagFloat64 = 123,
  kTagBigInt = 122,
  kTagFalse = 121,
  kTagTrue = 120,
  kTagString = 119,
  kTagObject = 118,
  kTagArray = 117,
  kTagBuffer = 116,
};

constexpr uint32_t kBits31 = 0x7FFFFFFF;
// The bit pattern V8's DataView.setFloat64 writes for NaN.
constexpr uint64_t kCanonicalNaN = 0x7FF8000000000000ull;

// lib0's isFloat32: does the number survive a round trip through a float32?
bool is_float32(double d) {
  if (std::isnan(d)) return false;  // NaN !== NaN
  if (std::isinf(d)) return true;
  if (std::fabs(d) > FLT_MAX) return false;  // would round to Infinity (or be UB to convert)
  return static_cast<double>(static_cast<float>(d)) == d;
}

// Big-endian fixed-width writes.
template <typename U>
void put_be(std::vector<uint8_t>& buf, U v) {
  uint8_t b[sizeof(U)];
  for (size_t i = 0; i < sizeof(U); ++i)
    b[i] = static_cast<uint8_t>(v >> (8 * (sizeof(U) - 1 - i)));
  buf.insert(buf.end(), b, b + sizeof(U));
}

template <typename U>
U get_be(const uint8_t* p) {
  U v = 0;
  for (size_t i = 0; i < sizeof(U); ++i) v = static_cast<U>((v << 8) | p[i]);
  return v;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Encoder

void Encoder::write_var_uint_multi(uint64_t v) {
  uint8_t b[10];
  size_t n = 0;
  while (v > 0x7F) {
    b[n++] = static_cast<uint8_t>(0x80 | (v & 0x7F));
    v >>= 7;
  }
  b[n++] = static_cast<uint8_t>(v);
  buf_.insert(buf_.end(), b, b + n);
}

void Encoder::write_var_int(int64_t v, bool negative_zero) {
  const bool negative = v < 0 || (v == 0 && negative_zero);
  uint64_t mag = v < 0 ? uint64_t{0} - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  uint8_t b[10];
  size_t n = 0;
  // First byte: continuation bit, sign bit, 6 bits of magnitude.
  b[n++] = static_cast<uint8_t>((mag > 0x3F ? 0x80 : 0) | (negative ? 0x40 : 0) | (mag & 0x3F));
  mag >>= 6;
  while (mag > 0) {
    b[n++] = static_cast<uint8_t>((mag > 0x7F ? 0x80 : 0) | (mag & 0x7F));
    mag >>= 7;
  }
  buf_.insert(buf_.end(), b, b + n);
}

void Encoder::write_var_string(std::string_view utf8) {
  write_var_uint(utf8.size());
  buf_.insert(buf_.end(), utf8.begin(), utf8.end());
}

void Encoder::write_var_bytes(std::span<const uint8_t> bytes) {
  write_var_uint(bytes.size());
  buf_.insert(buf_.end(), bytes.begin(), bytes.end());
}

void Encoder::write_bytes(std::span<const uint8_t> bytes) {
  buf_.insert(buf_.end(), bytes.begin(), bytes.end());
}

void Encoder::write_float32(float v) {
  put_be(buf_, std::bit_cast<uint32_t>(v));
}
void Encoder::write_float64(double v) {
  put_be(buf_, std::bit_cast<uint64_t>(v));
}
void Encoder::write_bigint64(int64_t v) {
  put_be(buf_, static_cast<uint64_t>(v));
}

void Encoder::write_any(const Any& v) {
  switch (v.kind) {
    case Any::Kind::Undefined:
      write_u8(kTagUndefined);
      return;
    case Any::Kind::Null:
      write_u8(kTagNull);
      return;
    case Any::Kind::Number: {
      const double d = v.number;
      // number.isInteger(d) && math.abs(d) <= BITS31
      if (std::isfinite(d) && std::trunc(d) == d && std::fabs(d) <= kBits31) {
        write_u8(kTagInteger);
        write_var_int(static_cast<int64_t>(d), d == 0 && std::signbit(d));
      } else if (is_float32(d)) {
        write_u8(kTagFloat32);
        write_float32(static_cast<float>(d));
      } else {
        write_u8(kTagFloat64);
        if (std::isnan(d)) {
          put_be(buf_, kCanonicalNaN);
        } else {
          write_float64(d);
        }
      }
      return;
    }
    case Any::Kind::BigInt:
      write_u8(kTagBigInt);
      write_bigint64(v.bigint);
      return;
    case Any::Kind::Bool:
      write_u8(v.boolean ? kTagTrue : kTagFalse);
      return;
    case Any::Kind::String:
      write_u8(kTagString);
      write_var_string(v.str);
      return;
    case Any::Kind::Object: {
      write_u8(kTagObject);
      if (!v.obj) {
        write_var_uint(0);
        return;
      }
      write_var_uint(v.obj->size());
      for (const auto& [key, value] : *v.obj) {
        write_var_string(key);
        write_any(value);
      }
      return;
    }
    case Any::Kind::Array: {
      write_u8(kTagArray);
      if (!v.arr) {
        write_var_uint(0);
        return;
      }
      write_var_uint(v.arr->size());
      for (const Any& e : *v.arr) write_any(e);
      return;
    }
    case Any::Kind::Buffer:
      write_u8(kTagBuffer);
      if (!v.buf) {
        write_var_uint(0);
        return;
      }
      write_var_bytes(*v.buf);
      return;
  }
}

// ---------------------------------------------------------------------------------------------
// Decoder

void Decoder::fail_end(const char* what) const {
  throw DecodeError(std::string("unexpected end of data reading ") + what, base_ + pos_);
}

uint64_t Decoder::read_var_uint_multi() {
  // lib0 accepts any number of continuation bytes; it throws once the value exceeds 2^53-1.
  // We reject every value above 2^53-1 (lib0 lets the last byte push it past, imprecisely).
  const size_t start = pos_;
  if (data_.size() - pos_ >= 8) {
    // Common case (client ids, clocks): the value ends within 8 bytes, which need no bounds
    // check each and cannot overflow (8 * 7 = 56 bits).
    const uint8_t* p = data_.data() + pos_;
    uint64_t num = 0;
    for (unsigned i = 0; i < 8; ++i) {
      num |= static_cast<uint64_t>(p[i] & 0x7F) << (7 * i);
      if (p[i] < 0x80) {
        if (num > kMaxSafeInteger) fail_at("var-uint exceeds 2^53-1", start);
        pos_ += i + 1;
        return num;
      }
    }
  }
  uint64_t num = 0;
  unsigned shift = 0;
  while (true) {
    if (pos_ >= data_.size()) fail_end("var-uint");
    const uint8_t r = data_[pos_++];
    const uint64_t payload = r & 0x7F;
    if (shift < 53) {
      num |= payload << shift;  // < 2^60: cannot overflow
      shift += 7;
    } else if (payload != 0) {
      fail_at("var-uint exceeds 2^53-1", start);
    }
    if (num > kMaxSafeInteger) fail_at("var-uint exceeds 2^53-1", start);
    if (r < 0x80) return num;
  }
}

int64_t Decoder::read_var_int_multi(bool* negative_zero) {
  const size_t start = pos_;
  if (pos_ >= data_.size()) fail_end("var-int");
  uint8_t r = data_[pos_++];
  uint64_t num = r & 0x3F;
  const bool negative = (r & 0x40) != 0;
  unsigned shift = 6;
  while (r & 0x80) {
    if (pos_ >= data_.size()) fail_end("var-int");
    r = data_[pos_++];
    const uint64_t payload = r & 0x7F;
    if (shift < 53) {
      num |= payload << shift;
      shift += 7;
    } else if (payload != 0) {
      fail_at("var-int exceeds 2^53-1", start);
    }
    if (num > kMaxSafeInteger) fail_at("var-int exceeds 2^53-1", start);
  }
  if (negative_zero) *negative_zero = negative && num == 0;
  return negative ? -static_cast<int64_t>(num) : static_cast<int64_t>(num);
}

std::string Decoder::read_var_string() {
  uint64_t units;
  return read_var_string(units);
}

std::string Decoder::read_var_string(uint64_t& utf16_units) {
  const size_t start = pos_;
  const uint64_t len = read_var_uint();
  if (len > remaining()) fail_at("string length " + std::to_string(len) + " past the end", start);
  const auto* p = reinterpret_cast<const char*>(data_.data() + pos_);
  std::string_view s(p, static_cast<size_t>(len));
  const size_t bad = lib0::utf8_invalid_at(s, utf16_units);
  if (bad != s.size()) fail_at("invalid UTF-8 in string", pos_ + bad);
  pos_ += static_cast<size_t>(len);
  return std::string(s);
}

std::span<const uint8_t> Decoder::read_var_bytes() {
  const size_t start = pos_;
  const uint64_t len = read_var_uint();
  if (len > remaining())
    fail_at("byte array length " + std::to_string(len) + " past the end", start);
  auto out = data_.subspan(pos_, static_cast<size_t>(len));
  pos_ += static_cast<size_t>(len);
  return out;
}

std::span<const uint8_t> Decoder::read_bytes(size_t n) {
  if (n > remaining()) fail(std::to_string(n) + " bytes past the end");
  auto out = data_.subspan(pos_, n);
  pos_ += n;
  return out;
}

float Decoder::read_float32() {
  if (remaining() < 4) fail_end("float32");
  const uint32_t bits = get_be<uint32_t>(data_.data() + pos_);
  pos_ += 4;
  return std::bit_cast<float>(bits);
}

double Decoder::read_float64() {
  if (remaining() < 8) fail_end("float64");
  const uint64_t bits = get_be<uint64_t>(data_.data() + pos_);
  pos_ += 8;
  return std::bit_cast<double>(bits);
}

int64_t Decoder::read_bigint64() {
  if (remaining() < 8) fail_end("bigint64");
  const uint64_t bits = get_be<uint64_t>(data_.data() + pos_);
  pos_ += 8;
  return static_cast<int64_t>(bits);
}

Any Decoder::read_any() {
  return read_any_at_depth(0);
}

Any Decoder::read_any_at_depth(int depth) {
  const size_t start = pos_;
  const uint8_t tag = read_u8();
  switch (tag) {
    case kTagUndefined:
      return Any::Undefined();
    case kTagNull:
      return Any::Null();
    case kTagInteger: {
      bool nz = false;
      const int64_t v = read_var_int(&nz);
      return Any::Number(nz ? -0.0 : static_cast<double>(v));
    }
    case kTagFloat32:
      return Any::Number(static_cast<double>(read_float32()));
    case kTagFloat64:
      return Any::Number(read_float64());
    case kTagBigInt:
      return Any::BigInt(read_bigint64());
    case kTagFalse:
      return Any::Bool(false);
    case kTagTrue:
      return Any::Bool(true);
    case kTagString:
      return Any::String(read_var_string());
    case kTagObject: {
      if (depth >= kMaxAnyDepth)
        fail_at("Any nested deeper than " + std::to_string(kMaxAnyDepth), start);
      const uint64_t n = read_var_uint();
      // Each member needs at least a key length byte and a value tag byte.
      if (n > remaining() / 2) fail_at("object size " + std::to_string(n) + " past the end", start);
      AnyObject obj;
      obj.reserve(std::min<uint64_t>(n, 1024));
      for (uint64_t i = 0; i < n; ++i) {
        std::string key = read_var_string();
        Any value = read_any_at_depth(depth + 1);
        // `obj[key] = value` on a fresh JS object: "__proto__" hits the prototype setter and
        // creates no own property.
        if (key == "__proto__") continue;
        obj.emplace_back(std::move(key), std::move(value));
      }
      return Any::Object(std::move(obj));
    }
    case kTagArray: {
      if (depth >= kMaxAnyDepth)
        fail_at("Any nested deeper than " + std::to_string(kMaxAnyDepth), start);
      const uint64_t n = read_var_uint();
      if (n > remaining()) fail_at("array size " + std::to_string(n) + " past the end", start);
      AnyArray arr;
      arr.reserve(std::min<uint64_t>(n, 1024));
      for (uint64_t i = 0; i < n; ++i) arr.push_back(read_any_at_depth(depth + 1));
      return Any::Array(std::move(arr));
    }
    case kTagBuffer: {
      auto b = read_var_bytes();
      return Any::Buffer(Bytes(b.begin(), b.end()));
    }
    default:
      fail_at("unknown Any type tag " + std::to_string(tag), start);
  }
}

}  // namespace tandem::crdt
