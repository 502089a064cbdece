// Compaction on both backends: the compacted snapshot is the document (same content, same
// state vector as replaying snapshot + log), appends racing a compaction stay in the log, a
// bad entry changes nothing; and the policy's thresholds.
#include "storage/compaction.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "crdt/delete_set.h"
#include "storage/storage_test_util.h"

namespace tandem::storage {
namespace {

using testing::append_sync;
using testing::TextEditor;

//! A document rebuilt from what is stored.
std::unique_ptr<crdt::Doc> rebuild(Storage& storage, const DocId& doc) {
  auto stored = storage.load_document(doc);
  EXPECT_TRUE(stored.ok()) << stored.error();
  auto d = std::make_unique<crdt::Doc>();
  if (!stored.ok()) return d;
  if (stored->snapshot) {
    EXPECT_TRUE(d->apply_update(stored->snapshot->state).ok());
  }
  for (const auto& e : stored->tail) EXPECT_TRUE(d->apply_update(e.update).ok());
  return d;
}

class Compaction : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override { backend_ = testing::make_backend(GetParam()); }
  Storage& storage() { return *backend_.storage; }
  void edit(TextEditor& editor, int rounds) {
    for (int i = 0; i < rounds; ++i) {
      ASSERT_TRUE(append_sync(storage().log(), "d", editor.insert(0, "hello world ")).ok());
      ASSERT_TRUE(append_sync(storage().log(), "d", editor.erase(2, 5)).ok());
    }
  }
  testing::Backend backend_;
};

TEST_P(Compaction, SnapshotEqualsTheDocument) {
  TextEditor alice(11), bob(22);
  edit(alice, 20);
  ASSERT_TRUE(append_sync(storage().log(), "d", bob.insert(0, "bob")).ok());
  auto before = rebuild(storage(), "d");
  size_t log_bytes = 0;
  auto log = storage().log().read_after("d", 0);
  ASSERT_TRUE(log.ok());
  for (const auto& e : *log) log_bytes += e.update.size();

  auto r = compact(storage(), "d");
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_TRUE(r->compacted);
  EXPECT_EQ(r->covers, 41u);
  EXPECT_EQ(r->entries_merged, 41u);
  EXPECT_LT(r->snapshot_bytes, log_bytes) << "deleted text is garbage-collected";

  auto stored = storage().load_document("d");
  ASSERT_TRUE(stored.ok());
  EXPECT_TRUE(stored->tail.empty());
  EXPECT_EQ(stored->snapshot->covers, 41u);
  auto after = rebuild(storage(), "d");
  EXPECT_EQ(testing::text_of(*after), testing::text_of(*before));
  EXPECT_EQ(after->state_vector(), before->state_vector());
  EXPECT_EQ(crdt::encode_state_vector(after->state_vector()), before->encode_state_vector());
  EXPECT_FALSE(after->has_pending());

  // Again, over snapshot + tail.
  edit(alice, 3);
  auto before2 = rebuild(storage(), "d");
  auto r2 = compact(storage(), "d");
  ASSERT_TRUE(r2.ok()) << r2.error();
  EXPECT_EQ(r2->covers, 47u);
  EXPECT_EQ(r2->entries_merged, 6u);
  auto after2 = rebuild(storage(), "d");
  EXPECT_EQ(testing::text_of(*after2), testing::text_of(*before2));
  EXPECT_EQ(after2->state_vector(), before2->state_vector());
}

TEST_P(Compaction, NothingToDo) {
  auto r = compact(storage(), "empty");
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->compacted);
  TextEditor editor;
  ASSERT_TRUE(append_sync(storage().log(), "d", editor.insert(0, "x")).ok());
  ASSERT_TRUE(compact(storage(), "d")->compacted);
  auto again = compact(storage(), "d");
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->compacted);
  EXPECT_EQ(again->covers, 1u);
}

TEST_P(Compaction, AppendsDuringCompactionStay) {
  TextEditor editor;
  std::vector<std::vector<uint8_t>> updates;
  for (int i = 0; i < 300; ++i) updates.push_back(editor.insert(0, std::to_string(i % 10)));
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(append_sync(storage().log(), "d", updates[i]).ok());
  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (int i = 100; i < 300; ++i) ASSERT_TRUE(append_sync(storage().log(), "d", updates[i]).ok());
    done = true;
  });
  int compactions = 0;
  while (!done) {
    auto r = compact(storage(), "d");
    ASSERT_TRUE(r.ok()) << r.error();
    compactions += r->compacted;
  }
  writer.join();
  EXPECT_GE(compactions, 1);
  auto rebuilt = rebuild(storage(), "d");
  EXPECT_EQ(testing::text_of(*rebuilt), editor.text());
  EXPECT_EQ(rebuilt->state_vector(), editor.doc().state_vector());
}

TEST_P(Compaction, BadEntryChangesNothing) {
  TextEditor editor;
  ASSERT_TRUE(append_sync(storage().log(), "d", editor.insert(0, "ok")).ok());
  ASSERT_TRUE(append_sync(storage().log(), "d", {0xff, 0xff, 0xff}).ok());
  auto r = compact(storage(), "d");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("log entry 2"), std::string::npos) << r.error();
  auto stored = storage().load_document("d");
  EXPECT_FALSE(stored->snapshot.has_value());
  EXPECT_EQ(stored->tail.size(), 2u);
}

INSTANTIATE_TEST_SUITE_P(Backends, Compaction, ::testing::Values("memory", "sqlite"),
                         [](const auto& param_info) { return param_info.param; });

TEST(CompactionPolicy, Thresholds) {
  using namespace std::chrono_literals;
  CompactionPolicy policy;
  policy.max_log_entries = 10;
  policy.max_log_bytes = 1000;
  policy.idle_after = 5s;
  EXPECT_FALSE(policy.should_compact({0, 0, 1h}));  // nothing to compact, however idle
  EXPECT_FALSE(policy.should_compact({9, 999, 4s}));
  EXPECT_TRUE(policy.should_compact({10, 1, 0s}));
  EXPECT_TRUE(policy.should_compact({1, 1000, 0s}));
  EXPECT_TRUE(policy.should_compact({1, 1, 5s}));
  CompactionPolicy defaults;
  EXPECT_EQ(defaults.max_log_entries, CompactionPolicy::kDefaultMaxLogEntries);
  EXPECT_EQ(defaults.max_log_bytes, CompactionPolicy::kDefaultMaxLogBytes);
  EXPECT_EQ(defaults.idle_after, CompactionPolicy::kDefaultIdleAfter);
}

}  // namespace
}  // namespace tandem::storage
