// Internal to the update codecs: the concrete v1 and v2 codecs behind make_update_encoder and
// make_update_decoder (update_codec.h). Format: docs/crdt.md, "Update format".
#pragma once

#include <memory>
#include <span>

#include "crdt/update_codec.h"

namespace tandem::crdt::detail {

std::unique_ptr<UpdateEncoder> make_update_encoder_v1();
std::unique_ptr<UpdateEncoder> make_update_encoder_v2();
std::unique_ptr<UpdateDecoder> make_update_decoder_v1(std::span<const uint8_t> update);
std::unique_ptr<UpdateDecoder> make_update_decoder_v2(std::span<const uint8_t> update);

}  // namespace tandem::crdt::detail
