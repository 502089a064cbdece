// Tests of AwarenessRoom: a room replayed against y-websocket's relay on real y-protocols
// (tests/fixtures/protocol/awareness_room.json), then the rules y-websocket leaves open:
// ownership moving between connections, the per-connection cap, errors that apply nothing.
#include "protocol/awareness_room.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "crdt/lib0_encoding.h"
#include "protocol/fixtures_test_util.h"
#include "protocol/messages.h"

namespace tandem::protocol {
namespace {

using Bytes = std::vector<uint8_t>;
using test::hex_of;
using test::str_of;
using test::to_hex;

Bytes update_of(std::initializer_list<AwarenessEntry> entries) {
  return encode_awareness_update(std::vector<AwarenessEntry>(entries));
}
AwarenessEntry state(uint64_t client, uint64_t clock, std::string_view json) {
  return {client, clock, json, false};
}
AwarenessEntry gone(uint64_t client, uint64_t clock) { return {client, clock, "null", true}; }

//! The entries of an awareness message (empty for an empty message).
std::vector<std::tuple<uint64_t, uint64_t, std::string>> entries_of(const Bytes& message) {
  std::vector<std::tuple<uint64_t, uint64_t, std::string>> out;
  if (message.empty()) return out;
  auto m = parse_message(message);
  EXPECT_TRUE(m.ok() && m->kind == MessageKind::kAwareness);
  if (!m.ok()) return out;
  auto entries = parse_awareness_update(m->payload);
  EXPECT_TRUE(entries.ok());
  if (!entries.ok()) return out;
  for (const auto& e : *entries) out.emplace_back(e.client_id, e.clock, std::string(e.state_json));
  return out;
}
using Entries = std::vector<std::tuple<uint64_t, uint64_t, std::string>>;

Bytes apply_ok(AwarenessRoom& room, ConnectionId conn, const Bytes& update) {
  auto r = room.apply(conn, update);
  EXPECT_TRUE(r.ok()) << r.error();
  return r.ok() ? *r : Bytes{};
}

TEST(AwarenessRoom, RelaysAsYWebsocketDoes) {
  const auto fixtures = test::load_fixture("awareness_room.json");
  ASSERT_TRUE(fixtures.is_object());
  AwarenessRoom room;
  for (const auto& step : fixtures.as_object().at("steps").as_array()) {
    SCOPED_TRACE(str_of(step, "note"));
    const std::string op = str_of(step, "op");
    Bytes out;
    if (op == "apply") {
      out = apply_ok(room, step.as_object().at("conn").to_number<uint64_t>(), hex_of(step, "update"));
    } else if (op == "join") {
      out = room.encode_states();
    } else {
      out = room.remove_connection(step.as_object().at("conn").to_number<uint64_t>());
    }
    EXPECT_EQ(to_hex(out), str_of(step, "broadcast"));
  }
  EXPECT_EQ(room.size(), 0u);
}

TEST(AwarenessRoom, HigherClockWinsEqualClockOnlyRemoves) {
  AwarenessRoom room;
  EXPECT_EQ(entries_of(apply_ok(room, 1, update_of({state(5, 3, "{\"a\":1}")}))),
            (Entries{{5, 3, "{\"a\":1}"}}));
  EXPECT_TRUE(apply_ok(room, 1, update_of({state(5, 2, "{\"a\":2}")})).empty());  // older
  EXPECT_TRUE(apply_ok(room, 1, update_of({state(5, 3, "{\"a\":2}")})).empty());  // equal
  EXPECT_TRUE(apply_ok(room, 1, update_of({gone(5, 2)})).empty());                // older null
  EXPECT_EQ(entries_of(apply_ok(room, 1, update_of({gone(5, 3)}))), (Entries{{5, 3, "null"}}));
  EXPECT_EQ(room.size(), 0u);
  EXPECT_TRUE(apply_ok(room, 1, update_of({gone(5, 3)})).empty());  // already removed
  EXPECT_TRUE(room.encode_states().empty());
  // Back at a higher clock: an update of a known client.
  EXPECT_EQ(entries_of(apply_ok(room, 1, update_of({state(5, 4, "{}")}))), (Entries{{5, 4, "{}"}}));
}

TEST(AwarenessRoom, BroadcastListsAddedThenUpdatedThenRemoved) {
  AwarenessRoom room;
  apply_ok(room, 1, update_of({state(1, 1, "1"), state(2, 1, "2")}));
  const Bytes out = apply_ok(room, 1, update_of({gone(1, 1), state(2, 2, "22"), state(3, 1, "3")}));
  EXPECT_EQ(entries_of(out), (Entries{{3, 1, "3"}, {2, 2, "22"}, {1, 1, "null"}}));
}

TEST(AwarenessRoom, NewcomerGetsStatesInTheOrderTheyAppeared) {
  AwarenessRoom room;
  apply_ok(room, 1, update_of({state(9, 1, "\"nine\"")}));
  apply_ok(room, 2, update_of({state(4, 1, "\"four\"")}));
  apply_ok(room, 1, update_of({state(9, 2, "\"nine again\"")}));  // keeps its place
  EXPECT_EQ(entries_of(room.encode_states()), (Entries{{9, 2, "\"nine again\""}, {4, 1, "\"four\""}}));
}

TEST(AwarenessRoom, CloseRemovesOwnedClientsAtClockPlusOneAndForgetsThem) {
  AwarenessRoom room;
  apply_ok(room, 1, update_of({state(7, 4, "{}"), state(8, 1, "{}")}));
  apply_ok(room, 2, update_of({state(9, 1, "{}")}));
  EXPECT_EQ(room.owned_by(1), 2u);
  EXPECT_EQ(entries_of(room.remove_connection(1)), (Entries{{7, 5, "null"}, {8, 2, "null"}}));
  EXPECT_EQ(room.owned_by(1), 0u);
  EXPECT_EQ(room.size(), 1u);
  EXPECT_TRUE(room.remove_connection(1).empty());   // twice
  EXPECT_TRUE(room.remove_connection(42).empty());  // never seen
  // Forgotten: the same client reconnecting with its old clock is accepted again.
  EXPECT_EQ(entries_of(apply_ok(room, 3, update_of({state(7, 4, "{}")}))), (Entries{{7, 4, "{}"}}));
}

TEST(AwarenessRoom, CloseOfARemovedClientSaysNothing) {
  AwarenessRoom room;
  apply_ok(room, 1, update_of({state(7, 1, "{}")}));
  apply_ok(room, 1, update_of({gone(7, 2)}));  // the provider's unload message
  EXPECT_EQ(room.owned_by(1), 1u);
  EXPECT_TRUE(room.remove_connection(1).empty());
  EXPECT_EQ(room.owned_by(1), 0u);
}

TEST(AwarenessRoom, CloseAtTheLargestClockStaysInRange) {
  AwarenessRoom room;
  apply_ok(room, 1, update_of({state(7, crdt::kMaxSafeInteger, "{}")}));
  EXPECT_EQ(entries_of(room.remove_connection(1)), (Entries{{7, crdt::kMaxSafeInteger, "null"}}));
}

TEST(AwarenessRoom, OwnershipMovesToTheConnectionThatSetTheState) {
  // A client reconnects before its old connection is noticed closed: closing the old one
  // must not remove the state the new one set.
  AwarenessRoom room;
  apply_ok(room, 1, update_of({state(7, 3, "\"old\"")}));
  apply_ok(room, 2, update_of({state(7, 4, "\"new\"")}));
  EXPECT_EQ(room.owned_by(1), 0u);
  EXPECT_EQ(room.owned_by(2), 1u);
  EXPECT_TRUE(room.remove_connection(1).empty());
  EXPECT_EQ(entries_of(room.encode_states()), (Entries{{7, 4, "\"new\""}}));
  EXPECT_EQ(entries_of(room.remove_connection(2)), (Entries{{7, 5, "null"}}));
}

TEST(AwarenessRoom, AnotherConnectionsNullKeepsTheOwner) {
  AwarenessRoom room;
  apply_ok(room, 1, update_of({state(7, 3, "{}")}));
  EXPECT_EQ(entries_of(apply_ok(room, 2, update_of({gone(7, 3)}))), (Entries{{7, 3, "null"}}));
  EXPECT_EQ(room.owned_by(1), 1u);
  EXPECT_EQ(room.owned_by(2), 0u);
  apply_ok(room, 1, update_of({state(7, 4, "{}")}));  // renewal brings it back
  EXPECT_EQ(entries_of(room.remove_connection(1)), (Entries{{7, 5, "null"}}));
}

TEST(AwarenessRoom, NullForAnUnknownClientIsNotRemembered) {
  AwarenessRoom room;
  EXPECT_TRUE(apply_ok(room, 1, update_of({gone(7, 9)})).empty());
  EXPECT_EQ(room.owned_by(1), 0u);
  EXPECT_EQ(entries_of(apply_ok(room, 1, update_of({state(7, 2, "{}")}))), (Entries{{7, 2, "{}"}}));
}

TEST(AwarenessRoom, PerConnectionCap) {
  AwarenessRoom room;
  std::vector<AwarenessEntry> many;
  for (uint64_t id = 1; id <= kMaxAwarenessClientsPerConnection; ++id) many.push_back(state(id, 1, "{}"));
  ASSERT_FALSE(apply_ok(room, 1, encode_awareness_update(many)).empty());
  EXPECT_EQ(room.owned_by(1), kMaxAwarenessClientsPerConnection);
  // Renewing what it owns is fine; one more is not, and nothing of that update is applied.
  EXPECT_FALSE(apply_ok(room, 1, update_of({state(1, 2, "{}")})).empty());
  auto over = room.apply(1, update_of({state(2, 2, "\"changed\""), state(1000, 1, "{}")}));
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.error(), "awareness update: the connection would own more than 16 client ids");
  EXPECT_EQ(room.size(), kMaxAwarenessClientsPerConnection);
  EXPECT_EQ(std::get<1>(entries_of(room.encode_states())[1]), 1u) << "client 2 unchanged";
  // Removing its own clients and other connections' nulls do not count.
  EXPECT_TRUE(room.apply(1, update_of({gone(1, 2), gone(500, 1)})).ok());
  // Another connection has its own allowance.
  EXPECT_TRUE(room.apply(2, update_of({state(1000, 1, "{}")})).ok());
}

TEST(AwarenessRoom, CapCountsRepeatedIdsOnce) {
  AwarenessRoom room;
  std::vector<AwarenessEntry> repeated;
  for (uint64_t clock = 1; clock <= 3 * kMaxAwarenessClientsPerConnection; ++clock) {
    repeated.push_back(state(77, clock, "{}"));
  }
  EXPECT_TRUE(room.apply(1, encode_awareness_update(repeated)).ok());
  EXPECT_EQ(room.owned_by(1), 1u);
}

TEST(AwarenessRoom, MalformedUpdateChangesNothing) {
  AwarenessRoom room;
  apply_ok(room, 1, update_of({state(1, 1, "{}")}));
  Bytes bad = update_of({state(1, 2, "{\"x\":2}"), state(2, 1, "{")});
  auto r = room.apply(1, bad);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("client 2: state is not JSON"), std::string::npos) << r.error();
  EXPECT_EQ(entries_of(room.encode_states()), (Entries{{1, 1, "{}"}}));
  EXPECT_FALSE(room.apply(1, Bytes{}).ok());
  EXPECT_FALSE(room.apply(1, Bytes{5, 1}).ok());
}

TEST(AwarenessRoom, ZeroClockFromAnUnknownClientIsIgnored) {
  AwarenessRoom room;  // y-protocols: the unknown clock is 0 and 0 < 0 fails
  EXPECT_TRUE(apply_ok(room, 1, update_of({state(1, 0, "{}")})).empty());
  EXPECT_EQ(room.size(), 0u);
  EXPECT_EQ(room.owned_by(1), 0u);
}

}  // namespace
}  // namespace tandem::protocol
