// Picks the update codec for a format version.
#include "crdt/update_codec.h"

#include "crdt/update_codec_impl.h"

namespace tandem::crdt {

std::unique_ptr<UpdateEncoder> make_update_encoder(UpdateVersion v) {
  return v == UpdateVersion::V2 ? detail::make_update_encoder_v2()
                                : detail::make_update_encoder_v1();
}

std::unique_ptr<UpdateDecoder> make_update_decoder(UpdateVersion v,
                                                   std::span<const uint8_t> update) {
  auto dec = v == UpdateVersion::V2 ? detail::make_update_decoder_v2(update)
                                    : detail::make_update_decoder_v1(update);
  dec->set_input_size(update.size());
  return dec;
}

}  // namespace tandem::crdt
