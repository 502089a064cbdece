#include "crdt/item_ops.h"

#include <algorithm>
#include <cassert>
#include <unordered_set>

#include "crdt/doc.h"
#include "crdt/type.h"

namespace tandem::crdt {

namespace {

void content_integrate(Transaction& t, Item* item) {
  Content& c = item->content;
  switch (c.ref()) {
    case ContentRef::Deleted:
      t.delete_set.add(item->id.client, item->id.clock, item->length);
      item->mark_deleted();
      break;
    case ContentRef::Format:
      item->parent->clear_markers_disabled();
      item->parent->set_has_formatting();
      break;
    case ContentRef::Type: {
      Type* type = c.get<ContentType>()->type.get();
      type->integrate(&t.doc(), item);
      if (auto prelim = type->take_prelim()) prelim(t, type);
      break;
    }
    default: break;
  }
}

void content_delete(Transaction& t, Item* item) {
  auto* ct = item->content.get<ContentType>();
  if (!ct) return;
  Type* type = ct->type.get();
  auto before = [&](Item* i) { return i->id.clock < t.before_clock(i->id.client); };
  for (Item* i = type->start(); i; i = i->right) {
    if (!i->deleted()) {
      delete_item(t, i);
    } else if (before(i)) {
      t.merge_structs.push_back(i);
    }
  }
  for (const auto& [key, i] : type->map_entries()) {
    if (!i->deleted()) {
      delete_item(t, i);
    } else if (before(i)) {
      t.merge_structs.push_back(i);
    }
  }
  t.changed.erase(type);
}

void content_gc(StructStore& store, Item* item) {
  auto* ct = item->content.get<ContentType>();
  if (!ct) return;
  Type* type = ct->type.get();
  for (Item* i = type->start(); i;) {
    Item* next = i->right;
    gc_item(store, i, true);
    i = next;
  }
  std::vector<Item*> heads;
  for (const auto& [key, i] : type->map_entries()) heads.push_back(i);
  for (Item* i : heads) {
    while (i) {
      Item* next = i->left;
      gc_item(store, i, true);
      i = next;
    }
  }
  type->clear_children();
}

}  // namespace

Item* split_item(Transaction& t, Item* left, uint64_t diff) {
  StructStore& store = t.doc().store();
  Item* right = store.alloc();
  ID id = left->id;
  right->id = ID{id.client, id.clock + diff};
  right->left = left;
  right->set_origin(ID{id.client, id.clock + diff - 1});
  right->right = left->right;
  right->set_right_origin(left->right_origin());
  right->parent = left->parent;
  right->parent_sub = left->parent_sub;
  right->content = left->content.splice(diff);
  right->length = left->length - diff;
  right->info |= (left->info & (Item::kDeleted | Item::kKeep)) |
                 (right->content.countable() ? Item::kCountable : 0);
  left->right = right;
  if (right->right) right->right->left = right;
  t.merge_structs.push_back(right);
  if (right->parent_sub && !right->right) {
    right->parent->set_map_item(right->parent_sub, right);
  }
  left->length = diff;
  return right;
}

Item* get_item_clean_start(Transaction& t, ID id) {
  auto& structs = *t.doc().store().client_structs(id.client);
  size_t index = StructStore::find_index(structs, id.clock);
  Item* s = structs[index];
  if (s->id.clock < id.clock && !s->is_gc()) {
    Item* r = split_item(t, s, id.clock - s->id.clock);
    structs.insert(index + 1, r);
    return r;
  }
  return s;
}

Item* get_item_clean_end(Transaction& t, ID id) {
  auto& structs = *t.doc().store().client_structs(id.client);
  size_t index = StructStore::find_index(structs, id.clock);
  Item* s = structs[index];
  if (id.clock != s->id.clock + s->length - 1 && !s->is_gc()) {
    Item* r = split_item(t, s, id.clock - s->id.clock + 1);
    structs.insert(index + 1, r);
  }
  return s;
}

void add_changed_type(Transaction& t, Type* type, const std::string* /*parent_sub*/) {
  Item* item = type->item();
  if (item == nullptr) {
    t.changed.insert(type);
    return;
  }
  if (item->id.clock < t.before_clock(item->id.client) && !item->deleted()) t.changed.insert(type);
}

namespace {
// The first item of the map entry `key` of `type` (the left end of its chain).
Item* map_chain_start(Type* type, const std::string* key) {
  Item* o = type->map_item(*key);
  while (o && o->left) o = o->left;
  return o;
}
}  // namespace

void integrate_item(Transaction& t, Item* item, uint64_t offset) {
  StructStore& store = t.doc().store();
  if (offset > 0) {
    item->id.clock += offset;
    item->left = get_item_clean_end(t, ID{item->id.client, item->id.clock - 1});
    item->set_origin(item->left->last_id());
    item->content = item->content.splice(offset);
    item->length -= offset;
  }
  if (item->parent == nullptr) {
    // Parent unknown or garbage-collected: integrate as a GC struct instead.
    item->left = item->right = nullptr;
    item->content = Content();
    item->info = Item::kGC | Item::kDeleted;
    item->parent_sub = nullptr;
    t.doc().add_struct(item);
    return;
  }
  Type* parent = item->parent;
  if ((!item->left && (!item->right || item->right->left != nullptr)) ||
      (item->left && item->left->right != item->right)) {
    Item* left = item->left;
    Item* o;
    if (left) {
      o = left->right;
    } else if (item->parent_sub) {
      o = map_chain_start(parent, item->parent_sub);
    } else {
      o = parent->start();
    }
    // conflicting_items is a subset of items_before_origin.
    std::unordered_set<Item*> conflicting_items;
    std::unordered_set<Item*> items_before_origin;
    while (o && o != item->right) {
      items_before_origin.insert(o);
      conflicting_items.insert(o);
      if (item->origin() == o->origin()) {
        // Case 1: same origin: order by client id.
        if (o->id.client < item->id.client) {
          left = o;
          conflicting_items.clear();
        } else if (item->right_origin() == o->right_origin()) {
          break;
        }
      } else if (o->has_origin()) {
        Item* oo = store.find(o->origin_id);
        if (items_before_origin.count(oo)) {
          // Case 2
          if (!conflicting_items.count(oo)) {
            left = o;
            conflicting_items.clear();
          }
        } else {
          break;
        }
      } else {
        break;
      }
      o = o->right;
    }
    item->left = left;
  }
  // Reconnect left/right and the parent's start or map entry.
  if (item->left) {
    item->right = item->left->right;
    item->left->right = item;
  } else {
    Item* r;
    if (item->parent_sub) {
      r = map_chain_start(parent, item->parent_sub);
    } else {
      r = parent->start();
      parent->set_start(item);
    }
    item->right = r;
  }
  if (item->right) {
    item->right->left = item;
  } else if (item->parent_sub) {
    parent->set_map_item(item->parent_sub, item);
    if (item->left) delete_item(t, item->left);  // the previous value of this key
  }
  if (!item->parent_sub && item->countable() && !item->deleted()) {
    parent->add_length(static_cast<int64_t>(item->length));
  }
  t.doc().add_struct(item);
  content_integrate(t, item);
  add_changed_type(t, parent, item->parent_sub);
  if ((parent->item() && parent->item()->deleted()) || (item->parent_sub && item->right)) {
    delete_item(t, item);
  }
}

void integrate_gc(Transaction& t, Item* gc, uint64_t offset) {
  if (offset > 0) {
    gc->id.clock += offset;
    gc->length -= offset;
  }
  t.doc().add_struct(gc);
}

void delete_item(Transaction& t, Item* item) {
  if (item->deleted()) return;
  Type* parent = item->parent;
  if (item->countable() && !item->parent_sub) {
    parent->add_length(-static_cast<int64_t>(item->length));
  }
  item->mark_deleted();
  t.delete_set.add(item->id.client, item->id.clock, item->length);
  add_changed_type(t, parent, item->parent_sub);
  content_delete(t, item);
}

void gc_item(StructStore& store, Item* item, bool parent_gcd) {
  assert(item->deleted());
  if (item->is_gc()) return;
  content_gc(store, item);
  if (parent_gcd) {
    store.replace_with_gc(item);
  } else {
    item->content = Content::Deleted(item->length);  // the countable flag stays, as in yjs
  }
}

bool merge_items(Item* left, Item* right) {
  if (left->is_gc() || right->is_gc()) {
    if (!(left->is_gc() && right->is_gc())) return false;
    left->length += right->length;
    return true;
  }
  if (!(right->has_origin() && right->origin_id == left->last_id() && left->right == right &&
        left->right_origin() == right->right_origin() && left->id.client == right->id.client &&
        left->id.clock + left->length == right->id.clock &&
        left->deleted() == right->deleted() &&
        left->content.v().index() == right->content.v().index() &&
        left->content.merge_with(right->content))) {
    return false;
  }
  if (auto* markers = left->parent->markers()) {
    for (SearchMarker& m : *markers) {
      if (m.p == right) {
        m.p = left;
        if (!left->deleted() && left->countable()) m.index -= left->length;
      }
    }
  }
  if (right->keep()) left->set_keep(true);
  left->right = right->right;
  if (left->right) left->right->left = left;
  left->length += right->length;
  return true;
}

}  // namespace tandem::crdt
