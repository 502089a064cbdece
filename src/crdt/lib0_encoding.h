// lib0's binary encoding, byte-identical to the npm `lib0` package (lib0/encoding.js and
// lib0/decoding.js): var-uints up to 2^53, var-ints with a sign bit (and -0), UTF-8 strings,
// length-prefixed byte arrays, big-endian floats, 64-bit bigints and the `Any` encoding.
// Format: docs/crdt.md, "lib0 encoding".
#pragma once

#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "crdt/any.h"

namespace tandem::crdt {

//! Thrown by Decoder (and everything built on it) on malformed input. It never crosses the
//! crdt library's public API: decode entry points catch it and return a Status whose message
//! names what was being read and the byte offset.
class DecodeError : public std::runtime_error {
 public:
  DecodeError(const std::string& what, size_t offset)
      : std::runtime_error(what + " at byte " + std::to_string(offset)), offset_(offset) {}
  size_t offset() const { return offset_; }

 private:
  size_t offset_;
};

//! Largest integer lib0 reads or writes as a var-uint (Number.MAX_SAFE_INTEGER).
inline constexpr uint64_t kMaxSafeInteger = (uint64_t{1} << 53) - 1;

//! Appends lib0 encodings to a growing byte buffer. Not thread-safe; cheap to create.
class Encoder {
 public:
  Encoder() = default;
  //! Starts with room for `reserve` bytes.
  explicit Encoder(size_t reserve) { buf_.reserve(reserve); }

  void write_u8(uint8_t v) { buf_.push_back(v); }
  void write_var_uint(uint64_t v) {
    if (v < 0x80) {
      buf_.push_back(static_cast<uint8_t>(v));
      return;
    }
    write_var_uint_multi(v);
  }
  //! Var-int with lib0's sign bit; `negative_zero` writes -0.
  void write_var_int(int64_t v, bool negative_zero = false);
  //! A var-uint byte length then the UTF-8 bytes (lone surrogates must already be U+FFFD).
  void write_var_string(std::string_view utf8);
  void write_var_bytes(std::span<const uint8_t> bytes);
  //! Raw bytes, no length prefix.
  void write_bytes(std::span<const uint8_t> bytes);
  void write_float32(float v);     // big-endian
  void write_float64(double v);    // big-endian
  void write_bigint64(int64_t v);  // big-endian
  //! lib0 writeAny: numbers as var-int when integral and |v| <= 2^31-1 (-0 included, as a
  //! var-int -0), as float32 when exact (so +-Infinity and 2^31), else float64 (NaN written
  //! as V8 writes it, 7FF8000000000000).
  void write_any(const Any& v);

  size_t size() const { return buf_.size(); }
  const std::vector<uint8_t>& bytes() const { return buf_; }
  std::vector<uint8_t> take() { return std::move(buf_); }

 private:
  void write_var_uint_multi(uint64_t v);
  std::vector<uint8_t> buf_;
};

//! Reads lib0 encodings from a byte span it does not own. Every read checks bounds and
//! throws DecodeError on truncated or out-of-range input; lengths are checked against the
//! bytes that remain before anything is allocated.
class Decoder {
 public:
  //! `base_offset` is where `data` starts inside the enclosing message (a v2 column, say):
  //! it is added to the offsets that errors report, nothing else.
  explicit Decoder(std::span<const uint8_t> data, size_t base_offset = 0)
      : data_(data), base_(base_offset) {}

  bool has_content() const { return pos_ < data_.size(); }
  size_t pos() const { return pos_; }
  size_t remaining() const { return data_.size() - pos_; }

  uint8_t read_u8() {
    if (pos_ >= data_.size()) fail_end("byte");
    return data_[pos_++];
  }
  //! REQUIRES nothing; throws if the value exceeds 2^53-1 or runs past the end.
  uint64_t read_var_uint() {
    if (pos_ < data_.size() && data_[pos_] < 0x80) return data_[pos_++];
    return read_var_uint_multi();
  }
  //! Returns the value; sets *negative_zero when the encoding was -0.
  int64_t read_var_int(bool* negative_zero = nullptr) {
    if (pos_ < data_.size() && data_[pos_] < 0x80) {  // one byte: sign bit 0x40, 6 bits of value
      const uint8_t r = data_[pos_++];
      const int64_t num = r & 0x3F;
      const bool negative = (r & 0x40) != 0;
      if (negative_zero) *negative_zero = negative && num == 0;
      return negative ? -num : num;
    }
    return read_var_int_multi(negative_zero);
  }
  //! A var-uint byte length then UTF-8, validated strictly as lib0's TextDecoder
  //! ({fatal: true, ignoreBOM: true}) does: invalid UTF-8 throws, a BOM is kept.
  std::string read_var_string();
  //! The same, with the string's length in UTF-16 code units.
  std::string read_var_string(uint64_t& utf16_units);
  std::span<const uint8_t> read_var_bytes();
  std::span<const uint8_t> read_bytes(size_t n);
  float read_float32();
  double read_float64();
  int64_t read_bigint64();
  //! lib0 readAny; nesting deeper than kMaxAnyDepth is rejected. Objects behave as the JS
  //! object readAny builds: a repeated key keeps its first position and its last value, a
  //! "__proto__" key is dropped, array-index keys come first (see Any::Object).
  Any read_any();

  //! Throws DecodeError(what) at the current position (relative to the enclosing message).
  [[noreturn]] void fail(const std::string& what) const { throw DecodeError(what, base_ + pos_); }
  //! The same at a given position of this decoder's data.
  [[noreturn]] void fail_at(const std::string& what, size_t pos) const {
    throw DecodeError(what, base_ + pos);
  }

  static constexpr int kMaxAnyDepth = 256;

 private:
  uint64_t read_var_uint_multi();
  int64_t read_var_int_multi(bool* negative_zero);
  [[noreturn]] void fail_end(const char* what) const;
  Any read_any_at_depth(int depth);
  std::span<const uint8_t> data_;
  size_t base_ = 0;
  size_t pos_ = 0;
};

}  // namespace tandem::crdt
