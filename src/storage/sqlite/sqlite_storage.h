// SqliteStorage: the single-node backend of both seams — one SQLite database file
// (<data dir>/tandem.db) in WAL mode holding the update log, snapshots, versions and document
// metadata. Writes are serialized on one writer thread with group commit; reads use a small
// pool of read-only connections beside it. Schema, commit point, backpressure and crash
// safety: docs/storage.md.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "storage/group_commit.h"
#include "storage/sqlite/batch_writer.h"
#include "storage/sqlite/read_pool.h"
#include "storage/storage.h"
#include "storage/subscriber_set.h"

namespace tandem::storage::sqlite {

inline constexpr const char* kDatabaseFileName = "tandem.db";

struct SqliteOptions {
  //! Folder of the database, created if missing.
  std::string data_dir;

  //! PRAGMA synchronous. Full: a commit is on disk before `done` runs, also across a power
  //! loss (Tandem's promise: an acknowledged edit is never lost). Normal: WAL is synced only
  //! at checkpoints — a process crash loses nothing, a power loss may lose the last commits.
  enum class Synchronous { Full, Normal };
  Synchronous synchronous = Synchronous::Full;

  //! How long a connection waits for a lock held by another (e.g. an admin tool's) before
  //! failing with SQLITE_BUSY.
  static constexpr int kDefaultBusyTimeoutMs = 5000;
  int busy_timeout_ms = kDefaultBusyTimeoutMs;

  size_t read_connections = ReadPool::kDefaultMaxConnections;

  //! PRAGMA cache_size of the write connection, in KiB. The writer appends: it touches the
  //! log's last pages and one index page per document written, and the operating system's
  //! page cache holds the file anyway. SQLite's default (2,000 KiB) was all duplicate there,
  //! and counted as ~2 KB per document on a server holding 1,000.
  static constexpr size_t kDefaultWriterCacheKib = 512;
  size_t writer_cache_kib = kDefaultWriterCacheKib;
  GroupCommitLimits limits;

  //! PRAGMA max_page_count of the write connection: a cap on the database size in pages
  //! (0: SQLite's default). Reaching it fails writes as "database or disk is full" — the way
  //! tests make the disk full.
  uint64_t max_page_count = 0;
};

//! Owned by the server's main (or a test). Thread-safe: every method may be called from any
//! thread; append callbacks and deliveries run on its writer thread; blocking writes from
//! such a callback fail (they would wait for that thread).
class SqliteStorage final : public Storage, public UpdateLog, public DocumentStore {
 public:
  //! Opens (creating and migrating if needed) <data_dir>/tandem.db.
  static Result<std::unique_ptr<SqliteStorage>> open(const SqliteOptions& options);
  SqliteStorage(const SqliteStorage&) = delete;
  SqliteStorage& operator=(const SqliteStorage&) = delete;
  ~SqliteStorage() override;  // close()

  // Storage
  UpdateLog& log() override { return *this; }
  DocumentStore& documents() override { return *this; }
  //! Snapshot and tail in one read transaction.
  Result<StoredDocument> load_document(const DocId& doc) override;
  //! One transaction: checks, snapshot, trim.
  Status replace_snapshot(const DocId& doc, const Snapshot& snapshot) override;
  void close() override { queue_.close(); }

  // UpdateLog
  void append(const DocId& doc, std::vector<uint8_t> update, AppendDone done) override;
  Result<std::vector<LogEntry>> read_after(const DocId& doc, LogPosition after) override;
  std::unique_ptr<Subscription> subscribe(const DocId& doc, Delivery deliver) override;
  Status trim(const DocId& doc, LogPosition upto) override;
  size_t backlog_bytes() const override { return queue_.backlog_bytes(); }
  bool backlogged() const override { return queue_.backlogged(); }
  void set_backlog_listener(BacklogListener listener) override;

  // DocumentStore
  Status create_document(const DocumentMeta& meta) override;
  Result<std::optional<DocumentMeta>> get_document(const DocId& id) override;
  Result<DocumentPage> list_documents(const ListOptions& options) override;
  Result<bool> rename_document(const DocId& id, const std::string& title, TimeMs now) override;
  Status touch_document(const DocId& id, TimeMs updated_ms) override;
  Result<bool> delete_document(const DocId& id) override;
  Result<std::optional<Snapshot>> load_snapshot(const DocId& id) override;
  Status save_snapshot(const DocId& id, const Snapshot& snapshot) override;
  Result<VersionInfo> create_version(const DocId& id, const std::string& name, bool automatic,
                                     const std::vector<uint8_t>& state, TimeMs now) override;
  Result<std::vector<VersionInfo>> list_versions(const DocId& id) override;
  Result<std::optional<std::vector<uint8_t>>> version_state(const DocId& id,
                                                            int64_t version) override;

  GroupCommitStats stats() const { return queue_.stats(); }
  const std::string& path() const { return path_; }

 private:
  SqliteStorage(std::string path, std::unique_ptr<Database> write_db, const SqliteOptions& options);

  //! Runs `fn(Database&)` on a leased read connection.
  template <typename Fn>
  auto read(Fn&& fn) -> decltype(fn(std::declval<Database&>())) {
    auto lease = pool_.acquire();
    if (!lease) return lease.status();
    return fn(lease->db());
  }
  //! Inside a write task: the snapshot checks and upsert of save_snapshot.
  Status store_snapshot(const DocId& id, const Snapshot& snapshot);
  static Result<std::vector<LogEntry>> read_log(Database& db, const DocId& doc, LogPosition after);
  static Result<std::optional<Snapshot>> read_snapshot(Database& db, const DocId& doc);

  const std::string path_;
  // The write connection closes last, after the readers: as the last connection it
  // checkpoints the WAL into the database and removes it.
  std::unique_ptr<SqliteBatchWriter> writer_;
  ReadPool pool_;
  SubscriberSet subscribers_;
  GroupCommitQueue queue_;  // last: its thread stops before the rest goes
};

}  // namespace tandem::storage::sqlite
