// Transaction (yjs src/utils/Transaction.js): the unit of change of a Doc. Records the state
// before, the deletions and the types changed, so that cleanup can garbage-collect, merge
// structs and encode the update the transaction produced. Created only by Doc::transact and
// by applying an update; lives on the Doc's thread.
#pragma once

#include <cstdint>
#include <algorithm>
#include <string>
#include <unordered_set>
#include <vector>

#include "crdt/delete_set.h"
#include "crdt/item.h"

namespace tandem::crdt {

class Doc;
class Type;

//! The types a transaction changed: a short vector while small (the common case: one type),
//! a hash set beyond that.
class TypeSet {
 public:
  void insert(Type* t) {
    if (!big_.empty()) { big_.insert(t); return; }
    if (std::find(small_.begin(), small_.end(), t) != small_.end()) return;
    small_.push_back(t);
    if (small_.size() > kSmall) big_.insert(small_.begin(), small_.end());
  }
  void erase(Type* t) {
    big_.erase(t);
    small_.erase(std::remove(small_.begin(), small_.end(), t), small_.end());
  }
  template <class F> void for_each(F&& f) const {
    if (big_.empty()) {
      for (Type* t : small_) f(t);
    } else {
      for (Type* t : big_) f(t);
    }
  }

 private:
  static constexpr size_t kSmall = 16;
  std::vector<Type*> small_;
  std::unordered_set<Type*> big_;
};

//! Who made a transaction: a local edit, or an update applied from elsewhere.
enum class Origin : uint8_t { Local, Remote };

class Transaction {
 public:
  Transaction(Doc& doc, Origin origin, bool local);
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  Doc& doc() { return doc_; }
  Origin origin() const { return origin_; }
  bool local() const { return local_; }

  //! The next id this doc's client would create.
  ID next_id() const;

  StateVector before_state;
  StateVector after_state;
  DeleteSet delete_set;
  //! Types changed (yjs also records the keys; nothing here needs them).
  TypeSet changed;
  //! Items whose neighbours may merge after the transaction.
  std::vector<Item*> merge_structs;
  bool need_formatting_cleanup = false;

 private:
  Doc& doc_;
  Origin origin_;
  bool local_;
};

}  // namespace tandem::crdt
