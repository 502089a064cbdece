// Test support: the fixtures of tests/fixtures/protocol (written by real y-protocols, see
// tests/interop/gen_protocol_fixtures.mjs), read as Boost.JSON values, bytes as hex.
#pragma once

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "common/file_util.h"
#include "crdt/hex_test_util.h"

namespace tandem::protocol::test {

using crdt::test_hex::from_hex;
using crdt::test_hex::to_hex;

//! tests/fixtures/protocol/NAME parsed; fails the test (and returns null) if it cannot be read.
inline boost::json::value load_fixture(const std::string& name) {
  const std::string path = std::string(TANDEM_SOURCE_DIR) + "/tests/fixtures/protocol/" + name;
  auto bytes = read_file(path);
  if (!bytes.ok()) {
    ADD_FAILURE() << bytes.error();
    return nullptr;
  }
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(
      std::string_view(reinterpret_cast<const char*>(bytes->data()), bytes->size()), ec);
  if (ec) ADD_FAILURE() << path << ": " << ec.message();
  return v;
}

//! The bytes of a hex string member.
inline std::vector<uint8_t> hex_of(const boost::json::value& object, const char* key) {
  return from_hex(std::string(object.as_object().at(key).as_string()));
}

inline std::string str_of(const boost::json::value& object, const char* key) {
  return std::string(object.as_object().at(key).as_string());
}

}  // namespace tandem::protocol::test
