// FaultyStorage: injected failures store nothing, are reported in order with the document's
// other appends and on a log thread, and everything else passes through.
#include "storage/faulty_storage.h"

#include <gtest/gtest.h>

#include <mutex>
#include <thread>

#include "storage/compaction.h"
#include "storage/storage_test_util.h"

namespace tandem::storage {
namespace {

using testing::append_sync;
using testing::bytes;

class Faulty : public ::testing::Test {
 protected:
  Faulty() : faulty_(std::make_unique<MemoryStorage>()) {}
  UpdateLog& log() { return faulty_.log(); }
  FaultyStorage faulty_;
};

TEST_F(Faulty, FailsTheNextAppendsAndStoresNothing) {
  faulty_.fail_next_appends(2);
  EXPECT_FALSE(append_sync(log(), "d", bytes("1")).ok());
  auto second = append_sync(log(), "d", bytes("2"));
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.error().find("injected"), std::string::npos);
  auto third = append_sync(log(), "d", bytes("3"));
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(*third, 1u);
  auto entries = log().read_after("d", 0);
  ASSERT_EQ(entries->size(), 1u);
  EXPECT_EQ((*entries)[0].update, bytes("3"));
  EXPECT_EQ(faulty_.injected_failures(), 2u);
}

TEST_F(Faulty, FailureIsReportedInOrderOnALogThread) {
  std::mutex m;
  std::vector<std::string> reports;
  std::vector<std::thread::id> threads;
  auto record = [&](const std::string& name) {
    return [&, name](Result<LogPosition> r) {
      std::lock_guard lock(m);
      reports.push_back(name + (r.ok() ? " " + std::to_string(*r) : " error"));
      threads.push_back(std::this_thread::get_id());
    };
  };
  // Stall the inner writer so the first append is still pending when the failure is made.
  std::promise<void> stalled, release;
  auto release_future = release.get_future().share();
  log().append("other", {}, [&](Result<LogPosition>) {
    stalled.set_value();
    release_future.wait();
  });
  stalled.get_future().wait();
  log().append("d", bytes("a"), record("a"));
  faulty_.fail_next_appends(1);
  log().append("d", bytes("b"), record("b"));
  log().append("d", bytes("c"), record("c"));
  {
    std::lock_guard lock(m);
    EXPECT_TRUE(reports.empty()) << "b waits for a";
  }
  release.set_value();
  ASSERT_TRUE(append_sync(log(), "d", bytes("sync")).ok());
  // A failure alone at the head is reported by the reporter thread, not inside append().
  faulty_.fail_next_appends(1);
  log().append("e", bytes("x"), record("x"));
  ASSERT_TRUE(append_sync(log(), "e", bytes("sync")).ok());

  std::lock_guard lock(m);
  EXPECT_EQ(reports, (std::vector<std::string>{"a 1", "b error", "c 2", "x error"}));
  for (auto id : threads) EXPECT_NE(id, std::this_thread::get_id());
}

TEST_F(Faulty, AllWritesFailWhileOn) {
  ASSERT_TRUE(faulty_.create_document(DocumentMeta{"d", "t", 1, 1}).ok());
  faulty_.fail_all_writes(true);
  EXPECT_FALSE(append_sync(log(), "d", bytes("x")).ok());
  EXPECT_FALSE(faulty_.create_document(DocumentMeta{"e", "t", 1, 1}).ok());
  EXPECT_FALSE(faulty_.rename_document("d", "new", 2).ok());
  EXPECT_FALSE(faulty_.touch_document("d", 2).ok());
  EXPECT_FALSE(faulty_.delete_document("d").ok());
  EXPECT_FALSE(faulty_.save_snapshot("d", Snapshot{bytes("s"), 0}).ok());
  EXPECT_FALSE(faulty_.replace_snapshot("d", Snapshot{bytes("s"), 0}).ok());
  EXPECT_FALSE(faulty_.create_version("d", "v", false, bytes("s"), 2).ok());
  EXPECT_FALSE(log().trim("d", 1).ok());
  // Reads still work, and nothing was written.
  EXPECT_EQ((*faulty_.get_document("d"))->title, "t");
  EXPECT_TRUE(log().read_after("d", 0)->empty());
  faulty_.fail_all_writes(false);
  EXPECT_EQ(*append_sync(log(), "d", bytes("x")), 1u);
}

TEST_F(Faulty, SnapshotReplacementFails) {
  testing::TextEditor editor;
  ASSERT_TRUE(append_sync(log(), "d", editor.insert(0, "abc")).ok());
  faulty_.fail_snapshot_replacement(true);
  auto r = compact(faulty_, "d");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("injected"), std::string::npos) << r.error();
  EXPECT_FALSE(faulty_.save_snapshot("d", Snapshot{bytes("s"), 1}).ok());
  auto stored = faulty_.load_document("d");
  EXPECT_FALSE(stored->snapshot.has_value());
  EXPECT_EQ(stored->tail.size(), 1u);
  EXPECT_TRUE(append_sync(log(), "d", editor.insert(0, "x")).ok());  // appends unaffected
  faulty_.fail_snapshot_replacement(false);
  EXPECT_TRUE(compact(faulty_, "d")->compacted);
}

TEST_F(Faulty, ReadsFailWhileOn) {
  ASSERT_TRUE(append_sync(log(), "d", bytes("x")).ok());
  faulty_.fail_reads(true);
  EXPECT_FALSE(faulty_.load_document("d").ok());
  EXPECT_FALSE(log().read_after("d", 0).ok());
  EXPECT_FALSE(faulty_.load_snapshot("d").ok());
  EXPECT_FALSE(faulty_.get_document("d").ok());
  EXPECT_FALSE(faulty_.list_documents({}).ok());
  EXPECT_FALSE(faulty_.list_versions("d").ok());
  faulty_.fail_reads(false);
  EXPECT_EQ(faulty_.load_document("d")->tail.size(), 1u);
}

TEST(FaultyOverSqlite, WrapsAnyStorage) {
  testing::TempDir dir;
  FaultyStorage faulty(testing::open_sqlite(dir.path()));
  std::atomic<int> delivered{0};
  auto sub = faulty.log().subscribe("d", [&](const LogEntry&) { ++delivered; });
  faulty.fail_next_appends(1);
  EXPECT_FALSE(append_sync(faulty.log(), "d", bytes("1")).ok());
  EXPECT_EQ(*append_sync(faulty.log(), "d", bytes("2")), 1u);
  EXPECT_EQ(*append_sync(faulty.log(), "d", bytes("3")), 2u);
  faulty.close();
  EXPECT_EQ(delivered.load(), 2);
}

}  // namespace
}  // namespace tandem::storage
