// Type: a shared type of a document — yjs's AbstractType with its kind (Array, Map, Text,
// XmlElement, XmlFragment, XmlHook, XmlText) as a field rather than a subclass, so that a root
// created by an update before anyone asked for it (yjs's plain AbstractType) can later be
// given its kind in place. Holds the list (start, length, search markers) and the map
// (key -> current item) of its children. Owned by its Doc (roots) or by the ContentType of
// the item that holds it; touched only by the Doc's thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "crdt/any.h"
#include "crdt/item.h"
#include "crdt/update_codec.h"

namespace tandem::crdt {

class Doc;
class Transaction;

//! Type refs on the wire (ContentType).
enum class TypeKind : uint8_t {
  Array = 0, Map = 1, Text = 2, XmlElement = 3, XmlFragment = 4, XmlHook = 5, XmlText = 6,
  Unknown = 255,  // a root known only by name so far
};

//! A position cache for list lookups (yjs ArraySearchMarker).
struct SearchMarker {
  Item* p = nullptr;
  uint64_t index = 0;
  uint64_t timestamp = 0;
};

class Type {
 public:
  explicit Type(TypeKind kind, std::string name = {}) : kind_(kind), name_(std::move(name)) {}
  Type(const Type&) = delete;
  Type& operator=(const Type&) = delete;

  TypeKind kind() const { return kind_; }
  //! Gives a root known only by name its kind; like yjs's re-created type, it starts with no
  //! search markers and no formatting flag.
  void upgrade_kind(TypeKind k) {
    kind_ = k;
    has_formatting_ = false;
    markers_disabled_ = false;
    markers_.clear();
  }
  //! Node name of an XmlElement, hook name of an XmlHook, empty otherwise.
  const std::string& name() const { return name_; }
  Doc* doc() const { return doc_; }
  //! The item that holds this type, or nullptr for a root.
  Item* item() const { return item_; }
  Item* start() const { return start_; }
  uint64_t length() const { return length_; }
  bool has_formatting() const { return has_formatting_; }

  //! Writes the ContentType payload (type ref and name).
  void write_type_ref(UpdateEncoder& enc) const;
  //! A new empty type of the same kind and name (yjs _copy).
  std::unique_ptr<Type> copy_empty() const { return std::make_unique<Type>(kind_, name_); }

  //! The current (last written) item of `key`, deleted or not, or nullptr.
  Item* map_item(const std::string& key) const;
  //! Keys in the order they were first set (JS Map order).
  const std::vector<std::pair<const std::string*, Item*>>& map_entries() const { return map_; }

  // --- State touched by integration (yjs AbstractType fields). ---
  void integrate(Doc* doc, Item* item) { doc_ = doc; item_ = item; }
  void set_start(Item* s) { start_ = s; }
  void add_length(int64_t d) { length_ = static_cast<uint64_t>(static_cast<int64_t>(length_) + d); }
  void set_map_item(const std::string* key, Item* item);
  void clear_children() { start_ = nullptr; map_.clear(); map_index_.clear(); }
  //! Back to how a root is before anything was integrated into it (undoing a failed load).
  void reset_children() {
    clear_children();
    length_ = 0;
    has_formatting_ = false;
    markers_disabled_ = false;
    markers_.clear();
  }
  void set_has_formatting() { has_formatting_ = true; }
  //! The search markers, or nullptr where yjs has none (maps, and texts once formatted).
  std::vector<SearchMarker>* markers() { return markers_enabled() ? &markers_ : nullptr; }
  void clear_markers();
  //! yjs sets a text's _searchMarker to null when a format item is integrated.
  void clear_markers_disabled() { clear_markers(); markers_disabled_ = true; }
  uint64_t next_marker_timestamp() { return marker_clock_++; }

  //! Content to add when this (new, nested) type is integrated, in the same transaction and
  //! before anything after it (yjs's prelim content: `new Y.Map()` with entries, etc.).
  using Prelim = std::function<void(Transaction&, Type*)>;
  void set_prelim(Prelim p) { prelim_ = std::move(p); }
  Prelim take_prelim() { return std::exchange(prelim_, nullptr); }

  // --- Reading ---
  //! yjs toJSON() of this type: Text -> string, Map -> object, Array -> array,
  //! XmlFragment/XmlElement/XmlText -> their XML string. Types nested deeper than
  //! kMaxReadNesting read as undefined.
  Any to_json() const;
  //! How many types contain this one (a root: 0), counted up to `limit` at most.
  int nesting(int limit) const;
  //! Text content (Text, XmlText), ignoring embeds and formats.
  std::string to_string() const;

 private:
  TypeKind kind_;
  std::string name_;
  Doc* doc_ = nullptr;
  Item* item_ = nullptr;
  Item* start_ = nullptr;
  uint64_t length_ = 0;
  bool has_formatting_ = false;
  std::vector<std::pair<const std::string*, Item*>> map_;
  std::unordered_map<std::string_view, size_t> map_index_;
  std::vector<SearchMarker> markers_;
  Prelim prelim_;
  bool markers_disabled_ = false;
  uint64_t marker_clock_ = 0;

  bool markers_enabled() const {
    // yjs gives search markers to YArray and YText (so YXmlText) only.
    return !markers_disabled_ && (kind_ == TypeKind::Array || kind_ == TypeKind::Text ||
                                  kind_ == TypeKind::XmlText);
  }
};

//! Readers that walk nested types by recursion (to_json, xml_to_string) stop at this depth.
//! Yjs has no such limit, but a hostile peer can nest types a million deep in a few MB, which
//! would overflow the stack of any recursive reader (a JS one throws; a native one crashes).
//! Real documents nest a few dozen deep at most.
inline constexpr int kMaxReadNesting = 256;

//! Reads a ContentType payload (type ref and name). Throws DecodeError.
std::unique_ptr<Type> read_type_ref(UpdateDecoder& dec);

}  // namespace tandem::crdt
