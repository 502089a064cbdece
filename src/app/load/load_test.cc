// Unit tests of the load generator's pure parts: the latency histogram, the edit ledger and
// the two dialects' framing (Hocuspocus's bytes as @hocuspocus/server 4.7 reads and writes them).
#include <gtest/gtest.h>

#include "app/load/edit_ledger.h"
#include "app/load/framing.h"
#include "app/load/latency_histogram.h"

namespace tandem::load {
namespace {

using Bytes = std::vector<uint8_t>;

// Byte by byte: GCC 12's -Warray-bounds misfires on vector::insert into tiny vectors.
Bytes concat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const auto& p : parts) {
    for (uint8_t b : p) out.push_back(b);
  }
  return out;
}
Bytes var_string(std::string_view s) {
  Bytes out;
  out.push_back(static_cast<uint8_t>(s.size()));
  for (char c : s) out.push_back(static_cast<uint8_t>(c));
  return out;
}

TEST(LatencyHistogram, PercentilesWithinABucket) {
  LatencyHistogram h;
  for (int64_t us = 1; us <= 1000; ++us) h.record(us * 1000);
  EXPECT_EQ(h.count(), 1000u);
  EXPECT_EQ(h.max_ns(), 1'000'000);
  EXPECT_NEAR(static_cast<double>(h.percentile_ns(0.5)), 500'000, 500'000 * 0.02);
  EXPECT_NEAR(static_cast<double>(h.percentile_ns(0.99)), 990'000, 990'000 * 0.02);
  EXPECT_LE(h.percentile_ns(1.0), h.max_ns());
  h.reset();
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.percentile_ns(0.99), 0);
}

TEST(LatencyHistogram, SmallAndHugeValues) {
  LatencyHistogram h;
  h.record(-5);
  h.record(3);
  h.record(int64_t{1} << 50);
  EXPECT_EQ(h.count(), 3u);
  EXPECT_EQ(h.percentile_ns(0.0), 0);
  EXPECT_EQ(h.max_ns(), int64_t{1} << 50);
}

TEST(EditLedger, DeliveriesByClockRange) {
  EditLedger ledger;
  ledger.record_sent(7, 0, 1, 100);
  ledger.record_sent(7, 1, 2, 200);
  ledger.record_sent(7, 2, 4, 300);  // an edit of two clocks (a replacement)
  EXPECT_EQ(ledger.sent(7), 3u);
  EXPECT_EQ(ledger.missing(7, 0), 3u);
  // A merged update bringing clocks 0..1: the first two edits.
  // (It arrived at 600, was integrated at 1000.)
  EXPECT_EQ(ledger.on_integrated(7, 0, 2, std::optional<int64_t>(600), 1000), 2u);
  EXPECT_EQ(ledger.missing(7, 2), 1u);
  // Part of an edit's range is not its delivery; the whole range is.
  EXPECT_EQ(ledger.on_integrated(7, 2, 3, std::optional<int64_t>(900), 1000), 0u);
  // Without the kernel's stamp the arrival counts as the integration.
  EXPECT_EQ(ledger.on_integrated(7, 3, 4, std::nullopt, 1300), 1u);
  EXPECT_EQ(ledger.missing(7, 4), 0u);
  EXPECT_EQ(ledger.deliveries(), 3u);
  EXPECT_EQ(ledger.latency().max_ns(), 1000);          // sent at 300, integrated at 1300
  EXPECT_EQ(ledger.arrival_latency().max_ns(), 1000);  // the same: no stamp
  EXPECT_NEAR(ledger.arrival_latency().percentile_ns(0.0), 400, 400 * 0.02);  // sent at 200, arrived at 600
  EXPECT_EQ(ledger.stamped_deliveries(), 2u);
  EXPECT_EQ(ledger.on_integrated(8, 0, 5, std::nullopt, 1000), 0u);  // not an author
  ledger.reset_window();
  EXPECT_EQ(ledger.deliveries(), 0u);
  EXPECT_EQ(ledger.arrival_latency().max_ns(), 0);
  EXPECT_EQ(ledger.stamped_deliveries(), 0u);
  EXPECT_EQ(ledger.sent(7), 3u);
}

TEST(Framing, HocuspocusOpeningIsAuthThenSyncStep1) {
  Framing f(Dialect::kHocuspocus, "doc-1");
  const Bytes sv{0};  // an empty state vector
  auto opening = f.opening(sv);
  ASSERT_EQ(opening.size(), 2u);
  // [name, 2 (auth), 0 (token), "" (no token), provider version]
  EXPECT_EQ(opening[0], concat({var_string("doc-1"), {2, 0}, var_string(""), var_string("tandem-load")}));
  // [name, 0 (sync), 0 (step 1), var-uint8array state vector]
  EXPECT_EQ(opening[1], concat({var_string("doc-1"), {0, 0, 1, 0}}));
  EXPECT_EQ(f.update(Bytes{9, 9}), concat({var_string("doc-1"), {0, 2, 2, 9, 9}}));
  EXPECT_EQ(f.keepalive(), concat({var_string("doc-1"), {5}, var_string("")}));
}

TEST(Framing, HocuspocusParsesServerMessages) {
  Framing f(Dialect::kHocuspocus, "d");
  auto authenticated = f.parse(concat({var_string("d"), {2, 2}, var_string("read-write")}));
  ASSERT_TRUE(authenticated.ok()) << authenticated.error();
  EXPECT_EQ(authenticated->kind, IncomingKind::kAuthenticated);
  // The result points into the message: keep it alive.
  const Bytes denied_bytes = concat({var_string("d"), {2, 1}, var_string("nope")});
  auto denied = f.parse(denied_bytes);
  ASSERT_TRUE(denied.ok());
  EXPECT_EQ(denied->kind, IncomingKind::kDenied);
  EXPECT_EQ(denied->text, "nope");
  auto reply_step1 = f.parse(concat({var_string("d"), {4, 0, 1, 0}}));  // sync reply, step 1
  ASSERT_TRUE(reply_step1.ok());
  EXPECT_EQ(reply_step1->kind, IncomingKind::kSyncStep1);
  EXPECT_EQ(reply_step1->payload.size(), 1u);
  auto update = f.parse(concat({var_string("d"), {0, 2, 3, 1, 2, 3}}));
  ASSERT_TRUE(update.ok());
  EXPECT_EQ(update->kind, IncomingKind::kUpdate);
  EXPECT_EQ(update->payload.size(), 3u);
  auto status = f.parse(concat({var_string("d"), {8, 1}}));
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->kind, IncomingKind::kSyncStatus);
  const Bytes close_bytes = concat({var_string("d"), {7}, var_string("bye")});
  auto close = f.parse(close_bytes);
  ASSERT_TRUE(close.ok());
  EXPECT_EQ(close->kind, IncomingKind::kClose);
  EXPECT_EQ(close->text, "bye");
}

TEST(Framing, HocuspocusRejectsBadMessages) {
  Framing f(Dialect::kHocuspocus, "d");
  EXPECT_FALSE(f.parse(concat({var_string("other"), {8, 1}})).ok());  // another document
  EXPECT_FALSE(f.parse(concat({var_string("d"), {42}})).ok());        // unknown type
  EXPECT_FALSE(f.parse(concat({var_string("d"), {0, 2, 5, 1}})).ok()); // truncated update
  EXPECT_FALSE(f.parse(Bytes{9, 'd'}).ok());                          // truncated name
}

TEST(Framing, YwsIsPlainYProtocols) {
  Framing f(Dialect::kYws, "ignored");
  EXPECT_EQ(f.update(Bytes{9, 9}), (Bytes{0, 2, 2, 9, 9}));
  EXPECT_EQ(f.opening(Bytes{0}), (std::vector<Bytes>{{0, 0, 1, 0}}));
  EXPECT_TRUE(f.keepalive().empty());
  auto step2 = f.parse(Bytes{0, 1, 2, 0, 0});
  ASSERT_TRUE(step2.ok()) << step2.error();
  EXPECT_EQ(step2->kind, IncomingKind::kSyncStep2);
  EXPECT_FALSE(f.parse(Bytes{0, 7}).ok());
  EXPECT_EQ(parse_dialect("hocuspocus").value(), Dialect::kHocuspocus);
  EXPECT_FALSE(parse_dialect("websocket").ok());
}

}  // namespace
}  // namespace tandem::load
