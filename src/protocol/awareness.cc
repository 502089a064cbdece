#include "protocol/awareness.h"

#include <boost/json/basic_parser_impl.hpp>
#include <string>

#include "crdt/lib0_encoding.h"
#include "crdt/lib0_utf8.h"
#include "protocol/var_uint.h"

namespace tandem::protocol {

namespace {

using boost::json::error_code;
using boost::json::string_view;
using detail::put_var_uint;
using detail::var_uint_size;

//! A Boost.JSON SAX handler that builds nothing: it accepts every well-formed document and
//! notes whether the top-level value is null. Nesting is bounded by the parser's max_depth.
struct ValidatingHandler {
  static constexpr std::size_t max_array_size = std::size_t(-1);
  static constexpr std::size_t max_object_size = std::size_t(-1);
  static constexpr std::size_t max_string_size = std::size_t(-1);
  static constexpr std::size_t max_key_size = std::size_t(-1);

  size_t depth = 0;
  bool top_level_null = false;

  bool on_document_begin(error_code&) { return true; }
  bool on_document_end(error_code&) { return true; }
  bool on_array_begin(error_code&) { return ++depth, true; }
  bool on_array_end(std::size_t, error_code&) { return --depth, true; }
  bool on_object_begin(error_code&) { return ++depth, true; }
  bool on_object_end(std::size_t, error_code&) { return --depth, true; }
  bool on_string_part(string_view, std::size_t, error_code&) { return true; }
  bool on_string(string_view, std::size_t, error_code&) { return true; }
  bool on_key_part(string_view, std::size_t, error_code&) { return true; }
  bool on_key(string_view, std::size_t, error_code&) { return true; }
  bool on_number_part(string_view, error_code&) { return true; }
  bool on_int64(int64_t, string_view, error_code&) { return true; }
  bool on_uint64(uint64_t, string_view, error_code&) { return true; }
  bool on_double(double, string_view, error_code&) { return true; }
  bool on_bool(bool, error_code&) { return true; }
  bool on_null(error_code&) {
    if (depth == 0) top_level_null = true;
    return true;
  }
  bool on_comment_part(string_view, error_code&) { return true; }
  bool on_comment(string_view, error_code&) { return true; }
};

// The smallest entry: a one-byte id, a one-byte clock and a one-byte JSON text ("0").
constexpr size_t kMinEntryBytes = 4;

}  // namespace

Result<bool> validate_awareness_state(std::string_view state_json) {
  if (state_json.size() > kMaxAwarenessStateBytes) {
    return Status::Error("state of " + std::to_string(state_json.size()) + " bytes, over the cap of " +
                         std::to_string(kMaxAwarenessStateBytes));
  }
  boost::json::parse_options options;  // strict JSON: no comments, no trailing commas, UTF-8
  options.max_depth = kMaxAwarenessStateDepth;
  boost::json::basic_parser<ValidatingHandler> parser(options);
  error_code ec;
  const size_t used = parser.write_some(false, state_json.data(), state_json.size(), ec);
  if (ec) {
    return Status::Error("state is not JSON (" + ec.message() + " at byte " + std::to_string(used) + ")");
  }
  if (used != state_json.size()) {
    return Status::Error("state is not JSON (extra data at byte " + std::to_string(used) + ")");
  }
  return parser.handler().top_level_null;
}

Result<std::vector<AwarenessEntry>> parse_awareness_update(std::span<const uint8_t> update) {
  crdt::Decoder d(update);
  std::vector<AwarenessEntry> entries;
  try {
    const uint64_t count = d.read_var_uint();
    if (count > d.remaining() / kMinEntryBytes) {
      d.fail_at("awareness entry count " + std::to_string(count) + " larger than the message", 0);
    }
    entries.reserve(static_cast<size_t>(count));
    for (uint64_t i = 0; i < count; ++i) {
      AwarenessEntry& e = entries.emplace_back();
      e.client_id = d.read_var_uint();
      e.clock = d.read_var_uint();
      const size_t state_at = d.pos();
      const auto bytes = d.read_var_bytes();
      e.state_json = {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
      if (const size_t bad = crdt::lib0::utf8_invalid_at(e.state_json); bad != bytes.size()) {
        d.fail_at("invalid UTF-8 in the state of client " + std::to_string(e.client_id),
                  state_at + var_uint_size(bytes.size()) + bad);
      }
      auto removed = validate_awareness_state(e.state_json);
      if (!removed.ok()) {
        d.fail_at("client " + std::to_string(e.client_id) + ": " + removed.error(), state_at);
      }
      e.removed = *removed;
    }
    if (d.has_content()) {
      d.fail(std::to_string(d.remaining()) + " trailing bytes");
    }
  } catch (const crdt::DecodeError& e) {
    return Status::Error(std::string("awareness update: ") + e.what());
  }
  return entries;
}

std::vector<uint8_t> encode_awareness_update(std::span<const AwarenessEntry> entries) {
  size_t size = var_uint_size(entries.size());
  for (const AwarenessEntry& e : entries) {
    size += var_uint_size(e.client_id) + var_uint_size(e.clock) +
            var_uint_size(e.state_json.size()) + e.state_json.size();
  }
  std::vector<uint8_t> out;
  out.reserve(size);
  put_var_uint(out, entries.size());
  for (const AwarenessEntry& e : entries) {
    put_var_uint(out, e.client_id);
    put_var_uint(out, e.clock);
    put_var_uint(out, e.state_json.size());
    out.insert(out.end(), e.state_json.begin(), e.state_json.end());
  }
  return out;
}

}  // namespace tandem::protocol
