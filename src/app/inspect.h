// `tandem inspect`: an update's state vector, delete set and structs as JSON, for operators
// and black-box tests.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "common/status.h"
#include "crdt/update_codec.h"

namespace tandem::app {

//! The JSON description of one update (see docs/crdt.md, "tandem inspect").
Result<std::string> inspect_update(std::span<const uint8_t> update, crdt::UpdateVersion v);

}  // namespace tandem::app
