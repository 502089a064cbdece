// The two column codecs of Yjs's update formats: v1 (everything in one lib0 stream) and v2
// (columns with run-length/diff encoders). Mirrors yjs src/utils/UpdateEncoder.js and
// UpdateDecoder.js method for method, so that the struct-level code (update_format.cc,
// update_ops.cc) is written once over these interfaces. Format: docs/crdt.md, "Update format".
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "crdt/any.h"
#include "crdt/id.h"
#include "crdt/lib0_encoding.h"

namespace tandem::crdt {

enum class UpdateVersion : uint8_t { V1 = 1, V2 = 2 };

//! Writes one update (structs then delete set). Single-use: write, then call finish() once.
class UpdateEncoder {
 public:
  virtual ~UpdateEncoder() = default;
  virtual UpdateVersion version() const = 0;
  // Delete-set part.
  virtual void reset_ds_cur_val() = 0;
  virtual void write_ds_clock(uint64_t clock) = 0;
  virtual void write_ds_len(uint64_t len) = 0;  // REQUIRES: len > 0
  // Struct part.
  virtual void write_left_id(ID id) = 0;
  virtual void write_right_id(ID id) = 0;
  virtual void write_client(uint64_t client) = 0;
  virtual void write_info(uint8_t info) = 0;
  virtual void write_string(std::string_view s) = 0;
  virtual void write_parent_info(bool is_y_key) = 0;
  virtual void write_type_ref(uint8_t ref) = 0;
  virtual void write_len(uint64_t len) = 0;
  virtual void write_any(const Any& v) = 0;
  virtual void write_buf(std::span<const uint8_t> buf) = 0;
  //! v1: JSON text (js_stringify); v2: Any.
  virtual void write_json(const Any& v) = 0;
  virtual void write_key(std::string_view key) = 0;
  //! The plain lib0 stream (v1: everything; v2: the "rest" column). Struct counts, client ids
  //! and clocks of the struct headers and the whole delete set go here.
  virtual Encoder& rest() = 0;
  //! The finished update bytes.
  virtual std::vector<uint8_t> finish() = 0;
};

//! Reads one update. Throws DecodeError on malformed input (see lib0_encoding.h).
class UpdateDecoder {
 public:
  virtual ~UpdateDecoder() = default;
  virtual UpdateVersion version() const = 0;
  virtual void reset_ds_cur_val() = 0;
  virtual uint64_t read_ds_clock() = 0;
  virtual uint64_t read_ds_len() = 0;
  virtual ID read_left_id() = 0;
  virtual ID read_right_id() = 0;
  virtual uint64_t read_client() = 0;
  virtual uint8_t read_info() = 0;
  virtual std::string read_string() = 0;
  //! read_string, with the string's length in UTF-16 units.
  virtual std::string read_string(uint64_t& utf16_units) = 0;
  virtual bool read_parent_info() = 0;
  virtual uint8_t read_type_ref() = 0;
  virtual uint64_t read_len() = 0;
  //! An Any and a byte array come from the rest stream in both formats.
  Any read_any() { return rest().read_any(); }
  std::vector<uint8_t> read_buf() {
    auto b = rest().read_var_bytes();
    return {b.begin(), b.end()};
  }
  //! v1: JSON text parsed (js_parse); v2: Any.
  virtual Any read_json() = 0;
  virtual std::string read_key() = 0;
  virtual Decoder& rest() = 0;

  //! Size of the whole update in bytes (bounds how many structs it may describe).
  size_t input_size() const { return input_size_; }
  void set_input_size(size_t n) { input_size_ = n; }

 private:
  size_t input_size_ = 0;
};

std::unique_ptr<UpdateEncoder> make_update_encoder(UpdateVersion v);
//! The decoder reads from `update`, which must outlive it. v2 reads its column header here
//! (throws DecodeError if malformed).
std::unique_ptr<UpdateDecoder> make_update_decoder(UpdateVersion v, std::span<const uint8_t> update);

}  // namespace tandem::crdt
