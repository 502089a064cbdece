// SqliteStorage beyond the shared contract: schema and migrations, positions across restarts,
// reads beside the writer, and write errors (a "full disk" through PRAGMA max_page_count) that
// fail a whole batch and store none of it.
#include "storage/sqlite/sqlite_storage.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "storage/sqlite/schema.h"
#include "storage/storage_test_util.h"

namespace tandem::storage::sqlite {
namespace {

using testing::append_sync;
using testing::bytes;
using testing::open_sqlite;
using testing::TempDir;

std::string db_path(const TempDir& dir) { return dir.path() + "/" + kDatabaseFileName; }

std::unique_ptr<Database> open_raw(const std::string& path) {
  auto db = Database::open(path, Database::Mode::ReadWrite, 1000);
  EXPECT_TRUE(db.ok()) << db.error();
  return std::move(db).value();
}

int64_t query_int(Database& db, const std::string& sql) {
  auto v = db.query_int(sql);
  EXPECT_TRUE(v.ok()) << v.error();
  return v.ok() ? *v : -1;
}

TEST(SqliteSchema, FreshDatabaseGetsTheCurrentSchemaInWalMode) {
  TempDir dir;
  { ASSERT_TRUE(open_sqlite(dir.path())); }
  auto db = open_raw(db_path(dir));
  EXPECT_EQ(query_int(*db, "PRAGMA user_version"), kSchemaVersion);
  EXPECT_EQ(query_int(*db, "PRAGMA application_id"), kApplicationId);
  auto mode = db->query("PRAGMA journal_mode");
  ASSERT_TRUE(mode.ok() && *mode->step());
  EXPECT_EQ(mode->column_text(0), "wal");
  for (const char* table : {"documents", "log_heads", "update_log", "snapshots", "versions"}) {
    EXPECT_EQ(query_int(*db, std::string("SELECT count(*) FROM sqlite_schema WHERE name = '") +
                                 table + "'"),
              1)
        << table;
  }
}

TEST(SqliteSchema, MigratesAnExistingDatabaseKeepingItsData) {
  TempDir dir;
  {
    auto db = open_raw(db_path(dir));
    ASSERT_TRUE(migrate(*db, 1).ok());
    EXPECT_EQ(query_int(*db, "PRAGMA user_version"), 1);
    ASSERT_TRUE(db->exec("INSERT INTO documents VALUES ('d', 'Old', 1, 2, 0);"
                         "INSERT INTO update_log VALUES ('d', 7, x'0000');"
                         "INSERT INTO log_heads VALUES ('d', 7);")
                    .ok());
  }
  {
    auto storage = open_sqlite(dir.path());
    ASSERT_TRUE(storage);
    EXPECT_EQ((*storage->get_document("d"))->title, "Old");
    EXPECT_EQ(storage->read_after("d", 0)->size(), 1u);
    EXPECT_EQ(*append_sync(*storage, "d", bytes("x")), 8u);
  }
  auto db = open_raw(db_path(dir));
  EXPECT_EQ(query_int(*db, "PRAGMA user_version"), kSchemaVersion);
  EXPECT_EQ(query_int(*db, "SELECT count(*) FROM sqlite_schema WHERE name = 'documents_by_updated'"),
            1);
  ASSERT_TRUE(migrate(*db).ok());  // nothing left to do
}

TEST(SqliteSchema, RefusesADatabaseNewerThanTheBinary) {
  TempDir dir;
  { ASSERT_TRUE(open_sqlite(dir.path())); }
  {
    auto db = open_raw(db_path(dir));
    ASSERT_TRUE(db->exec("PRAGMA user_version = " + std::to_string(kSchemaVersion + 1)).ok());
  }
  SqliteOptions options;
  options.data_dir = dir.path();
  auto storage = SqliteStorage::open(options);
  ASSERT_FALSE(storage.ok());
  EXPECT_NE(storage.error().find("newer than this binary"), std::string::npos) << storage.error();
}

TEST(SqliteSchema, RefusesAForeignDatabase) {
  TempDir dir;
  {
    auto db = open_raw(db_path(dir));
    ASSERT_TRUE(db->exec("CREATE TABLE accounts (id INTEGER)").ok());
  }
  SqliteOptions options;
  options.data_dir = dir.path();
  auto storage = SqliteStorage::open(options);
  ASSERT_FALSE(storage.ok());
  EXPECT_NE(storage.error().find("not a Tandem database"), std::string::npos) << storage.error();
  auto db = open_raw(db_path(dir));
  auto mode = db->query("PRAGMA journal_mode");
  ASSERT_TRUE(mode.ok() && *mode->step());
  EXPECT_EQ(mode->column_text(0), "delete") << "left as it was";
}

TEST(SqliteSchema, ErrorsNameTheStepAndSqlitesMessage) {
  TempDir dir;
  auto db = open_raw(db_path(dir));
  Status s = db->exec("SELECT * FROM no_such_table");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("exec of 'SELECT * FROM no_such_table'"), std::string::npos)
      << s.message();
  EXPECT_NE(s.message().find("no such table"), std::string::npos) << s.message();
  auto q = db->query("SELEKT 1");
  ASSERT_FALSE(q.ok());
  EXPECT_NE(q.error().find("prepare of"), std::string::npos) << q.error();
  auto missing = Database::open(dir.path() + "/no/such/dir/x.db", Database::Mode::ReadWrite, 10);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().find("open"), std::string::npos) << missing.error();
}

TEST(SqliteStorageTest, PositionsSurviveRestartsAndTrims) {
  TempDir dir;
  {
    auto storage = open_sqlite(dir.path());
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(append_sync(*storage, "d", bytes("x")).ok());
    ASSERT_TRUE(storage->replace_snapshot("d", Snapshot{bytes("s"), 5}).ok());
    ASSERT_TRUE(append_sync(*storage, "e", bytes("x")).ok());
    ASSERT_TRUE(storage->trim("e", 1).ok());
  }
  {
    auto storage = open_sqlite(dir.path());
    EXPECT_TRUE(storage->read_after("d", 0)->empty());
    EXPECT_EQ(*append_sync(*storage, "d", bytes("y")), 6u);
    EXPECT_EQ(*append_sync(*storage, "e", bytes("y")), 2u);
    auto stored = storage->load_document("d");
    EXPECT_EQ(stored->snapshot->covers, 5u);
    ASSERT_EQ(stored->tail.size(), 1u);
    EXPECT_EQ(stored->tail[0].position, 6u);
  }
}

TEST(SqliteStorageTest, QueuedAppendsAreCommittedAtShutdown) {
  TempDir dir;
  std::atomic<int> acked{0};
  {
    auto storage = open_sqlite(dir.path());
    for (int i = 0; i < 200; ++i) {
      storage->append("d", bytes(std::to_string(i)), [&](Result<LogPosition> r) { acked += r.ok(); });
    }
  }  // the destructor commits everything queued
  EXPECT_EQ(acked.load(), 200);
  auto storage = open_sqlite(dir.path());
  EXPECT_EQ(storage->read_after("d", 0)->size(), 200u);
}

TEST(SqliteStorageTest, ReadsRunBesideTheWriter) {
  TempDir dir;
  SqliteOptions options;
  options.read_connections = 2;
  auto storage = open_sqlite(dir.path(), options);
  std::atomic<bool> stop{false};
  std::atomic<int> read_errors{0}, reads{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t) {  // more readers than connections: they take turns
    readers.emplace_back([&] {
      LogPosition seen = 0;
      while (!stop) {
        auto entries = storage->read_after("d", 0);
        if (!entries.ok()) {
          ++read_errors;
          continue;
        }
        ++reads;
        EXPECT_GE(entries->size(), seen) << "a read never goes back in time";
        seen = entries->size();
      }
    });
  }
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(append_sync(*storage, "d", bytes("x")).ok());
  stop = true;
  for (auto& r : readers) r.join();
  EXPECT_EQ(read_errors.load(), 0);
  EXPECT_GT(reads.load(), 0);
}

//! A database capped at a few pages: three small entries of "d", then 16 KiB updates of
//! "filler" until SQLite reports the database full.
class FullDatabase : public ::testing::Test {
 protected:
  static constexpr uint64_t kMaxPages = 64;  // 256 KiB with 4 KiB pages
  static constexpr LogPosition kDocEntries = 3;

  void SetUp() override {
    SqliteOptions options;
    options.max_page_count = kMaxPages;
    storage_ = open_sqlite(dir_.path(), options);
    ASSERT_TRUE(storage_);
    for (LogPosition i = 0; i < kDocEntries; ++i) {
      ASSERT_TRUE(append_sync(*storage_, "d", bytes("entry")).ok());
    }
    for (int i = 0; i < 100; ++i) {
      auto r = append_sync(*storage_, "filler", std::vector<uint8_t>(16 << 10, uint8_t(i)));
      if (!r.ok()) {
        full_error_ = r.error();
        return;
      }
      fillers_ = *r;
    }
    FAIL() << "the database never filled up";
  }

  //! Holds the writer in a callback, so that what is appended meanwhile forms one batch.
  void stall() {
    auto stalled = std::make_shared<std::promise<void>>();
    auto f = stalled->get_future();
    storage_->append("stall", {}, [this, stalled](Result<LogPosition>) {
      stalled->set_value();
      release_.get_future().wait();
    });
    f.wait();
  }

  TempDir dir_;
  std::unique_ptr<SqliteStorage> storage_;
  std::string full_error_;
  LogPosition fillers_ = 0;
  std::promise<void> release_;
};

TEST_F(FullDatabase, ReportsTheErrorToTheWholeBatchAndStoresNoneOfIt) {
  EXPECT_NE(full_error_.find("full"), std::string::npos) << full_error_;
  EXPECT_NE(full_error_.find("rolled back"), std::string::npos) << full_error_;
  EXPECT_GT(fillers_, 0u);

  stall();
  std::vector<std::future<Result<LogPosition>>> results;
  auto queue = [&](const DocId& doc, std::vector<uint8_t> update) {
    auto p = std::make_shared<std::promise<Result<LogPosition>>>();
    results.push_back(p->get_future());
    storage_->append(doc, std::move(update), [p](Result<LogPosition> r) { p->set_value(r); });
  };
  queue("d", bytes("small"));
  queue("other", bytes("small"));
  queue("d", std::vector<uint8_t>(200 << 10, 1));  // can never fit
  queue("d", bytes("small again"));
  release_.set_value();
  for (auto& f : results) {
    auto r = f.get();
    ASSERT_FALSE(r.ok()) << "position " << *r;
    EXPECT_NE(r.error().find("full"), std::string::npos) << r.error();
  }
  EXPECT_EQ(storage_->stats().failed_batches, 2u);  // SetUp's last one, and this one

  // Nothing of the batch is stored; positions carry on from the last acknowledged one.
  EXPECT_EQ(storage_->read_after("d", 0)->size(), kDocEntries);
  EXPECT_TRUE(storage_->read_after("other", 0)->empty());
  ASSERT_TRUE(storage_->trim("filler", fillers_).ok());  // room again
  auto next = append_sync(*storage_, "d", bytes("tiny"));
  ASSERT_TRUE(next.ok()) << next.error();
  EXPECT_EQ(*next, kDocEntries + 1);
  EXPECT_EQ(*append_sync(*storage_, "other", bytes("x")), 1u);
  storage_.reset();

  auto reopened = open_sqlite(dir_.path());
  auto entries = reopened->read_after("d", 0);
  ASSERT_EQ(entries->size(), kDocEntries + 1);
  for (LogPosition p = 1; p <= kDocEntries + 1; ++p) EXPECT_EQ((*entries)[p - 1].position, p);
  EXPECT_EQ(entries->back().update, bytes("tiny"));
  EXPECT_EQ(*append_sync(*reopened, "filler", bytes("x")), fillers_ + 1);
}

TEST_F(FullDatabase, AFailedWriteTaskLeavesTheRestOfTheBatch) {
  ASSERT_TRUE(storage_->trim("filler", fillers_ / 2).ok());  // room for small appends
  stall();
  std::promise<Result<LogPosition>> before, after;
  storage_->append("d", bytes("before"), [&](Result<LogPosition> r) { before.set_value(r); });
  Result<VersionInfo> version = Status::Error("not run");
  std::thread versioner([&] {
    version = storage_->create_version("d", "big", false, std::vector<uint8_t>(300 << 10, 2), 1);
  });
  // Give the version's task time to queue behind "before" (only coverage depends on it).
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  storage_->append("d", bytes("after"), [&](Result<LogPosition> r) { after.set_value(r); });
  release_.set_value();
  versioner.join();
  ASSERT_FALSE(version.ok());
  EXPECT_NE(version.error().find("full"), std::string::npos) << version.error();
  auto b = before.get_future().get();
  auto a = after.get_future().get();
  // The savepoint undid just the task: both appends committed, in order, without a gap.
  ASSERT_TRUE(b.ok()) << b.error();
  ASSERT_TRUE(a.ok()) << a.error();
  EXPECT_EQ(*b, kDocEntries + 1);
  EXPECT_EQ(*a, kDocEntries + 2);
  EXPECT_EQ(storage_->read_after("d", 0)->size(), kDocEntries + 2);
  EXPECT_TRUE(storage_->list_versions("d")->empty());
  EXPECT_EQ(storage_->stats().failed_batches, 1u);  // only SetUp's
}

TEST_F(FullDatabase, ReplaceSnapshotThatDoesNotFitChangesNothing) {
  Status s = storage_->replace_snapshot("d", Snapshot{std::vector<uint8_t>(300 << 10, 3), 2});
  ASSERT_FALSE(s.ok());
  auto stored = storage_->load_document("d");
  EXPECT_FALSE(stored->snapshot.has_value());
  EXPECT_EQ(stored->tail.size(), kDocEntries);  // nothing trimmed
}

}  // namespace
}  // namespace tandem::storage::sqlite
