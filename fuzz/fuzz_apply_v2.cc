// Fuzzes decoding and applying a v2 update: no crash, and a rejected update changes nothing;
// loaded into an empty document directly and by the general path, the same result.
#include "fuzz_apply_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  tandem::fuzz::apply_twice_and_check(std::span<const uint8_t>(data, size),
                                      tandem::crdt::UpdateVersion::V2);
  tandem::fuzz::load_both_ways_and_compare(std::span<const uint8_t>(data, size),
                                           tandem::crdt::UpdateVersion::V2);
  return 0;
}
