// Reading whole files, plain or gzip-compressed (the editing traces are .gz), and the
// var-uint-framed update streams of `tandem apply --stream` and ../shared/traces/derived-yjs.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "common/status.h"

namespace tandem {

//! The bytes of `path`; gunzipped when the name ends in ".gz".
Result<std::vector<uint8_t>> read_file(const std::string& path);
Status write_file(const std::string& path, std::span<const uint8_t> bytes);

//! Splits a stream of [var-uint length][bytes] frames. Errors name the byte offset.
Result<std::vector<std::span<const uint8_t>>> split_update_stream(std::span<const uint8_t> data);

}  // namespace tandem
