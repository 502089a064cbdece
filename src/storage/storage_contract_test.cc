// The semantics every Storage backend shares (MemoryStorage and SqliteStorage): positions,
// reads, trims, subscriptions, group commit order, snapshots, metadata, versions, close.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <latch>
#include <map>
#include <mutex>
#include <thread>

#include "storage/storage_test_util.h"

namespace tandem::storage {
namespace {

using testing::append_sync;
using testing::bytes;

class StorageContract : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override { backend_ = testing::make_backend(GetParam()); }
  Storage& storage() { return *backend_.storage; }
  UpdateLog& log() { return backend_.storage->log(); }
  DocumentStore& docs() { return backend_.storage->documents(); }

  testing::Backend backend_;
};

TEST_P(StorageContract, PositionsStartAtOneAndIncreasePerDocument) {
  for (int i = 1; i <= 3; ++i) {
    auto a = append_sync(log(), "a", bytes("a" + std::to_string(i)));
    ASSERT_TRUE(a.ok()) << a.error();
    EXPECT_EQ(*a, LogPosition(i));
  }
  auto b = append_sync(log(), "b", bytes("b1"));
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(*b, 1u);

  auto all = log().read_after("a", 0);
  ASSERT_TRUE(all.ok()) << all.error();
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].update, bytes("a1"));
  EXPECT_EQ((*all)[2].position, 3u);
  auto after2 = log().read_after("a", 2);
  ASSERT_TRUE(after2.ok());
  ASSERT_EQ(after2->size(), 1u);
  EXPECT_EQ((*after2)[0].update, bytes("a3"));
  EXPECT_TRUE(log().read_after("nobody", 0)->empty());
}

TEST_P(StorageContract, TrimKeepsPositionsGoing) {
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(append_sync(log(), "d", bytes("x")).ok());
  ASSERT_TRUE(log().trim("d", 4).ok());
  EXPECT_TRUE(log().read_after("d", 0)->empty());
  auto next = append_sync(log(), "d", bytes("y"));
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(*next, 5u);  // not derived from what is left in the log
  ASSERT_TRUE(log().trim("d", 2).ok());  // trimming less than before changes nothing
  EXPECT_EQ(log().read_after("d", 0)->size(), 1u);
}

TEST_P(StorageContract, EmptyUpdateIsStoredAsEmpty) {
  ASSERT_TRUE(append_sync(log(), "d", {}).ok());
  auto all = log().read_after("d", 0);
  ASSERT_EQ(all->size(), 1u);
  EXPECT_TRUE((*all)[0].update.empty());
}

TEST_P(StorageContract, DoneRunsBeforeDeliveryAndDeliveriesAreInOrder) {
  std::mutex m;
  std::vector<std::string> events;
  std::promise<void> third_delivered;
  auto sub = log().subscribe("d", [&](const LogEntry& e) {
    std::lock_guard lock(m);
    events.push_back("deliver " + std::to_string(e.position) + " " +
                     std::string(e.update.begin(), e.update.end()));
    if (e.position == 3) third_delivered.set_value();
  });
  auto other = log().subscribe("other", [&](const LogEntry&) {
    std::lock_guard lock(m);
    events.push_back("wrong document");
  });
  for (int i = 1; i <= 3; ++i) {
    log().append("d", bytes("u" + std::to_string(i)), [&](Result<LogPosition> r) {
      ASSERT_TRUE(r.ok());
      std::lock_guard lock(m);
      events.push_back("done " + std::to_string(*r));
    });
  }
  third_delivered.get_future().wait();
  ASSERT_TRUE(append_sync(log(), "x", bytes("z")).ok());
  std::lock_guard lock(m);
  std::vector<std::string> delivered;
  for (const auto& e : events) {
    if (e.rfind("deliver", 0) == 0) delivered.push_back(e);
  }
  EXPECT_EQ(delivered, (std::vector<std::string>{"deliver 1 u1", "deliver 2 u2", "deliver 3 u3"}));
  auto index_of = [&](const std::string& prefix) {
    for (size_t i = 0; i < events.size(); ++i) {
      if (events[i].rfind(prefix, 0) == 0) return i;
    }
    return events.size();
  };
  for (int p = 1; p <= 3; ++p) {
    EXPECT_LT(index_of("done " + std::to_string(p)), index_of("deliver " + std::to_string(p)));
  }
  EXPECT_EQ(std::count(events.begin(), events.end(), "wrong document"), 0);
}

TEST_P(StorageContract, EndedSubscriptionIsNotCalled) {
  std::atomic<int> calls{0};
  auto sub = log().subscribe("d", [&](const LogEntry&) { ++calls; });
  ASSERT_TRUE(append_sync(log(), "d", bytes("1")).ok());
  ASSERT_TRUE(append_sync(log(), "sync", bytes("1")).ok());
  sub.reset();
  ASSERT_TRUE(append_sync(log(), "d", bytes("2")).ok());
  ASSERT_TRUE(append_sync(log(), "sync", bytes("2")).ok());
  EXPECT_EQ(calls.load(), 1);
}

TEST_P(StorageContract, SubscriptionMayEndInsideItsCallback) {
  std::unique_ptr<UpdateLog::Subscription> sub;
  std::atomic<int> calls{0};
  sub = log().subscribe("d", [&](const LogEntry&) {
    ++calls;
    sub.reset();
  });
  ASSERT_TRUE(append_sync(log(), "d", bytes("1")).ok());
  ASSERT_TRUE(append_sync(log(), "d", bytes("2")).ok());
  ASSERT_TRUE(append_sync(log(), "sync", bytes("2")).ok());
  EXPECT_EQ(calls.load(), 1);
}

TEST_P(StorageContract, GroupCommitFromManyThreads) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 200;
  // Hold the writer in the first callback until every thread has queued everything, so the
  // rest must be committed in few batches.
  std::latch queued(kThreads);
  std::promise<void> first_done;
  log().append("warmup", bytes("w"), [&](Result<LogPosition>) {
    first_done.set_value();
    queued.wait();
  });
  first_done.get_future().wait();
  GroupCommitStats before = backend_.stats();

  std::mutex m;
  std::map<std::string, std::vector<LogPosition>> reported;  // per document, in report order
  std::map<std::string, std::vector<int>> seq_reported;
  std::atomic<int> calls{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::string doc = "doc" + std::to_string(t % 2);  // two threads per document
      for (int i = 0; i < kPerThread; ++i) {
        log().append(doc, bytes(std::to_string(t) + ":" + std::to_string(i)),
                     [&, doc, t, i](Result<LogPosition> r) {
                       ASSERT_TRUE(r.ok()) << r.error();
                       std::lock_guard lock(m);
                       reported[doc].push_back(*r);
                       seq_reported[doc + "/" + std::to_string(t)].push_back(i);
                       ++calls;
                     });
      }
      queued.count_down();
    });
  }
  for (auto& th : threads) th.join();
  ASSERT_TRUE(append_sync(log(), "sync", bytes("s")).ok());

  EXPECT_EQ(calls.load(), kThreads * kPerThread);  // each callback exactly once
  GroupCommitStats after = backend_.stats();
  EXPECT_EQ(after.appends - before.appends, uint64_t(kThreads * kPerThread + 1));
  EXPECT_LE(after.batches - before.batches, 4u) << "appends queued together commit together";
  std::lock_guard lock(m);
  for (auto& [doc, positions] : reported) {
    ASSERT_EQ(positions.size(), size_t(2 * kPerThread));
    for (size_t i = 0; i < positions.size(); ++i) EXPECT_EQ(positions[i], i + 1) << doc;
  }
  for (auto& [key, seqs] : seq_reported) {
    for (size_t i = 0; i < seqs.size(); ++i) EXPECT_EQ(seqs[i], int(i)) << key;
  }
  // The log holds each thread's appends in the order it made them.
  for (int d = 0; d < 2; ++d) {
    auto entries = log().read_after("doc" + std::to_string(d), 0);
    ASSERT_TRUE(entries.ok());
    std::map<char, int> next;
    for (const auto& e : *entries) {
      std::string s(e.update.begin(), e.update.end());
      EXPECT_EQ(std::stoi(s.substr(2)), next[s[0]]++) << s;
    }
  }
}

TEST_P(StorageContract, BacklogSignalsAndRejects) {
  GroupCommitLimits limits;
  limits.high_water_bytes = 1000;
  limits.reject_bytes = 3000;
  backend_ = testing::make_backend(GetParam(), limits);
  std::vector<bool> signals;
  std::mutex m;
  log().set_backlog_listener([&](bool over) {
    std::lock_guard lock(m);
    signals.push_back(over);
  });
  // Stall the writer in a callback while the backlog grows.
  std::promise<void> stalled, release;
  auto release_future = release.get_future().share();
  log().append("d", {}, [&](Result<LogPosition>) {  // empty: adds nothing to the backlog
    stalled.set_value();
    release_future.wait();
  });
  stalled.get_future().wait();
  std::vector<Result<LogPosition>> results;
  std::promise<void> all_done;
  constexpr int kAppends = 8;
  for (int i = 0; i < kAppends; ++i) {
    log().append("d", std::vector<uint8_t>(500, uint8_t(i)), [&](Result<LogPosition> r) {
      std::lock_guard lock(m);
      results.push_back(std::move(r));
      if (results.size() == kAppends) all_done.set_value();
    });
  }
  EXPECT_TRUE(log().backlogged());
  EXPECT_EQ(log().backlog_bytes(), 3000u);  // six accepted, two refused
  release.set_value();
  all_done.get_future().wait();
  auto synced = append_sync(log(), "sync", bytes("s"));
  ASSERT_TRUE(synced.ok()) << synced.error();
  EXPECT_FALSE(log().backlogged());
  EXPECT_EQ(log().backlog_bytes(), 0u);
  std::lock_guard lock(m);
  EXPECT_EQ(signals, (std::vector<bool>{true, false}));
  int ok = 0;
  for (auto& r : results) {
    if (r.ok()) {
      ++ok;
    } else {
      EXPECT_NE(r.error().find("backlog"), std::string::npos) << r.error();
    }
  }
  EXPECT_EQ(ok, 6);
  EXPECT_EQ(backend_.stats().rejected_appends, 2u);
  EXPECT_EQ(log().read_after("d", 0)->size(), 7u);
}

TEST_P(StorageContract, BlockingWriteFromCallbackFails) {
  std::promise<Status> inside;
  log().append("d", bytes("x"), [&](Result<LogPosition>) {
    inside.set_value(docs().touch_document("d", 1));
  });
  Status s = inside.get_future().get();
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("callback"), std::string::npos) << s.message();
}

TEST_P(StorageContract, CloseCommitsQueuedAppendsThenRefuses) {
  std::atomic<int> ok{0};
  for (int i = 0; i < 50; ++i) {
    log().append("d", bytes("x"), [&](Result<LogPosition> r) { ok += r.ok(); });
  }
  storage().close();
  EXPECT_EQ(ok.load(), 50);
  auto refused = append_sync(log(), "d", bytes("late"));
  EXPECT_FALSE(refused.ok());
  EXPECT_FALSE(docs().touch_document("d", 1).ok());
  EXPECT_EQ(log().read_after("d", 0)->size(), 50u);  // reads still work
  storage().close();  // idempotent
}

TEST_P(StorageContract, ReplaceSnapshotTrimsWhatItCovers) {
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(append_sync(log(), "d", bytes("x")).ok());
  ASSERT_TRUE(storage().replace_snapshot("d", Snapshot{bytes("snap3"), 3}).ok());
  auto stored = storage().load_document("d");
  ASSERT_TRUE(stored.ok()) << stored.error();
  ASSERT_TRUE(stored->snapshot.has_value());
  EXPECT_EQ(stored->snapshot->covers, 3u);
  EXPECT_EQ(stored->snapshot->state, bytes("snap3"));
  ASSERT_EQ(stored->tail.size(), 2u);
  EXPECT_EQ(stored->tail[0].position, 4u);
  EXPECT_EQ(stored->last_position(), 5u);

  // Not beyond the log, not backwards, not the same position again.
  EXPECT_FALSE(storage().replace_snapshot("d", Snapshot{bytes("x"), 6}).ok());
  EXPECT_FALSE(storage().replace_snapshot("d", Snapshot{bytes("x"), 2}).ok());
  EXPECT_FALSE(storage().replace_snapshot("d", Snapshot{bytes("x"), 3}).ok());
  stored = storage().load_document("d");
  EXPECT_EQ(stored->snapshot->state, bytes("snap3"));
  EXPECT_EQ(stored->tail.size(), 2u);

  ASSERT_TRUE(storage().replace_snapshot("d", Snapshot{bytes("snap5"), 5}).ok());
  stored = storage().load_document("d");
  EXPECT_TRUE(stored->tail.empty());
  EXPECT_EQ(stored->last_position(), 5u);
  EXPECT_EQ(*append_sync(log(), "d", bytes("y")), 6u);
}

TEST_P(StorageContract, LoadOfUnknownDocumentIsEmpty) {
  auto stored = storage().load_document("none");
  ASSERT_TRUE(stored.ok());
  EXPECT_FALSE(stored->snapshot.has_value());
  EXPECT_TRUE(stored->tail.empty());
  EXPECT_EQ(stored->last_position(), 0u);
}

TEST_P(StorageContract, MetadataLifecycle) {
  ASSERT_TRUE(docs().create_document(DocumentMeta{"d1", "One", 10, 10}).ok());
  EXPECT_FALSE(docs().create_document(DocumentMeta{"d1", "Again", 11, 11}).ok());
  auto got = docs().get_document("d1");
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->title, "One");
  EXPECT_EQ((*got)->created_ms, 10);
  EXPECT_FALSE(docs().get_document("nope")->has_value());

  EXPECT_TRUE(*docs().rename_document("d1", "Uno", 20));
  EXPECT_FALSE(*docs().rename_document("nope", "x", 20));
  EXPECT_EQ((*docs().get_document("d1"))->title, "Uno");
  EXPECT_EQ((*docs().get_document("d1"))->updated_ms, 20);
  ASSERT_TRUE(docs().touch_document("d1", 30).ok());
  ASSERT_TRUE(docs().touch_document("d1", 25).ok());  // never backwards
  EXPECT_EQ((*docs().get_document("d1"))->updated_ms, 30);
  EXPECT_FALSE(docs().touch_document("nope", 30).ok());
}

TEST_P(StorageContract, DeleteLeavesATombstone) {
  ASSERT_TRUE(docs().create_document(DocumentMeta{"d", "T", 1, 1}).ok());
  ASSERT_TRUE(append_sync(log(), "d", bytes("a")).ok());
  ASSERT_TRUE(append_sync(log(), "d", bytes("b")).ok());
  ASSERT_TRUE(storage().replace_snapshot("d", Snapshot{bytes("s"), 1}).ok());
  ASSERT_TRUE(docs().create_version("d", "v", false, bytes("state"), 5).ok());

  EXPECT_TRUE(*docs().delete_document("d"));
  EXPECT_FALSE(*docs().delete_document("d"));
  EXPECT_FALSE(docs().get_document("d")->has_value());
  EXPECT_TRUE(log().read_after("d", 0)->empty());
  EXPECT_FALSE(docs().load_snapshot("d")->has_value());
  EXPECT_TRUE(docs().list_versions("d")->empty());
  EXPECT_TRUE(docs().list_documents({})->docs.empty());
  // The id is never reused and takes no new content.
  EXPECT_FALSE(docs().create_document(DocumentMeta{"d", "T", 2, 2}).ok());
  auto late = append_sync(log(), "d", bytes("c"));
  EXPECT_FALSE(late.ok());
  EXPECT_FALSE(docs().save_snapshot("d", Snapshot{bytes("s"), 9}).ok());
  EXPECT_FALSE(docs().create_version("d", "v", false, bytes("s"), 6).ok());
  EXPECT_FALSE(*docs().rename_document("d", "x", 3));
  // Other documents are unaffected.
  EXPECT_EQ(*append_sync(log(), "other", bytes("x")), 1u);
}

TEST_P(StorageContract, ListsNewestFirstInPages) {
  for (int i = 0; i < 7; ++i) {
    std::string id = "doc" + std::to_string(i);
    ASSERT_TRUE(docs().create_document(DocumentMeta{id, id, 1, 100 + i / 2}).ok());
  }
  ASSERT_TRUE(docs().create_document(DocumentMeta{"gone", "g", 1, 999}).ok());
  ASSERT_TRUE(*docs().delete_document("gone"));
  std::vector<std::string> seen;
  ListOptions options;
  options.limit = 3;
  for (int page = 0; page < 10; ++page) {
    auto p = docs().list_documents(options);
    ASSERT_TRUE(p.ok()) << p.error();
    for (const auto& d : p->docs) seen.push_back(d.id);
    if (p->next_cursor.empty()) break;
    options.after_cursor = p->next_cursor;
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"doc6", "doc4", "doc5", "doc2", "doc3", "doc0",
                                            "doc1"}));
  options.after_cursor = "garbage";
  EXPECT_FALSE(docs().list_documents(options).ok());
}

TEST_P(StorageContract, VersionsNewestFirst) {
  auto v1 = docs().create_version("d", "first", false, bytes("s1"), 10);
  auto v2 = docs().create_version("d", "", true, bytes("s2"), 20);
  auto other = docs().create_version("e", "x", false, bytes("e1"), 30);
  ASSERT_TRUE(v1.ok() && v2.ok() && other.ok());
  EXPECT_LT(v1->id, v2->id);
  auto list = docs().list_versions("d");
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].id, v2->id);
  EXPECT_TRUE((*list)[0].automatic);
  EXPECT_EQ((*list)[1].name, "first");
  EXPECT_EQ((*list)[1].created_ms, 10);
  EXPECT_EQ(**docs().version_state("d", v1->id), bytes("s1"));
  EXPECT_FALSE(docs().version_state("d", other->id)->has_value());  // another document's
  EXPECT_FALSE(docs().version_state("d", 12345)->has_value());
}

TEST_P(StorageContract, SaveSnapshotOnlyMovesForward) {
  ASSERT_TRUE(docs().save_snapshot("d", Snapshot{bytes("a"), 0}).ok());
  ASSERT_TRUE(docs().save_snapshot("d", Snapshot{bytes("b"), 4}).ok());
  EXPECT_FALSE(docs().save_snapshot("d", Snapshot{bytes("c"), 4}).ok());
  EXPECT_EQ((*docs().load_snapshot("d"))->state, bytes("b"));
}

INSTANTIATE_TEST_SUITE_P(Backends, StorageContract, ::testing::Values("memory", "sqlite"),
                         [](const auto& param_info) { return param_info.param; });

}  // namespace
}  // namespace tandem::storage
