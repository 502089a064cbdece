// Operations on encoded updates without a document, as yjs's src/utils/updates.js offers
// them: merge, diff against a state vector, state vector and metadata of an update, and
// conversion between formats v1 and v2. Byte-identical to yjs. Format: docs/crdt.md.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "common/status.h"
#include "crdt/delete_set.h"
#include "crdt/update_codec.h"

namespace tandem::crdt {

using Update = std::span<const uint8_t>;

//! yjs mergeUpdates / mergeUpdatesV2 (all inputs and the output in version v).
Result<std::vector<uint8_t>> merge_updates(const std::vector<Update>& updates,
                                           UpdateVersion v = UpdateVersion::V1);
//! yjs diffUpdate / diffUpdateV2: the part of `update` not covered by `state_vector`
//! (an encoded state vector).
Result<std::vector<uint8_t>> diff_update(Update update, std::span<const uint8_t> state_vector,
                                         UpdateVersion v = UpdateVersion::V1);
//! yjs encodeStateVectorFromUpdate(V2): the encoded state vector an update's structs imply.
Result<std::vector<uint8_t>> state_vector_from_update(Update update,
                                                      UpdateVersion v = UpdateVersion::V1);
//! yjs parseUpdateMeta(V2): from = lowest clock per client, to = clock after the last struct.
struct UpdateMeta {
  StateVector from;
  StateVector to;
};
Result<UpdateMeta> parse_update_meta(Update update, UpdateVersion v = UpdateVersion::V1);
//! Whether `update` is the v1 update with no structs and no deletions (yjs encodes an empty
//! diff so; a client with nothing new answers a sync step 1 with it).
inline bool is_empty_update_v1(Update update) {
  return update.size() == 2 && update[0] == 0 && update[1] == 0;
}
//! Whether the v1 update `update` holds no structs (Skips aside) and only deletions that
//! `state` (a document's whole state as a v1 update, as encode_state_as_update writes it)
//! already has: applying it to that document would change nothing. A client reconnecting with
//! nothing new answers a sync step 1 so (yjs sends its whole delete set in every diff). False
//! if either does not decode. Not in yjs.
bool adds_only_known_deletions(Update update, Update state);
//! yjs convertUpdateFormatV1ToV2 / V2ToV1.
Result<std::vector<uint8_t>> convert_update(Update update, UpdateVersion from, UpdateVersion to);

}  // namespace tandem::crdt
