// Fuzzes the update-level operations on two halves of the input: merge, diff, state vector,
// metadata, format conversion and the known-deletions check must return a value or an error,
// never crash.
#include "crdt/update_ops.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tandem::crdt;
  std::span<const uint8_t> in(data, size);
  auto a = in.subspan(0, size / 2);
  auto b = in.subspan(size / 2);
  (void)merge_updates({a, b}, UpdateVersion::V1);
  (void)merge_updates({a, b}, UpdateVersion::V2);
  (void)diff_update(a, b, UpdateVersion::V1);
  (void)state_vector_from_update(in, UpdateVersion::V1);
  (void)parse_update_meta(in, UpdateVersion::V2);
  (void)convert_update(in, UpdateVersion::V1, UpdateVersion::V2);
  (void)adds_only_known_deletions(a, b);
  return 0;
}
