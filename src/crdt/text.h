// Rich text: yjs's YText operations (src/types/YText.js) over a Type of kind Text or XmlText —
// inserting text and embeds with formatting attributes, deleting, formatting ranges, reading
// the text and its delta, and the formatting cleanup yjs runs after remote changes. Positions
// and lengths count UTF-16 code units.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "crdt/any.h"
#include "crdt/transaction.h"
#include "crdt/type.h"

namespace tandem::crdt {

//! Formatting attributes in insertion order; a null value removes an attribute.
using Attributes = AnyObject;

//! YText.insert(index, text, attributes). With `attributes` == nullptr the text takes the
//! formatting at the position (yjs's behaviour when attributes are undefined).
Status text_insert(Transaction& t, Type* text, uint64_t index, std::string_view utf8,
                   const Attributes* attributes = nullptr);
//! YText.insertEmbed(index, embed, attributes).
Status text_insert_embed(Transaction& t, Type* text, uint64_t index, Any embed,
                         const Attributes* attributes = nullptr);
//! YText.delete(index, length).
Status text_delete(Transaction& t, Type* text, uint64_t index, uint64_t length);
//! Inserts `utf8`, without formatting, right after the character `after` of `text` (which may
//! be deleted): what a client does that keeps its cursor as a position relative to the
//! characters (yjs RelativePosition, assoc -1) instead of an index, without searching the text
//! for the index. The same update as text_insert at the index just after `after` when that
//! character is visible and no formatting follows it. Error if `text` has no such character.
Status text_insert_after(Transaction& t, Type* text, ID after, std::string_view utf8);
//! Deletes the character `id` of `text` (nothing if it is deleted already). Error if `text`
//! has no such character.
Status text_delete_id(Transaction& t, Type* text, ID id);
//! YText.format(index, length, attributes).
Status text_format(Transaction& t, Type* text, uint64_t index, uint64_t length,
                   const Attributes& attributes);

//! One op of YText.applyDelta(): insert text (Any string) or an embed with attributes, retain
//! `retain` units applying attributes (null removes one), or delete `remove` units.
struct ApplyDeltaOp {
  enum class Kind { Insert, Retain, Delete } kind = Kind::Insert;
  Any insert;
  uint64_t length = 0;  // Retain / Delete
  Attributes attributes;
};
//! YText.applyDelta(delta) (sanitize: true): the ops run from one moving position, so
//! consecutive inserts continue after the formatting items the previous insert closed with —
//! unlike text_insert at an index. y-prosemirror writes every text node run this way.
Status text_apply_delta(Transaction& t, Type* text, const std::vector<ApplyDeltaOp>& delta);

//! One op of YText.toDelta(): an insert of text (Any string), an embed (Any), or a nested
//! type (its toJSON), with its attributes (empty: none).
struct DeltaOp {
  Any insert;
  Attributes attributes;
};
std::vector<DeltaOp> text_to_delta(const Type* text);
//! YText.toString(): the text without embeds or formats.
std::string text_to_string(const Type* text);

//! yjs cleanupYTextAfterTransaction: removes formatting made redundant by the changes of `t`
//! (runs in a new transaction of the same Doc).
void cleanup_text_after_transaction(Transaction& t);

}  // namespace tandem::crdt
