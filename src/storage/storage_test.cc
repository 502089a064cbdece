// Storage's default load_document (for backends without one transaction over log and store):
// it retries while a compaction moves the snapshot between its reads.
#include "storage/storage.h"

#include <gtest/gtest.h>

#include <functional>

#include "storage/storage_test_util.h"

namespace tandem::storage {
namespace {

using testing::append_sync;
using testing::bytes;

//! An UpdateLog that forwards to another and runs a hook before a read (a compaction racing
//! the load).
class HookedLog final : public UpdateLog {
 public:
  explicit HookedLog(UpdateLog& inner) : inner_(inner) {}
  void append(const DocId& doc, std::vector<uint8_t> update, AppendDone done) override {
    inner_.append(doc, std::move(update), std::move(done));
  }
  Result<std::vector<LogEntry>> read_after(const DocId& doc, LogPosition after) override {
    if (before_read) before_read();
    return inner_.read_after(doc, after);
  }
  std::unique_ptr<Subscription> subscribe(const DocId& doc, Delivery deliver) override {
    return inner_.subscribe(doc, std::move(deliver));
  }
  Status trim(const DocId& doc, LogPosition upto) override { return inner_.trim(doc, upto); }

  std::function<void()> before_read;

 private:
  UpdateLog& inner_;
};

//! A Storage of separate parts, as a cluster's is: uses the default load_document.
class SplitStorage final : public Storage {
 public:
  SplitStorage() : log_(memory_) {}
  UpdateLog& log() override { return log_; }
  DocumentStore& documents() override { return memory_; }
  Status replace_snapshot(const DocId& doc, const Snapshot& snapshot) override {
    return memory_.replace_snapshot(doc, snapshot);
  }
  MemoryStorage memory_;
  HookedLog log_;
};

TEST(DefaultLoad, ReadsSnapshotAndTail) {
  SplitStorage storage;
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(append_sync(storage.log(), "d", bytes("x")).ok());
  ASSERT_TRUE(storage.replace_snapshot("d", Snapshot{bytes("s"), 2}).ok());
  auto stored = storage.load_document("d");
  ASSERT_TRUE(stored.ok()) << stored.error();
  EXPECT_EQ(stored->snapshot->covers, 2u);
  ASSERT_EQ(stored->tail.size(), 2u);
  EXPECT_EQ(stored->tail[0].position, 3u);
}

TEST(DefaultLoad, RetriesWhenACompactionTrimsBetweenItsReads) {
  SplitStorage storage;
  for (int i = 0; i < 6; ++i) ASSERT_TRUE(append_sync(storage.log(), "d", bytes("x")).ok());
  ASSERT_TRUE(storage.replace_snapshot("d", Snapshot{bytes("s2"), 2}).ok());
  int reads = 0;
  storage.log_.before_read = [&] {
    if (++reads == 1) {
      ASSERT_TRUE(storage.replace_snapshot("d", Snapshot{bytes("s5"), 5}).ok());
    }
  };
  auto stored = storage.load_document("d");
  ASSERT_TRUE(stored.ok()) << stored.error();
  EXPECT_EQ(reads, 2);
  EXPECT_EQ(stored->snapshot->state, bytes("s5"));
  ASSERT_EQ(stored->tail.size(), 1u);  // 6: nothing between the snapshot and the tail is lost
  EXPECT_EQ(stored->tail[0].position, 6u);
}

TEST(DefaultLoad, GivesUpWhenTheSnapshotNeverSettles) {
  SplitStorage storage;
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(append_sync(storage.log(), "d", bytes("x")).ok());
  LogPosition covers = 0;
  storage.log_.before_read = [&] {
    ASSERT_TRUE(storage.replace_snapshot("d", Snapshot{bytes("s"), ++covers}).ok());
  };
  auto stored = storage.load_document("d");
  ASSERT_FALSE(stored.ok());
  EXPECT_NE(stored.error().find("snapshot changed"), std::string::npos) << stored.error();
}

}  // namespace
}  // namespace tandem::storage
