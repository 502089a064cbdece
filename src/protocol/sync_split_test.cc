// Tests of split_sync_step2: the documents of tests/fixtures/protocol/split_inputs.json (made
// by real Yjs) cut at several caps; every part is a message under the cap, and applying the
// parts in order gives the document the whole update gives (checked here with Tandem's Doc,
// which is byte-identical to Yjs, and by real Yjs in the interop_protocol_split test).
#include "protocol/sync_split.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "crdt/doc.h"
#include "crdt/lib0_encoding.h"
#include "crdt/struct_ref.h"
#include "crdt/text.h"
#include "crdt/update_codec.h"
#include "crdt/update_ops.h"
#include "protocol/fixtures_test_util.h"
#include "protocol/messages.h"

namespace tandem::protocol {
namespace {

using Bytes = std::vector<uint8_t>;
using test::hex_of;
using test::str_of;
using test::to_hex;

//! Number of structs in a v1 update, and whether its delete set is empty.
std::pair<size_t, bool> struct_count(std::span<const uint8_t> update) {
  auto dec = crdt::make_update_decoder(crdt::UpdateVersion::V1, update);
  size_t n = 0;
  for (const auto& section : crdt::read_struct_section(*dec)) n += section.structs.size();
  return {n, dec->rest().read_var_uint() == 0};
}

//! Checks the messages carry `update`: kinds, caps, and the document they build.
void check_split(const Bytes& update, const std::vector<Bytes>& messages, size_t cap) {
  ASSERT_FALSE(messages.empty());
  crdt::Doc from_parts;
  for (size_t i = 0; i < messages.size(); ++i) {
    SCOPED_TRACE("message " + std::to_string(i));
    auto m = parse_message(messages[i]);
    ASSERT_TRUE(m.ok()) << m.error();
    EXPECT_EQ(m->kind, i + 1 == messages.size() ? MessageKind::kSyncStep2 : MessageKind::kSyncUpdate);
    if (messages[i].size() > cap) {
      // Only a struct that cannot be cut goes over, alone.
      const auto [structs, no_deletes] = struct_count(m->payload);
      EXPECT_EQ(structs, 1u) << messages[i].size() << " bytes over a cap of " << cap;
      EXPECT_TRUE(no_deletes);
    }
    const Status s = from_parts.apply_update(m->payload);
    ASSERT_TRUE(s.ok()) << s.message();
  }
  crdt::Doc whole;
  ASSERT_TRUE(whole.apply_update(update).ok());
  EXPECT_EQ(from_parts.has_pending(), whole.has_pending());
  EXPECT_EQ(to_hex(from_parts.encode_state_vector()), to_hex(whole.encode_state_vector()));
  // Pending structs are kept as Yjs merges them, which depends on how they arrived.
  if (whole.has_pending()) return;
  EXPECT_EQ(to_hex(from_parts.encode_state_as_update()), to_hex(whole.encode_state_as_update()));
}

TEST(SyncSplit, FixtureDocumentsAtEveryCap) {
  const auto fixtures = test::load_fixture("split_inputs.json");
  ASSERT_TRUE(fixtures.is_object());
  for (const auto& input : fixtures.as_object().at("inputs").as_array()) {
    const Bytes update = hex_of(input, "update");
    for (const auto& cap_value : input.as_object().at("caps").as_array()) {
      const size_t cap = cap_value.to_number<size_t>();
      SCOPED_TRACE(str_of(input, "name") + " at " + std::to_string(cap));
      auto messages = split_sync_step2(update, cap);
      ASSERT_TRUE(messages.ok()) << messages.error();
      EXPECT_GT(messages->size(), 1u);
      check_split(update, *messages, cap);
    }
  }
}

TEST(SyncSplit, OversizedPartsOnlyForUncuttableStructs) {
  const auto fixtures = test::load_fixture("split_inputs.json");
  for (const auto& input : fixtures.as_object().at("inputs").as_array()) {
    const Bytes update = hex_of(input, "update");
    auto messages = split_sync_step2(update, 1024);
    ASSERT_TRUE(messages.ok());
    size_t over = 0;
    for (const Bytes& m : *messages) over += m.size() > 1024;
    // arrays_and_binary: a 2000-byte binary and a 1500-character map value.
    EXPECT_EQ(over, str_of(input, "name") == "arrays_and_binary" ? 2u : 0u) << str_of(input, "name");
  }
}

TEST(SyncSplit, AnUpdateThatFitsIsOneSyncStep2) {
  const Bytes update = {1, 1, 7, 0, 4, 1, 4, 't', 'e', 'x', 't', 2, 'h', 'i', 0};
  auto messages = split_sync_step2(update, kMinSyncMessageBytes);
  ASSERT_TRUE(messages.ok());
  ASSERT_EQ(messages->size(), 1u);
  EXPECT_EQ(to_hex((*messages)[0]), to_hex(encode_sync_step2(update)));
}

TEST(SyncSplit, CapUnderTheMinimum) {
  auto r = split_sync_step2(Bytes{0, 0}, kMinSyncMessageBytes - 1);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), "split_sync_step2: a cap of 255 bytes is under the minimum of 256");
}

TEST(SyncSplit, MalformedUpdate) {
  Bytes update = {1, 1, 7, 0, 4, 1, 4, 't', 'e', 'x', 't', 0x7F};  // string past the end
  update.resize(600, 'a');
  update[11] = 0xFF;
  update[12] = 0x0F;
  auto r = split_sync_step2(update, kMinSyncMessageBytes);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().rfind("split_sync_step2: ", 0), 0u) << r.error();
  EXPECT_NE(r.error().find("at byte 11"), std::string::npos) << r.error();
  const Bytes garbage(1000, 0xFF);
  EXPECT_FALSE(split_sync_step2(garbage, 300).ok());
}

//! The state of a document whose text root "t" holds `text`.
Bytes text_state(crdt::ClientId client, const std::string& text) {
  crdt::Doc doc({.client_id = client});
  doc.transact([&](crdt::Transaction& t) {
    EXPECT_TRUE(crdt::text_insert(t, doc.get("t", crdt::TypeKind::Text), 0, text).ok());
  });
  return doc.encode_state_as_update();
}

TEST(SyncSplit, NeverCutsASurrogatePair) {
  std::string emoji;
  for (int i = 0; i < 400; ++i) emoji += i % 3 ? "😀" : "é";  // 4- and 2-byte sequences
  for (size_t cap : {256u, 257u, 258u, 259u, 300u, 301u}) {
    const Bytes update = text_state(5, emoji);
    auto messages = split_sync_step2(update, cap);
    ASSERT_TRUE(messages.ok());
    for (const Bytes& m : *messages) EXPECT_LE(m.size(), cap);
    check_split(update, *messages, cap);
  }
}

TEST(SyncSplit, KeepsSkipsOfMergedUpdatesAndPendingStructs) {
  crdt::Doc doc({.client_id = 9});
  std::vector<Bytes> edits;
  doc.on_update([&](std::span<const uint8_t> u, crdt::Origin, crdt::Transaction&) {
    edits.emplace_back(u.begin(), u.end());
  });
  crdt::Type* t = doc.get("t", crdt::TypeKind::Text);
  for (int i = 0; i < 3; ++i) {
    doc.transact([&](crdt::Transaction& tr) {
      ASSERT_TRUE(crdt::text_insert(tr, t, 0, std::string(400, static_cast<char>('a' + i))).ok());
    });
  }
  ASSERT_EQ(edits.size(), 3u);
  // edits 0 and 2 merged: a Skip where edit 1 would be; edit 2 waits for it.
  auto merged = crdt::merge_updates({edits[0], edits[2]});
  ASSERT_TRUE(merged.ok());
  auto messages = split_sync_step2(*merged, 256);
  ASSERT_TRUE(messages.ok()) << messages.error();
  check_split(*merged, *messages, 256);
  crdt::Doc from_parts;
  for (const Bytes& m : *messages) ASSERT_TRUE(from_parts.apply_update(parse_message(m)->payload).ok());
  EXPECT_TRUE(from_parts.has_pending());
  ASSERT_TRUE(from_parts.apply_update(edits[1]).ok());
  EXPECT_FALSE(from_parts.has_pending());
  EXPECT_EQ(to_hex(from_parts.encode_state_as_update()), to_hex(doc.encode_state_as_update()));
}

TEST(SyncSplit, DeleteSetAloneLargerThanACap) {
  crdt::Doc doc({.client_id = 3, .gc = false});
  crdt::Type* t = doc.get("t", crdt::TypeKind::Text);
  doc.transact([&](crdt::Transaction& tr) { ASSERT_TRUE(crdt::text_insert(tr, t, 0, std::string(2000, 'x')).ok()); });
  for (uint64_t i = 1000; i > 0; --i) {
    doc.transact([&](crdt::Transaction& tr) { ASSERT_TRUE(crdt::text_delete(tr, t, 2 * i - 1, 1).ok()); });
  }
  const Bytes state = doc.encode_state_as_update();
  // Against the full state vector: no structs, only the delete set of 1000 ranges.
  const Bytes deletes_only = doc.encode_state_as_update(doc.state_vector());
  for (const Bytes* update : {&state, &deletes_only}) {
    auto messages = split_sync_step2(*update, 256);
    ASSERT_TRUE(messages.ok());
    EXPECT_GT(messages->size(), 5u);
    for (const Bytes& m : *messages) EXPECT_LE(m.size(), 256u);
    check_split(*update, *messages, 256);
  }
}

TEST(SyncSplit, CutsLegacyJsonItems) {
  // Yjs no longer writes ContentJSON (ref 2) but still reads it: one item of 300 values in the
  // array root "arr", as an old document may hold it.
  crdt::Encoder enc;
  for (uint64_t v : {1, 1, 5, 0}) enc.write_var_uint(v);  // 1 client: 1 struct, client 5, clock 0
  enc.write_u8(2);                                          // info: JSON content, no origins
  enc.write_var_uint(1);                                    // parent is a root, by name
  enc.write_var_string("arr");
  enc.write_var_uint(300);
  for (int i = 0; i < 300; ++i) enc.write_var_string(i % 7 ? "{\"n\":" + std::to_string(i) + "}" : "undefined");
  enc.write_var_uint(0);  // empty delete set
  const Bytes update = enc.take();
  for (size_t cap : {256u, 700u}) {
    auto messages = split_sync_step2(update, cap);
    ASSERT_TRUE(messages.ok()) << messages.error();
    EXPECT_GT(messages->size(), 3u);
    for (const Bytes& m : *messages) EXPECT_LE(m.size(), cap);
    check_split(update, *messages, cap);
  }
}

}  // namespace
}  // namespace tandem::protocol
