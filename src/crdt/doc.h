// Doc: one Yjs-compatible document — its struct store, root types, pending updates and the
// transaction machinery (yjs src/utils/Doc.js, encoding.js, Transaction.js). Applying an
// update decodes and validates it completely before anything changes; a bad update returns
// an error and leaves the document exactly as it was. Not thread-safe: a Doc belongs to one
// thread. Format: docs/crdt.md.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_set>
#include <vector>

#include "common/status.h"
#include "crdt/delete_set.h"
#include "crdt/struct_store.h"
#include "crdt/transaction.h"
#include "crdt/type.h"

namespace tandem::crdt {

struct DocOptions {
  //! Client id for local edits (yjs uses random 32-bit ids; up to 2^53-1 is accepted).
  ClientId client_id = 1;
  //! Garbage-collect deleted content (yjs `gc: true`).
  bool gc = true;
  //! Load an update into an empty document straight into items, without validating it first
  //! (update_load.cc). Off only to check that path against the general one (tests, fuzzers):
  //! both give the same document.
  bool direct_load = true;
};

//! Updates that could not be integrated yet because they depend on structs not received.
struct PendingStructs {
  StateVector missing;           // lowest missing clock per client
  std::vector<uint8_t> update;   // v2 update of the structs waiting
};

class Doc {
 public:
  //! Called after each transaction that changed something, with its update (v1), its origin
  //! and the finished transaction (to encode it otherwise, e.g. as v2).
  using UpdateListener =
      std::function<void(std::span<const uint8_t> update, Origin origin, Transaction& t)>;

  explicit Doc(DocOptions options = {});
  Doc(const Doc&) = delete;
  Doc& operator=(const Doc&) = delete;
  ~Doc();

  ClientId client_id() const { return options_.client_id; }
  bool gc_enabled() const { return options_.gc; }
  StructStore& store() { return store_; }
  const StructStore& store() const { return store_; }

  //! The root type `name`, created if needed, given `kind` if it has none yet. Returns
  //! nullptr if the root exists with another kind (yjs throws there).
  Type* get(const std::string& name, TypeKind kind = TypeKind::Unknown);
  //! Roots in creation order.
  const std::vector<std::pair<std::string, std::unique_ptr<Type>>>& roots() const { return roots_; }
  //! Name of a root type (REQUIRES: t is a root of this doc).
  const std::string& root_name(const Type* t) const;

  //! Runs `fn` in a local transaction (nested calls join the outer one) and cleans up.
  //! Returns the transaction's v1 update (empty if nothing changed).
  std::vector<uint8_t> transact(const std::function<void(Transaction&)>& fn,
                                Origin origin = Origin::Local);
  //! The same without handing the update back: it is encoded only for the update listener,
  //! if there is one (what yjs's doc.transact does).
  void edit(const std::function<void(Transaction&)>& fn, Origin origin = Origin::Local);

  //! yjs applyUpdate / applyUpdateV2. On error nothing changes.
  Status apply_update(std::span<const uint8_t> update, UpdateVersion v = UpdateVersion::V1);
  //! yjs encodeStateAsUpdate(V2) against a state vector (empty: everything).
  std::vector<uint8_t> encode_state_as_update(const StateVector& sv = {},
                                              UpdateVersion v = UpdateVersion::V1) const;
  StateVector state_vector() const { return store_.state_vector(); }
  std::vector<uint8_t> encode_state_vector() const;
  DeleteSet delete_set() const { return store_.delete_set(); }

  const std::optional<PendingStructs>& pending_structs() const { return pending_structs_; }
  const std::optional<std::vector<uint8_t>>& pending_delete_set() const { return pending_ds_; }
  bool has_pending() const { return pending_structs_ || pending_ds_; }

  void on_update(UpdateListener l) { listener_ = std::move(l); }
  //! How many transactions have changed the document (integrated structs or deleted
  //! something). Comparing it before and after apply_update tells whether an update changed
  //! anything, without the cost of an update listener (which encodes every transaction).
  uint64_t change_count() const { return change_count_; }

  //! Interned map key (stable pointer for the Doc's lifetime).
  const std::string* intern(std::string_view key);

  // --- used by integration code ---
  Transaction* current_transaction() { return transaction_; }
  //! Appends an integrated struct to the store (StructStore::add) and records its client's
  //! clock in the open transactions (Transaction::before_clock). Every append goes here.
  void add_struct(Item* item);
  //! Grows `last`, the last struct of its client, by `length` units of `content`, which it
  //! merges with: a remote struct that continues it (appendable_to in update_apply.h). Records
  //! the clock in the open transactions as add_struct does. REQUIRES: the contents merge.
  void append_to_struct(Item* last, Content& content, uint64_t length);

 private:
  friend class UpdateApplier;
  friend Status apply_update_in(Doc& doc, Transaction& t, std::span<const uint8_t> update,
                                UpdateVersion v);
  //! Opens a transaction (transaction_), reusing the spare one if there is one.
  void begin_transaction(Origin origin, bool local);
  //! transact / edit: runs `fn` in a local transaction (joining an open one) and, if it
  //! opened it, cleans up — encoding the update into last_update_ if `capture_update` (or for
  //! the listener). Returns whether it opened the transaction.
  bool run_local_transaction(const std::function<void(Transaction&)>& fn, Origin origin,
                             bool capture_update);
  void cleanup_transactions();
  void cleanup_transaction(Transaction& t);
  //! Nothing integrated, pending or under way (and direct loads not switched off): an update
  //! may be loaded by load_into_empty and, if that declines, undone by undo_failed_load.
  bool is_empty_for_load() const;
  //! Back to empty after an update integrated into an empty document failed: drops the open
  //! transaction unfinished, the structs, and the roots created since there were `roots_before`.
  void undo_failed_load(size_t roots_before);

  DocOptions options_;
  StructStore store_;
  std::vector<std::pair<std::string, std::unique_ptr<Type>>> roots_;
  std::unordered_set<std::string> keys_;
  std::optional<PendingStructs> pending_structs_;
  std::optional<std::vector<uint8_t>> pending_ds_;
  Transaction* transaction_ = nullptr;
  std::vector<std::unique_ptr<Transaction>> cleanups_;
  std::unique_ptr<Transaction> spare_;  // a finished transaction, reset, for the next one
  std::vector<uint8_t> last_update_;
  bool capture_updates_ = false;  // encode updates even without a listener (transact())
  UpdateListener listener_;
  uint64_t change_count_ = 0;
};

}  // namespace tandem::crdt
