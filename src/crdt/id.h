// IDs of the CRDT: (client, clock). Client ids are integers up to 2^53, as newer Yjs and yrs
// generate them; clocks count the units (UTF-16 code units, array elements, ...) a client
// has created.
#pragma once

#include <compare>
#include <cstdint>
#include <functional>

namespace tandem::crdt {

using ClientId = uint64_t;
using Clock = uint64_t;

struct ID {
  ClientId client = 0;
  Clock clock = 0;
  friend bool operator==(const ID&, const ID&) = default;
  friend auto operator<=>(const ID&, const ID&) = default;
};

}  // namespace tandem::crdt
