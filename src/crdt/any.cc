// Any: factories that give objects JS's key semantics, and deep equality.
#include "crdt/any.h"

#include <algorithm>
#include <string_view>
#include <unordered_map>

namespace tandem::crdt {

namespace {

// An ECMAScript array index: the canonical decimal form of an integer in [0, 2^32 - 2].
// Ordinary objects list these keys first, in ascending numeric order.
bool array_index(std::string_view key, uint32_t* index) {
  if (key.empty() || key.size() > 10) return false;
  if (key.size() > 1 && key[0] == '0') return false;
  uint64_t v = 0;
  for (char c : key) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  if (v > 4294967294u) return false;
  *index = static_cast<uint32_t>(v);
  return true;
}

// Merges repeated keys in place: the first position, the last value.
void merge_duplicates(AnyObject& o) {
  bool has_dup = false;
  if (o.size() <= 16) {
    for (size_t i = 1; i < o.size() && !has_dup; ++i) {
      for (size_t j = 0; j < i; ++j) {
        if (o[i].first == o[j].first) {
          has_dup = true;
          break;
        }
      }
    }
    if (!has_dup) return;
  }
  std::unordered_map<std::string_view, size_t> first;
  first.reserve(o.size());
  size_t out = 0;
  for (size_t i = 0; i < o.size(); ++i) {
    auto [it, inserted] = first.try_emplace(std::string_view(o[i].first), out);
    if (inserted) {
      if (out != i) {
        // The map holds a view of the key: move the pair, then re-point the view.
        o[out] = std::move(o[i]);
        first.erase(it);
        first.emplace(std::string_view(o[out].first), out);
      }
      ++out;
    } else {
      o[it->second].second = std::move(o[i].second);
    }
  }
  o.resize(out);
}

}  // namespace

Any Any::Object(AnyObject o) {
  merge_duplicates(o);
  uint32_t index = 0;
  bool has_index = false;
  for (const auto& [k, v] : o) {
    if (array_index(k, &index)) {
      has_index = true;
      break;
    }
  }
  if (has_index) {
    std::stable_partition(o.begin(), o.end(), [&](const auto& kv) {
      uint32_t i = 0;
      return array_index(kv.first, &i);
    });
    auto end = std::find_if(o.begin(), o.end(), [&](const auto& kv) {
      uint32_t i = 0;
      return !array_index(kv.first, &i);
    });
    std::stable_sort(o.begin(), end, [](const auto& a, const auto& b) {
      uint32_t ia = 0, ib = 0;
      array_index(a.first, &ia);
      array_index(b.first, &ib);
      return ia < ib;
    });
  }
  Any a;
  a.kind = Kind::Object;
  a.obj = std::make_shared<AnyObject>(std::move(o));
  return a;
}

Any Any::Array(AnyArray v) {
  Any a;
  a.kind = Kind::Array;
  a.arr = std::make_shared<AnyArray>(std::move(v));
  return a;
}

Any Any::Buffer(Bytes b) {
  Any a;
  a.kind = Kind::Buffer;
  a.buf = std::make_shared<Bytes>(std::move(b));
  return a;
}

namespace {

template <typename T>
const T& or_empty(const std::shared_ptr<T>& p) {
  static const T kEmpty;
  return p ? *p : kEmpty;
}

bool objects_equal(const AnyObject& a, const AnyObject& b) {
  if (a.size() != b.size()) return false;
  // Usually the keys are in the same order.
  size_t i = 0;
  for (; i < a.size(); ++i) {
    if (a[i].first != b[i].first) break;
    if (!(a[i].second == b[i].second)) return false;
  }
  for (; i < a.size(); ++i) {
    auto it =
        std::find_if(b.begin(), b.end(), [&](const auto& kv) { return kv.first == a[i].first; });
    if (it == b.end() || !(a[i].second == it->second)) return false;
  }
  return true;
}

}  // namespace

bool operator==(const Any& a, const Any& b) {
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case Any::Kind::Undefined:
    case Any::Kind::Null:
      return true;
    case Any::Kind::Number:
      return a.number == b.number;
    case Any::Kind::BigInt:
      return a.bigint == b.bigint;
    case Any::Kind::Bool:
      return a.boolean == b.boolean;
    case Any::Kind::String:
      return a.str == b.str;
    // No identity shortcut for containers: [NaN] != [NaN] however the two were made.
    case Any::Kind::Object:
      return objects_equal(or_empty(a.obj), or_empty(b.obj));
    case Any::Kind::Array:
      return or_empty(a.arr) == or_empty(b.arr);
    case Any::Kind::Buffer:
      return a.buf == b.buf || or_empty(a.buf) == or_empty(b.buf);
  }
  return false;
}

}  // namespace tandem::crdt
