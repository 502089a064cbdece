// Any: the JavaScript value model that lib0's `Any` encoding carries (see docs/crdt.md,
// "Any values"). Objects keep their keys in insertion order, as JS objects do for
// non-numeric keys, so that re-encoding is byte-identical.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace tandem::crdt {

struct Any;
using AnyArray = std::vector<Any>;
using AnyObject = std::vector<std::pair<std::string, Any>>;
using Bytes = std::vector<uint8_t>;

//! A JS value: undefined, null, number (a double, as in JS), bigint (64-bit), boolean, string
//! (UTF-8), object, array or Uint8Array. Copyable value type.
struct Any {
  enum class Kind : uint8_t { Undefined, Null, Number, BigInt, Bool, String, Object, Array, Buffer };

  Any() = default;
  static Any Undefined() { return Any(); }
  static Any Null() { Any a; a.kind = Kind::Null; return a; }
  static Any Number(double d) { Any a; a.kind = Kind::Number; a.number = d; return a; }
  static Any BigInt(int64_t v) { Any a; a.kind = Kind::BigInt; a.bigint = v; return a; }
  static Any Bool(bool b) { Any a; a.kind = Kind::Bool; a.boolean = b; return a; }
  static Any String(std::string s) { Any a; a.kind = Kind::String; a.str = std::move(s); return a; }
  //! Builds the object JS would hold after assigning the members in order: a repeated key
  //! keeps its first position and takes its last value, and array-index keys ("0".."4294967294"
  //! in canonical form) come first in ascending order, as Object.keys lists them.
  static Any Object(AnyObject o);
  static Any Array(AnyArray v);
  static Any Buffer(Bytes b);

  bool is_undefined() const { return kind == Kind::Undefined; }
  bool is_null() const { return kind == Kind::Null; }
  //! REQUIRES: kind == Object / Array / Buffer respectively.
  const AnyObject& object() const { return *obj; }
  const AnyArray& array() const { return *arr; }
  const Bytes& buffer() const { return *buf; }

  //! Deep equality (numbers compare as doubles: +0 == -0 and NaN != NaN, as JS ===; objects
  //! compare by key set, not key order, as lib0's equalityDeep).
  friend bool operator==(const Any& a, const Any& b);

  Kind kind = Kind::Undefined;
  bool boolean = false;
  double number = 0;
  int64_t bigint = 0;
  std::string str;
  // Shared, immutable after construction: copies of an Any are cheap and never alias writes.
  std::shared_ptr<AnyObject> obj;
  std::shared_ptr<AnyArray> arr;
  std::shared_ptr<Bytes> buf;
};

}  // namespace tandem::crdt
