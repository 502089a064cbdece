// Real editing histories (../shared/traces, CC BY 4.0 — see its PROVENANCE.md): replaying them
// locally and remotely must give Yjs's exact bytes and the trace's final text.
#include <gtest/gtest.h>

#include "common/file_util.h"
#include "crdt/doc.h"
#include "crdt/text.h"
#include "editing_trace.h"

namespace tandem::crdt {
namespace {

const char* kSequential[] = {"automerge-paper", "seph-blog1", "rustcode", "sveltecomponent",
                             "friendsforever_flat", "clownschool_flat", "json-crdt-patch",
                             "json-crdt-blog-post"};

std::vector<uint8_t> must_read(const std::string& path) {
  auto r = read_file(path);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error());
  return r.ok() ? std::move(r.value()) : std::vector<uint8_t>{};
}

class SequentialTraceTest : public ::testing::TestWithParam<const char*> {
 protected:
  // Loads the trace and the per-transaction update stream Yjs emitted typing it.
  void SetUp() override {
    dir_ = traces::traces_dir();
    name_ = GetParam();
    auto trace = traces::load_sequential_trace(dir_, name_);
    ASSERT_TRUE(trace.ok()) << trace.error();
    trace_ = std::move(trace.value());
    stream_ = must_read(dir_ + "/derived-yjs/" + name_ + ".updates.v1.bin.gz");
    auto frames = split_update_stream(stream_);
    ASSERT_TRUE(frames.ok()) << frames.error();
    frames_ = std::move(frames.value());
  }
  std::vector<uint8_t> yjs_state() { return must_read(dir_ + "/derived-yjs/" + name_ + ".state.v1.bin.gz"); }

  std::string dir_, name_;
  traces::SequentialTrace trace_;
  std::vector<uint8_t> stream_;
  std::vector<std::span<const uint8_t>> frames_;
};

// The server's hot path: apply, one by one, the updates a Yjs client emitted typing the trace.
TEST_P(SequentialTraceTest, RemoteApplyMatchesYjs) {
  Doc doc(DocOptions{.client_id = 99});
  Type* text = doc.get("text", TypeKind::Text);
  for (size_t i = 0; i < frames_.size(); ++i) {
    Status st = doc.apply_update(frames_[i]);
    ASSERT_TRUE(st.ok()) << "update " << i << ": " << st.message();
  }
  EXPECT_FALSE(doc.has_pending());
  EXPECT_EQ(text_to_string(text), trace_.end_content);
  EXPECT_TRUE(doc.store().check_integrity().ok());
  EXPECT_EQ(doc.encode_state_as_update(), yjs_state());
}

// Local editing: each trace transaction as one local transaction of client 1 must emit the
// very update Yjs emitted for it.
TEST_P(SequentialTraceTest, LocalEditsEmitYjsUpdates) {
  ASSERT_EQ(frames_.size(), trace_.txns.size());
  Doc doc(DocOptions{.client_id = 1});
  Type* text = doc.get("text", TypeKind::Text);
  size_t mismatches = 0;
  for (size_t i = 0; i < trace_.txns.size(); ++i) {
    auto update = doc.transact([&](Transaction& t) {
      for (const auto& p : trace_.txns[i].patches) {
        if (p.del > 0) {
          ASSERT_TRUE(text_delete(t, text, p.pos, p.del).ok());
        }
        if (!p.ins.empty()) {
          ASSERT_TRUE(text_insert(t, text, p.pos, p.ins).ok());
        }
      }
    });
    auto want = frames_[i];
    if (!std::equal(update.begin(), update.end(), want.begin(), want.end())) {
      ADD_FAILURE() << "txn " << i << ": update differs from Yjs's";
      if (++mismatches > 3) break;
    }
  }
  EXPECT_EQ(text_to_string(text), trace_.end_content);
  EXPECT_EQ(doc.encode_state_as_update(), yjs_state());
}

INSTANTIATE_TEST_SUITE_P(Traces, SequentialTraceTest, ::testing::ValuesIn(kSequential));

class EgwalkerDatasetTest : public ::testing::TestWithParam<const char*> {};

// Complete Yjs documents in update format v2 with real concurrent histories.
TEST_P(EgwalkerDatasetTest, LoadsV2AndReencodesV1LikeYjs) {
  std::string dir = traces::traces_dir();
  std::string ds = GetParam();
  auto v2 = must_read(dir + "/egwalker-paper/datasets/" + ds + ".yjs.gz");
  Doc doc(DocOptions{.client_id = 1});
  Status st = doc.apply_update(v2, UpdateVersion::V2);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_FALSE(doc.has_pending());
  auto expected = must_read(dir + "/derived-yjs/egwalker-" + ds + ".state.v1.bin.gz");
  EXPECT_EQ(doc.encode_state_as_update(), expected);
  // The v1 state re-loads to the same document.
  Doc again(DocOptions{.client_id = 2});
  ASSERT_TRUE(again.apply_update(expected).ok());
  EXPECT_EQ(text_to_string(again.get("text", TypeKind::Text)),
            text_to_string(doc.get("text", TypeKind::Text)));
}

INSTANTIATE_TEST_SUITE_P(Datasets, EgwalkerDatasetTest,
                         ::testing::Values("S1", "S2", "S3", "C1", "C2"));

}  // namespace
}  // namespace tandem::crdt

namespace tandem::crdt {
namespace {

class ConcurrentTraceTest : public ::testing::TestWithParam<const char*> {};

// Several authors: one Doc per agent; before an agent's transaction its doc receives the
// updates of every transaction in the transaction's causal past, then the patches (positions
// in that version) are applied as one local transaction. Everyone converges on endContent.
TEST_P(ConcurrentTraceTest, ReplaysToEndContent) {
  auto trace = traces::load_concurrent_trace(traces::traces_dir(), GetParam());
  ASSERT_TRUE(trace.ok()) << trace.error();
  const auto& txns = trace->txns;
  std::vector<std::unique_ptr<Doc>> docs;
  std::vector<std::vector<bool>> applied(trace->num_agents, std::vector<bool>(txns.size()));
  for (uint32_t a = 0; a < trace->num_agents; ++a) {
    docs.push_back(std::make_unique<Doc>(DocOptions{.client_id = a + 1}));
    docs.back()->get("text", TypeKind::Text);
  }
  std::vector<std::vector<uint8_t>> updates(txns.size());
  // Brings `agent`'s doc up to date with `txn` and its causal past (iteratively).
  auto include = [&](uint32_t agent, size_t txn) {
    std::vector<size_t> stack{txn}, order;
    while (!stack.empty()) {
      size_t i = stack.back();
      stack.pop_back();
      if (applied[agent][i]) continue;
      applied[agent][i] = true;
      order.push_back(i);
      for (size_t p : txns[i].parents) stack.push_back(p);
    }
    // Ancestors first (indexes are topologically ordered); out-of-order would only go pending.
    std::sort(order.begin(), order.end());
    for (size_t i : order) ASSERT_TRUE(docs[agent]->apply_update(updates[i]).ok());
  };
  for (size_t i = 0; i < txns.size(); ++i) {
    const auto& txn = txns[i];
    for (size_t p : txn.parents) include(txn.agent, p);
    Doc& doc = *docs[txn.agent];
    Type* text = doc.get("text", TypeKind::Text);
    updates[i] = doc.transact([&](Transaction& t) {
      for (const auto& p : txn.patches) {
        if (p.del > 0) {
          ASSERT_TRUE(text_delete(t, text, p.pos, p.del).ok()) << "txn " << i;
        }
        if (!p.ins.empty()) {
          ASSERT_TRUE(text_insert(t, text, p.pos, p.ins).ok()) << "txn " << i;
        }
      }
    });
    applied[txn.agent][i] = true;
  }
  for (uint32_t a = 0; a < trace->num_agents; ++a) {
    for (size_t i = 0; i < txns.size(); ++i) include(a, i);
    EXPECT_FALSE(docs[a]->has_pending());
    EXPECT_EQ(text_to_string(docs[a]->get("text", TypeKind::Text)), trace->end_content)
        << "agent " << a;
  }
  // All replicas agree byte for byte on their state vector and delete set.
  for (uint32_t a = 1; a < trace->num_agents; ++a) {
    EXPECT_EQ(docs[a]->encode_state_vector(), docs[0]->encode_state_vector());
  }
}

INSTANTIATE_TEST_SUITE_P(Traces, ConcurrentTraceTest,
                         ::testing::Values("friendsforever", "clownschool"));

}  // namespace
}  // namespace tandem::crdt
