// Yjs's v1 update codec (UpdateEncoderV1 / UpdateDecoderV1 in yjs src/utils/Update*.js):
// everything goes through one lib0 stream.
#include <cassert>

#include "crdt/js_json.h"
#include "crdt/update_codec_impl.h"

namespace tandem::crdt::detail {

namespace {

class UpdateEncoderV1 final : public UpdateEncoder {
 public:
  UpdateVersion version() const override { return UpdateVersion::V1; }
  void reset_ds_cur_val() override {}
  void write_ds_clock(uint64_t clock) override { rest_.write_var_uint(clock); }
  void write_ds_len(uint64_t len) override { rest_.write_var_uint(len); }
  void write_left_id(ID id) override {
    rest_.write_var_uint(id.client);
    rest_.write_var_uint(id.clock);
  }
  void write_right_id(ID id) override {
    rest_.write_var_uint(id.client);
    rest_.write_var_uint(id.clock);
  }
  void write_client(uint64_t client) override { rest_.write_var_uint(client); }
  void write_info(uint8_t info) override { rest_.write_u8(info); }
  void write_string(std::string_view s) override { rest_.write_var_string(s); }
  void write_parent_info(bool is_y_key) override { rest_.write_var_uint(is_y_key ? 1 : 0); }
  void write_type_ref(uint8_t ref) override { rest_.write_var_uint(ref); }
  void write_len(uint64_t len) override { rest_.write_var_uint(len); }
  void write_any(const Any& v) override { rest_.write_any(v); }
  void write_buf(std::span<const uint8_t> buf) override { rest_.write_var_bytes(buf); }
  void write_json(const Any& v) override {
    // JSON.stringify(undefined) is undefined, on which yjs's writeVarString throws. We write
    // "null" instead: the update stays readable, and YText reads an undefined attribute value
    // as null anyway (`?? null`).
    if (v.is_undefined()) {
      rest_.write_var_string("null");
    } else {
      rest_.write_var_string(js_stringify(v));
    }
  }
  void write_key(std::string_view key) override { rest_.write_var_string(key); }
  Encoder& rest() override { return rest_; }
  std::vector<uint8_t> finish() override { return rest_.take(); }

 private:
  Encoder rest_{256};
};

class UpdateDecoderV1 final : public UpdateDecoder {
 public:
  explicit UpdateDecoderV1(std::span<const uint8_t> update) : rest_(update) {}
  UpdateVersion version() const override { return UpdateVersion::V1; }
  void reset_ds_cur_val() override {}
  uint64_t read_ds_clock() override { return rest_.read_var_uint(); }
  uint64_t read_ds_len() override { return rest_.read_var_uint(); }
  ID read_left_id() override {
    const uint64_t client = rest_.read_var_uint();
    return ID{client, rest_.read_var_uint()};
  }
  ID read_right_id() override {
    const uint64_t client = rest_.read_var_uint();
    return ID{client, rest_.read_var_uint()};
  }
  uint64_t read_client() override { return rest_.read_var_uint(); }
  uint8_t read_info() override { return rest_.read_u8(); }
  std::string read_string() override { return rest_.read_var_string(); }
  bool read_parent_info() override { return rest_.read_var_uint() == 1; }
  uint8_t read_type_ref() override {
    const size_t at = rest_.pos();
    const uint64_t ref = rest_.read_var_uint();
    if (ref > 0xFF) rest_.fail_at("type ref " + std::to_string(ref) + " out of range", at);
    return static_cast<uint8_t>(ref);
  }
  uint64_t read_len() override { return rest_.read_var_uint(); }
  Any read_any() override { return rest_.read_any(); }
  std::vector<uint8_t> read_buf() override {
    auto b = rest_.read_var_bytes();
    return {b.begin(), b.end()};
  }
  Any read_json() override {
    const size_t at = rest_.pos();
    const std::string text = rest_.read_var_string();
    Result<Any> v = js_parse(text);
    if (!v) rest_.fail_at("bad JSON: " + v.error(), at);
    return std::move(v).value();
  }
  std::string read_key() override { return rest_.read_var_string(); }
  Decoder& rest() override { return rest_; }

 private:
  Decoder rest_;
};

}  // namespace

std::unique_ptr<UpdateEncoder> make_update_encoder_v1() {
  return std::make_unique<UpdateEncoderV1>();
}

std::unique_ptr<UpdateDecoder> make_update_decoder_v1(std::span<const uint8_t> update) {
  return std::make_unique<UpdateDecoderV1>(update);
}

}  // namespace tandem::crdt::detail
