// Helpers for the storage tests: a temporary directory removed by RAII, real Yjs updates made
// with src/crdt, a blocking append, and the two backends behind one factory.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "crdt/doc.h"
#include "crdt/text.h"
#include "storage/memory_storage.h"
#include "storage/sqlite/sqlite_storage.h"
#include "storage/storage.h"

namespace tandem::storage::testing {

//! A fresh directory under $TMPDIR (or /tmp), removed with its contents when destroyed.
class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base && *base ? base : "/tmp") + "/tandem-storage-XXXXXX";
    std::vector<char> buf(pattern.begin(), pattern.end());
    buf.push_back('\0');
    if (mkdtemp(buf.data()) == nullptr) {
      ADD_FAILURE() << "mkdtemp failed for " << pattern;
      return;
    }
    path_ = buf.data();
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

//! A Yjs document with one text root ("t") whose edits are returned as v1 updates.
class TextEditor {
 public:
  explicit TextEditor(crdt::ClientId client = 7) : doc_(crdt::DocOptions{.client_id = client}) {}
  std::vector<uint8_t> insert(uint64_t index, const std::string& text) {
    return doc_.transact([&](crdt::Transaction& t) {
      ASSERT_TRUE(crdt::text_insert(t, doc_.get("t", crdt::TypeKind::Text), index, text).ok());
    });
  }
  std::vector<uint8_t> erase(uint64_t index, uint64_t length) {
    return doc_.transact([&](crdt::Transaction& t) {
      ASSERT_TRUE(crdt::text_delete(t, doc_.get("t", crdt::TypeKind::Text), index, length).ok());
    });
  }
  std::string text() { return crdt::text_to_string(doc_.get("t", crdt::TypeKind::Text)); }
  crdt::Doc& doc() { return doc_; }

 private:
  crdt::Doc doc_;
};

//! The text of root "t" of a document built from a snapshot and log entries.
inline std::string text_of(crdt::Doc& doc) {
  return crdt::text_to_string(doc.get("t", crdt::TypeKind::Text));
}

//! Appends and waits for `done`.
inline Result<LogPosition> append_sync(UpdateLog& log, const DocId& doc,
                                       std::vector<uint8_t> update) {
  std::promise<Result<LogPosition>> p;
  auto f = p.get_future();
  log.append(doc, std::move(update), [&](Result<LogPosition> r) { p.set_value(std::move(r)); });
  return f.get();
}

inline std::vector<uint8_t> bytes(const std::string& s) { return {s.begin(), s.end()}; }

//! Opens a SqliteStorage in `dir` or fails the test.
inline std::unique_ptr<sqlite::SqliteStorage> open_sqlite(const std::string& dir,
                                                          sqlite::SqliteOptions options = {}) {
  options.data_dir = dir;
  auto s = sqlite::SqliteStorage::open(options);
  EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error());
  return s.ok() ? std::move(s).value() : nullptr;
}

//! One backend under test, with what it needs (a directory) and its commit counters.
struct Backend {
  std::unique_ptr<TempDir> dir;
  std::unique_ptr<Storage> storage;
  std::function<GroupCommitStats()> stats;
};

inline Backend make_backend(const std::string& kind, GroupCommitLimits limits = {}) {
  Backend b;
  if (kind == "memory") {
    auto m = std::make_unique<MemoryStorage>(limits);
    auto* raw = m.get();
    b.stats = [raw] { return raw->stats(); };
    b.storage = std::move(m);
  } else {
    b.dir = std::make_unique<TempDir>();
    sqlite::SqliteOptions options;
    options.limits = limits;
    auto s = open_sqlite(b.dir->path(), options);
    auto* raw = s.get();
    b.stats = [raw] { return raw->stats(); };
    b.storage = std::move(s);
  }
  return b;
}

}  // namespace tandem::storage::testing
