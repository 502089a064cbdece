// lib0 column codecs: the parts too long to inline.
#include "crdt/lib0_rle.h"

#include <algorithm>

#include "crdt/lib0_utf8.h"

namespace tandem::crdt::lib0 {

namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

size_t var_uint_size(uint64_t v) {
  size_t n = 1;
  while (v > 0x7F) {
    v >>= 7;
    ++n;
  }
  return n;
}

}  // namespace

void StringEncoder::write(std::string_view s) {
  str_.append(s);
  lens_.write(utf16_units(s));
}

void StringEncoder::finish_into(Encoder& out) {
  lens_.flush();
  const auto& lens = lens_.bytes();
  // writeVarUint8Array(out, [varString(str), ...lens]) without building the middle array.
  out.write_var_uint(var_uint_size(str_.size()) + str_.size() + lens.size());
  out.write_var_string(str_);
  out.write_bytes(lens);
}

void UintOptRleDecoder::refill() {
  if (!d_.has_content()) d_.fail(std::string(name_) + " column exhausted");
  bool negative_zero = false;
  const int64_t v = d_.read_var_int(&negative_zero);
  if (v < 0 || negative_zero) {
    s_ = static_cast<uint64_t>(-v);
    count_ = d_.read_var_uint() + 2;
  } else {
    s_ = static_cast<uint64_t>(v);
    count_ = 1;
  }
}

void IntDiffOptRleDecoder::refill() {
  if (!d_.has_content()) d_.fail(std::string(name_) + " column exhausted");
  const int64_t v = d_.read_var_int();
  diff_ = v >> 1;  // math.floor(v / 2)
  count_ = (v & 1) ? d_.read_var_uint() + 2 : 1;
}

StringDecoder::StringDecoder(Decoder column, const char* name) : lens_(column, name) {
  str_ = lens_.decoder().read_var_string();
  ascii_ = std::none_of(str_.begin(), str_.end(), [](char c) { return (c & 0x80) != 0; });
}

std::string StringDecoder::read() {
  uint64_t units = 0;
  return read(units);
}

std::string StringDecoder::read(uint64_t& length) {
  // The string returned has exactly `length` UTF-16 units: a surrogate pair cut in two
  // reads as one replacement character (one unit) on each side.
  uint64_t units = length = lens_.read();
  if (ascii_) {
    if (units > str_.size() - pos_)
      lens_.decoder().fail("string lengths run past the string column");
    const size_t start = pos_;
    pos_ += static_cast<size_t>(units);
    return str_.substr(start, static_cast<size_t>(units));
  }
  std::string out;
  if (units == 0) return out;
  size_t p = pos_;
  if (in_pair_) {
    // The low half of a pair whose high half the previous string took.
    out.append(kReplacement);
    in_pair_ = false;
    p += 4;
    --units;
  }
  // Every UTF-16 unit takes at least one byte.
  if (units > str_.size() - p) lens_.decoder().fail("string lengths run past the string column");
  const auto* s = reinterpret_cast<const uint8_t*>(str_.data());
  const size_t start = p;
  while (units > 0) {
    if (p >= str_.size()) lens_.decoder().fail("string lengths run past the string column");
    const size_t len = utf8_seq_len(s[p]);
    if (len == 4) {
      if (units == 1) {
        // The string ends between the halves of a surrogate pair.
        out.append(str_, start, p - start);
        out.append(kReplacement);
        in_pair_ = true;
        pos_ = p;
        return out;
      }
      units -= 2;
    } else {
      units -= 1;
    }
    p += len;
  }
  out.append(str_, start, p - start);
  pos_ = p;
  return out;
}

}  // namespace tandem::crdt::lib0
