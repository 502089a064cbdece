// Transaction (yjs src/utils/Transaction.js): the unit of change of a Doc. Records the state
// before, the deletions and the types changed, so that cleanup can garbage-collect, merge
// structs and encode the update the transaction produced. Created only by Doc::transact and
// by applying an update; lives on the Doc's thread.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "crdt/delete_set.h"
#include "crdt/item.h"

namespace tandem::crdt {

class Doc;
class Type;

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
  //! Types changed, with the map keys changed (nullptr for list changes).
  std::map<Type*, std::set<const std::string*>> changed;
  //! Items whose neighbours may merge after the transaction.
  std::vector<Item*> merge_structs;
  bool need_formatting_cleanup = false;

 private:
  Doc& doc_;
  Origin origin_;
  bool local_;
};

}  // namespace tandem::crdt
