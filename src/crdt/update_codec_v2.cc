// Yjs's v2 update codec (UpdateEncoderV2 / UpdateDecoderV2 in yjs src/utils/Update*.js): struct
// fields go to nine run-length/diff-encoded columns, the rest to a plain lib0 stream.
//
// Layout: var-uint feature flag (0), then nine var-length columns — key clocks, clients, left
// clocks, right clocks, infos, strings, parent infos, type refs, lengths — then the rest
// stream, unprefixed, to the end.
#include <cassert>

#include "crdt/lib0_rle.h"
#include "crdt/update_codec_impl.h"

namespace tandem::crdt::detail {

namespace {

class UpdateEncoderV2 final : public UpdateEncoder {
 public:
  UpdateVersion version() const override { return UpdateVersion::V2; }

  void reset_ds_cur_val() override { ds_curr_val_ = 0; }
  void write_ds_clock(uint64_t clock) override {
    assert(clock >= ds_curr_val_);
    const uint64_t diff = clock - ds_curr_val_;
    ds_curr_val_ = clock;
    rest_.write_var_uint(diff);
  }
  void write_ds_len(uint64_t len) override {
    assert(len > 0);
    rest_.write_var_uint(len - 1);
    ds_curr_val_ += len;
  }

  void write_left_id(ID id) override {
    client_.write(id.client);
    left_clock_.write(static_cast<int64_t>(id.clock));
  }
  void write_right_id(ID id) override {
    client_.write(id.client);
    right_clock_.write(static_cast<int64_t>(id.clock));
  }
  void write_client(uint64_t client) override { client_.write(client); }
  void write_info(uint8_t info) override { info_.write(info); }
  void write_string(std::string_view s) override { string_.write(s); }
  void write_parent_info(bool is_y_key) override { parent_info_.write(is_y_key ? 1 : 0); }
  void write_type_ref(uint8_t ref) override { type_ref_.write(ref); }
  void write_len(uint64_t len) override { len_.write(len); }
  void write_any(const Any& v) override { rest_.write_any(v); }
  void write_buf(std::span<const uint8_t> buf) override { rest_.write_var_bytes(buf); }
  void write_json(const Any& v) override { rest_.write_any(v); }
  void write_key(std::string_view key) override {
    // yjs never fills its keyMap (the cache is disabled there: "@todo uncomment to introduce
    // this feature finally"), so every key gets a fresh key clock and goes to the strings.
    key_clock_.write(static_cast<int64_t>(key_clock_next_++));
    string_.write(key);
  }
  Encoder& rest() override { return rest_; }

  std::vector<uint8_t> finish() override {
    key_clock_.flush();
    client_.flush();
    left_clock_.flush();
    right_clock_.flush();
    type_ref_.flush();
    len_.flush();
    const size_t columns = key_clock_.bytes().size() + client_.bytes().size() +
                           left_clock_.bytes().size() + right_clock_.bytes().size() +
                           info_.bytes().size() + parent_info_.bytes().size() +
                           type_ref_.bytes().size() + len_.bytes().size();
    Encoder out(1 + columns + 9 * 5 + rest_.size() + 64);
    out.write_var_uint(0);  // feature flag
    out.write_var_bytes(key_clock_.bytes());
    out.write_var_bytes(client_.bytes());
    out.write_var_bytes(left_clock_.bytes());
    out.write_var_bytes(right_clock_.bytes());
    out.write_var_bytes(info_.bytes());
    string_.finish_into(out);
    out.write_var_bytes(parent_info_.bytes());
    out.write_var_bytes(type_ref_.bytes());
    out.write_var_bytes(len_.bytes());
    out.write_bytes(rest_.bytes());
    return out.take();
  }

 private:
  Encoder rest_{256};
  uint64_t ds_curr_val_ = 0;
  uint64_t key_clock_next_ = 0;
  lib0::IntDiffOptRleEncoder key_clock_;
  lib0::UintOptRleEncoder client_;
  lib0::IntDiffOptRleEncoder left_clock_;
  lib0::IntDiffOptRleEncoder right_clock_;
  lib0::RleU8Encoder info_;
  lib0::StringEncoder string_;
  lib0::RleU8Encoder parent_info_;
  lib0::UintOptRleEncoder type_ref_;
  lib0::UintOptRleEncoder len_;
};

}  // namespace

std::unique_ptr<UpdateEncoder> make_update_encoder_v2() {
  return std::make_unique<UpdateEncoderV2>();
}

UpdateDecoderV2::UpdateDecoderV2(std::span<const uint8_t> update)
    : rest_(update),
      feature_flag_(rest_.read_var_uint()),
      key_clock_(column(), "key clock"),
      client_(column(), "client"),
      left_clock_(column(), "left clock"),
      right_clock_(column(), "right clock"),
      info_(column(), "info"),
      string_(column(), "string"),
      parent_info_(column(), "parent info"),
      type_ref_(column(), "type ref"),
      len_(column(), "length") {}

std::string UpdateDecoderV2::read_key() {
  // UpdateDecoderV2.readKey: a key clock below the number of keys seen names a seen key;
  // any other reads the next string (which becomes keys[keys.length], whatever the clock).
  const int64_t key_clock = key_clock_.read();
  if (key_clock < 0) rest_.fail("negative key clock " + std::to_string(key_clock));
  if (static_cast<uint64_t>(key_clock) < keys_.size()) return keys_[static_cast<size_t>(key_clock)];
  std::string key = string_.read();
  keys_.push_back(key);
  return key;
}

Decoder UpdateDecoderV2::column() {
  auto b = rest_.read_var_bytes();
  return Decoder(b, rest_.pos() - b.size());
}

uint64_t UpdateDecoderV2::clock(int64_t v, const char* what) {
  if (v < 0 || static_cast<uint64_t>(v) > kMaxSafeInteger) {
    rest_.fail(std::string(what) + " " + std::to_string(v) + " out of range");
  }
  return static_cast<uint64_t>(v);
}

std::unique_ptr<UpdateDecoder> make_update_decoder_v2(std::span<const uint8_t> update) {
  return std::make_unique<UpdateDecoderV2>(update);
}

}  // namespace tandem::crdt::detail
