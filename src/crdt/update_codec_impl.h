// Internal to the update codecs: the concrete codecs behind make_update_encoder and
// make_update_decoder (update_codec.h); the v2 encoder stays private to update_codec_v2.cc.
// Format: docs/crdt.md, "Update format".
#pragma once

#include <memory>
#include <span>
#include <string>
#include <type_traits>

#include "crdt/content.h"
#include "crdt/lib0_encoding.h"
#include "crdt/lib0_rle.h"
#include "crdt/update_codec.h"

namespace tandem::crdt::detail {

//! Update format v1 (yjs UpdateEncoderV1): everything in one lib0 stream. Public here so that
//! hot paths can keep one on the stack instead of allocating it through make_update_encoder.
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
  //! JSON text (js_stringify); "null" for undefined (see update_codec_v1.cc).
  void write_json(const Any& v) override;
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
  std::string read_string(uint64_t& utf16_units) override { return rest_.read_var_string(utf16_units); }
  bool read_parent_info() override { return rest_.read_var_uint() == 1; }
  uint8_t read_type_ref() override {
    const size_t at = rest_.pos();
    const uint64_t ref = rest_.read_var_uint();
    if (ref > 0xFF) rest_.fail_at("type ref " + std::to_string(ref) + " out of range", at);
    return static_cast<uint8_t>(ref);
  }
  uint64_t read_len() override { return rest_.read_var_uint(); }
  Any read_json() override;
  std::string read_key() override { return rest_.read_var_string(); }
  Decoder& rest() override { return rest_; }

 private:
  Decoder rest_;
};

//! Update format v2 (yjs UpdateDecoderV2): struct fields come from nine run-length/diff-encoded
//! columns, the rest from a plain lib0 stream. Public here so that hot paths can call it
//! without virtual dispatch.
class UpdateDecoderV2 final : public UpdateDecoder {
 public:
  explicit UpdateDecoderV2(std::span<const uint8_t> update);

  UpdateVersion version() const override { return UpdateVersion::V2; }

  void reset_ds_cur_val() override { ds_curr_val_ = 0; }
  uint64_t read_ds_clock() override {
    const size_t at = rest_.pos();
    ds_curr_val_ += rest_.read_var_uint();
    if (ds_curr_val_ > kMaxSafeInteger) rest_.fail_at("delete set clock exceeds 2^53-1", at);
    return ds_curr_val_;
  }
  uint64_t read_ds_len() override {
    const size_t at = rest_.pos();
    const uint64_t len = rest_.read_var_uint() + 1;
    ds_curr_val_ += len;
    if (ds_curr_val_ > kMaxSafeInteger) rest_.fail_at("delete set range exceeds 2^53-1", at);
    return len;
  }

  ID read_left_id() override {
    const uint64_t client = client_.read();
    return ID{client, clock(left_clock_.read(), "left clock")};
  }
  ID read_right_id() override {
    const uint64_t client = client_.read();
    return ID{client, clock(right_clock_.read(), "right clock")};
  }
  uint64_t read_client() override { return client_.read(); }
  uint8_t read_info() override { return info_.read(); }
  std::string read_string() override { return string_.read(); }
  std::string read_string(uint64_t& utf16_units) override { return string_.read(utf16_units); }
  bool read_parent_info() override { return parent_info_.read() == 1; }
  uint8_t read_type_ref() override {
    const uint64_t ref = type_ref_.read();
    if (ref > 0xFF) rest_.fail("type ref " + std::to_string(ref) + " out of range");
    return static_cast<uint8_t>(ref);
  }
  uint64_t read_len() override { return len_.read(); }
  Any read_json() override { return rest_.read_any(); }
  std::string read_key() override;
  Decoder& rest() override { return rest_; }

 private:
  // Called in member-initialiser order, so the columns are read in wire order. Column
  // decoders report offsets in the whole update.
  Decoder column();
  uint64_t clock(int64_t v, const char* what);

  Decoder rest_;
  uint64_t feature_flag_;  // read and ignored, as yjs does
  uint64_t ds_curr_val_ = 0;
  std::vector<std::string> keys_;
  lib0::IntDiffOptRleDecoder key_clock_;
  lib0::UintOptRleDecoder client_;
  lib0::IntDiffOptRleDecoder left_clock_;
  lib0::IntDiffOptRleDecoder right_clock_;
  lib0::RleU8Decoder info_;
  lib0::StringDecoder string_;
  lib0::RleU8Decoder parent_info_;
  lib0::UintOptRleDecoder type_ref_;
  lib0::UintOptRleDecoder len_;
};

//! Reads the content of an Item struct with info byte `info` into `out` (in place: most
//! structs are strings, set without a temporary), a string's UTF-16 length taken from v2's
//! length column or, in v1, counted as its UTF-8 is checked; every other kind through
//! read_content. Shared by both struct readers
//! (struct_ref.cc, update_load.cc).
template <class Dec>
void read_struct_content(Dec& dec, uint8_t info, Content& out) {
  if ((info & 0x1F) != static_cast<uint8_t>(ContentRef::String)) {
    out = read_content(dec, info);
  } else {
    uint64_t units = 0;
    std::string utf8 = dec.read_string(units);
    out.set_string(std::move(utf8), units);
  }
}

std::unique_ptr<UpdateEncoder> make_update_encoder_v1();
std::unique_ptr<UpdateEncoder> make_update_encoder_v2();
std::unique_ptr<UpdateDecoder> make_update_decoder_v1(std::span<const uint8_t> update);
std::unique_ptr<UpdateDecoder> make_update_decoder_v2(std::span<const uint8_t> update);

}  // namespace tandem::crdt::detail
