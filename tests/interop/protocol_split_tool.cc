// The C++ half of the interop_protocol_split test: cuts each document of
// tests/fixtures/protocol/split_inputs.json at each of its caps with split_sync_step2 and writes
// the messages for verify_protocol_split.mjs, which applies them to a fresh Y.Doc with real Yjs.
//
//   protocol_split_tool INPUTS.json OUT.json
//   OUT.json: { "splits": [ { "name", "cap", "messages": [hex, ...] } ] }
#include <boost/json.hpp>
#include <cstdio>
#include <string>
#include <vector>

#include "common/file_util.h"
#include "protocol/sync_split.h"

namespace {

std::vector<uint8_t> from_hex(std::string_view h) {
  std::vector<uint8_t> out(h.size() / 2);
  for (size_t i = 0; i < out.size(); ++i) {
    out[i] = static_cast<uint8_t>(std::stoi(std::string(h.substr(2 * i, 2)), nullptr, 16));
  }
  return out;
}

std::string to_hex(const std::vector<uint8_t>& b) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  s.reserve(2 * b.size());
  for (uint8_t c : b) {
    s.push_back(kHex[c >> 4]);
    s.push_back(kHex[c & 15]);
  }
  return s;
}

int fail(const std::string& what) {
  std::fprintf(stderr, "protocol_split_tool: %s\n", what.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) return fail("usage: protocol_split_tool INPUTS.json OUT.json");
  auto text = tandem::read_file(argv[1]);
  if (!text.ok()) return fail(text.error());
  boost::system::error_code ec;
  const boost::json::value inputs =
      boost::json::parse(std::string_view(reinterpret_cast<const char*>(text->data()), text->size()), ec);
  if (ec) return fail(std::string(argv[1]) + ": " + ec.message());

  boost::json::array splits;
  for (const auto& input : inputs.as_object().at("inputs").as_array()) {
    const auto& in = input.as_object();
    const std::vector<uint8_t> update = from_hex(in.at("update").as_string());
    for (const auto& cap : in.at("caps").as_array()) {
      auto messages = tandem::protocol::split_sync_step2(update, cap.to_number<size_t>());
      if (!messages.ok()) return fail(std::string(in.at("name").as_string()) + ": " + messages.error());
      boost::json::array hex;
      for (const auto& m : *messages) hex.emplace_back(to_hex(m));
      splits.push_back(boost::json::object{{"name", in.at("name")}, {"cap", cap}, {"messages", std::move(hex)}});
    }
  }
  const std::string out = boost::json::serialize(boost::json::object{{"splits", std::move(splits)}});
  const tandem::Status written = tandem::write_file(
      argv[2], std::span(reinterpret_cast<const uint8_t*>(out.data()), out.size()));
  if (!written.ok()) return fail(written.message());
  return 0;
}
