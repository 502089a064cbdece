// Item contents: the payload kinds Yjs writes (yjs src/structs/Content*.js). A Content knows
// its length in the CRDT's units, whether it counts towards a type's length, how to split
// and merge, and how to read and write itself. Format: docs/crdt.md, "Contents".
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "crdt/any.h"
#include "crdt/update_codec.h"

namespace tandem::crdt {

class Type;

//! Content ref numbers on the wire (the low 5 bits of a struct's info byte).
enum class ContentRef : uint8_t {
  GC = 0, Deleted = 1, JSON = 2, Binary = 3, String = 4, Embed = 5, Format = 6, Type = 7,
  Any = 8, Doc = 9, Skip = 10,
};

struct ContentDeleted { uint64_t len = 0; };
//! Legacy JSON content: values, each written as JSON text ("undefined" for undefined).
struct ContentJSON { std::vector<Any> values; };
struct ContentBinary { Bytes bytes; };
//! Text. UTF-8 here; its length is counted in UTF-16 code units, as Yjs counts it.
struct ContentString {
  std::string utf8;
  uint64_t utf16_len = 0;
};
struct ContentEmbed { std::unique_ptr<Any> value; };
struct ContentFormat {
  struct Data { std::string key; Any value; };
  std::unique_ptr<Data> data;
};
//! Deletes a Type where Type is incomplete (so that Content can be destroyed anywhere).
struct TypeDeleter {
  void operator()(Type* t) const;
};
//! A nested shared type. The content owns the type.
struct ContentType { std::unique_ptr<Type, TypeDeleter> type; };
struct ContentAny { std::vector<Any> values; };
//! A subdocument reference: its guid and options. Tandem does not load subdocuments.
struct ContentDoc {
  struct Data { std::string guid; Any opts; };
  std::unique_ptr<Data> data;
};

class Content {
 public:
  using Variant = std::variant<ContentDeleted, ContentJSON, ContentBinary, ContentString,
                               ContentEmbed, ContentFormat, ContentType, ContentAny, ContentDoc>;
  Content() : v_(ContentDeleted{}) {}
  Content(Variant v) : v_(std::move(v)) {}  // NOLINT
  // Out of line: destroying a ContentType needs the complete Type.
  Content(Content&&) noexcept;
  Content& operator=(Content&&) noexcept;
  Content(const Content&) = delete;
  Content& operator=(const Content&) = delete;
  ~Content();

  static Content Deleted(uint64_t len) { return Content(ContentDeleted{len}); }
  static Content String(std::string utf8);  // computes the UTF-16 length
  //! Makes this content the string `utf8` in place (decoding: no temporary Content to move).
  void set_string(std::string utf8);
  //! The same when the string's length in UTF-16 units is known already.
  void set_string(std::string&& utf8, uint64_t utf16_units);
  static Content Embed(Any v);
  static Content Format(std::string key, Any v);
  static Content Anys(std::vector<Any> values) { return Content(ContentAny{std::move(values)}); }
  static Content OfType(std::unique_ptr<Type> t);

  ContentRef ref() const;
  //! Length in clock units (UTF-16 units for strings, elements for arrays, 1 otherwise).
  uint64_t length() const;
  bool countable() const;
  //! Splits at `offset` (0 < offset < length()); this keeps [0, offset), the result the rest.
  //! A string split inside a surrogate pair replaces both halves by U+FFFD, as Yjs does.
  //! REQUIRES: a splittable kind (Deleted, JSON, String, Any).
  Content splice(uint64_t offset);
  //! Appends `right` if both are of one mergeable kind; returns whether it did.
  bool merge_with(Content& right);
  //! Writes the payload (not the info byte) skipping the first `offset` units.
  void write(UpdateEncoder& enc, uint64_t offset) const;
  //! A deep copy (Type contents copy the type's content, as yjs's ContentType.copy does not:
  //! only its kind and name are copied).
  Content copy() const;

  Variant& v() { return v_; }
  const Variant& v() const { return v_; }
  template <class T> T* get() { return std::get_if<T>(&v_); }
  template <class T> const T* get() const { return std::get_if<T>(&v_); }

 private:
  Variant v_;
};

//! Reads the content of a struct whose info byte is `info`. Throws DecodeError.
Content read_content(UpdateDecoder& dec, uint8_t info);

//! Offset in bytes of UTF-16 unit `units` in `utf8` (which must be valid UTF-8). If the unit
//! falls inside a 4-byte sequence, returns the sequence's start and sets *split_pair.
size_t utf8_offset_of_utf16(std::string_view utf8, uint64_t units, bool* split_pair = nullptr);
uint64_t utf16_length(std::string_view utf8);

}  // namespace tandem::crdt
