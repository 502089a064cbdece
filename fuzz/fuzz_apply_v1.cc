// Fuzzes decoding and applying a v1 update: no crash, and a rejected update changes nothing.
#include <cstdlib>

#include "fuzz_apply_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  tandem::fuzz::apply_twice_and_check(std::span<const uint8_t>(data, size),
                                      tandem::crdt::UpdateVersion::V1);
  return 0;
}
