// Delete sets (yjs src/utils/DeleteSet.js): per client, sorted and merged clock ranges of
// deleted structs. Carried at the end of every update. Format: docs/crdt.md, "Delete set".
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <vector>

#include "crdt/id.h"
#include "crdt/update_codec.h"

namespace tandem::crdt {

struct DeleteRange {
  Clock clock = 0;
  uint64_t len = 0;
  Clock end() const { return clock + len; }
  friend bool operator==(const DeleteRange&, const DeleteRange&) = default;
};

//! Clients in descending order, the order in which updates list them.
class DeleteSet {
 public:
  using Clients = std::map<ClientId, std::vector<DeleteRange>, std::greater<ClientId>>;

  void add(ClientId client, Clock clock, uint64_t len) {
    auto [it, inserted] = clients_.try_emplace(client);
    if (inserted) order_.push_back(client);
    it->second.push_back({clock, len});
  }
  //! Clients in the order add() first saw them: the iteration order of yjs's DeleteSet (a JS
  //! Map), which yjs's formatting cleanup after a transaction depends on. Clients inserted
  //! through clients() directly are not listed.
  const std::vector<ClientId>& insertion_order() const { return order_; }
  //! Sorts each client's ranges and merges overlapping or adjacent ones (sortAndMergeDeleteSet).
  void sort_and_merge();
  //! REQUIRES: sorted and merged.
  bool contains(ID id) const;
  //! Whether every clock of `range` of `client` is in the set (an empty range is).
  //! REQUIRES: sorted and merged.
  bool covers(ClientId client, const DeleteRange& range) const;
  bool empty() const { return clients_.empty(); }
  //! Empties the set, keeping what storage it can for the next use.
  void clear() {
    clients_.clear();
    order_.clear();
  }
  const Clients& clients() const { return clients_; }
  Clients& clients() { return clients_; }

  //! yjs writeDeleteSet (ranges as stored; call sort_and_merge first where yjs does).
  void write(UpdateEncoder& enc) const;
  //! yjs readDeleteSet. Throws DecodeError, also for ranges beyond 2^53.
  static DeleteSet read(UpdateDecoder& dec);
  //! yjs mergeDeleteSets.
  static DeleteSet merge(const std::vector<const DeleteSet*>& sets);

  friend bool operator==(const DeleteSet& a, const DeleteSet& b) { return a.clients_ == b.clients_; }

 private:
  Clients clients_;
  std::vector<ClientId> order_;
};

//! A state vector: for each client, the next clock expected from it.
using StateVector = std::map<ClientId, Clock>;

//! yjs encodeStateVector / writeStateVector (clients in descending order).
void write_state_vector(Encoder& enc, const StateVector& sv);
std::vector<uint8_t> encode_state_vector(const StateVector& sv);
//! yjs decodeStateVector. Throws DecodeError.
StateVector read_state_vector(Decoder& dec);

}  // namespace tandem::crdt
