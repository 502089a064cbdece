// MemoryStorage: a Storage kept in memory, for fast tests of the code above the seams. Same
// semantics as SqliteStorage — group commit on a writer thread, positions, done callbacks then
// deliveries in order, serialized writes, backpressure, tombstones, snapshot rules — without
// durability. See ../../docs/storage.md.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "storage/group_commit.h"
#include "storage/storage.h"
#include "storage/subscriber_set.h"

namespace tandem::storage {

//! Owned by whoever builds the server or test. Thread-safe: every method may be called from
//! any thread; callbacks run on its writer thread.
class MemoryStorage final : public Storage, public UpdateLog, public DocumentStore {
 public:
  explicit MemoryStorage(GroupCommitLimits limits = {});
  MemoryStorage(const MemoryStorage&) = delete;
  MemoryStorage& operator=(const MemoryStorage&) = delete;
  ~MemoryStorage() override;

  // Storage
  UpdateLog& log() override { return *this; }
  DocumentStore& documents() override { return *this; }
  Result<StoredDocument> load_document(const DocId& doc) override;
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

 private:
  struct DocRecord {
    DocumentMeta meta;
    bool deleted = false;
  };
  struct DocLog {
    std::map<LogPosition, std::vector<uint8_t>> entries;
    LogPosition head = 0;  // last position given, survives trims
  };
  struct Version {
    VersionInfo info;
    std::vector<uint8_t> state;
  };
  struct State {
    std::map<DocId, DocRecord> docs;
    std::map<DocId, DocLog> logs;
    std::map<DocId, Snapshot> snapshots;
    std::vector<Version> versions;  // in id order
    int64_t next_version = 1;
    bool deleted(const DocId& id) const;
    //! save_snapshot's checks and write.
    Status store_snapshot(const DocId& id, const Snapshot& snapshot);
  };
  class Writer;

  std::vector<LogEntry> read_after_locked(const DocId& doc, LogPosition after) const;

  mutable std::mutex mutex_;
  State state_;  // GUARDED_BY(mutex_)
  SubscriberSet subscribers_;
  std::unique_ptr<Writer> writer_;
  GroupCommitQueue queue_;  // last: its thread stops before the rest goes
};

}  // namespace tandem::storage
