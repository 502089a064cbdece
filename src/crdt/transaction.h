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
  void clear() {
    small_.clear();
    big_.clear();
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

//! A client's clock at some point: an entry of a state vector.
struct ClientClock {
  ClientId client;
  Clock clock;
};

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

  //! yjs `beforeState.get(client) || 0`: the client's clock when the transaction started.
  //! Instead of copying the whole state vector up front, the Doc records a client's clock in
  //! every open transaction just before it first appends a struct of that client
  //! (Doc::add_struct); a client never recorded still has the clock it had then.
  Clock before_clock(ClientId client) const;
  //! yjs afterState, restricted to the clients whose clock changed (afterState != beforeState),
  //! in ascending client order; set when the transaction's cleanup starts.
  struct Change {
    ClientId client;
    Clock before, after;
  };
  const std::vector<Change>& changed_clients() const { return after_; }
  //! Every client appended to since the transaction started (so far), with its clock before
  //! the transaction, ascending: what yjs's writeStructsFromTransaction encodes.
  const std::vector<ClientClock>& appended_clients() const { return before_; }
  //! Sets changed_clients() from the current store (cleanup, yjs `afterState = ...`).
  void snapshot_after_state();
  //! Called by the Doc before a struct of `client` is appended while `clock` is its state.
  void note_append(ClientId client, Clock clock) {
    if (client == last_noted_) return;  // structs come in runs of one client
    record_before(client, clock);
  }
  //! Empties a finished transaction for reuse (keeps the capacity of its buffers).
  void clear();
  //! Starts a cleared transaction over with a new origin.
  void reuse(Origin origin, bool local) {
    origin_ = origin;
    local_ = local;
  }

  DeleteSet delete_set;
  //! Types changed (yjs also records the keys; nothing here needs them).
  TypeSet changed;
  //! Items whose neighbours may merge after the transaction.
  std::vector<Item*> merge_structs;
  bool need_formatting_cleanup = false;

 private:
  void record_before(ClientId client, Clock clock);

  Doc& doc_;
  Origin origin_;
  bool local_;
  //! Clock before the transaction of every client appended to since it started, ascending.
  std::vector<ClientClock> before_;
  ClientId last_noted_ = kNoClient;
  std::vector<Change> after_;
  static constexpr ClientId kNoClient = ~ClientId{0};
};

}  // namespace tandem::crdt
