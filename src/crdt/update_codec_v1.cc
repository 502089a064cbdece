// Yjs's v1 update codec (UpdateEncoderV1 / UpdateDecoderV1 in yjs src/utils/Update*.js):
// everything goes through one lib0 stream.
#include <cassert>

#include "crdt/js_json.h"
#include "crdt/update_codec_impl.h"

namespace tandem::crdt::detail {

void UpdateEncoderV1::write_json(const Any& v) {
  // JSON.stringify(undefined) is undefined, on which yjs's writeVarString throws. We write
  // "null" instead: the update stays readable, and YText reads an undefined attribute value
  // as null anyway (`?? null`).
  if (v.is_undefined()) {
    rest_.write_var_string("null");
  } else {
    rest_.write_var_string(js_stringify(v));
  }
}

Any UpdateDecoderV1::read_json() {
  const size_t at = rest_.pos();
  const std::string text = rest_.read_var_string();
  Result<Any> v = js_parse(text);
  if (!v) rest_.fail_at("bad JSON: " + v.error(), at);
  return std::move(v).value();
}

std::unique_ptr<UpdateEncoder> make_update_encoder_v1() {
  return std::make_unique<UpdateEncoderV1>();
}

std::unique_ptr<UpdateDecoder> make_update_decoder_v1(std::span<const uint8_t> update) {
  return std::make_unique<UpdateDecoderV1>(update);
}

}  // namespace tandem::crdt::detail
