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

class SequentialTraceTest : public ::testing::TestWithParam<const char*> {};

// The server's hot path: apply, one by one, the updates a Yjs client emitted typing the trace.
TEST_P(SequentialTraceTest, RemoteApplyMatchesYjs) {
  std::string dir = traces::traces_dir();
  std::string name = GetParam();
  auto trace = traces::load_sequential_trace(dir, name);
  ASSERT_TRUE(trace.ok()) << trace.error();
  auto stream = must_read(dir + "/derived-yjs/" + name + ".updates.v1.bin.gz");
  auto frames = split_update_stream(stream);
  ASSERT_TRUE(frames.ok()) << frames.error();
  Doc doc(DocOptions{.client_id = 99});
  Type* text = doc.get("text", TypeKind::Text);
  for (size_t i = 0; i < frames->size(); ++i) {
    Status st = doc.apply_update((*frames)[i]);
    ASSERT_TRUE(st.ok()) << "update " << i << ": " << st.message();
  }
  EXPECT_FALSE(doc.has_pending());
  EXPECT_EQ(text_to_string(text), trace->end_content);
  EXPECT_TRUE(doc.store().check_integrity().ok());
  auto expected = must_read(dir + "/derived-yjs/" + name + ".state.v1.bin.gz");
  EXPECT_EQ(doc.encode_state_as_update(), expected);
}

// Local editing: each trace transaction as one local transaction of client 1 must emit the
// very update Yjs emitted for it.
TEST_P(SequentialTraceTest, LocalEditsEmitYjsUpdates) {
  std::string dir = traces::traces_dir();
  std::string name = GetParam();
  auto trace = traces::load_sequential_trace(dir, name);
  ASSERT_TRUE(trace.ok()) << trace.error();
  auto stream = must_read(dir + "/derived-yjs/" + name + ".updates.v1.bin.gz");
  auto frames = split_update_stream(stream);
  ASSERT_TRUE(frames.ok()) << frames.error();
  ASSERT_EQ(frames->size(), trace->txns.size());
  Doc doc(DocOptions{.client_id = 1});
  Type* text = doc.get("text", TypeKind::Text);
  size_t mismatches = 0;
  for (size_t i = 0; i < trace->txns.size(); ++i) {
    auto update = doc.transact([&](Transaction& t) {
      for (const auto& p : trace->txns[i].patches) {
        if (p.del > 0) {
          ASSERT_TRUE(text_delete(t, text, p.pos, p.del).ok());
        }
        if (!p.ins.empty()) {
          ASSERT_TRUE(text_insert(t, text, p.pos, p.ins).ok());
        }
      }
    });
    auto want = (*frames)[i];
    if (!std::equal(update.begin(), update.end(), want.begin(), want.end())) {
      ADD_FAILURE() << "txn " << i << ": update differs from Yjs's";
      if (++mismatches > 3) break;
    }
  }
  EXPECT_EQ(text_to_string(text), trace->end_content);
  auto expected = must_read(dir + "/derived-yjs/" + name + ".state.v1.bin.gz");
  EXPECT_EQ(doc.encode_state_as_update(), expected);
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
