// YText operations, a line-by-line port of yjs 13.6 src/types/YText.js (insertText,
// formatText, deleteText, the formatting cleanups, toDelta, toString). The structure follows
// yjs closely on purpose: the same local operation must create the same items (same origins,
// same splits, same format items) so that the updates are byte-identical.
//
// JS value semantics that matter here:
// - yjs's `equalAttrs` and the `===` of cleanupFormattingGap compare objects and arrays by
//   reference. Any shares its object/array/buffer payload between copies, so "the same JS
//   object" is modelled as "the same shared payload": a value copied from a format item is
//   identical to it, a value decoded or parsed separately is not (as in JS).
// - Attribute sets passed to the API are JS objects: key order is insertion order with array
//   index keys first (Any::Object normalises to that). yjs's internal Maps (current and negated
//   attributes) keep plain insertion order.
#include "crdt/text.h"

#include <algorithm>

#include "crdt/doc.h"
#include "crdt/item_ops.h"
#include "crdt/lib0_utf8.h"
#include "crdt/list_ops.h"

namespace tandem::crdt {

namespace {

// --- JS value comparisons -----------------------------------------------------------------

// JS `a === b`.
bool strict_eq(const Any& a, const Any& b) {
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case Any::Kind::Undefined:
    case Any::Kind::Null: return true;
    case Any::Kind::Number: return a.number == b.number;
    case Any::Kind::BigInt: return a.bigint == b.bigint;
    case Any::Kind::Bool: return a.boolean == b.boolean;
    case Any::Kind::String: return a.str == b.str;
    case Any::Kind::Object: return a.obj == b.obj;
    case Any::Kind::Array: return a.arr == b.arr;
    case Any::Kind::Buffer: return a.buf == b.buf;
  }
  return false;
}

bool is_js_object(const Any& a) {
  return a.kind == Any::Kind::Object || a.kind == Any::Kind::Array || a.kind == Any::Kind::Buffer;
}

// Object.keys(v) with the values, for objects, arrays and Uint8Arrays.
AnyObject own_entries(const Any& v) {
  if (v.kind == Any::Kind::Object) return v.obj ? *v.obj : AnyObject{};
  AnyObject out;
  if (v.kind == Any::Kind::Array && v.arr) {
    for (size_t i = 0; i < v.arr->size(); ++i) out.emplace_back(std::to_string(i), (*v.arr)[i]);
  } else if (v.kind == Any::Kind::Buffer && v.buf) {
    for (size_t i = 0; i < v.buf->size(); ++i) {
      out.emplace_back(std::to_string(i), Any::Number((*v.buf)[i]));
    }
  }
  return out;
}

// lib0 object.equalFlat: same number of own keys, and every member of `a` present in `b`
// with an identical (===) value.
bool equal_flat(const Any& a, const Any& b) {
  AnyObject ea = own_entries(a);
  AnyObject eb = own_entries(b);
  if (ea.size() != eb.size()) return false;
  for (const auto& entry : ea) {
    // (clang 14 cannot capture structured bindings in a lambda)
    auto it = std::find_if(eb.begin(), eb.end(), [&](const auto& kv) { return kv.first == entry.first; });
    if (it == eb.end() || !strict_eq(it->second, entry.second)) return false;
  }
  return true;
}

// yjs equalAttrs.
bool equal_attrs(const Any& a, const Any& b) {
  return strict_eq(a, b) || (is_js_object(a) && is_js_object(b) && equal_flat(a, b));
}

// `v ?? null`
Any or_null(const Any* v) { return v && !v->is_undefined() ? *v : Any::Null(); }

// --- A JS Map<string, any> ---------------------------------------------------------------

class AttrMap {
 public:
  const Any* get(std::string_view key) const {
    for (const auto& kv : v_) {
      if (kv.first == key) return &kv.second;
    }
    return nullptr;
  }
  void set(const std::string& key, Any value) {
    for (auto& kv : v_) {
      if (kv.first == key) {
        kv.second = std::move(value);
        return;
      }
    }
    v_.emplace_back(key, std::move(value));
  }
  void erase(std::string_view key) {
    auto it = std::find_if(v_.begin(), v_.end(), [&](const auto& kv) { return kv.first == key; });
    if (it != v_.end()) v_.erase(it);
  }
  size_t size() const { return v_.size(); }
  const std::vector<std::pair<std::string, Any>>& entries() const { return v_; }
  //! The JS object `{}` filled from the map in order.
  Attributes to_object() const { return Any::Object(v_).object(); }

 private:
  std::vector<std::pair<std::string, Any>> v_;
};

// --- JS objects (attributes) --------------------------------------------------------------

const Any* obj_get(const Attributes& o, std::string_view key) {
  for (const auto& kv : o) {
    if (kv.first == key) return &kv.second;
  }
  return nullptr;
}

Attributes normalize(const Attributes& o) { return Any::Object(o).object(); }

// yjs updateCurrentAttributes.
void update_current_attributes(AttrMap& current, const ContentFormat& f) {
  if (f.data->value.is_null()) {
    current.erase(f.data->key);
  } else {
    current.set(f.data->key, f.data->value);
  }
}

const ContentFormat* as_format(const Item* item) { return item->content.get<ContentFormat>(); }

// --- ItemTextListPosition -----------------------------------------------------------------

struct TextPos {
  Item* left = nullptr;
  Item* right = nullptr;
  uint64_t index = 0;
  AttrMap current;

  // REQUIRES: right != nullptr.
  void forward() {
    if (const ContentFormat* f = as_format(right)) {
      if (!right->deleted()) update_current_attributes(current, *f);
    } else if (!right->deleted()) {
      index += right->length;
    }
    left = right;
    right = right->right;
  }
};

// yjs findNextPosition.
void find_next_position(Transaction& t, TextPos& pos, uint64_t count) {
  while (pos.right != nullptr && count > 0) {
    Item* r = pos.right;
    if (const ContentFormat* f = as_format(r)) {
      if (!r->deleted()) update_current_attributes(pos.current, *f);
    } else if (!r->deleted()) {
      if (count < r->length) get_item_clean_start(t, ID{r->id.client, r->id.clock + count});
      pos.index += r->length;
      count -= r->length;
    }
    pos.left = r;
    pos.right = r->right;
  }
}

// yjs findPosition.
TextPos find_position(Transaction& t, Type* parent, uint64_t index, bool use_search_marker) {
  TextPos pos;
  SearchMarker* marker = use_search_marker ? find_marker(parent, index) : nullptr;
  if (marker) {
    pos.left = marker->p->left;
    pos.right = marker->p;
    pos.index = marker->index;
    // (a marker right of `index` would make yjs's count negative: no steps)
    find_next_position(t, pos, index > marker->index ? index - marker->index : 0);
  } else {
    pos.right = parent->start();
    find_next_position(t, pos, index);
  }
  return pos;
}

Item* insert_format_item(Transaction& t, Type* parent, TextPos& pos, const std::string& key,
                         const Any& value) {
  return new_item(t, parent, pos.left, pos.right, nullptr, Content::Format(key, value));
}

// yjs insertNegatedAttributes.
void insert_negated_attributes(Transaction& t, Type* parent, TextPos& pos, AttrMap& negated) {
  while (pos.right != nullptr) {
    Item* r = pos.right;
    const ContentFormat* f = as_format(r);
    if (!r->deleted()) {
      if (f == nullptr) break;
      const Any* neg = negated.get(f->data->key);
      if (!equal_attrs(neg ? *neg : Any::Undefined(), f->data->value)) break;
      negated.erase(f->data->key);
    }
    pos.forward();
  }
  for (const auto& [key, val] : negated.entries()) {
    pos.right = insert_format_item(t, parent, pos, key, val);
    pos.forward();
  }
}

// yjs minimizeAttributeChanges.
void minimize_attribute_changes(TextPos& pos, const Attributes& attributes) {
  while (pos.right != nullptr) {
    Item* r = pos.right;
    if (!r->deleted()) {
      const ContentFormat* f = as_format(r);
      if (f == nullptr) break;
      if (!equal_attrs(or_null(obj_get(attributes, f->data->key)), f->data->value)) break;
    }
    pos.forward();
  }
}

// yjs insertAttributes: returns the negated attributes.
AttrMap insert_attributes(Transaction& t, Type* parent, TextPos& pos, const Attributes& attributes) {
  AttrMap negated;
  for (const auto& [key, val] : attributes) {
    Any current = or_null(pos.current.get(key));
    if (!equal_attrs(current, val)) {
      negated.set(key, current);
      pos.right = insert_format_item(t, parent, pos, key, val);
      pos.forward();
    }
  }
  return negated;
}

// yjs insertText. `attributes` is normalised (a JS object).
void insert_text(Transaction& t, Type* parent, TextPos& pos, Content content,
                 Attributes attributes) {
  bool added = false;
  for (const auto& entry : pos.current.entries()) {
    const std::string& key = entry.first;
    auto it = std::find_if(attributes.begin(), attributes.end(),
                           [&](const auto& kv) { return kv.first == key; });
    if (it == attributes.end()) {
      attributes.emplace_back(key, Any::Null());
      added = true;
    } else if (it->second.is_undefined()) {
      it->second = Any::Null();
    }
  }
  if (added) attributes = normalize(attributes);
  minimize_attribute_changes(pos, attributes);
  AttrMap negated = insert_attributes(t, parent, pos, attributes);
  Item* left = pos.left;
  Item* right = pos.right;
  uint64_t index = pos.index;
  if (auto* markers = parent->markers()) {
    update_marker_changes(*markers, pos.index, static_cast<int64_t>(content.length()));
  }
  right = new_item(t, parent, left, right, nullptr, std::move(content));
  pos.right = right;
  pos.index = index;
  pos.forward();
  insert_negated_attributes(t, parent, pos, negated);
}

// yjs formatText. `attributes` is normalised.
void format_text(Transaction& t, Type* parent, TextPos& pos, uint64_t length,
                 const Attributes& attributes) {
  minimize_attribute_changes(pos, attributes);
  AttrMap negated = insert_attributes(t, parent, pos, attributes);
  while (pos.right != nullptr &&
         (length > 0 ||
          (negated.size() > 0 && (pos.right->deleted() || as_format(pos.right) != nullptr)))) {
    Item* r = pos.right;
    if (!r->deleted()) {
      if (const ContentFormat* f = as_format(r)) {
        const std::string& key = f->data->key;
        const Any& value = f->data->value;
        const Any* attr = obj_get(attributes, key);
        if (attr != nullptr && !attr->is_undefined()) {
          if (equal_attrs(*attr, value)) {
            negated.erase(key);
          } else {
            if (length == 0) break;  // no need to further extend negatedAttributes
            negated.set(key, value);
          }
          delete_item(t, r);
        } else {
          pos.current.set(key, value);
        }
      } else {
        if (length < r->length) get_item_clean_start(t, ID{r->id.client, r->id.clock + length});
        length -= std::min(length, r->length);
      }
    }
    pos.forward();
  }
  // Quill assumes that the text ends with a newline: formatting past the end inserts them.
  if (length > 0) {
    std::string newlines(length, '\n');
    pos.right = new_item(t, parent, pos.left, pos.right, nullptr,
                         Content::String(std::move(newlines)));
    pos.forward();
  }
  insert_negated_attributes(t, parent, pos, negated);
}

// yjs cleanupFormattingGap: removes format items of the gap starting at `start` that are
// overwritten or redundant. `curr` is an exclusive end for updating `curr_attributes`.
int cleanup_formatting_gap(Transaction& t, Item* start, const Item* curr,
                           const AttrMap& start_attributes, AttrMap& curr_attributes) {
  Item* end = start;
  std::vector<std::pair<std::string_view, const Item*>> end_formats;  // key -> format item
  auto end_format = [&](std::string_view key) -> const Item* {
    for (const auto& kv : end_formats) {
      if (kv.first == key) return kv.second;
    }
    return nullptr;
  };
  while (end != nullptr && (!end->countable() || end->deleted())) {
    if (!end->deleted()) {
      if (const ContentFormat* f = as_format(end)) {
        bool found = false;
        for (auto& kv : end_formats) {
          if (kv.first == f->data->key) {
            kv.second = end;
            found = true;
          }
        }
        if (!found) end_formats.emplace_back(f->data->key, end);
      }
    }
    end = end->right;
  }
  int cleanups = 0;
  bool reached_curr = false;
  while (start != end) {
    if (curr == start) reached_curr = true;
    if (!start->deleted()) {
      if (const ContentFormat* f = as_format(start)) {
        const std::string& key = f->data->key;
        const Any& value = f->data->value;
        Any start_attr_value = or_null(start_attributes.get(key));
        if (end_format(key) != start || strict_eq(start_attr_value, value)) {
          // Either this format is overwritten or it is not necessary because the attribute
          // already existed.
          delete_item(t, start);
          ++cleanups;
          if (!reached_curr && strict_eq(or_null(curr_attributes.get(key)), value) &&
              !strict_eq(start_attr_value, value)) {
            if (start_attr_value.is_null()) {
              curr_attributes.erase(key);
            } else {
              curr_attributes.set(key, start_attr_value);
            }
          }
        }
        if (!reached_curr && !start->deleted()) update_current_attributes(curr_attributes, *f);
      }
    }
    start = start->right;
  }
  return cleanups;
}

// yjs cleanupContextlessFormattingGap.
void cleanup_contextless_formatting_gap(Transaction& t, Item* item) {
  while (item != nullptr && item->right != nullptr &&
         (item->right->deleted() || !item->right->countable())) {
    item = item->right;
  }
  std::vector<std::string> attrs;
  while (item != nullptr && (item->deleted() || !item->countable())) {
    if (!item->deleted()) {
      if (const ContentFormat* f = as_format(item)) {
        const std::string& key = f->data->key;
        if (std::find(attrs.begin(), attrs.end(), key) != attrs.end()) {
          delete_item(t, item);
        } else {
          attrs.push_back(key);
        }
      }
    }
    item = item->left;
  }
}

// yjs cleanupYTextFormatting (inside transaction `t`). As in yjs, only the gap at the start of
// the text can actually be cleaned: every later gap starts at a content item, which
// cleanupFormattingGap treats as an empty gap.
int cleanup_text_formatting(Transaction& t, Type* type) {
  int res = 0;
  Item* start = type->start();
  Item* end = type->start();
  AttrMap start_attributes;
  AttrMap current_attributes = start_attributes;
  while (end != nullptr) {
    if (!end->deleted()) {
      if (const ContentFormat* f = as_format(end)) {
        update_current_attributes(current_attributes, *f);
      } else {
        res += cleanup_formatting_gap(t, start, end, start_attributes, current_attributes);
        start_attributes = current_attributes;
        start = end;
      }
    }
    end = end->right;
  }
  return res;
}

// yjs deleteText.
Status delete_text(Transaction& t, Type* parent, TextPos& pos, uint64_t length) {
  uint64_t start_length = length;
  AttrMap start_attrs = pos.current;
  Item* start = pos.right;
  while (length > 0 && pos.right != nullptr) {
    Item* r = pos.right;
    if (!r->deleted()) {
      switch (r->content.ref()) {
        case ContentRef::Type:
        case ContentRef::Embed:
        case ContentRef::String:
          if (length < r->length) get_item_clean_start(t, ID{r->id.client, r->id.clock + length});
          length -= std::min(length, r->length);
          delete_item(t, r);
          break;
        default: break;
      }
    }
    pos.forward();
  }
  if (start != nullptr) cleanup_formatting_gap(t, start, pos.right, start_attrs, pos.current);
  if (pos.left == nullptr && pos.right == nullptr) {
    // yjs throws here (it reads the parent of a null item).
    return Status::Error("text delete on an empty text");
  }
  if (auto* markers = parent->markers()) {
    update_marker_changes(*markers, pos.index,
                          -static_cast<int64_t>(start_length) + static_cast<int64_t>(length));
  }
  return Status::Ok();
}

Status check_text(const Type* text) {
  if (text == nullptr) return Status::Error("null text");
  if (text->kind() != TypeKind::Text && text->kind() != TypeKind::XmlText) {
    return Status::Error("not a text type (kind " + std::to_string(static_cast<int>(text->kind())) +
                         ")");
  }
  return Status::Ok();
}

// yjs iterateStructs (splitting at both ends like findIndexCleanStart).
size_t find_index_clean_start(Transaction& t, StructList& structs, Clock clock) {
  size_t index = StructStore::find_index(structs, clock);
  Item* s = structs[index];
  if (s->id.clock < clock && !s->is_gc()) {
    Item* r = split_item(t, s, clock - s->id.clock);
    structs.insert(index + 1, r);
    return index + 1;
  }
  return index;
}

template <class F>
void iterate_structs(Transaction& t, StructList& structs, Clock clock_start, uint64_t len,
                     F&& f) {
  if (len == 0) return;
  Clock clock_end = clock_start + len;
  size_t index = find_index_clean_start(t, structs, clock_start);
  Item* s;
  do {
    s = structs[index++];
    if (clock_end < s->id.clock + s->length) find_index_clean_start(t, structs, clock_end);
    f(s);
  } while (index < structs.size() && structs[index]->id.clock < clock_end);
}

void add_unique(std::vector<Type*>& set, Type* t) {
  if (std::find(set.begin(), set.end(), t) == set.end()) set.push_back(t);
}

bool contains(const std::vector<Type*>& set, const Type* t) {
  return std::find(set.begin(), set.end(), t) != set.end();
}

}  // namespace

Status text_insert(Transaction& t, Type* text, uint64_t index, std::string_view utf8,
                   const Attributes* attributes) {
  if (Status st = check_text(text); !st) return st;
  if (!lib0::utf8_valid(utf8)) return Status::Error("text insert: invalid UTF-8");
  if (utf8.empty()) return Status::Ok();
  TextPos pos = find_position(t, text, index, attributes == nullptr);
  Attributes attrs = attributes ? normalize(*attributes) : pos.current.to_object();
  insert_text(t, text, pos, Content::String(std::string(utf8)), std::move(attrs));
  return Status::Ok();
}

Status text_insert_embed(Transaction& t, Type* text, uint64_t index, Any embed,
                         const Attributes* attributes) {
  if (Status st = check_text(text); !st) return st;
  // yjs makes a string "embed" a ContentString.
  bool is_string = embed.kind == Any::Kind::String;
  if (is_string && (embed.str.empty() || !lib0::utf8_valid(embed.str))) {
    return Status::Error("text embed: empty or invalid string");
  }
  TextPos pos = find_position(t, text, index, attributes == nullptr);
  Content content = is_string ? Content::String(std::move(embed.str)) : Content::Embed(std::move(embed));
  insert_text(t, text, pos, std::move(content), attributes ? normalize(*attributes) : Attributes{});
  return Status::Ok();
}

namespace {

//! The item of `text` holding the character `id`, or an error naming what is wrong.
Result<Item*> character_of(Transaction& t, Type* text, ID id, const char* what) {
  if (Status st = check_text(text); !st) return st;
  Item* item = t.doc().store().find_if_exists(id);
  if (item == nullptr || item->is_gc() || item->parent != text || item->parent_sub != nullptr ||
      !item->countable()) {
    return Status::Error(std::string(what) + ": no character " + std::to_string(id.client) + ":" +
                         std::to_string(id.clock) + " in this text");
  }
  return item;
}

}  // namespace

Status text_insert_after(Transaction& t, Type* text, ID after, std::string_view utf8) {
  auto found = character_of(t, text, after, "text insert after");
  if (!found) return found.status();
  if (!lib0::utf8_valid(utf8)) return Status::Error("text insert after: invalid UTF-8");
  if (utf8.empty()) return Status::Ok();
  // The index of what follows is unknown here: markers past it would be wrong.
  text->clear_markers();
  Item* left = get_item_clean_end(t, after);
  new_item(t, text, left, left->right, nullptr, Content::String(std::string(utf8)));
  return Status::Ok();
}

Status text_delete_id(Transaction& t, Type* text, ID id) {
  auto found = character_of(t, text, id, "text delete");
  if (!found) return found.status();
  if (found.value()->deleted()) return Status::Ok();
  text->clear_markers();
  get_item_clean_start(t, id);
  delete_item(t, get_item_clean_end(t, id));
  return Status::Ok();
}

Status text_delete(Transaction& t, Type* text, uint64_t index, uint64_t length) {
  if (Status st = check_text(text); !st) return st;
  if (length == 0) return Status::Ok();
  TextPos pos = find_position(t, text, index, true);
  return delete_text(t, text, pos, length);
}

Status text_format(Transaction& t, Type* text, uint64_t index, uint64_t length,
                   const Attributes& attributes) {
  if (Status st = check_text(text); !st) return st;
  if (length == 0) return Status::Ok();
  TextPos pos = find_position(t, text, index, false);
  if (pos.right == nullptr) return Status::Ok();
  format_text(t, text, pos, length, normalize(attributes));
  return Status::Ok();
}

Status text_apply_delta(Transaction& t, Type* text, const std::vector<ApplyDeltaOp>& delta) {
  if (Status st = check_text(text); !st) return st;
  for (const ApplyDeltaOp& op : delta) {
    if (op.kind == ApplyDeltaOp::Kind::Insert && op.insert.kind == Any::Kind::String &&
        !lib0::utf8_valid(op.insert.str)) {
      return Status::Error("text apply delta: invalid UTF-8");
    }
  }
  // yjs: new ItemTextListPosition(null, this._start, 0, new Map()), moved by every op.
  TextPos pos;
  pos.right = text->start();
  for (const ApplyDeltaOp& op : delta) {
    switch (op.kind) {
      case ApplyDeltaOp::Kind::Insert: {
        bool is_string = op.insert.kind == Any::Kind::String;
        if (is_string && op.insert.str.empty()) break;
        Content content = is_string ? Content::String(op.insert.str) : Content::Embed(op.insert);
        insert_text(t, text, pos, std::move(content), normalize(op.attributes));
        break;
      }
      case ApplyDeltaOp::Kind::Retain:
        format_text(t, text, pos, op.length, normalize(op.attributes));
        break;
      case ApplyDeltaOp::Kind::Delete:
        if (op.length == 0) break;
        if (Status st = delete_text(t, text, pos, op.length); !st) return st;
        break;
    }
  }
  return Status::Ok();
}

std::vector<DeltaOp> text_to_delta(const Type* text) {
  std::vector<DeltaOp> ops;
  AttrMap current;
  std::string str;
  auto pack_str = [&] {
    if (str.empty()) return;
    DeltaOp op;
    op.insert = Any::String(std::move(str));
    if (current.size() > 0) op.attributes = current.to_object();
    ops.push_back(std::move(op));
    str.clear();
  };
  for (const Item* n = text->start(); n != nullptr; n = n->right) {
    if (n->deleted()) continue;
    switch (n->content.ref()) {
      case ContentRef::String:
        // yjs's snapshot support drops a 'ychange' attribute at every string.
        if (current.get("ychange") != nullptr) {
          pack_str();
          current.erase("ychange");
        }
        str += n->content.get<ContentString>()->utf8;
        break;
      case ContentRef::Type:
      case ContentRef::Embed: {
        pack_str();
        DeltaOp op;
        if (const auto* ct = n->content.get<ContentType>()) {
          op.insert = ct->type->to_json();
        } else {
          op.insert = *n->content.get<ContentEmbed>()->value;
        }
        if (current.size() > 0) op.attributes = current.to_object();
        ops.push_back(std::move(op));
        break;
      }
      case ContentRef::Format:
        pack_str();
        update_current_attributes(current, *n->content.get<ContentFormat>());
        break;
      default: break;
    }
  }
  pack_str();
  return ops;
}

std::string text_to_string(const Type* text) {
  std::string s;
  for (const Item* n = text->start(); n != nullptr; n = n->right) {
    if (!n->deleted() && n->countable()) {
      if (const auto* cs = n->content.get<ContentString>()) s += cs->utf8;
    }
  }
  return s;
}

void cleanup_text_after_transaction(Transaction& t) {
  Doc& doc = t.doc();
  std::vector<Type*> need_full_cleanup;
  // Check whether another formatting item was inserted.
  for (const Transaction::Change& change : t.changed_clients()) {
    Clock clock = change.before, after_clock = change.after;
    StructList* structs = doc.store().client_structs(change.client);
    // yjs passes afterClock as the length here: everything from `clock` to the end.
    iterate_structs(t, *structs, clock, after_clock, [&](Item* item) {
      if (!item->deleted() && !item->is_gc() && as_format(item) != nullptr && item->parent) {
        add_unique(need_full_cleanup, item->parent);
      }
    });
  }
  // Clean up in a new transaction.
  doc.transact([&](Transaction& cleanup) {
    // In the order yjs's Map iterates them: clients by first deletion in the transaction (the
    // first format item met switches its text from contextless to full cleanup).
    std::vector<ClientId> clients = t.delete_set.insertion_order();
    for (const auto& entry : t.delete_set.clients()) {
      if (std::find(clients.begin(), clients.end(), entry.first) == clients.end()) {
        clients.push_back(entry.first);
      }
    }
    for (ClientId client : clients) {
      auto ranges_it = t.delete_set.clients().find(client);
      if (ranges_it == t.delete_set.clients().end()) continue;
      const std::vector<DeleteRange>& ranges = ranges_it->second;
      StructList* structs = doc.store().client_structs(client);
      if (structs == nullptr || structs->empty()) continue;
      const Item* last = structs->back();
      Clock clock_state = last->id.clock + last->length;
      for (const DeleteRange& del : ranges) {
        if (del.clock >= clock_state) break;
        iterate_structs(t, *structs, del.clock, del.len, [&](Item* item) {
          if (item->is_gc() || item->parent == nullptr || !item->parent->has_formatting() ||
              contains(need_full_cleanup, item->parent)) {
            return;
          }
          if (as_format(item) != nullptr) {
            add_unique(need_full_cleanup, item->parent);
          } else {
            // No formatting attribute was inserted or deleted: a contextless cleanup will do.
            cleanup_contextless_formatting_gap(cleanup, item);
          }
        });
      }
    }
    for (Type* ytext : need_full_cleanup) cleanup_text_formatting(cleanup, ytext);
  });
}

}  // namespace tandem::crdt
