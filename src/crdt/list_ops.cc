#include "crdt/list_ops.h"

#include <algorithm>
#include <cstdlib>

#include "crdt/doc.h"
#include "crdt/item_ops.h"

namespace tandem::crdt {

namespace {
constexpr size_t kMaxSearchMarkers = 80;

uint64_t abs_diff(uint64_t a, uint64_t b) { return a > b ? a - b : b - a; }

void overwrite_marker(Type* type, SearchMarker& m, Item* p, uint64_t index) {
  m.p->set_marker(false);
  m.p = p;
  p->set_marker(true);
  m.index = index;
  m.timestamp = type->next_marker_timestamp();
}

SearchMarker* mark_position(Type* type, std::vector<SearchMarker>& markers, Item* p,
                            uint64_t index) {
  if (markers.size() >= kMaxSearchMarkers) {
    // The least recently used marker (first minimum, as Array.reduce finds it).
    SearchMarker* oldest = &markers[0];
    for (auto& m : markers) {
      if (m.timestamp < oldest->timestamp) oldest = &m;
    }
    overwrite_marker(type, *oldest, p, index);
    return oldest;
  }
  p->set_marker(true);
  markers.push_back(SearchMarker{p, index, type->next_marker_timestamp()});
  return &markers.back();
}

Content value_content(ListValue& v, std::vector<Type*>& created) {
  switch (v.kind) {
    case ListValue::Kind::Binary: return Content(ContentBinary{v.json.buffer()});
    case ListValue::Kind::Type: {
      created.push_back(v.type.get());
      return Content::OfType(std::move(v.type));
    }
    default: return Content::Anys({std::move(v.json)});
  }
}
}  // namespace

Item* new_item(Transaction& t, Type* parent, Item* left, Item* right,
               const std::string* parent_sub, Content content) {
  Doc& doc = t.doc();
  Item* item = doc.store().alloc();
  item->id = ID{doc.client_id(), doc.store().state(doc.client_id())};
  item->left = left;
  item->set_origin(left ? std::optional<ID>(left->last_id()) : std::nullopt);
  item->right = right;
  item->set_right_origin(right ? std::optional<ID>(right->id) : std::nullopt);
  item->parent = parent;
  item->parent_sub = parent_sub;
  item->length = content.length();
  if (content.countable()) item->info |= Item::kCountable;
  item->content = std::move(content);
  integrate_item(t, item, 0);
  return item;
}

void Type::clear_markers() {
  for (auto& m : markers_) {
    if (m.p) m.p->set_marker(false);
  }
  markers_.clear();
}

SearchMarker* find_marker(Type* type, uint64_t index) {
  std::vector<SearchMarker>* markers = type->markers();
  if (type->start() == nullptr || index == 0 || markers == nullptr) return nullptr;
  // The marker closest to index (the first of equals, as Array.reduce finds it).
  SearchMarker* marker = nullptr;
  if (!markers->empty()) {
    // Written without branches in the loop (up to 80 markers at every edit).
    const SearchMarker* ms = markers->data();
    size_t best_k = 0;
    uint64_t best = abs_diff(index, ms[0].index);
    for (size_t k = 1; k < markers->size(); ++k) {
      uint64_t d = abs_diff(index, ms[k].index);
      bool closer = d < best;
      best = closer ? d : best;
      best_k = closer ? k : best_k;
    }
    marker = &(*markers)[best_k];
  }
  Item* p = type->start();
  uint64_t pindex = 0;
  if (marker) {
    p = marker->p;
    pindex = marker->index;
    marker->timestamp = type->next_marker_timestamp();
  }
  // Iterate right if possible.
  while (p->right && pindex < index) {
    if (!p->deleted() && p->countable()) {
      if (index < pindex + p->length) break;
      pindex += p->length;
    }
    p = p->right;
  }
  // Iterate left if necessary (might be that pindex > index).
  while (p->left && pindex > index) {
    p = p->left;
    if (!p->deleted() && p->countable()) pindex -= p->length;
  }
  // Make sure p can't be merged with its left (markers must point to the start of a run).
  while (p->left && p->left->id.client == p->id.client &&
         p->left->id.clock + p->left->length == p->id.clock) {
    p = p->left;
    if (!p->deleted() && p->countable()) pindex -= p->length;
  }
  if (marker && static_cast<double>(abs_diff(marker->index, pindex)) <
                    static_cast<double>(p->parent->length()) / kMaxSearchMarkers) {
    overwrite_marker(type, *marker, p, pindex);
    return marker;
  }
  return mark_position(type, *markers, p, pindex);
}

void update_marker_changes(std::vector<SearchMarker>& markers, uint64_t index, int64_t len) {
  for (size_t i = markers.size(); i-- > 0;) {
    SearchMarker& m = markers[i];
    if (len > 0 && !m.p->deleted() && m.p->countable()) {
      // A visible item keeps its marker (yjs unmarks and marks it again).
      if (!m.p->marker()) m.p->set_marker(true);
    } else if (len > 0) {
      Item* p = m.p;
      p->set_marker(false);
      // Move the marker left to an undeleted, countable item.
      while (p && (p->deleted() || !p->countable())) {
        p = p->left;
        if (p && !p->deleted() && p->countable()) m.index -= p->length;
      }
      if (p == nullptr || p->marker()) {
        markers.erase(markers.begin() + static_cast<ptrdiff_t>(i));
        continue;
      }
      m.p = p;
      p->set_marker(true);
    }
    if (index < m.index || (len > 0 && index == m.index)) {
      int64_t moved = static_cast<int64_t>(m.index) + len;
      m.index = std::max<int64_t>(static_cast<int64_t>(index), moved);
    }
  }
}

std::vector<Type*> list_insert_after(Transaction& t, Type* parent, Item* reference,
                                     std::vector<ListValue> values) {
  std::vector<Type*> created;
  Item* left = reference;
  Item* right = reference ? reference->right : parent->start();
  std::vector<Any> json;
  auto pack = [&] {
    if (json.empty()) return;
    left = new_item(t, parent, left, right, nullptr, Content::Anys(std::move(json)));
    json.clear();
  };
  for (auto& v : values) {
    if (v.kind == ListValue::Kind::Json) {
      json.push_back(std::move(v.json));
      continue;
    }
    pack();
    left = new_item(t, parent, left, right, nullptr, value_content(v, created));
  }
  pack();
  return created;
}

Result<std::vector<Type*>> list_insert(Transaction& t, Type* parent, uint64_t index,
                                       std::vector<ListValue> values) {
  if (index > parent->length()) return Status::Error("index " + std::to_string(index) +
                                                     " beyond length " +
                                                     std::to_string(parent->length()));
  int64_t count = static_cast<int64_t>(values.size());
  if (index == 0) {
    if (auto* m = parent->markers()) update_marker_changes(*m, index, count);
    return list_insert_after(t, parent, nullptr, std::move(values));
  }
  uint64_t start_index = index;
  SearchMarker* marker = find_marker(parent, index);
  Item* n = parent->start();
  if (marker) {
    n = marker->p;
    index -= marker->index;
    if (index == 0) {
      n = n->prev();  // the left undeleted item, so that index can decrease
      index += (n && n->countable() && !n->deleted()) ? n->length : 0;
    }
  }
  for (; n; n = n->right) {
    if (!n->deleted() && n->countable()) {
      if (index <= n->length) {
        if (index < n->length) get_item_clean_start(t, ID{n->id.client, n->id.clock + index});
        break;
      }
      index -= n->length;
    }
  }
  if (auto* m = parent->markers()) update_marker_changes(*m, start_index, count);
  return list_insert_after(t, parent, n, std::move(values));
}

std::vector<Type*> list_push(Transaction& t, Type* parent, std::vector<ListValue> values) {
  Item* n = parent->start();
  uint64_t best = 0;
  if (auto* markers = parent->markers()) {
    for (auto& m : *markers) {
      if (m.index > best) { best = m.index; n = m.p; }
    }
  }
  if (n) {
    while (n->right) n = n->right;
  }
  return list_insert_after(t, parent, n, std::move(values));
}

Status list_delete(Transaction& t, Type* parent, uint64_t index, uint64_t length) {
  if (length == 0) return Status::Ok();
  if (index + length > parent->length()) {
    return Status::Error("delete range " + std::to_string(index) + "+" + std::to_string(length) +
                         " beyond length " + std::to_string(parent->length()));
  }
  uint64_t start_index = index;
  uint64_t start_length = length;
  SearchMarker* marker = find_marker(parent, index);
  Item* n = parent->start();
  if (marker) {
    n = marker->p;
    index -= marker->index;
  }
  // Compute the first item to be deleted.
  for (; n && index > 0; n = n->right) {
    if (!n->deleted() && n->countable()) {
      if (index < n->length) get_item_clean_start(t, ID{n->id.client, n->id.clock + index});
      index -= std::min(index, n->length);
    }
  }
  // Delete all items until done.
  while (length > 0 && n) {
    if (!n->deleted()) {
      if (length < n->length) get_item_clean_start(t, ID{n->id.client, n->id.clock + length});
      delete_item(t, n);
      length -= std::min(length, n->length);
    }
    n = n->right;
  }
  if (auto* m = parent->markers()) {
    update_marker_changes(*m, start_index, -static_cast<int64_t>(start_length - length));
  }
  return Status::Ok();
}

Type* map_set(Transaction& t, Type* parent, const std::string& key, ListValue value) {
  const std::string* k = t.doc().intern(key);
  Item* left = parent->map_item(key);
  std::vector<Type*> created;
  new_item(t, parent, left, nullptr, k, value_content(value, created));
  return created.empty() ? nullptr : created[0];
}

void map_delete(Transaction& t, Type* parent, const std::string& key) {
  if (Item* c = parent->map_item(key)) delete_item(t, c);
}

Item* map_get(const Type* parent, const std::string& key) {
  Item* i = parent->map_item(key);
  return i && !i->deleted() ? i : nullptr;
}

void append_item_json(const Item* item, std::vector<Any>& out) {
  const Content& c = item->content;
  switch (c.ref()) {
    case ContentRef::Any:
      for (const auto& v : c.get<ContentAny>()->values) out.push_back(v);
      break;
    case ContentRef::JSON:
      for (const auto& v : c.get<ContentJSON>()->values) out.push_back(v);
      break;
    case ContentRef::Binary: out.push_back(Any::Buffer(c.get<ContentBinary>()->bytes)); break;
    case ContentRef::Type: out.push_back(c.get<ContentType>()->type->to_json()); break;
    case ContentRef::Embed: out.push_back(*c.get<ContentEmbed>()->value); break;
    case ContentRef::String: {
      // getContent of a string is its UTF-16 units; as JSON, each element is one unit.
      const std::string& s = c.get<ContentString>()->utf8;
      size_t i = 0;
      while (i < s.size()) {
        unsigned char ch = static_cast<unsigned char>(s[i]);
        size_t w = ch < 0x80 ? 1 : ch < 0xE0 ? 2 : ch < 0xF0 ? 3 : 4;
        if (w == 4) {
          out.push_back(Any::String("\xEF\xBF\xBD"));  // lone halves of a pair
          out.push_back(Any::String("\xEF\xBF\xBD"));
        } else {
          out.push_back(Any::String(s.substr(i, w)));
        }
        i += w;
      }
      break;
    }
    case ContentRef::Doc: {
      AnyObject o;
      o.emplace_back("guid", Any::String(c.get<ContentDoc>()->data->guid));
      out.push_back(Any::Object(std::move(o)));
      break;
    }
    default: break;
  }
}

std::vector<Any> list_to_json(const Type* parent) {
  std::vector<Any> out;
  for (const Item* n = parent->start(); n; n = n->right) {
    if (n->countable() && !n->deleted()) append_item_json(n, out);
  }
  return out;
}

}  // namespace tandem::crdt
