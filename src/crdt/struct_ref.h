// StructRef: one struct as it stands in an update, before (or without) integration into a
// document — GC, Skip or Item with its origins, parent and content. The update-level
// operations (merge, diff, metadata) work on these alone, as yjs's LazyStructReader does.
// Format: docs/crdt.md, "Structs".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "crdt/content.h"
#include "crdt/id.h"
#include "crdt/update_codec.h"

namespace tandem::crdt {

struct StructRef {
  enum class Kind : uint8_t { GC, Skip, Item };
  //! No parent written (it is implied by the origins), a root type's name, or a type's item id.
  using Parent = std::variant<std::monostate, std::string, ID>;

  // User-provided, so that value-initialisation (emplace_back()) runs the member
  // initialisers without zero-filling the whole struct first.
  StructRef() noexcept {}

  Kind kind = Kind::GC;
  ID id;
  uint64_t length = 0;
  // Items only:
  std::optional<ID> origin;
  std::optional<ID> right_origin;
  Parent parent;
  std::optional<std::string> parent_sub;
  Content content;

  ID last_id() const { return ID{id.client, id.clock + length - 1}; }
  //! Writes the struct skipping its first `offset` units (yjs AbstractStruct.write).
  void write(UpdateEncoder& enc, uint64_t offset) const;
  //! Drops the first `offset` units (used when part of a struct is already known).
  void trim_front(uint64_t offset);
};

//! Bounds on the structs one update may describe, against hostile v2 updates whose columns
//! repeat without bound: at most kMaxStructsPerByte per byte of input, plus kMinStructLimit.
inline constexpr uint64_t kMaxStructsPerByte = 8;
inline constexpr uint64_t kMinStructLimit = 1024;

//! The structs of one client in an update, in clock order.
struct ClientStructs {
  ClientId client = 0;
  std::vector<StructRef> structs;
};

//! Reads the struct section of an update (yjs readClientsStructRefs / LazyStructReader), in
//! the order the update lists clients. Throws DecodeError on malformed input, including
//! counts larger than the remaining bytes and clocks beyond 2^53.
std::vector<ClientStructs> read_struct_section(UpdateDecoder& dec);
//! The same into `out`, reusing the storage of the sections it already holds. On DecodeError
//! `out` holds a partial result.
void read_struct_section(UpdateDecoder& dec, std::vector<ClientStructs>& out);

//! Reads one struct given its info byte (after the info byte has been read).
StructRef read_struct(UpdateDecoder& dec, uint8_t info, ID id);

}  // namespace tandem::crdt
