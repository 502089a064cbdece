// lib0's column encoders and decoders that Yjs's v2 update format is built from, byte-identical
// to lib0/encoding.js and lib0/decoding.js: RleEncoder (over uint8), UintOptRleEncoder,
// IntDiffOptRleEncoder and StringEncoder, with their decoders. Format: docs/crdt.md,
// "Update format" (v2 columns).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "crdt/lib0_encoding.h"

namespace tandem::crdt::lib0 {

//! RleEncoder with writeUint8: each new value as a byte, then (when the next different value
//! comes) the run length minus one as a var-uint. The last run's length is never written.
class RleU8Encoder {
 public:
  void write(uint8_t v) {
    if (count_ > 0 && s_ == v) {
      ++count_;
      return;
    }
    if (count_ > 0) enc_.write_var_uint(count_ - 1);
    count_ = 1;
    enc_.write_u8(v);
    s_ = v;
  }
  //! The column bytes (nothing is pending: lib0 drops the last count).
  const std::vector<uint8_t>& bytes() const { return enc_.bytes(); }

 private:
  Encoder enc_;
  uint8_t s_ = 0;
  uint64_t count_ = 0;
};

//! UintOptRleEncoder: a value seen once is a var-int; a run is the value negated (so 0 becomes
//! -0) followed by the run length minus two as a var-uint. Values are at most 2^53-1.
class UintOptRleEncoder {
 public:
  void write(uint64_t v) {
    if (s_ == v) {
      ++count_;
      return;
    }
    flush();
    count_ = 1;
    s_ = v;
  }
  //! Writes the pending run; call once, after the last write().
  void flush() {
    if (count_ == 0) return;
    const auto s = static_cast<int64_t>(s_);
    if (count_ == 1) {
      enc_.write_var_int(s);
    } else {
      enc_.write_var_int(-s, /*negative_zero=*/true);
      enc_.write_var_uint(count_ - 2);
    }
    count_ = 0;
  }
  //! The column bytes; flush() first.
  const std::vector<uint8_t>& bytes() const { return enc_.bytes(); }

 private:
  Encoder enc_;
  uint64_t s_ = 0;  // lib0 starts at 0 with count 0: a first 0 only bumps the count
  uint64_t count_ = 0;
};

//! IntDiffOptRleEncoder: runs of equal differences; each run is the var-int diff * 2 + (run
//! longer than one), then the run length minus two if it is.
class IntDiffOptRleEncoder {
 public:
  void write(int64_t v) {
    if (diff_ == v - s_) {
      s_ = v;
      ++count_;
      return;
    }
    flush();
    count_ = 1;
    diff_ = v - s_;
    s_ = v;
  }
  void flush() {
    if (count_ == 0) return;
    enc_.write_var_int(diff_ * 2 + (count_ == 1 ? 0 : 1));
    if (count_ > 1) enc_.write_var_uint(count_ - 2);
    count_ = 0;
  }
  const std::vector<uint8_t>& bytes() const { return enc_.bytes(); }

 private:
  Encoder enc_;
  int64_t s_ = 0;
  int64_t diff_ = 0;
  uint64_t count_ = 0;
};

//! StringEncoder: all strings concatenated into one var-string, followed (unprefixed) by their
//! lengths in UTF-16 code units through a UintOptRleEncoder.
class StringEncoder {
 public:
  void write(std::string_view s);
  //! Appends the finished column (var-uint byte length, then the column) to `out`; call once.
  void finish_into(Encoder& out);

 private:
  std::string str_;
  UintOptRleEncoder lens_;
};

//! Decoder of RleU8Encoder's column: after the last written count, the last value repeats
//! forever (as lib0's RleDecoder does).
class RleU8Decoder {
 public:
  //! `column` reads the column's bytes; `name` is for error messages.
  RleU8Decoder(Decoder column, const char* name) : d_(column), name_(name) {}
  uint8_t read() {
    if (count_ == 0 && !forever_) {
      if (!d_.has_content()) d_.fail(std::string(name_) + " column exhausted");
      s_ = d_.read_u8();
      if (d_.has_content()) {
        count_ = d_.read_var_uint() + 1;
      } else {
        forever_ = true;
      }
    }
    if (!forever_) --count_;
    return s_;
  }

 private:
  Decoder d_;
  const char* name_;
  uint8_t s_ = 0;
  bool forever_ = false;
  uint64_t count_ = 0;
};

//! Decoder of UintOptRleEncoder's column. Values are in [0, 2^53-1].
class UintOptRleDecoder {
 public:
  //! `column` reads the column's bytes; `name` is for error messages.
  UintOptRleDecoder(Decoder column, const char* name) : d_(column), name_(name) {}
  uint64_t read() {
    if (count_ == 0) refill();
    --count_;
    return s_;
  }
  //! The underlying stream (StringDecoder reads its string from it first).
  Decoder& decoder() { return d_; }

 private:
  void refill();
  Decoder d_;
  const char* name_;
  uint64_t s_ = 0;
  uint64_t count_ = 0;
};

//! Decoder of IntDiffOptRleEncoder's column. Throws if the running value overflows int64.
class IntDiffOptRleDecoder {
 public:
  //! `column` reads the column's bytes; `name` is for error messages.
  IntDiffOptRleDecoder(Decoder column, const char* name) : d_(column), name_(name) {}
  int64_t read() {
    if (count_ == 0) refill();
    if (__builtin_add_overflow(s_, diff_, &s_)) d_.fail(std::string(name_) + " value overflows");
    --count_;
    return s_;
  }

 private:
  void refill();
  Decoder d_;
  const char* name_;
  int64_t s_ = 0;
  int64_t diff_ = 0;
  uint64_t count_ = 0;
};

//! Decoder of StringEncoder's column. Lengths are UTF-16 code units; a length that ends
//! between the two halves of a surrogate pair yields U+FFFD for each half, which is what a JS
//! reader's lone surrogates become once re-encoded as UTF-8. Lengths past the end throw.
class StringDecoder {
 public:
  //! Reads the concatenated string (throws DecodeError if it is not valid UTF-8).
  StringDecoder(Decoder column, const char* name);
  std::string read();
  //! The same, also giving the string's length in UTF-16 units (the column holds it).
  std::string read(uint64_t& units);

 private:
  UintOptRleDecoder lens_;
  std::string str_;
  size_t pos_ = 0;        // byte offset in str_ of the next unread code unit
  bool in_pair_ = false;  // the high half of the pair at pos_ was already returned
  bool ascii_ = false;    // str_ is all ASCII: units are bytes
};

}  // namespace tandem::crdt::lib0
