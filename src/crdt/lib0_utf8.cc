// Strict UTF-8 validation (the WHATWG decoder's error cases) and UTF-16 lengths.
#include "crdt/lib0_utf8.h"

#include <cstring>

namespace tandem::crdt::lib0 {

namespace {

constexpr uint64_t kHighBits = 0x8080808080808080ull;

// Skips ASCII 8 bytes at a time; returns the index of the first non-ASCII byte at or after i
// (or a position where fewer than 8 bytes remain).
size_t skip_ascii(const unsigned char* p, size_t i, size_t n) {
  while (i + 8 <= n) {
    uint64_t w;
    std::memcpy(&w, p + i, 8);
    if (w & kHighBits) break;
    i += 8;
  }
  return i;
}

// utf8_invalid_at, counting UTF-16 units into `units` if kCount (by value: a count behind a
// pointer would be stored at every step, as the bytes read might alias it).
template <bool kCount>
size_t invalid_at(std::string_view s, uint64_t& units_out) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const size_t n = s.size();
  size_t i = 0;
  uint64_t units = 0;
  while (i < n) {
    const size_t ascii_from = i;
    i = skip_ascii(p, i, n);
    if constexpr (kCount) units += i - ascii_from;
    if (i >= n) break;
    unsigned char b = p[i];
    if (b < 0x80) {
      if constexpr (kCount) ++units;
      ++i;
      continue;
    }
    size_t need;
    unsigned char lo = 0x80, hi = 0xBF;
    if (b >= 0xC2 && b <= 0xDF) {
      need = 1;
    } else if (b >= 0xE0 && b <= 0xEF) {
      need = 2;
      if (b == 0xE0) lo = 0xA0;  // overlong
      if (b == 0xED) hi = 0x9F;  // surrogates
    } else if (b >= 0xF0 && b <= 0xF4) {
      need = 3;
      if (b == 0xF0) lo = 0x90;  // overlong
      if (b == 0xF4) hi = 0x8F;  // past U+10FFFF
    } else {
      break;
    }
    if (n - i <= need) break;
    unsigned char c = p[i + 1];
    if (c < lo || c > hi) break;
    bool bad = false;
    for (size_t k = 2; k <= need; ++k) bad = bad || (p[i + k] & 0xC0) != 0x80;
    if (bad) break;
    if constexpr (kCount) units += need == 3 ? 2 : 1;  // 4-byte sequences: surrogate pairs
    i += need + 1;
  }
  if constexpr (kCount) units_out = units;
  return i;  // n, or where the ill-formed part starts
}

}  // namespace

size_t utf8_invalid_at(std::string_view s) {
  uint64_t unused;
  return invalid_at<false>(s, unused);
}

size_t utf8_invalid_at(std::string_view s, uint64_t& utf16_units) { return invalid_at<true>(s, utf16_units); }

uint64_t utf16_units(std::string_view s) {
  // Every byte that is not a continuation byte starts a code point (1 unit); 4-byte
  // sequences (lead >= 0xF0) are surrogate pairs (2 units).
  uint64_t units = 0;
  for (unsigned char b : s) {
    units += (b & 0xC0) != 0x80;
    units += b >= 0xF0;
  }
  return units;
}

}  // namespace tandem::crdt::lib0
