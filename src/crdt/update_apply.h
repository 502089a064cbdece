// Applying and producing updates on a Doc (yjs src/utils/encoding.js): validation, the
// integration loop with pending structs and pending deletes, and the encoders for a
// transaction's update and for a document's state.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "common/status.h"
#include "crdt/delete_set.h"
#include "crdt/struct_ref.h"
#include "crdt/update_codec.h"

namespace tandem::crdt {

class Doc;
struct Item;
class StructStore;
class Transaction;

//! yjs writeUpdateMessageFromTransaction (REQUIRES: the transaction changed something).
std::vector<uint8_t> encode_transaction_update(Doc& doc, Transaction& t, UpdateVersion v);

//! Decodes, validates and integrates `update` inside transaction `t` (yjs readUpdateV2),
//! keeping what cannot be integrated yet as pending. On a decode or validation error nothing
//! has changed.
Status apply_update_in(Doc& doc, Transaction& t, std::span<const uint8_t> update, UpdateVersion v);

//! Loads `update` into `doc`, which has nothing in it yet (Doc::is_empty_for_load), inside
//! transaction `t`: decoded straight into items, integrated in yjs's order, each struct
//! checked as validate_update would as it is resolved. Returns false for an update this path
//! does not take — malformed, invalid, listing a client twice, or with structs or deletes
//! that would have to wait for others; the caller then undoes what it did
//! (Doc::undo_failed_load) and applies the update the general way.
bool load_into_empty(Doc& doc, Transaction& t, std::span<const uint8_t> update, UpdateVersion v);

//! yjs readAndApplyDeleteSet: deletes what `doc` has of `ds`; returns the rest (to keep
//! pending) as a v2 update.
std::optional<std::vector<uint8_t>> apply_delete_set(Transaction& t, const DeleteSet& ds);

//! The item that `s` continues as typing does, or nullptr: `s` starts where the last struct
//! `l` of its client ends, its origin is l's last unit, its right origin is l's and the item
//! right of `l` starts there, and both hold text (or array elements) of a list. yjs integrates
//! such a struct as a new item right of `l` and merges the two when the transaction is cleaned
//! up (Transaction.js tryToMergeWithLefts, Item.mergeWith); Tandem grows `l` at once. It is
//! what most remote updates are, one typed character each.
Item* appendable_to(const StructStore& store, const StructRef& s);

//! Checks that a decoded update is consistent with itself and with `doc`: ids in range, each
//! item's origins in one parent, parents that are types. Unknown references are fine (they
//! make the struct pending). An error names the struct.
Status validate_update(const Doc& doc, const std::vector<ClientStructs>& clients);

}  // namespace tandem::crdt
